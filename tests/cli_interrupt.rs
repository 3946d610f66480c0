//! Ctrl-C: SIGINT interrupts a running script with a KeyboardInterrupt
//! traceback, whether it is computing or blocked in `time.sleep`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `source`, sends SIGINT once it has printed "ready", and returns its
/// stderr and how long it took to stop after the signal.
fn interrupt(source: &str) -> (String, Duration) {
    let dir = std::env::temp_dir().join(format!("aspy-interrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("case{}.aspy", source.len()));
    std::fs::write(&path, source).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aspy"))
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aspy");
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 6];
    out.read_exact(&mut buf).expect("script prints ready");
    assert_eq!(&buf, b"ready\n");
    let sent = Instant::now();
    // SAFETY: kill(2) with a pid we own and a valid signal number.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&output.stderr).to_string(),
        sent.elapsed(),
    )
}

#[test]
fn ctrl_c_stops_a_busy_loop() {
    let (stderr, took) = interrupt(
        "import sys\nprint('ready')\nsys.stdout.flush()\ni = 0\nwhile True:\n    i += 1\n",
    );
    assert!(
        stderr.starts_with("Traceback (most recent call last):"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().last(), Some("KeyboardInterrupt"));
    assert!(took < Duration::from_secs(5));
}

#[test]
fn ctrl_c_stops_a_sleep() {
    let (stderr, took) =
        interrupt("import sys, time\nprint('ready')\nsys.stdout.flush()\ntime.sleep(60)\n");
    assert_eq!(stderr.trim_end().lines().last(), Some("KeyboardInterrupt"));
    assert!(took < Duration::from_secs(5), "took {took:?}");
}
