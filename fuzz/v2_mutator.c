/* A structure-aware mutator for v2 traces (Go 1.22+), for libFuzzer
 * (LLVMFuzzerCustomMutator / LLVMFuzzerCustomCrossOver, built with
 * -DGT_MUT_LIBFUZZER) and AFL++ (afl_custom_init / afl_custom_fuzz, built as a
 * shared library with -DGT_MUT_AFL).
 *
 * Byte-level mutation of a trace mostly breaks its framing: a batch's size
 * field no longer matches its payload and the decoder stops at the first
 * batch. This mutator parses the input into a model:
 *
 *   header | top item... | tail
 *   top item = batch (type, experiment, gen, m, time, widths, events)
 *            | raw bytes (an end-of-generation marker, or an unparseable rest)
 *   event    = the bytes of one event (type byte, varints, frames, data), or
 *              the unparseable rest of a payload as one opaque chunk
 *
 * mutates it at the batch and event level, and writes it back with every
 * batch's size field recomputed (in its original width when the new size
 * fits, so the runtime's 10-byte reserved sizes stay). Operators: byte-level
 * mutation inside one event (LLVMFuzzerMutate under libFuzzer), an argument or
 * frame field set to an interesting value (0, 1, boundaries, IDs the trace
 * defines, neighbours) in a minimal or padded width, event deletion,
 * duplication, swap and move (also across batches), a new event of a random
 * type of the version with plausible arguments, batch deletion, duplication,
 * swap, generation/M/time changes, type flips between EventBatch and
 * ExperimentalBatch, end-of-generation markers, the header version, and
 * splicing batches from a second input. Rarely (1/64) a size is left off by
 * one on purpose. Inputs that are not v2 traces get byte-level mutation only.
 *
 * Parameters some targets draw from the end of their input survive: what does
 * not parse as a batch is kept as a raw tail.
 *
 * Everything is allocated per call and freed before returning; the result
 * depends only on the input and the seed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"

/*-************************************
 *  Randomness
 **************************************/
typedef struct mrng {
    uint64_t s;
} mrng;

static uint64_t rnd(mrng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}
static size_t below(mrng *r, size_t n) { return n ? (size_t)(rnd(r) % n) : 0; }
static int one_in(mrng *r, size_t n) { return below(r, n) == 0; }

/* Byte-level mutation of buf[0..size) with room for max bytes: returns the new size. */
typedef size_t (*byte_mutator)(uint8_t *buf, size_t size, size_t max, mrng *r);

/*-************************************
 *  The model
 **************************************/
typedef struct chunk {
    const uint8_t *p; /* into the input, the other input or the arena */
    size_t n;
} chunk;

enum { TOP_BATCH = 1, TOP_RAW };

typedef struct top {
    int kind;
    uint8_t type, exp;
    uint64_t gen, m, time;
    uint8_t w_gen, w_m, w_time, w_size;
    size_t first, count; /* chunks[first .. first+count) (TOP_BATCH), or one raw chunk */
} top;

typedef struct model {
    unsigned version;
    top *tops;
    size_t ntops, cap_tops;
    chunk *chunks;
    size_t nchunks, cap_chunks;
    uint8_t *arena; /* bytes of new or changed events */
    size_t arena_len, arena_cap;
    uint64_t ids[2][32]; /* string and stack IDs the input defines */
    size_t nids[2];
} model;

static int model_init(model *m, size_t input_size, size_t arena_cap)
{
    memset(m, 0, sizeof *m);
    m->cap_chunks = input_size + 256;
    m->cap_tops = input_size / 4 + 64;
    m->arena_cap = arena_cap;
    m->chunks = malloc(m->cap_chunks * sizeof *m->chunks);
    m->tops = malloc(m->cap_tops * sizeof *m->tops);
    m->arena = malloc(arena_cap);
    return m->chunks && m->tops && m->arena ? 0 : -1;
}

static void model_free(model *m)
{
    free(m->chunks);
    free(m->tops);
    free(m->arena);
}

/* Room in the arena, or NULL. */
static uint8_t *arena_take(model *m, size_t n)
{
    if (n > m->arena_cap - m->arena_len) return NULL;
    uint8_t *p = m->arena + m->arena_len;
    m->arena_len += n;
    return p;
}

/*-************************************
 *  Parsing
 **************************************/
static int read_uv(const uint8_t **p, const uint8_t *end, uint64_t *v, uint8_t *w)
{
    size_t width = 0;
    if (gt_uvarint_read(*p, (size_t)(end - *p), v, &width) != GT_OK) return -1;
    if (w) *w = (uint8_t)width;
    *p += width;
    return 0;
}

/* One parsed event. */
typedef struct pev {
    uint8_t type;
    unsigned nargs;
    uint64_t args[GT_MAX_ARGS];
    uint8_t w[GT_MAX_ARGS];
    unsigned nframes;          /* frames parsed into fr (at most 64 kept) */
    uint64_t fr[64][4];
    uint8_t frw[64][4];
    int has_data;
    const uint8_t *data;
    uint64_t data_len;
    uint8_t data_w;
} pev;

/* Parse the event at *p; advances *p. -1 if it does not parse. */
static int parse_event(unsigned version, const uint8_t **pp, const uint8_t *end, pev *e)
{
    const uint8_t *p = *pp;
    if (p >= end) return -1;
    const gt_event_spec *spec = gt_spec(version, *p);
    if (!spec) return -1;
    memset(e, 0, sizeof *e);
    e->type = *p++;
    const gt_arg_spec *a[GT_MAX_ARGS];
    e->nargs = gt_spec_args(spec, version, a);
    for (unsigned i = 0; i < e->nargs; i++)
        if (read_uv(&p, end, &e->args[i], &e->w[i])) return -1;
    if (spec->flags & GT_EV_IS_STACK) {
        if (e->nargs < 2 || e->args[1] > 64) return -1;
        e->nframes = (unsigned)e->args[1];
        for (unsigned f = 0; f < e->nframes; f++)
            for (unsigned k = 0; k < 4; k++)
                if (read_uv(&p, end, &e->fr[f][k], &e->frw[f][k])) return -1;
    }
    if (spec->flags & GT_EV_HAS_DATA) {
        e->has_data = 1;
        if (read_uv(&p, end, &e->data_len, &e->data_w)) return -1;
        if (e->data_len > (uint64_t)(end - p)) return -1;
        e->data = p;
        p += e->data_len;
    }
    *pp = p;
    return 0;
}

static int add_chunk(model *m, const uint8_t *p, size_t n)
{
    if (m->nchunks == m->cap_chunks) return -1;
    m->chunks[m->nchunks++] = (chunk){p, n};
    return 0;
}

static void note_id(model *m, int which, uint64_t id)
{
    if (id && m->nids[which] < 32) m->ids[which][m->nids[which]++] = id;
}

/* Split a payload into event chunks; an unparseable rest is one chunk. */
static int parse_payload(model *m, const uint8_t *p, const uint8_t *end, int opaque)
{
    while (p < end) {
        pev e;
        const uint8_t *q = p;
        if (opaque || parse_event(m->version, &q, end, &e)) return add_chunk(m, p, (size_t)(end - p));
        if (e.type == GT_V2_STRING) note_id(m, 0, e.args[0]);
        if (e.type == GT_V2_STACK) note_id(m, 1, e.args[0]);
        if (add_chunk(m, p, (size_t)(q - p))) return -1;
        p = q;
    }
    return 0;
}

static int add_top(model *m, const top *t)
{
    if (m->ntops == m->cap_tops) return -1;
    m->tops[m->ntops++] = *t;
    return 0;
}

/* Parse data[0..n) as a v2 trace. -1: not a v2 trace (or out of room). */
static int parse_trace(model *m, const uint8_t *data, size_t n)
{
    unsigned v;
    if (gt_header_parse(data, n, &v) != GT_OK || gt_version_format(v) != GT_FORMAT_V2) return -1;
    m->version = v;
    const uint8_t *p = data + GT_HEADER_SIZE, *end = data + n;
    while (p < end) {
        top t;
        memset(&t, 0, sizeof t);
        const uint8_t *q = p;
        uint64_t size = 0;
        int ok = 0;
        if (*q == GT_V2_EVENT_BATCH || *q == GT_V2_EXPERIMENTAL_BATCH) {
            t.kind = TOP_BATCH;
            t.type = *q++;
            ok = 1;
            if (t.type == GT_V2_EXPERIMENTAL_BATCH) {
                if (q < end) t.exp = *q++;
                else ok = 0;
            }
            ok = ok && !read_uv(&q, end, &t.gen, &t.w_gen) && !read_uv(&q, end, &t.m, &t.w_m) &&
                 !read_uv(&q, end, &t.time, &t.w_time) && !read_uv(&q, end, &size, &t.w_size) &&
                 size <= (uint64_t)(end - q);
        }
        if (ok) {
            t.first = m->nchunks;
            if (parse_payload(m, q, q + size, t.type == GT_V2_EXPERIMENTAL_BATCH && t.exp != 0)) return -1;
            t.count = m->nchunks - t.first;
            if (add_top(m, &t)) return -1;
            p = q + size;
        } else if (*p == GT_V2_END_OF_GENERATION) {
            t.kind = TOP_RAW;
            t.first = m->nchunks;
            t.count = 1;
            if (add_chunk(m, p, 1) || add_top(m, &t)) return -1;
            p++;
        } else {
            /* The rest (damage, or a target's trailing parameters). */
            t.kind = TOP_RAW;
            t.first = m->nchunks;
            t.count = 1;
            if (add_chunk(m, p, (size_t)(end - p)) || add_top(m, &t)) return -1;
            p = end;
        }
    }
    return 0;
}

/*-************************************
 *  Writing
 **************************************/
typedef struct out {
    uint8_t *p;
    size_t n, cap;
    int full;
} out;

static void put(out *o, const void *p, size_t n)
{
    if (o->full || n > o->cap - o->n) {
        o->full = 1;
        return;
    }
    if (n) memcpy(o->p + o->n, p, n);
    o->n += n;
}

static void put_byte(out *o, uint8_t b) { put(o, &b, 1); }

/* v in `width` bytes if it fits (0 or too small: minimal). */
static void put_uv(out *o, uint64_t v, uint8_t width)
{
    uint8_t b[GT_UVARINT_MAX];
    size_t n = width ? gt_uvarint_write_padded(b, sizeof b, v, width) : 0;
    if (!n) n = gt_uvarint_write(b, sizeof b, v);
    put(o, b, n);
}

static size_t payload_size(const model *m, const top *t)
{
    size_t s = 0;
    for (size_t i = 0; i < t->count; i++) s += m->chunks[t->first + i].n;
    return s;
}

static size_t write_trace(const model *m, uint8_t *dst, size_t cap, mrng *r)
{
    out o = {dst, 0, cap, 0};
    uint8_t h[GT_HEADER_SIZE];
    gt_header_write(h, sizeof h, m->version);
    put(&o, h, sizeof h);
    for (size_t i = 0; i < m->ntops; i++) {
        const top *t = &m->tops[i];
        if (t->kind == TOP_BATCH) {
            put_byte(&o, t->type);
            if (t->type == GT_V2_EXPERIMENTAL_BATCH) put_byte(&o, t->exp);
            put_uv(&o, t->gen, t->w_gen);
            put_uv(&o, t->m, t->w_m);
            put_uv(&o, t->time, t->w_time);
            uint64_t size = payload_size(m, t);
            if (one_in(r, 64)) size = size + 1 - 2 * (uint64_t)below(r, 2); /* framing damage, on purpose */
            put_uv(&o, size, t->w_size);
        }
        for (size_t k = 0; k < t->count; k++) put(&o, m->chunks[t->first + k].p, m->chunks[t->first + k].n);
    }
    return o.full ? 0 : o.n;
}

/* Encode e into the arena; NULL if out of room. */
static const uint8_t *encode_event(model *m, const pev *e, size_t *n)
{
    size_t need = 1 + (e->nargs + 1) * GT_UVARINT_MAX + (size_t)e->nframes * 4 * GT_UVARINT_MAX +
                  (e->has_data ? (size_t)e->data_len : 0);
    uint8_t *dst = arena_take(m, need);
    if (!dst) return NULL;
    out o = {dst, 0, need, 0};
    put_byte(&o, e->type);
    for (unsigned i = 0; i < e->nargs; i++) put_uv(&o, e->args[i], e->w[i]);
    for (unsigned f = 0; f < e->nframes; f++)
        for (unsigned k = 0; k < 4; k++) put_uv(&o, e->fr[f][k], e->frw[f][k]);
    if (e->has_data) {
        put_uv(&o, e->data_len, e->data_w);
        put(&o, e->data, (size_t)e->data_len);
    }
    m->arena_len -= need - o.n; /* give back what was not used */
    *n = o.n;
    return o.full ? NULL : dst;
}

/*-************************************
 *  Operators
 **************************************/
static uint64_t interesting(model *m, mrng *r, uint64_t old)
{
    switch (below(r, 12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return old + 1;
    case 3: return old ? old - 1 : 0;
    case 4: return (uint64_t)1 << below(r, 64);
    case 5: return ((uint64_t)1 << below(r, 64)) - 1;
    case 6: return UINT64_MAX;
    case 7: return below(r, 16);
    case 8: return m->nids[0] ? m->ids[0][below(r, m->nids[0])] : 2;
    case 9: return m->nids[1] ? m->ids[1][below(r, m->nids[1])] : 3;
    case 10: return old * 2;
    default: return rnd(r) >> below(r, 64);
    }
}

/* A random width for v: mostly minimal, sometimes padded. */
static uint8_t width_for(mrng *r, uint64_t v)
{
    size_t min = gt_uvarint_size(v);
    if (!one_in(r, 8) || min == GT_UVARINT_MAX) return 0;
    return (uint8_t)(min + 1 + below(r, GT_UVARINT_MAX - min));
}

/* Chunks of event batches (not raw tops). Returns how many; picks one. */
static int pick_event(const model *m, mrng *r, size_t *ti, size_t *ci)
{
    size_t total = 0;
    for (size_t i = 0; i < m->ntops; i++)
        if (m->tops[i].kind == TOP_BATCH) total += m->tops[i].count;
    if (!total) return 0;
    size_t k = below(r, total);
    for (size_t i = 0; i < m->ntops; i++) {
        if (m->tops[i].kind != TOP_BATCH) continue;
        if (k < m->tops[i].count) {
            *ti = i;
            *ci = m->tops[i].first + k;
            return 1;
        }
        k -= m->tops[i].count;
    }
    return 0;
}

static int pick_batch(const model *m, mrng *r, size_t *ti)
{
    size_t n = 0;
    for (size_t i = 0; i < m->ntops; i++) n += m->tops[i].kind == TOP_BATCH;
    if (!n) return 0;
    size_t k = below(r, n);
    for (size_t i = 0; i < m->ntops; i++)
        if (m->tops[i].kind == TOP_BATCH && k-- == 0) {
            *ti = i;
            return 1;
        }
    return 0;
}

/* Insert a chunk at position `at` of top t's events: chunks are appended at
 * the end of the array and the batch becomes a fresh contiguous range. */
static int insert_chunk(model *m, size_t ti, size_t at, chunk c)
{
    top *t = &m->tops[ti];
    if (m->nchunks + t->count + 1 > m->cap_chunks) return -1;
    size_t first = m->nchunks;
    for (size_t i = 0; i < t->count + 1; i++) {
        if (i < at) m->chunks[first + i] = m->chunks[t->first + i];
        else if (i == at) m->chunks[first + i] = c;
        else m->chunks[first + i] = m->chunks[t->first + i - 1];
    }
    t->first = first;
    t->count++;
    m->nchunks += t->count;
    return 0;
}

static void remove_chunk(model *m, size_t ti, size_t ci)
{
    top *t = &m->tops[ti];
    memmove(&m->chunks[ci], &m->chunks[ci + 1], (t->first + t->count - ci - 1) * sizeof *m->chunks);
    t->count--;
}

static int op_field(model *m, mrng *r)
{
    size_t ti, ci;
    if (!pick_event(m, r, &ti, &ci)) return -1;
    chunk *c = &m->chunks[ci];
    pev e;
    const uint8_t *p = c->p;
    if (parse_event(m->version, &p, c->p + c->n, &e) || p != c->p + c->n) return -1;
    size_t fields = e.nargs + (size_t)e.nframes * 4 + (e.has_data ? 1 : 0);
    if (!fields) return -1;
    size_t f = below(r, fields);
    if (f < e.nargs) {
        e.args[f] = interesting(m, r, e.args[f]);
        e.w[f] = width_for(r, e.args[f]);
        if (f == 1 && e.type == GT_V2_STACK && e.args[1] > e.nframes) e.args[1] = e.nframes; /* keep framing */
    } else if (f < e.nargs + (size_t)e.nframes * 4) {
        size_t k = f - e.nargs;
        e.fr[k / 4][k % 4] = interesting(m, r, e.fr[k / 4][k % 4]);
        e.frw[k / 4][k % 4] = width_for(r, e.fr[k / 4][k % 4]);
    } else {
        e.data_w = width_for(r, e.data_len);
    }
    size_t n;
    const uint8_t *q = encode_event(m, &e, &n);
    if (!q) return -1;
    *c = (chunk){q, n};
    return 0;
}

static int op_bytes(model *m, mrng *r, byte_mutator bm)
{
    size_t ti, ci;
    if (!pick_event(m, r, &ti, &ci)) return -1;
    chunk *c = &m->chunks[ci];
    size_t max = c->n + 64;
    uint8_t *dst = arena_take(m, max);
    if (!dst) return -1;
    memcpy(dst, c->p, c->n);
    size_t n = bm(dst, c->n, max, r);
    m->arena_len -= max - n;
    *c = (chunk){dst, n};
    return 0;
}

static int op_delete_event(model *m, mrng *r)
{
    size_t ti, ci;
    if (!pick_event(m, r, &ti, &ci)) return -1;
    remove_chunk(m, ti, ci);
    return 0;
}

static int op_copy_event(model *m, mrng *r, int move)
{
    size_t ti, ci, tj;
    if (!pick_event(m, r, &ti, &ci)) return -1;
    chunk c = m->chunks[ci];
    if (one_in(r, 2) || !pick_batch(m, r, &tj)) tj = ti;
    size_t at = below(r, m->tops[tj].count + 1);
    if (move) remove_chunk(m, ti, ci);
    if (move && tj == ti && at > m->tops[ti].count) at = m->tops[ti].count;
    return insert_chunk(m, tj, at, c);
}

static int op_swap_events(model *m, mrng *r)
{
    size_t ti, ci, tj, cj;
    if (!pick_event(m, r, &ti, &ci) || !pick_event(m, r, &tj, &cj)) return -1;
    chunk t = m->chunks[ci];
    m->chunks[ci] = m->chunks[cj];
    m->chunks[cj] = t;
    return 0;
}

/* A new event of a random type the version has, with plausible arguments. */
static int op_new_event(model *m, mrng *r)
{
    size_t ti;
    if (!pick_batch(m, r, &ti)) return -1;
    unsigned type = (unsigned)below(r, 256);
    if (one_in(r, 2)) type = 2 + (unsigned)below(r, 52);
    const gt_event_spec *spec = gt_spec(m->version, type);
    if (!spec) return -1;
    pev e;
    memset(&e, 0, sizeof e);
    e.type = (uint8_t)type;
    const gt_arg_spec *a[GT_MAX_ARGS];
    e.nargs = gt_spec_args(spec, m->version, a);
    for (unsigned i = 0; i < e.nargs; i++) {
        switch (a[i]->role) {
        case GT_ARG_STRING_ID: e.args[i] = m->nids[0] && !one_in(r, 4) ? m->ids[0][below(r, m->nids[0])] : below(r, 8); break;
        case GT_ARG_STACK_ID: e.args[i] = m->nids[1] && !one_in(r, 4) ? m->ids[1][below(r, m->nids[1])] : below(r, 8); break;
        case GT_ARG_TIME_DELTA: e.args[i] = below(r, 1000); break;
        default: e.args[i] = one_in(r, 4) ? interesting(m, r, 0) : below(r, 64); break;
        }
    }
    if (spec->flags & GT_EV_IS_STACK) {
        e.nframes = (unsigned)below(r, 4);
        e.args[1] = e.nframes;
        for (unsigned f = 0; f < e.nframes; f++) {
            e.fr[f][0] = 0x400000 + below(r, 0x10000);
            e.fr[f][1] = m->nids[0] ? m->ids[0][below(r, m->nids[0])] : 1;
            e.fr[f][2] = m->nids[0] ? m->ids[0][below(r, m->nids[0])] : 1;
            e.fr[f][3] = below(r, 2000);
        }
    }
    static const uint8_t text[] = "runtime.main\0runtime/x.go\xff\xfe";
    if (spec->flags & GT_EV_HAS_DATA) {
        e.has_data = 1;
        e.data = text + below(r, 8);
        e.data_len = below(r, sizeof text - 8);
    }
    size_t n;
    const uint8_t *q = encode_event(m, &e, &n);
    if (!q) return -1;
    return insert_chunk(m, ti, below(r, m->tops[ti].count + 1), (chunk){q, n});
}

static int op_batch(model *m, mrng *r)
{
    size_t ti, tj;
    if (!pick_batch(m, r, &ti)) return -1;
    top *t = &m->tops[ti];
    switch (below(r, 9)) {
    case 0: /* delete the batch */
        memmove(t, t + 1, (m->ntops - ti - 1) * sizeof *t);
        m->ntops--;
        return 0;
    case 1: /* duplicate it somewhere */
        if (m->ntops == m->cap_tops) return -1;
        tj = below(r, m->ntops + 1);
        {
            top copy = *t;
            memmove(&m->tops[tj + 1], &m->tops[tj], (m->ntops - tj) * sizeof *t);
            m->tops[tj] = copy;
            m->ntops++;
        }
        return 0;
    case 2: /* swap two batches */
        if (!pick_batch(m, r, &tj)) return -1;
        {
            top s = m->tops[ti];
            m->tops[ti] = m->tops[tj];
            m->tops[tj] = s;
        }
        return 0;
    case 3: t->gen = interesting(m, r, t->gen); return 0;
    case 4: t->gen = t->gen + 1 - 2 * (uint64_t)below(r, 2); return 0;
    case 5: t->m = one_in(r, 2) ? UINT64_MAX : interesting(m, r, t->m); return 0;
    case 6: t->time = interesting(m, r, t->time); return 0;
    case 7: /* EventBatch <-> ExperimentalBatch */
        t->type = t->type == GT_V2_EVENT_BATCH ? GT_V2_EXPERIMENTAL_BATCH : GT_V2_EVENT_BATCH;
        t->exp = (uint8_t)below(r, 3);
        return 0;
    default: /* widths */
        t->w_size = (uint8_t)(one_in(r, 2) ? 0 : GT_UVARINT_MAX);
        t->w_gen = width_for(r, t->gen);
        return 0;
    }
}

/* Renumber every batch of one generation, or add/remove an end-of-generation marker. */
static int op_generation(model *m, mrng *r)
{
    static const uint8_t marker = GT_V2_END_OF_GENERATION;
    size_t ti;
    if (!pick_batch(m, r, &ti)) return -1;
    uint64_t g = m->tops[ti].gen, ng = below(r, 2) ? g + 1 : interesting(m, r, g);
    switch (below(r, 3)) {
    case 0:
        for (size_t i = 0; i < m->ntops; i++)
            if (m->tops[i].kind == TOP_BATCH && m->tops[i].gen == g) m->tops[i].gen = ng;
        return 0;
    case 1: { /* a marker after the last batch of generation g */
        size_t at = 0;
        for (size_t i = 0; i < m->ntops; i++)
            if (m->tops[i].kind == TOP_BATCH && m->tops[i].gen == g) at = i + 1;
        if (m->ntops == m->cap_tops || m->nchunks == m->cap_chunks) return -1;
        memmove(&m->tops[at + 1], &m->tops[at], (m->ntops - at) * sizeof *m->tops);
        m->tops[at] = (top){.kind = TOP_RAW, .first = m->nchunks, .count = 1};
        m->chunks[m->nchunks++] = (chunk){&marker, 1};
        m->ntops++;
        return 0;
    }
    default: /* drop a marker or raw item */
        for (size_t i = 0; i < m->ntops; i++)
            if (m->tops[i].kind == TOP_RAW && one_in(r, 2)) {
                memmove(&m->tops[i], &m->tops[i + 1], (m->ntops - i - 1) * sizeof *m->tops);
                m->ntops--;
                return 0;
            }
        return -1;
    }
}

static int op_version(model *m, mrng *r)
{
    static const unsigned v2[] = {22, 23, 25, 26};
    m->version = v2[below(r, 4)];
    return 0;
}

/* Batches of another input, inserted at random places. */
static int op_splice(model *m, const model *other, mrng *r)
{
    if (!other || !other->ntops) return -1;
    size_t n = 1 + below(r, 4);
    for (size_t k = 0; k < n; k++) {
        const top *src = &other->tops[below(r, other->ntops)];
        if (m->ntops == m->cap_tops || m->nchunks + src->count > m->cap_chunks) return -1;
        top t = *src;
        t.first = m->nchunks;
        memcpy(&m->chunks[m->nchunks], &other->chunks[src->first], src->count * sizeof *m->chunks);
        m->nchunks += src->count;
        size_t at = below(r, m->ntops + 1);
        memmove(&m->tops[at + 1], &m->tops[at], (m->ntops - at) * sizeof *m->tops);
        m->tops[at] = t;
        m->ntops++;
    }
    return 0;
}

/*-************************************
 *  Driver
 **************************************/
/* Mutate data[0..size) into dst[0..max); returns the new size, 0 when the
 * input is not a v2 trace or the result does not fit (the caller falls back
 * to byte-level mutation). */
static size_t mutate_trace(const uint8_t *data, size_t size, const uint8_t *other_data, size_t other_size,
                           uint8_t *dst, size_t max, uint64_t seed, byte_mutator bm)
{
    mrng r = {seed * 0x9E3779B97F4A7C15ull + 1};
    model m, other;
    int have_other = 0;
    if (model_init(&m, size, max + 4096) || parse_trace(&m, data, size)) {
        model_free(&m);
        return 0;
    }
    if (other_data && model_init(&other, other_size, 1) == 0) {
        if (parse_trace(&other, other_data, other_size) == 0) have_other = 1;
        else model_free(&other);
    } else if (other_data) {
        model_free(&other);
    }
    size_t rounds = 1 + below(&r, 4);
    for (size_t i = 0; i < rounds; i++) {
        switch (below(&r, 20)) {
        case 0: case 1: case 2: case 3: op_field(&m, &r); break;
        case 4: case 5: case 6: op_bytes(&m, &r, bm); break;
        case 7: case 8: op_delete_event(&m, &r); break;
        case 9: case 10: op_copy_event(&m, &r, 0); break;
        case 11: op_copy_event(&m, &r, 1); break;
        case 12: op_swap_events(&m, &r); break;
        case 13: case 14: op_new_event(&m, &r); break;
        case 15: case 16: op_batch(&m, &r); break;
        case 17: op_generation(&m, &r); break;
        case 18: if (one_in(&r, 4)) op_version(&m, &r); break;
        default: op_splice(&m, have_other ? &other : &m, &r); break;
        }
    }
    size_t n = write_trace(&m, dst, max, &r);
    if (have_other) model_free(&other);
    model_free(&m);
    return n;
}

#ifdef GT_MUT_AFL
/* Simple byte-level havoc for AFL++ (libFuzzer uses its own LLVMFuzzerMutate). */
static size_t havoc(uint8_t *buf, size_t size, size_t max, mrng *r)
{
    static const uint8_t special[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x02, 0x03, 0x04, 0x05, 0x08, 0x31, 0x32, 0x34};
    size_t n = 1 + below(r, 4);
    for (size_t i = 0; i < n; i++) {
        switch (below(r, 5)) {
        case 0: if (size) buf[below(r, size)] ^= (uint8_t)(1u << below(r, 8)); break;
        case 1: if (size) buf[below(r, size)] = special[below(r, sizeof special)]; break;
        case 2: if (size) buf[below(r, size)] = (uint8_t)rnd(r); break;
        case 3: /* insert a byte */
            if (size < max) {
                size_t at = below(r, size + 1);
                memmove(buf + at + 1, buf + at, size - at);
                buf[at] = special[below(r, sizeof special)];
                size++;
            }
            break;
        default: /* delete a byte */
            if (size) {
                size_t at = below(r, size);
                memmove(buf + at, buf + at + 1, size - at - 1);
                size--;
            }
            break;
        }
    }
    return size;
}
#endif

#ifdef GT_MUT_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

static size_t lf_bytes(uint8_t *buf, size_t size, size_t max, mrng *r)
{
    (void)r;
    return LLVMFuzzerMutate(buf, size, max);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    /* A quarter of the time, libFuzzer's own byte-level mutations of the whole input. */
    if (seed % 4 == 0 || size < GT_HEADER_SIZE) return LLVMFuzzerMutate(data, size, max_size);
    uint8_t *copy = malloc(size);
    if (!copy) return LLVMFuzzerMutate(data, size, max_size);
    memcpy(copy, data, size);
    size_t n = mutate_trace(copy, size, NULL, 0, data, max_size, seed, lf_bytes);
    free(copy);
    return n ? n : LLVMFuzzerMutate(data, size, max_size);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed)
{
    size_t n = mutate_trace(data1, size1, data2, size2, out, max_out_size, seed, lf_bytes);
    if (n) return n;
    /* Not traces: one half of each. */
    size_t a = size1 / 2 < max_out_size ? size1 / 2 : max_out_size;
    size_t b = size2 - size2 / 2 < max_out_size - a ? size2 - size2 / 2 : max_out_size - a;
    memcpy(out, data1, a);
    memcpy(out + a, data2 + size2 / 2, b);
    return a + b;
}
#endif

#ifdef GT_MUT_AFL
/* The AFL++ custom mutator API (AFL_CUSTOM_MUTATOR_LIBRARY). */
typedef struct afl_state {
    mrng r;
    uint8_t *buf;
    size_t cap;
} afl_state;

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    afl_state *s = calloc(1, sizeof *s);
    if (s) s->r.s = seed * 0x9E3779B97F4A7C15ull + 1;
    return s;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size)
{
    afl_state *s = data;
    if (s->cap < max_size) {
        uint8_t *nb = realloc(s->buf, max_size);
        if (!nb) {
            *out_buf = buf;
            return buf_size;
        }
        s->buf = nb;
        s->cap = max_size;
    }
    size_t n = mutate_trace(buf, buf_size, add_buf, add_buf ? add_buf_size : 0, s->buf, max_size, rnd(&s->r), havoc);
    if (!n) {
        n = buf_size < max_size ? buf_size : max_size;
        memcpy(s->buf, buf, n);
        n = havoc(s->buf, n, max_size, &s->r);
    }
    *out_buf = s->buf;
    return n;
}

void afl_custom_deinit(void *data)
{
    afl_state *s = data;
    free(s->buf);
    free(s);
}
#endif
