/*
 * pc-testdev-test.c: "pc-testdev" (hw/misc/pc-testdev.c) through the real
 * binary: the scratch register at 0xe0 (any width) and 0xe8 (byte
 * accesses), the flush port, the IRQ line ports at 0x2000 (seen through
 * ISA interception), the 64 KiB MMIO window at 0xff000000, save/restore,
 * and a second instance refused with one error line.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <glib.h>

#include "libqtest.h"

#define IOMEM 0xff000000ULL

static void test_scratch_ports(void)
{
    QTestState *qts = qtest_start("-device pc-testdev");

    qtest_outl(qts, 0xe0, 0x12345678);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0x12345678);
    g_assert_cmphex(qtest_inb(qts, 0xe1), ==, 0x56);
    g_assert_cmphex(qtest_inw(qts, 0xe2), ==, 0x1234);
    qtest_outw(qts, 0xe2, 0xabcd);
    qtest_outb(qts, 0xe0, 0x11);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0xabcd5611);
    /* 0xe8 is the same register through byte accesses. */
    g_assert_cmphex(qtest_inl(qts, 0xe8), ==, 0xabcd5611);
    g_assert_cmphex(qtest_inw(qts, 0xea), ==, 0xabcd);
    qtest_outl(qts, 0xe8, 0xdeadbeef);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0xdeadbeef);
    qtest_outb(qts, 0xeb, 0x00);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0x00adbeef);
    /* Unaligned: the bytes it covers (as on the established machine). */
    g_assert_cmphex(qtest_inw(qts, 0xe1), ==, 0xadbe);
    g_assert_cmphex(qtest_inw(qts, 0xe9), ==, 0xadbe);
    qtest_outw(qts, 0xe1, 0x1234);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0x001234ef);
    /* The flush port takes 4-byte writes, changes nothing, reads 0. */
    qtest_writel(qts, 0x1000, 0x55aa55aa);
    qtest_outl(qts, 0xe4, 0x1000);
    g_assert_cmphex(qtest_readl(qts, 0x1000), ==, 0x55aa55aa);
    g_assert_cmphex(qtest_inl(qts, 0xe4), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_irq_lines(void)
{
    QTestState *qts = qtest_start("-device pc-testdev");

    qtest_irq_intercept_in(qts, "isa");
    for (int n = 0; n < 16; n++) {
        if (n == 2) {
            continue;
        }
        qtest_outb(qts, 0x2000 + n, 1);
        g_assert_true(qtest_get_irq(qts, n));
        qtest_outb(qts, 0x2000 + n, 0x80);      /* any non-zero: high */
        g_assert_true(qtest_get_irq(qts, n));
        qtest_outb(qts, 0x2000 + n, 0);
        g_assert_false(qtest_get_irq(qts, n));
    }
    /* Lines 16..23 do not exist on the ISA bus: ignored, no crash. */
    for (int n = 16; n < 24; n++) {
        qtest_outb(qts, 0x2000 + n, 1);
    }
    for (int n = 0; n < 16; n++) {
        g_assert_false(qtest_get_irq(qts, n));
    }
    g_assert_cmphex(qtest_inb(qts, 0x2005), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_iomem(void)
{
    QTestState *qts = qtest_start("-device pc-testdev,id=td");
    char *rec, *reply;

    /* Device memory: what is written is read back at every width. */
    qtest_writeq(qts, IOMEM, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(qts, IOMEM), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readl(qts, IOMEM + 4), ==, 0x01234567);
    g_assert_cmphex(qtest_readw(qts, IOMEM + 2), ==, 0x89ab);
    g_assert_cmphex(qtest_readb(qts, IOMEM + 7), ==, 0x01);
    qtest_writeb(qts, IOMEM + 0xffff, 0x5a);
    g_assert_cmphex(qtest_readb(qts, IOMEM + 0xffff), ==, 0x5a);
    qtest_writel(qts, IOMEM + 0xfff8, 0xa5a5a5a5);
    g_assert_cmphex(qtest_readq(qts, IOMEM + 0xfff8), ==,
                    0x5a000000a5a5a5a5ULL);
    /* Right after the window there is nothing. */
    g_assert_cmphex(qtest_readl(qts, IOMEM + 0x10000), ==, 0);

    /* Save, scribble, restore. */
    qtest_outl(qts, 0xe0, 0xfeedface);
    reply = qtest_cmd(qts, "vmstate_save td");
    g_assert_true(g_str_has_prefix(reply, "OK 0x"));
    rec = g_strdup(reply + 3);
    g_free(reply);
    qtest_writeq(qts, IOMEM, 0);
    qtest_outl(qts, 0xe0, 0);
    reply = qtest_cmd(qts, "vmstate_load td %s", rec);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_free(rec);
    g_assert_cmphex(qtest_readq(qts, IOMEM), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_inl(qts, 0xe0), ==, 0xfeedface);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_second_instance(void)
{
    g_autofree char *cmd = g_strdup_printf(
        "timeout 20 %s -M pc -display none -nodefaults -S "
        "-device pc-testdev -device pc-testdev 2>&1",
        g_getenv("TANDEM") ? g_getenv("TANDEM") : "build/tandem");
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    g_autofree char *out = NULL;
    int status = 0;

    g_assert_true(g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, &out, NULL,
                               &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(out, "overlap"));
    g_assert_cmpint(strchr(out, '\n') - out + 1, ==, (int)strlen(out));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pc-testdev/scratch-ports", test_scratch_ports);
    g_test_add_func("/pc-testdev/irq-lines", test_irq_lines);
    g_test_add_func("/pc-testdev/iomem", test_iomem);
    g_test_add_func("/pc-testdev/second-instance", test_second_instance);
    return g_test_run();
}
