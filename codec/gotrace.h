/*
 * gotrace - read, write and validate Go runtime execution traces.
 *
 * Introduction
 * ============
 * gotrace is a pure codec: no threads, no global mutable state, no I/O except
 * through callbacks the caller provides. Every limit is set by the caller and
 * enforced before allocation. Every error is a gt_status plus a gt_error
 * record naming the byte offset, batch and event where it happened.
 *
 * The API has four tiers:
 *   1. Primitives:  gt_uvarint_*(), gt_header_*()  (stateless, caller buffers)
 *   2. Tables:      gt_spec()                      (the event tables, as data)
 *   3. Reading:     gt_reader_*()                  (streaming, pull style)
 *   4. Text:        gt_text_*()                    (the raw text form of events)
 *   5. Writing:     gt_encode_event(), gt_batch_*(), gt_writer_*(), gt_asm_*()
 *                   (byte-exact re-encoding, batches, whole traces, text to bytes)
 *
 * Formats and versions
 * --------------------
 * A trace starts with a 16-byte header "go 1.N trace" padded with NULs.
 * Versions are named by N (the Go minor version that introduced the header):
 *   legacy  (GT_FORMAT_LEGACY): 5, 7, 8, 9, 10, 11, 19, 21
 *   v2      (GT_FORMAT_V2):     22, 23, 25, 26
 *
 * Five-line example (validate a trace held in memory):
 *
 *     gt_reader *r = gt_reader_create(NULL);
 *     gt_reader_set_buffer(r, data, size);
 *     gt_event ev;
 *     gt_status s;
 *     while ((s = gt_reader_next(r, &ev)) == GT_OK) { count++; }
 *     if (s != GT_END) fprintf(stderr, "%s\n", gt_reader_error(r)->message);
 *     gt_reader_free(r);
 *
 * Thread safety: functions taking a context may be called from any thread but
 * never concurrently on the same context. Functions without a context are
 * reentrant.
 */
#ifndef GOTRACE_H
#define GOTRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*-************************************
 *  Library version
 **************************************/
#define GT_VERSION_MAJOR 0
#define GT_VERSION_MINOR 1
#define GT_VERSION_PATCH 0
#define GT_VERSION_NUMBER (GT_VERSION_MAJOR * 10000 + GT_VERSION_MINOR * 100 + GT_VERSION_PATCH)
#define GT_EXPAND_STR(x) #x
#define GT_STR(x) GT_EXPAND_STR(x)
#define GT_VERSION_STRING GT_STR(GT_VERSION_MAJOR) "." GT_STR(GT_VERSION_MINOR) "." GT_STR(GT_VERSION_PATCH)

#if defined(__GNUC__) && (__GNUC__ >= 4)
#define GT_API __attribute__((visibility("default")))
#else
#define GT_API
#endif

/*! gt_version_number() :
 *  @return the library version as GT_VERSION_NUMBER of the built library. */
GT_API unsigned gt_version_number(void);
/*! gt_version_string() : @return e.g. "0.1.0". */
GT_API const char *gt_version_string(void);

/*-************************************
 *  Status codes
 **************************************/
/* X(name, value, description). Values are pinned: never renumber, only append. */
#define GT_STATUS_LIST(X)                                                                  \
    X(GT_OK, 0, "ok")                                                                      \
    X(GT_END, 1, "end of trace")                                                           \
    X(GT_NEED_INPUT, 2, "more input is needed")                                            \
    X(GT_ERR_NOT_TRACE, 10, "not a Go execution trace")                                    \
    X(GT_ERR_UNSUPPORTED_VERSION, 11, "unsupported trace version")                         \
    X(GT_ERR_TRUNCATED, 12, "unexpected end of input")                                     \
    X(GT_ERR_VARINT, 13, "malformed varint (longer than 10 bytes or above 64 bits)")       \
    X(GT_ERR_BAD_BATCH, 14, "malformed batch")                                             \
    X(GT_ERR_BATCH_SIZE, 15, "batch larger than the limit")                                \
    X(GT_ERR_UNKNOWN_EVENT, 16, "unknown event type for this version")                     \
    X(GT_ERR_EVENT_LENGTH, 17, "event length disagrees with its arguments")                \
    X(GT_ERR_GENERATION, 18, "generation out of order")                                    \
    X(GT_ERR_DUPLICATE_ID, 19, "ID defined twice")                                         \
    X(GT_ERR_ZERO_ID, 20, "ID 0 defined")                                                  \
    X(GT_ERR_UNDEFINED_STRING, 21, "reference to an undefined string ID")                  \
    X(GT_ERR_UNDEFINED_STACK, 22, "reference to an undefined stack ID")                    \
    X(GT_ERR_STRING_SIZE, 23, "string longer than the limit")                              \
    X(GT_ERR_STACK_SIZE, 24, "stack deeper than the limit")                                \
    X(GT_ERR_MISSING_FREQUENCY, 25, "no frequency event")                                  \
    X(GT_ERR_DUPLICATE_FREQUENCY, 26, "more than one frequency event")                     \
    X(GT_ERR_MISSING_CLOCK, 27, "no clock snapshot event")                                 \
    X(GT_ERR_DUPLICATE_CLOCK, 28, "more than one clock snapshot event")                    \
    X(GT_ERR_BAD_TABLE, 29, "malformed string, stack, CPU sample or sync batch")           \
    X(GT_ERR_TRAILING_DATA, 30, "data after the end of the trace")                         \
    X(GT_ERR_INCOMPLETE_GENERATION, 31, "generation not terminated")                       \
    X(GT_ERR_BAD_FREQUENCY, 32, "frequency is zero")                                       \
    X(GT_ERR_MISSING_FOOTER, 33, "trace footer missing")                                   \
    X(GT_ERR_BAD_EVENT, 34, "event argument out of range")                                 \
    X(GT_ERR_SEMANTIC, 35, "the events break Go's ordering rules")                         \
    X(GT_ERR_LIMIT, 40, "a configured limit was exceeded")                                 \
    X(GT_ERR_NOMEM, 41, "out of memory")                                                   \
    X(GT_ERR_IO, 42, "input/output error")                                                 \
    X(GT_ERR_INVALID_ARGUMENT, 43, "invalid argument")                                     \
    X(GT_ERR_DST_TOO_SMALL, 44, "destination buffer too small")                            \
    X(GT_ERR_STATE, 45, "call not valid in this state")                                    \
    X(GT_ERR_TEXT_SYNTAX, 46, "text syntax error")                                         \
    X(GT_ERR_INTERNAL, 47, "internal error")                                              \
    X(GT_ERR_UNAVAILABLE, 48, "an optional component is not available")

#define GT_STATUS_ENUM_ITEM(name, value, text) name = value,
typedef enum gt_status { GT_STATUS_LIST(GT_STATUS_ENUM_ITEM) GT_STATUS_MAX_ } gt_status;
#undef GT_STATUS_ENUM_ITEM

/*! gt_status_name() : @return the enumerator's name, e.g. "GT_ERR_TRUNCATED";
 *  "GT_UNKNOWN_STATUS" for values not in the list. Never NULL. */
GT_API const char *gt_status_name(gt_status s);
/*! gt_status_text() : @return a short description, e.g. "unexpected end of input". */
GT_API const char *gt_status_text(gt_status s);
/*! gt_is_error() : @return 1 if s is an error (not GT_OK, GT_END or GT_NEED_INPUT). */
GT_API int gt_is_error(gt_status s);

#define GT_NONE UINT64_MAX /* "not applicable" in gt_error and gt_event fields */

/*! gt_error :
 *  Where and why decoding failed. offset is the byte offset of the first byte
 *  that could not be accepted, counted from the start of the trace (header
 *  included). batch/event are 0-based indexes (GT_NONE when not inside one).
 *  generation is the v2 generation number (GT_NONE for legacy or unknown). */
typedef struct gt_error {
    gt_status status;
    uint64_t offset;
    uint64_t batch;
    uint64_t event;
    uint64_t generation;
    char message[160];
} gt_error;

/*-************************************
 *  Memory
 **************************************/
/*! gt_alloc :
 *  Allocator used by every context. ctx is passed back unchanged. realloc
 *  receives the old size. A NULL gt_alloc pointer means the C library. */
typedef struct gt_alloc {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} gt_alloc;

/*! gt_limits :
 *  Bounds on untrusted input, all enforced before allocating. The defaults are
 *  Go's own (MaxBatchSize, MaxStringSize/MaxEventTrailerDataSize,
 *  MaxFramesPerStack). A zero field means "use the default". */
typedef struct gt_limits {
    uint32_t max_batch_size;      /* bytes of batch payload (default 65536) */
    uint32_t max_string_size;     /* bytes per v2 string (default 1024) */
    uint32_t max_frames;          /* frames per stack (default 128) */
    uint64_t max_ids;             /* string + stack IDs tracked per generation (default 1<<22) */
    uint64_t max_memory;          /* bytes the context may allocate in total (default 256 MiB) */
    uint64_t max_generation_bytes; /* gt_parser: batch bytes of one v2 generation (default 1 GiB) */
} gt_limits;

/*! gt_limits_default() : fill *lim with the defaults. */
GT_API void gt_limits_default(gt_limits *lim);

/*-************************************
 *  Varints (unsigned LEB128)
 **************************************/
#define GT_UVARINT_MAX 10 /* bytes in the longest valid encoding */

/*! gt_uvarint_read() :
 *  Decode one varint from p[0..n). Padded (non-minimal) encodings are valid.
 *  @param width  receives the number of bytes read (may be NULL).
 *  @return GT_OK, GT_ERR_TRUNCATED (input ends inside the varint; *width = n)
 *          or GT_ERR_VARINT (11th byte, or bits above 64 in the 10th). */
GT_API gt_status gt_uvarint_read(const uint8_t *p, size_t n, uint64_t *value, size_t *width);
/*! gt_uvarint_size() : @return bytes in the minimal encoding of v (1..10). */
GT_API size_t gt_uvarint_size(uint64_t v);
/*! gt_uvarint_write() : minimal encoding. @return bytes written, 0 if cap is too small. */
GT_API size_t gt_uvarint_write(uint8_t *dst, size_t cap, uint64_t v);
/*! gt_uvarint_write_padded() :
 *  Encode v in exactly `width` bytes (the runtime's reserved batch length is
 *  width 10). @return width, or 0 if v does not fit in width bytes, width is
 *  0 or above 10, or cap < width. */
GT_API size_t gt_uvarint_write_padded(uint8_t *dst, size_t cap, uint64_t v, size_t width);

/*-************************************
 *  Headers and versions
 **************************************/
typedef enum gt_format { GT_FORMAT_UNKNOWN = 0, GT_FORMAT_LEGACY = 1, GT_FORMAT_V2 = 2 } gt_format;

#define GT_HEADER_SIZE 16

/*! gt_header_parse() :
 *  Recognise the 16-byte header at p[0..n).
 *  @param version receives N of "go 1.N trace" (also for GT_ERR_UNSUPPORTED_VERSION
 *                 when N could be read; 0 otherwise).
 *  @return GT_OK; GT_NEED_INPUT if n < 16 and the bytes so far are a valid prefix;
 *          GT_ERR_NOT_TRACE; GT_ERR_UNSUPPORTED_VERSION. */
GT_API gt_status gt_header_parse(const uint8_t *p, size_t n, unsigned *version);
/*! gt_version_format() : @return the format of version N, GT_FORMAT_UNKNOWN if none. */
GT_API gt_format gt_version_format(unsigned version);
/*! gt_header_write() : write the 16-byte header of version N.
 *  @return 16, or 0 if the version is unknown or cap < 16. */
GT_API size_t gt_header_write(uint8_t *dst, size_t cap, unsigned version);
/*! gt_versions() : @return the list of supported versions, *count set. */
GT_API const unsigned *gt_versions(size_t *count);

/*-************************************
 *  Event tables
 **************************************/
typedef enum gt_arg_role {
    GT_ARG_VALUE = 0,      /* plain number */
    GT_ARG_TIME_DELTA = 1, /* timestamp delta from the previous event of the batch */
    GT_ARG_TIME = 2,       /* absolute timestamp in ticks */
    GT_ARG_STRING_ID = 3,  /* string table ID (0 = empty string) */
    GT_ARG_STACK_ID = 4,   /* stack table ID (0 = no stack) */
    GT_ARG_SEQ_DELTA = 5,  /* legacy 1.5 global sequence delta */
    GT_ARG_RAW_BYTE = 6,   /* one raw byte on the wire, not a varint (experiment ID) */
    GT_ARG_SIZE = 7        /* byte length of what follows (batch size) */
} gt_arg_role;

typedef struct gt_arg_spec {
    const char *name;
    uint8_t role;  /* gt_arg_role */
    uint8_t since; /* first version carrying the argument (0 = always) */
    uint8_t until; /* first version no longer carrying it (0 = never dropped) */
} gt_arg_spec;

/* gt_event_spec.flags */
#define GT_EV_TIMED 0x01      /* has a timestamp; v2: may appear in event batches */
#define GT_EV_HAS_DATA 0x02   /* followed by a length-prefixed byte string */
#define GT_EV_IS_STACK 0x04   /* followed by frames (count = argument "nframes"/"siz") */
#define GT_EV_BATCH 0x08      /* starts a batch */
#define GT_EV_STRUCTURAL 0x10 /* table, sync and framing events */
#define GT_EV_PREFIXED 0x20   /* legacy: always written length-prefixed */
#define GT_EV_TRAILER 0x40    /* legacy: inline string after the arguments (UserLog) */

typedef struct gt_event_spec {
    const char *name;          /* exactly Go's name */
    uint8_t type;              /* wire type number */
    uint8_t since;             /* first version that has the event */
    uint8_t flags;             /* GT_EV_* */
    uint8_t experiment;        /* 0, or the experiment ID (1 = AllocFree) */
    uint8_t nargs;             /* entries in args[] (across all versions) */
    const gt_arg_spec *args;
} gt_event_spec;

#define GT_MAX_ARGS 8 /* most arguments any event has in any version */

/*! gt_spec() :
 *  @return the spec of `type` in `version`, NULL if the version does not
 *  define it. Valid for the life of the program. */
GT_API const gt_event_spec *gt_spec(unsigned version, unsigned type);
/*! gt_spec_table() : the whole append-only table of a format; *count = entries. */
GT_API const gt_event_spec *gt_spec_table(gt_format format, size_t *count);
/*! gt_spec_args() :
 *  The arguments the event has on the wire in `version`, in order.
 *  @return their number (<= GT_MAX_ARGS); pointers written to out[0..]. */
GT_API unsigned gt_spec_args(const gt_event_spec *spec, unsigned version,
                             const gt_arg_spec *out[GT_MAX_ARGS]);
/*! gt_spec_frame_fields() : varints per stack frame in `version` (4, or 1 for 1.5). */
GT_API unsigned gt_spec_frame_fields(unsigned version);

/* Well-known v2 event types (Go's numbering). */
enum {
    GT_V2_EVENT_BATCH = 1, GT_V2_STACKS = 2, GT_V2_STACK = 3, GT_V2_STRINGS = 4,
    GT_V2_STRING = 5, GT_V2_CPU_SAMPLES = 6, GT_V2_CPU_SAMPLE = 7, GT_V2_FREQUENCY = 8,
    GT_V2_EXPERIMENTAL_BATCH = 49, GT_V2_SYNC = 50, GT_V2_CLOCK_SNAPSHOT = 51,
    GT_V2_END_OF_GENERATION = 52
};
/* v2 experiment IDs (the ExperimentalBatch's experiment byte), as Go 1.23-1.27
 * define them. GT_V2_EXPERIMENTS is how many there are: a validating reader
 * rejects any other ID. */
enum { GT_V2_EXP_NONE = 0, GT_V2_EXP_ALLOC_FREE = 1, GT_V2_EXPERIMENTS = 2 };
/* Well-known legacy event types. */
enum {
    GT_LEG_BATCH = 1, GT_LEG_FREQUENCY = 2, GT_LEG_STACK = 3, GT_LEG_TIMER_GOROUTINE = 35,
    GT_LEG_STRING = 37, GT_LEG_USER_LOG = 48, GT_LEG_CPU_SAMPLE = 49
};

/*-************************************
 *  Decoded items
 **************************************/
typedef struct gt_frame {
    uint64_t pc, func, file, line; /* func/file are string IDs (1.5: only pc) */
    uint8_t width[4];              /* encoded widths, for byte-exact re-encoding */
} gt_frame;

/* What an item is. Everything on the wire is delivered as an item, in file
 * order; GT_KIND_GENERATION_END is the only synthetic one. */
typedef enum gt_kind {
    GT_KIND_HEADER = 1,         /* args[0] = version */
    GT_KIND_BATCH,              /* batch header (v2 EventBatch/ExperimentalBatch, legacy Batch) */
    GT_KIND_EVENT,              /* timed event (incl. experimental events) */
    GT_KIND_TABLE_MARKER,       /* first byte of a table/sync batch: Stacks, Strings, CPUSamples, Sync */
    GT_KIND_STRING,             /* string table entry: args[0] = id, data */
    GT_KIND_STACK,              /* stack table entry: args[0] = id, frames */
    GT_KIND_CPU_SAMPLE,         /* CPU sample */
    GT_KIND_FREQUENCY,          /* args[0] = ticks per second */
    GT_KIND_CLOCK_SNAPSHOT,     /* 1.25+: dt, mono, sec, nsec */
    GT_KIND_IGNORED_DATA,       /* opaque bytes; no longer produced by the reader (Go 1.27 rejects what
                                   Go 1.22-1.24 skipped after a frequency), still accepted by the encoder */
    GT_KIND_END_OF_GENERATION,  /* 1.26 wire marker */
    GT_KIND_GENERATION_END      /* synthetic: a v2 generation ended and validated */
} gt_kind;

/*! gt_event :
 *  One decoded item. Pointers (data, frames) stay valid until the next call
 *  on the reader. */
typedef struct gt_event {
    uint8_t kind;       /* gt_kind */
    uint8_t type;       /* wire event type (legacy: low 6 bits of the event byte) */
    uint8_t nargs;      /* arguments in args[] */
    uint8_t argbits;    /* legacy: top 2 bits of the event byte as written */
    uint8_t width[GT_MAX_ARGS]; /* encoded width of each argument */
    uint64_t args[GT_MAX_ARGS];
    const uint8_t *data;        /* GT_EV_HAS_DATA / trailer bytes; NULL if none */
    uint64_t data_len;
    uint8_t data_len_width;     /* width of the data length varint */
    uint8_t block_len_width;    /* legacy length-prefixed events: width of L (0 = inline) */
    uint32_t block_len;         /* legacy: declared L */
    const gt_frame *frames;
    uint32_t nframes;
    uint8_t experiment;         /* experimental batch and its events: experiment ID */
    uint64_t time;              /* absolute timestamp in ticks (timed events), else 0 */
    uint64_t offset;            /* byte offset of the item's first byte */
    uint64_t batch;             /* 0-based batch index, GT_NONE outside batches */
    uint64_t index;             /* 0-based index of the event within its batch */
    uint64_t generation;        /* v2 generation (GT_NONE for legacy) */
    uint64_t m;                 /* v2: M of the batch; legacy: P of the batch */
    const gt_event_spec *spec;
} gt_event;

/*-************************************
 *  Reader (streaming decoder)
 **************************************/
typedef struct gt_reader gt_reader;

/*! gt_read_fn : pull callback. Fill buf[0..cap) and return the bytes written,
 *  0 at end of input, or a negative value on error (reported as GT_ERR_IO). */
typedef long (*gt_read_fn)(void *user, uint8_t *buf, size_t cap);

/*! gt_reader_create() : @param alloc may be NULL. @return NULL on allocation failure. */
GT_API gt_reader *gt_reader_create(const gt_alloc *alloc);
/*! gt_reader_free() : accepts NULL. */
GT_API void gt_reader_free(gt_reader *r);
/*! gt_reader_reset() : forget input and state, keep limits; clears a sticky error. */
GT_API void gt_reader_reset(gt_reader *r);
/*! gt_reader_set_limits() : only before the first gt_reader_next(). NULL = defaults. */
GT_API gt_status gt_reader_set_limits(gt_reader *r, const gt_limits *lim);
/*! gt_reader_set_validation() : 0 = framing only (what a raw dump needs);
 *  1 (default) = full structural validation. Only before the first item. */
GT_API gt_status gt_reader_set_validation(gt_reader *r, int on);

/*! gt_reader_set_buffer() :
 *  Decode data[0..size) in place (zero copy). @pre data stays valid and
 *  unchanged while the reader uses it. */
GT_API gt_status gt_reader_set_buffer(gt_reader *r, const void *data, size_t size);
/*! gt_reader_set_callback() : pull input through fn. */
GT_API gt_status gt_reader_set_callback(gt_reader *r, gt_read_fn fn, void *user);
/*! gt_reader_feed() :
 *  Push mode: copy up to size bytes of input; *consumed receives how many were
 *  taken (fewer when the internal window is full: call gt_reader_next() to
 *  drain it). size 0 with final=1 marks the end of input. */
GT_API gt_status gt_reader_feed(gt_reader *r, const void *data, size_t size, int final,
                                size_t *consumed);

/*! gt_reader_next() :
 *  Decode the next item into *ev.
 *  @return GT_OK (an item), GT_END (clean end; repeated calls return GT_END),
 *          GT_NEED_INPUT (push mode only), or an error. Errors are sticky:
 *          every later call returns the same status until gt_reader_reset(). */
GT_API gt_status gt_reader_next(gt_reader *r, gt_event *ev);

/*! gt_reader_set_filter() :
 *  Deliver only items whose kind bit (1u << GT_KIND_x) is set in kind_mask
 *  (default: all). Items filtered out are still decoded, validated and
 *  counted: a validator asking only for GT_KIND_GENERATION_END runs the whole
 *  per-event loop inside the decoder. May be called at any time. */
GT_API void gt_reader_set_filter(gt_reader *r, uint32_t kind_mask);
/*! gt_reader_count() : items of `kind` decoded so far (delivered or filtered out). */
GT_API uint64_t gt_reader_count(const gt_reader *r, gt_kind kind);

/*! gt_reader_error() : the error record (status GT_OK if none). Never NULL. */
GT_API const gt_error *gt_reader_error(const gt_reader *r);
/*! gt_reader_version() : the trace version (0 before the header is read). */
GT_API unsigned gt_reader_version(const gt_reader *r);

/*! gt_salvage : what survives damage. good_bytes is the offset where the last
 *  complete, validated generation ends (legacy: the last complete event);
 *  lost_bytes = bytes seen after it; lost_generation is the generation being
 *  read when the damage was found (GT_NONE if none). */
typedef struct gt_salvage {
    uint64_t good_bytes;
    uint64_t lost_bytes;
    uint64_t lost_generation;
    uint64_t generations;  /* complete generations delivered */
} gt_salvage;
/*! gt_reader_salvage() : valid at any time; most useful after an error.
 *  @param total_size total input size if known (0 = bytes seen so far). */
GT_API void gt_reader_salvage(const gt_reader *r, uint64_t total_size, gt_salvage *out);
/*! gt_reader_memory() : bytes currently allocated by the reader and its peak. */
GT_API void gt_reader_memory(const gt_reader *r, uint64_t *current, uint64_t *peak);

/*-************************************
 *  Parser (ordered events)
 **************************************/
/* gt_parser reads a v2 trace (headers go 1.22, 1.23, 1.25, 1.26) as Go 1.27's
 * internal/trace.Reader does and delivers the events Go's Reader delivers, in
 * the same order, with the same contexts, times and details. For each
 * generation it reads every batch (string, stack and CPU-sample tables, the
 * sync data), then merges the per-thread event streams by timestamp while
 * replaying the scheduler's rules: goroutine, proc and thread states,
 * sequence numbers, GC phases, ranges, tasks and regions. An event that
 * breaks the rules ends parsing with GT_ERR_SEMANTIC and Go's message.
 *
 * What Go adds to the wire events, gt_parser adds too: a Sync event at the
 * start of every generation and at the end; CPU samples merged by time;
 * GoSwitch/GoSwitchDestroy expanded to three events (the switch itself read
 * as an unblock, then a GoBlock or GoDestroy, then a GoStart); a ProcSteal
 * before GoDestroySyscall when the goroutine held a P; times made strictly
 * increasing. Error precedence follows Go: a generation's read and table
 * errors come before any of its events (go 1.26: after a Sync, and the
 * generation is dropped); every event of generation N comes before a read
 * error in N+1; before go 1.26, a read error inside a generation is reported
 * after the batches read so far are ordered. spec/ORDERING.md describes the
 * rules and the few known differences from Go.
 *
 * Memory is one generation plus what spans generations (goroutines, procs,
 * threads, open tasks). With gt_parser_set_buffer() the parser keeps only an
 * index of the generation's event batches (40 bytes per batch) and reads the
 * events from the caller's bytes; with gt_parser_set_callback() it copies the
 * generation's event, string and stack batches into an arena reused by the
 * next generation. limits.max_generation_bytes bounds a generation
 * (GT_ERR_LIMIT at the batch that crosses it), max_memory everything.
 *
 * Legacy traces (go 1.5-1.21) are not ordered here (GT_ERR_UNSUPPORTED_VERSION).
 *
 * Example (print every event as `go tool trace -d=parsed` does):
 *
 *     gt_parser *p = gt_parser_create(NULL);
 *     gt_parser_set_buffer(p, data, size);
 *     gt_parsed ev;
 *     char line[65536];
 *     gt_status s;
 *     while ((s = gt_parser_next(p, &ev)) == GT_OK) {
 *         gt_parser_format(&ev, line, sizeof line);
 *         puts(line);
 *     }
 *     if (s != GT_END) fprintf(stderr, "%s\n", gt_parser_message(p, NULL));
 *     gt_parser_free(p);
 */
typedef struct gt_parser gt_parser;

/* What an event means: Go's trace.EventKind, with Go's values. */
typedef enum gt_parsed_kind {
    GT_PARSED_BAD = 0,
    GT_PARSED_SYNC,             /* start of a generation, and the end of the trace */
    GT_PARSED_METRIC,           /* metric: name and value */
    GT_PARSED_LABEL,            /* label on a goroutine */
    GT_PARSED_STACK_SAMPLE,     /* CPU profile sample (stack) */
    GT_PARSED_RANGE_BEGIN,      /* range: name, scope (GC, sweep, mark assist, stop-the-world) */
    GT_PARSED_RANGE_ACTIVE,
    GT_PARSED_RANGE_END,        /* ... and attributes */
    GT_PARSED_TASK_BEGIN,       /* task: id, parent, type */
    GT_PARSED_TASK_END,
    GT_PARSED_REGION_BEGIN,     /* region: task, type */
    GT_PARSED_REGION_END,
    GT_PARSED_LOG,              /* log: task, category, message */
    GT_PARSED_STATE_TRANSITION, /* goroutine or proc state change */
    GT_PARSED_EXPERIMENTAL      /* experimental event: name, arguments */
} gt_parsed_kind;

/* Resources (Go's ResourceKind). */
typedef enum gt_resource { GT_RESOURCE_NONE = 0, GT_RESOURCE_GOROUTINE, GT_RESOURCE_PROC, GT_RESOURCE_THREAD } gt_resource;
/* Goroutine states (Go's GoState). */
typedef enum gt_go_state {
    GT_GO_UNDETERMINED = 0, GT_GO_NOT_EXIST, GT_GO_RUNNABLE, GT_GO_RUNNING, GT_GO_WAITING, GT_GO_SYSCALL
} gt_go_state;
/* Proc states (Go's ProcState). */
typedef enum gt_proc_state { GT_PROC_UNDETERMINED = 0, GT_PROC_NOT_EXIST, GT_PROC_RUNNING, GT_PROC_IDLE } gt_proc_state;

#define GT_NO_ID (-1)          /* M, P or G: none (Go's NoThread, NoProc, NoGoroutine) */
#define GT_NO_TASK UINT64_MAX  /* task: none (Go's NoTask) */

/* gt_parser_set_flags() flags */
#define GT_PARSER_NO_FRAMES 0x1u /* leave gt_stack.frames NULL (nframes is still set): faster validation */
/* Also reject the three inputs Go's reader accepts but Go's own tools then
 * crash on (`go tool trace`, its views, the test validator): a CPU sample
 * whose stack the generation does not define (GT_ERR_UNDEFINED_STACK at the
 * sample), an ExperimentalBatch of an experiment other than 0 and 1
 * (GT_ERR_BAD_BATCH at its experiment byte), a ProcStatus whose status does
 * not fit in 8 bits (GT_ERR_BAD_EVENT at the event). `gotrace validate` sets
 * it (spec/PERMISSIVE.md, sections 10, 17, 18). */
#define GT_PARSER_REJECT_TOOL_CRASHES 0x2u

/*! gt_strview : bytes owned by the parser (not NUL-terminated). */
typedef struct gt_strview {
    const char *ptr;
    size_t len;
} gt_strview;

/*! gt_stack_frame : one resolved frame, leaf first. */
typedef struct gt_stack_frame {
    uint64_t pc;
    gt_strview func;
    gt_strview file;
    uint64_t line;
} gt_stack_frame;

/*! gt_stack : a stack of the generation's stack table. present is 0 for
 *  Go's NoStack; a present stack may have no frames (ID 0 where Go keeps the
 *  handle, e.g. a goroutine created with no start stack, or a CPU sample). */
typedef struct gt_stack {
    const gt_stack_frame *frames; /* nframes entries; NULL with GT_PARSER_NO_FRAMES */
    uint32_t nframes;
    uint8_t present;
    uint64_t id;                  /* the stack ID in its generation (0 = none) */
} gt_stack;

/*! gt_parsed :
 *  One ordered event. m, p and g are the execution context (GT_NO_ID for
 *  none), the state before the event for transitions. Only the member
 *  named after `kind` is filled. Strings and frames stay valid until the
 *  next call on the parser. */
typedef struct gt_parsed {
    uint8_t kind;        /* gt_parsed_kind */
    uint8_t type;        /* wire event type it stands for (0 for Sync) */
    uint8_t synthetic;   /* 1: added by the ordering (GoSwitch's second and third events, GoDestroySyscall's ProcSteal) */
    int64_t m, p, g;
    int64_t time;        /* nanoseconds, strictly increasing */
    uint64_t offset;     /* byte offset of the wire event (synthetic: of its source; Sync: where its
                            generation's first batch starts, or the end of the input for the last) */
    uint64_t generation; /* generation of the event, GT_NONE for a Sync without one */
    gt_stack stack;      /* the event's own stack */
    struct {
        uint64_t n;         /* 1 for the first Sync */
        uint8_t has_clock;  /* go 1.25+: the generation's clock snapshot */
        int64_t trace;      /* snapshot: trace clock (ns) */
        uint64_t mono;      /* snapshot: monotonic clock (ns) */
        int64_t sec, nsec;  /* snapshot: wall clock as Go's time.Unix(sec, nsec) normalizes it */
    } sync;
    struct {
        gt_strview name;    /* e.g. "/sched/gomaxprocs:threads" */
        uint64_t value;
    } metric;
    struct {
        gt_strview label;
        uint8_t resource;   /* gt_resource (goroutine) */
        int64_t id;
    } label;
    struct {
        gt_strview name;    /* e.g. "GC concurrent mark phase", "stop-the-world (GC sweep termination)" */
        uint8_t scope;      /* gt_resource */
        int64_t scope_id;
        uint32_t nattrs;    /* RangeEnd of a sweep: "bytes swept", "bytes reclaimed" */
        gt_strview attr_names[2];
        uint64_t attr_values[2];
    } range;
    struct {
        uint64_t id, parent; /* parent GT_NO_TASK for none */
        gt_strview type;
    } task;
    struct {
        uint64_t task;
        gt_strview type;
    } region;
    struct {
        uint64_t task;
        gt_strview category, message;
    } log;
    struct {
        uint8_t resource;   /* GT_RESOURCE_GOROUTINE or GT_RESOURCE_PROC */
        int64_t id;
        uint8_t from, to;   /* gt_go_state or gt_proc_state */
        gt_strview reason;  /* GoStop and GoBlock */
        gt_stack stack;     /* the stack of the resource that changes state */
    } transition;
    struct {
        const char *name;   /* e.g. "HeapObjectAlloc" */
        const char *experiment; /* e.g. "AllocFree" */
        uint32_t nargs;
        const char *arg_names[4];
        uint64_t args[4];
        gt_strview arg_strings[4]; /* arguments whose name ends in "string": the string */
    } experimental;
} gt_parsed;

/*! gt_parse_counts : progress of a parser. */
typedef struct gt_parse_counts {
    uint64_t generations; /* generations read and ordered (the current one included) */
    uint64_t complete;    /* generations whose every event was delivered */
    uint64_t good_bytes;  /* where the first incomplete generation starts: every event before was delivered */
    uint64_t eof_offset;  /* 0, or where a table or sync batch ended just before a varint: Go's reader
                             returns io.EOF itself there, which its callers take for the end of the
                             trace, so gt_parser ends there too (GT_END) */
    uint64_t batches;     /* batches read */
    uint64_t events;      /* events delivered (Syncs and synthetic events included) */
    uint64_t memory, peak_memory;
} gt_parse_counts;

/*! gt_parser_create() : @param alloc may be NULL. @return NULL on allocation failure. */
GT_API gt_parser *gt_parser_create(const gt_alloc *alloc);
/*! gt_parser_free() : accepts NULL. */
GT_API void gt_parser_free(gt_parser *p);
/*! gt_parser_set_limits() :
 *  Before the first gt_parser_next(); NULL = defaults. Go's own bounds
 *  (batch 64 KiB, string 1 KiB, 128 frames) always apply with Go's messages;
 *  smaller max_batch_size, max_string_size or max_frames add GT_ERR_LIMIT.
 *  max_ids bounds the string and stack IDs of a generation, max_memory
 *  (default 1.25 GiB here) everything, max_generation_bytes (default 1 GiB)
 *  the batch bytes of one generation. A zero field means the default.
 *  @return GT_OK; GT_ERR_STATE after the first gt_parser_next(). */
GT_API gt_status gt_parser_set_limits(gt_parser *p, const gt_limits *lim);
/*! gt_parser_set_flags() : GT_PARSER_* bits; any time. */
GT_API gt_status gt_parser_set_flags(gt_parser *p, unsigned flags);
/*! gt_parser_set_buffer() :
 *  Read the trace from data[0..size) without copying it.
 *  @pre data stays valid and unchanged while the parser uses it (a caller
 *  may drop pages before the offset of the latest Sync event: nothing
 *  before it is read again).
 *  @return GT_OK; GT_ERR_STATE (input already set); GT_ERR_INVALID_ARGUMENT. */
GT_API gt_status gt_parser_set_buffer(gt_parser *p, const void *data, size_t size);
/*! gt_release_fn : bytes [0, offset) of a gt_parser_set_buffer() input will
 *  not be read again. */
typedef void (*gt_release_fn)(void *user, uint64_t offset);
/*! gt_parser_set_release() :
 *  With gt_parser_set_buffer(): fn is called inside gt_parser_next() when
 *  the parser is done with a generation, before it reads the next one, so a
 *  caller reading a memory-mapped file can drop those pages (madvise) and
 *  hold one generation, not two. NULL removes it. Any time.
 *  @return GT_OK; GT_ERR_INVALID_ARGUMENT (p NULL). */
GT_API gt_status gt_parser_set_release(gt_parser *p, gt_release_fn fn, void *user);
/*! gt_parser_set_callback() : pull the trace through fn (a pipe, a socket).
 *  @return GT_OK; GT_ERR_STATE; GT_ERR_INVALID_ARGUMENT; GT_ERR_NOMEM. */
GT_API gt_status gt_parser_set_callback(gt_parser *p, gt_read_fn fn, void *user);
/*! gt_parser_next() :
 *  The next ordered event into *ev.
 *  @return GT_OK (an event), GT_END (after the final Sync; repeated calls
 *          return GT_END), or an error: GT_ERR_SEMANTIC when the events break
 *          the ordering rules, a wire status (GT_ERR_TRUNCATED,
 *          GT_ERR_GENERATION, GT_ERR_UNDEFINED_STACK, ...) for what Go's
 *          reader rejects before ordering, GT_ERR_LIMIT, GT_ERR_NOMEM,
 *          GT_ERR_IO, GT_ERR_STATE (no input set), GT_ERR_INVALID_ARGUMENT.
 *          Errors are sticky. */
GT_API gt_status gt_parser_next(gt_parser *p, gt_parsed *ev);
/*! gt_parser_next_sync() :
 *  Order and check events up to the next Sync event without delivering
 *  them, then deliver that Sync in *ev: the same work and verdict as calling
 *  gt_parser_next() until a Sync, minus resolving the events in between (for
 *  callers that want the verdict, like `gotrace validate`).
 *  @param skipped receives the number of events passed over (may be NULL).
 *  @return as gt_parser_next(). */
GT_API gt_status gt_parser_next_sync(gt_parser *p, gt_parsed *ev, uint64_t *skipped);
/*! gt_parser_error() :
 *  The error record (status GT_OK if none). message holds Go's text
 *  (truncated to fit; gt_parser_message() has all of it); offset is the
 *  byte offset of the event or batch at fault; batch and event index it;
 *  generation is the generation being read or ordered. Never NULL. */
GT_API const gt_error *gt_parser_error(const gt_parser *p);
/*! gt_parser_message() :
 *  Go's complete error text ("" if none), e.g. the frontier dump of
 *  "broken trace: failed to advance", whose G, P and M lines Go prints in
 *  map order and gt_parser in creation order. @param len receives its
 *  length (the text may contain NUL bytes from the trace; may be NULL). */
GT_API const char *gt_parser_message(const gt_parser *p, size_t *len);
/*! gt_parser_error_thread() : the M (thread) of the event at fault, GT_NO_ID if none. */
GT_API int64_t gt_parser_error_thread(const gt_parser *p);
/*! gt_parser_diagnostic() :
 *  After "failed to advance": one line per thread with a pending event,
 *  "M <m> at offset <n>: <event> <args>: <why it cannot happen now>", e.g.
 *  "G 7 is Runnable, not Waiting" or "seq 3 (gen 2) does not follow 1 (gen 2)".
 *  After another error: the event at fault, one line. "" when there is no error.
 *  @return the text's length; complete when <= cap, NUL-terminated when < cap. */
GT_API size_t gt_parser_diagnostic(const gt_parser *p, char *dst, size_t cap);
/*! gt_parser_format() :
 *  Go's Event.String() of ev, exactly as `go tool trace -d=parsed` prints it
 *  (without the final newline). Sync wall clocks use the process's local
 *  time zone, as Go does. @return as gt_parser_diagnostic(). */
GT_API size_t gt_parser_format(const gt_parsed *ev, char *dst, size_t cap);
/*! gt_parser_version() : the trace version (0 before the header is read). */
GT_API unsigned gt_parser_version(const gt_parser *p);
/*! gt_parser_counts() : generations, batches and events so far; memory. */
GT_API void gt_parser_counts(const gt_parser *p, gt_parse_counts *out);
/*! gt_parsed_kind_name() : Go's name of a kind ("StateTransition"); "Bad" if unknown. */
GT_API const char *gt_parsed_kind_name(unsigned kind);
/*! gt_go_state_name() / gt_proc_state_name() : Go's names ("Runnable", "Idle"); "Bad" if unknown. */
GT_API const char *gt_go_state_name(unsigned state);
GT_API const char *gt_proc_state_name(unsigned state);

/*-************************************
 *  Text (Go's raw text form)
 **************************************/
/* gt_text_event() flags */
#define GT_TEXT_LOSSLESS 0x1 /* record non-minimal widths in a "# w=..." comment line after the event's first line */

/*! gt_text_header() : write "Trace Go1.N\n".
 *  @return the text's length. The text is complete when the result <= cap and
 *  NUL-terminated when < cap; otherwise dst holds a NUL-terminated prefix and
 *  nothing is written past cap. */
GT_API size_t gt_text_header(char *dst, size_t cap, unsigned version);
/*! gt_text_event() :
 *  Format ev as Go's raw text line(s) (name, args, frames, data), newline
 *  terminated, exactly as Go 1.23's raw.TextWriter. @return as gt_text_header. */
GT_API size_t gt_text_event(char *dst, size_t cap, unsigned version, const gt_event *ev, unsigned flags);
/*! gt_text_quote() : Go strconv.Quote of src; @return as gt_text_header. */
GT_API size_t gt_text_quote(char *dst, size_t cap, const uint8_t *src, size_t n);

/*-************************************
 *  Writing
 **************************************/
/* Three layers, each usable on its own:
 *   - raw:    gt_encode_event() writes the bytes of one item exactly as the
 *             reader decoded it (every recorded width honoured). Encoding
 *             every item a reader delivers reproduces its input byte for byte.
 *   - batch:  gt_batch builds one batch in a caller buffer, like the Go
 *             runtime's traceBuf: header, events with timestamp deltas, and
 *             the size field backfilled when the batch is finished.
 *   - writer: gt_writer writes a whole trace to a buffer or a sink: the
 *             header, the caller's finished batches, and per generation the
 *             string and stack tables (deduplicated), the frequency or sync
 *             batch, the end-of-generation marker, or the legacy footer.
 * gt_asm assembles text (the dump form, see "Text") into bytes on a writer.
 * Nothing here allocates per event. */

/*! GT_EVENT_BOUND() : worst-case bytes of an event with `nargs` varint
 *  arguments and no frames or data (the runtime's ensure(1 + (nargs+1)*10)):
 *  the type byte, the arguments and one more varint (a length prefix). */
#define GT_EVENT_BOUND(nargs) (1 + ((size_t)(nargs) + 1) * GT_UVARINT_MAX)

/*! gt_event_bound() :
 *  @return an upper bound of the bytes gt_encode_event() writes for ev in
 *  `version` (SIZE_MAX if the data is too large to address). */
GT_API size_t gt_event_bound(unsigned version, const gt_event *ev);

/*! gt_encode_event() :
 *  Write the wire bytes of one item, the inverse of gt_reader_next(). The
 *  layout comes from the version's table and ev->type; ev->spec is ignored.
 *  Each recorded width (ev->width[], frames[].width[], data_len_width,
 *  block_len_width) is honoured; 0 means minimal. By kind:
 *    GT_KIND_HEADER           the 16-byte header of `version`
 *    GT_KIND_GENERATION_END   nothing (synthetic item)
 *    GT_KIND_IGNORED_DATA     the data bytes as they are
 *  v2: EventBatch writes its header (gen, m, time, size as given: the payload
 *  follows as the items after it). An ExperimentalBatch header (kind
 *  GT_KIND_BATCH) writes the experiment byte (args[0]), gen, m, time, the
 *  size (data_len, width data_len_width) and, when ev->data is not NULL, the
 *  payload (ev->data) itself; the same type read inside a payload (kind
 *  GT_KIND_EVENT, by a reader without validation) has varint arguments.
 *  Legacy: the event byte is type | argbits << 6; argbits 3 (except String)
 *  means length-prefixed: L is block_len written in block_len_width bytes,
 *  or, when block_len_width is 0, the exact length written minimal. UserLog
 *  and String end with data_len and the data.
 *  @param written receives the bytes written (may be NULL).
 *  @return GT_OK; GT_ERR_UNKNOWN_EVENT (type not in the version);
 *          GT_ERR_INVALID_ARGUMENT (nargs, nframes or block_len disagree with
 *          the layout, a width below the value's minimal size or above 10,
 *          argbits > 3, an experiment ID above 255);
 *          GT_ERR_DST_TOO_SMALL (dst may hold a prefix). */
GT_API gt_status gt_encode_event(uint8_t *dst, size_t cap, unsigned version, const gt_event *ev, size_t *written);

/* gt_batch_begin() flags */
#define GT_BATCH_MINIMAL_SIZE 0x1u /* write the v2 size field minimal (the payload moves once at finish) */

/*! gt_batch :
 *  One batch under construction in a caller buffer (v2 EventBatch or
 *  ExperimentalBatch; legacy: a Batch event and the events after it). The
 *  struct is the caller's (no allocation); its fields are private. A batch
 *  that is not finished can be kept and extended later, e.g. one per
 *  experiment and generation as the runtime does. */
typedef struct gt_batch {
    uint8_t *buf;       /* the batch starts here */
    size_t cap;         /* bytes usable at buf */
    size_t len;         /* bytes written so far, header included */
    size_t head;        /* header bytes (v2: including the 10 reserved for the size) */
    size_t limit;       /* most payload bytes allowed */
    uint64_t last_time; /* timestamp of the last event, or of the header */
    unsigned version;
    unsigned flags;
    uint32_t events;    /* items appended */
    int open;
} gt_batch;

/*! gt_batch_begin() :
 *  Start a batch at buf[0..cap) and write its header. v2: EventBatch gen m
 *  time and a reserved size; the payload is limited to 65536 bytes (Go's
 *  MaxBatchSize). Legacy: the event `Batch p=m ticks=time` (go 1.5: `p=m
 *  seq=gen ticks=time`; otherwise gen is unused).
 *  @return GT_OK; GT_ERR_UNSUPPORTED_VERSION; GT_ERR_DST_TOO_SMALL;
 *          GT_ERR_INVALID_ARGUMENT (NULL b or buf). */
GT_API gt_status gt_batch_begin(gt_batch *b, void *buf, size_t cap, unsigned version, uint64_t gen, uint64_t m,
                                uint64_t time, unsigned flags);
/*! gt_batch_begin_experimental() :
 *  As gt_batch_begin() for an ExperimentalBatch (go 1.23+) of experiment
 *  `experiment` (0..255). Its payload is opaque to readers; append timed
 *  experimental events with gt_batch_event() or bytes with gt_batch_raw(). */
GT_API gt_status gt_batch_begin_experimental(gt_batch *b, void *buf, size_t cap, unsigned version,
                                             unsigned experiment, uint64_t gen, uint64_t m, uint64_t time,
                                             unsigned flags);
/*! gt_batch_event() :
 *  Append an event without frames or data. Timed events (GT_EV_TIMED) get
 *  dt = time - the previous event's time (the header's for the first);
 *  `args` are then the event's wire arguments without dt (go 1.5: dseq
 *  first). For other events `time` is unused and `args` are all wire
 *  arguments. Legacy events get the argument bits the runtime writes and are
 *  length-prefixed when it would. The room check reserves GT_EVENT_BOUND()
 *  once; nothing is written when it fails.
 *  @return GT_OK; GT_ERR_UNKNOWN_EVENT; GT_ERR_INVALID_ARGUMENT (nargs is
 *          wrong, the event has frames or data, time < the previous time);
 *          GT_ERR_DST_TOO_SMALL (finish this batch and start another);
 *          GT_ERR_STATE (the batch is finished). */
GT_API gt_status gt_batch_event(gt_batch *b, unsigned type, uint64_t time, const uint64_t *args, unsigned nargs);
/*! gt_batch_event_data() :
 *  As gt_batch_event() for an event carrying bytes: v2 and legacy String
 *  (args = {id}), legacy UserLog (its message). */
GT_API gt_status gt_batch_event_data(gt_batch *b, unsigned type, uint64_t time, const uint64_t *args,
                                     unsigned nargs, const void *data, size_t len);
/*! gt_batch_put() :
 *  Append any item with gt_encode_event() (frames, data and widths as
 *  given). A timed item's args[0] (go 1.5: args[1]) is its dt and advances
 *  the batch's time. @return as gt_batch_event(). */
GT_API gt_status gt_batch_put(gt_batch *b, const gt_event *ev);
/*! gt_batch_raw() : append n opaque payload bytes. @return as gt_batch_event(). */
GT_API gt_status gt_batch_raw(gt_batch *b, const void *p, size_t n);
/*! gt_batch_room() : payload bytes that can still be appended. */
GT_API size_t gt_batch_room(const gt_batch *b);
/*! gt_batch_finish() :
 *  Close the batch: v2 backfills the size as a 10-byte varint, or with
 *  GT_BATCH_MINIMAL_SIZE writes it minimal and moves the payload up.
 *  @param len receives the batch's bytes at b->buf (may be NULL).
 *  @return GT_OK; GT_ERR_STATE if already finished. */
GT_API gt_status gt_batch_finish(gt_batch *b, size_t *len);

/*! gt_write_fn : sink callback. Consume buf[0..n) and return how many bytes
 *  were taken (> 0; the writer calls again for the rest), or a negative
 *  value on error (reported as GT_ERR_IO). */
typedef long (*gt_write_fn)(void *user, const uint8_t *buf, size_t n);

typedef struct gt_writer gt_writer;

/* gt_writer_set_flags() flags */
#define GT_WRITER_MINIMAL_SIZE 0x1u /* the writer's own v2 batches get a minimal size field */

/*! gt_sync : what a generation's frequency (go 1.22-1.24, legacy), sync
 *  (go 1.25+) batch and the writer's own batches say. */
typedef struct gt_sync {
    uint64_t time;       /* timestamp (ticks) of the writer's batches of the generation */
    uint64_t freq;       /* ticks per second (> 0) */
    uint64_t clock_time; /* go 1.25+: timestamp of the ClockSnapshot (>= time) */
    uint64_t mono;       /* go 1.25+: monotonic clock, ns */
    uint64_t sec, nsec;  /* go 1.25+: wall clock */
} gt_sync;

/*! gt_sym_frame : a stack frame with its symbols as bytes (interned by the
 *  writer). go 1.5 stacks keep only the pc. */
typedef struct gt_sym_frame {
    uint64_t pc;
    const char *func;
    size_t func_len;
    const char *file;
    size_t file_len;
    uint64_t line;
} gt_sym_frame;

/*! gt_writer_create() : @param alloc may be NULL. @return NULL on allocation failure. */
GT_API gt_writer *gt_writer_create(const gt_alloc *alloc);
/*! gt_writer_free() : accepts NULL. Does not flush. */
GT_API void gt_writer_free(gt_writer *w);
/*! gt_writer_set_limits() :
 *  Before gt_writer_start(); NULL = defaults. The writer's own batches hold
 *  at most max_batch_size payload bytes (and never more than 65536);
 *  strings above max_string_size, stacks above max_frames, more than
 *  max_ids strings and stacks per generation, and a table entry that cannot
 *  fit such a batch are refused with GT_ERR_LIMIT (nothing is interned);
 *  max_memory bounds the tables (GT_ERR_NOMEM). */
GT_API gt_status gt_writer_set_limits(gt_writer *w, const gt_limits *lim);
/*! gt_writer_set_flags() : GT_WRITER_* bits; before gt_writer_start(). */
GT_API gt_status gt_writer_set_flags(gt_writer *w, unsigned flags);
/*! gt_writer_set_buffer() :
 *  Write into dst[0..cap); running out is GT_ERR_DST_TOO_SMALL. Before
 *  gt_writer_start(). @pre dst stays valid while the writer uses it. */
GT_API gt_status gt_writer_set_buffer(gt_writer *w, void *dst, size_t cap);
/*! gt_writer_set_sink() :
 *  Write through fn, staged in an internal buffer (gt_writer_flush() pushes
 *  it out). Before gt_writer_start(). */
GT_API gt_status gt_writer_set_sink(gt_writer *w, gt_write_fn fn, void *user);
/*! gt_writer_start() : write the header of `version`. Allocates the working
 *  buffers the limits call for (max_frames and max_string_size size them):
 *  GT_ERR_NOMEM, with nothing allocated, when together they exceed
 *  max_memory; the writer may start again with other limits. */
GT_API gt_status gt_writer_start(gt_writer *w, unsigned version);

/*! gt_writer_item() :
 *  Write one item as gt_encode_event() does (the raw path of `gotrace copy`
 *  and gt_asm). A GT_KIND_HEADER item starts the writer with its version
 *  (args[0]). The events a validating reader delivers from inside an
 *  ExperimentalBatch of experiment 0 are skipped: its data already holds
 *  them. @return as gt_encode_event(), plus the output errors. */
GT_API gt_status gt_writer_item(gt_writer *w, const gt_event *ev);
/*! gt_writer_bytes() : append bytes as they are (e.g. a finished batch). */
GT_API gt_status gt_writer_bytes(gt_writer *w, const void *p, size_t n);
/*! gt_writer_batch() : finish b if it is open, then append it. */
GT_API gt_status gt_writer_batch(gt_writer *w, gt_batch *b);

/*! gt_writer_begin_generation() :
 *  Open generation `gen` (v2: 1.22-1.25 need the previous one + 1, 1.26 any
 *  larger number; legacy: one generation for the whole trace, gen unused).
 *  go 1.25+ writes the sync batch (Frequency, ClockSnapshot) now; 1.22-1.24
 *  and legacy write the frequency when the generation ends.
 *  @return GT_OK; GT_ERR_STATE (a generation is open, or the legacy one was
 *          written); GT_ERR_GENERATION; GT_ERR_BAD_FREQUENCY (freq 0);
 *          GT_ERR_INVALID_ARGUMENT (clock_time < time); output errors. */
GT_API gt_status gt_writer_begin_generation(gt_writer *w, uint64_t gen, const gt_sync *sync);
/*! gt_writer_string() :
 *  Intern s[0..n) in the open generation. IDs count from 1 per generation
 *  (legacy: per trace); the empty string is ID 0 and never written. v2 writes
 *  a new string into the generation's string batch at once; legacy keeps it
 *  for the footer. @return GT_OK; GT_ERR_LIMIT; GT_ERR_NOMEM; GT_ERR_STATE;
 *  GT_ERR_INVALID_ARGUMENT (go 1.5 has no strings). */
GT_API gt_status gt_writer_string(gt_writer *w, const void *s, size_t n, uint64_t *id);
/*! gt_writer_stack() :
 *  Intern a stack of n frames, leaf first. The frames' function and file
 *  names are interned first, so every string a stack needs is written before
 *  the stack record. An empty stack is ID 0. v2 writes a new stack into the
 *  generation's stack batch at once; legacy writes it in the footer, right
 *  after the strings it introduces. Names are not truncated: the runtime
 *  keeps the last max_string_size bytes of a long name, a caller may do the
 *  same before calling. A stack seen before in the generation is found from
 *  its frames' contents (never from the caller's pointers) without interning
 *  its names again. @return as gt_writer_string(). */
GT_API gt_status gt_writer_stack(gt_writer *w, const gt_sym_frame *frames, size_t n, uint64_t *id);
/*! gt_writer_end_generation() :
 *  v2: write the frequency batch (1.22-1.24), the stack and string batches
 *  and (1.26) the end-of-generation marker, then forget the tables. Legacy:
 *  write the footer (Frequency and the string and stack tables, laid out as
 *  the runtime of the version did). @return GT_OK; GT_ERR_STATE; output errors. */
GT_API gt_status gt_writer_end_generation(gt_writer *w);
/*! gt_writer_flush() : sink mode: hand every staged byte to the sink. */
GT_API gt_status gt_writer_flush(gt_writer *w);
/*! gt_writer_finish() : end an open generation, then flush. */
GT_API gt_status gt_writer_finish(gt_writer *w);
/*! gt_writer_size() : bytes of trace written so far (staged ones included). */
GT_API uint64_t gt_writer_size(const gt_writer *w);
/*! gt_writer_error() : the last error record (status GT_OK if none). Output
 *  errors (GT_ERR_DST_TOO_SMALL, GT_ERR_IO) are sticky. Never NULL. */
GT_API const gt_error *gt_writer_error(const gt_writer *w);
/*! gt_writer_memory() : bytes currently allocated by the writer and its peak. */
GT_API void gt_writer_memory(const gt_writer *w, uint64_t *current, uint64_t *peak);

/*! gt_asm :
 *  Assembles text into trace bytes on a gt_writer: Go's raw text form
 *  (what `gotrace dump` and Go's gotraceraw print; legacy traces use the
 *  legacy table's names), including the "# w=..." lines of
 *  GT_TEXT_LOSSLESS, which restore widths, argument bits and lengths. As in
 *  Go's text2bytes every value is taken from the text (the EventBatch size
 *  is not recomputed) and written minimal unless annotated. A missing data
 *  line means empty data. Errors are GT_ERR_TEXT_SYNTAX (GT_ERR_LIMIT for a
 *  line, stack or data above the limits) with "line N: ..." in the message
 *  and the line's byte offset in the text as offset; they are sticky. */
typedef struct gt_asm gt_asm;

/*! gt_asm_create() : @param out receives the bytes (not owned). @return NULL on allocation failure. */
GT_API gt_asm *gt_asm_create(const gt_alloc *alloc, gt_writer *out);
/*! gt_asm_free() : accepts NULL. */
GT_API void gt_asm_free(gt_asm *a);
/*! gt_asm_set_limits() : before the first gt_asm_feed(); NULL = defaults.
 *  Lines may be 4 * max_batch_size + 4096 bytes long, data max_batch_size. */
GT_API gt_status gt_asm_set_limits(gt_asm *a, const gt_limits *lim);
/*! gt_asm_feed() : text in any chunks (lines may span chunks). */
GT_API gt_status gt_asm_feed(gt_asm *a, const void *text, size_t n);
/*! gt_asm_finish() : end of text: the last line and event are completed. */
GT_API gt_status gt_asm_finish(gt_asm *a);
/*! gt_asm_error() : the error record (status GT_OK if none). Never NULL. */
GT_API const gt_error *gt_asm_error(const gt_asm *a);

/*-************************************
 *  Legacy semantic validation
 **************************************/
/* gt_reader checks how a legacy trace (go 1.5 - 1.21) is written; Go's own
 * readers go further: they merge the per-P batches into one stream that
 * respects each goroutine's sequence numbers, require that stream to be in
 * time order, move syscall exits to their real time, and then check the
 * state of every goroutine, P, task and region. gt_legacy_validate() gives
 * the verdict one of those readers gives, in its words:
 *
 *   GT_LEGACY_ORACLE_GO127  the v1 parser and converter inside Go 1.27
 *                           (internal/trace.NewReader); it reads only
 *                           go 1.11, 1.19 and 1.21 files.
 *   GT_LEGACY_ORACLE_GO121  Go 1.21's internal/trace parser (parse:
 *                           readTrace, parseEvents, order1005/order1007,
 *                           removeFutile, postProcessTrace), which reads
 *                           every legacy version.
 *   GT_LEGACY_ORACLE_AUTO   Go 1.27 for go 1.11-1.21 files, Go 1.21 for
 *                           go 1.5-1.10 (the newest Go that reads them).
 *
 * Messages (err->message, Go's text verbatim, cut to its 159 bytes):
 *   both:   "no consistent ordering of events possible"; "time stamps out
 *           of order" (merged stream not in time order, a syscall exit
 *           before its block, or a frequency <= 0); "stray syscall exit";
 *           "p N is running before start", "p N is not running before
 *           stop", "p N is running a goroutine G during stop", "previous
 *           GC|STW|sweeping|mark assist is not ended before a new one",
 *           "bogus GC|STW|sweeping end", "g G is not runnable before
 *           EvGoWaiting|EvGoInSyscall|start", "g G already exists", "p N is
 *           already running g G while start g G", "g G is not running while
 *           X", "p N is not running g G while X", "g 0 did X", "g G is not
 *           waiting before unpark|during syscall exit", "task id conflicts
 *           (id:N), ...", "misuse of region in goroutine G: ...", "invalid
 *           user region mode: ...".
 *   go121:  state messages end "(offset O, time T)"; "event sequences are
 *           broken" (Go 1.21 panics with this text); "trace is empty";
 *           "no EvFrequency event"; "unknown STW kind K"; "string at offset
 *           O has invalid id 0|duplicate id N|invalid length 0|too large
 *           length N"; "unsupported trace file version ...".
 *   go127:  state messages end "(time T)"; "encountered impossible
 *           goroutine state transition"; "no EvFrequency event";
 *           "unexpected event type 36"; "EvBatch has wrong number of
 *           arguments: ..."; "processor ID N is larger than maximum of
 *           ..."; "read event N with current P of 0, but P has no batches
 *           yet"; "failed to read event N argument: length-prefixed
 *           argument too big: ..."; "string has invalid id 0|..."; "string
 *           is too large (len=N)"; "unknown or unsupported trace version
 *           go 1.N"; "runtime error: index out of range [N] with length 0"
 *           (the converter panics when string IDs reach 2^64 - 30).
 *   T is Go's time in nanoseconds from the first event; O a byte offset.
 *
 * Where the two oracles differ (crafted files only; runtime output passes
 * both):
 *   - FutileWakeup (36): Go 1.21 removes the futile wakeup sequences it
 *     marks; Go 1.27 keeps them and its converter rejects the event.
 *   - STW kind: Go 1.21 rejects kinds other than 0 and 1 in go 1.10-1.19
 *     files; Go 1.27 accepts any.
 *   - Regions: Go 1.21 matches a region's end to its start by name, Go 1.27
 *     by string ID (two IDs with the same text match only in Go 1.21).
 *   - Goroutine existence: Go 1.21 records every goroutine an event names,
 *     so a later GoCreate of it is "already exists"; Go 1.27 records only
 *     goroutines whose state a rule set.
 *   - P IDs: Go 1.27 rejects a Batch P above 2^31-1 (other than -1) and a
 *     Batch not written with 2 inline arguments; Go 1.21 takes any P.
 *   - Events before the first Batch: Go 1.21 gives them P 0 and time 0;
 *     Go 1.27 rejects them.
 *   - A header-only file: Go 1.21 "trace is empty", Go 1.27 "no EvFrequency
 *     event"; a file with a frequency but no events: Go 1.21 "trace is
 *     empty", Go 1.27 accepts.
 *   - Length prefixes above 2048 bytes: Go 1.27 rejects them.
 *   - A UserLog message cut by the end of the file: Go 1.21 accepts it; one
 *     longer than 10^6 bytes: Go 1.21 reads its bytes as events.
 *   - A ten-byte varint whose last byte is 2 to 0x7f: Go 1.21 reads it.
 *   - GC and STW events belong to goroutine 0 in Go 1.21, to the P's
 *     goroutine in Go 1.27; CPU samples advance the batch's time in Go 1.21.
 *   - Go 1.27 checks strings (and a frequency <= 0) when its merge reaches
 *     their batch, so a merge error can come first.
 *
 * Wire errors are reported as gt_reader reports them (GT_ERR_TRUNCATED,
 * GT_ERR_VARINT, GT_ERR_UNKNOWN_EVENT, GT_ERR_EVENT_LENGTH, ...), except
 * that gotrace's own table rules (undefined string or stack IDs, the frame
 * and string limits of gt_limits) do not apply: Go's bounds do (1000 frames
 * per stack, 10^6-byte strings). The read-time checks of the oracle that
 * gt_reader does not make carry the nearest structural status and Go's
 * text; the ordering and state checks give GT_ERR_SEMANTIC.
 *
 * Where gotrace cannot agree (see spec/LEGACY-SEMANTICS.md): Go breaks ties
 * between events with equal timestamps (go 1.5: sequence numbers, sorted
 * with Go's own unstable algorithm here too) by the map order of its Ps,
 * which is random, gotrace by first appearance in the file. Go 1.21's
 * reading quirks (ten-byte varints with a large last byte, UserLog messages
 * longer than 10^6 bytes, a message cut by the end of the file) are
 * followed.
 *
 * Memory: O(batches + Ps + goroutines + CPU samples + strings + open tasks
 * and regions + re-timed syscall exits), never a copy of the events (go 1.5
 * files excepted: their global sort keeps 80 bytes per event). The input is
 * read in place, several times (with Go 1.21 a file that Go reads
 * differently from gt_reader, as above, is read from one private, corrected
 * copy). */
typedef enum gt_legacy_oracle {
    GT_LEGACY_ORACLE_AUTO = 0,    /* Go 1.27 for go 1.11-1.21, Go 1.21 for go 1.5-1.10 */
    GT_LEGACY_ORACLE_GO121 = 121, /* Go 1.21's internal/trace parser */
    GT_LEGACY_ORACLE_GO127 = 127  /* Go 1.27's v1 parser and converter */
} gt_legacy_oracle;

/*! gt_legacy_validate() :
 *  Would Go's legacy reader accept the trace data[0..size)?
 *  @param alloc  may be NULL (the C library).
 *  @param lim    may be NULL; only max_memory is used (default 256 MiB): it
 *                bounds every allocation, the reader's included.
 *  @param err    may be NULL; receives the first error: status, Go's
 *                message, and the byte offset of the offending event (of
 *                the file's end for whole-file verdicts); batch and event
 *                are filled when the offset lies in a batch.
 *  @pre data stays valid and unchanged during the call.
 *  @return GT_OK if the oracle accepts the trace; GT_ERR_SEMANTIC (ordering
 *          and state rules); a structural status for wire errors and the
 *          oracle's read-time checks; GT_ERR_UNSUPPORTED_VERSION (a version
 *          the oracle does not read, or not a legacy trace);
 *          GT_ERR_LIMIT / GT_ERR_NOMEM; GT_ERR_INVALID_ARGUMENT (data NULL
 *          with size > 0, unknown oracle).
 *  Reentrant: no state is kept between calls. */
GT_API gt_status gt_legacy_validate(const void *data, size_t size, const gt_alloc *alloc, const gt_limits *lim,
                                    gt_legacy_oracle oracle, gt_error *err);

#ifdef __cplusplus
}
#endif
#endif /* GOTRACE_H */
