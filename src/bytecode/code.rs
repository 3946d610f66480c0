//! Code objects: the compiler's output and the VM's input.
//!
//! A [`Code`] is immutable plain data: instructions, constants, names, a
//! span for every instruction (the line table) and an exception table. It
//! holds no VM values; the VM turns [`Const`]s into values when it loads a
//! code object. Nested functions, lambdas, comprehensions and class bodies
//! are child code objects in `children`, referenced by `MakeFunction`.

use super::opcode::Instr;
use crate::span::{SourceMap, Span};
use num_bigint::BigInt;
use std::rc::Rc;

/// What kind of body a code object is; decides how calling it behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// Module top level: names live in the module namespace.
    Module,
    /// A class body: names live in the class namespace (`LoadName`/`StoreName`).
    Class,
    /// A plain function, lambda or comprehension.
    Function,
    /// A function containing `yield`: calling it makes a generator.
    Generator,
    /// An `async def` without `yield`: calling it makes a coroutine.
    Coroutine,
    /// An `async def` with `yield`: calling it makes an async generator.
    AsyncGenerator,
}

/// A compile-time constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    None,
    Bool(bool),
    Ellipsis,
    Int(i64),
    BigInt(Rc<BigInt>),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Const]>),
    /// The elements of a constant set display (`{1, 2, 3}` compiles, as in
    /// CPython, to an empty set updated from a frozenset constant).
    FrozenSet(Rc<[Const]>),
}

/// One exception-table entry: an exception raised by an instruction in
/// `start..end` jumps to `handler` with the value stack cut to `depth` items
/// (above the frame's locals) and the exception pushed on top. The innermost
/// (first matching in table order) entry wins; the compiler lists inner
/// regions before outer ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionEntry {
    pub start: u32,
    pub end: u32,
    pub handler: u32,
    pub depth: u32,
}

/// Where a traceback puts the secondary marks under an instruction's
/// expression (CPython 3.11's `~~~^^^~~~`). CPython finds them by parsing
/// the expression's source text again; the compiler records the same
/// offsets (absolute byte offsets into the file) from the AST instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaretAnchor {
    /// A binary operation: its operator lies between the end of the left
    /// operand and the start of the right one.
    BinOp { left_end: u32, right_start: u32 },
    /// A subscript: the brackets lie between the end of the subscripted
    /// value and the end of the index expression.
    Subscript { value_end: u32, slice_end: u32 },
}

/// A compiled body.
#[derive(Debug)]
pub struct Code {
    pub kind: CodeKind,
    /// `co_name`, e.g. `f`, `<lambda>`, `<listcomp>`, `<module>`.
    pub name: Rc<str>,
    /// `__qualname__`, e.g. `A.method.<locals>.inner`.
    pub qualname: Rc<str>,
    /// Number of positional parameters (positional-only included).
    pub argcount: u32,
    /// How many of the positional parameters are positional-only.
    pub posonlyargcount: u32,
    /// Number of keyword-only parameters (they follow the positional ones).
    pub kwonlyargcount: u32,
    /// Has a `*args` parameter (its slot follows the keyword-only ones).
    pub varargs: bool,
    /// Has a `**kwargs` parameter (its slot follows `*args`, if any).
    pub varkeywords: bool,
    /// Names of all slots: parameters first (positional, keyword-only,
    /// `*args`, `**kwargs`), then other locals, then free variables.
    pub varnames: Vec<Rc<str>>,
    /// Slots that hold cells created when the frame starts (captured locals
    /// and captured parameters; a captured parameter's value is moved into
    /// its new cell).
    pub cell_slots: Vec<u32>,
    /// Number of trailing slots of `varnames` that are free variables, filled
    /// from the function's closure tuple in order.
    pub nfree: u32,
    /// Names used by global/name/attribute/import instructions.
    pub names: Vec<Rc<str>>,
    pub consts: Vec<Const>,
    /// Nested code objects, indexed by `MakeFunction`.
    pub children: Vec<Rc<Code>>,
    pub instrs: Vec<Instr>,
    /// The source span of each instruction (same length as `instrs`): the
    /// expression or statement it belongs to, as CPython's positions table.
    pub spans: Vec<Span>,
    /// The caret anchors of instructions whose span is a binary operation
    /// or a subscript, sorted by instruction index.
    pub anchors: Vec<(u32, CaretAnchor)>,
    pub exception_table: Vec<ExceptionEntry>,
    /// Upper bound of the value-stack depth above the locals.
    pub max_stack: u32,
    /// The docstring, if the body starts with a string literal.
    pub docstring: Option<Rc<str>>,
    /// The source file, for tracebacks.
    pub source: SourceMap,
    /// Span of the whole definition (its first line is `co_firstlineno`).
    pub span: Span,
}

impl Code {
    /// Number of slots a frame for this code needs before its value stack.
    pub fn nslots(&self) -> usize {
        self.varnames.len()
    }

    /// The 1-based source line of the instruction at `ip`.
    pub fn line_of(&self, ip: usize) -> usize {
        let span = self.spans.get(ip).copied().unwrap_or(self.span);
        self.source.line_of(span.start)
    }

    /// The source span of the instruction at `ip`.
    pub fn span_of(&self, ip: usize) -> Span {
        self.spans.get(ip).copied().unwrap_or(self.span)
    }

    /// The caret anchor of the instruction at `ip`, if its span is a binary
    /// operation or a subscript.
    pub fn anchor_of(&self, ip: usize) -> Option<CaretAnchor> {
        let i = self
            .anchors
            .binary_search_by_key(&(ip as u32), |a| a.0)
            .ok()?;
        Some(self.anchors[i].1)
    }

    /// The innermost exception handler covering `ip`, if any.
    pub fn handler_for(&self, ip: u32) -> Option<&ExceptionEntry> {
        self.exception_table
            .iter()
            .find(|e| e.start <= ip && ip < e.end)
    }

    /// True for generator, coroutine and async generator bodies.
    pub fn is_resumable(&self) -> bool {
        matches!(
            self.kind,
            CodeKind::Generator | CodeKind::Coroutine | CodeKind::AsyncGenerator
        )
    }
}
