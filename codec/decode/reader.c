/* gt_reader: life cycle, input selection, the header, and dispatch to the
 * format's decoder. Errors are sticky until gt_reader_reset(). */
#include "reader.h"

enum { RS_START = 0, RS_BODY, RS_END, RS_FAILED };

/* Largest single item the decoders ask for at once, for a given set of limits. */
static size_t window_need(const gt_limits *lim)
{
    return (size_t)lim->max_batch_size + 64 + (size_t)lim->max_frames * 4 * GT_UVARINT_MAX;
}

static void normalize_limits(gt_limits *lim)
{
    gt_limits d;
    gt_limits_default(&d);
    if (!lim->max_batch_size) lim->max_batch_size = d.max_batch_size;
    if (!lim->max_string_size) lim->max_string_size = d.max_string_size;
    if (!lim->max_frames) lim->max_frames = d.max_frames;
    if (!lim->max_ids) lim->max_ids = d.max_ids;
    if (!lim->max_memory) lim->max_memory = d.max_memory;
}

gt_reader *gt_reader_create(const gt_alloc *alloc)
{
    gt_mem mem;
    gt_limits lim;
    gt_limits_default(&lim);
    gt_mem_init(&mem, alloc, lim.max_memory);
    gt_reader *r = gt_mem_calloc(&mem, 1, sizeof *r);
    if (!r) return NULL;
    r->mem = mem;
    r->lim = lim;
    r->validate = true;
    gt_reader_reset(r);
    return r;
}

static void release(gt_reader *r)
{
    gt_input_free(r);
    gt_mem_free(&r->mem, r->frames, (size_t)r->lim.max_frames * sizeof *r->frames);
    r->frames = NULL;
    gt_idmap_free(&r->g.strings, &r->mem);
    gt_idmap_free(&r->g.stacks, &r->mem);
}

void gt_reader_free(gt_reader *r)
{
    if (!r) return;
    release(r);
    gt_mem m = r->mem;
    gt_mem_free(&m, r, sizeof *r);
}

void gt_reader_reset(gt_reader *r)
{
    release(r);
    gt_mem mem = r->mem;
    gt_limits lim = r->lim;
    bool validate = r->validate;
    memset(r, 0, sizeof *r);
    r->mem = mem;
    r->lim = lim;
    r->validate = validate;
    r->filter = UINT32_MAX;
    r->state = RS_START;
    gt_error_clear(&r->err);
}

gt_status gt_reader_set_limits(gt_reader *r, const gt_limits *lim)
{
    if (r->state != RS_START || r->in.buf) return GT_ERR_STATE;
    if (lim) r->lim = *lim;
    else gt_limits_default(&r->lim);
    normalize_limits(&r->lim);
    r->mem.limit = r->lim.max_memory;
    return GT_OK;
}

gt_status gt_reader_set_validation(gt_reader *r, int on)
{
    if (r->state != RS_START) return GT_ERR_STATE;
    r->validate = on != 0;
    return GT_OK;
}

gt_status gt_reader_set_buffer(gt_reader *r, const void *data, size_t size)
{
    if (r->state != RS_START || r->in.mode != SRC_NONE) return GT_ERR_STATE;
    if (!data && size) return GT_ERR_INVALID_ARGUMENT;
    r->in.mode = SRC_MEM;
    r->in.data = data;
    r->in.end = size;
    r->in.final = true;
    return GT_OK;
}

static gt_status alloc_window(gt_reader *r, int mode)
{
    if (r->state != RS_START || r->in.mode != SRC_NONE) return GT_ERR_STATE;
    size_t cap = window_need(&r->lim) * 2;
    r->in.buf = gt_mem_alloc(&r->mem, cap);
    if (!r->in.buf) return GT_ERR_NOMEM;
    r->in.cap = cap;
    r->in.data = r->in.buf;
    r->in.mode = mode;
    return GT_OK;
}

gt_status gt_reader_set_callback(gt_reader *r, gt_read_fn fn, void *user)
{
    if (!fn) return GT_ERR_INVALID_ARGUMENT;
    gt_status s = alloc_window(r, SRC_CALLBACK);
    if (s != GT_OK) return s;
    r->in.fn = fn;
    r->in.user = user;
    return GT_OK;
}

gt_status gt_reader_feed(gt_reader *r, const void *data, size_t size, int final, size_t *consumed)
{
    gt_input *in = &r->in;
    *consumed = 0;
    if (in->mode == SRC_NONE) {
        gt_status s = alloc_window(r, SRC_PUSH);
        if (s != GT_OK) return s;
    }
    if (in->mode != SRC_PUSH || in->final) return GT_ERR_STATE;
    if (!data && size) return GT_ERR_INVALID_ARGUMENT;
    /* Compact only between batches: an open v2 batch is read in place from
     * the window (r->cur points into it) after its bytes were consumed. */
    if (in->pos > 0 && in->cap - in->end < size && !r->in_batch) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->base += in->pos;
        in->end -= in->pos;
        in->pos = 0;
    }
    size_t n = in->cap - in->end < size ? in->cap - in->end : size;
    if (n) memcpy(in->buf + in->end, data, n);
    in->end += n;
    *consumed = n;
    if (final && n == size) in->final = true;
    return GT_OK;
}

gt_status gt_reader_fail(gt_reader *r, gt_status s, uint64_t offset, const char *fmt, ...)
{
    r->err.status = s;
    r->err.offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err.message, sizeof r->err.message, fmt, ap);
    va_end(ap);
    r->state = RS_FAILED;
    return s;
}

void gt_event_clear(gt_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->batch = GT_NONE;
    ev->index = GT_NONE;
    ev->generation = GT_NONE;
}

static void build_view(gt_reader *r)
{
    for (unsigned t = 0; t < 256; t++) {
        gt_view_entry *v = &r->view[t];
        v->spec = gt_spec(r->version, t);
        if (!v->spec) continue;
        const gt_arg_spec *args[GT_MAX_ARGS];
        v->nargs = (uint8_t)gt_spec_args(v->spec, r->version, args);
        v->plain = r->format == GT_FORMAT_V2 &&
                   (v->spec->flags & (GT_EV_TIMED | GT_EV_STRUCTURAL | GT_EV_IS_STACK | GT_EV_HAS_DATA)) == GT_EV_TIMED;
        for (unsigned i = 0; i < v->nargs; i++) {
            v->roles[i] = args[i]->role;
            if (v->roles[i] == GT_ARG_STRING_ID || v->roles[i] == GT_ARG_STACK_ID) v->refmask |= (uint8_t)(1u << i);
        }
        if (v->plain) {
            uint32_t stk = 0;
            for (unsigned i = 0; i < v->nargs; i++)
                if (v->roles[i] == GT_ARG_STACK_ID) stk |= 1u << i;
            r->skim_plan[t] = v->nargs | (r->validate ? (uint32_t)v->refmask << 8 | stk << 16 : 0);
        }
    }
}

static gt_status read_header(gt_reader *r, gt_event *ev)
{
    const uint8_t *p;
    size_t avail;
    gt_status s = gt_input_fill(r, GT_HEADER_SIZE, &p, &avail);
    if (s != GT_OK) return s == GT_NEED_INPUT ? s : gt_reader_fail(r, s, 0, "%s", gt_status_text(s));
    unsigned v;
    s = gt_header_parse(p, avail, &v);
    if (s == GT_NEED_INPUT)
        return avail ? gt_reader_fail(r, GT_ERR_TRUNCATED, avail, "input ends inside the %zu-byte header", avail)
                     : gt_reader_fail(r, GT_ERR_NOT_TRACE, 0, "not a Go execution trace: input is empty");
    if (s == GT_ERR_UNSUPPORTED_VERSION)
        return gt_reader_fail(r, s, 0, "unsupported version go 1.%u", v);
    if (s != GT_OK) return gt_reader_fail(r, s, 0, "not a Go execution trace");
    r->frames = gt_mem_calloc(&r->mem, r->lim.max_frames, sizeof *r->frames);
    if (!r->frames) return gt_reader_fail(r, GT_ERR_NOMEM, 0, "cannot allocate the frame buffer");
    r->version = v;
    r->format = gt_version_format(v);
    build_view(r);
    gt_input_consume(r, GT_HEADER_SIZE);
    r->good_bytes = GT_HEADER_SIZE;
    gt_event_clear(ev);
    ev->kind = GT_KIND_HEADER;
    ev->nargs = 1;
    ev->args[0] = v;
    r->state = RS_BODY;
    r->counts[GT_KIND_HEADER]++;
    return GT_OK;
}

void gt_reader_set_filter(gt_reader *r, uint32_t kind_mask) { r->filter = kind_mask; }

uint64_t gt_reader_count(const gt_reader *r, gt_kind kind) { return r->counts[(unsigned)kind & 15u]; }

gt_status gt_reader_next(gt_reader *r, gt_event *ev)
{
    switch (r->state) {
    case RS_FAILED: return r->err.status;
    case RS_END: return GT_END;
    case RS_START: {
        if (r->in.mode == SRC_NONE) return GT_ERR_STATE;
        gt_status hs = read_header(r, ev);
        if (hs != GT_OK || (r->filter >> GT_KIND_HEADER) & 1u) return hs;
        break;
    }
    default: break;
    }
    gt_status s;
    if (r->format == GT_FORMAT_V2) s = gt_v2_next(r, ev);
    else do s = gt_legacy_next(r, ev);
        while (s == GT_OK && !gt_keep(r, ev));
    if (s == GT_END) r->state = RS_END;
    else if (gt_is_error(s) && r->state != RS_FAILED)
        return gt_reader_fail(r, s, gt_input_offset(r), "%s", gt_status_text(s));
    return s;
}

const gt_error *gt_reader_error(const gt_reader *r) { return &r->err; }
unsigned gt_reader_version(const gt_reader *r) { return r->version; }

void gt_reader_salvage(const gt_reader *r, uint64_t total_size, gt_salvage *out)
{
    uint64_t seen = r->in.base + r->in.end;
    uint64_t total = total_size ? total_size : seen;
    out->good_bytes = r->state == RS_END ? total : r->good_bytes;
    out->lost_bytes = total > out->good_bytes ? total - out->good_bytes : 0;
    out->lost_generation = r->state == RS_END || r->g.gen == 0 ? GT_NONE : r->g.gen;
    out->generations = r->generations;
}

void gt_reader_memory(const gt_reader *r, uint64_t *current, uint64_t *peak)
{
    if (current) *current = r->mem.used;
    if (peak) *peak = r->mem.peak;
}
