/* Helpers shared by the capture tests: read a trace back with libgotrace
 * (full structural validation) and hand every timed event to a callback. */
#ifndef CAPCHECK_H
#define CAPCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                                      \
            exit(1);                                                                                                   \
        }                                                                                                              \
    } while (0)

typedef struct capcheck {
    uint64_t events, batches, generations, strings, stacks, exp_batches;
    uint64_t by_type[256];
    unsigned version;
} capcheck;

typedef void (*capcheck_fn)(void *user, const gt_event *ev);

static long capcheck_read(void *user, uint8_t *buf, size_t cap)
{
    size_t n = fread(buf, 1, cap, (FILE *)user);
    return ferror((FILE *)user) ? -1 : (long)n;
}

/* Decode `path`; 0 when gotrace accepts it (message on stderr otherwise). */
static int capcheck_file(const char *path, capcheck *out, capcheck_fn fn, void *user)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_callback(r, capcheck_read, f);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        switch (ev.kind) {
        case GT_KIND_EVENT:
            out->events++;
            out->by_type[ev.type]++;
            if (fn) fn(user, &ev);
            break;
        case GT_KIND_BATCH:
            out->batches++;
            if (ev.type == GT_V2_EXPERIMENTAL_BATCH) out->exp_batches++;
            break;
        case GT_KIND_STRING: out->strings++; break;
        case GT_KIND_STACK: out->stacks++; break;
        case GT_KIND_GENERATION_END: out->generations++; break;
        default: break;
        }
    }
    out->version = gt_reader_version(r);
    int rc = 0;
    if (s != GT_END) {
        fprintf(stderr, "%s: %s at offset %llu: %s\n", path, gt_status_name(s),
                (unsigned long long)gt_reader_error(r)->offset, gt_reader_error(r)->message);
        rc = -1;
    }
    gt_reader_free(r);
    fclose(f);
    return rc;
}

#endif
