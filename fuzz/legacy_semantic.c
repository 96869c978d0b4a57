/* legacy_semantic: the legacy semantic validator (gt_legacy_validate, what
 * `gotrace validate` runs on go 1.5-1.21 traces) on any input, for each
 * oracle (AUTO, Go 1.21's parser, Go 1.27's v1 reader). Invariants: the
 * status is GT_OK or an error, the error record repeats it with an offset
 * inside the input (or at its end), and a second call gives the same verdict
 * (no state between calls). Sometimes a small memory budget: any verdict,
 * nothing crashes or leaks. Inputs whose header names a v2 version are left
 * to order_parse. */
#include "fuzz_trace.h"

static void check(const uint8_t *data, size_t size, const gt_limits *lim, gt_legacy_oracle oracle)
{
    gt_error a, b;
    gt_status s = gt_legacy_validate(data, size, NULL, lim, oracle, &a);
    FUZZ_ASSERT_MSG(s == GT_OK || gt_is_error(s), gt_status_name(s));
    if (s == GT_OK) return;
    FUZZ_ASSERT_MSG(a.status == s, "the error record names another status");
    FUZZ_ASSERT_MSG(a.offset <= size, "error offset past the end of the input");
    gt_status again = gt_legacy_validate(data, size, NULL, lim, oracle, &b);
    FUZZ_ASSERT_MSG(again == s && b.offset == a.offset, "a second call gives another verdict");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned version;
    if (gt_header_parse(data, size, &version) == GT_OK && gt_version_format(version) != GT_FORMAT_LEGACY) return -1;
    gt_limits lim;
    gt_limits_default(&lim);
    lim.max_memory = 64u << 20; /* stay well under -rss_limit_mb */
    static const gt_legacy_oracle oracles[] = {GT_LEGACY_ORACLE_AUTO, GT_LEGACY_ORACLE_GO121, GT_LEGACY_ORACLE_GO127};
    for (size_t i = 0; i < sizeof oracles / sizeof oracles[0]; i++) check(data, size, &lim, oracles[i]);
    uint64_t h = fuzz_hash_bytes(0x6c73656d, data, size);
    if (h % 4 == 0) { /* starved */
        lim.max_memory = 4096 + (h >> 8) % (256u << 10);
        check(data, size, &lim, GT_LEGACY_ORACLE_AUTO);
    }
    return 0;
}
