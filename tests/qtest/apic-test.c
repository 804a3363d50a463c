/*
 * apic-test.c: the pc machine's local APICs (hw/intc/apic.c) through the
 * real binary, with no CPU (-accel qtest, -smp 2 so there are two LAPICs).
 *
 * MMIO at 0xfee00000 goes to the LAPIC chosen with the board command
 * "apic_select N" (a vCPU would reach its own).  The CPU's side is played
 * with "apic_intr N" (the INTR output), "apic_inta N" (the acknowledge
 * cycle), "apic_events N" (NMI/INIT/SIPI signalled) and "apic_msr N
 * rd|wr MSR [VAL]" (APIC_BASE, the x2APIC MSRs, TSC deadline with the TSC
 * at 0).  The timer is checked exactly against the virtual clock: the
 * LAPIC counts one tick per ns, divided by the divide configuration.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libqtest.h"

#define APIC_BASE   0xfee00000ULL
#define REG(i)      (APIC_BASE + ((i) << 4))
#define ID          0x02
#define VERSION     0x03
#define TPR         0x08
#define PPR         0x0a
#define EOI         0x0b
#define LDR         0x0d
#define DFR         0x0e
#define SVR         0x0f
#define ISR         0x10
#define TMR         0x18
#define IRR         0x20
#define ESR         0x28
#define ICR_LO      0x30
#define ICR_HI      0x31
#define LVT_TIMER   0x32
#define LVT_LINT0   0x35
#define LVT_LINT1   0x36
#define LVT_ERROR   0x37
#define TMICT       0x38
#define TMCCT       0x39
#define TDCR        0x3e

#define MASKED      (1u << 16)
#define PERIODIC    (1u << 17)
#define TSC_DL      (2u << 17)

#define IOREGSEL    0xfec00000ULL
#define IOWIN       0xfec00010ULL

static QTestState *start(void)
{
    return qtest_start("-serial null -smp 2");
}

static char *cmd_ok(QTestState *qts, const char *c)
{
    char *reply = qtest_cmd(qts, "%s", c);

    g_assert_true(g_str_has_prefix(reply, "OK"));
    return reply;
}

static void sel(QTestState *qts, int n)
{
    char c[32];

    snprintf(c, sizeof(c), "apic_select %d", n);
    g_free(cmd_ok(qts, c));
}

static uint32_t rd(QTestState *qts, int n, int reg)
{
    sel(qts, n);
    return qtest_readl(qts, REG(reg));
}

static void wr(QTestState *qts, int n, int reg, uint32_t val)
{
    sel(qts, n);
    qtest_writel(qts, REG(reg), val);
}

static int intr(QTestState *qts, int n)
{
    char c[32], *reply;
    int v = -1;

    snprintf(c, sizeof(c), "apic_intr %d", n);
    reply = cmd_ok(qts, c);
    g_assert_cmpint(sscanf(reply, "OK %d", &v), ==, 1);
    g_free(reply);
    return v;
}

static int inta(QTestState *qts, int n)
{
    char c[32], *reply;
    int v = -100;

    snprintf(c, sizeof(c), "apic_inta %d", n);
    reply = cmd_ok(qts, c);
    g_assert_cmpint(sscanf(reply, "OK %d", &v), ==, 1);
    g_free(reply);
    return v;
}

static char *events(QTestState *qts, int n)
{
    char c[32], *reply, *r;

    snprintf(c, sizeof(c), "apic_events %d", n);
    reply = cmd_ok(qts, c);
    r = g_strdup(reply + 3);
    g_free(reply);
    return r;
}

/* Returns the value, or -1 for #GP. */
static int64_t msr_rd(QTestState *qts, int n, uint32_t msr)
{
    char c[64], *reply;
    unsigned long long v;
    int64_t r;

    snprintf(c, sizeof(c), "apic_msr %d rd 0x%x", n, msr);
    reply = cmd_ok(qts, c);
    if (!strcmp(reply, "OK gp")) {
        r = -1;
    } else {
        g_assert_cmpint(sscanf(reply, "OK 0x%llx", &v), ==, 1);
        r = v;
    }
    g_free(reply);
    return r;
}

/* Returns true, or false for #GP. */
static bool msr_wr(QTestState *qts, int n, uint32_t msr, uint64_t val)
{
    char c[80], *reply;
    bool ok;

    snprintf(c, sizeof(c), "apic_msr %d wr 0x%x 0x%llx", n, msr,
             (unsigned long long)val);
    reply = cmd_ok(qts, c);
    ok = strcmp(reply, "OK gp") != 0;
    g_free(reply);
    return ok;
}

static bool irr_has(QTestState *qts, int n, int v)
{
    return (rd(qts, n, IRR + v / 32) >> (v % 32)) & 1;
}

static bool isr_has(QTestState *qts, int n, int v)
{
    return (rd(qts, n, ISR + v / 32) >> (v % 32)) & 1;
}

static bool tmr_has(QTestState *qts, int n, int v)
{
    return (rd(qts, n, TMR + v / 32) >> (v % 32)) & 1;
}

/* Fixed IPI to self through the ICR's shorthand. */
static void self_ipi(QTestState *qts, int n, int vector)
{
    wr(qts, n, ICR_LO, (1u << 18) | 0x4000 | vector);
}

static void enable(QTestState *qts, int n)
{
    wr(qts, n, SVR, 0x1ff);
}

static void test_reset_values(void)
{
    QTestState *qts = start();

    g_assert_cmphex(rd(qts, 0, ID), ==, 0);
    g_assert_cmphex(rd(qts, 1, ID), ==, 1u << 24);
    g_assert_cmphex(rd(qts, 0, VERSION), ==, 0x00050014);
    g_assert_cmphex(rd(qts, 0, SVR), ==, 0xff);
    g_assert_cmphex(rd(qts, 0, DFR), ==, 0xffffffff);
    g_assert_cmphex(rd(qts, 0, TPR), ==, 0);
    g_assert_cmphex(rd(qts, 0, PPR), ==, 0);
    g_assert_cmphex(rd(qts, 0, LVT_TIMER), ==, MASKED);
    g_assert_cmphex(rd(qts, 0, LVT_ERROR), ==, MASKED);
    /* The BSP is in virtual-wire mode: ExtINT on LINT0, NMI on LINT1. */
    g_assert_cmphex(rd(qts, 0, LVT_LINT0), ==, 0x700);
    g_assert_cmphex(rd(qts, 0, LVT_LINT1), ==, 0x400);
    g_assert_cmphex(rd(qts, 1, LVT_LINT0), ==, MASKED);
    g_assert_cmphex(rd(qts, 1, LVT_LINT1), ==, MASKED);
    g_assert_cmphex(msr_rd(qts, 0, 0x1b), ==, 0xfee00900);
    g_assert_cmphex(msr_rd(qts, 1, 0x1b), ==, 0xfee00800);
    /* Read-only registers keep their value. */
    wr(qts, 0, VERSION, 0);
    g_assert_cmphex(rd(qts, 0, VERSION), ==, 0x00050014);
    /* Software-disabled: LVTs stay masked whatever is written. */
    wr(qts, 1, LVT_TIMER, 0x30);
    g_assert_cmphex(rd(qts, 1, LVT_TIMER), ==, MASKED | 0x30);
    enable(qts, 1);
    wr(qts, 1, LVT_TIMER, 0x30);
    g_assert_cmphex(rd(qts, 1, LVT_TIMER), ==, 0x30);
    /* Disabling masks every LVT again (SDM 10.4.7.2). */
    wr(qts, 1, SVR, 0xff);
    g_assert_cmphex(rd(qts, 1, LVT_TIMER), ==, MASKED | 0x30);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_priorities_and_eoi(void)
{
    QTestState *qts = start();

    /* Software-disabled: accepted, but not offered to the CPU. */
    self_ipi(qts, 1, 0x40);
    g_assert_true(irr_has(qts, 1, 0x40));
    g_assert_cmpint(intr(qts, 1), ==, 0);
    enable(qts, 1);
    g_assert_cmpint(intr(qts, 1), ==, 1);
    g_assert_cmpint(inta(qts, 1), ==, 0x40);
    g_assert_false(irr_has(qts, 1, 0x40));
    g_assert_true(isr_has(qts, 1, 0x40));
    g_assert_cmphex(rd(qts, 1, PPR), ==, 0x40);
    g_assert_cmpint(intr(qts, 1), ==, 0);

    /* Same class as the one in service: held until EOI; a higher class
     * nests. */
    self_ipi(qts, 1, 0x45);
    g_assert_cmpint(intr(qts, 1), ==, 0);
    self_ipi(qts, 1, 0x61);
    g_assert_cmpint(intr(qts, 1), ==, 1);
    g_assert_cmpint(inta(qts, 1), ==, 0x61);
    g_assert_cmphex(rd(qts, 1, PPR), ==, 0x60);
    wr(qts, 1, EOI, 0);
    g_assert_false(isr_has(qts, 1, 0x61));
    g_assert_true(isr_has(qts, 1, 0x40));
    g_assert_cmpint(intr(qts, 1), ==, 0);
    wr(qts, 1, EOI, 0);
    g_assert_cmpint(intr(qts, 1), ==, 1);
    g_assert_cmpint(inta(qts, 1), ==, 0x45);
    wr(qts, 1, EOI, 0);
    g_assert_cmphex(rd(qts, 1, PPR), ==, 0);
    g_assert_cmpint(inta(qts, 1), ==, -1);

    /* TPR masking, PPR = TPR, and the spurious vector for a request
     * masked between INTR and INTA. */
    wr(qts, 1, SVR, 0x1ef);
    wr(qts, 1, TPR, 0x57);
    g_assert_cmphex(rd(qts, 1, PPR), ==, 0x57);
    self_ipi(qts, 1, 0x52);
    g_assert_cmpint(intr(qts, 1), ==, 0);
    wr(qts, 1, TPR, 0x40);
    g_assert_cmpint(intr(qts, 1), ==, 1);
    wr(qts, 1, TPR, 0x50);
    g_assert_cmpint(inta(qts, 1), ==, 0xef);
    g_assert_true(irr_has(qts, 1, 0x52));
    g_assert_false(isr_has(qts, 1, 0x52));
    /* CR8 is TPR[7:4]. */
    wr(qts, 1, TPR, 0);
    g_assert_cmpint(inta(qts, 1), ==, 0x52);
    wr(qts, 1, EOI, 0);

    /* Illegal vectors: ESR bits latched on the ESR write, and the error
     * LVT's interrupt. */
    wr(qts, 1, LVT_ERROR, 0x33);
    self_ipi(qts, 1, 0x05);
    g_assert_cmphex(rd(qts, 1, ESR), ==, 0);
    wr(qts, 1, ESR, 0);
    g_assert_cmphex(rd(qts, 1, ESR), ==, 0x20);
    g_assert_true(irr_has(qts, 1, 0x33));
    wr(qts, 1, ESR, 0);
    g_assert_cmphex(rd(qts, 1, ESR), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_timer_oneshot(void)
{
    QTestState *qts = start();

    enable(qts, 0);
    wr(qts, 0, TDCR, 0xb);                      /* divide by 1 */
    wr(qts, 0, LVT_TIMER, 0x60);
    wr(qts, 0, TMICT, 1000);
    g_assert_cmpuint(rd(qts, 0, TMCCT), ==, 1000);
    qtest_clock_step(qts, 400);
    g_assert_cmpuint(rd(qts, 0, TMCCT), ==, 600);
    qtest_clock_step(qts, 599);
    g_assert_false(irr_has(qts, 0, 0x60));
    qtest_clock_step(qts, 1);
    g_assert_true(irr_has(qts, 0, 0x60));
    g_assert_cmpuint(rd(qts, 0, TMCCT), ==, 0);
    g_assert_cmpint(inta(qts, 0), ==, 0x60);
    wr(qts, 0, EOI, 0);
    qtest_clock_step(qts, 100000);
    g_assert_false(irr_has(qts, 0, 0x60));      /* one-shot: once */

    /* Divide by 16: 100 ticks are 1600 ns. */
    wr(qts, 0, TDCR, 0x3);
    wr(qts, 0, TMICT, 100);
    qtest_clock_step(qts, 800);
    g_assert_cmpuint(rd(qts, 0, TMCCT), ==, 50);
    /* A masked timer counts but does not interrupt. */
    wr(qts, 0, LVT_TIMER, MASKED | 0x60);
    qtest_clock_step(qts, 800);
    g_assert_cmpuint(rd(qts, 0, TMCCT), ==, 0);
    g_assert_false(irr_has(qts, 0, 0x60));
    /* Writing 0 stops the timer. */
    wr(qts, 0, LVT_TIMER, 0x60);
    wr(qts, 0, TMICT, 100);
    wr(qts, 0, TMICT, 0);
    qtest_clock_step(qts, 10000);
    g_assert_false(irr_has(qts, 0, 0x60));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_timer_periodic(void)
{
    QTestState *qts = start();

    enable(qts, 0);
    wr(qts, 0, TDCR, 0x0);                      /* divide by 2 */
    wr(qts, 0, LVT_TIMER, PERIODIC | 0x61);
    wr(qts, 0, TMICT, 500);                     /* 1000 ns */
    for (int i = 0; i < 5; i++) {
        qtest_clock_step(qts, 999);
        g_assert_false(irr_has(qts, 0, 0x61));
        qtest_clock_step(qts, 1);
        g_assert_true(irr_has(qts, 0, 0x61));
        g_assert_cmpint(inta(qts, 0), ==, 0x61);
        wr(qts, 0, EOI, 0);
    }
    qtest_clock_step(qts, 500);
    g_assert_cmpuint(rd(qts, 0, TMCCT), ==, 250);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_timer_tsc_deadline(void)
{
    QTestState *qts = start();

    enable(qts, 0);
    /* Outside TSC-deadline mode the MSR ignores writes and reads 0. */
    g_assert_true(msr_wr(qts, 0, 0x6e0, 100));
    g_assert_cmphex(msr_rd(qts, 0, 0x6e0), ==, 0);
    wr(qts, 0, LVT_TIMER, TSC_DL | 0x62);
    /* Initial-count writes are ignored in this mode. */
    wr(qts, 0, TMICT, 10);
    g_assert_cmpuint(rd(qts, 0, TMICT), ==, 0);
    /* The TSC runs at 2 GHz: 4000 ticks from 0 are 2000 ns. */
    g_assert_true(msr_wr(qts, 0, 0x6e0, 4000));
    g_assert_cmphex(msr_rd(qts, 0, 0x6e0), ==, 4000);
    qtest_clock_step(qts, 1999);
    g_assert_false(irr_has(qts, 0, 0x62));
    qtest_clock_step(qts, 1);
    g_assert_true(irr_has(qts, 0, 0x62));
    g_assert_cmphex(msr_rd(qts, 0, 0x6e0), ==, 0);
    g_assert_cmpint(inta(qts, 0), ==, 0x62);
    wr(qts, 0, EOI, 0);
    /* Writing 0 disarms. */
    g_assert_true(msr_wr(qts, 0, 0x6e0, 4000));
    g_assert_true(msr_wr(qts, 0, 0x6e0, 0));
    qtest_clock_step(qts, 10000);
    g_assert_false(irr_has(qts, 0, 0x62));
    /* Leaving TSC-deadline mode disarms too. */
    g_assert_true(msr_wr(qts, 0, 0x6e0, 4000));
    wr(qts, 0, LVT_TIMER, 0x62);
    qtest_clock_step(qts, 10000);
    g_assert_false(irr_has(qts, 0, 0x62));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_ipis(void)
{
    QTestState *qts = start();
    char *ev;

    enable(qts, 0);
    enable(qts, 1);
    /* Physical destination 1. */
    wr(qts, 0, ICR_HI, 1u << 24);
    wr(qts, 0, ICR_LO, 0x4041);
    g_assert_true(irr_has(qts, 1, 0x41));
    g_assert_false(irr_has(qts, 0, 0x41));
    g_assert_cmpint(intr(qts, 1), ==, 1);
    g_assert_cmpint(inta(qts, 1), ==, 0x41);
    wr(qts, 1, EOI, 0);
    /* Physical broadcast 0xff. */
    wr(qts, 0, ICR_HI, 0xffu << 24);
    wr(qts, 0, ICR_LO, 0x4042);
    g_assert_true(irr_has(qts, 0, 0x42));
    g_assert_true(irr_has(qts, 1, 0x42));
    /* All excluding self. */
    wr(qts, 1, ICR_LO, (3u << 18) | 0x4043);
    g_assert_true(irr_has(qts, 0, 0x43));
    g_assert_false(irr_has(qts, 1, 0x43));
    /* Logical, flat model: LDR bit 1 for LAPIC 1, bit 0 for LAPIC 0. */
    wr(qts, 0, LDR, 0x01u << 24);
    wr(qts, 1, LDR, 0x02u << 24);
    wr(qts, 0, ICR_HI, 0x02u << 24);
    wr(qts, 0, ICR_LO, 0x4844);                 /* logical */
    g_assert_true(irr_has(qts, 1, 0x44));
    g_assert_false(irr_has(qts, 0, 0x44));
    wr(qts, 0, ICR_HI, 0x03u << 24);
    wr(qts, 0, ICR_LO, 0x4845);
    g_assert_true(irr_has(qts, 0, 0x45));
    g_assert_true(irr_has(qts, 1, 0x45));
    /* Cluster model: cluster 2 member 1 is LAPIC 1 only. */
    wr(qts, 0, DFR, 0x0fffffff);
    wr(qts, 1, DFR, 0x0fffffff);
    wr(qts, 0, LDR, 0x21u << 24);
    wr(qts, 1, LDR, 0x12u << 24);
    wr(qts, 0, ICR_HI, 0x13u << 24);
    wr(qts, 0, ICR_LO, 0x4846);
    g_assert_true(irr_has(qts, 1, 0x46));
    g_assert_false(irr_has(qts, 0, 0x46));
    /* Lowest priority: the LAPIC with the lower PPR takes it. */
    wr(qts, 0, TPR, 0x20);
    wr(qts, 1, TPR, 0x10);
    wr(qts, 0, ICR_HI, 0xffu << 24);
    wr(qts, 0, ICR_LO, 0x4947);                 /* lowest pri, logical */
    g_assert_true(irr_has(qts, 1, 0x47));
    g_assert_false(irr_has(qts, 0, 0x47));
    wr(qts, 1, TPR, 0x30);
    wr(qts, 0, ICR_LO, 0x4948);
    g_assert_true(irr_has(qts, 0, 0x48));
    g_assert_false(irr_has(qts, 1, 0x48));

    /* NMI, INIT (with the de-assert form ignored) and SIPI. */
    wr(qts, 0, ICR_HI, 1u << 24);
    wr(qts, 0, ICR_LO, 0x4400);
    ev = events(qts, 1);
    g_assert_cmpstr(ev, ==, "nmi=1 init=0 sipi=0 vector=0x00");
    g_free(ev);
    wr(qts, 0, ICR_LO, 0x8500);                 /* INIT level de-assert */
    ev = events(qts, 1);
    g_assert_cmpstr(ev, ==, "nmi=1 init=0 sipi=0 vector=0x00");
    g_free(ev);
    wr(qts, 0, ICR_LO, 0x4500);
    ev = events(qts, 1);
    g_assert_cmpstr(ev, ==, "nmi=1 init=1 sipi=0 vector=0x00");
    g_free(ev);
    /* INIT reset the receiver's registers, but not its ID. */
    g_assert_cmphex(rd(qts, 1, SVR), ==, 0xff);
    g_assert_cmphex(rd(qts, 1, TPR), ==, 0);
    g_assert_false(irr_has(qts, 1, 0x46));
    g_assert_cmphex(rd(qts, 1, ID), ==, 1u << 24);
    wr(qts, 0, ICR_LO, 0x469a);
    ev = events(qts, 1);
    g_assert_cmpstr(ev, ==, "nmi=1 init=1 sipi=1 vector=0x9a");
    g_free(ev);
    ev = events(qts, 0);
    g_assert_cmpstr(ev, ==, "nmi=0 init=0 sipi=0 vector=0x00");
    g_free(ev);
    /* A fixed IPI with an illegal vector is not sent. */
    wr(qts, 0, ICR_LO, 0x400f);
    wr(qts, 0, ESR, 0);
    g_assert_cmphex(rd(qts, 0, ESR), ==, 0x20);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void ioapic_entry(QTestState *qts, int pin, uint32_t lo, uint8_t dest)
{
    qtest_writel(qts, IOREGSEL, 0x11 + 2 * pin);
    qtest_writel(qts, IOWIN, (uint32_t)dest << 24);
    qtest_writel(qts, IOREGSEL, 0x10 + 2 * pin);
    qtest_writel(qts, IOWIN, lo);
}

static uint32_t ioapic_lo(QTestState *qts, int pin)
{
    qtest_writel(qts, IOREGSEL, 0x10 + 2 * pin);
    return qtest_readl(qts, IOWIN);
}

static void test_ioapic_delivery(void)
{
    QTestState *qts = start();

    enable(qts, 0);
    enable(qts, 1);
    /* Edge, physical to LAPIC 1 (ISA IRQ 4 is pin 4). */
    ioapic_entry(qts, 4, 0x51, 1);
    qtest_set_irq_in(qts, "isa", 4, 1);
    g_assert_true(irr_has(qts, 1, 0x51));
    g_assert_false(tmr_has(qts, 1, 0x51));
    g_assert_false(irr_has(qts, 0, 0x51));
    g_assert_cmpint(inta(qts, 1), ==, 0x51);
    wr(qts, 1, EOI, 0);
    qtest_set_irq_in(qts, "isa", 4, 0);

    /* Level-triggered: the EOI clears Remote IRR, and a line still high
     * is delivered again. */
    ioapic_entry(qts, 3, 0x8000 | 0x52, 0);
    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_true(irr_has(qts, 0, 0x52));
    g_assert_true(tmr_has(qts, 0, 0x52));
    g_assert_true(ioapic_lo(qts, 3) & (1u << 14));
    g_assert_cmpint(inta(qts, 0), ==, 0x52);
    g_assert_false(irr_has(qts, 0, 0x52));
    wr(qts, 0, EOI, 0);
    g_assert_true(irr_has(qts, 0, 0x52));
    g_assert_true(ioapic_lo(qts, 3) & (1u << 14));
    qtest_set_irq_in(qts, "isa", 3, 0);
    g_assert_cmpint(inta(qts, 0), ==, 0x52);
    wr(qts, 0, EOI, 0);
    g_assert_false(ioapic_lo(qts, 3) & (1u << 14));
    g_assert_false(irr_has(qts, 0, 0x52));

    /* Logical, flat, to both: the PIT's IRQ 0 is pin 2. */
    wr(qts, 0, LDR, 0x01u << 24);
    wr(qts, 1, LDR, 0x02u << 24);
    ioapic_entry(qts, 2, 0x800 | 0x53, 0x03);
    qtest_set_irq_in(qts, "isa", 0, 1);
    g_assert_true(irr_has(qts, 0, 0x53));
    g_assert_true(irr_has(qts, 1, 0x53));
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_pic_virtual_wire_and_nmi(void)
{
    QTestState *qts = start();
    char *ev;

    /* 8259: vectors 0x08.., IRQ 3 unmasked only. */
    qtest_outb(qts, 0x20, 0x11);
    qtest_outb(qts, 0x21, 0x08);
    qtest_outb(qts, 0x21, 0x04);
    qtest_outb(qts, 0x21, 0x01);
    qtest_outb(qts, 0x21, 0xf7);
    qtest_set_irq_in(qts, "isa", 3, 1);
    /* LINT0 in ExtINT mode on the BSP: INTR, and INTA gets the PIC's
     * vector; the AP's LINT0 is masked. */
    g_assert_cmpint(intr(qts, 0), ==, 1);
    g_assert_cmpint(intr(qts, 1), ==, 0);
    g_assert_cmpint(inta(qts, 0), ==, 0x0b);
    g_assert_cmpint(intr(qts, 0), ==, 0);
    qtest_outb(qts, 0x20, 0x20);                /* PIC EOI */
    qtest_set_irq_in(qts, "isa", 3, 0);
    qtest_set_irq_in(qts, "isa", 3, 1);
    g_assert_cmpint(intr(qts, 0), ==, 1);
    /* Masking LINT0 cuts the PIC off. */
    enable(qts, 0);
    wr(qts, 0, LVT_LINT0, MASKED | 0x700);
    g_assert_cmpint(intr(qts, 0), ==, 0);
    /* A globally disabled LAPIC passes INTR through (CPU 0). */
    g_assert_true(msr_wr(qts, 0, 0x1b, 0xfee00100));
    g_assert_cmpint(intr(qts, 0), ==, 1);
    g_assert_cmpint(inta(qts, 0), ==, 0x0b);
    /* Its MMIO is off meanwhile. */
    g_assert_cmphex(rd(qts, 0, VERSION), ==, 0);
    g_assert_true(msr_wr(qts, 0, 0x1b, 0xfee00900));

    /* The NMI button: through LINT1 of an enabled LAPIC (masked: none),
     * directly to a CPU whose LAPIC is software-disabled. */
    enable(qts, 0);
    wr(qts, 0, LVT_LINT1, 0x400);
    g_free(cmd_ok(qts, "nmi"));
    ev = events(qts, 0);
    g_assert_cmpstr(ev, ==, "nmi=1 init=0 sipi=0 vector=0x00");
    g_free(ev);
    ev = events(qts, 1);
    g_assert_cmpstr(ev, ==, "nmi=1 init=0 sipi=0 vector=0x00");
    g_free(ev);
    wr(qts, 0, LVT_LINT1, MASKED | 0x400);
    g_free(cmd_ok(qts, "nmi"));
    ev = events(qts, 0);
    g_assert_cmpstr(ev, ==, "nmi=1 init=0 sipi=0 vector=0x00");
    g_free(ev);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_x2apic(void)
{
    QTestState *qts = start();

    /* Not in x2APIC mode: the MSRs are #GP. */
    g_assert_cmpint(msr_rd(qts, 0, 0x802), ==, -1);
    /* Disabled -> x2APIC and EXTD without EN are invalid. */
    g_assert_false(msr_wr(qts, 1, 0x1b, 0xfee00400));
    g_assert_true(msr_wr(qts, 1, 0x1b, 0xfee00c00));
    g_assert_true(msr_wr(qts, 0, 0x1b, 0xfee00d00));
    g_assert_cmphex(msr_rd(qts, 0, 0x1b), ==, 0xfee00d00);
    g_assert_cmphex(msr_rd(qts, 1, 0x802), ==, 1);
    g_assert_cmphex(msr_rd(qts, 0, 0x803), ==, 0x00050014);
    /* LDR is derived: cluster ID << 16 | 1 << (ID & 15). */
    g_assert_cmphex(msr_rd(qts, 0, 0x80d), ==, 1);
    g_assert_cmphex(msr_rd(qts, 1, 0x80d), ==, 2);
    /* Read-only, write-only and missing registers, reserved bits. */
    g_assert_false(msr_wr(qts, 0, 0x802, 5));
    g_assert_false(msr_wr(qts, 0, 0x80d, 5));
    g_assert_cmpint(msr_rd(qts, 0, 0x80b), ==, -1);
    g_assert_false(msr_wr(qts, 0, 0x80b, 1));
    g_assert_cmpint(msr_rd(qts, 0, 0x80e), ==, -1);
    g_assert_cmpint(msr_rd(qts, 0, 0x831), ==, -1);
    g_assert_cmpint(msr_rd(qts, 0, 0x83f), ==, -1);
    g_assert_cmpint(msr_rd(qts, 0, 0x8ff), ==, -1);
    g_assert_false(msr_wr(qts, 0, 0x808, 0x100));
    g_assert_false(msr_wr(qts, 0, 0x828, 1));
    g_assert_false(msr_wr(qts, 0, 0x83f, 0x100));
    /* SVR, TPR, self IPI, EOI. */
    g_assert_true(msr_wr(qts, 0, 0x80f, 0x1ff));
    g_assert_true(msr_wr(qts, 0, 0x83f, 0x61));
    g_assert_cmphex(msr_rd(qts, 0, 0x823), ==, 0x2);
    g_assert_cmpint(intr(qts, 0), ==, 1);
    g_assert_true(msr_wr(qts, 0, 0x808, 0x70));
    g_assert_cmpint(intr(qts, 0), ==, 0);
    g_assert_true(msr_wr(qts, 0, 0x808, 0));
    g_assert_cmpint(inta(qts, 0), ==, 0x61);
    g_assert_true(msr_wr(qts, 0, 0x80b, 0));
    g_assert_cmphex(msr_rd(qts, 0, 0x813), ==, 0);
    /* The 64-bit ICR: physical destination 1 in bits 63:32; logical
     * x2APIC cluster 0 member bit 1. */
    g_assert_true(msr_wr(qts, 0, 0x830, (1ull << 32) | 0x4063));
    g_assert_cmphex(msr_rd(qts, 0, 0x830), ==, (1ull << 32) | 0x4063);
    g_assert_cmphex(msr_rd(qts, 1, 0x823), ==, 0x8);
    g_assert_true(msr_wr(qts, 0, 0x830, (2ull << 32) | 0x4864));
    g_assert_cmphex(msr_rd(qts, 1, 0x823), ==, 0x18);
    g_assert_cmphex(msr_rd(qts, 0, 0x823), ==, 0);
    /* The xAPIC page is off in x2APIC mode. */
    g_assert_cmphex(rd(qts, 0, VERSION), ==, 0);
    /* x2APIC -> xAPIC is invalid; -> disabled -> xAPIC is the way back. */
    g_assert_false(msr_wr(qts, 0, 0x1b, 0xfee00900));
    g_assert_true(msr_wr(qts, 0, 0x1b, 0xfee00100));
    g_assert_true(msr_wr(qts, 0, 0x1b, 0xfee00900));
    g_assert_cmphex(rd(qts, 0, VERSION), ==, 0x00050014);
    /* Disabling reset the state. */
    g_assert_cmphex(rd(qts, 0, SVR), ==, 0xff);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_save_restore(void)
{
    QTestState *qts = start();
    char *rec, *reply;

    enable(qts, 1);
    wr(qts, 1, TDCR, 0xb);
    wr(qts, 1, LVT_TIMER, PERIODIC | 0x66);
    wr(qts, 1, TMICT, 1000);
    wr(qts, 1, TPR, 0x20);
    self_ipi(qts, 1, 0x44);
    rec = qtest_vmstate_save(qts, "apic1");
    /* Scramble, then restore: the registers and the running timer are
     * back. */
    g_assert_true(msr_wr(qts, 1, 0x1b, 0xfee00000));
    reply = qtest_cmd(qts, "vmstate_load apic1 %s", rec);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_assert_cmphex(rd(qts, 1, TPR), ==, 0x20);
    g_assert_cmphex(rd(qts, 1, SVR), ==, 0x1ff);
    g_assert_true(irr_has(qts, 1, 0x44));
    g_assert_cmpint(intr(qts, 1), ==, 1);
    qtest_clock_step(qts, 1000);
    g_assert_true(irr_has(qts, 1, 0x66));
    g_free(rec);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* Port 0x92: the fast A20 gate reads back, on at reset. */
static void test_port92(void)
{
    QTestState *qts = start();

    g_assert_cmphex(qtest_inb(qts, 0x92), ==, 0x02);
    qtest_outb(qts, 0x92, 0x00);
    g_assert_cmphex(qtest_inb(qts, 0x92), ==, 0x00);
    qtest_outb(qts, 0x92, 0x02);
    g_assert_cmphex(qtest_inb(qts, 0x92), ==, 0x02);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/apic/reset-values", test_reset_values);
    g_test_add_func("/apic/priorities-and-eoi", test_priorities_and_eoi);
    g_test_add_func("/apic/timer-oneshot", test_timer_oneshot);
    g_test_add_func("/apic/timer-periodic", test_timer_periodic);
    g_test_add_func("/apic/timer-tsc-deadline", test_timer_tsc_deadline);
    g_test_add_func("/apic/ipis", test_ipis);
    g_test_add_func("/apic/ioapic-delivery", test_ioapic_delivery);
    g_test_add_func("/apic/pic-virtual-wire-and-nmi",
                    test_pic_virtual_wire_and_nmi);
    g_test_add_func("/apic/x2apic", test_x2apic);
    g_test_add_func("/apic/save-restore", test_save_restore);
    g_test_add_func("/apic/port92-a20", test_port92);
    return g_test_run();
}
