/* Re-reading legacy items straight from the caller's bytes. Pass 1 has run
 * every item through gt_reader, so the framing is known to be sound; this
 * reader still checks every bound, and only returns the values the
 * semantic passes use. */
#include "legacysem.h"

void gt_ls_layout_init(ls_layout *l, unsigned version)
{
    memset(l, 0, sizeof *l);
    l->version = version;
    l->base = version < 7 ? 2u : 1u;
    for (unsigned t = 0; t < 64; t++) {
        const gt_event_spec *s = gt_spec(version, t);
        if (!s) continue;
        const gt_arg_spec *a[GT_MAX_ARGS];
        unsigned n = gt_spec_args(s, version, a);
        l->defined[t] = 1;
        l->nvals[t] = (uint8_t)n;
        l->timed[t] = (s->flags & GT_EV_TIMED) != 0;
        l->has_stack[t] = l->timed[t] && n > 0 && a[n - 1]->role == GT_ARG_STACK_ID;
    }
}

static bool value(const uint8_t *data, size_t size, uint64_t *p, uint64_t *v)
{
    if (GT_LIKELY(*p < size && data[*p] < 0x80)) { /* most values are one byte */
        *v = data[(*p)++];
        return true;
    }
    size_t w = 0;
    if (*p >= size || gt_uvarint_read(data + *p, size - (size_t)*p, v, &w) != GT_OK) return false;
    *p += w;
    return true;
}

static void keep(ls_item *it, uint64_t v)
{
    if (it->nvals < GT_MAX_ARGS) it->vals[it->nvals] = v;
    it->nvals++;
}

bool gt_ls_decode(const ls_layout *l, const uint8_t *data, size_t size, uint64_t *pos, ls_item *it)
{
    uint64_t p = *pos, v, len;
    if (p >= size) return false;
    unsigned t = data[p] & 0x3fu;
    it->off = p;
    it->type = (uint8_t)t;
    it->argbits = (uint8_t)(data[p] >> 6);
    it->nvals = 0;
    it->data_off = it->data_len = it->len_off = 0;
    if (!l->defined[t]) return false;
    p++;
    if (t == LS_STRING) {
        /* id, length, bytes */
        if (!value(data, size, &p, &v) || !value(data, size, &p, &len) || len > size - p) return false;
        keep(it, v);
        it->data_off = p;
        it->data_len = len;
        *pos = p + len;
        return true;
    }
    if (it->argbits < 3) {
        unsigned n = it->argbits + l->base;
        for (unsigned i = 0; i < n; i++) {
            if (!value(data, size, &p, &v)) return false;
            keep(it, v);
        }
    } else {
        if (!value(data, size, &p, &len) || len > size - p) return false;
        uint64_t end = p + len;
        while (p < end) {
            if (!value(data, end, &p, &v)) return false;
            keep(it, v);
        }
    }
    if (t == LS_USER_LOG) {
        /* The message: a length and the bytes, after the arguments. A
         * message cut by the end of the input (accepted by Go 1.21) ends
         * there. */
        it->len_off = p;
        if (!value(data, size, &p, &len)) len = p = size;
        else if (len > size - p) len = size - p;
        it->data_off = p;
        it->data_len = len;
        p += len;
    }
    *pos = p;
    return it->nvals <= GT_MAX_ARGS || t == LS_STACK;
}

/* Go 1.21 reads a varint's tenth byte whole, keeping only its low bit, so a
 * tenth byte from 2 to 0x7f is no error there (gt_reader and Go 1.27 refuse
 * it). Rewrite every such byte of the item at off to the value Go reads
 * (its low bit); returns how many were rewritten. */
static bool lenient(uint8_t *data, size_t size, uint64_t *p, uint64_t *v, size_t *patched)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < GT_UVARINT_MAX; i++) {
        if (*p + i >= size) return false;
        uint8_t b = data[*p + i];
        if (i == GT_UVARINT_MAX - 1 && b >= 0x80) return false; /* an eleventh byte: Go refuses too */
        if (i == GT_UVARINT_MAX - 1 && b > 1) {
            data[*p + i] = b & 1u;
            b &= 1u;
            (*patched)++;
        }
        x |= (uint64_t)(b & 0x7fu) << (7 * i);
        if (b < 0x80) {
            *p += i + 1;
            *v = x;
            return true;
        }
    }
    return false;
}

size_t gt_ls_go121_varints(const ls_layout *l, uint8_t *data, size_t size, uint64_t off)
{
    size_t patched = 0;
    uint64_t p = off, v, len;
    if (p >= size || !l->defined[data[p] & 0x3fu]) return 0;
    unsigned t = data[p] & 0x3fu, argbits = data[p] >> 6;
    p++;
    if (t == LS_STRING) {
        if (lenient(data, size, &p, &v, &patched)) lenient(data, size, &p, &v, &patched);
        return patched;
    }
    if (argbits < 3) {
        for (unsigned i = 0; i < argbits + l->base; i++)
            if (!lenient(data, size, &p, &v, &patched)) return patched;
    } else {
        if (!lenient(data, size, &p, &len, &patched) || len > size - p) return patched;
        uint64_t end = p + len;
        while (p < end)
            if (!lenient(data, size, &p, &v, &patched)) return patched;
    }
    if (t == LS_USER_LOG) lenient(data, size, &p, &v, &patched);
    return patched;
}
