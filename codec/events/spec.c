/* Lookups on the event tables: a version is a view (types with since <= v,
 * arguments whose [since, until) range contains v). */
#include "events.h"
#include "table.h"

static const gt_event_spec *table_of(gt_format f, size_t *count)
{
    if (f == GT_FORMAT_V2) {
        *count = GT_V2_TABLE_LEN;
        return gt_v2_table;
    }
    if (f == GT_FORMAT_LEGACY) {
        *count = GT_LEGACY_TABLE_LEN;
        return gt_legacy_table;
    }
    *count = 0;
    return NULL;
}

const gt_event_spec *gt_spec_table(gt_format format, size_t *count) { return table_of(format, count); }

const gt_event_spec *gt_spec(unsigned version, unsigned type)
{
    size_t n;
    const gt_event_spec *t = table_of(gt_version_format(version), &n);
    if (!t || type >= n || t[type].name == NULL || t[type].since > version) return NULL;
    return &t[type];
}

static int arg_in_version(const gt_arg_spec *a, unsigned version)
{
    return (a->since == 0 || version >= a->since) && (a->until == 0 || version < a->until);
}

unsigned gt_spec_args(const gt_event_spec *spec, unsigned version, const gt_arg_spec *out[GT_MAX_ARGS])
{
    unsigned n = 0;
    for (unsigned i = 0; i < spec->nargs && n < GT_MAX_ARGS; i++)
        if (arg_in_version(&spec->args[i], version)) out[n++] = &spec->args[i];
    return n;
}

unsigned gt_spec_frame_fields(unsigned version) { return version < 7 ? 1u : 4u; }

unsigned gt_legacy_argbits(const gt_event_spec *spec, unsigned version)
{
    if (spec->flags & GT_EV_PREFIXED) return 3;
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned n = gt_spec_args(spec, version, a);
    unsigned k = version < 7 ? 2u : 1u;
    n = n > k ? n - k : 0;
    return n < 3 ? n : 3;
}

uint8_t gt_legacy_kind(unsigned type)
{
    switch (type) {
    case GT_LEG_BATCH: return GT_KIND_BATCH;
    case GT_LEG_FREQUENCY: return GT_KIND_FREQUENCY;
    case GT_LEG_STACK: return GT_KIND_STACK;
    case GT_LEG_STRING: return GT_KIND_STRING;
    case GT_LEG_CPU_SAMPLE: return GT_KIND_CPU_SAMPLE;
    default: return GT_KIND_EVENT;
    }
}
