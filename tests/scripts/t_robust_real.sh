#!/usr/bin/env bash
# gt-sanitize
# Robustness on real traces (run under ASan/UBSan in the sanitizer pass):
#  - small traces written by Go 1.19 and 1.21-1.27 (tests/go/tinytrace) and
#    Go's own small legacy testdata (used in place): truncated at EVERY byte
#    offset, and 10 000 random bit-flip runs each (4 000 in the sanitizer
#    pass, where every run costs several times more);
#  - the bundled ~80 KB example traces: 2 000 evenly spaced truncations and
#    1 000 bit-flip runs each.
# Every copy goes through the structural reader and the semantic check
# (ordering engine or legacy semantics); every outcome must be GT_END or an
# error whose offset lies inside the input.
set -u
tool=${GT_BUILD:-build}/tools/robust
bash tests/go/prepare.sh >/dev/null || exit $?
small=(build/go/traces/tiny-go1{19,21,22,23,24,25,26,27}.trace)
for f in /usr/lib/go-1.19/src/internal/trace/testdata/*_good; do
    [ "$(stat -c %s "$f")" -le 8192 ] && small+=("$f")
done
rc=0
flips=10000
case ${GT_BUILD:-build} in */san) flips=4000 ;; esac
"$tool" --flips "$flips" --seed 7 "${small[@]}" || rc=1
for f in examples/traces/*.trace; do
    size=$(stat -c %s "$f")
    "$tool" --flips 1000 --seed 11 --stride $((size / 2000 + 1)) "$f" || rc=1
done
exit $rc
