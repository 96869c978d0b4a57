/* capture_ops: random sequences of capture API calls (codec/capture), and
 * the trace they produce must always be valid.
 *
 * Input: a configuration drawn from the end of the input (format go 1.23 or
 * 1.26, AllocFree on or off, flight recorder or stream, stack depth and with
 * it the unwinder (odd: libunwind), a small
 * memory cap), then an op program read from the start: logs (messages of any
 * bytes, also over-long), regions and tasks (also unbalanced), blocking,
 * wake-ups (of oneself, of nobody, of stale threads), syscalls, generation
 * advances, allocations, stack depth changes, interned strings, and threads
 * that run a slice of the program, exit (early or not) and are joined, so
 * threads are born and die mid-trace. Recording is on demand (no writer
 * thread); the output goes to memory through the write callback (or a
 * flight-recorder snapshot) and must pass gotrace's structural validation
 * and its semantic check (what `gotrace validate` does: Go 1.27's ordering
 * rules, and none of the inputs that make Go's tools crash). */
#include <pthread.h>
#include <string.h>

#include "fuzz_data_producer.h"
#include "fuzz_helpers.h"
#include "capture/gotrace_capture.h"

typedef struct outbuf {
    uint8_t *p;
    size_t len, cap;
} outbuf;

static long out_write(void *user, const uint8_t *buf, size_t n)
{
    outbuf *o = user;
    if (o->len + n > o->cap) {
        size_t nc = o->cap ? o->cap : 4096;
        while (nc < o->len + n) nc *= 2;
        uint8_t *np = realloc(o->p, nc);
        FUZZ_ASSERT(np != NULL);
        o->p = np;
        o->cap = nc;
    }
    memcpy(o->p + o->len, buf, n);
    o->len += n;
    return (long)n;
}

/* Handles live for the process: made once, from a bounded set. */
static gt_cap_str *names[8];
static gt_cap_type *types[2];
static void handles(void)
{
    static int done;
    if (done) return;
    static const char *const n[8] = {"a", "b", "task", "region", "", "sync", "log key", "x"};
    for (int i = 0; i < 8; i++) names[i] = gt_cap_string(n[i]);
    types[0] = gt_cap_type_make("T", 16, 8);
    types[1] = gt_cap_type_make("U", 4096, 0);
    done = 1;
}

typedef struct prog {
    const uint8_t *p;
    size_t n;
    int depth; /* thread nesting */
} prog;

static gt_cap_tid last_tid;
static uint64_t tasks[8];

static uint8_t next(prog *g)
{
    if (!g->n) return 0;
    g->n--;
    return *g->p++;
}

static void run(prog *g, size_t budget);

static void *thread_main(void *arg)
{
    prog *g = arg;
    run(g, g->n);
    return NULL;
}

static void run(prog *g, size_t budget)
{
    while (g->n && budget--) {
        uint8_t op = next(g), a = next(g);
        switch (op % 20) {
        case 0: { /* log: a bytes of the input as the message (or an over-long one) */
            size_t len = a < 250 ? (a < g->n ? a : g->n) : 0;
            if (a >= 250) {
                static char big[3000];
                memset(big, 'm', sizeof big);
                gt_cap_log(tasks[a & 7], names[a & 7], big, sizeof big);
            } else {
                gt_cap_log(tasks[a & 7], names[(a >> 3) & 7], (const char *)g->p, len);
                g->p += len;
                g->n -= len;
            }
            break;
        }
        case 1: gt_cap_region_begin(tasks[a & 7], names[(a >> 3) & 7]); break;
        case 2: gt_cap_region_end(tasks[a & 7], names[(a >> 3) & 7]); break;
        case 3: tasks[a & 7] = gt_cap_task_begin(tasks[(a >> 3) & 7], names[a >> 5]); break;
        case 4: gt_cap_task_end(a & 8 ? (uint64_t)a * 977 : tasks[a & 7]); break;
        case 5: gt_cap_block((gt_cap_wait)(a % 9)); break;
        case 6: gt_cap_unblock(); break;
        case 7: gt_cap_wake(a & 1 ? last_tid : a & 2 ? gt_cap_self() : (gt_cap_tid)a << 14); break;
        case 8: gt_cap_syscall_begin(); break;
        case 9: gt_cap_syscall_end(); break;
        case 10: gt_cap_advance(); break;
        case 11:
            if (a & 1)
                gt_cap_alloc((const void *)(uintptr_t)((uintptr_t)a << 12), types[(a >> 1) & 1]);
            else
                gt_cap_free((const void *)(uintptr_t)((uintptr_t)a << 12));
            break;
        case 12:
            if (a & 1)
                gt_cap_pages_alloc((const void *)(uintptr_t)((uintptr_t)a << 20), a);
            else
                gt_cap_pages_free((const void *)(uintptr_t)((uintptr_t)a << 20));
            break;
        case 13: /* a thread runs the next `a` ops, then ends and is joined */
            if (g->depth < 2) {
                prog sub = {g->p, a < g->n ? a : g->n, g->depth + 1};
                pthread_t th;
                if (pthread_create(&th, NULL, thread_main, &sub) == 0) pthread_join(th, NULL);
                size_t used = (size_t)(sub.p - g->p);
                g->p += used;
                g->n -= used;
            }
            break;
        case 14: gt_cap_set_stack_depth(a % 40); break;
        case 15: last_tid = gt_cap_self(); break;
        case 16:
            if (g->depth) {
                gt_cap_thread_exit();
                return; /* what the thread would still record is dropped */
            }
            break;
        case 17: gt_cap_logf(tasks[a & 7], names[a & 7], "%d %s", a, "formatted"); break;
        case 18: {
            uintptr_t pcs[16];
            FUZZ_ASSERT(gt_cap_stack(pcs, a % 17) <= a % 17);
            break;
        }
        default: gt_cap_region_begin(0, names[a & 7]); gt_cap_region_end(0, names[a & 7]); break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    handles();
    fuzz_producer fp;
    fuzz_producer_init(&fp, data, size);
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.version = fuzz_producer_bool(&fp) ? 23 : 26;
    c.flags = GT_CAP_ON_DEMAND | GT_CAP_NO_ATEXIT;
    if (fuzz_producer_bool(&fp)) c.flags |= GT_CAP_ALLOCFREE;
    int flight = fuzz_producer_bool(&fp);
    c.stack_depth = fuzz_producer_range(&fp, 0, 40);
    if (fuzz_producer_bool(&fp)) c.max_memory = 1u << 20;
    outbuf out = {0};
    if (flight) {
        c.flags |= GT_CAP_FLIGHT;
        c.flight_max_bytes = fuzz_producer_range(&fp, 1, 1u << 20);
    } else {
        c.write = out_write;
        c.write_user = &out;
    }
    /* Odd depths walk with libunwind where it is installed (derived, so the
     * corpus keeps its meaning). */
    c.unwind = c.stack_depth & 1 ? GT_CAP_UNWIND_LIBUNWIND : GT_CAP_UNWIND_FP;
    gt_status started = gt_cap_start(&c);
    if (started == GT_ERR_UNAVAILABLE) {
        c.unwind = GT_CAP_UNWIND_FP;
        started = gt_cap_start(&c);
    }
    FUZZ_OK(started);
    memset(tasks, 0, sizeof tasks);
    last_tid = 0;
    prog g = {data, fuzz_producer_remaining(&fp), 0};
    run(&g, SIZE_MAX);
    if (flight) FUZZ_OK(gt_cap_snapshot(-1, out_write, &out));
    FUZZ_OK(gt_cap_stop());

    gt_reader *r = gt_reader_create(NULL);
    FUZZ_ASSERT(r != NULL);
    gt_reader_set_buffer(r, out.p, out.len);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
    }
    FUZZ_ASSERT_MSG(s == GT_END, gt_reader_error(r)->message);
    FUZZ_ASSERT(gt_reader_version(r) == c.version);
    gt_reader_free(r);

    gt_parser *p = gt_parser_create(NULL);
    FUZZ_ASSERT(p != NULL);
    FUZZ_OK(gt_parser_set_flags(p, GT_PARSER_REJECT_TOOL_CRASHES | GT_PARSER_NO_FRAMES));
    FUZZ_OK(gt_parser_set_buffer(p, out.p, out.len));
    gt_parsed pev;
    uint64_t skipped;
    while ((s = gt_parser_next_sync(p, &pev, &skipped)) == GT_OK) {
    }
    FUZZ_ASSERT_MSG(s == GT_END, gt_parser_error(p)->message);
    gt_parser_free(p);
    free(out.p);
    return 0;
}
