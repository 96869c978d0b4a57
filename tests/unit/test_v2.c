/* The v2 decoder on hand-built traces: valid 1.22/1.23/1.25/1.26 files, each
 * structural error with its status and exact byte offset, streaming
 * equivalence, salvage, sticky errors and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bytes.h"

#define MAXU UINT64_MAX

/* Faults a generation can be built with; `at` receives the offset of the
 * byte (event or batch) the fault is expected to be reported at. */
enum fault {
    F_NONE, F_NO_FREQ, F_DUP_FREQ, F_ZERO_FREQ, F_STRING0, F_DUP_STRING, F_UNDEF_STRING, F_UNDEF_STACK,
    F_UNDEF_FRAME_STRING, F_BIG_STRING, F_DEEP_STACK, F_UNKNOWN_EVENT, F_STRUCT_IN_EVENTS, F_EVENT_PAST_BATCH,
    F_NO_CLOCK, F_DUP_CLOCK, F_BAD_TABLE_EVENT, F_STACK0, F_DUP_STACK
};

typedef struct built {
    tb t;
    size_t at;
} built;

static void freq_batch(built *b, unsigned v, uint64_t gen, enum fault f)
{
    tb *t = &b->t;
    if (f == F_NO_FREQ && v < 25) return;
    tb_batch(t, gen, MAXU, 5);
    if (v >= 25) {
        tb_byte(t, GT_V2_SYNC);
        if (f != F_NO_FREQ) TB_EV(t, GT_V2_FREQUENCY, 15625000);
        if (f != F_NO_CLOCK) TB_EV(t, GT_V2_CLOCK_SNAPSHOT, 1, 99, 1740755049, 123);
        if (f == F_DUP_CLOCK) {
            b->at = t->n;
            TB_EV(t, GT_V2_CLOCK_SNAPSHOT, 1, 99, 1740755049, 124);
        }
    } else {
        if (f == F_ZERO_FREQ) b->at = t->n;
        TB_EV(t, GT_V2_FREQUENCY, f == F_ZERO_FREQ ? 0 : 15625000);
    }
    tb_end(t);
    if (f == F_DUP_FREQ) {
        tb_batch(t, gen, MAXU, 6);
        b->at = t->n;
        if (v >= 25) tb_byte(t, GT_V2_SYNC), b->at = t->n;
        TB_EV(t, GT_V2_FREQUENCY, 15625000);
        tb_end(t);
    }
}

static void event_batch(built *b, unsigned v, uint64_t gen, enum fault f)
{
    tb *t = &b->t;
    (void)v;
    tb_batch(t, gen, 1, 100);
    TB_EV(t, 13, 1, 0, 1);       /* ProcStatus dt p pstatus */
    TB_EV(t, 25, 1, 1, 1, 2);    /* GoStatus dt g m gstatus */
    if (f == F_UNDEF_STACK) b->at = t->n;
    TB_EV(t, 14, 1, 2, 1, f == F_UNDEF_STACK ? 7 : 2); /* GoCreate dt new_g new_stack stack */
    if (f == F_UNDEF_STRING) b->at = t->n;
    TB_EV(t, 20, 1, f == F_UNDEF_STRING ? 9 : 3, 1); /* GoBlock dt reason_string stack */
    TB_EV(t, 44, 1, 0, 1, 2, 0);                      /* UserLog dt task key value stack */
    if (f == F_UNKNOWN_EVENT) {
        b->at = t->n;
        TB_EV(t, 60, 1);
    }
    if (f == F_STRUCT_IN_EVENTS) {
        b->at = t->n;
        TB_EV(t, GT_V2_FREQUENCY, 1);
    }
    if (f == F_EVENT_PAST_BATCH) {
        b->at = t->n;
        tb_byte(t, 16); /* GoStart dt g g_seq: only dt present */
        tb_uv(t, 1);
    }
    tb_end(t);
}

static void tables(built *b, unsigned v, uint64_t gen, enum fault f)
{
    tb *t = &b->t;
    (void)v;
    tb_batch(t, gen, MAXU, 7);
    tb_byte(t, GT_V2_STACKS);
    tb_stack1(t, 1, 0x1000, 1, 2, 10);
    if (f == F_DUP_STACK || f == F_STACK0) b->at = t->n;
    tb_stack1(t, f == F_DUP_STACK ? 1 : f == F_STACK0 ? 0 : 2, 0x2000, 1, 2, 20);
    if (f == F_UNDEF_FRAME_STRING) {
        b->at = t->n;
        tb_stack1(t, 3, 0x3000, 1, 42, 30);
    }
    if (f == F_DEEP_STACK) {
        b->at = t->n;
        tb_byte(t, GT_V2_STACK);
        tb_uv(t, 4);
        tb_uv(t, 129);
        for (int i = 0; i < 129; i++) TB_EV(t, 0x80 | 1, 1, 2, 3);
    }
    tb_end(t);
    tb_batch(t, gen, MAXU, 8);
    tb_byte(t, GT_V2_STRINGS);
    tb_string(t, 1, "main.main");
    tb_string(t, 2, "main.go");
    if (f == F_DUP_STRING || f == F_STRING0) b->at = t->n;
    tb_string(t, f == F_DUP_STRING ? 2 : f == F_STRING0 ? 0 : 3, "chan receive");
    if (f == F_BIG_STRING) {
        static char big[1026];
        memset(big, 'x', 1025);
        b->at = t->n;
        tb_string(t, 4, big);
    }
    if (f == F_BAD_TABLE_EVENT) {
        b->at = t->n;
        tb_stack1(t, 5, 1, 1, 1, 1);
    }
    tb_end(t);
}

static void generation(built *b, unsigned v, uint64_t gen, enum fault f)
{
    if (v >= 25) freq_batch(b, v, gen, f);
    event_batch(b, v, gen, f);
    if (v < 25) freq_batch(b, v, gen, f);
    tables(b, v, gen, f);
    if (v >= 26) tb_byte(&b->t, GT_V2_END_OF_GENERATION);
}

static void build(built *b, unsigned v, int gens, enum fault f)
{
    memset(b, 0, sizeof *b);
    tb_header(&b->t, v);
    for (int g = 1; g <= gens; g++) generation(b, v, (uint64_t)g, g == gens ? f : F_NONE);
}

typedef struct outcome {
    gt_status status;
    gt_error err;
    size_t items, kinds[16];
    gt_salvage salvage;
} outcome;

static outcome decode(const uint8_t *p, size_t n)
{
    outcome o;
    memset(&o, 0, sizeof o);
    gt_reader *r = gt_reader_create(NULL);
    assert_non_null(r);
    assert_int_equal(gt_reader_set_buffer(r, p, n), GT_OK);
    gt_event ev;
    while ((o.status = gt_reader_next(r, &ev)) == GT_OK) {
        o.items++;
        o.kinds[ev.kind]++;
    }
    o.err = *gt_reader_error(r);
    gt_reader_salvage(r, n, &o.salvage);
    gt_reader_free(r);
    return o;
}

static void test_valid_versions(void **state)
{
    (void)state;
    static const unsigned versions[] = {22, 23, 25, 26};
    for (size_t i = 0; i < 4; i++) {
        built b;
        build(&b, versions[i], 3, F_NONE);
        outcome o = decode(b.t.b, b.t.n);
        if (o.status != GT_END) fprintf(stderr, "go 1.%u: %s\n", versions[i], o.err.message);
        assert_int_equal(o.status, GT_END);
        assert_int_equal(o.kinds[GT_KIND_HEADER], 1);
        assert_int_equal(o.kinds[GT_KIND_GENERATION_END], 3);
        assert_int_equal(o.kinds[GT_KIND_BATCH], 12);
        assert_int_equal(o.kinds[GT_KIND_EVENT], 15);
        assert_int_equal(o.kinds[GT_KIND_STRING], 9);
        assert_int_equal(o.kinds[GT_KIND_STACK], 6);
        assert_int_equal(o.kinds[GT_KIND_FREQUENCY], 3);
        assert_int_equal(o.kinds[GT_KIND_CLOCK_SNAPSHOT], versions[i] >= 25 ? 3 : 0);
        assert_int_equal(o.kinds[GT_KIND_END_OF_GENERATION], versions[i] >= 26 ? 3 : 0);
        assert_int_equal(o.salvage.lost_bytes, 0);
    }
}

/* Every event's fields, on a 1.25 trace. */
static void test_item_fields(void **state)
{
    (void)state;
    built b;
    build(&b, 25, 1, F_NONE);
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    gt_event ev;
    assert_int_equal(gt_reader_next(r, &ev), GT_OK);
    assert_int_equal(ev.kind, GT_KIND_HEADER);
    assert_int_equal(ev.args[0], 25);
    assert_int_equal(gt_reader_next(r, &ev), GT_OK); /* sync batch header */
    assert_int_equal(ev.kind, GT_KIND_BATCH);
    assert_int_equal(ev.offset, 16);
    assert_true(ev.m == MAXU);
    assert_int_equal(ev.width[3], 10); /* padded size field */
    assert_int_equal(ev.args[3], 1 + 5 + 9); /* Sync, Frequency, ClockSnapshot */
    assert_int_equal(gt_reader_next(r, &ev), GT_OK);
    assert_int_equal(ev.kind, GT_KIND_TABLE_MARKER);
    assert_string_equal(ev.spec->name, "Sync");
    assert_int_equal(gt_reader_next(r, &ev), GT_OK);
    assert_int_equal(ev.kind, GT_KIND_FREQUENCY);
    assert_int_equal(ev.args[0], 15625000);
    assert_int_equal(gt_reader_next(r, &ev), GT_OK);
    assert_int_equal(ev.kind, GT_KIND_CLOCK_SNAPSHOT);
    assert_int_equal(ev.args[2], 1740755049);
    assert_int_equal(ev.time, 6); /* batch time 5 + dt 1 */
    assert_int_equal(gt_reader_next(r, &ev), GT_OK); /* event batch */
    assert_int_equal(gt_reader_next(r, &ev), GT_OK); /* ProcStatus */
    assert_string_equal(ev.spec->name, "ProcStatus");
    assert_int_equal(ev.time, 101);
    assert_int_equal(ev.index, 0);
    assert_int_equal(ev.m, 1);
    assert_int_equal(ev.generation, 1);
    assert_int_equal(gt_reader_next(r, &ev), GT_OK); /* GoStatus */
    assert_int_equal(ev.time, 102);
    assert_int_equal(ev.index, 1);
    while (gt_reader_next(r, &ev) == GT_OK && ev.kind != GT_KIND_STACK) {}
    assert_int_equal(ev.nframes, 1);
    assert_int_equal(ev.frames[0].pc, 0x1000);
    assert_int_equal(ev.frames[0].width[0], 2);
    while (gt_reader_next(r, &ev) == GT_OK && ev.kind != GT_KIND_STRING) {}
    assert_int_equal(ev.data_len, 9);
    assert_memory_equal(ev.data, "main.main", 9);
    gt_reader_free(r);
}

typedef struct fault_case {
    enum fault f;
    unsigned version;
    gt_status status;
} fault_case;

static void test_faults(void **state)
{
    (void)state;
    static const fault_case cases[] = {
        {F_DUP_FREQ, 22, GT_ERR_DUPLICATE_FREQUENCY}, {F_DUP_FREQ, 25, GT_ERR_DUPLICATE_FREQUENCY},
        {F_ZERO_FREQ, 23, GT_ERR_BAD_FREQUENCY},      {F_STRING0, 22, GT_ERR_ZERO_ID},
        {F_DUP_STRING, 23, GT_ERR_DUPLICATE_ID},      {F_UNDEF_STRING, 22, GT_ERR_UNDEFINED_STRING},
        {F_UNDEF_STACK, 23, GT_ERR_UNDEFINED_STACK},  {F_UNDEF_FRAME_STRING, 25, GT_ERR_UNDEFINED_STRING},
        {F_BIG_STRING, 22, GT_ERR_STRING_SIZE},       {F_DEEP_STACK, 22, GT_ERR_STACK_SIZE},
        {F_UNKNOWN_EVENT, 22, GT_ERR_UNKNOWN_EVENT},  {F_STRUCT_IN_EVENTS, 23, GT_ERR_BAD_BATCH},
        {F_EVENT_PAST_BATCH, 22, GT_ERR_TRUNCATED},   {F_DUP_CLOCK, 25, GT_ERR_DUPLICATE_CLOCK},
        {F_BAD_TABLE_EVENT, 26, GT_ERR_BAD_TABLE},    {F_STACK0, 22, GT_ERR_ZERO_ID},
        {F_DUP_STACK, 26, GT_ERR_DUPLICATE_ID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        built b;
        build(&b, cases[i].version, 2, cases[i].f);
        outcome o = decode(b.t.b, b.t.n);
        if (o.err.status != cases[i].status || o.err.offset != b.at)
            fprintf(stderr, "case %zu: got %s at %llu, want %s at %zu: %s\n", i, gt_status_name(o.err.status),
                    (unsigned long long)o.err.offset, gt_status_name(cases[i].status), b.at, o.err.message);
        assert_int_equal(o.status, cases[i].status);
        assert_int_equal(o.err.offset, b.at);
        assert_int_equal(o.err.generation, 2);
        assert_true(o.err.batch != GT_NONE);
        /* Generation 1 was complete and delivered before the damage. */
        assert_int_equal(o.kinds[GT_KIND_GENERATION_END], 1);
        assert_int_equal(o.salvage.generations, 1);
        assert_true(o.salvage.lost_generation == 2);
        assert_int_equal(o.salvage.good_bytes + o.salvage.lost_bytes, b.t.n);
    }
}

/* Missing frequency / clock: reported at the generation's first batch. */
static void test_missing_per_generation(void **state)
{
    (void)state;
    static const struct { enum fault f; unsigned v; gt_status s; } cases[] = {
        {F_NO_FREQ, 22, GT_ERR_MISSING_FREQUENCY},
        {F_NO_FREQ, 25, GT_ERR_MISSING_FREQUENCY},
        {F_NO_CLOCK, 25, GT_ERR_MISSING_CLOCK},
        {F_NO_CLOCK, 26, GT_ERR_MISSING_CLOCK},
    };
    for (size_t i = 0; i < 4; i++) {
        built b;
        memset(&b, 0, sizeof b);
        tb_header(&b.t, cases[i].v);
        generation(&b, cases[i].v, 1, F_NONE);
        size_t gen2 = b.t.n;
        generation(&b, cases[i].v, 2, cases[i].f);
        outcome o = decode(b.t.b, b.t.n);
        assert_int_equal(o.status, cases[i].s);
        assert_int_equal(o.err.offset, gen2);
        assert_int_equal(o.salvage.good_bytes, gen2);
    }
}

static void test_generation_order(void **state)
{
    (void)state;
    built b;
    /* gen 0 */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 22);
    tb_batch(&b.t, 0, 1, 1);
    tb_end(&b.t);
    outcome o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_GENERATION);
    assert_int_equal(o.err.offset, 16);
    /* gen 1 then gen 3 (<= 1.25 needs +1) */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 23);
    generation(&b, 23, 1, F_NONE);
    size_t at = b.t.n;
    generation(&b, 23, 3, F_NONE);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_GENERATION);
    assert_int_equal(o.err.offset, at);
    /* interleaved: a gen-1 batch inside gen 2 */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 22);
    generation(&b, 22, 1, F_NONE);
    generation(&b, 22, 2, F_NONE);
    at = b.t.n;
    tb_batch(&b.t, 1, 1, 1);
    tb_end(&b.t);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_GENERATION);
    assert_int_equal(o.err.offset, at);
    /* 1.26: a batch of another generation before the end marker */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 26);
    freq_batch(&b, 26, 1, F_NONE);
    at = b.t.n;
    freq_batch(&b, 26, 2, F_NONE);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_GENERATION);
    assert_int_equal(o.err.offset, at);
    /* 1.26: generation numbers must increase */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 26);
    generation(&b, 26, 5, F_NONE);
    at = b.t.n;
    generation(&b, 26, 5, F_NONE);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_GENERATION);
    assert_int_equal(o.err.offset, at);
    /* 1.26: EOF without the end marker */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 26);
    generation(&b, 26, 1, F_NONE);
    at = b.t.n;
    freq_batch(&b, 26, 2, F_NONE);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_INCOMPLETE_GENERATION);
    assert_int_equal(o.err.offset, at);
    assert_int_equal(o.salvage.good_bytes, at);
    /* 1.26: an end marker with nothing open */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 26);
    tb_byte(&b.t, GT_V2_END_OF_GENERATION);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_GENERATION);
    assert_int_equal(o.err.offset, 16);
    /* 1.25: an end marker byte is not a batch */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 25);
    generation(&b, 25, 1, F_NONE);
    at = b.t.n;
    tb_byte(&b.t, GT_V2_END_OF_GENERATION);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_BAD_BATCH);
    assert_int_equal(o.err.offset, at);
}

static void test_framing_errors(void **state)
{
    (void)state;
    built b;
    /* batch too large */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 22);
    tb_byte(&b.t, 1);
    tb_uv(&b.t, 1);
    tb_uv(&b.t, 1);
    tb_uv(&b.t, 1);
    tb_uv(&b.t, 65537);
    outcome o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_BATCH_SIZE);
    assert_int_equal(o.err.offset, 16);
    /* malformed varint in the header: reported at the varint */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 22);
    tb_byte(&b.t, 1);
    tb_uv(&b.t, 1);
    for (int i = 0; i < 11; i++) tb_byte(&b.t, 0x80);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_VARINT);
    assert_int_equal(o.err.offset, 18);
    /* trailing garbage after a valid generation */
    build(&b, 22, 1, F_NONE);
    size_t at = b.t.n;
    tb_byte(&b.t, 0x07);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_BAD_BATCH);
    assert_int_equal(o.err.offset, at);
    assert_int_equal(o.kinds[GT_KIND_GENERATION_END], 0);
    /* experimental batch before 1.23 */
    memset(&b, 0, sizeof b);
    tb_header(&b.t, 22);
    tb_byte(&b.t, GT_V2_EXPERIMENTAL_BATCH);
    o = decode(b.t.b, b.t.n);
    assert_int_equal(o.status, GT_ERR_BAD_BATCH);
    /* a batch declaring more bytes than the file has */
    build(&b, 23, 1, F_NONE);
    size_t last = b.t.n;
    build(&b, 23, 2, F_NONE);
    o = decode(b.t.b, b.t.n - 3);
    assert_int_equal(o.status, GT_ERR_TRUNCATED);
    assert_true(o.err.offset > last && o.err.offset < b.t.n - 3);
    assert_int_equal(o.salvage.good_bytes, last);
    assert_int_equal(o.salvage.lost_bytes, b.t.n - 3 - last);
}

static void test_experimental_batch(void **state)
{
    (void)state;
    built b;
    build(&b, 23, 1, F_NONE);
    size_t at = b.t.n;
    /* AllocFree info batch in generation 2, then the rest of generation 2. */
    tb_byte(&b.t, GT_V2_EXPERIMENTAL_BATCH);
    tb_byte(&b.t, 1);
    tb_uv(&b.t, 2);
    tb_uv(&b.t, 3);
    tb_uv(&b.t, 4);
    tb_uv(&b.t, 5);
    tb_bytes(&b.t, "\x01\x02\x03\x04\x05", 5);
    generation(&b, 23, 2, F_NONE);
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    gt_event ev;
    while (gt_reader_next(r, &ev) == GT_OK && (ev.offset != at || ev.kind != GT_KIND_BATCH)) {}
    assert_int_equal(ev.kind, GT_KIND_BATCH);
    assert_int_equal(ev.type, GT_V2_EXPERIMENTAL_BATCH);
    assert_int_equal(ev.experiment, 1);
    assert_int_equal(ev.generation, 2);
    assert_int_equal(ev.data_len, 5);
    assert_memory_equal(ev.data, "\x01\x02\x03\x04\x05", 5);
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    assert_int_equal(s, GT_END);
    gt_reader_free(r);
}

/* Decoding through the callback and push interfaces gives the same items. */
typedef struct chunker {
    const uint8_t *p;
    size_t n, pos;
    unsigned step;
} chunker;

static long chunk_cb(void *user, uint8_t *buf, size_t cap)
{
    chunker *c = user;
    size_t k = 1 + (c->step++ % 7);
    if (k > cap) k = cap;
    if (k > c->n - c->pos) k = c->n - c->pos;
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (long)k;
}

typedef struct digest {
    uint64_t h;
    size_t n;
    gt_status end;
    uint64_t err_offset;
} digest;

static void mix(digest *d, const gt_event *ev)
{
    uint64_t v[6] = {ev->kind, ev->type, ev->offset, ev->nargs ? ev->args[0] : 0, ev->data_len, ev->time};
    for (int i = 0; i < 6; i++) d->h = (d->h ^ v[i]) * 0x100000001b3ull;
    if (ev->data) for (uint64_t i = 0; i < ev->data_len; i++) d->h = (d->h ^ ev->data[i]) * 0x100000001b3ull;
    d->n++;
}

static digest run_mode(const uint8_t *p, size_t n, int mode)
{
    digest d = {0xcbf29ce484222325ull, 0, GT_OK, 0};
    gt_reader *r = gt_reader_create(NULL);
    chunker c = {p, n, 0, 0};
    if (mode == 0) gt_reader_set_buffer(r, p, n);
    if (mode == 1) gt_reader_set_callback(r, chunk_cb, &c);
    gt_event ev;
    size_t fed = 0;
    if (mode == 2) assert_int_equal(gt_reader_feed(r, p, 0, n == 0, &fed), GT_OK);
    for (;;) {
        gt_status s = gt_reader_next(r, &ev);
        if (s == GT_NEED_INPUT) {
            size_t k = 1 + (c.step++ % 13), used = 0;
            if (k > n - fed) k = n - fed;
            assert_int_equal(gt_reader_feed(r, p + fed, k, fed + k == n, &used), GT_OK);
            fed += used;
            continue;
        }
        if (s != GT_OK) {
            d.end = s;
            d.err_offset = gt_reader_error(r)->offset;
            break;
        }
        mix(&d, &ev);
    }
    gt_reader_free(r);
    return d;
}

static void test_streaming_equivalence(void **state)
{
    (void)state;
    built b;
    build(&b, 23, 3, F_NONE);
    for (size_t cut = b.t.n; cut + 40 > b.t.n; cut--) {
        digest a = run_mode(b.t.b, cut, 0), c = run_mode(b.t.b, cut, 1), p = run_mode(b.t.b, cut, 2);
        assert_true(a.h == c.h && a.h == p.h);
        assert_int_equal(a.n, c.n);
        assert_int_equal(a.end, c.end);
        assert_int_equal(a.end, p.end);
        assert_int_equal(a.err_offset, p.err_offset);
    }
}

/* Truncation at every offset: never a crash, always an offset within the
 * input, and everything complete before it delivered. */
static void test_truncate_everywhere(void **state)
{
    (void)state;
    built b;
    build(&b, 25, 2, F_NONE);
    digest full = run_mode(b.t.b, b.t.n, 0);
    assert_int_equal(full.end, GT_END);
    for (size_t cut = 0; cut < b.t.n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, b.t.b, cut);
        outcome o = decode(copy, cut);
        free(copy);
        /* Cutting exactly at a 1.25 generation boundary leaves a valid trace. */
        if (o.status == GT_END) continue;
        assert_true(gt_is_error(o.status));
        assert_true(o.err.offset <= cut);
        assert_true(o.salvage.good_bytes <= cut);
    }
}

/* Go 1.27 reads a pre-1.25 frequency batch to its end: anything after the
 * Frequency but another Frequency is an error ("expected frequency or clock
 * snapshot event, got 48"), a second one a duplicate. (Go 1.22-1.24 ignored
 * the rest of the batch; gotrace followed them before Go 1.27 became the
 * reference.) */
static void test_frequency_batch_tail(void **state)
{
    (void)state;
    static const uint8_t tails[2][2] = {{0x30, 0x00}, {GT_V2_FREQUENCY, 0x06}};
    static const gt_status want[2] = {GT_ERR_BAD_TABLE, GT_ERR_DUPLICATE_FREQUENCY};
    for (int k = 0; k < 2; k++) {
        static tb t;
        t.n = 0;
        tb_header(&t, 22);
        tb_batch(&t, 1, MAXU, 1);
        tb_byte(&t, GT_V2_FREQUENCY);
        tb_uv(&t, 5);
        size_t bad = t.n;
        tb_bytes(&t, tails[k], 2);
        tb_end(&t);
        outcome o = decode(t.b, t.n);
        assert_int_equal(o.status, want[k]);
        assert_int_equal(o.err.offset, bad);
        assert_int_equal(o.kinds[GT_KIND_IGNORED_DATA], 0);
    }
}

/* An ExperimentalBatch of an experiment Go does not know: Go's reader keeps
 * it and Go's tools then crash on it, so a validating reader rejects it at
 * the experiment byte; a raw dump keeps it. */
static void test_unknown_experiment(void **state)
{
    (void)state;
    static tb t;
    t.n = 0;
    tb_header(&t, 26);
    tb_batch(&t, 1, MAXU, 1);
    tb_byte(&t, GT_V2_SYNC);
    tb_byte(&t, GT_V2_FREQUENCY);
    tb_uv(&t, 5);
    tb_byte(&t, GT_V2_CLOCK_SNAPSHOT);
    for (int i = 0; i < 4; i++) tb_uv(&t, (uint64_t)i + 1);
    tb_end(&t);
    size_t at = t.n;
    static const uint8_t exp_batch[] = {GT_V2_EXPERIMENTAL_BATCH, 200, 1, 1, 1, 1, 0};
    tb_bytes(&t, exp_batch, sizeof exp_batch);
    tb_byte(&t, GT_V2_END_OF_GENERATION);
    outcome o = decode(t.b, t.n);
    assert_int_equal(o.status, GT_ERR_BAD_BATCH);
    assert_int_equal(o.err.offset, at + 1);
    assert_non_null(strstr(o.err.message, "unknown experiment 200"));
    /* Experiment 1 (AllocFree) is fine. */
    t.b[at + 1] = GT_V2_EXP_ALLOC_FREE;
    o = decode(t.b, t.n);
    assert_int_equal(o.status, GT_END);
    /* Without validation the batch is raw data, as Go's raw reader shows it. */
    t.b[at + 1] = 200;
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_validation(r, 0);
    gt_reader_set_buffer(r, t.b, t.n);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    assert_int_equal(s, GT_END);
    gt_reader_free(r);
}

static void test_sticky_and_reset(void **state)
{
    (void)state;
    built b;
    build(&b, 22, 1, F_UNKNOWN_EVENT);
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    assert_int_equal(s, GT_ERR_UNKNOWN_EVENT);
    assert_int_equal(gt_reader_next(r, &ev), GT_ERR_UNKNOWN_EVENT);
    assert_int_equal(gt_reader_error(r)->offset, b.at);
    gt_reader_reset(r);
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    assert_int_equal(gt_reader_next(r, &ev), GT_ERR_STATE); /* no input after reset */
    build(&b, 22, 1, F_NONE);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    assert_int_equal(s, GT_END);
    assert_int_equal(gt_reader_next(r, &ev), GT_END);
    gt_reader_free(r);
    gt_reader_free(NULL);
}

static void test_limits(void **state)
{
    (void)state;
    built b;
    build(&b, 22, 1, F_NONE);
    /* A string limit below the trace's longest string. */
    gt_reader *r = gt_reader_create(NULL);
    gt_limits lim = {0};
    lim.max_string_size = 8;
    assert_int_equal(gt_reader_set_limits(r, &lim), GT_OK);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    assert_int_equal(s, GT_ERR_STRING_SIZE);
    gt_reader_free(r);
    /* Too few IDs allowed. */
    r = gt_reader_create(NULL);
    lim = (gt_limits){0};
    lim.max_ids = 3;
    gt_reader_set_limits(r, &lim);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    assert_int_equal(s, GT_ERR_LIMIT);
    gt_reader_free(r);
    /* A memory budget too small for the frame buffer. */
    r = gt_reader_create(NULL);
    lim = (gt_limits){0};
    lim.max_memory = 9000;
    gt_reader_set_limits(r, &lim);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    s = gt_reader_next(r, &ev);
    assert_int_equal(s, GT_ERR_NOMEM);
    gt_reader_free(r);
    /* Limits cannot change once reading has started. */
    r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, b.t.b, b.t.n);
    gt_reader_next(r, &ev);
    assert_int_equal(gt_reader_set_limits(r, NULL), GT_ERR_STATE);
    uint64_t cur = 0, peak = 0;
    gt_reader_memory(r, &cur, &peak);
    assert_true(cur > 0 && peak >= cur);
    gt_reader_free(r);
}

static void test_header_errors(void **state)
{
    (void)state;
    outcome o = decode((const uint8_t *)"", 0);
    assert_int_equal(o.status, GT_ERR_NOT_TRACE);
    o = decode((const uint8_t *)"go 1.2", 6);
    assert_int_equal(o.status, GT_ERR_TRUNCATED);
    assert_int_equal(o.err.offset, 6);
    o = decode((const uint8_t *)"go 1.24 trace\0\0\0", 16);
    assert_int_equal(o.status, GT_ERR_UNSUPPORTED_VERSION);
    assert_string_equal(o.err.message, "unsupported version go 1.24");
    o = decode((const uint8_t *)"PK\3\4 not a trace", 16);
    assert_int_equal(o.status, GT_ERR_NOT_TRACE);
    /* Header only: a valid, empty trace. */
    o = decode((const uint8_t *)"go 1.23 trace\0\0\0", 16);
    assert_int_equal(o.status, GT_END);
}

/* 10 000 random bit flips of a valid trace: never a crash (ASan/UBSan). */
static void test_bit_flips(void **state)
{
    (void)state;
    built b;
    build(&b, 26, 2, F_NONE);
    uint8_t *copy = malloc(b.t.n);
    unsigned seed = 99;
    for (int i = 0; i < 10000; i++) {
        memcpy(copy, b.t.b, b.t.n);
        for (int k = 0; k < 1 + i % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t bit = (seed >> 8) % (b.t.n * 8);
            copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        outcome o = decode(copy, b.t.n);
        assert_true(o.status == GT_END || gt_is_error(o.status));
        if (o.status != GT_END) assert_true(o.err.offset <= b.t.n);
    }
    free(copy);
}

/* Filtering changes what is delivered, never what is decoded or counted. */
static void test_filter_counts(void **state)
{
    (void)state;
    built b;
    build(&b, 23, 3, F_NONE);
    uint64_t all[16] = {0}, some[16] = {0};
    size_t delivered_all = 0, delivered_some = 0;
    for (int pass = 0; pass < 2; pass++) {
        gt_reader *r = gt_reader_create(NULL);
        gt_reader_set_buffer(r, b.t.b, b.t.n);
        gt_reader_set_filter(r, pass ? 1u << GT_KIND_GENERATION_END : UINT32_MAX);
        gt_event ev;
        gt_status s;
        while ((s = gt_reader_next(r, &ev)) == GT_OK) {
            if (pass) assert_true(ev.kind == GT_KIND_GENERATION_END || ev.kind == GT_KIND_HEADER);
            if (pass) delivered_some++;
            else delivered_all++;
        }
        assert_int_equal(s, GT_END);
        for (int k = 0; k < 16; k++) (pass ? some : all)[k] = gt_reader_count(r, (gt_kind)k);
        gt_reader_free(r);
    }
    assert_memory_equal(all, some, sizeof all);
    assert_int_equal(all[GT_KIND_EVENT], 15);
    assert_int_equal(delivered_some, 3); /* the header too obeys the filter */
    uint64_t total = 0;
    for (int k = 0; k < 16; k++) total += all[k];
    assert_int_equal(total, delivered_all);
    /* Errors inside a long (skimmed) batch are reported exactly as without
     * the filter: an undefined stack, a malformed varint, an unknown type. */
    static const int faults[] = {0, 1, 2};
    for (size_t f = 0; f < 3; f++) {
        memset(&b, 0, sizeof b);
        tb_header(&b.t, 22);
        generation(&b, 22, 1, F_NONE);
        tb_batch(&b.t, 2, 1, 100);
        for (int i = 0; i < 60; i++) TB_EV(&b.t, 16, 1, 5, (uint64_t)i + 1000); /* GoStart dt g g_seq */
        b.at = b.t.n;
        if (faults[f] == 0) TB_EV(&b.t, 14, 1, 2, 1, 7); /* GoCreate with undefined stack 7 */
        if (faults[f] == 1) {
            tb_byte(&b.t, 16);
            for (int i = 0; i < 11; i++) tb_byte(&b.t, 0x80);
        }
        if (faults[f] == 2) TB_EV(&b.t, 100, 1);
        for (int i = 0; i < 60; i++) TB_EV(&b.t, 16, 1, 5, (uint64_t)i + 2000);
        tb_end(&b.t);
        tables(&b, 22, 2, F_NONE);
        freq_batch(&b, 22, 2, F_NONE);
        gt_status want[3] = {GT_ERR_UNDEFINED_STACK, GT_ERR_VARINT, GT_ERR_UNKNOWN_EVENT};
        for (int pass = 0; pass < 2; pass++) {
            gt_reader *r = gt_reader_create(NULL);
            gt_reader_set_buffer(r, b.t.b, b.t.n);
            gt_reader_set_filter(r, pass ? 0 : UINT32_MAX);
            gt_event ev;
            gt_status s;
            while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
            assert_int_equal(s, want[f]);
            assert_int_equal(gt_reader_error(r)->offset, b.at);
            assert_int_equal(gt_reader_error(r)->event, 60);
            gt_reader_free(r);
        }
    }
}

/* Peak memory does not grow with the number of generations (file size). */
static void test_memory_bounded(void **state)
{
    (void)state;
    uint64_t peaks[2];
    int gens[2] = {1, 350}; /* about 170 bytes each */
    static built b;
    for (int i = 0; i < 2; i++) {
        build(&b, 23, gens[i], F_NONE);
        gt_reader *r = gt_reader_create(NULL);
        chunker c = {b.t.b, b.t.n, 0, 0};
        gt_reader_set_callback(r, chunk_cb, &c);
        gt_event ev;
        gt_status s;
        while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
        assert_int_equal(s, GT_END);
        gt_reader_memory(r, NULL, &peaks[i]);
        gt_reader_free(r);
    }
    assert_true(b.t.n > 50000 && b.t.n < sizeof b.t.b);
    assert_int_equal(peaks[0], peaks[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_versions),     cmocka_unit_test(test_item_fields),
        cmocka_unit_test(test_faults),             cmocka_unit_test(test_missing_per_generation),
        cmocka_unit_test(test_generation_order),   cmocka_unit_test(test_framing_errors),
        cmocka_unit_test(test_experimental_batch), cmocka_unit_test(test_streaming_equivalence),
        cmocka_unit_test(test_truncate_everywhere), cmocka_unit_test(test_sticky_and_reset),
        cmocka_unit_test(test_frequency_batch_tail), cmocka_unit_test(test_unknown_experiment),
        cmocka_unit_test(test_limits),             cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_bit_flips),          cmocka_unit_test(test_filter_counts),
        cmocka_unit_test(test_memory_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
