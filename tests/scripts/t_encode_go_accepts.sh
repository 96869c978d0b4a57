#!/usr/bin/env bash
# Traces written by the encoder are accepted by Go's own readers. tests/tools/
# encode_sample writes, per seed, a well-formed schedule (Ms holding Ps whose
# goroutines are created, started, blocked, woken, stopped and destroyed with
# correct sequence numbers, plus tasks, regions and logs) with gt_writer and
# gt_batch; then
#   go 1.22 / 1.23 / 1.25 / 1.26 (several generations):  Go 1.27's reader and
#       test validator with GoVersion from the header (gotraceoracle), plus Go
#       1.23's gotracevalidate for go 1.22/1.23 files and Go 1.22's for go 1.22;
#   go 1.7 - 1.21 (legacy):  Go 1.19's / 1.21's legacy parser, readTrace and
#       the full Parse with ordering and state checks (tests/go/legacy_counts.sh),
#       whose per-type counts must equal `gotrace stats --json`; and Go 1.19's
#       `go tool trace -pprof=sched` on a go 1.19 file.
# Random (semantically meaningless) traces must be rejected by the same
# oracles, which shows they are really checking.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${GT_BUILD:-build}
gt=$B/gotrace
gen=$B/tools/encode_sample
go=build/go
seeds=${GT_ENCODE_SEEDS:-12}

. tests/scripts/go_prep.sh
go_prep prepare.sh
for x in "$gt" "$gen"; do [ -x "$x" ] || { echo "FAIL: $x is not built"; exit 1; }; done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# v2: Go's reader and validator.
v2=0
for v in 22 23 25 26; do
    for s in $(seq 1 "$seeds"); do
        f=$tmp/v$v-$s.trace
        "$gen" -v "$v" -seed "$s" -steps $((20 + 15 * s)) -o "$f" >/dev/null || { fail "encode_sample -v $v -seed $s"; continue; }
        "$gt" validate "$f" >/dev/null || fail "$f: gotrace validate rejects it"
        if ! line=$("$go/gotraceoracle" validate "$f"); then
            fail "go 1.$v seed $s: Go 1.27's validator: $(cut -f2- <<<"$line" | head -c 300)"
        elif [ "$v" -ge 25 ]; then
            v2=$((v2 + 1))
        elif ! "$go/gotracevalidate" <"$f" >/dev/null 2>"$tmp/err"; then
            fail "go 1.$v seed $s: Go 1.23's gotracevalidate: $(head -c 300 "$tmp/err")"
        elif [ "$v" = 22 ] && [ -x "$go/gotracevalidate-go122" ] && ! "$go/gotracevalidate-go122" <"$f" >/dev/null 2>"$tmp/err"; then
            fail "go 1.22 seed $s: Go 1.22's gotracevalidate: $(head -c 300 "$tmp/err")"
        else
            v2=$((v2 + 1))
        fi
    done
done
"$gen" -v 23 -seed 7 -random -o "$tmp/noise23.trace" >/dev/null
"$go/gotracevalidate" <"$tmp/noise23.trace" >/dev/null 2>&1 && fail "gotracevalidate accepts a random trace: is it checking?"
"$gen" -v 26 -seed 7 -random -o "$tmp/noise26.trace" >/dev/null
"$go/gotraceoracle" validate "$tmp/noise26.trace" >/dev/null 2>&1 && fail "Go 1.27's validator accepts a random trace: is it checking?"
echo "v2: $v2 encoded traces (go 1.22, 1.23, 1.25, 1.26) accepted by Go 1.27's validator (and Go 1.23's for 1.22/1.23)"

# Legacy: Go's legacy parser, through the count oracle.
legacy=()
for v in 7 8 9 10 11 19 21; do
    for s in 1 2 3; do
        f=$tmp/v$v-$s.trace
        "$gen" -v "$v" -seed "$s" -steps $((30 + 40 * s)) -o "$f" >/dev/null || { fail "encode_sample -v $v -seed $s"; continue; }
        legacy+=("$f")
    done
done
"$gen" -v 19 -seed 7 -random -o "$tmp/noise19.trace" >/dev/null
if ! tests/go/legacy_counts.sh "${legacy[@]}" "$tmp/noise19.trace" >"$tmp/oracle" 2>"$tmp/oracle.err"; then
    cat "$tmp/oracle.err"
    fail "tests/go/legacy_counts.sh failed"
else
    for f in "${legacy[@]}"; do
        verdict=$(awk -F '\t' -v f="$f" '$1 == f && ($2 == "#parse" || $2 == "ERROR") { print $2 "\t" $3 }' "$tmp/oracle")
        [ "$verdict" = "#parse	ok" ] || { fail "$(basename "$f"): Go's legacy parser: ${verdict:-no verdict}"; continue; }
        "$gt" stats --json "$f" >"$tmp/stats.json" || { fail "$f: gotrace stats failed"; continue; }
        python3 - "$f" "$tmp/oracle" "$tmp/stats.json" <<'PY' || fails=$((fails + 1))
import json, sys
alias = {"STWStart": "GCSTWStart", "STWDone": "GCSTWDone"}
f = sys.argv[1]
go = {}
for line in open(sys.argv[2]):
    name, key, val = line.rstrip("\n").split("\t", 2)
    if name == f and not key.startswith("#") and key != "ERROR":
        go[alias.get(key, key)] = int(val)
ours = {k: v["count"] for k, v in json.load(open(sys.argv[3]))["types"].items() if v.get("count")}
if go != ours:
    print(f"FAIL: {f}: counts differ: Go {sorted(go.items())} vs gotrace {sorted(ours.items())}")
    sys.exit(1)
PY
    done
    noise=$(awk -F '\t' -v f="$tmp/noise19.trace" '$1 == f && $2 == "#parse" { print $3 }' "$tmp/oracle")
    [ "$noise" != ok ] || fail "Go's legacy parser accepts a random trace: is it checking?"
    echo "legacy: ${#legacy[@]} encoded traces (go 1.7-1.21) parsed by Go's legacy parser, counts equal"
fi

# go tool trace (Go 1.19) builds a scheduler profile from an encoded go 1.19 trace.
export GOCACHE=$PWD/build/go/cache GOTOOLCHAIN=local GOFLAGS='' GOENV=off
if ! /usr/lib/go-1.19/bin/go tool trace -pprof=sched "$tmp/v19-3.trace" >"$tmp/sched.pb" 2>"$tmp/err" || [ ! -s "$tmp/sched.pb" ]; then
    fail "go tool trace -pprof=sched (Go 1.19): $(head -n 1 "$tmp/err")"
else
    echo "go tool trace -pprof=sched (Go 1.19): $(stat -c %s "$tmp/sched.pb")-byte profile"
fi

if [ $fails -ne 0 ]; then
    echo "t_encode_go_accepts: $fails failure(s)"
    exit 1
fi
echo "t_encode_go_accepts: ok"
