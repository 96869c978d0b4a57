/* A map from table IDs (strings, stacks) to their state within one
 * generation: defined, or referenced before definition (with where). */
#ifndef GT_IDMAP_H
#define GT_IDMAP_H

#include "../common/internal.h"

typedef struct gt_idmap_entry {
    uint64_t id;          /* 0 = empty slot */
    uint64_t ref_offset;  /* first reference while undefined (0 = none) */
    uint64_t ref_batch;
    uint32_t ref_event;
    uint32_t defined;
} gt_idmap_entry;

typedef struct gt_idmap {
    gt_idmap_entry *slots;
    size_t cap;   /* power of two */
    size_t count;
    uint64_t *seen; /* bit per small ID: already in the map (fast path for references) */
} gt_idmap;

#define GT_IDMAP_SEEN_BITS (1u << 18)

/* True if id is already in the map (defined, or its first reference noted). */
static inline bool gt_idmap_seen(const gt_idmap *m, uint64_t id)
{
    return id < GT_IDMAP_SEEN_BITS && m->seen && ((m->seen[id >> 6] >> (id & 63)) & 1u);
}

typedef struct gt_ref {
    uint64_t offset, batch, event;
} gt_ref;

void gt_idmap_clear(gt_idmap *m);
void gt_idmap_free(gt_idmap *m, gt_mem *mem);
/* Mark id defined. GT_ERR_DUPLICATE_ID if it already was; GT_ERR_NOMEM /
 * GT_ERR_LIMIT when it cannot grow (total entries across maps <= max_ids). */
gt_status gt_idmap_define(gt_idmap *m, gt_mem *mem, uint64_t id, size_t *total, uint64_t max_ids);
/* Note a reference; remembers the first one for an undefined id. */
gt_status gt_idmap_reference(gt_idmap *m, gt_mem *mem, uint64_t id, const gt_ref *where, size_t *total,
                             uint64_t max_ids);
bool gt_idmap_is_defined(const gt_idmap *m, uint64_t id);
/* The earliest (by offset) reference to an id never defined; false if none. */
bool gt_idmap_first_undefined(const gt_idmap *m, uint64_t *id, gt_ref *where);

#endif
