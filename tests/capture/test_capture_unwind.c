/* Stacks through frames without frame pointers (this file is built with
 * -fomit-frame-pointer, capture.mk): top_a -> mid_b -> leaf_c -> gt_cap_log.
 * With GT_CAP_UNWIND_LIBUNWIND the recorded stack names leaf_c, mid_b,
 * top_a, record and main in that order; the frame-pointer walk, the default, starts at leaf_c
 * (the API function's own return address) and cannot see mid_b. The stacks
 * are read back resolved (gt_parser, symbolized by the capture layer at dump
 * time). An unwinder value the header does not define is refused.
 *
 *   test_capture_unwind [DIR]   traces are left in DIR (t_capture_traces
 *                               validates them with Go's reader)
 * Exit 77 when libunwind.so.8 is not installed (Debian: libunwind8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capcheck.h"
#include "gotrace_capture.h"

static gt_cap_str *key;
static volatile int sink;

static __attribute__((noinline)) void leaf_c(int i)
{
    gt_cap_log(0, key, "deep", 4);
    sink += i; /* no tail call */
}
static __attribute__((noinline)) void mid_b(int i)
{
    leaf_c(i + 1);
    sink += i;
}
static __attribute__((noinline)) void top_a(int i)
{
    mid_b(i + 1);
    sink += i;
}

/* The function names of the first log's stack, leaf first, joined by ' '. */
static void log_stack(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    gt_parser *p = gt_parser_create(NULL);
    CHECK(gt_parser_set_callback(p, capcheck_read, f) == GT_OK);
    gt_parsed ev;
    gt_status s;
    out[0] = '\0';
    while ((s = gt_parser_next(p, &ev)) == GT_OK) {
        if (ev.kind != GT_PARSED_LOG || out[0]) continue;
        size_t o = 0;
        for (uint32_t i = 0; i < ev.stack.nframes && o + 2 < cap; i++) {
            const gt_strview *fn = &ev.stack.frames[i].func;
            size_t n = fn->len < cap - o - 2 ? fn->len : cap - o - 2;
            memcpy(out + o, fn->ptr, n);
            o += n;
            out[o++] = ' ';
        }
        out[o] = '\0';
    }
    CHECK(s == GT_END);
    gt_parser_free(p);
    fclose(f);
}

static gt_status record(const char *path, gt_cap_unwind unwind)
{
    gt_cap_config c;
    gt_cap_config_init(&c);
    c.path = path;
    c.flags = GT_CAP_ON_DEMAND;
    c.unwind = unwind;
    gt_status s = gt_cap_start(&c);
    if (s != GT_OK) return s;
    top_a(0);
    CHECK(gt_cap_stop() == GT_OK);
    return GT_OK;
}

int main(int argc, char **argv)
{
    char dir[4096] = "/tmp/gt-capture-unwind-XXXXXX";
    if (argc > 1) snprintf(dir, sizeof dir, "%s", argv[1]);
    else CHECK(mkdtemp(dir) != NULL);
    char fp_path[4200], unw_path[4200], fp_stack[4096], unw_stack[4096];
    snprintf(fp_path, sizeof fp_path, "%s/unwind-fp.trace", dir);
    snprintf(unw_path, sizeof unw_path, "%s/unwind-libunwind.trace", dir);
    key = gt_cap_string("unwind");

    gt_cap_config bad;
    gt_cap_config_init(&bad);
    bad.fd = 1;
    bad.unwind = (gt_cap_unwind)7;
    CHECK(gt_cap_start(&bad) == GT_ERR_INVALID_ARGUMENT);

    CHECK(record(fp_path, GT_CAP_UNWIND_FP) == GT_OK);
    gt_status s = record(unw_path, GT_CAP_UNWIND_LIBUNWIND);
    if (s == GT_ERR_UNAVAILABLE) {
        printf("libunwind.so.8 is not installed (Debian: libunwind8)\n");
        return 77;
    }
    CHECK(s == GT_OK);
    capcheck cc;
    CHECK(capcheck_file(fp_path, &cc, NULL, NULL) == 0 && cc.stacks > 0);
    CHECK(capcheck_file(unw_path, &cc, NULL, NULL) == 0 && cc.stacks > 0);
    log_stack(fp_path, fp_stack, sizeof fp_stack);
    log_stack(unw_path, unw_stack, sizeof unw_stack);
    printf("frame pointers: %s\nlibunwind:      %s\n", fp_stack, unw_stack);
    CHECK(strncmp(fp_stack, "leaf_c ", 7) == 0);
    CHECK(strstr(fp_stack, "mid_b") == NULL);
    CHECK(strstr(unw_stack, "leaf_c mid_b top_a record main ") == unw_stack);
    if (argc <= 1) {
        unlink(fp_path);
        unlink(unw_path);
        rmdir(dir);
    }
    printf("capture unwind tests: ok\n");
    return 0;
}
