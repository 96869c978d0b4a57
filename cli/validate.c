/* gotrace validate: one line per file, exit 0 if all are valid.
 *
 * By default the verdict is Go's: v2 files are ordered and checked as Go
 * 1.27's trace reader does (gt_parser, which also rejects the few inputs
 * Go's tools crash on), legacy files as Go's legacy readers do
 * (gt_legacy_validate). --structural runs the wire-level check of gt_reader:
 * framing, tables and references, but no scheduler rules. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct verdict {
    gt_status status;
    unsigned version;
    bool semantic;
    uint64_t generations, batches, events;
    gt_salvage salvage;
    gt_error err;
    int64_t m;        /* semantic: thread of the event at fault, GT_NO_ID if none */
    char *message;    /* semantic: Go's complete message */
    char *diagnostic; /* semantic: the per-thread lines after "failed to advance" */
} verdict;

static void verdict_free(verdict *v)
{
    free(v->message);
    free(v->diagnostic);
}

static int structural(cli_file *f, verdict *v)
{
    gt_reader *r = cli_file_reader(f, 1);
    if (!r) return EXIT_USAGE;
    /* Nothing is delivered: the decoder runs its whole loop inside and counts. */
    gt_reader_set_filter(r, 0);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {}
    v->generations = gt_reader_count(r, GT_KIND_GENERATION_END);
    v->batches = gt_reader_count(r, GT_KIND_BATCH);
    v->events = gt_reader_count(r, GT_KIND_EVENT);
    v->status = s;
    v->version = gt_reader_version(r);
    v->err = *gt_reader_error(r);
    gt_reader_salvage(r, f->size, &v->salvage);
    gt_reader_free(r);
    return s == GT_END ? EXIT_VALID : EXIT_INVALID;
}

static char *copy_text(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static int semantic(cli_file *f, verdict *v)
{
    gt_parser *p = cli_file_parser(f, GT_PARSER_NO_FRAMES | GT_PARSER_REJECT_TOOL_CRASHES);
    if (!p) return EXIT_USAGE;
    v->semantic = true;
    gt_parsed ev;
    gt_status s;
    while ((s = gt_parser_next_sync(p, &ev, NULL)) == GT_OK) {}
    gt_parse_counts c;
    gt_parser_counts(p, &c);
    v->status = s;
    v->version = gt_parser_version(p);
    v->generations = c.generations;
    v->batches = c.batches;
    v->events = c.events;
    v->err = *gt_parser_error(p);
    v->m = gt_parser_error_thread(p);
    if (s != GT_END) {
        size_t len;
        const char *msg = gt_parser_message(p, &len);
        v->message = copy_text(msg, len);
        size_t dlen = gt_parser_diagnostic(p, NULL, 0);
        v->diagnostic = malloc(dlen + 1);
        if (v->diagnostic) gt_parser_diagnostic(p, v->diagnostic, dlen + 1);
        uint64_t total = f->size ? f->size : f->done;
        v->salvage.good_bytes = c.good_bytes;
        v->salvage.lost_bytes = total > c.good_bytes ? total - c.good_bytes : 0;
        v->salvage.generations = c.complete;
        v->salvage.lost_generation = v->err.generation;
    }
    gt_parser_free(p);
    if (s == GT_ERR_IO) return EXIT_USAGE;
    return s == GT_END ? EXIT_VALID : EXIT_INVALID;
}

/* Legacy files: Go's verdict from gt_legacy_validate() (the whole file in
 * memory, as Go's legacy readers need), the counts from a framing pass. */
static int legacy_semantic(cli_file *f, verdict *v)
{
    size_t size;
    const uint8_t *data = cli_file_bytes(f, &size);
    if (!data) return EXIT_USAGE;
    v->semantic = true;
    gt_error err;
    gt_status s = gt_legacy_validate(data, size, NULL, NULL, GT_LEGACY_ORACLE_AUTO, &err);
    gt_reader *r = gt_reader_create(NULL);
    if (r && gt_reader_set_validation(r, 0) == GT_OK && gt_reader_set_buffer(r, data, size) == GT_OK) {
        gt_reader_set_filter(r, 0);
        gt_event ev;
        while (gt_reader_next(r, &ev) == GT_OK) {}
        v->version = gt_reader_version(r);
        v->batches = gt_reader_count(r, GT_KIND_BATCH);
        v->events = gt_reader_count(r, GT_KIND_EVENT);
    }
    gt_reader_free(r);
    if (s == GT_OK) {
        v->status = GT_END;
        return EXIT_VALID;
    }
    v->status = s;
    v->err = err;
    v->message = copy_text(err.message, strlen(err.message));
    v->salvage.good_bytes = 0;
    v->salvage.lost_bytes = size;
    v->salvage.lost_generation = GT_NONE;
    return s == GT_ERR_NOMEM ? EXIT_USAGE : EXIT_INVALID;
}

static int run_one(const char *path, bool force_structural, verdict *v)
{
    cli_file f;
    memset(v, 0, sizeof *v);
    v->m = GT_NO_ID;
    if (!cli_file_open(&f, path)) return EXIT_USAGE;
    unsigned version = cli_file_version(&f);
    int rc;
    if (!force_structural && gt_version_format(version) == GT_FORMAT_V2)
        rc = semantic(&f, v);
    else if (!force_structural && gt_version_format(version) == GT_FORMAT_LEGACY)
        rc = legacy_semantic(&f, v); /* LEGACY SEMANTICS: the one call site for legacy files */
    else
        rc = structural(&f, v);
    bool io = f.io_error;
    cli_file_close(&f);
    if (io || rc == EXIT_USAGE) {
        fprintf(stderr, "gotrace: %s: read error\n", path);
        return EXIT_USAGE;
    }
    return rc;
}

/* The first line of Go's message (the frontier dump follows on the next lines). */
static void print_first_line(const char *s)
{
    size_t n = strcspn(s, "\n");
    fwrite(s, 1, n, stdout);
}

static void print_human(const char *path, const verdict *v)
{
    if (v->status == GT_END) {
        printf("%s: ok (go 1.%u, ", path, v->version);
        if (gt_version_format(v->version) == GT_FORMAT_V2) printf("%" PRIu64 " generations, ", v->generations);
        printf("%" PRIu64 " batches, %" PRIu64 " events)\n", v->batches, v->events);
        return;
    }
    if (v->semantic) {
        /* "GT_ERR_SEMANTIC at offset N (generation G, batch B, event E, M m): <Go's message>" */
        const gt_error *e = &v->err;
        printf("%s: invalid: %s at offset %" PRIu64, path, gt_status_name(e->status), e->offset);
        const char *sep = " (";
        if (e->generation != GT_NONE) printf("%sgeneration %" PRIu64, sep, e->generation), sep = ", ";
        if (e->batch != GT_NONE) printf("%sbatch %" PRIu64, sep, e->batch), sep = ", ";
        if (e->event != GT_NONE) printf("%sevent %" PRIu64, sep, e->event), sep = ", ";
        if (v->m != GT_NO_ID) printf("%sM %" PRId64, sep, v->m), sep = ", ";
        printf("%s: ", sep[0] == ',' ? ")" : "");
        print_first_line(v->message ? v->message : e->message);
    } else {
        char msg[320];
        cli_format_error(msg, sizeof msg, &v->err);
        printf("%s: invalid: %s", path, msg);
    }
    if (v->salvage.lost_bytes && gt_version_format(v->version) == GT_FORMAT_V2)
        printf(" [kept %" PRIu64 " bytes, %" PRIu64 " complete generations; lost %" PRIu64 " bytes]",
               v->salvage.good_bytes, v->salvage.generations, v->salvage.lost_bytes);
    else if (v->salvage.lost_bytes)
        printf(" [kept %" PRIu64 " bytes; lost %" PRIu64 " bytes]", v->salvage.good_bytes, v->salvage.lost_bytes);
    printf("\n");
    if (v->semantic && v->diagnostic && v->err.status == GT_ERR_SEMANTIC && strchr(v->diagnostic, '\n')) {
        /* "failed to advance": what each thread was waiting for */
        for (const char *l = v->diagnostic; *l;) {
            size_t n = strcspn(l, "\n");
            printf("  %.*s\n", (int)n, l);
            l += n + (l[n] == '\n');
        }
    }
}

static void print_json(const char *path, const verdict *v)
{
    printf("{\"file\":");
    json_string(stdout, path);
    printf(",\"valid\":%s,\"kind\":\"%s\",\"version\":%u,\"generations\":%" PRIu64 ",\"batches\":%" PRIu64
           ",\"events\":%" PRIu64,
           v->status == GT_END ? "true" : "false", v->semantic ? "semantic" : "structural", v->version, v->generations,
           v->batches, v->events);
    if (v->status != GT_END) {
        printf(",\"error\":{\"status\":\"%s\",\"offset\":%" PRIu64, gt_status_name(v->err.status), v->err.offset);
        if (v->err.generation != GT_NONE) printf(",\"generation\":%" PRIu64, v->err.generation);
        if (v->err.batch != GT_NONE) printf(",\"batch\":%" PRIu64, v->err.batch);
        if (v->err.event != GT_NONE) printf(",\"event\":%" PRIu64, v->err.event);
        if (v->m != GT_NO_ID) printf(",\"thread\":%" PRId64, v->m);
        printf(",\"message\":");
        json_string(stdout, v->message ? v->message : v->err.message);
        if (v->semantic && v->diagnostic && strchr(v->diagnostic, '\n')) {
            printf(",\"diagnostic\":");
            json_string(stdout, v->diagnostic);
        }
        printf("},\"salvage\":{\"good_bytes\":%" PRIu64 ",\"lost_bytes\":%" PRIu64 ",\"generations\":%" PRIu64,
               v->salvage.good_bytes, v->salvage.lost_bytes, v->salvage.generations);
        if (v->salvage.lost_generation != GT_NONE) printf(",\"lost_generation\":%" PRIu64, v->salvage.lost_generation);
        printf("}");
    }
    printf("}\n");
}

int cmd_validate(int argc, char **argv)
{
    bool json = false, force_structural = false;
    int first = 1, rc = EXIT_VALID;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (!strcmp(argv[first], "--json")) json = true;
        else if (!strcmp(argv[first], "--structural")) force_structural = true;
        else {
            fprintf(stderr, "gotrace validate: unknown option %s\n", argv[first]);
            return EXIT_USAGE;
        }
    }
    if (first == argc) {
        fprintf(stderr, "usage: gotrace validate [--json] [--structural] FILE...\n");
        return EXIT_USAGE;
    }
    for (int i = first; i < argc; i++) {
        verdict v;
        int one = run_one(argv[i], force_structural, &v);
        if (one == EXIT_USAGE) {
            verdict_free(&v);
            rc = EXIT_USAGE;
            continue;
        }
        if (json) print_json(argv[i], &v);
        else print_human(argv[i], &v);
        verdict_free(&v);
        fflush(stdout);
        if (one == EXIT_INVALID && rc == EXIT_VALID) rc = EXIT_INVALID;
    }
    return rc;
}
