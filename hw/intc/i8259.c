/*
 * i8259.c: the PC's two cascaded Intel 8259A interrupt controllers ("i8259").
 *
 * The master sits at ports 0x20/0x21 and takes ISA IRQ 0..7; the slave at
 * 0xa0/0xa1 takes IRQ 8..15 and drives the master's IR2.  The master's INT
 * output goes to the CPU's INTR pin (pic_connect_int); the CPU answers with
 * an INTA cycle, pic_read_irq(), which yields the vector.  The EISA edge/
 * level control registers (ELCR) at 0x4d0/0x4d1 choose per line whether an
 * input is edge- or level-sensitive.
 *
 * The guest-visible model (8259A datasheet, "Programming the 8259A"):
 *  - Port 0 write with bit 4 set is ICW1: it starts initialisation, clears
 *    IMR and ISR, forgets edges already latched, and gives IR7 the lowest
 *    priority.  ICW2 (vector base, low 3 bits ignored), ICW3 (cascade,
 *    skipped in single mode) and ICW4 (if ICW1 asked for it: auto-EOI,
 *    special fully nested) follow on port 1.
 *  - After initialisation, port 1 writes are OCW1 (IMR).  Port 0 writes are
 *    OCW2 (bits 4,3 = 00: EOI, specific EOI, rotate, set priority) or OCW3
 *    (bits 4,3 = 01: select IRR/ISR for reading, poll, special mask).
 *  - Priorities rotate: priority_add is the IR level with the highest
 *    priority.  A request is presented only if it beats everything in
 *    service (in special mask mode, masked in-service levels do not count;
 *    in special fully nested mode the master lets the slave interrupt a
 *    slave request that is in service).
 *  - Edge-triggered inputs set IRR on a rising edge; level-triggered ones
 *    (ELCR bit or ICW1 LTIM) follow the line.  INTA clears IRR for edge
 *    inputs only: a level input still high stays requested, and ISR blocks
 *    it until EOI.
 *  - If the request disappears before INTA, the chip answers with IR7 of
 *    the chip asked (vector base + 7) and sets no ISR bit: the spurious
 *    interrupt.  Poll mode (OCW3 P) makes the next read of either port an
 *    acknowledge returning 0x80 | level, or 0 with nothing pending.
 *  - ELCR bits for IRQ 0, 1, 2, 8 and 13 are fixed edge (reads as 0).
 *  - 8080/85 mode (ICW4 bit 0 clear) and buffered mode are not modelled;
 *    they are logged as unimplemented and the chip acts in 8086 mode.
 *
 * Threads and locks: the ports, the input lines (device code raising an
 * ISA IRQ) and pic_read_irq all run with the BQL held; the regions keep
 * needs_bql.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "hw/intc/i8259.h"
#include "system/memory.h"

/* One 8259A.  All fields BQL. */
typedef struct PicChip {
    uint8_t irr;              /* interrupt request register */
    uint8_t imr;              /* interrupt mask register */
    uint8_t isr;              /* in-service register */
    uint8_t last_irr;         /* input levels seen, for edge detection */
    uint8_t elcr;             /* 1 = level-triggered */
    uint8_t priority_add;     /* IR level with the highest priority */
    uint8_t irq_base;         /* ICW2 & 0xf8 */
    uint8_t icw3;
    uint8_t init_state;       /* next ICW expected on port 1; 0 = none */
    uint8_t read_isr;         /* OCW3 RR/RIS: port 0 reads ISR, else IRR */
    uint8_t poll;             /* next read is a poll acknowledge */
    uint8_t special_mask;
    uint8_t auto_eoi;
    uint8_t rotate_on_auto_eoi;
    uint8_t special_fully_nested;
    uint8_t init4;            /* ICW1 IC4: an ICW4 follows */
    uint8_t single_mode;      /* ICW1 SNGL: no ICW3 */
    uint8_t ltim;             /* ICW1 LTIM: every input level-triggered */
} PicChip;

struct PICState {
    DeviceState parent;

    MemoryRegion io_master;   /* 0x20..0x21 */
    MemoryRegion io_slave;    /* 0xa0..0xa1 */
    MemoryRegion io_elcr;     /* 0x4d0..0x4d1 */
    IrqLine **inputs;         /* 16 ISA inputs */
    IrqLine *int_out;         /* master INT; wired by the board */

    PicChip chip[2];          /* BQL */
    uint8_t int_level;        /* level last driven on int_out; BQL */
};

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE  0xa0
#define PIC_ELCR_BASE   0x4d0
#define PIC_CASCADE_IRQ 2

#define PIC_ICW1        0x10   /* port 0, bit 4: initialisation */
#define PIC_ICW1_IC4    0x01
#define PIC_ICW1_SNGL   0x02
#define PIC_ICW1_LTIM   0x08
#define PIC_OCW3        0x08   /* port 0, bits 4,3 = 01 */
#define PIC_OCW3_RIS    0x01
#define PIC_OCW3_RR     0x02
#define PIC_OCW3_P      0x04
#define PIC_OCW3_SMM    0x20
#define PIC_OCW3_ESMM   0x40
#define PIC_ICW4_UPM    0x01   /* 8086 mode */
#define PIC_ICW4_AEOI   0x02
#define PIC_ICW4_BUF    0x08
#define PIC_ICW4_SFNM   0x10

/* OCW2 commands: bits 7..5. */
#define PIC_OCW2_ROTATE_AEOI_CLEAR 0
#define PIC_OCW2_EOI               1
#define PIC_OCW2_NOP               2
#define PIC_OCW2_SPECIFIC_EOI      3
#define PIC_OCW2_ROTATE_AEOI_SET   4
#define PIC_OCW2_ROTATE_EOI        5
#define PIC_OCW2_SET_PRIORITY      6
#define PIC_OCW2_ROTATE_SPECIFIC   7

/* ELCR bits that can be set: not IRQ 0, 1, 2 (master), 8, 13 (slave). */
static const uint8_t pic_elcr_mask[2] = { 0xf8, 0xde };

/* --- priority logic --- */

static uint8_t pic_level_mask(PicChip *c)
{
    return c->ltim ? 0xff : c->elcr;
}

/* Priority (0 = highest) of the best bit in mask, or 8 if none. */
static int pic_priority(PicChip *c, uint8_t mask)
{
    int prio = 0;

    if (!mask) {
        return 8;
    }
    while (!(mask & (1 << ((prio + c->priority_add) & 7)))) {
        prio++;
    }
    return prio;
}

/* The IR level this chip presents now, or -1. */
static int pic_chip_pending(PicChip *c, bool is_master)
{
    int prio = pic_priority(c, c->irr & ~c->imr);
    uint8_t in_service = c->isr;

    if (prio == 8) {
        return -1;
    }
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    if (is_master && c->special_fully_nested) {
        in_service &= ~(1 << PIC_CASCADE_IRQ);
    }
    if (prio < pic_priority(c, in_service)) {
        return (prio + c->priority_add) & 7;
    }
    return -1;
}

/* An input of chip c changed to level. */
static void pic_chip_set_input(PicChip *c, int ir, int level)
{
    uint8_t bit = 1 << ir;

    if (pic_level_mask(c) & bit) {
        if (level) {
            c->irr |= bit;
            c->last_irr |= bit;
        } else {
            c->irr &= ~bit;
            c->last_irr &= ~bit;
        }
    } else if (level) {
        if (!(c->last_irr & bit)) {
            c->irr |= bit;
        }
        c->last_irr |= bit;
    } else {
        c->last_irr &= ~bit;
    }
}

/* Recomputes the cascade and the INT output.  BQL. */
static void pic_update(PICState *s)
{
    bool slave_int = pic_chip_pending(&s->chip[1], false) >= 0;
    bool master_int;

    pic_chip_set_input(&s->chip[0], PIC_CASCADE_IRQ, slave_int);
    master_int = pic_chip_pending(&s->chip[0], true) >= 0;
    if (master_int != s->int_level) {
        s->int_level = master_int;
        irq_set(s->int_out, master_int);
    }
}

/* The acknowledge half of INTA / poll for level ir of chip c. */
static void pic_chip_ack(PicChip *c, int ir)
{
    uint8_t bit = 1 << ir;

    if (c->auto_eoi) {
        if (c->rotate_on_auto_eoi) {
            c->priority_add = (ir + 1) & 7;
        }
    } else {
        c->isr |= bit;
    }
    if (!(pic_level_mask(c) & bit)) {
        c->irr &= ~bit;
    }
}

/* Called with the BQL held (by the CPU's interrupt delivery later). */
int pic_read_irq(PICState *s)
{
    PicChip *m = &s->chip[0], *sl = &s->chip[1];
    int ir = pic_chip_pending(m, true);
    int vector;

    if (ir < 0) {
        /* The request went away before INTA: spurious IRQ 7. */
        vector = m->irq_base + 7;
    } else if (ir == PIC_CASCADE_IRQ) {
        int ir2 = pic_chip_pending(sl, false);

        if (ir2 >= 0) {
            pic_chip_ack(sl, ir2);
        } else {
            ir2 = 7;            /* spurious IRQ 15 */
        }
        vector = sl->irq_base + ir2;
        pic_chip_ack(m, ir);
    } else {
        vector = m->irq_base + ir;
        pic_chip_ack(m, ir);
    }
    pic_update(s);
    log_mask_printf(LOG_INT, "i8259: INTA -> vector %#x\n", vector);
    return vector;
}

bool pic_int_level(PICState *s)
{
    return s->int_level;
}

IrqLine *pic_get_input(PICState *s, int n)
{
    assert(n >= 0 && n < ISA_NUM_IRQS);
    return s->inputs[n];
}

void pic_connect_int(PICState *s, IrqLine *out)
{
    s->int_out = out;
    irq_set(out, s->int_level);
}

/* IrqLine handler of the 16 inputs; BQL. */
static void pic_set_irq(void *opaque, int n, int level)
{
    PICState *s = opaque;

    if (n == PIC_CASCADE_IRQ) {
        return;                 /* the cascade input is internal */
    }
    pic_chip_set_input(&s->chip[n >> 3], n & 7, level);
    pic_update(s);
}

/* --- port handlers --- */

static void pic_chip_init_reset(PicChip *c)
{
    c->last_irr = 0;
    c->irr &= c->elcr;
    c->imr = 0;
    c->isr = 0;
    c->priority_add = 0;
    c->irq_base = 0;
    c->read_isr = 0;
    c->poll = 0;
    c->special_mask = 0;
    c->init_state = 0;
    c->auto_eoi = 0;
    c->rotate_on_auto_eoi = 0;
    c->special_fully_nested = 0;
    c->init4 = 0;
    c->single_mode = 0;
    c->ltim = 0;
    c->icw3 = 0;
}

static uint8_t pic_poll_read(PICState *s, int idx)
{
    PicChip *c = &s->chip[idx];
    int ir = pic_chip_pending(c, idx == 0);

    c->poll = 0;
    if (ir < 0) {
        return 0;
    }
    /* Polling the master for IR2 leaves the slave's request alone:
     * software polls the slave next, as the datasheet describes. */
    pic_chip_ack(c, ir);
    pic_update(s);
    return 0x80 | ir;
}

static void pic_write_cmd(PICState *s, int idx, uint8_t val)
{
    PicChip *c = &s->chip[idx];

    if (val & PIC_ICW1) {
        pic_chip_init_reset(c);
        c->init_state = 1;
        c->init4 = val & PIC_ICW1_IC4;
        c->single_mode = (val & PIC_ICW1_SNGL) != 0;
        c->ltim = (val & PIC_ICW1_LTIM) != 0;
        if (c->single_mode) {
            log_guest_error("i8259 %s: ICW1 single mode breaks the PC's "
                            "cascade\n", idx ? "slave" : "master");
        }
        pic_update(s);
        return;
    }
    if (c->init_state) {
        /* An OCW before ICW2..ICW4 were all written: the sequence is
         * broken.  The part takes it as an OCW anyway. */
        log_guest_error("i8259 %s: OCW %#x during initialisation (ICW%d "
                        "expected on the data port)\n",
                        idx ? "slave" : "master", val, c->init_state + 1);
    }
    if (val & PIC_OCW3) {
        if (val & PIC_OCW3_P) {
            c->poll = 1;
        }
        if (val & PIC_OCW3_RR) {
            c->read_isr = val & PIC_OCW3_RIS;
        }
        if (val & PIC_OCW3_ESMM) {
            c->special_mask = (val & PIC_OCW3_SMM) != 0;
        }
    } else {
        int cmd = val >> 5, ir = val & 7, prio;

        switch (cmd) {
        case PIC_OCW2_ROTATE_AEOI_CLEAR:
        case PIC_OCW2_ROTATE_AEOI_SET:
            c->rotate_on_auto_eoi = cmd == PIC_OCW2_ROTATE_AEOI_SET;
            break;
        case PIC_OCW2_EOI:
        case PIC_OCW2_ROTATE_EOI:
            prio = pic_priority(c, c->isr);
            if (prio == 8) {
                log_guest_error("i8259 %s: EOI with nothing in service\n",
                                idx ? "slave" : "master");
                break;
            }
            ir = (prio + c->priority_add) & 7;
            c->isr &= ~(1 << ir);
            if (cmd == PIC_OCW2_ROTATE_EOI) {
                c->priority_add = (ir + 1) & 7;
            }
            break;
        case PIC_OCW2_SPECIFIC_EOI:
            c->isr &= ~(1 << ir);
            break;
        case PIC_OCW2_SET_PRIORITY:
            c->priority_add = (ir + 1) & 7;
            break;
        case PIC_OCW2_ROTATE_SPECIFIC:
            c->isr &= ~(1 << ir);
            c->priority_add = (ir + 1) & 7;
            break;
        case PIC_OCW2_NOP:
            break;
        }
    }
    pic_update(s);
}

static void pic_write_data(PICState *s, int idx, uint8_t val)
{
    PicChip *c = &s->chip[idx];

    switch (c->init_state) {
    case 0:                     /* OCW1 */
        c->imr = val;
        break;
    case 1:                     /* ICW2 */
        c->irq_base = val & 0xf8;
        c->init_state = c->single_mode ? (c->init4 ? 3 : 0) : 2;
        break;
    case 2:                     /* ICW3 */
        c->icw3 = val;
        c->init_state = c->init4 ? 3 : 0;
        break;
    case 3:                     /* ICW4 */
        c->special_fully_nested = (val & PIC_ICW4_SFNM) != 0;
        c->auto_eoi = (val & PIC_ICW4_AEOI) != 0;
        if (!(val & PIC_ICW4_UPM) || (val & PIC_ICW4_BUF)) {
            log_unimp("i8259 %s: ICW4 %#x: 8080 or buffered mode not "
                      "modelled\n", idx ? "slave" : "master", val);
        }
        c->init_state = 0;
        break;
    }
    pic_update(s);
}

/* Called with the BQL held. */
static uint64_t pic_ioport_read(PICState *s, int idx, hwaddr addr)
{
    PicChip *c = &s->chip[idx];

    if (c->poll) {
        return pic_poll_read(s, idx);
    }
    if (addr == 0) {
        return c->read_isr ? c->isr : c->irr;
    }
    return c->imr;
}

static uint64_t pic_master_read(void *opaque, hwaddr addr, unsigned size)
{
    return pic_ioport_read(opaque, 0, addr);
}

static uint64_t pic_slave_read(void *opaque, hwaddr addr, unsigned size)
{
    return pic_ioport_read(opaque, 1, addr);
}

static void pic_ioport_write(PICState *s, int idx, hwaddr addr, uint8_t val)
{
    log_mask_printf(LOG_TRACE_DEV, "i8259 %s: write [%u] <- %#x\n",
                    idx ? "slave" : "master", (unsigned)addr, val);
    if (addr == 0) {
        pic_write_cmd(s, idx, val);
    } else {
        pic_write_data(s, idx, val);
    }
}

static void pic_master_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    pic_ioport_write(opaque, 0, addr, val);
}

static void pic_slave_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    pic_ioport_write(opaque, 1, addr, val);
}

static uint64_t pic_elcr_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;

    return s->chip[addr].elcr;
}

static void pic_elcr_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    PICState *s = opaque;
    PicChip *c = &s->chip[addr];

    c->elcr = val & pic_elcr_mask[addr];
    /* A line switched to level re-reads its input now. */
    for (int ir = 0; ir < 8; ir++) {
        int n = addr * 8 + ir;

        if ((c->elcr & (1 << ir)) && n != PIC_CASCADE_IRQ) {
            pic_chip_set_input(c, ir, s->inputs[n]->level);
        }
    }
    pic_update(s);
}

static const MemoryRegionOps pic_master_ops = {
    .read = pic_master_read,
    .write = pic_master_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps pic_slave_ops = {
    .read = pic_slave_read,
    .write = pic_slave_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps pic_elcr_ops = {
    .read = pic_elcr_read,
    .write = pic_elcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* --- realize, reset, save/restore --- */

static void pic_reset(DeviceState *dev)
{
    PICState *s = container_of(dev, PICState, parent);

    for (int i = 0; i < 2; i++) {
        s->chip[i].elcr = 0;
        s->chip[i].irr = 0;
        pic_chip_init_reset(&s->chip[i]);
    }
    pic_update(s);
}

static void pic_realize(DeviceState *dev, Error **errp)
{
    PICState *s = container_of(dev, PICState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "i8259: this machine has no isa bus");
        return;
    }
    s->inputs = irq_new_array(pic_set_irq, s, ISA_NUM_IRQS);
    memory_region_init_io(&s->io_master, &pic_master_ops, s, "pic-master",
                          2);
    memory_region_init_io(&s->io_slave, &pic_slave_ops, s, "pic-slave", 2);
    memory_region_init_io(&s->io_elcr, &pic_elcr_ops, s, "elcr", 2);
    if (!isa_register_ioport(bus, &s->io_master, PIC_MASTER_BASE, errp) ||
        !isa_register_ioport(bus, &s->io_slave, PIC_SLAVE_BASE, errp) ||
        !isa_register_ioport(bus, &s->io_elcr, PIC_ELCR_BASE, errp)) {
        return;
    }
    pic_reset(dev);
}

/* Re-derives the INT output from the restored registers. */
static bool pic_post_load(DeviceState *dev, Error **errp)
{
    PICState *s = container_of(dev, PICState, parent);

    for (int i = 0; i < 2; i++) {
        if (s->chip[i].init_state > 3) {
            error_setg(errp, "i8259: bad init_state %u",
                       s->chip[i].init_state);
            return false;
        }
        s->chip[i].priority_add &= 7;
        s->chip[i].elcr &= pic_elcr_mask[i];
    }
    pic_update(s);
    irq_set(s->int_out, s->int_level);
    return true;
}

#define PIC_VMSTATE_CHIP(i) \
    VMSTATE_UINT8(chip[i].irr, PICState), \
    VMSTATE_UINT8(chip[i].imr, PICState), \
    VMSTATE_UINT8(chip[i].isr, PICState), \
    VMSTATE_UINT8(chip[i].last_irr, PICState), \
    VMSTATE_UINT8(chip[i].elcr, PICState), \
    VMSTATE_UINT8(chip[i].priority_add, PICState), \
    VMSTATE_UINT8(chip[i].irq_base, PICState), \
    VMSTATE_UINT8(chip[i].icw3, PICState), \
    VMSTATE_UINT8(chip[i].init_state, PICState), \
    VMSTATE_UINT8(chip[i].read_isr, PICState), \
    VMSTATE_UINT8(chip[i].poll, PICState), \
    VMSTATE_UINT8(chip[i].special_mask, PICState), \
    VMSTATE_UINT8(chip[i].auto_eoi, PICState), \
    VMSTATE_UINT8(chip[i].rotate_on_auto_eoi, PICState), \
    VMSTATE_UINT8(chip[i].special_fully_nested, PICState), \
    VMSTATE_UINT8(chip[i].init4, PICState), \
    VMSTATE_UINT8(chip[i].single_mode, PICState), \
    VMSTATE_UINT8(chip[i].ltim, PICState)

static const VMStateField pic_vmstate[] = {
    PIC_VMSTATE_CHIP(0),
    PIC_VMSTATE_CHIP(1),
    VMSTATE_END,
};

static const DeviceClass pic_class = {
    .name = "i8259",
    .desc = "two cascaded 8259A interrupt controllers (built into pc)",
    .bus = "isa",
    .user_creatable = false,
    .instance_size = sizeof(PICState),
    .realize = pic_realize,
    .reset = pic_reset,
    .vmstate = pic_vmstate,
    .post_load = pic_post_load,
};
DEVICE_REGISTER(pic_class);
