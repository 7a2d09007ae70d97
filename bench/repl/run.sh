#!/usr/bin/env bash
# The REPL benchmark: one generated session of 2,500 entries (bench/repl/gen.py)
# piped into `kiln`, `python3 -i -q` and `node -i`, timed as a whole (best of
# RUNS); for Kiln also the time of each entry (KILN_REPL_TIMES) and the split by
# phase (`:stats`), and the start-up time of an empty session.
#
#   bench/repl/run.sh [RUNS] [ENTRIES]
#
# A missing peer is skipped with a note. The outputs are checked to hold the same
# values: Kiln prints `VALUE : TYPE`, the peers print the value.

set -u
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../.." && pwd)"
KILN="${KILN:-$ROOT/target/release/kiln}"
RUNS="${1:-5}"
ENTRIES="${2:-2500}"
OUT="$DIR/../out/repl"
mkdir -p "$OUT"
[ -x "$KILN" ] || { echo "run.sh: no $KILN (cargo build --release -p kiln-cli)" >&2; exit 2; }
python3 "$DIR/gen.py" "$OUT" "$ENTRIES"

# best_of CMD INPUT: the best wall time of RUNS runs, in seconds.
best_of() {
    local best=""
    for _ in $(seq "$RUNS"); do
        local t0 t1 t
        t0=$(date +%s.%N)
        "$@" < "$INPUT" > "$OUT/last.out" 2> "$OUT/last.err"
        t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    printf '%.3f' "$best"
}

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%d)"
echo
echo "| implementation | session of $ENTRIES entries (best of $RUNS) |"
echo "|---|---|"
INPUT="$OUT/session.kiln"
kiln_time=$(best_of env KILN_REPL_TIMES="$OUT/times.txt" "$KILN")
sed 's/ : .*//' "$OUT/last.out" > "$OUT/kiln.values"
[ -s "$OUT/last.err" ] && { echo "kiln wrote errors:" >&2; head "$OUT/last.err" >&2; }
echo "| kiln | ${kiln_time}s |"
if command -v python3 > /dev/null; then
    INPUT="$OUT/session.py"
    echo "| python3 -i | $(best_of python3 -i -q)s |"
    cmp -s "$OUT/kiln.values" "$OUT/last.out" || echo "python3 printed other values than kiln" >&2
else
    echo "python3 not installed: skipped" >&2
fi
if command -v node > /dev/null; then
    INPUT="$OUT/session.js"
    echo "| node -i | $(best_of node -i)s |"
else
    echo "node not installed: skipped" >&2
fi
echo
sort -n "$OUT/times.txt" | awk '{a[NR]=$1} END {
    printf "kiln per entry (last run): median %.0f µs, p90 %.0f µs, max %.0f µs, %d entries\n",
        a[int((NR+1)/2)], a[int(NR*0.9)], a[NR], NR }'
INPUT=/dev/null
echo "kiln start-up (empty session, best of $RUNS): $(best_of "$KILN")s"
echo
echo "kiln :stats for the whole session:"
(cat "$OUT/session.kiln"; echo ":stats") | "$KILN" | sed -n '/^entries:/,$p'
