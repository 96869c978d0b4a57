/* Files as reader input: read(2) through the reader's callback, so memory
 * stays bounded whatever the file size; a progress line on a terminal. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_MIN_SIZE (64u << 20)
#define PROGRESS_STEP (16u << 20)

static void progress(cli_file *f)
{
    if (!f->progress || f->done < f->next_tick) return;
    f->next_tick = f->done + PROGRESS_STEP;
    fprintf(stderr, "\r%s: %3u%%", f->path, (unsigned)(f->done * 100 / f->size));
}

void cli_progress_done(cli_file *f)
{
    if (f->progress) fprintf(stderr, "\r%*s\r", (int)strlen(f->path) + 6, "");
}

static long read_cb(void *user, uint8_t *buf, size_t cap)
{
    cli_file *f = user;
    for (;;) {
        ssize_t n = read(f->fd, buf, cap);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            f->io_error = true;
            return -1;
        }
        f->done += (uint64_t)n;
        progress(f);
        return (long)n;
    }
}

gt_reader *cli_open(cli_file *f, const char *path, int validate)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->fd = strcmp(path, "-") ? open(path, O_RDONLY) : STDIN_FILENO;
    if (f->fd < 0) {
        fprintf(stderr, "gotrace: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode)) f->size = (uint64_t)st.st_size;
    f->progress = f->size >= PROGRESS_MIN_SIZE && isatty(STDERR_FILENO);
    f->next_tick = PROGRESS_STEP;
    gt_reader *r = gt_reader_create(NULL);
    if (!r || gt_reader_set_validation(r, validate) != GT_OK || gt_reader_set_callback(r, read_cb, f) != GT_OK) {
        fprintf(stderr, "gotrace: %s: out of memory\n", path);
        gt_reader_free(r);
        if (f->fd != STDIN_FILENO) close(f->fd);
        return NULL;
    }
    return r;
}

void cli_close(cli_file *f, gt_reader *r)
{
    cli_progress_done(f);
    gt_reader_free(r);
    if (f->fd > STDIN_FILENO) close(f->fd);
}

static uint64_t sum_widths(const gt_event *ev)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < ev->nargs; i++) n += ev->width[i];
    for (uint32_t i = 0; i < ev->nframes; i++)
        n += (uint64_t)ev->frames[i].width[0] + ev->frames[i].width[1] + ev->frames[i].width[2] + ev->frames[i].width[3];
    return n;
}

uint64_t cli_wire_size(const gt_event *ev)
{
    switch (ev->kind) {
    case GT_KIND_HEADER: return GT_HEADER_SIZE;
    case GT_KIND_GENERATION_END: return 0;
    case GT_KIND_END_OF_GENERATION: return 1;
    default: break;
    }
    uint64_t n = 1;
    if (ev->block_len_width) n += ev->block_len_width + (uint64_t)ev->block_len;
    else n += sum_widths(ev);
    if (ev->kind == GT_KIND_BATCH) return n + ev->data_len_width; /* payload counted by its events */
    if (ev->data) n += ev->data_len_width + ev->data_len;
    return n;
}

static void append_ctx(char **p, size_t *left, const char *name, uint64_t v, bool *first)
{
    if (v == GT_NONE) return;
    int n = snprintf(*p, *left, "%s%s %" PRIu64, *first ? " (" : ", ", name, v);
    if (n < 0 || (size_t)n >= *left) return;
    *p += n;
    *left -= (size_t)n;
    *first = false;
}

void cli_format_error(char *dst, size_t cap, const gt_error *e)
{
    int n = snprintf(dst, cap, "%s at offset %" PRIu64, gt_status_name(e->status), e->offset);
    if (n < 0 || (size_t)n >= cap) return;
    char *p = dst + n;
    size_t left = cap - (size_t)n;
    bool first = true;
    append_ctx(&p, &left, "generation", e->generation, &first);
    append_ctx(&p, &left, "batch", e->batch, &first);
    append_ctx(&p, &left, "event", e->event, &first);
    snprintf(p, left, "%s: %s", first ? "" : ")", e->message);
}

void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}
