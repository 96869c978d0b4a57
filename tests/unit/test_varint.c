/* Varints: known answers, round trips at every width boundary, padded
 * forms, and every malformed shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gotrace.h"

typedef struct kat {
    uint64_t v;
    size_t n;
    uint8_t bytes[10];
} kat;

static const kat kats[] = {
    {0, 1, {0x00}},
    {1, 1, {0x01}},
    {127, 1, {0x7f}},
    {128, 2, {0x80, 0x01}},
    {300, 2, {0xac, 0x02}},
    {16383, 2, {0xff, 0x7f}},
    {16384, 3, {0x80, 0x80, 0x01}},
    {15625000, 4, {0xa8, 0xd6, 0xb9, 0x07}},
    {UINT64_MAX, 10, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
};

static void test_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        uint8_t buf[10];
        assert_int_equal(gt_uvarint_write(buf, sizeof buf, kats[i].v), kats[i].n);
        assert_memory_equal(buf, kats[i].bytes, kats[i].n);
        assert_int_equal(gt_uvarint_size(kats[i].v), kats[i].n);
        uint64_t v = 0;
        size_t w = 0;
        assert_int_equal(gt_uvarint_read(kats[i].bytes, kats[i].n, &v, &w), GT_OK);
        assert_true(v == kats[i].v);
        assert_int_equal(w, kats[i].n);
    }
}

/* Values at every width boundary: 2^(7k)-1 and 2^(7k). */
static void test_round_trip_boundaries(void **state)
{
    (void)state;
    for (unsigned k = 1; k <= 10; k++) {
        uint64_t hi = k < 10 ? (UINT64_C(1) << (7 * k)) - 1 : UINT64_MAX;
        uint64_t vals[3] = {hi, hi - 1, k < 10 ? hi + 1 : 0};
        for (int j = 0; j < 3; j++) {
            uint8_t buf[10];
            size_t n = gt_uvarint_write(buf, sizeof buf, vals[j]);
            assert_int_equal(n, gt_uvarint_size(vals[j]));
            uint64_t v;
            size_t w;
            assert_int_equal(gt_uvarint_read(buf, n, &v, &w), GT_OK);
            assert_true(v == vals[j]);
            assert_int_equal(w, n);
            /* Too small a buffer writes nothing. */
            assert_int_equal(gt_uvarint_write(buf, n - 1, vals[j]), 0);
        }
        assert_int_equal(gt_uvarint_size(hi), k);
    }
}

static void test_padded(void **state)
{
    (void)state;
    /* The runtime's reserved batch length: 37 in 10 bytes. */
    const uint8_t want[10] = {0xa5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    uint8_t buf[10];
    assert_int_equal(gt_uvarint_write_padded(buf, 10, 37, 10), 10);
    assert_memory_equal(buf, want, 10);
    for (size_t width = 1; width <= 10; width++) {
        for (uint64_t v = 0; v < 300; v += 7) {
            size_t n = gt_uvarint_write_padded(buf, sizeof buf, v, width);
            if (gt_uvarint_size(v) > width) {
                assert_int_equal(n, 0);
                continue;
            }
            assert_int_equal(n, width);
            uint64_t got;
            size_t w;
            assert_int_equal(gt_uvarint_read(buf, n, &got, &w), GT_OK);
            assert_true(got == v);
            assert_int_equal(w, width); /* the width read lets re-encoding be exact */
        }
    }
    assert_int_equal(gt_uvarint_write_padded(buf, 10, UINT64_MAX, 10), 10);
    assert_int_equal(gt_uvarint_write_padded(buf, 10, 1, 0), 0);
    assert_int_equal(gt_uvarint_write_padded(buf, 10, 1, 11), 0);
    assert_int_equal(gt_uvarint_write_padded(buf, 3, 1, 4), 0);
}

static void test_malformed(void **state)
{
    (void)state;
    uint64_t v;
    size_t w;
    /* An 11th byte would be needed. */
    const uint8_t eleven[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    assert_int_equal(gt_uvarint_read(eleven, sizeof eleven, &v, &w), GT_ERR_VARINT);
    assert_int_equal(w, 10);
    /* Bits above 64 in the 10th byte. */
    const uint8_t big[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    assert_int_equal(gt_uvarint_read(big, sizeof big, &v, &w), GT_ERR_VARINT);
    /* Input ends inside the varint: every prefix of a 10-byte value. */
    for (size_t n = 0; n < 10; n++) {
        assert_int_equal(gt_uvarint_read(kats[8].bytes, n, &v, &w), GT_ERR_TRUNCATED);
        assert_int_equal(w, n);
    }
}

/* Any bytes yield a status and never read past n (ASan checks the heap copy). */
static void test_random_bytes(void **state)
{
    (void)state;
    srand(12345);
    for (int i = 0; i < 200000; i++) {
        size_t n = (size_t)(rand() % 12);
        uint8_t *p = malloc(n ? n : 1);
        for (size_t j = 0; j < n; j++) p[j] = (uint8_t)(rand() % 3 == 0 ? rand() : 0x80 | rand());
        uint64_t v;
        size_t w = 99;
        gt_status s = gt_uvarint_read(p, n, &v, &w);
        assert_true(s == GT_OK || s == GT_ERR_TRUNCATED || s == GT_ERR_VARINT);
        assert_true(w <= n);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers), cmocka_unit_test(test_round_trip_boundaries),
        cmocka_unit_test(test_padded), cmocka_unit_test(test_malformed), cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
