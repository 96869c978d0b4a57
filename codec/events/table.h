/* Shorthands for writing the event tables as data. */
#ifndef GT_EVENTS_TABLE_H
#define GT_EVENTS_TABLE_H

#include "../common/internal.h"

/* One argument: name, role, first version with it, first version without it. */
#define ARG(name, role, since, until) {name, role, since, until}
#define VAL(name) ARG(name, GT_ARG_VALUE, 0, 0)
#define STR(name) ARG(name, GT_ARG_STRING_ID, 0, 0)
#define STK(name) ARG(name, GT_ARG_STACK_ID, 0, 0)
#define TIM(name) ARG(name, GT_ARG_TIME, 0, 0)
#define DT ARG("dt", GT_ARG_TIME_DELTA, 0, 0)

#define ARGS(...) ((const gt_arg_spec[]){__VA_ARGS__})
#define NARGS(...) ((uint8_t)(sizeof(ARGS(__VA_ARGS__)) / sizeof(gt_arg_spec)))

/* EV(type, "Name", since, flags, experiment, args...) / EV0 for no arguments. */
#define EV(type, name, since, flags, exp, ...) [type] = {name, type, since, flags, exp, NARGS(__VA_ARGS__), ARGS(__VA_ARGS__)}
#define EV0(type, name, since, flags, exp) [type] = {name, type, since, flags, exp, 0, NULL}

#define GT_V2_TABLE_LEN 137
#define GT_LEGACY_TABLE_LEN 50

extern const gt_event_spec gt_v2_table[GT_V2_TABLE_LEN];
extern const gt_event_spec gt_legacy_table[GT_LEGACY_TABLE_LEN];

#endif
