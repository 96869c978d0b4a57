#!/usr/bin/env bash
# Converts Go's own v2 test traces to binary files and records Go's verdict on each.
#
#   tests/go/gotests.sh
#
# Sources (read in place from the Go 1.27 source tree; 22 tests, 17 corpus files):
#   internal/trace/testdata/tests/*.test     txtar: "-- expect --" then "-- trace --"
#                                            (Go's raw text form, turned into bytes
#                                            with Go 1.27's raw.TextReader/Writer)
#   internal/trace/testdata/fuzz/FuzzReader/*  Go fuzz corpus files (one []byte value,
#                                            decoded with build/go/fuzzconv)
# Outputs in build/go/gotests/:
#   NAME.trace        the binary trace (NAME = test name, or fuzz-CORPUSNAME)
#   NAME.txt          .test files only: the trace section (Go's raw text form)
#   NAME.go-expect    .test files only: the expectation line (SUCCESS or FAILURE "regexp")
#   NAME.go127-verdict  Go 1.27 (the reference): line 1 exit status of the Reader plus
#                     testtrace.Validator with GoVersion from the header, line 2 the
#                     error (empty when accepted)
#   NAME.go127reader-verdict  the same from the Reader alone (what go tool trace runs)
#   NAME.go123-verdict  Go 1.23's gotracevalidate, for the versions it reads (1.22, 1.23)
#   NAME.go122-verdict  Go 1.22's gotracevalidate, for files with a "go 1.22 trace" header
# A verdict whose Go process panicked has status 2 and the panic on line 2.
# Files whose outputs are newer than their inputs are skipped. Exits 77 (skip)
# when a Go toolchain is missing (see prepare.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rc=0
"$here/prepare.sh" >/dev/null || rc=$?
if [ $rc -ne 0 ]; then
    [ $rc -eq 77 ] && "$here/prepare.sh" | tail -n 1
    exit $rc
fi
go=$root/build/go
dst=$go/gotests
src=/usr/lib/go-1.27/src/internal/trace/testdata
mkdir -p "$dst"

fresh() { # OUT INPUT...
    local o=$1 i
    shift
    [ -e "$o" ] || return 1
    for i in "$@"; do [ "$o" -nt "$i" ] || return 1; done
}

verdict1() { # VALIDATOR NAME SUFFIX: write NAME.SUFFIX from VALIDATOR < NAME.trace
    local tool=$1 name=$2 suffix=$3 st=0
    timeout 60 "$tool" <"$dst/$name.trace" >/dev/null 2>"$dst/$name.err" || st=$?
    { echo "$st"; head -n 1 "$dst/$name.err"; } >"$dst/$name.$suffix.tmp"
    # An accepted file gets an explicit empty second line.
    [ "$st" -ne 0 ] || echo >>"$dst/$name.$suffix.tmp"
    mv -f "$dst/$name.$suffix.tmp" "$dst/$name.$suffix"
    rm -f "$dst/$name.err"
}

verdict127() { # NAME SUFFIX [-reader]
    local name=$1 suffix=$2 line st=0 kind msg
    line=$(timeout 60 "$go/gotraceoracle" validate ${3:-} "$dst/$name.trace") || st=$?
    kind=$(printf '%s' "$line" | cut -f2)
    msg=$(printf '%s' "$line" | cut -f3-)
    case $kind in
    ok) printf '0\n\n' ;;
    panic) printf '2\n%s\n' "$msg" ;;
    *) printf '1\n%s\n' "${msg:-exit status $st}" ;;
    esac >"$dst/$name.$suffix"
}

verdict() { # NAME
    local hdr
    hdr=$(head -c 16 "$dst/$1.trace" | tr -d '\0')
    verdict127 "$1" go127-verdict
    verdict127 "$1" go127reader-verdict -reader
    case $hdr in
    "go 1.22 trace" | "go 1.23 trace") verdict1 "$go/gotracevalidate" "$1" go123-verdict ;;
    *) rm -f "$dst/$1.go123-verdict" ;;
    esac
    # Go 1.22's opinion only for go 1.22 files, the one version both readers share.
    if [ -x "$go/gotracevalidate-go122" ] && [ "$hdr" = "go 1.22 trace" ]; then
        verdict1 "$go/gotracevalidate-go122" "$1" go122-verdict
    fi
}

# Inputs every output depends on.
deps=("$go/gotraceoracle" "$go/gotracevalidate" "$here/gotests.sh")
[ -x "$go/gotracevalidate-go122" ] && deps+=("$go/gotracevalidate-go122")

n=0
for t in "$src"/tests/*.test; do
    name=$(basename "$t" .test)
    n=$((n + 1))
    fresh "$dst/$name.go127-verdict" "$t" "${deps[@]}" && continue
    awk '/^-- expect --$/ { s = 1; next } /^-- / { s = 0 } s && NF { print; exit }' "$t" >"$dst/$name.go-expect"
    awk '/^-- trace --$/ { s = 1; next } /^-- / { s = 0 } s' "$t" >"$dst/$name.txt"
    if ! "$go/gotraceoracle" text2bytes <"$dst/$name.txt" >"$dst/$name.trace.tmp" 2>"$dst/$name.err"; then
        echo "gotests: $name: Go 1.27 text2bytes failed: $(head -n 1 "$dst/$name.err")" >&2
        exit 1
    fi
    mv -f "$dst/$name.trace.tmp" "$dst/$name.trace"
    verdict "$name"
done
for c in "$src"/fuzz/FuzzReader/*; do
    name=fuzz-$(basename "$c")
    n=$((n + 1))
    fresh "$dst/$name.go127-verdict" "$c" "$go/fuzzconv" "${deps[@]}" && continue
    "$go/fuzzconv" "$c" >"$dst/$name.trace.tmp"
    mv -f "$dst/$name.trace.tmp" "$dst/$name.trace"
    verdict "$name"
done
echo "gotests: $n Go test traces in ${dst#"$root"/}"
