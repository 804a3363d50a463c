/*
 * pc-ferr.h: the PC chipset's x87 error logic (hw/i386/pc-ferr.c): the
 * CPUs' FERR# outputs become ISA IRQ 13, and port 0xF0 clears it and
 * asserts IGNNE#.  The board creates the "pc-ferr" device once and wires
 * each CPU to it.  BQL.
 */
#ifndef HW_I386_PC_FERR_H
#define HW_I386_PC_FERR_H

#include "hw/qdev.h"
#include "target/i386/cpu.h"

/* Connects cpu's FERR# output to dev and dev's IGNNE# output to cpu.
 * Main thread, BQL, before the vCPU runs. */
void pc_ferr_connect_cpu(DeviceState *dev, X86CPU *cpu);

#endif
