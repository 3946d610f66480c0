//! Snapshot tests of the front end: the token stream and the AST of every
//! program in `tests/frontend/corpus/`, which together use every construct
//! of the language (checked by `corpus_uses_every_construct`).

use aspy::lexer::tokenize;
use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use std::path::PathBuf;

fn corpus() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/frontend/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "aspy"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the corpus is missing");
    files
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            (
                stem,
                std::fs::read_to_string(&p).expect("corpus file is UTF-8"),
            )
        })
        .collect()
}

#[test]
fn corpus_tokens() {
    for (name, text) in corpus() {
        let tokens = tokenize(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut out = String::new();
        for (l, t, r) in tokens {
            out.push_str(&format!("{l}..{r} {t:?}\n"));
        }
        insta::assert_snapshot!(format!("tokens__{name}"), out);
    }
}

#[test]
fn corpus_ast() {
    for (name, text) in corpus() {
        let src = SourceFile::new(format!("{name}.aspy"), text);
        let module = parse_module(&src, ParseMode::File)
            .unwrap_or_else(|e| panic!("{name}: {}", e.render(&src)));
        insta::assert_snapshot!(format!("ast__{name}"), format!("{module:#?}"));
    }
}

#[test]
fn corpus_uses_every_construct() {
    let mut all = String::new();
    for (name, text) in corpus() {
        let src = SourceFile::new(name, text);
        let module = parse_module(&src, ParseMode::File).expect("corpus parses");
        all.push_str(&format!("{module:?}"));
    }
    let constructs = [
        "Expr(",
        "Assign {",
        "AugAssign {",
        "AnnAssign {",
        "If {",
        "While {",
        "For {",
        "Break",
        "Continue",
        "Pass",
        "Return(",
        "FunctionDef(",
        "ClassDef(",
        "Try {",
        "Raise {",
        "With {",
        "Global(",
        "Nonlocal(",
        "Delete(",
        "Assert {",
        "Import(",
        "ImportFrom {",
        "BoolOp {",
        "NamedExpr {",
        "BinOp {",
        "UnaryOp {",
        "Lambda {",
        "IfExp {",
        "Dict(",
        "Set(",
        "List(",
        "Tuple(",
        "ListComp {",
        "SetComp {",
        "DictComp {",
        "GeneratorExp {",
        "Await(",
        "Yield(",
        "YieldFrom(",
        "Compare {",
        "Call {",
        "FString(",
        "Constant(",
        "Attribute {",
        "Subscript {",
        "Starred(",
        "Name(",
        "Slice {",
        "Unpack(",
        "is_async: true",
        "Ellipsis",
        "Bytes(",
        "Float(",
        "Int(",
        "Formatted {",
        "debug_text: Some",
        "conversion: Some(Ascii)",
        "posonly: [Param",
        "kwonly: [Param",
        "vararg: Some",
        "kwarg: Some",
        "decorators: [Expr",
        "simple: false",
        "simple: true",
        "Mult",
        "MatMult",
        "Div",
        "FloorDiv",
        "Mod",
        "Pow",
        "LShift",
        "RShift",
        "BitOr",
        "BitXor",
        "BitAnd",
        "Invert",
        "Neg",
        "Pos",
        "Not",
        "IsNot",
        "NotIn",
        "LtE",
        "GtE",
    ];
    for c in constructs {
        assert!(all.contains(c), "the corpus never uses {c}");
    }
}
