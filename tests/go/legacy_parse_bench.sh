#!/usr/bin/env bash
# Runs Go 1.19's own legacy trace parser (internal/trace.parse, used in place
# through `go test -overlay`) on FILE, for bench/run.sh. The test binary is
# compiled once into build/go/ so the measurement excludes the build.
set -eu
cd "$(dirname "$0")/../.."
out=$PWD/build/go
bin=$out/legacy-oracle-1.19.test
file=$(realpath "$1")
if [ ! -x "$bin" ] || [ tests/go/oracle/legacy_oracle_test.go -nt "$bin" ]; then
    (cd /usr/lib/go-1.19/src && GOCACHE=$out/cache GOTOOLCHAIN=local GOFLAGS= \
        /usr/lib/go-1.19/bin/go test -c -vet=off -tags gotrace_oracle -overlay "$out/overlay.json" \
        -o "$bin" internal/trace) >/dev/null
fi
GT_BENCH_FILE=$file "$bin" -test.run '^TestGotraceParseBench$' -test.count=1 >/dev/null
