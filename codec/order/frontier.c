/* The frontier: one cursor per M with a pending event, kept in Go's binary
 * min-heap on the event time (batchcursor.go: heapInsert, heapUpdate,
 * heapRemove, siftUp, siftDown, min3), plus Go's slices.SortFunc (pdqsort,
 * unstable; codec/common/gosort.c) for the rare full sort and for the CPU
 * samples. Both are ported step for step because the order of equal times
 * decides which event Go tries first, and so which error it reports and
 * where samples go. */
#include "../common/gosort.h"
#include "order.h"

/*-************************************
 *  Heap
 **************************************/
static int64_t at(const gt_parser *p, size_t i) { return p->heap[i]->ev.time; }

static void swap_heap(gt_parser *p, size_t i, size_t j)
{
    ord_cursor *t = p->heap[i];
    p->heap[i] = p->heap[j];
    p->heap[j] = t;
}

static size_t sift_up(gt_parser *p, size_t i)
{
    while (i > 0 && at(p, (i - 1) / 2) > at(p, i)) {
        swap_heap(p, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    return i;
}

static size_t min3(const gt_parser *p, size_t i0, size_t i1, size_t i2)
{
    size_t n = p->nheap, idx = i0;
    int64_t t = INT64_MAX; /* Go's maxTime */
    if (i0 < n) t = at(p, i0);
    if (i1 < n && at(p, i1) < t) {
        t = at(p, i1);
        idx = i1;
    }
    if (i2 < n && at(p, i2) < t) idx = i2;
    return idx;
}

static void sift_down(gt_parser *p, size_t i)
{
    for (;;) {
        size_t m = min3(p, i, 2 * i + 1, 2 * i + 2);
        if (m == i) return;
        swap_heap(p, i, m);
        i = m;
    }
}

void ord_heap_insert(gt_parser *p, ord_cursor *c)
{
    p->heap[p->nheap++] = c;
    sift_up(p, p->nheap - 1);
}

void ord_heap_update(gt_parser *p, uint32_t i)
{
    if (sift_up(p, i) != i) return;
    sift_down(p, i);
}

void ord_heap_remove(gt_parser *p, uint32_t i)
{
    size_t k = i;
    while (k > 0) {
        swap_heap(p, (k - 1) / 2, k);
        k = (k - 1) / 2;
    }
    swap_heap(p, 0, p->nheap - 1);
    p->nheap--;
    sift_down(p, 0);
}

/*-************************************
 *  The two sorts Go does
 **************************************/
static bool cursor_less(void *ctx, size_t i, size_t j)
{
    ord_cursor **h = ctx;
    return h[i]->ev.time < h[j]->ev.time;
}

static void cursor_swap(void *ctx, size_t i, size_t j)
{
    ord_cursor **h = ctx, *t = h[i];
    h[i] = h[j];
    h[j] = t;
}

void ord_frontier_sort(gt_parser *p)
{
    gt_go_sort(p->heap, p->nheap, cursor_less, cursor_swap, GT_GO_SORT_GO127);
}

static bool sample_less(void *ctx, size_t i, size_t j)
{
    const ord_sample *s = ctx;
    return s[i].time < s[j].time;
}

static void sample_swap(void *ctx, size_t i, size_t j)
{
    ord_sample *s = ctx, t = s[i];
    s[i] = s[j];
    s[j] = t;
}

void ord_sort_samples(ord_sample *samples, size_t n)
{
    gt_go_sort(samples, n, sample_less, sample_swap, GT_GO_SORT_GO127);
}
