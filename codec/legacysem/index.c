/* Pass 1: every wire item, in file order, through gt_reader with framing
 * checks only (validation off: Go checks none of gotrace's table rules), and
 * the checks the oracle makes while reading:
 *
 *   go121 (readTrace, then parseEvents): string IDs and lengths, a frequency
 *         that is not positive, the STW kind of 1.10-1.19 files, "trace is
 *         empty" and "no EvFrequency event". Read errors come first, so the
 *         parseEvents ones wait for the end of the file.
 *   go127 (collectBatchesAndCPUSamples, then loadBatch during the merge):
 *         the Batch layout and P range, length prefixes above 2048 bytes,
 *         items before the first Batch; string checks and a bad frequency
 *         are kept with their batch and reported when the merge loads it.
 *
 * What is kept: the batches (offset and P; 12 bytes each), the CPU samples,
 * the strings (go121 only needs their bytes; both need their IDs for the
 * duplicate check), the timer goroutines and the frequency. */
#include <inttypes.h>

#include "legacysem.h"

#define GO_MAX_STRING 1000000u /* Go's limit on a string's length */
#define GO_MAX_FRAMES 1000u    /* Go's limit on a stack's frames */
#define GO127_MAX_BLOCK 2048u  /* Go 1.27's limit on a length prefix */

/* gt_reader allocates through the validation's budget. */
static void *shim_malloc(void *ctx, size_t n) { return gt_mem_alloc(ctx, n); }
static void *shim_realloc(void *ctx, void *p, size_t o, size_t n) { return gt_mem_realloc(ctx, p, o, n); }
static void shim_free(void *ctx, void *p, size_t n) { gt_mem_free(ctx, p, n); }

typedef struct pass1 {
    ls_ctx *c;
    bool seen_batch;
    uint32_t cur_batch;       /* LS_NONE32 before the first */
    /* go121: the first parseEvents error (reported once the file is read) */
    gt_status late_status;
    uint64_t late_off;
    char late_msg[96];
} pass1;

static void late(pass1 *s, gt_status st, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void late(pass1 *s, gt_status st, uint64_t off, const char *fmt, ...)
{
    if (s->late_status != GT_OK) return;
    s->late_status = st;
    s->late_off = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->late_msg, sizeof s->late_msg, fmt, ap);
    va_end(ap);
}

/* go127: an error Go reports when the merge loads the current batch. */
static gt_status at_load(pass1 *s, gt_status st, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static gt_status at_load(pass1 *s, gt_status st, uint64_t off, const char *fmt, ...)
{
    ls_ctx *c = s->c;
    if (c->nloaderr && c->loaderr[c->nloaderr - 1].batch == s->cur_batch) return GT_OK; /* the first counts */
    gt_status g = gt_ls_grow(&c->mem, &c->loaderr, &c->cap_loaderr, c->nloaderr, sizeof *c->loaderr);
    if (g != GT_OK) return gt_ls_nomem(c, g, "batch errors");
    ls_loaderr *e = &c->loaderr[c->nloaderr++];
    e->batch = s->cur_batch;
    e->status = st;
    e->off = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return GT_OK;
}

static gt_status add_batch(pass1 *s, uint64_t off, uint64_t p, bool pseudo)
{
    ls_ctx *c = s->c;
    if (c->nbatches >= LS_NONE32 - 1 || c->nprocs >= LS_NONE32 - 1) return gt_ls_nomem(c, GT_ERR_LIMIT, "batches");
    gt_status st = GT_OK;
    int fresh = 0;
    uint64_t *slot = gt_ls_map_put(&c->proc_of, &c->mem, p, &fresh, &st);
    if (!slot) return gt_ls_nomem(c, st, "Ps");
    if (fresh) {
        st = gt_ls_grow(&c->mem, &c->procs, &c->cap_procs, c->nprocs, sizeof *c->procs);
        if (st != GT_OK) return gt_ls_nomem(c, st, "Ps");
        *slot = c->nprocs;
        c->procs[c->nprocs++] = (ls_proc){p, LS_NONE32, LS_NONE32};
    }
    st = gt_ls_grow(&c->mem, &c->batches, &c->cap_batches, c->nbatches, sizeof *c->batches);
    if (st != GT_OK) return gt_ls_nomem(c, st, "batches");
    uint32_t idx = (uint32_t)c->nbatches++;
    ls_proc *pr = &c->procs[*slot];
    c->batches[idx] = (ls_batch){off, LS_NONE32, (uint32_t)*slot, pseudo};
    if (pr->last != LS_NONE32) c->batches[pr->last].next = idx;
    else pr->first = idx;
    pr->last = idx;
    s->cur_batch = idx;
    return GT_OK;
}

static gt_status on_batch(pass1 *s, const gt_event *ev)
{
    ls_ctx *c = s->c;
    uint64_t p = ev->args[0];
    if (c->oracle == LS_GO127) {
        if (ev->argbits != 1)
            return gt_ls_fail(c, GT_ERR_EVENT_LENGTH, ev->offset, "EvBatch has wrong number of arguments: got %u, want 2",
                              ev->argbits + 1u);
        if (p != UINT64_MAX && p > (uint64_t)INT32_MAX)
            return gt_ls_fail(c, GT_ERR_BAD_BATCH, ev->offset, "processor ID %" PRIu64 " is larger than maximum of %" PRIu64,
                              p, UINT64_MAX);
    }
    s->seen_batch = true;
    return add_batch(s, ev->offset, p, false);
}

static gt_status on_string(pass1 *s, const gt_event *ev)
{
    ls_ctx *c = s->c;
    bool go121 = c->oracle == LS_GO121;
    /* Go 1.27 reads strings fully only inside the batches it loads. */
    if (!go121 && !s->seen_batch) return GT_OK;
    uint64_t id = ev->args[0], after_id = ev->offset + 1 + ev->width[0];
    uint64_t after_len = after_id + ev->data_len_width, len = ev->data_len;
    if (id == 0)
        return go121 ? gt_ls_fail(c, GT_ERR_ZERO_ID, ev->offset, "string at offset %" PRIu64 " has invalid id 0", after_id)
                     : at_load(s, GT_ERR_ZERO_ID, ev->offset, "string has invalid id 0");
    if (gt_ls_map_get(&c->strings, id))
        return go121 ? gt_ls_fail(c, GT_ERR_DUPLICATE_ID, ev->offset,
                                  "string at offset %" PRIu64 " has duplicate id %" PRIu64, after_id, id)
                     : at_load(s, GT_ERR_DUPLICATE_ID, ev->offset, "string has duplicate id %" PRIu64, id);
    if (len == 0)
        return go121 ? gt_ls_fail(c, GT_ERR_BAD_TABLE, ev->offset, "string at offset %" PRIu64 " has invalid length 0",
                                  after_len)
                     : at_load(s, GT_ERR_BAD_TABLE, ev->offset, "string has invalid length 0");
    if (len > GO_MAX_STRING)
        return go121 ? gt_ls_fail(c, GT_ERR_STRING_SIZE, ev->offset,
                                  "string at offset %" PRIu64 " has too large length %" PRIu64, after_len, len)
                     : at_load(s, GT_ERR_STRING_SIZE, ev->offset, "string has too large length %" PRIu64, len);
    if (id > c->max_string) c->max_string = id;
    gt_status st = GT_OK;
    uint64_t *v = gt_ls_map_put(&c->strings, &c->mem, id, NULL, &st);
    if (!v) return gt_ls_nomem(c, st, "strings");
    v[0] = (uint64_t)(ev->data - c->data);
    v[1] = len;
    return GT_OK;
}

static gt_status on_cpu_sample(pass1 *s, const gt_event *ev)
{
    ls_ctx *c = s->c;
    /* dt, real time, p, g, stack */
    gt_status st = gt_ls_grow(&c->mem, &c->cpu, &c->cap_cpu, c->ncpu, sizeof *c->cpu);
    if (st != GT_OK) return gt_ls_nomem(c, st, "CPU samples");
    ls_cpu *e = &c->cpu[c->ncpu++];
    e->ts = gt_ls_i64(ev->args[1]);
    e->p = c->oracle == LS_GO121 ? gt_ls_i64(ev->args[2]) : gt_ls_i32(ev->args[2]);
    e->g = ev->args[3];
    e->stk = ev->args[4];
    e->off = ev->offset;
    c->timed++;
    return GT_OK;
}

static gt_status on_item(pass1 *s, const gt_event *ev)
{
    ls_ctx *c = s->c;
    bool go121 = c->oracle == LS_GO121;
    if (ev->type == LS_BATCH) return on_batch(s, ev);
    if (!s->seen_batch && ev->type != LS_STRING) {
        if (!go121)
            return gt_ls_fail(c, GT_ERR_BAD_BATCH, ev->offset,
                              "read event %u with current P of 0, but P has no batches yet", ev->type);
        /* Go 1.21 gives the events before the first Batch P 0 and time 0. */
        if (s->cur_batch == LS_NONE32) {
            gt_status st = add_batch(s, ev->offset, 0, true);
            if (st != GT_OK) return st;
        }
    }
    if (!go121 && ev->block_len_width && ev->type != LS_STRING && ev->block_len > GO127_MAX_BLOCK)
        return gt_ls_fail(c, GT_ERR_EVENT_LENGTH, ev->offset,
                          "failed to read event %u argument: length-prefixed argument too big: %" PRIu32
                          " bytes, limit is %u", ev->type, ev->block_len, GO127_MAX_BLOCK);
    switch (ev->type) {
    case LS_STRING: return on_string(s, ev);
    case LS_STACK: return GT_OK;
    case LS_FREQUENCY: {
        uint64_t f = ev->args[0];
        if (gt_ls_i64(f) <= 0) {
            if (go121) late(s, GT_ERR_BAD_FREQUENCY, ev->offset, "time stamps out of order");
            else return at_load(s, GT_ERR_BAD_FREQUENCY, ev->offset, "time stamps out of order");
            return GT_OK;
        }
        c->freq = f;
        c->have_freq = true;
        return GT_OK;
    }
    case LS_TIMER_GOROUTINE: {
        gt_status st = GT_OK;
        if (!gt_ls_map_put(&c->timers, &c->mem, ev->args[0], NULL, &st)) return gt_ls_nomem(c, st, "timer goroutines");
        return GT_OK;
    }
    case LS_CPU_SAMPLE: return on_cpu_sample(s, ev);
    case LS_USER_LOG:
        c->user_logs++;
        if (ev->data_len > GO_MAX_STRING) {
            if (!go121)
                return at_load(s, GT_ERR_STRING_SIZE, ev->offset, "string is too large (len=%" PRIu64 ")", ev->data_len);
            /* Go 1.21 drops this error and reads on right after the length. */
            c->empty_at = (uint64_t)(ev->data - c->data) - ev->data_len_width;
            c->empty_width = ev->data_len_width;
            return GT_END;
        }
        break;
    case LS_STW_START:
        /* Go 1.21 names the STW kinds of 1.10-1.19 files and knows two. */
        if (go121 && c->version >= 10 && c->version < 21 && ev->args[1] > 1)
            late(s, GT_ERR_BAD_EVENT, ev->offset, "unknown STW kind %" PRIu64, ev->args[1]);
        break;
    default: break;
    }
    if (ev->type == LS_FUTILE_WAKEUP) c->futile++;
    if (c->layout.timed[ev->type]) c->timed++;
    return GT_OK;
}

/* Go 1.21 drops a read error in the message of a UserLog (the next read
 * overwrites it), so a message cut by the end of the file is accepted. True
 * if that is what stopped the reader. */
static bool cut_user_log(ls_ctx *c, const gt_error *e)
{
    if (c->oracle != LS_GO121 || e->status != GT_ERR_TRUNCATED || e->offset >= c->size) return false;
    if ((c->data[e->offset] & 0x3fu) != LS_USER_LOG) return false;
    uint64_t pos = e->offset;
    ls_item it;
    if (!gt_ls_decode(&c->layout, c->data, c->size, &pos, &it) || it.nvals != c->layout.nvals[LS_USER_LOG]) return false;
    /* A declared length above Go's limit: Go reads on after it instead. */
    uint64_t len = 0;
    size_t w = 0;
    if (gt_uvarint_read(c->data + it.len_off, c->size - (size_t)it.len_off, &len, &w) == GT_OK && len > GO_MAX_STRING) {
        c->empty_at = it.len_off;
        c->empty_width = (uint8_t)w;
        return false;
    }
    return true;
}

static gt_status finish_go121(pass1 *s)
{
    ls_ctx *c = s->c;
    if (s->late_status != GT_OK) return gt_ls_fail(c, s->late_status, s->late_off, "%s", s->late_msg);
    if (c->timed == 0) return gt_ls_fail(c, GT_ERR_BAD_BATCH, c->end_off, "trace is empty");
    if (!c->have_freq) return gt_ls_fail(c, GT_ERR_MISSING_FREQUENCY, c->end_off, "no EvFrequency event");
    return GT_OK;
}

static gt_status index_once(ls_ctx *c)
{
    gt_alloc shim = {shim_malloc, shim_realloc, shim_free, &c->mem};
    gt_reader *r = gt_reader_create(&shim);
    if (!r) return gt_ls_nomem(c, gt_ls_mem_status(&c->mem, 1 << 16), "the reader");
    gt_limits lim = c->lim;
    lim.max_frames = GO_MAX_FRAMES;
    lim.max_batch_size = UINT32_MAX; /* Go's own string limit is checked here */
    gt_reader_set_limits(r, &lim);
    gt_reader_set_validation(r, 0);
    gt_reader_set_buffer(r, c->data, c->size);
    pass1 s = {.c = c, .cur_batch = LS_NONE32};
    gt_event ev;
    gt_status st;
    while ((st = gt_reader_next(r, &ev)) == GT_OK && !c->failed) {
        if (ev.kind == GT_KIND_HEADER) continue;
        if (on_item(&s, &ev) != GT_OK) break;
    }
    c->end_off = c->size;
    if (c->empty_at) { /* read again (gt_ls_index) */
        gt_reader_free(r);
        return GT_OK;
    }
    if (!c->failed && st != GT_END) {
        const gt_error *e = gt_reader_error(r);
        if (cut_user_log(c, e)) {
            /* Read the UserLog as the last item. */
            uint64_t pos = e->offset;
            ls_item it;
            gt_ls_decode(&c->layout, c->data, c->size, &pos, &it);
            c->timed++;
            if (s.cur_batch == LS_NONE32) add_batch(&s, e->offset, 0, true);
        } else if (e->status == GT_ERR_UNKNOWN_EVENT && e->offset < c->size) {
            /* Go's own words for this one are exact. */
            unsigned t = c->data[e->offset] & 0x3fu;
            if (c->oracle == LS_GO121)
                gt_ls_fail(c, e->status, e->offset, "unknown event type %u at offset 0x%llx", t,
                           (unsigned long long)e->offset);
            else
                gt_ls_fail(c, e->status, e->offset, "unknown event type %u", t);
            c->err->batch = e->batch;
            c->err->event = e->event;
        } else if (e->status != GT_OK) {
            gt_ls_fail(c, e->status, e->offset, "%s", e->message);
            c->err->batch = e->batch;
            c->err->event = e->event;
        } else {
            gt_ls_fail(c, st, 0, "%s", gt_status_text(st));
        }
    }
    gt_reader_free(r);
    if (c->failed) return c->err->status;
    return c->oracle == LS_GO121 ? finish_go121(&s) : GT_OK;
}

/* The private copy of the input Go 1.21's reading needs (see below). */
static bool make_copy(ls_ctx *c)
{
    if (c->copy) return true;
    uint8_t *copy = gt_mem_alloc(&c->mem, c->size);
    if (!copy) { /* the verdict would be wrong: say why there is none */
        gt_status st = gt_ls_mem_status(&c->mem, c->size);
        c->failed = false;
        gt_ls_nomem(c, st, "a copy of the input");
        return false;
    }
    memcpy(copy, c->data, c->size);
    c->copy = copy;
    c->data = copy;
    return true;
}

/* Go 1.21 reads some inputs gt_reader refuses: ten-byte varints whose last
 * byte is 2 to 0x7f (Go keeps its low bit), and a UserLog message longer
 * than 10^6 bytes (Go drops the error and reads on after the length). When
 * that is what stopped pass 1, it runs again on a private copy of the input
 * in which those varints say what Go reads (the message length: 0), with
 * the same widths, so the same offsets. The copy costs the input's size,
 * once; a file needing more than 64 such rounds keeps the first verdict. */
static bool retry_go121(ls_ctx *c)
{
    if (c->oracle != LS_GO121) return false;
    if (c->empty_at) {
        if (!make_copy(c)) return false;
        for (unsigned i = 0; i < c->empty_width; i++)
            c->copy[c->empty_at + i] = i + 1u < c->empty_width ? 0x80 : 0x00;
        c->empty_at = 0;
    } else {
        if (c->err->status != GT_ERR_VARINT || c->err->offset >= c->size || !make_copy(c)) return false;
        if (gt_ls_go121_varints(&c->layout, c->copy, c->size, c->err->offset) == 0) return false;
    }
    gt_ls_index_free(c);
    c->freq = c->timed = c->futile = c->max_string = c->user_logs = 0;
    c->have_freq = false;
    c->end_off = c->size;
    c->failed = false;
    gt_error_clear(c->err);
    return true;
}

gt_status gt_ls_index(ls_ctx *c)
{
    gt_status st = index_once(c);
    for (int round = 0; (st == GT_ERR_VARINT || c->empty_at) && round < 64 && retry_go121(c); round++)
        st = index_once(c);
    if (c->empty_at && !c->failed) /* out of rounds */
        return gt_ls_fail(c, GT_ERR_LIMIT, c->empty_at, "more than 64 re-readings of the input");
    return c->failed ? c->err->status : st;
}

void gt_ls_index_free(ls_ctx *c)
{
    gt_mem_free(&c->mem, c->batches, c->cap_batches * sizeof *c->batches);
    gt_mem_free(&c->mem, c->procs, c->cap_procs * sizeof *c->procs);
    gt_mem_free(&c->mem, c->cpu, c->cap_cpu * sizeof *c->cpu);
    gt_mem_free(&c->mem, c->loaderr, c->cap_loaderr * sizeof *c->loaderr);
    gt_ls_map_free(&c->proc_of, &c->mem);
    gt_ls_map_free(&c->strings, &c->mem);
    gt_ls_map_free(&c->timers, &c->mem);
    c->batches = NULL;
    c->procs = NULL;
    c->cpu = NULL;
    c->loaderr = NULL;
    c->nbatches = c->cap_batches = c->nprocs = c->cap_procs = c->ncpu = c->cap_cpu = 0;
    c->nloaderr = c->cap_loaderr = 0;
}
