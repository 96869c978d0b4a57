#!/usr/bin/env bash
# gt-sanitize
# Traces a Go runtime wrote that Go's own reader rejects. The runtime's tracer
# has rare races of its own: about one run in 25 of tracegen under Go 1.26 with
# GODEBUG=traceallocfree=1 writes a trace in which a P that went Idle in one
# generation is listed Running by the next generation's ProcStatus, and Go
# 1.27's Reader stops there ("inconsistent status for proc N"). Such a file is
# well-formed and semantically broken, so for each one:
#   - Go 1.27's validator rejects it (checked, so the fixture stays meaningful);
#   - gotrace validate --structural accepts it (exit 0);
#   - gotrace validate rejects it (exit 1) with Go's message (first line).
# The files are tests/go/rejected/*.trace (committed; see tests/README.md for
# how each was made) and build/go/rejected/*.trace, the runs tests/go/prepare.sh
# kept when Go rejected a fresh trace and it ran the program again.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
go=build/go

. tests/scripts/go_prep.sh
go_prep prepare.sh
if [ ! -x "$gt" ]; then echo "FAIL: $gt is not built"; exit 1; fi

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
n=0
for f in tests/go/rejected/*.trace "$go"/rejected/*.trace; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    # Go's verdict line: FILE <tab> stage <tab> message (newlines as \n).
    verdict=$("$go/gotraceoracle" validate "$f")
    if [ $? -eq 0 ]; then fail "$f: Go 1.27's validator accepts it"; continue; fi
    go_msg=$(cut -f3- <<<"$verdict" | awk -F'\\\\n' '{ print $1 }')
    out=$("$gt" validate --structural "$f" 2>&1) || fail "$f: --structural rejects it: $out"
    out=$("$gt" validate --json "$f" 2>&1)
    st=$?
    msg=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["error"]["message"].split("\n")[0])' \
        <<<"$out" 2>/dev/null)
    if [ $st -ne 1 ]; then
        fail "$f: gotrace validate exited $st (Go: $go_msg)"
    elif [ "$msg" != "$go_msg" ]; then
        fail "$f: gotrace says '$msg', Go 1.27 '$go_msg'"
    else
        echo "ok  $f: both reject: $go_msg"
    fi
done
[ $n -gt 0 ] || fail "no rejected trace found (tests/go/rejected/ is empty)"
echo "$n rejected runtime traces, $fails failures"
[ $fails -eq 0 ]
