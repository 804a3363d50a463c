/*
 * vmstate.c: saving and restoring device state from VMStateField tables.
 *
 * A device class lists its guest-visible fields (hw/vmstate.h); this file
 * turns an instance into a self-describing byte record and back.  The record
 * carries the class name as a tag and, per field, its name and size, so a
 * record from a different device, a different build with a changed layout,
 * or a truncated file is refused with one clear error line instead of being
 * poured into the wrong bytes.  The format is in hw/vmstate.h.
 *
 * Callers: snapshot/migration code (later) and tests.  Everything runs with
 * the BQL held, with the device quiescent (no vCPU running).
 *
 *     GByteArray *rec = g_byte_array_new();
 *     vmstate_save(dev, rec);
 *     ...
 *     if (!vmstate_load(other, rec->data, rec->len, &err)) { report }
 */
#include "util/osdep.h"
#include "hw/qdev.h"
#include "hw/vmstate.h"

/* --- writing --- */

static void put_u8(GByteArray *out, uint8_t v)
{
    g_byte_array_append(out, &v, 1);
}

static void put_u32(GByteArray *out, uint32_t v)
{
    uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

    g_byte_array_append(out, b, 4);
}

static void put_name(GByteArray *out, const char *name)
{
    size_t len = strlen(name);

    assert(len <= UINT8_MAX);
    put_u8(out, len);
    g_byte_array_append(out, (const guint8 *)name, len);
}

/* Reads a host scalar of size bytes at p as an unsigned value. */
static uint64_t scalar_get(const void *p, size_t size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: return *(const uint16_t *)p;
    case 4: return *(const uint32_t *)p;
    case 8: return *(const uint64_t *)p;
    }
    g_assert_not_reached();
}

static void scalar_set(void *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)p = v; return;
    case 2: *(uint16_t *)p = v; return;
    case 4: *(uint32_t *)p = v; return;
    case 8: *(uint64_t *)p = v; return;
    }
    g_assert_not_reached();
}

/* Called with the BQL held. */
void vmstate_save(DeviceState *dev, GByteArray *out)
{
    const VMStateField *f;
    const uint8_t *base = (const uint8_t *)dev;
    guint start = out->len;
    uint32_t count = 0;

    put_u32(out, 0);                         /* body_len, patched below */
    put_name(out, dev->dc->name);
    guint count_at = out->len;
    put_u32(out, 0);                         /* field_count, patched below */
    for (f = dev->dc->vmstate; f && f->name; f++) {
        put_name(out, f->name);
        put_u32(out, f->size);
        if (f->is_buffer) {
            g_byte_array_append(out, base + f->offset, f->size);
        } else {
            uint64_t v = scalar_get(base + f->offset, f->size);

            for (size_t i = 0; i < f->size; i++) {
                put_u8(out, v >> (8 * i));
            }
        }
        count++;
    }

    uint32_t body = out->len - start - 4;
    for (int i = 0; i < 4; i++) {
        out->data[start + i] = body >> (8 * i);
        out->data[count_at + i] = count >> (8 * i);
    }
}

/* --- reading --- */

typedef struct Reader {
    const uint8_t *p;
    size_t left;
} Reader;

static bool get_bytes(Reader *r, size_t n, const uint8_t **out)
{
    if (r->left < n) {
        return false;
    }
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool get_u32(Reader *r, uint32_t *v)
{
    const uint8_t *b;

    if (!get_bytes(r, 4, &b)) {
        return false;
    }
    *v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

/* Reads a u8-length-prefixed name and compares it with want. */
static bool get_name(Reader *r, const char **name, size_t *len)
{
    const uint8_t *b;

    if (!get_bytes(r, 1, &b)) {
        return false;
    }
    *len = b[0];
    return get_bytes(r, *len, (const uint8_t **)name);
}

static bool name_eq(const char *got, size_t got_len, const char *want)
{
    return strlen(want) == got_len && memcmp(got, want, got_len) == 0;
}

size_t vmstate_record_len(const uint8_t *data, size_t len)
{
    Reader r = { data, len };
    uint32_t body;

    if (!get_u32(&r, &body)) {
        return 0;
    }
    return 4 + (size_t)body;
}

/* Called with the BQL held. */
bool vmstate_load(DeviceState *dev, const uint8_t *data, size_t len,
                  Error **errp)
{
    const DeviceClass *dc = dev->dc;
    uint8_t *base = (uint8_t *)dev;
    Reader r = { data, len };
    const VMStateField *f;
    const char *name;
    size_t name_len;
    uint32_t body, count, nfields = 0;

    if (!get_u32(&r, &body)) {
        error_setg(errp, "vmstate %s: truncated record header", dc->name);
        return false;
    }
    if (body != r.left) {
        error_setg(errp, "vmstate %s: record claims %" PRIu32 " bytes but %zu "
                   "are given", dc->name, body, r.left);
        return false;
    }
    if (!get_name(&r, &name, &name_len)) {
        error_setg(errp, "vmstate %s: truncated device tag", dc->name);
        return false;
    }
    if (!name_eq(name, name_len, dc->name)) {
        error_setg(errp, "vmstate: record is for device '%.*s', not '%s'",
                   (int)name_len, name, dc->name);
        return false;
    }
    for (f = dc->vmstate; f && f->name; f++) {
        nfields++;
    }
    if (!get_u32(&r, &count)) {
        error_setg(errp, "vmstate %s: truncated field count", dc->name);
        return false;
    }
    if (count != nfields) {
        error_setg(errp, "vmstate %s: record has %" PRIu32 " fields, device "
                   "has %" PRIu32, dc->name, count, nfields);
        return false;
    }

    for (f = dc->vmstate; f && f->name; f++) {
        const uint8_t *bytes;
        uint32_t size;

        if (!get_name(&r, &name, &name_len) || !get_u32(&r, &size)) {
            error_setg(errp, "vmstate %s: truncated at field '%s'", dc->name,
                       f->name);
            return false;
        }
        if (!name_eq(name, name_len, f->name)) {
            error_setg(errp, "vmstate %s: expected field '%s', found '%.*s'",
                       dc->name, f->name, (int)name_len, name);
            return false;
        }
        if (size != f->size) {
            error_setg(errp, "vmstate %s: field '%s' is %zu bytes, record has "
                       "%" PRIu32, dc->name, f->name, f->size, size);
            return false;
        }
        if (!get_bytes(&r, size, &bytes)) {
            error_setg(errp, "vmstate %s: truncated in field '%s'", dc->name,
                       f->name);
            return false;
        }
        if (f->is_buffer) {
            memcpy(base + f->offset, bytes, size);
            continue;
        }
        uint64_t v = 0;
        for (uint32_t i = 0; i < size; i++) {
            v |= (uint64_t)bytes[i] << (8 * i);
        }
        if (f->is_bool && v > 1) {
            error_setg(errp, "vmstate %s: field '%s' is a bool but holds %"
                       PRIu64, dc->name, f->name, v);
            return false;
        }
        scalar_set(base + f->offset, size, v);
    }
    if (r.left != 0) {
        error_setg(errp, "vmstate %s: %zu unexpected bytes after the last "
                   "field", dc->name, r.left);
        return false;
    }

    if (dc->post_load && !dc->post_load(dev, errp)) {
        error_prepend(errp, "vmstate %s: ", dc->name);
        return false;
    }
    return true;
}
