//! Nested code objects: functions, lambdas, classes and comprehensions.
//!
//! - A `def` evaluates its decorators, then its defaults (a tuple),
//!   keyword-only defaults (a dict keyed by name) and annotations (a dict,
//!   `__annotations__`), then the closure tuple (`LoadClosure` per free
//!   variable of the child, `BuildTuple`), and `MakeFunction`; decorators
//!   are applied innermost first with `Call(1)`.
//! - A class body is a `Class`-kind child called by `__build_class__`: it
//!   stores `__module__`, `__qualname__` (and `__doc__`), runs the body and
//!   returns the `__class__` cell (`LoadClosure`) when a method uses
//!   `super()` or `__class__`, else None.
//! - A comprehension is a child function with one parameter `.0`, the first
//!   iterator, which the enclosing scope evaluates, turns into an iterator
//!   (`GetIter`, or `GetAIter` for `async for`) and passes with `Call(1)`.
//!   An async list/set/dict comprehension is a coroutine the caller awaits;
//!   a generator expression with `async for` or `await` is an async
//!   generator.

use super::{docstring_of, Compiler, Ctx, Result, UnitKind};
use crate::ast::{ClassDef, Comprehension, Expr, ExprKind, FunctionDef, Parameters};
use crate::bytecode::opcode::{MAKE_FN_ANNOTATIONS, MAKE_FN_DEFAULTS, MAKE_FN_KWDEFAULTS};
use crate::bytecode::{Code, CodeKind, Instr};
use crate::span::Span;
use std::rc::Rc;

/// What a comprehension builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CompKind {
    List,
    Set,
    Dict,
    Generator,
}

impl<'a> Compiler<'a> {
    pub(super) fn compile_function_def(&mut self, span: Span, f: &'a FunctionDef) -> Result<()> {
        let Some(scope_id) = self.table.function_scope(f) else {
            return self.error("internal compiler error: function without scope", span);
        };
        for d in &f.decorators {
            self.compile_expr(d)?;
        }
        self.set_span(span);
        let mut flags = self.compile_defaults(&f.params)?;
        flags |= self.compile_annotations(&f.params, f.returns.as_ref())?;
        let kind = if f.is_async {
            UnitKind::AsyncFunction
        } else {
            UnitKind::Function
        };
        self.enter_unit(scope_id, kind, &f.name.name, span);
        self.set_params(&f.params);
        let scope = self.scope();
        self.u.code_kind = match (f.is_async, scope.is_generator) {
            (true, true) => CodeKind::AsyncGenerator,
            (true, false) => CodeKind::Coroutine,
            (false, true) => CodeKind::Generator,
            (false, false) => CodeKind::Function,
        };
        let mut body: &[crate::ast::Stmt] = &f.body;
        if let Some(doc) = docstring_of(body) {
            self.u.docstring = Some(Rc::from(doc));
            body = &body[1..];
        }
        self.compile_body(body)?;
        self.set_span(f.body.last().map_or(span, |s| s.span));
        self.emit(Instr::LoadNone);
        self.emit(Instr::ReturnValue);
        let code = self.exit_unit()?;
        self.set_span(span);
        self.make_function(code, flags)?;
        self.apply_decorators(&f.decorators, span);
        self.name_op(&f.name.name, Ctx::Store)
    }

    /// Calls the decorators (already on the stack) innermost first, each
    /// call on its decorator's line, as tracebacks show it.
    fn apply_decorators(&mut self, decorators: &[Expr], span: Span) {
        for d in decorators.iter().rev() {
            self.set_span(d.span);
            self.emit(Instr::Call(1));
        }
        self.set_span(span);
    }

    pub(super) fn compile_lambda(
        &mut self,
        e: &'a Expr,
        params: &'a Parameters,
        body: &'a Expr,
    ) -> Result<()> {
        let Some(scope_id) = self.table.expr_scope(e) else {
            return self.error("internal compiler error: lambda without scope", e.span);
        };
        let flags = self.compile_defaults(params)?;
        self.enter_unit(scope_id, UnitKind::Lambda, "<lambda>", e.span);
        self.set_params(params);
        let is_generator = self.scope().is_generator;
        self.u.code_kind = if is_generator {
            CodeKind::Generator
        } else {
            CodeKind::Function
        };
        self.compile_expr(body)?;
        if is_generator {
            // A generator lambda's value is the last yielded one, not
            // its return value (CPython returns None).
            self.emit(Instr::Pop);
            self.emit(Instr::LoadNone);
        }
        self.emit(Instr::ReturnValue);
        let code = self.exit_unit()?;
        self.set_span(e.span);
        self.make_function(code, flags)
    }

    /// Pushes the defaults tuple and keyword-only defaults dict, returning
    /// the `MakeFunction` flags for them.
    fn compile_defaults(&mut self, params: &'a Parameters) -> Result<u16> {
        let mut flags = 0;
        let mut n = 0;
        for p in params.posonly.iter().chain(&params.args) {
            if let Some(d) = &p.default {
                self.compile_expr(d)?;
                n += 1;
            }
        }
        if n > 0 {
            self.emit(Instr::BuildTuple(n));
            flags |= MAKE_FN_DEFAULTS;
        }
        let mut n = 0;
        for p in &params.kwonly {
            if let Some(d) = &p.default {
                let name = super::scope::mangle(self.u.private.as_deref(), &p.name.name);
                self.load_str(&name);
                self.compile_expr(d)?;
                n += 1;
            }
        }
        if n > 0 {
            self.emit(Instr::BuildMap(n));
            flags |= MAKE_FN_KWDEFAULTS;
        }
        Ok(flags)
    }

    /// Pushes the `__annotations__` dict of a `def` (CPython's order:
    /// positional-or-keyword, positional-only, `*args`, keyword-only,
    /// `**kwargs`, `return`; names mangled), returning its `MakeFunction`
    /// flag, or 0 when nothing is annotated.
    fn compile_annotations(
        &mut self,
        params: &'a Parameters,
        returns: Option<&'a Expr>,
    ) -> Result<u16> {
        let ordered = params
            .args
            .iter()
            .chain(&params.posonly)
            .chain(&params.vararg)
            .chain(&params.kwonly)
            .chain(&params.kwarg);
        let mut n = 0;
        for p in ordered {
            if let Some(a) = &p.annotation {
                let name = super::scope::mangle(self.u.private.as_deref(), &p.name.name);
                self.load_str(&name);
                self.compile_expr(a)?;
                n += 1;
            }
        }
        if let Some(r) = returns {
            self.load_str("return");
            self.compile_expr(r)?;
            n += 1;
        }
        if n == 0 {
            return Ok(0);
        }
        self.emit(Instr::BuildMap(n));
        Ok(MAKE_FN_ANNOTATIONS)
    }

    fn set_params(&mut self, p: &Parameters) {
        self.u.argcount = (p.posonly.len() + p.args.len()) as u32;
        self.u.posonlyargcount = p.posonly.len() as u32;
        self.u.kwonlyargcount = p.kwonly.len() as u32;
        self.u.varargs = p.vararg.is_some();
        self.u.varkeywords = p.kwarg.is_some();
    }

    /// `[closure] MakeFunction` for a finished child.
    fn make_function(&mut self, code: Rc<Code>, flags: u16) -> Result<()> {
        let closure = self.emit_closure(&code)?;
        let code_index = self.add_child(code)?;
        self.emit(Instr::MakeFunction {
            code_index,
            flags: flags | closure,
        });
        Ok(())
    }

    pub(super) fn compile_class_def(&mut self, span: Span, c: &'a ClassDef) -> Result<()> {
        let Some(scope_id) = self.table.class_scope(c) else {
            return self.error("internal compiler error: class without scope", span);
        };
        for d in &c.decorators {
            self.compile_expr(d)?;
        }
        self.set_span(span);
        self.emit(Instr::LoadBuildClass);
        self.enter_unit(scope_id, UnitKind::Class, &c.name.name, span);
        self.u.private = Some(c.name.name.to_string());
        self.u.code_kind = CodeKind::Class;
        self.name_op("__name__", Ctx::Load)?;
        self.name_op("__module__", Ctx::Store)?;
        let qualname = self.u.qualname.clone();
        self.load_str(&qualname);
        self.name_op("__qualname__", Ctx::Store)?;
        self.setup_annotations(&c.body)?;
        let body = self.docstring_prologue(&c.body)?;
        self.compile_body(body)?;
        self.set_span(c.body.last().map_or(span, |s| s.span));
        match self.u.cell_slots.first() {
            Some(&cell) if self.scope().needs_class_closure => {
                self.emit(Instr::LoadClosure(cell));
            }
            _ => self.emit(Instr::LoadNone),
        }
        self.emit(Instr::ReturnValue);
        let code = self.exit_unit()?;
        self.set_span(span);
        self.make_function(code, 0)?;
        self.load_str(&c.name.name);
        self.call_helper(span, 2, &c.bases, &c.keywords)?;
        self.set_span(span);
        self.apply_decorators(&c.decorators, span);
        self.name_op(&c.name.name, Ctx::Store)
    }

    // ---- comprehensions ----------------------------------------------

    pub(super) fn compile_comprehension(&mut self, e: &'a Expr) -> Result<()> {
        let (kind, name, generators, elt, value) = match &e.kind {
            ExprKind::ListComp { elt, generators } => {
                (CompKind::List, "<listcomp>", generators, &**elt, None)
            }
            ExprKind::SetComp { elt, generators } => {
                (CompKind::Set, "<setcomp>", generators, &**elt, None)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => (
                CompKind::Dict,
                "<dictcomp>",
                generators,
                &**key,
                Some(&**value),
            ),
            ExprKind::GeneratorExp { elt, generators } => {
                (CompKind::Generator, "<genexpr>", generators, &**elt, None)
            }
            _ => return self.error("internal compiler error: not a comprehension", e.span),
        };
        let Some(scope_id) = self.table.expr_scope(e) else {
            return self.error(
                "internal compiler error: comprehension without scope",
                e.span,
            );
        };
        let Some(outermost) = generators.first() else {
            return self.error("comprehension without 'for'", e.span);
        };
        let is_async = self.table.scopes[scope_id].is_coroutine;
        if is_async
            && kind != CompKind::Generator
            && !(self.u.kind == UnitKind::AsyncFunction
                || self.u.kind == UnitKind::Comprehension
                || self.is_repl_top())
        {
            return self.error(
                "asynchronous comprehension outside of an asynchronous function",
                e.span,
            );
        }

        self.enter_unit(scope_id, UnitKind::Comprehension, name, e.span);
        self.u.argcount = 1;
        self.u.code_kind = match (kind, is_async) {
            (CompKind::Generator, true) => CodeKind::AsyncGenerator,
            (CompKind::Generator, false) => CodeKind::Generator,
            (_, true) => CodeKind::Coroutine,
            (_, false) => CodeKind::Function,
        };
        match kind {
            CompKind::List => self.emit(Instr::BuildList(0)),
            CompKind::Set => self.emit(Instr::BuildSet(0)),
            CompKind::Dict => self.emit(Instr::BuildMap(0)),
            CompKind::Generator => {}
        }
        self.comprehension_generator(generators, 0, 0, elt, value, kind)?;
        if kind == CompKind::Generator {
            self.emit(Instr::LoadNone);
        }
        self.emit(Instr::ReturnValue);
        let code = self.exit_unit()?;

        self.set_span(e.span);
        self.make_function(code, 0)?;
        self.compile_iter(&outermost.iter)?;
        self.emit(if outermost.is_async {
            Instr::GetAIter
        } else {
            Instr::GetIter
        });
        self.emit(Instr::Call(1));
        if is_async && kind != CompKind::Generator {
            self.emit_await();
        }
        Ok(())
    }

    /// One `for` clause (and, recursively, the ones after it). `depth`
    /// counts the iterators on the stack above the result being built.
    fn comprehension_generator(
        &mut self,
        generators: &'a [Comprehension],
        index: usize,
        depth: u32,
        elt: &'a Expr,
        value: Option<&'a Expr>,
        kind: CompKind,
    ) -> Result<()> {
        let gen = &generators[index];
        let start = self.u.b.new_label();
        let if_cleanup = self.u.b.new_label();
        let anchor = self.u.b.new_label();
        if index == 0 {
            self.emit(Instr::LoadLocal(0));
        } else {
            self.compile_iter(&gen.iter)?;
            self.emit(if gen.is_async {
                Instr::GetAIter
            } else {
                Instr::GetIter
            });
        }
        self.u.b.bind(start);
        if gen.is_async {
            self.u.b.push_handler(anchor, 0);
            self.emit(Instr::GetANext);
            self.emit_send_none();
            self.u.b.pop_handler();
        } else {
            self.u.b.jump(Instr::ForIter, anchor);
        }
        self.store_target(&gen.target)?;
        for cond in &gen.ifs {
            self.jump_if(cond, if_cleanup, false)?;
        }
        let depth = depth + 1;
        if index + 1 < generators.len() {
            self.comprehension_generator(generators, index + 1, depth, elt, value, kind)?;
        } else {
            self.comprehension_element(depth, elt, value, kind)?;
        }
        self.u.b.bind(if_cleanup);
        self.u.b.jump(Instr::Jump, start);
        self.u.b.bind(anchor);
        if gen.is_async {
            self.emit(Instr::EndAsyncFor);
        }
        Ok(())
    }

    fn comprehension_element(
        &mut self,
        depth: u32,
        elt: &'a Expr,
        value: Option<&'a Expr>,
        kind: CompKind,
    ) -> Result<()> {
        self.compile_expr(elt)?;
        match kind {
            CompKind::Generator => {
                self.emit(Instr::YieldValue);
                self.emit(Instr::Pop);
            }
            CompKind::List => self.emit(Instr::ListAppend(depth + 1)),
            CompKind::Set => self.emit(Instr::SetAdd(depth + 1)),
            CompKind::Dict => {
                if let Some(v) = value {
                    self.compile_expr(v)?;
                }
                self.emit(Instr::MapAdd(depth + 1));
            }
        }
        Ok(())
    }
}
