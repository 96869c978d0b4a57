/* Byte-exact Go strconv.Quote and strconv.IsPrint.
 *
 * Quote rules (Go's appendQuotedWith with quote '"', not ASCII-only): the
 * input is decoded as UTF-8 one rune at a time, exactly as Go's
 * utf8.DecodeRune does (no overlong forms, no surrogates, nothing above
 * U+10FFFF; an invalid or truncated sequence consumes one byte). Then:
 *   - an invalid byte                  -> \xNN (lowercase hex)
 *   - '"' and '\\'                     -> \" and \\
 *   - a printable rune (IsPrint)       -> itself, as its UTF-8 bytes
 *   - \a \b \f \n \r \t \v             -> those escapes
 *   - other runes below ' ', and 0x7f  -> \xNN
 *   - other runes below U+10000        -> \uNNNN
 *   - the rest                         -> \UNNNNNNNN
 * A valid encoding of U+FFFD is printable and kept; an invalid byte is not
 * U+FFFD and is escaped.
 *
 * Every input byte yields at most 4 output bytes (\xNN per byte; \uNNNN for a
 * 2- or 3-byte rune; \UNNNNNNNN for a 4-byte rune), so the quoted form of n
 * bytes is at most 4n + 2 bytes. When that much room is available the text is
 * written without bounds checks; otherwise its exact length is measured first.
 */
#include "text.h"

#include "isprint_table.h"

/*-************************************
 *  IsPrint
 **************************************/
bool gt_text_isprint(uint32_t r)
{
    if (r < 0x100) return (r >= 0x20 && r <= 0x7E) || (r >= 0xA1 && r != 0xAD);
    if (r < 0x10000) {
        /* Last range whose low end is <= r. */
        size_t lo = 0, hi = GT_ARRAY_LEN(gt_isprint_bmp);
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (gt_isprint_bmp[mid][0] <= r)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo > 0 && r <= gt_isprint_bmp[lo - 1][1];
    }
    if (r > 0x10FFFF) return false;
    size_t lo = 0, hi = GT_ARRAY_LEN(gt_isprint_supp);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gt_isprint_supp[mid][0] <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && r <= gt_isprint_supp[lo - 1][1];
}

/*-************************************
 *  Quote
 **************************************/
/* 1 for the bytes copied as they are: ASCII ' '..'~' except '"' and '\\'. */
static const uint8_t plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* b0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* c0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* d0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* e0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* f0 */
};

/* The letter of a one-letter escape for an ASCII byte, 0 if it has none. */
static const char escape_letter[128] = {
    ['\a'] = 'a', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',  ['\r'] = 'r',
    ['\t'] = 't', ['\v'] = 'v', ['"'] = '"',  ['\\'] = '\\',
};

static const char lowerhex[16] = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

/* Decode one rune at p[0..n) (n >= 1, p[0] >= 0x80) like Go's
 * utf8.DecodeRune. @return its width (2..4), or 0 if p[0] is an invalid byte. */
static inline size_t decode_rune(const uint8_t *p, size_t n, uint32_t *r)
{
    uint32_t c0 = p[0];
    if (c0 < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
    if (c0 < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80) return 0;
        *r = (c0 & 0x1F) << 6 | (uint32_t)(p[1] & 0x3F);
        return 2;
    }
    /* Allowed range of the second byte (rules out overlongs, surrogates and
     * runes above U+10FFFF); later bytes are plain continuation bytes. */
    uint8_t lo = 0x80, hi = 0xBF;
    if (c0 < 0xF0) {
        if (c0 == 0xE0)
            lo = 0xA0;
        else if (c0 == 0xED)
            hi = 0x9F;
        if (n < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
        *r = (c0 & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (uint32_t)(p[2] & 0x3F);
        return 3;
    }
    if (c0 > 0xF4) return 0;
    if (c0 == 0xF0)
        lo = 0x90;
    else if (c0 == 0xF4)
        hi = 0x8F;
    if (n < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
    *r = (c0 & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 | (uint32_t)(p[3] & 0x3F);
    return 4;
}

/* Stores \<kind> and the low `digits` hex digits of v at out+o when write;
 * @return o moved past them. */
static inline __attribute__((always_inline)) size_t put_escape(char *out, size_t o, char kind, uint32_t v,
                                                               unsigned digits, const bool write)
{
    if (write) {
        out[o] = '\\';
        out[o + 1] = kind;
        for (unsigned k = 0; k < digits; k++) out[o + 2 + k] = lowerhex[(v >> (4 * (digits - 1 - k))) & 0xF];
    }
    return o + 2 + digits;
}

/* The quoted form of src[0..n). With write, it is stored at out (which must
 * have room for it); without, only measured. @return its length. */
static inline __attribute__((always_inline)) size_t quote_core(char *out, const uint8_t *src, size_t n,
                                                               const bool write)
{
    size_t o = 0, i = 0;
    if (write) out[o] = '"';
    o++;
    while (i < n) {
        /* Fast path: a run of bytes copied as they are. */
        size_t j = i;
        while (j < n && plain[src[j]]) j++;
        if (write && j > i) memcpy(out + o, src + i, j - i);
        o += j - i;
        if (j >= n) break;
        i = j;
        uint8_t c = src[i];
        uint32_t r = 0;
        size_t w = c < 0x80 ? 1 : decode_rune(src + i, n - i, &r);
        if (c < 0x80 && escape_letter[c]) {
            o = put_escape(out, o, escape_letter[c], 0, 0, write);
        } else if (c < 0x80 || w == 0) { /* other control bytes, 0x7f, invalid bytes */
            o = put_escape(out, o, 'x', c, 2, write);
            w = 1;
        } else if (gt_text_isprint(r)) {
            if (write) memcpy(out + o, src + i, w);
            o += w;
        } else {
            o = r < 0x10000 ? put_escape(out, o, 'u', r, 4, write) : put_escape(out, o, 'U', r, 8, write);
        }
        i += w;
    }
    if (write) out[o] = '"';
    return o + 1;
}

static size_t quote_write(char *out, const uint8_t *src, size_t n) { return quote_core(out, src, n, true); }
static size_t quote_measure(const uint8_t *src, size_t n) { return quote_core(NULL, src, n, false); }

void gt_sink_quote(gt_sink *s, const uint8_t *src, size_t n)
{
    if (!src) n = 0;
    size_t need;
    if (s->room >= 2 && n <= (s->room - 2) / 4) {
        need = quote_write(s->out, src, n); /* worst case fits */
    } else {
        need = quote_measure(src, n);
        if (need > s->room) {
            s->room = 0;
            s->len += need;
            return;
        }
        quote_write(s->out, src, n);
    }
    s->out += need;
    s->room -= need;
    s->len += need;
}

size_t gt_text_quote(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    gt_sink s;
    gt_sink_init(&s, dst, cap);
    gt_sink_quote(&s, src, n);
    return gt_sink_finish(&s, dst, cap);
}
