/* gotrace dump: every wire event in Go's raw text form (v2: exactly what
 * Go's gotraceraw bytes2text prints). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LINE_CAP (1u << 16)

static int dump_file(const char *path, unsigned flags)
{
    cli_file f;
    gt_reader *r = cli_open(&f, path, 0);
    if (!r) return EXIT_USAGE;
    static char line[LINE_CAP + 4096 * 40];
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        size_t n = ev.kind == GT_KIND_HEADER ? gt_text_header(line, sizeof line, (unsigned)ev.args[0])
                                             : gt_text_event(line, sizeof line, gt_reader_version(r), &ev, flags);
        if (n >= sizeof line) {
            fprintf(stderr, "gotrace dump: %s: event too long to print\n", path);
            s = GT_ERR_LIMIT;
            break;
        }
        fwrite(line, 1, n, stdout);
    }
    int rc = EXIT_VALID;
    if (s != GT_END) {
        fflush(stdout);
        char msg[320];
        cli_format_error(msg, sizeof msg, gt_reader_error(r));
        fprintf(stderr, "gotrace dump: %s: %s\n", path, msg);
        rc = f.io_error ? EXIT_USAGE : EXIT_INVALID;
    }
    cli_close(&f, r);
    return rc;
}

int cmd_dump(int argc, char **argv)
{
    unsigned flags = 0;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (!strcmp(argv[first], "--lossless")) flags |= GT_TEXT_LOSSLESS;
        else {
            fprintf(stderr, "gotrace dump: unknown option %s\n", argv[first]);
            return EXIT_USAGE;
        }
    }
    if (first + 1 != argc) {
        fprintf(stderr, "usage: gotrace dump [--lossless] FILE\n");
        return EXIT_USAGE;
    }
    static char obuf[1u << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    int rc = dump_file(argv[first], flags);
    if (fflush(stdout) != 0) return EXIT_USAGE;
    return rc;
}
