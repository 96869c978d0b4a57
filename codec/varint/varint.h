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

#endif
