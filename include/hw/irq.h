/*
 * irq.h: interrupt lines as value objects.
 *
 * An IrqLine is the input end of a wire: a handler, an opaque pointer (the
 * receiving device) and the line number at that receiver.  A device holds
 * IrqLine pointers for its outputs and calls irq_set() on them; it never
 * knows what is on the other end.
 *
 *     s->irq = isa_get_irq(bus, 4);            // output wired by the board
 *     irq_set(s->irq, 1);                      // assert
 *
 * irq_set() calls the handler synchronously in the caller's thread.  The
 * handler's own locking rules apply: the userspace interrupt controllers
 * require the BQL.  A NULL IrqLine is a wire to nowhere; setting it is a
 * no-op, so unconnected outputs need no special case.
 *
 * qtest can intercept a line: the handler is replaced by one that records
 * the level and reports changes to the test (system/qtest.c).
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

typedef void IrqHandler(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler *handler;
    void *opaque;
    int n;
    int level;          /* last level set; owned by whoever sets the line */
} IrqLine;

IrqLine *irq_new(IrqHandler *handler, void *opaque, int n);
/* count lines numbered 0..count-1, all to the same handler. */
IrqLine **irq_new_array(IrqHandler *handler, void *opaque, int count);
void irq_free(IrqLine *irq);

void irq_set(IrqLine *irq, int level);
static inline void irq_raise(IrqLine *irq) { irq_set(irq, 1); }
static inline void irq_lower(IrqLine *irq) { irq_set(irq, 0); }
/* Raise then lower: an edge. */
void irq_pulse(IrqLine *irq);

/* Redirects irq to a new handler (qtest interception, board rewiring). */
void irq_redirect(IrqLine *irq, IrqHandler *handler, void *opaque, int n);

#endif
