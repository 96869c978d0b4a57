/* gt_asm: text back to trace bytes, the inverse of gotrace dump.
 *
 * The grammar is that of Go 1.23's internal/trace/raw TextReader, read line
 * by line (lines end at '\n'; a '\r' before it is dropped, as bufio.Scanner
 * does):
 *   - the first line that is not blank or a comment is the header
 *     "Trace Go1.N", N a version gotrace knows (legacy ones included);
 *   - a line whose first non-space character is '#', or that has none, is
 *     skipped anywhere;
 *   - an event line is "Name arg=value ...": the name of an event of the
 *     version's table, then exactly its wire arguments (gt_spec_args), in
 *     order, with their table names, values in unsigned decimal (Go's
 *     strconv.ParseUint), then nothing but white space. Tokens are separated
 *     by Unicode white space (unicode.IsSpace); '#' also ends a token, and is
 *     not allowed after the arguments;
 *   - a Stack is followed by one line per frame, "pc=U func=U file=U
 *     line=U" (go 1.5: "pc=U");
 *   - an event with data (v2 String and ExperimentalBatch, legacy String and
 *     UserLog) is followed by "data=QUOTED": the text before the first '='
 *     is "data" after trimming white space, the text after it, trimmed, is
 *     unquoted with strconv.Unquote's rules ("..." with \a \b \f \n \r \t
 *     \v \\ \" \xNN \NNN \uNNNN \UNNNNNNNN, an invalid UTF-8 byte becoming
 *     U+FFFD; '...' for one character; `...` raw without '\r'). Unlike Go's
 *     reader, a missing data line means empty data: Go's writer prints none
 *     for an empty payload.
 * Each event is written with gt_writer_item(): values as given, every varint
 * minimal, except what a lossless annotation (text.c) says. ExperimentalBatch
 * exp is one raw byte on the wire, as readers read it (Go's text2bytes writes
 * a varint: the same byte below 128; above 255 it is an error here). The annotation is
 * the first comment line after the event line whose first token is w=,
 * bits= or blen=; any other comment there is only a comment. */
#include <inttypes.h>

#include "../events/events.h"
#include "text.h"

enum { AS_HEADER = 0, AS_BODY, AS_DONE, AS_FAILED };
enum { PH_NONE = 0, PH_NOTE, PH_FRAMES, PH_DATA };

#define NAME_SLOTS 512 /* power of two, above twice the largest table */

struct gt_asm {
    gt_mem mem;
    gt_limits lim;
    gt_error err;
    gt_writer *out;
    int state;
    unsigned version;
    bool legacy;
    uint16_t names[NAME_SLOTS]; /* the version's event names: type + 1, 0 = empty */
    /* a line split across chunks */
    char *part;
    size_t part_len, part_cap, max_line;
    uint64_t part_off;
    uint64_t fed;     /* text bytes fed so far */
    uint64_t line_no; /* lines read so far */
    /* the event being assembled */
    int phase;
    gt_event ev;
    const gt_arg_spec *arg[GT_MAX_ARGS];
    bool raw_first; /* args[0] is one raw byte (an ExperimentalBatch header) */
    bool has_data;
    uint64_t payload_left; /* v2: bytes of the current EventBatch's payload still to come */
    uint32_t want_frames, done_frames;
    uint64_t ev_line, ev_off, note_line, note_off;
    bool has_bits, has_blen, has_len_w;
    unsigned len_w;
    uint64_t blen;
    gt_frame *frames;
    uint8_t *data;
    size_t data_cap;
};

typedef struct span {
    const char *p, *e;
} span;

/*-************************************
 *  Errors
 **************************************/
__attribute__((format(printf, 5, 6))) static gt_status fail(gt_asm *a, gt_status s, uint64_t line, uint64_t off,
                                                            const char *fmt, ...)
{
    char msg[sizeof a->err.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gt_error_set(&a->err, s, off, "line %" PRIu64 ": %s", line, msg);
    a->state = AS_FAILED;
    return s;
}

/* Print at most 40 bytes of a token in a message. */
#define TOK(sp) (int)((sp).e - (sp).p > 40 ? 40 : (sp).e - (sp).p), (sp).p

/*-************************************
 *  Life cycle
 **************************************/
gt_asm *gt_asm_create(const gt_alloc *alloc, gt_writer *out)
{
    if (!out) return NULL;
    gt_limits lim;
    gt_limits_default(&lim);
    gt_mem mem;
    gt_mem_init(&mem, alloc, lim.max_memory);
    gt_asm *a = gt_mem_calloc(&mem, 1, sizeof *a);
    if (!a) return NULL;
    a->mem = mem;
    a->lim = lim;
    a->out = out;
    gt_error_clear(&a->err);
    return a;
}

static void release(gt_asm *a)
{
    gt_mem_free(&a->mem, a->part, a->part_cap);
    gt_mem_free(&a->mem, a->frames, (size_t)a->lim.max_frames * sizeof *a->frames);
    gt_mem_free(&a->mem, a->data, a->data_cap);
    a->part = NULL;
    a->frames = NULL;
    a->data = NULL;
    a->part_cap = a->data_cap = 0;
}

void gt_asm_free(gt_asm *a)
{
    if (!a) return;
    release(a);
    gt_mem m = a->mem;
    gt_mem_free(&m, a, sizeof *a);
}

gt_status gt_asm_set_limits(gt_asm *a, const gt_limits *lim)
{
    if (!a || a->fed || a->state != AS_HEADER) return GT_ERR_STATE;
    gt_limits d;
    gt_limits_default(&d);
    a->lim = lim ? *lim : d;
    if (!a->lim.max_batch_size) a->lim.max_batch_size = d.max_batch_size;
    if (!a->lim.max_string_size) a->lim.max_string_size = d.max_string_size;
    if (!a->lim.max_frames) a->lim.max_frames = d.max_frames;
    if (!a->lim.max_ids) a->lim.max_ids = d.max_ids;
    if (!a->lim.max_memory) a->lim.max_memory = d.max_memory;
    a->mem.limit = a->lim.max_memory;
    return GT_OK;
}

const gt_error *gt_asm_error(const gt_asm *a) { return &a->err; }

/* The working buffers, once the limits are final. */
static gt_status setup(gt_asm *a)
{
    a->max_line = 4 * (size_t)a->lim.max_batch_size + 4096;
    a->data_cap = a->lim.max_batch_size ? a->lim.max_batch_size : 1;
    a->frames = gt_mem_calloc(&a->mem, a->lim.max_frames, sizeof *a->frames);
    a->data = gt_mem_alloc(&a->mem, a->data_cap);
    if (!a->frames || !a->data) {
        release(a);
        return fail(a, GT_ERR_NOMEM, 0, 0, "out of memory");
    }
    return GT_OK;
}

/*-************************************
 *  Lexing (Go's readToken, ParseUint, TrimSpace)
 **************************************/
/* Bytes of the white-space rune at p (unicode.IsSpace), 0 if none. The
 * multi-byte ones start with a lead byte, which never occurs inside another
 * rune, so testing byte by byte matches Go's rune-wise scan. */
static size_t space_at(const char *p, const char *e)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t n = (size_t)(e - p);
    if (u[0] < 0x80) return (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r')) ? 1 : 0;
    if (n >= 2 && u[0] == 0xC2 && (u[1] == 0x85 || u[1] == 0xA0)) return 2; /* U+0085, U+00A0 */
    if (n < 3) return 0;
    if (u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) return 3; /* U+1680 */
    if (u[0] == 0xE2 && u[1] == 0x80 &&
        ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF))
        return 3;                                               /* U+2000-200A, U+2028, U+2029, U+202F */
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) return 3; /* U+205F */
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3; /* U+3000 */
    return 0;
}

/* Bytes of a white-space rune ending at e, 0 if none. */
static size_t space_before(const char *p, const char *e)
{
    size_t n = (size_t)(e - p);
    for (size_t k = 1; k <= 3 && k <= n; k++)
        if (space_at(e - k, e) == k) return k;
    return 0;
}

static const char *skip_space(const char *p, const char *e)
{
    size_t k;
    while (p < e && (k = space_at(p, e)) != 0) p += k;
    return p;
}

static span trim(span s)
{
    s.p = skip_space(s.p, s.e);
    size_t k;
    while (s.e > s.p && (k = space_before(s.p, s.e)) != 0) s.e -= k;
    return s;
}

/* Go's readToken: the next token (empty at the end or at a '#') and the rest. */
static span next_token(span *rest)
{
    const char *p = skip_space(rest->p, rest->e), *q = p;
    if (p == rest->e || *p == '#') {
        rest->p = rest->e;
        return (span){p, p};
    }
    while (q < rest->e && *q != '#' && !space_at(q, rest->e)) q++;
    rest->p = q;
    return (span){p, q};
}

static bool only_space(span s) { return skip_space(s.p, s.e) == s.e; }

static bool is_blank_or_comment(span line)
{
    span t = next_token(&line);
    return t.p == t.e;
}

static bool eq(span s, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(s.e - s.p) == n && memcmp(s.p, lit, n) == 0;
}

static bool starts(span s, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(s.e - s.p) >= n && memcmp(s.p, lit, n) == 0;
}

/* strconv.ParseUint(s, 10, 64). */
static bool parse_u64(span s, uint64_t *v)
{
    if (s.p == s.e) return false;
    uint64_t x = 0;
    for (const char *p = s.p; p < s.e; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10) return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

/*-************************************
 *  Unquoting (Go's strconv.Unquote)
 **************************************/
/* Length of the valid UTF-8 sequence at p (utf8.DecodeRune rules), 0 if
 * invalid; its rune in *r. */
static size_t utf8_valid(const unsigned char *p, size_t n, uint32_t *r)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *r = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi) return 0;
    uint32_t v = c & (0x7Fu >> len);
    v = v << 6 | (p[1] & 0x3Fu);
    for (size_t i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
        v = v << 6 | (p[i] & 0x3Fu);
    }
    *r = v;
    return len;
}

static size_t utf8_put(uint8_t *o, uint32_t r)
{
    if (r < 0x80) {
        o[0] = (uint8_t)r;
        return 1;
    }
    if (r < 0x800) {
        o[0] = (uint8_t)(0xC0 | r >> 6);
        o[1] = (uint8_t)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        o[0] = (uint8_t)(0xE0 | r >> 12);
        o[1] = (uint8_t)(0x80 | ((r >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (r & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | r >> 18);
    o[1] = (uint8_t)(0x80 | ((r >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((r >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (r & 0x3F));
    return 4;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

typedef struct unq {
    uint8_t *o;
    size_t n, cap;
    bool full;
} unq;

static void unq_put(unq *u, const void *p, size_t n)
{
    if (n > u->cap - u->n) {
        u->full = true;
        return;
    }
    memcpy(u->o + u->n, p, n);
    u->n += n;
}

/* One character of a quoted string (strconv.UnquoteChar); false on a
 * syntax error. */
static bool unquote_char(const char **pp, const char *e, char quote, unq *u)
{
    const char *p = *pp;
    unsigned char c = (unsigned char)*p;
    uint8_t buf[4];
    if (c == (unsigned char)quote) return false;
    if (c >= 0x80) {
        uint32_t r;
        size_t k = utf8_valid((const unsigned char *)p, (size_t)(e - p), &r);
        if (k)
            unq_put(u, p, k);
        else
            unq_put(u, "\xEF\xBF\xBD", 3); /* utf8.RuneError */
        *pp = p + (k ? k : 1);
        return true;
    }
    if (c != '\\') {
        unq_put(u, p, 1);
        *pp = p + 1;
        return true;
    }
    if (e - p < 2) return false;
    char x = p[1];
    p += 2;
    static const char simple[] = "abfnrtv", value[] = "\a\b\f\n\r\t\v";
    const char *hit = x ? strchr(simple, x) : NULL;
    if (hit) {
        unq_put(u, &value[hit - simple], 1);
    } else if (x == 'x' || x == 'u' || x == 'U') {
        int n = x == 'x' ? 2 : x == 'u' ? 4 : 8;
        if (e - p < n) return false;
        uint32_t v = 0;
        for (int j = 0; j < n; j++) {
            int h = hexval(p[j]);
            if (h < 0) return false;
            v = v << 4 | (uint32_t)h;
        }
        p += n;
        if (x == 'x') {
            buf[0] = (uint8_t)v;
            unq_put(u, buf, 1);
        } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
            unq_put(u, buf, utf8_put(buf, v));
        }
    } else if (x >= '0' && x <= '7') {
        if (e - p < 2) return false;
        uint32_t v = (uint32_t)(x - '0');
        for (int j = 0; j < 2; j++) {
            if (p[j] < '0' || p[j] > '7') return false;
            v = v << 3 | (uint32_t)(p[j] - '0');
        }
        p += 2;
        if (v > 255) return false;
        buf[0] = (uint8_t)v;
        unq_put(u, buf, 1);
    } else if (x == '\\' || ((x == '\'' || x == '"') && x == quote)) {
        unq_put(u, &x, 1);
    } else {
        return false;
    }
    *pp = p;
    return true;
}

/* strconv.Unquote of s into u: false on a syntax error (u->full: too long). */
static bool unquote(span s, unq *u)
{
    if (s.e - s.p < 2) return false;
    char q = *s.p;
    const char *p = s.p + 1, *last = s.e - 1;
    if (q == '`') {
        if (*last != '`' || memchr(p, '`', (size_t)(last - p))) return false;
        for (; p < last; p++)
            if (*p != '\r') unq_put(u, p, 1);
        return true;
    }
    if (q != '"' && q != '\'') return false;
    while (p < s.e && *p != q) {
        if (!unquote_char(&p, s.e, q, u)) return false;
        if (q == '\'') break;
    }
    return p == last && *p == q;
}

/*-************************************
 *  Names
 **************************************/
static uint32_t name_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

static void build_names(gt_asm *a)
{
    size_t count;
    const gt_event_spec *t = gt_spec_table(gt_version_format(a->version), &count);
    memset(a->names, 0, sizeof a->names);
    for (size_t type = 0; type < count; type++) {
        if (!gt_spec(a->version, (unsigned)type)) continue;
        uint32_t i = name_hash(t[type].name, strlen(t[type].name)) & (NAME_SLOTS - 1);
        while (a->names[i]) i = (i + 1) & (NAME_SLOTS - 1);
        a->names[i] = (uint16_t)(type + 1);
    }
}

static const gt_event_spec *find_name(const gt_asm *a, span name)
{
    size_t n = (size_t)(name.e - name.p);
    for (uint32_t i = name_hash(name.p, n) & (NAME_SLOTS - 1); a->names[i]; i = (i + 1) & (NAME_SLOTS - 1)) {
        const gt_event_spec *s = gt_spec(a->version, a->names[i] - 1u);
        if (eq(name, s->name)) return s;
    }
    return NULL;
}

/*-************************************
 *  Lines
 **************************************/
/* Go's readArgs: name=value tokens in order, then only white space. */
static gt_status read_args(gt_asm *a, span rest, const char *const *names, unsigned n, uint64_t *out, uint64_t line,
                           uint64_t off, const char *what)
{
    for (unsigned i = 0; i < n; i++) {
        span tok = next_token(&rest);
        if (tok.p == tok.e) return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "%s: no argument %s", what, names[i]);
        const char *eqs = memchr(tok.p, '=', (size_t)(tok.e - tok.p));
        if (!eqs) return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "%s: malformed argument: %.*s", what, TOK(tok));
        span key = {tok.p, eqs}, val = {eqs + 1, tok.e};
        if (!eq(key, names[i]))
            return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "%s: expected argument %s, but got %.*s", what, names[i],
                        TOK(key));
        if (!parse_u64(val, &out[i]))
            return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "%s: failed to parse argument value %.*s for arg %s", what,
                        TOK(val), names[i]);
    }
    if (!only_space(rest))
        return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "%s: unexpected non-space at the end of an event: %.*s", what,
                    TOK(rest));
    return GT_OK;
}

static gt_status header_line(gt_asm *a, span line, uint64_t off)
{
    span rest = line, t = next_token(&rest), v = next_token(&rest);
    uint64_t n = 0;
    if (!eq(t, "Trace")) return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "failed to parse header");
    if (!starts(v, "Go1.")) return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "failed to parse header Go version");
    if (!parse_u64((span){v.p + 4, v.e}, &n) || n > 255 || gt_version_format((unsigned)n) == GT_FORMAT_UNKNOWN)
        return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "unknown or unsupported Go version %.*s", TOK(v));
    if (!only_space(rest))
        return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "unexpected non-space at the end of the header");
    a->version = (unsigned)n;
    a->legacy = gt_version_format(a->version) == GT_FORMAT_LEGACY;
    build_names(a);
    gt_event h;
    memset(&h, 0, sizeof h);
    h.kind = GT_KIND_HEADER;
    h.nargs = 1;
    h.args[0] = n;
    gt_status s = gt_writer_item(a->out, &h);
    if (s != GT_OK) return fail(a, s, a->line_no, off, "%s", gt_writer_error(a->out)->message);
    a->state = AS_BODY;
    return GT_OK;
}

static uint8_t kind_of(const gt_asm *a, unsigned type)
{
    if (a->legacy) return gt_legacy_kind(type);
    switch (type) {
    case GT_V2_EVENT_BATCH:
    case GT_V2_EXPERIMENTAL_BATCH: return GT_KIND_BATCH;
    case GT_V2_STACKS:
    case GT_V2_STRINGS:
    case GT_V2_CPU_SAMPLES:
    case GT_V2_SYNC: return GT_KIND_TABLE_MARKER;
    case GT_V2_STACK: return GT_KIND_STACK;
    case GT_V2_STRING: return GT_KIND_STRING;
    case GT_V2_CPU_SAMPLE: return GT_KIND_CPU_SAMPLE;
    case GT_V2_FREQUENCY: return GT_KIND_FREQUENCY;
    case GT_V2_CLOCK_SNAPSHOT: return GT_KIND_CLOCK_SNAPSHOT;
    case GT_V2_END_OF_GENERATION: return GT_KIND_END_OF_GENERATION;
    default: return GT_KIND_EVENT;
    }
}

static int next_phase(const gt_asm *a)
{
    if (a->done_frames < a->want_frames) return PH_FRAMES;
    return a->has_data ? PH_DATA : PH_NONE;
}

static gt_status event_line(gt_asm *a, span line, uint64_t off)
{
    span rest = line, name = next_token(&rest);
    const gt_event_spec *spec = find_name(a, name);
    if (!spec) return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "unidentified event: %.*s", TOK(name));
    gt_event *ev = &a->ev;
    memset(ev, 0, sizeof *ev);
    unsigned n = gt_spec_args(spec, a->version, a->arg);
    const char *names[GT_MAX_ARGS];
    for (unsigned i = 0; i < n; i++) names[i] = a->arg[i]->name;
    gt_status s = read_args(a, rest, names, n, ev->args, a->line_no, off, spec->name);
    if (s != GT_OK) return s;
    ev->kind = kind_of(a, spec->type);
    /* Inside an EventBatch's payload (as its size says) a batch type is an
     * ordinary event to the reader: ExperimentalBatch then has varint args. */
    if (a->payload_left && ev->kind == GT_KIND_BATCH) ev->kind = GT_KIND_EVENT;
    a->raw_first = n > 0 && a->arg[0]->role == GT_ARG_RAW_BYTE && ev->kind == GT_KIND_BATCH;
    ev->type = spec->type;
    ev->spec = spec;
    ev->nargs = (uint8_t)n;
    ev->offset = off;
    ev->batch = ev->index = ev->generation = GT_NONE;
    if (a->legacy) ev->argbits = (uint8_t)gt_legacy_argbits(spec, a->version);
    if (a->raw_first) ev->experiment = (uint8_t)ev->args[0];
    a->want_frames = a->done_frames = 0;
    if (spec->flags & GT_EV_IS_STACK) {
        if (ev->args[1] > a->lim.max_frames)
            return fail(a, GT_ERR_LIMIT, a->line_no, off, "stack of %" PRIu64 " frames, the limit is %" PRIu32,
                        ev->args[1], a->lim.max_frames);
        a->want_frames = (uint32_t)ev->args[1];
        memset(a->frames, 0, a->want_frames * sizeof *a->frames);
        ev->frames = a->frames;
        ev->nframes = a->want_frames;
    }
    a->has_data = (spec->flags & GT_EV_HAS_DATA) || (a->legacy && (spec->flags & GT_EV_TRAILER));
    if (a->has_data) ev->data = a->data;
    a->has_bits = a->has_blen = a->has_len_w = false;
    a->ev_line = a->note_line = a->line_no;
    a->ev_off = a->note_off = off;
    a->phase = PH_NOTE;
    return GT_OK;
}

static gt_status frame_line(gt_asm *a, span line, uint64_t off)
{
    static const char *const fields[4] = {"pc", "func", "file", "line"};
    gt_frame *f = &a->frames[a->done_frames];
    uint64_t v[4] = {0, 0, 0, 0};
    unsigned ff = a->legacy ? gt_spec_frame_fields(a->version) : 4u;
    gt_status s = read_args(a, line, fields, ff, v, a->line_no, off, "stack frame");
    if (s != GT_OK) return s;
    f->pc = v[0];
    f->func = v[1];
    f->file = v[2];
    f->line = v[3];
    a->done_frames++;
    return GT_OK;
}

/* A data line: "data" before the first '=', after trimming. */
static bool data_line(span line, span *quoted)
{
    const char *eqs = memchr(line.p, '=', (size_t)(line.e - line.p));
    if (!eqs || !eq(trim((span){line.p, eqs}), "data")) return false;
    *quoted = trim((span){eqs + 1, line.e});
    return true;
}

static gt_status read_data(gt_asm *a, span quoted, uint64_t off)
{
    unq u = {a->data, 0, a->data_cap, false};
    bool ok = unquote(quoted, &u);
    if (u.full) return fail(a, GT_ERR_LIMIT, a->line_no, off, "data longer than %zu bytes", a->data_cap);
    if (!ok) return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "failed to parse data: invalid syntax");
    a->ev.data_len = u.n;
    return GT_OK;
}

/*-************************************
 *  Lossless annotations
 **************************************/
static bool is_annotation(span line)
{
    const char *p = skip_space(line.p, line.e);
    span rest = {p + 1, line.e}, t = next_token(&rest);
    return starts(t, "w=") || starts(t, "bits=") || starts(t, "blen=");
}

static gt_status note_width(gt_asm *a, span key, unsigned w)
{
    gt_event *ev = &a->ev;
    uint64_t line = a->note_line, off = a->note_off;
    if (eq(key, "len")) {
        a->has_len_w = true;
        a->len_w = w;
        return GT_OK;
    }
    if (eq(key, "datalen") && a->has_data) {
        ev->data_len_width = (uint8_t)w;
        return GT_OK;
    }
    if (starts(key, "frame") && a->want_frames) {
        const char *dot = memchr(key.p, '.', (size_t)(key.e - key.p));
        uint64_t i;
        static const char *const fields[4] = {"pc", "func", "file", "line"};
        if (dot && parse_u64((span){key.p + 5, dot}, &i) && i < a->want_frames)
            for (unsigned k = 0; k < 4; k++)
                if (eq((span){dot + 1, key.e}, fields[k])) {
                    a->frames[i].width[k] = (uint8_t)w;
                    return GT_OK;
                }
    }
    for (unsigned i = 0; i < ev->nargs; i++) {
        if (!eq(key, a->arg[i]->name)) continue;
        bool raw = i == 0 && a->raw_first;
        if (raw ? w != 1 : w < gt_uvarint_size(ev->args[i]))
            return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "width %u cannot hold %s=%" PRIu64, w, a->arg[i]->name,
                        ev->args[i]);
        if (!raw) ev->width[i] = (uint8_t)w;
        return GT_OK;
    }
    return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "annotation names no field of %s: %.*s", ev->spec->name, TOK(key));
}

static gt_status annotation(gt_asm *a, span line, uint64_t off)
{
    a->note_line = a->line_no;
    a->note_off = off;
    span rest = {skip_space(line.p, line.e) + 1, line.e};
    for (span t = next_token(&rest); t.p < t.e; t = next_token(&rest)) {
        uint64_t v;
        if (starts(t, "bits=") && parse_u64((span){t.p + 5, t.e}, &v) && v <= 3 && a->legacy) {
            a->has_bits = true;
            a->ev.argbits = (uint8_t)v;
        } else if (starts(t, "blen=") && parse_u64((span){t.p + 5, t.e}, &v) && v <= UINT32_MAX && a->legacy) {
            a->has_blen = true;
            a->blen = v;
        } else if (starts(t, "w=")) {
            for (const char *p = t.p + 2; p < t.e;) {
                const char *comma = memchr(p, ',', (size_t)(t.e - p)), *end = comma ? comma : t.e;
                const char *colon = memchr(p, ':', (size_t)(end - p));
                if (!colon || !parse_u64((span){colon + 1, end}, &v) || v < 1 || v > GT_UVARINT_MAX)
                    return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "malformed width: %.*s", TOK(((span){p, end})));
                gt_status s = note_width(a, (span){p, colon}, (unsigned)v);
                if (s != GT_OK) return s;
                p = comma ? comma + 1 : t.e;
            }
        } else {
            return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no, off, "malformed annotation: %.*s", TOK(t));
        }
    }
    return GT_OK;
}

/* The widths recorded for frames and data, now that their values are known;
 * the legacy length prefix. */
static gt_status settle(gt_asm *a)
{
    gt_event *ev = &a->ev;
    uint64_t line = a->note_line, off = a->note_off, body = 0;
    for (unsigned i = 0; i < ev->nargs; i++) body += ev->width[i] ? ev->width[i] : gt_uvarint_size(ev->args[i]);
    unsigned ff = a->legacy ? gt_spec_frame_fields(a->version) : 4u;
    for (uint32_t f = 0; f < a->want_frames; f++) {
        const gt_frame *fr = &a->frames[f];
        const uint64_t v[4] = {fr->pc, fr->func, fr->file, fr->line};
        for (unsigned k = 0; k < ff; k++) {
            if (fr->width[k] && fr->width[k] < gt_uvarint_size(v[k]))
                return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "width %u of frame %" PRIu32 " cannot hold %" PRIu64,
                            fr->width[k], f, v[k]);
            body += fr->width[k] ? fr->width[k] : gt_uvarint_size(v[k]);
        }
        if (ff == 1 && (fr->width[1] || fr->width[2] || fr->width[3]))
            return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "go 1.5 frames have only a pc");
    }
    if (ev->data_len_width && ev->data_len_width < gt_uvarint_size(ev->data_len))
        return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "width %u cannot hold the data length %" PRIu64,
                    ev->data_len_width, ev->data_len);
    bool prefixed = a->legacy && ev->argbits == 3 && ev->type != GT_LEG_STRING;
    if (!prefixed && (a->has_blen || a->has_len_w))
        return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "%s is not length-prefixed", ev->spec->name);
    if (!prefixed) return GT_OK;
    if (a->has_blen && a->blen != body)
        return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "blen=%" PRIu64 " but the arguments take %" PRIu64 " bytes",
                    a->blen, body);
    if (a->has_len_w && a->len_w < gt_uvarint_size(body))
        return fail(a, GT_ERR_TEXT_SYNTAX, line, off, "width %u cannot hold the length %" PRIu64, a->len_w, body);
    ev->block_len = (uint32_t)body;
    ev->block_len_width = (uint8_t)(a->has_len_w ? a->len_w : gt_uvarint_size(body));
    return GT_OK;
}

static gt_status emit(gt_asm *a)
{
    a->phase = PH_NONE;
    gt_status s = settle(a);
    if (s != GT_OK) return s;
    uint64_t before = gt_writer_size(a->out);
    s = gt_writer_item(a->out, &a->ev);
    if (s != GT_OK) return fail(a, s, a->ev_line, a->ev_off, "%s", gt_writer_error(a->out)->message);
    if (a->legacy) return GT_OK;
    uint64_t len = gt_writer_size(a->out) - before;
    if (a->payload_left)
        a->payload_left -= len < a->payload_left ? len : a->payload_left;
    else if (a->ev.type == GT_V2_EVENT_BATCH)
        a->payload_left = a->ev.args[3];
    return GT_OK;
}

/*-************************************
 *  The line machine
 **************************************/
static gt_status body_line(gt_asm *a, span line, uint64_t off)
{
    bool skip = is_blank_or_comment(line);
    gt_status s;
    for (;;) {
        switch (a->phase) {
        case PH_NOTE:
            if (skip && only_space(line)) return GT_OK; /* a blank line keeps the annotation possible */
            a->phase = next_phase(a);
            if (skip) {
                if (is_annotation(line) && (s = annotation(a, line, off)) != GT_OK) return s;
                return a->phase == PH_NONE ? emit(a) : GT_OK;
            }
            if (a->phase == PH_NONE && (s = emit(a)) != GT_OK) return s;
            continue;
        case PH_FRAMES:
            if (skip) return GT_OK;
            if ((s = frame_line(a, line, off)) != GT_OK) return s;
            a->phase = next_phase(a);
            return a->phase == PH_NONE ? emit(a) : GT_OK;
        case PH_DATA: {
            if (skip) return GT_OK;
            span quoted;
            if (data_line(line, &quoted)) {
                if ((s = read_data(a, quoted, off)) != GT_OK) return s;
                return emit(a);
            }
            if ((s = emit(a)) != GT_OK) return s; /* no data line: empty data */
            continue;
        }
        case PH_NONE:
        default:
            if (skip) return GT_OK;
            return event_line(a, line, off);
        }
    }
}

static gt_status one_line(gt_asm *a, const char *p, size_t n, uint64_t off)
{
    a->line_no++;
    if (n && p[n - 1] == '\r') n--;
    span line = {p, p + n};
    if (a->state == AS_HEADER) return is_blank_or_comment(line) ? GT_OK : header_line(a, line, off);
    return body_line(a, line, off);
}

static gt_status keep_part(gt_asm *a, const char *p, size_t n)
{
    if (n > a->max_line - a->part_len)
        return fail(a, GT_ERR_LIMIT, a->line_no + 1, a->part_off, "line longer than %zu bytes", a->max_line);
    if (a->part_len + n > a->part_cap) {
        size_t cap = a->part_cap ? a->part_cap : 256;
        while (cap < a->part_len + n) cap *= 2;
        if (cap > a->max_line) cap = a->max_line;
        char *q = gt_mem_realloc(&a->mem, a->part, a->part_cap, cap);
        if (!q) return fail(a, GT_ERR_NOMEM, a->line_no + 1, a->part_off, "out of memory");
        a->part = q;
        a->part_cap = cap;
    }
    memcpy(a->part + a->part_len, p, n);
    a->part_len += n;
    return GT_OK;
}

gt_status gt_asm_feed(gt_asm *a, const void *text, size_t n)
{
    if (a->state == AS_FAILED) return a->err.status;
    if (a->state == AS_DONE) return GT_ERR_STATE;
    if (n && !text) return GT_ERR_INVALID_ARGUMENT;
    if (!a->frames && setup(a) != GT_OK) return a->err.status;
    const char *p = text, *end = p + n;
    gt_status s = GT_OK;
    while (p < end && s == GT_OK) {
        uint64_t off = a->fed + (uint64_t)(p - (const char *)text);
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            if (!a->part_len) a->part_off = off;
            s = keep_part(a, p, (size_t)(end - p));
            break;
        }
        if (a->part_len) {
            if ((s = keep_part(a, p, (size_t)(nl - p))) == GT_OK) s = one_line(a, a->part, a->part_len, a->part_off);
            a->part_len = 0;
        } else if ((size_t)(nl - p) > a->max_line) {
            s = fail(a, GT_ERR_LIMIT, a->line_no + 1, off, "line longer than %zu bytes", a->max_line);
        } else {
            s = one_line(a, p, (size_t)(nl - p), off);
        }
        p = nl + 1;
    }
    a->fed += n;
    return s;
}

gt_status gt_asm_finish(gt_asm *a)
{
    if (a->state == AS_FAILED) return a->err.status;
    if (a->state == AS_DONE) return GT_ERR_STATE;
    if (!a->frames && setup(a) != GT_OK) return a->err.status;
    gt_status s = GT_OK;
    if (a->part_len) {
        s = one_line(a, a->part, a->part_len, a->part_off);
        a->part_len = 0;
    }
    if (s != GT_OK) return s;
    if (a->state == AS_HEADER) return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no + 1, a->fed, "no \"Trace Go1.N\" header");
    switch (a->phase) {
    case PH_FRAMES:
        return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no + 1, a->fed,
                    "unexpected EOF while reading stack: %" PRIu32 " of %" PRIu32 " frames", a->done_frames,
                    a->want_frames);
    case PH_NOTE:
    case PH_DATA:
        a->phase = next_phase(a);
        if (a->phase == PH_FRAMES)
            return fail(a, GT_ERR_TEXT_SYNTAX, a->line_no + 1, a->fed, "unexpected EOF while reading stack");
        if ((s = emit(a)) != GT_OK) return s;
        break;
    case PH_NONE:
    default: break;
    }
    a->state = AS_DONE;
    return GT_OK;
}
