/*
 * test-pci.c: the PCI bus core (hw/pci/pci.c) without a machine: a bus on
 * the system address spaces, a test-only device class with a memory BAR,
 * an I/O BAR and INTA, and a recording board interrupt hook.  Covers what
 * the qtests cannot reach from outside: INTx counting, masking by the
 * command register and the status bit; bus-master DMA with bus mastering
 * off, wrapping and unmapped ranges (device errors, never a host crash);
 * capability list allocation; MSI (programming, enable, bus mastering,
 * vectors, the pc's decoding into APIC bus messages); reset; and BAR
 * remapping through the memory API.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/pci/pci.h"
#include "hw/i386/apic-bus.h"
#include "hw/i386/pc-pci.h"
#include "system/bql.h"
#include "system/memory.h"
#include "system/rcu.h"

typedef struct TestPciState {
    PCIDevice pci;
    MemoryRegion mmio;
    MemoryRegion io;
    uint32_t last_write;
} TestPciState;

static uint64_t tp_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xa5000000u | addr;
}

static void tp_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestPciState *s = opaque;

    s->last_write = val;
}

static const MemoryRegionOps tp_ops = {
    .read = tp_read,
    .write = tp_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static const PCIDeviceInfo tp_info = {
    .vendor_id = 0x1234, .device_id = 0x5678, .class_id = 0x0200,
    .interrupt_pin = 1,
};

static void tp_realize(DeviceState *dev, Error **errp)
{
    TestPciState *s = container_of(dev, TestPciState, pci.parent);

    if (!pci_device_register(&s->pci, &tp_info, errp)) {
        return;
    }
    memory_region_init_io(&s->mmio, &tp_ops, s, "tp-mmio", 0x1000);
    memory_region_init_io(&s->io, &tp_ops, s, "tp-io", 0x20);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);
    pci_register_bar(&s->pci, 2, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
}

static void tp_reset(DeviceState *dev)
{
    pci_device_reset(container_of(dev, PCIDevice, parent));
}

static const Property tp_props[] = {
    DEFINE_PCI_DEVICE_PROPS(TestPciState, pci),
    DEFINE_PROP_END,
};

static const DeviceClass tp_class = {
    .name = "test-pci", .bus = "pci", .user_creatable = true,
    .instance_size = sizeof(TestPciState), .props = tp_props,
    .realize = tp_realize, .reset = tp_reset,
};
DEVICE_REGISTER(tp_class);

/* The board side: line levels as set_irq reported them. */
static int line_level[PCI_NUM_PINS];
static int line_changes;

static int test_map_irq(int devfn, int pin)
{
    return (PCI_SLOT(devfn) + pin) & 3;
}

static void test_set_irq(void *opaque, int line, int level)
{
    line_level[line] = level;
    line_changes++;
}

static MemoryRegion ram, pci_mem;
static PCIBus *bus;

static TestPciState *new_dev(const char *addr)
{
    Error *err = NULL;
    DeviceState *dev = device_new("test-pci", &err);

    g_assert_nonnull(dev);
    g_assert_true(device_set_prop(dev, "addr", addr, &err));
    if (!device_realize(dev, &err)) {
        g_error("%s", error_get_pretty(err));
    }
    return container_of(dev, TestPciState, pci.parent);
}

static uint32_t cfg_read(TestPciState *s, int reg, unsigned len)
{
    return pci_bus_config_read(bus, 0, s->pci.devfn, reg, len);
}

static void cfg_write(TestPciState *s, int reg, uint32_t val, unsigned len)
{
    pci_bus_config_write(bus, 0, s->pci.devfn, reg, val, len);
}

static void test_header_and_bars(void)
{
    TestPciState *s = new_dev("8.0");
    MemTxResult res;
    uint32_t v;

    g_assert_cmphex(cfg_read(s, 0, 4), ==, 0x56781234);
    g_assert_cmphex(cfg_read(s, PCI_INTERRUPT_PIN, 1), ==, 1);
    /* 64-bit BAR0 (4 KiB) takes BAR1 too; BAR2 is I/O (32 bytes). */
    cfg_write(s, 0x10, 0xffffffff, 4);
    cfg_write(s, 0x14, 0xffffffff, 4);
    cfg_write(s, 0x18, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(s, 0x10, 4), ==, 0xfffff004);
    g_assert_cmphex(cfg_read(s, 0x14, 4), ==, 0xffffffff);
    g_assert_cmphex(cfg_read(s, 0x18, 4), ==, 0xffffffe1);
    /* Above 4 GiB, memory decoding on: the callbacks answer there. */
    cfg_write(s, 0x10, 0x00002000, 4);
    cfg_write(s, 0x14, 0x00000001, 4);
    cfg_write(s, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_bar_addr(&s->pci, 0), ==, 0x100002000ULL);
    v = address_space_ldl_le(&address_space_memory, 0x100002010ULL,
                             MEMTXATTRS_UNSPECIFIED, &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xa5000010);
    address_space_stl_le(&address_space_memory, 0x100002000ULL, 0x77,
                         MEMTXATTRS_UNSPECIFIED, &res);
    g_assert_cmphex(s->last_write, ==, 0x77);
    /* The I/O BAR stays off until I/O decoding is on. */
    cfg_write(s, 0x18, 0x1000, 4);
    g_assert_cmphex(pci_get_bar_addr(&s->pci, 2), ==, PCI_BAR_UNMAPPED);
    cfg_write(s, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    g_assert_cmphex(pci_get_bar_addr(&s->pci, 2), ==, 0x1000);
    g_assert_cmphex(address_space_ldub(&address_space_io, 0x1004,
                                       MEMTXATTRS_UNSPECIFIED, NULL), ==,
                    0x04);
    /* Reset: decoding off, BARs back to their type bits, unmapped. */
    devices_reset_all();
    g_assert_cmphex(cfg_read(s, PCI_COMMAND, 2), ==, 0);
    g_assert_cmphex(cfg_read(s, 0x10, 4), ==, 0x4);
    g_assert_cmphex(pci_get_bar_addr(&s->pci, 0), ==, PCI_BAR_UNMAPPED);
    address_space_ldl_le(&address_space_memory, 0x100002010ULL,
                         MEMTXATTRS_UNSPECIFIED, &res);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
}

static void test_intx(void)
{
    TestPciState *a = new_dev("9.0");    /* INTA -> line (9 + 0) & 3 = 1 */
    TestPciState *b = new_dev("c.0");    /* INTA -> line (12 + 0) & 3 = 0 */
    TestPciState *c = new_dev("d.0");    /* INTA -> line 1, shared with a */
    int changes;

    g_assert_cmpint(line_level[1], ==, 0);
    pci_set_irq(&a->pci, 1);
    g_assert_cmpint(line_level[1], ==, 1);
    g_assert_cmphex(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, ==,
                    PCI_STATUS_INTERRUPT);
    g_assert_cmpint(line_level[0], ==, 0);
    pci_set_irq(&b->pci, 1);
    g_assert_cmpint(line_level[0], ==, 1);
    pci_set_irq(&b->pci, 0);
    g_assert_cmpint(line_level[0], ==, 0);
    /* Shared line: up while either is up; setting the same level twice
     * changes nothing. */
    changes = line_changes;
    pci_set_irq(&c->pci, 1);
    pci_set_irq(&c->pci, 1);
    g_assert_cmpint(line_changes, ==, changes);
    pci_set_irq(&a->pci, 0);
    g_assert_cmpint(line_level[1], ==, 1);
    pci_set_irq(&c->pci, 0);
    g_assert_cmpint(line_level[1], ==, 0);
    /* INTx disable masks the pin; the status bit still shows it. */
    pci_set_irq(&a->pci, 1);
    cfg_write(a, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(line_level[1], ==, 0);
    g_assert_cmphex(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, ==,
                    PCI_STATUS_INTERRUPT);
    cfg_write(a, PCI_COMMAND, 0, 2);
    g_assert_cmpint(line_level[1], ==, 1);
    /* The status bit is read-only to the guest. */
    cfg_write(a, PCI_STATUS, 0xffff, 2);
    g_assert_cmphex(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, ==,
                    PCI_STATUS_INTERRUPT);
    /* Reset lowers it. */
    devices_reset_all();
    g_assert_cmpint(line_level[1], ==, 0);
    g_assert_cmphex(cfg_read(a, PCI_STATUS, 2), ==, 0);
    /* The test hook counts with the devices. */
    pci_bus_test_intx(bus, PCI_DEVFN(9, 0), 0, 1);
    pci_set_irq(&c->pci, 1);
    pci_bus_test_intx(bus, PCI_DEVFN(9, 0), 0, 0);
    g_assert_cmpint(line_level[1], ==, 1);
    pci_set_irq(&c->pci, 0);
    g_assert_cmpint(line_level[1], ==, 0);
}

static void test_dma(void)
{
    TestPciState *s = new_dev("a.0");
    uint8_t *host = memory_region_get_ram_ptr(&ram);
    uint8_t buf[16];

    memset(host + 0x100, 0x11, 16);
    /* Bus mastering off: an error, nothing read or written. */
    memset(buf, 0x22, sizeof(buf));
    g_assert_cmpint(pci_dma_write(&s->pci, 0x100, buf, 16), ==, MEMTX_ERROR);
    g_assert_cmphex(host[0x100], ==, 0x11);
    g_assert_cmpint(pci_dma_read(&s->pci, 0x100, buf, 16), ==, MEMTX_ERROR);
    g_assert_cmphex(buf[0], ==, 0xff);
    /* On: it reaches RAM. */
    cfg_write(s, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    memset(buf, 0x33, sizeof(buf));
    g_assert_cmpint(pci_dma_write(&s->pci, 0x100, buf, 16), ==, MEMTX_OK);
    g_assert_cmphex(host[0x10f], ==, 0x33);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(pci_dma_read(&s->pci, 0x100, buf, 16), ==, MEMTX_OK);
    g_assert_cmphex(buf[15], ==, 0x33);
    /* Wild addresses: errors, never a host access. */
    g_assert_cmpint(pci_dma_write(&s->pci, UINT64_MAX - 7, buf, 16), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpint(pci_dma_read(&s->pci, 0x7ffff000, buf, 16), ==,
                    MEMTX_DECODE_ERROR);
    /* Running off the end of RAM: an error for the whole transfer. */
    g_assert_cmpint(pci_dma_write(&s->pci, 0xfff8, buf, 16), !=, MEMTX_OK);
    /* Reset clears bus mastering. */
    devices_reset_all();
    g_assert_cmpint(pci_dma_read(&s->pci, 0x100, buf, 1), ==, MEMTX_ERROR);
}

static void test_capabilities(void)
{
    TestPciState *s = new_dev("b.0");
    Error *err = NULL;
    uint8_t a, b, c;

    g_assert_cmphex(cfg_read(s, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, ==, 0);
    g_assert_cmpint(pci_find_capability(&s->pci, PCI_CAP_ID_MSI), ==, 0);
    a = pci_add_capability(&s->pci, PCI_CAP_ID_MSI, 0, 10, &error_abort);
    b = pci_add_capability(&s->pci, PCI_CAP_ID_VNDR, 0, 4, &error_abort);
    g_assert_cmphex(a, ==, 0x40);
    g_assert_cmphex(b, ==, 0x4c);
    /* The list, newest first, as the guest walks it. */
    g_assert_cmphex(cfg_read(s, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, ==,
                    PCI_STATUS_CAP_LIST);
    g_assert_cmphex(cfg_read(s, PCI_CAPABILITY_LIST, 1), ==, b);
    g_assert_cmphex(cfg_read(s, b, 2), ==, PCI_CAP_ID_VNDR | a << 8);
    g_assert_cmphex(cfg_read(s, a, 2), ==, PCI_CAP_ID_MSI);
    g_assert_cmpint(pci_find_capability(&s->pci, PCI_CAP_ID_MSI), ==, a);
    /* Capability bytes are read-only until the owner says otherwise;
     * the rest of the device area stays writable. */
    cfg_write(s, a, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(s, a, 2), ==, PCI_CAP_ID_MSI);
    cfg_write(s, 0x80, 0x12345678, 4);
    g_assert_cmphex(cfg_read(s, 0x80, 4), ==, 0x12345678);
    /* Explicit offsets: overlap and misplacement are refused. */
    c = pci_add_capability(&s->pci, PCI_CAP_ID_MSIX, 0x48, 12, &err);
    g_assert_cmpint(c, ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "overlaps"));
    error_free(err);
    err = NULL;
    c = pci_add_capability(&s->pci, PCI_CAP_ID_MSIX, 0x20, 12, &err);
    g_assert_cmpint(c, ==, 0);
    error_free(err);
    err = NULL;
    c = pci_add_capability(&s->pci, PCI_CAP_ID_MSIX, 0xf8, 12, &err);
    g_assert_cmpint(c, ==, 0);
    error_free(err);
    c = pci_add_capability(&s->pci, PCI_CAP_ID_MSIX, 0x90, 12,
                           &error_abort);
    g_assert_cmphex(c, ==, 0x90);
}

static void test_slots(void)
{
    Error *err = NULL;
    DeviceState *dev;

    /* Taken slot: one clear error, nothing left behind. */
    dev = device_new("test-pci", &err);
    g_assert_true(device_set_prop(dev, "addr", "8.0", &err));
    g_assert_false(device_realize(dev, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "already taken"));
    error_free(err);
    err = NULL;
    device_free(dev);
    /* Absent functions and other buses read all ones. */
    g_assert_cmphex(pci_bus_config_read(bus, 0, PCI_DEVFN(8, 1), 0, 4), ==,
                    0xffffffff);
    g_assert_cmphex(pci_bus_config_read(bus, 1, PCI_DEVFN(8, 0), 0, 2), ==,
                    0xffff);
    pci_bus_config_write(bus, 2, 0, 0, 0, 4);
    /* Automatic assignment takes the first fully free slot. */
    dev = device_new_from_opts("test-pci", &err);
    g_assert_nonnull(dev);
    g_assert_cmpint(container_of(dev, PCIDevice, parent)->devfn, ==,
                    PCI_DEVFN(0, 0));
}

/* The board's MSI hook: what it was given; claims 0xfeexxxxx only. */
static uint64_t msi_addr;
static uint32_t msi_data;
static int msi_count;

static bool test_msi_deliver(void *opaque, uint64_t addr, uint32_t data,
                             uint16_t requester_id)
{
    if ((addr >> 20) != 0xfee) {
        return false;
    }
    msi_addr = addr;
    msi_data = data;
    msi_count++;
    return true;
}

static void test_msi(void)
{
    TestPciState *s = new_dev("e.0");
    uint8_t *host = memory_region_get_ram_ptr(&ram);
    uint8_t cap = pci_msi_init(&s->pci, 0, 4, true, &error_abort);
    ApicMessage m;

    pci_bus_set_msi_deliver(bus, test_msi_deliver, NULL);
    g_assert_cmpint(pci_find_capability(&s->pci, PCI_CAP_ID_MSI), ==, cap);
    /* 64-bit, 4 vectors capable, disabled. */
    g_assert_cmphex(cfg_read(s, cap + PCI_MSI_FLAGS, 2), ==, 0x0084);
    cfg_write(s, cap + PCI_MSI_FLAGS, 0xffff, 2);
    g_assert_cmphex(cfg_read(s, cap + PCI_MSI_FLAGS, 2), ==, 0x00f5);
    cfg_write(s, cap + PCI_MSI_FLAGS, 0, 2);
    cfg_write(s, cap + PCI_MSI_ADDRESS_LO, 0xfee01003, 4);
    g_assert_cmphex(cfg_read(s, cap + PCI_MSI_ADDRESS_LO, 4), ==,
                    0xfee01000);
    cfg_write(s, cap + PCI_MSI_ADDRESS_HI, 0, 4);
    cfg_write(s, cap + PCI_MSI_DATA_64, 0x4030, 2);
    /* Disabled: nothing. */
    pci_msi_notify(&s->pci, 0);
    g_assert_cmpint(msi_count, ==, 0);
    /* Enabled with 4 vectors but no bus mastering: nothing either. */
    cfg_write(s, cap + PCI_MSI_FLAGS, 0x0021, 2);
    g_assert_true(pci_msi_enabled(&s->pci));
    g_assert_cmpuint(pci_msi_nr_vectors(&s->pci), ==, 4);
    pci_msi_notify(&s->pci, 2);
    g_assert_cmpint(msi_count, ==, 0);
    cfg_write(s, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    pci_msi_notify(&s->pci, 2);
    g_assert_cmpint(msi_count, ==, 1);
    g_assert_cmphex(msi_addr, ==, 0xfee01000);
    g_assert_cmphex(msi_data, ==, 0x4032);
    /* A vector beyond the enabled ones is a device bug: dropped. */
    pci_msi_notify(&s->pci, 4);
    g_assert_cmpint(msi_count, ==, 1);
    /* Asking for more vectors than capable gives what it can. */
    cfg_write(s, cap + PCI_MSI_FLAGS, 0x0051, 2);
    g_assert_cmpuint(pci_msi_nr_vectors(&s->pci), ==, 4);
    /* Not an interrupt address: a plain memory write. */
    cfg_write(s, cap + PCI_MSI_ADDRESS_LO, 0x200, 4);
    pci_msi_notify(&s->pci, 1);
    g_assert_cmpint(msi_count, ==, 1);
    g_assert_cmphex(host[0x200] | host[0x201] << 8, ==, 0x4031);
    /* Reset: MSI off, address and data cleared. */
    devices_reset_all();
    g_assert_false(pci_msi_enabled(&s->pci));
    g_assert_cmphex(cfg_read(s, cap + PCI_MSI_FLAGS, 2), ==, 0x0084);
    g_assert_cmphex(cfg_read(s, cap + PCI_MSI_ADDRESS_LO, 4), ==, 0);

    /* The pc's decoding of the write into an APIC bus message. */
    g_assert_true(pc_msi_decode(0xfee0300c, 0x8141, &m));
    g_assert_cmpuint(m.dest, ==, 3);
    g_assert_true(m.dest_logical);
    g_assert_cmpuint(m.delivery_mode, ==, APIC_DM_LOWPRI);
    g_assert_cmphex(m.vector, ==, 0x41);
    g_assert_true(m.trigger_level);
    g_assert_true(pc_msi_decode(0xfeeff000, 0x0422, &m));
    g_assert_cmpuint(m.dest, ==, 0xff);
    g_assert_false(m.dest_logical);
    g_assert_cmpuint(m.delivery_mode, ==, APIC_DM_NMI);
    g_assert_false(m.trigger_level);
    g_assert_false(pc_msi_decode(0xfed00000, 0x41, &m));
    g_assert_false(pc_msi_decode(0x1fee00000ULL, 0x41, &m));
}

int main(int argc, char **argv)
{
    Error *err = NULL;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    log_mask = 0;

    /* 64 KiB of RAM at 0, and the PCI memory space under it. */
    g_assert_true(memory_region_init_ram(&ram, "ram", 0x10000, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    memory_region_init(&pci_mem, "pci-mem", UINT64_MAX);
    memory_region_add_subregion_overlap(get_system_memory(), 0, &pci_mem,
                                        -1);
    bus = pci_bus_new(&pci_mem, get_system_io(), &err);
    g_assert_nonnull(bus);
    g_assert_null(pci_bus_new(&pci_mem, get_system_io(), &err));
    error_free(err);
    pci_bus_irqs(bus, test_map_irq, test_set_irq, NULL, PCI_NUM_PINS);

    g_test_add_func("/pci/header-and-bars", test_header_and_bars);
    g_test_add_func("/pci/intx", test_intx);
    g_test_add_func("/pci/dma", test_dma);
    g_test_add_func("/pci/capabilities", test_capabilities);
    g_test_add_func("/pci/msi", test_msi);
    g_test_add_func("/pci/slots", test_slots);
    return g_test_run();
}
