#!/usr/bin/env bash
# gt-sanitize
# gotrace dump --parsed against Go 1.27's `go tool trace -d=parsed`
# (build/go/gotool-trace), both with TZ=UTC (Sync events print wall clocks):
#   - every real v2 trace in build/go/traces (written by Go 1.22-1.27: default,
#     -gens, -allocfree, tiny-*): stdout byte-identical, exit status 0;
#   - every v2 file of Go's test suite (build/go/gotests: the .test traces
#     and the FuzzReader corpus): stdout byte-identical (for a rejected file,
#     the events before the error), same exit status, and the same error
#     text on stderr (for "failed to advance", whose dump Go prints in map
#     order, the first line).
# Each file runs twice: as a file argument (the CLI maps it) and on stdin
# (the parser's callback input). One summary line per file.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
go=build/go
rc=0
prep=$(bash tests/go/prepare.sh 2>&1) || rc=$?
if [ $rc -eq 0 ]; then prep=$(bash tests/go/gotests.sh 2>&1) || rc=$?; fi
if [ $rc -eq 77 ]; then echo "$prep" | tail -n 1; exit 77; fi
if [ $rc -ne 0 ]; then echo "$prep" | tail -n 20; echo "FAIL: the Go oracles could not be prepared"; exit 1; fi
for t in "$gt" "$go/gotool-trace"; do
    [ -x "$t" ] || { echo "FAIL: $t is not built"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

files=0 same=0 failed=0 legacy=0
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

check_one() { # FILE
    local f=$1 name st_go st_a st_b
    name=$(basename "$f")
    files=$((files + 1))
    "$go/gotool-trace" -d=parsed "$f" >"$tmp/go.out" 2>"$tmp/go.err"
    st_go=$?
    "$gt" dump --parsed "$f" >"$tmp/a.out" 2>"$tmp/a.err"
    st_a=$?
    "$gt" dump --parsed - <"$f" >"$tmp/b.out" 2>"$tmp/b.err"
    st_b=$?
    local events
    events=$(grep -c '^M=' "$tmp/go.out")
    local problems=()
    cmp -s "$tmp/go.out" "$tmp/a.out" || problems+=("stdout differs (file): $(diff "$tmp/go.out" "$tmp/a.out" | head -n 3 | tr '\n' ' ')")
    cmp -s "$tmp/go.out" "$tmp/b.out" || problems+=("stdout differs (stdin): $(diff "$tmp/go.out" "$tmp/b.out" | head -n 3 | tr '\n' ' ')")
    [ "$st_a" = "$st_go" ] || problems+=("exit $st_a (file), Go exits $st_go")
    [ "$st_b" = "$st_go" ] || problems+=("exit $st_b (stdin), Go exits $st_go")
    if [ "$st_go" != 0 ]; then
        if head -n 1 "$tmp/go.err" | grep -q '^broken trace: failed to advance'; then
            head -n 1 "$tmp/go.err" >"$tmp/go.cmp"
            head -n 1 "$tmp/a.err" >"$tmp/a.cmp"
            head -n 1 "$tmp/b.err" >"$tmp/b.cmp"
        else
            cp "$tmp/go.err" "$tmp/go.cmp"
            cp "$tmp/a.err" "$tmp/a.cmp"
            cp "$tmp/b.err" "$tmp/b.cmp"
        fi
        cmp -s "$tmp/go.cmp" "$tmp/a.cmp" || problems+=("stderr \"$(head -c 200 "$tmp/a.err")\", Go \"$(head -c 200 "$tmp/go.err")\"")
        cmp -s "$tmp/go.cmp" "$tmp/b.cmp" || problems+=("stderr (stdin) \"$(head -c 200 "$tmp/b.err")\"")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        same=$((same + 1))
        if [ "$st_go" = 0 ]; then
            echo "ok   $name: $events events identical (file, stdin)"
        else
            echo "ok   $name: $events events identical, then Go's error (file, stdin): $(head -n 1 "$tmp/go.err")"
        fi
    else
        fail "$name: ${problems[*]}"
    fi
}

shopt -s nullglob
for f in "$go"/traces/go12[2-7]*.trace "$go"/traces/tiny-go12[2-7].trace; do check_one "$f"; done
for f in "$go"/gotests/*.trace; do
    v=$("$gt" validate --json --structural "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
    if [ "$v" -lt 22 ] 2>/dev/null; then
        # Legacy (go 1.11) corpus file: gt_parser orders v2 traces only.
        echo "skip $(basename "$f"): legacy trace (go 1.$v), not ordered by gt_parser"
        legacy=$((legacy + 1))
        continue
    fi
    check_one "$f"
done
echo "summary: dump --parsed identical to go tool trace -d=parsed on $same/$files files ($failed failed; $legacy legacy files skipped)"
[ $failed -eq 0 ] && [ $files -gt 0 ]
