//! The instruction set.
//!
//! A stack machine modelled on CPython 3.11's (run `python3 -m dis` to see the
//! shapes the compiler emits), simplified where aspy needs less. Every
//! instruction is one 8-byte [`Instr`]: an opcode and at most a `u32` operand
//! (or two `u16`s). Jump targets are absolute instruction indices.
//!
//! Stack effects are written `before => after`, top of stack on the right.
//! "Locals" are the frame's slots: parameters first, then other locals, then
//! cells (variables captured by inner functions) and free variables (captured
//! from outer functions), in the order of `Code::varnames`, `Code::cellvars`,
//! `Code::freevars`. A cell or free slot holds a cell object; `LoadDeref`
//! reads through it.
//!
//! Exception handling uses an exception table (see [`crate::bytecode::code`]),
//! not block opcodes: when an instruction raises, the VM finds the innermost
//! table entry covering it, truncates the value stack to the entry's depth,
//! pushes the exception and jumps to the handler.

/// Binary operators, shared by `BinaryOp` and `InplaceOp`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    MatMul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    And,
    Or,
    Xor,
}

/// Rich comparisons and identity/membership tests, used by `Compare`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Lt,
    Le,
    Eq,
    Ne,
    Gt,
    Ge,
    Is,
    IsNot,
    In,
    NotIn,
}

/// One instruction. Operand meanings are given per variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    // ---- constants and variables -------------------------------------
    /// `=> consts[i]`
    LoadConst(u32),
    /// `=> None`
    LoadNone,
    /// `=> i` (a small integer constant)
    LoadSmallInt(i32),
    /// `=> locals[i]`; raises UnboundLocalError if unbound.
    LoadLocal(u32),
    /// `v =>`; locals[i] = v
    StoreLocal(u32),
    /// `=>`; unbinds locals[i] (UnboundLocalError if already unbound).
    DeleteLocal(u32),
    /// `=> cell.contents` for the cell in locals[i]; NameError/UnboundLocalError
    /// ("cannot access free variable 'x' ...") if empty.
    LoadDeref(u32),
    /// `v =>`; stores into the cell in locals[i].
    StoreDeref(u32),
    /// `=>`; empties the cell in locals[i].
    DeleteDeref(u32),
    /// `=> cell` pushes the cell object itself in locals[i] (to build closures).
    LoadClosure(u32),
    /// `=> value`: global names[i], then builtins; NameError if neither.
    LoadGlobal(u32),
    /// `v =>`; globals[names[i]] = v
    StoreGlobal(u32),
    /// `=>`; deletes globals[names[i]] (NameError if missing).
    DeleteGlobal(u32),
    /// `=> value`: names[i] in the current namespace (module or class body),
    /// then globals, then builtins.
    LoadName(u32),
    /// `v =>`; stores into the current namespace.
    StoreName(u32),
    /// `=>`; deletes from the current namespace.
    DeleteName(u32),
    /// `=> value` inside a class body for a name that is also a free variable
    /// of the class: the class namespace first, then the cell in locals[i].
    LoadClassDeref(u32),

    // ---- attributes and subscripts -----------------------------------
    /// `obj => obj.names[i]`
    LoadAttr(u32),
    /// `v obj =>`; obj.names[i] = v
    StoreAttr(u32),
    /// `obj =>`; del obj.names[i]
    DeleteAttr(u32),
    /// `obj => method self` when `obj.names[i]` is a plain function found on
    /// the type (no bound method is built), otherwise `obj => attr NULL`.
    /// Always followed (after the arguments) by `CallMethod`.
    LoadMethod(u32),
    /// `container key => container[key]`
    BinarySubscr,
    /// `v container key =>`; container[key] = v
    StoreSubscr,
    /// `container key =>`; del container[key]
    DeleteSubscr,
    /// `lower upper => slice` (arg 2) or `lower upper step => slice` (arg 3).
    BuildSlice(u32),

    // ---- stack manipulation ------------------------------------------
    /// `v =>`
    Pop,
    /// `a[n] ... a[1] => a[n] ... a[1] a[n]` (n >= 1; `Copy(1)` duplicates the top).
    Copy(u32),
    /// Swaps the top with the n-th item (n >= 2): `a[n] ... a[1] => a[1] ... a[n]`.
    Swap(u32),

    // ---- operators ---------------------------------------------------
    /// `a b => a op b`
    BinaryOp(BinaryOp),
    /// `a b => a op= b` (tries `__iop__` first, then the binary operator).
    InplaceOp(BinaryOp),
    /// `a b => a op b` for comparisons, `is`, `in`.
    Compare(CompareOp),
    /// `v => -v`
    UnaryNegative,
    /// `v => +v`
    UnaryPositive,
    /// `v => ~v`
    UnaryInvert,
    /// `v => not v`
    UnaryNot,

    // ---- control flow ------------------------------------------------
    /// Jumps to the target.
    Jump(u32),
    /// `v =>`; jumps if v is false.
    PopJumpIfFalse(u32),
    /// `v =>`; jumps if v is true.
    PopJumpIfTrue(u32),
    /// `v =>`; jumps if v is None.
    PopJumpIfNone(u32),
    /// `v =>`; jumps if v is not None.
    PopJumpIfNotNone(u32),
    /// `v => v` and jumps if v is false, else `v =>` (for `and`).
    JumpIfFalseOrPop(u32),
    /// `v => v` and jumps if v is true, else `v =>` (for `or`).
    JumpIfTrueOrPop(u32),
    /// `iterable => iterator`
    GetIter,
    /// `iterator => iterator next` or, when exhausted, `iterator =>` and jump.
    ForIter(u32),
    /// `v =>`; returns v to the caller.
    ReturnValue,

    // ---- calls and functions -----------------------------------------
    /// `callable a1 .. an => result`
    Call(u32),
    /// `method self_or_NULL a1 .. an => result` (pairs with `LoadMethod`).
    CallMethod(u32),
    /// `callable a1 .. an kwnames => result`: the last `len(kwnames)` of the
    /// n arguments are keyword arguments, named by the constant tuple
    /// `kwnames` (n counts all arguments, not kwnames).
    CallKw(u32),
    /// `callable args_tuple => result` (arg 0) or
    /// `callable args_tuple kwargs_dict => result` (arg 1): calls with
    /// `*args`/`**kwargs`.
    CallEx(u32),
    /// Builds a function from the code object `code.children[code_index]`.
    /// `[defaults_tuple] [kwdefaults_dict] [annotations_dict] [closure_tuple]
    /// => function`; each
    /// optional operand is present when its flag is set (see `MAKE_FN_*`).
    MakeFunction { code_index: u16, flags: u16 },
    /// `=> __build_class__` (a builtin called as
    /// `__build_class__(body_fn, name, *bases, **keywords)`).
    LoadBuildClass,

    // ---- building values ---------------------------------------------
    /// `a1 .. an => (a1, .., an)`
    BuildTuple(u32),
    /// `a1 .. an => [a1, .., an]`
    BuildList(u32),
    /// `a1 .. an => {a1, .., an}`
    BuildSet(u32),
    /// `k1 v1 .. kn vn => {k1: v1, ..}`
    BuildMap(u32),
    /// `s1 .. sn => s1 + .. + sn` (strings, for f-strings).
    BuildString(u32),
    /// `list => tuple(list)`
    ListToTuple,
    /// `list ... v => list ... ` appends v to the list at depth n (counted
    /// after popping v; n = 1 is the new top), for comprehensions.
    ListAppend(u32),
    /// Like `ListAppend` for sets.
    SetAdd(u32),
    /// `dict ... k v => dict ...`: dict[k] = v for the dict at depth n.
    MapAdd(u32),
    /// `list ... iterable => list ...`: extends the list at depth n.
    ListExtend(u32),
    /// `set ... iterable => set ...`
    SetUpdate(u32),
    /// `dict ... mapping => dict ...` (for `{**m}`).
    DictUpdate(u32),
    /// `dict ... mapping => dict ...` (for `f(**m)`: duplicate keys raise
    /// "got multiple values for keyword argument").
    DictMerge(u32),
    /// `v => str(v)`, `repr(v)` or `ascii(v)`, then formatted: the low 2 bits
    /// of the operand are the conversion (0 none, 1 str, 2 repr, 3 ascii);
    /// bit 2 set means a format spec string is on the stack:
    /// `v [spec] => formatted_str`.
    FormatValue(u32),

    // ---- unpacking ---------------------------------------------------
    /// `seq => vn .. v1` (the first element ends on top); ValueError
    /// "not enough values to unpack (expected n, got m)" / "too many values".
    UnpackSequence(u32),
    /// `a, *b, c = seq`: operand is `before | (after << 8)`;
    /// `seq => v_last .. list .. v_first`.
    UnpackEx(u32),

    // ---- exceptions --------------------------------------------------
    /// arg 0: bare `raise` (re-raise the exception being handled; RuntimeError
    /// "No active exception to reraise" if none); arg 1: `exc =>` raise exc;
    /// arg 2: `exc cause =>` raise exc from cause.
    RaiseVarargs(u32),
    /// `exc =>` raises exc again, keeping its traceback.
    Reraise,
    /// `exc => prev_exc exc`: makes exc the exception being handled, saving
    /// the previous one below it.
    PushExcInfo,
    /// `prev_exc =>`: restores the exception being handled.
    PopExcept,
    /// `exc type => exc bool`: does exc match the class or tuple of classes?
    /// (TypeError if `type` is not an exception class or tuple of them.)
    CheckExcMatch,
    /// `=> AssertionError`
    LoadAssertionError,

    // ---- context managers --------------------------------------------
    /// `mgr => exit enter_result`: calls `mgr.__enter__()`, keeping the bound
    /// `__exit__`. TypeError if mgr does not support the protocol.
    BeforeWith,
    /// `mgr => exit awaitable`: `async with`; the awaitable is
    /// `mgr.__aenter__()` already passed through `GetAwaitable`, so the
    /// following code awaits it with just `LoadNone; Send`.
    BeforeAsyncWith,
    /// `exit prev_exc exc => exit prev_exc exc result` where result is
    /// `exit(type(exc), exc, exc.__traceback__)`.
    WithExceptStart,

    // ---- generators and coroutines -----------------------------------
    /// `v => sent`: suspends the generator, producing v; resumes with the
    /// value sent in (None for `next`).
    YieldValue,
    /// `iterator value => iterator result`: `yield from` / `await` delegation
    /// step. Sends `value` into the sub-iterator; if it yields, this frame
    /// yields the same value and, when resumed, repeats with the value sent;
    /// when the sub-iterator finishes, replaces `value` by its return value,
    /// pops the iterator and jumps to the target. Operand: target.
    Send(u32),
    /// `iterable => iterator` for `yield from` (a coroutine is rejected
    /// unless this code is itself a coroutine).
    GetYieldFromIter,
    /// `v => awaitable`: a coroutine as is, else `v.__await__()`; TypeError
    /// "object int can't be used in 'await' expression".
    GetAwaitable,
    /// `GetAwaitable` for the result of an `async with`'s `__aexit__`
    /// (TypeError "'async with' received an object from __aexit__ that
    /// does not implement __await__: int").
    GetAExitAwaitable,
    /// `obj => async_iterator` (`obj.__aiter__()`).
    GetAIter,
    /// `aiter => aiter awaitable`: `aiter.__anext__()` already passed
    /// through `GetAwaitable` (TypeError "'async for' received an invalid
    /// object from __anext__" otherwise); awaited with `LoadNone; Send`.
    GetANext,
    /// `aiter exc =>`: ends an `async for` loop if exc is StopAsyncIteration,
    /// otherwise re-raises exc.
    EndAsyncFor,

    // ---- imports -----------------------------------------------------
    /// `=> module`: imports the module named names[i] (a dotted name) and
    /// pushes that module itself. `import a.b` (which binds `a`) compiles to
    /// `ImportName("a.b"), Pop, ImportName("a")`.
    ImportName(u32),
    /// `module => module value`: `from module import names[i]`
    /// (ImportError "cannot import name 'x' from 'm'" if missing).
    ImportFrom(u32),
    /// `module =>`: `from module import *` into the current namespace.
    ImportStar,

    // ---- misc --------------------------------------------------------
    /// `v =>`: REPL only; prints repr(v) if not None and sets `_`.
    PrintExpr,
    /// Does nothing (keeps line numbers for statements that emit no code).
    Nop,

    // ---- superinstructions -------------------------------------------
    // The compiler never emits these: the VM puts them in its own copy of
    // the code (`vm/load.rs`), each in place of the first of the two or
    // three instructions it stands for, which stay unchanged after it.
    // A superinstruction does what its first instruction does and, when
    // its fast path applies, also what the following ones do, and skips
    // them; otherwise it does only the first, and the originals after it
    // run as usual (so a jump into them, or an error in them, behaves as
    // without fusion).
    /// `LoadLocal(a); LoadLocal(b)`
    LoadLocal2(u16, u16),
    /// `LoadLocal(a); LoadSmallInt(k)`
    LoadLocalInt(u16, i32),
    /// `LoadLocal(a); LoadSmallInt(k); BinarySubscr`
    SubscrLocalInt(u16, i32),
    /// `LoadLocal(a); LoadSmallInt(k); BinaryOp(op)` (or `InplaceOp(op)`,
    /// the same for the numbers the fast path takes).
    BinaryOpLocalInt(BinaryOp, u16, i32),
    /// `LoadLocal(a); LoadLocal(b); BinaryOp(op)` (or `InplaceOp(op)`).
    BinaryOpLocals(BinaryOp, u16, u16),
    /// `StoreLocal(a); LoadLocal(b)`
    StoreLocalLoadLocal(u16, u16),
    /// `ForIter(target); StoreLocal(a)`
    ForIterStore(u32, u16),
    /// `LoadLocal(a); LoadAttr(i)`
    LoadAttrLocal(u16, u16),
    /// `LoadLocal(a); StoreAttr(i)`
    StoreAttrLocal(u16, u16),
    /// `LoadLocal(a); LoadMethod(i)`
    LoadMethodLocal(u16, u16),
    /// `LoadLocal(a); BinaryOp(op)` (or `InplaceOp(op)`)
    BinaryOpLocal(BinaryOp, u16),
    /// `LoadLocal(a); LoadSmallInt(k); Compare(op)`
    CompareLocalInt(CompareOp, u16, i32),
    /// `LoadConst(c); BinaryOp(op)` (or `InplaceOp(op)`)
    BinaryOpConst(BinaryOp, u16),
    /// `BinaryOp(op); StoreLocal(a)`, or `InplaceOp(op); StoreLocal(a)`
    /// when the flag is set.
    BinaryOpStore(BinaryOp, u16, bool),
    /// `Copy(2); Copy(2); BinarySubscr` (the read of `c[k] op= v`)
    SubscrDup,
    /// `Swap(3); Swap(2); StoreSubscr` (the write of `c[k] op= v`)
    StoreSubscrRot,
}

/// `MakeFunction` flag: a tuple of positional defaults is on the stack.
pub const MAKE_FN_DEFAULTS: u16 = 1;
/// `MakeFunction` flag: a dict of keyword-only defaults is on the stack.
pub const MAKE_FN_KWDEFAULTS: u16 = 2;
/// `MakeFunction` flag: a tuple of cells (the closure) is on the stack.
pub const MAKE_FN_CLOSURE: u16 = 4;
/// `MakeFunction` flag: a dict of annotations (`__annotations__`) is on the
/// stack, between the keyword-only defaults and the closure.
pub const MAKE_FN_ANNOTATIONS: u16 = 8;

const _: () = assert!(std::mem::size_of::<Instr>() == 8);

impl Instr {
    /// For a superinstruction, the first instruction it stands for (what
    /// it does when its fast path does not apply); any other instruction
    /// itself.
    pub fn first(self) -> Instr {
        match self {
            Instr::LoadLocal2(a, _)
            | Instr::LoadLocalInt(a, _)
            | Instr::SubscrLocalInt(a, _)
            | Instr::BinaryOpLocalInt(_, a, _)
            | Instr::BinaryOpLocals(_, a, _)
            | Instr::LoadAttrLocal(a, _)
            | Instr::StoreAttrLocal(a, _)
            | Instr::LoadMethodLocal(a, _)
            | Instr::BinaryOpLocal(_, a)
            | Instr::CompareLocalInt(_, a, _) => Instr::LoadLocal(a as u32),
            Instr::BinaryOpConst(_, c) => Instr::LoadConst(c as u32),
            Instr::BinaryOpStore(op, _, false) => Instr::BinaryOp(op),
            Instr::BinaryOpStore(op, _, true) => Instr::InplaceOp(op),
            Instr::SubscrDup => Instr::Copy(2),
            Instr::StoreSubscrRot => Instr::Swap(3),
            Instr::StoreLocalLoadLocal(a, _) => Instr::StoreLocal(a as u32),
            Instr::ForIterStore(t, _) => Instr::ForIter(t),
            other => other,
        }
    }

    /// The jump target of a jumping instruction, if any.
    pub fn jump_target(self) -> Option<u32> {
        match self {
            Instr::Jump(t)
            | Instr::PopJumpIfFalse(t)
            | Instr::PopJumpIfTrue(t)
            | Instr::PopJumpIfNone(t)
            | Instr::PopJumpIfNotNone(t)
            | Instr::JumpIfFalseOrPop(t)
            | Instr::JumpIfTrueOrPop(t)
            | Instr::ForIter(t)
            | Instr::ForIterStore(t, _)
            | Instr::Send(t) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_are_eight_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 8);
    }
}
