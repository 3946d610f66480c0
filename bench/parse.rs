//! Front-end throughput: lexing and parsing (with every compile-time
//! check) of a large realistic file, the corpus of `tests/frontend/corpus`
//! repeated to about 10 MB. Run with `cargo bench --bench parse`; prints
//! MB/s for the lexer alone and for the whole front end.

use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use std::time::{Duration, Instant};

/// The same allocator as the `aspy` binary, so the numbers are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/frontend/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "aspy"))
        .collect();
    files.sort();
    let mut unit = String::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("corpus file");
        // One file has no final newline, another starts with a BOM.
        unit.push_str(
            text.trim_start_matches('\u{feff}')
                .replace("\r\n", "\n")
                .trim_end(),
        );
        unit.push('\n');
    }
    let mut text = String::with_capacity(11 << 20);
    while text.len() < 10 << 20 {
        text.push_str(&unit);
    }
    text
}

/// Best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let text = corpus();
    let mb = text.len() as f64 / (1024.0 * 1024.0);
    let src = SourceFile::new("bench.aspy", text.clone());
    let lex = best(5, || {
        let n = aspy::lexer::tokenize(&text).expect("lexes").len();
        std::hint::black_box(n);
    });
    let parse = best(5, || {
        let m = parse_module(&src, ParseMode::File).expect("parses");
        std::hint::black_box(m.body.len());
    });
    println!("input: {mb:.1} MB");
    println!(
        "lex:   {:>7.1} ms  {:>6.1} MB/s",
        lex.as_secs_f64() * 1e3,
        mb / lex.as_secs_f64()
    );
    println!(
        "parse: {:>7.1} ms  {:>6.1} MB/s (lex + parse + checks)",
        parse.as_secs_f64() * 1e3,
        mb / parse.as_secs_f64()
    );
}
