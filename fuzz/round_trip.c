/* round_trip: whatever the decoder delivers re-encodes to the bytes it came
 * from.
 *   1. Decode (with validation, then framing-only); every item goes through
 *      gt_encode_event, whose bytes must be exactly the input's at the item's
 *      offset and fit gt_event_bound, and through gt_writer_item into a
 *      buffer-mode writer. The writer's output is always a prefix of the
 *      input, and all of it when the decode accepted the input.
 *   2. When the framing-only decode accepts the input: the lossless dump of
 *      every item (GT_TEXT_LOSSLESS), assembled by gt_asm in two pieces,
 *      gives back the input byte for byte.
 * No parameters are drawn: the input is the trace. */
#include <string.h>

#include "fuzz_trace.h"

typedef struct text {
    char *p;
    size_t n, cap;
} text;

/* The text of one item as `gotrace dump --lossless` prints it (the header
 * item is the "Trace Go1.N" line). */
static size_t item_text(char *dst, size_t cap, unsigned version, const gt_event *ev)
{
    if (ev->kind == GT_KIND_HEADER) return gt_text_header(dst, cap, version);
    return gt_text_event(dst, cap, version, ev, GT_TEXT_LOSSLESS);
}

static void text_add(text *t, unsigned version, const gt_event *ev)
{
    size_t len = item_text(NULL, 0, version, ev);
    if (t->n + len + 1 > t->cap) {
        t->cap = (t->n + len + 1) * 2;
        char *np = realloc(t->p, t->cap);
        FUZZ_ASSERT(np != NULL);
        t->p = np;
    }
    FUZZ_ASSERT(item_text(t->p + t->n, t->cap - t->n, version, ev) == len);
    t->n += len;
}

/* Returns the decode's status; fills *txt with the lossless text if asked. */
static gt_status reencode(const uint8_t *data, size_t size, int validate, text *txt)
{
    size_t cap = size + 64;
    uint8_t *out = fuzz_malloc(cap);
    gt_writer *w = gt_writer_create(NULL);
    FUZZ_ASSERT(w != NULL);
    FUZZ_OK(gt_writer_set_buffer(w, out, cap));
    fuzz_check c;
    gt_reader *r = fuzz_open_buffer(&c, data, size, validate);
    gt_event ev;
    gt_status s;
    size_t bound_cap = 0;
    uint8_t *one = NULL;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        unsigned version = gt_reader_version(r);
        size_t bound = gt_event_bound(version, &ev);
        FUZZ_ASSERT(bound != SIZE_MAX);
        if (bound > bound_cap) {
            free(one);
            bound_cap = bound;
            one = fuzz_malloc(bound_cap);
        }
        size_t written = 0;
        gt_status es = gt_encode_event(one, bound, version, &ev, &written);
        FUZZ_ASSERT_MSG(es == GT_OK, gt_status_name(es));
        FUZZ_ASSERT(written <= bound);
        if (ev.kind == GT_KIND_GENERATION_END) FUZZ_ASSERT(written == 0);
        else FUZZ_ASSERT_MSG(written <= size - ev.offset && memcmp(one, data + ev.offset, written) == 0,
                             "gt_encode_event differs from the input bytes");
        /* One byte short is too small (nothing promised about the prefix). */
        if (written > 0) FUZZ_ASSERT(gt_encode_event(one, written - 1, version, &ev, NULL) == GT_ERR_DST_TOO_SMALL);
        gt_status ws = gt_writer_item(w, &ev);
        FUZZ_ASSERT_MSG(ws == GT_OK, gt_writer_error(w)->message);
        if (txt) text_add(txt, version, &ev);
    }
    fuzz_run run;
    fuzz_check_end(&c, r, s, &run);
    FUZZ_OK(gt_writer_finish(w));
    uint64_t n = gt_writer_size(w);
    FUZZ_ASSERT_MSG(n <= size && memcmp(out, data, (size_t)n) == 0, "writer output is not a prefix of the input");
    if (s == GT_END) FUZZ_ASSERT_MSG(n == size, "accepted input not re-encoded whole");
    free(one);
    gt_reader_free(r);
    gt_writer_free(w);
    free(out);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reencode(data, size, 1, NULL);
    text txt = {NULL, 0, 0};
    if (reencode(data, size, 0, &txt) == GT_END && txt.n > 0) {
        size_t cap = size + 64;
        uint8_t *out = fuzz_malloc(cap);
        gt_writer *w = gt_writer_create(NULL);
        FUZZ_ASSERT(w != NULL);
        FUZZ_OK(gt_writer_set_buffer(w, out, cap));
        gt_asm *a = gt_asm_create(NULL, w);
        FUZZ_ASSERT(a != NULL);
        size_t cut = (size_t)(fuzz_hash_bytes(0, data, size) % (txt.n + 1));
        gt_status s = gt_asm_feed(a, txt.p, cut);
        if (s == GT_OK) s = gt_asm_feed(a, txt.p + cut, txt.n - cut);
        if (s == GT_OK) s = gt_asm_finish(a);
        if (s != GT_OK) fprintf(stderr, "asm: %s\n", gt_asm_error(a)->message);
        FUZZ_ASSERT_MSG(s == GT_OK, "the lossless dump of an accepted trace does not assemble");
        FUZZ_OK(gt_writer_finish(w));
        FUZZ_ASSERT_MSG(gt_writer_size(w) == size && memcmp(out, data, size) == 0,
                        "asm(dump --lossless) differs from the input");
        gt_asm_free(a);
        gt_writer_free(w);
        free(out);
    }
    free(txt.p);
    return 0;
}
