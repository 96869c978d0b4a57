/* The trace clock. Go on Linux uses nanotime()/64 (15 625 000 ticks per
 * second); reading CLOCK_MONOTONIC costs ~25 ns here, more than the rest of
 * an event, so where the TSC is invariant (constant_tsc and nonstop_tsc) the
 * clock is rdtsc >> CAP_TSC_SHIFT, counted from the start, and its frequency
 * is estimated like Go's cputicks clock: ticks elapsed over nanoseconds
 * elapsed since the start, re-estimated at every generation. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <stdio.h>
#include <time.h>

#include "cap.h"


static uint64_t mono_ns(void) { return cap_mono_ns(); }
static uint64_t raw_tsc(void) { return cap_raw_tsc(); }

/* Invariant TSC, from the kernel's view of the CPU flags. */
static int tsc_invariant(void)
{
#if CAP_HAVE_TSC
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return 0;
    char line[4096];
    int ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) == 0) {
            ok = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
            break;
        }
    }
    fclose(f);
    return ok;
#else
    return 0;
#endif
}

void cap_clock_init(int want_tsc)
{
    G.use_tsc = CAP_HAVE_TSC && want_tsc && (want_tsc == 2 || tsc_invariant());
    G.last_snap_ns = 0;
    if (!G.use_tsc) {
        G.freq = 15625000;
        return;
    }
    /* A first estimate over ~2 ms; refined at every generation. */
    uint64_t m0 = mono_ns(), t0 = raw_tsc();
    G.mono_base = m0;
    G.tsc_base = t0;
    uint64_t m1;
    do {
        m1 = mono_ns();
    } while (m1 - m0 < 2000000);
    uint64_t t1 = raw_tsc();
    G.freq = (uint64_t)((double)((t1 - t0) >> CAP_TSC_SHIFT) * 1e9 / (double)(m1 - m0));
    if (G.freq == 0) G.freq = 1;
}


void cap_clock_sync(gt_sync *s)
{
    struct timespec wall;
    uint64_t mono = mono_ns();
    uint64_t now = cap_now();
    clock_gettime(CLOCK_REALTIME, &wall);
    if (G.use_tsc && mono > G.mono_base) {
        /* Re-estimate, but never so that the snapshot's trace time (in ns)
         * goes backwards: Go's validator checks it increases. */
        uint64_t f = (uint64_t)((double)(now - CAP_TICK_ORIGIN) * 1e9 / (double)(mono - G.mono_base));
        if (f && (double)now * 1e9 / (double)f > (double)G.last_snap_ns) G.freq = f;
    }
    G.last_snap_ns = (uint64_t)((double)now * 1e9 / (double)G.freq);
    uint64_t wall_ns = (uint64_t)wall.tv_sec * 1000000000u + (uint64_t)wall.tv_nsec;
    /* The validator wants mono and wall time strictly increasing per sync. */
    if (mono <= G.last_mono) mono = G.last_mono + 1;
    if (wall_ns <= G.last_wall) wall_ns = G.last_wall + 1;
    G.last_mono = mono;
    G.last_wall = wall_ns;
    s->time = now;
    s->clock_time = now;
    s->freq = G.freq;
    s->mono = mono;
    s->sec = wall_ns / 1000000000u;
    s->nsec = wall_ns % 1000000000u;
}
