#include "fuzz_data_producer.h"

void fuzz_producer_init(fuzz_producer *p, const uint8_t *data, size_t size)
{
    p->data = data;
    p->size = size;
}

static uint64_t draw(fuzz_producer *p, uint64_t range)
{
    uint64_t v = 0;
    while (range && p->size) {
        v = (v << 8) | p->data[--p->size];
        range >>= 8;
    }
    return v;
}

uint32_t fuzz_producer_range(fuzz_producer *p, uint32_t min, uint32_t max)
{
    if (min >= max) return min;
    uint64_t span = (uint64_t)max - min;
    return (uint32_t)(min + draw(p, span) % (span + 1));
}

uint64_t fuzz_producer_u64(fuzz_producer *p) { return draw(p, UINT64_MAX); }

int fuzz_producer_bool(fuzz_producer *p) { return (int)(draw(p, 1) & 1); }

size_t fuzz_producer_remaining(const fuzz_producer *p) { return p->size; }

void fuzz_rng_init(fuzz_rng *r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ull; }

uint64_t fuzz_rng_next(fuzz_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

uint64_t fuzz_rng_below(fuzz_rng *r, uint64_t n) { return fuzz_rng_next(r) % n; }
