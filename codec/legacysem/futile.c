/* Go 1.21's removeFutile. A FutileWakeup (type 36) says that a goroutine's
 * last wakeup led nowhere; Go then removes the whole wakeup from the final
 * stream: when the goroutine next blocks (GoBlock, Send, Recv, Select, Sync
 * or Cond) after a FutileWakeup, that block goes, together with the
 * goroutine's last GoUnblock since its previous such block and every
 * GoStart, GoPreempt and FutileWakeup of it after that unblock (or after
 * the previous block, if it was not unblocked). No runtime ever wrote the
 * event, so this only matters for crafted files; Go 1.27 keeps the events
 * (and its converter then rejects the first FutileWakeup).
 *
 * The stream is produced twice. The first run finds, per goroutine, the
 * removed stretches as [first index, block index] in the final stream; the
 * second drops the goroutine's events inside them. Memory: an entry per
 * goroutine seen in a wakeup, and one stretch per futile block (at most one
 * per FutileWakeup). */
#include "legacysem.h"

typedef struct stretch {
    uint64_t first, last; /* indexes in the final stream */
    uint32_t next;        /* next stretch of the same goroutine */
} stretch;

typedef struct wake {
    uint64_t start;    /* index where the goroutine's current wakeup list starts */
    uint64_t futile;   /* a FutileWakeup since the last block */
} wake;

typedef struct chain {
    uint64_t head, tail; /* stretch index + 1, 0 = none */
} chain;

struct ls_futile {
    ls_map wakes;     /* goroutine -> wake (first run) */
    ls_map chains;    /* goroutine -> chain of stretches */
    stretch *s;
    size_t ns, cap_s;
    uint64_t index;   /* position in the stream of the current run */
    uint64_t index2;
};

gt_status gt_ls_futile_create(ls_ctx *c, ls_futile **out)
{
    ls_futile *f = gt_mem_calloc(&c->mem, 1, sizeof *f);
    *out = f;
    if (!f) return gt_ls_nomem(c, gt_ls_mem_status(&c->mem, sizeof *f), "futile wakeups");
    gt_ls_map_init(&f->wakes, sizeof(wake));
    gt_ls_map_init(&f->chains, sizeof(chain));
    return GT_OK;
}

void gt_ls_futile_free(ls_ctx *c, ls_futile *f)
{
    if (!f) return;
    gt_ls_map_free(&f->wakes, &c->mem);
    gt_ls_map_free(&f->chains, &c->mem);
    gt_mem_free(&c->mem, f->s, f->cap_s * sizeof *f->s);
    gt_mem_free(&c->mem, f, sizeof *f);
}

static bool futile_block(uint8_t t)
{
    switch (t) {
    case LS_GO_BLOCK: case LS_GO_BLOCK_SEND: case LS_GO_BLOCK_RECV: case LS_GO_BLOCK_SELECT: case LS_GO_BLOCK_SYNC:
    case LS_GO_BLOCK_COND: return true;
    default: return false;
    }
}

/* The goroutine whose wakeup list ev belongs to, or false. */
static bool subject(const ls_ev *ev, uint64_t *g)
{
    if (ev->type == LS_GO_UNBLOCK) *g = ev->args[0];
    else if (ev->type == LS_GO_START || ev->type == LS_GO_PREEMPT || ev->type == LS_FUTILE_WAKEUP ||
             futile_block(ev->type))
        *g = ev->g;
    else return false;
    return true;
}

gt_status gt_ls_futile_scan(ls_ctx *c, void *state, ls_ev *ev)
{
    ls_futile *f = state;
    uint64_t i = f->index++, g;
    if (!subject(ev, &g)) return GT_OK;
    gt_status st = GT_OK;
    if (futile_block(ev->type)) {
        wake *w = gt_ls_map_get(&f->wakes, g);
        if (w && w->futile) {
            uint64_t first = w->start;
            st = gt_ls_grow(&c->mem, &f->s, &f->cap_s, f->ns, sizeof *f->s);
            if (st != GT_OK) return gt_ls_nomem(c, st, "futile wakeups");
            if (f->ns >= LS_NONE32) return gt_ls_nomem(c, GT_ERR_LIMIT, "futile wakeups");
            chain *ch = gt_ls_map_put(&f->chains, &c->mem, g, NULL, &st);
            if (!ch) return gt_ls_nomem(c, st, "futile wakeups");
            uint32_t k = (uint32_t)f->ns++;
            f->s[k] = (stretch){first, i, LS_NONE32};
            if (ch->tail) f->s[ch->tail - 1].next = k;
            else ch->head = (uint64_t)k + 1;
            ch->tail = (uint64_t)k + 1;
        }
        gt_ls_map_del(&f->wakes, g);
        return GT_OK;
    }
    int fresh = 0;
    wake *w = gt_ls_map_put(&f->wakes, &c->mem, g, &fresh, &st);
    if (!w) return gt_ls_nomem(c, st, "futile wakeups");
    /* An unblock starts a new list; anything else starts one if none is open. */
    if (fresh || ev->type == LS_GO_UNBLOCK) w->start = i;
    if (ev->type == LS_FUTILE_WAKEUP) w->futile = 1;
    return GT_OK;
}

bool gt_ls_futile_drop(ls_futile *f, const ls_ev *ev)
{
    uint64_t i = f->index2++, g;
    if (!subject(ev, &g)) return false;
    chain *ch = gt_ls_map_get(&f->chains, g);
    if (!ch) return false;
    while (ch->head && f->s[ch->head - 1].last < i) {
        uint32_t next = f->s[ch->head - 1].next;
        ch->head = next == LS_NONE32 ? 0 : (uint64_t)next + 1;
    }
    return ch->head && f->s[ch->head - 1].first <= i;
}
