#!/usr/bin/env bash
# Legacy traces (go 1.5 - 1.21) against every Go reader that still reads them:
#   go1.27  Go 1.27's Reader (internal/trace: the v1 parser and converter; it
#           reads 1.11, 1.19 and 1.21 headers only),
#   go1.21  Go 1.21's full legacy parser (internal/trace.Parse: every version),
#   go1.19  Go 1.19's full legacy parser (versions up to 1.19),
# beside gotrace's structural verdict (validate --structural).
#
# Files: every legacy trace in Go's testdata (the 1.19, 1.21, 1.23 and 1.27
# trees, de-duplicated by content), Go 1.19's TestCorruptedInputs, the v1 file
# of Go's FuzzReader corpus, and the project's own: the runtime traces of
# tests/go/prepare.sh, examples/traces, the legacy fuzz seeds and regressions.
#
# Shows, and fails otherwise:
#   1. every *_good file of Go's testdata is accepted by every Go reader that
#      reads its version, and by gotrace;
#   2. stress_1_5_unordered is rejected by Go 1.19 and 1.21 with "time stamps
#      out of order";
#   3. gotrace's structural check accepts every file that some Go reader accepts,
#      except where spec/PERMISSIVE.md says it is stricter than Go: undefined
#      string or stack IDs (legacy section "undefined IDs");
#   4. the Go readers disagree with each other on exactly the files listed in
#      EXPECTED_DISAGREEMENTS below (so a change in Go or in the inventory is
#      noticed and the list in spec/PERMISSIVE.md is kept true).
# The per-file table goes to build/reports/legacy-oracles.txt.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
go=build/go
report=build/reports/legacy-oracles.txt

# Files (by the name this script gives them) on which the Go readers disagree.
EXPECTED_DISAGREEMENTS="fuzz-4055b17cae1a3443"

. tests/scripts/go_prep.sh
go_prep gotests.sh
[ -x "$gt" ] || { echo "FAIL: $gt is not built"; exit 1; }
mkdir -p "$(dirname "$report")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/f"

# Collect the inventory into $tmp/f under unique names (first name wins per content).
add() { # NAME FILE
    local h
    [ -f "$2" ] || return 0
    case $(head -c 16 "$2" | tr -d '\0') in "go 1."*" trace") ;; *) return 0 ;; esac
    [ "$(gt_family "$2")" = legacy ] || return 0
    h=$(sha1sum <"$2" | cut -c1-40)
    grep -qx "$h" "$tmp/seen" 2>/dev/null && return 0
    echo "$h" >>"$tmp/seen"
    cp "$2" "$tmp/f/$1"
}
gt_family() { # legacy headers are go 1.5 ... go 1.21
    local v
    v=$(head -c 16 "$1" | tr -d '\0' | sed -n 's/^go 1\.\([0-9]*\) trace$/\1/p')
    [ -n "$v" ] && [ "$v" -le 21 ] && echo legacy
}
for d in /usr/lib/go-1.21/src/internal/trace/testdata /usr/lib/go-1.19/src/internal/trace/testdata \
    /usr/lib/go-1.23/src/internal/trace/internal/oldtrace/testdata \
    /usr/lib/go-1.27/src/internal/trace/internal/tracev1/testdata; do
    [ -d "$d" ] || { echo "FAIL: Go testdata missing: $d"; exit 1; }
    for f in "$d"/*; do add "$(basename "$f")" "$f"; done
done
add fuzz-4055b17cae1a3443 build/go/gotests/fuzz-4055b17cae1a3443.trace
for f in build/go/traces/go119.trace build/go/traces/go121.trace build/go/traces/tiny-go1{19,21}.trace \
    examples/traces/go119-small.trace corpus/legacy_decode/* corpus/regressions/legacy_decode/*; do
    add "project-$(basename "$f")" "$f"
done
python3 - /usr/lib/go-1.19/src/internal/trace/parser_test.go "$tmp/f" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1]).read()
body = text[text.index("func TestCorruptedInputs"):]
body = body[:body.index("}\n\tfor")]
for i, lit in enumerate(re.findall(r'^\s*"((?:[^"\\]|\\.)*)",\s*$', body, re.M)):
    open(f"{sys.argv[2]}/go-corrupted-{i}", "wb").write(lit.encode().decode("unicode_escape").encode("latin-1"))
PY
files=("$tmp"/f/*)
echo "inventory: ${#files[@]} legacy files"

# Go 1.27's Reader, in one process.
"$go/gotraceoracle" validate -reader "${files[@]}" >"$tmp/go127" || true
# Go 1.21's and Go 1.19's full parsers.
LEGACY_ORACLE=1.21 tests/go/legacy_counts.sh "${files[@]}" >"$tmp/go121" || { echo "FAIL: Go 1.21 oracle"; exit 1; }
old=()
for f in "${files[@]}"; do
    v=$(head -c 16 "$f" | tr -d '\0' | sed -n 's/^go 1\.\([0-9]*\) trace$/\1/p')
    { [ -z "$v" ] || [ "$v" -le 19 ]; } && old+=("$f")
done
LEGACY_ORACLE=1.19 tests/go/legacy_counts.sh "${old[@]}" >"$tmp/go119" || { echo "FAIL: Go 1.19 oracle"; exit 1; }
structural=()
"$gt" validate --structural examples/traces/go119-small.trace >/dev/null 2>&1 && structural=(--structural)
for f in "${files[@]}"; do
    line=$("$gt" validate ${structural[@]+"${structural[@]}"} "$f" 2>&1 | head -n 1)
    printf '%s\t%s\n' "$f" "${line#"$f: "}"
done >"$tmp/ours"

python3 - "$tmp" "$report" "$EXPECTED_DISAGREEMENTS" <<'PY'
import os, sys
tmp, report, expected = sys.argv[1], sys.argv[2], set(sys.argv[3].split())

def parse_lc(path):
    """legacy_counts output -> {file: verdict}; verdict 'accept' or 'reject: msg'."""
    out = {}
    for line in open(path):
        f, key, val = line.rstrip("\n").split("\t", 2)
        if key == "#parse":
            out[f] = "accept" if val == "ok" else "reject: " + val
        elif key == "ERROR":
            out[f] = "reject: " + val
    return out

go121, go119 = parse_lc(tmp + "/go121"), parse_lc(tmp + "/go119")
go127, ours = {}, {}
for line in open(tmp + "/go127"):
    f, kind, msg = (line.rstrip("\n").split("\t") + ["", ""])[:3]
    go127[f] = "accept" if kind == "ok" else ("PANIC: " if kind == "panic" else "reject: ") + msg
for line in open(tmp + "/ours"):
    f, v = line.rstrip("\n").split("\t", 1)
    ours[f] = "accept" if v.startswith("ok") else "reject: " + v.removeprefix("invalid: ")

def version(f):
    with open(f, "rb") as fh:
        h = fh.read(16).rstrip(b"\0").decode("latin-1")
    try:
        return int(h.split(".")[1].split()[0])
    except Exception:
        return 0

rows, fails, disagree, msgdiff = [], [], set(), set()
for f in sorted(ours):
    name = os.path.basename(f)
    v = version(f)
    # A reader's verdict only counts for the versions it reads.
    g27 = go127.get(f, "?") if v in (11, 19, 21) else "n/a"
    g21 = go121.get(f, "?")
    g19 = go119.get(f, "?") if v <= 19 else "n/a"
    gov = [x for x in (g27, g21, g19) if x != "n/a"]
    accepts = [x == "accept" for x in gov]
    if any(accepts) and not all(accepts):
        disagree.add(name)
    if "?" in gov or any(x.startswith("PANIC") for x in gov):
        fails.append(f"{name}: a Go oracle gave no verdict or panicked: {gov}")
    if name.endswith("_good") and not all(accepts):
        fails.append(f"{name}: a Go reader rejects a *_good file: {gov}")
    if name.endswith("_good") and ours[f] != "accept":
        fails.append(f"{name}: gotrace rejects a *_good file: {ours[f]}")
    if name == "stress_1_5_unordered" and not (g21 == g19 == "reject: time stamps out of order"):
        fails.append(f"{name}: Go 1.19/1.21 should reject it for time order: {g21} / {g19}")
    stricter = ("GT_ERR_UNDEFINED_STRING", "GT_ERR_UNDEFINED_STACK")  # spec/PERMISSIVE.md
    if any(accepts) and ours[f] != "accept" and not any(x in ours[f] for x in stricter):
        fails.append(f"{name}: a Go reader accepts it, gotrace's structural check rejects it: {ours[f]}")
    # Same verdict, different first error (wording of the same check aside).
    rej = {x.removeprefix("reject: ").split(" (")[0].split(" at offset")[0] for x in gov if x.startswith("reject")}
    note = "DISAGREE" if name in disagree else ("messages differ" if len(rej) > 1 else "")
    if note == "messages differ":
        msgdiff.add(name)
    rows.append((name, f"go 1.{v}", g27, g21, g19, ours[f], note))

if disagree != expected:
    fails.append(f"the Go readers disagree on {sorted(disagree)}, expected {sorted(expected)}")

with open(report, "w") as out:
    out.write("# Legacy traces: Go 1.27 Reader (1.11/1.19/1.21 only), Go 1.21 and Go 1.19 full parsers\n")
    out.write("# (Go 1.19: up to 1.19), and gotrace's structural verdict. Generated by\n")
    out.write("# tests/scripts/t_legacy_oracles.sh. 'DISAGREE': the Go readers disagree with each other.\n")
    out.write("file\theader\tgo1.27 reader\tgo1.21 parse\tgo1.19 parse\tgotrace structural\tgo readers\n")
    for r in rows:
        out.write("\t".join(x.replace("\t", " ") for x in r) + "\n")
    out.write(f"# summary: {len(rows)} files; Go readers disagree on {len(disagree)}: {', '.join(sorted(disagree)) or '-'};\n")
    out.write(f"# same verdict but a different first error on {len(msgdiff)}: {', '.join(sorted(msgdiff)) or '-'}\n")

for r in rows:
    print("%-44s %-8s go1.27=%-7s go1.21=%-7s go1.19=%-7s gotrace=%-7s %s" % (
        r[0][:44], r[1], r[2].split(":")[0], r[3].split(":")[0], r[4].split(":")[0], r[5].split(":")[0], r[6]))
for name in sorted(disagree):
    r = next(x for x in rows if x[0] == name)
    print(f"disagreement {name}: go1.27 {r[2]} | go1.21 {r[3]} | go1.19 {r[4]}")
for f in fails:
    print("FAIL " + f)
print(f"summary: {len(rows)} legacy files, Go readers disagree on {len(disagree)} (first errors differ on "
      f"{len(msgdiff)} more), {len(fails)} failures (table: {report})")
sys.exit(1 if fails else 0)
PY
