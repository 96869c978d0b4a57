/* Input for the parser and Go's batch framing (internal/trace/batch.go:
 * readBatch), error for error: the same texts, and the same quirks (an
 * ExperimentalBatch byte at the very end reads as a clean end of input). */
#include <inttypes.h>

#include "order.h"

#define WINDOW (2 * (size_t)GO_MAX_BATCH + 4096)
#define HEADER_MAX (2 + 4 * GT_UVARINT_MAX)

void ord_src_free(gt_parser *p)
{
    gt_mem_free(&p->mem, p->src.buf, p->src.cap);
    p->src.buf = NULL;
    p->src.cap = 0;
}

uint64_t ord_src_offset(const gt_parser *p) { return p->src.base + p->src.pos; }

gt_status gt_parser_set_buffer(gt_parser *p, const void *data, size_t size)
{
    if (!p) return GT_ERR_INVALID_ARGUMENT;
    if (p->state != PS_START || p->src.mode != SRC_NONE) return GT_ERR_STATE;
    if (!data && size) return GT_ERR_INVALID_ARGUMENT;
    p->src.mode = SRC_MEM;
    p->src.data = data;
    p->src.end = size;
    p->src.eof = true;
    return GT_OK;
}

gt_status gt_parser_set_release(gt_parser *p, gt_release_fn fn, void *user)
{
    if (!p) return GT_ERR_INVALID_ARGUMENT;
    p->release = fn;
    p->release_user = user;
    return GT_OK;
}

/* Nothing before the read position is read again (before go 1.26 the next
 * generation's first batch, already framed, stays in place and is kept). */
void ord_src_release(gt_parser *p)
{
    if (!p->release || p->src.mode != SRC_MEM) return;
    uint64_t off = ord_src_offset(p);
    if (p->have_spill && p->spill.offset < off) off = p->spill.offset;
    p->release(p->release_user, off);
}

gt_status gt_parser_set_callback(gt_parser *p, gt_read_fn fn, void *user)
{
    if (!p || !fn) return GT_ERR_INVALID_ARGUMENT;
    if (p->state != PS_START || p->src.mode != SRC_NONE) return GT_ERR_STATE;
    p->src.buf = gt_mem_alloc(&p->mem, WINDOW);
    if (!p->src.buf) return ord_alloc_status(p, WINDOW);
    p->src.cap = WINDOW;
    p->src.data = p->src.buf;
    p->src.mode = SRC_CALLBACK;
    p->src.fn = fn;
    p->src.user = user;
    return GT_OK;
}

/* Make up to `want` bytes available at pos (fewer only at the end of input).
 * @return the bytes available, or SIZE_MAX on an input error. */
static size_t fill(gt_parser *p, size_t want)
{
    ord_src *s = &p->src;
    if (s->mode == SRC_CALLBACK && s->end - s->pos < want && !s->eof) {
        if (s->cap - s->pos < want) {
            size_t live = s->end - s->pos;
            memmove(s->buf, s->buf + s->pos, live);
            s->base += s->pos;
            s->end = live;
            s->pos = 0;
        }
        while (!s->eof && s->end - s->pos < want) {
            long got = s->fn(s->user, s->buf + s->end, s->cap - s->end);
            if (got < 0 || (size_t)got > s->cap - s->end) {
                s->io_error = true;
                return SIZE_MAX;
            }
            if (got == 0) s->eof = true;
            s->end += (size_t)got;
        }
    }
    return s->end - s->pos;
}

int ord_read_uvarint(const uint8_t *p, size_t n, uint64_t *v, size_t *used)
{
    uint64_t x = 0;
    unsigned shift = 0;
    for (size_t i = 0; i < GT_UVARINT_MAX; i++) {
        if (i == n) {
            *used = i;
            return i > 0 ? 2 : 1;
        }
        uint8_t b = p[i];
        if (b < 0x80) {
            *used = i + 1;
            if (i == GT_UVARINT_MAX - 1 && b > 1) return 3;
            *v = x | (uint64_t)b << shift;
            return 0;
        }
        x |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    }
    *used = GT_UVARINT_MAX;
    return 3;
}

const char *ord_uvarint_error(int code)
{
    switch (code) {
    case 1: return "EOF";
    case 2: return "unexpected EOF";
    default: return "binary: varint overflows a 64-bit integer";
    }
}

gt_status ord_uvarint_status(int code) { return code == 3 ? GT_ERR_VARINT : GT_ERR_TRUNCATED; }

static int input_error(gt_parser *p, ord_fault *f, uint64_t off)
{
    ord_fault_set(p, f, GT_ERR_IO, off, "read error");
    return -1;
}

int ord_read_batch(gt_parser *p, ord_raw *b, ord_fault *f)
{
    ord_src *s = &p->src;
    uint64_t off = ord_src_offset(p);
    size_t avail = fill(p, HEADER_MAX);
    if (avail == SIZE_MAX) return input_error(p, f, off);
    ord_fault_where(f, p->batches_read, GT_NONE, GT_NONE, NO_ID);
    if (avail == 0) return 0;
    const uint8_t *q = s->data + s->pos;
    memset(b, 0, sizeof *b);
    b->offset = off;
    b->index = p->batches_read;
    b->m = NO_ID;
    if (q[0] == GT_V2_END_OF_GENERATION) {
        b->eog = true;
        b->data = q;
        b->len = 1;
        b->bytes = 1;
        s->pos++;
        p->batches_read++;
        return 1;
    }
    if (q[0] != GT_V2_EVENT_BATCH && q[0] != GT_V2_EXPERIMENTAL_BATCH) {
        ord_fault_set(p, f, GT_ERR_BAD_BATCH, off, "expected batch event, got event %u", q[0]);
        return -1;
    }
    size_t n = 1;
    if (q[0] == GT_V2_EXPERIMENTAL_BATCH) {
        if (avail < 2) return 0; /* Go's ReadByte hands back a bare io.EOF here */
        b->exp = q[1];
        n = 2;
    }
    static const char *const what[4] = {"gen", "M ID", "timestamp", "size"};
    uint64_t vals[4];
    for (int i = 0; i < 4; i++) {
        size_t used = 0;
        int r = ord_read_uvarint(q + n, avail - n, &vals[i], &used);
        if (r) {
            ord_fault_set(p, f, ord_uvarint_status(r), off, "error reading batch %s: %s", what[i], ord_uvarint_error(r));
            return -1;
        }
        n += used;
    }
    b->gen = vals[0];
    b->m = (int64_t)vals[1];
    b->time = vals[2];
    if (vals[3] > GO_MAX_BATCH) {
        ord_fault_set(p, f, GT_ERR_BATCH_SIZE, off, "invalid batch size %" PRIu64 ", maximum is %u", vals[3], GO_MAX_BATCH);
        return -1;
    }
    if (vals[3] > p->lim.max_batch_size) {
        ord_fault_set(p, f, GT_ERR_LIMIT, off, "batch size %" PRIu64 " exceeds the limit of %" PRIu32, vals[3],
                      p->lim.max_batch_size);
        return -1;
    }
    size_t size = (size_t)vals[3];
    s->pos += n;
    avail = fill(p, size);
    if (avail == SIZE_MAX) return input_error(p, f, off);
    if (avail < size) {
        ord_fault_set(p, f, GT_ERR_TRUNCATED, off, "failed to read full batch: read %zu but wanted %zu", avail, size);
        s->pos = s->end;
        return -1;
    }
    b->data = s->data + s->pos;
    b->data_offset = ord_src_offset(p);
    b->len = (uint32_t)size;
    b->bytes = n + size;
    s->pos += size;
    p->batches_read++;
    return 1;
}
