/*
 * memory-internal.h: what system/memory.c shares with system/physmem.c only.
 *
 * memory.c owns the region tree and renders FlatViews; physmem.c dispatches
 * accesses through them.  The public MemoryRegionSection cannot describe a
 * range of 2^64 bytes, so the dispatcher uses FlatRange, which carries an
 * inclusive last address instead of a size.  Nothing outside system/ should
 * include this file.
 */
#ifndef SYSTEM_MEMORY_INTERNAL_H
#define SYSTEM_MEMORY_INTERNAL_H

#include "system/memory.h"

/* [start, last] maps to mr at offset (mr == NULL: unassigned gap). */
typedef struct FlatRange {
    MemoryRegion *mr;
    hwaddr start;
    hwaddr last;               /* inclusive, so [0, 2^64) is expressible */
    hwaddr offset;             /* offset in mr of start; 0 for gaps */
} FlatRange;

/* RAM or ROM: backed by host memory (memory_region_is_ram()'s test, inline
 * for the dispatcher). */
static inline bool mr_is_ram(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM || mr->kind == MR_ROM;
}

/* A rendered address space: RCU-published by memory.c, read-only. */
struct FlatView {
    RcuHead rcu;
    unsigned nr;
    FlatRange ranges[];        /* sorted by start, disjoint, all mr != NULL */
};

/*
 * The range containing addr, or the unassigned gap around it.  fv may be
 * NULL (an address space being torn down): everything is a gap.
 * Called under rcu_read_lock(); any thread.  Inline: it is on the path of
 * every device access (docs/devel/kvm.md, "The cost of an exit").
 */
static inline FlatRange flatview_find(FlatView *fv, hwaddr addr)
{
    FlatRange gap = { .mr = NULL, .start = 0, .last = UINT64_MAX };
    unsigned lo = 0, hi;

    if (!fv) {
        return gap;
    }
    /* lo = number of ranges starting at or below addr. */
    hi = fv->nr;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;

        if (fv->ranges[mid].start <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0) {
        const FlatRange *fr = &fv->ranges[lo - 1];

        if (addr <= fr->last) {
            return *fr;
        }
        gap.start = fr->last + 1;
    }
    if (lo < fv->nr) {
        gap.last = fv->ranges[lo].start - 1;
    }
    return gap;
}

/*
 * address_space_init() without the BQL assertion, for the address spaces
 * that physmem.c creates before main() runs (single-threaded).
 */
void address_space_setup(AddressSpace *as, MemoryRegion *root,
                         const char *name);

/* 2^64 for UINT64_MAX (the "whole space" convention), else size. */
static inline unsigned __int128 memory_region_size128(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? (unsigned __int128)1 << 64 : mr->size;
}

/*
 * The effective access sizes of an ops table: zero in valid means 1 / 4
 * bytes; zero in impl means "as valid".
 */
static inline unsigned mr_ops_valid_min(const MemoryRegionOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static inline unsigned mr_ops_valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static inline unsigned mr_ops_impl_min(const MemoryRegionOps *ops)
{
    unsigned m = mr_ops_valid_min(ops);

    if (ops->impl.min_access_size) {
        return ops->impl.min_access_size;
    }
    /* Defaulted to valid, but never above an explicit impl maximum. */
    if (ops->impl.max_access_size && ops->impl.max_access_size < m) {
        return ops->impl.max_access_size;
    }
    return m;
}

static inline unsigned mr_ops_impl_max(const MemoryRegionOps *ops)
{
    unsigned m = mr_ops_valid_max(ops);

    if (ops->impl.max_access_size) {
        return ops->impl.max_access_size;
    }
    /* Defaulted to valid, but never below an explicit impl minimum. */
    if (ops->impl.min_access_size > m) {
        return ops->impl.min_access_size;
    }
    return m;
}

/* True if a write went to one of mr's ioeventfds (memory.c).  Under
 * rcu_read_lock(); any thread. */
bool memory_region_ioeventfd_write(MemoryRegion *mr, hwaddr addr,
                                   unsigned size, const uint8_t *bytes);

#endif
