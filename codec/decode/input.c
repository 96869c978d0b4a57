/* The input window: the caller's buffer (zero copy), or an internal buffer
 * refilled through a callback or by gt_reader_feed(). The decoders ask for a
 * number of contiguous bytes at the current position; the window never holds
 * more than one batch plus read-ahead, so memory does not depend on the
 * trace's size. */
#include "reader.h"

uint64_t gt_input_offset(const gt_reader *r) { return r->in.base + r->in.pos; }

void gt_input_consume(gt_reader *r, size_t n) { r->in.pos += n; }

void gt_input_free(gt_reader *r)
{
    gt_mem_free(&r->mem, r->in.buf, r->in.cap);
    r->in.buf = NULL;
    r->in.cap = 0;
}

/* Move the unread bytes to the start of the buffer. */
static void compact(gt_input *in)
{
    if (in->pos == 0) return;
    size_t live = in->end - in->pos;
    memmove(in->buf, in->buf + in->pos, live);
    in->base += in->pos;
    in->pos = 0;
    in->end = live;
}

static gt_status pull(gt_reader *r, size_t want)
{
    gt_input *in = &r->in;
    while (!in->final && in->end - in->pos < want) {
        if (in->end == in->cap) compact(in);
        long got = in->fn(in->user, in->buf + in->end, in->cap - in->end);
        if (got < 0) return GT_ERR_IO;
        if (got == 0) in->final = true;
        if ((size_t)got > in->cap - in->end) return GT_ERR_IO;
        in->end += (size_t)got;
    }
    return GT_OK;
}

gt_status gt_input_fill(gt_reader *r, size_t want, const uint8_t **p, size_t *avail)
{
    gt_input *in = &r->in;
    if (in->mode != SRC_MEM && in->end - in->pos < want) {
        if (want > in->cap) return GT_ERR_LIMIT;
        if (in->cap - in->pos < want) compact(in);
        if (in->mode == SRC_CALLBACK) {
            gt_status s = pull(r, want);
            if (s != GT_OK) return s;
        } else if (!in->final) {
            return GT_NEED_INPUT;
        }
    }
    *p = in->data + in->pos;
    *avail = in->end - in->pos;
    return GT_OK;
}
