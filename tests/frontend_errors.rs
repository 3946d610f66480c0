//! Diagnostics for bad input: every file in `tests/frontend/bad/` must fail
//! with exactly the last line CPython 3.11 prints (the `.err` file beside
//! it), and its full rendering is snapshotted. Files in
//! `tests/frontend/unsupported/` must fail with aspy's "does not support"
//! error.

use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use std::path::PathBuf;

fn cases(dir: &str) -> Vec<(String, String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("test dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "aspy"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).expect("UTF-8 test input");
            let expected = std::fs::read_to_string(p.with_extension("err"))
                .unwrap_or_else(|_| panic!("{stem}.err is missing"))
                .trim_end()
                .to_string();
            (stem, text, expected)
        })
        .collect()
}

fn check_dir(dir: &str, min: usize, snapshot: bool) {
    let cases = cases(dir);
    assert!(cases.len() >= min, "expected at least {min} cases in {dir}");
    let mut failures = Vec::new();
    for (name, text, expected) in cases {
        let src = SourceFile::new(format!("{name}.aspy"), text);
        let err = match parse_module(&src, ParseMode::File) {
            Ok(_) => {
                failures.push(format!("{name}: parsed, expected {expected}"));
                continue;
            }
            Err(e) => e,
        };
        let rendered = err.render(&src);
        let last = rendered.trim_end().lines().last().unwrap_or("").to_string();
        if last != expected {
            failures.push(format!("{name}:\n  expected {expected}\n  got      {last}"));
        }
        if snapshot {
            insta::assert_snapshot!(format!("bad__{name}"), rendered);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_inputs_match_cpython() {
    check_dir("tests/frontend/bad", 25, true);
}

#[test]
fn unsupported_constructs_are_refused() {
    check_dir("tests/frontend/unsupported", 6, false);
    for (name, _, expected) in cases("tests/frontend/unsupported") {
        assert!(
            expected.starts_with("SyntaxError: aspy does not support "),
            "{name}: {expected}"
        );
    }
}

#[test]
fn soft_keywords_stay_names() {
    let src = SourceFile::new(
        "t",
        "match = 1\nmatch(x)\ntype = 2\nprint(type, match)\nmatch.x = [match]\n",
    );
    parse_module(&src, ParseMode::File).expect("match and type are ordinary names");
}

#[test]
fn repl_mode_allows_top_level_await() {
    let src = SourceFile::new("<stdin>", "await f()\nasync for x in y:\n    pass\nasync with a:\n    pass\nx = [await g for g in h]\n");
    parse_module(&src, ParseMode::Repl).expect("top-level await in the REPL");
    let err = parse_module(&src, ParseMode::File).unwrap_err();
    assert_eq!(err.message, "'await' outside function");
    let src = SourceFile::new("<stdin>", "def f():\n    await g()\n");
    assert_eq!(
        parse_module(&src, ParseMode::Repl).unwrap_err().message,
        "'await' outside async function"
    );
}

#[test]
fn spans_point_into_the_file() {
    let text = "x = 1\ny = f'{x + yy!r:>{width}}'\n";
    let src = SourceFile::new("t", text);
    let err = parse_module(&SourceFile::new("t", "y = f'{x +}'\n"), ParseMode::File).unwrap_err();
    assert_eq!(err.message, "f-string: invalid syntax");
    let m = parse_module(&src, ParseMode::File).unwrap();
    let dbg = format!("{m:?}");
    // `yy` is at bytes 17..19 of the file.
    assert!(dbg.contains("Name(\"yy\"), span: 17..19"), "{dbg}");
    assert!(dbg.contains("Name(\"width\"), span: 24..29"), "{dbg}");
}

#[test]
fn expression_entry_point() {
    let e = aspy::parser::parse_expression(&SourceFile::new("<eval>", "1 + 2 * x\n")).unwrap();
    assert!(matches!(e.kind, aspy::ast::ExprKind::BinOp { .. }));
    let err = aspy::parser::parse_expression(&SourceFile::new("<eval>", "x = 1")).unwrap_err();
    assert_eq!(err.message, "invalid syntax");
}
