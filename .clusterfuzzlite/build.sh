#!/bin/bash -eu
# ClusterFuzzLite entry point: the OSS-Fuzz build script, unchanged.
cd "${SRC:-/src}/gotrace" 2>/dev/null || cd "$(dirname "$0")/.."
exec bash fuzz/oss-fuzz/build.sh
