/* Memory for the ordering engine: array growth under the budget, copies of
 * batch payloads (callback input), and fault records holding Go's messages. */
#include <stdarg.h>
#include <stdlib.h>

#include "order.h"

/* GT_ERR_LIMIT when the budget refuses `size` more bytes, else GT_ERR_NOMEM. */
gt_status ord_alloc_status(const gt_parser *p, size_t size)
{
    const gt_mem *m = &p->mem;
    return size > m->limit || m->used > m->limit - size ? GT_ERR_LIMIT : GT_ERR_NOMEM;
}

gt_status ord_grow_size(gt_parser *p, void *pptr, size_t elem, size_t *cap, size_t need)
{
    if (need <= *cap) return GT_OK;
    void *ptr;
    memcpy(&ptr, pptr, sizeof ptr);
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2) return GT_ERR_LIMIT;
        n *= 2;
    }
    size_t bytes, old;
    if (gt_mul_overflow(n, elem, &bytes) || gt_mul_overflow(*cap, elem, &old)) return GT_ERR_LIMIT;
    void *q = gt_mem_realloc(&p->mem, ptr, old, bytes);
    if (!q) return ord_alloc_status(p, bytes - old);
    memcpy(pptr, &q, sizeof q);
    *cap = n;
    return GT_OK;
}

gt_status ord_grow(gt_parser *p, void *ptr, size_t elem, uint32_t *cap, size_t need)
{
    if (need <= *cap) return GT_OK;
    if (need > UINT32_MAX / 2) return GT_ERR_LIMIT;
    size_t c = *cap;
    gt_status s = ord_grow_size(p, ptr, elem, &c, need);
    if (s == GT_OK) *cap = (uint32_t)c;
    return s;
}

/*-************************************
 *  Faults
 **************************************/
gt_status ord_fault_vset(gt_parser *p, ord_fault *f, gt_status s, uint64_t offset, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(f->text, f->cap, fmt, aq);
    va_end(aq);
    f->status = s;
    f->offset = offset;
    f->go_eof = false;
    if (n < 0) n = 0;
    if ((size_t)n >= f->cap) {
        size_t want = (size_t)n + 1;
        char *t = gt_mem_realloc(&p->mem, f->text, f->cap, want);
        if (t) {
            f->text = t;
            f->cap = want;
            vsnprintf(f->text, f->cap, fmt, ap);
        } else if (f->cap) {
            vsnprintf(f->text, f->cap, fmt, ap); /* keep what fits */
            n = (int)f->cap - 1;
        } else {
            n = 0;
        }
    }
    f->len = (size_t)n;
    return s;
}

gt_status ord_fault_set(gt_parser *p, ord_fault *f, gt_status s, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ord_fault_vset(p, f, s, offset, fmt, ap);
    va_end(ap);
    return s;
}

gt_status ord_fault_append(gt_parser *p, ord_fault *f, const void *bytes, size_t n)
{
    if (f->len + n + 1 > f->cap) {
        size_t want = f->cap ? f->cap : 64;
        while (want < f->len + n + 1) want *= 2;
        char *t = gt_mem_realloc(&p->mem, f->text, f->cap, want);
        if (!t) return ord_alloc_status(p, want - f->cap);
        f->text = t;
        f->cap = want;
    }
    memcpy(f->text + f->len, bytes, n);
    f->len += n;
    f->text[f->len] = '\0';
    return GT_OK;
}

void ord_fault_where(ord_fault *f, uint64_t batch, uint64_t event, uint64_t generation, int64_t m)
{
    f->batch = batch;
    f->event = event;
    f->generation = generation;
    f->m = m;
}

void ord_fault_free(gt_parser *p, ord_fault *f)
{
    gt_mem_free(&p->mem, f->text, f->cap);
    memset(f, 0, sizeof *f);
}

/* Make f the parser's sticky error. */
gt_status ord_report(gt_parser *p, ord_fault *f)
{
    if (f != &p->fault) {
        ord_fault tmp = p->fault;
        p->fault = *f;
        *f = tmp;
        f->status = GT_OK;
        f->len = 0;
    }
    gt_error *e = &p->err;
    e->status = p->fault.status;
    e->offset = p->fault.offset;
    e->batch = p->fault.batch;
    e->event = p->fault.event;
    e->generation = p->fault.generation;
    size_t n = p->fault.len < sizeof e->message - 1 ? p->fault.len : sizeof e->message - 1;
    if (p->fault.text) memcpy(e->message, p->fault.text, n);
    e->message[n] = '\0';
    p->state = PS_FAILED;
    return e->status;
}

gt_status ord_fail(gt_parser *p, gt_status s, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ord_fault_vset(p, &p->fault, s, offset, fmt, ap);
    va_end(ap);
    return ord_report(p, &p->fault);
}

/*-************************************
 *  Payload copies
 **************************************/
#define CHUNK_MIN ((size_t)1 << 20)
#define CHUNK_HEAD ((sizeof(ord_chunk) + 15) & ~(size_t)15)

static uint8_t *chunk_data(ord_chunk *c) { return (uint8_t *)c + CHUNK_HEAD; }

/* Copy n bytes into the generation's chunks. NULL on failure, *s saying
 * why (GT_ERR_LIMIT: the budget; GT_ERR_NOMEM: the allocator). */
const uint8_t *ord_copy_payload(gt_parser *p, const uint8_t *src, size_t n, gt_status *s)
{
    ord_gen *g = &p->gen;
    ord_chunk *c = g->chunks;
    if (!c || c->size - c->used < n) {
        ord_chunk **pp = &g->spare;
        while (*pp && (*pp)->size < n) pp = &(*pp)->next;
        if (*pp) {
            c = *pp;
            *pp = c->next;
        } else {
            size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
            c = gt_mem_alloc(&p->mem, CHUNK_HEAD + size);
            if (!c && size > n) c = gt_mem_alloc(&p->mem, CHUNK_HEAD + (size = n)); /* a tight budget */
            if (!c) {
                *s = ord_alloc_status(p, CHUNK_HEAD + n);
                return NULL;
            }
            c->size = size;
        }
        c->used = 0;
        c->next = g->chunks;
        g->chunks = c;
    }
    uint8_t *dst = chunk_data(c) + c->used;
    if (n) memcpy(dst, src, n);
    c->used += n;
    return dst;
}

/* Keep the chunks for the next generation. */
void ord_chunks_reset(gt_parser *p)
{
    ord_gen *g = &p->gen;
    while (g->chunks) {
        ord_chunk *c = g->chunks;
        g->chunks = c->next;
        c->next = g->spare;
        g->spare = c;
    }
}

void ord_chunks_free(gt_parser *p)
{
    ord_chunks_reset(p);
    ord_gen *g = &p->gen;
    while (g->spare) {
        ord_chunk *c = g->spare;
        g->spare = c->next;
        gt_mem_free(&p->mem, c, CHUNK_HEAD + c->size);
    }
}
