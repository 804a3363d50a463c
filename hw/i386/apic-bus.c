/*
 * apic-bus.c: the APIC message bus's single sink (hw/i386/apic-bus.h).
 *
 * The bus is a function pointer: interrupt sources call apic_bus_deliver(),
 * which hands the message to whoever registered.  The pc board registers a
 * recorder today; the LAPIC model takes over later.  BQL.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/i386/apic-bus.h"

static ApicBusDeliverFn *apic_bus_sink;     /* BQL */
static void *apic_bus_sink_opaque;          /* BQL */

void apic_bus_set_sink(ApicBusDeliverFn *fn, void *opaque)
{
    apic_bus_sink = fn;
    apic_bus_sink_opaque = opaque;
}

void apic_bus_deliver(const ApicMessage *msg)
{
    log_mask_printf(LOG_INT, "apic-bus: dest %#x%s mode %u vector %#x %s "
                    "%s\n", msg->dest, msg->dest_logical ? " (logical)" : "",
                    msg->delivery_mode, msg->vector,
                    msg->level ? "assert" : "deassert",
                    msg->trigger_level ? "level" : "edge");
    if (apic_bus_sink) {
        apic_bus_sink(apic_bus_sink_opaque, msg);
    }
}
