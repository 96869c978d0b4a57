/* Unit tests of the text form: gt_text_header, gt_text_event, gt_text_quote.
 * Expected quoted strings were produced by Go 1.23's strconv.Quote. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "gotrace.h"
#include "events/events.h"
#include "text/text.h"

#define GUARD  0x5A
#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1

/* Calls f(dst, cap) with every cap from 0 to the full length + 1 and checks
 * the contract: the return value is always the full length; nothing is
 * written at or beyond cap; the text is complete when it fits (NUL-terminated
 * when there is room), otherwise a NUL-terminated prefix. */
typedef size_t (*render_fn)(char *dst, size_t cap, const void *arg);

static void check_all_caps(render_fn f, const void *arg, const char *want)
{
    size_t n = strlen(want);
    char buf[1024];
    assert_true(n + 2 < sizeof buf);
    assert_int_equal(f(NULL, 0, arg), n);
    for (size_t cap = 0; cap <= n + 1; cap++) {
        memset(buf, GUARD, sizeof buf);
        size_t got = f(buf, cap, arg);
        assert_int_equal(got, n);
        for (size_t i = cap; i < sizeof buf; i++) assert_int_equal((unsigned char)buf[i], GUARD);
        if (cap > n) {
            assert_memory_equal(buf, want, n);
            assert_int_equal(buf[n], '\0');
        } else if (cap == n) {
            assert_memory_equal(buf, want, n); /* complete, no room for the NUL */
        } else if (cap > 0) {
            size_t k = strlen(buf); /* NUL-terminated within cap */
            assert_true(k < cap);
            assert_memory_equal(buf, want, k);
        }
    }
}

/*-************************************
 *  Header
 **************************************/
static size_t render_header(char *dst, size_t cap, const void *arg)
{
    return gt_text_header(dst, cap, *(const unsigned *)arg);
}

static void test_header(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(gt_text_header(buf, sizeof buf, 23), 13);
    assert_string_equal(buf, "Trace Go1.23\n");
    assert_int_equal(gt_text_header(buf, sizeof buf, 5), 12);
    assert_string_equal(buf, "Trace Go1.5\n");
    unsigned v = 22;
    check_all_caps(render_header, &v, "Trace Go1.22\n");
}

/*-************************************
 *  Quote
 **************************************/
typedef struct quote_case {
    const char *in;
    size_t n;
    const char *want;
} quote_case;

/* Generated with Go 1.23: fmt.Printf of strconv.Quote(in). */
static const quote_case quote_cases[] = {
    {"", 0, "\"\""},
    {"hello, world", 12, "\"hello, world\""},
    {"a\"b\\c\012d\000e", 9, "\"a\\\"b\\\\c\\nd\\x00e\""},
    {"\007\010\014\012\015\011\013\001\037\177", 10, "\"\\a\\b\\f\\n\\r\\t\\v\\x01\\x1f\\x7f\""},
    {"caf\303\251 \346\227\245\346\234\254", 12, "\"caf\303\251 \346\227\245\346\234\254\""},
    {"zw\342\200\213sp nel\302\205 shy\302\255 nbsp\302\240", 26, "\"zw\\u200bsp nel\\u0085 shy\\u00ad nbsp\\u00a0\""},
    {"\377\376 bad \300\200 \355\240\200 \346\227 \364\220\200\200 \360\237\230", 25,
     "\"\\xff\\xfe bad \\xc0\\x80 \\xed\\xa0\\x80 \\xe6\\x97 \\xf4\\x90\\x80\\x80 \\xf0\\x9f\\x98\""},
    {"\357\277\275\357\277\275|\200", 8, "\"\357\277\275\357\277\275|\\x80\""},
    {"\360\237\230\200 \363\240\200\201 \364\217\277\277 \360\240\200\200 \357\273\277 \342\200\250", 27,
     "\"\360\237\230\200 \\U000e0001 \\U0010ffff \360\240\200\200 \\ufeff \\u2028\""},
    {"\315\270\315\267", 4, "\"\\u0378\315\267\""},
    {"\303\251\351", 3, "\"\303\251\\xe9\""},
};

static void test_quote_cases(void **state)
{
    (void)state;
    char buf[256];
    for (size_t i = 0; i < sizeof quote_cases / sizeof quote_cases[0]; i++) {
        const quote_case *c = &quote_cases[i];
        size_t got = gt_text_quote(buf, sizeof buf, (const uint8_t *)c->in, c->n);
        assert_int_equal(got, strlen(c->want));
        assert_string_equal(buf, c->want);
    }
    /* NULL source with length 0. */
    assert_int_equal(gt_text_quote(buf, sizeof buf, NULL, 0), 2);
    assert_string_equal(buf, "\"\"");
}

static size_t render_quote(char *dst, size_t cap, const void *arg)
{
    const quote_case *c = arg;
    return gt_text_quote(dst, cap, (const uint8_t *)c->in, c->n);
}

static void test_quote_small_cap(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof quote_cases / sizeof quote_cases[0]; i++)
        check_all_caps(render_quote, &quote_cases[i], quote_cases[i].want);
}

/* Worst case: every byte becomes \xNN. */
static void test_quote_worst_case(void **state)
{
    (void)state;
    uint8_t in[100];
    memset(in, 0xFF, sizeof in);
    char buf[512];
    assert_int_equal(gt_text_quote(buf, sizeof buf, in, sizeof in), 402);
    assert_int_equal(gt_text_quote(buf, 402, in, sizeof in), 402);
    assert_memory_equal(buf, "\"\\xff\\xff", 9);
    assert_int_equal(buf[401], '"');
}

static void test_isprint(void **state)
{
    (void)state;
    assert_true(gt_text_isprint(' '));
    assert_true(gt_text_isprint('~'));
    assert_false(gt_text_isprint(0x7F));
    assert_false(gt_text_isprint(0x85));
    assert_false(gt_text_isprint(0xA0));
    assert_true(gt_text_isprint(0xA1));
    assert_false(gt_text_isprint(0xAD));
    assert_true(gt_text_isprint(0xE9));
    assert_true(gt_text_isprint(0x65E5));
    assert_false(gt_text_isprint(0x200B));
    assert_false(gt_text_isprint(0xD800));
    assert_true(gt_text_isprint(0xFFFD));
    assert_false(gt_text_isprint(0xFEFF));
    assert_true(gt_text_isprint(0x1F600));
    assert_true(gt_text_isprint(0x20000));
    assert_false(gt_text_isprint(0xE0001));
    assert_false(gt_text_isprint(0x10FFFF));
    assert_false(gt_text_isprint(0x110000));
    assert_false(gt_text_isprint(UINT32_MAX));
}

/*-************************************
 *  Events
 **************************************/
static gt_event mk(unsigned version, unsigned type, gt_kind kind, const uint64_t *args, unsigned n)
{
    gt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.spec = gt_spec(version, type);
    assert_non_null(ev.spec);
    ev.kind = (uint8_t)kind;
    ev.type = (uint8_t)type;
    ev.nargs = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) ev.args[i] = args[i];
    return ev;
}

static void expect_event(unsigned version, const gt_event *ev, unsigned flags, const char *want)
{
    char buf[1024];
    memset(buf, GUARD, sizeof buf);
    size_t got = gt_text_event(buf, sizeof buf, version, ev, flags);
    assert_string_equal(buf, want);
    assert_int_equal(got, strlen(want));
}

static void test_v2_simple(void **state)
{
    (void)state;
    {
        uint64_t a[] = {1, 3, 10, 6};
        gt_event ev = mk(23, GT_V2_EVENT_BATCH, GT_KIND_BATCH, a, 4);
        expect_event(23, &ev, 0, "EventBatch gen=1 m=3 time=10 size=6\n");
    }
    {
        uint64_t a[] = {1, UINT64_MAX, 2753926854385u, 1430};
        gt_event ev = mk(22, GT_V2_EVENT_BATCH, GT_KIND_BATCH, a, 4);
        expect_event(22, &ev, 0, "EventBatch gen=1 m=18446744073709551615 time=2753926854385 size=1430\n");
    }
    {
        uint64_t a[] = {336, 2, 1};
        gt_event ev = mk(23, 10, GT_KIND_EVENT, a, 3);
        expect_event(23, &ev, 0, "ProcStart dt=336 p=2 p_seq=1\n");
    }
    {
        uint64_t a[] = {26};
        gt_event ev = mk(23, 11, GT_KIND_EVENT, a, 1);
        expect_event(23, &ev, 0, "ProcStop dt=26\n");
    }
    {
        uint64_t a[] = {36, 35, 17, 59};
        gt_event ev = mk(23, 14, GT_KIND_EVENT, a, 4);
        expect_event(23, &ev, 0, "GoCreate dt=36 new_g=35 new_stack=17 stack=59\n");
    }
    {
        gt_event ev = mk(23, GT_V2_STRINGS, GT_KIND_TABLE_MARKER, NULL, 0);
        expect_event(23, &ev, 0, "Strings\n");
    }
    {
        uint64_t a[] = {15625000};
        gt_event ev = mk(23, GT_V2_FREQUENCY, GT_KIND_FREQUENCY, a, 1);
        expect_event(23, &ev, 0, "Frequency freq=15625000\n");
    }
    {
        uint64_t a[] = {100, 0, 2, 0, 0};
        gt_event ev = mk(23, GT_V2_CPU_SAMPLE, GT_KIND_CPU_SAMPLE, a, 5);
        expect_event(23, &ev, 0, "CPUSample time=100 m=0 p=2 g=0 stack=0\n");
    }
    {
        uint64_t a[] = {0, 0};
        gt_event ev = mk(26, GT_V2_END_OF_GENERATION, GT_KIND_END_OF_GENERATION, a, 0);
        expect_event(26, &ev, 0, "EndOfGeneration\n");
    }
    {
        uint64_t a[] = {5, 1, 2, 3};
        gt_event ev = mk(25, GT_V2_CLOCK_SNAPSHOT, GT_KIND_CLOCK_SNAPSHOT, a, 4);
        expect_event(25, &ev, 0, "ClockSnapshot dt=5 mono=1 sec=2 nsec=3\n");
    }
}

static const gt_frame frames2[] = {
    {4325468, 7, 8, 157, {0}},
    {4214580, 9, 10, 1720, {0}},
};

static void test_v2_stack(void **state)
{
    (void)state;
    uint64_t a[] = {29, 2};
    gt_event ev = mk(23, GT_V2_STACK, GT_KIND_STACK, a, 2);
    ev.frames = frames2;
    ev.nframes = 2;
    expect_event(23, &ev, 0,
                 "Stack id=29 nframes=2\n"
                 "\tpc=4325468 func=7 file=8 line=157\n"
                 "\tpc=4214580 func=9 file=10 line=1720\n");
    /* A stack with no frames. */
    uint64_t b[] = {3, 0};
    gt_event e0 = mk(23, GT_V2_STACK, GT_KIND_STACK, b, 2);
    expect_event(23, &e0, 0, "Stack id=3 nframes=0\n");
}

static void test_v2_string(void **state)
{
    (void)state;
    static const uint8_t data[] = "say \"hi\"\\ \n\0 \xff caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xe2\x80\x8b \xc2\x85";
    uint64_t a[] = {12};
    gt_event ev = mk(23, GT_V2_STRING, GT_KIND_STRING, a, 1);
    ev.data = data;
    ev.data_len = sizeof data - 1;
    ev.data_len_width = 1;
    expect_event(23, &ev, 0,
                 "String id=12\n"
                 "\tdata=\"say \\\"hi\\\"\\\\ \\n\\x00 \\xff caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \\u200b \\u0085\"\n");

    /* Empty string: Go's raw reader gives nil data, so no data line. */
    gt_event e0 = mk(23, GT_V2_STRING, GT_KIND_STRING, a, 1);
    e0.data = data;
    e0.data_len = 0;
    expect_event(23, &e0, 0, "String id=12\n");
    e0.data = NULL;
    expect_event(23, &e0, 0, "String id=12\n");

    /* Experimental batch: exp, gen, m, time, then the payload as data. */
    uint64_t x[] = {1, 2, 3, 4};
    gt_event eb = mk(23, GT_V2_EXPERIMENTAL_BATCH, GT_KIND_BATCH, x, 4);
    static const uint8_t payload[] = {0x80, 0x01, 'a', 0};
    eb.data = payload;
    eb.data_len = sizeof payload;
    expect_event(23, &eb, 0, "ExperimentalBatch exp=1 gen=2 m=3 time=4\n\tdata=\"\\x80\\x01a\\x00\"\n");
}

static void test_not_wire_items(void **state)
{
    (void)state;
    char buf[16];
    uint64_t a[] = {23};
    gt_event ev = mk(23, GT_V2_EVENT_BATCH, GT_KIND_HEADER, a, 1);
    memset(buf, GUARD, sizeof buf);
    assert_int_equal(gt_text_event(buf, sizeof buf, 23, &ev, 0), 0);
    assert_int_equal(buf[0], '\0');
    ev.kind = GT_KIND_GENERATION_END;
    assert_int_equal(gt_text_event(buf, sizeof buf, 23, &ev, GT_TEXT_LOSSLESS), 0);
    assert_int_equal(gt_text_event(NULL, 0, 23, &ev, 0), 0);
    ev.kind = GT_KIND_EVENT;
    ev.spec = NULL;
    assert_int_equal(gt_text_event(buf, sizeof buf, 23, &ev, 0), 0);
    assert_int_equal(gt_text_event(buf, sizeof buf, 23, NULL, 0), 0);
}

/* Names too long for the unchecked fast path take the checked path. */
static void test_long_names(void **state)
{
    (void)state;
    static const char long_name[] = "AVeryLongEventNameThatIsLongerThanTheFastPathLimitOfSixtyFourBytes";
    static const gt_arg_spec args[] = {{"dt", GT_ARG_TIME_DELTA, 0, 0}, {long_name, GT_ARG_VALUE, 0, 0}};
    static const gt_event_spec spec = {long_name, 9, 22, GT_EV_TIMED, 0, 2, args};
    gt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = GT_KIND_EVENT;
    ev.spec = &spec;
    ev.nargs = 2;
    ev.args[0] = 1;
    ev.args[1] = 1234567890123u;
    char want[512];
    snprintf(want, sizeof want, "%s dt=1 %s=1234567890123\n", long_name, long_name);
    expect_event(23, &ev, 0, want);
}

typedef struct ev_arg {
    unsigned version;
    const gt_event *ev;
    unsigned flags;
} ev_arg;

static size_t render_event(char *dst, size_t cap, const void *arg)
{
    const ev_arg *e = arg;
    return gt_text_event(dst, cap, e->version, e->ev, e->flags);
}

static void test_event_small_cap(void **state)
{
    (void)state;
    static const uint8_t data[] = "x\"\xe6\x97\xa5\xff";
    uint64_t a[] = {7};
    gt_event s = mk(23, GT_V2_STRING, GT_KIND_STRING, a, 1);
    s.data = data;
    s.data_len = sizeof data - 1;
    s.data_len_width = 2;
    ev_arg e1 = {23, &s, GT_TEXT_LOSSLESS};
    check_all_caps(render_event, &e1, "String id=7\n\t# w=datalen:2\n\tdata=\"x\\\"\xe6\x97\xa5\\xff\"\n");

    uint64_t b[] = {29, 2};
    gt_event k = mk(23, GT_V2_STACK, GT_KIND_STACK, b, 2);
    k.frames = frames2;
    k.nframes = 2;
    ev_arg e2 = {23, &k, 0};
    check_all_caps(
        render_event, &e2,
        "Stack id=29 nframes=2\n\tpc=4325468 func=7 file=8 line=157\n\tpc=4214580 func=9 file=10 line=1720\n");
}

/*-************************************
 *  Legacy
 **************************************/
static void test_legacy(void **state)
{
    (void)state;
    {
        uint64_t a[] = {0, 1, 123456};
        gt_event ev = mk(21, GT_LEG_BATCH, GT_KIND_BATCH, a, 3);
        expect_event(21, &ev, 0, "Batch p=0 ticks=1\n"); /* seq is 1.5 only */
        expect_event(5, &ev, 0, "Batch p=0 seq=1 ticks=123456\n");
    }
    {
        uint64_t a[] = {4, 7, 19, 2, 3}; /* 1.5: dseq dt g stack stkid */
        gt_event ev = mk(5, 13, GT_KIND_EVENT, a, 5);
        expect_event(5, &ev, 0, "GoCreate dseq=4 dt=7 g=19 stack=2 stkid=3\n");
        uint64_t b[] = {7, 19, 2, 3}; /* 1.7+: dt g stack stkid */
        gt_event e2 = mk(11, 13, GT_KIND_EVENT, b, 4);
        expect_event(11, &e2, 0, "GoCreate dt=7 g=19 stack=2 stkid=3\n");
    }
    {
        /* 1.5 stacks carry only PCs. */
        static const gt_frame f[] = {{0x401000, 0, 0, 0, {0}}, {0x402000, 0, 0, 0, {0}}};
        uint64_t a[] = {1, 2};
        gt_event ev = mk(5, GT_LEG_STACK, GT_KIND_STACK, a, 2);
        ev.frames = f;
        ev.nframes = 2;
        expect_event(5, &ev, 0, "Stack id=1 siz=2\n\tpc=4198400\n\tpc=4202496\n");
        gt_event e2 = mk(19, GT_LEG_STACK, GT_KIND_STACK, a, 2);
        e2.frames = frames2;
        e2.nframes = 2;
        expect_event(19, &e2, 0,
                     "Stack id=1 siz=2\n\tpc=4325468 func=7 file=8 line=157\n\tpc=4214580 func=9 file=10 line=1720\n");
    }
    {
        /* Legacy strings always print their data line, even when empty. */
        uint64_t a[] = {3};
        gt_event ev = mk(9, GT_LEG_STRING, GT_KIND_STRING, a, 1);
        expect_event(9, &ev, 0, "String id=3\n\tdata=\"\"\n");
        ev.data = (const uint8_t *)"main.main";
        ev.data_len = 9;
        expect_event(9, &ev, 0, "String id=3\n\tdata=\"main.main\"\n");
    }
    {
        uint64_t a[] = {10, 1, 5, 4}; /* dt id keyid stkid, then the message */
        gt_event ev = mk(21, GT_LEG_USER_LOG, GT_KIND_EVENT, a, 4);
        expect_event(21, &ev, 0, "UserLog dt=10 id=1 keyid=5 stkid=4\n\tdata=\"\"\n");
        ev.data = (const uint8_t *)"v\t1";
        ev.data_len = 3;
        expect_event(21, &ev, 0, "UserLog dt=10 id=1 keyid=5 stkid=4\n\tdata=\"v\\t1\"\n");
    }
}

static void test_legacy_argbits(void **state)
{
    (void)state;
    /* What the runtime writes (see text.c). */
    assert_int_equal(gt_legacy_argbits(gt_spec(21, GT_LEG_BATCH), 21), 1);
    assert_int_equal(gt_legacy_argbits(gt_spec(5, GT_LEG_BATCH), 5), 1);
    assert_int_equal(gt_legacy_argbits(gt_spec(21, GT_LEG_FREQUENCY), 21), 0);
    assert_int_equal(gt_legacy_argbits(gt_spec(5, GT_LEG_FREQUENCY), 5), 0);
    assert_int_equal(gt_legacy_argbits(gt_spec(5, GT_LEG_TIMER_GOROUTINE), 5), 0);
    assert_int_equal(gt_legacy_argbits(gt_spec(21, GT_LEG_STACK), 21), 3);
    assert_int_equal(gt_legacy_argbits(gt_spec(5, GT_LEG_STACK), 5), 3);
    assert_int_equal(gt_legacy_argbits(gt_spec(21, GT_LEG_STRING), 21), 0);
    assert_int_equal(gt_legacy_argbits(gt_spec(21, GT_LEG_CPU_SAMPLE), 21), 3);
    assert_int_equal(gt_legacy_argbits(gt_spec(21, GT_LEG_USER_LOG), 21), 3);
    assert_int_equal(gt_legacy_argbits(gt_spec(21, 6), 21), 0);  /* ProcStop: dt */
    assert_int_equal(gt_legacy_argbits(gt_spec(5, 6), 5), 0);    /* ProcStop: dseq dt */
    assert_int_equal(gt_legacy_argbits(gt_spec(21, 16), 21), 1); /* GoStop: dt stkid */
    assert_int_equal(gt_legacy_argbits(gt_spec(21, 7), 21), 2);  /* GCStart: dt seq stkid */
    assert_int_equal(gt_legacy_argbits(gt_spec(5, 7), 5), 1);    /* GCStart 1.5: dseq dt stkid */
    assert_int_equal(gt_legacy_argbits(gt_spec(21, 29), 21), 3); /* GoSysExit: dt g seq ts */
    assert_int_equal(gt_legacy_argbits(gt_spec(5, 13), 5), 3);   /* GoCreate 1.5 */
}

/*-************************************
 *  Lossless annotations
 **************************************/
static void test_lossless_v2(void **state)
{
    (void)state;
    uint64_t a[] = {1, 3, 10, 6};
    gt_event ev = mk(23, GT_V2_EVENT_BATCH, GT_KIND_BATCH, a, 4);
    /* Nothing non-default: no comment (width 0 and minimal widths). */
    expect_event(23, &ev, GT_TEXT_LOSSLESS, "EventBatch gen=1 m=3 time=10 size=6\n");
    uint8_t w[] = {1, 1, 1, 1};
    memcpy(ev.width, w, sizeof w);
    expect_event(23, &ev, GT_TEXT_LOSSLESS, "EventBatch gen=1 m=3 time=10 size=6\n");
    /* The runtime reserves 10 bytes for the batch size. */
    ev.width[3] = 10;
    expect_event(23, &ev, GT_TEXT_LOSSLESS, "EventBatch gen=1 m=3 time=10 size=6\n\t# w=size:10\n");
    expect_event(23, &ev, 0, "EventBatch gen=1 m=3 time=10 size=6\n");
    ev.width[0] = 2;
    expect_event(23, &ev, GT_TEXT_LOSSLESS, "EventBatch gen=1 m=3 time=10 size=6\n\t# w=gen:2,size:10\n");

    /* Frames and data length. */
    gt_frame f[2];
    memcpy(f, frames2, sizeof f);
    f[0].width[0] = 4; /* 4325468 needs 4 bytes: minimal */
    f[1].width[3] = 3; /* 1720 needs 2 */
    f[1].width[1] = 5;
    uint64_t b[] = {29, 2};
    gt_event st = mk(23, GT_V2_STACK, GT_KIND_STACK, b, 2);
    st.frames = f;
    st.nframes = 2;
    st.width[1] = 2;
    expect_event(23, &st, GT_TEXT_LOSSLESS,
                 "Stack id=29 nframes=2\n"
                 "\t# w=nframes:2,frame1.func:5,frame1.line:3\n"
                 "\tpc=4325468 func=7 file=8 line=157\n"
                 "\tpc=4214580 func=9 file=10 line=1720\n");

    /* A padded length of an empty string: annotated, still no data line. */
    uint64_t c[] = {5};
    gt_event s = mk(23, GT_V2_STRING, GT_KIND_STRING, c, 1);
    s.data_len = 0;
    s.data_len_width = 2;
    expect_event(23, &s, GT_TEXT_LOSSLESS, "String id=5\n\t# w=datalen:2\n");

    /* The experiment ID is a raw byte: never annotated. */
    uint64_t x[] = {200, 2, 3, 4};
    gt_event eb = mk(23, GT_V2_EXPERIMENTAL_BATCH, GT_KIND_BATCH, x, 4);
    eb.width[0] = 1;
    eb.data = (const uint8_t *)"ab";
    eb.data_len = 2;
    eb.data_len_width = 1;
    expect_event(23, &eb, GT_TEXT_LOSSLESS, "ExperimentalBatch exp=200 gen=2 m=3 time=4\n\tdata=\"ab\"\n");
}

static void test_lossless_legacy(void **state)
{
    (void)state;
    /* GoSysExit (1.21): dt g seq ts, length-prefixed with L = 4 in one byte. */
    uint64_t a[] = {5, 19, 1, 1000};
    gt_event ev = mk(21, 29, GT_KIND_EVENT, a, 4);
    ev.argbits = 3;
    ev.block_len_width = 1;
    ev.block_len = 5; /* 1 + 1 + 1 + 2 */
    expect_event(21, &ev, GT_TEXT_LOSSLESS, "GoSysExit dt=5 g=19 seq=1 ts=1000\n");
    ev.block_len = 9;
    ev.block_len_width = 2;
    expect_event(21, &ev, GT_TEXT_LOSSLESS, "GoSysExit dt=5 g=19 seq=1 ts=1000\n\t# w=len:2 blen=9\n");
    ev.block_len_width = 1;
    ev.width[1] = 3;
    ev.block_len = 7;
    expect_event(21, &ev, GT_TEXT_LOSSLESS, "GoSysExit dt=5 g=19 seq=1 ts=1000\n\t# w=g:3\n");

    /* ProcStop written with non-default argument bits. */
    uint64_t b[] = {8};
    gt_event ps = mk(21, 6, GT_KIND_EVENT, b, 1);
    expect_event(21, &ps, GT_TEXT_LOSSLESS, "ProcStop dt=8\n");
    ps.argbits = 2;
    expect_event(21, &ps, GT_TEXT_LOSSLESS, "ProcStop dt=8\n\t# bits=2\n");

    /* Stack: L covers the frames too. */
    static const gt_frame f[] = {{1, 2, 3, 4, {1, 1, 1, 2}}};
    uint64_t c[] = {1, 1};
    gt_event st = mk(21, GT_LEG_STACK, GT_KIND_STACK, c, 2);
    st.frames = f;
    st.nframes = 1;
    st.argbits = 3;
    st.block_len_width = 1;
    st.block_len = 7;
    expect_event(21, &st, GT_TEXT_LOSSLESS, "Stack id=1 siz=1\n\t# w=frame0.line:2\n\tpc=1 func=2 file=3 line=4\n");
    st.argbits = 1;
    st.block_len = 6;
    expect_event(21, &st, GT_TEXT_LOSSLESS,
                 "Stack id=1 siz=1\n\t# w=frame0.line:2 bits=1 blen=6\n\tpc=1 func=2 file=3 line=4\n");

    /* UserLog: the message length is not part of L. */
    uint64_t d[] = {10, 1, 5, 4};
    gt_event ul = mk(21, GT_LEG_USER_LOG, GT_KIND_EVENT, d, 4);
    ul.argbits = 3;
    ul.block_len_width = 1;
    ul.block_len = 4;
    ul.data = (const uint8_t *)"msg";
    ul.data_len = 3;
    ul.data_len_width = 3;
    expect_event(21, &ul, GT_TEXT_LOSSLESS, "UserLog dt=10 id=1 keyid=5 stkid=4\n\t# w=datalen:3\n\tdata=\"msg\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),          cmocka_unit_test(test_quote_cases),
        cmocka_unit_test(test_quote_small_cap), cmocka_unit_test(test_quote_worst_case),
        cmocka_unit_test(test_isprint),         cmocka_unit_test(test_v2_simple),
        cmocka_unit_test(test_v2_stack),        cmocka_unit_test(test_v2_string),
        cmocka_unit_test(test_not_wire_items),  cmocka_unit_test(test_event_small_cap),
        cmocka_unit_test(test_long_names),      cmocka_unit_test(test_legacy),
        cmocka_unit_test(test_legacy_argbits),  cmocka_unit_test(test_lossless_v2),
        cmocka_unit_test(test_lossless_legacy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
