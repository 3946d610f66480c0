//! The compiler: AST -> code objects.
//!
//! [`compile_module`] first builds the symbol tables ([`scope`]), then walks
//! the AST once, emitting instructions for one code object at a time into a
//! [`builder::Builder`]. Each module, class body, function, lambda and
//! comprehension is a compilation *unit*; entering a nested one pushes the
//! current unit, and leaving it assembles a [`Code`] that becomes a child of
//! the enclosing unit (referenced by `MakeFunction`).
//!
//! The shapes follow CPython 3.11's compiler (`python3 -m dis` shows them),
//! adapted to aspy's instruction set: see `docs/design.md` ("Compiler") for
//! the unwinding scheme of `break`/`continue`/`return` and the handler
//! layouts of `try`, `with` and `async for`.
//!
//! Files: `scope/` (symbol tables), `builder.rs` (emission, labels,
//! exception table, stack depths), `stmt.rs` (statements, assignment
//! targets, imports), `control.rs` (loops, `try`, `with`, the frame-block
//! stack), `expr.rs` (expressions), `call.rs` (calls and displays),
//! `func.rs` (functions, lambdas, classes, comprehensions).
//!
//! Invariants: every instruction carries the span of the statement or
//! expression that produced it; the builder verifies the stack discipline
//! of every code object, so a bug here is an internal `CompileError`, not a
//! VM crash.

mod builder;
mod call;
mod control;
mod expr;
mod func;
pub mod scope;
mod stmt;

use crate::ast::{Expr, ExprKind, Module};
use crate::bytecode::{CaretAnchor, Code, CodeKind, Const, Instr};
use crate::diagnostics::CompileError;
use crate::span::{SourceMap, Span};
use builder::Builder;
use control::FBlock;
use scope::{mangle, NameScope, ScopeId, SymbolTable};
use std::collections::HashMap;
use std::rc::Rc;

type Result<T> = std::result::Result<T, CompileError>;

/// How a module is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompileMode {
    /// A script or imported file: a leading string is the module docstring.
    File,
    /// One REPL entry: top-level expression statements print their value
    /// (`PrintExpr`), and top-level `await`, `async for` and `async with`
    /// are allowed, making the module code a coroutine.
    Repl,
}

/// Compiles a parsed module into its code object (children included).
pub fn compile_module(
    module: &Module,
    source: SourceMap,
    mode: CompileMode,
) -> std::result::Result<Rc<Code>, CompileError> {
    let table = SymbolTable::build(module, mode == CompileMode::Repl)?;
    let mut c = Compiler {
        table: &table,
        source,
        mode,
        u: Unit::new(
            0,
            UnitKind::Module,
            "<module>",
            "<module>".into(),
            module.span,
        ),
        parents: Vec::new(),
        anchors: HashMap::new(),
    };
    c.compile_module_body(module)
}

/// What kind of body a unit compiles (CPython's `COMPILER_SCOPE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnitKind {
    Module,
    Class,
    Function,
    AsyncFunction,
    Lambda,
    Comprehension,
}

impl UnitKind {
    fn is_function_like(self) -> bool {
        !matches!(self, UnitKind::Module | UnitKind::Class)
    }
}

/// Name contexts, as in CPython's AST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Load,
    Store,
    Del,
}

/// One code object being compiled.
struct Unit<'a> {
    scope: ScopeId,
    kind: UnitKind,
    name: String,
    qualname: String,
    /// The enclosing class name, for private-name mangling.
    private: Option<String>,
    b: Builder,
    fblocks: Vec<FBlock<'a>>,
    children: Vec<Rc<Code>>,
    /// Slot of each local, cell and free name.
    slots: HashMap<String, u32>,
    varnames: Vec<Rc<str>>,
    cell_slots: Vec<u32>,
    nfree: u32,
    argcount: u32,
    posonlyargcount: u32,
    kwonlyargcount: u32,
    varargs: bool,
    varkeywords: bool,
    docstring: Option<Rc<str>>,
    code_kind: CodeKind,
    span: Span,
}

impl<'a> Unit<'a> {
    fn new(scope: ScopeId, kind: UnitKind, name: &str, qualname: String, span: Span) -> Unit<'a> {
        Unit {
            scope,
            kind,
            name: name.to_string(),
            qualname,
            private: None,
            b: Builder::new(span),
            fblocks: Vec::new(),
            children: Vec::new(),
            slots: HashMap::new(),
            varnames: Vec::new(),
            cell_slots: Vec::new(),
            nfree: 0,
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            varargs: false,
            varkeywords: false,
            docstring: None,
            code_kind: CodeKind::Module,
            span,
        }
    }

    fn add_slot(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.slots.get(name) {
            return s;
        }
        let s = self.varnames.len() as u32;
        self.varnames.push(Rc::from(name));
        self.slots.insert(name.to_string(), s);
        s
    }
}

/// The compiler state: the unit being compiled and its enclosing units.
struct Compiler<'a> {
    table: &'a SymbolTable,
    source: SourceMap,
    mode: CompileMode,
    u: Unit<'a>,
    parents: Vec<Unit<'a>>,
    /// Caret anchors of the binary operations and subscripts compiled so
    /// far, by span: every instruction whose span is one of these gets it.
    anchors: HashMap<Span, CaretAnchor>,
}

impl<'a> Compiler<'a> {
    // ---- errors ------------------------------------------------------

    fn error<T>(&self, msg: impl Into<String>, span: Span) -> Result<T> {
        Err(CompileError::syntax(msg, span))
    }

    // ---- emission helpers --------------------------------------------

    fn emit(&mut self, instr: Instr) {
        self.u.b.emit(instr);
    }

    /// Sets the span of the following instructions, returning the old one.
    fn set_span(&mut self, span: Span) -> Span {
        std::mem::replace(&mut self.u.b.span, span)
    }

    /// CPython 3.11's `update_start_location_to_match_attr`: an attribute
    /// access or method call (current span `span`) whose attribute name
    /// `attr` ends the expression `attr_expr` on a later line than `span`
    /// starts is located from the name on (as CPython does, the name's
    /// length in characters is subtracted from its end's byte offset).
    fn attr_span(&self, span: Span, attr_expr: &Expr, attr: &str) -> Span {
        let end = attr_expr.span.end;
        let line = self.source.line_of(end);
        if self.source.line_of(span.start) == line {
            return span;
        }
        let len = attr.chars().count();
        let col = end as usize - self.source.line_start(line);
        if len > col {
            return span;
        }
        let start = end - len as u32;
        Span {
            start,
            end: span.end.max(start),
        }
    }

    /// Remembers the caret anchor of a binary operation or subscript, for
    /// the instructions that will carry its span.
    fn note_anchor(&mut self, e: &Expr) {
        let anchor = match &e.kind {
            ExprKind::BinOp { left, right, .. } => CaretAnchor::BinOp {
                left_end: left.span.end,
                right_start: right.span.start,
            },
            ExprKind::Subscript { value, slice } => CaretAnchor::Subscript {
                value_end: value.span.end,
                slice_end: slice.span.end,
            },
            _ => return,
        };
        self.anchors.insert(e.span, anchor);
    }

    fn load_const(&mut self, c: Const) {
        let i = self.u.b.add_const(c);
        self.emit(Instr::LoadConst(i));
    }

    fn load_str(&mut self, s: &str) {
        self.load_const(Const::Str(Rc::from(s)));
    }

    /// Index of `name` in the name table, mangled.
    fn name_index(&mut self, name: &str) -> u32 {
        let m = mangle(self.u.private.as_deref(), name);
        self.u.b.add_name(&m)
    }

    fn scope(&self) -> &'a scope::Scope {
        &self.table.scopes[self.u.scope]
    }

    /// Loads, stores or deletes a name, choosing the instruction from the
    /// symbol table as CPython's `compiler_nameop` does.
    fn name_op(&mut self, name: &str, ctx: Ctx) -> Result<()> {
        let mangled = mangle(self.u.private.as_deref(), name).into_owned();
        let function_like = self.u.kind.is_function_like();
        let scope = self.scope().scope_of(&mangled);
        let instr = match scope {
            Some(NameScope::Free | NameScope::Cell) => {
                let slot = self.slot_of(&mangled)?;
                match ctx {
                    Ctx::Load if self.u.kind == UnitKind::Class => Instr::LoadClassDeref(slot),
                    Ctx::Load => Instr::LoadDeref(slot),
                    Ctx::Store => Instr::StoreDeref(slot),
                    Ctx::Del => Instr::DeleteDeref(slot),
                }
            }
            Some(NameScope::Local) if function_like => {
                let slot = self.slot_of(&mangled)?;
                match ctx {
                    Ctx::Load => Instr::LoadLocal(slot),
                    Ctx::Store => Instr::StoreLocal(slot),
                    Ctx::Del => Instr::DeleteLocal(slot),
                }
            }
            Some(NameScope::GlobalExplicit) | Some(NameScope::GlobalImplicit) | None
                if function_like || scope == Some(NameScope::GlobalExplicit) =>
            {
                let i = self.u.b.add_name(&mangled);
                match ctx {
                    Ctx::Load => Instr::LoadGlobal(i),
                    Ctx::Store => Instr::StoreGlobal(i),
                    Ctx::Del => Instr::DeleteGlobal(i),
                }
            }
            _ => {
                let i = self.u.b.add_name(&mangled);
                match ctx {
                    Ctx::Load => Instr::LoadName(i),
                    Ctx::Store => Instr::StoreName(i),
                    Ctx::Del => Instr::DeleteName(i),
                }
            }
        };
        self.emit(instr);
        Ok(())
    }

    fn slot_of(&self, mangled: &str) -> Result<u32> {
        match self.u.slots.get(mangled) {
            Some(&s) => Ok(s),
            None => self.error(
                format!("internal compiler error: no slot for '{mangled}'"),
                self.u.b.span,
            ),
        }
    }

    // ---- units -------------------------------------------------------

    /// Starts compiling a nested body. Slots are laid out as `Code`
    /// documents: parameters, other locals (cells included), free variables.
    fn enter_unit(&mut self, scope_id: ScopeId, kind: UnitKind, name: &str, span: Span) {
        let qualname = self.qualname_for(kind, name);
        let mut unit = Unit::new(scope_id, kind, name, qualname, span);
        unit.private = self.u.private.clone();
        let scope = &self.table.scopes[scope_id];
        if kind.is_function_like() {
            for p in &scope.params {
                unit.add_slot(p);
            }
            for l in scope.other_locals() {
                unit.add_slot(&l);
            }
            for sym in &scope.symbols {
                if sym.scope == Some(NameScope::Cell) {
                    let slot = unit.add_slot(&sym.name);
                    unit.cell_slots.push(slot);
                }
            }
        } else if kind == UnitKind::Class && scope.needs_class_closure {
            let slot = unit.add_slot("__class__");
            unit.cell_slots.push(slot);
        }
        let free = scope.free_vars();
        unit.nfree = free.len() as u32;
        for f in free {
            // A class may both bind a name and pass it on as free: the
            // free slot is the one closures use.
            let slot = unit.varnames.len() as u32;
            unit.varnames.push(Rc::from(f.as_str()));
            unit.slots.insert(f, slot);
        }
        let parent = std::mem::replace(&mut self.u, unit);
        self.parents.push(parent);
    }

    /// CPython's `compiler_set_qualname`.
    fn qualname_for(&self, kind: UnitKind, name: &str) -> String {
        if self.u.kind == UnitKind::Module {
            return name.to_string();
        }
        if matches!(
            kind,
            UnitKind::Function | UnitKind::AsyncFunction | UnitKind::Class
        ) {
            let mangled = mangle(self.u.private.as_deref(), name);
            if self.scope().scope_of(&mangled) == Some(NameScope::GlobalExplicit) {
                return name.to_string();
            }
        }
        match self.u.kind {
            UnitKind::Function | UnitKind::AsyncFunction | UnitKind::Lambda => {
                format!("{}.<locals>.{name}", self.u.qualname)
            }
            _ => format!("{}.{name}", self.u.qualname),
        }
    }

    /// Finishes the current unit and returns its code, back in the parent.
    fn exit_unit(&mut self) -> Result<Rc<Code>> {
        let code = self.assemble()?;
        match self.parents.pop() {
            Some(parent) => {
                self.u = parent;
                Ok(code)
            }
            None => self.error("internal compiler error: unit stack empty", code.span),
        }
    }

    /// Builds the `Code` of the current unit.
    fn assemble(&mut self) -> Result<Rc<Code>> {
        let span = self.u.span;
        let asm = self
            .u
            .b
            .finish()
            .map_err(|e| CompileError::syntax(format!("internal compiler error: {e}"), span))?;
        let (consts, names) = self.u.b.take_tables();
        let anchors = asm
            .spans
            .iter()
            .enumerate()
            .filter_map(|(i, sp)| self.anchors.get(sp).map(|&a| (i as u32, a)))
            .collect();
        let u = &mut self.u;
        Ok(Rc::new(Code {
            kind: u.code_kind,
            name: Rc::from(u.name.as_str()),
            qualname: Rc::from(u.qualname.as_str()),
            argcount: u.argcount,
            posonlyargcount: u.posonlyargcount,
            kwonlyargcount: u.kwonlyargcount,
            varargs: u.varargs,
            varkeywords: u.varkeywords,
            varnames: std::mem::take(&mut u.varnames),
            cell_slots: std::mem::take(&mut u.cell_slots),
            nfree: u.nfree,
            names,
            consts,
            children: std::mem::take(&mut u.children),
            instrs: asm.instrs,
            spans: asm.spans,
            anchors,
            exception_table: asm.exception_table,
            max_stack: asm.max_stack,
            docstring: u.docstring.clone(),
            source: self.source.clone(),
            span,
        }))
    }

    /// Adds a finished child code object and returns its index.
    fn add_child(&mut self, code: Rc<Code>) -> Result<u16> {
        let i = self.u.children.len();
        if i > u16::MAX as usize {
            return self.error("too many nested functions in one body", code.span);
        }
        self.u.children.push(code);
        Ok(i as u16)
    }

    /// Pushes the closure tuple for `code` (a `LoadClosure` per free
    /// variable, from this unit's cell or free slot) and returns the
    /// `MakeFunction` flag to add (0 when there are no free variables).
    fn emit_closure(&mut self, code: &Code) -> Result<u16> {
        if code.nfree == 0 {
            return Ok(0);
        }
        let first = code.varnames.len() - code.nfree as usize;
        for name in &code.varnames[first..] {
            // A class body's own `__class__` cell, not a free variable of
            // the same name it may also have.
            let slot = match self.u.cell_slots.first() {
                Some(&cell) if self.u.kind == UnitKind::Class && &**name == "__class__" => cell,
                _ => self.slot_of(name)?,
            };
            self.emit(Instr::LoadClosure(slot));
        }
        self.emit(Instr::BuildTuple(code.nfree));
        Ok(crate::bytecode::opcode::MAKE_FN_CLOSURE)
    }

    // ---- the module --------------------------------------------------

    fn compile_module_body(&mut self, module: &'a Module) -> Result<Rc<Code>> {
        let root = self.table.root();
        self.u.code_kind = if root.is_coroutine {
            CodeKind::Coroutine
        } else {
            CodeKind::Module
        };
        let body: &[crate::ast::Stmt] = &module.body;
        self.setup_annotations(body)?;
        let rest = if self.mode == CompileMode::File {
            self.docstring_prologue(body)?
        } else {
            body
        };
        self.compile_body(rest)?;
        let end = body.last().map_or(module.span, |s| s.span);
        self.set_span(end);
        self.emit(Instr::LoadNone);
        self.emit(Instr::ReturnValue);
        self.assemble()
    }

    /// For module and class bodies: stores a leading string literal as
    /// `__doc__` and returns the remaining statements.
    fn docstring_prologue(
        &mut self,
        body: &'a [crate::ast::Stmt],
    ) -> Result<&'a [crate::ast::Stmt]> {
        let Some(doc) = docstring_of(body) else {
            return Ok(body);
        };
        self.u.docstring = Some(Rc::from(doc));
        let saved = self.set_span(body[0].span);
        self.load_str(doc);
        self.name_op("__doc__", Ctx::Store)?;
        self.set_span(saved);
        Ok(&body[1..])
    }

    /// CPython's `SETUP_ANNOTATIONS`: a module or class body that annotates
    /// a variable anywhere (outside nested functions and classes) starts by
    /// binding `__annotations__` to a new dict.
    fn setup_annotations(&mut self, body: &'a [crate::ast::Stmt]) -> Result<()> {
        if !body.iter().any(has_annotation) {
            return Ok(());
        }
        let saved = self.set_span(body[0].span);
        self.emit(Instr::BuildMap(0));
        self.name_op("__annotations__", Ctx::Store)?;
        self.set_span(saved);
        Ok(())
    }

    /// True when top-level code is being compiled in REPL mode.
    fn is_repl_top(&self) -> bool {
        self.mode == CompileMode::Repl && self.u.kind == UnitKind::Module
    }

    /// Can this unit suspend on `await`?
    fn in_coroutine(&self) -> bool {
        matches!(
            self.u.code_kind,
            CodeKind::Coroutine | CodeKind::AsyncGenerator
        ) || self.is_repl_top()
    }
}

/// Does this statement annotate a variable (CPython's `find_ann`)?
fn has_annotation(s: &crate::ast::Stmt) -> bool {
    use crate::ast::StmtKind;
    let any = |b: &[crate::ast::Stmt]| b.iter().any(has_annotation);
    match &s.kind {
        StmtKind::AnnAssign { .. } => true,
        StmtKind::If { body, orelse, .. }
        | StmtKind::While { body, orelse, .. }
        | StmtKind::For { body, orelse, .. } => any(body) || any(orelse),
        StmtKind::With { body, .. } => any(body),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => any(body) || handlers.iter().any(|h| any(&h.body)) || any(orelse) || any(finalbody),
        _ => false,
    }
}

/// The docstring of a body: a leading plain string literal.
fn docstring_of(body: &[crate::ast::Stmt]) -> Option<&str> {
    use crate::ast::{Constant, ExprKind, StmtKind};
    match &body.first()?.kind {
        StmtKind::Expr(e) => match &e.kind {
            ExprKind::Constant(Constant::Str(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}
