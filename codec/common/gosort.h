/* Go's unstable sort, step for step: the pattern-defeating quicksort that
 * sort.Sort (sort/zsortinterface.go) and slices.SortFunc
 * (slices/zsortanyfunc.go) both run, generated in Go from one template
 * (insertion sort up to 12 elements, median-of-three or Tukey's ninther
 * pivots, partial insertion sort on nearly sorted runs, a deterministic
 * xorshift to break patterns, heapsort after too many bad pivots). Where Go
 * sorts elements that compare equal, which order they end up in is whatever
 * this algorithm makes of its input; the ordering engine (the frontier, CPU
 * samples) and legacy semantics (go 1.5 events by sequence) reproduce Go's
 * choice by running the same steps. The steps differ between releases in one
 * place: the xorshift that breaks patterns shifts by 13, 17, 5 up to Go 1.23
 * and by 13, 7, 17 in Go 1.27 (sort/sort.go and slices/sort.go alike), so the
 * caller names the release whose sort it reproduces. Not installed. */
#ifndef GT_COMMON_GOSORT_H
#define GT_COMMON_GOSORT_H

#include "internal.h"

typedef bool (*gt_go_less_fn)(void *ctx, size_t i, size_t j);
typedef void (*gt_go_swap_fn)(void *ctx, size_t i, size_t j);

/* Whose sort: the pattern breaker's xorshift of that release. */
typedef enum gt_go_sort_release {
    GT_GO_SORT_GO121 = 121, /* Go 1.19-1.23: 13, 17, 5 (Go 1.21's parser: the go 1.5 order) */
    GT_GO_SORT_GO127 = 127  /* Go 1.27: 13, 7, 17 (the frontier, CPU samples) */
} gt_go_sort_release;

/* Sort elements 0..n-1 of whatever ctx holds, as that release's sort.Sort
 * (or slices.SortFunc) would. */
void gt_go_sort(void *ctx, size_t n, gt_go_less_fn less, gt_go_swap_fn swap, gt_go_sort_release release);

#endif
