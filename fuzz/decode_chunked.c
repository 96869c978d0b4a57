/* decode_chunked: the same input through every input mode must give the same
 * items and the same verdict.
 *
 *   A  gt_reader_set_buffer (zero copy): the reference
 *   B  gt_reader_feed in fuzzer-chosen pieces, sometimes more eagerly than the
 *      reader asks, with the end of input marked with the last piece or alone
 *   C  gt_reader_set_callback returning fuzzer-chosen piece sizes, on the same
 *      reader as B after gt_reader_reset()
 *   D  a callback that fails after K bytes: a prefix of A, then GT_ERR_IO
 *      (or A itself when A stopped before needing byte K)
 *   E  B's pieces but the input marked final after K bytes: exactly the
 *      set_buffer decode of the first K bytes
 *
 * Parameters (from the end of the input): a schedule seed, a schedule style,
 * validation, optionally a filter (gt_reader_set_filter, the same in every
 * run, so the skim loops run on windows too), and optionally small limits so the internal window is small and
 * its compaction paths run on small inputs. Digests compare item content
 * (arguments, widths, data bytes, frames, offsets, indexes), not pointers. */
#include <string.h>

#include "fuzz_data_producer.h"
#include "fuzz_trace.h"

typedef struct schedule {
    fuzz_rng rng;
    unsigned style;
} schedule;

/* Size of the next piece: 1..max. */
static size_t piece(schedule *s, size_t max)
{
    size_t n;
    switch (s->style) {
    case 0: n = 1; break;
    case 1: n = 1 + (size_t)fuzz_rng_below(&s->rng, 16); break;
    case 2: n = 1 + (size_t)fuzz_rng_below(&s->rng, 4096); break;
    default: /* mostly small, sometimes huge */
        n = fuzz_rng_below(&s->rng, 8) ? 1 + (size_t)fuzz_rng_below(&s->rng, 64)
                                       : 1 + (size_t)fuzz_rng_below(&s->rng, 1u << 18);
        break;
    }
    return n < max ? n : max;
}

typedef struct params {
    uint64_t seed;
    unsigned style;
    int validate;
    int eager;      /* B: also feed after items, not only on GT_NEED_INPUT */
    int final_alone; /* B: mark the end with a separate empty feed */
    uint32_t filter; /* gt_reader_set_filter in every run (UINT32_MAX: none) */
    gt_limits lim;
} params;

/* B (and E with stop < size): push mode. */
static void run_push(gt_reader *r, const uint8_t *data, size_t size, const params *pr, fuzz_run *out)
{
    schedule s = {{0}, pr->style};
    fuzz_rng_init(&s.rng, pr->seed);
    fuzz_check c;
    fuzz_check_init(&c, NULL, size, &pr->lim);
    fuzz_check_reader(&c, r);
    FUZZ_OK(gt_reader_set_limits(r, &pr->lim));
    FUZZ_OK(gt_reader_set_validation(r, pr->validate));
    if (pr->filter != UINT32_MAX) {
        gt_reader_set_filter(r, pr->filter);
        c.filtered = 1;
    }
    size_t pos = 0;
    int final_sent = 0, feed_now = 1;
    gt_event ev;
    gt_status st = GT_NEED_INPUT; /* nothing is decoded before the first feed */
    for (;;) {
        if (feed_now) {
            FUZZ_ASSERT_MSG(!final_sent, "GT_NEED_INPUT after the end of input was marked");
            size_t n = pos < size ? piece(&s, size - pos) : 0;
            int fin = pos + n == size && !(pr->final_alone && n > 0);
            size_t consumed = 99;
            FUZZ_OK(gt_reader_feed(r, data + pos, n, fin, &consumed));
            FUZZ_ASSERT(consumed <= n);
            /* The reader asked for input: it must make room for some. */
            if (st == GT_NEED_INPUT && n > 0) FUZZ_ASSERT_MSG(consumed > 0, "reader wants input but takes none");
            pos += consumed;
            if (fin && consumed == n) final_sent = 1;
        }
        st = gt_reader_next(r, &ev);
        if (st == GT_OK) {
            fuzz_check_item(&c, r, &ev);
            feed_now = pr->eager && !final_sent && fuzz_rng_below(&s.rng, 4) == 0;
            continue;
        }
        if (st != GT_NEED_INPUT) break;
        feed_now = 1;
    }
    if (final_sent) {
        /* Feeding after the end is a state error, and changes nothing. */
        size_t consumed;
        FUZZ_ASSERT(gt_reader_feed(r, data, size ? 1 : 0, 0, &consumed) == GT_ERR_STATE && consumed == 0);
    }
    fuzz_check_end(&c, r, st, out);
}

typedef struct source {
    const uint8_t *data;
    size_t size, pos;
    size_t fail_at; /* SIZE_MAX: never fail */
    schedule s;
} source;

static long pull(void *user, uint8_t *buf, size_t cap)
{
    source *src = user;
    FUZZ_ASSERT(cap > 0);
    if (src->pos >= src->fail_at) return -1;
    size_t left = src->size - src->pos;
    if (left == 0) return 0;
    size_t n = piece(&src->s, left < cap ? left : cap);
    if (src->fail_at != SIZE_MAX && src->pos + n > src->fail_at) n = src->fail_at - src->pos;
    memcpy(buf, src->data + src->pos, n);
    src->pos += n;
    return (long)n;
}

/* C and D: pull mode. */
static void run_callback(gt_reader *r, const uint8_t *data, size_t size, const params *pr, size_t fail_at,
                         fuzz_run *out, const uint64_t *trail, size_t trail_cap)
{
    source src = {data, size, 0, fail_at, {{0}, pr->style}};
    fuzz_rng_init(&src.s.rng, pr->seed ^ 0x5bd1e995u);
    fuzz_check c;
    fuzz_check_init(&c, NULL, size, &pr->lim);
    fuzz_check_reader(&c, r);
    FUZZ_OK(gt_reader_set_limits(r, &pr->lim));
    FUZZ_OK(gt_reader_set_validation(r, pr->validate));
    FUZZ_OK(gt_reader_set_callback(r, pull, &src));
    if (pr->filter != UINT32_MAX) {
        gt_reader_set_filter(r, pr->filter);
        c.filtered = 1;
    }
    gt_event ev;
    gt_status st;
    while ((st = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        if (trail && c.items <= trail_cap) FUZZ_ASSERT_MSG(trail[c.items - 1] == c.digest, "not a prefix");
    }
    FUZZ_ASSERT(st != GT_NEED_INPUT);
    fuzz_check_end(&c, r, st, out);
}

static void draw_params(fuzz_producer *fp, params *pr)
{
    memset(pr, 0, sizeof *pr);
    pr->seed = fuzz_producer_u64(fp);
    unsigned bits = fuzz_producer_range(fp, 0, 255);
    pr->style = bits & 3;
    pr->validate = !(bits & 4);
    pr->eager = (bits >> 3) & 1;
    pr->final_alone = (bits >> 4) & 1;
    pr->filter = UINT32_MAX;
    if (bits & 0x40) pr->filter = (uint32_t)(pr->seed >> 32) | (pr->seed & 1 ? 1u << GT_KIND_HEADER : 0);
    if (bits & 0x20) {
        /* Small limits: a window of a few hundred bytes. */
        pr->lim.max_batch_size = fuzz_producer_range(fp, 1, 512);
        pr->lim.max_frames = fuzz_producer_range(fp, 1, 8);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_producer fp;
    fuzz_producer_init(&fp, data, size);
    params pr;
    draw_params(&fp, &pr);
    size_t fail_at = fuzz_producer_range(&fp, 0, 0xffffff);
    size = fuzz_producer_remaining(&fp);

    size_t cap = size + 2;
    uint64_t *trail = fuzz_malloc(cap * sizeof *trail);
    fuzz_run a, b, c, d, e, e_ref;
    FUZZ_ASSERT(fuzz_decode_buffer_ex(data, size, pr.validate, &pr.lim, NULL, pr.filter, &a, trail, cap) == 0);
    FUZZ_ASSERT(a.items <= cap);

    gt_reader *r = gt_reader_create(NULL);
    FUZZ_ASSERT(r != NULL);
    run_push(r, data, size, &pr, &b);
    fuzz_assert_same_run(&a, &b, "set_buffer vs feed");

    gt_reader_reset(r);
    run_callback(r, data, size, &pr, SIZE_MAX, &c, trail, cap);
    fuzz_assert_same_run(&a, &c, "set_buffer vs callback");

    /* D: the source fails at byte fail_at. */
    fail_at = size ? fail_at % (size + 1) : 0;
    gt_reader_reset(r);
    run_callback(r, data, size, &pr, fail_at, &d, trail, cap);
    if (d.status == GT_ERR_IO) FUZZ_ASSERT(d.items <= a.items);
    else fuzz_assert_same_run(&a, &d, "set_buffer vs failing callback");
    if (a.status == GT_END && fail_at < size) FUZZ_ASSERT(d.status == GT_ERR_IO);

    /* E: the input ends (cleanly) after fail_at bytes. */
    gt_reader_reset(r);
    run_push(r, data, fail_at, &pr, &e);
    FUZZ_ASSERT(fuzz_decode_buffer_ex(data, fail_at, pr.validate, &pr.lim, NULL, pr.filter, &e_ref, NULL, 0) == 0);
    fuzz_assert_same_run(&e_ref, &e, "set_buffer vs feed of a prefix");

    gt_reader_free(r);
    free(trail);
    return 0;
}
