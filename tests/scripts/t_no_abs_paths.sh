#!/usr/bin/env bash
# No committed data file carries an absolute file-system path (the machine
# that wrote a trace leaks into its stack frames and file strings unless the
# writing program is built with -trimpath). Scanned: every tracked file under
# corpus/ and examples/traces/, and every other tracked file that is binary
# (holds a NUL byte) or named *.trace. Source and documentation may name
# installed paths such as /usr/lib/go-1.27/src on purpose and are not scanned.
# The detector is first run on a planted path, so the test can fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "skip: not a git checkout"; exit 77; }
git ls-files -z | python3 -c '
import re, sys
ABS = re.compile(rb"(?<![A-Za-z0-9._~+-])/(?:usr|home|root|work|tmp|opt|var|srv|mnt|Users|private|nix)/[A-Za-z0-9._/+-]*")
assert ABS.search(b"\x01\x05\x24/home/builder/src/tracegen/x.go\x00"), "the detector misses a planted path"
assert not ABS.search(b"\x20gotrace.test/go/tracegen/main.go runtime/proc.go")
names = [n for n in sys.stdin.buffer.read().split(b"\0") if n]
scanned, bad = 0, []
for n in names:
    name = n.decode()
    try:
        data = open(name, "rb").read()
    except OSError:
        continue
    if not (name.startswith(("corpus/", "examples/traces/")) or name.endswith(".trace") or b"\0" in data):
        continue
    scanned += 1
    m = ABS.search(data)
    if m:
        path = m.group(0)[:80].decode("latin-1")
        bad.append(f"{name}: offset {m.start()}: {path}")
for b in bad[:40]:
    print("FAIL " + b)
print(f"t_no_abs_paths: {scanned} data files scanned, {len(bad)} with an absolute path")
sys.exit(1 if bad else 0)
'
