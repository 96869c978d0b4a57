/* The state checks Go runs on the final event stream (postProcessTrace): a
 * P must start before it stops and stop idle; GC, STW, sweeping and mark
 * assists do not nest; a goroutine is created once, starts only when
 * runnable, blocks, yields and ends only while running on its P, is
 * unblocked only while waiting, leaves a syscall only while waiting; task
 * IDs are not reused while open; a region ends the innermost open region of
 * its goroutine.
 *
 * The two oracles differ in small ways and each is ported as it is:
 *   go121  every event stores its goroutine's and P's state back (so any
 *          event naming a goroutine makes it "exist"); STW is per P before
 *          1.10; region names are compared as strings; messages end with
 *          "(offset N, time T)"; events print with off= and name=.
 *   go127  a goroutine exists once a rule has stored it; STW is global;
 *          region names are compared by string ID; messages end with
 *          "(time T)"; events print with stk= (a stack ID that names no
 *          non-empty stack is printed as 0 once the event has been checked).
 * Memory: one entry per goroutine and per P, the open tasks, and the open
 * regions of each goroutine. */
#include <inttypes.h>
#include <xxhash.h>

#include "legacysem.h"

enum { G_DEAD = 0, G_RUNNABLE, G_RUNNING, G_WAITING };

/* Per goroutine (packed in a map value). */
typedef struct gdesc {
    uint8_t state;
    uint8_t ev;           /* type of Go's g.ev, 0 = nil */
    uint8_t mark_assist;  /* an open GCMarkAssistStart */
} gdesc;

/* Per P. */
typedef struct pdesc {
    uint64_t g;
    uint8_t running, stw, sweep;
} pdesc;

/* The open regions of one goroutine. */
typedef struct regions {
    ls_ev *a;
    size_t n, cap;
} regions;

struct ls_post {
    ls_map gs, ps, tasks, regions;
    bool gc, stw;               /* the global GC and (1.10+) STW */
    ls_futile *futile;
    /* go127: what stops the converter to the new event model, in stream order */
    bool conv_failed;
    uint64_t conv_off;
    gt_status conv_status;
    char conv_msg[96];
    bool conv_no_builtins;      /* its built-in strings could not be numbered */
    bool conv_no_inline;        /* nor the UserLog messages */
    ls_map inline_ids;          /* XXH3 of a UserLog message -> its number (file order) */
};

#define CONV_BUILTINS 29 /* strings Go 1.27's converter numbers after the trace's */

/* Go 1.27's converter numbers the UserLog messages (each distinct text once)
 * and its own strings after the largest string ID. When that overflows, it
 * gives up setting up, ignores the failure, and panics at the first event
 * that needs one of those numbers. Only then are the messages counted here
 * (by XXH3 of their text, in file order: Go numbers them in load order). */
static gt_status converter_setup(ls_ctx *c, ls_post *pp)
{
    uint64_t max = c->max_string;
    if (c->user_logs <= UINT64_MAX - CONV_BUILTINS && max <= UINT64_MAX - CONV_BUILTINS - c->user_logs) return GT_OK;
    uint64_t pos = GT_HEADER_SIZE, n = 0;
    ls_item it;
    bool in_batch = false;
    gt_status st = GT_OK;
    while (pos < c->end_off && gt_ls_decode(&c->layout, c->data, (size_t)c->end_off, &pos, &it)) {
        in_batch |= it.type == LS_BATCH;
        if (it.type != LS_USER_LOG || !in_batch) continue;
        int fresh = 0;
        uint64_t *id = gt_ls_map_put(&pp->inline_ids, &c->mem, XXH3_64bits(c->data + it.data_off, (size_t)it.data_len),
                                     &fresh, &st);
        if (!id) return gt_ls_nomem(c, st, "UserLog messages");
        if (fresh) *id = n++;
    }
    pp->conv_no_inline = max > UINT64_MAX - n;
    pp->conv_no_builtins = pp->conv_no_inline || max + n > UINT64_MAX - CONV_BUILTINS;
    return GT_OK;
}

gt_status gt_ls_post_create(ls_ctx *c, ls_post **out)
{
    ls_post *pp = gt_mem_calloc(&c->mem, 1, sizeof *pp);
    *out = pp;
    if (!pp) return gt_ls_nomem(c, gt_ls_mem_status(&c->mem, sizeof *pp), "the state checks");
    gt_ls_map_init(&pp->gs, sizeof(gdesc));
    gt_ls_map_init(&pp->ps, sizeof(pdesc));
    gt_ls_map_init(&pp->tasks, sizeof(ls_ev));
    gt_ls_map_init(&pp->regions, sizeof(regions));
    gt_ls_map_init(&pp->inline_ids, sizeof(uint64_t));
    if (c->oracle == LS_GO127 && converter_setup(c, pp) != GT_OK) return c->err->status;
    /* Goroutine 0 starts out running. */
    gt_status st = GT_OK;
    gdesc *g0 = gt_ls_map_put(&pp->gs, &c->mem, 0, NULL, &st);
    if (!g0) return gt_ls_nomem(c, st, "goroutines");
    g0->state = G_RUNNING;
    return GT_OK;
}

void gt_ls_post_free(ls_ctx *c, ls_post *pp)
{
    if (!pp) return;
    size_t i = 0;
    regions *r;
    while ((r = gt_ls_map_next(&pp->regions, &i)) != NULL) gt_mem_free(&c->mem, r->a, r->cap * sizeof *r->a);
    gt_ls_map_free(&pp->gs, &c->mem);
    gt_ls_map_free(&pp->ps, &c->mem);
    gt_ls_map_free(&pp->tasks, &c->mem);
    gt_ls_map_free(&pp->regions, &c->mem);
    gt_ls_map_free(&pp->inline_ids, &c->mem);
    gt_mem_free(&c->mem, pp, sizeof *pp);
}

void gt_ls_post_set_futile(ls_post *pp, ls_futile *f) { pp->futile = f; }

/* ---- messages ------------------------------------------------------------------ */

static const char *name_of(const ls_ctx *c, uint8_t type)
{
    const gt_event_spec *s = gt_spec(c->version, type);
    return s ? s->name : "?";
}

/* A message of the per-event rules, with the oracle's suffix. */
static gt_status rule(ls_ctx *c, const ls_ev *ev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static gt_status rule(ls_ctx *c, const ls_ev *ev, const char *fmt, ...)
{
    char body[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (c->oracle == LS_GO121)
        return gt_ls_fail(c, GT_ERR_SEMANTIC, ev->off, "%s (offset %" PRIu64 ", time %" PRId64 ")", body, ev->off, ev->ts);
    return gt_ls_fail(c, GT_ERR_SEMANTIC, ev->off, "%s (time %" PRId64 ")", body, ev->ts);
}

/* A small byte builder (contents may hold any bytes: string table names). */
typedef struct sbuf {
    char b[512];
    size_t n;
} sbuf;

static void sb_printf(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    if (s->n >= sizeof s->b) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s->b + s->n, sizeof s->b - s->n, fmt, ap);
    va_end(ap);
    if (k > 0) s->n += (size_t)k < sizeof s->b - s->n ? (size_t)k : sizeof s->b - s->n - 1;
}

static void sb_bytes(sbuf *s, const uint8_t *p, size_t n)
{
    size_t room = sizeof s->b - 1 - s->n;
    if (n > room) n = room;
    memcpy(s->b + s->n, p, n);
    s->n += n;
    s->b[s->n] = '\0';
}

/* The bytes of string id (Go: strings[id], "" when missing). */
static const uint8_t *string_of(const ls_ctx *c, uint64_t id, size_t *len)
{
    const uint64_t *v = gt_ls_map_get(&c->strings, id);
    *len = v ? (size_t)v[1] : 0;
    return v ? c->data + v[0] : (const uint8_t *)"";
}

/* Go 1.27: does uint32(id) name a stack with frames? (Only on the error
 * path: a scan of the file, instead of a table of every stack.) */
static bool stack_exists(const ls_ctx *c, uint32_t id)
{
    if (id == 0) return false;
    uint64_t pos = GT_HEADER_SIZE;
    ls_item it;
    bool found = false;
    while (pos < c->end_off && gt_ls_decode(&c->layout, c->data, (size_t)c->end_off, &pos, &it))
        if (it.type == LS_STACK && it.nvals >= 2 && it.vals[0] != 0 && (uint32_t)it.vals[0] == id)
            found = it.vals[1] > 0; /* a later stack with the same ID replaces the earlier */
    return found;
}

/* Go's %q of an event: its String(), quoted. `checked`: Go 1.27 has already
 * zeroed a dangling stack ID of this event. */
static void quote_event(const ls_ctx *c, const ls_ev *ev, bool checked, sbuf *out)
{
    sbuf s = {.n = 0};
    const gt_event_spec *spec = gt_spec(c->version, ev->type);
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned n = spec ? gt_spec_args(spec, c->version, a) : 0, k = 0;
    if (c->oracle == LS_GO121) {
        sb_printf(&s, "%" PRId64 " %s p=%" PRId64 " g=%" PRIu64 " off=%" PRIu64, ev->ts, name_of(c, ev->type), ev->p,
                  ev->g, ev->off);
    } else {
        uint32_t stk = (uint32_t)ev->stk;
        if (checked && !stack_exists(c, stk)) stk = 0;
        sb_printf(&s, "%" PRId64 " %s p=%" PRId64 " g=%" PRIu64 " stk=%" PRIu32, ev->ts, name_of(c, ev->type), ev->p,
                  ev->g, stk);
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t role = a[i]->role;
        if (role == GT_ARG_TIME_DELTA || role == GT_ARG_SEQ_DELTA || (i == n - 1 && role == GT_ARG_STACK_ID)) continue;
        if (k < 3) sb_printf(&s, " %s=%" PRIu64, a[i]->name, ev->args[k]);
        k++;
    }
    if (c->oracle == LS_GO121 && (ev->type == LS_TASK_CREATE || ev->type == LS_REGION)) {
        size_t len;
        const uint8_t *name = string_of(c, ev->args[2], &len);
        sb_printf(&s, " name=");
        sb_bytes(&s, name, len);
    }
    size_t room = sizeof out->b - out->n;
    size_t q = gt_text_quote(out->b + out->n, room, (const uint8_t *)s.b, s.n);
    out->n += q < room ? q : room - 1;
}

static gt_status event_rule(ls_ctx *c, const ls_ev *ev, const char *head, const ls_ev *a, bool a_checked,
                            const char *mid, const ls_ev *b)
{
    sbuf s = {.n = 0};
    sb_printf(&s, "%s", head);
    quote_event(c, a, a_checked, &s);
    if (mid) {
        sb_printf(&s, "%s", mid);
        quote_event(c, b, true, &s);
    }
    return gt_ls_fail(c, GT_ERR_SEMANTIC, ev->off, "%s", s.b);
}

/* ---- state --------------------------------------------------------------------- */

static gdesc gget(const ls_post *pp, uint64_t g)
{
    const gdesc *d = gt_ls_map_get(&pp->gs, g);
    return d ? *d : (gdesc){0, 0, 0};
}

static gt_status gset(ls_ctx *c, ls_post *pp, uint64_t g, gdesc d)
{
    gt_status st = GT_OK;
    gdesc *slot = gt_ls_map_put(&pp->gs, &c->mem, g, NULL, &st);
    if (!slot) return gt_ls_nomem(c, st, "goroutines");
    *slot = d;
    return GT_OK;
}

static gt_status pset(ls_ctx *c, ls_post *pp, int64_t p, pdesc d)
{
    gt_status st = GT_OK;
    pdesc *slot = gt_ls_map_put(&pp->ps, &c->mem, gt_ls_u64(p), NULL, &st);
    if (!slot) return gt_ls_nomem(c, st, "Ps");
    *slot = d;
    return GT_OK;
}

static gt_status check_running(ls_ctx *c, pdesc p, gdesc g, const ls_ev *ev, bool allow_g0)
{
    const char *name = name_of(c, ev->type);
    if (g.state != G_RUNNING) return rule(c, ev, "g %" PRIu64 " is not running while %s", ev->g, name);
    if (p.g != ev->g) return rule(c, ev, "p %" PRId64 " is not running g %" PRIu64 " while %s", ev->p, ev->g, name);
    if (!allow_g0 && ev->g == 0) return rule(c, ev, "g 0 did %s", name);
    return GT_OK;
}

static bool blocks(uint8_t t)
{
    switch (t) {
    case LS_GO_SLEEP: case LS_GO_BLOCK: case LS_GO_BLOCK_SEND: case LS_GO_BLOCK_RECV: case LS_GO_BLOCK_SELECT:
    case LS_GO_BLOCK_SYNC: case LS_GO_BLOCK_COND: case LS_GO_BLOCK_NET: case LS_GO_BLOCK_GC: return true;
    default: return false;
    }
}

static bool same_name(const ls_ctx *c, uint64_t a, uint64_t b)
{
    if (c->oracle == LS_GO127) return a == b;
    size_t la, lb;
    const uint8_t *x = string_of(c, a, &la), *y = string_of(c, b, &lb);
    return la == lb && memcmp(x, y, la) == 0;
}

/* Tasks and regions: the same rules in both oracles, bar the name test. */
static gt_status user_event(ls_ctx *c, ls_post *pp, ls_ev *ev)
{
    gt_status st = GT_OK;
    if (ev->type == LS_TASK_CREATE) {
        const ls_ev *prev = gt_ls_map_get(&pp->tasks, ev->args[0]);
        if (prev) {
            char head[64];
            snprintf(head, sizeof head, "task id conflicts (id:%" PRIu64 "), ", ev->args[0]);
            return event_rule(c, ev, head, ev, false, " vs ", prev);
        }
        ls_ev *slot = gt_ls_map_put(&pp->tasks, &c->mem, ev->args[0], NULL, &st);
        if (!slot) return gt_ls_nomem(c, st, "tasks");
        *slot = *ev;
        return GT_OK;
    }
    if (ev->type == LS_TASK_END) {
        gt_ls_map_del(&pp->tasks, ev->args[0]);
        return GT_OK;
    }
    uint64_t mode = ev->args[1];
    if (mode == 0) {
        regions *r = gt_ls_map_put(&pp->regions, &c->mem, ev->g, NULL, &st);
        if (!r) return gt_ls_nomem(c, st, "regions");
        st = gt_ls_grow(&c->mem, &r->a, &r->cap, r->n, sizeof *r->a);
        if (st != GT_OK) return gt_ls_nomem(c, st, "regions");
        r->a[r->n++] = *ev;
        return GT_OK;
    }
    if (mode != 1) return event_rule(c, ev, "invalid user region mode: ", ev, false, NULL, NULL);
    regions *r = gt_ls_map_get(&pp->regions, ev->g);
    if (!r || r->n == 0) return GT_OK; /* the start is before the trace */
    const ls_ev *s = &r->a[r->n - 1];
    if (s->args[0] != ev->args[0] || !same_name(c, s->args[2], ev->args[2])) {
        char head[64];
        snprintf(head, sizeof head, "misuse of region in goroutine %" PRIu64 ": span end ", ev->g);
        return event_rule(c, ev, head, ev, false, " when the inner-most active span start event is ", s);
    }
    if (--r->n == 0) {
        gt_mem_free(&c->mem, r->a, r->cap * sizeof *r->a);
        gt_ls_map_del(&pp->regions, ev->g);
    }
    return GT_OK;
}

static void drop_regions(ls_ctx *c, ls_post *pp, uint64_t g)
{
    regions *r = gt_ls_map_get(&pp->regions, g);
    if (!r) return;
    gt_mem_free(&c->mem, r->a, r->cap * sizeof *r->a);
    gt_ls_map_del(&pp->regions, g);
}

/* ---- Go 1.27's converter, then the rules of both oracles ------------------------- */

/* The converter's number of the built-in string an event needs, or -1. */
static int builtin_of(const ls_ctx *c, const ls_ev *ev)
{
    switch (ev->type) {
    case LS_GO_STOP: return 0;
    case LS_GO_PREEMPT: return 1;
    case LS_GO_SCHED: return 2;
    case LS_GO_SLEEP: return 3;
    case LS_GO_BLOCK_SEND: return 4;
    case LS_GO_BLOCK_RECV: return 5;
    case LS_GO_BLOCK_NET: return 6;
    case LS_GO_BLOCK_SYNC: return 7;
    case LS_GO_BLOCK_COND: return 8;
    case LS_GO_BLOCK_SELECT: return 9;
    case LS_GO_BLOCK: return 10;
    case LS_GO_BLOCK_GC: return 11;
    case LS_STW_START: {
        uint64_t k = ev->args[0], reason = 0;
        if (c->version < 21) reason = k <= 1 ? k + 1 : 0;
        else if (c->version == 21) reason = k < 17 ? k : 0;
        return 12 + (int)reason;
    }
    default: return -1;
    }
}

/* What the converter makes of ev once the parse has succeeded: it has no
 * FutileWakeup, and (see converter_setup) may lack its string numbers. The
 * first failure in stream order is the verdict. */
static void converter(ls_ctx *c, ls_post *pp, const ls_ev *ev)
{
    long index = -1;
    if (ev->type == LS_FUTILE_WAKEUP) {
        pp->conv_status = GT_ERR_UNKNOWN_EVENT;
        snprintf(pp->conv_msg, sizeof pp->conv_msg, "unexpected event type %d", LS_FUTILE_WAKEUP);
        pp->conv_failed = true;
        pp->conv_off = ev->off;
        return;
    }
    if (pp->conv_no_builtins) index = builtin_of(c, ev);
    if (index < 0 && pp->conv_no_inline && ev->type == LS_USER_LOG) {
        uint64_t pos = ev->off;
        ls_item it;
        const uint64_t *id = NULL;
        if (gt_ls_decode(&c->layout, c->data, (size_t)c->end_off, &pos, &it))
            id = gt_ls_map_get(&pp->inline_ids, XXH3_64bits(c->data + it.data_off, (size_t)it.data_len));
        index = id ? (long)*id : 0;
    }
    if (index < 0) return;
    pp->conv_status = GT_ERR_BAD_TABLE;
    snprintf(pp->conv_msg, sizeof pp->conv_msg, "runtime error: index out of range [%ld] with length 0", index);
    pp->conv_failed = true;
    pp->conv_off = ev->off;
}

/* The state machine of both oracles. They differ in four places: Go 1.21
 * makes and stores back the event's G and P entries for every event (so a
 * goroutine seen once "already exists"), Go 1.27 only where a rule sets them;
 * Go 1.21 keeps STW per P before go 1.10; a timer-P unblock of a goroutine
 * blocked on the network keeps its P in Go 1.21; and Go 1.27 then runs the
 * event through its converter. */
static gt_status rules(ls_ctx *c, ls_post *pp, ls_ev *ev)
{
    bool go121 = c->oracle == LS_GO121;
    gt_status st = GT_OK;
    gdesc *gslot;
    pdesc *pslot;
    if (go121) {
        gslot = gt_ls_map_put(&pp->gs, &c->mem, ev->g, NULL, &st);
        if (!gslot) return gt_ls_nomem(c, st, "goroutines");
        pslot = gt_ls_map_put(&pp->ps, &c->mem, gt_ls_u64(ev->p), NULL, &st);
        if (!pslot) return gt_ls_nomem(c, st, "Ps");
    } else {
        gslot = gt_ls_map_get(&pp->gs, ev->g);
        pslot = gt_ls_map_get(&pp->ps, gt_ls_u64(ev->p));
    }
    gdesc g = gslot ? *gslot : (gdesc){0, 0, 0};
    pdesc p = pslot ? *pslot : (pdesc){0, 0, 0, 0};
    uint64_t gmoves = pp->gs.rehashes, pmoves = pp->ps.rehashes;
    int64_t p_key = ev->p;
    bool store_g = go121, store_p = go121;
    switch (ev->type) {
    case LS_PROC_START:
        if (p.running) return rule(c, ev, "p %" PRId64 " is running before start", ev->p);
        p.running = 1;
        store_p = true;
        break;
    case LS_PROC_STOP:
        if (!p.running) return rule(c, ev, "p %" PRId64 " is not running before stop", ev->p);
        if (p.g != 0) return rule(c, ev, "p %" PRId64 " is running a goroutine %" PRIu64 " during stop", ev->p, p.g);
        p.running = 0;
        store_p = true;
        break;
    case LS_GC_START:
        if (pp->gc) return rule(c, ev, "previous GC is not ended before a new one");
        pp->gc = true;
        ev->p = LS_GC_P;
        break;
    case LS_GC_DONE:
        if (!pp->gc) return rule(c, ev, "bogus GC end");
        pp->gc = false;
        break;
    case LS_STW_START: {
        bool per_p = go121 && c->version < 10;
        if (per_p ? p.stw : pp->stw) return rule(c, ev, "previous STW is not ended before a new one");
        if (per_p) p.stw = 1;
        else pp->stw = true;
        break;
    }
    case LS_STW_DONE: {
        bool per_p = go121 && c->version < 10;
        if (!(per_p ? p.stw : pp->stw)) return rule(c, ev, "bogus STW end");
        if (per_p) p.stw = 0;
        else pp->stw = false;
        break;
    }
    case LS_SWEEP_START:
        if (p.sweep) return rule(c, ev, "previous sweeping is not ended before a new one");
        p.sweep = 1;
        store_p = true;
        break;
    case LS_MARK_ASSIST_START:
        if (g.mark_assist) return rule(c, ev, "previous mark assist is not ended before a new one");
        g.mark_assist = 1;
        store_g = true;
        break;
    case LS_MARK_ASSIST_DONE:
        g.mark_assist = 0;
        store_g = true;
        break;
    case LS_SWEEP_DONE:
        if (!p.sweep) return rule(c, ev, "bogus sweeping end");
        p.sweep = 0;
        store_p = true;
        break;
    case LS_GO_WAITING:
    case LS_GO_INSYSCALL:
        if (g.state != G_RUNNABLE)
            return rule(c, ev, "g %" PRIu64 " is not runnable before %s", ev->g,
                        ev->type == LS_GO_WAITING ? "EvGoWaiting" : "EvGoInSyscall");
        g.state = G_WAITING;
        g.ev = ev->type;
        store_g = true;
        break;
    case LS_GO_CREATE:
        if ((st = check_running(c, p, g, ev, true)) != GT_OK) return st;
        if (gt_ls_map_get(&pp->gs, ev->args[0])) return rule(c, ev, "g %" PRIu64 " already exists", ev->args[0]);
        if ((st = gset(c, pp, ev->args[0], (gdesc){G_RUNNABLE, LS_GO_CREATE, 0})) != GT_OK) return st;
        break;
    case LS_GO_START:
    case LS_GO_START_LABEL:
        if (g.state != G_RUNNABLE) return rule(c, ev, "g %" PRIu64 " is not runnable before start", ev->g);
        if (p.g != 0)
            return rule(c, ev, "p %" PRId64 " is already running g %" PRIu64 " while start g %" PRIu64, ev->p, p.g, ev->g);
        g.state = G_RUNNING;
        p.g = ev->g;
        g.ev = 0;
        store_g = store_p = true;
        break;
    case LS_GO_END:
    case LS_GO_STOP:
        if ((st = check_running(c, p, g, ev, false)) != GT_OK) return st;
        g.state = G_DEAD;
        p.g = 0;
        if (ev->type == LS_GO_END) drop_regions(c, pp, ev->g);
        store_g = store_p = true;
        break;
    case LS_GO_SCHED:
    case LS_GO_PREEMPT:
        if ((st = check_running(c, p, g, ev, false)) != GT_OK) return st;
        g.state = G_RUNNABLE;
        p.g = 0;
        g.ev = ev->type;
        store_g = store_p = true;
        break;
    case LS_GO_UNBLOCK: {
        if (g.state != G_RUNNING) return rule(c, ev, "g %" PRIu64 " is not running while unpark", ev->g);
        if (ev->p != LS_TIMER_P && p.g != ev->g)
            return rule(c, ev, "p %" PRId64 " is not running g %" PRIu64 " while unpark", ev->p, ev->g);
        gdesc g1 = gget(pp, ev->args[0]);
        if (g1.state != G_WAITING) return rule(c, ev, "g %" PRIu64 " is not waiting before unpark", ev->args[0]);
        if (g1.ev == LS_GO_BLOCK_NET && !(go121 && ev->p == LS_TIMER_P)) ev->p = LS_NETPOLL_P;
        g1.state = G_RUNNABLE;
        g1.ev = LS_GO_UNBLOCK;
        if ((st = gset(c, pp, ev->args[0], g1)) != GT_OK) return st;
        break;
    }
    case LS_GO_SYSCALL:
        if ((st = check_running(c, p, g, ev, false)) != GT_OK) return st;
        g.ev = LS_GO_SYSCALL;
        store_g = true;
        break;
    case LS_GO_SYSBLOCK:
        if ((st = check_running(c, p, g, ev, false)) != GT_OK) return st;
        g.state = G_WAITING;
        p.g = 0;
        store_g = store_p = true;
        break;
    case LS_GO_SYSEXIT:
        if (g.state != G_WAITING) return rule(c, ev, "g %" PRIu64 " is not waiting during syscall exit", ev->g);
        g.state = G_RUNNABLE;
        g.ev = LS_GO_SYSEXIT;
        store_g = true;
        break;
    case LS_TASK_CREATE:
    case LS_TASK_END:
    case LS_REGION:
        if ((st = user_event(c, pp, ev)) != GT_OK) return st;
        break;

    default:
        if (blocks(ev->type)) {
            if ((st = check_running(c, p, g, ev, false)) != GT_OK) return st;
            g.state = G_WAITING;
            g.ev = ev->type;
            p.g = 0;
            store_g = store_p = true;
        }
        break;
    }
    if (!go121 && !pp->conv_failed) converter(c, pp, ev);
    if (store_g) {
        if (gslot && pp->gs.rehashes == gmoves) *gslot = g;
        else if ((st = gset(c, pp, ev->g, g)) != GT_OK) return st;
    }
    if (store_p) {
        if (pslot && ev->p == p_key && pp->ps.rehashes == pmoves) *pslot = p;
        else if ((st = pset(c, pp, ev->p, p)) != GT_OK) return st;
    }
    return GT_OK;
}

gt_status gt_ls_post_event(ls_ctx *c, void *state, ls_ev *ev)
{
    ls_post *pp = state;
    if (pp->futile && gt_ls_futile_drop(pp->futile, ev)) return GT_OK;
    return rules(c, pp, ev);
}

gt_status gt_ls_post_finish(ls_ctx *c, ls_post *pp)
{
    if (c->oracle == LS_GO127 && pp->conv_failed) return gt_ls_fail(c, pp->conv_status, pp->conv_off, "%s", pp->conv_msg);
    return GT_OK;
}
