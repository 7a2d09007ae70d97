#!/usr/bin/env bash
# Runs every test program under valgrind memcheck and reports any program for which
# valgrind finds an invalid read or write, a use of uninitialised memory, or an
# invalid free. Leaks are not reported here: KILN_LEAK_CHECK=1 in the test harness
# covers them (and a panic may leak by design).
#
# Usage: scripts/valgrind-tests.sh [--jobs N] [PATH...]   (default: tests/programs)
# Needs valgrind and a built target/debug/kiln (cargo build -p kiln-cli).
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=2
if [ "${1:-}" = "--jobs" ]; then jobs=$2; shift 2; fi
paths=("$@")
[ ${#paths[@]} -eq 0 ] && paths=(tests/programs)
kiln=target/debug/kiln
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 2; }
[ -x "$kiln" ] || { echo "build first: cargo build -p kiln-cli"; exit 2; }
out=$(mktemp -d)
KILN=$kiln
export KILN out

check_one() {
    f=$1
    args=$(grep -m1 '^// args: ' "$f" | sed 's|^// args: ||')
    input=$(grep '// stdin: ' "$f" | sed 's|.*// stdin: ||')
    log="$out/$(echo "$f" | tr '/' '_').log"
    # Memory-limited programs cap their own address space, which valgrind needs
    # room beyond; run them too, but a failure to start is not a finding.
    printf '%s\n' "$input" | timeout 600 valgrind --error-exitcode=99 --leak-check=no \
        --errors-for-leak-kinds=none --track-origins=no -q \
        "$KILN" run "$f" $args > /dev/null 2> "$log"
    code=$?
    if [ $code -eq 99 ] || grep -q '^==[0-9]*== \(Invalid\|Conditional\|Mismatched\|Use of\)' "$log"; then
        echo "FINDING $f"
        grep '^==' "$log" | head -20
    fi
}
export -f check_one

mapfile -t files < <(find "${paths[@]}" -name '*.kl' | sort)
echo "valgrind memcheck over ${#files[@]} programs, $jobs at a time"
start=$(date +%s)
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c 'check_one "$@"' _ {} | tee "$out/summary.txt"
end=$(date +%s)
findings=$(grep -c '^FINDING' "$out/summary.txt")
echo "${#files[@]} programs, $findings with findings, $((end - start)) s"
rm -rf "$out"
[ "$findings" -eq 0 ]
