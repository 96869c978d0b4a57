/* A trace model for the encoder's property tests, its random generators and
 * the driver that writes it with the public writing API.
 *
 * A model is what a producer (a live-capture layer, the runtime) knows:
 * generations of batches of events whose string and stack arguments are
 * *contents* (indexes into a pool of strings and a pool of stacks), plus the
 * frequency and clock of each generation. tm_write() turns it into bytes with
 * gt_writer (interning every string and stack, so IDs are the writer's) and
 * gt_batch (with a random capacity, so batches split). Two generators:
 *   tm_gen_random()  any event of the version with random arguments,
 *                    experimental and CPU-sample batches, shared strings,
 *                    deep stacks: structurally valid, semantically noise;
 *   tm_gen_valid()   a small well-formed schedule (Ms holding Ps running
 *                    goroutines that are created, started, blocked, woken,
 *                    stopped and destroyed with correct sequence numbers;
 *                    tasks, regions, logs) that Go's own readers accept.
 * Included by tests/unit/test_roundtrip.c and tests/tools/encode_sample.c. */
#ifndef GT_TEST_ROUNDTRIP_MODEL_H
#define GT_TEST_ROUNDTRIP_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gotrace.h"

#define TM_MAX_STR     600
#define TM_MAX_BYTES   (1u << 18)
#define TM_MAX_STACKS  300
#define TM_MAX_FRAMES  12000
#define TM_MAX_EVENTS  12000
#define TM_MAX_BATCHES 700
#define TM_MAX_GENS    8
#define TM_NO_THREAD   UINT64_MAX
#define TM_FREQ        15625000u

/*-************************************
 *  Random numbers (splitmix64)
 **************************************/
typedef struct tm_rng {
    uint64_t s;
} tm_rng;

static inline uint64_t tm_next(tm_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* Uniform in [0, n); 0 when n == 0. */
static inline uint64_t tm_below(tm_rng *r, uint64_t n) { return n ? tm_next(r) % n : 0; }
static inline bool tm_chance(tm_rng *r, unsigned percent) { return tm_below(r, 100) < percent; }
/* A value of random magnitude: every varint width is likely. */
static inline uint64_t tm_value(tm_rng *r)
{
    unsigned bits = (unsigned)tm_below(r, 65);
    uint64_t v = tm_next(r);
    return bits == 64 ? v : v & ((1ull << bits) - 1);
}

/*-************************************
 *  The model
 **************************************/
enum { TM_EVENTS = 0, TM_EXP, TM_CPU };

typedef struct tm_str {
    uint32_t off, len;
} tm_str; /* pool entry; index 0 is the empty string */

typedef struct tm_frame {
    uint64_t pc;
    uint32_t func, file; /* string indexes */
    uint64_t line;
} tm_frame;

typedef struct tm_stack {
    uint32_t first, n;
} tm_stack; /* index 0 is "no stack" */

typedef struct tm_event {
    uint8_t type;
    uint8_t nargs;              /* arguments without dt (timed) or all (others) */
    uint64_t time;              /* timed events: absolute */
    uint64_t args[GT_MAX_ARGS]; /* string and stack arguments are pool indexes */
    uint32_t msg;               /* legacy UserLog: the message's string index */
} tm_event;

typedef struct tm_batch {
    int kind;          /* TM_EVENTS, TM_EXP, TM_CPU */
    unsigned exp;      /* TM_EXP: experiment */
    uint64_t m, time;  /* legacy: m is the P */
    uint32_t first, n; /* events */
    size_t cap;        /* buffer the batch is built in: splits when full */
    unsigned flags;    /* gt_batch_begin flags */
} tm_batch;

typedef struct tm_gen {
    uint64_t gen;
    gt_sync sync;
    uint32_t first, n; /* batches */
} tm_gen;

typedef struct tm_model {
    unsigned version;
    unsigned wflags; /* gt_writer_set_flags */
    uint32_t nstr, nstack, nframe, nev, nbatch, ngen;
    uint32_t nbytes;
    tm_str str[TM_MAX_STR];
    uint8_t bytes[TM_MAX_BYTES];
    tm_stack stack[TM_MAX_STACKS];
    tm_frame frame[TM_MAX_FRAMES];
    tm_event ev[TM_MAX_EVENTS];
    tm_batch batch[TM_MAX_BATCHES];
    tm_gen gen[TM_MAX_GENS];
} tm_model;

static inline bool tm_legacy(const tm_model *m) { return m->version < 22; }

static inline const uint8_t *tm_str_bytes(const tm_model *m, uint32_t i, size_t *n)
{
    *n = m->str[i].len;
    return m->bytes + m->str[i].off;
}

static void tm_reset(tm_model *m, unsigned version)
{
    m->version = version;
    m->wflags = 0;
    m->nstr = 1; /* 0: the empty string */
    m->str[0] = (tm_str){0, 0};
    m->nstack = 1; /* 0: no stack */
    m->stack[0] = (tm_stack){0, 0};
    m->nframe = m->nev = m->nbatch = m->ngen = 0;
    m->nbytes = 0;
}

static uint32_t tm_add_str(tm_model *m, const void *p, size_t n)
{
    if (m->nstr >= TM_MAX_STR || n > TM_MAX_BYTES - m->nbytes) return 0;
    memcpy(m->bytes + m->nbytes, p, n);
    m->str[m->nstr] = (tm_str){m->nbytes, (uint32_t)n};
    m->nbytes += (uint32_t)n;
    return m->nstr++;
}

/* The roles of an event's arguments as the model stores them (dt left out
 * for timed events); @return their number. */
static unsigned tm_roles(unsigned version, unsigned type, uint8_t roles[GT_MAX_ARGS])
{
    const gt_event_spec *s = gt_spec(version, type);
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned n = gt_spec_args(s, version, a), k = 0;
    for (unsigned i = 0; i < n; i++)
        if (!((s->flags & GT_EV_TIMED) && a[i]->role == GT_ARG_TIME_DELTA)) roles[k++] = a[i]->role;
    return k;
}

/*-************************************
 *  Writing a model
 **************************************/
typedef struct tm_writer {
    gt_writer *w;
    uint8_t buf[GT_UVARINT_MAX * 5 + 65536 + 64];
    gt_sym_frame sym[256];
} tm_writer;

/* The wire arguments of event e (IDs interned now). */
static gt_status tm_wire_args(tm_writer *tw, const tm_model *m, const tm_event *e, uint64_t *out)
{
    uint8_t roles[GT_MAX_ARGS];
    unsigned n = tm_roles(m->version, e->type, roles);
    gt_status s = GT_OK;
    for (unsigned i = 0; i < n && s == GT_OK; i++) {
        uint64_t v = e->args[i];
        out[i] = v;
        if (roles[i] == GT_ARG_STRING_ID) {
            size_t len;
            const uint8_t *p = tm_str_bytes(m, (uint32_t)v, &len);
            s = gt_writer_string(tw->w, p, len, &out[i]);
        } else if (roles[i] == GT_ARG_STACK_ID) {
            const tm_stack *st = &m->stack[v];
            for (uint32_t f = 0; f < st->n; f++) {
                const tm_frame *fr = &m->frame[st->first + f];
                size_t fl, gl;
                const uint8_t *fp = tm_str_bytes(m, fr->func, &fl), *gp = tm_str_bytes(m, fr->file, &gl);
                tw->sym[f] = (gt_sym_frame){fr->pc, (const char *)fp, fl, (const char *)gp, gl, fr->line};
            }
            s = gt_writer_stack(tw->w, tw->sym, st->n, &out[i]);
        }
    }
    return s;
}

static gt_status tm_begin(tm_writer *tw, const tm_model *m, const tm_gen *g, const tm_batch *b, gt_batch *gb,
                          uint64_t time, size_t cap)
{
    if (cap > sizeof tw->buf) cap = sizeof tw->buf;
    gt_status s = b->kind == TM_EXP
                      ? gt_batch_begin_experimental(gb, tw->buf, cap, m->version, b->exp, g->gen, b->m, time, b->flags)
                      : gt_batch_begin(gb, tw->buf, cap, m->version, g->gen, b->m, time, b->flags);
    if (s == GT_OK && b->kind == TM_CPU) s = gt_batch_event(gb, GT_V2_CPU_SAMPLES, 0, NULL, 0);
    return s;
}

static gt_status tm_put(gt_batch *gb, const tm_model *m, const tm_event *e, const uint64_t *args)
{
    if (tm_legacy(m) && e->type == GT_LEG_USER_LOG) {
        size_t len;
        const uint8_t *p = tm_str_bytes(m, e->msg, &len);
        return gt_batch_event_data(gb, e->type, e->time, args, e->nargs, p, len);
    }
    return gt_batch_event(gb, e->type, e->time, args, e->nargs);
}

/* Write batch b; a full buffer closes it and opens the next at the last
 * event's time (so every dt stays the same). An event too large for an
 * empty buffer of the batch's capacity gets a batch of the largest one. */
static gt_status tm_write_batch(tm_writer *tw, const tm_model *m, const tm_gen *g, const tm_batch *b)
{
    gt_batch gb;
    gt_status s = tm_begin(tw, m, g, b, &gb, b->time, b->cap);
    for (uint32_t i = 0; i < b->n && s == GT_OK; i++) {
        const tm_event *e = &m->ev[b->first + i];
        uint64_t args[GT_MAX_ARGS];
        if ((s = tm_wire_args(tw, m, e, args)) != GT_OK) break;
        for (int attempt = 0; (s = tm_put(&gb, m, e, args)) == GT_ERR_DST_TOO_SMALL && attempt < 2; attempt++) {
            uint64_t t = gb.last_time;
            bool empty = gb.events == (b->kind == TM_CPU ? 1u : 0u);
            if (!empty && (s = gt_writer_batch(tw->w, &gb)) != GT_OK) break;
            if ((s = tm_begin(tw, m, g, b, &gb, t, empty ? SIZE_MAX : b->cap)) != GT_OK) break;
        }
    }
    return s == GT_OK ? gt_writer_batch(tw->w, &gb) : s;
}

/* The whole model, on a writer whose output is set. */
static gt_status tm_write(tm_writer *tw, const tm_model *m)
{
    gt_status s = gt_writer_set_flags(tw->w, m->wflags);
    if (s == GT_OK) s = gt_writer_start(tw->w, m->version);
    for (uint32_t gi = 0; gi < m->ngen && s == GT_OK; gi++) {
        const tm_gen *g = &m->gen[gi];
        s = gt_writer_begin_generation(tw->w, g->gen, &g->sync);
        for (uint32_t bi = 0; bi < g->n && s == GT_OK; bi++) s = tm_write_batch(tw, m, g, &m->batch[g->first + bi]);
        if (s == GT_OK) s = gt_writer_end_generation(tw->w);
    }
    return s == GT_OK ? gt_writer_finish(tw->w) : s;
}

/*-************************************
 *  Pools
 **************************************/
static void tm_gen_strings(tm_model *m, tm_rng *r, unsigned n, bool printable)
{
    static const char *const words[] = {"main.main",    "runtime.gopark", "sync.(*Mutex).Lock",     "/src/main.go",
                                        "chan receive", "select",         "net/http.(*conn).serve", "runtime/x.go"};
    for (unsigned i = 0; i < n; i++) {
        uint8_t b[1024];
        size_t len;
        if (tm_chance(r, 30)) {
            const char *w = words[tm_below(r, sizeof words / sizeof *words)];
            len = strlen(w);
            memcpy(b, w, len);
            if (tm_chance(r, 50)) b[len++] = (uint8_t)('a' + tm_below(r, 26)); /* near-duplicates */
        } else {
            len = 1 + (size_t)(tm_chance(r, 3) ? tm_below(r, 1024) : tm_below(r, 40));
            for (size_t k = 0; k < len; k++)
                b[k] = printable ? (uint8_t)('a' + tm_below(r, 26)) : (uint8_t)tm_below(r, 256);
        }
        tm_add_str(m, b, len);
    }
    /* Shared contents: the same bytes under two pool indexes. */
    for (unsigned i = 0; i < n / 8 && m->nstr > 1; i++) {
        size_t len;
        const uint8_t *p = tm_str_bytes(m, 1 + (uint32_t)tm_below(r, m->nstr - 1), &len);
        uint8_t copy[1024];
        memcpy(copy, p, len);
        tm_add_str(m, copy, len);
    }
}

/* A random non-empty string index (func/file names must not be empty for Go's validator). */
static uint32_t tm_some_str(tm_model *m, tm_rng *r) { return 1 + (uint32_t)tm_below(r, m->nstr - 1); }

static void tm_gen_stacks(tm_model *m, tm_rng *r, unsigned n, unsigned max_depth, bool sane)
{
    for (unsigned i = 0; i < n && m->nstack < TM_MAX_STACKS; i++) {
        uint32_t depth = 1 + (uint32_t)(tm_chance(r, 10) ? tm_below(r, max_depth) : tm_below(r, 8));
        if (m->nframe + depth > TM_MAX_FRAMES) break;
        tm_stack *st = &m->stack[m->nstack++];
        st->first = m->nframe;
        st->n = depth;
        for (uint32_t f = 0; f < depth; f++) {
            tm_frame *fr = &m->frame[m->nframe++];
            /* Frames are shared between stacks now and then. */
            if (f > 0 && m->nstack > 2 && tm_chance(r, 20)) {
                const tm_stack *o = &m->stack[1 + tm_below(r, m->nstack - 2)];
                *fr = m->frame[o->first + tm_below(r, o->n)];
                continue;
            }
            fr->pc = sane ? 0x400000 + tm_below(r, 1u << 20) : tm_value(r);
            fr->func = sane || tm_chance(r, 95) ? tm_some_str(m, r) : 0;
            fr->file = sane || tm_chance(r, 95) ? tm_some_str(m, r) : 0;
            fr->line = sane ? 1 + tm_below(r, 5000) : tm_value(r);
        }
        /* An identical stack under another index now and then. */
        if (tm_chance(r, 10) && m->nstack < TM_MAX_STACKS) m->stack[m->nstack++] = *st;
    }
}

/*-************************************
 *  Random traces
 **************************************/
/* Event types a random event batch may hold: timed, not structural;
 * experimental ones only in experimental batches. */
static bool tm_plain_type(unsigned version, unsigned type, bool exp)
{
    const gt_event_spec *s = gt_spec(version, type);
    if (!s || (s->flags & (GT_EV_TIMED | GT_EV_STRUCTURAL)) != GT_EV_TIMED) return false;
    if (version < 22) return s->type != GT_LEG_BATCH;
    return exp == (s->experiment != 0);
}

static void tm_random_event(tm_model *m, tm_rng *r, tm_event *e, unsigned type, uint64_t *clock)
{
    uint8_t roles[GT_MAX_ARGS];
    e->type = (uint8_t)type;
    e->nargs = (uint8_t)tm_roles(m->version, type, roles);
    e->msg = 0;
    const gt_event_spec *s = gt_spec(m->version, type);
    if (s->flags & GT_EV_TIMED) {
        *clock += tm_chance(r, 5) ? tm_value(r) >> 8 : tm_below(r, 300);
        e->time = *clock;
    } else {
        e->time = 0;
    }
    for (unsigned i = 0; i < e->nargs; i++) {
        switch (roles[i]) {
        case GT_ARG_STRING_ID: e->args[i] = tm_chance(r, 10) ? 0 : tm_below(r, m->nstr); break;
        case GT_ARG_STACK_ID: e->args[i] = tm_chance(r, 20) ? 0 : tm_below(r, m->nstack); break;
        default: e->args[i] = tm_value(r); break;
        }
    }
    if (tm_legacy(m) && type == GT_LEG_USER_LOG) e->msg = (uint32_t)tm_below(r, m->nstr);
}

static tm_batch *tm_new_batch(tm_model *m, tm_rng *r, int kind, uint64_t mm, uint64_t time)
{
    tm_batch *b = &m->batch[m->nbatch++];
    b->kind = kind;
    b->exp = 0;
    b->m = mm;
    b->time = time;
    b->first = m->nev;
    b->n = 0;
    /* Mostly roomy batches, sometimes tiny ones that split often. */
    b->cap = tm_chance(r, 30) ? 48 + tm_below(r, 200) : tm_chance(r, 50) ? 300 + tm_below(r, 4000) : 65536 + 64;
    b->flags = tm_chance(r, 30) ? GT_BATCH_MINIMAL_SIZE : 0;
    return b;
}

static void tm_gen_random(tm_model *m, tm_rng *r, unsigned version)
{
    tm_reset(m, version);
    m->wflags = tm_chance(r, 30) ? GT_WRITER_MINIMAL_SIZE : 0;
    if (version >= 7) tm_gen_strings(m, r, 2 + (unsigned)tm_below(r, 40), false);
    tm_gen_stacks(m, r, (unsigned)tm_below(r, 20), tm_chance(r, 20) ? 128 : 16, false);
    unsigned types[256], nt = 0, xtypes[16], nx = 0;
    for (unsigned t = 0; t < 256; t++) {
        if (tm_plain_type(version, t, false)) types[nt++] = t;
        if (version >= 23 && tm_plain_type(version, t, true)) xtypes[nx++] = t;
    }
    uint64_t clock = tm_value(r) >> 4;
    unsigned ngen = tm_legacy(m) ? 1 : 1 + (unsigned)tm_below(r, 3);
    uint64_t gen0 = 1 + tm_below(r, 4);
    for (unsigned gi = 0; gi < ngen; gi++) {
        tm_gen *g = &m->gen[m->ngen++];
        g->gen = gen0 + gi;
        g->first = m->nbatch;
        clock += tm_below(r, 1000);
        g->sync = (gt_sync){clock,
                            1 + tm_value(r) % 1000000000000ull,
                            clock + tm_below(r, 100),
                            tm_value(r),
                            tm_value(r),
                            tm_below(r, 1000000000)};
        unsigned nb = (unsigned)tm_below(r, 6) + tm_legacy(m);
        for (unsigned bi = 0; bi < nb; bi++) {
            int kind = TM_EVENTS;
            if (!tm_legacy(m) && tm_chance(r, 15))
                kind = TM_CPU;
            else if (version >= 23 && tm_chance(r, 15))
                kind = TM_EXP;
            tm_batch *b = tm_new_batch(m, r, kind, tm_chance(r, 10) ? TM_NO_THREAD : tm_below(r, 6), clock);
            /* Go knows experiments 0 and 1 (AllocFree); a validating reader rejects the rest. */
            if (kind == TM_EXP) b->exp = tm_chance(r, 20) ? 0 : GT_V2_EXP_ALLOC_FREE;
            unsigned ne = (unsigned)tm_below(r, tm_chance(r, 10) ? 400 : 40);
            if (tm_legacy(m) && m->nev == 0) ne++; /* Go's legacy reader rejects a trace without events */
            for (unsigned k = 0; k < ne && m->nev < TM_MAX_EVENTS - 1; k++) {
                tm_event *e = &m->ev[m->nev++];
                unsigned type = kind == TM_CPU             ? GT_V2_CPU_SAMPLE
                                : kind == TM_EXP && b->exp ? xtypes[tm_below(r, nx)]
                                                           : types[tm_below(r, nt)];
                tm_random_event(m, r, e, type, &clock);
                b->n++;
            }
            if (m->nbatch >= TM_MAX_BATCHES - 1) break;
        }
        g->n = m->nbatch - g->first;
    }
}

/*-************************************
 *  Valid schedules
 **************************************/
enum { G_DEAD = 0, G_RUNNABLE, G_RUNNING, G_WAITING };

typedef struct tm_g {
    uint64_t id;
    int state;
    unsigned owner; /* M (v2) or P (legacy) index */
    uint64_t seq;
    uint32_t regions[8]; /* open regions: name string index */
    unsigned nregions;
    uint64_t region_task[8];
} tm_g;

typedef struct tm_sched {
    tm_model *m;
    tm_rng *r;
    tm_g g[64];
    unsigned ng;
    uint64_t next_g, next_task;
    uint64_t clock;
    int cur[8]; /* running goroutine per M/P, -1 = none */
    uint64_t tasks[32];
    unsigned ntasks;
    tm_batch *b;
} tm_sched;

static tm_event *tm_emit(tm_sched *s, unsigned type, unsigned nargs, const uint64_t *args)
{
    tm_model *m = s->m;
    tm_event *e = &m->ev[m->nev++];
    memset(e, 0, sizeof *e);
    e->type = (uint8_t)type;
    e->nargs = (uint8_t)nargs;
    s->clock += 1 + tm_below(s->r, 50);
    e->time = s->clock;
    for (unsigned i = 0; i < nargs; i++) e->args[i] = args[i];
    s->b->n++;
    return e;
}
#define TM_EMIT(s, type, ...)                                                                                          \
    do {                                                                                                               \
        const uint64_t a_[] = {__VA_ARGS__};                                                                           \
        tm_emit((s), (type), (unsigned)(sizeof a_ / sizeof a_[0]), a_);                                                \
    } while (0)

static uint64_t tm_stk(tm_sched *s) { return 1 + tm_below(s->r, s->m->nstack - 1); }
static uint64_t tm_name(tm_sched *s) { return tm_some_str(s->m, s->r); }

static int tm_pick(tm_sched *s, unsigned owner, int state)
{
    int cand[64], n = 0;
    for (unsigned i = 0; i < s->ng; i++)
        if (s->g[i].owner == owner && s->g[i].state == state) cand[n++] = (int)i;
    return n ? cand[tm_below(s->r, (uint64_t)n)] : -1;
}

static int tm_new_g(tm_sched *s, unsigned owner, int state)
{
    if (s->ng >= 64) return -1;
    tm_g *g = &s->g[s->ng];
    memset(g, 0, sizeof *g);
    g->id = s->next_g++;
    g->state = state;
    g->owner = owner;
    return (int)s->ng++;
}

/* One step of the running goroutine or of the idle M/P, v2 (Go 1.22+). */
static void tm_step_v2(tm_sched *s, unsigned mi)
{
    tm_rng *r = s->r;
    int c = s->cur[mi];
    unsigned roll = (unsigned)tm_below(r, 100);
    if (c < 0) {
        int g = tm_pick(s, mi, G_RUNNABLE);
        if (g >= 0 && roll < 60) {
            s->g[g].seq++;
            TM_EMIT(s, 16, s->g[g].id, s->g[g].seq); /* GoStart g g_seq */
            s->g[g].state = G_RUNNING;
            s->cur[mi] = g;
        } else if ((g = tm_pick(s, mi, G_WAITING)) >= 0 && roll < 80) {
            s->g[g].seq++;
            TM_EMIT(s, 21, s->g[g].id, s->g[g].seq, tm_stk(s)); /* GoUnblock g g_seq stack */
            s->g[g].state = G_RUNNABLE;
        } else if (roll < 90 && (g = tm_new_g(s, mi, G_RUNNABLE)) >= 0) {
            TM_EMIT(s, 14, s->g[g].id, tm_stk(s), 0); /* GoCreate new_g new_stack stack */
        } else {
            TM_EMIT(s, 37, tm_below(r, 1u << 30)); /* HeapAlloc */
        }
        return;
    }
    tm_g *g = &s->g[c];
    int w;
    if (roll < 12 && g->nregions < 8) {
        uint64_t task = s->ntasks ? s->tasks[tm_below(r, s->ntasks)] : 0;
        g->region_task[g->nregions] = task;
        g->regions[g->nregions++] = (uint32_t)tm_name(s);
        TM_EMIT(s, 42, task, g->regions[g->nregions - 1], tm_stk(s)); /* UserRegionBegin task name_string stack */
    } else if (roll < 22 && g->nregions) {
        g->nregions--;
        TM_EMIT(s, 43, g->region_task[g->nregions], g->regions[g->nregions], tm_stk(s)); /* UserRegionEnd */
    } else if (roll < 28 && s->ntasks < 32) {
        uint64_t parent = s->ntasks && tm_chance(r, 50) ? s->tasks[tm_below(r, s->ntasks)] : 0;
        s->tasks[s->ntasks++] = s->next_task;
        TM_EMIT(s, 40, s->next_task++, parent, 1, tm_stk(s)); /* UserTaskBegin task parent name_string stack */
    } else if (roll < 32 && s->ntasks) {
        unsigned k = (unsigned)tm_below(r, s->ntasks);
        TM_EMIT(s, 41, s->tasks[k], tm_stk(s)); /* UserTaskEnd task stack */
        s->tasks[k] = s->tasks[--s->ntasks];
    } else if (roll < 40) {
        TM_EMIT(s, 44, s->ntasks ? s->tasks[0] : 0, tm_name(s), tm_name(s), tm_stk(s)); /* UserLog */
    } else if (roll < 50 && (w = tm_new_g(s, mi, G_RUNNABLE)) >= 0) {
        TM_EMIT(s, 14, s->g[w].id, tm_stk(s), tm_stk(s)); /* GoCreate */
    } else if (roll < 58 && (w = tm_pick(s, mi, G_WAITING)) >= 0) {
        s->g[w].seq++;
        TM_EMIT(s, 21, s->g[w].id, s->g[w].seq, tm_stk(s)); /* GoUnblock */
        s->g[w].state = G_RUNNABLE;
    } else if (roll < 62) {
        TM_EMIT(s, 37, tm_below(r, 1u << 30)); /* HeapAlloc */
    } else {
        while (g->nregions) { /* leave no region open across a stop */
            g->nregions--;
            TM_EMIT(s, 43, g->region_task[g->nregions], g->regions[g->nregions], tm_stk(s));
        }
        if (roll < 80) {
            TM_EMIT(s, 20, tm_name(s), tm_stk(s)); /* GoBlock reason_string stack */
            g->state = G_WAITING;
        } else if (roll < 92) {
            TM_EMIT(s, 19, tm_name(s), tm_stk(s)); /* GoStop reason_string stack */
            g->state = G_RUNNABLE;
        } else {
            tm_emit(s, 17, 0, NULL); /* GoDestroy: dt only */
            g->state = G_DEAD;
        }
        s->cur[mi] = -1;
    }
}

/* One step on P pi, legacy (Go 1.7+ numbering). */
static void tm_step_legacy(tm_sched *s, unsigned pi)
{
    tm_rng *r = s->r;
    const unsigned v = s->m->version;
    int c = s->cur[pi], w;
    unsigned roll = (unsigned)tm_below(r, 100);
    if (c < 0) {
        int g = tm_pick(s, pi, G_RUNNABLE);
        if (g >= 0 && roll < 60) {
            TM_EMIT(s, 14, s->g[g].id, s->g[g].seq); /* GoStart g seq */
            s->g[g].seq++;
            s->g[g].state = G_RUNNING;
            s->cur[pi] = g;
        } else if (roll < 80 && (g = tm_new_g(s, pi, G_RUNNABLE)) >= 0) {
            TM_EMIT(s, 13, s->g[g].id, tm_stk(s), tm_stk(s)); /* GoCreate g stack stkid */
            s->g[g].seq = 1;
        } else if ((g = tm_pick(s, pi, G_WAITING)) >= 0) {
            TM_EMIT(s, 21, s->g[g].id, s->g[g].seq, tm_stk(s)); /* GoUnblock g seq stkid */
            s->g[g].seq++;
            s->g[g].state = G_RUNNABLE;
        } else {
            TM_EMIT(s, 33, tm_below(r, 1u << 30)); /* HeapAlloc */
        }
        return;
    }
    tm_g *g = &s->g[c];
    bool user = v >= 11;
    if (user && roll < 10 && g->nregions < 8) {
        uint64_t task = s->ntasks ? s->tasks[tm_below(r, s->ntasks)] : 0;
        g->region_task[g->nregions] = task;
        g->regions[g->nregions++] = (uint32_t)tm_name(s);
        TM_EMIT(s, 47, task, 0, g->regions[g->nregions - 1], tm_stk(s)); /* UserRegion taskid mode typeid stkid */
    } else if (user && roll < 18 && g->nregions) {
        g->nregions--;
        TM_EMIT(s, 47, g->region_task[g->nregions], 1, g->regions[g->nregions], tm_stk(s));
    } else if (user && roll < 24 && s->ntasks < 32) {
        s->tasks[s->ntasks++] = s->next_task;
        TM_EMIT(s, 45, s->next_task++, 0, 1, tm_stk(s)); /* UserTaskCreate taskid pid typeid stkid */
    } else if (user && roll < 28 && s->ntasks) {
        unsigned k = (unsigned)tm_below(r, s->ntasks);
        TM_EMIT(s, 46, s->tasks[k], tm_stk(s)); /* UserTaskEnd taskid stkid */
        s->tasks[k] = s->tasks[--s->ntasks];
    } else if (user && roll < 34) {
        TM_EMIT(s, 48, s->ntasks ? s->tasks[0] : 0, tm_name(s), tm_stk(s)); /* UserLog id keyid stkid + message */
        s->m->ev[s->m->nev - 1].msg = (uint32_t)tm_name(s);
    } else if (roll < 44 && (w = tm_new_g(s, pi, G_RUNNABLE)) >= 0) {
        TM_EMIT(s, 13, s->g[w].id, tm_stk(s), tm_stk(s)); /* GoCreate */
        s->g[w].seq = 1;
    } else if (roll < 52 && (w = tm_pick(s, pi, G_WAITING)) >= 0) {
        TM_EMIT(s, 21, s->g[w].id, s->g[w].seq, tm_stk(s)); /* GoUnblock */
        s->g[w].seq++;
        s->g[w].state = G_RUNNABLE;
    } else if (roll < 58) {
        TM_EMIT(s, 33, tm_below(r, 1u << 30)); /* HeapAlloc */
    } else {
        while (g->nregions) {
            g->nregions--;
            TM_EMIT(s, 47, g->region_task[g->nregions], 1, g->regions[g->nregions], tm_stk(s));
        }
        if (roll < 78) {
            TM_EMIT(s, 20, tm_stk(s)); /* GoBlock stkid */
            g->state = G_WAITING;
        } else if (roll < 92) {
            TM_EMIT(s, 17, tm_stk(s)); /* GoSched stkid */
            g->state = G_RUNNABLE;
        } else {
            tm_emit(s, 15, 0, NULL); /* GoEnd: dt only */
            g->state = G_DEAD;
        }
        s->cur[pi] = -1;
    }
}

/* A well-formed trace: nm Ms (v2) or Ps (legacy), each its own goroutines. */
static void tm_gen_valid(tm_model *m, tm_rng *r, unsigned version, unsigned steps)
{
    static tm_sched s;
    tm_reset(m, version);
    memset(&s, 0, sizeof s);
    s.m = m;
    s.r = r;
    s.next_g = 2;
    s.next_task = 1;
    s.clock = 1000 + tm_below(r, 100000);
    tm_gen_strings(m, r, 20, true);
    tm_gen_stacks(m, r, 30, 64, true);
    unsigned nm = 1 + (unsigned)tm_below(r, 4);
    for (unsigned i = 0; i < nm; i++) {
        s.cur[i] = -1;
        for (unsigned k = 0, n = 1 + (unsigned)tm_below(r, 3); k < n; k++) {
            int g = tm_new_g(&s, i, k == 0 ? G_RUNNING : tm_chance(r, 50) ? G_RUNNABLE : G_WAITING);
            if (k == 0) s.cur[i] = g;
        }
    }
    bool legacy = version < 22;
    unsigned ngen = legacy ? 1 : 1 + (unsigned)tm_below(r, 4);
    for (unsigned gi = 0; gi < ngen; gi++) {
        tm_gen *g = &m->gen[m->ngen++];
        g->gen = 1 + gi;
        g->first = m->nbatch;
        s.clock += 10;
        /* Mono, wall and trace times strictly increase from generation to generation,
         * as Go's validator requires of clock snapshots. */
        g->sync = (gt_sync){s.clock, TM_FREQ, s.clock + 1, 1000000 + s.clock, 1740755049 + gi, 123};
        for (unsigned mi = 0; mi < nm; mi++) {
            s.b = tm_new_batch(m, r, TM_EVENTS, legacy ? mi : mi + 1, s.clock);
            if (legacy) {
                /* Go 1.7+ legacy: the P starts, then the goroutines that exist are created. */
                if (gi == 0) {
                    TM_EMIT(&s, 5, mi); /* ProcStart thread */
                    for (unsigned k = 0; k < s.ng; k++) {
                        tm_g *tg = &s.g[k];
                        if (tg->owner != mi) continue;
                        TM_EMIT(&s, 13, tg->id, tm_stk(&s), 0); /* GoCreate */
                        tg->seq = 1;
                        if (tg->state == G_WAITING) {
                            TM_EMIT(&s, 31, tg->id); /* GoWaiting */
                            tg->seq = 2;
                        } else if (tg->state == G_RUNNING) {
                            TM_EMIT(&s, 14, tg->id, 1); /* GoStart */
                            tg->seq = 2;
                        }
                    }
                }
            } else {
                TM_EMIT(&s, 13, mi, 1); /* ProcStatus p pstatus=running */
                for (unsigned k = 0; k < s.ng; k++) {
                    tm_g *tg = &s.g[k];
                    if (tg->owner != mi || tg->state == G_DEAD) continue;
                    static const uint64_t st[] = {0, 1, 2, 4};
                    TM_EMIT(&s, 25, tg->id, tg->state == G_RUNNING ? mi + 1 : TM_NO_THREAD, st[tg->state]);
                    tg->seq = 0;
                }
            }
            for (unsigned k = 0; k < steps && m->nev < TM_MAX_EVENTS - 64; k++) {
                if (legacy)
                    tm_step_legacy(&s, mi);
                else
                    tm_step_v2(&s, mi);
            }
        }
        if (version >= 23 && tm_chance(r, 50)) {
            tm_batch *b = tm_new_batch(m, r, TM_EXP, TM_NO_THREAD, s.clock);
            b->exp = 1;
        }
        g->n = m->nbatch - g->first;
    }
}

#endif
