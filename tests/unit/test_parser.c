/* gt_parser (the v2 ordering engine) on hand-built traces: the probe cases
 * of semantics.md Appendix A, the advance handlers' success and failure
 * paths, Go's error messages with their exact text and byte offsets, error
 * precedence across generations, synthetic events, the emission-time ID
 * checks, times, the text form, limits, misuse, and buffer vs callback
 * input (whole and byte by byte) giving identical results.
 *
 * Every expected message is Go 1.27's: with GT_PARSER_CASES=DIR set, each
 * case is also written to DIR/NAME.trace, so that Go's reader can be run on
 * the same bytes (build/go/gotraceoracle validate -reader DIR/\*.trace). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bytes.h"

#define NOTHREAD UINT64_MAX

enum {
    ProcsChange = 9, ProcStart, ProcStop, ProcSteal, ProcStatus, GoCreate, GoCreateSyscall, GoStart, GoDestroy,
    GoDestroySyscall, GoStop, GoBlock, GoUnblock, GoSyscallBegin, GoSyscallEnd, GoSyscallEndBlocked, GoStatus,
    STWBegin, STWEnd, GCActive, GCBegin, GCEnd, GCSweepActive, GCSweepBegin, GCSweepEnd, GCMarkAssistActive,
    GCMarkAssistBegin, GCMarkAssistEnd, HeapAlloc, HeapGoal, GoLabel, UserTaskBegin, UserTaskEnd, UserRegionBegin,
    UserRegionEnd, UserLog, GoSwitch, GoSwitchDestroy, GoCreateBlocked, GoStatusStack, ClockSnapshot = 51,
    HeapObjectAlloc = 132
};
enum { GRunnable = 1, GRunning, GSyscall, GWaiting };
enum { PRunning = 1, PIdle, PSyscall, PAbandoned };

/*-************************************
 *  Building traces
 **************************************/
typedef struct tr {
    tb t;
    unsigned v;
} tr;

static tr *tr_new(unsigned v)
{
    tr *t = calloc(1, sizeof *t);
    t->v = v;
    tb_header(&t->t, v);
    return t;
}

/* Offset of the next byte. */
static size_t here(const tr *t) { return t->t.n; }

static void batch(tr *t, uint64_t gen, uint64_t m, uint64_t time) { tb_batch(&t->t, gen, m, time); }
static void end(tr *t) { tb_end(&t->t); }

/* A timed event: dt then the arguments. Returns its offset. */
static size_t ev(tr *t, uint8_t type, const uint64_t *a, size_t n)
{
    size_t at = here(t);
    tb_byte(&t->t, type);
    for (size_t i = 0; i < n; i++) tb_uv(&t->t, a[i]);
    return at;
}
#define EV(t, type, ...) \
    ev((t), (type), (const uint64_t[]){__VA_ARGS__}, sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

/* The frequency (1.22-1.24) or sync (1.25+) batch; 1 tick = 64 ns. */
static void sync_batch(tr *t, uint64_t gen, uint64_t mono)
{
    batch(t, gen, NOTHREAD, 1);
    if (t->v >= 25) {
        tb_byte(&t->t, GT_V2_SYNC);
        TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
        TB_EV(&t->t, GT_V2_CLOCK_SNAPSHOT, 1, mono, 1700000000, 5);
    } else {
        TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
    }
    end(t);
}

static void strings(tr *t, uint64_t gen, int n, ...)
{
    batch(t, gen, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_STRINGS);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        uint64_t id = va_arg(ap, uint64_t);
        tb_string(&t->t, id, va_arg(ap, const char *));
    }
    va_end(ap);
    end(t);
}

/* One stack of one frame. */
static void stack1(tr *t, uint64_t gen, uint64_t id, uint64_t pc, uint64_t func, uint64_t file, uint64_t line)
{
    batch(t, gen, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_STACKS);
    tb_stack1(&t->t, id, pc, func, file, line);
    end(t);
}

static void eog(tr *t) { tb_byte(&t->t, GT_V2_END_OF_GENERATION); }

/* Offset of the first entry of a table batch from the batch's start: type,
 * gen, M (NoThread: 10 bytes), time, size (10 bytes), then the table byte. */
#define TABLE_ENTRY 24

/* The end of a generation: go 1.26 writes the marker. */
static void gen_end(tr *t)
{
    if (t->v >= 26) eog(t);
}

/* A generation's first batch on M m: ProcStatus P Running, GoStatus G Running. */
static void running(tr *t, uint64_t m, uint64_t p, uint64_t g)
{
    EV(t, ProcStatus, 1, p, PRunning);
    EV(t, GoStatus, 1, g, m, GRunning);
}

/*-************************************
 *  Parsing
 **************************************/
typedef struct res {
    gt_status s;
    char text[1 << 16]; /* the first 64 KiB of the text */
    size_t len;
    uint64_t hash;      /* FNV-1a of the whole text */
    gt_error err;
    char msg[8192];
    size_t msg_len;
    int64_t m;
    uint64_t events;
    char diag[4096];
} res;

typedef struct chunks {
    const uint8_t *p;
    size_t n, pos, step;
} chunks;

static long read_chunks(void *user, uint8_t *buf, size_t cap)
{
    chunks *c = user;
    size_t k = c->n - c->pos;
    if (k > c->step) k = c->step;
    if (k > cap) k = cap;
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (long)k;
}

/* step 0: buffer input; otherwise callback input `step` bytes at a time. */
/* gt_parser_set_release(): when set, parse_with's buffer input gets a
 * callback that overwrites every byte the parser says it will not read again. */
typedef struct poison {
    uint8_t *b;
    uint64_t done, calls;
} poison;
static poison *release_poison;

static void poison_cb(void *user, uint64_t offset)
{
    poison *z = user;
    assert_true(offset >= z->done);
    memset(z->b + z->done, 0xA5, (size_t)(offset - z->done));
    z->done = offset;
    z->calls++;
}

static void parse_with(const uint8_t *b, size_t n, size_t step, unsigned flags, res *r)
{
    memset(r, 0, sizeof *r);
    gt_parser *p = gt_parser_create(NULL);
    assert_non_null(p);
    chunks c = {b, n, 0, step};
    if (step) assert_int_equal(gt_parser_set_callback(p, read_chunks, &c), GT_OK);
    else assert_int_equal(gt_parser_set_buffer(p, b, n), GT_OK);
    if (!step && release_poison) assert_int_equal(gt_parser_set_release(p, poison_cb, release_poison), GT_OK);
    gt_parser_set_flags(p, flags);
    gt_parsed e;
    r->hash = UINT64_C(14695981039346656037);
    static char line[1 << 20];
    while ((r->s = gt_parser_next(p, &e)) == GT_OK) {
        r->events++;
        size_t k = gt_parser_format(&e, line, sizeof line - 1);
        assert_true(k < sizeof line - 1);
        line[k++] = '\n';
        for (size_t i = 0; i < k; i++) r->hash = (r->hash ^ (uint8_t)line[i]) * UINT64_C(1099511628211);
        if (k < sizeof r->text - r->len) {
            memcpy(r->text + r->len, line, k);
            r->len += k;
            r->text[r->len] = '\0';
        }
    }
    r->err = *gt_parser_error(p);
    const char *m = gt_parser_message(p, &r->msg_len);
    memcpy(r->msg, m, r->msg_len < sizeof r->msg - 1 ? r->msg_len : sizeof r->msg - 1);
    r->m = gt_parser_error_thread(p);
    gt_parser_diagnostic(p, r->diag, sizeof r->diag);
    /* sticky */
    assert_int_equal(gt_parser_next(p, &e), r->s);
    gt_parser_free(p);
}

static void dump_case(const char *name, const tr *t)
{
    const char *dir = getenv("GT_PARSER_CASES");
    if (!dir) return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s.trace", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(t->t.b, 1, t->t.n, f);
    fclose(f);
}

/* Parse a case from the buffer, and check that the callback input, whole
 * and one byte at a time, gives the same events, status and error. */
static void parse(const char *name, tr *t, res *r)
{
    dump_case(name, t);
    parse_with(t->t.b, t->t.n, 0, 0, r);
    res *o = malloc(sizeof *o);
    for (size_t step = 1; step <= 1 << 20; step <<= 20) {
        parse_with(t->t.b, t->t.n, step, 0, o);
        assert_int_equal(o->s, r->s);
        assert_string_equal(o->text, r->text);
        assert_string_equal(o->msg, r->msg);
        assert_int_equal(o->err.offset, r->err.offset);
        assert_int_equal(o->m, r->m);
    }
    free(o);
}

/* The case must be accepted. */
static void accept(const char *name, tr *t, res *r)
{
    parse(name, t, r);
    if (r->s != GT_END) fprintf(stderr, "%s: %s: %s\n", name, gt_status_name(r->s), r->msg);
    assert_int_equal(r->s, GT_END);
}

/* The case must fail with status s, Go's message and the offset. */
static void reject(const char *name, tr *t, res *r, gt_status s, const char *msg, size_t offset)
{
    parse(name, t, r);
    if (r->s != s || strcmp(r->msg, msg) || r->err.offset != offset)
        fprintf(stderr, "%s: got %s at %llu: \"%s\"\n", name, gt_status_name(r->s), (unsigned long long)r->err.offset,
                r->msg);
    assert_int_equal(r->s, s);
    assert_string_equal(r->msg, msg);
    assert_int_equal(r->err.offset, offset);
}

static bool has_line(const res *r, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = r->text; (p = strstr(p, line)) != NULL; p++)
        if ((p == r->text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) return true;
    return false;
}

#define HAS(r, line)                                                                        \
    do {                                                                                    \
        if (!has_line((r), (line))) fprintf(stderr, "missing line: %s\nin:\n%s", (line), (r)->text); \
        assert_true(has_line((r), (line)));                                                 \
    } while (0)

/* A one-generation trace: the sync batch, then the caller's batches. */
static tr *one_gen(unsigned v)
{
    tr *t = tr_new(v);
    sync_batch(t, 1, 100);
    return t;
}

/*-************************************
 *  Appendix A of semantics.md
 **************************************/
static void test_appendix_accepted(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;

    /* A: GoStatus with status 0 ("Bad") reads as Undetermined. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, 0);
    end(t);
    accept("A-status-0", t, r);
    HAS(r, "M=0 P=0 G=-1 StateTransition Time=192 GoID=1 Undetermined->Undetermined Reason=\"\"");
    free(t);

    /* B: two goroutines made Running on one M by GoStatus. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GRunning);
    EV(t, GoStatus, 1, 2, 0, GRunning);
    end(t);
    accept("B-two-running", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=256 GoID=2 Undetermined->Running Reason=\"\"");
    free(t);

    /* C: go 1.26 generation numbers may jump (1, then 5). */
    t = tr_new(26);
    sync_batch(t, 1, 100);
    eog(t);
    sync_batch(t, 5, 200);
    eog(t);
    accept("C-gen-jump", t, r);
    assert_int_equal(r->events, 3);
    free(t);

    /* E: frequency 0 is accepted (ns per tick becomes +Inf). */
    t = tr_new(22);
    batch(t, 1, NOTHREAD, 1);
    TB_EV(&t->t, GT_V2_FREQUENCY, 0);
    end(t);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    end(t);
    accept("E-freq-0", t, r);
    /* times are -Inf... -> INT64_MIN, then made increasing from 0 */
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
                                 "M=0 P=-1 G=-1 StateTransition Time=2 ProcID=0 Undetermined->Running Reason=\"\"\n"
                                 "M=-1 P=-1 G=-1 Sync Time=3 N=2\n");
    free(t);

    /* G: a later batch of an M may start earlier. */
    t = one_gen(22);
    batch(t, 1, 0, 100);
    running(t, 0, 0, 1);
    end(t);
    batch(t, 1, 0, 10);
    EV(t, GoStop, 1, 0, 0);
    end(t);
    accept("G-backward-batch", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=6529 GoID=1 Running->Runnable Reason=\"\"");
    free(t);

    /* H: a label with string 0 (the empty string). */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoLabel, 1, 0);
    end(t);
    accept("H-empty-label", t, r);
    HAS(r, "M=0 P=0 G=1 Label Time=256 Label=\"\" Resource=Goroutine(1)");
    free(t);

    /* K: a clock snapshot going backwards across generations (the Reader does not check). */
    t = tr_new(25);
    sync_batch(t, 1, 100);
    sync_batch(t, 2, 50);
    accept("K-mono-backwards", t, r);
    HAS(r, "M=-1 P=-1 G=-1 Sync Time=64 N=1 Trace=128 Mono=100 Wall=2023-11-14T22:13:20.000000005Z");
    free(t);

    /* R: a CPU sample whose stack does not exist. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    end(t);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_CPU_SAMPLES);
    TB_EV(&t->t, GT_V2_CPU_SAMPLE, 2, 0, 0, 1, 99);
    end(t);
    accept("R-sample-bad-stack", t, r);
    /* Go's Reader accepts it; Go's Event.String() then panics on the stack
     * (go tool trace -d=parsed crashes): we print the stack without frames. */
    HAS(r, "M=0 P=0 G=1 StackSample Time=129\nStack=\n");
    free(t);

    /* S: go 1.26, a complete generation then only a sync batch: dropped. */
    t = tr_new(26);
    sync_batch(t, 1, 100);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    end(t);
    eog(t);
    sync_batch(t, 2, 200);
    accept("S-partial-tables", t, r);
    assert_int_equal(r->events, 3);
    free(t);

    /* U: statuses are truncated to 8 bits: 257 reads as 1. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, 257);
    EV(t, GoStatus, 1, 1, 0, 258);
    end(t);
    accept("U-status-257", t, r);
    /* Go's Event.String() indexes its table with the unmasked 257 and panics
     * on the ProcStatus; we print the masked status. */
    HAS(r, "M=0 P=-1 G=-1 StateTransition Time=128 ProcID=0 Undetermined->Running Reason=\"\"");
    HAS(r, "M=0 P=0 G=-1 StateTransition Time=192 GoID=1 Undetermined->Running Reason=\"\"");
    free(t);

    /* An ExperimentalBatch byte as the very last byte reads as a clean end (1.23). */
    t = one_gen(23);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    end(t);
    tb_byte(&t->t, GT_V2_EXPERIMENTAL_BATCH);
    accept("lone-experimental-byte", t, r);
    free(t);

    /* A table that ends right before a varint: Go's error is io.EOF itself,
     * which its readers take for the end of the trace. */
    t = tr_new(22);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_FREQUENCY);
    end(t);
    accept("io-eof-frequency", t, r);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
    free(t);
    t = tr_new(26);
    sync_batch(t, 1, 100);
    eog(t);
    sync_batch(t, 2, 200);
    batch(t, 2, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_STRINGS);
    size_t at = here(t);
    tb_byte(&t->t, GT_V2_STRING);
    end(t);
    eog(t);
    accept("io-eof-string-126", t, r);
    assert_int_equal(r->events, 2); /* generation 1's Sync, then the Sync before the "error" */
    {
        gt_parser *p = gt_parser_create(NULL);
        gt_parser_set_buffer(p, t->t.b, t->t.n);
        gt_parsed e;
        while (gt_parser_next(p, &e) == GT_OK) {}
        gt_parse_counts c;
        gt_parser_counts(p, &c);
        assert_int_equal(c.eof_offset, at);
        gt_parser_free(p);
    }
    /* One byte of a varint, then the end: "unexpected EOF", an error. */
    size_t cut = here(t);
    t->t.n = at - 24;
    batch(t, 2, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_STRINGS);
    tb_byte(&t->t, GT_V2_STRING);
    tb_byte(&t->t, 0x81);
    end(t);
    eog(t);
    (void)cut;
    reject("unexpected-eof-string-126", t, r, GT_ERR_TRUNCATED, "unexpected EOF", at);
    free(t);

    /* A header alone: go 1.26 ends cleanly (one Sync). */
    t = tr_new(26);
    accept("header-only-126", t, r);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
    free(t);
    free(r);
}

static void test_appendix_rejected(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;
    size_t at;

    /* D: go 1.23, generation 1 then 3: after one Sync. */
    t = tr_new(23);
    sync_batch(t, 1, 0);
    at = here(t);
    sync_batch(t, 3, 0);
    reject("D-gen-skip", t, r, GT_ERR_GENERATION, "generations out of order", at);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
    free(t);

    /* F: go 1.26 without the end-of-generation marker. */
    t = tr_new(26);
    sync_batch(t, 1, 100);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    end(t);
    reject("F-no-eog", t, r, GT_ERR_INCOMPLETE_GENERATION, "incomplete generation found; trace likely truncated", here(t));
    free(t);

    /* I: header and end marker only. */
    t = tr_new(26);
    eog(t);
    reject("I-eog-only", t, r, GT_ERR_MISSING_FREQUENCY, "no frequency event found", 16);
    free(t);

    /* M: a P's status changes without an event. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    at = EV(t, ProcStatus, 1, 0, PIdle);
    end(t);
    reject("M-proc-status", t, r, GT_ERR_SEMANTIC, "inconsistent status for proc 0: old Running vs. new Idle", at);
    assert_int_equal(r->m, 0);
    free(t);

    /* N: a new goroutine's status in generation 2. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    end(t);
    sync_batch(t, 2, 0);
    batch(t, 2, 0, 1);
    at = EV(t, GoStatus, 1, 9, NOTHREAD, GRunnable);
    end(t);
    reject("N-new-g-later", t, r, GT_ERR_SEMANTIC,
           "found goroutine status for new goroutine after the first generation: id=9 status=Runnable", at);
    free(t);

    /* O: go 1.23, an event batch whose payload starts with the end marker. */
    t = one_gen(23);
    at = here(t);
    batch(t, 1, 0, 1);
    tb_byte(&t->t, GT_V2_END_OF_GENERATION);
    end(t);
    reject("O-eog-payload", t, r, GT_ERR_BAD_BATCH, "internal error: unexpectedly processing EndOfGeneration; broken trace?",
           at);
    free(t);

    /* P: go 1.26, generation 2's batch before generation 1's marker. */
    t = tr_new(26);
    sync_batch(t, 1, 100);
    at = here(t);
    sync_batch(t, 2, 200);
    reject("P-interleaved", t, r, GT_ERR_GENERATION,
           "broken trace: missing end-of-generation event, or generations are interleaved", at);
    free(t);

    /* Q: go 1.23, a bare end marker. */
    t = tr_new(23);
    eog(t);
    reject("Q-bare-eog", t, r, GT_ERR_GENERATION, "invalid generation number 0", 16);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
    free(t);
    free(r);
}

/* J: failed to advance, with Go's dump and our per-thread explanation. */
static void test_failed_to_advance(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    size_t at = EV(t, GoStart, 1, 7, 1);
    end(t);
    parse("J-unknown-g", t, r);
    assert_int_equal(r->s, GT_ERR_SEMANTIC);
    assert_int_equal(r->err.offset, at);
    assert_string_equal(r->msg, "broken trace: failed to advance: frontier:\n[gen=1]\n\nM 0 [GoStart time=192 g=7 g_seq=1]\n\n"
                                "\nP 0 [status=Running seq=0 (gen=1)]\n\nM 0 [g=-1 p=0]\n\nGC 0 Undetermined\n\n");
    char want[128];
    snprintf(want, sizeof want, "M 0 at offset %zu: GoStart time=192 g=7 g_seq=1: G 7 has no status yet\n", at);
    assert_string_equal(r->diag, want);
    free(t);

    /* A seq mismatch names both sequence numbers. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoCreate, 1, 5, 0, 0);
    at = EV(t, GoStart, 1, 5, 2);
    end(t);
    parse("J-seq", t, r);
    assert_int_equal(r->s, GT_ERR_SEMANTIC);
    assert_non_null(strstr(r->diag, "G 5 seq 2 (gen 1) does not follow 0 (gen 1)"));
    free(t);
    free(r);
}

/*-************************************
 *  Generations, reading and error precedence
 **************************************/
static void test_generation_precedence(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;
    size_t at;

    /* < 1.26: a truncated batch in generation 2 is reported after the
     * batches of generation 2 read so far are ordered, and after a Sync. */
    t = one_gen(23);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    end(t);
    sync_batch(t, 2, 0);
    batch(t, 2, 0, 1);
    EV(t, GoStatus, 1, 1, 0, GRunning);
    EV(t, GoStop, 1, 0, 0);
    end(t);
    at = here(t);
    batch(t, 2, 1, 1);
    EV(t, ProcStatus, 1, 1, PIdle);
    end(t);
    t->t.n -= 2; /* cut the last batch */
    reject("deferred-read-error", t, r, GT_ERR_TRUNCATED, "failed to read full batch: read 2 but wanted 4", at);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=195 GoID=1 Running->Runnable Reason=\"\"");
    HAS(r, "M=-1 P=-1 G=-1 Sync Time=196 N=3");
    free(t);

    /* 1.26: the bad generation is dropped whole, after a Sync. */
    t = tr_new(26);
    sync_batch(t, 1, 100);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    end(t);
    eog(t);
    sync_batch(t, 2, 200);
    batch(t, 2, 0, 1);
    EV(t, GoStatus, 1, 1, 0, GRunning);
    end(t);
    at = here(t);
    batch(t, 2, 1, 1);
    EV(t, ProcStatus, 1, 1, PIdle);
    end(t);
    t->t.n -= 2;
    reject("dropped-generation", t, r, GT_ERR_TRUNCATED, "failed to read full batch: read 2 but wanted 4", at);
    assert_int_equal(r->events, 4); /* Sync, two transitions of gen 1, Sync */
    free(t);

    /* Generation 1 is ordered completely before generation 2's read error,
     * and its own ordering error wins (go122-fail-first-gen-first). */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    at = EV(t, GoCreate, 1, 1, 0, 0);
    end(t);
    batch(t, 2, 0, 1);
    t->t.n -= 3;
    reject("first-gen-first", t, r, GT_ERR_SEMANTIC, "expected a proc but didn't have one", at);
    free(t);

    /* < 1.26: a table error is not deferred; the generation is dropped after a Sync. */
    t = one_gen(22);
    at = here(t);
    batch(t, 1, NOTHREAD, 1);
    TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
    end(t);
    reject("dup-frequency-122", t, r, GT_ERR_DUPLICATE_FREQUENCY, "found multiple frequency events", at + TABLE_ENTRY - 1);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
    free(t);

    /* 1.22-1.24: the frequency batch holds only Frequency events (Go 1.27). */
    t = tr_new(22);
    batch(t, 1, NOTHREAD, 1);
    TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
    at = here(t);
    tb_byte(&t->t, 48);
    end(t);
    reject("freq-junk", t, r, GT_ERR_BAD_TABLE, "expected frequency or clock snapshot event, got 48", at);
    free(t);

    /* 1.25: a generation needs its clock snapshot. */
    t = tr_new(25);
    at = here(t);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_SYNC);
    TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
    end(t);
    reject("no-clock", t, r, GT_ERR_MISSING_CLOCK, "no clock snapshot event found", at);
    free(t);

    t = tr_new(25);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_SYNC);
    TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
    TB_EV(&t->t, GT_V2_CLOCK_SNAPSHOT, 1, 2, 3, 4);
    at = here(t);
    TB_EV(&t->t, GT_V2_CLOCK_SNAPSHOT, 1, 2, 3, 4);
    end(t);
    reject("two-clocks", t, r, GT_ERR_DUPLICATE_CLOCK, "found multiple clock snapshot events", at);
    free(t);
    free(r);
}

static void test_framing_errors(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t = one_gen(26);
    gen_end(t);
    size_t at = here(t);
    tb_byte(&t->t, 7);
    reject("not-a-batch", t, r, GT_ERR_BAD_BATCH, "expected batch event, got event 7", at);
    free(t);

    t = tr_new(23);
    tb_byte(&t->t, GT_V2_EVENT_BATCH);
    reject("batch-gen-eof", t, r, GT_ERR_TRUNCATED, "error reading batch gen: EOF", 16);
    free(t);

    t = tr_new(23);
    tb_byte(&t->t, GT_V2_EVENT_BATCH);
    tb_uv(&t->t, 1);
    tb_byte(&t->t, 0x80);
    reject("batch-m-unexpected-eof", t, r, GT_ERR_TRUNCATED, "error reading batch M ID: unexpected EOF", 16);
    free(t);

    t = tr_new(23);
    tb_byte(&t->t, GT_V2_EVENT_BATCH);
    for (int i = 0; i < 10; i++) tb_byte(&t->t, 0xff);
    reject("batch-gen-overflow", t, r, GT_ERR_VARINT, "error reading batch gen: binary: varint overflows a 64-bit integer", 16);
    free(t);

    t = tr_new(23);
    tb_byte(&t->t, GT_V2_EVENT_BATCH);
    tb_uv(&t->t, 1);
    tb_uv(&t->t, 0);
    tb_uv(&t->t, 0);
    tb_uv(&t->t, 70000);
    reject("batch-size", t, r, GT_ERR_BATCH_SIZE, "invalid batch size 70000, maximum is 65536", 16);
    free(t);

    /* Header errors. */
    static const uint8_t junk[] = "not a trace at all";
    parse_with(junk, sizeof junk - 1, 0, 0, r);
    assert_int_equal(r->s, GT_ERR_NOT_TRACE);
    assert_string_equal(r->msg, "bad file format: not a Go execution trace?");
    static const uint8_t v24[16] = "go 1.24 trace";
    parse_with(v24, 16, 0, 0, r);
    assert_int_equal(r->s, GT_ERR_UNSUPPORTED_VERSION);
    assert_string_equal(r->msg, "unknown or unsupported trace version go 1.24");
    static const uint8_t v19[16] = "go 1.19 trace";
    parse_with(v19, 16, 0, 0, r);
    assert_int_equal(r->s, GT_ERR_UNSUPPORTED_VERSION);
    free(r);
}

static void test_event_decoding(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    struct {
        const char *name;
        uint8_t type;
        gt_status s;
        const char *msg;
    } cases[] = {
        {"type-200", 200, GT_ERR_UNKNOWN_EVENT, "found invalid event type: 200"},
        {"type-60", 60, GT_ERR_UNKNOWN_EVENT, "found event without a timestamp: type=60"},
        {"type-stack", GT_V2_STACK, GT_ERR_UNKNOWN_EVENT, "found event without a timestamp: type=3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tr *t = one_gen(22);
        batch(t, 1, 0, 1);
        EV(t, ProcStatus, 1, 0, PRunning);
        size_t at = here(t);
        tb_byte(&t->t, cases[i].type);
        tb_uv(&t->t, 1);
        end(t);
        reject(cases[i].name, t, r, cases[i].s, cases[i].msg, at);
        free(t);
    }
    /* Truncated arguments and a timestamp that overflows. */
    tr *t = one_gen(22);
    batch(t, 1, 0, 1);
    size_t at = here(t);
    tb_byte(&t->t, ProcStatus);
    tb_uv(&t->t, 1);
    tb_uv(&t->t, 0);
    end(t);
    reject("args-truncated", t, r, GT_ERR_TRUNCATED, "found invalid uvarint", at);
    free(t);
    t = one_gen(22);
    batch(t, 1, 0, 1);
    at = here(t);
    tb_byte(&t->t, ProcStatus);
    for (int i = 0; i < 11; i++) tb_byte(&t->t, 0x80);
    end(t);
    reject("ts-overflow", t, r, GT_ERR_VARINT, "found invalid uvarint for timestamp", at);
    free(t);

    /* ClockSnapshot is timed, but has no ordering rule. */
    t = one_gen(25);
    batch(t, 1, 0, 1);
    at = EV(t, ClockSnapshot, 1, 2, 3, 4);
    end(t);
    reject("bad-ordering-type", t, r, GT_ERR_SEMANTIC, "bad event type found while ordering: 51", at);
    free(t);
    free(r);
}

/*-************************************
 *  Tables and emission-time checks
 **************************************/
static void test_tables(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t = one_gen(22);
    strings(t, 1, 1, (uint64_t)1, "a");
    size_t at = here(t) + TABLE_ENTRY;
    strings(t, 1, 1, (uint64_t)1, "b");
    reject("dup-string", t, r, GT_ERR_DUPLICATE_ID, "multiple strings with the same ID: id=1, new=b, existing=a", at);
    free(t);

    t = one_gen(22);
    at = here(t) + TABLE_ENTRY;
    strings(t, 1, 1, (uint64_t)0, "zero");
    reject("string-0", t, r, GT_ERR_DUPLICATE_ID, "multiple strings with the same ID: id=0, new=zero, existing=", at);
    free(t);

    t = one_gen(22);
    at = here(t) + TABLE_ENTRY;
    stack1(t, 1, 1, 0x10, 9, 0, 1);
    reject("frame-func", t, r, GT_ERR_UNDEFINED_STRING, "found invalid func string ID 9 for stack 1", at);
    free(t);

    t = one_gen(22);
    strings(t, 1, 1, (uint64_t)1, "f");
    at = here(t) + TABLE_ENTRY;
    stack1(t, 1, 1, 0x10, 1, 8, 1);
    reject("frame-file", t, r, GT_ERR_UNDEFINED_STRING, "found invalid file string ID 8 for stack 1", at);
    free(t);

    t = one_gen(22);
    stack1(t, 1, 1, 0x10, 0, 0, 1);
    at = here(t) + TABLE_ENTRY;
    stack1(t, 1, 1, 0x11, 0, 0, 1);
    reject("dup-stack", t, r, GT_ERR_DUPLICATE_ID,
           "multiple trace.stacks with the same ID: id=1, new=\t0x11\n, existing=\t0x10\n", at);
    free(t);

    /* Stack ID 0 exists already (the empty stack). */
    t = one_gen(22);
    at = here(t) + TABLE_ENTRY;
    stack1(t, 1, 0, 0x10, 0, 0, 1);
    reject("stack-0", t, r, GT_ERR_DUPLICATE_ID, "multiple trace.stacks with the same ID: id=0, new=\t0x10\n, existing=", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_STRINGS);
    at = here(t);
    tb_byte(&t->t, GT_V2_STRING);
    tb_uv(&t->t, 1);
    tb_uv(&t->t, 2000);
    end(t);
    reject("big-string", t, r, GT_ERR_STRING_SIZE, "invalid string size 2000, maximum is 1024", at);
    free(t);

    /* IDs checked when the event is delivered: after the events before it. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GoBlock, 1, 0, 5);
    end(t);
    reject("undefined-stack", t, r, GT_ERR_UNDEFINED_STACK, "found invalid stack ID 5 for event GoBlock", at);
    assert_int_equal(r->events, 3);
    free(t);
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GoBlock, 1, 6, 0);
    end(t);
    reject("undefined-string", t, r, GT_ERR_UNDEFINED_STRING, "found invalid string ID 6 for event GoBlock", at);
    free(t);

    /* The resolved stacks: the first frame seen for a PC wins. */
    t = one_gen(22);
    strings(t, 1, 3, (uint64_t)1, "main.f", (uint64_t)2, "f.go", (uint64_t)3, "other");
    stack1(t, 1, 1, 0x10, 1, 2, 7);
    stack1(t, 1, 2, 0x10, 3, 3, 9);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoBlock, 1, 1, 2);
    end(t);
    accept("first-frame-wins", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=256 GoID=1 Running->Waiting Reason=\"main.f\"\nTransitionStack=\n"
           "\tmain.f @ 0x10\n\t\tf.go:7\n\nStack=\n\tmain.f @ 0x10\n\t\tf.go:7\n");
    free(t);
    free(r);
}

/*-************************************
 *  Handlers
 **************************************/
static void test_procs(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;
    size_t at;

    /* ProcStart / ProcStop / ProcsChange / heap metrics. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 3, PIdle);
    EV(t, ProcStart, 1, 3, 1);
    EV(t, HeapAlloc, 1, 4096);
    EV(t, ProcStop, 1);
    end(t);
    accept("proc-start-stop", t, r);
    HAS(r, "M=0 P=-1 G=-1 StateTransition Time=192 ProcID=3 Idle->Running Reason=\"\"");
    HAS(r, "M=0 P=3 G=-1 Metric Time=256 Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(4096)}");
    HAS(r, "M=0 P=3 G=-1 StateTransition Time=320 ProcID=3 Running->Idle Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    at = EV(t, ProcStop, 1);
    end(t);
    reject("proc-stop-none", t, r, GT_ERR_SEMANTIC, "event ProcStop for proc (-1) that doesn't exist", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, ProcStop, 1);
    EV(t, ProcStatus, 1, 0, PIdle);
    end(t);
    batch(t, 1, 1, 1);
    EV(t, ProcStatus, 1, 1, PRunning);
    at = EV(t, HeapGoal, 1, 1);
    end(t);
    accept("heap-goal", t, r);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    at = EV(t, ProcStatus, 1, 0, 69);
    end(t);
    reject("proc-status-69", t, r, GT_ERR_SEMANTIC, "invalid status for proc 0: 69", at);
    free(t);

    /* Steals: by another M, self-steal, errors. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    EV(t, GoSyscallEndBlocked, 1);
    end(t);
    batch(t, 1, 1, 1);
    EV(t, ProcStatus, 1, 2, PIdle);
    EV(t, ProcSteal, 1, 0, 2, 0);
    end(t);
    accept("steal", t, r);
    HAS(r, "M=1 P=-1 G=-1 StateTransition Time=257 ProcID=0 Running->Idle Reason=\"\"");
    HAS(r, "M=0 P=-1 G=1 StateTransition Time=320 GoID=1 Syscall->Runnable Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    EV(t, ProcSteal, 1, 0, 2, 0);
    EV(t, GoSyscallEndBlocked, 1);
    end(t);
    accept("self-steal", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=320 ProcID=0 Running->Idle Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    end(t);
    batch(t, 1, 1, 1);
    at = EV(t, ProcSteal, 5, 0, 2, 9);
    end(t);
    reject("steal-unknown-m", t, r, GT_ERR_SEMANTIC, "stole proc from non-existent thread 9", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    end(t);
    batch(t, 1, 1, 1);
    EV(t, ProcStatus, 5, 3, PRunning);
    at = EV(t, ProcSteal, 1, 0, 2, 1);
    end(t);
    reject("self-steal-wrong", t, r, GT_ERR_SEMANTIC, "tried to self-steal proc 0 (thread 1), but got proc 3 instead", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    end(t);
    batch(t, 1, 2, 1);
    EV(t, ProcStatus, 1, 4, PRunning);
    end(t);
    batch(t, 1, 1, 1);
    at = EV(t, ProcSteal, 5, 0, 2, 2);
    end(t);
    reject("steal-wrong-proc", t, r, GT_ERR_SEMANTIC, "tried to steal proc 0 from thread 2, but got proc 4 instead", at);
    free(t);

    /* SyscallAbandoned: promoted when the P is in Syscall, Idle otherwise. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    end(t);
    batch(t, 1, 1, 5);
    EV(t, ProcStatus, 1, 0, PAbandoned);
    EV(t, ProcSteal, 1, 0, 1, 0);
    end(t);
    accept("abandoned-promoted", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=384 ProcID=0 Running->Running Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 1, 5);
    EV(t, ProcStatus, 1, 0, PAbandoned);
    EV(t, ProcSteal, 1, 0, 1, 7);
    end(t);
    accept("abandoned-steal", t, r);
    HAS(r, "M=1 P=-1 G=-1 StateTransition Time=384 ProcID=0 Undetermined->Idle Reason=\"\"");
    HAS(r, "M=1 P=-1 G=-1 StateTransition Time=448 ProcID=0 Idle->Idle Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PSyscall);
    end(t);
    batch(t, 1, 1, 5);
    at = EV(t, GoStatus, 1, 3, 0, GSyscall);
    end(t);
    reject("syscall-g-other-m", t, r, GT_ERR_SEMANTIC, "inconsistent thread for syscalling goroutine 3: thread has goroutine -1", at);
    free(t);
    free(r);
}

static void test_goroutines(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;
    size_t at;

    /* Create, start, block, unblock, stop, destroy. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoCreate, 1, 5, 0, 0);
    EV(t, GoCreateBlocked, 1, 6, 0, 0);
    EV(t, GoUnblock, 1, 6, 1, 0);
    EV(t, GoBlock, 1, 0, 0);
    EV(t, GoStart, 1, 5, 1);
    EV(t, GoDestroy, 1);
    EV(t, GoStart, 1, 6, 2);
    EV(t, GoStop, 1, 0, 0);
    end(t);
    accept("goroutine-life", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=256 GoID=5 NotExist->Runnable Reason=\"\"\nTransitionStack=");
    HAS(r, "M=0 P=0 G=1 StateTransition Time=320 GoID=6 NotExist->Waiting Reason=\"\"\nTransitionStack=");
    HAS(r, "M=0 P=0 G=5 StateTransition Time=576 GoID=5 Running->NotExist Reason=\"\"");
    HAS(r, "M=0 P=0 G=6 StateTransition Time=704 GoID=6 Running->Runnable Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GoCreate, 1, 1, 0, 0);
    end(t);
    reject("create-existing", t, r, GT_ERR_SEMANTIC, "tried to create goroutine (1) that already exists", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GSyscall);
    at = EV(t, GoCreate, 1, 2, 0, 0);
    end(t);
    reject("create-not-running", t, r, GT_ERR_SEMANTIC, "GoCreate event for goroutine that's not Running", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    at = EV(t, GoStop, 1, 0, 0);
    end(t);
    reject("stop-no-g", t, r, GT_ERR_SEMANTIC, "expected a goroutine but didn't have one", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GSyscall);
    at = EV(t, GoBlock, 1, 0, 0);
    end(t);
    reject("block-syscall", t, r, GT_ERR_SEMANTIC, "GoBlock event for goroutine that's not Running", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    at = EV(t, GoStatus, 1, 1, 0, 5);
    end(t);
    reject("go-status-5", t, r, GT_ERR_SEMANTIC, "invalid status for goroutine 1: 5", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, GoStatus, 1, 1, NOTHREAD, GWaiting);
    at = EV(t, GoStatus, 1, 1, NOTHREAD, GRunnable);
    end(t);
    reject("go-status-changes", t, r, GT_ERR_SEMANTIC, "inconsistent status for goroutine 1: old Waiting vs. new Runnable",
           at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    at = EV(t, GoStatus, 1, 1, NOTHREAD, GSyscall);
    end(t);
    reject("syscall-no-thread", t, r, GT_ERR_SEMANTIC, "found goroutine 1 in syscall without a thread", at);
    free(t);

    /* Syscalls. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoSyscallBegin, 1, 1, 0);
    EV(t, GoSyscallEnd, 1);
    at = EV(t, GoSyscallBegin, 1, 3, 0);
    end(t);
    reject("syscall-pseq", t, r, GT_ERR_SEMANTIC,
           "failed to advance GoSyscallBegin: can't make sequence: 1 (gen=1) -> 3 (gen=1)", at);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=320 GoID=1 Syscall->Running Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GoSyscallEnd, 1);
    end(t);
    reject("syscall-end-running", t, r, GT_ERR_SEMANTIC, "GoSyscallEnd event for goroutine that's not Running", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GSyscall);
    at = EV(t, GoSyscallEnd, 1);
    end(t);
    reject("syscall-end-proc", t, r, GT_ERR_SEMANTIC, "expected proc 0 in state Syscall, but got Running instead", at);
    free(t);

    /* cgo callbacks: create and destroy in syscall; with a P, a self-steal first. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, GoCreateSyscall, 1, 9);
    EV(t, GoSyscallEndBlocked, 1);
    EV(t, ProcStatus, 1, 0, PIdle);
    EV(t, ProcStart, 1, 0, 1);
    EV(t, GoStart, 1, 9, 1);
    EV(t, GoSyscallBegin, 1, 2, 0);
    EV(t, GoDestroySyscall, 1);
    end(t);
    accept("cgo-destroy-with-p", t, r);
    HAS(r, "M=0 P=-1 G=-1 StateTransition Time=128 GoID=9 NotExist->Syscall Reason=\"\"");
    HAS(r, "M=0 P=0 G=9 StateTransition Time=512 ProcID=0 Running->Idle Reason=\"\"\n"
           "M=0 P=0 G=9 StateTransition Time=513 GoID=9 Syscall->NotExist Reason=\"\"");
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, GoCreateSyscall, 1, 9);
    at = EV(t, GoCreateSyscall, 1, 9);
    end(t);
    reject("create-syscall-twice", t, r, GT_ERR_SEMANTIC, "expected no goroutine but had one", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GoDestroySyscall, 1);
    end(t);
    reject("destroy-syscall-running", t, r, GT_ERR_SEMANTIC, "GoDestroySyscall event for goroutine that's not Syscall",
           at);
    free(t);

    /* Coroutine switches: three events each. */
    t = one_gen(23);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoCreateBlocked, 1, 2, 0, 0);
    EV(t, GoSwitch, 1, 2, 1);
    EV(t, GoSwitchDestroy, 1, 1, 1);
    end(t);
    accept("switch", t, r);
    HAS(r, "M=0 P=0 G=1 StateTransition Time=320 GoID=2 Waiting->Runnable Reason=\"\"\n"
           "M=0 P=0 G=1 StateTransition Time=321 GoID=1 Running->Waiting Reason=\"\"\n"
           "M=0 P=0 G=-1 StateTransition Time=322 GoID=2 Runnable->Running Reason=\"\"\n"
           "M=0 P=0 G=2 StateTransition Time=384 GoID=1 Waiting->Runnable Reason=\"\"\n"
           "M=0 P=0 G=2 StateTransition Time=385 GoID=2 Running->NotExist Reason=\"\"\n"
           "M=0 P=0 G=-1 StateTransition Time=386 GoID=1 Runnable->Running Reason=\"\"");
    free(t);

    /* A GoSwitch in a go 1.22 file is ordered, and named as Go's 1.22 table names it. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GSyscall);
    at = EV(t, GoSwitch, 1, 2, 1);
    end(t);
    reject("switch-122", t, r, GT_ERR_SEMANTIC, "Invalid(45) event for goroutine that's not Running", at);
    free(t);
    free(r);
}

static void test_annotations(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;
    size_t at;

    /* Tasks across generations keep their type; parent 0 means none. */
    t = one_gen(22);
    strings(t, 1, 2, (uint64_t)1, "job", (uint64_t)2, "phase");
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, UserTaskBegin, 1, 7, 0, 1, 0);
    EV(t, UserRegionBegin, 1, 7, 2, 0);
    EV(t, UserLog, 1, 7, 2, 1, 0);
    EV(t, UserRegionEnd, 1, 7, 2, 0);
    EV(t, UserRegionEnd, 1, 7, 2, 0); /* an empty region stack is fine */
    end(t);
    sync_batch(t, 2, 0);
    batch(t, 2, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GRunning);
    EV(t, UserTaskEnd, 1, 7, 0);
    EV(t, UserTaskEnd, 1, 8, 0);
    end(t);
    accept("tasks", t, r);
    HAS(r, "M=0 P=0 G=1 TaskBegin Time=256 ID=7 Parent=18446744073709551615 Type=\"job\"");
    HAS(r, "M=0 P=0 G=1 RegionBegin Time=320 Task=7 Type=\"phase\"");
    HAS(r, "M=0 P=0 G=1 Log Time=384 Task=7 Category=\"phase\" Message=\"job\"");
    HAS(r, "M=0 P=0 G=1 TaskEnd Time=516 ID=7 Parent=18446744073709551615 Type=\"job\"");
    HAS(r, "M=0 P=0 G=1 TaskEnd Time=517 ID=8 Parent=18446744073709551615 Type=\"\"");
    free(t);

    t = one_gen(22);
    strings(t, 1, 1, (uint64_t)1, "job");
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, UserTaskBegin, 1, 7, 0, 1, 0);
    at = EV(t, UserTaskBegin, 1, 7, 0, 1, 0);
    end(t);
    reject("task-conflict", t, r, GT_ERR_SEMANTIC, "task ID conflict: 7", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, UserTaskBegin, 1, 7, 0, 3, 0);
    end(t);
    reject("task-name", t, r, GT_ERR_SEMANTIC, "invalid string ID 3 for 40 event", at);
    free(t);

    t = one_gen(22);
    strings(t, 1, 2, (uint64_t)1, "a", (uint64_t)2, "b");
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, UserRegionBegin, 1, 0, 1, 0);
    at = EV(t, UserRegionEnd, 1, 0, 2, 0);
    end(t);
    reject("region-misuse", t, r, GT_ERR_SEMANTIC,
           "misuse of region in goroutine 1: region end {0 b} when the inner-most active region start event is {0 a}", at);
    free(t);

    t = one_gen(22);
    batch(t, 1, 0, 1);
    EV(t, ProcStatus, 1, 0, PRunning);
    EV(t, GoStatus, 1, 1, 0, GRunning);
    EV(t, GoDestroy, 1);
    at = EV(t, ProcsChange, 1, 4, 0);
    end(t);
    reject("procs-change-needs-g", t, r, GT_ERR_SEMANTIC, "expected a goroutine but didn't have one", at);
    free(t);

    /* Experimental events need only a thread. */
    t = one_gen(23);
    batch(t, 1, 0, 1);
    EV(t, HeapObjectAlloc, 1, 0xc000010000, 77);
    end(t);
    accept("experimental", t, r);
    HAS(r, "M=0 P=-1 G=-1 Experimental Time=128 Name=HeapObjectAlloc Args=[id=Value{Uint64(824633786368)}, "
           "type=Value{Uint64(77)}]");
    free(t);
    free(r);
}

static void test_gc_and_ranges(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    tr *t;
    size_t at;

    t = one_gen(22);
    strings(t, 1, 1, (uint64_t)1, "GC sweep termination");
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GCActive, 1, 4);
    EV(t, GCSweepActive, 1, 0);
    EV(t, GCMarkAssistActive, 1, 1);
    EV(t, STWBegin, 1, 1, 0);
    EV(t, STWEnd, 1);
    EV(t, GCSweepEnd, 1, 10, 20);
    EV(t, GCMarkAssistEnd, 1);
    EV(t, GCEnd, 1, 5);
    EV(t, GCBegin, 1, 6, 0);
    EV(t, GCSweepBegin, 1, 0);
    end(t);
    sync_batch(t, 2, 0);
    batch(t, 2, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GCActive, 1, 7);
    EV(t, GCSweepActive, 1, 0);
    end(t);
    accept("gc", t, r);
    HAS(r, "M=0 P=0 G=1 RangeActive Time=256 Name=\"GC concurrent mark phase\" Scope=None");
    HAS(r, "M=0 P=0 G=1 RangeActive Time=320 Name=\"GC incremental sweep\" Scope=Proc(0)");
    HAS(r, "M=0 P=0 G=1 RangeActive Time=384 Name=\"GC mark assist\" Scope=Goroutine(1)");
    HAS(r, "M=0 P=0 G=1 RangeBegin Time=448 Name=\"stop-the-world (GC sweep termination)\" Scope=Goroutine(1)");
    HAS(r, "M=0 P=0 G=1 RangeEnd Time=512 Name=\"stop-the-world (GC sweep termination)\" Scope=Goroutine(1) Attributes=[]");
    HAS(r, "M=0 P=0 G=1 RangeEnd Time=576 Name=\"GC incremental sweep\" Scope=Proc(0) "
           "Attributes=[\"bytes swept\"=Value{Uint64(10)} \"bytes reclaimed\"=Value{Uint64(20)}]");
    free(t);

    struct {
        const char *name;
        const char *msg;
    } cases[] = {
        {"gc-begin-running", "encountered GCBegin while GC was already in progress"},
        {"gc-end-not-running", "encountered GCEnd when GC was not in progress"},
        {"gc-active-first-gen", "GCActive in the first generation isn't first GC event"},
        {"sweep-twice", "discovered event already in-flight for when starting event GCSweepBegin"},
        {"stw-end-alone", "tried to end event STWBegin, but not in-flight"},
        {"sweep-active-unknown", "encountered GCSweepActive for unknown proc 9"},
        {"assist-active-unknown", "uninitialized goroutine 9 found during GCMarkAssistActive"},
        {"assist-active-twice", "found named active range already in first gen: {35 0}"},
        {"gc-end-undetermined", ""},
    };
    for (size_t i = 0; i + 1 < sizeof cases / sizeof cases[0]; i++) {
        t = one_gen(22);
        batch(t, 1, 0, 1);
        running(t, 0, 0, 1);
        switch (i) {
        case 0: EV(t, GCBegin, 1, 1, 0); at = EV(t, GCBegin, 1, 2, 0); break;
        case 1: EV(t, GCBegin, 1, 1, 0); EV(t, GCEnd, 1, 2); EV(t, GCBegin, 1, 3, 0); EV(t, GCEnd, 1, 4);
            at = EV(t, GCEnd, 1, 5);
            break;
        case 2: EV(t, GCBegin, 1, 1, 0); at = EV(t, GCActive, 1, 2); break;
        case 3: EV(t, GCSweepBegin, 1, 0); at = EV(t, GCSweepBegin, 1, 0); break;
        case 4: at = EV(t, STWEnd, 1); break;
        case 5: at = EV(t, GCSweepActive, 1, 9); break;
        case 6: at = EV(t, GCMarkAssistActive, 1, 9); break;
        default: EV(t, GCMarkAssistActive, 1, 1); at = EV(t, GCMarkAssistActive, 1, 1); break;
        }
        end(t);
        reject(cases[i].name, t, r, GT_ERR_SEMANTIC, cases[i].msg, at);
        free(t);
    }

    /* Later generations: an Active event needs its range. */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GCSweepBegin, 1, 0);
    EV(t, GCSweepEnd, 1, 0, 0);
    end(t);
    sync_batch(t, 2, 0);
    batch(t, 2, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GCSweepActive, 1, 0);
    end(t);
    reject("sweep-missing", t, r, GT_ERR_SEMANTIC, "resource is missing active range: GCSweepBegin []", at);
    free(t);

    /* A GCEnd while the GC state is still undetermined (later generation). */
    t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    end(t);
    sync_batch(t, 2, 0);
    batch(t, 2, 0, 1);
    running(t, 0, 0, 1);
    at = EV(t, GCEnd, 1, 1);
    end(t);
    reject("gc-end-undetermined", t, r, GT_ERR_SEMANTIC, "encountered GCEnd when GC was in an undetermined state", at);
    free(t);
    free(r);
}

/*-************************************
 *  Times, samples, text
 **************************************/
static void test_times_and_samples(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    /* Equal times become strictly increasing; samples go in by time. */
    tr *t = one_gen(22);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    EV(t, GoStop, 0, 0, 0);
    EV(t, GoStart, 0, 1, 1);
    EV(t, GoBlock, 10, 0, 0);
    end(t);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_CPU_SAMPLES);
    TB_EV(&t->t, GT_V2_CPU_SAMPLE, 5, 0, 0, 0, 0);
    TB_EV(&t->t, GT_V2_CPU_SAMPLE, 3, 0, 0, 1, 0);
    end(t);
    accept("times", t, r);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=64 N=1\n"
                                 "M=0 P=-1 G=-1 StateTransition Time=128 ProcID=0 Undetermined->Running Reason=\"\"\n"
                                 "M=0 P=0 G=-1 StateTransition Time=192 GoID=1 Undetermined->Running Reason=\"\"\n"
                                 "M=0 P=0 G=1 StateTransition Time=193 GoID=1 Running->Runnable Reason=\"\"\n"
                                 "M=0 P=0 G=-1 StateTransition Time=194 GoID=1 Runnable->Running Reason=\"\"\n"
                                 "M=0 P=0 G=1 StackSample Time=195\nStack=\n\n"
                                 "M=0 P=0 G=-1 StackSample Time=320\nStack=\n\n"
                                 "M=0 P=0 G=1 StateTransition Time=832 GoID=1 Running->Waiting Reason=\"\"\n"
                                 "M=-1 P=-1 G=-1 Sync Time=833 N=2\n");
    free(t);
    free(r);
}

static void test_format(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    gt_parsed e;
    memset(&e, 0, sizeof e);
    e.kind = GT_PARSED_SYNC;
    e.m = e.p = e.g = GT_NO_ID;
    e.time = 5;
    e.sync.n = 2;
    e.sync.has_clock = 1;
    e.sync.trace = 7;
    e.sync.mono = 8;
    e.sync.sec = 0;
    e.sync.nsec = 120000000;
    char buf[256];
    size_t len = gt_parser_format(&e, buf, sizeof buf);
    assert_int_equal(len, strlen(buf));
    assert_string_equal(buf, "M=-1 P=-1 G=-1 Sync Time=5 N=2 Trace=7 Mono=8 Wall=1970-01-01T00:00:00.12Z");
    e.sync.sec = -62135596801; /* before year 1 */
    e.sync.nsec = 0;
    gt_parser_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "M=-1 P=-1 G=-1 Sync Time=5 N=2 Trace=7 Mono=8 Wall=0000-12-31T23:59:59Z");
    e.sync.sec = 253402300800; /* year 10000 */
    gt_parser_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "M=-1 P=-1 G=-1 Sync Time=5 N=2 Trace=7 Mono=8 Wall=10000-01-01T00:00:00Z");
    /* Truncation: the length of the whole text, a NUL-terminated prefix. */
    size_t full = gt_parser_format(&e, NULL, 0);
    assert_int_equal(gt_parser_format(&e, buf, 10), full);
    assert_string_equal(buf, "M=-1 P=-1");
    /* Strings are quoted as Go's %q does. */
    memset(&e, 0, sizeof e);
    e.kind = GT_PARSED_LOG;
    e.log.task = 1;
    e.log.category = (gt_strview){"a\"b", 3};
    e.log.message = (gt_strview){"\xff\n", 2};
    gt_parser_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "M=0 P=0 G=0 Log Time=0 Task=1 Category=\"a\\\"b\" Message=\"\\xff\\n\"");
    assert_string_equal(gt_parsed_kind_name(GT_PARSED_STATE_TRANSITION), "StateTransition");
    assert_string_equal(gt_parsed_kind_name(99), "Bad");
    assert_string_equal(gt_go_state_name(GT_GO_SYSCALL), "Syscall");
    assert_string_equal(gt_proc_state_name(7), "Bad");
}

/* The wall clock of a 1.25+ Sync, through the whole parser. */
static void test_sync_wall(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    res *r = malloc(sizeof *r);
    tr *t = tr_new(25);
    batch(t, 1, NOTHREAD, 1);
    tb_byte(&t->t, GT_V2_SYNC);
    TB_EV(&t->t, GT_V2_FREQUENCY, 15625000);
    TB_EV(&t->t, GT_V2_CLOCK_SNAPSHOT, 1, 99, 1740755049, 1999999999); /* nsec beyond 1e9 normalizes */
    end(t);
    accept("sync-wall", t, r);
    assert_string_equal(r->text, "M=-1 P=-1 G=-1 Sync Time=64 N=1 Trace=128 Mono=99 Wall=2025-02-28T15:04:10.999999999Z\n"
                                 "M=-1 P=-1 G=-1 Sync Time=65 N=2\n");
    free(t);
    free(r);
}

/*-************************************
 *  Real traces, limits, misuse
 **************************************/
static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n);
    if (fread(p, 1, *n, f) != *n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

static void test_real_traces_buffer_vs_callback(void **state)
{
    (void)state;
    static const char *const files[] = {"examples/traces/go122-small.trace", "examples/traces/go123-small.trace",
                                        "examples/traces/go127-small.trace"};
    res *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        uint8_t *p = slurp(files[i], &n);
        if (!p) {
            fprintf(stderr, "%s missing (run from the repository root)\n", files[i]);
            fail();
        }
        /* the text of the first 64 KiB of events is compared; every event is counted */
        parse_with(p, n, 0, 0, a);
        assert_int_equal(a->s, GT_END);
        assert_true(a->events > 10000);
        for (size_t step = 1; step <= 4096; step *= 64) {
            parse_with(p, n, step, 0, b);
            assert_int_equal(b->s, GT_END);
            assert_int_equal(b->events, a->events);
            assert_int_equal(b->hash, a->hash);
        }
        /* A release callback that overwrites what it is given changes nothing:
         * the parser never reads those bytes again. */
        uint8_t *q = malloc(n);
        memcpy(q, p, n);
        poison z = {q, 0, 0};
        release_poison = &z;
        parse_with(q, n, 0, 0, b);
        release_poison = NULL;
        assert_int_equal(b->s, GT_END);
        assert_int_equal(b->events, a->events);
        assert_int_equal(b->hash, a->hash);
        assert_true(z.calls >= 2); /* before each of the two generations is read */
        assert_true(z.done > n / 2);
        free(q);
        /* next_sync: the same verdict and Syncs. */
        gt_parser *ps = gt_parser_create(NULL);
        gt_parser_set_buffer(ps, p, n);
        gt_parsed e;
        uint64_t skipped, total = 0, syncs = 0;
        gt_status s;
        while ((s = gt_parser_next_sync(ps, &e, &skipped)) == GT_OK) {
            assert_int_equal(e.kind, GT_PARSED_SYNC);
            total += skipped + 1;
            syncs++;
        }
        assert_int_equal(s, GT_END);
        assert_int_equal(total, a->events);
        assert_int_equal(syncs, 3);
        gt_parse_counts c;
        gt_parser_counts(ps, &c);
        assert_int_equal(c.events, a->events);
        assert_int_equal(c.generations, 2);
        assert_int_equal(c.complete, 2);
        gt_parser_free(ps);
        free(p);
    }
    free(a);
    free(b);
}

static long fail_read(void *user, uint8_t *buf, size_t cap)
{
    (void)user;
    (void)buf;
    (void)cap;
    return -1;
}

static void test_limits_and_misuse(void **state)
{
    (void)state;
    gt_parsed e;
    assert_int_equal(gt_parser_error(NULL)->status, GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_parser_next(NULL, &e), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_parser_set_buffer(NULL, "", 0), GT_ERR_INVALID_ARGUMENT);
    gt_parser_free(NULL);
    gt_parser *p = gt_parser_create(NULL);
    assert_int_equal(gt_parser_next(p, &e), GT_ERR_STATE); /* no input */
    assert_int_equal(gt_parser_next(p, NULL), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_parser_set_buffer(p, NULL, 5), GT_ERR_INVALID_ARGUMENT);
    assert_int_equal(gt_parser_set_callback(p, NULL, NULL), GT_ERR_INVALID_ARGUMENT);
    tr *t = one_gen(22);
    assert_int_equal(gt_parser_set_buffer(p, t->t.b, t->t.n), GT_OK);
    assert_int_equal(gt_parser_set_buffer(p, t->t.b, t->t.n), GT_ERR_STATE);
    assert_int_equal(gt_parser_next(p, &e), GT_OK);
    assert_int_equal(gt_parser_set_limits(p, NULL), GT_ERR_STATE);
    assert_string_equal(gt_parser_message(p, NULL), "");
    assert_int_equal(gt_parser_diagnostic(p, NULL, 0), 0);
    assert_int_equal(gt_parser_next(p, &e), GT_OK);
    assert_int_equal(gt_parser_next(p, &e), GT_END);
    assert_int_equal(gt_parser_next(p, &e), GT_END);
    assert_int_equal(gt_parser_version(p), 22);
    gt_parser_free(p);

    /* A read error from the callback. */
    p = gt_parser_create(NULL);
    gt_parser_set_callback(p, fail_read, NULL);
    assert_int_equal(gt_parser_next(p, &e), GT_ERR_IO);
    gt_parser_free(p);

    /* max_generation_bytes: GT_ERR_LIMIT at the batch that crosses it. */
    size_t second = here(t);
    batch(t, 1, 0, 1);
    running(t, 0, 0, 1);
    end(t);
    gt_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_generation_bytes = second; /* the first batch fits (the header is not counted) */
    for (int mode = 0; mode < 2; mode++) {
        p = gt_parser_create(NULL);
        assert_int_equal(gt_parser_set_limits(p, &lim), GT_OK);
        chunks c = {t->t.b, t->t.n, 0, 7};
        if (mode) gt_parser_set_callback(p, read_chunks, &c);
        else gt_parser_set_buffer(p, t->t.b, t->t.n);
        gt_status s;
        while ((s = gt_parser_next(p, &e)) == GT_OK) {}
        assert_int_equal(s, GT_ERR_LIMIT);
        assert_int_equal(gt_parser_error(p)->offset, second);
        assert_non_null(strstr(gt_parser_message(p, NULL), "larger than the limit"));
        gt_parser_free(p);
    }
    /* max_memory: a clear GT_ERR_LIMIT, never a crash. */
    for (uint64_t mem = 4096; mem < (1u << 20); mem *= 2) {
        memset(&lim, 0, sizeof lim);
        lim.max_memory = mem;
        p = gt_parser_create(NULL);
        gt_parser_set_limits(p, &lim);
        chunks c = {t->t.b, t->t.n, 0, 1 << 20};
        gt_status s = gt_parser_set_callback(p, read_chunks, &c);
        if (s == GT_OK)
            while ((s = gt_parser_next(p, &e)) == GT_OK) {}
        if (s != GT_END && s != GT_ERR_LIMIT) fprintf(stderr, "max_memory %llu: %s\n", (unsigned long long)mem, gt_status_name(s));
        assert_true(s == GT_END || s == GT_ERR_LIMIT);
        gt_parser_free(p);
    }
    /* max_batch_size below Go's. */
    memset(&lim, 0, sizeof lim);
    lim.max_batch_size = 4;
    p = gt_parser_create(NULL);
    gt_parser_set_limits(p, &lim);
    gt_parser_set_buffer(p, t->t.b, t->t.n);
    gt_status s;
    while ((s = gt_parser_next(p, &e)) == GT_OK) {}
    assert_int_equal(s, GT_ERR_LIMIT);
    gt_parser_free(p);
    free(t);
}

/* A custom allocator sees every allocation returned. */
typedef struct counting {
    long live;
} counting;
static void *c_malloc(void *ctx, size_t n)
{
    ((counting *)ctx)->live++;
    return malloc(n);
}
static void *c_realloc(void *ctx, void *p, size_t old, size_t n)
{
    (void)old;
    if (!p) ((counting *)ctx)->live++;
    return realloc(p, n);
}
static void c_free(void *ctx, void *p, size_t n)
{
    (void)n;
    if (p) ((counting *)ctx)->live--;
    free(p);
}

static void test_allocator_balance(void **state)
{
    (void)state;
    counting c = {0};
    gt_alloc a = {c_malloc, c_realloc, c_free, &c};
    size_t n;
    uint8_t *data = slurp("examples/traces/go123-small.trace", &n);
    assert_non_null(data);
    for (int mode = 0; mode < 2; mode++) {
        gt_parser *p = gt_parser_create(&a);
        chunks ch = {data, n, 0, 333};
        if (mode) gt_parser_set_callback(p, read_chunks, &ch);
        else gt_parser_set_buffer(p, data, n);
        gt_parsed e;
        gt_status s;
        while ((s = gt_parser_next(p, &e)) == GT_OK) {}
        assert_int_equal(s, GT_END);
        gt_parse_counts cnt;
        gt_parser_counts(p, &cnt);
        assert_true(cnt.peak_memory > 0);
        gt_parser_free(p);
        assert_int_equal(c.live, 0);
    }
    /* and after an error in the middle */
    gt_parser *p = gt_parser_create(&a);
    gt_parser_set_buffer(p, data, n - 1000);
    gt_parsed e;
    while (gt_parser_next(p, &e) == GT_OK) {}
    gt_parser_free(p);
    assert_int_equal(c.live, 0);
    free(data);
}

/* Verdict of data[0..n) through next_sync (status, error offset). */
static gt_status verdict(const uint8_t *data, size_t n, size_t step, uint64_t *offset)
{
    gt_parser *p = gt_parser_create(NULL);
    chunks c = {data, n, 0, step};
    if (step) gt_parser_set_callback(p, read_chunks, &c);
    else gt_parser_set_buffer(p, data, n);
    gt_parsed e;
    gt_status s;
    while ((s = gt_parser_next_sync(p, &e, NULL)) == GT_OK) {}
    *offset = gt_parser_error(p)->offset;
    if (s != GT_END) assert_true(gt_parser_message(p, NULL)[0] != '\0');
    gt_parser_free(p);
    return s;
}

/* Damaged real traces: every outcome is the end or an error whose offset
 * lies in the input, and both inputs agree (run under ASan/UBSan too). */
static void test_robust_mutations(void **state)
{
    (void)state;
    static const char *const files[] = {"examples/traces/go123-small.trace", "examples/traces/go127-small.trace"};
    uint64_t rng = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        uint8_t *orig = slurp(files[i], &n);
        assert_non_null(orig);
        uint8_t *m = malloc(n);
        for (int k = 0; k < 400; k++) {
            size_t len = n;
            memcpy(m, orig, n);
            if (k < 200) {
                len = 16 + (n - 16) * (size_t)k / 200; /* truncations, evenly spaced */
            } else {
                for (int f = 0; f < 1 + k % 3; f++) { /* one to three bit flips */
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    size_t at = 16 + (size_t)(rng % (n - 16));
                    m[at] ^= (uint8_t)(1u << (rng >> 60 & 7));
                }
            }
            uint64_t off_a, off_b;
            gt_status a = verdict(m, len, 0, &off_a), b = verdict(m, len, 4093, &off_b);
            assert_int_equal(a, b);
            if (a != GT_END) {
                assert_true(gt_is_error(a));
                assert_true(off_a <= len);
                assert_int_equal(off_a, off_b);
            }
        }
        free(m);
        free(orig);
    }
}

/* Memory does not grow with the number of generations. */
static size_t synth_generations(uint8_t *buf, size_t cap, unsigned gens)
{
    tr *t = tr_new(26);
    size_t n = 0;
    memcpy(buf, t->t.b, t->t.n);
    n = t->t.n;
    for (unsigned gen = 1; gen <= gens; gen++) {
        t->t.n = 0;
        sync_batch(t, gen, 100 * gen);
        batch(t, gen, 0, 10 * gen);
        running(t, 0, 0, 1);
        for (int k = 0; k < 500; k++) {
            EV(t, GoStop, 1, 0, 0);
            EV(t, GoStart, 1, 1, (uint64_t)k + 1);
        }
        end(t);
        eog(t);
        assert_true(n + t->t.n <= cap);
        memcpy(buf + n, t->t.b, t->t.n);
        n += t->t.n;
    }
    free(t);
    return n;
}

static void test_memory_flat(void **state)
{
    (void)state;
    size_t cap = 8u << 20;
    uint8_t *buf = malloc(cap);
    uint64_t peak[2];
    unsigned gens[2] = {2, 300};
    for (int i = 0; i < 2; i++) {
        size_t n = synth_generations(buf, cap, gens[i]);
        for (int mode = 0; mode < 2; mode++) {
            gt_parser *p = gt_parser_create(NULL);
            chunks c = {buf, n, 0, 65536};
            if (mode) gt_parser_set_callback(p, read_chunks, &c);
            else gt_parser_set_buffer(p, buf, n);
            gt_parsed e;
            gt_status s;
            while ((s = gt_parser_next_sync(p, &e, NULL)) == GT_OK) {}
            assert_int_equal(s, GT_END);
            gt_parse_counts cnt;
            gt_parser_counts(p, &cnt);
            assert_int_equal(cnt.generations, gens[i]);
            if (mode == 0) peak[i] = cnt.peak_memory;
            gt_parser_free(p);
        }
    }
    /* 150 times the data, the same memory (within 4 KiB) */
    assert_true(peak[1] <= peak[0] + 4096);
    free(buf);
}

/* GT_PARSER_REJECT_TOOL_CRASHES: what Go's reader accepts and its tools crash on. */
static void test_tool_crash_guard(void **state)
{
    (void)state;
    res *r = malloc(sizeof *r);
    for (int k = 0; k < 3; k++) {
        tr *t = one_gen(23);
        size_t at;
        gt_status want;
        batch(t, 1, 0, 1);
        if (k == 2) {
            at = EV(t, ProcStatus, 1, 0, 257);
            want = GT_ERR_BAD_EVENT;
        } else {
            EV(t, ProcStatus, 1, 0, PRunning);
        }
        end(t);
        if (k == 0) {
            batch(t, 1, NOTHREAD, 1);
            tb_byte(&t->t, GT_V2_CPU_SAMPLES);
            at = here(t);
            TB_EV(&t->t, GT_V2_CPU_SAMPLE, 2, 0, 0, 1, 99);
            end(t);
            want = GT_ERR_UNDEFINED_STACK;
        } else if (k == 1) {
            at = here(t) + 1;
            tb_byte(&t->t, GT_V2_EXPERIMENTAL_BATCH);
            tb_byte(&t->t, 200);
            tb_uv(&t->t, 1);
            tb_uv(&t->t, 0);
            tb_uv(&t->t, 0);
            tb_uv(&t->t, 1);
            tb_byte(&t->t, 0);
            want = GT_ERR_BAD_BATCH;
        }
        parse_with(t->t.b, t->t.n, 0, 0, r); /* Go's reader accepts */
        assert_int_equal(r->s, GT_END);
        parse_with(t->t.b, t->t.n, 0, GT_PARSER_REJECT_TOOL_CRASHES, r);
        assert_int_equal(r->s, want);
        assert_int_equal(r->err.offset, at);
        free(t);
    }
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_accepted),    cmocka_unit_test(test_appendix_rejected),
        cmocka_unit_test(test_failed_to_advance),    cmocka_unit_test(test_generation_precedence),
        cmocka_unit_test(test_framing_errors),       cmocka_unit_test(test_event_decoding),
        cmocka_unit_test(test_tables),               cmocka_unit_test(test_procs),
        cmocka_unit_test(test_goroutines),           cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_gc_and_ranges),        cmocka_unit_test(test_times_and_samples),
        cmocka_unit_test(test_format),               cmocka_unit_test(test_sync_wall),
        cmocka_unit_test(test_real_traces_buffer_vs_callback), cmocka_unit_test(test_limits_and_misuse),
        cmocka_unit_test(test_allocator_balance),    cmocka_unit_test(test_tool_crash_guard),
        cmocka_unit_test(test_robust_mutations),     cmocka_unit_test(test_memory_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
