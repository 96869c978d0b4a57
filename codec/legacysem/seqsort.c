/* The ordering of go 1.5 traces (Go 1.21's order1005). Every event of that
 * version carries a global sequence number (batch base plus deltas); a
 * GoSysExit takes the sequence number and, if not 0, the real time it
 * names. All events are sorted by sequence, and the result must then be in
 * time order ("time stamps out of order" otherwise).
 *
 * This needs every event at once: the sorted events are kept (one ls_ev,
 * 80 bytes, per event; the go 1.5 runtime wrote small traces). Go's sort is
 * not stable, so events with equal sequence numbers end up where its
 * algorithm puts them (gosort.c); its input is the Ps' events in Go map
 * order, here in the order the Ps first appear. */
#include "../common/gosort.h"
#include "legacysem.h"

/* Go's sort.Sort of events by sequence number (not stable; Go feeds it the Ps
 * in map order, which no one can reproduce: we feed them in order of first
 * appearance). */
static bool seq_less(void *ctx, size_t i, size_t j)
{
    const ls_ev *e = ctx;
    return gt_ls_i64(e[i].seq) < gt_ls_i64(e[j].seq);
}

static void seq_swap(void *ctx, size_t i, size_t j)
{
    ls_ev *e = ctx, t = e[i];
    e[i] = e[j];
    e[j] = t;
}

void gt_ls_go_sort_by_seq(ls_ev *e, size_t n) { gt_go_sort(e, n, seq_less, seq_swap, GT_GO_SORT_GO121); }

struct ls_seqorder {
    ls_ev *ev;
    size_t n, cap;
};

gt_status gt_ls_order1005_check(ls_ctx *c, ls_seqorder **out)
{
    *out = NULL;
    ls_seqorder *o = gt_mem_calloc(&c->mem, 1, sizeof *o);
    if (!o) return gt_ls_nomem(c, gt_ls_mem_status(&c->mem, sizeof *o), "the events");
    *out = o;
    gt_status st = GT_OK;
    for (uint32_t i = 0; i < c->nprocs && st == GT_OK; i++) {
        ls_cursor cu;
        gt_ls_cursor_init(&cu, i);
        int r;
        while ((r = gt_ls_cursor_next(c, &cu)) == 1) {
            ls_ev *ev = &cu.head;
            if (ev->type == LS_GO_SYSEXIT) {
                ev->seq = ev->args[1];
                if (ev->args[2] != 0) ev->ts = gt_ls_i64(ev->args[2]);
            }
            st = gt_ls_grow(&c->mem, &o->ev, &o->cap, o->n, sizeof *o->ev);
            if (st != GT_OK) return gt_ls_nomem(c, st, "the events");
            o->ev[o->n++] = *ev;
        }
        if (r < 0) return c->err->status;
    }
    gt_ls_go_sort_by_seq(o->ev, o->n);
    for (size_t i = 1; i < o->n; i++)
        if (o->ev[i].ts < o->ev[i - 1].ts)
            return gt_ls_fail(c, GT_ERR_SEMANTIC, o->ev[i].off, "time stamps out of order");
    return GT_OK;
}

gt_status gt_ls_order1005_stream(ls_ctx *c, ls_seqorder *o, ls_sink_fn sink, void *state)
{
    ls_final f;
    gt_ls_final_init(c, &f, sink, state);
    gt_status st = GT_OK;
    for (size_t i = 0; i < o->n && st == GT_OK; i++) {
        ls_ev ev = o->ev[i];
        st = gt_ls_final_emit(c, &f, &ev);
    }
    return st;
}

void gt_ls_order1005_free(ls_ctx *c, ls_seqorder *o)
{
    if (!o) return;
    gt_mem_free(&c->mem, o->ev, o->cap * sizeof *o->ev);
    gt_mem_free(&c->mem, o, sizeof *o);
}
