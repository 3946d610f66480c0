//! aspy-only behaviours of the event loop, which CPython-generated
//! conformance cases cannot cover: the deadlock report, virtual time, debug
//! mode's slow-callback report and the never-awaited warning's location.
//! Each test runs the `aspy` binary on a small program.

use std::io::Write;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Runs `aspy [flags] <program>` and returns its output and wall time.
fn run(program: &str, flags: &[&str]) -> (Output, Duration) {
    // One directory per call: the tests run in parallel.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "aspy-async-{}-{}",
        std::process::id(),
        CALLS.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("prog{}.aspy", flags.len()));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(program.as_bytes())
        .unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_aspy"))
        .args(flags)
        .arg(&path)
        .output()
        .expect("run aspy");
    (out, start.elapsed())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const DEADLOCK: &str = r#"
import asyncio

async def waiter(ev, name):
    try:
        await ev.wait()
    finally:
        print(name, "cleaned up")

async def main():
    ev = asyncio.Event()
    t = asyncio.create_task(waiter(ev, "worker"))
    await asyncio.sleep(0)
    print("main waits for the worker")
    await t

asyncio.run(main())
print("not reached")
"#;

#[test]
fn deadlock_is_reported_with_every_waiting_task() {
    let (out, elapsed) = run(DEADLOCK, &[]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    // The tasks are cancelled after the report, so their finally blocks run.
    assert_eq!(
        stdout, "main waits for the worker\nworker cleaned up\n",
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains("RuntimeError: deadlock: no task can make progress (2 waiting"),
        "{stderr}"
    );
    assert!(
        stderr.contains("task 'Task-1' (main) waits on task 'Task-2' at"),
        "{stderr}"
    );
    assert!(stderr.contains("prog0.aspy:15 in main"), "{stderr}");
    assert!(
        stderr.contains("task 'Task-2' waits on Event.wait() at"),
        "{stderr}"
    );
    assert!(stderr.contains("prog0.aspy:6 in waiter"), "{stderr}");
}

const FOREVER_FUTURE: &str = r#"
import asyncio

async def main():
    fut = asyncio.get_running_loop().create_future()
    await fut

try:
    asyncio.run(main())
except RuntimeError as e:
    print(str(e).splitlines()[0])
"#;

#[test]
fn deadlock_is_a_catchable_runtime_error() {
    let (out, _) = run(FOREVER_FUTURE, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "deadlock: no task can make progress (1 waiting, nothing scheduled)\n"
    );
}

const SLEEPY: &str = r#"
import asyncio
import time

async def ticker(name, delay, n):
    for i in range(n):
        await asyncio.sleep(delay)
        print(name, i)
    return name

async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    m0 = time.monotonic()
    results = await asyncio.gather(ticker("a", 3, 3), ticker("b", 5, 2))
    print(results)
    try:
        await asyncio.wait_for(asyncio.sleep(3600), timeout=60)
    except TimeoutError:
        print("timed out after a minute")
    elapsed = loop.time() - t0
    print("virtual seconds:", int(elapsed + 0.5))
    print("time.monotonic agrees:", time.monotonic() - m0 == elapsed)

asyncio.run(main())
"#;

const SLEEPY_OUTPUT: &str =
    "a 0\nb 0\na 1\na 2\nb 1\n['a', 'b']\ntimed out after a minute\nvirtual seconds: 70\ntime.monotonic agrees: True\n";

#[test]
fn virtual_time_skips_sleeps_with_identical_output() {
    let (out, elapsed) = run(SLEEPY, &["--virtual-time"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), SLEEPY_OUTPUT);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

const CALL_LATER: &str = r#"
import asyncio

def main():
    loop = asyncio.new_event_loop()
    start = loop.time()
    loop.call_later(7200, print, "two hours")
    loop.call_later(60, print, "a minute")
    loop.call_later(7201, loop.stop)
    loop.run_forever()
    print("virtual seconds:", int(loop.time() - start + 0.5))
    loop.close()

main()
"#;

#[test]
fn virtual_time_drives_call_later_and_loop_time() {
    let (out, elapsed) = run(CALL_LATER, &["--virtual-time"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "a minute\ntwo hours\nvirtual seconds: 7201\n"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

const SLOW_STEP: &str = r#"
import asyncio
import time

def busy():
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < 0.15:
        n += 1
    return n

async def main():
    busy()
    await asyncio.sleep(0)
    busy() if False else None
    print("done")

asyncio.run(main(), debug=True)
"#;

#[test]
fn debug_mode_reports_a_slow_step_with_its_location() {
    let (out, _) = run(SLOW_STEP, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "done\n");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("Executing <Task pending name='Task-1' coro=<main() running at "),
        "{stderr}"
    );
    assert!(stderr.contains(".aspy:14>"), "{stderr}");
    assert!(stderr.contains(" took "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

const SLOW_CALLBACKS: &str = r#"
import asyncio
import time

def busy():
    start = time.monotonic()
    while time.monotonic() - start < 0.15:
        pass

async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(busy)
    await asyncio.sleep(0.01)
    loop.call_later(0.001, busy)
    await asyncio.sleep(0.3)
    print("done")

asyncio.run(main(), debug=True)
"#;

#[test]
fn debug_mode_reports_slow_callbacks_with_their_creation_site() {
    let (out, _) = run(SLOW_CALLBACKS, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "done\n");
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("Executing <Handle busy() at ")
            && lines[0].contains(".aspy:5 created at ")
            && lines[0].contains(".aspy:12> took "),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("Executing <TimerHandle when=")
            && lines[1].contains(" busy() at ")
            && lines[1].contains(".aspy:14> took "),
        "{stderr}"
    );
}

const UNAWAITED: &str = r#"
import gc

async def job(n):
    return n

def make(n):
    return job(n)

batch = [make(i) for i in range(3)]
del batch
gc.collect()
print("collected")
kept = [job(0), job(1)]
print("end")
"#;

#[test]
fn never_awaited_coroutine_is_reported_once_where_it_was_created() {
    let (out, _) = run(UNAWAITED, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "collected\nend\n");
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(
        lines[0].ends_with(".aspy:8: RuntimeWarning: coroutine 'job' was never awaited"),
        "{stderr}"
    );
    assert_eq!(lines[1], "  return job(n)");
    assert_eq!(
        lines[2],
        "RuntimeWarning: Enable tracemalloc to get the object allocation traceback"
    );
    // Still referenced at exit: reported as CPython does during shutdown.
    assert_eq!(
        lines[3],
        "sys:1: RuntimeWarning: coroutine 'job' was never awaited"
    );
}

const CYCLE: &str = r#"
import asyncio

async def partner(task):
    await task

async def show(task):
    await asyncio.sleep(0.01)
    print(task)
    try:
        task.cancel()
    except RecursionError as e:
        print("RecursionError:", e)

async def main():
    me = asyncio.current_task()
    other = asyncio.create_task(partner(me))
    asyncio.create_task(show(other))
    await other

try:
    asyncio.run(main())
except RuntimeError as e:
    print(str(e).splitlines()[0])
"#;

#[test]
fn tasks_awaiting_each_other_are_a_deadlock_not_a_crash() {
    let (out, _) = run(CYCLE, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    // The repr shows the cycle as CPython's recursive_repr does.
    assert!(
        lines[0].starts_with("<Task pending name='Task-2' coro=<partner() running at ")
            && lines[0].contains(" wait_for=<Task pending name='Task-1' coro=<main() running at ")
            && lines[0].contains(" wait_for=... "),
        "{stdout}"
    );
    // Cancelling one cancels the other, and so on: RecursionError, as in CPython.
    assert_eq!(
        lines[1],
        "RecursionError: maximum recursion depth exceeded while calling a Python object"
    );
    assert_eq!(
        lines[2],
        "deadlock: no task can make progress (2 waiting, nothing scheduled)"
    );
}

const VIRTUAL_APIS: &str = r#"
import asyncio, time

async def main():
    loop = asyncio.get_running_loop()
    t0, m0, p0 = loop.time(), time.monotonic(), time.perf_counter()
    time.sleep(2)
    print("after time.sleep:", round(loop.time() - t0), round(time.monotonic() - m0), round(time.perf_counter() - p0))
    try:
        async with asyncio.timeout(30):
            await asyncio.sleep(3600)
    except TimeoutError:
        print("timeout after", round(loop.time() - t0))
    fut = loop.create_future()
    loop.call_at(loop.time() + 100, fut.set_result, "at")
    print(await fut, round(loop.time() - t0))
    r = await asyncio.gather(*(asyncio.sleep(i * 10, i) for i in range(5)))
    print(r, round(loop.time() - t0))
    res = []
    for f in asyncio.as_completed([asyncio.sleep(50, "b"), asyncio.sleep(20, "a")], timeout=1000):
        res.append(await f)
    print(res, round(loop.time() - t0))
    print(round(time.monotonic() - m0) == round(loop.time() - t0))

asyncio.run(main())
"#;

#[test]
fn virtual_time_covers_blocking_sleep_timeouts_and_timers() {
    let (out, elapsed) = run(VIRTUAL_APIS, &["--virtual-time"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "after time.sleep: 2 2 2\ntimeout after 32\nat 132\n[0, 1, 2, 3, 4] 172\n['a', 'b'] 222\nTrue\n"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}
