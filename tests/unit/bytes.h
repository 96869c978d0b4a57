/* Test helper: build trace bytes by hand (a byte buffer with varint and
 * batch-length backfill helpers). Not the encoder: tests use it to make
 * inputs whose every byte is known. */
#ifndef GT_TEST_BYTES_H
#define GT_TEST_BYTES_H

#include <stdint.h>
#include <string.h>

#include "gotrace.h"

typedef struct tb {
    uint8_t b[1 << 16];
    size_t n;
    size_t len_at; /* where the open batch's padded size field starts */
} tb;

static inline void tb_byte(tb *t, uint8_t v) { t->b[t->n++] = v; }
static inline void tb_bytes(tb *t, const void *p, size_t n)
{
    memcpy(t->b + t->n, p, n);
    t->n += n;
}
static inline void tb_uv(tb *t, uint64_t v) { t->n += gt_uvarint_write(t->b + t->n, sizeof t->b - t->n, v); }
static inline void tb_header(tb *t, unsigned version) { t->n += gt_header_write(t->b + t->n, 16, version); }
/* Start a v2 event batch; its size is backfilled by tb_end (10-byte padded). */
static inline void tb_batch(tb *t, uint64_t gen, uint64_t m, uint64_t time)
{
    tb_byte(t, GT_V2_EVENT_BATCH);
    tb_uv(t, gen);
    tb_uv(t, m);
    tb_uv(t, time);
    t->len_at = t->n;
    t->n += 10;
}
static inline void tb_end(tb *t)
{
    size_t payload = t->n - t->len_at - 10;
    gt_uvarint_write_padded(t->b + t->len_at, 10, payload, 10);
}
static inline void tb_string(tb *t, uint64_t id, const char *s)
{
    tb_byte(t, GT_V2_STRING);
    tb_uv(t, id);
    tb_uv(t, strlen(s));
    tb_bytes(t, s, strlen(s));
}
/* One-frame stack. */
static inline void tb_stack1(tb *t, uint64_t id, uint64_t pc, uint64_t func, uint64_t file, uint64_t line)
{
    tb_byte(t, GT_V2_STACK);
    tb_uv(t, id);
    tb_uv(t, 1);
    tb_uv(t, pc);
    tb_uv(t, func);
    tb_uv(t, file);
    tb_uv(t, line);
}
/* Event with up to 5 argument varints (type, then args). */
static inline void tb_ev(tb *t, uint8_t type, int n, const uint64_t *args)
{
    tb_byte(t, type);
    for (int i = 0; i < n; i++) tb_uv(t, args[i]);
}
#define TB_EV(t, type, ...)                                                       \
    do {                                                                          \
        const uint64_t a_[] = {__VA_ARGS__};                                      \
        tb_ev((t), (type), (int)(sizeof a_ / sizeof a_[0]), a_);                  \
    } while (0)

#endif
