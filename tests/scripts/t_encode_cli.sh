#!/usr/bin/env bash
# gt-sanitize
# gotrace copy and gotrace asm as commands: exit statuses (0 ok, 1 invalid
# input, 2 usage or I/O), stdin/stdout, no partial output left behind, error
# messages naming the line, and the round trip on the bundled examples.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
[ -x "$gt" ] || { echo "FAIL: $gt is not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() { # STATUS DESCRIPTION CMD...
    local want=$1 what=$2 st=0
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
    [ $st -eq "$want" ] || fail "$what: exit $st, want $want ($(head -n 1 "$tmp/err"))"
}

ex=examples/traces/go123-small.trace
[ -f "$ex" ] || { echo "skip: $ex missing"; exit 77; }

# Round trips through files and pipes.
for f in examples/traces/*.trace; do
    expect 0 "copy $f" "$gt" copy "$f" "$tmp/c"
    cmp -s "$f" "$tmp/c" || fail "copy $f differs"
    "$gt" copy - - <"$f" >"$tmp/p" || fail "copy - - <$f"
    cmp -s "$f" "$tmp/p" || fail "copy through pipes differs: $f"
    "$gt" dump --lossless "$f" | "$gt" asm >"$tmp/a" || fail "dump --lossless $f | asm"
    cmp -s "$f" "$tmp/a" || fail "asm(dump --lossless) differs: $f"
    "$gt" dump "$f" | "$gt" asm - -o "$tmp/plain" || fail "dump $f | asm"
    "$gt" validate "$tmp/plain" >/dev/null || fail "asm(dump $f) is not a valid trace"
done

# Usage and I/O errors: 2.
expect 2 "copy without arguments" "$gt" copy
expect 2 "copy with one argument" "$gt" copy "$ex"
expect 2 "copy with an option" "$gt" copy --x "$ex" "$tmp/c"
expect 2 "copy of a missing file" "$gt" copy "$tmp/missing" "$tmp/c"
expect 2 "copy onto itself" "$gt" copy "$tmp/c" "$tmp/c"
expect 2 "copy into a missing directory" "$gt" copy "$ex" "$tmp/no/such/dir"
expect 2 "asm with two inputs" "$gt" asm a b
expect 2 "asm with an unknown option" "$gt" asm --x
expect 2 "asm of a missing file" "$gt" asm "$tmp/missing"

# Invalid input: 1, and no output file left behind.
head -c 500 "$ex" >"$tmp/cut.trace"
rm -f "$tmp/c"
expect 1 "copy of a truncated trace" "$gt" copy "$tmp/cut.trace" "$tmp/c"
[ -e "$tmp/c" ] && fail "copy of a truncated trace left its output"
grep -q "GT_ERR_TRUNCATED" "$tmp/err" || fail "copy of a truncated trace: message: $(head -n 1 "$tmp/err")"
printf 'Trace Go1.22\nEventBatch gen=1 m=1 time=1 size=2\nProcStop dt=1\nNoSuchEvent dt=1\n' >"$tmp/bad.txt"
expect 1 "asm of a bad event" "$gt" asm "$tmp/bad.txt" -o "$tmp/bad.bin"
[ -e "$tmp/bad.bin" ] && fail "asm of bad text left its output"
grep -q "bad.txt: line 4: unidentified event: NoSuchEvent" "$tmp/err" || fail "asm message: $(head -n 1 "$tmp/err")"
printf 'Trace Go1.22\nString id=1\n\tdata="\\q"\n' | "$gt" asm >/dev/null 2>"$tmp/err"
grep -q "^gotrace asm: -: line 3: failed to parse data" "$tmp/err" || fail "asm stdin message: $(head -n 1 "$tmp/err")"
printf 'not a trace\n' >"$tmp/nt.txt"
expect 1 "asm without header" "$gt" asm "$tmp/nt.txt" -o "$tmp/nt.bin"

# asm writes exactly what the text says (size copied, minimal varints).
printf 'Trace Go1.22\nEventBatch gen=1 m=1 time=1 size=2\n\t# w=size:10\nProcStop dt=1\n' | "$gt" asm -o "$tmp/s.bin" ||
    fail "asm of a small text"
[ "$(od -An -tx1 -v "$tmp/s.bin" | tr -s ' \n' ' ')" = " 67 6f 20 31 2e 32 32 20 74 72 61 63 65 00 00 00 01 01 01 01 82 80 80 80 80 80 80 80 80 00 0b 01 " ] ||
    fail "asm bytes: $(od -An -tx1 -v "$tmp/s.bin" | tr -s ' \n' ' ')"

"$gt" help | grep -q "copy IN OUT" || fail "help does not list copy"
"$gt" help | grep -q "asm \[IN\] \[-o OUT\]" || fail "help does not list asm"

if [ $fails -ne 0 ]; then
    echo "t_encode_cli: $fails failure(s)"
    exit 1
fi
echo "t_encode_cli: ok"
