#!/usr/bin/env bash
# The capture header works from C++: tests/capture/cxx_user.cpp (RAII tasks
# and regions, std::thread, std::condition_variable) builds with g++
# -std=c++17 -Wall -Wextra -Werror against the shared libraries, runs, and
# its trace passes `gotrace validate` (and Go 1.27's validator when present).
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${GT_BUILD:-build}
command -v g++ >/dev/null 2>&1 || { echo "g++ is not installed"; exit 77; }
make -s "$B/libgotrace-capture.so" >/dev/null 2>&1 || { echo "FAIL: build libgotrace-capture.so"; exit 1; }
tmp=$B/capture/tmp/cxx.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
g++ -std=c++17 -Wall -Wextra -Werror -O2 -fno-omit-frame-pointer -pthread -Icodec -Icodec/capture \
    tests/capture/cxx_user.cpp -L"$B" -lgotrace-capture -lgotrace -Wl,-rpath,"$PWD/$B" -o "$tmp/cxx_user" ||
    { echo "FAIL: the C++ user does not build"; exit 1; }
"$tmp/cxx_user" "$tmp/cxx.trace" || { echo "FAIL: cxx_user exited $?"; exit 1; }
build/gotrace validate "$tmp/cxx.trace" || exit 1
if [ -x build/go/gotraceoracle ]; then
    line=$(build/go/gotraceoracle validate "$tmp/cxx.trace") || { echo "FAIL: Go 1.27: $line"; exit 1; }
    echo "Go 1.27's validator: ok"
fi
echo "C++ user: ok"
