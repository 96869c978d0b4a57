/* Reading one generation: every batch until the end-of-generation marker
 * (go 1.26) or until the first batch of the next generation (earlier
 * versions, which keep that batch as the "spill" for the next call), then
 * Go's checks on the whole generation. Event batches are indexed per M in
 * file order; their payloads are read in place (buffer input) or copied
 * (callback input). Errors are left in p->pending: Go reports them after a
 * Sync event, once the previous generation has been delivered. */
#include <inttypes.h>

#include "order.h"

static bool is_end_of_generation(const ord_raw *b)
{
    return b->eog || (b->exp == 0 && b->len > 0 && b->data[0] == GT_V2_END_OF_GENERATION);
}

static gt_status fail(gt_parser *p, gt_status s, uint64_t off, const char *msg)
{
    return ord_fault_set(p, &p->pending, s, off, "%s", msg);
}

/* Payload bytes that must outlive the input window. */
static const uint8_t *keep(gt_parser *p, const ord_raw *b, gt_status *s)
{
    if (p->src.mode == SRC_MEM || b->len == 0) return b->data;
    return ord_copy_payload(p, b->data, b->len, s);
}

static gt_status add_event_batch(gt_parser *p, const ord_raw *b)
{
    ord_gen *g = &p->gen;
    gt_status s = GT_OK;
    bool created;
    uint32_t *slot1 = ord_map_put(p, &g->ms_index, (uint64_t)b->m, &created, &s);
    if (!slot1) return s;
    if (created) {
        if ((s = ord_grow(p, &g->ms, sizeof *g->ms, &g->ms_cap, (size_t)g->nms + 1)) != GT_OK) return s;
        g->ms[g->nms] = (ord_mlist){b->m, NONE32, NONE32};
        *slot1 = ++g->nms;
    }
    uint32_t slot = *slot1 - 1;
    if ((s = ord_grow(p, &g->batches, sizeof *g->batches, &g->batches_cap, (size_t)g->nbatches + 1)) != GT_OK)
        return s;
    const uint8_t *data = keep(p, b, &s);
    if (!data && b->len) return s;
    uint32_t i = g->nbatches++;
    g->batches[i] = (ord_batch){data, b->data_offset, b->time, b->index, b->len, NONE32};
    ord_mlist *ml = &g->ms[slot];
    if (ml->last == NONE32) ml->first = i;
    else g->batches[ml->last].next = i;
    ml->last = i;
    g->nevent_batches++;
    return GT_OK;
}

/* Go's processBatch: classify by experiment and first payload byte. */
static gt_status process_batch(gt_parser *p, const ord_raw *b)
{
    gt_status s = GT_OK;
    if (b->exp == 0 && b->len > 0) {
        uint8_t t = b->data[0];
        if (t == GT_V2_STRINGS || t == GT_V2_STACKS) {
            const uint8_t *data = keep(p, b, &s);
            if (!data) return fail(p, s, b->offset, "memory limit reached storing a table batch");
            return t == GT_V2_STRINGS ? ord_add_strings(p, b, data) : ord_add_stacks(p, b, data);
        }
        if (t == GT_V2_CPU_SAMPLES) return ord_add_samples(p, b);
        if ((t == GT_V2_FREQUENCY && p->version < 25) || (t == GT_V2_SYNC && p->version >= 25))
            return ord_set_sync(p, b);
    }
    if (b->exp != 0) {
        /* Go keeps experimental batches raw and never reads them, but its tools
         * index the list of experiment names (None, AllocFree) with the ID. */
        if (b->exp > 1 && (p->flags & GT_PARSER_REJECT_TOOL_CRASHES))
            return ord_fault_set(p, &p->pending, GT_ERR_BAD_BATCH, b->offset + 1,
                                 "unknown experiment %u (Go knows experiments 0 to 1; its tools crash on others)", b->exp);
        return GT_OK;
    }
    if (b->len > 0 && b->data[0] == GT_V2_END_OF_GENERATION)
        return fail(p, GT_ERR_BAD_BATCH, b->offset, "internal error: unexpectedly processing EndOfGeneration; broken trace?");
    s = add_event_batch(p, b);
    if (s != GT_OK)
        return ord_fault_set(p, &p->pending, s, b->offset, "%s indexing the batches of generation %" PRIu64,
                             s == GT_ERR_LIMIT ? "memory limit reached" : "out of memory", p->gen.gen);
    return GT_OK;
}

static gt_status admit(gt_parser *p, const ord_raw *b)
{
    ord_gen *g = &p->gen;
    g->bytes += b->bytes;
    if (g->bytes > p->lim.max_generation_bytes)
        return ord_fault_set(p, &p->pending, GT_ERR_LIMIT, b->offset,
                             "generation %" PRIu64 " is larger than the limit of %" PRIu64 " bytes", g->gen,
                             p->lim.max_generation_bytes);
    if (g->min_ts == 0 || b->time < g->min_ts) g->min_ts = b->time;
    return process_batch(p, b);
}

/* Go's checks once every batch is in. */
static int finish(gt_parser *p)
{
    ord_gen *g = &p->gen;
    if (!g->has_freq) {
        fail(p, GT_ERR_MISSING_FREQUENCY, g->start_offset, "no frequency event found");
        return -1;
    }
    if (p->version >= 25 && !g->has_clock) {
        fail(p, GT_ERR_MISSING_CLOCK, g->start_offset, "no clock snapshot event found");
        return -1;
    }
    if (ord_validate_stacks(p) != GT_OK) return -1;
    if (p->flags & GT_PARSER_REJECT_TOOL_CRASHES) { /* Go does not check a sample's stack; its tools crash on it */
        for (size_t i = 0; i < g->nsamples; i++) {
            const ord_sample *smp = &g->samples[i];
            if (ord_stack_get(g, smp->stack)) continue;
            ord_fault_set(p, &p->pending, GT_ERR_UNDEFINED_STACK, smp->offset,
                          "CPU sample refers to stack %" PRIu64 ", which generation %" PRIu64
                          " does not define (Go's tools crash on it)",
                          smp->stack, g->gen);
            return -1;
        }
    }
    ord_fix_samples(p);
    ord_densify(p);
    return 1;
}

static void where(gt_parser *p, const ord_raw *b)
{
    ord_fault_where(&p->pending, b->index, GT_NONE, p->gen.gen ? p->gen.gen : GT_NONE, NO_ID);
}

/* go 1.26: until the end-of-generation marker. */
static int read_marked(gt_parser *p)
{
    ord_gen *g = &p->gen;
    ord_raw b;
    bool first = true;
    for (;;) {
        int r = ord_read_batch(p, &b, &p->pending);
        if (r == 0) {
            if (g->nevent_batches != 0) {
                ord_fault_where(&p->pending, g->first_batch, GT_NONE, g->gen, NO_ID);
                fail(p, GT_ERR_INCOMPLETE_GENERATION, ord_src_offset(p), "incomplete generation found; trace likely truncated");
                return -1;
            }
            return 0;
        }
        if (r < 0) {
            p->pending.generation = g->gen ? g->gen : GT_NONE;
            return -1;
        }
        if (first) {
            g->start_offset = b.offset;
            g->first_batch = b.index;
        }
        first = false;
        if (g->gen == 0) g->gen = b.gen;
        if (is_end_of_generation(&b)) break;
        where(p, &b);
        if (b.gen == 0) {
            fail(p, GT_ERR_GENERATION, b.offset, "invalid generation number 0");
            return -1;
        }
        if (b.gen != g->gen) {
            fail(p, GT_ERR_GENERATION, b.offset,
                 "broken trace: missing end-of-generation event, or generations are interleaved");
            return -1;
        }
        if (admit(p, &b) != GT_OK) return -1;
    }
    g->end_offset = ord_src_offset(p);
    ord_fault_where(&p->pending, g->first_batch, GT_NONE, g->gen ? g->gen : GT_NONE, NO_ID);
    return finish(p);
}

/* Before go 1.26: until a batch of the next generation, which is kept. */
static int read_spilled(gt_parser *p)
{
    ord_gen *g = &p->gen;
    ord_raw b;
    bool deferred = false;
    if (p->have_spill) {
        p->have_spill = false;
        g->gen = p->spill.gen;
        g->min_ts = p->spill.time;
        g->start_offset = p->spill.offset;
        g->first_batch = p->spill.index;
        g->bytes = p->spill.bytes;
        where(p, &p->spill);
        if (process_batch(p, &p->spill) != GT_OK) return -1;
    }
    for (;;) {
        int r = ord_read_batch(p, &b, &p->pending);
        if (r == 0) break;
        if (r < 0) {
            if (g->gen != 0) {
                /* Perhaps the next generation's first batch: order what we have first. */
                p->pending.generation = g->gen;
                deferred = true;
                break;
            }
            return -1;
        }
        where(p, &b);
        if (b.gen == 0) {
            fail(p, GT_ERR_GENERATION, b.offset, "invalid generation number 0");
            return -1;
        }
        if (g->gen == 0) {
            g->gen = b.gen;
            g->start_offset = b.offset;
            g->first_batch = b.index;
        }
        if (b.gen == g->gen + 1) {
            p->spill = b; /* its payload stays in place: nothing is read before it is processed */
            p->have_spill = true;
            break;
        }
        if (b.gen != g->gen) {
            fail(p, GT_ERR_GENERATION, b.offset, "generations out of order");
            return -1;
        }
        if (admit(p, &b) != GT_OK) return -1;
    }
    g->end_offset = p->have_spill ? p->spill.offset : deferred ? p->pending.offset : ord_src_offset(p);
    if (g->gen == 0) g->start_offset = ord_src_offset(p);
    ord_fault saved = {0};
    if (deferred) { /* keep the read error while the checks below may set another */
        saved = p->pending;
        memset(&p->pending, 0, sizeof p->pending);
    }
    ord_fault_where(&p->pending, g->gen ? g->first_batch : GT_NONE, GT_NONE, g->gen ? g->gen : GT_NONE, NO_ID);
    int r = finish(p);
    if (deferred) {
        if (r > 0) {
            ord_fault_free(p, &p->pending);
            p->pending = saved;
            p->pending_set = true;
            p->pending_sync = false;
        } else {
            ord_fault_free(p, &saved);
        }
    }
    return r;
}

int ord_read_generation(gt_parser *p)
{
    ord_gen_reset(p);
    return p->version >= 26 ? read_marked(p) : read_spilled(p);
}
