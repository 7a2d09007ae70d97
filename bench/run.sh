#!/usr/bin/env bash
# Kiln benchmark runner.
#
#   bench/run.sh [--runs N] [--quick] [--slow-limit S] [--timeout S] [BENCH...]
#
# For each benchmark directory bench/<name>/ (all of them, or those named), the
# C version is compiled with `gcc -O2` into bench/out/, every implementation is
# run once to check that its output equals the C output, and then timed. The
# pseudo-benchmark `compile` times `kiln check` and `kiln run` on large generated
# programs (scripts/gen-big-programs.sh) in a second table. Machine info and
# markdown tables go to stdout; progress and notes go to stderr (the notes are
# repeated under the tables). See bench/README.md.

set -u

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out"
KILN="${KILN:-$ROOT_DIR/target/release/kiln}"

RUNS=5
SLOW_LIMIT=15     # a program whose check run takes longer is timed by that run alone
TIMEOUT=600       # any single run longer than this is killed and reported
NAMES=()

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --runs N         timed runs per implementation (default 5), after 1 warmup run
  --quick          1 timed run, no slow-program repetition (smoke test)
  --slow-limit S   an implementation whose check run takes more than S seconds
                   is not repeated: that run is its time (default 15)
  --timeout S      kill any single run after S seconds (default 600)
  -h, --help       this help

Environment: KILN=/path/to/kiln overrides ../target/release/kiln;
BENCH_NO_HYPERFINE=1 uses the date-based fallback timer even if hyperfine exists.
EOF
}

die() { echo "run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || die "--runs needs a number"; RUNS="$2"; shift 2 ;;
        --runs=*) RUNS="${1#--runs=}"; shift ;;
        --quick) RUNS=1; shift ;;
        --slow-limit) [ $# -ge 2 ] || die "--slow-limit needs a number"; SLOW_LIMIT="$2"; shift 2 ;;
        --slow-limit=*) SLOW_LIMIT="${1#--slow-limit=}"; shift ;;
        --timeout) [ $# -ge 2 ] || die "--timeout needs a number"; TIMEOUT="$2"; shift 2 ;;
        --timeout=*) TIMEOUT="${1#--timeout=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; NAMES+=("$@"); break ;;
        -*) die "unknown option $1 (try --help)" ;;
        *) NAMES+=("$1"); shift ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$RUNS'"
[[ "$SLOW_LIMIT" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--slow-limit must be a number"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer"

# ---------------------------------------------------------------- benchmarks
if [ ${#NAMES[@]} -eq 0 ]; then
    for d in "$BENCH_DIR"/*/; do
        n="$(basename "$d")"
        [ "$n" = out ] && continue
        [ -f "$d/$n.c" ] || [ -f "$d/$n.kl" ] || continue
        NAMES+=("$n")
    done
    NAMES+=(compile)
else
    for n in "${NAMES[@]}"; do
        [ "$n" = compile ] && continue
        [ -d "$BENCH_DIR/$n" ] || die "no benchmark '$n' (no directory $BENCH_DIR/$n)"
    done
fi
COMPILE=0
RUNTIME_NAMES=()
for n in "${NAMES[@]}"; do
    if [ "$n" = compile ]; then COMPILE=1; else RUNTIME_NAMES+=("$n"); fi
done
[ ${#NAMES[@]} -gt 0 ] || die "no benchmarks found in $BENCH_DIR"

mkdir -p "$OUT_DIR"

# ---------------------------------------------------------------- helpers
NOTES=()
note() { echo "note: $*" >&2; NOTES+=("$*"); }
log() { echo "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
fgt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }   # float a > b

HAVE_TIMEOUT=0; have timeout && HAVE_TIMEOUT=1
with_timeout() {
    if [ $HAVE_TIMEOUT = 1 ]; then timeout "$TIMEOUT" "$@"; else "$@"; fi
}

fmt_secs() {
    awk -v t="$1" 'BEGIN {
        if (t >= 0.1) printf "%.2fs", t;
        else if (t >= 0.01) printf "%.3fs", t;
        else printf "%.4fs", t }'
}
fmt_cell() {   # seconds [c-seconds]
    local s; s="$(fmt_secs "$1")"
    if [ -n "${2:-}" ] && fgt "$2" 0; then
        s="$s ($(awk -v t="$1" -v c="$2" 'BEGIN { r = t / c;
            if (r >= 100) printf "%.0fx", r; else if (r >= 0.1) printf "%.1fx", r; else printf "%.2fx", r }'))"
    fi
    printf '%s' "$s"
}

HYPERFINE=0
HF_SHELL_OPT=()
if have hyperfine && [ -z "${BENCH_NO_HYPERFINE:-}" ]; then
    HYPERFINE=1
    # --shell=none (hyperfine >= 1.13) avoids measuring a shell's startup.
    if hyperfine --help 2>/dev/null | grep -q -- '--shell'; then HF_SHELL_OPT=(--shell=none); fi
fi

# Prints the best (minimum) wall time in seconds of RUNS runs after 1 warmup.
# Arguments: json-file command...
time_cmd() {
    local json="$1"; shift
    if [ $HYPERFINE = 1 ]; then
        local cmdline
        cmdline="$(printf '%q ' "$@")"
        if ! hyperfine "${HF_SHELL_OPT[@]}" --style none --warmup 1 --runs "$RUNS" \
                --export-json "$json" -- "$cmdline" >"$json.log" 2>&1; then
            return 1
        fi
        # hyperfine's JSON: {"results": [{"command": ..., "mean": ..., "min": ..., ...}]}
        grep -o '"min": *[0-9.eE+-]*' "$json" | head -n 1 | sed 's/.*: *//'
    else
        local best="" i t0 t1 t
        for ((i = 0; i <= RUNS; i++)); do          # run 0 is the warmup
            t0="$(now)"
            with_timeout "$@" >/dev/null 2>&1 || return 1
            t1="$(now)"
            t="$(elapsed "$t0" "$t1")"
            if [ $i -gt 0 ] && { [ -z "$best" ] || fgt "$best" "$t"; }; then best="$t"; fi
        done
        printf '%s' "$best"
    fi
}

# ---------------------------------------------------------------- machine info
cpu_model() {
    local m
    m="$(grep -m1 -E '^(model name|Hardware|Processor|cpu model)' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*:[[:space:]]*//')"
    if [ -z "$m" ] && have lscpu; then m="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"; fi
    printf '%s' "${m:-unknown}"
}
first_line() { "$@" 2>&1 | head -n 1; }

version_of() {
    case "$1" in
        c) have gcc && first_line gcc --version ;;
        kiln) [ -x "$KILN" ] && { first_line "$KILN" --version || true; } ;;
        luajit) have luajit && luajit -v 2>&1 | head -n 1 | sed 's/ --.*//' ;;
        node) have node && echo "node $(node --version 2>&1)" ;;
        python) have python3 && first_line python3 --version ;;
        pypy) have pypy3 && pypy3 --version 2>&1 | tr '\n' ' ' | sed 's/ *$//' ;;
    esac
}

# ---------------------------------------------------------------- implementations
IMPLS=(c kiln luajit node python pypy)
declare -A TITLE=([c]=C [kiln]=kiln [luajit]=luajit [node]=node [python]=python [pypy]=pypy)
declare -A EXT=([c]=c [kiln]=kl [luajit]=lua [node]=js [python]=py [pypy]=py)
declare -A AVAILABLE=()

check_available() {
    AVAILABLE[c]=0; AVAILABLE[kiln]=0
    if have gcc; then AVAILABLE[c]=1; else note "gcc not found: C versions skipped, no ratios and no output check"; fi
    if [ -x "$KILN" ]; then
        AVAILABLE[kiln]=1
    else
        note "kiln not built yet ($KILN missing; build with 'cargo build --release'): kiln skipped"
    fi
    local impl cmd
    for impl in luajit node python pypy; do
        case "$impl" in python) cmd=python3 ;; pypy) cmd=pypy3 ;; *) cmd=$impl ;; esac
        if have "$cmd"; then AVAILABLE[$impl]=1; else AVAILABLE[$impl]=0; note "$cmd not found: $impl skipped"; fi
    done
}

# Sets CMD to the command array running benchmark $1 with implementation $2.
build_cmd() {
    local name="$1" impl="$2" src="$BENCH_DIR/$1/$1.${EXT[$2]}"
    case "$impl" in
        c) CMD=("$OUT_DIR/$name") ;;
        kiln) CMD=("$KILN" run "$src") ;;
        luajit) CMD=(luajit "$src") ;;
        node) CMD=(node "$src") ;;
        python) CMD=(python3 "$src") ;;
        pypy) CMD=(pypy3 "$src") ;;
    esac
}

# ---------------------------------------------------------------- main
check_available
if [ $HYPERFINE = 1 ]; then
    TIMER="hyperfine ($(first_line hyperfine --version)), best of $RUNS runs after 1 warmup"
else
    note "hyperfine not found: timing with date +%s.%N"
    TIMER="date +%s.%N, best of $RUNS runs after 1 warmup"
fi

declare -A CELL=()
declare -A SECS=()

for name in "${RUNTIME_NAMES[@]}"; do
    dir="$BENCH_DIR/$name"
    log "== $name"
    expected="$OUT_DIR/$name.expected"
    rm -f "$expected"

    for impl in "${IMPLS[@]}"; do
        key="$name|$impl"
        src="$dir/$name.${EXT[$impl]}"
        if [ ! -f "$src" ]; then CELL[$key]="-"; continue; fi
        if [ "${AVAILABLE[$impl]}" != 1 ]; then CELL[$key]="n/a"; continue; fi

        if [ "$impl" = c ]; then
            if ! gcc -O2 -o "$OUT_DIR/$name" "$src" -lm 2>"$OUT_DIR/$name.gcc.log"; then
                note "$name: gcc -O2 failed (see bench/out/$name.gcc.log)"
                CELL[$key]="FAIL (gcc)"; continue
            fi
        fi
        build_cmd "$name" "$impl"

        # Check run: also decides whether the program is slow.
        actual="$OUT_DIR/$name.$impl.stdout"
        errlog="$OUT_DIR/$name.$impl.stderr"
        t0="$(now)"
        (cd "$dir" && with_timeout "${CMD[@]}") >"$actual" 2>"$errlog" </dev/null
        rc=$?
        t1="$(now)"
        check_secs="$(elapsed "$t0" "$t1")"
        if [ $rc -ne 0 ]; then
            if [ $rc -eq 124 ] && [ $HAVE_TIMEOUT = 1 ]; then
                note "$name/$impl: TIMEOUT after ${TIMEOUT}s"; CELL[$key]="TIMEOUT"
            else
                note "$name/$impl: FAIL, exit status $rc: $(head -c 300 "$errlog" | head -n 3 | tr '\n' ' ')"
                CELL[$key]="FAIL (exit $rc)"
            fi
            continue
        fi

        mark=""
        if [ "$impl" = c ]; then
            cp "$actual" "$expected"
        elif [ -f "$expected" ]; then
            if ! cmp -s "$expected" "$actual"; then
                mark=" MISMATCH"
                msg="$name/$impl: MISMATCH with the C output: $(diff "$expected" "$actual" | head -n 6 | tr '\n' ' ')"
                if [ -s "$errlog" ]; then msg="$msg; stderr: $(head -c 300 "$errlog" | head -n 3 | tr '\n' ' ')"; fi
                note "$msg"
            fi
        fi

        if [ "$RUNS" -gt 1 ] && fgt "$check_secs" "$SLOW_LIMIT"; then
            secs="$check_secs"; mark="$mark (1 run)"
            log "  $impl: $(fmt_secs "$secs") (single run: over --slow-limit ${SLOW_LIMIT}s)"
        else
            if ! secs="$(cd "$dir" && time_cmd "$OUT_DIR/$name.$impl.json" "${CMD[@]}")" || [ -z "$secs" ]; then
                note "$name/$impl: timing failed (see bench/out/$name.$impl.json.log)"
                CELL[$key]="FAIL (timing)"; continue
            fi
            log "  $impl: $(fmt_secs "$secs")"
        fi
        SECS[$key]="$secs"
        CELL[$key]="$mark"
    done

    # Ratios need the C time, so cells are formatted once the row is done.
    c_secs="${SECS[$name|c]:-}"
    for impl in "${IMPLS[@]}"; do
        key="$name|$impl"
        if [ -n "${SECS[$key]:-}" ]; then
            if [ "$impl" = c ]; then
                CELL[$key]="$(fmt_secs "${SECS[$key]}")${CELL[$key]}"
            else
                CELL[$key]="$(fmt_cell "${SECS[$key]}" "$c_secs")${CELL[$key]}"
            fi
        fi
    done
done

# ---------------------------------------------------------------- compile time
# The generated programs: kind, what it is.
BIG_KINDS=(script funcs balanced match)
declare -A BIG_TITLE=(
    [script]="top-level script (20,000 lines)"
    [funcs]="1,000 small functions (10,000 lines)"
    [balanced]="sum of 65,536 terms as a balanced tree"
    [match]="match of 100,000 integer arms"
)
declare -A BIG_CELL=()
declare -A BIG_LINES=()
if [ $COMPILE = 1 ]; then
    log "== compile"
    big="$OUT_DIR/big"
    if [ "${AVAILABLE[kiln]}" != 1 ]; then
        for kind in "${BIG_KINDS[@]}"; do BIG_CELL[$kind|check]="n/a"; BIG_CELL[$kind|run]="n/a"; done
    elif ! bash "$ROOT_DIR/scripts/gen-big-programs.sh" "$big" "${BIG_KINDS[@]}" 2>"$OUT_DIR/big.log"; then
        note "compile: scripts/gen-big-programs.sh failed (see bench/out/big.log)"
        for kind in "${BIG_KINDS[@]}"; do BIG_CELL[$kind|check]="FAIL"; BIG_CELL[$kind|run]="FAIL"; done
    else
        for kind in "${BIG_KINDS[@]}"; do
            src="$big/$kind.kl"
            BIG_LINES[$kind]="$(wc -l <"$src" | tr -d ' ')"
            for mode in check run; do
                key="$kind|$mode"
                t0="$(now)"
                with_timeout "$KILN" "$mode" "$src" >"$big/$kind.$mode.stdout" 2>"$big/$kind.$mode.stderr" </dev/null
                rc=$?
                t1="$(now)"
                check_secs="$(elapsed "$t0" "$t1")"
                if [ $rc -eq 124 ] && [ $HAVE_TIMEOUT = 1 ]; then
                    note "compile/$kind: kiln $mode: TIMEOUT after ${TIMEOUT}s"
                    BIG_CELL[$key]="TIMEOUT"; continue
                elif [ $rc -ne 0 ]; then
                    note "compile/$kind: kiln $mode failed, exit status $rc"
                    BIG_CELL[$key]="FAIL (exit $rc)"; continue
                fi
                mark=""
                if [ $mode = run ] && ! cmp -s "$big/$kind.out" "$big/$kind.run.stdout"; then
                    mark=" MISMATCH"; note "compile/$kind: kiln run printed something other than $kind.out"
                fi
                if [ "$RUNS" -gt 1 ] && fgt "$check_secs" "$SLOW_LIMIT"; then
                    secs="$check_secs"; mark="$mark (1 run)"
                elif ! secs="$(time_cmd "$big/$kind.$mode.json" "$KILN" "$mode" "$src")" || [ -z "$secs" ]; then
                    note "compile/$kind: timing kiln $mode failed"
                    BIG_CELL[$key]="FAIL (timing)"; continue
                fi
                log "  $kind, kiln $mode: $(fmt_secs "$secs")"
                BIG_CELL[$key]="$(fmt_secs "$secs")$mark"
            done
        done
    fi
fi

# ---------------------------------------------------------------- report
echo
echo "### Kiln benchmarks"
echo
echo "- CPU: $(cpu_model)"
echo "- cores: $(nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- OS: $(uname -srm)"
if have git && git -C "$ROOT_DIR" rev-parse --short HEAD >/dev/null 2>&1; then
    echo "- kiln commit: $(git -C "$ROOT_DIR" rev-parse --short HEAD)"
fi
for impl in "${IMPLS[@]}"; do
    v="$(version_of "$impl" 2>/dev/null || true)"
    [ -n "$v" ] && echo "- ${TITLE[$impl]}: $v"
done
echo "- timing: $TIMER; C built with gcc -O2"
if [ ${#RUNTIME_NAMES[@]} -gt 0 ]; then
    echo
    header="| benchmark |"; rule="|---|"
    for impl in "${IMPLS[@]}"; do header="$header ${TITLE[$impl]} |"; rule="$rule---|"; done
    echo "$header"
    echo "$rule"
    for name in "${RUNTIME_NAMES[@]}"; do
        row="| $name |"
        for impl in "${IMPLS[@]}"; do row="$row ${CELL[$name|$impl]:-n/a} |"; done
        echo "$row"
    done
fi
if [ $COMPILE = 1 ]; then
    echo
    echo "Compile time of generated programs (scripts/gen-big-programs.sh):"
    echo
    echo "| program | lines | kiln check | kiln run |"
    echo "|---|---|---|---|"
    for kind in "${BIG_KINDS[@]}"; do
        echo "| $kind: ${BIG_TITLE[$kind]} | ${BIG_LINES[$kind]:-?} | ${BIG_CELL[$kind|check]:-n/a} | ${BIG_CELL[$kind|run]:-n/a} |"
    done
fi
if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    for n in "${NOTES[@]}"; do echo "- $n"; done
fi
exit 0
