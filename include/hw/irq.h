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

#include "util/error.h"

typedef void IrqHandler(void *opaque, int n, int level);

typedef struct IrqLine IrqLine;
/* See irq_set_irqfd(). */
typedef bool IrqfdHook(IrqLine *irq, int fd, bool assign, Error **errp);

struct IrqLine {
    IrqHandler *handler;
    void *opaque;
    int n;
    int level;          /* last level set; owned by whoever sets the line */
    /* Set by the receiving end when it can take an irqfd itself (an
     * in-kernel irqchip); NULL: irq_set_irqfd() falls back to the main
     * loop.  Cleared by irq_redirect().  BQL. */
    IrqfdHook *irqfd_hook;
    /* The main-loop fallback's eventfd, while one is assigned.  BQL. */
    int irqfd_fallback_fd;
    bool irqfd_fallback_set;
};

IrqLine *irq_new(IrqHandler *handler, void *opaque, int n);
/* count lines numbered 0..count-1, all to the same handler. */
IrqLine **irq_new_array(IrqHandler *handler, void *opaque, int count);
void irq_free(IrqLine *irq);

void irq_set(IrqLine *irq, int level);
static inline void irq_raise(IrqLine *irq) { irq_set(irq, 1); }
static inline void irq_lower(IrqLine *irq) { irq_set(irq, 0); }
/* Raise then lower: an edge. */
void irq_pulse(IrqLine *irq);

/*
 * irqfd: once assigned, signalling the eventfd fd (writing a count to it)
 * pulses irq, from any thread and without the BQL.  When the line ends at
 * an in-kernel interrupt controller (KVM), the receiver's irqfd_hook hands
 * fd to the kernel and the interrupt never leaves it; otherwise the main
 * loop watches fd and calls irq_pulse() with the BQL.  assign = false
 * undoes it.  fd stays the caller's.  BQL.
 */
bool irq_set_irqfd(IrqLine *irq, int fd, bool assign, Error **errp);

/* Redirects irq to a new handler (qtest interception, board rewiring). */
void irq_redirect(IrqLine *irq, IrqHandler *handler, void *opaque, int n);

#endif
