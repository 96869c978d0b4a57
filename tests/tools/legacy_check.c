/* legacy_check: gt_legacy_validate() on files, one line per file.
 *
 *   legacy_check [-oracle auto|go121|go127] [-mem BYTES] [-stats] FILE...
 *   legacy_check -mutate SEED COUNT OUTDIR FILE
 *   legacy_check -corrupt SEED COUNT OUTDIR FILE
 *
 * Output (tab-separated):
 *   FILE  ok
 *   FILE  semantic    MESSAGE  OFFSET     GT_ERR_SEMANTIC: Go's ordering/state rules
 *   FILE  structural  MESSAGE  OFFSET     wire errors and the oracle's read-time checks
 *   FILE  limit       MESSAGE  OFFSET     GT_ERR_LIMIT / GT_ERR_NOMEM
 *   FILE  io          MESSAGE             the file could not be read
 * -stats appends the status name, the peak bytes allocated and the seconds
 * taken. Tabs and newlines in messages are printed as spaces. Exit status:
 * 0 if every file is ok, 1 otherwise, 2 on usage errors.
 *
 * -mutate writes COUNT variants of a legacy trace to OUTDIR/NAME.mSEED-K,
 * each with one change that keeps the wire format sound but not
 * necessarily Go's ordering and state rules: an event dropped, duplicated,
 * moved to another place, swapped with its neighbour, given another type
 * with the same arguments, or one argument (timestamp delta included)
 * changed. -corrupt writes COUNT copies with 1 to 4 random bits flipped
 * after the header, one in five also cut short: mostly wire errors. Both
 * feed the differential test against Go's readers
 * (tests/scripts/t_legacy_semantic.sh). Deterministic for a given SEED. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gotrace.h"

#include "tool_file.h"

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

/* ---- mutants ------------------------------------------------------------ */

typedef struct span {
    size_t off, len;
    gt_event ev;      /* as read (pointers into the input) */
    int timed;
} span;

static uint64_t rng_state;
static uint64_t rnd(uint64_t n)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return n ? (rng_state >> 33) % n : 0;
}

/* Event types that share a layout, so one can stand in for another. */
static const unsigned char same_layout[][16] = {
    {16, 17, 18, 19, 20, 22, 23, 24, 25, 26, 27, 28, 42, 43, 11, 0},
    {6, 8, 15, 30, 36, 44, 0},
    {31, 32, 33, 34, 38, 5, 0},
};

static unsigned other_type(unsigned t, unsigned version)
{
    for (size_t g = 0; g < sizeof same_layout / sizeof same_layout[0]; g++) {
        const unsigned char *row = same_layout[g];
        size_t n = 0, hit = 0;
        while (row[n]) {
            if (row[n] == t) hit = 1;
            n++;
        }
        if (!hit) continue;
        for (int tries = 0; tries < 8; tries++) {
            unsigned u = row[rnd(n)];
            const gt_event_spec *a = gt_spec(version, t), *b = gt_spec(version, u);
            const gt_arg_spec *x[GT_MAX_ARGS], *y[GT_MAX_ARGS];
            if (u != t && b && gt_spec_args(a, version, x) == gt_spec_args(b, version, y)) return u;
        }
    }
    return t;
}

static int write_file(const char *path, const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
                      const unsigned char *c, size_t nc)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(a, 1, na, f) == na && fwrite(b, 1, nb, f) == nb && fwrite(c, 1, nc, f) == nc;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int mutate(uint64_t seed, long count, const char *outdir, const char *path)
{
    size_t size = 0;
    unsigned char *data = tool_read_file(path, &size);
    if (!data) {
        fprintf(stderr, "legacy_check: %s: %s\n", path, strerror(errno));
        return 2;
    }
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_validation(r, 0);
    gt_reader_set_buffer(r, data, size);
    span *sp = NULL;
    size_t n = 0, cap = 0, ntimed = 0;
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        if (ev.kind == GT_KIND_HEADER) continue;
        if (n == cap) sp = realloc(sp, (cap = cap ? cap * 2 : 1024) * sizeof *sp);
        sp[n].off = (size_t)ev.offset;
        sp[n].ev = ev;
        sp[n].timed = ev.kind == GT_KIND_EVENT && ev.spec && (ev.spec->flags & GT_EV_TIMED);
        ntimed += (size_t)sp[n].timed;
        if (n) sp[n - 1].len = sp[n].off - sp[n - 1].off;
        n++;
    }
    unsigned version = gt_reader_version(r);
    if (s != GT_END || ntimed < 2 || gt_version_format(version) != GT_FORMAT_LEGACY) {
        fprintf(stderr, "legacy_check: %s: not a sound legacy trace with events\n", path);
        return 2;
    }
    sp[n - 1].len = size - sp[n - 1].off;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    unsigned char buf[256];
    for (long k = 0; k < count; k++) {
        rng_state = seed * 1000003u + (uint64_t)k;
        rnd(1);
        size_t i;
        do i = rnd(n);
        while (!sp[i].timed);
        const span *e = &sp[i];
        char out[4096];
        snprintf(out, sizeof out, "%s/%s.m%llu-%ld", outdir, base, (unsigned long long)seed, k);
        unsigned op = (unsigned)rnd(6);
        int rc = 0;
        if (op == 0) { /* drop */
            rc = write_file(out, data, e->off, data + e->off + e->len, size - e->off - e->len, NULL, 0);
        } else if (op == 1) { /* duplicate */
            rc = write_file(out, data, e->off + e->len, data + e->off, e->len, data + e->off + e->len,
                            size - e->off - e->len);
        } else if (op == 2 && i + 1 < n && sp[i + 1].timed) { /* swap with the next */
            size_t a = e->off, l1 = e->len, l2 = sp[i + 1].len;
            unsigned char *m = malloc(size);
            memcpy(m, data, size);
            memcpy(m + a, data + a + l1, l2);
            memcpy(m + a + l2, data + a, l1);
            rc = write_file(out, m, size, NULL, 0, NULL, 0);
            free(m);
        } else if (op == 3) { /* move elsewhere (often into another P's batch) */
            size_t j;
            do j = rnd(n);
            while (j == i);
            unsigned char *m = malloc(size);
            size_t w = 0;
            for (size_t q = 0; q < n; q++) {
                if (q == j) {
                    memcpy(m + w, data + e->off, e->len);
                    w += e->len;
                }
                if (q == i) continue;
                memcpy(m + w, data + sp[q].off, sp[q].len);
                w += sp[q].len;
            }
            rc = write_file(out, data, sp[0].off, m, w, NULL, 0);
            free(m);
        } else { /* another type, or one argument changed */
            gt_event x = e->ev;
            if (op == 4) {
                x.type = (uint8_t)other_type(x.type, version);
            } else {
                unsigned a = (unsigned)rnd(x.nargs);
                uint64_t v = x.args[a];
                switch (rnd(4)) {
                case 0: v = v + 1; break;
                case 1: v = v ? v - 1 : 1; break;
                case 2: v = rnd(4); break;
                default: v = v * 2 + rnd(1000); break;
                }
                x.args[a] = v;
                x.width[a] = 0;
            }
            x.block_len_width = x.block_len_width ? 1 : 0;
            if (x.block_len_width) {
                size_t len = 0;
                for (unsigned q = 0; q < x.nargs; q++) len += gt_uvarint_size(x.args[q]);
                x.block_len = (uint32_t)len;
                x.block_len_width = (uint8_t)gt_uvarint_size(len);
            }
            size_t wrote = 0;
            if (gt_encode_event(buf, sizeof buf, version, &x, &wrote) != GT_OK) {
                k--; /* could not re-encode: pick another mutation */
                continue;
            }
            rc = write_file(out, data, e->off, buf, wrote, data + e->off + e->len, size - e->off - e->len);
        }
        if (rc != 0) {
            fprintf(stderr, "legacy_check: %s: %s\n", out, strerror(errno));
            return 2;
        }
    }
    free(sp);
    gt_reader_free(r);
    free(data);
    return 0;
}

static int corrupt(uint64_t seed, long count, const char *outdir, const char *path)
{
    size_t size = 0;
    unsigned char *data = tool_read_file(path, &size);
    if (!data || size <= GT_HEADER_SIZE) {
        fprintf(stderr, "legacy_check: %s: cannot read a trace\n", path);
        free(data);
        return 2;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    unsigned char *m = malloc(size);
    for (long k = 0; k < count; k++) {
        rng_state = seed * 1000003u + (uint64_t)k;
        rnd(1);
        memcpy(m, data, size);
        for (uint64_t f = 1 + rnd(4); f > 0; f--) m[GT_HEADER_SIZE + rnd(size - GT_HEADER_SIZE)] ^= (unsigned char)(1u << rnd(8));
        size_t n = rnd(5) == 0 ? GT_HEADER_SIZE + (size_t)rnd(size - GT_HEADER_SIZE) : size;
        char out[4096];
        snprintf(out, sizeof out, "%s/%s.c%llu-%ld", outdir, base, (unsigned long long)seed, k);
        if (write_file(out, m, n, NULL, 0, NULL, 0) != 0) {
            fprintf(stderr, "legacy_check: %s: %s\n", out, strerror(errno));
            return 2;
        }
    }
    free(m);
    free(data);
    return 0;
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
    if (argc == 6 && !strcmp(argv[1], "-mutate"))
        return mutate(strtoull(argv[2], NULL, 10), strtol(argv[3], NULL, 10), argv[4], argv[5]);
    if (argc == 6 && !strcmp(argv[1], "-corrupt"))
        return corrupt(strtoull(argv[2], NULL, 10), strtol(argv[3], NULL, 10), argv[4], argv[5]);
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
        fprintf(stderr, "usage: legacy_check [-oracle auto|go121|go127] [-mem BYTES] [-stats] FILE...\n"
                        "       legacy_check -mutate|-corrupt SEED COUNT OUTDIR FILE\n");
        return 2;
    }
    for (; i < argc; i++) {
        size_t size = 0;
        unsigned char *data = tool_read_file(argv[i], &size);
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
