#!/usr/bin/env bash
# gt-sanitize
# Truncation at every offset and 10 000 bit flips on small real traces
# (Go-written when available, else the bundled examples). Run under ASan/UBSan
# in the sanitizer pass.
set -u
tool=${GT_BUILD:-build}/tools/robust
files=()
for f in examples/traces/*.trace build/go/traces/go122.trace build/go/traces/go123.trace; do
    [ -f "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || { echo "no traces to test"; exit 77; }
# Every offset for files up to 64 KiB; a prime stride above that keeps the run short.
rc=0
for f in "${files[@]}"; do
    size=$(stat -c %s "$f")
    stride=1
    [ "$size" -gt 65536 ] && stride=$((size / 20000 + 1))
    "$tool" --flips 10000 --seed 7 --stride "$stride" "$f" || rc=1
done
exit $rc
