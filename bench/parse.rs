//! Front-end throughput: lexing, and lexing + parsing (with every
//! compile-time check), of a large realistic file: the `.aspy` files of a
//! directory (default `tests/frontend/corpus`) concatenated and repeated to
//! about 10 MB.
//!
//!     cargo bench --bench parse                   # 7 runs of each, median and best
//!     cargo bench --bench parse -- --runs 11      # more runs
//!     cargo bench --bench parse -- --dir stdlib   # another corpus (searched recursively)
//!     cargo bench --bench parse -- --once         # one lex + parse, for callgrind
//!     cargo bench --bench parse -- --save FILE    # also write the input to FILE
//!
//! Each is timed in wall-clock time and in the CPU time of the thread; on a
//! shared machine the CPU time is the figure to compare (wall-clock time
//! also counts the time other processes ran). The timed parse includes
//! freeing the tree, as a compile of the file would. `--once` does a single lex + parse and no lex-only run, so that
//! `valgrind --tool=callgrind` of it, divided by the printed size, gives
//! instructions per MB (bench/README.md).

use aspy::parser::{parse_module, ParseMode};
use aspy::span::SourceFile;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The same allocator as the `aspy` binary, so the numbers are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Size the corpus is repeated to.
const TARGET_BYTES: usize = 10 << 20;

/// Command-line options (cargo passes `--bench` too; it is ignored).
struct Options {
    runs: usize,
    dir: PathBuf,
    once: bool,
    /// Where to write the generated input (to time `aspy --check` on it).
    save: Option<PathBuf>,
}

fn options() -> Options {
    let mut opts = Options {
        runs: 7,
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frontend/corpus"),
        once: false,
        save: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let n = args.next().and_then(|n| n.parse().ok());
                opts.runs = n
                    .filter(|&n| n > 0)
                    .expect("--runs needs a positive number");
            }
            "--dir" => opts.dir = args.next().expect("--dir needs a directory").into(),
            "--once" => opts.once = true,
            "--save" => opts.save = Some(args.next().expect("--save needs a file").into()),
            _ => {}
        }
    }
    opts
}

/// Every `.aspy` file under `dir`, sorted by path.
fn aspy_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable directory").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "aspy"))
        .collect();
    files.sort();
    files
}

/// The files of `dir` that parse, concatenated and repeated to about 10 MB.
fn corpus(dir: &Path) -> String {
    let mut unit = String::new();
    for f in aspy_files(dir) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        // Files may lack a final newline or start with a BOM.
        let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
        let text = text.trim_end();
        let alone = SourceFile::new("check.aspy", format!("{text}\n"));
        if parse_module(&alone, ParseMode::File).is_ok() {
            unit.push_str(text);
            unit.push('\n');
        }
    }
    assert!(!unit.is_empty(), "no parsable .aspy file under {dir:?}");
    let mut text = String::with_capacity(TARGET_BYTES + unit.len());
    while text.len() < TARGET_BYTES {
        text.push_str(&unit);
    }
    text
}

/// CPU time used by this thread so far: unlike wall-clock time, it does
/// not count the time other processes of a shared machine run instead.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Wall-clock and CPU times of `runs` calls of `f`, each sorted.
fn timings(runs: usize, mut f: impl FnMut()) -> (Vec<Duration>, Vec<Duration>) {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (t, c) = (Instant::now(), thread_cpu_time());
        f();
        cpu.push(thread_cpu_time() - c);
        wall.push(t.elapsed());
    }
    wall.sort();
    cpu.sort();
    (wall, cpu)
}

/// One result line: median and best time and throughput.
fn report(what: &str, mb: f64, times: &[Duration]) {
    let median = times[times.len() / 2].as_secs_f64();
    let best = times[0].as_secs_f64();
    println!(
        "{what:<10} median {:>7.1} ms {:>6.1} MB/s   best {:>7.1} ms {:>6.1} MB/s",
        median * 1e3,
        mb / median,
        best * 1e3,
        mb / best
    );
}

fn parse(src: &SourceFile) {
    let m = parse_module(src, ParseMode::File).expect("parses");
    std::hint::black_box(m.body.len());
}

fn main() {
    let opts = options();
    let text = corpus(&opts.dir);
    let mb = text.len() as f64 / (1024.0 * 1024.0);
    let src = SourceFile::new("bench.aspy", text.clone());
    println!("input: {mb:.2} MB from {}", opts.dir.display());
    if let Some(path) = &opts.save {
        std::fs::write(path, &text).expect("write --save file");
    }
    if opts.once {
        parse(&src);
        return;
    }
    let lex = timings(opts.runs, || {
        let n = aspy::lexer::tokenize(&text).expect("lexes").len();
        std::hint::black_box(n);
    });
    let full = timings(opts.runs, || parse(&src));
    println!("runs: {}", opts.runs);
    report("lex wall", mb, &lex.0);
    report("lex cpu", mb, &lex.1);
    report("parse wall", mb, &full.0);
    report("parse cpu", mb, &full.1);
    println!("(parse = lex + parse + checks + freeing the tree)");
}
