/*
 * i8259.h: the PC's pair of cascaded 8259A interrupt controllers.
 *
 * The board creates one "i8259" device (both chips), feeds ISA IRQ n into
 * pic_get_input(s, n) and connects the master's INT output with
 * pic_connect_int() to the CPU's INTR input.  When the CPU takes the
 * interrupt it runs the acknowledge cycle with pic_read_irq(), which returns
 * the vector.  BQL for everything.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

typedef struct PICState PICState;
typedef struct IrqLine IrqLine;

/* Input line n (0..15, ISA numbering; 2 is the cascade and unused). */
IrqLine *pic_get_input(PICState *s, int n);
/* Where the master's INT goes; NULL disconnects. */
void pic_connect_int(PICState *s, IrqLine *out);
/*
 * The INTA cycle: returns the vector of the highest-priority pending
 * request and moves it from IRR to ISR (unless auto-EOI).  With nothing
 * pending it returns the spurious vector (IRQ 7 of the chip that was asked).
 */
int pic_read_irq(PICState *s);
/* The level on the INT output now. */
bool pic_int_level(PICState *s);

#endif
