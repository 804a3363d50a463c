/*
 * physmem.c: the machine's address spaces and access dispatch through them.
 *
 * Every guest memory or port access that leaves a CPU's fast path ends up
 * here: TCG's softmmu slow path and KVM's MMIO/PIO exits call
 * address_space_{read,write}_value(); DMA, loaders, the gdbstub, the monitor
 * and qtest call address_space_rw() with a byte buffer; devices use the
 * ld/st helpers.  An access looks up the address space's current FlatView
 * (rendered by memory.c) and goes, per range it touches, to:
 *   - RAM/ROM: memcpy to or from host memory (guest writes to ROM are
 *     dropped with a guest_errors line and MEMTX_OK, as a real ROM ignores
 *     them);
 *   - IO: the region's MemoryRegionOps, after the access-size checks and
 *     adaptation below;
 *   - nothing: reads give zeros, writes are dropped, MEMTX_DECODE_ERROR.
 *
 *     uint8_t buf[16];
 *     address_space_read(&address_space_memory, 0x1000,
 *                        MEMTXATTRS_UNSPECIFIED, buf, sizeof(buf));
 *
 * Access sizes.  address_space_rw() cuts the bytes for an IO range into the
 * widest power-of-two pieces that ops->valid allows, aligned unless
 * valid.unaligned.  Each piece (and each _value access) is checked against
 * ops->valid (MEMTX_ERROR, a guest_errors line and no callback if it fails)
 * and then adapted to ops->impl: a piece wider than impl.max becomes several
 * impl.max accesses in ascending address order; a piece narrower than
 * impl.min (or unaligned when impl is not) becomes aligned impl.min
 * accesses of which only the covered bytes are used.  A write that covers
 * an impl-sized word only partly is a read-modify-write of that word, so a
 * device whose reads have side effects must not declare impl.min above
 * valid.min.  Internally a piece is a byte array in memory order; the value
 * a callback sees or returns is in ops->endianness, and the _value entry
 * points convert from and to the byte order of the access, which amounts to
 * a byte swap when the two differ.
 *
 * Threads and locks.  Any thread may call in; it must be registered with
 * RCU.  The lookup and the whole access run inside one rcu_read_lock()
 * section, so the FlatView and the regions it names stay valid throughout;
 * a RAM pointer found inside the section must not be used after it.
 * Regions with needs_bql (the default) are dispatched with the BQL: a caller
 * that holds it (main loop, monitor, qtest, devices, and vCPU code under
 * exception delivery or hypercalls) is dispatched directly; a caller that
 * does not (vCPU threads running guest code, iothreads) gets it taken for
 * the one access, in io_access() below, with the region's "mmio:<name>"
 * cause, and released right after.  A converted region (needs_bql false) is
 * called without taking anything.  See docs/devel/memory.md.
 *
 * The functions on the path of one device access (KVM exits, TCG's slow
 * path) are marked hot: GCC groups them in .text.hot, so that the path
 * touches few code pages (docs/devel/kvm.md, "The cost of an exit").
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/memory-internal.h"

AddressSpace address_space_memory;
AddressSpace address_space_io;
static MemoryRegion system_memory;     /* tree: BQL */
static MemoryRegion system_io;         /* tree: BQL */

/* Before main(): no other thread exists, so the BQL is not needed yet. */
__attribute__((constructor)) static void physmem_init(void)
{
    memory_region_init(&system_memory, "system", UINT64_MAX);
    memory_region_init(&system_io, "io", 0x10000);
    address_space_setup(&address_space_memory, &system_memory, "memory");
    address_space_setup(&address_space_io, &system_io, "I/O");
}

MemoryRegion *get_system_memory(void)
{
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    return &system_io;
}

/* --- Bytes in memory order <-> values --- */

static uint64_t bytes_to_val(const uint8_t *b, unsigned size, bool big_endian)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)b[big_endian ? size - 1 - i : i] << (8 * i);
    }
    return v;
}

static void val_to_bytes(uint8_t *b, uint64_t v, unsigned size,
                         bool big_endian)
{
    for (unsigned i = 0; i < size; i++) {
        b[big_endian ? size - 1 - i : i] = v >> (8 * i);
    }
}

static bool access_size_is_valid(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* --- IO regions --- */

/*
 * Calls the device for [addr, addr + size) in sizes it implements, when
 * that takes more than one call; bytes are in memory order.  Called with
 * whatever lock the region needs.
 */
static void io_access_split(MemoryRegion *mr, hwaddr addr, unsigned size,
                            uint8_t *bytes, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    bool dev_be = ops->endianness == DEVICE_BIG_ENDIAN;
    unsigned imin = mr_ops_impl_min(ops), imax = mr_ops_impl_max(ops);
    unsigned c;
    unsigned __int128 cs, end = (unsigned __int128)addr + size;

    /* Chunks of c bytes cover the access; edges may be partly covered. */
    if (size > imax) {
        c = imax;
        cs = ops->impl.unaligned ? addr : ROUND_DOWN(addr, (hwaddr)c);
    } else {
        c = imin;
        cs = ROUND_DOWN(addr, (hwaddr)c);
    }
    for (; cs < end; cs += c) {
        uint8_t chunk[8] = { 0 };
        unsigned __int128 lo = cs > addr ? cs : addr;
        unsigned __int128 hi = cs + c < end ? cs + c : end;
        bool partial = lo > cs || hi < cs + c;

        if (!is_write || (partial && ops->read)) {
            val_to_bytes(chunk, ops->read(mr->opaque, (hwaddr)cs, c), c,
                         dev_be);
        }
        if (is_write) {
            memcpy(chunk + (lo - cs), bytes + (lo - addr), hi - lo);
            ops->write(mr->opaque, (hwaddr)cs, bytes_to_val(chunk, c, dev_be),
                       c);
        } else {
            memcpy(bytes + (lo - addr), chunk + (lo - cs), hi - lo);
        }
    }
}

/* The same for any access: one call when the device implements its size
 * (inline: the common case of every device access). */
__attribute__((hot, always_inline))
static inline void io_access_impl(MemoryRegion *mr, hwaddr addr,
                                  unsigned size, uint8_t *bytes,
                                  bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    bool dev_be = ops->endianness == DEVICE_BIG_ENDIAN;

    if (size >= mr_ops_impl_min(ops) && size <= mr_ops_impl_max(ops) &&
        (ops->impl.unaligned || IS_ALIGNED(addr, size))) {
        if (is_write) {
            ops->write(mr->opaque, addr, bytes_to_val(bytes, size, dev_be),
                       size);
        } else {
            val_to_bytes(bytes, ops->read(mr->opaque, addr, size), size,
                         dev_be);
        }
        return;
    }
    io_access_split(mr, addr, size, bytes, is_write);
}

/*
 * One guest access of size bytes at offset addr of IO region mr, checked
 * against ops->valid.  Takes the BQL around the callbacks when the region
 * needs it and the calling thread does not hold it.  Any thread, under
 * rcu_read_lock().
 */
__attribute__((hot, always_inline))
static inline MemTxResult io_access(MemoryRegion *mr, hwaddr addr,
                                    unsigned size, uint8_t *bytes,
                                    bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    bool take_bql, flush;

    /* An ioeventfd takes an exactly matching write (no BQL needed). */
    if (is_write && memory_region_ioeventfd_write(mr, addr, size, bytes)) {
        return MEMTX_OK;
    }

    if (size < mr_ops_valid_min(ops) || size > mr_ops_valid_max(ops) ||
        (!ops->valid.unaligned && !IS_ALIGNED(addr, size)) ||
        (unsigned __int128)addr + size > memory_region_size128(mr)) {
        log_guest_error("memory: invalid access size %u at %#" PRIx64
                        " in %s (%s)\n", size, addr, mr->name,
                        is_write ? "write" : "read");
        if (!is_write) {
            memset(bytes, 0, size);
        }
        return MEMTX_ERROR;
    }
    if (is_write ? !ops->write : !ops->read) {
        log_guest_error("memory: %s of %u bytes at %#" PRIx64
                        " in %s, which cannot be %s\n",
                        is_write ? "write" : "read", size, addr, mr->name,
                        is_write ? "written" : "read");
        if (!is_write) {
            memset(bytes, 0, size);
        }
        return MEMTX_ERROR;
    }

    /* Buffered writes to coalesced zones reach the device before any
     * access to a region that depends on them, or to the zone itself.
     * The drain runs under the BQL (it orders the buffer's consumers),
     * so such a region is dispatched with the BQL even when converted. */
    flush = (__atomic_load_n(&mr->flush_coalesced, __ATOMIC_RELAXED) ||
             __atomic_load_n(&mr->has_coalesced, __ATOMIC_RELAXED)) &&
            memory_coalescing_active();
    take_bql = (flush || __atomic_load_n(&mr->needs_bql, __ATOMIC_RELAXED)) &&
               !bql_locked();
    if (take_bql) {
        bql_lock(mr->bql_cause);
    }
    if (flush) {
        memory_coalesced_flush();
    }
    io_access_impl(mr, addr, size, bytes, is_write);
    if (take_bql) {
        bql_unlock();
    }
    return MEMTX_OK;
}

/* len bytes at offset addr of IO region mr, in the widest valid pieces. */
__attribute__((hot, always_inline))
static inline MemTxResult io_rw_bytes(MemoryRegion *mr, hwaddr addr,
                                      uint8_t *buf, hwaddr len,
                                      bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned vmax = mr_ops_valid_max(ops);
    MemTxResult r = MEMTX_OK;

    while (len) {
        unsigned s = vmax;

        while (s > len) {
            s >>= 1;
        }
        if (!ops->valid.unaligned) {
            while (!IS_ALIGNED(addr, s)) {
                s >>= 1;
            }
        }
        r |= io_access(mr, addr, s, buf, is_write);
        addr += s;
        buf += s;
        len -= s;
    }
    return r;
}

/* --- Region-level dispatch --- */

/* One access to region mr in memory-order bytes.  Any thread, under RCU. */
__attribute__((hot))
static MemTxResult region_access(MemoryRegion *mr, hwaddr addr,
                                 unsigned size, uint8_t *bytes,
                                 bool is_write, int depth)
{
    bool in_range = (unsigned __int128)addr + size <=
                    memory_region_size128(mr);

    switch (mr->kind) {
    case MR_IO:
        return io_access(mr, addr, size, bytes, is_write);
    case MR_RAM:
    case MR_ROM:
        if (!in_range) {
            break;
        }
        if (!is_write) {
            memcpy(bytes, mr->ram + addr, size);
        } else if (mr->kind == MR_ROM) {
            log_guest_error("memory: write of %u bytes at %#" PRIx64
                            " to ROM %s ignored\n", size, addr, mr->name);
        } else {
            memcpy(mr->ram + addr, bytes, size);
        }
        return MEMTX_OK;
    case MR_ALIAS:
        assert(depth < 64);
        if (!in_range) {
            break;
        }
        return region_access(mr->alias, addr + mr->alias_offset, size, bytes,
                             is_write, depth + 1);
    case MR_CONTAINER:
        break;
    }
    log_guest_error("memory: %s of %u bytes at %#" PRIx64
                    " not decoded by region %s\n",
                    is_write ? "write" : "read", size, addr, mr->name);
    if (!is_write) {
        memset(bytes, 0, size);
    }
    return MEMTX_DECODE_ERROR;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        unsigned size, bool big_endian,
                                        uint64_t *val, MemTxAttrs attrs)
{
    uint8_t b[8];
    MemTxResult r;

    assert(access_size_is_valid(size));
    r = region_access(mr, addr, size, b, false, 0);
    *val = bytes_to_val(b, size, big_endian);
    return r;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         unsigned size, bool big_endian,
                                         uint64_t val, MemTxAttrs attrs)
{
    uint8_t b[8];

    assert(access_size_is_valid(size));
    val_to_bytes(b, val, size, big_endian);
    return region_access(mr, addr, size, b, true, 0);
}

/* --- Address-space dispatch --- */

static void log_unassigned(AddressSpace *as, hwaddr addr, hwaddr len,
                           bool is_write)
{
    log_guest_error("memory: unassigned %s of %" PRIu64 " bytes at %#"
                    PRIx64 " in %s\n", is_write ? "write" : "read",
                    len, addr, as->name);
}

/* The body of address_space_rw(); fv is as's view, under rcu_read_lock().
 * Inline: address_space_rw() is every KVM exit's dispatch. */
__attribute__((hot, always_inline))
static inline MemTxResult flatview_rw(AddressSpace *as, FlatView *fv,
                                      hwaddr addr, uint8_t *buf, hwaddr len,
                                      bool is_write)
{
    MemTxResult r = MEMTX_OK;

    while (len) {
        FlatRange fr = flatview_find(fv, addr);
        hwaddr room_minus_1 = fr.last - addr;     /* no overflow at 2^64 */
        hwaddr l = len - 1 <= room_minus_1 ? len : room_minus_1 + 1;
        hwaddr off = fr.offset + (addr - fr.start);

        if (!fr.mr) {
            log_unassigned(as, addr, l, is_write);
            if (!is_write) {
                memset(buf, 0, l);
            }
            r |= MEMTX_DECODE_ERROR;
        } else if (mr_is_ram(fr.mr)) {
            if (!is_write) {
                memcpy(buf, fr.mr->ram + off, l);
            } else if (fr.mr->kind == MR_ROM) {
                log_guest_error("memory: write of %" PRIu64 " bytes at %#"
                                PRIx64 " to ROM %s ignored\n", l, addr,
                                fr.mr->name);
            } else {
                memcpy(fr.mr->ram + off, buf, l);
            }
        } else {
            r |= io_rw_bytes(fr.mr, off, buf, l, is_write);
        }
        addr += l;
        buf += l;
        len -= l;
    }
    return r;
}

/* Any thread registered with RCU. */
__attribute__((hot))
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    MemTxResult r;

    rcu_read_lock();
    r = flatview_rw(as, rcu_load(&as->current_map), addr, buf, len,
                    is_write);
    rcu_read_unlock();
    return r;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, void *buf, hwaddr len)
{
    return address_space_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                MemTxAttrs attrs, const void *buf, hwaddr len)
{
    /* flatview_rw() only reads buf when is_write. */
    return address_space_rw(as, addr, attrs, (void *)buf, len, true);
}

/*
 * One access as a CPU makes it.  If it falls in one range it is a single
 * region access (valid-size checks apply as a whole); if it straddles
 * ranges it is done byte-wise through flatview_rw().  bytes: memory order.
 */
__attribute__((hot))
static MemTxResult address_space_access(AddressSpace *as, hwaddr addr,
                                        unsigned size, uint8_t *bytes,
                                        bool is_write)
{
    FlatView *fv;
    FlatRange fr;
    MemTxResult r;

    assert(access_size_is_valid(size));
    rcu_read_lock();
    fv = rcu_load(&as->current_map);
    fr = flatview_find(fv, addr);
    if (size - 1 > fr.last - addr) {
        r = flatview_rw(as, fv, addr, bytes, size, is_write);
    } else if (!fr.mr) {
        log_unassigned(as, addr, size, is_write);
        if (!is_write) {
            memset(bytes, 0, size);
        }
        r = MEMTX_DECODE_ERROR;
    } else {
        r = region_access(fr.mr, fr.offset + (addr - fr.start), size, bytes,
                          is_write, 0);
    }
    rcu_read_unlock();
    return r;
}

__attribute__((hot))
MemTxResult address_space_read_value(AddressSpace *as, hwaddr addr,
                                     unsigned size, bool big_endian,
                                     uint64_t *val, MemTxAttrs attrs)
{
    uint8_t b[8];
    MemTxResult r = address_space_access(as, addr, size, b, false);

    *val = bytes_to_val(b, size, big_endian);
    return r;
}

__attribute__((hot))
MemTxResult address_space_write_value(AddressSpace *as, hwaddr addr,
                                      unsigned size, bool big_endian,
                                      uint64_t val, MemTxAttrs attrs)
{
    uint8_t b[8];

    assert(access_size_is_valid(size));
    val_to_bytes(b, val, size, big_endian);
    return address_space_access(as, addr, size, b, true);
}

/* --- ld/st helpers: thin wrappers; res may be NULL --- */

static uint64_t ld_value(AddressSpace *as, hwaddr addr, unsigned size,
                         bool big_endian, MemTxAttrs attrs, MemTxResult *res)
{
    uint64_t v;
    MemTxResult r = address_space_read_value(as, addr, size, big_endian, &v,
                                             attrs);

    if (res) {
        *res = r;
    }
    return v;
}

static void st_value(AddressSpace *as, hwaddr addr, unsigned size,
                     bool big_endian, uint64_t val, MemTxAttrs attrs,
                     MemTxResult *res)
{
    MemTxResult r = address_space_write_value(as, addr, size, big_endian,
                                              val, attrs);

    if (res) {
        *res = r;
    }
}

uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                           MemTxResult *res)
{
    return ld_value(as, addr, 1, false, attrs, res);
}

uint16_t address_space_lduw_le(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *res)
{
    return ld_value(as, addr, 2, false, attrs, res);
}

uint16_t address_space_lduw_be(AddressSpace *as, hwaddr addr,
                               MemTxAttrs attrs, MemTxResult *res)
{
    return ld_value(as, addr, 2, true, attrs, res);
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res)
{
    return ld_value(as, addr, 4, false, attrs, res);
}

uint32_t address_space_ldl_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res)
{
    return ld_value(as, addr, 4, true, attrs, res);
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res)
{
    return ld_value(as, addr, 8, false, attrs, res);
}

uint64_t address_space_ldq_be(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *res)
{
    return ld_value(as, addr, 8, true, attrs, res);
}

void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t val,
                       MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 1, false, val, attrs, res);
}

void address_space_stw_le(AddressSpace *as, hwaddr addr, uint16_t val,
                          MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 2, false, val, attrs, res);
}

void address_space_stw_be(AddressSpace *as, hwaddr addr, uint16_t val,
                          MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 2, true, val, attrs, res);
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 4, false, val, attrs, res);
}

void address_space_stl_be(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 4, true, val, attrs, res);
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 8, false, val, attrs, res);
}

void address_space_stq_be(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *res)
{
    st_value(as, addr, 8, true, val, attrs, res);
}
