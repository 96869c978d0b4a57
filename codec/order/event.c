/* From a queued event to what the API delivers: the table-ID check Go makes
 * when it returns an event (event.go: validateTableIDs), then the event's
 * kind and details (Kind, Stack, StateTransition, Range, Task, Region, Log,
 * Label, Metric, Sync, Experimental) resolved against the generation's
 * tables. */
#include <inttypes.h>

#include "order.h"

/* Go's tracev2Type2Kind. */
static uint8_t kind_of(unsigned type)
{
    if (type == EV_SYNC) return GT_PARSED_SYNC;
    if (type >= 128 && type <= 136) return GT_PARSED_EXPERIMENTAL;
    switch (type) {
    case 7: return GT_PARSED_STACK_SAMPLE;
    case 9: case 37: case 38: return GT_PARSED_METRIC;
    case 26: case 29: case 32: case 35: return GT_PARSED_RANGE_BEGIN;
    case 28: case 31: case 34: return GT_PARSED_RANGE_ACTIVE;
    case 27: case 30: case 33: case 36: return GT_PARSED_RANGE_END;
    case 39: return GT_PARSED_LABEL;
    case 40: return GT_PARSED_TASK_BEGIN;
    case 41: return GT_PARSED_TASK_END;
    case 42: return GT_PARSED_REGION_BEGIN;
    case 43: return GT_PARSED_REGION_END;
    case 44: return GT_PARSED_LOG;
    default: return (type >= 10 && type <= 25) || (type >= 45 && type <= 48) ? GT_PARSED_STATE_TRANSITION : GT_PARSED_BAD;
    }
}

static gt_status bad_id(gt_parser *p, const ord_event *e, gt_status s, const char *what, uint64_t id)
{
    ord_fault_where(&p->fault, e->b.batch, e->b.index, e->gen, e->m);
    ord_fault_set(p, &p->fault, s, e->b.offset, "found invalid %s ID %" PRIu64 " for event %s", what, id,
                  p->types[e->b.type].spec->name);
    return ord_report(p, &p->fault);
}

bool ord_ids_ok(const gt_parser *p, const ord_base *b)
{
    if (b->type == EV_SYNC) return true;
    const ord_type *t = &p->types[b->type];
    const ord_gen *g = &p->gen;
    for (unsigned m = t->stack_mask, i = 0; m; m >>= 1, i++)
        if ((m & 1u) && !ord_has_stack(g, b->args[i])) return false;
    for (unsigned m = t->string_mask, i = 0; m; m >>= 1, i++)
        if ((m & 1u) && !ord_has_string(g, b->args[i])) return false;
    return true;
}

gt_status ord_check_ids(gt_parser *p, const ord_event *e)
{
    if (e->b.type == EV_SYNC) return GT_OK;
    const ord_type *t = &p->types[e->b.type];
    if (!(t->stack_mask | t->string_mask)) return GT_OK;
    const ord_gen *g = &p->gen;
    /* Stacks first, the event's own stack before a created goroutine's. */
    if (t->stack_arg) {
        uint64_t id = e->b.args[t->stack_arg - 1];
        if (!ord_has_stack(g, id)) return bad_id(p, e, GT_ERR_UNDEFINED_STACK, "stack", id);
    }
    if (GT_UNLIKELY(t->stack_mask != (t->stack_arg ? 1u << (t->stack_arg - 1) : 0u))) {
        for (unsigned i = 0; i < t->nargs; i++) {
            if (!((t->stack_mask >> i) & 1u) || i + 1 == t->stack_arg) continue;
            if (!ord_has_stack(g, e->b.args[i])) return bad_id(p, e, GT_ERR_UNDEFINED_STACK, "stack", e->b.args[i]);
        }
    }
    for (unsigned m = t->string_mask, i = 0; m; m >>= 1, i++) {
        if (!(m & 1u)) continue;
        if (!ord_has_string(g, e->b.args[i])) return bad_id(p, e, GT_ERR_UNDEFINED_STRING, "string", e->b.args[i]);
    }
    return GT_OK;
}

/*-************************************
 *  Resolution
 **************************************/
static gt_strview sv(const ord_str *s)
{
    gt_strview v = {"", 0};
    if (s) {
        v.ptr = (const char *)s->p;
        v.len = s->len;
    }
    return v;
}

static gt_strview lit(const char *s) { return (gt_strview){s, strlen(s)}; }

static gt_strview str_of(const gt_parser *p, uint64_t id) { return sv(ord_string(&p->gen, id)); }

/* Fill a stack: present with its ID, frames resolved through the PC table
 * (the first frame seen for a PC in the generation wins, as in Go). */
static void resolve_stack(gt_parser *p, gt_stack *out, uint64_t id, gt_stack_frame *scratch)
{
    out->present = 1;
    out->id = id;
    out->nframes = 0;
    out->frames = (p->flags & GT_PARSER_NO_FRAMES) ? NULL : scratch;
    const ord_stack *st = id ? ord_stack_get(&p->gen, id) : NULL;
    if (!st) return;
    out->nframes = st->nframes;
    if (p->flags & GT_PARSER_NO_FRAMES) return;
    const uint8_t *q = st->frames, *end = st->frames + st->nbytes;
    for (uint32_t i = 0; i < st->nframes; i++) {
        uint64_t v[4] = {0, 0, 0, 0};
        for (int k = 0; k < 4; k++) {
            size_t used = 0;
            (void)ord_read_uvarint(q, (size_t)(end - q), &v[k], &used);
            q += used;
        }
        const ord_pc *f = ord_map_get(&p->gen.pcs, v[0]);
        gt_stack_frame *fr = &scratch[i];
        fr->pc = v[0];
        fr->func = f ? str_of(p, f->func) : lit("");
        fr->file = f ? str_of(p, f->file) : lit("");
        fr->line = f ? f->line : 0;
    }
}

static void no_stack(gt_stack *s)
{
    s->frames = NULL;
    s->nframes = 0;
    s->present = 0;
    s->id = 0;
}

/* Room for a range name "stop-the-world (...)". */
static gt_strview scratch_text(gt_parser *p, const char *a, gt_strview b, const char *c)
{
    size_t la = strlen(a), lc = strlen(c), n = la + b.len + lc;
    if (n > p->scratch_cap) return b; /* cannot happen: names are at most 1 KiB */
    memcpy(p->scratch, a, la);
    memcpy(p->scratch + la, b.ptr, b.len);
    memcpy(p->scratch + la + b.len, c, lc);
    return (gt_strview){p->scratch, n};
}

static void transition(gt_parsed *out, uint8_t res, int64_t id, uint8_t from, uint8_t to)
{
    out->transition.resource = res;
    out->transition.id = id;
    out->transition.from = from;
    out->transition.to = to;
    out->transition.reason = lit("");
    no_stack(&out->transition.stack);
}

static void resolve_transition(gt_parser *p, const ord_event *e, gt_parsed *out)
{
    const uint64_t *a = e->b.args;
    gt_stack_frame *scratch = p->frames + GO_MAX_FRAMES;
    static const uint8_t proc_state[5] = {GT_PROC_UNDETERMINED, GT_PROC_RUNNING, GT_PROC_IDLE, GT_PROC_RUNNING,
                                          GT_PROC_IDLE};
    static const uint8_t go_state[5] = {GT_GO_UNDETERMINED, GT_GO_RUNNABLE, GT_GO_RUNNING, GT_GO_SYSCALL, GT_GO_WAITING};
    switch (e->b.type) {
    case 10: transition(out, GT_RESOURCE_PROC, (int64_t)a[0], GT_PROC_IDLE, GT_PROC_RUNNING); break;
    case 11: transition(out, GT_RESOURCE_PROC, e->p, GT_PROC_RUNNING, GT_PROC_IDLE); break;
    case 12:
        transition(out, GT_RESOURCE_PROC, (int64_t)a[0], a[3] == PS_ABANDONED ? GT_PROC_IDLE : GT_PROC_RUNNING,
                   GT_PROC_IDLE);
        break;
    case 13: /* Go indexes with the unmasked status and panics above 4 */
        transition(out, GT_RESOURCE_PROC, (int64_t)a[0], (uint8_t)a[2], proc_state[(uint8_t)a[1] % 5]);
        break;
    case 14:
    case 47:
        transition(out, GT_RESOURCE_GOROUTINE, (int64_t)a[0], GT_GO_NOT_EXIST, e->b.type == 47 ? GT_GO_WAITING : GT_GO_RUNNABLE);
        resolve_stack(p, &out->transition.stack, a[1], scratch);
        break;
    case 15: transition(out, GT_RESOURCE_GOROUTINE, (int64_t)a[0], GT_GO_NOT_EXIST, GT_GO_SYSCALL); break;
    case 16: transition(out, GT_RESOURCE_GOROUTINE, (int64_t)a[0], GT_GO_RUNNABLE, GT_GO_RUNNING); break;
    case 17: transition(out, GT_RESOURCE_GOROUTINE, e->g, GT_GO_RUNNING, GT_GO_NOT_EXIST); break;
    case 18: transition(out, GT_RESOURCE_GOROUTINE, e->g, GT_GO_SYSCALL, GT_GO_NOT_EXIST); break;
    case 19:
    case 20:
        transition(out, GT_RESOURCE_GOROUTINE, e->g, GT_GO_RUNNING, e->b.type == 19 ? GT_GO_RUNNABLE : GT_GO_WAITING);
        out->transition.reason = str_of(p, a[0]);
        out->transition.stack = out->stack;
        break;
    case 21:
    case 45:
    case 46: transition(out, GT_RESOURCE_GOROUTINE, (int64_t)a[0], GT_GO_WAITING, GT_GO_RUNNABLE); break;
    case 22:
        transition(out, GT_RESOURCE_GOROUTINE, e->g, GT_GO_RUNNING, GT_GO_SYSCALL);
        out->transition.stack = out->stack;
        break;
    case 23: transition(out, GT_RESOURCE_GOROUTINE, e->g, GT_GO_SYSCALL, GT_GO_RUNNING); break;
    case 24: transition(out, GT_RESOURCE_GOROUTINE, e->g, GT_GO_SYSCALL, GT_GO_RUNNABLE); break;
    case 25:
    case 48: {
        uint64_t from = a[2] >> 32, to = a[2] & 0xffffffffu;
        transition(out, GT_RESOURCE_GOROUTINE, (int64_t)a[0], (uint8_t)from, go_state[to % 5]);
        out->transition.stack = out->stack;
        break;
    }
    default: break;
    }
}

static void resolve_range(gt_parser *p, const ord_event *e, gt_parsed *out)
{
    const uint64_t *a = e->b.args;
    out->range.nattrs = 0;
    switch (e->b.type) {
    case 26:
    case 27:
        out->range.name = scratch_text(p, "stop-the-world (", str_of(p, a[0]), ")");
        out->range.scope = GT_RESOURCE_GOROUTINE;
        out->range.scope_id = e->g;
        break;
    case 28:
    case 29:
    case 30:
        out->range.name = lit("GC concurrent mark phase");
        out->range.scope = GT_RESOURCE_NONE;
        out->range.scope_id = 0;
        break;
    case 31:
    case 32:
    case 33:
        out->range.name = lit("GC incremental sweep");
        out->range.scope = GT_RESOURCE_PROC;
        out->range.scope_id = e->b.type == 31 ? (int64_t)a[0] : e->p;
        if (e->b.type == 33) {
            out->range.nattrs = 2;
            out->range.attr_names[0] = lit("bytes swept");
            out->range.attr_names[1] = lit("bytes reclaimed");
            out->range.attr_values[0] = a[0];
            out->range.attr_values[1] = a[1];
        }
        break;
    default:
        out->range.name = lit("GC mark assist");
        out->range.scope = GT_RESOURCE_GOROUTINE;
        out->range.scope_id = e->b.type == 34 ? (int64_t)a[0] : e->g;
        break;
    }
}

static void resolve_experimental(gt_parser *p, const ord_event *e, gt_parsed *out)
{
    const gt_event_spec *s = p->types[e->b.type].spec;
    out->experimental.name = s->name;
    out->experimental.experiment = s->experiment == 1 ? "AllocFree" : "None";
    uint32_t n = s->nargs > 1 ? (uint32_t)s->nargs - 1 : 0;
    if (n > 4) n = 4;
    out->experimental.nargs = n;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = s->args[i + 1].name;
        size_t len = strlen(name);
        out->experimental.arg_names[i] = name;
        out->experimental.args[i] = e->b.args[i];
        out->experimental.arg_strings[i] =
            len >= 6 && !strcmp(name + len - 6, "string") ? str_of(p, e->b.args[i]) : lit("");
    }
}

/* Go's time.Unix normalization of a wall clock reading. */
static void unix_time(uint64_t sec_in, uint64_t nsec_in, int64_t *sec, int64_t *nsec)
{
    int64_t s = (int64_t)sec_in, n = (int64_t)nsec_in;
    if (n < 0 || n >= 1000000000) {
        int64_t q = n / 1000000000;
        s = (int64_t)((uint64_t)s + (uint64_t)q);
        n -= q * 1000000000;
        if (n < 0) {
            n += 1000000000;
            s = (int64_t)((uint64_t)s - 1);
        }
    }
    *sec = s;
    *nsec = n;
}

gt_status ord_resolve(gt_parser *p, const ord_event *e, gt_parsed *out)
{
    unsigned type = e->b.type;
    const uint64_t *a = e->b.args;
    out->kind = kind_of(type);
    out->type = type == EV_SYNC ? 0 : (uint8_t)type;
    out->synthetic = e->synthetic;
    out->m = e->m;
    out->p = e->p;
    out->g = e->g;
    out->time = e->b.time;
    out->offset = e->b.offset;
    out->generation = e->has_table ? e->gen : GT_NONE;
    const ord_type *t = &p->types[type == EV_SYNC ? 0 : type];
    if (type == 7) resolve_stack(p, &out->stack, a[0], p->frames);
    else if (type != EV_SYNC && t->stack_arg && a[t->stack_arg - 1]) resolve_stack(p, &out->stack, a[t->stack_arg - 1], p->frames);
    else no_stack(&out->stack);
    switch (out->kind) {
    case GT_PARSED_SYNC: {
        const ord_gen *g = &p->gen;
        out->sync.n = a[0];
        out->sync.has_clock = e->has_table && g->has_clock;
        if (out->sync.has_clock) {
            out->sync.trace = ord_freq_mul(g->freq, g->snap_time);
            out->sync.mono = g->snap_mono;
            unix_time(g->snap_sec, g->snap_nsec, &out->sync.sec, &out->sync.nsec);
        } else {
            out->sync.trace = 0;
            out->sync.mono = 0;
            out->sync.sec = out->sync.nsec = 0;
        }
        break;
    }
    case GT_PARSED_METRIC:
        out->metric.name = lit(type == 9 ? "/sched/gomaxprocs:threads"
                               : type == 37 ? "/memory/classes/heap/objects:bytes"
                                            : "/gc/heap/goal:bytes");
        out->metric.value = a[0];
        break;
    case GT_PARSED_LABEL:
        out->label.label = str_of(p, a[0]);
        out->label.resource = GT_RESOURCE_GOROUTINE;
        out->label.id = e->g;
        break;
    case GT_PARSED_RANGE_BEGIN:
    case GT_PARSED_RANGE_ACTIVE:
    case GT_PARSED_RANGE_END: resolve_range(p, e, out); break;
    case GT_PARSED_TASK_BEGIN:
        out->task.id = a[0];
        out->task.parent = a[1];
        out->task.type = str_of(p, a[2]);
        break;
    case GT_PARSED_TASK_END:
        out->task.id = a[0];
        out->task.parent = a[2];
        out->task.type = e->extra_name ? sv(&p->extra[e->extra_name - 1]) : lit("");
        break;
    case GT_PARSED_REGION_BEGIN:
    case GT_PARSED_REGION_END:
        out->region.task = a[0];
        out->region.type = str_of(p, a[1]);
        break;
    case GT_PARSED_LOG:
        out->log.task = a[0];
        out->log.category = str_of(p, a[1]);
        out->log.message = str_of(p, a[2]);
        break;
    case GT_PARSED_STATE_TRANSITION: resolve_transition(p, e, out); break;
    case GT_PARSED_EXPERIMENTAL: resolve_experimental(p, e, out); break;
    default: break;
    }
    return GT_OK;
}
