/* Stress driver for the capture layer (tests/scripts/t_capture_stress.sh,
 * t_capture_flight.sh): S streams of N logged events each, every stream
 * carried by L threads in turn (a thread exits after its share and a new one
 * is born), with regions, self-unblocked and cross-thread wake-ups, syscalls
 * and tasks mixed in, while the writer advances generations back to back.
 *
 * Each log carries task = (stream + 1) << 40 | sequence; after gt_cap_stop() the
 * trace is read back with libgotrace and every stream must hold each
 * sequence number exactly once (no loss, no duplicate).
 *
 *   cap_stress [-t streams] [-n events] [-l lives] [-s stack_depth] [-v 26|23]
 *              [-p period_ns] [-u] -o trace     check the counts (-u: stacks
 *                                               walked by libunwind)
 *   cap_stress ... -F dir [-k snapshots]        flight recorder: snapshots at
 *              random moments to dir/snap-K.trace (validated by the script) */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "capcheck.h"
#include "gotrace_capture.h"

static unsigned streams = 16, lives = 4, depth = 2, version = 26;
static int use_libunwind;
static uint64_t events = 1000000, period = 1;
static gt_cap_str *key, *region, *task_name;
static _Atomic gt_cap_tid current[64];
static _Atomic int running_streams;
/* Flight-recorder mode: the streams go on living (their lives repeated)
 * until every snapshot is taken, so each one falls in the middle of the
 * stress however slow the machine (a TSan build on a loaded machine took
 * only a few before the streams ended). Nothing is counted in that mode. */
static _Atomic int snapshots_pending;

typedef struct life {
    unsigned stream;
    uint64_t from, to;
    unsigned seed;
} life;

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

static void *life_main(void *arg)
{
    life *l = arg;
    atomic_store(&current[l->stream], gt_cap_self());
    uint64_t task = gt_cap_task_begin(0, task_name);
    for (uint64_t i = l->from; i < l->to; i++) {
        gt_cap_log((uint64_t)(l->stream + 1) << 40 | i, key, NULL, 0);
        unsigned r = rnd(&l->seed) % 1024;
        if (r < 16) {
            gt_cap_region_begin(task, region);
            gt_cap_region_end(task, region);
        } else if (r < 20) {
            gt_cap_block(GT_CAP_WAIT_COND);
            sched_yield();
            gt_cap_unblock(); /* a waker may have beaten us to it */
        } else if (r < 24) {
            gt_cap_wake(atomic_load(&current[rnd(&l->seed) % streams]));
        } else if (r < 26) {
            gt_cap_syscall_begin();
            gt_cap_syscall_end();
        }
    }
    gt_cap_task_end(task);
    return NULL;
}

static void *stream_main(void *arg)
{
    unsigned s = (unsigned)(uintptr_t)arg;
    for (unsigned k = 0; k < lives || atomic_load(&snapshots_pending); k++) {
        unsigned j = k % lives;
        life l = {s, events * j / lives, events * (j + 1) / lives, s * 7919u + k};
        pthread_t th;
        pthread_create(&th, NULL, life_main, &l);
        pthread_join(th, NULL); /* the life ended: its G is destroyed; the next one is born */
    }
    atomic_fetch_sub(&running_streams, 1);
    return NULL;
}

/* Counting the logs read back. */
typedef struct counts {
    uint8_t **seen; /* bitmap per stream */
    uint64_t dup, bad, logs;
} counts;

static void count_log(void *user, const gt_event *ev)
{
    counts *c = user;
    if (ev->type != 44 /* UserLog */) return;
    uint64_t task = ev->args[1];
    unsigned s = (unsigned)(task >> 40) - 1;
    uint64_t i = task & ((1ull << 40) - 1);
    if (task >> 40 == 0) return; /* not one of ours */
    if (s >= streams || i >= events) {
        c->bad++;
        return;
    }
    if (c->seen[s][i / 8] & (1u << (i % 8))) c->dup++;
    c->seen[s][i / 8] |= (uint8_t)(1u << (i % 8));
    c->logs++;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *flight_dir = NULL;
    unsigned snapshots = 8;
    int opt;
    while ((opt = getopt(argc, argv, "t:n:l:s:v:p:o:F:k:u")) != -1) {
        switch (opt) {
        case 't': streams = (unsigned)atoi(optarg); break;
        case 'n': events = strtoull(optarg, NULL, 10); break;
        case 'l': lives = (unsigned)atoi(optarg); break;
        case 's': depth = (unsigned)atoi(optarg); break;
        case 'v': version = (unsigned)atoi(optarg); break;
        case 'p': period = strtoull(optarg, NULL, 10); break;
        case 'o': out = optarg; break;
        case 'F': flight_dir = optarg; break;
        case 'k': snapshots = (unsigned)atoi(optarg); break;
        case 'u': use_libunwind = 1; break;
        default: fprintf(stderr, "usage: see the header of tests/capture/cap_stress.c\n"); return 2;
        }
    }
    if ((!out && !flight_dir) || streams == 0 || streams > 64 || lives == 0) return 2;
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.version = version;
    c.period_ns = period;
    c.stack_depth = depth;
    if (use_libunwind) c.unwind = GT_CAP_UNWIND_LIBUNWIND;
    c.max_memory = 1u << 30;
    if (flight_dir) {
        c.flags |= GT_CAP_FLIGHT;
        c.flight_max_bytes = 4u << 20;
        c.flight_min_age_ns = 50000000;
    } else {
        c.path = out;
    }
    CHECK(gt_cap_start(&c) == GT_OK);
    key = gt_cap_string("stress");
    region = gt_cap_string("region");
    task_name = gt_cap_string("life");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th[64];
    atomic_store(&running_streams, (int)streams);
    atomic_store(&snapshots_pending, flight_dir != NULL);
    for (unsigned s = 0; s < streams; s++) pthread_create(&th[s], NULL, stream_main, (void *)(uintptr_t)s);
    unsigned taken = 0, seed = 12345;
    if (flight_dir) {
        /* Snapshots at random moments while the streams run (and one after). */
        while (taken < snapshots) {
            usleep(1000 + rnd(&seed) % 20000);
            char path[4096];
            snprintf(path, sizeof path, "%s/snap-%u.trace", flight_dir, taken++);
            FILE *f = fopen(path, "wb");
            CHECK(f);
            CHECK(gt_cap_snapshot(fileno(f), NULL, NULL) == GT_OK);
            fclose(f);
        }
        atomic_store(&snapshots_pending, 0);
    }
    for (unsigned s = 0; s < streams; s++) pthread_join(th[s], NULL);
    if (flight_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/snap-%u.trace", flight_dir, taken++);
        FILE *f = fopen(path, "wb");
        CHECK(f);
        CHECK(gt_cap_snapshot(fileno(f), NULL, NULL) == GT_OK);
        fclose(f);
    }
    gt_cap_stats st;
    CHECK(gt_cap_stop() == GT_OK);
    gt_cap_get_stats(&st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("recorded: %u streams x %llu events in %u lives each, %.2f s, %llu events, %llu generations, %llu bytes, "
           "dropped memory %llu reentrant %llu misuse %llu, stacks lost %llu\n",
           streams, (unsigned long long)events, lives, secs, (unsigned long long)st.events,
           (unsigned long long)st.generations, (unsigned long long)st.bytes, (unsigned long long)st.dropped_memory,
           (unsigned long long)st.dropped_reentrant, (unsigned long long)st.dropped_misuse,
           (unsigned long long)st.stacks_lost);
    if (flight_dir) {
        printf("flight recorder: %u snapshots in %s\n", taken, flight_dir);
        return 0;
    }
    CHECK(st.dropped_memory == 0 && st.dropped_reentrant == 0);
    counts cn = {0};
    cn.seen = calloc(streams, sizeof *cn.seen);
    for (unsigned s = 0; s < streams; s++) cn.seen[s] = calloc(events / 8 + 1, 1);
    capcheck cc;
    if (capcheck_file(out, &cc, count_log, &cn) != 0) return 1;
    uint64_t missing = 0;
    for (unsigned s = 0; s < streams; s++)
        for (uint64_t i = 0; i < events; i++)
            if (!(cn.seen[s][i / 8] & (1u << (i % 8)))) missing++;
    printf("decoded: %llu logs of %llu expected, %llu missing, %llu duplicate, %llu foreign; %llu events, %llu "
           "generations, %llu batches\n",
           (unsigned long long)cn.logs, (unsigned long long)(streams * events), (unsigned long long)missing,
           (unsigned long long)cn.dup, (unsigned long long)cn.bad, (unsigned long long)cc.events,
           (unsigned long long)cc.generations, (unsigned long long)cc.batches);
    return missing || cn.dup || cn.bad || cn.logs != streams * events ? 1 : 0;
}
