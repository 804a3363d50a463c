/*
 * null-machine.c: the "none" machine: an empty address space.
 *
 * It has no devices, no buses and no default serial port; it gets RAM at
 * guest physical 0 only when -m is given.  Tests use it to exercise the
 * front end, the main loop and the memory core without any board.
 * Runs in the main thread with the BQL held.
 */
#include "util/osdep.h"
#include "hw/boards.h"
#include "system/memory.h"

static MemoryRegion null_machine_ram;

static bool null_machine_init(MachineState *ms, Error **errp)
{
    if (!ms->ram_size) {
        return true;
    }
    if (!memory_region_init_ram(&null_machine_ram, "ram", ms->ram_size,
                                errp)) {
        return false;
    }
    memory_region_add_subregion(get_system_memory(), 0, &null_machine_ram);
    ms->ram = &null_machine_ram;
    return true;
}

static const MachineClass null_machine = {
    .name = "none",
    .desc = "empty machine",
    .init = null_machine_init,
    .default_ram_size = 0,       /* RAM only with -m */
    .max_cpus = 1,
    .max_serial = 0,
    .no_serial_default = true,
};
MACHINE_REGISTER(null_machine);
