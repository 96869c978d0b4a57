#!/usr/bin/env bash
# gt-sanitize
# Real v2 traces written by the Go 1.22 and 1.23 runtimes (tests/go/tracegen):
# gotrace validate accepts each, gotrace dump is byte-identical to Go's own
# `gotraceraw bytes2text`, gotrace stats counts the same events per type as
# that text, and the workload really produced the event kinds we rely on.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
go=build/go

rc=0
prep=$(tests/go/prepare.sh 2>&1) || rc=$?
if [ $rc -eq 77 ]; then echo "$prep" | tail -n 1; exit 77; fi
if [ $rc -ne 0 ]; then echo "$prep"; echo "FAIL: tests/go/prepare.sh exited $rc"; exit 1; fi
if [ ! -x "$gt" ]; then echo "FAIL: $gt is not built"; exit 1; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Event kinds every generated trace must contain (one round of the workload
# touches all of them).
required="CPUSample UserTaskBegin UserRegionBegin UserLog GoCreate GoBlock GoSyscallBegin"

for name in go122 go123 go123-allocfree; do
    f=$go/traces/$name.trace
    echo "== $name"
    # 1. validate
    out=$("$gt" validate "$f" 2>&1)
    st=$?
    echo "$out"
    if [ $st -ne 0 ] || ! grep -q "^$f: ok (" <<<"$out"; then
        fail "$name: gotrace validate exited $st"
    fi

    # 2. dump == gotraceraw bytes2text
    if ! "$go/gotraceraw" bytes2text <"$f" >"$tmp/$name.go.txt" 2>"$tmp/err"; then
        fail "$name: gotraceraw bytes2text failed: $(head -n 1 "$tmp/err")"
        continue
    fi
    "$gt" dump "$f" >"$tmp/$name.gt.txt" 2>"$tmp/err"
    st=$?
    if [ $st -ne 0 ]; then
        fail "$name: gotrace dump exited $st: $(head -n 1 "$tmp/err")"
    elif ! cmp -s "$tmp/$name.go.txt" "$tmp/$name.gt.txt"; then
        fail "$name: gotrace dump differs from gotraceraw bytes2text (first differences below)"
        diff "$tmp/$name.go.txt" "$tmp/$name.gt.txt" | head -n 20
    else
        echo "dump: identical to gotraceraw ($(wc -l <"$tmp/$name.go.txt") lines)"
    fi

    # 3. the workload exercised what we need (checked on Go's own rendering)
    awk '$1 !~ /^(pc=|data)/ && NR > 1 { n[$1]++ } END { for (k in n) print k "\t" n[k] }' \
        "$tmp/$name.go.txt" | sort >"$tmp/$name.go.counts"
    want=$required
    [ "$name" = go123-allocfree ] && want="$want ExperimentalBatch"
    for ev in $want; do
        if ! grep -q "^$ev	" "$tmp/$name.go.counts"; then
            fail "$name: no $ev event in the trace (the workload should produce one)"
        fi
    done

    # 4. stats --json per-type counts == event lines per name in Go's text
    if ! "$gt" stats --json "$f" >"$tmp/$name.json" 2>"$tmp/err"; then
        fail "$name: gotrace stats --json failed: $(head -n 1 "$tmp/err")"
        continue
    fi
    if ! python3 - "$tmp/$name.json" "$tmp/$name.go.counts" "$name" <<'EOF'; then
import json, sys
stats = json.load(open(sys.argv[1]))
go = dict((l.split("\t")[0], int(l.split("\t")[1])) for l in open(sys.argv[2]) if l.strip())
ours = dict((k, v["count"]) for k, v in stats.get("types", {}).items() if v.get("count"))
bad = [f"  {k}: gotraceraw {go.get(k, 0)}, gotrace stats {ours.get(k, 0)}"
       for k in sorted(set(go) | set(ours)) if go.get(k, 0) != ours.get(k, 0)]
if stats.get("format") != "v2":
    bad.append(f"  format: {stats.get('format')!r}, want 'v2'")
if bad:
    print(f"FAIL: {sys.argv[3]}: stats --json disagrees with gotraceraw:")
    print("\n".join(bad))
    sys.exit(1)
print(f"stats: {len(go)} event types, {sum(go.values())} events, all counts equal")
EOF
        fails=$((fails + 1))
    fi
    echo "types: $(awk -F '\t' '{ printf "%s=%s ", $1, $2 }' "$tmp/$name.go.counts")"
done

if [ $fails -ne 0 ]; then
    echo "t_go_real_traces: $fails failure(s)"
    exit 1
fi
echo "t_go_real_traces: ok"
