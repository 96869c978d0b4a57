/* header_varint: the stateless primitives.
 *   - gt_header_parse on every prefix of the input (0..17 bytes): a verdict
 *     on n bytes never contradicts the verdict on fewer, GT_NEED_INPUT only
 *     below 16 bytes, and an accepted header is exactly what gt_header_write
 *     writes for its version;
 *   - gt_uvarint_read at every offset: the value re-encodes to the same bytes
 *     at the same width (gt_uvarint_write_padded), the minimal encoding
 *     (gt_uvarint_write, gt_uvarint_size) reads back, and the error cases
 *     are exactly those the header documents;
 *   - gt_spec/gt_spec_args/gt_status_name on values taken from the input. */
#include <string.h>

#include "fuzz_helpers.h"

static void check_header(const uint8_t *data, size_t size)
{
    size_t max = size < GT_HEADER_SIZE + 1 ? size : GT_HEADER_SIZE + 1;
    gt_status prev = GT_NEED_INPUT;
    unsigned prev_version = 0;
    for (size_t n = 0; n <= max; n++) {
        unsigned v = 12345;
        gt_status s = gt_header_parse(data, n, &v);
        FUZZ_ASSERT(s == GT_OK || s == GT_NEED_INPUT || s == GT_ERR_NOT_TRACE || s == GT_ERR_UNSUPPORTED_VERSION);
        if (s == GT_NEED_INPUT) FUZZ_ASSERT(n < GT_HEADER_SIZE && prev == GT_NEED_INPUT);
        if (prev != GT_NEED_INPUT) FUZZ_ASSERT(s == prev && v == prev_version); /* decided: more bytes change nothing */
        if (s == GT_OK) {
            FUZZ_ASSERT(gt_version_format(v) != GT_FORMAT_UNKNOWN);
            uint8_t out[GT_HEADER_SIZE];
            FUZZ_ASSERT(gt_header_write(out, sizeof out, v) == GT_HEADER_SIZE);
            FUZZ_ASSERT_MSG(memcmp(out, data, GT_HEADER_SIZE) == 0, "accepted header differs from the written one");
            FUZZ_ASSERT(gt_header_write(out, sizeof out - 1, v) == 0);
        } else if (s == GT_ERR_UNSUPPORTED_VERSION) {
            FUZZ_ASSERT(gt_version_format(v) == GT_FORMAT_UNKNOWN);
        } else {
            FUZZ_ASSERT(v == 0);
        }
        prev = s;
        prev_version = v;
    }
}

static void check_varint(const uint8_t *p, size_t n)
{
    uint64_t v = 0xdeadbeef;
    size_t w = 99;
    gt_status s = gt_uvarint_read(p, n, &v, &w);
    size_t cont = 0; /* leading bytes with the continuation bit */
    while (cont < n && cont < GT_UVARINT_MAX && (p[cont] & 0x80)) cont++;
    if (s == GT_OK) {
        FUZZ_ASSERT(w >= 1 && w <= GT_UVARINT_MAX && w <= n && w == cont + 1);
        FUZZ_ASSERT(gt_uvarint_size(v) <= w);
        uint8_t buf[GT_UVARINT_MAX + 1];
        FUZZ_ASSERT(gt_uvarint_write_padded(buf, sizeof buf, v, w) == w);
        FUZZ_ASSERT_MSG(memcmp(buf, p, w) == 0, "padded re-encoding differs");
        FUZZ_ASSERT(gt_uvarint_write_padded(buf, w - 1, v, w) == 0);
        size_t m = gt_uvarint_write(buf, sizeof buf, v);
        FUZZ_ASSERT(m == gt_uvarint_size(v));
        FUZZ_ASSERT(gt_uvarint_write(buf, m - 1, v) == 0);
        uint64_t back;
        size_t bw;
        FUZZ_ASSERT(gt_uvarint_read(buf, m, &back, &bw) == GT_OK && back == v && bw == m);
        /* Any width from minimal to 10 holds v; none below. */
        for (size_t k = 1; k <= GT_UVARINT_MAX; k++)
            FUZZ_ASSERT((gt_uvarint_write_padded(buf, sizeof buf, v, k) == k) == (k >= m));
        FUZZ_ASSERT(gt_uvarint_write_padded(buf, sizeof buf, v, 0) == 0);
        FUZZ_ASSERT(gt_uvarint_write_padded(buf, sizeof buf, v, GT_UVARINT_MAX + 1) == 0);
    } else if (s == GT_ERR_TRUNCATED) {
        FUZZ_ASSERT(n < GT_UVARINT_MAX && cont == n && w == n);
    } else {
        FUZZ_ASSERT(s == GT_ERR_VARINT);
        FUZZ_ASSERT(n >= GT_UVARINT_MAX && w == GT_UVARINT_MAX && p[GT_UVARINT_MAX - 1] > 1);
    }
    /* width may be NULL. */
    FUZZ_ASSERT(gt_uvarint_read(p, n, &v, NULL) == s);
}

static void check_spec(const uint8_t *data, size_t size)
{
    size_t nv;
    const unsigned *versions = gt_versions(&nv);
    for (size_t i = 0; i + 1 < size && i < 64; i += 2) {
        unsigned version = versions[data[i] % nv];
        const gt_event_spec *spec = gt_spec(version, data[i + 1]);
        gt_format f = gt_version_format(version);
        size_t count;
        const gt_event_spec *table = gt_spec_table(f, &count);
        FUZZ_ASSERT(table != NULL && count > 0);
        if (!spec) continue;
        FUZZ_ASSERT(spec == &table[data[i + 1]] && spec->type == data[i + 1] && spec->since <= version);
        const gt_arg_spec *a[GT_MAX_ARGS];
        unsigned na = gt_spec_args(spec, version, a);
        FUZZ_ASSERT(na <= GT_MAX_ARGS && na <= spec->nargs);
        for (unsigned k = 0; k < na; k++) FUZZ_ASSERT(a[k]->name && a[k]->name[0]);
        FUZZ_ASSERT(gt_spec_frame_fields(version) == (version < 7 ? 1u : 4u));
    }
    if (size >= 1) {
        gt_status s = (gt_status)data[0];
        FUZZ_ASSERT(gt_status_name(s) != NULL && gt_status_text(s) != NULL);
        FUZZ_ASSERT(gt_is_error(s) == (s != GT_OK && s != GT_END && s != GT_NEED_INPUT));
        size_t count = 99;
        gt_format f = (gt_format)(data[0] & 3);
        const gt_event_spec *table = gt_spec_table(f, &count);
        FUZZ_ASSERT((table == NULL) == (f != GT_FORMAT_LEGACY && f != GT_FORMAT_V2) && (table != NULL || count == 0));
    }
    FUZZ_ASSERT(gt_version_number() == GT_VERSION_NUMBER);
    FUZZ_ASSERT(strcmp(gt_version_string(), GT_VERSION_STRING) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_header(data, size);
    size_t limit = size < 4096 ? size : 4096;
    for (size_t i = 0; i < limit; i++) check_varint(data + i, size - i);
    check_varint(data, 0);
    check_spec(data, size);
    return 0;
}
