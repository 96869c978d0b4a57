/* Round-trip property tests of the encoder, seeded and replayable.
 *
 *   model:  a random trace model (test_roundtrip_model.h: random events of any
 *           version, or a well-formed schedule) is written with gt_writer and
 *           gt_batch; decoding the bytes with validation must give back the
 *           model: every event with its M, time and arguments, every string
 *           and stack argument resolving to the same contents, IDs 1..n per
 *           generation, the frequency and clock; legacy stacks come after the
 *           strings they use. Then encode(decode(bytes)) == bytes (with and
 *           without validation), asm(dump --lossless) == bytes, and asm of the
 *           plain dump decodes to the same items.
 *   raw:    random items with random varint widths, argument bits and length
 *           prefixes (every layout the decoders accept) are encoded with
 *           gt_encode_event; decoding without validation must give back each
 *           item field by field, widths included, re-encoding the decoded
 *           items must give the same bytes, and so must asm(dump --lossless).
 *
 * GT_SEED=S replays a run (the seed is printed first), GT_CASES=N sets the
 * number of cases per property (default 10000), GT_CASE=I runs case I only. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_roundtrip_model.h"

#define BUF (8u << 20)

static uint64_t base_seed, case_seed, case_index;
static unsigned ncases = 10000;
static long only_case = -1;
static const char *property = "";

static uint8_t bytes[BUF], copy[BUF], scratch[BUF];
static char text[4 * BUF];
static tm_model model;
static tm_writer tw;

#define REQUIRE(c, ...)                                                                                                \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            report(__LINE__, __VA_ARGS__);                                                                             \
            fail();                                                                                                    \
        }                                                                                                              \
    } while (0)

__attribute__((format(printf, 2, 3))) static void report(int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAILED (line %d) %s case %" PRIu64 " (case seed 0x%" PRIx64 ", go 1.%u): ", line, property,
            case_index, case_seed, model.version);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nreplay: GT_SEED=0x%" PRIx64 " GT_CASE=%" PRIu64 "\n", base_seed, case_index);
    va_end(ap);
}

static uint64_t mix(uint64_t x)
{
    tm_rng r = {x};
    return tm_next(&r);
}

static unsigned pick_version(tm_rng *r)
{
    size_t n;
    const unsigned *v = gt_versions(&n);
    return v[tm_below(r, n)];
}

/*-************************************
 *  Shared helpers
 **************************************/
typedef struct sink_buf {
    uint8_t *p;
    size_t n, cap;
    tm_rng *r;
} sink_buf;

/* A sink that takes a random part of what it is offered. */
static long sink_some(void *user, const uint8_t *p, size_t n)
{
    sink_buf *s = user;
    size_t k = 1 + (size_t)tm_below(s->r, n);
    if (k > s->cap - s->n) return -1;
    memcpy(s->p + s->n, p, k);
    s->n += k;
    return (long)k;
}

/* Re-encode every item a reader delivers from in[0..n). @return the size. */
static size_t recode(const uint8_t *in, size_t n, int validate, uint8_t *out, size_t cap)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_writer *w = gt_writer_create(NULL);
    REQUIRE(r && w, "out of memory");
    gt_reader_set_validation(r, validate);
    gt_reader_set_buffer(r, in, n);
    gt_writer_set_buffer(w, out, cap);
    gt_event ev;
    gt_status s, ws = GT_OK;
    while ((s = gt_reader_next(r, &ev)) == GT_OK && (ws = gt_writer_item(w, &ev)) == GT_OK) {
    }
    REQUIRE(s == GT_END, "decode (validate=%d): %s: %s", validate, gt_status_name(s), gt_reader_error(r)->message);
    REQUIRE(ws == GT_OK, "gt_writer_item: %s", gt_writer_error(w)->message);
    size_t size = (size_t)gt_writer_size(w);
    gt_reader_free(r);
    gt_writer_free(w);
    return size;
}

/* Render in[0..n) as text (items of a non-validating reader). @return length. */
static size_t dump(const uint8_t *in, size_t n, unsigned flags)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_validation(r, 0);
    gt_reader_set_buffer(r, in, n);
    gt_event ev;
    gt_status s;
    size_t len = 0;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        size_t k = ev.kind == GT_KIND_HEADER
                       ? gt_text_header(text + len, sizeof text - len, (unsigned)ev.args[0])
                       : gt_text_event(text + len, sizeof text - len, gt_reader_version(r), &ev, flags);
        REQUIRE(k < sizeof text - len, "text buffer too small");
        len += k;
    }
    REQUIRE(s == GT_END, "dump: %s", gt_reader_error(r)->message);
    gt_reader_free(r);
    return len;
}

/* Assemble text[0..len) fed in random chunks. @return the bytes' size. */
static size_t assemble(size_t len, uint8_t *out, size_t cap, tm_rng *rng)
{
    gt_writer *w = gt_writer_create(NULL);
    gt_writer_set_buffer(w, out, cap);
    gt_asm *a = gt_asm_create(NULL, w);
    REQUIRE(a, "out of memory");
    gt_status s = GT_OK;
    for (size_t off = 0; off < len && s == GT_OK;) {
        size_t k = tm_chance(rng, 50) ? len - off : 1 + (size_t)tm_below(rng, len - off);
        s = gt_asm_feed(a, text + off, k);
        off += k;
    }
    if (s == GT_OK) s = gt_asm_finish(a);
    REQUIRE(s == GT_OK, "asm: %s", gt_asm_error(a)->message);
    size_t size = (size_t)gt_writer_size(w);
    gt_asm_free(a);
    gt_writer_free(w);
    return size;
}

static void same_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, const char *what)
{
    size_t i = 0;
    while (i < na && i < nb && a[i] == b[i]) i++;
    REQUIRE(na == nb && i == na, "%s: %zu bytes vs %zu, first difference at offset %zu", what, na, nb, i);
}

/*-************************************
 *  Model: decoded view
 **************************************/
typedef struct dx_ev {
    uint8_t type, nargs;
    bool timed;
    uint64_t time, m;
    uint64_t args[GT_MAX_ARGS];
    size_t msg_off, msg_len;
} dx_ev;

typedef struct dx_entry {
    size_t off;   /* string: bytes; stack: first frame */
    uint32_t len; /* string: bytes; stack: frames */
    bool def;
} dx_entry;

#define DX_IDS 4096
static dx_ev dx[TM_MAX_EVENTS + 16];
static size_t ndx, nbytes, nframes;
static uint8_t dbytes[1u << 22];
static gt_frame dframes[TM_MAX_FRAMES * 2];
static dx_entry dstr[DX_IDS], dstk[DX_IDS];
static uint64_t dfreq, dclock[4];
static unsigned nfreq, nclock;

static void dx_clear(void)
{
    ndx = nbytes = nframes = 0;
    memset(dstr, 0, sizeof dstr);
    memset(dstk, 0, sizeof dstk);
    nfreq = nclock = 0;
}

static size_t keep_bytes(const uint8_t *p, size_t n)
{
    REQUIRE(n <= sizeof dbytes - nbytes, "decoded bytes overflow");
    if (n) memcpy(dbytes + nbytes, p, n);
    nbytes += n;
    return nbytes - n;
}

static bool dx_str_eq(uint64_t id, uint32_t pool)
{
    size_t n;
    const uint8_t *p = tm_str_bytes(&model, pool, &n);
    if (id == 0) return n == 0;
    return id < DX_IDS && dstr[id].def && dstr[id].len == n && memcmp(dbytes + dstr[id].off, p, n) == 0;
}

static bool dx_stack_eq(uint64_t id, uint32_t pool)
{
    const tm_stack *st = &model.stack[pool];
    if (id == 0) return st->n == 0;
    if (id >= DX_IDS || !dstk[id].def || dstk[id].len != st->n) return false;
    bool v5 = model.version < 7;
    for (uint32_t f = 0; f < st->n; f++) {
        const tm_frame *mf = &model.frame[st->first + f];
        const gt_frame *df = &dframes[dstk[id].off + f];
        if (mf->pc != df->pc) return false;
        if (!v5 && (mf->line != df->line || !dx_str_eq(df->func, mf->func) || !dx_str_eq(df->file, mf->file)))
            return false;
    }
    return true;
}

static void dx_event(const gt_event *ev, uint64_t m)
{
    REQUIRE(ndx < sizeof dx / sizeof *dx, "too many decoded events");
    dx_ev *d = &dx[ndx++];
    d->type = ev->type;
    d->nargs = ev->nargs;
    d->timed = ev->spec && (ev->spec->flags & GT_EV_TIMED);
    d->time = ev->time;
    d->m = m;
    memcpy(d->args, ev->args, sizeof d->args);
    d->msg_len = ev->data ? (size_t)ev->data_len : 0;
    d->msg_off = keep_bytes(ev->data, d->msg_len);
}

/* The timed events of an experimental batch's payload (the reader keeps it opaque). */
static void dx_payload(const gt_event *b)
{
    const uint8_t *p = b->data, *end = p + b->data_len;
    uint64_t t = b->time;
    while (p < end) {
        gt_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = *p++;
        ev.spec = gt_spec(model.version, ev.type);
        REQUIRE(ev.spec && ev.spec->experiment, "experimental payload: type %u", ev.type);
        ev.nargs = ev.spec->nargs;
        for (unsigned i = 0; i < ev.nargs; i++) {
            size_t w;
            REQUIRE(gt_uvarint_read(p, (size_t)(end - p), &ev.args[i], &w) == GT_OK, "experimental payload varint");
            p += w;
        }
        ev.time = t += ev.args[0];
        dx_event(&ev, b->m);
    }
}

static void dx_table(const gt_event *ev)
{
    uint64_t id = ev->args[0];
    if (ev->kind == GT_KIND_STRING) {
        REQUIRE(id > 0 && id < DX_IDS && !dstr[id].def, "string ID %" PRIu64, id);
        dstr[id] = (dx_entry){keep_bytes(ev->data, (size_t)ev->data_len), (uint32_t)ev->data_len, true};
        return;
    }
    REQUIRE(id > 0 && id < DX_IDS && !dstk[id].def && nframes + ev->nframes <= sizeof dframes / sizeof *dframes,
            "stack ID %" PRIu64, id);
    for (uint32_t f = 0; f < ev->nframes; f++) {
        const gt_frame *fr = &ev->frames[f];
        /* Legacy: every string a stack needs is written before it. */
        if (model.version < 22 && model.version >= 7)
            REQUIRE((!fr->func || (fr->func < DX_IDS && dstr[fr->func].def)) &&
                        (!fr->file || (fr->file < DX_IDS && dstr[fr->file].def)),
                    "stack %" PRIu64 " precedes its strings", id);
        dframes[nframes + f] = *fr;
    }
    dstk[id] = (dx_entry){nframes, ev->nframes, true};
    nframes += ev->nframes;
}

static void check_ids_dense(const dx_entry *t, const char *what)
{
    size_t max = 0, count = 0;
    for (size_t i = 1; i < DX_IDS; i++)
        if (t[i].def) max = i, count++;
    REQUIRE(max == count, "%s IDs are not 1..%zu (largest %zu)", what, count, max);
}

/* Compare the decoded events of generation gi with the model's. */
static void check_gen(uint32_t gi)
{
    const tm_gen *g = &model.gen[gi];
    size_t k = 0;
    for (uint32_t bi = 0; bi < g->n; bi++) {
        const tm_batch *b = &model.batch[g->first + bi];
        for (uint32_t ei = 0; ei < b->n; ei++, k++) {
            const tm_event *e = &model.ev[b->first + ei];
            REQUIRE(k < ndx, "generation %u: %zu events decoded, more expected", gi, ndx);
            const dx_ev *d = &dx[k];
            REQUIRE(d->type == e->type && d->m == b->m, "event %zu: type %u m %" PRIu64 ", want type %u m %" PRIu64, k,
                    d->type, d->m, e->type, b->m);
            uint8_t roles[GT_MAX_ARGS];
            unsigned n = tm_roles(model.version, e->type, roles);
            unsigned dti = d->timed ? (model.version < 7 ? 1u : 0u) : GT_MAX_ARGS;
            REQUIRE(d->nargs == n + (d->timed ? 1u : 0u), "event %zu: %u arguments", k, d->nargs);
            if (d->timed)
                REQUIRE(d->time == e->time, "event %zu: time %" PRIu64 ", want %" PRIu64, k, d->time, e->time);
            for (unsigned i = 0, j = 0; i < d->nargs; i++) {
                if (i == dti) continue;
                uint64_t got = d->args[i], want = e->args[j];
                if (roles[j] == GT_ARG_STRING_ID)
                    REQUIRE(dx_str_eq(got, (uint32_t)want), "event %zu arg %u: string %" PRIu64 " is not pool %" PRIu64,
                            k, i, got, want);
                else if (roles[j] == GT_ARG_STACK_ID)
                    REQUIRE(dx_stack_eq(got, (uint32_t)want),
                            "event %zu arg %u: stack %" PRIu64 " is not pool %" PRIu64, k, i, got, want);
                else
                    REQUIRE(got == want, "event %zu arg %u: %" PRIu64 ", want %" PRIu64, k, i, got, want);
                j++;
            }
            if (model.version < 22 && e->type == GT_LEG_USER_LOG) {
                size_t len;
                const uint8_t *p = tm_str_bytes(&model, e->msg, &len);
                REQUIRE(d->msg_len == len && memcmp(dbytes + d->msg_off, p, len) == 0, "event %zu: message", k);
            }
        }
    }
    REQUIRE(k == ndx, "generation %u: %zu events decoded, want %zu", gi, ndx, k);
    REQUIRE(nfreq == 1 && dfreq == g->sync.freq, "frequency %" PRIu64 " (%u), want %" PRIu64, dfreq, nfreq,
            g->sync.freq);
    if (model.version >= 25)
        REQUIRE(nclock == 1 && dclock[0] == g->sync.clock_time && dclock[1] == g->sync.mono &&
                    dclock[2] == g->sync.sec && dclock[3] == g->sync.nsec,
                "clock snapshot");
    check_ids_dense(dstr, "string");
    check_ids_dense(dstk, "stack");
}

/* decode(bytes) with validation == the model. */
static void check_decode(const uint8_t *in, size_t n)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, in, n);
    gt_event ev;
    gt_status s;
    uint32_t gi = 0;
    uint64_t m = 0;
    bool opaque = false;
    dx_clear();
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        switch ((gt_kind)ev.kind) {
        case GT_KIND_HEADER: REQUIRE(ev.args[0] == model.version, "header version %" PRIu64, ev.args[0]); break;
        case GT_KIND_BATCH:
            m = ev.m;
            opaque = ev.type == GT_V2_EXPERIMENTAL_BATCH && model.version >= 22 && ev.experiment != 0;
            if (opaque) dx_payload(&ev);
            break;
        case GT_KIND_EVENT:
        case GT_KIND_CPU_SAMPLE: dx_event(&ev, m); break;
        case GT_KIND_STRING:
        case GT_KIND_STACK: dx_table(&ev); break;
        case GT_KIND_FREQUENCY:
            dfreq = ev.args[0];
            nfreq++;
            break;
        case GT_KIND_CLOCK_SNAPSHOT:
            dclock[0] = ev.time;
            memcpy(dclock + 1, ev.args + 1, 3 * sizeof *dclock);
            nclock++;
            break;
        case GT_KIND_GENERATION_END:
            REQUIRE(gi < model.ngen && ev.args[0] == model.gen[gi].gen, "generation %" PRIu64 " ends", ev.args[0]);
            check_gen(gi++);
            dx_clear();
            break;
        case GT_KIND_TABLE_MARKER:
        case GT_KIND_IGNORED_DATA:
        case GT_KIND_END_OF_GENERATION:
        default: break;
        }
    }
    REQUIRE(s == GT_END, "decode: %s: %s", gt_status_name(s), gt_reader_error(r)->message);
    if (model.version < 22) check_gen(gi++);
    REQUIRE(gi == model.ngen, "%u generations decoded, want %u", gi, model.ngen);
    gt_reader_free(r);
}

/* Items of a validating reader, ignoring widths: kind, type, args. */
static uint64_t item_digest(const uint8_t *in, size_t n, size_t *count)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, in, n);
    gt_event ev;
    gt_status s;
    uint64_t h = 0;
    *count = 0;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        h = mix(h ^ ((uint64_t)ev.kind << 8 | ev.type));
        for (unsigned i = 0; i < ev.nargs; i++) h = mix(h ^ ev.args[i]);
        for (uint64_t i = 0; ev.data && i < ev.data_len; i++) h = mix(h ^ ev.data[i]);
        (*count)++;
    }
    REQUIRE(s == GT_END, "decode: %s: %s", gt_status_name(s), gt_reader_error(r)->message);
    gt_reader_free(r);
    return h;
}

static void model_case(tm_rng *r)
{
    unsigned v = pick_version(r);
    bool valid = v >= 7 && tm_chance(r, 20);
    if (valid)
        tm_gen_valid(&model, r, v, 10 + (unsigned)tm_below(r, 60));
    else
        tm_gen_random(&model, r, v);

    tw.w = gt_writer_create(NULL);
    REQUIRE(tw.w, "out of memory");
    sink_buf sb = {bytes, 0, sizeof bytes, r};
    bool sink = tm_chance(r, 30);
    if (sink)
        gt_writer_set_sink(tw.w, sink_some, &sb);
    else
        gt_writer_set_buffer(tw.w, bytes, sizeof bytes);
    gt_status s = tm_write(&tw, &model);
    REQUIRE(s == GT_OK, "write: %s: %s", gt_status_name(s), gt_writer_error(tw.w)->message);
    size_t n = (size_t)gt_writer_size(tw.w);
    REQUIRE(!sink || sb.n == n, "the sink took %zu of %zu bytes", sb.n, n);
    gt_writer_free(tw.w);

    check_decode(bytes, n);
    for (int validate = 0; validate < 2; validate++) {
        size_t c = recode(bytes, n, validate, copy, sizeof copy);
        same_bytes(bytes, n, copy, c, validate ? "copy (validating)" : "copy");
    }
    size_t len = dump(bytes, n, GT_TEXT_LOSSLESS);
    size_t c = assemble(len, copy, sizeof copy, r);
    same_bytes(bytes, n, copy, c, "asm(dump --lossless)");
    if (tm_chance(r, 25)) {
        size_t k1, k2;
        len = dump(bytes, n, 0);
        c = assemble(len, copy, sizeof copy, r);
        REQUIRE(item_digest(bytes, n, &k1) == item_digest(copy, c, &k2) && k1 == k2, "asm(dump): other items");
    }
}

/*-************************************
 *  Raw items
 **************************************/
#define RAW_ITEMS 400
static gt_event items[RAW_ITEMS];
static gt_frame frame_pool[RAW_ITEMS * 8];
static size_t nitems, nframe_pool;
static uint8_t item_data[RAW_ITEMS * 1100];
static size_t item_data_len;

/* A width for v: 0 (minimal) or random from minimal to 10. */
static uint8_t rand_width(tm_rng *r, uint64_t v)
{
    if (tm_chance(r, 60)) return 0;
    unsigned min = (unsigned)gt_uvarint_size(v);
    return (uint8_t)(min + tm_below(r, GT_UVARINT_MAX - min + 1));
}

static uint8_t norm(uint8_t w, uint64_t v) { return w ? w : (uint8_t)gt_uvarint_size(v); }

static uint64_t body_of(const gt_event *ev, unsigned ff)
{
    uint64_t b = 0;
    for (unsigned i = 0; i < ev->nargs; i++) b += norm(ev->width[i], ev->args[i]);
    for (uint32_t f = 0; f < ev->nframes; f++) {
        const gt_frame *fr = &ev->frames[f];
        const uint64_t v[4] = {fr->pc, fr->func, fr->file, fr->line};
        for (unsigned k = 0; k < ff; k++) b += norm(fr->width[k], v[k]);
    }
    return b;
}

static gt_event *new_item(unsigned type)
{
    gt_event *ev = &items[nitems++];
    memset(ev, 0, sizeof *ev);
    ev->kind = GT_KIND_EVENT;
    ev->type = (uint8_t)type;
    return ev;
}

static void rand_data(tm_rng *r, gt_event *ev, size_t max)
{
    size_t n = (size_t)tm_below(r, max + 1);
    for (size_t i = 0; i < n; i++) item_data[item_data_len + i] = (uint8_t)tm_next(r);
    ev->data = item_data + item_data_len;
    ev->data_len = n;
    ev->data_len_width = rand_width(r, n);
    item_data_len += n;
}

/* An item of `type` with random values, widths, frames and data. */
static gt_event *rand_item(tm_rng *r, unsigned v, unsigned type)
{
    const gt_event_spec *spec = gt_spec(v, type);
    const gt_arg_spec *a[GT_MAX_ARGS];
    gt_event *ev = new_item(type);
    ev->nargs = (uint8_t)gt_spec_args(spec, v, a);
    for (unsigned i = 0; i < ev->nargs; i++) {
        ev->args[i] = tm_value(r);
        ev->width[i] = rand_width(r, ev->args[i]);
    }
    if (spec->flags & GT_EV_IS_STACK) {
        uint32_t n = tm_chance(r, 2) ? 1 + (uint32_t)tm_below(r, 128) : (uint32_t)tm_below(r, 6);
        if (n > sizeof frame_pool / sizeof *frame_pool - nframe_pool) n = 0;
        gt_frame *fr = frame_pool + nframe_pool;
        nframe_pool += n;
        unsigned ff = v < 22 ? gt_spec_frame_fields(v) : 4u;
        for (uint32_t f = 0; f < n; f++) {
            uint64_t *vals[4] = {&fr[f].pc, &fr[f].func, &fr[f].file, &fr[f].line};
            memset(&fr[f], 0, sizeof fr[f]);
            for (unsigned k = 0; k < ff; k++) {
                *vals[k] = tm_value(r);
                fr[f].width[k] = rand_width(r, *vals[k]);
            }
        }
        ev->args[1] = n;
        ev->width[1] = rand_width(r, n);
        ev->frames = fr;
        ev->nframes = n;
    }
    if ((spec->flags & GT_EV_HAS_DATA) || (v < 22 && (spec->flags & GT_EV_TRAILER))) rand_data(r, ev, 1024);
    return ev;
}

static size_t encode_items(size_t from, unsigned v, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = from; i < nitems; i++) {
        size_t k;
        gt_status s = gt_encode_event(out + n, cap - n, v, &items[i], &k);
        REQUIRE(s == GT_OK, "encode item %zu (type %u): %s", i, items[i].type, gt_status_name(s));
        REQUIRE(k <= gt_event_bound(v, &items[i]), "item %zu: %zu bytes above its bound", i, k);
        n += k;
    }
    return n;
}

static void raw_v2(tm_rng *r, unsigned v)
{
    unsigned types[256], nt = 0;
    for (unsigned t = 1; t < 256; t++)
        if (gt_spec(v, t)) types[nt++] = t;
    for (unsigned b = 0, nb = (unsigned)tm_below(r, 6); b < nb && nitems < RAW_ITEMS - 40; b++) {
        unsigned roll = (unsigned)tm_below(r, 100);
        if (v >= 26 && roll < 10) {
            gt_event *e = new_item(GT_V2_END_OF_GENERATION);
            e->kind = GT_KIND_END_OF_GENERATION;
            continue;
        }
        if (v >= 23 && roll < 25) {
            gt_event *e = rand_item(r, v, GT_V2_EXPERIMENTAL_BATCH);
            e->kind = GT_KIND_BATCH;
            e->args[0] = tm_below(r, 256);
            e->width[0] = 0;
            e->args[1] |= 1; /* generation 0 is never valid */
            e->width[1] = rand_width(r, e->args[1]);
            continue;
        }
        gt_event *h = new_item(GT_V2_EVENT_BATCH);
        size_t hi = nitems - 1;
        h->kind = GT_KIND_BATCH;
        h->nargs = 4;
        for (unsigned i = 0; i < 3; i++) {
            h->args[i] = tm_value(r) | (i == 0);
            h->width[i] = rand_width(r, h->args[i]);
        }
        for (unsigned k = 0, ne = (unsigned)tm_below(r, 30); k < ne && nitems < RAW_ITEMS - 40; k++) {
            gt_event *e = rand_item(r, v, types[tm_below(r, nt)]);
            /* An ExperimentalBatch inside a payload is an event of varints.
             * Its exp width stays minimal: text.c's lossless annotation
             * never lists the experiment argument. */
            if (e->type == GT_V2_EXPERIMENTAL_BATCH) e->width[0] = 0;
        }
        size_t payload = encode_items(hi + 1, v, scratch, sizeof scratch);
        items[hi].args[3] = payload;
        items[hi].width[3] = rand_width(r, payload);
    }
}

/* Legacy: every layout the decoder accepts: inline when the value count
 * allows it, else (or at random) length-prefixed with a random L width. */
static void raw_legacy(tm_rng *r, unsigned v)
{
    unsigned base = v < 7 ? 2u : 1u, ff = gt_spec_frame_fields(v);
    unsigned types[64], nt = 0;
    for (unsigned t = 1; t < 64; t++)
        if (gt_spec(v, t)) types[nt++] = t;
    for (unsigned k = 0, ne = (unsigned)tm_below(r, 60); k < ne; k++) {
        unsigned type = types[tm_below(r, nt)];
        gt_event *ev = rand_item(r, v, type);
        if (type == GT_LEG_STRING) {
            ev->argbits = (uint8_t)tm_below(r, 4); /* not used by the layout */
            continue;
        }
        uint64_t nvals = ev->nargs + (uint64_t)ev->nframes * ff;
        if (nvals >= base && nvals - base <= 2 && tm_chance(r, 70)) {
            ev->argbits = (uint8_t)(nvals - base);
        } else {
            ev->argbits = 3;
            uint64_t body = body_of(ev, ff);
            ev->block_len = (uint32_t)body;
            ev->block_len_width = tm_chance(r, 50) ? 0 : rand_width(r, body);
        }
    }
}

static void same_item(const gt_event *want, const gt_event *got, unsigned v, size_t i)
{
    bool legacy = v < 22;
    unsigned ff = legacy ? gt_spec_frame_fields(v) : 4u;
    REQUIRE(got->type == want->type && got->nargs == want->nargs, "item %zu: type %u/%u nargs %u/%u", i, got->type,
            want->type, got->nargs, want->nargs);
    if (want->kind == GT_KIND_HEADER) return;
    for (unsigned a = 0; a < want->nargs; a++) {
        bool raw = want->kind == GT_KIND_BATCH && want->type == GT_V2_EXPERIMENTAL_BATCH && a == 0;
        REQUIRE(got->args[a] == want->args[a] && (raw || got->width[a] == norm(want->width[a], want->args[a])),
                "item %zu arg %u: %" PRIu64 "/%u, want %" PRIu64 "/%u", i, a, got->args[a], got->width[a],
                want->args[a], norm(want->width[a], want->args[a]));
    }
    if (legacy) {
        bool prefixed = want->argbits == 3 && want->type != GT_LEG_STRING;
        REQUIRE(got->argbits == want->argbits, "item %zu: argbits %u, want %u", i, got->argbits, want->argbits);
        REQUIRE(got->block_len_width == (prefixed ? norm(want->block_len_width, body_of(want, ff)) : 0) &&
                    (!prefixed || got->block_len == body_of(want, ff)),
                "item %zu: block %u/%u", i, got->block_len, got->block_len_width);
    }
    REQUIRE(got->nframes == want->nframes, "item %zu: %u frames, want %u", i, got->nframes, want->nframes);
    for (uint32_t f = 0; f < want->nframes; f++) {
        const gt_frame *x = &want->frames[f], *y = &got->frames[f];
        const uint64_t vx[4] = {x->pc, x->func, x->file, x->line}, vy[4] = {y->pc, y->func, y->file, y->line};
        for (unsigned k = 0; k < ff; k++)
            REQUIRE(vx[k] == vy[k] && y->width[k] == norm(x->width[k], vx[k]), "item %zu frame %u field %u", i, f, k);
    }
    if (want->data) {
        REQUIRE(got->data && got->data_len == want->data_len &&
                    (!want->data_len || memcmp(got->data, want->data, want->data_len) == 0) &&
                    got->data_len_width == norm(want->data_len_width, want->data_len),
                "item %zu: data", i);
    }
}

static void raw_case(tm_rng *r)
{
    unsigned v = pick_version(r);
    model.version = v;
    nitems = item_data_len = nframe_pool = 0;
    gt_event *h = new_item(0);
    h->kind = GT_KIND_HEADER;
    h->nargs = 1;
    h->args[0] = v;
    if (v >= 22)
        raw_v2(r, v);
    else
        raw_legacy(r, v);
    size_t n = encode_items(0, v, bytes, sizeof bytes);

    /* decode(encode(items)) == items, field by field */
    gt_reader *rd = gt_reader_create(NULL);
    gt_reader_set_validation(rd, 0);
    gt_reader_set_buffer(rd, bytes, n);
    gt_event ev;
    gt_status s;
    size_t i = 0, c = 0;
    while ((s = gt_reader_next(rd, &ev)) == GT_OK) {
        REQUIRE(i < nitems, "more items decoded than encoded");
        same_item(&items[i], &ev, v, i);
        size_t k;
        REQUIRE(gt_encode_event(copy + c, sizeof copy - c, v, &ev, &k) == GT_OK, "re-encode item %zu", i);
        c += k;
        i++;
    }
    REQUIRE(s == GT_END, "decode: %s: %s", gt_status_name(s), gt_reader_error(rd)->message);
    REQUIRE(i == nitems, "%zu items decoded, %zu encoded", i, nitems);
    gt_reader_free(rd);
    same_bytes(bytes, n, copy, c, "encode(decode(bytes))");

    size_t len = dump(bytes, n, GT_TEXT_LOSSLESS);
    c = assemble(len, copy, sizeof copy, r);
    same_bytes(bytes, n, copy, c, "asm(dump --lossless)");
}

/*-************************************
 *  Runner
 **************************************/
static void run(const char *name, void (*one)(tm_rng *))
{
    property = name;
    for (uint64_t i = 0; i < ncases; i++) {
        if (only_case >= 0 && i != (uint64_t)only_case) continue;
        case_index = i;
        case_seed = mix(base_seed ^ mix(i + (name[0] == 'r' ? 0x5151 : 0)));
        tm_rng r = {case_seed};
        one(&r);
    }
    printf("test_roundtrip: %s: %u cases passed\n", name, only_case >= 0 ? 1u : ncases);
}

static void test_model(void **state)
{
    (void)state;
    run("model", model_case);
}

static void test_raw(void **state)
{
    (void)state;
    run("raw", raw_case);
}

int main(void)
{
    const char *s = getenv("GT_SEED");
    base_seed = s ? strtoull(s, NULL, 0) : mix((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
    if ((s = getenv("GT_CASES"))) ncases = (unsigned)strtoul(s, NULL, 0);
    if ((s = getenv("GT_CASE"))) only_case = strtol(s, NULL, 0);
    printf("test_roundtrip: seed 0x%" PRIx64 " (replay: GT_SEED=0x%" PRIx64 "), %u cases per property\n", base_seed,
           base_seed, ncases);
    fflush(stdout);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_model), cmocka_unit_test(test_raw)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
