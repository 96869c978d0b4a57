/* v2_decode: a whole trace (Go 1.22+ format), decoded in place with full
 * validation and again framing-only (what a raw dump uses). Every item and
 * verdict is checked against the API's documented invariants (fuzz_trace.c).
 * Inputs whose header names a legacy version are left to legacy_decode. */
#include "fuzz_trace.h"

/* A filter from the input's hash: one of a few useful masks, or any. */
static uint32_t pick_mask(uint64_t h)
{
    static const uint32_t masks[] = {1u << GT_KIND_GENERATION_END, 0, 1u << GT_KIND_BATCH,
                                     ~(1u << GT_KIND_EVENT), 1u << GT_KIND_STRING | 1u << GT_KIND_STACK};
    return h % 8 < 5 ? masks[h % 8] : (uint32_t)(h >> 8);
}

/* The filtered decodes (gt_reader_set_filter, changed mid-way) against a logged full one. */
static void check_filters(const uint8_t *data, size_t size, int validate)
{
    fuzz_log log;
    fuzz_log_init(&log, size + 2);
    fuzz_run full;
    fuzz_decode_logged(data, size, validate, &log, &full);
    uint64_t h = fuzz_hash_bytes((uint64_t)validate, data, size);
    fuzz_check_filtered(data, size, validate, &log, &full, pick_mask(h), UINT64_MAX, 0);
    fuzz_check_filtered(data, size, validate, &log, &full, pick_mask(h >> 3), 1 + (h >> 40) % 8, pick_mask(h >> 17));
    fuzz_log_free(&log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned version;
    if (gt_header_parse(data, size, &version) == GT_OK && gt_version_format(version) != GT_FORMAT_V2) return -1;
    fuzz_run full, raw;
    FUZZ_ASSERT(fuzz_decode_buffer(data, size, 1, NULL, NULL, &full, NULL, 0) == 0);
    FUZZ_ASSERT(fuzz_decode_buffer(data, size, 0, NULL, NULL, &raw, NULL, 0) == 0);
    /* The header is read the same way whatever the validation. */
    FUZZ_ASSERT((full.items == 0) == (raw.items == 0));
    if (full.items == 0) FUZZ_ASSERT(full.status == raw.status && full.err.offset == raw.err.offset);
    check_filters(data, size, 1);
    check_filters(data, size, 0);
    return 0;
}
