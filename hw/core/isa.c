/*
 * isa.c: the ISA bus: the I/O-port space and 16 interrupt lines.
 * See hw/isa.h.
 *
 * The bus owns its 16 IrqLine objects from the start, with no handler, so
 * a device can take and drive its line before (or without) the board
 * wiring it: setting an unwired line only records the level.  The board
 * then points each line at its interrupt controller with irq_redirect(),
 * and qtest may redirect them again to intercept them.
 *
 * Port claims are checked here rather than left to the memory core: two
 * devices on the same ports is a configuration error the user must hear
 * about ("-device isa-serial,iobase=0x3f8" twice), not a silent priority
 * decision.  Claimed ranges live in a small list; the board's own
 * background regions are mapped directly and do not count as claims.
 *
 * One bus per machine; everything here runs with the BQL held.
 */
#include "util/osdep.h"
#include "hw/isa.h"
#include "hw/irq.h"
#include "hw/qdev.h"
#include "system/memory.h"

typedef struct IsaPortClaim {
    uint32_t start, end;           /* inclusive port range */
    char *name;                    /* copy of the region's name */
} IsaPortClaim;

static IsaBus *isa_bus;            /* BQL */
static GArray *isa_claims;         /* IsaPortClaim; BQL */

IsaBus *isa_bus_new(MemoryRegion *io, Error **errp)
{
    if (isa_bus) {
        error_setg(errp, "the machine already has an isa bus");
        return NULL;
    }
    isa_bus = g_new0(IsaBus, 1);
    isa_bus->io = io;
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        isa_bus->irqs[i] = irq_new(NULL, NULL, i);
    }
    isa_claims = g_array_new(false, false, sizeof(IsaPortClaim));
    qdev_bus_add("isa");
    return isa_bus;
}

IsaBus *isa_bus_get(void)
{
    return isa_bus;
}

IrqLine *isa_get_irq(IsaBus *bus, int n)
{
    assert(n >= 0 && n < ISA_NUM_IRQS);
    return bus->irqs[n];
}

bool isa_register_ioport(IsaBus *bus, MemoryRegion *mr, uint16_t port,
                         Error **errp)
{
    uint64_t size = memory_region_size(mr);
    uint32_t end;

    if (size == 0 || port + size > 0x10000) {
        error_setg(errp, "%s: I/O ports 0x%x..0x%" PRIx64
                   " are outside the 64 KiB port space",
                   memory_region_name(mr), port, port + size - 1);
        return false;
    }
    end = port + size - 1;
    for (guint i = 0; i < isa_claims->len; i++) {
        IsaPortClaim *c = &g_array_index(isa_claims, IsaPortClaim, i);

        if (port <= c->end && end >= c->start) {
            error_setg(errp, "%s: I/O ports 0x%x..0x%x overlap %s at "
                       "0x%x..0x%x", memory_region_name(mr), port, end,
                       c->name, c->start, c->end);
            return false;
        }
    }
    g_array_append_val(isa_claims, ((IsaPortClaim){
        .start = port, .end = end, .name = g_strdup(memory_region_name(mr)) }));
    memory_region_add_subregion(bus->io, port, mr);
    return true;
}
