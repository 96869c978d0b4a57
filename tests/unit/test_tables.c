/* Consistency of the event tables (codec/events/table_*.c) with each other and
 * with Go's own definitions, plus the status list and the version macros.
 *
 * The expectations below were written by hand from Go's sources:
 *   v2:     internal/trace/event/go122/event.go (Go 1.23) and
 *           internal/trace/tracev2/events.go (Go 1.25: Sync, ClockSnapshot,
 *           EndOfGeneration, CPUSample's StackIDs)
 *   legacy: internal/trace/parser.go (Go 1.19): EventDescriptions and argNum()
 * so a change to the C tables that disagrees with Go fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "events/table.h"
#include "gotrace.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned legacy_versions[] = {5, 7, 8, 9, 10, 11, 19, 21};
static const unsigned v2_versions[] = {22, 23, 25, 26};

/* ---- helpers ----------------------------------------------------------- */

static const gt_event_spec *table(gt_format f, size_t *n)
{
    const gt_event_spec *t = gt_spec_table(f, n);
    assert_non_null(t);
    return t;
}

/* Arguments of `type` in `version`, names joined by spaces ("dt g seq"). */
static void arg_names(unsigned version, unsigned type, char *out, size_t cap)
{
    const gt_event_spec *e = gt_spec(version, type);
    if (!e) fail_msg("go 1.%u: type %u is not defined", version, type);
    const gt_arg_spec *a[GT_MAX_ARGS];
    unsigned n = gt_spec_args(e, version, a);
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        int w = snprintf(out + len, cap - len, "%s%s", i ? " " : "", a[i]->name);
        assert_true(w > 0 && (size_t)w < cap - len);
        len += (size_t)w;
    }
}

static void expect_args(unsigned version, unsigned type, const char *want)
{
    char got[256];
    arg_names(version, type, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("go 1.%u type %u (%s): args \"%s\", Go has \"%s\"", version, type, gt_spec(version, type)->name,
                 got, want);
}

static unsigned nargs(unsigned version, unsigned type)
{
    const gt_event_spec *e = gt_spec(version, type);
    if (!e) fail_msg("go 1.%u: type %u is not defined", version, type);
    const gt_arg_spec *a[GT_MAX_ARGS];
    return gt_spec_args(e, version, a);
}

/* ---- table shape ------------------------------------------------------- */

static void check_shape(gt_format f, size_t want_len, const unsigned (*ranges)[2], size_t nranges)
{
    size_t n = 0;
    const gt_event_spec *t = table(f, &n);
    assert_int_equal(n, want_len);
    for (size_t i = 0; i < n; i++) {
        int in_range = 0;
        for (size_t r = 0; r < nranges; r++)
            if (i >= ranges[r][0] && i <= ranges[r][1]) in_range = 1;
        if (in_range && t[i].name == NULL) fail_msg("format %d: type %zu has no entry", (int)f, i);
        if (!in_range && t[i].name != NULL) fail_msg("format %d: type %zu (%s) outside the defined ranges", (int)f, i,
                                                     t[i].name);
        if (!t[i].name) {
            assert_int_equal(t[i].nargs, 0);
            continue;
        }
        if (t[i].type != i) fail_msg("%s: type %u stored at index %zu", t[i].name, t[i].type, i);
        assert_true(t[i].nargs <= GT_MAX_ARGS);
        assert_true(t[i].nargs == 0 || t[i].args != NULL);
        assert_true(strlen(t[i].name) > 0);
        for (size_t j = 0; j < i; j++)
            if (t[j].name && strcmp(t[j].name, t[i].name) == 0)
                fail_msg("name %s used by types %zu and %zu", t[i].name, j, i);
    }
}

static void test_v2_shape(void **state)
{
    (void)state;
    static const unsigned ranges[][2] = {{1, 52}, {128, 136}};
    check_shape(GT_FORMAT_V2, GT_V2_TABLE_LEN, ranges, ARRAY_LEN(ranges));
    assert_int_equal(GT_V2_TABLE_LEN, 137);
}

static void test_legacy_shape(void **state)
{
    (void)state;
    static const unsigned ranges[][2] = {{1, 49}};
    check_shape(GT_FORMAT_LEGACY, GT_LEGACY_TABLE_LEN, ranges, ARRAY_LEN(ranges));
    assert_int_equal(GT_LEGACY_TABLE_LEN, 50);
}

static void test_unknown_format(void **state)
{
    (void)state;
    size_t n = 99;
    assert_null(gt_spec_table(GT_FORMAT_UNKNOWN, &n));
    assert_int_equal(n, 0);
}

/* ---- since, experiments ------------------------------------------------ */

static void test_v2_since(void **state)
{
    (void)state;
    size_t n = 0;
    const gt_event_spec *t = table(GT_FORMAT_V2, &n);
    for (unsigned i = 1; i <= 52; i++) {
        unsigned want = i <= 44 ? 22 : i <= 49 ? 23 : i <= 51 ? 25 : 26;
        if (t[i].since != want) fail_msg("%s (type %u): since %u, want %u", t[i].name, i, t[i].since, want);
    }
    for (unsigned i = 128; i <= 136; i++) assert_int_equal(t[i].since, 23);
}

static void test_v2_experiments(void **state)
{
    (void)state;
    size_t n = 0;
    const gt_event_spec *t = table(GT_FORMAT_V2, &n);
    for (unsigned i = 0; i < n; i++) {
        if (!t[i].name) continue;
        unsigned want = i >= 128 ? 1 : 0;
        if (t[i].experiment != want) fail_msg("%s: experiment %u, want %u", t[i].name, t[i].experiment, want);
        if (i >= 128) assert_true(t[i].flags & GT_EV_TIMED);
    }
}

static void test_legacy_since(void **state)
{
    (void)state;
    /* Go 1.19 EventDescriptions minVersion, 1005 -> 5 ... */
    size_t n = 0;
    const gt_event_spec *t = table(GT_FORMAT_LEGACY, &n);
    for (unsigned i = 1; i <= 49; i++) {
        unsigned want = i <= 36 ? 5 : i <= 40 ? 7 : i <= 42 ? 8 : i <= 44 ? 9 : i <= 48 ? 11 : 19;
        if (t[i].since != want) fail_msg("%s (type %u): since %u, want %u", t[i].name, i, t[i].since, want);
        assert_int_equal(t[i].experiment, 0);
    }
}

/* ---- per-version views ------------------------------------------------- */

static void check_views(gt_format f, const unsigned *versions, size_t nv)
{
    size_t n = 0;
    const gt_event_spec *t = table(f, &n);
    for (size_t k = 0; k < nv; k++) {
        unsigned v = versions[k];
        assert_int_equal(gt_version_format(v), f);
        for (unsigned type = 0; type < 256; type++) {
            const gt_event_spec *e = gt_spec(v, type);
            int want = type < n && t[type].name && t[type].since <= v;
            if (want != (e != NULL)) fail_msg("go 1.%u type %u: gt_spec %s", v, type, e ? "defined" : "NULL");
            if (!e) continue;
            assert_ptr_equal(e, &t[type]);
            /* Argument names are unique within an event in every version. */
            const gt_arg_spec *a[GT_MAX_ARGS];
            unsigned na = gt_spec_args(e, v, a);
            assert_true(na <= GT_MAX_ARGS);
            for (unsigned i = 0; i < na; i++)
                for (unsigned j = 0; j < i; j++)
                    if (strcmp(a[i]->name, a[j]->name) == 0)
                        fail_msg("go 1.%u %s: argument %s appears twice", v, e->name, a[i]->name);
        }
    }
}

static void test_v2_views(void **state)
{
    (void)state;
    check_views(GT_FORMAT_V2, v2_versions, ARRAY_LEN(v2_versions));
}

static void test_legacy_views(void **state)
{
    (void)state;
    check_views(GT_FORMAT_LEGACY, legacy_versions, ARRAY_LEN(legacy_versions));
}

static void test_views_spot(void **state)
{
    (void)state;
    assert_null(gt_spec(22, 45));  /* GoSwitch is 1.23+ */
    assert_null(gt_spec(22, 49));  /* ExperimentalBatch is 1.23+ */
    assert_null(gt_spec(22, 128)); /* experimental events are 1.23+ */
    assert_non_null(gt_spec(23, 136));
    assert_null(gt_spec(23, 137));
    assert_null(gt_spec(23, 50)); /* Sync is 1.25+ */
    assert_null(gt_spec(23, 51));
    assert_non_null(gt_spec(25, 51));
    assert_null(gt_spec(25, 52)); /* EndOfGeneration is 1.26+ */
    assert_non_null(gt_spec(26, 52));
    assert_null(gt_spec(26, 53));
    assert_null(gt_spec(26, 127));
    assert_null(gt_spec(26, 0));
    assert_null(gt_spec(26, 255));
    assert_null(gt_spec(5, 37)); /* String is 1.7+ */
    assert_non_null(gt_spec(7, 37));
    assert_null(gt_spec(7, 41));
    assert_non_null(gt_spec(8, 42));
    assert_null(gt_spec(8, 43));
    assert_null(gt_spec(10, 45));
    assert_null(gt_spec(11, 49)); /* CPUSample is 1.19+ */
    assert_non_null(gt_spec(19, 49));
    assert_null(gt_spec(21, 50));
    assert_null(gt_spec(21, 0));
    /* Unsupported versions define nothing. */
    assert_null(gt_spec(0, 1));
    assert_null(gt_spec(6, 1));
    assert_null(gt_spec(24, 1));
    assert_null(gt_spec(27, 1));
}

static void test_frame_fields(void **state)
{
    (void)state;
    assert_int_equal(gt_spec_frame_fields(5), 1);
    for (size_t k = 1; k < ARRAY_LEN(legacy_versions); k++)
        assert_int_equal(gt_spec_frame_fields(legacy_versions[k]), 4);
    for (size_t k = 0; k < ARRAY_LEN(v2_versions); k++) assert_int_equal(gt_spec_frame_fields(v2_versions[k]), 4);
}

/* ---- v2 arguments against Go ------------------------------------------- */

/* Go's Args, StringIDs and StackIDs (indices into Args), transcribed. */
typedef struct go_v2_spec {
    unsigned type;
    const char *args;
    int strs[2];
    int stks[2];
} go_v2_spec;

#define NO {-1, -1}
static const go_v2_spec go_v2[] = {
    {1, "gen m time size", NO, NO},
    {2, "", NO, NO},
    {3, "id nframes", NO, NO},
    {4, "", NO, NO},
    {5, "id", NO, NO},
    {6, "", NO, NO},
    {7, "time m p g stack", NO, {4, -1}},
    {8, "freq", NO, NO},
    {9, "dt procs_value stack", NO, {2, -1}},
    {10, "dt p p_seq", NO, NO},
    {11, "dt", NO, NO},
    {12, "dt p p_seq m", NO, NO},
    {13, "dt p pstatus", NO, NO},
    {14, "dt new_g new_stack stack", NO, {3, 2}},
    {15, "dt new_g", NO, NO},
    {16, "dt g g_seq", NO, NO},
    {17, "dt", NO, NO},
    {18, "dt", NO, NO},
    {19, "dt reason_string stack", {1, -1}, {2, -1}},
    {20, "dt reason_string stack", {1, -1}, {2, -1}},
    {21, "dt g g_seq stack", NO, {3, -1}},
    {22, "dt p_seq stack", NO, {2, -1}},
    {23, "dt", NO, NO},
    {24, "dt", NO, NO},
    {25, "dt g m gstatus", NO, NO},
    {26, "dt kind_string stack", {1, -1}, {2, -1}},
    {27, "dt", NO, NO},
    {28, "dt gc_seq", NO, NO},
    {29, "dt gc_seq stack", NO, {2, -1}},
    {30, "dt gc_seq", NO, NO},
    {31, "dt p", NO, NO},
    {32, "dt stack", NO, {1, -1}},
    {33, "dt swept_value reclaimed_value", NO, NO},
    {34, "dt g", NO, NO},
    {35, "dt stack", NO, {1, -1}},
    {36, "dt", NO, NO},
    {37, "dt heapalloc_value", NO, NO},
    {38, "dt heapgoal_value", NO, NO},
    {39, "dt label_string", {1, -1}, NO},
    {40, "dt task parent_task name_string stack", {3, -1}, {4, -1}},
    {41, "dt task stack", NO, {2, -1}},
    {42, "dt task name_string stack", {2, -1}, {3, -1}},
    {43, "dt task name_string stack", {2, -1}, {3, -1}},
    {44, "dt task key_string value_string stack", {2, 3}, {4, -1}},
    {45, "dt g g_seq", NO, NO},
    {46, "dt g g_seq", NO, NO},
    {47, "dt new_g new_stack stack", NO, {3, 2}},
    {48, "dt g m gstatus stack", NO, {4, -1}},
    {49, "exp gen m time", NO, NO},
    {50, "", NO, NO},
    {51, "dt mono sec nsec", NO, NO},
    {52, "", NO, NO},
    {128, "dt id npages_value kindclass", NO, NO},
    {129, "dt id npages_value kindclass", NO, NO},
    {130, "dt id", NO, NO},
    {131, "dt id type", NO, NO},
    {132, "dt id type", NO, NO},
    {133, "dt id", NO, NO},
    {134, "dt id order", NO, NO},
    {135, "dt id order", NO, NO},
    {136, "dt id", NO, NO},
};
#undef NO

static int listed(const int *list, unsigned i) { return list[0] == (int)i || list[1] == (int)i; }

static void test_v2_args_match_go(void **state)
{
    (void)state;
    assert_int_equal(ARRAY_LEN(go_v2), 52 + 9);
    for (size_t k = 0; k < ARRAY_LEN(go_v2); k++) {
        const go_v2_spec *g = &go_v2[k];
        const gt_event_spec *e = gt_spec(26, g->type);
        assert_non_null(e);
        for (size_t vi = 0; vi < ARRAY_LEN(v2_versions); vi++)
            if (e->since <= v2_versions[vi]) expect_args(v2_versions[vi], g->type, g->args);
        const gt_arg_spec *a[GT_MAX_ARGS];
        unsigned n = gt_spec_args(e, 26, a);
        for (unsigned i = 0; i < n; i++) {
            /* v2 arguments never change between versions. */
            assert_int_equal(e->args[i].since, 0);
            assert_int_equal(e->args[i].until, 0);
            int is_str = a[i]->role == GT_ARG_STRING_ID, is_stk = a[i]->role == GT_ARG_STACK_ID;
            if (is_str != listed(g->strs, i))
                fail_msg("%s arg %u (%s): string role %d, Go %d", e->name, i, a[i]->name, is_str, !is_str);
            if (is_stk != listed(g->stks, i))
                fail_msg("%s arg %u (%s): stack role %d, Go %d", e->name, i, a[i]->name, is_stk, !is_stk);
            /* Timed events start with dt, and only they do. */
            if (i == 0 && (e->flags & GT_EV_TIMED)) assert_int_equal(a[i]->role, GT_ARG_TIME_DELTA);
            if (i > 0 || !(e->flags & GT_EV_TIMED)) assert_int_not_equal(a[i]->role, GT_ARG_TIME_DELTA);
        }
        /* Go's MaxTimedEventArgs: at most 5 arguments, dt included. */
        if (e->flags & GT_EV_TIMED) assert_true(n >= 1 && n <= 5);
    }
}

static void test_v2_flags(void **state)
{
    (void)state;
    size_t n = 0;
    const gt_event_spec *t = table(GT_FORMAT_V2, &n);
    for (unsigned i = 0; i < n; i++) {
        if (!t[i].name) continue;
        unsigned f = t[i].flags;
        /* Go: IsTimedEvent for 9..48, 51 and the experimental events. */
        int timed = (i >= 9 && i <= 48) || i == 51 || i >= 128;
        if (!!(f & GT_EV_TIMED) != timed) fail_msg("%s: timed flag", t[i].name);
        /* HasData: String and ExperimentalBatch. IsStack: Stack. */
        if (!!(f & GT_EV_HAS_DATA) != (i == 5 || i == 49)) fail_msg("%s: data flag", t[i].name);
        if (!!(f & GT_EV_IS_STACK) != (i == 3)) fail_msg("%s: stack flag", t[i].name);
        if (!!(f & GT_EV_BATCH) != (i == 1 || i == 49)) fail_msg("%s: batch flag", t[i].name);
        if (!!(f & GT_EV_STRUCTURAL) != ((i >= 1 && i <= 8) || (i >= 49 && i <= 52))) fail_msg("%s: structural flag", t[i].name);
        assert_int_equal(f & (GT_EV_PREFIXED | GT_EV_TRAILER), 0);
    }
    /* The one raw byte and the batch size are where Go puts them. */
    assert_int_equal(t[49].args[0].role, GT_ARG_RAW_BYTE);
    assert_int_equal(t[1].args[3].role, GT_ARG_SIZE);
    assert_int_equal(t[1].args[2].role, GT_ARG_TIME);
    assert_int_equal(t[49].args[3].role, GT_ARG_TIME);
    assert_int_equal(t[7].args[0].role, GT_ARG_TIME); /* CPUSample time is absolute */
}

static void test_v2_spot_checks(void **state)
{
    (void)state;
    assert_int_equal(nargs(22, 14), 4); /* GoCreate dt new_g new_stack stack */
    expect_args(22, 14, "dt new_g new_stack stack");
    expect_args(23, 44, "dt task key_string value_string stack");
    const gt_event_spec *e = gt_spec(22, 44); /* UserLog */
    const gt_arg_spec *a[GT_MAX_ARGS];
    assert_int_equal(gt_spec_args(e, 22, a), 5);
    assert_int_equal(a[2]->role, GT_ARG_STRING_ID);
    assert_int_equal(a[3]->role, GT_ARG_STRING_ID);
    assert_int_equal(a[4]->role, GT_ARG_STACK_ID);
    assert_int_equal(a[1]->role, GT_ARG_VALUE);
    assert_string_equal(gt_spec(26, GT_V2_END_OF_GENERATION)->name, "EndOfGeneration");
    assert_string_equal(gt_spec(23, GT_V2_EXPERIMENTAL_BATCH)->name, "ExperimentalBatch");
    assert_string_equal(gt_spec(25, GT_V2_SYNC)->name, "Sync");
    assert_string_equal(gt_spec(25, GT_V2_CLOCK_SNAPSHOT)->name, "ClockSnapshot");
    assert_string_equal(gt_spec(22, GT_V2_FREQUENCY)->name, "Frequency");
    assert_string_equal(gt_spec(22, GT_V2_EVENT_BATCH)->name, "EventBatch");
    assert_string_equal(gt_spec(22, GT_V2_STACKS)->name, "Stacks");
    assert_string_equal(gt_spec(22, GT_V2_STACK)->name, "Stack");
    assert_string_equal(gt_spec(22, GT_V2_STRINGS)->name, "Strings");
    assert_string_equal(gt_spec(22, GT_V2_STRING)->name, "String");
    assert_string_equal(gt_spec(22, GT_V2_CPU_SAMPLES)->name, "CPUSamples");
    assert_string_equal(gt_spec(22, GT_V2_CPU_SAMPLE)->name, "CPUSample");
}

/* ---- legacy arguments against Go --------------------------------------- */

/* Go 1.19 EventDescriptions: name, Args (after the timestamp), Stack. */
typedef struct go_legacy_desc {
    const char *name;
    const char *args;
    int stack;
} go_legacy_desc;

static const go_legacy_desc go_legacy[50] = {
    [1] = {"Batch", "p ticks", 0},
    [2] = {"Frequency", "freq", 0},
    [3] = {"Stack", "id siz", 0},
    [4] = {"Gomaxprocs", "procs", 1},
    [5] = {"ProcStart", "thread", 0},
    [6] = {"ProcStop", "", 0},
    [7] = {"GCStart", "seq", 1},
    [8] = {"GCDone", "", 0},
    [9] = {"GCSTWStart", "kindid", 0},
    [10] = {"GCSTWDone", "", 0},
    [11] = {"GCSweepStart", "", 1},
    [12] = {"GCSweepDone", "swept reclaimed", 0},
    [13] = {"GoCreate", "g stack", 1},
    [14] = {"GoStart", "g seq", 0},
    [15] = {"GoEnd", "", 0},
    [16] = {"GoStop", "", 1},
    [17] = {"GoSched", "", 1},
    [18] = {"GoPreempt", "", 1},
    [19] = {"GoSleep", "", 1},
    [20] = {"GoBlock", "", 1},
    [21] = {"GoUnblock", "g seq", 1},
    [22] = {"GoBlockSend", "", 1},
    [23] = {"GoBlockRecv", "", 1},
    [24] = {"GoBlockSelect", "", 1},
    [25] = {"GoBlockSync", "", 1},
    [26] = {"GoBlockCond", "", 1},
    [27] = {"GoBlockNet", "", 1},
    [28] = {"GoSysCall", "", 1},
    [29] = {"GoSysExit", "g seq ts", 0},
    [30] = {"GoSysBlock", "", 0},
    [31] = {"GoWaiting", "g", 0},
    [32] = {"GoInSyscall", "g", 0},
    [33] = {"HeapAlloc", "mem", 0},
    [34] = {"HeapGoal", "mem", 0},
    [35] = {"TimerGoroutine", "g", 0},
    [36] = {"FutileWakeup", "", 0},
    [37] = {"String", "", 0},
    [38] = {"GoStartLocal", "g", 0},
    [39] = {"GoUnblockLocal", "g", 1},
    [40] = {"GoSysExitLocal", "g ts", 0},
    [41] = {"GoStartLabel", "g seq labelid", 0},
    [42] = {"GoBlockGC", "", 1},
    [43] = {"GCMarkAssistStart", "", 1},
    [44] = {"GCMarkAssistDone", "", 0},
    [45] = {"UserTaskCreate", "taskid pid typeid", 1},
    [46] = {"UserTaskEnd", "taskid", 1},
    [47] = {"UserRegion", "taskid mode typeid", 1},
    [48] = {"UserLog", "id keyid", 1},
    [49] = {"CPUSample", "ts p g", 1},
};

static unsigned count_words(const char *s)
{
    unsigned n = 0;
    for (int in = 0; *s; s++) {
        if (*s != ' ' && !in) n++;
        in = *s != ' ';
    }
    return n;
}

/* Go 1.19 argNum(): varints an event of `type` carries in version v. */
static unsigned go_arg_num(unsigned type, unsigned v)
{
    const go_legacy_desc *d = &go_legacy[type];
    unsigned n = count_words(d->args) + (d->stack ? 1u : 0u);
    if (type == 1 || type == 2 || type == 35) return n + (v < 7 ? 1u : 0u); /* unused/seq before 1.7 */
    n++;                                                                     /* timestamp */
    if (v < 7) n++;                                                          /* sequence */
    if (type == 12 && v < 9) n -= 2;
    if ((type == 7 || type == 14 || type == 21) && v < 7) n--;
    if (type == 9 && v < 10) n--;
    return n;
}

static void test_legacy_arg_counts_match_go(void **state)
{
    (void)state;
    size_t n = 0;
    const gt_event_spec *t = table(GT_FORMAT_LEGACY, &n);
    for (unsigned type = 1; type <= 49; type++) {
        assert_string_equal(t[type].name, go_legacy[type].name);
        if (type == GT_LEG_STACK || type == GT_LEG_STRING) continue; /* variable / special */
        for (size_t k = 0; k < ARRAY_LEN(legacy_versions); k++) {
            unsigned v = legacy_versions[k];
            if (!gt_spec(v, type)) continue;
            unsigned got = nargs(v, type), want = go_arg_num(type, v);
            if (got != want) fail_msg("go 1.%u %s: %u varints, Go's argNum says %u", v, t[type].name, got, want);
        }
    }
}

/* In 1.7+ the named arguments (without dt and the trailing stack) are Go's
 * Args, in order; the trailing stack is a stack ID exactly when Go's Stack. */
static void test_legacy_names_match_go(void **state)
{
    (void)state;
    for (unsigned type = 1; type <= 49; type++) {
        if (type == GT_LEG_STRING) continue;
        const gt_event_spec *e = gt_spec(21, type);
        assert_non_null(e);
        const gt_arg_spec *a[GT_MAX_ARGS];
        unsigned na = gt_spec_args(e, 21, a);
        char names[256] = "";
        size_t len = 0;
        unsigned first = (e->flags & GT_EV_TIMED) ? 1 : 0, last = na;
        if (first) assert_int_equal(a[0]->role, GT_ARG_TIME_DELTA);
        if (go_legacy[type].stack) {
            assert_true(na > 0);
            assert_int_equal(a[na - 1]->role, GT_ARG_STACK_ID);
            last = na - 1;
        }
        for (unsigned i = first; i < last; i++) {
            int w = snprintf(names + len, sizeof names - len, "%s%s", len ? " " : "", a[i]->name);
            assert_true(w > 0);
            len += (size_t)w;
        }
        if (strcmp(names, go_legacy[type].args) != 0)
            fail_msg("%s: named args \"%s\", Go has \"%s\"", e->name, names, go_legacy[type].args);
    }
}

static void test_legacy_roles(void **state)
{
    (void)state;
    /* String IDs: GoStartLabel labelid, UserTaskCreate/UserRegion typeid,
     * UserLog keyid. Stack IDs: the trailing stack of Stack=true events and
     * GoCreate's stack (1.7+; a PC in 1.5). Nothing else is an ID. */
    for (size_t k = 0; k < ARRAY_LEN(legacy_versions); k++) {
        unsigned v = legacy_versions[k];
        for (unsigned type = 1; type <= 49; type++) {
            const gt_event_spec *e = gt_spec(v, type);
            if (!e) continue;
            const gt_arg_spec *a[GT_MAX_ARGS];
            unsigned na = gt_spec_args(e, v, a);
            for (unsigned i = 0; i < na; i++) {
                int want_str = (type == 41 && strcmp(a[i]->name, "labelid") == 0) ||
                               ((type == 45 || type == 47) && strcmp(a[i]->name, "typeid") == 0) ||
                               (type == 48 && strcmp(a[i]->name, "keyid") == 0);
                int want_stk = (go_legacy[type].stack && i == na - 1) || (type == 13 && v >= 7 && i == na - 2);
                if (want_str != (a[i]->role == GT_ARG_STRING_ID))
                    fail_msg("go 1.%u %s arg %s: string role", v, e->name, a[i]->name);
                if (want_stk != (a[i]->role == GT_ARG_STACK_ID))
                    fail_msg("go 1.%u %s arg %s: stack role", v, e->name, a[i]->name);
                if (a[i]->role == GT_ARG_SEQ_DELTA) assert_true(v < 7 && i == 0);
                if (a[i]->role == GT_ARG_TIME_DELTA)
                    assert_true((e->flags & GT_EV_TIMED) && i == (v < 7 ? 1u : 0u));
            }
            if ((e->flags & GT_EV_TIMED) && v < 7) assert_int_equal(a[0]->role, GT_ARG_SEQ_DELTA);
        }
    }
}

static void test_legacy_spot_checks(void **state)
{
    (void)state;
    expect_args(7, 14, "dt g seq");    /* GoStart 1.7+ */
    expect_args(21, 14, "dt g seq");
    expect_args(5, 14, "dseq dt g");   /* GoStart 1.5 */
    expect_args(7, 12, "dt");          /* GCSweepDone 1.7/1.8 */
    expect_args(8, 12, "dt");
    expect_args(9, 12, "dt swept reclaimed");
    expect_args(19, 12, "dt swept reclaimed");
    expect_args(9, 9, "dt");           /* GCSTWStart gains kindid in 1.10 */
    expect_args(10, 9, "dt kindid");
    expect_args(5, 1, "p seq ticks");  /* Batch 1.5 */
    expect_args(7, 1, "p ticks");
    expect_args(5, 2, "freq unused");
    expect_args(7, 2, "freq");
    expect_args(11, 48, "dt id keyid stkid");
    expect_args(19, 49, "dt ts p g stkid");
    expect_args(5, 13, "dseq dt g stack stkid");
    expect_args(7, 13, "dt g stack stkid");
    assert_int_equal(nargs(7, 14), 3);
    assert_int_equal(nargs(5, 14), 3);
    assert_int_equal(nargs(7, 12), 1);
    assert_int_equal(nargs(8, 12), 1);
    assert_int_equal(nargs(9, 12), 3);
    assert_int_equal(nargs(5, 1), 3);
    /* Layout flags. */
    size_t n = 0;
    const gt_event_spec *t = table(GT_FORMAT_LEGACY, &n);
    assert_true(t[GT_LEG_STACK].flags & GT_EV_PREFIXED);
    assert_true(t[GT_LEG_STACK].flags & GT_EV_IS_STACK);
    assert_true(t[GT_LEG_CPU_SAMPLE].flags & GT_EV_PREFIXED);
    assert_true(t[GT_LEG_USER_LOG].flags & GT_EV_TRAILER);
    assert_true(t[GT_LEG_STRING].flags & GT_EV_HAS_DATA);
    assert_true(t[GT_LEG_BATCH].flags & GT_EV_BATCH);
    for (unsigned i = 1; i <= 49; i++) {
        int untimed = i == GT_LEG_BATCH || i == GT_LEG_FREQUENCY || i == GT_LEG_STACK ||
                      i == GT_LEG_TIMER_GOROUTINE || i == GT_LEG_STRING;
        if (!!(t[i].flags & GT_EV_TIMED) == untimed) fail_msg("%s: timed flag", t[i].name);
        if ((t[i].flags & GT_EV_TRAILER) && i != GT_LEG_USER_LOG) fail_msg("%s: trailer flag", t[i].name);
        assert_int_equal(t[i].experiment, 0);
    }
    assert_string_equal(t[GT_LEG_TIMER_GOROUTINE].name, "TimerGoroutine");
    assert_string_equal(t[GT_LEG_FREQUENCY].name, "Frequency");
}

/* ---- status list ------------------------------------------------------- */

#define STATUS_ROW(name, value, text) {name, #name, text},
static const struct {
    gt_status s;
    const char *name;
    const char *text;
} statuses[] = {GT_STATUS_LIST(STATUS_ROW)};
#undef STATUS_ROW

static void test_status_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
        const char *name = gt_status_name(statuses[i].s);
        const char *text = gt_status_text(statuses[i].s);
        assert_non_null(name);
        assert_non_null(text);
        assert_string_equal(name, statuses[i].name);
        assert_string_equal(text, statuses[i].text);
        assert_true(strlen(text) > 0);
        assert_true(strncmp(name, "GT_", 3) == 0);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(statuses[j].name, name);
            assert_int_not_equal(statuses[j].s, statuses[i].s);
        }
        int err = statuses[i].s != GT_OK && statuses[i].s != GT_END && statuses[i].s != GT_NEED_INPUT;
        assert_int_equal(gt_is_error(statuses[i].s), err);
        assert_true((int)statuses[i].s < (int)GT_STATUS_MAX_);
    }
    /* Values are pinned. */
    assert_int_equal(GT_OK, 0);
    assert_int_equal(GT_ERR_NOT_TRACE, 10);
    assert_int_equal(GT_ERR_BAD_EVENT, 34);
    assert_int_equal(GT_ERR_LIMIT, 40);
    assert_int_equal(GT_ERR_INTERNAL, 47);
    assert_int_equal(GT_ERR_UNAVAILABLE, 48);
}

static void test_status_unknown(void **state)
{
    (void)state;
    static const int unknown[] = {3, 9, 36, 39, 49, 99, 1000};
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
        gt_status s = (gt_status)unknown[i];
        assert_string_equal(gt_status_name(s), "GT_UNKNOWN_STATUS");
        assert_non_null(gt_status_text(s));
    }
    assert_string_equal(gt_status_name(GT_STATUS_MAX_), "GT_UNKNOWN_STATUS");
}

/* ---- library version --------------------------------------------------- */

static void test_library_version(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(gt_version_number(), GT_VERSION_NUMBER);
    assert_int_equal(GT_VERSION_NUMBER, GT_VERSION_MAJOR * 10000 + GT_VERSION_MINOR * 100 + GT_VERSION_PATCH);
    assert_string_equal(gt_version_string(), GT_VERSION_STRING);
    snprintf(buf, sizeof buf, "%d.%d.%d", GT_VERSION_MAJOR, GT_VERSION_MINOR, GT_VERSION_PATCH);
    assert_string_equal(gt_version_string(), buf);
}

/* ---- trace versions ---------------------------------------------------- */

static void test_trace_versions(void **state)
{
    (void)state;
    size_t n = 0;
    const unsigned *v = gt_versions(&n);
    assert_int_equal(n, ARRAY_LEN(legacy_versions) + ARRAY_LEN(v2_versions));
    for (size_t i = 0; i < n; i++) {
        if (i) assert_true(v[i] > v[i - 1]);
        gt_format want = i < ARRAY_LEN(legacy_versions) ? GT_FORMAT_LEGACY : GT_FORMAT_V2;
        unsigned wantv = i < ARRAY_LEN(legacy_versions) ? legacy_versions[i] : v2_versions[i - ARRAY_LEN(legacy_versions)];
        assert_int_equal(v[i], wantv);
        assert_int_equal(gt_version_format(v[i]), want);
    }
    assert_int_equal(gt_version_format(24), GT_FORMAT_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_shape),
        cmocka_unit_test(test_legacy_shape),
        cmocka_unit_test(test_unknown_format),
        cmocka_unit_test(test_v2_since),
        cmocka_unit_test(test_v2_experiments),
        cmocka_unit_test(test_legacy_since),
        cmocka_unit_test(test_v2_views),
        cmocka_unit_test(test_legacy_views),
        cmocka_unit_test(test_views_spot),
        cmocka_unit_test(test_frame_fields),
        cmocka_unit_test(test_v2_args_match_go),
        cmocka_unit_test(test_v2_flags),
        cmocka_unit_test(test_v2_spot_checks),
        cmocka_unit_test(test_legacy_arg_counts_match_go),
        cmocka_unit_test(test_legacy_names_match_go),
        cmocka_unit_test(test_legacy_roles),
        cmocka_unit_test(test_legacy_spot_checks),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_status_unknown),
        cmocka_unit_test(test_library_version),
        cmocka_unit_test(test_trace_versions),
    };
    return cmocka_run_group_tests_name("tables", tests, NULL, NULL);
}
