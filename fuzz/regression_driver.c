/* regression_driver: a main() that feeds files to LLVMFuzzerTestOneInput
 * without any fuzzer, so every target also builds as a plain program (under
 * ASan/UBSan for `make fuzz-replay`, with coverage for `make coverage`).
 *
 *   <target> [-q] FILE|DIR...   every regular file, directories recursively
 *
 * Exits 0 when every input ran (a finding aborts the process, which is the
 * failure), 2 on usage or I/O errors. Prints one line per input unless -q,
 * and a summary line. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_helpers.h"

typedef struct stats {
    unsigned long files;
    unsigned long long bytes;
    int quiet;
    int errors;
} stats;

static int run_file(const char *path, stats *st)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = fuzz_malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            FUZZ_ASSERT(nb != NULL);
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: read error\n", path);
        free(buf);
        return -1;
    }
    if (!st->quiet) fprintf(stderr, "running %s (%zu bytes)\n", path, n);
    /* An exact-size copy, so ASan catches reads past the input's end. */
    uint8_t *exact = fuzz_malloc(n);
    if (n) memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    st->files++;
    st->bytes += n;
    return 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_path(const char *path, stats *st)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) return S_ISREG(sb.st_mode) ? run_file(path, st) : 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    /* Sorted, so runs are reproducible. */
    size_t cnt = 0, cap = 64;
    char **names = fuzz_malloc(cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (cnt == cap) {
            cap *= 2;
            char **nn = realloc(names, cap * sizeof *names);
            FUZZ_ASSERT(nn != NULL);
            names = nn;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[cnt] = fuzz_malloc(len);
        snprintf(names[cnt], len, "%s/%s", path, e->d_name);
        cnt++;
    }
    closedir(d);
    qsort(names, cnt, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (run_path(names[i], st) != 0) rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    stats st = {0, 0, 0, 0};
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-q") == 0) {
        st.quiet = 1;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-q] FILE|DIR...\n", argv[0]);
        return 2;
    }
    int rc = 0;
    for (int i = first; i < argc; i++)
        if (run_path(argv[i], &st) != 0) rc = 2;
    fprintf(stderr, "%s: %lu inputs, %llu bytes, no findings\n", argv[0], st.files, st.bytes);
    return rc;
}
