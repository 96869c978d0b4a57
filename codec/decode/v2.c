/* The v2 decoder (Go 1.22+): top-level batches, their classification by
 * first payload byte, the events inside, and per-generation validation. */
#include <inttypes.h>

#include "../varint/varint.h"
#include "reader.h"

enum batch_kind { BK_EVENTS = 1, BK_STRINGS, BK_STACKS, BK_CPU, BK_FREQ, BK_SYNC, BK_OPAQUE };

#define BATCH_HEADER_MAX (2 + 4 * GT_UVARINT_MAX)
#define BATCH_DONE GT_STATUS_MAX_ /* internal: the current batch has no more events */

#define FAIL_AT(r, s, off, b, e, ...)                                                                      \
    ((r)->err.batch = (b), (r)->err.event = (e), (r)->err.generation = (r)->g.gen ? (r)->g.gen : GT_NONE, \
     gt_reader_fail((r), (s), (off), __VA_ARGS__))

static uint64_t cur_offset(const gt_reader *r) { return r->cur.base + (uint64_t)(r->cur.p - r->cur.start); }

/* ---- generations ------------------------------------------------------ */

static size_t ids_in_use(const gt_reader *r) { return r->g.strings.count + r->g.stacks.count; }

static gt_status check_generation(gt_reader *r)
{
    gt_gen *g = &r->g;
    uint64_t b = g->first_batch;
    if (g->freq_count == 0)
        return FAIL_AT(r, GT_ERR_MISSING_FREQUENCY, g->start_offset, b, GT_NONE,
                       "generation %" PRIu64 " has no frequency event", g->gen);
    if (r->version >= 25 && g->clock_count == 0)
        return FAIL_AT(r, GT_ERR_MISSING_CLOCK, g->start_offset, b, GT_NONE,
                       "generation %" PRIu64 " has no clock snapshot event", g->gen);
    uint64_t sid = 0, kid = 0;
    gt_ref sref, kref;
    bool bad_s = gt_idmap_first_undefined(&g->strings, &sid, &sref);
    bool bad_k = gt_idmap_first_undefined(&g->stacks, &kid, &kref);
    if (bad_s && (!bad_k || sref.offset <= kref.offset))
        return FAIL_AT(r, GT_ERR_UNDEFINED_STRING, sref.offset, sref.batch, sref.event,
                       "string ID %" PRIu64 " is used but generation %" PRIu64 " never defines it", sid, g->gen);
    if (bad_k)
        return FAIL_AT(r, GT_ERR_UNDEFINED_STACK, kref.offset, kref.batch, kref.event,
                       "stack ID %" PRIu64 " is used but generation %" PRIu64 " never defines it", kid, g->gen);
    return GT_OK;
}

/* Validate the open generation and emit the synthetic end item. */
static gt_status close_generation(gt_reader *r, gt_event *ev)
{
    gt_status s = check_generation(r);
    if (s != GT_OK) return s;
    gt_event_clear(ev);
    ev->kind = GT_KIND_GENERATION_END;
    ev->generation = r->g.gen;
    ev->offset = gt_input_offset(r);
    ev->nargs = 1;
    ev->args[0] = r->g.gen;
    r->generations++;
    r->good_bytes = gt_input_offset(r);
    r->g.prev_gen = r->g.gen;
    r->g.gen = 0;
    r->g.freq_count = r->g.clock_count = 0;
    r->g.freq = 0;
    gt_idmap_clear(&r->g.strings);
    gt_idmap_clear(&r->g.stacks);
    r->pending_gen_end = false;
    return GT_OK;
}

/* Decide what a batch of generation `gen` means for the open generation.
 * GT_OK: the batch belongs to it (opened if needed). BATCH_DONE: the open
 * generation must be closed first (<= 1.25: the batch starts the next one). */
static gt_status admit_generation(gt_reader *r, uint64_t gen, uint64_t off)
{
    gt_gen *g = &r->g;
    uint64_t b = r->batch_count;
    if (gen == 0) return FAIL_AT(r, GT_ERR_GENERATION, off, b, GT_NONE, "invalid generation number 0");
    if (!r->validate) {
        g->gen = gen;
        return GT_OK;
    }
    if (g->gen == gen) return GT_OK;
    if (g->gen != 0) {
        if (r->version < 26 && gen == g->gen + 1) return BATCH_DONE;
        return FAIL_AT(r, GT_ERR_GENERATION, off, b, GT_NONE,
                       r->version >= 26 ? "batch of generation %" PRIu64 " inside generation %" PRIu64
                                          " (missing end-of-generation, or interleaved generations)"
                                        : "batch of generation %" PRIu64 " after generation %" PRIu64
                                          " (generations out of order)",
                       gen, g->gen);
    }
    if (g->prev_gen != 0 && (r->version >= 26 ? gen <= g->prev_gen : gen != g->prev_gen + 1))
        return FAIL_AT(r, GT_ERR_GENERATION, off, b, GT_NONE,
                       "generation %" PRIu64 " follows generation %" PRIu64 " (generations out of order)", gen,
                       g->prev_gen);
    g->gen = gen;
    g->start_offset = off;
    g->first_batch = b;
    return GT_OK;
}

/* ---- batch headers ---------------------------------------------------- */

typedef struct batch_header {
    uint8_t type, exp;
    uint64_t gen, m, time, size;
    uint8_t w_gen, w_m, w_time, w_size;
    size_t len; /* header bytes */
} batch_header;

static gt_status parse_header(gt_reader *r, const uint8_t *p, size_t avail, batch_header *h)
{
    uint64_t off = gt_input_offset(r);
    const uint8_t *q = p + 1, *end = p + avail;
    h->type = p[0];
    h->exp = 0;
    if (h->type == GT_V2_EXPERIMENTAL_BATCH) {
        if (q >= end) return FAIL_AT(r, GT_ERR_TRUNCATED, off, r->batch_count, GT_NONE, "input ends inside a batch header");
        h->exp = *q++;
        /* Go's reader keeps such a batch, then its tools index the list of
         * experiments with the ID and panic (spec/PERMISSIVE.md). */
        if (r->validate && h->exp >= GT_V2_EXPERIMENTS)
            return FAIL_AT(r, GT_ERR_BAD_BATCH, off + 1, r->batch_count, GT_NONE,
                           "unknown experiment %u (Go knows experiments 0 to %d; its tools crash on others)", h->exp,
                           GT_V2_EXPERIMENTS - 1);
    }
    uint64_t *vals[4] = {&h->gen, &h->m, &h->time, &h->size};
    uint8_t *widths[4] = {&h->w_gen, &h->w_m, &h->w_time, &h->w_size};
    static const char *const names[4] = {"generation", "M", "timestamp", "size"};
    for (int i = 0; i < 4; i++) {
        gt_status s = gt_varint_next(&q, end, vals[i], widths[i]);
        if (s == GT_ERR_TRUNCATED)
            return FAIL_AT(r, s, off, r->batch_count, GT_NONE, "input ends inside the batch %s", names[i]);
        if (s != GT_OK)
            return FAIL_AT(r, s, off + (uint64_t)(q - p), r->batch_count, GT_NONE, "malformed batch %s varint",
                           names[i]);
    }
    h->len = (size_t)(q - p);
    if (h->size > r->lim.max_batch_size)
        return FAIL_AT(r, GT_ERR_BATCH_SIZE, off, r->batch_count, GT_NONE,
                       "batch size %" PRIu64 " exceeds the limit of %" PRIu32, h->size, r->lim.max_batch_size);
    return GT_OK;
}

static int classify(const gt_reader *r, const batch_header *h, const uint8_t *payload)
{
    /* Experiment 0 is "no experiment": Go reads such a batch as an ordinary
     * one, so validation does too; a raw dump keeps it as opaque data. */
    if (h->type == GT_V2_EXPERIMENTAL_BATCH && (h->exp != 0 || !r->validate)) return BK_OPAQUE;
    if (h->size == 0) return BK_EVENTS;
    switch (payload[0]) {
    case GT_V2_STACKS: return BK_STACKS;
    case GT_V2_STRINGS: return BK_STRINGS;
    case GT_V2_CPU_SAMPLES: return BK_CPU;
    case GT_V2_FREQUENCY: return r->version < 25 ? BK_FREQ : BK_EVENTS;
    case GT_V2_SYNC: return r->version >= 25 ? BK_SYNC : BK_EVENTS;
    default: return BK_EVENTS;
    }
}

static void emit_batch(gt_reader *r, const batch_header *h, const uint8_t *payload, gt_event *ev)
{
    gt_event_clear(ev);
    ev->kind = GT_KIND_BATCH;
    ev->type = h->type;
    ev->spec = r->view[h->type].spec;
    ev->offset = gt_input_offset(r);
    ev->batch = r->batch_count;
    ev->generation = h->gen;
    ev->m = h->m;
    ev->time = h->time;
    if (h->type == GT_V2_EXPERIMENTAL_BATCH) {
        uint64_t a[4] = {h->exp, h->gen, h->m, h->time};
        uint8_t w[4] = {1, h->w_gen, h->w_m, h->w_time};
        memcpy(ev->args, a, sizeof a);
        memcpy(ev->width, w, sizeof w);
        ev->data = payload;
        ev->data_len = h->size;
        ev->data_len_width = h->w_size;
        ev->experiment = h->exp;
    } else {
        uint64_t a[4] = {h->gen, h->m, h->time, h->size};
        uint8_t w[4] = {h->w_gen, h->w_m, h->w_time, h->w_size};
        memcpy(ev->args, a, sizeof a);
        memcpy(ev->width, w, sizeof w);
    }
    ev->nargs = 4;
}

static gt_status end_of_generation_marker(gt_reader *r, gt_event *ev)
{
    uint64_t off = gt_input_offset(r);
    if (r->validate && r->g.gen == 0)
        return FAIL_AT(r, GT_ERR_GENERATION, off, GT_NONE, GT_NONE, "end-of-generation marker with no open generation");
    if (r->validate) {
        gt_status s = check_generation(r);
        if (s != GT_OK) return s;
    }
    gt_input_consume(r, 1);
    gt_event_clear(ev);
    ev->kind = GT_KIND_END_OF_GENERATION;
    ev->type = GT_V2_END_OF_GENERATION;
    ev->spec = r->view[GT_V2_END_OF_GENERATION].spec;
    ev->offset = off;
    ev->generation = r->g.gen ? r->g.gen : GT_NONE;
    if (r->validate) r->pending_gen_end = true;
    else r->g.gen = 0;
    return GT_OK;
}

static gt_status at_eof(gt_reader *r, gt_event *ev)
{
    if (!r->validate || r->g.gen == 0) return GT_END;
    if (r->version >= 26)
        return FAIL_AT(r, GT_ERR_INCOMPLETE_GENERATION, r->g.start_offset, r->g.first_batch, GT_NONE,
                       "generation %" PRIu64 " has no end-of-generation marker (trace truncated?)", r->g.gen);
    return close_generation(r, ev);
}

static gt_status next_batch(gt_reader *r, gt_event *ev)
{
    if (r->pending_gen_end) return close_generation(r, ev);
    const uint8_t *p;
    size_t avail;
    gt_status s = gt_input_fill(r, BATCH_HEADER_MAX, &p, &avail);
    if (s != GT_OK) return s;
    if (avail == 0) return at_eof(r, ev);
    uint64_t off = gt_input_offset(r);
    if (p[0] == GT_V2_END_OF_GENERATION && r->version >= 26) return end_of_generation_marker(r, ev);
    if (p[0] != GT_V2_EVENT_BATCH && !(p[0] == GT_V2_EXPERIMENTAL_BATCH && r->version >= 23))
        return FAIL_AT(r, GT_ERR_BAD_BATCH, off, r->batch_count, GT_NONE, "expected a batch, found byte 0x%02x",
                       p[0]);
    batch_header h;
    if ((s = parse_header(r, p, avail, &h)) != GT_OK) return s;
    s = admit_generation(r, h.gen, off);
    if (s == BATCH_DONE) return close_generation(r, ev);
    if (s != GT_OK) return s;
    if ((s = gt_input_fill(r, h.len + (size_t)h.size, &p, &avail)) != GT_OK) return s;
    if (avail < h.len + h.size)
        return FAIL_AT(r, GT_ERR_TRUNCATED, off, r->batch_count, GT_NONE,
                       "batch declares %" PRIu64 " payload bytes but only %zu remain", h.size, avail - h.len);
    const uint8_t *payload = p + h.len;
    emit_batch(r, &h, payload, ev);
    r->cur = (gt_batch_cursor){.p = payload, .end = payload + h.size, .start = payload, .base = off + h.len,
                               .kind = classify(r, &h, payload), .time = h.time, .m = h.m};
    r->in_batch = r->cur.kind != BK_OPAQUE && h.size > 0;
    r->batch_count++;
    gt_input_consume(r, h.len + (size_t)h.size);
    return GT_OK;
}

/* ---- events inside batches -------------------------------------------- */

/* Which event types a batch kind allows at position `index`. Without
 * validation any type the version defines is listed, as Go's raw reader does. */
static bool allowed(const gt_reader *r, int kind, uint64_t index, uint8_t type, const gt_view_entry *v)
{
    if (!r->validate) return v->spec != NULL;
    switch (kind) {
    case BK_STRINGS: return index == 0 ? type == GT_V2_STRINGS : type == GT_V2_STRING;
    case BK_STACKS: return index == 0 ? type == GT_V2_STACKS : type == GT_V2_STACK;
    case BK_CPU: return index == 0 ? type == GT_V2_CPU_SAMPLES : type == GT_V2_CPU_SAMPLE;
    case BK_FREQ: return type == GT_V2_FREQUENCY; /* Go 1.27 reads the whole batch; a second one is a duplicate */
    case BK_SYNC:
        return index == 0 ? type == GT_V2_SYNC : (type == GT_V2_FREQUENCY || type == GT_V2_CLOCK_SNAPSHOT);
    default: return v->spec && (v->spec->flags & (GT_EV_TIMED | GT_EV_STRUCTURAL)) == GT_EV_TIMED;
    }
}

static const char *kind_name(int kind)
{
    static const char *const names[] = {"", "event", "string", "stack", "CPU sample", "frequency", "sync", ""};
    return names[kind];
}

static gt_status reject_type(gt_reader *r, uint8_t type, uint64_t off)
{
    const gt_view_entry *v = &r->view[type];
    uint64_t b = r->batch_count - 1, e = r->cur.index;
    if (r->cur.kind == BK_EVENTS && !v->spec)
        return FAIL_AT(r, GT_ERR_UNKNOWN_EVENT, off, b, e, "unknown event type %u for go 1.%u", type, r->version);
    if (r->cur.kind == BK_EVENTS)
        return FAIL_AT(r, GT_ERR_BAD_BATCH, off, b, e, "%s (type %u) cannot appear in an event batch", v->spec->name,
                       type);
    return FAIL_AT(r, GT_ERR_BAD_TABLE, off, b, e, "unexpected event type %u at position %" PRIu64 " of a %s batch",
                   type, e, kind_name(r->cur.kind));
}

static gt_status varint_fail(gt_reader *r, gt_status s, uint64_t off, const char *what)
{
    uint64_t b = r->batch_count - 1, e = r->cur.index;
    if (s == GT_ERR_TRUNCATED)
        return FAIL_AT(r, s, off, b, e, "%s runs past the end of its batch", what);
    return FAIL_AT(r, s, off, b, e, "malformed varint in %s", what);
}

static gt_status read_frames(gt_reader *r, const uint8_t **pp, gt_event *ev, uint64_t off)
{
    uint64_t n = ev->args[1];
    if (n > r->lim.max_frames)
        return FAIL_AT(r, GT_ERR_STACK_SIZE, off, r->batch_count - 1, r->cur.index,
                       "stack %" PRIu64 " has %" PRIu64 " frames, the limit is %" PRIu32, ev->args[0], n,
                       r->lim.max_frames);
    for (uint64_t i = 0; i < n; i++) {
        gt_frame *f = &r->frames[i];
        uint64_t *v[4] = {&f->pc, &f->func, &f->file, &f->line};
        for (int k = 0; k < 4; k++) {
            gt_status s = gt_varint_next(pp, r->cur.end, v[k], &f->width[k]);
            if (s != GT_OK) return varint_fail(r, s, off, "stack frame");
        }
    }
    ev->frames = r->frames;
    ev->nframes = (uint32_t)n;
    return GT_OK;
}

static gt_status read_data(gt_reader *r, const uint8_t **pp, gt_event *ev, uint64_t off)
{
    gt_status s = gt_varint_next(pp, r->cur.end, &ev->data_len, &ev->data_len_width);
    if (s != GT_OK) return varint_fail(r, s, off, "string length");
    if (ev->data_len > r->lim.max_string_size)
        return FAIL_AT(r, GT_ERR_STRING_SIZE, off, r->batch_count - 1, r->cur.index,
                       "string %" PRIu64 " is %" PRIu64 " bytes, the limit is %" PRIu32, ev->args[0], ev->data_len,
                       r->lim.max_string_size);
    if (ev->data_len > (uint64_t)(r->cur.end - *pp))
        return FAIL_AT(r, GT_ERR_TRUNCATED, off, r->batch_count - 1, r->cur.index,
                       "string %" PRIu64 " runs past the end of its batch", ev->args[0]);
    ev->data = *pp;
    *pp += ev->data_len;
    return GT_OK;
}

static uint8_t item_kind(uint8_t type, int batch_kind)
{
    switch (type) {
    case GT_V2_STRING: return GT_KIND_STRING;
    case GT_V2_STACK: return GT_KIND_STACK;
    case GT_V2_CPU_SAMPLE: return GT_KIND_CPU_SAMPLE;
    case GT_V2_FREQUENCY: return GT_KIND_FREQUENCY;
    case GT_V2_CLOCK_SNAPSHOT: return GT_KIND_CLOCK_SNAPSHOT;
    default: return batch_kind == BK_EVENTS ? GT_KIND_EVENT : GT_KIND_TABLE_MARKER;
    }
}

static gt_status ids_fail(gt_reader *r, gt_status s, uint64_t off, const char *what, uint64_t id)
{
    uint64_t b = r->batch_count - 1, e = r->cur.index;
    if (s == GT_ERR_DUPLICATE_ID)
        return FAIL_AT(r, s, off, b, e, "%s ID %" PRIu64 " defined twice in generation %" PRIu64, what, id, r->g.gen);
    if (s == GT_ERR_LIMIT)
        return FAIL_AT(r, s, off, b, e, "more than %" PRIu64 " string and stack IDs in one generation", r->lim.max_ids);
    return FAIL_AT(r, s, off, b, e, "out of memory tracking %s IDs", what);
}

static gt_status define_id(gt_reader *r, gt_idmap *m, uint64_t id, uint64_t off, const char *what)
{
    if (id == 0)
        return FAIL_AT(r, GT_ERR_ZERO_ID, off, r->batch_count - 1, r->cur.index, "%s ID 0 is defined", what);
    size_t total = ids_in_use(r);
    gt_status s = gt_idmap_define(m, &r->mem, id, &total, r->lim.max_ids);
    return s == GT_OK ? s : ids_fail(r, s, off, what, id);
}

static gt_status ref_id(gt_reader *r, gt_idmap *m, uint64_t id, uint64_t off, const char *what)
{
    if (id == 0 || gt_idmap_seen(m, id)) return GT_OK;
    gt_ref where = {off, r->batch_count - 1, r->cur.index};
    size_t total = ids_in_use(r);
    gt_status s = gt_idmap_reference(m, &r->mem, id, &where, &total, r->lim.max_ids);
    return s == GT_OK ? s : ids_fail(r, s, off, what, id);
}

static gt_status validate_event(gt_reader *r, const gt_event *ev, const gt_view_entry *v, uint64_t off)
{
    gt_status s = GT_OK;
    gt_gen *g = &r->g;
    switch (ev->type) {
    case GT_V2_STRING: return define_id(r, &g->strings, ev->args[0], off, "string");
    case GT_V2_STACK:
        if ((s = define_id(r, &g->stacks, ev->args[0], off, "stack")) != GT_OK) return s;
        for (uint32_t i = 0; i < ev->nframes && s == GT_OK; i++) {
            s = ref_id(r, &g->strings, ev->frames[i].func, off, "string");
            if (s == GT_OK) s = ref_id(r, &g->strings, ev->frames[i].file, off, "string");
        }
        return s;
    case GT_V2_FREQUENCY:
        if (g->freq_count++)
            return FAIL_AT(r, GT_ERR_DUPLICATE_FREQUENCY, off, r->batch_count - 1, r->cur.index,
                           "second frequency event in generation %" PRIu64, g->gen);
        if (ev->args[0] == 0)
            return FAIL_AT(r, GT_ERR_BAD_FREQUENCY, off, r->batch_count - 1, r->cur.index, "frequency is zero");
        g->freq = ev->args[0];
        return GT_OK;
    case GT_V2_CLOCK_SNAPSHOT:
        if (g->clock_count++)
            return FAIL_AT(r, GT_ERR_DUPLICATE_CLOCK, off, r->batch_count - 1, r->cur.index,
                           "second clock snapshot in generation %" PRIu64, g->gen);
        return GT_OK;
    default: break;
    }
    for (unsigned i = 0; v->refmask >> i && s == GT_OK; i++) {
        if (v->roles[i] == GT_ARG_STRING_ID) s = ref_id(r, &g->strings, ev->args[i], off, "string");
        else if (v->roles[i] == GT_ARG_STACK_ID) s = ref_id(r, &g->stacks, ev->args[i], off, "stack");
    }
    return s;
}

/* Read n argument varints; the common one-byte case stays inline. */
static inline gt_status read_args(const uint8_t **pp, const uint8_t *end, gt_event *ev, unsigned n)
{
    const uint8_t *p = *pp;
    for (unsigned i = 0; i < n; i++) {
        if (GT_LIKELY(p < end && *p < 0x80)) {
            ev->args[i] = *p++;
            ev->width[i] = 1;
            continue;
        }
        gt_status s = gt_varint_next(&p, end, &ev->args[i], &ev->width[i]);
        if (s != GT_OK) return s;
    }
    *pp = p;
    ev->nargs = (uint8_t)n;
    return GT_OK;
}

/* Set every field an in-batch item defines (cheaper than clearing it all). */
static inline void event_head(gt_reader *r, gt_event *ev, uint8_t type, const gt_view_entry *v, uint64_t off)
{
    const gt_batch_cursor *c = &r->cur;
    ev->kind = item_kind(type, c->kind);
    ev->type = type;
    ev->argbits = 0;
    ev->data = NULL;
    ev->data_len = 0;
    ev->data_len_width = 0;
    ev->block_len_width = 0;
    ev->block_len = 0;
    ev->frames = NULL;
    ev->nframes = 0;
    ev->experiment = v->spec->experiment;
    ev->time = 0;
    ev->spec = v->spec;
    ev->offset = off;
    ev->batch = r->batch_count - 1;
    ev->index = c->index;
    ev->generation = r->g.gen ? r->g.gen : GT_NONE;
    ev->m = c->m;
}

static gt_status decode_event(gt_reader *r, gt_event *ev)
{
    gt_batch_cursor *c = &r->cur;
    uint64_t off = cur_offset(r);
    uint8_t type = *c->p;
    const gt_view_entry *v = &r->view[type];
    if (!allowed(r, c->kind, c->index, type, v)) return reject_type(r, type, off);
    event_head(r, ev, type, v, off);
    const uint8_t *p = c->p + 1;
    gt_status s = read_args(&p, c->end, ev, v->nargs);
    if (s != GT_OK) return varint_fail(r, s, off, v->spec->name);
    if (GT_UNLIKELY(v->spec->flags & (GT_EV_IS_STACK | GT_EV_HAS_DATA))) {
        if ((v->spec->flags & GT_EV_IS_STACK) && (s = read_frames(r, &p, ev, off)) != GT_OK) return s;
        if ((v->spec->flags & GT_EV_HAS_DATA) && (s = read_data(r, &p, ev, off)) != GT_OK) return s;
    }
    if (v->spec->flags & GT_EV_TIMED) ev->time = c->time += ev->args[0];
    else if (type == GT_V2_CPU_SAMPLE) ev->time = ev->args[0];
    if (r->validate && (v->refmask || ev->kind != GT_KIND_EVENT) && (s = validate_event(r, ev, v, off)) != GT_OK)
        return s;
    c->p = p;
    c->index++;
    return GT_OK;
}

/* Room for the longest plain event: type byte + GT_MAX_ARGS varints. */
#define SKIM_MAX (1 + GT_MAX_ARGS * GT_UVARINT_MAX)

/* The fast path of validation: plain events of an event batch that the
 * caller does not want delivered are checked here without filling a
 * gt_event. Anything unusual (an unknown type, a malformed varint, the end
 * of the batch near) stops the loop and the exact path takes over, so errors
 * are reported identically. */
static gt_status skim_events(gt_reader *r)
{
    gt_batch_cursor *c = &r->cur;
    const uint8_t *p = c->p, *const end = c->end;
    const uint32_t *plans = r->skim_plan;
    gt_idmap *const strings = &r->g.strings, *const stacks = &r->g.stacks;
    uint64_t time = c->time, first = c->index;
    gt_status s = GT_OK;
    while (end - p >= SKIM_MAX) {
        uint32_t plan = plans[*p];
        unsigned n = plan & 0xffu, refs = plan >> 8, stk = plan >> 16;
        if (!n) break;
        const uint8_t *q = p + 1;
        uint64_t val = 0;
        if (GT_LIKELY(*q < 0x80)) val = *q++;
        else if (!gt_varint_read10(&q, &val)) break;
        time += val;
        for (unsigned i = 1; i < n; i++) {
            if (GT_LIKELY(*q < 0x80)) val = *q++;
            else if (!gt_varint_read10(&q, &val)) goto out;
            if (!((refs >> i) & 1u) || !val) continue;
            gt_idmap *m = (stk >> i) & 1u ? stacks : strings;
            if (gt_idmap_seen(m, val)) continue;
            c->p = p;
            s = ref_id(r, m, val, cur_offset(r), m == strings ? "string" : "stack");
            if (s != GT_OK) goto out;
        }
        p = q;
        c->index++;
    }
out:
    r->counts[GT_KIND_EVENT] += c->index - first;
    c->p = p;
    c->time = time;
    return s;
}

/* Events of the current batch; those the caller filtered out are decoded,
 * validated and counted without leaving this loop. */
static gt_status next_event(gt_reader *r, gt_event *ev)
{
    gt_batch_cursor *c = &r->cur;
    if (c->kind == BK_EVENTS && !((r->filter >> GT_KIND_EVENT) & 1u)) {
        gt_status s = skim_events(r);
        if (s != GT_OK) return s;
    }
    while (c->p < c->end) {
        gt_status s = decode_event(r, ev);
        if (s != GT_OK || gt_keep(r, ev)) return s;
    }
    return BATCH_DONE;
}

gt_status gt_v2_next(gt_reader *r, gt_event *ev)
{
    for (;;) {
        if (r->in_batch) {
            gt_status s = next_event(r, ev);
            if (s != BATCH_DONE) return s;
            r->in_batch = false;
        }
        gt_status s = next_batch(r, ev);
        if (s != GT_OK || gt_keep(r, ev)) return s;
    }
}
