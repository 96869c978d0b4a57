/* Fast in-bounds varint reading for the decoders. */
#ifndef GT_VARINT_H
#define GT_VARINT_H

#include "../common/internal.h"

/* Read a varint at *pp (bounded by end). On success advances *pp. The fast
 * path handles one-byte values inline. */
static inline gt_status gt_varint_next(const uint8_t **pp, const uint8_t *end, uint64_t *v, uint8_t *width)
{
    const uint8_t *p = *pp;
    if (GT_LIKELY(p < end && *p < 0x80)) {
        *v = *p;
        *width = 1;
        *pp = p + 1;
        return GT_OK;
    }
    size_t w = 0;
    gt_status s = gt_uvarint_read(p, (size_t)(end - p), v, &w);
    *width = (uint8_t)w;
    if (s == GT_OK) *pp = p + w;
    return s;
}

/* Decode one varint from a position known to have at least 10 readable
 * bytes (no bounds checks); false if malformed. Advances *pp on success. */
static inline bool gt_varint_read10(const uint8_t **pp, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (unsigned i = 0; i < GT_UVARINT_MAX; i++) {
        uint8_t b = p[i];
        if (i == GT_UVARINT_MAX - 1 && b > 1) return false;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *out = v;
            *pp = p + i + 1;
            return true;
        }
    }
    return false;
}

#endif
