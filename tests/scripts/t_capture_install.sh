#!/usr/bin/env bash
# make install puts libgotrace-capture.{a,so} (SONAME libgotrace-capture.so.0),
# gotrace_capture.h and gotrace-capture.pc beside libgotrace; the demo builds
# with `pkg-config --cflags --libs gotrace-capture` against the shared
# libraries and with `--static` against the archives (one self-contained
# object: capture, output sink and libbacktrace, only gt_cap_* global), both
# run and write valid traces; the shared library exports only gt_cap_*;
# make uninstall removes every file.
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
prefix=/opt/gtc
fail=0
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi; }
make -s install DESTDIR="$dest" PREFIX="$prefix" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
lib=$dest$prefix/lib
check "static library" [ -f "$lib/libgotrace-capture.a" ]
check "SONAME is libgotrace-capture.so.0" sh -c "readelf -d '$lib/libgotrace-capture.so' | grep -q 'SONAME.*libgotrace-capture.so.0'"
check "header" [ -f "$dest$prefix/include/gotrace_capture.h" ]
check "pkg-config file" [ -f "$lib/pkgconfig/gotrace-capture.pc" ]
bad=$(nm -D --defined-only "$lib/libgotrace-capture.so" | awk '{print $3}' | grep -v '^gt_cap_' | grep -v '^$' || true)
check "the .so exports only gt_cap_* ($(nm -D --defined-only "$lib/libgotrace-capture.so" | grep -c ' gt_cap_') symbols)" [ -z "$bad" ]
pc() { PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest pkg-config "$@"; }
check "demo builds with pkg-config (shared)" \
    cc -fno-omit-frame-pointer -pthread examples/capture-demo.c $(pc --cflags --libs gotrace-capture) -o "$tmp/demo"
check "demo runs against the installed .so" sh -c "LD_LIBRARY_PATH='$lib' '$tmp/demo' '$tmp/a.trace' >/dev/null"
check "its trace is valid" sh -c "build/gotrace validate '$tmp/a.trace' >/dev/null"
check "demo builds with pkg-config --static" \
    cc -fno-omit-frame-pointer -pthread examples/capture-demo.c $(pc --cflags gotrace-capture) \
    "$lib/libgotrace-capture.a" "$lib/libgotrace.a" $(pc --static --libs-only-l gotrace-capture | sed 's/-lgotrace-capture//; s/-lgotrace\b//') -o "$tmp/demo-static"
check "static demo has no libgotrace dependency" sh -c "! ldd '$tmp/demo-static' | grep -q gotrace"
check "static demo writes a valid trace" sh -c "'$tmp/demo-static' '$tmp/b.trace' >/dev/null && build/gotrace validate '$tmp/b.trace' >/dev/null"
make -s uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null 2>&1
left=$(find "$dest" -type f -o -type l | wc -l)
check "uninstall removes every file" [ "$left" -eq 0 ]
exit $fail
