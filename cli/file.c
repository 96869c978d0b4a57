/* Files as reader input: read(2) through the reader's callback, so memory
 * stays bounded whatever the file size; a progress line on a terminal. The
 * parser, which holds a whole generation, reads a regular file through a
 * read-only mapping instead and hands back the pages of each generation it
 * has finished (madvise, from gt_parser_set_release's callback, before it
 * reads the next), so its resident memory is one generation, not two and not
 * the file. (Dropping pages inside a generation does not pay here: the kernel
 * maps file pages back in large folios on the next touch.) */
#define _DEFAULT_SOURCE /* madvise */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
    if (f->peek_pos < f->peek_len) { /* the bytes read to learn the version */
        size_t n = f->peek_len - f->peek_pos;
        if (n > cap) n = cap;
        memcpy(buf, f->peek + f->peek_pos, n);
        f->peek_pos += n;
        return (long)n;
    }
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

bool cli_file_open(cli_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->fd = strcmp(path, "-") ? open(path, O_RDONLY) : STDIN_FILENO;
    if (f->fd < 0) {
        fprintf(stderr, "gotrace: %s: %s\n", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        f->size = (uint64_t)st.st_size;
        f->regular = true;
    }
    f->progress = f->size >= PROGRESS_MIN_SIZE && isatty(STDERR_FILENO);
    f->next_tick = PROGRESS_STEP;
    return true;
}

unsigned cli_file_version(cli_file *f)
{
    uint8_t head[GT_HEADER_SIZE];
    size_t have = 0;
    if (f->regular) {
        ssize_t n = pread(f->fd, head, sizeof head, 0);
        have = n > 0 ? (size_t)n : 0;
    } else {
        while (f->peek_len < sizeof f->peek) {
            ssize_t n = read(f->fd, f->peek + f->peek_len, sizeof f->peek - f->peek_len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            f->peek_len += (size_t)n;
            f->done += (uint64_t)n;
        }
        memcpy(head, f->peek, f->peek_len);
        have = f->peek_len;
    }
    unsigned v = 0;
    return gt_header_parse(head, have, &v) == GT_OK ? v : 0;
}

gt_reader *cli_file_reader(cli_file *f, int validate)
{
    gt_reader *r = gt_reader_create(NULL);
    if (!r || gt_reader_set_validation(r, validate) != GT_OK || gt_reader_set_callback(r, read_cb, f) != GT_OK) {
        fprintf(stderr, "gotrace: %s: out of memory\n", f->path);
        gt_reader_free(r);
        return NULL;
    }
    return r;
}

/* gt_parser_set_release's callback: the parser will not read the mapping
 * before offset again. */
static void release_cb(void *user, uint64_t offset)
{
    cli_file *f = user;
    long pagesize = sysconf(_SC_PAGESIZE);
    uint64_t page = pagesize > 0 ? (uint64_t)pagesize : 4096;
    uint64_t end = offset / page * page;
    if (end > f->map_size) end = f->map_size / page * page;
    if (end <= f->released) return;
    /* MAP_PRIVATE read-only file pages: dropped pages are read again from the
     * file if ever touched, so this can only cost time, never correctness. */
    madvise((void *)(uintptr_t)(f->map + f->released), (size_t)(end - f->released), MADV_DONTNEED);
    f->released = end;
}

gt_parser *cli_file_parser(cli_file *f, unsigned flags)
{
    gt_parser *p = gt_parser_create(NULL);
    if (!p) {
        fprintf(stderr, "gotrace: %s: out of memory\n", f->path);
        return NULL;
    }
    gt_parser_set_flags(p, flags);
    if (f->regular && f->size > 0 && f->size <= SIZE_MAX && f->peek_len == 0) {
        void *m = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
        if (m != MAP_FAILED) {
            f->map = m;
            f->map_size = (size_t)f->size;
        }
    }
    gt_status s = f->map || (f->regular && f->size == 0) ? gt_parser_set_buffer(p, f->map, f->map_size)
                                                         : gt_parser_set_callback(p, read_cb, f);
    if (f->map) gt_parser_set_release(p, release_cb, f);
    if (s != GT_OK) {
        fprintf(stderr, "gotrace: %s: %s\n", f->path, gt_status_text(s));
        gt_parser_free(p);
        return NULL;
    }
    return p;
}

const uint8_t *cli_file_bytes(cli_file *f, size_t *size)
{
    *size = 0;
    if (f->regular && f->peek_len == 0) {
        if (f->size == 0) return (const uint8_t *)"";
        if (!f->map && f->size <= SIZE_MAX) {
            void *m = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
            if (m != MAP_FAILED) {
                f->map = m;
                f->map_size = (size_t)f->size;
            }
        }
        if (f->map) {
            *size = f->map_size;
            return f->map;
        }
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) break;
        if (n == cap) {
            uint8_t *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        long got = read_cb(f, buf + n, cap - n);
        if (got < 0) {
            free(buf);
            return NULL;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    if (!buf) {
        fprintf(stderr, "gotrace: %s: out of memory\n", f->path);
        return NULL;
    }
    f->whole = buf;
    f->whole_size = n;
    *size = n;
    return buf;
}

void cli_file_close(cli_file *f)
{
    cli_progress_done(f);
    if (f->map) munmap((void *)(uintptr_t)f->map, f->map_size);
    f->map = NULL;
    free(f->whole);
    f->whole = NULL;
    if (f->fd > STDIN_FILENO) close(f->fd);
    f->fd = -1;
}

gt_reader *cli_open(cli_file *f, const char *path, int validate)
{
    if (!cli_file_open(f, path)) return NULL;
    gt_reader *r = cli_file_reader(f, validate);
    if (!r) cli_file_close(f);
    return r;
}

void cli_close(cli_file *f, gt_reader *r)
{
    gt_reader_free(r);
    cli_file_close(f);
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
