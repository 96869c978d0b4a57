/* Internal helpers of the encoder (codec/encode). Not installed. */
#ifndef GT_ENCODE_H
#define GT_ENCODE_H

#include "../common/internal.h"

/* Go's MaxBatchSize: the most payload bytes a v2 reader accepts in a batch. */
#define GT_ENC_MAX_BATCH 65536u
/* Bytes of the widest v2 batch header: type, experiment, gen, m, time, size. */
#define GT_ENC_BATCH_HEAD_MAX (2 + 4 * GT_UVARINT_MAX)
#define GT_ENC_NO_THREAD      UINT64_MAX /* m of the batches nobody owns */

/* Bytes in the minimal encoding of v (1..10). */
static inline unsigned gt_enc_size(uint64_t v)
{
    unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
    return (bits + 6) / 7;
}

/* Write v minimal at p (room for 10 bytes is the caller's). @return the end. */
static inline uint8_t *gt_enc_uv(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Write v in exactly w bytes (0 = minimal); w was checked by gt_enc_width_ok. */
static inline uint8_t *gt_enc_uvw(uint8_t *p, uint64_t v, unsigned w)
{
    if (w == 0) return gt_enc_uv(p, v);
    for (unsigned i = 1; i < w; i++) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A recorded width can encode v: 0 (minimal) or minimal size..10. */
static inline bool gt_enc_width_ok(unsigned w, uint64_t v)
{
    return w == 0 || (w <= GT_UVARINT_MAX && w >= gt_enc_size(v));
}
static inline unsigned gt_enc_width(unsigned w, uint64_t v) { return w ? w : gt_enc_size(v); }

/* The item's bytes except trailing data (String text, UserLog message,
 * ExperimentalBatch payload, ignored data), which data and data_len receive
 * (NULL/0 if none). The head is at most gt_event_bound() - data_len bytes. */
gt_status gt_enc_head(uint8_t *dst, size_t cap, unsigned version, const gt_event *ev, size_t *head,
                      const uint8_t **data, size_t *data_len);

/*-************************************
 *  Dictionary: byte strings -> IDs 1..n
 **************************************/
/* Keys are hashed with XXH3; a hash hit is confirmed by comparing bytes.
 * Entry i (ID i + 1) keeps its key in the arena. */
typedef struct gt_dict_entry {
    uint64_t hash;
    size_t off, len;
    uint32_t mark; /* free for the user (legacy footer: written) */
} gt_dict_entry;

typedef struct gt_dict {
    uint32_t *slots; /* ID, 0 = empty; power-of-two count */
    size_t nslots;
    gt_dict_entry *ent;
    size_t count, ent_cap;
    uint8_t *arena;
    size_t arena_len, arena_cap;
} gt_dict;

/* Find key[0..n) or add it as ID count + 1 (*added = true). GT_ERR_NOMEM
 * when the budget refuses (the dictionary is unchanged). */
gt_status gt_dict_intern(gt_dict *d, gt_mem *mem, const void *key, size_t n, uint64_t *id, bool *added);
/* The key of ID id (1..count). */
static inline const uint8_t *gt_dict_key(const gt_dict *d, uint64_t id, size_t *n)
{
    const gt_dict_entry *e = &d->ent[id - 1];
    *n = e->len;
    return d->arena + e->off;
}
void gt_dict_reset(gt_dict *d);
void gt_dict_free(gt_dict *d, gt_mem *mem);

#endif
