//! The disassembler: a readable listing of a code object and, recursively,
//! of its children, in the spirit of `python3 -m dis`.
//!
//! Each code object gets a header (kind, qualname, parameters, slots,
//! `max_stack`, docstring), then one line per instruction: the source line
//! when it changes, `>>` on jump and handler targets, the index, the opcode
//! and its operand with what it means (the constant, the name, the slot's
//! variable, the jump target, the operator), then the exception table with
//! inclusive ranges as `dis` prints them. The output is deterministic, so
//! tests snapshot it.

use super::code::{Code, Const};
use super::opcode::{
    BinaryOp, CompareOp, Instr, MAKE_FN_ANNOTATIONS, MAKE_FN_CLOSURE, MAKE_FN_DEFAULTS,
    MAKE_FN_KWDEFAULTS,
};
use std::collections::HashSet;
use std::fmt::Write;

/// Disassembles `code` and every nested code object, depth first.
pub fn disassemble(code: &Code) -> String {
    let mut out = String::new();
    disassemble_into(code, &mut out);
    out
}

fn disassemble_into(code: &Code, out: &mut String) {
    header(code, out);
    let targets: HashSet<u32> = code
        .instrs
        .iter()
        .filter_map(|i| i.jump_target())
        .chain(code.exception_table.iter().map(|e| e.handler))
        .collect();
    let mut last_line = 0;
    for (i, instr) in code.instrs.iter().enumerate() {
        let line = code.line_of(i);
        let line_col = if line != last_line {
            last_line = line;
            line.to_string()
        } else {
            String::new()
        };
        let marker = if targets.contains(&(i as u32)) {
            ">>"
        } else {
            ""
        };
        let operand = operand(code, *instr);
        let text = format!(
            "{line_col:>4} {marker:>2} {i:>4} {:<18} {operand}",
            opname(*instr)
        );
        let _ = writeln!(out, "{}", text.trim_end());
    }
    if !code.exception_table.is_empty() {
        let _ = writeln!(out, "ExceptionTable:");
        for e in &code.exception_table {
            let _ = writeln!(
                out,
                "  {} to {} -> {} [{}]",
                e.start,
                e.end.saturating_sub(1),
                e.handler,
                e.depth
            );
        }
    }
    for child in &code.children {
        out.push('\n');
        disassemble_into(child, out);
    }
}

fn header(code: &Code, out: &mut String) {
    let line = code.source.line_of(code.span.start);
    let _ = writeln!(
        out,
        "Disassembly of {} ({:?}, line {line}):",
        code.qualname, code.kind
    );
    if code.argcount + code.kwonlyargcount > 0 || code.varargs || code.varkeywords {
        let mut args = format!(
            "  args: {} positional ({} positional-only), {} keyword-only",
            code.argcount, code.posonlyargcount, code.kwonlyargcount
        );
        if code.varargs {
            args.push_str(", *args");
        }
        if code.varkeywords {
            args.push_str(", **kwargs");
        }
        let _ = writeln!(out, "{args}");
    }
    if !code.varnames.is_empty() {
        let first_free = code.varnames.len().saturating_sub(code.nfree as usize);
        let slots: Vec<String> = code
            .varnames
            .iter()
            .enumerate()
            .map(|(i, name)| {
                if i >= first_free {
                    format!("{i} {name} [free]")
                } else if code.cell_slots.contains(&(i as u32)) {
                    format!("{i} {name} [cell]")
                } else {
                    format!("{i} {name}")
                }
            })
            .collect();
        let _ = writeln!(out, "  slots: {}", slots.join(", "));
    }
    let _ = writeln!(out, "  max_stack: {}", code.max_stack);
    if let Some(doc) = &code.docstring {
        let _ = writeln!(out, "  docstring: {}", str_repr(doc));
    }
}

/// The opcode's name: the variant name of `Instr`.
fn opname(instr: Instr) -> String {
    let debug = format!("{instr:?}");
    let end = debug.find(['(', ' ']).unwrap_or(debug.len());
    debug[..end].to_string()
}

fn operand(code: &Code, instr: Instr) -> String {
    use Instr::*;
    let var = |i: u32| {
        let name = code.varnames.get(i as usize).map_or("?", |n| &**n);
        format!("{i} ({name})")
    };
    let name = |i: u32| {
        let name = code.names.get(i as usize).map_or("?", |n| &**n);
        format!("{i} ({name})")
    };
    match instr {
        LoadConst(i) => {
            let c = code
                .consts
                .get(i as usize)
                .map_or("?".to_string(), const_repr);
            format!("{i} ({c})")
        }
        LoadSmallInt(v) => v.to_string(),
        LoadLocal(i) | StoreLocal(i) | DeleteLocal(i) | LoadDeref(i) | StoreDeref(i)
        | DeleteDeref(i) | LoadClosure(i) | LoadClassDeref(i) => var(i),
        LoadGlobal(i) | StoreGlobal(i) | DeleteGlobal(i) | LoadName(i) | StoreName(i)
        | DeleteName(i) | LoadAttr(i) | StoreAttr(i) | DeleteAttr(i) | LoadMethod(i)
        | ImportName(i) | ImportFrom(i) => name(i),
        BinaryOp(op) => format!("({})", binary_symbol(op)),
        InplaceOp(op) => format!("({}=)", binary_symbol(op)),
        Compare(op) => format!("({})", compare_symbol(op)),
        MakeFunction { code_index, flags } => {
            let child = code
                .children
                .get(code_index as usize)
                .map_or("?".to_string(), |c| c.qualname.to_string());
            let mut parts = vec![child];
            for (flag, word) in [
                (MAKE_FN_DEFAULTS, "defaults"),
                (MAKE_FN_KWDEFAULTS, "kwdefaults"),
                (MAKE_FN_ANNOTATIONS, "annotations"),
                (MAKE_FN_CLOSURE, "closure"),
            ] {
                if flags & flag != 0 {
                    parts.push(word.to_string());
                }
            }
            format!("{code_index} ({})", parts.join(", "))
        }
        FormatValue(f) => {
            let conv = ["", "str", "repr", "ascii"][(f & 3) as usize];
            let spec = if f & 4 != 0 { "with format" } else { "" };
            let words: Vec<&str> = [conv, spec].into_iter().filter(|w| !w.is_empty()).collect();
            if words.is_empty() {
                f.to_string()
            } else {
                format!("{f} ({})", words.join(", "))
            }
        }
        UnpackEx(arg) => format!("{arg} ({} before, {} after)", arg & 0xff, arg >> 8),
        _ => match instr.jump_target() {
            Some(t) => format!("to {t}"),
            None => plain_operand(instr),
        },
    }
}

/// The bare numeric operand of the remaining instructions, if any.
fn plain_operand(instr: Instr) -> String {
    use Instr::*;
    match instr {
        BuildSlice(n) | Copy(n) | Swap(n) | Call(n) | CallMethod(n) | CallKw(n) | CallEx(n)
        | BuildTuple(n) | BuildList(n) | BuildSet(n) | BuildMap(n) | BuildString(n)
        | ListAppend(n) | SetAdd(n) | MapAdd(n) | ListExtend(n) | SetUpdate(n) | DictUpdate(n)
        | DictMerge(n) | UnpackSequence(n) | RaiseVarargs(n) => n.to_string(),
        _ => String::new(),
    }
}

fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::MatMul => "@",
        BinaryOp::TrueDiv => "/",
        BinaryOp::FloorDiv => "//",
        BinaryOp::Mod => "%",
        BinaryOp::Pow => "**",
        BinaryOp::LShift => "<<",
        BinaryOp::RShift => ">>",
        BinaryOp::And => "&",
        BinaryOp::Or => "|",
        BinaryOp::Xor => "^",
    }
}

fn compare_symbol(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Eq => "==",
        CompareOp::Ne => "!=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Is => "is",
        CompareOp::IsNot => "is not",
        CompareOp::In => "in",
        CompareOp::NotIn => "not in",
    }
}

/// A constant as Python's `repr` would show it.
fn const_repr(c: &Const) -> String {
    match c {
        Const::None => "None".into(),
        Const::Bool(true) => "True".into(),
        Const::Bool(false) => "False".into(),
        Const::Ellipsis => "Ellipsis".into(),
        Const::Int(i) => i.to_string(),
        Const::BigInt(b) => b.to_string(),
        Const::Float(f) => float_repr(*f),
        Const::Str(s) => str_repr(s),
        Const::Bytes(b) => bytes_repr(b),
        Const::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(const_repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Const::FrozenSet(items) => {
            let parts: Vec<String> = items.iter().map(const_repr).collect();
            format!("frozenset({{{}}})", parts.join(", "))
        }
    }
}

fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{f:?}");
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}

fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_print_like_python() {
        assert_eq!(const_repr(&Const::Float(1e16)), "1e+16");
        assert_eq!(const_repr(&Const::Float(0.5)), "0.5");
        assert_eq!(const_repr(&Const::Str("it's".into())), "\"it's\"");
        assert_eq!(const_repr(&Const::Str("a\nb".into())), "'a\\nb'");
        assert_eq!(
            const_repr(&Const::Bytes(b"\x00a'".to_vec().into())),
            "b\"\\x00a'\""
        );
        assert_eq!(
            const_repr(&Const::Tuple(vec![Const::Int(1)].into())),
            "(1,)"
        );
    }

    #[test]
    fn opnames_are_variant_names() {
        assert_eq!(opname(Instr::LoadConst(3)), "LoadConst");
        assert_eq!(
            opname(Instr::MakeFunction {
                code_index: 0,
                flags: 0
            }),
            "MakeFunction"
        );
        assert_eq!(opname(Instr::PopExcept), "PopExcept");
    }
}
