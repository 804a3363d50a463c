/*
 * mptable.c: the Intel MultiProcessor Specification 1.4 tables of the pc
 * machine, which tell a guest without ACPI how many CPUs there are, their
 * local APIC IDs, where the I/O APIC is and how the ISA IRQs reach it.
 *
 * On the established pc machine the firmware builds these tables in the
 * BIOS area before it starts a multiboot kernel; tandem loads multiboot
 * kernels without firmware, so the board builds them itself, the same
 * way: a 16-byte MP floating pointer structure ("_MP_") on a 16-byte
 * boundary in the F segment (0xf0000..0xfffff, which guests scan and the
 * memory map reports reserved), followed by the configuration table
 * ("PCMP") it points to.  The configuration table lists, in the order the
 * specification requires:
 *   - one processor entry per CPU: its APIC ID (the topology-packed ID of
 *     CPUID leaf 1 EBX[31:24]), the LAPIC version, "enabled", "boot
 *     processor" on CPU 0, and the CPUID signature and feature flags;
 *   - bus 0 "PCI" and bus 1 "ISA";
 *   - the I/O APIC with its current ID, version 0x11, at 0xfec00000;
 *   - one I/O interrupt entry per ISA IRQ: IRQ 0 on pin 2 (the timer
 *     override every PC announces), IRQ 2 (the 8259 cascade) absent, the
 *     others on the pin of the same number, with the bus's default
 *     polarity and trigger.  PCI interrupts are absent: without firmware
 *     the PIIX3's PIRQ routes are still disabled (docs/devel/pci.md), and
 *     a guest that enables one knows where it sent it;
 *   - the local interrupts: ExtINT (the 8259) on LINT0 and NMI on LINT1 of
 *     every local APIC.
 * The feature bytes ask for none of the default configurations, and IMCRP
 * is clear (virtual wire mode, no IMCR).
 *
 * mptable_build is a pure function of its arguments (unit-tested in
 * tests/unit/test-mptable.c); the pc board calls it once its CPUs exist and
 * copies the result into RAM at every machine reset (hw/i386/pc.c).
 */
#include "util/osdep.h"
#include "hw/i386/mptable.h"

#define MP_SPEC_REV        4
#define MP_LAPIC_ADDR      0xfee00000u
#define MP_LAPIC_VERSION   0x14
#define MP_IOAPIC_VERSION  0x11
#define MP_IOAPIC_ADDR     0xfec00000u
#define MP_ISA_IRQS        16

#define MP_FLOATING_LEN    16
#define MP_HEADER_LEN      44

enum {
    MP_ENTRY_CPU = 0,
    MP_ENTRY_BUS = 1,
    MP_ENTRY_IOAPIC = 2,
    MP_ENTRY_IOINT = 3,
    MP_ENTRY_LINT = 4,
};

enum {
    MP_INT = 0,
    MP_NMI = 1,
    MP_EXTINT = 3,
};

#define MP_CPU_ENABLED     0x01
#define MP_CPU_BOOT        0x02
#define MP_BUS_PCI         0
#define MP_BUS_ISA         1
#define MP_ALL_LAPICS      0xff

static void mp_put8(GByteArray *t, uint8_t v)
{
    g_byte_array_append(t, &v, 1);
}

static void mp_put16(GByteArray *t, uint16_t v)
{
    mp_put8(t, v);
    mp_put8(t, v >> 8);
}

static void mp_put32(GByteArray *t, uint32_t v)
{
    mp_put16(t, v);
    mp_put16(t, v >> 16);
}

/* Appends exactly len bytes of s, padded with spaces. */
static void mp_put_str(GByteArray *t, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        mp_put8(t, *s ? *s++ : ' ');
    }
}

static void mp_set16(GByteArray *t, size_t off, uint16_t v)
{
    t->data[off] = v;
    t->data[off + 1] = v >> 8;
}

/* The byte that makes data[off..off+len) sum to zero, stored at csum. */
static void mp_checksum(GByteArray *t, size_t off, size_t len, size_t csum)
{
    uint8_t sum = 0;

    t->data[csum] = 0;
    for (size_t i = 0; i < len; i++) {
        sum += t->data[off + i];
    }
    t->data[csum] = -sum;
}

static void mp_ioint(GByteArray *t, uint8_t type, uint8_t bus, uint8_t irq,
                     uint8_t dst, uint8_t pin)
{
    mp_put8(t, MP_ENTRY_IOINT);
    mp_put8(t, type);
    mp_put16(t, 0);             /* polarity and trigger: the bus's */
    mp_put8(t, bus);
    mp_put8(t, irq);
    mp_put8(t, dst);
    mp_put8(t, pin);
}

static void mp_lint(GByteArray *t, uint8_t type, uint8_t pin)
{
    mp_put8(t, MP_ENTRY_LINT);
    mp_put8(t, type);
    mp_put16(t, 0);
    mp_put8(t, MP_BUS_ISA);
    mp_put8(t, 0);
    mp_put8(t, MP_ALL_LAPICS);
    mp_put8(t, pin);
}

/* Any thread; a pure function. */
GByteArray *mptable_build(const MpTableCpu *cpus, int nr_cpus,
                          uint8_t ioapic_id, uint32_t addr)
{
    GByteArray *t = g_byte_array_new();
    size_t cfg = MP_FLOATING_LEN;
    unsigned entries = 0;

    /* The floating pointer; the configuration table follows it. */
    mp_put_str(t, "_MP_", 4);
    mp_put32(t, addr + cfg);
    mp_put8(t, MP_FLOATING_LEN / 16);
    mp_put8(t, MP_SPEC_REV);
    mp_put8(t, 0);              /* checksum, below */
    for (int i = 0; i < 5; i++) {
        mp_put8(t, 0);          /* feature bytes: table present, no IMCR */
    }
    mp_checksum(t, 0, MP_FLOATING_LEN, 10);

    mp_put_str(t, "PCMP", 4);
    mp_put16(t, 0);             /* base table length, below */
    mp_put8(t, MP_SPEC_REV);
    mp_put8(t, 0);              /* checksum, below */
    mp_put_str(t, "TANDEM", 8);
    mp_put_str(t, "PC", 12);
    mp_put32(t, 0);             /* no OEM table */
    mp_put16(t, 0);
    mp_put16(t, 0);             /* entry count, below */
    mp_put32(t, MP_LAPIC_ADDR);
    mp_put16(t, 0);             /* no extended table */
    mp_put8(t, 0);
    mp_put8(t, 0);

    for (int i = 0; i < nr_cpus; i++, entries++) {
        mp_put8(t, MP_ENTRY_CPU);
        mp_put8(t, cpus[i].apic_id);
        mp_put8(t, MP_LAPIC_VERSION);
        mp_put8(t, MP_CPU_ENABLED | (i == 0 ? MP_CPU_BOOT : 0));
        mp_put32(t, cpus[i].signature);
        mp_put32(t, cpus[i].features);
        mp_put32(t, 0);
        mp_put32(t, 0);
    }

    mp_put8(t, MP_ENTRY_BUS);
    mp_put8(t, MP_BUS_PCI);
    mp_put_str(t, "PCI", 6);
    mp_put8(t, MP_ENTRY_BUS);
    mp_put8(t, MP_BUS_ISA);
    mp_put_str(t, "ISA", 6);
    entries += 2;

    mp_put8(t, MP_ENTRY_IOAPIC);
    mp_put8(t, ioapic_id);
    mp_put8(t, MP_IOAPIC_VERSION);
    mp_put8(t, 1);              /* enabled */
    mp_put32(t, MP_IOAPIC_ADDR);
    entries++;

    for (int irq = 0; irq < MP_ISA_IRQS; irq++) {
        if (irq == 2) {
            continue;           /* the cascade: no device behind it */
        }
        mp_ioint(t, MP_INT, MP_BUS_ISA, irq, ioapic_id, irq == 0 ? 2 : irq);
        entries++;
    }

    mp_lint(t, MP_EXTINT, 0);
    mp_lint(t, MP_NMI, 1);
    entries += 2;

    mp_set16(t, cfg + 4, t->len - cfg);
    mp_set16(t, cfg + 34, entries);
    mp_checksum(t, cfg, t->len - cfg, cfg + 7);
    return t;
}
