#!/usr/bin/env bash
# gt-sanitize
# The encoder against every real trace the tests have: Go 1.19/1.21/1.22/1.23
# runtime traces (tests/go/prepare.sh), Go's canned legacy traces, Go's v2
# .test traces and fuzz corpus converted to binary (tests/go/gotests.sh), and
# the bundled examples. For each file the decoder accepts (framing only):
#   gotrace copy F OUT                        OUT is byte-identical to F
#   gotrace dump --lossless F | gotrace asm   the bytes of F again
# Files the decoder rejects: copy exits 1 and leaves no output behind.
# Under the sanitizer pass (GT_BUILD=build/san) files above 8 MB are skipped.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace

. tests/scripts/go_prep.sh
go_prep gotests.sh
if [ ! -x "$gt" ]; then echo "FAIL: $gt is not built"; exit 1; fi

files=()
for d in /usr/lib/go-1.19/src/internal/trace/testdata /usr/lib/go-1.23/src/internal/trace/internal/oldtrace/testdata; do
    if [ ! -d "$d" ]; then echo "skip: Go legacy test data missing ($d)"; exit 77; fi
    for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
done
for f in build/go/traces/*.trace build/go/gotests/*.trace examples/traces/*.trace; do [ -f "$f" ] && files+=("$f"); done

limit=$((1 << 62))
case $gt in */san/*) limit=$((8 << 20)) ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 same=0 rejected=0 skipped=0 bytes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for f in "${files[@]}"; do
    size=$(stat -c %s "$f")
    if [ "$size" -gt "$limit" ]; then skipped=$((skipped + 1)); continue; fi
    rm -f "$tmp/copy"
    "$gt" copy "$f" "$tmp/copy" 2>"$tmp/err"
    st=$?
    if [ $st -eq 1 ]; then
        # Not decodable even without validation (Go's fuzz corpus): no partial copy.
        [ -e "$tmp/copy" ] && fail "$f: copy of a rejected file left $tmp/copy behind"
        rejected=$((rejected + 1))
        continue
    fi
    if [ $st -ne 0 ]; then fail "$f: gotrace copy exited $st: $(head -n 1 "$tmp/err")"; continue; fi
    cmp -s "$f" "$tmp/copy" || { fail "$f: copy differs: $(cmp "$f" "$tmp/copy" 2>&1 | head -n 1)"; continue; }
    if ! "$gt" dump --lossless "$f" >"$tmp/text" 2>"$tmp/err"; then
        fail "$f: dump --lossless failed: $(head -n 1 "$tmp/err")"
        continue
    fi
    if ! "$gt" asm "$tmp/text" -o "$tmp/asm" 2>"$tmp/err"; then
        fail "$f: asm failed: $(head -n 1 "$tmp/err")"
        continue
    fi
    cmp -s "$f" "$tmp/asm" || { fail "$f: asm(dump --lossless) differs: $(cmp "$f" "$tmp/asm" 2>&1 | head -n 1)"; continue; }
    same=$((same + 1))
    bytes=$((bytes + size))
done

echo "copy and asm(dump --lossless) byte-identical: $same files ($bytes bytes); rejected by the decoder: $rejected; skipped (size): $skipped"
[ "$same" -ge 40 ] || fail "only $same files were checked (expected at least 40)"
if [ $fails -ne 0 ]; then
    echo "t_encode_roundtrip: $fails failure(s)"
    exit 1
fi
echo "t_encode_roundtrip: ok"
