//! Instruction emission for one code object.
//!
//! A [`Builder`] collects the instructions of one body together with their
//! spans, its constant and name tables, and the exception handler that covers
//! each instruction. Jumps are emitted against [`Label`]s and resolved by
//! [`Builder::finish`], which also:
//!
//! - runs an abstract interpretation of the value-stack depth over the
//!   control-flow graph (fall-through, jump and exception edges), checking
//!   that every instruction is reached with one consistent depth, that the
//!   stack never goes negative and that `ReturnValue` always sees exactly the
//!   returned value; the maximum is the code's `max_stack`;
//! - drops unreachable instructions (code after `return`, `break`, ...);
//! - builds the exception table.
//!
//! Exception handlers form a stack, as CPython's `SETUP_*`/`POP_BLOCK`
//! pseudo-instructions do: [`Builder::push_handler`] makes a handler cover
//! every instruction emitted until the matching [`Builder::pop_handler`],
//! and the innermost handler wins. The unwinding code of `break`, `continue`
//! and `return` temporarily truncates that stack
//! ([`Builder::truncate_handlers`]) so it runs under the outer handlers only.
//! A handler's stack depth is not given by the compiler: it is the depth
//! measured at the instruction where the handler was pushed, plus a small
//! adjustment (`with` pushes its handler after `__enter__`'s result, which
//! the handler does not keep). Because each instruction records only its
//! innermost handler, table entries never overlap; they are listed in
//! instruction order.

use crate::bytecode::{Const, ExceptionEntry, Instr};
use crate::span::Span;
use std::collections::HashMap;
use std::rc::Rc;

/// A jump target inside the code being built, bound to an instruction
/// index with [`Builder::bind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label(u32);

/// One exception handler: where it jumps, and how its stack depth is found.
#[derive(Clone, Copy, Debug)]
struct Handler {
    label: Label,
    /// Index of the first instruction emitted under this handler.
    setup: usize,
    /// Added to the stack depth measured before `setup`.
    adjust: i32,
}

/// Constants deduplicated by type and value (`1`, `1.0` and `True` stay
/// distinct; `0.0` and `-0.0` too, as floats are keyed by their bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ConstKey {
    None,
    Bool(bool),
    Ellipsis,
    Int(i64),
    BigInt(String),
    Float(u64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Vec<ConstKey>),
    FrozenSet(Vec<ConstKey>),
}

impl ConstKey {
    fn of(c: &Const) -> ConstKey {
        match c {
            Const::None => ConstKey::None,
            Const::Bool(b) => ConstKey::Bool(*b),
            Const::Ellipsis => ConstKey::Ellipsis,
            Const::Int(i) => ConstKey::Int(*i),
            Const::BigInt(b) => ConstKey::BigInt(b.to_string()),
            Const::Float(f) => ConstKey::Float(f.to_bits()),
            Const::Str(s) => ConstKey::Str(s.clone()),
            Const::Bytes(b) => ConstKey::Bytes(b.clone()),
            Const::Tuple(items) => ConstKey::Tuple(items.iter().map(ConstKey::of).collect()),
            Const::FrozenSet(items) => {
                ConstKey::FrozenSet(items.iter().map(ConstKey::of).collect())
            }
        }
    }
}

/// The finished instruction stream of one code object.
#[derive(Debug)]
pub(crate) struct Assembled {
    pub instrs: Vec<Instr>,
    pub spans: Vec<Span>,
    pub exception_table: Vec<ExceptionEntry>,
    pub max_stack: u32,
}

/// Collects the instructions, tables and handlers of one code object.
#[derive(Default)]
pub(crate) struct Builder {
    instrs: Vec<Instr>,
    spans: Vec<Span>,
    /// The innermost handler covering each instruction.
    handler_of: Vec<Option<u32>>,
    /// Instruction index of each label, once bound.
    labels: Vec<Option<usize>>,
    handlers: Vec<Handler>,
    handler_stack: Vec<u32>,
    consts: Vec<Const>,
    const_index: HashMap<ConstKey, u32>,
    names: Vec<Rc<str>>,
    name_index: HashMap<Rc<str>, u32>,
    /// The span given to instructions emitted now.
    pub span: Span,
}

impl Builder {
    pub fn new(span: Span) -> Builder {
        Builder {
            span,
            ..Builder::default()
        }
    }

    /// Appends an instruction with the current span. Jumping instructions
    /// must carry a label id (see [`Builder::jump`]), never an index.
    pub fn emit(&mut self, instr: Instr) {
        self.instrs.push(instr);
        self.spans.push(self.span);
        self.handler_of.push(self.handler_stack.last().copied());
    }

    /// Appends a jumping instruction built by `make` (e.g. `Instr::Jump`)
    /// targeting `label`.
    pub fn jump(&mut self, make: fn(u32) -> Instr, label: Label) {
        self.emit(make(label.0));
    }

    /// A new, unbound label.
    pub fn new_label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() as u32 - 1)
    }

    /// Binds `label` to the next instruction to be emitted.
    pub fn bind(&mut self, label: Label) {
        self.labels[label.0 as usize] = Some(self.instrs.len());
    }

    /// Makes `label` the handler of every instruction emitted from now until
    /// the matching [`Builder::pop_handler`]. Its depth is the stack depth
    /// before the next instruction, plus `adjust`.
    pub fn push_handler(&mut self, label: Label, adjust: i32) {
        self.handlers.push(Handler {
            label,
            setup: self.instrs.len(),
            adjust,
        });
        self.handler_stack.push(self.handlers.len() as u32 - 1);
    }

    /// Ends the innermost handler's region.
    pub fn pop_handler(&mut self) {
        self.handler_stack.pop();
    }

    /// Number of handlers currently open.
    pub fn handler_depth(&self) -> usize {
        self.handler_stack.len()
    }

    /// Closes the handlers above the first `len` for code emitted until
    /// [`Builder::restore_handlers`] is called with the returned value.
    pub fn truncate_handlers(&mut self, len: usize) -> Vec<u32> {
        let saved = self.handler_stack.clone();
        self.handler_stack.truncate(len);
        saved
    }

    /// Reopens the handlers saved by [`Builder::truncate_handlers`].
    pub fn restore_handlers(&mut self, saved: Vec<u32>) {
        self.handler_stack = saved;
    }

    /// Index of `c` in the constant table, adding it if new.
    pub fn add_const(&mut self, c: Const) -> u32 {
        let key = ConstKey::of(&c);
        if let Some(&i) = self.const_index.get(&key) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.push(c);
        self.const_index.insert(key, i);
        i
    }

    /// Index of `name` in the name table, adding it if new.
    pub fn add_name(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.name_index.get(name) {
            return i;
        }
        let name: Rc<str> = Rc::from(name);
        let i = self.names.len() as u32;
        self.names.push(name.clone());
        self.name_index.insert(name, i);
        i
    }

    /// Takes the constant and name tables out of the builder.
    pub fn take_tables(&mut self) -> (Vec<Const>, Vec<Rc<str>>) {
        (
            std::mem::take(&mut self.consts),
            std::mem::take(&mut self.names),
        )
    }

    fn label_pos(&self, label: u32) -> Result<usize, String> {
        self.labels
            .get(label as usize)
            .copied()
            .flatten()
            .ok_or_else(|| format!("label {label} is never bound"))
    }

    /// Resolves labels, checks the stack discipline, removes unreachable
    /// code and builds the exception table. An `Err` is a compiler bug.
    pub fn finish(&mut self) -> Result<Assembled, String> {
        let n = self.instrs.len();
        let mut depth: Vec<Option<i32>> = vec![None; n];
        let mut handler_depth: Vec<Option<i32>> = vec![None; self.handlers.len()];
        let mut work: Vec<usize> = Vec::new();
        let mut max_depth = 0i32;

        fn reach(
            depth: &mut [Option<i32>],
            work: &mut Vec<usize>,
            from: usize,
            to: usize,
            d: i32,
        ) -> Result<(), String> {
            if d < 0 {
                return Err(format!("stack underflow after instruction {from}"));
            }
            match depth.get(to) {
                None => Err(format!(
                    "control falls off the end after instruction {from}"
                )),
                Some(None) => {
                    depth[to] = Some(d);
                    work.push(to);
                    Ok(())
                }
                Some(Some(old)) if *old != d => Err(format!(
                    "instruction {to} reached with stack depths {old} and {d}"
                )),
                Some(Some(_)) => Ok(()),
            }
        }

        if n > 0 {
            depth[0] = Some(0);
            work.push(0);
        }
        while let Some(i) = work.pop() {
            let d = depth[i].unwrap_or(0);
            let instr = self.instrs[i];
            if let Some(h) = self.handler_of[i] {
                let handler = self.handlers[h as usize];
                let hd = match handler_depth[h as usize] {
                    Some(hd) => hd,
                    None => {
                        let setup =
                            depth.get(handler.setup).copied().flatten().ok_or_else(|| {
                                format!("handler of instruction {i} set up in unreached code")
                            })?;
                        let hd = setup + handler.adjust;
                        handler_depth[h as usize] = Some(hd);
                        hd
                    }
                };
                let target = self.labels[handler.label.0 as usize]
                    .ok_or_else(|| "exception handler label never bound".to_string())?;
                reach(&mut depth, &mut work, i, target, hd + 1)?;
                max_depth = max_depth.max(hd + 1);
            }
            if matches!(instr, Instr::ReturnValue) && d != 1 {
                return Err(format!("ReturnValue at {i} with stack depth {d}"));
            }
            let (fall, jump) = stack_effect(instr);
            if let Some(e) = fall {
                reach(&mut depth, &mut work, i, i + 1, d + e)?;
                max_depth = max_depth.max(d + e);
            }
            if let (Some(e), Some(t)) = (jump, instr.jump_target()) {
                let target = self.label_pos(t)?;
                reach(&mut depth, &mut work, i, target, d + e)?;
                max_depth = max_depth.max(d + e);
            }
            max_depth = max_depth.max(d);
        }

        // Compaction: new index of every reachable instruction, and of the
        // first reachable instruction at or after each position.
        let mut next_live = vec![0u32; n + 1];
        let live = depth.iter().filter(|d| d.is_some()).count() as u32;
        let mut count = live;
        next_live[n] = live;
        for i in (0..n).rev() {
            if depth[i].is_some() {
                count -= 1;
            }
            next_live[i] = count;
        }

        let mut instrs = Vec::with_capacity(live as usize);
        let mut spans = Vec::with_capacity(live as usize);
        let mut table: Vec<ExceptionEntry> = Vec::new();
        for (i, d) in depth.iter().enumerate() {
            if d.is_none() {
                continue;
            }
            let mut instr = self.instrs[i];
            if let Some(t) = instr.jump_target() {
                instr = retarget(instr, next_live[self.label_pos(t)?]);
            }
            let index = instrs.len() as u32;
            instrs.push(instr);
            spans.push(self.spans[i]);
            let Some(h) = self.handler_of[i] else {
                continue;
            };
            let handler = self.handlers[h as usize];
            let (Some(hd), Some(pos)) = (
                handler_depth[h as usize],
                self.labels[handler.label.0 as usize],
            ) else {
                continue;
            };
            let entry = ExceptionEntry {
                start: index,
                end: index + 1,
                handler: next_live[pos],
                depth: hd as u32,
            };
            match table.last_mut() {
                Some(last)
                    if last.end == index
                        && last.handler == entry.handler
                        && last.depth == entry.depth =>
                {
                    last.end = index + 1;
                }
                _ => table.push(entry),
            }
        }
        Ok(Assembled {
            instrs,
            spans,
            exception_table: table,
            max_stack: max_depth as u32,
        })
    }
}

/// The same jumping instruction with another target.
fn retarget(instr: Instr, t: u32) -> Instr {
    match instr {
        Instr::Jump(_) => Instr::Jump(t),
        Instr::PopJumpIfFalse(_) => Instr::PopJumpIfFalse(t),
        Instr::PopJumpIfTrue(_) => Instr::PopJumpIfTrue(t),
        Instr::PopJumpIfNone(_) => Instr::PopJumpIfNone(t),
        Instr::PopJumpIfNotNone(_) => Instr::PopJumpIfNotNone(t),
        Instr::JumpIfFalseOrPop(_) => Instr::JumpIfFalseOrPop(t),
        Instr::JumpIfTrueOrPop(_) => Instr::JumpIfTrueOrPop(t),
        Instr::ForIter(_) => Instr::ForIter(t),
        Instr::Send(_) => Instr::Send(t),
        other => other,
    }
}

/// The change in stack depth when `instr` falls through to the next
/// instruction and when it jumps (`None`: no such edge), following the
/// stack effects documented in [`crate::bytecode::opcode`].
pub(crate) fn stack_effect(instr: Instr) -> (Option<i32>, Option<i32>) {
    use Instr::*;
    let fall = |e: i32| (Some(e), None);
    match instr {
        LoadConst(_) | LoadNone | LoadSmallInt(_) | LoadLocal(_) | LoadDeref(_)
        | LoadClosure(_) | LoadGlobal(_) | LoadName(_) | LoadClassDeref(_) | LoadAssertionError
        | LoadBuildClass => fall(1),
        StoreLocal(_) | StoreDeref(_) | StoreGlobal(_) | StoreName(_) => fall(-1),
        DeleteLocal(_) | DeleteDeref(_) | DeleteGlobal(_) | DeleteName(_) => fall(0),
        LoadAttr(_) => fall(0),
        StoreAttr(_) => fall(-2),
        DeleteAttr(_) => fall(-1),
        LoadMethod(_) => fall(1),
        BinarySubscr => fall(-1),
        StoreSubscr => fall(-3),
        DeleteSubscr => fall(-2),
        BuildSlice(n) => fall(1 - n as i32),
        Pop => fall(-1),
        Copy(_) => fall(1),
        Swap(_) => fall(0),
        BinaryOp(_) | InplaceOp(_) | Compare(_) => fall(-1),
        UnaryNegative | UnaryPositive | UnaryInvert | UnaryNot => fall(0),
        Jump(_) => (None, Some(0)),
        PopJumpIfFalse(_) | PopJumpIfTrue(_) | PopJumpIfNone(_) | PopJumpIfNotNone(_) => {
            (Some(-1), Some(-1))
        }
        JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) => (Some(-1), Some(0)),
        GetIter => fall(0),
        ForIter(_) => (Some(1), Some(-1)),
        ReturnValue => (None, None),
        Call(n) => fall(-(n as i32)),
        CallMethod(n) => fall(-(n as i32) - 1),
        CallKw(n) => fall(-(n as i32) - 1),
        CallEx(flag) => fall(if flag & 1 != 0 { -2 } else { -1 }),
        MakeFunction { flags, .. } => fall(1 - (flags & 15).count_ones() as i32),
        BuildTuple(n) | BuildList(n) | BuildSet(n) | BuildString(n) => fall(1 - n as i32),
        BuildMap(n) => fall(1 - 2 * n as i32),
        ListToTuple => fall(0),
        ListAppend(_) | SetAdd(_) | ListExtend(_) | SetUpdate(_) | DictUpdate(_) | DictMerge(_) => {
            fall(-1)
        }
        MapAdd(_) => fall(-2),
        FormatValue(flags) => fall(if flags & 4 != 0 { -1 } else { 0 }),
        UnpackSequence(n) => fall(n as i32 - 1),
        UnpackEx(arg) => fall((arg & 0xff) as i32 + (arg >> 8) as i32),
        RaiseVarargs(_) | Reraise => (None, None),
        PushExcInfo => fall(1),
        PopExcept => fall(-1),
        CheckExcMatch => fall(0),
        BeforeWith | BeforeAsyncWith => fall(1),
        WithExceptStart => fall(1),
        YieldValue => fall(0),
        Send(_) => (None, Some(-1)),
        GetYieldFromIter | GetAwaitable | GetAExitAwaitable | GetAIter => fall(0),
        GetANext => fall(1),
        EndAsyncFor => fall(-2),
        ImportName(_) => fall(1),
        ImportFrom(_) => fall(1),
        ImportStar => fall(-1),
        PrintExpr => fall(-1),
        Nop => fall(0),
        // Never emitted by the compiler; as their first instruction.
        LoadLocal2(..)
        | LoadLocalInt(..)
        | SubscrLocalInt(..)
        | BinaryOpLocalInt(..)
        | BinaryOpLocals(..)
        | StoreLocalLoadLocal(..)
        | ForIterStore(..)
        | LoadAttrLocal(..)
        | StoreAttrLocal(..)
        | LoadMethodLocal(..)
        | BinaryOpLocal(..)
        | CompareLocalInt(..)
        | BinaryOpConst(..)
        | BinaryOpStore(..)
        | SubscrDup
        | StoreSubscrRot => stack_effect(instr.first()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_and_dead_code_is_dropped() {
        let mut b = Builder::new(Span::default());
        let end = b.new_label();
        b.emit(Instr::LoadNone);
        b.jump(Instr::PopJumpIfFalse, end);
        b.emit(Instr::LoadSmallInt(1));
        b.emit(Instr::ReturnValue);
        b.emit(Instr::Pop); // unreachable
        b.bind(end);
        b.emit(Instr::LoadNone);
        b.emit(Instr::ReturnValue);
        let a = b.finish().unwrap();
        assert_eq!(
            a.instrs,
            vec![
                Instr::LoadNone,
                Instr::PopJumpIfFalse(4),
                Instr::LoadSmallInt(1),
                Instr::ReturnValue,
                Instr::LoadNone,
                Instr::ReturnValue,
            ]
        );
        assert_eq!(a.max_stack, 1);
    }

    #[test]
    fn inconsistent_depth_is_reported() {
        let mut b = Builder::new(Span::default());
        let join = b.new_label();
        b.emit(Instr::LoadNone);
        b.jump(Instr::PopJumpIfFalse, join);
        b.emit(Instr::LoadNone);
        b.bind(join);
        b.emit(Instr::LoadNone);
        b.emit(Instr::ReturnValue);
        assert!(b.finish().unwrap_err().contains("stack depths"));
    }

    #[test]
    fn handler_depth_comes_from_setup_point() {
        let mut b = Builder::new(Span::default());
        let handler = b.new_label();
        b.emit(Instr::LoadNone); // depth 1 below the protected region
        b.push_handler(handler, 0);
        b.emit(Instr::LoadName(0));
        b.emit(Instr::Pop);
        b.pop_handler();
        b.emit(Instr::ReturnValue);
        b.bind(handler);
        b.emit(Instr::Reraise);
        let a = b.finish().unwrap();
        assert_eq!(
            a.exception_table,
            vec![ExceptionEntry {
                start: 1,
                end: 3,
                handler: 4,
                depth: 1
            }]
        );
        assert_eq!(a.max_stack, 2);
    }
}
