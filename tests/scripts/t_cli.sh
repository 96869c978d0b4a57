#!/usr/bin/env bash
# gt-sanitize
# The gotrace command: output formats, JSON, exit codes (0 valid, 1 invalid,
# 2 usage or I/O error), and the demo traces.
set -u
G=${GT_BUILD:-build}/gotrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, then a command that must succeed
    local what=$1; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
rc_of() { "$@" >/dev/null 2>&1; echo $?; }

good=examples/traces/go123-small.trace
legacy=examples/traces/go119-small.trace

# validate: one line per file, exact shape
out=$("$G" validate "$good" "$legacy")
check "validate exit 0 for valid files" [ "$(rc_of "$G" validate "$good" "$legacy")" = 0 ]
check "validate v2 line" grep -Eq "^$good: ok \(go 1\.23, [0-9]+ generations, [0-9]+ batches, [0-9]+ events\)$" <<<"$out"
check "validate legacy line" grep -Eq "^$legacy: ok \(go 1\.19, [0-9]+ batches, [0-9]+ events\)$" <<<"$out"

# a damaged copy: truncated inside the second generation
size=$(stat -c %s "$good")
head -c $((size - 1000)) "$good" >"$tmp/cut.trace"
out=$("$G" validate "$tmp/cut.trace")
rc=$?
check "validate exit 1 for an invalid file" [ "$rc" = 1 ]
check "invalid line names status, offset, generation, batch" \
    grep -Eq "^$tmp/cut.trace: invalid: GT_ERR_[A-Z_]+ at offset [0-9]+ \(generation [0-9]+, batch [0-9]+.*\): .+" <<<"$out"
check "invalid line reports salvage" grep -Eq "kept [0-9]+ bytes, 1 complete generations; lost [0-9]+ bytes" <<<"$out"
check "mixed valid+invalid exits 1" [ "$(rc_of "$G" validate "$good" "$tmp/cut.trace")" = 1 ]

# JSON: one object per file, parseable, with error and salvage on failure
"$G" validate --json "$good" "$tmp/cut.trace" >"$tmp/v.json"
check "validate --json parses" python3 - "$tmp/v.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2
assert rows[0]["valid"] is True and rows[0]["version"] == 23 and rows[0]["generations"] >= 1
assert rows[1]["valid"] is False
e = rows[1]["error"]
assert e["status"].startswith("GT_ERR_") and e["offset"] > 0 and e["generation"] >= 1
assert rows[1]["salvage"]["good_bytes"] + rows[1]["salvage"]["lost_bytes"] == rows[1]["salvage"]["good_bytes"] + rows[1]["salvage"]["lost_bytes"]
assert rows[1]["salvage"]["lost_bytes"] > 0
PY

# usage and I/O errors exit 2
check "no command exits 2" [ "$(rc_of "$G")" = 2 ]
check "unknown command exits 2" [ "$(rc_of "$G" frobnicate)" = 2 ]
check "validate without files exits 2" [ "$(rc_of "$G" validate)" = 2 ]
check "unknown option exits 2" [ "$(rc_of "$G" validate --bogus "$good")" = 2 ]
check "missing file exits 2" [ "$(rc_of "$G" validate "$tmp/nope.trace")" = 2 ]
check "dump of a missing file exits 2" [ "$(rc_of "$G" dump "$tmp/nope.trace")" = 2 ]
printf 'not a trace at all' >"$tmp/junk"
check "not a trace exits 1" [ "$(rc_of "$G" validate "$tmp/junk")" = 1 ]
check "not a trace says so" grep -q "GT_ERR_NOT_TRACE at offset 0" <<<"$("$G" validate "$tmp/junk")"
printf 'go 1.24 trace\0\0\0' >"$tmp/v124"
check "unsupported version named" grep -q "unsupported version go 1.24" <<<"$("$G" validate "$tmp/v124")"

# stdin
check "validate reads stdin" grep -q "^-: ok (go 1.23" <<<"$("$G" validate - <"$good")"

# stats
"$G" stats --json "$good" >"$tmp/s.json"
check "stats --json parses and adds up" python3 - "$tmp/s.json" "$size" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
size = int(sys.argv[2])
assert d["format"] == "v2" and d["version"] == 23 and d["size"] == size
assert d["types"]["Frequency"]["count"] == d["generations"]
assert d["types"]["EventBatch"]["count"] == d["batches"]
assert d["time_span_ns"] > 0 and d["cpu_samples"] > 0 and d["strings"] > 0 and d["stacks"] > 0
# every byte after the header belongs to exactly one item
assert sum(t["bytes"] for t in d["types"].values()) + 16 == size, "bytes per type must add up to the file size"
PY
check "stats human form" grep -q "^generations:   2" <<<"$("$G" stats "$good")"
"$G" stats --json "$legacy" >"$tmp/l.json"
check "legacy stats bytes add up" python3 - "$tmp/l.json" "$(stat -c %s "$legacy")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "legacy"
assert sum(t["bytes"] for t in d["types"].values()) + 16 == int(sys.argv[2])
PY

# dump: header line, then one event per line; legacy too
check "dump starts with the header line" [ "$("$G" dump "$good" | head -n 1)" = "Trace Go1.23" ]
check "legacy dump header" [ "$("$G" dump "$legacy" | head -n 1)" = "Trace Go1.19" ]
check "dump of invalid file exits 1" [ "$(rc_of "$G" dump "$tmp/junk")" = 1 ]
check "version command" grep -Eq '^gotrace [0-9]+\.[0-9]+\.[0-9]+$' <<<"$("$G" version)"
exit $fail
