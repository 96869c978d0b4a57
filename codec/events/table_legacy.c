/* The legacy event table (Go 1.5-1.21), indexed by the low 6 bits of the
 * event byte. Arguments carry [since, until) version ranges, so the layout of
 * any version is a view of this one table. Names are those of Go's legacy
 * parser; the unnamed pieces (timestamp delta, 1.5 sequence delta, trailing
 * stack) are called dt, dseq and stkid. */
#include "table.h"

enum { T = GT_EV_TIMED, D = GT_EV_HAS_DATA, K = GT_EV_IS_STACK, B = GT_EV_BATCH, S = GT_EV_STRUCTURAL,
       P = GT_EV_PREFIXED, L = GT_EV_TRAILER };

/* Every timed event starts with these two: 1.5's sequence delta, then dt. */
#define TS ARG("dseq", GT_ARG_SEQ_DELTA, 0, 7), DT
#define STKID STK("stkid")
#define SINCE(name, role, v) ARG(name, role, v, 0)

const gt_event_spec gt_legacy_table[GT_LEGACY_TABLE_LEN] = {
    EV(1, "Batch", 5, B | S, 0, VAL("p"), ARG("seq", GT_ARG_VALUE, 0, 7), TIM("ticks")),
    EV(2, "Frequency", 5, S, 0, VAL("freq"), ARG("unused", GT_ARG_VALUE, 0, 7)),
    EV(3, "Stack", 5, K | S | P, 0, VAL("id"), VAL("siz")),
    EV(4, "Gomaxprocs", 5, T, 0, TS, VAL("procs"), STKID),
    EV(5, "ProcStart", 5, T, 0, TS, VAL("thread")),
    EV(6, "ProcStop", 5, T, 0, TS),
    EV(7, "GCStart", 5, T, 0, TS, SINCE("seq", GT_ARG_VALUE, 7), STKID),
    EV(8, "GCDone", 5, T, 0, TS),
    EV(9, "GCSTWStart", 5, T, 0, TS, SINCE("kindid", GT_ARG_VALUE, 10)),
    EV(10, "GCSTWDone", 5, T, 0, TS),
    EV(11, "GCSweepStart", 5, T, 0, TS, STKID),
    EV(12, "GCSweepDone", 5, T, 0, TS, SINCE("swept", GT_ARG_VALUE, 9), SINCE("reclaimed", GT_ARG_VALUE, 9)),
    EV(13, "GoCreate", 5, T, 0, TS, VAL("g"), ARG("stack", GT_ARG_VALUE, 0, 7), SINCE("stack", GT_ARG_STACK_ID, 7),
       STKID),
    EV(14, "GoStart", 5, T, 0, TS, VAL("g"), SINCE("seq", GT_ARG_VALUE, 7)),
    EV(15, "GoEnd", 5, T, 0, TS),
    EV(16, "GoStop", 5, T, 0, TS, STKID),
    EV(17, "GoSched", 5, T, 0, TS, STKID),
    EV(18, "GoPreempt", 5, T, 0, TS, STKID),
    EV(19, "GoSleep", 5, T, 0, TS, STKID),
    EV(20, "GoBlock", 5, T, 0, TS, STKID),
    EV(21, "GoUnblock", 5, T, 0, TS, VAL("g"), SINCE("seq", GT_ARG_VALUE, 7), STKID),
    EV(22, "GoBlockSend", 5, T, 0, TS, STKID),
    EV(23, "GoBlockRecv", 5, T, 0, TS, STKID),
    EV(24, "GoBlockSelect", 5, T, 0, TS, STKID),
    EV(25, "GoBlockSync", 5, T, 0, TS, STKID),
    EV(26, "GoBlockCond", 5, T, 0, TS, STKID),
    EV(27, "GoBlockNet", 5, T, 0, TS, STKID),
    EV(28, "GoSysCall", 5, T, 0, TS, STKID),
    EV(29, "GoSysExit", 5, T, 0, TS, VAL("g"), VAL("seq"), TIM("ts")),
    EV(30, "GoSysBlock", 5, T, 0, TS),
    EV(31, "GoWaiting", 5, T, 0, TS, VAL("g")),
    EV(32, "GoInSyscall", 5, T, 0, TS, VAL("g")),
    EV(33, "HeapAlloc", 5, T, 0, TS, VAL("mem")),
    EV(34, "HeapGoal", 5, T, 0, TS, VAL("mem")),
    EV(35, "TimerGoroutine", 5, S, 0, VAL("g"), ARG("unused", GT_ARG_VALUE, 0, 7)),
    EV(36, "FutileWakeup", 5, T, 0, TS),
    EV(37, "String", 7, D | S, 0, VAL("id")),
    EV(38, "GoStartLocal", 7, T, 0, TS, VAL("g")),
    EV(39, "GoUnblockLocal", 7, T, 0, TS, VAL("g"), STKID),
    EV(40, "GoSysExitLocal", 7, T, 0, TS, VAL("g"), TIM("ts")),
    EV(41, "GoStartLabel", 8, T, 0, TS, VAL("g"), VAL("seq"), STR("labelid")),
    EV(42, "GoBlockGC", 8, T, 0, TS, STKID),
    EV(43, "GCMarkAssistStart", 9, T, 0, TS, STKID),
    EV(44, "GCMarkAssistDone", 9, T, 0, TS),
    EV(45, "UserTaskCreate", 11, T, 0, TS, VAL("taskid"), VAL("pid"), STR("typeid"), STKID),
    EV(46, "UserTaskEnd", 11, T, 0, TS, VAL("taskid"), STKID),
    EV(47, "UserRegion", 11, T, 0, TS, VAL("taskid"), VAL("mode"), STR("typeid"), STKID),
    EV(48, "UserLog", 11, T | L, 0, TS, VAL("id"), STR("keyid"), STKID),
    EV(49, "CPUSample", 19, T | P, 0, TS, TIM("ts"), VAL("p"), VAL("g"), STKID),
};
