#!/usr/bin/env bash
# The capture layer's recording cost beside Go's own runtime tracer, same run,
# same machine, same kinds of event (called by bench/run.sh; figures are
# printed, never asserted):
#   build/capture/capture_bench   bench/capture_bench.c: gt_cap_log and
#       gt_cap_region_begin/end from 1 and 2 threads, no stack / 16 frames
#   build/capture/capturebench    bench/go/capturebench (Go 1.27, -trimpath):
#       trace.Log and trace.WithRegion from 1 and 2 goroutines, tracing on vs
#       off (Go always records a stack with these events)
#   GT_CAPTURE_BENCH_N=ops per thread (default 2000000), GT_BENCH_RUNS (3)
set -eu
cd "$(dirname "$0")/.."
B=${GT_BUILD:-build}
n=${GT_CAPTURE_BENCH_N:-2000000}
runs=${GT_BENCH_RUNS:-3}
make -s "$B/capture/capture_bench" >/dev/null
go=/usr/lib/go-1.27/bin/go
echo "== live capture: ns per recorded event (C capture layer vs Go 1.27's runtime tracer) =="
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); C clock: $(grep -q ' constant_tsc' /proc/cpuinfo && grep -q ' nonstop_tsc' /proc/cpuinfo && echo 'invariant TSC' || echo CLOCK_MONOTONIC)"
"$B/capture/capture_bench" -n "$n" -r "$runs"
echo "-- the same with the fenced write section (GOTRACE_NO_MEMBARRIER=1: a seq_cst store per event, as Go's atomic add) --"
GOTRACE_NO_MEMBARRIER=1 "$B/capture/capture_bench" -n "$n" -r "$runs" | grep -v 'not recording'
if [ -x "$go" ]; then
    (cd bench/go/capturebench && GOCACHE=$PWD/../../../$B/go/cache GOTOOLCHAIN=local GOFLAGS='' GOENV=off GO111MODULE=off \
        CGO_ENABLED=0 "$go" build -trimpath -o "../../../$B/capture/capturebench" .)
    "$B/capture/capturebench" -n "$n" -r "$runs"
else
    echo "(Go 1.27 not installed: no Go figures)"
fi
