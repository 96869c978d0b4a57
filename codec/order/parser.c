/* gt_parser: life cycle, the header, and the event loop of Go 1.27's
 * Reader.ReadEvent: drain the queue; when the frontier and the CPU samples
 * are exhausted, read the next generation (or report the error that reading
 * it produced, after a Sync); inject a CPU sample when it is strictly
 * earlier than the frontier's head; advance the head, or sort the frontier
 * and try the others in time order; fail when none can advance. Every
 * delivered event has its table IDs checked and its time made strictly
 * larger than the previous one. */
#include <inttypes.h>
#include <stdlib.h>

#define ORD_HOT_FILE
#include "order.h"

#define SCRATCH 4096
#define FAULT_ROOM 512

static void default_limits(gt_limits *lim)
{
    gt_limits_default(lim);
    lim->max_generation_bytes = (uint64_t)1 << 30;
    lim->max_memory = lim->max_generation_bytes + ((uint64_t)256 << 20);
}

static void normalize(gt_limits *lim)
{
    gt_limits d;
    default_limits(&d);
    if (!lim->max_batch_size) lim->max_batch_size = d.max_batch_size;
    if (!lim->max_string_size) lim->max_string_size = d.max_string_size;
    if (!lim->max_frames) lim->max_frames = d.max_frames;
    if (!lim->max_ids) lim->max_ids = d.max_ids;
    if (!lim->max_memory) lim->max_memory = d.max_memory;
    if (!lim->max_generation_bytes) lim->max_generation_bytes = d.max_generation_bytes;
}

gt_parser *gt_parser_create(const gt_alloc *alloc)
{
    gt_limits lim;
    default_limits(&lim);
    gt_mem mem;
    gt_mem_init(&mem, alloc, lim.max_memory);
    gt_parser *p = gt_mem_calloc(&mem, 1, sizeof *p);
    if (!p) return NULL;
    p->mem = mem;
    p->lim = lim;
    gt_error_clear(&p->err);
    p->fault.m = p->pending.m = NO_ID;
    ord_map_init(&p->gen.ms_index, sizeof(uint32_t));
    ord_map_init(&p->gen.strings, sizeof(ord_str));
    ord_map_init(&p->gen.stacks, sizeof(ord_stack));
    ord_map_init(&p->gen.pcs, sizeof(ord_pc));
    ord_map_init(&p->st.gs, sizeof(ord_g));
    ord_map_init(&p->st.ps, sizeof(ord_p));
    ord_map_init(&p->st.m_index, sizeof(uint32_t));
    ord_map_init(&p->st.tasks, sizeof(ord_task));
    ord_init_types(p);
    p->frames = gt_mem_calloc(&p->mem, 2 * GO_MAX_FRAMES, sizeof *p->frames);
    p->scratch = gt_mem_alloc(&p->mem, SCRATCH);
    /* Room for the messages up front: an error met at the memory limit still has its text. */
    p->fault.text = gt_mem_alloc(&p->mem, FAULT_ROOM);
    p->pending.text = gt_mem_alloc(&p->mem, FAULT_ROOM);
    p->fault.cap = p->pending.cap = FAULT_ROOM;
    if (!p->frames || !p->scratch || !p->fault.text || !p->pending.text) {
        gt_parser_free(p);
        return NULL;
    }
    p->scratch_cap = SCRATCH;
    return p;
}

void gt_parser_free(gt_parser *p)
{
    if (!p) return;
    ord_src_free(p);
    ord_gen_free(p);
    ord_state_free(p);
    ord_fault_free(p, &p->fault);
    ord_fault_free(p, &p->pending);
    gt_mem_free(&p->mem, p->diag, p->diag_cap);
    gt_mem_free(&p->mem, p->cursors, (size_t)p->cursors_cap * sizeof *p->cursors);
    gt_mem_free(&p->mem, p->heap, (size_t)p->heap_cap * sizeof *p->heap);
    gt_mem_free(&p->mem, p->q.buf, p->q.cap * sizeof *p->q.buf);
    gt_mem_free(&p->mem, p->extra, (size_t)p->extra_cap * sizeof *p->extra);
    gt_mem_free(&p->mem, p->frames, 2 * GO_MAX_FRAMES * sizeof *p->frames);
    gt_mem_free(&p->mem, p->scratch, p->scratch_cap);
    gt_mem m = p->mem;
    gt_mem_free(&m, p, sizeof *p);
}

gt_status gt_parser_set_limits(gt_parser *p, const gt_limits *lim)
{
    if (!p) return GT_ERR_INVALID_ARGUMENT;
    if (p->state != PS_START) return GT_ERR_STATE;
    if (lim) p->lim = *lim;
    else default_limits(&p->lim);
    normalize(&p->lim);
    p->mem.limit = p->lim.max_memory;
    return GT_OK;
}

gt_status gt_parser_set_flags(gt_parser *p, unsigned flags)
{
    if (!p) return GT_ERR_INVALID_ARGUMENT;
    p->flags = flags;
    return GT_OK;
}

const gt_error *gt_parser_error(const gt_parser *p)
{
    static const gt_error none = {GT_ERR_INVALID_ARGUMENT, GT_NONE, GT_NONE, GT_NONE, GT_NONE, "no parser"};
    return p ? &p->err : &none;
}

const char *gt_parser_message(const gt_parser *p, size_t *len)
{
    const char *t = p && p->state == PS_FAILED && p->fault.text ? p->fault.text : p && p->state == PS_FAILED ? p->err.message : "";
    if (len) *len = p && p->state == PS_FAILED && p->fault.text ? p->fault.len : strlen(t);
    return t;
}

int64_t gt_parser_error_thread(const gt_parser *p) { return p && p->state == PS_FAILED ? p->fault.m : NO_ID; }

unsigned gt_parser_version(const gt_parser *p) { return p ? p->version : 0; }

void gt_parser_counts(const gt_parser *p, gt_parse_counts *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!p) return;
    out->generations = p->generations;
    out->complete = p->complete;
    out->good_bytes = p->good_bytes;
    out->eof_offset = p->eof_offset;
    out->batches = p->batches_read;
    out->events = p->events;
    out->memory = p->mem.used;
    out->peak_memory = p->mem.peak;
}

/*-************************************
 *  The header
 **************************************/
static gt_status read_header(gt_parser *p)
{
    ord_src *s = &p->src;
    uint8_t head[GT_HEADER_SIZE];
    size_t have = 0;
    if (s->mode == SRC_MEM) {
        have = s->end < GT_HEADER_SIZE ? s->end : GT_HEADER_SIZE;
        memcpy(head, s->data, have);
    } else {
        while (have < GT_HEADER_SIZE && !s->eof) {
            long got = s->fn(s->user, s->buf + s->end, s->cap - s->end);
            if (got < 0 || (size_t)got > s->cap - s->end) return ord_fail(p, GT_ERR_IO, 0, "read error");
            if (got == 0) s->eof = true;
            s->end += (size_t)got;
            have = s->end < GT_HEADER_SIZE ? s->end : GT_HEADER_SIZE;
        }
        memcpy(head, s->data, have);
    }
    unsigned v = 0;
    gt_status st = gt_header_parse(head, have, &v);
    if (st == GT_ERR_UNSUPPORTED_VERSION)
        return ord_fail(p, st, 0, "unknown or unsupported trace version go 1.%u", v);
    if (st != GT_OK) return ord_fail(p, GT_ERR_NOT_TRACE, 0, "bad file format: not a Go execution trace?");
    p->version = v;
    if (gt_version_format(v) != GT_FORMAT_V2)
        return ord_fail(p, GT_ERR_UNSUPPORTED_VERSION, 0,
                        "legacy trace (go 1.%u): gt_parser orders v2 traces (go 1.22 and later) only", v);
    s->pos = GT_HEADER_SIZE;
    p->good_bytes = GT_HEADER_SIZE;
    p->state = PS_RUN;
    return GT_OK;
}

/*-************************************
 *  Generations
 **************************************/
static void sync_event(gt_parser *p, ord_event *e, bool table, int64_t time)
{
    memset(e, 0, sizeof *e);
    p->syncs++;
    e->b.type = EV_SYNC;
    e->b.time = time;
    e->b.args[0] = p->syncs;
    e->b.batch = GT_NONE;
    e->b.index = NONE32;
    e->m = e->p = e->g = NO_ID;
    e->has_table = table;
    e->gen = table ? p->gen.gen : 0;
    e->b.offset = table ? p->gen.start_offset : ord_src_offset(p);
}

/* Go's installGen: cursors for every M in first-appearance order, then a Sync. */
static gt_status install(gt_parser *p, ord_event *out)
{
    ord_gen *g = &p->gen;
    p->have_gen = true;
    p->generations++;
    p->sample_pos = 0;
    p->nextra = 0;
    p->nheap = 0;
    gt_status s = ord_grow(p, &p->cursors, sizeof *p->cursors, &p->cursors_cap, g->nms);
    if (s == GT_OK) s = ord_grow(p, &p->heap, sizeof *p->heap, &p->heap_cap, g->nms);
    if (s != GT_OK) return ord_fail(p, s, g->start_offset, "%s", "memory limit reached setting up the frontier");
    for (uint32_t i = 0; i < g->nms; i++) {
        ord_cursor *c = &p->cursors[i];
        memset(c, 0, sizeof *c);
        c->m = g->ms[i].m;
        c->slot = i;
        c->batch = g->ms[i].first;
        c->mstate = c->m == NO_ID ? NONE32 : ord_m_find(p, c->m);
        int r = ord_cursor_next(p, c);
        if (r < 0) return p->err.status;
        if (r > 0) ord_heap_insert(p, c);
    }
    sync_event(p, out, true, ord_freq_mul(g->freq, g->min_ts));
    return GT_OK;
}

static gt_status final_sync(gt_parser *p, ord_event *out)
{
    p->have_gen = false;
    p->state = PS_DONE;
    sync_event(p, out, false, p->last_ts);
    return GT_OK;
}

/* The current generation has delivered its last event. */
static void generation_done(gt_parser *p)
{
    if (!p->have_gen) return;
    p->have_gen = false;
    p->complete++;
    p->good_bytes = p->gen.end_offset;
}

/* Report the generation's read error, after its Sync. An io.EOF from a
 * table ends the trace instead, as it does for Go's readers. */
static gt_status report_pending(gt_parser *p)
{
    if (p->pending.go_eof) {
        p->eof_offset = p->pending.offset;
        p->state = PS_DONE;
        return GT_END;
    }
    return ord_report(p, &p->pending);
}

/* Go 1.26+: readGeneration, with errors reported after a Sync. */
static gt_status next_generation(gt_parser *p, ord_event *out)
{
    generation_done(p);
    if (p->pending_set) return report_pending(p);
    ord_src_release(p);
    int r = ord_read_generation(p);
    if (r < 0) {
        if (p->src.io_error) return ord_report(p, &p->pending);
        p->pending_set = true;
        p->have_gen = false;
        sync_event(p, out, false, p->last_ts);
        return GT_OK;
    }
    if (r == 0) return final_sync(p, out);
    return install(p, out);
}

/* Before go 1.26: readGenerationWithSpill and its deferred error. */
static gt_status next_generation_spilled(gt_parser *p, ord_event *out)
{
    if (p->pending_set) {
        generation_done(p);
        if (p->src.io_error) return ord_report(p, &p->pending);
        if (p->pending_sync) return report_pending(p);
        p->pending_sync = true;
        sync_event(p, out, false, p->last_ts);
        return GT_OK;
    }
    if (p->have_gen && !p->have_spill) {
        generation_done(p);
        return final_sync(p, out);
    }
    generation_done(p);
    ord_src_release(p);
    int r = ord_read_generation(p);
    if (r < 0) {
        if (p->src.io_error) return ord_report(p, &p->pending);
        p->pending_set = true;
        p->pending_sync = true;
        p->have_gen = false;
        sync_event(p, out, false, p->last_ts);
        return GT_OK;
    }
    return install(p, out);
}

/*-************************************
 *  Advancing
 **************************************/
/* Go's tryAdvance: 1 advanced, 0 not ready, -1 error (reported). In
 * verdict mode nothing was queued: the events are accounted for here, with
 * the table-ID check Go makes when it returns them (only the wire event can
 * fail it: the ordering's own events carry no IDs), after the cursor's next
 * event is read, as in Go. */
/* Verdict mode, rare: the advanced event fails Go's table-ID check, which Go
 * makes only once the cursor has moved on (a malformed next event wins). */
static __attribute__((noinline)) int bad_ids_after(gt_parser *p, uint32_t i, ord_cursor *c)
{
    ord_event bad;
    memset(&bad, 0, sizeof bad);
    bad.b = c->ev;
    bad.m = c->m;
    bad.gen = p->gen.gen;
    int r = ord_cursor_next(p, c);
    if (r < 0) return -1;
    if (r > 0) ord_heap_update(p, i);
    else ord_heap_remove(p, i);
    ord_check_ids(p, &bad);
    return -1;
}

static int try_advance(gt_parser *p, uint32_t i)
{
    ord_cursor *c = p->heap[i];
    p->vcount = 0;
    int r = ord_advance(p, &c->ev, c->m, p->gen.gen, &c->mstate);
    if (r <= 0) return r;
    const ord_type *t = &p->types[c->ev.type];
    if (p->verdict && (t->stack_mask | t->string_mask) && !ord_ids_ok(p, &c->ev)) return bad_ids_after(p, i, c);
    int64_t time = c->ev.time;
    r = ord_cursor_next(p, c);
    if (r < 0) return -1;
    if (r > 0) ord_heap_update(p, i);
    else ord_heap_remove(p, i);
    if (p->verdict) {
        for (uint32_t k = 0; k < p->vcount; k++) {
            int64_t ts = time <= p->last_ts ? (int64_t)((uint64_t)p->last_ts + 1) : time;
            p->last_ts = ts;
        }
        p->events += p->vcount;
    }
    return 1;
}

static gt_status diag_append(gt_parser *p, const char *s, size_t n)
{
    gt_status st = ord_grow_size(p, &p->diag, 1, &p->diag_cap, p->diag_len + n + 1);
    if (st != GT_OK) return st;
    memcpy(p->diag + p->diag_len, s, n);
    p->diag_len += n;
    p->diag[p->diag_len] = '\0';
    return GT_OK;
}

/* One frontier line: "M 3 [GoStart time=12 g=7 g_seq=2]" (Go's dumpFrontier). */
static size_t event_text(const gt_parser *p, const ord_base *ev, int64_t m, char *buf, size_t cap)
{
    const gt_event_spec *s = p->types[ev->type].spec;
    size_t n = (size_t)snprintf(buf, cap, "M %" PRId64 " [%s time=%" PRId64, m, s ? s->name : "", ev->time);
    for (unsigned i = 1; s && i < s->nargs && i <= 4 && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, " %s=%" PRIu64, s->args[i].name, ev->args[i - 1]);
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, "]");
    return n < cap ? n : cap - 1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Go's "G 7 [status=Waiting seq=3 (gen=2)]" lines (Go prints them in map
 * order; here by ID). */
static void dump_map(gt_parser *p, ord_fault *f, const ord_map *m, bool gs)
{
    size_t n = m->count, bytes = n * sizeof(int64_t), it = 0, k = 0;
    int64_t *ids = n ? gt_mem_alloc(&p->mem, bytes) : NULL;
    uint64_t key;
    void *val;
    while (ids && ord_map_next(m, &it, &key, &val)) ids[k++] = (int64_t)key;
    if (ids) qsort(ids, n, sizeof *ids, cmp_i64);
    char line[160];
    for (size_t i = 0; i < n; i++) {
        if (!ids) break;
        int len;
        if (gs) {
            const ord_g *g = ord_map_get(m, (uint64_t)ids[i]);
            len = snprintf(line, sizeof line, "G %" PRId64 " [status=%s seq=%" PRIu64 " (gen=%" PRIu64 ")]\n", ids[i],
                           ord_go_status_name(g->status), g->seq, g->seq_gen);
        } else {
            const ord_p *q = ord_map_get(m, (uint64_t)ids[i]);
            len = snprintf(line, sizeof line, "P %" PRId64 " [status=%s seq=%" PRIu64 " (gen=%" PRIu64 ")]\n", ids[i],
                           ord_proc_status_name(q->status), q->seq, q->seq_gen);
        }
        ord_fault_append(p, f, line, (size_t)len);
    }
    gt_mem_free(&p->mem, ids, bytes);
}

/* Go's "broken trace: failed to advance" with its frontier and state dump,
 * and our per-thread explanation (gt_parser_diagnostic). */
static gt_status failed_to_advance(gt_parser *p)
{
    ord_fault *f = &p->fault;
    char line[512];
    ord_fault_set(p, f, GT_ERR_SEMANTIC, p->heap[0]->ev.offset, "broken trace: failed to advance: frontier:\n[gen=%" PRIu64 "]\n\n",
                  p->gen.gen);
    ord_fault_where(f, p->heap[0]->ev.batch, p->heap[0]->ev.index, p->gen.gen, p->heap[0]->m);
    p->diag_len = 0;
    for (uint32_t i = 0; i < p->nheap; i++) {
        const ord_cursor *c = p->heap[i];
        size_t n = event_text(p, &c->ev, c->m, line, sizeof line);
        ord_fault_append(p, f, line, n);
        ord_fault_append(p, f, "\n", 1);
        char why[256];
        ord_explain(p, &c->ev, c->m, p->gen.gen, why, sizeof why);
        char head[96];
        int k = snprintf(head, sizeof head, "M %" PRId64 " at offset %" PRIu64 ": ", c->m, c->ev.offset);
        diag_append(p, head, (size_t)k);
        /* the event without the "M n [" prefix */
        const char *ev = strchr(line, '[');
        size_t evlen = ev ? strlen(ev + 1) : 0;
        if (ev && evlen) diag_append(p, ev + 1, evlen - 1);
        diag_append(p, ": ", 2);
        diag_append(p, why[0] ? why : "waits", strlen(why[0] ? why : "waits"));
        diag_append(p, "\n", 1);
    }
    ord_fault_append(p, f, "\n", 1);
    dump_map(p, f, &p->st.gs, true);
    ord_fault_append(p, f, "\n", 1);
    dump_map(p, f, &p->st.ps, false);
    ord_fault_append(p, f, "\n", 1);
    for (uint32_t i = 0; i < p->st.nms; i++) {
        const ord_m *m = &p->st.ms[i];
        int n = snprintf(line, sizeof line, "M %" PRId64 " [g=%" PRId64 " p=%" PRId64 "]\n", m->id, m->g, m->p);
        ord_fault_append(p, f, line, (size_t)n);
    }
    ord_fault_append(p, f, "\n", 1);
    static const char *const gc[] = {"Undetermined", "NotRunning", "Running"};
    int n = snprintf(line, sizeof line, "GC %" PRIu64 " %s\n\n", p->st.gc_seq, gc[p->st.gc_state % 3]);
    ord_fault_append(p, f, line, (size_t)n);
    return ord_report(p, f);
}

static void sample_event(gt_parser *p, ord_event *e)
{
    const ord_sample *s = &p->gen.samples[p->sample_pos++];
    memset(e, 0, sizeof *e);
    e->b.type = GT_V2_CPU_SAMPLE;
    e->b.time = s->time;
    e->b.args[0] = s->stack;
    e->b.offset = s->offset;
    e->b.batch = GT_NONE;
    e->b.index = NONE32;
    e->m = s->m;
    e->p = s->p;
    e->g = s->g;
    e->has_table = 1;
    e->gen = p->gen.gen;
}

/* The next event before the emission checks (Go's ReadEvent body). */
static gt_status step(gt_parser *p, ord_event **out)
{
    ord_event *e = ord_queue_pop(p);
    if (e) {
        *out = e;
        return GT_OK;
    }
    ord_gen *g = &p->gen;
    *out = &p->cur;
    bool samples_left = p->sample_pos < g->nsamples && p->have_gen;
    if (p->nheap == 0 && !samples_left)
        return p->version < 26 ? next_generation_spilled(p, &p->cur) : next_generation(p, &p->cur);
    if (samples_left && (p->nheap == 0 || g->samples[p->sample_pos].time < p->heap[0]->ev.time)) {
        sample_event(p, &p->cur);
        return GT_OK;
    }
    if (p->nheap == 0) return ord_fail(p, GT_ERR_SEMANTIC, ord_src_offset(p), "broken trace: frontier is empty");
    int r = try_advance(p, 0);
    if (r < 0) return p->err.status;
    if (r == 0) {
        ord_frontier_sort(p);
        for (uint32_t i = 1; i < p->nheap && r == 0; i++) {
            r = try_advance(p, i);
            if (r < 0) return p->err.status;
        }
        if (r == 0) return failed_to_advance(p);
    }
    if (p->verdict) {
        *out = NULL; /* advanced; nothing to deliver */
        return GT_OK;
    }
    if (!(*out = ord_queue_pop(p))) return ord_fail(p, GT_ERR_INTERNAL, ord_src_offset(p), "advanced without an event");
    return GT_OK;
}

/* The next event with Go's emission checks and time fix-up. */
static gt_status next_event(gt_parser *p, ord_event **out)
{
    switch (p->state) {
    case PS_FAILED: return p->err.status;
    case PS_DONE:
        if (!p->q.len) return GT_END;
        break;
    case PS_START: {
        if (p->src.mode == SRC_NONE) return GT_ERR_STATE;
        gt_status s = read_header(p);
        if (s != GT_OK) return s;
        break;
    }
    default: break;
    }
    ord_event *e;
    gt_status s = step(p, &e);
    if (s != GT_OK) return s;
    *out = e;
    if (!e) return GT_OK; /* verdict mode: advanced and accounted for */
    if ((s = ord_check_ids(p, e)) != GT_OK) return s;
    if (e->b.time <= p->last_ts) e->b.time = (int64_t)((uint64_t)p->last_ts + 1);
    p->last_ts = e->b.time;
    p->events++;
    *out = e;
    return GT_OK;
}

gt_status gt_parser_next_sync(gt_parser *p, gt_parsed *ev, uint64_t *skipped)
{
    if (skipped) *skipped = 0;
    if (!p || !ev) return GT_ERR_INVALID_ARGUMENT;
    uint64_t before = p->events;
    for (;;) {
        /* The common case, tightly: the frontier's top can go. Anything
         * else (a queue, samples first, a top that must wait, a new
         * generation) takes the general step, which tries the top again:
         * a top that waits changed nothing. */
        const ord_gen *g = &p->gen;
        if (p->state == PS_RUN && !p->q.len && p->nheap &&
            !(p->sample_pos < g->nsamples && g->samples[p->sample_pos].time < p->heap[0]->ev.time)) {
            p->verdict = true;
            int r = try_advance(p, 0);
            p->verdict = false;
            if (r > 0) continue;
            if (r < 0) return p->err.status;
        }
        ord_event *e;
        p->verdict = p->q.len == 0; /* events queued by gt_parser_next() go out the usual way */
        gt_status s = next_event(p, &e);
        p->verdict = false;
        if (s != GT_OK) return s;
        if (e && e->b.type == EV_SYNC) {
            if (skipped) *skipped = p->events - before - 1;
            return ord_resolve(p, e, ev);
        }
    }
}

gt_status gt_parser_next(gt_parser *p, gt_parsed *ev)
{
    if (!p || !ev) return GT_ERR_INVALID_ARGUMENT;
    ord_event *e;
    gt_status s = next_event(p, &e);
    return s == GT_OK ? ord_resolve(p, e, ev) : s;
}

/*-************************************
 *  Diagnostics
 **************************************/
size_t gt_parser_diagnostic(const gt_parser *p, char *dst, size_t cap)
{
    const char *text = "";
    size_t n = 0;
    char line[768];
    if (p && p->state == PS_FAILED) {
        if (p->diag_len) {
            text = p->diag;
            n = p->diag_len;
        } else {
            size_t k = 0;
            if (p->fail_has_ev) { /* "M 0 at offset 31: GoCreate time=5 new_g=1 new_stack=0 stack=0: <why>" */
                char ev[512];
                event_text(p, &p->fail_ev, p->fail_m, ev, sizeof ev);
                const char *body = strchr(ev, '[');
                size_t blen = body ? strlen(body + 1) : 0;
                k = (size_t)snprintf(line, sizeof line, "M %" PRId64 " at offset %" PRIu64 ": %.*s: ", p->fail_m,
                                     p->fail_ev.offset, blen ? (int)blen - 1 : 0, body ? body + 1 : "");
            } else {
                k = (size_t)snprintf(line, sizeof line, "%s at offset %" PRIu64 ": ", gt_status_name(p->err.status),
                                     p->err.offset);
            }
            if (k < sizeof line) {
                size_t msg = strcspn(p->err.message, "\n");
                if (msg > sizeof line - 1 - k) msg = sizeof line - 1 - k;
                memcpy(line + k, p->err.message, msg);
                k += msg;
                line[k] = '\0';
            }
            text = line;
            n = k < sizeof line ? k : sizeof line - 1;
        }
    }
    if (dst && cap) {
        size_t k = n < cap ? n : cap - 1;
        memcpy(dst, text, k);
        dst[k] = '\0';
    }
    return n;
}
