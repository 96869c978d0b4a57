/* Internal state of gt_parser: the v2 ordering engine (a port of the rules of
 * Go 1.27's internal/trace Reader; see spec/ORDERING.md). Not installed.
 *
 * Layers, bottom up:
 *   source.c      input bytes (caller buffer, or a window filled by a callback)
 *                 and Go's batch framing (readBatch)
 *   arena.c       growth helpers, the payload arena, fault records
 *   map.c         open-addressing maps keyed by 64-bit IDs
 *   tables.c      one generation's strings, stacks, PCs, CPU samples and sync data
 *   generation.c  reading one generation (>= 1.26: end marker; < 1.26: spill)
 *   cursor.c      per-M batch cursors and Go's float time arithmetic
 *   frontier.c    the min-heap of cursors and Go's pdqsort
 *   state.c       G/P/M/task state, ranges and regions
 *   handlers.c    the advance handlers, as a dispatch table
 *   parser.c      the public API and the event loop (Go's ReadEvent)
 *   event.c       resolving queued events into gt_parsed
 *   format.c      Go's Event.String() text
 *   clock.c       Go's RFC 3339 wall-clock formatting
 */
#ifndef GT_ORDER_H
#define GT_ORDER_H

#include "../common/internal.h"

/* The hot files (cursor, handlers, parser) copy small records that were
 * written field by field just before (events, thread contexts). GCC's SLP
 * vectorizer turns those copies into 16-byte loads, which cannot be forwarded
 * from the 8-byte stores and wait for them to retire (measured: a quarter
 * of the time of some functions). Those files define ORD_HOT_FILE first. */
#if defined(ORD_HOT_FILE) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif

/* IDs are Go's int64 views of the wire's uint64 values. */
#define NO_ID INT64_C(-1)
#define NO_TASK UINT64_MAX
#define EV_SYNC 255u       /* Go's evSync: the type of Sync events */
#define TYPE_LIMIT 137u    /* len(tracev2.Specs()) */
#define GO_MAX_BATCH 65536u
#define GO_MAX_STRING 1024u
#define GO_MAX_FRAMES 128u
#define NONE32 UINT32_MAX

/* Go's tracev2.GoStatus and ProcStatus values. */
enum { GS_BAD = 0, GS_RUNNABLE, GS_RUNNING, GS_SYSCALL, GS_WAITING };
enum { PS_BAD = 0, PS_RUNNING, PS_IDLE, PS_SYSCALL, PS_ABANDONED };

/*-************************************
 *  Faults: Go's error value, kept until reported
 **************************************/
typedef struct ord_fault {
    gt_status status;   /* GT_OK: none */
    uint64_t offset, batch, event, generation;
    int64_t m;
    char *text;         /* Go's message (NUL-terminated, may hold NULs) */
    size_t len, cap;
    bool go_eof;        /* Go's error value is io.EOF itself: its readers take it for the end */
} ord_fault;

/*-************************************
 *  Per-type facts (derived from the v2 table once)
 **************************************/
typedef struct ord_type {
    const gt_event_spec *spec; /* NULL: no name in Go's full table */
    uint8_t nargs;             /* arguments after the timestamp delta */
    uint8_t timed;             /* Go's IsTimedEvent */
    uint8_t start;             /* Go's StartEv (0 = none) */
    uint8_t stack_arg;         /* 1 + index of the event's own stack argument, 0 = none */
    uint8_t string_mask;       /* bit i: argument i is a string ID */
    uint8_t stack_mask;        /* bit i: argument i is a stack ID */
} ord_type;

/*-************************************
 *  Maps keyed by 64-bit IDs
 **************************************/
typedef struct ord_map {
    uint64_t *keys;
    uint8_t *used;
    uint8_t *vals;
    size_t cap, count, vsize;
} ord_map;

/*-************************************
 *  Input
 **************************************/
enum { SRC_NONE = 0, SRC_MEM, SRC_CALLBACK };

typedef struct ord_src {
    int mode;
    const uint8_t *data; /* SRC_MEM: the caller's bytes; SRC_CALLBACK: buf */
    uint8_t *buf;
    size_t cap;
    size_t pos, end;     /* unread bytes are data[pos..end) */
    uint64_t base;       /* file offset of data[0] */
    gt_read_fn fn;
    void *user;
    bool eof, io_error;
} ord_src;

/* A batch as Go's readBatch returns it. */
typedef struct ord_raw {
    uint64_t gen;
    int64_t m;
    uint64_t time;
    const uint8_t *data; /* payload (the end-of-generation byte itself for `eog`) */
    uint32_t len;
    uint8_t exp;
    bool eog;            /* the top-level byte 52 */
    uint64_t offset;     /* file offset of the batch's first byte */
    uint64_t data_offset;
    uint64_t index;      /* 0-based batch number in the file */
    uint64_t bytes;      /* header + payload bytes */
} ord_raw;

/*-************************************
 *  One generation
 **************************************/
/* An event batch of the open generation. */
typedef struct ord_batch {
    const uint8_t *data;
    uint64_t offset;     /* file offset of data[0] */
    uint64_t time;       /* base timestamp (ticks) */
    uint64_t index;      /* batch number in the file */
    uint32_t len;
    uint32_t next;       /* next batch of the same M, NONE32 at the end */
} ord_batch;

/* The batches of one M, in file order (Go's batches[m]; slots follow batchMs). */
typedef struct ord_mlist {
    int64_t m;
    uint32_t first, last;
} ord_mlist;

typedef struct ord_str {
    const uint8_t *p;
    uint32_t len;
} ord_str;

typedef struct ord_stack {
    const uint8_t *frames; /* nframes * 4 varints (pc, func, file, line) */
    uint64_t offset;       /* file offset of the Stack entry */
    uint32_t nframes;
    uint32_t nbytes;       /* bytes of the frames */
} ord_stack;

typedef struct ord_pc {
    uint64_t func, file, line;
    uint64_t offset;       /* where this PC's frame was first seen */
} ord_pc;

typedef struct ord_sample {
    int64_t time;          /* ns after fixUpCPUSamples */
    int64_t m, p, g;
    uint64_t stack;
    uint64_t offset;
} ord_sample;

/* Chunks of copied payloads (callback input); pointers into them stay valid
 * until the generation is reset. */
typedef struct ord_chunk {
    struct ord_chunk *next;
    size_t size, used;
} ord_chunk;

typedef struct ord_gen {
    uint64_t gen;
    uint64_t min_ts;
    uint64_t start_offset;
    uint64_t end_offset;     /* where reading stopped (after the marker, before the spill) */
    uint64_t first_batch;    /* batch number of the first batch */
    uint64_t bytes;          /* batch bytes read into this generation */
    ord_batch *batches;
    uint32_t nbatches, batches_cap;
    ord_mlist *ms;
    uint32_t nms, ms_cap;
    ord_map ms_index;        /* m -> slot + 1 */
    ord_map strings;         /* id -> ord_str */
    ord_map stacks;          /* id -> ord_stack */
    /* Once the generation is read and its IDs are compact: the same tables
     * indexed by ID (absent entries have a NULL pointer). */
    bool dense;
    ord_str *dstrings;
    ord_stack *dstacks;
    size_t nd_strings, nd_stacks, dstrings_cap, dstacks_cap;
    uint64_t *sbits, *kbits;  /* presence bits of the dense string and stack IDs */
    size_t sbits_cap, kbits_cap;
    ord_map pcs;             /* pc -> ord_pc (first frame seen wins) */
    ord_sample *samples;
    size_t nsamples, samples_cap;
    uint32_t nevent_batches; /* Go's len(g.batches) != 0 test */
    /* sync batch */
    double freq;             /* ns per tick */
    bool has_freq;           /* a Frequency event was read (Go's freq != 0) */
    bool has_clock;
    uint64_t snap_time, snap_mono, snap_sec, snap_nsec;
    /* payload copies */
    ord_chunk *chunks, *spare;
} ord_gen;

/*-************************************
 *  Cursors and events
 **************************************/
/* Go's baseEvent: type, time and up to four arguments (after dt). */
typedef struct ord_base {
    int64_t time;
    uint64_t args[4];
    uint64_t offset;     /* file offset of the type byte */
    uint64_t batch;      /* batch number in the file */
    uint32_t index;      /* event index in its batch */
    uint8_t type;
} ord_base;

typedef struct ord_cursor {
    int64_t m;
    uint32_t slot;       /* ord_gen.ms slot */
    uint32_t batch;      /* current batch, NONE32 before the first */
    uint32_t pos;        /* next byte in the batch */
    uint32_t count;      /* events read from the current batch */
    uint32_t mstate;     /* the M's ord_state slot, NONE32 until known */
    int64_t last_ts;
    ord_base ev;
} ord_cursor;

/* An event ready to be returned (Go's Event: table, ctx, base). */
typedef struct ord_event {
    ord_base b;
    int64_t m, p, g;
    uint8_t synthetic;
    uint8_t has_table;   /* Sync: made with the generation's table */
    uint64_t gen;
    uint64_t extra_name; /* UserTaskEnd: index + 1 of the name in the extra strings, 0 = "" */
} ord_event;

typedef struct ord_queue {
    ord_event *buf;
    size_t cap, start, len;
} ord_queue;

/*-************************************
 *  Ordering state (whole trace)
 **************************************/
typedef struct ord_range {
    uint64_t desc;
    uint8_t typ;
} ord_range;

/* Ranges and regions of one G or P; most have none (ext = 0). */
typedef struct ord_ext {
    ord_range *ranges;
    uint32_t nranges, ranges_cap;
    uint8_t *regions;       /* records: name bytes, then task (8) and name length (4) */
    size_t rlen, rcap;
    uint32_t nregions;
    uint32_t next_free;
} ord_ext;

typedef struct ord_g {
    uint64_t seq_gen, seq;
    uint32_t ext;
    uint8_t status;
} ord_g;

typedef struct ord_p {
    uint64_t seq_gen, seq;
    uint32_t ext;
    uint8_t status;
} ord_p;

typedef struct ord_m {
    int64_t id, g, p;
} ord_m;

typedef struct ord_task {
    uint64_t parent;
    char *name;
    uint32_t len;
} ord_task;

typedef struct ord_state {
    ord_map gs;              /* GoID -> ord_g */
    ord_map ps;              /* ProcID -> ord_p */
    ord_map m_index;         /* ThreadID -> slot + 1 */
    ord_m *ms;
    uint32_t nms, ms_cap;
    ord_map tasks;           /* TaskID -> ord_task */
    ord_ext *ext;
    uint32_t next_ext, ext_cap, free_ext;
    uint64_t gc_seq;
    uint8_t gc_state;        /* 0 undetermined, 1 not running, 2 running */
    uint64_t initial_gen;
} ord_state;

typedef struct ord_ctx {
    int64_t g, p, m;
} ord_ctx;

/*-************************************
 *  The parser
 **************************************/
enum { PS_START = 0, PS_RUN, PS_DONE, PS_FAILED };

struct gt_parser {
    gt_mem mem;
    gt_limits lim;
    unsigned flags;
    int state;
    unsigned version;
    ord_type types[256];
    uint8_t evargs[256];     /* varints after the type byte of a timed event (dt included), 0 if not timed */
    ord_src src;
    gt_release_fn release;   /* gt_parser_set_release() */
    void *release_user;
    uint64_t batches_read;
    /* errors */
    gt_error err;
    ord_fault fault;         /* the reported error (full text) */
    ord_fault pending;       /* a read error waiting for its turn */
    bool pending_set;
    bool pending_sync;       /* < 1.26: the Sync before it was emitted */
    char *diag;              /* failed-to-advance explanation */
    ord_base fail_ev;        /* the event an ordering error is about */
    int64_t fail_m;
    bool fail_has_ev;
    size_t diag_len, diag_cap;
    /* generations */
    ord_gen gen;
    bool have_gen;
    ord_raw spill;
    bool have_spill;
    uint64_t generations;
    uint64_t complete;       /* generations fully delivered */
    uint64_t good_bytes;     /* end of the last complete generation */
    uint64_t eof_offset;     /* where a table ended in Go's io.EOF (0 = never) */
    /* frontier */
    ord_cursor *cursors;
    uint32_t ncursors, cursors_cap;
    ord_cursor **heap;
    uint32_t nheap, heap_cap;
    size_t sample_pos;
    /* ordering */
    ord_state st;
    ord_queue q;
    int64_t last_ts;
    uint64_t syncs;
    uint64_t events;
    /* extra strings of the generation (UserTaskEnd names) */
    ord_str *extra;
    uint32_t nextra, extra_cap;
    ord_event cur;           /* a Sync or CPU sample being delivered */
    bool verdict;            /* gt_parser_next_sync(): count what the handlers queue, keep nothing */
    uint32_t vcount;         /* events the last advance would have queued */
    /* resolution scratch */
    gt_stack_frame *frames;  /* 2 * GO_MAX_FRAMES */
    char *scratch;           /* range names and task names of the current event */
    size_t scratch_cap;
};

/*-************************************
 *  Internal functions
 **************************************/
/* arena.c */
/* Grow the array *pptr (pptr: the address of a T * variable) to hold need elements. */
gt_status ord_grow(gt_parser *p, void *pptr, size_t elem, uint32_t *cap, size_t need);
gt_status ord_grow_size(gt_parser *p, void *pptr, size_t elem, size_t *cap, size_t need);
gt_status ord_alloc_status(const gt_parser *p, size_t size);
gt_status ord_fail(gt_parser *p, gt_status s, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
gt_status ord_fault_set(gt_parser *p, ord_fault *f, gt_status s, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
gt_status ord_fault_vset(gt_parser *p, ord_fault *f, gt_status s, uint64_t offset, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
gt_status ord_fault_append(gt_parser *p, ord_fault *f, const void *bytes, size_t n);
gt_status ord_report(gt_parser *p, ord_fault *f);
void ord_fault_free(gt_parser *p, ord_fault *f);
const uint8_t *ord_copy_payload(gt_parser *p, const uint8_t *src, size_t n, gt_status *s);
void ord_chunks_reset(gt_parser *p);
void ord_chunks_free(gt_parser *p);
/* The context of the event being processed, for the next fault. */
void ord_fault_where(ord_fault *f, uint64_t batch, uint64_t event, uint64_t generation, int64_t m);

/* map.c */
static inline size_t ord_slot_of(uint64_t key, size_t cap)
{
    uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

static inline void *ord_map_get(const ord_map *m, uint64_t key)
{
    if (!m->count) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = ord_slot_of(key, m->cap);; i = (i + 1) & mask) {
        if (!m->used[i]) return NULL;
        if (m->keys[i] == key) return m->vals + i * m->vsize;
    }
}
void *ord_map_put(gt_parser *p, ord_map *m, uint64_t key, bool *created, gt_status *s);
void ord_map_del(ord_map *m, uint64_t key);
void ord_map_clear(ord_map *m);
void ord_map_free(gt_parser *p, ord_map *m);
void ord_map_init(ord_map *m, size_t vsize);
/* Iterate: *i starts at 0; returns false at the end. */
bool ord_map_next(const ord_map *m, size_t *i, uint64_t *key, void **val);

/* source.c */
void ord_src_free(gt_parser *p);
uint64_t ord_src_offset(const gt_parser *p);
void ord_src_release(gt_parser *p); /* before a generation is read: tell gt_parser_set_release()'s callback */
/* Go's readBatch. 1: a batch; 0: io.EOF (clean); -1: error (p->pending filled
 * with Go's message; the caller decides whether to report or defer it). */
int ord_read_batch(gt_parser *p, ord_raw *b, ord_fault *f);
/* Go's binary.ReadUvarint on p[0..n): 0 ok, 1 EOF, 2 unexpected EOF, 3 overflow. */
int ord_read_uvarint(const uint8_t *p, size_t n, uint64_t *v, size_t *used);
const char *ord_uvarint_error(int code);
gt_status ord_uvarint_status(int code);

/* tables.c */
gt_status ord_add_strings(gt_parser *p, const ord_raw *b, const uint8_t *data);
gt_status ord_add_stacks(gt_parser *p, const ord_raw *b, const uint8_t *data);
gt_status ord_add_samples(gt_parser *p, const ord_raw *b);
gt_status ord_set_sync(gt_parser *p, const ord_raw *b);
gt_status ord_validate_stacks(gt_parser *p);
void ord_fix_samples(gt_parser *p);
extern const ord_str ord_empty_string;
extern const ord_stack ord_no_stack;
/* The string or stack with this ID in the generation (ID 0 always exists); NULL if none. */
static inline const ord_str *ord_string(const ord_gen *g, uint64_t id)
{
    if (id == 0) return &ord_empty_string;
    if (g->dense) return id < g->nd_strings && g->dstrings[id].p ? &g->dstrings[id] : NULL;
    return (const ord_str *)ord_map_get(&g->strings, id);
}
static inline const ord_stack *ord_stack_get(const ord_gen *g, uint64_t id)
{
    if (id == 0) return &ord_no_stack;
    if (g->dense) return id < g->nd_stacks && g->dstacks[id].frames ? &g->dstacks[id] : NULL;
    return (const ord_stack *)ord_map_get(&g->stacks, id);
}
gt_status ord_densify(gt_parser *p);
/* Whether the ID exists, as Go's dataTable.get answers (ID 0 always does). */
static inline bool ord_has_string(const ord_gen *g, uint64_t id)
{
    if (g->dense) return id < g->nd_strings && (g->sbits[id >> 6] >> (id & 63) & 1u);
    return ord_string(g, id) != NULL;
}
static inline bool ord_has_stack(const ord_gen *g, uint64_t id)
{
    if (g->dense) return id < g->nd_stacks && (g->kbits[id >> 6] >> (id & 63) & 1u);
    return ord_stack_get(g, id) != NULL;
}
void ord_gen_reset(gt_parser *p);
void ord_gen_free(gt_parser *p);

/* generation.c */
/* Read the next generation into p->gen. 1: read; 0: no more (>= 1.26 only);
 * -1: error in p->pending (the generation is dropped). For < 1.26 a read
 * error after the first batch is left in p->pending (pending_set) with the
 * generation returned (1). */
int ord_read_generation(gt_parser *p);

/* cursor.c */
int64_t ord_freq_mul(double freq, uint64_t ticks);
int64_t ord_f64_to_i64(double x);
/* 1: an event was read; 0: the M has no more; -1: error (reported). */
int ord_cursor_next(gt_parser *p, ord_cursor *c);

/* frontier.c */
void ord_heap_insert(gt_parser *p, ord_cursor *c);
void ord_heap_update(gt_parser *p, uint32_t i);
void ord_heap_remove(gt_parser *p, uint32_t i);
void ord_frontier_sort(gt_parser *p);
void ord_sort_samples(ord_sample *s, size_t n);

/* state.c */
static inline ord_g *ord_g_get(gt_parser *p, int64_t id) { return (ord_g *)ord_map_get(&p->st.gs, (uint64_t)id); }
static inline ord_p *ord_p_get(gt_parser *p, int64_t id) { return (ord_p *)ord_map_get(&p->st.ps, (uint64_t)id); }
ord_g *ord_g_put(gt_parser *p, int64_t id, gt_status *s);
void ord_g_del(gt_parser *p, int64_t id);
ord_p *ord_p_put(gt_parser *p, int64_t id, gt_status *s);
/* M state slot of m, created if new (NONE32 on allocation failure). */
uint32_t ord_m_slot(gt_parser *p, int64_t m, gt_status *s);
uint32_t ord_m_find(const gt_parser *p, int64_t m);
ord_ext *ord_ext_of(gt_parser *p, uint32_t *ext, gt_status *s);
void ord_ext_release(gt_parser *p, uint32_t ext);
bool ord_range_has(const ord_ext *e, uint8_t typ, uint64_t desc);
gt_status ord_range_add(gt_parser *p, uint32_t *ext, uint8_t typ, uint64_t desc);
/* Remove the first range of type typ; false if none. */
bool ord_range_end(gt_parser *p, uint32_t ext, uint8_t typ, uint64_t *desc);
gt_status ord_region_push(gt_parser *p, uint32_t *ext, uint64_t task, const uint8_t *name, uint32_t len);
/* The innermost region (false if none). */
bool ord_region_top(const gt_parser *p, uint32_t ext, uint64_t *task, const uint8_t **name, uint32_t *len);
void ord_region_pop(gt_parser *p, uint32_t ext);
void ord_state_free(gt_parser *p);
const char *ord_go_status_name(uint64_t s);
const char *ord_proc_status_name(uint64_t s);

/* handlers.c */
/* Go's ordering.Advance. 1: advanced (events queued); 0: not ready; -1: error. */
int ord_advance(gt_parser *p, ord_base *ev, int64_t m, uint64_t gen, uint32_t *mslot);
/* Why the event cannot advance now (for the diagnostic); "" if it could. */
void ord_explain(gt_parser *p, const ord_base *ev, int64_t m, uint64_t gen, char *dst, size_t cap);
const char *ord_ev_name(const gt_parser *p, unsigned type, char *buf, size_t cap);
void ord_init_types(gt_parser *p);
/* A new slot at the queue's tail (NULL when it cannot grow: *s says why). */
ord_event *ord_queue_slot(gt_parser *p, gt_status *s);
/* The queue's head, removed; valid until the next ord_queue_slot(). */
static inline ord_event *ord_queue_pop(gt_parser *p)
{
    ord_queue *q = &p->q;
    if (!q->len) return NULL;
    ord_event *e = &q->buf[q->start];
    q->start = (q->start + 1) & (q->cap - 1);
    q->len--;
    return e;
}

/* event.c */
gt_status ord_resolve(gt_parser *p, const ord_event *e, gt_parsed *out);
/* Check the stack and string IDs of e against its generation's tables
 * (reports the error). ord_ids_ok only answers. */
gt_status ord_check_ids(gt_parser *p, const ord_event *e);
bool ord_ids_ok(const gt_parser *p, const ord_base *b);

/* clock.c */
/* Go's time.Unix(sec, nsec).Format(RFC3339Nano) in the process's local zone. */
size_t ord_format_wall(char *dst, size_t cap, int64_t sec, int64_t nsec);

#endif
