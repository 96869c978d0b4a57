#!/usr/bin/env bash
# (release build only: not part of the sanitizer pass)
# Only gt_-prefixed symbols leave libgotrace.so (-fvisibility=hidden).
set -eu
exec bash tests/scripts/check_symbols.sh "${GT_BUILD:-build}/libgotrace.so"
