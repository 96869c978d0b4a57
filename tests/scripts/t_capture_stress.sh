#!/usr/bin/env bash
# Capture stress (tests/capture/cap_stress.c): 16 streams x 1 M logged events,
# each stream carried by 4 threads in turn (threads exit and are born mid-run),
# with regions, blocking, cross-thread wake-ups and syscalls mixed in, while
# generations advance back to back. Built and run under ThreadSanitizer, then
# under ASan+UBSan: each run must be sanitizer-clean, every stream's events
# must be read back exactly once (no loss, no duplicate), and the trace must
# pass Go 1.27's reader + validator and `gotrace validate`. A smaller run in
# the go 1.23 form must pass Go 1.23's validator; it takes the fenced write
# section (GOTRACE_NO_MEMBARRIER=1), the others the membarrier one.
# A TSan run walks the stacks with libunwind (8 x 100 000 events, 16 frames).
# Then the unit scenarios (tests/capture/test_capture_unit.c: signal handlers,
# fork, thread-ID reuse, the memory cap, restart, ...) under both sanitizers.
#   GT_CAPTURE_STRESS_EVENTS=N   events per stream (default 1000000)
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${GT_BUILD:-build}
n=${GT_CAPTURE_STRESS_EVENTS:-1000000}
command -v clang >/dev/null 2>&1 || { echo "clang is not installed (scripts/deps.sh)"; exit 77; }
. tests/scripts/go_prep.sh
go_prep prepare.sh
tmp=build/capture/tmp/stress.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

TSAN_FLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=thread"
ASAN_FLAGS="-O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all -fsanitize=address,undefined"
# sanitized LOG: a sanitizer reported something in LOG.
sanitized() {
    grep -q "WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$1"
}

validate() { # FILE LABEL
    local line
    build/gotrace validate "$1" >/dev/null || fail "$2: gotrace validate rejects it"
    line=$(build/go/gotraceoracle validate "$1") || fail "$2: Go 1.27's validator: $(cut -f2- <<<"$line" | head -c 300)"
}

run() { # LABEL BUILDDIR CFLAGS
    local label=$1 bd=$2 flags=$3 t0=$SECONDS
    make -s B="$bd" CC=clang CFLAGS="$flags" "$bd/capture/cap_stress" >"$tmp/build.log" 2>&1 ||
        { cat "$tmp/build.log"; fail "$label: build"; return; }
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" ASAN_OPTIONS="detect_leaks=0" \
        "$bd/capture/cap_stress" -t 16 -n "$n" -l 4 -o "$tmp/$label.trace" >"$tmp/$label.log" 2>&1
    local r=$?
    cat "$tmp/$label.log" | grep -v '^$' | head -n 40
    [ $r -eq 0 ] || { fail "$label: cap_stress exited $r"; return; }
    sanitized "$tmp/$label.log" && fail "$label: sanitizer report"
    validate "$tmp/$label.trace" "$label"
    echo "$label: 16 x $n events, $((SECONDS - t0)) s (build, run, read back, Go's validator)"
    rm -f "$tmp/$label.trace"
}

run tsan build/tsan "$TSAN_FLAGS"
run asan-ubsan build/san "$ASAN_FLAGS"

# Stacks walked by libunwind (GT_CAP_UNWIND_LIBUNWIND) from many threads at
# once, under TSan: fewer events (each walk costs ~0.2 us natively).
if ldconfig -p 2>/dev/null | grep -q 'libunwind\.so\.8 '; then
    if TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/capture/cap_stress -t 8 -n 100000 -l 4 -s 16 -u \
        -o "$tmp/unwind.trace" >"$tmp/unwind.log" 2>&1; then
        sanitized "$tmp/unwind.log" && fail "libunwind: sanitizer report"
        validate "$tmp/unwind.trace" "libunwind"
        echo "tsan, libunwind stacks: 8 x 100000 events read back exactly once, accepted by Go 1.27's validator"
    else
        head -n 40 "$tmp/unwind.log"; fail "libunwind: cap_stress under TSan"
    fi
    rm -f "$tmp/unwind.trace"
elif [ "${CI:-}" = true ] || [ "${GT_REQUIRE_ALL:-0}" = 1 ]; then
    fail "libunwind8 is not installed (scripts/deps.sh)"
else
    echo "note: libunwind8 is not installed; its TSan run is skipped"
fi

# The go 1.23 form, for Go 1.23-1.25 tools.
make -s "$B/capture/cap_stress" >/dev/null 2>&1 || fail "build $B/capture/cap_stress"
if GOTRACE_NO_MEMBARRIER=1 "$B/capture/cap_stress" -t 8 -n 100000 -l 3 -v 23 -o "$tmp/v23.trace" >"$tmp/v23.log" 2>&1; then
    validate "$tmp/v23.trace" "go 1.23 form"
    build/go/gotracevalidate <"$tmp/v23.trace" >/dev/null 2>"$tmp/err" || fail "go 1.23 form: Go 1.23's gotracevalidate: $(head -c 300 "$tmp/err")"
    echo "go 1.23 form (fenced write section): 8 x 100000 events accepted by Go 1.23's and Go 1.27's validators"
else
    cat "$tmp/v23.log"; fail "go 1.23 form: cap_stress"
fi

# The unit scenarios under each sanitizer. Their fork scenario starts threads
# in the child of a multi-threaded process, which TSan refuses unless told
# (die_after_fork=0); a time limit guards against a hang there.
unit() { # LABEL BUILDDIR CFLAGS
    local d=$tmp/unit-$1
    make -s B="$2" CC=clang CFLAGS="$3" "$2/tests/test_capture_unit" >"$tmp/build.log" 2>&1 ||
        { cat "$tmp/build.log"; fail "$1: build test_capture_unit"; return; }
    mkdir -p "$d"
    TSAN_OPTIONS="halt_on_error=1 exitcode=66 die_after_fork=0" ASAN_OPTIONS="detect_leaks=1" \
        timeout 600 "$2/tests/test_capture_unit" "$d" >"$tmp/unit.log" 2>&1
    local r=$?
    if [ $r -ne 0 ] || sanitized "$tmp/unit.log"; then
        head -n 60 "$tmp/unit.log"; fail "$1: test_capture_unit exited $r"; return
    fi
    local f k=0
    for f in "$d"/*.trace; do
        build/gotrace validate "$f" >/dev/null || fail "$1: $(basename "$f"): gotrace validate"
        k=$((k + 1))
    done
    echo "$1: capture unit scenarios clean, $k traces valid"
}
unit tsan build/tsan "$TSAN_FLAGS"
unit asan-ubsan build/san "$ASAN_FLAGS"

[ $fails -eq 0 ] || exit 1
echo "capture stress: ok"
