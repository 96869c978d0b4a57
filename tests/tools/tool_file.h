/* Shared by the test tools: read a whole file (also a pipe) into memory. */
#ifndef GT_TOOL_FILE_H
#define GT_TOOL_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The bytes of path in a malloc'd buffer of exactly that size (so ASan sees
 * any read past the end; free it), their count in *size. NULL if the file
 * cannot be read or memory runs out. */
static inline unsigned char *tool_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        unsigned char *exact = realloc(buf, n ? n : 1);
        if (exact) buf = exact;
    }
    *size = n;
    return buf;
}

#endif
