//! Compile-time checks: everything CPython rejects before running a
//! program, with CPython's messages.
//!
//! Two kinds of checks live here:
//! - target checks (`cannot assign to ...`, `cannot delete ...`), which
//!   CPython makes while parsing; the grammar's actions call them;
//! - whole-module checks ([`check_module`]), which CPython makes in its
//!   symbol table and compiler passes: scopes (`global`/`nonlocal`,
//!   duplicate parameters, walrus in comprehensions), context (`return`,
//!   `yield`, `await`, `break` outside their place), argument and starred
//!   rules.
//!
//! CPython stops at the first error of its first failing pass. The module
//! walk keeps the earliest error (by source position) of each pass and
//! reports the earliest pass that failed: symbol-table errors found while
//! visiting, then those found when resolving `nonlocal`, then compiler
//! errors. The walk is recursive; the lexer bounds the nesting depth of
//! the AST (see `lexer::indent::MAX_NESTING`), which bounds the recursion.

use super::declarations::records_names;
use crate::ast::*;
use crate::diagnostics::CompileError;
use crate::span::Span;
use rustc_hash::FxHashMap;

// ------------------------------------------------------------------ targets

/// Where a target appears, which decides CPython's wording.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// Assignment, `with ... as`.
    Star,
    /// `for` and comprehension targets.
    For,
    /// `del`.
    Del,
}

/// CPython's name for the kind of an expression in error messages.
pub fn expr_name(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "function call",
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::True) => "True",
        ExprKind::Constant(Constant::False) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Slice { .. } => "slice",
    }
}

/// The first part of `e` that cannot be a target (CPython's
/// `_PyPegen_get_invalid_target`).
fn invalid_target(e: &Expr, kind: TargetKind) -> Option<&Expr> {
    match &e.kind {
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().find_map(|x| invalid_target(x, kind)),
        ExprKind::Starred(inner) => {
            if kind == TargetKind::Del {
                Some(e)
            } else {
                invalid_target(inner, kind)
            }
        }
        ExprKind::Compare { left, ops, .. } if kind == TargetKind::For => {
            // `for a in b` can reach here as a comparison `a in b`.
            if ops.first() == Some(&CmpOp::In) {
                invalid_target(left, kind)
            } else {
                None
            }
        }
        ExprKind::Name(_) | ExprKind::Subscript { .. } | ExprKind::Attribute { .. } => None,
        _ => Some(e),
    }
}

/// Checks a `for`, `with ... as`, comprehension or `del` target.
pub fn check_target(e: &Expr, kind: TargetKind) -> Result<(), CompileError> {
    if let Some(bad) = invalid_target(e, kind) {
        let verb = if kind == TargetKind::Del {
            "delete"
        } else {
            "assign to"
        };
        return Err(CompileError::syntax(
            format!("cannot {verb} {}", expr_name(bad)),
            bad.span,
        ));
    }
    Ok(())
}

/// True when CPython's parser would read `e` as a `bitwise_or` expression
/// (what its "Maybe you meant '=='" rule matches).
fn is_bitwise_or(e: &Expr) -> bool {
    !matches!(
        e.kind,
        ExprKind::Compare { .. }
            | ExprKind::BoolOp { .. }
            | ExprKind::UnaryOp {
                op: UnaryOp::Not,
                ..
            }
            | ExprKind::IfExp { .. }
            | ExprKind::Lambda { .. }
            | ExprKind::Starred(_)
            | ExprKind::List(_)
            | ExprKind::Tuple(_)
            | ExprKind::GeneratorExp { .. }
            | ExprKind::Constant(Constant::True | Constant::False | Constant::None)
    )
}

/// True when the source of `e` starts with a `bitwise_or` expression.
pub fn is_bitwise_or_level(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Not, ..
        }
        | ExprKind::Lambda { .. }
        | ExprKind::Starred(_)
        | ExprKind::Yield(_)
        | ExprKind::YieldFrom(_) => false,
        ExprKind::Tuple(v) => v
            .first()
            .is_none_or(|x| x.span.start < e.span.start || is_bitwise_or_level(x)),
        _ => true,
    }
}

/// Checks one target of an assignment. `hint` is set when the statement
/// has a single target followed by a value that could be a comparison's
/// right side, where CPython suggests `==`.
pub fn check_assign_target(t: &Expr, hint: bool) -> Result<(), CompileError> {
    let Some(bad) = invalid_target(t, TargetKind::Star) else {
        return Ok(());
    };
    let what = expr_name(bad);
    let msg = if hint && bad.span.end == t.span.end && is_bitwise_or(bad) {
        format!("cannot assign to {what} here. Maybe you meant '==' instead of '='?")
    } else {
        format!("cannot assign to {what}")
    };
    Err(CompileError::syntax(msg, bad.span))
}

// ------------------------------------------------------------------ module checks

/// How the module will be run: a REPL entry allows top-level `await`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Context {
    File,
    Repl,
    Eval,
}

/// Runs every compile-time check on a parsed module.
pub fn check_module(body: &[Stmt], ctx: Context) -> Result<(), CompileError> {
    check_future(body)?;
    let mut c = Checker::new(ctx);
    c.scopes[0].record = records_names(body);
    c.stmts(body);
    c.finish()
}

/// Runs the compile-time checks on a single expression (eval input).
pub fn check_expression(e: &Expr) -> Result<(), CompileError> {
    let mut c = Checker::new(Context::Eval);
    c.expr(e);
    c.finish()
}

/// The features `from __future__ import` accepts (CPython's future.c).
const FUTURE_FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

fn is_future_import(s: &Stmt) -> bool {
    matches!(&s.kind, StmtKind::ImportFrom { module: Some(m), level: 0, .. } if m == "__future__")
}

/// `from __future__ import x`: only at the top of the module (after the
/// docstring), and only known features. CPython checks this first.
fn check_future(body: &[Stmt]) -> Result<(), CompileError> {
    let mut at_top = true;
    for (i, s) in body.iter().enumerate() {
        let docstring = i == 0
            && matches!(&s.kind, StmtKind::Expr(e) if matches!(e.kind, ExprKind::Constant(Constant::Str(_))));
        if docstring {
            continue;
        }
        let StmtKind::ImportFrom { names, .. } = &s.kind else {
            at_top = false;
            continue;
        };
        if !is_future_import(s) {
            at_top = false;
            continue;
        }
        for a in names {
            if a.name == "braces" {
                return Err(CompileError::syntax("not a chance", a.span));
            }
            if !FUTURE_FEATURES.contains(&a.name.as_str()) {
                return Err(CompileError::syntax(
                    format!("future feature {} is not defined", a.name),
                    a.span,
                ));
            }
        }
        if !at_top {
            return Err(CompileError::syntax(
                "from __future__ imports must occur at the beginning of the file",
                s.span,
            ));
        }
    }
    Ok(())
}

const USE: u8 = 1;
const DEF: u8 = 2;
const PARAM: u8 = 4;
const ANNOT: u8 = 8;
const GLOBAL: u8 = 16;
const NONLOCAL: u8 = 32;

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Class,
    Function {
        is_async: bool,
    },
    /// The name is what CPython calls it in messages ("list comprehension").
    Comprehension {
        name: &'static str,
        is_genexp: bool,
    },
}

struct Scope<'a> {
    kind: ScopeKind,
    parent: Option<usize>,
    names: FxHashMap<&'a str, u8>,
    nonlocals: Vec<(&'a str, Span)>,
    /// Compiler state, per function: loops around the current statement
    /// and static blocks (for `too many statically nested blocks`).
    loops: u32,
    blocks: u32,
    /// The function contains `yield` (it is a generator).
    has_yield: bool,
    /// `return value` statements, checked at the end for async generators.
    value_returns: Vec<Span>,
    /// The comprehension awaits (directly or through an inner one).
    is_async_comp: bool,
    /// Iteration variables of a comprehension.
    iter_vars: Vec<&'a str>,
    /// Uses and bindings of names are recorded (see `declarations::records_names`).
    record: bool,
}

struct Checker<'a> {
    ctx: Context,
    scopes: Vec<Scope<'a>>,
    cur: usize,
    /// Earliest error of each pass: symbol table visit, nonlocal
    /// resolution, compiler.
    errs: [Option<CompileError>; 3],
    /// Inside the first iterator of a comprehension (evaluated outside it).
    in_comp_iter: u32,
}

const SYMTABLE: usize = 0;
const RESOLVE: usize = 1;
const COMPILER: usize = 2;

impl<'a> Checker<'a> {
    fn new(ctx: Context) -> Self {
        let mut c = Checker {
            ctx,
            scopes: Vec::new(),
            cur: 0,
            errs: [None, None, None],
            in_comp_iter: 0,
        };
        c.push_scope(ScopeKind::Module);
        c
    }

    fn push_scope(&mut self, kind: ScopeKind) {
        let parent = if self.scopes.is_empty() {
            None
        } else {
            Some(self.cur)
        };
        self.scopes.push(Scope {
            kind,
            parent,
            names: FxHashMap::default(),
            nonlocals: Vec::new(),
            loops: 0,
            blocks: 0,
            has_yield: false,
            value_returns: Vec::new(),
            is_async_comp: false,
            iter_vars: Vec::new(),
            record: true,
        });
        self.cur = self.scopes.len() - 1;
    }

    fn pop_scope(&mut self) {
        let s = &self.scopes[self.cur];
        if let ScopeKind::Function { is_async: true } = s.kind {
            if s.has_yield {
                if let Some(&span) = s.value_returns.first() {
                    self.error(COMPILER, "'return' with value in async generator", span);
                }
            }
        }
        self.cur = self.scopes[self.cur].parent.unwrap_or(0);
    }

    fn error(&mut self, pass: usize, msg: impl Into<String>, span: Span) {
        let slot = &mut self.errs[pass];
        if slot.as_ref().is_none_or(|e| span.start < e.span.start) {
            *slot = Some(CompileError::syntax(msg, span));
        }
    }

    fn finish(mut self) -> Result<(), CompileError> {
        self.resolve_nonlocals();
        match self.errs.iter_mut().find_map(|e| e.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn scope(&mut self) -> &mut Scope<'a> {
        &mut self.scopes[self.cur]
    }

    fn top_level_await(&self) -> bool {
        self.ctx == Context::Repl && self.scopes[self.cur].kind == ScopeKind::Module
    }

    fn in_async_function(&self) -> bool {
        matches!(
            self.scopes[self.cur].kind,
            ScopeKind::Function { is_async: true }
        )
    }

    // ---------------------------------------------------------- names

    fn note(&mut self, name: &'a str, flag: u8) {
        let scope = self.scope();
        if scope.record || flag & PARAM != 0 {
            *scope.names.entry(name).or_insert(0) |= flag;
        }
    }

    fn store(&mut self, name: &'a str, span: Span) {
        if name == "__debug__" {
            self.error(COMPILER, "cannot assign to __debug__", span);
        }
        // A walrus in a comprehension binds in the enclosing function.
        self.note(name, DEF);
    }

    fn declare(&mut self, global: bool, ids: &'a [Ident], span: Span) {
        let kind = self.scopes[self.cur].kind;
        if !global && kind == ScopeKind::Module {
            self.error(
                SYMTABLE,
                "nonlocal declaration not allowed at module level",
                span,
            );
            return;
        }
        for id in ids {
            let cur = self.scopes[self.cur]
                .names
                .get(id.name.as_str())
                .copied()
                .unwrap_or(0);
            let word = if global { "global" } else { "nonlocal" };
            if cur & PARAM != 0 {
                self.error(
                    SYMTABLE,
                    format!("name '{}' is parameter and {word}", id.name),
                    span,
                );
            } else if cur & USE != 0 {
                self.error(
                    SYMTABLE,
                    format!("name '{}' is used prior to {word} declaration", id.name),
                    span,
                );
            } else if cur & ANNOT != 0 {
                self.error(
                    SYMTABLE,
                    format!("annotated name '{}' can't be {word}", id.name),
                    span,
                );
            } else if cur & DEF != 0 {
                self.error(
                    SYMTABLE,
                    format!(
                        "name '{}' is assigned to before {word} declaration",
                        id.name
                    ),
                    span,
                );
            } else if global && cur & NONLOCAL != 0 || !global && cur & GLOBAL != 0 {
                self.error(
                    SYMTABLE,
                    format!("name '{}' is nonlocal and global", id.name),
                    span,
                );
            }
            self.note(&id.name, if global { GLOBAL } else { NONLOCAL });
            if !global {
                self.scope().nonlocals.push((&id.name, span));
            }
        }
    }

    /// Every `nonlocal x` needs a binding of `x` in an enclosing function.
    fn resolve_nonlocals(&mut self) {
        for i in 0..self.scopes.len() {
            let nonlocals = std::mem::take(&mut self.scopes[i].nonlocals);
            for (name, span) in nonlocals {
                let mut p = self.scopes[i].parent;
                let mut found = false;
                while let Some(j) = p {
                    let s = &self.scopes[j];
                    match s.kind {
                        ScopeKind::Module => break,
                        ScopeKind::Class => {}
                        _ => {
                            let f = s.names.get(name).copied().unwrap_or(0);
                            if f & GLOBAL == 0 && f & (DEF | PARAM | NONLOCAL) != 0 {
                                found = true;
                                break;
                            }
                        }
                    }
                    p = s.parent;
                }
                if !found {
                    self.error(
                        RESOLVE,
                        format!("no binding for nonlocal '{name}' found"),
                        span,
                    );
                }
            }
        }
    }

    // ---------------------------------------------------------- statements

    fn stmts(&mut self, body: &'a [Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    /// A body that counts as one static block (loop, `with`, `try`).
    fn block(&mut self, body: &'a [Stmt], weight: u32, span: Span) {
        self.scope().blocks += weight;
        if self.scopes[self.cur].blocks > 20 {
            self.error(COMPILER, "too many statically nested blocks", span);
        }
        self.stmts(body);
        self.scope().blocks -= weight;
    }

    fn loop_body(&mut self, body: &'a [Stmt], span: Span) {
        self.scope().loops += 1;
        self.block(body, 1, span);
        self.scope().loops -= 1;
    }

    fn stmt(&mut self, s: &'a Stmt) {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Assign { targets, value } => {
                self.expr(value);
                for t in targets {
                    self.target(t);
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value);
                // An augmented target is both read and written.
                if let ExprKind::Name(n) = &target.kind {
                    self.note(n, USE);
                }
                self.target(target);
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let Some(v) = value {
                    self.expr(v);
                }
                if let (ExprKind::Name(n), true) = (&target.kind, *simple) {
                    let cur = self.scopes[self.cur]
                        .names
                        .get(n.as_str())
                        .copied()
                        .unwrap_or(0);
                    if cur & (GLOBAL | NONLOCAL) != 0 {
                        let word = if cur & GLOBAL != 0 {
                            "global"
                        } else {
                            "nonlocal"
                        };
                        self.error(
                            SYMTABLE,
                            format!("annotated name '{n}' can't be {word}"),
                            target.span,
                        );
                    }
                    self.note(n, ANNOT | DEF);
                    if n == "__debug__" {
                        self.error(COMPILER, "cannot assign to __debug__", target.span);
                    }
                } else {
                    self.target(target);
                }
                self.expr(annotation);
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test);
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test);
                self.loop_body(body, s.span);
                self.stmts(orelse);
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                if *is_async {
                    self.async_stmt("'async for' outside async function", s.span);
                }
                self.expr(iter);
                self.target(target);
                self.loop_body(body, s.span);
                self.stmts(orelse);
            }
            StmtKind::Break | StmtKind::Continue => {
                if self.scopes[self.cur].loops == 0 {
                    let msg = if s.kind == StmtKind::Break {
                        "'break' outside loop"
                    } else {
                        "'continue' not properly in loop"
                    };
                    self.error(COMPILER, msg, s.span);
                }
            }
            StmtKind::Pass => {}
            StmtKind::Return(v) => {
                if !matches!(self.scopes[self.cur].kind, ScopeKind::Function { .. }) {
                    self.error(COMPILER, "'return' outside function", s.span);
                }
                if let Some(v) = v {
                    self.scope().value_returns.push(s.span);
                    self.value(v);
                }
            }
            StmtKind::FunctionDef(f) => self.function(f, s.span),
            StmtKind::ClassDef(c) => self.class(c),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.block(body, 1, s.span);
                let n = handlers.len();
                for (i, h) in handlers.iter().enumerate() {
                    if h.typ.is_none() && i + 1 < n {
                        self.error(COMPILER, "default 'except:' must be last", h.span);
                    }
                    if let Some(t) = &h.typ {
                        self.expr(t);
                    }
                    if let Some(name) = &h.name {
                        self.store(&name.name, name.span);
                    }
                    self.block(&h.body, 2, h.span);
                }
                self.stmts(orelse);
                self.block(finalbody, 1, s.span);
            }
            StmtKind::Raise { exc, cause } => {
                for e in [exc, cause].into_iter().flatten() {
                    self.expr(e);
                }
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => {
                if *is_async {
                    self.async_stmt("'async with' outside async function", s.span);
                }
                for item in items {
                    self.expr(&item.context);
                    if let Some(t) = &item.target {
                        self.target(t);
                    }
                }
                self.block(body, 1, s.span);
            }
            StmtKind::Global(ids) => self.declare(true, ids, s.span),
            StmtKind::Nonlocal(ids) => self.declare(false, ids, s.span),
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete_target(t);
                }
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test);
                if let Some(m) = msg {
                    self.expr(m);
                }
            }
            StmtKind::ImportFrom { .. } if is_future_import(s) && self.cur != 0 => {
                self.error(
                    COMPILER,
                    "from __future__ imports must occur at the beginning of the file",
                    s.span,
                );
            }
            StmtKind::Import(aliases) | StmtKind::ImportFrom { names: aliases, .. } => {
                for a in aliases {
                    match &a.asname {
                        Some(id) => self.store(&id.name, id.span),
                        None if a.name != "*" => {
                            let first = a.name.split('.').next().unwrap_or("");
                            self.store(first, a.span);
                        }
                        None => {}
                    }
                }
            }
        }
    }

    fn async_stmt(&mut self, msg: &str, span: Span) {
        if !self.top_level_await() && !self.in_async_function() {
            self.error(COMPILER, msg, span);
        }
    }

    fn params(&mut self, p: &'a Parameters) {
        let all = p
            .posonly
            .iter()
            .chain(&p.args)
            .chain(&p.vararg)
            .chain(&p.kwonly)
            .chain(&p.kwarg);
        for x in all {
            let seen = self.scopes[self.cur]
                .names
                .get(x.name.name.as_str())
                .copied()
                .unwrap_or(0);
            if seen & PARAM != 0 {
                self.error(
                    SYMTABLE,
                    format!(
                        "duplicate argument '{}' in function definition",
                        x.name.name
                    ),
                    x.name.span,
                );
            }
            if x.name.name == "__debug__" {
                self.error(COMPILER, "cannot assign to __debug__", x.name.span);
            }
            self.note(&x.name.name, PARAM);
        }
    }

    /// Defaults and annotations are evaluated where the function is defined.
    fn param_exprs(&mut self, p: &'a Parameters) {
        let all = p
            .posonly
            .iter()
            .chain(&p.args)
            .chain(&p.vararg)
            .chain(&p.kwonly)
            .chain(&p.kwarg);
        for x in all {
            if let Some(d) = &x.default {
                self.expr(d);
            }
        }
        let all = p
            .posonly
            .iter()
            .chain(&p.args)
            .chain(&p.vararg)
            .chain(&p.kwonly)
            .chain(&p.kwarg);
        for x in all {
            if let Some(a) = &x.annotation {
                self.expr(a);
            }
        }
    }

    fn function(&mut self, f: &'a FunctionDef, span: Span) {
        for d in &f.decorators {
            self.expr(d);
        }
        self.param_exprs(&f.params);
        if let Some(r) = &f.returns {
            self.expr(r);
        }
        self.store(&f.name.name, f.name.span);
        self.push_scope(ScopeKind::Function {
            is_async: f.is_async,
        });
        self.scope().record = records_names(&f.body);
        self.params(&f.params);
        self.stmts(&f.body);
        self.pop_scope();
        let _ = span;
    }

    fn class(&mut self, c: &'a ClassDef) {
        for d in &c.decorators {
            self.expr(d);
        }
        self.elements(&c.bases);
        self.keywords(&c.keywords);
        self.store(&c.name.name, c.name.span);
        self.push_scope(ScopeKind::Class);
        self.scope().record = records_names(&c.body);
        self.stmts(&c.body);
        self.pop_scope();
    }

    fn keywords(&mut self, kws: &'a [Keyword]) {
        for (i, k) in kws.iter().enumerate() {
            if let Some(a) = &k.arg {
                if a.name == "__debug__" {
                    self.error(COMPILER, "cannot assign to __debug__", k.span);
                }
                let repeated = kws[..i]
                    .iter()
                    .any(|p| p.arg.as_ref().is_some_and(|p| p.name == a.name));
                if repeated {
                    self.error(
                        COMPILER,
                        format!("keyword argument repeated: {}", a.name),
                        k.span,
                    );
                }
            }
            self.expr(&k.value);
        }
    }

    // ---------------------------------------------------------- targets

    fn delete_target(&mut self, t: &'a Expr) {
        match &t.kind {
            ExprKind::Name(n) if n == "__debug__" => {
                self.error(COMPILER, "cannot delete __debug__", t.span);
            }
            ExprKind::Name(n) => self.note(n, DEF),
            ExprKind::Tuple(v) | ExprKind::List(v) => {
                for x in v {
                    self.delete_target(x);
                }
            }
            _ => self.target(t),
        }
    }

    fn target(&mut self, t: &'a Expr) {
        match &t.kind {
            ExprKind::Name(n) => self.store(n, t.span),
            ExprKind::Tuple(v) | ExprKind::List(v) => {
                let stars = v
                    .iter()
                    .filter(|x| matches!(x.kind, ExprKind::Starred(_)))
                    .count();
                if stars > 1 {
                    self.error(
                        COMPILER,
                        "multiple starred expressions in assignment",
                        t.span,
                    );
                }
                for x in v {
                    match &x.kind {
                        ExprKind::Starred(inner) => self.target(inner),
                        _ => self.target(x),
                    }
                }
            }
            ExprKind::Starred(inner) => {
                self.error(
                    COMPILER,
                    "starred assignment target must be in a list or tuple",
                    t.span,
                );
                self.target(inner);
            }
            ExprKind::Attribute { value, attr } => {
                if attr.name == "__debug__" {
                    self.error(COMPILER, "cannot assign to __debug__", t.span);
                }
                self.expr(value);
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value);
                self.expr(slice);
            }
            _ => self.expr(t),
        }
    }

    // ---------------------------------------------------------- expressions

    /// A value position where a bare starred expression is not allowed.
    fn value(&mut self, e: &'a Expr) {
        if matches!(e.kind, ExprKind::Starred(_)) {
            self.error(COMPILER, "can't use starred expression here", e.span);
        }
        self.expr(e);
    }

    /// Elements of a display or call, where `*x` is allowed.
    fn elements(&mut self, v: &'a [Expr]) {
        for x in v {
            match &x.kind {
                ExprKind::Starred(inner) => self.value(inner),
                _ => self.value(x),
            }
        }
    }

    fn expr(&mut self, e: &'a Expr) {
        match &e.kind {
            ExprKind::BoolOp { values, .. } => {
                for v in values {
                    self.value(v);
                }
            }
            ExprKind::NamedExpr { target, value } => {
                self.value(value);
                self.walrus(target);
            }
            ExprKind::BinOp { left, right, .. } => {
                self.value(left);
                self.value(right);
            }
            ExprKind::UnaryOp { operand, .. } => self.value(operand),
            ExprKind::Lambda { params, body } => {
                self.param_exprs(params);
                self.push_scope(ScopeKind::Function { is_async: false });
                // A lambda holds no statements, so nothing to declare.
                self.scope().record = false;
                self.params(params);
                self.value(body);
                self.pop_scope();
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.value(test);
                self.value(body);
                self.value(orelse);
            }
            ExprKind::Dict(items) => {
                for item in items {
                    match item {
                        DictItem::KeyValue(k, v) => {
                            self.value(k);
                            self.value(v);
                        }
                        DictItem::Unpack(m) => self.value(m),
                    }
                }
            }
            ExprKind::Set(v) | ExprKind::List(v) | ExprKind::Tuple(v) => self.elements(v),
            ExprKind::ListComp { elt, generators } => {
                self.comprehension("list comprehension", false, &[elt], generators, e.span)
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension("set comprehension", false, &[elt], generators, e.span)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(
                "dict comprehension",
                false,
                &[key, value],
                generators,
                e.span,
            ),
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension("generator expression", true, &[elt], generators, e.span)
            }
            ExprKind::Await(v) => {
                self.await_expr(e.span);
                self.value(v);
            }
            ExprKind::Yield(v) => {
                self.yield_expr(e.span, false);
                if let Some(v) = v {
                    self.value(v);
                }
            }
            ExprKind::YieldFrom(v) => {
                self.yield_expr(e.span, true);
                self.value(v);
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.value(left);
                for c in comparators {
                    self.value(c);
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.value(func);
                self.elements(args);
                self.keywords(keywords);
            }
            ExprKind::FString(parts) => self.fstring(parts),
            ExprKind::Constant(_) => {}
            ExprKind::Attribute { value, .. } => self.value(value),
            ExprKind::Subscript { value, slice } => {
                self.value(value);
                match &slice.kind {
                    ExprKind::Tuple(v) => self.elements(v),
                    _ => self.value(slice),
                }
            }
            ExprKind::Starred(v) => {
                self.error(COMPILER, "can't use starred expression here", e.span);
                self.expr(v);
            }
            ExprKind::Name(n) => self.note(n, USE),
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.value(x);
                }
            }
        }
    }

    fn fstring(&mut self, parts: &'a [FStringPart]) {
        for p in parts {
            if let FStringPart::Formatted {
                value, format_spec, ..
            } = p
            {
                self.value(value);
                if let Some(spec) = format_spec {
                    self.fstring(spec);
                }
            }
        }
    }

    fn await_expr(&mut self, span: Span) {
        if self.in_comp_iter == 0 {
            if let ScopeKind::Comprehension { .. } = self.scopes[self.cur].kind {
                self.scope().is_async_comp = true;
                return;
            }
        }
        if self.top_level_await() {
            return;
        }
        match self.scopes[self.cur].kind {
            ScopeKind::Function { is_async: true } | ScopeKind::Comprehension { .. } => {}
            ScopeKind::Function { is_async: false } => {
                self.error(COMPILER, "'await' outside async function", span)
            }
            _ => self.error(COMPILER, "'await' outside function", span),
        }
    }

    fn yield_expr(&mut self, span: Span, from: bool) {
        match self.scopes[self.cur].kind {
            ScopeKind::Comprehension { name, .. } => {
                self.error(SYMTABLE, format!("'yield' inside {name}"), span);
            }
            ScopeKind::Function { is_async } => {
                self.scope().has_yield = true;
                if from && is_async {
                    self.error(COMPILER, "'yield from' inside async function", span);
                }
            }
            _ => self.error(COMPILER, "'yield' outside function", span),
        }
    }

    fn walrus(&mut self, target: &'a Ident) {
        if self.in_comp_iter > 0 {
            self.error(
                SYMTABLE,
                "assignment expression cannot be used in a comprehension iterable expression",
                target.span,
            );
        }
        // Bind in the nearest enclosing non-comprehension scope.
        let mut i = self.cur;
        while let ScopeKind::Comprehension { .. } = self.scopes[i].kind {
            if self.scopes[i].iter_vars.contains(&target.name.as_str()) {
                self.error(
                    SYMTABLE,
                    format!(
                        "assignment expression cannot rebind comprehension iteration variable '{}'",
                        target.name
                    ),
                    target.span,
                );
            }
            i = self.scopes[i].parent.unwrap_or(0);
        }
        if i != self.cur && self.scopes[i].kind == ScopeKind::Class {
            self.error(
                SYMTABLE,
                "assignment expression within a comprehension cannot be used in a class body",
                target.span,
            );
        }
        if target.name == "__debug__" {
            self.error(COMPILER, "cannot assign to __debug__", target.span);
        }
        *self.scopes[i]
            .names
            .entry(target.name.as_str())
            .or_insert(0) |= DEF;
        if i != self.cur {
            self.note(&target.name, USE);
        }
    }

    fn comprehension(
        &mut self,
        name: &'static str,
        is_genexp: bool,
        elts: &[&'a Expr],
        generators: &'a [Comprehension],
        span: Span,
    ) {
        // The first iterator is evaluated in the enclosing scope.
        if let Some(first) = generators.first() {
            self.in_comp_iter += 1;
            self.value(&first.iter);
            self.in_comp_iter -= 1;
        }
        let outer = self.cur;
        let outer_in_iter = self.in_comp_iter;
        self.in_comp_iter = 0;
        self.push_scope(ScopeKind::Comprehension { name, is_genexp });
        // No statements inside, so nothing to declare.
        self.scope().record = false;
        for (i, g) in generators.iter().enumerate() {
            if g.is_async {
                self.scope().is_async_comp = true;
            }
            if i > 0 {
                self.in_comp_iter += 1;
                self.value(&g.iter);
                self.in_comp_iter -= 1;
            }
            self.comp_target(&g.target);
            self.target(&g.target);
            for cond in &g.ifs {
                self.value(cond);
            }
        }
        for e in elts {
            self.value(e);
        }
        let is_async = self.scopes[self.cur].is_async_comp;
        self.pop_scope();
        self.in_comp_iter = outer_in_iter;
        if is_async && !is_genexp {
            let allowed = match self.scopes[outer].kind {
                ScopeKind::Function { is_async } => is_async,
                ScopeKind::Comprehension { .. } => {
                    self.scopes[outer].is_async_comp = true;
                    true
                }
                _ => self.top_level_await(),
            };
            if !allowed {
                self.error(
                    COMPILER,
                    "asynchronous comprehension outside of an asynchronous function",
                    span,
                );
            }
        }
    }

    fn comp_target(&mut self, t: &'a Expr) {
        match &t.kind {
            ExprKind::Name(n) => self.scope().iter_vars.push(n),
            ExprKind::Tuple(v) | ExprKind::List(v) => {
                for x in v {
                    self.comp_target(x);
                }
            }
            ExprKind::Starred(x) => self.comp_target(x),
            _ => {}
        }
    }
}
