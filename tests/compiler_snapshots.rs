//! Snapshot tests of the compiler and disassembler.
//!
//! Every program in `tests/compiler/corpus/` is parsed, compiled and
//! disassembled, and the listing is compared with its snapshot in
//! `tests/compiler/snapshots/`. `*.repl` files are compiled in REPL mode
//! (they are not valid scripts, so they do not end in `.aspy`). The compiler checks the stack discipline of every code object as
//! it assembles it, so a listing here also means "consistent stack depths,
//! every return at depth 1". When a snapshot changes, read the new listing
//! critically (stack effects, jump targets, exception-table ranges and
//! depths) before accepting it.

use aspy::bytecode::disasm::disassemble;
use aspy::compiler::{compile_module, CompileMode};
use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compiler/corpus")
}

fn listing(name: &str) -> String {
    let mut path = corpus_dir().join(format!("{name}.aspy"));
    let repl = !path.exists();
    if repl {
        path.set_extension("repl");
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let src = SourceFile::new(file_name, text);
    let (pmode, cmode) = if repl {
        (ParseMode::Repl, CompileMode::Repl)
    } else {
        (ParseMode::File, CompileMode::File)
    };
    let module = parse_module(&src, pmode).unwrap_or_else(|e| panic!("{name}: {}", e.last_line()));
    let code = compile_module(&module, src.clone(), cmode)
        .unwrap_or_else(|e| panic!("{name}: {}", e.last_line()));
    disassemble(&code)
}

fn check(name: &str) {
    let out = listing(name);
    insta::with_settings!({
        snapshot_path => "compiler/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, out);
    });
}

macro_rules! corpus {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
        const CORPUS: &[&str] = &[$(stringify!($name)),*];
    };
}

corpus!(
    assign,
    calls,
    classes,
    comprehensions,
    coroutines,
    expressions,
    functions,
    imports,
    loops,
    repl_top,
    scopes,
    statements,
    try_except,
    with,
);

#[test]
fn every_corpus_file_has_a_test() {
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".aspy")
                .or_else(|| name.strip_suffix(".repl"))
                .map(str::to_string)
        })
        .collect();
    files.sort();
    let mut listed: Vec<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "add new corpus files to the corpus! list");
}
