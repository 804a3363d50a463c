/*
 * memory.h: guest-visible memory and I/O maps.
 *
 * A machine describes its address map as a tree of MemoryRegions:
 *   - RAM:       host memory, accessed directly by CPUs and DMA;
 *   - ROM:       host memory, read-only to the guest (writes are ignored);
 *   - MMIO (io): a MemoryRegionOps table and an opaque device pointer;
 *   - alias:     a window onto part of another region;
 *   - container: holds subregions at offsets, possibly overlapping, where
 *                the higher priority wins and, at equal priority, the
 *                later-added one wins.
 *
 * An AddressSpace is a root region plus its rendering, the FlatView: a
 * sorted list of non-overlapping ranges, each pointing at one terminal
 * region (RAM, ROM or MMIO) and an offset in it.  Writers (map changes) run
 * under the BQL, render a new FlatView and publish it with rcu_publish();
 * readers (vCPUs, DMA, iothreads) look it up under rcu_read_lock() and never
 * take the BQL for that.  The old view is freed after a grace period.
 *
 *     memory_region_init_io(&s->io, &serial_ops, s, "serial", 8);
 *     memory_region_add_subregion(isa_io, 0x3f8, &s->io);
 *     ...
 *     uint32_t v = address_space_ldl_le(&address_space_memory, 0x1000,
 *                                       MEMTXATTRS_UNSPECIFIED, &res);
 *
 * Access sizes.  ops->valid says which sizes (and whether unaligned) the
 * guest may use; an access outside it fails with MEMTX_ERROR and a
 * guest_errors log line.  ops->impl says which sizes the callbacks
 * implement; the core splits wider accesses into several impl-sized ones and
 * widens narrower ones (read-modify for reads, extracting bytes), so devices
 * only handle their natural size.  Zero in either min/max means 1 / 4 bytes;
 * impl defaults to valid.
 *
 * Endianness.  Values passed to read/write callbacks are in the device's
 * endianness (ops->endianness) as a host integer.  address_space_rw() with a
 * byte buffer and the _le/_be helpers convert for you.
 *
 * Locking.  An MMIO region is dispatched with the BQL held unless it has
 * cleared needs_bql (memory_region_set_needs_bql(mr, false)); such a
 * "converted" device protects itself with its own lock.  Dispatch takes the
 * BQL itself, through the named function memory_region_dispatch_*, and only
 * when the caller does not hold it already: vCPU threads and iothreads never
 * hold it when they access memory; the main loop and qtest always do.
 * A region marked for coalesced MMIO (below) is dispatched with the BQL
 * even if converted, when an accelerator buffers coalesced writes.
 * A region's memory stays valid for a grace period after it is removed.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include "util/error.h"
#include "system/rcu.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct BqlStat BqlStat;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,          /* the device or the size check refused it */
    MEMTX_DECODE_ERROR = 2,   /* nothing is mapped there */
} MemTxResult;

/* Who is accessing: lets devices tell CPU from DMA, and secure state later. */
typedef struct MemTxAttrs {
    unsigned requester_id : 16;  /* CPU index or PCI requester id */
    unsigned is_dma : 1;
    unsigned debug : 1;          /* gdbstub/monitor: no side effects wanted */
} MemTxAttrs;
#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs){ 0 })

typedef enum DeviceEndian {
    DEVICE_LITTLE_ENDIAN = 0,
    DEVICE_BIG_ENDIAN = 1,
} DeviceEndian;

/* Reads size bytes (1, 2, 4 or 8) at addr, an offset within the region. */
typedef uint64_t MemReadFn(void *opaque, hwaddr addr, unsigned size);
typedef void MemWriteFn(void *opaque, hwaddr addr, uint64_t data,
                        unsigned size);

typedef struct MemAccessSizes {
    unsigned min_access_size;  /* bytes; 0 means 1 */
    unsigned max_access_size;  /* bytes; 0 means 4 */
    bool unaligned;            /* accesses need not be size-aligned */
} MemAccessSizes;

typedef struct MemoryRegionOps {
    MemReadFn *read;
    MemWriteFn *write;
    DeviceEndian endianness;
    MemAccessSizes valid;      /* what the guest may do */
    MemAccessSizes impl;       /* what the callbacks implement */
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_CONTAINER,
    MR_RAM,
    MR_ROM,
    MR_IO,
    MR_ALIAS,
} MemoryRegionKind;

/*
 * Fields are private to system/memory.c; use the accessors.  The tree
 * (parent, subregions, enabled, addr, priority) is protected by the BQL.
 */
struct MemoryRegion {
    MemoryRegionKind kind;
    char *name;
    uint64_t size;                 /* bytes; UINT64_MAX allowed for roots */
    const MemoryRegionOps *ops;    /* MR_IO */
    void *opaque;                  /* MR_IO */
    uint8_t *ram;                  /* MR_RAM, MR_ROM: host memory */
    bool ram_owned;                /* ram was allocated by us */
    MemoryRegion *alias;           /* MR_ALIAS: target */
    hwaddr alias_offset;           /* MR_ALIAS: offset into target */
    bool enabled;
    bool needs_bql;                /* dispatch under the BQL (default) */
    BqlStat *bql_cause;            /* "mmio:<name>", interned at init */
    MemoryRegion *parent;
    hwaddr addr;                   /* offset within parent */
    int priority;
    unsigned add_seq;              /* insertion order, breaks priority ties */
    GPtrArray *subregions;         /* MemoryRegion *, in insertion order */
    /* ioeventfds (memory_region_add_eventfd): replaced as a whole under
     * the BQL, read under rcu_read_lock() by the dispatcher */
    struct MemoryRegionIoeventfds *ioeventfds;
    /* Coalesced zones (memory_region_add_coalescing): GArray of
     * MemoryRegionCoalesced; BQL (listeners only) */
    GArray *coalesced;
    /* Set when the region has coalesced zones or flushes them: the
     * dispatcher drains the coalesced buffer before an access.  Written
     * under the BQL, read atomically by any thread. */
    bool flush_coalesced;
    bool has_coalesced;
};

/* A rendered range: [addr, addr + size) maps to mr at offset_in_region. */
typedef struct MemoryRegionSection {
    MemoryRegion *mr;              /* NULL: unassigned */
    hwaddr addr;                   /* start in the address space */
    uint64_t size;
    hwaddr offset_in_region;
} MemoryRegionSection;

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current_map;         /* RCU: rcu_load() under rcu_read_lock() */
};

/* --- Building the tree.  All called with the BQL held (or before any
 * thread starts). --- */

void memory_region_init(MemoryRegion *mr, const char *name, uint64_t size);
/* Allocates zeroed host memory (mmap); fails with errp on ENOMEM. */
bool memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size,
                            Error **errp);
bool memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size,
                            Error **errp);
/* RAM backed by caller-provided memory that outlives the region. */
void memory_region_init_ram_ptr(MemoryRegion *mr, const char *name,
                                uint64_t size, void *ptr);
void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);
void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, hwaddr offset,
                              uint64_t size);
/* Frees what init allocated; the region must not be mapped. */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_needs_bql(MemoryRegion *mr, bool needs_bql);

uint64_t memory_region_size(const MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr);  /* RAM or ROM */
bool memory_region_is_rom(const MemoryRegion *mr);
/* Host pointer to the start of a RAM/ROM region. */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/*
 * Batches map changes: nested begin/commit pairs render the FlatViews of
 * every address space once, at the outermost commit.  BQL.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);
/*
 * How many times the FlatViews have been rendered (each render covers every
 * address space).  A statistics and test hook.  Any thread.
 */
unsigned memory_render_count(void);

/* --- Address spaces --- */

/* The machine's address spaces; io is used by x86 port I/O only. */
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);

/*
 * Finds the section containing addr in fv; where nothing is mapped, the
 * section has mr == NULL and covers the whole gap.  A size of UINT64_MAX
 * starting at 0 means all 2^64 bytes.  Called under rcu_read_lock(); the
 * result is valid until rcu_read_unlock().  Any thread.
 */
MemoryRegionSection flatview_lookup(FlatView *fv, hwaddr addr);
/* Number of ranges and the i-th, for tests and "info mtree -f". */
unsigned flatview_nr_ranges(FlatView *fv);
MemoryRegionSection flatview_range(FlatView *fv, unsigned i);

/*
 * Copies len bytes between buf and the address space, splitting at region
 * boundaries; RAM is copied, MMIO goes through the ops with the widest valid
 * access sizes, in the guest's byte order (the bytes in buf are memory
 * order).  Returns the OR of the per-piece results.  Unassigned reads
 * return zero bytes.  Any thread; takes the BQL itself for needs_bql
 * regions if the caller does not hold it.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf, hwaddr len);

/*
 * A single access of size 1/2/4/8 with a value, as a CPU does it: big_endian
 * is the byte order of the access.  The value is converted to and from the
 * region's endianness.  This is the entry for TCG's slow path, KVM exits and
 * qtest.  Any thread; BQL as for address_space_rw().
 */
MemTxResult address_space_read_value(AddressSpace *as, hwaddr addr,
                                     unsigned size, bool big_endian,
                                     uint64_t *val, MemTxAttrs attrs);
MemTxResult address_space_write_value(AddressSpace *as, hwaddr addr,
                                      unsigned size, bool big_endian,
                                      uint64_t val, MemTxAttrs attrs);

/* Region-level dispatch of one access (offset within mr); same contract. */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        unsigned size, bool big_endian,
                                        uint64_t *val, MemTxAttrs attrs);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         unsigned size, bool big_endian,
                                         uint64_t val, MemTxAttrs attrs);

/* ld/st helpers: res may be NULL. */
uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                           MemTxResult *res);
uint16_t address_space_lduw_le(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *res);
uint16_t address_space_lduw_be(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *res);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res);
uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res);
uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res);
void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t val,
                       MemTxAttrs attrs, MemTxResult *res);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint16_t val,
                          MemTxAttrs attrs, MemTxResult *res);
void address_space_stw_be(AddressSpace *as, hwaddr addr, uint16_t val,
                          MemTxAttrs attrs, MemTxResult *res);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *res);
void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *res);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *res);
void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *res);

/*
 * ioeventfds: a guest write of exactly size bytes at offset addr in the MMIO
 * region mr (with match_data: only of the value data, as a little-endian
 * integer of those bytes) signals the eventfd fd (adds 1 to its counter)
 * instead of reaching the device's write callback.  Under KVM the kernel
 * does it without leaving guest mode (the KVM memory listener registers it
 * with KVM_IOEVENTFD); otherwise the dispatcher does it.  The device reads
 * fd, typically from an iothread or the main loop.  fd stays the caller's.
 * BQL.
 */
void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd);
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd);

typedef struct MemoryRegionIoeventfd {
    hwaddr addr;                   /* offset in the region */
    unsigned size;
    bool match_data;
    uint64_t data;
    int fd;
} MemoryRegionIoeventfd;

/*
 * Coalesced MMIO and PIO.  Writes to a coalesced zone of an IO region
 * (offset, size within the region) may be buffered by the accelerator
 * instead of reaching the device at once: under KVM the kernel appends
 * them to a ring shared by all vCPUs and resumes the guest without an exit
 * (KVM_REGISTER_COALESCED_MMIO; port I/O zones too where the kernel has
 * KVM_CAP_COALESCED_PIO).  The buffered writes are replayed through the
 * memory API, in order, by memory_coalesced_flush(), which the dispatcher
 * calls before any access to a region that has coalesced zones or is
 * marked with memory_region_set_flush_coalesced() (a device marks the
 * registers whose behaviour depends on the buffered writes: the RTC's data
 * port, whose index port is coalesced).  Reads from a coalesced zone are
 * never buffered.  Only writes whose order relative to the device's other
 * registers is kept by these rules may be coalesced: a device that reads
 * its own state outside an access (a timer, an NMI query) must call
 * memory_coalesced_flush() first.  Without an accelerator that buffers
 * (TCG) all of this is a no-op and writes go to the device at once.
 * The marks are set under the BQL, normally before the region is mapped.
 */
typedef struct MemoryRegionCoalesced {
    hwaddr addr;                   /* offset in the region */
    uint64_t size;
} MemoryRegionCoalesced;

void memory_region_add_coalescing(MemoryRegion *mr, hwaddr offset,
                                  uint64_t size);
/* All of the region, as one zone. */
void memory_region_set_coalescing(MemoryRegion *mr);
void memory_region_clear_coalescing(MemoryRegion *mr);
void memory_region_set_flush_coalesced(MemoryRegion *mr);
void memory_region_clear_flush_coalesced(MemoryRegion *mr);

/*
 * The accelerator's drain of its coalesced buffer: replays what is
 * buffered through the memory API (address_space_write() with the BQL
 * held).  Set once before any vCPU runs; NULL (the default) means nothing
 * is ever buffered.
 */
typedef void MemoryCoalescedFlushFn(void);
void memory_set_coalesced_flush(MemoryCoalescedFlushFn *fn);
/* Replays every buffered write now.  Called with the BQL held. */
void memory_coalesced_flush(void);
/* True when an accelerator buffers coalesced writes.  Any thread. */
bool memory_coalescing_active(void);

/*
 * Memory listeners: an accelerator (KVM) that mirrors an address space's
 * map somewhere else registers one.  On registration region_add is called
 * for every range of the current FlatView; after every later render,
 * region_del for each range of the old view that is not in the new one,
 * then region_add for each new range (so a moved range is deleted before
 * it is re-added).  Ranges are the FlatView's: terminal regions only.
 * Called with the BQL held, inside the map change.
 */
typedef struct MemoryListener MemoryListener;
typedef void MemoryListenerFn(MemoryListener *l,
                              const MemoryRegionSection *section);
typedef void MemoryListenerEventfdFn(MemoryListener *l,
                                     const MemoryRegionSection *section,
                                     hwaddr gpa,
                                     const MemoryRegionIoeventfd *e);
typedef void MemoryListenerCoalescedFn(MemoryListener *l,
                                       const MemoryRegionSection *section,
                                       hwaddr gpa, uint64_t size);
struct MemoryListener {
    MemoryListenerFn *region_add;
    MemoryListenerFn *region_del;
    /* An ioeventfd at guest address gpa inside section appeared or went
     * away (with its section, or by memory_region_add/del_eventfd). */
    MemoryListenerEventfdFn *eventfd_add;
    MemoryListenerEventfdFn *eventfd_del;
    /* The part [gpa, gpa + size) of a coalesced zone inside section
     * appeared or went away: after region_add, before region_del, and
     * on memory_region_add/clear_coalescing of a mapped region. */
    MemoryListenerCoalescedFn *coalesced_add;
    MemoryListenerCoalescedFn *coalesced_del;
    AddressSpace *as;              /* BQL: set by register */
};
/* BQL. */
void memory_listener_register(MemoryListener *l, AddressSpace *as);
void memory_listener_unregister(MemoryListener *l);

/* Prints the region tree ("info mtree") or the flat view (-f). */
void memory_tree_dump(FILE *f, AddressSpace *as, bool flat);

#endif
