/* An open-addressing hash map from uint64 keys to fixed-size values (linear
 * probing, backward-shift deletion, doubling at 3/4 load), and the small
 * allocation helpers of codec/legacysem. Every byte comes from the gt_mem
 * budget of the validation. */
#include "legacysem.h"

#define MIN_CAP 16

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

void gt_ls_map_init(ls_map *m, size_t vsize)
{
    memset(m, 0, sizeof *m);
    m->vbytes = (vsize + 7) / 8 * 8;
}

void *gt_ls_map_value(const ls_map *m, size_t i) { return (unsigned char *)m->vals + i * m->vbytes; }

static void release(const ls_map *m, gt_mem *mem, uint64_t *keys, uint8_t *used, void *vals, size_t cap)
{
    gt_mem_free(mem, keys, cap * sizeof *keys);
    gt_mem_free(mem, used, cap);
    gt_mem_free(mem, vals, cap * m->vbytes);
}

void gt_ls_map_free(ls_map *m, gt_mem *mem)
{
    if (m->cap) release(m, mem, m->keys, m->used, m->vals, m->cap);
    size_t vb = m->vbytes;
    memset(m, 0, sizeof *m);
    m->vbytes = vb;
}

/* A well-mixed slot for key (the finaliser of splitmix64). */
static inline size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9u;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebu;
    key ^= key >> 31;
    return (size_t)key & (cap - 1);
}

static size_t find(const ls_map *m, uint64_t key, bool *found)
{
    size_t i = slot_of(key, m->cap);
    while (m->used[i]) {
        if (m->keys[i] == key) {
            *found = true;
            return i;
        }
        i = (i + 1) & (m->cap - 1);
    }
    *found = false;
    return i;
}

void *gt_ls_map_get(const ls_map *m, uint64_t key)
{
    if (!m->count) return NULL;
    bool found;
    size_t i = find(m, key, &found);
    return found ? gt_ls_map_value(m, i) : NULL;
}

static gt_status rehash(ls_map *m, gt_mem *mem, size_t ncap)
{
    size_t kb, vb;
    if (gt_mul_overflow(ncap, sizeof(uint64_t), &kb) || gt_mul_overflow(ncap, m->vbytes, &vb)) return GT_ERR_LIMIT;
    uint64_t *keys = gt_mem_alloc(mem, kb);
    uint8_t *used = keys ? gt_mem_calloc(mem, ncap, 1) : NULL;
    void *vals = used ? gt_mem_alloc(mem, vb) : NULL;
    if (!vals) {
        gt_status st = gt_ls_mem_status(mem, keys ? (used ? vb : ncap) : kb);
        gt_mem_free(mem, used, ncap);
        gt_mem_free(mem, keys, kb);
        return st;
    }
    ls_map n = {keys, used, vals, ncap, m->count, m->vbytes};
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        bool found;
        size_t j = find(&n, m->keys[i], &found);
        n.used[j] = 1;
        n.keys[j] = m->keys[i];
        memcpy(gt_ls_map_value(&n, j), gt_ls_map_value(m, i), m->vbytes);
    }
    if (m->cap) release(m, mem, m->keys, m->used, m->vals, m->cap);
    *m = n;
    return GT_OK;
}

void *gt_ls_map_put(ls_map *m, gt_mem *mem, uint64_t key, int *fresh, gt_status *st)
{
    bool found = false;
    size_t i = 0;
    if (m->cap) {
        i = find(m, key, &found);
        if (found) {
            if (fresh) *fresh = 0;
            return gt_ls_map_value(m, i);
        }
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
    m->used[i] = 1;
    m->keys[i] = key;
    memset(gt_ls_map_value(m, i), 0, m->vbytes);
    m->count++;
    if (fresh) *fresh = 1;
    return gt_ls_map_value(m, i);
}

void gt_ls_map_del(ls_map *m, uint64_t key)
{
    if (!m->count) return;
    bool found;
    size_t i = find(m, key, &found);
    if (!found) return;
    /* Backward shift: pull later members of the probe run into the hole. */
    size_t mask = m->cap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->used[j]) break;
        size_t home = slot_of(m->keys[j], m->cap);
        /* Move j to i if its home is not in (i, j] (cyclically). */
        bool keep = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (keep) continue;
        m->keys[i] = m->keys[j];
        memcpy(gt_ls_map_value(m, i), gt_ls_map_value(m, j), m->vbytes);
        i = j;
    }
    m->used[i] = 0;
    m->count--;
}
