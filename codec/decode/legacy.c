/* Legacy decoder (Go 1.5-1.21): being written. */
#include "reader.h"

gt_status gt_legacy_next(gt_reader *r, gt_event *ev)
{
    (void)ev;
    return gt_reader_fail(r, GT_ERR_UNSUPPORTED_VERSION, GT_HEADER_SIZE, "legacy decoding is not implemented yet");
}
