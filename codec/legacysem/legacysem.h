/* Legacy semantic validation: shared declarations of codec/legacysem/.
 *
 * The job is to reach the verdict one of Go's own legacy readers reaches on
 * a trace, with its words: Go 1.21's internal/trace parser ("go121") or the
 * v1 parser and converter inside Go 1.27 ("go127"). Both load the whole file
 * and work on slices of events; we keep only compact indexes and re-read the
 * caller's bytes as often as needed:
 *
 *   index.c       pass 1: every wire item through gt_reader (framing), plus
 *                 the oracle's own read-time checks; batches per P, CPU
 *                 samples, strings, timer goroutines, the frequency.
 *   decode.c      re-reading the events of a batch straight from the bytes.
 *   merge.c       Go's merge of the per-P streams (order1007): readiness by
 *                 goroutine sequence and status, smallest timestamp first,
 *                 then the time-order and syscall-exit checks and the stable
 *                 re-sort that moves syscall exits to their real time.
 *   seqsort.c     the go 1.5 merge (order1005): a global sort by sequence,
 *                 with Go's own (unstable) sort algorithm (common/gosort.c).
 *   futile.c      removeFutile (go121 only).
 *   postprocess.c the per-goroutine, per-P, task and region state checks.
 *   legacysem.c   the entry point and the error record.
 *   map.c         an open-addressing map from uint64 keys to small values.
 */
#ifndef GT_LEGACYSEM_H
#define GT_LEGACYSEM_H

#include "../common/internal.h"

/* Legacy event types (Go's numbering). */
enum {
    LS_BATCH = 1, LS_FREQUENCY = 2, LS_STACK = 3, LS_GOMAXPROCS = 4, LS_PROC_START = 5, LS_PROC_STOP = 6,
    LS_GC_START = 7, LS_GC_DONE = 8, LS_STW_START = 9, LS_STW_DONE = 10, LS_SWEEP_START = 11, LS_SWEEP_DONE = 12,
    LS_GO_CREATE = 13, LS_GO_START = 14, LS_GO_END = 15, LS_GO_STOP = 16, LS_GO_SCHED = 17, LS_GO_PREEMPT = 18,
    LS_GO_SLEEP = 19, LS_GO_BLOCK = 20, LS_GO_UNBLOCK = 21, LS_GO_BLOCK_SEND = 22, LS_GO_BLOCK_RECV = 23,
    LS_GO_BLOCK_SELECT = 24, LS_GO_BLOCK_SYNC = 25, LS_GO_BLOCK_COND = 26, LS_GO_BLOCK_NET = 27,
    LS_GO_SYSCALL = 28, LS_GO_SYSEXIT = 29, LS_GO_SYSBLOCK = 30, LS_GO_WAITING = 31, LS_GO_INSYSCALL = 32,
    LS_TIMER_GOROUTINE = 35, LS_FUTILE_WAKEUP = 36, LS_STRING = 37, LS_GO_START_LOCAL = 38,
    LS_GO_UNBLOCK_LOCAL = 39, LS_GO_SYSEXIT_LOCAL = 40, LS_GO_START_LABEL = 41, LS_GO_BLOCK_GC = 42,
    LS_MARK_ASSIST_START = 43, LS_MARK_ASSIST_DONE = 44, LS_TASK_CREATE = 45, LS_TASK_END = 46,
    LS_REGION = 47, LS_USER_LOG = 48, LS_CPU_SAMPLE = 49, LS_NTYPES = 50
};

/* Go's pseudo-Ps (FakeP + 1 ...). */
#define LS_TIMER_P 1000001
#define LS_NETPOLL_P 1000002
#define LS_SYSCALL_P 1000003
#define LS_GC_P 1000004
#define LS_PROFILE_P 1000005

#define LS_NONE32 UINT32_MAX

/* Two's-complement reinterpretation, as Go's int64(u) and uint64(i). */
static inline int64_t gt_ls_i64(uint64_t u) { return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1; }
static inline uint64_t gt_ls_u64(int64_t i) { return (uint64_t)i; }
/* Go's int32(u) on a uint64: the low 32 bits, two's complement. */
static inline int64_t gt_ls_i32(uint64_t u)
{
    uint32_t w = (uint32_t)u;
    return w <= (uint32_t)INT32_MAX ? (int64_t)w : -(int64_t)(~w) - 1;
}

/* One timed event as Go's parsers hold it after parseEvents: Ts is ticks
 * until the final stream converts it to nanoseconds. */
typedef struct ls_ev {
    int64_t ts;
    int64_t p;          /* Go's ev.P (int in Go 1.21, int32 in Go 1.27) */
    uint64_t g;
    uint64_t args[3];   /* Go's ev.Args (without ts, seq and stack) */
    uint64_t stk;       /* Go's ev.StkID */
    uint64_t off;       /* file offset of the event byte */
    uint64_t seq;       /* go 1.5: global sequence number */
    uint8_t type;       /* Go's ev.Type (Local variants renamed once merged) */
} ls_ev;

/* ---- map.c -------------------------------------------------------------- */

/* Keys are any uint64; values are vsize bytes (at most LS_MAP_MAX_VALUE),
 * zeroed when inserted. Pointers into the map are valid until the next
 * insertion (rehashes counts the moves). */
#define LS_MAP_MAX_VALUE 96
typedef struct ls_map {
    uint64_t *slots;      /* cap slots of stride words: the key, then the value */
    size_t cap, count, stride;
    uint64_t rehashes;
    bool has_side;        /* the key UINT64_MAX (the empty-slot mark) is present */
    uint64_t side[LS_MAP_MAX_VALUE / 8];
} ls_map;

void gt_ls_map_init(ls_map *m, size_t vsize);
void gt_ls_map_free(ls_map *m, gt_mem *mem);
/* The value of key, or NULL. */
void *gt_ls_map_get(const ls_map *m, uint64_t key);
/* The value of key, inserted zeroed if missing (*fresh = 1). NULL when memory
 * runs out; *st then says GT_ERR_LIMIT or GT_ERR_NOMEM. */
void *gt_ls_map_put(ls_map *m, gt_mem *mem, uint64_t key, int *fresh, gt_status *st);
void gt_ls_map_del(ls_map *m, uint64_t key);
/* Walk the values: start with *i = 0; NULL at the end. */
void *gt_ls_map_next(ls_map *m, size_t *i);

/* Make room for element n of the array whose address (a T **) is arrp
 * (amortised doubling); GT_OK or the memory status. */
gt_status gt_ls_grow(gt_mem *mem, void *arrp, size_t *cap, size_t n, size_t elem);
/* GT_ERR_LIMIT if the budget refuses `size` more bytes, GT_ERR_NOMEM if the
 * allocator did. */
gt_status gt_ls_mem_status(const gt_mem *mem, size_t size);

/* ---- decode.c ----------------------------------------------------------- */

/* The layout of each event type in one version. */
typedef struct ls_layout {
    unsigned version;
    unsigned base;            /* values before the arguments: dt (1.5: dseq, dt) */
    uint8_t defined[64];
    uint8_t nvals[64];        /* values on the wire (for timed events: incl. dt/dseq and stack) */
    uint8_t timed[64];
    uint8_t has_stack[64];    /* Go's desc.Stack: the last value is a stack ID */
} ls_layout;

void gt_ls_layout_init(ls_layout *l, unsigned version);

/* One wire item re-read from the bytes. */
typedef struct ls_item {
    uint64_t off;
    uint8_t type, argbits;
    unsigned nvals;
    uint64_t vals[GT_MAX_ARGS];
    uint64_t data_off, data_len; /* String and UserLog: where their bytes are */
    uint64_t len_off;            /* UserLog: where its message length starts */
} ls_item;

/* Read the item at *pos (< size) and advance *pos past it. Values of
 * Stack, String and the UserLog message are skipped, not returned. A
 * UserLog message cut by the end of the input ends at the end. false if
 * the bytes do not hold an item (pass 1 rules that out). */
bool gt_ls_decode(const ls_layout *l, const uint8_t *data, size_t size, uint64_t *pos, ls_item *it);
/* Go 1.21 only: rewrite the ten-byte varints of the item at off whose last
 * byte Go reads without complaint (2 to 0x7f) to the value Go reads.
 * Returns how many. */
size_t gt_ls_go121_varints(const ls_layout *l, uint8_t *data, size_t size, uint64_t off);

/* ---- the context ---------------------------------------------------------- */

/* A batch: the bytes from one Batch event to the next (or to the end). The
 * events before the first Batch (Go 1.21 gives them P 0) form a pseudo
 * batch. */
typedef struct ls_batch {
    uint64_t off;      /* offset of the Batch event (pseudo batch: of its first item) */
    uint32_t next;     /* next batch of the same P, LS_NONE32 at the end */
    uint32_t proc;     /* index in procs[] */
    uint8_t pseudo;
} ls_batch;

/* One P with batches (Go's map key is the P as written). */
typedef struct ls_proc {
    uint64_t p;        /* P as written */
    uint32_t first, last;
} ls_proc;

/* A CPU sample (go 1.19+), collected in pass 1 as Go does. */
typedef struct ls_cpu {
    int64_t ts;
    int64_t p;
    uint64_t g, stk, off;
} ls_cpu;

/* A Go 1.27 error found while reading a batch that Go only reports when the
 * merge loads that batch. */
typedef struct ls_loaderr {
    uint32_t batch;
    gt_status status;
    uint64_t off;
    char message[96];
} ls_loaderr;

enum { LS_GO121 = 121, LS_GO127 = 127 };

typedef struct ls_ctx {
    gt_mem mem;
    gt_error *err;
    gt_limits lim;
    const uint8_t *data;
    size_t size;
    uint8_t *copy;       /* go121: the input rewritten to read as Go reads it */
    uint64_t empty_at;   /* go121: a UserLog message length to read as 0 (0 = none) */
    uint8_t empty_width;
    unsigned version;
    int oracle;          /* LS_GO121 / LS_GO127 */
    ls_layout layout;
    bool failed;

    /* pass 1 */
    ls_batch *batches;
    size_t nbatches, cap_batches;
    ls_proc *procs;
    size_t nprocs, cap_procs;
    ls_map proc_of;      /* P as written -> index in procs */
    ls_cpu *cpu;
    size_t ncpu, cap_cpu;
    ls_loaderr *loaderr;
    size_t nloaderr, cap_loaderr;
    ls_map strings;      /* string ID -> {offset of the bytes, length} */
    ls_map timers;       /* timer goroutines (set) */
    uint64_t freq;       /* the last frequency (file order) */
    bool have_freq;
    uint64_t timed;      /* timed events (CPU samples included) */
    uint64_t futile;     /* FutileWakeup events */
    uint64_t end_off;    /* where the items end (a go121 UserLog message may be cut) */
    uint64_t max_string; /* the largest string ID read */
    uint64_t user_logs;  /* UserLog events */
} ls_ctx;

/* Record the first error (later calls are ignored). Returns status. */
gt_status gt_ls_fail(ls_ctx *c, gt_status status, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
gt_status gt_ls_nomem(ls_ctx *c, gt_status st, const char *what);

/* index.c */
gt_status gt_ls_index(ls_ctx *c);
void gt_ls_index_free(ls_ctx *c);

/* ---- cursors (cursor.c) ---------------------------------------------------- */

/* Reads one P's events from its batches, in order, as Go's parseEvents
 * makes them (time, arguments, the goroutine of each event). */
typedef struct ls_cursor {
    uint32_t proc;      /* index in procs[] */
    uint32_t batch;     /* current batch, LS_NONE32 before the first */
    uint32_t wait_next; /* merge.c: next cursor waiting on the same goroutine */
    uint8_t state;      /* merge.c */
    uint64_t pos, end;  /* the rest of the current batch */
    uint64_t ts, seq;   /* running time and (1.5) sequence */
    uint64_t lastg;     /* Go's lastG of this P */
    uint64_t arrival;   /* merge.c: heap tie-break */
    ls_ev head;
} ls_cursor;

void gt_ls_cursor_init(ls_cursor *cu, uint32_t proc);
/* The next timed event into cu->head: 1, 0 at the end of the P's events, -1
 * on error (recorded in c: a Go 1.27 batch error when the batch loads). */
int gt_ls_cursor_next(ls_ctx *c, ls_cursor *cu);

/* ---- the final stream ------------------------------------------------------ */

/* Consumer of the final event stream (Go's `events` after ordering, the
 * syscall-exit re-sort and the conversion to nanoseconds). */
typedef gt_status (*ls_sink_fn)(ls_ctx *c, void *state, ls_ev *ev);

/* The conversion of the ordered stream: times to nanoseconds from the first
 * event, GoUnblock by a timer goroutine to Go's TimerP, GoSysExit to
 * SyscallP, then the sink. */
typedef struct ls_final {
    ls_sink_fn sink;
    void *state;
    double ns_per_tick;
    int64_t min_ts;
    bool started;
} ls_final;

void gt_ls_final_init(const ls_ctx *c, ls_final *f, ls_sink_fn sink, void *state);
gt_status gt_ls_final_emit(ls_ctx *c, ls_final *f, ls_ev *ev);

/* The ordering of the whole trace, checked once, then streamed as often as
 * needed: ls_order for 1.7+ (each stream re-reads the bytes), ls_seqorder
 * for 1.5 (the sorted events). */
typedef struct ls_order ls_order;
typedef struct ls_seqorder ls_seqorder;

/* merge.c (1.7+) and seqsort.c (1.5): run the ordering and its checks
 * (errors recorded in c); *out is set even on error (free it). */
gt_status gt_ls_order1007_check(ls_ctx *c, ls_order **out);
gt_status gt_ls_order1007_stream(ls_ctx *c, ls_order *o, ls_sink_fn sink, void *state);
void gt_ls_order1007_free(ls_ctx *c, ls_order *o);
gt_status gt_ls_order1005_check(ls_ctx *c, ls_seqorder **out);
/* seqsort.c: Go's sort.Sort of events by sequence number (not stable). */
void gt_ls_go_sort_by_seq(ls_ev *e, size_t n);
gt_status gt_ls_order1005_stream(ls_ctx *c, ls_seqorder *o, ls_sink_fn sink, void *state);
void gt_ls_order1005_free(ls_ctx *c, ls_seqorder *o);

/* futile.c (go121): find the futile wakeups in a first run of the final
 * stream, then filter them out of a second one. */
typedef struct ls_futile ls_futile;
gt_status gt_ls_futile_create(ls_ctx *c, ls_futile **out);
void gt_ls_futile_free(ls_ctx *c, ls_futile *f);
gt_status gt_ls_futile_scan(ls_ctx *c, void *state, ls_ev *ev);
/* true if ev (the next event of the second run) is removed. */
bool gt_ls_futile_drop(ls_futile *f, const ls_ev *ev);

/* postprocess.c */
typedef struct ls_post ls_post;
gt_status gt_ls_post_create(ls_ctx *c, ls_post **out);
void gt_ls_post_free(ls_ctx *c, ls_post *pp);
gt_status gt_ls_post_event(ls_ctx *c, void *state, ls_ev *ev);
/* Attach a futile-wakeup filter (go121, may be NULL). */
void gt_ls_post_set_futile(ls_post *pp, ls_futile *f);
/* go127: the converter's verdict after a clean parse (FutileWakeup, or the
 * panic of a converter whose string table could not be set up). */
gt_status gt_ls_post_finish(ls_ctx *c, ls_post *pp);

#endif
