/* encode_sample: write a semantically valid trace with the encoder, for Go's
 * own readers to judge (tests/scripts/t_encode_go_accepts.sh).
 *
 *   encode_sample -v VERSION [-seed S] [-steps N] [-random] -o FILE
 *
 * The trace is tests/unit/test_roundtrip_model.h's well-formed schedule (or,
 * with -random, its structurally valid noise) for the seed, written with
 * gt_writer and gt_batch. Prints one line: version, seed, bytes, events. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/test_roundtrip_model.h"

static tm_model model;
static tm_writer tw;
static uint8_t out[64u << 20];

int main(int argc, char **argv)
{
    unsigned version = 0, steps = 60;
    uint64_t seed = 1;
    bool random = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") && i + 1 < argc)
            version = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-steps") && i + 1 < argc)
            steps = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-random"))
            random = true;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            path = argv[++i];
        else {
            fprintf(stderr, "usage: encode_sample -v VERSION [-seed S] [-steps N] [-random] -o FILE\n");
            return 2;
        }
    }
    if (!path || gt_version_format(version) == GT_FORMAT_UNKNOWN || (!random && version < 7)) {
        fprintf(stderr, "encode_sample: need -o FILE and a version (go 1.7+ for valid schedules)\n");
        return 2;
    }
    tm_rng r = {seed};
    if (random)
        tm_gen_random(&model, &r, version);
    else
        tm_gen_valid(&model, &r, version, steps);
    tw.w = gt_writer_create(NULL);
    if (!tw.w || gt_writer_set_buffer(tw.w, out, sizeof out) != GT_OK) return 2;
    gt_status s = tm_write(&tw, &model);
    if (s != GT_OK) {
        fprintf(stderr, "encode_sample: %s: %s\n", gt_status_name(s), gt_writer_error(tw.w)->message);
        return 1;
    }
    size_t n = (size_t)gt_writer_size(tw.w);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(out, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "encode_sample: cannot write %s\n", path);
        return 2;
    }
    printf("go 1.%u seed %" PRIu64 ": %zu bytes, %" PRIu32 " events\n", version, seed, n, model.nev);
    gt_writer_free(tw.w);
    return 0;
}
