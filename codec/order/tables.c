/* One generation's tables, read as Go 1.27 reads them (generation.go:
 * addStrings, addStacks, addCPUSamples, setSyncBatch, validateStackStrings,
 * fixUpCPUSamples), with Go's messages. Errors name the offset of the entry
 * that broke the rule. */
#include <inttypes.h>
#include <stdlib.h>

#include "order.h"

/* A reader over one batch payload, like Go's bytes.Reader. */
typedef struct rd {
    const uint8_t *p, *end;
    const uint8_t *start;
    uint64_t base; /* file offset of start */
} rd;

static uint64_t rd_off(const rd *r) { return r->base + (uint64_t)(r->p - r->start); }

/* Go's binary.ReadUvarint: 0 ok, else the error code of ord_read_uvarint. */
static int rd_uv(rd *r, uint64_t *v)
{
    size_t used = 0;
    int e = ord_read_uvarint(r->p, (size_t)(r->end - r->p), v, &used);
    r->p += used;
    return e;
}

/* A varint error Go returns as it is (not wrapped). A table or sync batch
 * that ends right before a varint gives io.EOF itself, which Go's readers
 * cannot tell from the end of the trace. */
static gt_status raw_err(gt_parser *p, int code, uint64_t off)
{
    ord_fault_set(p, &p->pending, ord_uvarint_status(code), off, "%s", ord_uvarint_error(code));
    p->pending.go_eof = code == 1;
    return p->pending.status;
}

static gt_status id_limit(gt_parser *p, uint64_t off)
{
    const ord_gen *g = &p->gen;
    if (g->strings.count + g->stacks.count < p->lim.max_ids) return GT_OK;
    return ord_fault_set(p, &p->pending, GT_ERR_LIMIT, off,
                         "more than %" PRIu64 " string and stack IDs in generation %" PRIu64, p->lim.max_ids, g->gen);
}

static gt_status alloc_fail(gt_parser *p, gt_status s, uint64_t off, const char *what)
{
    return ord_fault_set(p, &p->pending, s, off, "%s %s",
                         s == GT_ERR_LIMIT ? "memory limit reached storing" : "out of memory storing", what);
}

const ord_str ord_empty_string = {(const uint8_t *)"", 0};
const ord_stack ord_no_stack = {NULL, 0, 0, 0};

/* Index the string and stack tables by ID when the IDs are compact (the
 * runtime numbers them from 1): lookups are then one array access. */
gt_status ord_densify(gt_parser *p)
{
    ord_gen *g = &p->gen;
    uint64_t max_s = 0, max_k = 0, key;
    size_t it = 0;
    void *val;
    while (ord_map_next(&g->strings, &it, &key, &val)) max_s = key > max_s ? key : max_s;
    it = 0;
    while (ord_map_next(&g->stacks, &it, &key, &val)) max_k = key > max_k ? key : max_k;
    if (max_s > 2 * (uint64_t)g->strings.count + 64 || max_k > 2 * (uint64_t)g->stacks.count + 64) return GT_OK;
    size_t ns = (size_t)max_s + 1, nk = (size_t)max_k + 1;
    if (ord_grow_size(p, &g->dstrings, sizeof *g->dstrings, &g->dstrings_cap, ns) != GT_OK ||
        ord_grow_size(p, &g->dstacks, sizeof *g->dstacks, &g->dstacks_cap, nk) != GT_OK)
        return GT_OK; /* the maps still answer */
    size_t ws = ns / 64 + 1, wk = nk / 64 + 1;
    if (ord_grow_size(p, &g->sbits, sizeof *g->sbits, &g->sbits_cap, ws) != GT_OK ||
        ord_grow_size(p, &g->kbits, sizeof *g->kbits, &g->kbits_cap, wk) != GT_OK)
        return GT_OK;
    memset(g->dstrings, 0, ns * sizeof *g->dstrings);
    memset(g->dstacks, 0, nk * sizeof *g->dstacks);
    memset(g->sbits, 0, ws * sizeof *g->sbits);
    memset(g->kbits, 0, wk * sizeof *g->kbits);
    g->sbits[0] = g->kbits[0] = 1; /* ID 0 */
    it = 0;
    while (ord_map_next(&g->strings, &it, &key, &val)) {
        g->dstrings[key] = *(const ord_str *)val;
        g->sbits[key >> 6] |= (uint64_t)1 << (key & 63);
    }
    it = 0;
    while (ord_map_next(&g->stacks, &it, &key, &val)) {
        g->dstacks[key] = *(const ord_stack *)val;
        g->kbits[key >> 6] |= (uint64_t)1 << (key & 63);
    }
    g->nd_strings = ns;
    g->nd_stacks = nk;
    g->dense = true;
    return GT_OK;
}

/*-************************************
 *  Strings
 **************************************/
gt_status ord_add_strings(gt_parser *p, const ord_raw *b, const uint8_t *data)
{
    ord_gen *g = &p->gen;
    rd r = {data + 1, data + b->len, data, b->data_offset};
    while (r.p < r.end) {
        uint64_t off = rd_off(&r);
        uint8_t t = *r.p++;
        if (t != GT_V2_STRING)
            return ord_fault_set(p, &p->pending, GT_ERR_BAD_TABLE, off, "expected string event, got %u", t);
        uint64_t id, len;
        int e;
        if ((e = rd_uv(&r, &id)) || (e = rd_uv(&r, &len))) return raw_err(p, e, off);
        if (len > GO_MAX_STRING)
            return ord_fault_set(p, &p->pending, GT_ERR_STRING_SIZE, off, "invalid string size %" PRIu64 ", maximum is %u",
                                 len, GO_MAX_STRING);
        size_t have = (size_t)(r.end - r.p);
        if (len > have)
            return ord_fault_set(p, &p->pending, GT_ERR_TRUNCATED, off,
                                 "failed to read full string: read %zu but wanted %" PRIu64, have, len);
        if (len > p->lim.max_string_size)
            return ord_fault_set(p, &p->pending, GT_ERR_LIMIT, off,
                                 "string %" PRIu64 " is %" PRIu64 " bytes, the limit is %" PRIu32, id, len,
                                 p->lim.max_string_size);
        const ord_str *old = ord_string(g, id);
        if (old) {
            ord_fault_set(p, &p->pending, GT_ERR_DUPLICATE_ID, off,
                          "multiple strings with the same ID: id=%" PRIu64 ", new=", id);
            ord_fault_append(p, &p->pending, r.p, (size_t)len);
            ord_fault_append(p, &p->pending, ", existing=", 11);
            ord_fault_append(p, &p->pending, old->p, old->len);
            return GT_ERR_DUPLICATE_ID;
        }
        gt_status s = id_limit(p, off);
        if (s != GT_OK) return s;
        bool created;
        ord_str *v = ord_map_put(p, &g->strings, id, &created, &s);
        if (!v) return alloc_fail(p, s, off, "strings");
        v->p = r.p;
        v->len = (uint32_t)len;
        r.p += len;
    }
    return GT_OK;
}

/*-************************************
 *  Stacks
 **************************************/
static gt_status stack_text(gt_parser *p, ord_fault *f, const uint8_t *frames, uint32_t n, size_t nbytes)
{
    if (!frames || !n) return GT_OK; /* the implicit empty stack (ID 0) has no bytes */
    rd r = {frames, frames + nbytes, frames, 0};
    for (uint32_t i = 0; i < n; i++) {
        uint64_t v[4];
        for (int k = 0; k < 4; k++) (void)rd_uv(&r, &v[k]);
        char buf[32];
        int len = snprintf(buf, sizeof buf, "\t0x%" PRIx64 "\n", v[0]);
        gt_status s = ord_fault_append(p, f, buf, (size_t)len);
        if (s != GT_OK) return s;
    }
    return GT_OK;
}

gt_status ord_add_stacks(gt_parser *p, const ord_raw *b, const uint8_t *data)
{
    ord_gen *g = &p->gen;
    static const char *const field[4] = {"PC", "funcID", "fileID", "line"};
    rd r = {data + 1, data + b->len, data, b->data_offset};
    while (r.p < r.end) {
        uint64_t off = rd_off(&r);
        uint8_t t = *r.p++;
        if (t != GT_V2_STACK)
            return ord_fault_set(p, &p->pending, GT_ERR_BAD_TABLE, off, "expected stack event, got %u", t);
        uint64_t id, nframes;
        int e;
        if ((e = rd_uv(&r, &id)) || (e = rd_uv(&r, &nframes))) return raw_err(p, e, off);
        if (nframes > GO_MAX_FRAMES)
            return ord_fault_set(p, &p->pending, GT_ERR_STACK_SIZE, off, "invalid stack size %" PRIu64 ", maximum is %u",
                                 nframes, GO_MAX_FRAMES);
        if (nframes > p->lim.max_frames)
            return ord_fault_set(p, &p->pending, GT_ERR_LIMIT, off, "stack %" PRIu64 " has %" PRIu64
                                 " frames, the limit is %" PRIu32, id, nframes, p->lim.max_frames);
        const uint8_t *frames = r.p;
        for (uint64_t i = 0; i < nframes; i++) {
            uint64_t v[4];
            for (int k = 0; k < 4; k++) {
                if ((e = rd_uv(&r, &v[k])))
                    return ord_fault_set(p, &p->pending, ord_uvarint_status(e), off,
                                         "reading frame %" PRIu64 "'s %s for stack %" PRIu64 ": %s", i + 1, field[k], id,
                                         ord_uvarint_error(e));
            }
            bool created;
            gt_status s = GT_OK;
            ord_pc *pc = ord_map_put(p, &g->pcs, v[0], &created, &s);
            if (!pc) return alloc_fail(p, s, off, "stack frames");
            if (created) *pc = (ord_pc){v[1], v[2], v[3], off};
        }
        const ord_stack *old = ord_stack_get(g, id);
        if (old) {
            ord_fault *f = &p->pending;
            ord_fault_set(p, f, GT_ERR_DUPLICATE_ID, off, "multiple trace.stacks with the same ID: id=%" PRIu64 ", new=", id);
            stack_text(p, f, frames, (uint32_t)nframes, (size_t)(r.p - frames));
            ord_fault_append(p, f, ", existing=", 11);
            stack_text(p, f, old->frames, old->nframes, old->nbytes);
            return GT_ERR_DUPLICATE_ID;
        }
        gt_status s = id_limit(p, off);
        if (s != GT_OK) return s;
        bool created;
        ord_stack *v = ord_map_put(p, &g->stacks, id, &created, &s);
        if (!v) return alloc_fail(p, s, off, "stacks");
        *v = (ord_stack){frames, off, (uint32_t)nframes, (uint32_t)(r.p - frames)};
    }
    return GT_OK;
}

/* Every frame's function and file strings must exist. Go walks the stacks
 * (by ascending ID when its table is dense) and each stack's PCs in order,
 * looking each PC's first-seen frame up. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

gt_status ord_validate_stacks(gt_parser *p)
{
    ord_gen *g = &p->gen;
    bool bad = false;
    size_t it = 0;
    uint64_t key;
    void *val;
    while (!bad && ord_map_next(&g->pcs, &it, &key, &val)) {
        const ord_pc *f = val;
        bad = !ord_string(g, f->func) || !ord_string(g, f->file);
    }
    if (!bad) return GT_OK;
    /* Rare path: find the first bad frame in Go's order. */
    size_t n = g->stacks.count, bytes = n * sizeof(uint64_t);
    uint64_t *ids = gt_mem_alloc(&p->mem, bytes ? bytes : 1);
    if (!ids) return alloc_fail(p, ord_alloc_status(p, bytes), g->start_offset, "stack IDs");
    size_t k = 0;
    it = 0;
    while (ord_map_next(&g->stacks, &it, &key, &val)) ids[k++] = key;
    qsort(ids, n, sizeof *ids, cmp_u64);
    gt_status s = GT_OK;
    for (size_t i = 0; i < n && s == GT_OK; i++) {
        const ord_stack *st = ord_stack_get(g, ids[i]);
        rd r = {st->frames, st->frames + st->nbytes, st->frames, 0};
        for (uint32_t j = 0; j < st->nframes; j++) {
            uint64_t v[4];
            for (int q = 0; q < 4; q++) (void)rd_uv(&r, &v[q]);
            const ord_pc *f = ord_map_get(&g->pcs, v[0]);
            if (!ord_string(g, f->func)) {
                s = ord_fault_set(p, &p->pending, GT_ERR_UNDEFINED_STRING, st->offset,
                                  "found invalid func string ID %" PRIu64 " for stack %" PRIu64, f->func, ids[i]);
                break;
            }
            if (!ord_string(g, f->file)) {
                s = ord_fault_set(p, &p->pending, GT_ERR_UNDEFINED_STRING, st->offset,
                                  "found invalid file string ID %" PRIu64 " for stack %" PRIu64, f->file, ids[i]);
                break;
            }
        }
    }
    gt_mem_free(&p->mem, ids, bytes ? bytes : 1);
    return s;
}

/*-************************************
 *  CPU samples
 **************************************/
gt_status ord_add_samples(gt_parser *p, const ord_raw *b)
{
    ord_gen *g = &p->gen;
    rd r = {b->data + 1, b->data + b->len, b->data, b->data_offset};
    while (r.p < r.end) {
        uint64_t off = rd_off(&r);
        uint8_t t = *r.p++;
        if (t != GT_V2_CPU_SAMPLE)
            return ord_fault_set(p, &p->pending, GT_ERR_BAD_TABLE, off, "expected CPU sample event, got %u", t);
        uint64_t v[5];
        for (int k = 0; k < 5; k++) {
            int e = rd_uv(&r, &v[k]);
            if (e) return raw_err(p, e, off);
        }
        gt_status s = ord_grow_size(p, &g->samples, sizeof *g->samples, &g->samples_cap, g->nsamples + 1);
        if (s != GT_OK) return alloc_fail(p, s, off, "CPU samples");
        ord_sample *smp = &g->samples[g->nsamples++];
        smp->time = (int64_t)v[0]; /* ticks until ord_fix_samples */
        smp->m = (int64_t)v[1];
        smp->p = (int64_t)v[2];
        smp->g = v[3] == 0 ? NO_ID : (int64_t)v[3];
        smp->stack = v[4];
        smp->offset = off;
    }
    return GT_OK;
}

void ord_fix_samples(gt_parser *p)
{
    ord_gen *g = &p->gen;
    for (size_t i = 0; i < g->nsamples; i++)
        g->samples[i].time = ord_freq_mul(g->freq, (uint64_t)g->samples[i].time);
    ord_sort_samples(g->samples, g->nsamples);
}

/*-************************************
 *  Sync (go 1.25+) or frequency (go 1.22-1.24) batch
 **************************************/
gt_status ord_set_sync(gt_parser *p, const ord_raw *b)
{
    ord_gen *g = &p->gen;
    rd r = {b->data, b->data + b->len, b->data, b->data_offset};
    if (p->version >= 25) r.p++; /* the Sync byte */
    uint64_t last = b->time;
    while (r.p < r.end) {
        uint64_t off = rd_off(&r);
        uint8_t t = *r.p++;
        int e;
        if (t == GT_V2_FREQUENCY) {
            if (g->has_freq)
                return ord_fault_set(p, &p->pending, GT_ERR_DUPLICATE_FREQUENCY, off, "found multiple frequency events");
            uint64_t f;
            if ((e = rd_uv(&r, &f))) return raw_err(p, e, off);
            g->freq = 1.0 / ((double)f / 1e9);
            g->has_freq = true;
        } else if (t == GT_V2_CLOCK_SNAPSHOT && p->version >= 25) {
            if (g->has_clock)
                return ord_fault_set(p, &p->pending, GT_ERR_DUPLICATE_CLOCK, off, "found multiple clock snapshot events");
            g->has_clock = true;
            uint64_t v[4];
            for (int k = 0; k < 4; k++)
                if ((e = rd_uv(&r, &v[k]))) return raw_err(p, e, off);
            last += v[0];
            g->snap_time = last;
            g->snap_mono = v[1];
            g->snap_sec = v[2];
            g->snap_nsec = v[3];
        } else {
            return ord_fault_set(p, &p->pending, GT_ERR_BAD_TABLE, off,
                                 "expected frequency or clock snapshot event, got %u", t);
        }
    }
    return GT_OK;
}

/*-************************************
 *  Life cycle
 **************************************/
void ord_gen_reset(gt_parser *p)
{
    ord_gen *g = &p->gen;
    g->gen = 0;
    g->min_ts = 0;
    g->start_offset = 0;
    g->bytes = 0;
    g->nbatches = 0;
    g->nms = 0;
    g->nevent_batches = 0;
    ord_map_clear(&g->ms_index);
    ord_map_clear(&g->strings);
    ord_map_clear(&g->stacks);
    g->dense = false;
    g->nd_strings = g->nd_stacks = 0;
    ord_map_clear(&g->pcs);
    g->nsamples = 0;
    g->freq = 0;
    g->has_freq = false;
    g->has_clock = false;
    g->snap_time = g->snap_mono = g->snap_sec = g->snap_nsec = 0;
    ord_chunks_reset(p);
}

void ord_gen_free(gt_parser *p)
{
    ord_gen *g = &p->gen;
    gt_mem_free(&p->mem, g->batches, (size_t)g->batches_cap * sizeof *g->batches);
    gt_mem_free(&p->mem, g->ms, (size_t)g->ms_cap * sizeof *g->ms);
    gt_mem_free(&p->mem, g->samples, g->samples_cap * sizeof *g->samples);
    ord_map_free(p, &g->ms_index);
    gt_mem_free(&p->mem, g->dstrings, g->dstrings_cap * sizeof *g->dstrings);
    gt_mem_free(&p->mem, g->dstacks, g->dstacks_cap * sizeof *g->dstacks);
    gt_mem_free(&p->mem, g->sbits, g->sbits_cap * sizeof *g->sbits);
    gt_mem_free(&p->mem, g->kbits, g->kbits_cap * sizeof *g->kbits);
    g->dstrings = NULL;
    g->dstacks = NULL;
    g->sbits = g->kbits = NULL;
    g->dstrings_cap = g->dstacks_cap = g->sbits_cap = g->kbits_cap = 0;
    ord_map_free(p, &g->strings);
    ord_map_free(p, &g->stacks);
    ord_map_free(p, &g->pcs);
    ord_chunks_free(p);
    g->batches = NULL;
    g->ms = NULL;
    g->samples = NULL;
    g->batches_cap = g->ms_cap = 0;
    g->samples_cap = 0;
}
