/* The 16-byte header "go 1.N trace" padded with NULs, and the version list. */
#include <stdio.h>

#include "../common/internal.h"

static const unsigned supported[] = {5, 7, 8, 9, 10, 11, 19, 21, 22, 23, 25, 26};

const unsigned *gt_versions(size_t *count)
{
    *count = GT_ARRAY_LEN(supported);
    return supported;
}

gt_format gt_version_format(unsigned version)
{
    for (size_t i = 0; i < GT_ARRAY_LEN(supported); i++)
        if (supported[i] == version) return version >= 22 ? GT_FORMAT_V2 : GT_FORMAT_LEGACY;
    return GT_FORMAT_UNKNOWN;
}

/* Match literal `lit` at p[*i..n). 1 = matched, 0 = input ended (prefix so
 * far), -1 = mismatch. */
static int match_literal(const uint8_t *p, size_t n, size_t *i, const char *lit)
{
    for (; *lit; lit++, (*i)++) {
        if (*i >= n) return 0;
        if (p[*i] != (uint8_t)*lit) return -1;
    }
    return 1;
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

gt_status gt_header_parse(const uint8_t *p, size_t n, unsigned *version)
{
    size_t i = 0;
    unsigned v = 0, digits = 0;
    *version = 0;
    int m = match_literal(p, n, &i, "go 1.");
    if (m < 0) return GT_ERR_NOT_TRACE;
    if (m == 0) return GT_NEED_INPUT;
    while (i < n && is_digit(p[i]) && digits < 3) {
        if (digits == 0 && p[i] == '0') return GT_ERR_NOT_TRACE;
        v = v * 10 + (unsigned)(p[i] - '0');
        digits++;
        i++;
    }
    if (i >= n) return GT_NEED_INPUT;
    if (digits == 0) return GT_ERR_NOT_TRACE;
    m = match_literal(p, n, &i, " trace");
    if (m < 0) return GT_ERR_NOT_TRACE;
    if (m == 0) return GT_NEED_INPUT;
    for (; i < GT_HEADER_SIZE; i++) {
        if (i >= n) return GT_NEED_INPUT;
        if (p[i] != 0) return GT_ERR_NOT_TRACE;
    }
    *version = v;
    return gt_version_format(v) == GT_FORMAT_UNKNOWN ? GT_ERR_UNSUPPORTED_VERSION : GT_OK;
}

size_t gt_header_write(uint8_t *dst, size_t cap, unsigned version)
{
    char tmp[GT_HEADER_SIZE + 1] = {0};
    if (cap < GT_HEADER_SIZE || gt_version_format(version) == GT_FORMAT_UNKNOWN) return 0;
    snprintf(tmp, sizeof tmp, "go 1.%u trace", version);
    memcpy(dst, tmp, GT_HEADER_SIZE); /* snprintf zero-filled the rest */
    return GT_HEADER_SIZE;
}
