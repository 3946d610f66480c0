//! Symbol tables: where every name of every scope lives.
//!
//! A port of CPython 3.11's `symtable.c`. A first pass over the AST builds
//! one [`Scope`] per module, class, function, lambda and comprehension and
//! records how each name is used there (bound, used, declared global or
//! nonlocal, a parameter, ...): that walk is `visit.rs`. A second pass ([`SymbolTable::build`] runs
//! both) resolves every name to a [`NameScope`]:
//!
//! - names bound in a function are `Local`, or `Cell` when an inner function
//!   uses them;
//! - names a function uses but an enclosing function binds are `Free`, and
//!   so are names only passing through a scope on their way to an inner one;
//! - everything else is `GlobalImplicit` (globals, then builtins), or
//!   `GlobalExplicit` under a `global` declaration.
//!
//! Class bodies are invisible to the functions inside them, except for the
//! implicit `__class__` cell that methods using `super` or `__class__` refer
//! to ([`Scope::needs_class_closure`]). Comprehensions are function scopes of
//! their own whose first iterable is evaluated outside; an assignment
//! expression inside one binds in the nearest enclosing function (or module).
//! Private names (`__x` inside a class) are mangled here exactly as the
//! compiler mangles them ([`mangle`]).
//!
//! Scopes are found again by the compiler through the address of the AST
//! node that created them, so the AST must not move between the two passes.

use crate::ast::{Expr, Module, StmtKind};
use crate::diagnostics::CompileError;
use crate::span::Span;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use visit::TableBuilder;

mod visit;

/// Index of a scope in [`SymbolTable::scopes`]; the module is 0.
pub type ScopeId = usize;

type Result<T> = std::result::Result<T, CompileError>;

/// What created a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
    Lambda,
    Comprehension,
}

impl ScopeKind {
    /// Functions, lambdas and comprehensions: names live in frame slots.
    pub fn is_function_like(self) -> bool {
        matches!(
            self,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        )
    }
}

/// Where a name lives, once resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameScope {
    Local,
    Cell,
    Free,
    GlobalExplicit,
    GlobalImplicit,
}

/// Declared `global`.
pub const DEF_GLOBAL: u16 = 1;
/// Bound: assigned, deleted, a loop or `with`/`except` target, a def or class.
pub const DEF_LOCAL: u16 = 2;
/// A parameter.
pub const DEF_PARAM: u16 = 4;
/// Declared `nonlocal`.
pub const DEF_NONLOCAL: u16 = 8;
/// Read.
pub const USE: u16 = 16;
/// In a class: also free in a method, so the class passes the outer cell on.
pub const DEF_FREE_CLASS: u16 = 32;
/// Bound by an import.
pub const DEF_IMPORT: u16 = 64;
/// A simple annotated name (`x: int`).
pub const DEF_ANNOT: u16 = 128;
/// A comprehension iteration variable.
pub const DEF_COMP_ITER: u16 = 256;
/// Any binding.
pub const DEF_BOUND: u16 = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;

/// One name of one scope.
#[derive(Clone, Debug)]
pub struct Symbol {
    pub name: String,
    pub flags: u16,
    pub scope: Option<NameScope>,
}

/// One module, class, function, lambda or comprehension body.
#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The scope's own name (`f`, `A`, `lambda`, `listcomp`, `top`).
    pub name: String,
    /// Symbols in order of first appearance.
    pub symbols: Vec<Symbol>,
    index: HashMap<String, usize>,
    /// Parameter names in slot order: positional, keyword-only, `*args`,
    /// `**kwargs` (mangled).
    pub params: Vec<String>,
    pub children: Vec<ScopeId>,
    /// Contains `yield` or `yield from` (or is a generator expression).
    pub is_generator: bool,
    /// Contains `await`, `async for`, `async with` or an async
    /// comprehension (or is an `async def`).
    pub is_coroutine: bool,
    /// A class whose methods use `__class__`: its body owns that cell.
    pub needs_class_closure: bool,
    pub span: Span,
    comp_iter_target: bool,
    comp_iter_expr: u32,
}

impl Scope {
    fn new(kind: ScopeKind, name: &str, span: Span) -> Scope {
        Scope {
            kind,
            name: name.to_string(),
            symbols: Vec::new(),
            index: HashMap::new(),
            params: Vec::new(),
            children: Vec::new(),
            is_generator: false,
            is_coroutine: false,
            needs_class_closure: false,
            span,
            comp_iter_target: false,
            comp_iter_expr: 0,
        }
    }

    /// The symbol for `name` (already mangled), if the scope mentions it.
    pub fn lookup(&self, name: &str) -> Option<&Symbol> {
        self.index.get(name).map(|&i| &self.symbols[i])
    }

    /// The flags of `name`, 0 if unknown.
    pub fn flags(&self, name: &str) -> u16 {
        self.lookup(name).map_or(0, |s| s.flags)
    }

    /// Where `name` lives, if the scope mentions it.
    pub fn scope_of(&self, name: &str) -> Option<NameScope> {
        self.lookup(name).and_then(|s| s.scope)
    }

    /// Free variables in closure order (sorted by name, as CPython): names
    /// resolved `Free`, and in a class, names it must pass on to methods.
    pub fn free_vars(&self) -> Vec<String> {
        let mut free: Vec<String> = self
            .symbols
            .iter()
            .filter(|s| {
                s.scope == Some(NameScope::Free)
                    || (self.kind == ScopeKind::Class && s.flags & DEF_FREE_CLASS != 0)
            })
            .map(|s| s.name.clone())
            .collect();
        free.sort();
        free
    }

    /// Locals that are not parameters, `Local` or `Cell`, in order of first
    /// appearance (function-like scopes only).
    pub fn other_locals(&self) -> Vec<String> {
        self.symbols
            .iter()
            .filter(|s| matches!(s.scope, Some(NameScope::Local | NameScope::Cell)))
            .filter(|s| s.flags & DEF_PARAM == 0)
            .map(|s| s.name.clone())
            .collect()
    }

    fn add(&mut self, name: &str, flag: u16) -> u16 {
        match self.index.get(name) {
            Some(&i) => {
                self.symbols[i].flags |= flag;
                self.symbols[i].flags
            }
            None => {
                self.index.insert(name.to_string(), self.symbols.len());
                self.symbols.push(Symbol {
                    name: name.to_string(),
                    flags: flag,
                    scope: None,
                });
                flag
            }
        }
    }
}

/// `__x` inside class `A` (or anything nested in it) becomes `_A__x`, as in
/// CPython; dunder names, dotted names and classes named only with
/// underscores are left alone.
pub fn mangle<'n>(private: Option<&str>, name: &'n str) -> Cow<'n, str> {
    let Some(class) = private else {
        return Cow::Borrowed(name);
    };
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return Cow::Borrowed(name);
    }
    let stripped = class.trim_start_matches('_');
    if stripped.is_empty() {
        return Cow::Borrowed(name);
    }
    Cow::Owned(format!("_{stripped}{name}"))
}

/// Kinds of AST node that open a scope, for the node-address key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum NodeKind {
    Function,
    Class,
    Expr,
}

/// The scopes of one module.
#[derive(Debug)]
pub struct SymbolTable {
    pub scopes: Vec<Scope>,
    by_node: HashMap<(NodeKind, usize), ScopeId>,
}

impl SymbolTable {
    /// Builds and resolves the scopes of `module`. `top_level_await`
    /// allows `await`, `async for` and `async with` at module level (the
    /// REPL), making the module a coroutine.
    pub fn build(module: &Module, top_level_await: bool) -> Result<SymbolTable> {
        let mut b = TableBuilder {
            table: SymbolTable {
                scopes: vec![Scope::new(ScopeKind::Module, "top", module.span)],
                by_node: HashMap::new(),
            },
            stack: vec![0],
            private: None,
        };
        for s in &module.body {
            b.visit_stmt(s)?;
        }
        let mut table = b.table;
        if table.scopes[0].is_coroutine && !top_level_await {
            return Err(CompileError::syntax(
                "'await' outside function",
                first_await_span(module).unwrap_or(module.span),
            ));
        }
        let mut free = HashSet::new();
        table.analyze_block(0, None, &mut free, HashSet::new())?;
        Ok(table)
    }

    /// The module scope.
    pub fn root(&self) -> &Scope {
        &self.scopes[0]
    }

    /// The scope opened by a `def` statement.
    pub fn function_scope(&self, f: &crate::ast::FunctionDef) -> Option<ScopeId> {
        self.by_node
            .get(&(NodeKind::Function, f as *const _ as usize))
            .copied()
    }

    /// The scope opened by a `class` statement.
    pub fn class_scope(&self, c: &crate::ast::ClassDef) -> Option<ScopeId> {
        self.by_node
            .get(&(NodeKind::Class, c as *const _ as usize))
            .copied()
    }

    /// The scope opened by a lambda or comprehension expression.
    pub fn expr_scope(&self, e: &Expr) -> Option<ScopeId> {
        self.by_node
            .get(&(NodeKind::Expr, e as *const _ as usize))
            .copied()
    }

    fn analyze_block(
        &mut self,
        id: ScopeId,
        mut bound: Option<HashSet<String>>,
        free: &mut HashSet<String>,
        mut global: HashSet<String>,
    ) -> Result<()> {
        let kind = self.scopes[id].kind;
        let mut local = HashSet::new();
        let mut scopes: HashMap<String, NameScope> = HashMap::new();
        let mut newglobal = HashSet::new();
        let mut newbound = HashSet::new();
        let mut newfree = HashSet::new();

        // A class namespace is invisible to nested scopes: they see what
        // the class itself sees.
        if kind == ScopeKind::Class {
            newglobal.extend(global.iter().cloned());
            if let Some(b) = &bound {
                newbound.extend(b.iter().cloned());
            }
        }
        let names: Vec<(String, u16)> = self.scopes[id]
            .symbols
            .iter()
            .map(|s| (s.name.clone(), s.flags))
            .collect();
        for (name, flags) in names {
            let scope = analyze_name(&name, flags, &mut bound, &mut local, free, &mut global)
                .map_err(|msg| CompileError::syntax(msg, self.scopes[id].span))?;
            scopes.insert(name, scope);
        }
        if kind != ScopeKind::Class {
            if kind.is_function_like() {
                newbound.extend(local.iter().cloned());
            }
            if let Some(b) = &bound {
                newbound.extend(b.iter().cloned());
            }
            newglobal.extend(global.iter().cloned());
        } else {
            newbound.insert("__class__".to_string());
        }

        let mut allfree = HashSet::new();
        let children = self.scopes[id].children.clone();
        for child in children {
            let mut child_free = HashSet::new();
            self.analyze_block(
                child,
                Some(newbound.clone()),
                &mut child_free,
                newglobal.clone(),
            )?;
            allfree.extend(child_free);
        }
        newfree.extend(allfree);

        if kind.is_function_like() {
            // Locals that inner scopes use become cells.
            for (name, scope) in scopes.iter_mut() {
                if *scope == NameScope::Local && newfree.remove(name) {
                    *scope = NameScope::Cell;
                }
            }
        } else if kind == ScopeKind::Class && newfree.remove("__class__") {
            self.scopes[id].needs_class_closure = true;
        }

        let scope = &mut self.scopes[id];
        for sym in scope.symbols.iter_mut() {
            sym.scope = scopes.get(&sym.name).copied();
        }
        let mut pass_through: Vec<&String> = newfree.iter().collect();
        pass_through.sort();
        for name in pass_through {
            if let Some(&i) = scope.index.get(name.as_str()) {
                let sym = &mut scope.symbols[i];
                if kind == ScopeKind::Class && sym.flags & (DEF_BOUND | DEF_GLOBAL) != 0 {
                    sym.flags |= DEF_FREE_CLASS;
                }
                continue;
            }
            if !bound.as_ref().is_some_and(|b| b.contains(name.as_str())) {
                continue; // a global
            }
            scope.add(name, 0);
            if let Some(sym) = scope.symbols.last_mut() {
                sym.scope = Some(NameScope::Free);
            }
        }
        free.extend(newfree);
        Ok(())
    }
}

/// Resolves one name of a scope (CPython's `analyze_name`).
fn analyze_name(
    name: &str,
    flags: u16,
    bound: &mut Option<HashSet<String>>,
    local: &mut HashSet<String>,
    free: &mut HashSet<String>,
    global: &mut HashSet<String>,
) -> std::result::Result<NameScope, String> {
    if flags & DEF_GLOBAL != 0 {
        if flags & DEF_NONLOCAL != 0 {
            return Err(format!("name '{name}' is nonlocal and global"));
        }
        global.insert(name.to_string());
        if let Some(b) = bound {
            b.remove(name);
        }
        return Ok(NameScope::GlobalExplicit);
    }
    if flags & DEF_NONLOCAL != 0 {
        if !bound.as_ref().is_some_and(|b| b.contains(name)) {
            return Err(format!("no binding for nonlocal '{name}' found"));
        }
        free.insert(name.to_string());
        return Ok(NameScope::Free);
    }
    if flags & DEF_BOUND != 0 {
        local.insert(name.to_string());
        global.remove(name);
        return Ok(NameScope::Local);
    }
    if bound.as_ref().is_some_and(|b| b.contains(name)) {
        free.insert(name.to_string());
        return Ok(NameScope::Free);
    }
    Ok(NameScope::GlobalImplicit)
}

/// Span of the first top-level `await`-like construct, for the error.
fn first_await_span(module: &Module) -> Option<Span> {
    module.body.iter().find_map(|s| match &s.kind {
        StmtKind::For { is_async: true, .. } | StmtKind::With { is_async: true, .. } => {
            Some(s.span)
        }
        _ => None,
    })
}
