/*
 * pci-testdev.c: "pci-testdev" (1b36:0005), the PCI device that guest test
 * suites (kvm-unit-tests' pci test and others written for the established
 * emulator) use to exercise MMIO and port I/O dispatch.
 *
 * Guest interface (the established device's, docs/specs/pci-testdev):
 *   BAR0: 4 KiB memory, BAR1: 256 bytes I/O, optional BAR2: a 64-bit
 *   prefetchable memory BAR of "membar" bytes with nothing behind it.
 *   BAR0 and BAR1 both start with the header of the current test:
 *
 *     off  0  u8  test     write: select test N (0..2) of this BAR's type
 *     off  1  u8  width    access width the test expects (1)
 *     off  4  u32 offset   where in this BAR the test's writes go
 *     off  8  u8  data     the value those writes carry
 *     off 12  u32 count    writes the device counted since selection
 *     off 16  name, NUL-terminated ("mmio-no-eventfd", ...)
 *
 *   The six tests are (type, kind) with type mmio (BAR0) or portio (BAR1)
 *   and kind no-eventfd, wildcard-eventfd or datamatch-eventfd; test t has
 *   offset = (mmio ? 2048 : 128) + t, data 0xfa (0xce for wildcard), and
 *   the header's "test" byte reads t (0..5).  Writing to "test" selects;
 *   a value above 2 deselects, and with nothing selected reads give 0.
 *   Reads return the header bytes of the current test, 0 past its end.
 *
 * The "eventfd" kinds: in the established emulator a write that matches
 * the test's ioeventfd (the test's offset in its own BAR, exactly 1 byte,
 * and for datamatch the data byte) is consumed by the eventfd and never
 * reaches the device, so it is not counted; any other write at the offset
 * (wider, another value for wildcard, or through the other BAR) is split
 * into bytes and counted when the byte at the offset matches (any value
 * for wildcard, the data byte otherwise).  We have no eventfds, so the
 * consumed writes go to a notifier counter of our own that tests read with
 * qtest ("pci_testdev_notified"), and the guest sees what it sees on the
 * established emulator running TCG.  Test suites accept either count 0
 * or one per write.
 *
 * Regions keep needs_bql; everything runs with the BQL held.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/qdev.h"
#include "hw/vmstate.h"
#include "hw/pci/pci.h"
#include "system/memory.h"
#include "system/qtest.h"

#define PCI_TESTDEV_NR_KINDS 3
#define PCI_TESTDEV_NR_TESTS (2 * PCI_TESTDEV_NR_KINDS)

typedef struct PCITestDevState {
    PCIDevice pci;
    uint64_t membar_size;         /* property "membar"; 0: no BAR2 */
    MemoryRegion mmio;            /* BAR0 */
    MemoryRegion portio;          /* BAR1 */
    MemoryRegion membar;          /* BAR2, empty container */
    int32_t current;              /* selected test or -1; BQL */
    uint32_t count[PCI_TESTDEV_NR_TESTS];     /* header "count"; BQL */
    uint32_t notified[PCI_TESTDEV_NR_TESTS];  /* "eventfd" writes; BQL */
} PCITestDevState;

/* Header layout. */
#define HDR_TEST     0
#define HDR_WIDTH    1
#define HDR_OFFSET   4
#define HDR_DATA     8
#define HDR_COUNT    12
#define HDR_NAME     16

#define MMIO_SIZE    4096
#define PORTIO_SIZE  256
#define DATA_MATCH   0xfa
#define DATA_NOMATCH 0xce
#define TEST_WIDTH   1

enum { TYPE_MMIO = 0, TYPE_PORTIO = 1 };
enum { KIND_NO_EVENTFD, KIND_WILDCARD, KIND_DATAMATCH };

static const char *const pci_testdev_kind_names[PCI_TESTDEV_NR_KINDS] = {
    "no-eventfd", "wildcard-eventfd", "datamatch-eventfd",
};

static int test_type(int t) { return t / PCI_TESTDEV_NR_KINDS; }
static int test_kind(int t) { return t % PCI_TESTDEV_NR_KINDS; }

static uint32_t test_offset(int t)
{
    return (test_type(t) == TYPE_MMIO ? MMIO_SIZE / 2 : PORTIO_SIZE / 2) +
           t * TEST_WIDTH;
}

static uint8_t test_data(int t)
{
    return test_kind(t) == KIND_WILDCARD ? DATA_NOMATCH : DATA_MATCH;
}

/* Byte off of test t's header (name included), or 0 past its end. */
static uint8_t pci_testdev_hdr_byte(PCITestDevState *s, int t, uint64_t off)
{
    g_autofree char *name = g_strdup_printf("%s-%s",
        test_type(t) == TYPE_MMIO ? "mmio" : "portio",
        pci_testdev_kind_names[test_kind(t)]);
    uint64_t bufsize = HDR_NAME + strlen(name) + 1;

    /* The established device returns 0 for the last byte too (its
     * bounds check is off by one); the NUL reads as 0 either way. */
    if (off + 1 >= bufsize) {
        return 0;
    }
    switch (off) {
    case HDR_TEST:
        return t;
    case HDR_WIDTH:
        return TEST_WIDTH;
    case HDR_OFFSET ... HDR_OFFSET + 3:
        return test_offset(t) >> (8 * (off - HDR_OFFSET));
    case HDR_DATA:
        return test_data(t);
    case HDR_COUNT ... HDR_COUNT + 3:
        return s->count[t] >> (8 * (off - HDR_COUNT));
    default:
        return off >= HDR_NAME ? name[off - HDR_NAME] : 0;
    }
}

/* Called with the BQL held. */
static uint64_t pci_testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    PCITestDevState *s = opaque;
    uint64_t val = 0;

    if (s->current < 0) {
        return 0;
    }
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)pci_testdev_hdr_byte(s, s->current, addr + i)
               << (8 * i);
    }
    return val;
}

/* One byte of a write, as the established device sees it.  BQL. */
static void pci_testdev_write_byte(PCITestDevState *s, int type, hwaddr addr,
                                   uint8_t val)
{
    int t;

    if (addr == HDR_TEST) {
        s->current = -1;
        if (val >= PCI_TESTDEV_NR_KINDS) {
            return;
        }
        t = type * PCI_TESTDEV_NR_KINDS + val;
        s->count[t] = 0;
        s->current = t;
        return;
    }
    t = s->current;
    if (t < 0 || addr != test_offset(t)) {
        return;
    }
    if (test_kind(t) != KIND_WILDCARD && val != test_data(t)) {
        return;
    }
    s->count[t]++;
}

/* One access as the device (and its ioeventfd) sees it.  BQL. */
static void pci_testdev_write_piece(PCITestDevState *s, int type, hwaddr addr,
                                    uint64_t val, unsigned size)
{
    int t = s->current;

    /* The established device's ioeventfd swallows an exact match. */
    if (t >= 0 && test_kind(t) != KIND_NO_EVENTFD && test_type(t) == type &&
        addr == test_offset(t) && size == TEST_WIDTH &&
        (test_kind(t) == KIND_WILDCARD || val == test_data(t))) {
        s->notified[t]++;
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        pci_testdev_write_byte(s, type, addr + i, val >> (8 * i));
    }
}

/*
 * Called with the BQL held.  An unaligned port access reaches the
 * established device as aligned pieces (the widest power of two that the
 * address's alignment allows, at most 4 bytes), each checked against the
 * ioeventfd on its own; guests see the counts that follow from that, so we
 * cut the same pieces.  Aligned accesses are one piece.
 */
static void pci_testdev_write(PCITestDevState *s, int type, hwaddr addr,
                              uint64_t val, unsigned size)
{
    while (size) {
        unsigned piece = 4;

        while (piece > size || (addr & (piece - 1))) {
            piece >>= 1;
        }
        if (!(addr & (size - 1)) && piece < size) {
            piece = size;         /* aligned (an 8-byte MMIO access) */
        }
        pci_testdev_write_piece(s, type, addr,
                                piece < 8 ? val & ((1ULL << (8 * piece)) - 1)
                                          : val, piece);
        addr += piece;
        val = piece < 8 ? val >> (8 * piece) : 0;
        size -= piece;
    }
}

static void pci_testdev_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
    pci_testdev_write(opaque, TYPE_MMIO, addr, val, size);
}

static void pci_testdev_pio_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    pci_testdev_write(opaque, TYPE_PORTIO, addr, val, size);
}

static const MemoryRegionOps pci_testdev_mmio_ops = {
    .read = pci_testdev_read,
    .write = pci_testdev_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps pci_testdev_pio_ops = {
    .read = pci_testdev_read,
    .write = pci_testdev_pio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

/* qtest "pci_testdev_notified TEST" -> "OK <writes consumed>". */
static char *pci_testdev_qtest_notified(void *opaque, char **argv, int argc)
{
    PCITestDevState *s = opaque;
    uint64_t t;

    if (argc != 2 || !parse_uint64(argv[1], &t) ||
        t >= PCI_TESTDEV_NR_TESTS) {
        return g_strdup("FAIL pci_testdev_notified takes a test (0..5)");
    }
    return g_strdup_printf("OK %u", s->notified[t]);
}

static const PCIDeviceInfo pci_testdev_info = {
    .vendor_id = 0x1b36, .device_id = 0x0005, .revision = 0x00,
    .class_id = 0x00ff,           /* PCI_CLASS_OTHERS: 0xff */
    .interrupt_pin = 0,
};

static void pci_testdev_realize(DeviceState *dev, Error **errp)
{
    PCITestDevState *s = container_of(dev, PCITestDevState, pci.parent);

    if (s->membar_size &&
        ((s->membar_size & (s->membar_size - 1)) || s->membar_size < 16)) {
        error_setg(errp, "pci-testdev: membar=%" PRIu64 " must be a power "
                   "of two of at least 16 bytes", s->membar_size);
        return;
    }
    if (!pci_device_register(&s->pci, &pci_testdev_info, errp)) {
        return;
    }
    memory_region_init_io(&s->mmio, &pci_testdev_mmio_ops, s,
                          "pci-testdev-mmio", MMIO_SIZE);
    memory_region_init_io(&s->portio, &pci_testdev_pio_ops, s,
                          "pci-testdev-portio", PORTIO_SIZE);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
    pci_register_bar(&s->pci, 1, PCI_BASE_ADDRESS_SPACE_IO, &s->portio);
    if (s->membar_size) {
        memory_region_init(&s->membar, "pci-testdev-membar", s->membar_size);
        pci_register_bar(&s->pci, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                         PCI_BASE_ADDRESS_MEM_PREFETCH |
                         PCI_BASE_ADDRESS_MEM_TYPE_64, &s->membar);
    }
    s->current = -1;
    qtest_command_register("pci_testdev_notified",
                           pci_testdev_qtest_notified, s);
}

static void pci_testdev_reset(DeviceState *dev)
{
    PCITestDevState *s = container_of(dev, PCITestDevState, pci.parent);

    pci_device_reset(&s->pci);
    s->current = -1;
}

static bool pci_testdev_post_load(DeviceState *dev, Error **errp)
{
    PCITestDevState *s = container_of(dev, PCITestDevState, pci.parent);

    if (s->current < -1 || s->current >= PCI_TESTDEV_NR_TESTS) {
        error_setg(errp, "pci-testdev: invalid current test %d", s->current);
        return false;
    }
    pci_device_post_load(&s->pci);
    return true;
}

static const VMStateField pci_testdev_vmstate[] = {
    VMSTATE_BUFFER(pci.config, PCITestDevState),
    VMSTATE_INT32(current, PCITestDevState),
    VMSTATE_BUFFER(count, PCITestDevState),
    VMSTATE_END,
};

static const Property pci_testdev_props[] = {
    DEFINE_PCI_DEVICE_PROPS(PCITestDevState, pci),
    DEFINE_PROP_SIZE("membar", PCITestDevState, membar_size, 0),
    DEFINE_PROP_END,
};

static const DeviceClass pci_testdev_class = {
    .name = "pci-testdev",
    .desc = "PCI test device (MMIO and port I/O dispatch tests)",
    .bus = "pci",
    .user_creatable = true,
    .instance_size = sizeof(PCITestDevState),
    .props = pci_testdev_props,
    .realize = pci_testdev_realize,
    .reset = pci_testdev_reset,
    .vmstate = pci_testdev_vmstate,
    .post_load = pci_testdev_post_load,
};
DEVICE_REGISTER(pci_testdev_class);
