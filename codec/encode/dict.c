/* Deduplicating dictionary for the writer's string and stack tables: keys
 * are byte strings, hashed with XXH3; a slot whose hash matches is confirmed
 * by comparing the bytes, so equal hashes of different keys are harmless.
 * Open addressing with linear probing over IDs; entries and key bytes live
 * in two growing arrays, so a reset keeps the memory for the next
 * generation. */
#include <xxhash.h>

#include "encode.h"

#define MIN_SLOTS 64u

/* A larger array for at least `need` elements, or NULL (p unchanged). */
static void *grow(gt_mem *mem, void *p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem) return NULL;
        n *= 2;
    }
    void *q = gt_mem_realloc(mem, p, *cap * elem, n * elem);
    if (q) *cap = n;
    return q;
}

static void place(uint32_t *slots, size_t nslots, uint64_t hash, uint32_t id)
{
    size_t mask = nslots - 1, i = (size_t)hash & mask;
    while (slots[i]) i = (i + 1) & mask;
    slots[i] = id;
}

/* Keep the load at most 1/2. */
static bool grow_slots(gt_dict *d, gt_mem *mem)
{
    if ((d->count + 1) * 2 <= d->nslots) return true;
    size_t n = d->nslots ? d->nslots * 2 : MIN_SLOTS;
    uint32_t *s = gt_mem_calloc(mem, n, sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < d->count; i++) place(s, n, d->ent[i].hash, (uint32_t)(i + 1));
    gt_mem_free(mem, d->slots, d->nslots * sizeof *d->slots);
    d->slots = s;
    d->nslots = n;
    return true;
}

gt_status gt_dict_intern(gt_dict *d, gt_mem *mem, const void *key, size_t n, uint64_t *id, bool *added)
{
    uint64_t h = XXH3_64bits(key, n);
    *added = false;
    if (d->nslots) {
        size_t mask = d->nslots - 1;
        for (size_t i = (size_t)h & mask; d->slots[i]; i = (i + 1) & mask) {
            const gt_dict_entry *e = &d->ent[d->slots[i] - 1];
            if (e->hash == h && e->len == n && (n == 0 || memcmp(d->arena + e->off, key, n) == 0)) {
                *id = d->slots[i];
                return GT_OK;
            }
        }
    }
    if (d->count >= UINT32_MAX - 1 || n > SIZE_MAX - d->arena_len || !grow_slots(d, mem)) return GT_ERR_NOMEM;
    if (d->count + 1 > d->ent_cap) {
        gt_dict_entry *e = grow(mem, d->ent, &d->ent_cap, d->count + 1, sizeof *e);
        if (!e) return GT_ERR_NOMEM;
        d->ent = e;
    }
    if (d->arena_len + n > d->arena_cap) {
        uint8_t *a = grow(mem, d->arena, &d->arena_cap, d->arena_len + n, 1);
        if (!a) return GT_ERR_NOMEM;
        d->arena = a;
    }
    if (n) memcpy(d->arena + d->arena_len, key, n);
    d->ent[d->count] = (gt_dict_entry){h, d->arena_len, n, 0};
    d->arena_len += n;
    d->count++;
    place(d->slots, d->nslots, h, (uint32_t)d->count);
    *id = d->count;
    *added = true;
    return GT_OK;
}

void gt_dict_reset(gt_dict *d)
{
    if (d->slots) memset(d->slots, 0, d->nslots * sizeof *d->slots);
    d->count = 0;
    d->arena_len = 0;
}

void gt_dict_free(gt_dict *d, gt_mem *mem)
{
    gt_mem_free(mem, d->slots, d->nslots * sizeof *d->slots);
    gt_mem_free(mem, d->ent, d->ent_cap * sizeof *d->ent);
    gt_mem_free(mem, d->arena, d->arena_cap);
    memset(d, 0, sizeof *d);
}
