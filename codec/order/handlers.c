/* The ordering rules: for each event type, whether the event can happen in
 * the current state, and what it changes (Go 1.27 order.go: Advance and its
 * advance* handlers). A handler answers READY (state changed, events
 * queued), WAIT (nothing changed: the caller tries another thread's event),
 * or FAIL (Go's message in p->fault). The table below maps each wire type to
 * its handler; the per-type facts come from the v2 event table. */
#include <inttypes.h>

#define ORD_HOT_FILE
#include "order.h"

enum { FAIL = -1, WAIT = 0, READY = 1 };
enum { MUST_NOT = 0, MAY, MUST };
enum { GC_UNDETERMINED = 0, GC_NOT_RUNNING, GC_RUNNING };

/* Go's GoState / ProcState values (gt_go_state / gt_proc_state). */
static const uint8_t go_status_state[5] = {GT_GO_UNDETERMINED, GT_GO_RUNNABLE, GT_GO_RUNNING, GT_GO_SYSCALL,
                                           GT_GO_WAITING};
static const uint8_t proc_status_state[5] = {GT_PROC_UNDETERMINED, GT_PROC_RUNNING, GT_PROC_IDLE, GT_PROC_RUNNING,
                                             GT_PROC_IDLE};

typedef struct reqs {
    uint8_t m, p, g;
} reqs;

static const reqs user_go = {MUST, MUST, MUST};

typedef struct hctx {
    gt_parser *p;
    ord_base *ev;
    int64_t m;
    uint64_t gen;
    ord_ctx cur;  /* the context the queued event carries */
    ord_ctx next; /* the thread's context afterwards */
} hctx;

typedef int (*handler_fn)(hctx *h);

/*-************************************
 *  Helpers
 **************************************/
static int fail(hctx *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(hctx *h, const char *fmt, ...)
{
    gt_parser *p = h->p;
    va_list ap;
    va_start(ap, fmt);
    ord_fault_vset(p, &p->fault, GT_ERR_SEMANTIC, h->ev->offset, fmt, ap);
    va_end(ap);
    ord_fault_where(&p->fault, h->ev->batch, h->ev->index, h->gen, h->m);
    return FAIL;
}

static int fail_status(hctx *h, gt_status s)
{
    gt_parser *p = h->p;
    ord_fault_set(p, &p->fault, s, h->ev->offset, "%s while ordering events",
                  s == GT_ERR_LIMIT ? "memory limit reached" : "out of memory");
    ord_fault_where(&p->fault, h->ev->batch, h->ev->index, h->gen, h->m);
    return FAIL;
}

const char *ord_ev_name(const gt_parser *p, unsigned type, char *buf, size_t cap)
{
    unsigned len = p->version >= 26 ? 137 : p->version >= 25 ? 52 : p->version >= 23 ? 50 : 45;
    if (type < len && p->types[type].spec) return p->types[type].spec->name;
    snprintf(buf, cap, "Invalid(%u)", type);
    return buf;
}

#define EVNAME(h) ord_ev_name((h)->p, (h)->ev->type, namebuf, sizeof namebuf)

static const char *check_ctx(ord_ctx c, reqs r)
{
    if (r.m == MUST && c.m == NO_ID) return "expected a thread but didn't have one";
    if (r.m == MUST_NOT && c.m != NO_ID) return "expected no thread but had one";
    if (r.p == MUST && c.p == NO_ID) return "expected a proc but didn't have one";
    if (r.p == MUST_NOT && c.p != NO_ID) return "expected no proc but had one";
    if (r.g == MUST && c.g == NO_ID) return "expected a goroutine but didn't have one";
    if (r.g == MUST_NOT && c.g != NO_ID) return "expected no goroutine but had one";
    return NULL;
}

#define VALIDATE(h, r)                                          \
    do {                                                        \
        const char *why_ = check_ctx((h)->cur, (r));            \
        if (why_) return fail((h), "%s", why_);                 \
    } while (0)

/* Go's failure for cur_g_in(). */
static __attribute__((cold, noinline)) void cur_g_fail(hctx *h, const ord_g *gs, const char *said)
{
    char namebuf[24];
    if (!gs) fail(h, "event %s for goroutine (%" PRId64 ") that doesn't exist", EVNAME(h), h->cur.g);
    else fail(h, "%s event for goroutine that's not %s", EVNAME(h), said);
}

/* The current goroutine if it exists and is in state want, else NULL after
 * the failure Go reports; said is the state Go names in its message (it says
 * "Running" where most syscall handlers want Syscall). */
static inline ord_g *cur_g_in(hctx *h, int want, const char *said)
{
    ord_g *gs = ord_g_get(h->p, h->cur.g);
    if (GT_LIKELY(gs && gs->status == want)) return gs;
    cur_g_fail(h, gs, said);
    return NULL;
}

static bool succeeds(uint64_t gen, uint64_t seq, uint64_t old_gen, uint64_t old_seq)
{
    return gen == old_gen && seq == old_seq + 1;
}

ord_event *ord_queue_slot(gt_parser *p, gt_status *s)
{
    ord_queue *q = &p->q;
    if (GT_UNLIKELY(q->len == q->cap)) { /* capacities are powers of two */
        size_t cap = q->cap ? q->cap * 2 : 8;
        ord_event *buf = gt_mem_alloc(&p->mem, cap * sizeof *buf);
        if (!buf) {
            *s = ord_alloc_status(p, cap * sizeof *buf);
            return NULL;
        }
        for (size_t i = 0; i < q->len; i++) buf[i] = q->buf[(q->start + i) & (q->cap - 1)];
        gt_mem_free(&p->mem, q->buf, q->cap * sizeof *q->buf);
        q->buf = buf;
        q->cap = cap;
        q->start = 0;
    }
    ord_event *e = &q->buf[(q->start + q->len) & (q->cap - 1)];
    q->len++;
    return e;
}

/* Queue ev with context c (Go's Event{table, ctx, base}). Fields are copied
 * one by one: the source was just written field by field, and wide copies
 * of it would stall on store forwarding. */
static int push(hctx *h, const ord_base *ev, ord_ctx c, bool synthetic)
{
    if (h->p->verdict) {
        h->p->vcount++;
        return READY;
    }
    gt_status s = GT_OK;
    ord_event *e = ord_queue_slot(h->p, &s);
    if (!e) return fail_status(h, s);
    e->b.time = ev->time;
    e->b.args[0] = ev->args[0];
    e->b.args[1] = ev->args[1];
    e->b.args[2] = ev->args[2];
    e->b.args[3] = ev->args[3];
    e->b.offset = ev->offset;
    e->b.batch = ev->batch;
    e->b.index = ev->index;
    e->b.type = ev->type;
    e->m = c.m;
    e->p = c.p;
    e->g = c.g;
    e->synthetic = synthetic;
    e->has_table = 1;
    e->gen = h->gen;
    e->extra_name = 0;
    return READY;
}

/* An event made by the ordering at the time of ev (Go's makeEvent). */
static int push_made(hctx *h, ord_ctx c, uint8_t type, uint64_t a0, uint64_t a1, uint64_t a3)
{
    ord_base b = *h->ev;
    b.type = type;
    b.args[0] = a0;
    b.args[1] = a1;
    b.args[2] = 0;
    b.args[3] = a3;
    return push(h, &b, c, true);
}

/* Go's makeRangeType: end and active events name their begin event. */
static uint8_t range_type(const gt_parser *p, uint8_t typ)
{
    uint8_t s = p->types[typ].start;
    return s ? s : typ;
}

static ord_ext *ext_or_null(gt_parser *p, uint32_t ext) { return ext ? &p->st.ext[ext - 1] : NULL; }

static void seq_text(char *buf, size_t cap, uint64_t gen, uint64_t seq)
{
    snprintf(buf, cap, "%" PRIu64 " (gen=%" PRIu64 ")", seq, gen);
}

/* Go's %v of a []rangeType: "[{typ desc} ...]". */
static void ranges_text(const ord_ext *e, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (uint32_t i = 0; e && i < e->nranges && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s{%u %" PRIu64 "}", i ? " " : "", e->ranges[i].typ, e->ranges[i].desc);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* Go's rangeState.activeRange. */
static int active_range(hctx *h, uint32_t *ext, uint8_t typ)
{
    gt_parser *p = h->p;
    bool initial = h->gen == p->st.initial_gen;
    ord_ext *e = ext_or_null(p, *ext);
    if (initial) {
        if (ord_range_has(e, typ, 0)) return fail(h, "found named active range already in first gen: {%u 0}", typ);
        gt_status s = ord_range_add(p, ext, typ, 0);
        return s == GT_OK ? READY : fail_status(h, s);
    }
    if (!ord_range_has(e, typ, 0)) {
        char list[256];
        ranges_text(e, list, sizeof list);
        return fail(h, "resource is missing active range: %s %s", p->types[typ].spec->name, list);
    }
    return READY;
}

static int begin_range(hctx *h, uint32_t *ext, uint8_t typ, uint64_t desc)
{
    gt_parser *p = h->p;
    if (ord_range_has(ext_or_null(p, *ext), typ, desc))
        return fail(h, "discovered event already in-flight for when starting event %s", p->types[typ].spec->name);
    gt_status s = ord_range_add(p, ext, typ, desc);
    return s == GT_OK ? READY : fail_status(h, s);
}

static int end_range(hctx *h, uint32_t ext, uint64_t *desc)
{
    gt_parser *p = h->p;
    uint8_t st = p->types[h->ev->type].start;
    if (!ord_range_end(p, ext, st, desc))
        return fail(h, "tried to end event %s, but not in-flight", p->types[st].spec->name);
    return READY;
}

/*-************************************
 *  Procs
 **************************************/
static int proc_status(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    int64_t pid = (int64_t)ev->args[0];
    uint8_t status = (uint8_t)ev->args[1];
    if (status >= 5) return fail(h, "invalid status for proc %" PRId64 ": %u", pid, status);
    if (ev->args[1] > 255 && (p->flags & GT_PARSER_REJECT_TOOL_CRASHES)) {
        /* Go keeps the whole value in the event and its tools index a table with it */
        fail(h, "ProcStatus status %" PRIu64 " does not fit in 8 bits (Go reads it as %u; its tools crash on it)",
             ev->args[1], status);
        p->fault.status = GT_ERR_BAD_EVENT;
        return FAIL;
    }
    uint64_t old = proc_status_state[status];
    ord_p *ps = ord_p_get(p, pid);
    if (ps) {
        if (status == PS_ABANDONED && ps->status == PS_SYSCALL) {
            old = GT_PROC_RUNNING;
            ev->args[1] = PS_SYSCALL;
        } else if (status == PS_ABANDONED && ps->status == PS_ABANDONED) {
            old = GT_PROC_IDLE;
            ev->args[1] = PS_ABANDONED;
        } else if (ps->status != status) {
            return fail(h, "inconsistent status for proc %" PRId64 ": old %s vs. new %s", pid,
                        ord_proc_status_name(ps->status), ord_proc_status_name(status));
        }
        ps->seq_gen = h->gen;
        ps->seq = 0;
    } else {
        gt_status s = GT_OK;
        ps = ord_p_put(p, pid, &s);
        if (!ps) return fail_status(h, s);
        ps->status = status;
        ps->seq_gen = h->gen;
        ps->seq = 0;
        old = h->gen == p->st.initial_gen ? GT_PROC_UNDETERMINED : GT_PROC_NOT_EXIST;
    }
    ev->args[2] = old; /* Go smuggles the old state in extra[0] */
    h->next = h->cur;
    if (status == PS_RUNNING || status == PS_SYSCALL) h->next.p = pid;
    if (status == PS_ABANDONED && old == GT_PROC_RUNNING) {
        /* Emit it in the context the P is bound to. */
        bool found = false;
        for (uint32_t i = 0; i < p->st.nms; i++) {
            const ord_m *ms = &p->st.ms[i];
            if (ms->p != pid) continue;
            h->cur = (ord_ctx){ms->g, pid, ms->id};
            found = true;
        }
        if (!found) return fail(h, "failed to find sched context for proc %" PRId64 " that's about to be stolen", pid);
    }
    return push(h, ev, h->cur, false);
}

static int proc_start(hctx *h)
{
    ord_base *ev = h->ev;
    int64_t pid = (int64_t)ev->args[0];
    ord_p *ps = ord_p_get(h->p, pid);
    if (!ps || ps->status != PS_IDLE || !succeeds(h->gen, ev->args[1], ps->seq_gen, ps->seq) || h->cur.p != NO_ID)
        return WAIT;
    VALIDATE(h, ((reqs){MUST, MUST_NOT, MAY}));
    ps->status = PS_RUNNING;
    ps->seq_gen = h->gen;
    ps->seq = ev->args[1];
    h->next = h->cur;
    h->next.p = pid;
    return push(h, ev, h->cur, false);
}

static int proc_stop(hctx *h)
{
    char namebuf[24];
    ord_p *ps = ord_p_get(h->p, h->cur.p);
    if (!ps) return fail(h, "event %s for proc (%" PRId64 ") that doesn't exist", EVNAME(h), h->cur.p);
    if (ps->status != PS_RUNNING && ps->status != PS_SYSCALL)
        return fail(h, "%s event for proc that's not %s or %s", EVNAME(h), "Running", "Syscall");
    VALIDATE(h, ((reqs){MUST, MUST, MAY}));
    ps->status = PS_IDLE;
    h->next = h->cur;
    h->next.p = NO_ID;
    return push(h, h->ev, h->cur, false);
}

static int proc_steal(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    int64_t pid = (int64_t)ev->args[0];
    ord_p *ps = ord_p_get(p, pid);
    if (!ps || (ps->status != PS_SYSCALL && ps->status != PS_ABANDONED) ||
        !succeeds(h->gen, ev->args[1], ps->seq_gen, ps->seq))
        return WAIT;
    VALIDATE(h, ((reqs){MUST, MAY, MAY}));
    uint8_t old = ps->status;
    ev->args[3] = old; /* extra[0] */
    ps->status = PS_IDLE;
    ps->seq_gen = h->gen;
    ps->seq = ev->args[1];
    h->next = h->cur;
    if (old == PS_ABANDONED) return push(h, ev, h->cur, false);
    int64_t mid = (int64_t)ev->args[2];
    if (mid == h->cur.m) {
        if (h->cur.p != pid)
            return fail(h, "tried to self-steal proc %" PRId64 " (thread %" PRId64 "), but got proc %" PRId64 " instead",
                        pid, mid, h->cur.p);
        h->next.p = NO_ID;
        return push(h, ev, h->cur, false);
    }
    uint32_t slot = ord_m_find(p, mid);
    if (slot == NONE32) return fail(h, "stole proc from non-existent thread %" PRId64, mid);
    ord_m *ms = &p->st.ms[slot];
    if (ms->p != pid)
        return fail(h, "tried to steal proc %" PRId64 " from thread %" PRId64 ", but got proc %" PRId64 " instead", pid, mid,
                    ms->p);
    ms->p = NO_ID;
    return push(h, ev, h->cur, false);
}

/*-************************************
 *  Goroutines
 **************************************/
static int go_status(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    int64_t gid = (int64_t)ev->args[0], mid = (int64_t)ev->args[1];
    uint8_t status = (uint8_t)ev->args[2];
    if (status >= 5) return fail(h, "invalid status for goroutine %" PRId64 ": %u", gid, status);
    uint64_t old = go_status_state[status];
    ord_g *gs = ord_g_get(p, gid);
    if (gs) {
        if (gs->status != status)
            return fail(h, "inconsistent status for goroutine %" PRId64 ": old %s vs. new %s", gid,
                        ord_go_status_name(gs->status), ord_go_status_name(status));
        gs->seq_gen = h->gen;
        gs->seq = 0;
    } else if (h->gen == p->st.initial_gen) {
        gt_status s = GT_OK;
        gs = ord_g_put(p, gid, &s);
        if (!gs) return fail_status(h, s);
        gs->status = status;
        gs->seq_gen = h->gen;
        old = GT_GO_UNDETERMINED;
    } else {
        return fail(h, "found goroutine status for new goroutine after the first generation: id=%" PRId64 " status=%s", gid,
                    ord_go_status_name(status));
    }
    ev->args[2] = old << 32 | status;
    h->next = h->cur;
    if (status == GS_RUNNING) {
        h->next.g = gid;
    } else if (status == GS_SYSCALL) {
        if (mid == NO_ID) return fail(h, "found goroutine %" PRId64 " in syscall without a thread", gid);
        if (mid == h->cur.m) {
            if (h->gen != p->st.initial_gen && h->cur.g != gid)
                return fail(h, "inconsistent thread for syscalling goroutine %" PRId64 ": thread has goroutine %" PRId64,
                            gid, h->cur.g);
            h->next.g = gid;
        } else {
            uint32_t slot = ord_m_find(p, mid);
            if (slot != NONE32) {
                const ord_m *ms = &p->st.ms[slot];
                if (ms->g != gid)
                    return fail(h, "inconsistent thread for syscalling goroutine %" PRId64 ": thread has goroutine %" PRId64,
                                gid, ms->g);
                h->cur.g = ms->g;
            } else {
                gt_status s = GT_OK;
                slot = ord_m_slot(p, mid, &s);
                if (slot == NONE32) return fail_status(h, s);
                p->st.ms[slot].g = gid;
            }
            h->cur.m = mid;
        }
    }
    return push(h, ev, h->cur, false);
}

static int go_create(hctx *h)
{
    gt_parser *p = h->p;
    char namebuf[24];
    VALIDATE(h, ((reqs){MUST, MUST, MAY}));
    ord_g *cg = ord_g_get(p, h->cur.g);
    if (cg && cg->status != GS_RUNNING) return fail(h, "%s event for goroutine that's not %s", EVNAME(h), "Running");
    int64_t id = (int64_t)h->ev->args[0];
    if (ord_g_get(p, id)) return fail(h, "tried to create goroutine (%" PRId64 ") that already exists", id);
    gt_status s = GT_OK;
    ord_g *gs = ord_g_put(p, id, &s);
    if (!gs) return fail_status(h, s);
    gs->status = h->ev->type == 47 ? GS_WAITING : GS_RUNNABLE; /* GoCreateBlocked */
    gs->seq_gen = h->gen;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

/* GoDestroy, GoStop, GoBlock: the running goroutine leaves its thread. */
static int go_stop_exec(hctx *h)
{
    gt_parser *p = h->p;
    VALIDATE(h, user_go);
    ord_g *gs = cur_g_in(h, GS_RUNNING, "Running");
    if (!gs) return FAIL;
    h->next = h->cur;
    h->next.g = NO_ID;
    switch (h->ev->type) {
    case 17: ord_g_del(p, h->cur.g); break; /* GoDestroy */
    case 19: gs->status = GS_RUNNABLE; break; /* GoStop */
    default: gs->status = GS_WAITING; break;  /* GoBlock */
    }
    return push(h, h->ev, h->cur, false);
}

static int go_start(hctx *h)
{
    ord_base *ev = h->ev;
    int64_t gid = (int64_t)ev->args[0];
    ord_g *gs = ord_g_get(h->p, gid);
    if (!gs || gs->status != GS_RUNNABLE || !succeeds(h->gen, ev->args[1], gs->seq_gen, gs->seq)) return WAIT;
    VALIDATE(h, ((reqs){MUST, MUST, MUST_NOT}));
    gs->status = GS_RUNNING;
    gs->seq_gen = h->gen;
    gs->seq = ev->args[1];
    h->next = h->cur;
    h->next.g = gid;
    return push(h, ev, h->cur, false);
}

static int go_unblock(hctx *h)
{
    ord_base *ev = h->ev;
    ord_g *gs = ord_g_get(h->p, (int64_t)ev->args[0]);
    if (!gs || gs->status != GS_WAITING || !succeeds(h->gen, ev->args[1], gs->seq_gen, gs->seq)) return WAIT;
    gs->status = GS_RUNNABLE;
    gs->seq_gen = h->gen;
    gs->seq = ev->args[1];
    h->next = h->cur;
    return push(h, ev, h->cur, false);
}

/* GoSwitch, GoSwitchDestroy: unblock the next goroutine, block or destroy the
 * current one, start the next one (three events). */
static int go_switch(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    VALIDATE(h, user_go);
    ord_g *cg = cur_g_in(h, GS_RUNNING, "Running");
    if (!cg) return FAIL;
    int64_t next = (int64_t)ev->args[0];
    ord_g *ng = ord_g_get(p, next);
    if (!ng || ng->status != GS_WAITING || !succeeds(h->gen, ev->args[1], ng->seq_gen, ng->seq)) return WAIT;
    if (push(h, ev, h->cur, false) != READY) return FAIL;
    int r;
    if (ev->type == 45) { /* GoSwitch */
        cg->status = GS_WAITING;
        r = push_made(h, h->cur, 20, 0, 0, 0); /* GoBlock, no reason, no stack */
    } else {
        ord_g_del(p, h->cur.g);
        r = push_made(h, h->cur, 17, 0, 0, 0); /* GoDestroy */
    }
    if (r != READY) return FAIL;
    ng = ord_g_get(p, next); /* the delete may have moved it */
    ng->status = GS_RUNNING;
    ng->seq_gen = h->gen;
    ng->seq = ev->args[1];
    h->next = h->cur;
    h->next.g = next;
    ord_ctx start = h->cur;
    start.g = NO_ID;
    return push_made(h, start, 16, (uint64_t)next, ev->args[1], 0); /* GoStart */
}

static int go_syscall_begin(hctx *h)
{
    gt_parser *p = h->p;
    char namebuf[24];
    VALIDATE(h, user_go);
    ord_g *gs = cur_g_in(h, GS_RUNNING, "Running");
    if (!gs) return FAIL;
    gs->status = GS_SYSCALL;
    ord_p *ps = ord_p_get(p, h->cur.p);
    if (!ps) return fail(h, "uninitialized proc %" PRId64 " found during %s", h->cur.p, EVNAME(h));
    ps->status = PS_SYSCALL;
    if (!succeeds(h->gen, h->ev->args[0], ps->seq_gen, ps->seq)) {
        char a[48], b[48];
        seq_text(a, sizeof a, ps->seq_gen, ps->seq);
        seq_text(b, sizeof b, h->gen, h->ev->args[0]);
        return fail(h, "failed to advance %s: can't make sequence: %s -> %s", EVNAME(h), a, b);
    }
    ps->seq_gen = h->gen;
    ps->seq = h->ev->args[0];
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int go_syscall_end(hctx *h)
{
    gt_parser *p = h->p;
    char namebuf[24];
    VALIDATE(h, user_go);
    ord_g *gs = cur_g_in(h, GS_SYSCALL, "Running");
    if (!gs) return FAIL;
    gs->status = GS_RUNNING;
    ord_p *ps = ord_p_get(p, h->cur.p);
    if (!ps) return fail(h, "uninitialized proc %" PRId64 " found during %s", h->cur.p, EVNAME(h));
    if (ps->status != PS_SYSCALL)
        return fail(h, "expected proc %" PRId64 " in state %s, but got %s instead", h->cur.p, "Syscall",
                    ord_proc_status_name(ps->status));
    ps->status = PS_RUNNING;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int go_syscall_end_blocked(hctx *h)
{
    gt_parser *p = h->p;
    char namebuf[24];
    if (h->cur.p != NO_ID) {
        ord_p *ps = ord_p_get(p, h->cur.p);
        if (!ps) return fail(h, "uninitialized proc %" PRId64 " found during %s", h->cur.p, EVNAME(h));
        if (ps->status == PS_SYSCALL) return WAIT; /* until the P is stolen or stopped */
    }
    VALIDATE(h, ((reqs){MUST, MAY, MUST}));
    ord_g *gs = cur_g_in(h, GS_SYSCALL, "Running");
    if (!gs) return FAIL;
    h->next = h->cur;
    h->next.g = NO_ID;
    gs->status = GS_RUNNABLE;
    return push(h, h->ev, h->cur, false);
}

static int go_create_syscall(hctx *h)
{
    gt_parser *p = h->p;
    VALIDATE(h, ((reqs){MUST, MAY, MUST_NOT}));
    int64_t id = (int64_t)h->ev->args[0];
    if (ord_g_get(p, id)) return fail(h, "tried to create goroutine (%" PRId64 ") in syscall that already exists", id);
    gt_status s = GT_OK;
    ord_g *gs = ord_g_put(p, id, &s);
    if (!gs) return fail_status(h, s);
    gs->status = GS_SYSCALL;
    gs->seq_gen = h->gen;
    h->next = h->cur;
    h->next.g = id;
    return push(h, h->ev, h->cur, false);
}

static int go_destroy_syscall(hctx *h)
{
    gt_parser *p = h->p;
    char namebuf[24];
    VALIDATE(h, ((reqs){MUST, MAY, MUST}));
    ord_g *gs = cur_g_in(h, GS_SYSCALL, "Syscall");
    if (!gs) return FAIL;
    ord_g_del(p, h->cur.g);
    h->next = h->cur;
    h->next.g = NO_ID;
    if (h->cur.p != NO_ID) {
        ord_p *ps = ord_p_get(p, h->cur.p);
        if (!ps) return fail(h, "found invalid proc %" PRId64 " during %s", h->cur.p, EVNAME(h));
        if (ps->status != PS_SYSCALL)
            return fail(h, "proc %" PRId64 " in unexpected state %s during %s", h->cur.p, ord_proc_status_name(ps->status),
                        EVNAME(h));
        ps->status = PS_ABANDONED;
        h->next.p = NO_ID;
        /* A self-steal first (go122-create-syscall-reuse-thread-id). */
        if (push_made(h, h->cur, 12, (uint64_t)h->cur.p, 0, PS_SYSCALL) != READY) return FAIL;
    }
    return push(h, h->ev, h->cur, false);
}

/*-************************************
 *  Tasks and regions
 **************************************/
static int user_task_begin(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    uint64_t id = ev->args[0];
    if (ord_map_get(&p->st.tasks, id)) return fail(h, "task ID conflict: %" PRIu64, id);
    uint64_t parent = ev->args[1];
    if (parent == 0) { /* 0 means no parent here, not the background task */
        parent = NO_TASK;
        ev->args[1] = NO_TASK;
    }
    const ord_str *name = ord_string(&p->gen, ev->args[2]);
    if (!name) return fail(h, "invalid string ID %" PRIu64 " for %u event", ev->args[2], ev->type);
    char *copy = gt_mem_alloc(&p->mem, name->len ? name->len : 1);
    if (!copy) return fail_status(h, ord_alloc_status(p, name->len ? name->len : 1));
    memcpy(copy, name->p, name->len);
    bool created;
    gt_status s = GT_OK;
    ord_task *t = ord_map_put(p, &p->st.tasks, id, &created, &s);
    if (!t) {
        gt_mem_free(&p->mem, copy, name->len ? name->len : 1);
        return fail_status(h, s);
    }
    *t = (ord_task){parent, copy, name->len};
    VALIDATE(h, user_go);
    h->next = h->cur;
    return push(h, ev, h->cur, false);
}

static int user_task_end(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    uint64_t id = ev->args[0];
    ord_task *t = ord_map_get(&p->st.tasks, id);
    uint64_t extra = 0;
    if (t) {
        ev->args[2] = t->parent;
        if (t->len) { /* Go's addExtraString: the name outlives its generation's table */
            gt_status s = GT_OK;
            const uint8_t *q = ord_copy_payload(p, (const uint8_t *)t->name, t->len, &s);
            if (q) s = ord_grow(p, &p->extra, sizeof *p->extra, &p->extra_cap, (size_t)p->nextra + 1);
            if (s != GT_OK) return fail_status(h, s);
            p->extra[p->nextra++] = (ord_str){q, t->len};
            extra = p->nextra;
        }
        gt_mem_free(&p->mem, t->name, t->len ? t->len : 1);
        ord_map_del(&p->st.tasks, id);
    } else {
        ev->args[2] = NO_TASK;
    }
    ev->args[3] = 0;
    VALIDATE(h, user_go);
    h->next = h->cur;
    if (push(h, ev, h->cur, false) != READY) return FAIL;
    if (!p->verdict) p->q.buf[(p->q.start + p->q.len - 1) & (p->q.cap - 1)].extra_name = extra;
    return READY;
}

static int user_region(hctx *h)
{
    gt_parser *p = h->p;
    ord_base *ev = h->ev;
    bool begin = ev->type == 42;
    VALIDATE(h, user_go);
    uint64_t task = ev->args[0];
    const ord_str *name = ord_string(&p->gen, ev->args[1]);
    if (!name) return fail(h, "invalid string ID %" PRIu64 " for %u event", ev->args[1], ev->type);
    ord_g *gs = ord_g_get(p, h->cur.g);
    if (!gs)
        return fail(h, "encountered EvUserRegion%s without known state for current goroutine %" PRId64,
                    begin ? "Begin" : "End", h->cur.g);
    if (begin) {
        gt_status s = ord_region_push(p, &gs->ext, task, name->p, name->len);
        if (s != GT_OK) return fail_status(h, s);
    } else {
        uint64_t top_task;
        const uint8_t *top_name;
        uint32_t top_len;
        if (ord_region_top(p, gs->ext, &top_task, &top_name, &top_len)) {
            if (top_task != task || top_len != name->len || memcmp(top_name, name->p, name->len) != 0)
                return fail(h, "misuse of region in goroutine %" PRId64 ": region end {%" PRIu64 " %.*s} when the "
                               "inner-most active region start event is {%" PRIu64 " %.*s}",
                            h->cur.g, task, (int)name->len, (const char *)name->p, top_task, (int)top_len,
                            (const char *)top_name);
            ord_region_pop(p, gs->ext);
        }
    }
    h->next = h->cur;
    return push(h, ev, h->cur, false);
}

/*-************************************
 *  GC
 **************************************/
static int gc_active(hctx *h)
{
    gt_parser *p = h->p;
    uint64_t seq = h->ev->args[0];
    h->next = h->cur;
    if (h->gen == p->st.initial_gen) {
        if (p->st.gc_state != GC_UNDETERMINED) return fail(h, "GCActive in the first generation isn't first GC event");
        p->st.gc_seq = seq;
        p->st.gc_state = GC_RUNNING;
        return push(h, h->ev, h->cur, false);
    }
    if (seq != p->st.gc_seq + 1) return WAIT;
    if (p->st.gc_state != GC_RUNNING) return fail(h, "encountered GCActive while GC was not in progress");
    p->st.gc_seq = seq;
    VALIDATE(h, user_go);
    return push(h, h->ev, h->cur, false);
}

static int gc_begin(hctx *h)
{
    gt_parser *p = h->p;
    uint64_t seq = h->ev->args[0];
    h->next = h->cur;
    if (p->st.gc_state == GC_UNDETERMINED) {
        p->st.gc_seq = seq;
        p->st.gc_state = GC_RUNNING;
        return push(h, h->ev, h->cur, false);
    }
    if (seq != p->st.gc_seq + 1) return WAIT;
    if (p->st.gc_state == GC_RUNNING) return fail(h, "encountered GCBegin while GC was already in progress");
    p->st.gc_seq = seq;
    p->st.gc_state = GC_RUNNING;
    VALIDATE(h, user_go);
    return push(h, h->ev, h->cur, false);
}

static int gc_end(hctx *h)
{
    gt_parser *p = h->p;
    uint64_t seq = h->ev->args[0];
    if (seq != p->st.gc_seq + 1) return WAIT;
    if (p->st.gc_state == GC_NOT_RUNNING) return fail(h, "encountered GCEnd when GC was not in progress");
    if (p->st.gc_state == GC_UNDETERMINED) return fail(h, "encountered GCEnd when GC was in an undetermined state");
    p->st.gc_seq = seq;
    p->st.gc_state = GC_NOT_RUNNING;
    VALIDATE(h, user_go);
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int annotation(hctx *h) /* ProcsChange, GoLabel, UserLog */
{
    VALIDATE(h, user_go);
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int heap_metric(hctx *h) /* HeapAlloc, HeapGoal */
{
    VALIDATE(h, ((reqs){MUST, MUST, MAY}));
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

/* A P's range whose P has no state: Go dereferences a nil *pState and panics. */
static int no_proc_state(hctx *h)
{
    return fail(h, "proc %" PRId64 " has no state (Go's reader panics here)", h->cur.p);
}

static int gc_sweep_begin(hctx *h)
{
    VALIDATE(h, ((reqs){MUST, MUST, MAY}));
    ord_p *ps = ord_p_get(h->p, h->cur.p);
    if (!ps) return no_proc_state(h);
    if (begin_range(h, &ps->ext, range_type(h->p, h->ev->type), 0) != READY) return FAIL;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int gc_sweep_active(hctx *h)
{
    int64_t pid = (int64_t)h->ev->args[0];
    ord_p *ps = ord_p_get(h->p, pid);
    if (!ps) return fail(h, "encountered GCSweepActive for unknown proc %" PRId64, pid);
    if (active_range(h, &ps->ext, range_type(h->p, h->ev->type)) != READY) return FAIL;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int gc_sweep_end(hctx *h)
{
    VALIDATE(h, ((reqs){MUST, MUST, MAY}));
    ord_p *ps = ord_p_get(h->p, h->cur.p);
    if (!ps) return no_proc_state(h);
    uint64_t desc;
    if (end_range(h, ps->ext, &desc) != READY) return FAIL;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int go_range_begin(hctx *h) /* STWBegin, GCMarkAssistBegin */
{
    VALIDATE(h, user_go);
    uint64_t desc = h->ev->type == 26 ? h->ev->args[0] : 0;
    ord_g *gs = ord_g_get(h->p, h->cur.g);
    if (!gs)
        return fail(h, "encountered event of type %u without known state for current goroutine %" PRId64, h->ev->type,
                    h->cur.g);
    if (begin_range(h, &gs->ext, range_type(h->p, h->ev->type), desc) != READY) return FAIL;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int go_range_active(hctx *h) /* GCMarkAssistActive */
{
    char namebuf[24];
    int64_t gid = (int64_t)h->ev->args[0];
    ord_g *gs = ord_g_get(h->p, gid);
    if (!gs) return fail(h, "uninitialized goroutine %" PRId64 " found during %s", gid, EVNAME(h));
    if (active_range(h, &gs->ext, range_type(h->p, h->ev->type)) != READY) return FAIL;
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int go_range_end(hctx *h) /* STWEnd, GCMarkAssistEnd */
{
    VALIDATE(h, user_go);
    ord_g *gs = ord_g_get(h->p, h->cur.g);
    if (!gs)
        return fail(h, "encountered event of type %u without known state for current goroutine %" PRId64, h->ev->type,
                    h->cur.g);
    uint64_t desc;
    if (end_range(h, gs->ext, &desc) != READY) return FAIL;
    if (h->ev->type == 27) h->ev->args[0] = desc; /* STWEnd carries its kind */
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

static int alloc_free(hctx *h) /* the experimental AllocFree events */
{
    VALIDATE(h, ((reqs){MUST, MAY, MAY}));
    h->next = h->cur;
    return push(h, h->ev, h->cur, false);
}

/*-************************************
 *  Dispatch
 **************************************/
static const handler_fn dispatch[256] = {
    [9] = annotation,        /* ProcsChange */
    [10] = proc_start,       [11] = proc_stop,         [12] = proc_steal,         [13] = proc_status,
    [14] = go_create,        [15] = go_create_syscall, [16] = go_start,           [17] = go_stop_exec,
    [18] = go_destroy_syscall, [19] = go_stop_exec,    [20] = go_stop_exec,       [21] = go_unblock,
    [22] = go_syscall_begin, [23] = go_syscall_end,    [24] = go_syscall_end_blocked, [25] = go_status,
    [26] = go_range_begin,   [27] = go_range_end,      /* STW */
    [28] = gc_active,        [29] = gc_begin,          [30] = gc_end,             [31] = gc_sweep_active,
    [32] = gc_sweep_begin,   [33] = gc_sweep_end,      [34] = go_range_active,    [35] = go_range_begin,
    [36] = go_range_end,     [37] = heap_metric,       [38] = heap_metric,
    [39] = annotation,       /* GoLabel */
    [40] = user_task_begin,  [41] = user_task_end,     [42] = user_region,        [43] = user_region,
    [44] = annotation,       /* UserLog */
    [45] = go_switch,        [46] = go_switch,         [47] = go_create,          [48] = go_status,
    [128] = alloc_free,      [129] = alloc_free,       [130] = alloc_free,        [131] = alloc_free,
    [132] = alloc_free,      [133] = alloc_free,       [134] = alloc_free,        [135] = alloc_free,
    [136] = alloc_free,
};

/* Go's StartEv: the begin event an end or active event belongs to. */
static const uint8_t start_event[TYPE_LIMIT] = {
    [23] = 22, [24] = 22, [27] = 26, [28] = 29, [30] = 29, [31] = 32, [33] = 32, [34] = 35, [36] = 35, [43] = 42,
};

void ord_init_types(gt_parser *p)
{
    size_t count;
    const gt_event_spec *table = gt_spec_table(GT_FORMAT_V2, &count);
    memset(p->types, 0, sizeof p->types);
    memset(p->evargs, 0, sizeof p->evargs);
    for (size_t t = 0; t < count && t < TYPE_LIMIT; t++) {
        const gt_event_spec *s = &table[t];
        if (!s->name) continue;
        ord_type *o = &p->types[t];
        o->spec = s;
        o->start = start_event[t];
        if (!(s->flags & GT_EV_TIMED)) continue;
        o->timed = 1;
        o->nargs = (uint8_t)(s->nargs - 1);
        p->evargs[t] = s->nargs;
        for (unsigned i = 1; i < s->nargs; i++) {
            uint8_t bit = (uint8_t)(1u << (i - 1));
            if (s->args[i].role == GT_ARG_STRING_ID) o->string_mask |= bit;
            if (s->args[i].role == GT_ARG_STACK_ID) {
                o->stack_mask |= bit;
                if (!strcmp(s->args[i].name, "stack")) o->stack_arg = (uint8_t)i;
            }
        }
    }
}

int ord_advance(gt_parser *p, ord_base *ev, int64_t m, uint64_t gen, uint32_t *mslot)
{
    ord_state *st = &p->st;
    if (st->initial_gen == 0) st->initial_gen = gen;
    hctx h = {p, ev, m, gen, {NO_ID, NO_ID, m}, {NO_ID, NO_ID, m}};
    uint32_t slot = NONE32;
    if (m != NO_ID) {
        slot = *mslot;
        if (slot == NONE32) { /* Go creates the M's state at its first event */
            gt_status s = GT_OK;
            slot = ord_m_slot(p, m, &s);
            if (slot == NONE32) {
                fail_status(&h, s);
                ord_report(p, &p->fault);
                return FAIL;
            }
            *mslot = slot;
        }
        h.cur.p = st->ms[slot].p;
        h.cur.g = st->ms[slot].g;
    }
    handler_fn f = dispatch[ev->type];
    int r = f ? f(&h) : fail(&h, "bad event type found while ordering: %u", ev->type);
    if (r == FAIL) {
        p->fail_ev = *ev;
        p->fail_m = m;
        p->fail_has_ev = true;
        ord_report(p, &p->fault);
        return FAIL;
    }
    if (r == READY && slot != NONE32) {
        st->ms[slot].p = h.next.p;
        st->ms[slot].g = h.next.g;
    }
    return r;
}

/*-************************************
 *  Why an event waits (diagnostics)
 **************************************/
static void seq_why(char *dst, size_t cap, const char *what, int64_t id, uint64_t gen, uint64_t seq, uint64_t old_gen,
                    uint64_t old_seq)
{
    snprintf(dst, cap, "%s %" PRId64 " seq %" PRIu64 " (gen %" PRIu64 ") does not follow %" PRIu64 " (gen %" PRIu64 ")",
             what, id, seq, gen, old_seq, old_gen);
}

void ord_explain(gt_parser *p, const ord_base *ev, int64_t m, uint64_t gen, char *dst, size_t cap)
{
    dst[0] = '\0';
    uint32_t slot = m == NO_ID ? NONE32 : ord_m_find(p, m);
    int64_t cur_p = slot == NONE32 ? NO_ID : p->st.ms[slot].p;
    switch (ev->type) {
    case 10: /* ProcStart */
    case 12: { /* ProcSteal */
        int64_t pid = (int64_t)ev->args[0];
        const ord_p *ps = ord_p_get(p, pid);
        if (!ps) snprintf(dst, cap, "P %" PRId64 " has no status yet", pid);
        else if (ev->type == 10 && ps->status != PS_IDLE)
            snprintf(dst, cap, "P %" PRId64 " is %s, not Idle", pid, ord_proc_status_name(ps->status));
        else if (ev->type == 12 && ps->status != PS_SYSCALL && ps->status != PS_ABANDONED)
            snprintf(dst, cap, "P %" PRId64 " is %s, not Syscall or SyscallAbandoned", pid, ord_proc_status_name(ps->status));
        else if (!succeeds(gen, ev->args[1], ps->seq_gen, ps->seq))
            seq_why(dst, cap, "P", pid, gen, ev->args[1], ps->seq_gen, ps->seq);
        else if (ev->type == 10 && cur_p != NO_ID)
            snprintf(dst, cap, "M %" PRId64 " still holds P %" PRId64, m, cur_p);
        break;
    }
    case 16: /* GoStart */
    case 21: /* GoUnblock */
    case 45: /* GoSwitch */
    case 46: { /* GoSwitchDestroy */
        int64_t gid = (int64_t)ev->args[0];
        uint8_t want = ev->type == 16 ? GS_RUNNABLE : GS_WAITING;
        const ord_g *gs = ord_g_get(p, gid);
        if (!gs) snprintf(dst, cap, "G %" PRId64 " has no status yet", gid);
        else if (gs->status != want)
            snprintf(dst, cap, "G %" PRId64 " is %s, not %s", gid, ord_go_status_name(gs->status), ord_go_status_name(want));
        else if (!succeeds(gen, ev->args[1], gs->seq_gen, gs->seq))
            seq_why(dst, cap, "G", gid, gen, ev->args[1], gs->seq_gen, gs->seq);
        break;
    }
    case 24: /* GoSyscallEndBlocked */
        snprintf(dst, cap, "P %" PRId64 " is still in Syscall (waiting for its ProcSteal or ProcStop)", cur_p);
        break;
    case 28: /* GCActive */
    case 29: /* GCBegin */
    case 30: /* GCEnd */
        snprintf(dst, cap, "GC seq %" PRIu64 " does not follow %" PRIu64, ev->args[0], p->st.gc_seq);
        break;
    default: break;
    }
}
