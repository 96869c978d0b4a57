/* text_asm: any text through the text assembler (gt_asm on a buffer-mode
 * gt_writer).
 *   - fed whole and fed in pieces (sizes from a hash of the input), the
 *     outcome is the same: status, error record, output bytes;
 *   - an error is sticky and its offset lies inside the text;
 *   - small limits (chosen from the hash) only ever turn success into
 *     GT_ERR_LIMIT-class failures, never into different bytes;
 *   - when the text assembles and the bytes decode (framing-only), the
 *     lossless dump of those bytes assembles into the same bytes again. */
#include <string.h>

#include "fuzz_data_producer.h"
#include "fuzz_trace.h"

typedef struct result {
    gt_status status;
    gt_error err;
    uint8_t *out;
    size_t n;
} result;

/* alloc NULL: the C library; else a (failing) checking allocator. Returns
 * -1 when the writer or assembler could not be created (failing allocator). */
static int assemble_with(const uint8_t *txt, size_t n, fuzz_rng *pieces, const gt_limits *lim, const gt_alloc *alloc,
                         result *res)
{
    size_t cap = 4 * n + 256;
    res->out = fuzz_malloc(cap);
    res->n = 0;
    gt_writer *w = gt_writer_create(alloc);
    if (!w) return -1;
    FUZZ_OK(gt_writer_set_buffer(w, res->out, cap));
    gt_asm *a = gt_asm_create(alloc, w);
    if (!a) {
        gt_writer_free(w);
        return -1;
    }
    FUZZ_OK(gt_asm_set_limits(a, lim));
    gt_status s = GT_OK;
    size_t pos = 0;
    while (s == GT_OK && pos < n) {
        size_t k = pieces ? 1 + (size_t)fuzz_rng_below(pieces, fuzz_rng_below(pieces, 2) ? 8 : 512) : n;
        if (k > n - pos) k = n - pos;
        s = gt_asm_feed(a, txt + pos, k);
        pos += k;
    }
    if (s == GT_OK) s = gt_asm_finish(a);
    FUZZ_ASSERT(s == GT_OK || gt_is_error(s));
    FUZZ_ASSERT(strcmp(gt_status_name(s), "GT_UNKNOWN_STATUS") != 0);
    res->status = s;
    res->err = *gt_asm_error(a);
    if (s != GT_OK) {
        FUZZ_ASSERT(res->err.status == s && res->err.offset <= n);
        FUZZ_ASSERT(res->err.message[0] != '\0' && memchr(res->err.message, 0, sizeof res->err.message));
        FUZZ_ASSERT(gt_asm_feed(a, "x", 1) == s && gt_asm_finish(a) == s); /* sticky */
    }
    /* What was written so far stays; a finished writer adds nothing when the text failed. */
    res->n = (size_t)gt_writer_size(w);
    FUZZ_ASSERT(res->n <= cap);
    gt_asm_free(a);
    gt_writer_free(w);
    return 0;
}

static void assemble(const uint8_t *txt, size_t n, fuzz_rng *pieces, const gt_limits *lim, result *res)
{
    FUZZ_ASSERT(assemble_with(txt, n, pieces, lim, NULL, res) == 0);
}

static int is_limit(gt_status s) { return s == GT_ERR_LIMIT || s == GT_ERR_NOMEM || s == GT_ERR_DST_TOO_SMALL; }

/* bytes -> lossless text (framing-only decode); NULL if they do not decode. */
static char *dump(const uint8_t *p, size_t n, size_t *len)
{
    gt_reader *r = gt_reader_create(NULL);
    FUZZ_ASSERT(r != NULL);
    FUZZ_OK(gt_reader_set_validation(r, 0));
    FUZZ_OK(gt_reader_set_buffer(r, p, n));
    size_t cap = 1024, used = 0;
    char *t = fuzz_malloc(cap);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        unsigned v = gt_reader_version(r);
        size_t k = ev.kind == GT_KIND_HEADER ? gt_text_header(NULL, 0, v) : gt_text_event(NULL, 0, v, &ev, GT_TEXT_LOSSLESS);
        if (used + k + 1 > cap) {
            cap = (used + k + 1) * 2;
            char *nt = realloc(t, cap);
            FUZZ_ASSERT(nt != NULL);
            t = nt;
        }
        if (ev.kind == GT_KIND_HEADER) gt_text_header(t + used, cap - used, v);
        else gt_text_event(t + used, cap - used, v, &ev, GT_TEXT_LOSSLESS);
        used += k;
    }
    gt_reader_free(r);
    if (s != GT_END) {
        free(t);
        return NULL;
    }
    *len = used;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rng rng;
    fuzz_rng_init(&rng, fuzz_hash_bytes(0, data, size));
    result whole, split;
    assemble(data, size, NULL, NULL, &whole);
    assemble(data, size, &rng, NULL, &split);
    FUZZ_ASSERT_MSG(whole.status == split.status && whole.err.offset == split.err.offset &&
                        strcmp(whole.err.message, split.err.message) == 0,
                    "fed whole and in pieces: different verdicts");
    FUZZ_ASSERT_MSG(whole.n == split.n && memcmp(whole.out, split.out, whole.n) == 0,
                    "fed whole and in pieces: different bytes");

    /* Small limits: success becomes a limit error or stays the same success. */
    gt_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_batch_size = 1 + (uint32_t)fuzz_rng_below(&rng, 2048);
    lim.max_string_size = 1 + (uint32_t)fuzz_rng_below(&rng, 256);
    lim.max_frames = 1 + (uint32_t)fuzz_rng_below(&rng, 16);
    result small;
    assemble(data, size, NULL, &lim, &small);
    if (whole.status == GT_OK && small.status == GT_OK)
        FUZZ_ASSERT_MSG(small.n == whole.n && memcmp(small.out, whole.out, whole.n) == 0, "limits changed the bytes");
    if (whole.status == GT_OK && small.status != GT_OK)
        FUZZ_ASSERT_MSG(is_limit(small.status) || small.status == GT_ERR_TEXT_SYNTAX, gt_status_name(small.status));

    /* Allocation failure at call N (once, or from then on): the same result
     * or GT_ERR_NOMEM, and nothing leaks. */
    fuzz_arena arena = {0, 1 + fuzz_rng_below(&rng, 24), (int)fuzz_rng_below(&rng, 2), 0, 0};
    gt_alloc alc = fuzz_arena_alloc(&arena);
    result failing;
    if (assemble_with(data, size, NULL, NULL, &alc, &failing) == 0 && failing.status != GT_ERR_NOMEM) {
        FUZZ_ASSERT_MSG(failing.status == whole.status, gt_status_name(failing.status));
        if (whole.status == GT_OK) FUZZ_ASSERT(failing.n == whole.n && memcmp(failing.out, whole.out, whole.n) == 0);
    }
    FUZZ_ASSERT_MSG(arena.live_blocks == 0 && arena.live_bytes == 0, "the assembler or its writer leaked");
    free(failing.out);

    /* Idempotence through the decoder. */
    if (whole.status == GT_OK && whole.n > 0) {
        size_t tlen = 0;
        char *t = dump(whole.out, whole.n, &tlen);
        if (t) {
            result again;
            assemble((const uint8_t *)t, tlen, NULL, NULL, &again);
            if (again.status != GT_OK) fprintf(stderr, "re-assembly: %s\n", again.err.message);
            FUZZ_ASSERT_MSG(again.status == GT_OK, "the lossless dump of assembled bytes does not assemble");
            FUZZ_ASSERT_MSG(again.n == whole.n && memcmp(again.out, whole.out, whole.n) == 0,
                            "asm(dump(asm(text))) != asm(text)");
            free(again.out);
            free(t);
        }
    }
    free(whole.out);
    free(split.out);
    free(small.out);
    return 0;
}
