/* Status names and texts, generated from GT_STATUS_LIST so they cannot drift. */
#include <stdio.h>

#include "internal.h"

typedef struct status_entry {
    gt_status status;
    const char *name;
    const char *text;
} status_entry;

#define GT_STATUS_ROW(name, value, text) {name, #name, text},
static const status_entry status_rows[] = {GT_STATUS_LIST(GT_STATUS_ROW)};
#undef GT_STATUS_ROW

static const status_entry *find_status(gt_status s)
{
    for (size_t i = 0; i < GT_ARRAY_LEN(status_rows); i++)
        if (status_rows[i].status == s) return &status_rows[i];
    return NULL;
}

const char *gt_status_name(gt_status s)
{
    const status_entry *e = find_status(s);
    return e ? e->name : "GT_UNKNOWN_STATUS";
}

const char *gt_status_text(gt_status s)
{
    const status_entry *e = find_status(s);
    return e ? e->text : "unknown status";
}

int gt_is_error(gt_status s) { return s != GT_OK && s != GT_END && s != GT_NEED_INPUT; }

void gt_error_clear(gt_error *e)
{
    e->status = GT_OK;
    e->offset = GT_NONE;
    e->batch = GT_NONE;
    e->event = GT_NONE;
    e->generation = GT_NONE;
    e->message[0] = '\0';
}

gt_status gt_error_set(gt_error *e, gt_status s, uint64_t offset, const char *fmt, ...)
{
    e->status = s;
    e->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return s;
}

unsigned gt_version_number(void) { return GT_VERSION_NUMBER; }
const char *gt_version_string(void) { return GT_VERSION_STRING; }
