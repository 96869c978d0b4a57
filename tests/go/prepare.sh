#!/usr/bin/env bash
# Builds the Go-side test fixtures into build/go/ (idempotent: a step is skipped
# when its output is newer than all of its inputs).
#
#   tests/go/prepare.sh          oracle tools and the small generated traces
#   tests/go/prepare.sh --big    also big-go123.trace and big-go119.trace (>= 50 MB)
#
# Outputs:
#   build/go/gotraceraw, gotracevalidate   Go 1.23's trace test commands, built in
#                                          place from /usr/lib/go-1.23/src/internal/trace
#   build/go/gotracevalidate-go122         the same validator from Go 1.22 (if present)
#   build/go/fuzzconv                      Go fuzz corpus file -> raw bytes
#   build/go/bin/tracegen-1.NN             tests/go/tracegen built by each toolchain
#   build/go/traces/go1NN.trace            tracegen output per toolchain, plus
#   build/go/traces/tiny-go1NN.trace       tests/go/tinytrace output (a few KB) per toolchain,
#                                          go123-allocfree.trace (GODEBUG=traceallocfree=1)
#   build/go/overlay.json                  go test -overlay map used by legacy_counts.sh
#
# Exits 77 (skip) with a one-line reason when a required Go toolchain is missing.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/build/go
big=0
case ${1:-} in
--big) big=1 ;;
"") ;;
*) echo "usage: tests/go/prepare.sh [--big]" >&2; exit 2 ;;
esac

goroot() { echo "/usr/lib/go-$1"; }
for v in 1.19 1.21 1.22 1.23; do
    if [ ! -x "$(goroot $v)/bin/go" ]; then
        echo "skip: Go $v toolchain not installed ($(goroot $v)/bin/go missing)"
        exit 77
    fi
done
cmdsrc=$(goroot 1.23)/src/internal/trace/testdata/cmd
for d in "$cmdsrc/gotraceraw" "$cmdsrc/gotracevalidate" "$(goroot 1.19)/src/internal/trace" \
    "$(goroot 1.21)/src/internal/trace"; do
    if [ ! -d "$d" ]; then
        echo "skip: Go source tree missing ($d)"
        exit 77
    fi
done

mkdir -p "$out/bin" "$out/traces" "$out/cache" "$out/gopath"
# One writer at a time: concurrent runs wait here instead of racing.
exec 9>"$out/.lock"
flock 9

# A private, writable environment so the builds work as any user and in CI.
export GOCACHE=$out/cache GOPATH=$out/gopath GOTOOLCHAIN=local GOFLAGS='' GOENV=off \
    GO111MODULE='' CGO_ENABLED=0 GOWORK=off
unset GOROOT GOOS GOARCH GOEXPERIMENT GODEBUG

self=$root/tests/go/prepare.sh

# fresh OUT INPUT...: true when OUT exists and is newer than every input.
fresh() {
    local o=$1 i
    shift
    [ -e "$o" ] || return 1
    for i in "$@"; do
        [ "$o" -nt "$i" ] || return 1
    done
}

say() { echo "prepare: $*"; }

# std_cmd NAME: build Go 1.23's testdata/cmd/NAME from inside its source tree.
std_cmd() {
    local name=$1 go dst
    go=$(goroot 1.23)/bin/go
    dst=$out/$name
    fresh "$dst" "$go" "$cmdsrc/$name/main.go" "$self" && return 0
    say "building $name (Go 1.23)"
    (cd "$cmdsrc/$name" && "$go" build -o "$dst.tmp" .)
    mv -f "$dst.tmp" "$dst"
}

# our_cmd VERSION PKG DST: build ./PKG of tests/go with Go VERSION.
our_cmd() {
    local v=$1 pkg=$2 dst=$3 go
    go=$(goroot "$v")/bin/go
    fresh "$dst" "$go" "$root/tests/go/$pkg/main.go" "$root/tests/go/go.mod" "$self" && return 0
    say "building $pkg (Go $v)"
    (cd "$root/tests/go" && "$go" build -o "$dst.tmp" "./$pkg")
    mv -f "$dst.tmp" "$dst"
}

# gen VERSION NAME HEADER [ENV...] [-- ARGS...]: run tracegen-VERSION (or, with
# prog=NAME, another of our programs) into traces/NAME.
gen() {
    local v=$1 name=$2 header=$3 dst env=() args=() bin
    shift 3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    args=("$@")
    dst=$out/traces/$name
    bin=$out/bin/${prog:-tracegen}-$v
    fresh "$dst" "$bin" "$self" && return 0
    say "generating $name (Go $v${env:+ ${env[*]}}${args:+ ${args[*]}})"
    env ${env[@]+"${env[@]}"} "$bin" -o "$dst.tmp" ${args[@]+"${args[@]}"}
    if ! cmp -s <(head -c 16 "$dst.tmp") <(printf '%s\0\0\0' "$header"); then
        echo "prepare: $name: unexpected header: $(head -c 16 "$dst.tmp" | od -An -c | tr -s ' ')" >&2
        exit 1
    fi
    # Go's own reader must accept what Go's runtime wrote. For legacy headers Go
    # 1.23 goes through its converter (oldtrace), whose ordering checks reject
    # some large, valid Go 1.19 traces ("tried to run proc 1 when one was
    # already executing"), so there a rejection is only reported.
    if ! "$out/gotracevalidate" <"$dst.tmp" 2>"$dst.err"; then
        case $header in
        "go 1.19 trace" | "go 1.21 trace")
            echo "prepare: $name: note: Go 1.23's legacy converter rejects it: $(head -n 1 "$dst.err")" >&2 ;;
        *)
            echo "prepare: $name: rejected by gotracevalidate: $(head -n 1 "$dst.err")" >&2
            exit 1 ;;
        esac
    fi
    rm -f "$dst.err"
    mv -f "$dst.tmp" "$dst"
}

std_cmd gotraceraw
std_cmd gotracevalidate
# Go 1.22's validator (its reader lived in internal/trace/v2) as a second opinion
# on go 1.22 files; optional, the tests use it only when it exists.
v122=$(goroot 1.22)/src/internal/trace/v2/testdata/cmd/gotracevalidate
if [ -f "$v122/main.go" ] && ! fresh "$out/gotracevalidate-go122" "$(goroot 1.22)/bin/go" "$v122/main.go" "$self"; then
    say "building gotracevalidate-go122 (Go 1.22)"
    (cd "$v122" && "$(goroot 1.22)/bin/go" build -o "$out/gotracevalidate-go122.tmp" .)
    mv -f "$out/gotracevalidate-go122.tmp" "$out/gotracevalidate-go122"
fi
our_cmd 1.23 fuzzconv "$out/fuzzconv"
for v in 1.19 1.21 1.22 1.23; do
    our_cmd "$v" tracegen "$out/bin/tracegen-$v"
    our_cmd "$v" tinytrace "$out/bin/tinytrace-$v"
done

# The overlay makes tests/go/oracle/legacy_oracle_test.go appear inside the
# internal/trace package of the Go 1.19 and Go 1.21 source trees.
# (Rewritten only when its content changes, e.g. after the repository moved.)
overlay=$out/overlay.json
oracle=$root/tests/go/oracle/legacy_oracle_test.go
printf '{"Replace": {\n  "%s": "%s",\n  "%s": "%s"\n}}\n' \
    "$(goroot 1.19)/src/internal/trace/gotrace_oracle_test.go" "$oracle" \
    "$(goroot 1.21)/src/internal/trace/gotrace_oracle_test.go" "$oracle" >"$overlay.tmp"
if cmp -s "$overlay.tmp" "$overlay"; then rm -f "$overlay.tmp"; else mv -f "$overlay.tmp" "$overlay"; fi

# Each tracegen run takes about 1.2 s of mostly idle wall time: run them side by side.
pids=()
gen 1.19 go119.trace "go 1.19 trace" & pids+=($!)
gen 1.21 go121.trace "go 1.21 trace" & pids+=($!)
gen 1.22 go122.trace "go 1.22 trace" & pids+=($!)
gen 1.23 go123.trace "go 1.23 trace" & pids+=($!)
gen 1.23 go123-allocfree.trace "go 1.23 trace" GODEBUG=traceallocfree=1 & pids+=($!)
for v in 19 21 22 23; do
    prog=tinytrace gen "1.$v" "tiny-go1$v.trace" "go 1.$v trace" & pids+=($!)
done
if [ $big = 1 ]; then
    gen 1.23 big-go123.trace "go 1.23 trace" -- -mb 50 & pids+=($!)
    gen 1.19 big-go119.trace "go 1.19 trace" -- -mb 50 & pids+=($!)
fi
rc=0
for p in "${pids[@]}"; do
    wait "$p" || rc=1
done
[ $rc = 0 ] || { echo "prepare: trace generation failed"; exit 1; }
say "ok ($(cd "$out/traces" && echo *.trace))"
