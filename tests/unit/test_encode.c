/* Unit tests of the encoder: gt_encode_event (exact bytes of every layout,
 * widths, errors), gt_batch (headers, deltas, room, size backfill in both
 * forms, the kept-and-extended experimental batch), gt_writer (the worked
 * examples of spec/FORMAT.md section 6 byte for byte, tables and their
 * deduplication, per-version footers and sync batches, limits, output
 * errors) and gt_asm (grammar, unquoting, annotations, errors with lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gotrace.h"

#define NOT UINT64_MAX

/* "67 6f 20" -> bytes. @return the count. */
static size_t hex(uint8_t *out, const char *s)
{
    size_t n = 0;
    unsigned v;
    int k;
    while (sscanf(s, " %2x%n", &v, &k) == 1) {
        out[n++] = (uint8_t)v;
        s += k;
    }
    return n;
}

static void expect_hex(const uint8_t *got, size_t n, const char *want)
{
    uint8_t w[4096];
    size_t wn = hex(w, want);
    if (n != wn || memcmp(got, w, n) != 0) {
        fprintf(stderr, "got  ");
        for (size_t i = 0; i < n; i++) fprintf(stderr, "%02x ", got[i]);
        fprintf(stderr, "\nwant %s\n", want);
    }
    assert_int_equal(n, wn);
    assert_memory_equal(got, w, n);
}

/* The spec's example files. */
#define HDR22 "67 6f 20 31 2e 32 32 20 74 72 61 63 65 00 00 00 "
static const char *const example_v2 =
    HDR22 "01 01 ff ff ff ff ff ff ff ff ff 01 0a 05 08 a8 d6 b9 07 "
          "01 01 01 64 8d 80 80 80 80 80 80 80 80 00 0d 01 00 01 19 01 01 01 02 14 05 01 01 "
          "01 01 ff ff ff ff ff ff ff ff ff 01 78 0b 02 03 01 01 80 a0 80 02 02 03 2a "
          "01 01 ff ff ff ff ff ff ff ff ff 01 79 1a 04 05 01 06 73 65 6c 65 63 74 05 02 06 6d 61 69 6e 2e 66 "
          "05 03 04 78 2e 67 6f";
static const char *const example_v2_text = "Trace Go1.22\n"
                                           "EventBatch gen=1 m=18446744073709551615 time=10 size=5\n"
                                           "Frequency freq=15625000\n"
                                           "EventBatch gen=1 m=1 time=100 size=13\n"
                                           "\t# w=size:10\n"
                                           "ProcStatus dt=1 p=0 pstatus=1\n"
                                           "GoStatus dt=1 g=1 m=1 gstatus=2\n"
                                           "GoBlock dt=5 reason_string=1 stack=1\n"
                                           "EventBatch gen=1 m=18446744073709551615 time=120 size=11\n"
                                           "Stacks\n"
                                           "Stack id=1 nframes=1\n"
                                           "\tpc=4198400 func=2 file=3 line=42\n"
                                           "EventBatch gen=1 m=18446744073709551615 time=121 size=26\n"
                                           "Strings\n"
                                           "String id=1\n"
                                           "\tdata=\"select\"\n"
                                           "String id=2\n"
                                           "\tdata=\"main.f\"\n"
                                           "String id=3\n"
                                           "\tdata=\"x.go\"\n";
static const char *const example_11 =
    "67 6f 20 31 2e 31 31 20 74 72 61 63 65 00 00 00 41 00 64 45 01 01 cd 04 01 02 01 00 06 01 02 a8 d6 b9 07 "
    "41 00 6e 25 01 06 6d 61 69 6e 2e 66 25 02 04 78 2e 67 6f c3 09 01 01 80 a0 80 02 01 02 2a";
static const char *const example_5 = "67 6f 20 31 2e 35 20 74 72 61 63 65 00 00 00 00 41 00 00 64 45 01 01 01 "
                                     "cd 08 01 01 02 80 a0 80 02 00 06 01 01 c3 06 01 01 80 a0 80 02 02 a8 d6 b9 07 00";

static uint8_t out[1u << 20];

static gt_event item(uint8_t kind, uint8_t type, unsigned n, const uint64_t *args)
{
    gt_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.type = type;
    ev.nargs = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) ev.args[i] = args[i];
    return ev;
}
#define ITEM(kind, type, ...)                                                                                          \
    item(kind, type, (unsigned)(sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)), (uint64_t[]){__VA_ARGS__})

/* Encode with every cap below the size (must fail, DST_TOO_SMALL) and at it. */
static size_t encode_exact(unsigned v, const gt_event *ev)
{
    size_t n = 0, k;
    assert_int_equal(gt_encode_event(out, sizeof out, v, ev, &n), GT_OK);
    assert_true(n <= gt_event_bound(v, ev));
    for (size_t cap = 0; cap < n; cap++) assert_int_equal(gt_encode_event(out, cap, v, ev, &k), GT_ERR_DST_TOO_SMALL);
    assert_int_equal(gt_encode_event(out, n, v, ev, &k), GT_OK);
    assert_int_equal(k, n);
    return n;
}

/*-************************************
 *  gt_encode_event
 **************************************/
static void test_raw_v2(void **state)
{
    (void)state;
    gt_event ev = ITEM(GT_KIND_BATCH, GT_V2_EVENT_BATCH, 1, 1, 100, 13);
    ev.width[3] = 10;
    expect_hex(out, encode_exact(22, &ev), "01 01 01 64 8d 80 80 80 80 80 80 80 80 00");
    ev = ITEM(GT_KIND_EVENT, 20, 5, 1, 1); /* GoBlock */
    expect_hex(out, encode_exact(22, &ev), "14 05 01 01");
    ev.width[1] = 3;
    expect_hex(out, encode_exact(22, &ev), "14 05 81 80 00 01");
    ev.width[1] = 11;
    assert_int_equal(gt_encode_event(out, sizeof out, 22, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    ev = ITEM(GT_KIND_EVENT, 37, 1, 300); /* HeapAlloc 300: minimal 2 bytes */
    ev.width[1] = 1;
    assert_int_equal(gt_encode_event(out, sizeof out, 22, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    ev.width[1] = 10;
    expect_hex(out, encode_exact(22, &ev), "25 01 ac 82 80 80 80 80 80 80 80 00");
    ev.nargs = 3;
    assert_int_equal(gt_encode_event(out, sizeof out, 22, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    ev = ITEM(GT_KIND_EVENT, 45, 1, 2, 3); /* GoSwitch: go 1.23+ */
    assert_int_equal(gt_encode_event(out, sizeof out, 22, &ev, NULL), GT_ERR_UNKNOWN_EVENT);
    expect_hex(out, encode_exact(23, &ev), "2d 01 02 03");

    /* Stack with frames and widths; String; markers. */
    gt_frame fr = {0x401000, 2, 3, 42, {0, 0, 0, 2}};
    ev = ITEM(GT_KIND_STACK, GT_V2_STACK, 1, 1);
    ev.frames = &fr;
    ev.nframes = 1;
    expect_hex(out, encode_exact(22, &ev), "03 01 01 80 a0 80 02 02 03 aa 00");
    ev.nframes = 0;
    assert_int_equal(gt_encode_event(out, sizeof out, 22, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    ev = ITEM(GT_KIND_STRING, GT_V2_STRING, 1);
    ev.data = (const uint8_t *)"select";
    ev.data_len = 6;
    expect_hex(out, encode_exact(22, &ev), "05 01 06 73 65 6c 65 63 74");
    ev.data_len_width = 2;
    expect_hex(out, encode_exact(22, &ev), "05 01 86 00 73 65 6c 65 63 74");
    ev = ITEM(GT_KIND_TABLE_MARKER, GT_V2_STRINGS, 0);
    ev.nargs = 0;
    expect_hex(out, encode_exact(22, &ev), "04");

    /* ExperimentalBatch: raw experiment byte, payload as data or left out. */
    ev = ITEM(GT_KIND_BATCH, GT_V2_EXPERIMENTAL_BATCH, 1, 1, 5, 9);
    ev.data = (const uint8_t *)"\x01\x02";
    ev.data_len = 2;
    ev.data_len_width = 10;
    expect_hex(out, encode_exact(23, &ev), "31 01 01 05 09 82 80 80 80 80 80 80 80 80 00 01 02");
    ev.data = NULL;
    expect_hex(out, encode_exact(23, &ev), "31 01 01 05 09 82 80 80 80 80 80 80 80 80 00");
    ev.args[0] = 256;
    assert_int_equal(gt_encode_event(out, sizeof out, 23, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_encode_event(out, sizeof out, 22, &ev, NULL), GT_ERR_UNKNOWN_EVENT);
    /* The same type read inside a payload (no validation) is an event of varints. */
    ev.kind = GT_KIND_EVENT;
    ev.width[0] = 3;
    ev.data = (const uint8_t *)"";
    ev.data_len = 0;
    ev.data_len_width = 0;
    expect_hex(out, encode_exact(23, &ev), "31 80 82 00 01 05 09 00");

    /* Items that are not events. */
    ev = ITEM(GT_KIND_HEADER, 0, 26);
    expect_hex(out, encode_exact(26, &ev), "67 6f 20 31 2e 32 36 20 74 72 61 63 65 00 00 00");
    ev = ITEM(GT_KIND_GENERATION_END, 0, 1);
    assert_int_equal(encode_exact(26, &ev), 0);
    ev = ITEM(GT_KIND_END_OF_GENERATION, GT_V2_END_OF_GENERATION, 0);
    ev.nargs = 0;
    expect_hex(out, encode_exact(26, &ev), "34");
    assert_int_equal(gt_encode_event(out, sizeof out, 25, &ev, NULL), GT_ERR_UNKNOWN_EVENT);
    ev = ITEM(GT_KIND_IGNORED_DATA, 0, 0);
    ev.nargs = 0;
    ev.data = (const uint8_t *)"\x08\x01\x09";
    ev.data_len = 3;
    expect_hex(out, encode_exact(22, &ev), "08 01 09");
    assert_int_equal(gt_encode_event(out, sizeof out, 99, &ev, NULL), GT_ERR_UNSUPPORTED_VERSION);
}

static void test_raw_legacy(void **state)
{
    (void)state;
    gt_event ev = ITEM(GT_KIND_EVENT, 5, 1, 1); /* ProcStart dt thread */
    ev.argbits = 1;
    expect_hex(out, encode_exact(7, &ev), "45 01 01");
    ev = ITEM(GT_KIND_EVENT, 5, 1, 1, 1); /* go 1.5: dseq dt thread */
    ev.argbits = 1;
    expect_hex(out, encode_exact(5, &ev), "45 01 01 01");
    /* GoCreate 1.11, length-prefixed: L computed (width 0) or given. */
    ev = ITEM(GT_KIND_EVENT, 13, 1, 2, 1, 0);
    ev.argbits = 3;
    expect_hex(out, encode_exact(11, &ev), "cd 04 01 02 01 00");
    ev.block_len = 4;
    ev.block_len_width = 2;
    expect_hex(out, encode_exact(11, &ev), "cd 84 00 01 02 01 00");
    ev.block_len = 5;
    assert_int_equal(gt_encode_event(out, sizeof out, 11, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    ev.block_len = 4;
    ev.argbits = 4;
    assert_int_equal(gt_encode_event(out, sizeof out, 11, &ev, NULL), GT_ERR_INVALID_ARGUMENT);
    /* UserLog: block, then the message outside it. */
    ev = ITEM(GT_KIND_EVENT, GT_LEG_USER_LOG, 1, 0, 3, 0);
    ev.argbits = 3;
    ev.data = (const uint8_t *)"hello";
    ev.data_len = 5;
    expect_hex(out, encode_exact(11, &ev), "f0 04 01 00 03 00 05 68 65 6c 6c 6f");
    /* String ignores its argument bits; Stack prefixed or inline (1.5). */
    ev = ITEM(GT_KIND_STRING, GT_LEG_STRING, 1);
    ev.argbits = 3;
    ev.data = (const uint8_t *)"x.go";
    ev.data_len = 4;
    expect_hex(out, encode_exact(11, &ev), "e5 01 04 78 2e 67 6f");
    gt_frame fr = {0x401000, 1, 2, 42, {0}};
    ev = ITEM(GT_KIND_STACK, GT_LEG_STACK, 1, 1);
    ev.argbits = 3;
    ev.frames = &fr;
    ev.nframes = 1;
    expect_hex(out, encode_exact(11, &ev), "c3 09 01 01 80 a0 80 02 01 02 2a");
    ev.argbits = 1; /* inline: 3 values in go 1.5 (id, siz, pc) */
    expect_hex(out, encode_exact(5, &ev), "43 01 01 80 a0 80 02");
    ev = ITEM(GT_KIND_EVENT, 45, 1);
    assert_int_equal(gt_encode_event(out, sizeof out, 10, &ev, NULL), GT_ERR_UNKNOWN_EVENT);
    ev.type = 70;
    assert_int_equal(gt_encode_event(out, sizeof out, 19, &ev, NULL), GT_ERR_UNKNOWN_EVENT);
    assert_int_equal(GT_EVENT_BOUND(3), 41);
}

/*-************************************
 *  gt_batch
 **************************************/
static void test_batch_v2(void **state)
{
    (void)state;
    uint8_t buf[256];
    gt_batch b;
    size_t len;
    /* The example's event batch: size reserved (10 bytes), deltas from the header time. */
    assert_int_equal(gt_batch_begin(&b, buf, sizeof buf, 22, 1, 1, 100, 0), GT_OK);
    assert_int_equal(gt_batch_event(&b, 13, 101, (uint64_t[]){0, 1}, 2), GT_OK);
    assert_int_equal(gt_batch_event(&b, 25, 102, (uint64_t[]){1, 1, 2}, 3), GT_OK);
    assert_int_equal(gt_batch_event(&b, 20, 107, (uint64_t[]){1, 1}, 2), GT_OK);
    assert_int_equal(gt_batch_event(&b, 20, 106, (uint64_t[]){1, 1}, 2), GT_ERR_INVALID_ARGUMENT); /* backwards */
    assert_int_equal(gt_batch_event(&b, 20, 108, (uint64_t[]){1}, 1), GT_ERR_INVALID_ARGUMENT);    /* nargs */
    assert_int_equal(gt_batch_event(&b, 60, 108, NULL, 0), GT_ERR_UNKNOWN_EVENT);
    assert_int_equal(gt_batch_event(&b, GT_V2_STRING, 0, (uint64_t[]){1}, 1), GT_ERR_INVALID_ARGUMENT); /* has data */
    assert_int_equal(gt_batch_finish(&b, &len), GT_OK);
    expect_hex(buf, len, "01 01 01 64 8d 80 80 80 80 80 80 80 80 00 0d 01 00 01 19 01 01 01 02 14 05 01 01");
    assert_int_equal(gt_batch_event(&b, 20, 108, (uint64_t[]){1, 1}, 2), GT_ERR_STATE);
    assert_int_equal(gt_batch_finish(&b, &len), GT_ERR_STATE);
    /* The same with a minimal size: the payload moves up. */
    assert_int_equal(gt_batch_begin(&b, buf, sizeof buf, 22, 1, 1, 100, GT_BATCH_MINIMAL_SIZE), GT_OK);
    gt_batch_event(&b, 13, 101, (uint64_t[]){0, 1}, 2);
    gt_batch_event(&b, 25, 102, (uint64_t[]){1, 1, 2}, 3);
    gt_batch_event(&b, 20, 107, (uint64_t[]){1, 1}, 2);
    assert_int_equal(gt_batch_finish(&b, &len), GT_OK);
    expect_hex(buf, len, "01 01 01 64 0d 0d 01 00 01 19 01 01 01 02 14 05 01 01");
    /* Non-timed events and data: the frequency and string batches of the example. */
    assert_int_equal(gt_batch_begin(&b, buf, sizeof buf, 22, 1, NOT, 121, GT_BATCH_MINIMAL_SIZE), GT_OK);
    assert_int_equal(gt_batch_event(&b, GT_V2_STRINGS, 0, NULL, 0), GT_OK);
    assert_int_equal(gt_batch_event_data(&b, GT_V2_STRING, 0, (uint64_t[]){1}, 1, "select", 6), GT_OK);
    assert_int_equal(gt_batch_event_data(&b, GT_V2_STRING, 0, (uint64_t[]){2}, 1, "main.f", 6), GT_OK);
    gt_event s3 = ITEM(GT_KIND_STRING, GT_V2_STRING, 3);
    s3.data = (const uint8_t *)"x.go";
    s3.data_len = 4;
    assert_int_equal(gt_batch_put(&b, &s3), GT_OK);
    assert_int_equal(gt_batch_finish(&b, &len), GT_OK);
    expect_hex(buf, len,
               "01 01 ff ff ff ff ff ff ff ff ff 01 79 1a 04 05 01 06 73 65 6c 65 63 74 05 02 06 6d 61 69 6e "
               "2e 66 05 03 04 78 2e 67 6f");
    /* Room: the worst case of an event is reserved; nothing written when short. */
    assert_int_equal(gt_batch_begin(&b, buf, 14 + GT_EVENT_BOUND(4), 22, 1, 1, 100, 0), GT_OK);
    assert_int_equal(gt_batch_room(&b), GT_EVENT_BOUND(4));
    assert_int_equal(gt_batch_event(&b, 25, 101, (uint64_t[]){1, 1, 2}, 3), GT_OK); /* GoStatus: 4 varints */
    size_t before = b.len;
    assert_int_equal(gt_batch_event(&b, 25, 102, (uint64_t[]){1, 1, 2}, 3), GT_ERR_DST_TOO_SMALL);
    assert_int_equal(b.len, before);
    assert_int_equal(gt_batch_raw(&b, "\x0b\x01", 2), GT_OK);
    assert_int_equal(gt_batch_begin(&b, buf, 10, 22, 1, 1, 100, 0), GT_ERR_DST_TOO_SMALL);
    assert_int_equal(gt_batch_begin(&b, NULL, 10, 22, 1, 1, 100, 0), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_batch_begin(&b, buf, 10, 99, 1, 1, 100, 0), GT_ERR_UNSUPPORTED_VERSION);
    /* The payload never exceeds Go's MaxBatchSize. */
    static uint8_t big[1 << 17];
    assert_int_equal(gt_batch_begin(&b, big, sizeof big, 22, 1, 1, 100, 0), GT_OK);
    assert_int_equal(gt_batch_room(&b), 65536);
    /* A sync batch (go 1.25): ClockSnapshot is timed, its dt from the header. */
    assert_int_equal(gt_batch_begin(&b, buf, sizeof buf, 25, 1, NOT, 9, GT_BATCH_MINIMAL_SIZE), GT_OK);
    gt_batch_event(&b, GT_V2_SYNC, 0, NULL, 0);
    gt_batch_event(&b, GT_V2_FREQUENCY, 0, (uint64_t[]){1000000000}, 1);
    assert_int_equal(gt_batch_event(&b, GT_V2_CLOCK_SNAPSHOT, 10, (uint64_t[]){99, 1740755049, 123}, 3), GT_OK);
    gt_batch_finish(&b, &len);
    expect_hex(buf, len, "01 01 ff ff ff ff ff ff ff ff ff 01 09 10 32 08 80 94 eb dc 03 33 01 63 e9 a0 87 be 06 7b");
}

/* The runtime keeps one experimental batch per M, experiment and generation
 * parity open while it writes ordinary batches, and extends it later. */
static void test_batch_experimental_kept(void **state)
{
    (void)state;
    static uint8_t xbuf[2][512], ebuf[512], file[4096];
    gt_batch x[2], e;
    size_t n = gt_header_write(file, sizeof file, 23), len;
    for (unsigned gen = 1; gen <= 2; gen++)
        assert_int_equal(
            gt_batch_begin_experimental(&x[gen % 2], xbuf[gen % 2], sizeof xbuf[0], 23, 1, gen, 7, 100 * gen, 0),
            GT_OK);
    /* Generation 1: experimental events, an ordinary batch, more experimental events. */
    assert_int_equal(gt_batch_event(&x[1], 128, 101, (uint64_t[]){5, 1, 2}, 3), GT_OK); /* Span */
    assert_int_equal(gt_batch_begin(&e, ebuf, sizeof ebuf, 23, 1, 7, 102, 0), GT_OK);
    gt_batch_event(&e, 13, 103, (uint64_t[]){0, 1}, 2);
    assert_int_equal(gt_batch_finish(&e, &len), GT_OK);
    memcpy(file + n, ebuf, len);
    n += len;
    assert_int_equal(gt_batch_event(&x[1], 132, 110, (uint64_t[]){9, 3}, 2), GT_OK); /* HeapObjectAlloc */
    assert_int_equal(gt_batch_raw(&x[1], "\x85\x01\x09", 3), GT_OK);                 /* HeapObjectFree dt 1 id 9 */
    assert_int_equal(gt_batch_finish(&x[1], &len), GT_OK);
    memcpy(file + n, xbuf[1], len);
    n += len;
    assert_int_equal(gt_batch_event(&x[1], 130, 120, (uint64_t[]){5}, 1), GT_ERR_STATE);
    /* An ordinary event is refused in neither; a batch header is never an event. */
    assert_int_equal(gt_batch_event(&x[0], GT_V2_EVENT_BATCH, 0, (uint64_t[]){1, 2, 3, 4}, 4), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_batch_begin_experimental(&e, ebuf, sizeof ebuf, 22, 1, 1, 1, 1, 0), GT_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(gt_batch_begin_experimental(&e, ebuf, sizeof ebuf, 23, 256, 1, 1, 1, 0), GT_ERR_INVALID_ARGUMENT);

    /* The payload holds the events in order, each dt from the one before. */
    expect_hex(file + 16 + 14 + 4, n - 16 - 14 - 4,
               "31 01 01 07 64 8c 80 80 80 80 80 80 80 80 00 80 01 05 01 02 84 09 09 03 85 01 09");
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_validation(r, 0);
    gt_reader_set_buffer(r, file, n);
    gt_event ev;
    unsigned items = 0;
    while (gt_reader_next(r, &ev) == GT_OK) {
        if (ev.kind == GT_KIND_BATCH && ev.type == GT_V2_EXPERIMENTAL_BATCH) {
            assert_int_equal(ev.experiment, 1);
            assert_int_equal(ev.data_len, 12);
            assert_int_equal(ev.data_len_width, 10);
        }
        items++;
    }
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    assert_int_equal(items, 4); /* header, event batch, its event, experimental batch */
    gt_reader_free(r);
}

static void test_batch_legacy(void **state)
{
    (void)state;
    uint8_t buf[128];
    gt_batch b;
    size_t len;
    assert_int_equal(gt_batch_begin(&b, buf, sizeof buf, 11, 0, 0, 100, 0), GT_OK);
    gt_batch_event(&b, 5, 101, (uint64_t[]){1}, 1);        /* ProcStart */
    gt_batch_event(&b, 13, 102, (uint64_t[]){2, 1, 0}, 3); /* GoCreate: prefixed */
    gt_batch_event(&b, 6, 103, NULL, 0);                   /* ProcStop */
    assert_int_equal(gt_batch_event_data(&b, GT_LEG_USER_LOG, 104, (uint64_t[]){0, 3, 0}, 3, "hi", 2), GT_OK);
    assert_int_equal(gt_batch_finish(&b, &len), GT_OK);
    expect_hex(buf, len, "41 00 64 45 01 01 cd 04 01 02 01 00 06 01 f0 04 01 00 03 00 02 68 69");
    /* go 1.5: the batch carries a base sequence (gen), events their dseq first. */
    assert_int_equal(gt_batch_begin(&b, buf, sizeof buf, 5, 0, 0, 100, 0), GT_OK);
    gt_batch_event(&b, 5, 101, (uint64_t[]){1, 1}, 2);
    gt_batch_event(&b, 13, 102, (uint64_t[]){1, 2, 0x401000, 0}, 4);
    gt_batch_event(&b, 6, 103, (uint64_t[]){1}, 1);
    gt_batch_finish(&b, &len);
    expect_hex(buf, len, "41 00 00 64 45 01 01 01 cd 08 01 01 02 80 a0 80 02 00 06 01 01");
    assert_int_equal(gt_batch_begin_experimental(&b, buf, sizeof buf, 19, 1, 1, 1, 1, 0), GT_ERR_INVALID_ARGUMENT);
}

/*-************************************
 *  gt_writer
 **************************************/
static gt_writer *writer_mem(void)
{
    gt_writer *w = gt_writer_create(NULL);
    assert_non_null(w);
    assert_int_equal(gt_writer_set_buffer(w, out, sizeof out), GT_OK);
    return w;
}

static const gt_sym_frame frame_f = {0x401000, "main.f", 6, "x.go", 4, 42};

/* spec/FORMAT.md 6.2, byte for byte, in both legacy flavours. */
static void test_writer_legacy_examples(void **state)
{
    (void)state;
    const unsigned versions[2] = {11, 5};
    const char *const want[2] = {example_11, example_5};
    for (int k = 0; k < 2; k++) {
        unsigned v = versions[k];
        gt_writer *w = writer_mem();
        gt_sync sync = {110, 15625000, 0, 0, 0, 0};
        uint8_t buf[128];
        gt_batch b;
        uint64_t stk;
        assert_int_equal(gt_writer_start(w, v), GT_OK);
        assert_int_equal(gt_writer_begin_generation(w, 0, &sync), GT_OK);
        assert_int_equal(gt_writer_stack(w, &frame_f, 1, &stk), GT_OK);
        assert_int_equal(stk, 1);
        gt_batch_begin(&b, buf, sizeof buf, v, 0, 0, 100, 0);
        if (v >= 7) {
            gt_batch_event(&b, 5, 101, (uint64_t[]){1}, 1);
            gt_batch_event(&b, 13, 102, (uint64_t[]){2, stk, 0}, 3);
            gt_batch_event(&b, 6, 103, NULL, 0);
        } else {
            gt_batch_event(&b, 5, 101, (uint64_t[]){1, 1}, 2);
            gt_batch_event(&b, 13, 102, (uint64_t[]){1, 2, 0x401000, 0}, 4);
            gt_batch_event(&b, 6, 103, (uint64_t[]){1}, 1);
        }
        assert_int_equal(gt_writer_batch(w, &b), GT_OK);
        assert_int_equal(gt_writer_finish(w), GT_OK);
        expect_hex(out, (size_t)gt_writer_size(w), want[k]);
        assert_int_equal(gt_writer_begin_generation(w, 0, &sync), GT_ERR_STATE);
        gt_writer_free(w);
    }
}

/* Decode a whole buffer; returns the items' kinds/types as "k.t " text. */
static void items_of(const uint8_t *p, size_t n, char *desc, size_t cap)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, p, n);
    gt_event ev;
    size_t len = 0;
    desc[0] = 0;
    while (gt_reader_next(r, &ev) == GT_OK)
        len += (size_t)snprintf(desc + len, cap - len, "%s%s", len ? " " : "",
                                ev.kind == GT_KIND_HEADER           ? "H"
                                : ev.kind == GT_KIND_GENERATION_END ? "|"
                                                                    : ev.spec->name);
    if (gt_reader_error(r)->status != GT_OK) fprintf(stderr, "%s\n", gt_reader_error(r)->message);
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    gt_reader_free(r);
}

/* The legacy footer layout of each version (spec/FORMAT.md 5.8). */
static void test_writer_legacy_footers(void **state)
{
    (void)state;
    static const struct {
        unsigned v;
        const char *want;
    } cases[] = {
        {5, "H Batch GoStart Stack Stack Frequency"},
        {9, "H Batch GoStart Frequency String String String Stack Stack String"},
        {19, "H Batch GoStart Frequency Batch String String String Stack Stack String"},
        {21, "H Batch GoStart Batch Frequency String String String Stack Stack String"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        unsigned v = cases[k].v;
        gt_writer *w = writer_mem();
        gt_sync sync = {50, 1000, 0, 0, 0, 0};
        gt_sym_frame two[2] = {frame_f, {0x402000, "main.g", 6, "x.go", 4, 7}};
        uint64_t id, s1, s2;
        uint8_t buf[64];
        gt_batch b;
        gt_writer_start(w, v);
        gt_writer_begin_generation(w, 0, &sync);
        assert_int_equal(gt_writer_stack(w, two, 2, &s1), GT_OK);
        assert_int_equal(gt_writer_stack(w, &two[1], 1, &s2), GT_OK);
        assert_int_equal(gt_writer_stack(w, two, 2, &id), GT_OK); /* deduplicated */
        assert_int_equal(id, s1);
        assert_int_equal(s2, 2);
        if (v >= 7) {
            assert_int_equal(gt_writer_string(w, "task", 4, &id), GT_OK); /* no stack uses it: last */
            assert_int_equal(gt_writer_string(w, "main.g", 6, &id), GT_OK);
            assert_int_equal(id, 3);
            assert_int_equal(gt_writer_string(w, "", 0, &id), GT_OK);
            assert_int_equal(id, 0);
        } else {
            assert_int_equal(gt_writer_string(w, "task", 4, &id), GT_ERR_INVALID_ARGUMENT);
        }
        gt_batch_begin(&b, buf, sizeof buf, v, 0, 0, 60, 0);
        gt_batch_event(&b, 14, 61, (uint64_t[]){1, 1}, 2); /* GoStart g seq (go 1.5: dseq g) */
        gt_writer_batch(w, &b);
        assert_int_equal(gt_writer_end_generation(w), GT_OK);
        char desc[512];
        items_of(out, (size_t)gt_writer_size(w), desc, sizeof desc);
        if (strcmp(desc, cases[k].want)) fprintf(stderr, "go 1.%u: %s\n", v, desc);
        assert_string_equal(desc, cases[k].want);
        gt_writer_free(w);
    }
}

/* The footer of go 1.11+ goes into Batch(p=0) buffers of max_batch_size bytes. */
static void test_writer_legacy_footer_split(void **state)
{
    (void)state;
    gt_writer *w = writer_mem();
    gt_limits lim = {.max_batch_size = 200};
    gt_sync sync = {50, 1000, 0, 0, 0, 0};
    assert_int_equal(gt_writer_set_limits(w, &lim), GT_OK);
    gt_writer_start(w, 19);
    gt_writer_begin_generation(w, 0, &sync);
    char name[32];
    for (int i = 0; i < 40; i++) {
        int n = snprintf(name, sizeof name, "function.number_%d", i);
        gt_sym_frame f = {0x1000u + (unsigned)i, name, (size_t)n, "file.go", 7, (uint64_t)i + 1};
        uint64_t id;
        assert_int_equal(gt_writer_stack(w, &f, 1, &id), GT_OK);
        assert_int_equal(id, (uint64_t)i + 1);
    }
    uint8_t buf[64];
    gt_batch b;
    gt_batch_begin(&b, buf, sizeof buf, 19, 0, 0, 60, 0);
    gt_batch_event(&b, 6, 61, NULL, 0);
    gt_writer_batch(w, &b);
    assert_int_equal(gt_writer_finish(w), GT_OK);
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, out, (size_t)gt_writer_size(w));
    gt_event ev;
    uint64_t batches = 0, start = 0, strings = 0, stacks = 0;
    while (gt_reader_next(r, &ev) == GT_OK) {
        if (ev.kind == GT_KIND_BATCH) {
            if (batches++) assert_true(ev.offset - start <= 200);
            start = ev.offset;
        }
        strings += ev.kind == GT_KIND_STRING;
        stacks += ev.kind == GT_KIND_STACK;
    }
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    assert_int_equal(strings, 41);
    assert_int_equal(stacks, 40);
    assert_true(batches >= 7); /* ~1300 bytes of tables in 200-byte buffers, plus the event batch */
    gt_reader_free(r);
    gt_writer_free(w);
}

/* The v2 example's content through the writer: tables deduplicated, IDs from
 * 1 per generation, the batches in the runtime's order for each version. */
static void test_writer_v2(void **state)
{
    (void)state;
    static const struct {
        unsigned v;
        const char *want;
    } cases[] = {
        {22,
         "H EventBatch ProcStatus GoStatus GoBlock EventBatch Frequency EventBatch Stacks Stack EventBatch Strings "
         "String String String | EventBatch ProcStatus GoStatus GoBlock EventBatch Frequency EventBatch Stacks Stack "
         "EventBatch Strings String String String |"},
        {25, "H EventBatch Sync Frequency ClockSnapshot EventBatch ProcStatus GoStatus GoBlock EventBatch Stacks Stack "
             "EventBatch Strings String String String | EventBatch Sync Frequency ClockSnapshot EventBatch ProcStatus "
             "GoStatus GoBlock EventBatch Stacks Stack EventBatch Strings String String String |"},
        {26, "H EventBatch Sync Frequency ClockSnapshot EventBatch ProcStatus GoStatus GoBlock EventBatch Stacks Stack "
             "EventBatch Strings String String String EndOfGeneration | EventBatch Sync Frequency ClockSnapshot "
             "EventBatch ProcStatus GoStatus GoBlock EventBatch Stacks Stack EventBatch Strings String String String "
             "EndOfGeneration |"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        unsigned v = cases[k].v;
        for (unsigned flags = 0; flags < 2; flags++) {
            gt_writer *w = writer_mem();
            assert_int_equal(gt_writer_set_flags(w, flags ? GT_WRITER_MINIMAL_SIZE : 0), GT_OK);
            assert_int_equal(gt_writer_string(w, "x", 1, &(uint64_t){0}), GT_ERR_STATE);
            assert_int_equal(gt_writer_start(w, v), GT_OK);
            assert_int_equal(gt_writer_set_flags(w, 0), GT_ERR_STATE);
            for (uint64_t gen = 1; gen <= 2; gen++) {
                gt_sync sync = {10 * gen, 15625000, 10 * gen + 1, 99, 1740755049, 123};
                uint64_t reason, stk, again;
                assert_int_equal(gt_writer_begin_generation(w, gen, &sync), GT_OK);
                assert_int_equal(gt_writer_begin_generation(w, gen + 1, &sync), GT_ERR_STATE);
                assert_int_equal(gt_writer_string(w, "select", 6, &reason), GT_OK);
                assert_int_equal(gt_writer_stack(w, &frame_f, 1, &stk), GT_OK);
                assert_int_equal(gt_writer_string(w, "select", 6, &again), GT_OK);
                assert_int_equal(reason, 1); /* from 1 in every generation */
                assert_int_equal(again, 1);
                assert_int_equal(stk, 1);
                uint8_t buf[128];
                gt_batch b;
                gt_batch_begin(&b, buf, sizeof buf, v, gen, 1, 100 * gen, 0);
                gt_batch_event(&b, 13, 100 * gen + 1, (uint64_t[]){0, 1}, 2);
                gt_batch_event(&b, 25, 100 * gen + 2, (uint64_t[]){1, 1, 2}, 3);
                gt_batch_event(&b, 20, 100 * gen + 7, (uint64_t[]){reason, stk}, 2);
                assert_int_equal(gt_writer_batch(w, &b), GT_OK);
                assert_int_equal(gt_writer_end_generation(w), GT_OK);
            }
            assert_int_equal(gt_writer_end_generation(w), GT_ERR_STATE);
            assert_int_equal(gt_writer_finish(w), GT_OK);
            char desc[2048];
            items_of(out, (size_t)gt_writer_size(w), desc, sizeof desc);
            if (strcmp(desc, cases[k].want)) fprintf(stderr, "go 1.%u: %s\n", v, desc);
            assert_string_equal(desc, cases[k].want);
            /* Padded: every batch the writer builds has a 10-byte size; minimal: none. */
            uint64_t wmem = 0;
            gt_writer_memory(w, &wmem, NULL);
            assert_true(wmem > 0);
            gt_writer_free(w);
        }
    }
}

/* Stacks are found by their contents, never by the caller's pointers. */
static void test_writer_stack_dedup(void **state)
{
    (void)state;
    for (unsigned v = 5; v <= 23; v += 18) {
        gt_writer *w = writer_mem();
        gt_sync sync = {1, 1000, 1, 0, 0, 0};
        gt_writer_start(w, v);
        gt_writer_begin_generation(w, 1, &sync);
        char fn[8] = "main.f";
        gt_sym_frame f[2] = {{1, fn, 6, "x.go", 4, 10}, {2, "main.main", 9, "x.go", 4, 20}};
        uint64_t id;
        assert_int_equal(gt_writer_stack(w, f, 2, &id), GT_OK);
        assert_int_equal(id, 1);
        assert_int_equal(gt_writer_stack(w, f, 2, &id), GT_OK);
        assert_int_equal(id, 1);
        fn[5] = 'g'; /* the same buffer, other contents */
        assert_int_equal(gt_writer_stack(w, f, 2, &id), GT_OK);
        assert_int_equal(id, v >= 7 ? 2 : 1); /* go 1.5 stacks are pcs only */
        fn[5] = 'f';
        assert_int_equal(gt_writer_stack(w, f, 2, &id), GT_OK);
        assert_int_equal(id, 1);
        f[1].line = 21;
        assert_int_equal(gt_writer_stack(w, f, 2, &id), GT_OK);
        assert_int_equal(id, v >= 7 ? 3 : 1);
        f[1].pc = 3;
        assert_int_equal(gt_writer_stack(w, f, 2, &id), GT_OK);
        assert_int_equal(id, v >= 7 ? 4 : 2);
        assert_int_equal(gt_writer_stack(w, f, 1, &id), GT_OK); /* a prefix is another stack */
        assert_int_equal(id, v >= 7 ? 5 : 3);
        assert_int_equal(gt_writer_stack(w, NULL, 0, &id), GT_OK);
        assert_int_equal(id, 0);
        /* Many stacks: the index grows and still finds each. */
        gt_sym_frame g = {0, "f", 1, "g", 1, 1};
        for (uint64_t k = 0; k < 3000; k++) {
            g.pc = 1000 + k;
            assert_int_equal(gt_writer_stack(w, &g, 1, &id), GT_OK);
        }
        for (uint64_t k = 0; k < 3000; k++) {
            uint64_t again;
            g.pc = 1000 + k;
            assert_int_equal(gt_writer_stack(w, &g, 1, &again), GT_OK);
            assert_int_equal(again, (v >= 7 ? 6 : 4) + k);
        }
        assert_int_equal(gt_writer_finish(w), GT_OK);
        gt_writer_free(w);
    }
}

static void test_writer_generations(void **state)
{
    (void)state;
    gt_sync sync = {1, 1000, 1, 0, 0, 0};
    for (unsigned v = 22; v <= 26; v += 4) {
        gt_writer *w = writer_mem();
        gt_writer_start(w, v);
        assert_int_equal(gt_writer_begin_generation(w, 0, &sync), GT_ERR_GENERATION);
        assert_int_equal(gt_writer_begin_generation(w, 5, &sync), GT_OK); /* a trace may start anywhere */
        gt_writer_end_generation(w);
        assert_int_equal(gt_writer_begin_generation(w, 7, &sync), v >= 26 ? GT_OK : GT_ERR_GENERATION);
        if (v < 26) assert_int_equal(gt_writer_begin_generation(w, 6, &sync), GT_OK);
        gt_writer_end_generation(w);
        assert_int_equal(gt_writer_begin_generation(w, 6, &sync), GT_ERR_GENERATION);
        sync.freq = 0;
        assert_int_equal(gt_writer_begin_generation(w, v >= 26 ? 8 : 7, &sync), GT_ERR_BAD_FREQUENCY);
        sync.freq = 1000;
        gt_writer_free(w);
    }
    gt_writer *w = writer_mem();
    gt_writer_start(w, 25);
    sync.clock_time = 0;
    sync.time = 5;
    assert_int_equal(gt_writer_begin_generation(w, 1, &sync), GT_ERR_INVALID_ARGUMENT);
    gt_writer_free(w);
}

static void test_writer_limits(void **state)
{
    (void)state;
    gt_writer *w = writer_mem();
    gt_limits lim = {.max_string_size = 8, .max_frames = 2, .max_ids = 4, .max_batch_size = 64};
    gt_writer_set_limits(w, &lim);
    gt_writer_start(w, 23);
    gt_sync sync = {1, 1000, 1, 0, 0, 0};
    gt_writer_begin_generation(w, 1, &sync);
    uint64_t id;
    gt_sym_frame f3[3] = {frame_f, frame_f, frame_f};
    assert_int_equal(gt_writer_string(w, "123456789", 9, &id), GT_ERR_LIMIT);
    assert_int_equal(gt_writer_stack(w, f3, 3, &id), GT_ERR_LIMIT);
    assert_int_equal(gt_writer_stack(w, f3, 2, &id), GT_OK); /* main.f, x.go, the stack: 3 IDs */
    assert_int_equal(gt_writer_string(w, "a", 1, &id), GT_OK);
    assert_int_equal(gt_writer_string(w, "b", 1, &id), GT_ERR_LIMIT);
    assert_int_equal(gt_writer_string(w, "a", 1, &id), GT_OK); /* known strings still resolve */
    assert_int_equal(id, 3);
    assert_int_equal(gt_writer_error(w)->status, GT_ERR_LIMIT);
    assert_int_equal(gt_writer_end_generation(w), GT_OK); /* limits are not sticky */
    gt_writer_begin_generation(w, 2, &sync);
    for (int i = 0; i < 4; i++) assert_int_equal(gt_writer_string(w, &"abcdefgh"[i], 8 - (size_t)i, &id), GT_OK);
    assert_int_equal(gt_writer_finish(w), GT_OK);
    /* Small batches: the string table spans several, each within the limit. */
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, out, (size_t)gt_writer_size(w));
    gt_event ev;
    while (gt_reader_next(r, &ev) == GT_OK)
        if (ev.kind == GT_KIND_BATCH) assert_true(ev.args[3] <= 64);
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    gt_reader_free(r);
    gt_writer_free(w);

    /* Entries that cannot fit a batch are refused before they get an ID. */
    w = writer_mem();
    gt_limits small = {.max_batch_size = 40};
    gt_writer_set_limits(w, &small);
    gt_writer_start(w, 22);
    gt_writer_begin_generation(w, 1, &sync);
    assert_int_equal(gt_writer_string(w, "0123456789012345678", 19, &id), GT_ERR_LIMIT);
    assert_int_equal(gt_writer_string(w, "0123456789", 10, &id), GT_OK);
    assert_int_equal(id, 1);
    /* A record reserves 31 bytes of head: 4 bytes of frame fit, 12 do not. */
    gt_sym_frame deep[3] = {{1, "a", 1, "b", 1, 1}, {2, "a", 1, "b", 1, 2}, {3, "a", 1, "b", 1, 3}};
    assert_int_equal(gt_writer_stack(w, deep, 3, &id), GT_ERR_LIMIT);
    assert_int_equal(gt_writer_stack(w, deep, 1, &id), GT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(gt_writer_finish(w), GT_OK);
    r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, out, (size_t)gt_writer_size(w));
    while (gt_reader_next(r, &ev) == GT_OK) {
    }
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    gt_reader_free(r);
    gt_writer_free(w);

    /* A memory budget too small for the tables. */
    w = gt_writer_create(NULL);
    gt_limits tiny = {.max_memory = 200000};
    gt_writer_set_limits(w, &tiny);
    gt_writer_set_buffer(w, out, sizeof out);
    assert_int_equal(gt_writer_start(w, 23), GT_OK);
    gt_writer_begin_generation(w, 1, &sync);
    gt_status s = GT_OK;
    for (uint32_t i = 0; i < 100000 && s == GT_OK; i++) s = gt_writer_string(w, &i, sizeof i, &id);
    assert_int_equal(s, GT_ERR_NOMEM);
    gt_writer_free(w);
}

/* An allocator that counts its calls. */
static size_t alloc_calls;
static void *count_malloc(void *ctx, size_t n)
{
    (void)ctx;
    alloc_calls++;
    return malloc(n);
}
static void *count_realloc(void *ctx, void *p, size_t old, size_t n)
{
    (void)ctx;
    (void)old;
    alloc_calls++;
    return realloc(p, n);
}
static void count_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

/* gt_writer_start checks the budget of all its buffers before it allocates
 * one: limits whose buffers fit max_memory one by one but not together are
 * refused with nothing allocated, and the writer can start once they fit. */
static void test_writer_start_budget(void **state)
{
    (void)state;
    gt_alloc alc = {count_malloc, count_realloc, count_free, NULL};
    gt_writer *w = gt_writer_create(&alc);
    assert_non_null(w);
    static uint8_t out[4096];
    gt_writer_set_buffer(w, out, sizeof out);
    /* key: 20 000 frames x 40 bytes = 800 000; two batch buffers of ~64 KiB */
    gt_limits lim = {.max_frames = 20000, .max_memory = 900000};
    assert_int_equal(gt_writer_set_limits(w, &lim), GT_OK);
    alloc_calls = 0;
    assert_int_equal(gt_writer_start(w, 26), GT_ERR_NOMEM);
    assert_int_equal(alloc_calls, 0);
    assert_non_null(strstr(gt_writer_error(w)->message, "more than max_memory"));
    lim.max_memory = 2000000;
    assert_int_equal(gt_writer_set_limits(w, &lim), GT_OK);
    assert_int_equal(gt_writer_start(w, 26), GT_OK);
    assert_int_equal(alloc_calls, 3);
    gt_writer_free(w);
}

typedef struct failing {
    size_t left;
} failing;

static long failing_sink(void *user, const uint8_t *p, size_t n)
{
    failing *f = user;
    (void)p;
    if (f->left == 0) return -1;
    size_t k = n < f->left ? n : f->left;
    f->left -= k;
    return (long)k;
}

static void test_writer_output_errors(void **state)
{
    (void)state;
    gt_sync sync = {1, 1000, 1, 0, 0, 0};
    /* Buffer too small: sticky. */
    gt_writer *w = gt_writer_create(NULL);
    gt_writer_set_buffer(w, out, 20);
    assert_int_equal(gt_writer_begin_generation(w, 1, &sync), GT_ERR_STATE);
    assert_int_equal(gt_writer_start(w, 22), GT_OK);
    assert_int_equal(gt_writer_bytes(w, "0123456789", 10), GT_ERR_DST_TOO_SMALL);
    assert_int_equal(gt_writer_bytes(w, "0", 1), GT_ERR_DST_TOO_SMALL);
    assert_int_equal(gt_writer_finish(w), GT_ERR_DST_TOO_SMALL);
    gt_writer_free(w);
    /* No output at all. */
    w = gt_writer_create(NULL);
    assert_int_equal(gt_writer_start(w, 22), GT_ERR_STATE);
    gt_writer_free(w);
    /* A sink that fails after 100 bytes: sticky GT_ERR_IO. */
    failing f = {100};
    w = gt_writer_create(NULL);
    assert_int_equal(gt_writer_set_sink(w, failing_sink, &f), GT_OK);
    assert_int_equal(gt_writer_set_buffer(w, out, 10), GT_ERR_STATE);
    gt_writer_start(w, 22);
    static uint8_t big[300000];
    assert_int_equal(gt_writer_bytes(w, big, sizeof big), GT_ERR_IO);
    assert_int_equal(gt_writer_flush(w), GT_ERR_IO);
    gt_writer_free(w);
}

/* gt_writer_item: the raw path of `gotrace copy`. */
static void test_writer_items(void **state)
{
    (void)state;
    uint8_t file[200];
    size_t n = hex(file, example_v2);
    gt_writer *w = writer_mem();
    gt_event ev = ITEM(GT_KIND_EVENT, 11, 1);
    assert_int_equal(gt_writer_item(w, &ev), GT_ERR_STATE); /* before the header */
    for (int validate = 0; validate < 2; validate++) {
        gt_writer_free(w);
        w = writer_mem();
        gt_reader *r = gt_reader_create(NULL);
        gt_reader_set_validation(r, validate);
        gt_reader_set_buffer(r, file, n);
        while (gt_reader_next(r, &ev) == GT_OK) assert_int_equal(gt_writer_item(w, &ev), GT_OK);
        assert_int_equal(gt_reader_error(r)->status, GT_OK);
        expect_hex(out, (size_t)gt_writer_size(w), example_v2);
        gt_reader_free(r);
    }
    gt_writer_free(w);

    /* An ExperimentalBatch of experiment 0 is read as an ordinary batch when
     * validating: its events come after it, but its data already holds them. */
    uint8_t t2[256];
    size_t m = gt_header_write(t2, sizeof t2, 23);
    m += hex(t2 + m, "31 00 01 01 64 04 0d 01 00 01 "                            /* exp 0: ProcStatus */
                     "01 01 ff ff ff ff ff ff ff ff ff 01 0a 05 08 a8 d6 b9 07 " /* frequency */
                     "01 01 ff ff ff ff ff ff ff ff ff 01 0a 01 02 "             /* empty stacks */
                     "01 01 ff ff ff ff ff ff ff ff ff 01 0a 01 04");            /* empty strings */
    w = writer_mem();
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, t2, m);
    unsigned events = 0;
    while (gt_reader_next(r, &ev) == GT_OK) {
        events += ev.kind == GT_KIND_EVENT;
        assert_int_equal(gt_writer_item(w, &ev), GT_OK);
    }
    assert_int_equal(gt_reader_error(r)->status, GT_OK);
    assert_int_equal(events, 1);
    assert_int_equal(gt_writer_size(w), m);
    assert_memory_equal(out, t2, m);
    gt_reader_free(r);
    gt_writer_free(w);
}

/*-************************************
 *  gt_asm
 **************************************/
/* Assemble text (fed whole, then byte by byte: the same result). */
static gt_status asm_text(const char *text, size_t *n, gt_error *err)
{
    static uint8_t again[1 << 16];
    gt_status st[2];
    size_t len[2];
    for (int pass = 0; pass < 2; pass++) {
        gt_writer *w = gt_writer_create(NULL);
        gt_writer_set_buffer(w, pass ? again : out, pass ? sizeof again : sizeof out);
        gt_asm *a = gt_asm_create(NULL, w);
        assert_non_null(a);
        gt_status s = GT_OK;
        size_t tl = strlen(text);
        if (pass == 0) s = gt_asm_feed(a, text, tl);
        for (size_t i = 0; pass && i < tl && s == GT_OK; i++) s = gt_asm_feed(a, text + i, 1);
        if (s == GT_OK) s = gt_asm_finish(a);
        st[pass] = s;
        len[pass] = (size_t)gt_writer_size(w);
        if (pass == 0 && err) *err = *gt_asm_error(a);
        gt_asm_free(a);
        gt_writer_free(w);
    }
    assert_int_equal(st[0], st[1]);
    if (st[0] == GT_OK) {
        assert_int_equal(len[0], len[1]);
        assert_memory_equal(out, again, len[0]);
    }
    *n = len[0];
    return st[0];
}

static void expect_asm(const char *text, const char *want)
{
    size_t n;
    gt_error e;
    gt_status s = asm_text(text, &n, &e);
    if (s != GT_OK) fprintf(stderr, "asm: %s\n", e.message);
    assert_int_equal(s, GT_OK);
    expect_hex(out, n, want);
}

/* Byte offset where line `line` (1-based) starts; the text's length past its end. */
static uint64_t line_offset(const char *text, unsigned line)
{
    const char *p = text;
    for (unsigned l = 1; l < line && *p; l++) {
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    return (uint64_t)(p - text);
}

static void expect_asm_error(const char *text, gt_status want, const char *msg, unsigned line)
{
    size_t n;
    gt_error e;
    uint64_t offset = line_offset(text, line);
    char where[32];
    snprintf(where, sizeof where, "line %u: ", line);
    assert_int_equal(asm_text(text, &n, &e), want);
    assert_non_null(strstr(e.message, where));
    if (!strstr(e.message, msg)) fprintf(stderr, "message: %s\nwant: %s\n", e.message, msg);
    assert_non_null(strstr(e.message, msg));
    assert_int_equal(e.offset, offset);
}

static void test_asm_examples(void **state)
{
    (void)state;
    expect_asm(example_v2_text, example_v2);
    /* The legacy example in the legacy dump style. */
    expect_asm("Trace Go1.11\nBatch p=0 ticks=100\nProcStart dt=1 thread=1\nGoCreate dt=1 g=2 stack=1 stkid=0\n"
               "ProcStop dt=1\nFrequency freq=15625000\nBatch p=0 ticks=110\nString id=1\n\tdata=\"main.f\"\n"
               "String id=2\n\tdata=\"x.go\"\nStack id=1 siz=1\n\tpc=4198400 func=1 file=2 line=42\n",
               example_11);
    expect_asm("Trace Go1.5\nBatch p=0 seq=0 ticks=100\nProcStart dseq=1 dt=1 thread=1\n"
               "GoCreate dseq=1 dt=1 g=2 stack=4198400 stkid=0\nProcStop dseq=1 dt=1\nStack id=1 siz=1\n\tpc=4198400\n"
               "Frequency freq=15625000 unused=0\n",
               example_5);
}

static void test_asm_grammar(void **state)
{
    (void)state;
    /* Comments, blank lines, CRLF, tabs and Unicode spaces between tokens. */
    expect_asm(
        "# leading comment\n\n  Trace   Go1.22  \r\n# x\n\nEventBatch\tgen=1\xc2\xa0m=2\xe3\x80\x80time=3 size=2\r\n"
        "   # between\nProcStop dt=7\n",
        HDR22 "01 01 02 03 02 0b 07");
    /* Data: every escape of strconv.Unquote; raw and single-quoted forms; a missing line. */
    expect_asm("Trace Go1.22\nString id=1\n\tdata=\"a\\x00\\n\\\"\\\\\\u00e9\\U0001F600\\101\\a\\b\\f\\r\\t\\v\"\n"
               "String id=2\n  data = `raw\\x`\nString id=3\ndata='\\''\nString id=4\nString id=5\n\tdata=\"\xff\"\n",
               HDR22 "05 01 12 61 00 0a 22 5c c3 a9 f0 9f 98 80 41 07 08 0c 0d 09 0b 05 02 05 72 61 77 5c 78 "
                     "05 03 01 27 05 04 00 05 05 03 ef bf bd");
    /* An empty ExperimentalBatch prints no data line. */
    expect_asm("Trace Go1.23\nExperimentalBatch exp=1 gen=1 m=2 time=3\nEventBatch gen=1 m=2 time=3 size=0\n",
               "67 6f 20 31 2e 32 33 20 74 72 61 63 65 00 00 00 31 01 01 02 03 00 01 01 02 03 00");
    /* Inside an EventBatch's payload (by its size) ExperimentalBatch is an
     * event of varints, as the reader reads it; after the payload a header. */
    expect_asm("Trace Go1.23\nEventBatch gen=1 m=2 time=3 size=7\nExperimentalBatch exp=200 gen=1 m=2 time=3\n"
               "ExperimentalBatch exp=200 gen=1 m=2 time=3\n",
               "67 6f 20 31 2e 32 33 20 74 72 61 63 65 00 00 00 01 01 02 03 07 31 c8 01 01 02 03 00 31 c8 01 02 03 00");
    /* size is copied, not recomputed (Go's text2bytes does the same). */
    expect_asm("Trace Go1.26\nEventBatch gen=1 m=2 time=3 size=99\nEndOfGeneration\n",
               "67 6f 20 31 2e 32 36 20 74 72 61 63 65 00 00 00 01 01 02 03 63 34");
}

static void test_asm_annotations(void **state)
{
    (void)state;
    expect_asm("Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=9\n\t# w=size:10,m:2\n"
               "Stack id=1 nframes=1\n\n\t# w=frame0.line:3,nframes:2\n\tpc=1 func=2 file=3 line=4\n"
               "String id=1\n\t# w=datalen:2\n\tdata=\"x\"\n",
               HDR22 "01 01 82 00 03 89 80 80 80 80 80 80 80 80 00 03 01 81 00 01 02 03 84 80 00 05 01 81 00 78");
    /* An annotation is only the first comment after the event. */
    expect_asm("Trace Go1.22\nProcStop dt=1\n# note\n# w=dt:4\n", HDR22 "0b 01");
    /* Legacy: argument bits and the length prefix. */
    expect_asm("Trace Go1.11\nProcStop dt=1\n\t# bits=3\nGoCreate dt=1 g=2 stack=1 stkid=0\n\t# w=len:2 blen=4\n"
               "String id=1\n\t# bits=2\n\tdata=\"\"\n",
               "67 6f 20 31 2e 31 31 20 74 72 61 63 65 00 00 00 c6 01 01 cd 84 00 01 02 01 00 a5 01 00");
    expect_asm_error("Trace Go1.22\nHeapAlloc dt=1 heapalloc_value=300\n\t# w=heapalloc_value:1\n", GT_ERR_TEXT_SYNTAX,
                     "line 3: width 1 cannot hold heapalloc_value=300", 3);
    expect_asm_error("Trace Go1.22\nProcStop dt=1\n\t# w=nope:2\n", GT_ERR_TEXT_SYNTAX,
                     "line 3: annotation names no field of ProcStop: nope", 3);
    expect_asm_error("Trace Go1.22\nProcStop dt=1\n\t# w=dt:11\n", GT_ERR_TEXT_SYNTAX, "malformed width", 3);
    expect_asm_error("Trace Go1.11\nGoCreate dt=1 g=2 stack=1 stkid=0\n\t# blen=5\n", GT_ERR_TEXT_SYNTAX,
                     "blen=5 but the arguments take 4 bytes", 3);
    expect_asm_error("Trace Go1.11\nProcStop dt=1\n\t# w=len:2\n", GT_ERR_TEXT_SYNTAX, "not length-prefixed", 3);
    expect_asm_error("Trace Go1.22\nStack id=1 nframes=1\n\t# w=frame0.pc:1\n\tpc=300 func=2 file=3 line=4\n",
                     GT_ERR_TEXT_SYNTAX, "line 3: width 1 of frame 0 cannot hold 300", 3);
}

static void test_asm_errors(void **state)
{
    (void)state;
    expect_asm_error("", GT_ERR_TEXT_SYNTAX, "no \"Trace Go1.N\" header", 1);
    expect_asm_error("# only\n", GT_ERR_TEXT_SYNTAX, "no \"Trace Go1.N\" header", 2);
    expect_asm_error("Trace Go1.20\n", GT_ERR_TEXT_SYNTAX, "unknown or unsupported Go version Go1.20", 1);
    expect_asm_error("Trace Go1.22 x\n", GT_ERR_TEXT_SYNTAX, "unexpected non-space at the end of the header", 1);
    expect_asm_error("Tracer Go1.22\n", GT_ERR_TEXT_SYNTAX, "failed to parse header", 1);
    expect_asm_error("Trace Go1.22\n\nFoo dt=1\n", GT_ERR_TEXT_SYNTAX, "unidentified event: Foo", 3);
    expect_asm_error("Trace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n", GT_ERR_TEXT_SYNTAX, "unidentified event: GoSwitch",
                     2);
    expect_asm_error("Trace Go1.22\nProcStart dt=1 q=1 p_seq=2\n", GT_ERR_TEXT_SYNTAX,
                     "ProcStart: expected argument p, but got q", 2);
    expect_asm_error("Trace Go1.22\nProcStart dt=1 p=1\n", GT_ERR_TEXT_SYNTAX, "no argument p_seq", 2);
    expect_asm_error("Trace Go1.22\nProcStop dt=1 # c\n", GT_ERR_TEXT_SYNTAX, "unexpected non-space at the end", 2);
    expect_asm_error("Trace Go1.22\nProcStop dt=-1\n", GT_ERR_TEXT_SYNTAX, "failed to parse argument value -1", 2);
    expect_asm_error("Trace Go1.22\nProcStop dt=18446744073709551616\n", GT_ERR_TEXT_SYNTAX, "failed to parse", 2);
    expect_asm_error("Trace Go1.22\nProcStop dt\n", GT_ERR_TEXT_SYNTAX, "malformed argument: dt", 2);
    expect_asm_error("Trace Go1.22\nStack id=1 nframes=2\n\tpc=1 func=2 file=3 line=4\n", GT_ERR_TEXT_SYNTAX,
                     "unexpected EOF while reading stack", 4);
    expect_asm_error("Trace Go1.22\nStack id=1 nframes=1\n\tpc=1 func=2 file=3\n", GT_ERR_TEXT_SYNTAX,
                     "stack frame: no argument line", 3);
    expect_asm_error("Trace Go1.22\nStack id=1 nframes=129\n", GT_ERR_LIMIT, "stack of 129 frames", 2);
    expect_asm_error("Trace Go1.22\nString id=1\n\tdata=\"a\\q\"\n", GT_ERR_TEXT_SYNTAX, "failed to parse data", 3);
    expect_asm_error("Trace Go1.22\nString id=1\n\tdata=\"a\" b\n", GT_ERR_TEXT_SYNTAX, "failed to parse data", 3);
    expect_asm_error("Trace Go1.22\nString id=1\n\tdata=\"\\ud800\"\n", GT_ERR_TEXT_SYNTAX, "failed to parse data", 3);
    expect_asm_error("Trace Go1.22\nString id=1\n\tdata='ab'\n", GT_ERR_TEXT_SYNTAX, "failed to parse data", 3);
    expect_asm_error("Trace Go1.23\nExperimentalBatch exp=300 gen=1 m=1 time=1\n", GT_ERR_INVALID_ARGUMENT,
                     "cannot encode", 2);
    /* Errors are sticky. */
    gt_writer *w = writer_mem();
    gt_asm *a = gt_asm_create(NULL, w);
    assert_int_equal(gt_asm_feed(a, "Nope\n", 5), GT_ERR_TEXT_SYNTAX);
    assert_int_equal(gt_asm_feed(a, "Trace Go1.22\n", 13), GT_ERR_TEXT_SYNTAX);
    assert_int_equal(gt_asm_finish(a), GT_ERR_TEXT_SYNTAX);
    gt_asm_free(a);
    /* A line above the limit. */
    gt_limits lim = {.max_batch_size = 16};
    a = gt_asm_create(NULL, w);
    assert_int_equal(gt_asm_set_limits(a, &lim), GT_OK);
    static char longline[300];
    memset(longline, 'x', sizeof longline);
    assert_int_equal(gt_asm_feed(a, "Trace Go1.22\n", 13), GT_OK);
    assert_int_equal(gt_asm_set_limits(a, &lim), GT_ERR_STATE);
    gt_status s = GT_OK;
    for (int i = 0; i < 100 && s == GT_OK; i++) s = gt_asm_feed(a, longline, sizeof longline);
    assert_int_equal(s, GT_ERR_LIMIT);
    gt_asm_free(a);
    gt_writer_free(w);
    assert_null(gt_asm_create(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_v2),
        cmocka_unit_test(test_raw_legacy),
        cmocka_unit_test(test_batch_v2),
        cmocka_unit_test(test_batch_experimental_kept),
        cmocka_unit_test(test_batch_legacy),
        cmocka_unit_test(test_writer_legacy_examples),
        cmocka_unit_test(test_writer_legacy_footers),
        cmocka_unit_test(test_writer_legacy_footer_split),
        cmocka_unit_test(test_writer_v2),
        cmocka_unit_test(test_writer_stack_dedup),
        cmocka_unit_test(test_writer_generations),
        cmocka_unit_test(test_writer_limits),
        cmocka_unit_test(test_writer_start_budget),
        cmocka_unit_test(test_writer_output_errors),
        cmocka_unit_test(test_writer_items),
        cmocka_unit_test(test_asm_examples),
        cmocka_unit_test(test_asm_grammar),
        cmocka_unit_test(test_asm_annotations),
        cmocka_unit_test(test_asm_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
