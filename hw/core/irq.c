/*
 * irq.c: interrupt lines.  See hw/irq.h.
 *
 * irqfd without an in-kernel irqchip: the main loop watches the eventfd
 * (BQL held in its callbacks) and pulses the line.
 */
#include "util/osdep.h"
#include "hw/irq.h"
#include "system/main-loop.h"

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

/* Main loop, BQL: fd of an irqfd became readable. */
static void irq_irqfd_read(void *opaque)
{
    IrqLine *irq = opaque;
    int fd = irq->irqfd_fallback_fd;
    uint64_t count;

    if (read(fd, &count, sizeof(count)) == sizeof(count) && count) {
        irq_pulse(irq);
    }
}

bool irq_set_irqfd(IrqLine *irq, int fd, bool assign, Error **errp)
{
    if (irq->irqfd_hook) {
        return irq->irqfd_hook(irq, fd, assign, errp);
    }
    if (assign && irq->irqfd_fallback_fd >= 0 && irq->irqfd_fallback_fd != fd &&
        irq->irqfd_fallback_set) {
        error_setg(errp, "interrupt line already has an irqfd");
        return false;
    }
    irq->irqfd_fallback_fd = fd;
    irq->irqfd_fallback_set = assign;
    event_loop_set_fd_handler(main_loop_get(), fd,
                              assign ? irq_irqfd_read : NULL, NULL, irq);
    return true;
}

void irq_redirect(IrqLine *irq, IrqHandler *handler, void *opaque, int n)
{
    irq->irqfd_hook = NULL;
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
}
