#!/usr/bin/env bash
# gt-sanitize
# Legacy (go 1.5 - 1.21) traces against Go's own legacy parser: gotrace validate
# accepts every canned trace from Go's source trees and our generated go 1.19 /
# go 1.21 traces, and the per-type event counts of `gotrace stats --json` equal
# the raw counts of Go's readTrace (tests/go/legacy_counts.sh).
# stress_1_5_unordered is the exception: Go rejects it (time stamps out of
# order, an ordering check), so only what gotrace reports is recorded.
# Report: build/reports/legacy-oracle-counts.txt
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
report=build/reports/legacy-oracle-counts.txt

rc=0
prep=$(tests/go/prepare.sh 2>&1) || rc=$?
if [ $rc -eq 77 ]; then echo "$prep" | tail -n 1; exit 77; fi
if [ $rc -ne 0 ]; then echo "$prep"; echo "FAIL: tests/go/prepare.sh exited $rc"; exit 1; fi
if [ ! -x "$gt" ]; then echo "FAIL: $gt is not built"; exit 1; fi

files=()
for d in /usr/lib/go-1.19/src/internal/trace/testdata /usr/lib/go-1.23/src/internal/trace/internal/oldtrace/testdata; do
    if [ ! -d "$d" ]; then echo "skip: Go legacy test data missing ($d)"; exit 77; fi
    for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
done
files+=(build/go/traces/go119.trace build/go/traces/go121.trace)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! tests/go/legacy_counts.sh "${files[@]}" >"$tmp/oracle" 2>"$tmp/oracle.err"; then
    cat "$tmp/oracle.err"
    echo "FAIL: tests/go/legacy_counts.sh failed"
    exit 1
fi

# Our side: FILE<TAB>validate-exit<TAB>validate-line<TAB>stats-exit<TAB>stats-json-file
i=0
for f in "${files[@]}"; do
    i=$((i + 1))
    out=$("$gt" validate "$f" 2>"$tmp/err")
    vst=$?
    line=$(grep -F "$f: " <<<"$out" | head -n 1)
    [ -n "$line" ] || line="(no verdict line) $(head -n 3 "$tmp/err" | tr '\n\t' '  ')"
    "$gt" stats --json "$f" >"$tmp/stats-$i.json" 2>"$tmp/stats-$i.err"
    sst=$?
    printf '%s\t%s\t%s\t%s\t%s\n' "$f" "$vst" "${line#"$f: "}" "$sst" "$tmp/stats-$i"
done >"$tmp/ours"

mkdir -p "$(dirname "$report")"
python3 - "$tmp/oracle" "$tmp/ours" "$report" <<'EOF'
import json, os, sys

# Go 1.21 renamed two legacy events; compare under the Go 1.19 names.
ALIAS = {"STWStart": "GCSTWStart", "STWDone": "GCSTWDone"}
EXEMPT = "stress_1_5_unordered"

oracle = {}
for line in open(sys.argv[1]):
    f, key, val = line.rstrip("\n").split("\t", 2)
    o = oracle.setdefault(f, {"types": {}, "meta": {}})
    if key.startswith("#") or key == "ERROR":
        o["meta"][key] = val
    else:
        o["types"][ALIAS.get(key, key)] = o["types"].get(ALIAS.get(key, key), 0) + int(val)

report, failures = [], 0
for line in open(sys.argv[2]):
    f, vst, vline, sst, stats = line.rstrip("\n").split("\t")
    exempt = os.path.basename(f) == EXEMPT
    o = oracle.get(f, {"types": {}, "meta": {"ERROR": "no oracle output"}})
    problems = []
    if "ERROR" in o["meta"]:
        problems.append("Go's readTrace failed: " + o["meta"]["ERROR"])
    if vst != "0" or not vline.startswith("ok"):
        problems.append("gotrace validate (exit %s): %s" % (vst, vline))
    ours = None
    if sst != "0":
        err = open(stats + ".err").read().strip().splitlines()
        problems.append("gotrace stats --json exited %s: %s" % (sst, err[0] if err else ""))
    else:
        try:
            js = json.load(open(stats + ".json"))
            ours = {}
            for k, v in js.get("types", {}).items():
                if v.get("count"):
                    ours[ALIAS.get(k, k)] = ours.get(ALIAS.get(k, k), 0) + v["count"]
            want_ver = o["meta"].get("#version")
            if want_ver and js.get("version") != int(want_ver) - 1000:
                problems.append("stats version %r, Go says %s" % (js.get("version"), want_ver))
            if js.get("format") != "legacy":
                problems.append("stats format %r, want 'legacy'" % js.get("format"))
        except (ValueError, AttributeError) as e:
            problems.append("gotrace stats --json printed bad JSON: %s" % e)
    if ours is not None and "ERROR" not in o["meta"]:
        go = o["types"]
        for k in sorted(set(go) | set(ours)):
            if go.get(k, 0) != ours.get(k, 0):
                problems.append("%s: Go %d, gotrace %d" % (k, go.get(k, 0), ours.get(k, 0)))
    go_parse = o["meta"].get("#parse", o["meta"].get("ERROR", "?"))
    status = "ok"
    if problems:
        status = "RECORDED" if exempt else "FAIL"
        if not exempt:
            failures += 1
    ntypes = len(o["types"])
    nev = sum(o["types"].values())
    report.append("%-8s %s\n         go %s: %d types, %d events; Go's full parse: %s\n         gotrace: %s\n%s"
                  % (status, f, o["meta"].get("#version", "?"), ntypes, nev, go_parse, vline,
                     "".join("         - %s\n" % p for p in problems)))

text = "".join(report)
summary = "summary: %d files, %d FAIL" % (len(report), failures)
with open(sys.argv[3], "w") as out:
    out.write("# Legacy traces: gotrace validate/stats vs Go's legacy readTrace counts\n")
    out.write("# (generated by tests/scripts/t_legacy_oracle_counts.sh)\n\n")
    out.write(text + "\n" + summary + "\n")
print(text)
# The failures again at the end, where the test runner's log tail shows them.
for entry in report:
    if entry.startswith("FAIL"):
        print(entry)
print(summary + " (report: %s)" % sys.argv[3])
sys.exit(1 if failures else 0)
EOF
