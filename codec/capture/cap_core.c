/* The capture core: threads, the write section, statuses and every
 * recording function.
 *
 * The write section is Go 1.26's (runtime/traceruntime.go:traceAcquire):
 * the thread stores its `writing` flag, then loads the generation; the
 * advancer stores the new generation, then loads each thread's flag. Either
 * the advancer sees the flag (and waits) or the thread sees the new
 * generation: once the advancer has seen a thread's flag clear after the
 * switch, the thread can never again touch the old generation's buffers.
 * Go pays for that with an atomic add on every event; here the thread's
 * store and load are plain (ordered for the compiler only) and the advancer,
 * the rare side, makes the fence for all threads at once with
 * membarrier(PRIVATE_EXPEDITED), as userspace RCU and LTTng-UST do. Where the
 * kernel refuses membarrier (or GOTRACE_NO_MEMBARRIER is set), both sides use
 * sequentially consistent operations instead.
 *
 * Mapping: a thread is an M (its kernel thread ID) with one P (its slot
 * number) and one G. Its first event in a trace is the birth sequence Go's
 * reader accepts in any generation (ProcStatus Idle, GoCreateSyscall,
 * GoSyscallEndBlocked, ProcStart, GoStart); its first event in every later
 * generation states its P and G; its exit is GoDestroy + ProcStop. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cap.h"

cap_state gt_cap_g = {
    .slot_lock = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .adv_lock = PTHREAD_MUTEX_INITIALIZER,
    .adv_cond = PTHREAD_COND_INITIALIZER,
    .stack_depth = 32,
    .out_fd = -1,
};

/* The thread's state: one TLS pointer, initial-exec so that the shared
 * library's hot path does not call __tls_get_addr. */
static __thread cap_thread *self __attribute__((tls_model("initial-exec")));
/* Set while this thread registers or advances: a signal handler recording
 * on it then is dropped instead of taking a lock the thread holds. */
static __thread unsigned in_capture __attribute__((tls_model("initial-exec")));
/* Where a thread's pointer goes after its exit: never enterable. */
static cap_thread exited = {.writing = 2};

enum { OK = 0, RETRY = 1, DROP = 2 };

_Atomic uint64_t gt_cap_test_next_mid;

cap_thread *cap_slot(uint32_t i) { return &G.slots[i]; }

/*-************************************
 *  Threads
 **************************************/
static void thread_exit_key(void *p);

static int map_slots(void)
{
    if (G.slots) return 1;
    void *p = mmap(NULL, sizeof(cap_thread) * CAP_MAX_SLOTS, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return 0;
    G.slots = p;
    return 1;
}

/* First call of a thread while recording: take a slot (a reused slot keeps
 * its P's history: a P ID is reused with its next sequence number). */
static cap_thread *attach(void)
{
    if (!atomic_load_explicit(&G.gen, memory_order_relaxed) || !G.slots || in_capture) return NULL;
    in_capture = 1;
    pthread_mutex_lock(&G.slot_lock);
    uint32_t i;
    if (G.nfree) {
        i = G.free_slots[--G.nfree];
    } else {
        i = atomic_load_explicit(&G.nslots, memory_order_relaxed);
        if (i == CAP_MAX_SLOTS) {
            pthread_mutex_unlock(&G.slot_lock);
            in_capture = 0;
            return NULL;
        }
    }
    cap_thread *t = &G.slots[i];
    /* Atomics one by one, owner fields plainly: the advancer may be reading
     * this slot's state word right now (it skips free slots). */
    t->slot = i;
    t->mid = atomic_exchange(&gt_cap_test_next_mid, 0);
    if (!t->mid) t->mid = (uint64_t)syscall(SYS_gettid);
    uint64_t gid = atomic_fetch_add_explicit(&G.next_gid, 1, memory_order_relaxed) + 1;
    atomic_store_explicit(&t->gid, gid, memory_order_relaxed);
    atomic_store_explicit(&t->handle, gid << 14 | i, memory_order_relaxed);
    atomic_store_explicit(&t->gword, GW_MAKE(CAP_G_NEW, 0, 0, 0), memory_order_relaxed);
    atomic_store_explicit(&t->death_gen, 0, memory_order_relaxed);
    atomic_store_explicit(&t->writing, 0, memory_order_relaxed);
    atomic_store_explicit(&t->n_events, 0, memory_order_relaxed);
    atomic_store_explicit(&t->n_reentrant, 0, memory_order_relaxed);
    atomic_store_explicit(&t->n_memory, 0, memory_order_relaxed);
    atomic_store_explicit(&t->n_misuse, 0, memory_order_relaxed);
    atomic_store_explicit(&t->n_clamped, 0, memory_order_relaxed);
    atomic_store_explicit(&t->n_stacks_lost, 0, memory_order_relaxed);
    t->cur_gen = 0;
    t->trace = 0;
    t->last_time = 0;
    memset(t->buf, 0, sizeof t->buf);
    memset(t->strbuf, 0, sizeof t->strbuf);
    memset(t->sid, 0, sizeof t->sid);
    memset(t->kid, 0, sizeof t->kid);
    memset(t->tyid, 0, sizeof t->tyid);
    t->nregion = t->region_lost = 0;
    cap_stack_bounds(&t->stack_lo, &t->stack_hi);
    atomic_store_explicit(&t->slot_state, CAP_SLOT_LIVE, memory_order_release);
    if (i == atomic_load_explicit(&G.nslots, memory_order_relaxed))
        atomic_store_explicit(&G.nslots, i + 1, memory_order_release);
    pthread_mutex_unlock(&G.slot_lock);
    atomic_fetch_add_explicit(&G.n_threads, 1, memory_order_relaxed);
    pthread_setspecific(G.key, t);
    self = t;
    in_capture = 0;
    return t;
}

/* Enter a write section: NULL when the call is to be dropped (counted).
 * While not recording, a call costs one load and a counter update that is
 * not an atomic add (concurrent callers may lose counts: dropped_off is a
 * statistic, and an instrumented program mostly runs untraced). */
static inline cap_thread *enter(uint64_t *gen)
{
    if (GT_UNLIKELY(!atomic_load_explicit(&G.gen, memory_order_relaxed))) {
        cap_count(&G.n_off, 1);
        return NULL;
    }
    cap_thread *t = self;
    if (GT_UNLIKELY(!t)) {
        t = attach();
        if (!t) {
            cap_count(&G.n_off, 1);
            return NULL;
        }
    }
    if (GT_UNLIKELY(atomic_load_explicit(&t->writing, memory_order_relaxed))) {
        if (t == &exited)
            atomic_fetch_add_explicit(&G.n_exited, 1, memory_order_relaxed);
        else
            atomic_fetch_add_explicit(&t->n_reentrant, 1, memory_order_relaxed);
        return NULL;
    }
    if (GT_LIKELY(atomic_load_explicit(&G.membarrier, memory_order_relaxed))) {
        atomic_store_explicit(&t->writing, 1, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst); /* the CPU fence is cap_fence_writers() */
    } else {
        atomic_store(&t->writing, 1);
    }
    uint64_t g = atomic_load(&G.gen);
    if (GT_UNLIKELY(!g)) {
        atomic_store_explicit(&t->writing, 0, memory_order_release);
        cap_count(&G.n_off, 1);
        return NULL;
    }
    *gen = g;
    return t;
}

static inline void leave(cap_thread *t) { atomic_store_explicit(&t->writing, 0, memory_order_release); }

/*-************************************
 *  Writing events
 **************************************/
/* Append one timed event with n (<= 5) arguments to the thread's batch of
 * generation g: reserve the worst case once, then write unchecked. The
 * timestamp is forced above the batch's last one (a strictly increasing
 * clock per M, as the runtime's). */
static inline __attribute__((always_inline)) bool put(cap_thread *t, uint64_t g, uint64_t now, unsigned type,
                                                      unsigned n, uint64_t a0, uint64_t a1, uint64_t a2,
                                                      uint64_t a3)
{
    cap_buf *b = t->buf[g & 1][CAP_EXP_NONE];
    const size_t need = GT_EVENT_BOUND(5);
    if (GT_UNLIKELY(!b || b->b.cap - b->b.len < need)) {
        b = cap_refill(t, g, CAP_EXP_NONE, need, now, false);
        if (!b) {
            cap_count(&t->n_memory, 1);
            return false;
        }
    }
    uint64_t last = b->b.last_time;
    uint64_t ts = now > last ? now : last + 1;
    uint8_t *p = b->b.buf + b->b.len;
    *p++ = (uint8_t)type;
    p = gt_enc_uv(p, ts - last);
    if (n > 0) p = gt_enc_uv(p, a0);
    if (n > 1) p = gt_enc_uv(p, a1);
    if (n > 2) p = gt_enc_uv(p, a2);
    if (n > 3) p = gt_enc_uv(p, a3);
    b->b.len = (size_t)(p - b->b.buf);
    b->b.last_time = ts;
    t->last_time = ts;
    cap_count(&t->n_events, 1);
    return true;
}
/* Room for a whole operation (at most 10 events: statuses or a birth, then
 * the operation's own) before its first event: an operation is written
 * entirely or not at all, never cut by the memory cap halfway (a GoBlock
 * without its ProcStop would break the trace). */
#define CAP_OP_ROOM (10 * GT_EVENT_BOUND(5))
static inline bool reserve(cap_thread *t, uint64_t g, uint64_t now, bool force)
{
    cap_buf *b = t->buf[g & 1][CAP_EXP_NONE];
    if (GT_LIKELY(b && b->b.cap - b->b.len >= CAP_OP_ROOM)) return true;
    if (cap_refill(t, g, CAP_EXP_NONE, CAP_OP_ROOM, now, force)) return true;
    cap_count(&t->n_memory, 1);
    return false;
}

#define PUT0(t, g, now, ty) put(t, g, now, ty, 0, 0, 0, 0, 0)
#define PUT1(t, g, now, ty, a) put(t, g, now, ty, 1, a, 0, 0, 0)
#define PUT2(t, g, now, ty, a, b) put(t, g, now, ty, 2, a, b, 0, 0)
#define PUT3(t, g, now, ty, a, b, c) put(t, g, now, ty, 3, a, b, c, 0)
#define PUT4(t, g, now, ty, a, b, c, d) put(t, g, now, ty, 4, a, b, c, d)

/* The caller's stack from the API function's frame: frame pointers, or
 * libunwind when the trace asked for it. */
static inline uint64_t stack_here(cap_thread *t, uint64_t g, const void *fp)
{
    unsigned depth = atomic_load_explicit(&G.stack_depth, memory_order_relaxed);
    if (!depth) return 0;
    uintptr_t pcs[CAP_MAX_FRAMES];
    cap_unw_fn unw = atomic_load_explicit(&G.unwind, memory_order_relaxed);
    size_t n = GT_UNLIKELY(unw != NULL) ? cap_unw_walk(unw, pcs, depth, fp)
                                        : cap_fp_walk(pcs, depth, fp, t->stack_lo, t->stack_hi);
    return n ? cap_stack_id(t, g, pcs, n) : 0;
}

/*-************************************
 *  Statuses and birth
 **************************************/
static unsigned go_status_of(unsigned state)
{
    switch (state) {
    case CAP_G_SYSCALL: return GO_SYSCALL;
    case CAP_G_BLOCKED: return GO_WAITING;
    case CAP_G_RUNNABLE: return GO_RUNNABLE;
    default: return GO_RUNNING;
    }
}
static unsigned proc_status_of(unsigned state)
{
    switch (state) {
    case CAP_G_RUNNING: return PROC_RUNNING;
    case CAP_G_SYSCALL: return PROC_SYSCALL;
    default: return PROC_IDLE;
    }
}

/* P word for generation g with sequence seq. */
static uint64_t pword_for(uint64_t old, uint64_t g, uint64_t seq)
{
    unsigned prev = PW_GEN(old) == (uint32_t)g ? PW_PREV(old) : PW_GEN(old) == (uint32_t)(g - 1);
    return PW_MAKE(prev, g, seq);
}

/* The thread's first event in this trace (any generation): born from a
 * syscall, as a C thread calling into Go is. */
static int birth(cap_thread *t, uint64_t g, uint64_t now)
{
    uint64_t pw = atomic_load_explicit(&t->pword, memory_order_relaxed);
    uint64_t gid = atomic_load_explicit(&t->gid, memory_order_relaxed);
    uint64_t pseq = 0;
    if (PW_GEN(pw) == (uint32_t)g) {
        pseq = PW_SEQ(pw);
    } else if (!PUT2(t, g, now, EV_PROC_STATUS, t->slot, PROC_IDLE)) {
        return DROP;
    }
    PUT1(t, g, now, EV_GO_CREATE_SYSCALL, gid);
    PUT0(t, g, now, EV_GO_SYSCALL_END_BLOCKED);
    PUT2(t, g, now, EV_PROC_START, t->slot, pseq + 1);
    PUT2(t, g, now, EV_GO_START, gid, 1);
    atomic_store_explicit(&t->pword, pword_for(pw, g, pseq + 1), memory_order_relaxed);
    atomic_store_explicit(&t->gword, GW_MAKE(CAP_G_RUNNING, 0, g, 1), memory_order_release);
    t->trace = G.trace;
    t->nregion = t->region_lost = 0;
    return OK;
}

/* Before the thread's first event of generation g: state its G and P unless
 * someone already did in g (a waker states a sleeping G). RETRY when a waker
 * stated it in a later generation: this section is stale. */
static int ready_slow(cap_thread *t, uint64_t g, uint64_t now)
{
    if (t->trace != G.trace) {
        int r = birth(t, g, now);
        if (r == OK) t->cur_gen = g;
        return r;
    }
    uint64_t w = atomic_load_explicit(&t->gword, memory_order_acquire);
    bool g_status = false;
    for (;;) {
        uint32_t sg = GW_GEN(w);
        if (sg == (uint32_t)g) break;
        if ((int32_t)(sg - (uint32_t)g) > 0) return RETRY;
        uint64_t nw = GW_MAKE(GW_STATE(w), sg == (uint32_t)(g - 1), g, 0);
        if (atomic_compare_exchange_weak_explicit(&t->gword, &w, nw, memory_order_acq_rel, memory_order_acquire)) {
            w = nw;
            g_status = true;
            break;
        }
    }
    unsigned state = GW_STATE(w);
    uint64_t pw = atomic_load_explicit(&t->pword, memory_order_relaxed);
    if (PW_GEN(pw) != (uint32_t)g) {
        atomic_store_explicit(&t->pword, pword_for(pw, g, 0), memory_order_relaxed);
        PUT2(t, g, now, EV_PROC_STATUS, t->slot, proc_status_of(state));
    }
    if (g_status) {
        bool on_m = state == CAP_G_RUNNING || state == CAP_G_SYSCALL;
        PUT3(t, g, now, EV_GO_STATUS, atomic_load_explicit(&t->gid, memory_order_relaxed),
             on_m ? t->mid : GT_ENC_NO_THREAD, go_status_of(state));
    }
    t->cur_gen = g;
    return OK;
}

static inline int ready(cap_thread *t, uint64_t g, uint64_t now)
{
    if (GT_LIKELY(t->cur_gen == g)) return OK;
    return ready_slow(t, g, now);
}


/*-************************************
 *  Operations (each runs inside one write section)
 **************************************/
#define RUN(op)                                                                                                        \
    do {                                                                                                               \
        uint64_t g_;                                                                                                   \
        for (;;) {                                                                                                     \
            cap_thread *t_ = enter(&g_);                                                                               \
            if (!t_) break;                                                                                            \
            uint64_t now_ = cap_now();                                                                                 \
            int r_ = reserve(t_, g_, now_, false) ? ready(t_, g_, now_) : DROP;                                         \
            if (r_ == OK) r_ = op(t_, g_, now_);                                                                       \
            leave(t_);                                                                                                 \
            if (r_ != RETRY) break;                                                                                    \
        }                                                                                                              \
    } while (0)

/* Events of a running goroutine need its state to be running (Go's reader
 * requires a P and a running G for them). */
static inline bool running(cap_thread *t)
{
    return GW_STATE(atomic_load_explicit(&t->gword, memory_order_relaxed)) == CAP_G_RUNNING;
}

uint64_t gt_cap_task_begin(uint64_t parent, const gt_cap_str *name)
{
    const void *fp = __builtin_frame_address(0);
    uint64_t id = 0;
#define OP(t, g, now)                                                                                                  \
    (running(t) ? (id = atomic_fetch_add_explicit(&G.next_task, 1, memory_order_relaxed) + 1,                          \
                   PUT4(t, g, now, EV_USER_TASK_BEGIN, id, parent, cap_string_id(t, g, name, now),                     \
                        stack_here(t, g, fp)),                                                                         \
                   OK)                                                                                                 \
                : (cap_count(&t->n_misuse, 1), DROP))
    RUN(OP);
#undef OP
    return id;
}

void gt_cap_task_end(uint64_t task)
{
    const void *fp = __builtin_frame_address(0);
    uint64_t issued = atomic_load_explicit(&G.next_task, memory_order_relaxed);
#define OP(t, g, now)                                                                                                  \
    (running(t) && task != 0 && task <= issued                                                                         \
         ? (PUT2(t, g, now, EV_USER_TASK_END, task, stack_here(t, g, fp)), OK)                                         \
         : (cap_count(&t->n_misuse, 1), DROP))
    RUN(OP);
#undef OP
}

static int region_begin(cap_thread *t, uint64_t g, uint64_t now, uint64_t task, const gt_cap_str *name,
                        const void *fp)
{
    if (!running(t)) return cap_count(&t->n_misuse, 1), DROP;
    if (t->nregion == CAP_MAX_REGIONS) { /* too deep: drop it and its end */
        t->region_lost++;
        cap_count(&t->n_misuse, 1);
        return DROP;
    }
    t->region[t->nregion].task = task;
    t->region[t->nregion].name = name;
    t->nregion++;
    PUT3(t, g, now, EV_USER_REGION_BEGIN, task, cap_string_id(t, g, name, now), stack_here(t, g, fp));
    return OK;
}

static int region_end(cap_thread *t, uint64_t g, uint64_t now, uint64_t task, const gt_cap_str *name,
                      const void *fp)
{
    if (!running(t)) return cap_count(&t->n_misuse, 1), DROP;
    if (t->region_lost) {
        t->region_lost--;
        return DROP;
    }
    if (!t->nregion || t->region[t->nregion - 1].task != task || t->region[t->nregion - 1].name != name) {
        cap_count(&t->n_misuse, 1); /* Go's reader rejects an end that is not the innermost region */
        return DROP;
    }
    t->nregion--;
    PUT3(t, g, now, EV_USER_REGION_END, task, cap_string_id(t, g, name, now), stack_here(t, g, fp));
    return OK;
}

void gt_cap_region_begin(uint64_t task, const gt_cap_str *name)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) region_begin(t, g, now, task, name, fp)
    RUN(OP);
#undef OP
}

void gt_cap_region_end(uint64_t task, const gt_cap_str *name)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) region_end(t, g, now, task, name, fp)
    RUN(OP);
#undef OP
}

static int log_op(cap_thread *t, uint64_t g, uint64_t now, uint64_t task, const gt_cap_str *key, const char *msg,
                  size_t len, const void *fp)
{
    if (!running(t)) return cap_count(&t->n_misuse, 1), DROP;
    if (len > CAP_MAX_STRING) {
        len = CAP_MAX_STRING;
        cap_count(&t->n_clamped, 1);
    }
    uint64_t k = cap_string_id(t, g, key, now);
    uint64_t v = msg ? cap_unique_string(t, g, msg, len) : 0;
    PUT4(t, g, now, EV_USER_LOG, task, k, v, stack_here(t, g, fp));
    return OK;
}

void gt_cap_log(uint64_t task, const gt_cap_str *key, const char *msg, size_t len)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) log_op(t, g, now, task, key, msg, len, fp)
    RUN(OP);
#undef OP
}

void gt_cap_logf(uint64_t task, const gt_cap_str *key, const char *fmt, ...)
{
    const void *fp = __builtin_frame_address(0);
    char msg[CAP_MAX_STRING + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n > CAP_MAX_STRING ? CAP_MAX_STRING : (size_t)n;
#define OP(t, g, now) log_op(t, g, now, task, key, msg, len, fp)
    RUN(OP);
#undef OP
}

/*-************************************
 *  Blocking, waking, system calls
 **************************************/
static const char *const wait_names[] = {
    [GT_CAP_WAIT_MUTEX] = "sync",       [GT_CAP_WAIT_COND] = "sync.(*Cond).Wait",
    [GT_CAP_WAIT_QUEUE] = "chan receive", [GT_CAP_WAIT_SEND] = "chan send",
    [GT_CAP_WAIT_SELECT] = "select",    [GT_CAP_WAIT_SLEEP] = "sleep",
    [GT_CAP_WAIT_NETWORK] = "network",  [GT_CAP_WAIT_OTHER] = "wait",
};
static gt_cap_str *wait_strs[GT_ARRAY_LEN(wait_names)];

void cap_reason_strings(void)
{
    for (size_t i = 0; i < GT_ARRAY_LEN(wait_names); i++)
        if (!wait_strs[i]) wait_strs[i] = gt_cap_string(wait_names[i]);
}

static int block_op(cap_thread *t, uint64_t g, uint64_t now, const gt_cap_str *reason, const void *fp)
{
    uint64_t w = atomic_load_explicit(&t->gword, memory_order_relaxed);
    if (GW_STATE(w) != CAP_G_RUNNING) return cap_count(&t->n_misuse, 1), DROP;
    uint64_t r = cap_string_id(t, g, reason, now);
    if (!PUT2(t, g, now, EV_GO_BLOCK, r, stack_here(t, g, fp))) return DROP;
    PUT0(t, g, now, EV_PROC_STOP);
    /* Only the owner changes a running G's word: a plain store is enough,
     * and wakers may act from now on. */
    atomic_store_explicit(&t->gword, GW_MAKE(CAP_G_BLOCKED, GW_PREV(w), GW_GEN(w), GW_SEQ(w)),
                          memory_order_release);
    return OK;
}

void gt_cap_block(gt_cap_wait why)
{
    const void *fp = __builtin_frame_address(0);
    const gt_cap_str *reason = (unsigned)why < GT_ARRAY_LEN(wait_strs) ? wait_strs[why] : wait_strs[GT_CAP_WAIT_OTHER];
#define OP(t, g, now) block_op(t, g, now, reason, fp)
    RUN(OP);
#undef OP
}

void gt_cap_block_reason(const gt_cap_str *reason)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) block_op(t, g, now, reason, fp)
    RUN(OP);
#undef OP
}

/* Run again: unblock ourselves unless a waker did, then take the P back and
 * start. Winner of the CAS on the G word writes the GoUnblock. */
static int resume(cap_thread *t, uint64_t g, uint64_t now, const void *fp, bool count_misuse)
{
    uint64_t w = atomic_load_explicit(&t->gword, memory_order_acquire);
    for (;;) {
        unsigned st = GW_STATE(w);
        if (st != CAP_G_BLOCKED && st != CAP_G_RUNNABLE) {
            if (count_misuse) cap_count(&t->n_misuse, 1);
            return DROP;
        }
        if (GW_GEN(w) != (uint32_t)g) return RETRY; /* a waker stated us in a later generation */
        uint64_t seq = GW_SEQ(w) + (st == CAP_G_BLOCKED ? 2 : 1);
        if (seq > GW_SEQ_MAX) seq = GW_SEQ_MAX; /* unreachable in practice: 2^27 wake-ups per generation */
        uint64_t nw = GW_MAKE(CAP_G_RUNNING, GW_PREV(w), g, seq);
        if (!atomic_compare_exchange_weak_explicit(&t->gword, &w, nw, memory_order_acq_rel, memory_order_acquire))
            continue;
        uint64_t gid = atomic_load_explicit(&t->gid, memory_order_relaxed);
        if (st == CAP_G_BLOCKED) PUT3(t, g, now, EV_GO_UNBLOCK, gid, seq - 1, stack_here(t, g, fp));
        uint64_t pw = atomic_load_explicit(&t->pword, memory_order_relaxed);
        atomic_store_explicit(&t->pword, PW_MAKE(PW_PREV(pw), PW_GEN(pw), PW_SEQ(pw) + 1), memory_order_relaxed);
        PUT2(t, g, now, EV_PROC_START, t->slot, PW_SEQ(pw) + 1);
        PUT2(t, g, now, EV_GO_START, gid, seq);
        return OK;
    }
}

void gt_cap_unblock(void)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) resume(t, g, now, fp, true)
    RUN(OP);
#undef OP
}

static int wake_op(cap_thread *t, uint64_t g, uint64_t now, gt_cap_tid target, const void *fp)
{
    if (!running(t)) return cap_count(&t->n_misuse, 1), DROP;
    uint32_t slot = (uint32_t)(target & (CAP_MAX_SLOTS - 1));
    if (!target || slot >= atomic_load_explicit(&G.nslots, memory_order_acquire)) return cap_count(&t->n_misuse, 1), DROP;
    cap_thread *o = &G.slots[slot];
    if (o == t) return DROP;
    if (atomic_load_explicit(&o->handle, memory_order_acquire) != target) return cap_count(&t->n_misuse, 1), DROP;
    uint64_t gid = target >> 14;
    uint64_t w = atomic_load_explicit(&o->gword, memory_order_acquire);
    for (;;) {
        if (GW_STATE(w) != CAP_G_BLOCKED) return DROP; /* not asleep (or already woken): nothing to do */
        uint32_t sg = GW_GEN(w);
        if ((int32_t)(sg - (uint32_t)g) > 0) return RETRY;
        bool status = sg != (uint32_t)g;
        uint64_t seq = status ? 1 : GW_SEQ(w) + 1;
        if (seq > GW_SEQ_MAX) return DROP;
        uint64_t nw = GW_MAKE(CAP_G_RUNNABLE, status ? sg == (uint32_t)(g - 1) : GW_PREV(w), g, seq);
        if (!atomic_compare_exchange_weak_explicit(&o->gword, &w, nw, memory_order_acq_rel, memory_order_acquire))
            continue;
        if (status) PUT3(t, g, now, EV_GO_STATUS, gid, GT_ENC_NO_THREAD, GO_WAITING);
        PUT3(t, g, now, EV_GO_UNBLOCK, gid, seq, stack_here(t, g, fp));
        return OK;
    }
}

void gt_cap_wake(gt_cap_tid target)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) wake_op(t, g, now, target, fp)
    RUN(OP);
#undef OP
}

gt_cap_tid gt_cap_self(void)
{
    cap_thread *t = self;
    if (!t) t = attach();
    if (!t || t == &exited) return 0;
    return atomic_load_explicit(&t->handle, memory_order_relaxed);
}

static int syscall_begin(cap_thread *t, uint64_t g, uint64_t now, const void *fp)
{
    uint64_t w = atomic_load_explicit(&t->gword, memory_order_relaxed);
    if (GW_STATE(w) != CAP_G_RUNNING) return cap_count(&t->n_misuse, 1), DROP;
    uint64_t pw = atomic_load_explicit(&t->pword, memory_order_relaxed);
    if (!PUT2(t, g, now, EV_GO_SYSCALL_BEGIN, PW_SEQ(pw) + 1, stack_here(t, g, fp))) return DROP;
    atomic_store_explicit(&t->pword, PW_MAKE(PW_PREV(pw), PW_GEN(pw), PW_SEQ(pw) + 1), memory_order_relaxed);
    atomic_store_explicit(&t->gword, GW_MAKE(CAP_G_SYSCALL, GW_PREV(w), GW_GEN(w), GW_SEQ(w)), memory_order_release);
    return OK;
}

static int syscall_end(cap_thread *t, uint64_t g, uint64_t now)
{
    uint64_t w = atomic_load_explicit(&t->gword, memory_order_relaxed);
    if (GW_STATE(w) != CAP_G_SYSCALL) return cap_count(&t->n_misuse, 1), DROP;
    PUT0(t, g, now, EV_GO_SYSCALL_END);
    atomic_store_explicit(&t->gword, GW_MAKE(CAP_G_RUNNING, GW_PREV(w), GW_GEN(w), GW_SEQ(w)), memory_order_release);
    return OK;
}

void gt_cap_syscall_begin(void)
{
    const void *fp = __builtin_frame_address(0);
#define OP(t, g, now) syscall_begin(t, g, now, fp)
    RUN(OP);
#undef OP
}

void gt_cap_syscall_end(void)
{
#define OP(t, g, now) syscall_end(t, g, now)
    RUN(OP);
#undef OP
}

/*-************************************
 *  AllocFree
 **************************************/
#define ALLOC_ALIGN 8u    /* object IDs: address / 8 (Go's minHeapAlign) */
#define PAGE_SIZE_ 4096u  /* span IDs: address / page size */

static int alloc_op(cap_thread *t, uint64_t g, uint64_t now, unsigned type, const void *p, const gt_cap_type *ty,
                    uint64_t npages)
{
    if (!(G.cfg.flags & GT_CAP_ALLOCFREE)) return DROP;
    uint64_t addr = (uint64_t)(uintptr_t)p;
    switch (type) {
    case EV_HEAP_OBJECT_ALLOC: PUT2(t, g, now, type, addr / ALLOC_ALIGN, cap_type_id(t, g, ty, now)); break;
    case EV_HEAP_OBJECT_FREE: PUT1(t, g, now, type, addr / ALLOC_ALIGN); break;
    case EV_SPAN_ALLOC: PUT3(t, g, now, type, addr / PAGE_SIZE_, npages, 1); break; /* kindclass 1: not a heap span */
    default: PUT1(t, g, now, type, addr / PAGE_SIZE_); break;
    }
    return OK;
}

void gt_cap_alloc(const void *p, const gt_cap_type *type)
{
#define OP(t, g, now) alloc_op(t, g, now, EV_HEAP_OBJECT_ALLOC, p, type, 0)
    RUN(OP);
#undef OP
}
void gt_cap_free(const void *p)
{
#define OP(t, g, now) alloc_op(t, g, now, EV_HEAP_OBJECT_FREE, p, NULL, 0)
    RUN(OP);
#undef OP
}
void gt_cap_pages_alloc(const void *p, uint64_t npages)
{
#define OP(t, g, now) alloc_op(t, g, now, EV_SPAN_ALLOC, p, NULL, npages)
    RUN(OP);
#undef OP
}
void gt_cap_pages_free(const void *p)
{
#define OP(t, g, now) alloc_op(t, g, now, EV_SPAN_FREE, p, NULL, 0)
    RUN(OP);
#undef OP
}

/*-************************************
 *  Thread exit
 **************************************/
/* End the G (GoDestroy + ProcStop), hand both parities' batches to the FIFO
 * and leave the slot to the advancer, which retires it two generations
 * later (so a waker still holding its handle never touches a new owner). */
static void thread_gone(cap_thread *t)
{
    if (!t || t == &exited) return;
    /* Writing stays set from here on: the advancer waits or has taken our
     * old-parity buffers; G.lock orders us against it for the rest. */
    atomic_store(&t->writing, 1);
    uint64_t g = atomic_load(&G.gen);
    if (g && t->trace == G.trace) {
        uint64_t now = cap_now();
        reserve(t, g, now, true); /* beyond max_memory if need be: a G that never ends would break the trace */
        int r = ready(t, g, now);
        if (r == OK) {
            unsigned st = GW_STATE(atomic_load_explicit(&t->gword, memory_order_acquire));
            if (st == CAP_G_BLOCKED || st == CAP_G_RUNNABLE) r = resume(t, g, now, NULL, false);
            if (st == CAP_G_SYSCALL) r = syscall_end(t, g, now);
        }
        if (r == OK || r == DROP) {
            uint64_t w = atomic_load_explicit(&t->gword, memory_order_acquire);
            if (GW_STATE(w) == CAP_G_RUNNING) {
                PUT0(t, g, now, EV_GO_DESTROY);
                PUT0(t, g, now, EV_PROC_STOP);
            }
        }
        /* RETRY (a waker stated us in g + 1 while we looked): the G's last
         * state stands; it is simply never seen again. */
    }
    uint64_t w = atomic_load_explicit(&t->gword, memory_order_acquire);
    while (!atomic_compare_exchange_weak_explicit(&t->gword, &w, GW_MAKE(CAP_G_DEAD, GW_PREV(w), GW_GEN(w), GW_SEQ(w)),
                                                  memory_order_acq_rel, memory_order_acquire)) {
    }
    atomic_store_explicit(&t->death_gen, g, memory_order_relaxed);
    pthread_mutex_lock(&G.lock);
    for (unsigned p = 0; p < 2; p++) {
        for (unsigned e = 0; e < CAP_NEXP; e++) {
            if (t->buf[p][e]) cap_buf_push_locked(t->buf[p][e], t->buf[p][e]->gen);
            t->buf[p][e] = NULL;
        }
        if (t->strbuf[p]) cap_buf_push_locked(t->strbuf[p], t->strbuf[p]->gen);
        t->strbuf[p] = NULL;
    }
    pthread_mutex_unlock(&G.lock);
    atomic_store_explicit(&t->slot_state, CAP_SLOT_DEAD, memory_order_release);
    self = &exited;
    atomic_store_explicit(&t->writing, 0, memory_order_release);
}

static void thread_exit_key(void *p) { thread_gone(p); }

void gt_cap_thread_exit(void)
{
    cap_thread *t = self;
    if (!t || t == &exited) return;
    pthread_setspecific(G.key, NULL);
    thread_gone(t);
}

/*-************************************
 *  Stacks and settings
 **************************************/
size_t gt_cap_stack(uintptr_t *pcs, size_t cap)
{
    cap_thread *t = self;
    uintptr_t lo = 0, hi = 0;
    if (t && t != &exited) {
        lo = t->stack_lo;
        hi = t->stack_hi;
    } else {
        cap_stack_bounds(&lo, &hi);
    }
    return cap_fp_walk(pcs, cap, __builtin_frame_address(0), lo, hi);
}

void gt_cap_set_stack_depth(unsigned depth)
{
    atomic_store_explicit(&G.stack_depth, depth > CAP_MAX_FRAMES ? CAP_MAX_FRAMES : depth, memory_order_relaxed);
}

/*-************************************
 *  Process-wide setup: key, fork, exit
 **************************************/
static void atfork_prepare(void)
{
    pthread_mutex_lock(&G.adv_lock);
    pthread_mutex_lock(&G.slot_lock);
    pthread_mutex_lock(&G.lock);
}
static void atfork_parent(void)
{
    pthread_mutex_unlock(&G.lock);
    pthread_mutex_unlock(&G.slot_lock);
    pthread_mutex_unlock(&G.adv_lock);
}
/* The child has one thread and shares the parent's output: it records
 * nothing and never writes (the parent's trace stays whole) until it starts
 * a trace of its own (cap_forked_child_reset). Generation numbers go on from
 * the parent's current one, so no string or type handle keeps an ID the
 * child's trace never defined. */
static void atfork_child(void)
{
    atomic_store(&G.membarrier, 0); /* the child's memory is not registered */
    G.forked = 1;
    uint64_t g = atomic_load(&G.gen);
    if (g > G.last_gen) G.last_gen = g;
    atomic_store(&G.gen, 0);
    atomic_store(&G.running, 0);
    G.writer_started = 0;
    pthread_mutex_init(&G.lock, NULL);
    pthread_mutex_init(&G.slot_lock, NULL);
    pthread_mutex_init(&G.adv_lock, NULL);
    pthread_cond_init(&G.adv_cond, NULL);
}

static void at_exit(void)
{
    if (!G.forked && atomic_load(&G.running) && !(G.cfg.flags & GT_CAP_NO_ATEXIT) && getpid() == G.pid) gt_cap_stop();
}

void cap_fence_writers(void)
{
    if (atomic_load(&G.membarrier) && syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        abort(); /* cannot fail once registered */
}

static void membarrier_init(void)
{
    const char *off = getenv("GOTRACE_NO_MEMBARRIER");
    if (off && *off && strcmp(off, "0") != 0) return;
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return;
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0) return;
    atomic_store(&G.membarrier, 1);
}

int cap_process_init(void)
{
    static int done;
    if (done) return 1;
    membarrier_init();
    if (!map_slots()) return 0;
    if (pthread_key_create(&G.key, thread_exit_key) != 0) return 0;
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    atexit(at_exit);
    cap_reason_strings();
    done = 1;
    return 1;
}

static void drop_buf(cap_buf **b)
{
    if (*b) cap_buf_put(*b);
    *b = NULL;
}

/* A forked child's first start: the parent's threads do not exist here, and
 * what their buffers hold is the parent's to write. Every buffer goes back to
 * the free list unwritten, every slot is freed (cap_threads_new_trace), and
 * this thread attaches afresh, with its own M ID and a new G, on its next
 * call. The child's memory is registered for membarrier on its own. */
void cap_forked_child_reset(void)
{
    pthread_mutex_lock(&G.slot_lock);
    uint32_t n = G.slots ? atomic_load_explicit(&G.nslots, memory_order_acquire) : 0;
    for (uint32_t i = 0; i < n; i++) {
        cap_thread *t = &G.slots[i];
        for (unsigned p = 0; p < 2; p++) {
            for (unsigned e = 0; e < CAP_NEXP; e++) drop_buf(&t->buf[p][e]);
            drop_buf(&t->strbuf[p]);
        }
        atomic_store_explicit(&t->slot_state, CAP_SLOT_DEAD, memory_order_release);
    }
    pthread_mutex_unlock(&G.slot_lock);
    cap_buf_drop_all(0);
    cap_buf_drop_all(1);
    if (self && self != &exited) pthread_setspecific(G.key, NULL);
    self = NULL;
    membarrier_init();
    G.forked = 0;
}

/* A new trace: every thread is born again on its first event; slots of dead
 * threads are free. No write section can be in progress (gen is 0). */
void cap_threads_new_trace(void)
{
    pthread_mutex_lock(&G.slot_lock);
    uint32_t n = atomic_load_explicit(&G.nslots, memory_order_acquire);
    G.nfree = 0;
    for (uint32_t i = 0; i < n; i++) {
        cap_thread *t = &G.slots[i];
        int st = atomic_load_explicit(&t->slot_state, memory_order_acquire);
        if (st == CAP_SLOT_LIVE) {
            atomic_store_explicit(&t->gword, GW_MAKE(CAP_G_NEW, 0, 0, 0), memory_order_release);
            atomic_store_explicit(&t->pword, 0, memory_order_relaxed);
        } else {
            if (st != CAP_SLOT_FREE) atomic_store_explicit(&t->slot_state, CAP_SLOT_FREE, memory_order_release);
            atomic_store_explicit(&t->handle, 0, memory_order_relaxed);
            atomic_store_explicit(&t->pword, 0, memory_order_relaxed);
            G.free_slots[G.nfree++] = i;
        }
    }
    pthread_mutex_unlock(&G.slot_lock);
}

/* The advancer's own thread must not record while it advances (a signal
 * handler there would take G.lock twice). */
uint32_t cap_self_busy(uint32_t v)
{
    in_capture = v != 0;
    cap_thread *t = self;
    if (!t || t == &exited) return 0;
    return atomic_exchange(&t->writing, v);
}

void gt_cap_get_stats(gt_cap_stats *s)
{
    memset(s, 0, sizeof *s);
    /* No lock (a signal handler may record on this thread meanwhile): the
     * sum is of atomics, exact once the threads are quiet. */
    s->generations = atomic_load(&G.n_generations);
    s->bytes = atomic_load(&G.n_bytes);
    s->threads = atomic_load(&G.n_threads);
    s->dropped_off = atomic_load(&G.n_off);
    s->dropped_exited = atomic_load(&G.n_exited);
    s->output_errors = atomic_load(&G.n_output_errors);
    s->memory = atomic_load(&G.mem_used);
    s->buffer_maps = atomic_load(&G.buffer_maps);
    s->events = atomic_load(&G.dead_events);
    s->dropped_reentrant = atomic_load(&G.dead_reentrant);
    s->dropped_memory = atomic_load(&G.dead_memory);
    s->dropped_misuse = atomic_load(&G.dead_misuse);
    s->clamped = atomic_load(&G.dead_clamped);
    s->stacks_lost = atomic_load(&G.dead_stacks_lost);
    uint32_t n = G.slots ? atomic_load_explicit(&G.nslots, memory_order_acquire) : 0;
    for (uint32_t i = 0; i < n; i++) {
        cap_thread *t = &G.slots[i];
        if (atomic_load_explicit(&t->slot_state, memory_order_acquire) == CAP_SLOT_FREE) continue;
        s->events += atomic_load_explicit(&t->n_events, memory_order_relaxed);
        s->dropped_reentrant += atomic_load_explicit(&t->n_reentrant, memory_order_relaxed);
        s->dropped_memory += atomic_load_explicit(&t->n_memory, memory_order_relaxed);
        s->dropped_misuse += atomic_load_explicit(&t->n_misuse, memory_order_relaxed);
        s->clamped += atomic_load_explicit(&t->n_clamped, memory_order_relaxed);
        s->stacks_lost += atomic_load_explicit(&t->n_stacks_lost, memory_order_relaxed);
    }
}
