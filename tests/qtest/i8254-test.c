/*
 * i8254-test.c: the pc machine's 8254 PIT (hw/timer/i8254.c) and port
 * 0x61 (hw/timer/pcspk.c) through the real binary.  Counts are checked
 * exactly against the virtual clock: after t ns a counter has seen
 * floor(t * 1193182 / 10^9) input clocks, and the first time it has seen
 * k clocks is load + ceil(k * 10^9 / 1193182).  IRQ 0 is watched with the
 * ISA lines intercepted.
 */
#include <string.h>
#include <glib.h>

#include "libqtest.h"

#define PIT_CH0  0x40
#define PIT_CH2  0x42
#define PIT_CTRL 0x43
#define PORT_61  0x61

#define FREQ 1193182ULL

static uint64_t ticks_in(int64_t ns)
{
    return (uint64_t)ns * FREQ / 1000000000ULL;
}

static int64_t ns_for_ticks(uint64_t ticks)
{
    return (ticks * 1000000000ULL + FREQ - 1) / FREQ;
}

static int64_t now(QTestState *qts)
{
    return qtest_clock_step(qts, 0);
}

static void step_to(QTestState *qts, int64_t t)
{
    g_assert_cmpint(qtest_clock_set(qts, t), ==, t);
}

static uint16_t read_word(QTestState *qts, uint16_t port)
{
    uint8_t lo = qtest_inb(qts, port);

    return lo | (qtest_inb(qts, port) << 8);
}

static void write_word(QTestState *qts, uint16_t port, uint16_t v)
{
    qtest_outb(qts, port, v & 0xff);
    qtest_outb(qts, port, v >> 8);
}

static void test_mode2_irq0(void)
{
    QTestState *qts = qtest_start("-serial null");
    const uint16_t n = 1193;               /* about 1 ms */
    int64_t load;

    qtest_irq_intercept_in(qts, "isa");
    g_assert_false(qtest_get_irq(qts, 0));
    qtest_outb(qts, PIT_CTRL, 0x34);        /* ch0, word, mode 2, binary */
    write_word(qts, PIT_CH0, n);
    load = now(qts);
    g_assert_true(qtest_get_irq(qts, 0));   /* OUT high in mode 2 */
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 1);

    for (int k = 1; k <= 5; k++) {
        /*
         * OUT is low for the one clock before the reload; IRQ 0 carries
         * the rising edge at the reload (exactly N clocks) as a pulse and
         * rests high, so no late timer callback can miss it.
         */
        step_to(qts, load + ns_for_ticks((uint64_t)k * n - 1) - 1);
        qtest_outb(qts, PIT_CTRL, 0xe2);    /* read-back status, ch0 */
        g_assert_cmphex(qtest_inb(qts, PIT_CH0) & 0x80, ==, 0x80);
        step_to(qts, load + ns_for_ticks((uint64_t)k * n - 1));
        qtest_outb(qts, PIT_CTRL, 0xe2);    /* OUT low for one clock */
        g_assert_cmphex(qtest_inb(qts, PIT_CH0) & 0x80, ==, 0);
        g_assert_true(qtest_get_irq(qts, 0));
        step_to(qts, load + ns_for_ticks((uint64_t)k * n) - 1);
        g_assert_true(qtest_get_irq(qts, 0));
        g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, k);
        step_to(qts, load + ns_for_ticks((uint64_t)k * n));
        g_assert_true(qtest_get_irq(qts, 0));
        g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, k + 1);
    }
    /* One big step still produces every edge. */
    step_to(qts, load + ns_for_ticks(105ULL * n));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 106);

    /* The live count, exactly. */
    {
        int64_t t = load + ns_for_ticks(105ULL * n) + 500000;
        uint64_t d;

        step_to(qts, t);
        d = ticks_in(t - load);
        g_assert_cmpuint(read_word(qts, PIT_CH0), ==, n - d % n);
    }
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_mode0_oneshot(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t load;

    qtest_irq_intercept_in(qts, "isa");
    qtest_outb(qts, PIT_CTRL, 0x30);        /* ch0, word, mode 0 */
    write_word(qts, PIT_CH0, 1000);
    load = now(qts);
    g_assert_false(qtest_get_irq(qts, 0));
    step_to(qts, load + ns_for_ticks(1000) - 1);
    g_assert_false(qtest_get_irq(qts, 0));
    g_assert_cmpuint(read_word(qts, PIT_CH0), ==, 1);
    step_to(qts, load + ns_for_ticks(1000));
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 1);
    /* It stays high, and the counter wraps on. */
    qtest_clock_step(qts, 100000000);
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 1);
    /* Rewriting the count restarts it: OUT drops at once. */
    write_word(qts, PIT_CH0, 10);
    g_assert_false(qtest_get_irq(qts, 0));
    qtest_clock_step(qts, ns_for_ticks(10));
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 2);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_latch_and_readback(void)
{
    QTestState *qts = qtest_start("-serial null");
    const uint16_t n = 50000;
    int64_t load, t;
    uint16_t expect;

    qtest_outb(qts, PIT_CTRL, 0x34);
    write_word(qts, PIT_CH0, n);
    load = now(qts);

    t = load + 12345678;
    step_to(qts, t);
    expect = n - ticks_in(t - load) % n;
    qtest_outb(qts, PIT_CTRL, 0x00);        /* latch counter 0 */
    qtest_clock_step(qts, 1000000);         /* the latch holds */
    g_assert_cmpuint(read_word(qts, PIT_CH0), ==, expect);
    /* After the latch is read, reads are live again. */
    t = now(qts);
    g_assert_cmpuint(read_word(qts, PIT_CH0), ==,
                     n - ticks_in(t - load) % n);

    /* A second latch while one is pending is ignored. */
    qtest_outb(qts, PIT_CTRL, 0x00);
    expect = n - ticks_in(now(qts) - load) % n;
    qtest_clock_step(qts, 3000000);
    qtest_outb(qts, PIT_CTRL, 0x00);
    g_assert_cmpuint(read_word(qts, PIT_CH0), ==, expect);

    /* Read-back: status then count of counter 0. */
    t = now(qts);
    qtest_outb(qts, PIT_CTRL, 0xc2);
    qtest_clock_step(qts, 777);
    /* OUT is high except in the last clock of the period. */
    g_assert_cmphex(qtest_inb(qts, PIT_CH0), ==, 0x80 | 0x34);
    g_assert_cmpuint(read_word(qts, PIT_CH0), ==,
                     n - ticks_in(t - load) % n);
    /* Read-back of status only, counter 2 unprogrammed: null count. */
    qtest_outb(qts, PIT_CTRL, 0xe8);
    g_assert_cmphex(qtest_inb(qts, PIT_CH2) & 0x40, ==, 0x40);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_byte_access_and_bcd(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t load;

    /* LSB only: count 0x50; reads give the LSB only. */
    qtest_outb(qts, PIT_CTRL, 0x10);        /* ch0, LSB, mode 0 */
    qtest_outb(qts, PIT_CH0, 0x50);
    load = now(qts);
    step_to(qts, load + ns_for_ticks(0x10));
    g_assert_cmphex(qtest_inb(qts, PIT_CH0), ==, 0x40);
    g_assert_cmphex(qtest_inb(qts, PIT_CH0), ==, 0x40);

    /* MSB only: count 0x1200. */
    qtest_outb(qts, PIT_CTRL, 0x20);
    qtest_outb(qts, PIT_CH0, 0x12);
    load = now(qts);
    step_to(qts, load + ns_for_ticks(0x100));
    g_assert_cmphex(qtest_inb(qts, PIT_CH0), ==, 0x11);

    /* Word access alternates LSB, MSB on reads too. */
    qtest_outb(qts, PIT_CTRL, 0x30);
    write_word(qts, PIT_CH0, 0xabcd);
    load = now(qts);
    step_to(qts, load + ns_for_ticks(0x100));
    g_assert_cmphex(qtest_inb(qts, PIT_CH0), ==, 0xcd);
    g_assert_cmphex(qtest_inb(qts, PIT_CH0), ==, 0xaa);

    /* BCD: 1000 counts down in decimal. */
    qtest_outb(qts, PIT_CTRL, 0x31);
    write_word(qts, PIT_CH0, 0x1000);
    load = now(qts);
    step_to(qts, load + ns_for_ticks(1));
    g_assert_cmphex(read_word(qts, PIT_CH0), ==, 0x0999);
    step_to(qts, load + ns_for_ticks(1000 - 42));
    g_assert_cmphex(read_word(qts, PIT_CH0), ==, 0x0042);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_counter2_gate_port61(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t;

    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x0f, ==, 0x00);
    qtest_outb(qts, PORT_61, 0xff);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x0f, ==, 0x0f);

    /* The delay-loop recipe: gate on, mode 0, poll OUT2 in bit 5. */
    qtest_outb(qts, PORT_61, 0x01);
    qtest_outb(qts, PIT_CTRL, 0xb0);
    write_word(qts, PIT_CH2, 1000);
    t = now(qts);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0);
    step_to(qts, t + ns_for_ticks(1000) - 1);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0);
    step_to(qts, t + ns_for_ticks(1000));
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);

    /* Mode 1 one-shot is started by the gate's rising edge. */
    qtest_outb(qts, PORT_61, 0x00);
    qtest_outb(qts, PIT_CTRL, 0xb2);
    write_word(qts, PIT_CH2, 500);
    qtest_clock_step(qts, 10000000);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);
    qtest_outb(qts, PORT_61, 0x01);
    t = now(qts);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0);
    step_to(qts, t + ns_for_ticks(500) - 1);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0);
    step_to(qts, t + ns_for_ticks(500));
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);

    /* Mode 3 square wave: gate low holds OUT high; the gate's rising edge
     * restarts the count. */
    qtest_outb(qts, PORT_61, 0x00);
    qtest_outb(qts, PIT_CTRL, 0xb6);
    write_word(qts, PIT_CH2, 100);
    qtest_clock_step(qts, ns_for_ticks(75));
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);
    qtest_outb(qts, PORT_61, 0x01);
    t = now(qts);
    step_to(qts, t + ns_for_ticks(50) - 1);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);
    step_to(qts, t + ns_for_ticks(50));
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0);
    step_to(qts, t + ns_for_ticks(100));
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);

    /* A gate edge after a control word but before the count is written
     * triggers nothing: mode 1 OUT stays high. */
    qtest_outb(qts, PORT_61, 0x00);
    qtest_outb(qts, PIT_CTRL, 0xb2);
    qtest_outb(qts, PORT_61, 0x01);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);
    qtest_clock_step(qts, 1000);
    g_assert_cmphex(qtest_inb(qts, PORT_61) & 0x20, ==, 0x20);

    /* Counter 2 never touches IRQ 0. */
    qtest_irq_intercept_in(qts, "isa");
    qtest_clock_step(qts, 10000000);
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/*
 * Mode 2 with steps that are not multiples of the period: 1 ms steps over
 * a 10 ms period, then one step over many periods.  After each step IRQ 0
 * must have risen exactly floor(elapsed clocks / N) times after the one
 * from the control word, which exercises the edge computation without a
 * CPU.
 */
static void test_mode2_odd_steps(void)
{
    QTestState *qts = qtest_start("-serial null");
    const uint16_t n = 11932;              /* about 10 ms */
    int64_t load, t;

    qtest_irq_intercept_in(qts, "isa");
    qtest_outb(qts, PIT_CTRL, 0x34);
    write_word(qts, PIT_CH0, n);
    load = now(qts);
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 1);

    for (int i = 1; i <= 95; i++) {
        t = qtest_clock_step(qts, 1000000);
        g_assert_cmpint(t, ==, load + (int64_t)i * 1000000);
        g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==,
                         1 + ticks_in(t - load) / n);
        g_assert_true(qtest_get_irq(qts, 0));
    }
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 1 + 9);

    /* One step of 123.456789 ms: 12 more periods and a bit. */
    t = qtest_clock_step(qts, 123456789);
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==,
                     1 + ticks_in(t - load) / n);
    g_assert_cmpuint(ticks_in(t - load) / n, ==, 21);

    /* A step of 7 ns at a time across one edge: exactly one more. */
    {
        uint64_t before = qtest_irq_raise_count(qts, 0);
        int64_t edge = load + ns_for_ticks(22ULL * n);

        while ((t = now(qts)) < edge + 20) {
            qtest_clock_step(qts, edge - t > 1000 ? edge - t - 500 : 7);
        }
        g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, before + 1);
    }
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_save_restore(void)
{
    QTestState *qts = qtest_start("-serial null");
    const uint16_t n = 1193;
    int64_t load, t;
    char *rec;

    qtest_irq_intercept_in(qts, "isa");
    qtest_outb(qts, PIT_CTRL, 0x34);
    write_word(qts, PIT_CH0, n);
    load = now(qts);
    rec = qtest_vmstate_save(qts, "pc-pit");
    qtest_outb(qts, PIT_CTRL, 0x30);
    write_word(qts, PIT_CH0, 5);
    qtest_vmstate_load(qts, "pc-pit", rec);
    /* Counter 0 runs as saved: the count and IRQ 0's edges. */
    t = load + 300000;
    step_to(qts, t);
    g_assert_cmpuint(read_word(qts, PIT_CH0), ==, n - ticks_in(t - load));
    step_to(qts, load + ns_for_ticks(3ULL * n));
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), ==, 5);
    g_free(rec);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_robust(void)
{
    QTestState *qts = qtest_start("-serial null");

    /* Every control word and odd data; nothing may break the machine. */
    for (int i = 0; i < 256; i++) {
        qtest_outb(qts, PIT_CTRL, i);
        qtest_outb(qts, PIT_CH0 + (i & 3) % 3, i);
        qtest_inb(qts, PIT_CH0 + (i & 3) % 3);
        qtest_clock_step(qts, 1000);
    }
    g_assert_cmphex(qtest_inb(qts, PIT_CTRL), ==, 0xff);
    /* Count 1 in mode 2 acts as 2 rather than stalling. */
    qtest_irq_intercept_in(qts, "isa");
    qtest_outb(qts, PIT_CTRL, 0x34);
    write_word(qts, PIT_CH0, 1);
    qtest_clock_step(qts, ns_for_ticks(20));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 0), >=, 9);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8254/mode2-irq0", test_mode2_irq0);
    g_test_add_func("/i8254/mode2-odd-steps", test_mode2_odd_steps);
    g_test_add_func("/i8254/mode0-oneshot", test_mode0_oneshot);
    g_test_add_func("/i8254/latch-and-readback", test_latch_and_readback);
    g_test_add_func("/i8254/byte-access-and-bcd", test_byte_access_and_bcd);
    g_test_add_func("/i8254/counter2-gate-port61",
                    test_counter2_gate_port61);
    g_test_add_func("/i8254/robust", test_robust);
    g_test_add_func("/i8254/save-restore", test_save_restore);
    return g_test_run();
}
