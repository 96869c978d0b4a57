#!/usr/bin/env bash
# Regenerates the bundled example traces in examples/traces/ with the
# project's own Go program (tests/go/tracegen, built with -trimpath, so the
# traces carry no path of this machine) run by real Go runtimes.
set -eu
cd "$(dirname "$0")/.."
bash tests/go/prepare.sh >/dev/null
cp build/go/traces/go123.trace examples/traces/go123-small.trace
cp build/go/traces/go122.trace examples/traces/go122-small.trace
cp build/go/traces/go119.trace examples/traces/go119-small.trace
cp build/go/traces/go127.trace examples/traces/go127-small.trace
ls -l examples/traces
