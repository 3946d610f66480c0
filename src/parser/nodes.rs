//! Node builders called by the grammar's actions.
//!
//! Each function builds one AST node with its span. The fallible ones also
//! make the checks CPython's parser makes on what it just recognised
//! (assignment targets, the order of arguments and parameters), with
//! CPython's messages; they run as the parser reduces, so these errors come
//! out in source order together with plain syntax errors.

use super::validate::{self, TargetKind};
use crate::ast::*;
use crate::diagnostics::CompileError;
use crate::lexer::{NumberValue, Token};
use crate::span::Span;
use lalrpop_util::ParseError;
use num_bigint::BigInt;

/// What the grammar's entry point produced.
pub enum Top {
    Module(Vec<Stmt>),
    Expr(Expr),
}

/// One item of a parameter list, in source order. (Parameters are boxed
/// to keep the parser's symbol type small: it is moved on every step.)
pub enum ParamItem {
    Plain(Box<Param>),
    /// `*` or `*name`; the span covers the star.
    Star(Option<Box<Param>>, Span),
    DoubleStar(Box<Param>, Span),
    Slash(Span),
}

/// One item of an argument list, in source order.
pub enum ArgItem {
    Positional(Expr),
    /// `f(x for x in y)`: a bare generator expression.
    Generator(Expr),
    Star(Expr, Span),
    DoubleStar(Expr, Span),
    /// `name=value` (the left side is checked to be a name).
    Keyword(Box<(Expr, Expr)>, Span),
}

/// An operator as the value of a grammar symbol, aligned like a pointer.
///
/// lalrpop keeps every grammar symbol in one enum that each parser step
/// moves. A variant holding a lone byte (a bare `BinOp`) makes that enum's
/// tag a byte and lays payloads out from offset 1; every move is then
/// copied in unaligned pieces that straddle the stores just made, which
/// defeats the CPU's store-to-load forwarding (it was a fifth of the parse
/// time). With no payload less aligned than a pointer, moves are whole
/// aligned words.
#[repr(align(8))]
#[derive(Clone, Copy)]
pub struct Op<T>(pub T);

type PResult<T> = Result<T, CompileError>;

/// A span from lalrpop locations.
pub fn sp(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

/// Wraps a check's error for lalrpop.
pub fn user(error: CompileError) -> ParseError<usize, Token, Box<CompileError>> {
    ParseError::User {
        error: Box::new(error),
    }
}

fn end_of(body: &[Stmt], default: u32) -> u32 {
    body.last().map_or(default, |s| s.span.end)
}

pub fn number(v: NumberValue, l: usize, r: usize) -> Expr {
    let c = match v {
        NumberValue::Int(i) => Constant::Int(BigInt::from(i)),
        NumberValue::BigInt(b) => Constant::Int(*b),
        NumberValue::Float(f) => Constant::Float(f),
    };
    constant(c, l, r)
}

pub fn constant(c: Constant, l: usize, r: usize) -> Expr {
    Expr::new(ExprKind::Constant(c), sp(l, r))
}

pub fn dotted(first: Name, rest: Vec<Name>) -> String {
    let mut s = first.to_string();
    for part in rest {
        s.push('.');
        s.push_str(&part);
    }
    s
}

/// Appends one line of simple statements to a statement list.
pub fn push_line(v: &mut impl Extend<Stmt>, first: Stmt, rest: Vec<Stmt>) {
    v.extend(std::iter::once(first).chain(rest));
}

/// A list of one item.
pub fn one<T>(item: T) -> ThinVec<T> {
    let mut v = ThinVec::with_capacity(1);
    v.push(item);
    v
}

/// The items as a list of exactly their number (collecting into a
/// `ThinVec` would reserve room for at least four).
pub fn list<T, I>(items: I) -> ThinVec<T>
where
    I: IntoIterator<Item = T>,
    I::IntoIter: ExactSizeIterator,
{
    let items = items.into_iter();
    let mut v = ThinVec::with_capacity(items.len());
    v.extend(items);
    v
}

/// A statement list without spare room (it was built by pushing).
pub fn suite(mut body: ThinVec<Stmt>) -> ThinVec<Stmt> {
    body.shrink_to_fit();
    body
}

/// `first` followed by `rest`.
pub fn cons<T>(first: T, rest: Vec<T>) -> Vec<T> {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(first);
    v.extend(rest);
    v
}

pub fn tuple_of(first: Expr, rest: Vec<Expr>, l: usize, r: usize) -> Expr {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(first);
    v.extend(rest);
    Expr::new(ExprKind::Tuple(v), sp(l, r))
}

/// `a[x]`: the subscript itself, except that `a[*x]` is a 1-tuple.
pub fn single_subscript(e: Expr, l: usize, r: usize) -> Expr {
    if matches!(e.kind, ExprKind::Starred(_)) {
        return Expr::new(ExprKind::Tuple(vec![e]), sp(l, r));
    }
    e
}

/// Precedence of a binary operator (higher binds tighter).
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::BitOr => 1,
        BinOp::BitXor => 2,
        BinOp::BitAnd => 3,
        BinOp::LShift | BinOp::RShift => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Pow => 7,
        _ => 6,
    }
}

/// Folds a flat chain `a op b op c ...` (all left-associative) into a tree
/// by precedence, without recursion (shunting-yard). Entry `i > 0` holds
/// the operator before operand `i`; each operand carries its extent
/// including parentheses, which becomes the start or end of the node's
/// span (as CPython's locations).
pub fn fold_chain(chain: Vec<(BinOp, usize, Expr, usize)>) -> Expr {
    let mut operands: Vec<(usize, Expr, usize)> = Vec::with_capacity(chain.len());
    let mut ops: Vec<BinOp> = Vec::new();
    fn reduce(operands: &mut Vec<(usize, Expr, usize)>, op: BinOp) {
        if let (Some((_, b, r)), Some((l, a, _))) = (operands.pop(), operands.pop()) {
            operands.push((l, binop(a, op, b, l, r), r));
        }
    }
    for (i, (op, l, e, r)) in chain.into_iter().enumerate() {
        if i > 0 {
            while let Some(&top) = ops.last() {
                if precedence(top) < precedence(op) {
                    break;
                }
                ops.pop();
                reduce(&mut operands, top);
            }
            ops.push(op);
        }
        operands.push((l, e, r));
    }
    while let Some(top) = ops.pop() {
        reduce(&mut operands, top);
    }
    operands
        .pop()
        .map(|(_, e, _)| e)
        .unwrap_or_else(|| Expr::new(ExprKind::Tuple(Vec::new()), Span::default()))
}

pub fn binop(a: Expr, op: BinOp, b: Expr, l: usize, r: usize) -> Expr {
    Expr::new(
        ExprKind::BinOp {
            left: Box::new(a),
            op,
            right: Box::new(b),
        },
        sp(l, r),
    )
}

pub fn unary(op: UnaryOp, e: Expr, l: usize, r: usize) -> Expr {
    Expr::new(
        ExprKind::UnaryOp {
            op,
            operand: Box::new(e),
        },
        sp(l, r),
    )
}

pub fn boolop(op: BoolOp, first: Expr, rest: Vec<Expr>, l: usize, r: usize) -> Expr {
    let mut values = ThinVec::with_capacity(rest.len() + 1);
    values.push(first);
    values.extend(rest);
    Expr::new(ExprKind::BoolOp { op, values }, sp(l, r))
}

pub fn compare(left: Expr, rest: Vec<(Op<CmpOp>, Expr)>, l: usize, r: usize) -> Expr {
    let mut ops = ThinVec::with_capacity(rest.len());
    let mut comparators = ThinVec::with_capacity(rest.len());
    for (Op(op), e) in rest {
        ops.push(op);
        comparators.push(e);
    }
    Expr::new(
        ExprKind::Compare {
            left: Box::new(left),
            ops,
            comparators,
        },
        sp(l, r),
    )
}

pub fn slice(lo: Option<Expr>, hi: Option<Expr>, st: Option<Expr>, l: usize, r: usize) -> Expr {
    Expr::new(
        ExprKind::Slice {
            lower: lo.map(Box::new),
            upper: hi.map(Box::new),
            step: st.map(Box::new),
        },
        sp(l, r),
    )
}

/// `( expr )`: the expression itself (its span excludes the parentheses).
pub fn paren(e: Expr) -> PResult<Expr> {
    if matches!(e.kind, ExprKind::Starred(_)) {
        return Err(CompileError::syntax(
            "cannot use starred expression here",
            e.span,
        ));
    }
    Ok(e)
}

fn no_starred_elt(e: &Expr) -> PResult<()> {
    if matches!(e.kind, ExprKind::Starred(_)) {
        return Err(CompileError::syntax(
            "iterable unpacking cannot be used in comprehension",
            e.span,
        ));
    }
    Ok(())
}

pub fn genexp(e: Expr, c: ThinVec<Comprehension>, l: usize, r: usize) -> PResult<Expr> {
    no_starred_elt(&e)?;
    Ok(Expr::new(
        ExprKind::GeneratorExp {
            elt: Box::new(e),
            generators: c,
        },
        sp(l, r),
    ))
}

pub fn listcomp(e: Expr, c: ThinVec<Comprehension>, l: usize, r: usize) -> PResult<Expr> {
    no_starred_elt(&e)?;
    Ok(Expr::new(
        ExprKind::ListComp {
            elt: Box::new(e),
            generators: c,
        },
        sp(l, r),
    ))
}

pub fn setcomp(e: Expr, c: ThinVec<Comprehension>, l: usize, r: usize) -> PResult<Expr> {
    no_starred_elt(&e)?;
    Ok(Expr::new(
        ExprKind::SetComp {
            elt: Box::new(e),
            generators: c,
        },
        sp(l, r),
    ))
}

pub fn comprehension(
    is_async: bool,
    target: Expr,
    iter: Expr,
    ifs: Vec<Expr>,
) -> PResult<Comprehension> {
    validate::check_target(&target, TargetKind::For)?;
    Ok(Comprehension {
        target,
        iter,
        ifs,
        is_async,
    })
}

pub fn lambda(items: Vec<ParamItem>, body: Expr, l: usize, r: usize) -> PResult<Expr> {
    let params = params(items)?;
    Ok(Expr::new(
        ExprKind::Lambda {
            params: Box::new(params),
            body: Box::new(body),
        },
        sp(l, r),
    ))
}

pub fn param(
    name: Ident,
    annotation: Option<Expr>,
    default: Option<Expr>,
    l: usize,
    r: usize,
) -> Box<Param> {
    Box::new(Param {
        name,
        annotation,
        default,
        span: sp(l, r),
    })
}

/// The values of a list of boxes.
pub fn unbox<T>(v: Vec<Box<T>>) -> ThinVec<T> {
    list(v.into_iter().map(|b| *b))
}

/// Builds a parameter list from its items, with CPython's order checks.
pub fn params(items: Vec<ParamItem>) -> PResult<Parameters> {
    let mut p = Parameters::default();
    let mut seen_slash = false;
    let mut seen_star = false; // `*` or `*args`
    let mut bare_star: Option<Span> = None;
    let mut seen_default = false;
    let mut seen_kwarg = false;
    let mut kwonly_after_bare = false;
    for item in items {
        if seen_kwarg {
            let span = match &item {
                ParamItem::Plain(x) | ParamItem::DoubleStar(x, _) => x.span,
                ParamItem::Star(_, s) | ParamItem::Slash(s) => *s,
            };
            return Err(CompileError::syntax(
                "arguments cannot follow var-keyword argument",
                span,
            ));
        }
        match item {
            ParamItem::Plain(x) => {
                if seen_star {
                    kwonly_after_bare = true;
                    p.kwonly.push(*x);
                    continue;
                }
                if x.default.is_some() {
                    seen_default = true;
                } else if seen_default {
                    return Err(CompileError::syntax(
                        "non-default argument follows default argument",
                        x.span,
                    ));
                }
                p.args.push(*x);
            }
            ParamItem::Slash(s) => {
                if seen_slash {
                    return Err(CompileError::syntax("/ may appear only once", s));
                }
                if seen_star {
                    return Err(CompileError::syntax("/ must be ahead of *", s));
                }
                if p.args.is_empty() {
                    return Err(CompileError::syntax(
                        "at least one argument must precede /",
                        s,
                    ));
                }
                seen_slash = true;
                p.posonly = std::mem::take(&mut p.args);
            }
            ParamItem::Star(x, s) => {
                if seen_star {
                    return Err(CompileError::syntax("* argument may appear only once", s));
                }
                seen_star = true;
                match x {
                    Some(x) => p.vararg = Some(*x),
                    None => bare_star = Some(s),
                }
            }
            ParamItem::DoubleStar(x, s) => {
                if x.default.is_some() {
                    return Err(CompileError::syntax(
                        "var-keyword argument cannot have default value",
                        s,
                    ));
                }
                if let Some(b) = bare_star {
                    if !kwonly_after_bare {
                        return Err(CompileError::syntax(
                            "named arguments must follow bare *",
                            b,
                        ));
                    }
                }
                seen_kwarg = true;
                p.kwarg = Some(*x);
            }
        }
    }
    if let Some(b) = bare_star {
        if !kwonly_after_bare && !seen_kwarg {
            return Err(CompileError::syntax(
                "named arguments must follow bare *",
                b,
            ));
        }
    }
    p.posonly.shrink_to_fit();
    p.args.shrink_to_fit();
    p.kwonly.shrink_to_fit();
    Ok(p)
}

/// Builds a call, with CPython's argument-order checks.
pub fn call(
    src: &str,
    func: Expr,
    items: Vec<ArgItem>,
    paren_l: usize,
    l: usize,
    r: usize,
) -> PResult<Expr> {
    // `f(x for x in y,)`: a trailing comma makes the generator one of
    // several arguments for CPython.
    if let [ArgItem::Generator(g)] = items.as_slice() {
        let between = src
            .get(g.span.end as usize..r.saturating_sub(1))
            .unwrap_or("");
        if has_comma_outside_comments(between) {
            return Err(CompileError::syntax(
                "Generator expression must be parenthesized",
                g.span,
            ));
        }
    }
    let (args, keywords) = arguments(items, Some(Span::new(paren_l, r)))?;
    Ok(Expr::new(
        ExprKind::Call {
            func: Box::new(func),
            args,
            keywords,
        },
        sp(l, r),
    ))
}

fn has_comma_outside_comments(text: &str) -> bool {
    let mut in_comment = false;
    for c in text.chars() {
        match c {
            '#' => in_comment = true,
            '\n' | '\r' => in_comment = false,
            ',' if !in_comment => return true,
            _ => {}
        }
    }
    false
}

/// Splits argument items into positional arguments and keywords.
/// `parens` is the span of the call's parentheses: a sole generator
/// argument takes it as its span, as in CPython.
fn arguments(
    items: Vec<ArgItem>,
    parens: Option<Span>,
) -> PResult<(ThinVec<Expr>, ThinVec<Keyword>)> {
    let count = items.len();
    let n_keywords = items
        .iter()
        .filter(|a| matches!(a, ArgItem::Keyword(..) | ArgItem::DoubleStar(..)))
        .count();
    let mut args = ThinVec::with_capacity(count - n_keywords);
    let mut keywords = ThinVec::with_capacity(n_keywords);
    let mut seen_keyword = false;
    let mut seen_kw_unpack = false;
    for item in items {
        match item {
            ArgItem::Positional(e) => {
                if seen_kw_unpack {
                    return Err(CompileError::syntax(
                        "positional argument follows keyword argument unpacking",
                        e.span,
                    ));
                }
                if seen_keyword {
                    return Err(CompileError::syntax(
                        "positional argument follows keyword argument",
                        e.span,
                    ));
                }
                args.push(e);
            }
            ArgItem::Generator(mut e) => {
                if count > 1 {
                    return Err(CompileError::syntax(
                        "Generator expression must be parenthesized",
                        e.span,
                    ));
                }
                if let Some(p) = parens {
                    e.span = p;
                }
                args.push(e);
            }
            ArgItem::Star(e, s) => {
                if seen_kw_unpack {
                    return Err(CompileError::syntax(
                        "iterable argument unpacking follows keyword argument unpacking",
                        s,
                    ));
                }
                args.push(Expr::new(ExprKind::Starred(Box::new(e)), s));
            }
            ArgItem::DoubleStar(e, s) => {
                seen_kw_unpack = true;
                keywords.push(Keyword {
                    arg: None,
                    value: e,
                    span: s,
                });
            }
            ArgItem::Keyword(kv, s) => {
                let (k, v) = *kv;
                if s.start != k.span.start {
                    // `f((x)=1)`: the name is parenthesized.
                    return Err(CompileError::syntax(
                        "expression cannot contain assignment, perhaps you meant \"==\"?",
                        Span::new(s.start as usize, v.span.end as usize),
                    ));
                }
                let arg = match k.kind {
                    ExprKind::Name(name) => Ident { name, span: k.span },
                    ExprKind::Constant(Constant::True | Constant::False | Constant::None) => {
                        let what = validate::expr_name(&k);
                        return Err(CompileError::syntax(
                            format!("cannot assign to {what}"),
                            k.span,
                        ));
                    }
                    _ => {
                        return Err(CompileError::syntax(
                            "expression cannot contain assignment, perhaps you meant \"==\"?",
                            Span::new(k.span.start as usize, v.span.end as usize),
                        ))
                    }
                };
                seen_keyword = true;
                keywords.push(Keyword {
                    arg: Some(arg),
                    value: v,
                    span: s,
                });
            }
        }
    }
    Ok((args, keywords))
}

pub fn class(
    l: usize,
    name: Ident,
    args: Option<Vec<ArgItem>>,
    body: ThinVec<Stmt>,
) -> PResult<Stmt> {
    if let Some(ArgItem::Generator(g)) = args
        .iter()
        .flatten()
        .find(|a| matches!(a, ArgItem::Generator(_)))
    {
        return Err(CompileError::syntax("invalid syntax", g.span));
    }
    let (bases, keywords) = arguments(args.unwrap_or_default(), None)?;
    let end = end_of(&body, name.span.end);
    Ok(Stmt::new(
        StmtKind::ClassDef(Box::new(ClassDef {
            name,
            bases,
            keywords,
            body,
            decorators: Vec::new(),
        })),
        Span::new(l, end as usize),
    ))
}

pub fn function(
    l: usize,
    is_async: bool,
    name: Ident,
    params: Parameters,
    returns: Option<Expr>,
    body: ThinVec<Stmt>,
) -> Stmt {
    let end = end_of(&body, name.span.end);
    Stmt::new(
        StmtKind::FunctionDef(Box::new(FunctionDef {
            is_async,
            name,
            params,
            returns,
            body,
            decorators: Vec::new(),
        })),
        Span::new(l, end as usize),
    )
}

pub fn decorate(decorators: Vec<Expr>, mut s: Stmt) -> Stmt {
    match &mut s.kind {
        StmtKind::FunctionDef(f) => f.decorators = decorators,
        StmtKind::ClassDef(c) => c.decorators = decorators,
        _ => {}
    }
    s
}

pub fn expr_stmt(e: Expr, l: usize, r: usize) -> PResult<Stmt> {
    Ok(Stmt::new(StmtKind::Expr(e), sp(l, r)))
}

pub fn assign(
    first: (Expr, bool),
    mut rest: Vec<(Expr, bool)>,
    l: usize,
    r: usize,
) -> PResult<Stmt> {
    // `first` and all of `rest` but its last side are the targets.
    let (value, _) = rest
        .pop()
        .unwrap_or_else(|| (Expr::new(ExprKind::Tuple(Vec::new()), sp(l, r)), false));
    let n = rest.len() + 1;
    let sides = std::iter::once(&first).chain(&rest);
    for (i, (t, bare_yield)) in sides.enumerate() {
        if *bare_yield {
            return Err(CompileError::syntax(
                "assignment to yield expression not possible",
                t.span,
            ));
        }
        // CPython words an invalid single target followed by the value as
        // a probable comparison typo.
        let next_is_value = i + 1 == n;
        validate::check_assign_target(t, next_is_value && validate::is_bitwise_or_level(&value))?;
    }
    let mut targets = ThinVec::with_capacity(n);
    targets.extend(std::iter::once(first).chain(rest).map(|(t, _)| t));
    Ok(Stmt::new(StmtKind::Assign { targets, value }, sp(l, r)))
}

pub fn aug_assign(
    target: Expr,
    op: BinOp,
    value: (Expr, bool),
    l: usize,
    r: usize,
) -> PResult<Stmt> {
    if !matches!(
        target.kind,
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
    ) {
        return Err(CompileError::syntax(
            format!(
                "'{}' is an illegal expression for augmented assignment",
                validate::expr_name(&target)
            ),
            target.span,
        ));
    }
    Ok(Stmt::new(
        StmtKind::AugAssign {
            target: Box::new(target),
            op,
            value: Box::new(value.0),
        },
        sp(l, r),
    ))
}

pub fn ann_assign(
    target: Expr,
    annotation: Expr,
    value: Option<(Expr, bool)>,
    l: usize,
    r: usize,
) -> PResult<Stmt> {
    let simple = match &target.kind {
        // Parenthesised names are not "simple" (their span starts later).
        ExprKind::Name(_) => target.span.start as usize == l,
        ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => false,
        ExprKind::List(_) => {
            return Err(CompileError::syntax(
                "only single target (not list) can be annotated",
                target.span,
            ))
        }
        ExprKind::Tuple(_) => {
            return Err(CompileError::syntax(
                "only single target (not tuple) can be annotated",
                target.span,
            ))
        }
        _ => {
            return Err(CompileError::syntax(
                "illegal target for annotation",
                target.span,
            ))
        }
    };
    Ok(Stmt::new(
        StmtKind::AnnAssign {
            target: Box::new(target),
            annotation: Box::new(annotation),
            value: value.map(|v| Box::new(v.0)),
            simple,
        },
        sp(l, r),
    ))
}

pub fn delete(targets: Vec<Expr>, l: usize, r: usize) -> PResult<Stmt> {
    for t in &targets {
        validate::check_target(t, TargetKind::Del)?;
    }
    Ok(Stmt::new(StmtKind::Delete(list(targets)), sp(l, r)))
}

pub fn import_from(
    m: (usize, Option<String>, usize, usize),
    names: ThinVec<Alias>,
    l: usize,
    r: usize,
) -> PResult<Stmt> {
    let (level, module, _, _) = m;
    Ok(Stmt::new(
        StmtKind::ImportFrom {
            module,
            names,
            level: level as u32,
        },
        sp(l, r),
    ))
}

type Elif = (usize, Expr, ThinVec<Stmt>);

/// `if`/`elif`/`else`: each `elif` becomes an `If` in the previous
/// branch's `orelse`, as in CPython's AST (built from the last one back).
pub fn if_chain(
    l: usize,
    test: Expr,
    body: ThinVec<Stmt>,
    elifs: Vec<Box<Elif>>,
    orelse: Option<ThinVec<Stmt>>,
) -> Stmt {
    let mut tail = orelse.unwrap_or_default();
    for elif in elifs.into_iter().rev() {
        let (el, t, b) = *elif;
        let end = end_of(&tail, end_of(&b, t.span.end));
        tail = one(Stmt::new(
            StmtKind::If {
                test: Box::new(t),
                body: b,
                orelse: tail,
            },
            Span::new(el, end as usize),
        ));
    }
    let end = end_of(&tail, end_of(&body, test.span.end));
    Stmt::new(
        StmtKind::If {
            test: Box::new(test),
            body,
            orelse: tail,
        },
        Span::new(l, end as usize),
    )
}

pub fn while_stmt(
    l: usize,
    test: Expr,
    body: ThinVec<Stmt>,
    orelse: Option<ThinVec<Stmt>>,
) -> Stmt {
    let orelse = orelse.unwrap_or_default();
    let end = end_of(&orelse, end_of(&body, test.span.end));
    Stmt::new(
        StmtKind::While {
            test: Box::new(test),
            body,
            orelse,
        },
        Span::new(l, end as usize),
    )
}

pub fn for_header(target: Expr, iter: Expr) -> PResult<(Expr, Expr)> {
    validate::check_target(&target, TargetKind::For)?;
    Ok((target, iter))
}

pub fn for_stmt(
    l: usize,
    is_async: bool,
    header: (Expr, Expr),
    body: ThinVec<Stmt>,
    orelse: Option<ThinVec<Stmt>>,
) -> Stmt {
    let (target, iter) = header;
    let orelse = orelse.unwrap_or_default();
    let end = end_of(&orelse, end_of(&body, iter.span.end));
    Stmt::new(
        StmtKind::For {
            is_async,
            target: Box::new(target),
            iter: Box::new(iter),
            body,
            orelse,
        },
        Span::new(l, end as usize),
    )
}

pub fn handler(
    l: usize,
    typ: Option<Expr>,
    name: Option<Ident>,
    body: ThinVec<Stmt>,
) -> ExceptHandler {
    let end = end_of(&body, l as u32 + 6);
    ExceptHandler {
        typ,
        name,
        body,
        span: Span::new(l, end as usize),
    }
}

pub fn try_stmt(
    l: usize,
    body: ThinVec<Stmt>,
    handlers: ThinVec<ExceptHandler>,
    orelse: Option<ThinVec<Stmt>>,
    finalbody: Option<ThinVec<Stmt>>,
) -> Stmt {
    let orelse = orelse.unwrap_or_default();
    let finalbody = finalbody.unwrap_or_default();
    let mut end = end_of(&body, l as u32 + 3);
    end = handlers.last().map_or(end, |h| h.span.end);
    end = end_of(&orelse, end);
    end = end_of(&finalbody, end);
    Stmt::new(
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        },
        Span::new(l, end as usize),
    )
}

pub fn with_item(context: Expr, target: Expr) -> PResult<WithItem> {
    validate::check_target(&target, TargetKind::Star)?;
    Ok(WithItem {
        context,
        target: Some(target),
    })
}

pub fn with_stmt(l: usize, is_async: bool, items: ThinVec<WithItem>, body: ThinVec<Stmt>) -> Stmt {
    let end = end_of(&body, l as u32 + 4);
    Stmt::new(
        StmtKind::With {
            is_async,
            items,
            body,
        },
        Span::new(l, end as usize),
    )
}
