/*
 * kvm-coalesced.h: coalesced MMIO and PIO under KVM (kvm-coalesced.c),
 * shared between accel/kvm/ and its unit test only.
 *
 * The memory API's coalesced zones (include/system/memory.h) become
 * KVM_REGISTER_COALESCED_MMIO zones; the kernel appends guest writes to
 * them to one ring per VM, mapped into every vCPU's kvm_run area, and
 * kvm_coalesced_flush() (the memory API's flush hook) replays the ring.
 */
#ifndef ACCEL_KVM_COALESCED_H
#define ACCEL_KVM_COALESCED_H

#include "system/memory.h"

struct kvm_coalesced_mmio_ring;

/* One buffered write, copied out of the ring. */
typedef struct KvmCoalescedEntry {
    uint64_t addr;             /* guest physical address or port */
    uint32_t len;              /* 1..8 */
    bool pio;
    uint8_t data[8];           /* memory order */
} KvmCoalescedEntry;

typedef void KvmCoalescedReplayFn(void *opaque, const KvmCoalescedEntry *e);

/*
 * Replays the entries of ring (nr_slots slots; the kernel's producer index
 * is ring->last, ours ring->first) in order through fn, advancing first
 * past each entry after copying it.  The indices are checked against
 * nr_slots on every step and an entry's length against 8, so a corrupt
 * ring never makes us read or write outside it.  At most nr_slots entries
 * are taken per call (more than the ring holds at the start), so
 * producers cannot keep it going forever.  Returns the number of entries
 * replayed, or -1 when an index was out of range (the drain stops; first
 * is left alone).  Called by one consumer at a time.
 */
int kvm_coalesced_ring_drain(struct kvm_coalesced_mmio_ring *ring,
                             uint32_t nr_slots, KvmCoalescedReplayFn *fn,
                             void *opaque);

/* The number of slots of the kernel's ring page (KVM_COALESCED_MMIO_MAX). */
uint32_t kvm_coalesced_ring_slots(void);

/*
 * After KVM_CREATE_VM: checks KVM_CAP_COALESCED_MMIO/PIO, fills in the
 * listeners' coalesced_add/del and installs the flush hook.  Main thread,
 * BQL, before the listeners are registered.
 */
void kvm_coalesced_setup(MemoryListener *mem, MemoryListener *io);
/* After a vCPU's KVM_CREATE_VCPU: the first one maps the ring.  False
 * with errp if it cannot (the vCPU must not run).  BQL. */
bool kvm_coalesced_vcpu_created(int vcpu_fd, Error **errp);

#endif
