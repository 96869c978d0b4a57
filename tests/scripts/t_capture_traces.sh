#!/usr/bin/env bash
# Every trace the capture unit test writes (tests/capture/test_capture_unit.c:
# births, statuses and exits across generations, wake-ups, bad use, signals,
# fork, thread-ID reuse, memory cap, AllocFree, restart, go 1.23 form; and
# test_capture_unwind's frame-pointer and libunwind stacks) passes
# `gotrace validate` and Go 1.27's reader + validator; the go 1.23 ones also
# Go 1.23's gotracevalidate. The AllocFree traces are read by Go 1.27's own
# reader (tests/capture/gocheck, built inside Go's tree with -overlay): it
# must decode every experimental event and the type table recorded.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
B=${GT_BUILD:-build}
. tests/scripts/go_prep.sh
go_prep prepare.sh
tmp=$B/capture/tmp/traces.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

make -s "$B/tests/test_capture_unit" >/dev/null 2>&1 || { echo "FAIL: build test_capture_unit"; exit 1; }
"$B/tests/test_capture_unit" "$tmp" || fail "test_capture_unit"
make -s "$B/tests/test_capture_unwind" >/dev/null 2>&1 || { echo "FAIL: build test_capture_unwind"; exit 1; }
"$B/tests/test_capture_unwind" "$tmp" >"$tmp/unwind.log" 2>&1
case $? in
0) ;;
77) if [ "${CI:-}" = true ] || [ "${GT_REQUIRE_ALL:-0}" = 1 ]; then fail "libunwind8 is not installed"; fi ;;
*) cat "$tmp/unwind.log"; fail "test_capture_unwind" ;;
esac
n=0
for f in "$tmp"/*.trace; do
    n=$((n + 1))
    build/gotrace validate "$f" >/dev/null || fail "$(basename "$f"): gotrace validate"
    line=$(build/go/gotraceoracle validate "$f") || fail "$(basename "$f"): Go 1.27: $(cut -f2- <<<"$line" | head -c 300)"
    case $f in *go123*)
        build/go/gotracevalidate <"$f" >/dev/null 2>"$tmp/err" || fail "$(basename "$f"): Go 1.23: $(head -c 300 "$tmp/err")" ;;
    esac
done
echo "$n capture unit traces accepted by gotrace and Go 1.27 (go 1.23 ones by Go 1.23 too)"

# Go 1.27's reader on the AllocFree experiment.
out=$root/build/go
ov=$out/overlay-gtcapcheck.json
printf '{"Replace": {"%s": "%s"}}\n' /usr/lib/go-1.27/src/internal/trace/gtcapcheck/main.go \
    "$root/tests/capture/gocheck/main.go" >"$ov"
if ! (cd /usr/lib/go-1.27/src && GOCACHE=$out/cache GOPATH=$out/gopath GOTOOLCHAIN=local GOFLAGS='' GOENV=off \
    CGO_ENABLED=0 GOWORK=off /usr/lib/go-1.27/bin/go build -tags gotrace_capcheck -trimpath -overlay "$ov" \
    -o "$root/$B/capture/gtcapcheck" ./internal/trace/gtcapcheck) >"$tmp/gobuild.log" 2>&1; then
    cat "$tmp/gobuild.log"; fail "building tests/capture/gocheck in Go 1.27's tree"
else
    for v in 123 126; do
        f=$tmp/allocfree-go$v.trace
        "$B/capture/gtcapcheck" "$f" >"$tmp/af.txt" 2>&1 || { cat "$tmp/af.txt"; fail "go1$v AllocFree: Go's reader"; continue; }
        for want in "events HeapObjectAlloc 192" "events HeapObjectFree 192" "events SpanAlloc 3" "events SpanFree 3" \
            'type "struct node" 48 16' 'type "char\[256\]" 256 0' "info 4096 8"; do
            grep -q "^$want\$" "$tmp/af.txt" || fail "go1$v AllocFree: Go's reader did not give '$want'"
        done
    done
    echo "AllocFree: Go 1.27's reader decodes the experimental events and the type table (go 1.23 and 1.26 forms)"
fi
[ $fails -eq 0 ] || exit 1
echo "capture traces: ok"
