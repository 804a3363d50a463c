/*
 * pc.h: what the pc board (hw/i386/pc.c) offers the rest of the emulator
 * beyond its MachineClass: the NMI button, for the monitor's "nmi"
 * command (and qtest's).  Called with the BQL held.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

/* Every CPU gets an NMI: through LINT1 of its LAPIC (as its LVT says), or
 * directly while that LAPIC is disabled.  BQL. */
void x86_nmi_all(void);

#endif
