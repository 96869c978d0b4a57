#!/usr/bin/env bash
# Fails if the shared library exports any symbol not prefixed gt_.
set -eu
lib=${1:-build/libgotrace.so}
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
bad=$(printf '%s\n' "$syms" | grep -v '^gt_' | grep -v '^$' || true)
count=$(printf '%s\n' "$syms" | grep -c '^gt_' || true)
if [ -n "$bad" ]; then
    echo "exported symbols without the gt_ prefix:"; printf '  %s\n' $bad; exit 1
fi
[ "$count" -gt 10 ] || { echo "only $count gt_ symbols exported from $lib"; exit 1; }
echo "$count symbols exported, all prefixed gt_"
