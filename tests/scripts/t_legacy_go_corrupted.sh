#!/usr/bin/env bash
# gt-sanitize
# Go 1.19's TestCorruptedInputs (inputs that once crashed Go's legacy parser,
# which must reject them): read in place from the installed Go source, each
# must be rejected by gotrace too, with an offset inside the input.
set -u
G=${GT_BUILD:-build}/gotrace
src=/usr/lib/go-1.19/src/internal/trace/parser_test.go
[ -f "$src" ] || { echo "skip: $src not installed (golang-1.19-src)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$src" "$tmp" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1]).read()
body = text[text.index("func TestCorruptedInputs"):]
body = body[:body.index("}\n\tfor")]
lits = re.findall(r'^\s*"((?:[^"\\]|\\.)*)",\s*$', body, re.M)
assert len(lits) >= 8, lits
for i, lit in enumerate(lits):
    data = lit.encode().decode("unicode_escape").encode("latin-1")
    open(f"{sys.argv[2]}/corrupt{i}", "wb").write(data)
print(len(lits), "inputs")
PY
fail=0
for f in "$tmp"/corrupt*; do
    out=$("$G" validate "$f")
    rc=$?
    size=$(stat -c %s "$f")
    off=$(sed -n 's/.* at offset \([0-9]*\).*/\1/p' <<<"$out")
    if [ $rc -ne 1 ] || [ -z "$off" ] || [ "$off" -gt "$size" ]; then
        echo "FAIL ($rc): $out"; fail=1
    else
        echo "ok   $out"
    fi
done
exit $fail
