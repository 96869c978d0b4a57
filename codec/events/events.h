/* Internal queries on the event tables that the encoder, the text form and the
 * decoders share. Not installed. */
#ifndef GT_EVENTS_EVENTS_H
#define GT_EVENTS_EVENTS_H

#include "../common/internal.h"

/* The argument-count bits (top 2 bits of the event byte) the Go runtime
 * writes for a legacy event of this spec in `version`:
 *   3 for events always written length-prefixed (Stack, CPUSample);
 *   otherwise min(n - k, 3), n the wire arguments of the event in the
 *   version, k = 1 (Go 1.7+: counted after the timestamp delta) or 2 (Go 1.5:
 *   after the sequence and timestamp deltas). */
unsigned gt_legacy_argbits(const gt_event_spec *spec, unsigned version);

/* The kind (gt_kind) of a legacy event type: batch, frequency, stack,
 * string, CPU sample, or an ordinary event. */
uint8_t gt_legacy_kind(unsigned type);

#endif
