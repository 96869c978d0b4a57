/* Unit tests of codec/common/gosort: Go's unstable sort, step for step.
 *
 * The vectors are the permutation Go's sort.Sort makes of 200 elements with
 * five distinct keys (tests/go/gosortvec: `gosortvec 200 1`), built with Go
 * 1.21 and with Go 1.27. Many equal keys make the partitions unbalanced, so
 * the pattern breaker runs; its xorshift differs between the two releases,
 * and so do the permutations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/gosort.h"

static const unsigned go121[200] = {
    142, 32, 2, 86, 196, 193, 186, 87, 184, 180, 77, 178, 76, 13, 173, 42, 75, 171, 170, 165,
    163, 21, 73, 72, 90, 158, 91, 27, 28, 96, 154, 31, 41, 153, 64, 103, 61, 105, 108, 143,
    38, 56, 55, 43, 53, 129, 124, 52, 48, 116, 7, 102, 122, 139, 112, 65, 198, 81, 106, 59,
    145, 147, 148, 83, 123, 98, 115, 155, 94, 69, 157, 24, 160, 162, 88, 16, 174, 10, 0, 3,
    15, 150, 185, 80, 84, 161, 149, 36, 74, 37, 169, 82, 4, 172, 194, 138, 12, 133, 176, 99,
    177, 25, 128, 179, 46, 49, 121, 191, 190, 187, 182, 50, 101, 135, 8, 183, 111, 110, 118, 181,
    9, 58, 192, 47, 104, 62, 126, 11, 63, 5, 130, 66, 175, 97, 134, 6, 67, 14, 95, 93,
    70, 71, 40, 19, 144, 89, 164, 197, 35, 1, 34, 20, 152, 33, 22, 199, 156, 159, 140, 26,
    23, 29, 30, 151, 146, 39, 166, 167, 168, 141, 18, 17, 44, 137, 136, 132, 131, 45, 127, 125,
    120, 119, 117, 51, 114, 113, 54, 109, 188, 189, 57, 107, 60, 100, 68, 195, 92, 78, 79, 85,
};

static const unsigned go127[200] = {
    142, 61, 2, 86, 196, 193, 186, 87, 184, 180, 77, 178, 76, 13, 173, 75, 73, 171, 170, 165,
    163, 21, 72, 90, 91, 158, 96, 27, 28, 64, 154, 31, 32, 153, 103, 42, 105, 108, 38, 143,
    56, 41, 55, 43, 53, 129, 124, 52, 48, 116, 98, 155, 123, 139, 112, 81, 198, 65, 106, 59,
    147, 148, 0, 122, 115, 102, 94, 157, 145, 69, 24, 160, 162, 16, 88, 15, 174, 10, 7, 3,
    83, 150, 185, 80, 84, 161, 149, 36, 74, 37, 169, 82, 4, 172, 194, 138, 12, 133, 176, 99,
    177, 25, 128, 179, 46, 49, 121, 191, 190, 187, 182, 50, 101, 135, 8, 183, 111, 110, 118, 181,
    9, 58, 192, 47, 104, 62, 126, 11, 63, 5, 130, 66, 175, 97, 134, 6, 67, 14, 95, 93,
    70, 71, 40, 19, 144, 89, 164, 197, 35, 1, 34, 20, 152, 33, 22, 199, 156, 159, 140, 26,
    23, 29, 30, 151, 146, 39, 166, 167, 168, 141, 18, 17, 44, 137, 136, 132, 131, 45, 127, 125,
    120, 119, 117, 51, 114, 113, 54, 109, 188, 189, 57, 107, 60, 100, 68, 195, 92, 78, 79, 85,
};

typedef struct kv {
    unsigned key, id;
} kv;

static bool kv_less(void *ctx, size_t i, size_t j)
{
    const kv *e = ctx;
    return e[i].key < e[j].key;
}

static void kv_swap(void *ctx, size_t i, size_t j)
{
    kv *e = ctx, t = e[i];
    e[i] = e[j];
    e[j] = t;
}

static void fill(kv *e, size_t n, uint64_t seed)
{
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        e[i] = (kv){(unsigned)((x >> 60) % 5), (unsigned)i};
    }
}

static void check(gt_go_sort_release release, const unsigned *want)
{
    kv e[200];
    fill(e, 200, 1);
    gt_go_sort(e, 200, kv_less, kv_swap, release);
    for (size_t i = 0; i < 200; i++) assert_int_equal(e[i].id, want[i]);
}

static void test_go121(void **state)
{
    (void)state;
    check(GT_GO_SORT_GO121, go121);
}

static void test_go127(void **state)
{
    (void)state;
    check(GT_GO_SORT_GO127, go127);
}

/* The two releases really disagree here, so the vectors test the difference. */
static void test_releases_differ(void **state)
{
    (void)state;
    assert_true(memcmp(go121, go127, sizeof go121) != 0);
}

/* Short inputs: insertion sort, and nothing for 0 or 1 element. */
static void test_small(void **state)
{
    (void)state;
    kv e[12];
    fill(e, 12, 9);
    gt_go_sort(e, 12, kv_less, kv_swap, GT_GO_SORT_GO127);
    for (size_t i = 1; i < 12; i++) assert_true(e[i - 1].key <= e[i].key);
    gt_go_sort(e, 0, kv_less, kv_swap, GT_GO_SORT_GO121);
    gt_go_sort(e, 1, kv_less, kv_swap, GT_GO_SORT_GO121);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go121),
        cmocka_unit_test(test_go127),
        cmocka_unit_test(test_releases_differ),
        cmocka_unit_test(test_small),
    };
    return cmocka_run_group_tests_name("gosort", tests, NULL, NULL);
}
