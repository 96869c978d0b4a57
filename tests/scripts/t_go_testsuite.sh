#!/usr/bin/env bash
# gt-sanitize
# Go's own v2 test traces (Go 1.27's testdata/tests/*.test and FuzzReader corpus,
# see tests/go/gotests.sh): gotrace's *structural* verdict (validate
# --structural: the wire format and tables) must agree with Go's wherever
# gotrace claims to check the same thing. The semantic verdict (plain
# validate) is checked against Go 1.27 by t_semantic_gotests.sh.
#
# Go's verdict is Go 1.27's: its Reader plus testtrace.Validator with
# GoVersion from the file's header. Go 1.23's gotracevalidate (and Go 1.22's
# for go 1.22 files) are kept as columns where they differ. Rules, per file:
#   Go 1.27 accepts                   -> we must accept.
#   Go 1.27 rejects with a             -> we must reject (any error code).
#     wire-level error
#   Go rejects only with semantic      -> either structural verdict is fine: the
#     errors (order.go state machine,     state machine is the semantic check's job;
#     or Go panicked)                     the table shows what we did.
#   gotrace crashes or exits 2         -> failure.
# The full table goes to build/reports/go-testsuite-agreement.txt.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
dir=build/go/gotests
report=build/reports/go-testsuite-agreement.txt

. tests/scripts/go_prep.sh
go_prep gotests.sh
if [ ! -x "$gt" ]; then echo "FAIL: $gt is not built"; exit 1; fi
mkdir -p "$(dirname "$report")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --structural exists once the semantic check is the default.
structural=()
"$gt" validate --structural examples/traces/go122-small.trace >/dev/null 2>&1 && structural=(--structural)

field() { # FILE LINE: that line of a verdict file, empty if there is none
    [ -f "$1" ] && sed -n "$2p" "$1"
}

# One line per file: NAME, go-status, go-message, go123-status, go123-message,
# go122-status, go122-message, go-expect, our-status, our-output (tab-separated;
# older-Go fields empty where that Go does not read the version)
for v in "$dir"/*.go127-verdict; do
    name=$(basename "$v" .go127-verdict)
    f=$dir/$name.trace
    gost=$(field "$v" 1)
    gomsg=$(field "$v" 2)
    g3st=$(field "$dir/$name.go123-verdict" 1)
    g3msg=$(field "$dir/$name.go123-verdict" 2)
    g2st=$(field "$dir/$name.go122-verdict" 1)
    g2msg=$(field "$dir/$name.go122-verdict" 2)
    expect=$(cat "$dir/$name.go-expect" 2>/dev/null || true)
    out=$("$gt" validate ${structural[@]+"${structural[@]}"} "$f" 2>"$tmp/err")
    st=$?
    # Keep only our line for this file; anything else (sanitizer reports, crashes)
    # is folded into the message so the table shows it.
    line=$(grep -F "$f: " <<<"$out" | head -n 1)
    [ -n "$line" ] || line="(no verdict line) $(head -n 3 "$tmp/err" | tr '\n' ' ')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$gost" "$gomsg" "$g3st" "$g3msg" "$g2st" "$g2msg" \
        "$expect" "$st" "${line#"$f: "}"
done >"$tmp/results"

python3 - "$tmp/results" "$report" <<'EOF'
import re, sys

# Go reader errors about the wire format, framing and tables (batch.go,
# batchcursor.go, generation.go, base.go, version/, event.go's table-ID checks,
# and the legacy reader's byte-level errors). Everything else Go reports comes
# from the ordering/state machine (order.go) and counts as semantic.
WIRE = [
    r"bad file format", r"not a Go execution trace", r"unknown or unsupported (trace )?version",
    r"not a trace file", r"failed to read header", r"unsupported trace file version",
    r"expected batch event", r"error reading batch", r"invalid batch size",
    r"failed to read full batch", r"copying batch data",
    r"varint",  # "found invalid uvarint", "... for timestamp", legacy "malformatted base-128 varint"
    r"invalid generation number", r"generations out of order",
    r"multiple \S+ with the same ID",
    r"invalid string size", r"invalid stack size", r"failed to read full string", r"reading frame",
    r"expected (string|stack|CPU sample) event", r"missing .*batch header",
    r"no frequency event", r"found multiple frequency events", r"no EvFrequency event",
    r"expected frequency or clock snapshot event", r"found multiple clock snapshot events",
    r"missing sync batch header", r"no clock snapshot event", r"incomplete generation found",
    r"missing end-of-generation event", r"unexpectedly processing EndOfGeneration",
    r"invalid event type", r"found event without a timestamp",
    r"invalid string ID", r"invalid stack ID", r"invalid (func|file) string ID", r"found unknown pc",
    r"unexpected EOF", r"(^|\W)EOF$",
    r"string has (invalid id 0|duplicate id|invalid length 0|too large length)",
    r"failed to read (trace|event)", r"length-prefixed argument too big",
    r"has wrong number of arguments", r"EvStack has bad number of frames",
    r"unknown event type", r"string is too large", r"processor ID \d+ is larger than maximum",
]
wire_re = re.compile("|".join("(?:%s)" % p for p in WIRE))

def go_verdict(st, msg):
    """(verdict text, class) of one Go validator run."""
    if st == "":
        return "", ""
    if int(st) == 0:
        return "accept", "-"
    if int(st) == 2 or msg.startswith("panic:"):
        return "reject: " + msg, "go-panic"
    return "reject: " + msg, "wire" if wire_re.search(msg) else "semantic"

rows, fails = [], []
counts = {"agree": 0, "allowed": 0, "FAIL": 0}
for line in open(sys.argv[1]):
    name, gost, gomsg, g3st, g3msg, g2st, g2msg, expect, st, ours = line.rstrip("\n").split("\t")
    go_v, cls = go_verdict(gost, gomsg)
    go3_v, _ = go_verdict(g3st, g3msg)
    go2_v, _ = go_verdict(g2st, g2msg)
    st = int(st)
    if st == 0 and ours.startswith("ok"):
        our_v = "accept"
    elif st == 1 and ours.startswith("invalid:"):
        our_v = "reject: " + ours[len("invalid:"):].strip()
    else:
        our_v = "ERROR (exit %d): %s" % (st, ours)
    go_ok, our_ok = go_v == "accept", our_v == "accept"
    if our_v.startswith("ERROR"):
        verdict = "NO: gotrace failed"
    elif go_ok and not our_ok:
        verdict = "NO: Go accepts, we reject"
    elif cls.startswith("wire") and our_ok:
        verdict = "NO: Go rejects at wire level, we accept"
    elif go_ok == our_ok:
        verdict = "yes"
    else:
        verdict = "no (allowed: %s)" % cls
    if verdict.startswith("NO"):
        counts["FAIL"] += 1
        fails.append(name)
    elif verdict == "yes":
        counts["agree"] += 1
    else:
        counts["allowed"] += 1
    # Older Go releases' verdicts only where they differ from Go 1.27's.
    go3_v = go3_v if go3_v and go3_v != go_v else ""
    go2_v = go2_v if go2_v and go2_v != go_v else ""
    rows.append((name, go_v, our_v, cls, verdict, go3_v, go2_v, expect))

with open(sys.argv[2], "w") as out:
    out.write("# Go 1.27's test traces: Go 1.27 (Reader + testtrace.Validator, GoVersion from the header)\n")
    out.write("# vs gotrace validate --structural (tab-separated). Generated by tests/scripts/t_go_testsuite.sh.\n")
    out.write("# class: kind of Go's error; go1.23 / go1.22 verdict: Go 1.23's and Go 1.22's gotracevalidate,\n")
    out.write("# shown only where they differ from Go 1.27 (go1.23: go 1.22/1.23 files; go1.22: go 1.22 files);\n")
    out.write("# expect: the .test file's own expectation (fuzz corpus files have none).\n")
    out.write("file\tgo1.27 verdict\tour structural verdict\tclass\tagree\tgo1.23 verdict\tgo1.22 verdict\texpect\n")
    for r in rows:
        out.write("\t".join(x.replace("\t", " ") for x in r) + "\n")
    out.write("# summary: %d files, %d agree, %d differ where allowed, %d FAIL\n"
              % (len(rows), counts["agree"], counts["allowed"], counts["FAIL"]))

for r in rows:
    print("%-4s %-66s go=%-6s ours=%-6s %s" % ("FAIL" if r[4].startswith("NO") else "ok", r[0],
          r[1].split(":")[0], r[2].split(":")[0].split(" ")[0].lower(), r[3]))
# Details of the failures last, where the test runner's log tail shows them.
for r in rows:
    if r[4].startswith("NO"):
        print("FAIL %s: %s\n       go:   %s\n       ours: %s" % (r[0], r[4][4:], r[1], r[2]))
print("summary: %d files, %d agree, %d differ where allowed, %d FAIL (table: %s)"
      % (len(rows), counts["agree"], counts["allowed"], counts["FAIL"], sys.argv[2]))
sys.exit(1 if fails else 0)
EOF
