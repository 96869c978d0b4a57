/* gotrace copy IN OUT: decode every item (framing only, no validation) and
 * encode it again with gt_writer_item(). The output is byte-identical to the
 * input for every file the decoder accepts: the encoder's end-to-end check.
 * Also home of the output side shared with `gotrace asm`. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static long write_cb(void *user, const uint8_t *p, size_t n)
{
    cli_out *o = user;
    for (;;) {
        ssize_t k = write(o->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            o->io_error = true;
            return -1;
        }
        return (long)k;
    }
}

gt_writer *cli_out_open(cli_out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    o->fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666) : STDOUT_FILENO;
    if (o->fd < 0) {
        fprintf(stderr, "gotrace: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    gt_writer *w = gt_writer_create(NULL);
    if (!w || gt_writer_set_sink(w, write_cb, o) != GT_OK) {
        fprintf(stderr, "gotrace: %s: out of memory\n", path);
        gt_writer_free(w);
        cli_out_close(o, NULL, false);
        return NULL;
    }
    return w;
}

int cli_out_close(cli_out *o, gt_writer *w, bool ok)
{
    int rc = EXIT_VALID;
    if (w && ok && gt_writer_finish(w) != GT_OK) {
        fprintf(stderr, "gotrace: %s: %s\n", o->path, o->io_error ? strerror(errno) : gt_writer_error(w)->message);
        rc = EXIT_USAGE;
    }
    gt_writer_free(w);
    if (o->fd > STDOUT_FILENO && close(o->fd) != 0 && rc == EXIT_VALID) {
        fprintf(stderr, "gotrace: %s: %s\n", o->path, strerror(errno));
        rc = EXIT_USAGE;
    }
    /* A partial output is no copy: remove it. */
    if ((!ok || rc != EXIT_VALID) && o->fd > STDOUT_FILENO) unlink(o->path);
    o->fd = -1;
    return rc;
}

/* IN and OUT are the same file: opening OUT would truncate the input. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return strcmp(a, "-") && strcmp(b, "-") && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cmd_copy(int argc, char **argv)
{
    if (argc != 3 || (argv[1][0] == '-' && argv[1][1]) || (argv[2][0] == '-' && argv[2][1])) {
        fprintf(stderr, "usage: gotrace copy IN OUT   (\"-\" for stdin / stdout)\n");
        return EXIT_USAGE;
    }
    const char *in = argv[1], *out = argv[2];
    if (same_file(in, out)) {
        fprintf(stderr, "gotrace copy: %s and %s are the same file\n", in, out);
        return EXIT_USAGE;
    }
    cli_file f;
    gt_reader *r = cli_open(&f, in, 0);
    if (!r) return EXIT_USAGE;
    cli_out o;
    gt_writer *w = cli_out_open(&o, out);
    if (!w) {
        cli_close(&f, r);
        return EXIT_USAGE;
    }
    gt_event ev;
    gt_status s, ws = GT_OK;
    while ((s = gt_reader_next(r, &ev)) == GT_OK)
        if ((ws = gt_writer_item(w, &ev)) != GT_OK) break;
    int rc = EXIT_VALID;
    if (ws != GT_OK) {
        fprintf(stderr, "gotrace copy: %s: %s\n", out, o.io_error ? strerror(errno) : gt_writer_error(w)->message);
        rc = o.io_error || ws == GT_ERR_NOMEM ? EXIT_USAGE : EXIT_INVALID;
    } else if (s != GT_END) {
        char msg[320];
        cli_format_error(msg, sizeof msg, gt_reader_error(r));
        fprintf(stderr, "gotrace copy: %s: %s\n", in, msg);
        rc = f.io_error ? EXIT_USAGE : EXIT_INVALID;
    }
    int orc = cli_out_close(&o, w, rc == EXIT_VALID);
    cli_close(&f, r);
    return rc != EXIT_VALID ? rc : orc;
}
