#!/usr/bin/env bash
# A sample of the differential campaign (make difftest; tests/diff/difftest.py):
# a few thousand mutants of real traces (truncated, bit-flipped, bytes
# inserted and deleted, batches duplicated, dropped and swapped) judged by
# `gotrace validate` and by Go 1.27's reader. Fails on any disagreement that
# spec/PERMISSIVE.md does not explain, or below 99.9 % agreement. The seed is
# printed (GT_DIFF_SEED=S replays it); the report goes to
# build/reports/difftest-sample/.
set -u
cd "$(dirname "$0")/../.." || exit 1
gt=${GT_BUILD:-build}/gotrace
. tests/scripts/go_prep.sh
go_prep gotests.sh
[ -x "$gt" ] || { echo "FAIL: $gt is not built"; exit 1; }
src=(build/go/traces/tiny-go1{21,22,23,24,25,26,27}.trace build/go/traces/go127-gens.trace
     build/go/traces/go125-allocfree.trace build/go/gotests/go12*.trace)
exec python3 tests/diff/difftest.py -n "${GT_DIFF_N:-5000}" ${GT_DIFF_SEED:+--seed "$GT_DIFF_SEED"} \
    --gotrace "$gt" --out build/reports/difftest-sample --min-agreement 99.9 "${src[@]}"
