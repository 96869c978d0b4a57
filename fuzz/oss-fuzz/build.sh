#!/bin/bash -eu
# Build every gotrace fuzz target the OSS-Fuzz / ClusterFuzzLite way:
# compile with $CC $CFLAGS, link with $CXX $CXXFLAGS $LIB_FUZZING_ENGINE, put
# binaries, dictionaries, .options files and <target>_seed_corpus.zip in $OUT.
#
# Runs from the repository root (OSS-Fuzz: the Dockerfile's WORKDIR; locally:
# anywhere, it finds the repository from $GOTRACE_ROOT, $PWD, $SRC/gotrace or
# its own location). Local check, as fuzz/README.md shows:
#   CC=clang CXX=clang++ CFLAGS="-O1 -g -fsanitize=address,undefined,fuzzer-no-link" \
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out SRC=/tmp bash fuzz/oss-fuzz/build.sh
for root in "${GOTRACE_ROOT:-}" "$PWD" "${SRC:-/src}/gotrace" "$(cd "$(dirname "$0")/../.." && pwd)"; do
    [ -n "$root" ] && [ -f "$root/fuzz/fuzz.mk" ] && break
done
[ -f "$root/fuzz/fuzz.mk" ] || { echo "build.sh: cannot find the gotrace repository" >&2; exit 1; }
cd "$root"
CXX=${CXX:-clang++}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
WORK=${WORK:-$(mktemp -d)}
obj=$WORK/gotrace-obj
rm -rf "$obj"
mkdir -p "$obj" "$OUT"

# xxhash is used header-only (XXH_INLINE_ALL), so it is instrumented like the
# rest (MSan) and nothing but libc is linked.
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -DXXH_INLINE_ALL -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Icodec -Ifuzz"
objs=()
for f in codec/*/*.c fuzz/fuzz_trace.c fuzz/fuzz_data_producer.c; do
    o=$obj/$(echo "$f" | tr / _).o
    $CC $CFLAGS $flags -c "$f" -o "$o"
    objs+=("$o")
done

targets="header_varint v2_decode legacy_decode decode_chunked decode_tiny_memory dump"
for t in order_parse legacy_semantic round_trip text_asm encoder_ops capture_ops; do [ -f fuzz/$t.c ] && targets="$targets $t"; done
build_target() { # name source extra-objects...
    local name=$1 src=$2
    shift 2
    $CC $CFLAGS $flags -c "$src" -o "$obj/$name.o"
    # -pthread: the capture layer (codec/capture, built without libbacktrace
    # here: symbols by dladdr) is among the objects.
    $CXX $CXXFLAGS "$obj/$name.o" "$@" "${objs[@]}" $LIB_FUZZING_ENGINE -pthread -ldl -o "$OUT/$name"
}
for t in $targets; do
    build_target "$t" "fuzz/$t.c"
    if [ -f "fuzz/$t.dict" ]; then cp "fuzz/$t.dict" "$OUT/$t.dict"; else cp fuzz/gotrace.dict "$OUT/$t.dict"; fi
    [ -f "fuzz/$t.options" ] && cp "fuzz/$t.options" "$OUT/$t.options"
    files=$(ls corpus/"$t"/* corpus/regressions/"$t"/* 2>/dev/null || true)
    if [ -n "$files" ]; then
        rm -f "$OUT/${t}_seed_corpus.zip"
        # shellcheck disable=SC2086
        zip -q -j "$OUT/${t}_seed_corpus.zip" $files
    fi
done

# The structure-aware mutator needs libFuzzer's LLVMFuzzerMutate.
if [ "${FUZZING_ENGINE:-libfuzzer}" = libfuzzer ]; then
    $CC $CFLAGS $flags -DGT_MUT_LIBFUZZER -c fuzz/v2_mutator.c -o "$obj/v2_mutator.o"
    build_target v2_decode_structured fuzz/v2_decode.c "$obj/v2_mutator.o"
    cp fuzz/gotrace.dict "$OUT/v2_decode_structured.dict"
    cp fuzz/v2_decode.options "$OUT/v2_decode_structured.options"
    [ -f "$OUT/v2_decode_seed_corpus.zip" ] && cp "$OUT/v2_decode_seed_corpus.zip" "$OUT/v2_decode_structured_seed_corpus.zip"
fi
echo "build.sh: $(ls "$OUT" | grep -vc '\.') targets in $OUT"
