/* gotrace asm [IN] [-o OUT]: text in the dump form (Go's raw text form for
 * v2, the same style for legacy traces, with or without --lossless
 * annotations) to trace bytes. IN and OUT default to stdin and stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CHUNK (1u << 20)

static int usage(void)
{
    fprintf(stderr, "usage: gotrace asm [IN] [-o OUT]   (IN, OUT default to stdin, stdout)\n");
    return EXIT_USAGE;
}

/* Exit status of a failed assembly: the text's fault, or the machine's. */
static int asm_rc(gt_status s, const cli_out *o)
{
    return o->io_error || s == GT_ERR_IO || s == GT_ERR_NOMEM ? EXIT_USAGE : EXIT_INVALID;
}

static int assemble(int fd, const char *in, gt_asm *a, const cli_out *o)
{
    static uint8_t buf[CHUNK];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "gotrace asm: %s: %s\n", in, strerror(errno));
            return EXIT_USAGE;
        }
        gt_status s = n ? gt_asm_feed(a, buf, (size_t)n) : gt_asm_finish(a);
        if (s != GT_OK) {
            fprintf(stderr, "gotrace asm: %s: %s\n", in, gt_asm_error(a)->message);
            return asm_rc(s, o);
        }
        if (n == 0) return EXIT_VALID;
    }
}

int cmd_asm(int argc, char **argv)
{
    const char *in = NULL, *out = "-";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return usage();
        else if (!in)
            in = argv[i];
        else
            return usage();
    }
    if (!in) in = "-";
    int fd = strcmp(in, "-") ? open(in, O_RDONLY) : STDIN_FILENO;
    if (fd < 0) {
        fprintf(stderr, "gotrace asm: %s: %s\n", in, strerror(errno));
        return EXIT_USAGE;
    }
    cli_out o;
    gt_writer *w = cli_out_open(&o, out);
    gt_asm *a = w ? gt_asm_create(NULL, w) : NULL;
    int rc = EXIT_USAGE;
    if (w && !a) fprintf(stderr, "gotrace asm: out of memory\n");
    if (a) rc = assemble(fd, in, a, &o);
    gt_asm_free(a);
    int orc = w ? cli_out_close(&o, w, rc == EXIT_VALID) : EXIT_USAGE;
    if (fd != STDIN_FILENO) close(fd);
    return rc != EXIT_VALID ? rc : orc;
}
