/* order_parse: the ordering engine (gt_parser) on any input.
 *
 *   A  gt_parser_set_buffer, every event resolved and formatted as Go's
 *      Event.String(): the reference. Invariants checked per event: times
 *      strictly increase, kinds and states are in range, every string and
 *      frame the event points to is readable (ASan sees an overrun), the
 *      text's length is what gt_parser_format says, a Sync's generation and
 *      offsets stay inside the input.
 *   B  gt_parser_set_callback with fuzzer-chosen piece sizes: the same events
 *      (a digest of their text), the same verdict, status and error offset.
 *   C  gt_parser_next_sync (the validator's fast path, frames off): the same
 *      verdict, status and offset, and as many events in all.
 *   D  sometimes, a tiny memory budget or generation limit: any verdict and
 *      any number of events (before go 1.26 a generation cut short by the
 *      limit is ordered up to the cut, as Go orders one cut short by a read
 *      error, so it can even pass events the whole run fails before), but
 *      the per-event invariants hold and nothing crashes or leaks.
 * A and C read a copy of the input whose bytes are overwritten as soon as
 * gt_parser_set_release() says they are not read again: B's identical
 * digest shows they never are.
 * Parameters (piece schedule, budget) come from a hash of the input, so the
 * whole input stays the trace. Legacy headers are left to legacy_decode. */
#include <string.h>

#include "fuzz_data_producer.h"
#include "fuzz_trace.h"

typedef struct run {
    gt_status status;
    gt_error err;
    uint64_t events, digest;
} run;

typedef struct pieces {
    const uint8_t *data;
    size_t size, pos;
    fuzz_rng rng;
    unsigned style;
} pieces;

static long feed(void *user, uint8_t *buf, size_t cap)
{
    pieces *p = user;
    size_t left = p->size - p->pos;
    if (left == 0) return 0;
    size_t n = p->style == 0 ? 1 : 1 + (size_t)fuzz_rng_below(&p->rng, p->style == 1 ? 64 : 1u << 17);
    if (n > left) n = left;
    if (n > cap) n = cap;
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    return (long)n;
}

/* Read every byte the event points to, and check what can be checked. */
static uint64_t touch_str(uint64_t h, gt_strview s)
{
    FUZZ_ASSERT(s.len == 0 || s.ptr != NULL);
    return fuzz_hash_bytes(h, s.ptr, s.len);
}

static uint64_t touch_stack(uint64_t h, const gt_stack *st)
{
    if (!st->present || !st->frames) return h;
    for (uint32_t i = 0; i < st->nframes; i++) {
        const gt_stack_frame *f = &st->frames[i];
        h = fuzz_hash_u64(h, f->pc ^ f->line);
        h = touch_str(h, f->func);
        h = touch_str(h, f->file);
    }
    return h;
}

static void check_event(const gt_parsed *ev, int64_t *last_time, uint64_t size)
{
    FUZZ_ASSERT(ev->kind >= GT_PARSED_SYNC && ev->kind <= GT_PARSED_EXPERIMENTAL);
    FUZZ_ASSERT(ev->time > *last_time || *last_time == INT64_MIN);
    *last_time = ev->time;
    FUZZ_ASSERT(ev->offset <= size);
    if (ev->kind == GT_PARSED_STATE_TRANSITION) {
        FUZZ_ASSERT(ev->transition.resource == GT_RESOURCE_GOROUTINE || ev->transition.resource == GT_RESOURCE_PROC);
        unsigned max = ev->transition.resource == GT_RESOURCE_GOROUTINE ? GT_GO_SYSCALL : GT_PROC_IDLE;
        FUZZ_ASSERT(ev->transition.from <= max && ev->transition.to <= max);
    }
}

static uint64_t digest_event(uint64_t h, const gt_parsed *ev, char **text, size_t *cap)
{
    h = touch_stack(h, &ev->stack);
    if (ev->kind == GT_PARSED_STATE_TRANSITION) h = touch_stack(h, &ev->transition.stack);
    size_t n = gt_parser_format(ev, *text, *cap);
    if (n >= *cap) {
        free(*text);
        *cap = n + 1;
        *text = fuzz_malloc(*cap);
        FUZZ_ASSERT(gt_parser_format(ev, *text, *cap) == n);
    }
    FUZZ_ASSERT(memchr(*text, '\0', n) == NULL || ev->kind != GT_PARSED_SYNC);
    return fuzz_hash_bytes(h, *text, n);
}

static void finish(gt_parser *p, gt_status s, run *r)
{
    gt_parse_counts pc;
    gt_parser_counts(p, &pc);
    FUZZ_ASSERT(pc.events == r->events); /* events passed over by next_sync count too */
    FUZZ_ASSERT(pc.peak_memory >= pc.memory);
    r->status = s;
    r->err = *gt_parser_error(p);
    FUZZ_ASSERT(s == GT_END || gt_is_error(s));
    FUZZ_ASSERT((s == GT_END) == (r->err.status == GT_OK));
    gt_parsed ev;
    FUZZ_ASSERT(gt_parser_next(p, &ev) == s); /* sticky, and GT_END stays GT_END */
    gt_parser_free(p);
}

static gt_parser *make(const gt_limits *lim, unsigned flags)
{
    gt_parser *p = gt_parser_create(NULL);
    FUZZ_ASSERT(p != NULL);
    FUZZ_OK(gt_parser_set_limits(p, lim));
    FUZZ_OK(gt_parser_set_flags(p, flags));
    return p;
}

static void run_events(gt_parser *p, uint64_t size, run *r)
{
    gt_parsed ev;
    gt_status s;
    int64_t last = INT64_MIN;
    size_t cap = 256;
    char *text = fuzz_malloc(cap);
    r->events = 0;
    r->digest = 0;
    while ((s = gt_parser_next(p, &ev)) == GT_OK) {
        check_event(&ev, &last, size);
        r->digest = digest_event(r->digest, &ev, &text, &cap);
        r->events++;
    }
    free(text);
    finish(p, s, r);
}

static void run_syncs(gt_parser *p, run *r)
{
    gt_parsed ev;
    gt_status s;
    uint64_t skipped;
    gt_parse_counts pc;
    r->events = 0;
    while ((s = gt_parser_next_sync(p, &ev, &skipped)) == GT_OK) {
        FUZZ_ASSERT(ev.kind == GT_PARSED_SYNC);
        r->events += skipped + 1;
    }
    /* After an error, the events passed over before it are only in the counts. */
    gt_parser_counts(p, &pc);
    FUZZ_ASSERT(pc.events >= r->events);
    r->events = pc.events;
    r->digest = 0;
    finish(p, s, r);
}

static void same_verdict(const run *a, const run *b)
{
    FUZZ_ASSERT_MSG(a->status == b->status, gt_status_name(b->status));
    FUZZ_ASSERT(a->err.offset == b->err.offset);
    FUZZ_ASSERT(strcmp(a->err.message, b->err.message) == 0);
}

typedef struct poison {
    uint8_t *b;
    uint64_t done, size;
} poison;

static void poison_cb(void *user, uint64_t offset)
{
    poison *z = user;
    FUZZ_ASSERT_MSG(offset >= z->done && offset <= z->size, "release offsets go back or past the end");
    memset(z->b + z->done, 0xA5, (size_t)(offset - z->done));
    z->done = offset;
}

/* A copy of data that p reads and poison_cb overwrites. */
static uint8_t *poisoned_input(gt_parser *p, const uint8_t *data, size_t size, poison *z)
{
    uint8_t *copy = fuzz_malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    *z = (poison){copy, 0, size};
    FUZZ_OK(gt_parser_set_buffer(p, copy, size));
    FUZZ_OK(gt_parser_set_release(p, poison_cb, z));
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned version;
    if (gt_header_parse(data, size, &version) == GT_OK && gt_version_format(version) != GT_FORMAT_V2) return -1;
    uint64_t h = fuzz_hash_bytes(0x6f72646572ull, data, size);
    gt_limits lim;
    gt_limits_default(&lim);
    lim.max_memory = 64u << 20; /* a crafted file may claim many IDs; stay well under -rss_limit_mb */
    const unsigned flags = GT_PARSER_REJECT_TOOL_CRASHES;

    run a, b, c;
    poison z;
    gt_parser *p = make(&lim, flags);
    uint8_t *copy = poisoned_input(p, data, size, &z);
    run_events(p, size, &a);
    free(copy);

    pieces src = {.data = data, .size = size, .style = (unsigned)(h % 3)};
    fuzz_rng_init(&src.rng, h);
    p = make(&lim, flags);
    FUZZ_OK(gt_parser_set_callback(p, feed, &src));
    run_events(p, size, &b);
    /* The callback path holds whole generations in memory; the buffer path
     * only an index. Only a memory verdict may tell them apart. */
    if (a.status != GT_ERR_NOMEM && b.status != GT_ERR_NOMEM && a.status != GT_ERR_LIMIT && b.status != GT_ERR_LIMIT) {
        same_verdict(&a, &b);
        FUZZ_ASSERT(a.events == b.events && a.digest == b.digest);
    }

    p = make(&lim, flags | GT_PARSER_NO_FRAMES);
    copy = poisoned_input(p, data, size, &z);
    run_syncs(p, &c);
    free(copy);
    same_verdict(&a, &c);
    FUZZ_ASSERT(a.events == c.events);

    if ((h >> 8) % 4 == 0) { /* D: starved */
        gt_limits tiny = lim;
        tiny.max_memory = 4096 + (h >> 16) % (64u << 10);
        tiny.max_generation_bytes = 1 + (h >> 24) % 4096;
        p = make(&tiny, flags);
        FUZZ_OK(gt_parser_set_buffer(p, data, size));
        run_events(p, size, &c);
    }
    return 0;
}
