//! Memory bounds: the collector reclaims cycles (a program that makes a
//! million cyclic pairs of objects, and cyclic lists, dicts and closures, in
//! a loop, keeping none of them, runs in bounded memory), and a task parked
//! on an Event costs a bounded number of bytes.

use std::process::{Command, Stdio};

/// Runs aspy on `source` and returns (exit status, peak RSS in KB).
// The child is reaped by wait4 (for its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_measured(name: &str, source: &str) -> (i32, i64) {
    let dir = std::env::temp_dir().join(format!("aspy-gc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_aspy"))
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run aspy");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes into
    // the two out-pointers for a child we spawned and have not waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

const CYCLES: &str = "
class Node:
    def __init__(self):
        self.other = None

def make(n):
    for i in range(n):
        a = Node()
        b = Node()
        a.other = b
        b.other = a
        l = [a, None]
        l[1] = l
        d = {'self': None}
        d['self'] = d
        def f():
            return f
@RUN@
";

#[test]
fn a_million_cyclic_pairs_run_in_bounded_memory() {
    let (small_status, small_kb) =
        run_measured("small.aspy", &CYCLES.replace("@RUN@", "make(10_000)"));
    let (big_status, big_kb) =
        run_measured("big.aspy", &CYCLES.replace("@RUN@", "make(1_000_000)"));
    assert_eq!((small_status, big_status), (0, 0));
    // Without collection the big run would hold about 100x the small one's
    // garbage (hundreds of MB); with it, peak memory barely moves.
    assert!(
        big_kb < small_kb + 64 * 1024,
        "peak RSS {big_kb} KB for 1M cycles vs {small_kb} KB for 10k"
    );
}

const PARKED: &str = "
import asyncio

async def waiter(ev, i):
    await ev.wait()
    return i

async def main():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(waiter(ev, i)) for i in range(@N@)]
    await asyncio.sleep(0)
    ev.set()
    print(sum(await asyncio.gather(*tasks)))

asyncio.run(main())
";

#[test]
fn a_parked_task_costs_under_520_bytes() {
    let (small_status, small_kb) = run_measured("few.aspy", &PARKED.replace("@N@", "20_000"));
    let (big_status, big_kb) = run_measured("many.aspy", &PARKED.replace("@N@", "120_000"));
    assert_eq!((small_status, big_status), (0, 0));
    // About 464 bytes each (task, coroutine, their share of the lists and
    // queues); a per-task wait object or fiber would add 100 or more.
    let per_task = (big_kb - small_kb) * 1024 / 100_000;
    assert!(
        per_task < 520,
        "{per_task} bytes per parked task ({small_kb} KB for 20k, {big_kb} KB for 120k)"
    );
}
