#!/usr/bin/env bash
# `make fuzz-smoke`: every fuzz target for 40 s (SMOKE_SECONDS) under
# libFuzzer with ASan+UBSan, two at a time; any finding fails. Long (about 4
# minutes for 13 targets), so it runs only in CI (CI=true) or when asked
# (GT_FUZZ_SMOKE=1); otherwise skipped. Campaigns are `make fuzz` / `make afl`.
set -u
cd "$(dirname "$0")/../.."
if [ "${GT_FUZZ_SMOKE:-0}" != 1 ] && [ "${CI:-}" != true ]; then
    echo "fuzz smoke runs in CI or with GT_FUZZ_SMOKE=1"
    exit 77
fi
command -v clang >/dev/null 2>&1 || { echo "clang is not installed (scripts/deps.sh)"; exit 77; }
SMOKE_SECONDS=${SMOKE_SECONDS:-40} make -s fuzz-smoke
