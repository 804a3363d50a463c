/*
 * i440fx.c: the pc machine's PCI host bridge ("i440FX", 00.0) with the
 * CF8/CFC configuration mechanism, and the PIIX3 ISA bridge ("PIIX3",
 * 01.0) with its PIRQ routing.  See hw/pci-host/i440fx.h.
 *
 * Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * a dword write to 0xcf8 sets CONFIG_ADDRESS (bit 31 enable, bus 23:16,
 * device/function 15:8, register 7:2); an access of any size to
 * 0xcfc..0xcff then reaches that register plus the port's offset.  As on
 * the established pc: byte and word writes to 0xcf8 are ignored, reads of
 * 0xcf8..0xcfb return CONFIG_ADDRESS truncated to the access size,
 * CONFIG_DATA with the enable bit clear or for an absent device reads all
 * ones and drops writes.  The register offset is 8 bits, so every access
 * lands inside a device's 256-byte space.  A byte access to 0xcf9 is the
 * PIIX3's reset control register instead (decoded here because it sits
 * inside CONFIG_ADDRESS's ports; a dword at 0xcf8 is still CONFIG_ADDRESS).
 * CONFIG_ADDRESS keeps its value across a system reset, as there.
 *
 * PIIX3 PIRQ routing (82371SB datasheet 2.3.10, PIRQRC[A:D]): bit 7 set
 * disables the route, bits 3:0 name the ISA IRQ.  Each ISA IRQ's level is
 * the OR of the PCI lines routed to it; we drive only lines some route
 * points at, and lower a line when the last route away from it goes.  The
 * ISA lines reach both 8259s and the IOAPIC pin of the same number through
 * the board's split, which is how PCI interrupts arrive on the established
 * pc machine (IRQ 10/11 with its firmware's routing).  Power-on routing is
 * "disabled" on all four (0x80), as there; firmware or the guest sets it.
 *
 * The values of the device-specific registers after reset are the ones the
 * established machine shows; only the PIRQ routes (and the header fields
 * of pci.c) have any effect here.  Everything runs with the BQL held.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/irq.h"
#include "hw/isa.h"
#include "hw/vmstate.h"
#include "hw/pci/pci.h"
#include "hw/pci-host/i440fx.h"
#include "system/memory.h"
#include "system/runstate.h"

typedef struct I440FXState {
    PCIDevice pci;
    MemoryRegion conf;            /* 0xcf8..0xcfb */
    MemoryRegion data;            /* 0xcfc..0xcff */
    uint32_t config_reg;          /* CONFIG_ADDRESS; BQL */
    uint8_t rcr;                  /* PIIX3 reset control (0xcf9); BQL */
} I440FXState;

typedef struct PIIX3State {
    PCIDevice pci;
    IsaBus *isa;                  /* set at realize */
    uint16_t isa_levels;          /* ISA IRQs we drive high now; BQL */
} PIIX3State;

/* i440FX registers (82441FX datasheet 3.2): PAM0..6 and SMRAM. */
#define I440FX_PAM       0x59
#define I440FX_PAM_SIZE  7
#define I440FX_SMRAM     0x72

#define CONFIG_ENABLE    0x80000000u

/* PIIX3 reset control register (82371SB 4.1.5), a byte at port 0xcf9
 * inside CONFIG_ADDRESS's ports: bit 2 starts a reset, bit 1 picks a hard
 * one (kept), the rest read as 0. */
#define RCR_PORT_OFFSET  1
#define RCR_SYS_RST      0x02
#define RCR_RST_CPU      0x04

/* ---- CONFIG_ADDRESS / CONFIG_DATA ---- */

/* Called with the BQL held. */
static uint64_t i440fx_conf_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXState *s = opaque;

    if (size == 1 && addr == RCR_PORT_OFFSET) {
        return s->rcr;
    }
    return size == 4 ? s->config_reg
                     : s->config_reg & ((1u << (8 * size)) - 1);
}

/* Called with the BQL held. */
static void i440fx_conf_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    I440FXState *s = opaque;

    if (size == 1 && addr == RCR_PORT_OFFSET) {
        /* Linux's reboot=pci and firmware reset the machine this way. */
        if (val & RCR_RST_CPU) {
            system_reset_request(RESET_CAUSE_GUEST);
            return;
        }
        s->rcr = val & RCR_SYS_RST;
        return;
    }
    if (addr != 0 || size != 4) {
        return;
    }
    s->config_reg = val;
}

static const MemoryRegionOps i440fx_conf_ops = {
    .read = i440fx_conf_read,
    .write = i440fx_conf_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

/* Splits CONFIG_ADDRESS; false if disabled.  *len is clipped to the port. */
static bool i440fx_decode(I440FXState *s, hwaddr addr, unsigned *len,
                          int *bus, int *devfn, uint32_t *reg)
{
    if (!(s->config_reg & CONFIG_ENABLE)) {
        return false;
    }
    if (addr + *len > 4) {
        *len = 4 - addr;
    }
    *bus = (s->config_reg >> 16) & 0xff;
    *devfn = (s->config_reg >> 8) & 0xff;
    *reg = (s->config_reg & 0xfc) + addr;
    return true;
}

/* Called with the BQL held. */
static uint64_t i440fx_data_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXState *s = opaque;
    unsigned len = size;
    int bus, devfn;
    uint32_t reg;

    if (!i440fx_decode(s, addr, &len, &bus, &devfn, &reg)) {
        return size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
    }
    return pci_bus_config_read(s->pci.bus, bus, devfn, reg, len);
}

/* Called with the BQL held. */
static void i440fx_data_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    I440FXState *s = opaque;
    unsigned len = size;
    int bus, devfn;
    uint32_t reg;

    if (!i440fx_decode(s, addr, &len, &bus, &devfn, &reg)) {
        return;
    }
    pci_bus_config_write(s->pci.bus, bus, devfn, reg, val, len);
}

static const MemoryRegionOps i440fx_data_ops = {
    .read = i440fx_data_read,
    .write = i440fx_data_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

/* ---- i440FX device ---- */

static const PCIDeviceInfo i440fx_pci_info = {
    .vendor_id = 0x8086, .device_id = 0x1237, .revision = 0x02,
    .class_id = 0x0600,           /* host bridge */
};

static void i440fx_regs_reset(I440FXState *s)
{
    uint8_t *c = s->pci.config;

    memset(c + PCI_CONFIG_HEADER_SIZE, 0,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    c[0x57] = 0x10;               /* DRAMC, as the established machine */
    c[I440FX_PAM] = 0x30;         /* BIOS area read/write */
    memset(c + I440FX_PAM + 1, 0x33, I440FX_PAM_SIZE - 1);
    c[I440FX_SMRAM] = 0x02;
}

static void i440fx_realize(DeviceState *dev, Error **errp)
{
    I440FXState *s = container_of(dev, I440FXState, pci.parent);
    IsaBus *isa = isa_bus_get();

    if (!isa) {
        error_setg(errp, "i440FX: this machine has no ISA bus");
        return;
    }
    if (!pci_device_register(&s->pci, &i440fx_pci_info, errp)) {
        return;
    }
    i440fx_regs_reset(s);
    memory_region_init_io(&s->conf, &i440fx_conf_ops, s, "pci-conf-idx", 4);
    memory_region_init_io(&s->data, &i440fx_data_ops, s, "pci-conf-data", 4);
    if (!isa_register_ioport(isa, &s->conf, I440FX_CONFIG_ADDRESS, errp)) {
        goto fail;
    }
    if (!isa_register_ioport(isa, &s->data, I440FX_CONFIG_DATA, errp)) {
        /* Unmapped again; the claim stays recorded (the machine is about
         * to fail its start-up anyway). */
        memory_region_del_subregion(isa->io, &s->conf);
        goto fail;
    }
    return;
fail:
    memory_region_finalize(&s->conf);
    memory_region_finalize(&s->data);
    pci_device_unregister(&s->pci);
}

static void i440fx_reset(DeviceState *dev)
{
    I440FXState *s = container_of(dev, I440FXState, pci.parent);

    pci_device_reset(&s->pci);
    i440fx_regs_reset(s);
    /* CONFIG_ADDRESS survives a reset, as on the established machine. */
    s->rcr = 0;
}

static bool i440fx_post_load(DeviceState *dev, Error **errp)
{
    I440FXState *s = container_of(dev, I440FXState, pci.parent);

    pci_device_post_load(&s->pci);
    return true;
}

static const VMStateField i440fx_vmstate[] = {
    VMSTATE_BUFFER(pci.config, I440FXState),
    VMSTATE_UINT32(config_reg, I440FXState),
    VMSTATE_UINT8(rcr, I440FXState),
    VMSTATE_END,
};

static const Property i440fx_props[] = {
    DEFINE_PCI_DEVICE_PROPS(I440FXState, pci),
    DEFINE_PROP_END,
};

static const DeviceClass i440fx_class = {
    .name = "i440FX",
    .desc = "i440FX PCI host bridge (CF8/CFC)",
    .bus = "pci",
    .user_creatable = false,
    .instance_size = sizeof(I440FXState),
    .props = i440fx_props,
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .vmstate = i440fx_vmstate,
    .post_load = i440fx_post_load,
};
DEVICE_REGISTER(i440fx_class);

/* ---- PIIX3 ---- */

static const PCIDeviceInfo piix3_pci_info = {
    .vendor_id = 0x8086, .device_id = 0x7000, .revision = 0x00,
    .class_id = 0x0601,           /* ISA bridge */
    .multifunction = true,
};

/* Drives every ISA IRQ from the PIRQ levels and routes.  BQL. */
static void piix3_update_isa(PIIX3State *s)
{
    uint16_t want = 0;

    for (int p = 0; p < PIIX_NUM_PIRQS; p++) {
        uint8_t route = s->pci.config[PIIX_PIRQRC + p];

        if (route < ISA_NUM_IRQS && s->pci.bus &&
            pci_bus_get_irq_level(s->pci.bus, p)) {
            want |= 1u << route;
        }
    }
    for (int n = 0; n < ISA_NUM_IRQS; n++) {
        uint16_t bit = 1u << n;

        if ((want ^ s->isa_levels) & bit) {
            irq_set(isa_get_irq(s->isa, n), !!(want & bit));
        }
    }
    s->isa_levels = want;
}

/* The bus's set_irq: PIRQ line changed.  BQL. */
static void piix3_set_pirq(void *opaque, int pirq, int level)
{
    piix3_update_isa(opaque);
}

/* The pc's swizzle: slot 1 INTA is PIRQA, each slot rotates by one. */
static int piix3_map_irq(int devfn, int pin)
{
    return (PCI_SLOT(devfn) - 1 + pin) & 3;
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                               unsigned len)
{
    PIIX3State *s = container_of(d, PIIX3State, pci);

    if (addr < PIIX_PIRQRC + PIIX_NUM_PIRQS && addr + len > PIIX_PIRQRC) {
        piix3_update_isa(s);
    }
}

static void piix3_regs_reset(PIIX3State *s)
{
    uint8_t *c = s->pci.config;

    memset(c + PCI_CONFIG_HEADER_SIZE, 0,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_word(c + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
    c[0x4c] = 0x4d;               /* IORT */
    c[0x4e] = 0x03;               /* XBCS */
    memset(c + PIIX_PIRQRC, 0x80, PIIX_NUM_PIRQS);
    c[0x69] = 0x02;               /* TOM */
    c[0x70] = 0x80;               /* MBIRQ0 */
    c[0x76] = 0x0c;               /* MBDMA0 */
    c[0x77] = 0x0c;               /* MBDMA1 */
    c[0x78] = 0x02;               /* PCSC */
    c[0xa0] = 0x08;               /* SMICNTL */
    c[0xa8] = 0x0f;               /* SMIREQ */
}

static void piix3_realize(DeviceState *dev, Error **errp)
{
    PIIX3State *s = container_of(dev, PIIX3State, pci.parent);

    s->isa = isa_bus_get();
    if (!s->isa) {
        error_setg(errp, "PIIX3: this machine has no ISA bus");
        return;
    }
    if (!pci_device_register(&s->pci, &piix3_pci_info, errp)) {
        return;
    }
    piix3_regs_reset(s);
    s->pci.config_write = piix3_config_write;
    pci_bus_irqs(s->pci.bus, piix3_map_irq, piix3_set_pirq, s,
                 PIIX_NUM_PIRQS);
}

static void piix3_reset(DeviceState *dev)
{
    PIIX3State *s = container_of(dev, PIIX3State, pci.parent);

    pci_device_reset(&s->pci);
    piix3_regs_reset(s);
    piix3_update_isa(s);
}

static bool piix3_post_load(DeviceState *dev, Error **errp)
{
    PIIX3State *s = container_of(dev, PIIX3State, pci.parent);

    pci_device_post_load(&s->pci);
    piix3_update_isa(s);
    return true;
}

static const VMStateField piix3_vmstate[] = {
    VMSTATE_BUFFER(pci.config, PIIX3State),
    VMSTATE_END,
};

static const Property piix3_props[] = {
    DEFINE_PCI_DEVICE_PROPS(PIIX3State, pci),
    DEFINE_PROP_END,
};

static const DeviceClass piix3_class = {
    .name = "PIIX3",
    .desc = "PIIX3 PCI-to-ISA bridge with PIRQ routing",
    .bus = "pci",
    .user_creatable = false,
    .instance_size = sizeof(PIIX3State),
    .props = piix3_props,
    .realize = piix3_realize,
    .reset = piix3_reset,
    .vmstate = piix3_vmstate,
    .post_load = piix3_post_load,
};
DEVICE_REGISTER(piix3_class);

/* ---- Board entry ---- */

/* Creates a built-in PCI device at addr; NULL on failure. */
static DeviceState *i440fx_create(const char *driver, const char *addr,
                                  const char *id, Error **errp)
{
    DeviceState *dev = device_new(driver, errp);

    if (!dev) {
        return NULL;
    }
    dev->id = g_strdup(id);
    if (!device_set_prop(dev, "addr", addr, errp) ||
        !device_realize(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

PCIBus *i440fx_init(IsaBus *isa, MemoryRegion *pci_mem, Error **errp)
{
    PCIBus *bus = pci_bus_new(pci_mem, isa->io, errp);

    if (!bus ||
        !i440fx_create("i440FX", "0.0", "pci-host", errp) ||
        !i440fx_create("PIIX3", "1.0", "piix3", errp)) {
        return NULL;
    }
    return bus;
}
