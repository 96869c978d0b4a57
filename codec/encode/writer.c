/* gt_writer: a whole trace, to a caller buffer or through a sink.
 *
 * The caller hands over finished batches (gt_batch) and interns strings and
 * stacks; the writer owns what the runtime writes around them:
 *   - the header;
 *   - v2, per generation: a sync batch first (go 1.25+: Frequency and
 *     ClockSnapshot), the string and stack tables, each a batch (m = no
 *     thread) filled as entries are interned and flushed when full, then at
 *     the end the frequency batch (go 1.22-1.24), the remaining stack and
 *     string batches, and (go 1.26) the end-of-generation byte;
 *   - legacy, at the end: the footer, laid out as the runtime of the version
 *     wrote it (spec/FORMAT.md 5.8): the Frequency and the stack table dump,
 *     each stack right after the strings it introduces.
 * Tables are XXH3-keyed dictionaries (dict.c); a stack's key is its frames
 * encoded with the IDs of their already interned names, which is exactly the
 * record's body. A second index finds a known stack from a hash of its
 * symbols (confirmed against the tables), so a repeated stack costs one
 * lookup instead of one per name. */
#include <inttypes.h>
#include <xxhash.h>

#include "../sink/sink.h"
#include "encode.h"

enum { WS_NEW = 0, WS_STARTED, WS_GEN, WS_CLOSED };
enum { TB_STRINGS = 0, TB_STACKS = 1 };

#define STAGE_MIN   (256u << 10)
#define FRAME_MAX   (4 * GT_UVARINT_MAX)     /* bytes of one encoded frame, at most */
#define RECORD_HEAD (1 + 3 * GT_UVARINT_MAX) /* type, [length,] id, count */

struct gt_writer {
    gt_mem mem;
    gt_limits lim;
    gt_error err;
    gt_status sticky; /* an output error: every later call returns it */
    int state;
    unsigned version;
    bool legacy;
    unsigned flags;
    /* output: the caller's buffer, or a staging buffer (ours) in front of the sink */
    gt_out out;
    /* the open generation */
    uint64_t gen, prev_gen;
    gt_sync sync;
    gt_dict strings, stacks;
    uint8_t *key; /* a stack key being built */
    size_t key_cap;
    /* Stacks by the hash of their symbols (sym_hash): ID, 0 = empty slot;
     * sym[id - 1] is the hash of stack id. */
    uint32_t *sym_slots;
    size_t sym_nslots, sym_used;
    uint64_t *sym;
    size_t sym_cap;
    uint8_t *tbuf[2];  /* v2: the open string and stack batches */
    size_t tcap;       /* their buffers' size */
    uint32_t tpayload; /* their payload limit */
    gt_batch tb[2];
    size_t foot_used;    /* legacy: bytes in the current footer buffer (SIZE_MAX: none) */
    uint64_t skip_batch; /* raw items: a batch whose events its data already holds */
};

/*-************************************
 *  Life cycle
 **************************************/
static void release_buffers(gt_writer *w);

gt_writer *gt_writer_create(const gt_alloc *alloc)
{
    gt_limits lim;
    gt_limits_default(&lim);
    gt_mem mem;
    gt_mem_init(&mem, alloc, lim.max_memory);
    gt_writer *w = gt_mem_calloc(&mem, 1, sizeof *w);
    if (!w) return NULL;
    w->mem = mem;
    w->lim = lim;
    w->skip_batch = GT_NONE;
    w->foot_used = SIZE_MAX;
    gt_error_clear(&w->err);
    return w;
}

void gt_writer_free(gt_writer *w)
{
    if (!w) return;
    release_buffers(w);
    gt_mem_free(&w->mem, w->sym_slots, w->sym_nslots * sizeof *w->sym_slots);
    gt_mem_free(&w->mem, w->sym, w->sym_cap * sizeof *w->sym);
    gt_dict_free(&w->strings, &w->mem);
    gt_dict_free(&w->stacks, &w->mem);
    gt_mem m = w->mem;
    gt_mem_free(&m, w, sizeof *w);
}

gt_status gt_writer_set_limits(gt_writer *w, const gt_limits *lim)
{
    if (!w || w->state != WS_NEW) return GT_ERR_STATE;
    gt_limits d;
    gt_limits_default(&d);
    w->lim = lim ? *lim : d;
    if (!w->lim.max_batch_size) w->lim.max_batch_size = d.max_batch_size;
    if (!w->lim.max_string_size) w->lim.max_string_size = d.max_string_size;
    if (!w->lim.max_frames) w->lim.max_frames = d.max_frames;
    if (!w->lim.max_ids) w->lim.max_ids = d.max_ids;
    if (!w->lim.max_memory) w->lim.max_memory = d.max_memory;
    w->mem.limit = w->lim.max_memory;
    return GT_OK;
}

gt_status gt_writer_set_flags(gt_writer *w, unsigned flags)
{
    if (!w || w->state != WS_NEW) return GT_ERR_STATE;
    w->flags = flags;
    return GT_OK;
}

gt_status gt_writer_set_buffer(gt_writer *w, void *dst, size_t cap)
{
    if (!w || w->state != WS_NEW || w->out.fn) return GT_ERR_STATE;
    if (!dst && cap) return GT_ERR_INVALID_ARGUMENT;
    gt_out_init_buffer(&w->out, dst, cap);
    return GT_OK;
}

gt_status gt_writer_set_sink(gt_writer *w, gt_write_fn fn, void *user)
{
    if (!w || w->state != WS_NEW || w->out.buf) return GT_ERR_STATE;
    if (!fn) return GT_ERR_INVALID_ARGUMENT;
    gt_out_init_callback(&w->out, fn, user);
    return GT_OK;
}

const gt_error *gt_writer_error(const gt_writer *w) { return &w->err; }

uint64_t gt_writer_size(const gt_writer *w) { return gt_out_size(&w->out); }

void gt_writer_memory(const gt_writer *w, uint64_t *current, uint64_t *peak)
{
    if (current) *current = w->mem.used;
    if (peak) *peak = w->mem.peak;
}

__attribute__((format(printf, 3, 4))) static gt_status fail(gt_writer *w, gt_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    w->err.status = s;
    w->err.offset = gt_writer_size(w);
    w->err.generation = w->state == WS_GEN && !w->legacy ? w->gen : GT_NONE;
    vsnprintf(w->err.message, sizeof w->err.message, fmt, ap);
    va_end(ap);
    return s;
}

/*-************************************
 *  Output
 **************************************/
static gt_status out_fail(gt_writer *w, gt_status s, const char *what)
{
    w->sticky = s;
    return fail(w, s, s == GT_ERR_IO ? "the sink failed writing %s" : "the output buffer is full (writing %s)", what);
}

static gt_status out_write(gt_writer *w, const void *p, size_t n, const char *what)
{
    gt_status s = gt_out_write(&w->out, p, n);
    return s == GT_OK ? s : out_fail(w, s, what);
}

gt_status gt_writer_flush(gt_writer *w)
{
    if (w->sticky) return w->sticky;
    gt_status s = gt_out_flush(&w->out);
    return s == GT_OK ? s : out_fail(w, s, "staged bytes");
}

gt_status gt_writer_bytes(gt_writer *w, const void *p, size_t n)
{
    if (w->sticky) return w->sticky;
    if (w->state == WS_NEW) return fail(w, GT_ERR_STATE, "gt_writer_start() first");
    if (n && !p) return GT_ERR_INVALID_ARGUMENT;
    return out_write(w, p, n, "bytes");
}

gt_status gt_writer_batch(gt_writer *w, gt_batch *b)
{
    if (!b) return GT_ERR_INVALID_ARGUMENT;
    size_t len = b->len;
    if (b->open && gt_batch_finish(b, &len) != GT_OK) return GT_ERR_STATE;
    return gt_writer_bytes(w, b->buf, len);
}

/*-************************************
 *  Start
 **************************************/
/* The working buffers of gt_writer_start (all or none). */
static void release_buffers(gt_writer *w)
{
    gt_mem_free(&w->mem, w->key, w->key_cap);
    for (int k = 0; k < 2; k++) gt_mem_free(&w->mem, w->tbuf[k], w->tcap);
    w->key = w->tbuf[0] = w->tbuf[1] = NULL;
    if (w->out.fn) {
        gt_mem_free(&w->mem, w->out.buf, w->out.cap);
        gt_out_set_stage(&w->out, NULL, 0);
    }
}

gt_status gt_writer_start(gt_writer *w, unsigned version)
{
    if (w->sticky) return w->sticky;
    if (w->state != WS_NEW) return fail(w, GT_ERR_STATE, "the writer has started already");
    gt_format fmt = gt_version_format(version);
    if (fmt == GT_FORMAT_UNKNOWN) return fail(w, GT_ERR_UNSUPPORTED_VERSION, "go 1.%u is not a trace version", version);
    if (!w->out.fn && !w->out.buf) return fail(w, GT_ERR_STATE, "no output: set a buffer or a sink");
    if (!w->out.fn && w->out.cap - w->out.len < GT_HEADER_SIZE) return out_fail(w, GT_ERR_DST_TOO_SMALL, "the header");
    uint32_t payload = w->lim.max_batch_size < GT_ENC_MAX_BATCH ? w->lim.max_batch_size : GT_ENC_MAX_BATCH;
    size_t record = RECORD_HEAD + (size_t)w->lim.max_frames * FRAME_MAX;
    size_t string = RECORD_HEAD + (size_t)w->lim.max_string_size;
    w->key_cap = (size_t)w->lim.max_frames * FRAME_MAX;
    w->tcap = GT_ENC_BATCH_HEAD_MAX + payload;
    w->tpayload = payload;
    size_t need = w->tcap + record + string, stage_cap = need > STAGE_MIN ? need : STAGE_MIN;
    /* The whole budget first: a start refused for max_memory allocates nothing. */
    uint64_t total = (uint64_t)w->key_cap + (fmt == GT_FORMAT_V2 ? 2 * (uint64_t)w->tcap : 0) +
                     (w->out.fn ? (uint64_t)stage_cap : 0);
    if (!gt_mem_fits(&w->mem, total))
        return fail(w, GT_ERR_NOMEM, "the limits need %llu bytes, more than max_memory", (unsigned long long)total);
    bool ok = (w->key = gt_mem_alloc(&w->mem, w->key_cap)) != NULL;
    for (int k = 0; ok && k < 2 && fmt == GT_FORMAT_V2; k++) ok = (w->tbuf[k] = gt_mem_alloc(&w->mem, w->tcap)) != NULL;
    if (ok && w->out.fn) {
        uint8_t *stage = gt_mem_alloc(&w->mem, stage_cap);
        ok = stage != NULL;
        if (ok) gt_out_set_stage(&w->out, stage, stage_cap);
    }
    if (!ok) {
        release_buffers(w);
        return fail(w, GT_ERR_NOMEM, "out of memory");
    }
    gt_header_write(w->out.buf + w->out.len, GT_HEADER_SIZE, version); /* room checked above, or staging is empty */
    w->out.len += GT_HEADER_SIZE;
    w->version = version;
    w->legacy = fmt == GT_FORMAT_LEGACY;
    w->state = WS_STARTED;
    return GT_OK;
}

/*-************************************
 *  Raw items
 **************************************/
static bool inside_batch(gt_kind k)
{
    switch (k) {
    case GT_KIND_EVENT:
    case GT_KIND_TABLE_MARKER:
    case GT_KIND_STRING:
    case GT_KIND_STACK:
    case GT_KIND_CPU_SAMPLE:
    case GT_KIND_FREQUENCY:
    case GT_KIND_CLOCK_SNAPSHOT:
    case GT_KIND_IGNORED_DATA: return true;
    case GT_KIND_HEADER:
    case GT_KIND_BATCH:
    case GT_KIND_END_OF_GENERATION:
    case GT_KIND_GENERATION_END:
    default: return false;
    }
}

gt_status gt_writer_item(gt_writer *w, const gt_event *ev)
{
    if (w->sticky) return w->sticky;
    if (!ev) return GT_ERR_INVALID_ARGUMENT;
    if (ev->kind == GT_KIND_HEADER) return gt_writer_start(w, (unsigned)ev->args[0]);
    if (w->state == WS_NEW) return fail(w, GT_ERR_STATE, "the first item must be the header");
    if (!w->legacy) {
        if (w->skip_batch != GT_NONE && ev->batch == w->skip_batch && inside_batch((gt_kind)ev->kind)) return GT_OK;
        if (ev->kind == GT_KIND_BATCH)
            w->skip_batch = ev->type == GT_V2_EXPERIMENTAL_BATCH && ev->data ? ev->batch : GT_NONE;
    }
    size_t want = gt_event_bound(w->version, ev), head = 0, n = 0, got;
    const uint8_t *data;
    want = want - (size_t)(ev->data_len < want ? ev->data_len : want);
    gt_status s;
    uint8_t *dst = gt_out_room(&w->out, want, &got, &s);
    if (dst) s = gt_enc_head(dst, got, w->version, ev, &head, &data, &n);
    if (s == GT_ERR_INTERNAL) return fail(w, GT_ERR_LIMIT, "item at input offset %" PRIu64 " is too large", ev->offset);
    if (s == GT_ERR_DST_TOO_SMALL || s == GT_ERR_IO) return out_fail(w, s, "an item");
    if (s != GT_OK)
        return fail(w, s, "cannot encode the item at input offset %" PRIu64 " (%s)", ev->offset, gt_status_text(s));
    w->out.len += head;
    return n ? out_write(w, data, n, "item data") : GT_OK;
}

/*-************************************
 *  The writer's own batches
 **************************************/
static unsigned batch_flags(const gt_writer *w)
{
    return (w->flags & GT_WRITER_MINIMAL_SIZE) ? GT_BATCH_MINIMAL_SIZE : 0;
}

/* Build a small batch in a local buffer, then write it. */
static gt_status small_batch(gt_writer *w, const uint64_t *freq_clock, bool sync)
{
    uint8_t buf[GT_ENC_BATCH_HEAD_MAX + 64];
    gt_batch b;
    gt_status s =
        gt_batch_begin(&b, buf, sizeof buf, w->version, w->gen, GT_ENC_NO_THREAD, w->sync.time, batch_flags(w));
    if (s == GT_OK && sync) s = gt_batch_event(&b, GT_V2_SYNC, 0, NULL, 0);
    if (s == GT_OK) s = gt_batch_event(&b, GT_V2_FREQUENCY, 0, freq_clock, 1);
    if (s == GT_OK && sync) s = gt_batch_event(&b, GT_V2_CLOCK_SNAPSHOT, w->sync.clock_time, freq_clock + 1, 3);
    size_t len = 0;
    if (s == GT_OK) s = gt_batch_finish(&b, &len);
    if (s != GT_OK) return fail(w, GT_ERR_INTERNAL, "building the %s batch failed", sync ? "sync" : "frequency");
    return out_write(w, buf, len, sync ? "the sync batch" : "the frequency batch");
}

static gt_status table_flush(gt_writer *w, int k)
{
    if (!w->tb[k].open) return GT_OK;
    return gt_writer_batch(w, &w->tb[k]);
}

/* Make room for `need` bytes in table batch k, opening it (with its marker)
 * or flushing it first as needed. */
static gt_status table_room(gt_writer *w, int k, size_t need)
{
    gt_batch *b = &w->tb[k];
    if (b->open && gt_batch_room(b) >= need) return GT_OK;
    gt_status s = table_flush(w, k);
    if (s != GT_OK) return s;
    s = gt_batch_begin(b, w->tbuf[k], w->tcap, w->version, w->gen, GT_ENC_NO_THREAD, w->sync.time, batch_flags(w));
    b->limit = w->tpayload; /* max_batch_size may be below Go's 65536 */
    if (s == GT_OK) s = gt_batch_event(b, k == TB_STRINGS ? GT_V2_STRINGS : GT_V2_STACKS, 0, NULL, 0);
    if (s != GT_OK) return fail(w, GT_ERR_INTERNAL, "cannot open a table batch");
    if (gt_batch_room(b) < need)
        return fail(w, GT_ERR_LIMIT, "a table entry of %zu bytes does not fit a batch of %" PRIu32 " bytes", need,
                    w->lim.max_batch_size);
    return GT_OK;
}

/*-************************************
 *  Generations and tables
 **************************************/
gt_status gt_writer_begin_generation(gt_writer *w, uint64_t gen, const gt_sync *sync)
{
    if (w->sticky) return w->sticky;
    if (w->state == WS_NEW) return fail(w, GT_ERR_STATE, "gt_writer_start() first");
    if (w->state == WS_GEN) return fail(w, GT_ERR_STATE, "generation %" PRIu64 " is still open", w->gen);
    if (w->state == WS_CLOSED) return fail(w, GT_ERR_STATE, "a legacy trace has one generation, and it was written");
    if (!sync) return GT_ERR_INVALID_ARGUMENT;
    if (sync->freq == 0 || (w->legacy && sync->freq > INT64_MAX))
        return fail(w, GT_ERR_BAD_FREQUENCY, "frequency %" PRIu64 " is not a positive tick rate", sync->freq);
    if (!w->legacy) {
        bool strict = w->version < 26;
        if (gen == 0 || (w->prev_gen && (strict ? gen != w->prev_gen + 1 : gen <= w->prev_gen)))
            return fail(w, GT_ERR_GENERATION, "generation %" PRIu64 " cannot follow generation %" PRIu64, gen,
                        w->prev_gen);
        if (w->version >= 25 && sync->clock_time < sync->time)
            return fail(w, GT_ERR_INVALID_ARGUMENT, "the clock snapshot predates its batch");
    }
    w->gen = gen;
    w->sync = *sync;
    gt_dict_reset(&w->strings);
    gt_dict_reset(&w->stacks);
    if (w->sym_slots) memset(w->sym_slots, 0, w->sym_nslots * sizeof *w->sym_slots);
    w->sym_used = 0;
    w->foot_used = SIZE_MAX;
    w->state = WS_GEN;
    if (w->legacy || w->version < 25) return GT_OK;
    const uint64_t vals[4] = {sync->freq, sync->mono, sync->sec, sync->nsec};
    return small_batch(w, vals, true);
}

static gt_status check_gen(gt_writer *w)
{
    if (w->sticky) return w->sticky;
    if (w->state != WS_GEN) return fail(w, GT_ERR_STATE, "no generation is open");
    return GT_OK;
}

/* Intern; `new_ok` is false when the per-generation ID budget is spent. */
static gt_status intern(gt_writer *w, gt_dict *d, const void *key, size_t n, uint64_t *id, bool *added)
{
    uint64_t before = d->count;
    bool room = (uint64_t)w->strings.count + w->stacks.count < w->lim.max_ids;
    gt_status s = gt_dict_intern(d, &w->mem, key, n, id, added);
    if (s != GT_OK) return fail(w, s, "out of memory interning a %s", d == &w->strings ? "string" : "stack");
    if (*added && !room) {
        d->count = before; /* undo: the last entry goes, its slot with it */
        d->arena_len -= n;
        for (size_t i = 0; i < d->nslots; i++)
            if (d->slots[i] == *id) d->slots[i] = 0;
        return fail(w, GT_ERR_LIMIT, "more than %" PRIu64 " strings and stacks in one generation", w->lim.max_ids);
    }
    return GT_OK;
}

static gt_status put_string(gt_writer *w, const void *s, size_t n, uint64_t *id)
{
    *id = 0;
    if (n == 0) return GT_OK;
    if (!s) return GT_ERR_INVALID_ARGUMENT;
    if (n > w->lim.max_string_size)
        return fail(w, GT_ERR_LIMIT, "string of %zu bytes, the limit is %" PRIu32, n, w->lim.max_string_size);
    if (!w->legacy && 1 + GT_EVENT_BOUND(1) + n > w->tpayload) /* the marker, then the entry */
        return fail(w, GT_ERR_LIMIT, "a string of %zu bytes does not fit a batch of %" PRIu32 " bytes", n, w->tpayload);
    bool added;
    gt_status st = intern(w, &w->strings, s, n, id, &added);
    if (st != GT_OK || !added || w->legacy) return st;
    if ((st = table_room(w, TB_STRINGS, GT_EVENT_BOUND(1) + n)) != GT_OK) return st;
    return gt_batch_event_data(&w->tb[TB_STRINGS], GT_V2_STRING, 0, id, 1, s, n);
}

gt_status gt_writer_string(gt_writer *w, const void *s, size_t n, uint64_t *id)
{
    gt_status st = check_gen(w);
    if (st != GT_OK) return st;
    if (!id) return GT_ERR_INVALID_ARGUMENT;
    if (w->version < 7) return fail(w, GT_ERR_INVALID_ARGUMENT, "go 1.5 traces have no strings");
    return put_string(w, s, n, id);
}

/* The key of a stack: its frames' varints (go 1.5: the pcs only). */
static gt_status stack_key(gt_writer *w, const gt_sym_frame *f, size_t n, size_t *len)
{
    uint8_t *p = w->key;
    bool symbols = w->version >= 7;
    for (size_t i = 0; i < n; i++) {
        uint64_t func = 0, file = 0;
        gt_status s = GT_OK;
        if (symbols && (s = put_string(w, f[i].func, f[i].func_len, &func)) == GT_OK)
            s = put_string(w, f[i].file, f[i].file_len, &file);
        if (s != GT_OK) return s;
        p = gt_enc_uv(p, f[i].pc);
        if (symbols) p = gt_enc_uv(gt_enc_uv(gt_enc_uv(p, func), file), f[i].line);
    }
    *len = (size_t)(p - w->key);
    return GT_OK;
}

/* The fast path of gt_writer_stack: a stack seen before in the generation
 * is found from its symbols directly, without interning every name again.
 * The frames are hashed (pc, line, XXH3 of each name); a hit is confirmed by
 * comparing the frames with the stack's key and the names it refers to, so
 * neither hash collisions nor reused caller buffers can give a wrong ID. */
static uint64_t sym_hash(const gt_sym_frame *f, size_t n, bool symbols)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ f[i].pc) * 0xBF58476D1CE4E5B9ull;
        if (symbols) {
            h = (h ^ f[i].line ^ XXH3_64bits(f[i].func, f[i].func_len)) * 0x94D049BB133111EBull;
            h = (h ^ XXH3_64bits_withSeed(f[i].file, f[i].file_len, 1)) * 0xBF58476D1CE4E5B9ull;
        }
        h ^= h >> 29;
    }
    return h;
}

static bool name_is(const gt_writer *w, uint64_t id, const char *s, size_t n)
{
    if (id == 0) return n == 0;
    size_t len;
    const uint8_t *p = gt_dict_key(&w->strings, id, &len);
    return len == n && memcmp(p, s, n) == 0;
}

static uint64_t next_uv(const uint8_t **p);

/* Stack id has exactly these frames. */
static bool stack_is(const gt_writer *w, uint64_t id, const gt_sym_frame *f, size_t n, bool symbols)
{
    size_t len;
    const uint8_t *p = gt_dict_key(&w->stacks, id, &len), *end = p + len;
    for (size_t i = 0; i < n; i++) {
        if (p >= end || next_uv(&p) != f[i].pc) return false;
        if (!symbols) continue;
        uint64_t func = next_uv(&p), file = next_uv(&p);
        if (next_uv(&p) != f[i].line || !name_is(w, func, f[i].func, f[i].func_len) ||
            !name_is(w, file, f[i].file, f[i].file_len))
            return false;
    }
    return p == end;
}

static uint64_t sym_find(const gt_writer *w, uint64_t h, const gt_sym_frame *f, size_t n, bool symbols)
{
    if (!w->sym_nslots) return 0;
    size_t mask = w->sym_nslots - 1;
    for (size_t i = (size_t)h & mask; w->sym_slots[i]; i = (i + 1) & mask) {
        uint32_t id = w->sym_slots[i];
        if (w->sym[id - 1] == h && stack_is(w, id, f, n, symbols)) return id;
    }
    return 0;
}

/* Index stack id under hash h (a failure only loses the fast path). */
static void sym_add(gt_writer *w, uint64_t id, uint64_t h)
{
    if (id > w->sym_cap) {
        size_t cap = w->sym_cap ? w->sym_cap * 2 : 256;
        uint64_t *a = gt_mem_realloc(&w->mem, w->sym, w->sym_cap * sizeof *a, cap * sizeof *a);
        if (!a) return;
        w->sym = a;
        w->sym_cap = cap;
    }
    if ((w->sym_used + 1) * 2 > w->sym_nslots) { /* load at most 1/2, or no insertion */
        size_t n = w->sym_nslots ? w->sym_nslots * 2 : 512;
        uint32_t *slots = gt_mem_calloc(&w->mem, n, sizeof *slots);
        if (!slots) return;
        for (size_t k = 0; k < w->sym_nslots; k++) {
            uint32_t other = w->sym_slots[k];
            if (!other) continue;
            size_t j = (size_t)w->sym[other - 1] & (n - 1);
            while (slots[j]) j = (j + 1) & (n - 1);
            slots[j] = other;
        }
        gt_mem_free(&w->mem, w->sym_slots, w->sym_nslots * sizeof *w->sym_slots);
        w->sym_slots = slots;
        w->sym_nslots = n;
    }
    w->sym[id - 1] = h;
    size_t j = (size_t)h & (w->sym_nslots - 1);
    while (w->sym_slots[j]) j = (j + 1) & (w->sym_nslots - 1);
    w->sym_slots[j] = (uint32_t)id;
    w->sym_used++;
}

gt_status gt_writer_stack(gt_writer *w, const gt_sym_frame *frames, size_t n, uint64_t *id)
{
    gt_status s = check_gen(w);
    if (s != GT_OK) return s;
    if (!id || (n && !frames)) return GT_ERR_INVALID_ARGUMENT;
    *id = 0;
    if (n == 0) return GT_OK;
    if (n > w->lim.max_frames)
        return fail(w, GT_ERR_LIMIT, "stack of %zu frames, the limit is %" PRIu32, n, w->lim.max_frames);
    bool symbols = w->version >= 7;
    uint64_t h = sym_hash(frames, n, symbols);
    if ((*id = sym_find(w, h, frames, n, symbols)) != 0) return GT_OK;
    size_t len;
    bool added;
    if ((s = stack_key(w, frames, n, &len)) != GT_OK) return s;
    if (!w->legacy && 1 + RECORD_HEAD + len > w->tpayload)
        return fail(w, GT_ERR_LIMIT, "a stack of %zu bytes does not fit a batch of %" PRIu32 " bytes", len,
                    w->tpayload);
    if ((s = intern(w, &w->stacks, w->key, len, id, &added)) != GT_OK || !added) return s;
    sym_add(w, *id, h);
    if (w->legacy) return GT_OK;
    /* v2: the record goes straight into the stack batch. */
    if ((s = table_room(w, TB_STACKS, RECORD_HEAD + len)) != GT_OK) return s;
    uint8_t head[RECORD_HEAD], *p = head;
    *p++ = GT_V2_STACK;
    p = gt_enc_uv(gt_enc_uv(p, *id), n);
    gt_batch_raw(&w->tb[TB_STACKS], head, (size_t)(p - head));
    return gt_batch_raw(&w->tb[TB_STACKS], w->key, len);
}

/*-************************************
 *  Legacy footer
 **************************************/
static uint32_t foot_cap(const gt_writer *w)
{
    return w->lim.max_batch_size < GT_ENC_MAX_BATCH ? w->lim.max_batch_size : GT_ENC_MAX_BATCH;
}

/* Write one footer record; with `batched`, inside Batch(p=0) buffers of
 * foot_cap() bytes as the go 1.11+ runtime does. */
static gt_status foot_put(gt_writer *w, const uint8_t *rec, size_t n, const uint8_t *tail, size_t tail_n, bool batched)
{
    gt_status s;
    if (batched && (w->foot_used == SIZE_MAX || w->foot_used + n + tail_n > foot_cap(w))) {
        uint8_t head[1 + 2 * GT_UVARINT_MAX], *p = head;
        *p++ = (uint8_t)(GT_LEG_BATCH | 1u << 6);
        p = gt_enc_uv(gt_enc_uv(p, 0), w->sync.time);
        if ((s = out_write(w, head, (size_t)(p - head), "the footer")) != GT_OK) return s;
        w->foot_used = (size_t)(p - head);
    }
    if ((s = out_write(w, rec, n, "the footer")) == GT_OK && tail_n) s = out_write(w, tail, tail_n, "the footer");
    if (batched) w->foot_used += n + tail_n;
    return s;
}

static gt_status foot_frequency(gt_writer *w, bool batched)
{
    uint8_t rec[2 + 2 * GT_UVARINT_MAX], *p = rec;
    *p++ = GT_LEG_FREQUENCY; /* argument bits 0 */
    p = gt_enc_uv(p, w->sync.freq);
    if (w->version < 7) p = gt_enc_uv(p, 0);
    return foot_put(w, rec, (size_t)(p - rec), NULL, 0, batched);
}

static gt_status foot_string(gt_writer *w, uint64_t id, bool batched)
{
    gt_dict_entry *e = &w->strings.ent[id - 1];
    if (e->mark) return GT_OK;
    e->mark = 1;
    uint8_t rec[1 + 2 * GT_UVARINT_MAX], *p = rec;
    *p++ = GT_LEG_STRING; /* argument bits 0 */
    p = gt_enc_uv(gt_enc_uv(p, id), e->len);
    return foot_put(w, rec, (size_t)(p - rec), w->strings.arena + e->off, e->len, batched);
}

static uint64_t next_uv(const uint8_t **p)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) return v;
    }
}

/* Stack `id`: first the strings it introduces, then its record. */
static gt_status foot_stack(gt_writer *w, uint64_t id, bool batched)
{
    size_t len;
    const uint8_t *key = gt_dict_key(&w->stacks, id, &len), *p = key, *end = key + len;
    unsigned ff = gt_spec_frame_fields(w->version);
    uint64_t values = 0;
    gt_status s = GT_OK;
    while (p < end && s == GT_OK) {
        uint64_t v = next_uv(&p);
        if (ff == 4 && (values % 4 == 1 || values % 4 == 2) && v) s = foot_string(w, v, batched);
        values++;
    }
    if (s != GT_OK) return s;
    uint64_t nframes = values / ff;
    uint8_t rec[RECORD_HEAD], *q = rec;
    *q++ = (uint8_t)(GT_LEG_STACK | 3u << 6);
    q = gt_enc_uv(q, gt_enc_size(id) + gt_enc_size(nframes) + len);
    q = gt_enc_uv(gt_enc_uv(q, id), nframes);
    return foot_put(w, rec, (size_t)(q - rec), key, len, batched);
}

static gt_status footer(gt_writer *w)
{
    const unsigned v = w->version;
    const bool batched = v >= 11;
    gt_status s = GT_OK;
    if (v >= 7 && v < 21) s = foot_frequency(w, false);
    if (s == GT_OK && v >= 21) s = foot_frequency(w, true);
    for (uint64_t id = 1; s == GT_OK && id <= w->stacks.count; id++) s = foot_stack(w, id, batched);
    for (uint64_t id = 1; s == GT_OK && id <= w->strings.count; id++) s = foot_string(w, id, batched);
    if (s == GT_OK && v < 7) s = foot_frequency(w, false);
    return s;
}

/*-************************************
 *  End
 **************************************/
gt_status gt_writer_end_generation(gt_writer *w)
{
    gt_status s = check_gen(w);
    if (s != GT_OK) return s;
    if (w->legacy) {
        if ((s = footer(w)) == GT_OK) w->state = WS_CLOSED;
        return s;
    }
    if (w->version < 25) {
        const uint64_t freq = w->sync.freq;
        if ((s = small_batch(w, &freq, false)) != GT_OK) return s;
    }
    if ((s = table_flush(w, TB_STACKS)) != GT_OK || (s = table_flush(w, TB_STRINGS)) != GT_OK) return s;
    if (w->version >= 26) {
        const uint8_t eog = GT_V2_END_OF_GENERATION;
        if ((s = out_write(w, &eog, 1, "the end-of-generation marker")) != GT_OK) return s;
    }
    w->prev_gen = w->gen;
    w->state = WS_STARTED;
    return GT_OK;
}

gt_status gt_writer_finish(gt_writer *w)
{
    if (w->sticky) return w->sticky;
    if (w->state == WS_GEN) {
        gt_status s = gt_writer_end_generation(w);
        if (s != GT_OK) return s;
    }
    return gt_writer_flush(w);
}
