/* Output sinks shared by every layer that produces bytes (the encoder, the
 * text form, the capture layer). Not installed.
 *
 * Two kinds:
 *   - gt_sink: a bounded text buffer with snprintf-like accounting. `len`
 *     counts every byte of the text, written or not; bytes are written only
 *     while they fit. Once a piece does not fit nothing more is written, so
 *     what was written is always a prefix of the text.
 *   - gt_out: bytes to a caller buffer (running out is GT_ERR_DST_TOO_SMALL)
 *     or staged in front of a gt_write_fn callback (a failing callback is
 *     GT_ERR_IO). The staging buffer is the owner's; gt_out never allocates.
 * Decimal formatting (gt_dec_*) lives here too: text and parsed dumps need it. */
#ifndef GT_SINK_SINK_H
#define GT_SINK_SINK_H

#include "../common/internal.h"

/*-************************************
 *  Decimal numbers
 **************************************/
/* Number of decimal digits of v (1..20). */
static inline unsigned gt_dec_len(uint64_t v)
{
    unsigned n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

/* Write v in unsigned decimal at o, which has room for 20 bytes (no bounds
 * check). @return the position after the last digit. */
char *gt_dec_write(char *o, uint64_t v);

/*-************************************
 *  gt_sink: bounded text
 **************************************/
typedef struct gt_sink {
    char *out;   /* next write position */
    size_t room; /* bytes still writable at out (0 once a piece did not fit) */
    size_t len;  /* length of the whole text so far */
} gt_sink;

static inline void gt_sink_init(gt_sink *s, char *dst, size_t cap)
{
    s->out = dst;
    s->room = dst ? cap : 0;
    s->len = 0;
}

static inline void gt_sink_put(gt_sink *s, const void *p, size_t n)
{
    if (GT_LIKELY(n <= s->room)) {
        memcpy(s->out, p, n);
        s->out += n;
        s->room -= n;
    } else {
        s->room = 0;
    }
    s->len += n;
}

static inline void gt_sink_putc(gt_sink *s, char c)
{
    if (GT_LIKELY(s->room > 0)) {
        *s->out++ = c;
        s->room--;
    }
    s->len++;
}

static inline void gt_sink_puts(gt_sink *s, const char *str) { gt_sink_put(s, str, strlen(str)); }

/* Terminate the text and return its length. The text is complete when the
 * result is <= cap; a NUL follows it when the result is < cap. When the
 * result is > cap, dst holds a NUL-terminated prefix (if cap > 0). */
static inline size_t gt_sink_finish(const gt_sink *s, char *dst, size_t cap)
{
    if (!dst || cap == 0) return s->len;
    if (s->len < cap) {
        dst[s->len] = '\0';
    } else if (s->len > cap) {
        size_t written = (size_t)(s->out - dst);
        dst[written < cap ? written : cap - 1] = '\0';
    }
    return s->len;
}

/* Append v in unsigned decimal. */
static inline void gt_sink_u64(gt_sink *s, uint64_t v)
{
    if (GT_LIKELY(s->room >= 20)) {
        char *e = gt_dec_write(s->out, v);
        size_t n = (size_t)(e - s->out);
        s->out = e;
        s->room -= n;
        s->len += n;
    } else {
        char buf[20];
        gt_sink_put(s, buf, (size_t)(gt_dec_write(buf, v) - buf));
    }
}

/* Append v in signed decimal (Go's %d of an int64). */
static inline void gt_sink_i64(gt_sink *s, int64_t v)
{
    if (v < 0) {
        gt_sink_putc(s, '-');
        gt_sink_u64(s, (uint64_t)0 - (uint64_t)v);
    } else {
        gt_sink_u64(s, (uint64_t)v);
    }
}

/*-************************************
 *  gt_out: bytes to a buffer or a callback
 **************************************/
typedef struct gt_out {
    gt_write_fn fn;    /* NULL: buffer mode */
    void *user;
    uint8_t *buf;      /* buffer mode: the caller's; callback mode: the staging area */
    size_t cap, len;
    uint64_t flushed;  /* bytes the callback took */
} gt_out;

/* Buffer mode: write into dst[0..cap). */
void gt_out_init_buffer(gt_out *o, void *dst, size_t cap);
/* Callback mode: stage in stage[0..cap) (may be set later with gt_out_set_stage). */
void gt_out_init_callback(gt_out *o, gt_write_fn fn, void *user);
void gt_out_set_stage(gt_out *o, void *stage, size_t cap);

/* Hand n bytes at p straight to fn, all of them (fn may take fewer per call).
 * @return GT_OK or GT_ERR_IO; *taken (may be NULL) receives the bytes taken. */
gt_status gt_write_all(gt_write_fn fn, void *user, const uint8_t *p, size_t n, uint64_t *taken);
/* Callback mode: pass the staged bytes on. Buffer mode: nothing to do. */
gt_status gt_out_flush(gt_out *o);
/* Up to `want` contiguous bytes at the output position: all of them in
 * callback mode (the stage must be at least `want` bytes: GT_ERR_INTERNAL
 * otherwise), what is left in buffer mode. *got receives the number; the
 * caller commits what it wrote with o->len += n. */
uint8_t *gt_out_room(gt_out *o, size_t want, size_t *got, gt_status *s);
/* Append n bytes. @return GT_OK, GT_ERR_DST_TOO_SMALL (buffer mode; nothing
 * written), GT_ERR_IO. */
gt_status gt_out_write(gt_out *o, const void *p, size_t n);
/* Bytes produced so far (taken by the callback plus staged). */
static inline uint64_t gt_out_size(const gt_out *o) { return o->flushed + o->len; }

#endif
