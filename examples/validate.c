/* examples/validate.c: the smallest complete use of libgotrace.
 *
 *   cc examples/validate.c $(pkg-config --cflags --libs gotrace) -o validate
 *   ./validate trace.out
 *
 * Reads a file through the pull callback (memory stays bounded whatever the
 * file's size), counts items by kind and prints the verdict. */
#include <stdio.h>

#include "gotrace.h"

static long read_file(void *user, uint8_t *buf, size_t cap)
{
    size_t n = fread(buf, 1, cap, (FILE *)user);
    return ferror((FILE *)user) ? -1 : (long)n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRACE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_callback(r, read_file, f);
    gt_event ev;
    gt_status s;
    unsigned long long events = 0, stacks = 0;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
        if (ev.kind == GT_KIND_EVENT) events++;
        if (ev.kind == GT_KIND_STACK) stacks++;
    }
    if (s == GT_END) {
        printf("%s: go 1.%u, %llu events, %llu stacks\n", argv[1], gt_reader_version(r), events, stacks);
    } else {
        const gt_error *e = gt_reader_error(r);
        printf("%s: %s at offset %llu: %s\n", argv[1], gt_status_name(e->status), (unsigned long long)e->offset,
               e->message);
    }
    gt_reader_free(r);
    fclose(f);
    return s == GT_END ? 0 : 1;
}
