/* String and type handles. A handle is made once (interned under a lock,
 * never freed) and holds, per generation parity, the ID it has in the
 * generation named by the word's tag. The first thread to use it in a
 * generation claims it by CAS with an ID from its own block of IDs and
 * writes the String record into its own Strings batch of that generation;
 * a thread that loses the race uses the winner's ID, which is safe because
 * the winner is inside its write section of the same generation, so its
 * record lands in that generation. No lock on this path (Go's string table
 * takes one). IDs restart at 1 in every generation, as Go's. */
#define XXH_INLINE_ALL
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <xxhash.h>

#include "cap.h"

#define ID_BLOCK   64u
#define BUCKETS    4096u

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static gt_cap_str *buckets[BUCKETS];
#define TYPE_BUCKETS 256u
static gt_cap_type *type_buckets[TYPE_BUCKETS];

gt_cap_str *gt_cap_string_n(const char *s, size_t n)
{
    if (!s) n = 0;
    if (n > CAP_MAX_STRING) n = CAP_MAX_STRING; /* Go keeps the first 1 KiB */
    uint64_t h = XXH3_64bits(s ? s : "", n);
    pthread_mutex_lock(&intern_lock);
    gt_cap_str **head = &buckets[h & (BUCKETS - 1)], *e;
    for (e = *head; e; e = e->next) {
        if (e->hash == h && e->len == n && (n == 0 || memcmp(e->text, s, n) == 0)) break;
    }
    if (!e && (e = malloc(sizeof *e + n + 1)) != NULL) {
        atomic_init(&e->word[0], 0);
        atomic_init(&e->word[1], 0);
        e->hash = h;
        e->len = (uint32_t)n;
        if (n) memcpy(e->text, s, n);
        e->text[n] = '\0';
        e->next = *head;
        *head = e;
    }
    pthread_mutex_unlock(&intern_lock);
    return e;
}

gt_cap_str *gt_cap_string(const char *s) { return gt_cap_string_n(s, s ? strlen(s) : 0); }

/* Types are interned too (name, size and pointer bytes): making the same
 * type again gives the same handle, so a program may make it per call. */
gt_cap_type *gt_cap_type_make(const char *name, uint64_t size, uint64_t ptr_bytes)
{
    size_t n = name ? strlen(name) : 0;
    if (n > CAP_MAX_STRING) n = CAP_MAX_STRING;
    uint64_t h = XXH3_64bits_withSeed(name ? name : "", n, size * 31 + ptr_bytes);
    pthread_mutex_lock(&intern_lock);
    gt_cap_type **head = &type_buckets[h & (TYPE_BUCKETS - 1)], *t;
    for (t = *head; t; t = t->next) {
        if (t->hash == h && t->len == n && t->size == size && t->ptr_bytes == ptr_bytes &&
            (n == 0 || memcmp(t->name, name, n) == 0))
            break;
    }
    if (!t && (t = malloc(sizeof *t + n + 1)) != NULL) {
        atomic_init(&t->word[0], 0);
        atomic_init(&t->word[1], 0);
        t->hash = h;
        t->size = size;
        t->ptr_bytes = ptr_bytes;
        t->len = (uint32_t)n;
        if (n) memcpy(t->name, name, n);
        t->name[n] = '\0';
        t->next = *head;
        *head = t;
    }
    pthread_mutex_unlock(&intern_lock);
    return t;
}

void cap_ids_refill(cap_ids *ids, _Atomic uint64_t *counter, uint64_t gen)
{
    ids->next = atomic_fetch_add_explicit(counter, ID_BLOCK, memory_order_relaxed);
    ids->end = ids->next + ID_BLOCK;
    ids->gen = gen;
}

/* Claim word[gen & 1] of a handle for gen, or read the winner's ID. The
 * record is written by `emit` only when this thread wins. */
static uint64_t claim(_Atomic uint64_t *word, cap_ids *ids, _Atomic uint64_t *counter, uint64_t gen,
                      bool (*emit)(cap_thread *, uint64_t, uint64_t, const void *), cap_thread *t, const void *h)
{
    uint64_t w = atomic_load_explicit(word, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(w >> 32) == (uint32_t)gen && (uint32_t)w) return (uint32_t)w;
        uint64_t id = cap_take_id(ids, counter, gen);
        uint64_t mine = (uint64_t)(uint32_t)gen << 32 | (uint32_t)id;
        /* Write the record first: a thread that reads the new word may use the
         * ID at once, and both events end up in this same generation. If the
         * CAS then fails the record is an unused extra string, which is fine. */
        if (!emit(t, gen, id, h)) return 0;
        ids->next++;
        if (atomic_compare_exchange_strong_explicit(word, &w, mine, memory_order_acq_rel, memory_order_acquire))
            return id;
    }
}

static bool emit_string(cap_thread *t, uint64_t gen, uint64_t id, const void *h)
{
    const gt_cap_str *s = h;
    return cap_put_string(t, gen, id, s->text, s->len);
}

uint64_t cap_string_claim(cap_thread *t, uint64_t gen, const gt_cap_str *s)
{
    if (!s || s->len == 0) return 0;
    gt_cap_str *m = (gt_cap_str *)(uintptr_t)s; /* the words are the mutable part of a const handle */
    return claim(&m->word[gen & 1], &t->sid[gen & 1], &G.str_next[gen & 1], gen, emit_string, t, s);
}

/* AllocFree type record {id, address, size, ptrBytes, len, name} into the
 * thread's experimental batch of gen (its first byte says "types"). */
static bool emit_type(cap_thread *t, uint64_t gen, uint64_t id, const void *h)
{
    const gt_cap_type *ty = h;
    cap_buf *b = cap_refill(t, gen, CAP_EXP_ALLOCFREE, 5 * GT_UVARINT_MAX + ty->len, cap_now(), false);
    if (!b) return false;
    uint8_t *w = b->b.buf + b->b.len;
    w = gt_enc_uv(gt_enc_uv(w, id), (uint64_t)(uintptr_t)ty);
    w = gt_enc_uv(gt_enc_uv(gt_enc_uv(w, ty->size), ty->ptr_bytes), ty->len);
    memcpy(w, ty->name, ty->len);
    b->b.len = (size_t)(w + ty->len - b->b.buf);
    return true;
}

uint64_t cap_type_id(cap_thread *t, uint64_t gen, const gt_cap_type *ty, uint64_t now)
{
    if (!ty) return 0;
    (void)now;
    gt_cap_type *m = (gt_cap_type *)(uintptr_t)ty;
    return claim(&m->word[gen & 1], &t->tyid[gen & 1], &G.type_next[gen & 1], gen, emit_type, t, ty);
}
