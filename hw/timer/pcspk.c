/*
 * pcspk.c: port 0x61, the PC's system control port B ("pcspk").
 *
 * On a PC this port ties together the speaker and the PIT's counter 2:
 *
 *     bit  write                          read
 *     0    GATE of PIT counter 2          as written
 *     1    speaker data enable            as written
 *     2,3  parity/IOCHK check disable     as written
 *     4    -                              refresh toggle (flips every 15 us)
 *     5    -                              OUT of PIT counter 2
 *     6,7  -                              NMI sources (never set here)
 *
 * Software times delays with it (gate counter 2, poll bit 5) and calibrates
 * the TSC against it, so bit 5 must follow the PIT exactly; it is read from
 * the PIT (pit_get_out) on each access.  The refresh toggle is derived from
 * CLK_VIRTUAL.  No sound is produced.  The PIT is found at realize (the
 * board creates "isa-pit" first).
 *
 * Threads and locks: port accesses run with the BQL held (needs_bql).
 */
#include "util/osdep.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/vmstate.h"
#include "hw/timer/i8254.h"
#include "system/memory.h"
#include "system/main-loop.h"

typedef struct PcspkState {
    DeviceState parent;

    MemoryRegion io;
    PITState *pit;            /* set at realize */
    uint8_t ctrl;             /* bits 0..3 as written; BQL */
} PcspkState;

#define PCSPK_PORT          0x61
#define PCSPK_GATE2         0x01
#define PCSPK_WRITABLE      0x0f
#define PCSPK_REFRESH       0x10
#define PCSPK_OUT2          0x20
#define PCSPK_REFRESH_NS    15085   /* the DRAM refresh period */

/* Called with the BQL held. */
static uint64_t pcspk_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PcspkState *s = opaque;
    int64_t now = clock_get_ns(CLK_VIRTUAL);
    uint8_t val = s->ctrl;

    if ((now / PCSPK_REFRESH_NS) & 1) {
        val |= PCSPK_REFRESH;
    }
    if (pit_get_out(s->pit, 2)) {
        val |= PCSPK_OUT2;
    }
    return val;
}

/* Called with the BQL held. */
static void pcspk_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    PcspkState *s = opaque;

    s->ctrl = val & PCSPK_WRITABLE;
    pit_set_gate(s->pit, 2, s->ctrl & PCSPK_GATE2);
}

static const MemoryRegionOps pcspk_ops = {
    .read = pcspk_ioport_read,
    .write = pcspk_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void pcspk_reset(DeviceState *dev)
{
    PcspkState *s = container_of(dev, PcspkState, parent);

    s->ctrl = 0;
    pit_set_gate(s->pit, 2, false);
}

static void pcspk_realize(DeviceState *dev, Error **errp)
{
    PcspkState *s = container_of(dev, PcspkState, parent);
    IsaBus *bus = isa_bus_get();
    DeviceState *pit = device_find_by_class("isa-pit");

    if (!bus || !pit) {
        error_setg(errp, "pcspk: needs the isa bus and an isa-pit");
        return;
    }
    s->pit = (PITState *)pit;   /* DeviceState is PITState's first member */
    memory_region_init_io(&s->io, &pcspk_ops, s, "pcspk", 1);
    if (!isa_register_ioport(bus, &s->io, PCSPK_PORT, errp)) {
        return;
    }
    pcspk_reset(dev);
}

static bool pcspk_post_load(DeviceState *dev, Error **errp)
{
    PcspkState *s = container_of(dev, PcspkState, parent);

    s->ctrl &= PCSPK_WRITABLE;
    return true;
}

static const VMStateField pcspk_vmstate[] = {
    VMSTATE_UINT8(ctrl, PcspkState),
    VMSTATE_END,
};

static const DeviceClass pcspk_class = {
    .name = "pcspk",
    .desc = "PC system control port 0x61: speaker and PIT counter 2 gate",
    .bus = "isa",
    .user_creatable = false,
    .instance_size = sizeof(PcspkState),
    .realize = pcspk_realize,
    .reset = pcspk_reset,
    .vmstate = pcspk_vmstate,
    .post_load = pcspk_post_load,
};
DEVICE_REGISTER(pcspk_class);
