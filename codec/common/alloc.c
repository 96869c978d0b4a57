/* Allocator plumbing with a byte budget (limits are enforced here, before
 * any allocation reaches the caller's allocator). */
#include <stdlib.h>

#include "internal.h"

static void *std_malloc(void *ctx, size_t size) { (void)ctx; return malloc(size); }
static void *std_realloc(void *ctx, void *p, size_t old_size, size_t new_size)
{
    (void)ctx;
    (void)old_size;
    return realloc(p, new_size);
}
static void std_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

static const gt_alloc std_alloc = {std_malloc, std_realloc, std_free, NULL};

void gt_mem_init(gt_mem *m, const gt_alloc *alc, uint64_t limit)
{
    m->alc = alc ? *alc : std_alloc;
    m->limit = limit;
    m->used = 0;
    m->peak = 0;
}

bool gt_mem_fits(const gt_mem *m, uint64_t size)
{
    return size <= m->limit && m->used <= m->limit - size;
}

static bool budget_take(gt_mem *m, size_t size)
{
    if (!gt_mem_fits(m, size)) return false;
    m->used += size;
    if (m->used > m->peak) m->peak = m->used;
    return true;
}

void *gt_mem_alloc(gt_mem *m, size_t size)
{
    if (size == 0 || !budget_take(m, size)) return NULL;
    void *p = m->alc.malloc(m->alc.ctx, size);
    if (!p) m->used -= size;
    return p;
}

void *gt_mem_calloc(gt_mem *m, size_t n, size_t elem)
{
    size_t size;
    if (gt_mul_overflow(n, elem, &size)) return NULL;
    void *p = gt_mem_alloc(m, size);
    if (p) memset(p, 0, size);
    return p;
}

void *gt_mem_realloc(gt_mem *m, void *p, size_t old_size, size_t new_size)
{
    if (!p) return gt_mem_alloc(m, new_size);
    if (new_size > old_size && !budget_take(m, new_size - old_size)) return NULL;
    void *q = m->alc.realloc(m->alc.ctx, p, old_size, new_size);
    if (!q) {
        if (new_size > old_size) m->used -= new_size - old_size;
        return NULL;
    }
    if (new_size < old_size) m->used -= old_size - new_size;
    return q;
}

void gt_mem_free(gt_mem *m, void *p, size_t size)
{
    if (!p) return;
    m->alc.free(m->alc.ctx, p, size);
    m->used -= size;
}

void gt_limits_default(gt_limits *lim)
{
    lim->max_batch_size = 64u << 10;
    lim->max_string_size = 1u << 10;
    lim->max_frames = 128;
    lim->max_ids = 1u << 22;
    lim->max_memory = 256u << 20;
}
