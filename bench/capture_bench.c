/* Cost of recording with the capture layer (make bench, bench/capture.sh):
 * ns per event for a log and for a region begin/end pair, from 1 and 2
 * threads, without a stack and with a 16-frame stack (the calls are made 16
 * frames deep), with the background writer streaming to /dev/null; events
 * per second and bytes per event from the library's counters; and the cost
 * of the same calls while not recording, and of one read of the clock (the
 * floor of any timed event); the 16-frame rows again with libunwind's walk.
 * Best of `runs`.
 *
 *   capture_bench [-n ops_per_thread] [-r runs] [-c clock: auto|tsc|mono] */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gotrace_capture.h"
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

static unsigned long n = 2000000;
static gt_cap_str *key, *name;

typedef struct job {
    int kind; /* 0 log, 1 region pair */
    int depth;
} job;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static __attribute__((noinline)) void loop(const job *j)
{
    static const char msg[] = "message";
    if (j->kind == 0) {
        for (unsigned long i = 0; i < n; i++) gt_cap_log(0, key, msg, sizeof msg - 1);
    } else {
        for (unsigned long i = 0; i < n; i++) {
            gt_cap_region_begin(0, name);
            gt_cap_region_end(0, name);
        }
    }
}

static __attribute__((noinline)) void deep(const job *j, int d)
{
    if (d > 0) {
        deep(j, d - 1);
        __asm__ volatile("" ::: "memory");
    } else {
        loop(j);
    }
}

static void *thread_main(void *arg)
{
    const job *j = arg;
    deep(j, j->depth);
    return NULL;
}

/* Seconds for `threads` threads to each run n ops. */
static double run(int threads, const job *j)
{
    pthread_t th[2];
    double t0 = now();
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, thread_main, (void *)(uintptr_t)j);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    return now() - t0;
}

static int devnull;
static const char *const kinds[] = {"log", "region begin+end"};

/* One row: best of `runs`; 1 when recording cannot start (libunwind missing). */
static int measure(int kind, int stack, int threads, gt_cap_unwind unwind, int runs, gt_cap_clock clock)
{
    double best = 1e9, bpe = 0;
    for (int r = 0; r < runs; r++) {
        gt_cap_config c;
        gt_cap_config_init(&c);
        c.fd = devnull;
        c.stack_depth = (unsigned)stack;
        c.clock = clock;
        c.unwind = unwind;
        c.flags = GT_CAP_NO_ATEXIT;
        if (gt_cap_start(&c) != GT_OK) {
            if (unwind == GT_CAP_UNWIND_LIBUNWIND) printf("(libunwind.so.8 not installed: no libunwind rows)\n");
            return 1;
        }
        job j = {kind, stack};
        gt_cap_stats a, b;
        gt_cap_get_stats(&a);
        double t = run(threads, &j);
        gt_cap_stop();
        gt_cap_get_stats(&b);
        if (t < best) best = t;
        bpe = (double)(b.bytes - a.bytes) / (double)(b.events - a.events);
    }
    double events = (double)n * (kind ? 2 : 1);
    char label[64];
    snprintf(label, sizeof label, "%s%s", kinds[kind], unwind == GT_CAP_UNWIND_LIBUNWIND ? " (libunwind)" : "");
    printf("%-28s %7d %5d %10.1f %12.0f %11.2f\n", label, threads, stack, best * 1e9 / events, events * threads / best, bpe);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 3, opt;
    gt_cap_clock clock = GT_CAP_CLOCK_AUTO;
    while ((opt = getopt(argc, argv, "n:r:c:")) != -1) {
        if (opt == 'n') n = strtoul(optarg, NULL, 10);
        if (opt == 'r') runs = atoi(optarg);
        if (opt == 'c') clock = !strcmp(optarg, "tsc") ? GT_CAP_CLOCK_TSC : !strcmp(optarg, "mono") ? GT_CAP_CLOCK_MONOTONIC : GT_CAP_CLOCK_AUTO;
    }
    key = gt_cap_string("bench");
    name = gt_cap_string("region");
    devnull = open("/dev/null", O_WRONLY);
    printf("%-28s %7s %5s %10s %12s %11s\n", "capture (C), per event", "threads", "stack", "ns/event", "events/s", "bytes/event");
    for (int kind = 0; kind < 2; kind++)
        for (int stack = 0; stack <= 16; stack += 16)
            for (int threads = 1; threads <= 2; threads++)
                if (measure(kind, stack, threads, GT_CAP_UNWIND_FP, runs, clock) != 0) return 1;
    /* The same 16-frame calls with libunwind's walk (DWARF CFI, no frame pointers needed). */
    for (int kind = 0; kind < 2; kind++)
        for (int threads = 1; threads <= 2; threads++)
            if (measure(kind, 16, threads, GT_CAP_UNWIND_LIBUNWIND, runs, clock) != 0) break;
    /* Not recording: what a disabled call costs. */
    for (int kind = 0; kind < 2; kind++) {
        job j = {kind, 0};
        double best = 1e9;
        for (int r = 0; r < runs; r++) {
            double t = run(1, &j);
            if (t < best) best = t;
        }
        printf("%-28s %7d %5s %10.1f   (not recording)\n", kinds[kind], 1, "-", best * 1e9 / ((double)n * (kind ? 2 : 1)));
    }
#if defined(__x86_64__) || defined(__i386__)
    /* The floor: every event reads the clock once (the TSC where invariant). */
    {
        double best = 1e9;
        volatile uint64_t sink = 0;
        for (int r = 0; r < runs; r++) {
            uint64_t acc = 0;
            double t0 = now();
            for (unsigned long i = 0; i < n; i++) acc += __rdtsc();
            double t = now() - t0;
            sink = acc;
            if (t < best) best = t;
        }
        (void)sink;
        printf("%-28s %7d %5s %10.1f   (the clock alone: rdtsc)\n", "clock read", 1, "-", best * 1e9 / (double)n);
    }
#endif
    close(devnull);
    return 0;
}
