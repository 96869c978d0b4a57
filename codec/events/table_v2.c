/* The v2 event table (Go 1.22+), indexed by wire type. Append-only: a newer
 * version only adds types; `since` is the first version that has each one. */
#include "table.h"

enum { T = GT_EV_TIMED, D = GT_EV_HAS_DATA, K = GT_EV_IS_STACK, B = GT_EV_BATCH, S = GT_EV_STRUCTURAL };
#define ALLOCFREE 1

const gt_event_spec gt_v2_table[GT_V2_TABLE_LEN] = {
    /* Structural events. */
    EV(1, "EventBatch", 22, B | S, 0, VAL("gen"), VAL("m"), TIM("time"), ARG("size", GT_ARG_SIZE, 0, 0)),
    EV0(2, "Stacks", 22, S, 0),
    EV(3, "Stack", 22, K | S, 0, VAL("id"), VAL("nframes")),
    EV0(4, "Strings", 22, S, 0),
    EV(5, "String", 22, D | S, 0, VAL("id")),
    EV0(6, "CPUSamples", 22, S, 0),
    EV(7, "CPUSample", 22, S, 0, TIM("time"), VAL("m"), VAL("p"), VAL("g"), STK("stack")),
    EV(8, "Frequency", 22, S, 0, VAL("freq")),
    /* Procs. */
    EV(9, "ProcsChange", 22, T, 0, DT, VAL("procs_value"), STK("stack")),
    EV(10, "ProcStart", 22, T, 0, DT, VAL("p"), VAL("p_seq")),
    EV(11, "ProcStop", 22, T, 0, DT),
    EV(12, "ProcSteal", 22, T, 0, DT, VAL("p"), VAL("p_seq"), VAL("m")),
    EV(13, "ProcStatus", 22, T, 0, DT, VAL("p"), VAL("pstatus")),
    /* Goroutines. */
    EV(14, "GoCreate", 22, T, 0, DT, VAL("new_g"), STK("new_stack"), STK("stack")),
    EV(15, "GoCreateSyscall", 22, T, 0, DT, VAL("new_g")),
    EV(16, "GoStart", 22, T, 0, DT, VAL("g"), VAL("g_seq")),
    EV(17, "GoDestroy", 22, T, 0, DT),
    EV(18, "GoDestroySyscall", 22, T, 0, DT),
    EV(19, "GoStop", 22, T, 0, DT, STR("reason_string"), STK("stack")),
    EV(20, "GoBlock", 22, T, 0, DT, STR("reason_string"), STK("stack")),
    EV(21, "GoUnblock", 22, T, 0, DT, VAL("g"), VAL("g_seq"), STK("stack")),
    EV(22, "GoSyscallBegin", 22, T, 0, DT, VAL("p_seq"), STK("stack")),
    EV(23, "GoSyscallEnd", 22, T, 0, DT),
    EV(24, "GoSyscallEndBlocked", 22, T, 0, DT),
    EV(25, "GoStatus", 22, T, 0, DT, VAL("g"), VAL("m"), VAL("gstatus")),
    /* STW. */
    EV(26, "STWBegin", 22, T, 0, DT, STR("kind_string"), STK("stack")),
    EV(27, "STWEnd", 22, T, 0, DT),
    /* GC. */
    EV(28, "GCActive", 22, T, 0, DT, VAL("gc_seq")),
    EV(29, "GCBegin", 22, T, 0, DT, VAL("gc_seq"), STK("stack")),
    EV(30, "GCEnd", 22, T, 0, DT, VAL("gc_seq")),
    EV(31, "GCSweepActive", 22, T, 0, DT, VAL("p")),
    EV(32, "GCSweepBegin", 22, T, 0, DT, STK("stack")),
    EV(33, "GCSweepEnd", 22, T, 0, DT, VAL("swept_value"), VAL("reclaimed_value")),
    EV(34, "GCMarkAssistActive", 22, T, 0, DT, VAL("g")),
    EV(35, "GCMarkAssistBegin", 22, T, 0, DT, STK("stack")),
    EV(36, "GCMarkAssistEnd", 22, T, 0, DT),
    EV(37, "HeapAlloc", 22, T, 0, DT, VAL("heapalloc_value")),
    EV(38, "HeapGoal", 22, T, 0, DT, VAL("heapgoal_value")),
    /* Annotations. */
    EV(39, "GoLabel", 22, T, 0, DT, STR("label_string")),
    EV(40, "UserTaskBegin", 22, T, 0, DT, VAL("task"), VAL("parent_task"), STR("name_string"), STK("stack")),
    EV(41, "UserTaskEnd", 22, T, 0, DT, VAL("task"), STK("stack")),
    EV(42, "UserRegionBegin", 22, T, 0, DT, VAL("task"), STR("name_string"), STK("stack")),
    EV(43, "UserRegionEnd", 22, T, 0, DT, VAL("task"), STR("name_string"), STK("stack")),
    EV(44, "UserLog", 22, T, 0, DT, VAL("task"), STR("key_string"), STR("value_string"), STK("stack")),
    /* Coroutines and goroutine status with stack (Go 1.23). */
    EV(45, "GoSwitch", 23, T, 0, DT, VAL("g"), VAL("g_seq")),
    EV(46, "GoSwitchDestroy", 23, T, 0, DT, VAL("g"), VAL("g_seq")),
    EV(47, "GoCreateBlocked", 23, T, 0, DT, VAL("new_g"), STK("new_stack"), STK("stack")),
    EV(48, "GoStatusStack", 23, T, 0, DT, VAL("g"), VAL("m"), VAL("gstatus"), STK("stack")),
    /* Experimental batch: exp is one raw byte; size + payload are the data. */
    EV(49, "ExperimentalBatch", 23, B | S | D, 0, ARG("exp", GT_ARG_RAW_BYTE, 0, 0), VAL("gen"), VAL("m"),
       TIM("time")),
    /* Sync batch and clock snapshot (Go 1.25). */
    EV0(50, "Sync", 25, S, 0),
    EV(51, "ClockSnapshot", 25, T | S, 0, DT, VAL("mono"), VAL("sec"), VAL("nsec")),
    /* End of generation (written to files from Go 1.26). */
    EV0(52, "EndOfGeneration", 26, S, 0),
    /* Experimental events of the AllocFree experiment (Go 1.23). */
    EV(128, "Span", 23, T, ALLOCFREE, DT, VAL("id"), VAL("npages_value"), VAL("kindclass")),
    EV(129, "SpanAlloc", 23, T, ALLOCFREE, DT, VAL("id"), VAL("npages_value"), VAL("kindclass")),
    EV(130, "SpanFree", 23, T, ALLOCFREE, DT, VAL("id")),
    EV(131, "HeapObject", 23, T, ALLOCFREE, DT, VAL("id"), VAL("type")),
    EV(132, "HeapObjectAlloc", 23, T, ALLOCFREE, DT, VAL("id"), VAL("type")),
    EV(133, "HeapObjectFree", 23, T, ALLOCFREE, DT, VAL("id")),
    EV(134, "GoroutineStack", 23, T, ALLOCFREE, DT, VAL("id"), VAL("order")),
    EV(135, "GoroutineStackAlloc", 23, T, ALLOCFREE, DT, VAL("id"), VAL("order")),
    EV(136, "GoroutineStackFree", 23, T, ALLOCFREE, DT, VAL("id")),
};
