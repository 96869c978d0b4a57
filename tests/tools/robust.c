/* robust: decode a trace truncated at every offset and with random bit
 * flips; check that every outcome is a clean status with a sane offset.
 * Each copy goes through the structural reader (gt_reader) and the semantic
 * check `gotrace validate` runs: the ordering engine (gt_parser, every event
 * resolved) for v2 headers, gt_legacy_validate() for legacy ones.
 *
 *   robust [--flips N] [--seed S] [--stride K] FILE...
 *
 * Prints one summary line per file; exits 1 on any violated invariant.
 * Meant to run under ASan/UBSan, which turn out-of-bounds reads, leaks and
 * undefined behaviour into failures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"
#include "tool_file.h"

typedef struct result {
    gt_status status, semantic;
    uint64_t offset, items, good, sem_offset;
} result;

/* The semantic verdict: status and error offset. */
static gt_status semantic(const uint8_t *p, size_t n, uint64_t *offset)
{
    unsigned version = 0;
    gt_status h = gt_header_parse(p, n, &version);
    if (h == GT_OK && gt_version_format(version) == GT_FORMAT_LEGACY) {
        gt_error e;
        gt_status s = gt_legacy_validate(p, n, NULL, NULL, GT_LEGACY_ORACLE_AUTO, &e);
        *offset = s == GT_OK ? 0 : e.offset;
        return s == GT_OK ? GT_END : s;
    }
    gt_parser *ps = gt_parser_create(NULL);
    if (!ps) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    gt_parser_set_flags(ps, GT_PARSER_REJECT_TOOL_CRASHES);
    gt_parser_set_buffer(ps, p, n);
    gt_parsed ev;
    gt_status s;
    while ((s = gt_parser_next(ps, &ev)) == GT_OK) {}
    *offset = gt_parser_error(ps)->offset;
    gt_parser_free(ps);
    return s;
}

static result decode(const uint8_t *p, size_t n)
{
    result res = {GT_OK, GT_OK, 0, 0, 0, 0};
    gt_reader *r = gt_reader_create(NULL);
    if (!r) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    gt_reader_set_buffer(r, p, n);
    gt_event ev;
    while ((res.status = gt_reader_next(r, &ev)) == GT_OK) res.items++;
    res.offset = gt_reader_error(r)->offset;
    gt_salvage sv;
    gt_reader_salvage(r, n, &sv);
    res.good = sv.good_bytes;
    gt_reader_free(r);
    res.semantic = semantic(p, n, &res.sem_offset);
    return res;
}

static int check(const char *what, size_t cut, result r, size_t n)
{
    int bad = 0;
    if (r.status != GT_END && (!gt_is_error(r.status) || r.offset > n || r.good > n)) {
        fprintf(stderr, "%s at %zu: status %s offset %" PRIu64 " good %" PRIu64 " (input %zu bytes)\n", what, cut,
                gt_status_name(r.status), r.offset, r.good, n);
        bad = 1;
    }
    if (r.semantic != GT_END && (!gt_is_error(r.semantic) || r.sem_offset > n)) {
        fprintf(stderr, "%s at %zu: semantic status %s offset %" PRIu64 " (input %zu bytes)\n", what, cut,
                gt_status_name(r.semantic), r.sem_offset, n);
        bad = 1;
    }
    return bad;
}

static int truncations(const uint8_t *p, size_t n, size_t stride, uint64_t *errors)
{
    int bad = 0;
    for (size_t cut = 0; cut < n; cut += stride) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
        memcpy(copy, p, cut);
        result r = decode(copy, cut);
        free(copy);
        if (r.status != GT_END) (*errors)++;
        bad |= check("truncation", cut, r, cut);
    }
    return bad;
}

static int flips(const uint8_t *p, size_t n, unsigned count, uint64_t seed)
{
    int bad = 0;
    uint8_t *copy = malloc(n);
    for (unsigned i = 0; i < count; i++) {
        memcpy(copy, p, n);
        unsigned nflips = 1 + i % 4;
        for (unsigned k = 0; k < nflips; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t bit = (seed >> 17) % ((uint64_t)n * 8);
            copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        bad |= check("bit flip", i, decode(copy, n), n);
    }
    free(copy);
    return bad;
}

int main(int argc, char **argv)
{
    unsigned nflips = 10000;
    uint64_t seed = 1;
    size_t stride = 1;
    int i = 1, bad = 0;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--flips")) nflips = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--stride")) stride = strtoul(argv[i + 1], NULL, 10);
        else break;
    }
    if (i >= argc || stride == 0) {
        fprintf(stderr, "usage: robust [--flips N] [--seed S] [--stride K] FILE...\n");
        return 2;
    }
    for (; i < argc; i++) {
        size_t n;
        uint8_t *p = tool_read_file(argv[i], &n);
        if (!p) {
            fprintf(stderr, "robust: cannot read %s\n", argv[i]);
            return 2;
        }
        result whole = decode(p, n);
        if (whole.status == GT_END && whole.semantic != GT_END) {
            fprintf(stderr, "%s: the whole file fails the semantic check: %s\n", argv[i], gt_status_name(whole.semantic));
            bad = 1;
        }
        uint64_t errors = 0;
        int b = truncations(p, n, stride, &errors) | flips(p, n, nflips, seed);
        printf("%s: %zu bytes, whole file %s/%s, %zu truncations (%" PRIu64 " errors), %u bit-flip runs (seed %" PRIu64
               "): %s\n",
               argv[i], n, gt_status_name(whole.status), gt_status_name(whole.semantic), (n + stride - 1) / stride, errors, nflips, seed,
               b ? "VIOLATIONS" : "ok");
        bad |= b;
        free(p);
    }
    return bad;
}
