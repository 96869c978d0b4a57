#include "fuzz_trace.h"

#include <string.h>

uint64_t fuzz_hash_u64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}

uint64_t fuzz_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    h = fuzz_hash_u64(h, n);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        h = fuzz_hash_u64(h, v);
        b += 8;
        n -= 8;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)b[i] << (8 * i);
    return fuzz_hash_u64(h, v);
}

uint64_t fuzz_hash_item(uint64_t h, const gt_event *ev)
{
    h = fuzz_hash_u64(h, (uint64_t)ev->kind << 24 | (uint64_t)ev->type << 16 | (uint64_t)ev->nargs << 8 | ev->argbits);
    for (unsigned i = 0; i < ev->nargs && i < GT_MAX_ARGS; i++)
        h = fuzz_hash_u64(fuzz_hash_u64(h, ev->args[i]), ev->width[i]);
    h = fuzz_hash_u64(h, ev->data != NULL);
    if (ev->data) h = fuzz_hash_bytes(h, ev->data, (size_t)ev->data_len);
    h = fuzz_hash_u64(h, ev->data_len);
    h = fuzz_hash_u64(h, (uint64_t)ev->data_len_width << 40 | (uint64_t)ev->block_len_width << 32 | ev->block_len);
    h = fuzz_hash_u64(h, ev->nframes);
    for (uint32_t f = 0; ev->frames && f < ev->nframes; f++) {
        const gt_frame *fr = &ev->frames[f];
        h = fuzz_hash_u64(fuzz_hash_u64(fuzz_hash_u64(fuzz_hash_u64(h, fr->pc), fr->func), fr->file), fr->line);
        h = fuzz_hash_bytes(h, fr->width, sizeof fr->width);
    }
    h = fuzz_hash_u64(h, ev->experiment);
    h = fuzz_hash_u64(h, ev->time);
    h = fuzz_hash_u64(h, ev->offset);
    h = fuzz_hash_u64(h, ev->batch);
    h = fuzz_hash_u64(h, ev->index);
    h = fuzz_hash_u64(h, ev->generation);
    h = fuzz_hash_u64(h, ev->m);
    return fuzz_hash_u64(h, ev->spec ? ev->spec->type + 1u : 0u);
}

void fuzz_check_init(fuzz_check *c, const uint8_t *base, uint64_t size, const gt_limits *lim)
{
    gt_limits d;
    gt_limits_default(&d);
    memset(c, 0, sizeof *c);
    c->base = base;
    c->size = size;
    c->lim = lim ? *lim : d;
    if (!c->lim.max_batch_size) c->lim.max_batch_size = d.max_batch_size;
    if (!c->lim.max_string_size) c->lim.max_string_size = d.max_string_size;
    if (!c->lim.max_frames) c->lim.max_frames = d.max_frames;
    if (!c->lim.max_ids) c->lim.max_ids = d.max_ids;
    if (!c->lim.max_memory) c->lim.max_memory = d.max_memory;
    c->digest = 0x6774726163650000ull; /* "gtrace" */
}

void fuzz_check_reader(fuzz_check *c, const gt_reader *r) { gt_reader_memory(r, &c->mem_floor, NULL); }

gt_reader *fuzz_open_buffer(fuzz_check *c, const uint8_t *data, size_t size, int validate)
{
    gt_reader *r = gt_reader_create(NULL);
    FUZZ_ASSERT(r != NULL);
    fuzz_check_init(c, data, size, NULL);
    fuzz_check_reader(c, r);
    FUZZ_OK(gt_reader_set_validation(r, validate));
    FUZZ_OK(gt_reader_set_buffer(r, data, size));
    return r;
}

static int is_wire_kind(uint8_t kind)
{
    return kind != GT_KIND_HEADER && kind != GT_KIND_GENERATION_END && kind != GT_KIND_IGNORED_DATA;
}

void fuzz_check_item(fuzz_check *c, const gt_reader *r, const gt_event *ev)
{
    FUZZ_ASSERT(ev->kind >= GT_KIND_HEADER && ev->kind <= GT_KIND_GENERATION_END);
    FUZZ_ASSERT(ev->nargs <= GT_MAX_ARGS);
    if (c->filtered) {
        c->version = gt_reader_version(r);
    } else if (c->items == 0) {
        /* The first item is always the header. */
        FUZZ_ASSERT(ev->kind == GT_KIND_HEADER);
        FUZZ_ASSERT(ev->nargs == 1 && ev->offset == 0);
        FUZZ_ASSERT(gt_version_format((unsigned)ev->args[0]) != GT_FORMAT_UNKNOWN);
        c->version = (unsigned)ev->args[0];
        FUZZ_ASSERT(gt_reader_version(r) == c->version);
    } else {
        FUZZ_ASSERT(ev->kind != GT_KIND_HEADER);
    }
    const int v2 = gt_version_format(c->version) == GT_FORMAT_V2;
    /* Offsets: inside the input, in file order. */
    FUZZ_ASSERT(ev->offset <= c->size);
    FUZZ_ASSERT(ev->offset >= c->last_offset);
    c->last_offset = ev->offset;
    if (ev->kind != GT_KIND_HEADER) FUZZ_ASSERT(ev->offset >= GT_HEADER_SIZE);
    /* Payload bytes: inside the input (zero copy) and not past its end. */
    if (ev->data) {
        FUZZ_ASSERT(ev->data_len <= c->size);
        FUZZ_ASSERT(ev->offset + ev->data_len <= c->size);
        if (c->base) {
            FUZZ_ASSERT(ev->data >= c->base && ev->data <= c->base + c->size);
            FUZZ_ASSERT(ev->data_len <= (uint64_t)(c->base + c->size - ev->data));
            FUZZ_ASSERT((uint64_t)(ev->data - c->base) >= ev->offset);
        }
        if (ev->kind == GT_KIND_STRING)
            FUZZ_ASSERT(ev->data_len <= (v2 ? c->lim.max_string_size : c->lim.max_batch_size));
    } else {
        FUZZ_ASSERT(ev->data_len == 0);
    }
    /* Frames. */
    FUZZ_ASSERT(ev->nframes <= c->lim.max_frames);
    if (ev->nframes) FUZZ_ASSERT(ev->frames != NULL && ev->kind == GT_KIND_STACK);
    for (uint32_t f = 0; f < ev->nframes; f++)
        for (unsigned k = 0; k < (c->version < 7 ? 1u : 4u); k++)
            FUZZ_ASSERT(ev->frames[f].width[k] >= 1 && ev->frames[f].width[k] <= GT_UVARINT_MAX);
    /* The spec, the type and the arguments. */
    if (is_wire_kind(ev->kind)) {
        FUZZ_ASSERT(ev->spec != NULL);
        FUZZ_ASSERT(ev->spec == gt_spec(c->version, ev->type));
        const gt_arg_spec *a[GT_MAX_ARGS];
        unsigned na = gt_spec_args(ev->spec, c->version, a);
        if (v2 && ev->kind == GT_KIND_BATCH) FUZZ_ASSERT(ev->nargs == 4);
        else FUZZ_ASSERT(ev->nargs == na);
        for (unsigned i = 0; i < ev->nargs; i++)
            FUZZ_ASSERT(ev->width[i] >= 1 && ev->width[i] <= GT_UVARINT_MAX);
        if (!v2) FUZZ_ASSERT(ev->type < 64 && ev->argbits < 4);
        if (ev->block_len_width) FUZZ_ASSERT(!v2 && ev->argbits == 3);
        if (ev->data) FUZZ_ASSERT(ev->data_len_width >= 1 && ev->data_len_width <= GT_UVARINT_MAX);
    }
    if (ev->kind == GT_KIND_GENERATION_END) FUZZ_ASSERT(v2 && ev->nargs == 1 && ev->args[0] == ev->generation);
    if (!v2) FUZZ_ASSERT(ev->generation == GT_NONE);
    c->items++;
    c->digest = fuzz_hash_item(c->digest, ev);
#ifdef FUZZ_DEBUG /* -DFUZZ_DEBUG: print every item, to compare two runs */
    fprintf(stderr, "item %llu kind %u type %u off %llu nargs %u data_len %llu nframes %u hash %016llx\n",
            (unsigned long long)c->items, ev->kind, ev->type, (unsigned long long)ev->offset, ev->nargs,
            (unsigned long long)ev->data_len, ev->nframes, (unsigned long long)fuzz_hash_item(0, ev));
#endif
}

void fuzz_check_end(fuzz_check *c, gt_reader *r, gt_status s, fuzz_run *out)
{
    FUZZ_ASSERT_MSG(s == GT_END || gt_is_error(s), gt_status_name(s));
    FUZZ_ASSERT(strcmp(gt_status_name(s), "GT_UNKNOWN_STATUS") != 0);
    const gt_error *e = gt_reader_error(r);
    if (s == GT_END) {
        FUZZ_ASSERT(e->status == GT_OK);
        FUZZ_ASSERT(c->items >= 1 || c->filtered);
    } else {
        FUZZ_ASSERT(e->status == s);
        FUZZ_ASSERT(e->offset <= c->size);
        FUZZ_ASSERT(memchr(e->message, '\0', sizeof e->message) != NULL);
        FUZZ_ASSERT(e->message[0] != '\0');
        if (e->batch != GT_NONE) FUZZ_ASSERT(e->batch <= c->size);
    }
    /* Sticky: asking again changes nothing. */
    gt_event ev;
    FUZZ_ASSERT(gt_reader_next(r, &ev) == s);
    FUZZ_ASSERT(gt_reader_error(r)->status == e->status);
    gt_salvage sv;
    gt_reader_salvage(r, c->size, &sv);
    FUZZ_ASSERT(sv.good_bytes <= c->size);
    FUZZ_ASSERT(sv.good_bytes + sv.lost_bytes == c->size);
    if (s == GT_END) FUZZ_ASSERT(sv.lost_bytes == 0 && sv.lost_generation == GT_NONE);
    /* v2: what is kept ends before the damage (legacy reports a missing
     * table entry at its first reference, inside the kept events). */
    if (s != GT_END && gt_version_format(c->version) == GT_FORMAT_V2) FUZZ_ASSERT(sv.good_bytes <= e->offset);
    uint64_t cur = 0, peak = 0;
    gt_reader_memory(r, &cur, &peak);
    FUZZ_ASSERT(cur <= peak);
    FUZZ_ASSERT_MSG(peak <= c->lim.max_memory || peak <= c->mem_floor, "memory budget exceeded");

    memset(out, 0, sizeof *out);
    out->status = s;
    out->err = *e;
    out->salvage = sv;
    out->version = c->version;
    out->items = c->items;
    out->item_digest = c->digest;
    uint64_t h = fuzz_hash_u64(c->digest, (uint64_t)s);
    h = fuzz_hash_u64(fuzz_hash_u64(fuzz_hash_u64(h, e->offset), e->batch), e->event);
    h = fuzz_hash_u64(h, e->generation);
    h = fuzz_hash_bytes(h, e->message, strlen(e->message));
    h = fuzz_hash_u64(fuzz_hash_u64(h, sv.good_bytes), sv.lost_generation);
    out->digest = fuzz_hash_u64(h, sv.generations);
}

int fuzz_decode_buffer(const uint8_t *data, size_t size, int validate, const gt_limits *lim,
                       const gt_alloc *alloc, fuzz_run *out, uint64_t *trail, size_t trail_cap)
{
    return fuzz_decode_buffer_ex(data, size, validate, lim, alloc, UINT32_MAX, out, trail, trail_cap);
}

int fuzz_decode_buffer_ex(const uint8_t *data, size_t size, int validate, const gt_limits *lim,
                          const gt_alloc *alloc, uint32_t filter, fuzz_run *out, uint64_t *trail, size_t trail_cap)
{
    gt_reader *r = gt_reader_create(alloc);
    if (!r) return -1;
    fuzz_check c;
    fuzz_check_init(&c, data, size, lim);
    fuzz_check_reader(&c, r);
    FUZZ_OK(gt_reader_set_limits(r, lim));
    FUZZ_OK(gt_reader_set_validation(r, validate));
    FUZZ_OK(gt_reader_set_buffer(r, data, size));
    if (filter != UINT32_MAX) {
        gt_reader_set_filter(r, filter);
        c.filtered = 1;
    }
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        if (trail && c.items <= trail_cap) trail[c.items - 1] = c.digest;
    }
    fuzz_check_end(&c, r, s, out);
    gt_reader_free(r);
    return 0;
}

static void print_run(const char *label, const fuzz_run *r)
{
    fprintf(stderr,
            "  %s: %s after %llu items (items digest %016llx); error at %llu batch %lld event %lld generation %lld: %s;"
            " salvage good %llu lost %llu generation %lld generations %llu\n",
            label, gt_status_name(r->status), (unsigned long long)r->items, (unsigned long long)r->item_digest,
            (unsigned long long)r->err.offset, (long long)r->err.batch, (long long)r->err.event,
            (long long)r->err.generation, r->err.message, (unsigned long long)r->salvage.good_bytes,
            (unsigned long long)r->salvage.lost_bytes, (long long)r->salvage.lost_generation,
            (unsigned long long)r->salvage.generations);
}

void fuzz_assert_same_run(const fuzz_run *a, const fuzz_run *b, const char *what)
{
    if (a->digest == b->digest && a->items == b->items && a->status == b->status) return;
    fprintf(stderr, "%s: the runs differ\n", what);
    print_run("first ", a);
    print_run("second", b);
    abort();
}

/* ---- fuzz_arena ---- */
enum { HDR = 16 }; /* bytes in front of each block: its size */

static int refuse(fuzz_arena *a)
{
    a->calls++;
    return a->fail_at && (a->calls == a->fail_at || (a->fail_after && a->calls > a->fail_at));
}

/* Like a real malloc, refuse absurd sizes (a caller may set huge limits).
 * 64 MiB, not more: under ASan every large block is mapped, its shadow
 * poisoned and, once freed, quarantined, so a program that retried a start
 * needing 671 MB a hundred times took 14 s (slow unit of the CI smoke,
 * corpus/regressions/encoder_ops/start-retries-map-671-mb-each-under-asan). */
#define ARENA_MAX ((size_t)64 << 20)

static void *a_malloc(void *ctx, size_t size)
{
    fuzz_arena *a = ctx;
    FUZZ_ASSERT(size > 0);
    if (refuse(a) || size > ARENA_MAX) return NULL;
    uint8_t *p = fuzz_malloc(size + HDR);
    memcpy(p, &size, sizeof size);
    a->live_bytes += size;
    a->live_blocks++;
    return p + HDR;
}

static void *a_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
    fuzz_arena *a = ctx;
    uint8_t *p = (uint8_t *)ptr - HDR;
    size_t had;
    memcpy(&had, p, sizeof had);
    FUZZ_ASSERT_MSG(had == old_size, "realloc with the wrong old size");
    if (refuse(a) || new_size > ARENA_MAX) return NULL;
    uint8_t *q = realloc(p, new_size + HDR);
    FUZZ_ASSERT(q != NULL);
    memcpy(q, &new_size, sizeof new_size);
    a->live_bytes = a->live_bytes - old_size + new_size;
    return q + HDR;
}

static void a_free(void *ctx, void *ptr, size_t size)
{
    fuzz_arena *a = ctx;
    FUZZ_ASSERT(ptr != NULL);
    uint8_t *p = (uint8_t *)ptr - HDR;
    size_t had;
    memcpy(&had, p, sizeof had);
    FUZZ_ASSERT_MSG(had == size, "free with the wrong size");
    FUZZ_ASSERT(a->live_blocks > 0 && a->live_bytes >= size);
    a->live_bytes -= size;
    a->live_blocks--;
    free(p);
}

gt_alloc fuzz_arena_alloc(fuzz_arena *a)
{
    gt_alloc alc = {a_malloc, a_realloc, a_free, a};
    return alc;
}

/* ---- filters ---- */
void fuzz_log_init(fuzz_log *l, size_t cap)
{
    l->kinds = fuzz_malloc(cap);
    l->hashes = fuzz_malloc(cap * sizeof *l->hashes);
    l->n = 0;
    l->cap = cap;
}

void fuzz_log_free(fuzz_log *l)
{
    free(l->kinds);
    free(l->hashes);
}

void fuzz_decode_logged(const uint8_t *data, size_t size, int validate, fuzz_log *log, fuzz_run *out)
{
    fuzz_check c;
    gt_reader *r = fuzz_open_buffer(&c, data, size, validate);
    gt_event ev;
    gt_status s;
    log->n = 0;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        FUZZ_ASSERT(log->n < log->cap);
        log->kinds[log->n] = ev.kind;
        log->hashes[log->n++] = fuzz_hash_item(0, &ev);
    }
    fuzz_check_end(&c, r, s, out);
    /* Without a filter, the counts are the items delivered. */
    for (unsigned k = GT_KIND_HEADER; k <= GT_KIND_GENERATION_END; k++) {
        uint64_t n = 0;
        for (size_t i = 0; i < log->n; i++) n += log->kinds[i] == k;
        FUZZ_ASSERT_MSG(gt_reader_count(r, (gt_kind)k) == n, "gt_reader_count differs from the items delivered");
    }
    gt_reader_free(r);
}

void fuzz_check_filtered(const uint8_t *data, size_t size, int validate, const fuzz_log *log, const fuzz_run *full,
                         uint32_t mask1, uint64_t switch_after, uint32_t mask2)
{
    fuzz_check c;
    gt_reader *r = fuzz_open_buffer(&c, data, size, validate);
    c.filtered = 1;
    gt_reader_set_filter(r, mask1);
    uint32_t mask = mask1;
    size_t pos = 0; /* next logged item */
    uint64_t delivered = 0;
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        FUZZ_ASSERT_MSG((mask >> ev.kind) & 1u, "an item of a filtered-out kind was delivered");
        while (pos < log->n && !((mask >> log->kinds[pos]) & 1u)) pos++;
        FUZZ_ASSERT_MSG(pos < log->n, "the filtered decode delivered more items");
        FUZZ_ASSERT_MSG(log->kinds[pos] == ev.kind && log->hashes[pos] == fuzz_hash_item(0, &ev),
                        "the filtered decode delivered a different item");
        pos++;
        if (++delivered == switch_after) {
            mask = mask2;
            gt_reader_set_filter(r, mask2);
        }
    }
    while (pos < log->n && !((mask >> log->kinds[pos]) & 1u)) pos++;
    FUZZ_ASSERT_MSG(pos == log->n, "the filtered decode missed items");
    fuzz_run run;
    fuzz_check_end(&c, r, s, &run);
    FUZZ_ASSERT_MSG(run.status == full->status && run.err.offset == full->err.offset &&
                        strcmp(run.err.message, full->err.message) == 0 &&
                        run.salvage.good_bytes == full->salvage.good_bytes &&
                        run.salvage.generations == full->salvage.generations,
                    "a filter changed the verdict");
    for (unsigned k = GT_KIND_HEADER; k <= GT_KIND_GENERATION_END; k++) {
        uint64_t n = 0;
        for (size_t i = 0; i < log->n; i++) n += log->kinds[i] == k;
        FUZZ_ASSERT_MSG(gt_reader_count(r, (gt_kind)k) == n, "a filter changed gt_reader_count");
    }
    gt_reader_free(r);
}

/* fuzz_check_filters(): two filtered decodes whose masks come from the
 * input's hash (one kept, one changed mid-way) against a logged full one. */
/* A filter from the input's hash: one of a few useful masks, or any. */
static uint32_t pick_mask(uint64_t h)
{
    static const uint32_t masks[] = {1u << GT_KIND_GENERATION_END, 0, 1u << GT_KIND_BATCH,
                                     ~(1u << GT_KIND_EVENT), 1u << GT_KIND_STRING | 1u << GT_KIND_STACK};
    return h % 8 < 5 ? masks[h % 8] : (uint32_t)(h >> 8);
}

void fuzz_check_filters(const uint8_t *data, size_t size, int validate)
{
    fuzz_log log;
    fuzz_log_init(&log, size + 2);
    fuzz_run full;
    fuzz_decode_logged(data, size, validate, &log, &full);
    uint64_t h = fuzz_hash_bytes((uint64_t)validate, data, size);
    fuzz_check_filtered(data, size, validate, &log, &full, pick_mask(h), UINT64_MAX, 0);
    fuzz_check_filtered(data, size, validate, &log, &full, pick_mask(h >> 3), 1 + (h >> 40) % 8, pick_mask(h >> 17));
    fuzz_log_free(&log);
}
