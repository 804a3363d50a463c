/*
 * rtc-test.c: the pc machine's MC146818 RTC and CMOS (hw/timer/
 * mc146818rtc.c) through the real binary.  Guest time runs with the
 * virtual clock, so a test sets a known time (SET bit), steps the clock
 * and reads the registers back exactly.  IRQ 8 is watched with the ISA
 * lines intercepted.
 */
#include <string.h>
#include <time.h>
#include <glib.h>

#include "libqtest.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM  0x04
#define B_24H 0x02

#define NS_PER_SEC 1000000000LL

static uint8_t cmos_read(QTestState *qts, uint8_t idx)
{
    qtest_outb(qts, RTC_INDEX, idx);
    return qtest_inb(qts, RTC_DATA);
}

static void cmos_write(QTestState *qts, uint8_t idx, uint8_t val)
{
    qtest_outb(qts, RTC_INDEX, idx);
    qtest_outb(qts, RTC_DATA, val);
}

static int64_t now(QTestState *qts)
{
    return qtest_clock_step(qts, 0);
}

/* Sets 2024-02-29 23:59:57 (a Thursday) in the current format; the clock
 * restarts from it when SET is cleared, which is returned. */
static int64_t set_time_bcd(QTestState *qts, uint8_t b)
{
    cmos_write(qts, REG_B, b | B_SET);
    cmos_write(qts, 0x00, 0x57);
    cmos_write(qts, 0x02, 0x59);
    cmos_write(qts, 0x04, 0x23);
    cmos_write(qts, 0x06, 0x05);
    cmos_write(qts, 0x07, 0x29);
    cmos_write(qts, 0x08, 0x02);
    cmos_write(qts, 0x09, 0x24);
    cmos_write(qts, 0x32, 0x20);
    cmos_write(qts, REG_B, b);
    return now(qts);
}

static void test_defaults_and_memory(void)
{
    QTestState *qts = qtest_start("-serial null");
    time_t t = time(NULL);
    struct tm tm;
    uint8_t year;

    g_assert_cmphex(cmos_read(qts, REG_A) & 0x7f, ==, 0x26);
    g_assert_cmphex(cmos_read(qts, REG_B), ==, B_24H);
    g_assert_cmphex(cmos_read(qts, REG_C), ==, 0x00);
    g_assert_cmphex(cmos_read(qts, REG_D), ==, 0x80);
    /* The clock starts from the host's: check the year (BCD). */
    gmtime_r(&t, &tm);
    year = cmos_read(qts, 0x09);
    g_assert_cmpint((year >> 4) * 10 + (year & 0xf), ==, tm.tm_year % 100);
    g_assert_cmphex(cmos_read(qts, 0x32), ==, 0x20);

    /* Plain CMOS bytes; the index is 7 bits, bit 7 is the NMI mask. */
    cmos_write(qts, 0x40, 0x5a);
    g_assert_cmphex(cmos_read(qts, 0x40), ==, 0x5a);
    g_assert_cmphex(cmos_read(qts, 0xc0), ==, 0x5a);
    cmos_write(qts, 0xff, 0xa5);
    g_assert_cmphex(cmos_read(qts, 0x7f), ==, 0xa5);
    /* C and D are read-only. */
    cmos_write(qts, REG_D, 0x00);
    g_assert_cmphex(cmos_read(qts, REG_D), ==, 0x80);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void check_memory_bytes(const char *mem, const uint8_t expect[][2],
                               size_t n)
{
    QTestState *qts = qtest_startf("-serial null -m %s", mem);

    for (size_t i = 0; i < n; i++) {
        g_assert_cmphex(cmos_read(qts, expect[i][0]), ==, expect[i][1]);
    }
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_memory_size_bytes(void)
{
    static const uint8_t m256[][2] = {
        { 0x15, 0x80 }, { 0x16, 0x02 },          /* 640 KiB base */
        { 0x17, 0xff }, { 0x18, 0xff },          /* capped */
        { 0x30, 0xff }, { 0x31, 0xff },
        { 0x34, 0x00 }, { 0x35, 0x0f },          /* 240 MiB / 64 KiB */
        { 0x5b, 0x00 }, { 0x5c, 0x00 }, { 0x5d, 0x00 },
        { 0x14, 0x06 },
    };
    static const uint8_t m4g[][2] = {
        { 0x15, 0x80 }, { 0x16, 0x02 },
        { 0x17, 0xff }, { 0x18, 0xff },
        { 0x34, 0x00 }, { 0x35, 0xbf },          /* 3 GiB - 16 MiB */
        { 0x5b, 0x00 }, { 0x5c, 0x40 }, { 0x5d, 0x00 },  /* 1 GiB */
    };
    static const uint8_t m8[][2] = {
        { 0x17, 0x00 }, { 0x18, 0x1c },          /* 7168 KiB */
        { 0x30, 0x00 }, { 0x31, 0x1c },
        { 0x34, 0x00 }, { 0x35, 0x00 },
    };

    check_memory_bytes("256", m256, G_N_ELEMENTS(m256));
    check_memory_bytes("4G", m4g, G_N_ELEMENTS(m4g));
    check_memory_bytes("8M", m8, G_N_ELEMENTS(m8));
}

static void test_time_bcd_binary_12h(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0 = set_time_bcd(qts, B_24H);

    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x57);
    g_assert_cmphex(cmos_read(qts, 0x04), ==, 0x23);
    /* Three and a half seconds later: 2024-03-01 00:00:00, Friday. */
    g_assert_cmpint(qtest_clock_set(qts, t0 + 3 * NS_PER_SEC + NS_PER_SEC / 2),
                    >, 0);
    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x00);
    g_assert_cmphex(cmos_read(qts, 0x02), ==, 0x00);
    g_assert_cmphex(cmos_read(qts, 0x04), ==, 0x00);
    g_assert_cmphex(cmos_read(qts, 0x06), ==, 0x06);
    g_assert_cmphex(cmos_read(qts, 0x07), ==, 0x01);
    g_assert_cmphex(cmos_read(qts, 0x08), ==, 0x03);
    g_assert_cmphex(cmos_read(qts, 0x09), ==, 0x24);

    /* Binary mode: the same instant in binary. */
    cmos_write(qts, REG_B, B_24H | B_DM);
    g_assert_cmphex(cmos_read(qts, 0x07), ==, 1);
    g_assert_cmphex(cmos_read(qts, 0x09), ==, 24);
    g_assert_cmphex(cmos_read(qts, 0x32), ==, 20);

    /* 12-hour binary: 15:30 is 3 with the PM bit. */
    cmos_write(qts, REG_B, B_SET | B_24H | B_DM);
    cmos_write(qts, 0x04, 15);
    cmos_write(qts, 0x02, 30);
    cmos_write(qts, REG_B, B_DM);
    g_assert_cmphex(cmos_read(qts, 0x04), ==, 0x83);
    g_assert_cmphex(cmos_read(qts, 0x02), ==, 30);
    /* Midnight and noon in 12-hour BCD (switch format while running, so
     * the frozen registers are BCD). */
    cmos_write(qts, REG_B, 0);
    cmos_write(qts, REG_B, B_SET);
    cmos_write(qts, 0x04, 0x12);        /* 12 AM = 00 */
    cmos_write(qts, REG_B, B_24H);
    g_assert_cmphex(cmos_read(qts, 0x04), ==, 0x00);
    cmos_write(qts, REG_B, B_SET | B_24H);
    cmos_write(qts, 0x04, 0x12);
    cmos_write(qts, REG_B, 0);
    g_assert_cmphex(cmos_read(qts, 0x04), ==, 0x92);   /* 12 PM */
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_set_freezes(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0 = set_time_bcd(qts, B_24H);

    qtest_clock_set(qts, t0 + NS_PER_SEC / 2);
    cmos_write(qts, REG_B, B_24H | B_SET);
    qtest_clock_step(qts, 5 * NS_PER_SEC);
    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x57);
    /* UIP is never set while SET holds the clock. */
    g_assert_cmphex(cmos_read(qts, REG_A) & 0x80, ==, 0);
    cmos_write(qts, REG_B, B_24H);
    t0 = now(qts);
    qtest_clock_set(qts, t0 + NS_PER_SEC - 1);
    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x57);
    qtest_clock_set(qts, t0 + NS_PER_SEC);
    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x58);
    /* UIP: the last 244 us before each update. */
    qtest_clock_set(qts, t0 + 2 * NS_PER_SEC - 300000);
    g_assert_cmphex(cmos_read(qts, REG_A) & 0x80, ==, 0);
    qtest_clock_set(qts, t0 + 2 * NS_PER_SEC - 200000);
    g_assert_cmphex(cmos_read(qts, REG_A) & 0x80, ==, 0x80);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_periodic(void)
{
    QTestState *qts = qtest_start("-serial null");
    /* RS = 15: 2 Hz, 500 ms; RS = 6: 1024 Hz. */
    const int64_t p500 = 16384LL * NS_PER_SEC / 32768;
    const int64_t p1024 = 32LL * NS_PER_SEC / 32768;
    int64_t b;

    /* UF comes and goes with the seconds (its interrupt is off), so
     * only IRQF and PF are compared. */
    qtest_irq_intercept_in(qts, "isa");
    cmos_write(qts, REG_A, 0x2f);
    cmos_write(qts, REG_B, B_24H | B_PIE);
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xc0, ==, 0x00);
    b = (now(qts) / p500 + 1) * p500;
    qtest_clock_set(qts, b - 1);
    g_assert_false(qtest_get_irq(qts, 8));
    qtest_clock_set(qts, b);
    g_assert_true(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xc0, ==, 0xc0);
    g_assert_false(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xc0, ==, 0x00);
    qtest_clock_set(qts, b + p500 - 1);
    g_assert_false(qtest_get_irq(qts, 8));
    qtest_clock_set(qts, b + p500);
    g_assert_true(qtest_get_irq(qts, 8));
    g_assert_cmpuint(qtest_irq_raise_count(qts, 8), ==, 2);
    cmos_read(qts, REG_C);

    /* 1024 Hz: 100 periods, acknowledged each time: 100 interrupts. */
    cmos_write(qts, REG_A, 0x26);
    b = (now(qts) / p1024 + 1) * p1024;
    for (int i = 0; i < 100; i++) {
        qtest_clock_set(qts, b + i * p1024);
        g_assert_cmphex(cmos_read(qts, REG_C) & 0xc0, ==, 0xc0);
    }
    g_assert_cmpuint(qtest_irq_raise_count(qts, 8), ==, 102);

    /* Without PIE the flag still appears, with no IRQ. */
    cmos_write(qts, REG_B, B_24H);
    qtest_clock_step(qts, 2 * p1024);
    g_assert_false(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xc0, ==, 0x40);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_update_ended(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0;

    qtest_irq_intercept_in(qts, "isa");
    t0 = set_time_bcd(qts, B_24H);
    cmos_write(qts, REG_B, B_24H | B_UIE);
    qtest_clock_set(qts, t0 + NS_PER_SEC - 1);
    g_assert_false(qtest_get_irq(qts, 8));
    qtest_clock_set(qts, t0 + NS_PER_SEC);
    g_assert_true(qtest_get_irq(qts, 8));
    /* PF also runs (rate 1024 Hz, PIE off): compare IRQF, AF, UF. */
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xb0, ==, 0x90);
    g_assert_false(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x58);
    /* Setting SET clears UIE. */
    cmos_write(qts, REG_B, B_24H | B_UIE | B_SET);
    g_assert_cmphex(cmos_read(qts, REG_B), ==, B_24H | B_SET);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_alarm(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0;

    qtest_irq_intercept_in(qts, "isa");
    t0 = set_time_bcd(qts, B_24H);          /* 23:59:57 */
    cmos_write(qts, 0x01, 0x00);            /* alarm at 00:00:00 */
    cmos_write(qts, 0x03, 0x00);
    cmos_write(qts, 0x05, 0x00);
    cmos_write(qts, REG_B, B_24H | B_AIE);
    qtest_clock_set(qts, t0 + 2 * NS_PER_SEC + NS_PER_SEC / 2);
    g_assert_false(qtest_get_irq(qts, 8));
    qtest_clock_set(qts, t0 + 3 * NS_PER_SEC);
    g_assert_true(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xa0, ==, 0xa0);
    /* Don't-care bytes: every second. */
    cmos_write(qts, 0x01, 0xc0);
    cmos_write(qts, 0x03, 0xff);
    cmos_write(qts, 0x05, 0xc0);
    qtest_clock_set(qts, t0 + 4 * NS_PER_SEC);
    g_assert_true(qtest_get_irq(qts, 8));
    g_assert_cmphex(cmos_read(qts, REG_C) & 0xa0, ==, 0xa0);
    qtest_clock_set(qts, t0 + 5 * NS_PER_SEC);
    g_assert_cmpuint(qtest_irq_raise_count(qts, 8), ==, 3);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_save_restore(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0 = set_time_bcd(qts, B_24H);
    char *rec;

    cmos_write(qts, 0x40, 0x77);
    rec = qtest_vmstate_save(qts, "pc-rtc");
    cmos_write(qts, 0x40, 0x00);
    cmos_write(qts, REG_B, B_24H | B_SET);
    cmos_write(qts, 0x00, 0x11);
    cmos_write(qts, REG_B, B_24H);
    qtest_vmstate_load(qts, "pc-rtc", rec);
    g_assert_cmphex(cmos_read(qts, 0x40), ==, 0x77);
    qtest_clock_set(qts, t0 + 2 * NS_PER_SEC);
    g_assert_cmphex(cmos_read(qts, 0x00), ==, 0x59);
    g_free(rec);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_robust(void)
{
    QTestState *qts = qtest_start("-serial null");

    /* 9999-12-31 23:59:59, binary-coded: the year wraps to 0000. */
    cmos_write(qts, REG_B, B_SET | B_24H);
    cmos_write(qts, 0x00, 0x59);
    cmos_write(qts, 0x02, 0x59);
    cmos_write(qts, 0x04, 0x23);
    cmos_write(qts, 0x07, 0x31);
    cmos_write(qts, 0x08, 0x12);
    cmos_write(qts, 0x09, 0x99);
    cmos_write(qts, 0x32, 0x99);
    cmos_write(qts, REG_B, B_24H);
    qtest_clock_step(qts, NS_PER_SEC);
    g_assert_cmphex(cmos_read(qts, 0x07), ==, 0x01);
    g_assert_cmphex(cmos_read(qts, 0x08), ==, 0x01);
    g_assert_cmphex(cmos_read(qts, 0x09), ==, 0x00);

    /* Garbage everywhere, in every mode; nothing may break. */
    for (int b = 0; b < 256; b += 0x11) {
        cmos_write(qts, REG_B, b | B_SET);
        for (int i = 0; i < 0x0e; i++) {
            cmos_write(qts, i, 0xff - i);
        }
        cmos_write(qts, 0x32, 0xff);
        cmos_write(qts, REG_B, b);
        qtest_clock_step(qts, 300 * 1000 * 1000);
        for (int i = 0; i < 0x0e; i++) {
            cmos_read(qts, i);
        }
    }
    g_assert_cmphex(cmos_read(qts, REG_D), ==, 0x80);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_through_pic(void)
{
    QTestState *qts = qtest_start("-serial null");
    char *reply;
    int64_t t0;

    /* Initialise the PICs (vectors 0x08/0x70) and take IRQ 8 as a CPU
     * would: INT, INTA -> 0x70. */
    static const uint8_t init[][2] = {
        { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xa0, 0x11 }, { 0xa1, 0x70 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0x00 }, { 0xa1, 0x00 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(init); i++) {
        qtest_outb(qts, init[i][0], init[i][1]);
    }
    t0 = set_time_bcd(qts, B_24H);
    cmos_write(qts, REG_B, B_24H | B_UIE);
    qtest_clock_set(qts, t0 + NS_PER_SEC);
    reply = qtest_cmd(qts, "cpu_intr");
    g_assert_cmpstr(reply, ==, "OK 1 1");
    g_free(reply);
    reply = qtest_cmd(qts, "pic_inta");
    g_assert_cmpstr(reply, ==, "OK 0x70");
    g_free(reply);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtc/defaults", test_defaults_and_memory);
    g_test_add_func("/rtc/cmos-memory-size", test_memory_size_bytes);
    g_test_add_func("/rtc/time-bcd-binary-12h", test_time_bcd_binary_12h);
    g_test_add_func("/rtc/set-freezes-uip", test_set_freezes);
    g_test_add_func("/rtc/periodic", test_periodic);
    g_test_add_func("/rtc/update-ended", test_update_ended);
    g_test_add_func("/rtc/alarm", test_alarm);
    g_test_add_func("/rtc/irq8-through-pic", test_through_pic);
    g_test_add_func("/rtc/save-restore", test_save_restore);
    g_test_add_func("/rtc/robust", test_robust);
    return g_test_run();
}
