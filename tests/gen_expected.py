#!/usr/bin/env python3
"""Generate the expected output of conformance cases by running CPython.

    python3 tests/gen_expected.py [CASE.aspy | DIR ...]   (default: tests/conformance)

For each case `x.aspy` it writes `x.out` (stdout), and when the program exits
with a non-zero status or writes to stderr, `x.err` (the last line of stderr).
A non-zero exit status is written to `x.status`. Cases in a directory named
`uncaught`, and cases whose name starts with `tb_`, also get `x.stderr`: the
whole stderr, normalised to what `python3 x.aspy` would print (see
`normalise_stderr`), which the suite then compares in full. Cases are run
twice with different hash seeds; a case whose output depends on the seed
(for example, printing a set of strings) is reported and left without
expected output.
Files whose name starts with `_` are helper modules, not cases.
This script is for developers; the test suite never runs python3.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "cpython_run.py")
STDLIB = os.path.dirname(os.__file__) + os.sep
REPEATED = re.compile(r"^(\s*(?:\| )*\s*)\[Previous line repeated (\d+) more times?\]$")


def run(case, seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONIOENCODING="utf-8",
               PYTHONDONTWRITEBYTECODE="1")
    p = subprocess.run([sys.executable, RUNNER, os.path.basename(case)],
                       cwd=os.path.dirname(os.path.abspath(case)), env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def wants_full_stderr(case):
    """Cases whose whole stderr (the traceback) is compared."""
    parent = os.path.basename(os.path.dirname(os.path.abspath(case)))
    return parent == "uncaught" or os.path.basename(case).startswith("tb_")


_runpy_depth = None


def runpy_depth():
    """How many frames running through cpython_run.py (runpy) costs: the
    difference in `[Previous line repeated N more times]` between running a
    runaway recursion directly and through the runner."""
    global _runpy_depth
    if _runpy_depth is None:
        probe = "def f():\n    f()\nf()\n"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "probe.py")
            with open(path, "w") as f:
                f.write(probe)
            counts = []
            for argv in ([path], [RUNNER, "probe.py"]):
                p = subprocess.run([sys.executable] + argv, cwd=d, capture_output=True, text=True)
                counts.append(max(int(m.group(2)) for m in map(REPEATED.match, p.stderr.splitlines()) if m))
        _runpy_depth = counts[0] - counts[1]
    return _runpy_depth


def normalise_stderr(err, case):
    """CPython's stderr as `python3 x.aspy` (run from the case's directory)
    would print it: drop the frames of cpython_run.py and runpy, and those
    of the standard library (asyncio's runners, base_events, ...: aspy's own
    library frames differ by construction and the suite drops them), show
    imported modules by their file name, and give a recursion that hit the
    limit back the frames runpy used."""
    casedir = os.path.dirname(os.path.abspath(case)) + os.sep
    out = []
    skipping = None
    for line in err.split("\n"):
        if skipping is not None:
            if line.startswith(skipping + "    "):
                continue
            skipping = None
        m = re.match(r'^(\s*(?:\| )*)  File "([^"]*)", line \d+', line)
        if m and (m.group(2) == "<frozen runpy>" or m.group(2) == RUNNER
                  or m.group(2).startswith(STDLIB)):
            skipping = m.group(1)
            continue
        out.append(line.replace('File "' + casedir, 'File "'))
    # A `[Previous line repeated N more times]` (printed without a group's
    # margin) belongs to the traceback whose summary line (`Name: msg`, the
    # next line that starts right after its margin) follows it.
    depth = None
    for i, line in enumerate(out):
        m = REPEATED.match(line)
        if not m:
            continue
        for later in out[i + 1:]:
            body = re.sub(r"^ *(\| )?", "", later, count=1)
            if body and not body[0].isspace():
                if body.startswith("RecursionError: maximum recursion depth exceeded"):
                    if depth is None:
                        depth = runpy_depth()
                    out[i] = f"{m.group(1)}[Previous line repeated {int(m.group(2)) + depth} more times]"
                break
    return "\n".join(out)


def generate(case):
    base = case[: -len(".aspy")]
    code, out, err = run(case, 1)
    code2, out2, err2 = run(case, 2)
    err, err2 = (e.decode("utf-8", "replace") for e in (err, err2))
    full = wants_full_stderr(case)
    if full:
        err, err2 = normalise_stderr(err, case), normalise_stderr(err2, case)
    last = lambda e: (e.rstrip("\n").split("\n") or [""])[-1]
    key = (lambda e: e) if full else last
    if (code, out, key(err)) != (code2, out2, key(err2)):
        print(f"NONDETERMINISTIC (depends on hash seed or timing): {case}")
        return False
    with open(base + ".out", "wb") as f:
        f.write(out)
    for ext in (".err", ".status", ".stderr"):
        if os.path.exists(base + ext):
            os.remove(base + ext)
    if code != 0 or err.strip():
        with open(base + ".err", "w", encoding="utf-8") as f:
            f.write(last(err) + "\n")
        if full:
            with open(base + ".stderr", "w", encoding="utf-8") as f:
                f.write(err)
    if code != 0:
        with open(base + ".status", "w") as f:
            f.write(f"{code}\n")
    return True


def cases(args):
    for a in args or [os.path.join(HERE, "conformance")]:
        if os.path.isdir(a):
            for root, _, files in os.walk(a):
                for name in sorted(files):
                    if name.endswith(".aspy") and not name.startswith("_"):
                        yield os.path.join(root, name)
        else:
            yield a


if __name__ == "__main__":
    bad = [c for c in cases(sys.argv[1:]) if not generate(c)]
    sys.exit(1 if bad else 0)
