/*
 * pci-test.c: the pc machine's PCI layer through the real binary:
 * configuration mechanism #1 at 0xcf8/0xcfc, the i440FX and PIIX3 header
 * values the established machine shows, write masks, bad config accesses,
 * BAR sizing and mapping/unmapping by the command register (with
 * pci-testdev), PIIX3 PIRQ routing of INTx onto the ISA lines (the qtest
 * command "pci_intx" drives a pin as a device would) and on to the 8259
 * and the IOAPIC, and pci-testdev's own protocol.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <glib.h>

#include "libqtest.h"

#define CF8 0xcf8
#define CFC 0xcfc

#define DEVFN(slot, fn) (((slot) << 3) | (fn))

static uint32_t cfg_addr(int bus, int devfn, int reg)
{
    return 0x80000000u | bus << 16 | devfn << 8 | (reg & 0xfc);
}

static uint32_t cfg_readl(QTestState *qts, int devfn, int reg)
{
    qtest_outl(qts, CF8, cfg_addr(0, devfn, reg));
    return qtest_inl(qts, CFC);
}

static uint16_t cfg_readw(QTestState *qts, int devfn, int reg)
{
    qtest_outl(qts, CF8, cfg_addr(0, devfn, reg));
    return qtest_inw(qts, CFC + (reg & 2));
}

static uint8_t cfg_readb(QTestState *qts, int devfn, int reg)
{
    qtest_outl(qts, CF8, cfg_addr(0, devfn, reg));
    return qtest_inb(qts, CFC + (reg & 3));
}

static void cfg_writel(QTestState *qts, int devfn, int reg, uint32_t v)
{
    qtest_outl(qts, CF8, cfg_addr(0, devfn, reg));
    qtest_outl(qts, CFC, v);
}

static void cfg_writew(QTestState *qts, int devfn, int reg, uint16_t v)
{
    qtest_outl(qts, CF8, cfg_addr(0, devfn, reg));
    qtest_outw(qts, CFC + (reg & 2), v);
}

static void cfg_writeb(QTestState *qts, int devfn, int reg, uint8_t v)
{
    qtest_outl(qts, CF8, cfg_addr(0, devfn, reg));
    qtest_outb(qts, CFC + (reg & 3), v);
}

/* The first slot holding vendor:device, or -1. */
static int find_device(QTestState *qts, uint32_t id)
{
    for (int slot = 0; slot < 32; slot++) {
        if (cfg_readl(qts, DEVFN(slot, 0), 0) == id) {
            return DEVFN(slot, 0);
        }
    }
    return -1;
}

static void test_host_bridges(void)
{
    QTestState *qts = qtest_start("");

    /* 00.0 i440FX: 8086:1237 rev 02, class 0600, subsystem 1af4:1100. */
    g_assert_cmphex(cfg_readl(qts, 0, 0x00), ==, 0x12378086);
    g_assert_cmphex(cfg_readl(qts, 0, 0x04), ==, 0x00000000);
    g_assert_cmphex(cfg_readl(qts, 0, 0x08), ==, 0x06000002);
    g_assert_cmphex(cfg_readl(qts, 0, 0x0c), ==, 0x00000000);
    g_assert_cmphex(cfg_readl(qts, 0, 0x2c), ==, 0x11001af4);
    g_assert_cmphex(cfg_readl(qts, 0, 0x58), ==, 0x33333000);  /* PAM */
    g_assert_cmphex(cfg_readb(qts, 0, 0x72), ==, 0x02);        /* SMRAM */
    /* 01.0 PIIX3: 8086:7000, ISA bridge, multi-function, DEVSEL medium,
     * PIRQ routes disabled. */
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x00), ==, 0x70008086);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x04), ==, 0x02000000);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x08), ==, 0x06010000);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x0c), ==, 0x00800000);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x2c), ==, 0x11001af4);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x60), ==, 0x80808080);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x4c), ==, 0x0003004d);
    /* Narrow reads of the same registers. */
    g_assert_cmphex(cfg_readw(qts, 0, 0x02), ==, 0x1237);
    g_assert_cmphex(cfg_readb(qts, DEVFN(1, 0), 0x0b), ==, 0x06);
    g_assert_cmphex(cfg_readb(qts, DEVFN(1, 0), 0x0e), ==, 0x80);
    /* Nothing else on the bus by default. */
    for (int slot = 2; slot < 32; slot++) {
        g_assert_cmphex(cfg_readl(qts, DEVFN(slot, 0), 0), ==, 0xffffffff);
    }
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_bad_config_access(void)
{
    QTestState *qts = qtest_start("");

    /* Absent device, absent function, other bus: all ones, any size. */
    g_assert_cmphex(cfg_readl(qts, DEVFN(7, 0), 0), ==, 0xffffffff);
    g_assert_cmphex(cfg_readw(qts, DEVFN(0, 3), 2), ==, 0xffff);
    g_assert_cmphex(cfg_readb(qts, DEVFN(9, 0), 0x3d), ==, 0xff);
    qtest_outl(qts, CF8, cfg_addr(1, 0, 0));
    g_assert_cmphex(qtest_inl(qts, CFC), ==, 0xffffffff);
    qtest_outl(qts, CFC, 0x12345678);            /* goes nowhere */
    /* Enable bit clear: the data port reads all ones. */
    qtest_outl(qts, CF8, 0x00000000);
    g_assert_cmphex(qtest_inl(qts, CFC), ==, 0xffffffff);
    qtest_outl(qts, CFC, 0);
    g_assert_cmphex(cfg_readl(qts, 0, 0), ==, 0x12378086);
    /* CONFIG_ADDRESS: dword writes only; reads give it back truncated;
     * the low two bits of the register field are ignored on access. */
    qtest_outl(qts, CF8, 0x80000803);
    g_assert_cmphex(qtest_inl(qts, CF8), ==, 0x80000803);
    qtest_outb(qts, CF8, 0x00);
    qtest_outw(qts, CF8 + 2, 0x0000);
    g_assert_cmphex(qtest_inl(qts, CF8), ==, 0x80000803);
    g_assert_cmphex(qtest_inb(qts, CF8), ==, 0x03);
    g_assert_cmphex(qtest_inl(qts, CFC), ==, 0x70008086);
    /* Sub-dword data port offsets add to the register. */
    qtest_outl(qts, CF8, cfg_addr(0, DEVFN(1, 0), 0x08));
    g_assert_cmphex(qtest_inb(qts, CFC + 3), ==, 0x06);
    g_assert_cmphex(qtest_inw(qts, CFC + 2), ==, 0x0601);
    /* Unaligned data port accesses reach the bytes they cover. */
    g_assert_cmphex(qtest_inw(qts, CFC + 1), ==, 0x0100);
    /* Read-only fields ignore writes; cache line size and interrupt line
     * are writable; the command register takes 0x0507 only. */
    cfg_writel(qts, 0, 0x00, 0);
    cfg_writel(qts, 0, 0x08, 0);
    g_assert_cmphex(cfg_readl(qts, 0, 0x00), ==, 0x12378086);
    g_assert_cmphex(cfg_readl(qts, 0, 0x08), ==, 0x06000002);
    cfg_writel(qts, DEVFN(1, 0), 0x0c, 0xffffffff);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x0c), ==, 0x008000ff);
    cfg_writel(qts, DEVFN(1, 0), 0x3c, 0xffffffff);
    g_assert_cmphex(cfg_readl(qts, DEVFN(1, 0), 0x3c), ==, 0x000000ff);
    cfg_writew(qts, 0, 0x04, 0xffff);
    g_assert_cmphex(cfg_readw(qts, 0, 0x04), ==, 0x0507);
    /* Status error bits are write-1-to-clear; DEVSEL is read-only. */
    cfg_writew(qts, DEVFN(1, 0), 0x06, 0xffff);
    g_assert_cmphex(cfg_readw(qts, DEVFN(1, 0), 0x06), ==, 0x0200);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* --- pci-testdev --- */

#define TD_ID       0x00051b36
#define MMIO_BASE   0xfe000000ULL
#define IO_BASE     0xc000

static void test_bar_sizing_and_mapping(void)
{
    QTestState *qts = qtest_start("-device pci-testdev,membar=1M");
    int d = find_device(qts, TD_ID);

    g_assert_cmpint(d, ==, DEVFN(2, 0));      /* first free slot */
    g_assert_cmphex(cfg_readl(qts, d, 0x08), ==, 0x00ff0000);
    g_assert_cmphex(cfg_readb(qts, d, 0x3d), ==, 0);  /* no INTx pin */
    /* Power-on BAR values: type bits only. */
    g_assert_cmphex(cfg_readl(qts, d, 0x10), ==, 0x00000000);
    g_assert_cmphex(cfg_readl(qts, d, 0x14), ==, 0x00000001);
    g_assert_cmphex(cfg_readl(qts, d, 0x18), ==, 0x0000000c);
    /* The all-ones probe gives the sizes: 4 KiB MMIO, 256 bytes I/O, a
     * 1 MiB 64-bit prefetchable BAR over two dwords; BAR4/5 absent. */
    for (int bar = 0; bar < 6; bar++) {
        cfg_writel(qts, d, 0x10 + 4 * bar, 0xffffffff);
    }
    g_assert_cmphex(cfg_readl(qts, d, 0x10), ==, 0xfffff000);
    g_assert_cmphex(cfg_readl(qts, d, 0x14), ==, 0xffffff01);
    g_assert_cmphex(cfg_readl(qts, d, 0x18), ==, 0xfff0000c);
    g_assert_cmphex(cfg_readl(qts, d, 0x1c), ==, 0xffffffff);
    g_assert_cmphex(cfg_readl(qts, d, 0x20), ==, 0x00000000);
    g_assert_cmphex(cfg_readl(qts, d, 0x24), ==, 0x00000000);

    /* Program the BARs; with decoding off nothing answers there. */
    cfg_writel(qts, d, 0x10, MMIO_BASE);
    cfg_writel(qts, d, 0x14, IO_BASE);
    cfg_writel(qts, d, 0x18, 0);
    cfg_writel(qts, d, 0x1c, 0);
    qtest_writeb(qts, MMIO_BASE, 0);           /* select mmio test 0 */
    g_assert_cmphex(qtest_readb(qts, MMIO_BASE + 16), ==, 0);
    g_assert_cmphex(qtest_inb(qts, IO_BASE + 16), ==, 0xff);

    /* Memory decoding only: BAR0 answers, BAR1 does not. */
    cfg_writew(qts, d, 0x04, 0x0002);
    qtest_writeb(qts, MMIO_BASE, 0);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 16), ==, 0x6f696d6d);
    g_assert_cmphex(qtest_inb(qts, IO_BASE + 16), ==, 0xff);
    /* Both: the same test header through the I/O BAR. */
    cfg_writew(qts, d, 0x04, 0x0003);
    g_assert_cmphex(qtest_inl(qts, IO_BASE + 16), ==, 0x6f696d6d);
    /* Moving BAR0 unmaps the old address. */
    cfg_writel(qts, d, 0x10, MMIO_BASE + 0x10000);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 16), ==, 0);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 0x10000 + 16), ==,
                    0x6f696d6d);
    /* A BAR over RAM is hidden by it (RAM wins, as on the established
     * machine); a BAR at 0 or one that would wrap is not decoded. */
    qtest_writel(qts, 0x100000, 0xcafef00d);
    cfg_writel(qts, d, 0x10, 0x100000);
    g_assert_cmphex(qtest_readl(qts, 0x100000), ==, 0xcafef00d);
    cfg_writel(qts, d, 0x10, 0xfffff000);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 0x10000 + 16), ==, 0);
    /* Decoding off again: unmapped. */
    cfg_writel(qts, d, 0x10, MMIO_BASE);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 16), ==, 0x6f696d6d);
    cfg_writew(qts, d, 0x04, 0x0000);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 16), ==, 0);
    g_assert_cmphex(qtest_inl(qts, IO_BASE + 16), ==, 0xffffffff);
    /* An I/O BAR that does not fit in 64 KiB is not decoded. */
    cfg_writel(qts, d, 0x14, 0x10000);
    cfg_writew(qts, d, 0x04, 0x0001);
    g_assert_cmphex(qtest_inl(qts, 0x0000 + 16), !=, 0x6f696d6d);
    /* The 64-bit BAR above 4 GiB. */
    cfg_writel(qts, d, 0x18, 0x00000000);
    cfg_writel(qts, d, 0x1c, 0x00000008);
    cfg_writew(qts, d, 0x04, 0x0002);
    g_assert_cmphex(cfg_readl(qts, d, 0x18), ==, 0x0000000c);
    g_assert_cmphex(cfg_readl(qts, d, 0x1c), ==, 0x00000008);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* Selects test t through BAR kind ('m' or 'p'); returns its header. */
static void td_select(QTestState *qts, char kind, int t)
{
    if (kind == 'm') {
        qtest_writeb(qts, MMIO_BASE, t);
    } else {
        qtest_outb(qts, IO_BASE, t);
    }
}

static uint32_t td_readl(QTestState *qts, char kind, int off)
{
    return kind == 'm' ? qtest_readl(qts, MMIO_BASE + off)
                       : qtest_inl(qts, IO_BASE + off);
}

static void td_writeb(QTestState *qts, char kind, int off, uint8_t v)
{
    if (kind == 'm') {
        qtest_writeb(qts, MMIO_BASE + off, v);
    } else {
        qtest_outb(qts, IO_BASE + off, v);
    }
}

static char *td_name(QTestState *qts, char kind)
{
    GString *s = g_string_new(NULL);

    for (int off = 16; off < 64; off++) {
        uint8_t c = kind == 'm' ? qtest_readb(qts, MMIO_BASE + off)
                                : qtest_inb(qts, IO_BASE + off);
        if (!c) {
            break;
        }
        g_string_append_c(s, c);
    }
    return g_string_free(s, false);
}

static void test_pci_testdev_protocol(void)
{
    static const char *const kinds[] = {
        "no-eventfd", "wildcard-eventfd", "datamatch-eventfd",
    };
    QTestState *qts = qtest_start("-device pci-testdev,addr=5.0");
    int d = find_device(qts, TD_ID);

    g_assert_cmpint(d, ==, DEVFN(5, 0));
    cfg_writel(qts, d, 0x10, MMIO_BASE);
    cfg_writel(qts, d, 0x14, IO_BASE);
    cfg_writew(qts, d, 0x04, 0x0003);
    /* Nothing selected: reads give 0. */
    g_assert_cmphex(td_readl(qts, 'm', 0), ==, 0);
    g_assert_cmphex(td_readl(qts, 'p', 12), ==, 0);

    for (int type = 0; type < 2; type++) {
        char kind = type ? 'p' : 'm';

        for (int k = 0; k < 3; k++) {
            int t = type * 3 + k;
            uint32_t off = (type ? 128 : 2048) + t;
            uint8_t data = k == 1 ? 0xce : 0xfa;
            g_autofree char *name = NULL;
            g_autofree char *want = g_strdup_printf("%s-%s",
                type ? "portio" : "mmio", kinds[k]);
            char *reply;

            td_select(qts, kind, k);
            g_assert_cmphex(td_readl(qts, kind, 0) & 0xffff, ==,
                            t | 1 << 8);
            g_assert_cmphex(td_readl(qts, kind, 4), ==, off);
            g_assert_cmphex(td_readl(qts, kind, 8), ==, data);
            g_assert_cmphex(td_readl(qts, kind, 12), ==, 0);
            name = td_name(qts, kind);
            g_assert_cmpstr(name, ==, want);
            /* The header is readable through either BAR. */
            g_assert_cmphex(td_readl(qts, type ? 'm' : 'p', 4), ==, off);

            /* 16 byte writes of the data byte at the offset, as test
             * suites do: counted without eventfd, swallowed by it. */
            for (int i = 0; i < 16; i++) {
                td_writeb(qts, kind, off, data);
            }
            g_assert_cmpuint(td_readl(qts, kind, 12), ==, k == 0 ? 16 : 0);
            reply = qtest_cmd(qts, "pci_testdev_notified %d", t);
            g_assert_cmpstr(reply, ==, k == 0 ? "OK 0" : "OK 16");
            g_free(reply);
            /* Another byte value: the no-eventfd and datamatch tests
             * ignore it, the wildcard's eventfd takes it. */
            td_writeb(qts, kind, off, data ^ 0x55);
            g_assert_cmpuint(td_readl(qts, kind, 12), ==, k == 0 ? 16 : 0);
            /* Elsewhere: ignored. */
            td_writeb(qts, kind, off + 8, data);
            g_assert_cmpuint(td_readl(qts, kind, 12), ==, k == 0 ? 16 : 0);
            /* Re-selecting clears the count. */
            td_select(qts, kind, k);
            g_assert_cmpuint(td_readl(qts, kind, 12), ==, 0);
        }
    }
    /* A 2-byte write at the mmio datamatch test's offset (2050) is not
     * the eventfd's size, so it reaches the device and the byte at the
     * offset is counted. */
    td_select(qts, 'm', 2);
    qtest_writew(qts, MMIO_BASE + 2050, 0x01fa);
    g_assert_cmpuint(td_readl(qts, 'm', 12), ==, 1);
    /* The I/O BAR splits unaligned accesses as the established machine:
     * outw at portio datamatch's odd offset 133 is a byte there (the
     * eventfd takes it) and a byte at 134. */
    td_select(qts, 'p', 2);
    qtest_outw(qts, IO_BASE + 133, 0x01fa);
    g_assert_cmpuint(td_readl(qts, 'p', 12), ==, 0);
    /* Selecting a test past the end deselects. */
    td_select(qts, 'm', 3);
    g_assert_cmphex(td_readl(qts, 'm', 0), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_pci_slots(void)
{
    QTestState *qts;

    /* Automatic assignment: next free slots in order. */
    qts = qtest_start("-device pci-testdev -device pci-testdev,addr=4 "
                      "-device pci-testdev");
    g_assert_cmphex(cfg_readl(qts, DEVFN(2, 0), 0), ==, TD_ID);
    g_assert_cmphex(cfg_readl(qts, DEVFN(3, 0), 0), ==, TD_ID);
    g_assert_cmphex(cfg_readl(qts, DEVFN(4, 0), 0), ==, TD_ID);
    g_assert_cmphex(cfg_readl(qts, DEVFN(5, 0), 0), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    /* A function other than 0. */
    qts = qtest_start("-device pci-testdev,addr=06.3");
    g_assert_cmphex(cfg_readl(qts, DEVFN(6, 3), 0), ==, TD_ID);
    g_assert_cmphex(cfg_readl(qts, DEVFN(6, 0), 0), ==, 0xffffffff);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* --- INTx routing --- */

static void set_pirq_route(QTestState *qts, int pirq, uint8_t route)
{
    cfg_writeb(qts, DEVFN(1, 0), 0x60 + pirq, route);
}

static void test_intx_routing_isa(void)
{
    QTestState *qts = qtest_start("");
    char *reply;

    qtest_irq_intercept_in(qts, "isa");
    /* Routes disabled at power-on: nothing reaches ISA. */
    reply = qtest_cmd(qts, "pci_intx 3.0 1 1");
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    for (int n = 0; n < 16; n++) {
        g_assert_false(qtest_get_irq(qts, n));
    }
    /* Slot 3 INTA swizzles to PIRQC ((3 - 1 + 0) & 3 = 2).  Routing it to
     * IRQ 11 raises the line at once, since the pin is already high. */
    set_pirq_route(qts, 2, 11);
    g_assert_true(qtest_get_irq(qts, 11));
    /* Slot 2 INTB is PIRQC too: shared, the line stays up until both go. */
    g_free(qtest_cmd(qts, "pci_intx 2.0 2 1"));
    g_free(qtest_cmd(qts, "pci_intx 3.0 1 0"));
    g_assert_true(qtest_get_irq(qts, 11));
    g_free(qtest_cmd(qts, "pci_intx 2.0 2 0"));
    g_assert_false(qtest_get_irq(qts, 11));
    /* Slot 4 INTD: (4 - 1 + 3) & 3 = 2, PIRQC again; slot 4 INTA: PIRQD. */
    set_pirq_route(qts, 3, 10);
    g_free(qtest_cmd(qts, "pci_intx 4.0 1 1"));
    g_assert_true(qtest_get_irq(qts, 10));
    g_assert_false(qtest_get_irq(qts, 11));
    /* Re-routing moves the level: old line down, new line up. */
    set_pirq_route(qts, 3, 5);
    g_assert_false(qtest_get_irq(qts, 10));
    g_assert_true(qtest_get_irq(qts, 5));
    /* Disabling the route (bit 7) lowers it. */
    set_pirq_route(qts, 3, 0x85);
    g_assert_false(qtest_get_irq(qts, 5));
    /* Two PIRQs on one ISA IRQ: the OR. */
    set_pirq_route(qts, 3, 9);
    set_pirq_route(qts, 0, 9);
    g_free(qtest_cmd(qts, "pci_intx 1.0 1 1"));       /* PIRQA */
    g_free(qtest_cmd(qts, "pci_intx 4.0 1 0"));       /* PIRQD low */
    g_assert_true(qtest_get_irq(qts, 9));
    g_free(qtest_cmd(qts, "pci_intx 1.0 1 0"));
    g_assert_false(qtest_get_irq(qts, 9));
    /* Bad arguments are refused. */
    reply = qtest_cmd(qts, "pci_intx 3.0 5 1");
    g_assert_true(g_str_has_prefix(reply, "FAIL"));
    g_free(reply);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* The 8259 and the IOAPIC see a routed PCI interrupt (no interception). */
static void test_intx_to_interrupt_controllers(void)
{
    QTestState *qts = qtest_start("");
    char *reply;
    unsigned before = 0, after = 0;
    int level = -1, raises = 0;

    /* 8259: ICW1..4 for master and slave, everything unmasked. */
    qtest_outb(qts, 0x20, 0x11);
    qtest_outb(qts, 0x21, 0x08);
    qtest_outb(qts, 0x21, 0x04);
    qtest_outb(qts, 0x21, 0x01);
    qtest_outb(qts, 0xa0, 0x11);
    qtest_outb(qts, 0xa1, 0x70);
    qtest_outb(qts, 0xa1, 0x02);
    qtest_outb(qts, 0xa1, 0x01);
    qtest_outb(qts, 0x21, 0x00);
    qtest_outb(qts, 0xa1, 0x00);
    /* PCI interrupts are level-triggered: ELCR bit 11. */
    qtest_outb(qts, 0x4d1, 0x08);
    /* IOAPIC pin 11: vector 0x41, level, unmasked, dest 0. */
    qtest_writel(qts, 0xfec00000, 0x10 + 2 * 11 + 1);
    qtest_writel(qts, 0xfec00010, 0);
    qtest_writel(qts, 0xfec00000, 0x10 + 2 * 11);
    qtest_writel(qts, 0xfec00010, 0x8041);

    reply = qtest_cmd(qts, "apic_msgs");
    if (!g_str_has_prefix(reply, "OK")) {
        g_free(reply);
        g_test_skip("no apic_msgs recorder on this board");
        qtest_quit(qts);
        return;
    }
    g_assert_cmpint(sscanf(reply, "OK %u", &before), ==, 1);
    g_free(reply);

    set_pirq_route(qts, 0, 11);                  /* PIRQA -> IRQ 11 */
    g_free(qtest_cmd(qts, "pci_intx 1.0 1 1"));  /* slot 1 INTA = PIRQA */

    reply = qtest_cmd(qts, "cpu_intr");
    g_assert_cmpint(sscanf(reply, "OK %d %d", &level, &raises), ==, 2);
    g_free(reply);
    g_assert_cmpint(level, ==, 1);
    reply = qtest_cmd(qts, "pic_inta");
    g_assert_cmpstr(reply, ==, "OK 0x73");       /* slave base 0x70 + 3 */
    g_free(reply);

    reply = qtest_cmd(qts, "apic_msgs");
    g_assert_cmpint(sscanf(reply, "OK %u", &after), ==, 1);
    g_assert_cmpuint(after, ==, before + 1);
    g_assert_nonnull(strstr(reply, "vector=0x41"));
    g_assert_nonnull(strstr(reply, "trigger=level"));
    g_free(reply);
    g_free(qtest_cmd(qts, "pci_intx 1.0 1 0"));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* Save/restore of a PCI device remaps its BARs from the loaded header. */
static void test_vmstate(void)
{
    QTestState *qts = qtest_start("-device pci-testdev,id=td,addr=4");
    int d = DEVFN(4, 0);
    char *reply, *rec;

    cfg_writel(qts, d, 0x10, MMIO_BASE);
    cfg_writew(qts, d, 0x04, 0x0002);
    qtest_writeb(qts, MMIO_BASE, 1);            /* select mmio test 1 */
    reply = qtest_cmd(qts, "vmstate_save td");
    g_assert_true(g_str_has_prefix(reply, "OK 0x"));
    rec = g_strdup(reply + 3);
    g_free(reply);
    /* Move the BAR and deselect; then restore. */
    cfg_writel(qts, d, 0x10, MMIO_BASE + 0x100000);
    qtest_writeb(qts, MMIO_BASE + 0x100000, 7);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 4), ==, 0);
    reply = qtest_cmd(qts, "vmstate_load td %s", rec);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_free(rec);
    g_assert_cmphex(cfg_readl(qts, d, 0x10), ==, MMIO_BASE);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 4), ==, 2049);
    g_assert_cmphex(qtest_readl(qts, MMIO_BASE + 0x100000 + 4), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* The PIIX3 reset control register at 0xcf9 (byte accesses). */
static void test_reset_control(void)
{
    QTestState *qts = qtest_start("-no-reboot");

    g_assert_cmphex(qtest_inb(qts, 0xcf9), ==, 0);
    qtest_outb(qts, 0xcf9, 0x0a);                /* only bit 1 is kept */
    g_assert_cmphex(qtest_inb(qts, 0xcf9), ==, 0x02);
    /* CONFIG_ADDRESS is unaffected; byte reads elsewhere truncate it. */
    qtest_outl(qts, CF8, 0x80000000);
    g_assert_cmphex(qtest_inl(qts, CF8), ==, 0x80000000);
    g_assert_cmphex(qtest_inb(qts, 0xcf9), ==, 0x02);
    g_assert_cmphex(qtest_inw(qts, CF8), ==, 0x0000);
    g_assert_cmphex(cfg_readl(qts, 0, 0), ==, 0x12378086);
    /* Bit 2: a reset, which -no-reboot turns into an exit. */
    qtest_outb(qts, 0xcf9, 0x06);
    g_assert_cmpint(qtest_wait_exit(qts), ==, 0);

    /* Without -no-reboot the machine resets: BARs, command register and
     * the PIRQ routes go back to their power-on values. */
    qts = qtest_start("-device pci-testdev,addr=3");
    cfg_writel(qts, DEVFN(3, 0), 0x10, 0xfe000000);
    cfg_writew(qts, DEVFN(3, 0), 0x04, 0x0003);
    cfg_writeb(qts, DEVFN(1, 0), 0x60, 0x0b);
    qtest_outb(qts, 0xcf9, 0x02);
    qtest_outb(qts, 0xcf9, 0x06);
    for (int i = 0; i < 1000 && cfg_readw(qts, DEVFN(3, 0), 0x04); i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(cfg_readw(qts, DEVFN(3, 0), 0x04), ==, 0);
    g_assert_cmphex(cfg_readl(qts, DEVFN(3, 0), 0x10), ==, 0);
    g_assert_cmphex(cfg_readb(qts, DEVFN(1, 0), 0x60), ==, 0x80);
    g_assert_cmphex(qtest_inb(qts, 0xcf9), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_device_errors(void)
{
    static const struct {
        const char *args;
        const char *msg;
    } cases[] = {
        { "-device pci-testdev,addr=0.0", "already taken" },
        { "-device pci-testdev,addr=1", "already taken" },
        { "-device pci-testdev,addr=5 -device pci-testdev,addr=5.0",
          "already taken" },
        { "-device pci-testdev,addr=20", "expected SLOT" },
        { "-device pci-testdev,addr=3.8", "expected SLOT" },
        { "-device pci-testdev,addr=zz", "expected SLOT" },
        { "-device pci-testdev,membar=100", "power of two" },
        { "-device i440FX", "cannot be created" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *cmd = g_strdup_printf(
            "timeout 20 %s -M pc -display none -nodefaults -S %s 2>&1",
            g_getenv("TANDEM") ? g_getenv("TANDEM") : "build/tandem",
            cases[i].args);
        g_autofree char *out = NULL;
        int status = 0;
        char *argv[] = { "/bin/sh", "-c", cmd, NULL };

        g_assert_true(g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, &out,
                                   NULL, &status, NULL));
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(out, cases[i].msg));
        /* One line. */
        g_assert_cmpint(strchr(out, '\n') - out + 1, ==, (int)strlen(out));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pci/host-bridges", test_host_bridges);
    g_test_add_func("/pci/bad-config-access", test_bad_config_access);
    g_test_add_func("/pci/bar-sizing-and-mapping",
                    test_bar_sizing_and_mapping);
    g_test_add_func("/pci/pci-testdev-protocol", test_pci_testdev_protocol);
    g_test_add_func("/pci/slots", test_pci_slots);
    g_test_add_func("/pci/intx-routing-isa", test_intx_routing_isa);
    g_test_add_func("/pci/intx-to-interrupt-controllers",
                    test_intx_to_interrupt_controllers);
    g_test_add_func("/pci/vmstate", test_vmstate);
    g_test_add_func("/pci/reset-control", test_reset_control);
    g_test_add_func("/pci/device-errors", test_device_errors);
    return g_test_run();
}
