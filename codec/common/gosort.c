/* Go's pdqsort step for step (see gosort.h). */
#include "gosort.h"

typedef struct seq {
    gt_go_less_fn less;
    gt_go_swap_fn swap;
    void *ctx;
    gt_go_sort_release release;
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
        if (s->release == GT_GO_SORT_GO121) { /* xorshift.Next up to Go 1.23 */
            random ^= random << 13;
            random ^= random >> 17;
            random ^= random << 5;
        } else { /* Go 1.27 */
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
        }
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

#undef LESS
#undef SWAP

void gt_go_sort(void *ctx, size_t n, gt_go_less_fn less, gt_go_swap_fn swap, gt_go_sort_release release)
{
    seq s = {less, swap, ctx, release};
    pdqsort(&s, 0, (long)n, bit_len(n));
}

