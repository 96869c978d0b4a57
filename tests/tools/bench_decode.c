/* bench_decode: in-memory decoding throughput of one trace (printed, never
 * asserted). Modes: validate (structural validation, nothing delivered),
 * items (every item delivered to the caller), raw (framing only, every item).
 *
 *   bench_decode [--runs N] FILE */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gotrace.h"
#include "tool_file.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t run(const uint8_t *p, size_t n, int validate, uint32_t filter, gt_status *end)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_validation(r, validate);
    gt_reader_set_buffer(r, p, n);
    gt_reader_set_filter(r, filter);
    gt_event ev;
    uint64_t items = 0;
    while ((*end = gt_reader_next(r, &ev)) == GT_OK) items++;
    uint64_t total = 0;
    for (int k = GT_KIND_HEADER; k <= GT_KIND_GENERATION_END; k++) total += gt_reader_count(r, (gt_kind)k);
    gt_reader_free(r);
    (void)items;
    return total;
}

int main(int argc, char **argv)
{
    int runs = 5, i = 1;
    if (argc > 2 && !strcmp(argv[1], "--runs")) {
        runs = atoi(argv[2]);
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: bench_decode [--runs N] FILE\n");
        return 2;
    }
    size_t n;
    uint8_t *p = tool_read_file(argv[i], &n);
    if (!p) return 2;
    static const struct { const char *name; int validate; uint32_t filter; } modes[] = {
        {"validate (in memory)", 1, 0}, {"validate, every item delivered", 1, UINT32_MAX}, {"raw framing, every item", 0, UINT32_MAX}};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        double best = 1e9;
        uint64_t items = 0;
        gt_status end = GT_OK;
        for (int k = 0; k < runs; k++) {
            double t0 = now();
            items = run(p, n, modes[m].validate, modes[m].filter, &end);
            double t = now() - t0;
            if (t < best) best = t;
        }
        printf("%-34s %8.3f s %10.1f MB/s %12.0f items/s %8.2f ns/item  (%s)\n", modes[m].name, best, (double)n / best / 1e6,
               (double)items / best, best * 1e9 / (double)items, gt_status_name(end));
    }
    free(p);
    return 0;
}
