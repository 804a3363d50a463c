/*
 * pc-testdev.c: "pc-testdev", the ISA test device that x86 guest test
 * suites (kvm-unit-tests and others written for the established emulator)
 * use to poke at port I/O, MMIO and interrupt delivery:
 *
 *     -device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=4
 *
 * Guest interface (the established device's):
 *   ports 0xe0..0xe3   a 32-bit scratch register; an access of 1, 2 or 4
 *                      bytes at 0xe0 + k reads/writes bytes k.. of it
 *   port  0xe4         "flush page": a 4-byte write of a guest-physical
 *                      address asks the host to re-protect that page (a
 *                      KVM MMU test).  Nothing is cached outside guest RAM
 *                      here, so it has no guest-visible effect; reads 0
 *   ports 0xe8..0xeb   the same scratch register, reached one byte at a
 *                      time (the device implements byte accesses only)
 *   ports 0x2000+n     n = 0..23: a byte write sets interrupt line n to
 *                      (value != 0); reads give 0.  Lines 0..15 are the ISA
 *                      IRQs; the established device asserts on 16..23, so
 *                      no guest uses them: here they are ignored with a
 *                      guest-error line.
 *   0xff000000         64 KiB of device memory (MMIO, not RAM), any access
 *                      size up to 8, little-endian
 * Reset leaves the scratch register and the memory as they are, as the
 * established device (which has no reset) does.
 *
 * Locking: the device is converted (no BQL) except for its IRQ lines.  The
 * scratch register and the device memory are plain memory that any vCPU
 * may reach at the same time, so they are accessed with atomics: every
 * access to the device memory is naturally aligned (the core splits the
 * rest) and is one atomic access, as on memory, and a partial write of the
 * register is a compare-and-swap.
 * The flush-page port has no state.  The IRQ lines drive the ISA bus and
 * keep the BQL.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/irq.h"
#include "hw/isa.h"
#include "hw/vmstate.h"
#include "system/memory.h"

#define PC_TESTDEV_IOMEM_LEN 0x10000

typedef struct PCTestdevState {
    DeviceState parent;
    MemoryRegion ioport;          /* 0xe0 */
    MemoryRegion flush;           /* 0xe4 */
    MemoryRegion ioport_byte;     /* 0xe8 */
    MemoryRegion irq;             /* 0x2000 */
    MemoryRegion iomem;           /* 0xff000000 */
    IsaBus *isa;
    uint32_t ioport_data;         /* atomic */
    /* atomic (see above); aligned so that every naturally aligned
     * access is one atomic access */
    uint8_t iomem_buf[PC_TESTDEV_IOMEM_LEN] __attribute__((aligned(8)));
} PCTestdevState;

#define PC_TESTDEV_IOPORT       0xe0
#define PC_TESTDEV_FLUSH        0xe4
#define PC_TESTDEV_IOPORT_BYTE  0xe8
#define PC_TESTDEV_IRQ          0x2000
#define PC_TESTDEV_IRQ_LINES    24
#define PC_TESTDEV_IOMEM        0xff000000ULL

/* Any thread, no lock. */
static uint64_t pc_testdev_ioport_read(void *opaque, hwaddr addr,
                                       unsigned size)
{
    PCTestdevState *s = opaque;
    unsigned shift = (addr & 3) * 8;
    uint32_t mask = (size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1);

    return (__atomic_load_n(&s->ioport_data, __ATOMIC_RELAXED) >> shift) &
           mask;
}

/* Any thread, no lock. */
static void pc_testdev_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                                    unsigned size)
{
    PCTestdevState *s = opaque;
    unsigned shift = (addr & 3) * 8;
    uint32_t mask = (size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1);
    uint32_t old = __atomic_load_n(&s->ioport_data, __ATOMIC_RELAXED), new;

    /* The register's bytes from addr on; bits past its end are dropped. */
    do {
        new = (old & ~(mask << shift)) | (((uint32_t)val & mask) << shift);
    } while (!__atomic_compare_exchange_n(&s->ioport_data, &old, new, true,
                                          __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
}

/*
 * Unaligned port accesses (inw 0xe1) reach the register's bytes they
 * cover, as the established machine's port dispatch does by splitting
 * them; the handlers above cover any offset and size within the 4 bytes.
 */
static const MemoryRegionOps pc_testdev_ioport_ops = {
    .read = pc_testdev_ioport_read,
    .write = pc_testdev_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

static const MemoryRegionOps pc_testdev_ioport_byte_ops = {
    .read = pc_testdev_ioport_read,
    .write = pc_testdev_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t pc_testdev_zero_read(void *opaque, hwaddr addr,
                                     unsigned size)
{
    return 0;
}

/* Any thread, no lock. */
static void pc_testdev_flush_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
    log_mask_printf(LOG_TRACE_DEV, "pc-testdev: flush page 0x%" PRIx64
                    " (nothing to do)\n", val & ~(uint64_t)0xfff);
}

static const MemoryRegionOps pc_testdev_flush_ops = {
    .read = pc_testdev_zero_read,
    .write = pc_testdev_flush_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

/* Called with the BQL held. */
static void pc_testdev_irq_write(void *opaque, hwaddr addr, uint64_t val,
                                 unsigned size)
{
    PCTestdevState *s = opaque;

    if (addr >= ISA_NUM_IRQS) {
        log_guest_error("pc-testdev: interrupt line %u does not exist "
                        "(ISA IRQs are 0..15)\n", (unsigned)addr);
        return;
    }
    irq_set(isa_get_irq(s->isa, addr), val != 0);
}

static const MemoryRegionOps pc_testdev_irq_ops = {
    .read = pc_testdev_zero_read,
    .write = pc_testdev_irq_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* Byte-swaps a little-endian value of size bytes on a big-endian host. */
static uint64_t pc_testdev_le(uint64_t v, unsigned size)
{
    if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) {
        v = __builtin_bswap64(v) >> (64 - 8 * size);
    }
    return v;
}

/*
 * The core passes only naturally aligned accesses of 1, 2, 4 or 8 bytes
 * (the ops below allow sizes 1-8 and no unaligned access), so each is one
 * atomic access, as on memory.  Any thread, no lock.
 */
static uint64_t pc_testdev_iomem_read(void *opaque, hwaddr addr,
                                      unsigned size)
{
    PCTestdevState *s = opaque;
    uint8_t *p = s->iomem_buf + addr;

    switch (size) {
    case 1:
        return __atomic_load_n(p, __ATOMIC_RELAXED);
    case 2:
        return pc_testdev_le(__atomic_load_n((uint16_t *)p,
                                             __ATOMIC_RELAXED), 2);
    case 4:
        return pc_testdev_le(__atomic_load_n((uint32_t *)p,
                                             __ATOMIC_RELAXED), 4);
    default:
        return pc_testdev_le(__atomic_load_n((uint64_t *)p,
                                             __ATOMIC_RELAXED), 8);
    }
}

/* As the read: one aligned atomic access.  Any thread, no lock. */
static void pc_testdev_iomem_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
    PCTestdevState *s = opaque;
    uint8_t *p = s->iomem_buf + addr;

    switch (size) {
    case 1:
        __atomic_store_n(p, val, __ATOMIC_RELAXED);
        break;
    case 2:
        __atomic_store_n((uint16_t *)p, pc_testdev_le(val, 2),
                         __ATOMIC_RELAXED);
        break;
    case 4:
        __atomic_store_n((uint32_t *)p, pc_testdev_le(val, 4),
                         __ATOMIC_RELAXED);
        break;
    default:
        __atomic_store_n((uint64_t *)p, pc_testdev_le(val, 8),
                         __ATOMIC_RELAXED);
        break;
    }
}

static const MemoryRegionOps pc_testdev_iomem_ops = {
    .read = pc_testdev_iomem_read,
    .write = pc_testdev_iomem_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static void pc_testdev_realize(DeviceState *dev, Error **errp)
{
    PCTestdevState *s = container_of(dev, PCTestdevState, parent);

    s->isa = isa_bus_get();
    if (!s->isa) {
        error_setg(errp, "pc-testdev: this machine has no ISA bus");
        return;
    }
    memory_region_init_io(&s->ioport, &pc_testdev_ioport_ops, s,
                          "pc-testdev-ioport", 4);
    memory_region_init_io(&s->flush, &pc_testdev_flush_ops, s,
                          "pc-testdev-flush-page", 4);
    memory_region_init_io(&s->ioport_byte, &pc_testdev_ioport_byte_ops, s,
                          "pc-testdev-ioport-byte", 4);
    memory_region_init_io(&s->irq, &pc_testdev_irq_ops, s,
                          "pc-testdev-irq-line", PC_TESTDEV_IRQ_LINES);
    memory_region_init_io(&s->iomem, &pc_testdev_iomem_ops, s,
                          "pc-testdev-iomem", PC_TESTDEV_IOMEM_LEN);
    /* Everything but the IRQ lines is converted (see the top). */
    memory_region_set_needs_bql(&s->ioport, false);
    memory_region_set_needs_bql(&s->flush, false);
    memory_region_set_needs_bql(&s->ioport_byte, false);
    memory_region_set_needs_bql(&s->iomem, false);
    {
        struct { MemoryRegion *mr; uint16_t port; } claims[] = {
            { &s->ioport, PC_TESTDEV_IOPORT },
            { &s->flush, PC_TESTDEV_FLUSH },
            { &s->ioport_byte, PC_TESTDEV_IOPORT_BYTE },
            { &s->irq, PC_TESTDEV_IRQ },
        };

        for (int i = 0; i < ARRAY_SIZE(claims); i++) {
            if (!isa_register_ioport(s->isa, claims[i].mr, claims[i].port,
                                     errp)) {
                /* Undo the mappings (the start-up fails and nothing runs
                 * guest code yet); the claims stay recorded, which only
                 * matters to a machine that is about to exit. */
                for (int j = 0; j < i; j++) {
                    memory_region_del_subregion(s->isa->io, claims[j].mr);
                }
                goto fail;
            }
        }
    }
    memory_region_add_subregion(get_system_memory(), PC_TESTDEV_IOMEM,
                                &s->iomem);
    return;
fail:
    memory_region_finalize(&s->ioport);
    memory_region_finalize(&s->flush);
    memory_region_finalize(&s->ioport_byte);
    memory_region_finalize(&s->irq);
    memory_region_finalize(&s->iomem);
}

static void pc_testdev_reset(DeviceState *dev)
{
    /* Nothing: the established device keeps its state across reset. */
}

static const VMStateField pc_testdev_vmstate[] = {
    VMSTATE_UINT32(ioport_data, PCTestdevState),
    VMSTATE_BUFFER(iomem_buf, PCTestdevState),
    VMSTATE_END,
};

static const Property pc_testdev_props[] = {
    DEFINE_PROP_END,
};

static const DeviceClass pc_testdev_class = {
    .name = "pc-testdev",
    .desc = "x86 test device: scratch ports, IRQ lines, MMIO window",
    .bus = "isa",
    .user_creatable = true,
    .instance_size = sizeof(PCTestdevState),
    .props = pc_testdev_props,
    .realize = pc_testdev_realize,
    .reset = pc_testdev_reset,
    .vmstate = pc_testdev_vmstate,
};
DEVICE_REGISTER(pc_testdev_class);
