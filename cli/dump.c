/* gotrace dump: every wire event in Go's raw text form (v2: exactly what
 * Go's gotraceraw bytes2text prints); --parsed: the ordered events (parsed.c). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define OUT_CAP (4u << 20)
#define OUT_LOW (1u << 20) /* flush when less room than this is left */

typedef struct out_buf {
    char *p;
    size_t used;
} out_buf;

static bool flush_out(out_buf *o)
{
    bool ok = fwrite(o->p, 1, o->used, stdout) == o->used;
    o->used = 0;
    return ok;
}

/* Format one item straight into the output buffer. */
static bool emit(out_buf *o, unsigned version, const gt_event *ev, unsigned flags)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t room = OUT_CAP - o->used;
        size_t n = ev->kind == GT_KIND_HEADER ? gt_text_header(o->p + o->used, room, (unsigned)ev->args[0])
                                              : gt_text_event(o->p + o->used, room, version, ev, flags);
        if (n < room) {
            o->used += n;
            return o->used < OUT_CAP - OUT_LOW || flush_out(o);
        }
        if (!flush_out(o)) return false;
    }
    return false; /* one event larger than the whole buffer */
}

static int dump_file(const char *path, unsigned flags)
{
    cli_file f;
    gt_reader *r = cli_open(&f, path, 0);
    if (!r) return EXIT_USAGE;
    out_buf o = {malloc(OUT_CAP), 0};
    if (!o.p) {
        cli_close(&f, r);
        return EXIT_USAGE;
    }
    gt_event ev;
    gt_status s;
    int rc = EXIT_VALID;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        if (!emit(&o, gt_reader_version(r), &ev, flags)) {
            rc = EXIT_USAGE;
            break;
        }
    }
    if (!flush_out(&o)) rc = EXIT_USAGE;
    if (rc == EXIT_VALID && s != GT_END) {
        fflush(stdout);
        char msg[320];
        cli_format_error(msg, sizeof msg, gt_reader_error(r));
        fprintf(stderr, "gotrace dump: %s: %s\n", path, msg);
        rc = f.io_error ? EXIT_USAGE : EXIT_INVALID;
    }
    if (rc == EXIT_USAGE && s == GT_OK) fprintf(stderr, "gotrace dump: %s: write error\n", path);
    free(o.p);
    cli_close(&f, r);
    return rc;
}

int cmd_dump(int argc, char **argv)
{
    unsigned flags = 0;
    bool parsed = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (!strcmp(argv[first], "--lossless")) flags |= GT_TEXT_LOSSLESS;
        else if (!strcmp(argv[first], "--parsed")) parsed = true;
        else {
            fprintf(stderr, "gotrace dump: unknown option %s\n", argv[first]);
            return EXIT_USAGE;
        }
    }
    if (first + 1 != argc || (parsed && flags)) {
        fprintf(stderr, "usage: gotrace dump [--lossless | --parsed] FILE\n");
        return EXIT_USAGE;
    }
    int rc = parsed ? cli_dump_parsed(argv[first]) : dump_file(argv[first], flags);
    if (fflush(stdout) != 0) return EXIT_USAGE;
    return rc;
}
