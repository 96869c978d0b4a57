/* Buffers: a pool of 64 KiB batch buffers mapped 16 at a time (never from the
 * C heap, so recording works before malloc is safe and allocates nothing),
 * and the full-buffer FIFO of each generation parity. Everything here runs
 * under G.lock (Go's trace.lock): a thread takes it once per 64 KiB. The
 * FIFO keeps each thread's batches in its program order, which Go's reader
 * relies on (it walks an M's batches in file order). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <sys/mman.h>

#include "cap.h"

#define CHUNK_BUFS 16u

int cap_mem_take(uint64_t bytes)
{
    uint64_t used = atomic_load_explicit(&G.mem_used, memory_order_relaxed);
    do {
        if (used + bytes > G.mem_limit) return 0;
    } while (!atomic_compare_exchange_weak_explicit(&G.mem_used, &used, used + bytes, memory_order_relaxed,
                                                    memory_order_relaxed));
    return 1;
}

void cap_mem_give(uint64_t bytes) { atomic_fetch_sub_explicit(&G.mem_used, bytes, memory_order_relaxed); }

/* Map one more chunk into the free list; G.lock held. */
static int grow_locked(void)
{
    size_t bytes = (size_t)CHUNK_BUFS * CAP_BUF_SIZE;
    if (!cap_mem_take(bytes)) return 0;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        cap_mem_give(bytes);
        return 0;
    }
    atomic_fetch_add_explicit(&G.buffer_maps, 1, memory_order_relaxed);
    for (unsigned i = 0; i < CHUNK_BUFS; i++) {
        cap_buf *b = (cap_buf *)(void *)((uint8_t *)p + (size_t)i * CAP_BUF_SIZE);
        b->next = G.free_bufs;
        G.free_bufs = b;
    }
    return 1;
}

static cap_buf *get_locked(void)
{
    if (!G.free_bufs && !grow_locked()) return NULL;
    cap_buf *b = G.free_bufs;
    G.free_bufs = b->next;
    b->next = NULL;
    return b;
}

cap_buf *cap_buf_get(void)
{
    pthread_mutex_lock(&G.lock);
    cap_buf *b = get_locked();
    pthread_mutex_unlock(&G.lock);
    return b;
}

void cap_buf_put(cap_buf *b)
{
    pthread_mutex_lock(&G.lock);
    b->next = G.free_bufs;
    G.free_bufs = b;
    pthread_mutex_unlock(&G.lock);
}

void cap_buf_push_locked(cap_buf *b, uint64_t gen)
{
    if (b->b.open) gt_batch_finish(&b->b, NULL);
    b->gen = gen;
    b->next = NULL;
    unsigned i = (unsigned)(gen & 1);
    if (G.full_tail[i]) {
        G.full_tail[i]->next = b;
    } else {
        G.full_head[i] = b;
    }
    G.full_tail[i] = b;
}

void cap_buf_push(cap_buf *b, uint64_t gen)
{
    pthread_mutex_lock(&G.lock);
    cap_buf_push_locked(b, gen);
    pthread_mutex_unlock(&G.lock);
}

cap_buf *cap_buf_pop_all(uint64_t gen)
{
    unsigned i = (unsigned)(gen & 1);
    pthread_mutex_lock(&G.lock);
    cap_buf *b = G.full_head[i];
    G.full_head[i] = G.full_tail[i] = NULL;
    pthread_mutex_unlock(&G.lock);
    return b;
}

void cap_buf_drop_all(uint64_t gen)
{
    unsigned i = (unsigned)(gen & 1);
    pthread_mutex_lock(&G.lock);
    if (G.full_tail[i]) {
        G.full_tail[i]->next = G.free_bufs;
        G.free_bufs = G.full_head[i];
    }
    G.full_head[i] = G.full_tail[i] = NULL;
    pthread_mutex_unlock(&G.lock);
}

/* Swap the thread's batch for a fresh one: the old one goes to the FIFO, the
 * new one gets its header (experimental batches also their first byte). */
cap_buf *cap_refill(cap_thread *t, uint64_t gen, unsigned exp, size_t need, uint64_t now, bool force)
{
    cap_buf **slot = &t->buf[gen & 1][exp];
    cap_buf *old = *slot;
    if (old && old->b.cap - old->b.len >= need) return old;
    pthread_mutex_lock(&G.lock);
    if (old) cap_buf_push_locked(old, gen);
    *slot = NULL;
    cap_buf *b = get_locked();
    pthread_mutex_unlock(&G.lock);
    if (!b && force) b = cap_buf_get_force();
    if (!b) return NULL;
    b->gen = gen;
    uint64_t time = now;
    if (exp == CAP_EXP_NONE) {
        if (time <= t->last_time) time = t->last_time + 1;
        t->last_time = time;
        gt_batch_begin(&b->b, b->data, CAP_BUF_DATA, G.version, gen, t->mid, time, 0);
    } else {
        gt_batch_begin_experimental(&b->b, b->data, CAP_BUF_DATA, G.version, exp, gen, t->mid, time, 0);
        static const uint8_t types_batch = 0; /* AllocFree: a batch of type records */
        gt_batch_raw(&b->b, &types_batch, 1);
    }
    *slot = b;
    return b;
}

cap_buf *cap_refill_str(cap_thread *t, uint64_t gen, size_t need)
{
    cap_buf **slot = &t->strbuf[gen & 1];
    cap_buf *old = *slot;
    if (old && old->b.cap - old->b.len >= need) return old;
    pthread_mutex_lock(&G.lock);
    if (old) cap_buf_push_locked(old, gen);
    *slot = NULL;
    cap_buf *b = get_locked();
    pthread_mutex_unlock(&G.lock);
    if (!b) return NULL;
    b->gen = gen;
    gt_batch_begin(&b->b, b->data, CAP_BUF_DATA, G.version, gen, GT_ENC_NO_THREAD, cap_now(), 0);
    static const uint8_t strings = GT_V2_STRINGS;
    gt_batch_raw(&b->b, &strings, 1);
    *slot = b;
    return b;
}

/* The advancer's own batches (sync, statuses, tables) may exceed max_memory:
 * without them the generation would not be valid. */
cap_buf *cap_buf_get_force(void)
{
    pthread_mutex_lock(&G.lock);
    cap_buf *b = get_locked();
    if (!b) {
        uint64_t limit = G.mem_limit;
        G.mem_limit = UINT64_MAX;
        b = get_locked();
        G.mem_limit = limit;
    }
    pthread_mutex_unlock(&G.lock);
    return b;
}
