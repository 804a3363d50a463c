/*
 * pc-ferr.c: "pc-ferr", the PC chipset's x87 error logic for the MS-DOS
 * compatibility mode (CR0.NE = 0).
 *
 * The SDM (Vol 1 8.7 and appendix D.2, figure D-1) describes the circuit
 * every PC since the AT has: a CPU with an unmasked x87 exception pending
 * asserts FERR# when it reaches the next waiting FP insn (or FWAIT) and
 * freezes there (target/i386/fpu_helper.c).  Here
 *
 *   - FERR#'s rising edge sets a latch (flip-flop 1) whose output is ISA
 *     IRQ 13 (slave 8259 IR5, vector 75h under DOS);
 *   - any write to port 0xF0 clears that latch (IRQ 13 drops) and, while
 *     FERR# is still asserted, sets flip-flop 2, whose output is IGNNE#:
 *     the CPU then runs waiting FP insns despite the pending exception,
 *     so the handler may use the FPU before clearing it;
 *   - FERR# going inactive (the handler's FNCLEX, FNINIT, FRSTOR ...)
 *     clears flip-flop 2: IGNNE# is never active without FERR#.
 *
 * With several CPUs their FERR# outputs are ORed (the line number of each
 * input is the CPU's index) and IGNNE# goes to all of them.  Reads of
 * port 0xF0 decode nothing and return all ones, as the ISA bus floats.
 *
 * Threads and locks: everything here runs with the BQL held: port
 * accesses (needs_bql), and the FERR# inputs, which a vCPU thread sets
 * with the BQL taken for the purpose.  IGNNE# reaches the CPUs through
 * x86_cpu_set_ignne() (an atomic their threads read).
 */
#include "util/osdep.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "hw/i386/pc-ferr.h"
#include "system/memory.h"

#define PC_FERR_MAX_CPUS 256

typedef struct PcFerrState {
    DeviceState parent;

    MemoryRegion io;
    IrqLine *irq13;                 /* ISA IRQ 13; set at realize */
    /* The CPUs (index = FERR# input number) and their input lines; set
     * by pc_ferr_connect_cpu before the vCPUs run; BQL. */
    X86CPU *cpus[PC_FERR_MAX_CPUS];
    IrqLine *inputs[PC_FERR_MAX_CPUS];
    uint64_t ferr[PC_FERR_MAX_CPUS / 64];   /* BQL: FERR# level per CPU */
    bool irq_latch;                 /* BQL: flip-flop 1, IRQ 13 */
    bool ignne;                     /* BQL: flip-flop 2, IGNNE# */
} PcFerrState;

#define PC_FERR_PORT 0xf0

static bool pc_ferr_any(PcFerrState *s)
{
    for (unsigned i = 0; i < ARRAY_SIZE(s->ferr); i++) {
        if (s->ferr[i]) {
            return true;
        }
    }
    return false;
}

/* Drives IGNNE# of every connected CPU.  BQL. */
static void pc_ferr_set_ignne(PcFerrState *s, bool level)
{
    s->ignne = level;
    for (int i = 0; i < PC_FERR_MAX_CPUS; i++) {
        if (s->cpus[i]) {
            x86_cpu_set_ignne(s->cpus[i], level);
        }
    }
}

/* FERR# of CPU n.  BQL. */
static void pc_ferr_input(void *opaque, int n, int level)
{
    PcFerrState *s = opaque;
    bool was = pc_ferr_any(s);
    uint64_t bit = 1ull << (n % 64);

    assert(n >= 0 && n < PC_FERR_MAX_CPUS);
    if (level) {
        s->ferr[n / 64] |= bit;
    } else {
        s->ferr[n / 64] &= ~bit;
    }
    if (!was && pc_ferr_any(s)) {
        s->irq_latch = true;
        irq_raise(s->irq13);
    } else if (was && !pc_ferr_any(s) && s->ignne) {
        pc_ferr_set_ignne(s, false);
    }
}

/* Called with the BQL held. */
static uint64_t pc_ferr_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xff;
}

/* Any value: IRQ 13 off, IGNNE# on while FERR# is.  BQL. */
static void pc_ferr_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                                 unsigned size)
{
    PcFerrState *s = opaque;

    s->irq_latch = false;
    irq_lower(s->irq13);
    if (pc_ferr_any(s)) {
        pc_ferr_set_ignne(s, true);
    }
}

static const MemoryRegionOps pc_ferr_ops = {
    .read = pc_ferr_ioport_read,
    .write = pc_ferr_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

void pc_ferr_connect_cpu(DeviceState *dev, X86CPU *cpu)
{
    PcFerrState *s = container_of(dev, PcFerrState, parent);
    int n = cpu->parent.cpu_index;

    assert(n >= 0 && n < PC_FERR_MAX_CPUS && !s->cpus[n]);
    s->cpus[n] = cpu;
    s->inputs[n] = irq_new(pc_ferr_input, s, n);
    cpu->ferr = s->inputs[n];
    x86_cpu_set_ignne(cpu, s->ignne);
}

/* The CPUs' reset lowers their FERR# too (target/i386/cpu.c).  BQL. */
static void pc_ferr_reset(DeviceState *dev)
{
    PcFerrState *s = container_of(dev, PcFerrState, parent);

    memset(s->ferr, 0, sizeof(s->ferr));
    s->irq_latch = false;
    irq_lower(s->irq13);
    pc_ferr_set_ignne(s, false);
}

static void pc_ferr_realize(DeviceState *dev, Error **errp)
{
    PcFerrState *s = container_of(dev, PcFerrState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "pc-ferr: needs the isa bus");
        return;
    }
    s->irq13 = isa_get_irq(bus, 13);
    memory_region_init_io(&s->io, &pc_ferr_ops, s, "pc-ferr", 1);
    if (!isa_register_ioport(bus, &s->io, PC_FERR_PORT, errp)) {
        return;
    }
    pc_ferr_reset(dev);
}

/* Re-drives IRQ 13 and IGNNE# from the restored latches.  BQL. */
static bool pc_ferr_post_load(DeviceState *dev, Error **errp)
{
    PcFerrState *s = container_of(dev, PcFerrState, parent);

    irq_set(s->irq13, s->irq_latch);
    pc_ferr_set_ignne(s, s->ignne && pc_ferr_any(s));
    return true;
}

static const VMStateField pc_ferr_vmstate[] = {
    VMSTATE_BUFFER(ferr, PcFerrState),
    VMSTATE_BOOL(irq_latch, PcFerrState),
    VMSTATE_BOOL(ignne, PcFerrState),
    VMSTATE_END,
};

static const DeviceClass pc_ferr_class = {
    .name = "pc-ferr",
    .desc = "PC x87 error logic: FERR# to IRQ 13, port 0xF0, IGNNE#",
    .bus = "isa",
    .user_creatable = false,
    .instance_size = sizeof(PcFerrState),
    .realize = pc_ferr_realize,
    .reset = pc_ferr_reset,
    .vmstate = pc_ferr_vmstate,
    .post_load = pc_ferr_post_load,
};
DEVICE_REGISTER(pc_ferr_class);
