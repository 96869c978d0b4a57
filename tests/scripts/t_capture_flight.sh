#!/usr/bin/env bash
# Flight recorder: during a capture stress run (16 streams, threads exiting
# and born mid-run, generations back to back) the recorder keeps the last
# generations in memory (4 MiB / 50 ms window) and snapshots are taken at
# random moments; every snapshot is a trace of its own and must pass `gotrace
# validate` and Go 1.27's reader + validator. Runs under ThreadSanitizer too.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${GT_BUILD:-build}
n=${GT_CAPTURE_FLIGHT_EVENTS:-1000000}
. tests/scripts/go_prep.sh
go_prep prepare.sh
tmp=build/capture/tmp/flight.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

check_dir() { # DIR LABEL MIN-COUNT
    local f line count=0
    for f in "$1"/snap-*.trace; do
        [ -f "$f" ] || continue
        count=$((count + 1))
        build/gotrace validate "$f" >/dev/null || fail "$2 $(basename "$f"): gotrace validate: $(build/gotrace validate "$f" 2>&1 | head -c 300)"
        line=$(build/go/gotraceoracle validate "$f") || fail "$2 $(basename "$f"): Go 1.27's validator: $(cut -f2- <<<"$line" | head -c 300)"
    done
    [ $count -ge "$3" ] || fail "$2: $count snapshots, expected $3"
    echo "$2: $count snapshots ($(du -sh "$1" | cut -f1)), every one valid for gotrace and Go 1.27"
}

make -s "$B/capture/cap_stress" >/dev/null 2>&1 || { echo "FAIL: build $B/capture/cap_stress"; exit 1; }
mkdir -p "$tmp/plain"
"$B/capture/cap_stress" -t 16 -n "$n" -l 4 -F "$tmp/plain" -k 12 || fail "cap_stress -F"
check_dir "$tmp/plain" "flight recorder" 13
if command -v clang >/dev/null 2>&1 &&
    make -s B=build/tsan CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=thread" build/tsan/capture/cap_stress >"$tmp/build.log" 2>&1; then
    mkdir -p "$tmp/tsan"
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/capture/cap_stress -t 16 -n $((n / 5)) -l 4 -F "$tmp/tsan" -k 8 >"$tmp/tsan.log" 2>&1 ||
        { cat "$tmp/tsan.log" | head -n 60; fail "flight recorder under TSan"; }
    check_dir "$tmp/tsan" "flight recorder under TSan" 9
else
    echo "(no TSan build: clang missing or build failed)"; cat "$tmp/build.log" 2>/dev/null | tail -5
    [ "${CI:-}" = true ] && fail "TSan build"
fi
[ $fails -eq 0 ] || exit 1
echo "flight recorder: ok"
