//! The `aspy` command-line tool: a thin client of the library.
//!
//! `aspy FILE [ARGS...]`, `aspy -c CODE [ARGS...]`, `aspy -` (stdin),
//! `aspy --check FILE`, `aspy --dump tokens|ast FILE`. Exit statuses follow
//! CPython: 1 for an error in the program (a syntax error included), 2 for
//! a command-line problem (a file that cannot be opened). A compile error
//! prints the rich report and then, as the last line of stderr, exactly
//! what CPython prints last.

use aspy::diagnostics::CompileError;
use aspy::span::{SourceFile, SourceMap};
use clap::{Parser, ValueEnum};
use std::io::{Read, Write};
use std::process::ExitCode;

/// mimalloc: the VM allocates many small short-lived blocks (frames' stacks,
/// strings, lists); it is measurably faster than the system allocator here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(
    name = "aspy",
    version,
    about = "Run aspy scripts (a Python-like async scripting language)"
)]
struct Cli {
    /// Run CODE instead of a file (the remaining arguments go to sys.argv).
    #[arg(short = 'c', value_name = "CODE")]
    code: Option<String>,

    /// Parse FILE and run every compile-time check; print nothing when clean.
    #[arg(long)]
    check: bool,

    /// Print the token stream or the AST of FILE (debugging).
    #[arg(long, value_name = "WHAT")]
    dump: Option<Dump>,

    /// Disassemble every code object of FILE.
    #[arg(long)]
    dis: bool,

    /// Virtual time: when only timers are pending, jump to the next one.
    #[arg(long)]
    virtual_time: bool,

    /// Run without network, file, environment or thread capabilities.
    #[arg(long)]
    sandbox: bool,

    /// The script to run (`-` reads it from standard input).
    #[arg(value_name = "FILE")]
    file: Option<String>,

    /// Arguments passed to the script (sys.argv[1:]).
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Dump {
    Tokens,
    Ast,
}

/// What the VM needs to run a program.
#[allow(dead_code)]
struct RunOptions {
    virtual_time: bool,
    sandbox: bool,
    /// `sys.argv`.
    argv: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (source, argv0) = match load(&cli) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let code = if let Some(what) = cli.dump {
        dump(&source, what)
    } else if cli.dis {
        dis(&source)
    } else if cli.check {
        check(&source)
    } else {
        let mut argv = vec![argv0];
        if cli.code.is_some() {
            // With -c, every positional argument belongs to the script.
            argv.extend(cli.file.iter().cloned());
        }
        argv.extend(cli.args.iter().cloned());
        run(
            &source,
            RunOptions {
                virtual_time: cli.virtual_time,
                sandbox: cli.sandbox,
                argv,
            },
        )
    };
    ExitCode::from(code)
}

/// Reads the program: from `-c`, stdin or a file. Returns the source and
/// `sys.argv[0]`.
fn load(cli: &Cli) -> Result<(SourceMap, String), ExitCode> {
    if let Some(code) = &cli.code {
        return Ok((SourceFile::new("<string>", code.clone()), "-c".to_string()));
    }
    let Some(path) = &cli.file else {
        eprintln!("aspy: no script given (the REPL is not built yet); try 'aspy --help'");
        return Err(ExitCode::from(2));
    };
    let (bytes, name) = if path == "-" {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("aspy: can't read standard input: {e}");
            return Err(ExitCode::from(2));
        }
        (buf, "<stdin>".to_string())
    } else {
        match std::fs::read(path) {
            Ok(b) => (b, path.clone()),
            Err(e) => {
                let errno = e.raw_os_error().unwrap_or(2);
                let what = match e.kind() {
                    std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
                    std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
                    _ => e.to_string(),
                };
                eprintln!("aspy: can't open file '{path}': [Errno {errno}] {what}");
                return Err(ExitCode::from(2));
            }
        }
    };
    match aspy::lexer::decode_source(bytes, &name) {
        Ok(text) => Ok((SourceFile::new(name.clone(), text), name)),
        Err((text, err)) => {
            report(&err, &SourceFile::new(name, text));
            Err(ExitCode::from(1))
        }
    }
}

/// Prints a compile error: the rich report, then CPython's last line.
fn report(err: &CompileError, src: &SourceFile) {
    let text = err.render(src);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// `--check`: parse and check; silent on success.
fn check(src: &SourceFile) -> u8 {
    match aspy::parser::parse_module(src, aspy::parser::ParseMode::File) {
        // The process exits next: freeing the tree node by node would only
        // cost time (a tenth of the whole check on a large file).
        Ok(module) => {
            std::mem::forget(module);
            0
        }
        Err(e) => {
            report(&e, src);
            1
        }
    }
}

/// `--dis`: compile and print the disassembly of every code object.
fn dis(src: &SourceMap) -> u8 {
    let compiled = aspy::parser::parse_module(src, aspy::parser::ParseMode::File).and_then(|m| {
        aspy::compiler::compile_module(&m, src.clone(), aspy::compiler::CompileMode::File)
    });
    match compiled {
        Ok(code) => {
            let _ =
                std::io::stdout().write_all(aspy::bytecode::disasm::disassemble(&code).as_bytes());
            0
        }
        Err(e) => {
            report(&e, src);
            1
        }
    }
}

/// `--dump tokens|ast`.
fn dump(src: &SourceFile, what: Dump) -> u8 {
    let mut out = std::io::stdout().lock();
    match what {
        Dump::Tokens => match aspy::lexer::tokenize(&src.text) {
            Ok(tokens) => {
                for (l, t, r) in tokens {
                    let _ = writeln!(out, "{l}..{r} {t:?}");
                }
                0
            }
            Err(e) => {
                report(&e, src);
                1
            }
        },
        Dump::Ast => match aspy::parser::parse_module(src, aspy::parser::ParseMode::File) {
            Ok(m) => {
                let _ = writeln!(out, "{m:#?}");
                0
            }
            Err(e) => {
                report(&e, src);
                1
            }
        },
    }
}

/// A flag that Ctrl-C (SIGINT) sets; the VM turns it into KeyboardInterrupt
/// at its next safe point. None if the handler cannot be installed.
fn sigint_flag() -> Option<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, flag.clone()).ok()?;
    Some(flag)
}

/// Runs a program. Until the VM exists this parses, reports syntax errors
/// and stops; the VM replaces the body.
fn run(src: &SourceFile, opts: RunOptions) -> u8 {
    let dir = std::path::Path::new(&src.name)
        .parent()
        .map(|p| p.to_string_lossy().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| ".".to_string());
    let config = aspy::vm::Config {
        argv: opts.argv,
        virtual_time: opts.virtual_time,
        path: vec![dir],
        // ASPY_GC_STRESS=N: collect after every N allocations (testing aid).
        gc_threshold: std::env::var("ASPY_GC_STRESS")
            .ok()
            .and_then(|s| s.parse().ok()),
        interrupt: sigint_flag(),
        ..Default::default()
    };
    let _ = opts.sandbox;
    let text = src.text.clone();
    let name = src.name.clone();
    // The VM runs on a thread with a large stack: native code that calls
    // back into aspy code (sort keys, __repr__, ...) nests Rust frames.
    // That thread ends the process when the script is done (skipping the
    // teardown of the VM); only a panic comes back here.
    let handle = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || {
            let file = SourceFile::new(name, text);
            aspy::run::run_script_and_exit(&file, config)
        });
    let _ = handle.map(|h| h.join());
    70
}
