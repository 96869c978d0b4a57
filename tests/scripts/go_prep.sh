# Sourced by the shell tests that need Go's toolchains or test data:
#   go_prep prepare.sh [ARGS]   runs tests/go/prepare.sh (or gotests.sh, ...)
# and passes its verdict on: exit 77 (skipped; its last line says why) when it
# skipped, exit 1 with its output when it failed, nothing when it succeeded.
go_prep() {
    local rc=0 out
    out=$("tests/go/$1" "${@:2}" 2>&1) || rc=$?
    if [ $rc -eq 77 ]; then echo "$out" | tail -n 1; exit 77; fi
    if [ $rc -ne 0 ]; then echo "$out"; echo "FAIL: tests/go/$1 exited $rc"; exit 1; fi
}
