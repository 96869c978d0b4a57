#!/usr/bin/env bash
# gt-sanitize
# Legacy semantic validation against Go itself: gt_legacy_validate() (through
# tests/tools/legacy_check) must give every legacy trace the verdict Go's own
# reader gives, and for rejections we report whether the message is Go's.
#
# The oracle of a file is chosen by its header, as GT_LEGACY_ORACLE_AUTO does:
#   go 1.11, 1.19, 1.21      Go 1.27's Reader (v1 parser + converter):
#                            build/go/gotraceoracle validate -reader
#   go 1.5 - 1.10, and files Go 1.21's parse (readTrace ... postProcessTrace),
#   without a legacy header  run inside Go 1.21's tree (TestGotraceLegacyVerdict
#                            of tests/go/oracle/legacy_oracle_test.go)
# For go 1.11-1.21 files Go 1.21's verdict is recorded too, and the table lists
# every file on which the two Go oracles disagree with each other (gotrace in
# go121 mode is held against Go 1.21 there as well).
#
# Files: Go's legacy testdata (Go 1.19, 1.21 and 1.27 trees), the project's
# legacy traces (build/go/traces, examples/traces; build/go/traces/big-go119.trace
# too with GT_BIG=1), Go's TestCorruptedInputs, the v1 FuzzReader file, the
# hand-built cases of tests/unit/test_legacysem.c (whose expectations are held
# against Go here), mutants of Go's and our traces (legacy_check -mutate, wire
# format kept: GT_MUTANTS per source, default 60) and corrupted copies
# (legacy_check -corrupt, random bit flips and cuts: GT_CORRUPT per source,
# default 20). Each Go oracle runs 3 times on unit cases, mutants and corrupted
# copies: where Go's own verdict varies between runs (its merge breaks
# timestamp ties, and go 1.5's sort breaks sequence ties, by map order) any of
# its verdicts counts as agreement.
#
# Fails on: a verdict that differs from the oracle's; a GT_ERR_SEMANTIC message
# that is not Go's (deterministic files); a unit expectation Go does not share.
# Wire-level messages are gotrace's own and only counted. The table goes to
# build/reports/legacy-semantic-agreement.txt. Exit 77 when an oracle is
# missing, unless CI=true or GT_REQUIRE_ALL=1 (then that is a failure).
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
B=${GT_BUILD:-build}
tool=$B/tools/legacy_check
unit=$B/tests/test_legacysem
report=build/reports/legacy-semantic-agreement.txt
strict=0
[ "${CI:-}" = true ] || [ "${GT_REQUIRE_ALL:-0}" = 1 ] && strict=1

missing() {
    if [ $strict -eq 1 ]; then echo "FAIL: $1 (required: CI=true or GT_REQUIRE_ALL=1)"; exit 1; fi
    echo "skip: $1"
    exit 77
}

for b in "$tool" "$unit"; do
    [ -x "$b" ] || { echo "FAIL: $b is not built (make $b)"; exit 1; }
done
rc=0
prep=$(tests/go/prepare.sh 2>&1) || rc=$?
if [ $rc -eq 77 ]; then missing "$(echo "$prep" | tail -n 1)"; fi
if [ $rc -ne 0 ]; then echo "$prep"; echo "FAIL: tests/go/prepare.sh exited $rc"; exit 1; fi
go121=/usr/lib/go-1.21/bin/go
oracle127=build/go/gotraceoracle
for f in "$go121" "$oracle127" build/go/fuzzconv build/go/overlay.json /usr/lib/go-1.21/src/internal/trace/parser_test.go; do
    [ -e "$f" ] || missing "$f not found"
done

# A directory of this run's own (other runs may share the checkout); kept
# with GT_KEEP=1.
mkdir -p build "$(dirname "$report")"
work=$(mktemp -d "$root/build/legacy-semantic.XXXXXX") || exit 1
[ "${GT_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{unit,mutants,flipped,corrupted,fuzz,out}
out=$work/out

# ---- the files ------------------------------------------------------------
add() { # GROUP FILE...
    local g=$1
    shift
    for f in "$@"; do
        case $f in /*) ;; *) f=$root/$f ;; esac
        [ -f "$f" ] && printf '%s\t%s\n' "$g" "$f" >>"$out/files.tsv"
    done
}
: >"$out/files.tsv"
for d in /usr/lib/go-1.19/src/internal/trace/testdata /usr/lib/go-1.21/src/internal/trace/testdata \
    /usr/lib/go-1.27/src/internal/trace/internal/tracev1/testdata; do
    for f in "$d"/*; do [ -f "$f" ] && printf 'go-testdata\t%s\n' "$f" >>"$out/files.tsv"; done
done
is_legacy() { case "$(head -c 16 "$1" 2>/dev/null | tr -d '\0')" in "go 1."[5-9]" trace" | "go 1.1"[019]" trace" | "go 1.21 trace") return 0 ;; esac; return 1; }
for f in build/go/traces/*.trace examples/traces/*.trace; do
    case $f in *big-*) [ "${GT_BIG:-0}" = 1 ] || continue ;; esac
    is_legacy "$f" && add project "$f"
done
python3 - /usr/lib/go-1.21/src/internal/trace/parser_test.go "$work/corrupted" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1]).read()
body = text[text.index("func TestCorruptedInputs"):]
body = body[:body.index("}\n\tfor")]
lits = re.findall(r'^\s*"((?:[^"\\]|\\.)*)",\s*$', body, re.M)
assert len(lits) >= 8, lits
for i, lit in enumerate(lits):
    open(f"{sys.argv[2]}/corrupt{i}", "wb").write(lit.encode().decode("unicode_escape").encode("latin-1"))
PY
add corrupted "$work"/corrupted/*
fz=/usr/lib/go-1.27/src/internal/trace/testdata/fuzz/FuzzReader/4055b17cae1a3443
[ -f "$fz" ] || missing "$fz not found"
build/go/fuzzconv "$fz" >"$work/fuzz/fuzz-4055b17cae1a3443" || { echo "FAIL: fuzzconv"; exit 1; }
add fuzz "$work/fuzz/fuzz-4055b17cae1a3443"
GT_LEGACYSEM_DUMP=$work/unit "$unit" >"$out/unit.log" 2>&1 || { cat "$out/unit.log"; echo "FAIL: $unit"; exit 1; }
for f in "$work"/unit/*; do case $f in *.expect) ;; *) add unit "$f" ;; esac; done
T21=/usr/lib/go-1.21/src/internal/trace/testdata
n=${GT_MUTANTS:-60}
seed=1
for s in "$T21"/http_1_5_good "$T21"/stress_start_stop_1_5_good "$T21"/http_1_7_good "$T21"/stress_start_stop_1_7_good \
    "$T21"/http_1_9_good "$T21"/stress_start_stop_1_9_good "$T21"/http_1_10_good "$T21"/stress_start_stop_1_10_good \
    "$T21"/http_1_11_good "$T21"/stress_start_stop_1_11_good "$T21"/user_task_region_1_11_good "$T21"/http_1_19_good \
    "$T21"/user_task_region_1_19_good "$T21"/http_1_21_good "$T21"/stress_start_stop_1_21_good \
    /usr/lib/go-1.27/src/internal/trace/internal/tracev1/testdata/fmt_1_21_pprof_good \
    build/go/traces/tiny-go119.trace build/go/traces/tiny-go121.trace examples/traces/go119-small.trace; do
    [ -f "$s" ] || continue
    "$tool" -mutate $seed "$n" "$work/mutants" "$s" || { echo "FAIL: legacy_check -mutate $s"; exit 1; }
    "$tool" -corrupt $seed "${GT_CORRUPT:-20}" "$work/flipped" "$s" || { echo "FAIL: legacy_check -corrupt $s"; exit 1; }
    seed=$((seed + 1))
done
for f in "$work"/mutants/*; do printf 'mutants\t%s\n' "$f" >>"$out/files.tsv"; done
for f in "$work"/flipped/*; do printf 'flipped\t%s\n' "$f" >>"$out/files.tsv"; done

# ---- verdicts -----------------------------------------------------------------
cut -f2 "$out/files.tsv" >"$out/all.lst"
: >"$out/new.lst"
while IFS= read -r f; do
    case "$(head -c 16 "$f" | tr -d '\0')" in "go 1.11 trace" | "go 1.19 trace" | "go 1.21 trace") echo "$f" >>"$out/new.lst" ;; esac
done <"$out/all.lst"
grep -E "^$work/(unit|mutants|flipped)/" "$out/all.lst" >"$out/repeat.lst" || true
grep -E "^$work/(unit|mutants|flipped)/" "$out/new.lst" >"$out/repeat-new.lst" || true

export GOCACHE=$root/build/go/cache GOPATH=$root/build/go/gopath GOTOOLCHAIN=local GOFLAGS='' GOENV=off \
    GO111MODULE='' CGO_ENABLED=0 GOWORK=off
unset GOROOT GOOS GOARCH GOEXPERIMENT GODEBUG
go121_run() { # LIST OUT: Go 1.21's parse on every file of LIST (in chunks: one env value holds the names)
    local list=$1 o=$2 k=0
    : >"$o"
    rm -f "$out"/chunk.*
    split -l 400 "$list" "$out/chunk."
    for c in "$out"/chunk.*; do
        [ -s "$c" ] || continue
        k=$((k + 1))
        if ! (cd /usr/lib/go-1.21/src && GT_ORACLE_FILES=$(cat "$c") GT_ORACLE_OUT=$o.$k \
            "$go121" test -vet=off -tags gotrace_oracle -overlay "$root/build/go/overlay.json" \
            -run '^TestGotraceLegacyVerdict$' -count=1 internal/trace >"$out/go121.log" 2>&1); then
            cat "$out/go121.log"
            echo "FAIL: the Go 1.21 oracle failed"
            exit 1
        fi
        cat "$o.$k" >>"$o"
        rm -f "$o.$k"
    done
}
go121_run "$out/all.lst" "$out/go121.1"
go121_run "$out/repeat.lst" "$out/go121.2"
go121_run "$out/repeat.lst" "$out/go121.3"
for k in 1 2 3; do
    list=$out/new.lst
    [ $k -gt 1 ] && list=$out/repeat-new.lst
    : >"$out/go127.$k"
    [ -s "$list" ] && xargs -d '\n' -n 500 "$oracle127" validate -reader <"$list" >>"$out/go127.$k"
done
xargs -d '\n' -n 500 "$tool" <"$out/all.lst" >"$out/gotrace.auto" 2>"$out/gotrace.err"
xargs -d '\n' -n 500 "$tool" -oracle go121 <"$out/new.lst" >"$out/gotrace.go121" 2>>"$out/gotrace.err"
if [ -s "$out/gotrace.err" ]; then
    cat "$out/gotrace.err"
    echo "FAIL: legacy_check reported errors (sanitizer, leak or usage)"
    exit 1
fi

# ---- the table -------------------------------------------------------------------
cat >"$out/table.py" <<'PY'
import glob, os, re, sys
out, report, root, final = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "final"

def rows(path):
    d = {}
    if not os.path.exists(path):
        return d
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 2:
            d.setdefault(f[0], []).append(f[1:])
    return d

def go_norm(kind, rest):
    # (verdict, message): verdict "ok" or "reject"
    if kind == "ok":
        return ("ok", "")
    msg = rest[0] if rest else ""
    if kind == "panic" and msg.startswith("reader: "):
        msg = msg[len("reader: "):]
    return ("reject", msg)

def go_results(paths):
    res = {}
    for p in paths:
        for name, vals in rows(p).items():
            for v in vals:
                res.setdefault(name, []).append(go_norm(v[0], v[1:]))
    return res

g121 = go_results(sorted(glob.glob(f"{out}/go121.[0-9]*")))
g127 = go_results(sorted(glob.glob(f"{out}/go127.[0-9]*")))
gt = {n: v[0] for n, v in rows(f"{out}/gotrace.auto").items()}
gt121 = {n: v[0] for n, v in rows(f"{out}/gotrace.go121").items()}
files = [l.rstrip("\n").split("\t") for l in open(f"{out}/files.tsv")]

def header(path):
    with open(path, "rb") as f:
        h = f.read(16).rstrip(b"\0").decode("latin-1")
    return h[5:-6] if h.startswith("go 1.") and h.endswith(" trace") else "-"

def gt_norm(v):
    if not v or v[0] == "ok":
        return ("ok", "", "")
    return ("reject", v[1] if len(v) > 1 else "", v[0])

def msg_match(go_msg, ours):
    return go_msg == ours or (len(ours.encode()) >= 159 and go_msg.encode().startswith(ours.encode()))

work = os.path.dirname(out)

def short(p):
    if p.startswith(work + "/"):
        return p[len(work) + 1:]
    for pre in (root + "/", "/usr/lib/"):
        if p.startswith(pre):
            return p[len(pre):]
    return p

def compare(go, ours):
    """verdict agreement, message state, deterministic?"""
    outcomes = sorted(set(go))
    det = len(outcomes) == 1
    v_ok = any(o[0] == ours[0] for o in outcomes)
    if ours[0] == "ok" or not v_ok:
        m = "-" if ours[0] == "ok" else "n/a"
    else:
        m = "yes" if any(o[0] == "reject" and msg_match(o[1], ours[1]) for o in outcomes) else "no"
    return v_ok, m, det, outcomes

lines, failures, gogo, gogo_reason, stats = [], [], [], [], {}
suspects = set()  # files whose disagreement Go may still reproduce on more runs

def reason(msg):
    # Go 1.21 and 1.27 word the same rule differently: drop the suffixes and
    # the quoted events before comparing.
    msg = re.sub(r" \((offset \d+, )?time -?\d+\)$", "", msg)
    return msg.split('"')[0]
per_oracle = {}
for group, path in files:
    hdr = header(path)
    use127 = hdr in ("11", "19", "21")
    oname = "go1.27" if use127 else "go1.21"
    go = (g127 if use127 else g121).get(path)
    ours = gt_norm(gt.get(path))
    if go is None:
        failures.append(f"no {oname} verdict for {short(path)}")
        continue
    v_ok, m, det, outcomes = compare(go, ours)
    s = stats.setdefault(group, [0, 0, 0, 0, 0, 0, 0, 0])
    po = per_oracle.setdefault(oname, [0, 0, 0, 0])
    s[0] += 1; po[0] += 1
    s[1] += v_ok; po[1] += v_ok
    if not det: s[6] += 1
    if ours[0] == "reject" and v_ok:
        s[2] += 1; po[2] += 1
        s[3] += m == "yes"; po[3] += m == "yes"
        if ours[2] == "semantic":
            s[4] += 1; s[5] += m == "yes"
    govs = " | ".join(f"{o[0]}{': ' + o[1] if o[1] else ''}" for o in outcomes)
    row = [group, short(path), hdr, oname, govs + ("" if det else "  [Go varies]"),
           ours[0] + (f" ({ours[2]}): {ours[1]}" if ours[0] != "ok" else ""), "yes" if v_ok else "NO", m]
    if not v_ok:
        failures.append(f"verdict: {short(path)}: {oname} {govs}; gotrace {ours[0]} {ours[1]}")
        suspects.add((oname, path))
    elif det and ours[2] == "semantic" and m == "no":
        failures.append(f"message: {short(path)}: {oname} {outcomes[0][1]!r}; gotrace {ours[1]!r}")
        suspects.add((oname, path))
    # Go 1.21 beside Go 1.27 for go 1.11-1.21 files.
    if use127:
        o21 = sorted(set(g121.get(path, [])))
        o27 = outcomes
        v21 = {o[0] for o in o21}
        v27 = {o[0] for o in o27}
        ours121 = gt_norm(gt121.get(path))
        a121, m121, det121, _ = compare(o21, ours121) if o21 else (False, "n/a", True, [])
        s[7] += 1
        if not a121:
            failures.append(f"go121 mode: {short(path)}: Go 1.21 {o21}; gotrace {ours121}")
            suspects.add(("go1.21", path))
        elif det121 and ours121[2] == "semantic" and m121 == "no":
            failures.append(f"go121 mode message: {short(path)}: Go 1.21 {o21[0][1]!r}; gotrace {ours121[1]!r}")
            suspects.add(("go1.21", path))
        if (group != "flipped" and v21 == v27 == {"reject"} and len(o21) == 1 and len(o27) == 1 and
                reason(o21[0][1]) != reason(o27[0][1])):
            gogo_reason.append((group, short(path), o27[0][1], o21[0][1]))
        if v21 != v27:
            gogo.append((group, short(path), " | ".join(f"{o[0]}{': ' + o[1] if o[1] else ''}" for o in o27),
                         " | ".join(f"{o[0]}{': ' + o[1] if o[1] else ''}" for o in o21),
                         "yes" if a121 else "NO"))
    lines.append(row)

# Unit expectations against Go.
for group, path in files:
    if group != "unit":
        continue
    exp = {}
    for l in open(path + ".expect"):
        f = l.rstrip("\n").split("\t")
        exp[f[0]] = (f[1], f[2] if len(f) > 2 else "")
    hdr = header(path)
    for oname, res in (("go121", g121), ("go127", g127)):
        if oname == "go127" and hdr not in ("11", "19", "21"):
            continue
        outs = sorted(set(res.get(path, [])))
        want = exp[oname]
        wv = "ok" if want[0] == "ok" else "reject"
        ok = any(o[0] == wv and (not want[1] or msg_match(o[1], want[1][:159])) for o in outs)
        if not ok:
            failures.append(f"unit expectation: {short(path)} ({oname}): test says {want}, Go says {outs}")

if not final:
    for o in ("go1.21", "go1.27"):
        with open(f"{out}/suspects-{o}.lst", "w") as f:
            for oname, path in sorted(suspects):
                if oname == o:
                    f.write(path + "\n")
    sys.exit(0)

with open(report, "w") as w:
    w.write("Legacy semantic validation: gt_legacy_validate (AUTO) against Go's own readers\n")
    w.write("oracle: Go 1.27 Reader for go 1.11/1.19/1.21 headers; Go 1.21 parse for go 1.5-1.10 and non-legacy headers\n")
    w.write("verdict agreement is required; messages are compared on rejections (ours are cut at 159 bytes)\n")
    w.write("Go runs 3 times on unit cases, mutants and flipped copies, 12 more times on any file where gotrace disagrees;\n")
    w.write("'Go varies' counts files where Go itself gave more than one outcome (any of them counts)\n\n")
    w.write("== Summary ==\n")
    w.write(f"{'group':<12} {'files':>6} {'verdict=':>9} {'rejected':>9} {'msg=':>6} {'semantic':>9} {'sem msg=':>9} {'Go varies':>10} {'1.11+':>6}\n")
    tot = [0] * 8
    for g in ("go-testdata", "project", "corrupted", "fuzz", "unit", "mutants", "flipped"):
        if g not in stats:
            continue
        s = stats[g]
        tot = [a + b for a, b in zip(tot, s)]
        w.write(f"{g:<12} {s[0]:>6} {s[1]:>9} {s[2]:>9} {s[3]:>6} {s[4]:>9} {s[5]:>9} {s[6]:>10} {s[7]:>6}\n")
    w.write(f"{'total':<12} {tot[0]:>6} {tot[1]:>9} {tot[2]:>9} {tot[3]:>6} {tot[4]:>9} {tot[5]:>9} {tot[6]:>10} {tot[7]:>6}\n\n")
    w.write("per oracle: files, verdict agreement, gotrace rejections, message agreement\n")
    for o, p in sorted(per_oracle.items()):
        w.write(f"  {o}: {p[0]} files, {p[1]} verdicts agree, {p[2]} rejections, {p[3]} messages agree\n")
    w.write("\n== Go 1.27 vs Go 1.21 on go 1.11-1.21 files: verdicts that differ ==\n")
    w.write("group\tfile\tGo 1.27\tGo 1.21\tgotrace(go121 mode) = Go 1.21\n")
    for r in gogo:
        w.write("\t".join(r) + "\n")
    w.write(f"({len(gogo)} files)\n\n")
    w.write("== Go 1.27 vs Go 1.21: both reject, for different reasons (suffixes and quoted events aside;\n")
    w.write("   flipped files left out: their wire errors are worded differently by each reader) ==\n")
    w.write("group\tfile\tGo 1.27\tGo 1.21\n")
    for r in gogo_reason:
        w.write("\t".join(r) + "\n")
    w.write(f"({len(gogo_reason)} files)\n\n== Failures ==\n")
    for f in failures:
        w.write(f + "\n")
    w.write(f"({len(failures)})\n\n== Per file (mutants and flipped: disagreements only) ==\n")
    w.write("group\tfile\theader\toracle\tGo\tgotrace\tverdict=\tmessage=\n")
    for r in lines:
        if r[0] in ("mutants", "flipped") and r[6] == "yes" and (r[7] in ("yes", "-") or r[0] == "flipped"):
            continue
        w.write("\t".join(r) + "\n")

print(open(report).read().split("== Go 1.27 vs")[0].rstrip())
print(f"Go 1.27 vs Go 1.21 on go 1.11-1.21 files: verdicts differ on {len(gogo)}, reasons on {len(gogo_reason)}; failures: {len(failures)}")
for f in failures[:20]:
    print("FAIL", f)
print(f"table: {report}")
sys.exit(1 if failures else 0)
PY
python3 "$out/table.py" "$out" "$report" "$root" first || exit 1
# Go's merge and go 1.5 sort break ties by map order: before calling a
# disagreement one, give Go 12 more tries to produce gotrace's outcome.
for k in $(seq 4 15); do
    [ -s "$out/suspects-go1.21.lst" ] && go121_run "$out/suspects-go1.21.lst" "$out/go121.$k"
    [ -s "$out/suspects-go1.27.lst" ] && xargs -d '\n' -n 500 "$oracle127" validate -reader <"$out/suspects-go1.27.lst" >"$out/go127.$k"
done
python3 "$out/table.py" "$out" "$report" "$root" final
