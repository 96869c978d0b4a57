#!/usr/bin/env bash
# gt-sanitize
# spec/PERMISSIVE.md is checked, not just written: every ```trace block in it
# is assembled into bytes and run through gotrace and Go 1.27, and the
# expectation comment that follows the block must hold:
#
#   <!-- expect semantic=V structural=V go=G govalidator=G -->
#
#   V: accept | GT_ERR_NAME | GT_ERR_NAME@OFFSET     (gotrace validate, default
#      semantic check, and gotrace validate --structural)
#   G: accept | reject | reject:"text" | panic         (Go 1.27's Reader, i.e. what
#      go tool trace runs; govalidator: Reader + testtrace.Validator with
#      GoVersion from the header)
# Keys may be left out. Block syntax, per line: hex byte pairs, or Hnn for
# the 16-byte header "go 1.nn trace"; the first other token starts a comment.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
oracle=build/go/gotraceoracle
doc=spec/PERMISSIVE.md
if [ ! -x "$oracle" ]; then
    rc=0
    tests/go/prepare.sh >/dev/null 2>&1 || rc=$?
    [ $rc -eq 77 ] && { echo "skip: Go 1.27 oracle not available"; exit 77; }
    [ -x "$oracle" ] || { echo "FAIL: tests/go/prepare.sh could not build $oracle"; exit 1; }
fi
[ -x "$gt" ] || { echo "FAIL: $gt is not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$doc" "$tmp" "$gt" "$oracle" <<'PY'
import re, subprocess, sys
doc, tmp, gt, oracle = sys.argv[1:5]
text = open(doc).read()
blocks = re.findall(r"^```trace[^\n]*\n(.*?)```\s*\n\s*<!--\s*expect\s+(.*?)-->", text, re.S | re.M)
orphans = len(re.findall(r"^```trace", text, re.M)) - len(blocks)
fails = []
if orphans:
    fails.append(f"{orphans} trace block(s) without an expect comment right after them")
if len(blocks) < 10:
    fails.append(f"only {len(blocks)} checked examples found in {doc}")

def assemble(body):
    out = bytearray()
    for line in body.splitlines():
        for tok in line.split():
            if re.fullmatch(r"[0-9a-fA-F]{2}", tok):
                out.append(int(tok, 16))
            elif re.fullmatch(r"H\d+", tok):
                out += f"go 1.{tok[1:]} trace".encode().ljust(16, b"\0")
            else:
                break
    return bytes(out)

def ours(path, flags):
    r = subprocess.run([gt, "validate"] + flags + [path], capture_output=True, text=True)
    line = r.stdout.strip().splitlines()[0] if r.stdout.strip() else r.stderr.strip()
    if r.returncode == 0:
        return "accept", None, line
    m = re.search(r"invalid: (GT_[A-Z_]+)(?: at offset (\d+))?", line)
    if r.returncode != 1 or not m:
        return "ERROR", None, line
    return m.group(1), int(m.group(2)) if m.group(2) else None, line

def go(path, flags):
    r = subprocess.run([oracle, "validate"] + flags + [path], capture_output=True, text=True)
    parts = (r.stdout.rstrip("\n").split("\t") + ["", "", ""])[:3]
    kind = {"ok": "accept", "panic": "panic"}.get(parts[1], "reject" if parts[1] else "ERROR")
    return kind, parts[2]

def check_ours(want, got, what, i):
    st, off, line = got
    name, _, woff = want.partition("@")
    if name != st or (woff and off != int(woff)):
        fails.append(f"example {i}: {what}: expected {want}, got {st}{'@' + str(off) if off is not None else ''} ({line})")

def check_go(want, got, what, i):
    kind, msg = got
    wkind, _, wtext = want.partition(":")
    wtext = wtext.strip('"')
    if kind != wkind or (wtext and wtext not in msg):
        fails.append(f"example {i}: {what}: expected {want}, got {kind}: {msg[:200]}")

for i, (body, exp) in enumerate(blocks, 1):
    path = f"{tmp}/ex{i}.trace"
    open(path, "wb").write(assemble(body))
    want = dict(re.findall(r'(\w+)=((?:[^\s"]|"[^"]*")+)', exp))
    want = {k: v.strip('"') if k in ("semantic", "structural") else v for k, v in want.items()}
    for k in want:
        if k not in ("semantic", "structural", "go", "govalidator"):
            fails.append(f"example {i}: unknown key {k}")
    if "semantic" in want:
        check_ours(want["semantic"], ours(path, []), "gotrace validate", i)
    if "structural" in want:
        check_ours(want["structural"], ours(path, ["--structural"]), "gotrace validate --structural", i)
    if "go" in want:
        check_go(want["go"], go(path, ["-reader"]), "Go 1.27 Reader", i)
    if "govalidator" in want:
        check_go(want["govalidator"], go(path, []), "Go 1.27 Reader + validator", i)
    print(f"example {i}: {len(open(path, 'rb').read())} bytes, {exp.strip()}")
for f in fails:
    print("FAIL " + f)
print(f"t_permissive: {len(blocks)} examples, {len(fails)} failures")
sys.exit(1 if fails else 0)
PY
