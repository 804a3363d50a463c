/*
 * pci.h: the conventional PCI bus: devices, configuration space, BARs,
 * INTx and bus-master DMA.
 *
 * A PCI device is a qdev device (hw/qdev.h) whose instance struct starts
 * with a PCIDevice (which starts with the DeviceState) and whose class
 * names the bus "pci".  Its realize function registers it on the machine's
 * bus, then declares its BARs; its reset function calls pci_device_reset()
 * first.  The "addr" property ("SLOT.FN" or "SLOT", hex, like the
 * established emulator) picks the slot; without it the first free slot
 * with function 0 is used:
 *
 *     static const PCIDeviceInfo foo_pci_info = {
 *         .vendor_id = 0x1b36, .device_id = 0x0005, .class_id = 0xff00,
 *     };
 *     static void foo_realize(DeviceState *dev, Error **errp)
 *     {
 *         FooState *s = container_of(dev, FooState, pci.parent);
 *         if (!pci_device_register(&s->pci, &foo_pci_info, errp)) {
 *             return;
 *         }
 *         memory_region_init_io(&s->mmio, &foo_ops, s, "foo", 4096);
 *         pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_MEMORY,
 *                          &s->mmio);
 *     }
 *     DEFINE_PCI_DEVICE_PROPS(FooState, pci),   // in the props table
 *
 * Configuration space.  256 bytes (4 KiB for an extended device, reachable
 * only through a future ECAM window), with per-byte masks: wmask (bits the
 * guest may write) and w1cmask (bits a guest write of 1 clears, the status
 * register's error bits).  The standard header is kept by this file:
 * IDs, command, status, BARs, interrupt line/pin, capability list.  A
 * device may add a config_write hook that runs after the default write (to
 * react to its own registers) and a config_read hook.
 *
 * BARs.  pci_register_bar() makes the BAR's low bits read-only and its
 * address bits writable, so the standard sizing probe (write all ones, read
 * back) yields the size.  Whenever the command register or a BAR changes,
 * the BAR's region is (re)mapped: memory BARs into the bus's memory space
 * (under the system RAM, as on the established pc), I/O BARs into the port
 * space, each only while the command register enables that decoding and
 * the address is sane (not 0, no wrap-around, I/O below 64 KiB).
 *
 * INTx.  A device raises its pin (config byte 0x3d: 1 = INTA..4 = INTD)
 * with pci_set_irq(); the bus swizzles it with the board's map_irq to one
 * of the host bridge's interrupt lines (the PIIX PIRQ A..D on pc), counts
 * the devices asserting each line and calls the board's set_irq on a
 * change.  Command bit 10 (INTx disable) masks the pin; status bit 3
 * reflects it.
 *
 * DMA.  pci_dma_read/pci_dma_write go through the system address space
 * only while the device's bus-master bit is set; otherwise, or when the
 * range is unmapped or wraps, they return an error status and nothing is
 * transferred to or from host memory outside guest RAM.  A device turns
 * that into its own error state; the guest cannot crash the host.
 *
 * Locking: everything here runs with the BQL held (config space accesses
 * come from the CF8/CFC port handlers, which keep needs_bql; BAR mapping
 * changes the memory map, which requires it).  DMA helpers are BQL too
 * for now: no converted PCI device exists yet.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "util/error.h"
#include "hw/qdev.h"
#include "system/memory.h"

#define PCI_CONFIG_SPACE_SIZE    0x100
#define PCIE_CONFIG_SPACE_SIZE   0x1000
#define PCI_CONFIG_HEADER_SIZE   0x40
#define PCI_NUM_BARS             6
#define PCI_SLOT_MAX             32
#define PCI_FUNC_MAX             8
#define PCI_DEVFN(slot, fn)      ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT(devfn)          (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)          ((devfn) & 7)
#define PCI_NUM_PINS             4      /* INTA..INTD */

/* Standard header (PCI Local Bus Specification 3.0, 6.1). */
#define PCI_VENDOR_ID            0x00
#define PCI_DEVICE_ID            0x02
#define PCI_COMMAND              0x04
#define  PCI_COMMAND_IO          0x0001
#define  PCI_COMMAND_MEMORY      0x0002
#define  PCI_COMMAND_MASTER      0x0004
#define  PCI_COMMAND_SERR        0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS               0x06
#define  PCI_STATUS_INTERRUPT    0x0008
#define  PCI_STATUS_CAP_LIST     0x0010
#define  PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define  PCI_STATUS_W1C          0xf900  /* parity, aborts, SERR */
#define PCI_REVISION_ID          0x08
#define PCI_CLASS_PROG           0x09
#define PCI_CLASS_DEVICE         0x0a
#define PCI_CACHE_LINE_SIZE      0x0c
#define PCI_LATENCY_TIMER        0x0d
#define PCI_HEADER_TYPE          0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0       0x10
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_SPACE_MEMORY  0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define PCI_SUBSYSTEM_VENDOR_ID  0x2c
#define PCI_SUBSYSTEM_ID         0x2e
#define PCI_ROM_ADDRESS          0x30
#define PCI_CAPABILITY_LIST      0x34
#define PCI_INTERRUPT_LINE       0x3c
#define PCI_INTERRUPT_PIN        0x3d

/* Capability IDs. */
#define PCI_CAP_ID_MSI           0x05
#define PCI_CAP_ID_VNDR          0x09
#define PCI_CAP_ID_MSIX          0x11

/* Default subsystem IDs of the established emulator's devices. */
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU            0x1100

#define PCI_BAR_UNMAPPED         UINT64_MAX

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* Hooks a device may add; addr is the config offset, len 1, 2 or 4. */
typedef uint32_t PCIConfigReadFn(PCIDevice *d, uint32_t addr, unsigned len);
typedef void PCIConfigWriteFn(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len);
/* Board hooks: pin 0..3 of the function at devfn to a bus interrupt
 * line; a line's level. */
typedef int PCIMapIrqFn(int devfn, int pin);
typedef void PCISetIrqFn(void *opaque, int line, int level);

/* What a device class fixes in its header; given to pci_device_register. */
typedef struct PCIDeviceInfo {
    uint16_t vendor_id, device_id;
    uint8_t revision;
    uint16_t class_id;            /* base class << 8 | subclass */
    uint8_t prog_if;
    uint16_t subsystem_vendor_id; /* 0: the established defaults */
    uint16_t subsystem_id;
    bool multifunction;           /* header type bit 7 */
    uint8_t interrupt_pin;        /* 0: none, 1..4: INTA..INTD */
    bool is_express;              /* 4 KiB config space */
} PCIDeviceInfo;

typedef struct PCIBar {
    MemoryRegion *mr;             /* NULL: BAR not implemented */
    uint64_t size;                /* bytes, a power of two */
    uint8_t type;                 /* PCI_BASE_ADDRESS_* low bits */
    uint64_t addr;                /* where mapped; PCI_BAR_UNMAPPED; BQL */
} PCIBar;

struct PCIDevice {
    DeviceState parent;
    char *addr_prop;              /* "addr" property; const after realize */
    PCIBus *bus;                  /* set by pci_device_register */
    int devfn;                    /* -1 until registered */
    uint32_t config_size;         /* 256 or 4096 */
    /* Configuration space and its masks; BQL. */
    uint8_t config[PCIE_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCIE_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCIE_CONFIG_SPACE_SIZE];
    uint8_t used[PCI_CONFIG_SPACE_SIZE];  /* bytes claimed by capabilities */
    PCIBar bars[PCI_NUM_BARS];    /* BQL */
    int intx_level;               /* the device's own pin level; BQL */
    bool intx_asserted;           /* counted on the bus; BQL */
    PCIConfigReadFn *config_read;   /* optional, set at realize */
    PCIConfigWriteFn *config_write; /* optional, after the default write */
    uint8_t msi_cap;              /* MSI capability offset or 0; const */
};

/* The "addr" property, for a device's props table. */
#define DEFINE_PCI_DEVICE_PROPS(st, field) \
    DEFINE_PROP_STRING("addr", st, field.addr_prop)

/* --- The bus (boards) --- */

/*
 * Creates the machine's PCI bus with memory BARs mapped into mem and I/O
 * BARs into io; announces the "pci" qdev bus.  One per machine.  BQL.
 */
PCIBus *pci_bus_new(MemoryRegion *mem, MemoryRegion *io, Error **errp);
/* The machine's PCI bus, or NULL. */
PCIBus *pci_bus_get(void);
/* Installs the INTx routing: nlines bus interrupt lines (at most 4). */
void pci_bus_irqs(PCIBus *bus, PCIMapIrqFn *map_irq, PCISetIrqFn *set_irq,
                  void *opaque, int nlines);
/* The current level of bus line n (how many devices assert it > 0). */
int pci_bus_get_irq_level(PCIBus *bus, int line);
/*
 * Drives pin (0..3) of devfn as a device there would, for tests (the
 * qtest command "pci_intx SLOT.FN PIN LEVEL", PIN 1..4, registered by
 * pci_bus_new): it shares the counting with real devices.
 */
void pci_bus_test_intx(PCIBus *bus, int devfn, int pin, int level);
/* The device at devfn, or NULL. */
PCIDevice *pci_bus_find(PCIBus *bus, int devfn);

/*
 * Type 1 configuration access as seen through CF8/CFC: bus number, devfn
 * and register offset.  Reads of an absent device give all ones; offsets
 * beyond the device's space read as all ones and ignore writes.
 */
uint32_t pci_bus_config_read(PCIBus *bus, int busnr, int devfn,
                             uint32_t addr, unsigned len);
void pci_bus_config_write(PCIBus *bus, int busnr, int devfn, uint32_t addr,
                          uint32_t val, unsigned len);

/* --- Devices --- */

/*
 * Puts d on the machine's bus at its "addr" (or the first free slot) and
 * initialises the header from info.  Fails (one line) without a bus, on a
 * malformed addr or an occupied slot.  Called from realize, BQL.
 */
bool pci_device_register(PCIDevice *d, const PCIDeviceInfo *info,
                         Error **errp);
/* Removes d from the bus, unmapping its BARs (realize failure). */
void pci_device_unregister(PCIDevice *d);
/*
 * Standard reset: command, status, BAR addresses, interrupt line and
 * capability-independent state back to power-on; INTx lowered.  BQL.
 */
void pci_device_reset(PCIDevice *d);
/*
 * Declares BAR n (0..5; a 64-bit BAR also takes n+1) backed by mr, whose
 * size must be a power of two (at least 4 bytes for I/O, 16 for memory).
 */
void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr);
/*
 * After vmstate_load() of a device's config space and pin level: maps the
 * BARs and moves the INTx contribution to what the loaded state says.
 */
void pci_device_post_load(PCIDevice *d);
/* Where BAR n is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(PCIDevice *d, int n);

/* The device's config space as the guest sees it, and the default write. */
uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, unsigned len);
void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len);

/* Little-endian helpers on config (or mask) arrays. */
static inline void pci_set_byte(uint8_t *p, uint8_t v) { p[0] = v; }
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    pci_set_word(p, v);
    pci_set_word(p + 2, v >> 16);
}
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return pci_get_word(p) | (uint32_t)pci_get_word(p + 2) << 16;
}

/*
 * Adds a capability of size bytes with the given ID at offset (0: the
 * first free space from 0x40) to the capability list; its bytes are
 * read-only to the guest until the caller sets wmask.  Returns the offset,
 * or 0 with errp set if it does not fit or overlaps another one.
 */
uint8_t pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                           uint8_t size, Error **errp);
/* Offset of the first capability with this ID, or 0. */
uint8_t pci_find_capability(PCIDevice *d, uint8_t cap_id);

/*
 * MSI (PCI Local Bus Specification 3.0, 6.8.1): a capability with one to
 * 32 vectors (a power of two) and a 32- or 64-bit message address; the
 * guest programs address and data and sets the enable bit.
 * pci_msi_notify() then sends message `vector` as the memory write the
 * specification describes (data with the low bits replaced by the vector),
 * through the bus's MSI hook (the pc board decodes it into an APIC bus
 * message) or, without a hook or outside the interrupt window, as a DMA
 * write.  Nothing is sent while MSI
 * or bus mastering is disabled.  BQL.
 */
/* Returns false when addr is not an interrupt address: the core then
 * performs the plain memory write. */
typedef bool PCIMsiDeliverFn(void *opaque, uint64_t addr, uint32_t data,
                             uint16_t requester_id);
void pci_bus_set_msi_deliver(PCIBus *bus, PCIMsiDeliverFn *fn, void *opaque);
/* Returns the capability offset, or 0 with errp set. */
uint8_t pci_msi_init(PCIDevice *d, uint8_t offset, unsigned nr_vectors,
                     bool is64, Error **errp);
bool pci_msi_enabled(PCIDevice *d);
/* Vectors the guest enabled (1..32), 0 when MSI is off. */
unsigned pci_msi_nr_vectors(PCIDevice *d);
void pci_msi_notify(PCIDevice *d, unsigned vector);

#define PCI_MSI_FLAGS            2       /* message control, in the cap */
#define  PCI_MSI_FLAGS_ENABLE    0x0001
#define  PCI_MSI_FLAGS_QMASK     0x000e  /* vectors capable, log2 */
#define  PCI_MSI_FLAGS_QSIZE     0x0070  /* vectors enabled, log2 */
#define  PCI_MSI_FLAGS_64BIT     0x0080
#define PCI_MSI_ADDRESS_LO       4
#define PCI_MSI_ADDRESS_HI       8       /* 64-bit only */
#define PCI_MSI_DATA_32          8
#define PCI_MSI_DATA_64          12

/* INTx: level of the device's pin (config byte 0x3d). */
void pci_set_irq(PCIDevice *d, int level);

/*
 * Bus-master DMA into the system address space.  Returns MEMTX_OK, or an
 * error when bus mastering is off (MEMTX_ERROR, nothing transferred), the
 * range wraps (MEMTX_DECODE_ERROR) or part of it is unmapped.  BQL.
 */
MemTxResult pci_dma_read(PCIDevice *d, uint64_t addr, void *buf,
                         uint64_t len);
MemTxResult pci_dma_write(PCIDevice *d, uint64_t addr, const void *buf,
                          uint64_t len);

/* Bus number 0 devfn as a requester ID (bus << 8 | devfn). */
static inline uint16_t pci_requester_id(PCIDevice *d)
{
    return d->devfn & 0xff;
}

#endif
