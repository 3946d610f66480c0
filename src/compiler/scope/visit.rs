//! The first pass of the symbol table: a walk over the AST that opens a
//! [`Scope`] for every module, class, function, lambda and comprehension and
//! records in it how each name is used (CPython's `symtable_visit_*`).
//! Checks that CPython's symbol table makes (misplaced `global`/`nonlocal`,
//! walrus targets in comprehensions, duplicate parameters) are made here too,
//! so an AST that slipped past the parser's checks still gets a clean
//! `SyntaxError`.

use super::{
    mangle, NodeKind, Result, Scope, ScopeId, ScopeKind, SymbolTable, DEF_ANNOT, DEF_COMP_ITER,
    DEF_GLOBAL, DEF_IMPORT, DEF_LOCAL, DEF_NONLOCAL, DEF_PARAM, USE,
};
use crate::ast::{
    Comprehension, DictItem, Expr, ExprKind, FStringPart, Ident, Keyword, Parameters, Stmt,
    StmtKind,
};
use crate::diagnostics::CompileError;
use crate::span::Span;

/// The first pass: records every name use in its scope.
pub(super) struct TableBuilder {
    pub(super) table: SymbolTable,
    pub(super) stack: Vec<ScopeId>,
    pub(super) private: Option<String>,
}

impl TableBuilder {
    fn cur(&mut self) -> &mut Scope {
        let id = *self.stack.last().unwrap_or(&0);
        &mut self.table.scopes[id]
    }

    fn cur_id(&self) -> ScopeId {
        *self.stack.last().unwrap_or(&0)
    }

    fn mangled(&self, name: &str) -> String {
        mangle(self.private.as_deref(), name).into_owned()
    }

    /// Records a use of `name` in the current scope.
    fn add_def(&mut self, name: &str, flag: u16, span: Span) -> Result<()> {
        let id = self.cur_id();
        self.add_def_in(id, name, flag, span)
    }

    fn add_def_in(&mut self, id: ScopeId, name: &str, mut flag: u16, span: Span) -> Result<()> {
        let name = self.mangled(name);
        let scope = &mut self.table.scopes[id];
        let old = scope.flags(&name);
        if flag & DEF_PARAM != 0 && old & DEF_PARAM != 0 {
            return Err(CompileError::syntax(
                format!("duplicate argument '{name}' in function definition"),
                span,
            ));
        }
        if scope.comp_iter_target && flag & DEF_LOCAL != 0 {
            if (old | flag) & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
                return Err(CompileError::syntax(
                    format!("comprehension inner loop cannot rebind assignment expression target '{name}'"),
                    span,
                ));
            }
            flag |= DEF_COMP_ITER;
        }
        scope.add(&name, flag);
        Ok(())
    }

    fn enter(&mut self, kind: ScopeKind, name: &str, key: (NodeKind, usize), span: Span) {
        let id = self.table.scopes.len();
        self.table.scopes.push(Scope::new(kind, name, span));
        let parent = self.cur_id();
        self.table.scopes[parent].children.push(id);
        self.table.by_node.insert(key, id);
        self.stack.push(id);
    }

    fn exit(&mut self) {
        self.stack.pop();
    }

    fn visit_body(&mut self, body: &[Stmt]) -> Result<()> {
        for s in body {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    pub(super) fn visit_stmt(&mut self, s: &Stmt) -> Result<()> {
        match &s.kind {
            StmtKind::Expr(e) => self.visit_expr(e),
            StmtKind::Assign { targets, value } => {
                for t in targets {
                    self.visit_target(t)?;
                }
                self.visit_expr(value)
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.visit_target(target)?;
                self.visit_expr(value)
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let ExprKind::Name(name) = &target.kind {
                    let mangled = self.mangled(name);
                    let cur = self.cur().flags(&mangled);
                    if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && self.cur_id() != 0 && *simple {
                        let what = if cur & DEF_GLOBAL != 0 {
                            "global"
                        } else {
                            "nonlocal"
                        };
                        return Err(CompileError::syntax(
                            format!("annotated name '{name}' can't be {what}"),
                            target.span,
                        ));
                    }
                    if *simple {
                        self.add_def(name, DEF_ANNOT | DEF_LOCAL, target.span)?;
                    } else if value.is_some() {
                        self.add_def(name, DEF_LOCAL, target.span)?;
                    }
                } else {
                    self.visit_target(target)?;
                }
                // Annotations are evaluated where they appear (module and
                // class bodies), so their names are uses of this scope.
                self.visit_expr(annotation)?;
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
                Ok(())
            }
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_body(body)?;
                self.visit_body(orelse)
            }
            StmtKind::For {
                is_async,
                target,
                iter,
                body,
                orelse,
            } => {
                if *is_async {
                    self.cur().is_coroutine = true;
                }
                self.visit_target(target)?;
                self.visit_expr(iter)?;
                self.visit_body(body)?;
                self.visit_body(orelse)
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => Ok(()),
            StmtKind::Return(v) => self.visit_opt(v.as_ref()),
            StmtKind::FunctionDef(f) => {
                self.add_def(&f.name.name, DEF_LOCAL, f.name.span)?;
                self.visit_defaults(&f.params)?;
                self.visit_annotations(&f.params, f.returns.as_ref())?;
                for d in &f.decorators {
                    self.visit_expr(d)?;
                }
                self.enter(
                    ScopeKind::Function,
                    &f.name.name,
                    (NodeKind::Function, &**f as *const _ as usize),
                    s.span,
                );
                if f.is_async {
                    self.cur().is_coroutine = true;
                }
                self.visit_params(&f.params)?;
                self.visit_body(&f.body)?;
                self.exit();
                Ok(())
            }
            StmtKind::ClassDef(c) => {
                self.add_def(&c.name.name, DEF_LOCAL, c.name.span)?;
                for b in &c.bases {
                    self.visit_expr(b)?;
                }
                self.visit_keywords(&c.keywords)?;
                for d in &c.decorators {
                    self.visit_expr(d)?;
                }
                self.enter(
                    ScopeKind::Class,
                    &c.name.name,
                    (NodeKind::Class, &**c as *const _ as usize),
                    s.span,
                );
                let saved = self.private.replace(c.name.name.to_string());
                let r = self.visit_body(&c.body);
                self.private = saved;
                self.exit();
                r
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.visit_body(body)?;
                self.visit_body(orelse)?;
                for h in handlers {
                    self.visit_opt(h.typ.as_ref())?;
                    if let Some(name) = &h.name {
                        self.add_def(&name.name, DEF_LOCAL, name.span)?;
                    }
                    self.visit_body(&h.body)?;
                }
                self.visit_body(finalbody)
            }
            StmtKind::Raise { exc, cause } => {
                self.visit_opt(exc.as_deref())?;
                self.visit_opt(cause.as_deref())
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => {
                if *is_async {
                    self.cur().is_coroutine = true;
                }
                for item in items {
                    self.visit_expr(&item.context)?;
                    if let Some(t) = &item.target {
                        self.visit_target(t)?;
                    }
                }
                self.visit_body(body)
            }
            StmtKind::Global(names) => self.visit_declaration(names, DEF_GLOBAL, "global"),
            StmtKind::Nonlocal(names) => {
                if self.cur_id() == 0 {
                    return Err(CompileError::syntax(
                        "nonlocal declaration not allowed at module level",
                        s.span,
                    ));
                }
                self.visit_declaration(names, DEF_NONLOCAL, "nonlocal")
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.visit_target(t)?;
                }
                Ok(())
            }
            StmtKind::Assert { test, msg } => {
                self.visit_expr(test)?;
                self.visit_opt(msg.as_deref())
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    match &a.asname {
                        Some(asname) => self.add_def(&asname.name, DEF_IMPORT, asname.span)?,
                        None => {
                            let first = a.name.split('.').next().unwrap_or(&a.name);
                            self.add_def(first, DEF_IMPORT, a.span)?;
                        }
                    }
                }
                Ok(())
            }
            StmtKind::ImportFrom { names, .. } => {
                for a in names {
                    if a.name == "*" {
                        if self.cur().kind != ScopeKind::Module {
                            return Err(CompileError::syntax(
                                "import * only allowed at module level",
                                s.span,
                            ));
                        }
                        continue;
                    }
                    match &a.asname {
                        Some(asname) => self.add_def(&asname.name, DEF_IMPORT, asname.span)?,
                        None => self.add_def(&a.name, DEF_IMPORT, a.span)?,
                    }
                }
                Ok(())
            }
        }
    }

    fn visit_declaration(&mut self, names: &[Ident], flag: u16, word: &str) -> Result<()> {
        for ident in names {
            let mangled = self.mangled(&ident.name);
            let cur = self.cur().flags(&mangled);
            if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                let name = &ident.name;
                let msg = if cur & DEF_PARAM != 0 {
                    format!("name '{name}' is parameter and {word}")
                } else if cur & USE != 0 {
                    format!("name '{name}' is used prior to {word} declaration")
                } else if cur & DEF_ANNOT != 0 {
                    format!("annotated name '{name}' can't be {word}")
                } else {
                    format!("name '{name}' is assigned to before {word} declaration")
                };
                return Err(CompileError::syntax(msg, ident.span));
            }
            self.add_def(&ident.name, flag, ident.span)?;
        }
        Ok(())
    }

    fn visit_opt(&mut self, e: Option<&Expr>) -> Result<()> {
        match e {
            Some(e) => self.visit_expr(e),
            None => Ok(()),
        }
    }

    fn visit_keywords(&mut self, keywords: &[Keyword]) -> Result<()> {
        for k in keywords {
            self.visit_expr(&k.value)?;
        }
        Ok(())
    }

    /// Defaults are evaluated in the enclosing scope.
    fn visit_defaults(&mut self, p: &Parameters) -> Result<()> {
        for param in p.posonly.iter().chain(&p.args).chain(&p.kwonly) {
            self.visit_opt(param.default.as_ref())?;
        }
        Ok(())
    }

    /// Parameter and return annotations are evaluated in the enclosing
    /// scope when the `def` runs.
    fn visit_annotations(&mut self, p: &Parameters, returns: Option<&Expr>) -> Result<()> {
        let params = p
            .posonly
            .iter()
            .chain(&p.args)
            .chain(&p.vararg)
            .chain(&p.kwonly)
            .chain(&p.kwarg);
        for param in params {
            self.visit_opt(param.annotation.as_ref())?;
        }
        self.visit_opt(returns)
    }

    fn visit_params(&mut self, p: &Parameters) -> Result<()> {
        let ordered = p
            .posonly
            .iter()
            .chain(&p.args)
            .chain(&p.kwonly)
            .chain(&p.vararg)
            .chain(&p.kwarg);
        for param in ordered {
            self.add_def(&param.name.name, DEF_PARAM, param.name.span)?;
            let name = self.mangled(&param.name.name);
            self.cur().params.push(name);
        }
        Ok(())
    }

    /// An assignment or deletion target.
    fn visit_target(&mut self, e: &Expr) -> Result<()> {
        match &e.kind {
            ExprKind::Name(name) => self.add_def(name, DEF_LOCAL, e.span),
            ExprKind::Attribute { value, .. } => self.visit_expr(value),
            ExprKind::Subscript { value, slice } => {
                self.visit_expr(value)?;
                self.visit_expr(slice)
            }
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                for elt in elts {
                    self.visit_target(elt)?;
                }
                Ok(())
            }
            ExprKind::Starred(value) => self.visit_target(value),
            _ => self.visit_expr(e),
        }
    }

    fn visit_expr(&mut self, e: &Expr) -> Result<()> {
        match &e.kind {
            ExprKind::BoolOp { values, .. } => {
                for v in values {
                    self.visit_expr(v)?;
                }
                Ok(())
            }
            ExprKind::NamedExpr { target, value } => {
                if self.cur().comp_iter_expr > 0 {
                    return Err(CompileError::syntax(
                        "assignment expression cannot be used in a comprehension iterable expression",
                        e.span,
                    ));
                }
                if self.cur().kind == ScopeKind::Comprehension {
                    self.extend_namedexpr_scope(target)?;
                }
                self.visit_expr(value)?;
                self.add_def(&target.name, DEF_LOCAL, target.span)
            }
            ExprKind::BinOp { left, right, .. } => {
                self.visit_expr(left)?;
                self.visit_expr(right)
            }
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand),
            ExprKind::Lambda { params, body } => {
                self.visit_defaults(params)?;
                self.enter(
                    ScopeKind::Lambda,
                    "lambda",
                    (NodeKind::Expr, e as *const _ as usize),
                    e.span,
                );
                self.visit_params(params)?;
                self.visit_expr(body)?;
                self.exit();
                Ok(())
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_expr(body)?;
                self.visit_expr(orelse)
            }
            ExprKind::Dict(items) => {
                for item in items {
                    match item {
                        DictItem::KeyValue(k, v) => {
                            self.visit_expr(k)?;
                            self.visit_expr(v)?;
                        }
                        DictItem::Unpack(m) => self.visit_expr(m)?,
                    }
                }
                Ok(())
            }
            ExprKind::Set(elts) | ExprKind::List(elts) | ExprKind::Tuple(elts) => {
                for elt in elts {
                    self.visit_expr(elt)?;
                }
                Ok(())
            }
            ExprKind::ListComp { elt, generators } => {
                self.visit_comprehension(e, "listcomp", generators, elt, None, false)
            }
            ExprKind::SetComp { elt, generators } => {
                self.visit_comprehension(e, "setcomp", generators, elt, None, false)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.visit_comprehension(e, "dictcomp", generators, key, Some(value), false),
            ExprKind::GeneratorExp { elt, generators } => {
                self.visit_comprehension(e, "genexpr", generators, elt, None, true)
            }
            ExprKind::Await(v) => {
                self.visit_expr(v)?;
                self.cur().is_coroutine = true;
                Ok(())
            }
            ExprKind::Yield(v) => {
                self.check_yield(e.span)?;
                if let Some(v) = v {
                    self.visit_expr(v)?;
                }
                self.cur().is_generator = true;
                Ok(())
            }
            ExprKind::YieldFrom(v) => {
                self.check_yield(e.span)?;
                self.visit_expr(v)?;
                self.cur().is_generator = true;
                Ok(())
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.visit_expr(left)?;
                for c in comparators {
                    self.visit_expr(c)?;
                }
                Ok(())
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.visit_expr(func)?;
                for a in args {
                    self.visit_expr(a)?;
                }
                self.visit_keywords(keywords)
            }
            ExprKind::FString(parts) => self.visit_fstring(parts),
            ExprKind::Constant(_) => Ok(()),
            ExprKind::Attribute { value, .. } => self.visit_expr(value),
            ExprKind::Subscript { value, slice } => {
                self.visit_expr(value)?;
                self.visit_expr(slice)
            }
            ExprKind::Starred(value) => self.visit_expr(value),
            ExprKind::Name(name) => {
                self.add_def(name, USE, e.span)?;
                if name == "super" && self.cur().kind.is_function_like() {
                    self.add_def("__class__", USE, e.span)?;
                }
                Ok(())
            }
            ExprKind::Slice { lower, upper, step } => {
                self.visit_opt(lower.as_deref())?;
                self.visit_opt(upper.as_deref())?;
                self.visit_opt(step.as_deref())
            }
        }
    }

    fn check_yield(&mut self, span: Span) -> Result<()> {
        match self.cur().kind {
            ScopeKind::Comprehension => {
                Err(CompileError::syntax("'yield' inside comprehension", span))
            }
            ScopeKind::Module | ScopeKind::Class => {
                Err(CompileError::syntax("'yield' outside function", span))
            }
            _ => Ok(()),
        }
    }

    fn visit_fstring(&mut self, parts: &[FStringPart]) -> Result<()> {
        for part in parts {
            if let FStringPart::Formatted {
                value, format_spec, ..
            } = part
            {
                self.visit_expr(value)?;
                if let Some(spec) = format_spec {
                    self.visit_fstring(spec)?;
                }
            }
        }
        Ok(())
    }

    fn visit_comprehension(
        &mut self,
        e: &Expr,
        name: &str,
        generators: &[Comprehension],
        elt: &Expr,
        value: Option<&Expr>,
        is_generator: bool,
    ) -> Result<()> {
        let Some(outermost) = generators.first() else {
            return Err(CompileError::syntax("comprehension without 'for'", e.span));
        };
        self.cur().comp_iter_expr += 1;
        let r = self.visit_expr(&outermost.iter);
        self.cur().comp_iter_expr -= 1;
        r?;
        self.enter(
            ScopeKind::Comprehension,
            name,
            (NodeKind::Expr, e as *const _ as usize),
            e.span,
        );
        if outermost.is_async {
            self.cur().is_coroutine = true;
        }
        self.add_def(".0", DEF_PARAM, e.span)?;
        self.cur().params.push(".0".to_string());
        self.visit_comp_target(&outermost.target)?;
        for cond in &outermost.ifs {
            self.visit_expr(cond)?;
        }
        for gen in &generators[1..] {
            self.visit_comp_target(&gen.target)?;
            self.cur().comp_iter_expr += 1;
            let r = self.visit_expr(&gen.iter);
            self.cur().comp_iter_expr -= 1;
            r?;
            for cond in &gen.ifs {
                self.visit_expr(cond)?;
            }
            if gen.is_async {
                self.cur().is_coroutine = true;
            }
        }
        if let Some(v) = value {
            self.visit_expr(v)?;
        }
        self.visit_expr(elt)?;
        self.cur().is_generator = is_generator;
        let is_async = self.cur().is_coroutine && !is_generator;
        self.exit();
        if is_async {
            self.cur().is_coroutine = true;
        }
        Ok(())
    }

    fn visit_comp_target(&mut self, target: &Expr) -> Result<()> {
        self.cur().comp_iter_target = true;
        let r = self.visit_target(target);
        self.cur().comp_iter_target = false;
        r
    }

    /// `name := value` inside a comprehension binds in the nearest
    /// enclosing function or module (CPython's
    /// `symtable_extend_namedexpr_scope`).
    fn extend_namedexpr_scope(&mut self, target: &Ident) -> Result<()> {
        let name = self.mangled(&target.name);
        for &id in self.stack.clone().iter().rev() {
            let scope = &self.table.scopes[id];
            match scope.kind {
                ScopeKind::Comprehension => {
                    if scope.flags(&name) & DEF_COMP_ITER != 0 {
                        return Err(CompileError::syntax(
                            format!(
                                "assignment expression cannot rebind comprehension iteration variable '{}'",
                                target.name
                            ),
                            target.span,
                        ));
                    }
                }
                ScopeKind::Function | ScopeKind::Lambda => {
                    let flag = if scope.flags(&name) & DEF_GLOBAL != 0 {
                        DEF_GLOBAL
                    } else {
                        DEF_NONLOCAL
                    };
                    self.add_def(&target.name, flag, target.span)?;
                    return self.add_def_in(id, &target.name, DEF_LOCAL, target.span);
                }
                ScopeKind::Module => {
                    self.add_def(&target.name, DEF_GLOBAL, target.span)?;
                    return self.add_def_in(id, &target.name, DEF_GLOBAL, target.span);
                }
                ScopeKind::Class => {
                    return Err(CompileError::syntax(
                        "assignment expression within a comprehension cannot be used in a class body",
                        target.span,
                    ));
                }
            }
        }
        Ok(())
    }
}
