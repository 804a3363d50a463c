/*
 * serial-test.c: the 16550A UART (hw/char/serial.c) through the real
 * emulator and the qtest protocol.
 *
 * Receive paths are tested two ways: through a host socket (the real
 * chardev path, with flow control), and through loopback mode, where THR
 * writes land in the receiver synchronously, which makes FIFO levels,
 * overrun and interrupt priority deterministic.
 */
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "libqtest.h"

#define COM1 0x3f8
#define COM2 0x2f8
#define COM1_IRQ 4

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IER_ELSI  0x04
#define IER_EDSSI 0x08

#define IIR_NONE  0x01
#define IIR_MSI   0x00
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_RLSI  0x06
#define IIR_CTI   0x0c
#define IIR_FIFO  0xc0

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

/* Four character times of 10 bits at 115200/divisor baud, in ns. */
static int64_t timeout_ns(int divisor)
{
    return 4LL * 10 * 1000000000LL * divisor / 115200;
}

static uint8_t rd(QTestState *qts, int reg)
{
    return qtest_inb(qts, COM1 + reg);
}

static void wr(QTestState *qts, int reg, uint8_t val)
{
    qtest_outb(qts, COM1 + reg, val);
}

static void test_reset_values(void)
{
    QTestState *qts = qtest_start("-serial null");

    g_assert_cmphex(rd(qts, IER), ==, 0x00);
    g_assert_cmphex(rd(qts, IIR), ==, 0x01);
    g_assert_cmphex(rd(qts, LCR), ==, 0x00);
    g_assert_cmphex(rd(qts, MCR), ==, 0x08);
    g_assert_cmphex(rd(qts, LSR), ==, 0x60);
    g_assert_cmphex(rd(qts, MSR), ==, 0xb0);
    g_assert_cmphex(rd(qts, SCR), ==, 0x00);
    /* Reading an empty RBR changes nothing. */
    g_assert_cmphex(rd(qts, RBR), ==, 0x00);
    g_assert_cmphex(rd(qts, LSR), ==, 0x60);
    /* The divisor latch starts at 12: 9600 baud. */
    wr(qts, LCR, 0x80);
    g_assert_cmphex(rd(qts, DLL), ==, 12);
    g_assert_cmphex(rd(qts, DLM), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_divisor_latch(void)
{
    QTestState *qts = qtest_start("-serial null");

    wr(qts, LCR, 0x83);                 /* DLAB, 8 data bits */
    wr(qts, DLL, 0x01);
    wr(qts, DLM, 0x02);
    g_assert_cmphex(rd(qts, DLL), ==, 0x01);
    g_assert_cmphex(rd(qts, DLM), ==, 0x02);
    g_assert_cmphex(rd(qts, LCR), ==, 0x83);
    /* With DLAB clear the same offsets are RBR/THR and IER. */
    wr(qts, LCR, 0x03);
    g_assert_cmphex(rd(qts, IER), ==, 0x00);
    wr(qts, IER, 0xf0);                 /* only the low nibble exists */
    g_assert_cmphex(rd(qts, IER), ==, 0x00);
    wr(qts, IER, 0x05);
    g_assert_cmphex(rd(qts, IER), ==, 0x05);
    wr(qts, IER, 0x00);
    /* The latch kept its value. */
    wr(qts, LCR, 0x83);
    g_assert_cmphex(rd(qts, DLL), ==, 0x01);
    g_assert_cmphex(rd(qts, DLM), ==, 0x02);
    /* A DLL write does not transmit. */
    g_assert_cmphex(rd(qts, LSR), ==, 0x60);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_scratch(void)
{
    QTestState *qts = qtest_start("-serial null");

    for (int v = 0; v < 256; v += 0x55) {
        wr(qts, SCR, v);
        g_assert_cmphex(rd(qts, SCR), ==, v);
    }
    wr(qts, SCR, 0xa5);
    g_assert_cmphex(rd(qts, SCR), ==, 0xa5);
    /* Read-only registers ignore writes. */
    wr(qts, LSR, 0x00);
    g_assert_cmphex(rd(qts, LSR), ==, 0x60);
    wr(qts, MSR, 0x0f);
    g_assert_cmphex(rd(qts, MSR), ==, 0xb0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_tx_file(void)
{
    char *dir = qtest_tmpdir_new();
    char *path = g_build_filename(dir, "out", NULL);
    QTestState *qts = qtest_startf("-serial file:%s", path);
    const char *msg = "Hello, 16550A\r\n";
    size_t len;

    for (const char *p = msg; *p; p++) {
        wr(qts, THR, *p);
        /* Transmission is instant: THR and the shifter are empty again. */
        g_assert_cmphex(rd(qts, LSR) & (LSR_THRE | LSR_TEMT), ==,
                        LSR_THRE | LSR_TEMT);
    }
    char *data = qtest_file_wait(path, strlen(msg), &len);
    g_assert_cmpmem(data, len, msg, strlen(msg));
    g_free(data);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_free(path);
    qtest_tmpdir_free(dir);
}

/* Starts with COM1 on a socket chardev that connects to us; returns fd. */
static QTestState *start_with_socket(char **dir_out, int *fd_out)
{
    char *dir = qtest_tmpdir_new();
    char *path = g_build_filename(dir, "serial.sock", NULL);
    int lfd = qtest_unix_listen(path);
    QTestState *qts = qtest_startf("-chardev socket,id=s0,path=%s "
                                   "-serial chardev:s0", path);

    *fd_out = qtest_unix_accept(lfd);
    close(lfd);
    unlink(path);
    g_free(path);
    *dir_out = dir;
    return qts;
}

/* Polls LSR until DR; fails after a while. */
static void wait_dr(QTestState *qts)
{
    for (int i = 0; i < 5000; i++) {
        if (rd(qts, LSR) & LSR_DR) {
            return;
        }
        g_usleep(1000);
    }
    g_assert_not_reached();
}

static void test_tx_socket(void)
{
    char *dir;
    int fd;
    QTestState *qts = start_with_socket(&dir, &fd);
    char buf[4];

    wr(qts, THR, 'a');
    wr(qts, THR, 'b');
    wr(qts, THR, 0x00);
    wr(qts, THR, 0xff);
    qtest_read_exact(fd, buf, 4);
    g_assert_cmpmem(buf, 4, "ab\0\xff", 4);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    close(fd);
    qtest_tmpdir_free(dir);
}

static void test_rx_socket(void)
{
    char *dir;
    int fd;
    QTestState *qts = start_with_socket(&dir, &fd);
    char big[40];

    /* 16450 mode: one byte at a time, in order. */
    qtest_write_all(fd, "xyz", 3);
    for (const char *p = "xyz"; *p; p++) {
        wait_dr(qts);
        g_assert_cmphex(rd(qts, RBR), ==, *p);
    }
    g_assert_cmphex(rd(qts, LSR), ==, 0x60);

    /* FIFO mode: more than a FIFO's worth arrives in order, flow-controlled,
     * without overrun. */
    wr(qts, FCR, 0x07);
    for (int i = 0; i < (int)sizeof(big); i++) {
        big[i] = 'A' + i;
    }
    qtest_write_all(fd, big, sizeof(big));
    for (int i = 0; i < (int)sizeof(big); i++) {
        wait_dr(qts);
        uint8_t lsr = rd(qts, LSR);
        g_assert_cmphex(lsr & LSR_OE, ==, 0);
        g_assert_cmphex(rd(qts, RBR), ==, big[i]);
    }
    g_assert_cmphex(rd(qts, LSR), ==, 0x60);

    /* An arriving byte raises the RX interrupt when ERBFI is set. */
    qtest_irq_intercept_in(qts, "isa");
    wr(qts, FCR, 0x00);
    wr(qts, IER, IER_ERBFI);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    qtest_write_all(fd, "!", 1);
    wait_dr(qts);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_RDI);
    g_assert_cmphex(rd(qts, RBR), ==, '!');
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);

    g_assert_cmpint(qtest_quit(qts), ==, 0);
    close(fd);
    qtest_tmpdir_free(dir);
}

static void test_rx_trigger_levels(void)
{
    static const struct { uint8_t fcr; int level; } trig[] = {
        { 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
    };
    QTestState *qts = qtest_start("-serial null");

    qtest_irq_intercept_in(qts, "isa");
    wr(qts, MCR, MCR_LOOP | MCR_OUT2);
    rd(qts, MSR);                           /* drop the loopback deltas */
    wr(qts, IER, IER_ERBFI);

    for (int t = 0; t < 4; t++) {
        wr(qts, FCR, trig[t].fcr | 0x06);   /* reset both FIFOs */
        for (int i = 0; i < trig[t].level - 1; i++) {
            wr(qts, THR, 0x30 + i);
            g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
            g_assert_false(qtest_get_irq(qts, COM1_IRQ));
        }
        wr(qts, THR, 0x30 + trig[t].level - 1);
        g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RDI);
        g_assert_true(qtest_get_irq(qts, COM1_IRQ));
        g_assert_cmphex(rd(qts, LSR) & LSR_DR, ==, LSR_DR);
        /* Below the level again: the interrupt goes away. */
        g_assert_cmphex(rd(qts, RBR), ==, 0x30);
        if (trig[t].level > 1) {
            g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
            g_assert_false(qtest_get_irq(qts, COM1_IRQ));
        }
        for (int i = 1; i < trig[t].level; i++) {
            g_assert_cmphex(rd(qts, RBR), ==, 0x30 + i);
        }
        g_assert_cmphex(rd(qts, LSR) & LSR_DR, ==, 0);
        g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    }

    /* FIFO off: every byte interrupts. */
    wr(qts, FCR, 0x00);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);
    wr(qts, THR, 0x41);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_RDI);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, RBR), ==, 0x41);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_rx_timeout(void)
{
    QTestState *qts = qtest_start("-serial null");
    int64_t t0, t;

    qtest_irq_intercept_in(qts, "isa");
    wr(qts, MCR, MCR_LOOP | MCR_OUT2);
    rd(qts, MSR);
    wr(qts, FCR, 0xc7);                     /* FIFO, trigger 14 */
    wr(qts, IER, IER_ERBFI);

    /* Two bytes below the trigger level: no interrupt until four character
     * times (at the reset rate, 9600 baud) pass without FIFO activity. */
    t0 = qtest_clock_step(qts, 0);
    wr(qts, THR, 'p');
    wr(qts, THR, 'q');
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
    t = qtest_clock_step(qts, timeout_ns(12) - 1);
    g_assert_cmpint(t, ==, t0 + timeout_ns(12) - 1);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
    qtest_clock_step(qts, 1);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_CTI);

    /* Reading a byte clears it and restarts the timer for the rest. */
    t0 = qtest_clock_step(qts, 0);
    g_assert_cmphex(rd(qts, RBR), ==, 'p');
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
    /* No argument: step exactly to the timer's deadline. */
    t = qtest_clock_step_next(qts);
    g_assert_cmpint(t, ==, t0 + timeout_ns(12));
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_CTI);
    g_assert_cmphex(rd(qts, RBR), ==, 'q');
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    /* Empty FIFO: no timeout however long we wait. */
    qtest_clock_step(qts, 100 * timeout_ns(12));
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);

    /* The timeout follows the divisor: 115200 baud. */
    wr(qts, LCR, 0x80);
    wr(qts, DLL, 1);
    wr(qts, DLM, 0);
    wr(qts, LCR, 0x03);
    t0 = qtest_clock_step(qts, 0);
    wr(qts, THR, 'r');
    qtest_clock_step(qts, timeout_ns(1) - 1);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    t = qtest_clock_step(qts, 1);
    g_assert_cmpint(t, ==, t0 + timeout_ns(1));
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));

    /* ERBFI masks the timeout interrupt too. */
    wr(qts, IER, 0);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_thre_irq(void)
{
    QTestState *qts = qtest_start("-serial null");
    unsigned raises;

    qtest_irq_intercept_in(qts, "isa");
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));

    /* Enabling ETBEI with THR empty raises it at once. */
    wr(qts, IER, IER_ETBEI);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    /* Reading IIR while it reports THRE clears it. */
    g_assert_cmphex(rd(qts, IIR), ==, IIR_THRI);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);

    /* Every THR write makes THR empty again: a new interrupt. */
    raises = qtest_irq_raise_count(qts, COM1_IRQ);
    wr(qts, THR, 'x');
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmpuint(qtest_irq_raise_count(qts, COM1_IRQ), ==, raises + 1);
    /* Writing THR while it is pending gives a fresh edge (lower, raise). */
    wr(qts, THR, 'y');
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmpuint(qtest_irq_raise_count(qts, COM1_IRQ), ==, raises + 2);

    /* Clearing ETBEI drops it; setting it again re-raises it even though
     * the IIR read had consumed it before. */
    g_assert_cmphex(rd(qts, IIR), ==, IIR_THRI);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    wr(qts, IER, 0);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    wr(qts, IER, IER_ETBEI);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    wr(qts, IER, 0);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);

    /* With the FIFO on, the IIR carries 0xc0. */
    wr(qts, FCR, 0x01);
    wr(qts, IER, IER_ETBEI);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_THRI);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_overrun(void)
{
    QTestState *qts = qtest_start("-serial null");

    qtest_irq_intercept_in(qts, "isa");
    wr(qts, MCR, MCR_LOOP | MCR_OUT2);
    rd(qts, MSR);
    wr(qts, FCR, 0x07);
    wr(qts, IER, IER_ELSI | IER_ERBFI);

    for (int i = 0; i < 17; i++) {
        wr(qts, THR, 0x40 + i);
    }
    /* Line status outranks received data. */
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RLSI);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_OE | LSR_DR);
    /* Reading LSR cleared OE and with it the line status interrupt. */
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_DR);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RDI);
    /* The FIFO kept the first 16 bytes; the 17th was lost. */
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(rd(qts, RBR), ==, 0x40 + i);
    }
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));

    /* 16450 mode: the second byte overwrites the first. */
    wr(qts, FCR, 0x00);
    wr(qts, THR, 'a');
    wr(qts, THR, 'b');
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_OE | LSR_DR);
    g_assert_cmphex(rd(qts, RBR), ==, 'b');
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_loopback(void)
{
    char *dir = qtest_tmpdir_new();
    char *path = g_build_filename(dir, "out", NULL);
    QTestState *qts = qtest_startf("-serial file:%s", path);
    size_t len;

    qtest_irq_intercept_in(qts, "isa");

    /* Entering loopback with every output off drops CTS, DSR and DCD. */
    wr(qts, MCR, MCR_LOOP);
    g_assert_cmphex(rd(qts, MSR), ==, 0x0b);
    g_assert_cmphex(rd(qts, MSR), ==, 0x00);
    /* Outputs appear on the inputs: DTR->DSR, RTS->CTS, OUT1->RI,
     * OUT2->DCD, with delta bits (no TERI on RI's rising edge). */
    wr(qts, MCR, MCR_LOOP | MCR_DTR);
    g_assert_cmphex(rd(qts, MSR), ==, 0x22);
    wr(qts, MCR, MCR_LOOP | MCR_DTR | MCR_RTS);
    g_assert_cmphex(rd(qts, MSR), ==, 0x31);
    wr(qts, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
    g_assert_cmphex(rd(qts, MSR), ==, 0xf8);
    g_assert_cmphex(rd(qts, MSR), ==, 0xf0);
    /* RI's falling edge sets TERI. */
    wr(qts, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT2);
    g_assert_cmphex(rd(qts, MSR), ==, 0xb4);
    g_assert_cmphex(rd(qts, MSR), ==, 0xb0);

    /* Modem status interrupt: raised by a delta, cleared by reading MSR. */
    wr(qts, IER, IER_EDSSI);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    wr(qts, MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_MSI);
    g_assert_cmphex(rd(qts, MSR), ==, 0x92);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);
    wr(qts, IER, 0);

    /* Transmitted bytes come back and do not reach the chardev. */
    wr(qts, THR, 'L');
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_DR);
    g_assert_cmphex(rd(qts, RBR), ==, 'L');

    /* A break on the looped line: a 0 byte with BI, cleared by LSR read. */
    wr(qts, LCR, 0x43);
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_BI | LSR_DR);
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_DR);
    g_assert_cmphex(rd(qts, RBR), ==, 0x00);
    wr(qts, LCR, 0x03);

    /* Out of loopback the external lines are back (CTS, DSR, DCD), and
     * output goes to the chardev again. */
    wr(qts, MCR, MCR_OUT2);
    g_assert_cmphex(rd(qts, MSR) & 0xf0, ==, 0xb0);
    wr(qts, THR, 'O');
    char *data = qtest_file_wait(path, 1, &len);
    g_assert_cmpmem(data, len, "O", 1);
    g_free(data);
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_free(path);
    qtest_tmpdir_free(dir);
}

static void test_priority(void)
{
    QTestState *qts = qtest_start("-serial null");

    qtest_irq_intercept_in(qts, "isa");
    wr(qts, FCR, 0x07);                     /* FIFO, trigger 1 */
    /* Loopback with OUT2 only: CTS and DSR drop -> modem status deltas. */
    wr(qts, MCR, MCR_LOOP | MCR_OUT2);
    /* 17 bytes: data available, overrun, and THRE pending from the last
     * THR write. */
    for (int i = 0; i < 17; i++) {
        wr(qts, THR, i);
    }
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));   /* IER still 0 */
    wr(qts, IER, IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI);
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));

    /* Line status first... */
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RLSI);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RLSI);
    rd(qts, LSR);
    /* ...then received data until the FIFO is below the trigger... */
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RDI);
    for (int i = 0; i < 16; i++) {
        g_assert_true(qtest_get_irq(qts, COM1_IRQ));
        g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_RDI);
        g_assert_cmphex(rd(qts, RBR), ==, i);
    }
    /* ...then THR empty, which the IIR read itself consumes... */
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_THRI);
    /* ...then modem status, cleared by reading MSR. */
    g_assert_true(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_MSI);
    g_assert_cmphex(rd(qts, MSR), ==, 0x83);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_FIFO | IIR_NONE);
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_fifo_control(void)
{
    QTestState *qts = qtest_start("-serial null");

    wr(qts, MCR, MCR_LOOP | MCR_OUT2);
    rd(qts, MSR);
    /* Enabling the FIFO shows in IIR bits 7:6; disabling clears them. */
    wr(qts, FCR, 0x01);
    g_assert_cmphex(rd(qts, IIR) & IIR_FIFO, ==, IIR_FIFO);
    /* RX FIFO reset drops received bytes. */
    wr(qts, THR, 1);
    wr(qts, THR, 2);
    g_assert_cmphex(rd(qts, LSR) & LSR_DR, ==, LSR_DR);
    wr(qts, FCR, 0x03);
    g_assert_cmphex(rd(qts, LSR) & LSR_DR, ==, 0);
    /* Turning the FIFO off also empties it. */
    wr(qts, THR, 3);
    wr(qts, FCR, 0x00);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE);
    /* With FCR0 clear the reset bits are not programmed. */
    wr(qts, THR, 4);
    wr(qts, FCR, 0x02);
    g_assert_cmphex(rd(qts, LSR), ==, LSR_TEMT | LSR_THRE | LSR_DR);
    g_assert_cmphex(rd(qts, IIR), ==, IIR_NONE);
    g_assert_cmphex(rd(qts, RBR), ==, 4);
    /* Empty: the 16450 holding register keeps the last byte, an empty FIFO
     * reads 0 (the established device's behaviour). */
    g_assert_cmphex(rd(qts, RBR), ==, 4);
    wr(qts, FCR, 0x07);
    wr(qts, THR, 5);
    g_assert_cmphex(rd(qts, RBR), ==, 5);
    g_assert_cmphex(rd(qts, RBR), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_second_port_and_props(void)
{
    QTestState *qts = qtest_start("-serial null -serial null "
                                  "-chardev null,id=c4 "
                                  "-device isa-serial,index=3,chardev=c4 "
                                  "-device isa-serial,iobase=0x2a0,irq=5");

    qtest_irq_intercept_in(qts, "isa");
    /* COM2: 0x2f8, IRQ 3.  COM4 (index=3): 0x2e8, IRQ 3. */
    g_assert_cmphex(qtest_inb(qts, COM2 + LSR), ==, 0x60);
    qtest_outb(qts, COM2 + IER, IER_ETBEI);
    g_assert_true(qtest_get_irq(qts, 3));
    g_assert_false(qtest_get_irq(qts, COM1_IRQ));
    qtest_outb(qts, COM2 + IER, 0);
    g_assert_false(qtest_get_irq(qts, 3));

    qtest_outb(qts, 0x2e8 + SCR, 0x44);
    g_assert_cmphex(qtest_inb(qts, 0x2e8 + SCR), ==, 0x44);
    qtest_outb(qts, 0x2e8 + IER, IER_ETBEI);
    g_assert_true(qtest_get_irq(qts, 3));
    qtest_outb(qts, 0x2e8 + IER, 0);

    /* Explicit iobase/irq. */
    g_assert_cmphex(qtest_inb(qts, 0x2a0 + MSR), ==, 0xb0);
    qtest_outb(qts, 0x2a0 + IER, IER_ETBEI);
    g_assert_true(qtest_get_irq(qts, 5));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* Reads the same register of two UARTs (same side effects on both). */
static void same_reg(QTestState *qts, uint16_t a, uint16_t b, int reg)
{
    uint8_t va = qtest_inb(qts, a + reg), vb = qtest_inb(qts, b + reg);

    g_test_message("reg %d: %#x / %#x", reg, va, vb);
    g_assert_cmphex(va, ==, vb);
}

static void test_save_restore(void)
{
    const uint16_t A = 0x200, B = 0x280;
    const int irq_a = 5, irq_b = 6;
    QTestState *qts = qtest_start("-serial null "
                                  "-device isa-serial,id=a,iobase=0x200,irq=5 "
                                  "-device isa-serial,id=b,iobase=0x280,irq=6 "
                                  "-device isa-debugcon,id=d");
    char *rec, *reply;

    qtest_irq_intercept_in(qts, "isa");
    /* A: divisor 0x0203, 8N1 + stick bits, FIFO trigger 8, loopback, five
     * bytes received, every interrupt enabled, a timeout timer running. */
    qtest_outb(qts, A + LCR, 0x80);
    qtest_outb(qts, A + DLL, 0x03);
    qtest_outb(qts, A + DLM, 0x02);
    qtest_outb(qts, A + LCR, 0x3b);
    qtest_outb(qts, A + SCR, 0x77);
    qtest_outb(qts, A + FCR, 0x87);
    qtest_outb(qts, A + MCR, MCR_LOOP | MCR_OUT2 | MCR_DTR);
    for (int i = 0; i < 5; i++) {
        qtest_outb(qts, A + THR, 0x61 + i);
    }
    qtest_outb(qts, A + IER, 0x0f);
    qtest_clock_step(qts, 1000);
    g_assert_true(qtest_get_irq(qts, irq_a));     /* THRE and MSR deltas */
    g_assert_false(qtest_get_irq(qts, irq_b));

    reply = qtest_cmd(qts, "vmstate_save a");
    g_assert_true(g_str_has_prefix(reply, "OK 0x"));
    rec = g_strdup(reply + 3);
    g_free(reply);

    /* Damaged or foreign records are refused with a reason. */
    reply = qtest_cmd(qts, "vmstate_load b %.*s", (int)strlen(rec) - 2, rec);
    g_assert_true(g_str_has_prefix(reply, "FAIL "));
    g_free(reply);
    reply = qtest_cmd(qts, "vmstate_save d");
    char *d_rec = g_strdup(reply + 3);
    g_free(reply);
    reply = qtest_cmd(qts, "vmstate_load b %s", d_rec);
    g_assert_cmpstr(reply, ==, "FAIL vmstate: record is for device "
                    "'isa-debugcon', not 'isa-serial'");
    g_free(reply);
    g_free(d_rec);
    /* An impossible FIFO count is caught by the device's post_load: the
     * byte after "\x08rx_count" and its u32 size 1. */
    char *bad = g_strdup(rec);
    char *at = strstr(bad, "0872785f636f756e7401000000");
    g_assert_nonnull(at);
    memcpy(at + 26, "11", 2);                   /* 17 bytes */
    reply = qtest_cmd(qts, "vmstate_load b %s", bad);
    g_assert_true(g_str_has_prefix(reply, "FAIL vmstate isa-serial: "
                                   "receive FIFO"));
    g_free(reply);
    g_free(bad);

    /* A good load: B's line follows A's at once. */
    reply = qtest_cmd(qts, "vmstate_load b %s", rec);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_assert_true(qtest_get_irq(qts, irq_b));

    /* Every register reads the same, side effects included. */
    same_reg(qts, A, B, LCR);
    same_reg(qts, A, B, MCR);
    same_reg(qts, A, B, SCR);
    same_reg(qts, A, B, IER);
    same_reg(qts, A, B, IIR);                   /* THRE, consumed by the read */
    same_reg(qts, A, B, MSR);                   /* clears the deltas */
    same_reg(qts, A, B, IIR);                   /* nothing left */
    same_reg(qts, A, B, LSR);
    g_assert_false(qtest_get_irq(qts, irq_a));
    g_assert_false(qtest_get_irq(qts, irq_b));
    /* The timeout timer came along: both fire together. */
    qtest_clock_step(qts, timeout_ns(0x203) - 1000 - 1);
    g_assert_false(qtest_get_irq(qts, irq_b));
    qtest_clock_step(qts, 1);
    g_assert_true(qtest_get_irq(qts, irq_a));
    g_assert_true(qtest_get_irq(qts, irq_b));
    same_reg(qts, A, B, IIR);
    for (int i = 0; i < 5; i++) {
        same_reg(qts, A, B, RBR);
    }
    same_reg(qts, A, B, LSR);
    qtest_outb(qts, A + LCR, 0xbb);
    qtest_outb(qts, B + LCR, 0xbb);
    same_reg(qts, A, B, DLL);
    same_reg(qts, A, B, DLM);
    g_free(rec);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/reset-values", test_reset_values);
    g_test_add_func("/serial/divisor-latch", test_divisor_latch);
    g_test_add_func("/serial/scratch-and-read-only", test_scratch);
    g_test_add_func("/serial/tx-file", test_tx_file);
    g_test_add_func("/serial/tx-socket", test_tx_socket);
    g_test_add_func("/serial/rx-socket", test_rx_socket);
    g_test_add_func("/serial/rx-trigger-levels", test_rx_trigger_levels);
    g_test_add_func("/serial/rx-timeout", test_rx_timeout);
    g_test_add_func("/serial/thre-irq", test_thre_irq);
    g_test_add_func("/serial/overrun", test_overrun);
    g_test_add_func("/serial/loopback", test_loopback);
    g_test_add_func("/serial/priority", test_priority);
    g_test_add_func("/serial/fifo-control", test_fifo_control);
    g_test_add_func("/serial/second-port-and-props",
                    test_second_port_and_props);
    g_test_add_func("/serial/save-restore", test_save_restore);
    return g_test_run();
}
