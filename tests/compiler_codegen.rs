//! Compiler properties that snapshots do not state directly: code kinds,
//! parameter and slot layout, qualnames, docstrings, line numbers, errors
//! instead of panics on ASTs the compiler cannot handle, deep nesting, and
//! structural invariants of every code object compiled from the
//! conformance programs.

use aspy::ast::{BinOp, Constant, Expr, ExprKind, Module, Stmt, StmtKind};
use aspy::bytecode::{Code, CodeKind, Instr};
use aspy::compiler::{compile_module, CompileMode};
use aspy::parser::{parse_module, ParseMode};
use aspy::span::{SourceFile, Span};
use num_bigint::BigInt;
use std::path::Path;
use std::rc::Rc;
use thin_vec::thin_vec;

fn compile(src: &str) -> Rc<Code> {
    let file = SourceFile::new("t.aspy", src);
    let module = parse_module(&file, ParseMode::File).expect("parses");
    compile_module(&module, file.clone(), CompileMode::File).expect("compiles")
}

/// The nested code object with this qualname (depth first).
fn find<'c>(code: &'c Code, qualname: &str) -> &'c Code {
    fn walk<'c>(code: &'c Code, qualname: &str) -> Option<&'c Code> {
        if &*code.qualname == qualname {
            return Some(code);
        }
        code.children.iter().find_map(|c| walk(c, qualname))
    }
    walk(code, qualname).unwrap_or_else(|| panic!("no code object {qualname}"))
}

fn names(v: &[Rc<str>]) -> Vec<&str> {
    v.iter().map(|s| &**s).collect()
}

#[test]
fn code_kinds() {
    let code = compile(
        "def f(): pass\n\
         def g(): yield\n\
         async def c(): await x\n\
         async def ag(): yield 1\n\
         class K: pass\n\
         gen = (i for i in ())\n\
         agen = (i async for i in x)\n\
         async def h(): return [i async for i in x]\n",
    );
    assert_eq!(code.kind, CodeKind::Module);
    assert_eq!(find(&code, "f").kind, CodeKind::Function);
    assert_eq!(find(&code, "g").kind, CodeKind::Generator);
    assert_eq!(find(&code, "c").kind, CodeKind::Coroutine);
    assert_eq!(find(&code, "ag").kind, CodeKind::AsyncGenerator);
    assert_eq!(find(&code, "K").kind, CodeKind::Class);
    assert_eq!(code.children[5].kind, CodeKind::Generator);
    assert_eq!(code.children[6].kind, CodeKind::AsyncGenerator);
    assert_eq!(
        find(&code, "h.<locals>.<listcomp>").kind,
        CodeKind::Coroutine
    );
}

#[test]
fn parameters_and_slots() {
    let code = compile(
        "def f(a, b=1, /, c=2, *args, d, e=3, **kw):\n    local = 1\n    def g():\n        return b, local\n    return g\n",
    );
    let f = find(&code, "f");
    assert_eq!(f.argcount, 3);
    assert_eq!(f.posonlyargcount, 2);
    assert_eq!(f.kwonlyargcount, 2);
    assert!(f.varargs && f.varkeywords);
    assert_eq!(
        names(&f.varnames),
        vec!["a", "b", "c", "d", "e", "args", "kw", "local", "g"]
    );
    // `b` is a captured parameter, `local` a captured local.
    assert_eq!(f.cell_slots, vec![1, 7]);
    assert_eq!(f.nfree, 0);
    let g = find(&code, "f.<locals>.g");
    assert_eq!(names(&g.varnames), vec!["b", "local"]);
    assert_eq!(g.nfree, 2);
    assert!(g.cell_slots.is_empty());
}

#[test]
fn class_cell_and_free_slots() {
    let code = compile("class A:\n    def m(self):\n        return super().m()\n");
    let a = find(&code, "A");
    assert_eq!(names(&a.varnames), vec!["__class__"]);
    assert_eq!(a.cell_slots, vec![0]);
    // The body returns the cell, not None.
    let n = a.instrs.len();
    assert_eq!(
        &a.instrs[n - 2..],
        &[Instr::LoadClosure(0), Instr::ReturnValue]
    );
    let m = find(&code, "A.m");
    assert_eq!(names(&m.varnames), vec!["self", "__class__"]);
    assert_eq!(m.nfree, 1);
}

#[test]
fn qualnames() {
    let code = compile(
        "def f():\n    def g():\n        return lambda: [x for x in ()]\n    class C:\n        def m(self): pass\n    return g, C\n\
         class D:\n    def n(self): pass\n    class E:\n        pass\n\
         def h():\n    global k\n    def k(): pass\n",
    );
    for q in [
        "f",
        "f.<locals>.g",
        "f.<locals>.g.<locals>.<lambda>",
        "f.<locals>.g.<locals>.<lambda>.<locals>.<listcomp>",
        "f.<locals>.C",
        "f.<locals>.C.m",
        "D.n",
        "D.E",
        "k",
    ] {
        assert_eq!(&*find(&code, q).qualname, q);
    }
    assert_eq!(
        &*find(&code, "f.<locals>.g.<locals>.<lambda>").name,
        "<lambda>"
    );
}

#[test]
fn docstrings() {
    let code = compile("'mod'\ndef f():\n    'fun'\n    return 1\nclass C:\n    'cls'\ndef g():\n    f'not {a} doc'\n");
    assert_eq!(code.docstring.as_deref(), Some("mod"));
    assert_eq!(find(&code, "f").docstring.as_deref(), Some("fun"));
    assert_eq!(find(&code, "C").docstring.as_deref(), Some("cls"));
    assert_eq!(find(&code, "g").docstring, None);
}

#[test]
fn repl_has_no_docstring_and_prints_expressions() {
    let file = SourceFile::new("<stdin>", "'text'\n");
    let module = parse_module(&file, ParseMode::Repl).unwrap();
    let code = compile_module(&module, file.clone(), CompileMode::Repl).unwrap();
    assert_eq!(code.docstring, None);
    assert_eq!(code.instrs[1], Instr::PrintExpr);
    assert_eq!(code.kind, CodeKind::Module);
}

#[test]
fn instructions_carry_their_expression_lines() {
    let code = compile("x = (\n    a.\n    b(\n        c,\n    )\n)\n");
    let line_of = |pred: &dyn Fn(&Instr) -> bool| {
        let i = code.instrs.iter().position(pred).expect("instruction");
        code.line_of(i)
    };
    assert_eq!(line_of(&|i| matches!(i, Instr::LoadName(_))), 2);
    // As in CPython 3.11, a method name on a later line than its object
    // locates the method load and the call (`python3 -m dis` shows line 3).
    assert_eq!(line_of(&|i| matches!(i, Instr::LoadMethod(_))), 3);
    assert_eq!(line_of(&|i| matches!(i, Instr::CallMethod(_))), 3);
    assert_eq!(line_of(&|i| matches!(i, Instr::StoreName(_))), 1);
    let c = code
        .instrs
        .iter()
        .rposition(|i| matches!(i, Instr::LoadName(_)))
        .unwrap();
    assert_eq!(code.line_of(c), 4);
}

fn sp() -> Span {
    Span::default()
}

fn stmt(kind: StmtKind) -> Stmt {
    Stmt::new(kind, sp())
}

fn expr(kind: ExprKind) -> Expr {
    Expr::new(kind, sp())
}

fn int(i: i64) -> Expr {
    expr(ExprKind::Constant(Constant::Int(BigInt::from(i))))
}

fn compile_ast(body: Vec<Stmt>, mode: CompileMode) -> Result<Rc<Code>, String> {
    let module = Module { body, span: sp() };
    compile_module(&module, SourceFile::new("t", ""), mode).map_err(|e| e.last_line())
}

#[test]
fn invalid_asts_are_errors_not_panics() {
    let cases: Vec<(Vec<Stmt>, &str)> = vec![
        (
            vec![stmt(StmtKind::Break)],
            "SyntaxError: 'break' outside loop",
        ),
        (
            vec![stmt(StmtKind::Continue)],
            "SyntaxError: 'continue' not properly in loop",
        ),
        (
            vec![stmt(StmtKind::Return(None))],
            "SyntaxError: 'return' outside function",
        ),
        (
            vec![stmt(StmtKind::Expr(expr(ExprKind::Await(Box::new(int(
                1,
            ))))))],
            "SyntaxError: 'await' outside function",
        ),
        (
            vec![stmt(StmtKind::Expr(expr(ExprKind::Yield(None))))],
            "SyntaxError: 'yield' outside function",
        ),
        (
            vec![stmt(StmtKind::Expr(expr(ExprKind::Starred(Box::new(
                int(1),
            )))))],
            "SyntaxError: can't use starred expression here",
        ),
        (
            vec![stmt(StmtKind::Assign {
                targets: thin_vec![expr(ExprKind::Tuple(vec![
                    expr(ExprKind::Starred(Box::new(expr(ExprKind::Name(
                        "a".into(),
                    ))))),
                    expr(ExprKind::Starred(Box::new(expr(ExprKind::Name(
                        "b".into(),
                    ))))),
                ]))],
                value: int(1),
            })],
            "SyntaxError: multiple starred expressions in assignment",
        ),
        (
            vec![stmt(StmtKind::Assign {
                targets: thin_vec![int(1)],
                value: int(1),
            })],
            "SyntaxError: cannot assign to expression",
        ),
        (
            vec![stmt(StmtKind::Nonlocal(thin_vec![aspy::ast::Ident {
                name: "x".into(),
                span: sp(),
            }]))],
            "SyntaxError: nonlocal declaration not allowed at module level",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(compile_ast(body, CompileMode::File).unwrap_err(), expected);
    }
    // The same top-level await is fine in the REPL.
    let awaited = vec![stmt(StmtKind::Expr(expr(ExprKind::Await(Box::new(int(
        1,
    ))))))];
    let code = compile_ast(awaited, CompileMode::Repl).unwrap();
    assert_eq!(code.kind, CodeKind::Coroutine);
}

/// `1 + (1 + (1 + ...))` nested `depth` times.
fn nested_sum(depth: usize) -> Expr {
    let mut e = int(1);
    for _ in 0..depth {
        e = expr(ExprKind::BinOp {
            left: Box::new(int(1)),
            op: BinOp::Add,
            right: Box::new(e),
        });
    }
    e
}

#[test]
fn deeply_nested_expressions_compile_on_a_64mb_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let sum = stmt(StmtKind::Expr(nested_sum(500)));
            let code = compile_ast(vec![sum], CompileMode::File).unwrap();
            // Each level keeps its left operand on the stack.
            assert_eq!(code.max_stack, 501);

            let mut list = int(0);
            for _ in 0..500 {
                list = expr(ExprKind::List(vec![list]));
            }
            let mut not = expr(ExprKind::Name("x".into()));
            for _ in 0..500 {
                not = expr(ExprKind::UnaryOp {
                    op: aspy::ast::UnaryOp::Not,
                    operand: Box::new(not),
                });
            }
            let test = stmt(StmtKind::If {
                test: Box::new(not),
                body: thin_vec![stmt(StmtKind::Expr(list))],
                orelse: thin_vec![],
            });
            compile_ast(vec![test], CompileMode::File).unwrap();
        })
        .unwrap();
    handle.join().expect("no stack overflow");
}

/// Structural invariants of a code object and its children.
fn check_invariants(code: &Code, file: &str) {
    let n = code.instrs.len() as u32;
    let ctx = format!("{file}: {}", code.qualname);
    assert_eq!(code.spans.len(), code.instrs.len(), "{ctx}");
    assert!(
        matches!(
            code.instrs.last(),
            Some(Instr::ReturnValue | Instr::Reraise | Instr::RaiseVarargs(_) | Instr::Jump(_))
        ),
        "{ctx}: ends without a terminator"
    );
    for instr in &code.instrs {
        if let Some(t) = instr.jump_target() {
            assert!(t < n, "{ctx}: jump out of range");
        }
        match *instr {
            Instr::MakeFunction { code_index, .. } => {
                assert!((code_index as usize) < code.children.len(), "{ctx}")
            }
            Instr::LoadConst(i) => assert!((i as usize) < code.consts.len(), "{ctx}"),
            Instr::LoadLocal(i)
            | Instr::StoreLocal(i)
            | Instr::LoadDeref(i)
            | Instr::LoadClosure(i) => {
                assert!((i as usize) < code.varnames.len(), "{ctx}")
            }
            _ => {}
        }
    }
    let mut last_end = 0;
    for e in &code.exception_table {
        assert!(
            e.start < e.end && e.end <= n && e.handler < n,
            "{ctx}: {e:?}"
        );
        assert!(
            e.start >= last_end,
            "{ctx}: overlapping or unsorted entries"
        );
        assert!(
            e.depth < code.max_stack,
            "{ctx}: handler depth above max_stack"
        );
        last_end = e.end;
    }
    assert!(code.nfree as usize <= code.varnames.len(), "{ctx}");
    for child in &code.children {
        check_invariants(child, file);
    }
}

fn aspy_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            aspy_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "aspy" || e == "repl") {
            out.push(path);
        }
    }
}

/// Every program the parser accepts in the conformance suite, the corpus
/// and the aspy-written stdlib compiles, and its code is well formed.
#[test]
fn conformance_programs_compile_to_well_formed_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/conformance", "tests/compiler/corpus", "stdlib"] {
        aspy_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut compiled = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let repl = path.extension().is_some_and(|e| e == "repl");
        let file = SourceFile::new(name.clone(), text);
        let (pm, cm) = if repl {
            (ParseMode::Repl, CompileMode::Repl)
        } else {
            (ParseMode::File, CompileMode::File)
        };
        let Ok(module) = parse_module(&file, pm) else {
            continue;
        };
        match compile_module(&module, file.clone(), cm) {
            Ok(code) => check_invariants(&code, &name),
            Err(e) => {
                // Only genuine SyntaxErrors that CPython also reports (the
                // expected output says so) may come from the compiler.
                let expected =
                    std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
                assert!(
                    expected.contains(&e.last_line()) && !e.message.contains("internal"),
                    "{name}: {}",
                    e.last_line()
                );
            }
        }
        compiled += 1;
    }
    assert!(compiled >= 14, "only {compiled} programs compiled");
}
