/* Go's unstable sort, step for step: the pattern-defeating quicksort that
 * sort.Sort (sort/zsortinterface.go) and slices.SortFunc
 * (slices/zsortanyfunc.go) both run, generated in Go from one template
 * (insertion sort up to 12 elements, median-of-three or Tukey's ninther
 * pivots, partial insertion sort on nearly sorted runs, a deterministic
 * xorshift to break patterns, heapsort after too many bad pivots). Where Go
 * sorts elements that compare equal, which order they end up in is whatever
 * this algorithm makes of its input; the ordering engine (the frontier, CPU
 * samples) and legacy semantics (go 1.5 events by sequence) reproduce Go's
 * choice by running the same steps. Not installed. */
#ifndef GT_COMMON_GOSORT_H
#define GT_COMMON_GOSORT_H

#include "internal.h"

typedef bool (*gt_go_less_fn)(void *ctx, size_t i, size_t j);
typedef void (*gt_go_swap_fn)(void *ctx, size_t i, size_t j);

/* Sort elements 0..n-1 of whatever ctx holds, as Go's sort.Sort would. */
void gt_go_sort(void *ctx, size_t n, gt_go_less_fn less, gt_go_swap_fn swap);

#endif
