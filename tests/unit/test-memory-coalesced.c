/*
 * test-memory-coalesced.c: the memory API's coalesced-MMIO marks
 * (include/system/memory.h): the listener callbacks for coalesced zones
 * on registration, map changes, clipping by an overlapping region and
 * clearing; the dispatcher calling the accelerator's flush hook, with the
 * BQL, before an access to a flushing or coalesced region and before a
 * map change (and only then, and not at all without a hook, as under
 * TCG); a flush hook that
 * replays buffered writes through the address space before the access
 * that needs them.  The main thread holds the BQL except where a test
 * plays a vCPU thread.
 */
#include "util/osdep.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/memory.h"

#define MAX_EVENTS 32

typedef struct Event {
    char kind;                 /* 'C' coalesced add, 'c' del */
    hwaddr addr;
    uint64_t size;
} Event;

typedef struct Recorder {
    MemoryListener l;
    Event ev[MAX_EVENTS];
    int n;
} Recorder;

static void rec(MemoryListener *l, char kind, hwaddr gpa, uint64_t size)
{
    Recorder *r = container_of(l, Recorder, l);

    g_assert_cmpint(r->n, <, MAX_EVENTS);
    r->ev[r->n++] = (Event){ kind, gpa, size };
}

static void rec_co_add(MemoryListener *l, const MemoryRegionSection *s,
                       hwaddr gpa, uint64_t size)
{
    g_assert_true(bql_locked());
    g_assert_true(gpa >= s->addr && gpa + size <= s->addr + s->size);
    rec(l, 'C', gpa, size);
}

static void rec_co_del(MemoryListener *l, const MemoryRegionSection *s,
                       hwaddr gpa, uint64_t size)
{
    g_assert_true(bql_locked());
    rec(l, 'c', gpa, size);
}

static bool has_event(Recorder *r, char kind, hwaddr addr, uint64_t size)
{
    for (int i = 0; i < r->n; i++) {
        if (r->ev[i].kind == kind && r->ev[i].addr == addr &&
            r->ev[i].size == size) {
            return true;
        }
    }
    return false;
}

/* A device that logs its accesses ('W'/'R' with the offset) and whether
 * the BQL was held. */
static char trace[256];
static int trace_len;
static bool dev_saw_bql;

static void trace_add(char c)
{
    g_assert_cmpint(trace_len, <, (int)sizeof(trace) - 1);
    trace[trace_len++] = c;
    trace[trace_len] = 0;
}

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    dev_saw_bql = bql_locked();
    trace_add('R');
    trace_add('0' + addr);
    return 0;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    dev_saw_bql = bql_locked();
    trace_add('W');
    trace_add('0' + addr);
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* The fake accelerator: it logs 'F', and replays pending writes. */
static AddressSpace *flush_as;
static hwaddr pending[8];
static int nr_pending;
static bool flushing;

static void fake_flush(void)
{
    g_assert_true(bql_locked());
    trace_add('F');
    if (flushing) {
        return;                 /* a replayed write reached a flusher */
    }
    flushing = true;
    for (int i = 0; i < nr_pending; i++) {
        uint8_t b = 0;

        address_space_write(flush_as, pending[i], MEMTXATTRS_UNSPECIFIED,
                            &b, 1);
    }
    nr_pending = 0;
    flushing = false;
}

static void trace_reset(void)
{
    trace_len = 0;
    trace[0] = 0;
}

/* Zones reach listeners at their guest address: on registration, when
 * added to a mapped region, moved with it, clipped where another region
 * covers part of them, and removed when cleared or unmapped. */
static void test_listener(void)
{
    MemoryRegion root, dev, cover;
    AddressSpace as;
    Recorder r = { .l = { .coalesced_add = rec_co_add,
                          .coalesced_del = rec_co_del } };

    memory_region_init(&root, "root", UINT64_MAX);
    memory_region_init_io(&dev, &dev_ops, NULL, "dev", 8);
    memory_region_init_io(&cover, &dev_ops, NULL, "cover", 2);
    memory_region_add_coalescing(&dev, 2, 4);        /* offsets 2..5 */
    memory_region_add_subregion(&root, 0x1000, &dev);
    address_space_init(&as, &root, "test-coalesced");

    memory_listener_register(&r.l, &as);
    g_assert_cmpint(r.n, ==, 1);
    g_assert_true(has_event(&r, 'C', 0x1002, 4));

    /* A second zone on the mapped region. */
    r.n = 0;
    memory_region_add_coalescing(&dev, 7, 1);
    g_assert_cmpint(r.n, ==, 1);
    g_assert_true(has_event(&r, 'C', 0x1007, 1));

    /* Moved: deleted at the old address, added at the new one. */
    r.n = 0;
    memory_region_set_address(&dev, 0x2000);
    g_assert_true(has_event(&r, 'c', 0x1002, 4));
    g_assert_true(has_event(&r, 'c', 0x1007, 1));
    g_assert_true(has_event(&r, 'C', 0x2002, 4));
    g_assert_true(has_event(&r, 'C', 0x2007, 1));
    g_assert_cmpint(r.n, ==, 4);
    g_assert_cmpint(r.ev[0].kind, ==, 'c');       /* dels first */
    g_assert_cmpint(r.ev[1].kind, ==, 'c');

    /* Covered at offsets 3..4: the zone is split around it. */
    r.n = 0;
    memory_region_add_subregion_overlap(&root, 0x2003, &cover, 1);
    g_assert_true(has_event(&r, 'c', 0x2002, 4));
    g_assert_true(has_event(&r, 'C', 0x2002, 1));
    g_assert_true(has_event(&r, 'C', 0x2005, 1));
    g_assert_false(has_event(&r, 'C', 0x2003, 1));
    memory_region_del_subregion(&root, &cover);

    /* Cleared: every zone goes away. */
    r.n = 0;
    memory_region_clear_coalescing(&dev);
    g_assert_true(has_event(&r, 'c', 0x2002, 4));
    g_assert_true(has_event(&r, 'c', 0x2007, 1));
    g_assert_cmpint(r.n, ==, 2);

    /* Unmapped with a zone: deleted with the range. */
    memory_region_set_coalescing(&dev);
    r.n = 0;
    memory_region_del_subregion(&root, &dev);
    g_assert_cmpint(r.n, ==, 1);
    g_assert_true(has_event(&r, 'c', 0x2000, 8));

    memory_listener_unregister(&r.l);
    address_space_destroy(&as);
    memory_region_finalize(&cover);
    memory_region_finalize(&dev);
    memory_region_finalize(&root);
}

/* The RTC's layout: "idx" (offset 0, coalesced) over "dev" (2 bytes,
 * flushes).  With a flush hook, an access to either flushes first;
 * writes buffered by the fake accelerator reach the device before the
 * access that triggered the flush; other regions never flush.  Without a
 * hook (TCG) nothing flushes. */
static void test_flush_order(void)
{
    MemoryRegion root, dev, idx, other;
    AddressSpace as;
    uint8_t b = 0;

    memory_region_init(&root, "root", UINT64_MAX);
    memory_region_init_io(&dev, &dev_ops, NULL, "dev", 2);
    memory_region_set_flush_coalesced(&dev);
    memory_region_init_io(&idx, &dev_ops, NULL, "idx", 1);
    memory_region_set_coalescing(&idx);
    memory_region_add_subregion(&dev, 0, &idx);
    memory_region_init_io(&other, &dev_ops, NULL, "other", 4);
    memory_region_add_subregion(&root, 0x70, &dev);
    memory_region_add_subregion(&root, 0x80, &other);
    address_space_init(&as, &root, "test-flush");

    /* No accelerator buffering: plain dispatch. */
    g_assert_false(memory_coalescing_active());
    trace_reset();
    address_space_write(&as, 0x70, MEMTXATTRS_UNSPECIFIED, &b, 1);
    address_space_read(&as, 0x71, MEMTXATTRS_UNSPECIFIED, &b, 1);
    memory_coalesced_flush();
    g_assert_cmpstr(trace, ==, "W0R1");

    flush_as = &as;
    memory_set_coalesced_flush(fake_flush);
    g_assert_true(memory_coalescing_active());

    /* Two buffered index writes, then a data read: F, the two writes
     * (their own flush calls return at once), then the read. */
    trace_reset();
    pending[0] = 0x70;
    pending[1] = 0x70;
    nr_pending = 2;
    address_space_read(&as, 0x71, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpstr(trace, ==, "FFW0FW0R1");

    /* An access to the coalesced zone itself (the ring was full) also
     * flushes first. */
    trace_reset();
    pending[0] = 0x70;
    nr_pending = 1;
    address_space_write(&as, 0x70, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpstr(trace, ==, "FFW0W0");

    /* Other regions do not flush. */
    trace_reset();
    address_space_write(&as, 0x80, MEMTXATTRS_UNSPECIFIED, &b, 1);
    address_space_read(&as, 0x81, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpstr(trace, ==, "W0R1");

    /* A map change drains first, through the map the writes were made
     * in: the buffered index write reaches the device at its old place
     * (the replayed write itself flushes again: "FFW0"). */
    trace_reset();
    pending[0] = 0x70;
    nr_pending = 1;
    memory_region_set_address(&dev, 0x170);
    g_assert_cmpstr(trace, ==, "FFW0");
    trace_reset();
    address_space_read(&as, 0x171, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpstr(trace, ==, "FR1");
    memory_region_set_address(&dev, 0x70);

    /* Cleared marks: no flush for dev; idx still flushes (a zone). */
    memory_region_clear_flush_coalesced(&dev);
    trace_reset();
    address_space_read(&as, 0x71, MEMTXATTRS_UNSPECIFIED, &b, 1);
    address_space_read(&as, 0x70, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpstr(trace, ==, "R1FR0");
    memory_region_clear_coalescing(&idx);    /* flushes the buffer */
    trace_reset();
    address_space_read(&as, 0x70, MEMTXATTRS_UNSPECIFIED, &b, 1);
    g_assert_cmpstr(trace, ==, "R0");

    memory_set_coalesced_flush(NULL);
    memory_region_del_subregion(&root, &dev);
    memory_region_del_subregion(&root, &other);
    memory_region_del_subregion(&dev, &idx);
    address_space_destroy(&as);
    memory_region_finalize(&idx);
    memory_region_finalize(&dev);
    memory_region_finalize(&other);
    memory_region_finalize(&root);
}

static void *vcpu_access(void *opaque)
{
    AddressSpace *as = opaque;
    uint8_t b = 0;

    rcu_register_thread();
    address_space_read(as, 0x71, MEMTXATTRS_UNSPECIFIED, &b, 1);
    rcu_unregister_thread();
    return NULL;
}

/* From a thread without the BQL (a vCPU), a flushing region is
 * dispatched with the BQL taken, even a converted one, because the
 * flush needs it; a converted region without marks gets no BQL. */
static void test_flush_takes_bql(void)
{
    MemoryRegion root, dev;
    AddressSpace as;
    pthread_t t;

    memory_region_init(&root, "root", UINT64_MAX);
    memory_region_init_io(&dev, &dev_ops, NULL, "dev", 2);
    memory_region_set_needs_bql(&dev, false);
    memory_region_set_flush_coalesced(&dev);
    memory_region_add_subregion(&root, 0x70, &dev);
    address_space_init(&as, &root, "test-bql");
    flush_as = &as;
    memory_set_coalesced_flush(fake_flush);

    trace_reset();
    nr_pending = 0;
    dev_saw_bql = false;
    bql_unlock();
    pthread_create(&t, NULL, vcpu_access, &as);
    pthread_join(t, NULL);
    bql_lock(bql_cause_main_loop);
    g_assert_cmpstr(trace, ==, "FR1");
    g_assert_true(dev_saw_bql);

    /* The same converted region without the mark: no BQL. */
    memory_region_clear_flush_coalesced(&dev);
    trace_reset();
    dev_saw_bql = true;
    bql_unlock();
    pthread_create(&t, NULL, vcpu_access, &as);
    pthread_join(t, NULL);
    bql_lock(bql_cause_main_loop);
    g_assert_cmpstr(trace, ==, "R1");
    g_assert_false(dev_saw_bql);

    memory_set_coalesced_flush(NULL);
    memory_region_del_subregion(&root, &dev);
    address_space_destroy(&as);
    memory_region_finalize(&dev);
    memory_region_finalize(&root);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_main_loop);
    g_test_add_func("/memory-coalesced/listener", test_listener);
    g_test_add_func("/memory-coalesced/flush-order", test_flush_order);
    g_test_add_func("/memory-coalesced/flush-takes-bql",
                    test_flush_takes_bql);
    return g_test_run();
}
