//! Calls and displays.
//!
//! Calls take one of four shapes, as in CPython 3.11:
//! - `obj.m(a, b)` (no keywords, no unpacking): `LoadMethod` + `CallMethod`;
//! - `f(a, b)`: `Call(n)`;
//! - `f(a, k=v)`: `CallKw(n)` with a constant tuple of keyword names;
//! - anything with `*args` or `**kwargs`: `CallEx`, the positional tuple
//!   built with `BuildList`/`ListAppend`/`ListExtend`/`ListToTuple` and the
//!   keyword dict with `BuildMap`/`DictMerge`.
//!
//! Displays (`[..]`, `(..)`, `{..}`) with `*x` / `**m` unpacking, or with
//! more than 30 items, are built incrementally so the stack stays small.

use super::{Compiler, Result};
use crate::ast::{DictItem, Expr, ExprKind, Keyword};
use crate::bytecode::{Const, Instr};
use crate::span::Span;
use std::rc::Rc;

/// Above this many items a display is built incrementally (CPython's
/// `STACK_USE_GUIDELINE`).
const STACK_USE_GUIDELINE: usize = 30;

/// What a display builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Display {
    List,
    Tuple,
    Set,
}

pub(super) fn is_starred(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Starred(_))
}

impl<'a> Compiler<'a> {
    pub(super) fn compile_call(
        &mut self,
        call: &'a Expr,
        func: &'a Expr,
        args: &'a [Expr],
        keywords: &'a [Keyword],
    ) -> Result<()> {
        let mut span = call.span;
        if let ExprKind::Attribute { value, attr } = &func.kind {
            if keywords.is_empty() && !args.iter().any(is_starred) {
                self.compile_expr(value)?;
                self.set_span(self.attr_span(func.span, func, &attr.name));
                let i = self.name_index(&attr.name);
                self.emit(Instr::LoadMethod(i));
                for a in args {
                    self.compile_expr(a)?;
                }
                self.set_span(self.attr_span(call.span, func, &attr.name));
                self.emit(Instr::CallMethod(args.len() as u32));
                return Ok(());
            }
            // CPython makes this a method call too, located the same way.
            if !args.iter().any(is_starred) && keywords.iter().all(|k| k.arg.is_some()) {
                span = self.attr_span(call.span, func, &attr.name);
            }
        }
        self.compile_expr(func)?;
        self.call_helper(span, 0, args, keywords)
    }

    /// Pushes the arguments and emits the call. `pushed` positional
    /// arguments are already on the stack (the class body and name for
    /// `__build_class__`).
    pub(super) fn call_helper(
        &mut self,
        span: Span,
        pushed: u32,
        args: &'a [Expr],
        keywords: &'a [Keyword],
    ) -> Result<()> {
        let has_star = args.iter().any(is_starred);
        let has_double_star = keywords.iter().any(|k| k.arg.is_none());
        if !has_star && !has_double_star {
            for a in args {
                self.compile_expr(a)?;
            }
            let n = pushed + args.len() as u32;
            if keywords.is_empty() {
                self.set_span(span);
                self.emit(Instr::Call(n));
                return Ok(());
            }
            let mut names = Vec::with_capacity(keywords.len());
            for k in keywords {
                self.compile_expr(&k.value)?;
                if let Some(arg) = &k.arg {
                    names.push(Const::Str(Rc::from(arg.name.as_str())));
                }
            }
            self.set_span(span);
            self.load_const(Const::Tuple(Rc::from(names)));
            self.emit(Instr::CallKw(n + keywords.len() as u32));
            return Ok(());
        }
        match args {
            // A lone `*x` is passed as it is (CallEx makes the tuple).
            [only] if pushed == 0 && is_starred(only) => {
                if let ExprKind::Starred(value) = &only.kind {
                    self.compile_expr(value)?;
                }
            }
            _ => self.starunpack(args, pushed, Display::Tuple)?,
        }
        if keywords.is_empty() {
            self.set_span(span);
            self.emit(Instr::CallEx(0));
            return Ok(());
        }
        self.compile_kwargs_dict(keywords)?;
        self.set_span(span);
        self.emit(Instr::CallEx(1));
        Ok(())
    }

    /// The `**kwargs` dict of a `CallEx`: runs of `name=value` become
    /// `BuildMap`s, merged (with duplicate checks) by `DictMerge`.
    fn compile_kwargs_dict(&mut self, keywords: &'a [Keyword]) -> Result<()> {
        let mut have_dict = false;
        let mut run: Vec<&'a Keyword> = Vec::new();
        for k in keywords {
            if k.arg.is_some() {
                run.push(k);
                continue;
            }
            if !run.is_empty() {
                self.compile_keyword_run(&run)?;
                if have_dict {
                    self.emit(Instr::DictMerge(1));
                }
                have_dict = true;
                run.clear();
            }
            if !have_dict {
                self.emit(Instr::BuildMap(0));
                have_dict = true;
            }
            self.compile_expr(&k.value)?;
            self.emit(Instr::DictMerge(1));
        }
        if !run.is_empty() {
            self.compile_keyword_run(&run)?;
            if have_dict {
                self.emit(Instr::DictMerge(1));
            }
        }
        Ok(())
    }

    fn compile_keyword_run(&mut self, run: &[&'a Keyword]) -> Result<()> {
        for k in run {
            if let Some(arg) = &k.arg {
                self.load_str(&arg.name);
            }
            self.compile_expr(&k.value)?;
        }
        self.emit(Instr::BuildMap(run.len() as u32));
        Ok(())
    }

    /// A list, tuple or set display (or a call's positional tuple, with
    /// `pushed` items already on the stack), CPython's `starunpack_helper`.
    pub(super) fn starunpack(
        &mut self,
        elts: &'a [Expr],
        pushed: u32,
        kind: Display,
    ) -> Result<()> {
        let big = elts.len() + pushed as usize > STACK_USE_GUIDELINE;
        let seen_star = elts.iter().any(is_starred);
        let span = self.u.b.span;
        if kind == Display::Set && pushed == 0 && elts.len() > 2 {
            // As CPython: a display of constants is an empty set updated
            // from a frozenset constant (which decides the element order).
            let consts: Option<Vec<Const>> = elts.iter().map(|e| self.constant_of(e)).collect();
            if let Some(consts) = consts {
                self.emit(Instr::BuildSet(0));
                self.load_const(Const::FrozenSet(Rc::from(consts)));
                self.emit(Instr::SetUpdate(1));
                return Ok(());
            }
        }
        if !seen_star && !big {
            for e in elts {
                self.compile_expr(e)?;
            }
            let n = elts.len() as u32 + pushed;
            self.emit(match kind {
                Display::List => Instr::BuildList(n),
                Display::Tuple => Instr::BuildTuple(n),
                Display::Set => Instr::BuildSet(n),
            });
            return Ok(());
        }
        let build = |n| match kind {
            Display::Set => Instr::BuildSet(n),
            _ => Instr::BuildList(n),
        };
        let mut built = false;
        if big {
            self.emit(build(pushed));
            built = true;
        }
        for (i, e) in elts.iter().enumerate() {
            if let ExprKind::Starred(value) = &e.kind {
                if !built {
                    self.emit(build(i as u32 + pushed));
                    built = true;
                }
                self.compile_expr(value)?;
                self.emit(match kind {
                    Display::Set => Instr::SetUpdate(1),
                    _ => Instr::ListExtend(1),
                });
            } else {
                self.compile_expr(e)?;
                if built {
                    self.emit(match kind {
                        Display::Set => Instr::SetAdd(1),
                        _ => Instr::ListAppend(1),
                    });
                }
            }
        }
        self.set_span(span);
        if kind == Display::Tuple {
            self.emit(Instr::ListToTuple);
        }
        Ok(())
    }

    /// A dict display: runs of `k: v` pairs become `BuildMap`s (at most 16
    /// pairs each), combined with `**m` by `DictUpdate`.
    pub(super) fn compile_dict(&mut self, items: &'a [DictItem]) -> Result<()> {
        let mut have_dict = false;
        let mut pending = 0u32;
        let span = self.u.b.span;
        for item in items {
            match item {
                DictItem::KeyValue(k, v) => {
                    self.compile_expr(k)?;
                    self.compile_expr(v)?;
                    pending += 1;
                    if pending as usize * 2 > STACK_USE_GUIDELINE {
                        self.flush_pairs(&mut pending, &mut have_dict);
                    }
                }
                DictItem::Unpack(m) => {
                    if pending > 0 {
                        self.flush_pairs(&mut pending, &mut have_dict);
                    }
                    if !have_dict {
                        self.emit(Instr::BuildMap(0));
                        have_dict = true;
                    }
                    self.compile_expr(m)?;
                    self.set_span(span);
                    self.emit(Instr::DictUpdate(1));
                }
            }
        }
        if pending > 0 || !have_dict {
            self.flush_pairs(&mut pending, &mut have_dict);
        }
        Ok(())
    }

    fn flush_pairs(&mut self, pending: &mut u32, have_dict: &mut bool) {
        self.emit(Instr::BuildMap(*pending));
        if *have_dict {
            self.emit(Instr::DictUpdate(1));
        }
        *have_dict = true;
        *pending = 0;
    }
}
