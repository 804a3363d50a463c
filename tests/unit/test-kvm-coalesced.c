/*
 * test-kvm-coalesced.c: the coalesced MMIO ring drain of accel/kvm
 * (kvm_coalesced_ring_drain) against a fake ring in ordinary memory, laid
 * out as the kernel's page is (struct kvm_coalesced_mmio_ring): order,
 * wrap-around, a full ring, entries the producer adds during the drain,
 * a producer that never stops, bad lengths and out-of-range indices.  The fake ring has exactly
 * NR_SLOTS slots, so under ASan a read past it fails the test.  No KVM
 * needed.
 */
#include "util/osdep.h"
#include "accel/kvm/kvm-coalesced.h"

#include <linux/kvm.h>

#define NR_SLOTS 8
#define MAX_SEEN 64

static struct kvm_coalesced_mmio_ring *ring;
static KvmCoalescedEntry seen[MAX_SEEN];
static int nr_seen;
static int produce_during_drain;   /* entries the replay callback adds */

static void ring_new(void)
{
    g_free(ring);
    ring = g_malloc0(sizeof(*ring) +
                     NR_SLOTS * sizeof(struct kvm_coalesced_mmio));
    nr_seen = 0;
    produce_during_drain = 0;
}

/* What the kernel does for one guest write. */
static void produce(uint64_t addr, uint32_t len, bool pio, uint8_t tag)
{
    struct kvm_coalesced_mmio *m = &ring->coalesced_mmio[ring->last];

    m->phys_addr = addr;
    m->len = len;
    m->pio = pio;
    memset(m->data, tag, sizeof(m->data));
    ring->last = (ring->last + 1) % NR_SLOTS;
}

static void record(void *opaque, const KvmCoalescedEntry *e)
{
    g_assert_cmpint(nr_seen, <, MAX_SEEN);
    seen[nr_seen++] = *e;
    if (produce_during_drain > 0) {
        produce_during_drain--;
        produce(0x9000 + produce_during_drain, 1, false, 0xee);
    }
}

static int drain(void)
{
    return kvm_coalesced_ring_drain(ring, NR_SLOTS, record, NULL);
}

/* Entries come out in the order they went in, with their contents. */
static void test_order(void)
{
    ring_new();
    g_assert_cmpint(drain(), ==, 0);
    produce(0x1000, 4, false, 1);
    produce(0x70, 1, true, 2);
    produce(0x2000, 8, false, 3);
    g_assert_cmpint(drain(), ==, 3);
    g_assert_cmpuint(ring->first, ==, 3);
    g_assert_cmpuint(ring->first, ==, ring->last);
    g_assert_cmphex(seen[0].addr, ==, 0x1000);
    g_assert_cmpuint(seen[0].len, ==, 4);
    g_assert_false(seen[0].pio);
    g_assert_cmpuint(seen[0].data[0], ==, 1);
    g_assert_cmphex(seen[1].addr, ==, 0x70);
    g_assert_true(seen[1].pio);
    g_assert_cmpuint(seen[1].data[0], ==, 2);
    g_assert_cmphex(seen[2].addr, ==, 0x2000);
    g_assert_cmpuint(seen[2].len, ==, 8);
    g_assert_cmpuint(seen[2].data[7], ==, 3);
    g_assert_cmpint(drain(), ==, 0);     /* empty again */
}

/* Indices wrap at the ring's size; a full ring (last one behind first)
 * drains completely, in order. */
static void test_wrap_and_full(void)
{
    ring_new();
    ring->first = ring->last = 6;
    for (int i = 0; i < 4; i++) {
        produce(0x100 + i, 1, false, i);
    }
    g_assert_cmpuint(ring->last, ==, 2);
    g_assert_cmpint(drain(), ==, 4);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(seen[i].addr, ==, 0x100 + i);
    }
    g_assert_cmpuint(ring->first, ==, 2);

    /* Full: NR_SLOTS - 1 entries (the kernel keeps one slot free). */
    ring_new();
    ring->first = ring->last = 3;
    for (int i = 0; i < NR_SLOTS - 1; i++) {
        produce(0x200 + i, 2, true, i);
    }
    g_assert_cmpuint((ring->last + 1) % NR_SLOTS, ==, ring->first);
    g_assert_cmpint(drain(), ==, NR_SLOTS - 1);
    for (int i = 0; i < NR_SLOTS - 1; i++) {
        g_assert_cmphex(seen[i].addr, ==, 0x200 + i);
    }
    g_assert_cmpuint(ring->first, ==, ring->last);
}

/* Entries appended while the drain runs (another vCPU's writes) are
 * drained too, after the older ones. */
static void test_concurrent_producer(void)
{
    ring_new();
    produce(0x10, 1, false, 0);
    produce(0x11, 1, false, 0);
    produce_during_drain = 3;
    g_assert_cmpint(drain(), ==, 5);
    g_assert_cmphex(seen[0].addr, ==, 0x10);
    g_assert_cmphex(seen[1].addr, ==, 0x11);
    g_assert_cmphex(seen[2].addr, ==, 0x9002);
    g_assert_cmphex(seen[4].addr, ==, 0x9000);
    g_assert_cmpuint(ring->first, ==, ring->last);
}

/* A producer that never stops (a guest hammering the zone from other
 * vCPUs) cannot keep the drain going: one ring's worth per call. */
static void test_bounded(void)
{
    ring_new();
    produce(0x20, 1, false, 0);
    produce_during_drain = 1000;
    g_assert_cmpint(drain(), ==, NR_SLOTS);
    g_assert_cmpint(nr_seen, ==, NR_SLOTS);
    g_assert_cmphex(seen[0].addr, ==, 0x20);
}

/* A length the data cannot hold is dropped (and consumed); the entries
 * around it still arrive. */
static void test_bad_length(void)
{
    ring_new();
    produce(0x1, 1, false, 1);
    produce(0x2, 9, false, 2);
    produce(0x3, 0, false, 3);
    produce(0x4, 0xffffffffu, false, 4);
    produce(0x5, 2, false, 5);
    g_assert_cmpint(drain(), ==, 2);
    g_assert_cmphex(seen[0].addr, ==, 0x1);
    g_assert_cmphex(seen[1].addr, ==, 0x5);
    g_assert_cmpuint(ring->first, ==, ring->last);
}

/* Out-of-range indices: nothing is read or replayed, -1, first is not
 * moved; every call checks again. */
static void test_bad_indices(void)
{
    static const uint32_t bad[][2] = {
        { NR_SLOTS, 0 }, { 0, NR_SLOTS }, { 2, 0xffffffffu },
        { 0xffffffffu, 3 }, { NR_SLOTS + 5, NR_SLOTS + 5 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ring_new();
        ring->first = bad[i][0];
        ring->last = bad[i][1];
        g_assert_cmpint(drain(), ==, -1);
        g_assert_cmpint(nr_seen, ==, 0);
        g_assert_cmpuint(ring->first, ==, bad[i][0]);
    }

    /* A producer index that goes bad in the middle of a drain. */
    ring_new();
    produce(0x1, 1, false, 1);
    produce(0x2, 1, false, 2);
    ring->last = NR_SLOTS + 1;
    g_assert_cmpint(drain(), ==, -1);
    g_assert_cmpint(nr_seen, ==, 0);
}

/* The kernel's ring is one page: the slot count matches its header. */
static void test_slots(void)
{
    g_assert_cmpuint(kvm_coalesced_ring_slots(), ==,
                     (4096 - sizeof(struct kvm_coalesced_mmio_ring)) /
                     sizeof(struct kvm_coalesced_mmio));
    g_assert_cmpuint(kvm_coalesced_ring_slots(), >, 100);
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kvm-coalesced/order", test_order);
    g_test_add_func("/kvm-coalesced/wrap-and-full", test_wrap_and_full);
    g_test_add_func("/kvm-coalesced/concurrent-producer",
                    test_concurrent_producer);
    g_test_add_func("/kvm-coalesced/bounded", test_bounded);
    g_test_add_func("/kvm-coalesced/bad-length", test_bad_length);
    g_test_add_func("/kvm-coalesced/bad-indices", test_bad_indices);
    g_test_add_func("/kvm-coalesced/slots", test_slots);
    r = g_test_run();
    g_free(ring);
    return r;
}
