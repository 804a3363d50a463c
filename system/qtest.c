/*
 * qtest.c: the device-test protocol server ("-qtest CHARDEV").
 *
 * With "-accel qtest" the machine runs no guest code; instead a test program
 * drives it through this line protocol, touching memory and I/O ports as a
 * CPU would, watching and driving interrupt lines, and moving the virtual
 * clock by hand (accel/qtest/qtest.c puts CLK_VIRTUAL in manual mode).  The
 * established test protocol, so its clients and habits carry over:
 *
 *     outb|outw|outl PORT VAL        -> OK
 *     inb|inw|inl PORT               -> OK 0x%04x
 *     writeb|writew|writel|writeq ADDR VAL    -> OK
 *     readb|readw|readl|readq ADDR   -> OK 0x%016x
 *     read ADDR SIZE                 -> OK 0x<2*SIZE hex digits>
 *     write ADDR SIZE 0xHEX          -> OK     (short data is zero-padded)
 *     memset ADDR SIZE BYTE          -> OK
 *     b64read ADDR SIZE              -> OK <base64>
 *     b64write ADDR SIZE B64         -> OK
 *     clock_step [NS]                -> OK <now>  (no NS: next deadline)
 *     clock_set NS                   -> OK <now>
 *     irq_intercept_in isa | irq_intercept_out isa   -> OK
 *     set_irq_in isa N LEVEL         -> OK
 *     endianness                     -> OK little|big
 *     vmstate_save ID                -> OK 0x<record hex>     (Tandem only)
 *     vmstate_load ID 0xHEX          -> OK | FAIL <why>       (Tandem only)
 *     board commands registered with qtest_command_register() (Tandem
 *     only; e.g. the pc board's "pic_inta" -> "OK 0x08")
 *   asynchronous, at any time once intercepted:
 *     IRQ raise N | IRQ lower N
 *   on any error:
 *     FAIL <reason>                  (e.g. FAIL Unknown command 'x')
 *
 * Values are truncated to the access size.  readw/writew etc. use the
 * machine's byte order (MachineClass.big_endian, also what "endianness"
 * reports); port accesses are little-endian.  Accesses go through the memory
 * API exactly as a CPU's would, so an unassigned address reads as the API
 * says (0 for memory, all-ones for ports) and nothing a test sends can crash
 * the process.  Unlike the established server, malformed numbers and
 * out-of-range ports get a FAIL reply instead of an assertion.
 *
 * IRQ interception: our boards have one interrupt fabric a test cares about,
 * the ISA bus's 16 lines, so both intercept commands take the path "isa".
 * Each line's handler is replaced by one that records the level and reports
 * changes; set_irq_in then drives a line as a device would (into the
 * interceptor, once intercepted).  Lines already high at interception time
 * are reported at once, since the client starts with every line low.
 *
 * vmstate_save/vmstate_load run hw/vmstate.h on the device with -device
 * id=ID, so device tests can check save/restore of a real device: put one
 * instance in a state, save it, load it into another and compare.
 *
 * When the client disconnects, the machine shuts down with status 0.
 *
 * Threads and locks: everything here runs in the main loop with the BQL
 * held (chardev callbacks, and IRQ handlers called from device code that
 * holds it).  The state below is owned by the main thread under the BQL.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/boards.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/vmstate.h"
#include "system/bql.h"
#include "system/qtest.h"
#include "system/memory.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "chardev/char.h"
#include "accel/accel.h"

/* Longest command line we buffer; longer ones get FAIL and are dropped. */
#define QTEST_MAX_LINE (64 * 1024 * 1024)
/* Largest read/write/memset/b64 transfer, bytes. */
#define QTEST_MAX_XFER (16 * 1024 * 1024)

typedef struct QTestServer {
    CharFrontend fe;
    GString *inbuf;             /* bytes received, not yet a full line */
    bool discarding;            /* dropping the rest of an over-long line */
    bool irq_intercepted;
    int irq_levels[ISA_NUM_IRQS];   /* as last reported to the client */
} QTestServer;

static QTestServer *qtest_server;  /* BQL */

bool qtest_enabled(void)
{
    return current_accel && strcmp(current_accel->name, "qtest") == 0;
}

/* --- replies --- */

static void qtest_send(QTestServer *qs, const char *str)
{
    char_fe_write(&qs->fe, (const uint8_t *)str, strlen(str));
}

static void PRINTF_FMT(2, 3) qtest_sendf(QTestServer *qs, const char *fmt,
                                         ...)
{
    va_list ap;
    char *str;

    va_start(ap, fmt);
    str = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(qs, str);
    g_free(str);
}

/* --- parsing --- */

static bool qtest_parse_u64(const char *word, uint64_t *val)
{
    /* parse_uint64 accepts 0x.., 0.. (octal) and decimal; no sign. */
    return word && word[0] != '-' && word[0] != '+' &&
           parse_uint64(word, val);
}

static bool qtest_parse_level(const char *word, int *level)
{
    char *end;
    long v;

    if (!word || !*word) {
        return false;
    }
    errno = 0;
    v = strtol(word, &end, 0);
    if (errno || *end || v < INT_MIN || v > INT_MAX) {
        return false;
    }
    *level = v;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* --- IRQ interception --- */

/* IRQ handler that replaces an ISA line's: BQL (device code holds it). */
static void qtest_irq_handler(void *opaque, int n, int level)
{
    QTestServer *qs = opaque;
    int norm = level != 0;

    assert(n >= 0 && n < ISA_NUM_IRQS);
    if (qs->irq_levels[n] != norm) {
        qs->irq_levels[n] = norm;
        qtest_sendf(qs, "IRQ %s %d\n", norm ? "raise" : "lower", n);
    }
}

static bool qtest_irq_intercept(QTestServer *qs, const char *path,
                                const char **why)
{
    IsaBus *bus;

    if (strcmp(path, "isa") != 0) {
        *why = "no such interrupt controller (only 'isa' exists)";
        return false;
    }
    bus = isa_bus_get();
    if (!bus) {
        *why = "this machine has no ISA bus";
        return false;
    }
    if (qs->irq_intercepted) {
        return true;            /* idempotent, as in the established server */
    }
    qs->irq_intercepted = true;
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        IrqLine *line = isa_get_irq(bus, i);

        qs->irq_levels[i] = 0;
        if (!line) {
            continue;
        }
        irq_redirect(line, qtest_irq_handler, qs, i);
        if (line->level) {
            qtest_irq_handler(qs, i, line->level);
        }
    }
    return true;
}

/* --- board test hooks (qtest_command_register) --- */

typedef struct QTestBoardCommand {
    QTestCommandFn *fn;
    void *opaque;
} QTestBoardCommand;

static GHashTable *qtest_board_commands;   /* name -> QTestBoardCommand; BQL */

void qtest_command_register(const char *name, QTestCommandFn *fn,
                            void *opaque)
{
    QTestBoardCommand *c = g_new(QTestBoardCommand, 1);

    if (!qtest_board_commands) {
        qtest_board_commands = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                     g_free, g_free);
    }
    c->fn = fn;
    c->opaque = opaque;
    g_hash_table_replace(qtest_board_commands, g_strdup(name), c);
}

/* Runs a board command if name is one; false if it is not.  BQL. */
static bool qtest_board_command(QTestServer *qs, char **w, int nargs)
{
    QTestBoardCommand *c = qtest_board_commands ?
        g_hash_table_lookup(qtest_board_commands, w[0]) : NULL;
    char *reply;

    if (!c) {
        return false;
    }
    reply = c->fn(c->opaque, w, nargs);
    qtest_sendf(qs, "%s\n", reply);
    g_free(reply);
    return true;
}

/* --- commands --- */

static bool qtest_big_endian(void)
{
    return current_machine && current_machine->mc &&
           current_machine->mc->big_endian;
}

static uint64_t size_mask(unsigned size)
{
    return size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

/* "outb" -> 1 etc.; 0 if the suffix is not b/w/l/q (q only if allow_q). */
static unsigned access_size(const char *cmd, size_t prefix_len, bool allow_q)
{
    const char *suffix = cmd + prefix_len;

    if (suffix[0] && !suffix[1]) {
        switch (suffix[0]) {
        case 'b': return 1;
        case 'w': return 2;
        case 'l': return 4;
        case 'q': return allow_q ? 8 : 0;
        }
    }
    return 0;
}

/* Parses ADDR SIZE for the bulk commands. */
static bool qtest_parse_range(QTestServer *qs, char **w, int nargs,
                              int want, uint64_t *addr, uint64_t *len)
{
    if (nargs != want) {
        qtest_sendf(qs, "FAIL %s takes %d arguments\n", w[0], want - 1);
        return false;
    }
    if (!qtest_parse_u64(w[1], addr) || !qtest_parse_u64(w[2], len)) {
        qtest_sendf(qs, "FAIL malformed number in '%s %s %s'\n", w[0], w[1],
                    w[2]);
        return false;
    }
    if (*len == 0 || *len > QTEST_MAX_XFER) {
        qtest_sendf(qs, "FAIL size %" PRIu64 " out of range (1..%d)\n", *len,
                    QTEST_MAX_XFER);
        return false;
    }
    return true;
}

static void qtest_cmd_clock(QTestServer *qs, char **w, int nargs)
{
    uint64_t ns;
    int64_t now = clock_get_ns(CLK_VIRTUAL);

    if (strcmp(w[0], "clock_step") == 0) {
        if (nargs > 2) {
            qtest_send(qs, "FAIL clock_step takes at most one argument\n");
            return;
        }
        if (nargs == 2) {
            if (!qtest_parse_u64(w[1], &ns) || ns > INT64_MAX - now) {
                qtest_sendf(qs, "FAIL malformed number '%s'\n", w[1]);
                return;
            }
            clock_virtual_advance(ns);
        } else {
            int64_t deadline = clock_virtual_deadline();

            if (deadline > now) {
                clock_virtual_set(deadline);
            } else if (deadline >= 0) {
                clock_virtual_advance(0);   /* runs the expired timers */
            }
        }
    } else {
        if (nargs != 2) {
            qtest_send(qs, "FAIL clock_set takes one argument\n");
            return;
        }
        if (!qtest_parse_u64(w[1], &ns) || ns > INT64_MAX) {
            qtest_sendf(qs, "FAIL malformed number '%s'\n", w[1]);
            return;
        }
        if ((int64_t)ns > now) {
            clock_virtual_set(ns);
        }
    }
    qtest_sendf(qs, "OK %" PRId64 "\n", clock_get_ns(CLK_VIRTUAL));
}

static void qtest_cmd_vmstate(QTestServer *qs, char **w, int nargs)
{
    bool save = strcmp(w[0], "vmstate_save") == 0;
    DeviceState *dev;

    if (nargs != (save ? 2 : 3)) {
        qtest_sendf(qs, "FAIL %s takes %d argument%s\n", w[0], save ? 1 : 2,
                    save ? "" : "s");
        return;
    }
    dev = device_find_by_id(w[1]);
    if (!dev || !dev->realized) {
        qtest_sendf(qs, "FAIL no realized device with id '%s'\n", w[1]);
        return;
    }
    if (save) {
        GByteArray *rec = g_byte_array_new();
        GString *out = g_string_new("OK 0x");

        vmstate_save(dev, rec);
        for (guint i = 0; i < rec->len; i++) {
            g_string_append_printf(out, "%02x", rec->data[i]);
        }
        g_string_append_c(out, '\n');
        qtest_send(qs, out->str);
        g_string_free(out, TRUE);
        g_byte_array_unref(rec);
        return;
    }

    const char *hex = w[2];
    Error *err = NULL;
    if (hex[0] != '0' || (hex[1] | 0x20) != 'x' || strlen(hex + 2) % 2) {
        qtest_send(qs, "FAIL vmstate_load data must be 0x and whole bytes\n");
        return;
    }
    hex += 2;
    size_t len = strlen(hex) / 2;
    uint8_t *buf = g_malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            qtest_send(qs, "FAIL vmstate_load data is not hexadecimal\n");
            g_free(buf);
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    if (vmstate_load(dev, buf, len, &err)) {
        qtest_send(qs, "OK\n");
    } else {
        qtest_sendf(qs, "FAIL %s\n", error_get_pretty(err));
        error_free(err);
    }
    g_free(buf);
}

/* Executes one command line split into words.  BQL. */
static void qtest_process_command(QTestServer *qs, char **w, int nargs)
{
    const char *cmd = w[0];
    uint64_t addr, val, len;
    unsigned size;
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;

    if (g_str_has_prefix(cmd, "out") &&
        (size = access_size(cmd, 3, false))) {
        if (nargs != 3) {
            qtest_sendf(qs, "FAIL %s takes 2 arguments\n", cmd);
        } else if (!qtest_parse_u64(w[1], &addr) ||
                   !qtest_parse_u64(w[2], &val)) {
            qtest_sendf(qs, "FAIL malformed number in '%s %s %s'\n", cmd,
                        w[1], w[2]);
        } else if (addr > 0xffff) {
            qtest_sendf(qs, "FAIL port %#" PRIx64 " out of range\n", addr);
        } else {
            address_space_write_value(&address_space_io, addr, size, false,
                                      val & size_mask(size), attrs);
            qtest_send(qs, "OK\n");
        }
    } else if (g_str_has_prefix(cmd, "in") &&
               (size = access_size(cmd, 2, false))) {
        if (nargs != 2) {
            qtest_sendf(qs, "FAIL %s takes 1 argument\n", cmd);
        } else if (!qtest_parse_u64(w[1], &addr)) {
            qtest_sendf(qs, "FAIL malformed number '%s'\n", w[1]);
        } else if (addr > 0xffff) {
            qtest_sendf(qs, "FAIL port %#" PRIx64 " out of range\n", addr);
        } else {
            val = 0;
            address_space_read_value(&address_space_io, addr, size, false,
                                     &val, attrs);
            qtest_sendf(qs, "OK 0x%04" PRIx64 "\n", val & size_mask(size));
        }
    } else if (g_str_has_prefix(cmd, "write") &&
               (size = access_size(cmd, 5, true))) {
        if (nargs != 3) {
            qtest_sendf(qs, "FAIL %s takes 2 arguments\n", cmd);
        } else if (!qtest_parse_u64(w[1], &addr) ||
                   !qtest_parse_u64(w[2], &val)) {
            qtest_sendf(qs, "FAIL malformed number in '%s %s %s'\n", cmd,
                        w[1], w[2]);
        } else {
            address_space_write_value(&address_space_memory, addr, size,
                                      qtest_big_endian(),
                                      val & size_mask(size), attrs);
            qtest_send(qs, "OK\n");
        }
    } else if (g_str_has_prefix(cmd, "read") &&
               (size = access_size(cmd, 4, true))) {
        if (nargs != 2) {
            qtest_sendf(qs, "FAIL %s takes 1 argument\n", cmd);
        } else if (!qtest_parse_u64(w[1], &addr)) {
            qtest_sendf(qs, "FAIL malformed number '%s'\n", w[1]);
        } else {
            val = 0;
            address_space_read_value(&address_space_memory, addr, size,
                                     qtest_big_endian(), &val, attrs);
            qtest_sendf(qs, "OK 0x%016" PRIx64 "\n", val & size_mask(size));
        }
    } else if (strcmp(cmd, "read") == 0 || strcmp(cmd, "b64read") == 0) {
        if (!qtest_parse_range(qs, w, nargs, 3, &addr, &len)) {
            return;
        }
        uint8_t *buf = g_malloc0(len);
        address_space_read(&address_space_memory, addr, attrs, buf, len);
        if (cmd[0] == 'b') {
            char *enc = g_base64_encode(buf, len);
            qtest_sendf(qs, "OK %s\n", enc);
            g_free(enc);
        } else {
            GString *out = g_string_sized_new(2 * len + 8);
            g_string_append(out, "OK 0x");
            for (uint64_t i = 0; i < len; i++) {
                g_string_append_printf(out, "%02x", buf[i]);
            }
            g_string_append_c(out, '\n');
            qtest_send(qs, out->str);
            g_string_free(out, TRUE);
        }
        g_free(buf);
    } else if (strcmp(cmd, "write") == 0) {
        const char *hex = nargs == 4 ? w[3] : "";

        if (nargs != 4) {
            qtest_send(qs, "FAIL write takes 3 arguments\n");
            return;
        }
        if (!qtest_parse_range(qs, w, nargs - 1, 3, &addr, &len)) {
            return;
        }
        if (hex[0] != '0' || (hex[1] | 0x20) != 'x') {
            qtest_send(qs, "FAIL write data must start with 0x\n");
            return;
        }
        hex += 2;
        size_t digits = strlen(hex);
        if (digits % 2 || digits / 2 > len) {
            qtest_sendf(qs, "FAIL write data has %zu hex digits for %" PRIu64
                        " bytes\n", digits, len);
            return;
        }
        uint8_t *buf = g_malloc0(len);
        for (size_t i = 0; i < digits / 2; i++) {
            int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                qtest_send(qs, "FAIL write data is not hexadecimal\n");
                g_free(buf);
                return;
            }
            buf[i] = hi << 4 | lo;
        }
        address_space_write(&address_space_memory, addr, attrs, buf, len);
        g_free(buf);
        qtest_send(qs, "OK\n");
    } else if (strcmp(cmd, "b64write") == 0) {
        if (nargs != 4) {
            qtest_send(qs, "FAIL b64write takes 3 arguments\n");
            return;
        }
        if (!qtest_parse_range(qs, w, nargs - 1, 3, &addr, &len)) {
            return;
        }
        gsize dec_len;
        guchar *dec = g_base64_decode(w[3], &dec_len);
        uint8_t *buf = g_malloc0(len);
        memcpy(buf, dec, MIN(dec_len, len));
        address_space_write(&address_space_memory, addr, attrs, buf, len);
        g_free(buf);
        g_free(dec);
        qtest_send(qs, "OK\n");
    } else if (strcmp(cmd, "memset") == 0) {
        uint64_t pattern;

        if (nargs != 4) {
            qtest_send(qs, "FAIL memset takes 3 arguments\n");
            return;
        }
        if (!qtest_parse_range(qs, w, nargs - 1, 3, &addr, &len)) {
            return;
        }
        if (!qtest_parse_u64(w[3], &pattern) || pattern > 0xff) {
            qtest_sendf(qs, "FAIL malformed byte '%s'\n", w[3]);
            return;
        }
        uint8_t *buf = g_malloc(len);
        memset(buf, pattern, len);
        address_space_write(&address_space_memory, addr, attrs, buf, len);
        g_free(buf);
        qtest_send(qs, "OK\n");
    } else if (strcmp(cmd, "clock_step") == 0 ||
               strcmp(cmd, "clock_set") == 0) {
        qtest_cmd_clock(qs, w, nargs);
    } else if (strcmp(cmd, "irq_intercept_in") == 0 ||
               strcmp(cmd, "irq_intercept_out") == 0) {
        const char *why;

        if (nargs != 2) {
            qtest_sendf(qs, "FAIL %s takes 1 argument\n", cmd);
        } else if (!qtest_irq_intercept(qs, w[1], &why)) {
            qtest_sendf(qs, "FAIL %s: %s\n", w[1], why);
        } else {
            qtest_send(qs, "OK\n");
        }
    } else if (strcmp(cmd, "set_irq_in") == 0) {
        IsaBus *bus = isa_bus_get();
        int level;

        if (nargs != 4) {
            qtest_send(qs, "FAIL set_irq_in takes 3 arguments: isa N LEVEL\n");
        } else if (strcmp(w[1], "isa") != 0 || !bus) {
            qtest_sendf(qs, "FAIL no such interrupt controller '%s'\n", w[1]);
        } else if (!qtest_parse_u64(w[2], &val) || val >= ISA_NUM_IRQS ||
                   !qtest_parse_level(w[3], &level)) {
            qtest_sendf(qs, "FAIL bad line or level '%s %s'\n", w[2], w[3]);
        } else {
            irq_set(isa_get_irq(bus, val), level);
            qtest_send(qs, "OK\n");
        }
    } else if (strcmp(cmd, "vmstate_save") == 0 ||
               strcmp(cmd, "vmstate_load") == 0) {
        qtest_cmd_vmstate(qs, w, nargs);
    } else if (strcmp(cmd, "endianness") == 0) {
        qtest_sendf(qs, "OK %s\n", qtest_big_endian() ? "big" : "little");
    } else if (qtest_board_command(qs, w, nargs)) {
        /* replied */
    } else {
        qtest_sendf(qs, "FAIL Unknown command '%s'\n", cmd);
    }
}

/* Splits a line on blanks and runs it.  BQL. */
static void qtest_process_line(QTestServer *qs, char *line)
{
    char **words = g_strsplit_set(line, " \t\r", -1);
    char **w = g_new0(char *, g_strv_length(words) + 1);
    int nargs = 0;

    for (char **p = words; *p; p++) {
        if (**p) {
            w[nargs++] = *p;
        }
    }
    if (nargs == 0) {
        qtest_send(qs, "FAIL Unknown command ''\n");
    } else {
        qtest_process_command(qs, w, nargs);
    }
    g_free(w);
    g_strfreev(words);
}

/* --- chardev callbacks (main loop, BQL) --- */

static int qtest_can_read(void *opaque)
{
    return 4096;
}

static void qtest_read(void *opaque, const uint8_t *buf, int len)
{
    QTestServer *qs = opaque;
    char *nl;

    assert(bql_locked());
    g_string_append_len(qs->inbuf, (const char *)buf, len);
    while ((nl = memchr(qs->inbuf->str, '\n', qs->inbuf->len))) {
        size_t line_len = nl - qs->inbuf->str;
        char *line = g_strndup(qs->inbuf->str, line_len);

        g_string_erase(qs->inbuf, 0, line_len + 1);
        if (qs->discarding) {
            qs->discarding = false;     /* the tail of an over-long line */
        } else if (strlen(line) != line_len) {
            qtest_send(qs, "FAIL NUL byte in command\n");
        } else {
            qtest_process_line(qs, line);
        }
        g_free(line);
    }
    if (qs->inbuf->len > QTEST_MAX_LINE) {
        if (!qs->discarding) {
            qtest_sendf(qs, "FAIL command longer than %d bytes\n",
                        QTEST_MAX_LINE);
        }
        qs->discarding = true;
        g_string_truncate(qs->inbuf, 0);
    }
}

static void qtest_event(void *opaque, CharEvent event)
{
    QTestServer *qs = opaque;

    if (event == CHR_EVENT_CLOSED) {
        g_string_truncate(qs->inbuf, 0);
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 0);
    }
}

/* Called once from main() after machine init, with the BQL held. */
bool qtest_server_init(const char *spec, Error **errp)
{
    QTestServer *qs;
    Chardev *chr;

    assert(!qtest_server);
    chr = chardev_new_from_spec(spec, "qtest", errp);
    if (!chr) {
        error_prepend(errp, "-qtest %s: ", spec);
        return false;
    }
    qs = g_new0(QTestServer, 1);
    if (!char_fe_init(&qs->fe, chr, errp)) {
        error_prepend(errp, "-qtest %s: ", spec);
        g_free(qs);
        return false;
    }
    qs->inbuf = g_string_new(NULL);
    char_fe_set_handlers(&qs->fe, qtest_can_read, qtest_read, qtest_event, qs);
    qtest_server = qs;
    return true;
}
