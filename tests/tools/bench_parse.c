/* bench_parse: throughput of the ordering engine on one trace (printed,
 * never asserted). The file is read into memory once; each mode runs N
 * times and the best run is printed:
 *   verdict    gt_parser_next_sync() to the end (what `gotrace validate` does)
 *   events     gt_parser_next() for every event, frames not resolved
 *   frames     gt_parser_next() with every stack resolved
 *   text       gt_parser_next() + gt_parser_format() (what dump --parsed does, minus the write)
 *   callback   verdict through the callback input (what a pipe costs: copies)
 * plus the parser's peak memory and the process's peak RSS.
 *
 *   bench_parse [--runs N] FILE */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gotrace.h"
#include "tool_file.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct memsrc {
    const uint8_t *p;
    size_t n, pos;
} memsrc;

static long read_mem(void *user, uint8_t *buf, size_t cap)
{
    memsrc *m = user;
    size_t k = m->n - m->pos < cap ? m->n - m->pos : cap;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (long)k;
}

enum { VERDICT, EVENTS, FRAMES, TEXT, CALLBACK };

static uint64_t run(int mode, const uint8_t *p, size_t n, gt_status *end, uint64_t *peak)
{
    static char text[1 << 20];
    gt_parser *ps = gt_parser_create(NULL);
    memsrc m = {p, n, 0};
    if (mode == CALLBACK) gt_parser_set_callback(ps, read_mem, &m);
    else gt_parser_set_buffer(ps, p, n);
    gt_parser_set_flags(ps, mode == FRAMES || mode == TEXT ? 0 : GT_PARSER_NO_FRAMES);
    gt_parsed ev;
    uint64_t sink = 0;
    if (mode == VERDICT || mode == CALLBACK) {
        while ((*end = gt_parser_next_sync(ps, &ev, NULL)) == GT_OK) {}
    } else {
        while ((*end = gt_parser_next(ps, &ev)) == GT_OK)
            if (mode == TEXT) sink += gt_parser_format(&ev, text, sizeof text);
    }
    gt_parse_counts c;
    gt_parser_counts(ps, &c);
    *peak = c.peak_memory;
    gt_parser_free(ps);
    (void)sink;
    return c.events;
}

int main(int argc, char **argv)
{
    int runs = 3, i = 1;
    if (argc > 2 && !strcmp(argv[1], "--runs")) {
        runs = atoi(argv[2]);
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: bench_parse [--runs N] FILE\n");
        return 2;
    }
    size_t n;
    uint8_t *p = tool_read_file(argv[i], &n);
    if (!p) return 2;
    static const char *const names[] = {"verdict (next_sync)", "events (no frames)", "events + frames",
                                        "events + text", "verdict, callback input"};
    printf("%s: %.1f MB\n", argv[i], (double)n / 1e6);
    for (int mode = VERDICT; mode <= CALLBACK; mode++) {
        double best = 1e9;
        uint64_t events = 0, peak = 0;
        gt_status end = GT_OK;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            events = run(mode, p, n, &end, &peak);
            double dt = now() - t0;
            if (dt < best) best = dt;
        }
        printf("  %-26s %8.1f MB/s  %6.1f ns/event  %" PRIu64 " events  parser peak %.1f MB  (%s)\n", names[mode],
               (double)n / best / 1e6, best * 1e9 / (double)(events ? events : 1), events, (double)peak / 1e6,
               gt_status_name(end));
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("  process peak RSS %.1f MB (the file is held in memory: %.1f MB)\n", (double)ru.ru_maxrss / 1e3, (double)n / 1e6);
    free(p);
    return 0;
}
