/* Decimal formatting and the gt_out byte sink (see sink.h). */
#include "sink.h"

/*-************************************
 *  Decimal
 **************************************/
static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

char *gt_dec_write(char *o, uint64_t v)
{
    if (v < 10) {
        *o = (char)('0' + v);
        return o + 1;
    }
    char *e = o + gt_dec_len(v);
    char *p = e;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    }
    if (v >= 10) {
        unsigned d = (unsigned)v * 2;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    } else {
        *--p = (char)('0' + v);
    }
    return e;
}

/*-************************************
 *  gt_out
 **************************************/
void gt_out_init_buffer(gt_out *o, void *dst, size_t cap)
{
    memset(o, 0, sizeof *o);
    o->buf = dst;
    o->cap = dst ? cap : 0;
}

void gt_out_init_callback(gt_out *o, gt_write_fn fn, void *user)
{
    memset(o, 0, sizeof *o);
    o->fn = fn;
    o->user = user;
}

void gt_out_set_stage(gt_out *o, void *stage, size_t cap)
{
    o->buf = stage;
    o->cap = stage ? cap : 0;
    o->len = 0;
}

gt_status gt_write_all(gt_write_fn fn, void *user, const uint8_t *p, size_t n, uint64_t *taken)
{
    while (n) {
        long r = fn(user, p, n);
        if (r <= 0 || (unsigned long)r > n) return GT_ERR_IO;
        p += r;
        n -= (size_t)r;
        if (taken) *taken += (uint64_t)r;
    }
    return GT_OK;
}

gt_status gt_out_flush(gt_out *o)
{
    if (!o->fn || !o->len) return GT_OK;
    size_t n = o->len;
    o->len = 0;
    return gt_write_all(o->fn, o->user, o->buf, n, &o->flushed);
}

uint8_t *gt_out_room(gt_out *o, size_t want, size_t *got, gt_status *s)
{
    *s = GT_OK;
    if (o->fn && o->cap - o->len < want) {
        if ((*s = gt_out_flush(o)) != GT_OK) return NULL;
        if (want > o->cap) {
            *s = GT_ERR_INTERNAL;
            return NULL;
        }
    }
    size_t left = o->cap - o->len;
    *got = want < left ? want : left;
    return o->buf + o->len;
}

gt_status gt_out_write(gt_out *o, const void *p, size_t n)
{
    if (n <= o->cap - o->len) {
        if (n) memcpy(o->buf + o->len, p, n);
        o->len += n;
        return GT_OK;
    }
    if (!o->fn) return GT_ERR_DST_TOO_SMALL;
    gt_status s = gt_out_flush(o);
    if (s == GT_OK && n >= o->cap) return gt_write_all(o->fn, o->user, p, n, &o->flushed);
    if (s == GT_OK) {
        memcpy(o->buf, p, n);
        o->len = n;
    }
    return s;
}
