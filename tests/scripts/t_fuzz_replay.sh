#!/usr/bin/env bash
# Every file of every fuzz corpus and every regression (corpus/) through every
# fuzz target, built with ASan+UBSan and the plain replay driver
# (fuzz/regression_driver.c, no fuzzer): `make fuzz-replay`. Also checks that
# fuzz/gotrace.dict and fuzz/text_asm.dict are what fuzz/gen_dict.c generates
# from the event tables.
set -u
cd "$(dirname "$0")/../.."
command -v clang >/dev/null 2>&1 || { echo "clang is not installed (scripts/deps.sh)"; exit 77; }
[ -f fuzz/fuzz.mk ] || { echo "no fuzz/fuzz.mk"; exit 77; }
make -s fuzz-replay || exit 1
make -s build/fuzz/gen_dict || exit 1
if ! build/fuzz/gen_dict | cmp -s - fuzz/gotrace.dict || ! build/fuzz/gen_dict text | cmp -s - fuzz/text_asm.dict; then
    echo "fuzz/gotrace.dict or fuzz/text_asm.dict is stale: run make fuzz-dict"
    exit 1
fi
echo "dictionaries current"
