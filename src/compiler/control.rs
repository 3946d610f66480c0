//! Loops, `try`, `with`, and the frame-block stack that lets `break`,
//! `continue` and `return` leave them.
//!
//! As in CPython's compiler, every construct that holds something on the
//! value stack or an exception handler open pushes a [`FBlock`] while its
//! body is compiled. A jump out of the body (`break`, `continue`, `return`)
//! first emits, innermost first, the code that each block it leaves would
//! have run on a normal exit ([`Compiler::unwind_fblock`]): pop the loop
//! iterator, inline the `finally` body, call `__exit__(None, None, None)`,
//! restore the previous exception with `PopExcept` and clear the `as` name.
//! While that code is emitted, the exception handlers of the blocks being
//! left are closed, so an exception there goes to the outer handlers.
//!
//! Handler layouts (our handlers receive only the exception, no `lasti`):
//!
//! ```text
//! try/except      body [H]; else; Jump end
//!             H:  PushExcInfo [C]            prev exc
//!                 <type>; CheckExcMatch; PopJumpIfFalse next
//!                 Store name  [N]  body; PopExcept; name = None; del name; Jump end
//!             N:  name = None; del name; Reraise            (under C)
//!           next: ...; Reraise                              (no clause matched)
//!             C:  Swap 2; PopExcept; Reraise                (prev exc -> restore, re-raise)
//! try/finally     body [H]; finally; Jump end
//!             H:  PushExcInfo [C]; finally; Reraise
//!             C:  Swap 2; PopExcept; Reraise
//! with            <mgr>; BeforeWith [H, depth without enter result]; store/pop; body;
//!                 LoadNone x3; Call 3; Pop; Jump end
//!             H:  PushExcInfo [C]; WithExceptStart; PopJumpIfTrue S; Reraise
//!             C:  Swap 2; PopExcept; Reraise
//!             S:  Pop; PopExcept; Pop
//! ```

use super::builder::Label;
use super::{Compiler, Ctx, Result};
use crate::ast::{ExceptHandler, Expr, Ident, Stmt, WithItem};
use crate::bytecode::Instr;
use crate::span::Span;

/// What a frame block is.
#[derive(Clone, Copy, Debug)]
pub(super) enum FBlockKind<'a> {
    /// `while`: nothing on the stack.
    WhileLoop { start: Label, exit: Label },
    /// `for` / `async for`: the iterator is on the stack.
    ForLoop { start: Label, exit: Label },
    /// The body of `try` with `except` clauses.
    TryExcept,
    /// The body of `try` with `finally`: leaving it runs the finally body.
    FinallyTry(&'a [Stmt]),
    /// The finally body on the exception path: `prev_exc exc` on the stack.
    FinallyEnd,
    /// The body of `with`: the bound `__exit__` is on the stack.
    With { is_async: bool, span: Span },
    /// An `except` clause body: `prev_exc` on the stack; the `as` name.
    HandlerCleanup(Option<&'a Ident>),
    /// The except clauses before their body starts.
    ExceptionHandler,
    /// A value saved under an inlined finally body (a return value).
    PopValue,
}

/// One entry of the frame-block stack.
#[derive(Clone, Copy, Debug)]
pub(super) struct FBlock<'a> {
    pub kind: FBlockKind<'a>,
    /// Handlers open outside this block: leaving it closes the rest.
    pub handler_base: usize,
}

impl<'a> Compiler<'a> {
    fn push_fblock(&mut self, kind: FBlockKind<'a>, handler_base: usize) {
        self.u.fblocks.push(FBlock { kind, handler_base });
    }

    fn pop_fblock(&mut self) {
        self.u.fblocks.pop();
    }

    /// Emits the code that leaves `block` as a normal exit would.
    /// `preserve_tos`: a value (to return) is on top and must stay there.
    fn unwind_fblock(&mut self, block: FBlock<'a>, preserve_tos: bool) -> Result<()> {
        match block.kind {
            FBlockKind::WhileLoop { .. } | FBlockKind::TryExcept | FBlockKind::ExceptionHandler => {
            }
            FBlockKind::ForLoop { .. } => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::Pop);
            }
            FBlockKind::FinallyTry(body) => {
                if preserve_tos {
                    let base = self.u.b.handler_depth();
                    self.push_fblock(FBlockKind::PopValue, base);
                }
                self.compile_body(body)?;
                if preserve_tos {
                    self.pop_fblock();
                }
            }
            FBlockKind::FinallyEnd => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::Pop);
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::PopExcept);
            }
            FBlockKind::With { is_async, span } => {
                let saved = self.set_span(span);
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.call_exit_with_nones(is_async);
                self.emit(Instr::Pop);
                self.set_span(saved);
            }
            FBlockKind::HandlerCleanup(name) => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::PopExcept);
                if let Some(name) = name {
                    self.clear_name(name)?;
                }
            }
            FBlockKind::PopValue => {
                if preserve_tos {
                    self.emit(Instr::Swap(2));
                }
                self.emit(Instr::Pop);
            }
        }
        Ok(())
    }

    /// Unwinds the frame blocks (all of them, or up to the innermost loop
    /// when `to_loop`), then runs `finish` to emit the jump or return, with
    /// the handlers of the blocks left still closed. Returns the loop found.
    pub(super) fn unwind_and<F>(
        &mut self,
        preserve_tos: bool,
        to_loop: bool,
        finish: F,
    ) -> Result<()>
    where
        F: FnOnce(&mut Self, Option<FBlock<'a>>) -> Result<()>,
    {
        let saved_blocks = self.u.fblocks.clone();
        let saved_handlers = self.u.b.truncate_handlers(self.u.b.handler_depth());
        let mut found = None;
        let mut result = Ok(());
        while let Some(top) = self.u.fblocks.last().copied() {
            if to_loop
                && matches!(
                    top.kind,
                    FBlockKind::WhileLoop { .. } | FBlockKind::ForLoop { .. }
                )
            {
                found = Some(top);
                break;
            }
            self.u.fblocks.pop();
            self.u.b.truncate_handlers(top.handler_base);
            result = self.unwind_fblock(top, preserve_tos);
            if result.is_err() {
                break;
            }
        }
        if result.is_ok() {
            result = finish(self, found);
        }
        self.u.fblocks = saved_blocks;
        self.u.b.restore_handlers(saved_handlers);
        result
    }

    pub(super) fn compile_break(&mut self, span: Span) -> Result<()> {
        self.unwind_and(false, true, |c, found| match found {
            Some(
                block @ FBlock {
                    kind: FBlockKind::WhileLoop { exit, .. } | FBlockKind::ForLoop { exit, .. },
                    ..
                },
            ) => {
                c.unwind_fblock(block, false)?;
                c.u.b.jump(Instr::Jump, exit);
                Ok(())
            }
            _ => c.error("'break' outside loop", span),
        })
    }

    pub(super) fn compile_continue(&mut self, span: Span) -> Result<()> {
        self.unwind_and(false, true, |c, found| match found {
            Some(FBlock {
                kind: FBlockKind::WhileLoop { start, .. } | FBlockKind::ForLoop { start, .. },
                ..
            }) => {
                c.u.b.jump(Instr::Jump, start);
                Ok(())
            }
            _ => c.error("'continue' not properly in loop", span),
        })
    }

    pub(super) fn compile_return(&mut self, value: Option<&'a Expr>, span: Span) -> Result<()> {
        if !self.u.kind.is_function_like() {
            return self.error("'return' outside function", span);
        }
        let constant = value.and_then(|v| self.constant_of(v));
        let preserve_tos = value.is_some() && constant.is_none();
        if let (Some(v), true) = (value, preserve_tos) {
            self.compile_expr(v)?;
        }
        self.unwind_and(preserve_tos, false, |c, _| {
            c.set_span(span);
            if !preserve_tos {
                match (value, constant) {
                    (Some(v), Some(_)) => c.compile_expr(v)?,
                    _ => c.emit(Instr::LoadNone),
                }
            }
            c.emit(Instr::ReturnValue);
            Ok(())
        })
    }

    // ---- loops -------------------------------------------------------

    pub(super) fn compile_while(
        &mut self,
        test: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        let start = self.u.b.new_label();
        let anchor = self.u.b.new_label();
        let exit = self.u.b.new_label();
        self.u.b.bind(start);
        let base = self.u.b.handler_depth();
        self.push_fblock(FBlockKind::WhileLoop { start, exit }, base);
        if !self.is_true_constant(test) {
            self.jump_if(test, anchor, false)?;
        }
        self.compile_body(body)?;
        self.u.b.jump(Instr::Jump, start);
        self.pop_fblock();
        self.u.b.bind(anchor);
        self.compile_body(orelse)?;
        self.u.b.bind(exit);
        Ok(())
    }

    pub(super) fn compile_for(
        &mut self,
        stmt_span: Span,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        let start = self.u.b.new_label();
        let cleanup = self.u.b.new_label();
        let end = self.u.b.new_label();
        self.compile_iter(iter)?;
        self.set_span(stmt_span);
        self.emit(Instr::GetIter);
        self.u.b.bind(start);
        let base = self.u.b.handler_depth();
        self.push_fblock(FBlockKind::ForLoop { start, exit: end }, base);
        self.set_span(stmt_span);
        self.u.b.jump(Instr::ForIter, cleanup);
        self.store_target(target)?;
        self.compile_body(body)?;
        self.set_span(stmt_span);
        self.u.b.jump(Instr::Jump, start);
        self.u.b.bind(cleanup);
        self.pop_fblock();
        self.compile_body(orelse)?;
        self.u.b.bind(end);
        Ok(())
    }

    pub(super) fn compile_async_for(
        &mut self,
        stmt_span: Span,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        if !self.in_coroutine() {
            return self.error("'async for' outside async function", stmt_span);
        }
        let start = self.u.b.new_label();
        let except = self.u.b.new_label();
        let end = self.u.b.new_label();
        // CPython folds the iterable of `for` and of comprehensions, not
        // of `async for` statements.
        self.compile_expr(iter)?;
        self.set_span(stmt_span);
        self.emit(Instr::GetAIter);
        self.u.b.bind(start);
        let base = self.u.b.handler_depth();
        self.push_fblock(FBlockKind::ForLoop { start, exit: end }, base);
        self.set_span(stmt_span);
        self.u.b.push_handler(except, 0);
        self.emit(Instr::GetANext);
        self.emit_send_none();
        self.u.b.pop_handler();
        self.store_target(target)?;
        self.compile_body(body)?;
        self.set_span(stmt_span);
        self.u.b.jump(Instr::Jump, start);
        self.pop_fblock();
        self.u.b.bind(except);
        self.set_span(iter.span);
        self.emit(Instr::EndAsyncFor);
        self.compile_body(orelse)?;
        self.u.b.bind(end);
        Ok(())
    }

    /// `GetAwaitable; LoadNone; Send(next)`: awaits the value on top.
    pub(super) fn emit_await(&mut self) {
        self.emit(Instr::GetAwaitable);
        self.emit_send_none();
    }

    /// `LoadNone; Send(next)`: awaits an awaitable that `GetANext` or
    /// `BeforeAsyncWith` already made ready for `Send`.
    pub(super) fn emit_send_none(&mut self) {
        self.emit(Instr::LoadNone);
        self.emit_send();
    }

    /// `Send` to the next instruction (the VM runs the whole delegation).
    pub(super) fn emit_send(&mut self) {
        let next = self.u.b.new_label();
        self.u.b.jump(Instr::Send, next);
        self.u.b.bind(next);
    }

    // ---- try ---------------------------------------------------------

    pub(super) fn compile_try(
        &mut self,
        span: Span,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
    ) -> Result<()> {
        if finalbody.is_empty() {
            return self.compile_try_except(span, body, handlers, orelse);
        }
        let handler = self.u.b.new_label();
        let cleanup = self.u.b.new_label();
        let exit = self.u.b.new_label();
        self.set_span(span);
        self.emit(Instr::Nop);
        let base = self.u.b.handler_depth();
        self.u.b.push_handler(handler, 0);
        self.push_fblock(FBlockKind::FinallyTry(finalbody), base);
        if handlers.is_empty() {
            self.compile_body(body)?;
            self.compile_body(orelse)?;
        } else {
            self.compile_try_except(span, body, handlers, orelse)?;
        }
        self.pop_fblock();
        self.u.b.pop_handler();
        self.compile_body(finalbody)?;
        self.u.b.jump(Instr::Jump, exit);

        // The exception path: `exc` on the stack.
        self.u.b.bind(handler);
        self.set_span(span);
        let base = self.u.b.handler_depth();
        self.u.b.push_handler(cleanup, 0);
        self.emit(Instr::PushExcInfo);
        self.push_fblock(FBlockKind::FinallyEnd, base);
        self.compile_body(finalbody)?;
        self.pop_fblock();
        self.set_span(span);
        self.emit(Instr::Reraise);
        self.u.b.pop_handler();
        self.emit_cleanup(cleanup);
        self.u.b.bind(exit);
        Ok(())
    }

    /// `C: Swap 2; PopExcept; Reraise` — restores the exception that was
    /// being handled before and re-raises the new one.
    fn emit_cleanup(&mut self, cleanup: Label) {
        self.u.b.bind(cleanup);
        self.emit(Instr::Swap(2));
        self.emit(Instr::PopExcept);
        self.emit(Instr::Reraise);
    }

    fn compile_try_except(
        &mut self,
        span: Span,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        let except = self.u.b.new_label();
        let cleanup = self.u.b.new_label();
        let end = self.u.b.new_label();
        self.set_span(span);
        self.emit(Instr::Nop);
        let base = self.u.b.handler_depth();
        self.u.b.push_handler(except, 0);
        self.push_fblock(FBlockKind::TryExcept, base);
        self.compile_body(body)?;
        self.pop_fblock();
        self.u.b.pop_handler();
        self.compile_body(orelse)?;
        self.u.b.jump(Instr::Jump, end);

        // `exc` on the stack.
        self.u.b.bind(except);
        self.set_span(span);
        let base = self.u.b.handler_depth();
        self.u.b.push_handler(cleanup, 0);
        self.emit(Instr::PushExcInfo);
        self.push_fblock(FBlockKind::ExceptionHandler, base);
        for (i, h) in handlers.iter().enumerate() {
            self.set_span(h.span);
            let next = self.u.b.new_label();
            match &h.typ {
                Some(typ) => {
                    self.compile_expr(typ)?;
                    self.set_span(h.span);
                    self.emit(Instr::CheckExcMatch);
                    self.u.b.jump(Instr::PopJumpIfFalse, next);
                }
                None if i + 1 < handlers.len() => {
                    return self.error("default 'except:' must be last", h.span);
                }
                None => {}
            }
            match &h.name {
                Some(name) => {
                    self.name_op(&name.name, Ctx::Store)?;
                    let cleanup_end = self.u.b.new_label();
                    self.u.b.push_handler(cleanup_end, 0);
                    self.push_fblock(FBlockKind::HandlerCleanup(Some(name)), base);
                    self.compile_body(&h.body)?;
                    self.pop_fblock();
                    self.u.b.pop_handler();
                    self.set_span(h.span);
                    let saved = self.u.b.truncate_handlers(base);
                    self.emit(Instr::PopExcept);
                    self.clear_name(name)?;
                    self.u.b.jump(Instr::Jump, end);
                    self.u.b.restore_handlers(saved);
                    // The body raised: clear the name, re-raise (under C).
                    self.u.b.bind(cleanup_end);
                    self.clear_name(name)?;
                    self.emit(Instr::Reraise);
                }
                None => {
                    self.emit(Instr::Pop);
                    self.push_fblock(FBlockKind::HandlerCleanup(None), base);
                    self.compile_body(&h.body)?;
                    self.pop_fblock();
                    self.set_span(h.span);
                    let saved = self.u.b.truncate_handlers(base);
                    self.emit(Instr::PopExcept);
                    self.u.b.jump(Instr::Jump, end);
                    self.u.b.restore_handlers(saved);
                }
            }
            self.u.b.bind(next);
        }
        self.pop_fblock();
        self.set_span(span);
        self.emit(Instr::Reraise);
        self.u.b.pop_handler();
        self.emit_cleanup(cleanup);
        self.u.b.bind(end);
        Ok(())
    }

    /// `name = None; del name` after an `except ... as name` clause.
    fn clear_name(&mut self, name: &Ident) -> Result<()> {
        self.emit(Instr::LoadNone);
        self.name_op(&name.name, Ctx::Store)?;
        self.name_op(&name.name, Ctx::Del)
    }

    // ---- with --------------------------------------------------------

    pub(super) fn compile_with(
        &mut self,
        span: Span,
        is_async: bool,
        items: &'a [WithItem],
        body: &'a [Stmt],
    ) -> Result<()> {
        if is_async && !self.in_coroutine() {
            return self.error("'async with' outside async function", span);
        }
        let Some((item, rest)) = items.split_first() else {
            return self.error("'with' without items", span);
        };
        let handler = self.u.b.new_label();
        let cleanup = self.u.b.new_label();
        let suppress = self.u.b.new_label();
        let exit = self.u.b.new_label();

        self.compile_expr(&item.context)?;
        self.set_span(span);
        if is_async {
            self.emit(Instr::BeforeAsyncWith);
            self.emit_send_none();
        } else {
            self.emit(Instr::BeforeWith);
        }
        let base = self.u.b.handler_depth();
        // The handler keeps `exit` but not `__enter__`'s result.
        self.u.b.push_handler(handler, -1);
        self.push_fblock(FBlockKind::With { is_async, span }, base);
        match &item.target {
            Some(t) => self.store_target(t)?,
            None => self.emit(Instr::Pop),
        }
        if rest.is_empty() {
            self.compile_body(body)?;
        } else {
            self.compile_with(span, is_async, rest, body)?;
        }
        self.pop_fblock();
        self.u.b.pop_handler();

        // Normal exit: exit(None, None, None).
        self.set_span(span);
        self.call_exit_with_nones(is_async);
        self.emit(Instr::Pop);
        self.u.b.jump(Instr::Jump, exit);

        // `exit exc` on the stack.
        self.u.b.bind(handler);
        self.u.b.push_handler(cleanup, 0);
        self.emit(Instr::PushExcInfo);
        self.emit(Instr::WithExceptStart);
        if is_async {
            self.emit_aexit_await();
        }
        self.u.b.jump(Instr::PopJumpIfTrue, suppress);
        self.emit(Instr::Reraise);
        self.u.b.pop_handler();
        self.emit_cleanup(cleanup);
        // `__exit__` returned true: drop the exception and the exit.
        self.u.b.bind(suppress);
        self.emit(Instr::Pop);
        self.emit(Instr::PopExcept);
        self.emit(Instr::Pop);
        self.u.b.bind(exit);
        Ok(())
    }

    /// `exit => exit(None, None, None)`, awaited for `async with`.
    fn call_exit_with_nones(&mut self, is_async: bool) {
        self.emit(Instr::LoadNone);
        self.emit(Instr::LoadNone);
        self.emit(Instr::LoadNone);
        self.emit(Instr::Call(3));
        if is_async {
            self.emit_aexit_await();
        }
    }

    /// Awaits the result of `__aexit__` (its own TypeError message).
    fn emit_aexit_await(&mut self) {
        self.emit(Instr::GetAExitAwaitable);
        self.emit_send_none();
    }
}
