/* Open-addressing hash map keyed by non-zero 64-bit IDs. */
#include "idmap.h"

static size_t slot_of(uint64_t id, size_t cap)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

#define SEEN_BYTES (GT_IDMAP_SEEN_BITS / 8)

void gt_idmap_clear(gt_idmap *m)
{
    if (m->slots && m->count) memset(m->slots, 0, m->cap * sizeof *m->slots);
    if (m->seen && m->count) memset(m->seen, 0, SEEN_BYTES);
    m->count = 0;
}

void gt_idmap_free(gt_idmap *m, gt_mem *mem)
{
    gt_mem_free(mem, m->slots, m->cap * sizeof *m->slots);
    gt_mem_free(mem, m->seen, SEEN_BYTES);
    m->slots = NULL;
    m->seen = NULL;
    m->cap = m->count = 0;
}

/* The seen bitmap is an optimisation: without memory for it, lookups just
 * take the hash path. */
static void mark_seen(gt_idmap *m, gt_mem *mem, uint64_t id)
{
    if (id >= GT_IDMAP_SEEN_BITS) return;
    if (!m->seen) m->seen = gt_mem_calloc(mem, SEEN_BYTES, 1);
    if (m->seen) m->seen[id >> 6] |= UINT64_C(1) << (id & 63);
}

static gt_idmap_entry *find(const gt_idmap *m, uint64_t id)
{
    if (!m->slots) return NULL;
    for (size_t i = slot_of(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
        gt_idmap_entry *e = &m->slots[i];
        if (e->id == id) return e;
        if (e->id == 0) return NULL;
    }
}

static gt_status grow(gt_idmap *m, gt_mem *mem)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    gt_idmap_entry *ns = gt_mem_calloc(mem, ncap, sizeof *ns);
    if (!ns) return GT_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        gt_idmap_entry *e = &m->slots[i];
        if (!e->id) continue;
        size_t j = slot_of(e->id, ncap);
        while (ns[j].id) j = (j + 1) & (ncap - 1);
        ns[j] = *e;
    }
    gt_mem_free(mem, m->slots, m->cap * sizeof *m->slots);
    m->slots = ns;
    m->cap = ncap;
    return GT_OK;
}

/* Find or insert id; *fresh tells which. */
static gt_status upsert(gt_idmap *m, gt_mem *mem, uint64_t id, size_t *total, uint64_t max_ids,
                        gt_idmap_entry **out)
{
    gt_idmap_entry *e = find(m, id);
    if (e) {
        *out = e;
        return GT_OK;
    }
    if (*total >= max_ids) return GT_ERR_LIMIT;
    if ((m->count + 1) * 4 > m->cap * 3) {
        gt_status s = grow(m, mem);
        if (s != GT_OK) return s;
    }
    size_t i = slot_of(id, m->cap);
    while (m->slots[i].id) i = (i + 1) & (m->cap - 1);
    e = &m->slots[i];
    memset(e, 0, sizeof *e);
    e->id = id;
    m->count++;
    mark_seen(m, mem, id);
    (*total)++;
    *out = e;
    return GT_OK;
}

gt_status gt_idmap_define(gt_idmap *m, gt_mem *mem, uint64_t id, size_t *total, uint64_t max_ids)
{
    gt_idmap_entry *e;
    gt_status s = upsert(m, mem, id, total, max_ids, &e);
    if (s != GT_OK) return s;
    if (e->defined) return GT_ERR_DUPLICATE_ID;
    e->defined = 1;
    return GT_OK;
}

gt_status gt_idmap_reference(gt_idmap *m, gt_mem *mem, uint64_t id, const gt_ref *where, size_t *total,
                             uint64_t max_ids)
{
    gt_idmap_entry *e;
    gt_status s = upsert(m, mem, id, total, max_ids, &e);
    if (s != GT_OK) return s;
    if (!e->defined && e->ref_offset == 0) {
        e->ref_offset = where->offset;
        e->ref_batch = where->batch;
        e->ref_event = (uint32_t)where->event;
    }
    return GT_OK;
}

bool gt_idmap_is_defined(const gt_idmap *m, uint64_t id)
{
    const gt_idmap_entry *e = find(m, id);
    return e && e->defined;
}

bool gt_idmap_first_undefined(const gt_idmap *m, uint64_t *id, gt_ref *where)
{
    const gt_idmap_entry *best = NULL;
    for (size_t i = 0; i < m->cap; i++) {
        const gt_idmap_entry *e = &m->slots[i];
        if (e->id && !e->defined && e->ref_offset && (!best || e->ref_offset < best->ref_offset)) best = e;
    }
    if (!best) return false;
    *id = best->id;
    where->offset = best->ref_offset;
    where->batch = best->ref_batch;
    where->event = best->ref_event;
    return true;
}
