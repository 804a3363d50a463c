/*
 * serial.c: the 16550A UART ("isa-serial"), as found at COM1..COM4 of a PC.
 *
 * Eight byte-wide I/O ports.  The guest writes THR to send a byte and reads
 * RBR to receive one; LSR says what is ready, IIR which interrupt is
 * pending, IER which ones are enabled.  With FCR bit 0 the receiver gets a
 * 16-byte FIFO and a trigger level, and the "character timeout" interrupt
 * tells the driver about a few bytes sitting below the trigger level.
 * Register map (DLAB = LCR bit 7):
 *
 *     off  read               write
 *     0    RBR / DLL          THR / DLL
 *     1    IER / DLM          IER / DLM
 *     2    IIR                FCR
 *     3    LCR                LCR
 *     4    MCR                MCR
 *     5    LSR                (read-only; logged)
 *     6    MSR                (read-only; logged)
 *     7    SCR                SCR
 *
 * The model and the choices it makes (docs/devices.md repeats them):
 *
 *  - Transmission completes instantly: a THR write goes to the chardev
 *    (char_fe_write) at once, so THRE/TEMT are set again before the write
 *    returns and the TX FIFO is never observably non-empty.  This is what
 *    the established emulator does, and what guests that poll LSR.THRE or
 *    wait for the THRE interrupt both handle.  Bytes the backend cannot take
 *    are dropped by the backend (chardev/char.h), never queued here.
 *  - Reception is flow-controlled: can_read offers the free FIFO space (one
 *    byte when the FIFO is off), so host input never overruns.  Overrun (OE)
 *    therefore only happens in loopback, where THR writes are received.
 *  - The THRE interrupt follows the established semantics: it becomes
 *    pending when THR becomes empty (after every THR write, on a TX FIFO
 *    reset) and when IER.ETBEI goes from 0 to 1 while THR is empty; it is
 *    cleared by an IIR read that reports it, by writing THR and by clearing
 *    ETBEI.  A THR write with ETBEI set therefore lowers and re-raises the
 *    line: a fresh edge for an edge-triggered PIC.
 *  - The IRQ output is NOT gated by MCR.OUT2.  On a real PC board OUT2
 *    enables the IRQ driver; the established emulator ignores it, Linux's
 *    8250 driver sets OUT2 whenever it uses the IRQ (so it works either way)
 *    and guests written against the established emulator may leave OUT2
 *    clear.  We follow the established behaviour.
 *  - Reset values are the established ones: IER 0, IIR 0x01, LCR 0,
 *    MCR 0x08 (OUT2), LSR 0x60, MSR 0xb0, SCR 0, divisor 12 (9600 baud).
 *  - Modem inputs: outside loopback, CTS, DSR and DCD are asserted and RI is
 *    not (a null-modem peer that is always there).  In loopback the inputs
 *    follow MCR (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD) and changes set
 *    the MSR delta bits (TERI on RI's falling edge), raising the modem
 *    status interrupt; reading MSR clears the deltas.
 *  - Line errors: only overrun and break are produced (no parity/framing on
 *    a byte stream).  A break from the backend (CHR_EVENT_BREAK), or the
 *    rising edge of LCR's set-break bit in loopback, receives a 0 byte with
 *    LSR.BI.  LSR bit 7 (error in FIFO) is not modelled; BI/OE are cleared
 *    by reading LSR.
 *  - Character timeout: whenever a byte enters the RX FIFO or the guest
 *    reads RBR with bytes left, a CLK_VIRTUAL timer is re-armed for four
 *    character times (10 bits each at 115200 / divisor baud).  When it fires
 *    with bytes still in the FIFO, IIR reports 0xc (masked by IER.ERBFI,
 *    as on real parts); the next RBR read clears it.
 *
 * Threads and locks: every entry point (port I/O, chardev callbacks, the
 * timer, reset, vmstate) runs with the BQL held; the region keeps needs_bql.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "system/memory.h"
#include "system/main-loop.h"
#include "chardev/char.h"

#define SERIAL_FIFO_LEN 16
#define SERIAL_PROP_FROM_INDEX 0xffffffffu

typedef struct SerialState {
    DeviceState parent;

    /* Properties; const after realize. */
    uint32_t index;             /* COM1..COM4 = 0..3: default iobase/irq */
    uint32_t iobase;            /* SERIAL_PROP_FROM_INDEX: from index */
    uint32_t irq_num;           /* SERIAL_PROP_FROM_INDEX: from index */
    Chardev *chr;               /* may be NULL: output dropped */

    /* Wiring; set at realize. */
    MemoryRegion io;
    IrqLine *irq;
    CharFrontend fe;
    Timer *timeout_timer;       /* character timeout, CLK_VIRTUAL */

    /* Guest-visible state; BQL. */
    uint16_t divisor;           /* DLM:DLL */
    uint8_t rbr;                /* last byte received, returned when empty */
    uint8_t ier;
    uint8_t iir;                /* derived by serial_update_irq() */
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;                /* input lines (high nibble) + deltas */
    uint8_t scr;
    uint8_t fcr;                /* FE, DMA mode and trigger bits only */
    uint8_t rx_fifo[SERIAL_FIFO_LEN];
    uint8_t rx_head;            /* index of the oldest byte */
    uint8_t rx_count;           /* bytes in rx_fifo; <= 1 with FIFO off */
    bool thr_ipending;          /* THRE interrupt latched (see top) */
    bool timeout_ipending;      /* character timeout latched */
    int64_t timeout_deadline_ns;/* timeout_timer's expiry, or -1 */

    bool irq_level;             /* what we last drove on irq */
} SerialState;

/* Register offsets. */
#define UART_RBR 0              /* read, DLAB=0 */
#define UART_THR 0              /* write, DLAB=0 */
#define UART_DLL 0              /* DLAB=1 */
#define UART_IER 1              /* DLAB=0 */
#define UART_DLM 1              /* DLAB=1 */
#define UART_IIR 2              /* read */
#define UART_FCR 2              /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI 0x01     /* received data available (and timeout) */
#define UART_IER_ETBEI 0x02     /* THR empty */
#define UART_IER_ELSI  0x04     /* receiver line status */
#define UART_IER_EDSSI 0x08     /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00    /* modem status */
#define UART_IIR_THRI   0x02    /* THR empty */
#define UART_IIR_RDI    0x04    /* received data available */
#define UART_IIR_RLSI   0x06    /* receiver line status */
#define UART_IIR_CTI    0x0c    /* character timeout */
#define UART_IIR_ID     0x0f
#define UART_IIR_FIFO   0xc0    /* both set while FIFOs are enabled */

#define UART_FCR_FE     0x01    /* FIFO enable */
#define UART_FCR_RFR    0x02    /* receiver FIFO reset (self-clearing) */
#define UART_FCR_XFR    0x04    /* transmitter FIFO reset (self-clearing) */
#define UART_FCR_DMS    0x08    /* DMA mode select (no effect here) */
#define UART_FCR_ITL    0xc0    /* RX trigger level: 1, 4, 8, 14 bytes */
#define UART_FCR_STORED (UART_FCR_FE | UART_FCR_DMS | UART_FCR_ITL)

#define UART_LCR_SB     0x40    /* set break */
#define UART_LCR_DLAB   0x80

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10
#define UART_MCR_MASK   0x1f

#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_PE     0x04
#define UART_LSR_FE     0x08
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_INT_ANY (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | \
                          UART_LSR_BI)

#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04
#define UART_MSR_DDCD   0x08
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80

/* The baud clock divided by 16: 1.8432 MHz / 16. */
#define SERIAL_BAUD_BASE 115200
#define SERIAL_BITS_PER_CHAR 10
#define SERIAL_TIMEOUT_CHARS 4

static const struct {
    uint16_t iobase;
    uint8_t irq;
} serial_com_defaults[] = {
    { 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
};

/* --- helpers --- */

static bool serial_fifo_on(SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

static bool serial_loopback(SerialState *s)
{
    return s->mcr & UART_MCR_LOOP;
}

static unsigned serial_trigger_level(SerialState *s)
{
    static const uint8_t levels[4] = { 1, 4, 8, 14 };

    return levels[(s->fcr & UART_FCR_ITL) >> 6];
}

/* Four character times at the programmed rate; divisor 0 counts as 65536,
 * as the 16-bit baud counter wraps. */
static int64_t serial_timeout_ns(SerialState *s)
{
    int64_t div = s->divisor ? s->divisor : 65536;

    return SERIAL_TIMEOUT_CHARS * SERIAL_BITS_PER_CHAR * NS_PER_SEC * div /
           SERIAL_BAUD_BASE;
}

/* The modem input lines as MSR's high nibble. */
static uint8_t serial_modem_inputs(SerialState *s)
{
    uint8_t in = 0;

    if (!serial_loopback(s)) {
        return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    if (s->mcr & UART_MCR_DTR) {
        in |= UART_MSR_DSR;
    }
    if (s->mcr & UART_MCR_RTS) {
        in |= UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_OUT1) {
        in |= UART_MSR_RI;
    }
    if (s->mcr & UART_MCR_OUT2) {
        in |= UART_MSR_DCD;
    }
    return in;
}

/*
 * Recomputes IIR from the interrupt sources, in the 16550's priority order,
 * and drives the IRQ line if its level changed.
 */
static void serial_update_irq(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_INT_ANY)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_ERBFI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_ERBFI) && s->rx_count &&
               (!serial_fifo_on(s) ||
                s->rx_count >= serial_trigger_level(s))) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_ETBEI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_DELTAS)) {
        id = UART_IIR_MSI;
    }
    s->iir = id | (serial_fifo_on(s) ? UART_IIR_FIFO : 0);

    bool level = id != UART_IIR_NO_INT;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* Samples the modem inputs into MSR, latching deltas for changed lines. */
static void serial_update_msr(SerialState *s)
{
    uint8_t in = serial_modem_inputs(s);
    uint8_t changed = (s->msr ^ in) & 0xf0;
    uint8_t deltas = 0;

    if (changed & UART_MSR_CTS) {
        deltas |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        deltas |= UART_MSR_DDSR;
    }
    if ((changed & UART_MSR_RI) && !(in & UART_MSR_RI)) {
        deltas |= UART_MSR_TERI;          /* trailing edge only */
    }
    if (changed & UART_MSR_DCD) {
        deltas |= UART_MSR_DDCD;
    }
    s->msr = in | (s->msr & UART_MSR_DELTAS) | deltas;
    serial_update_irq(s);
}

static void serial_timeout_arm(SerialState *s)
{
    s->timeout_deadline_ns = clock_get_ns(CLK_VIRTUAL) + serial_timeout_ns(s);
    timer_mod(s->timeout_timer, s->timeout_deadline_ns);
}

static void serial_timeout_disarm(SerialState *s)
{
    s->timeout_deadline_ns = -1;
    timer_del(s->timeout_timer);
}

/* How many bytes the receiver takes now; 0 while looped back. */
static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    if (serial_loopback(s)) {
        return 0;
    }
    if (serial_fifo_on(s)) {
        return SERIAL_FIFO_LEN - s->rx_count;
    }
    return s->rx_count ? 0 : 1;
}

/* One byte arrives at the receiver (backend, loopback or break). */
static void serial_receive_byte(SerialState *s, uint8_t ch, bool is_break)
{
    if (serial_fifo_on(s)) {
        if (s->rx_count == SERIAL_FIFO_LEN) {
            s->lsr |= UART_LSR_OE;        /* the new byte is lost */
        } else {
            s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_LEN] = ch;
            s->rx_count++;
        }
        serial_timeout_arm(s);
    } else if (s->rx_count) {
        s->lsr |= UART_LSR_OE;            /* 16450 mode: RBR overwritten */
        s->rx_fifo[s->rx_head] = ch;
    } else {
        s->rx_fifo[s->rx_head] = ch;
        s->rx_count = 1;
    }
    s->lsr |= UART_LSR_DR;
    if (is_break) {
        s->lsr |= UART_LSR_BI;
    }
    serial_update_irq(s);
}

/* Empties the receiver. */
static void serial_rx_reset(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
    s->timeout_ipending = false;
    serial_timeout_disarm(s);
}

static void serial_accept_input(SerialState *s)
{
    if (s->fe.chr && serial_can_receive(s) > 0) {
        char_fe_accept_input(&s->fe);
    }
}

static uint8_t serial_read_rbr(SerialState *s)
{
    bool was_full = serial_can_receive(s) == 0 && !serial_loopback(s);
    uint8_t ret;

    if (s->rx_count) {
        s->rbr = s->rx_fifo[s->rx_head];
        s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_LEN;
        s->rx_count--;
        ret = s->rbr;
    } else {
        /* Empty: the holding register still has the last byte; an empty
         * FIFO reads 0 (both as in the established device). */
        ret = serial_fifo_on(s) ? 0 : s->rbr;
    }
    if (!s->rx_count) {
        s->lsr &= ~UART_LSR_DR;
    }
    s->timeout_ipending = false;
    if (serial_fifo_on(s) && s->rx_count) {
        serial_timeout_arm(s);
    } else {
        serial_timeout_disarm(s);
    }
    serial_update_irq(s);
    if (was_full) {
        serial_accept_input(s);
    }
    return ret;
}

static void serial_write_thr(SerialState *s, uint8_t val)
{
    /* THR is full for an instant: that clears a latched THRE interrupt. */
    s->thr_ipending = false;
    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    serial_update_irq(s);

    if (serial_loopback(s)) {
        serial_receive_byte(s, val, false);
    } else if (s->fe.chr) {
        char_fe_write(&s->fe, &val, 1);
    }

    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
    serial_update_irq(s);
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    /* Changing FCR0 empties both FIFOs; the other bits are only
     * programmed while FCR0 is (being) set. */
    if ((val ^ s->fcr) & UART_FCR_FE) {
        val |= UART_FCR_RFR | UART_FCR_XFR;
    } else if (!(val & UART_FCR_FE)) {
        return;
    }
    s->fcr = (val & UART_FCR_FE) ? (val & UART_FCR_STORED) : 0;
    if (val & UART_FCR_RFR) {
        serial_rx_reset(s);
    }
    if (val & UART_FCR_XFR) {
        /* Nothing is ever queued; THR is empty (again). */
        s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
        s->thr_ipending = true;
    }
    serial_update_irq(s);
    serial_accept_input(s);
}

/* --- port handlers --- */

/* Called with the BQL held. */
static uint64_t serial_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t ret = 0;

    switch (addr) {
    case UART_RBR:
        ret = (s->lcr & UART_LCR_DLAB) ? (s->divisor & 0xff)
                                       : serial_read_rbr(s);
        break;
    case UART_IER:
        ret = (s->lcr & UART_LCR_DLAB) ? (s->divisor >> 8) : s->ier;
        break;
    case UART_IIR:
        ret = s->iir;
        if ((ret & UART_IIR_ID) == UART_IIR_THRI) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        break;
    case UART_LCR:
        ret = s->lcr;
        break;
    case UART_MCR:
        ret = s->mcr;
        break;
    case UART_LSR:
        ret = s->lsr;
        if (s->lsr & UART_LSR_INT_ANY) {
            s->lsr &= ~UART_LSR_INT_ANY;
            serial_update_irq(s);
        }
        break;
    case UART_MSR:
        ret = s->msr;
        if (s->msr & UART_MSR_DELTAS) {
            s->msr &= ~UART_MSR_DELTAS;
            serial_update_irq(s);
        }
        break;
    case UART_SCR:
        ret = s->scr;
        break;
    }
    log_mask_printf(LOG_TRACE_DEV, "serial %#x: read [%u] -> %#x\n",
                    s->iobase, (unsigned)addr, ret);
    return ret;
}

/* Called with the BQL held. */
static void serial_ioport_write(void *opaque, hwaddr addr, uint64_t data,
                                unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = data;

    log_mask_printf(LOG_TRACE_DEV, "serial %#x: write [%u] <- %#x\n",
                    s->iobase, (unsigned)addr, val);
    switch (addr) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            serial_write_thr(s, val);
        }
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | (val << 8);
        } else {
            uint8_t changed = (s->ier ^ val) & 0x0f;

            s->ier = val & 0x0f;
            if (changed & UART_IER_ETBEI) {
                /* Enabling ETBEI while THR is empty raises it (the
                 * established behaviour, which Windows relies on). */
                s->thr_ipending = (s->ier & UART_IER_ETBEI) &&
                                  (s->lsr & UART_LSR_THRE);
            }
            serial_update_irq(s);
        }
        break;
    case UART_FCR:
        serial_write_fcr(s, val);
        break;
    case UART_LCR: {
        bool break_edge = (val & UART_LCR_SB) && !(s->lcr & UART_LCR_SB);

        s->lcr = val;
        if (break_edge && serial_loopback(s)) {
            /* The looped-back line is held at spacing: a break. */
            serial_receive_byte(s, 0, true);
        }
        break;
    }
    case UART_MCR: {
        bool was_loop = serial_loopback(s);

        s->mcr = val & UART_MCR_MASK;
        serial_update_msr(s);
        if (was_loop && !serial_loopback(s)) {
            serial_accept_input(s);
        }
        break;
    }
    case UART_LSR:
    case UART_MSR:
        log_guest_error("serial %#x: write %#x to read-only %s ignored\n",
                        s->iobase, val, addr == UART_LSR ? "LSR" : "MSR");
        break;
    case UART_SCR:
        s->scr = val;
        break;
    }
}

static const MemoryRegionOps serial_ops = {
    .read = serial_ioport_read,
    .write = serial_ioport_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* --- chardev callbacks (main loop, BQL) --- */

static void serial_receive(void *opaque, const uint8_t *buf, int len)
{
    SerialState *s = opaque;

    if (serial_loopback(s)) {
        return;                 /* the serial input is disconnected */
    }
    for (int i = 0; i < len; i++) {
        serial_receive_byte(s, buf[i], false);
    }
}

static void serial_event(void *opaque, CharEvent event)
{
    SerialState *s = opaque;

    if (event == CHR_EVENT_BREAK && !serial_loopback(s)) {
        serial_receive_byte(s, 0, true);
    }
}

/* Timer callback: CLK_VIRTUAL, main loop, BQL. */
static void serial_timeout_fire(void *opaque)
{
    SerialState *s = opaque;

    s->timeout_deadline_ns = -1;
    if (serial_fifo_on(s) && s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

/* --- realize, reset, save/restore --- */

static void serial_reset(DeviceState *dev)
{
    SerialState *s = container_of(dev, SerialState, parent);

    s->divisor = 12;            /* 9600 baud */
    s->rbr = 0;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = false;
    serial_rx_reset(s);
    s->msr = serial_modem_inputs(s);
    s->iir = UART_IIR_NO_INT;
    s->irq_level = false;
    irq_set(s->irq, 0);
    serial_update_irq(s);
    serial_accept_input(s);
}

static void serial_realize(DeviceState *dev, Error **errp)
{
    SerialState *s = container_of(dev, SerialState, parent);
    IsaBus *bus = isa_bus_get();

    if (!bus) {
        error_setg(errp, "isa-serial: this machine has no ISA bus");
        return;
    }
    if (s->iobase == SERIAL_PROP_FROM_INDEX ||
        s->irq_num == SERIAL_PROP_FROM_INDEX) {
        if (s->index >= ARRAY_SIZE(serial_com_defaults)) {
            error_setg(errp, "isa-serial: index=%" PRIu32 " has no default "
                       "iobase/irq (COM1..COM4 are 0..3); give iobase= and "
                       "irq=", s->index);
            return;
        }
        if (s->iobase == SERIAL_PROP_FROM_INDEX) {
            s->iobase = serial_com_defaults[s->index].iobase;
        }
        if (s->irq_num == SERIAL_PROP_FROM_INDEX) {
            s->irq_num = serial_com_defaults[s->index].irq;
        }
    }
    if (s->iobase > 0x10000 - 8) {
        error_setg(errp, "isa-serial: iobase=%#" PRIx32 " is outside the "
                   "I/O port space", s->iobase);
        return;
    }
    if (s->irq_num >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq=%" PRIu32 " is not an ISA IRQ "
                   "(0..15)", s->irq_num);
        return;
    }

    if (s->chr) {
        if (!char_fe_init(&s->fe, s->chr, errp)) {
            error_prepend(errp, "isa-serial: ");
            return;
        }
    }
    memory_region_init_io(&s->io, &serial_ops, s, "serial", 8);
    if (!isa_register_ioport(bus, &s->io, s->iobase, errp)) {
        memory_region_finalize(&s->io);
        if (s->fe.chr) {
            char_fe_deinit(&s->fe);
        }
        return;
    }
    s->irq = isa_get_irq(bus, s->irq_num);
    s->timeout_timer = timer_new(main_loop_get(), CLK_VIRTUAL,
                                 serial_timeout_fire, s);
    if (s->fe.chr) {
        char_fe_set_handlers(&s->fe, serial_can_receive, serial_receive,
                             serial_event, s);
    }
    serial_reset(dev);
}

static bool serial_post_load(DeviceState *dev, Error **errp)
{
    SerialState *s = container_of(dev, SerialState, parent);

    if (s->rx_head >= SERIAL_FIFO_LEN || s->rx_count > SERIAL_FIFO_LEN ||
        (!serial_fifo_on(s) && s->rx_count > 1)) {
        error_setg(errp, "receive FIFO state out of range (head %u, count "
                   "%u)", s->rx_head, s->rx_count);
        return false;
    }
    s->ier &= 0x0f;
    s->mcr &= UART_MCR_MASK;
    s->fcr &= UART_FCR_STORED;
    s->lsr = (s->lsr & ~UART_LSR_DR) | (s->rx_count ? UART_LSR_DR : 0);
    if (s->timeout_deadline_ns >= 0) {
        timer_mod(s->timeout_timer, s->timeout_deadline_ns);
    } else {
        timer_del(s->timeout_timer);
    }
    /* Re-drive the line whatever we believed before. */
    s->irq_level = false;
    irq_set(s->irq, 0);
    serial_update_irq(s);
    serial_accept_input(s);
    return true;
}

static const VMStateField serial_vmstate[] = {
    VMSTATE_UINT16(divisor, SerialState),
    VMSTATE_UINT8(rbr, SerialState),
    VMSTATE_UINT8(ier, SerialState),
    VMSTATE_UINT8(iir, SerialState),
    VMSTATE_UINT8(lcr, SerialState),
    VMSTATE_UINT8(mcr, SerialState),
    VMSTATE_UINT8(lsr, SerialState),
    VMSTATE_UINT8(msr, SerialState),
    VMSTATE_UINT8(scr, SerialState),
    VMSTATE_UINT8(fcr, SerialState),
    VMSTATE_BUFFER(rx_fifo, SerialState),
    VMSTATE_UINT8(rx_head, SerialState),
    VMSTATE_UINT8(rx_count, SerialState),
    VMSTATE_BOOL(thr_ipending, SerialState),
    VMSTATE_BOOL(timeout_ipending, SerialState),
    VMSTATE_INT64(timeout_deadline_ns, SerialState),
    VMSTATE_END,
};

static const Property serial_props[] = {
    DEFINE_PROP_UINT32("index", SerialState, index, 0),
    DEFINE_PROP_UINT32("iobase", SerialState, iobase, SERIAL_PROP_FROM_INDEX),
    DEFINE_PROP_UINT32("irq", SerialState, irq_num, SERIAL_PROP_FROM_INDEX),
    DEFINE_PROP_CHARDEV("chardev", SerialState, chr),
    DEFINE_PROP_END,
};

static const DeviceClass serial_class = {
    .name = "isa-serial",
    .desc = "16550A UART",
    .bus = "isa",
    .user_creatable = true,
    .instance_size = sizeof(SerialState),
    .props = serial_props,
    .realize = serial_realize,
    .reset = serial_reset,
    .vmstate = serial_vmstate,
    .post_load = serial_post_load,
};
DEVICE_REGISTER(serial_class);
