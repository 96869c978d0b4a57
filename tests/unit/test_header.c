/* Header recognition for every version Go wrote, plus garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gotrace.h"

static void make(uint8_t out[16], const char *text)
{
    memset(out, 0, 16);
    memcpy(out, text, strlen(text));
}

static void test_every_version(void **state)
{
    (void)state;
    static const struct { const char *text; unsigned v; gt_format f; } known[] = {
        {"go 1.5 trace", 5, GT_FORMAT_LEGACY},   {"go 1.7 trace", 7, GT_FORMAT_LEGACY},
        {"go 1.8 trace", 8, GT_FORMAT_LEGACY},   {"go 1.9 trace", 9, GT_FORMAT_LEGACY},
        {"go 1.10 trace", 10, GT_FORMAT_LEGACY}, {"go 1.11 trace", 11, GT_FORMAT_LEGACY},
        {"go 1.19 trace", 19, GT_FORMAT_LEGACY}, {"go 1.21 trace", 21, GT_FORMAT_LEGACY},
        {"go 1.22 trace", 22, GT_FORMAT_V2},     {"go 1.23 trace", 23, GT_FORMAT_V2},
        {"go 1.25 trace", 25, GT_FORMAT_V2},     {"go 1.26 trace", 26, GT_FORMAT_V2},
    };
    size_t count;
    const unsigned *vs = gt_versions(&count);
    assert_int_equal(count, sizeof known / sizeof known[0]);
    for (size_t i = 0; i < count; i++) {
        uint8_t h[16], w[16];
        make(h, known[i].text);
        unsigned v = 0;
        assert_int_equal(gt_header_parse(h, 16, &v), GT_OK);
        assert_int_equal(v, known[i].v);
        assert_int_equal(vs[i], known[i].v);
        assert_int_equal(gt_version_format(v), known[i].f);
        assert_int_equal(gt_header_write(w, 16, v), 16);
        assert_memory_equal(w, h, 16);
        /* Every proper prefix asks for more input. */
        for (size_t n = 0; n < 16; n++) assert_int_equal(gt_header_parse(h, n, &v), GT_NEED_INPUT);
    }
}

static void test_unsupported(void **state)
{
    (void)state;
    static const unsigned bad[] = {1, 4, 6, 12, 18, 20, 24, 27, 99, 100};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[32];
        uint8_t h[16];
        snprintf(text, sizeof text, "go 1.%u trace", bad[i]);
        make(h, text);
        unsigned v = 0;
        assert_int_equal(gt_header_parse(h, 16, &v), GT_ERR_UNSUPPORTED_VERSION);
        assert_int_equal(v, bad[i]);
        assert_int_equal(gt_header_write(h, 16, bad[i]), 0);
    }
}

static void test_garbage(void **state)
{
    (void)state;
    static const char *const texts[] = {"go 2.22 trace", "GO 1.22 trace", "go 1.22 trac", "go 1.022 trace",
                                        "go 1. trace", "go 1.22trace", "\x7f" "ELF", "go 1.22 traces",
                                        "go 1.x trace", "go1.22 trace"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        uint8_t h[16];
        make(h, texts[i]);
        unsigned v;
        assert_int_equal(gt_header_parse(h, 16, &v), GT_ERR_NOT_TRACE);
    }
    uint8_t h[16];
    make(h, "go 1.22 trace");
    h[15] = 'x'; /* padding must be NUL */
    unsigned v;
    assert_int_equal(gt_header_parse(h, 16, &v), GT_ERR_NOT_TRACE);
    assert_int_equal(gt_header_write(h, 15, 22), 0);
}

/* Random bytes always give a status, never a read past n. */
static void test_random(void **state)
{
    (void)state;
    srand(7);
    const char *seed = "go 1.23 trace";
    for (int i = 0; i < 100000; i++) {
        size_t n = (size_t)(rand() % 17);
        uint8_t *p = malloc(n ? n : 1);
        for (size_t j = 0; j < n; j++)
            p[j] = rand() % 4 ? (uint8_t)(j < 13 ? seed[j] : 0) : (uint8_t)rand();
        unsigned v;
        gt_status s = gt_header_parse(p, n, &v);
        assert_true(s == GT_OK || s == GT_NEED_INPUT || s == GT_ERR_NOT_TRACE || s == GT_ERR_UNSUPPORTED_VERSION);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_version), cmocka_unit_test(test_unsupported),
                                       cmocka_unit_test(test_garbage), cmocka_unit_test(test_random)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
