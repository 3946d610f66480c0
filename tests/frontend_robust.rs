//! Robustness of the front end: hostile or huge input never panics, hangs
//! or overflows the stack. These tests run on the test harness's threads
//! (2 MB stacks, smaller than the CLI's 8 MB main thread): the front end's
//! nesting limits keep every recursive walk and every drop of the AST
//! shallow enough for that.

use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;

fn parse(text: &str) -> Result<aspy::ast::Module, aspy::diagnostics::CompileError> {
    let src = SourceFile::new("t.aspy", text);
    let r = parse_module(&src, ParseMode::File);
    if let Err(e) = &r {
        // Rendering must not panic either.
        let _ = e.render(&src);
    }
    r
}

fn message(text: &str) -> String {
    parse(text).expect_err("should fail").message
}

#[test]
fn empty_and_comment_only_files() {
    assert!(parse("").unwrap().body.is_empty());
    assert!(parse("# just a comment").unwrap().body.is_empty());
    assert!(parse("\n\n   \n# a\n\t# b\n").unwrap().body.is_empty());
    assert_eq!(parse("x = 1").unwrap().body.len(), 1);
}

#[test]
fn deeply_nested_brackets_are_refused_like_cpython() {
    let s = format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(message(&s), "too many nested parentheses");
    let s = format!("x = {}\n", "[".repeat(10_000));
    assert_eq!(message(&s), "too many nested parentheses");
    let ok = format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200));
    assert!(parse(&ok).is_ok());
}

#[test]
fn deeply_nested_blocks_are_refused_like_cpython() {
    let mut s = String::new();
    for i in 0..10_000 {
        s.push_str(&" ".repeat(i));
        s.push_str("if x:\n");
    }
    assert_eq!(message(&s), "too many levels of indentation");
    let mut ok = String::new();
    for i in 0..99 {
        ok.push_str(&" ".repeat(i));
        ok.push_str("while x:\n");
    }
    ok.push_str(&" ".repeat(99));
    ok.push_str("pass\n");
    // 99 levels parse; more than 20 nested loops is CPython's block limit.
    assert_eq!(message(&ok), "too many statically nested blocks");
}

#[test]
fn long_operator_chains_do_not_overflow() {
    for s in [
        format!("x = {}y\n", "-".repeat(100_000)),
        format!("x = {}\n", vec!["a"; 100_000].join("+")),
        format!("x = {}\n", vec!["a"; 100_000].join("**")),
        format!("x = a{}\n", ".b".repeat(100_000)),
        format!("x = f{}\n", "()".repeat(100_000)),
        format!("x = {}y\n", "not ".repeat(100_000)),
        format!("x = {}y\n", "lambda: ".repeat(100_000)),
        format!("x = {}\n", vec!["a"; 100_000].join(" if b else ")),
        format!("if x: pass\n{}", "elif x: pass\n".repeat(100_000)),
    ] {
        let m = message(&s);
        assert!(m.starts_with("aspy does not support"), "{m}");
    }
}

#[test]
fn deepest_accepted_trees_are_safe() {
    // Just under the nesting limit: parses, validates and drops fine.
    for s in [
        format!("x = {}y\n", "-".repeat(990)),
        format!("x = {}\n", vec!["a"; 990].join("+")),
        format!("x = a{}\n", ".b".repeat(990)),
        format!("x = {}y\n", "lambda: ".repeat(450)),
        format!("if x: pass\n{}", "elif x: pass\n".repeat(990)),
        format!(
            "x = {}{}y{}\n",
            "[-(".repeat(60),
            "-".repeat(500),
            ")]".repeat(60)
        ),
    ] {
        parse(&s).unwrap_or_else(|e| panic!("{}", e.message));
    }
    // Wide is fine: flat displays and long statement lists have no limit.
    let wide = format!("x = [{}]\n", vec!["-1"; 200_000].join(", "));
    assert!(parse(&wide).is_ok());
    let long = "x = 1\n".repeat(200_000);
    assert_eq!(parse(&long).unwrap().body.len(), 200_000);
}

#[test]
fn unbalanced_brackets() {
    assert_eq!(message("x = (1, 2"), "'(' was never closed");
    assert_eq!(message("x = 1]"), "unmatched ']'");
    assert_eq!(
        message("x = {1: (2, 3}"),
        "closing parenthesis '}' does not match opening parenthesis '('"
    );
    assert_eq!(message(&")".repeat(1000)), "unmatched ')'");
}

/// A small deterministic generator (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn binary_garbage_never_panics() {
    let mut rng = Lcg(42);
    for len in [1usize, 7, 64, 1000, 20_000] {
        for _ in 0..20 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            match aspy::lexer::decode_source(bytes, "g") {
                Ok(text) => {
                    let _ = parse(&text);
                }
                Err((text, e)) => {
                    assert!(e.message.starts_with("Non-UTF-8 code"));
                    let _ = parse(&text);
                }
            }
        }
    }
}

#[test]
fn token_soup_never_panics() {
    let vocab = [
        "x", "1", "'s'", "f'{x}'", "(", ")", "[", "]", "{", "}", ":", ",", "=", "+", "-", "*",
        "**", "if", "else", "for", "in", "def", "class", "lambda", "await", "async", "yield",
        "return", "with", "as", "\n", "    ", "\t", "not", "and", ".", ";", "@", "\\\n", "#c\n",
        "...", "try", "except", "match", ":=", "f'{", "'''",
    ];
    let mut rng = Lcg(7);
    for _ in 0..3000 {
        let n = 1 + (rng.next() % 40) as usize;
        let s: String = (0..n)
            .map(|_| vocab[(rng.next() % vocab.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        let _ = parse(&s);
        let _ = aspy::parser::parse_expression(&SourceFile::new("e", s));
    }
}

#[test]
fn ten_megabyte_file() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/frontend/corpus/statements.aspy"
    ))
    .expect("corpus");
    let mut text = String::new();
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&unit);
        text.push('\n');
    }
    let m = parse(&text).expect("parses");
    assert!(m.body.len() > 10_000);
}
