/* One P's events, read back from its batches in file order and made into
 * events the way Go's parseEvents makes them: each batch restarts the time
 * at its Batch event's ticks (1.5: and the sequence), each event adds its
 * delta; the goroutine of an event is the P's last started goroutine, reset
 * by the events that take it off the P; the CPU samples (collected in pass
 * 1) are skipped, although Go 1.21 still adds their delta to the time.
 *
 * Go 1.27 parses a batch only when its P needs the next event, and reports
 * that batch's errors then; pass 1 kept them, and load() reports them. */
#include "legacysem.h"

void gt_ls_cursor_init(ls_cursor *cu, uint32_t proc)
{
    memset(cu, 0, sizeof *cu);
    cu->proc = proc;
    cu->batch = LS_NONE32;
    cu->wait_next = LS_NONE32;
}

static int64_t proc_value(const ls_ctx *c, uint64_t p)
{
    if (c->oracle == LS_GO121) return gt_ls_i64(p);   /* Go's int(p) */
    return p == UINT64_MAX ? -1 : (int64_t)p;          /* pass 1 kept p <= MaxInt32 */
}

static gt_status load(ls_ctx *c, ls_cursor *cu, uint32_t b)
{
    if (c->oracle == LS_GO127) {
        size_t lo = 0, hi = c->nloaderr;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->loaderr[mid].batch < b) lo = mid + 1;
            else hi = mid;
        }
        if (lo < c->nloaderr && c->loaderr[lo].batch == b)
            return gt_ls_fail(c, c->loaderr[lo].status, c->loaderr[lo].off, "%s", c->loaderr[lo].message);
    }
    cu->batch = b;
    cu->pos = c->batches[b].off;
    cu->end = b + 1 < c->nbatches ? c->batches[b + 1].off : c->end_off;
    if (c->batches[b].pseudo) { /* Go 1.21: events before any Batch start at time 0 */
        cu->ts = 0;
        cu->seq = 0;
    }
    return GT_OK;
}

/* The events after which the P runs no goroutine. */
static bool ends_g(uint8_t t)
{
    switch (t) {
    case LS_GO_END: case LS_GO_STOP: case LS_GO_SCHED: case LS_GO_PREEMPT: case LS_GO_SLEEP: case LS_GO_BLOCK:
    case LS_GO_BLOCK_SEND: case LS_GO_BLOCK_RECV: case LS_GO_BLOCK_SELECT: case LS_GO_BLOCK_SYNC:
    case LS_GO_BLOCK_COND: case LS_GO_BLOCK_NET: case LS_GO_SYSBLOCK: case LS_GO_BLOCK_GC: return true;
    default: return false;
    }
}

static void make_event(const ls_ctx *c, ls_cursor *cu, const ls_item *it, int64_t p, ls_ev *ev)
{
    const ls_layout *l = &c->layout;
    unsigned n = it->nvals, first;
    memset(ev, 0, sizeof *ev);
    ev->type = it->type;
    ev->off = it->off;
    ev->p = p;
    ev->g = cu->lastg;
    if (l->version < 7) {
        cu->seq += it->vals[0];
        ev->seq = cu->seq;
        cu->ts += it->vals[1];
        first = 2;
    } else {
        cu->ts += it->vals[0];
        first = 1;
    }
    ev->ts = gt_ls_i64(cu->ts);
    for (unsigned i = first; i < n && i < GT_MAX_ARGS; i++) {
        if (i == n - 1 && l->has_stack[it->type]) ev->stk = it->vals[i];
        else if (i - first < 3) ev->args[i - first] = it->vals[i];
    }
    switch (it->type) {
    case LS_GO_START: case LS_GO_START_LOCAL: case LS_GO_START_LABEL:
        cu->lastg = ev->args[0];
        ev->g = cu->lastg;
        break;
    case LS_STW_START: case LS_GC_START: case LS_GC_DONE: case LS_STW_DONE:
        if (c->oracle == LS_GO121) ev->g = 0; /* Go 1.27 keeps the P's goroutine */
        break;
    case LS_GO_SYSEXIT: case LS_GO_WAITING: case LS_GO_INSYSCALL: ev->g = ev->args[0]; break;
    default:
        if (ends_g(it->type)) cu->lastg = 0;
        break;
    }
}

int gt_ls_cursor_next(ls_ctx *c, ls_cursor *cu)
{
    const ls_proc *pr = &c->procs[cu->proc];
    int64_t p = proc_value(c, pr->p);
    for (;;) {
        if (cu->batch == LS_NONE32 || cu->pos >= cu->end) {
            uint32_t b = cu->batch == LS_NONE32 ? pr->first : c->batches[cu->batch].next;
            if (b == LS_NONE32) return 0;
            if (load(c, cu, b) != GT_OK) return -1;
        }
        while (cu->pos < cu->end) {
            ls_item it;
            if (!gt_ls_decode(&c->layout, c->data, (size_t)cu->end, &cu->pos, &it)) {
                gt_ls_fail(c, GT_ERR_INTERNAL, cu->pos, "the legacy item at offset %llu cannot be read again",
                           (unsigned long long)cu->pos);
                return -1;
            }
            if (it.type == LS_BATCH) {
                if (c->layout.version < 7) {
                    cu->seq = it.vals[1];
                    cu->ts = it.vals[2];
                } else {
                    cu->ts = it.vals[1];
                }
                continue;
            }
            if (it.type == LS_CPU_SAMPLE) {
                if (c->oracle == LS_GO121) cu->ts += it.vals[0];
                continue;
            }
            if (!c->layout.timed[it.type]) continue;
            make_event(c, cu, &it, p, &cu->head);
            return 1;
        }
    }
}
