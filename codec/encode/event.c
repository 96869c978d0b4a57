/* The raw encoder: one item, as the reader delivered it, back to its bytes.
 *
 * The layout of an item follows from the version's table and the item's
 * type, exactly as the decoders read it (codec/decode/v2.c, legacy.c); the
 * item supplies the values and how wide each was on the wire. An item is
 * first checked and measured (a plan), then written without bounds checks. */
#include "encode.h"

typedef struct plan {
    bool legacy;
    unsigned n;         /* wire arguments */
    bool raw_first;     /* v2 ExperimentalBatch: args[0] is one raw byte */
    bool prefixed;      /* legacy: the arguments sit in a length-prefixed block */
    unsigned ff;        /* varints per frame; 0 = no frames */
    bool has_data;      /* a length and bytes follow */
    bool write_data;    /* ... and the bytes are ev->data (not left to the caller) */
    uint64_t body;      /* legacy prefixed: bytes inside the block */
    unsigned len_width; /* legacy prefixed: width of the block length */
    size_t head;        /* bytes before the data */
} plan;

static bool frame_widths_ok(const gt_frame *f, unsigned ff, uint64_t *bytes)
{
    const uint64_t v[4] = {f->pc, f->func, f->file, f->line};
    for (unsigned k = 0; k < ff; k++) {
        if (!gt_enc_width_ok(f->width[k], v[k])) return false;
        *bytes += gt_enc_width(f->width[k], v[k]);
    }
    return true;
}

/* Arguments and frames: their widths, and the bytes they take. */
static gt_status plan_values(const gt_event *ev, plan *pl, uint64_t *bytes)
{
    for (unsigned i = 0; i < pl->n; i++) {
        if (i == 0 && pl->raw_first) {
            if (ev->args[0] > 0xff || ev->width[0] > 1) return GT_ERR_INVALID_ARGUMENT;
            *bytes += 1;
            continue;
        }
        if (!gt_enc_width_ok(ev->width[i], ev->args[i])) return GT_ERR_INVALID_ARGUMENT;
        *bytes += gt_enc_width(ev->width[i], ev->args[i]);
    }
    if (pl->ff == 0) return GT_OK;
    if (ev->nframes != ev->args[1] || (ev->nframes && !ev->frames)) return GT_ERR_INVALID_ARGUMENT;
    for (uint32_t f = 0; f < ev->nframes; f++)
        if (!frame_widths_ok(&ev->frames[f], pl->ff, bytes)) return GT_ERR_INVALID_ARGUMENT;
    return GT_OK;
}

static gt_status plan_item(unsigned version, const gt_event *ev, plan *pl)
{
    memset(pl, 0, sizeof *pl);
    gt_format fmt = gt_version_format(version);
    if (fmt == GT_FORMAT_UNKNOWN) return GT_ERR_UNSUPPORTED_VERSION;
    const bool legacy = pl->legacy = fmt == GT_FORMAT_LEGACY;
    if (legacy && (ev->type > 63 || ev->argbits > 3))
        return ev->type > 63 ? GT_ERR_UNKNOWN_EVENT : GT_ERR_INVALID_ARGUMENT;
    const gt_event_spec *spec = gt_spec(version, ev->type);
    if (!spec) return GT_ERR_UNKNOWN_EVENT;
    const gt_arg_spec *a[GT_MAX_ARGS];
    pl->n = gt_spec_args(spec, version, a);
    if (ev->nargs != pl->n) return GT_ERR_INVALID_ARGUMENT;
    /* The experiment byte is raw only in a batch header: inside a payload the
     * reader takes the same type byte as an event of varints (as Go's raw
     * reader does everywhere). */
    const bool header = ev->kind == GT_KIND_BATCH;
    pl->raw_first = header && pl->n > 0 && a[0]->role == GT_ARG_RAW_BYTE;
    if (spec->flags & GT_EV_IS_STACK) pl->ff = legacy ? gt_spec_frame_fields(version) : 4u;
    pl->has_data = (spec->flags & GT_EV_HAS_DATA) || (legacy && (spec->flags & GT_EV_TRAILER));
    pl->prefixed = legacy && ev->argbits == 3 && ev->type != GT_LEG_STRING;

    uint64_t values = 0;
    gt_status s = plan_values(ev, pl, &values);
    if (s != GT_OK) return s;
    uint64_t head = 1 + values;
    if (pl->prefixed) {
        pl->body = values;
        if (ev->block_len_width && (ev->block_len != values || !gt_enc_width_ok(ev->block_len_width, values)))
            return GT_ERR_INVALID_ARGUMENT;
        pl->len_width = gt_enc_width(ev->block_len_width, values);
        head += pl->len_width;
    }
    if (pl->has_data) {
        bool header_only = !legacy && header && ev->type == GT_V2_EXPERIMENTAL_BATCH && !ev->data;
        if ((!ev->data && ev->data_len && !header_only) || ev->data_len > SIZE_MAX / 2) return GT_ERR_INVALID_ARGUMENT;
        if (!gt_enc_width_ok(ev->data_len_width, ev->data_len)) return GT_ERR_INVALID_ARGUMENT;
        head += gt_enc_width(ev->data_len_width, ev->data_len);
        pl->write_data = !header_only;
    }
    pl->head = (size_t)head;
    return GT_OK;
}

static uint8_t *write_frames(uint8_t *p, const gt_event *ev, unsigned ff)
{
    for (uint32_t f = 0; f < ev->nframes; f++) {
        const gt_frame *fr = &ev->frames[f];
        const uint64_t v[4] = {fr->pc, fr->func, fr->file, fr->line};
        for (unsigned k = 0; k < ff; k++) p = gt_enc_uvw(p, v[k], fr->width[k]);
    }
    return p;
}

static void write_item(uint8_t *p, const gt_event *ev, const plan *pl)
{
    *p++ = pl->legacy ? (uint8_t)(ev->type | ev->argbits << 6) : ev->type;
    if (pl->prefixed) p = gt_enc_uvw(p, pl->body, pl->len_width);
    for (unsigned i = 0; i < pl->n; i++) {
        if (i == 0 && pl->raw_first)
            *p++ = (uint8_t)ev->args[0];
        else
            p = gt_enc_uvw(p, ev->args[i], ev->width[i]);
    }
    if (pl->ff) p = write_frames(p, ev, pl->ff);
    if (pl->has_data) gt_enc_uvw(p, ev->data_len, ev->data_len_width);
}

gt_status gt_enc_head(uint8_t *dst, size_t cap, unsigned version, const gt_event *ev, size_t *head,
                      const uint8_t **data, size_t *data_len)
{
    *head = 0;
    *data = NULL;
    *data_len = 0;
    if (!ev || (!dst && cap)) return GT_ERR_INVALID_ARGUMENT;
    if (gt_version_format(version) == GT_FORMAT_UNKNOWN) return GT_ERR_UNSUPPORTED_VERSION;
    switch ((gt_kind)ev->kind) {
    case GT_KIND_HEADER:
        if (cap < GT_HEADER_SIZE) return GT_ERR_DST_TOO_SMALL;
        *head = gt_header_write(dst, cap, version);
        return GT_OK;
    case GT_KIND_GENERATION_END: return GT_OK;
    case GT_KIND_IGNORED_DATA:
        if ((!ev->data && ev->data_len) || ev->data_len > SIZE_MAX) return GT_ERR_INVALID_ARGUMENT;
        *data = ev->data;
        *data_len = (size_t)ev->data_len;
        return GT_OK;
    case GT_KIND_BATCH:
    case GT_KIND_EVENT:
    case GT_KIND_TABLE_MARKER:
    case GT_KIND_STRING:
    case GT_KIND_STACK:
    case GT_KIND_CPU_SAMPLE:
    case GT_KIND_FREQUENCY:
    case GT_KIND_CLOCK_SNAPSHOT:
    case GT_KIND_END_OF_GENERATION:
    default: break; /* laid out by type */
    }
    plan pl;
    gt_status s = plan_item(version, ev, &pl);
    if (s != GT_OK) return s;
    if (cap < pl.head) return GT_ERR_DST_TOO_SMALL;
    write_item(dst, ev, &pl);
    *head = pl.head;
    if (pl.write_data) {
        *data = ev->data;
        *data_len = (size_t)ev->data_len;
    }
    return GT_OK;
}

size_t gt_event_bound(unsigned version, const gt_event *ev)
{
    (void)version;
    if (!ev) return 0;
    if (ev->kind == GT_KIND_HEADER) return GT_HEADER_SIZE;
    if (ev->kind == GT_KIND_GENERATION_END) return 0;
    size_t fixed = 2 + ((size_t)ev->nargs + 2) * GT_UVARINT_MAX + (size_t)ev->nframes * 4 * GT_UVARINT_MAX;
    if (ev->data_len > SIZE_MAX - fixed) return SIZE_MAX;
    return (ev->kind == GT_KIND_IGNORED_DATA ? 0 : fixed) + (size_t)ev->data_len;
}

gt_status gt_encode_event(uint8_t *dst, size_t cap, unsigned version, const gt_event *ev, size_t *written)
{
    size_t head, n;
    const uint8_t *data;
    if (written) *written = 0;
    gt_status s = gt_enc_head(dst, cap, version, ev, &head, &data, &n);
    if (s != GT_OK) return s;
    if (n > cap - head) return GT_ERR_DST_TOO_SMALL;
    if (n) memcpy(dst + head, data, n);
    if (written) *written = head + n;
    return GT_OK;
}
