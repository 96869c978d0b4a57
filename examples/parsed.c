/* parsed: the ordered events of a Go execution trace (go 1.22 or later).
 *
 *     build/examples/parsed TRACE [N]
 *
 * Prints the first N events (default 10) as `go tool trace -d=parsed` does,
 * then how many events of each kind the trace holds, the goroutines it
 * created and the time it spans. Exits 1 if Go's reader would reject it. */
#include <gotrace.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *data = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap) {
            unsigned char *grown = realloc(data, cap = cap ? 2 * cap : 1 << 20);
            if (!grown) break;
            data = grown;
        }
        got = fread(data + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *size = n;
    return data;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s TRACE [N]\n", argv[0]);
        return 2;
    }
    long show = argc > 2 ? atol(argv[2]) : 10;
    size_t size;
    unsigned char *data = slurp(argv[1], &size);
    if (!data) {
        perror(argv[1]);
        return 2;
    }

    gt_parser *p = gt_parser_create(NULL);
    gt_parser_set_buffer(p, data, size);
    gt_parsed ev;
    gt_status s;
    unsigned long long kinds[GT_PARSED_EXPERIMENTAL + 1] = {0}, created = 0, n = 0;
    long long first = 0, last = 0;
    static char text[1 << 20];
    while ((s = gt_parser_next(p, &ev)) == GT_OK) {
        if (n++ < (unsigned long long)show) {
            gt_parser_format(&ev, text, sizeof text);
            puts(text);
        }
        if (n == 1) first = ev.time;
        last = ev.time;
        kinds[ev.kind]++;
        if (ev.kind == GT_PARSED_STATE_TRANSITION && ev.transition.resource == GT_RESOURCE_GOROUTINE &&
            ev.transition.from == GT_GO_NOT_EXIST)
            created++;
    }

    printf("\n%llu events over %.3f ms (go 1.%u)\n", n, (double)(last - first) / 1e6, gt_parser_version(p));
    for (unsigned k = 0; k <= GT_PARSED_EXPERIMENTAL; k++)
        if (kinds[k]) printf("  %-16s %llu\n", gt_parsed_kind_name(k), kinds[k]);
    printf("  goroutines created: %llu\n", created);
    int rc = 0;
    if (s != GT_END) {
        const gt_error *e = gt_parser_error(p);
        fprintf(stderr, "%s: %s at offset %llu: %s\n", argv[1], gt_status_name(e->status),
                (unsigned long long)e->offset, gt_parser_message(p, NULL));
        rc = 1;
    }
    gt_parser_free(p);
    free(data);
    return rc;
}
