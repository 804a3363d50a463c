/*
 * mptable.c: the MultiProcessor Specification 1.4 tables a multiboot
 * kernel finds in the F segment (firmware builds them on the reference
 * machine, the board on tandem: hw/i386/mptable.c).  The guest scans
 * 0xf0000..0xfffff for the "_MP_" floating pointer, checks both checksums
 * and the layout, and compares what the tables say with the machine:
 *   - one processor entry per CPU (the fw_cfg count), all enabled, one
 *     boot processor whose APIC ID is this CPU's (CPUID.1 EBX[31:24]);
 *   - the APIC IDs are those the CPUs report when they are started
 *     (smp_start: every AP records its own local APIC ID);
 *   - one I/O APIC, at 0xfec00000, with the ID its register 0 holds;
 *   - an ISA bus, whose IRQ 0 reaches the I/O APIC's pin 2, IRQ 1 pin 1;
 *   - ExtINT on LINT0 and NMI on LINT1.
 * The extra runs use a topology whose APIC IDs are not 0..n-1.
 *
 * reference-xfail: cpu-entries cpu-ids
 * The reference's firmware lists only the first logical CPU of each
 * package (SeaBIOS mptable.c), where the specification (1.4, section
 * 4.3.1) wants one entry per processor: with two cores in one socket its
 * table names one CPU.
 */
// run-args: -smp 2
// run-args: -smp 4,sockets=2,cores=3,threads=1,maxcpus=6
#include "smp.h"

#define IOAPIC_BASE 0xfec00000u

static const uint8_t *phys(uint32_t a)
{
    return (const uint8_t *)(uintptr_t)a;
}

static uint8_t sum8(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static const uint8_t *find_floating(void)
{
    for (uint32_t a = 0xf0000; a < 0x100000; a += 16) {
        const uint8_t *p = phys(a);

        if (p[0] == '_' && p[1] == 'M' && p[2] == 'P' && p[3] == '_' &&
            sum8(p, 16 * p[8]) == 0) {
            return p;
        }
    }
    return NULL;
}

static uint32_t ioapic_id(void)
{
    volatile uint32_t *sel = (volatile uint32_t *)(uintptr_t)IOAPIC_BASE;
    volatile uint32_t *win =
        (volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + 0x10);

    *sel = 0;
    return (*win >> 24) & 0xf;
}

int main(uint32_t magic, uint32_t info)
{
    const uint8_t *fp, *cfg, *e;
    uint32_t r[4], my_apic, ncpus, nbp = 0, nen = 0, nioapic = 0;
    uint32_t cpu_ids[SMP_MAX_CPUS], ncpu_entries = 0;
    int isa_bus = -1, running;
    bool order_ok = true, ids_match = true, irq0_pin2 = false;
    bool irq1_pin1 = false, extint_lint0 = false, nmi_lint1 = false;
    bool ioapic_ok = false, len_ok = true;
    uint8_t last_type = 0;

    ncpus = smp_cpu_count();
    printf("# MP tables, %d-bit, %u CPUs\n", (int)sizeof(void *) * 8, ncpus);
    tap_plan(12);
    cpuid(1, 0, r);
    my_apic = r[1] >> 24;

    fp = find_floating();
    if (!tap_ok(fp != NULL, "MP floating pointer in the F segment")) {
        tap_exit();
    }
    tap_ok(fp[8] == 1 && (fp[9] == 1 || fp[9] == 4) && fp[11] == 0,
           "floating pointer: length %u, spec 1.%u, feature1 %u",
           fp[8], fp[9], fp[11]);
    cfg = phys(rd32(fp + 4));
    if (!tap_ok(rd32(fp + 4) != 0 && cfg[0] == 'P' && cfg[1] == 'C' &&
                cfg[2] == 'M' && cfg[3] == 'P' &&
                sum8(cfg, rd16(cfg + 4)) == 0,
                "configuration table at 0x%x: signature and checksum",
                rd32(fp + 4))) {
        tap_exit();
    }
    tap_ok(rd32(cfg + 36) == LAPIC_BASE, "local APIC at 0x%x",
           rd32(cfg + 36));

    e = cfg + 44;
    for (uint32_t i = 0; i < rd16(cfg + 34); i++) {
        uint8_t type = e[0];

        if (type < last_type) {
            order_ok = false;
        }
        last_type = type;
        switch (type) {
        case 0:                                 /* processor */
            if (ncpu_entries < SMP_MAX_CPUS) {
                cpu_ids[ncpu_entries] = e[1];
            }
            ncpu_entries++;
            nen += e[3] & 1;
            if (e[3] & 2) {
                nbp++;
                if (e[1] != my_apic) {
                    ids_match = false;
                }
            }
            e += 20;
            break;
        case 1:                                 /* bus */
            if (e[2] == 'I' && e[3] == 'S' && e[4] == 'A') {
                isa_bus = e[1];
            }
            e += 8;
            break;
        case 2:                                 /* I/O APIC */
            nioapic++;
            ioapic_ok = (e[3] & 1) && rd32(e + 4) == IOAPIC_BASE &&
                        e[1] == ioapic_id();
            e += 8;
            break;
        case 3:                                 /* I/O interrupt */
            if (isa_bus >= 0 && e[4] == isa_bus && e[1] == 0) {
                irq0_pin2 |= e[5] == 0 && e[7] == 2;
                irq1_pin1 |= e[5] == 1 && e[7] == 1;
            }
            e += 8;
            break;
        case 4:                                 /* local interrupt */
            extint_lint0 |= e[1] == 3 && e[7] == 0 &&
                            (e[6] == 0xff || e[6] == my_apic);
            nmi_lint1 |= e[1] == 1 && e[7] == 1 && e[6] == 0xff;
            e += 8;
            break;
        default:
            len_ok = false;
            i = rd16(cfg + 34);
            break;
        }
    }
    tap_ok(len_ok && order_ok && e == cfg + rd16(cfg + 4),
           "entries sorted by type and filling the base table (%u bytes)",
           rd16(cfg + 4));
    tap_ok(ncpu_entries == ncpus && nen == ncpus,
           "cpu-entries: %u processor entries, %u enabled, for %u CPUs",
           ncpu_entries, nen, ncpus);
    tap_ok(nbp == 1 && ids_match,
           "one boot processor, with this CPU's APIC ID %u", my_apic);

    running = ncpus > 1 && smp_lapic_present() ? smp_start() : 1;
    if (running == (int)ncpus && ncpu_entries == ncpus) {
        bool all = true;

        for (int c = 0; c < running; c++) {
            bool found = false;

            for (uint32_t j = 0; j < ncpu_entries; j++) {
                found |= cpu_ids[j] == smp_apic_id(c);
            }
            tap_diag("CPU %d: APIC ID %u%s", c, smp_apic_id(c),
                     found ? "" : " (not in the table)");
            all &= found;
        }
        tap_ok(all, "cpu-ids: the table's APIC IDs are the running CPUs'");
    } else {
        tap_ok(false, "cpu-ids: %d of %u CPUs started, %u in the table",
               running, ncpus, ncpu_entries);
    }
    tap_ok(nioapic == 1 && ioapic_ok,
           "one I/O APIC at 0x%x with the ID of its register 0 (%u)",
           IOAPIC_BASE, ioapic_id());
    tap_ok(isa_bus >= 0, "an ISA bus (%d)", isa_bus);
    tap_ok(irq0_pin2 && irq1_pin1, "ISA IRQ 0 on pin 2, IRQ 1 on pin 1");
    tap_ok(extint_lint0 && nmi_lint1, "ExtINT on LINT0, NMI on LINT1");
    tap_exit();
}
