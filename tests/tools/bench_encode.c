/* bench_encode: encoder throughput (a benchmark, not a test: figures are
 * printed, never asserted).
 *
 *   bench_encode [-n EVENTS] [-v VERSION]... [-runs R]
 *
 * Writes EVENTS synthetic events (a runtime-like mix: GoStart, GoBlock,
 * GoUnblock, GoCreate, HeapAlloc, ProcStart/Stop, UserLog, CPU samples) from
 * 4 Ms into 64 KiB batches, a new generation every 1M events, through
 * gt_writer into a memory buffer, for each version (default 23 and 19):
 *   tables on:   every stack and string argument is interned with
 *                gt_writer_stack / gt_writer_string (XXH3 lookups: 3000
 *                distinct stacks of 4-32 frames over 600 function names);
 *   tables off:  the same events with stack and string arguments 0.
 * Prints, per line, the best of R runs: seconds, MB/s of output, events/s,
 * ns/event and bytes/event. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gotrace.h"

#define NSTACKS    3000
#define NNAMES     600
#define NM         4
#define GEN_EVENTS 1000000u

static char names[NNAMES][48];
static gt_sym_frame frames[NSTACKS][32];
static unsigned depth[NSTACKS];
static uint8_t bufs[NM][65536 + 64];

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void setup(void)
{
    for (unsigned i = 0; i < NNAMES; i++)
        snprintf(names[i], sizeof names[i], "example.com/pkg%u.(*T).Method%u", i % 37, i);
    for (unsigned s = 0; s < NSTACKS; s++) {
        depth[s] = 4 + (unsigned)(next() % 29);
        for (unsigned f = 0; f < depth[s]; f++) {
            const char *fn = names[next() % NNAMES];
            frames[s][f] = (gt_sym_frame){0x400000 + next() % 0x100000, fn, strlen(fn),
                                          "/src/example.com/file.go",   24, 1 + next() % 3000};
        }
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, gt_status s, const gt_writer *w)
{
    fprintf(stderr, "bench_encode: %s: %s %s\n", what, gt_status_name(s), w ? gt_writer_error(w)->message : "");
    exit(1);
}

/* One event of the mix on batch b at time t. */
static gt_status one(gt_writer *w, gt_batch *b, unsigned v, uint64_t i, uint64_t t, bool tables)
{
    bool legacy = v < 22;
    uint64_t stk = 0, str = 0;
    unsigned roll = (unsigned)(i * 2654435761u >> 7) % 100;
    if (tables && roll < 70) {
        unsigned s = (unsigned)(next() % NSTACKS);
        gt_status st = gt_writer_stack(w, frames[s], depth[s], &stk);
        if (st != GT_OK) return st;
    }
    if (tables && roll < 35 && !legacy) {
        const char *reason = roll < 10 ? "chan receive" : roll < 20 ? "select" : "sync.Mutex.Lock";
        gt_status st = gt_writer_string(w, reason, strlen(reason), &str);
        if (st != GT_OK) return st;
    }
    uint64_t g = 1 + i % 1000;
    if (legacy) {
        if (roll < 35) return gt_batch_event(b, 20, t, (uint64_t[]){stk}, 1);           /* GoBlock */
        if (roll < 55) return gt_batch_event(b, 21, t, (uint64_t[]){g, i, stk}, 3);     /* GoUnblock */
        if (roll < 70) return gt_batch_event(b, 13, t, (uint64_t[]){g, stk, stk}, 3);   /* GoCreate */
        if (roll < 90) return gt_batch_event(b, 14, t, (uint64_t[]){g, i}, 2);          /* GoStart */
        if (roll < 97) return gt_batch_event(b, 33, t, (uint64_t[]){i * 4096}, 1);      /* HeapAlloc */
        return gt_batch_event_data(b, 48, t, (uint64_t[]){0, 0, stk}, 3, "message", 7); /* UserLog */
    }
    if (roll < 35) return gt_batch_event(b, 20, t, (uint64_t[]){str, stk}, 2);           /* GoBlock */
    if (roll < 55) return gt_batch_event(b, 21, t, (uint64_t[]){g, i & 0xffff, stk}, 3); /* GoUnblock */
    if (roll < 70) return gt_batch_event(b, 14, t, (uint64_t[]){g, stk, stk}, 3);        /* GoCreate */
    if (roll < 90) return gt_batch_event(b, 16, t, (uint64_t[]){g, i & 0xffff}, 2);      /* GoStart */
    if (roll < 95) return gt_batch_event(b, 37, t, (uint64_t[]){i * 4096}, 1);           /* HeapAlloc */
    if (roll < 98) return gt_batch_event(b, 10 + (roll & 1), t, (uint64_t[]){0, i & 0xff}, roll & 1 ? 0 : 2);
    return gt_batch_event(b, 44, t, (uint64_t[]){0, str, str, stk}, 4); /* UserLog */
}

typedef struct result {
    double secs;
    uint64_t bytes;
} result;

static result run(unsigned v, uint64_t n, bool tables, uint8_t *out, size_t cap)
{
    gt_writer *w = gt_writer_create(NULL);
    gt_status s;
    if (!w || (s = gt_writer_set_buffer(w, out, cap)) != GT_OK || (s = gt_writer_start(w, v)) != GT_OK)
        die("setup", GT_ERR_NOMEM, w);
    gt_batch b[NM];
    double t0 = now();
    uint64_t t = 1000, gen = 0;
    bool legacy = v < 22;
    for (uint64_t i = 0; i < n; i++) {
        if (i % GEN_EVENTS == 0 && (!legacy || i == 0)) {
            if (i && (s = gt_writer_end_generation(w)) != GT_OK) die("end_generation", s, w);
            gt_sync sync = {t, 15625000, t + 1, t, 1740755049, 0};
            if ((s = gt_writer_begin_generation(w, ++gen, &sync)) != GT_OK) die("begin_generation", s, w);
            for (unsigned m = 0; m < NM; m++)
                if ((s = gt_batch_begin(&b[m], bufs[m], sizeof bufs[m], v, gen, m + 1, t, 0)) != GT_OK)
                    die("batch", s, w);
        }
        unsigned m = (unsigned)(i % NM);
        t += 1 + (i & 7);
        while ((s = one(w, &b[m], v, i, t, tables)) == GT_ERR_DST_TOO_SMALL) {
            if ((s = gt_writer_batch(w, &b[m])) != GT_OK) die("batch", s, w);
            if ((s = gt_batch_begin(&b[m], bufs[m], sizeof bufs[m], v, gen, m + 1, t - 1, 0)) != GT_OK)
                die("batch", s, w);
        }
        if (s != GT_OK) die("event", s, w);
        if (!legacy && (i + 1) % GEN_EVENTS == 0)
            for (unsigned k = 0; k < NM; k++)
                if ((s = gt_writer_batch(w, &b[k])) != GT_OK) die("batch", s, w);
    }
    for (unsigned k = 0; k < NM; k++)
        if (b[k].open && (s = gt_writer_batch(w, &b[k])) != GT_OK) die("batch", s, w);
    if ((s = gt_writer_finish(w)) != GT_OK) die("finish", s, w);
    result r = {now() - t0, gt_writer_size(w)};
    gt_writer_free(w);
    return r;
}

int main(int argc, char **argv)
{
    uint64_t n = 5000000;
    unsigned versions[16], nv = 0, runs = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-v") && i + 1 < argc && nv < 16)
            versions[nv++] = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-runs") && i + 1 < argc)
            runs = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_encode [-n EVENTS] [-v VERSION]... [-runs R]\n");
            return 2;
        }
    }
    if (!nv) {
        versions[nv++] = 23;
        versions[nv++] = 19;
    }
    size_t cap = (size_t)n * 64 + (64u << 20);
    uint8_t *out = malloc(cap);
    if (!out || !runs) return 2;
    setup();
    printf("bench_encode: %" PRIu64 " events, %u Ms, best of %u runs\n", n, NM, runs);
    for (unsigned k = 0; k < nv; k++) {
        if (gt_version_format(versions[k]) == GT_FORMAT_UNKNOWN || versions[k] < 7) {
            fprintf(stderr, "bench_encode: go 1.%u is not supported here (go 1.7+)\n", versions[k]);
            return 2;
        }
        for (int tables = 1; tables >= 0; tables--) {
            result best = {1e30, 0};
            for (unsigned r = 0; r < runs; r++) {
                result x = run(versions[k], n, tables, out, cap);
                if (x.secs < best.secs) best = x;
            }
            char label[64];
            snprintf(label, sizeof label, "encode go 1.%u, tables %s", versions[k], tables ? "on" : "off");
            printf("%-34s %8.3f s %10.1f MB/s %12.0f events/s %8.1f ns/event %6.2f bytes/event\n", label, best.secs,
                   (double)best.bytes / best.secs / 1e6, (double)n / best.secs, best.secs * 1e9 / (double)n,
                   (double)best.bytes / (double)n);
        }
    }
    free(out);
    return 0;
}
