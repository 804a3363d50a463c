/*
 * ioapic.h: the 82093AA-style I/O APIC of the pc machine.
 *
 * The board feeds pin n with ioapic_get_input(s, n) (0..23); the IOAPIC
 * turns an unmasked assertion into an ApicMessage on the APIC bus
 * (hw/i386/apic-bus.h).  The local APIC calls ioapic_eoi_broadcast() when
 * the CPU EOIs a level-triggered vector, which clears Remote IRR.  BQL.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

typedef struct IOAPICState IOAPICState;
typedef struct IrqLine IrqLine;

#define IOAPIC_NUM_PINS 24
#define IOAPIC_DEFAULT_BASE 0xfec00000ULL

IrqLine *ioapic_get_input(IOAPICState *s, int pin);
/* An EOI for vector reached every IOAPIC of the machine.  BQL. */
void ioapic_eoi_broadcast(int vector);

#endif
