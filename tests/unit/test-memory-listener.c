/*
 * test-memory-listener.c: memory listeners (region_add/region_del on every
 * map change, eventfd_add/eventfd_del) and ioeventfds dispatched by the
 * memory API itself (the path used without KVM).  Single-threaded, with
 * the BQL held throughout, as map changes require.
 */
#include "util/osdep.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/memory.h"

#include <sys/eventfd.h>

#define MAX_EVENTS 32

typedef struct Event {
    char kind;              /* '+' add, '-' del, 'E' eventfd add, 'e' del */
    hwaddr addr;
    uint64_t size;
    const MemoryRegion *mr;
} Event;

typedef struct Recorder {
    MemoryListener l;
    Event ev[MAX_EVENTS];
    int n;
} Recorder;

static void rec(MemoryListener *l, char kind, hwaddr addr, uint64_t size,
                const MemoryRegion *mr)
{
    Recorder *r = container_of(l, Recorder, l);

    g_assert_cmpint(r->n, <, MAX_EVENTS);
    r->ev[r->n++] = (Event){ kind, addr, size, mr };
}

static void rec_add(MemoryListener *l, const MemoryRegionSection *s)
{
    rec(l, '+', s->addr, s->size, s->mr);
}

static void rec_del(MemoryListener *l, const MemoryRegionSection *s)
{
    rec(l, '-', s->addr, s->size, s->mr);
}

static void rec_efd_add(MemoryListener *l, const MemoryRegionSection *s,
                        hwaddr gpa, const MemoryRegionIoeventfd *e)
{
    rec(l, 'E', gpa, e->size, s->mr);
}

static void rec_efd_del(MemoryListener *l, const MemoryRegionSection *s,
                        hwaddr gpa, const MemoryRegionIoeventfd *e)
{
    rec(l, 'e', gpa, e->size, s->mr);
}

static bool has_event(Recorder *r, char kind, hwaddr addr, uint64_t size,
                      const MemoryRegion *mr)
{
    for (int i = 0; i < r->n; i++) {
        if (r->ev[i].kind == kind && r->ev[i].addr == addr &&
            r->ev[i].size == size && r->ev[i].mr == mr) {
            return true;
        }
    }
    return false;
}

static unsigned dev_writes;
static uint64_t dev_last;

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    dev_writes++;
    dev_last = val;
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/* Registration reports the current map; a new overlapping region splits a
 * range (del of the old, add of the pieces); removal restores it. */
static void test_listener_ranges(void)
{
    MemoryRegion root, ram, io;
    AddressSpace as;
    Recorder r = { .l = { .region_add = rec_add, .region_del = rec_del } };
    Error *err = NULL;

    memory_region_init(&root, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, "ram", 0x10000, &err));
    memory_region_init_io(&io, &dev_ops, NULL, "io", 0x1000);
    memory_region_add_subregion(&root, 0x10000, &ram);
    address_space_init(&as, &root, "test-as");

    memory_listener_register(&r.l, &as);
    g_assert_cmpint(r.n, ==, 1);
    g_assert_true(has_event(&r, '+', 0x10000, 0x10000, &ram));

    r.n = 0;
    memory_region_add_subregion_overlap(&root, 0x14000, &io, 1);
    g_assert_true(has_event(&r, '-', 0x10000, 0x10000, &ram));
    g_assert_true(has_event(&r, '+', 0x10000, 0x4000, &ram));
    g_assert_true(has_event(&r, '+', 0x14000, 0x1000, &io));
    g_assert_true(has_event(&r, '+', 0x15000, 0xb000, &ram));
    g_assert_cmpint(r.n, ==, 4);

    r.n = 0;
    memory_region_del_subregion(&root, &io);
    g_assert_true(has_event(&r, '-', 0x10000, 0x4000, &ram));
    g_assert_true(has_event(&r, '-', 0x14000, 0x1000, &io));
    g_assert_true(has_event(&r, '-', 0x15000, 0xb000, &ram));
    g_assert_true(has_event(&r, '+', 0x10000, 0x10000, &ram));
    g_assert_cmpint(r.n, ==, 4);

    /* An unchanged re-render reports nothing. */
    r.n = 0;
    memory_region_transaction_begin();
    memory_region_set_enabled(&ram, false);
    memory_region_set_enabled(&ram, true);
    memory_region_transaction_commit();
    g_assert_cmpint(r.n, ==, 0);

    memory_listener_unregister(&r.l);
    r.n = 0;
    memory_region_del_subregion(&root, &ram);
    g_assert_cmpint(r.n, ==, 0);
    address_space_destroy(&as);
    memory_region_finalize(&io);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static uint64_t efd_count(int fd)
{
    uint64_t v = 0;

    if (read(fd, &v, sizeof(v)) != sizeof(v)) {
        return 0;                       /* EAGAIN: nothing signalled */
    }
    return v;
}

/* Without KVM the dispatcher signals the eventfd for an exact match and
 * the device never sees it; anything else reaches the device.  Listeners
 * hear of the ioeventfd at its guest address. */
static void test_ioeventfd_dispatch(void)
{
    MemoryRegion root, io;
    AddressSpace as;
    Recorder r = { .l = { .eventfd_add = rec_efd_add,
                          .eventfd_del = rec_efd_del } };
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    uint32_t v;

    g_assert_cmpint(fd, >=, 0);
    memory_region_init(&root, "root", UINT64_MAX);
    memory_region_init_io(&io, &dev_ops, NULL, "io", 0x100);
    memory_region_add_subregion(&root, 0x2000, &io);
    address_space_init(&as, &root, "test-efd");
    memory_listener_register(&r.l, &as);

    memory_region_add_eventfd(&io, 0x10, 2, true, 0xbeef, fd);
    g_assert_true(has_event(&r, 'E', 0x2010, 2, &io));

    dev_writes = 0;
    v = 0xbeef;
    address_space_write(&as, 0x2010, MEMTXATTRS_UNSPECIFIED, &v, 2);
    g_assert_cmpuint(efd_count(fd), ==, 1);
    g_assert_cmpuint(dev_writes, ==, 0);

    v = 0x1234;                       /* other data: the device */
    address_space_write(&as, 0x2010, MEMTXATTRS_UNSPECIFIED, &v, 2);
    g_assert_cmpuint(efd_count(fd), ==, 0);
    g_assert_cmpuint(dev_writes, ==, 1);
    g_assert_cmphex(dev_last, ==, 0x1234);

    v = 0xbeef;                       /* other size: the device */
    address_space_write(&as, 0x2010, MEMTXATTRS_UNSPECIFIED, &v, 4);
    g_assert_cmpuint(efd_count(fd), ==, 0);
    g_assert_cmpuint(dev_writes, ==, 2);

    /* Moving the region moves the ioeventfd for listeners. */
    r.n = 0;
    memory_region_set_address(&io, 0x3000);
    g_assert_true(has_event(&r, 'e', 0x2010, 2, &io));
    g_assert_true(has_event(&r, 'E', 0x3010, 2, &io));

    r.n = 0;
    memory_region_del_eventfd(&io, 0x10, 2, true, 0xbeef, fd);
    g_assert_true(has_event(&r, 'e', 0x3010, 2, &io));
    address_space_write(&as, 0x3010, MEMTXATTRS_UNSPECIFIED, &v, 2);
    g_assert_cmpuint(efd_count(fd), ==, 0);
    g_assert_cmpuint(dev_writes, ==, 3);

    memory_listener_unregister(&r.l);
    memory_region_del_subregion(&root, &io);
    address_space_destroy(&as);
    memory_region_finalize(&io);
    memory_region_finalize(&root);
    close(fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    g_test_add_func("/memory-listener/ranges", test_listener_ranges);
    g_test_add_func("/memory-listener/ioeventfd", test_ioeventfd_dispatch);
    return g_test_run();
}
