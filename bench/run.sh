#!/usr/bin/env bash
# Benchmark aspy against CPython (and CPython + uvloop when it is installed).
#
#   bench/run.sh [-n N] [--all] [--no-build] [NAME ...]
#
#   -n N        runs per program and interpreter (default 5); the table shows medians
#   --all       also run async_echo (a socket benchmark, skipped by default)
#   --no-build  do not run `cargo build --release` first
#   NAME        only these benchmarks (e.g. cpu_fib async_spawn await_depth)
#
# Environment: ASPY_BIN (aspy binary; default target/release/aspy),
# BENCH_TIMEOUT (seconds per run; default 300), AWAIT_DEPTH_ITERS (suspensions
# per await_depth run; default 100000).
#
# For every bench/X.aspy it runs `target/release/aspy bench/X.aspy` and the real
# CPython binary on the same file, checks that both print the same stdout, and
# prints: name, median seconds of each, ratio CPython/aspy (>1: aspy faster) and
# peak RSS of each. await_depth is run at depth 1 and depth 50 and the script
# reports each interpreter's per-resume cost ratio depth50/depth1.
# aspy failures show as FAIL in the table; output differences as MISMATCH (loud,
# with a diff at the end). Exit status: 0 when every run succeeded and matched,
# 1 otherwise.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="$ROOT/bench/$(basename "${BASH_SOURCE[0]}")"
cd "$ROOT" || exit 2

N=5
ALL=0
BUILD=1
NAMES=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N=${2:?-n needs a number}; shift 2 ;;
        -n*) N=${1#-n}; shift ;;
        --all) ALL=1; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"; exit 0 ;;
        -*) echo "unknown option: $1" >&2; exit 2 ;;
        *) NAMES+=("${1%.aspy}"); shift ;;
    esac
done
case "$N" in ''|*[!0-9]*|0) echo "-n needs a positive integer" >&2; exit 2 ;; esac

AWAIT_DEPTH_DEEP=50
AWAIT_DEPTH_ITERS=${AWAIT_DEPTH_ITERS:-100000}

# --- tools -------------------------------------------------------------------
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -z "$PY" ] || [ ! -x "$PY" ]; then
    echo "error: cannot resolve the CPython binary (python3 -c 'import sys; print(sys.executable)')" >&2
    exit 2
fi
PY_VERSION=$("$PY" -c 'import sys; print(sys.version.split()[0])')

UVLOOP=0
if "$PY" -c 'import uvloop' >/dev/null 2>&1; then
    UVLOOP=1
fi
UVLOOP_RUNNER='import uvloop, runpy, sys; uvloop.install(); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")'

# Every run goes through this wrapper: it starts the program with posix_spawn,
# waits for it, and writes the wall seconds from spawn to exit and the peak RSS
# (KB). Only the program is timed, not the wrapper's own start-up nor a
# shell's, which matters for short programs such as startup. Linux carries the
# spawning process's peak RSS over into the child's ru_maxrss, so peak memory
# comes from an extra first run (MODE=rss, untimed) spawned through
# /usr/bin/time, a small process whose %M is the figure; without
# /usr/bin/time, ru_maxrss is used and small programs show the wrapper's
# ~13 MB. A run longer than BENCH_TIMEOUT seconds is killed (an aspy hang
# shows as FAIL, not a stuck script).
RUN_WRAPPER='import os, signal, sys, time
out, limit, mode, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
if mode == "rss" and os.access("/usr/bin/time", os.X_OK):
    argv = ["/usr/bin/time", "-f", "%M", "-o", out + ".rss"] + argv
path = argv[0] if "/" in argv[0] else next((os.path.join(d, argv[0]) for d in os.environ.get("PATH", "").split(os.pathsep) if os.access(os.path.join(d, argv[0]), os.X_OK)), argv[0])
t0 = time.perf_counter()
pid = os.posix_spawn(path, argv, os.environ)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.setitimer(signal.ITIMER_REAL, limit)
_, status, usage = os.wait4(pid, 0)
t1 = time.perf_counter()
signal.setitimer(signal.ITIMER_REAL, 0)
rss = usage.ru_maxrss
try:
    with open(out + ".rss") as f:
        rss = int(f.read().split()[-1])
except (OSError, ValueError, IndexError):
    pass
with open(out, "w") as f:
    f.write("%.6f %d\n" % (t1 - t0, rss))
sys.exit(os.waitstatus_to_exitcode(status))'
LIMIT=${BENCH_TIMEOUT:-300}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/aspy-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --- build aspy --------------------------------------------------------------
ASPY="${ASPY_BIN:-$ROOT/target/release/aspy}"
ASPY_OK=1
if [ "$BUILD" = 1 ]; then
    echo "building: cargo build --release" >&2
    if ! cargo build --release >"$TMP/build.log" 2>&1; then
        echo "WARNING: cargo build --release failed; aspy columns will show FAIL" >&2
        tail -n 15 "$TMP/build.log" | sed 's/^/    /' >&2
        ASPY_OK=0
    fi
fi
if [ "$ASPY_OK" = 1 ] && [ ! -x "$ASPY" ]; then
    echo "WARNING: $ASPY not found; aspy columns will show FAIL" >&2
    ASPY_OK=0
fi

# --- helpers -----------------------------------------------------------------
median() {  # numbers on stdin -> median
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure TAG CMD... : run CMD once for its peak RSS, then N times for time.
# Sets M_OK (1/0), M_TIME (median wall seconds), M_RSS (peak RSS in KB),
# M_INNER (median of the "seconds=" value a program prints on stderr, if any).
# Keeps the stdout of the first run in $TMP/TAG.out and the stderr of a failing
# run in $TMP/TAG.err.
measure() {
    local tag=$1; shift
    local i t rc rss
    : >"$TMP/$tag.times"; : >"$TMP/$tag.rss"; : >"$TMP/$tag.inner"
    M_OK=1
    for ((i = 0; i <= N; i++)); do
        : >"$TMP/run.stat"
        "$PY" -c "$RUN_WRAPPER" "$TMP/run.stat" "$LIMIT" "$([ "$i" = 0 ] && echo rss || echo time)" "$@" \
            >"$TMP/run.out" 2>"$TMP/run.err" </dev/null
        rc=$?
        if [ "$rc" != 0 ]; then
            M_OK=0
            { echo "exit status $rc"; tail -n 20 "$TMP/run.err"; } >"$TMP/$tag.err"
            break
        fi
        read -r t rss <"$TMP/run.stat"
        if [ "$i" = 0 ]; then
            echo "${rss:-0}" >>"$TMP/$tag.rss"
            cp "$TMP/run.out" "$TMP/$tag.out"
            continue
        fi
        echo "$t" >>"$TMP/$tag.times"
        sed -n 's/.*seconds=\([0-9.eE+-]*\).*/\1/p' "$TMP/run.err" | tail -n 1 >>"$TMP/$tag.inner"
    done
    if [ "$M_OK" = 1 ]; then
        M_TIME=$(median <"$TMP/$tag.times")
        M_RSS=$(sort -n "$TMP/$tag.rss" | tail -n 1)
        if [ -s "$TMP/$tag.inner" ]; then M_INNER=$(median <"$TMP/$tag.inner"); else M_INNER=""; fi
    else
        M_TIME=""; M_RSS=""; M_INNER=""
    fi
}

fmt_time() { [ -n "$1" ] && printf '%.3f' "$1" || printf 'FAIL'; }
fmt_mb() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || printf '-'; }
fmt_ratio() {  # numerator denominator
    if [ -n "$1" ] && [ -n "$2" ]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
    else
        printf -- '-'
    fi
}

# --- which benchmarks --------------------------------------------------------
BENCHES=()
if [ ${#NAMES[@]} -gt 0 ]; then
    for n in "${NAMES[@]}"; do
        n=${n#bench/}
        if [ ! -f "bench/$n.aspy" ]; then echo "no such benchmark: bench/$n.aspy" >&2; exit 2; fi
        BENCHES+=("$n")
    done
else
    for f in bench/*.aspy; do
        n=$(basename "$f" .aspy)
        case "$n" in _*) continue ;; esac
        if [ "$n" = async_echo ] && [ "$ALL" = 0 ]; then continue; fi
        BENCHES+=("$n")
    done
fi

# Each row: display name | file | extra argument list
ROWS=()
for n in "${BENCHES[@]}"; do
    if [ "$n" = await_depth ]; then
        ROWS+=("await_depth/1|bench/await_depth.aspy|1 $AWAIT_DEPTH_ITERS")
        ROWS+=("await_depth/$AWAIT_DEPTH_DEEP|bench/await_depth.aspy|$AWAIT_DEPTH_DEEP $AWAIT_DEPTH_ITERS")
    else
        ROWS+=("$n|bench/$n.aspy|")
    fi
done

echo "CPython: $PY ($PY_VERSION)$([ "$UVLOOP" = 1 ] && echo ', uvloop available' || echo ', uvloop not installed')" >&2
echo "aspy:    $ASPY$([ "$ASPY_OK" = 1 ] || echo ' (unavailable)')" >&2
echo "runs per program: $N" >&2
echo >&2

# --- run ---------------------------------------------------------------------
HEADER=$(printf '%-16s %10s %10s %8s %9s %9s' name aspy_s cpython_s ratio aspy_MB cpy_MB)
if [ "$UVLOOP" = 1 ]; then
    HEADER+=$(printf ' %10s %8s %9s' uvloop_s uv_ratio uv_MB)
fi
HEADER+="  status"
TABLE=("$HEADER")
echo "$HEADER"

FAILURES=0
MISMATCHES=()
declare -A INNER_ASPY INNER_CPY INNER_UV

for row in "${ROWS[@]}"; do
    IFS='|' read -r name file extra <<<"$row"
    read -r -a args <<<"$extra"
    safe=${name//\//_}
    status="ok"

    measure "cpy_$safe" "$PY" "$file" "${args[@]}"
    cpy_ok=$M_OK; cpy_t=$M_TIME; cpy_rss=$M_RSS; INNER_CPY[$name]=$M_INNER
    if [ "$cpy_ok" != 1 ]; then
        status="CPYTHON FAILED"
        FAILURES=$((FAILURES + 1))
        echo "!!! CPython failed on $file:" >&2
        sed 's/^/    /' "$TMP/cpy_$safe.err" >&2
    fi

    aspy_t=""; aspy_rss=""
    if [ "$ASPY_OK" = 1 ]; then
        measure "aspy_$safe" "$ASPY" "$file" "${args[@]}"
        aspy_t=$M_TIME; aspy_rss=$M_RSS; INNER_ASPY[$name]=$M_INNER
        if [ "$M_OK" != 1 ]; then
            status="aspy FAIL"
            FAILURES=$((FAILURES + 1))
        elif [ "$cpy_ok" = 1 ] && ! cmp -s "$TMP/aspy_$safe.out" "$TMP/cpy_$safe.out"; then
            status="MISMATCH"
            MISMATCHES+=("$name|$safe")
        fi
    else
        status="aspy FAIL"
        FAILURES=$((FAILURES + 1))
    fi

    ratio_t=$aspy_t
    [ "$status" = MISMATCH ] && ratio_t=""
    line=$(printf '%-16s %10s %10s %8s %9s %9s' "$name" "$(fmt_time "$aspy_t")" "$(fmt_time "$cpy_t")" \
        "$(fmt_ratio "$cpy_t" "$ratio_t")" "$(fmt_mb "$aspy_rss")" "$(fmt_mb "$cpy_rss")")
    if [ "$UVLOOP" = 1 ]; then
        case "$name" in
            async_*|await_depth*)
                measure "uv_$safe" "$PY" -c "$UVLOOP_RUNNER" "$file" "${args[@]}"
                uv_t=$M_TIME; uv_rss=$M_RSS; INNER_UV[$name]=$M_INNER
                if [ "$M_OK" != 1 ]; then
                    status+=" (uvloop failed)"
                elif [ "$cpy_ok" = 1 ] && ! cmp -s "$TMP/uv_$safe.out" "$TMP/cpy_$safe.out"; then
                    status+=" (uvloop output differs)"
                fi
                line+=$(printf ' %10s %8s %9s' "$(fmt_time "$uv_t")" "$(fmt_ratio "$uv_t" "$ratio_t")" "$(fmt_mb "$uv_rss")")
                ;;
            *) line+=$(printf ' %10s %8s %9s' - - -) ;;
        esac
    fi
    line+="  $status"
    TABLE+=("$line")
    echo "$line"
    if [ "$status" = "aspy FAIL" ] && [ "$ASPY_OK" = 1 ] && [ -s "$TMP/aspy_$safe.err" ]; then
        sed 's/^/    aspy: /' "$TMP/aspy_$safe.err" | head -n 5
    fi
done

# --- await_depth: per-resume cost ratio -------------------------------------
deep="await_depth/$AWAIT_DEPTH_DEEP"
if [ -n "${INNER_CPY[await_depth/1]+x}" ]; then
    echo
    echo "await_depth: per-resume cost, depth $AWAIT_DEPTH_DEEP / depth 1 (1.0 = independent of depth)"
    printf '  %-8s %s\n' aspy "$(fmt_ratio "${INNER_ASPY[$deep]:-}" "${INNER_ASPY[await_depth/1]:-}")"
    printf '  %-8s %s\n' cpython "$(fmt_ratio "${INNER_CPY[$deep]:-}" "${INNER_CPY[await_depth/1]:-}")"
    if [ "$UVLOOP" = 1 ]; then
        printf '  %-8s %s\n' uvloop "$(fmt_ratio "${INNER_UV[$deep]:-}" "${INNER_UV[await_depth/1]:-}")"
    fi
fi

# --- mismatches, loudly ------------------------------------------------------
if [ ${#MISMATCHES[@]} -gt 0 ]; then
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! OUTPUT MISMATCH between aspy and CPython in ${#MISMATCHES[@]} benchmark(s)"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    for m in "${MISMATCHES[@]}"; do
        IFS='|' read -r name safe <<<"$m"
        echo "--- $name (CPython) vs aspy, first differences:"
        diff "$TMP/cpy_$safe.out" "$TMP/aspy_$safe.out" | head -n 10
    done
fi

if [ "$FAILURES" -gt 0 ] || [ ${#MISMATCHES[@]} -gt 0 ]; then
    exit 1
fi
exit 0
