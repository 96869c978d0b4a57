/* Internal helpers shared by every part of the codec. Not installed. */
#ifndef GT_INTERNAL_H
#define GT_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../gotrace.h"

#define GT_STATIC_ASSERT(c, msg) _Static_assert(c, msg)
#define GT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define GT_LIKELY(x) __builtin_expect(!!(x), 1)
#define GT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Overflow-checked arithmetic on sizes derived from input. */
static inline bool gt_add_overflow(size_t a, size_t b, size_t *out) { return __builtin_add_overflow(a, b, out); }
static inline bool gt_mul_overflow(size_t a, size_t b, size_t *out) { return __builtin_mul_overflow(a, b, out); }

/* A memory budget: every allocation of a context goes through one of these. */
typedef struct gt_mem {
    gt_alloc alc;
    uint64_t limit;
    uint64_t used;
    uint64_t peak;
} gt_mem;

void gt_mem_init(gt_mem *m, const gt_alloc *alc, uint64_t limit);
/* Whether size more bytes would stay within the budget (nothing taken). */
bool gt_mem_fits(const gt_mem *m, uint64_t size);
/* NULL when the budget or the allocator refuses. */
void *gt_mem_alloc(gt_mem *m, size_t size);
void *gt_mem_calloc(gt_mem *m, size_t n, size_t elem);
void *gt_mem_realloc(gt_mem *m, void *p, size_t old_size, size_t new_size);
void gt_mem_free(gt_mem *m, void *p, size_t size);

/* Fill an error record; message is printf-formatted. Returns e->status. */
gt_status gt_error_set(gt_error *e, gt_status s, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void gt_error_clear(gt_error *e);

#endif
