/* No allocation on the hot path after warm-up: this program interposes
 * malloc, calloc, realloc and free (and counts the calls the recording
 * thread makes), warms the capture up (thread registration, first buffers,
 * string claims, stack tables of both generation parities), then records
 * 1 M operations of every kind with 16-frame stacks while the background
 * writer advances generations every 5 ms, and requires zero calls. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "capcheck.h"
#include "gotrace_capture.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static __thread int counting;
static __thread unsigned long calls;

void *malloc(size_t n)
{
    calls += (unsigned long)counting;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    calls += (unsigned long)counting;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    calls += (unsigned long)counting;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    calls += (unsigned long)counting;
    __libc_free(p);
}

static gt_cap_str *k_log, *k_region, *k_task;
static gt_cap_type *k_type;
static _Atomic gt_cap_tid partner;
static _Atomic int done;

static void *partner_main(void *arg)
{
    (void)arg;
    atomic_store(&partner, gt_cap_self());
    while (!atomic_load(&done)) {
        gt_cap_block(GT_CAP_WAIT_COND);
        usleep(50);
        gt_cap_unblock();
    }
    return NULL;
}

static __attribute__((noinline)) void depth(int n, void (*f)(unsigned long), unsigned long i)
{
    if (n > 0) {
        depth(n - 1, f, i);
        __asm__ volatile("" ::: "memory");
    } else {
        f(i);
    }
}

static void one(unsigned long i)
{
    static const char msg[] = "a message of a few words";
    switch (i % 8) {
    case 0: gt_cap_log(0, k_log, msg, sizeof msg - 1); break;
    case 1: gt_cap_region_begin(0, k_region); gt_cap_region_end(0, k_region); break;
    case 2: gt_cap_task_end(gt_cap_task_begin(0, k_task)); break;
    case 3: gt_cap_block(GT_CAP_WAIT_MUTEX); gt_cap_unblock(); break;
    case 4: gt_cap_syscall_begin(); gt_cap_syscall_end(); break;
    case 5: gt_cap_wake(atomic_load(&partner)); break;
    case 6: gt_cap_alloc((void *)(uintptr_t)(4096 + 64 * (i % 1000)), k_type); break;
    default: gt_cap_free((void *)(uintptr_t)(4096 + 64 * (i % 1000))); break;
    }
}

int main(void)
{
    char path[] = "/tmp/gt-capture-malloc-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.fd = fd;
    c.period_ns = 5000000;
    c.stack_depth = 16;
    c.flags = GT_CAP_ALLOCFREE;
    CHECK(gt_cap_start(&c) == GT_OK);
    k_log = gt_cap_string("log");
    k_region = gt_cap_string("region");
    k_task = gt_cap_string("task");
    k_type = gt_cap_type_make("struct thing", 64, 8);
    pthread_t th;
    pthread_create(&th, NULL, partner_main, NULL);
    while (!atomic_load(&partner)) usleep(100);
    /* Warm-up: both parities of every per-thread table and buffer. */
    for (int round = 0; round < 3; round++) {
        for (unsigned long i = 0; i < 2000; i++) depth(12, one, i);
        gt_cap_advance();
    }
    gt_cap_stats before;
    gt_cap_get_stats(&before);
    const unsigned long n = 1000000;
    counting = 1;
    for (unsigned long i = 0; i < n; i++) depth(12, one, i);
    counting = 0;
    unsigned long hot = calls;
    gt_cap_stats after;
    gt_cap_get_stats(&after);
    atomic_store(&done, 1);
    pthread_join(th, NULL);
    CHECK(gt_cap_stop() == GT_OK);
    close(fd);
    capcheck cc;
    CHECK(capcheck_file(path, &cc, NULL, NULL) == 0);
    unlink(path);
    printf("%lu operations (%llu events, %llu generations) after warm-up: %lu malloc/calloc/realloc/free calls "
           "on the recording thread; buffer pool grew %llu times meanwhile\n",
           n, (unsigned long long)(after.events - before.events),
           (unsigned long long)(after.generations - before.generations), hot,
           (unsigned long long)(after.buffer_maps - before.buffer_maps));
    CHECK(hot == 0);
    CHECK(after.generations > before.generations);
    return 0;
}
