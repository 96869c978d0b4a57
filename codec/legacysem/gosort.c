/* Go's sort.Sort (Go 1.19+), for the go 1.5 merge: a pattern-defeating
 * quicksort that is not stable. Which of two events with the same sequence
 * number comes first is whatever this algorithm makes of its input, so the
 * go 1.5 merge reproduces it step for step (insertion sort below 13
 * elements, median-of-three or Tukey's ninther pivots, partial insertion
 * sort on nearly sorted runs, a deterministic xorshift to break patterns,
 * heapsort after too many bad pivots). Go also feeds it the Ps in map
 * order, which no one can reproduce; we feed them in order of first
 * appearance. */
#include "legacysem.h"

enum { HINT_UNKNOWN, HINT_INCREASING, HINT_DECREASING };

static bool less(const ls_ev *e, size_t i, size_t j) { return gt_ls_i64(e[i].seq) < gt_ls_i64(e[j].seq); }

static void swap(ls_ev *e, size_t i, size_t j)
{
    ls_ev t = e[i];
    e[i] = e[j];
    e[j] = t;
}

static void insertion(ls_ev *e, size_t a, size_t b)
{
    for (size_t i = a + 1; i < b; i++)
        for (size_t j = i; j > a && less(e, j, j - 1); j--) swap(e, j, j - 1);
}

static void sift_down(ls_ev *e, size_t lo, size_t hi, size_t first)
{
    size_t root = lo;
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= hi) return;
        if (child + 1 < hi && less(e, first + child, first + child + 1)) child++;
        if (!less(e, first + root, first + child)) return;
        swap(e, first + root, first + child);
        root = child;
    }
}

static void heap_sort(ls_ev *e, size_t a, size_t b)
{
    size_t hi = b - a;
    for (size_t i = (hi - 1) / 2 + 1; i-- > 0;) sift_down(e, i, hi, a);
    for (size_t i = hi; i-- > 0;) {
        swap(e, a, a + i);
        sift_down(e, 0, i, a);
    }
}

/* Returns (x, y) ordered: *x is not after *y. */
static void order2(const ls_ev *e, size_t *x, size_t *y, int *swaps)
{
    if (less(e, *y, *x)) {
        size_t t = *x;
        *x = *y;
        *y = t;
        (*swaps)++;
    }
}

static size_t median(const ls_ev *e, size_t a, size_t b, size_t c, int *swaps)
{
    order2(e, &a, &b, swaps);
    order2(e, &b, &c, swaps);
    order2(e, &a, &b, swaps);
    return b;
}

static size_t choose_pivot(const ls_ev *e, size_t a, size_t b, int *hint)
{
    size_t l = b - a, i = a + l / 4, j = a + l / 4 * 2, k = a + l / 4 * 3;
    int swaps = 0;
    if (l >= 8) {
        if (l >= 50) { /* the ninther: medians of the neighbourhoods */
            i = median(e, i - 1, i, i + 1, &swaps);
            j = median(e, j - 1, j, j + 1, &swaps);
            k = median(e, k - 1, k, k + 1, &swaps);
        }
        j = median(e, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? HINT_INCREASING : swaps == 12 ? HINT_DECREASING : HINT_UNKNOWN;
    return j;
}

static void reverse(ls_ev *e, size_t a, size_t b)
{
    for (size_t i = a, j = b - 1; i < j; i++, j--) swap(e, i, j);
}

/* Shifts at most 5 out-of-order neighbours into place; true if sorted. */
static bool partial_insertion(ls_ev *e, size_t a, size_t b)
{
    size_t i = a + 1;
    for (int step = 0; step < 5; step++) {
        while (i < b && !less(e, i, i - 1)) i++;
        if (i == b) return true;
        if (b - a < 50) return false;
        swap(e, i, i - 1);
        if (i - a >= 2)
            for (size_t j = i - 1; j >= 1 && less(e, j, j - 1); j--) swap(e, j, j - 1);
        if (b - i >= 2)
            for (size_t j = i + 1; j < b && less(e, j, j - 1); j++) swap(e, j, j - 1);
    }
    return false;
}

static void break_patterns(ls_ev *e, size_t a, size_t b)
{
    size_t len = b - a;
    if (len < 8) return;
    uint64_t r = len;
    size_t mod = 1;
    while (mod <= len) mod <<= 1; /* the power of two above len's bit length */
    for (size_t idx = a + len / 4 * 2 - 1; idx <= a + len / 4 * 2 + 1; idx++) {
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        size_t other = (size_t)r & (mod - 1);
        if (other >= len) other -= len;
        swap(e, idx, a + other);
    }
}

/* Elements below the pivot to the left, the others to the right. */
static size_t partition(ls_ev *e, size_t a, size_t b, size_t pivot, bool *already)
{
    swap(e, a, pivot);
    size_t i = a + 1, j = b - 1; /* inclusive; j may pass below i */
    while (i <= j && less(e, i, a)) i++;
    while (i <= j && !less(e, j, a)) j--;
    if (i > j) {
        swap(e, j, a);
        *already = true;
        return j;
    }
    swap(e, i++, j--);
    for (;;) {
        while (i <= j && less(e, i, a)) i++;
        while (i <= j && !less(e, j, a)) j--;
        if (i > j) break;
        swap(e, i++, j--);
    }
    swap(e, j, a);
    *already = false;
    return j;
}

/* Elements equal to the pivot to the left (none is smaller). */
static size_t partition_equal(ls_ev *e, size_t a, size_t b, size_t pivot)
{
    swap(e, a, pivot);
    size_t i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !less(e, a, i)) i++;
        while (i <= j && less(e, a, j)) j--;
        if (i > j) return i;
        swap(e, i++, j--);
    }
}

static void pdq(ls_ev *e, size_t a, size_t b, unsigned limit)
{
    bool balanced = true, partitioned = true;
    for (;;) {
        size_t len = b - a;
        if (len <= 12) {
            insertion(e, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(e, a, b);
            return;
        }
        if (!balanced) {
            break_patterns(e, a, b);
            limit--;
        }
        int hint;
        size_t pivot = choose_pivot(e, a, b, &hint);
        if (hint == HINT_DECREASING) {
            reverse(e, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = HINT_INCREASING;
        }
        if (balanced && partitioned && hint == HINT_INCREASING && partial_insertion(e, a, b)) return;
        if (a > 0 && !less(e, a - 1, pivot)) {
            a = partition_equal(e, a, b, pivot);
            continue;
        }
        bool already;
        size_t mid = partition(e, a, b, pivot, &already);
        partitioned = already;
        size_t left = mid - a, right = b - mid;
        if (left < right) {
            balanced = left >= len / 8;
            pdq(e, a, mid, limit);
            a = mid + 1;
        } else {
            balanced = right >= len / 8;
            pdq(e, mid + 1, b, limit);
            b = mid;
        }
    }
}

void gt_ls_go_sort_by_seq(ls_ev *e, size_t n)
{
    if (n <= 1) return;
    unsigned bits = 0;
    for (size_t v = n; v; v >>= 1) bits++;
    pdq(e, 0, n, bits);
}
