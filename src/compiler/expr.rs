//! Expressions: names, constants, operators, comparisons, boolean
//! short-circuits, conditional jumps, `await`/`yield`, attribute and
//! subscript access, slices and f-strings. Calls and displays are in
//! `call.rs`; lambdas and comprehensions in `func.rs`.

use super::stmt::binary_op;
use super::{Compiler, Ctx, Result};
use crate::ast::{BoolOp, CmpOp, Constant, Conversion, Expr, ExprKind, FStringPart, UnaryOp};
use crate::bytecode::{CodeKind, CompareOp, Const, Instr};
use num_traits::ToPrimitive;
use std::rc::Rc;

use super::builder::Label;
use super::call::{is_starred, Display};

impl<'a> Compiler<'a> {
    /// Compiles `e`, leaving its value on the stack.
    pub(super) fn compile_expr(&mut self, e: &'a Expr) -> Result<()> {
        self.note_anchor(e);
        let saved = self.set_span(e.span);
        let r = self.compile_expr_inner(e);
        self.set_span(saved);
        r
    }

    /// The iterable of a `for` statement or comprehension clause, as
    /// CPython's `fold_iter` rewrites it: a list display is built as a
    /// tuple (a constant one when it can be) and a set display of
    /// constants is a frozenset constant. Only what an `async for` clause
    /// says about a non-async iterable shows the change.
    pub(super) fn compile_iter(&mut self, e: &'a Expr) -> Result<()> {
        match &e.kind {
            ExprKind::List(elts) if !elts.iter().any(is_starred) => {
                self.note_anchor(e);
                let saved = self.set_span(e.span);
                let consts: Option<Vec<Const>> = elts.iter().map(|e| self.constant_of(e)).collect();
                let r = match consts {
                    Some(items) => {
                        self.emit_const(Const::Tuple(Rc::from(items)));
                        Ok(())
                    }
                    None => self.starunpack(elts, 0, Display::Tuple),
                };
                self.set_span(saved);
                r
            }
            ExprKind::Set(elts) => {
                let consts: Option<Vec<Const>> = elts.iter().map(|e| self.constant_of(e)).collect();
                match consts {
                    Some(items) => {
                        self.note_anchor(e);
                        let saved = self.set_span(e.span);
                        self.load_const(Const::FrozenSet(Rc::from(items)));
                        self.set_span(saved);
                        Ok(())
                    }
                    None => self.compile_expr(e),
                }
            }
            _ => self.compile_expr(e),
        }
    }

    fn compile_expr_inner(&mut self, e: &'a Expr) -> Result<()> {
        if let Some(c) = self.constant_of(e) {
            self.emit_const(c);
            return Ok(());
        }
        match &e.kind {
            ExprKind::Name(name) => self.name_op(name, Ctx::Load),
            ExprKind::BoolOp { op, values } => {
                let Some((last, rest)) = values.split_last() else {
                    return self.error("empty boolean operation", e.span);
                };
                let end = self.u.b.new_label();
                for v in rest {
                    self.compile_expr(v)?;
                    match op {
                        BoolOp::And => self.u.b.jump(Instr::JumpIfFalseOrPop, end),
                        BoolOp::Or => self.u.b.jump(Instr::JumpIfTrueOrPop, end),
                    }
                }
                self.compile_expr(last)?;
                self.u.b.bind(end);
                Ok(())
            }
            ExprKind::NamedExpr { target, value } => {
                self.compile_expr(value)?;
                self.emit(Instr::Copy(1));
                self.set_span(target.span);
                self.name_op(&target.name, Ctx::Store)
            }
            ExprKind::BinOp { left, op, right } => {
                self.compile_expr(left)?;
                self.compile_expr(right)?;
                self.emit(Instr::BinaryOp(binary_op(*op)));
                Ok(())
            }
            ExprKind::UnaryOp { op, operand } => {
                self.compile_expr(operand)?;
                self.emit(match op {
                    UnaryOp::Not => Instr::UnaryNot,
                    UnaryOp::Neg => Instr::UnaryNegative,
                    UnaryOp::Pos => Instr::UnaryPositive,
                    UnaryOp::Invert => Instr::UnaryInvert,
                });
                Ok(())
            }
            ExprKind::Lambda { params, body } => self.compile_lambda(e, params, body),
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.u.b.new_label();
                let other = self.u.b.new_label();
                self.jump_if(test, other, false)?;
                self.compile_expr(body)?;
                self.u.b.jump(Instr::Jump, end);
                self.u.b.bind(other);
                self.compile_expr(orelse)?;
                self.u.b.bind(end);
                Ok(())
            }
            ExprKind::Dict(items) => self.compile_dict(items),
            ExprKind::Set(elts) => self.starunpack(elts, 0, Display::Set),
            ExprKind::List(elts) => self.starunpack(elts, 0, Display::List),
            ExprKind::Tuple(elts) => self.starunpack(elts, 0, Display::Tuple),
            ExprKind::ListComp { .. }
            | ExprKind::SetComp { .. }
            | ExprKind::DictComp { .. }
            | ExprKind::GeneratorExp { .. } => self.compile_comprehension(e),
            ExprKind::Await(value) => {
                if !self.in_coroutine() {
                    return self.error("'await' outside async function", e.span);
                }
                self.compile_expr(value)?;
                self.emit_await();
                Ok(())
            }
            ExprKind::Yield(value) => {
                self.check_yield_allowed(e)?;
                match value {
                    Some(v) => self.compile_expr(v)?,
                    None => self.emit(Instr::LoadNone),
                }
                self.emit(Instr::YieldValue);
                Ok(())
            }
            ExprKind::YieldFrom(value) => {
                self.check_yield_allowed(e)?;
                if self.u.code_kind == CodeKind::AsyncGenerator {
                    return self.error("'yield from' inside async function", e.span);
                }
                self.compile_expr(value)?;
                self.emit(Instr::GetYieldFromIter);
                self.emit(Instr::LoadNone);
                self.emit_send();
                Ok(())
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.compile_compare(left, ops, comparators),
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.compile_call(e, func, args, keywords),
            ExprKind::FString(parts) => self.compile_fstring(parts),
            // Handled by `constant_of` above.
            ExprKind::Constant(_) => self.error("internal compiler error: constant", e.span),
            ExprKind::Attribute { value, attr } => {
                self.compile_expr(value)?;
                self.set_span(self.attr_span(e.span, e, &attr.name));
                let i = self.name_index(&attr.name);
                self.emit(Instr::LoadAttr(i));
                Ok(())
            }
            ExprKind::Subscript { value, slice } => {
                self.compile_expr(value)?;
                self.compile_expr(slice)?;
                self.emit(Instr::BinarySubscr);
                Ok(())
            }
            ExprKind::Starred(_) => self.error("can't use starred expression here", e.span),
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper] {
                    match part {
                        Some(p) => self.compile_expr(p)?,
                        None => self.emit(Instr::LoadNone),
                    }
                }
                match step {
                    Some(step) => {
                        self.compile_expr(step)?;
                        self.emit(Instr::BuildSlice(3));
                    }
                    None => self.emit(Instr::BuildSlice(2)),
                }
                Ok(())
            }
        }
    }

    fn check_yield_allowed(&self, e: &Expr) -> Result<()> {
        if !self.u.kind.is_function_like() {
            return self.error("'yield' outside function", e.span);
        }
        Ok(())
    }

    // ---- constants ---------------------------------------------------

    /// The value of a constant expression: literals, a negated number, a
    /// tuple of constants, or `__debug__` (always true: asserts are on).
    pub(super) fn constant_of(&self, e: &Expr) -> Option<Const> {
        match &e.kind {
            ExprKind::Name(name) if name == "__debug__" => Some(Const::Bool(true)),
            ExprKind::Constant(c) => Some(match c {
                Constant::None => Const::None,
                Constant::True => Const::Bool(true),
                Constant::False => Const::Bool(false),
                Constant::Ellipsis => Const::Ellipsis,
                Constant::Int(i) => match i.to_i64() {
                    Some(v) => Const::Int(v),
                    None => Const::BigInt(Rc::new(i.clone())),
                },
                Constant::Float(f) => Const::Float(*f),
                Constant::Str(s) => Const::Str(Rc::from(s.as_str())),
                Constant::Bytes(b) => Const::Bytes(Rc::from(b.as_slice())),
            }),
            ExprKind::UnaryOp {
                op: UnaryOp::Neg,
                operand,
            } => match &operand.kind {
                ExprKind::Constant(Constant::Int(i)) => {
                    let neg = -i.clone();
                    Some(match neg.to_i64() {
                        Some(v) => Const::Int(v),
                        None => Const::BigInt(Rc::new(neg)),
                    })
                }
                ExprKind::Constant(Constant::Float(f)) => Some(Const::Float(-f)),
                _ => None,
            },
            ExprKind::Tuple(elts) => {
                let items: Option<Vec<Const>> = elts.iter().map(|e| self.constant_of(e)).collect();
                items.map(|items| Const::Tuple(Rc::from(items)))
            }
            _ => None,
        }
    }

    /// Loads a constant: `LoadNone`, `LoadSmallInt` for integers that fit
    /// an `i32`, `LoadConst` otherwise.
    pub(super) fn emit_const(&mut self, c: Const) {
        match c {
            Const::None => self.emit(Instr::LoadNone),
            Const::Int(i) if i32::try_from(i).is_ok() => self.emit(Instr::LoadSmallInt(i as i32)),
            c => self.load_const(c),
        }
    }

    // ---- comparisons -------------------------------------------------

    /// `a < b < c` evaluates `b` once: `a b Swap Copy Compare
    /// JumpIfFalseOrPop cleanup c Compare Jump end cleanup: Swap Pop end:`.
    fn compile_compare(
        &mut self,
        left: &'a Expr,
        ops: &[CmpOp],
        comparators: &'a [Expr],
    ) -> Result<()> {
        let (Some((last_op, first_ops)), Some((last, middle))) =
            (ops.split_last(), comparators.split_last())
        else {
            return self.compile_expr(left);
        };
        self.compile_expr(left)?;
        if first_ops.is_empty() {
            self.compile_expr(last)?;
            self.emit(Instr::Compare(compare_op(*last_op)));
            return Ok(());
        }
        let cleanup = self.u.b.new_label();
        let end = self.u.b.new_label();
        for (op, c) in first_ops.iter().zip(middle) {
            self.compile_expr(c)?;
            self.emit(Instr::Swap(2));
            self.emit(Instr::Copy(2));
            self.emit(Instr::Compare(compare_op(*op)));
            self.u.b.jump(Instr::JumpIfFalseOrPop, cleanup);
        }
        self.compile_expr(last)?;
        self.emit(Instr::Compare(compare_op(*last_op)));
        self.u.b.jump(Instr::Jump, end);
        self.u.b.bind(cleanup);
        self.emit(Instr::Swap(2));
        self.emit(Instr::Pop);
        self.u.b.bind(end);
        Ok(())
    }

    /// Jumps to `target` if the truth of `e` is `cond`, without building a
    /// boolean for `not`, `and`/`or`, conditional expressions, comparison
    /// chains and `is None` tests (CPython's `compiler_jump_if`).
    ///
    /// Positions follow CPython 3.11: the jumps carry the current position
    /// (the statement's), except that a comparison makes its own position
    /// current for the rest of the enclosing statement or expression (so
    /// `assert a == b` raises at `a == b`).
    pub(super) fn jump_if(&mut self, e: &'a Expr, target: Label, cond: bool) -> Result<()> {
        if matches!(e.kind, ExprKind::Compare { .. }) {
            self.set_span(e.span);
        }
        match &e.kind {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => return self.jump_if(operand, target, !cond),
            ExprKind::BoolOp { op, values } => {
                if let Some((last, rest)) = values.split_last() {
                    let is_or = *op == BoolOp::Or;
                    let next = if is_or == cond {
                        target
                    } else {
                        self.u.b.new_label()
                    };
                    for v in rest {
                        self.jump_if(v, next, is_or)?;
                    }
                    self.jump_if(last, target, cond)?;
                    if next != target {
                        self.u.b.bind(next);
                    }
                    return Ok(());
                }
            }
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.u.b.new_label();
                let other = self.u.b.new_label();
                self.jump_if(test, other, false)?;
                self.jump_if(body, target, cond)?;
                self.u.b.jump(Instr::Jump, end);
                self.u.b.bind(other);
                self.jump_if(orelse, target, cond)?;
                self.u.b.bind(end);
                return Ok(());
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() > 1 && ops.len() == comparators.len() => {
                let cleanup = self.u.b.new_label();
                let n = ops.len() - 1;
                self.compile_expr(left)?;
                for (op, c) in ops[..n].iter().zip(&comparators[..n]) {
                    self.compile_expr(c)?;
                    self.emit(Instr::Swap(2));
                    self.emit(Instr::Copy(2));
                    self.emit(Instr::Compare(compare_op(*op)));
                    self.u.b.jump(Instr::PopJumpIfFalse, cleanup);
                }
                self.compile_expr(&comparators[n])?;
                self.emit(Instr::Compare(compare_op(ops[n])));
                self.u.b.jump(pop_jump(cond), target);
                let end = self.u.b.new_label();
                self.u.b.jump(Instr::Jump, end);
                self.u.b.bind(cleanup);
                self.emit(Instr::Pop);
                if !cond {
                    self.u.b.jump(Instr::Jump, target);
                }
                self.u.b.bind(end);
                return Ok(());
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1
                && matches!(ops[0], CmpOp::Is | CmpOp::IsNot)
                && matches!(
                    comparators.first().map(|c| &c.kind),
                    Some(ExprKind::Constant(Constant::None))
                ) =>
            {
                self.compile_expr(left)?;
                let jump_when_none = (ops[0] == CmpOp::Is) == cond;
                if jump_when_none {
                    self.u.b.jump(Instr::PopJumpIfNone, target);
                } else {
                    self.u.b.jump(Instr::PopJumpIfNotNone, target);
                }
                return Ok(());
            }
            _ => {}
        }
        self.compile_expr(e)?;
        self.u.b.jump(pop_jump(cond), target);
        Ok(())
    }

    // ---- f-strings ---------------------------------------------------

    /// Adjacent literal text (and `{x=}` debug text) is merged into one
    /// constant; each replacement field is `FormatValue`; several pieces
    /// are joined with `BuildString`.
    pub(super) fn compile_fstring(&mut self, parts: &'a [FStringPart]) -> Result<()> {
        let mut count = 0u32;
        let mut text = String::new();
        for part in parts {
            match part {
                FStringPart::Literal(s) => text.push_str(s),
                FStringPart::Formatted {
                    value,
                    conversion,
                    format_spec,
                    debug_text,
                } => {
                    if let Some(d) = debug_text {
                        text.push_str(d);
                    }
                    if !text.is_empty() {
                        self.load_str(&text);
                        text.clear();
                        count += 1;
                    }
                    self.compile_expr(value)?;
                    let mut flags = match conversion {
                        None if debug_text.is_some() && format_spec.is_none() => 2,
                        None => 0,
                        Some(Conversion::Str) => 1,
                        Some(Conversion::Repr) => 2,
                        Some(Conversion::Ascii) => 3,
                    };
                    if let Some(spec) = format_spec {
                        self.compile_fstring(spec)?;
                        flags |= 4;
                    }
                    self.emit(Instr::FormatValue(flags));
                    count += 1;
                }
            }
        }
        if !text.is_empty() || count == 0 {
            self.load_str(&text);
            count += 1;
        }
        if count > 1 {
            self.emit(Instr::BuildString(count));
        }
        Ok(())
    }
}

fn pop_jump(cond: bool) -> fn(u32) -> Instr {
    if cond {
        Instr::PopJumpIfTrue
    } else {
        Instr::PopJumpIfFalse
    }
}

/// The bytecode comparison for an AST comparison operator.
pub(super) fn compare_op(op: CmpOp) -> CompareOp {
    match op {
        CmpOp::Eq => CompareOp::Eq,
        CmpOp::NotEq => CompareOp::Ne,
        CmpOp::Lt => CompareOp::Lt,
        CmpOp::LtE => CompareOp::Le,
        CmpOp::Gt => CompareOp::Gt,
        CmpOp::GtE => CompareOp::Ge,
        CmpOp::Is => CompareOp::Is,
        CmpOp::IsNot => CompareOp::IsNot,
        CmpOp::In => CompareOp::In,
        CmpOp::NotIn => CompareOp::NotIn,
    }
}
