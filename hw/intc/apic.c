/*
 * apic.c: the x86 local APIC ("apic"), one per CPU slot of the pc machine
 * (SDM Vol 3A chapter 10 "Advanced Programmable Interrupt Controller").
 *
 * What it models:
 *   - The register file: ID, version, TPR/PPR/APR, EOI, LDR/DFR, SVR,
 *     ISR/TMR/IRR, ESR, ICR, the LVTs (timer, thermal, performance
 *     counter, LINT0, LINT1, error; masked at reset), the timer's initial
 *     and current count and divide configuration.  xAPIC: a 4 KiB MMIO
 *     page at IA32_APIC_BASE's default 0xfee00000; x2APIC (APIC_BASE bit
 *     10): MSRs 0x800 + (offset >> 4), with the 64-bit ICR at 0x830, SELF
 *     IPI at 0x83f, and #GP for what does not exist, for writes to
 *     read-only registers, for reads of write-only ones and for reserved
 *     bits (SDM 10.12.1.2, table 10-6).
 *   - Priorities (10.8.3.1): PPR = TPR if TPR[7:4] >= ISRV[7:4], else
 *     ISRV[7:4]:0.  The highest IRR vector whose class is above PPR's is
 *     offered to the CPU (CPU_INTERRUPT_HARD); INTA moves it to ISR.  EOI
 *     retires the highest ISR bit; a level-triggered one (TMR set) is
 *     broadcast to the IOAPIC, which clears its Remote IRR.
 *   - The timer (10.5.4): one-shot, periodic and TSC-deadline, counting at
 *     1 GHz (one tick per ns of CLK_VIRTUAL, like the established
 *     emulator's) divided by 1..128.  Nothing is polled: the count is
 *     computed from the virtual time of the last initial-count write, and
 *     one main-loop timer is armed for the next expiry.  TSC-deadline
 *     converts the TSC distance to ns (X86_TSC_HZ) when the MSR is written.
 *   - Delivery (10.6): messages from the IOAPIC (apic_bus_to_lapics, the
 *     APIC bus's sink) and IPIs from the ICR reach every LAPIC whose
 *     physical ID or logical destination (flat or cluster; x2APIC cluster)
 *     matches, or all of them for the broadcast ID; lowest priority picks
 *     the matching LAPIC with the lowest PPR (lowest index on ties).
 *     Fixed/lowest priority set IRR; NMI, INIT and start-up (SIPI) are
 *     passed to the vCPU as CPU_INTERRUPT_NMI / _INIT / _SIPI; ExtINT
 *     makes the CPU take its vector from the 8259.
 *   - LINT0 is the 8259's INT output.  At reset the BSP's LINT0 is
 *     unmasked ExtINT (virtual-wire mode, as PC firmware leaves it), so
 *     a guest that never touches the LAPIC still gets PIC interrupts; with
 *     the LAPIC globally disabled (APIC_BASE bit 11 clear) LINT0 of CPU 0
 *     is its plain INTR pin.
 *
 * Threads and locks: every field below is under the BQL.  MMIO is
 * dispatched under the BQL (the region keeps needs_bql); the vCPU thread
 * takes the BQL for MSRs, CR8 and interrupt acknowledge
 * (target/i386/apic_helper.c); the timer runs in the main loop.  The LAPIC
 * never touches its vCPU's registers: it signals with cpu_interrupt()
 * (any thread, atomic) and the vCPU acts on the bits in its own thread
 * (target/i386/cpu.c x86_cpu_exec_interrupt).  So a vCPU reading its own
 * IRR while another sends it an IPI sees one or the other state, never a
 * torn one.
 *
 * Reset, INIT, save/restore: the device reset is the power-on state;
 * INIT (an IPI, or a disable through APIC_BASE) is the same except that
 * the ID and APIC_BASE stay.  The timer's deadline is re-derived after a
 * load from the saved start time.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/vmstate.h"
#include "hw/cpu.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "system/qtest.h"
#include "monitor/commands.h"
#include "target/i386/cpu.h"
#include "target/i386/helper.h"

enum { APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0,
       APIC_LVT_LINT1, APIC_LVT_ERROR, APIC_LVT_NB };

struct APICState {
    DeviceState parent;

    uint32_t index;             /* property: CPU slot; const after realize */
    CPUState *cpu;              /* BQL; NULL while no vCPU (qtest) */
    Timer *timer;               /* CLK_VIRTUAL, main loop */

    /* Guest-visible state; BQL. */
    uint64_t apicbase;          /* IA32_APIC_BASE */
    uint32_t id;                /* the APIC ID (8 bits in xAPIC mode) */
    uint32_t tpr;               /* bits 7:0 */
    uint32_t ldr;               /* xAPIC: bits 31:24 */
    uint32_t dfr;               /* model in bits 31:28 */
    uint32_t svr;
    uint32_t esr;               /* the readable ESR (latched on write) */
    uint32_t esr_pending;       /* errors since the last ESR write */
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t icr_lo, icr_hi;
    uint32_t initial_count;
    uint32_t divide_conf;
    int64_t count_start_ns;     /* CLK_VIRTUAL of the last initial count */
    uint64_t tsc_deadline;      /* the MSR value; 0 = disarmed */
    int64_t deadline_ns;        /* CLK_VIRTUAL of the TSC deadline */
    bool extint_pending;        /* an ExtINT message awaits INTA */
    bool lint1_level;           /* the input level on LINT1 */
    bool int_out;               /* what we signal as the CPU's INTR */

    /* What was signalled to the vCPU (also with no vCPU), for tests. */
    uint32_t nmi_count, init_count, sipi_count;
    uint8_t sipi_vector;
};

/* Register offsets >> 4 (SDM table 10-1); x2APIC MSR = 0x800 + index. */
#define APIC_REG_ID         0x02
#define APIC_REG_VERSION    0x03
#define APIC_REG_TPR        0x08
#define APIC_REG_APR        0x09
#define APIC_REG_PPR        0x0a
#define APIC_REG_EOI        0x0b
#define APIC_REG_RRD        0x0c
#define APIC_REG_LDR        0x0d
#define APIC_REG_DFR        0x0e
#define APIC_REG_SVR        0x0f
#define APIC_REG_ISR        0x10
#define APIC_REG_TMR        0x18
#define APIC_REG_IRR        0x20
#define APIC_REG_ESR        0x28
#define APIC_REG_ICR_LO     0x30
#define APIC_REG_ICR_HI     0x31
#define APIC_REG_LVT        0x32            /* 0x32..0x37 */
#define APIC_REG_TMICT      0x38
#define APIC_REG_TMCCT      0x39
#define APIC_REG_TDCR       0x3e
#define APIC_REG_SELF_IPI   0x3f            /* x2APIC only */

#define APIC_MMIO_SIZE      0x1000
#define APIC_X2_MSR_BASE    0x800
#define APIC_X2_MSR_END     0x8ff

/* Version: integrated APIC (0x14), LVT entries - 1 in bits 23:16; no
 * EOI-broadcast suppression (bit 24 clear). */
#define APIC_VERSION        (0x14 | ((APIC_LVT_NB - 1) << 16))

#define APIC_SVR_ENABLE     (1u << 8)
#define APIC_SVR_WRITABLE   0x3ffu          /* vector, enable, focus */

#define APIC_LVT_VECTOR     0xffu
#define APIC_LVT_DM_SHIFT   8
#define APIC_LVT_LEVEL      (1u << 15)
#define APIC_LVT_MASKED     (1u << 16)
#define APIC_LVT_TIMER_SHIFT 17
/* Writable bits per LVT: vector, delivery mode, polarity, trigger, mask,
 * timer mode; delivery status and remote IRR are read-only. */
static const uint32_t apic_lvt_writable[APIC_LVT_NB] = {
    [APIC_LVT_TIMER] = 0x000600ffu | APIC_LVT_MASKED,
    [APIC_LVT_THERMAL] = 0x000107ffu,
    [APIC_LVT_PERF] = 0x000107ffu,
    [APIC_LVT_LINT0] = 0x0001a7ffu,
    [APIC_LVT_LINT1] = 0x0001a7ffu,
    [APIC_LVT_ERROR] = 0x000100ffu,
};

enum { APIC_TIMER_ONESHOT, APIC_TIMER_PERIODIC, APIC_TIMER_TSC_DEADLINE };

/* ESR bits (10.5.3). */
#define APIC_ESR_SEND_ILLEGAL   (1u << 5)
#define APIC_ESR_RECV_ILLEGAL   (1u << 6)
#define APIC_ESR_ILLEGAL_REG    (1u << 7)

/* ICR fields (10.6.1). */
#define APIC_ICR_DEST_LOGICAL   (1u << 11)
#define APIC_ICR_BUSY           (1u << 12)
#define APIC_ICR_LEVEL_ASSERT   (1u << 14)
#define APIC_ICR_TRIGGER_LEVEL  (1u << 15)
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_ICR_WRITABLE       0x000ccfffu

#define APIC_DFR_FLAT           0xf0000000u

static APICState *apic_slots[CPU_MAX];  /* BQL; filled at realize */
static int apic_qtest_target;           /* BQL: "apic_select" */
static bool apic_pic_level;             /* BQL: the 8259's INT output */
static PICState *apic_pic;              /* BQL: for ExtINT acknowledge */
static MemoryRegion apic_mmio;          /* BQL; the shared xAPIC page */
static bool apic_mmio_mapped;           /* BQL */

/* --- state helpers --- */

static bool apic_x2(const APICState *s)
{
    return (s->apicbase & APIC_BASE_EXTD) != 0;
}

static bool apic_hw_enabled(const APICState *s)
{
    return (s->apicbase & APIC_BASE_ENABLE) != 0;
}

static bool apic_sw_enabled(const APICState *s)
{
    return (s->svr & APIC_SVR_ENABLE) != 0;
}

static int apic_highest(const uint32_t *bits)
{
    for (int i = 7; i >= 0; i--) {
        if (bits[i]) {
            return i * 32 + 31 - __builtin_clz(bits[i]);
        }
    }
    return -1;
}

static bool apic_test(const uint32_t *bits, int v)
{
    return (bits[v >> 5] >> (v & 31)) & 1;
}

static void apic_set(uint32_t *bits, int v, bool on)
{
    if (on) {
        bits[v >> 5] |= 1u << (v & 31);
    } else {
        bits[v >> 5] &= ~(1u << (v & 31));
    }
}

static uint32_t apic_ppr(const APICState *s)
{
    int isrv = apic_highest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (isrv & 0xf0);

    return (s->tpr & 0xf0) >= isr_class ? s->tpr & 0xff : isr_class;
}

/* The x2APIC logical ID: cluster in 31:16, one bit of 16 in 15:0. */
static uint32_t apic_x2_ldr(const APICState *s)
{
    return ((s->id >> 4) << 16) | (1u << (s->id & 0xf));
}

/* The vector to offer the CPU: >= 0; -1 none; -2 one is masked by PPR. */
static int apic_pending_vector(const APICState *s)
{
    int v;

    if (!apic_hw_enabled(s) || !apic_sw_enabled(s)) {
        return -1;
    }
    v = apic_highest(s->irr);
    if (v < 0) {
        return -1;
    }
    if ((uint32_t)(v & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -2;
    }
    return v;
}

bool apic_accepts_pic(APICState *s)
{
    uint32_t lvt0 = s->lvt[APIC_LVT_LINT0];

    if (!apic_hw_enabled(s)) {
        return s->index == 0;
    }
    return !(lvt0 & APIC_LVT_MASKED) &&
           ((lvt0 >> APIC_LVT_DM_SHIFT) & 7) == APIC_DM_EXTINT;
}

void apic_update_irq(APICState *s)
{
    bool hard = apic_pending_vector(s) >= 0 || s->extint_pending ||
                (apic_pic_level && apic_accepts_pic(s));

    s->int_out = hard;
    if (!s->cpu) {
        return;
    }
    if (hard) {
        if (!(__atomic_load_n(&s->cpu->interrupt_request, __ATOMIC_ACQUIRE) &
              CPU_INTERRUPT_HARD)) {
            cpu_interrupt(s->cpu, CPU_INTERRUPT_HARD);
        }
    } else {
        cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    }
}

/* NMI, INIT or SIPI to the vCPU; counted for tests. */
static void apic_signal(APICState *s, uint32_t what, uint8_t vector)
{
    if (what == CPU_INTERRUPT_NMI) {
        s->nmi_count++;
    } else if (what == CPU_INTERRUPT_INIT) {
        s->init_count++;
    } else {
        s->sipi_count++;
        s->sipi_vector = vector;
    }
    if (s->cpu) {
        if (what == CPU_INTERRUPT_SIPI) {
            x86_cpu(s->cpu)->sipi_vector = vector;
        } else if (what == CPU_INTERRUPT_INIT) {
            /* A SIPI still pending now came before this INIT and is
             * void; one raised from here on follows it, and the vCPU
             * takes the INIT first (x86_cpu_exec_interrupt). */
            cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_SIPI);
        }
        cpu_interrupt(s->cpu, what);
    }
}

static void apic_timer_rearm(APICState *s);
static void apic_init_reset(APICState *s);

/* An error condition: latched for the next ESR write, and the error
 * LVT's interrupt (10.5.3). */
static void apic_error(APICState *s, uint32_t bit);

/* A fixed interrupt arrives: IRR, and TMR per trigger (10.8.4). */
static void apic_set_irr(APICState *s, int vector, bool level)
{
    if (vector < 16) {
        apic_error(s, APIC_ESR_RECV_ILLEGAL);
        return;
    }
    apic_set(s->irr, vector, true);
    apic_set(s->tmr, vector, level);
    apic_update_irq(s);
}

static void apic_error(APICState *s, uint32_t bit)
{
    uint32_t lvt = s->lvt[APIC_LVT_ERROR];
    bool was = s->esr_pending & bit;

    s->esr_pending |= bit;
    if (!was && !(lvt & APIC_LVT_MASKED) &&
        (lvt & APIC_LVT_VECTOR) >= 16) {
        apic_set_irr(s, lvt & APIC_LVT_VECTOR, false);
    }
}

/* One message accepted by this LAPIC. */
static void apic_accept(APICState *s, int mode, int vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        apic_set_irr(s, vector, level);
        break;
    case APIC_DM_NMI:
        apic_signal(s, CPU_INTERRUPT_NMI, 0);
        break;
    case APIC_DM_INIT:
        apic_init_reset(s);
        apic_signal(s, CPU_INTERRUPT_INIT, 0);
        break;
    case APIC_DM_STARTUP:
        apic_signal(s, CPU_INTERRUPT_SIPI, vector);
        break;
    case APIC_DM_EXTINT:
        s->extint_pending = true;
        apic_update_irq(s);
        break;
    default:
        log_unimp("apic %u: delivery mode %d (SMI) is not supported\n",
                  s->index, mode);
        break;
    }
}

/* A local interrupt source through its LVT (10.5.1). */
static void apic_local_deliver(APICState *s, int n)
{
    uint32_t lvt = s->lvt[n];
    int mode = (lvt >> APIC_LVT_DM_SHIFT) & 7;

    if (lvt & APIC_LVT_MASKED) {
        return;
    }
    if (n == APIC_LVT_TIMER || n == APIC_LVT_ERROR) {
        mode = APIC_DM_FIXED;
    }
    if (mode == APIC_DM_EXTINT) {
        apic_update_irq(s);      /* level-sensitive: see apic_accepts_pic */
        return;
    }
    apic_accept(s, mode, lvt & APIC_LVT_VECTOR,
                (n == APIC_LVT_LINT0 || n == APIC_LVT_LINT1) &&
                (lvt & APIC_LVT_LEVEL) && mode == APIC_DM_FIXED);
}

/* --- destinations --- */

/* Whether s is a destination of (dest, logical); x2dest: dest is a 32-bit
 * x2APIC destination, else an 8-bit xAPIC/IOAPIC one. */
static bool apic_match(const APICState *s, uint32_t dest, bool logical,
                       bool x2dest)
{
    uint32_t bcast = x2dest ? 0xffffffffu : 0xffu;
    uint32_t ldr;

    if (!apic_hw_enabled(s)) {
        return false;
    }
    if (dest == bcast) {
        return true;
    }
    if (!logical) {
        return s->id == dest;
    }
    if (apic_x2(s)) {
        ldr = apic_x2_ldr(s);
        return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
    }
    dest &= 0xff;
    ldr = s->ldr >> 24;
    if ((s->dfr & APIC_DFR_FLAT) == APIC_DFR_FLAT) {
        return (dest & ldr) != 0;
    }
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/*
 * Delivers to every matching LAPIC (or, for lowest priority, to the one
 * with the lowest PPR).  self/others: the ICR shorthand's sender and
 * whether to include it (NULL sender: no shorthand).
 */
static void apic_deliver(uint32_t dest, bool logical, bool x2dest, int mode,
                         int vector, bool level)
{
    APICState *best = NULL;

    for (int i = 0; i < CPU_MAX; i++) {
        APICState *s = apic_slots[i];

        if (!s || !apic_match(s, dest, logical, x2dest)) {
            continue;
        }
        if (mode == APIC_DM_LOWPRI) {
            if (!best || apic_ppr(s) < apic_ppr(best)) {
                best = s;
            }
            continue;
        }
        apic_accept(s, mode, vector, level);
    }
    if (best) {
        apic_accept(best, mode, vector, level);
    }
}

void apic_bus_to_lapics(void *opaque, const ApicMessage *msg)
{
    if (!msg->level && msg->delivery_mode != APIC_DM_FIXED) {
        return;
    }
    apic_deliver(msg->dest, msg->dest_logical, false, msg->delivery_mode,
                 msg->vector, msg->trigger_level);
}

/* The ICR was written: send the IPI (10.6.1).  dest per the mode. */
static void apic_send_ipi(APICState *s, uint32_t lo, uint32_t dest)
{
    int mode = (lo >> 8) & 7;
    int vector = lo & 0xff;
    int shorthand = (lo >> APIC_ICR_SHORTHAND_SHIFT) & 3;
    bool level = lo & APIC_ICR_TRIGGER_LEVEL;

    if (mode == APIC_DM_INIT && level && !(lo & APIC_ICR_LEVEL_ASSERT)) {
        return;     /* INIT level de-assert: arbitration IDs only */
    }
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWPRI) && vector < 16) {
        apic_error(s, APIC_ESR_SEND_ILLEGAL);
        return;
    }
    if (mode == APIC_DM_STARTUP || mode == APIC_DM_NMI) {
        level = false;
    }
    switch (shorthand) {
    case 0:
        apic_deliver(dest, lo & APIC_ICR_DEST_LOGICAL, apic_x2(s), mode,
                     vector, level);
        break;
    case 1:
        apic_accept(s, mode, vector, level);
        break;
    case 2:
    case 3:
        for (int i = 0; i < CPU_MAX; i++) {
            APICState *d = apic_slots[i];

            if (d && apic_hw_enabled(d) && (shorthand == 2 || d != s)) {
                apic_accept(d, mode, vector, level);
            }
        }
        break;
    }
}

static void apic_eoi(APICState *s)
{
    int v = apic_highest(s->isr);

    if (v < 0) {
        return;
    }
    apic_set(s->isr, v, false);
    if (apic_test(s->tmr, v)) {
        ioapic_eoi_broadcast(v);
    }
    apic_update_irq(s);
}

/* --- the timer --- */

static int apic_timer_mode(const APICState *s)
{
    return (s->lvt[APIC_LVT_TIMER] >> APIC_LVT_TIMER_SHIFT) & 3;
}

/* log2 of the divider: TDCR bits 0, 1, 3 (10.5.4). */
static unsigned apic_div_shift(const APICState *s)
{
    unsigned v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);

    return (v + 1) & 7;
}

static uint32_t apic_current_count(const APICState *s)
{
    uint64_t ticks;

    if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE ||
        !s->initial_count) {
        return 0;
    }
    ticks = (uint64_t)(clock_get_ns(CLK_VIRTUAL) - s->count_start_ns) >>
            apic_div_shift(s);
    if (apic_timer_mode(s) == APIC_TIMER_PERIODIC) {
        return s->initial_count - ticks % s->initial_count;
    }
    return ticks >= s->initial_count ? 0 : s->initial_count - ticks;
}

/* Arms the host timer for the next expiry the state implies, or stops
 * it. */
static void apic_timer_rearm(APICState *s)
{
    unsigned shift = apic_div_shift(s);
    uint64_t ticks, k;
    int64_t now = clock_get_ns(CLK_VIRTUAL);

    switch (apic_timer_mode(s)) {
    case APIC_TIMER_TSC_DEADLINE:
        if (s->tsc_deadline) {
            timer_mod(s->timer, s->deadline_ns);
            return;
        }
        break;
    case APIC_TIMER_ONESHOT:
        if (s->initial_count) {
            ticks = (uint64_t)(now - s->count_start_ns) >> shift;
            if (ticks < s->initial_count) {
                timer_mod(s->timer, s->count_start_ns +
                          ((int64_t)s->initial_count << shift));
                return;
            }
        }
        break;
    case APIC_TIMER_PERIODIC:
        if (s->initial_count) {
            ticks = (uint64_t)(now - s->count_start_ns) >> shift;
            k = ticks / s->initial_count + 1;
            timer_mod(s->timer, s->count_start_ns +
                      (int64_t)((k * s->initial_count) << shift));
            return;
        }
        break;
    default:
        break;      /* mode 3 is reserved: the timer does not run */
    }
    timer_del(s->timer);
}

/* The count reached zero (or the TSC deadline passed).  Main loop, BQL. */
static void apic_timer_expired(void *opaque)
{
    APICState *s = opaque;

    if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) {
        if (!s->tsc_deadline) {
            return;
        }
        s->tsc_deadline = 0;
    } else if (!s->initial_count) {
        return;
    }
    apic_local_deliver(s, APIC_LVT_TIMER);
    apic_timer_rearm(s);
}

uint64_t apic_get_tsc_deadline(APICState *s)
{
    return apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE ? s->tsc_deadline
                                                         : 0;
}

void apic_set_tsc_deadline(APICState *s, uint64_t val, uint64_t tsc_now)
{
    int64_t now = clock_get_ns(CLK_VIRTUAL);
    uint64_t delta;

    if (apic_timer_mode(s) != APIC_TIMER_TSC_DEADLINE) {
        return;     /* ignored outside TSC-deadline mode (10.5.4.1) */
    }
    s->tsc_deadline = val;
    if (val) {
        delta = val > tsc_now ? val - tsc_now : 0;
        delta /= X86_TSC_HZ / 1000000000ull;
        s->deadline_ns = delta > (uint64_t)INT64_MAX - now ? INT64_MAX
                                                           : now + delta;
    }
    apic_timer_rearm(s);
}

/* --- register file --- */

static void apic_write_svr(APICState *s, uint32_t val)
{
    s->svr = val & APIC_SVR_WRITABLE;
    if (!apic_sw_enabled(s)) {
        /* 10.4.7.2: software disable masks every LVT. */
        for (int i = 0; i < APIC_LVT_NB; i++) {
            s->lvt[i] |= APIC_LVT_MASKED;
        }
    }
    apic_update_irq(s);
}

static void apic_write_lvt(APICState *s, int n, uint32_t val)
{
    uint32_t old = s->lvt[n];

    val &= apic_lvt_writable[n];
    if (!apic_sw_enabled(s)) {
        val |= APIC_LVT_MASKED;
    }
    s->lvt[n] = (old & ~apic_lvt_writable[n]) | val;
    if (n == APIC_LVT_TIMER &&
        (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) !=
        (((old >> APIC_LVT_TIMER_SHIFT) & 3) == APIC_TIMER_TSC_DEADLINE)) {
        /* Entering or leaving TSC-deadline mode disarms (10.5.4.1). */
        s->tsc_deadline = 0;
        s->initial_count = 0;
    }
    if (n == APIC_LVT_TIMER) {
        apic_timer_rearm(s);
    }
    apic_update_irq(s);
}

/* Reads register index (offset >> 4).  x2: through the x2APIC MSRs, where
 * a register that does not exist or is write-only is #GP (false). */
static bool apic_reg_read(APICState *s, int index, uint64_t *val, bool x2)
{
    switch (index) {
    case APIC_REG_ID:
        *val = x2 ? s->id : s->id << 24;
        return true;
    case APIC_REG_VERSION:
        *val = APIC_VERSION;
        return true;
    case APIC_REG_TPR:
        *val = s->tpr;
        return true;
    case APIC_REG_APR:
    case APIC_REG_RRD:
    case APIC_REG_EOI:
        /* No arbitration or remote reads are modelled; EOI is write-only
         * (in xAPIC mode it reads as 0). */
        *val = 0;
        return !x2;
    case APIC_REG_PPR:
        *val = apic_ppr(s);
        return true;
    case APIC_REG_LDR:
        *val = x2 ? apic_x2_ldr(s) : s->ldr;
        return true;
    case APIC_REG_DFR:
        *val = s->dfr | 0x0fffffffu;
        return !x2;
    case APIC_REG_SVR:
        *val = s->svr;
        return true;
    case APIC_REG_ESR:
        *val = s->esr;
        return true;
    case APIC_REG_ICR_LO:
        *val = s->icr_lo | (x2 ? (uint64_t)s->icr_hi << 32 : 0);
        return true;
    case APIC_REG_ICR_HI:
        *val = s->icr_hi;
        return !x2;
    case APIC_REG_TMICT:
        *val = s->initial_count;
        return true;
    case APIC_REG_TMCCT:
        *val = apic_current_count(s);
        return true;
    case APIC_REG_TDCR:
        *val = s->divide_conf;
        return true;
    }
    if (index >= APIC_REG_ISR && index < APIC_REG_ISR + 8) {
        *val = s->isr[index - APIC_REG_ISR];
        return true;
    }
    if (index >= APIC_REG_TMR && index < APIC_REG_TMR + 8) {
        *val = s->tmr[index - APIC_REG_TMR];
        return true;
    }
    if (index >= APIC_REG_IRR && index < APIC_REG_IRR + 8) {
        *val = s->irr[index - APIC_REG_IRR];
        return true;
    }
    if (index >= APIC_REG_LVT && index < APIC_REG_LVT + APIC_LVT_NB) {
        *val = s->lvt[index - APIC_REG_LVT];
        return true;
    }
    *val = 0;
    return false;
}

/* Writes register index.  x2: #GP (false) for read-only registers,
 * registers that do not exist in x2APIC mode and reserved bits. */
static bool apic_reg_write(APICState *s, int index, uint64_t val, bool x2)
{
    if (x2 && index != APIC_REG_ICR_LO && (val >> 32)) {
        return false;
    }
    switch (index) {
    case APIC_REG_ID:
        if (x2) {
            return false;
        }
        s->id = (val >> 24) & 0xff;
        return true;
    case APIC_REG_TPR:
        if (x2 && val > 0xff) {
            return false;
        }
        s->tpr = val & 0xff;
        apic_update_irq(s);
        return true;
    case APIC_REG_EOI:
        if (x2 && val) {
            return false;
        }
        apic_eoi(s);
        return true;
    case APIC_REG_LDR:
        if (x2) {
            return false;
        }
        s->ldr = val & 0xff000000u;
        return true;
    case APIC_REG_DFR:
        if (x2) {
            return false;
        }
        s->dfr = val & 0xf0000000u;
        return true;
    case APIC_REG_SVR:
        if (x2 && (val & ~(uint64_t)APIC_SVR_WRITABLE)) {
            return false;
        }
        apic_write_svr(s, val);
        return true;
    case APIC_REG_ESR:
        if (x2 && val) {
            return false;
        }
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        return true;
    case APIC_REG_ICR_LO:
        if (x2) {
            if ((uint32_t)val & ~APIC_ICR_WRITABLE) {
                return false;
            }
            s->icr_hi = val >> 32;
        }
        s->icr_lo = val & APIC_ICR_WRITABLE;
        apic_send_ipi(s, s->icr_lo, x2 ? s->icr_hi : s->icr_hi >> 24);
        return true;
    case APIC_REG_ICR_HI:
        if (x2) {
            return false;
        }
        s->icr_hi = val & 0xff000000u;
        return true;
    case APIC_REG_TMICT:
        if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) {
            return true;        /* ignored in TSC-deadline mode */
        }
        s->initial_count = val;
        s->count_start_ns = clock_get_ns(CLK_VIRTUAL);
        apic_timer_rearm(s);
        return true;
    case APIC_REG_TDCR: {
        uint32_t cur = apic_current_count(s);

        if (x2 && (val & ~0xbull)) {
            return false;
        }
        s->divide_conf = val & 0xb;
        /* The count goes on from where it is, at the new rate. */
        if (s->initial_count && cur) {
            s->count_start_ns = clock_get_ns(CLK_VIRTUAL) -
                ((int64_t)(s->initial_count - cur) << apic_div_shift(s));
        }
        apic_timer_rearm(s);
        return true;
    }
    case APIC_REG_SELF_IPI:
        if (!x2 || val > 0xff) {
            return false;
        }
        apic_send_ipi(s, (1u << APIC_ICR_SHORTHAND_SHIFT) | (uint32_t)val, 0);
        return true;
    case APIC_REG_VERSION:
    case APIC_REG_APR:
    case APIC_REG_PPR:
    case APIC_REG_RRD:
    case APIC_REG_TMCCT:
        return !x2;     /* read-only: ignored in xAPIC mode */
    }
    if (index >= APIC_REG_ISR && index < APIC_REG_IRR + 8) {
        return !x2;     /* ISR, TMR, IRR are read-only */
    }
    if (index >= APIC_REG_LVT && index < APIC_REG_LVT + APIC_LVT_NB) {
        apic_write_lvt(s, index - APIC_REG_LVT, val);
        return true;
    }
    return false;
}

/* --- MMIO (xAPIC) --- */

/* The LAPIC an MMIO access is for: the accessing vCPU's, else the one
 * "apic_select" chose (device tests). */
static APICState *apic_for_access(void)
{
    CPUState *cpu = current_cpu();

    if (cpu) {
        return x86_cpu(cpu)->apic;
    }
    return apic_slots[apic_qtest_target];
}

/* Called with the BQL held (needs_bql). */
static uint64_t apic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    APICState *s = apic_for_access();
    uint64_t val;

    if (!s || !apic_hw_enabled(s) || apic_x2(s)) {
        log_guest_error("apic: MMIO read at %#" PRIx64 " while the xAPIC "
                        "interface is off\n", (uint64_t)addr);
        return 0;
    }
    if ((addr & 0xf) + size > 4) {
        return 0;       /* the reserved 12 bytes after each register */
    }
    if (!apic_reg_read(s, addr >> 4, &val, false)) {
        apic_error(s, APIC_ESR_ILLEGAL_REG);
        log_guest_error("apic %u: read of register %#x that does not "
                        "exist\n", s->index, (unsigned)(addr & ~0xfull));
        return 0;
    }
    return (uint32_t)val >> ((addr & 3) * 8);
}

/* Called with the BQL held (needs_bql). */
static void apic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    APICState *s = apic_for_access();

    if (!s || !apic_hw_enabled(s) || apic_x2(s)) {
        log_guest_error("apic: MMIO write at %#" PRIx64 " while the xAPIC "
                        "interface is off\n", (uint64_t)addr);
        return;
    }
    if (size != 4 || (addr & 0xf)) {
        log_guest_error("apic %u: %u-byte write at %#" PRIx64 " ignored "
                        "(registers take aligned 4-byte writes)\n", s->index,
                        size, (uint64_t)addr);
        return;
    }
    if (!apic_reg_write(s, addr >> 4, (uint32_t)val, false)) {
        apic_error(s, APIC_ESR_ILLEGAL_REG);
        log_guest_error("apic %u: write to register %#x that does not "
                        "exist\n", s->index, (unsigned)addr);
    }
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* --- the CPU's side --- */

int apic_int_ack(APICState *s)
{
    int v = apic_pending_vector(s);

    if (v >= 0) {
        apic_set(s->irr, v, false);
        apic_set(s->isr, v, true);
        apic_update_irq(s);
        return v;
    }
    if (s->extint_pending || (apic_pic_level && apic_accepts_pic(s))) {
        s->extint_pending = false;
        v = apic_pic ? pic_read_irq(apic_pic) : -1;
        apic_update_irq(s);
        return v;
    }
    apic_update_irq(s);
    /* Raised, then masked by the TPR before the acknowledge (10.9). */
    return v == -2 ? (int)(s->svr & 0xff) : -1;
}

uint64_t apic_get_base(APICState *s)
{
    return s->apicbase;
}

bool apic_set_base(APICState *s, uint64_t val)
{
    bool was_en = apic_hw_enabled(s), was_x2 = apic_x2(s);
    bool en = val & APIC_BASE_ENABLE, x2 = val & APIC_BASE_EXTD;

    /* Bits 0-7, 9 and above MAXPHYADDR (40) are reserved. */
    if (val & (0x2ffull | ~((1ull << 40) - 1))) {
        return false;
    }
    /* 10.12.5: x2APIC needs the enable bit; x2APIC -> xAPIC and
     * disabled -> x2APIC are invalid transitions. */
    if ((x2 && !en) || (was_x2 && en && !x2) || (!was_en && x2)) {
        return false;
    }
    if ((val & ~0xfffull) != APIC_DEFAULT_BASE &&
        (val & ~0xfffull) != (s->apicbase & ~0xfffull)) {
        log_unimp("apic %u: relocating the xAPIC page to %#" PRIx64 " is "
                  "not supported; it stays at %#llx\n", s->index,
                  (uint64_t)(val & ~0xfffull), APIC_DEFAULT_BASE);
    }
    s->apicbase = (val & ~APIC_BASE_BSP) | (s->apicbase & APIC_BASE_BSP);
    if (was_en && !en) {
        apic_init_reset(s);     /* 10.4.3: disabling resets the state */
    }
    apic_update_irq(s);
    return true;
}

bool apic_msr_read(APICState *s, uint32_t msr, uint64_t *val)
{
    if (!apic_x2(s) || msr < APIC_X2_MSR_BASE || msr > APIC_X2_MSR_END) {
        return false;
    }
    return apic_reg_read(s, msr - APIC_X2_MSR_BASE, val, true);
}

bool apic_msr_write(APICState *s, uint32_t msr, uint64_t val)
{
    if (!apic_x2(s) || msr < APIC_X2_MSR_BASE || msr > APIC_X2_MSR_END) {
        return false;
    }
    return apic_reg_write(s, msr - APIC_X2_MSR_BASE, val, true);
}

uint8_t apic_get_cr8(APICState *s)
{
    return (s->tpr >> 4) & 0xf;
}

void apic_set_cr8(APICState *s, uint8_t cr8)
{
    s->tpr = (cr8 & 0xf) << 4;
    apic_update_irq(s);
}

void apic_set_lint0(int level)
{
    bool rising = level && !apic_pic_level;

    apic_pic_level = level != 0;
    for (int i = 0; i < CPU_MAX; i++) {
        APICState *s = apic_slots[i];
        uint32_t lvt0;

        if (!s) {
            continue;
        }
        lvt0 = s->lvt[APIC_LVT_LINT0];
        if (!apic_hw_enabled(s) ||
            ((lvt0 >> APIC_LVT_DM_SHIFT) & 7) == APIC_DM_EXTINT) {
            apic_update_irq(s);
        } else if (rising) {
            apic_local_deliver(s, APIC_LVT_LINT0);
        }
    }
}

void apic_set_lint1_all(int level)
{
    for (int i = 0; i < CPU_MAX; i++) {
        APICState *s = apic_slots[i];

        if (s) {
            if (level && !s->lint1_level) {
                apic_local_deliver(s, APIC_LVT_LINT1);
            }
            s->lint1_level = level != 0;
        }
    }
}

void apic_deliver_nmi(APICState *s)
{
    if (apic_hw_enabled(s) && apic_sw_enabled(s)) {
        apic_local_deliver(s, APIC_LVT_LINT1);
    } else {
        apic_signal(s, CPU_INTERRUPT_NMI, 0);
    }
}

void apic_set_pic(PICState *pic)
{
    apic_pic = pic;
}

APICState *apic_find(int index)
{
    return index >= 0 && index < CPU_MAX ? apic_slots[index] : NULL;
}

void apic_connect_cpu(APICState *s, CPUState *cpu)
{
    s->cpu = cpu;
    s->id = x86_cpu(cpu)->apic_id;
    x86_cpu(cpu)->apic = s;
    apic_update_irq(s);
}

/* --- qtest board commands (main loop, BQL) --- */

static APICState *apic_qtest_arg(char **argv, int argc, int i)
{
    uint64_t n;

    if (i >= argc || !parse_uint64(argv[i], &n) || n >= CPU_MAX) {
        return NULL;
    }
    return apic_slots[n];
}

/* "apic_select N": device-test MMIO goes to LAPIC N. */
static char *apic_qtest_select(void *opaque, char **argv, int argc)
{
    APICState *s = argc == 2 ? apic_qtest_arg(argv, argc, 1) : NULL;

    if (!s) {
        return g_strdup("FAIL apic_select takes a LAPIC index");
    }
    apic_qtest_target = s->index;
    return g_strdup("OK");
}

/* "apic_intr N" -> "OK <level>": LAPIC N's INTR output to its CPU. */
static char *apic_qtest_intr(void *opaque, char **argv, int argc)
{
    APICState *s = argc == 2 ? apic_qtest_arg(argv, argc, 1) : NULL;

    if (!s) {
        return g_strdup("FAIL apic_intr takes a LAPIC index");
    }
    return g_strdup_printf("OK %d", s->int_out);
}

/* "apic_inta N" -> "OK <vector>" or "OK -1": the CPU's acknowledge. */
static char *apic_qtest_inta(void *opaque, char **argv, int argc)
{
    APICState *s = argc == 2 ? apic_qtest_arg(argv, argc, 1) : NULL;

    if (!s) {
        return g_strdup("FAIL apic_inta takes a LAPIC index");
    }
    return g_strdup_printf("OK %d", apic_int_ack(s));
}

/* "apic_events N" -> "OK nmi=.. init=.. sipi=.. vector=0x..". */
static char *apic_qtest_events(void *opaque, char **argv, int argc)
{
    APICState *s = argc == 2 ? apic_qtest_arg(argv, argc, 1) : NULL;

    if (!s) {
        return g_strdup("FAIL apic_events takes a LAPIC index");
    }
    return g_strdup_printf("OK nmi=%u init=%u sipi=%u vector=0x%02x",
                           s->nmi_count, s->init_count, s->sipi_count,
                           s->sipi_vector);
}

/*
 * "apic_msr N rd MSR" -> "OK 0x<val>" | "OK gp";
 * "apic_msr N wr MSR VAL" -> "OK" | "OK gp": LAPIC N's MSRs as its CPU
 * would see them (APIC_BASE 0x1b, x2APIC 0x800-0x8ff, TSC deadline 0x6e0
 * with a TSC of 0).
 */
static char *apic_qtest_msr(void *opaque, char **argv, int argc)
{
    APICState *s = argc >= 4 ? apic_qtest_arg(argv, argc, 1) : NULL;
    uint64_t msr, val = 0;
    bool wr = argc == 5 && !strcmp(argv[2], "wr");
    bool ok;

    if (!s || !parse_uint64(argv[3], &msr) ||
        !(wr || (argc == 4 && !strcmp(argv[2], "rd"))) ||
        (wr && !parse_uint64(argv[4], &val))) {
        return g_strdup("FAIL apic_msr N rd MSR | apic_msr N wr MSR VAL");
    }
    if (msr == 0x1b) {
        ok = wr ? apic_set_base(s, val) : (val = apic_get_base(s), true);
    } else if (msr == 0x6e0) {
        ok = true;
        if (wr) {
            apic_set_tsc_deadline(s, val, 0);
        } else {
            val = apic_get_tsc_deadline(s);
        }
    } else {
        ok = wr ? apic_msr_write(s, msr, val) : apic_msr_read(s, msr, &val);
    }
    if (!ok) {
        return g_strdup("OK gp");
    }
    return wr ? g_strdup("OK") : g_strdup_printf("OK 0x%" PRIx64, val);
}

/* --- state held elsewhere: KVM's in-kernel LAPIC --- */

static uint32_t apic_page_rd(const uint8_t *page, int index)
{
    const uint8_t *p = page + 16 * index;

    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void apic_store_regs(APICState *s, uint8_t *page, size_t len)
{
    for (int i = 0; i < (int)(len / 16) && i <= APIC_REG_TDCR; i++) {
        uint64_t v;

        if (apic_reg_read(s, i, &v, false)) {
            for (int b = 0; b < 4; b++) {
                page[16 * i + b] = v >> (8 * b);
            }
        }
    }
}

void apic_load_regs(APICState *s, const uint8_t *page, size_t len,
                    uint64_t apicbase)
{
    uint32_t current;
    unsigned shift;

    assert(len >= 16 * (APIC_REG_TDCR + 1));
    s->apicbase = apicbase;
    s->id = apic_page_rd(page, APIC_REG_ID) >> 24;
    s->tpr = apic_page_rd(page, APIC_REG_TPR) & 0xff;
    if (!apic_x2(s)) {
        s->ldr = apic_page_rd(page, APIC_REG_LDR) & 0xff000000u;
    }
    s->dfr = apic_page_rd(page, APIC_REG_DFR) & 0xf0000000u;
    s->svr = apic_page_rd(page, APIC_REG_SVR) & APIC_SVR_WRITABLE;
    s->esr = apic_page_rd(page, APIC_REG_ESR);
    for (int i = 0; i < 8; i++) {
        s->isr[i] = apic_page_rd(page, APIC_REG_ISR + i);
        s->tmr[i] = apic_page_rd(page, APIC_REG_TMR + i);
        s->irr[i] = apic_page_rd(page, APIC_REG_IRR + i);
    }
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] = apic_page_rd(page, APIC_REG_LVT + i) &
                    apic_lvt_writable[i];
    }
    s->icr_lo = apic_page_rd(page, APIC_REG_ICR_LO);
    s->icr_hi = apic_page_rd(page, APIC_REG_ICR_HI);
    s->divide_conf = apic_page_rd(page, APIC_REG_TDCR) & 0xb;
    s->initial_count = apic_page_rd(page, APIC_REG_TMICT);
    /* The current count: a start time that gives it now. */
    current = apic_page_rd(page, APIC_REG_TMCCT);
    shift = apic_div_shift(s);
    s->count_start_ns = clock_get_ns(CLK_VIRTUAL) -
        (int64_t)((uint64_t)(s->initial_count -
                             MIN(current, s->initial_count)) << shift);
}

/* "info lapic": the current CPU's LAPIC registers, read through the
 * register decoder (apic_reg_read).  Main thread, BQL; the VM is stopped
 * (under KVM the registers are then the kernel's, see apic_load_regs). */
static void apic_cmd_info_lapic(MonitorContext *ctx, const char *args)
{
    static const struct { const char *name; int index; } regs[] = {
        { "ID", APIC_REG_ID }, { "VERSION", APIC_REG_VERSION },
        { "TPR", APIC_REG_TPR }, { "PPR", APIC_REG_PPR },
        { "LDR", APIC_REG_LDR }, { "DFR", APIC_REG_DFR },
        { "SVR", APIC_REG_SVR }, { "ESR", APIC_REG_ESR },
        { "ICR", APIC_REG_ICR_LO }, { "ICR2", APIC_REG_ICR_HI },
        { "LVTT", APIC_REG_LVT + APIC_LVT_TIMER },
        { "LVTTHMR", APIC_REG_LVT + APIC_LVT_THERMAL },
        { "LVTPC", APIC_REG_LVT + APIC_LVT_PERF },
        { "LVT0", APIC_REG_LVT + APIC_LVT_LINT0 },
        { "LVT1", APIC_REG_LVT + APIC_LVT_LINT1 },
        { "LVTERR", APIC_REG_LVT + APIC_LVT_ERROR },
        { "TMICT", APIC_REG_TMICT }, { "TMCCT", APIC_REG_TMCCT },
        { "TDCR", APIC_REG_TDCR },
    };
    static const struct { const char *name; int index; } vecs[] = {
        { "ISR", APIC_REG_ISR }, { "TMR", APIC_REG_TMR },
        { "IRR", APIC_REG_IRR },
    };
    APICState *s = ctx->cpu ? x86_cpu(ctx->cpu)->apic : apic_slots[0];

    if (!s) {
        g_string_append(ctx->out, "info lapic: no local APIC\n");
        return;
    }
    g_string_append_printf(ctx->out, "local APIC of CPU %u: APIC_BASE "
                           "0x%016" PRIx64 "\n", s->index, s->apicbase);
    for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
        uint64_t v;

        apic_reg_read(s, regs[i].index, &v, false);
        g_string_append_printf(ctx->out, "%-8s 0x%08" PRIx64 "\n",
                               regs[i].name, v);
    }
    for (size_t i = 0; i < ARRAY_SIZE(vecs); i++) {
        g_string_append_printf(ctx->out, "%-8s", vecs[i].name);
        for (int v = 0; v < 256; v++) {
            uint64_t w;

            apic_reg_read(s, vecs[i].index + v / 32, &w, false);
            if (w & (1u << (v % 32))) {
                g_string_append_printf(ctx->out, " 0x%02x", v);
            }
        }
        g_string_append(ctx->out, "\n");
    }
}

static const MonitorCmd apic_info_lapic_cmd = {
    "info lapic", "", "the current CPU's local APIC registers",
    apic_cmd_info_lapic,
};

/* --- reset, realize, save/restore --- */

/* INIT (10.4.7.3): the power-on state, except the ID and APIC_BASE. */
static void apic_init_reset(APICState *s)
{
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = APIC_DFR_FLAT;
    s->svr = 0xff;
    s->esr = s->esr_pending = 0;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] = APIC_LVT_MASKED;
    }
    s->icr_lo = s->icr_hi = 0;
    s->initial_count = 0;
    s->divide_conf = 0;
    s->count_start_ns = 0;
    s->tsc_deadline = 0;
    s->deadline_ns = 0;
    s->extint_pending = false;
    if (s->timer) {
        timer_del(s->timer);
    }
    apic_update_irq(s);
}

static void apic_reset(DeviceState *dev)
{
    APICState *s = container_of(dev, APICState, parent);

    s->apicbase = APIC_DEFAULT_BASE | APIC_BASE_ENABLE |
                  (s->index == 0 ? APIC_BASE_BSP : 0);
    /* Its CPU's topology-packed APIC ID (CPUID leaf 1 EBX[31:24]); the
     * slot number while no CPU is connected (qtest). */
    s->id = s->cpu ? x86_cpu(s->cpu)->apic_id : s->index;
    s->lint1_level = false;
    s->nmi_count = s->init_count = s->sipi_count = 0;
    s->sipi_vector = 0;
    apic_init_reset(s);
    if (s->index == 0) {
        /* Virtual-wire mode, as PC firmware leaves the BSP: the 8259 on
         * LINT0 (ExtINT), the NMI line on LINT1. */
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << APIC_LVT_DM_SHIFT;
        s->lvt[APIC_LVT_LINT1] = APIC_DM_NMI << APIC_LVT_DM_SHIFT;
    }
    apic_update_irq(s);
}

static void apic_realize(DeviceState *dev, Error **errp)
{
    APICState *s = container_of(dev, APICState, parent);

    if (s->index >= CPU_MAX) {
        error_setg(errp, "apic: index %u is out of range (max %d)",
                   s->index, CPU_MAX - 1);
        return;
    }
    if (apic_slots[s->index]) {
        error_setg(errp, "apic: CPU %u already has a LAPIC", s->index);
        return;
    }
    s->timer = timer_new(main_loop_get(), CLK_VIRTUAL, apic_timer_expired,
                         s);
    apic_slots[s->index] = s;
    if (!apic_mmio_mapped) {
        memory_region_init_io(&apic_mmio, &apic_mmio_ops, NULL, "apic",
                              APIC_MMIO_SIZE);
        /* Above RAM, which may cover this address. */
        memory_region_add_subregion_overlap(get_system_memory(),
                                            APIC_DEFAULT_BASE, &apic_mmio,
                                            10);
        apic_mmio_mapped = true;
        qtest_command_register("apic_select", apic_qtest_select, NULL);
        qtest_command_register("apic_intr", apic_qtest_intr, NULL);
        qtest_command_register("apic_inta", apic_qtest_inta, NULL);
        qtest_command_register("apic_events", apic_qtest_events, NULL);
        qtest_command_register("apic_msr", apic_qtest_msr, NULL);
        monitor_register_command(&apic_info_lapic_cmd);
    }
    apic_reset(dev);
}

static bool apic_post_load(DeviceState *dev, Error **errp)
{
    APICState *s = container_of(dev, APICState, parent);

    s->tpr &= 0xff;
    s->svr &= APIC_SVR_WRITABLE;
    s->divide_conf &= 0xb;
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] &= apic_lvt_writable[i];
    }
    apic_timer_rearm(s);
    apic_update_irq(s);
    return true;
}

static const VMStateField apic_vmstate[] = {
    VMSTATE_UINT64(apicbase, APICState),
    VMSTATE_UINT32(id, APICState),
    VMSTATE_UINT32(tpr, APICState),
    VMSTATE_UINT32(ldr, APICState),
    VMSTATE_UINT32(dfr, APICState),
    VMSTATE_UINT32(svr, APICState),
    VMSTATE_UINT32(esr, APICState),
    VMSTATE_UINT32(esr_pending, APICState),
    VMSTATE_BUFFER(isr, APICState),
    VMSTATE_BUFFER(tmr, APICState),
    VMSTATE_BUFFER(irr, APICState),
    VMSTATE_BUFFER(lvt, APICState),
    VMSTATE_UINT32(icr_lo, APICState),
    VMSTATE_UINT32(icr_hi, APICState),
    VMSTATE_UINT32(initial_count, APICState),
    VMSTATE_UINT32(divide_conf, APICState),
    VMSTATE_INT64(count_start_ns, APICState),
    VMSTATE_UINT64(tsc_deadline, APICState),
    VMSTATE_INT64(deadline_ns, APICState),
    VMSTATE_BOOL(extint_pending, APICState),
    VMSTATE_BOOL(lint1_level, APICState),
    VMSTATE_END,
};

static const Property apic_props[] = {
    DEFINE_PROP_UINT32("index", APICState, index, 0),
    DEFINE_PROP_END,
};

static const DeviceClass apic_class = {
    .name = "apic",
    .desc = "x86 local APIC (one per CPU, built into pc)",
    .bus = "sysbus",
    .user_creatable = false,
    .instance_size = sizeof(APICState),
    .props = apic_props,
    .realize = apic_realize,
    .reset = apic_reset,
    .vmstate = apic_vmstate,
    .post_load = apic_post_load,
};
DEVICE_REGISTER(apic_class);

APICState *apic_create(int index, Error **errp)
{
    DeviceState *dev = device_new("apic", errp);
    char val[16];

    if (!dev) {
        return NULL;
    }
    snprintf(val, sizeof(val), "%d", index);
    dev->id = g_strdup_printf("apic%d", index);
    if (!device_set_prop(dev, "index", val, errp) ||
        !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return container_of(dev, APICState, parent);
}
