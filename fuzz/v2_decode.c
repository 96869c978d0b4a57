/* v2_decode: a whole trace (Go 1.22+ format), decoded in place with full
 * validation and again framing-only (what a raw dump uses). Every item and
 * verdict is checked against the API's documented invariants (fuzz_trace.c).
 * Inputs whose header names a legacy version are left to legacy_decode. */
#include "fuzz_trace.h"

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
    fuzz_check_filters(data, size, 1);
    fuzz_check_filters(data, size, 0);
    return 0;
}
