/*
 * fw_cfg.c: the firmware configuration device, port interface ("fw_cfg_io").
 *
 * The board hands the guest's firmware (or a bare test kernel) facts it
 * cannot probe: RAM size, CPU count, the -kernel image and command line,
 * ACPI/SMBIOS tables as named files.  The guest selects an item with a
 * 16-bit write to the selector port and reads it byte by byte from the data
 * port (hw/fw_cfg.h has the usage).  Not user-creatable: the pc machine
 * creates it with fw_cfg_init_io() and adds items while it builds the board.
 *
 * Guest-visible behaviour, following the established device:
 *  - The region is two ports, iobase and iobase+1.  A 16-bit write at
 *    iobase selects a key (little-endian, like every port access); bit 14,
 *    the write channel, is ignored, bit 15 selects the arch-local set.
 *  - An 8-bit read at either port returns the next byte of the selected
 *    item and advances; past the end, or for an unknown key, it returns 0.
 *  - 8-bit writes are data writes, which the traditional interface no longer
 *    supports: ignored and logged.  16-bit reads are not part of the
 *    interface: they return 0 without advancing, and are logged.
 *  - FW_CFG_SIGNATURE is "QEMU" (guests check for exactly that) and
 *    FW_CFG_ID is 1: the traditional interface only; the DMA interface is
 *    not implemented and not advertised.
 *  - Named files live in FW_CFG_FILE_DIR (0x19): a big-endian u32 count,
 *    then per file { u32 size BE, u16 select BE, u16 reserved, name[56] },
 *    sorted by name, with select keys FW_CFG_FILE_FIRST + position.  Keys
 *    are reassigned as files are inserted, which is fine because the board
 *    adds every file before the guest runs.
 *  - Reset selects key 0 at offset 0.
 *
 * Items are owned copies; adding a fixed-key item again replaces it.  All
 * entry points run with the BQL held.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/fw_cfg.h"
#include "hw/vmstate.h"
#include "system/memory.h"

#define FW_CFG_MAX_FILE_PATH 56
#define FW_CFG_MAX_FILES (FW_CFG_MAX_ENTRY - FW_CFG_FILE_FIRST)

typedef struct FwCfgItem {
    uint8_t *data;
    uint32_t len;
} FwCfgItem;

typedef struct FwCfgFile {
    char name[FW_CFG_MAX_FILE_PATH];
    FwCfgItem item;
} FwCfgFile;

struct FwCfgState {
    DeviceState parent;

    uint32_t iobase;            /* property; const after realize */
    IsaBus *bus;                /* from fw_cfg_init_io, else isa_bus_get() */
    MemoryRegion io;

    /* Items; BQL.  Fixed and arch-local keys by key, files by position. */
    GHashTable *items;          /* key -> FwCfgItem * */
    GPtrArray *files;           /* FwCfgFile *, sorted by name */

    /* Guest-visible state; BQL. */
    uint16_t cur_key;           /* as selected, write-channel bit cleared */
    uint32_t cur_offset;        /* next byte of the current item */
};

/* Selector bits. */
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL    0x8000

/* Register offsets within the region. */
#define FW_CFG_PORT_SEL  0      /* 16-bit write: select */
#define FW_CFG_PORT_DATA 1      /* 8-bit read: data */

#define FW_CFG_ID_TRADITIONAL 0x1

/* --- items --- */

static void fw_cfg_item_free(gpointer p)
{
    FwCfgItem *item = p;

    g_free(item->data);
    g_free(item);
}

static void fw_cfg_file_free(gpointer p)
{
    FwCfgFile *f = p;

    g_free(f->item.data);
    g_free(f);
}

/* The item a key names, or NULL. */
static const FwCfgItem *fw_cfg_lookup(FwCfgState *s, uint16_t key)
{
    uint16_t index = key & ~FW_CFG_ARCH_LOCAL;

    if (!(key & FW_CFG_ARCH_LOCAL) && index >= FW_CFG_FILE_FIRST) {
        index -= FW_CFG_FILE_FIRST;
        if (index < s->files->len) {
            FwCfgFile *f = g_ptr_array_index(s->files, index);
            return &f->item;
        }
        return NULL;
    }
    return g_hash_table_lookup(s->items, GUINT_TO_POINTER(key));
}

static void fw_cfg_set_item(FwCfgState *s, uint16_t key, void *data,
                            size_t len)
{
    FwCfgItem *item = g_new0(FwCfgItem, 1);

    assert(len <= UINT32_MAX);
    item->data = data;
    item->len = len;
    g_hash_table_replace(s->items, GUINT_TO_POINTER(key), item);
}

/* Regenerates FW_CFG_FILE_DIR from the sorted file list. */
static void fw_cfg_update_dir(FwCfgState *s)
{
    size_t len = 4 + (size_t)s->files->len * (8 + FW_CFG_MAX_FILE_PATH);
    uint8_t *dir = g_malloc0(len);
    uint8_t *p = dir + 4;
    uint32_t count = s->files->len;

    dir[0] = count >> 24;
    dir[1] = count >> 16;
    dir[2] = count >> 8;
    dir[3] = count;
    for (guint i = 0; i < s->files->len; i++) {
        FwCfgFile *f = g_ptr_array_index(s->files, i);
        uint16_t select = FW_CFG_FILE_FIRST + i;

        p[0] = f->item.len >> 24;
        p[1] = f->item.len >> 16;
        p[2] = f->item.len >> 8;
        p[3] = f->item.len;
        p[4] = select >> 8;
        p[5] = select;
        /* p[6..7] reserved, zero */
        memcpy(p + 8, f->name, FW_CFG_MAX_FILE_PATH);
        p += 8 + FW_CFG_MAX_FILE_PATH;
    }
    fw_cfg_set_item(s, FW_CFG_FILE_DIR, dir, len);
}

/* Called with the BQL held, while the board is built. */
void fw_cfg_add_bytes(FwCfgState *s, uint16_t key, const void *data,
                      size_t len)
{
    /* Fixed keys and arch-local keys only; files go through add_file. */
    assert(!(key & FW_CFG_WRITE_CHANNEL));
    assert((key & FW_CFG_ARCH_LOCAL) ||
           (key < FW_CFG_FILE_FIRST && key != FW_CFG_FILE_DIR));
    fw_cfg_set_item(s, key, g_memdup2(data, len), len);
}

void fw_cfg_add_string(FwCfgState *s, uint16_t key, const char *str)
{
    fw_cfg_add_bytes(s, key, str, strlen(str) + 1);
}

void fw_cfg_add_i16(FwCfgState *s, uint16_t key, uint16_t value)
{
    uint8_t b[2] = { value, value >> 8 };

    fw_cfg_add_bytes(s, key, b, sizeof(b));
}

void fw_cfg_add_i32(FwCfgState *s, uint16_t key, uint32_t value)
{
    uint8_t b[4];

    for (int i = 0; i < 4; i++) {
        b[i] = value >> (8 * i);
    }
    fw_cfg_add_bytes(s, key, b, sizeof(b));
}

void fw_cfg_add_i64(FwCfgState *s, uint16_t key, uint64_t value)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = value >> (8 * i);
    }
    fw_cfg_add_bytes(s, key, b, sizeof(b));
}

bool fw_cfg_add_file(FwCfgState *s, const char *name, const void *data,
                     size_t len, Error **errp)
{
    guint pos;

    if (!name[0] || strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        error_setg(errp, "fw_cfg: file name '%s' must be 1..%d characters",
                   name, FW_CFG_MAX_FILE_PATH - 1);
        return false;
    }
    if (len > UINT32_MAX) {
        error_setg(errp, "fw_cfg: file '%s' is larger than 4 GiB", name);
        return false;
    }
    for (pos = 0; pos < s->files->len; pos++) {
        FwCfgFile *f = g_ptr_array_index(s->files, pos);
        int cmp = strcmp(name, f->name);

        if (cmp == 0) {
            error_setg(errp, "fw_cfg: duplicate file name '%s'", name);
            return false;
        }
        if (cmp < 0) {
            break;
        }
    }
    if (s->files->len >= FW_CFG_MAX_FILES) {
        error_setg(errp, "fw_cfg: file directory is full (%d files); cannot "
                   "add '%s'", FW_CFG_MAX_FILES, name);
        return false;
    }

    FwCfgFile *f = g_new0(FwCfgFile, 1);
    g_strlcpy(f->name, name, sizeof(f->name));
    f->item.data = g_memdup2(data, len);
    f->item.len = len;
    g_ptr_array_insert(s->files, pos, f);
    fw_cfg_update_dir(s);
    return true;
}

/* --- port handlers --- */

static void fw_cfg_select(FwCfgState *s, uint16_t key)
{
    s->cur_key = key & ~FW_CFG_WRITE_CHANNEL;
    s->cur_offset = 0;
}

/* Called with the BQL held. */
static uint64_t fw_cfg_io_read(void *opaque, hwaddr addr, unsigned size)
{
    FwCfgState *s = opaque;
    const FwCfgItem *item;

    if (size != 1) {
        log_guest_error("fw_cfg: %u-byte read at port %#" PRIx64 " (only "
                        "byte reads are defined)\n", size,
                        s->iobase + addr);
        return 0;
    }
    item = fw_cfg_lookup(s, s->cur_key);
    if (!item || s->cur_offset >= item->len) {
        return 0;
    }
    return item->data[s->cur_offset++];
}

/* Called with the BQL held. */
static void fw_cfg_io_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    FwCfgState *s = opaque;

    if (size == 2 && addr == FW_CFG_PORT_SEL) {
        fw_cfg_select(s, val);
        return;
    }
    log_guest_error("fw_cfg: %u-byte write %#" PRIx64 " to port %#" PRIx64
                    " ignored (data writes are not supported)\n", size, val,
                    s->iobase + addr);
}

static const MemoryRegionOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 2 },
};

/* --- realize, reset, save/restore --- */

static void fw_cfg_reset(DeviceState *dev)
{
    FwCfgState *s = container_of(dev, FwCfgState, parent);

    fw_cfg_select(s, FW_CFG_SIGNATURE);
}

static void fw_cfg_realize(DeviceState *dev, Error **errp)
{
    FwCfgState *s = container_of(dev, FwCfgState, parent);
    IsaBus *bus = s->bus ? s->bus : isa_bus_get();

    if (!bus) {
        error_setg(errp, "fw_cfg_io: this machine has no ISA bus");
        return;
    }
    if (s->iobase > 0x10000 - 2) {
        error_setg(errp, "fw_cfg_io: iobase=%#" PRIx32 " is outside the I/O "
                   "port space", s->iobase);
        return;
    }
    memory_region_init_io(&s->io, &fw_cfg_io_ops, s, "fw_cfg_io", 2);
    if (!isa_register_ioport(bus, &s->io, s->iobase, errp)) {
        memory_region_finalize(&s->io);
        return;
    }
    s->items = g_hash_table_new_full(NULL, NULL, NULL, fw_cfg_item_free);
    s->files = g_ptr_array_new_with_free_func(fw_cfg_file_free);
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_ID_TRADITIONAL);
    fw_cfg_update_dir(s);
    fw_cfg_reset(dev);
}

static void fw_cfg_unrealize(DeviceState *dev)
{
    FwCfgState *s = container_of(dev, FwCfgState, parent);

    g_clear_pointer(&s->items, g_hash_table_destroy);
    g_clear_pointer(&s->files, g_ptr_array_unref);
}

static const VMStateField fw_cfg_vmstate[] = {
    VMSTATE_UINT16(cur_key, FwCfgState),
    VMSTATE_UINT32(cur_offset, FwCfgState),
    VMSTATE_END,
};

static const Property fw_cfg_props[] = {
    DEFINE_PROP_UINT32("iobase", FwCfgState, iobase, 0x510),
    DEFINE_PROP_END,
};

static const DeviceClass fw_cfg_io_class = {
    .name = "fw_cfg_io",
    .desc = "firmware configuration (selector and data ports)",
    .bus = "isa",
    .user_creatable = false,
    .instance_size = sizeof(FwCfgState),
    .props = fw_cfg_props,
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .unrealize = fw_cfg_unrealize,
    .vmstate = fw_cfg_vmstate,
};
DEVICE_REGISTER(fw_cfg_io_class);

/* --- board interface --- */

FwCfgState *fw_cfg_init_io(IsaBus *bus, uint16_t iobase, Error **errp)
{
    DeviceState *dev = device_new(fw_cfg_io_class.name, errp);
    FwCfgState *s;
    char port[16];

    if (!dev) {
        return NULL;
    }
    s = container_of(dev, FwCfgState, parent);
    s->bus = bus;
    snprintf(port, sizeof(port), "%#x", iobase);
    if (!device_set_prop(dev, "iobase", port, errp) ||
        !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return s;
}

FwCfgState *fw_cfg_find(void)
{
    DeviceState *dev = device_find_by_class(fw_cfg_io_class.name);

    return dev ? container_of(dev, FwCfgState, parent) : NULL;
}
