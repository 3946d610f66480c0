//! Every `.aspy` file of the repository (examples, tests, stdlib) must
//! parse, except inputs meant to fail: `tests/frontend/bad/`,
//! `tests/frontend/unsupported/`, and files whose first line is
//! `# expect: SyntaxError`. Files named `repl_*.aspy` are REPL entries
//! (parsed with top-level `await` allowed). A file may also be refused for using one of the
//! few constructs aspy deliberately leaves out of its subset (listed below);
//! any other failure is a parser bug.

use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use std::path::Path;

/// Constructs refused by design (see docs/design.md, "Front end").
const DELIBERATELY_UNSUPPORTED: &[&str] = &[
    "aspy does not support complex numbers",
    "aspy does not support surrogate code points in strings",
];

#[test]
fn every_aspy_file_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in ["examples", "tests", "stdlib"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.expect("walk");
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "aspy") {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with("tests/frontend/bad/")
                || rel.starts_with("tests/frontend/unsupported/")
            {
                continue;
            }
            let bytes = std::fs::read(path).expect("read");
            let expect_error = bytes.starts_with(b"# expect: SyntaxError");
            let result = match aspy::lexer::decode_source(bytes, &rel) {
                Ok(text) => {
                    let src = SourceFile::new(rel.clone(), text);
                    let repl = path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("repl_"));
                    let mode = if repl {
                        ParseMode::Repl
                    } else {
                        ParseMode::File
                    };
                    parse_module(&src, mode)
                        .map(|_| ())
                        .map_err(|e| e.render(&src))
                }
                Err((_, e)) => Err(e.to_string()),
            };
            checked += 1;
            match (result, expect_error) {
                (Ok(()), false) | (Err(_), true) => {}
                (Ok(()), true) => failures.push(format!("{rel}: expected a SyntaxError")),
                (Err(e), false) => {
                    if !DELIBERATELY_UNSUPPORTED.iter().any(|u| e.contains(u)) {
                        failures.push(format!("{rel}:\n{e}"));
                    }
                }
            }
        }
    }
    assert!(checked > 0, "no .aspy files found");
    assert!(
        failures.is_empty(),
        "{} file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
