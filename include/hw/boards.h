/*
 * boards.h: machines (-M pc, -M pseries, -M none).
 *
 * A MachineClass builds the address map, the buses and the built-in devices
 * from the MachineState that the command line filled in.  Machines register
 * themselves at start-up; "-M help" lists them.  init runs in the main
 * thread with the BQL held, before any vCPU thread exists.
 *
 *     static const MachineClass pc_machine = {
 *         .name = "pc", .desc = "Standard PC (i440FX-style)",
 *         .arch = "x86_64", .init = pc_init,
 *         .default_ram_size = 128 * MiB, .max_cpus = 64,
 *         .default_cpu_type = "qemu64",
 *     };
 *     MACHINE_REGISTER(pc_machine);
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "util/error.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

typedef struct MachineState MachineState;
typedef struct MemoryRegion MemoryRegion;
typedef struct Chardev Chardev;

typedef struct CpuModel {
    const char *name;
    const char *desc;
} CpuModel;

/* Checks a -cpu string with options (NAME,+feat,...): false with one
 * error line in errp.  Main thread, before the machine is created. */
typedef bool MachineCpuCheckFn(const char *spec, Error **errp);

typedef struct MachineClass {
    const char *name;
    const char *alias;             /* e.g. "pc-i440fx" */
    const char *desc;
    const char *arch;              /* "x86_64", "ppc64", NULL for none */
    bool (*init)(MachineState *ms, Error **errp);
    uint64_t default_ram_size;     /* bytes */
    int max_cpus;
    const char *default_cpu_type;
    const CpuModel *cpu_models;    /* { NULL }-terminated; -cpu help */
    MachineCpuCheckFn *cpu_check;  /* NULL: -cpu takes a plain model name */
    int max_serial;                /* -serial ports it wires up */
    bool no_serial_default;        /* -M none: no default serial */
    bool big_endian;               /* the arch's byte order (qtest readw..) */
} MachineClass;

/* Filled in from the command line before init; then const. */
struct MachineState {
    const MachineClass *mc;
    uint64_t ram_size;             /* bytes */
    uint64_t maxram_size;          /* -m maxmem= (bytes); ram_size if none */
    uint64_t ram_slots;            /* -m slots= (hotplug slots; none yet) */
    int smp_cpus;
    int smp_sockets, smp_cores, smp_threads, smp_max_cpus;
    const char *cpu_type;
    const char *kernel_filename;
    const char *initrd_filename;
    const char *kernel_cmdline;
    const char *bios_filename;
    Chardev *serial[4];            /* -serial, in order; NULL = none */
    MemoryRegion *ram;             /* created by the board */
    bool nographic;
    const char *kernel_irqchip;    /* -machine kernel-irqchip=on|off|split;
                                      NULL = the accelerator's default */
};

extern MachineState *current_machine;

void machine_class_register(const MachineClass *mc);
#define MACHINE_REGISTER(mc) \
    __attribute__((constructor)) static void mc##_register(void) \
    { machine_class_register(&(mc)); }
const MachineClass *machine_class_find(const char *name);
void machine_class_list(FILE *f);
/* The default machine for a program name (argv[0]) or NULL. */
const MachineClass *machine_class_for_progname(const char *progname);

/* -cpu NAME: the model of mc called name, or NULL. */
const CpuModel *machine_cpu_model_find(const MachineClass *mc,
                                       const char *name);
/* -cpu help: the models mc accepts. */
void machine_cpu_list(FILE *f, const MachineClass *mc);

#endif
