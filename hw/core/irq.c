/*
 * irq.c: interrupt lines.  See hw/irq.h.
 */
#include "util/osdep.h"
#include "hw/irq.h"

IrqLine *irq_new(IrqHandler *handler, void *opaque, int n)
{
    IrqLine *irq = g_new0(IrqLine, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

IrqLine **irq_new_array(IrqHandler *handler, void *opaque, int count)
{
    IrqLine **lines = g_new0(IrqLine *, count);

    for (int i = 0; i < count; i++) {
        lines[i] = irq_new(handler, opaque, i);
    }
    return lines;
}

void irq_free(IrqLine *irq)
{
    g_free(irq);
}

void irq_set(IrqLine *irq, int level)
{
    if (!irq) {
        return;
    }
    irq->level = level;
    if (irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

void irq_pulse(IrqLine *irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}

void irq_redirect(IrqLine *irq, IrqHandler *handler, void *opaque, int n)
{
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
}
