#!/usr/bin/env bash
# Runs every test and prints one closing line "N passed, N failed".
#
#   tests/run.sh              all suites (unit, scripts, then the sanitizer pass)
#   tests/run.sh --unit-only  cmocka unit tests only
#   tests/run.sh --sanitized  suites marked sanitizer-relevant, with GT_BUILD=build/san
#
# Suites:
#   $GT_BUILD/tests/test_*   cmocka binaries (tests/unit/test_*.c)
#   tests/scripts/t_*.sh     shell tests; exit 0 = pass, 77 = skipped (a failure when
#                            CI=true or GT_REQUIRE_ALL=1), anything else = fail.
#                            A script whose first 5 lines contain "gt-sanitize" also
#                            runs in the sanitizer pass.
set -u
cd "$(dirname "$0")/.."
export GT_ROOT=$PWD
export GT_BUILD=${GT_BUILD:-build}
mode=${1:-all}
passed=0 failed=0 skipped=0
failures=()
strict=0
[ "${CI:-}" = true ] || [ "${GT_REQUIRE_ALL:-0}" = 1 ] && strict=1

run_one() { # name, command...
    local name=$1; shift
    local log="$GT_BUILD/logs/$name.log"
    mkdir -p "$(dirname "$log")"
    local t0=$SECONDS
    "$@" >"$log" 2>&1
    local rc=$?
    local dt=$((SECONDS - t0))
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); printf 'PASS  %-44s %4ss\n' "$name" "$dt"
    elif [ $rc -eq 77 ] && [ $strict -eq 0 ]; then
        skipped=$((skipped + 1)); printf 'SKIP  %-44s (%s)\n' "$name" "$(tail -n 1 "$log")"
    else
        failed=$((failed + 1)); failures+=("$name"); printf 'FAIL  %-44s %4ss (log: %s)\n' "$name" "$dt" "$log"
        tail -n 20 "$log" | sed 's/^/      | /'
    fi
}

run_units() {
    local t
    for t in "$GT_BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        run_one "$(basename "$t")$1" "$t"
    done
}

run_scripts() { # filter: all | sanitize
    local s
    for s in tests/scripts/t_*.sh; do
        [ -f "$s" ] || continue
        if [ "$1" = sanitize ] && ! head -n 5 "$s" | grep -q gt-sanitize; then continue; fi
        run_one "$(basename "$s" .sh)$2" bash "$s"
    done
}

case $mode in
--unit-only) run_units "" ;;
--sanitized) run_units " [san]"; run_scripts sanitize " [san]" ;;
all)
    run_units ""
    run_scripts all ""
    if [ "${GT_SKIP_SANITIZE:-0}" != 1 ]; then
        echo "== sanitizer pass (ASan+UBSan, build/san) =="
        if make -s B=build/san CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all -fsanitize=address,undefined" \
            build/san/gotrace $(for t in tests/unit/test_*.c; do echo build/san/tests/$(basename "$t" .c); done) \
                $(for t in tests/tools/*.c; do [ -f "$t" ] && echo build/san/tools/$(basename "$t" .c); done) >build/logs/san-build.log 2>&1; then
            GT_BUILD=build/san
            run_units " [san]"
            run_scripts sanitize " [san]"
            GT_BUILD=build
        else
            failed=$((failed + 1)); failures+=("sanitizer build"); echo "FAIL  sanitizer build (log: build/logs/san-build.log)"
            tail -n 20 build/logs/san-build.log
        fi
    fi
    ;;
esac

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
if [ $skipped -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ $failed -eq 0 ]
