/* Carve parameters off a fuzz input (after zstd's fuzz_data_producer).
 *
 * Parameters are taken from the END of the input, so the bytes at the start
 * stay the payload: a real trace used as a seed keeps its header and most of
 * its body. When the input runs out every draw returns its minimum, so any
 * input is valid. The producer lives on the caller's stack. */
#ifndef GT_FUZZ_DATA_PRODUCER_H
#define GT_FUZZ_DATA_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_producer {
    const uint8_t *data;
    size_t size; /* bytes not yet drawn: data[0..size) */
} fuzz_producer;

void fuzz_producer_init(fuzz_producer *p, const uint8_t *data, size_t size);
/* A value in [min, max], drawn from as few trailing bytes as the range needs. */
uint32_t fuzz_producer_range(fuzz_producer *p, uint32_t min, uint32_t max);
/* 64 bits from up to 8 trailing bytes. */
uint64_t fuzz_producer_u64(fuzz_producer *p);
int fuzz_producer_bool(fuzz_producer *p);
/* Bytes not yet drawn: the payload is data[0..remaining). */
size_t fuzz_producer_remaining(const fuzz_producer *p);

/* A small deterministic PRNG (xorshift64*) for schedules derived from a drawn seed. */
typedef struct fuzz_rng {
    uint64_t s;
} fuzz_rng;
void fuzz_rng_init(fuzz_rng *r, uint64_t seed);
uint64_t fuzz_rng_next(fuzz_rng *r);
/* Uniform in [0, n) (n > 0). */
uint64_t fuzz_rng_below(fuzz_rng *r, uint64_t n);

#endif
