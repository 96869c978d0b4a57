#!/usr/bin/env bash
# Regenerate the hand-made seeds in corpus/<target>/seed-* (`make fuzz-seeds`).
# Sources, all written by this project's own programs (Go's test data is never
# copied; fuzz.sh reads it in place at fuzz time):
#   - build/go/traces/*.trace (tests/go/prepare.sh: the tracegen workload under
#     Go 1.19-1.27, built with -trimpath), shrunk by $FZ/seedgen to a few KB;
#   - build/tools/encode_sample: the encoder's valid schedules and structural
#     noise for every version (the only source for go 1.5-1.11);
#   - `gotrace dump --lossless` of those, for the text assembler.
# Everything else in corpus/<target>/ comes from campaigns (`make fuzz-merge`).
set -euo pipefail
cd "$(dirname "$0")/.."
FZ=${FZ:-build/fuzz}
seedgen=$FZ/seedgen enc=build/tools/encode_sample gotrace=build/gotrace
for t in "$seedgen" "$enc" "$gotrace"; do [ -x "$t" ] || { echo "seeds.sh: $t is not built" >&2; exit 2; }; done
tmp=$FZ/seedsrc
rm -rf "$tmp"
mkdir -p "$tmp/v2" "$tmp/legacy"

# Shrunk real traces.
shrink() { # name family args...
    local src=build/go/traces/$1.trace name=$2 fam=$3
    shift 3
    [ -f "$src" ] || { echo "seeds.sh: $src missing (tests/go/prepare.sh); skipped" >&2; return 0; }
    "$seedgen" "$@" "$src" "$tmp/$fam/$name" >/dev/null
}
shrink go122 go122 v2
shrink go123 go123 v2
shrink go123-allocfree go123-allocfree v2 -g 1 -b 2 -e 4
shrink go123 go123-tiny v2 -g 1 -b 2 -e 3
shrink go125 go125 v2
shrink go127 go127 v2
shrink go127-allocfree go127-allocfree v2 -g 1 -b 2 -e 4
shrink go119 go119 legacy
shrink go121 go121 legacy
shrink go119 go119-tiny legacy -b 2 -e 3

# Encoder output for every version: a valid schedule and structural noise.
for v in 5 7 8 9 10 11 19 21 22 23 25 26; do
    fam=legacy
    [ $v -ge 22 ] && fam=v2
    [ $v -ge 7 ] && "$enc" -v $v -seed 1 -steps 24 -o "$tmp/$fam/enc-go1$v-valid" >/dev/null
    "$enc" -v $v -seed 2 -random -o "$tmp/$fam/enc-go1$v-noise" >/dev/null
done

put() { # target files...
    local t=$1
    shift
    mkdir -p corpus/"$t"
    rm -f corpus/"$t"/seed-*
    local f
    for f in "$@"; do [ -f "$f" ] && cp "$f" corpus/"$t"/seed-"$(basename "$f")"; done
}
put v2_decode "$tmp"/v2/*
put legacy_decode "$tmp"/legacy/*
small=("$tmp"/v2/go123-tiny "$tmp"/v2/go123-allocfree "$tmp"/v2/enc-go126-valid "$tmp"/v2/enc-go125-noise
       "$tmp"/legacy/go119-tiny "$tmp"/legacy/enc-go15-noise "$tmp"/legacy/enc-go111-valid "$tmp"/legacy/enc-go121-noise)
# Targets that draw parameters from the end of the input also get each seed
# followed by exactly the bytes they draw, so the trace itself stays whole:
#   decode_chunked      fail_at (3) | bits (1: style 3, eager, end alone) | schedule seed (8)
#   dump                schedule seed (8) | validate (1)
#   decode_tiny_memory  step (2) | bits (2: callback mode, 1-byte allocation failure at call 5)
with_tail() { # target tail-printf-format files...
    local t=$1 tail=$2 f
    shift 2
    mkdir -p "$tmp/tail-$t"
    for f in "$@"; do
        [ -f "$f" ] || continue
        { cat "$f"; printf "$tail"; } > "$tmp/tail-$t/$(basename "$f")+params"
    done
}
with_tail decode_chunked '\x00\x04\x00\x1b\x11\x22\x33\x44\x55\x66\x77\x88' "${small[@]}"
with_tail dump '\x11\x22\x33\x44\x55\x66\x77\x88\x01' "${small[@]}"
with_tail decode_tiny_memory '\x05\x01\x00\x40\x00\x09' "${small[@]}"
put decode_chunked "${small[@]}" "$tmp"/tail-decode_chunked/*
put decode_tiny_memory "${small[@]}" "$tmp"/tail-decode_tiny_memory/*
put dump "${small[@]}" "$tmp"/tail-dump/*
[ -f fuzz/round_trip.c ] && put round_trip "$tmp"/v2/* "$tmp"/legacy/*

# Headers (and what follows them) for the primitives.
mkdir -p "$tmp/hdr"
for v in 5 11 21 22 26; do head -c 40 "$tmp"/*/enc-go1$v-noise > "$tmp/hdr/go1$v" 2>/dev/null || true; done
printf '\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02' > "$tmp/hdr/varints"
put header_varint "$tmp"/hdr/*

# Text for the assembler: lossless dumps.
if [ -f fuzz/text_asm.c ]; then
    mkdir -p "$tmp/text"
    for f in "${small[@]}" "$tmp"/v2/go122; do
        [ -f "$f" ] && "$gotrace" dump --lossless "$f" > "$tmp/text/$(basename "$f").txt" 2>/dev/null || true
    done
    put text_asm "$tmp"/text/*
fi
for d in corpus/*/; do
    case $d in corpus/regressions/) continue ;; esac
    printf '%-28s %4s files %6s KB\n' "$d" "$(find "$d" -type f | wc -l)" "$(du -sk "$d" | cut -f1)"
done
