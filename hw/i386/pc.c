/*
 * pc.c: the "pc" machine (x86_64): a PC's memory and I/O-port map, the ISA
 * bus with its serial ports, and fw_cfg.
 *
 * What is here now, and what comes with later issues:
 *   - RAM ("pc.ram") from guest physical 0 for the whole -m size.  The real
 *     PC holes (legacy VGA window, BIOS ROM shadow, the PCI hole below
 *     4 GiB) arrive with the x86 and PCI issues.
 *   - The I/O-port space with a background region under everything (see
 *     pc_io_unassigned_ops for why).
 *   - The ISA bus.  Its 16 IRQ lines end in a recorder until the i8259/
 *     IOAPIC issue; qtest intercepts them to watch devices raise IRQs.
 *   - COM1..COM4 as "isa-serial" devices for each -serial backend.
 *   - fw_cfg on ports 0x510/0x511 with the items guests read first: the
 *     signature, RAM size, CPU counts, and the -kernel/-initrd/-append
 *     payload for a boot loader.
 *   - With -kernel, a multiboot v1 kernel loaded into RAM by
 *     hw/i386/multiboot.c; its boot CPU state is kept here for the x86
 *     reset path (pc_boot_state()).  The payload stays in fw_cfg too.
 *   - No CPUs yet: until the TCG issue lands, -M pc runs the devices with no
 *     CPU (useful with -accel qtest).  -cpu names are validated against the
 *     models below so that scripts fail early on typos.
 *
 * pc_init runs once, in the main thread with the BQL held, before any vCPU
 * exists.  The board's state is file-static: there is one machine.
 */
#include "util/osdep.h"
#include "hw/boards.h"
#include "hw/fw_cfg.h"
#include "hw/i386/multiboot.h"
#include "hw/irq.h"
#include "hw/isa.h"
#include "hw/qdev.h"
#include "chardev/char.h"
#include "system/memory.h"

typedef struct PcMachine {
    MemoryRegion ram;
    MemoryRegion io_unassigned;
    IsaBus *isa;
    FwCfgState *fw_cfg;
    int isa_irq_level[ISA_NUM_IRQS];   /* BQL: last level per ISA line */
    bool has_boot_state;               /* set once in pc_init */
    MultibootBootState boot_state;     /* written in pc_init, then const */
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

/*
 * Until the interrupt controllers exist, an ISA line ends here: the level
 * is kept so that a later PIC can sample it, and nothing else happens.
 * Called with the BQL held by whichever device drives the line.
 */
static void pc_isa_irq_record(void *opaque, int n, int level)
{
    PcMachine *s = opaque;

    s->isa_irq_level[n] = level;
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

/* Called with the BQL held, once, before any vCPU exists. */
static bool pc_init(MachineState *ms, Error **errp)
{
    PcMachine *s = &pc_machine_state;
    bool ok = false;

    memory_region_transaction_begin();
    if (!memory_region_init_ram(&s->ram, "pc.ram", ms->ram_size, errp)) {
        goto out;
    }
    memory_region_add_subregion(get_system_memory(), 0, &s->ram);
    ms->ram = &s->ram;

    memory_region_init_io(&s->io_unassigned, &pc_io_unassigned_ops, s,
                          "io-unassigned", 0x10000);
    memory_region_add_subregion_overlap(get_system_io(), 0,
                                        &s->io_unassigned, -1000);

    s->isa = isa_bus_new(get_system_io(), errp);
    if (!s->isa) {
        goto out;
    }
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        irq_redirect(isa_get_irq(s->isa, i), pc_isa_irq_record, s, i);
    }
    qdev_bus_add("sysbus");

    if (!pc_serial_init(s, ms, errp) || !pc_fw_cfg_init(s, ms, errp)) {
        goto out;
    }
    if (ms->kernel_filename) {
        if (!multiboot_load(&s->ram, ms->ram_size, ms->kernel_filename,
                            ms->initrd_filename, ms->kernel_cmdline,
                            &s->boot_state, errp)) {
            goto out;
        }
        s->has_boot_state = true;
    }
    ok = true;
out:
    memory_region_transaction_commit();
    return ok;
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
    { "Skylake-Client", "Intel Core 6th generation (Skylake)" },
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
    .max_serial = 4,
};
MACHINE_REGISTER(pc_machine);
