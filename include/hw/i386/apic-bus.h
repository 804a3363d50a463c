/*
 * apic-bus.h: the x86 local-APIC message bus, as seen by interrupt sources.
 *
 * On a PC the IOAPIC (and later MSI-capable devices) do not wire into a CPU:
 * they send a message (destination, delivery mode, vector, trigger) that
 * every local APIC examines.  Sources call apic_bus_deliver(); whoever
 * models the receiving side installs itself with apic_bus_set_sink().  Today
 * the pc board installs a sink that records each message for qtest
 * ("apic_msgs") and hands it to the local APICs (hw/intc/apic.h,
 * apic_bus_to_lapics).  The sink is machine state: one bus per machine.
 *
 *     ApicMessage m = { .dest = 0, .vector = 0x30, .delivery_mode = 0 };
 *     apic_bus_deliver(&m);
 *
 * Everything here runs with the BQL held (the sources are BQL devices).
 * Level-triggered sources learn of the EOI through their own entry point
 * (ioapic_eoi_broadcast() in hw/intc/ioapic.h), which the LAPIC calls.
 */
#ifndef HW_I386_APIC_BUS_H
#define HW_I386_APIC_BUS_H

/* Delivery modes (82093AA 3.2.4, SDM Vol 3A 10.6.1). */
enum {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWPRI = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_STARTUP = 6,      /* SIPI: IPIs only */
    APIC_DM_EXTINT = 7,
};

typedef struct ApicMessage {
    uint32_t dest;            /* APIC ID, or logical destination set;
                                 8 bits from the IOAPIC (0xff: all) */
    bool dest_logical;        /* destination mode: false = physical */
    uint8_t delivery_mode;    /* APIC_DM_* */
    uint8_t vector;
    bool level;               /* assert (true) or deassert */
    bool trigger_level;       /* level-triggered: the source wants an EOI */
} ApicMessage;

typedef void ApicBusDeliverFn(void *opaque, const ApicMessage *msg);

/* Installs the receiving side; NULL fn drops messages.  BQL. */
void apic_bus_set_sink(ApicBusDeliverFn *fn, void *opaque);
/* Sends one message to the sink (dropped if none).  BQL. */
void apic_bus_deliver(const ApicMessage *msg);

#endif
