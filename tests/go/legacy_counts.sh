#!/usr/bin/env bash
# Legacy-format count oracle: per-type raw event counts of legacy (go 1.5 - 1.21)
# trace files, as seen by Go's own legacy parser.
#
#   tests/go/legacy_counts.sh FILE...
#
# Output, tab-separated, one block per FILE in argument order:
#   FILE  #version  1019        header version (major*1000 + minor)
#   FILE  Name      count       one line per event type present (Go's names)
#   FILE  #parse    ok|message  verdict of Go's full legacy parser
#   FILE  ERROR     message     Go's wire-level reader rejected the file
#
# Method: tests/go/oracle/legacy_oracle_test.go is compiled *into* the
# internal/trace package of the installed Go source tree with `go test -overlay`
# (nothing is copied) and calls the unexported readTrace. Files with a
# "go 1.21 trace" header go to Go 1.21's tree (its parser adds version 1021),
# all others to Go 1.19's; LEGACY_ORACLE=1.19 or 1.21 sends every file to that
# tree (Go 1.21's parser reads every legacy version). Go 1.21 names the STW events STWStart/STWDone where
# Go 1.19 says GCSTWStart/GCSTWDone; the names are printed as that toolchain
# spells them. See tests/README.md, "Oracles".
set -eu
if [ $# -eq 0 ]; then
    echo "usage: tests/go/legacy_counts.sh FILE..." >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rc=0
"$here/prepare.sh" >/dev/null || rc=$?
if [ $rc -ne 0 ]; then
    [ $rc -eq 77 ] && "$here/prepare.sh" | tail -n 1
    exit $rc
fi
out=$root/build/go
export GOCACHE=$out/cache GOPATH=$out/gopath GOTOOLCHAIN=local GOFLAGS='' GOENV=off \
    GO111MODULE='' CGO_ENABLED=0 GOWORK=off
unset GOROOT GOOS GOARCH GOEXPERIMENT GODEBUG

abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

# Route each file by its header (or all of them to the tree LEGACY_ORACLE=1.19
# or 1.21 names); remember the order for the final output.
files119=() files121=() order=()
for f in "$@"; do
    a=$(abs "$f")
    case $a in *:* | *$'\n'*) echo "legacy_counts: unsupported file name: $f" >&2; exit 2 ;; esac
    order+=("$a")
    if [ "${LEGACY_ORACLE:-}" = 1.19 ]; then
        files119+=("$a")
    elif [ "${LEGACY_ORACLE:-}" = 1.21 ] || [ "$(head -c 16 "$a" 2>/dev/null | tr -d '\0')" = "go 1.21 trace" ]; then
        files121+=("$a")
    else
        files119+=("$a")
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_oracle() { # VERSION FILE...
    local v=$1
    shift
    [ $# -gt 0 ] || return 0
    local list
    list=$(printf '%s\n' "$@")
    if ! (cd "/usr/lib/go-$v/src" &&
        GT_ORACLE_FILES=$list GT_ORACLE_OUT=$tmp/out-$v \
            "/usr/lib/go-$v/bin/go" test -vet=off -tags gotrace_oracle -overlay "$out/overlay.json" \
            -run '^TestGotraceOracle$' -count=1 internal/trace >"$tmp/log-$v" 2>&1); then
        echo "legacy_counts: the Go $v oracle failed:" >&2
        cat "$tmp/log-$v" >&2
        exit 1
    fi
}
run_oracle 1.19 ${files119[@]+"${files119[@]}"}
run_oracle 1.21 ${files121[@]+"${files121[@]}"}

cat "$tmp"/out-* >"$tmp/all"
# Print in argument order, relative names as given.
i=0
for f in "$@"; do
    a=${order[$i]}
    i=$((i + 1))
    awk -F '\t' -v a="$a" -v f="$f" 'BEGIN { OFS = "\t" } $1 == a { $1 = f; print }' "$tmp/all"
done
