/*
 * ioapic-test.c: the pc machine's I/O APIC (hw/intc/ioapic.c) through the
 * real binary.  ISA lines are raised with "set_irq_in isa N L" (reaching
 * the IOAPIC through the board's split), the messages it sends to the APIC
 * bus are read with the board command "apic_msgs", and "ioapic_eoi V"
 * plays the local APIC's EOI broadcast.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libqtest.h"

#define IOAPIC_BASE 0xfec00000ULL
#define IOREGSEL    (IOAPIC_BASE + 0x00)
#define IOWIN       (IOAPIC_BASE + 0x10)

#define RTE_LOGICAL    (1u << 11)
#define RTE_REMOTE_IRR (1u << 14)
#define RTE_LEVEL      (1u << 15)
#define RTE_MASKED     (1u << 16)

static uint32_t ioapic_read(QTestState *qts, uint32_t reg)
{
    qtest_writel(qts, IOREGSEL, reg);
    return qtest_readl(qts, IOWIN);
}

static void ioapic_write(QTestState *qts, uint32_t reg, uint32_t val)
{
    qtest_writel(qts, IOREGSEL, reg);
    qtest_writel(qts, IOWIN, val);
}

static void set_entry(QTestState *qts, int pin, uint32_t lo, uint8_t dest)
{
    ioapic_write(qts, 0x11 + 2 * pin, (uint32_t)dest << 24);
    ioapic_write(qts, 0x10 + 2 * pin, lo);
}

/* Number of messages so far; the last one's text in *last (g_free). */
static unsigned apic_msgs(QTestState *qts, char **last)
{
    char *reply = qtest_cmd(qts, "apic_msgs");
    unsigned n = 0;
    int end = 0;

    g_assert_cmpint(sscanf(reply, "OK %u%n", &n, &end), ==, 1);
    if (last) {
        *last = g_strdup(reply[end] == ' ' ? reply + end + 1 : "");
    }
    g_free(reply);
    return n;
}

static void eoi(QTestState *qts, int vector)
{
    char *reply = qtest_cmd(qts, "ioapic_eoi %d", vector);

    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
}

static void test_registers(void)
{
    QTestState *qts = qtest_start("-serial null");

    g_assert_cmphex(ioapic_read(qts, 0x01), ==, 0x00170011);
    g_assert_cmphex(ioapic_read(qts, 0x00), ==, 0);
    ioapic_write(qts, 0x00, 0xffffffff);
    g_assert_cmphex(ioapic_read(qts, 0x00), ==, 0x0f000000);
    g_assert_cmphex(ioapic_read(qts, 0x02), ==, 0x0f000000);
    /* The version is read-only. */
    ioapic_write(qts, 0x01, 0);
    g_assert_cmphex(ioapic_read(qts, 0x01), ==, 0x00170011);
    /* IOREGSEL reads back. */
    qtest_writel(qts, IOREGSEL, 0x25);
    g_assert_cmphex(qtest_readl(qts, IOREGSEL), ==, 0x25);

    /* Every entry resets masked, and keeps what software writes, except
     * the read-only status bits. */
    for (int pin = 0; pin < 24; pin++) {
        g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * pin), ==, RTE_MASKED);
        g_assert_cmphex(ioapic_read(qts, 0x11 + 2 * pin), ==, 0);
    }
    ioapic_write(qts, 0x10 + 2 * 7, 0xffffffff);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 7), ==, 0x0001afff);
    ioapic_write(qts, 0x11 + 2 * 7, 0xffffffff);
    g_assert_cmphex(ioapic_read(qts, 0x11 + 2 * 7), ==, 0xff000000);
    ioapic_write(qts, 0x10 + 2 * 23, 0x000080ab);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 23), ==, 0x000080ab);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_edge_delivery_and_mask(void)
{
    QTestState *qts = qtest_start("-serial null");
    char *last;

    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 0);
    /* Pin 5 masked (reset state): nothing. */
    qtest_set_irq_in(qts, "isa", 5, 1);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 0);
    /* Unmasking does not resurrect an edge that came while masked. */
    set_entry(qts, 5, 0x35, 0);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 0);
    qtest_set_irq_in(qts, "isa", 5, 0);

    set_entry(qts, 4, 0x31, 1);                 /* fixed, physical, edge */
    qtest_set_irq_in(qts, "isa", 4, 1);
    g_assert_cmpuint(apic_msgs(qts, &last), ==, 1);
    g_assert_cmpstr(last, ==, "dest=0x01 logical=0 mode=0 vector=0x31 "
                    "trigger=edge");
    g_free(last);
    /* Held high: no more; a new edge: one more. */
    qtest_set_irq_in(qts, "isa", 4, 1);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 1);
    qtest_set_irq_in(qts, "isa", 4, 0);
    qtest_set_irq_in(qts, "isa", 4, 1);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 2);

    /* Logical destination and delivery mode are passed through. */
    set_entry(qts, 6, RTE_LOGICAL | (1 << 8) | 0x46, 0x0c);
    qtest_set_irq_in(qts, "isa", 6, 1);
    g_assert_cmpuint(apic_msgs(qts, &last), ==, 3);
    g_assert_cmpstr(last, ==, "dest=0x0c logical=1 mode=1 vector=0x46 "
                    "trigger=edge");
    g_free(last);

    /* Masked again: edges are dropped. */
    set_entry(qts, 4, RTE_MASKED | 0x31, 1);
    qtest_set_irq_in(qts, "isa", 4, 0);
    qtest_set_irq_in(qts, "isa", 4, 1);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 3);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_level_remote_irr(void)
{
    QTestState *qts = qtest_start("-serial null");
    char *last;

    set_entry(qts, 10, RTE_LEVEL | 0x40, 2);
    qtest_set_irq_in(qts, "isa", 10, 1);
    g_assert_cmpuint(apic_msgs(qts, &last), ==, 1);
    g_assert_cmpstr(last, ==, "dest=0x02 logical=0 mode=0 vector=0x40 "
                    "trigger=level");
    g_free(last);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 10) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
    /* Until the EOI, the pin sends nothing, whatever the line does. */
    qtest_set_irq_in(qts, "isa", 10, 0);
    qtest_set_irq_in(qts, "isa", 10, 1);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 1);
    /* An EOI for another vector changes nothing. */
    eoi(qts, 0x41);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 1);
    /* EOI with the line still high: Remote IRR clears and the pin sends
     * again, setting it again. */
    eoi(qts, 0x40);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 2);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 10) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
    /* Line low, then EOI: clear, quiet. */
    qtest_set_irq_in(qts, "isa", 10, 0);
    eoi(qts, 0x40);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 2);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 10) & RTE_REMOTE_IRR, ==, 0);

    /* A masked level pin sends when unmasked while still asserted. */
    set_entry(qts, 11, RTE_MASKED | RTE_LEVEL | 0x50, 0);
    qtest_set_irq_in(qts, "isa", 11, 1);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 2);
    set_entry(qts, 11, RTE_LEVEL | 0x50, 0);
    g_assert_cmpuint(apic_msgs(qts, &last), ==, 3);
    g_assert_cmpstr(last, ==, "dest=0x00 logical=0 mode=0 vector=0x50 "
                    "trigger=level");
    g_free(last);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_irq0_override(void)
{
    QTestState *qts = qtest_start("-serial null");
    char *last;

    set_entry(qts, 0, 0x20, 0);
    set_entry(qts, 2, 0x30, 0);
    qtest_set_irq_in(qts, "isa", 0, 1);
    g_assert_cmpuint(apic_msgs(qts, &last), ==, 1);
    g_assert_cmpstr(last, ==, "dest=0x00 logical=0 mode=0 vector=0x30 "
                    "trigger=edge");
    g_free(last);
    qtest_set_irq_in(qts, "isa", 0, 0);

    /* The real PIT reaches pin 2 too: mode 2, count 1193 (about 1 ms),
     * 10 ms of virtual time: 10 messages. */
    qtest_outb(qts, 0x43, 0x34);
    qtest_outb(qts, 0x40, 1193 & 0xff);
    qtest_outb(qts, 0x40, 1193 >> 8);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 2);     /* OUT rises */
    qtest_clock_step(qts, 10 * 999848 + 1000);
    g_assert_cmpuint(apic_msgs(qts, &last), ==, 12);
    g_assert_cmpstr(last, ==, "dest=0x00 logical=0 mode=0 vector=0x30 "
                    "trigger=edge");
    g_free(last);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_save_restore(void)
{
    QTestState *qts = qtest_start("-serial null");
    char *rec, *reply;

    ioapic_write(qts, 0x00, 0x05000000);
    set_entry(qts, 10, RTE_LEVEL | 0x40, 2);
    qtest_set_irq_in(qts, "isa", 10, 1);        /* Remote IRR set */
    rec = qtest_vmstate_save(qts, "pc-ioapic");
    set_entry(qts, 10, RTE_MASKED, 0);
    ioapic_write(qts, 0x00, 0);
    eoi(qts, 0x40);
    qtest_vmstate_load(qts, "pc-ioapic", rec);
    g_assert_cmphex(ioapic_read(qts, 0x00), ==, 0x05000000);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 10), ==,
                    RTE_LEVEL | RTE_REMOTE_IRR | 0x40);
    g_assert_cmphex(ioapic_read(qts, 0x11 + 2 * 10), ==, 0x02000000);
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 1);
    eoi(qts, 0x40);                             /* line still high */
    g_assert_cmpuint(apic_msgs(qts, NULL), ==, 2);
    /* Another device's record is refused. */
    g_free(rec);
    rec = qtest_vmstate_save(qts, "pc-pic");
    reply = qtest_cmd(qts, "vmstate_load pc-ioapic %s", rec);
    g_assert_true(g_str_has_prefix(reply, "FAIL"));
    g_free(reply);
    g_free(rec);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_bad_accesses(void)
{
    QTestState *qts = qtest_start("-serial null -d guest_errors");

    set_entry(qts, 3, 0x33, 0);
    /* Only 4-byte accesses work; the others read 0 and write nothing. */
    qtest_writel(qts, IOREGSEL, 0x01);
    g_assert_cmphex(qtest_readb(qts, IOWIN), ==, 0);
    g_assert_cmphex(qtest_readw(qts, IOWIN), ==, 0);
    qtest_writeb(qts, IOREGSEL, 0x10 + 2 * 3);
    g_assert_cmphex(qtest_readl(qts, IOREGSEL), ==, 0x01);
    /* Registers that do not exist. */
    g_assert_cmphex(ioapic_read(qts, 0x03), ==, 0);
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 24), ==, 0);
    g_assert_cmphex(ioapic_read(qts, 0xff), ==, 0);
    ioapic_write(qts, 0x80, 0x12345678);
    /* Other offsets in the window. */
    qtest_writel(qts, IOAPIC_BASE + 0x20, 0xffffffff);
    g_assert_cmphex(qtest_readl(qts, IOAPIC_BASE + 0x40), ==, 0);
    /* Pin 3 is untouched. */
    g_assert_cmphex(ioapic_read(qts, 0x10 + 2 * 3), ==, 0x33);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/registers", test_registers);
    g_test_add_func("/ioapic/edge-delivery-and-mask",
                    test_edge_delivery_and_mask);
    g_test_add_func("/ioapic/level-remote-irr", test_level_remote_irr);
    g_test_add_func("/ioapic/irq0-override", test_irq0_override);
    g_test_add_func("/ioapic/bad-accesses", test_bad_accesses);
    g_test_add_func("/ioapic/save-restore", test_save_restore);
    return g_test_run();
}
