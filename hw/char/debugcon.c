/*
 * debugcon.c: "isa-debugcon", the one-port debug console (port 0xe9).
 *
 * Firmware and kernels print early messages by writing bytes to port 0xe9;
 * each byte goes straight to the chardev.  Reading the port returns the
 * "readback" value (0xe9 by default), which is how guests detect that the
 * port exists (an empty port reads 0xff):
 *
 *     -chardev file,id=dbg,path=/tmp/debug.log
 *     -device isa-debugcon,iobase=0xe9,chardev=dbg
 *
 * The port is one byte wide; the access sizes follow the established
 * device: the guest may use 1..4 bytes, the core splits wider accesses into
 * byte accesses.  Port handlers run with the BQL held.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/vmstate.h"
#include "system/memory.h"
#include "chardev/char.h"

typedef struct DebugconState {
    DeviceState parent;

    uint32_t iobase;            /* properties; const after realize */
    uint32_t readback;
    Chardev *chr;               /* may be NULL: output dropped */

    MemoryRegion io;
    CharFrontend fe;
} DebugconState;

/* One port: writes print a byte, reads return the readback value. */

/* Called with the BQL held. */
static uint64_t debugcon_read(void *opaque, hwaddr addr, unsigned size)
{
    DebugconState *s = opaque;

    return s->readback & 0xff;
}

/* Called with the BQL held. */
static void debugcon_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    DebugconState *s = opaque;
    uint8_t ch = val;

    if (s->fe.chr) {
        char_fe_write(&s->fe, &ch, 1);
    }
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void debugcon_realize(DeviceState *dev, Error **errp)
{
    DebugconState *s = container_of(dev, DebugconState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "isa-debugcon: this machine has no ISA bus");
        return;
    }
    if (s->iobase > 0xffff) {
        error_setg(errp, "isa-debugcon: iobase=%#" PRIx32 " is outside the "
                   "I/O port space", s->iobase);
        return;
    }
    if (s->chr && !char_fe_init(&s->fe, s->chr, errp)) {
        error_prepend(errp, "isa-debugcon: ");
        return;
    }
    memory_region_init_io(&s->io, &debugcon_ops, s, "isa-debugcon", 1);
    if (!isa_register_ioport(bus, &s->io, s->iobase, errp)) {
        memory_region_finalize(&s->io);
        if (s->fe.chr) {
            char_fe_deinit(&s->fe);
        }
    }
}

static void debugcon_reset(DeviceState *dev)
{
    /* No state: bytes are passed through as they come. */
}

static const VMStateField debugcon_vmstate[] = {
    VMSTATE_END,
};

static const Property debugcon_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugconState, iobase, 0xe9),
    DEFINE_PROP_CHARDEV("chardev", DebugconState, chr),
    DEFINE_PROP_UINT32("readback", DebugconState, readback, 0xe9),
    DEFINE_PROP_END,
};

static const DeviceClass debugcon_class = {
    .name = "isa-debugcon",
    .desc = "debug console: bytes written to the port go to a chardev",
    .bus = "isa",
    .user_creatable = true,
    .instance_size = sizeof(DebugconState),
    .props = debugcon_props,
    .realize = debugcon_realize,
    .reset = debugcon_reset,
    .vmstate = debugcon_vmstate,
};
DEVICE_REGISTER(debugcon_class);
