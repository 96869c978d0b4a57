/* gt_legacy_validate(): the verdict of Go's legacy readers on a trace. See
 * legacysem.h for the parts and spec/LEGACY-SEMANTICS.md for the rules. */
#include <inttypes.h>

#include "legacysem.h"

gt_status gt_ls_fail(ls_ctx *c, gt_status status, uint64_t off, const char *fmt, ...)
{
    if (c->failed) return c->err->status;
    c->failed = true;
    gt_error *e = c->err;
    e->status = status;
    e->offset = off;
    e->batch = GT_NONE;
    e->event = GT_NONE;
    e->generation = GT_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return status;
}

gt_status gt_ls_nomem(ls_ctx *c, gt_status st, const char *what)
{
    if (st == GT_ERR_LIMIT)
        return gt_ls_fail(c, GT_ERR_LIMIT, 0, "memory for %s exceeds the limit of %" PRIu64 " bytes", what, c->mem.limit);
    return gt_ls_fail(c, st == GT_OK ? GT_ERR_NOMEM : st, 0, "out of memory (%s)", what);
}

/* Fill in the batch and event index of an error found after pass 1: the
 * batch holding the offset, and the item's place in it (counted as
 * gt_reader counts: the items after the Batch event, from 0). */
static void locate(ls_ctx *c)
{
    gt_error *e = c->err;
    if (e->batch != GT_NONE || e->offset >= c->end_off || c->nbatches == 0) return;
    size_t lo = 0, hi = c->nbatches;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->batches[mid].off <= e->offset) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return;
    const ls_batch *b = &c->batches[lo - 1];
    if (b->pseudo) return;
    uint64_t pos = b->off, end = lo < c->nbatches ? c->batches[lo].off : c->end_off, n = 0;
    ls_item it;
    if (!gt_ls_decode(&c->layout, c->data, (size_t)end, &pos, &it)) return; /* the Batch event */
    while (pos < e->offset && gt_ls_decode(&c->layout, c->data, (size_t)end, &pos, &it)) n++;
    if (pos != e->offset) return;
    /* Real batches are numbered as gt_reader numbers them (the pseudo batch,
     * if any, is batches[0] and is not one). */
    e->batch = (uint64_t)(lo - 1) - (c->batches[0].pseudo ? 1u : 0u);
    e->event = n;
}

static gt_status check_header(ls_ctx *c, gt_legacy_oracle oracle)
{
    unsigned v = 0;
    gt_status s = gt_header_parse(c->data, c->size, &v);
    if (s != GT_OK && s != GT_ERR_UNSUPPORTED_VERSION) {
        /* Not a header: with no version to go by, AUTO means Go 1.21. */
        c->oracle = oracle == GT_LEGACY_ORACLE_GO127 ? LS_GO127 : LS_GO121;
        gt_status st = s == GT_NEED_INPUT && c->size ? GT_ERR_TRUNCATED : GT_ERR_NOT_TRACE;
        if (c->oracle == LS_GO127)
            return gt_ls_fail(c, st, 0, "bad file format: not a Go execution trace?");
        if (c->size < GT_HEADER_SIZE)
            return gt_ls_fail(c, st, c->size, "failed to read header: read %zu, err %s", c->size,
                              c->size ? "unexpected EOF" : "EOF");
        return gt_ls_fail(c, st, 0, "not a trace file");
    }
    bool legacy = s == GT_OK && gt_version_format(v) == GT_FORMAT_LEGACY;
    bool new_reader = v == 11 || v == 19 || v == 21;
    c->version = v;
    if (oracle == GT_LEGACY_ORACLE_AUTO) c->oracle = new_reader ? LS_GO127 : LS_GO121;
    else c->oracle = oracle == GT_LEGACY_ORACLE_GO121 ? LS_GO121 : LS_GO127;
    if (legacy && (c->oracle == LS_GO121 || new_reader)) return GT_OK;
    if (c->oracle == LS_GO121)
        return gt_ls_fail(c, GT_ERR_UNSUPPORTED_VERSION, 0, "unsupported trace file version 1.%u (update Go toolchain) %u",
                          v, 1000 + v);
    if (legacy || s == GT_ERR_UNSUPPORTED_VERSION)
        return gt_ls_fail(c, GT_ERR_UNSUPPORTED_VERSION, 0, "unknown or unsupported trace version go 1.%u", v);
    return gt_ls_fail(c, GT_ERR_UNSUPPORTED_VERSION, 0, "go 1.%u is not a legacy trace version", v);
}

/* Order, then run the state checks on the final stream. */
static gt_status validate(ls_ctx *c)
{
    gt_status st = gt_ls_index(c);
    if (st != GT_OK) return st;
    ls_order *o7 = NULL;
    ls_seqorder *o5 = NULL;
    st = c->version < 7 ? gt_ls_order1005_check(c, &o5) : gt_ls_order1007_check(c, &o7);
    ls_post *pp = NULL;
    ls_futile *fu = NULL;
    if (st == GT_OK) st = gt_ls_post_create(c, &pp);
    if (st == GT_OK && c->oracle == LS_GO121 && c->futile > 0) {
        /* removeFutile: one run to find the futile wakeups, one to drop them. */
        st = gt_ls_futile_create(c, &fu);
        if (st == GT_OK)
            st = o5 ? gt_ls_order1005_stream(c, o5, gt_ls_futile_scan, fu) : gt_ls_order1007_stream(c, o7, gt_ls_futile_scan, fu);
        gt_ls_post_set_futile(pp, fu);
    }
    if (st == GT_OK)
        st = o5 ? gt_ls_order1005_stream(c, o5, gt_ls_post_event, pp) : gt_ls_order1007_stream(c, o7, gt_ls_post_event, pp);
    if (st == GT_OK) st = gt_ls_post_finish(c, pp);
    gt_ls_post_free(c, pp);
    gt_ls_futile_free(c, fu);
    gt_ls_order1005_free(c, o5);
    gt_ls_order1007_free(c, o7);
    return c->failed ? c->err->status : st;
}

gt_status gt_legacy_validate(const void *data, size_t size, const gt_alloc *alloc, const gt_limits *lim,
                             gt_legacy_oracle oracle, gt_error *err)
{
    gt_error scratch;
    if (!err) err = &scratch;
    gt_error_clear(err);
    if ((!data && size) ||
        (oracle != GT_LEGACY_ORACLE_AUTO && oracle != GT_LEGACY_ORACLE_GO121 && oracle != GT_LEGACY_ORACLE_GO127))
        return gt_error_set(err, GT_ERR_INVALID_ARGUMENT, 0, "%s", !data && size ? "data is NULL" : "unknown oracle");
    ls_ctx c;
    memset(&c, 0, sizeof c);
    gt_limits_default(&c.lim);
    if (lim && lim->max_memory) c.lim.max_memory = lim->max_memory;
    gt_mem_init(&c.mem, alloc, c.lim.max_memory);
    c.err = err;
    c.data = data ? data : (const void *)"";
    c.size = size;
    c.end_off = size;
    gt_ls_map_init(&c.proc_of, sizeof(uint64_t));
    gt_ls_map_init(&c.strings, 2 * sizeof(uint64_t));
    gt_ls_map_init(&c.timers, sizeof(uint64_t));
    gt_status st = check_header(&c, oracle);
    if (st == GT_OK) {
        gt_ls_layout_init(&c.layout, c.version);
        st = validate(&c);
        if (st != GT_OK) locate(&c);
    }
    gt_ls_index_free(&c);
    gt_mem_free(&c.mem, c.copy, c.size);
    if (st == GT_OK) gt_error_clear(err);
    return st;
}
