/*
 * pc-pci.h: the pc machine's memory layout around the PCI hole, and its
 * PCI bus (hw/i386/pc-pci.c).
 *
 * RAM is one lazily allocated region ("pc.ram", mmap MAP_NORESERVE: pages
 * cost host memory only once the guest touches them).  The guest sees it
 * through two aliases, as on the established pc machine: the first
 * pc_ram_below_4g() bytes at 0, the rest at 4 GiB.  With less than
 * 3.5 GiB everything is below 4 GiB; with 3.5 GiB or more the split is at
 * 3 GiB.  What is left between the top of low RAM and 4 GiB is the PCI
 * hole, where memory BARs decode (the IOAPIC, the reset ROM and the other
 * fixed devices sit above them).
 *
 * Both functions run in pc_init (main thread, BQL held, no vCPU yet).
 */
#ifndef HW_I386_PC_PCI_H
#define HW_I386_PC_PCI_H

#include "util/error.h"

typedef struct MachineState MachineState;
typedef struct MemoryRegion MemoryRegion;
typedef struct IsaBus IsaBus;
typedef struct FwCfgState FwCfgState;

/* Bytes of RAM below and above 4 GiB for a RAM size. */
uint64_t pc_ram_below_4g(uint64_t ram_size);
uint64_t pc_ram_above_4g(uint64_t ram_size);

/* Allocates ram (ms->ram_size bytes) and maps it below/above 4 GiB. */
bool pc_memory_init(MachineState *ms, MemoryRegion *ram, Error **errp);

/*
 * The PCI bus: the memory-BAR space under RAM, the i440FX host bridge and
 * the PIIX3 with PIRQ routing onto the ISA IRQs; and the "etc/e820" RAM
 * map in fw_cfg (fw may be NULL).  After the ISA interrupt wiring exists.
 */
bool pc_pci_init(MachineState *ms, IsaBus *isa, FwCfgState *fw,
                 Error **errp);

/*
 * An MSI write as the pc's local APICs see it (SDM Vol 3A 10.11): an
 * address in 0xfee00000..0xfeefffff (destination ID in bits 19:12,
 * destination mode in bit 2) and data (vector 7:0, delivery mode 10:8,
 * trigger mode 15).  Returns false for any other address.  Installed as
 * the PCI bus's MSI hook by pc_pci_init; messages go to the APIC bus.
 */
typedef struct ApicMessage ApicMessage;
bool pc_msi_decode(uint64_t addr, uint32_t data, ApicMessage *out);

#endif
