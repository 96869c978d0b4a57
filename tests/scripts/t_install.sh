#!/usr/bin/env bash
# make install / uninstall honour PREFIX, DESTDIR, LIBDIR and INCLUDEDIR; the
# installed pkg-config file builds and runs the example against the installed
# shared library (versioned SONAME).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
prefix=/opt/gt
fail=0
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi; }
make -s install DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$prefix/lib64" INCLUDEDIR="$prefix/inc" >"$tmp/log" 2>&1 ||
    { cat "$tmp/log"; exit 1; }
check "static library" [ -f "$dest$prefix/lib64/libgotrace.a" ]
check "shared library with SONAME link" [ -L "$dest$prefix/lib64/libgotrace.so.0" ]
check "SONAME is libgotrace.so.0" sh -c "readelf -d '$dest$prefix/lib64/libgotrace.so' | grep -q 'SONAME.*libgotrace.so.0'"
check "header" [ -f "$dest$prefix/inc/gotrace.h" ]
check "command" [ -x "$dest$prefix/bin/gotrace" ]
pc=$dest$prefix/lib64/pkgconfig/gotrace.pc
check "pkg-config file" [ -f "$pc" ]
check "pc names the prefix dirs" grep -q "^libdir=$prefix/lib64" "$pc"
# Build the example the way a user would, with pkg-config, against DESTDIR.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags --libs gotrace)
check "example builds with pkg-config" cc examples/validate.c $flags -o "$tmp/validate"
check "example runs against the installed .so" sh -c \
    "LD_LIBRARY_PATH='$dest$prefix/lib64' '$tmp/validate' examples/traces/go123-small.trace | grep -q 'go 1.23'"
make -s uninstall DESTDIR="$dest" PREFIX="$prefix" LIBDIR="$prefix/lib64" INCLUDEDIR="$prefix/inc" >/dev/null 2>&1
left=$(find "$dest" -type f -o -type l | wc -l)
check "uninstall removes every file" [ "$left" -eq 0 ]
exit $fail
