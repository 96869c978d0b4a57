/* gotrace dump --parsed: the ordered events of a v2 trace, one Go
 * Event.String() per event, exactly as `go tool trace -d=parsed` (Go 1.27)
 * prints them; on an error, the events before it, then Go's message on
 * stderr and exit status 1, as Go's tool does. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define OUT_CAP (4u << 20)
#define OUT_LOW (1u << 20) /* flush when less room than this is left */

typedef struct out_buf {
    char *p;
    size_t used;
    bool error;
} out_buf;

static void flush_out(out_buf *o)
{
    if (o->used && fwrite(o->p, 1, o->used, stdout) != o->used) o->error = true;
    o->used = 0;
}

/* Append one event and its newline (Go's Println). */
static void emit(out_buf *o, const gt_parsed *ev)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t room = OUT_CAP - o->used;
        size_t n = gt_parser_format(ev, o->p + o->used, room);
        if (n < room) {
            o->p[o->used + n] = '\n';
            o->used += n + 1;
            if (OUT_CAP - o->used < OUT_LOW) flush_out(o);
            return;
        }
        flush_out(o);
    }
    o->error = true; /* an event longer than the buffer: cannot happen (at most 2 x 128 frames) */
}

int cli_dump_parsed(const char *path)
{
    cli_file f;
    if (!cli_file_open(&f, path)) return EXIT_USAGE;
    gt_parser *p = cli_file_parser(&f, 0);
    out_buf o = {malloc(OUT_CAP), 0, false};
    if (!p || !o.p) {
        if (p && !o.p) fprintf(stderr, "gotrace: out of memory\n");
        gt_parser_free(p);
        free(o.p);
        cli_file_close(&f);
        return EXIT_USAGE;
    }
    gt_parsed ev;
    gt_status s;
    while ((s = gt_parser_next(p, &ev)) == GT_OK && !o.error) emit(&o, &ev);
    flush_out(&o);
    int rc = EXIT_VALID;
    if (o.error || fflush(stdout) != 0) {
        fprintf(stderr, "gotrace dump: %s: write error\n", path);
        rc = EXIT_USAGE;
    } else if (s != GT_END) {
        size_t len;
        const char *msg = gt_parser_message(p, &len);
        fwrite(msg, 1, len, stderr);
        fputc('\n', stderr);
        rc = s == GT_ERR_IO || f.io_error ? EXIT_USAGE : EXIT_INVALID;
    }
    gt_parser_free(p);
    free(o.p);
    cli_file_close(&f);
    return rc;
}
