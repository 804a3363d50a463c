/*
 * i440fx.h: the pc machine's PCI host: the i440FX host bridge (00.0,
 * 8086:1237) with the type 1 configuration mechanism at ports 0xcf8
 * (CONFIG_ADDRESS) and 0xcfc (CONFIG_DATA), and the PIIX3 PCI-to-ISA bridge
 * (01.0, 8086:7000) whose PIRQ route registers (config 0x60..0x63) steer
 * PCI INTA..INTD onto ISA IRQ lines.
 *
 * The board calls i440fx_init() once, in pc_init (main thread, BQL held),
 * after the ISA bus and its interrupt wiring exist.  Memory BARs are
 * mapped into pci_mem, a container the caller has placed under the RAM in
 * the system map; I/O BARs into the port space.  BQL for everything.
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "util/error.h"

typedef struct IsaBus IsaBus;
typedef struct MemoryRegion MemoryRegion;
typedef struct PCIBus PCIBus;

#define I440FX_CONFIG_ADDRESS 0xcf8
#define I440FX_CONFIG_DATA    0xcfc
#define PIIX_PIRQRC           0x60    /* PIRQ A..D route control, 4 bytes */
#define PIIX_NUM_PIRQS        4

PCIBus *i440fx_init(IsaBus *isa, MemoryRegion *pci_mem, Error **errp);

#endif
