/* gt_batch: one batch built in a caller buffer, the way the Go runtime's
 * traceBuf does it. The header goes first with the size reserved as a
 * 10-byte varint; each event reserves its worst case once (GT_EVENT_BOUND),
 * then is written without checks, its timestamp as a delta from the previous
 * event's; finishing backfills the size. Legacy batches are a Batch event
 * followed by the events: no size to backfill. */
#include "../events/events.h"
#include "encode.h"

#define SIZE_FIELD GT_UVARINT_MAX /* bytes reserved for the v2 size */

static gt_status begin(gt_batch *b, void *buf, size_t cap, unsigned version, int exp, uint64_t gen, uint64_t m,
                       uint64_t time, unsigned flags)
{
    if (!b || !buf) return GT_ERR_INVALID_ARGUMENT;
    gt_format fmt = gt_version_format(version);
    if (fmt == GT_FORMAT_UNKNOWN) return GT_ERR_UNSUPPORTED_VERSION;
    memset(b, 0, sizeof *b);
    uint8_t *p = buf;
    if (fmt == GT_FORMAT_V2) {
        size_t need = (exp >= 0 ? 2u : 1u) + gt_enc_size(gen) + gt_enc_size(m) + gt_enc_size(time) + SIZE_FIELD;
        if (cap < need) return GT_ERR_DST_TOO_SMALL;
        if (exp >= 0) {
            *p++ = GT_V2_EXPERIMENTAL_BATCH;
            *p++ = (uint8_t)exp;
        } else {
            *p++ = GT_V2_EVENT_BATCH;
        }
        p = gt_enc_uv(gt_enc_uv(gt_enc_uv(p, gen), m), time);
        memset(p, 0, SIZE_FIELD);
        p += SIZE_FIELD;
        b->limit = GT_ENC_MAX_BATCH;
    } else {
        /* Batch p ticks (go 1.5: p seq ticks), with the runtime's argument bits. */
        unsigned bits = gt_legacy_argbits(gt_spec(version, GT_LEG_BATCH), version);
        bool v5 = version < 7;
        size_t need = 1 + gt_enc_size(m) + (v5 ? gt_enc_size(gen) : 0) + gt_enc_size(time);
        if (cap < need) return GT_ERR_DST_TOO_SMALL;
        *p++ = (uint8_t)(GT_LEG_BATCH | bits << 6);
        p = gt_enc_uv(p, m);
        if (v5) p = gt_enc_uv(p, gen);
        p = gt_enc_uv(p, time);
        b->limit = SIZE_MAX;
    }
    b->buf = buf;
    b->cap = cap;
    b->len = b->head = (size_t)(p - (uint8_t *)buf);
    b->last_time = time;
    b->version = version;
    b->flags = flags;
    b->open = 1;
    return GT_OK;
}

gt_status gt_batch_begin(gt_batch *b, void *buf, size_t cap, unsigned version, uint64_t gen, uint64_t m, uint64_t time,
                         unsigned flags)
{
    return begin(b, buf, cap, version, -1, gen, m, time, flags);
}

gt_status gt_batch_begin_experimental(gt_batch *b, void *buf, size_t cap, unsigned version, unsigned experiment,
                                      uint64_t gen, uint64_t m, uint64_t time, unsigned flags)
{
    if (gt_version_format(version) == GT_FORMAT_V2 && version < 23) return GT_ERR_UNSUPPORTED_VERSION;
    if (gt_version_format(version) == GT_FORMAT_LEGACY) return GT_ERR_INVALID_ARGUMENT;
    if (experiment > 0xff) return GT_ERR_INVALID_ARGUMENT;
    return begin(b, buf, cap, version, (int)experiment, gen, m, time, flags);
}

size_t gt_batch_room(const gt_batch *b)
{
    if (!b || !b->open) return 0;
    size_t left = b->cap - b->len, payload = b->len - b->head;
    size_t allowed = b->limit - payload;
    return left < allowed ? left : allowed;
}

/* Position of dt among the wire arguments of a timed event. */
static unsigned dt_index(unsigned version) { return version < 7 ? 1u : 0u; }

static gt_status append(gt_batch *b, unsigned type, uint64_t time, const uint64_t *args, unsigned nargs,
                        const void *data, size_t len, bool with_data)
{
    if (!b || !b->open) return GT_ERR_STATE;
    const unsigned v = b->version;
    const bool legacy = v < 22;
    if (type > (legacy ? 63u : 255u)) return GT_ERR_UNKNOWN_EVENT;
    const gt_event_spec *spec = gt_spec(v, type);
    if (!spec) return GT_ERR_UNKNOWN_EVENT;
    bool wants_data = (spec->flags & GT_EV_HAS_DATA) || (legacy && (spec->flags & GT_EV_TRAILER));
    if ((spec->flags & (GT_EV_IS_STACK | GT_EV_BATCH)) || wants_data != with_data) return GT_ERR_INVALID_ARGUMENT;
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned n = legacy ? gt_spec_args(spec, v, a) : spec->nargs; /* v2 arguments have no version range */
    unsigned timed = (spec->flags & GT_EV_TIMED) ? 1u : 0u;
    if (nargs + timed != n || (nargs && !args) || (len && !data)) return GT_ERR_INVALID_ARGUMENT;
    if (timed && time < b->last_time) return GT_ERR_INVALID_ARGUMENT;
    size_t room = gt_batch_room(b);
    if (room < GT_EVENT_BOUND(n) || (with_data && len > room - GT_EVENT_BOUND(n))) return GT_ERR_DST_TOO_SMALL;

    uint64_t full[GT_MAX_ARGS];
    unsigned dti = timed ? dt_index(v) : n;
    for (unsigned i = 0, j = 0; i < n; i++) full[i] = i == dti ? time - b->last_time : args[j++];
    uint8_t *p = b->buf + b->len;
    if (!legacy) {
        *p++ = (uint8_t)type;
    } else {
        unsigned bits = gt_legacy_argbits(spec, v);
        *p++ = (uint8_t)(type | bits << 6);
        if (bits == 3 && type != GT_LEG_STRING) {
            uint64_t body = 0;
            for (unsigned i = 0; i < n; i++) body += gt_enc_size(full[i]);
            p = gt_enc_uv(p, body);
        }
    }
    for (unsigned i = 0; i < n; i++) p = gt_enc_uv(p, full[i]);
    if (with_data) {
        p = gt_enc_uv(p, len);
        if (len) memcpy(p, data, len);
        p += len;
    }
    b->len = (size_t)(p - b->buf);
    if (timed) b->last_time = time;
    b->events++;
    return GT_OK;
}

gt_status gt_batch_event(gt_batch *b, unsigned type, uint64_t time, const uint64_t *args, unsigned nargs)
{
    return append(b, type, time, args, nargs, NULL, 0, false);
}

gt_status gt_batch_event_data(gt_batch *b, unsigned type, uint64_t time, const uint64_t *args, unsigned nargs,
                              const void *data, size_t len)
{
    return append(b, type, time, args, nargs, data, len, true);
}

gt_status gt_batch_put(gt_batch *b, const gt_event *ev)
{
    if (!b || !b->open) return GT_ERR_STATE;
    if (!ev || ev->kind == GT_KIND_HEADER || ev->kind == GT_KIND_BATCH) return GT_ERR_INVALID_ARGUMENT;
    const gt_event_spec *spec =
        ev->kind == GT_KIND_IGNORED_DATA || ev->kind == GT_KIND_GENERATION_END ? NULL : gt_spec(b->version, ev->type);
    if (spec && (spec->flags & GT_EV_BATCH)) return GT_ERR_INVALID_ARGUMENT;
    size_t n;
    gt_status s = gt_encode_event(b->buf + b->len, gt_batch_room(b), b->version, ev, &n);
    if (s != GT_OK) return s;
    b->len += n;
    if (spec && (spec->flags & GT_EV_TIMED)) b->last_time += ev->args[dt_index(b->version)];
    b->events++;
    return GT_OK;
}

gt_status gt_batch_raw(gt_batch *b, const void *p, size_t n)
{
    if (!b || !b->open) return GT_ERR_STATE;
    if (n && !p) return GT_ERR_INVALID_ARGUMENT;
    if (n > gt_batch_room(b)) return GT_ERR_DST_TOO_SMALL;
    if (n) memcpy(b->buf + b->len, p, n);
    b->len += n;
    return GT_OK;
}

gt_status gt_batch_finish(gt_batch *b, size_t *len)
{
    if (!b || !b->open) return GT_ERR_STATE;
    if (b->version >= 22) {
        size_t payload = b->len - b->head;
        uint8_t *field = b->buf + b->head - SIZE_FIELD;
        if (b->flags & GT_BATCH_MINIMAL_SIZE) {
            size_t w = (size_t)(gt_enc_uv(field, payload) - field);
            memmove(field + w, b->buf + b->head, payload);
            b->head -= SIZE_FIELD - w;
            b->len -= SIZE_FIELD - w;
        } else {
            gt_enc_uvw(field, payload, SIZE_FIELD);
        }
    }
    b->open = 0;
    if (len) *len = b->len;
    return GT_OK;
}
