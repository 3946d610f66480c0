//! Statements: dispatch, assignment targets, `del`, augmented and annotated
//! assignment, `if`, `raise`, `assert` and imports. Loops, `try` and `with`
//! live in `control.rs`; `def` and `class` in `func.rs`.

use super::{Compiler, Ctx, Result, UnitKind};
use crate::ast::{Alias, BinOp, Constant, Expr, ExprKind, Stmt, StmtKind};
use crate::bytecode::{BinaryOp, Instr};
use crate::span::Span;

impl<'a> Compiler<'a> {
    pub(super) fn compile_body(&mut self, body: &'a [Stmt]) -> Result<()> {
        for s in body {
            self.compile_stmt(s)?;
        }
        Ok(())
    }

    fn compile_stmt(&mut self, s: &'a Stmt) -> Result<()> {
        let saved = self.set_span(s.span);
        let r = self.compile_stmt_inner(s);
        self.set_span(saved);
        r
    }

    fn compile_stmt_inner(&mut self, s: &'a Stmt) -> Result<()> {
        match &s.kind {
            StmtKind::Expr(e) => {
                if self.is_repl_top() {
                    self.compile_expr(e)?;
                    self.set_span(s.span);
                    self.emit(Instr::PrintExpr);
                } else if matches!(e.kind, ExprKind::Constant(_)) {
                    self.emit(Instr::Nop);
                } else {
                    self.compile_expr(e)?;
                    self.set_span(s.span);
                    self.emit(Instr::Pop);
                }
                Ok(())
            }
            StmtKind::Assign { targets, value } => {
                if let Some((elts, dests)) = swap_assignment(targets, value) {
                    // `a, b = b, a` as CPython compiles it: the values,
                    // then `Swap` so the first is on top; no tuple is built.
                    for e in elts {
                        self.compile_expr(e)?;
                    }
                    self.set_span(s.span);
                    self.emit(Instr::Swap(elts.len() as u32));
                    for t in dests {
                        self.store_target(t)?;
                    }
                    return Ok(());
                }
                self.compile_expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.set_span(s.span);
                        self.emit(Instr::Copy(1));
                    }
                    self.store_target(t)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => {
                self.compile_aug_assign(s.span, target, *op, value)
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                match value {
                    Some(v) => {
                        self.compile_expr(v)?;
                        self.store_target(target)?;
                    }
                    None => self.compile_bare_annotation(target)?,
                }
                self.compile_annotation(target, annotation, *simple)
            }
            StmtKind::If { test, body, orelse } => {
                let end = self.u.b.new_label();
                let next = if orelse.is_empty() {
                    end
                } else {
                    self.u.b.new_label()
                };
                self.jump_if(test, next, false)?;
                self.compile_body(body)?;
                if !orelse.is_empty() {
                    self.set_span(s.span);
                    self.u.b.jump(Instr::Jump, end);
                    self.u.b.bind(next);
                    self.compile_body(orelse)?;
                }
                self.u.b.bind(end);
                Ok(())
            }
            StmtKind::While { test, body, orelse } => self.compile_while(test, body, orelse),
            StmtKind::For {
                is_async: false,
                target,
                iter,
                body,
                orelse,
            } => self.compile_for(s.span, target, iter, body, orelse),
            StmtKind::For {
                is_async: true,
                target,
                iter,
                body,
                orelse,
            } => self.compile_async_for(s.span, target, iter, body, orelse),
            StmtKind::Break => self.compile_break(s.span),
            StmtKind::Continue => self.compile_continue(s.span),
            StmtKind::Pass => {
                self.emit(Instr::Nop);
                Ok(())
            }
            StmtKind::Return(value) => self.compile_return(value.as_ref(), s.span),
            StmtKind::FunctionDef(f) => self.compile_function_def(s.span, f),
            StmtKind::ClassDef(c) => self.compile_class_def(s.span, c),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => self.compile_try(s.span, body, handlers, orelse, finalbody),
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(exc) = exc {
                    self.compile_expr(exc)?;
                    n = 1;
                    if let Some(cause) = cause {
                        self.compile_expr(cause)?;
                        n = 2;
                    }
                }
                self.emit(Instr::RaiseVarargs(n));
                Ok(())
            }
            StmtKind::With {
                is_async,
                items,
                body,
            } => self.compile_with(s.span, *is_async, items, body),
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => Ok(()),
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete_target(t)?;
                }
                Ok(())
            }
            StmtKind::Assert { test, msg } => {
                let end = self.u.b.new_label();
                self.jump_if(test, end, true)?;
                self.emit(Instr::LoadAssertionError);
                if let Some(msg) = msg {
                    self.compile_expr(msg)?;
                    self.emit(Instr::Call(1));
                }
                self.emit(Instr::RaiseVarargs(1));
                self.u.b.bind(end);
                Ok(())
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    self.compile_import(a)?;
                }
                Ok(())
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => self.compile_import_from(s.span, module.as_deref(), names, *level),
        }
    }

    // ---- assignment --------------------------------------------------

    /// Stores the value on top of the stack into a target.
    pub(super) fn store_target(&mut self, t: &'a Expr) -> Result<()> {
        self.note_anchor(t);
        let saved = self.set_span(t.span);
        let r = self.store_target_inner(t);
        self.set_span(saved);
        r
    }

    fn store_target_inner(&mut self, t: &'a Expr) -> Result<()> {
        match &t.kind {
            ExprKind::Name(name) => self.name_op(name, Ctx::Store),
            ExprKind::Attribute { value, attr } => {
                self.compile_expr(value)?;
                self.set_span(self.attr_span(t.span, t, &attr.name));
                let i = self.name_index(&attr.name);
                self.emit(Instr::StoreAttr(i));
                Ok(())
            }
            ExprKind::Subscript { value, slice } => {
                self.compile_expr(value)?;
                self.compile_expr(slice)?;
                self.emit(Instr::StoreSubscr);
                Ok(())
            }
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                self.emit_unpack(elts, t.span)?;
                for elt in elts {
                    match &elt.kind {
                        ExprKind::Starred(inner) => self.store_target(inner)?,
                        _ => self.store_target(elt)?,
                    }
                }
                Ok(())
            }
            ExprKind::Starred(_) => self.error(
                "starred assignment target must be in a list or tuple",
                t.span,
            ),
            _ => self.error("cannot assign to expression", t.span),
        }
    }

    /// `UnpackSequence` or, with one starred target, `UnpackEx`.
    fn emit_unpack(&mut self, elts: &[Expr], span: Span) -> Result<()> {
        let mut star = None;
        for (i, elt) in elts.iter().enumerate() {
            if matches!(elt.kind, ExprKind::Starred(_)) {
                if star.is_some() {
                    return self.error("multiple starred expressions in assignment", elt.span);
                }
                star = Some(i);
            }
        }
        match star {
            Some(i) => {
                let after = elts.len() - i - 1;
                if i >= 256 || after >= 1 << 24 {
                    return self.error("too many expressions in star-unpacking assignment", span);
                }
                self.emit(Instr::UnpackEx(i as u32 | (after as u32) << 8));
            }
            None => self.emit(Instr::UnpackSequence(elts.len() as u32)),
        }
        Ok(())
    }

    fn delete_target(&mut self, t: &'a Expr) -> Result<()> {
        self.note_anchor(t);
        let saved = self.set_span(t.span);
        let r = match &t.kind {
            ExprKind::Name(name) => self.name_op(name, Ctx::Del),
            ExprKind::Attribute { value, attr } => self.compile_expr(value).map(|()| {
                self.set_span(self.attr_span(t.span, t, &attr.name));
                let i = self.name_index(&attr.name);
                self.emit(Instr::DeleteAttr(i));
            }),
            ExprKind::Subscript { value, slice } => self
                .compile_expr(value)
                .and_then(|()| self.compile_expr(slice))
                .map(|()| self.emit(Instr::DeleteSubscr)),
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                elts.iter().try_for_each(|e| self.delete_target(e))
            }
            _ => self.error("cannot delete expression", t.span),
        };
        self.set_span(saved);
        r
    }

    /// `target op= value`: the container and key of an attribute or
    /// subscript target are evaluated once (CPython's Copy/Swap shapes).
    fn compile_aug_assign(
        &mut self,
        span: Span,
        target: &'a Expr,
        op: BinOp,
        value: &'a Expr,
    ) -> Result<()> {
        let op = binary_op(op);
        self.note_anchor(target);
        match &target.kind {
            ExprKind::Name(name) => {
                self.set_span(target.span);
                self.name_op(name, Ctx::Load)?;
                self.compile_expr(value)?;
                self.set_span(span);
                self.emit(Instr::InplaceOp(op));
                self.set_span(target.span);
                self.name_op(name, Ctx::Store)
            }
            ExprKind::Attribute { value: obj, attr } => {
                self.compile_expr(obj)?;
                let attr_span = self.attr_span(target.span, target, &attr.name);
                self.set_span(attr_span);
                let i = self.name_index(&attr.name);
                self.emit(Instr::Copy(1));
                self.emit(Instr::LoadAttr(i));
                self.compile_expr(value)?;
                self.set_span(span);
                self.emit(Instr::InplaceOp(op));
                self.set_span(attr_span);
                self.emit(Instr::Swap(2));
                self.emit(Instr::StoreAttr(i));
                Ok(())
            }
            ExprKind::Subscript { value: obj, slice } => {
                self.compile_expr(obj)?;
                self.compile_expr(slice)?;
                self.set_span(target.span);
                self.emit(Instr::Copy(2));
                self.emit(Instr::Copy(2));
                self.emit(Instr::BinarySubscr);
                self.compile_expr(value)?;
                self.set_span(span);
                self.emit(Instr::InplaceOp(op));
                self.set_span(target.span);
                self.emit(Instr::Swap(3));
                self.emit(Instr::Swap(2));
                self.emit(Instr::StoreSubscr);
                Ok(())
            }
            _ => self.error("illegal expression for augmented assignment", target.span),
        }
    }

    /// The annotation of `target: annotation [= value]`, evaluated after
    /// the assignment in module and class bodies only: a simple name's is
    /// stored in `__annotations__`, any other is evaluated and dropped.
    fn compile_annotation(
        &mut self,
        target: &'a Expr,
        annotation: &'a Expr,
        simple: bool,
    ) -> Result<()> {
        if !matches!(self.u.kind, UnitKind::Module | UnitKind::Class) {
            return Ok(());
        }
        self.compile_expr(annotation)?;
        match &target.kind {
            ExprKind::Name(name) if simple => {
                let mangled = super::scope::mangle(self.u.private.as_deref(), name);
                self.name_op("__annotations__", Ctx::Load)?;
                self.load_str(&mangled);
                self.emit(Instr::StoreSubscr);
            }
            _ => self.emit(Instr::Pop),
        }
        Ok(())
    }

    /// `target: annotation` without a value: an attribute or subscript
    /// target's object (and index) is evaluated, as in CPython.
    fn compile_bare_annotation(&mut self, target: &'a Expr) -> Result<()> {
        match &target.kind {
            ExprKind::Attribute { value, .. } => {
                self.compile_expr(value)?;
                self.emit(Instr::Pop);
            }
            ExprKind::Subscript { value, slice } => {
                self.compile_expr(value)?;
                self.emit(Instr::Pop);
                self.evaluate_and_pop_index(slice)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn evaluate_and_pop_index(&mut self, e: &'a Expr) -> Result<()> {
        match &e.kind {
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.compile_expr(part)?;
                    self.emit(Instr::Pop);
                }
            }
            ExprKind::Tuple(elts) => {
                for elt in elts {
                    self.evaluate_and_pop_index(elt)?;
                }
            }
            _ => {
                self.compile_expr(e)?;
                self.emit(Instr::Pop);
            }
        }
        Ok(())
    }

    // ---- imports -----------------------------------------------------

    /// `import a.b.c` binds `a`; `import a.b.c as d` binds the leaf module.
    /// Like CPython 3.11, every instruction of an import statement carries
    /// the statement's position.
    fn compile_import(&mut self, a: &'a Alias) -> Result<()> {
        let i = self.name_index(&a.name);
        self.emit(Instr::ImportName(i));
        match &a.asname {
            Some(asname) => self.name_op(&asname.name, Ctx::Store),
            None => match a.name.split_once('.') {
                Some((first, _)) => {
                    self.emit(Instr::Pop);
                    let i = self.name_index(first);
                    self.emit(Instr::ImportName(i));
                    self.name_op(first, Ctx::Store)
                }
                None => self.name_op(&a.name, Ctx::Store),
            },
        }
    }

    /// `from m import x as y`. A relative module name keeps its leading
    /// dots in the `ImportName` operand (`from ..m import x` imports
    /// `"..m"`).
    fn compile_import_from(
        &mut self,
        span: Span,
        module: Option<&str>,
        names: &'a [Alias],
        level: u32,
    ) -> Result<()> {
        let mut full = ".".repeat(level as usize);
        full.push_str(module.unwrap_or(""));
        if full.is_empty() {
            return self.error("invalid syntax", span);
        }
        let i = self.name_index(&full);
        self.emit(Instr::ImportName(i));
        if names.len() == 1 && names[0].name == "*" {
            if self.u.kind != super::UnitKind::Module {
                return self.error("import * only allowed at module level", span);
            }
            self.emit(Instr::ImportStar);
            return Ok(());
        }
        for a in names {
            let i = self.name_index(&a.name);
            self.emit(Instr::ImportFrom(i));
            let store = a
                .asname
                .as_ref()
                .map_or(a.name.as_str(), |n| n.name.as_str());
            self.name_op(store, Ctx::Store)?;
        }
        self.emit(Instr::Pop);
        Ok(())
    }

    /// Is `e` a constant that is always true (`while True:`)?
    pub(super) fn is_true_constant(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Constant(Constant::True) => true,
            ExprKind::Constant(Constant::Int(i)) => i.sign() != num_bigint::Sign::NoSign,
            _ => false,
        }
    }
}

/// The bytecode operator for an AST operator.
pub(super) fn binary_op(op: BinOp) -> BinaryOp {
    match op {
        BinOp::Add => BinaryOp::Add,
        BinOp::Sub => BinaryOp::Sub,
        BinOp::Mult => BinaryOp::Mul,
        BinOp::MatMult => BinaryOp::MatMul,
        BinOp::Div => BinaryOp::TrueDiv,
        BinOp::FloorDiv => BinaryOp::FloorDiv,
        BinOp::Mod => BinaryOp::Mod,
        BinOp::Pow => BinaryOp::Pow,
        BinOp::LShift => BinaryOp::LShift,
        BinOp::RShift => BinaryOp::RShift,
        BinOp::BitOr => BinaryOp::Or,
        BinOp::BitXor => BinaryOp::Xor,
        BinOp::BitAnd => BinaryOp::And,
    }
}

/// For `t1, t2 = v1, v2` (or three of each, no starred items): the value
/// expressions and the targets, which can be assigned with one `Swap`.
fn swap_assignment<'e>(targets: &'e [Expr], value: &'e Expr) -> Option<(&'e [Expr], &'e [Expr])> {
    let [target] = targets else { return None };
    let (ExprKind::Tuple(dests) | ExprKind::List(dests)) = &target.kind else {
        return None;
    };
    let ExprKind::Tuple(elts) = &value.kind else {
        return None;
    };
    let plain = |es: &[Expr]| !es.iter().any(|e| matches!(e.kind, ExprKind::Starred(_)));
    (matches!(elts.len(), 2 | 3) && elts.len() == dests.len() && plain(elts) && plain(dests))
        .then_some((&elts[..], &dests[..]))
}
