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
 *
 * A record is self-delimiting, so records of several devices can be
 * appended to one stream (all integers little-endian):
 *
 *     u32 body_len                  bytes that follow this field
 *     u8  tag_len, tag[tag_len]     the device class name
 *     u32 field_count
 *     field_count x { u8 name_len, name[name_len], u32 size, data[size] }
 *
 * Loading checks the tag, every field's name and size, and the length, and
 * fails with one clear Error line naming the first mismatch; on failure the
 * device may be partly overwritten and must be reset before use.  After the
 * fields are in, dc->post_load (if any) re-derives what is not saved (timers,
 * IRQ levels) and may reject inconsistent state.
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
    bool is_bool;         /* a C bool: only 0 or 1 is accepted on load */
} VMStateField;

#define VMSTATE_SCALAR_(f, st) \
    { .name = #f, .offset = offsetof(st, f), .size = sizeof(((st *)0)->f) }
#define VMSTATE_UINT8(f, st)  VMSTATE_SCALAR_(f, st)
#define VMSTATE_UINT16(f, st) VMSTATE_SCALAR_(f, st)
#define VMSTATE_UINT32(f, st) VMSTATE_SCALAR_(f, st)
#define VMSTATE_UINT64(f, st) VMSTATE_SCALAR_(f, st)
#define VMSTATE_INT32(f, st)  VMSTATE_SCALAR_(f, st)
#define VMSTATE_INT64(f, st)  VMSTATE_SCALAR_(f, st)
#define VMSTATE_BOOL(f, st) \
    { .name = #f, .offset = offsetof(st, f), .size = sizeof(((st *)0)->f), \
      .is_bool = true }
#define VMSTATE_BUFFER(f, st) \
    { .name = #f, .offset = offsetof(st, f), .size = sizeof(((st *)0)->f), \
      .is_buffer = true }
#define VMSTATE_END { .name = NULL }

/* Appends dev's state to out. */
void vmstate_save(DeviceState *dev, GByteArray *out);
/*
 * Restores dev's state from data, which must hold exactly one record;
 * fails on a mismatch.
 */
bool vmstate_load(DeviceState *dev, const uint8_t *data, size_t len,
                  Error **errp);
/*
 * Length in bytes of the record that starts at data (for splitting a
 * stream), or 0 if len is too short to tell.
 */
size_t vmstate_record_len(const uint8_t *data, size_t len);

#endif
