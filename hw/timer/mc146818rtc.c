/*
 * mc146818rtc.c: the PC's Motorola MC146818 real-time clock with its CMOS
 * memory ("mc146818rtc"), ports 0x70 (index) and 0x71 (data), IRQ 8.
 *
 * 128 bytes: 0x00..0x09 time, date and alarm, 0x0a..0x0d registers A..D,
 * the rest battery-backed memory that firmware uses for configuration (the
 * board fills in the memory-size and equipment bytes, rtc_set_cmos()).
 * 0x32 holds the century, as on every PC.  Bit 7 of a port 0x70 write is
 * the NMI mask of the PC's NMI logic, kept for the NMI path
 * (rtc_nmi_disabled()); the index itself is 7 bits.
 *
 * Time: the clock is a base plus virtual time.  At realize the base is the
 * host's wall clock (CLK_HOST), and from then on guest time advances with
 * CLK_VIRTUAL, so a stopped VM's clock stops and a qtest clock_step moves
 * it exactly:
 *
 *     elapsed_ns = clock_get_ns(CLK_VIRTUAL) - base_vclock_ns
 *     guest time = base_rtc_sec + elapsed_ns / 10^9 seconds
 *
 * (base_vclock_ns is the virtual time at which second base_rtc_sec began;
 * keeping seconds and nanoseconds apart means no guest-chosen date, up to
 * the year 9999 and beyond, can overflow the arithmetic.)
 *
 * The time registers are computed from guest_ns when read (in BCD or
 * binary per register B's DM bit, 12- or 24-hour per its 24/12 bit, PM in
 * bit 7 of the hour).  A guest write to a time register re-bases the clock
 * on the registers' values.  While B.SET is 1 the registers are frozen and
 * writable; clearing SET restarts the clock from them at second 0.
 *
 * Interrupts (register C flags; IRQF = PF&PIE | AF&AIE | UF&UIE):
 *   - periodic: rate from A's RS bits (1, 2: 256, 128 Hz; 3..15:
 *     32768 >> (RS-1) Hz), on period boundaries of CLK_VIRTUAL;
 *   - update-ended: once per second of guest time, as the seconds change;
 *   - alarm: at the update where seconds, minutes and hours match the alarm
 *     bytes (a value of 0xc0..0xff is "don't care").
 * A timer is armed only for an enabled interrupt.  With an interrupt
 * disabled its flag is still set, computed when register C is read: PF and
 * UF if a boundary passed since the last read.  AF is only computed while
 * AIE is set (a documented limitation).  Reading C returns and clears the
 * flags and lowers IRQ 8.  UIP (A bit 7) is 1 for the last 244 us of each
 * second while the clock runs.  Register D reads 0x80 (VRT: battery good).
 * Divider selections other than the PC's 32.768 kHz (A bits 6..4 = 010)
 * are stored but do not stop the clock.
 *
 * Coalesced index writes: a guest reaches a CMOS byte with an OUT to
 * 0x70 and an IN/OUT on 0x71, so half of all RTC accesses are index
 * writes with no effect until the data port is used.  The index port is
 * its own 1-byte region ("rtc-index") marked as a coalesced zone, and the
 * 2-byte "rtc" region under it flushes coalesced writes: under KVM the
 * index writes are buffered by the kernel without an exit and replayed,
 * in order, before the next data-port access (include/system/memory.h).
 * rtc_nmi_disabled() reads state set by index writes, so it flushes too.
 *
 * Threads and locks: ports, timers, reset and vmstate run with the BQL
 * held; the regions keep needs_bql.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "hw/timer/mc146818rtc.h"
#include "system/memory.h"
#include "system/main-loop.h"

#define RTC_CMOS_SIZE 128

struct RTCState {
    DeviceState parent;

    uint32_t iobase;            /* property, 0x70 */
    uint32_t irq_num;           /* property, 8 */
    MemoryRegion io;            /* 0x70-0x71; flushes coalesced writes */
    MemoryRegion index_io;      /* 0x70 over io: a coalesced zone */
    IrqLine *irq;
    Timer *periodic_timer;      /* next PF while PIE; CLK_VIRTUAL */
    Timer *update_timer;        /* next second while UIE|AIE; CLK_VIRTUAL */

    /* Guest-visible state; BQL. */
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    uint8_t nmi_disabled;
    int64_t base_rtc_sec;       /* guest time (s since 1970) that began ... */
    int64_t base_vclock_ns;     /* ... at this CLK_VIRTUAL time */
    int64_t last_c_read_ns;     /* CLK_VIRTUAL of the last C read (PF/UF) */
    uint8_t irq_level;
};

#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d
#define RTC_CENTURY         0x32

#define RTC_A_UIP           0x80
#define RTC_A_DV            0x70
#define RTC_A_RS            0x0f
#define RTC_B_SET           0x80
#define RTC_B_PIE           0x40
#define RTC_B_AIE           0x20
#define RTC_B_UIE           0x10
#define RTC_B_DM_BINARY     0x04
#define RTC_B_24H           0x02
#define RTC_C_IRQF          0x80
#define RTC_C_PF            0x40
#define RTC_C_AF            0x20
#define RTC_C_UF            0x10
#define RTC_D_VRT           0x80

#define RTC_NS_PER_SEC      1000000000LL
#define RTC_UIP_NS          244141  /* update-in-progress window before */
#define RTC_ALARM_DONT_CARE 0xc0

/* --- the clock --- */

static int64_t rtc_vclock(void)
{
    return clock_get_ns(CLK_VIRTUAL);
}

/* Guest nanoseconds since base_rtc_sec began, at virtual time t. */
static int64_t rtc_elapsed_at(RTCState *s, int64_t t)
{
    int64_t e = t - s->base_vclock_ns;

    return e < 0 ? 0 : e;
}

static int64_t rtc_elapsed(RTCState *s)
{
    return rtc_elapsed_at(s, rtc_vclock());
}

static bool rtc_running(RTCState *s)
{
    return !(s->cmos[RTC_REG_B] & RTC_B_SET);
}

static uint8_t rtc_to_reg(RTCState *s, unsigned v)
{
    v %= 100;                   /* every field is two decimal digits */
    if (s->cmos[RTC_REG_B] & RTC_B_DM_BINARY) {
        return v;
    }
    return ((v / 10) << 4) | (v % 10);
}

static int rtc_from_reg(RTCState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_DM_BINARY) {
        return v;
    }
    return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t rtc_hour_to_reg(RTCState *s, int hour)
{
    bool pm;

    if (s->cmos[RTC_REG_B] & RTC_B_24H) {
        return rtc_to_reg(s, hour);
    }
    pm = hour >= 12;
    hour %= 12;
    return rtc_to_reg(s, hour ? hour : 12) | (pm ? 0x80 : 0);
}

static int rtc_hour_from_reg(RTCState *s, uint8_t v)
{
    int hour;

    if (s->cmos[RTC_REG_B] & RTC_B_24H) {
        return rtc_from_reg(s, v);
    }
    hour = rtc_from_reg(s, v & 0x7f) % 12;
    return (v & 0x80) ? hour + 12 : hour;
}

/* Refreshes the time registers from the running clock. */
static void rtc_update_regs(RTCState *s)
{
    time_t secs;
    struct tm tm;
    int year;

    if (!rtc_running(s)) {
        return;                 /* SET: frozen */
    }
    secs = s->base_rtc_sec + rtc_elapsed(s) / RTC_NS_PER_SEC;
    if (!gmtime_r(&secs, &tm)) {
        secs = 0;               /* out of range: cannot come from our regs */
        gmtime_r(&secs, &tm);
    }
    year = tm.tm_year + 1900;
    if (year < 0) {
        year = 0;
    }
    s->cmos[RTC_SECONDS] = rtc_to_reg(s, tm.tm_sec);
    s->cmos[RTC_MINUTES] = rtc_to_reg(s, tm.tm_min);
    s->cmos[RTC_HOURS] = rtc_hour_to_reg(s, tm.tm_hour);
    s->cmos[RTC_DAY_OF_WEEK] = rtc_to_reg(s, tm.tm_wday + 1);
    s->cmos[RTC_DAY_OF_MONTH] = rtc_to_reg(s, tm.tm_mday);
    s->cmos[RTC_MONTH] = rtc_to_reg(s, tm.tm_mon + 1);
    s->cmos[RTC_YEAR] = rtc_to_reg(s, year % 100);
    s->cmos[RTC_CENTURY] = rtc_to_reg(s, year / 100);
}

/* Restarts the clock from the time registers, at second 0 of that
 * second. */
static void rtc_rebase_from_regs(RTCState *s)
{
    struct tm tm = { 0 };
    time_t secs;

    tm.tm_sec = rtc_from_reg(s, s->cmos[RTC_SECONDS]);
    tm.tm_min = rtc_from_reg(s, s->cmos[RTC_MINUTES]);
    tm.tm_hour = rtc_hour_from_reg(s, s->cmos[RTC_HOURS]);
    tm.tm_mday = rtc_from_reg(s, s->cmos[RTC_DAY_OF_MONTH]);
    tm.tm_mon = rtc_from_reg(s, s->cmos[RTC_MONTH]) - 1;
    tm.tm_year = rtc_from_reg(s, s->cmos[RTC_CENTURY]) * 100 +
                 rtc_from_reg(s, s->cmos[RTC_YEAR]) - 1900;
    secs = timegm(&tm);
    if (secs == (time_t)-1) {
        log_guest_error("mc146818rtc: time registers hold no valid date\n");
        secs = 0;
    }
    s->base_rtc_sec = secs;
    s->base_vclock_ns = rtc_vclock();
}

/* --- interrupts --- */

/* The periodic rate's period in ns, or 0 if off. */
static int64_t rtc_periodic_ns(RTCState *s)
{
    int rs = s->cmos[RTC_REG_A] & RTC_A_RS;
    int cycles;

    if (!rs) {
        return 0;
    }
    cycles = rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);   /* of 32768 Hz */
    return (int64_t)cycles * RTC_NS_PER_SEC / 32768;
}

static void rtc_irq_update(RTCState *s)
{
    uint8_t c = s->cmos[RTC_REG_C] & (RTC_C_PF | RTC_C_AF | RTC_C_UF);
    uint8_t enabled = s->cmos[RTC_REG_B] &
                      (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
    bool level = (c & enabled) != 0;    /* PF/PIE, AF/AIE, UF/UIE align */

    s->cmos[RTC_REG_C] = c | (level ? RTC_C_IRQF : 0);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

static void rtc_arm_timers(RTCState *s)
{
    int64_t now = rtc_vclock();
    int64_t period = rtc_periodic_ns(s);

    if (period && (s->cmos[RTC_REG_B] & RTC_B_PIE)) {
        timer_mod(s->periodic_timer, (now / period + 1) * period);
    } else {
        timer_del(s->periodic_timer);
    }
    if (rtc_running(s) &&
        (s->cmos[RTC_REG_B] & (RTC_B_UIE | RTC_B_AIE))) {
        int64_t e = rtc_elapsed_at(s, now);

        timer_mod(s->update_timer, s->base_vclock_ns +
                  (e / RTC_NS_PER_SEC + 1) * RTC_NS_PER_SEC);
    } else {
        timer_del(s->update_timer);
    }
}

static bool rtc_alarm_field_matches(RTCState *s, int alarm_reg, int reg)
{
    uint8_t a = s->cmos[alarm_reg];

    return (a & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE ||
           a == s->cmos[reg];
}

/* Timer callbacks: CLK_VIRTUAL, main loop, BQL. */
static void rtc_periodic_fire(void *opaque)
{
    RTCState *s = opaque;

    s->cmos[RTC_REG_C] |= RTC_C_PF;
    rtc_irq_update(s);
    rtc_arm_timers(s);
}

static void rtc_update_fire(void *opaque)
{
    RTCState *s = opaque;

    if (rtc_running(s)) {
        rtc_update_regs(s);
        s->cmos[RTC_REG_C] |= RTC_C_UF;
        if (rtc_alarm_field_matches(s, RTC_SECONDS_ALARM, RTC_SECONDS) &&
            rtc_alarm_field_matches(s, RTC_MINUTES_ALARM, RTC_MINUTES) &&
            rtc_alarm_field_matches(s, RTC_HOURS_ALARM, RTC_HOURS)) {
            s->cmos[RTC_REG_C] |= RTC_C_AF;
        }
        rtc_irq_update(s);
    }
    rtc_arm_timers(s);
}

/* Flags of disabled interrupts, derived when C is read. */
static void rtc_lazy_flags(RTCState *s)
{
    int64_t now = rtc_vclock();
    int64_t period = rtc_periodic_ns(s);
    int64_t last = s->last_c_read_ns;

    if (period && now / period > last / period) {
        s->cmos[RTC_REG_C] |= RTC_C_PF;
    }
    if (rtc_running(s)) {
        if (rtc_elapsed_at(s, now) / RTC_NS_PER_SEC >
            rtc_elapsed_at(s, last) / RTC_NS_PER_SEC) {
            s->cmos[RTC_REG_C] |= RTC_C_UF;
        }
    }
}

/* --- port handlers --- */

static uint8_t rtc_read_data(RTCState *s)
{
    uint8_t idx = s->index, val;

    switch (idx) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS:
    case RTC_DAY_OF_WEEK: case RTC_DAY_OF_MONTH: case RTC_MONTH:
    case RTC_YEAR: case RTC_CENTURY:
        rtc_update_regs(s);
        return s->cmos[idx];
    case RTC_REG_A:
        val = s->cmos[RTC_REG_A] & ~RTC_A_UIP;
        if (rtc_running(s) &&
            rtc_elapsed(s) % RTC_NS_PER_SEC >= RTC_NS_PER_SEC - RTC_UIP_NS) {
            val |= RTC_A_UIP;
        }
        return val;
    case RTC_REG_C:
        rtc_lazy_flags(s);
        rtc_irq_update(s);
        val = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        s->last_c_read_ns = rtc_vclock();
        rtc_irq_update(s);
        return val;
    case RTC_REG_D:
        return RTC_D_VRT;
    default:
        return s->cmos[idx];
    }
}

static void rtc_write_data(RTCState *s, uint8_t val)
{
    uint8_t idx = s->index;

    switch (idx) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS:
    case RTC_DAY_OF_WEEK: case RTC_DAY_OF_MONTH: case RTC_MONTH:
    case RTC_YEAR: case RTC_CENTURY:
        rtc_update_regs(s);     /* the other fields keep running values */
        s->cmos[idx] = val;
        if (rtc_running(s)) {
            rtc_rebase_from_regs(s);
        }
        break;
    case RTC_REG_A:
        s->cmos[RTC_REG_A] = val & ~RTC_A_UIP;
        break;
    case RTC_REG_B: {
        bool was_set = !rtc_running(s);

        if (!was_set && (val & RTC_B_SET)) {
            rtc_update_regs(s);     /* freeze the current time */
        }
        if (val & RTC_B_SET) {
            val &= ~RTC_B_UIE;      /* SET clears UIE (datasheet) */
        }
        if (was_set && !(val & RTC_B_SET)) {
            /* The registers were written in the format in force while
             * SET was held: read them with that one. */
            rtc_rebase_from_regs(s);
        }
        s->cmos[RTC_REG_B] = val;
        rtc_irq_update(s);
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        log_guest_error("mc146818rtc: write %#x to read-only register %c\n",
                        val, idx == RTC_REG_C ? 'C' : 'D');
        return;
    default:
        s->cmos[idx] = val;
        return;
    }
    rtc_arm_timers(s);
}

/* Called with the BQL held. */
static uint64_t rtc_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    RTCState *s = opaque;

    if (addr == 0) {
        return 0xff;            /* the index port is write-only */
    }
    return rtc_read_data(s);
}

/* Called with the BQL held. */
static void rtc_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    RTCState *s = opaque;

    log_mask_printf(LOG_TRACE_DEV, "mc146818rtc: write [%u] <- %#x\n",
                    (unsigned)addr, (unsigned)val);
    if (addr == 0) {
        s->index = val & 0x7f;
        s->nmi_disabled = (val & 0x80) != 0;
    } else {
        rtc_write_data(s, val);
    }
}

static const MemoryRegionOps rtc_ops = {
    .read = rtc_ioport_read,
    .write = rtc_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

void rtc_set_cmos(RTCState *s, int index, uint8_t val)
{
    assert(index >= 0 && index < RTC_CMOS_SIZE);
    s->cmos[index] = val;
}

uint8_t rtc_get_cmos(RTCState *s, int index)
{
    assert(index >= 0 && index < RTC_CMOS_SIZE);
    return s->cmos[index];
}

/* Called with the BQL held. */
bool rtc_nmi_disabled(RTCState *s)
{
    memory_coalesced_flush();       /* buffered index writes set it */
    return s->nmi_disabled;
}

/* --- realize, reset, save/restore --- */

/*
 * Reset affects only what the part's RESET pin clears: the interrupt
 * enables and flags (datasheet "RESET").  Time and memory survive, as
 * they would on the battery.
 */
static void rtc_reset(DeviceState *dev)
{
    RTCState *s = container_of(dev, RTCState, parent);

    s->cmos[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | 0x08);
    s->cmos[RTC_REG_C] = 0;
    s->last_c_read_ns = rtc_vclock();
    rtc_irq_update(s);
    rtc_arm_timers(s);
}

static void rtc_realize(DeviceState *dev, Error **errp)
{
    RTCState *s = container_of(dev, RTCState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "mc146818rtc: this machine has no isa bus");
        return;
    }
    if (s->irq_num >= ISA_NUM_IRQS) {
        error_setg(errp, "mc146818rtc: irq %u is not an ISA IRQ (0..15)",
                   s->irq_num);
        return;
    }
    memory_region_init_io(&s->io, &rtc_ops, s, "rtc", 2);
    memory_region_set_flush_coalesced(&s->io);
    memory_region_init_io(&s->index_io, &rtc_ops, s, "rtc-index", 1);
    memory_region_set_coalescing(&s->index_io);
    memory_region_add_subregion(&s->io, 0, &s->index_io);
    if (!isa_register_ioport(bus, &s->io, s->iobase, errp)) {
        memory_region_del_subregion(&s->io, &s->index_io);
        memory_region_finalize(&s->index_io);
        memory_region_finalize(&s->io);
        return;
    }
    s->irq = isa_get_irq(bus, s->irq_num);
    s->periodic_timer = timer_new(main_loop_get(), CLK_VIRTUAL,
                                  rtc_periodic_fire, s);
    s->update_timer = timer_new(main_loop_get(), CLK_VIRTUAL,
                                rtc_update_fire, s);
    /* Power-on: 32.768 kHz divider, 1024 Hz rate, BCD, 24-hour. */
    s->cmos[RTC_REG_A] = 0x26;
    s->cmos[RTC_REG_B] = RTC_B_24H;
    {
        int64_t host_ns = clock_get_ns(CLK_HOST);

        s->base_rtc_sec = host_ns / RTC_NS_PER_SEC;
        s->base_vclock_ns = rtc_vclock() - host_ns % RTC_NS_PER_SEC;
    }
    rtc_update_regs(s);
    rtc_reset(dev);
}

static bool rtc_post_load(DeviceState *dev, Error **errp)
{
    RTCState *s = container_of(dev, RTCState, parent);

    s->index &= 0x7f;
    /* +-2^40 s is far beyond any date the registers can hold. */
    if (s->base_rtc_sec > (1LL << 40) || s->base_rtc_sec < -(1LL << 40)) {
        error_setg(errp, "mc146818rtc: clock base %" PRId64 " s out of range",
                   s->base_rtc_sec);
        return false;
    }
    rtc_irq_update(s);
    irq_set(s->irq, s->irq_level);      /* re-drive the line */
    rtc_arm_timers(s);
    return true;
}

static const VMStateField rtc_vmstate[] = {
    VMSTATE_BUFFER(cmos, RTCState),
    VMSTATE_UINT8(index, RTCState),
    VMSTATE_UINT8(nmi_disabled, RTCState),
    VMSTATE_INT64(base_rtc_sec, RTCState),
    VMSTATE_INT64(base_vclock_ns, RTCState),
    VMSTATE_INT64(last_c_read_ns, RTCState),
    VMSTATE_END,
};

static const Property rtc_props[] = {
    DEFINE_PROP_UINT32("iobase", RTCState, iobase, 0x70),
    DEFINE_PROP_UINT32("irq", RTCState, irq_num, 8),
    DEFINE_PROP_END,
};

static const DeviceClass rtc_class = {
    .name = "mc146818rtc",
    .desc = "MC146818 real-time clock and CMOS memory (built into pc)",
    .bus = "isa",
    .user_creatable = false,
    .instance_size = sizeof(RTCState),
    .props = rtc_props,
    .realize = rtc_realize,
    .reset = rtc_reset,
    .vmstate = rtc_vmstate,
    .post_load = rtc_post_load,
};
DEVICE_REGISTER(rtc_class);
