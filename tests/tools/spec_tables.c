/* spec_tables: print the event tables of the C library as Markdown, for
 * pasting into spec/FORMAT.md (tests/scripts/t_spec_sync.sh keeps them in
 * sync). Uses the public API only, so what it prints is what callers see.
 *
 *   spec_tables            all sections, in order
 *   spec_tables NAME...    only the named sections (versions, v2-events,
 *                          legacy-events)
 *
 * Every section is framed by "<!-- BEGIN GENERATED: NAME -->" and
 * "<!-- END GENERATED: NAME -->". The output depends on the tables only. */
#include <stdio.h>
#include <string.h>

#include "gotrace.h"

#define MAX_VERSIONS 32

/* The supported versions of one format, in increasing order. */
typedef struct version_list {
    unsigned v[MAX_VERSIONS];
    size_t n;
} version_list;

static version_list versions_of(gt_format f)
{
    version_list out = {{0}, 0};
    size_t n = 0;
    const unsigned *all = gt_versions(&n);
    for (size_t i = 0; i < n && out.n < MAX_VERSIONS; i++)
        if (gt_version_format(all[i]) == f) out.v[out.n++] = all[i];
    return out;
}

static const char *format_name(gt_format f)
{
    switch (f) {
    case GT_FORMAT_LEGACY: return "legacy";
    case GT_FORMAT_V2: return "v2";
    case GT_FORMAT_UNKNOWN: break;
    }
    return "unknown";
}

/* ---- small formatting helpers ---------------------------------------- */

static int arg_present(const gt_arg_spec *a, unsigned version)
{
    return (a->since == 0 || version >= a->since) && (a->until == 0 || version < a->until);
}

/* The marker printed after an argument name for its role. */
static const char *role_mark(unsigned role)
{
    switch ((gt_arg_role)role) {
    case GT_ARG_VALUE: return "";
    case GT_ARG_TIME_DELTA: return "(Δt)";
    case GT_ARG_TIME: return "(t)";
    case GT_ARG_STRING_ID: return "(str)";
    case GT_ARG_STACK_ID: return "(stk)";
    case GT_ARG_SEQ_DELTA: return "(Δseq)";
    case GT_ARG_RAW_BYTE: return "(byte)";
    case GT_ARG_SIZE: return "(size)";
    }
    return "(?)";
}

/* Print the versions of vl in which `present` holds, as "1.7+", "1.5 only",
 * "1.5–1.8", or a comma list when they are not contiguous. */
static void print_range(const version_list *vl, const unsigned char *present)
{
    size_t first = vl->n, last = 0, count = 0;
    for (size_t i = 0; i < vl->n; i++) {
        if (!present[i]) continue;
        if (first == vl->n) first = i;
        last = i;
        count++;
    }
    if (count == 0) {
        printf("never");
    } else if (count == last - first + 1) {
        if (first == last) printf("1.%u only", vl->v[first]);
        else if (last == vl->n - 1) printf("1.%u+", vl->v[first]);
        else printf("1.%u–1.%u", vl->v[first], vl->v[last]);
    } else {
        const char *sep = "";
        for (size_t i = 0; i < vl->n; i++) {
            if (!present[i]) continue;
            printf("%s1.%u", sep, vl->v[i]);
            sep = ", ";
        }
    }
}

/* The arguments on the wire, in order, across the versions of the format
 * that have the event: `name`(role)[range]. The range is printed only for
 * arguments that some of those versions lack; arguments none of them carry
 * are left out. */
static void print_args(const gt_event_spec *e, const version_list *vl)
{
    int printed = 0;
    for (unsigned i = 0; i < e->nargs; i++) {
        const gt_arg_spec *a = &e->args[i];
        unsigned char present[MAX_VERSIONS];
        int always = 1, ever = 0;
        for (size_t k = 0; k < vl->n; k++) {
            present[k] = (unsigned char)(arg_present(a, vl->v[k]) && e->since <= vl->v[k]);
            if (e->since <= vl->v[k] && !present[k]) always = 0;
            if (present[k]) ever = 1;
        }
        if (!ever) continue;
        printf("%s`%s`%s", printed ? " " : "", a->name, role_mark(a->role));
        printed = 1;
        if (!always) {
            printf("[");
            print_range(vl, present);
            printf("]");
        }
    }
    if (!printed) printf("–");
}

static void print_flags(unsigned flags)
{
    static const struct {
        unsigned bit;
        char letter;
    } letters[] = {{GT_EV_TIMED, 'T'},  {GT_EV_HAS_DATA, 'D'}, {GT_EV_IS_STACK, 'K'}, {GT_EV_BATCH, 'B'},
                   {GT_EV_STRUCTURAL, 'S'}, {GT_EV_PREFIXED, 'P'}, {GT_EV_TRAILER, 'L'}};
    int any = 0;
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (flags & letters[i].bit) {
            putchar(letters[i].letter);
            any = 1;
        }
    if (!any) printf("–");
}

/* Wire varints (arguments only; frames and data not counted) per version,
 * grouped: "1.5: 4 · 1.7+: 3". */
static void print_counts(const gt_event_spec *e, const version_list *vl)
{
    unsigned counts[MAX_VERSIONS];
    const gt_arg_spec *tmp[GT_MAX_ARGS];
    for (size_t k = 0; k < vl->n; k++) counts[k] = gt_spec_args(e, vl->v[k], tmp);
    const char *sep = "";
    size_t k = 0;
    while (k < vl->n && vl->v[k] < e->since) k++;
    while (k < vl->n) {
        size_t j = k;
        while (j + 1 < vl->n && counts[j + 1] == counts[k]) j++;
        unsigned char present[MAX_VERSIONS] = {0};
        for (size_t i = k; i <= j; i++) present[i] = 1;
        printf("%s", sep);
        if (j == vl->n - 1 && (k == 0 || vl->v[k] <= e->since)) printf("%u", counts[k]);
        else {
            print_range(vl, present);
            printf(": %u", counts[k]);
        }
        sep = " · ";
        k = j + 1;
    }
}

/* ---- sections ----------------------------------------------------------- */

static void begin(const char *name) { printf("<!-- BEGIN GENERATED: %s -->\n", name); }
static void end(const char *name) { printf("<!-- END GENERATED: %s -->\n", name); }

/* The types a version adds: "37 String, 38 GoStartLocal" or, for long
 * lists, "1–44 (44 types)" style ranges. */
static void print_added(unsigned version)
{
    size_t n = 0;
    const gt_event_spec *t = gt_spec_table(gt_version_format(version), &n);
    unsigned added[256];
    size_t na = 0;
    for (size_t i = 0; i < n && na < 256; i++)
        if (t[i].name && t[i].since == version) added[na++] = t[i].type;
    if (na == 0) {
        printf("–");
        return;
    }
    const char *sep = "";
    if (na <= 6) {
        for (size_t i = 0; i < na; i++) {
            printf("%s%u %s", sep, added[i], t[added[i]].name);
            sep = ", ";
        }
        return;
    }
    for (size_t i = 0; i < na;) {
        size_t j = i;
        while (j + 1 < na && added[j + 1] == added[j] + 1) j++;
        if (j == i) printf("%s%u %s", sep, added[i], t[added[i]].name);
        else printf("%s%u–%u (%s … %s)", sep, added[i], added[j], t[added[i]].name, t[added[j]].name);
        sep = ", ";
        i = j + 1;
    }
}

/* Argument changes in `version` relative to the previous version of the
 * same format: "+`kindid` (GCSTWStart)", "−`dseq` (35 events)". */
static void print_arg_changes(unsigned version, unsigned prev)
{
    size_t n = 0;
    const gt_event_spec *t = gt_spec_table(gt_version_format(version), &n);
    const char *sep = "";
    int any = 0;
    for (int sign = 0; sign < 2; sign++) {
        /* Group by argument name in table order of first appearance. */
        const char *names[64];
        unsigned roles[64];
        size_t nn = 0;
        for (size_t i = 0; i < n; i++) {
            if (!t[i].name || t[i].since > prev || prev == 0) continue;
            for (unsigned a = 0; a < t[i].nargs; a++) {
                const gt_arg_spec *g = &t[i].args[a];
                int was = arg_present(g, prev), is = arg_present(g, version);
                if (sign == 0 ? (was || !is) : (!was || is)) continue;
                size_t k = 0;
                while (k < nn && (strcmp(names[k], g->name) != 0 || roles[k] != g->role)) k++;
                if (k == nn && nn < 64) {
                    names[nn] = g->name;
                    roles[nn++] = g->role;
                }
            }
        }
        for (size_t k = 0; k < nn; k++) {
            const char *evs[256];
            size_t ne = 0;
            for (size_t i = 0; i < n; i++) {
                if (!t[i].name || t[i].since > prev) continue;
                for (unsigned a = 0; a < t[i].nargs; a++) {
                    const gt_arg_spec *g = &t[i].args[a];
                    int was = arg_present(g, prev), is = arg_present(g, version);
                    if (strcmp(g->name, names[k]) != 0 || g->role != roles[k]) continue;
                    if (sign == 0 ? (was || !is) : (!was || is)) continue;
                    if (ne == 0 || evs[ne - 1] != t[i].name) evs[ne++] = t[i].name;
                }
            }
            printf("%s%s`%s`%s ", sep, sign == 0 ? "+" : "−", names[k], role_mark(roles[k]));
            if (ne > 4) printf("(%zu events)", ne);
            else {
                printf("(");
                for (size_t i = 0; i < ne; i++) printf("%s%s", i ? ", " : "", evs[i]);
                printf(")");
            }
            sep = ", ";
            any = 1;
        }
    }
    if (!any) printf("–");
}

static void section_versions(void)
{
    size_t n = 0;
    const unsigned *all = gt_versions(&n);
    begin("versions");
    printf("| Version | Header bytes (hex) | Format | Event types added | Argument changes | Frame varints |\n");
    printf("|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        unsigned v = all[i];
        gt_format f = gt_version_format(v);
        uint8_t h[GT_HEADER_SIZE];
        printf("| go 1.%u | `", v);
        if (gt_header_write(h, sizeof h, v) == GT_HEADER_SIZE)
            for (size_t k = 0; k < GT_HEADER_SIZE; k++) printf("%s%02x", k ? " " : "", h[k]);
        printf("` | %s | ", format_name(f));
        print_added(v);
        printf(" | ");
        unsigned prev = 0;
        for (size_t k = 0; k < i; k++)
            if (gt_version_format(all[k]) == f) prev = all[k];
        print_arg_changes(v, prev);
        printf(" | %u |\n", gt_spec_frame_fields(v));
    }
    end("versions");
}

static void section_events(gt_format f, const char *name)
{
    size_t n = 0;
    const gt_event_spec *t = gt_spec_table(f, &n);
    version_list vl = versions_of(f);
    begin(name);
    if (f == GT_FORMAT_V2) {
        printf("| Type | Hex | Name | Wire arguments | Flags | Exp | Since |\n");
        printf("|---:|---|---|---|---|---:|---|\n");
    } else {
        printf("| Type | Hex | Name | Wire arguments | Varints | Flags | Since |\n");
        printf("|---:|---|---|---|---|---|---|\n");
    }
    for (size_t i = 0; i < n; i++) {
        const gt_event_spec *e = &t[i];
        if (!e->name) continue;
        printf("| %u | `0x%02x` | %s | ", e->type, e->type, e->name);
        print_args(e, &vl);
        printf(" | ");
        if (f == GT_FORMAT_V2) {
            print_flags(e->flags);
            if (e->experiment) printf(" | %u | 1.%u |\n", e->experiment, e->since);
            else printf(" | – | 1.%u |\n", e->since);
        } else {
            print_counts(e, &vl);
            printf(" | ");
            print_flags(e->flags);
            printf(" | 1.%u |\n", e->since);
        }
    }
    end(name);
}

static void s_versions(void) { section_versions(); }
static void s_v2(void) { section_events(GT_FORMAT_V2, "v2-events"); }
static void s_legacy(void) { section_events(GT_FORMAT_LEGACY, "legacy-events"); }

static const struct {
    const char *name;
    void (*print)(void);
} sections[] = {{"versions", s_versions}, {"v2-events", s_v2}, {"legacy-events", s_legacy}};
#define NSECTIONS (sizeof sections / sizeof sections[0])

int main(int argc, char **argv)
{
    if (argc == 1) {
        for (size_t i = 0; i < NSECTIONS; i++) {
            if (i) putchar('\n');
            sections[i].print();
        }
        return ferror(stdout) ? 1 : 0;
    }
    for (int a = 1; a < argc; a++) {
        size_t i = 0;
        while (i < NSECTIONS && strcmp(sections[i].name, argv[a]) != 0) i++;
        if (i == NSECTIONS) {
            fprintf(stderr, "spec_tables: unknown section '%s' (versions, v2-events, legacy-events)\n", argv[a]);
            return 2;
        }
        if (a > 1) putchar('\n');
        sections[i].print();
    }
    return ferror(stdout) ? 1 : 0;
}
