/* Decoding helpers shared by the decode targets: a digest of decoded items
 * (their content, never their pointers), the invariants every item and every
 * verdict must satisfy, and a whole-buffer decode loop. */
#ifndef GT_FUZZ_TRACE_H
#define GT_FUZZ_TRACE_H

#include "fuzz_helpers.h"

/* What one decode produced. */
typedef struct fuzz_run {
    gt_status status;   /* GT_END or the (sticky) error */
    gt_error err;       /* copy of gt_reader_error() */
    gt_salvage salvage; /* gt_reader_salvage(r, input size) */
    unsigned version;
    uint64_t items;     /* items delivered (GT_OK returns) */
    uint64_t item_digest; /* over every item */
    uint64_t digest;    /* item_digest, then the verdict */
} fuzz_run;

/* Per-decode checking context. */
typedef struct fuzz_check {
    const uint8_t *base; /* the caller's buffer in zero-copy mode (data pointers must lie in it), else NULL */
    uint64_t size;       /* total input size */
    gt_limits lim;       /* limits in force (normalised: no zero fields) */
    uint64_t mem_floor;  /* bytes the reader held before its limits were set (the context itself) */
    unsigned version;    /* from the header item */
    int filtered;        /* a filter is set: the header item may not be delivered */
    uint64_t last_offset;
    uint64_t items;
    uint64_t digest;
} fuzz_check;

uint64_t fuzz_hash_u64(uint64_t h, uint64_t v);
uint64_t fuzz_hash_bytes(uint64_t h, const void *p, size_t n);
/* Hash of the item's decoded content: everything but pointers. */
uint64_t fuzz_hash_item(uint64_t h, const gt_event *ev);

/* lim may be NULL (defaults); zero fields mean the defaults, as in the API. */
void fuzz_check_init(fuzz_check *c, const uint8_t *base, uint64_t size, const gt_limits *lim);
/* Record what the freshly created reader holds (its own struct, allocated
 * before any limit applies): the budget check allows max(max_memory, that). */
void fuzz_check_reader(fuzz_check *c, const gt_reader *r);
/* A reader over data[0..size) in place, with the given validation, and c set
 * up for it (fuzz_check_init + fuzz_check_reader). Aborts if it cannot be made. */
gt_reader *fuzz_open_buffer(fuzz_check *c, const uint8_t *data, size_t size, int validate);
/* Every documented invariant of one delivered item; folds it into c->digest. */
void fuzz_check_item(fuzz_check *c, const gt_reader *r, const gt_event *ev);
/* After gt_reader_next() returned s (GT_END or an error): the verdict's
 * invariants (error record, stickiness, salvage, memory); fills *out. */
void fuzz_check_end(fuzz_check *c, gt_reader *r, gt_status s, fuzz_run *out);

/* Decode data[0..size) in place with gt_reader_set_buffer and check
 * everything. trail (optional, trail_cap entries) receives the running digest
 * after each item, for prefix comparisons. Returns 0, or -1 if the reader
 * could not be created (only with a failing allocator). */
int fuzz_decode_buffer(const uint8_t *data, size_t size, int validate, const gt_limits *lim,
                       const gt_alloc *alloc, fuzz_run *out, uint64_t *trail, size_t trail_cap);
/* The same with gt_reader_set_filter(filter) (UINT32_MAX: none). */
int fuzz_decode_buffer_ex(const uint8_t *data, size_t size, int validate, const gt_limits *lim,
                          const gt_alloc *alloc, uint32_t filter, fuzz_run *out, uint64_t *trail, size_t trail_cap);

/* A gt_alloc that checks the sizes realloc/free are given, counts what is
 * live (both must be 0 after the context is freed) and can fail: at call
 * fail_at (1-based; 0 = never), and every call after it if fail_after. */
typedef struct fuzz_arena {
    uint64_t calls;
    uint64_t fail_at;
    int fail_after;
    size_t live_bytes, live_blocks;
} fuzz_arena;
gt_alloc fuzz_arena_alloc(fuzz_arena *a);

/* Per-item record of a decode, for comparing a filtered decode with it. */
typedef struct fuzz_log {
    uint8_t *kinds;
    uint64_t *hashes; /* fuzz_hash_item(0, item) */
    size_t n, cap;
} fuzz_log;
void fuzz_log_init(fuzz_log *l, size_t cap);
void fuzz_log_free(fuzz_log *l);
/* As fuzz_decode_buffer, recording every item in *log (up to its capacity). */
void fuzz_decode_logged(const uint8_t *data, size_t size, int validate, fuzz_log *log, fuzz_run *out);
/* Decode again with gt_reader_set_filter(mask1), switching to mask2 after
 * `switch_after` delivered items: the delivered items must be exactly the
 * logged ones whose kind the filter in force selected, the verdict the same
 * as *full's, and gt_reader_count() of every kind the logged count. */
void fuzz_check_filtered(const uint8_t *data, size_t size, int validate, const fuzz_log *log, const fuzz_run *full,
                         uint32_t mask1, uint64_t switch_after, uint32_t mask2);

/* Two runs must agree on everything. */
/* gt_reader_set_filter against the unfiltered decode: two filtered runs of
 * data (masks chosen from its hash; the second one changed mid-way) must
 * deliver exactly the unfiltered items of the selected kinds, with the same
 * verdict and counts. */
void fuzz_check_filters(const uint8_t *data, size_t size, int validate);
void fuzz_assert_same_run(const fuzz_run *a, const fuzz_run *b, const char *what);

#endif
