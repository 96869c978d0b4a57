#!/usr/bin/env bash
# gotrace asm against Go 1.27's own text assembler (internal/trace/raw's
# TextReader + Writer, what Go's tests turn .test files into traces with;
# gotraceoracle text2bytes): the bytes must be identical for
#   - the trace section of every Go .test file (tests/go/gotests.sh keeps it
#     as build/go/gotests/NAME.txt), including the deliberately broken ones;
#   - the plain (not lossless) `gotrace dump` of every v2 runtime trace in
#     build/go/traces below 16 MB (Go 1.22-1.27, AllocFree runs included).
# Go 1.27's text reader does not know the AllocFree events under go 1.23 and
# go 1.25 headers (its tables for those versions stop before them); those
# dumps are assembled by the release that wrote them instead (Go 1.23's
# gotraceraw, Go 1.25's raw package), and the fallback is counted.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
raw=build/go/gotraceoracle

. tests/scripts/go_prep.sh
go_prep gotests.sh
if [ ! -x "$gt" ]; then echo "FAIL: $gt is not built"; exit 1; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 tests=0 dumps=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

fallbacks=0
# compare NAME TEXT: both assemblers on TEXT, same exit status, same bytes.
compare() {
    local name=$1 text=$2 gst=0 ost=0 alt=
    "$raw" text2bytes <"$text" >"$tmp/go.bin" 2>"$tmp/go.err" || gst=$?
    if [ $gst -ne 0 ] && grep -q 'unidentified event: \(HeapObject\|Span\|GoroutineStack\)' "$tmp/go.err"; then
        case $(head -n 1 "$text") in
        "Trace Go1.23") alt=build/go/gotraceraw ;;
        "Trace Go1.25") alt=build/go/gotraceoracle-1.25 ;;
        esac
        if [ -n "$alt" ]; then
            fallbacks=$((fallbacks + 1))
            gst=0
            "$alt" text2bytes <"$text" >"$tmp/go.bin" 2>"$tmp/go.err" || gst=$?
        fi
    fi
    "$gt" asm "$text" -o "$tmp/gt.bin" 2>"$tmp/gt.err" || ost=$?
    if [ $gst -ne 0 ]; then
        fail "$name: text2bytes failed: $(head -c 200 "$tmp/go.err")"
    elif [ $ost -ne 0 ]; then
        fail "$name: gotrace asm exited $ost: $(head -n 1 "$tmp/gt.err")"
    elif ! cmp -s "$tmp/go.bin" "$tmp/gt.bin"; then
        fail "$name: gotrace asm differs from text2bytes: $(cmp "$tmp/go.bin" "$tmp/gt.bin" 2>&1 | head -n 1)"
    else
        return 0
    fi
    return 1
}

for t in build/go/gotests/*.txt; do
    [ -f "$t" ] || continue
    compare "$(basename "$t" .txt).test" "$t" && tests=$((tests + 1))
done
for f in build/go/traces/*.trace; do
    [ "$(stat -c %s "$f")" -lt $((16 << 20)) ] || continue
    case $(head -c 16 "$f" | tr -d '\0') in "go 1.2"[2-9]" trace") ;; *) continue ;; esac
    if ! "$gt" dump "$f" >"$tmp/dump.txt" 2>"$tmp/err"; then fail "$f: dump failed: $(head -n 1 "$tmp/err")"; continue; fi
    compare "dump of $f" "$tmp/dump.txt" && dumps=$((dumps + 1))
done
echo "identical to Go's text2bytes: $tests .test traces, $dumps dumps of runtime traces ($fallbacks by the writing release's assembler)"
[ $tests -ge 22 ] || fail "only $tests .test traces were compared (expected 22)"
[ $dumps -ge 23 ] || fail "only $dumps runtime dumps were compared (expected 23: every v2 trace of Go 1.22-1.27 below 16 MB)"
if [ $fails -ne 0 ]; then
    echo "t_encode_go_text2bytes: $fails failure(s)"
    exit 1
fi
echo "t_encode_go_text2bytes: ok"
