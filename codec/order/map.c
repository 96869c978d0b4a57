/* Open-addressing hash maps keyed by any 64-bit value (IDs from the trace are
 * untrusted, so nothing is indexed densely by them): linear probing,
 * backward-shift deletion, growth to keep the load under 70 %. Values are
 * fixed-size byte records, zeroed when created. */
#include "order.h"

void ord_map_init(ord_map *m, size_t vsize)
{
    memset(m, 0, sizeof *m);
    m->vsize = vsize;
}

static gt_status rehash(gt_parser *p, ord_map *m, size_t cap)
{
    size_t kb, vb;
    if (gt_mul_overflow(cap, sizeof(uint64_t), &kb) || gt_mul_overflow(cap, m->vsize, &vb)) return GT_ERR_LIMIT;
    uint64_t *keys = gt_mem_alloc(&p->mem, kb);
    if (!keys) return ord_alloc_status(p, kb);
    uint8_t *used = gt_mem_calloc(&p->mem, cap, 1);
    if (!used) {
        gt_mem_free(&p->mem, keys, kb);
        return ord_alloc_status(p, cap);
    }
    uint8_t *vals = gt_mem_alloc(&p->mem, vb);
    if (!vals) {
        gt_mem_free(&p->mem, keys, kb);
        gt_mem_free(&p->mem, used, cap);
        return ord_alloc_status(p, vb);
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        size_t j = ord_slot_of(m->keys[i], cap);
        while (used[j]) j = (j + 1) & (cap - 1);
        used[j] = 1;
        keys[j] = m->keys[i];
        memcpy(vals + j * m->vsize, m->vals + i * m->vsize, m->vsize);
    }
    gt_mem_free(&p->mem, m->keys, m->cap * sizeof(uint64_t));
    gt_mem_free(&p->mem, m->used, m->cap);
    gt_mem_free(&p->mem, m->vals, m->cap * m->vsize);
    m->keys = keys;
    m->used = used;
    m->vals = vals;
    m->cap = cap;
    return GT_OK;
}

void *ord_map_put(gt_parser *p, ord_map *m, uint64_t key, bool *created, gt_status *s)
{
    *created = false;
    void *v = ord_map_get(m, key);
    if (v) return v;
    if ((m->count + 1) * 10 > m->cap * 7) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        if (cap < m->cap || (*s = rehash(p, m, cap)) != GT_OK) {
            if (cap < m->cap) *s = GT_ERR_LIMIT;
            return NULL;
        }
    }
    size_t i = ord_slot_of(key, m->cap);
    while (m->used[i]) i = (i + 1) & (m->cap - 1);
    m->used[i] = 1;
    m->keys[i] = key;
    m->count++;
    *created = true;
    v = m->vals + i * m->vsize;
    memset(v, 0, m->vsize);
    return v;
}

void ord_map_del(ord_map *m, uint64_t key)
{
    if (!m->count) return;
    size_t mask = m->cap - 1, i = ord_slot_of(key, m->cap);
    for (;; i = (i + 1) & mask) {
        if (!m->used[i]) return;
        if (m->keys[i] == key) break;
    }
    /* Backward shift: move later members of the probe run into the hole. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = ord_slot_of(m->keys[j], m->cap);
        /* j may move to the hole if its home is not in (hole, j]. */
        bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (!movable) continue;
        m->keys[hole] = m->keys[j];
        memcpy(m->vals + hole * m->vsize, m->vals + j * m->vsize, m->vsize);
        hole = j;
    }
    m->used[hole] = 0;
    m->count--;
}

void ord_map_clear(ord_map *m)
{
    if (m->count) memset(m->used, 0, m->cap);
    m->count = 0;
}

void ord_map_free(gt_parser *p, ord_map *m)
{
    gt_mem_free(&p->mem, m->keys, m->cap * sizeof(uint64_t));
    gt_mem_free(&p->mem, m->used, m->cap);
    gt_mem_free(&p->mem, m->vals, m->cap * m->vsize);
    size_t vsize = m->vsize;
    ord_map_init(m, vsize);
}

bool ord_map_next(const ord_map *m, size_t *i, uint64_t *key, void **val)
{
    for (; *i < m->cap; (*i)++) {
        if (!m->used[*i]) continue;
        *key = m->keys[*i];
        *val = m->vals + *i * m->vsize;
        (*i)++;
        return true;
    }
    return false;
}
