/* legacy_check: gt_legacy_validate() on files, one line per file.
 *
 *   legacy_check [-oracle auto|go121|go127] [-mem BYTES] [-stats] FILE...
 *
 * Output (tab-separated):
 *   FILE  ok
 *   FILE  semantic    MESSAGE  OFFSET     GT_ERR_SEMANTIC: Go's ordering/state rules
 *   FILE  structural  MESSAGE  OFFSET     wire errors and the oracle's read-time checks
 *   FILE  limit       MESSAGE  OFFSET     GT_ERR_LIMIT / GT_ERR_NOMEM
 *   FILE  io          MESSAGE             the file could not be read
 * -stats appends the status name, the peak bytes allocated and the seconds
 * taken. Tabs and newlines in messages are printed as spaces. Exit status:
 * 0 if every file is ok, 1 otherwise, 2 on usage errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gotrace.h"

/* A counting allocator: the peak of what gt_legacy_validate() holds. */
typedef struct counter {
    size_t now, peak;
} counter;

static void *c_malloc(void *ctx, size_t n)
{
    counter *c = ctx;
    void *p = malloc(n);
    if (p && (c->now += n) > c->peak) c->peak = c->now;
    return p;
}
static void *c_realloc(void *ctx, void *p, size_t old, size_t n)
{
    counter *c = ctx;
    void *q = realloc(p, n);
    if (q) {
        c->now = c->now - old + n;
        if (c->now > c->peak) c->peak = c->now;
    }
    return q;
}
static void c_free(void *ctx, void *p, size_t n)
{
    counter *c = ctx;
    if (p) c->now -= n;
    free(p);
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = n;
    return buf;
}

static void print_clean(const char *s)
{
    for (; *s; s++) putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static const char *kind_of(gt_status s)
{
    if (s == GT_ERR_SEMANTIC) return "semantic";
    if (s == GT_ERR_LIMIT || s == GT_ERR_NOMEM) return "limit";
    return "structural";
}

int main(int argc, char **argv)
{
    gt_legacy_oracle oracle = GT_LEGACY_ORACLE_AUTO;
    gt_limits lim;
    gt_limits_default(&lim);
    int stats = 0, i = 1, rc = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-oracle") && i + 1 < argc) {
            const char *o = argv[++i];
            if (!strcmp(o, "auto")) oracle = GT_LEGACY_ORACLE_AUTO;
            else if (!strcmp(o, "go121")) oracle = GT_LEGACY_ORACLE_GO121;
            else if (!strcmp(o, "go127")) oracle = GT_LEGACY_ORACLE_GO127;
            else i = argc;
        } else if (!strcmp(argv[i], "-mem") && i + 1 < argc) {
            lim.max_memory = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "-stats")) {
            stats = 1;
        } else {
            i = argc;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: legacy_check [-oracle auto|go121|go127] [-mem BYTES] [-stats] FILE...\n");
        return 2;
    }
    for (; i < argc; i++) {
        size_t size = 0;
        unsigned char *data = slurp(argv[i], &size);
        if (!data) {
            printf("%s\tio\t%s\n", argv[i], strerror(errno));
            rc = 1;
            continue;
        }
        counter cnt = {0, 0};
        gt_alloc alc = {c_malloc, c_realloc, c_free, &cnt};
        gt_error err;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        gt_status s = gt_legacy_validate(data, size, &alc, &lim, oracle, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        free(data);
        printf("%s\t", argv[i]);
        if (s == GT_OK) {
            printf("ok");
        } else {
            rc = 1;
            printf("%s\t", kind_of(s));
            print_clean(err.message);
            printf("\t%llu", (unsigned long long)err.offset);
        }
        if (stats)
            printf("\t%s\tpeak=%zu\tseconds=%.3f", gt_status_name(s), cnt.peak,
                   (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        printf("\n");
        if (cnt.now != 0) {
            fprintf(stderr, "legacy_check: %s: %zu bytes not freed\n", argv[i], cnt.now);
            rc = 1;
        }
    }
    return rc;
}
