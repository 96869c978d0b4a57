/* examples/capture-demo.c: a C program that records a Go execution trace.
 *
 *   build/examples/capture-demo trace.out     (make builds it; make demo runs it)
 *   go tool trace trace.out
 *
 * Eight threads: two producers make jobs (each a task) and queue them; four
 * workers take them (blocking on a condition variable when the queue is
 * empty, woken by the producer that fills it), run three regions per job,
 * contend on a mutex and append results to a file (system calls); a
 * reporter logs progress; main runs the show. Workers retire after a few
 * jobs and new ones start in their place, so threads end and are born
 * mid-run, and main completes a generation at each phase (at least 5).
 *
 * Build against the installed libraries:
 *   cc -fno-omit-frame-pointer capture-demo.c $(pkg-config --cflags --libs gotrace-capture) -pthread */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gotrace_capture.h"

#define NOINLINE __attribute__((noinline))
#define QCAP 8
#define PRODUCERS 2
#define WORKERS 4
#define JOBS_PER_PRODUCER 60
#define JOBS_PER_WORKER 12 /* then the worker retires and a new one takes its place */

typedef struct job {
    uint64_t task;
    int id;
} job;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    job q[QCAP];
    int head, len, closed;
    gt_cap_tid sleepers[16]; /* threads blocked in queue_pop, woken by queue_push */
    int nsleepers;
} queue = {.mu = PTHREAD_MUTEX_INITIALIZER, .nonempty = PTHREAD_COND_INITIALIZER, .nonfull = PTHREAD_COND_INITIALIZER};

static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;
static int out_fd = -1;
static volatile int done_jobs, reporter_stop, producers_left = PRODUCERS;
static gt_cap_str *s_job, *s_parse, *s_compute, *s_store, *s_cat, *s_progress, *s_retire;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    gt_cap_block(GT_CAP_WAIT_SLEEP);
    nanosleep(&ts, NULL);
    gt_cap_unblock();
}

/* A mutex whose waits appear in the trace (reason "sync"). */
static NOINLINE void traced_lock(pthread_mutex_t *m)
{
    if (pthread_mutex_trylock(m) == 0) return;
    gt_cap_block(GT_CAP_WAIT_MUTEX);
    pthread_mutex_lock(m);
    gt_cap_unblock();
}

static NOINLINE void queue_push(job j)
{
    traced_lock(&queue.mu);
    while (queue.len == QCAP) {
        gt_cap_block(GT_CAP_WAIT_SEND);
        pthread_cond_wait(&queue.nonfull, &queue.mu);
        gt_cap_unblock();
    }
    queue.q[(queue.head + queue.len++) % QCAP] = j;
    if (queue.nsleepers) gt_cap_wake(queue.sleepers[--queue.nsleepers]); /* who woke whom */
    pthread_cond_signal(&queue.nonempty);
    pthread_mutex_unlock(&queue.mu);
}

static NOINLINE int queue_pop(job *j)
{
    traced_lock(&queue.mu);
    while (queue.len == 0 && !queue.closed) {
        queue.sleepers[queue.nsleepers++] = gt_cap_self();
        gt_cap_block(GT_CAP_WAIT_COND);
        pthread_cond_wait(&queue.nonempty, &queue.mu);
        gt_cap_unblock();
        for (int i = 0; i < queue.nsleepers; i++) { /* still listed if woken by close or spuriously */
            if (queue.sleepers[i] == gt_cap_self()) queue.sleepers[i] = queue.sleepers[--queue.nsleepers];
        }
    }
    int ok = queue.len > 0;
    if (ok) {
        *j = queue.q[queue.head];
        queue.head = (queue.head + 1) % QCAP;
        queue.len--;
        pthread_cond_signal(&queue.nonfull);
    }
    pthread_mutex_unlock(&queue.mu);
    return ok;
}

/* The last producer closes the queue: workers drain it, then leave. */
static NOINLINE void queue_close(void)
{
    traced_lock(&queue.mu);
    queue.closed = 1;
    while (queue.nsleepers) gt_cap_wake(queue.sleepers[--queue.nsleepers]);
    pthread_cond_broadcast(&queue.nonempty);
    pthread_mutex_unlock(&queue.mu);
}

static NOINLINE uint64_t parse_job(const job *j)
{
    uint64_t h = 1469598103934665603u;
    for (int i = 0; i < 2000; i++) h = (h ^ (uint64_t)(j->id + i)) * 1099511628211u;
    return h;
}

static NOINLINE uint64_t compute_job(uint64_t h)
{
    for (int i = 0; i < 20000; i++) h = h * 6364136223846793005u + 1442695040888963407u;
    return h;
}

static NOINLINE void store_result(const job *j, uint64_t v)
{
    char line[64];
    int n = snprintf(line, sizeof line, "job %d %016llx\n", j->id, (unsigned long long)v);
    traced_lock(&store_mu);
    gt_cap_syscall_begin();
    if (write(out_fd, line, (size_t)n) != n) perror("write");
    fdatasync(out_fd);
    gt_cap_syscall_end();
    pthread_mutex_unlock(&store_mu);
}

static NOINLINE void process_job(const job *j)
{
    gt_cap_region_begin(j->task, s_parse);
    uint64_t h = parse_job(j);
    gt_cap_region_end(j->task, s_parse);
    gt_cap_region_begin(j->task, s_compute);
    h = compute_job(h);
    sleep_ms(8); /* as if waiting on something slow */
    gt_cap_region_end(j->task, s_compute);
    gt_cap_region_begin(j->task, s_store);
    store_result(j, h);
    gt_cap_region_end(j->task, s_store);
    gt_cap_logf(j->task, s_cat, "job %d done: %016llx", j->id, (unsigned long long)h);
    gt_cap_task_end(j->task);
    __atomic_add_fetch(&done_jobs, 1, __ATOMIC_RELAXED);
}

static NOINLINE void *worker_main(void *arg)
{
    int n = 0;
    job j;
    while (n < JOBS_PER_WORKER && queue_pop(&j)) {
        process_job(&j);
        n++;
    }
    gt_cap_logf(0, s_retire, "worker %d retires after %d jobs", (int)(intptr_t)arg, n);
    return NULL; /* the thread's exit ends its goroutine in the trace */
}

static NOINLINE void *producer_main(void *arg)
{
    int base = (int)(intptr_t)arg * 1000;
    for (int i = 0; i < JOBS_PER_PRODUCER; i++) {
        job j = {.task = gt_cap_task_begin(0, s_job), .id = base + i};
        gt_cap_logf(j.task, s_cat, "queued job %d", j.id);
        queue_push(j);
        if (i % 8 == 7) sleep_ms(3);
    }
    if (__atomic_sub_fetch(&producers_left, 1, __ATOMIC_ACQ_REL) == 0) queue_close();
    return NULL;
}

static NOINLINE void *reporter_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&reporter_stop, __ATOMIC_RELAXED)) {
        gt_cap_logf(0, s_progress, "%d jobs done", __atomic_load_n(&done_jobs, __ATOMIC_RELAXED));
        sleep_ms(20);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRACE_OUT\n", argv[0]);
        return 2;
    }
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = argv[1];
    c.period_ns = 100000000; /* a generation every 100 ms, and one per phase below */
    if (gt_cap_start(&c) != GT_OK) {
        fprintf(stderr, "cannot start the capture to %s\n", argv[1]);
        return 1;
    }
    s_job = gt_cap_string("job");
    s_parse = gt_cap_string("parse");
    s_compute = gt_cap_string("compute");
    s_store = gt_cap_string("store");
    s_cat = gt_cap_string("jobs");
    s_progress = gt_cap_string("progress");
    s_retire = gt_cap_string("workers");

    char path[] = "/tmp/capture-demo-XXXXXX";
    out_fd = mkstemp(path);
    if (out_fd < 0) {
        perror("mkstemp");
        return 1;
    }
    unlink(path);

    pthread_t prod[PRODUCERS], work[64], rep;
    int nwork = 0, retired = 0;
    pthread_create(&rep, NULL, reporter_main, NULL);
    for (int i = 0; i < WORKERS; i++) pthread_create(&work[nwork], NULL, worker_main, (void *)(intptr_t)nwork), nwork++;
    for (int i = 0; i < PRODUCERS; i++) pthread_create(&prod[i], NULL, producer_main, (void *)(intptr_t)(i + 1));
    sleep_ms(30);
    gt_cap_advance(); /* everyone is running: end the first generation here */

    /* Phases: each time the four oldest workers have retired, start four
     * more (while there is work) and complete a generation. */
    while (retired < nwork) {
        for (int k = 0; k < WORKERS; k++) pthread_join(work[retired + k], NULL);
        retired += WORKERS;
        gt_cap_advance();
        traced_lock(&queue.mu);
        int more = !queue.closed || queue.len > 0;
        pthread_mutex_unlock(&queue.mu);
        if (more && nwork + WORKERS <= 64)
            for (int k = 0; k < WORKERS; k++)
                pthread_create(&work[nwork], NULL, worker_main, (void *)(intptr_t)nwork), nwork++;
        gt_cap_logf(0, s_retire, "phase: %d workers started, %d retired", nwork, retired);
    }
    for (int i = 0; i < PRODUCERS; i++) pthread_join(prod[i], NULL);
    __atomic_store_n(&reporter_stop, 1, __ATOMIC_RELAXED);
    pthread_join(rep, NULL);
    close(out_fd);

    gt_cap_stats st;
    gt_cap_get_stats(&st);
    gt_status s = gt_cap_stop();
    gt_cap_stats end;
    gt_cap_get_stats(&end);
    printf("%s: %d jobs by %d worker threads, %llu events, %llu generations, %llu bytes, %llu dropped\n", argv[1],
           done_jobs, nwork, (unsigned long long)end.events, (unsigned long long)end.generations,
           (unsigned long long)end.bytes,
           (unsigned long long)(end.dropped_memory + end.dropped_misuse + end.dropped_reentrant));
    return s == GT_OK ? 0 : 1;
}
