/*
 * spapr.c: the "pseries" machine (ppc64), the sPAPR paravirtual platform.
 *
 * This is the shell that the POWER issues fill in.  It has:
 *   - RAM from guest physical 0 for the whole -m size;
 *   - a "sysbus" for the platform devices to come;
 *   - the -serial backends, kept in ms->serial for the spapr-vty console
 *     (the guest reaches it through H_PUT_TERM_CHAR/H_GET_TERM_CHAR, which
 *     come with the hypercall issue);
 *   - the CPU models -cpu accepts (power8/9/10), validated now.
 * Not yet: CPUs, the device tree, XICS, hypercalls, RTAS, PCI.  There is no
 * ISA bus on this machine, so ISA devices are refused.
 *
 * spapr_init runs once, in the main thread with the BQL held, before any
 * vCPU exists.
 */
#include "util/osdep.h"
#include "hw/boards.h"
#include "hw/qdev.h"
#include "system/memory.h"

typedef struct SpaprMachine {
    MemoryRegion ram;
} SpaprMachine;

static SpaprMachine spapr_machine_state;

/* Called with the BQL held, once, before any vCPU exists. */
static bool spapr_init(MachineState *ms, Error **errp)
{
    SpaprMachine *s = &spapr_machine_state;
    bool ok = false;

    memory_region_transaction_begin();
    if (!memory_region_init_ram(&s->ram, "ppc_spapr.ram", ms->ram_size,
                                errp)) {
        goto out;
    }
    memory_region_add_subregion(get_system_memory(), 0, &s->ram);
    ms->ram = &s->ram;
    qdev_bus_add("sysbus");
    ok = true;
out:
    memory_region_transaction_commit();
    return ok;
}

static const CpuModel spapr_cpu_models[] = {
    { "power8", "IBM POWER8 (Power ISA 2.07, hash MMU)" },
    { "power9", "IBM POWER9 (Power ISA 3.0, radix and hash MMU)" },
    { "power10", "IBM POWER10 (Power ISA 3.1)" },
    { NULL },
};

static const MachineClass spapr_machine = {
    .name = "pseries",
    .desc = "pSeries Logical Partition (PAPR compliant)",
    .arch = "ppc64",
    .init = spapr_init,
    .default_ram_size = 512 * MiB,
    .max_cpus = 64,
    .default_cpu_type = "power9",
    .cpu_models = spapr_cpu_models,
    .max_serial = 4,
    .big_endian = true,    /* qtest's readw etc.: ppc64's byte order */
};
MACHINE_REGISTER(spapr_machine);
