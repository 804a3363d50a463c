/*
 * isa.h: the ISA bus of x86 machines: the I/O-port space and 16 IRQ lines.
 *
 * The board creates it and wires the IRQ lines to its interrupt controller
 * (or, until one exists, to line-level recorders that qtest can observe).
 * ISA devices claim ports with isa_register_ioport() and take their IRQ
 * with isa_get_irq().  BQL.
 */
#ifndef HW_ISA_H
#define HW_ISA_H

#include "util/error.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct IrqLine IrqLine;

#define ISA_NUM_IRQS 16

typedef struct IsaBus {
    MemoryRegion *io;              /* the I/O-port space */
    IrqLine *irqs[ISA_NUM_IRQS];   /* inputs of the interrupt controller */
} IsaBus;

/* Creates the machine's ISA bus; once per machine. */
IsaBus *isa_bus_new(MemoryRegion *io, Error **errp);
/* The current machine's ISA bus, or NULL if it has none. */
IsaBus *isa_bus_get(void);
IrqLine *isa_get_irq(IsaBus *bus, int n);
/* Maps mr at port; fails if it overlaps a port someone else claimed. */
bool isa_register_ioport(IsaBus *bus, MemoryRegion *mr, uint16_t port,
                         Error **errp);

#endif
