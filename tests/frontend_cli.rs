//! The `aspy` command line: `--check`, `--dump`, exit statuses, and the
//! last line of stderr for bad programs, as CPython prints it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn aspy(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aspy"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aspy");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("wait")
}

fn last_stderr_line(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .trim_end()
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aspy-frontend-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn check_is_silent_on_success() {
    let p = temp_file("ok.aspy", b"x = 1\nprint(x)\n");
    let o = aspy(&["--check", p.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

#[test]
fn check_reports_like_cpython() {
    let p = temp_file("bad.aspy", b"if x\n    pass\n");
    let o = aspy(&["--check", p.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(last_stderr_line(&o), "SyntaxError: expected ':'");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.aspy:1:5"), "{err}");
    assert!(err.contains("if x"), "{err}");
}

#[test]
fn running_a_file_with_a_syntax_error_exits_1() {
    let p = temp_file("indent.aspy", b"if x:\n        a\n    b\n");
    let o = aspy(&[p.to_str().unwrap(), "arg1"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        last_stderr_line(&o),
        "IndentationError: unindent does not match any outer indentation level"
    );
}

#[test]
fn missing_file_is_errno_2() {
    let o = aspy(&["/nonexistent/x.aspy"], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        last_stderr_line(&o),
        "aspy: can't open file '/nonexistent/x.aspy': [Errno 2] No such file or directory"
    );
}

#[test]
fn invalid_utf8_is_a_syntax_error() {
    let p = temp_file("latin1.aspy", b"x = 1\n# caf\xe9\n");
    let o = aspy(&["--check", p.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    let expected = format!(
        "SyntaxError: Non-UTF-8 code starting with '\\xe9' in file {} on line 2, but no encoding declared; see https://peps.python.org/pep-0263/ for details",
        p.to_str().unwrap()
    );
    assert_eq!(last_stderr_line(&o), expected);
}

#[test]
fn code_and_stdin_sources() {
    let o = aspy(&["-c", "x = (", "a", "b"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(last_stderr_line(&o), "SyntaxError: '(' was never closed");
    let o = aspy(&["-"], Some(b"return 5\n"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        last_stderr_line(&o),
        "SyntaxError: 'return' outside function"
    );
}

#[test]
fn dump_tokens_and_ast() {
    let p = temp_file("dump.aspy", b"x = 1\n");
    let o = aspy(&["--dump", "tokens", p.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Name(\"x\")") && out.contains("Newline"),
        "{out}"
    );
    let o = aspy(&["--dump", "ast", p.to_str().unwrap()], None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Assign {"), "{out}");
}

#[test]
fn version_and_help() {
    let o = aspy(&["--version"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("aspy "));
    let o = aspy(&["--help"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("--check"));
}
