//! The abstract syntax tree.
//!
//! Plain data, shaped after CPython's `ast` module: every statement and
//! expression carries the [`Span`] of the source it came from. The AST knows
//! nothing of the VM; the parser builds it and the compiler reads it.
//!
//! The nodes are kept small, because a module's tree is large (the
//! parser's speed and memory are mostly the size of what it builds):
//! an [`Expr`] is 40 bytes and a [`Stmt`] 56. So identifiers are
//! [`Name`]s (one pointer, shared by every use of the same name in a
//! module), lists that are usually short or empty inside nodes are
//! [`ThinVec`]s (one pointer, no allocation when empty), and the
//! expressions of statements other than expression statements and
//! assignments are boxed. All of them dereference like `String`, `Vec`
//! and `Expr`, and print the same with `{:?}`.

use crate::span::Span;
use num_bigint::BigInt;
pub use thin_vec::ThinVec;

/// The text of an identifier: a thin, reference-counted string. The lexer
/// makes one per distinct name in a source text and shares it.
pub type Name = arcstr::ArcStr;

/// A whole module (a file, a `-c` string, or one REPL entry).
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `t1 = t2 = value`: `targets` in source order.
    Assign {
        targets: ThinVec<Expr>,
        value: Expr,
    },
    /// `target op= value`.
    AugAssign {
        target: Box<Expr>,
        op: BinOp,
        value: Box<Expr>,
    },
    /// `target: annotation [= value]`. `simple` is true when the target is
    /// a bare name not in parentheses (as in CPython).
    AnnAssign {
        target: Box<Expr>,
        annotation: Box<Expr>,
        value: Option<Box<Expr>>,
        simple: bool,
    },
    If {
        test: Box<Expr>,
        body: ThinVec<Stmt>,
        orelse: ThinVec<Stmt>,
    },
    While {
        test: Box<Expr>,
        body: ThinVec<Stmt>,
        orelse: ThinVec<Stmt>,
    },
    For {
        is_async: bool,
        target: Box<Expr>,
        iter: Box<Expr>,
        body: ThinVec<Stmt>,
        orelse: ThinVec<Stmt>,
    },
    Break,
    Continue,
    Pass,
    Return(Option<Expr>),
    FunctionDef(Box<FunctionDef>),
    ClassDef(Box<ClassDef>),
    Try {
        body: ThinVec<Stmt>,
        handlers: ThinVec<ExceptHandler>,
        orelse: ThinVec<Stmt>,
        finalbody: ThinVec<Stmt>,
    },
    Raise {
        exc: Option<Box<Expr>>,
        cause: Option<Box<Expr>>,
    },
    With {
        is_async: bool,
        items: ThinVec<WithItem>,
        body: ThinVec<Stmt>,
    },
    Global(ThinVec<Ident>),
    Nonlocal(ThinVec<Ident>),
    Delete(ThinVec<Expr>),
    Assert {
        test: Box<Expr>,
        msg: Option<Box<Expr>>,
    },
    /// `import a.b as c, d`
    Import(ThinVec<Alias>),
    /// `from [.]*module import names`; `level` counts the leading dots.
    /// A `*` import is a single alias named `*`.
    ImportFrom {
        module: Option<String>,
        names: ThinVec<Alias>,
        level: u32,
    },
}

/// `def` or `async def`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    pub is_async: bool,
    pub name: Ident,
    pub params: Parameters,
    pub returns: Option<Expr>,
    pub body: ThinVec<Stmt>,
    pub decorators: Vec<Expr>,
}

/// `class Name(bases, keywords): body`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    pub name: Ident,
    pub bases: ThinVec<Expr>,
    pub keywords: ThinVec<Keyword>,
    pub body: ThinVec<Stmt>,
    pub decorators: Vec<Expr>,
}

/// The parameter list of a function or lambda.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Parameters {
    /// Parameters before `/`.
    pub posonly: Vec<Param>,
    /// Ordinary positional-or-keyword parameters.
    pub args: Vec<Param>,
    /// `*args`.
    pub vararg: Option<Param>,
    /// Parameters after `*` or `*args`.
    pub kwonly: Vec<Param>,
    /// `**kwargs`.
    pub kwarg: Option<Param>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub annotation: Option<Expr>,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExceptHandler {
    /// `None` for a bare `except:`.
    pub typ: Option<Expr>,
    pub name: Option<Ident>,
    pub body: ThinVec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WithItem {
    pub context: Expr,
    pub target: Option<Expr>,
}

/// `name as asname` in an import.
#[derive(Clone, Debug, PartialEq)]
pub struct Alias {
    /// Dotted name, e.g. `a.b.c`.
    pub name: String,
    pub asname: Option<Ident>,
    pub span: Span,
}

/// `name=value` in a call or class header, or `**value` when `arg` is None.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    pub arg: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `a and b and c` / `a or b`.
    BoolOp {
        op: BoolOp,
        values: ThinVec<Expr>,
    },
    /// `target := value`.
    NamedExpr {
        target: Ident,
        value: Box<Expr>,
    },
    BinOp {
        left: Box<Expr>,
        op: BinOp,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Lambda {
        params: Box<Parameters>,
        body: Box<Expr>,
    },
    /// `body if test else orelse`.
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    Dict(Vec<DictItem>),
    Set(Vec<Expr>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    ListComp {
        elt: Box<Expr>,
        generators: ThinVec<Comprehension>,
    },
    SetComp {
        elt: Box<Expr>,
        generators: ThinVec<Comprehension>,
    },
    DictComp {
        key: Box<Expr>,
        value: Box<Expr>,
        generators: ThinVec<Comprehension>,
    },
    GeneratorExp {
        elt: Box<Expr>,
        generators: ThinVec<Comprehension>,
    },
    Await(Box<Expr>),
    Yield(Option<Box<Expr>>),
    YieldFrom(Box<Expr>),
    /// `left op1 c1 op2 c2 ...`; `ops.len() == comparators.len()`.
    Compare {
        left: Box<Expr>,
        ops: ThinVec<CmpOp>,
        comparators: ThinVec<Expr>,
    },
    /// `func(args, keywords)`; `args` may contain `Starred`, `keywords`
    /// holds `name=value` and `**mapping` (arg `None`).
    Call {
        func: Box<Expr>,
        args: ThinVec<Expr>,
        keywords: ThinVec<Keyword>,
    },
    /// An f-string, possibly concatenated with plain string literals.
    FString(Vec<FStringPart>),
    Constant(Constant),
    Attribute {
        value: Box<Expr>,
        attr: Ident,
    },
    /// `value[slice]`; `a[i, j]` has a `Tuple` slice, `a[i:j]` a `Slice`.
    Subscript {
        value: Box<Expr>,
        slice: Box<Expr>,
    },
    /// `*value` in a display, call or assignment target.
    Starred(Box<Expr>),
    Name(Name),
    /// `lower:upper:step`, only as (part of) a subscript.
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
}

/// One item of a dict display.
#[derive(Clone, Debug, PartialEq)]
pub enum DictItem {
    KeyValue(Expr, Expr),
    /// `**mapping`.
    Unpack(Expr),
}

/// `[async] for target in iter if cond1 if cond2`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
    pub is_async: bool,
}

/// A piece of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum FStringPart {
    /// Literal text, escapes already decoded.
    Literal(String),
    /// `{value!conversion:format_spec}`. For `{x=}` the `debug_text` holds
    /// `x=` (with the original whitespace), printed before the value.
    Formatted {
        value: Box<Expr>,
        conversion: Option<Conversion>,
        format_spec: Option<Vec<FStringPart>>,
        debug_text: Option<String>,
    },
}

/// `!s`, `!r`, `!a` in an f-string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    Str,
    Repr,
    Ascii,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    None,
    True,
    False,
    Ellipsis,
    Int(BigInt),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

impl BinOp {
    /// The operator as written in source, e.g. `"//"`.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mult => "*",
            BinOp::MatMult => "@",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Pos,
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

impl CmpOp {
    /// The operator as written in source, e.g. `"not in"`.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtE => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtE => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

impl Stmt {
    pub fn new(kind: StmtKind, span: Span) -> Stmt {
        Stmt { kind, span }
    }
}

// The sizes the module doc promises: a change that grows a node fails
// the build instead of quietly slowing the parser.
const _: () = assert!(std::mem::size_of::<ExprKind>() == 32);
const _: () = assert!(std::mem::size_of::<Expr>() == 40);
const _: () = assert!(std::mem::size_of::<StmtKind>() == 48);
const _: () = assert!(std::mem::size_of::<Stmt>() == 56);
