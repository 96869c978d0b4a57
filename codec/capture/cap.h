/* Internals of the capture layer (codec/capture). Not installed.
 *
 * Map of the files:
 *   cap_core.c     global state, threads (registration, exit, fork), the
 *                  write section, statuses and the recording functions
 *   cap_buf.c      the buffer pool, the full-buffer FIFOs, refill and flush
 *   cap_advance.c  generations: advance, quiet-thread statuses, output
 *                  (stream or flight-recorder ring), the writer thread
 *   cap_stack.c    frame-pointer walk, per-thread stack tables, the dump with
 *                  symbolization (libbacktrace, dladdr, placeholders)
 *   cap_clock.c    the trace clock (TSC or CLOCK_MONOTONIC) and frequency
 *   cap_string.c   string and type handles, string IDs per generation
 * spec/CAPTURE.md explains the design. */
#ifndef GT_CAPTURE_CAP_H
#define GT_CAPTURE_CAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define CAP_HAVE_TSC 1
#else
#define CAP_HAVE_TSC 0
#endif

#include "../encode/encode.h"
#include "../sink/sink.h"
#include "gotrace_capture.h"

/* Go's event numbers (internal/trace/tracev2/events.go) and statuses. */
enum {
    EV_PROCS_CHANGE = 9, EV_PROC_START = 10, EV_PROC_STOP = 11, EV_PROC_STATUS = 13,
    EV_GO_CREATE_SYSCALL = 15, EV_GO_START = 16, EV_GO_DESTROY = 17, EV_GO_BLOCK = 20,
    EV_GO_UNBLOCK = 21, EV_GO_SYSCALL_BEGIN = 22, EV_GO_SYSCALL_END = 23,
    EV_GO_SYSCALL_END_BLOCKED = 24, EV_GO_STATUS = 25, EV_USER_TASK_BEGIN = 40,
    EV_USER_TASK_END = 41, EV_USER_REGION_BEGIN = 42, EV_USER_REGION_END = 43, EV_USER_LOG = 44,
    EV_SPAN_ALLOC = 129, EV_SPAN_FREE = 130, EV_HEAP_OBJECT_ALLOC = 132, EV_HEAP_OBJECT_FREE = 133
};
enum { GO_RUNNABLE = 1, GO_RUNNING = 2, GO_SYSCALL = 3, GO_WAITING = 4 };
enum { PROC_RUNNING = 1, PROC_IDLE = 2, PROC_SYSCALL = 3 };

/* Experiment slots of a thread's buffers, Go's tracev2 numbering: never an
 * ID Go's reader does not know (it panics on those). */
#define CAP_EXP_NONE      0
#define CAP_EXP_ALLOCFREE 1
#define CAP_NEXP          2

#define CAP_MAX_FRAMES  128  /* Go's MaxFramesPerStack */
#define CAP_MAX_STRING  1024 /* Go's MaxEventTrailerDataSize */
#define CAP_MAX_SLOTS   16384
#define CAP_MAX_REGIONS 64
#define CAP_SPARE_P     CAP_MAX_SLOTS /* an idle P stated in every generation (cap_advance.c) */

/*-************************************
 *  Buffers (cap_buf.c)
 **************************************/
/* One 64 KiB batch buffer, like the runtime's traceBuf: the batch is built by
 * gt_batch in data[]; the payload can never exceed Go's MaxBatchSize. */
#define CAP_BUF_SIZE (64u << 10)
typedef struct cap_buf {
    struct cap_buf *next; /* FIFO or free-list link */
    uint64_t gen;
    gt_batch b;
    uint8_t data[];
} cap_buf;
#define CAP_BUF_DATA (CAP_BUF_SIZE - offsetof(cap_buf, data))

/*-************************************
 *  Threads
 **************************************/
/* G state, packed with its sequence number and the generation it was last
 * stated in, into one word that the owner and wakers change by CAS:
 *   bits 0-2   state (CAP_G_*)
 *   bit  3     also stated in the generation before `stated`
 *   bits 4-35  stated: low 32 bits of the last generation it was stated in
 *   bits 36-63 g_seq in that generation */
enum { CAP_G_NEW = 0, CAP_G_RUNNING, CAP_G_SYSCALL, CAP_G_BLOCKED, CAP_G_RUNNABLE, CAP_G_DEAD };
#define GW_STATE(w)  ((unsigned)((w) & 7u))
#define GW_PREV(w)   ((unsigned)((w) >> 3 & 1u))
#define GW_GEN(w)    ((uint32_t)((w) >> 4))
#define GW_SEQ(w)    ((w) >> 36)
#define GW_MAKE(state, prev, gen, seq) \
    ((uint64_t)(state) | (uint64_t)(prev) << 3 | (uint64_t)(uint32_t)(gen) << 4 | (uint64_t)(seq) << 36)
#define GW_SEQ_MAX ((1ull << 28) - 1)
/* P word (owner stores, advancer loads): bit 0 prev, bits 1-32 stated, bits 33-63 p_seq. */
#define PW_PREV(w) ((unsigned)((w) & 1u))
#define PW_GEN(w)  ((uint32_t)((w) >> 1))
#define PW_SEQ(w)  ((w) >> 33)
#define PW_MAKE(prev, gen, seq) ((uint64_t)(prev) | (uint64_t)(uint32_t)(gen) << 1 | (uint64_t)(seq) << 33)

/* Was a word stated in generation g? (stated = g, or g + 1 with prev.) */
static inline bool cap_stated_in(uint32_t stated, unsigned prev, uint64_t g)
{
    return stated == (uint32_t)g || (stated == (uint32_t)(g + 1) && prev);
}

enum { CAP_SLOT_FREE = 0, CAP_SLOT_LIVE, CAP_SLOT_DEAD, CAP_SLOT_RETIRED };

/* A thread's stack table for one generation parity: open addressing keyed
 * by the XXH3 of the PC array; entries of older generations are stale. It
 * starts at CAP_STK_SLOTS entries and CAP_STK_PCS PCs (mapped, touched as
 * used) and doubles what runs out, out of line, up to CAP_STK_GROW times
 * that; the grown tables count against max_memory. */
#define CAP_STK_SLOTS 4096u
#define CAP_STK_PCS   (32u << 10)
#define CAP_STK_GROW  64u
typedef struct cap_stk_ent {
    uint64_t hash;
    uint32_t gen;  /* low 32 bits of the generation; stale when different */
    uint32_t id;
    uint32_t off;  /* first PC in pcs[] */
    uint32_t n;
} cap_stk_ent;
typedef struct cap_stktab {
    uint64_t gen;  /* generation the counters below belong to */
    uint32_t count, used;
    uint32_t slots, npcs;  /* capacity: entries (a power of two) and PCs */
    size_t bytes;          /* of the mapping */
    int counted;           /* in G.mem_used (a grown table) */
    uintptr_t *pcs;        /* npcs PCs, after ent[] */
    cap_stk_ent ent[];     /* slots entries */
} cap_stktab;

/* A block of IDs (strings or stacks) taken from the generation's counter. */
typedef struct cap_ids {
    uint64_t gen, next, end;
} cap_ids;

typedef struct cap_thread {
    _Atomic uint32_t writing; /* 1 inside a write section, 2 not enterable (advancing, dead) */
    uint32_t slot;
    _Atomic int slot_state;   /* CAP_SLOT_* */
    uint64_t mid;             /* M: the kernel thread ID */
    _Atomic uint64_t gid;     /* G of the current life (never reused) */
    _Atomic uint64_t handle;  /* gt_cap_tid for wakers, 0 when retired */
    _Atomic uint64_t gword;   /* G state word (GW_*) */
    _Atomic uint64_t pword;   /* P word (PW_*); the P ID is the slot */
    _Atomic uint64_t death_gen;
    uint64_t retire_gen;      /* advancer */
    /* owner only (reset field by field: never memset a slot that others may read) */
    uint64_t cur_gen;         /* generation of the last write section that was ready */
    uint64_t trace;           /* trace (start) it was born in */
    uint64_t last_time;       /* latest event timestamp of its event batches */
    cap_buf *buf[2][CAP_NEXP];
    cap_buf *strbuf[2];
    cap_ids sid[2], kid[2], tyid[2]; /* string, stack and type IDs */
    cap_stktab *stk[2];
    uintptr_t stack_lo, stack_hi;
    unsigned nregion, region_lost;
    struct {
        uint64_t task;
        const gt_cap_str *name;
    } region[CAP_MAX_REGIONS];
    /* counters (owner adds with relaxed load + store, stats read) */
    _Atomic uint64_t n_events, n_reentrant, n_memory, n_misuse, n_clamped, n_stacks_lost;
    /* advancer: the words seen just before the switch */
    uint64_t snap_g, snap_p;
    int snap_live;
} cap_thread;

/*-************************************
 *  Handles (cap_string.c)
 **************************************/
/* word[parity] = generation (low 32 bits) << 32 | ID in that generation. */
struct gt_cap_str {
    _Atomic uint64_t word[2];
    struct gt_cap_str *next; /* intern table chain */
    uint64_t hash;
    uint32_t len;
    char text[];
};
struct gt_cap_type {
    _Atomic uint64_t word[2];
    struct gt_cap_type *next; /* intern table chain */
    uint64_t hash;
    uint64_t size, ptr_bytes;
    uint32_t len;
    char name[];
};

/*-************************************
 *  Global state
 **************************************/
typedef struct cap_gen_blob { /* one complete generation kept by the flight recorder */
    struct cap_gen_blob *next;
    uint64_t gen, min_time, size;
    uint8_t *data;
} cap_gen_blob;

typedef int (*cap_unw_fn)(void **, int); /* libunwind's unw_backtrace */

typedef struct cap_state {
    _Atomic uint64_t gen;          /* current generation; 0 = not recording */
    _Atomic int membarrier;        /* 1: writers enter without a fence (cap_fence_writers) */
    _Atomic int running;
    _Atomic unsigned stack_depth;
    cap_unw_fn _Atomic unwind;     /* unw_backtrace when GT_CAP_UNWIND_LIBUNWIND, else NULL */
    uint64_t trace;                /* count of starts (threads born per trace) */
    uint64_t last_gen;             /* last generation used (a new trace continues after it) */
    uint64_t first_gen;
    gt_cap_config cfg;
    unsigned version;

    /* threads */
    cap_thread *slots;             /* CAP_MAX_SLOTS, mapped lazily */
    _Atomic uint32_t nslots;       /* high-water mark */
    uint32_t free_slots[CAP_MAX_SLOTS];
    uint32_t nfree;
    pthread_mutex_t slot_lock;
    pthread_key_t key;
    _Atomic uint64_t next_gid;
    _Atomic uint64_t next_task;

    /* buffers (cap_buf.c), under lock */
    pthread_mutex_t lock;
    cap_buf *free_bufs;
    cap_buf *full_head[2], *full_tail[2];
    _Atomic uint64_t mem_used;
    uint64_t mem_limit;
    _Atomic uint64_t buffer_maps;

    /* IDs per generation parity */
    _Atomic uint64_t str_next[2], stk_next[2], type_next[2];

    /* advance (cap_advance.c) */
    pthread_mutex_t adv_lock;
    pthread_cond_t adv_cond;
    pthread_t writer;
    int writer_started, writer_stop;
    uint64_t period_ns;
    gt_out out;
    uint8_t *stage;
    int out_fd, close_fd;
    int out_failed;
    cap_gen_blob *ring;            /* flight recorder, oldest first */
    uint8_t *blob;                 /* generation being collected */
    size_t blob_len, blob_cap;
    uint64_t blob_min_time;

    /* clock (cap_clock.c) */
    int use_tsc;
    uint64_t tsc_base, mono_base;
    uint64_t freq;
    uint64_t last_snap_ns, last_mono, last_wall;

    /* counters */
    _Atomic uint64_t n_off, n_exited, n_generations, n_bytes, n_output_errors, n_threads;
    /* dead threads' counters, folded in when their slot is recycled */
    _Atomic uint64_t dead_events, dead_reentrant, dead_memory, dead_misuse, dead_clamped, dead_stacks_lost;

    pid_t pid;
    int forked;
} cap_state;

extern cap_state gt_cap_g;
/* Tests only: the M ID the next thread to register gets (0 = its kernel
 * thread ID), to replay a thread-ID reuse deterministically. */
extern _Atomic uint64_t gt_cap_test_next_mid;
#define G gt_cap_g

/* Counter increment by the owner: no read-modify-write needed. */
static inline void cap_count(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

/*-************************************
 *  Cross-file functions
 **************************************/
/* cap_clock.c */
void cap_clock_init(int want_tsc);
void cap_clock_sync(gt_sync *s);  /* frequency and clock snapshot for a new generation */
/* The trace clock (hot path, inline): rdtsc >> CAP_TSC_SHIFT counted from
 * the start (+ an origin: Go's validator rejects a zero trace time), or
 * CLOCK_MONOTONIC / 64 as Go on Linux. */
#define CAP_TSC_SHIFT 4
#define CAP_TICK_ORIGIN (1u << 20)
static inline uint64_t cap_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static inline uint64_t cap_raw_tsc(void)
{
#if CAP_HAVE_TSC
    return (uint64_t)__rdtsc();
#else
    return 0;
#endif
}
static inline uint64_t cap_now(void)
{
    if (GT_LIKELY(G.use_tsc)) return ((cap_raw_tsc() - G.tsc_base) >> CAP_TSC_SHIFT) + CAP_TICK_ORIGIN;
    return cap_mono_ns() >> 6;
}

/* cap_buf.c */
cap_buf *cap_buf_get(void);                     /* NULL when max_memory is reached */
cap_buf *cap_buf_get_force(void);               /* beyond max_memory (advancer) */
void cap_buf_put(cap_buf *b);
void cap_buf_push_locked(cap_buf *b, uint64_t gen); /* finish + append to full[gen & 1]; G.lock held */
void cap_buf_push(cap_buf *b, uint64_t gen);
cap_buf *cap_buf_pop_all(uint64_t gen);          /* detach the FIFO of gen's parity */
void cap_buf_drop_all(uint64_t gen);             /* back to the free list unwritten (a forked child) */
/* Bytes of max_memory (buffers, grown stack tables): take, 0 when they do
 * not fit; give back. */
int cap_mem_take(uint64_t bytes);
void cap_mem_give(uint64_t bytes);
/* Room for `need` bytes in the thread's batch (parity of gen, experiment);
 * refills it (writing the batch header) when needed. NULL: memory cap. */
cap_buf *cap_refill(cap_thread *t, uint64_t gen, unsigned exp, size_t need, uint64_t now, bool force);
cap_buf *cap_refill_str(cap_thread *t, uint64_t gen, size_t need);

/* cap_core.c */
/* After a store to G.gen: make every thread's earlier `writing` store visible
 * and its later loads of G.gen see the store (membarrier), when writers enter
 * without a fence of their own. */
void cap_fence_writers(void);
cap_thread *cap_slot(uint32_t i);
int cap_process_init(void);
void cap_threads_new_trace(void);
void cap_forked_child_reset(void); /* a forked child's first start; adv_lock held */
uint32_t cap_self_busy(uint32_t v); /* mark the caller's own slot (advancing), returns the old flag */

/* cap_string.c */
uint64_t cap_string_claim(cap_thread *t, uint64_t gen, const gt_cap_str *s);
/* A handle's ID in generation gen: one load when this generation already has it. */
static inline uint64_t cap_string_id(cap_thread *t, uint64_t gen, const gt_cap_str *s, uint64_t now)
{
    (void)now;
    if (!s) return 0;
    gt_cap_str *m = (gt_cap_str *)(uintptr_t)s; /* the words are the mutable part of a const handle */
    uint64_t w = atomic_load_explicit(&m->word[gen & 1], memory_order_acquire);
    if (GT_LIKELY((uint32_t)(w >> 32) == (uint32_t)gen && (uint32_t)w)) return (uint32_t)w;
    return cap_string_claim(t, gen, s);
}
void cap_ids_refill(cap_ids *ids, _Atomic uint64_t *counter, uint64_t gen);
/* The thread's next ID of a kind in gen (taken from its block; the block is
 * refilled from the shared counter out of line). */
static inline uint64_t cap_take_id(cap_ids *ids, _Atomic uint64_t *counter, uint64_t gen)
{
    if (GT_UNLIKELY(ids->gen != gen || ids->next == ids->end)) cap_ids_refill(ids, counter, gen);
    return ids->next;
}
/* Write `05 id len bytes` into the thread's Strings batch of gen, refilled
 * out of line. false when the memory cap is reached. */
static inline bool cap_put_string(cap_thread *t, uint64_t gen, uint64_t id, const char *p, size_t n)
{
    size_t need = 1 + 2 * GT_UVARINT_MAX + n;
    cap_buf *sb = t->strbuf[gen & 1];
    if (GT_UNLIKELY(!sb || sb->b.cap - sb->b.len < need)) {
        sb = cap_refill_str(t, gen, need);
        if (!sb) return false;
    }
    uint8_t *w = sb->b.buf + sb->b.len;
    *w++ = GT_V2_STRING;
    w = gt_enc_uv(gt_enc_uv(w, id), n);
    memcpy(w, p, n);
    sb->b.len = (size_t)(w + n - sb->b.buf);
    return true;
}
/* A log message: a fresh ID and its String record every time (Go's emit).
 * 0 when the memory cap is reached. */
static inline uint64_t cap_unique_string(cap_thread *t, uint64_t gen, const char *p, size_t n)
{
    if (n == 0) return 0;
    cap_ids *ids = &t->sid[gen & 1];
    uint64_t id = cap_take_id(ids, &G.str_next[gen & 1], gen);
    if (!cap_put_string(t, gen, id, p, n)) return 0;
    ids->next++;
    return id;
}
uint64_t cap_type_id(cap_thread *t, uint64_t gen, const gt_cap_type *ty, uint64_t now);
void cap_reason_strings(void);

/* cap_stack.c */
size_t cap_fp_walk(uintptr_t *pcs, size_t max, const void *fp, uintptr_t lo, uintptr_t hi);
/* libunwind's walk, from the return address of the API function whose frame is fp. */
size_t cap_unw_walk(cap_unw_fn unw, uintptr_t *pcs, size_t max, const void *fp);
/* Load unw_backtrace (once); NULL when libunwind is not there. */
cap_unw_fn cap_unw_load(void);
uint64_t cap_stack_id(cap_thread *t, uint64_t gen, const uintptr_t *pcs, size_t n);
void cap_stack_bounds(uintptr_t *lo, uintptr_t *hi); /* this thread's stack */
/* Advancer: append the stacks of every thread's table of gen's parity, and
 * the strings they need, to batches of gen (pushed to the FIFO). */
void cap_stack_dump(uint64_t gen, uint64_t now);

/* cap_advance.c */
gt_status cap_advance_locked(uint64_t next);

#endif
