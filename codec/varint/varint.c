/* Unsigned LEB128: 7 bits per byte, low group first, 0x80 = more follows. */
#include "../common/internal.h"

gt_status gt_uvarint_read(const uint8_t *p, size_t n, uint64_t *value, size_t *width)
{
    uint64_t v = 0;
    size_t max = n < GT_UVARINT_MAX ? n : GT_UVARINT_MAX;
    for (size_t i = 0; i < max; i++) {
        uint8_t b = p[i];
        if (i == GT_UVARINT_MAX - 1 && b > 1) {
            if (width) *width = i + 1;
            return GT_ERR_VARINT; /* bits above 64, or an 11th byte follows */
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *value = v;
            if (width) *width = i + 1;
            return GT_OK;
        }
    }
    if (width) *width = max;
    return n < GT_UVARINT_MAX ? GT_ERR_TRUNCATED : GT_ERR_VARINT;
}

size_t gt_uvarint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t gt_uvarint_write(uint8_t *dst, size_t cap, uint64_t v)
{
    size_t n = gt_uvarint_size(v);
    if (cap < n) return 0;
    for (size_t i = 0; i + 1 < n; i++) {
        dst[i] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    dst[n - 1] = (uint8_t)v;
    return n;
}

size_t gt_uvarint_write_padded(uint8_t *dst, size_t cap, uint64_t v, size_t width)
{
    if (width == 0 || width > GT_UVARINT_MAX || cap < width) return 0;
    if (width < GT_UVARINT_MAX && (v >> (7 * width)) != 0) return 0;
    for (size_t i = 0; i + 1 < width; i++) {
        dst[i] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    dst[width - 1] = (uint8_t)v;
    return width;
}
