#!/usr/bin/env bash
# examples/capture-demo (8 threads: tasks, regions, logs, mutex and condvar
# waits woken by other threads, file I/O syscalls, threads ending and born
# mid-run) writes a trace that
#   - has >= 5 generations, and passes `gotrace validate` and Go 1.27's reader
#     + validator, also cut before any generation (each generation stands alone);
#   - gives Go 1.27's `go tool trace -pprof=sched|sync|syscall` non-empty
#     profiles whose frames name the demo's C functions (go tool pprof -traces);
#   - is served by Go 1.27's `go tool trace -http`, whose /usertasks and
#     /userregions pages list the demo's task ("job") and regions.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${GT_BUILD:-build}
. tests/scripts/go_prep.sh
go_prep prepare.sh
tmp=$B/capture/tmp/demo.$$
mkdir -p "$tmp"
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

make -s "$B/examples/capture-demo" >/dev/null 2>&1 || { echo "FAIL: build capture-demo"; exit 1; }
f=$tmp/demo.trace
"$B/examples/capture-demo" "$f" || fail "capture-demo exited $?"
v=$(build/gotrace validate "$f") || fail "gotrace validate: $v"
echo "$v"
gens=$(sed -n 's/.*(go 1.26, \([0-9]*\) generations.*/\1/p' <<<"$v")
[ "${gens:-0}" -ge 5 ] || fail "only ${gens:-0} generations"
line=$(build/go/gotraceoracle validate "$f") || fail "Go 1.27's validator: $(cut -f2- <<<"$line" | head -c 300)"

# Every generation stands alone: the trace cut before each generation (header +
# that generation and the following ones) is still valid for Go 1.27.
python3 - "$f" "$tmp/cut" <<'PY' || fail "cutting the trace"
import sys
data = open(sys.argv[1], 'rb').read()
def uv(p):
    v = s = 0
    while True:
        b = data[p]; p += 1; v |= (b & 0x7f) << s; s += 7
        if b < 0x80: return v, p
p, starts, start = 16, [], 16
while p < len(data):
    t = data[p]
    if t == 0x34:
        p += 1; starts.append(start); start = p; continue
    q = p + (2 if t == 0x31 else 1)
    for _ in range(3): _, q = uv(q)
    size, q = uv(q); p = q + size
for k, s0 in enumerate(starts):
    open('%s-%03d.trace' % (sys.argv[2], k), 'wb').write(data[:16] + data[s0:])
print(len(starts), 'cuts')
PY
cuts=$(ls "$tmp"/cut-*.trace | wc -l)
build/go/gotraceoracle validate "$tmp"/cut-*.trace >"$tmp/cuts.txt" || fail "a cut is rejected: $(grep -v '	ok	' "$tmp/cuts.txt" | head -n 3)"
echo "each of the $cuts generations read alone with what follows: Go 1.27's validator ok"

pprof=/usr/lib/go-1.27/bin/go
for p in sched sync syscall; do
    build/go/gotool-trace -pprof=$p "$f" >"$tmp/$p.pb" 2>"$tmp/$p.err" || { fail "-pprof=$p: $(head -c 300 "$tmp/$p.err")"; continue; }
    [ -s "$tmp/$p.pb" ] || { fail "-pprof=$p: empty profile"; continue; }
    GOTOOLCHAIN=local "$pprof" tool pprof -traces "$tmp/$p.pb" >"$tmp/$p.txt" 2>/dev/null || fail "pprof -traces $p"
    samples=$(grep -c -- '-----------+' "$tmp/$p.txt")
    funcs=$(grep -o -w -E 'worker_main|producer_main|reporter_main|process_job|store_result|queue_pop|queue_push|traced_lock|sleep_ms' "$tmp/$p.txt" | sort -u | tr '\n' ' ')
    [ -n "$funcs" ] || fail "-pprof=$p: no frame names a demo function"
    echo "-pprof=$p: $((samples - 1)) stacks; demo functions: $funcs"
done
grep -q store_result "$tmp/syscall.txt" || fail "-pprof=syscall does not show store_result (the write)"
grep -q queue_pop "$tmp/sync.txt" || fail "-pprof=sync does not show queue_pop (the condvar wait)"

port=$((20000 + $$ % 20000))
build/go/gotool-trace -http=127.0.0.1:$port "$f" >"$tmp/http.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
curl -s "http://127.0.0.1:$port/usertasks" >"$tmp/tasks.html" || fail "GET /usertasks"
curl -s "http://127.0.0.1:$port/userregions" >"$tmp/regions.html" || fail "GET /userregions"
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; server=
grep -q '>job<\|job' "$tmp/tasks.html" || fail "/usertasks does not list the task type job"
for r in parse compute store; do grep -q "$r" "$tmp/regions.html" || fail "/userregions does not list region $r"; done
echo "go tool trace -http: /usertasks lists job, /userregions lists parse, compute, store"
[ $fails -eq 0 ] || exit 1
echo "capture demo: ok"
