/* The frontier: one cursor per M with a pending event, kept in Go's binary
 * min-heap on the event time (batchcursor.go: heapInsert, heapUpdate,
 * heapRemove, siftUp, siftDown, min3), plus Go's slices.SortFunc (pdqsort,
 * unstable) for the rare full sort and for the CPU samples. Both are ported
 * step for step because the order of equal times decides which event Go
 * tries first, and so which error it reports and where samples go. */
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
 *  Go's pdqsort (slices/zsortanyfunc.go), over an abstract sequence
 **************************************/
typedef struct seq {
    bool (*less)(void *ctx, size_t i, size_t j);
    void (*swap)(void *ctx, size_t i, size_t j);
    void *ctx;
} seq;

enum { UNKNOWN_HINT = 0, INCREASING_HINT, DECREASING_HINT };

#define LESS(i, j) s->less(s->ctx, (size_t)(i), (size_t)(j))
#define SWAP(i, j) s->swap(s->ctx, (size_t)(i), (size_t)(j))

static void insertion_sort(const seq *s, long a, long b)
{
    for (long i = a + 1; i < b; i++)
        for (long j = i; j > a && LESS(j, j - 1); j--) SWAP(j, j - 1);
}

static void heap_sift_down(const seq *s, long lo, long hi, long first)
{
    long root = lo;
    for (;;) {
        long child = 2 * root + 1;
        if (child >= hi) return;
        if (child + 1 < hi && LESS(first + child, first + child + 1)) child++;
        if (!LESS(first + root, first + child)) return;
        SWAP(first + root, first + child);
        root = child;
    }
}

static void heap_sort(const seq *s, long a, long b)
{
    long first = a, lo = 0, hi = b - a;
    for (long i = (hi - 1) / 2; i >= 0; i--) heap_sift_down(s, i, hi, first);
    for (long i = hi - 1; i >= 0; i--) {
        SWAP(first, first + i);
        heap_sift_down(s, lo, i, first);
    }
}

static unsigned bit_len(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

static void break_patterns(const seq *s, long a, long b)
{
    long length = b - a;
    if (length < 8) return;
    uint64_t random = (uint64_t)length;
    uint64_t modulus = (uint64_t)1 << bit_len((uint64_t)length);
    for (long idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        long other = (long)(random & (modulus - 1));
        if (other >= length) other -= length;
        SWAP(idx, a + other);
    }
}

static void order2(const seq *s, long *a, long *b, int *swaps)
{
    if (LESS(*b, *a)) {
        (*swaps)++;
        long t = *a;
        *a = *b;
        *b = t;
    }
}

static long median(const seq *s, long a, long b, long c, int *swaps)
{
    order2(s, &a, &b, swaps);
    order2(s, &b, &c, swaps);
    order2(s, &a, &b, swaps);
    return b;
}

static long median_adjacent(const seq *s, long a, int *swaps) { return median(s, a - 1, a, a + 1, swaps); }

static long choose_pivot(const seq *s, long a, long b, int *hint)
{
    const long shortest_ninther = 50;
    const int max_swaps = 4 * 3;
    long l = b - a;
    int swaps = 0;
    long i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= shortest_ninther) {
            i = median_adjacent(s, i, &swaps);
            j = median_adjacent(s, j, &swaps);
            k = median_adjacent(s, k, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? INCREASING_HINT : swaps == max_swaps ? DECREASING_HINT : UNKNOWN_HINT;
    return j;
}

static void reverse_range(const seq *s, long a, long b)
{
    for (long i = a, j = b - 1; i < j; i++, j--) SWAP(i, j);
}

static bool partial_insertion_sort(const seq *s, long a, long b)
{
    const int max_steps = 5;
    const long shortest_shifting = 50;
    long i = a + 1;
    for (int step = 0; step < max_steps; step++) {
        while (i < b && !LESS(i, i - 1)) i++;
        if (i == b) return true;
        if (b - a < shortest_shifting) return false;
        SWAP(i, i - 1);
        if (i - a >= 2)
            for (long j = i - 1; j >= 1; j--) {
                if (!LESS(j, j - 1)) break;
                SWAP(j, j - 1);
            }
        if (b - i >= 2)
            for (long j = i + 1; j < b; j++) {
                if (!LESS(j, j - 1)) break;
                SWAP(j, j - 1);
            }
    }
    return false;
}

static long partition_equal(const seq *s, long a, long b, long pivot)
{
    SWAP(a, pivot);
    long i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !LESS(a, i)) i++;
        while (i <= j && LESS(a, j)) j--;
        if (i > j) break;
        SWAP(i, j);
        i++;
        j--;
    }
    return i;
}

static long partition(const seq *s, long a, long b, long pivot, bool *already)
{
    SWAP(a, pivot);
    long i = a + 1, j = b - 1;
    while (i <= j && LESS(i, a)) i++;
    while (i <= j && !LESS(j, a)) j--;
    if (i > j) {
        SWAP(j, a);
        *already = true;
        return j;
    }
    SWAP(i, j);
    i++;
    j--;
    for (;;) {
        while (i <= j && LESS(i, a)) i++;
        while (i <= j && !LESS(j, a)) j--;
        if (i > j) break;
        SWAP(i, j);
        i++;
        j--;
    }
    SWAP(j, a);
    *already = false;
    return j;
}

static void pdqsort(const seq *s, long a, long b, unsigned limit)
{
    const long max_insertion = 12;
    bool was_balanced = true, was_partitioned = true;
    for (;;) {
        long length = b - a;
        if (length <= max_insertion) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!was_balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        int hint;
        long pivot = choose_pivot(s, a, b, &hint);
        if (hint == DECREASING_HINT) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = INCREASING_HINT;
        }
        if (was_balanced && was_partitioned && hint == INCREASING_HINT && partial_insertion_sort(s, a, b)) return;
        if (a > 0 && !LESS(a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        bool already;
        long mid = partition(s, a, b, pivot, &already);
        was_partitioned = already;
        long left = mid - a, right = b - mid, threshold = length / 8;
        if (left < right) {
            was_balanced = left >= threshold;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

/* Go's slices.SortFunc(x, cmp). */
static void sort_func(const seq *s, size_t n) { pdqsort(s, 0, (long)n, bit_len(n)); }

#undef LESS
#undef SWAP

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
    seq s = {cursor_less, cursor_swap, p->heap};
    sort_func(&s, p->nheap);
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
    seq s = {sample_less, sample_swap, samples};
    sort_func(&s, n);
}
