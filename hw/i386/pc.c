/*
 * pc.c: the "pc" machine (x86_64): a PC's memory and I/O-port map, the ISA
 * bus with its serial ports, and fw_cfg.
 *
 * What is here now, and what comes with later issues:
 *   - RAM ("pc.ram", -m bytes) split around the PCI hole below 4 GiB as
 *     the established pc does, and the PCI bus (i440FX at 00.0, PIIX3 at
 *     01.0, CF8/CFC): both in hw/i386/pc-pci.c.  The legacy VGA window and
 *     BIOS shadow holes are not modelled (no firmware yet).
 *   - The I/O-port space with a background region under everything (see
 *     pc_io_unassigned_ops for why).
 *   - The ISA bus.  Each of its 16 IRQ lines is split to the i8259 pair
 *     (same number) and to the IOAPIC (IRQ 0 to pin 2, the override every
 *     PC's MP table and MADT announce; the others to the same pin number).
 *     qtest's "irq_intercept_in isa" takes the lines over instead, so a
 *     test sees devices raise IRQs (docs/devel/interrupts.md).
 *   - The interrupt and timer devices: "i8259" (0x20, 0xa0, ELCR 0x4d0),
 *     "ioapic" (0xfec00000), "isa-pit" (0x40), "pcspk" (port 0x61) and
 *     "mc146818rtc" (0x70, IRQ 8) with the CMOS bytes firmware reads.
 *   - One local APIC per CPU slot ("apic", hw/intc/apic.c), also without
 *     CPUs (qtest).  The PIC's INT output (pc_cpu_intr) goes to LINT0 of
 *     the LAPICs, whose output is the CPU's INTR; the APIC bus ends in
 *     pc_apic_sink, which hands each message to the LAPICs.  Both also
 *     record what passes, for qtest's board commands ("cpu_intr",
 *     "pic_inta", "apic_msgs", "ioapic_eoi"; "nmi" presses the NMI
 *     button, x86_nmi_all).
 *   - "pc-ferr" (hw/i386/pc-ferr.c): the CPUs' FERR# outputs to ISA IRQ
 *     13 and port 0xF0, which clears it and asserts IGNNE# (the x87's
 *     MS-DOS compatibility mode, CR0.NE = 0).
 *   - Port 0x92 ("System Control Port A"): bit 1 is the fast A20 gate,
 *     bit 0 a fast reset.  A20 is enabled at reset, as firmware leaves it
 *     for multiboot guests.
 *   - COM1..COM4 as "isa-serial" devices for each -serial backend.
 *   - fw_cfg on ports 0x510/0x511 with the items guests read first: the
 *     signature, RAM size, CPU counts, and the -kernel/-initrd/-append
 *     payload for a boot loader.
 *   - With -kernel, a multiboot v1 kernel loaded into RAM by
 *     hw/i386/multiboot.c; its boot CPU state is kept here for the x86
 *     reset path (pc_boot_state()).  The payload stays in fw_cfg too.
 *   - smp_cpus x86 CPUs (target/i386/cpu.c) when the accelerator runs guest
 *     code; with -accel qtest (or no accelerator) the devices run with no
 *     CPU.  -cpu names are validated against the models below.
 *   - Until firmware loading (-bios) exists, a 64 KiB "pc.reset-rom" at
 *     the top of the 4 GiB space is filled with HLT (F4) and has
 *     "HLT; JMP $-3" at the reset vector 0xfffffff0: a machine started
 *     without a guest halts at once (interrupts are off at reset), using
 *     no host CPU, while the devices and the serial console keep working.
 *     -kernel guests are set up by their loader and never run it.
 *
 * pc_init runs once, in the main thread with the BQL held, before any vCPU
 * exists.  The board's state is file-static: there is one machine.
 */
#include "util/osdep.h"
#include "hw/boards.h"
#include "hw/fw_cfg.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/mptable.h"
#include "hw/i386/pc-pci.h"
#include "hw/irq.h"
#include "system/kvm.h"
#include "hw/isa.h"
#include "hw/qdev.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"
#include "hw/i386/pc.h"
#include "hw/i386/pc-ferr.h"
#include "system/runstate.h"
#include "hw/i386/apic-bus.h"
#include "hw/timer/mc146818rtc.h"
#include "chardev/char.h"
#include "system/memory.h"
#include "accel/accel.h"
#include "hw/cpu.h"
#include "target/i386/cpu.h"
#include "target/i386/cpu-models.h"
#include "system/qtest.h"

typedef struct PcMachine {
    MemoryRegion ram;
    MemoryRegion io_unassigned;
    MemoryRegion reset_rom;
    MemoryRegion port92;
    bool a20_enabled;                  /* BQL: port 0x92 bit 1 */
    IsaBus *isa;
    FwCfgState *fw_cfg;
    PICState *pic;
    IOAPICState *ioapic;
    RTCState *rtc;
    /* The PIC's INT output (to the LAPICs' LINT0), recorded; BQL. */
    IrqLine *cpu_intr;
    X86CPU *boot_cpu;                  /* CPU 0 once created; BQL */
    DeviceState *ferr;                 /* FERR#/IRQ 13/port 0xF0 logic */
    int cpu_intr_level;
    unsigned cpu_intr_raises;
    /* What passed on the APIC bus, for qtest; BQL. */
    unsigned apic_msg_count;
    ApicMessage apic_last_msg;
    bool has_boot_state;               /* set once in pc_init */
    MultibootBootState boot_state;     /* written in pc_init, then const */
    GByteArray *mptable;               /* built in pc_init, then const */
} PcMachine;

static PcMachine pc_machine_state;

/* The legacy COM port assignments every PC BIOS and OS assumes. */
static const struct {
    uint16_t iobase;
    uint8_t irq;
} pc_com_ports[4] = {
    { 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
};

#define PC_FW_CFG_IOBASE 0x510

/*
 * On a PC, a read from a port no device decodes is not an error: the ISA
 * bus floats high and the CPU sees all ones, and a write simply goes
 * nowhere.  Guests probe for hardware exactly that way (a missing UART or
 * RTC reads back 0xff), so the whole 64 KiB port space gets this region at
 * the lowest priority, under every real device.
 */
static uint64_t pc_io_unassigned_read(void *opaque, hwaddr addr,
                                      unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static void pc_io_unassigned_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
}

static const MemoryRegionOps pc_io_unassigned_ops = {
    .read = pc_io_unassigned_read,
    .write = pc_io_unassigned_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
};

/* The IOAPIC pin that ISA IRQ n reaches: the PC's one override. */
static int pc_isa_to_gsi(int n)
{
    return n == 0 ? 2 : n;
}

/*
 * Every ISA line ends here and is split to both interrupt controllers, as
 * the chipset does on a PC.  IRQ 2 is the PIC cascade and has no IOAPIC
 * pin (pin 2 is IRQ 0's).  Called with the BQL held by whichever device
 * drives the line.
 */
static void pc_isa_irq(void *opaque, int n, int level)
{
    PcMachine *s = opaque;

    if (kvm_irqchip_in_kernel()) {
        /* The kernel's PIC and IOAPIC; its routing maps GSI 0 to pin 2. */
        if (n != 2) {
            kvm_set_irq(n, level);
        }
        return;
    }
    irq_set(pic_get_input(s->pic, n), level);
    if (n != 2) {
        irq_set(ioapic_get_input(s->ioapic, pc_isa_to_gsi(n)), level);
    }
}

/* irqfd for ISA line irq->n under the in-kernel irqchip: the kernel's
 * GSI n (IRQ 2, the cascade, has none).  BQL. */
static bool pc_isa_irqfd(IrqLine *irq, int fd, bool assign, Error **errp)
{
    if (irq->n == 2) {
        error_setg(errp, "ISA IRQ 2 is the PIC cascade");
        return false;
    }
    return kvm_irqfd_assign(fd, irq->n, assign, errp);
}

/* The PIC's INT output: to LINT0 of every LAPIC (which passes it to its
 * CPU's INTR in ExtINT mode).  BQL. */
static void pc_cpu_intr(void *opaque, int n, int level)
{
    PcMachine *s = opaque;

    if (level && !s->cpu_intr_level) {
        s->cpu_intr_raises++;
    }
    s->cpu_intr_level = level != 0;
    apic_set_lint0(level);
}

/* The interrupt acknowledge cycle of a CPU: its LAPIC's vector, or the
 * PIC's through ExtINT.  BQL. */
static int pc_int_ack(X86CPU *cpu)
{
    PcMachine *s = &pc_machine_state;

    if (cpu->apic) {
        return apic_int_ack(cpu->apic);
    }
    return s->pic && pic_int_level(s->pic) ? pic_read_irq(s->pic) : -1;
}

/* The APIC bus's end: recorded for qtest, then to the LAPICs.  BQL. */
static void pc_apic_sink(void *opaque, const ApicMessage *msg)
{
    PcMachine *s = opaque;

    s->apic_msg_count++;
    s->apic_last_msg = *msg;
    apic_bus_to_lapics(NULL, msg);
}

/* The NMI button (the monitor's "nmi"): every CPU gets an NMI through
 * LINT1 of its LAPIC, or directly while the LAPIC is off.  BQL. */
void x86_nmi_all(void)
{
    for (int i = 0; i < CPU_MAX; i++) {
        APICState *apic = apic_find(i);

        if (apic) {
            apic_deliver_nmi(apic);
        }
    }
}

/* Applies the A20 gate on one vCPU's thread (queued work, BQL). */
static void pc_a20_apply(CPUState *cpu, void *data)
{
    x86_cpu_set_a20(x86_cpu(cpu), pc_machine_state.a20_enabled);
}

/* Port 0x92, System Control Port A.  BQL. */
static uint64_t pc_port92_read(void *opaque, hwaddr addr, unsigned size)
{
    PcMachine *s = opaque;

    return s->a20_enabled ? 0x02 : 0x00;
}

static void pc_port92_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    PcMachine *s = opaque;
    bool a20 = val & 0x02;

    if (a20 != s->a20_enabled) {
        s->a20_enabled = a20;
        /* Each vCPU changes its own MMU state: the writer at once (its
         * next access already sees the gate, as INVLPG's flush does),
         * the others between blocks, as queued work. */
        for (int i = 0; i < nr_cpus; i++) {
            if (cpus[i] == current_cpu()) {
                x86_cpu_set_a20(x86_cpu(cpus[i]), a20);
            } else {
                async_run_on_cpu(cpus[i], pc_a20_apply, NULL);
            }
        }
    }
    if (val & 0x01) {
        system_reset_request(RESET_CAUSE_GUEST);
    }
}

static const MemoryRegionOps pc_port92_ops = {
    .read = pc_port92_read,
    .write = pc_port92_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* Reset handler: A20 on, as firmware leaves it (the CPUs' reset, which
 * follows, opens their gates).  BQL, vCPUs paused. */
static void pc_port92_reset(void *opaque)
{
    PcMachine *s = opaque;

    s->a20_enabled = true;
}

/* --- qtest board commands (system/qtest.h); main loop, BQL --- */

/* "cpu_intr" -> "OK <level> <rising edges so far>" */
static char *pc_qtest_cpu_intr(void *opaque, char **argv, int argc)
{
    PcMachine *s = opaque;

    if (argc != 1) {
        return g_strdup("FAIL cpu_intr takes no arguments");
    }
    return g_strdup_printf("OK %d %u", s->cpu_intr_level, s->cpu_intr_raises);
}

/* "pic_inta" -> "OK 0x<vector>": the CPU's interrupt acknowledge. */
static char *pc_qtest_pic_inta(void *opaque, char **argv, int argc)
{
    PcMachine *s = opaque;

    if (argc != 1) {
        return g_strdup("FAIL pic_inta takes no arguments");
    }
    return g_strdup_printf("OK 0x%02x", pic_read_irq(s->pic));
}

/* "apic_msgs" -> "OK <count>" or "OK <count> dest=.. logical=.. mode=..
 * vector=.. trigger=edge|level" describing the last message. */
static char *pc_qtest_apic_msgs(void *opaque, char **argv, int argc)
{
    PcMachine *s = opaque;
    ApicMessage *m = &s->apic_last_msg;

    if (argc != 1) {
        return g_strdup("FAIL apic_msgs takes no arguments");
    }
    if (!s->apic_msg_count) {
        return g_strdup("OK 0");
    }
    return g_strdup_printf("OK %u dest=0x%02x logical=%d mode=%u "
                           "vector=0x%02x trigger=%s", s->apic_msg_count,
                           m->dest, m->dest_logical, m->delivery_mode,
                           m->vector, m->trigger_level ? "level" : "edge");
}

/* "ioapic_eoi VECTOR" -> "OK": the LAPIC's EOI broadcast. */
static char *pc_qtest_ioapic_eoi(void *opaque, char **argv, int argc)
{
    uint64_t vector;

    if (argc != 2 || !parse_uint64(argv[1], &vector) || vector > 0xff) {
        return g_strdup("FAIL ioapic_eoi takes a vector (0..255)");
    }
    ioapic_eoi_broadcast(vector);
    return g_strdup("OK");
}

/* "nmi" -> "OK": the NMI button. */
static char *pc_qtest_nmi(void *opaque, char **argv, int argc)
{
    if (argc != 1) {
        return g_strdup("FAIL nmi takes no arguments");
    }
    x86_nmi_all();
    return g_strdup("OK");
}

/*
 * Creates and realizes a built-in device; NULL on failure.  The id lets
 * the monitor and the device-test protocol's vmstate_save/vmstate_load
 * name it.
 */
static DeviceState *pc_device_create(const char *driver, const char *id,
                                     Error **errp)
{
    DeviceState *dev = device_new(driver, errp);

    if (dev) {
        dev->id = g_strdup(id);
    }
    if (dev && !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

/*
 * The interrupt controllers and timers, and their wiring.  The device
 * structs start with their DeviceState, which is how the board gets at
 * the typed state behind each.
 */
static bool pc_irq_devices_init(PcMachine *s, MachineState *ms,
                                Error **errp)
{
    DeviceState *pic, *ioapic, *rtc;

    if (!(pic = pc_device_create("i8259", "pc-pic", errp)) ||
        !(ioapic = pc_device_create("ioapic", "pc-ioapic", errp)) ||
        !pc_device_create("isa-pit", "pc-pit", errp) ||
        !pc_device_create("pcspk", "pc-pcspk", errp) ||
        !(s->ferr = pc_device_create("pc-ferr", "pc-ferr", errp)) ||
        !(rtc = pc_device_create("mc146818rtc", "pc-rtc", errp))) {
        return false;
    }
    s->pic = (PICState *)pic;
    s->ioapic = (IOAPICState *)ioapic;
    s->rtc = (RTCState *)rtc;
    for (int i = 0; i < ms->smp_cpus; i++) {
        if (!apic_create(i, errp)) {
            return false;
        }
    }
    apic_set_pic(s->pic);
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        IrqLine *line = isa_get_irq(s->isa, i);

        irq_redirect(line, pc_isa_irq, s, i);
        if (kvm_irqchip_in_kernel()) {
            line->irqfd_hook = pc_isa_irqfd;
        }
        if (line->level) {
            /* Driven before the wiring existed: pass the level on. */
            pc_isa_irq(s, i, line->level);
        }
    }
    s->cpu_intr = irq_new(pc_cpu_intr, s, 0);
    pic_connect_int(s->pic, s->cpu_intr);
    apic_bus_set_sink(pc_apic_sink, s);

    qtest_command_register("cpu_intr", pc_qtest_cpu_intr, s);
    qtest_command_register("pic_inta", pc_qtest_pic_inta, s);
    qtest_command_register("apic_msgs", pc_qtest_apic_msgs, s);
    qtest_command_register("ioapic_eoi", pc_qtest_ioapic_eoi, s);
    qtest_command_register("nmi", pc_qtest_nmi, s);

    s->a20_enabled = true;
    memory_region_init_io(&s->port92, &pc_port92_ops, s, "port92", 1);
    memory_region_add_subregion(get_system_io(), 0x92, &s->port92);
    reset_handler_register(pc_port92_reset, s);
    return true;
}

/*
 * The RAM below and above 4 GiB as the established pc machine splits it:
 * with 3.5 GiB or more, everything from 3 GiB up moves above 4 GiB to
 * make room for the PCI hole.  The CMOS describes that split, which is
 * what firmware written for the established machine expects; our RAM map
 * is still flat (see the top of this file) until the PCI issue.
 */
static void pc_ram_split(uint64_t ram_size, uint64_t *below, uint64_t *above)
{
    *below = pc_ram_below_4g(ram_size);
    *above = pc_ram_above_4g(ram_size);
}

/* The CMOS configuration bytes PC firmware reads. */
static void pc_cmos_init(PcMachine *s, MachineState *ms)
{
    uint64_t below, above, v;

    pc_ram_split(ms->ram_size, &below, &above);
    /* 0x15/0x16: base memory in KiB. */
    rtc_set_cmos(s->rtc, 0x15, 640 & 0xff);
    rtc_set_cmos(s->rtc, 0x16, 640 >> 8);
    /* 0x17/0x18 and 0x30/0x31: KiB above 1 MiB, at most 65535. */
    v = below > MiB ? MIN((below - MiB) / KiB, 0xffff) : 0;
    rtc_set_cmos(s->rtc, 0x17, v);
    rtc_set_cmos(s->rtc, 0x18, v >> 8);
    rtc_set_cmos(s->rtc, 0x30, v);
    rtc_set_cmos(s->rtc, 0x31, v >> 8);
    /* 0x34/0x35: 64 KiB units above 16 MiB, below 4 GiB. */
    v = below > 16 * MiB ? MIN((below - 16 * MiB) / (64 * KiB), 0xffff) : 0;
    rtc_set_cmos(s->rtc, 0x34, v);
    rtc_set_cmos(s->rtc, 0x35, v >> 8);
    /* 0x5b..0x5d: 64 KiB units above 4 GiB. */
    v = above / (64 * KiB);
    rtc_set_cmos(s->rtc, 0x5b, v);
    rtc_set_cmos(s->rtc, 0x5c, v >> 8);
    rtc_set_cmos(s->rtc, 0x5d, v >> 16);
    /* 0x14 equipment: FPU present, PS/2 mouse, no floppy, EGA/VGA video. */
    rtc_set_cmos(s->rtc, 0x14, 0x06);
}

/* -serial backends become COM1..COM4. */
static bool pc_serial_init(PcMachine *s, MachineState *ms, Error **errp)
{
    for (int i = 0; i < ARRAY_SIZE(pc_com_ports); i++) {
        char val[16];
        DeviceState *dev;
        bool ok;

        if (!ms->serial[i]) {
            continue;
        }
        dev = device_new("isa-serial", errp);
        if (!dev) {
            return false;
        }
        /* index tells the UART which COM port it is; the board still says
         * where it is wired, explicitly. */
        snprintf(val, sizeof(val), "%d", i);
        ok = device_set_prop(dev, "index", val, errp);
        snprintf(val, sizeof(val), "0x%x", pc_com_ports[i].iobase);
        ok = ok && device_set_prop(dev, "iobase", val, errp);
        snprintf(val, sizeof(val), "%d", pc_com_ports[i].irq);
        ok = ok && device_set_prop(dev, "irq", val, errp) &&
             device_set_prop(dev, "chardev", chardev_id(ms->serial[i]),
                             errp) &&
             device_realize(dev, errp);
        if (!ok) {
            device_free(dev);
            error_prepend(errp, "serial port %d: ", i);
            return false;
        }
    }
    return true;
}

/*
 * Reads each "-initrd" element (a comma-separated list; in each, the file
 * name ends at the first space, after which come multiboot module
 * arguments) and concatenates them, each padded to 4 bytes, which is how
 * Linux accepts several initramfs archives.
 */
static GByteArray *pc_load_initrd(const char *list, Error **errp)
{
    g_auto(GStrv) items = g_strsplit(list, ",", -1);
    GByteArray *all = g_byte_array_new();

    for (char **p = items; *p; p++) {
        g_autofree char *name = g_strndup(*p, strcspn(*p, " "));
        g_autoptr(GError) gerr = NULL;
        g_autofree char *data = NULL;
        static const uint8_t pad[4];
        gsize len;

        if (!g_file_get_contents(name, &data, &len, &gerr)) {
            error_setg(errp, "-initrd %s: %s", name, gerr->message);
            g_byte_array_unref(all);
            return NULL;
        }
        g_byte_array_append(all, (const guint8 *)data, len);
        g_byte_array_append(all, pad, (4 - len % 4) % 4);
    }
    return all;
}

static bool pc_fw_cfg_init(PcMachine *s, MachineState *ms, Error **errp)
{
    FwCfgState *fw = fw_cfg_init_io(s->isa, PC_FW_CFG_IOBASE, errp);

    if (!fw) {
        return false;
    }
    s->fw_cfg = fw;
    /*
     * The signature is the four bytes "QEMU": firmware (SeaBIOS, OVMF) and
     * guest drivers probe for exactly these bytes before trusting the
     * interface, so a compatible machine must present them.
     */
    fw_cfg_add_bytes(fw, FW_CFG_SIGNATURE, "QEMU", 4);
    /* Bit 0: the traditional port interface; no DMA interface (bit 1). */
    fw_cfg_add_i32(fw, FW_CFG_ID, 1);
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, ms->ram_size);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, ms->smp_cpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, ms->smp_max_cpus);
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, ms->nographic);

    if (ms->kernel_filename) {
        g_autoptr(GError) gerr = NULL;
        g_autofree char *data = NULL;
        gsize len;

        if (!g_file_get_contents(ms->kernel_filename, &data, &len, &gerr)) {
            error_setg(errp, "-kernel %s: %s", ms->kernel_filename,
                       gerr->message);
            return false;
        }
        if (len > UINT32_MAX) {
            error_setg(errp, "-kernel %s: larger than 4 GiB",
                       ms->kernel_filename);
            return false;
        }
        fw_cfg_add_i32(fw, FW_CFG_KERNEL_SIZE, len);
        fw_cfg_add_bytes(fw, FW_CFG_KERNEL_DATA, data, len);
    }
    if (ms->initrd_filename) {
        GByteArray *initrd = pc_load_initrd(ms->initrd_filename, errp);

        if (!initrd) {
            return false;
        }
        if (initrd->len > UINT32_MAX) {
            error_setg(errp, "-initrd %s: larger than 4 GiB",
                       ms->initrd_filename);
            g_byte_array_unref(initrd);
            return false;
        }
        fw_cfg_add_i32(fw, FW_CFG_INITRD_SIZE, initrd->len);
        fw_cfg_add_bytes(fw, FW_CFG_INITRD_DATA, initrd->data, initrd->len);
        g_byte_array_unref(initrd);
    }
    if (ms->kernel_cmdline) {
        size_t len = strlen(ms->kernel_cmdline) + 1;   /* with the NUL */

        fw_cfg_add_i32(fw, FW_CFG_CMDLINE_SIZE, len);
        fw_cfg_add_bytes(fw, FW_CFG_CMDLINE_DATA, ms->kernel_cmdline, len);
    }
    return true;
}

#define PC_RESET_ROM_SIZE (64 * KiB)
#define PC_RESET_ROM_BASE (4 * GiB - PC_RESET_ROM_SIZE)

/* The placeholder firmware described at the top of the file. */
static bool pc_reset_rom_init(PcMachine *s, Error **errp)
{
    static const uint8_t vec[] = { 0xf4, 0xeb, 0xfd };   /* hlt; jmp $-3 */
    uint8_t *p;

    if (!memory_region_init_rom(&s->reset_rom, "pc.reset-rom",
                                PC_RESET_ROM_SIZE, errp)) {
        return false;
    }
    p = memory_region_get_ram_ptr(&s->reset_rom);
    memset(p, 0xf4, PC_RESET_ROM_SIZE);
    memcpy(p + PC_RESET_ROM_SIZE - 16, vec, sizeof(vec));
    memory_region_add_subregion_overlap(get_system_memory(),
                                        PC_RESET_ROM_BASE, &s->reset_rom, 1);
    return true;
}

/*
 * After every reset of the boot CPU: with a multiboot kernel, the state
 * the multiboot spec promises at the entry point (32-bit protected mode,
 * paging off, flat 4 GiB CS/DS selected from the loader's GDT, EAX = magic,
 * EBX = info, interrupts off).  BQL, vCPU paused.
 */
static void pc_cpu_reset_hook(X86CPU *cpu)
{
    const MultibootBootState *bs = pc_boot_state();
    CPUX86State *env = &cpu->env;
    const uint32_t flat = DESC_P_MASK | DESC_S_MASK | DESC_B_MASK |
                          DESC_G_MASK;

    if (!bs || cpu->parent.cpu_index != 0) {
        return;
    }
    env->cr[0] |= CR0_PE;
    for (int i = 0; i < SEG_COUNT; i++) {
        SegmentCache *sc = &env->segs[i];

        sc->selector = i == R_CS ? bs->cs : bs->ds;
        sc->base = 0;
        sc->limit = 0xffffffff;
        sc->flags = flat | ((i == R_CS ? 0xbu : 3u) << DESC_TYPE_SHIFT);
    }
    env->gdt.base = bs->gdt_base;
    env->gdt.limit = bs->gdt_limit;
    env->regs[R_EAX] = bs->eax;
    env->regs[R_EBX] = bs->ebx;
    env->eip = bs->eip;
    x86_update_hflags(env);
}

/* Reset handler: the MP tables back into the F segment.  BQL. */
static void pc_mptable_reset(void *opaque)
{
    PcMachine *s = opaque;

    address_space_write(&address_space_memory, MPTABLE_ADDR,
                        MEMTXATTRS_UNSPECIFIED, s->mptable->data,
                        s->mptable->len);
}

/* Builds the MP tables from the CPUs just created (hw/i386/mptable.c).
 * The I/O APIC's ID is 0 after reset.  BQL. */
static void pc_mptable_init(void)
{
    PcMachine *s = &pc_machine_state;
    g_autofree MpTableCpu *mp = g_new0(MpTableCpu, nr_cpus);
    int n = 0;

    for (int i = 0; i < nr_cpus; i++) {
        CPUX86State *env = x86_env(cpus[i]);
        uint32_t id = x86_cpu(cpus[i])->apic_id;

        /* An MP table entry has 8 bits of APIC ID and 0xff is the
         * broadcast; larger IDs (sparse topologies near 255 CPUs) need
         * x2APIC and ACPI, so they are left out rather than truncated. */
        if (id >= 0xff) {
            continue;
        }
        mp[n].apic_id = id;
        mp[n].signature = env->cpuid_version;
        mp[n].features = env->features[FEAT_1_EDX];
        n++;
    }
    s->mptable = mptable_build(mp, n, 0, MPTABLE_ADDR);
    reset_handler_register(pc_mptable_reset, s);
}

/* Creates and starts the vCPUs (born paused until vm_start).  BQL. */
static bool pc_cpus_init(MachineState *ms, Error **errp)
{
    if (!current_accel || !current_accel->has_vcpu_threads) {
        return true;            /* qtest or no accelerator: no CPUs */
    }
    x86_cpu_reset_hook = pc_cpu_reset_hook;
    x86_cpu_int_ack_hook = pc_int_ack;
    for (int i = 0; i < ms->smp_cpus; i++) {
        X86CPU *cpu = x86_cpu_create(ms, i, errp);

        if (cpu) {
            apic_connect_cpu(apic_find(i), &cpu->parent);
            pc_ferr_connect_cpu(pc_machine_state.ferr, cpu);
        }
        if (!cpu || !cpu_start(&cpu->parent, errp)) {
            error_prepend(errp, "CPU %d: ", i);
            return false;
        }
        if (i == 0) {
            pc_machine_state.boot_cpu = cpu;
        }
    }
    pc_mptable_init();
    return true;
}

/* Called with the BQL held, once, before any vCPU exists. */
static bool pc_init(MachineState *ms, Error **errp)
{
    PcMachine *s = &pc_machine_state;
    bool ok = false;

    memory_region_transaction_begin();
    if (!pc_memory_init(ms, &s->ram, errp)) {
        goto out;
    }

    memory_region_init_io(&s->io_unassigned, &pc_io_unassigned_ops, s,
                          "io-unassigned", 0x10000);
    memory_region_add_subregion_overlap(get_system_io(), 0,
                                        &s->io_unassigned, -1000);

    s->isa = isa_bus_new(get_system_io(), errp);
    if (!s->isa) {
        goto out;
    }
    qdev_bus_add("sysbus");

    if (!pc_irq_devices_init(s, ms, errp) || !pc_serial_init(s, ms, errp) ||
        !pc_fw_cfg_init(s, ms, errp) ||
        !pc_pci_init(ms, s->isa, s->fw_cfg, errp)) {
        goto out;
    }
    pc_cmos_init(s, ms);
    if (ms->kernel_filename) {
        if (!multiboot_load_split(&s->ram, pc_ram_below_4g(ms->ram_size),
                                  pc_ram_above_4g(ms->ram_size),
                                  ms->kernel_filename, ms->initrd_filename,
                                  ms->kernel_cmdline, &s->boot_state,
                                  errp)) {
            goto out;
        }
        s->has_boot_state = true;
    }
    if (!ms->bios_filename && !pc_reset_rom_init(s, errp)) {
        goto out;
    }
    ok = true;
out:
    memory_region_transaction_commit();
    return ok && pc_cpus_init(ms, errp);
}

/* Any thread after pc_init. */
const MultibootBootState *pc_boot_state(void)
{
    return pc_machine_state.has_boot_state ? &pc_machine_state.boot_state
                                           : NULL;
}

static const CpuModel pc_cpu_models[] = {
    { "qemu64", "a baseline x86-64 CPU (SSE2, no later extensions)" },
    { "max", "every feature the accelerator supports" },
    { "Haswell", "Intel Core 4th generation (Haswell)" },
    { "Skylake-Client", "Intel Core 6th generation (Skylake)" },
    { "host", "KVM only: the host CPU as KVM supports it" },
    { NULL },
};

static const MachineClass pc_machine = {
    .name = "pc",
    .alias = "pc-i440fx",
    .desc = "Standard PC (i440FX-style)",
    .arch = "x86_64",
    .init = pc_init,
    .default_ram_size = 128 * MiB,
    .max_cpus = 255,
    .default_cpu_type = "qemu64",
    .cpu_models = pc_cpu_models,
    .cpu_check = x86_cpu_spec_check,
    .max_serial = 4,
};
MACHINE_REGISTER(pc_machine);
