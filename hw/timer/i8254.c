/*
 * i8254.c: the PC's Intel 8254 programmable interval timer ("isa-pit").
 *
 * Three 16-bit down-counters clocked at 1.193182 MHz, ports 0x40..0x42 for
 * the counters and 0x43 for the control word.  On a PC counter 0's OUT is
 * ISA IRQ 0 (the system tick), counter 1 once refreshed DRAM, and counter 2
 * feeds the speaker with its GATE and OUT on port 0x61 (hw/timer/pcspk.c,
 * through pit_set_gate()/pit_get_out()).  GATE 0 and 1 are tied high.
 *
 * Nothing ticks.  A counter remembers the virtual time its count was
 * loaded (or its gate triggered) and derives its value and OUT level from
 * the elapsed CLK_VIRTUAL time when asked:
 *
 *     d = floor((now - load_time_ns) * 1193182 / 10^9)    input clocks
 *
 * Counter 0 arms one CLK_VIRTUAL timer for the next rising edge of OUT
 * (and, in mode 3, its falling half).  The callback counts the rising
 * edges analytically and delivers each new one as a pulse on IRQ 0; it
 * never samples OUT, because the callback runs late and the low phase in
 * modes 2, 4 and 5 lasts one clock (see pit_irq_update).  An idle or
 * masked timer costs nothing between edges.
 *
 * OUT per mode (8254 datasheet, "Mode definitions"), N = the count:
 *   0 interrupt on terminal count: low after the count is written, high
 *     from d >= N.
 *   1 hardware one-shot: after a GATE rising edge, low until d >= N.
 *   2 rate generator: high, low for one clock when the count reaches 1
 *     (d mod N == N-1), reloads at 0: IRQ 0 rises every N clocks.
 *   3 square wave: high for ceil(N/2) clocks, low for floor(N/2).
 *   4/5 software/hardware strobe: high, low for one clock at d == N.
 * The counter reads N - d (modes 0, 1, 4, 5, wrapping mod 2^16), or
 * N - d mod N (mode 2); mode 3 counts down by two each clock.  A count of
 * 0 means 2^16 (10^4 in BCD).  In modes 2 and 3 GATE low holds OUT high
 * and a GATE rising edge restarts the count; in modes 1 and 5 the rising
 * edge triggers.
 *
 * Simplifications, all invisible to PC software that follows the usual
 * recipes (docs/devices.md): a new count written in modes 2/3 takes effect
 * at once rather than at the next reload; GATE low does not pause counting
 * in modes 0 and 4; a count of 1 in modes 2/3 (illegal on the part) acts
 * as 2.
 *
 * Threads and locks: ports, the timer callback, pit_set_gate and
 * pit_get_out all run with the BQL held; the region keeps needs_bql.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "hw/timer/i8254.h"
#include "system/memory.h"
#include "system/main-loop.h"

#define PIT_FREQ_HZ 1193182ULL
#define PIT_NS_PER_SEC 1000000000ULL

/* One counter.  BQL. */
typedef struct PitChannel {
    uint32_t count;           /* the loaded count, 1..0x10000 */
    int64_t load_time_ns;     /* CLK_VIRTUAL of the load or trigger */
    uint8_t mode;             /* 0..5 */
    uint8_t bcd;
    uint8_t rw_mode;          /* 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t read_state;       /* next byte a live read returns (rw_mode) */
    uint8_t write_state;      /* next byte a write loads (rw_mode) */
    uint8_t write_latch;      /* LSB held until the MSB arrives */
    uint8_t gate;
    uint8_t counting;         /* a count is loaded (and triggered) */
    uint8_t null_count;       /* status bit 6: count written, not loaded */
    uint8_t count_latched;    /* 0, or the rw_mode of the latched count */
    uint8_t status_latched;
    uint8_t status;           /* the latched status byte */
    uint16_t latched_count;
} PitChannel;

struct PITState {
    DeviceState parent;

    uint32_t iobase;          /* property, 0x40 */
    MemoryRegion io;
    IrqLine *irq;             /* ISA IRQ 0 */
    Timer *timer;             /* counter 0's next OUT change */

    PitChannel ch[3];         /* BQL */
    uint8_t irq_level;        /* what we last drove on irq; BQL */
    uint64_t irq_edges;       /* counter 0 rising edges delivered since
                               * its load or trigger; BQL */
};

#define PIT_CTRL            3       /* port offset of the control word */
#define PIT_CTRL_SC_SHIFT   6
#define PIT_CTRL_RW_SHIFT   4
#define PIT_CTRL_M_SHIFT    1
#define PIT_CTRL_BCD        0x01
#define PIT_READBACK        3       /* SC = 11 */
#define PIT_RB_NOT_COUNT    0x20    /* read-back: do not latch the count */
#define PIT_RB_NOT_STATUS   0x10    /* read-back: do not latch the status */
#define PIT_STATUS_OUT      0x80
#define PIT_STATUS_NULL     0x40
#define PIT_RW_LATCH        0
#define PIT_RW_LSB          1
#define PIT_RW_MSB          2
#define PIT_RW_WORD         3
#define PIT_RW_WORD_MSB     4       /* internal: the second byte of a word */

/* --- counting --- */

static int64_t pit_now(void)
{
    return clock_get_ns(CLK_VIRTUAL);
}

/* Input clocks since the load; 0 before it. */
static uint64_t pit_ticks(PitChannel *c, int64_t now)
{
    if (now <= c->load_time_ns) {
        return 0;
    }
    return (unsigned __int128)(now - c->load_time_ns) * PIT_FREQ_HZ /
           PIT_NS_PER_SEC;
}

/* The first virtual time at which pit_ticks() reaches ticks. */
static int64_t pit_tick_time(PitChannel *c, uint64_t ticks)
{
    unsigned __int128 ns = (unsigned __int128)ticks * PIT_NS_PER_SEC +
                           PIT_FREQ_HZ - 1;

    return c->load_time_ns + (int64_t)(ns / PIT_FREQ_HZ);
}

static uint32_t pit_period(PitChannel *c)
{
    if ((c->mode == 2 || c->mode == 3) && c->count < 2) {
        return 2;
    }
    return c->count;
}

/* OUT of counter c at time now. */
static bool pit_out_at(PitChannel *c, int64_t now)
{
    uint64_t d, n = pit_period(c);

    if (!c->counting) {
        return c->mode != 0;    /* the initial level after a control word */
    }
    if ((c->mode == 2 || c->mode == 3) && !c->gate) {
        return true;
    }
    d = pit_ticks(c, now);
    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
        return d % n != n - 1;
    case 3:
        return d % n < (n + 1) / 2;
    default:                    /* 4, 5 */
        return d != n;
    }
}

/* The value a read of the counter returns now (binary). */
static uint16_t pit_counter_value(PitChannel *c, int64_t now)
{
    uint64_t d, n = pit_period(c);
    uint64_t v;

    if (!c->counting) {
        return c->count & 0xffff;
    }
    d = pit_ticks(c, now);
    switch (c->mode) {
    case 2:
        v = n - d % n;
        break;
    case 3:
        v = n - (2 * d) % n;
        break;
    default:
        v = c->count - d;
        break;
    }
    if (c->bcd) {
        v %= 10000;
    }
    return v & 0xffff;
}

static uint16_t pit_to_bcd(uint16_t v)
{
    return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) |
           ((v / 1000 % 10) << 12);
}

static uint16_t pit_from_bcd(uint16_t v)
{
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 +
           ((v >> 12) & 0xf) * 1000;
}

/*
 * IRQ 0 is driven from counter 0 by edges, never by sampling OUT when the
 * timer callback happens to run: the callback runs late by an arbitrary
 * amount of host time, and in modes 2, 4 and 5 OUT is low for only one
 * input clock (838 ns), so a sample would usually miss the low phase and
 * with it the rising edge the 8259 needs.  Instead we count OUT's rising
 * edges since the load analytically (pit_rising_edges), deliver each new
 * one as a lower/raise pulse, and between edges drive the level OUT has
 * outside its one-clock strobes (pit_irq_level).  Several edges that fall
 * into one late callback coalesce into one pulse, which the 8259 could not
 * tell apart anyway (IRR holds one request per line).
 */

/* How many rising edges OUT has made after d input clocks. */
static uint64_t pit_rising_edges(PitChannel *c, uint64_t d)
{
    uint64_t n = pit_period(c);

    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
    case 3:
        return d / n;
    default:                    /* 4, 5: back high after the strobe */
        return d > n;
    }
}

/* The input clock of the next rising edge after d, or 0 if none. */
static uint64_t pit_next_edge(PitChannel *c, uint64_t d)
{
    uint64_t n = pit_period(c);

    switch (c->mode) {
    case 0:
    case 1:
        return d < n ? n : 0;
    case 2:
    case 3:
        return (d / n + 1) * n;
    default:
        return d <= n ? n + 1 : 0;
    }
}

/* The level IRQ 0 rests at after d clocks: OUT with its one-clock low
 * strobes (modes 2, 4, 5) folded into the edge pulses. */
static bool pit_irq_level(PitChannel *c, uint64_t d)
{
    uint64_t n = pit_period(c);

    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 3:
        return d % n < (n + 1) / 2;
    default:
        return true;
    }
}

/* Drives IRQ 0 from counter 0 (pulses for new rising edges, then the
 * resting level) and arms the timer for the next edge or, in mode 3, the
 * falling half.  BQL. */
static void pit_irq_update(PITState *s)
{
    PitChannel *c = &s->ch[0];
    int64_t now = pit_now();
    uint64_t d, n = pit_period(c), edges, next = 0;
    bool level;

    if (!c->counting || ((c->mode == 2 || c->mode == 3) && !c->gate)) {
        level = pit_out_at(c, now);
        if (level != s->irq_level) {
            s->irq_level = level;
            irq_set(s->irq, level);
        }
        timer_del(s->timer);
        return;
    }
    d = pit_ticks(c, now);
    edges = pit_rising_edges(c, d);
    if (edges > s->irq_edges) {
        if (s->irq_level) {
            irq_set(s->irq, 0);
        }
        irq_set(s->irq, 1);
        s->irq_level = 1;
        s->irq_edges = edges;
    }
    level = pit_irq_level(c, d);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
    next = pit_next_edge(c, d);
    if (c->mode == 3 && d % n < (n + 1) / 2) {
        next = d - d % n + (n + 1) / 2;     /* the falling half first */
    }
    if (next) {
        timer_mod(s->timer, pit_tick_time(c, next));
    } else {
        timer_del(s->timer);
    }
}

/* Timer callback: CLK_VIRTUAL, main loop, BQL. */
static void pit_timer_fire(void *opaque)
{
    pit_irq_update(opaque);
}

static void pit_channel_changed(PITState *s, int idx)
{
    if (idx == 0) {
        pit_irq_update(s);
    }
}

static void pit_load_count(PITState *s, int idx, uint16_t raw)
{
    PitChannel *c = &s->ch[idx];
    uint32_t v = c->bcd ? pit_from_bcd(raw) : raw;

    if (v == 0) {
        v = c->bcd ? 10000 : 0x10000;
    }
    c->count = v;
    c->null_count = 0;
    c->load_time_ns = pit_now();
    /* Modes 1 and 5 wait for a GATE rising edge. */
    c->counting = c->mode != 1 && c->mode != 5;
    if (idx == 0) {
        s->irq_edges = 0;
    }
    pit_channel_changed(s, idx);
}

void pit_set_gate(PITState *s, int idx, bool level)
{
    PitChannel *c = &s->ch[idx];
    bool rising = level && !c->gate;

    assert(idx >= 0 && idx < 3);
    c->gate = level;
    if (rising && !c->null_count && (c->mode == 1 || c->mode == 2 ||
                               c->mode == 3 || c->mode == 5)) {
        c->load_time_ns = pit_now();
        c->counting = 1;
        if (idx == 0) {
            s->irq_edges = 0;
        }
    }
    pit_channel_changed(s, idx);
}

bool pit_get_out(PITState *s, int idx)
{
    assert(idx >= 0 && idx < 3);
    return pit_out_at(&s->ch[idx], pit_now());
}

/* --- port handlers --- */

static void pit_latch_count(PitChannel *c)
{
    if (!c->count_latched) {
        c->latched_count = pit_counter_value(c, pit_now());
        if (c->bcd) {
            c->latched_count = pit_to_bcd(c->latched_count);
        }
        c->count_latched = c->rw_mode;
    }
}

static void pit_latch_status(PitChannel *c)
{
    if (!c->status_latched) {
        c->status = (pit_out_at(c, pit_now()) ? PIT_STATUS_OUT : 0) |
                    (c->null_count ? PIT_STATUS_NULL : 0) |
                    (c->rw_mode << PIT_CTRL_RW_SHIFT) |
                    (c->mode << PIT_CTRL_M_SHIFT) | c->bcd;
        c->status_latched = 1;
    }
}

static void pit_write_control(PITState *s, uint8_t val)
{
    int sc = val >> PIT_CTRL_SC_SHIFT;
    int rw = (val >> PIT_CTRL_RW_SHIFT) & 3;
    PitChannel *c;

    if (sc == PIT_READBACK) {
        for (int i = 0; i < 3; i++) {
            if (!(val & (2 << i))) {
                continue;
            }
            if (!(val & PIT_RB_NOT_COUNT)) {
                pit_latch_count(&s->ch[i]);
            }
            if (!(val & PIT_RB_NOT_STATUS)) {
                pit_latch_status(&s->ch[i]);
            }
        }
        return;
    }
    c = &s->ch[sc];
    if (rw == PIT_RW_LATCH) {
        pit_latch_count(c);
        return;
    }
    c->rw_mode = rw;
    c->read_state = rw;
    c->write_state = rw;
    c->mode = (val >> PIT_CTRL_M_SHIFT) & 7;
    if (c->mode > 5) {
        c->mode -= 4;           /* 6 and 7 are aliases of 2 and 3 */
    }
    c->bcd = val & PIT_CTRL_BCD;
    /* A control word stops the counter and sets OUT to its initial level
     * until a count is written. */
    c->counting = 0;
    c->null_count = 1;
    c->count_latched = 0;
    pit_channel_changed(s, sc);
}

static void pit_write_counter(PITState *s, int idx, uint8_t val)
{
    PitChannel *c = &s->ch[idx];

    switch (c->write_state) {
    case PIT_RW_LSB:
        pit_load_count(s, idx, val);
        break;
    case PIT_RW_MSB:
        pit_load_count(s, idx, val << 8);
        break;
    case PIT_RW_WORD:
        c->write_latch = val;
        c->write_state = PIT_RW_WORD_MSB;
        if (c->mode == 0) {
            /* Mode 0: writing the first byte stops the count. */
            c->counting = 0;
            c->null_count = 1;
            pit_channel_changed(s, idx);
        }
        break;
    case PIT_RW_WORD_MSB:
        c->write_state = PIT_RW_WORD;
        pit_load_count(s, idx, c->write_latch | (val << 8));
        break;
    default:
        log_guest_error("i8254: counter %d written before its control "
                        "word\n", idx);
        break;
    }
}

static uint8_t pit_read_counter(PITState *s, int idx)
{
    PitChannel *c = &s->ch[idx];
    uint16_t v;

    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->count_latched) {
        v = c->latched_count;
        switch (c->count_latched) {
        case PIT_RW_LSB:
            c->count_latched = 0;
            return v & 0xff;
        case PIT_RW_MSB:
            c->count_latched = 0;
            return v >> 8;
        case PIT_RW_WORD:
            c->count_latched = PIT_RW_MSB;
            return v & 0xff;
        }
    }
    v = pit_counter_value(c, pit_now());
    if (c->bcd) {
        v = pit_to_bcd(v);
    }
    switch (c->read_state) {
    case PIT_RW_LSB:
        return v & 0xff;
    case PIT_RW_MSB:
        return v >> 8;
    case PIT_RW_WORD:
        c->read_state = PIT_RW_WORD_MSB;
        return v & 0xff;
    case PIT_RW_WORD_MSB:
        c->read_state = PIT_RW_WORD;
        return v >> 8;
    default:
        log_guest_error("i8254: counter %d read before its control word\n",
                        idx);
        return 0;
    }
}

/* Called with the BQL held. */
static uint64_t pit_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PITState *s = opaque;

    if (addr == PIT_CTRL) {
        return 0xff;            /* the control word is write-only */
    }
    return pit_read_counter(s, addr);
}

/* Called with the BQL held. */
static void pit_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PITState *s = opaque;

    log_mask_printf(LOG_TRACE_DEV, "i8254: write [%u] <- %#x\n",
                    (unsigned)addr, (unsigned)val);
    if (addr == PIT_CTRL) {
        pit_write_control(s, val);
    } else {
        pit_write_counter(s, addr, val);
    }
}

static const MemoryRegionOps pit_ops = {
    .read = pit_ioport_read,
    .write = pit_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* --- realize, reset, save/restore --- */

static void pit_reset(DeviceState *dev)
{
    PITState *s = container_of(dev, PITState, parent);

    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];

        /*
         * The datasheet leaves mode, count and OUT undefined at power-up;
         * we choose an idle counter (mode 0, no count, OUT low, word
         * access), so IRQ 0 stays quiet until firmware programs it.
         */
        memset(c, 0, sizeof(*c));
        c->gate = i != 2;
        c->count = 0x10000;
        c->null_count = 1;
        c->rw_mode = PIT_RW_WORD;
        c->read_state = PIT_RW_WORD;
        c->write_state = PIT_RW_WORD;
    }
    s->irq_edges = 0;
    pit_irq_update(s);
}

static void pit_realize(DeviceState *dev, Error **errp)
{
    PITState *s = container_of(dev, PITState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "isa-pit: this machine has no isa bus");
        return;
    }
    memory_region_init_io(&s->io, &pit_ops, s, "pit", 4);
    if (!isa_register_ioport(bus, &s->io, s->iobase, errp)) {
        return;
    }
    s->irq = isa_get_irq(bus, 0);
    s->timer = timer_new(main_loop_get(), CLK_VIRTUAL, pit_timer_fire, s);
    pit_reset(dev);
}

static bool pit_post_load(DeviceState *dev, Error **errp)
{
    PITState *s = container_of(dev, PITState, parent);
    PitChannel *c0 = &s->ch[0];

    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];

        if (c->mode > 5 || c->count == 0 || c->count > 0x10000 ||
            c->rw_mode > 3 || c->read_state > 4 || c->write_state > 4 ||
            c->count_latched > 3) {
            error_setg(errp, "isa-pit: counter %d state is inconsistent", i);
            return false;
        }
    }
    /* Re-drive IRQ 0's resting level without inventing edges. */
    if (c0->counting) {
        uint64_t d = pit_ticks(c0, pit_now());

        s->irq_edges = pit_rising_edges(c0, d);
        s->irq_level = !pit_irq_level(c0, d);
    } else {
        s->irq_edges = 0;
        s->irq_level = !pit_out_at(c0, pit_now());
    }
    pit_irq_update(s);
    return true;
}

#define PIT_VMSTATE_CH(i) \
    VMSTATE_UINT32(ch[i].count, PITState), \
    VMSTATE_INT64(ch[i].load_time_ns, PITState), \
    VMSTATE_UINT8(ch[i].mode, PITState), \
    VMSTATE_UINT8(ch[i].bcd, PITState), \
    VMSTATE_UINT8(ch[i].rw_mode, PITState), \
    VMSTATE_UINT8(ch[i].read_state, PITState), \
    VMSTATE_UINT8(ch[i].write_state, PITState), \
    VMSTATE_UINT8(ch[i].write_latch, PITState), \
    VMSTATE_UINT8(ch[i].gate, PITState), \
    VMSTATE_UINT8(ch[i].counting, PITState), \
    VMSTATE_UINT8(ch[i].null_count, PITState), \
    VMSTATE_UINT8(ch[i].count_latched, PITState), \
    VMSTATE_UINT8(ch[i].status_latched, PITState), \
    VMSTATE_UINT8(ch[i].status, PITState), \
    VMSTATE_UINT16(ch[i].latched_count, PITState)

static const VMStateField pit_vmstate[] = {
    PIT_VMSTATE_CH(0),
    PIT_VMSTATE_CH(1),
    PIT_VMSTATE_CH(2),
    VMSTATE_END,
};

static const Property pit_props[] = {
    DEFINE_PROP_UINT32("iobase", PITState, iobase, 0x40),
    DEFINE_PROP_END,
};

static const DeviceClass pit_class = {
    .name = "isa-pit",
    .desc = "8254 programmable interval timer (built into pc)",
    .bus = "isa",
    .user_creatable = false,
    .instance_size = sizeof(PITState),
    .props = pit_props,
    .realize = pit_realize,
    .reset = pit_reset,
    .vmstate = pit_vmstate,
    .post_load = pit_post_load,
};
DEVICE_REGISTER(pit_class);
