/* Go's Event.String() (internal/trace/event.go), byte for byte: what
 * `go tool trace -d=parsed` prints for each event, without the final
 * newline its Println adds. */
#include <inttypes.h>

#include "../text/text.h"
#include "order.h"

static const char *const kind_names[] = {"Bad",        "Sync",       "Metric",     "Label",       "StackSample",
                                         "RangeBegin", "RangeActive", "RangeEnd",  "TaskBegin",   "TaskEnd",
                                         "RegionBegin", "RegionEnd", "Log",        "StateTransition", "Experimental"};

const char *gt_parsed_kind_name(unsigned kind) { return kind < GT_ARRAY_LEN(kind_names) ? kind_names[kind] : "Bad"; }

const char *gt_go_state_name(unsigned s)
{
    static const char *const n[] = {"Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall"};
    return s < GT_ARRAY_LEN(n) ? n[s] : "Bad";
}

const char *gt_proc_state_name(unsigned s)
{
    static const char *const n[] = {"Undetermined", "NotExist", "Running", "Idle"};
    return s < GT_ARRAY_LEN(n) ? n[s] : "Bad";
}

static void put_sv(gt_sink *s, gt_strview v) { gt_sink_put(s, v.ptr, v.len); }
static void quote(gt_sink *s, gt_strview v) { gt_sink_quote(s, (const uint8_t *)v.ptr, v.len); }

static void put_hex(gt_sink *s, uint64_t v)
{
    char buf[16];
    size_t n = 0;
    do {
        buf[15 - n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    gt_sink_put(s, buf + 16 - n, n);
}

/* Go's printStack with prefix "\t". */
static void put_frames(gt_sink *s, const gt_stack *st)
{
    if (!st->frames) return;
    for (uint32_t i = 0; i < st->nframes; i++) {
        const gt_stack_frame *f = &st->frames[i];
        gt_sink_putc(s, '\t');
        put_sv(s, f->func);
        gt_sink_puts(s, " @ 0x");
        put_hex(s, f->pc);
        gt_sink_puts(s, "\n\t\t");
        put_sv(s, f->file);
        gt_sink_putc(s, ':');
        gt_sink_u64(s, f->line);
        gt_sink_putc(s, '\n');
    }
}

/* Go's ResourceID.String(). */
static void put_resource(gt_sink *s, unsigned kind, int64_t id)
{
    static const char *const n[] = {"None", "Goroutine", "Proc", "Thread"};
    if (kind == GT_RESOURCE_NONE) {
        gt_sink_puts(s, "None");
        return;
    }
    gt_sink_puts(s, kind < 4 ? n[kind] : "Bad");
    gt_sink_putc(s, '(');
    gt_sink_i64(s, id);
    gt_sink_putc(s, ')');
}

/* Go's Value.String() of a Uint64 value. */
static void put_value(gt_sink *s, uint64_t v)
{
    gt_sink_puts(s, "Value{Uint64(");
    gt_sink_u64(s, v);
    gt_sink_puts(s, ")}");
}

static void put_transition(gt_sink *s, const gt_parsed *ev)
{
    const char *(*name)(unsigned) = gt_go_state_name;
    if (ev->transition.resource == GT_RESOURCE_GOROUTINE) {
        gt_sink_puts(s, " GoID=");
    } else if (ev->transition.resource == GT_RESOURCE_PROC) {
        gt_sink_puts(s, " ProcID=");
        name = gt_proc_state_name;
    }
    if (ev->transition.resource == GT_RESOURCE_GOROUTINE || ev->transition.resource == GT_RESOURCE_PROC) {
        gt_sink_i64(s, ev->transition.id);
        gt_sink_putc(s, ' ');
        gt_sink_puts(s, name(ev->transition.from));
        gt_sink_puts(s, "->");
        gt_sink_puts(s, name(ev->transition.to));
    }
    gt_sink_puts(s, " Reason=");
    quote(s, ev->transition.reason);
    if (ev->transition.stack.present) {
        gt_sink_puts(s, "\nTransitionStack=\n");
        put_frames(s, &ev->transition.stack);
    }
}

size_t gt_parser_format(const gt_parsed *ev, char *dst, size_t cap)
{
    gt_sink s;
    gt_sink_init(&s, dst, cap);
    if (!ev) return gt_sink_finish(&s, dst, cap);
    gt_sink_puts(&s, "M=");
    gt_sink_i64(&s, ev->m);
    gt_sink_puts(&s, " P=");
    gt_sink_i64(&s, ev->p);
    gt_sink_puts(&s, " G=");
    gt_sink_i64(&s, ev->g);
    gt_sink_putc(&s, ' ');
    gt_sink_puts(&s, gt_parsed_kind_name(ev->kind));
    gt_sink_puts(&s, " Time=");
    gt_sink_i64(&s, ev->time);
    switch (ev->kind) {
    case GT_PARSED_METRIC:
        gt_sink_puts(&s, " Name=");
        quote(&s, ev->metric.name);
        gt_sink_puts(&s, " Value=");
        put_value(&s, ev->metric.value);
        break;
    case GT_PARSED_LABEL:
        gt_sink_puts(&s, " Label=");
        quote(&s, ev->label.label);
        gt_sink_puts(&s, " Resource=");
        put_resource(&s, ev->label.resource, ev->label.id);
        break;
    case GT_PARSED_RANGE_BEGIN:
    case GT_PARSED_RANGE_ACTIVE:
    case GT_PARSED_RANGE_END:
        gt_sink_puts(&s, " Name=");
        quote(&s, ev->range.name);
        gt_sink_puts(&s, " Scope=");
        put_resource(&s, ev->range.scope, ev->range.scope_id);
        if (ev->kind == GT_PARSED_RANGE_END) {
            gt_sink_puts(&s, " Attributes=[");
            for (uint32_t i = 0; i < ev->range.nattrs && i < 2; i++) {
                if (i) gt_sink_putc(&s, ' ');
                quote(&s, ev->range.attr_names[i]);
                gt_sink_putc(&s, '=');
                put_value(&s, ev->range.attr_values[i]);
            }
            gt_sink_putc(&s, ']');
        }
        break;
    case GT_PARSED_TASK_BEGIN:
    case GT_PARSED_TASK_END:
        gt_sink_puts(&s, " ID=");
        gt_sink_u64(&s, ev->task.id);
        gt_sink_puts(&s, " Parent=");
        gt_sink_u64(&s, ev->task.parent);
        gt_sink_puts(&s, " Type=");
        quote(&s, ev->task.type);
        break;
    case GT_PARSED_REGION_BEGIN:
    case GT_PARSED_REGION_END:
        gt_sink_puts(&s, " Task=");
        gt_sink_u64(&s, ev->region.task);
        gt_sink_puts(&s, " Type=");
        quote(&s, ev->region.type);
        break;
    case GT_PARSED_LOG:
        gt_sink_puts(&s, " Task=");
        gt_sink_u64(&s, ev->log.task);
        gt_sink_puts(&s, " Category=");
        quote(&s, ev->log.category);
        gt_sink_puts(&s, " Message=");
        quote(&s, ev->log.message);
        break;
    case GT_PARSED_STATE_TRANSITION: put_transition(&s, ev); break;
    case GT_PARSED_EXPERIMENTAL:
        gt_sink_puts(&s, " Name=");
        gt_sink_puts(&s, ev->experimental.name ? ev->experimental.name : "");
        gt_sink_puts(&s, " Args=[");
        for (uint32_t i = 0; i < ev->experimental.nargs && i < 4; i++) {
            if (i) gt_sink_puts(&s, ", ");
            const char *n = ev->experimental.arg_names[i];
            size_t len = strlen(n);
            gt_sink_puts(&s, n);
            gt_sink_putc(&s, '=');
            if (len >= 6 && !strcmp(n + len - 6, "string")) put_sv(&s, ev->experimental.arg_strings[i]);
            else put_value(&s, ev->experimental.args[i]);
        }
        gt_sink_putc(&s, ']');
        break;
    case GT_PARSED_SYNC:
        gt_sink_puts(&s, " N=");
        gt_sink_u64(&s, ev->sync.n);
        if (ev->sync.has_clock) {
            char wall[96];
            gt_sink_puts(&s, " Trace=");
            gt_sink_i64(&s, ev->sync.trace);
            gt_sink_puts(&s, " Mono=");
            gt_sink_u64(&s, ev->sync.mono);
            gt_sink_puts(&s, " Wall=");
            size_t n = ord_format_wall(wall, sizeof wall, ev->sync.sec, ev->sync.nsec);
            gt_sink_put(&s, wall, n < sizeof wall ? n : sizeof wall - 1);
        }
        break;
    default: break;
    }
    if (ev->stack.present) {
        gt_sink_puts(&s, "\nStack=\n");
        put_frames(&s, &ev->stack);
    }
    return gt_sink_finish(&s, dst, cap);
}
