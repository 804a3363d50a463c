/*
 * kvm-coalesced.c: coalesced MMIO and PIO under KVM.
 *
 * A device marks registers whose writes can wait (the RTC's index port) as
 * coalesced zones of its region, and the registers that must see them
 * first as "flush coalesced" (include/system/memory.h).  Under KVM the
 * memory listeners of kvm-all.c hand each zone, at its guest address, to
 * the kernel (KVM_REGISTER_COALESCED_MMIO; port zones with .pio = 1 when
 * the kernel has KVM_CAP_COALESCED_PIO, else they stay ordinary exits).  A
 * guest write to a zone is then appended to a ring and the guest resumes
 * without an exit:
 *
 *   kernel (producer, any vCPU)        us (consumer, kvm_coalesced_flush)
 *   ring->coalesced_mmio[last] = w     while first != last:
 *   last = (last + 1) % slots            copy entry[first]
 *                                        first = (first + 1) % slots
 *                                        replay the copy
 *
 * When the ring is full the write exits like any other, and the dispatcher
 * flushes before handling it (the zone's region counts as flushing), so
 * the device still sees the writes in guest order.
 *
 * The ring is one page per VM, at page KVM_CAP_COALESCED_MMIO of every
 * vCPU's mmap; the first vCPU maps that page on its own (the mapping
 * outlives the vCPUs).  Its indices are shared with the kernel, so they
 * are read once per step and checked against the ring size every time:
 * nothing in the ring can make us access memory outside it.
 *
 * Threads and locks: the flush runs with the BQL held (memory.h's
 * contract), and the BQL is the single-consumer rule for the ring: there
 * is no other lock.  Replaying goes through address_space_write(), which
 * dispatches with the BQL already held; a replayed write that reaches a
 * flushing region calls the flush again, which returns at once
 * (coalesced.draining).  The listener callbacks run with the BQL inside
 * map changes, which flush before they render (memory.c), so a zone's
 * buffered writes reach the device through the map they were made in.
 * See docs/devel/kvm.md.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/kvm.h"
#include "accel/kvm/kvm-coalesced.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define KVM_COALESCED_PAGE 4096u

static struct {
    int ring_page;             /* KVM_CAP_COALESCED_MMIO: page offset */
    bool pio;                  /* KVM_CAP_COALESCED_PIO */
    /* BQL: mapped by the first vCPU, never unmapped */
    struct kvm_coalesced_mmio_ring *ring;
    bool draining;             /* BQL */
} coalesced;

uint32_t kvm_coalesced_ring_slots(void)
{
    return (KVM_COALESCED_PAGE - sizeof(struct kvm_coalesced_mmio_ring)) /
           sizeof(struct kvm_coalesced_mmio);
}

/* One consumer at a time (the caller's lock); the kernel may append
 * concurrently. */
int kvm_coalesced_ring_drain(struct kvm_coalesced_mmio_ring *ring,
                             uint32_t nr_slots, KvmCoalescedReplayFn *fn,
                             void *opaque)
{
    uint32_t first = __atomic_load_n(&ring->first, __ATOMIC_RELAXED);
    int n = 0;

    /* At most a ring's worth per call: vCPUs that keep writing cannot
     * hold the drain (and the BQL) forever.  What they append after the
     * call began is not ordered before the caller's access anyway. */
    for (uint32_t budget = nr_slots; budget > 0; budget--) {
        /* Acquire: the entry's contents are visible once last says so. */
        uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
        struct kvm_coalesced_mmio *m;
        KvmCoalescedEntry e;

        if (first >= nr_slots || last >= nr_slots) {
            log_guest_error("kvm: coalesced ring indices out of range "
                            "(first %u, last %u, %u slots); not drained\n",
                            first, last, nr_slots);
            return -1;
        }
        if (first == last) {
            return n;
        }
        m = &ring->coalesced_mmio[first];
        e.addr = __atomic_load_n(&m->phys_addr, __ATOMIC_RELAXED);
        e.len = __atomic_load_n(&m->len, __ATOMIC_RELAXED);
        e.pio = __atomic_load_n(&m->pio, __ATOMIC_RELAXED) != 0;
        memcpy(e.data, m->data, sizeof(e.data));
        /* The slot is ours until first moves past it: copy, then free
         * it (release: the kernel may reuse it after seeing first). */
        first = (first + 1) % nr_slots;
        __atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
        if (e.len == 0 || e.len > sizeof(e.data)) {
            log_guest_error("kvm: coalesced write of %u bytes at %#" PRIx64
                            " dropped\n", e.len, e.addr);
            continue;
        }
        fn(opaque, &e);
        n++;
    }
    return n;
}

/* Replays one buffered write.  BQL. */
static void kvm_coalesced_replay(void *opaque, const KvmCoalescedEntry *e)
{
    address_space_write(e->pio ? &address_space_io : &address_space_memory,
                        e->addr, MEMTXATTRS_UNSPECIFIED, e->data, e->len);
}

/* The memory API's flush hook.  Called with the BQL held. */
static void kvm_coalesced_flush(void)
{
    assert(bql_locked());
    if (!coalesced.ring || coalesced.draining) {
        return;
    }
    coalesced.draining = true;
    kvm_coalesced_ring_drain(coalesced.ring, kvm_coalesced_ring_slots(),
                             kvm_coalesced_replay, NULL);
    coalesced.draining = false;
}

static void kvm_coalesced_zone(hwaddr gpa, uint64_t size, bool pio, bool add)
{
    struct kvm_coalesced_mmio_zone z = {
        .addr = gpa, .size = size, .pio = pio,
    };
    int r;

    if (size > UINT32_MAX) {
        error_report("kvm: coalesced zone at %#" PRIx64 " too large",
                     gpa);
        return;
    }
    r = kvm_vm_ioctl(add ? KVM_REGISTER_COALESCED_MMIO
                         : KVM_UNREGISTER_COALESCED_MMIO, &z);
    if (r < 0) {
        /* Not fatal: the writes just exit one by one. */
        error_report("kvm: cannot %s coalesced %s zone at %#" PRIx64
                     " (%#" PRIx64 " bytes): %s", add ? "register" :
                     "unregister", pio ? "PIO" : "MMIO", gpa, size,
                     strerror(-r));
    }
}

static void kvm_coalesced_mem_add(MemoryListener *l,
                                  const MemoryRegionSection *s, hwaddr gpa,
                                  uint64_t size)
{
    kvm_coalesced_zone(gpa, size, false, true);
}

static void kvm_coalesced_mem_del(MemoryListener *l,
                                  const MemoryRegionSection *s, hwaddr gpa,
                                  uint64_t size)
{
    kvm_coalesced_zone(gpa, size, false, false);
}

static void kvm_coalesced_io_add(MemoryListener *l,
                                 const MemoryRegionSection *s, hwaddr gpa,
                                 uint64_t size)
{
    kvm_coalesced_zone(gpa, size, true, true);
}

static void kvm_coalesced_io_del(MemoryListener *l,
                                 const MemoryRegionSection *s, hwaddr gpa,
                                 uint64_t size)
{
    kvm_coalesced_zone(gpa, size, true, false);
}

/* Main thread, BQL, before the listeners are registered. */
void kvm_coalesced_setup(MemoryListener *mem, MemoryListener *io)
{
    int page = kvm_check_extension(KVM_CAP_COALESCED_MMIO);

    if (page <= 0) {
        return;           /* no coalescing: every write exits */
    }
    coalesced.ring_page = page;
    coalesced.pio = kvm_check_extension(KVM_CAP_COALESCED_PIO) > 0;
    mem->coalesced_add = kvm_coalesced_mem_add;
    mem->coalesced_del = kvm_coalesced_mem_del;
    if (coalesced.pio) {
        io->coalesced_add = kvm_coalesced_io_add;
        io->coalesced_del = kvm_coalesced_io_del;
    }
    memory_set_coalesced_flush(kvm_coalesced_flush);
}

/* vCPU thread, BQL. */
bool kvm_coalesced_vcpu_created(int vcpu_fd, Error **errp)
{
    void *p;

    if (coalesced.ring_page <= 0 || coalesced.ring) {
        return true;
    }
    p = mmap(NULL, KVM_COALESCED_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
             vcpu_fd, (off_t)coalesced.ring_page * KVM_COALESCED_PAGE);
    if (p == MAP_FAILED) {
        /* The zones are registered: without the ring their writes would
         * be buffered and never replayed, so no vCPU may run. */
        error_setg_errno(errp, errno, "cannot map the coalesced MMIO ring");
        return false;
    }
    coalesced.ring = p;
    return true;
}
