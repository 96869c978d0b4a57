/* The capture layer's behaviour, one scenario per trace: the mapping
 * (birth, statuses, exit), annotations, blocking and wake-ups across
 * generations, the go 1.23 form, AllocFree, and bad use (events after stop,
 * unbalanced ends, over-long strings, a signal handler interrupting a write,
 * fork, thread-ID reuse, the memory cap, restart). Every trace is read back
 * with libgotrace (full validation) and its counts checked;
 * tests/scripts/t_capture_traces.sh also runs Go's validators on them.
 *
 *   test_capture_unit [DIR]   traces are kept in DIR (default: a temporary
 *                             directory, removed at the end) */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cap.h"
#include "capcheck.h"

static char dir[4096];
static int keep;
static char path[4096 + 64];

static const char *trace_path(const char *name)
{
    snprintf(path, sizeof path, "%s/%s.trace", dir, name);
    return path;
}

static void start(const char *name, unsigned version, unsigned flags)
{
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = trace_path(name);
    c.version = version;
    c.flags = flags | GT_CAP_ON_DEMAND;
    CHECK(gt_cap_start(&c) == GT_OK);
}

static capcheck stop_and_read(void)
{
    char p[sizeof path];
    memcpy(p, path, sizeof p);
    CHECK(gt_cap_stop() == GT_OK);
    capcheck cc;
    CHECK(capcheck_file(p, &cc, NULL, NULL) == 0);
    return cc;
}

static gt_cap_stats stats(void)
{
    gt_cap_stats s;
    gt_cap_get_stats(&s);
    return s;
}

enum { EV_LOG = 44, EV_TASK_BEGIN = 40, EV_TASK_END = 41, EV_REGION_BEGIN = 42, EV_REGION_END = 43 };

/*-************************************
 *  Scenarios
 **************************************/
static void *annotate(void *arg)
{
    gt_cap_str *job = gt_cap_string("job"), *step = gt_cap_string("step");
    uint64_t t = gt_cap_task_begin(0, job);
    gt_cap_region_begin(t, step);
    gt_cap_log(t, step, "hello", 5);
    gt_cap_logf(t, NULL, "n=%d", (int)(intptr_t)arg);
    gt_cap_region_end(t, step);
    gt_cap_task_end(t);
    return NULL;
}

static void test_annotations(unsigned version)
{
    char name[32];
    snprintf(name, sizeof name, "annotations-go1%u", version);
    start(name, version, 0);
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        pthread_create(&th[i], NULL, annotate, (void *)(intptr_t)i);
        pthread_join(th[i], NULL);
        gt_cap_advance(); /* a thread per generation: born in later generations */
    }
    annotate(NULL);
    capcheck cc = stop_and_read();
    CHECK(cc.version == version);
    CHECK(cc.by_type[EV_TASK_BEGIN] == 4 && cc.by_type[EV_TASK_END] == 4);
    CHECK(cc.by_type[EV_REGION_BEGIN] == 4 && cc.by_type[EV_REGION_END] == 4);
    CHECK(cc.by_type[EV_LOG] == 8);
    CHECK(cc.by_type[15] == 4); /* GoCreateSyscall: four births */
    CHECK(cc.by_type[17] == 3); /* GoDestroy: three exits */
    CHECK(cc.generations == 4);
    CHECK(cc.stacks > 0);
}

/* A sleeper woken by another thread across generations: statuses written by
 * the waker and by the advancer. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static _Atomic gt_cap_tid sleeper;
static _Atomic int in_syscall, syscall_done;
static int go_on;
static void *sleeper_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    atomic_store(&sleeper, gt_cap_self());
    gt_cap_log(0, NULL, "about to sleep", 14);
    while (!go_on) {
        gt_cap_block(GT_CAP_WAIT_COND);
        pthread_cond_wait(&cv, &mu);
        gt_cap_unblock();
    }
    pthread_mutex_unlock(&mu);
    gt_cap_syscall_begin();
    usleep(100);
    gt_cap_advance(); /* a generation ends while this thread is in a syscall */
    atomic_store(&in_syscall, 1);
    while (!atomic_load(&syscall_done)) usleep(100); /* quiet in a syscall for whole generations */
    gt_cap_syscall_end();
    atomic_store(&in_syscall, 2);
    while (atomic_load(&syscall_done) != 2) usleep(100); /* quiet and running for whole generations */
    gt_cap_log(0, NULL, "done", 4);
    return NULL;
}

static void test_wakeups(void)
{
    start("wakeups", 26, 0);
    pthread_t th;
    pthread_create(&th, NULL, sleeper_main, NULL);
    while (!atomic_load(&sleeper)) usleep(100);
    usleep(2000);
    gt_cap_advance(); /* the sleeper is quiet here: the advancer states it */
    gt_cap_advance();
    pthread_mutex_lock(&mu);
    go_on = 1;
    gt_cap_wake(atomic_load(&sleeper)); /* first event about it in this generation: waker states it */
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    while (atomic_load(&in_syscall) != 1) usleep(100);
    gt_cap_advance(); /* the advancer states it in a syscall, in a batch of its M */
    gt_cap_advance();
    atomic_store(&syscall_done, 1);
    while (atomic_load(&in_syscall) != 2) usleep(100);
    gt_cap_advance(); /* ... and running */
    gt_cap_advance();
    atomic_store(&syscall_done, 2);
    pthread_join(th, NULL);
    gt_cap_wake(atomic_load(&sleeper)); /* gone: nothing happens */
    capcheck cc = stop_and_read();
    CHECK(cc.by_type[21] >= 1); /* GoUnblock */
    CHECK(cc.by_type[22] == 1 && cc.by_type[23] == 1); /* syscall begin/end */
    CHECK(cc.generations >= 8);
}

/* Bad use: every case dropped or clamped, counted, and the trace valid. */
static void test_misuse(void)
{
    gt_cap_stats before = stats();
    gt_cap_log(0, NULL, "before start", 12); /* not recording */
    start("misuse", 26, 0);
    gt_cap_str *a = gt_cap_string("a"), *b = gt_cap_string("b");
    gt_cap_region_end(0, a);  /* no region open */
    gt_cap_region_begin(0, a);
    gt_cap_region_end(0, b);  /* not the innermost */
    gt_cap_region_end(0, a);
    gt_cap_task_end(0);       /* no such task */
    gt_cap_task_end(1u << 30);
    gt_cap_unblock();         /* not blocked */
    gt_cap_syscall_end();     /* not in a syscall */
    gt_cap_wake(12345);       /* nobody */
    for (int i = 0; i < 70; i++) gt_cap_region_begin(0, a); /* deeper than kept: ends match */
    for (int i = 0; i < 70; i++) gt_cap_region_end(0, a);
    char big[3000];
    memset(big, 'x', sizeof big);
    gt_cap_log(0, a, big, sizeof big); /* cut to 1024 bytes */
    gt_cap_str *long_name = gt_cap_string_n(big, sizeof big);
    gt_cap_region_begin(0, long_name);
    gt_cap_region_end(0, long_name);
    gt_cap_block(GT_CAP_WAIT_MUTEX);
    gt_cap_block(GT_CAP_WAIT_MUTEX); /* already blocked */
    gt_cap_log(0, a, "while blocked", 13);
    gt_cap_unblock();
    gt_cap_syscall_begin();
    gt_cap_block(GT_CAP_WAIT_MUTEX); /* in a syscall */
    gt_cap_syscall_end();
    gt_cap_stats mid = stats();
    capcheck cc = stop_and_read();
    gt_cap_log(0, a, "after stop", 10);
    gt_cap_region_begin(0, a);
    gt_cap_stats after = stats();
    CHECK(after.dropped_off >= before.dropped_off + 3);
    CHECK(mid.dropped_misuse >= before.dropped_misuse + 12);
    CHECK(mid.clamped >= before.clamped + 1);
    CHECK(cc.by_type[EV_REGION_BEGIN] == 66 && cc.by_type[EV_REGION_END] == 66);
    CHECK(cc.by_type[EV_LOG] == 1);
    CHECK(gt_cap_stop() == GT_ERR_STATE);
    CHECK(gt_cap_advance() == GT_ERR_STATE);
    gt_cap_config c;
    gt_cap_config_init(&c);
    CHECK(gt_cap_start(&c) == GT_ERR_INVALID_ARGUMENT); /* no output */
    c.path = "/nonexistent-dir/x.trace";
    CHECK(gt_cap_start(&c) == GT_ERR_IO);
    c.path = trace_path("unused");
    c.version = 24;
    CHECK(gt_cap_start(&c) == GT_ERR_INVALID_ARGUMENT);
}

/* A signal handler that records on the thread it interrupts: when it lands
 * inside a write section it is dropped and counted, never corrupts it. */
static _Atomic int stop_logging;
static void on_signal(int sig)
{
    (void)sig;
    gt_cap_log(0, NULL, "from the handler", 16);
}
static void *signalled(void *arg)
{
    (void)arg;
    gt_cap_str *k = gt_cap_string("loop");
    while (!atomic_load(&stop_logging)) gt_cap_log(0, k, "x", 1);
    return NULL;
}

static void test_signals(void)
{
    start("signals", 26, 0);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t th;
    pthread_create(&th, NULL, signalled, NULL);
    gt_cap_stats before = stats();
    for (int i = 0; i < 20000 && stats().dropped_reentrant == before.dropped_reentrant; i++) {
        pthread_kill(th, SIGUSR1);
        if (i % 100 == 99) gt_cap_advance();
    }
    for (int i = 0; i < 2000; i++) pthread_kill(th, SIGUSR1);
    atomic_store(&stop_logging, 1);
    pthread_join(th, NULL);
    gt_cap_stats after = stats();
    capcheck cc = stop_and_read();
    CHECK(after.dropped_reentrant > before.dropped_reentrant);
    CHECK(cc.by_type[EV_LOG] > 0);
    signal(SIGUSR1, SIG_DFL);
}

/* fork: the child records nothing and writes nothing until it starts a
 * trace of its own (its own M IDs, nothing of the parent's in it); the
 * parent's trace stays whole. */
static void *child_thread_log(void *arg)
{
    gt_cap_log(0, arg, "child thread", 12);
    return NULL;
}

typedef struct mset {
    uint64_t m[8];
    unsigned n;
} mset;

static void collect_m(void *user, const gt_event *ev)
{
    mset *s = user;
    if (ev->m == GT_NONE) return; /* the batches of no M */
    for (unsigned i = 0; i < s->n; i++)
        if (s->m[i] == ev->m) return;
    if (s->n < 8) s->m[s->n++] = ev->m;
}

static int fork_child(gt_cap_str *k, uint64_t parent_tid)
{
    gt_cap_stats s0 = stats();
    gt_cap_log(0, k, "child before", 12); /* dropped: the child records nothing yet */
    if (stats().dropped_off != s0.dropped_off + 1) return 1;
    if (gt_cap_stop() != GT_ERR_STATE || gt_cap_running()) return 10;
    char child_path[sizeof path];
    memcpy(child_path, trace_path("fork-child"), sizeof child_path);
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = child_path; /* with the background writer: the child starts its own */
    if (gt_cap_start(&c) != GT_OK || gt_cap_start(&c) != GT_ERR_STATE) return 2;
    gt_cap_log(0, k, "child", 5);
    pthread_t th;
    if (pthread_create(&th, NULL, child_thread_log, k) != 0) return 3;
    pthread_join(th, NULL);
    gt_cap_advance();
    gt_cap_log(0, k, "child again", 11);
    if (gt_cap_stop() != GT_OK) return 4;
    capcheck cc;
    mset ms = {.n = 0};
    if (capcheck_file(child_path, &cc, collect_m, &ms) != 0) return 5;
    if (cc.by_type[EV_LOG] != 3) return 6;
    /* Only the child's own two threads: neither has the parent's M ID. */
    if (ms.n != 2) return 8;
    for (unsigned i = 0; i < ms.n; i++)
        if (ms.m[i] == parent_tid) return 9;
    return 0;
}

/* A parent thread logging while the other one forks: its half-filled
 * buffers are in the child's memory too. */
static atomic_int spin_stop;
static void *spin_log(void *arg)
{
    uintptr_t n = 0;
    while (!atomic_load(&spin_stop)) {
        gt_cap_log(0, arg, "spin", 4);
        n++;
    }
    return (void *)n;
}

static void test_fork(void)
{
    start("fork", 26, 0);
    gt_cap_str *k = gt_cap_string("fork");
    gt_cap_log(0, k, "parent before", 13);
    atomic_store(&spin_stop, 0);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, spin_log, k) == 0);
    while (stats().events < 1000) sched_yield();
    uint64_t tid = (uint64_t)syscall(SYS_gettid);
    pid_t pid = fork();
    if (pid == 0) exit(fork_child(k, tid)); /* atexit must not touch the parent's file either */
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "fork child: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    atomic_store(&spin_stop, 1);
    void *spins;
    pthread_join(th, &spins);
    gt_cap_log(0, k, "parent after", 12);
    gt_cap_advance();
    gt_cap_stats s = stats();
    capcheck cc = stop_and_read();
    CHECK(s.dropped_memory == 0);
    CHECK(cc.by_type[EV_LOG] == 2 + (uintptr_t)spins);
}

/* Stack bounds (found from /proc/self/maps with read(2), so that a thread's
 * first call may come from a signal handler): the same as glibc's
 * pthread_getattr_np, for the initial thread and for another; errno kept. */
static void *check_bounds(void *arg)
{
    uintptr_t lo, hi;
    errno = 1234;
    cap_stack_bounds(&lo, &hi);
    CHECK(errno == 1234);
    pthread_attr_t a;
    void *addr = NULL;
    size_t size = 0;
    CHECK(pthread_getattr_np(pthread_self(), &a) == 0 && pthread_attr_getstack(&a, &addr, &size) == 0);
    pthread_attr_destroy(&a);
    /* The initial thread: glibc ends the stack at the page above
     * __libc_stack_end, below argv and the environment, which are in the same
     * mapping; ours ends with the mapping. Other threads: the same range. */
    uintptr_t top = (uintptr_t)addr + size;
    CHECK(lo == (uintptr_t)addr);
    if (arg) CHECK(hi == top);
    else CHECK(hi >= top && hi - top <= (4u << 20));
    CHECK(lo < (uintptr_t)&lo && (uintptr_t)&lo < hi);
    return NULL;
}

static void test_stack_bounds(void)
{
    check_bounds(NULL);
    static int other_thread;
    pthread_t th;
    CHECK(pthread_create(&th, NULL, check_bounds, &other_thread) == 0);
    pthread_join(th, NULL);
}

/* Many distinct stacks in one generation on one thread: 2^15 paths through
 * two recursive functions. The thread's stack table grows (no stack lost);
 * under a small max_memory it cannot, and stacks are lost, counted. */
static volatile unsigned deep_sink;
static gt_cap_str *deep_key;
static __attribute__((noinline)) void deep_b(unsigned level, unsigned bits);
static __attribute__((noinline)) void deep_a(unsigned level, unsigned bits)
{
    if (level == 0) gt_cap_log(0, deep_key, "a", 1);
    else if (bits & 1) deep_a(level - 1, bits >> 1);
    else deep_b(level - 1, bits >> 1);
    deep_sink += 1; /* no tail call: this frame stays on the stack */
}
static __attribute__((noinline)) void deep_b(unsigned level, unsigned bits)
{
    if (level == 0) gt_cap_log(0, deep_key, "b", 1);
    else if (bits & 1) deep_a(level - 1, bits >> 1);
    else deep_b(level - 1, bits >> 1);
    deep_sink += 2;
}

static void test_many_stacks(void)
{
    enum { LEVELS = 15, PATHS = 1 << LEVELS };
    deep_key = gt_cap_string("deep");
    gt_cap_config c;
    gt_cap_config_init(&c);
    for (int capped = 0; capped < 2; capped++) {
        c.path = trace_path(capped ? "many-stacks-capped" : "many-stacks");
        c.flags = GT_CAP_ON_DEMAND;
        c.max_memory = capped ? 1u << 20 : 0;
        CHECK(gt_cap_start(&c) == GT_OK);
        gt_cap_stats before = stats();
        for (unsigned i = 0; i < PATHS; i++) deep_a(LEVELS, i);
        for (unsigned i = 0; i < PATHS; i += 7) deep_a(LEVELS, i); /* again: the same IDs */
        gt_cap_stats after = stats();
        capcheck cc = stop_and_read();
        CHECK(cc.by_type[EV_LOG] == PATHS + (PATHS + 6) / 7);
        if (!capped) {
            CHECK(after.stacks_lost == before.stacks_lost);
            CHECK(cc.stacks >= PATHS);
        } else {
            CHECK(after.stacks_lost > before.stacks_lost);
            CHECK(cc.stacks < PATHS);
        }
    }
}

/* Thread-ID reuse: two threads with the same M ID, one after the other, in
 * the same generation and across one. */
static void *one_log(void *arg)
{
    gt_cap_log(0, NULL, "m", 1);
    if (arg) gt_cap_thread_exit();
    gt_cap_log(0, NULL, "after exit", 10); /* dropped after gt_cap_thread_exit() */
    return NULL;
}

static void test_tid_reuse(void)
{
    start("tid-reuse", 26, 0);
    for (int i = 0; i < 4; i++) {
        atomic_store(&gt_cap_test_next_mid, 424242);
        pthread_t th;
        pthread_create(&th, NULL, one_log, (void *)(intptr_t)(i & 1));
        pthread_join(th, NULL);
        if (i == 1) gt_cap_advance();
    }
    capcheck cc = stop_and_read();
    CHECK(cc.by_type[EV_LOG] == 6); /* two threads log twice, two exit early */
    CHECK(cc.by_type[15] == 4 && cc.by_type[17] == 4);
}

/* The memory cap: events beyond it are dropped and counted. */
static void *flood(void *arg)
{
    gt_cap_str *r = gt_cap_string("r");
    for (int i = 0; i < 200000; i++) {
        gt_cap_log(0, NULL, "flood flood flood flood", 23);
        if (i % 3 == 0) { /* multi-event operations: never cut halfway by the cap */
            gt_cap_block(GT_CAP_WAIT_MUTEX);
            gt_cap_unblock();
            gt_cap_region_begin(0, r);
            gt_cap_region_end(0, r);
        }
        if (arg && i % 50000 == 0) { /* births and exits under the cap */
            pthread_t th;
            pthread_create(&th, NULL, flood, NULL);
            pthread_join(th, NULL);
        }
    }
    return NULL;
}

static void test_memory_cap(void)
{
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = trace_path("memory-cap");
    c.flags = GT_CAP_ON_DEMAND;
    c.max_memory = 1u << 20; /* 16 buffers */
    CHECK(gt_cap_start(&c) == GT_OK);
    gt_cap_stats before = stats();
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, flood, (void *)(intptr_t)(i == 0));
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    gt_cap_advance();
    gt_cap_stats after = stats();
    capcheck cc = stop_and_read();
    CHECK(after.dropped_memory > before.dropped_memory);
    CHECK(cc.by_type[EV_LOG] > 0 && cc.by_type[EV_LOG] < 1000000);
    CHECK(cc.by_type[20] == cc.by_type[11] - cc.by_type[17]); /* every GoBlock has its ProcStop (exits have one too) */
}

/* AllocFree: events in the threads' batches, types in their experimental
 * batches (reused across calls), the info batch per generation. */
static void test_allocfree(unsigned version)
{
    char name[32];
    snprintf(name, sizeof name, "allocfree-go1%u", version);
    start(name, version, GT_CAP_ALLOCFREE);
    gt_cap_type *node = gt_cap_type_make("struct node", 48, 16), *buf = gt_cap_type_make("char[256]", 256, 0);
    CHECK(node && buf && node != buf);
    CHECK(gt_cap_type_make("struct node", 48, 16) == node); /* interned */
    CHECK(gt_cap_type_make("struct node", 48, 8) != node && gt_cap_type_make("struct node", 56, 16) != node);
    CHECK(gt_cap_type_make(NULL, 0, 0) == gt_cap_type_make("", 0, 0));
    CHECK(gt_cap_string(NULL) == gt_cap_string(""));
    void *p[64];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 64; i++) {
            p[i] = malloc(i % 2 ? 48 : 256);
            gt_cap_alloc(p[i], i % 2 ? node : buf);
        }
        for (int i = 0; i < 64; i++) {
            gt_cap_free(p[i]);
            free(p[i]);
        }
        gt_cap_pages_alloc((void *)(uintptr_t)0x7f0000000000u, 4);
        gt_cap_pages_free((void *)(uintptr_t)0x7f0000000000u);
        gt_cap_advance();
    }
    capcheck cc = stop_and_read();
    CHECK(cc.by_type[132] == 192 && cc.by_type[133] == 192); /* HeapObjectAlloc/Free */
    CHECK(cc.by_type[129] == 3 && cc.by_type[130] == 3);     /* SpanAlloc/Free */
    CHECK(cc.exp_batches >= 6);                               /* types + info, each generation */
}

/* Start after stop: a new trace, generations continuing, threads born again. */
static void test_restart(void)
{
    for (int i = 0; i < 2; i++) {
        start(i ? "restart-2" : "restart-1", 26, 0);
        annotate(NULL);
        gt_cap_advance();
        annotate(NULL);
        capcheck cc = stop_and_read();
        CHECK(cc.by_type[EV_LOG] == 4 && cc.by_type[15] == 1);
    }
}

/* A background writer with a short period and the default clock. */
static void test_background(void)
{
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = trace_path("background");
    c.period_ns = 2000000;
    CHECK(gt_cap_start(&c) == GT_OK);
    for (int i = 0; i < 30; i++) {
        annotate(NULL);
        usleep(1000);
    }
    capcheck cc = stop_and_read();
    CHECK(cc.generations >= 3);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        snprintf(dir, sizeof dir, "%s", argv[1]);
        keep = 1;
    } else {
        snprintf(dir, sizeof dir, "/tmp/gt-capture-unit-XXXXXX");
        CHECK(mkdtemp(dir));
    }
    test_stack_bounds();
    test_annotations(26);
    test_annotations(23);
    test_wakeups();
    test_misuse();
    test_signals();
    test_fork();
    test_tid_reuse();
    test_memory_cap();
    test_many_stacks();
    test_allocfree(26);
    test_allocfree(23);
    test_restart();
    test_background();
    if (!keep) {
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char p[sizeof dir + 256];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        if (d) closedir(d);
        rmdir(dir);
    }
    printf("capture unit tests: ok\n");
    return 0;
}
