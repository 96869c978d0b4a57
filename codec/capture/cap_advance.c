/* Generations, the writer and the output.
 *
 * cap_advance_locked() is Go's traceAdvance for C threads:
 *   1. note every thread's G and P words (the states of threads that will
 *      turn out to have written nothing in the closing generation N);
 *   2. reset the ID counters of N+1's parity, store N+1 (the switch), write
 *      N+1's sync batch (frequency, clock snapshot);
 *   3. for each thread wait until its write flag is clear (it can then only
 *      write N+1), take its batches of N's parity, exited threads' too;
 *   4. write statuses for threads that did not state themselves in N, so
 *      every generation stands alone (flight recorder, cuts);
 *   5. dump N's stacks (their strings first), the AllocFree info batch, the
 *      frequency batch (go 1.23);
 *   6. write N out (or keep it in the flight recorder's ring), then the
 *      end-of-generation byte (go 1.26);
 *   7. retire the slots of exited threads (recycled one generation later).
 * Everything runs under adv_lock; the background writer holds it while it
 * streams full buffers of the current generation between advances. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../sink/sink.h"
#include "cap.h"


#define STAGE_SIZE (256u << 10)

static uint64_t mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t ticks_to_ns(uint64_t t) { return (uint64_t)((double)t * 1e9 / (double)G.freq); }

/*-************************************
 *  Output
 **************************************/
static long fd_write(void *user, const uint8_t *buf, size_t n)
{
    int fd = (int)(intptr_t)user;
    for (;;) {
        ssize_t r = write(fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        return r <= 0 ? -1 : (long)r;
    }
}

static void out_bytes(const void *p, size_t n)
{
    if (G.cfg.flags & GT_CAP_FLIGHT) {
        if (G.blob_len + n > G.blob_cap) {
            size_t nc = G.blob_cap ? G.blob_cap : 1u << 16;
            while (nc < G.blob_len + n) nc *= 2;
            uint8_t *nb = realloc(G.blob, nc);
            if (!nb) {
                atomic_fetch_add(&G.n_output_errors, 1);
                return;
            }
            G.blob = nb;
            G.blob_cap = nc;
        }
        memcpy(G.blob + G.blob_len, p, n);
        G.blob_len += n;
        return;
    }
    if (G.out_failed) return;
    if (gt_out_write(&G.out, p, n) != GT_OK) {
        G.out_failed = 1;
        atomic_fetch_add(&G.n_output_errors, 1);
        return;
    }
    atomic_fetch_add_explicit(&G.n_bytes, n, memory_order_relaxed);
}

static void out_flush(void)
{
    if ((G.cfg.flags & GT_CAP_FLIGHT) || G.out_failed) return;
    if (gt_out_flush(&G.out) != GT_OK) {
        G.out_failed = 1;
        atomic_fetch_add(&G.n_output_errors, 1);
    }
}

/* Write out (or collect) every full buffer of gen's parity, in FIFO order. */
static void drain(uint64_t gen)
{
    cap_buf *b = cap_buf_pop_all(gen);
    while (b) {
        cap_buf *next = b->next;
        out_bytes(b->b.buf, b->b.len);
        cap_buf_put(b);
        b = next;
    }
}

/*-************************************
 *  The advancer's own batches
 **************************************/
/* Small batches (sync, statuses, info) are packed one after the other into
 * one pool buffer; its gt_batch then only says where the bytes end. */
typedef struct agg {
    uint64_t gen;
    cap_buf *buf;
    size_t len;
} agg;

static void agg_flush(agg *a)
{
    if (!a->buf) return;
    a->buf->b.buf = a->buf->data;
    a->buf->b.len = a->len;
    a->buf->b.open = 0;
    cap_buf_push(a->buf, a->gen);
    a->buf = NULL;
}

/* Start a batch of at most `room` bytes inside the aggregate. */
static gt_batch *agg_begin(agg *a, gt_batch *b, uint64_t m, uint64_t time, int exp, size_t room)
{
    if (a->buf && CAP_BUF_DATA - a->len < room) agg_flush(a);
    if (!a->buf) {
        a->buf = cap_buf_get_force();
        if (!a->buf) return NULL;
        a->len = 0;
    }
    gt_status s = exp < 0 ? gt_batch_begin(b, a->buf->data + a->len, CAP_BUF_DATA - a->len, G.version, a->gen, m, time, 0)
                          : gt_batch_begin_experimental(b, a->buf->data + a->len, CAP_BUF_DATA - a->len, G.version,
                                                        (unsigned)exp, a->gen, m, time, 0);
    return s == GT_OK ? b : NULL;
}

static void agg_end(agg *a, gt_batch *b)
{
    size_t len;
    gt_batch_finish(b, &len);
    a->len += len;
}

static void write_sync(uint64_t gen)
{
    gt_sync s;
    cap_clock_sync(&s);
    agg a = {.gen = gen};
    gt_batch bb, *b = agg_begin(&a, &bb, GT_ENC_NO_THREAD, s.time, -1, 128);
    if (!b) return;
    static const uint8_t sync = GT_V2_SYNC;
    gt_batch_raw(b, &sync, 1);
    gt_batch_event(b, GT_V2_FREQUENCY, 0, &s.freq, 1);
    uint64_t snap[3] = {s.mono, s.sec, s.nsec};
    gt_batch_event(b, GT_V2_CLOCK_SNAPSHOT, s.clock_time, snap, 3);
    agg_end(&a, b);
    agg_flush(&a);
}

/* go 1.22-1.24 form: one frequency batch per generation. */
static void write_frequency(agg *a)
{
    gt_sync s;
    cap_clock_sync(&s);
    gt_batch bb, *b = agg_begin(a, &bb, GT_ENC_NO_THREAD, s.time, -1, 32);
    if (!b) return;
    gt_batch_event(b, GT_V2_FREQUENCY, 0, &s.freq, 1);
    agg_end(a, b);
}

/* AllocFree's info batch: how IDs map back to addresses (object ID =
 * address / 8, span ID = address / 4096, from address 0). */
static void write_allocfree_info(agg *a, uint64_t now)
{
    gt_batch bb, *b = agg_begin(a, &bb, GT_ENC_NO_THREAD, now, CAP_EXP_ALLOCFREE, 64);
    if (!b) return;
    uint8_t info[1 + 4 * GT_UVARINT_MAX], *w = info;
    *w++ = 1; /* traceAllocFreeInfoBatch */
    w = gt_enc_uv(gt_enc_uv(gt_enc_uv(gt_enc_uv(w, 0), 4096), 8), 4096);
    gt_batch_raw(b, info, (size_t)(w - info));
    agg_end(a, b);
}

/* Statuses of a thread that wrote nothing in gen, in the state it had all
 * along (the word noted before the switch). */
static void quiet_statuses(cap_thread *t, uint64_t gen, uint64_t now, agg *own, agg *nothread, gt_batch *nt)
{
    uint64_t gw = atomic_load_explicit(&t->gword, memory_order_acquire);
    uint64_t pw = atomic_load_explicit(&t->pword, memory_order_acquire);
    bool g_done = cap_stated_in(GW_GEN(gw), GW_PREV(gw), gen);
    bool p_done = cap_stated_in(PW_GEN(pw), PW_PREV(pw), gen);
    unsigned st = GW_STATE(t->snap_g);
    if ((g_done && p_done) || st == CAP_G_NEW || st == CAP_G_DEAD) return;
    uint64_t gid = atomic_load_explicit(&t->gid, memory_order_relaxed);
    if (st == CAP_G_RUNNING || st == CAP_G_SYSCALL) {
        /* Executing states only from a batch of the thread's own M. */
        gt_batch bb, *b = agg_begin(own, &bb, t->mid, now, -1, 64);
        if (!b) return;
        unsigned ps = st == CAP_G_RUNNING ? PROC_RUNNING : PROC_SYSCALL;
        unsigned gs = st == CAP_G_RUNNING ? GO_RUNNING : GO_SYSCALL;
        if (!p_done) gt_batch_event(b, EV_PROC_STATUS, now, (uint64_t[]){t->slot, ps}, 2);
        if (!g_done) gt_batch_event(b, EV_GO_STATUS, now, (uint64_t[]){gid, t->mid, gs}, 3);
        agg_end(own, b);
        return;
    }
    if (!nt->open && !agg_begin(nothread, nt, GT_ENC_NO_THREAD, now, -1, 4096)) return;
    if (gt_batch_room(nt) < 64) {
        agg_end(nothread, nt);
        if (!agg_begin(nothread, nt, GT_ENC_NO_THREAD, now, -1, 4096)) return;
    }
    if (!p_done) gt_batch_event(nt, EV_PROC_STATUS, now, (uint64_t[]){t->slot, PROC_IDLE}, 2);
    if (!g_done)
        gt_batch_event(nt, EV_GO_STATUS, now,
                       (uint64_t[]){gid, GT_ENC_NO_THREAD, st == CAP_G_RUNNABLE ? GO_RUNNABLE : GO_WAITING}, 3);
}

/*-************************************
 *  The flight recorder's ring
 **************************************/
static void ring_free(void)
{
    while (G.ring) {
        cap_gen_blob *n = G.ring->next;
        free(G.ring->data);
        free(G.ring);
        G.ring = n;
    }
}

/* Keep the new generation and, going back in time, older ones while the
 * kept bytes stay within max_bytes and the oldest kept is younger than
 * min_age; a generation crossing a threshold is kept (Go's recorder). */
static void ring_add(uint64_t gen, uint64_t start_ns)
{
    cap_gen_blob *g = malloc(sizeof *g);
    if (!g) {
        G.blob_len = 0;
        return;
    }
    g->gen = gen;
    g->min_time = start_ns;
    g->size = G.blob_len;
    g->data = G.blob;
    g->next = NULL;
    G.blob = NULL;
    G.blob_len = G.blob_cap = 0;
    size_t n = 0;
    for (cap_gen_blob *r = G.ring; r; r = r->next) n++;
    cap_gen_blob **list = malloc((n + 1) * sizeof *list); /* oldest first */
    if (!list) { /* keep only the new one */
        ring_free();
        G.ring = g;
        return;
    }
    n = 0;
    for (cap_gen_blob *r = G.ring; r; r = r->next) list[n++] = r;
    uint64_t now = ticks_to_ns(cap_now());
    uint64_t size = g->size;
    cap_gen_blob *keep_oldest = g;
    size_t i = n;
    while (i > 0) {
        if (size > G.cfg.flight_max_bytes || now - keep_oldest->min_time > G.cfg.flight_min_age_ns) break;
        i--;
        size += list[i]->size;
        keep_oldest = list[i];
    }
    /* list[i..n) are kept; free list[0..i) */
    for (size_t k = 0; k < i; k++) {
        free(list[k]->data);
        free(list[k]);
    }
    G.ring = i < n ? list[i] : g;
    if (i < n) list[n - 1]->next = g;
    free(list);
}

/*-************************************
 *  Advance
 **************************************/
gt_status cap_advance_locked(uint64_t next)
{
    uint64_t gen = atomic_load(&G.gen);
    if (!gen) return GT_ERR_STATE;
    uint32_t busy = cap_self_busy(2);
    uint32_t n = atomic_load_explicit(&G.nslots, memory_order_acquire);
    for (uint32_t i = 0; i < n; i++) {
        cap_thread *t = cap_slot(i);
        int st = atomic_load_explicit(&t->slot_state, memory_order_acquire);
        t->snap_live = st == CAP_SLOT_LIVE || st == CAP_SLOT_DEAD;
        if (t->snap_live) t->snap_g = atomic_load_explicit(&t->gword, memory_order_acquire);
    }
    if (next) {
        atomic_store_explicit(&G.str_next[next & 1], 1, memory_order_relaxed);
        atomic_store_explicit(&G.stk_next[next & 1], 1, memory_order_relaxed);
        atomic_store_explicit(&G.type_next[next & 1], 1, memory_order_relaxed);
    }
    atomic_store(&G.gen, next); /* the switch */
    cap_fence_writers();
    uint64_t gen_start = G.blob_min_time; /* when gen began, in ns (flight recorder ages) */
    G.blob_min_time = ticks_to_ns(cap_now());
    if (next && G.version >= 25) write_sync(next);

    /* Wait for every thread to leave generation gen, take its batches. */
    uint32_t n2 = atomic_load_explicit(&G.nslots, memory_order_acquire);
    for (uint32_t i = 0; i < n2; i++) {
        cap_thread *t = cap_slot(i);
        if (atomic_load_explicit(&t->slot_state, memory_order_acquire) == CAP_SLOT_FREE) continue;
        while (atomic_load(&t->writing) == 1) sched_yield();
        pthread_mutex_lock(&G.lock);
        for (unsigned e = 0; e < CAP_NEXP; e++) {
            if (t->buf[gen & 1][e]) cap_buf_push_locked(t->buf[gen & 1][e], gen);
            t->buf[gen & 1][e] = NULL;
        }
        if (t->strbuf[gen & 1]) cap_buf_push_locked(t->strbuf[gen & 1], gen);
        t->strbuf[gen & 1] = NULL;
        pthread_mutex_unlock(&G.lock);
    }

    uint64_t now = cap_now();
    agg own = {.gen = gen}, nothread = {.gen = gen};
    gt_batch nt = {0};
    /* The idle spare P, stated in every generation: Go's validator takes the
     * first generation holding an event as the trace's first, and statuses
     * seen for the first time in a later one are errors. Without it a trace
     * (or a flight-recorder window) starting with generations where no thread
     * recorded would fail. Go's own traces state their idle Ps likewise. */
    if (agg_begin(&nothread, &nt, GT_ENC_NO_THREAD, now, -1, 4096))
        gt_batch_event(&nt, EV_PROC_STATUS, now, (uint64_t[]){CAP_SPARE_P, PROC_IDLE}, 2);
    for (uint32_t i = 0; i < n; i++) {
        cap_thread *t = cap_slot(i);
        if (t->snap_live) quiet_statuses(t, gen, now, &own, &nothread, &nt);
    }
    if (nt.open) agg_end(&nothread, &nt);
    agg_flush(&own);
    agg_flush(&nothread);
    cap_stack_dump(gen, now);
    agg tail = {.gen = gen};
    if (G.cfg.flags & GT_CAP_ALLOCFREE) write_allocfree_info(&tail, now);
    if (G.version < 25) write_frequency(&tail);
    agg_flush(&tail);

    drain(gen);
    if (G.version >= 26) {
        static const uint8_t eog = GT_V2_END_OF_GENERATION;
        out_bytes(&eog, 1);
    }
    if (G.cfg.flags & GT_CAP_FLIGHT) ring_add(gen, gen_start);
    out_flush();
    atomic_fetch_add(&G.n_generations, 1);
    G.last_gen = gen;

    /* Exited threads: retire now (wakers holding the handle fail from here),
     * recycle one generation later (when no section can still hold it). */
    pthread_mutex_lock(&G.slot_lock);
    for (uint32_t i = 0; i < n2; i++) {
        cap_thread *t = cap_slot(i);
        int st = atomic_load_explicit(&t->slot_state, memory_order_acquire);
        if (st == CAP_SLOT_DEAD && atomic_load_explicit(&t->death_gen, memory_order_relaxed) <= gen) {
            atomic_store_explicit(&t->handle, 0, memory_order_release);
            t->retire_gen = gen + 1;
            atomic_store_explicit(&t->slot_state, CAP_SLOT_RETIRED, memory_order_release);
        } else if (st == CAP_SLOT_RETIRED && t->retire_gen <= gen) {
            atomic_fetch_add(&G.dead_events, atomic_load(&t->n_events));
            atomic_fetch_add(&G.dead_reentrant, atomic_load(&t->n_reentrant));
            atomic_fetch_add(&G.dead_memory, atomic_load(&t->n_memory));
            atomic_fetch_add(&G.dead_misuse, atomic_load(&t->n_misuse));
            atomic_fetch_add(&G.dead_clamped, atomic_load(&t->n_clamped));
            atomic_fetch_add(&G.dead_stacks_lost, atomic_load(&t->n_stacks_lost));
            atomic_store_explicit(&t->slot_state, CAP_SLOT_FREE, memory_order_release);
            G.free_slots[G.nfree++] = i;
        }
    }
    pthread_mutex_unlock(&G.slot_lock);
    cap_self_busy(busy);
    return G.out_failed ? GT_ERR_IO : GT_OK;
}

/*-************************************
 *  The writer thread
 **************************************/
static void *writer_main(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&G.adv_lock);
    uint64_t due = mono() + G.period_ns;
    while (!G.writer_stop) {
        uint64_t t = mono();
        if (t >= due) {
            cap_advance_locked(atomic_load(&G.gen) + 1);
            due = mono() + G.period_ns;
            /* Let stop(), snapshot() and advance() callers in between. */
            pthread_mutex_unlock(&G.adv_lock);
            sched_yield();
            pthread_mutex_lock(&G.adv_lock);
            continue;
        }
        if (!(G.cfg.flags & GT_CAP_FLIGHT)) {
            drain(atomic_load(&G.gen));
            out_flush();
        }
        uint64_t wake = due < t + 5000000 ? due : t + 5000000;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t abs = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + (wake - t);
        ts.tv_sec = (time_t)(abs / 1000000000u);
        ts.tv_nsec = (long)(abs % 1000000000u);
        pthread_cond_timedwait(&G.adv_cond, &G.adv_lock, &ts);
    }
    pthread_mutex_unlock(&G.adv_lock);
    return NULL;
}

/*-************************************
 *  Start, stop, advance, snapshot
 **************************************/
void gt_cap_config_init(gt_cap_config *c)
{
    memset(c, 0, sizeof *c);
    c->version = 26;
    c->fd = -1;
    c->period_ns = 1000000000u;
    c->max_memory = 256u << 20;
    c->flight_max_bytes = 10u << 20;
    c->flight_min_age_ns = 10000000000u;
    c->stack_depth = 32;
}

/* "100ms", "2s", "500us", "0" (back to back), or plain nanoseconds. */
static int parse_period(const char *s, uint64_t *ns)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return 0;
    uint64_t mul = 1;
    if (!strcmp(end, "s")) mul = 1000000000u;
    else if (!strcmp(end, "ms")) mul = 1000000u;
    else if (!strcmp(end, "us")) mul = 1000u;
    else if (strcmp(end, "ns") && *end) return 0;
    *ns = v * mul != 0 ? v * mul : 1;
    return 1;
}

static void cond_init_monotonic(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&G.adv_cond, &ca);
    pthread_condattr_destroy(&ca);
}

gt_status gt_cap_start(const gt_cap_config *c)
{
    if (!c) return GT_ERR_INVALID_ARGUMENT;
    unsigned version = c->version ? c->version : 26;
    if (version != 23 && version != 25 && version != 26) return GT_ERR_INVALID_ARGUMENT;
    if (c->unwind != GT_CAP_UNWIND_FP && c->unwind != GT_CAP_UNWIND_LIBUNWIND) return GT_ERR_INVALID_ARGUMENT;
    int outputs = (c->fd >= 0) + (c->path != NULL) + (c->write != NULL);
    bool flight = c->flags & GT_CAP_FLIGHT;
    if (flight ? outputs != 0 : outputs != 1) return GT_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&G.adv_lock);
    if (atomic_load(&G.running)) {
        pthread_mutex_unlock(&G.adv_lock);
        return GT_ERR_STATE;
    }
    if (G.forked) {
        cap_forked_child_reset();
        ring_free();
    }
    if (!cap_process_init()) {
        pthread_mutex_unlock(&G.adv_lock);
        return GT_ERR_NOMEM;
    }
    G.cfg = *c;
    G.cfg.version = version;
    G.version = version;
    G.pid = getpid();
    if (!G.cfg.max_memory) G.cfg.max_memory = 256u << 20;
    if (!G.cfg.flight_max_bytes) G.cfg.flight_max_bytes = 10u << 20;
    if (!G.cfg.flight_min_age_ns) G.cfg.flight_min_age_ns = 10000000000u;
    G.mem_limit = G.cfg.max_memory;
    G.period_ns = G.cfg.period_ns ? G.cfg.period_ns : 1000000000u;
    const char *env = getenv("GOTRACE_ADVANCE_PERIOD");
    if (env) parse_period(env, &G.period_ns);
    gt_cap_set_stack_depth(G.cfg.stack_depth);
    cap_unw_fn unw = NULL;
    if (c->unwind == GT_CAP_UNWIND_LIBUNWIND && !(unw = cap_unw_load())) {
        pthread_mutex_unlock(&G.adv_lock);
        return GT_ERR_UNAVAILABLE;
    }
    atomic_store_explicit(&G.unwind, unw, memory_order_relaxed);
    G.out_failed = 0;
    G.out_fd = -1;
    G.close_fd = 0;
    if (!flight) {
        if (c->path) {
            G.out_fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (G.out_fd < 0) {
                pthread_mutex_unlock(&G.adv_lock);
                return GT_ERR_IO;
            }
            G.close_fd = 1;
        } else if (c->fd >= 0) {
            G.out_fd = c->fd;
        }
        if (G.out_fd >= 0)
            gt_out_init_callback(&G.out, fd_write, (void *)(intptr_t)G.out_fd);
        else
            gt_out_init_callback(&G.out, c->write, c->write_user);
        if (!G.stage) G.stage = malloc(STAGE_SIZE);
        if (!G.stage) {
            if (G.close_fd) close(G.out_fd);
            pthread_mutex_unlock(&G.adv_lock);
            return GT_ERR_NOMEM;
        }
        gt_out_set_stage(&G.out, G.stage, STAGE_SIZE);
    }
    cap_clock_init(G.cfg.clock == GT_CAP_CLOCK_MONOTONIC ? 0 : G.cfg.clock == GT_CAP_CLOCK_TSC ? 2 : 1);
    G.last_mono = G.last_wall = 0;
    G.trace++;
    cap_threads_new_trace();
    uint64_t gen = G.last_gen + 1;
    G.first_gen = gen;
    atomic_store(&G.str_next[gen & 1], 1);
    atomic_store(&G.stk_next[gen & 1], 1);
    atomic_store(&G.type_next[gen & 1], 1);
    uint8_t hdr[GT_HEADER_SIZE];
    gt_header_write(hdr, sizeof hdr, version);
    if (!flight) out_bytes(hdr, sizeof hdr);
    G.blob_len = 0;
    G.blob_min_time = ticks_to_ns(cap_now());
    if (version >= 25) write_sync(gen);
    atomic_store(&G.gen, gen);
    atomic_store(&G.running, 1);
    G.writer_stop = 0;
    G.writer_started = 0;
    if (!(c->flags & GT_CAP_ON_DEMAND)) {
        cond_init_monotonic();
        G.writer_started = pthread_create(&G.writer, NULL, writer_main, NULL) == 0;
    }
    pthread_mutex_unlock(&G.adv_lock);
    return GT_OK;
}

gt_status gt_cap_stop(void)
{
    pthread_mutex_lock(&G.adv_lock);
    if (!atomic_load(&G.running) || G.forked) {
        pthread_mutex_unlock(&G.adv_lock);
        return GT_ERR_STATE;
    }
    G.writer_stop = 1;
    pthread_cond_broadcast(&G.adv_cond);
    int joined = G.writer_started;
    G.writer_started = 0;
    pthread_mutex_unlock(&G.adv_lock);
    if (joined) pthread_join(G.writer, NULL);
    pthread_mutex_lock(&G.adv_lock);
    gt_status s = GT_OK;
    if (atomic_load(&G.running)) {
        s = cap_advance_locked(0);
        out_flush();
        if (G.close_fd) close(G.out_fd);
        G.close_fd = 0;
        G.out_fd = -1;
        ring_free();
        atomic_store(&G.running, 0);
        if (G.out_failed) s = GT_ERR_IO;
    }
    pthread_mutex_unlock(&G.adv_lock);
    return s;
}

gt_status gt_cap_advance(void)
{
    pthread_mutex_lock(&G.adv_lock);
    gt_status s = GT_ERR_STATE;
    uint64_t gen = atomic_load(&G.gen);
    if (atomic_load(&G.running) && gen) s = cap_advance_locked(gen + 1);
    pthread_mutex_unlock(&G.adv_lock);
    return s;
}

int gt_cap_running(void) { return atomic_load(&G.running); }

gt_status gt_cap_snapshot(int fd, gt_write_fn write, void *user)
{
    if (fd < 0 && !write) return GT_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&G.adv_lock);
    uint64_t gen = atomic_load(&G.gen);
    if (!atomic_load(&G.running) || !gen || !(G.cfg.flags & GT_CAP_FLIGHT)) {
        pthread_mutex_unlock(&G.adv_lock);
        return GT_ERR_STATE;
    }
    cap_advance_locked(gen + 1);
    gt_write_fn fn = fd >= 0 ? fd_write : write;
    void *u = fd >= 0 ? (void *)(intptr_t)fd : user;
    uint8_t hdr[GT_HEADER_SIZE];
    gt_header_write(hdr, sizeof hdr, G.version);
    gt_status s = gt_write_all(fn, u, hdr, sizeof hdr, NULL);
    for (cap_gen_blob *g = G.ring; g && s == GT_OK; g = g->next) s = gt_write_all(fn, u, g->data, g->size, NULL);
    pthread_mutex_unlock(&G.adv_lock);
    return s;
}
