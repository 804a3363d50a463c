/*
 * ioapic.c: the I/O APIC of the pc machine ("ioapic"), after the Intel
 * 82093AA datasheet, at 0xfec00000.
 *
 * Two 32-bit MMIO registers give indirect access to the rest: IOREGSEL
 * (offset 0x00) selects a register and IOWIN (offset 0x10) reads or writes
 * it.  Register 0 is the ID (bits 27..24), 1 the version (0x11, maximum
 * redirection entry 23 in bits 23..16), 2 the arbitration ID, and
 * 0x10 + 2n / 0x11 + 2n the low and high halves of redirection entry n:
 *
 *     63..56 destination          16 mask      15 trigger (1 = level)
 *     14 remote IRR (read-only)   13 polarity  12 delivery status (RO)
 *     11 destination mode         10..8 delivery mode    7..0 vector
 *
 * Each of the 24 input pins carries a logical assertion (the board's ISA
 * lines are active high; polarity is stored for software but not applied).
 * An edge-triggered pin sends one message per rising edge while unmasked;
 * an edge that arrives masked is lost, as on the part.  A level-triggered
 * pin sends a message when asserted and unmasked and its Remote IRR is
 * clear, then sets Remote IRR; the local APIC's EOI for that vector
 * (ioapic_eoi_broadcast) clears it and, if the pin is still asserted,
 * sends again.  Messages go out on the APIC bus (hw/i386/apic-bus.h).
 *
 * Accesses other than 4 bytes, and register indices that do not exist,
 * are guest errors: logged, reads return 0, writes are ignored.
 *
 * Threads and locks: MMIO, the input pins and the EOI entry point run with
 * the BQL held; the region keeps needs_bql.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "hw/intc/ioapic.h"
#include "hw/i386/apic-bus.h"
#include "system/memory.h"

struct IOAPICState {
    DeviceState parent;

    uint64_t base;            /* property: MMIO address */
    MemoryRegion mmio;
    IrqLine **inputs;         /* IOAPIC_NUM_PINS */

    /* Guest-visible state; BQL. */
    uint32_t ioregsel;
    uint32_t id;              /* bits 27..24 as in the register */
    uint32_t irr;             /* pending requests, one bit per pin */
    uint32_t pin_level;       /* the input levels now */
    uint64_t redtbl[IOAPIC_NUM_PINS];
};

#define IOAPIC_IOREGSEL     0x00
#define IOAPIC_IOWIN        0x10
#define IOAPIC_MMIO_SIZE    0x1000

#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDTBL   0x10
#define IOAPIC_VERSION      0x11
#define IOAPIC_ID_MASK      0x0f000000u

#define IOAPIC_RTE_VECTOR       0xffULL
#define IOAPIC_RTE_DM_SHIFT     8
#define IOAPIC_RTE_DM_MASK      0x7ULL
#define IOAPIC_RTE_DEST_LOGICAL (1ULL << 11)
#define IOAPIC_RTE_DELIV_STATUS (1ULL << 12)
#define IOAPIC_RTE_POLARITY     (1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR   (1ULL << 14)
#define IOAPIC_RTE_LEVEL        (1ULL << 15)
#define IOAPIC_RTE_MASKED       (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT   56
/* Bits the guest writes; the rest are reserved or read-only. */
#define IOAPIC_RTE_WRITABLE     (0xff000000000000ffULL | (0x7ULL << 8) | \
                                 IOAPIC_RTE_DEST_LOGICAL | \
                                 IOAPIC_RTE_POLARITY | IOAPIC_RTE_LEVEL | \
                                 IOAPIC_RTE_MASKED)

static IOAPICState *ioapic_instance;   /* for ioapic_eoi_broadcast; BQL */

/* --- delivery --- */

static void ioapic_send(IOAPICState *s, int pin)
{
    uint64_t e = s->redtbl[pin];
    ApicMessage msg = {
        .dest = e >> IOAPIC_RTE_DEST_SHIFT,
        .dest_logical = (e & IOAPIC_RTE_DEST_LOGICAL) != 0,
        .delivery_mode = (e >> IOAPIC_RTE_DM_SHIFT) & IOAPIC_RTE_DM_MASK,
        .vector = e & IOAPIC_RTE_VECTOR,
        .level = true,
        .trigger_level = (e & IOAPIC_RTE_LEVEL) != 0,
    };

    apic_bus_deliver(&msg);
}

/* Sends every request that may go now.  BQL. */
static void ioapic_service(IOAPICState *s)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint32_t bit = 1u << pin;
        uint64_t *e = &s->redtbl[pin];

        if (!(s->irr & bit) || (*e & IOAPIC_RTE_MASKED)) {
            continue;
        }
        if (*e & IOAPIC_RTE_LEVEL) {
            if (*e & IOAPIC_RTE_REMOTE_IRR) {
                continue;
            }
            *e |= IOAPIC_RTE_REMOTE_IRR;
        } else {
            s->irr &= ~bit;
        }
        ioapic_send(s, pin);
    }
}

/* IrqLine handler of the input pins; BQL. */
static void ioapic_set_irq(void *opaque, int pin, int level)
{
    IOAPICState *s = opaque;
    uint32_t bit = 1u << pin;
    bool was = s->pin_level & bit;
    uint64_t e = s->redtbl[pin];

    if (level) {
        s->pin_level |= bit;
    } else {
        s->pin_level &= ~bit;
    }
    if (e & IOAPIC_RTE_LEVEL) {
        if (level) {
            s->irr |= bit;
        } else {
            s->irr &= ~bit;
        }
    } else if (level && !was && !(e & IOAPIC_RTE_MASKED)) {
        s->irr |= bit;
    }
    ioapic_service(s);
}

IrqLine *ioapic_get_input(IOAPICState *s, int pin)
{
    assert(pin >= 0 && pin < IOAPIC_NUM_PINS);
    return s->inputs[pin];
}

void ioapic_eoi_broadcast(int vector)
{
    IOAPICState *s = ioapic_instance;

    if (!s) {
        return;
    }
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t *e = &s->redtbl[pin];

        if ((*e & IOAPIC_RTE_VECTOR) == (uint64_t)(vector & 0xff) &&
            (*e & IOAPIC_RTE_REMOTE_IRR)) {
            *e &= ~IOAPIC_RTE_REMOTE_IRR;
        }
    }
    ioapic_service(s);
}

/* --- MMIO --- */

static uint32_t ioapic_reg_read(IOAPICState *s, uint32_t reg)
{
    int n;

    switch (reg) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return s->id;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
    }
    if (reg >= IOAPIC_REG_REDTBL &&
        reg < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        n = (reg - IOAPIC_REG_REDTBL) / 2;
        return (reg & 1) ? s->redtbl[n] >> 32 : (uint32_t)s->redtbl[n];
    }
    log_guest_error("ioapic: read of register %#x that does not exist\n",
                    reg);
    return 0;
}

static void ioapic_reg_write(IOAPICState *s, uint32_t reg, uint32_t val)
{
    uint64_t *e, ro;
    int n;

    switch (reg) {
    case IOAPIC_REG_ID:
        s->id = val & IOAPIC_ID_MASK;
        return;
    case IOAPIC_REG_VER:
    case IOAPIC_REG_ARB:
        log_guest_error("ioapic: write %#x to read-only register %#x\n",
                        val, reg);
        return;
    }
    if (reg < IOAPIC_REG_REDTBL ||
        reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        log_guest_error("ioapic: write %#x to register %#x that does not "
                        "exist\n", val, reg);
        return;
    }
    n = (reg - IOAPIC_REG_REDTBL) / 2;
    e = &s->redtbl[n];
    ro = *e & ~IOAPIC_RTE_WRITABLE;
    if (reg & 1) {
        *e = (*e & 0xffffffffULL) | ((uint64_t)val << 32);
    } else {
        *e = (*e & 0xffffffff00000000ULL) | val;
    }
    *e = (*e & IOAPIC_RTE_WRITABLE) | ro;
    if (!(*e & IOAPIC_RTE_LEVEL)) {
        *e &= ~IOAPIC_RTE_REMOTE_IRR;  /* meaningless for edge */
    } else if (s->pin_level & (1u << n)) {
        s->irr |= 1u << n;             /* a level pin re-evaluates */
    }
    ioapic_service(s);
}

/* Called with the BQL held. */
static uint64_t ioapic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICState *s = opaque;

    if (size != 4) {
        log_guest_error("ioapic: %u-byte read at %#" PRIx64 " (only 4-byte "
                        "accesses work)\n", size, (uint64_t)addr);
        return 0;
    }
    switch (addr) {
    case IOAPIC_IOREGSEL:
        return s->ioregsel;
    case IOAPIC_IOWIN:
        return ioapic_reg_read(s, s->ioregsel);
    default:
        log_guest_error("ioapic: read at unknown offset %#" PRIx64 "\n",
                        (uint64_t)addr);
        return 0;
    }
}

/* Called with the BQL held. */
static void ioapic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    IOAPICState *s = opaque;

    if (size != 4) {
        log_guest_error("ioapic: %u-byte write at %#" PRIx64 " ignored "
                        "(only 4-byte accesses work)\n", size,
                        (uint64_t)addr);
        return;
    }
    switch (addr) {
    case IOAPIC_IOREGSEL:
        s->ioregsel = val & 0xff;
        break;
    case IOAPIC_IOWIN:
        ioapic_reg_write(s, s->ioregsel, val);
        break;
    default:
        log_guest_error("ioapic: write at unknown offset %#" PRIx64 "\n",
                        (uint64_t)addr);
        break;
    }
}

static const MemoryRegionOps ioapic_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* --- realize, reset, save/restore --- */

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = container_of(dev, IOAPICState, parent);

    s->ioregsel = 0;
    s->id = 0;
    s->irr = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->redtbl[i] = IOAPIC_RTE_MASKED;
    }
}

static void ioapic_realize(DeviceState *dev, Error **errp)
{
    IOAPICState *s = container_of(dev, IOAPICState, parent);

    if (ioapic_instance) {
        error_setg(errp, "ioapic: the machine already has one");
        return;
    }
    s->inputs = irq_new_array(ioapic_set_irq, s, IOAPIC_NUM_PINS);
    memory_region_init_io(&s->mmio, &ioapic_ops, s, "ioapic",
                          IOAPIC_MMIO_SIZE);
    /* Above RAM: the board's RAM may still cover this address. */
    memory_region_add_subregion_overlap(get_system_memory(), s->base,
                                        &s->mmio, 10);
    ioapic_instance = s;
    ioapic_reset(dev);
}

static bool ioapic_post_load(DeviceState *dev, Error **errp)
{
    IOAPICState *s = container_of(dev, IOAPICState, parent);

    s->id &= IOAPIC_ID_MASK;
    s->irr &= (1u << IOAPIC_NUM_PINS) - 1;
    s->pin_level &= (1u << IOAPIC_NUM_PINS) - 1;
    ioapic_service(s);
    return true;
}

static const VMStateField ioapic_vmstate[] = {
    VMSTATE_UINT32(ioregsel, IOAPICState),
    VMSTATE_UINT32(id, IOAPICState),
    VMSTATE_UINT32(irr, IOAPICState),
    VMSTATE_UINT32(pin_level, IOAPICState),
    VMSTATE_BUFFER(redtbl, IOAPICState),
    VMSTATE_END,
};

static const Property ioapic_props[] = {
    DEFINE_PROP_UINT64("base", IOAPICState, base, IOAPIC_DEFAULT_BASE),
    DEFINE_PROP_END,
};

static const DeviceClass ioapic_class = {
    .name = "ioapic",
    .desc = "82093AA I/O APIC, 24 pins (built into pc)",
    .bus = "sysbus",
    .user_creatable = false,
    .instance_size = sizeof(IOAPICState),
    .props = ioapic_props,
    .realize = ioapic_realize,
    .reset = ioapic_reset,
    .vmstate = ioapic_vmstate,
    .post_load = ioapic_post_load,
};
DEVICE_REGISTER(ioapic_class);
