/*
 * pci.c: a guest that scans PCI bus 0 through configuration mechanism #1
 * (0xcf8/0xcfc) and drives pci-testdev the way guest test suites do:
 * the host and ISA bridge IDs, an absent slot reading all ones, the
 * pci-testdev header, BAR sizing with the all-ones probe, BARs mapped at
 * addresses the guest picks and reached only while the command register
 * enables decoding, and the device's six MMIO / port I/O tests (16 writes
 * each; the counts are what the reference shows without KVM: the writes
 * of the two "eventfd" kinds are taken by the eventfd, the others are
 * counted).  The reference runs firmware that has already placed and
 * enabled the device; this guest reprograms it either way, and finds it by
 * its IDs, not its slot (the reference has more devices in front of it).
 *
 * run-guests: -device pci-testdev
 */
#include "runtime.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc

#define TD_MMIO  0xd0000000u      /* in the PCI hole of both machines */
#define TD_IO    0xe000u

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint32_t cfg_readl(int devfn, int reg)
{
    outl(CONFIG_ADDRESS, 0x80000000u | devfn << 8 | (reg & 0xfc));
    return inl(CONFIG_DATA);
}

static uint8_t cfg_readb(int devfn, int reg)
{
    outl(CONFIG_ADDRESS, 0x80000000u | devfn << 8 | (reg & 0xfc));
    return inb(CONFIG_DATA + (reg & 3));
}

static void cfg_writel(int devfn, int reg, uint32_t v)
{
    outl(CONFIG_ADDRESS, 0x80000000u | devfn << 8 | (reg & 0xfc));
    outl(CONFIG_DATA, v);
}

static void cfg_writeb(int devfn, int reg, uint8_t v)
{
    outl(CONFIG_ADDRESS, 0x80000000u | devfn << 8 | (reg & 0xfc));
    outb(CONFIG_DATA + (reg & 3), v);
}

static void cfg_writew(int devfn, int reg, uint16_t v)
{
    outl(CONFIG_ADDRESS, 0x80000000u | devfn << 8 | (reg & 0xfc));
    outw(CONFIG_DATA + (reg & 2), v);
}

static int find(uint32_t id)
{
    for (int slot = 0; slot < 32; slot++) {
        if (cfg_readl(slot << 3, 0) == id) {
            return slot << 3;
        }
    }
    return -1;
}

/* Access to the test header through one BAR: 'm' MMIO, 'p' port I/O. */
static uint8_t td_rb(char kind, uint32_t off)
{
    return kind == 'm' ? *(volatile uint8_t *)(uintptr_t)(TD_MMIO + off)
                       : inb(TD_IO + off);
}

static uint32_t td_rl(char kind, uint32_t off)
{
    return kind == 'm' ? *(volatile uint32_t *)(uintptr_t)(TD_MMIO + off)
                       : inl(TD_IO + off);
}

static void td_wb(char kind, uint32_t off, uint8_t v)
{
    if (kind == 'm') {
        *(volatile uint8_t *)(uintptr_t)(TD_MMIO + off) = v;
    } else {
        outb(TD_IO + off, v);
    }
}

/* One test of the device, as kvm-unit-tests runs it. */
static void td_run(char kind, int nr)
{
    static const char *const kinds[] = {
        "no-eventfd", "wildcard-eventfd", "datamatch-eventfd",
    };
    char name[40];
    uint32_t off, count;
    uint8_t width, data;
    int i;

    td_wb(kind, 0, nr);
    width = td_rb(kind, 1);
    off = td_rl(kind, 4);
    data = td_rb(kind, 8);
    for (i = 0; i < (int)sizeof(name) - 1; i++) {
        name[i] = td_rb(kind, 16 + i);
        if (!name[i]) {
            break;
        }
    }
    name[i] = 0;
    tap_ok(td_rl(kind, 12) == 0 && width == 1 &&
           !strcmp(name + (kind == 'm' ? 5 : 7), kinds[nr]) &&
           !memcmp(name, kind == 'm' ? "mmio-" : "portio-",
                   kind == 'm' ? 5 : 7),
           "%s: selected, width %u, offset %u, data 0x%x", name, width, off,
           data);
    for (i = 0; i < 16; i++) {
        td_wb(kind, off, data);
    }
    count = td_rl(kind, 12);
    tap_ok(count == (nr == 0 ? 16u : 0u),
           "%s: 16 writes counted %u (the eventfd kinds take them)", name,
           count);
}

int main(uint32_t magic, uint32_t info)
{
    int host, isa, td;
    uint32_t bar0, bar1, v;

    tap_plan(25);
    host = find(0x12378086);
    tap_ok(host == 0, "i440FX host bridge 8086:1237 at 00.0");
    tap_ok(cfg_readl(0, 0x08) >> 8 == 0x060000,
           "host bridge class 0600 (0x%x)", cfg_readl(0, 0x08));
    isa = find(0x70008086);
    tap_ok(isa == 1 << 3, "PIIX3 ISA bridge 8086:7000 at 01.0");
    tap_ok(cfg_readb(isa, 0x0e) == 0x80 && (cfg_readl(isa, 8) >> 8) == 0x060100,
           "ISA bridge: class 0601, multi-function");
    /* The PIRQ route registers are writable (firmware programs them). */
    v = cfg_readb(isa, 0x63);
    cfg_writeb(isa, 0x63, 0x0b);
    tap_ok(cfg_readb(isa, 0x63) == 0x0b, "PIRQD route register writable");
    cfg_writeb(isa, 0x63, v);
    tap_ok(cfg_readl(31 << 3, 0) == 0xffffffff &&
           cfg_readb(31 << 3, 0x0e) == 0xff,
           "an empty slot reads all ones");

    td = find(0x00051b36);
    tap_ok(td > 0, "pci-testdev 1b36:0005 found at %02x.%x", td >> 3,
           td & 7);
    if (td <= 0) {
        return 0;
    }
    tap_ok(cfg_readl(td, 0x08) == 0x00ff0000 &&
           cfg_readl(td, 0x2c) == 0x11001af4 && cfg_readb(td, 0x3d) == 0,
           "pci-testdev: class 00ff, subsystem 1af4:1100, no INTx pin");

    /* Size the BARs with decoding off. */
    cfg_writew(td, 0x04, 0);
    cfg_writel(td, 0x10, 0xffffffff);
    cfg_writel(td, 0x14, 0xffffffff);
    bar0 = cfg_readl(td, 0x10);
    bar1 = cfg_readl(td, 0x14);
    tap_ok(bar0 == 0xfffff000, "BAR0 probe 0x%x: 4 KiB 32-bit memory",
           bar0);
    tap_ok(bar1 == 0xffffff01, "BAR1 probe 0x%x: 256 bytes I/O", bar1);

    /* Place them; with decoding off nothing answers there. */
    cfg_writel(td, 0x10, TD_MMIO);
    cfg_writel(td, 0x14, TD_IO);
    tap_ok(td_rl('m', 4) == 0 && inl(TD_IO + 4) == 0xffffffff,
           "decoding off: MMIO reads 0, ports read all ones");
    cfg_writew(td, 0x04, 0x0003);
    td_wb('m', 0, 0);
    tap_ok(td_rl('m', 4) == 0x800 && td_rl('p', 4) == 0x800,
           "decoding on: the header through both BARs");

    for (int nr = 0; nr < 3; nr++) {
        td_run('m', nr);
    }
    for (int nr = 0; nr < 3; nr++) {
        td_run('p', nr);
    }
    /* Past the last test: nothing selected. */
    td_wb('m', 0, 3);
    /* Turn memory decoding off again: the MMIO BAR goes away. */
    cfg_writew(td, 0x04, 0x0001);
    tap_ok(td_rl('m', 0) == 0, "memory decoding off: BAR0 unmapped");
    return 0;
}
