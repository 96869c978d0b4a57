/* The merge of Go 1.7+ legacy traces (Go's order1007 / parseEventBatches).
 *
 * Each P's events are in order within its batches; the merge interleaves
 * them. Every P (and the CPU samples, sorted by their own time, as one more
 * stream) offers its next event; an event is ready when its goroutine is in
 * the state the event starts from (status, and sequence number unless the
 * event is a "Local" one). Of the ready events the one with the smallest
 * timestamp goes next and moves its goroutine on. When nothing is ready but
 * events remain there is "no consistent ordering". The merged stream must
 * then be sorted by timestamp; finally each GoSysExit that carries the real
 * time it left its syscall takes that time (it must follow the goroutine's
 * last GoSysBlock/GoInSyscall, or the exit is "stray"), and the stream is
 * sorted again, stably.
 *
 * Here: one cursor per P re-reads its batches from the caller's bytes; a P
 * whose next event is not ready waits on its goroutine and is looked at
 * again only when that goroutine moves (Go looks at every P for every event,
 * which costs the number of Ps per event). Ready events sit in a binary heap
 * keyed by (time, arrival): ties are broken by arrival, where Go's order
 * depends on map iteration.
 *
 * The stable re-sort needs no buffer of the stream: the first run (check)
 * keeps only the re-timed exits; the second run (stream) merges that short
 * sorted list into the events, which are already in time order.
 *
 * Go 1.27 loads a P's next batch only when the merge needs it, and reports
 * the errors of that batch then; so do we (pass 1 kept them per batch). */
#include <stdlib.h>

#include "legacysem.h"

enum { G_DEAD = 0, G_RUNNABLE, G_RUNNING, G_WAITING };
#define UNORDERED UINT64_MAX
#define GARBAGE (UINT64_MAX - 1)
#define NOSEQ UINT64_MAX
#define SEQINC (UINT64_MAX - 1)

enum { C_IDLE = 0, C_WAIT, C_HEAP, C_DONE };

typedef struct gstate {
    uint64_t seq;
    uint64_t status;
} gstate;

typedef struct trans {
    uint64_t g;
    gstate init, next;
} trans;

/* Go's stateTransition: the goroutine an event moves, the state it must
 * find it in, and the state it leaves it in. */
static trans transition_of(const ls_ev *ev)
{
    trans t = {UNORDERED, {0, 0}, {0, 0}};
    switch (ev->type) {
    case LS_GO_CREATE: t = (trans){ev->args[0], {0, G_DEAD}, {1, G_RUNNABLE}}; break;
    case LS_GO_WAITING:
    case LS_GO_INSYSCALL: t = (trans){ev->g, {1, G_RUNNABLE}, {2, G_WAITING}}; break;
    case LS_GO_START:
    case LS_GO_START_LABEL: t = (trans){ev->g, {ev->args[1], G_RUNNABLE}, {ev->args[1] + 1, G_RUNNING}}; break;
    case LS_GO_START_LOCAL: t = (trans){ev->g, {NOSEQ, G_RUNNABLE}, {SEQINC, G_RUNNING}}; break;
    case LS_GO_BLOCK: case LS_GO_BLOCK_SEND: case LS_GO_BLOCK_RECV: case LS_GO_BLOCK_SELECT:
    case LS_GO_BLOCK_SYNC: case LS_GO_BLOCK_COND: case LS_GO_BLOCK_NET: case LS_GO_SLEEP:
    case LS_GO_SYSBLOCK: case LS_GO_BLOCK_GC:
        t = (trans){ev->g, {NOSEQ, G_RUNNING}, {NOSEQ, G_WAITING}};
        break;
    case LS_GO_SCHED:
    case LS_GO_PREEMPT: t = (trans){ev->g, {NOSEQ, G_RUNNING}, {NOSEQ, G_RUNNABLE}}; break;
    case LS_GO_UNBLOCK:
    case LS_GO_SYSEXIT: t = (trans){ev->args[0], {ev->args[1], G_WAITING}, {ev->args[1] + 1, G_RUNNABLE}}; break;
    case LS_GO_UNBLOCK_LOCAL:
    case LS_GO_SYSEXIT_LOCAL: t = (trans){ev->args[0], {NOSEQ, G_WAITING}, {SEQINC, G_RUNNABLE}}; break;
    case LS_GC_START: t = (trans){GARBAGE, {ev->args[0], G_DEAD}, {ev->args[0] + 1, G_DEAD}}; break;
    default: break;
    }
    return t;
}

static bool ready(uint64_t g, gstate cur, gstate init)
{
    return g == UNORDERED || ((init.seq == NOSEQ || init.seq == cur.seq) && init.status == cur.status);
}

typedef struct merge {
    ls_ctx *c;
    ls_cursor *cur;
    size_t ncur;
    uint32_t *heap;
    size_t nheap;
    size_t waiting;
    uint64_t arrivals;
    ls_map gs;        /* goroutine -> gstate */
    ls_map waits;     /* goroutine -> first waiting cursor */
    ls_sink_fn emit;  /* the merged stream */
    void *emit_state;
} merge;

/* ---- cursors: one per P, and one for the CPU samples (proc LS_NONE32) ---- */

static void cpu_event(const ls_cpu *s, ls_ev *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->type = LS_CPU_SAMPLE;
    ev->ts = s->ts;
    ev->p = s->p;
    ev->g = s->g;
    ev->stk = s->stk;
    ev->off = s->off;
    ev->args[1] = gt_ls_u64(s->p);
    ev->args[2] = s->g;
}

static int next_event(merge *m, uint32_t ci)
{
    ls_ctx *c = m->c;
    ls_cursor *cu = &m->cur[ci];
    if (cu->proc != LS_NONE32) return gt_ls_cursor_next(c, cu);
    if (cu->pos >= c->ncpu) return 0; /* pos counts the samples */
    cpu_event(&c->cpu[cu->pos++], &cu->head);
    return 1;
}

/* ---- the heap of ready events ----------------------------------------------- */

static bool before(const merge *m, uint32_t a, uint32_t b)
{
    const ls_cursor *x = &m->cur[a], *y = &m->cur[b];
    return x->head.ts < y->head.ts || (x->head.ts == y->head.ts && x->arrival < y->arrival);
}

static void heap_push(merge *m, uint32_t ci)
{
    size_t j = m->nheap++;
    m->heap[j] = ci;
    while (j > 0) {
        size_t parent = (j - 1) / 2;
        if (!before(m, m->heap[j], m->heap[parent])) break;
        uint32_t t = m->heap[j];
        m->heap[j] = m->heap[parent];
        m->heap[parent] = t;
        j = parent;
    }
}

static uint32_t heap_pop(merge *m)
{
    uint32_t top = m->heap[0];
    m->heap[0] = m->heap[--m->nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, k = i;
        if (l < m->nheap && before(m, m->heap[l], m->heap[k])) k = l;
        if (r < m->nheap && before(m, m->heap[r], m->heap[k])) k = r;
        if (k == i) break;
        uint32_t t = m->heap[i];
        m->heap[i] = m->heap[k];
        m->heap[k] = t;
        i = k;
    }
    return top;
}

/* ---- readiness ------------------------------------------------------------ */

static gstate state_of(const merge *m, uint64_t g)
{
    const gstate *s = gt_ls_map_get(&m->gs, g);
    return s ? *s : (gstate){0, G_DEAD};
}

/* Cursor ci has a new head: into the heap if ready, else wait on its goroutine. */
static gt_status place(merge *m, uint32_t ci)
{
    ls_cursor *cu = &m->cur[ci];
    trans t = transition_of(&cu->head);
    if (ready(t.g, state_of(m, t.g), t.init)) {
        cu->state = C_HEAP;
        cu->arrival = m->arrivals++;
        heap_push(m, ci);
        return GT_OK;
    }
    gt_status st = GT_OK;
    uint64_t *first = gt_ls_map_put(&m->waits, &m->c->mem, t.g, NULL, &st);
    if (!first) return gt_ls_nomem(m->c, st, "waiting Ps");
    /* A fresh entry is 0: store index + 1. */
    cu->wait_next = *first ? (uint32_t)(*first - 1) : LS_NONE32;
    *first = (uint64_t)ci + 1;
    cu->state = C_WAIT;
    m->waiting++;
    return GT_OK;
}

static gt_status advance(merge *m, uint32_t ci)
{
    int r = next_event(m, ci);
    if (r < 0) return m->c->err->status;
    if (r == 0) {
        m->cur[ci].state = C_DONE;
        return GT_OK;
    }
    return place(m, ci);
}

/* Goroutine g moved: look again at the Ps waiting on it. */
static gt_status wake(merge *m, uint64_t g)
{
    uint64_t *first = gt_ls_map_get(&m->waits, g);
    if (!first) return GT_OK;
    uint32_t ci = (uint32_t)(*first - 1);
    gt_ls_map_del(&m->waits, g);
    while (ci != LS_NONE32) {
        uint32_t next = m->cur[ci].wait_next;
        m->waiting--;
        gt_status st = place(m, ci);
        if (st != GT_OK) return st;
        ci = next;
    }
    return GT_OK;
}

static gt_status stuck(merge *m)
{
    /* Name the waiting event with the smallest time (what Go would try next). */
    const ls_ev *best = NULL;
    for (size_t i = 0; i < m->ncur; i++)
        if (m->cur[i].state == C_WAIT && (!best || m->cur[i].head.ts < best->ts)) best = &m->cur[i].head;
    return gt_ls_fail(m->c, GT_ERR_SEMANTIC, best ? best->off : 0, "no consistent ordering of events possible");
}

static void merge_free(merge *m)
{
    gt_mem *mem = &m->c->mem;
    gt_mem_free(mem, m->cur, m->ncur * sizeof *m->cur);
    gt_mem_free(mem, m->heap, m->ncur * sizeof *m->heap);
    gt_ls_map_free(&m->gs, mem);
    gt_ls_map_free(&m->waits, mem);
}

static int cmp_cpu(const void *a, const void *b)
{
    const ls_cpu *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Run the merge once, handing each merged event to m->emit. */
static gt_status run(merge *m)
{
    ls_ctx *c = m->c;
    m->ncur = c->nprocs + 1;
    gt_ls_map_init(&m->gs, sizeof(gstate));
    gt_ls_map_init(&m->waits, sizeof(uint64_t));
    m->cur = gt_mem_calloc(&c->mem, m->ncur, sizeof *m->cur);
    m->heap = m->cur ? gt_mem_calloc(&c->mem, m->ncur, sizeof *m->heap) : NULL;
    if (!m->heap) {
        gt_status st = gt_ls_mem_status(&c->mem, m->ncur * sizeof *m->cur);
        merge_free(m);
        return gt_ls_nomem(c, st, "the merge");
    }
    gt_status st = GT_OK;
    for (uint32_t i = 0; i < m->ncur; i++) gt_ls_cursor_init(&m->cur[i], i < c->nprocs ? i : LS_NONE32);
    for (uint32_t i = 0; i < m->ncur && st == GT_OK; i++) st = advance(m, i);
    bool go121 = c->oracle == LS_GO121;
    while (st == GT_OK) {
        if (m->nheap == 0) {
            if (m->waiting) st = stuck(m);
            break;
        }
        uint32_t ci = heap_pop(m);
        ls_ev ev = m->cur[ci].head;
        trans t = transition_of(&ev);
        if (t.g != UNORDERED) {
            /* A new goroutine's entry starts zeroed: sequence 0, dead. */
            gstate *s = gt_ls_map_put(&m->gs, &c->mem, t.g, NULL, &st);
            if (!s) {
                st = gt_ls_nomem(c, st, "goroutines");
                break;
            }
            gstate cur = *s;
            if (!ready(t.g, cur, t.init)) {
                /* Go 1.21 panics here; Go 1.27 returns an error. */
                st = gt_ls_fail(c, GT_ERR_SEMANTIC, ev.off, "%s",
                                go121 ? "event sequences are broken" : "encountered impossible goroutine state transition");
                break;
            }
            if (t.next.seq == NOSEQ) t.next.seq = cur.seq;
            else if (t.next.seq == SEQINC) t.next.seq = cur.seq + 1;
            *s = t.next;
        }
        /* The Local variants only steer the merge. */
        if (ev.type == LS_GO_START_LOCAL) ev.type = LS_GO_START;
        else if (ev.type == LS_GO_UNBLOCK_LOCAL) ev.type = LS_GO_UNBLOCK;
        else if (ev.type == LS_GO_SYSEXIT_LOCAL) ev.type = LS_GO_SYSEXIT;
        st = m->emit(c, m->emit_state, &ev);
        if (st == GT_OK && t.g != UNORDERED) st = wake(m, t.g);
        if (st == GT_OK) st = advance(m, ci);
    }
    merge_free(m);
    return c->failed ? c->err->status : st;
}

/* ---- pass A: the checks on the merged stream ------------------------------------ */

typedef struct retimed {
    ls_ev ev;        /* ts is the real exit time */
    uint64_t index;  /* position in the merged stream */
} retimed;

struct ls_order {
    retimed *r;
    size_t nr, cap_r;
};

typedef struct check {
    ls_order *o;
    uint64_t index;
    int64_t last_ts;
    bool unsorted;
    uint64_t unsorted_off;
    gt_status exit_status;   /* first syscall-exit failure */
    uint64_t exit_off;
    const char *exit_msg;
    ls_map block;            /* goroutine -> time of its last GoSysBlock/GoInSyscall */
} check;

static gt_status on_merged(ls_ctx *c, void *state, ls_ev *ev)
{
    check *k = state;
    uint64_t index = k->index++;
    if (index > 0 && ev->ts < k->last_ts && !k->unsorted) {
        k->unsorted = true;
        k->unsorted_off = ev->off;
    }
    k->last_ts = ev->ts;
    if (k->unsorted || k->exit_status != GT_OK) return GT_OK; /* an earlier verdict stands */
    gt_status st = GT_OK;
    if (ev->type == LS_GO_SYSBLOCK || ev->type == LS_GO_INSYSCALL) {
        int64_t *b = gt_ls_map_put(&k->block, &c->mem, ev->g, NULL, &st);
        if (!b) return gt_ls_nomem(c, st, "syscalls");
        *b = ev->ts;
    } else if (ev->type == LS_GO_SYSEXIT) {
        int64_t ts = gt_ls_i64(ev->args[2]);
        if (ts == 0) return GT_OK;
        const int64_t *b = gt_ls_map_get(&k->block, ev->g);
        int64_t block = b ? *b : 0;
        if (block == 0 || ts < block) {
            k->exit_status = GT_ERR_SEMANTIC;
            k->exit_off = ev->off;
            k->exit_msg = block == 0 ? "stray syscall exit" : "time stamps out of order";
            return GT_OK;
        }
        ls_order *o = k->o;
        st = gt_ls_grow(&c->mem, &o->r, &o->cap_r, o->nr, sizeof *o->r);
        if (st != GT_OK) return gt_ls_nomem(c, st, "re-timed syscall exits");
        o->r[o->nr].ev = *ev;
        o->r[o->nr].ev.ts = ts;
        o->r[o->nr].index = index;
        o->nr++;
    }
    return GT_OK;
}

static int cmp_retimed(const void *a, const void *b)
{
    const retimed *x = a, *y = b;
    if (x->ev.ts != y->ev.ts) return x->ev.ts < y->ev.ts ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

gt_status gt_ls_order1007_check(ls_ctx *c, ls_order **out)
{
    *out = NULL;
    ls_order *o = gt_mem_calloc(&c->mem, 1, sizeof *o);
    if (!o) return gt_ls_nomem(c, gt_ls_mem_status(&c->mem, sizeof *o), "the merge");
    if (c->ncpu > 1) qsort(c->cpu, c->ncpu, sizeof *c->cpu, cmp_cpu);
    check k = {.o = o};
    gt_ls_map_init(&k.block, sizeof(int64_t));
    merge m = {.c = c, .emit = on_merged, .emit_state = &k};
    gt_status st = run(&m);
    gt_ls_map_free(&k.block, &c->mem);
    if (st == GT_OK && k.unsorted) st = gt_ls_fail(c, GT_ERR_SEMANTIC, k.unsorted_off, "time stamps out of order");
    if (st == GT_OK && k.exit_status != GT_OK) st = gt_ls_fail(c, k.exit_status, k.exit_off, "%s", k.exit_msg);
    if (st == GT_OK && c->oracle == LS_GO127 && !c->have_freq)
        st = gt_ls_fail(c, GT_ERR_MISSING_FREQUENCY, c->end_off, "no EvFrequency event");
    if (st == GT_OK && o->nr > 1) qsort(o->r, o->nr, sizeof *o->r, cmp_retimed);
    *out = o;
    return st;
}

void gt_ls_order1007_free(ls_ctx *c, ls_order *o)
{
    if (!o) return;
    gt_mem_free(&c->mem, o->r, o->cap_r * sizeof *o->r);
    gt_mem_free(&c->mem, o, sizeof *o);
}

/* ---- pass B: the final stream --------------------------------------------------- */

void gt_ls_final_init(const ls_ctx *c, ls_final *f, ls_sink_fn sink, void *state)
{
    memset(f, 0, sizeof *f);
    f->sink = sink;
    f->state = state;
    f->ns_per_tick = 1e9 / (double)gt_ls_i64(c->freq);
}

/* Go's float64 to int64 conversion on amd64: NaN and values out of range
 * give the minimum int64. */
static int64_t f64_to_i64(double x)
{
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)x;
}

gt_status gt_ls_final_emit(ls_ctx *c, ls_final *f, ls_ev *ev)
{
    if (!f->started) {
        f->started = true;
        f->min_ts = ev->ts;
    }
    int64_t d = gt_ls_i64(gt_ls_u64(ev->ts) - gt_ls_u64(f->min_ts));
    ev->ts = f64_to_i64((double)d * f->ns_per_tick);
    if (ev->type == LS_GO_UNBLOCK && gt_ls_map_get(&c->timers, ev->g)) ev->p = LS_TIMER_P;
    if (ev->type == LS_GO_SYSEXIT) ev->p = LS_SYSCALL_P;
    return f->sink(c, f->state, ev);
}

typedef struct stream {
    ls_order *o;
    ls_final f;
    uint64_t index;
    size_t next_r;
} stream;

static bool retimed_event(const ls_ev *ev) { return ev->type == LS_GO_SYSEXIT && ev->args[2] != 0; }

static gt_status on_final(ls_ctx *c, void *state, ls_ev *ev)
{
    stream *s = state;
    ls_order *o = s->o;
    uint64_t index = s->index++;
    if (retimed_event(ev)) return GT_OK; /* comes from the sorted list */
    gt_status st = GT_OK;
    while (st == GT_OK && s->next_r < o->nr) {
        const retimed *r = &o->r[s->next_r];
        if (!(r->ev.ts < ev->ts || (r->ev.ts == ev->ts && r->index < index))) break;
        ls_ev e = r->ev;
        s->next_r++;
        st = gt_ls_final_emit(c, &s->f, &e);
    }
    return st == GT_OK ? gt_ls_final_emit(c, &s->f, ev) : st;
}

gt_status gt_ls_order1007_stream(ls_ctx *c, ls_order *o, ls_sink_fn sink, void *state)
{
    stream s = {.o = o};
    gt_ls_final_init(c, &s.f, sink, state);
    merge m = {.c = c, .emit = on_final, .emit_state = &s};
    gt_status st = run(&m);
    while (st == GT_OK && s.next_r < o->nr) {
        ls_ev e = o->r[s.next_r++].ev;
        st = gt_ls_final_emit(c, &s.f, &e);
    }
    return st;
}
