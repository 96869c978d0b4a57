/* Internal state of gt_reader, shared by the v2 and legacy decoders. */
#ifndef GT_READER_H
#define GT_READER_H

#include "../common/internal.h"
#include "idmap.h"

enum { SRC_NONE = 0, SRC_MEM, SRC_CALLBACK, SRC_PUSH };

/* Where the bytes come from. For SRC_MEM, data is the caller's buffer and the
 * window is all of it; otherwise data == buf, a window of at most cap bytes. */
typedef struct gt_input {
    int mode;
    const uint8_t *data;
    uint8_t *buf;
    size_t cap;
    size_t pos;        /* index in data of the next unread byte */
    size_t end;        /* index in data past the last valid byte */
    uint64_t base;     /* file offset of data[0] */
    gt_read_fn fn;
    void *user;
    bool final;        /* no more input will come */
} gt_input;

/* One event type as the trace's version sees it (precomputed view). */
typedef struct gt_view_entry {
    const gt_event_spec *spec; /* NULL: not defined in this version */
    uint8_t nargs;
    uint8_t roles[GT_MAX_ARGS];
    uint8_t refmask; /* bit i: argument i is a string or stack ID */
    bool plain;      /* a timed event of event batches: no frames, no data */
} gt_view_entry;

/* A batch whose events are being handed out. */
typedef struct gt_batch_cursor {
    const uint8_t *p, *end; /* remaining payload */
    uint64_t base;          /* file offset of p's first byte when the batch started: payload_offset */
    const uint8_t *start;   /* payload start */
    int kind;               /* batch_kind in v2.c / legacy.c */
    uint64_t time;          /* running timestamp (ticks) */
    uint64_t m;
    uint64_t index;         /* next event index */
    uint64_t seq;           /* legacy 1.5 running sequence */
} gt_batch_cursor;

/* Per-generation validation state (v2) / whole-trace tables (legacy). */
typedef struct gt_gen {
    uint64_t gen;           /* current generation (0 = none open) */
    uint64_t prev_gen;      /* last closed generation (0 = none) */
    uint64_t start_offset;  /* offset of the generation's first batch */
    uint64_t first_batch;
    uint32_t freq_count, clock_count;
    uint64_t freq;
    bool has_event_batch;
    gt_idmap strings, stacks;
} gt_gen;

struct gt_reader {
    gt_mem mem;
    gt_limits lim;
    gt_input in;
    gt_error err;
    int state;              /* RS_* in reader.c */
    bool validate;
    unsigned version;
    gt_format format;
    gt_view_entry view[256];
    uint32_t skim_plan[256]; /* v2 plain events: nargs | (string|stack ID args) << 8 | stack ID args << 16 */
    uint32_t filter;            /* gt_reader_set_filter() mask */
    uint64_t counts[16];        /* items decoded per gt_kind */
    gt_batch_cursor cur;
    bool in_batch;
    uint64_t batch_count;   /* batches started */
    gt_gen g;
    uint64_t generations;   /* generations completed */
    uint64_t good_bytes;    /* end of the last complete generation / event */
    gt_frame *frames;       /* max_frames entries */
    /* v2: a batch read ahead whose generation change must be reported first. */
    bool pending_gen_end;
    uint64_t pending_offset;
    /* legacy state */
    uint64_t legacy_freq_seen;
    bool legacy_any_batch;
    uint64_t legacy_p;
    uint64_t legacy_time;
    uint64_t legacy_seq;
    uint64_t legacy_index;      /* next event index in the current batch */
    uint64_t legacy_events;     /* timed events seen (Go's "trace is empty" check) */
    bool legacy_ready;          /* the per-type tables below are filled */
    uint8_t legacy_plan[64];    /* per type: fast-path plan (PLAN_* in legacy.c), 0 = none */
    uint8_t legacy_kind[64];    /* per type: gt_kind of its items */
    uint8_t legacy_flags[64];   /* per type: LF_* in legacy.c */
};

/* input.c */
gt_status gt_input_fill(gt_reader *r, size_t want, const uint8_t **p, size_t *avail);
void gt_input_consume(gt_reader *r, size_t n);
uint64_t gt_input_offset(const gt_reader *r);
void gt_input_free(gt_reader *r);

/* reader.c */
gt_status gt_reader_fail(gt_reader *r, gt_status s, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void gt_event_clear(gt_event *ev);

/* Count an item and tell whether the caller asked for its kind. */
static inline bool gt_keep(gt_reader *r, const gt_event *ev)
{
    r->counts[ev->kind & 15]++;
    return (r->filter >> ev->kind) & 1u;
}

/* v2.c / legacy.c: produce the next item after the header. */
gt_status gt_v2_next(gt_reader *r, gt_event *ev);
gt_status gt_legacy_next(gt_reader *r, gt_event *ev);

#endif
