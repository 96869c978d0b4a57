/* Per-M cursors over a generation's event batches (Go's batchCursor) and
 * Go's time arithmetic: ns per tick = 1 / (freq / 1e9) in float64; an event's
 * time is the previous one plus (int64)(float64(delta) * ns_per_tick),
 * truncated at every step, from a base re-read at each batch. */
#include <inttypes.h>

#define ORD_HOT_FILE
#include "order.h"

/* Go's float64 -> int64 conversion on amd64 (CVTTSD2SQ): truncation toward
 * zero, and the "integer indefinite" value INT64_MIN for NaN, infinities and
 * values out of range. A plain C cast would be undefined there. */
int64_t ord_f64_to_i64(double x)
{
    if (x >= -9223372036854775808.0 && x < 9223372036854775808.0) return (int64_t)x;
    return INT64_MIN;
}

int64_t ord_freq_mul(double freq, uint64_t ticks) { return ord_f64_to_i64((double)ticks * freq); }

/* Go's binary.Uvarint over p[0..n): >0 bytes read, 0 too short, <0 overflow. */
static inline int uvarint(const uint8_t *p, size_t n, uint64_t *v)
{
    if (GT_LIKELY(n > 0 && p[0] < 0x80)) {
        *v = p[0];
        return 1;
    }
    uint64_t x = 0;
    unsigned shift = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == GT_UVARINT_MAX) return -(int)(i + 1);
        uint8_t b = p[i];
        if (b < 0x80) {
            if (i == GT_UVARINT_MAX - 1 && b > 1) return -(int)(i + 1);
            *v = x | (uint64_t)b << shift;
            return (int)(i + 1);
        }
        x |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    }
    return 0;
}

static int bad_event(gt_parser *p, const ord_cursor *c, gt_status s, const char *msg)
{
    ord_fault_where(&p->fault, c->ev.batch, c->ev.index, p->gen.gen, c->m);
    ord_fault_set(p, &p->fault, s, c->ev.offset, "%s", msg);
    ord_report(p, &p->fault);
    return -1;
}

static int bad_type(gt_parser *p, const ord_cursor *c, unsigned type)
{
    char msg[64];
    if (type >= TYPE_LIMIT) snprintf(msg, sizeof msg, "found invalid event type: %u", type);
    else snprintf(msg, sizeof msg, "found event without a timestamp: type=%u", type);
    return bad_event(p, c, GT_ERR_UNKNOWN_EVENT, msg);
}

/* Varints of an event with at least 10 readable bytes each: no bounds checks. */
static inline bool read_fast(const uint8_t **pp, uint64_t *out)
{
    const uint8_t *q = *pp;
    if (GT_LIKELY(q[0] < 0x80)) {
        *out = q[0];
        *pp = q + 1;
        return true;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < GT_UVARINT_MAX; i++) {
        uint8_t b = q[i];
        if (b < 0x80) {
            if (i == GT_UVARINT_MAX - 1 && b > 1) return false;
            *out = v | (uint64_t)b << (7 * i);
            *pp = q + i + 1;
            return true;
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
    }
    return false;
}

#define FAST_ROOM (1 + 5 * GT_UVARINT_MAX)

int ord_cursor_next(gt_parser *p, ord_cursor *c)
{
    const ord_gen *g = &p->gen;
    if (GT_UNLIKELY(c->batch == NONE32)) return 0;
    const ord_batch *b = &g->batches[c->batch];
    if (GT_UNLIKELY(b->len == c->pos)) {
        do {
            c->batch = b->next;
            c->pos = 0;
            c->count = 0;
            c->last_ts = 0;
            if (c->batch == NONE32) return 0;
            b = &g->batches[c->batch];
        } while (b->len == 0);
    }
    if (c->last_ts == 0) c->last_ts = ord_freq_mul(g->freq, b->time);
    const uint8_t *q = b->data + c->pos, *start = q;
    size_t n = b->len - c->pos;
    unsigned type = q[0];
    ord_base *ev = &c->ev;
    ev->offset = b->offset + c->pos;
    ev->batch = b->index;
    ev->index = c->count;
    ev->type = (uint8_t)type;
    unsigned want = p->evargs[type]; /* varints: dt and the arguments; 0 = not a timed event */
    if (GT_UNLIKELY(!want)) return bad_type(p, c, type);
    uint64_t dt;
    q++;
    ev->args[0] = ev->args[1] = ev->args[2] = ev->args[3] = 0;
    if (GT_LIKELY(n >= FAST_ROOM)) {
        if (GT_UNLIKELY(!read_fast(&q, &dt))) return bad_event(p, c, GT_ERR_VARINT, "found invalid uvarint for timestamp");
        for (unsigned i = 0; i + 1 < want; i++)
            if (GT_UNLIKELY(!read_fast(&q, &ev->args[i]))) return bad_event(p, c, GT_ERR_VARINT, "found invalid uvarint");
    } else {
        const uint8_t *end = start + n;
        int k = uvarint(q, (size_t)(end - q), &dt);
        if (k <= 0)
            return bad_event(p, c, k == 0 ? GT_ERR_TRUNCATED : GT_ERR_VARINT, "found invalid uvarint for timestamp");
        q += k;
        for (unsigned i = 0; i + 1 < want; i++) {
            k = uvarint(q, (size_t)(end - q), &ev->args[i]);
            if (k <= 0) return bad_event(p, c, k == 0 ? GT_ERR_TRUNCATED : GT_ERR_VARINT, "found invalid uvarint");
            q += k;
        }
    }
    ev->time = (int64_t)((uint64_t)ord_freq_mul(g->freq, dt) + (uint64_t)c->last_ts);
    c->last_ts = ev->time;
    c->pos += (uint32_t)(q - start);
    c->count++;
    return 1;
}
