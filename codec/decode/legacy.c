/* The legacy decoder (Go 1.5-1.21). After the header a legacy trace is a flat
 * sequence of events with no outer framing. The first byte of an event holds
 * the type (low 6 bits) and an argument field (high 2 bits): 0-2 means that
 * many arguments plus the timestamp follow inline (1.5: plus a sequence delta
 * too), 3 means a byte length L and then L bytes of arguments. Batch events
 * are only markers: they set the P and the base timestamp of the events after
 * them. Every wire event is delivered as one item, in file order.
 *
 * Go's own parsers (1.19/1.21 internal/trace, 1.22+ oldtrace) are the
 * reference: where they tolerate something, the comments say what we do.
 */
#include <inttypes.h>

#include "../events/events.h"
#include "../varint/varint.h"
#include "reader.h"

#define FAIL_AT(r, s, off, b, e, ...)                                                       \
    ((r)->err.batch = (b), (r)->err.event = (e), (r)->err.generation = GT_NONE, \
     gt_reader_fail((r), (s), (off), __VA_ARGS__))
/* Fail at the event being decoded (its coordinates are already in ev). */
#define FAIL_EV(r, ev, s, ...) FAIL_AT(r, s, (ev)->offset, (ev)->batch, (ev)->index, __VA_ARGS__)

#define FAST_MISS GT_STATUS_MAX_ /* internal: the fast path leaves the event to the general one */

/* legacy_flags bits, per event type. */
enum {
    LF_TIMED = 0x01,  /* carries a timestamp delta (and, in 1.5, a sequence delta) */
    LF_SPECIAL = 0x02 /* Stack, String, UserLog: not the plain argument layout */
};

/* Bytes one event may span at most: the length-prefixed block of the deepest
 * stack allowed, or a String/UserLog message of max_batch_size bytes (a legacy
 * string lives inside one 64 KiB runtime buffer). This is the reader's window
 * need, so a full window always holds a whole event. */
static size_t event_max(const gt_reader *r)
{
    return (size_t)r->lim.max_batch_size + 64 + (size_t)r->lim.max_frames * 4 * GT_UVARINT_MAX;
}

/* Values before the arguments proper in an inline event: dt (1.5: dseq, dt). */
static unsigned inline_base(const gt_reader *r) { return r->version < 7 ? 2u : 1u; }

/* A fast-path plan, per type: the argument field the event must be written
 * with (plus 1, so 0 means no fast path), its value count, and which value
 * is a stack ID (plus 1, 0 = none). Types with inline arguments have at most
 * one ID argument, a stack; anything else takes the general path. */
#define PLAN_FIELD(pl) ((pl) & 3u)
#define PLAN_NARGS(pl) (((pl) >> 2) & 7u)
#define PLAN_STACK(pl) (((pl) >> 5) & 7u)

static uint8_t make_plan(const gt_view_entry *v, unsigned base)
{
    if (v->nargs < base || v->nargs - base > 2) return 0;
    unsigned stack = 0, ids = 0;
    for (unsigned i = 0; i < v->nargs; i++) {
        if (v->roles[i] == GT_ARG_STACK_ID) stack = i + 1;
        if (v->roles[i] == GT_ARG_STACK_ID || v->roles[i] == GT_ARG_STRING_ID) ids++;
    }
    if (ids > 1 || (ids == 1 && !stack)) return 0;
    return (uint8_t)((v->nargs - base + 1) | (unsigned)v->nargs << 2 | stack << 5);
}

/* The per-type tables, from the version's view. The fast path takes timed,
 * plain events (GT_KIND_EVENT) whose arguments fit inline. */
static void init_tables(gt_reader *r)
{
    for (unsigned t = 0; t < GT_ARRAY_LEN(r->legacy_plan); t++) {
        const gt_view_entry *v = &r->view[t];
        uint8_t fl = 0;
        if (v->spec && (v->spec->flags & GT_EV_TIMED)) fl |= LF_TIMED;
        if (t == GT_LEG_STACK || t == GT_LEG_STRING || t == GT_LEG_USER_LOG) fl |= LF_SPECIAL;
        r->legacy_kind[t] = gt_legacy_kind(t);
        r->legacy_plan[t] = fl == LF_TIMED && r->legacy_kind[t] == GT_KIND_EVENT ? make_plan(v, inline_base(r)) : 0;
        r->legacy_flags[t] = fl;
    }
    r->legacy_index = GT_NONE; /* no batch yet */
    r->legacy_ready = true;
}

/* ---- reading ------------------------------------------------------------- */

/* Report a failed varint read inside the event. `block_end` is the end of the
 * length-prefixed block the varint must stay in (NULL if not in a block). */
static gt_status varint_fail(gt_reader *r, const gt_event *ev, gt_status s, const uint8_t *block_end, const char *what)
{
    const char *name = ev->spec->name;
    /* A block always lies inside the input, so running out inside one means
     * the declared length is too short for the values. */
    if (s == GT_ERR_TRUNCATED && block_end)
        return FAIL_EV(r, ev, GT_ERR_EVENT_LENGTH, "%s %s run past the declared length of %" PRIu32 " bytes", name,
                       what, ev->block_len);
    if (s == GT_ERR_TRUNCATED) return FAIL_EV(r, ev, s, "input ends inside the %s of %s", what, name);
    return FAIL_EV(r, ev, s, "malformed varint in the %s of %s", what, name);
}

/* Read n argument varints from [*qp, end) into ev->args. */
static gt_status read_values(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end,
                             const uint8_t *block_end, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        gt_status s = gt_varint_next(qp, end, &ev->args[i], &ev->width[i]);
        if (s != GT_OK) return varint_fail(r, ev, s, block_end, "arguments");
    }
    ev->nargs = (uint8_t)n;
    return GT_OK;
}

/* Read the length L of a length-prefixed block meant to hold `nvals` varints.
 * L above 10 bytes per value is wrong whatever follows; otherwise the block
 * must fit in the input. Checking in this order makes the outcome independent
 * of how much input the window holds (it always holds event_max bytes). */
static gt_status open_block(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end, uint64_t nvals,
                            const uint8_t **block_end)
{
    uint64_t len;
    gt_status s = gt_varint_next(qp, end, &len, &ev->block_len_width);
    if (s != GT_OK) return varint_fail(r, ev, s, NULL, "length");
    if (len > nvals * GT_UVARINT_MAX)
        return FAIL_EV(r, ev, GT_ERR_EVENT_LENGTH, "%s declares %" PRIu64 " argument bytes, too many for %" PRIu64 " values",
                       ev->spec->name, len, nvals);
    ev->block_len = (uint32_t)len;
    if (len > (uint64_t)(end - *qp))
        return FAIL_EV(r, ev, GT_ERR_TRUNCATED, "input ends inside %s (%" PRIu64 " argument bytes declared, %zu remain)",
                       ev->spec->name, len, (size_t)(end - *qp));
    *block_end = *qp + len;
    return GT_OK;
}

static gt_status block_leftover(gt_reader *r, const gt_event *ev, uint64_t nvals)
{
    return FAIL_EV(r, ev, GT_ERR_EVENT_LENGTH, "%s declares %" PRIu32 " argument bytes, which hold more than %" PRIu64
                   " values", ev->spec->name, ev->block_len, nvals);
}

/* An ordinary event: exactly the view's arguments, inline or length-prefixed
 * (Go accepts either encoding when the count matches). */
static gt_status read_args(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end, unsigned n)
{
    if (ev->argbits < 3) {
        unsigned inline_n = ev->argbits + inline_base(r);
        if (inline_n != n)
            return FAIL_EV(r, ev, GT_ERR_EVENT_LENGTH, "%s has %u inline values, want %u", ev->spec->name, inline_n, n);
        return read_values(r, ev, qp, end, NULL, n);
    }
    const uint8_t *block_end;
    gt_status s = open_block(r, ev, qp, end, n, &block_end);
    if (s == GT_OK) s = read_values(r, ev, qp, block_end, block_end, n);
    if (s == GT_OK && *qp != block_end) return block_leftover(r, ev, n);
    return s;
}

static gt_status too_deep(gt_reader *r, const gt_event *ev, uint64_t id, uint64_t n)
{
    return FAIL_EV(r, ev, GT_ERR_STACK_SIZE, "stack %" PRIu64 " has %" PRIu64 " frames, the limit is %" PRIu32, id, n,
                   r->lim.max_frames);
}

/* How many values a length-prefixed Stack at *qp must hold: 2 + siz*fields,
 * siz read ahead from the block (2 if it cannot be read: the real read then
 * reports why). */
static gt_status stack_values(gt_reader *r, const gt_event *ev, const uint8_t *q, const uint8_t *end, uint64_t *nvals)
{
    uint64_t len, id, siz = 0;
    uint8_t w;
    *nvals = 2;
    if (gt_varint_next(&q, end, &len, &w) != GT_OK) return GT_OK;
    const uint8_t *bend = len < (uint64_t)(end - q) ? q + len : end;
    if (gt_varint_next(&q, bend, &id, &w) != GT_OK || gt_varint_next(&q, bend, &siz, &w) != GT_OK) return GT_OK;
    if (siz > r->lim.max_frames) return too_deep(r, ev, id, siz);
    *nvals = 2 + siz * gt_spec_frame_fields(r->version);
    return GT_OK;
}

static gt_status read_frames(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end,
                             const uint8_t *block_end, uint64_t n)
{
    unsigned ff = gt_spec_frame_fields(r->version);
    for (uint64_t i = 0; i < n; i++) {
        gt_frame *f = &r->frames[i];
        uint64_t *vals[4] = {&f->pc, &f->func, &f->file, &f->line};
        memset(f, 0, sizeof *f);
        for (unsigned k = 0; k < ff; k++) {
            gt_status s = gt_varint_next(qp, end, vals[k], &f->width[k]);
            if (s != GT_OK) return varint_fail(r, ev, s, block_end, "frames");
        }
    }
    ev->frames = r->frames;
    ev->nframes = (uint32_t)n;
    return GT_OK;
}

/* Stack: id, siz, then siz frames of 4 varints (pc, func, file, line; 1.5:
 * the pc only). The runtime writes it length-prefixed; Go's parsers accept
 * any encoding whose value count is 2 + siz*fields, and so do we. */
static gt_status read_stack(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end)
{
    unsigned ff = gt_spec_frame_fields(r->version);
    const uint8_t *block_end = NULL, *lim = end;
    uint64_t nvals;
    gt_status s;
    if (ev->argbits == 3) {
        if ((s = stack_values(r, ev, *qp, end, &nvals)) != GT_OK) return s;
        if ((s = open_block(r, ev, qp, end, nvals, &block_end)) != GT_OK) return s;
        lim = block_end;
    } else if ((nvals = ev->argbits + inline_base(r)) < 2) {
        return FAIL_EV(r, ev, GT_ERR_EVENT_LENGTH, "Stack has %" PRIu64 " inline values, want at least 2", nvals);
    }
    if ((s = read_values(r, ev, qp, lim, block_end, 2)) != GT_OK) return s;
    uint64_t n = ev->args[1];
    if (n > r->lim.max_frames) return too_deep(r, ev, ev->args[0], n);
    if (!block_end && nvals != 2 + n * ff)
        return FAIL_EV(r, ev, GT_ERR_EVENT_LENGTH, "Stack has %" PRIu64 " inline values, %" PRIu64 " frames need %" PRIu64,
                       nvals, n, 2 + n * ff);
    if ((s = read_frames(r, ev, qp, lim, block_end, n)) != GT_OK) return s;
    return block_end && *qp != block_end ? block_leftover(r, ev, 2 + n * ff) : GT_OK;
}

/* A byte string: length varint, then the bytes. */
static gt_status read_bytes(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end, const char *what)
{
    gt_status s = gt_varint_next(qp, end, &ev->data_len, &ev->data_len_width);
    if (s != GT_OK) return varint_fail(r, ev, s, NULL, what);
    if (ev->data_len > r->lim.max_batch_size)
        return FAIL_EV(r, ev, GT_ERR_STRING_SIZE, "%s %s is %" PRIu64 " bytes, the limit is %" PRIu32, ev->spec->name,
                       what, ev->data_len, r->lim.max_batch_size);
    if (ev->data_len > (uint64_t)(end - *qp))
        return FAIL_EV(r, ev, GT_ERR_TRUNCATED, "input ends inside the %" PRIu64 "-byte %s of %s", ev->data_len, what,
                       ev->spec->name);
    ev->data = *qp; /* non-NULL even when empty */
    *qp += ev->data_len;
    return GT_OK;
}

/* Decode what follows the event byte, for any type. */
static gt_status read_event(gt_reader *r, gt_event *ev, const uint8_t **qp, const uint8_t *end)
{
    gt_status s;
    switch (ev->type) {
    case GT_LEG_STACK: return read_stack(r, ev, qp, end);
    case GT_LEG_STRING:
        /* id varint, then the string; the argument field is unused. */
        s = read_values(r, ev, qp, end, NULL, 1);
        return s == GT_OK ? read_bytes(r, ev, qp, end, "string") : s;
    case GT_LEG_USER_LOG:
        /* The message follows the arguments, outside the block. Go 1.19/1.21
         * drop an error reading it (a message cut by the end of the file is
         * accepted there); we report truncation like any other event. */
        s = read_args(r, ev, qp, end, r->view[ev->type].nargs);
        return s == GT_OK ? read_bytes(r, ev, qp, end, "message") : s;
    default: return read_args(r, ev, qp, end, r->view[ev->type].nargs);
    }
}

/* ---- validation ------------------------------------------------------------ */

static size_t ids_in_use(const gt_reader *r) { return r->g.strings.count + r->g.stacks.count; }

static gt_status ids_fail(gt_reader *r, const gt_event *ev, gt_status s, const char *what, uint64_t id)
{
    if (s == GT_ERR_DUPLICATE_ID) return FAIL_EV(r, ev, s, "%s ID %" PRIu64 " is defined twice", what, id);
    if (s == GT_ERR_LIMIT)
        return FAIL_EV(r, ev, s, "more than %" PRIu64 " distinct string and stack IDs", r->lim.max_ids);
    return FAIL_EV(r, ev, s, "out of memory tracking %s IDs", what);
}

static gt_status define_id(gt_reader *r, const gt_event *ev, gt_idmap *m, uint64_t id, const char *what)
{
    size_t total = ids_in_use(r);
    gt_status s = gt_idmap_define(m, &r->mem, id, &total, r->lim.max_ids);
    return s == GT_OK ? s : ids_fail(r, ev, s, what, id);
}

/* Note a reference to a string (which = 0) or stack (which = 1) ID; the
 * seen bitmap answers most of them without a lookup. */
static inline gt_status ref_id(gt_reader *r, const gt_event *ev, int which, uint64_t id)
{
    gt_idmap *m = which ? &r->g.stacks : &r->g.strings;
    if (id == 0 || gt_idmap_seen(m, id)) return GT_OK; /* 0: no stack / the empty string */
    gt_ref where = {ev->offset, ev->batch, ev->index};
    size_t total = ids_in_use(r);
    gt_status s = gt_idmap_reference(m, &r->mem, id, &where, &total, r->lim.max_ids);
    return s == GT_OK ? s : ids_fail(r, ev, s, which ? "stack" : "string", id);
}

static inline gt_status validate_refs(gt_reader *r, const gt_event *ev, unsigned mask)
{
    const gt_view_entry *v = &r->view[ev->type];
    gt_status s = GT_OK;
    for (unsigned i = 0; mask && s == GT_OK; i++, mask >>= 1)
        if (mask & 1) s = ref_id(r, ev, v->roles[i] == GT_ARG_STACK_ID, ev->args[i]);
    return s;
}

static gt_status validate_string(gt_reader *r, const gt_event *ev)
{
    /* Both Go parsers reject id 0, a repeated id and an empty string. */
    if (ev->args[0] == 0) return FAIL_EV(r, ev, GT_ERR_ZERO_ID, "string ID 0 is defined");
    if (ev->data_len == 0)
        return FAIL_EV(r, ev, GT_ERR_BAD_TABLE, "string %" PRIu64 " is empty (the runtime never writes one)", ev->args[0]);
    return define_id(r, ev, &r->g.strings, ev->args[0], "string");
}

static gt_status validate_stack(gt_reader *r, const gt_event *ev)
{
    /* Go accepts and ignores a stack with id 0 (and one without frames); so
     * do we. A frameless stack with an id still counts as defining it. Go
     * lets a later stack replace an earlier one with the same id; the
     * runtime never writes one twice, so we report it. */
    if (ev->args[0] == 0) return GT_OK;
    gt_status s = define_id(r, ev, &r->g.stacks, ev->args[0], "stack");
    if (r->version < 7) return s; /* 1.5 frames are bare PCs */
    for (uint32_t i = 0; i < ev->nframes && s == GT_OK; i++) {
        s = ref_id(r, ev, 0, ev->frames[i].func);
        if (s == GT_OK) s = ref_id(r, ev, 0, ev->frames[i].file);
    }
    return s;
}

static gt_status validate(gt_reader *r, const gt_event *ev)
{
    switch (ev->type) {
    case GT_LEG_STRING: return validate_string(r, ev);
    case GT_LEG_STACK: return validate_stack(r, ev);
    case GT_LEG_FREQUENCY:
        /* Go keeps the last frequency and rejects one that is <= 0 as an int64. */
        if (ev->args[0] == 0 || ev->args[0] > (uint64_t)INT64_MAX)
            return FAIL_EV(r, ev, GT_ERR_BAD_FREQUENCY, "frequency %" PRIu64 " is not a positive tick rate", ev->args[0]);
        r->legacy_freq_seen++;
        return GT_OK;
    default: return validate_refs(r, ev, r->view[ev->type].refmask);
    }
}

/* Every referenced string and stack must be defined somewhere in the file.
 * Go never checks this (it leaves such a frame or stack empty), but the
 * runtime always dumps every string and stack it refers to, so a missing one
 * means damage. Reported at the earliest reference. */
static gt_status check_tables(gt_reader *r)
{
    uint64_t sid = 0, kid = 0;
    gt_ref sref, kref;
    bool bad_s = gt_idmap_first_undefined(&r->g.strings, &sid, &sref);
    bool bad_k = gt_idmap_first_undefined(&r->g.stacks, &kid, &kref);
    if (bad_s && (!bad_k || sref.offset <= kref.offset))
        return FAIL_AT(r, GT_ERR_UNDEFINED_STRING, sref.offset, sref.batch, sref.event,
                       "string ID %" PRIu64 " is used but the trace never defines it", sid);
    if (bad_k)
        return FAIL_AT(r, GT_ERR_UNDEFINED_STACK, kref.offset, kref.batch, kref.event,
                       "stack ID %" PRIu64 " is used but the trace never defines it", kid);
    return GT_END;
}

/* End of input at an event boundary: the whole-trace checks, in Go's order. */
static gt_status at_eof(gt_reader *r)
{
    if (!r->validate) return GT_END;
    uint64_t off = gt_input_offset(r);
    /* Go's "trace is empty": no event at all. Go 1.19/1.21 do not require a
     * Batch before the first event (they give such events P 0 and time 0;
     * oldtrace rejects them), so we only require some event. */
    if (r->legacy_events == 0)
        return FAIL_AT(r, GT_ERR_BAD_BATCH, off, GT_NONE, GT_NONE, "trace is empty: it has no events");
    if (r->legacy_freq_seen == 0)
        return FAIL_AT(r, GT_ERR_MISSING_FREQUENCY, off, GT_NONE, GT_NONE, "trace has no Frequency event");
    return check_tables(r);
}

/* ---- events -------------------------------------------------------------- */

/* Every field of ev but the arguments (no full clear: this runs per event). */
static inline void begin_event(const gt_reader *r, gt_event *ev, uint8_t b, uint64_t off)
{
    unsigned type = b & 0x3fu;
    ev->kind = r->legacy_kind[type];
    ev->type = (uint8_t)type;
    ev->nargs = 0;
    ev->argbits = (uint8_t)(b >> 6);
    ev->data = NULL;
    ev->data_len = 0;
    ev->data_len_width = 0;
    ev->block_len_width = 0;
    ev->block_len = 0;
    ev->frames = NULL;
    ev->nframes = 0;
    ev->experiment = 0;
    ev->time = 0;
    ev->offset = off;
    ev->generation = GT_NONE;
    ev->m = r->legacy_p;
    ev->spec = r->view[type].spec;
    /* GT_NONE before the first batch; a Batch starts the next one. */
    ev->batch = type == GT_LEG_BATCH ? r->batch_count : r->batch_count - 1;
    ev->index = type == GT_LEG_BATCH ? GT_NONE : r->legacy_index;
}

static gt_status unknown_type(gt_reader *r, uint8_t b, uint64_t off)
{
    return FAIL_AT(r, GT_ERR_UNKNOWN_EVENT, off, r->batch_count - 1, r->legacy_index,
                   "unknown event type %u (byte 0x%02x) for go 1.%u", b & 0x3fu, b, r->version);
}

/* A timed event: advance the running time (1.5: and sequence) by its deltas. */
static inline void advance_time(gt_reader *r, gt_event *ev)
{
    if (r->version < 7) {
        r->legacy_seq += ev->args[0];
        ev->time = r->legacy_time += ev->args[1];
    } else {
        ev->time = r->legacy_time += ev->args[0];
    }
    r->legacy_events++;
}

static void start_batch(gt_reader *r, gt_event *ev)
{
    bool v5 = r->version < 7;
    ev->m = r->legacy_p = ev->args[0];
    if (v5) r->legacy_seq = ev->args[1];
    ev->time = r->legacy_time = ev->args[v5 ? 2 : 1];
    r->legacy_any_batch = true;
    r->legacy_index = 0;
    r->batch_count++;
}

/* Consume the event's bytes (gt_input_consume, inlined for the fast path). */
static inline void finish(gt_reader *r, size_t size)
{
    r->in.pos += size;
    r->good_bytes = r->in.base + r->in.pos;
}

/* Any event: refill the window if it holds less than event_max bytes (fewer
 * after the refill means the input ends there), then decode and check. Kept
 * out of line so the fast path stays small. */
__attribute__((noinline)) static gt_status next_general(gt_reader *r, gt_event *ev)
{
    if (!r->legacy_ready) init_tables(r);
    const uint8_t *p;
    size_t avail;
    gt_status s = gt_input_fill(r, event_max(r), &p, &avail);
    if (s != GT_OK) return s;
    if (avail == 0) return at_eof(r);
    uint64_t off = gt_input_offset(r);
    if (!r->view[p[0] & 0x3f].spec) return unknown_type(r, p[0], off);
    begin_event(r, ev, p[0], off);
    const uint8_t *q = p + 1;
    if ((s = read_event(r, ev, &q, p + avail)) != GT_OK) return s;
    if (r->validate && (s = validate(r, ev)) != GT_OK) return s;
    if (ev->type == GT_LEG_BATCH) start_batch(r, ev);
    else {
        if (r->legacy_flags[ev->type] & LF_TIMED) advance_time(r, ev);
        r->legacy_index += r->legacy_any_batch;
    }
    finish(r, (size_t)(q - p));
    return GT_OK;
}

/* The common case, kept short: a timed event with its arguments inline and as
 * many as the type wants, all in the window. Anything else, including any
 * error in the bytes, is left to next_general (which starts over). */
static inline gt_status next_fast(gt_reader *r, gt_event *ev)
{
    const gt_input *in = &r->in;
    const uint8_t *p = in->data + in->pos, *end = in->data + in->end;
    if (p == end) return FAST_MISS;
    unsigned plan = r->legacy_plan[p[0] & 0x3f];
    if (PLAN_FIELD(plan) != (unsigned)(p[0] >> 6) + 1) return FAST_MISS;
    unsigned n = PLAN_NARGS(plan);
    const uint8_t *q = p + 1;
    for (unsigned i = 0; i < n; i++)
        if (gt_varint_next(&q, end, &ev->args[i], &ev->width[i]) != GT_OK) return FAST_MISS;
    begin_event(r, ev, p[0], in->base + in->pos);
    ev->nargs = (uint8_t)n;
    unsigned ids = r->view[ev->type].refmask;
    gt_status s;
    if (r->validate && ids && (s = validate_refs(r, ev, ids)) != GT_OK) return s;
    advance_time(r, ev);
    r->legacy_index += r->legacy_any_batch;
    finish(r, (size_t)(q - p));
    return GT_OK;
}

/* Room for the longest fast-path event: the event byte and 4 varints. */
#define SKIM_MAX (1 + 4 * GT_UVARINT_MAX)

/* Validation without delivery: the fast-path events the caller filtered out
 * are checked and counted here without filling a gt_event. Anything else
 * (another kind of event, a malformed varint, the end of the input near, a
 * first reference to an ID) ends the loop and the exact path takes over, so
 * errors are reported identically. */
static void skim_events(gt_reader *r)
{
    const uint8_t *p = r->in.data + r->in.pos, *const start = p, *const end = r->in.data + r->in.end;
    const uint8_t *plans = r->legacy_plan;
    const gt_idmap *stacks = &r->g.stacks;
    uint64_t time = r->legacy_time, seq = r->legacy_seq, count = 0, vals[4];
    unsigned dt = inline_base(r) - 1;
    bool validate = r->validate;
    while (end - p >= SKIM_MAX) {
        unsigned plan = plans[*p & 0x3f], n = PLAN_NARGS(plan);
        if (PLAN_FIELD(plan) != (unsigned)(*p >> 6) + 1) break;
        const uint8_t *q = p + 1;
        unsigned i = 0;
        do { /* n >= 1: dt */
            if (GT_LIKELY(*q < 0x80)) vals[i] = *q++;
            else if (!gt_varint_read10(&q, &vals[i])) goto out;
        } while (++i < n);
        /* A stack ID not known yet: the exact path records its first use. */
        unsigned k = PLAN_STACK(plan);
        if (validate && k && vals[k - 1] && !gt_idmap_seen(stacks, vals[k - 1])) break;
        seq += vals[0]; /* used for 1.5 only (dseq) */
        time += vals[dt];
        count++;
        p = q;
    }
out:
    if (r->version < 7) r->legacy_seq = seq;
    r->legacy_time = time;
    r->legacy_events += count;
    if (r->legacy_any_batch) r->legacy_index += count;
    r->counts[GT_KIND_EVENT] += count;
    finish(r, (size_t)(p - start));
}

gt_status gt_legacy_next(gt_reader *r, gt_event *ev)
{
    if (!((r->filter >> GT_KIND_EVENT) & 1u) && r->legacy_ready) skim_events(r);
    gt_status s = next_fast(r, ev);
    return s == FAST_MISS ? next_general(r, ev) : s;
}
