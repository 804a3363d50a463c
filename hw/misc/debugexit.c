/*
 * debugexit.c: "isa-debug-exit", the port that ends the emulator.
 *
 * Test guests (unit-test kernels, firmware test suites) finish by writing a
 * value v to this port; the process then exits with status (v << 1) | 1, so
 * that a guest cannot produce status 0 by accident and a harness can map the
 * odd statuses back to the guest's verdict:
 *
 *     -device isa-debug-exit,iobase=0xf4,iosize=0x4
 *     guest:  outl 0x10 -> port 0xf4     host:  exit status 0x21
 *
 * Unlike the established emulator, which calls exit() from inside the
 * device, the write only requests a shutdown: the main loop then stops the
 * vCPUs, restores terminals, prints statistics and exits with the status.
 * The status is masked to 8 bits here, as the OS would.  The first write
 * wins; the guest keeps running until the main loop acts and later writes
 * do not change the status.  Reads return 0, as in the established device.
 *
 * Port handlers run with the BQL held (the region keeps needs_bql);
 * system_shutdown_request() may be called from any thread anyway.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/vmstate.h"
#include "system/memory.h"
#include "system/runstate.h"

typedef struct DebugExitState {
    DeviceState parent;

    uint32_t iobase;            /* property; const after realize */
    uint32_t iosize;            /* property: 1, 2 or 4 */
    MemoryRegion io;

    bool exit_requested;        /* BQL: a status was handed to the loop */
} DebugExitState;

/* No registers: any write of any valid size is the exit value. */

/* Called with the BQL held. */
static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

/* Called with the BQL held. */
static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    DebugExitState *s = opaque;
    int status = (int)(((val << 1) | 1) & 0xff);

    if (s->exit_requested) {
        return;
    }
    s->exit_requested = true;
    log_mask_printf(LOG_TRACE_DEV, "isa-debug-exit: value %#" PRIx64
                    " -> exit status %d\n", val, status);
    system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN, status);
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void debug_exit_realize(DeviceState *dev, Error **errp)
{
    DebugExitState *s = container_of(dev, DebugExitState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "isa-debug-exit: this machine has no ISA bus");
        return;
    }
    if (s->iosize != 1 && s->iosize != 2 && s->iosize != 4) {
        error_setg(errp, "isa-debug-exit: iosize=%" PRIu32 " must be 1, 2 "
                   "or 4", s->iosize);
        return;
    }
    if (s->iobase > 0x10000 - s->iosize) {
        error_setg(errp, "isa-debug-exit: iobase=%#" PRIx32 " is outside "
                   "the I/O port space", s->iobase);
        return;
    }
    memory_region_init_io(&s->io, &debug_exit_ops, s, "isa-debug-exit",
                          s->iosize);
    if (!isa_register_ioport(bus, &s->io, s->iobase, errp)) {
        memory_region_finalize(&s->io);
    }
}

static void debug_exit_reset(DeviceState *dev)
{
    /* Nothing guest-visible; a requested exit is not undone by reset. */
}

static const VMStateField debug_exit_vmstate[] = {
    VMSTATE_END,
};

static const Property debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", DebugExitState, iosize, 2),
    DEFINE_PROP_END,
};

static const DeviceClass debug_exit_class = {
    .name = "isa-debug-exit",
    .desc = "exit the emulator with status (value << 1) | 1",
    .bus = "isa",
    .user_creatable = true,
    .instance_size = sizeof(DebugExitState),
    .props = debug_exit_props,
    .realize = debug_exit_realize,
    .reset = debug_exit_reset,
    .vmstate = debug_exit_vmstate,
};
DEVICE_REGISTER(debug_exit_class);
