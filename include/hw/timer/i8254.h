/*
 * i8254.h: the PC's programmable interval timer ("isa-pit").
 *
 * Counter 0's OUT drives ISA IRQ 0 by itself.  Counter 2's GATE and OUT
 * belong to the system control port 0x61 (hw/timer/pcspk.c), which uses
 * these two calls.  BQL.
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

typedef struct PITState PITState;

void pit_set_gate(PITState *s, int channel, bool level);
bool pit_get_out(PITState *s, int channel);

#endif
