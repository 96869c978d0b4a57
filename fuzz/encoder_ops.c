/* encoder_ops: a program of fuzzer-chosen operations on the writing API —
 * gt_writer (start, generations, strings, stacks, items, bytes, batches,
 * flush, finish, limits and flags), gt_batch (begin, experimental batches,
 * events with and without data, put, raw, finish, room) — run in lockstep on
 * two writers: one writing into a buffer of fuzzer-chosen size, one into a
 * sink that takes fuzzer-chosen amounts per call and may fail.
 *
 * Checks:
 *   - every status is a known one; no crash, no leak, sizes passed to
 *     realloc/free are right (fuzz_arena), memory stays within the budget;
 *   - both writers agree (status, IDs, bytes) until one hits an output error
 *     (GT_ERR_DST_TOO_SMALL / GT_ERR_IO), which is then sticky;
 *   - a batch never reports more bytes than its buffer, and its room shrinks;
 *   - when the program used only the structured API, and correctly (IDs of
 *     the open generation, plain event types, batches written in the
 *     generation they were begun in, at least one event; calls the writer
 *     refused do not count, they must leave the output alone), the output
 *     decodes with full validation, and every decoded item re-encodes to its
 *     own bytes.
 *
 * Input: byte 0 = version and mode bits, byte 1..2 = output sizes; then
 * operations, each an opcode byte and its operands (fewer bytes left: zeros). */
#include <string.h>

#include "fuzz_trace.h"

typedef struct cursor {
    const uint8_t *p;
    size_t n;
} cursor;

static uint8_t u8(cursor *c)
{
    if (!c->n) return 0;
    c->n--;
    return *c->p++;
}

static uint64_t u64(cursor *c)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | u8(c);
    return v;
}

/* A value: mostly small, sometimes a boundary or 64 random bits. */
static uint64_t val(cursor *c)
{
    uint8_t k = u8(c);
    switch (k >> 5) {
    case 0: case 1: case 2: return k & 31;
    case 3: return (uint64_t)u8(c) << 8 | u8(c);
    case 4: return (uint64_t)1 << (k & 63 & 31);
    case 5: return UINT64_MAX - (k & 31);
    default: return u64(c);
    }
}

/* A byte string from the input, up to max bytes; sometimes long (repeated). */
static size_t bytes(cursor *c, uint8_t *dst, size_t max)
{
    size_t n = u8(c);
    if (n == 255) n = 300 + (size_t)u8(c) * 16;
    if (n > max) n = max;
    for (size_t i = 0; i < n; i++) dst[i] = c->n ? u8(c) : (uint8_t)('a' + i % 26);
    return n;
}

enum { SLOTS = 3, POOL = 64 };

typedef struct sink {
    uint8_t *p;
    size_t n, cap;
    cursor amounts; /* how much to take per call (0 in the stream: fail) */
    int fail;       /* failing allowed */
} sink;

static long sink_write(void *user, const uint8_t *buf, size_t n)
{
    sink *s = user;
    FUZZ_ASSERT(n > 0);
    uint8_t a = u8(&s->amounts);
    if (a == 0 && s->fail && s->amounts.n) return -1;
    size_t take = a ? a : n;
    if (take > n) take = n;
    if (s->n + take > s->cap) {
        s->cap = (s->n + take) * 2;
        uint8_t *np = realloc(s->p, s->cap);
        FUZZ_ASSERT(np != NULL);
        s->p = np;
    }
    memcpy(s->p + s->n, buf, take);
    s->n += take;
    return (long)take;
}

typedef struct state {
    unsigned version;
    int v2;
    gt_writer *w[2];
    fuzz_arena arena[2];
    uint8_t *out;
    size_t out_cap;
    sink snk;
    int dead[2];              /* output error seen (sticky) */
    int diverged;             /* an allocation failed in one of them */
    uint64_t slot_events[SLOTS]; /* well-formed events in each open batch */
    gt_batch b[SLOTS];
    uint8_t *bbuf[SLOTS];
    size_t bcap[SLOTS];
    int begun[SLOTS];
    uint64_t bgen[SLOTS];     /* generation open when the batch began */
    uint64_t gen;             /* open generation (0: none) */
    uint64_t last_gen;
    int generations;          /* begun so far */
    int started;
    uint64_t str[POOL], stk[POOL];
    size_t nstr, nstk;
    uint64_t events;          /* events in batches written */
    int wellformed;
} state;

static int is_output_error(gt_status s) { return s == GT_ERR_DST_TOO_SMALL || s == GT_ERR_IO; }

/* The sink writer allocates a staging buffer the buffer writer does not, so
 * allocation failures and the memory budget can hit them at different calls:
 * from the first GT_ERR_NOMEM on, the two are no longer compared. */

static void known(gt_status s) { FUZZ_ASSERT_MSG(strcmp(gt_status_name(s), "GT_UNKNOWN_STATUS") != 0, "unknown status"); }

/* The two writers' results for the same call must agree. */
static gt_status agree(state *st, gt_status s0, gt_status s1)
{
    known(s0);
    known(s1);
    if (s0 == GT_ERR_NOMEM || s1 == GT_ERR_NOMEM) st->diverged = 1;
    if (is_output_error(s0)) st->dead[0] = 1;
    if (is_output_error(s1)) st->dead[1] = 1;
    if (!st->dead[0] && !st->dead[1] && !st->diverged) FUZZ_ASSERT_MSG(s0 == s1, "buffer and sink writers disagree");
    gt_status s = st->dead[0] ? s1 : s0;
    /* A refused call must leave the output as it was, so refusals keep the
     * program checkable; an allocation failure half-way might not. */
    if (s == GT_ERR_NOMEM || st->diverged) st->wellformed = 0;
    return s;
}

/* Arguments for an event of `type`: IDs from the pools, plausible values. */
static unsigned event_args(state *st, cursor *c, const gt_event_spec *spec, uint64_t *args, int *valid)
{
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned na = gt_spec_args(spec, st->version, a), n = 0;
    for (unsigned i = 0; i < na; i++) {
        uint8_t pick = u8(c);
        switch (a[i]->role) {
        case GT_ARG_TIME_DELTA:
        case GT_ARG_SEQ_DELTA:
            if (!(spec->flags & GT_EV_TIMED)) args[n++] = val(c);
            else if (a[i]->role == GT_ARG_SEQ_DELTA) args[n++] = pick & 7; /* 1.5 dseq: passed by the caller */
            continue;                                                      /* dt: from the time */
        case GT_ARG_STRING_ID:
            if (pick & 1 && st->nstr) args[n++] = st->str[(pick >> 1) % st->nstr];
            else if (pick & 2) args[n++] = 0;
            else {
                args[n++] = val(c);
                *valid = 0;
            }
            continue;
        case GT_ARG_STACK_ID:
            if (pick & 1 && st->nstk) args[n++] = st->stk[(pick >> 1) % st->nstk];
            else if (pick & 2) args[n++] = 0;
            else {
                args[n++] = val(c);
                *valid = 0;
            }
            continue;
        default: args[n++] = val(c); continue;
        }
    }
    return n;
}

/* A type the version has, biased to timed events; *plain: a timed, non-structural one. */
static const gt_event_spec *event_type(state *st, cursor *c, int *plain)
{
    uint8_t t = u8(c);
    const gt_event_spec *spec = gt_spec(st->version, st->v2 ? (t & 0x80 ? t : (uint8_t)(9 + t % 44)) : (uint8_t)(t % 50));
    *plain = spec && (spec->flags & (GT_EV_TIMED | GT_EV_STRUCTURAL)) == GT_EV_TIMED && !spec->experiment;
    return spec;
}

static void op_batch_event(state *st, cursor *c, int slot, int with_data)
{
    gt_batch *b = &st->b[slot];
    int plain, valid = 1;
    const gt_event_spec *spec = event_type(st, c, &plain);
    uint8_t d[2048];
    size_t dn = 0;
    if (with_data) {
        spec = gt_spec(st->version, st->v2 ? GT_V2_STRING : (u8(c) & 1 ? GT_LEG_USER_LOG : GT_LEG_STRING));
        dn = bytes(c, d, sizeof d);
        plain = spec && spec->type == GT_LEG_USER_LOG && !st->v2;
    }
    if (!spec) return;
    uint64_t args[GT_MAX_ARGS];
    unsigned n = event_args(st, c, spec, args, &valid);
    if (u8(c) == 0xff && n) n--; /* a wrong count now and then */
    uint64_t time = b->last_time + (u8(c) & 63);
    size_t before = b->len, room = gt_batch_room(b);
    gt_status s = with_data ? gt_batch_event_data(b, spec->type, time, args, n, d, dn)
                            : gt_batch_event(b, spec->type, time, args, n);
    known(s);
    FUZZ_ASSERT(b->len <= b->cap);
    if (s == GT_OK) {
        FUZZ_ASSERT(b->len > before && gt_batch_room(b) <= room);
        if (!plain || !valid || !st->begun[slot]) st->wellformed = 0;
        if (st->v2 && b->buf[0] == GT_V2_EXPERIMENTAL_BATCH) st->wellformed = 0;
        st->slot_events[slot]++;
    } else {
        FUZZ_ASSERT_MSG(b->len == before, "a refused event changed the batch");
    }
}

/* An arbitrary item for the raw paths (gt_batch_put, gt_writer_item). */
static void raw_item(state *st, cursor *c, gt_event *ev, gt_frame *fr, uint8_t *d)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = (uint8_t)(1 + u8(c) % GT_KIND_GENERATION_END);
    ev->type = u8(c);
    if (!st->v2) ev->type &= 63;
    ev->argbits = u8(c) & 3;
    ev->nargs = u8(c) % (GT_MAX_ARGS + 1);
    for (unsigned i = 0; i < ev->nargs; i++) {
        ev->args[i] = val(c);
        ev->width[i] = u8(c) & 1 ? (uint8_t)(u8(c) % 11) : 0;
    }
    ev->nframes = u8(c) % 4;
    for (uint32_t f = 0; f < ev->nframes; f++) {
        fr[f].pc = val(c);
        fr[f].func = val(c);
        fr[f].file = val(c);
        fr[f].line = val(c);
        memset(fr[f].width, 0, sizeof fr[f].width);
    }
    ev->frames = ev->nframes ? fr : NULL;
    if (u8(c) & 1) {
        ev->data_len = bytes(c, d, 512);
        ev->data = d;
        ev->data_len_width = u8(c) % 11;
    }
    if (u8(c) & 1) {
        ev->block_len_width = u8(c) % 11;
        ev->block_len = (uint32_t)val(c);
    }
    ev->experiment = u8(c) % 3;
    ev->spec = gt_spec(st->version, ev->type);
}

static void run_op(state *st, cursor *c)
{
    uint8_t op = u8(c);
    int slot = u8(c) % SLOTS;
    gt_batch *b = &st->b[slot];
    gt_status s0, s1;
    switch (op % 22) {
    case 0: { /* limits (before start) */
        gt_limits lim;
        memset(&lim, 0, sizeof lim);
        lim.max_batch_size = (uint32_t)val(c);
        lim.max_string_size = (uint32_t)val(c);
        lim.max_frames = (uint32_t)val(c);
        lim.max_ids = val(c);
        lim.max_memory = u8(c) & 1 ? val(c) : 0;
        s0 = gt_writer_set_limits(st->w[0], &lim);
        s1 = gt_writer_set_limits(st->w[1], &lim);
        agree(st, s0, s1);
        break;
    }
    case 1: {
        unsigned fl = u8(c) & 3;
        agree(st, gt_writer_set_flags(st->w[0], fl), gt_writer_set_flags(st->w[1], fl));
        break;
    }
    case 2: { /* start again: a state error */
        gt_status s = agree(st, gt_writer_start(st->w[0], st->version), gt_writer_start(st->w[1], st->version));
        if (s == GT_OK) st->started = 1;
        break;
    }
    case 3:
    case 4: { /* begin a generation */
        gt_sync sync;
        memset(&sync, 0, sizeof sync);
        uint64_t gen = op % 22 == 3 ? st->last_gen + 1 : val(c);
        sync.time = val(c);
        sync.freq = u8(c) == 0 ? 0 : 1 + (val(c) >> 1);
        sync.clock_time = sync.time + (u8(c) & 15);
        sync.mono = val(c);
        sync.sec = val(c);
        sync.nsec = val(c);
        gt_status s = agree(st, gt_writer_begin_generation(st->w[0], gen, &sync),
                            gt_writer_begin_generation(st->w[1], gen, &sync));
        if (s == GT_OK) {
            st->gen = st->v2 ? gen : 1;
            st->last_gen = gen;
            st->generations++;
            if (st->v2) st->nstr = st->nstk = 0; /* v2 IDs are per generation */
        }
        break;
    }
    case 5:
    case 6: { /* intern a string */
        uint8_t d[2048];
        size_t n = bytes(c, d, sizeof d);
        uint64_t id0 = 0, id1 = 0;
        gt_status s = agree(st, gt_writer_string(st->w[0], d, n, &id0), gt_writer_string(st->w[1], d, n, &id1));
        if (s == GT_OK) {
            if (!st->dead[0] && !st->dead[1] && !st->diverged) FUZZ_ASSERT(id0 == id1);
            uint64_t id = st->dead[0] ? id1 : id0; /* the live writer's */
            FUZZ_ASSERT_MSG((n == 0) == (id == 0), "the empty string is ID 0, and only it");
            if (st->nstr < POOL && id) st->str[st->nstr++] = id;
        }
        break;
    }
    case 7: { /* intern a stack */
        gt_sym_frame fr[6];
        char names[6][2][24];
        size_t nf = u8(c) % 7;
        for (size_t f = 0; f < nf; f++) {
            fr[f].pc = val(c);
            fr[f].func_len = bytes(c, (uint8_t *)names[f][0], sizeof names[f][0]);
            fr[f].file_len = bytes(c, (uint8_t *)names[f][1], sizeof names[f][1]);
            fr[f].func = names[f][0];
            fr[f].file = names[f][1];
            fr[f].line = val(c);
        }
        uint64_t id0 = 0, id1 = 0;
        gt_status s = agree(st, gt_writer_stack(st->w[0], fr, nf, &id0), gt_writer_stack(st->w[1], fr, nf, &id1));
        if (s == GT_OK) {
            if (!st->dead[0] && !st->dead[1] && !st->diverged) FUZZ_ASSERT(id0 == id1);
            uint64_t id = st->dead[0] ? id1 : id0;
            FUZZ_ASSERT_MSG((nf == 0) == (id == 0), "the empty stack is ID 0, and only it");
            if (st->nstk < POOL && id) st->stk[st->nstk++] = id;
        }
        break;
    }
    case 8:
    case 9: { /* begin a batch (experimental sometimes) */
        uint64_t gen = u8(c) & 7 ? st->gen : val(c);
        uint64_t m = val(c), time = val(c);
        unsigned flags = u8(c) & 1;
        int exp = op % 22 == 9;
        unsigned expid = u8(c) % 3;
        gt_status s = exp ? gt_batch_begin_experimental(b, st->bbuf[slot], st->bcap[slot], st->version, expid, gen, m,
                                                        time, flags)
                          : gt_batch_begin(b, st->bbuf[slot], st->bcap[slot], st->version, gen, m, time, flags);
        known(s);
        st->begun[slot] = s == GT_OK;
        st->bgen[slot] = st->gen;
        st->slot_events[slot] = 0;
        if (s == GT_OK) {
            FUZZ_ASSERT(b->len <= b->cap);
            if (gen != st->gen || exp || !st->gen) st->wellformed = 0;
        }
        break;
    }
    case 10:
    case 11:
    case 12:
        if (st->begun[slot]) op_batch_event(st, c, slot, 0);
        break;
    case 13:
        if (st->begun[slot]) op_batch_event(st, c, slot, 1);
        break;
    case 14: { /* raw item into a batch */
        if (!st->begun[slot]) break;
        gt_event ev;
        gt_frame fr[4];
        uint8_t d[512];
        raw_item(st, c, &ev, fr, d);
        size_t before = b->len;
        gt_status s = gt_batch_put(b, &ev);
        known(s);
        FUZZ_ASSERT(b->len <= b->cap);
        if (s != GT_OK) FUZZ_ASSERT(b->len == before);
        else st->wellformed = 0;
        break;
    }
    case 15: { /* raw bytes into a batch */
        if (!st->begun[slot]) break;
        uint8_t d[512];
        size_t n = bytes(c, d, sizeof d);
        gt_status s = gt_batch_raw(b, d, n);
        known(s);
        FUZZ_ASSERT(b->len <= b->cap);
        if (s == GT_OK && n) st->wellformed = 0;
        break;
    }
    case 16: { /* finish a batch, then write it */
        if (!st->begun[slot]) break;
        size_t len = 0;
        gt_status s = gt_batch_finish(b, &len);
        known(s);
        if (s == GT_OK) FUZZ_ASSERT(len == b->len && len <= b->cap);
        break;
    }
    case 17: { /* write a batch (finishing it if open) */
        if (!st->begun[slot]) break;
        uint64_t evs = st->slot_events[slot];
        gt_status s = agree(st, gt_writer_batch(st->w[0], b), gt_writer_batch(st->w[1], b));
        if (s == GT_OK) {
            st->events += evs;
            if (st->bgen[slot] != st->gen || !st->gen) st->wellformed = 0;
        }
        st->begun[slot] = 0; /* a batch is written once */
        break;
    }
    case 18: { /* a raw item or raw bytes on the writers */
        gt_event ev;
        gt_frame fr[4];
        uint8_t d[512];
        if (u8(c) & 1) {
            raw_item(st, c, &ev, fr, d);
            agree(st, gt_writer_item(st->w[0], &ev), gt_writer_item(st->w[1], &ev));
        } else {
            size_t n = bytes(c, d, sizeof d);
            agree(st, gt_writer_bytes(st->w[0], d, n), gt_writer_bytes(st->w[1], d, n));
        }
        st->wellformed = 0;
        break;
    }
    case 19: { /* end the generation */
        gt_status s = agree(st, gt_writer_end_generation(st->w[0]), gt_writer_end_generation(st->w[1]));
        if (s == GT_OK) st->gen = 0;
        break;
    }
    case 20: agree(st, gt_writer_flush(st->w[0]), gt_writer_flush(st->w[1])); break;
    default: { /* sizes and memory are consistent */
        FUZZ_ASSERT(gt_writer_size(st->w[0]) <= st->out_cap);
        for (int i = 0; i < 2; i++) {
            uint64_t cur, peak;
            gt_writer_memory(st->w[i], &cur, &peak);
            FUZZ_ASSERT(cur <= peak);
            FUZZ_ASSERT(gt_writer_error(st->w[i]) != NULL);
        }
        break;
    }
    }
}

/* The output of a well-formed program decodes with validation and re-encodes. */
static void check_output(const state *st, const uint8_t *p, size_t n)
{
    gt_reader *r = gt_reader_create(NULL);
    FUZZ_ASSERT(r != NULL);
    FUZZ_OK(gt_reader_set_buffer(r, p, n));
    fuzz_check c;
    fuzz_check_init(&c, p, n, NULL);
    fuzz_check_reader(&c, r);
    gt_event ev;
    gt_status s;
    uint8_t one[1 << 17];
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        fuzz_check_item(&c, r, &ev);
        size_t written = 0;
        FUZZ_OK(gt_encode_event(one, sizeof one, st->version, &ev, &written));
        if (ev.kind != GT_KIND_GENERATION_END)
            FUZZ_ASSERT_MSG(written <= n - ev.offset && memcmp(one, p + ev.offset, written) == 0,
                            "decoded item does not re-encode to its bytes");
    }
    if (s != GT_END) fprintf(stderr, "decode of the writer's output: %s\n", gt_reader_error(r)->message);
    FUZZ_ASSERT_MSG(s == GT_END, "a well-formed program wrote a trace the reader rejects");
    fuzz_run run;
    fuzz_check_end(&c, r, s, &run);
    gt_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c = {data, size};
    size_t nv;
    const unsigned *versions = gt_versions(&nv);
    state st;
    memset(&st, 0, sizeof st);
    uint8_t mode = u8(&c);
    st.version = versions[mode % nv];
    st.v2 = gt_version_format(st.version) == GT_FORMAT_V2;
    st.wellformed = 1;
    st.out_cap = (size_t)u8(&c) << 8 | 0xff;
    if (mode & 0x80) st.out_cap = 1 << 20;
    st.out = fuzz_malloc(st.out_cap);
    /* The sink's amounts come from a separate slice of the input. */
    size_t sink_bytes = u8(&c) & 15;
    if (sink_bytes > c.n) sink_bytes = c.n;
    st.snk.amounts = (cursor){c.p, sink_bytes};
    st.snk.fail = (mode >> 4) & 1;
    c.p += sink_bytes;
    c.n -= sink_bytes;
    for (int i = 0; i < 2; i++) {
        st.arena[i].fail_at = (mode >> 5) & 1 ? 1 + u8(&c) % 48 : 0;
        gt_alloc alc = fuzz_arena_alloc(&st.arena[i]);
        st.w[i] = gt_writer_create(&alc);
    }
    if (!st.w[0] || !st.w[1]) {
        gt_writer_free(st.w[0]);
        gt_writer_free(st.w[1]);
        FUZZ_ASSERT(st.arena[0].live_blocks == 0 && st.arena[1].live_blocks == 0);
        free(st.out);
        return 0;
    }
    FUZZ_OK(gt_writer_set_buffer(st.w[0], st.out, st.out_cap));
    gt_status ss = gt_writer_set_sink(st.w[1], sink_write, &st.snk);
    if (ss != GT_OK) {
        FUZZ_ASSERT(ss == GT_ERR_NOMEM);
        st.dead[1] = 1;
        st.wellformed = 0;
    }
    for (int i = 0; i < SLOTS; i++) {
        st.bcap[i] = 64 + (size_t)u8(&c) * 64;
        if (i == 0) st.bcap[i] = 70000;
        st.bbuf[i] = fuzz_malloc(st.bcap[i]);
    }
    if (!((mode >> 6) & 1)) {
        gt_status s = agree(&st, gt_writer_start(st.w[0], st.version), gt_writer_start(st.w[1], st.version));
        st.started = s == GT_OK;
    } else {
        st.wellformed = 0;
    }
    for (int ops = 0; c.n > 0 && ops < 512; ops++) run_op(&st, &c);
    gt_status fin = agree(&st, gt_writer_finish(st.w[0]), gt_writer_finish(st.w[1]));
    if (fin == GT_OK) {
        /* Finish is idempotent enough: the size does not change. */
        if (!st.dead[0] && !st.dead[1] && !st.diverged) {
            FUZZ_ASSERT(gt_writer_size(st.w[0]) == gt_writer_size(st.w[1]));
            FUZZ_ASSERT_MSG(st.snk.n == gt_writer_size(st.w[1]), "sink did not receive every byte after finish");
            FUZZ_ASSERT_MSG(st.snk.n == 0 || memcmp(st.out, st.snk.p, st.snk.n) == 0, "buffer and sink outputs differ");
        }
        if (st.wellformed && !st.diverged && st.started && st.events > 0 && st.generations > 0 && !st.dead[0])
            check_output(&st, st.out, (size_t)gt_writer_size(st.w[0]));
    }
    for (int i = 0; i < 2; i++) {
        uint64_t cur, peak;
        gt_writer_memory(st.w[i], &cur, &peak);
        FUZZ_ASSERT(cur <= peak);
        gt_writer_free(st.w[i]);
        FUZZ_ASSERT_MSG(st.arena[i].live_blocks == 0 && st.arena[i].live_bytes == 0, "writer leaked");
    }
    for (int i = 0; i < SLOTS; i++) free(st.bbuf[i]);
    free(st.snk.p);
    free(st.out);
    return 0;
}
