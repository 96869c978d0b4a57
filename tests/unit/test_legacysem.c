/* gt_legacy_validate() on hand-built legacy traces: every class of Go's
 * legacy verdicts (ordering, time order, syscall exits, state rules, tasks
 * and regions, read-time checks), each oracle's words, the places where Go
 * 1.21 and Go 1.27 disagree, go 1.5 ordering, limits, failing allocators,
 * truncation, bit flips and misuse.
 *
 * The cases are a table: bytes built with the encoder (gt_batch_*), and for
 * each oracle the status and Go's exact message. With GT_LEGACYSEM_DUMP=DIR
 * the test also writes each case to DIR/NAME and its expectations to
 * DIR/NAME.expect, so that tests/scripts/t_legacy_semantic.sh can hold the
 * expectations against Go itself. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gotrace.h"
#include "legacysem/legacysem.h" /* gt_ls_go_sort_by_seq(): the go 1.5 order */

#define FREQ 1000000000u /* 1 tick = 1 ns: message times are tick differences */

/* ---- building traces --------------------------------------------------------- */

typedef struct tr {
    uint8_t buf[1 << 16];
    size_t n;       /* bytes before the open batch */
    unsigned v;
    gt_batch b;
    int open;
    uint64_t mark;  /* offset of the event a case expects the error at */
} tr;

static void tr_close(tr *t)
{
    if (!t->open) return;
    size_t len = 0;
    assert_int_equal(gt_batch_finish(&t->b, &len), GT_OK);
    t->n += len;
    t->open = 0;
}

static void tr_init(tr *t, unsigned v)
{
    memset(t, 0, sizeof *t);
    t->v = v;
    t->n = gt_header_write(t->buf, sizeof t->buf, v);
}

static void tr_batch(tr *t, uint64_t p, uint64_t ticks)
{
    tr_close(t);
    assert_int_equal(gt_batch_begin(&t->b, t->buf + t->n, sizeof t->buf - t->n, t->v, 0, p, ticks, 0), GT_OK);
    t->open = 1;
}

/* Offset the next item will have. */
static uint64_t tr_here(const tr *t) { return t->n + (t->open ? t->b.len : 0); }
static void tr_mark(tr *t) { t->mark = tr_here(t); }

static void tr_ev(tr *t, unsigned type, uint64_t time, unsigned n, const uint64_t *args)
{
    assert_int_equal(gt_batch_event(&t->b, type, time, args, n), GT_OK);
}
#define EV(t, type, time, ...)                                                                   \
    tr_ev((t), (type), (time), (unsigned)(sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)), \
          (uint64_t[]){__VA_ARGS__})
#define EV0(t, type, time) tr_ev((t), (type), (time), 0, NULL)

static void tr_freq(tr *t, uint64_t f)
{
    uint64_t a[2] = {f, 0};
    assert_int_equal(gt_batch_event(&t->b, GT_LEG_FREQUENCY, 0, a, t->v < 7 ? 2 : 1), GT_OK);
}

static void tr_string(tr *t, uint64_t id, const char *s)
{
    assert_int_equal(gt_batch_event_data(&t->b, GT_LEG_STRING, 0, &id, 1, s, strlen(s)), GT_OK);
}

/* Raw bytes at the end (closes the open batch). */
static void tr_raw(tr *t, const void *p, size_t n)
{
    tr_close(t);
    memcpy(t->buf + t->n, p, n);
    t->n += n;
}

static void tr_uv(tr *t, uint64_t v) { t->n += gt_uvarint_write(t->buf + t->n, sizeof t->buf - t->n, v); }

/* Legacy event types. */
enum {
    PROC_START = 5, PROC_STOP = 6, GC_START = 7, GC_DONE = 8, STW_START = 9, STW_DONE = 10, SWEEP_START = 11,
    SWEEP_DONE = 12, GO_CREATE = 13, GO_START = 14, GO_END = 15, GO_SCHED = 17, GO_BLOCK = 20, GO_UNBLOCK = 21,
    GO_SYSCALL = 28, GO_SYSEXIT = 29, GO_SYSBLOCK = 30, GO_WAITING = 31, GO_INSYSCALL = 32, HEAP_ALLOC = 33,
    TIMER_G = 35, FUTILE = 36, GO_START_LOCAL = 38, GO_SYSEXIT_LOCAL = 40, GO_START_LABEL = 41,
    MARK_START = 43, MARK_DONE = 44, TASK_CREATE = 45, TASK_END = 46, REGION = 47, USER_LOG = 48, CPU_SAMPLE = 49
};

/* P0 at ticks 1000: ProcStart, GoCreate g1, GoStart g1, GoEnd, ProcStop. */
static void tr_basic(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_START, 1003, 1, 1);
    EV0(t, GO_END, 1004);
    EV0(t, PROC_STOP, 1005);
}

/* ---- the cases ---------------------------------------------------------------- */

static void b_valid(tr *t)
{
    tr_basic(t);
    tr_freq(t, FREQ);
}

static void b_valid5(tr *t)
{
    /* go 1.5: every event carries a sequence delta first. */
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1, 1);
    EV(t, GO_CREATE, 1002, 1, 1, 0, 0);
    EV(t, GO_START, 1003, 1, 1);
    EV(t, GO_END, 1004, 1);
    EV(t, PROC_STOP, 1005, 1);
    tr_freq(t, FREQ);
}

static void b_unordered5(tr *t)
{
    /* Sorted by sequence, P1's event (seq 2) comes before P0's second (seq
     * 3) but has a later time. */
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1, 1);
    tr_mark(t);
    EV(t, HEAP_ALLOC, 1002, 2, 5);
    tr_batch(t, 1, 2000);
    EV(t, PROC_START, 2001, 2, 2);
    tr_freq(t, FREQ);
}

static void b_stuck(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    tr_mark(t);
    EV(t, GO_START, 1002, 5, 1);
    tr_freq(t, FREQ);
}

static void b_time_order(tr *t)
{
    tr_batch(t, 0, 100);
    EV(t, PROC_START, 100, 1);
    EV(t, GO_CREATE, 200, 1, 0, 0);
    EV0(t, PROC_STOP, 201);
    tr_batch(t, 1, 50);
    EV(t, PROC_START, 60, 2);
    tr_mark(t);
    EV(t, GO_START, 70, 1, 1);
    EV0(t, GO_END, 71);
    EV0(t, PROC_STOP, 72);
    tr_freq(t, FREQ);
}

static void b_stray_exit(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, GO_CREATE, 1001, 1, 0, 0);
    EV(t, GO_WAITING, 1002, 1);
    tr_mark(t);
    EV(t, GO_SYSEXIT, 1003, 1, 2, 1002);
    tr_freq(t, FREQ);
}

static void b_exit_before_block(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, GO_CREATE, 1001, 1, 0, 0);
    EV(t, GO_INSYSCALL, 1002, 1);
    tr_mark(t);
    EV(t, GO_SYSEXIT, 1003, 1, 2, 900);
    tr_freq(t, FREQ);
}

static void b_resort(tr *t)
{
    /* g1 blocks in a syscall on P0 at 1005; P1 reports its exit at 1102
     * with the real time 1010: it moves back before P1's ProcStart. */
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_START, 1003, 1, 1);
    EV(t, GO_SYSCALL, 1004, 0);
    EV0(t, GO_SYSBLOCK, 1005);
    EV0(t, PROC_STOP, 1006);
    tr_batch(t, 1, 1100);
    EV(t, PROC_START, 1101, 2);
    EV(t, GO_SYSEXIT, 1102, 1, 2, 1010);
    EV(t, GO_START, 1103, 1, 3);
    EV0(t, GO_END, 1104);
    EV0(t, PROC_STOP, 1105);
    tr_mark(t);
    EV0(t, GC_DONE, 1106);
    tr_freq(t, FREQ);
}

static void b_exit_local(tr *t)
{
    /* GoSysExitLocal: its real time is not used, and Go checks the P's
     * goroutine (here 0), not the one it names. */
    tr_batch(t, 0, 1000);
    EV(t, GO_CREATE, 1001, 1, 0, 0);
    EV(t, GO_INSYSCALL, 1002, 1);
    tr_mark(t);
    EV(t, GO_SYSEXIT_LOCAL, 1003, 1, 1);
    tr_freq(t, FREQ);
}

static void b_impossible(tr *t)
{
    /* g1 is runnable: both Ps' GoStartLocal are ready at once. */
    tr_batch(t, 0, 1000);
    EV(t, GO_CREATE, 1001, 1, 0, 0);
    EV(t, GO_START_LOCAL, 1010, 1);
    tr_batch(t, 1, 1000);
    tr_mark(t);
    EV(t, GO_START_LOCAL, 1020, 1);
    tr_freq(t, FREQ);
}

static void b_gc_seq(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV(t, GC_START, 1001, 1, 0);
    tr_freq(t, FREQ);
}

static void b_proc_start_twice(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    tr_mark(t);
    EV(t, PROC_START, 1002, 1);
    tr_freq(t, FREQ);
}

static void b_proc_stop_idle(tr *t)
{
    tr_batch(t, 3, 1000);
    tr_mark(t);
    EV0(t, PROC_STOP, 1001);
    tr_freq(t, FREQ);
}

static void b_proc_stop_busy(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_START, 1003, 1, 1);
    tr_mark(t);
    EV0(t, PROC_STOP, 1004);
    tr_freq(t, FREQ);
}

static void b_gc_twice(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, GC_START, 1001, 0, 0);
    tr_mark(t);
    EV(t, GC_START, 1002, 1, 0);
    tr_freq(t, FREQ);
}

static void b_gc_bogus(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV0(t, GC_DONE, 1001);
    tr_freq(t, FREQ);
}

static void b_stw_twice(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, STW_START, 1001, 0);
    tr_mark(t);
    EV(t, STW_START, 1002, 1);
    tr_freq(t, FREQ);
}

static void b_stw_bogus(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV0(t, STW_DONE, 1001);
    tr_freq(t, FREQ);
}

/* go 1.9: STW has no kind and is per P before go 1.10. */
static void b_stw_per_p(tr *t)
{
    tr_batch(t, 0, 1000);
    EV0(t, STW_START, 1001);
    tr_batch(t, 1, 1000);
    tr_mark(t);
    EV0(t, STW_START, 1002);
    tr_freq(t, FREQ);
}

static void b_stw_per_p10(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, STW_START, 1001, 0);
    tr_batch(t, 1, 1000);
    tr_mark(t);
    EV(t, STW_START, 1002, 1);
    tr_freq(t, FREQ);
}

static void b_stw_kind(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV(t, STW_START, 1001, 5);
    EV0(t, STW_DONE, 1002);
    tr_freq(t, FREQ);
}

static void b_sweep_twice(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, SWEEP_START, 1001, 0);
    tr_mark(t);
    EV(t, SWEEP_START, 1002, 0);
    tr_freq(t, FREQ);
}

static void b_sweep_bogus(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV(t, SWEEP_DONE, 1001, 0, 0);
    tr_freq(t, FREQ);
}

static void b_assist_twice(tr *t)
{
    tr_batch(t, 0, 1000);
    EV0(t, MARK_DONE, 1001); /* an end without a start is fine */
    EV(t, MARK_START, 1002, 0);
    tr_mark(t);
    EV(t, MARK_START, 1003, 0);
    tr_freq(t, FREQ);
}

static void b_g0_create(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV(t, GO_CREATE, 1001, 0, 0, 0);
    tr_freq(t, FREQ);
}

static void b_g0_end(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    tr_mark(t);
    EV0(t, GO_END, 1002);
    tr_freq(t, FREQ);
}

static void b_start_busy(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_CREATE, 1003, 2, 0, 0);
    EV(t, GO_START, 1004, 1, 1);
    tr_mark(t);
    EV(t, GO_START, 1005, 2, 1);
    tr_freq(t, FREQ);
}

/* A CPU sample names goroutine 9 before it is created. */
static void b_cpu_then_create(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    tr_mark(t);
    EV(t, GO_CREATE, 1010, 9, 0, 0);
    tr_freq(t, FREQ);
    tr_batch(t, 0, 2000);
    EV(t, CPU_SAMPLE, 2001, 1005, 0, 9, 0);
}

static void b_task_conflict(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_string(t, 1, "job");
    EV(t, TASK_CREATE, 1001, 5, 0, 1, 7);
    tr_mark(t);
    EV(t, TASK_CREATE, 1002, 5, 0, 1, 7);
    tr_freq(t, FREQ);
}

static void b_task_end_unknown(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, TASK_END, 1001, 9, 0);
    EV(t, REGION, 1002, 0, 1, 1, 0); /* an end whose start is before the trace */
    tr_freq(t, FREQ);
}

static void b_region_mismatch(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_string(t, 1, "a");
    tr_string(t, 2, "b");
    EV(t, REGION, 1001, 0, 0, 1, 0);
    tr_mark(t);
    EV(t, REGION, 1002, 0, 1, 2, 0);
    tr_freq(t, FREQ);
}

static void b_region_same_text(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_string(t, 1, "a");
    tr_string(t, 2, "a");
    EV(t, REGION, 1001, 0, 0, 1, 0);
    tr_mark(t);
    EV(t, REGION, 1002, 0, 1, 2, 0);
    tr_freq(t, FREQ);
}

static void b_region_mode(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV(t, REGION, 1001, 0, 2, 0, 0);
    tr_freq(t, FREQ);
}

/* g1 wakes up (unblock, start), finds nothing to do (FutileWakeup) and
 * blocks again. Go 1.21 drops the four events. */
static void b_futile(tr *t, int label)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_START, 1003, 1, 1);
    EV(t, GO_BLOCK, 1004, 0);
    EV(t, GO_UNBLOCK, 1005, 1, 2, 0);
    tr_mark(t);
    if (label) EV(t, GO_START_LABEL, 1006, 1, 3, 0);
    else EV(t, GO_START, 1006, 1, 3);
    EV0(t, FUTILE, 1007);
    EV(t, GO_BLOCK, 1008, 0);
    EV0(t, PROC_STOP, 1009);
    tr_freq(t, FREQ);
}
static void b_futile_plain(tr *t) { b_futile(t, 0); }
static void b_futile_label(tr *t) { b_futile(t, 1); }

static void b_huge_p(tr *t)
{
    tr_mark(t);
    tr_batch(t, 2147483648u, 1000);
    EV(t, PROC_START, 1001, 1);
    tr_freq(t, FREQ);
}

static void b_batch_prefixed(tr *t)
{
    /* Batch p=0 ticks=1000 written length-prefixed. */
    tr_mark(t);
    uint8_t b[] = {0xc1, 3, 0, 0xe8, 0x07};
    tr_raw(t, b, sizeof b);
    tr_batch(t, 0, 1001);
    EV(t, PROC_START, 1002, 1);
    tr_freq(t, FREQ);
}

static void b_before_batch(tr *t)
{
    /* ProcStart dt=1 thread=1 before any Batch (Go 1.21: P 0, time 1). */
    tr_mark(t);
    uint8_t b[] = {PROC_START | 1u << 6, 1, 1};
    tr_raw(t, b, sizeof b);
    tr_batch(t, 0, 1000);
    EV0(t, PROC_STOP, 1001);
    tr_freq(t, FREQ);
}

static void b_header_only(tr *t) { (void)t; }

static void b_freq_only(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_freq(t, FREQ);
}

static void b_no_freq(tr *t) { tr_basic(t); }

static void b_freq_zero(tr *t)
{
    tr_basic(t);
    tr_mark(t);
    tr_freq(t, 0);
}

/* Go 1.27 only reads the frequency's batch once the merge gets there. */
static void b_freq_zero_late(tr *t)
{
    tr_batch(t, 0, 1000);
    tr_mark(t);
    EV(t, GO_START, 1001, 5, 1);
    tr_batch(t, 0, 2000);
    tr_freq(t, 0);
}

static void b_string_zero(tr *t)
{
    tr_basic(t);
    tr_mark(t);
    tr_string(t, 0, "x");
    tr_freq(t, FREQ);
}

static void b_string_dup(tr *t)
{
    tr_basic(t);
    tr_string(t, 3, "x");
    tr_mark(t);
    tr_string(t, 3, "y");
    tr_freq(t, FREQ);
}

static void b_string_empty(tr *t)
{
    tr_basic(t);
    tr_mark(t);
    tr_string(t, 3, "");
    tr_freq(t, FREQ);
}

/* Go 1.27 never reads a string written before the first Batch. */
static void b_string_dup_before_batch(tr *t)
{
    uint8_t s[] = {37, 3, 1, 'x'};
    tr_raw(t, s, sizeof s);
    tr_basic(t);
    tr_mark(t);
    tr_string(t, 3, "y");
    tr_freq(t, FREQ);
}

static void b_long_prefix(tr *t)
{
    /* A 240-frame stack: 2.4 KB of arguments (10 bytes a frame). */
    tr_basic(t);
    tr_freq(t, FREQ);
    static gt_frame f[240];
    for (unsigned i = 0; i < 240; i++) f[i] = (gt_frame){0x400000000u + i * 16u, 1, 2, 100000 + i, {0, 0, 0, 0}};
    gt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = GT_KIND_STACK;
    ev.type = 3;
    ev.nargs = 2;
    ev.args[0] = 1;
    ev.args[1] = 240;
    ev.argbits = 3;
    ev.frames = f;
    ev.nframes = 240;
    tr_mark(t);
    assert_int_equal(gt_batch_put(&t->b, &ev), GT_OK);
}

static void b_userlog_cut(tr *t)
{
    tr_basic(t);
    tr_freq(t, FREQ);
    tr_mark(t);
    uint64_t a[3] = {0, 0, 0};
    assert_int_equal(gt_batch_event_data(&t->b, USER_LOG, 1006, a, 3, NULL, 0), GT_OK);
    /* Replace the empty message by one of 10 bytes of which 3 are there. */
    tr_close(t);
    t->n -= 1;
    tr_uv(t, 10);
    tr_raw(t, "abc", 3);
}

static void b_timer_unblock(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_CREATE, 1003, 2, 0, 0);
    EV(t, GO_START, 1004, 1, 1);
    EV(t, GO_BLOCK, 1005, 0);
    EV(t, GO_START, 1006, 2, 1);
    EV(t, GO_UNBLOCK, 1007, 1, 2, 0);
    EV0(t, GO_END, 1008);
    EV0(t, PROC_STOP, 1009);
    tr_freq(t, FREQ);
    uint64_t g = 2;
    assert_int_equal(gt_batch_event(&t->b, TIMER_G, 0, &g, 1), GT_OK);
}

/* A string ID so large that Go 1.27's converter cannot number its own
 * strings after it (it then panics at the first GoSched). */
static void b_huge_string(tr *t)
{
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    EV(t, GO_CREATE, 1002, 1, 0, 0);
    EV(t, GO_START, 1003, 1, 1);
    tr_mark(t);
    EV(t, GO_SCHED, 1004, 0);
    EV0(t, PROC_STOP, 1005);
    tr_freq(t, FREQ);
    tr_string(t, UINT64_MAX - 1, "x");
}

/* ... nor the two UserLog messages. */
static void b_huge_string_log(tr *t)
{
    uint64_t a[3] = {0, 0, 0};
    tr_batch(t, 0, 1000);
    EV(t, PROC_START, 1001, 1);
    tr_mark(t);
    assert_int_equal(gt_batch_event_data(&t->b, USER_LOG, 1002, a, 3, "a", 1), GT_OK);
    assert_int_equal(gt_batch_event_data(&t->b, USER_LOG, 1003, a, 3, "b", 1), GT_OK);
    EV0(t, PROC_STOP, 1004);
    tr_freq(t, FREQ);
    tr_string(t, UINT64_MAX - 1, "x");
}

/* HeapAlloc with mem written as a ten-byte varint whose last byte is 0x40:
 * Go 1.21 reads it (as 0), gt_reader and Go 1.27 refuse it. */
static void b_varint10(tr *t)
{
    tr_basic(t);
    tr_mark(t);
    uint8_t b[] = {HEAP_ALLOC | 1u << 6, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40};
    tr_raw(t, b, sizeof b);
    tr_batch(t, 0, 2000);
    tr_freq(t, FREQ);
}

/* A UserLog message declared 1000001 bytes long, followed by events: Go
 * 1.21 drops the "too large" error and reads those events after the length;
 * Go 1.27 refuses the message. */
static void b_userlog_huge(tr *t)
{
    tr_basic(t);
    uint64_t a[3] = {0, 0, 0};
    assert_int_equal(gt_batch_event_data(&t->b, USER_LOG, 1006, a, 3, NULL, 0), GT_OK);
    tr_close(t);
    t->n -= 1; /* the empty message's length, replaced by 1000001 */
    tr_mark(t);
    uint8_t b[] = {0xc1, 0x84, 0x3d, HEAP_ALLOC | 1u << 6, 1, 5};
    tr_raw(t, b, sizeof b);
    tr_batch(t, 0, 2000);
    tr_freq(t, FREQ);
}

static void b_v2_header(tr *t) { (void)t; }

typedef void (*build_fn)(tr *t);

typedef struct want {
    gt_status status;
    const char *msg; /* Go's text; "{off}" = the marked offset, "{end}" = the file size */
} want;

typedef struct tcase {
    const char *name;
    unsigned version;
    build_fn build;
    want go121, go127;
} tcase;

#define OK_ {GT_OK, NULL}
#define SEM(m) {GT_ERR_SEMANTIC, m}
#define OLD(v) {GT_ERR_UNSUPPORTED_VERSION, "unknown or unsupported trace version go 1." #v}

static const tcase cases[] = {
    {"valid-1.11", 11, b_valid, OK_, OK_},
    {"valid-1.19", 19, b_valid, OK_, OK_},
    {"valid-1.21", 21, b_valid, OK_, OK_},
    {"valid-1.7", 7, b_valid, OK_, OLD(7)},
    {"valid-1.9", 9, b_valid, OK_, OLD(9)},
    {"valid-1.10", 10, b_valid, OK_, OLD(10)},
    {"valid-1.5", 5, b_valid5, OK_, OLD(5)},
    {"unordered-1.5", 5, b_unordered5, SEM("time stamps out of order"), OLD(5)},
    {"stuck", 19, b_stuck, SEM("no consistent ordering of events possible"),
     SEM("no consistent ordering of events possible")},
    {"stuck-1.7", 7, b_stuck, SEM("no consistent ordering of events possible"), OLD(7)},
    {"time-order", 21, b_time_order, SEM("time stamps out of order"), SEM("time stamps out of order")},
    {"stray-exit", 19, b_stray_exit, SEM("stray syscall exit"), SEM("stray syscall exit")},
    {"exit-before-block", 19, b_exit_before_block, SEM("time stamps out of order"), SEM("time stamps out of order")},
    {"resort", 19, b_resort, SEM("bogus GC end (offset {off}, time 105)"), SEM("bogus GC end (time 105)")},
    {"exit-local", 11, b_exit_local, SEM("g 0 is not waiting during syscall exit (offset {off}, time 2)"),
     SEM("g 0 is not waiting during syscall exit (time 2)")},
    {"impossible", 21, b_impossible, SEM("event sequences are broken"),
     SEM("encountered impossible goroutine state transition")},
    {"gc-seq", 19, b_gc_seq, SEM("no consistent ordering of events possible"),
     SEM("no consistent ordering of events possible")},
    {"proc-start-twice", 19, b_proc_start_twice, SEM("p 0 is running before start (offset {off}, time 1)"),
     SEM("p 0 is running before start (time 1)")},
    {"proc-stop-idle", 21, b_proc_stop_idle, SEM("p 3 is not running before stop (offset {off}, time 0)"),
     SEM("p 3 is not running before stop (time 0)")},
    {"proc-stop-busy", 11, b_proc_stop_busy, SEM("p 0 is running a goroutine 1 during stop (offset {off}, time 3)"),
     SEM("p 0 is running a goroutine 1 during stop (time 3)")},
    {"gc-twice", 19, b_gc_twice, SEM("previous GC is not ended before a new one (offset {off}, time 1)"),
     SEM("previous GC is not ended before a new one (time 1)")},
    {"gc-bogus-end", 19, b_gc_bogus, SEM("bogus GC end (offset {off}, time 0)"), SEM("bogus GC end (time 0)")},
    {"stw-twice", 21, b_stw_twice, SEM("previous STW is not ended before a new one (offset {off}, time 1)"),
     SEM("previous STW is not ended before a new one (time 1)")},
    {"stw-bogus-end", 11, b_stw_bogus, SEM("bogus STW end (offset {off}, time 0)"), SEM("bogus STW end (time 0)")},
    {"stw-per-p-1.9", 9, b_stw_per_p, OK_, OLD(9)},
    {"stw-per-p-1.10", 10, b_stw_per_p10,
     SEM("previous STW is not ended before a new one (offset {off}, time 1)"), OLD(10)},
    {"stw-kind-1.19", 19, b_stw_kind, {GT_ERR_BAD_EVENT, "unknown STW kind 5"}, OK_},
    {"stw-kind-1.21", 21, b_stw_kind, OK_, OK_},
    {"sweep-twice", 19, b_sweep_twice, SEM("previous sweeping is not ended before a new one (offset {off}, time 1)"),
     SEM("previous sweeping is not ended before a new one (time 1)")},
    {"sweep-bogus-end", 19, b_sweep_bogus, SEM("bogus sweeping end (offset {off}, time 0)"),
     SEM("bogus sweeping end (time 0)")},
    {"assist-twice", 19, b_assist_twice,
     SEM("previous mark assist is not ended before a new one (offset {off}, time 2)"),
     SEM("previous mark assist is not ended before a new one (time 2)")},
    {"g0-create", 19, b_g0_create, SEM("g 0 already exists (offset {off}, time 0)"),
     SEM("g 0 already exists (time 0)")},
    {"g0-end", 21, b_g0_end, SEM("g 0 did GoEnd (offset {off}, time 1)"), SEM("g 0 did GoEnd (time 1)")},
    {"start-busy-p", 19, b_start_busy, SEM("p 0 is already running g 1 while start g 2 (offset {off}, time 4)"),
     SEM("p 0 is already running g 1 while start g 2 (time 4)")},
    {"cpu-then-create", 19, b_cpu_then_create, SEM("g 9 already exists (offset {off}, time 9)"), OK_},
    {"task-conflict", 21, b_task_conflict,
     SEM("task id conflicts (id:5), \"1 UserTaskCreate p=0 g=0 off={off} taskid=5 pid=0 typeid=1 name=job\" vs \"0 "
         "UserTaskCreate p=0 g=0 off=26 taskid=5 pid=0 typeid=1 name=job\""),
     SEM("task id conflicts (id:5), \"1 UserTaskCreate p=0 g=0 stk=7 taskid=5 pid=0 typeid=1\" vs \"0 "
         "UserTaskCreate p=0 g=0 stk=0 taskid=5 pid=0 typeid=1\"")},
    {"task-end-unknown", 19, b_task_end_unknown, OK_, OK_},
    {"region-mismatch", 19, b_region_mismatch,
     SEM("misuse of region in goroutine 0: span end \"1 UserRegion p=0 g=0 off={off} taskid=0 mode=1 typeid=2 name=b\" "
         "when the inner-most active span start event is \"0 UserRegion p=0 g=0 off=28 taskid=0 mode=0 typeid=1 "
         "name=a\""),
     SEM("misuse of region in goroutine 0: span end \"1 UserRegion p=0 g=0 stk=0 taskid=0 mode=1 typeid=2\" when the "
         "inner-most active span start event is \"0 UserRegion p=0 g=0 stk=0 taskid=0 mode=0 typeid=1\"")},
    {"region-same-text", 21, b_region_same_text, OK_,
     SEM("misuse of region in goroutine 0: span end \"1 UserRegion p=0 g=0 stk=0 taskid=0 mode=1 typeid=2\" when the "
         "inner-most active span start event is \"0 UserRegion p=0 g=0 stk=0 taskid=0 mode=0 typeid=1\"")},
    {"region-mode", 11, b_region_mode,
     SEM("invalid user region mode: \"0 UserRegion p=0 g=0 off={off} taskid=0 mode=2 typeid=0 name=\""),
     SEM("invalid user region mode: \"0 UserRegion p=0 g=0 stk=0 taskid=0 mode=2 typeid=0\"")},
    {"futile", 19, b_futile_plain, OK_, {GT_ERR_UNKNOWN_EVENT, "unexpected event type 36"}},
    {"futile-label", 21, b_futile_label, SEM("g 1 is not runnable before start (offset {off}, time 5)"),
     {GT_ERR_UNKNOWN_EVENT, "unexpected event type 36"}},
    {"futile-1.9", 9, b_futile_plain, OK_, OLD(9)},
    {"huge-p", 19, b_huge_p, OK_,
     {GT_ERR_BAD_BATCH, "processor ID 2147483648 is larger than maximum of 18446744073709551615"}},
    {"batch-prefixed", 11, b_batch_prefixed, OK_,
     {GT_ERR_EVENT_LENGTH, "EvBatch has wrong number of arguments: got 4, want 2"}},
    {"before-batch", 19, b_before_batch, OK_,
     {GT_ERR_BAD_BATCH, "read event 5 with current P of 0, but P has no batches yet"}},
    {"header-only", 11, b_header_only, {GT_ERR_BAD_BATCH, "trace is empty"},
     {GT_ERR_MISSING_FREQUENCY, "no EvFrequency event"}},
    {"header-only-1.7", 7, b_header_only, {GT_ERR_BAD_BATCH, "trace is empty"}, OLD(7)},
    {"frequency-only", 21, b_freq_only, {GT_ERR_BAD_BATCH, "trace is empty"}, OK_},
    {"no-frequency", 19, b_no_freq, {GT_ERR_MISSING_FREQUENCY, "no EvFrequency event"},
     {GT_ERR_MISSING_FREQUENCY, "no EvFrequency event"}},
    {"frequency-zero", 19, b_freq_zero, {GT_ERR_BAD_FREQUENCY, "time stamps out of order"},
     {GT_ERR_BAD_FREQUENCY, "time stamps out of order"}},
    {"frequency-zero-late", 19, b_freq_zero_late, {GT_ERR_BAD_FREQUENCY, "time stamps out of order"},
     SEM("no consistent ordering of events possible")},
    {"string-id-0", 19, b_string_zero, {GT_ERR_ZERO_ID, "string at offset 39 has invalid id 0"},
     {GT_ERR_ZERO_ID, "string has invalid id 0"}},
    {"string-dup", 11, b_string_dup, {GT_ERR_DUPLICATE_ID, "string at offset 43 has duplicate id 3"},
     {GT_ERR_DUPLICATE_ID, "string has duplicate id 3"}},
    {"string-empty", 21, b_string_empty, {GT_ERR_BAD_TABLE, "string at offset 40 has invalid length 0"},
     {GT_ERR_BAD_TABLE, "string has invalid length 0"}},
    {"string-dup-before-batch", 21, b_string_dup_before_batch,
     {GT_ERR_DUPLICATE_ID, "string at offset 43 has duplicate id 3"}, OK_},
    {"long-prefix", 19, b_long_prefix, OK_,
     {GT_ERR_EVENT_LENGTH, "failed to read event 3 argument: length-prefixed argument too big: 2403 bytes, limit is "
                           "2048"}},
    {"userlog-cut", 21, b_userlog_cut, OK_, {GT_ERR_TRUNCATED, NULL}},
    {"timer-unblock", 11, b_timer_unblock, OK_, OK_},
    {"varint-10-bytes", 19, b_varint10, OK_, {GT_ERR_VARINT, NULL}},
    {"userlog-huge", 21, b_userlog_huge, OK_, {GT_ERR_TRUNCATED, NULL}},
    {"varint-10-bytes-1.9", 9, b_varint10, OK_, OLD(9)},
    {"huge-string-id", 19, b_huge_string, OK_, {GT_ERR_BAD_TABLE, "runtime error: index out of range [2] with length 0"}},
    {"huge-string-id-log", 21, b_huge_string_log, OK_,
     {GT_ERR_BAD_TABLE, "runtime error: index out of range [0] with length 0"}},
    {"not-legacy", 22, b_v2_header,
     {GT_ERR_UNSUPPORTED_VERSION, "unsupported trace file version 1.22 (update Go toolchain) 1022"},
     {GT_ERR_UNSUPPORTED_VERSION, "go 1.22 is not a legacy trace version"}},
};

#define NCASES (sizeof cases / sizeof cases[0])

/* The expected message with {off} and {end} filled in. */
static void expand(const char *pat, uint64_t off, uint64_t end, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = pat; *p && n + 24 < cap;) {
        if (!strncmp(p, "{off}", 5)) {
            n += (size_t)snprintf(out + n, cap - n, "%llu", (unsigned long long)off);
            p += 5;
        } else if (!strncmp(p, "{end}", 5)) {
            n += (size_t)snprintf(out + n, cap - n, "%llu", (unsigned long long)end);
            p += 5;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

static void build(const tcase *c, tr *t)
{
    tr_init(t, c->version);
    if (c->version < 22) c->build(t);
    tr_close(t);
}

/* Returns the number of mismatches (printed). */
static int check(const tcase *c, const tr *t, gt_legacy_oracle o, const want *w)
{
    gt_error err;
    gt_status s = gt_legacy_validate(t->buf, t->n, NULL, NULL, o, &err);
    char exp[512];
    int bad = 0;
    if (s != w->status) {
        print_error("%s (oracle %d): status %s, want %s: %s\n", c->name, (int)o, gt_status_name(s),
                    gt_status_name(w->status), err.message);
        return 1;
    }
    if (w->msg) {
        expand(w->msg, t->mark, t->n, exp, sizeof exp);
        exp[sizeof err.message - 1] = '\0'; /* the record holds 159 bytes */
        if (strcmp(err.message, exp) != 0) {
            print_error("%s (oracle %d):\n got  %s\n want %s\n", c->name, (int)o, err.message, exp);
            bad++;
        }
    }
    /* Errors at one event name its offset. */
    if ((s == GT_ERR_SEMANTIC || !strncmp(err.message, "runtime error", 13)) && strncmp(err.message, "no consistent", 13) != 0 && t->mark && err.offset != t->mark) {
        print_error("%s (oracle %d): offset %llu, want %llu\n", c->name, (int)o, (unsigned long long)err.offset,
                    (unsigned long long)t->mark);
        bad++;
    }
    if (s != GT_OK && err.offset > t->n) bad++;
    return bad;
}

static void dump(const tcase *c, const tr *t, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, c->name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(t->buf, 1, t->n, f), t->n);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s.expect", dir, c->name);
    f = fopen(path, "w");
    assert_non_null(f);
    const want *ws[2] = {&c->go121, &c->go127};
    for (int i = 0; i < 2; i++) {
        char exp[512] = "";
        if (ws[i]->msg) expand(ws[i]->msg, t->mark, t->n, exp, sizeof exp);
        fprintf(f, "%s\t%s\t%s\n", i ? "go127" : "go121", ws[i]->status == GT_OK ? "ok" : "error", exp);
    }
    fclose(f);
}

static void test_cases(void **state)
{
    (void)state;
    static tr t;
    const char *dir = getenv("GT_LEGACYSEM_DUMP");
    int bad = 0;
    for (size_t i = 0; i < NCASES; i++) {
        const tcase *c = &cases[i];
        build(c, &t);
        bad += check(c, &t, GT_LEGACY_ORACLE_GO121, &c->go121);
        bad += check(c, &t, GT_LEGACY_ORACLE_GO127, &c->go127);
        /* AUTO picks Go 1.27 for 1.11-1.21 and Go 1.21 otherwise. */
        bool new_reader = c->version == 11 || c->version == 19 || c->version == 21;
        bad += check(c, &t, GT_LEGACY_ORACLE_AUTO, new_reader ? &c->go127 : &c->go121);
        if (dir) dump(c, &t, dir);
    }
    assert_int_equal(bad, 0);
}

/* ---- the offset and location of errors ----------------------------------------------- */

static void test_error_record(void **state)
{
    (void)state;
    static tr t;
    tr_init(&t, 19);
    b_start_busy(&t);
    tr_close(&t);
    gt_error err;
    assert_int_equal(gt_legacy_validate(t.buf, t.n, NULL, NULL, GT_LEGACY_ORACLE_GO127, &err), GT_ERR_SEMANTIC);
    assert_int_equal(err.offset, t.mark);
    assert_int_equal(err.batch, 0);
    assert_int_equal(err.event, 4); /* ProcStart, 2 x GoCreate, GoStart, then this one */
    assert_int_equal(err.generation, GT_NONE);
    /* A whole-file verdict points at the end. */
    tr_init(&t, 19);
    b_no_freq(&t);
    tr_close(&t);
    assert_int_equal(gt_legacy_validate(t.buf, t.n, NULL, NULL, GT_LEGACY_ORACLE_GO121, &err), GT_ERR_MISSING_FREQUENCY);
    assert_int_equal(err.offset, t.n);
    assert_int_equal(err.batch, GT_NONE);
    /* Success clears the record; err may be NULL. */
    tr_init(&t, 21);
    b_valid(&t);
    tr_close(&t);
    assert_int_equal(gt_legacy_validate(t.buf, t.n, NULL, NULL, GT_LEGACY_ORACLE_AUTO, &err), GT_OK);
    assert_int_equal(err.status, GT_OK);
    assert_string_equal(err.message, "");
    assert_int_equal(gt_legacy_validate(t.buf, t.n, NULL, NULL, GT_LEGACY_ORACLE_AUTO, NULL), GT_OK);
}

/* ---- headers and misuse ------------------------------------------------------------- */

static void test_headers(void **state)
{
    (void)state;
    gt_error err;
    const char *junk = "gotrace\x02" "0000";
    assert_int_equal(gt_legacy_validate(junk, 12, NULL, NULL, GT_LEGACY_ORACLE_AUTO, &err), GT_ERR_NOT_TRACE);
    assert_string_equal(err.message, "failed to read header: read 12, err unexpected EOF");
    assert_int_equal(gt_legacy_validate(junk, 12, NULL, NULL, GT_LEGACY_ORACLE_GO127, &err), GT_ERR_NOT_TRACE);
    assert_string_equal(err.message, "bad file format: not a Go execution trace?");
    assert_int_equal(gt_legacy_validate("", 0, NULL, NULL, GT_LEGACY_ORACLE_GO121, &err), GT_ERR_NOT_TRACE);
    assert_string_equal(err.message, "failed to read header: read 0, err EOF");
    assert_int_equal(gt_legacy_validate("go 1.19 tra", 11, NULL, NULL, GT_LEGACY_ORACLE_GO121, &err), GT_ERR_TRUNCATED);
    assert_string_equal(err.message, "failed to read header: read 11, err unexpected EOF");
    const char *bad = "go 1.19 trace\0\0X";
    assert_int_equal(gt_legacy_validate(bad, 16, NULL, NULL, GT_LEGACY_ORACLE_GO121, &err), GT_ERR_NOT_TRACE);
    assert_string_equal(err.message, "not a trace file");
}

static void test_misuse(void **state)
{
    (void)state;
    gt_error err;
    assert_int_equal(gt_legacy_validate(NULL, 5, NULL, NULL, GT_LEGACY_ORACLE_AUTO, &err), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(err.status, GT_ERR_INVALID_ARGUMENT);
    static tr t;
    tr_init(&t, 19);
    b_valid(&t);
    tr_close(&t);
    assert_int_equal(gt_legacy_validate(t.buf, t.n, NULL, NULL, (gt_legacy_oracle)120, &err), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_legacy_validate(NULL, 0, NULL, NULL, GT_LEGACY_ORACLE_AUTO, &err), GT_ERR_NOT_TRACE);
}

/* ---- memory --------------------------------------------------------------------------- */

typedef struct budget {
    long fail_at; /* the allocation number that fails (-1: none) */
    long count;
    size_t now, peak;
} budget;

static void *b_malloc(void *ctx, size_t n)
{
    budget *b = ctx;
    if (b->count++ == b->fail_at) return NULL;
    void *p = malloc(n);
    if (p && (b->now += n) > b->peak) b->peak = b->now;
    return p;
}
static void *b_realloc(void *ctx, void *p, size_t old, size_t n)
{
    budget *b = ctx;
    if (b->count++ == b->fail_at) return NULL;
    void *q = realloc(p, n);
    if (q) b->now = b->now - old + n;
    if (b->now > b->peak) b->peak = b->now;
    return q;
}
static void b_free(void *ctx, void *p, size_t n)
{
    budget *b = ctx;
    if (p) b->now -= n;
    free(p);
}

/* A larger trace: many goroutines on 4 Ps, syscalls, tasks and regions. */
static void build_big(tr *t, unsigned v)
{
    tr_init(t, v);
    for (uint64_t p = 0; p < 4; p++) {
        tr_batch(t, p, 1000 + p);
        uint64_t time = 1000 + p, base = 1 + p * 100;
        EV(t, PROC_START, ++time, p + 1);
        for (uint64_t g = base; g < base + 40; g++) {
            EV(t, GO_CREATE, ++time, g, 0, 0);
            EV(t, GO_START, ++time, g, 1);
            EV(t, REGION, ++time, 0, 0, 0, 0);
            EV(t, GO_SYSCALL, ++time, 0);
            EV(t, REGION, ++time, 0, 1, 0, 0);
            EV0(t, GO_END, ++time);
        }
        EV0(t, PROC_STOP, ++time);
    }
    tr_freq(t, FREQ);
    tr_close(t);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    static tr t;
    for (int o = 0; o < 3; o++) {
        /* The last round reads a file that needs a copy (b_varint10). */
        if (o < 2) build_big(&t, 19);
        else {
            tr_init(&t, 19);
            b_varint10(&t);
            tr_close(&t);
        }
        gt_legacy_oracle oracle = o == 1 ? GT_LEGACY_ORACLE_GO127 : GT_LEGACY_ORACLE_GO121;
        budget ok = {-1, 0, 0, 0};
        gt_alloc a = {b_malloc, b_realloc, b_free, &ok};
        assert_int_equal(gt_legacy_validate(t.buf, t.n, &a, NULL, oracle, NULL), GT_OK);
        assert_int_equal(ok.now, 0);
        for (long k = 0; k < ok.count; k++) {
            budget b = {k, 0, 0, 0};
            gt_alloc f = {b_malloc, b_realloc, b_free, &b};
            gt_error err;
            gt_status s = gt_legacy_validate(t.buf, t.n, &f, NULL, oracle, &err);
            if (s != GT_ERR_NOMEM) fail_msg("allocation %ld failing: %s (%s)", k, gt_status_name(s), err.message);
            if (b.now != 0) fail_msg("oracle %d, allocation %ld failing (%s): %zu bytes leak", (int)oracle, k, err.message, b.now);
        }
    }
}

static void test_memory_limit(void **state)
{
    (void)state;
    static tr t;
    build_big(&t, 21);
    budget b = {-1, 0, 0, 0};
    gt_alloc a = {b_malloc, b_realloc, b_free, &b};
    assert_int_equal(gt_legacy_validate(t.buf, t.n, &a, NULL, GT_LEGACY_ORACLE_GO127, NULL), GT_OK);
    size_t peak = b.peak;
    assert_true(peak > 0);
    for (uint64_t limit = 1; limit < peak; limit = limit * 3 / 2 + 1) {
        gt_limits lim;
        gt_limits_default(&lim);
        lim.max_memory = limit;
        budget c = {-1, 0, 0, 0};
        gt_alloc ca = {b_malloc, b_realloc, b_free, &c};
        gt_error err;
        gt_status s = gt_legacy_validate(t.buf, t.n, &ca, &lim, GT_LEGACY_ORACLE_GO127, &err);
        if (s != GT_ERR_LIMIT && s != GT_ERR_NOMEM)
            fail_msg("limit %llu: %s (%s)", (unsigned long long)limit, gt_status_name(s), err.message);
        assert_true(c.peak <= limit);
        assert_int_equal(c.now, 0);
    }
    gt_limits lim;
    gt_limits_default(&lim);
    lim.max_memory = peak;
    assert_int_equal(gt_legacy_validate(t.buf, t.n, &a, &lim, GT_LEGACY_ORACLE_GO127, NULL), GT_OK);
}

/* ---- damaged input -------------------------------------------------------------------- */

static void test_truncation(void **state)
{
    (void)state;
    static tr t;
    build_big(&t, 19);
    static uint8_t copy[sizeof t.buf];
    for (size_t n = 0; n < t.n; n++) {
        memcpy(copy, t.buf, n); /* a fresh buffer: no reads past n go unnoticed under ASan */
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, copy, n);
        for (int o = 0; o < 2; o++) {
            gt_error err;
            gt_status s = gt_legacy_validate(p, n, NULL, NULL, o ? GT_LEGACY_ORACLE_GO127 : GT_LEGACY_ORACLE_GO121, &err);
            assert_true(s != GT_OK || n > 16);
            if (s != GT_OK) assert_true(err.offset <= n);
        }
        free(p);
    }
}

static void test_bit_flips(void **state)
{
    (void)state;
    static tr t, u;
    build_big(&t, 11);
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 3000; i++) {
        u = t;
        for (int k = 0; k < 1 + i % 3; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t at = 16 + (size_t)(x % (t.n - 16));
            u.buf[at] ^= (uint8_t)(1u << (x >> 40) % 8);
        }
        uint8_t *p = malloc(u.n);
        memcpy(p, u.buf, u.n);
        for (int o = 0; o < 3; o++) {
            gt_error err;
            gt_legacy_oracle oracle = o == 0 ? GT_LEGACY_ORACLE_GO121 : o == 1 ? GT_LEGACY_ORACLE_GO127 : GT_LEGACY_ORACLE_AUTO;
            gt_status s = gt_legacy_validate(p, u.n, NULL, NULL, oracle, &err);
            if (s != GT_OK) assert_true(err.offset <= u.n);
        }
        free(p);
    }
}

/* The same events, whatever the batch boundaries: splitting a P's batch in
 * two (a new Batch with the running time) changes nothing. */
static void test_batch_split(void **state)
{
    (void)state;
    static tr a, b;
    tr_init(&a, 21);
    tr_init(&b, 21);
    tr_batch(&a, 0, 1000);
    tr_batch(&b, 0, 1000);
    EV(&a, PROC_START, 1001, 1);
    EV(&b, PROC_START, 1001, 1);
    EV(&a, GO_CREATE, 1002, 1, 0, 0);
    EV(&b, GO_CREATE, 1002, 1, 0, 0);
    tr_batch(&b, 0, 1002);
    EV(&a, GO_START, 1003, 1, 1);
    EV(&b, GO_START, 1003, 1, 1);
    EV(&a, GO_START, 1004, 1, 2);
    EV(&b, GO_START, 1004, 1, 2);
    tr_freq(&a, FREQ);
    tr_freq(&b, FREQ);
    tr_close(&a);
    tr_close(&b);
    gt_error ea, eb;
    assert_int_equal(gt_legacy_validate(a.buf, a.n, NULL, NULL, GT_LEGACY_ORACLE_GO127, &ea), GT_ERR_SEMANTIC);
    assert_int_equal(gt_legacy_validate(b.buf, b.n, NULL, NULL, GT_LEGACY_ORACLE_GO127, &eb), GT_ERR_SEMANTIC);
    assert_string_equal(ea.message, "no consistent ordering of events possible");
    assert_string_equal(eb.message, ea.message);
}

/* ---- go 1.5: Go's unstable sort --------------------------------------------------- */

/* Inputs and the permutation Go 1.21's sort.Sort makes of them (checked
 * with a Go program when these were written). */
static const int64_t sort_keys0[13] = {3, 4, 3, 3, 4, 4, 1, 1, 4, 3, 4, 1, 0};
static const uint16_t sort_perm0[13] = {12, 6, 11, 7, 3, 0, 9, 2, 5, 4, 8, 10, 1};
static const int64_t sort_keys1[60] = {
    7, 4, 2, 1, 8, 0, 9, 6, 7, 9, 2, 9, 0, 8, 1, 0, 0, 3, 3, 9, 0, 7, 5, 7, 9, 3, 8, 3, 4, 7, 0, 1, 7, 4, 6, 8, 1, 4,
    5, 3, 8, 4, 0, 1, 9, 1, 6, 1, 4, 6, 1, 0, 0, 3, 3, 0, 7, 6, 6, 6
};
static const uint16_t sort_perm1[60] = {
    12, 55, 52, 51, 42, 5, 30, 20, 16, 15, 31, 45, 14, 36, 47, 50, 43, 3, 2, 10, 18, 27, 39, 53, 54, 25, 17, 48, 37,
    1, 41, 28, 33, 22, 38, 7, 58, 46, 34, 57, 59, 49, 23, 29, 8, 56, 21, 32, 0, 26, 4, 35, 40, 13, 6, 24, 11, 19, 44,
    9
};
static const int64_t sort_keys2[90] = {
    0, 0, 3, 4, 5, 6, 7, 7, 8, 8, 11, 12, 12, 12, 15, 17, 19, 21, 21, 24, 25, 26, 26, 28, 29, 31, 32, 35, 36, 40, 0,
    0, 1, 2, 4, 4, 5, 6, 9, 11, 13, 13, 13, 13, 15, 16, 17, 18, 19, 21, 24, 25, 26, 28, 36, 37, 37, 38, 39, 40, 0, 3,
    5, 8, 8, 9, 10, 11, 12, 12, 14, 15, 19, 23, 23, 24, 24, 26, 29, 30, 30, 35, 36, 37, 38, 38, 39, 39, 40, 40
};
static const uint16_t sort_perm2[90] = {
    0, 1, 60, 30, 31, 32, 33, 2, 61, 3, 34, 35, 36, 62, 4, 37, 5, 7, 6, 9, 8, 64, 63, 38, 65, 66, 39, 10, 67, 13, 68,
    69, 12, 11, 40, 41, 43, 42, 70, 44, 14, 71, 45, 46, 15, 47, 48, 72, 16, 49, 17, 18, 73, 74, 19, 50, 75, 76, 20,
    51, 22, 21, 77, 52, 53, 23, 24, 78, 80, 79, 25, 26, 81, 27, 54, 82, 28, 83, 56, 55, 57, 84, 85, 58, 86, 87, 29,
    59, 88, 89
};
static const int64_t sort_keys3[64] = {
    64, 64, 63, 63, 62, 62, 61, 61, 60, 60, 59, 59, 58, 58, 57, 57, 56, 56, 55, 55, 54, 54, 53, 53, 52, 52, 51, 51,
    50, 50, 49, 49, 48, 48, 47, 47, 46, 46, 45, 45, 44, 44, 43, 43, 42, 42, 41, 41, 40, 40, 39, 39, 38, 38, 37, 37,
    36, 36, 35, 35, 34, 34, 33, 33
};
static const uint16_t sort_perm3[64] = {
    63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 52, 53, 50, 51, 49, 48, 47, 46, 44, 45, 43, 42, 41, 40, 39, 38, 37, 36,
    34, 35, 33, 32, 31, 30, 28, 29, 27, 26, 25, 24, 23, 22, 21, 20, 18, 19, 17, 16, 15, 14, 13, 12, 10, 11, 9, 8, 7,
    6, 5, 4, 3, 2, 0, 1
};

static void check_sort(const int64_t *keys, const uint16_t *perm, size_t n)
{
    static ls_ev e[128];
    assert_true(n <= 128);
    for (size_t i = 0; i < n; i++) {
        memset(&e[i], 0, sizeof e[i]);
        e[i].seq = (uint64_t)keys[i];
        e[i].off = i;
    }
    gt_ls_go_sort_by_seq(e, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(e[i].off, perm[i]);
}

/* Events with equal sequence numbers come out where Go's sort puts them. */
static void test_go_sort(void **state)
{
    (void)state;
    check_sort(sort_keys0, sort_perm0, 13);
    check_sort(sort_keys1, sort_perm1, 60);
    check_sort(sort_keys2, sort_perm2, 90);
    check_sort(sort_keys3, sort_perm3, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_error_record),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_batch_split),
        cmocka_unit_test(test_go_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
