/* An open-addressing hash map from uint64 keys to fixed-size values, and the
 * small allocation helpers of codec/legacysem.
 *
 * A slot is the key followed by its value, so a lookup touches one cache
 * line. Empty slots hold the key LS_EMPTY; the one real key equal to it
 * lives in a side slot. Linear probing, backward-shift deletion, doubling at
 * 3/4 load. Every byte comes from the gt_mem budget of the validation. */
#include "legacysem.h"

#define MIN_CAP 16
#define LS_EMPTY UINT64_MAX

gt_status gt_ls_mem_status(const gt_mem *mem, size_t size)
{
    return size > mem->limit || mem->used > mem->limit - size ? GT_ERR_LIMIT : GT_ERR_NOMEM;
}

gt_status gt_ls_grow(gt_mem *mem, void *arrp, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return GT_OK;
    void *arr;
    memcpy(&arr, arrp, sizeof arr); /* arrp is the address of the caller's T * */
    size_t ncap = *cap ? *cap : 16, old, bytes;
    while (ncap <= n) {
        if (ncap > SIZE_MAX / 2) return GT_ERR_LIMIT;
        ncap *= 2;
    }
    if (gt_mul_overflow(ncap, elem, &bytes) || gt_mul_overflow(*cap, elem, &old)) return GT_ERR_LIMIT;
    void *p = gt_mem_realloc(mem, arr, old, bytes);
    if (!p) return gt_ls_mem_status(mem, bytes - old);
    memcpy(arrp, &p, sizeof p);
    *cap = ncap;
    return GT_OK;
}

GT_STATIC_ASSERT(sizeof(ls_ev) <= LS_MAP_MAX_VALUE, "map values hold an event");

void gt_ls_map_init(ls_map *m, size_t vsize)
{
    memset(m, 0, sizeof *m);
    m->stride = 1 + (vsize + 7) / 8;
}

static size_t vbytes(const ls_map *m) { return (m->stride - 1) * sizeof(uint64_t); }
static uint64_t *slot(const ls_map *m, size_t i) { return m->slots + i * m->stride; }

void gt_ls_map_free(ls_map *m, gt_mem *mem)
{
    gt_mem_free(mem, m->slots, m->cap * m->stride * sizeof *m->slots);
    size_t stride = m->stride;
    memset(m, 0, sizeof *m);
    m->stride = stride;
}

/* A well-mixed home slot for key (the finaliser of splitmix64). */
static inline size_t home_of(uint64_t key, size_t cap)
{
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9u;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebu;
    key ^= key >> 31;
    return (size_t)key & (cap - 1);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find(const ls_map *m, uint64_t key, bool *found)
{
    size_t i = home_of(key, m->cap), mask = m->cap - 1;
    for (;;) {
        uint64_t k = m->slots[i * m->stride];
        if (k == key) {
            *found = true;
            return i;
        }
        if (k == LS_EMPTY) {
            *found = false;
            return i;
        }
        i = (i + 1) & mask;
    }
}

void *gt_ls_map_get(const ls_map *m, uint64_t key)
{
    /* The side slot is as writable as the map the caller holds (the const
     * only says this lookup does not change it). */
    if (key == LS_EMPTY) return m->has_side ? (void *)(uintptr_t)m->side : NULL;
    if (!m->cap) return NULL;
    bool found;
    size_t i = find(m, key, &found);
    return found ? slot(m, i) + 1 : NULL;
}

static gt_status rehash(ls_map *m, gt_mem *mem, size_t ncap)
{
    size_t words, bytes;
    if (gt_mul_overflow(ncap, m->stride, &words) || gt_mul_overflow(words, sizeof(uint64_t), &bytes))
        return GT_ERR_LIMIT;
    uint64_t *slots = gt_mem_alloc(mem, bytes);
    if (!slots) return gt_ls_mem_status(mem, bytes);
    memset(slots, 0xff, bytes); /* every key LS_EMPTY */
    ls_map n = *m;
    n.slots = slots;
    n.cap = ncap;
    for (size_t i = 0; i < m->cap; i++) {
        const uint64_t *s = slot(m, i);
        if (s[0] == LS_EMPTY) continue;
        bool found;
        memcpy(slot(&n, find(&n, s[0], &found)), s, m->stride * sizeof *s);
    }
    gt_mem_free(mem, m->slots, m->cap * m->stride * sizeof *m->slots);
    *m = n;
    m->rehashes++;
    return GT_OK;
}

void *gt_ls_map_put(ls_map *m, gt_mem *mem, uint64_t key, int *fresh, gt_status *st)
{
    if (fresh) *fresh = 0;
    if (key == LS_EMPTY) {
        if (!m->has_side) {
            memset(m->side, 0, sizeof m->side);
            m->has_side = true;
            m->count++;
            if (fresh) *fresh = 1;
        }
        return m->side;
    }
    bool found = false;
    size_t i = 0;
    if (m->cap) {
        i = find(m, key, &found);
        if (found) return slot(m, i) + 1;
    }
    if ((m->count + 1) * 4 > m->cap * 3) {
        if (m->cap > SIZE_MAX / 4) {
            *st = GT_ERR_LIMIT;
            return NULL;
        }
        gt_status s = rehash(m, mem, m->cap ? m->cap * 2 : MIN_CAP);
        if (s != GT_OK) {
            *st = s;
            return NULL;
        }
        i = find(m, key, &found);
    }
    uint64_t *s = slot(m, i);
    s[0] = key;
    memset(s + 1, 0, vbytes(m));
    m->count++;
    if (fresh) *fresh = 1;
    return s + 1;
}

void gt_ls_map_del(ls_map *m, uint64_t key)
{
    if (key == LS_EMPTY) {
        if (m->has_side) m->count--;
        m->has_side = false;
        return;
    }
    if (!m->cap) return;
    bool found;
    size_t i = find(m, key, &found);
    if (!found) return;
    /* Backward shift: pull later members of the probe run into the hole. */
    size_t mask = m->cap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        uint64_t k = slot(m, j)[0];
        if (k == LS_EMPTY) break;
        size_t home = home_of(k, m->cap);
        /* j stays if its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        memcpy(slot(m, i), slot(m, j), m->stride * sizeof(uint64_t));
        i = j;
    }
    slot(m, i)[0] = LS_EMPTY;
    m->count--;
}

void *gt_ls_map_next(ls_map *m, size_t *i)
{
    while (*i < m->cap) {
        uint64_t *s = slot(m, (*i)++);
        if (s[0] != LS_EMPTY) return s + 1;
    }
    if (*i == m->cap) {
        (*i)++;
        if (m->has_side) return m->side;
    }
    return NULL;
}
