#!/usr/bin/env bash
# Builds the Go-side test fixtures into build/go/ (idempotent: a step is skipped
# when its output is newer than all of its inputs).
#
#   tests/go/prepare.sh          oracle tools and the small generated traces
#   tests/go/prepare.sh --big    also big-go123.trace and big-go119.trace (>= 50 MB)
#
# Outputs:
#   build/go/gotraceoracle                 Go 1.27's readers (tests/go/oracle127: validate with
#                                          Reader + testtrace.Validator, GoVersion from the
#                                          header; parsed; bytes2text; text2bytes), built
#                                          inside /usr/lib/go-1.27/src through -overlay
#   build/go/gotraceoracle-1.25            the same command built in Go 1.25's tree
#   build/go/gotool-trace                  Go 1.27's `go tool trace` (cmd/trace)
#   build/go/gotraceraw, gotracevalidate   Go 1.23's trace test commands, built in
#                                          place from /usr/lib/go-1.23/src/internal/trace
#   build/go/gotracevalidate-go122         the same validator from Go 1.22 (if present)
#   build/go/fuzzconv                      Go fuzz corpus file -> raw bytes
#   build/go/bin/tracegen-1.NN             tests/go/tracegen built by each toolchain (-trimpath)
#   build/go/traces/go1NN.trace            tracegen output per toolchain (1.19, 1.21-1.27)
#   build/go/traces/go1NN-gens.trace       1.22-1.27 with GODEBUG=traceadvanceperiod=100ms
#                                          (>= 10 generations in a 1.3 s run)
#   build/go/traces/go1NN-allocfree.trace  1.23-1.27 with GODEBUG=traceallocfree=1 and the same
#                                          short period (ExperimentalBatch items)
#   build/go/traces/tiny-go1NN.trace       tests/go/tinytrace output (a few KB) per toolchain
#   build/go/overlay.json                  go test -overlay map used by legacy_counts.sh
#
# Every Go program that writes a trace is built with -trimpath, so no trace
# carries a path of this machine (only module and standard-library paths).
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
VERSIONS="1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27"
for v in $VERSIONS; do
    if [ ! -x "$(goroot $v)/bin/go" ]; then
        echo "skip: Go $v toolchain not installed ($(goroot $v)/bin/go missing)"
        exit 77
    fi
done
cmdsrc=$(goroot 1.23)/src/internal/trace/testdata/cmd
for d in "$cmdsrc/gotraceraw" "$cmdsrc/gotracevalidate" "$(goroot 1.19)/src/internal/trace" \
    "$(goroot 1.21)/src/internal/trace" "$(goroot 1.27)/src/internal/trace/testtrace" "$(goroot 1.27)/src/cmd/trace"; do
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
    (cd "$root/tests/go" && "$go" build -trimpath -o "$dst.tmp" "./$pkg")
    mv -f "$dst.tmp" "$dst"
}

# go_accepts NAME HEADER FILE: Go's own reader must accept what Go's runtime
# wrote: Go 1.27's Reader and test validator (GoVersion from the header). For
# legacy headers Go 1.27 goes through its v1 converter, whose thread
# attribution makes the validator reject some valid traces (semantics.md 3.2),
# so there the Reader alone decides and a validator rejection is only reported.
go_accepts() {
    local name=$1 header=$2 f=$3 verdict
    case $header in
    "go 1.19 trace" | "go 1.21 trace")
        verdict=$("$out/gotraceoracle" validate -reader "$f") || {
            echo "prepare: $name: rejected by Go 1.27's reader: $verdict" >&2; return 1; }
        "$out/gotraceoracle" validate "$f" >/dev/null ||
            echo "prepare: $name: note: Go 1.27's validator rejects the converted legacy trace" >&2 ;;
    *)
        verdict=$("$out/gotraceoracle" validate "$f") || {
            echo "prepare: $name: rejected by Go 1.27's validator: $verdict" >&2; return 1; } ;;
    esac
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
    local attempt
    for attempt in 1 2 3; do
        env ${env[@]+"${env[@]}"} "$bin" -o "$dst.tmp" ${args[@]+"${args[@]}"}
        if ! cmp -s <(head -c 16 "$dst.tmp") <(printf '%s\0\0\0' "$header"); then
            echo "prepare: $name: unexpected header: $(head -c 16 "$dst.tmp" | od -An -c | tr -s ' ')" >&2
            exit 1
        fi
        go_accepts "$name" "$header" "$dst.tmp" && break
        # The runtime's tracer has rare races of its own (golang/go#64318 is
        # one family): a run can write a trace Go's reader rejects. Keep the
        # file for t_go_rejected (gotrace must reject it too) and run again.
        mkdir -p "$out/rejected"
        mv -f "$dst.tmp" "$out/rejected/${name%.trace}.$attempt.trace"
        echo "prepare: $name: kept as rejected/${name%.trace}.$attempt.trace; running again" >&2
        [ $attempt = 3 ] && { echo "prepare: $name: rejected 3 times in a row" >&2; exit 1; }
    done
    mv -f "$dst.tmp" "$dst"
}

# oracle127: tests/go/oracle127/main.go appears as a package inside Go 1.27's
# internal/trace through -overlay (it imports internal packages); nothing is
# written into the Go tree.
# The same source also builds in Go 1.25's tree (ORACLE VERSION DST): Go 1.25's
# raw reader is the only Go reader that reads go 1.25 files with AllocFree
# events (Go 1.26+ stopped the go 1.25 table at ClockSnapshot).
oracle() {
    local v=$1 dst=$2 go ov src
    go=$(goroot "$v")/bin/go
    src=$root/tests/go/oracle127/main.go
    fresh "$dst" "$go" "$src" "$self" && return 0
    say "building $(basename "$dst") (Go $v)"
    ov=$out/overlay-oracle-$v.json
    printf '{"Replace": {"%s": "%s"}}\n' "$(goroot "$v")/src/internal/trace/gotraceoracle/main.go" "$src" >"$ov"
    (cd "$(goroot "$v")/src" && "$go" build -tags gotrace_oracle -trimpath -overlay "$ov" -o "$dst.tmp" \
        ./internal/trace/gotraceoracle)
    mv -f "$dst.tmp" "$dst"
}

# gotool_trace: Go 1.27's `go tool trace`, built once (Debian does not ship it prebuilt).
gotool_trace() {
    local go dst
    go=$(goroot 1.27)/bin/go
    dst=$out/gotool-trace
    fresh "$dst" "$go" "$self" && return 0
    say "building go tool trace (Go 1.27)"
    (cd "$(goroot 1.27)/src" && "$go" build -trimpath -o "$dst.tmp" cmd/trace)
    mv -f "$dst.tmp" "$dst"
}

oracle 1.27 "$out/gotraceoracle"
oracle 1.25 "$out/gotraceoracle-1.25"
gotool_trace
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
for v in $VERSIONS; do
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

# The header each release writes (Go 1.24 kept 1.23's, Go 1.27 kept 1.26's).
header_of() {
    case $1 in
    1.24) echo "go 1.23 trace" ;;
    1.27) echo "go 1.26 trace" ;;
    *) echo "go $1 trace" ;;
    esac
}
# 100 ms generations: a 1.3 s run has >= 10 of them.
short=traceadvanceperiod=100000000

# Each tracegen run takes about 1.3 s of mostly idle wall time: run them side by
# side, a few at a time.
pids=()
run() {
    "$@" &
    pids+=($!)
    if [ ${#pids[@]} -ge 6 ]; then wait "${pids[0]}" || rc=1; pids=("${pids[@]:1}"); fi
}
rc=0
for v in $VERSIONS; do
    n=${v#1.}
    h=$(header_of "$v")
    run gen "$v" "go1$n.trace" "$h"
    prog=tinytrace run gen "$v" "tiny-go1$n.trace" "$h"
    [ "$n" -ge 22 ] && run gen "$v" "go1$n-gens.trace" "$h" GODEBUG=$short
    [ "$n" -ge 23 ] && run gen "$v" "go1$n-allocfree.trace" "$h" GODEBUG=traceallocfree=1,$short
done
if [ $big = 1 ]; then
    run gen 1.23 big-go123.trace "go 1.23 trace" -- -mb 50
    run gen 1.19 big-go119.trace "go 1.19 trace" -- -mb 50
    run gen 1.27 big-go127.trace "go 1.26 trace" -- -mb 80
fi
for p in "${pids[@]}"; do
    wait "$p" || rc=1
done
[ $rc = 0 ] || { echo "prepare: trace generation failed"; exit 1; }
say "ok ($(cd "$out/traces" && echo *.trace))"
