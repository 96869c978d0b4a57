/* decode_tiny_memory: decoding under tiny limits and a failing allocator.
 *
 * Limits (max_memory, max_ids, max_frames, max_string_size, max_batch_size)
 * and an allocator that fails at the N-th allocation (once, or from then on)
 * are drawn from the end of the input; the rest is the trace, decoded from a
 * buffer, by feeding or through a callback. Checks:
 *   - no leak: everything allocated through the gt_alloc is freed, with the
 *     sizes it was allocated with (realloc/free receive the right old size);
 *   - the budget holds: the reader's peak never exceeds max_memory;
 *   - limits only ever cut a decode short: the items are a prefix of those of
 *     an unlimited decode, and a verdict other than a limit or allocation
 *     error is exactly the unlimited verdict. */
#include <string.h>

#include "fuzz_data_producer.h"
#include "fuzz_trace.h"

typedef struct source {
    const uint8_t *data;
    size_t size, pos, step;
} source;

static long pull(void *user, uint8_t *buf, size_t cap)
{
    source *s = user;
    size_t n = s->size - s->pos;
    if (n > cap) n = cap;
    if (n > s->step) n = s->step;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (long)n;
}

static int is_limit_status(gt_status s)
{
    return s == GT_ERR_LIMIT || s == GT_ERR_NOMEM || s == GT_ERR_BATCH_SIZE || s == GT_ERR_STRING_SIZE ||
           s == GT_ERR_STACK_SIZE;
}

/* Decode through the arena in one of three input modes. -1: gave up before
 * the first item because an allocation failed (reader, window). */
static int decode(const uint8_t *data, size_t size, int mode, int validate, const gt_limits *lim, fuzz_arena *a,
                  size_t step, fuzz_run *out, const uint64_t *trail, size_t trail_cap)
{
    const gt_alloc alc = fuzz_arena_alloc(a);
    gt_reader *r = gt_reader_create(&alc);
    if (!r) return -1;
    fuzz_check c;
    fuzz_check_init(&c, mode == 0 ? data : NULL, size, lim);
    fuzz_check_reader(&c, r);
    FUZZ_OK(gt_reader_set_limits(r, lim));
    FUZZ_OK(gt_reader_set_validation(r, validate));
    source src = {data, size, 0, step};
    gt_status s = GT_OK;
    if (mode == 0) s = gt_reader_set_buffer(r, data, size);
    else if (mode == 1) s = gt_reader_set_callback(r, pull, &src);
    if (s != GT_OK) {
        FUZZ_ASSERT(s == GT_ERR_NOMEM);
        gt_reader_free(r);
        return -1;
    }
    gt_event ev;
    for (;;) {
        if (mode == 2 && src.pos < size) {
            size_t n = size - src.pos < step ? size - src.pos : step, used;
            s = gt_reader_feed(r, data + src.pos, n, src.pos + n == size, &used);
            if (s == GT_ERR_NOMEM) {
                gt_reader_free(r);
                return -1;
            }
            FUZZ_OK(s);
            src.pos += used;
        } else if (mode == 2 && c.items == 0 && size == 0) {
            size_t used;
            s = gt_reader_feed(r, data, 0, 1, &used);
            if (s == GT_ERR_NOMEM) {
                gt_reader_free(r);
                return -1;
            }
        }
        while ((s = gt_reader_next(r, &ev)) == GT_OK) {
            fuzz_check_item(&c, r, &ev);
            if (trail && c.items <= trail_cap) FUZZ_ASSERT_MSG(trail[c.items - 1] == c.digest, "not a prefix");
        }
        if (s != GT_NEED_INPUT) break;
    }
    fuzz_check_end(&c, r, s, out);
    gt_reader_free(r);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_producer fp;
    fuzz_producer_init(&fp, data, size);
    gt_limits lim;
    memset(&lim, 0, sizeof lim);
    unsigned bits = fuzz_producer_range(&fp, 0, 0xffff);
    int mode = (int)(bits % 3);
    int validate = !(bits & 4);
    fuzz_arena a = {0, 0, 0, 0, 0};
    if (bits & 8) {
        a.fail_at = fuzz_producer_range(&fp, 1, 64);
        a.fail_after = (bits >> 4) & 1;
    }
    /* Each limit: default, or small. */
    if (bits & 0x20) lim.max_memory = fuzz_producer_range(&fp, 1, 1u << fuzz_producer_range(&fp, 8, 22));
    if (bits & 0x40) lim.max_ids = fuzz_producer_range(&fp, 1, 300);
    if (bits & 0x80) lim.max_frames = fuzz_producer_range(&fp, 1, 40);
    if (bits & 0x100) lim.max_string_size = fuzz_producer_range(&fp, 1, 300);
    if (bits & 0x200) lim.max_batch_size = fuzz_producer_range(&fp, 1, 4096);
    size_t step = fuzz_producer_range(&fp, 1, 4096);
    size = fuzz_producer_remaining(&fp);

    /* The reference: no limits, the C library's allocator. */
    size_t cap = size + 2;
    uint64_t *trail = fuzz_malloc(cap * sizeof *trail);
    fuzz_run ref, run;
    FUZZ_ASSERT(fuzz_decode_buffer(data, size, validate, NULL, NULL, &ref, trail, cap) == 0);

    int rc = decode(data, size, mode, validate, &lim, &a, step, &run, trail, cap);
    FUZZ_ASSERT_MSG(a.live_blocks == 0 && a.live_bytes == 0, "memory leaked through the gt_alloc");
    if (rc == 0) {
        FUZZ_ASSERT(run.items <= ref.items);
        if (!is_limit_status(run.status)) {
            FUZZ_ASSERT_MSG(run.status == ref.status, gt_status_name(run.status));
            FUZZ_ASSERT(run.items == ref.items && run.err.offset == ref.err.offset);
        }
        /* No allocation failure and default limits: the reference itself. */
        if (a.fail_at == 0 && (bits & 0x3e0) == 0) fuzz_assert_same_run(&ref, &run, "default limits, own allocator");
    } else {
        FUZZ_ASSERT(a.fail_at != 0 || (bits & 0x20));
    }
    free(trail);
    return 0;
}
