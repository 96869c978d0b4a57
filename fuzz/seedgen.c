/* seedgen: shrink a real trace into a small seed that the reader still
 * accepts, keeping its variety: the first events of the first batches of the
 * first generations, the table entries those events (and their stacks) refer
 * to, the frequency/sync batches, CPU samples and experimental batches.
 *
 *   seedgen [-g GENS] [-b BATCHES] [-e EVENTS] IN OUT
 *
 *   -g  generations kept (v2; default 2)
 *   -b  event batches kept per generation (v2) or Batch events (legacy) (default 4)
 *   -e  events kept per batch (default 8)
 *
 * Works on both families through the public reader: each item's bytes are
 * its offset up to the next item's (or its batch's end); the kept bytes are
 * copied as they are, and v2 batch size fields are rewritten for the new
 * payloads in their original width. The result is checked with a validating
 * reader; exit 1 if it is not accepted (or the input was not), 2 on usage or
 * I/O errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"

typedef struct item {
    gt_event ev;     /* copy; pointers not used after the decode */
    uint64_t end;    /* byte offset past the item */
    size_t batch;    /* index of the containing batch item, or SIZE_MAX */
    uint64_t payload; /* v2 batches: offset of the payload */
    int keep;
} item;

static uint8_t *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20, len = 0;
    uint8_t *p = malloc(cap);
    for (;;) {
        if (len == cap) p = realloc(p, cap *= 2);
        size_t got = fread(p + len, 1, cap - len, f);
        if (!got) break;
        len += got;
    }
    fclose(f);
    *n = len;
    return p;
}

static int accepted(const uint8_t *p, size_t n)
{
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, p, n);
    gt_event ev;
    gt_status s;
    while ((s = gt_reader_next(r, &ev)) == GT_OK) {
    }
    if (s != GT_END) fprintf(stderr, "seedgen: %s: %s\n", gt_status_name(s), gt_reader_error(r)->message);
    gt_reader_free(r);
    return s == GT_END;
}

/* IDs referenced by kept items: small open sets. */
typedef struct idset {
    uint64_t *v;
    size_t n, cap;
} idset;

static void ids_add(idset *s, uint64_t id)
{
    if (!id) return;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == id) return;
    if (s->n == s->cap) s->v = realloc(s->v, (s->cap = s->cap ? s->cap * 2 : 64) * sizeof *s->v);
    s->v[s->n++] = id;
}

static int ids_has(const idset *s, uint64_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == id) return 1;
    return 0;
}

/* Per generation (legacy: one) reference sets, keyed by generation number. */
typedef struct gen_refs {
    uint64_t gen;
    idset strings, stacks;
} gen_refs;

static gen_refs *refs_of(gen_refs *g, size_t *ng, uint64_t gen)
{
    for (size_t i = 0; i < *ng; i++)
        if (g[i].gen == gen) return &g[i];
    memset(&g[*ng], 0, sizeof g[*ng]);
    g[*ng].gen = gen;
    return &g[(*ng)++];
}

static void note_refs(gen_refs *gr, unsigned version, const gt_event *ev)
{
    if (!ev->spec) return;
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned na = gt_spec_args(ev->spec, version, a);
    for (unsigned i = 0; i < na && i < ev->nargs; i++) {
        if (a[i]->role == GT_ARG_STRING_ID) ids_add(&gr->strings, ev->args[i]);
        if (a[i]->role == GT_ARG_STACK_ID) ids_add(&gr->stacks, ev->args[i]);
    }
}

int main(int argc, char **argv)
{
    unsigned gens = 2, batches = 4, events = 8;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        unsigned v = (unsigned)strtoul(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "-g")) gens = v;
        else if (!strcmp(argv[i], "-b")) batches = v;
        else if (!strcmp(argv[i], "-e")) events = v;
        else break;
    }
    if (argc - i != 2) {
        fprintf(stderr, "usage: seedgen [-g GENS] [-b BATCHES] [-e EVENTS] IN OUT\n");
        return 2;
    }
    size_t n;
    uint8_t *in = load(argv[i], &n);
    if (!in) {
        perror(argv[i]);
        return 2;
    }

    /* Decode everything, remembering each item and its byte range. Frames
     * are needed to follow stack -> string references, so they are noted
     * during the decode. */
    size_t cap = n + 16, count = 0;
    item *it = calloc(cap, sizeof *it);
    idset *frame_ids = calloc(cap, sizeof *frame_ids);
    gt_reader *r = gt_reader_create(NULL);
    gt_reader_set_buffer(r, in, n);
    gt_event ev;
    gt_status s;
    size_t cur_batch = SIZE_MAX;
    while ((s = gt_reader_next(r, &ev)) == GT_OK && count < cap) {
        item *x = &it[count];
        x->ev = ev;
        x->ev.data = NULL;
        x->ev.frames = NULL;
        x->batch = SIZE_MAX;
        if (ev.kind == GT_KIND_BATCH) {
            cur_batch = count;
            /* v2: the header is the batch item; its payload follows. */
            uint64_t hl = 1 + (ev.type == GT_V2_EXPERIMENTAL_BATCH);
            for (unsigned k = ev.type == GT_V2_EXPERIMENTAL_BATCH; k < 4; k++) hl += ev.width[k];
            if (ev.type == GT_V2_EXPERIMENTAL_BATCH) hl += ev.data_len_width;
            x->payload = ev.offset + hl;
        } else if (ev.batch != GT_NONE && cur_batch != SIZE_MAX) {
            x->batch = cur_batch;
        }
        for (uint32_t f = 0; f < ev.nframes; f++) {
            ids_add(&frame_ids[count], ev.frames[f].func);
            ids_add(&frame_ids[count], ev.frames[f].file);
        }
        count++;
    }
    if (s != GT_END) {
        fprintf(stderr, "seedgen: %s is not accepted: %s\n", argv[i], gt_reader_error(r)->message);
        return 1;
    }
    unsigned version = gt_reader_version(r);
    int v2 = gt_version_format(version) == GT_FORMAT_V2;
    gt_reader_free(r);

    /* Byte ends: the next wire item's offset; v2 batch items end where their header does. */
    for (size_t k = 0; k < count; k++) {
        uint64_t next = n;
        for (size_t j = k + 1; j < count; j++)
            if (it[j].ev.kind != GT_KIND_GENERATION_END) {
                next = it[j].ev.offset;
                break;
            }
        it[k].end = next;
        if (v2 && it[k].ev.kind == GT_KIND_BATCH) {
            uint64_t size = it[k].ev.type == GT_V2_EXPERIMENTAL_BATCH ? it[k].ev.data_len : it[k].ev.args[3];
            it[k].end = it[k].ev.type == GT_V2_EXPERIMENTAL_BATCH ? it[k].payload + size : it[k].payload;
        }
    }

    /* Pass 1: batches, timed events, CPU samples, frequency/sync/clock and markers. */
    gen_refs refs[64];
    size_t nrefs = 0;
    uint64_t gens_seen = 0, last_gen = GT_NONE;
    unsigned batches_in_gen = 0, kept_in_batch = 0, cpu_kept = 0, exp_kept = 0;
    int keep_batch = 0;
    for (size_t k = 0; k < count; k++) {
        item *x = &it[k];
        const gt_event *e = &x->ev;
        uint64_t gen = v2 ? e->generation : 0;
        if (e->kind == GT_KIND_HEADER) {
            x->keep = 1;
            continue;
        }
        if (e->kind == GT_KIND_GENERATION_END) continue;
        if (gen != last_gen && gen != GT_NONE) {
            last_gen = gen;
            gens_seen++;
            batches_in_gen = cpu_kept = exp_kept = 0;
        }
        if (v2 && gens_seen > gens) break;
        if (nrefs >= 63) break;
        gen_refs *gr = refs_of(refs, &nrefs, gen);
        size_t b = x->batch;
        const item *parent = b != SIZE_MAX ? &it[b] : NULL;
        switch (e->kind) {
        case GT_KIND_BATCH:
            kept_in_batch = 0;
            if (!v2) {
                keep_batch = batches_in_gen++ < batches;
                x->keep = keep_batch;
            } else {
                /* v2 event batches: decided at their first event; experimental ones whole. */
                keep_batch = -1;
                if (e->type == GT_V2_EXPERIMENTAL_BATCH) x->keep = exp_kept++ < 2 && e->data_len <= 16384;
            }
            continue;
        case GT_KIND_FREQUENCY:
        case GT_KIND_CLOCK_SNAPSHOT:
        case GT_KIND_IGNORED_DATA:
        case GT_KIND_END_OF_GENERATION: x->keep = 1; break;
        case GT_KIND_CPU_SAMPLE: x->keep = cpu_kept++ < 3; break;
        case GT_KIND_EVENT:
            if (v2 && (!parent || parent->ev.type == GT_V2_EXPERIMENTAL_BATCH)) break; /* inside the batch's bytes */
            if (keep_batch < 0) keep_batch = batches_in_gen++ < batches;
            x->keep = keep_batch > 0 && kept_in_batch++ < events;
            break;
        default: break; /* strings, stacks and table markers: later passes */
        }
        if (x->keep) note_refs(gr, version, e);
        if (x->keep && v2 && parent) it[b].keep = 1;
    }
    /* Pass 2: stacks referenced (and the strings of their frames); pass 3: strings. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < count; k++) {
            item *x = &it[k];
            const gt_event *e = &x->ev;
            uint64_t gen = v2 ? e->generation : 0;
            size_t before = nrefs;
            gen_refs *gr = refs_of(refs, &nrefs, gen);
            if (nrefs != before) { /* a generation past the cut */
                nrefs = before;
                continue;
            }
            if (pass == 0 && e->kind == GT_KIND_STACK && ids_has(&gr->stacks, e->args[0])) {
                x->keep = 1;
                for (size_t j = 0; j < frame_ids[k].n; j++) ids_add(&gr->strings, frame_ids[k].v[j]);
            }
            if (pass == 1 && e->kind == GT_KIND_STRING && ids_has(&gr->strings, e->args[0])) x->keep = 1;
            if (x->keep && v2 && x->batch != SIZE_MAX) it[x->batch].keep = 1;
        }
    }
    /* Table markers of kept table batches. */
    for (size_t k = 0; k < count; k++)
        if (it[k].ev.kind == GT_KIND_TABLE_MARKER && it[k].batch != SIZE_MAX && it[it[k].batch].keep)
            it[k].keep = 1;

    /* Write: v2 batches get their new payload size. */
    uint8_t *outb = malloc(n + 64);
    size_t o = 0;
    for (size_t k = 0; k < count; k++) {
        item *x = &it[k];
        if (!x->keep || x->ev.kind == GT_KIND_GENERATION_END) continue;
        if (v2 && x->ev.kind == GT_KIND_BATCH && x->ev.type == GT_V2_EVENT_BATCH) {
            uint64_t size = 0;
            for (size_t j = k + 1; j < count && it[j].batch == k; j++)
                if (it[j].keep) size += it[j].end - it[j].ev.offset;
            outb[o++] = GT_V2_EVENT_BATCH;
            for (unsigned a = 0; a < 4; a++) {
                uint64_t v = a == 3 ? size : x->ev.args[a];
                size_t w = gt_uvarint_write_padded(outb + o, 16, v, x->ev.width[a]);
                if (!w) w = gt_uvarint_write(outb + o, 16, v);
                o += w;
            }
            continue;
        }
        memcpy(outb + o, in + x->ev.offset, (size_t)(x->end - x->ev.offset));
        o += (size_t)(x->end - x->ev.offset);
    }
    if (!accepted(outb, o)) {
        fprintf(stderr, "seedgen: the shrunk trace of %s is not accepted\n", argv[i]);
        return 1;
    }
    FILE *f = fopen(argv[i + 1], "wb");
    if (!f || fwrite(outb, 1, o, f) != o || fclose(f)) {
        perror(argv[i + 1]);
        return 2;
    }
    printf("%s: %zu -> %zu bytes (go 1.%u)\n", argv[i + 1], n, o, version);
    return 0;
}
