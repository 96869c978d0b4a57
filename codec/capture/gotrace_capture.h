/*
 * gotrace_capture - record Go execution traces from C and C++ programs.
 *
 * Introduction
 * ============
 * The capture layer writes the trace Go's runtime tracer would write if every
 * thread of the program were a Go thread: `go tool trace`, Go's trace reader
 * and `gotrace` open it. Each C thread is one M (its kernel thread ID) holding
 * one P and running one goroutine; a thread is born with a creation event the
 * first time it records and destroyed when it exits. Recordable: user tasks,
 * regions and logs, blocking waits (mutex, condition variable, queue) with the
 * thread that wakes them, system calls, allocations (Go's AllocFree
 * experiment), each with the caller's stack.
 *
 * It is built the way Go's runtime tracer is: per-thread buffers indexed by
 * generation parity, a write flag and the generation read under it (no lock,
 * no allocation on the hot path), a background writer that advances the
 * generation every period and writes self-contained generations (statuses,
 * stack, string and sync tables, end-of-generation marker), or keeps the last
 * ones in memory (flight recorder). spec/CAPTURE.md has the design.
 *
 *     gt_cap_config c;
 *     gt_cap_config_init(&c);
 *     c.path = "trace.out";
 *     gt_cap_start(&c);
 *     gt_cap_str *job = gt_cap_string("job"), *step = gt_cap_string("step");
 *     uint64_t task = gt_cap_task_begin(0, job);
 *     gt_cap_region_begin(task, step);
 *     gt_cap_log(task, step, "hello", 5);
 *     gt_cap_region_end(task, step);
 *     gt_cap_task_end(task);
 *     gt_cap_stop();                       // go tool trace trace.out
 *
 * Thread safety: every recording function may be called from any thread at
 * any time, also from a signal handler (a call that interrupts the same
 * thread's recording is dropped and counted); not from a handler:
 * gt_cap_logf() (vsnprintf), gt_cap_string(), gt_cap_type_make() (they
 * allocate), and start/stop/advance/snapshot. One capture runs per process.
 * Bad use never crashes, blocks or corrupts the trace: the call is dropped or
 * clamped and counted in gt_cap_stats.
 */
#ifndef GOTRACE_CAPTURE_H
#define GOTRACE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"

#ifdef __cplusplus
extern "C" {
#endif

/*-************************************
 *  Handles
 **************************************/
/*! gt_cap_str : an interned string (task, region and log names, block
 *  reasons). Made once, valid for the life of the process. */
typedef struct gt_cap_str gt_cap_str;
/*! gt_cap_type : an allocation type of the AllocFree recorder. */
typedef struct gt_cap_type gt_cap_type;
/*! gt_cap_tid : names a thread for gt_cap_wake() (gt_cap_self()). 0 = none. */
typedef uint64_t gt_cap_tid;

/*-************************************
 *  Starting and stopping
 **************************************/
/* gt_cap_config.flags */
#define GT_CAP_ON_DEMAND 0x1u /* no background thread: generations advance in gt_cap_advance() */
#define GT_CAP_FLIGHT    0x2u /* flight recorder: keep the last generations, write them with gt_cap_snapshot() */
#define GT_CAP_ALLOCFREE 0x4u /* record gt_cap_alloc()/gt_cap_free() as Go's AllocFree experiment */
#define GT_CAP_NO_ATEXIT 0x8u /* do not stop (and flush) the capture at exit() */

typedef enum gt_cap_clock {
    GT_CAP_CLOCK_AUTO = 0,  /* the TSC when it is invariant, else CLOCK_MONOTONIC */
    GT_CAP_CLOCK_TSC,       /* rdtsc (x86-64); falls back to CLOCK_MONOTONIC elsewhere */
    GT_CAP_CLOCK_MONOTONIC  /* clock_gettime(CLOCK_MONOTONIC) / 64, as Go on Linux */
} gt_cap_clock;

/* Stack walking. Frame pointers are the default: no dependency, ~2 ns a
 * frame, but a frame compiled without them (-fomit-frame-pointer, most of
 * libc) ends the walk. libunwind's unw_backtrace follows the DWARF call-frame
 * information instead, so it walks through such frames too, at several
 * times the cost; it is loaded by gt_cap_start() with dlopen("libunwind.so.8")
 * and RTLD_LOCAL, so its _Unwind_* functions never replace the program's
 * (C++ exceptions keep libgcc's unwinder). Debian: libunwind8. */
typedef enum gt_cap_unwind {
    GT_CAP_UNWIND_FP = 0,   /* saved frame pointers, bounded by the thread's stack */
    GT_CAP_UNWIND_LIBUNWIND /* unw_backtrace(); gt_cap_start() fails with GT_ERR_UNAVAILABLE without it */
} gt_cap_unwind;

/*! gt_cap_config : fill with gt_cap_config_init(), then set what you need.
 *  Exactly one output: fd, path or write (none with GT_CAP_FLIGHT). */
typedef struct gt_cap_config {
    unsigned version;          /* trace format: 26 (go 1.26, Go 1.26+ tools; default) or 23 (Go 1.23-1.25 tools) */
    unsigned flags;            /* GT_CAP_* */
    int fd;                    /* >= 0: write the trace here (not closed); -1: unused */
    const char *path;          /* or create/truncate this file */
    gt_write_fn write;         /* or hand the bytes to this callback (from the writer thread) */
    void *write_user;
    uint64_t period_ns;        /* generation length (default 1 s; env GOTRACE_ADVANCE_PERIOD overrides,
                                  e.g. "100ms"; 1 = back to back) */
    uint64_t max_memory;       /* bytes of trace buffers and grown stack tables (default 256 MiB);
                                  beyond: events dropped, stacks lost */
    uint64_t flight_max_bytes; /* flight recorder: keep about this many bytes (default 10 MiB) */
    uint64_t flight_min_age_ns;/* ... and generations younger than this (default 10 s) */
    unsigned stack_depth;      /* frames recorded per event (default 32, 0 = no stacks, at most 128) */
    gt_cap_clock clock;
    gt_cap_unwind unwind;      /* how stacks are walked (default: frame pointers) */
} gt_cap_config;

/*! gt_cap_config_init() : defaults (go 1.26, background writer, 1 s, 32 frames). */
GT_API void gt_cap_config_init(gt_cap_config *c);
/*! gt_cap_start() :
 *  Start recording: writes the header, opens the first generation and, unless
 *  GT_CAP_ON_DEMAND, starts the writer thread.
 *  In a forked child, the first start drops what the parent had not written
 *  yet (in the child's memory; the parent writes it) and records the child
 *  alone.
 *  @return GT_OK; GT_ERR_STATE (already running); GT_ERR_INVALID_ARGUMENT
 *          (no or several outputs, unknown version or unwinder); GT_ERR_IO
 *          (path cannot be opened);
 *          GT_ERR_UNAVAILABLE (GT_CAP_UNWIND_LIBUNWIND and no libunwind);
 *          GT_ERR_NOMEM. */
GT_API gt_status gt_cap_start(const gt_cap_config *c);
/*! gt_cap_stop() :
 *  Complete the current generation, write everything out, stop the writer
 *  and close a path output. Later recording calls are dropped (counted).
 *  @return GT_OK; GT_ERR_STATE (not running); GT_ERR_IO (the output failed
 *          at some point: the file ends at the last complete generation). */
GT_API gt_status gt_cap_stop(void);
/*! gt_cap_advance() :
 *  Complete the current generation now and write it out (the writer thread
 *  does this every period; with GT_CAP_ON_DEMAND only this call does).
 *  @return GT_OK; GT_ERR_STATE (not running). */
GT_API gt_status gt_cap_advance(void);
/*! gt_cap_snapshot() :
 *  Flight recorder: complete the current generation, then write the header
 *  and the kept generations to fd (or to write/user when fd < 0), a valid
 *  trace on its own. Recording goes on. @return GT_OK; GT_ERR_STATE (not a
 *  running flight recorder); GT_ERR_IO. */
GT_API gt_status gt_cap_snapshot(int fd, gt_write_fn write, void *user);
/*! gt_cap_running() : 1 while a capture is running. */
GT_API int gt_cap_running(void);

/*-************************************
 *  Strings
 **************************************/
/*! gt_cap_string() : intern a NUL-terminated string (at most 1024 bytes are
 *  kept, as Go). The same text gives the same handle. NULL on allocation failure. */
GT_API gt_cap_str *gt_cap_string(const char *s);
/*! gt_cap_string_n() : as gt_cap_string() for s[0..n). */
GT_API gt_cap_str *gt_cap_string_n(const char *s, size_t n);

/*-************************************
 *  Annotations (Go's runtime/trace)
 **************************************/
/*! gt_cap_task_begin() : begin a task (parent 0 = none). @return its ID (0 if not recorded). */
GT_API uint64_t gt_cap_task_begin(uint64_t parent, const gt_cap_str *name);
/*! gt_cap_task_end() : end a task begun by gt_cap_task_begin(), on any thread. */
GT_API void gt_cap_task_end(uint64_t task);
/*! gt_cap_region_begin() / _end() : a region of this thread (task 0 = background).
 *  Regions nest; an end that does not match the innermost open region is dropped. */
GT_API void gt_cap_region_begin(uint64_t task, const gt_cap_str *name);
GT_API void gt_cap_region_end(uint64_t task, const gt_cap_str *name);
/*! gt_cap_log() : a log message msg[0..len) under a category (key may be NULL);
 *  messages above 1024 bytes are cut. Custom binary data goes the same way. */
GT_API void gt_cap_log(uint64_t task, const gt_cap_str *key, const char *msg, size_t len);
/*! gt_cap_logf() : printf-style message (formatted on the stack, 1024 bytes at most). */
GT_API void gt_cap_logf(uint64_t task, const gt_cap_str *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*-************************************
 *  Blocking and system calls
 **************************************/
/* Block reasons, worded as Go's so that `go tool trace -pprof=sync` and the
 * goroutine views classify them. */
typedef enum gt_cap_wait {
    GT_CAP_WAIT_MUTEX = 0, /* "sync" */
    GT_CAP_WAIT_COND,      /* "sync.(*Cond).Wait" */
    GT_CAP_WAIT_QUEUE,     /* "chan receive" */
    GT_CAP_WAIT_SEND,      /* "chan send" */
    GT_CAP_WAIT_SELECT,    /* "select" */
    GT_CAP_WAIT_SLEEP,     /* "sleep" */
    GT_CAP_WAIT_NETWORK,   /* "network" */
    GT_CAP_WAIT_OTHER      /* "wait" */
} gt_cap_wait;

/*! gt_cap_self() : this thread's handle for gt_cap_wake() (0 when not recording). */
GT_API gt_cap_tid gt_cap_self(void);
/*! gt_cap_block() : this thread is about to wait; gt_cap_unblock() when it runs again. */
GT_API void gt_cap_block(gt_cap_wait why);
/*! gt_cap_block_reason() : gt_cap_block() with a reason of your own. */
GT_API void gt_cap_block_reason(const gt_cap_str *reason);
/*! gt_cap_unblock() : this thread runs again after gt_cap_block(). */
GT_API void gt_cap_unblock(void);
/*! gt_cap_wake() : this thread wakes `target`, blocked in gt_cap_block(): call it
 *  before signalling the condition, so the trace shows who woke whom. Waking a
 *  thread that is not blocked does nothing. */
GT_API void gt_cap_wake(gt_cap_tid target);
/*! gt_cap_syscall_begin() / _end() : around a blocking system call (file I/O ...). */
GT_API void gt_cap_syscall_begin(void);
GT_API void gt_cap_syscall_end(void);
/*! gt_cap_thread_exit() : this thread ends now (otherwise at pthread exit). */
GT_API void gt_cap_thread_exit(void);

/*-************************************
 *  Allocations (GT_CAP_ALLOCFREE)
 **************************************/
/*! gt_cap_type_make() : an allocation type: name (at most 1024 bytes kept),
 *  size and pointer bytes. Interned like strings: the same three give the same
 *  handle, which lives as long as the process. NULL on allocation failure. */
GT_API gt_cap_type *gt_cap_type_make(const char *name, uint64_t size, uint64_t ptr_bytes);
/*! gt_cap_alloc() / gt_cap_free() : an object of `type` (NULL: unknown) was
 *  allocated at p / is about to be freed (Go's HeapObjectAlloc/Free). */
GT_API void gt_cap_alloc(const void *p, const gt_cap_type *type);
GT_API void gt_cap_free(const void *p);
/*! gt_cap_pages_alloc() / _free() : npages pages mapped at p / unmapped (Go's SpanAlloc/Free). */
GT_API void gt_cap_pages_alloc(const void *p, uint64_t npages);
GT_API void gt_cap_pages_free(const void *p);

/*-************************************
 *  Stacks
 **************************************/
/*! gt_cap_stack() :
 *  Fill pcs[0..cap) with the caller's return addresses, innermost first, by
 *  a bounded frame-pointer walk (needs -fno-omit-frame-pointer). No
 *  allocation, async-signal-safe. @return the number of addresses. */
GT_API size_t gt_cap_stack(uintptr_t *pcs, size_t cap);
/*! gt_cap_set_stack_depth() : frames recorded per event from now on (0..128). */
GT_API void gt_cap_set_stack_depth(unsigned depth);

/*-************************************
 *  Statistics
 **************************************/
typedef struct gt_cap_stats {
    uint64_t generations;       /* generations written (or kept by the flight recorder) */
    uint64_t bytes;             /* trace bytes written */
    uint64_t events;            /* events recorded */
    uint64_t threads;           /* threads that recorded */
    uint64_t dropped_off;       /* calls while not recording (before start, after stop;
                                   approximate when threads make them at once) */
    uint64_t dropped_reentrant; /* calls interrupting the same thread's recording (signal handlers) */
    uint64_t dropped_memory;    /* events lost to max_memory */
    uint64_t dropped_misuse;    /* unbalanced region/task ends, unblock without block, ... */
    uint64_t dropped_exited;    /* calls after the thread's exit */
    uint64_t clamped;           /* strings cut to 1024 bytes */
    uint64_t stacks_lost;       /* stacks not recorded (table at its largest, or max_memory) */
    uint64_t memory;            /* bytes of buffers and grown stack tables mapped */
    uint64_t buffer_maps;       /* times the buffer pool grew (mmap) */
    uint64_t output_errors;     /* failed writes to the output */
} gt_cap_stats;

/*! gt_cap_get_stats() : counters since the process started recording. */
GT_API void gt_cap_get_stats(gt_cap_stats *s);

#ifdef __cplusplus
}
#endif
#endif /* GOTRACE_CAPTURE_H */
