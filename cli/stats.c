/* gotrace stats: per event type counts and bytes, batches, generations,
 * tables, time span and experimental batches. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

typedef struct stats {
    unsigned version;
    uint64_t size;
    uint64_t count[256], bytes[256];
    const char *name[256];
    uint64_t generations, batches, events, items;
    uint64_t strings, string_bytes, stacks, frames, cpu_samples;
    uint64_t exp_batches[256], exp_bytes[256];
    uint64_t freq, tmin, tmax;
    bool have_time;
} stats;

static void account(stats *st, const gt_event *ev)
{
    st->items++;
    switch (ev->kind) {
    case GT_KIND_HEADER: return;
    case GT_KIND_GENERATION_END: st->generations++; return;
    case GT_KIND_BATCH:
        st->batches++;
        if (ev->experiment) {
            st->exp_batches[ev->experiment]++;
            st->exp_bytes[ev->experiment] += ev->data_len;
        }
        break;
    case GT_KIND_EVENT: st->events++; break;
    case GT_KIND_STRING:
        st->strings++;
        st->string_bytes += ev->data_len;
        break;
    case GT_KIND_STACK:
        st->stacks++;
        st->frames += ev->nframes;
        break;
    case GT_KIND_CPU_SAMPLE: st->cpu_samples++; break;
    case GT_KIND_FREQUENCY:
        if (!st->freq) st->freq = ev->args[0];
        break;
    default: break;
    }
    st->count[ev->type]++;
    st->bytes[ev->type] += cli_wire_size(ev);
    st->name[ev->type] = ev->spec ? ev->spec->name : "?";
    if (ev->kind == GT_KIND_EVENT && ev->time) {
        if (!st->have_time || ev->time < st->tmin) st->tmin = ev->time;
        if (!st->have_time || ev->time > st->tmax) st->tmax = ev->time;
        st->have_time = true;
    }
}

static uint64_t span_ns(const stats *st)
{
    if (!st->have_time || !st->freq) return 0;
    return (uint64_t)((double)(st->tmax - st->tmin) * 1e9 / (double)st->freq);
}

static void print_human(const char *path, const stats *st)
{
    bool v2 = gt_version_format(st->version) == GT_FORMAT_V2;
    printf("file:          %s\n", path);
    printf("version:       go 1.%u (%s)\n", st->version, v2 ? "v2" : "legacy");
    printf("size:          %" PRIu64 " bytes\n", st->size);
    if (v2) printf("generations:   %" PRIu64 "\n", st->generations);
    printf("batches:       %" PRIu64 "\n", st->batches);
    printf("events:        %" PRIu64 " timed\n", st->events);
    printf("strings:       %" PRIu64 " (%" PRIu64 " bytes)\n", st->strings, st->string_bytes);
    printf("stacks:        %" PRIu64 " (%" PRIu64 " frames)\n", st->stacks, st->frames);
    printf("cpu samples:   %" PRIu64 "\n", st->cpu_samples);
    printf("frequency:     %" PRIu64 " ticks/s\n", st->freq);
    printf("time span:     %" PRIu64 " ns\n", span_ns(st));
    for (int e = 1; e < 256; e++)
        if (st->exp_batches[e])
            printf("experiment %d:  %" PRIu64 " batches (%" PRIu64 " bytes)\n", e, st->exp_batches[e], st->exp_bytes[e]);
    printf("\n%12s %14s  %s\n", "count", "bytes", "event type");
    for (int t = 0; t < 256; t++)
        if (st->count[t]) printf("%12" PRIu64 " %14" PRIu64 "  %s\n", st->count[t], st->bytes[t], st->name[t]);
}

static void print_json(const char *path, const stats *st)
{
    bool v2 = gt_version_format(st->version) == GT_FORMAT_V2;
    printf("{\"file\":");
    json_string(stdout, path);
    printf(",\"version\":%u,\"format\":\"%s\",\"size\":%" PRIu64 ",\"generations\":%" PRIu64
           ",\"batches\":%" PRIu64 ",\"events\":%" PRIu64 ",\"strings\":%" PRIu64 ",\"string_bytes\":%" PRIu64
           ",\"stacks\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"cpu_samples\":%" PRIu64 ",\"frequency\":%" PRIu64
           ",\"time_span_ns\":%" PRIu64 ",\"experimental_batches\":{",
           st->version, v2 ? "v2" : "legacy", st->size, st->generations, st->batches, st->events, st->strings,
           st->string_bytes, st->stacks, st->frames, st->cpu_samples, st->freq, span_ns(st));
    const char *sep = "";
    for (int e = 1; e < 256; e++)
        if (st->exp_batches[e]) {
            printf("%s\"%d\":{\"batches\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", sep, e, st->exp_batches[e],
                   st->exp_bytes[e]);
            sep = ",";
        }
    printf("},\"types\":{");
    sep = "";
    for (int t = 0; t < 256; t++)
        if (st->count[t]) {
            printf("%s", sep);
            json_string(stdout, st->name[t]);
            printf(":{\"type\":%d,\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", t, st->count[t], st->bytes[t]);
            sep = ",";
        }
    printf("}}\n");
}

int cmd_stats(int argc, char **argv)
{
    bool json = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (!strcmp(argv[first], "--json")) json = true;
        else {
            fprintf(stderr, "gotrace stats: unknown option %s\n", argv[first]);
            return EXIT_USAGE;
        }
    }
    if (first + 1 != argc) {
        fprintf(stderr, "usage: gotrace stats [--json] FILE\n");
        return EXIT_USAGE;
    }
    cli_file f;
    gt_reader *r = cli_open(&f, argv[first], 1);
    if (!r) return EXIT_USAGE;
    static stats st;
    memset(&st, 0, sizeof st);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) account(&st, &ev);
    st.version = gt_reader_version(r);
    st.size = f.size ? f.size : f.done;
    int rc = EXIT_VALID;
    if (s != GT_END) {
        char msg[320];
        cli_format_error(msg, sizeof msg, gt_reader_error(r));
        fprintf(stderr, "gotrace stats: %s: invalid: %s (statistics cover the data before the error)\n", argv[first], msg);
        rc = f.io_error ? EXIT_USAGE : EXIT_INVALID;
    }
    if (st.version) {
        if (json) print_json(argv[first], &st);
        else print_human(argv[first], &st);
    }
    cli_close(&f, r);
    return rc;
}
