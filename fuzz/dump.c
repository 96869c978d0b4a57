/* dump: decode, then format every item with gt_text_event (plain and
 * lossless) the way `gotrace dump` does, into an exact-size buffer and into a
 * fuzzer-chosen smaller one. Checks the snprintf-like contract: the returned
 * length never depends on the capacity, a complete text is NUL-terminated
 * when there is room and has no NUL inside, a cut text is a NUL-terminated
 * prefix, and nothing is written past the capacity (the buffers are exactly
 * that large, so ASan sees any overrun). Also gt_text_header and
 * gt_text_quote on every payload, and the same checks on events built from
 * random fields (any gt_event a caller may pass). */
#include <string.h>

#include "fuzz_data_producer.h"
#include "fuzz_trace.h"

static void check_text(size_t (*fmt)(char *, size_t, const void *), const void *arg, size_t cut)
{
    size_t len = fmt(NULL, 0, arg);
    char *full = fuzz_malloc(len + 1);
    memset(full, 0x55, len + 1);
    FUZZ_ASSERT(fmt(full, len + 1, arg) == len);
    FUZZ_ASSERT_MSG(full[len] == '\0' && strlen(full) == len, "complete text: NUL missing or inside");
    /* Exactly the length: complete, no room for the NUL. */
    if (len > 0) {
        char *exact = fuzz_malloc(len);
        FUZZ_ASSERT(fmt(exact, len, arg) == len);
        FUZZ_ASSERT(memcmp(exact, full, len) == 0);
        free(exact);
    }
    /* A cut: a NUL-terminated prefix inside the capacity. */
    cut = len ? cut % (len + 1) : 0;
    char *part = fuzz_malloc(cut);
    FUZZ_ASSERT(fmt(cut ? part : NULL, cut, arg) == len);
    if (cut > 0 && cut < len) {
        size_t n = strnlen(part, cut);
        FUZZ_ASSERT_MSG(n < cut, "cut text not NUL-terminated");
        FUZZ_ASSERT_MSG(memcmp(part, full, n) == 0, "cut text is not a prefix");
    }
    free(part);
    free(full);
}

typedef struct event_arg {
    unsigned version;
    const gt_event *ev;
    unsigned flags;
} event_arg;

static size_t fmt_event(char *dst, size_t cap, const void *p)
{
    const event_arg *a = p;
    return gt_text_event(dst, cap, a->version, a->ev, a->flags);
}

static size_t fmt_header(char *dst, size_t cap, const void *p)
{
    return gt_text_header(dst, cap, *(const unsigned *)p);
}

typedef struct bytes_arg {
    const uint8_t *p;
    size_t n;
} bytes_arg;

static size_t fmt_quote(char *dst, size_t cap, const void *p)
{
    const bytes_arg *b = p;
    return gt_text_quote(dst, cap, b->p, b->n);
}

static void check_event(unsigned version, const gt_event *ev, unsigned flags, size_t cut)
{
    event_arg a = {version, ev, flags};
    check_text(fmt_event, &a, cut);
    size_t len = gt_text_event(NULL, 0, version, ev, flags);
    if (ev->kind == GT_KIND_HEADER || ev->kind == GT_KIND_GENERATION_END) {
        FUZZ_ASSERT(len == 0);
        return;
    }
    if (!ev->spec) return;
    /* Text lines start with the event's name and end with a newline. */
    char *t = fuzz_malloc(len + 1);
    gt_text_event(t, len + 1, version, ev, flags);
    size_t nl = strlen(ev->spec->name);
    FUZZ_ASSERT(len > nl && memcmp(t, ev->spec->name, nl) == 0 && (t[nl] == ' ' || t[nl] == '\n'));
    FUZZ_ASSERT(t[len - 1] == '\n');
    free(t);
}

/* Events as a caller may build them (gt_text_event takes any gt_event):
 * random arguments, widths, frames, data, argument bits and lengths. */
static void check_synthetic(const uint8_t *data, size_t size, fuzz_rng *rng)
{
    size_t nv;
    const unsigned *versions = gt_versions(&nv);
    gt_frame frames[5];
    for (int k = 0; k < 8; k++) {
        unsigned version = versions[fuzz_rng_below(rng, nv)];
        gt_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = (uint8_t)fuzz_rng_below(rng, version >= 22 ? 256 : 64);
        ev.spec = gt_spec(version, ev.type);
        if (!ev.spec) continue;
        ev.kind = (uint8_t)(1 + fuzz_rng_below(rng, GT_KIND_GENERATION_END));
        const gt_arg_spec *a[GT_MAX_ARGS];
        ev.nargs = (uint8_t)gt_spec_args(ev.spec, version, a);
        for (unsigned i = 0; i < GT_MAX_ARGS; i++) {
            ev.args[i] = fuzz_rng_next(rng) >> fuzz_rng_below(rng, 64);
            ev.width[i] = (uint8_t)fuzz_rng_below(rng, 12);
        }
        ev.argbits = (uint8_t)fuzz_rng_below(rng, 4);
        if (fuzz_rng_below(rng, 2)) {
            ev.block_len_width = (uint8_t)fuzz_rng_below(rng, 11);
            ev.block_len = (uint32_t)fuzz_rng_next(rng) >> fuzz_rng_below(rng, 32);
        }
        ev.nframes = (uint32_t)fuzz_rng_below(rng, 6);
        for (uint32_t f = 0; f < ev.nframes; f++) {
            frames[f].pc = fuzz_rng_next(rng);
            frames[f].func = fuzz_rng_below(rng, 100);
            frames[f].file = fuzz_rng_below(rng, 100);
            frames[f].line = fuzz_rng_next(rng) >> 40;
            for (int w = 0; w < 4; w++) frames[f].width[w] = (uint8_t)fuzz_rng_below(rng, 12);
        }
        ev.frames = ev.nframes || fuzz_rng_below(rng, 2) ? frames : NULL;
        if (size && fuzz_rng_below(rng, 2)) {
            size_t at = (size_t)fuzz_rng_below(rng, size);
            ev.data = data + at;
            ev.data_len = fuzz_rng_below(rng, size - at + 1);
            ev.data_len_width = (uint8_t)fuzz_rng_below(rng, 12);
        }
        check_event(version, &ev, 0, (size_t)fuzz_rng_next(rng));
        check_event(version, &ev, GT_TEXT_LOSSLESS, (size_t)fuzz_rng_next(rng));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_producer fp;
    fuzz_producer_init(&fp, data, size);
    int validate = fuzz_producer_bool(&fp);
    uint64_t seed = fuzz_producer_u64(&fp);
    size = fuzz_producer_remaining(&fp);
    fuzz_rng rng;
    fuzz_rng_init(&rng, seed);

    fuzz_check c;
    gt_reader *r = fuzz_open_buffer(&c, data, size, validate);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        unsigned version = gt_reader_version(r);
        if (ev.kind == GT_KIND_HEADER) check_text(fmt_header, &version, (size_t)fuzz_rng_next(&rng));
        check_event(version, &ev, 0, (size_t)fuzz_rng_next(&rng));
        check_event(version, &ev, GT_TEXT_LOSSLESS, (size_t)fuzz_rng_next(&rng));
        if (ev.data && ev.data_len) {
            bytes_arg b = {ev.data, (size_t)ev.data_len};
            size_t q = gt_text_quote(NULL, 0, b.p, b.n);
            FUZZ_ASSERT(q >= 2 + b.n && q <= 2 + 4 * b.n);
            check_text(fmt_quote, &b, (size_t)fuzz_rng_next(&rng));
        }
    }
    fuzz_run run;
    fuzz_check_end(&c, r, s, &run);
    gt_reader_free(r);
    check_synthetic(data, size, &rng);
    return 0;
}
