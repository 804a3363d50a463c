/*
 * pci.c: the conventional PCI bus core.  See hw/pci/pci.h for the
 * contract.
 *
 * The bus is a table of 256 device/function slots on bus 0.  Config
 * accesses arrive from the host bridge's CF8/CFC handlers as (devfn,
 * offset, length); the default write applies the per-byte write and
 * write-1-to-clear masks and then, if the bytes touched the command
 * register or a BAR, recomputes every BAR's mapping.  A BAR's region is a
 * subregion of the bus's memory container (itself mapped under RAM in the
 * system map, so RAM wins where they overlap, as on the established pc) or
 * of the port space (above the ISA devices' priority, again as there).
 *
 * INTx is a reference count per bus line: a device's pin contributes one
 * while it is high and not masked by command bit 10; the board's set_irq
 * sees only 0/1 transitions.
 *
 * Everything runs with the BQL held: one machine, one bus, file-static.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/pci/pci.h"
#include "system/qtest.h"

struct PCIBus {
    MemoryRegion *mem;             /* where memory BARs go */
    MemoryRegion *io;              /* where I/O BARs go */
    PCIDevice *devices[256];       /* by devfn; BQL */
    PCIMapIrqFn *map_irq;
    PCISetIrqFn *set_irq;
    void *irq_opaque;
    int nlines;
    int irq_count[PCI_NUM_PINS];   /* devices asserting each line; BQL */
    uint8_t test_intx[256];        /* pins driven by pci_bus_test_intx; BQL */
    PCIMsiDeliverFn *msi_deliver;  /* board's MSI decoder; BQL */
    void *msi_opaque;
};

static PCIBus *pci_bus;            /* BQL */

static int pci_parse_devfn(const char *s);

/* qtest "pci_intx SLOT.FN PIN LEVEL" (PIN 1..4 = INTA..INTD) -> "OK". */
static char *pci_qtest_intx(void *opaque, char **argv, int argc)
{
    PCIBus *bus = opaque;
    uint64_t pin, level;
    int devfn;

    if (argc != 4 || (devfn = pci_parse_devfn(argv[1])) < 0 ||
        !parse_uint64(argv[2], &pin) || pin < 1 || pin > PCI_NUM_PINS ||
        !parse_uint64(argv[3], &level) || level > 1) {
        return g_strdup("FAIL pci_intx takes SLOT.FN PIN(1..4) LEVEL(0/1)");
    }
    pci_bus_test_intx(bus, devfn, pin - 1, level);
    return g_strdup("OK");
}

PCIBus *pci_bus_new(MemoryRegion *mem, MemoryRegion *io, Error **errp)
{
    if (pci_bus) {
        error_setg(errp, "the machine already has a pci bus");
        return NULL;
    }
    pci_bus = g_new0(PCIBus, 1);
    pci_bus->mem = mem;
    pci_bus->io = io;
    qdev_bus_add("pci");
    qtest_command_register("pci_intx", pci_qtest_intx, pci_bus);
    return pci_bus;
}

PCIBus *pci_bus_get(void)
{
    return pci_bus;
}

void pci_bus_irqs(PCIBus *bus, PCIMapIrqFn *map_irq, PCISetIrqFn *set_irq,
                  void *opaque, int nlines)
{
    assert(nlines > 0 && nlines <= PCI_NUM_PINS);
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    bus->irq_opaque = opaque;
    bus->nlines = nlines;
}

int pci_bus_get_irq_level(PCIBus *bus, int line)
{
    assert(line >= 0 && line < PCI_NUM_PINS);
    return bus->irq_count[line] != 0;
}

PCIDevice *pci_bus_find(PCIBus *bus, int devfn)
{
    return devfn >= 0 && devfn < 256 ? bus->devices[devfn] : NULL;
}

/* ---- INTx ---- */

/* One pin of devfn starts (want) or stops asserting its line.  BQL. */
static void pci_bus_intx_change(PCIBus *bus, int devfn, int pin, bool want)
{
    int line;

    if (!bus->map_irq) {
        return;
    }
    line = bus->map_irq(devfn, pin);
    assert(line >= 0 && line < bus->nlines);
    bus->irq_count[line] += want ? 1 : -1;
    assert(bus->irq_count[line] >= 0);
    if ((want && bus->irq_count[line] == 1) ||
        (!want && bus->irq_count[line] == 0)) {
        bus->set_irq(bus->irq_opaque, line, want);
    }
}

/* Moves d's contribution to its bus line to what its pin, the command
 * register's INTx disable and the status bit say.  BQL. */
static void pci_intx_update(PCIDevice *d)
{
    int pin = d->config[PCI_INTERRUPT_PIN] - 1;
    bool masked = pci_get_word(d->config + PCI_COMMAND) &
                  PCI_COMMAND_INTX_DISABLE;
    bool want = d->intx_level && !masked;

    if (d->intx_level) {
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
    if (want == d->intx_asserted || !d->bus || pin < 0 ||
        pin >= PCI_NUM_PINS) {
        return;
    }
    d->intx_asserted = want;
    pci_bus_intx_change(d->bus, d->devfn, pin, want);
}

void pci_bus_test_intx(PCIBus *bus, int devfn, int pin, int level)
{
    uint8_t bit = 1u << pin;
    bool want = level != 0;

    assert(devfn >= 0 && devfn < 256 && pin >= 0 && pin < PCI_NUM_PINS);
    if (want == !!(bus->test_intx[devfn] & bit)) {
        return;
    }
    bus->test_intx[devfn] ^= bit;
    pci_bus_intx_change(bus, devfn, pin, want);
}

void pci_set_irq(PCIDevice *d, int level)
{
    d->intx_level = level != 0;
    pci_intx_update(d);
}

/* ---- BARs ---- */

/* The address BAR n decodes now, or PCI_BAR_UNMAPPED. */
static uint64_t pci_bar_decoded_addr(PCIDevice *d, int n)
{
    PCIBar *bar = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t off = PCI_BASE_ADDRESS_0 + 4 * n;
    uint64_t addr, last;

    if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(d->config + off) & ~(bar->size - 1);
        last = addr + bar->size - 1;
        /* The port space is 64 KiB; 0 is what an unassigned BAR holds. */
        if (addr == 0 || last > 0xffff) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    addr = pci_get_long(d->config + off) & ~0xfULL;
    if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr |= (uint64_t)pci_get_long(d->config + off + 4) << 32;
    }
    addr &= ~(bar->size - 1);
    last = addr + bar->size - 1;
    if (addr == 0 || last < addr ||
        (!(bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last > UINT32_MAX)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

/* Maps every BAR where the header says it is.  BQL. */
static void pci_update_mappings(PCIDevice *d)
{
    memory_region_transaction_begin();
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *bar = &d->bars[n];
        MemoryRegion *space;
        uint64_t addr;

        if (!bar->mr) {
            continue;
        }
        addr = d->bus ? pci_bar_decoded_addr(d, n) : PCI_BAR_UNMAPPED;
        if (addr == bar->addr) {
            continue;
        }
        space = (bar->type & PCI_BASE_ADDRESS_SPACE_IO) ? d->bus->io
                                                        : d->bus->mem;
        if (bar->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(space, bar->mr);
        }
        bar->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            log_mask_printf(LOG_TRACE_DEV, "pci %02x.%x: BAR%d (%s) at 0x%"
                            PRIx64 "\n", PCI_SLOT(d->devfn),
                            PCI_FUNC(d->devfn), n,
                            memory_region_name(bar->mr), addr);
            memory_region_add_subregion_overlap(space, addr, bar->mr, 1);
        }
    }
    memory_region_transaction_commit();
}

void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    uint32_t off = PCI_BASE_ADDRESS_0 + 4 * n;
    uint64_t wmask;

    assert(n >= 0 && n < PCI_NUM_BARS && (!is64 || n + 1 < PCI_NUM_BARS));
    assert(!d->bars[n].mr);
    assert(size && !(size & (size - 1)));
    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        assert(size >= 4);
        type = PCI_BASE_ADDRESS_SPACE_IO;
    } else {
        assert(size >= 16);
        type &= PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH;
    }
    d->bars[n] = (PCIBar){ .mr = mr, .size = size, .type = type,
                           .addr = PCI_BAR_UNMAPPED };
    wmask = ~(size - 1);
    pci_set_long(d->config + off, type);
    pci_set_long(d->wmask + off, (uint32_t)wmask & ~0xfu);
    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        pci_set_long(d->wmask + off, (uint32_t)wmask & ~0x3u);
    }
    if (is64) {
        pci_set_long(d->config + off + 4, 0);
        pci_set_long(d->wmask + off + 4, wmask >> 32);
    }
}

uint64_t pci_get_bar_addr(PCIDevice *d, int n)
{
    assert(n >= 0 && n < PCI_NUM_BARS);
    return d->bars[n].addr;
}

/* ---- Config space ---- */

uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint32_t val = 0;

    assert(len >= 1 && len <= 4 && addr + len <= d->config_size);
    for (unsigned i = 0; i < len; i++) {
        val |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return val;
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                           uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len)
{
    assert(len >= 1 && len <= 4 && addr + len <= d->config_size);
    for (unsigned i = 0; i < len; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[a], w1c = d->w1cmask[a];

        d->config[a] = (d->config[a] & ~wm) | (b & wm);
        d->config[a] &= ~(b & w1c);
    }
    if (ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS) ||
        ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(d);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_intx_update(d);
    }
}

uint32_t pci_bus_config_read(PCIBus *bus, int busnr, int devfn,
                             uint32_t addr, unsigned len)
{
    PCIDevice *d = busnr == 0 ? pci_bus_find(bus, devfn) : NULL;
    uint32_t ones = len >= 4 ? UINT32_MAX : (1u << (8 * len)) - 1;

    if (!d || addr + len > d->config_size) {
        return ones;
    }
    return d->config_read ? d->config_read(d, addr, len)
                          : pci_default_read_config(d, addr, len);
}

void pci_bus_config_write(PCIBus *bus, int busnr, int devfn, uint32_t addr,
                          uint32_t val, unsigned len)
{
    PCIDevice *d = busnr == 0 ? pci_bus_find(bus, devfn) : NULL;

    if (!d || addr + len > d->config_size) {
        return;                /* master abort: the write goes nowhere */
    }
    pci_default_write_config(d, addr, val, len);
    if (d->config_write) {
        d->config_write(d, addr, val, len);
    }
}

/* ---- Capabilities ---- */

uint8_t pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                           uint8_t size, Error **errp)
{
    assert(size >= 2);
    if (!offset) {
        /* First fit from the end of the header, dword aligned. */
        for (unsigned o = PCI_CONFIG_HEADER_SIZE;
             o + size <= PCI_CONFIG_SPACE_SIZE; o += 4) {
            bool free = true;

            for (unsigned i = 0; i < size && free; i++) {
                free = !d->used[o + i];
            }
            if (free) {
                offset = o;
                break;
            }
        }
        if (!offset) {
            error_setg(errp, "pci %02x.%x: no room for a %u-byte capability",
                       PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), size);
            return 0;
        }
    } else {
        if (offset < PCI_CONFIG_HEADER_SIZE || (offset & 3) ||
            offset + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp, "pci %02x.%x: capability at 0x%x is outside "
                       "the device-specific area", PCI_SLOT(d->devfn),
                       PCI_FUNC(d->devfn), offset);
            return 0;
        }
        for (unsigned i = 0; i < size; i++) {
            if (d->used[offset + i]) {
                error_setg(errp, "pci %02x.%x: capability at 0x%x overlaps "
                           "another at 0x%x", PCI_SLOT(d->devfn),
                           PCI_FUNC(d->devfn), offset, offset + i);
                return 0;
            }
        }
    }
    /* New capabilities go to the head of the list. */
    d->config[offset] = cap_id;
    d->config[offset + 1] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = offset;
    d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    memset(d->used + offset, 1, size);
    memset(d->wmask + offset, 0, size);
    memset(d->w1cmask + offset, 0, size);
    return offset;
}

uint8_t pci_find_capability(PCIDevice *d, uint8_t cap_id)
{
    uint8_t off;
    int guard = 0;

    if (!(d->config[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    for (off = d->config[PCI_CAPABILITY_LIST]; off && guard < 64;
         off = d->config[off + 1], guard++) {
        if (d->config[off] == cap_id) {
            return off;
        }
    }
    return 0;
}

/* ---- MSI ---- */

void pci_bus_set_msi_deliver(PCIBus *bus, PCIMsiDeliverFn *fn, void *opaque)
{
    bus->msi_deliver = fn;
    bus->msi_opaque = opaque;
}

uint8_t pci_msi_init(PCIDevice *d, uint8_t offset, unsigned nr_vectors,
                     bool is64, Error **errp)
{
    uint8_t size = is64 ? 0x0e : 0x0a;
    uint16_t flags = is64 ? PCI_MSI_FLAGS_64BIT : 0;
    uint8_t cap;
    unsigned log2 = 0;

    assert(nr_vectors >= 1 && nr_vectors <= 32 &&
           !(nr_vectors & (nr_vectors - 1)));
    while ((1u << log2) < nr_vectors) {
        log2++;
    }
    cap = pci_add_capability(d, PCI_CAP_ID_MSI, offset, size, errp);
    if (!cap) {
        return 0;
    }
    flags |= log2 << 1;
    pci_set_word(d->config + cap + PCI_MSI_FLAGS, flags);
    /* Writable: enable and vectors enabled; the address (dword aligned)
     * and the 16-bit data. */
    pci_set_word(d->wmask + cap + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(d->wmask + cap + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (is64) {
        pci_set_long(d->wmask + cap + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(d->wmask + cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32),
                 0xffff);
    d->msi_cap = cap;
    return cap;
}

bool pci_msi_enabled(PCIDevice *d)
{
    return d->msi_cap &&
           (pci_get_word(d->config + d->msi_cap + PCI_MSI_FLAGS) &
            PCI_MSI_FLAGS_ENABLE);
}

unsigned pci_msi_nr_vectors(PCIDevice *d)
{
    uint16_t flags;
    unsigned cap_log2, en_log2;

    if (!pci_msi_enabled(d)) {
        return 0;
    }
    flags = pci_get_word(d->config + d->msi_cap + PCI_MSI_FLAGS);
    cap_log2 = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
    en_log2 = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
    /* More than the device can do is a guest mistake; use what it can. */
    return 1u << MIN(cap_log2, en_log2);
}

void pci_msi_notify(PCIDevice *d, unsigned vector)
{
    uint8_t cap = d->msi_cap;
    unsigned n = pci_msi_nr_vectors(d);
    bool is64;
    uint64_t addr;
    uint32_t data;

    if (!n || !(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return;
    }
    if (vector >= n) {
        log_guest_error("pci %02x.%x: MSI vector %u but only %u enabled\n",
                        PCI_SLOT(d->devfn), PCI_FUNC(d->devfn), vector, n);
        return;
    }
    is64 = pci_get_word(d->config + cap + PCI_MSI_FLAGS) &
           PCI_MSI_FLAGS_64BIT;
    addr = pci_get_long(d->config + cap + PCI_MSI_ADDRESS_LO);
    if (is64) {
        addr |= (uint64_t)pci_get_long(d->config + cap +
                                       PCI_MSI_ADDRESS_HI) << 32;
    }
    data = pci_get_word(d->config + cap +
                        (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32));
    data = (data & ~(n - 1)) | vector;
    if (!d->bus->msi_deliver ||
        !d->bus->msi_deliver(d->bus->msi_opaque, addr, data,
                             pci_requester_id(d))) {
        uint8_t le[4] = { data, data >> 8, data >> 16, data >> 24 };

        pci_dma_write(d, addr, le, sizeof(le));
    }
}

/* ---- Devices ---- */

/* "SLOT.FN" or "SLOT" (hex slot, function 0..7) -> devfn, or -1. */
static int pci_parse_devfn(const char *s)
{
    unsigned long slot, fn = 0;
    char *end;

    if (!g_ascii_isxdigit(s[0])) {
        return -1;
    }
    errno = 0;
    slot = strtoul(s, &end, 16);
    if (errno || slot >= PCI_SLOT_MAX) {
        return -1;
    }
    if (*end == '.') {
        const char *f = end + 1;

        if (!g_ascii_isdigit(f[0]) || f[1]) {
            return -1;
        }
        fn = f[0] - '0';
        end = (char *)f + 1;
        if (fn >= PCI_FUNC_MAX) {
            return -1;
        }
    }
    if (*end) {
        return -1;
    }
    return PCI_DEVFN(slot, fn);
}

bool pci_device_register(PCIDevice *d, const PCIDeviceInfo *info,
                         Error **errp)
{
    PCIBus *bus = pci_bus;
    int devfn = -1;

    d->devfn = -1;
    if (!bus) {
        error_setg(errp, "%s: this machine has no PCI bus", d->parent.dc->name);
        return false;
    }
    if (d->addr_prop) {
        devfn = pci_parse_devfn(d->addr_prop);
        if (devfn < 0) {
            error_setg(errp, "%s: addr=%s: expected SLOT[.FUNCTION] (slot "
                       "0..1f hex, function 0..7)", d->parent.dc->name,
                       d->addr_prop);
            return false;
        }
        if (bus->devices[devfn]) {
            PCIDevice *o = bus->devices[devfn];

            error_setg(errp, "%s: PCI slot %02x.%x is already taken by %s",
                       d->parent.dc->name, PCI_SLOT(devfn), PCI_FUNC(devfn),
                       o->parent.id ? o->parent.id : o->parent.dc->name);
            return false;
        }
    } else {
        for (int slot = 0; slot < PCI_SLOT_MAX; slot++) {
            bool free = true;

            for (int fn = 0; fn < PCI_FUNC_MAX && free; fn++) {
                free = !bus->devices[PCI_DEVFN(slot, fn)];
            }
            if (free) {
                devfn = PCI_DEVFN(slot, 0);
                break;
            }
        }
        if (devfn < 0) {
            error_setg(errp, "%s: no free PCI slot left", d->parent.dc->name);
            return false;
        }
    }

    d->bus = bus;
    d->devfn = devfn;
    d->config_size = info->is_express ? PCIE_CONFIG_SPACE_SIZE
                                      : PCI_CONFIG_SPACE_SIZE;
    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    memset(d->used, 0, sizeof(d->used));
    memset(d->used, 1, PCI_CONFIG_HEADER_SIZE);
    pci_set_word(d->config + PCI_VENDOR_ID, info->vendor_id);
    pci_set_word(d->config + PCI_DEVICE_ID, info->device_id);
    d->config[PCI_REVISION_ID] = info->revision;
    d->config[PCI_CLASS_PROG] = info->prog_if;
    pci_set_word(d->config + PCI_CLASS_DEVICE, info->class_id);
    d->config[PCI_HEADER_TYPE] =
        info->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0;
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID,
                 info->subsystem_vendor_id ? info->subsystem_vendor_id
                                           : PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID,
                 info->subsystem_vendor_id ? info->subsystem_id
                                           : PCI_SUBDEVICE_ID_QEMU);
    d->config[PCI_INTERRUPT_PIN] = info->interrupt_pin;

    /* What the guest may change in the header (as on the established pc):
     * the command bits below, cache line size, interrupt line, the status
     * error bits (write 1 to clear), and the whole device-specific area
     * until a capability claims part of it. */
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           d->config_size - PCI_CONFIG_HEADER_SIZE);
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        d->bars[n] = (PCIBar){ .addr = PCI_BAR_UNMAPPED };
    }
    d->intx_level = 0;
    d->intx_asserted = false;
    d->msi_cap = 0;
    bus->devices[devfn] = d;
    return true;
}

void pci_device_unregister(PCIDevice *d)
{
    if (!d->bus || d->devfn < 0) {
        return;
    }
    pci_set_irq(d, 0);
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_update_mappings(d);
    d->bus->devices[d->devfn] = NULL;
    d->bus = NULL;
    d->devfn = -1;
}

void pci_device_reset(PCIDevice *d)
{
    if (!d->bus) {
        return;
    }
    pci_set_irq(d, 0);
    /* Writable header bits go back to zero; read-only ones stay. */
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & ~PCI_STATUS_W1C &
                 ~PCI_STATUS_INTERRUPT);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    if (d->msi_cap) {
        uint8_t *f = d->config + d->msi_cap + PCI_MSI_FLAGS;

        pci_set_word(f, pci_get_word(f) &
                     ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
        memset(d->config + d->msi_cap + PCI_MSI_ADDRESS_LO, 0,
               (pci_get_word(f) & PCI_MSI_FLAGS_64BIT) ? 10 : 6);
    }
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        uint32_t off = PCI_BASE_ADDRESS_0 + 4 * n;

        if (d->bars[n].mr) {
            pci_set_long(d->config + off, d->bars[n].type);
            if (!(d->bars[n].type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (d->bars[n].type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
                pci_set_long(d->config + off + 4, 0);
            }
        }
    }
    pci_update_mappings(d);
    pci_intx_update(d);
}

void pci_device_post_load(PCIDevice *d)
{
    pci_update_mappings(d);
    pci_intx_update(d);
}

/* ---- DMA ---- */

static MemTxResult pci_dma_rw(PCIDevice *d, uint64_t addr, void *buf,
                              uint64_t len, bool is_write)
{
    MemTxAttrs attrs = { .requester_id = pci_requester_id(d), .is_dma = 1 };

    if (!(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        log_guest_error("pci %02x.%x: DMA %s 0x%" PRIx64 " with bus "
                        "mastering disabled\n", PCI_SLOT(d->devfn),
                        PCI_FUNC(d->devfn), is_write ? "to" : "from", addr);
        if (!is_write) {
            memset(buf, 0xff, len);
        }
        return MEMTX_ERROR;
    }
    if (len && addr + len - 1 < addr) {
        log_guest_error("pci %02x.%x: DMA range 0x%" PRIx64 "+0x%" PRIx64
                        " wraps around\n", PCI_SLOT(d->devfn),
                        PCI_FUNC(d->devfn), addr, len);
        if (!is_write) {
            memset(buf, 0xff, len);
        }
        return MEMTX_DECODE_ERROR;
    }
    return address_space_rw(&address_space_memory, addr, attrs, buf, len,
                            is_write);
}

MemTxResult pci_dma_read(PCIDevice *d, uint64_t addr, void *buf, uint64_t len)
{
    return pci_dma_rw(d, addr, buf, len, false);
}

MemTxResult pci_dma_write(PCIDevice *d, uint64_t addr, const void *buf,
                          uint64_t len)
{
    return pci_dma_rw(d, addr, (void *)buf, len, true);
}
