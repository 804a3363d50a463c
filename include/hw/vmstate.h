/*
 * vmstate.h: describing device state for save and restore.
 *
 * A device lists the fields that make up its guest-visible state; the
 * generic code serialises them in order into a byte stream, and restores
 * them, checking sizes and a per-device name tag:
 *
 *     static const VMStateField serial_vmstate[] = {
 *         VMSTATE_UINT8(ier, SerialState),
 *         VMSTATE_BUFFER(rx_fifo, SerialState),
 *         VMSTATE_END,
 *     };
 *
 * Scalars are stored little-endian.  Used by snapshots and migration
 * later; tests restore into a reset device and compare.  BQL.
 */
#ifndef HW_VMSTATE_H
#define HW_VMSTATE_H

#include "util/error.h"

typedef struct DeviceState DeviceState;

typedef struct VMStateField {
    const char *name;
    size_t offset;
    size_t size;          /* bytes; scalars 1/2/4/8 stored little-endian */
    bool is_buffer;       /* raw bytes, not a scalar */
} VMStateField;

#define VMSTATE_SCALAR_(f, st) \
    { .name = #f, .offset = offsetof(st, f), .size = sizeof(((st *)0)->f) }
#define VMSTATE_UINT8(f, st)  VMSTATE_SCALAR_(f, st)
#define VMSTATE_UINT16(f, st) VMSTATE_SCALAR_(f, st)
#define VMSTATE_UINT32(f, st) VMSTATE_SCALAR_(f, st)
#define VMSTATE_UINT64(f, st) VMSTATE_SCALAR_(f, st)
#define VMSTATE_INT32(f, st)  VMSTATE_SCALAR_(f, st)
#define VMSTATE_INT64(f, st)  VMSTATE_SCALAR_(f, st)
#define VMSTATE_BOOL(f, st)   VMSTATE_SCALAR_(f, st)
#define VMSTATE_BUFFER(f, st) \
    { .name = #f, .offset = offsetof(st, f), .size = sizeof(((st *)0)->f), \
      .is_buffer = true }
#define VMSTATE_END { .name = NULL }

/* Appends dev's state to out. */
void vmstate_save(DeviceState *dev, GByteArray *out);
/* Restores dev's state from data; fails on a mismatch. */
bool vmstate_load(DeviceState *dev, const uint8_t *data, size_t len,
                  Error **errp);

#endif
