/* gotrace validate: one line per file, exit 0 if all are valid. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

typedef struct verdict {
    gt_status status;
    unsigned version;
    uint64_t generations, batches, events;
    gt_salvage salvage;
    gt_error err;
} verdict;

static int run_one(const char *path, verdict *v)
{
    cli_file f;
    memset(v, 0, sizeof *v);
    gt_reader *r = cli_open(&f, path, 1);
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
    gt_reader_salvage(r, f.size, &v->salvage);
    bool io = f.io_error;
    cli_close(&f, r);
    if (io) {
        fprintf(stderr, "gotrace: %s: read error\n", path);
        return EXIT_USAGE;
    }
    return s == GT_END ? EXIT_VALID : EXIT_INVALID;
}

static void print_human(const char *path, const verdict *v)
{
    if (v->status == GT_END) {
        printf("%s: ok (go 1.%u, ", path, v->version);
        if (gt_version_format(v->version) == GT_FORMAT_V2) printf("%" PRIu64 " generations, ", v->generations);
        printf("%" PRIu64 " batches, %" PRIu64 " events)\n", v->batches, v->events);
        return;
    }
    char msg[320];
    cli_format_error(msg, sizeof msg, &v->err);
    printf("%s: invalid: %s", path, msg);
    if (v->salvage.lost_bytes && gt_version_format(v->version) == GT_FORMAT_V2)
        printf(" [kept %" PRIu64 " bytes, %" PRIu64 " complete generations; lost %" PRIu64 " bytes]",
               v->salvage.good_bytes, v->salvage.generations, v->salvage.lost_bytes);
    else if (v->salvage.lost_bytes)
        printf(" [kept %" PRIu64 " bytes; lost %" PRIu64 " bytes]", v->salvage.good_bytes, v->salvage.lost_bytes);
    printf("\n");
}

static void print_json(const char *path, const verdict *v)
{
    printf("{\"file\":");
    json_string(stdout, path);
    printf(",\"valid\":%s,\"version\":%u,\"generations\":%" PRIu64 ",\"batches\":%" PRIu64 ",\"events\":%" PRIu64,
           v->status == GT_END ? "true" : "false", v->version, v->generations, v->batches, v->events);
    if (v->status != GT_END) {
        printf(",\"error\":{\"status\":\"%s\",\"offset\":%" PRIu64, gt_status_name(v->err.status), v->err.offset);
        if (v->err.generation != GT_NONE) printf(",\"generation\":%" PRIu64, v->err.generation);
        if (v->err.batch != GT_NONE) printf(",\"batch\":%" PRIu64, v->err.batch);
        if (v->err.event != GT_NONE) printf(",\"event\":%" PRIu64, v->err.event);
        printf(",\"message\":");
        json_string(stdout, v->err.message);
        printf("},\"salvage\":{\"good_bytes\":%" PRIu64 ",\"lost_bytes\":%" PRIu64 ",\"generations\":%" PRIu64,
               v->salvage.good_bytes, v->salvage.lost_bytes, v->salvage.generations);
        if (v->salvage.lost_generation != GT_NONE) printf(",\"lost_generation\":%" PRIu64, v->salvage.lost_generation);
        printf("}");
    }
    printf("}\n");
}

int cmd_validate(int argc, char **argv)
{
    bool json = false;
    int first = 1, rc = EXIT_VALID;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (!strcmp(argv[first], "--json")) json = true;
        else {
            fprintf(stderr, "gotrace validate: unknown option %s\n", argv[first]);
            return EXIT_USAGE;
        }
    }
    if (first == argc) {
        fprintf(stderr, "usage: gotrace validate [--json] FILE...\n");
        return EXIT_USAGE;
    }
    for (int i = first; i < argc; i++) {
        verdict v;
        int one = run_one(argv[i], &v);
        if (one == EXIT_USAGE) {
            rc = EXIT_USAGE;
            continue;
        }
        if (json) print_json(argv[i], &v);
        else print_human(argv[i], &v);
        fflush(stdout);
        if (one == EXIT_INVALID && rc == EXIT_VALID) rc = EXIT_INVALID;
    }
    return rc;
}
