/*
 * memory.c: the region tree, its rendering into FlatViews, and "info mtree".
 *
 * Board and device code builds a tree of MemoryRegions (see
 * include/system/memory.h) under the BQL.  Every AddressSpace has a root
 * region; after each change (or once at the end of a transaction) every
 * address space is rendered again into a FlatView: a sorted array of
 * non-overlapping ranges, each naming one terminal region (RAM, ROM or IO)
 * and the offset in it.  The view is published with rcu_publish(), so that
 * readers (vCPU threads, iothreads, the main loop) look it up lock-free under
 * rcu_read_lock(); the view it replaces is freed by rcu_call() after a grace
 * period.  Dispatch through the views is in physmem.c.
 *
 * Rendering paints regions in order of precedence and lets each one fill
 * only what is still empty.  In a region, the subregions go first, the
 * highest priority first and, at equal priority, the most recently added
 * first; a subregion's own subtree is painted completely before its next
 * sibling.  Every region is clipped to its parent's window, and an alias
 * paints its target shifted by -alias_offset and clipped to the alias's own
 * window, so an alias may point into a container.  A container paints
 * nothing itself: where none of its subregions reaches, lower-priority
 * siblings show through.  Disabled regions (and aliases of disabled regions)
 * paint nothing.
 *
 *     memory_region_transaction_begin();
 *     memory_region_del_subregion(pci, &bar->mr);
 *     memory_region_set_address(&bar->mr, new_base);
 *     memory_region_add_subregion(pci, new_base, &bar->mr);
 *     memory_region_transaction_commit();   // one render for all three
 *
 * Sizes go up to 2^64 (written UINT64_MAX) and an alias may shift a target
 * below address 0, so rendering computes with signed 128-bit integers and
 * clips to [0, 2^64).
 *
 * Locking: the tree fields (parent, subregions, enabled, addr, priority,
 * add_seq, alias_offset), the address-space list and the transaction state
 * are protected by the BQL; every mutator asserts it.  Readers only ever
 * touch a published FlatView and the immutable fields of the terminal
 * regions it names (kind, ops, opaque, ram, size, name, bql_cause) plus
 * needs_bql, which is accessed atomically.  flatview_find() and
 * memory_region_ioeventfd_write() are on the path of every device access
 * and marked hot (grouped with physmem.c's dispatch, docs/devel/kvm.md).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/memory-internal.h"

#include <sys/mman.h>

typedef __int128 Int128;                 /* signed: alias bases may be < 0 */
#define INT128_2_64 ((Int128)1 << 64)

/* Guards against alias/containment cycles, which are our (board) bugs. */
#define RENDER_MAX_DEPTH 64

struct MemoryRegionIoeventfds {
    RcuHead rcu;
    unsigned nr;
    MemoryRegionIoeventfd e[];
};

static void ioeventfds_free_rcu(RcuHead *head)
{
    g_free(container_of(head, struct MemoryRegionIoeventfds, rcu));
}

static GPtrArray *address_spaces;         /* AddressSpace *; BQL */
static unsigned transaction_depth;        /* BQL */
static bool transaction_pending;          /* BQL: something changed */
static unsigned region_add_seq;           /* BQL: source of add_seq */
static unsigned render_count;             /* written under BQL, read atomic */

static Int128 i128_min(Int128 a, Int128 b)
{
    return a < b ? a : b;
}

static Int128 i128_max(Int128 a, Int128 b)
{
    return a > b ? a : b;
}

/* --- Region life cycle --- */

void memory_region_init(MemoryRegion *mr, const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = MR_CONTAINER;
    mr->name = g_strdup(name);
    mr->size = size;
    mr->enabled = true;
    mr->needs_bql = true;
    mr->subregions = g_ptr_array_new();
}

/*
 * Host memory for RAM/ROM, aligned to 2 MiB when it is that large, and
 * advised for transparent huge pages: the host kernel can then back it
 * with huge pages, which KVM maps with huge nested-page-table entries
 * (one nested fault per 2 MiB instead of per 4 KiB on first touch, and
 * shorter page walks after each exit), and TCG's host accesses miss the
 * host TLB less.  The slack around the aligned part is unmapped, so the
 * region owns exactly [ram, ram + size).
 */
#define RAM_HUGE_ALIGN (2ull << 20)

static bool region_alloc_host(MemoryRegion *mr, const char *what,
                              Error **errp)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t len = ROUND_UP(mr->size, page);
    bool huge = mr->size >= RAM_HUGE_ALIGN;
    uint64_t map_len = huge ? len + RAM_HUGE_ALIGN : len;
    uint8_t *p, *start;

    if (mr->size == 0) {
        return true;
    }
    if (map_len < len) {
        huge = false;             /* would wrap: a plain mapping fails */
        map_len = len;
    }
    p = len < mr->size ? MAP_FAILED :
        mmap(NULL, map_len, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        if (len < mr->size) {
            errno = ENOMEM;
        }
        error_setg_errno(errp, errno,
                         "cannot allocate %" PRIu64 " bytes of %s for '%s'",
                         mr->size, what, mr->name);
        return false;
    }
    start = p;
    if (huge) {
        start = (uint8_t *)ROUND_UP((uintptr_t)p, RAM_HUGE_ALIGN);
        if (start > p) {
            munmap(p, start - p);
        }
        if (p + map_len > start + len) {
            munmap(start + len, (p + map_len) - (start + len));
        }
        /* Advice only: without THP support it fails, harmlessly. */
        madvise(start, len, MADV_HUGEPAGE);
    }
    mr->ram = start;
    mr->ram_owned = true;
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size,
                            Error **errp)
{
    memory_region_init(mr, name, size);
    mr->kind = MR_RAM;
    if (!region_alloc_host(mr, "RAM", errp)) {
        memory_region_finalize(mr);
        return false;
    }
    return true;
}

bool memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size,
                            Error **errp)
{
    memory_region_init(mr, name, size);
    mr->kind = MR_ROM;
    if (!region_alloc_host(mr, "ROM", errp)) {
        memory_region_finalize(mr);
        return false;
    }
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, const char *name,
                                uint64_t size, void *ptr)
{
    memory_region_init(mr, name, size);
    mr->kind = MR_RAM;
    mr->ram = ptr;
}

/* A power of two no larger than 8, or 0 for "default". */
static bool access_size_ok(unsigned s)
{
    return s == 0 || s == 1 || s == 2 || s == 4 || s == 8;
}

void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    char *cause;

    assert(ops);
    assert(access_size_ok(ops->valid.min_access_size));
    assert(access_size_ok(ops->valid.max_access_size));
    assert(access_size_ok(ops->impl.min_access_size));
    assert(access_size_ok(ops->impl.max_access_size));
    assert(mr_ops_valid_min(ops) <= mr_ops_valid_max(ops));
    assert(mr_ops_impl_min(ops) <= mr_ops_impl_max(ops));
    memory_region_init(mr, name, size);
    mr->kind = MR_IO;
    mr->ops = ops;
    mr->opaque = opaque;
    cause = g_strdup_printf("mmio:%s", name);
    mr->bql_cause = bql_stat(cause);
    g_free(cause);
}

void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, hwaddr offset,
                              uint64_t size)
{
    assert(orig && orig != mr);
    memory_region_init(mr, name, size);
    mr->kind = MR_ALIAS;
    mr->alias = orig;
    mr->alias_offset = offset;
}

/* What finalize frees, once readers that may still see it are gone. */
typedef struct RegionRemains {
    RcuHead rcu;
    void *ram;                 /* munmap()ed if not NULL */
    size_t ram_size;
    char *name;
} RegionRemains;

static void region_remains_free(RcuHead *head)
{
    RegionRemains *r = container_of(head, RegionRemains, rcu);

    if (r->ram) {
        munmap(r->ram, r->ram_size);
    }
    g_free(r->name);
    g_free(r);
}

/*
 * The host memory and the name are released after a grace period, because a
 * reader may still be using a FlatView that named this region ("a region's
 * memory stays valid for a grace period after it is removed").  The
 * MemoryRegion struct itself belongs to the caller.  BQL (or single thread).
 */
void memory_region_finalize(MemoryRegion *mr)
{
    RegionRemains *r = g_new0(RegionRemains, 1);

    assert(!mr->parent);
    if (address_spaces) {
        for (unsigned i = 0; i < address_spaces->len; i++) {
            AddressSpace *as = g_ptr_array_index(address_spaces, i);

            assert(as->root != mr);
        }
    }
    /* Children become unparented; the container was not visible anyway. */
    for (unsigned i = 0; i < mr->subregions->len; i++) {
        MemoryRegion *sub = g_ptr_array_index(mr->subregions, i);

        sub->parent = NULL;
    }
    g_ptr_array_free(mr->subregions, true);
    mr->subregions = NULL;
    if (mr->ram_owned) {
        r->ram = mr->ram;
        r->ram_size = mr->size;
    }
    r->name = mr->name;
    rcu_call(&r->rcu, region_remains_free);
    if (mr->ioeventfds) {
        rcu_call(&mr->ioeventfds->rcu, ioeventfds_free_rcu);
        mr->ioeventfds = NULL;
    }
    if (mr->coalesced) {
        g_array_free(mr->coalesced, true);
        mr->coalesced = NULL;
    }
}

/* --- Transactions and re-rendering --- */

static void address_space_render(AddressSpace *as);

static void memory_render_all(void)
{
    __atomic_fetch_add(&render_count, 1, __ATOMIC_RELAXED);
    if (!address_spaces) {
        return;
    }
    for (unsigned i = 0; i < address_spaces->len; i++) {
        address_space_render(g_ptr_array_index(address_spaces, i));
    }
}

/* Called with the BQL held. */
void memory_region_transaction_begin(void)
{
    assert(bql_locked());
    transaction_depth++;
}

/* Called with the BQL held. */
void memory_region_transaction_commit(void)
{
    assert(bql_locked());
    assert(transaction_depth > 0);
    if (transaction_depth == 1 && transaction_pending) {
        /* Buffered writes go out through the map they were made in.
         * Still inside the transaction: map changes the replayed writes
         * make join this render. */
        memory_coalesced_flush();
    }
    if (--transaction_depth == 0 && transaction_pending) {
        transaction_pending = false;
        memory_render_all();
    }
}

/* Records a map change; renders now unless a transaction is open.  BQL. */
static void memory_region_changed(void)
{
    memory_region_transaction_begin();
    transaction_pending = true;
    memory_region_transaction_commit();
}

/* Any thread. */
unsigned memory_render_count(void)
{
    return __atomic_load_n(&render_count, __ATOMIC_RELAXED);
}

/* --- Mutators: all called with the BQL held --- */

void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *sub, int priority)
{
    assert(bql_locked());
    assert(parent->kind != MR_ALIAS);
    assert(!sub->parent);
    assert(sub != parent);
    sub->parent = parent;
    sub->addr = offset;
    sub->priority = priority;
    sub->add_seq = ++region_add_seq;
    g_ptr_array_add(parent->subregions, sub);
    memory_region_changed();
}

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *sub)
{
    memory_region_add_subregion_overlap(parent, offset, sub, 0);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub)
{
    bool found;

    assert(bql_locked());
    assert(sub->parent == parent);
    found = g_ptr_array_remove(parent->subregions, sub);
    assert(found);
    sub->parent = NULL;
    memory_region_changed();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    assert(bql_locked());
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_region_changed();
}

/* Moves mr within its parent; it keeps its priority and insertion rank. */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    assert(bql_locked());
    if (mr->addr == addr) {
        return;
    }
    mr->addr = addr;
    memory_region_changed();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    assert(bql_locked());
    assert(mr->kind == MR_ALIAS);
    if (mr->alias_offset == offset) {
        return;
    }
    mr->alias_offset = offset;
    memory_region_changed();
}

/*
 * Set before the region is mapped (normally right after init).  The store is
 * atomic because dispatchers on other threads load the flag.
 */
void memory_region_set_needs_bql(MemoryRegion *mr, bool needs_bql)
{
    __atomic_store_n(&mr->needs_bql, needs_bql, __ATOMIC_RELAXED);
}

/* --- Accessors: any thread for the immutable fields --- */

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr_is_ram(mr);
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return mr->kind == MR_ROM;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    assert(memory_region_is_ram(mr));
    return mr->ram;
}

/* --- Rendering --- */

typedef struct FlatBuilder {
    GArray *ranges;            /* FlatRange, sorted, disjoint */
} FlatBuilder;

/*
 * Paints [start, end) with mr (offset_at_start is mr's offset at start),
 * filling only the holes left by regions painted before.
 * 0 <= start < end <= 2^64.
 */
static void flat_paint(FlatBuilder *b, MemoryRegion *mr, Int128 start,
                       Int128 end, hwaddr offset_at_start)
{
    GArray *a = b->ranges;
    unsigned lo = 0, hi = a->len, i;
    Int128 cur = start;

    /* First range that ends at or after start. */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;

        if ((Int128)g_array_index(a, FlatRange, mid).last < start) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    i = lo;
    while (cur < end) {
        Int128 hole_end;
        FlatRange fr;

        if (i < a->len && (Int128)g_array_index(a, FlatRange, i).start <= cur) {
            cur = (Int128)g_array_index(a, FlatRange, i).last + 1;
            i++;
            continue;
        }
        hole_end = end;
        if (i < a->len) {
            hole_end = i128_min(end, g_array_index(a, FlatRange, i).start);
        }
        fr.mr = mr;
        fr.start = (hwaddr)cur;
        fr.last = (hwaddr)(hole_end - 1);
        fr.offset = offset_at_start + (hwaddr)(cur - start);
        g_array_insert_val(a, i, fr);
        i++;
        cur = hole_end;
    }
}

static int subregion_precedence_cmp(const void *pa, const void *pb)
{
    const MemoryRegion *a = *(MemoryRegion *const *)pa;
    const MemoryRegion *b = *(MemoryRegion *const *)pb;

    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    if (a->add_seq != b->add_seq) {
        return a->add_seq > b->add_seq ? -1 : 1;
    }
    return 0;
}

/* mr's subregions, highest precedence first; g_free() the result.  BQL. */
static MemoryRegion **subregions_by_precedence(const MemoryRegion *mr)
{
    unsigned n = mr->subregions->len;
    MemoryRegion **v = g_new(MemoryRegion *, n + 1);

    memcpy(v, mr->subregions->pdata, n * sizeof(*v));
    v[n] = NULL;
    qsort(v, n, sizeof(*v), subregion_precedence_cmp);
    return v;
}

/*
 * Paints mr, whose offset 0 is at address base, clipped to
 * [clip_start, clip_end).
 */
static void render_region(FlatBuilder *b, MemoryRegion *mr, Int128 base,
                          Int128 clip_start, Int128 clip_end, int depth)
{
    Int128 start, end;

    assert(depth < RENDER_MAX_DEPTH);
    if (!mr->enabled) {
        return;
    }
    start = i128_max(base, clip_start);
    end = i128_min(base + (Int128)memory_region_size128(mr), clip_end);
    if (start >= end) {
        return;
    }
    if (mr->kind == MR_ALIAS) {
        render_region(b, mr->alias, base - (Int128)mr->alias_offset,
                      start, end, depth + 1);
        return;
    }
    if (mr->subregions->len) {
        MemoryRegion **subs = subregions_by_precedence(mr);

        for (MemoryRegion **p = subs; *p; p++) {
            render_region(b, *p, base + (Int128)(*p)->addr, start, end,
                          depth + 1);
        }
        g_free(subs);
    }
    if (mr->kind != MR_CONTAINER) {
        flat_paint(b, mr, start, end, (hwaddr)(start - base));
    }
}

/* Joins neighbours that continue the same region at contiguous offsets. */
static void flat_merge(GArray *a)
{
    unsigned out = 0;

    for (unsigned i = 0; i < a->len; i++) {
        FlatRange *cur = &g_array_index(a, FlatRange, i);

        if (out > 0) {
            FlatRange *prev = &g_array_index(a, FlatRange, out - 1);

            if (prev->mr == cur->mr && prev->last + 1 == cur->start &&
                prev->offset + (cur->start - prev->start) == cur->offset) {
                prev->last = cur->last;
                continue;
            }
        }
        g_array_index(a, FlatRange, out++) = *cur;
    }
    g_array_set_size(a, out);
}

static FlatView *flatview_render(MemoryRegion *root)
{
    FlatBuilder b = { .ranges = g_array_new(false, false, sizeof(FlatRange)) };
    FlatView *fv;

    render_region(&b, root, 0, 0, INT128_2_64, 0);
    flat_merge(b.ranges);
    /* One block: a lookup touches as few pages as possible. */
    fv = g_malloc0(sizeof(*fv) + b.ranges->len * sizeof(FlatRange));
    fv->nr = b.ranges->len;
    if (fv->nr) {               /* an empty GArray's data is NULL */
        memcpy(fv->ranges, b.ranges->data, fv->nr * sizeof(FlatRange));
    }
    g_array_free(b.ranges, true);
    return fv;
}

static void flatview_free_rcu(RcuHead *head)
{
    g_free(container_of(head, FlatView, rcu));
}

/* Replaces as's view; the old one is freed after a grace period.  BQL. */
static void address_space_publish(AddressSpace *as, FlatView *fv)
{
    FlatView *old = as->current_map;

    rcu_publish(&as->current_map, fv);
    if (old) {
        rcu_call(&old->rcu, flatview_free_rcu);
    }
}

static MemoryRegionSection section_from_range(const FlatRange *fr);

/* Registered listeners (MemoryListener *); BQL. */
static GPtrArray *memory_listeners;

static bool flat_range_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->start == b->start && a->last == b->last &&
           a->offset == b->offset;
}

/* Is fr one of fv's ranges?  fv's ranges are sorted by start. */
static bool flatview_has_range(const FlatView *fv, const FlatRange *fr)
{
    unsigned lo = 0, hi = fv ? fv->nr : 0;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;

        if (fv->ranges[mid].start < fr->start) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return fv && lo < fv->nr && flat_range_equal(&fv->ranges[lo], fr);
}

/* Calls fn (eventfd_add or eventfd_del) of every listener for each
 * ioeventfd of the range's region that lies inside the range.  BQL. */
static void listener_range_eventfds(MemoryListener *l, const FlatRange *fr,
                                    bool add, const MemoryRegionIoeventfd *only)
{
    struct MemoryRegionIoeventfds *list = fr->mr->ioeventfds;
    MemoryListenerEventfdFn *fn = add ? l->eventfd_add : l->eventfd_del;
    MemoryRegionSection s = section_from_range(fr);

    if (!fn) {
        return;
    }
    for (unsigned i = 0; list && i < list->nr; i++) {
        const MemoryRegionIoeventfd *e = only ? only : &list->e[i];

        if (e->addr >= fr->offset &&
            e->addr + e->size - 1 <= fr->offset + (fr->last - fr->start)) {
            fn(l, &s, fr->start + (e->addr - fr->offset), e);
        }
        if (only) {
            break;
        }
    }
}

/* An ioeventfd of mr appeared or goes away: tell every listener whose
 * address space maps mr.  BQL. */
static void memory_eventfd_notify(MemoryRegion *mr,
                                  const MemoryRegionIoeventfd *e, bool add)
{
    for (unsigned i = 0; memory_listeners && i < memory_listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(memory_listeners, i);
        FlatView *fv = l->as ? l->as->current_map : NULL;

        for (unsigned j = 0; fv && j < fv->nr; j++) {
            if (fv->ranges[j].mr == mr) {
                listener_range_eventfds(l, &fv->ranges[j], add, e);
            }
        }
    }
}

static void memory_region_set_eventfds(MemoryRegion *mr,
                                       struct MemoryRegionIoeventfds *n)
{
    struct MemoryRegionIoeventfds *old = mr->ioeventfds;

    rcu_publish(&mr->ioeventfds, n);
    if (old) {
        rcu_call(&old->rcu, ioeventfds_free_rcu);
    }
}

/* Called with the BQL held. */
void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd)
{
    struct MemoryRegionIoeventfds *old = mr->ioeventfds, *n;
    unsigned nr = old ? old->nr : 0;
    MemoryRegionIoeventfd e = { addr, size, match_data, data, fd };

    assert(bql_locked());
    assert(mr->kind == MR_IO && size >= 1 && size <= 8);
    n = g_malloc0(sizeof(*n) + (nr + 1) * sizeof(n->e[0]));
    if (old) {
        memcpy(n->e, old->e, nr * sizeof(n->e[0]));
    }
    n->e[nr] = e;
    n->nr = nr + 1;
    memory_region_set_eventfds(mr, n);
    memory_eventfd_notify(mr, &n->e[nr], true);
}

/* Called with the BQL held. */
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd)
{
    struct MemoryRegionIoeventfds *old = mr->ioeventfds, *n;

    assert(bql_locked());
    for (unsigned i = 0; old && i < old->nr; i++) {
        MemoryRegionIoeventfd *e = &old->e[i];

        if (e->addr == addr && e->size == size &&
            e->match_data == match_data && e->fd == fd &&
            (!match_data || e->data == data)) {
            memory_eventfd_notify(mr, e, false);
            n = g_malloc0(sizeof(*n) + old->nr * sizeof(n->e[0]));
            memcpy(n->e, old->e, i * sizeof(n->e[0]));
            memcpy(n->e + i, old->e + i + 1,
                   (old->nr - i - 1) * sizeof(n->e[0]));
            n->nr = old->nr - 1;
            memory_region_set_eventfds(mr, n);
            return;
        }
    }
}

/* The dispatcher's half: true if a write of size bytes at addr in mr went
 * to an ioeventfd.  Under rcu_read_lock(); any thread. */
__attribute__((hot))
bool memory_region_ioeventfd_write(MemoryRegion *mr, hwaddr addr,
                                   unsigned size, const uint8_t *bytes)
{
    struct MemoryRegionIoeventfds *list = rcu_load(&mr->ioeventfds);
    uint64_t val = 0;

    if (!list) {
        return false;
    }
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)bytes[i] << (8 * i);
    }
    for (unsigned i = 0; i < list->nr; i++) {
        const MemoryRegionIoeventfd *e = &list->e[i];
        uint64_t one = 1;

        if (e->addr == addr && e->size == size &&
            (!e->match_data || e->data == val)) {
            if (write(e->fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
                log_guest_error("memory: ioeventfd write failed: %s\n",
                                strerror(errno));
            }
            return true;
        }
    }
    return false;
}

/* --- Coalesced MMIO/PIO --- */

/* The accelerator's drain; set before vCPUs run, then read-only. */
static MemoryCoalescedFlushFn *coalesced_flush_fn;

/* Calls coalesced_add or coalesced_del of l for the part of each of the
 * range's region's zones (or only *only) that lies inside the range.
 * BQL. */
static void listener_range_coalesced(MemoryListener *l, const FlatRange *fr,
                                     bool add,
                                     const MemoryRegionCoalesced *only)
{
    MemoryListenerCoalescedFn *fn = add ? l->coalesced_add
                                        : l->coalesced_del;
    GArray *zones = fr->mr->coalesced;
    MemoryRegionSection s;
    hwaddr r_first = fr->offset, r_last = fr->offset + (fr->last - fr->start);

    if (!fn || (!zones && !only)) {
        return;
    }
    s = section_from_range(fr);
    for (unsigned i = 0; only ? i < 1 : i < zones->len; i++) {
        const MemoryRegionCoalesced *z =
            only ? only : &g_array_index(zones, MemoryRegionCoalesced, i);
        hwaddr z_last = z->addr + (z->size - 1);
        hwaddr first = MAX(z->addr, r_first), last = MIN(z_last, r_last);

        if (first <= last) {
            fn(l, &s, fr->start + (first - fr->offset), last - first + 1);
        }
    }
}

/* A zone of mr appeared or goes away: tell every listener whose address
 * space maps mr.  BQL. */
static void memory_coalesced_notify(MemoryRegion *mr,
                                    const MemoryRegionCoalesced *z, bool add)
{
    for (unsigned i = 0; memory_listeners && i < memory_listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(memory_listeners, i);
        FlatView *fv = l->as ? l->as->current_map : NULL;

        for (unsigned j = 0; fv && j < fv->nr; j++) {
            if (fv->ranges[j].mr == mr) {
                listener_range_coalesced(l, &fv->ranges[j], add, z);
            }
        }
    }
}

/* Called with the BQL held. */
void memory_region_add_coalescing(MemoryRegion *mr, hwaddr offset,
                                  uint64_t size)
{
    MemoryRegionCoalesced z = { offset, size };

    assert(bql_locked());
    assert(mr->kind == MR_IO && size > 0);
    assert((unsigned __int128)offset + size <= memory_region_size128(mr));
    if (!mr->coalesced) {
        mr->coalesced = g_array_new(false, false, sizeof(z));
    }
    g_array_append_val(mr->coalesced, z);
    __atomic_store_n(&mr->has_coalesced, true, __ATOMIC_RELAXED);
    memory_coalesced_notify(mr, &z, true);
}

/* Called with the BQL held. */
void memory_region_set_coalescing(MemoryRegion *mr)
{
    memory_region_add_coalescing(mr, 0, mr->size);
}

/* Called with the BQL held.  Drains first: writes buffered for the zones
 * reach the device before it stops being coalesced. */
void memory_region_clear_coalescing(MemoryRegion *mr)
{
    assert(bql_locked());
    if (!mr->coalesced) {
        return;
    }
    memory_coalesced_flush();
    for (unsigned i = 0; i < mr->coalesced->len; i++) {
        memory_coalesced_notify(
            mr, &g_array_index(mr->coalesced, MemoryRegionCoalesced, i),
            false);
    }
    g_array_free(mr->coalesced, true);
    mr->coalesced = NULL;
    __atomic_store_n(&mr->has_coalesced, false, __ATOMIC_RELAXED);
}

/* Called with the BQL held. */
void memory_region_set_flush_coalesced(MemoryRegion *mr)
{
    assert(bql_locked());
    __atomic_store_n(&mr->flush_coalesced, true, __ATOMIC_RELAXED);
}

/* Called with the BQL held. */
void memory_region_clear_flush_coalesced(MemoryRegion *mr)
{
    assert(bql_locked());
    __atomic_store_n(&mr->flush_coalesced, false, __ATOMIC_RELAXED);
}

/* Main thread, before vCPUs run (accelerator start-up), or tests. */
void memory_set_coalesced_flush(MemoryCoalescedFlushFn *fn)
{
    __atomic_store_n(&coalesced_flush_fn, fn, __ATOMIC_RELEASE);
}

/* Called with the BQL held. */
void memory_coalesced_flush(void)
{
    MemoryCoalescedFlushFn *fn = __atomic_load_n(&coalesced_flush_fn,
                                                 __ATOMIC_ACQUIRE);

    if (fn) {
        assert(bql_locked());
        fn();
    }
}

/* Any thread. */
bool memory_coalescing_active(void)
{
    return __atomic_load_n(&coalesced_flush_fn, __ATOMIC_ACQUIRE) != NULL;
}

/* Tells as's listeners what changed between old and new.  BQL. */
static void memory_listeners_notify(AddressSpace *as, const FlatView *old,
                                    const FlatView *new)
{
    if (!memory_listeners) {
        return;
    }
    for (unsigned i = 0; i < memory_listeners->len; i++) {
        MemoryListener *l = g_ptr_array_index(memory_listeners, i);

        if (l->as != as) {
            continue;
        }
        for (unsigned j = 0; old && j < old->nr; j++) {
            if (!flatview_has_range(new, &old->ranges[j])) {
                MemoryRegionSection s = section_from_range(&old->ranges[j]);

                listener_range_eventfds(l, &old->ranges[j], false, NULL);
                listener_range_coalesced(l, &old->ranges[j], false, NULL);
                if (l->region_del) {
                    l->region_del(l, &s);
                }
            }
        }
        for (unsigned j = 0; new && j < new->nr; j++) {
            if (!flatview_has_range(old, &new->ranges[j])) {
                MemoryRegionSection s = section_from_range(&new->ranges[j]);

                if (l->region_add) {
                    l->region_add(l, &s);
                }
                listener_range_coalesced(l, &new->ranges[j], true, NULL);
                listener_range_eventfds(l, &new->ranges[j], true, NULL);
            }
        }
    }
}

static void address_space_render(AddressSpace *as)
{
    FlatView *old = as->current_map;
    FlatView *fv = flatview_render(as->root);

    /* Before publishing: old is only freed after that. */
    memory_listeners_notify(as, old, fv);
    address_space_publish(as, fv);
}

/* Called with the BQL held. */
void memory_listener_register(MemoryListener *l, AddressSpace *as)
{
    assert(bql_locked());
    if (!memory_listeners) {
        memory_listeners = g_ptr_array_new();
    }
    l->as = as;
    g_ptr_array_add(memory_listeners, l);
    for (unsigned j = 0; as->current_map && j < as->current_map->nr; j++) {
        MemoryRegionSection s = section_from_range(&as->current_map->ranges[j]);

        if (l->region_add) {
            l->region_add(l, &s);
        }
        listener_range_coalesced(l, &as->current_map->ranges[j], true, NULL);
        listener_range_eventfds(l, &as->current_map->ranges[j], true, NULL);
    }
}

/* Called with the BQL held. */
void memory_listener_unregister(MemoryListener *l)
{
    assert(bql_locked());
    if (memory_listeners) {
        g_ptr_array_remove(memory_listeners, l);
    }
    l->as = NULL;
}

/* --- Lookup: any thread, under rcu_read_lock() --- */

/*
 * A section's size saturates at UINT64_MAX, which (as for region sizes)
 * means 2^64 when it is the whole space starting at 0.
 */
static MemoryRegionSection section_from_range(const FlatRange *fr)
{
    MemoryRegionSection s = {
        .mr = fr->mr,
        .addr = fr->start,
        .size = fr->last - fr->start + 1,
        .offset_in_region = fr->offset,
    };

    if (fr->start == 0 && fr->last == UINT64_MAX) {
        s.size = UINT64_MAX;
    }
    return s;
}

MemoryRegionSection flatview_lookup(FlatView *fv, hwaddr addr)
{
    FlatRange fr = flatview_find(fv, addr);

    return section_from_range(&fr);
}

unsigned flatview_nr_ranges(FlatView *fv)
{
    return fv ? fv->nr : 0;
}

MemoryRegionSection flatview_range(FlatView *fv, unsigned i)
{
    assert(fv && i < fv->nr);
    return section_from_range(&fv->ranges[i]);
}

/* --- Address spaces --- */

/* The setup shared by address_space_init() and the static spaces. */
void address_space_setup(AddressSpace *as, MemoryRegion *root,
                         const char *name)
{
    as->name = g_strdup(name);
    as->root = root;
    as->current_map = NULL;
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(address_spaces, as);
    address_space_render(as);
}

/* Called with the BQL held. */
void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    assert(bql_locked());
    address_space_setup(as, root, name);
}

/* Called with the BQL held; no reader may start using as afterwards. */
void address_space_destroy(AddressSpace *as)
{
    bool found;

    assert(bql_locked());
    found = g_ptr_array_remove(address_spaces, as);
    assert(found);
    address_space_publish(as, NULL);
    g_free(as->name);
    as->name = NULL;
    as->root = NULL;
}

/* --- info mtree --- */

static const char *region_kind_name(const MemoryRegion *mr)
{
    switch (mr->kind) {
    case MR_CONTAINER:
        return "container";
    case MR_RAM:
        return "ram";
    case MR_ROM:
        return "rom";
    case MR_IO:
        return "io";
    case MR_ALIAS:
        return "alias";
    }
    return "?";
}

/* Last byte of a region placed at base (truncated to 64 bits for display). */
static hwaddr dump_last(hwaddr base, const MemoryRegion *mr)
{
    if (mr->size == 0) {
        return base;
    }
    return (hwaddr)((Int128)base + (Int128)memory_region_size128(mr) - 1);
}

static void dump_region(FILE *f, MemoryRegion *mr, hwaddr base, int indent,
                        GPtrArray *alias_targets)
{
    fprintf(f, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s)%s: %s",
            indent, "", base, dump_last(base, mr), mr->priority,
            region_kind_name(mr), mr->enabled ? "" : " [disabled]", mr->name);
    if (mr->kind == MR_ALIAS) {
        fprintf(f, " @%s %016" PRIx64 "-%016" PRIx64, mr->alias->name,
                mr->alias_offset, dump_last(mr->alias_offset, mr));
        if (mr->alias->subregions && mr->alias->subregions->len &&
            !g_ptr_array_find(alias_targets, mr->alias, NULL)) {
            g_ptr_array_add(alias_targets, mr->alias);
        }
    }
    fputc('\n', f);
    if (mr->subregions && mr->subregions->len) {
        MemoryRegion **subs = subregions_by_precedence(mr);

        for (MemoryRegion **p = subs; *p; p++) {
            dump_region(f, *p, base + (*p)->addr, indent + 2, alias_targets);
        }
        g_free(subs);
    }
}

static void dump_flat(FILE *f, AddressSpace *as)
{
    FlatView *fv;

    fprintf(f, "FlatView for address-space: %s\n", as->name);
    rcu_read_lock();
    fv = rcu_load(&as->current_map);
    if (!fv || fv->nr == 0) {
        fprintf(f, "  No rendered FlatView\n");
    }
    for (unsigned i = 0; fv && i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];

        fprintf(f, "  %016" PRIx64 "-%016" PRIx64 " (%s): %s",
                fr->start, fr->last, region_kind_name(fr->mr), fr->mr->name);
        if (fr->offset) {
            fprintf(f, " @%016" PRIx64, fr->offset);
        }
        fputc('\n', f);
    }
    rcu_read_unlock();
}

/*
 * The tree as "address-space: NAME" plus one indented line per region, then
 * every container reached only through an alias as "memory-region: NAME";
 * or, with flat, the ranges of the current FlatView.  Called with the BQL
 * held (the tree is read); the calling thread must be registered with RCU.
 */
void memory_tree_dump(FILE *f, AddressSpace *as, bool flat)
{
    GPtrArray *targets;

    if (flat) {
        dump_flat(f, as);
        return;
    }
    assert(bql_locked());
    targets = g_ptr_array_new();
    fprintf(f, "address-space: %s\n", as->name);
    dump_region(f, as->root, 0, 2, targets);
    /* Printing a target may find further targets: the array grows. */
    for (unsigned i = 0; i < targets->len; i++) {
        MemoryRegion *t = g_ptr_array_index(targets, i);

        if (t == as->root) {
            continue;
        }
        fprintf(f, "\nmemory-region: %s\n", t->name);
        dump_region(f, t, 0, 2, targets);
    }
    g_ptr_array_free(targets, true);
}
