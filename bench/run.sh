#!/usr/bin/env bash
# Benchmarks (not tests): throughput and peak RSS of gotrace beside Go's own
# tools on the same >= 50 MB traces written by real Go runtimes.
#
#   bench/run.sh            v2 (Go 1.27, Go 1.23) and legacy (Go 1.19) traces
#   GT_BENCH_RUNS=5 bench/run.sh
# Figures are printed, never asserted.
set -eu
cd "$(dirname "$0")/.."
B=${GT_BUILD:-build}
runs=${GT_BENCH_RUNS:-3}
bash tests/go/prepare.sh --big >/dev/null
report=$B/reports/bench.txt
mkdir -p "$B/reports"

# measure LABEL BYTES ITEMS CMD... : best wall time of $runs runs, peak RSS of the last
measure() {
    local label=$1 bytes=$2 items=$3; shift 3
    local best="" rss=0 i t
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f '%e %M' -o "$B/reports/.time" "$@" >/dev/null 2>"$B/reports/.err" || true
        read -r t rss <"$B/reports/.time"
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    done
    awk -v l="$label" -v b="$bytes" -v n="$items" -v t="$best" -v r="$rss" 'BEGIN {
        if (t <= 0) t = 0.001
        printf "%-34s %8.2f s %10.1f MB/s %12.0f items/s %8.1f ns/item %9.1f MB RSS\n", l, t, b/t/1e6, n/t, t*1e9/n, r/1024 }'
}

items_of() { # wire items = every event the dump prints
    "$B/gotrace" stats --json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(v["count"] for v in d["types"].values()))'
}

{
echo "gotrace $("$B/gotrace" version | cut -d' ' -f2), $(date -u +%Y-%m-%d), $(nproc) cores, best of $runs runs"
# Semantic validation and the ordered events beside Go 1.27's own reader: the
# Reader alone (what go tool trace runs), Reader + test validator, and
# go tool trace -d=parsed itself. Items = the events Go's Reader returns.
for f in "$B/go/traces/big-go127.trace" "$B/go/traces/big-go123.trace"; do
    size=$(stat -c %s "$f"); n=$("$B/go/gotraceoracle" read "$f")
    echo; echo "== $f: $((size / 1000000)) MB, $n ordered events (Go 1.27's Reader) =="
    measure "gotrace validate (semantic)" "$size" "$n" "$B/gotrace" validate "$f"
    measure "gotrace validate (stdin)" "$size" "$n" sh -c "$B/gotrace validate - < '$f'"
    measure "Go 1.27 Reader" "$size" "$n" "$B/go/gotraceoracle" read "$f"
    measure "Go 1.27 Reader + validator" "$size" "$n" "$B/go/gotraceoracle" read -validate "$f"
    measure "gotrace validate --structural" "$size" "$n" "$B/gotrace" validate --structural "$f"
    measure "gotrace dump --parsed" "$size" "$n" "$B/gotrace" dump --parsed "$f"
    measure "go tool trace -d=parsed (Go 1.27)" "$size" "$n" sh -c "TZ=UTC $B/go/gotool-trace -d=parsed '$f'"
done
for f in "$B/go/traces/big-go123.trace"; do
    size=$(stat -c %s "$f"); n=$(items_of "$f")
    echo; echo "== $f: $((size / 1000000)) MB, $n wire items (Go 1.23) =="
    measure "gotrace validate --structural" "$size" "$n" "$B/gotrace" validate --structural "$f"
    measure "gotracevalidate (Go 1.23)" "$size" "$n" sh -c "$B/go/gotracevalidate < '$f'"
    measure "gotrace dump" "$size" "$n" "$B/gotrace" dump "$f"
    measure "gotraceraw bytes2text (Go 1.23)" "$size" "$n" sh -c "$B/go/gotraceraw bytes2text < '$f'"
    measure "gotrace copy (decode + re-encode)" "$size" "$n" "$B/gotrace" copy "$f" /dev/null
    echo "-- library, input already in memory (tests/tools/bench_decode) --"
    "$B/tools/bench_decode" --runs "$runs" "$f"
done
for f in "$B/go/traces/big-go119.trace"; do
    size=$(stat -c %s "$f"); n=$(items_of "$f")
    echo; echo "== $f: $((size / 1000000)) MB, $n wire items (Go 1.19) =="
    measure "gotrace validate" "$size" "$n" "$B/gotrace" validate "$f"
    measure "gotrace dump" "$size" "$n" "$B/gotrace" dump "$f"
    measure "gotrace copy (decode + re-encode)" "$size" "$n" "$B/gotrace" copy "$f" /dev/null
    measure "Go 1.19 internal/trace parse" "$size" "$n" bash tests/go/legacy_parse_bench.sh "$f"
    echo "-- library, input already in memory (tests/tools/bench_decode) --"
    "$B/tools/bench_decode" --runs "$runs" "$f"
done
echo; echo "== encoder (synthetic events, string/stack tables on and off: tests/tools/bench_encode) =="
"$B/tools/bench_encode" -n 5000000 -runs "$runs"
echo; bash bench/capture.sh
} | tee "$report"
echo "(written to $report)"
