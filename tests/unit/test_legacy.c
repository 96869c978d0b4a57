/* The legacy decoder (go 1.5 - 1.21) on hand-built traces: the items of
 * several versions field by field, each structural error with its status and
 * exact byte offset, truncation at every offset, and the streaming modes
 * (callback, push, filtered) against the in-memory one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bytes.h"

#define NONE GT_NONE
#define MAXU UINT64_MAX
#define FREQ 15625000

/* ---- building legacy traces ------------------------------------------- */

typedef struct lt {
    tb t;
    unsigned v;
} lt;

static void lt_init(lt *l, unsigned v)
{
    l->t.n = 0;
    l->v = v;
    tb_header(&l->t, v);
}

static size_t vsize(int n, const uint64_t *a)
{
    size_t len = 0;
    for (int i = 0; i < n; i++) len += gt_uvarint_size(a[i]);
    return len;
}

/* Length-prefixed: 0xC0|type, L, values. Returns the event's offset. */
static size_t lt_block(lt *l, unsigned type, int n, const uint64_t *a)
{
    size_t off = l->t.n;
    tb_byte(&l->t, (uint8_t)(type | 0xc0));
    tb_uv(&l->t, vsize(n, a));
    for (int i = 0; i < n; i++) tb_uv(&l->t, a[i]);
    return off;
}

/* As the runtime writes it: inline when the values fit the argument field. */
static size_t lt_ev(lt *l, unsigned type, int n, const uint64_t *a)
{
    int base = l->v < 7 ? 2 : 1;
    if (n < base || n - base > 2) return lt_block(l, type, n, a);
    size_t off = l->t.n;
    tb_byte(&l->t, (uint8_t)(type | (unsigned)(n - base) << 6));
    for (int i = 0; i < n; i++) tb_uv(&l->t, a[i]);
    return off;
}

#define VALS(...) ((const uint64_t[]){__VA_ARGS__})
#define NVALS(...) ((int)(sizeof VALS(__VA_ARGS__) / sizeof(uint64_t)))
#define LEV(l, type, ...) lt_ev((l), (type), NVALS(__VA_ARGS__), VALS(__VA_ARGS__))
#define LBLOCK(l, type, ...) lt_block((l), (type), NVALS(__VA_ARGS__), VALS(__VA_ARGS__))

static size_t lt_string(lt *l, uint64_t id, const char *s)
{
    size_t off = l->t.n;
    tb_byte(&l->t, GT_LEG_STRING);
    tb_uv(&l->t, id);
    tb_uv(&l->t, strlen(s));
    tb_bytes(&l->t, s, strlen(s));
    return off;
}

/* Stack id with n frames; vals holds the frames' varints (4 or 1 each). */
static size_t lt_stack(lt *l, uint64_t id, uint64_t n, const uint64_t *vals)
{
    uint64_t a[2 + 4 * 16];
    int nv = 2 + (int)n * (l->v < 7 ? 1 : 4);
    a[0] = id;
    a[1] = n;
    memcpy(a + 2, vals, (size_t)(nv - 2) * sizeof *a);
    return lt_block(l, GT_LEG_STACK, nv, a);
}

static size_t lt_userlog(lt *l, uint64_t dt, uint64_t task, uint64_t key, uint64_t stk, const char *msg)
{
    size_t off = LBLOCK(l, GT_LEG_USER_LOG, dt, task, key, stk);
    tb_uv(&l->t, strlen(msg));
    tb_bytes(&l->t, msg, strlen(msg));
    return off;
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct item {
    gt_event ev;
    uint8_t data[512];
    gt_frame frames[16];
} item;

typedef struct run {
    item *it;
    size_t n, cap;
    gt_status end;
    gt_error err;
    gt_salvage sal;
    uint64_t counts[16];
} run;

enum mode { M_BUFFER, M_CALLBACK, M_PUSH };

typedef struct src {
    const uint8_t *d;
    size_t n, pos;
    unsigned k;
} src;

/* Returns 1..7 bytes per call. */
static long dribble(void *user, uint8_t *buf, size_t cap)
{
    src *s = user;
    size_t want = 1 + s->k++ % 7;
    if (want > cap) want = cap;
    if (want > s->n - s->pos) want = s->n - s->pos;
    memcpy(buf, s->d + s->pos, want);
    s->pos += want;
    return (long)want;
}

static void keep(run *o, const gt_event *ev)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 64;
        o->it = realloc(o->it, o->cap * sizeof *o->it);
        assert_non_null(o->it);
    }
    item *it = &o->it[o->n++];
    it->ev = *ev;
    if (ev->data) {
        assert_true(ev->data_len <= sizeof it->data);
        memcpy(it->data, ev->data, (size_t)ev->data_len);
    }
    assert_true(ev->nframes <= 16);
    if (ev->nframes) memcpy(it->frames, ev->frames, ev->nframes * sizeof *ev->frames);
}

static void run_free(run *o)
{
    free(o->it);
    memset(o, 0, sizeof *o);
}

/* Decode d[0..n) in the given mode; lim may be NULL. */
static void decode(run *o, const uint8_t *d, size_t n, enum mode m, const gt_limits *lim, int validate,
                   uint32_t filter)
{
    memset(o, 0, sizeof *o);
    gt_reader *r = gt_reader_create(NULL);
    assert_non_null(r);
    if (lim) assert_int_equal(gt_reader_set_limits(r, lim), GT_OK);
    assert_int_equal(gt_reader_set_validation(r, validate), GT_OK);
    gt_reader_set_filter(r, filter);
    src s = {d, n, 0, 0};
    if (m == M_BUFFER) assert_int_equal(gt_reader_set_buffer(r, d, n), GT_OK);
    if (m == M_CALLBACK) assert_int_equal(gt_reader_set_callback(r, dribble, &s), GT_OK);
    gt_event ev;
    for (;;) {
        if (m == M_PUSH && (s.pos < n || s.k == 0)) {
            size_t chunk = 1 + s.k++ % 7, used = 0;
            if (chunk > n - s.pos) chunk = n - s.pos;
            assert_int_equal(gt_reader_feed(r, d + s.pos, chunk, s.pos + chunk == n, &used), GT_OK);
            s.pos += used;
        }
        gt_status st = gt_reader_next(r, &ev);
        if (st == GT_NEED_INPUT) {
            assert_int_equal(m, M_PUSH);
            assert_true(s.pos < n);
            continue;
        }
        if (st != GT_OK) {
            o->end = st;
            break;
        }
        keep(o, &ev);
    }
    assert_int_equal(gt_reader_next(r, &ev), o->end); /* sticky */
    o->err = *gt_reader_error(r);
    gt_reader_salvage(r, n, &o->sal);
    for (int k = 0; k < 16; k++) o->counts[k] = gt_reader_count(r, (gt_kind)k);
    gt_reader_free(r);
}

static void decode_buf(run *o, const lt *l) { decode(o, l->t.b, l->t.n, M_BUFFER, NULL, 1, UINT32_MAX); }

/* Expect the trace to fail with `status` at `offset`. */
static void expect_error(const lt *l, gt_status status, uint64_t offset)
{
    run o;
    decode_buf(&o, l);
    if (o.end != status || o.err.offset != offset)
        fail_msg("got %s at %llu (%s), want %s at %llu", gt_status_name(o.end), (unsigned long long)o.err.offset,
                 o.err.message, gt_status_name(status), (unsigned long long)offset);
    assert_int_equal(o.err.status, status);
    assert_true(o.err.message[0] != '\0');
    run_free(&o);
}

static void same_item(const item *a, const item *b)
{
    const gt_event *x = &a->ev, *y = &b->ev;
    assert_int_equal(x->kind, y->kind);
    assert_int_equal(x->type, y->type);
    assert_int_equal(x->nargs, y->nargs);
    assert_int_equal(x->argbits, y->argbits);
    for (unsigned i = 0; i < x->nargs; i++) {
        assert_int_equal(x->args[i], y->args[i]);
        assert_int_equal(x->width[i], y->width[i]);
    }
    assert_int_equal(x->data != NULL, y->data != NULL);
    assert_int_equal(x->data_len, y->data_len);
    if (x->data) assert_memory_equal(a->data, b->data, (size_t)x->data_len);
    assert_int_equal(x->data_len_width, y->data_len_width);
    assert_int_equal(x->block_len_width, y->block_len_width);
    assert_int_equal(x->block_len, y->block_len);
    assert_int_equal(x->nframes, y->nframes);
    for (uint32_t i = 0; i < x->nframes; i++) assert_memory_equal(&a->frames[i], &b->frames[i], sizeof a->frames[i]);
    assert_int_equal(x->time, y->time);
    assert_int_equal(x->offset, y->offset);
    assert_int_equal(x->batch, y->batch);
    assert_int_equal(x->index, y->index);
    assert_int_equal(x->generation, y->generation);
    assert_int_equal(x->m, y->m);
    assert_ptr_equal(x->spec, y->spec);
}

static void same_run(const run *a, const run *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) same_item(&a->it[i], &b->it[i]);
    assert_int_equal(a->end, b->end);
    assert_int_equal(a->err.status, b->err.status);
    if (a->end != GT_END) {
        assert_int_equal(a->err.offset, b->err.offset);
        assert_int_equal(a->err.batch, b->err.batch);
        assert_int_equal(a->err.event, b->err.event);
    }
    assert_int_equal(a->sal.good_bytes, b->sal.good_bytes);
}

static const gt_event *at(const run *o, size_t i)
{
    assert_true(i < o->n);
    return &o->it[i].ev;
}

static void expect_args(const gt_event *ev, int n, const uint64_t *a)
{
    assert_int_equal(ev->nargs, n);
    for (int i = 0; i < n; i++) assert_int_equal(ev->args[i], a[i]);
}
#define ARGS_ARE(ev, ...) expect_args((ev), NVALS(__VA_ARGS__), VALS(__VA_ARGS__))

/* ---- valid traces, field by field ----------------------------------------- */

static void test_go17_items(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 7);
    size_t o_b = LEV(&l, GT_LEG_BATCH, 1, 1000);
    size_t o_ps = LEV(&l, 5, 5, 3);          /* ProcStart dt thread: inline, field 1 */
    size_t o_gc = LEV(&l, 13, 2, 7, 2, 1);   /* GoCreate dt g stack stkid: length-prefixed */
    size_t o_gs = LEV(&l, 14, 3, 7, 1);      /* GoStart dt g seq: inline, field 2 */
    size_t o_st = LEV(&l, 16, 200, 2);       /* GoStop dt stkid: a 2-byte delta */
    size_t o_fq = LEV(&l, GT_LEG_FREQUENCY, FREQ);
    size_t o_tg = LEV(&l, GT_LEG_TIMER_GOROUTINE, 9);
    size_t o_s1 = lt_string(&l, 1, "main.main");
    lt_string(&l, 2, "main.go");
    size_t o_k1 = lt_stack(&l, 1, 1, VALS(0x401000, 1, 2, 10));
    lt_stack(&l, 2, 2, VALS(0x401000, 1, 2, 10, 0x402000, 1, 2, 20));
    run o;
    decode_buf(&o, &l);
    assert_int_equal(o.end, GT_END);
    assert_int_equal(o.n, 12);
    assert_int_equal(at(&o, 0)->kind, GT_KIND_HEADER);

    const gt_event *e = at(&o, 1);
    assert_int_equal(e->kind, GT_KIND_BATCH);
    assert_int_equal(e->type, GT_LEG_BATCH);
    assert_int_equal(e->argbits, 1);
    ARGS_ARE(e, 1, 1000);
    assert_int_equal(e->offset, o_b);
    assert_int_equal(e->time, 1000);
    assert_int_equal(e->m, 1);
    assert_int_equal(e->batch, 0);
    assert_int_equal(e->index, NONE);
    assert_int_equal(e->generation, NONE);
    assert_string_equal(e->spec->name, "Batch");

    e = at(&o, 2);
    assert_int_equal(e->kind, GT_KIND_EVENT);
    assert_string_equal(e->spec->name, "ProcStart");
    ARGS_ARE(e, 5, 3);
    assert_int_equal(e->argbits, 1);
    assert_int_equal(e->block_len_width, 0);
    assert_int_equal(e->offset, o_ps);
    assert_int_equal(e->time, 1005);
    assert_int_equal(e->batch, 0);
    assert_int_equal(e->index, 0);
    assert_int_equal(e->m, 1);
    assert_null(e->data);
    assert_null(e->frames);

    e = at(&o, 3);
    assert_string_equal(e->spec->name, "GoCreate");
    ARGS_ARE(e, 2, 7, 2, 1);
    assert_int_equal(e->argbits, 3);
    assert_int_equal(e->block_len, 4);
    assert_int_equal(e->block_len_width, 1);
    assert_int_equal(e->offset, o_gc);
    assert_int_equal(e->time, 1007);
    assert_int_equal(e->index, 1);

    e = at(&o, 4);
    ARGS_ARE(e, 3, 7, 1);
    assert_int_equal(e->argbits, 2);
    assert_int_equal(e->offset, o_gs);
    assert_int_equal(e->time, 1010);

    e = at(&o, 5);
    ARGS_ARE(e, 200, 2);
    assert_int_equal(e->width[0], 2);
    assert_int_equal(e->width[1], 1);
    assert_int_equal(e->offset, o_st);
    assert_int_equal(e->time, 1210);
    assert_int_equal(e->index, 3);

    e = at(&o, 6);
    assert_int_equal(e->kind, GT_KIND_FREQUENCY);
    ARGS_ARE(e, FREQ);
    assert_int_equal(e->time, 0);
    assert_int_equal(e->offset, o_fq);
    assert_int_equal(e->batch, 0);
    assert_int_equal(e->index, 4);

    e = at(&o, 7);
    assert_int_equal(e->kind, GT_KIND_EVENT);
    assert_string_equal(e->spec->name, "TimerGoroutine");
    ARGS_ARE(e, 9);
    assert_int_equal(e->time, 0);
    assert_int_equal(e->offset, o_tg);

    e = at(&o, 8);
    assert_int_equal(e->kind, GT_KIND_STRING);
    ARGS_ARE(e, 1);
    assert_int_equal(e->data_len, 9);
    assert_int_equal(e->data_len_width, 1);
    assert_memory_equal(o.it[8].data, "main.main", 9);
    assert_int_equal(e->offset, o_s1);
    assert_int_equal(e->index, 6);

    e = at(&o, 10);
    assert_int_equal(e->kind, GT_KIND_STACK);
    ARGS_ARE(e, 1, 1);
    assert_int_equal(e->nframes, 1);
    assert_int_equal(e->argbits, 3);
    assert_int_equal(e->block_len, 2 + 4 + 3); /* id n | pc (4 bytes) func file line */
    assert_int_equal(e->offset, o_k1);
    const gt_frame *f = &o.it[10].frames[0];
    assert_int_equal(f->pc, 0x401000);
    assert_int_equal(f->func, 1);
    assert_int_equal(f->file, 2);
    assert_int_equal(f->line, 10);
    assert_int_equal(f->width[0], 4);
    assert_int_equal(f->width[3], 1);
    assert_int_equal(at(&o, 11)->nframes, 2);
    assert_int_equal(o.it[11].frames[1].line, 20);
    assert_int_equal(o.sal.good_bytes, l.t.n);
    assert_int_equal(o.sal.lost_bytes, 0);
    run_free(&o);
}

/* 1.5: sequence deltas before the time deltas, PC-only stack frames, the
 * unused argument of Frequency and TimerGoroutine. */
static void test_go15_items(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 5);
    LEV(&l, GT_LEG_BATCH, 2, 40, 5000);      /* p seq ticks: inline, field 1 */
    LEV(&l, 5, 1, 4, 3);                     /* ProcStart dseq dt thread */
    size_t o_gc = LEV(&l, 13, 1, 2, 7, 0x401234, 1); /* GoCreate dseq dt g pc stkid */
    LEV(&l, 14, 1, 6, 7);                    /* GoStart dseq dt g (no seq in 1.5) */
    LEV(&l, 16, 1, 1, 1);                    /* GoStop dseq dt stkid */
    size_t o_k = lt_stack(&l, 1, 2, VALS(0x401234, 0x405678));
    LEV(&l, GT_LEG_FREQUENCY, FREQ, 0);
    LEV(&l, GT_LEG_TIMER_GOROUTINE, 9, 0);
    run o;
    decode_buf(&o, &l);
    assert_int_equal(o.end, GT_END);
    assert_int_equal(o.n, 9);
    ARGS_ARE(at(&o, 1), 2, 40, 5000);
    assert_int_equal(at(&o, 1)->time, 5000);
    assert_int_equal(at(&o, 1)->m, 2);
    ARGS_ARE(at(&o, 2), 1, 4, 3);
    assert_int_equal(at(&o, 2)->argbits, 1);
    assert_int_equal(at(&o, 2)->time, 5004);
    assert_int_equal(at(&o, 2)->m, 2);
    const gt_event *e = at(&o, 3);
    ARGS_ARE(e, 1, 2, 7, 0x401234, 1);
    assert_int_equal(e->argbits, 3);
    assert_int_equal(e->offset, o_gc);
    assert_int_equal(e->time, 5006);
    ARGS_ARE(at(&o, 4), 1, 6, 7);
    assert_int_equal(at(&o, 4)->time, 5012);
    assert_int_equal(at(&o, 5)->time, 5013);
    e = at(&o, 6);
    assert_int_equal(e->kind, GT_KIND_STACK);
    assert_int_equal(e->offset, o_k);
    assert_int_equal(e->nframes, 2);
    assert_int_equal(o.it[6].frames[0].pc, 0x401234);
    assert_int_equal(o.it[6].frames[1].pc, 0x405678);
    assert_int_equal(o.it[6].frames[1].func, 0);
    assert_int_equal(o.it[6].frames[1].width[1], 0);
    ARGS_ARE(at(&o, 7), FREQ, 0);
    ARGS_ARE(at(&o, 8), 9, 0);
    run_free(&o);
}

/* Arguments that come and go with versions: GCSTWStart's kind (1.10),
 * GCSweepDone's swept/reclaimed (1.9), GoStartLabel (1.8). */
static void test_per_version_args(void **state)
{
    (void)state;
    static const struct { unsigned v; int stw_n, sweep_n; } cases[] = {{7, 1, 1}, {8, 1, 1}, {9, 1, 3}, {10, 2, 3},
                                                                       {11, 2, 3}, {19, 2, 3}, {21, 2, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lt l;
        lt_init(&l, cases[c].v);
        LEV(&l, GT_LEG_BATCH, 0, 100);
        lt_ev(&l, 9, cases[c].stw_n, VALS(1, 1));          /* GCSTWStart dt [kind] */
        lt_ev(&l, 12, cases[c].sweep_n, VALS(1, 4096, 2)); /* GCSweepDone dt [swept reclaimed] */
        if (cases[c].v >= 8) LEV(&l, 41, 1, 5, 2, 1);      /* GoStartLabel dt g seq label */
        LEV(&l, GT_LEG_FREQUENCY, FREQ);
        lt_string(&l, 1, "GC (dedicated)");
        run o;
        decode_buf(&o, &l);
        if (o.end != GT_END) fail_msg("go 1.%u: %s", cases[c].v, o.err.message);
        assert_int_equal(at(&o, 2)->nargs, cases[c].stw_n);
        assert_int_equal(at(&o, 3)->nargs, cases[c].sweep_n);
        assert_int_equal(at(&o, 3)->time, 102);
        run_free(&o);
        /* The other count is a length error. */
        lt_init(&l, cases[c].v);
        LEV(&l, GT_LEG_BATCH, 0, 100);
        size_t bad = lt_ev(&l, 12, cases[c].sweep_n == 3 ? 1 : 3, VALS(1, 4096, 2));
        LEV(&l, GT_LEG_FREQUENCY, FREQ);
        expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    }
}

/* 1.11+: user annotations; UserLog's message follows its block, and may be
 * empty (data is then non-NULL with length 0). */
static void test_go111_user_log(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 11);
    LEV(&l, GT_LEG_BATCH, 0, 100);
    LEV(&l, 45, 1, 1, 0, 1, 1);             /* UserTaskCreate dt task parent name stk */
    LEV(&l, 47, 1, 1, 0, 2, 1);             /* UserRegion dt task mode name stk */
    size_t o_l1 = lt_userlog(&l, 1, 1, 3, 1, "hello");
    size_t o_l2 = lt_userlog(&l, 1, 1, 3, 0, "");
    size_t o_end = LEV(&l, 46, 2, 1, 1);    /* UserTaskEnd dt task stk */
    LEV(&l, GT_LEG_FREQUENCY, FREQ);
    LEV(&l, GT_LEG_BATCH, 0, 200);
    lt_string(&l, 1, "task");
    lt_string(&l, 2, "region");
    lt_string(&l, 3, "key");
    lt_string(&l, 4, "f");
    lt_stack(&l, 1, 1, VALS(0x1000, 4, 4, 1));
    run o;
    decode_buf(&o, &l);
    if (o.end != GT_END) fail_msg("%s", o.err.message);
    const gt_event *e = at(&o, 4);
    assert_string_equal(e->spec->name, "UserLog");
    assert_int_equal(e->offset, o_l1);
    ARGS_ARE(e, 1, 1, 3, 1);
    assert_int_equal(e->block_len, 4);
    assert_int_equal(e->data_len, 5);
    assert_int_equal(e->data_len_width, 1);
    assert_memory_equal(o.it[4].data, "hello", 5);
    assert_int_equal(e->time, 103);
    e = at(&o, 5);
    assert_int_equal(e->offset, o_l2);
    assert_non_null(e->data);
    assert_int_equal(e->data_len, 0);
    assert_int_equal(e->data_len_width, 1);
    assert_int_equal(at(&o, 6)->offset, o_end);
    assert_int_equal(at(&o, 6)->time, 106);
    assert_int_equal(at(&o, 8)->batch, 1); /* the footer batch */
    assert_int_equal(at(&o, 9)->batch, 1);
    assert_int_equal(at(&o, 9)->index, 0);
    run_free(&o);
}

/* 1.19: CPU samples (always length-prefixed) in their own P-0 batch. */
static void test_go119_cpu_sample(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 19);
    LEV(&l, GT_LEG_BATCH, 1, 100);
    LEV(&l, 17, 5, 1);                      /* GoSched dt stk */
    LEV(&l, GT_LEG_BATCH, 0, 90);
    size_t o_cpu = LEV(&l, GT_LEG_CPU_SAMPLE, 1, 95, 1, 7, 2); /* dt ts p g stk */
    LEV(&l, GT_LEG_FREQUENCY, FREQ);
    LEV(&l, GT_LEG_BATCH, 0, 300);
    lt_string(&l, 1, "f");
    lt_stack(&l, 1, 1, VALS(0x1000, 1, 1, 1));
    lt_stack(&l, 2, 1, VALS(0x2000, 1, 1, 2));
    run o;
    decode_buf(&o, &l);
    if (o.end != GT_END) fail_msg("%s", o.err.message);
    const gt_event *e = at(&o, 4);
    assert_int_equal(e->kind, GT_KIND_CPU_SAMPLE);
    assert_int_equal(e->offset, o_cpu);
    ARGS_ARE(e, 1, 95, 1, 7, 2);
    assert_int_equal(e->argbits, 3);
    assert_int_equal(e->time, 91);
    assert_int_equal(e->m, 0);
    assert_int_equal(e->batch, 1);
    assert_int_equal(e->index, 0);
    run_free(&o);
    /* Its stack must exist. */
    lt_init(&l, 19);
    LEV(&l, GT_LEG_BATCH, 0, 90);
    o_cpu = LEV(&l, GT_LEG_CPU_SAMPLE, 1, 95, 1, 7, 2);
    LEV(&l, GT_LEG_FREQUENCY, FREQ);
    expect_error(&l, GT_ERR_UNDEFINED_STACK, o_cpu);
}

/* 1.21: the frequency and the string/stack dump sit inside a batch; the
 * runtime pads the Stack length to 10 bytes. */
static void test_go121_footer_in_batch(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 21);
    LEV(&l, GT_LEG_BATCH, 3, 1000);
    LEV(&l, 9, 1, 0);                       /* STWStart dt kind */
    LEV(&l, 10, 2);                         /* STWDone dt */
    LEV(&l, 20, 3, 1);                      /* GoBlock dt stk */
    size_t o_b = LEV(&l, GT_LEG_BATCH, 0, 2000);
    size_t o_f = LEV(&l, GT_LEG_FREQUENCY, FREQ);
    lt_string(&l, 1, "runtime.gopark");
    lt_string(&l, 2, "proc.go");
    size_t o_k = l.t.n;
    uint8_t pad[10];
    gt_uvarint_write_padded(pad, sizeof pad, 6, 10);
    tb_byte(&l.t, GT_LEG_STACK | 0xc0);
    tb_bytes(&l.t, pad, sizeof pad);
    const uint64_t vals[] = {1, 1, 0x10, 1, 2, 3}; /* id n pc func file line */
    for (size_t i = 0; i < 6; i++) tb_uv(&l.t, vals[i]);
    run o;
    decode_buf(&o, &l);
    if (o.end != GT_END) fail_msg("%s", o.err.message);
    assert_int_equal(o.n, 10);
    assert_int_equal(at(&o, 5)->offset, o_b);
    assert_int_equal(at(&o, 5)->batch, 1);
    assert_int_equal(at(&o, 6)->offset, o_f);
    assert_int_equal(at(&o, 6)->batch, 1);
    assert_int_equal(at(&o, 6)->index, 0);
    assert_int_equal(at(&o, 6)->m, 0);
    const gt_event *e = at(&o, 9);
    assert_int_equal(e->offset, o_k);
    assert_int_equal(e->block_len, 6);
    assert_int_equal(e->block_len_width, 10);
    assert_int_equal(e->index, 3);
    assert_int_equal(o.it[9].frames[0].line, 3);
    run_free(&o);
}

/* What Go's legacy parsers accept beyond what the runtime writes. */
static void test_go_leniencies(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 9);
    /* An event before the first batch (Go 1.19/1.21: P 0, time from 0). */
    size_t o_first = LEV(&l, 5, 7, 1);
    LEV(&l, GT_LEG_BATCH, 4, 100);
    LBLOCK(&l, 6, 1);                       /* ProcStop, length-prefixed although short */
    LEV(&l, GT_LEG_FREQUENCY, 0x100);
    LEV(&l, GT_LEG_FREQUENCY, FREQ);        /* the last frequency wins: not an error */
    lt_stack(&l, 0, 1, VALS(1, 1, 1, 1));   /* stack id 0: ignored by Go */
    lt_stack(&l, 5, 0, VALS(0));            /* no frames */
    tb_byte(&l.t, GT_LEG_STACK | 0x40);     /* inline Stack: id 6, no frames */
    tb_uv(&l.t, 6);
    tb_uv(&l.t, 0);
    lt_string(&l, 1, "f");
    run o;
    decode_buf(&o, &l);
    if (o.end != GT_END) fail_msg("%s", o.err.message);
    const gt_event *e = at(&o, 1);
    assert_int_equal(e->offset, o_first);
    assert_int_equal(e->batch, NONE);
    assert_int_equal(e->index, NONE);
    assert_int_equal(e->m, 0);
    assert_int_equal(e->time, 7);
    assert_int_equal(at(&o, 2)->batch, 0);
    assert_int_equal(at(&o, 3)->index, 0);
    assert_int_equal(at(&o, 3)->time, 101);
    assert_int_equal(at(&o, 3)->block_len, 1);
    assert_int_equal(at(&o, 8)->kind, GT_KIND_STACK);
    assert_int_equal(at(&o, 8)->nframes, 0);
    assert_int_equal(at(&o, 8)->argbits, 1);
    run_free(&o);
}

/* Without validation, table and frequency checks are off; framing is not. */
static void test_no_validation(void **state)
{
    (void)state;
    lt l;
    lt_init(&l, 19);
    LEV(&l, GT_LEG_BATCH, 0, 1);
    LEV(&l, 16, 1, 9);                      /* GoStop dt stk: stack 9 never defined */
    lt_string(&l, 0, "zero");
    lt_string(&l, 1, "a");
    lt_string(&l, 1, "a");
    run o;
    decode(&o, l.t.b, l.t.n, M_BUFFER, NULL, 0, UINT32_MAX);
    assert_int_equal(o.end, GT_END);
    assert_int_equal(o.n, 6);
    run_free(&o);
    size_t bad = l.t.n;
    tb_byte(&l.t, 60);
    decode(&o, l.t.b, l.t.n, M_BUFFER, NULL, 0, UINT32_MAX);
    assert_int_equal(o.end, GT_ERR_UNKNOWN_EVENT);
    assert_int_equal(o.err.offset, bad);
    run_free(&o);
}

/* ---- errors: status and offset -------------------------------------------- */

/* A small valid start: batch 0 (P 1) with one event. */
static void prefix(lt *l, unsigned v)
{
    lt_init(l, v);
    if (v < 7) {
        LEV(l, GT_LEG_BATCH, 1, 0, 100);    /* p seq ticks */
        LEV(l, 6, 1, 1);                    /* ProcStop dseq dt */
    } else {
        LEV(l, GT_LEG_BATCH, 1, 100);
        LEV(l, 6, 1);                       /* ProcStop dt */
    }
}

static void suffix(lt *l)
{
    if (l->v < 7) LEV(l, GT_LEG_FREQUENCY, FREQ, 0);
    else LEV(l, GT_LEG_FREQUENCY, FREQ);
}

static void test_unknown_types(void **state)
{
    (void)state;
    static const struct { unsigned v; uint8_t byte; } cases[] = {
        {19, 0x00}, {19, 0x40}, {19, 50}, {19, 63}, {19, 0xff}, {7, 41}, {8, 43}, {10, 45}, {11, 49}, {5, 37}, {5, 38}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lt l;
        prefix(&l, cases[c].v);
        size_t bad = l.t.n;
        tb_byte(&l.t, cases[c].byte);
        tb_uv(&l.t, 1);
        suffix(&l);
        run o;
        decode_buf(&o, &l);
        assert_int_equal(o.end, GT_ERR_UNKNOWN_EVENT);
        assert_int_equal(o.err.offset, bad);
        assert_int_equal(o.err.batch, 0);
        assert_int_equal(o.err.event, 1);
        assert_int_equal(o.sal.good_bytes, bad);
        assert_int_equal(o.n, 3);
        run_free(&o);
    }
}

static void test_length_errors(void **state)
{
    (void)state;
    lt l;
    size_t bad;
    /* Inline count differs from the type's. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 5); /* ProcStart with field 0: dt only */
    tb_uv(&l.t, 1);
    suffix(&l);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    /* 1.5 counts the sequence delta too: field 0 means 2 values. */
    prefix(&l, 5);
    bad = l.t.n;
    tb_byte(&l.t, 5);
    tb_uv(&l.t, 1);
    tb_uv(&l.t, 1);
    LEV(&l, GT_LEG_FREQUENCY, FREQ, 0);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    /* Block too short: the last value runs past L. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 13 | 0xc0);
    tb_uv(&l.t, 3);
    tb_uv(&l.t, 1), tb_uv(&l.t, 2), tb_uv(&l.t, 0), tb_uv(&l.t, 0);
    suffix(&l);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    /* Block too long: bytes left after the last value. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 13 | 0xc0);
    tb_uv(&l.t, 5);
    tb_uv(&l.t, 1), tb_uv(&l.t, 2), tb_uv(&l.t, 0), tb_uv(&l.t, 0), tb_uv(&l.t, 0);
    suffix(&l);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    /* L beyond what the values can take, even with the bytes present. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 6 | 0xc0); /* ProcStop: 1 value, at most 10 bytes */
    tb_uv(&l.t, 11);
    for (int i = 0; i < 11; i++) tb_byte(&l.t, 0);
    suffix(&l);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    /* Stack: frames disagree with siz. */
    prefix(&l, 19);
    suffix(&l);
    bad = LBLOCK(&l, GT_LEG_STACK, 1, 2, 0x10, 1, 1, 1);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    prefix(&l, 19);
    suffix(&l);
    bad = LBLOCK(&l, GT_LEG_STACK, 1, 1, 0x10, 1, 1, 1, 9);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
    prefix(&l, 19);
    suffix(&l);
    bad = l.t.n;
    tb_byte(&l.t, GT_LEG_STACK); /* inline with one value: Go wants at least 2 */
    tb_uv(&l.t, 1);
    expect_error(&l, GT_ERR_EVENT_LENGTH, bad);
}

static void test_table_errors(void **state)
{
    (void)state;
    lt l;
    size_t bad;
    prefix(&l, 19);
    suffix(&l);
    lt_string(&l, 1, "a");
    bad = lt_string(&l, 1, "b");
    expect_error(&l, GT_ERR_DUPLICATE_ID, bad);

    prefix(&l, 19);
    suffix(&l);
    bad = lt_string(&l, 0, "a");
    expect_error(&l, GT_ERR_ZERO_ID, bad);

    prefix(&l, 19);
    suffix(&l);
    bad = lt_string(&l, 1, "");
    expect_error(&l, GT_ERR_BAD_TABLE, bad);

    prefix(&l, 19);
    suffix(&l);
    lt_stack(&l, 3, 0, VALS(0));
    bad = lt_stack(&l, 3, 0, VALS(0));
    expect_error(&l, GT_ERR_DUPLICATE_ID, bad);

    /* An undefined stack is reported at its first use, at the end. */
    prefix(&l, 19);
    LEV(&l, 17, 1, 4);                      /* GoSched dt stk 4: defined below */
    bad = LEV(&l, 17, 1, 5);                /* stk 5: never */
    LEV(&l, 17, 1, 5);
    suffix(&l);
    lt_stack(&l, 4, 0, VALS(0));
    run o;
    decode_buf(&o, &l);
    assert_int_equal(o.end, GT_ERR_UNDEFINED_STACK);
    assert_int_equal(o.err.offset, bad);
    assert_int_equal(o.err.batch, 0);
    assert_int_equal(o.err.event, 2);
    assert_int_equal(o.n, 8); /* every item was delivered first */
    assert_int_equal(o.sal.good_bytes, l.t.n);
    run_free(&o);

    /* GoCreate's new-goroutine stack is checked too (>= 1.7). */
    prefix(&l, 7);
    bad = LEV(&l, 13, 1, 5, 8, 0);
    suffix(&l);
    expect_error(&l, GT_ERR_UNDEFINED_STACK, bad);
    /* ... but in 1.5 it is a PC. */
    prefix(&l, 5);
    LEV(&l, 13, 1, 1, 5, 0x401000, 0);
    LEV(&l, GT_LEG_FREQUENCY, FREQ, 0);
    decode_buf(&o, &l);
    assert_int_equal(o.end, GT_END);
    run_free(&o);

    /* A frame's function or file string must exist. */
    prefix(&l, 19);
    LEV(&l, 17, 1, 1);
    suffix(&l);
    lt_string(&l, 1, "f");
    bad = lt_stack(&l, 1, 2, VALS(0x10, 1, 1, 1, 0x20, 1, 2, 2));
    expect_error(&l, GT_ERR_UNDEFINED_STRING, bad);

    /* String arguments of events: UserLog's key, GoStartLabel's label. */
    prefix(&l, 11);
    bad = lt_userlog(&l, 1, 0, 7, 0, "m");
    suffix(&l);
    expect_error(&l, GT_ERR_UNDEFINED_STRING, bad);
    /* Both kinds undefined: the earliest use is reported. */
    prefix(&l, 8);
    bad = LEV(&l, 17, 1, 1);                /* GoSched: stack 1 */
    LEV(&l, 41, 1, 5, 2, 3);                /* GoStartLabel: string 3 */
    suffix(&l);
    expect_error(&l, GT_ERR_UNDEFINED_STACK, bad);
    prefix(&l, 8);
    bad = LEV(&l, 41, 1, 5, 2, 3);
    LEV(&l, 17, 1, 1);
    suffix(&l);
    expect_error(&l, GT_ERR_UNDEFINED_STRING, bad);
}

static void test_frequency_errors(void **state)
{
    (void)state;
    lt l;
    prefix(&l, 19);
    lt_string(&l, 1, "a");
    expect_error(&l, GT_ERR_MISSING_FREQUENCY, l.t.n);

    prefix(&l, 19);
    size_t bad = LEV(&l, GT_LEG_FREQUENCY, 0);
    expect_error(&l, GT_ERR_BAD_FREQUENCY, bad);

    prefix(&l, 19);
    bad = LEV(&l, GT_LEG_FREQUENCY, (uint64_t)INT64_MAX + 1); /* negative as Go's int64 */
    expect_error(&l, GT_ERR_BAD_FREQUENCY, bad);

    /* No event at all: Go's "trace is empty". */
    lt_init(&l, 19);
    expect_error(&l, GT_ERR_BAD_BATCH, 16);
    lt_init(&l, 19);
    LEV(&l, GT_LEG_BATCH, 0, 1);
    suffix(&l);
    expect_error(&l, GT_ERR_BAD_BATCH, l.t.n);
}

static void test_truncated_and_varint(void **state)
{
    (void)state;
    lt l;
    size_t bad;
    /* Inline event cut in its last varint. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 5 | 0x40);
    tb_uv(&l.t, 1);
    tb_byte(&l.t, 0x80);
    expect_error(&l, GT_ERR_TRUNCATED, bad);
    /* Block cut. */
    prefix(&l, 19);
    bad = LBLOCK(&l, 13, 1, 2, 0, 0);
    l.t.n -= 1;
    expect_error(&l, GT_ERR_TRUNCATED, bad);
    /* String bytes cut. */
    prefix(&l, 19);
    suffix(&l);
    bad = lt_string(&l, 1, "hello");
    l.t.n -= 2;
    expect_error(&l, GT_ERR_TRUNCATED, bad);
    /* UserLog message cut (Go 1.19 would accept this at the end of a file). */
    prefix(&l, 11);
    suffix(&l);
    bad = lt_userlog(&l, 1, 0, 0, 0, "message");
    l.t.n -= 1;
    expect_error(&l, GT_ERR_TRUNCATED, bad);
    /* Eleven-byte varint. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 6);
    for (int i = 0; i < 10; i++) tb_byte(&l.t, 0x80);
    tb_byte(&l.t, 0);
    suffix(&l);
    expect_error(&l, GT_ERR_VARINT, bad);
    /* Tenth byte carrying bits above 64, in a block. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 6 | 0xc0);
    tb_uv(&l.t, 10);
    for (int i = 0; i < 9; i++) tb_byte(&l.t, 0xff);
    tb_byte(&l.t, 0x02);
    suffix(&l);
    expect_error(&l, GT_ERR_VARINT, bad);
    /* A bad length varint. */
    prefix(&l, 19);
    bad = l.t.n;
    tb_byte(&l.t, 13 | 0xc0);
    for (int i = 0; i < 11; i++) tb_byte(&l.t, 0x80);
    expect_error(&l, GT_ERR_VARINT, bad);
}

static void test_limits(void **state)
{
    (void)state;
    gt_limits lim;
    gt_limits_default(&lim);
    lim.max_batch_size = 1024;
    lim.max_frames = 4;
    lt l;
    run o;
    /* A string longer than a runtime buffer could hold. */
    prefix(&l, 19);
    suffix(&l);
    size_t bad = l.t.n;
    tb_byte(&l.t, GT_LEG_STRING);
    tb_uv(&l.t, 1);
    tb_uv(&l.t, 1025);
    for (int i = 0; i < 1025; i++) tb_byte(&l.t, 'x');
    decode(&o, l.t.b, l.t.n, M_BUFFER, &lim, 1, UINT32_MAX);
    assert_int_equal(o.end, GT_ERR_STRING_SIZE);
    assert_int_equal(o.err.offset, bad);
    run_free(&o);
    /* A UserLog message too. */
    prefix(&l, 11);
    suffix(&l);
    bad = LBLOCK(&l, GT_LEG_USER_LOG, 1, 0, 0, 0);
    tb_uv(&l.t, 5000);
    decode(&o, l.t.b, l.t.n, M_BUFFER, &lim, 1, UINT32_MAX);
    assert_int_equal(o.end, GT_ERR_STRING_SIZE);
    assert_int_equal(o.err.offset, bad);
    run_free(&o);
    /* A stack deeper than max_frames (Go allows 1000). */
    prefix(&l, 19);
    suffix(&l);
    lt_string(&l, 1, "f");
    lt_stack(&l, 1, 4, VALS(1, 1, 1, 1, 2, 1, 1, 2, 3, 1, 1, 3, 4, 1, 1, 4));
    bad = lt_stack(&l, 2, 5, VALS(1, 1, 1, 1, 2, 1, 1, 2, 3, 1, 1, 3, 4, 1, 1, 4, 5, 1, 1, 5));
    decode(&o, l.t.b, l.t.n, M_BUFFER, &lim, 1, UINT32_MAX);
    assert_int_equal(o.end, GT_ERR_STACK_SIZE);
    assert_int_equal(o.err.offset, bad);
    assert_int_equal(o.n, 6);
    run_free(&o);
}

/* ---- truncation and streaming ---------------------------------------------- */

/* A 1.19 trace using every kind of item; every cut of it is invalid. */
static void sample_trace(lt *l, int events)
{
    lt_init(l, 19);
    LEV(l, GT_LEG_BATCH, 1, 100);
    for (int i = 0; i < events; i++) {
        LEV(l, 5, 1, 3);                    /* ProcStart */
        LEV(l, 13, 130, 7, 2, 1);           /* GoCreate (2-byte delta) */
        LEV(l, 14, 1, 7, 1);                /* GoStart */
        lt_userlog(l, 1, 0, 1, 1, i % 2 ? "" : "log message");
        LEV(l, 20, 20000, 2);               /* GoBlock (3-byte delta) */
    }
    LEV(l, GT_LEG_BATCH, 0, 50);
    LEV(l, GT_LEG_CPU_SAMPLE, 1, 60, 1, 7, 1);
    LEV(l, GT_LEG_FREQUENCY, FREQ);
    LEV(l, GT_LEG_BATCH, 0, 9000);
    lt_string(l, 2, "main.main");
    lt_string(l, 3, "/src/main.go");
    lt_stack(l, 1, 2, VALS(0x401000, 2, 3, 10, 0x402000, 2, 3, 12));
    lt_string(l, 1, "key");                 /* each item is needed: no cut is valid */
    lt_stack(l, 2, 1, VALS(0x403000, 2, 3, 14));
}

static void test_truncation_everywhere(void **state)
{
    (void)state;
    lt l;
    sample_trace(&l, 2);
    run full;
    decode_buf(&full, &l);
    if (full.end != GT_END) fail_msg("%s", full.err.message);
    for (size_t cut = 16; cut < l.t.n; cut++) {
        run o, c, f;
        decode(&o, l.t.b, cut, M_BUFFER, NULL, 1, UINT32_MAX);
        assert_true(gt_is_error(o.end));
        if (o.err.offset > cut) fail_msg("cut %zu: error at %llu", cut, (unsigned long long)o.err.offset);
        /* Exactly the items that end by the cut, as in the full trace. */
        size_t complete = 0;
        while (complete < full.n &&
               (complete + 1 < full.n ? full.it[complete + 1].ev.offset : l.t.n) <= cut)
            complete++;
        assert_int_equal(o.n, complete);
        for (size_t i = 0; i < o.n; i++) same_item(&o.it[i], &full.it[i]);
        size_t last_end = complete < full.n ? full.it[complete].ev.offset : l.t.n;
        assert_int_equal(o.sal.good_bytes, complete > 1 ? last_end : 16);
        /* The same in a stream, and when nothing is delivered. */
        decode(&c, l.t.b, cut, M_CALLBACK, NULL, 1, UINT32_MAX);
        same_run(&o, &c);
        decode(&f, l.t.b, cut, M_BUFFER, NULL, 1, 0);
        assert_int_equal(f.end, o.end);
        assert_int_equal(f.err.offset, o.err.offset);
        run_free(&o);
        run_free(&c);
        run_free(&f);
    }
    run_free(&full);
}

static void test_streaming_modes(void **state)
{
    (void)state;
    static lt l;
    sample_trace(&l, 200);
    gt_limits small;
    gt_limits_default(&small);
    small.max_batch_size = 256; /* a small window: many refills and compactions */
    small.max_frames = 8;
    const gt_limits *lims[2] = {NULL, &small};
    for (int k = 0; k < 2; k++) {
        run b, c, p;
        decode(&b, l.t.b, l.t.n, M_BUFFER, lims[k], 1, UINT32_MAX);
        if (b.end != GT_END) fail_msg("%s", b.err.message);
        decode(&c, l.t.b, l.t.n, M_CALLBACK, lims[k], 1, UINT32_MAX);
        decode(&p, l.t.b, l.t.n, M_PUSH, lims[k], 1, UINT32_MAX);
        same_run(&b, &c);
        same_run(&b, &p);
        /* Filtered: the same counts per kind, no event delivered (the
         * reader hands out the header itself). */
        run f;
        decode(&f, l.t.b, l.t.n, M_BUFFER, lims[k], 1, 0);
        for (size_t i = 0; i < f.n; i++) assert_int_equal(f.it[i].ev.kind, GT_KIND_HEADER);
        assert_int_equal(f.end, GT_END);
        uint64_t want[16] = {0};
        for (size_t i = 0; i < b.n; i++) want[b.it[i].ev.kind]++;
        for (int kind = 0; kind < 16; kind++) assert_int_equal(f.counts[kind], want[kind]);
        run_free(&b);
        run_free(&c);
        run_free(&p);
        run_free(&f);
    }
}

/* Filtering must not change which error is found, or where. */
static void test_filtered_errors(void **state)
{
    (void)state;
    lt l;
    sample_trace(&l, 50);
    size_t mid = l.t.n / 2;
    for (size_t at_ = mid; at_ < mid + 40; at_++) {
        static uint8_t copy[1 << 16];
        memcpy(copy, l.t.b, l.t.n);
        copy[at_] ^= 0x5a;
        run a, f;
        decode(&a, copy, l.t.n, M_BUFFER, NULL, 1, UINT32_MAX);
        decode(&f, copy, l.t.n, M_BUFFER, NULL, 1, 0);
        assert_int_equal(a.end, f.end);
        assert_int_equal(a.err.offset, f.err.offset);
        assert_int_equal(a.sal.good_bytes, f.sal.good_bytes);
        run_free(&a);
        run_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go17_items),
        cmocka_unit_test(test_go15_items),
        cmocka_unit_test(test_per_version_args),
        cmocka_unit_test(test_go111_user_log),
        cmocka_unit_test(test_go119_cpu_sample),
        cmocka_unit_test(test_go121_footer_in_batch),
        cmocka_unit_test(test_go_leniencies),
        cmocka_unit_test(test_no_validation),
        cmocka_unit_test(test_unknown_types),
        cmocka_unit_test(test_length_errors),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_frequency_errors),
        cmocka_unit_test(test_truncated_and_varint),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_truncation_everywhere),
        cmocka_unit_test(test_streaming_modes),
        cmocka_unit_test(test_filtered_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
