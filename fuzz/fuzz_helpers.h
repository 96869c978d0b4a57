/* Shared by every fuzz target: the entry point's prototype and assertions.
 *
 * A target is one file fuzz/<target>.c defining LLVMFuzzerTestOneInput: a
 * pure function of its input (no global state, no leaks, deterministic), so
 * the same object runs under libFuzzer, AFL++ (libAFLDriver) and the plain
 * replay driver (regression_driver.c).
 *
 * FUZZ_ASSERT aborts with the file, line and condition; the sanitizers and
 * fuzzers treat the abort as a finding. It is active in every build (the
 * library's own asserts are not what is being checked here). */
#ifndef GT_FUZZ_HELPERS_H
#define GT_FUZZ_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gotrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT_MSG(cond, msg)                                                                         \
    ((cond) ? (void)0                                                                                      \
            : (fprintf(stderr, "%s:%d: assertion failed: %s (%s)\n", __FILE__, __LINE__, #cond, (msg)), \
               abort()))
#define FUZZ_ASSERT(cond) FUZZ_ASSERT_MSG((cond), "")
/* A gt_status that must not be an error. */
#define FUZZ_OK(s) FUZZ_ASSERT_MSG(!gt_is_error(s), gt_status_name(s))

/* malloc that aborts instead of returning NULL (never for codec allocations:
 * those go through the allocators the targets choose). */
static inline void *fuzz_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    FUZZ_ASSERT_MSG(p != NULL, "out of memory in the harness");
    return p;
}

#endif
