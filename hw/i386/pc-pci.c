/*
 * pc-pci.c: the pc machine's RAM layout around the PCI hole, and the PCI
 * bus it gets by default.  See hw/i386/pc-pci.h.
 *
 * Kept out of pc.c so that the board file only calls two functions.  The
 * regions are file-static: there is one machine.  Everything here runs in
 * pc_init, in the main thread with the BQL held, before any vCPU exists.
 */
#include "util/osdep.h"
#include <sys/sysinfo.h>
#include "hw/boards.h"
#include "hw/fw_cfg.h"
#include "hw/isa.h"
#include "hw/i386/apic-bus.h"
#include "hw/i386/pc-pci.h"
#include "hw/pci/pci.h"
#include "hw/pci-host/i440fx.h"
#include "system/memory.h"

/* Where the established pc machine splits RAM (see pc-pci.h). */
#define PC_LOWMEM_MAX     0xe0000000ULL   /* 3.5 GiB */
#define PC_LOWMEM_SPLIT   0xc0000000ULL   /* 3 GiB */
#define PC_4G             0x100000000ULL

#define PC_MSI_ADDR_BASE 0xfee00000ULL   /* the LAPICs' interrupt window */

#define E820_RAM      1
#define E820_RESERVED 2
#define PC_AMD_HT_START 0xfd00000000ULL   /* 1012 GiB */
#define PC_AMD_HT_SIZE  0x300000000ULL    /* up to 1 TiB */

static MemoryRegion pc_ram_below, pc_ram_above;   /* aliases into RAM */
static MemoryRegion pc_pci_mem;                   /* memory BARs */

uint64_t pc_ram_below_4g(uint64_t ram_size)
{
    return ram_size >= PC_LOWMEM_MAX ? PC_LOWMEM_SPLIT : ram_size;
}

uint64_t pc_ram_above_4g(uint64_t ram_size)
{
    return ram_size - pc_ram_below_4g(ram_size);
}

bool pc_memory_init(MachineState *ms, MemoryRegion *ram, Error **errp)
{
    uint64_t below = pc_ram_below_4g(ms->ram_size);
    uint64_t above = pc_ram_above_4g(ms->ram_size);

    struct sysinfo si;

    /*
     * RAM is reserved lazily, so any size would map; refuse what the host
     * could never back (its RAM plus swap), as the established emulator
     * does through the kernel's overcommit check.
     */
    if (sysinfo(&si) == 0) {
        uint64_t host = ((uint64_t)si.totalram + si.totalswap) * si.mem_unit;

        if (ms->ram_size > host) {
            error_setg(errp, "-m %" PRIu64 "M: more than the host's memory "
                       "(%" PRIu64 " MiB of RAM and swap)",
                       (uint64_t)(ms->ram_size / MiB), (uint64_t)(host / MiB));
            return false;
        }
    }
    if (!memory_region_init_ram(ram, "pc.ram", ms->ram_size, errp)) {
        error_prepend(errp, "-m %" PRIu64 "M: ", (uint64_t)(ms->ram_size / MiB));
        return false;
    }
    memory_region_init_alias(&pc_ram_below, "ram-below-4g", ram, 0, below);
    memory_region_add_subregion(get_system_memory(), 0, &pc_ram_below);
    if (above) {
        memory_region_init_alias(&pc_ram_above, "ram-above-4g", ram, below,
                                 above);
        memory_region_add_subregion(get_system_memory(), PC_4G,
                                    &pc_ram_above);
    }
    ms->ram = ram;
    return true;
}

/* The e820 table firmware reads from fw_cfg: 20-byte little-endian
 * entries { u64 address, u64 length, u32 type }. */
static void pc_e820_add(GByteArray *t, uint64_t addr, uint64_t len,
                        uint32_t type)
{
    uint8_t e[20];

    for (int i = 0; i < 8; i++) {
        e[i] = addr >> (8 * i);
        e[8 + i] = len >> (8 * i);
    }
    for (int i = 0; i < 4; i++) {
        e[16 + i] = type >> (8 * i);
    }
    g_byte_array_append(t, e, sizeof(e));
}

bool pc_msi_decode(uint64_t addr, uint32_t data, ApicMessage *out)
{
    if ((addr & ~0xfffffULL) != PC_MSI_ADDR_BASE) {
        return false;
    }
    *out = (ApicMessage){
        .dest = (addr >> 12) & 0xff,
        .dest_logical = (addr >> 2) & 1,
        .delivery_mode = (data >> 8) & 7,
        .vector = data & 0xff,
        .level = true,
        .trigger_level = (data >> 15) & 1,
    };
    return true;
}

/* The PCI bus's MSI hook.  BQL (the device sending it holds it). */
static bool pc_msi_deliver(void *opaque, uint64_t addr, uint32_t data,
                           uint16_t requester_id)
{
    ApicMessage m;

    if (!pc_msi_decode(addr, data, &m)) {
        return false;
    }
    apic_bus_deliver(&m);
    return true;
}

bool pc_pci_init(MachineState *ms, IsaBus *isa, FwCfgState *fw, Error **errp)
{
    PCIBus *bus;

    uint64_t below = pc_ram_below_4g(ms->ram_size);
    uint64_t above = pc_ram_above_4g(ms->ram_size);

    /* The whole 64-bit PCI memory space, under everything else: RAM and
     * the fixed devices win where a BAR overlaps them. */
    memory_region_init(&pc_pci_mem, "pci-mem", UINT64_MAX);
    memory_region_add_subregion_overlap(get_system_memory(), 0, &pc_pci_mem,
                                        -1);
    bus = i440fx_init(isa, &pc_pci_mem, errp);
    if (!bus) {
        return false;
    }
    pci_bus_set_msi_deliver(bus, pc_msi_deliver, NULL);
    if (fw) {
        g_autoptr(GByteArray) t = g_byte_array_new();

        /*
         * With an AMD CPU model (qemu64 is the one whose CPUID vendor is
         * AuthenticAMD, target/i386/cpu.c) the established machine
         * reserves the HyperTransport window below 1 TiB first, and
         * firmware passes it on; so do we.
         */
        if (!ms->cpu_type || !strcmp(ms->cpu_type, "qemu64")) {
            pc_e820_add(t, PC_AMD_HT_START, PC_AMD_HT_SIZE, E820_RESERVED);
        }
        pc_e820_add(t, 0, below, E820_RAM);
        if (above) {
            pc_e820_add(t, PC_4G, above, E820_RAM);
        }
        if (!fw_cfg_add_file(fw, "etc/e820", t->data, t->len, errp)) {
            return false;
        }
    }
    return true;
}
