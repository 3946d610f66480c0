//! Which scopes of the compile-time checks must record every use and
//! binding of their names.
//!
//! The checks of `validate` keep a table of name flags per scope. Uses and
//! bindings matter only to `global`/`nonlocal` checks: a declaration after
//! a use or binding in the same scope, and a `nonlocal` that looks for a
//! binding in the functions around it. A scope without its own
//! declarations and without a `nonlocal` nested in it never reads them, so
//! it records only parameters (for duplicate-parameter errors). Most
//! scopes are of that kind, and recording was a hash-table update per
//! name in the module.

use crate::ast::{Stmt, StmtKind};

/// Whether the scope whose statements are `body` must record every use
/// and binding of its names: only when it declares names itself (`global`,
/// `nonlocal`: "used prior to global declaration" and the like) or a
/// function nested in it has a `nonlocal`, which looks for a binding here.
/// Otherwise the only flag ever read back is `PARAM` (duplicate
/// parameters), always recorded, and the checks skip a hash-table update
/// per name.
pub(super) fn records_names(body: &[Stmt]) -> bool {
    let mut found = Declarations::default();
    found.visit(body, false);
    found.own || found.nested_nonlocal
}

/// The declarations found in the statements of a scope (see
/// [`records_names`]).
#[derive(Default)]
struct Declarations {
    /// `global` or `nonlocal` in the scope itself.
    own: bool,
    /// `nonlocal` in a function or class nested in it, at any depth.
    nested_nonlocal: bool,
}

impl Declarations {
    /// Statements only: no expression holds a statement.
    fn visit(&mut self, body: &[Stmt], nested: bool) {
        for s in body {
            if self.own && self.nested_nonlocal {
                return;
            }
            match &s.kind {
                StmtKind::Global(_) => self.own |= !nested,
                StmtKind::Nonlocal(_) => {
                    self.own |= !nested;
                    self.nested_nonlocal |= nested;
                }
                StmtKind::If { body, orelse, .. }
                | StmtKind::While { body, orelse, .. }
                | StmtKind::For { body, orelse, .. } => {
                    self.visit(body, nested);
                    self.visit(orelse, nested);
                }
                StmtKind::With { body, .. } => self.visit(body, nested),
                StmtKind::FunctionDef(f) => self.visit(&f.body, true),
                StmtKind::ClassDef(c) => self.visit(&c.body, true),
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    self.visit(body, nested);
                    for h in handlers {
                        self.visit(&h.body, nested);
                    }
                    self.visit(orelse, nested);
                    self.visit(finalbody, nested);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{parse_module, ParseMode};
    use crate::span::SourceFile;

    fn records(src: &str) -> bool {
        let m = parse_module(&SourceFile::new("t", src.to_string()), ParseMode::File).unwrap();
        records_names(&m.body)
    }

    #[test]
    fn own_declarations_and_nested_nonlocals_record() {
        assert!(!records("x = 1\ndef f():\n    global x\n"));
        assert!(records("global x\nx = 1\n"));
        assert!(records("if a:\n    for b in c:\n        global x\n"));
        assert!(records(
            "def f():\n    def g():\n        nonlocal y\n    y = 1\n"
        ));
        assert!(records(
            "def f():\n    z = 1\n    class C:\n        def m(self):\n            nonlocal z\n"
        ));
        assert!(!records(
            "def f():\n    x = [y for y in z]\n    return lambda: x\n"
        ));
    }
}
