#!/usr/bin/env bash
# Drives the fuzz builds (make targets in fuzz/fuzz.mk call this; it can also
# be run directly from the repository root). See fuzz/README.md.
#
#   fuzz.sh replay                       every corpus/regression file through every target (replay build)
#   fuzz.sh smoke                        every target 60 s under libFuzzer, 2 at a time; any finding fails
#   fuzz.sh libfuzzer TARGET JOBS SECS   a libFuzzer campaign (MUT=1: the custom-mutator build)
#   fuzz.sh afl TARGET JOBS SECS         an AFL++ campaign: -M main + JOBS-1 -S (CMPLOG, ASan, ...); SECS 0 = until ^C
#   fuzz.sh coverage [DIR...]            llvm-cov line/branch table of codec/ from corpus/ (+ DIRs)
#   fuzz.sh cov-one TARGET DIR...        codec/ line/branch totals from DIRs through TARGET alone
#   fuzz.sh merge TARGET DIR...          minimise DIRs into corpus/TARGET (libFuzzer -merge=1)
#   fuzz.sh regress TARGET CRASH NAME    minimise a crash into corpus/regressions/TARGET/NAME
#   fuzz.sh seeds TARGET                 stage corpus + external seeds in $FZ/seeds/TARGET, print the dir
#
# Environment: FZ (build dir, default build/fuzz), FUZZ_TARGETS, FUZZ_MUT_TARGETS,
# SEEDS (extra seed files/dirs), SMOKE_SECONDS (60), SMOKE_JOBS (2), NICE (nice level, 10),
# MUT (custom mutator), AFL_MAIN / AFL_SEC (AFL++ instance names: main-$HOST / $HOST-sec on
# each machine of a multi-machine campaign).
set -euo pipefail
cd "$(dirname "$0")/.."
FZ=${FZ:-build/fuzz}
FUZZ_TARGETS=${FUZZ_TARGETS:-"header_varint v2_decode legacy_decode decode_chunked decode_tiny_memory dump"}
NICE=${NICE:-10}
# The dictionary of a target: fuzz/<target>.dict if there is one, else the shared one.
dict_of() { if [ -f "fuzz/$1.dict" ]; then echo "fuzz/$1.dict"; else echo fuzz/gotrace.dict; fi; }

die() { echo "fuzz.sh: $*" >&2; exit 2; }

# libFuzzer flags from fuzz/<target>.options ([libfuzzer] key = value lines).
options() {
    local f=fuzz/$1.options
    [ -f "$f" ] || return 0
    awk '/^\[/{sec=$0; next} sec=="[libfuzzer]" && /=/{gsub(/[ \t]/,""); split($0,a,"="); printf "-%s=%s ", a[1], a[2]}' "$f"
}

# Which external seeds suit a target: Go's traces read in place, never copied into the repo.
external_seeds() {
    local t=$1 fam=both
    case $t in
    v2_decode|round_trip|order_parse) fam=v2 ;;
    legacy_decode|legacy_semantic) fam=legacy ;;
    text_asm) ls build/go/gotests/*.txt 2>/dev/null || true; return 0 ;; # Go's raw text form of its tests
    encoder_ops) return 0 ;;
    esac
    if [ "$fam" = v2 ] || [ "$fam" = both ]; then
        ls build/go/gotests/*.trace 2>/dev/null || true
        ls build/go/traces/go12[2-9]*.trace 2>/dev/null || true
    fi
    if [ "$fam" = legacy ] || [ "$fam" = both ]; then
        local d
        for d in /usr/lib/go-1.19/src/internal/trace/testdata /usr/lib/go-1.23/src/internal/trace/internal/oldtrace/testdata; do
            [ -d "$d" ] && ls "$d"/* 2>/dev/null
        done
        ls build/go/traces/go119.trace build/go/traces/go121.trace 2>/dev/null || true
    fi
}

# Copy corpus/<t>, its regressions, the external seeds and $SEEDS into one dir.
stage_seeds() { # target [staging dir name]
    local t=$1 dir=$FZ/seeds/${2:-$1} f i=0
    rm -rf "$dir"
    mkdir -p "$dir"
    for f in corpus/"$t"/* corpus/regressions/"$t"/*; do [ -f "$f" ] && cp "$f" "$dir/"; done
    while read -r f; do
        [ -n "$f" ] && [ -f "$f" ] || continue
        i=$((i + 1))
        cp "$f" "$dir/ext$i-$(basename "$f")"
    done < <(external_seeds "$t"; for f in ${SEEDS:-}; do if [ -d "$f" ]; then find "$f" -type f; else echo "$f"; fi; done)
    # libFuzzer needs at least one input; an empty file is a fine start.
    [ -n "$(ls -A "$dir")" ] || : > "$dir/empty"
    echo "$dir"
}

replay() {
    local t rc=0 dirs=()
    [ -d corpus ] && dirs+=(corpus)
    [ ${#dirs[@]} -gt 0 ] || die "no corpus/ directory"
    # Every file of every target's corpus and every regression goes through every target.
    for t in $FUZZ_TARGETS; do
        local bin=$FZ/replay/$t t0=$SECONDS
        [ -x "$bin" ] || die "$bin is not built (make fuzz-build-replay)"
        if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$bin" -q "${dirs[@]}" >"$FZ/replay-$t.log" 2>&1; then
            printf 'replay %-20s %s (%ss)\n' "$t" "$(tail -n 1 "$FZ/replay-$t.log" | sed 's/.*: //')" $((SECONDS - t0))
        else
            rc=1
            printf 'replay %-20s FAILED (log: %s)\n' "$t" "$FZ/replay-$t.log"
            tail -n 30 "$FZ/replay-$t.log"
        fi
    done
    return $rc
}

# One libFuzzer run; writes $out/result (one line) and returns non-zero on a finding.
lf_run() { # target seconds outdir jobs [bin-suffix]
    local t=$1 secs=$2 out=$3 jobs=$4 suffix=${5:-}
    local bin=$FZ/libfuzzer/$t$suffix
    [ -x "$bin" ] || die "$bin is not built"
    local seeds
    seeds=$(stage_seeds "$t" "$t$suffix")
    # Findings of an earlier run stay, aside; this run's are counted.
    if [ -n "$(ls -A "$out/artifacts" 2>/dev/null)" ]; then
        mkdir -p "$out/artifacts.old"
        mv "$out"/artifacts/* "$out/artifacts.old/"
    fi
    mkdir -p "$out/corpus" "$out/artifacts"
    local par=()
    [ "$jobs" -gt 1 ] && par=(-fork="$jobs" -ignore_crashes=0)
    local rc=0
    # shellcheck disable=SC2046
    nice -n "$NICE" "$bin" "${par[@]}" -max_total_time="$secs" -dict="$(dict_of "$t")" -timeout=25 -rss_limit_mb=2560 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/" $(options "$t") \
        "$out/corpus" "$seeds" >"$out/log" 2>&1 || rc=$?
    local execs rate units
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/log" | tail -n 1)
    if [ -z "$rate" ]; then # fork mode: the last status line
        rate=$(grep -o 'exec/s: [0-9]*' "$out/log" | tail -n 1 | sed 's/.* //')
        execs=$(grep -o '^#[0-9]*' "$out/log" | tail -n 1 | tr -d '#')
    fi
    units=$(find "$out/corpus" -type f | wc -l)
    local cov
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$out/log" | tail -n 1)
    local findings
    findings=$(find "$out/artifacts" -type f | wc -l)
    printf '%-22s %6ss  execs %10s  exec/s %7s  corpus %5s files %7s KB  %s  findings %s\n' "$t$suffix" "$secs" \
        "${execs:-?}" "${rate:-?}" "$units" "$(du -sk "$out/corpus" | cut -f1)" "${cov:-cov: ?}" "$findings" \
        | tee "$out/result"
    [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]
}

smoke() {
    local secs=${SMOKE_SECONDS:-60} jobs=${SMOKE_JOBS:-2} t0=$SECONDS
    local targets=() t
    for t in $FUZZ_TARGETS; do targets+=("$t"); done
    for t in ${FUZZ_MUT_TARGETS:-}; do [ "$t" = v2_decode ] && targets+=("$t.mut"); done
    rm -rf "$FZ/smoke"
    mkdir -p "$FZ/smoke"
    echo "fuzz-smoke: ${#targets[@]} targets x ${secs}s, $jobs at a time"
    # shellcheck disable=SC2016
    printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c '
        t={}; base=${t%.mut}; suffix=${t#$base}
        FZ='"$FZ"' NICE='"$NICE"' bash fuzz/fuzz.sh _lf_one "$base" '"$secs"' '"$FZ"'/smoke/"$t" 1 "$suffix" || touch '"$FZ"'/smoke/"$t".FAILED' || true
    local failed=0
    for t in "${targets[@]}"; do
        if [ -e "$FZ/smoke/$t.FAILED" ]; then
            failed=1
            echo "FINDING in $t:"
            ls "$FZ/smoke/$t/artifacts/" 2>/dev/null
            grep -m1 -A25 -E 'ERROR: |assertion failed|runtime error|runs differ' "$FZ/smoke/$t/log" || tail -n 25 "$FZ/smoke/$t/log"
        fi
    done
    echo "fuzz-smoke: wall time $((SECONDS - t0))s"
    return $failed
}

afl() { # target jobs seconds
    local t=$1 jobs=$2 secs=$3
    command -v afl-fuzz >/dev/null || die "afl-fuzz not installed (make deps)"
    local out=$FZ/afl-out/$t seeds
    seeds=$(stage_seeds "$t")
    # AFL++ wants small seeds: drop what it would refuse (> 1 MB).
    find "$seeds" -type f -size +1000k -delete
    mkdir -p "$out"
    export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
        AFL_IMPORT_FIRST=1 AFL_CMPLOG_ONLY_NEW=1
    local common=(-i "$seeds" -o "$out" -x "$(dict_of "$t")" -t 5000 -m none)
    [ "$secs" -gt 0 ] && common+=(-V "$secs")
    local mut=()
    [ -n "${MUT:-}" ] && mut=(env AFL_CUSTOM_MUTATOR_LIBRARY="$PWD/$FZ/afl/v2_mutator.so")
    local pids=() i
    echo "AFL++ on $t: $jobs instance(s), output $out (watch: afl-whatsup -s $out)"
    local main=${AFL_MAIN:-main} sec=${AFL_SEC:-sec}
    nice -n "$NICE" "${mut[@]}" afl-fuzz "${common[@]}" -M "$main" -c "$FZ/cmplog/$t" -- "$FZ/afl/$t" >"$out/$main.log" 2>&1 &
    pids+=($!)
    for ((i = 1; i < jobs; i++)); do
        local extra=() bin=$FZ/afl/$t
        case $((i % 4)) in
        1) extra=(-c "$FZ/cmplog/$t" -l 2AT -p explore) ;;
        2) bin=$FZ/afl-asan/$t; extra=(-p exploit) ;;    # the sanitizer secondary
        3) extra=(-p rare -L 0) ;;                        # MOpt
        0) extra=(-p coe -Z) ;;
        esac
        nice -n "$NICE" "${mut[@]}" afl-fuzz "${common[@]}" -S "$sec$i" "${extra[@]}" -- "$bin" >"$out/$sec$i.log" 2>&1 &
        pids+=($!)
    done
    trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM
    wait "${pids[@]}" || true
    afl_report "$t"
}

afl_report() {
    local t=$1 out=$FZ/afl-out/$1 d crashes=0 hangs=0
    for d in "$out"/*/; do
        [ -f "$d/fuzzer_stats" ] || continue
        awk -F' *: *' -v n="$(basename "$d")" '
            {v[$1]=$2} END {printf "%-22s %-6s %6ss  execs %10s  exec/s %7s  corpus %5s  edges %s/%s (%s)  crashes %s  hangs %s\n",
                "'"$t"'", n, v["run_time"], v["execs_done"], v["execs_per_sec"], v["corpus_count"], v["edges_found"],
                v["total_edges"], v["bitmap_cvg"], v["saved_crashes"], v["saved_hangs"]}' "$d/fuzzer_stats"
        crashes=$((crashes + $(find "$d/crashes" -type f -name 'id*' 2>/dev/null | wc -l)))
        hangs=$((hangs + $(find "$d/hangs" -type f -name 'id*' 2>/dev/null | wc -l)))
    done
    echo "$t: $crashes crashes, $hangs hangs (in $out/*/crashes, */hangs)"
    [ $crashes -eq 0 ]
}

coverage() {
    command -v llvm-profdata >/dev/null || die "llvm-profdata not installed (llvm-14)"
    local out=$FZ/cov t bins=() extra=("$@")
    rm -rf "$out/profiles"
    mkdir -p "$out/profiles"
    for t in $FUZZ_TARGETS; do
        local bin=$out/$t
        [ -x "$bin" ] || die "$bin is not built (make fuzz-build-cov)"
        local inputs=()
        [ -d corpus/"$t" ] && inputs+=(corpus/"$t")
        [ -d corpus/regressions/"$t" ] && inputs+=(corpus/regressions/"$t")
        local e
        for e in "${extra[@]}"; do
            case $e in
            *=*) [ "${e%%=*}" = "$t" ] && inputs+=("${e#*=}") ;; # TARGET=DIR: only for that target
            *) inputs+=("$e") ;;
            esac
        done
        [ ${#inputs[@]} -gt 0 ] || continue
        if ! LLVM_PROFILE_FILE="$out/profiles/$t-%p.profraw" "$bin" -q "${inputs[@]}" >"$out/$t.log" 2>&1; then
            # A crashing input (an open finding) loses the whole run's profile: go file by file.
            echo "coverage: $t fails on an input (log: $out/$t.log); replaying file by file" >&2
            rm -f "$out/profiles/$t"-*.profraw
            find "${inputs[@]}" -type f -print0 | while IFS= read -r -d '' f; do
                LLVM_PROFILE_FILE="$out/profiles/$t-%p.profraw" "$bin" -q "$f" >>"$out/$t.log" 2>&1 ||
                    echo "coverage: $t crashes on $f" >&2
            done
            llvm-profdata merge -sparse "$out/profiles/$t"-*.profraw -o "$out/profiles/$t.profdata" &&
                rm -f "$out/profiles/$t"-*.profraw && mv "$out/profiles/$t.profdata" "$out/profiles/$t-merged.profraw"
        fi
        bins+=("$bin")
    done
    llvm-profdata merge -sparse "$out"/profiles/*.profraw -o "$out/merged.profdata"
    local objs=() b
    for b in "${bins[@]:1}"; do objs+=(-object "$b"); done
    llvm-cov report "${bins[0]}" "${objs[@]}" -instr-profile="$out/merged.profdata" -show-region-summary=0 \
        -show-instantiation-summary=0 $(ls codec/*/*.c) | tee "$out/report.txt"
    llvm-cov show "${bins[0]}" "${objs[@]}" -instr-profile="$out/merged.profdata" -format=html \
        -show-branches=count -output-dir="$out/html" $(ls codec/*/*.c) >/dev/null 2>&1 || true
    awk '/^TOTAL/ {printf "codec/ coverage: lines %s (%s of %s missed), branches %s (%s of %s missed)\n", $7, $6, $5, $10, $9, $8}' \
        "$out/report.txt"
    echo "(per-line detail: $out/html/index.html)"
}

# Coverage of codec/ from DIRs through one target only (campaign reports).
cov_one() { # target dirs...
    local t=$1 out=$FZ/cov/one-$1
    shift
    [ -x "$FZ/cov/$t" ] || die "$FZ/cov/$t is not built (make fuzz-build-cov)"
    rm -rf "$out"
    mkdir -p "$out"
    LLVM_PROFILE_FILE="$out/%p.profraw" "$FZ/cov/$t" -q "$@" >"$out/log" 2>&1 || true
    llvm-profdata merge -sparse "$out"/*.profraw -o "$out/merged.profdata"
    local all dec
    all=$(llvm-cov report "$FZ/cov/$t" -instr-profile="$out/merged.profdata" $(ls codec/*/*.c) 2>/dev/null |
        awk '/^TOTAL/ {printf "lines %s branches %s", $7, $10}')
    dec=$(llvm-cov report "$FZ/cov/$t" -instr-profile="$out/merged.profdata" codec/decode/*.c codec/varint/*.c \
        codec/header/*.c 2>/dev/null | awk '/^TOTAL/ {printf "lines %s branches %s", $7, $10}')
    printf '%-20s codec/: %s; decoder (decode/ varint/ header/): %s\n' "$t" "$all" "$dec"
}

merge() { # target dirs...
    local t=$1
    shift
    [ $# -gt 0 ] || die "merge: no input directories"
    local bin=$FZ/libfuzzer/$t cand=$FZ/merge-$t.candidates
    rm -rf "$cand"
    mkdir -p corpus/"$t"
    # Go's test data is read in place, never committed: drop what is mostly a copy of it.
    local refs=()
    while read -r f; do [ -n "$f" ] && refs+=("$f"); done < <(external_seeds v2_decode; external_seeds legacy_decode; external_seeds text_asm)
    if command -v python3 >/dev/null && [ ${#refs[@]} -gt 0 ]; then
        python3 fuzz/not_go_data.py "$cand" "${refs[@]}" -- "$@"
    else
        echo "merge: python3 or Go's test data missing: not filtering copies of Go's test data" >&2
        mkdir -p "$cand"
        cp -r "$@" "$cand/"
    fi
    # Into the current corpus: its files (the seed-* ones, earlier merges) stay;
    # a candidate is added only if it brings a feature the corpus lacks.
    local before
    before=$(find corpus/"$t" -type f | wc -l)
    # -use_counters=0: edges, not hit counts, decide; the corpus stays small.
    nice -n "$NICE" "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2560 -timeout=25 $(options "$t") corpus/"$t" "$cand" \
        >"$FZ/merge-$t.log" 2>&1 || { tail -n 20 "$FZ/merge-$t.log"; die "merge failed"; }
    rm -rf "$cand"
    # Inputs derived from traces that carry absolute paths (Go's own test
    # traces do) keep their layout but lose the paths (t_no_abs_paths.sh).
    python3 scripts/scrub_paths.py --rename corpus/"$t"/* >/dev/null
    echo "merge: $(( $(find corpus/"$t" -type f | wc -l) - before )) files added"
    echo "corpus/$t: $(find corpus/"$t" -type f | wc -l) files, $(du -sk corpus/"$t" | cut -f1) KB"
}

regress() { # target crash name
    local t=$1 crash=$2 name=$3
    [ -f "$crash" ] && [ -n "$name" ] || die "usage: make fuzz-regress TARGET=t CRASH=file NAME=what-it-exposes"
    local bin=$FZ/libfuzzer/$t dst=corpus/regressions/$t/$name
    mkdir -p "corpus/regressions/$t"
    nice -n "$NICE" "$bin" -minimize_crash=1 -max_total_time=120 -exact_artifact_path="$dst" "$crash" \
        >"$FZ/regress-$t.log" 2>&1 || true
    [ -f "$dst" ] || cp "$crash" "$dst"
    echo "$dst: $(stat -c %s "$dst") bytes (was $(stat -c %s "$crash")); replay: $FZ/replay/$t $dst"
}

cmd=${1:-}
shift || true
case $cmd in
replay) replay ;;
smoke) smoke ;;
libfuzzer)
    [ $# -ge 3 ] || die "usage: fuzz.sh libfuzzer TARGET JOBS SECONDS"
    suffix=
    [ -n "${MUT:-}" ] && suffix=.mut
    lf_run "$1" "$3" "$FZ/campaign/$1$suffix" "$2" "$suffix"
    ;;
_lf_one) lf_run "$@" ;;
afl) afl "$@" ;;
afl-report) afl_report "$@" ;;
coverage) coverage "$@" ;;
cov-one) cov_one "$@" ;;
merge) merge "$@" ;;
regress) regress "$@" ;;
seeds) stage_seeds "$1" ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
esac
