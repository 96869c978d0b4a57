/* The raw text form of events, as Go 1.23's internal/trace/raw TextWriter
 * prints them, plus an optional lossless annotation.
 *
 * Text form
 * =========
 *   header  = "Trace Go1." N "\n"
 *   event   = name *(" " arg "=" U) [annotation] *frame [data] "\n"
 *   frame   = "\n\tpc=" U [" func=" U " file=" U " line=" U]
 *   data    = "\n\tdata=" QUOTED
 * U is an unsigned decimal, QUOTED is Go's strconv.Quote of the bytes (see
 * quote.c). The arguments are those the event has on the wire in the version
 * (gt_spec_args), named as in the tables: v2 uses Go's names, legacy (Go
 * 1.5-1.21) uses the legacy parser's names plus dt, dseq and stkid for the
 * unnamed pieces. Frames follow events whose spec has GT_EV_IS_STACK, one line
 * per frame: four fields, or only pc in Go 1.5 traces. The data line:
 *   - v2: only when the data is non-empty. Go's raw reader returns a nil slice
 *     for a zero-length payload and its String() prints no data line for nil.
 *   - legacy: always for events with a string (String, and UserLog's trailing
 *     message), even when empty (data=""), so the legacy dump is lossless.
 * GT_KIND_HEADER and GT_KIND_GENERATION_END items are not wire events: they
 * have no text (length 0).
 *
 * Lossless annotation (GT_TEXT_LOSSLESS)
 * ======================================
 * The text above loses how numbers were encoded. With GT_TEXT_LOSSLESS the
 * writer adds, right after the event's first line, one comment line listing
 * what differs from the default encoding. Nothing is added when everything is
 * default.
 *   annotation = "\n\t# " token *(" " token)
 *   token      = "w=" width *("," width)   ; non-minimal varint widths
 *              / "bits=" U                 ; legacy: argument-count bits
 *              / "blen=" U                 ; legacy: declared event length
 *   width      = key ":" W                 ; W = encoded width in bytes, 1..10
 *   key        = argname                   ; an argument of the first line
 *              / "len"                     ; legacy: the length prefix L
 *              / "frame" I "." field       ; I = 0-based frame index,
 *                                          ; field = pc / func / file / line
 *              / "datalen"                 ; the length of the data / string
 * Tokens appear in the order w, bits, blen, each at most once; width entries
 * appear in wire order (len, arguments, frames, datalen). No argument of any
 * table is named len or datalen. Defaults, i.e. what is not listed:
 *   - a varint's width is its minimal size (gt_uvarint_size); a recorded width
 *     of 0 also means minimal. The exp argument of an ExperimentalBatch header
 *     is one raw byte and never listed (read inside a payload with
 *     validation off it is a varint like any other).
 *   - bits: what the Go runtime writes, gt_legacy_argbits():
 *       3 for events always written length-prefixed (Stack, CPUSample);
 *       otherwise min(n - k, 3), where n is the number of wire arguments of
 *       the event in the version (gt_spec_args, dseq and dt included) and
 *       k = 1 (Go 1.7+: the runtime counts the arguments after the timestamp
 *       delta, the stack ID included) or k = 2 (Go 1.5: after the sequence and
 *       timestamp deltas). Non-timed events follow the same rule (Batch 1,
 *       Frequency 0, TimerGoroutine 0, String 0).
 *   - blen (only for length-prefixed events, ev->block_len_width != 0): the
 *     number of bytes of the encoded arguments, plus those of the frames for
 *     Stack (UserLog's trailing message is not counted, as in the runtime).
 *   - len (same condition): the minimal size of the declared length.
 * Example (C string notation; a batch header whose size was reserved as a
 * 10-byte varint, as the runtime does):
 *     "EventBatch gen=1 m=3 time=10 size=6\n\t# w=size:10\n"
 * The annotation is a line of its own because Go's TextReader skips comment
 * lines anywhere but rejects anything after the arguments of an event line
 * ("unexpected non-space at the end of an event"); so annotated text is still
 * accepted by Go. NOTE_LEAD is the only place that decides the position.
 */
#include "../events/events.h"
#include "text.h"

#define NOTE_LEAD "\n\t# "

/* Fast paths: when the room left is at least the worst case of a piece, the
 * piece is written without per-token bounds checks. Names
 * longer than NAME_FAST (none in the tables) make the first line take the
 * checked path. */
#define NAME_FAST       64
#define LINE_FAST_ROOM  (NAME_FAST + GT_MAX_ARGS * (1 + NAME_FAST + 1 + 20))
#define FRAME_FAST_ROOM (4 * (6 + 20))

static const char *const frame_field[4] = {"pc", "func", "file", "line"};
static const char *const frame_lead[4] = {"\n\tpc=", " func=", " file=", " line="};

static inline unsigned varint_size(uint64_t v)
{
    unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
    return (bits + 6) / 7;
}

/* A recorded width that the annotation must list (0 = unknown = minimal). */
static inline bool odd_width(uint8_t w, uint64_t v) { return w != 0 && w != varint_size(v); }

size_t gt_text_header(char *dst, size_t cap, unsigned version)
{
    gt_sink s;
    gt_sink_init(&s, dst, cap);
    gt_sink_put(&s, "Trace Go1.", 10);
    gt_sink_u64(&s, version);
    gt_sink_putc(&s, '\n');
    return gt_sink_finish(&s, dst, cap);
}

/*-************************************
 *  Lossless annotation
 **************************************/
typedef struct note {
    gt_sink *s;
    bool open; /* the comment has started */
    bool in_w; /* the w= token has started */
} note;

static void note_token(note *n, const char *key_eq)
{
    if (!n->open)
        gt_sink_puts(n->s, NOTE_LEAD);
    else
        gt_sink_putc(n->s, ' ');
    n->open = true;
    gt_sink_puts(n->s, key_eq);
}

/* Start a width entry; the caller appends the key, then note_width_end(). */
static void note_width_begin(note *n)
{
    if (n->in_w)
        gt_sink_putc(n->s, ',');
    else
        note_token(n, "w=");
    n->in_w = true;
}

static void note_width_end(note *n, unsigned w)
{
    gt_sink_putc(n->s, ':');
    gt_sink_u64(n->s, w);
}

static void note_width(note *n, const char *key, unsigned w)
{
    note_width_begin(n);
    gt_sink_puts(n->s, key);
    note_width_end(n, w);
}

static void annotate(gt_sink *s, unsigned version, const gt_event *ev, const gt_arg_spec *const *a, unsigned na,
                     unsigned nfields)
{
    const gt_event_spec *spec = ev->spec;
    const bool legacy = version < 22;
    const bool prefixed = legacy && ev->block_len_width != 0;
    const bool stack = (spec->flags & GT_EV_IS_STACK) && ev->frames != NULL;
    note n = {s, false, false};
    uint64_t body = 0; /* encoded bytes of the arguments (and frames) */

    if (prefixed && odd_width(ev->block_len_width, ev->block_len)) note_width(&n, "len", ev->block_len_width);
    for (unsigned i = 0; i < na; i++) {
        uint8_t w = ev->width[i];
        body += w ? w : varint_size(ev->args[i]);
        /* exp is one raw byte only in a batch header; read inside a payload it is a varint */
        bool raw = a[i]->role == GT_ARG_RAW_BYTE && ev->kind == GT_KIND_BATCH;
        if (raw || !odd_width(w, ev->args[i])) continue;
        note_width(&n, a[i]->name, w);
    }
    if (stack) {
        for (uint32_t f = 0; f < ev->nframes; f++) {
            const gt_frame *fr = &ev->frames[f];
            const uint64_t v[4] = {fr->pc, fr->func, fr->file, fr->line};
            for (unsigned k = 0; k < nfields; k++) {
                body += fr->width[k] ? fr->width[k] : varint_size(v[k]);
                if (!odd_width(fr->width[k], v[k])) continue;
                note_width_begin(&n);
                gt_sink_put(s, "frame", 5);
                gt_sink_u64(s, f);
                gt_sink_putc(s, '.');
                gt_sink_puts(s, frame_field[k]);
                note_width_end(&n, fr->width[k]);
            }
        }
    }
    if (odd_width(ev->data_len_width, ev->data_len)) note_width(&n, "datalen", ev->data_len_width);
    if (legacy && ev->argbits != gt_legacy_argbits(spec, version)) {
        note_token(&n, "bits=");
        gt_sink_u64(s, ev->argbits);
    }
    if (prefixed && ev->block_len != body) {
        note_token(&n, "blen=");
        gt_sink_u64(s, ev->block_len);
    }
}

/*-************************************
 *  Events
 **************************************/
/* Copy the NUL-terminated name to *po unless it is NAME_FAST bytes or longer.
 * Short copies use overlapping fixed-size moves that stay inside the name. */
static inline bool copy_name(char **po, const char *name)
{
    size_t n = strlen(name);
    char *o = *po;
    if (n >= 8) {
        if (n > 16) {
            if (n >= NAME_FAST) return false;
            memcpy(o, name, n);
        } else {
            memcpy(o, name, 8);
            memcpy(o + n - 8, name + n - 8, 8);
        }
    } else if (n >= 4) {
        memcpy(o, name, 4);
        memcpy(o + n - 4, name + n - 4, 4);
    } else {
        for (size_t k = 0; k < n; k++) o[k] = name[k];
    }
    *po = o + n;
    return true;
}

/* The first line ("Name a=1 b=2") without bounds checks; the caller ensures
 * LINE_FAST_ROOM bytes of room. @return false (nothing committed) if a name
 * is too long for the fast path. */
static bool first_line_fast(gt_sink *s, const char *name, const gt_arg_spec *const *a, unsigned na,
                            const uint64_t *args)
{
    char *o = s->out;
    if (!copy_name(&o, name)) return false;
    for (unsigned i = 0; i < na; i++) {
        *o++ = ' ';
        if (!copy_name(&o, a[i]->name)) return false;
        *o++ = '=';
        o = gt_dec_write(o, args[i]);
    }
    size_t n = (size_t)(o - s->out);
    s->out = o;
    s->room -= n;
    s->len += n;
    return true;
}

static void first_line_checked(gt_sink *s, const char *name, const gt_arg_spec *const *a, unsigned na,
                               const uint64_t *args)
{
    gt_sink_puts(s, name);
    for (unsigned i = 0; i < na; i++) {
        gt_sink_putc(s, ' ');
        gt_sink_puts(s, a[i]->name);
        gt_sink_putc(s, '=');
        gt_sink_u64(s, args[i]);
    }
}

static void frame_line(gt_sink *s, const gt_frame *fr, unsigned nfields)
{
    const uint64_t v[4] = {fr->pc, fr->func, fr->file, fr->line};
    if (GT_LIKELY(s->room >= FRAME_FAST_ROOM)) {
        char *o = s->out;
        memcpy(o, "\n\tpc=", 5);
        o = gt_dec_write(o + 5, v[0]);
        if (nfields == 4) {
            memcpy(o, " func=", 6);
            o = gt_dec_write(o + 6, v[1]);
            memcpy(o, " file=", 6);
            o = gt_dec_write(o + 6, v[2]);
            memcpy(o, " line=", 6);
            o = gt_dec_write(o + 6, v[3]);
        }
        size_t n = (size_t)(o - s->out);
        s->out = o;
        s->room -= n;
        s->len += n;
        return;
    }
    for (unsigned k = 0; k < nfields; k++) {
        gt_sink_puts(s, frame_lead[k]);
        gt_sink_u64(s, v[k]);
    }
}

size_t gt_text_event(char *dst, size_t cap, unsigned version, const gt_event *ev, unsigned flags)
{
    gt_sink s;
    gt_sink_init(&s, dst, cap);
    if (!ev || !ev->spec || ev->kind == GT_KIND_HEADER || ev->kind == GT_KIND_GENERATION_END)
        return gt_sink_finish(&s, dst, cap);

    const gt_event_spec *spec = ev->spec;
    const bool legacy = version < 22;
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned na = gt_spec_args(spec, version, a);
    unsigned nfields = legacy ? gt_spec_frame_fields(version) : 4u;

    if (!(s.room >= LINE_FAST_ROOM && first_line_fast(&s, spec->name, a, na, ev->args)))
        first_line_checked(&s, spec->name, a, na, ev->args);
    if (flags & GT_TEXT_LOSSLESS) annotate(&s, version, ev, a, na, nfields);

    if ((spec->flags & GT_EV_IS_STACK) && ev->frames)
        for (uint32_t f = 0; f < ev->nframes; f++) frame_line(&s, &ev->frames[f], nfields);

    bool has_data = ev->data != NULL && ev->data_len > 0;
    if (legacy && (spec->flags & (GT_EV_HAS_DATA | GT_EV_TRAILER))) has_data = true;
    if (has_data) {
        gt_sink_put(&s, "\n\tdata=", 7);
        size_t n = ev->data ? (size_t)ev->data_len : 0;
        gt_sink_quote(&s, ev->data, n);
    }
    gt_sink_putc(&s, '\n');
    return gt_sink_finish(&s, dst, cap);
}
