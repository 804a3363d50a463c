/*
 * qtest-protocol-test.c: the qtest server (system/qtest.c) itself: replies,
 * errors, memory and port access, the manual virtual clock, IRQ
 * interception and shutdown on disconnect.
 */
#include <string.h>
#include <glib.h>

#include "libqtest.h"

/* Sends cmd and expects a reply starting with want. */
static void expect(QTestState *qts, const char *cmd, const char *want)
{
    char *reply = qtest_cmd(qts, "%s", cmd);

    if (!g_str_has_prefix(reply, want)) {
        g_test_message("'%s' -> '%s', wanted '%s...'", cmd, reply, want);
        g_assert_cmpstr(reply, ==, want);
    }
    g_free(reply);
}

static void test_unknown_command(void)
{
    QTestState *qts = qtest_start("-serial null");

    expect(qts, "frobnicate 1 2", "FAIL Unknown command 'frobnicate'");
    expect(qts, "", "FAIL");
    expect(qts, "inq 0x80", "FAIL Unknown command 'inq'");
    expect(qts, "readx 0", "FAIL Unknown command 'readx'");
    /* The connection still works afterwards. */
    expect(qts, "endianness", "OK little");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "inb zz", "inb 0x", "inb 12abc", "inb -1", "inb 0x10000",
        "inb", "inb 1 2", "outb 0x80", "outb 0x80 0x1 0x2", "outb x 1",
        "writeb 0x1000 1x", "readl", "readq 0x1000 1",
        "read 0 0", "read 0", "read 0 zz", "write 0 2 0x123",
        "write 0 1 0x1234", "write 0 2 1234", "write 0 2 0xzz00",
        "memset 0 4 0x100", "memset 0 4", "clock_step x", "clock_step -5",
        "clock_set", "clock_set abc", "irq_intercept_in nowhere",
        "irq_intercept_in", "set_irq_in isa 16 1", "set_irq_in isa 1 x",
        "set_irq_in pic 1 1", "set_irq_in isa 1", "vmstate_save nope",
        "vmstate_save", "vmstate_load nope 0x00", "vmstate_load",
    };
    QTestState *qts = qtest_start("-serial null");

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        expect(qts, bad[i], "FAIL ");
    }
    /* Nothing was written by the failed commands. */
    g_assert_cmphex(qtest_readq(qts, 0), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_memory(void)
{
    QTestState *qts = qtest_start("-serial null -m 128");
    uint8_t buf[37], back[37];
    char *reply;

    qtest_writeb(qts, 0x1000, 0x12);
    qtest_writew(qts, 0x1002, 0x3456);
    qtest_writel(qts, 0x1004, 0x789abcde);
    qtest_writeq(qts, 0x1008, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readb(qts, 0x1000), ==, 0x12);
    g_assert_cmphex(qtest_readw(qts, 0x1002), ==, 0x3456);
    g_assert_cmphex(qtest_readl(qts, 0x1004), ==, 0x789abcde);
    g_assert_cmphex(qtest_readq(qts, 0x1008), ==, 0x0123456789abcdefULL);
    /* x86 is little-endian: the low byte is at the lowest address. */
    g_assert_cmphex(qtest_readb(qts, 0x1004), ==, 0xde);
    g_assert_cmphex(qtest_readb(qts, 0x100f), ==, 0x01);
    g_assert_cmphex(qtest_readw(qts, 0x1003), ==, 0xde34);   /* unaligned */
    /* Values are truncated to the access size. */
    expect(qts, "writeb 0x1000 0x1ff", "OK");
    g_assert_cmphex(qtest_readw(qts, 0x1000), ==, 0x00ff);
    /* Reply formats are the established ones. */
    expect(qts, "readw 0x1002", "OK 0x0000000000003456");
    expect(qts, "read 0x1004 4", "OK 0xdebc9a78");

    /* Bulk: write, read back, memset, base64, at the end of RAM. */
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7 + 1;
    }
    qtest_memwrite(qts, 0x7fff000, buf, sizeof(buf));
    qtest_memread(qts, 0x7fff000, back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), buf, sizeof(buf));
    qtest_memset(qts, 0x7fff004, 0xee, 3);
    g_assert_cmphex(qtest_readl(qts, 0x7fff004), ==, 0x32eeeeee);
    reply = qtest_cmd(qts, "b64read 0x1000 4");
    g_assert_cmpstr(reply, ==, "OK /wBWNA==");
    g_free(reply);
    expect(qts, "b64write 0x2000 3 AQID", "OK");
    g_assert_cmphex(qtest_readl(qts, 0x2000), ==, 0x030201);
    /* Short hex data is zero-padded. */
    qtest_writel(qts, 0x3000, 0xffffffff);
    expect(qts, "write 0x3000 4 0xaa", "OK");
    g_assert_cmphex(qtest_readl(qts, 0x3000), ==, 0xaa);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_unassigned(void)
{
    QTestState *qts = qtest_start("-serial null -m 128");

    /* Far above RAM (128 MiB) and below the PCI/firmware area. */
    g_assert_cmphex(qtest_readb(qts, 0x40000000), ==, 0);
    g_assert_cmphex(qtest_readq(qts, 0x40000000), ==, 0);
    qtest_writel(qts, 0x40000000, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(qts, 0x40000000), ==, 0);
    /* The end of the 64-bit space does not crash anything. */
    g_assert_cmphex(qtest_readq(qts, 0xfffffffffffffff8ULL), ==, 0);
    qtest_writeq(qts, 0xfffffffffffffff8ULL, 1);
    /* An unassigned port floats high. */
    g_assert_cmphex(qtest_inb(qts, 0x1234), ==, 0xff);
    g_assert_cmphex(qtest_inw(qts, 0x1234), ==, 0xffff);
    g_assert_cmphex(qtest_inl(qts, 0x1234), ==, 0xffffffff);
    qtest_outb(qts, 0x1234, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_clock(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0, t1, t2;

    t0 = qtest_clock_step(qts, 0);
    g_assert_cmpint(t0, >=, 0);
    t1 = qtest_clock_step(qts, 100);
    g_assert_cmpint(t1, ==, t0 + 100);
    t2 = qtest_clock_step(qts, 1000000000);
    g_assert_cmpint(t2, ==, t1 + 1000000000);
    /* The clock does not move by itself under qtest. */
    g_usleep(20 * 1000);
    g_assert_cmpint(qtest_clock_step(qts, 0), ==, t2);
    /* clock_set moves forward only. */
    g_assert_cmpint(qtest_clock_set(qts, t2 + 5000), ==, t2 + 5000);
    g_assert_cmpint(qtest_clock_set(qts, t0), ==, t2 + 5000);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_irq_intercept(void)
{
    QTestState *qts = qtest_start("-serial null");

    qtest_irq_intercept_in(qts, "isa");
    /* Idempotent. */
    qtest_irq_intercept_out(qts, "isa");
    for (int n = 0; n < 16; n++) {
        g_assert_false(qtest_get_irq(qts, n));
    }
    qtest_set_irq_in(qts, "isa", 9, 1);
    g_assert_true(qtest_get_irq(qts, 9));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 9), ==, 1);
    /* Same level again: no new report. */
    qtest_set_irq_in(qts, "isa", 9, 1);
    g_assert_cmpuint(qtest_irq_raise_count(qts, 9), ==, 1);
    qtest_set_irq_in(qts, "isa", 9, 0);
    g_assert_false(qtest_get_irq(qts, 9));
    qtest_set_irq_in(qts, "isa", 15, 1);
    g_assert_true(qtest_get_irq(qts, 15));
    g_assert_false(qtest_get_irq(qts, 9));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_line_handling(void)
{
    QTestState *qts = qtest_start("-serial null");
    char *reply;

    /* Extra blanks and CRLF line ends are accepted. */
    expect(qts, "  inb   0x3fd  ", "OK 0x0060");
    expect(qts, "inb 0x3fd\r", "OK 0x0060");
    /* Several commands in one send: one reply each, in order.  The
     * client reads one reply per qtest_cmd, so the replies trail. */
    reply = qtest_cmd(qts, "outb 0x3ff 0x11\ninb 0x3ff");
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    reply = qtest_cmd(qts, "outb 0x3ff 0x22");
    g_assert_cmpstr(reply, ==, "OK 0x0011");    /* the pipelined inb */
    g_free(reply);
    reply = qtest_cmd(qts, "inb 0x3ff");
    g_assert_cmpstr(reply, ==, "OK");           /* the outb 0x22 */
    g_free(reply);
    reply = qtest_cmd(qts, "endianness");
    g_assert_cmpstr(reply, ==, "OK 0x0022");    /* the inb */
    g_free(reply);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_big_endian_machine(void)
{
    QTestState *qts = qtest_start_machine("pseries", "-m 256");

    expect(qts, "endianness", "OK big");
    qtest_writel(qts, 0x1000, 0x11223344);
    /* Sized accesses are big-endian: the high byte comes first... */
    g_assert_cmphex(qtest_readb(qts, 0x1000), ==, 0x11);
    g_assert_cmphex(qtest_readw(qts, 0x1002), ==, 0x3344);
    g_assert_cmphex(qtest_readl(qts, 0x1000), ==, 0x11223344);
    /* ...while bulk reads are plain memory order. */
    expect(qts, "read 0x1000 4", "OK 0x11223344");
    qtest_writeq(qts, 0x2000, 0x0102030405060708ULL);
    expect(qts, "read 0x2000 8", "OK 0x0102030405060708");
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_disconnect_exits(void)
{
    QTestState *qts = qtest_start("-serial null");

    qtest_outb(qts, 0x80, 1);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/unknown-command", test_unknown_command);
    g_test_add_func("/qtest/malformed", test_malformed);
    g_test_add_func("/qtest/memory", test_memory);
    g_test_add_func("/qtest/unassigned", test_unassigned);
    g_test_add_func("/qtest/clock", test_clock);
    g_test_add_func("/qtest/irq-intercept", test_irq_intercept);
    g_test_add_func("/qtest/line-handling", test_line_handling);
    g_test_add_func("/qtest/big-endian-machine", test_big_endian_machine);
    g_test_add_func("/qtest/disconnect-exits-0", test_disconnect_exits);
    return g_test_run();
}
