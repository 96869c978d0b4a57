#!/usr/bin/env bash
# `make fuzz-smoke`: every fuzz target for 60 s under libFuzzer with
# ASan+UBSan, two at a time; any finding fails. Long (about 5 minutes), so it
# runs only in CI (CI=true) or when asked (GT_FUZZ_SMOKE=1); otherwise skipped.
set -u
cd "$(dirname "$0")/../.."
if [ "${GT_FUZZ_SMOKE:-0}" != 1 ] && [ "${CI:-}" != true ]; then
    echo "fuzz smoke runs in CI or with GT_FUZZ_SMOKE=1"
    exit 77
fi
command -v clang >/dev/null 2>&1 || { echo "clang is not installed (scripts/deps.sh)"; exit 77; }
make -s fuzz-smoke
