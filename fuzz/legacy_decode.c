/* legacy_decode: a whole trace (Go 1.5-1.21 format), decoded in place with
 * full validation and framing-only. Legacy validation only adds checks on the
 * same parse, so the validated items must be a prefix of the framing-only
 * items, and identical when the validated decode accepts the trace. Inputs
 * whose header names a v2 version are left to v2_decode. */
#include "fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned version;
    if (gt_header_parse(data, size, &version) == GT_OK && gt_version_format(version) != GT_FORMAT_LEGACY) return -1;
    size_t cap = size + 2; /* every item but the header takes at least one byte */
    uint64_t *trail = fuzz_malloc(cap * sizeof *trail);
    fuzz_run full, raw;
    FUZZ_ASSERT(fuzz_decode_buffer(data, size, 1, NULL, NULL, &full, NULL, 0) == 0);
    FUZZ_ASSERT(fuzz_decode_buffer(data, size, 0, NULL, NULL, &raw, trail, cap) == 0);
    FUZZ_ASSERT(full.items <= raw.items && raw.items <= cap);
    if (full.items) FUZZ_ASSERT_MSG(trail[full.items - 1] == full.item_digest, "validated items are not a prefix");
    if (full.status == GT_END) FUZZ_ASSERT(raw.status == GT_END && raw.items == full.items);
    /* Both stopped at the same item: the parse failed there in both. */
    if (raw.status != GT_END && full.items == raw.items)
        FUZZ_ASSERT(full.status == raw.status && full.err.offset == raw.err.offset);
    free(trail);
    fuzz_check_filters(data, size, 1);
    fuzz_check_filters(data, size, 0);
    return 0;
}
