/*
 * gdbstub.c: a GDB remote serial protocol server for the whole machine.
 *
 * Model: one debugger connection; every vCPU is a thread (thread id =
 * cpu_index + 1); all-stop: when one vCPU stops for the debugger, the VM
 * stops (vm_stop) and the stop reply names that vCPU.  Breakpoints (Z0 and
 * Z1 alike) and watchpoints (Z2/Z3/Z4) go to every vCPU through
 * include/exec/breakpoint.h, so under TCG a software breakpoint never
 * writes an INT3 into guest memory.  Memory (m/M/X) is guest-virtual,
 * translated with the selected vCPU's page tables
 * (CPUClass.get_phys_page_debug), or guest-physical after
 * "maintenance packet Qqemu.PhyMemMode:1".  Registers and the target
 * description come from CPUClass.gdb_*.
 *
 * Data flow:
 *
 *     socket bytes --chardev (main loop, BQL)--> gdb_chr_read
 *         '$' payload '#' xx  -> checksum ok: '+', gdb_handle_packet
 *                                bad / too long: '-'
 *         0x03 while running  -> vm_stop, "T02thread:NN;"
 *     c/s/vCont -> gdb_resume: single-step flags, vm_start() (or, for a
 *         step alone, only the stepping vCPUs, the virtual clock stopped)
 *     vCPU: EXCP_DEBUG -> cpu_debug_hook = gdb_debug_hook (vCPU thread,
 *         BQL): the vCPU stops, a bottom half in the main loop then does
 *         vm_stop and sends "T05thread:NN;[watch:ADDR;]"
 *
 * Locks: everything runs with the BQL: chardev callbacks and the stop
 * bottom half in the main thread, the debug hook on a vCPU thread.
 * GdbState is therefore under the BQL.  Only the main thread stops and
 * starts the VM.  Guest state (registers, memory through the page tables) is touched
 * only while every vCPU is paused (all_vcpus_paused), which the commands
 * that need it check first (E10 otherwise; gdb never asks while running).
 *
 * Input is untrusted: packets are bounded (GDB_MAX_PACKET), every number
 * is parsed with overflow checks, lengths are clamped, unknown packets get
 * the empty reply, bad ones "Exx".
 */
#include "util/osdep.h"
#include "util/log.h"
#include "chardev/char.h"
#include "exec/breakpoint.h"
#include "gdbstub/gdbstub.h"
#include "hw/cpu.h"
#include "monitor/commands.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "system/runstate.h"

#define GDB_MAX_PACKET 4096        /* payload bytes, what qSupported says */
#define GDB_SIGTRAP 5
#define GDB_SIGINT 2

typedef enum GdbRxState {
    RS_IDLE,                       /* between packets */
    RS_DATA,                       /* after '$' */
    RS_CSUM1,                      /* after '#' */
    RS_CSUM2,
} GdbRxState;

typedef struct GdbState {
    CharFrontend fe;
    Chardev *chr;
    bool connected;

    GdbRxState rx;
    char buf[GDB_MAX_PACKET + 1];  /* the payload being received */
    int len;
    bool overflow;                 /* longer than GDB_MAX_PACKET */
    uint8_t csum;                  /* sum of the payload bytes */
    uint8_t rx_csum;               /* the two hex digits after '#' */
    GString *last;                 /* last packet sent, for '-' */

    CPUState *g_cpu;               /* Hg: registers and memory */
    CPUState *c_cpu;               /* Hc: c/s without vCont */
    bool running;                  /* resumed by us, no stop reported */
    /* A vCPU stopped (debug hook); stop_bh stops the VM and reports. */
    bool stop_pending;
    CPUState *stop_cpu;
    BH *stop_bh;
    bool phys_mem;                 /* Qqemu.PhyMemMode */
    bool detach_pending;           /* D answered: resume at the next byte
                                      from the peer or when it closes */
    bool detached;                 /* D or close: until the next connect */
    int sstep_flags;               /* Qqemu.sstep */
} GdbState;

static GdbState *gdb;              /* BQL */

/* ------------------------------------------------------------------ */
/* Output                                                              */

static const char hexchars[] = "0123456789abcdef";

static void gdb_put_raw(const char *data, size_t len)
{
    char_fe_write(&gdb->fe, (const uint8_t *)data, len);
}

/* Sends payload as one packet (escaping $ # } *), keeping it for '-'. */
static void gdb_put_packet_len(const char *payload, size_t len)
{
    GString *p = g_string_sized_new(len + 8);
    uint8_t sum = 0;

    g_string_append_c(p, '$');
    for (size_t i = 0; i < len; i++) {
        char c = payload[i];

        if (c == '$' || c == '#' || c == '}' || c == '*') {
            g_string_append_c(p, '}');
            sum += '}';
            c ^= 0x20;
        }
        g_string_append_c(p, c);
        sum += (uint8_t)c;
    }
    g_string_append_printf(p, "#%c%c", hexchars[sum >> 4], hexchars[sum & 15]);
    gdb_put_raw(p->str, p->len);
    if (gdb->last) {
        g_string_free(gdb->last, true);
    }
    gdb->last = p;
}

static void gdb_put_packet(const char *payload)
{
    gdb_put_packet_len(payload, strlen(payload));
}

static void gdb_put_hex(GString *out, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        g_string_append_c(out, hexchars[buf[i] >> 4]);
        g_string_append_c(out, hexchars[buf[i] & 15]);
    }
}

/* ------------------------------------------------------------------ */
/* Parsing (untrusted input)                                           */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses hex digits at *p into *v (at least one digit, no overflow). */
static bool parse_hex(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t r = 0;
    int d;

    if (hexval(*s) < 0) {
        return false;
    }
    while ((d = hexval(*s)) >= 0) {
        if (r >> 60) {
            return false;
        }
        r = (r << 4) | d;
        s++;
    }
    *p = s;
    *v = r;
    return true;
}

/* Decodes 2*len hex digits; false if short or not hex. */
static bool parse_hex_bytes(const char *p, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(p[2 * i]), lo;

        if (hi < 0 || (lo = hexval(p[2 * i + 1])) < 0) {
            return false;
        }
        buf[i] = (hi << 4) | lo;
    }
    return true;
}

/* A thread id: -1 (all), 0 (any) or cpu_index + 1.  *cpu: NULL for -1,
 * the first vCPU for 0. */
static bool parse_thread(const char **p, CPUState **cpu, bool *all)
{
    uint64_t id;
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);

    *all = false;
    if ((*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *all = true;
        *cpu = NULL;
        return true;
    }
    if (!parse_hex(p, &id)) {
        return false;
    }
    if (id == 0) {
        *cpu = n > 0 ? cpus[0] : NULL;
        return *cpu != NULL;
    }
    if (id > (uint64_t)n || !cpus[id - 1]) {
        return false;
    }
    *cpu = cpus[id - 1];
    return true;
}

static int gdb_tid(CPUState *cpu)
{
    return cpu->cpu_index + 1;
}

static bool gdb_vm_stopped(void)
{
    return all_vcpus_paused();
}

/* ------------------------------------------------------------------ */
/* Stopping and resuming                                               */

static void gdb_clear_steps(void)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);

    for (int i = 0; i < n; i++) {
        cpu_single_step(cpus[i], 0);
    }
}

/* Sends the stop reply for cpu (signal sig). */
static void gdb_send_stop(CPUState *cpu, int sig)
{
    GString *r = g_string_new(NULL);
    CPUWatchpointHit hit;

    g_string_append_printf(r, "T%02xthread:%02x;", sig, gdb_tid(cpu));
    if (sig == GDB_SIGTRAP && cpu_watchpoint_hit(cpu, &hit) &&
        (hit.wp.flags & BP_GDB)) {
        int a = hit.wp.flags & BP_MEM_ACCESS;

        g_string_append_printf(r, "%s:%" PRIx64 ";",
                               a == BP_MEM_WRITE ? "watch" :
                               a == BP_MEM_READ ? "rwatch" : "awatch",
                               hit.addr);
    }
    cpu_watchpoint_clear_hit(cpu);
    gdb_put_packet(r->str);
    g_string_free(r, true);
}

/* Stops the VM and reports cpu.  Main thread, BQL. */
static void gdb_stop(CPUState *cpu, int sig)
{
    gdb->running = false;
    gdb->stop_pending = false;
    /* Stop first: the steps are cleared with the vCPUs paused, as
     * cpu_single_step wants (under KVM it is a KVM_SET_GUEST_DEBUG, which
     * waits for a vCPU to leave KVM_RUN: an AP waiting for SIPI never
     * does, and this thread holds the BQL). */
    vm_stop(RUN_STATE_PAUSED);
    gdb_clear_steps();
    gdb->g_cpu = gdb->c_cpu = cpu;
    gdb_send_stop(cpu, sig);
}

/* The bottom half behind gdb_debug_hook.  Main thread, BQL. */
static void gdb_stop_bh(void *opaque)
{
    if (gdb->stop_pending && gdb->connected) {
        gdb_stop(gdb->stop_cpu, GDB_SIGTRAP);
    }
}

/*
 * cpu_debug_hook: a vCPU raised EXCP_DEBUG.  Its thread, BQL.  It stops
 * itself; the first one since the resume also asks the main loop to stop
 * the VM and report it (so that every vm_stop/vm_start of the stub happens
 * in the main thread, in order).  A later one (another vCPU that hit
 * something meanwhile) only stops, and hits its breakpoint again when
 * resumed, so nothing is lost.
 */
static void gdb_debug_hook(CPUState *cpu)
{
    if (!gdb || !gdb->connected || gdb->detached) {
        /* Stale event after a detach: keep running. */
        cpu_single_step(cpu, 0);
        return;
    }
    cpu->stop = true;
    if (!gdb->running) {
        return;
    }
    gdb->running = false;
    gdb->stop_pending = true;
    gdb->stop_cpu = cpu;
    bh_schedule(gdb->stop_bh);
}

/*
 * Resumes per vCPU: action[i] is 0 (stay stopped), 'c' or 's'.  A 'c'
 * anywhere starts the VM (every vCPU runs: all-stop); steps alone run
 * only the stepping vCPUs, with the virtual clock stopped when
 * SSTEP_NOTIMER is set.
 */
static void gdb_resume(const char *action)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
    bool any_c = false, any = false;

    for (int i = 0; i < n; i++) {
        if (action[i] == 's') {
            cpu_single_step(cpus[i], gdb->sstep_flags | SSTEP_ENABLE);
        }
        any_c |= action[i] == 'c';
        any |= action[i] != 0;
    }
    if (!any) {
        return;
    }
    gdb->running = true;
    if (any_c || !(gdb->sstep_flags & SSTEP_NOTIMER)) {
        vm_start();
        return;
    }
    for (int i = 0; i < n; i++) {
        if (action[i] == 's') {
            cpus[i]->stop = false;
            cpu_kick(cpus[i]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */

/* Copies between buf and guest memory at addr (virtual through cpu's
 * page tables, or physical).  False if some page does not map. */
static bool gdb_memory_rw(CPUState *cpu, uint64_t addr, uint8_t *buf,
                          size_t len, bool write)
{
    while (len > 0) {
        uint64_t page = addr & ~0xfffull, pa;
        size_t n = MIN(len, 0x1000 - (addr & 0xfff));
        MemTxResult r;

        if (gdb->phys_mem) {
            pa = addr;
        } else {
            if (!cpu->cc || !cpu->cc->get_phys_page_debug) {
                return false;
            }
            pa = cpu->cc->get_phys_page_debug(cpu, page);
            if (pa == (uint64_t)-1) {
                return false;
            }
            pa += addr & 0xfff;
        }
        if (write) {
            r = address_space_write(&address_space_memory, pa,
                                    MEMTXATTRS_UNSPECIFIED, buf, n);
            cpu_debug_memory_written(pa, n);
        } else {
            r = address_space_read(&address_space_memory, pa,
                                   MEMTXATTRS_UNSPECIFIED, buf, n);
        }
        if (r != MEMTX_OK) {
            return false;
        }
        addr += n;
        buf += n;
        len -= n;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Packets                                                             */

static void gdb_reply_regs(CPUState *cpu)
{
    GString *r = g_string_new(NULL);
    uint8_t reg[64];

    for (int i = 0; cpu->cc->gdb_read_register; i++) {
        int n = cpu->cc->gdb_read_register(cpu, reg, i);

        if (n <= 0) {
            break;
        }
        gdb_put_hex(r, reg, n);
    }
    gdb_put_packet(r->str);
    g_string_free(r, true);
}

static void gdb_write_regs(CPUState *cpu, const char *p)
{
    size_t avail = strlen(p) / 2;
    uint8_t reg[64], probe[64];

    if (strlen(p) % 2) {
        gdb_put_packet("E22");
        return;
    }
    for (int i = 0; cpu->cc->gdb_read_register && avail > 0; i++) {
        int n = cpu->cc->gdb_read_register(cpu, probe, i);

        if (n <= 0 || (size_t)n > avail) {
            break;
        }
        if (!parse_hex_bytes(p, reg, n)) {
            gdb_put_packet("E22");
            return;
        }
        cpu->cc->gdb_write_register(cpu, reg, i);
        p += 2 * n;
        avail -= n;
    }
    gdb_put_packet("OK");
}

static void gdb_handle_register(CPUState *cpu, const char *p, bool write)
{
    uint64_t n;
    uint8_t reg[64];
    int size;

    if (!parse_hex(&p, &n) || n > 4096 || !cpu->cc->gdb_read_register ||
        (size = cpu->cc->gdb_read_register(cpu, reg, n)) <= 0) {
        gdb_put_packet("E22");
        return;
    }
    if (!write) {
        GString *r = g_string_new(NULL);

        gdb_put_hex(r, reg, size);
        gdb_put_packet(r->str);
        g_string_free(r, true);
        return;
    }
    if (*p++ != '=' || strlen(p) != (size_t)size * 2 ||
        !parse_hex_bytes(p, reg, size) ||
        !cpu->cc->gdb_write_register(cpu, reg, n)) {
        gdb_put_packet("E22");
        return;
    }
    gdb_put_packet("OK");
}

/* "addr,len" into *addr, *len. */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
    return parse_hex(p, addr) && *(*p)++ == ',' && parse_hex(p, len);
}

/* m, M and X.  end: the payload's end (X data is binary). */
static void gdb_handle_memory(CPUState *cpu, char kind, const char *p,
                              const char *end)
{
    uint64_t addr, len;
    g_autofree uint8_t *buf = NULL;

    if (!parse_addr_len(&p, &addr, &len)) {
        gdb_put_packet("E22");
        return;
    }
    if (kind == 'm') {
        GString *r;

        len = MIN(len, (GDB_MAX_PACKET - 4) / 2);
        buf = g_malloc(len ? len : 1);
        if (!gdb_memory_rw(cpu, addr, buf, len, false)) {
            gdb_put_packet("E14");
            return;
        }
        r = g_string_new(NULL);
        gdb_put_hex(r, buf, len);
        gdb_put_packet(r->str);
        g_string_free(r, true);
        return;
    }
    if (*p++ != ':' || len > GDB_MAX_PACKET) {
        gdb_put_packet("E22");
        return;
    }
    buf = g_malloc(len ? len : 1);
    if (kind == 'M') {
        if ((size_t)(end - p) != len * 2 || !parse_hex_bytes(p, buf, len)) {
            gdb_put_packet("E22");
            return;
        }
    } else {
        /* X: binary, '}' escapes the next byte (xor 0x20). */
        size_t n = 0;

        while (p < end && n < len) {
            uint8_t c = *p++;

            if (c == '}') {
                if (p >= end) {
                    break;
                }
                c = *p++ ^ 0x20;
            }
            buf[n++] = c;
        }
        if (n != len || p != end) {
            gdb_put_packet("E22");
            return;
        }
    }
    if (len && !gdb_memory_rw(cpu, addr, buf, len, true)) {
        gdb_put_packet("E14");
        return;
    }
    gdb_put_packet("OK");
}

/* Z/z type,addr,kind: on every vCPU. */
static void gdb_handle_breakpoint(const char *p, bool insert)
{
    static const int wp_flags[5] = { 0, 0, BP_MEM_WRITE, BP_MEM_READ,
                                     BP_MEM_ACCESS };
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
    uint64_t type, addr, kind;
    int err = 0;

    if (!parse_hex(&p, &type) || *p++ != ',' ||
        !parse_addr_len(&p, &addr, &kind) || (*p && *p != ';')) {
        gdb_put_packet("E22");
        return;
    }
    if (type > 4) {
        gdb_put_packet("");          /* not supported */
        return;
    }
    if (type >= 2 && (kind == 0 || kind > 0x1000 || addr + kind < addr)) {
        gdb_put_packet("E22");
        return;
    }
    for (int i = 0; i < n; i++) {
        int r;

        if (type < 2) {
            r = insert ? cpu_breakpoint_insert(cpus[i], addr, BP_GDB)
                       : cpu_breakpoint_remove(cpus[i], addr, BP_GDB);
        } else {
            int f = BP_GDB | wp_flags[type];

            r = insert ? cpu_watchpoint_insert(cpus[i], addr, kind, f)
                       : cpu_watchpoint_remove(cpus[i], addr, kind, f);
        }
        if (r && r != -EEXIST) {
            err = r;
        }
    }
    gdb_put_packet(err ? "E22" : "OK");
}

/* Forgets the debugger's breakpoints and steps. */
static void gdb_remove_all(void)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);

    /* Changes reach the accelerator with the vCPUs paused (a connection
     * can close while the guest runs); gdb_detach restarts it. */
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
    for (int i = 0; i < n; i++) {
        cpu_breakpoint_remove_all(cpus[i], BP_GDB);
        cpu_single_step(cpus[i], 0);
    }
    gdb->phys_mem = false;
    gdb->running = false;
    gdb->stop_pending = false;
}

static void gdb_detach(void)
{
    gdb_remove_all();
    gdb->detach_pending = false;
    gdb->detached = true;
    if (runstate_get() != RUN_STATE_SHUTDOWN) {
        vm_start();
    }
}

/* vCont;ACTION[:TID];... */
static void gdb_handle_vcont(const char *p)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
    g_autofree char *action = g_malloc0(n + 1);

    while (*p == ';') {
        char a = *++p;
        CPUState *cpu = NULL;
        bool all = true;
        uint64_t sig;

        if (a != 'c' && a != 's' && a != 'C' && a != 'S') {
            gdb_put_packet("E22");
            return;
        }
        p++;
        if (a == 'C' || a == 'S') {
            if (!parse_hex(&p, &sig)) {   /* the signal is not passed on */
                gdb_put_packet("E22");
                return;
            }
            a += 'a' - 'A';
        }
        if (*p == ':') {
            p++;
            if (!parse_thread(&p, &cpu, &all)) {
                gdb_put_packet("E22");
                return;
            }
        }
        /* The first action that names a thread wins. */
        for (int i = 0; i < n; i++) {
            if (!action[i] && (all || cpus[i] == cpu)) {
                action[i] = a;
            }
        }
    }
    if (*p) {
        gdb_put_packet("E22");
        return;
    }
    gdb_resume(action);
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr]: the Hc vCPU steps or
 * everything continues. */
static void gdb_handle_cont(char kind, const char *p)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
    g_autofree char *action = g_malloc0(n + 1);
    CPUState *cpu = gdb->c_cpu ? gdb->c_cpu : cpus[0];
    uint64_t v;

    if (kind == 'C' || kind == 'S') {
        if (!parse_hex(&p, &v)) {
            gdb_put_packet("E22");
            return;
        }
        if (*p == ';') {
            p++;
        }
    }
    if (*p) {
        /* "Resume at addr": which register is the pc is the target's
         * business and gdb itself writes it with P before c/s; refuse. */
        gdb_put_packet("E22");
        return;
    }
    for (int i = 0; i < n; i++) {
        action[i] = (kind == 's' || kind == 'S') ?
                    (cpus[i] == cpu ? 's' : 0) : 'c';
    }
    gdb_resume(action);
}

static void gdb_reply_hex_str(const char *s)
{
    GString *r = g_string_new(NULL);

    gdb_put_hex(r, (const uint8_t *)s, strlen(s));
    gdb_put_packet(r->str);
    g_string_free(r, true);
}

static void gdb_handle_rcmd(const char *p)
{
    size_t len = strlen(p) / 2;
    g_autofree char *cmd = g_malloc0(len + 1);
    MonitorContext ctx = { .cpu = gdb->g_cpu, .out = g_string_new(NULL) };

    if (strlen(p) % 2 || !parse_hex_bytes(p, (uint8_t *)cmd, len) ||
        memchr(cmd, 0, len)) {
        g_string_free(ctx.out, true);
        gdb_put_packet("E22");
        return;
    }
    monitor_run_command(&ctx, cmd);
    if (ctx.out->len) {
        /* Console output packets, then the final OK. */
        for (size_t off = 0; off < ctx.out->len; off += 1000) {
            GString *r = g_string_new("O");

            gdb_put_hex(r, (const uint8_t *)ctx.out->str + off,
                        MIN(1000, ctx.out->len - off));
            gdb_put_packet(r->str);
            g_string_free(r, true);
        }
    }
    g_string_free(ctx.out, true);
    gdb_put_packet("OK");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void gdb_handle_xfer(const char *p)
{
    CPUState *cpu = gdb->g_cpu;
    const char *colon = strchr(p, ':');
    g_autofree char *annex = NULL;
    const char *xml;
    uint64_t off, len;
    size_t total;
    GString *r;

    if (!colon) {
        gdb_put_packet("E00");
        return;
    }
    annex = g_strndup(p, colon - p);
    p = colon + 1;
    if (!parse_addr_len(&p, &off, &len) || *p) {
        gdb_put_packet("E00");
        return;
    }
    xml = cpu->cc->gdb_xml ? cpu->cc->gdb_xml(cpu, annex) : NULL;
    if (!xml) {
        gdb_put_packet("E00");
        return;
    }
    total = strlen(xml);
    if (off > total) {
        gdb_put_packet("E01");
        return;
    }
    len = MIN(len, GDB_MAX_PACKET / 2);
    r = g_string_new(off + len < total ? "m" : "l");
    g_string_append_len(r, xml + off, MIN(len, total - off));
    gdb_put_packet_len(r->str, r->len);
    g_string_free(r, true);
}

static void gdb_handle_query(const char *p)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
    char tmp[64];

    if (g_str_has_prefix(p, "qSupported")) {
        snprintf(tmp, sizeof(tmp), "PacketSize=%x;qXfer:features:read+;"
                 "vContSupported+", GDB_MAX_PACKET);
        gdb_put_packet(tmp);
    } else if (!strcmp(p, "qAttached")) {
        gdb_put_packet("1");
    } else if (!strcmp(p, "qC")) {
        snprintf(tmp, sizeof(tmp), "QC%02x", gdb_tid(gdb->g_cpu));
        gdb_put_packet(tmp);
    } else if (!strcmp(p, "qfThreadInfo")) {
        GString *r = g_string_new("m");

        for (int i = 0; i < n; i++) {
            g_string_append_printf(r, "%s%02x", i ? "," : "",
                                   gdb_tid(cpus[i]));
        }
        gdb_put_packet(r->str);
        g_string_free(r, true);
    } else if (!strcmp(p, "qsThreadInfo")) {
        gdb_put_packet("l");
    } else if (g_str_has_prefix(p, "qThreadExtraInfo,")) {
        const char *q = p + 17;
        CPUState *cpu;
        bool all;

        if (!parse_thread(&q, &cpu, &all) || all || *q) {
            gdb_put_packet("E22");
            return;
        }
        snprintf(tmp, sizeof(tmp), "CPU#%d [%s]", cpu->cpu_index,
                 cpu->halted ? "halted" :
                 cpu->state == VCPU_RUNNING ? "running" : "paused");
        gdb_reply_hex_str(tmp);
    } else if (g_str_has_prefix(p, "qXfer:features:read:")) {
        gdb_handle_xfer(p + 20);
    } else if (g_str_has_prefix(p, "qRcmd,")) {
        gdb_handle_rcmd(p + 6);
    } else if (!strcmp(p, "qqemu.sstep")) {
        snprintf(tmp, sizeof(tmp), "0x%x", gdb->sstep_flags | SSTEP_ENABLE);
        gdb_put_packet(tmp);
    } else if (g_str_has_prefix(p, "Qqemu.sstep=")) {
        const char *q = p + 12;
        uint64_t v;

        if (q[0] == '0' && q[1] == 'x') {
            q += 2;
        }
        if (!parse_hex(&q, &v) || *q || v > 7) {
            gdb_put_packet("E22");
            return;
        }
        gdb->sstep_flags = v & (SSTEP_NOIRQ | SSTEP_NOTIMER);
        gdb_put_packet("OK");
    } else if (!strcmp(p, "qqemu.Supported")) {
        gdb_put_packet("sstepbits;sstep;PhyMemMode");
    } else if (!strcmp(p, "qqemu.sstepbits")) {
        gdb_put_packet("ENABLE=1,NOIRQ=2,NOTIMER=4");
    } else if (!strcmp(p, "qqemu.PhyMemMode")) {
        gdb_put_packet(gdb->phys_mem ? "1" : "0");
    } else if (g_str_has_prefix(p, "Qqemu.PhyMemMode:")) {
        const char *v = p + 17;

        if (strcmp(v, "0") && strcmp(v, "1")) {
            gdb_put_packet("E22");
            return;
        }
        gdb->phys_mem = v[0] == '1';
        gdb_put_packet("OK");
    } else if (!strcmp(p, "qSymbol::")) {
        gdb_put_packet("OK");
    } else {
        gdb_put_packet("");          /* unsupported */
    }
}

static void gdb_handle_packet(const char *p, size_t len)
{
    const char *end = p + len;
    bool stopped = gdb_vm_stopped();
    CPUState *cpu = gdb->g_cpu;
    char kind = *p;
    bool all;
    /* Commands that touch guest state need the VM stopped; resuming needs
     * it stopped and reported (not on its way to a stop). */
    bool busy = gdb->running || gdb->stop_pending || !stopped;

    if (kind && (strchr("gGpPmMXZzcCsS", kind) ||
                 g_str_has_prefix(p, "vCont;")) && busy) {
        gdb_put_packet("E10");
        return;
    }
    switch (kind) {
    case '?':
        gdb->running = false;
        gdb->stop_pending = false;
        gdb->detached = false;
        gdb->detach_pending = false;
        if (!stopped) {
            vm_stop(RUN_STATE_PAUSED);
        }
        gdb_send_stop(cpu, GDB_SIGTRAP);
        break;
    case 'g':
        gdb_reply_regs(cpu);
        break;
    case 'G':
        gdb_write_regs(cpu, p + 1);
        break;
    case 'p':
    case 'P':
        gdb_handle_register(cpu, p + 1, kind == 'P');
        break;
    case 'm':
    case 'M':
    case 'X':
        gdb_handle_memory(cpu, kind, p + 1, end);
        break;
    case 'Z':
    case 'z':
        gdb_handle_breakpoint(p + 1, kind == 'Z');
        break;
    case 'c':
    case 's':
    case 'C':
    case 'S':
        gdb_handle_cont(kind, p + 1);
        break;
    case 'v':
        if (!strcmp(p, "vCont?")) {
            gdb_put_packet("vCont;c;C;s;S");
        } else if (g_str_has_prefix(p, "vCont;")) {
            gdb_handle_vcont(p + 5);
        } else if (g_str_has_prefix(p, "vKill")) {
            gdb_put_packet("OK");
            system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 0);
        } else {
            gdb_put_packet("");
        }
        break;
    case 'H': {
        const char *q = p + 2;
        CPUState *c;

        if ((p[1] != 'g' && p[1] != 'c') || !parse_thread(&q, &c, &all) ||
            *q) {
            gdb_put_packet("E22");
            break;
        }
        if (!all) {
            if (p[1] == 'g') {
                gdb->g_cpu = c;
            } else {
                gdb->c_cpu = c;
            }
        } else if (p[1] == 'c') {
            gdb->c_cpu = NULL;
        }
        gdb_put_packet("OK");
        break;
    }
    case 'T': {
        const char *q = p + 1;
        CPUState *c;

        gdb_put_packet(parse_thread(&q, &c, &all) && !all && !*q ? "OK"
                                                                 : "E22");
        break;
    }
    case 'D':
        /* The guest runs on only once gdb has taken the reply (its ack or
         * its close): a guest that ends at once would otherwise close the
         * socket under gdb's ack ("Broken pipe"). */
        gdb_put_packet("OK");
        gdb_remove_all();
        gdb->detach_pending = true;
        gdb->detached = true;
        break;
    case 'k':
        /* No reply: the target goes away. */
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 0);
        break;
    case 'q':
    case 'Q':
        gdb_handle_query(p);
        break;
    default:
        gdb_put_packet("");
        break;
    }
}

/* ------------------------------------------------------------------ */
/* The byte stream                                                     */

static int gdb_chr_can_read(void *opaque)
{
    return GDB_MAX_PACKET;
}

static void gdb_rx_byte(uint8_t c)
{
    switch (gdb->rx) {
    case RS_IDLE:
        if (c == '$') {
            gdb->rx = RS_DATA;
            gdb->len = 0;
            gdb->csum = 0;
            gdb->overflow = false;
        } else if (c == 0x03) {
            if (gdb->running) {
                gdb_stop(gdb->g_cpu, GDB_SIGINT);
            }
        } else if (c == '-' && gdb->last) {
            gdb_put_raw(gdb->last->str, gdb->last->len);
        }
        /* '+' and noise between packets are ignored. */
        break;
    case RS_DATA:
        if (c == '#') {
            gdb->rx = RS_CSUM1;
            break;
        }
        if (c == '$') {
            /* A new packet before the end of this one: start over. */
            gdb->len = 0;
            gdb->csum = 0;
            gdb->overflow = false;
            break;
        }
        gdb->csum += c;
        if (gdb->len < GDB_MAX_PACKET) {
            gdb->buf[gdb->len++] = c;
        } else {
            gdb->overflow = true;
        }
        break;
    case RS_CSUM1:
        if (hexval(c) < 0) {
            gdb->rx = RS_IDLE;
            gdb_put_raw("-", 1);
            break;
        }
        gdb->rx_csum = hexval(c) << 4;
        gdb->rx = RS_CSUM2;
        break;
    case RS_CSUM2:
        gdb->rx = RS_IDLE;
        if (hexval(c) < 0 || (gdb->rx_csum | hexval(c)) != gdb->csum ||
            gdb->overflow) {
            gdb_put_raw("-", 1);
            break;
        }
        gdb_put_raw("+", 1);
        gdb->buf[gdb->len] = '\0';
        if (gdb->len == 0) {
            gdb_put_packet("");
            break;
        }
        gdb_handle_packet(gdb->buf, gdb->len);
        break;
    }
}

/* Main thread, BQL. */
static void gdb_chr_read(void *opaque, const uint8_t *buf, int len)
{
    if (gdb->detach_pending && len > 0) {
        gdb_detach();
    }
    for (int i = 0; i < len && gdb->connected; i++) {
        gdb_rx_byte(buf[i]);
    }
}

/* Main thread, BQL. */
static void gdb_chr_event(void *opaque, CharEvent ev)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);

    if (ev == CHR_EVENT_OPENED) {
        if (runstate_get() == RUN_STATE_SHUTDOWN) {
            return;
        }
        /* A debugger attaches to a stopped machine. */
        vm_stop(RUN_STATE_PAUSED);
        gdb->connected = true;
        gdb->running = false;
        gdb->rx = RS_IDLE;
        gdb->phys_mem = false;
        gdb->detach_pending = false;
        gdb->detached = false;
        gdb->g_cpu = gdb->c_cpu = n > 0 ? cpus[0] : NULL;
    } else if (ev == CHR_EVENT_CLOSED && gdb->connected) {
        gdb->connected = false;
        gdb_detach();
    }
}

bool gdbserver_start(const char *dev, Error **errp)
{
    g_autofree char *spec = NULL;
    Chardev *chr;

    assert(!gdb);
    if (nr_cpus == 0) {
        error_setg(errp, "the machine has no CPU to debug");
        return false;
    }
    if (g_str_has_prefix(dev, "tcp:") || g_str_has_prefix(dev, "unix:")) {
        spec = g_strdup_printf("%s%s%s", dev,
                               strstr(dev, "server") ? "" : ",server=on",
                               strstr(dev, "wait") ? "" : ",wait=off");
    } else if (g_str_has_prefix(dev, "chardev:")) {
        spec = g_strdup(dev);
    } else {
        error_setg(errp, "'%s': use tcp:[HOST]:PORT, unix:PATH[,server] or "
                   "chardev:ID", dev);
        return false;
    }
    chr = chardev_new_from_spec(spec, "gdb", errp);
    if (!chr) {
        return false;
    }
    gdb = g_new0(GdbState, 1);
    gdb->chr = chr;
    gdb->sstep_flags = SSTEP_NOIRQ | SSTEP_NOTIMER;
    gdb->stop_bh = bh_new(main_loop_get(), gdb_stop_bh, NULL);
    gdb->g_cpu = gdb->c_cpu = cpus[0];
    if (!char_fe_init(&gdb->fe, chr, errp)) {
        g_free(gdb);
        gdb = NULL;
        return false;
    }
    cpu_debug_hook = gdb_debug_hook;
    char_fe_set_handlers(&gdb->fe, gdb_chr_can_read, gdb_chr_read,
                         gdb_chr_event, gdb);
    if (char_fe_backend_connected(&gdb->fe)) {
        gdb_chr_event(gdb, CHR_EVENT_OPENED);
    }
    return true;
}

int gdbserver_port(void)
{
    return gdb ? chardev_socket_port(gdb->chr) : -1;
}
