#!/usr/bin/env python3
"""Generate the expected output of conformance cases by running CPython.

    python3 tests/gen_expected.py [CASE.aspy | DIR ...]   (default: tests/conformance)

For each case `x.aspy` it writes `x.out` (stdout), and when the program exits
with a non-zero status or writes to stderr, `x.err` (the last line of stderr).
A non-zero exit status is written to `x.status`. Cases are run twice with
different hash seeds; a case whose output depends on the seed (for example,
printing a set of strings) is reported and left without expected output.
Files whose name starts with `_` are helper modules, not cases.
This script is for developers; the test suite never runs python3.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "cpython_run.py")


def run(case, seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONIOENCODING="utf-8",
               PYTHONDONTWRITEBYTECODE="1")
    p = subprocess.run([sys.executable, RUNNER, os.path.basename(case)],
                       cwd=os.path.dirname(os.path.abspath(case)), env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def generate(case):
    base = case[: -len(".aspy")]
    code, out, err = run(case, 1)
    code2, out2, err2 = run(case, 2)
    last = lambda e: (e.decode("utf-8", "replace").rstrip("\n").split("\n") or [""])[-1]
    if (code, out, last(err)) != (code2, out2, last(err2)):
        print(f"NONDETERMINISTIC (depends on hash seed or timing): {case}")
        return False
    with open(base + ".out", "wb") as f:
        f.write(out)
    for ext in (".err", ".status"):
        if os.path.exists(base + ext):
            os.remove(base + ext)
    if code != 0 or err.strip():
        with open(base + ".err", "w", encoding="utf-8") as f:
            f.write(last(err) + "\n")
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
