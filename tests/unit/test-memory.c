/*
 * test-memory.c: unit tests for the memory API (system/memory.c and
 * system/physmem.c).
 *
 * Each test builds its own AddressSpace over a private root container,
 * checks the rendered FlatView range by range and/or drives accesses
 * through it into small recording devices (TestDev), then tears everything
 * down again.  The main thread holds the BQL throughout, as the main loop
 * would; tests that need a thread without the BQL release it while they
 * wait.  A randomized test compares rendering against a brute-force
 * resolver written here, and a concurrent test re-maps regions while
 * another thread reads (run it under TSan: make BUILD=build/tsan).
 */
#include "util/osdep.h"

#include <sched.h>
#include "util/log.h"
#include "util/thread.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/memory.h"

static char *log_path;

/* --- Helpers --- */

typedef struct Expect {
    hwaddr start;
    hwaddr last;
    MemoryRegion *mr;
    hwaddr offset;
} Expect;

static void check_view(AddressSpace *as, const Expect *e, unsigned n)
{
    FlatView *fv;

    rcu_read_lock();
    fv = rcu_load(&as->current_map);
    g_assert_cmpuint(flatview_nr_ranges(fv), ==, n);
    for (unsigned i = 0; i < n; i++) {
        MemoryRegionSection s = flatview_range(fv, i);

        g_assert_cmphex(s.addr, ==, e[i].start);
        g_assert_cmphex(s.addr + s.size - 1, ==, e[i].last);
        g_assert_true(s.mr == e[i].mr);
        g_assert_cmphex(s.offset_in_region, ==, e[i].offset);
    }
    rcu_read_unlock();
}

static char *read_log(void)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(log_path, &text, NULL, NULL));
    return text;
}

/* A test address space: root container of root_size bytes. */
typedef struct TestSpace {
    AddressSpace as;
    MemoryRegion root;
} TestSpace;

static void space_init(TestSpace *ts, const char *name, uint64_t root_size)
{
    memory_region_init(&ts->root, name, root_size);
    address_space_init(&ts->as, &ts->root, name);
}

/* Destroys the space and finalizes the regions given (NULL-terminated),
 * which must be children of the root or unmapped. */
static void space_destroy(TestSpace *ts, MemoryRegion **regions)
{
    address_space_destroy(&ts->as);
    memory_region_finalize(&ts->root);
    for (MemoryRegion **p = regions; p && *p; p++) {
        if ((*p)->parent) {
            memory_region_del_subregion((*p)->parent, *p);
        }
    }
    for (MemoryRegion **p = regions; p && *p; p++) {
        memory_region_finalize(*p);
    }
}

static void init_ram(MemoryRegion *mr, const char *name, uint64_t size)
{
    Error *err = NULL;

    g_assert_true(memory_region_init_ram(mr, name, size, &err));
    g_assert_null(err);
}

/* A device that logs its accesses and backs them with a byte array. */
typedef struct Access {
    bool is_write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
} Access;

typedef struct TestDev {
    MemoryRegion mr;
    bool be;                       /* device endianness, for mem[] */
    uint8_t mem[64];
    Access log[32];
    unsigned nlog;                 /* accessed only by the test thread that
                                    * is currently calling in */
    bool saw_bql;                  /* bql_locked() in the last callback */
} TestDev;

static uint64_t dev_get(TestDev *d, hwaddr addr, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->mem[addr + (d->be ? size - 1 - i : i)] << (8 * i);
    }
    return v;
}

static void dev_put(TestDev *d, hwaddr addr, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++) {
        d->mem[addr + (d->be ? size - 1 - i : i)] = v >> (8 * i);
    }
}

static uint64_t testdev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;

    g_assert_cmpuint(addr + size, <=, sizeof(d->mem));
    g_assert_cmpuint(d->nlog, <, ARRAY_SIZE(d->log));
    d->saw_bql = bql_locked();
    d->log[d->nlog++] = (Access){ false, addr, size, dev_get(d, addr, size) };
    return dev_get(d, addr, size);
}

static void testdev_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    TestDev *d = opaque;

    g_assert_cmpuint(addr + size, <=, sizeof(d->mem));
    g_assert_cmpuint(d->nlog, <, ARRAY_SIZE(d->log));
    if (size < 8) {
        g_assert_cmphex(val >> (8 * size), ==, 0);
    }
    d->saw_bql = bql_locked();
    d->log[d->nlog++] = (Access){ true, addr, size, val };
    dev_put(d, addr, size, val);
}

static void testdev_init(TestDev *d, const MemoryRegionOps *ops,
                         const char *name)
{
    memset(d, 0, sizeof(*d));
    d->be = ops->endianness == DEVICE_BIG_ENDIAN;
    for (unsigned i = 0; i < sizeof(d->mem); i++) {
        d->mem[i] = 0xa0 + i;
    }
    memory_region_init_io(&d->mr, ops, d, name, sizeof(d->mem));
}

static void check_access(TestDev *d, unsigned i, bool is_write, hwaddr addr,
                         unsigned size, uint64_t val)
{
    g_assert_cmpuint(i, <, d->nlog);
    g_assert_cmpint(d->log[i].is_write, ==, is_write);
    g_assert_cmphex(d->log[i].addr, ==, addr);
    g_assert_cmpuint(d->log[i].size, ==, size);
    g_assert_cmphex(d->log[i].val, ==, val);
}

static const MemoryRegionOps le_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps le8_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps be8_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

/* --- Rendering --- */

static void test_render_priority(void)
{
    TestSpace ts;
    MemoryRegion a, b, c, d, f, g;

    space_init(&ts, "prio", 0x10000);
    init_ram(&a, "a", 0x4000);
    memory_region_init_io(&b, &le_ops, NULL, "b", 0x1000);
    memory_region_add_subregion(&ts.root, 0, &a);
    memory_region_add_subregion_overlap(&ts.root, 0x1000, &b, 1);
    /* Partial overlap in the middle: three ranges. */
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x3fff, &a, 0x2000 },
    }, 3);

    /* Equal priority: the later-added one wins. */
    memory_region_init_io(&c, &le_ops, NULL, "c", 0x2000);
    memory_region_add_subregion(&ts.root, 0x3000, &c);
    /* Fully shadowed (lower priority, inside a). */
    init_ram(&d, "d", 0x800);
    memory_region_add_subregion_overlap(&ts.root, 0x2000, &d, -1);
    /* Equal priority, the later one starts inside the earlier one. */
    memory_region_init_io(&f, &le_ops, NULL, "f", 0x100);
    init_ram(&g, "g", 0x100);
    memory_region_add_subregion(&ts.root, 0x8000, &f);
    memory_region_add_subregion(&ts.root, 0x8080, &g);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x2fff, &a, 0x2000 },
        { 0x3000, 0x4fff, &c, 0x0000 },
        { 0x8000, 0x807f, &f, 0x0000 },
        { 0x8080, 0x817f, &g, 0x0000 },
    }, 6);

    /* A higher priority beats a later addition. */
    memory_region_del_subregion(&ts.root, &f);
    memory_region_add_subregion_overlap(&ts.root, 0x8000, &f, 2);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x2fff, &a, 0x2000 },
        { 0x3000, 0x4fff, &c, 0x0000 },
        { 0x8000, 0x80ff, &f, 0x0000 },
        { 0x8100, 0x817f, &g, 0x0080 },
    }, 6);

    space_destroy(&ts, (MemoryRegion *[]){ &a, &b, &c, &d, &f, &g, NULL });
}

static void test_render_clip(void)
{
    TestSpace ts;
    MemoryRegion a, k, r;

    /* A subregion reaching past its container is clipped to it. */
    space_init(&ts, "clip", 0x10000);
    memory_region_init(&k, "k", 0x1000);
    init_ram(&r, "r", 0x2000);
    memory_region_add_subregion(&k, 0x800, &r);
    memory_region_add_subregion(&ts.root, 0x4000, &k);
    /* The root clips too. */
    init_ram(&a, "a", 0x2000);
    memory_region_add_subregion(&ts.root, 0xf000, &a);
    check_view(&ts.as, (Expect[]){
        { 0x4800, 0x4fff, &r, 0x0000 },
        { 0xf000, 0xffff, &a, 0x0000 },
    }, 2);
    space_destroy(&ts, (MemoryRegion *[]){ &a, &r, &k, NULL });
}

static void test_render_alias_ram(void)
{
    TestSpace ts;
    MemoryRegion ram, al;
    uint32_t v = 0;

    space_init(&ts, "alias-ram", 0x10000);
    init_ram(&ram, "ram", 0x1000);
    memory_region_init_alias(&al, "al", &ram, 0x800, 0x400);
    memory_region_add_subregion(&ts.root, 0, &ram);
    memory_region_add_subregion(&ts.root, 0x8000, &al);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &ram, 0x000 },
        { 0x8000, 0x83ff, &ram, 0x800 },
    }, 2);
    /* Both windows show the same bytes. */
    address_space_stl_le(&ts.as, 0x804, 0xcafef00d, MEMTXATTRS_UNSPECIFIED,
                         NULL);
    v = address_space_ldl_le(&ts.as, 0x8004, MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(v, ==, 0xcafef00d);

    /* An alias larger than its target is clipped to the target. */
    memory_region_set_alias_offset(&al, 0xe00);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &ram, 0x000 },
        { 0x8000, 0x81ff, &ram, 0xe00 },
    }, 2);
    space_destroy(&ts, (MemoryRegion *[]){ &ram, &al, NULL });
}

static void test_render_alias_container(void)
{
    TestSpace ts;
    MemoryRegion k, r1, r2, r3, al;

    space_init(&ts, "alias-container", 0x20000);
    memory_region_init(&k, "k", 0x4000);
    init_ram(&r1, "r1", 0x1000);
    init_ram(&r2, "r2", 0x1000);
    memory_region_init_io(&r3, &le_ops, NULL, "r3", 0x100);
    memory_region_add_subregion(&k, 0x0000, &r1);
    memory_region_add_subregion(&k, 0x2000, &r2);
    memory_region_add_subregion_overlap(&k, 0x0c00, &r3, 1);
    /* Window [0x800, 0x2800) of k, mapped at 0x10000. */
    memory_region_init_alias(&al, "al", &k, 0x800, 0x2000);
    memory_region_add_subregion(&ts.root, 0x10000, &al);
    check_view(&ts.as, (Expect[]){
        { 0x10000, 0x103ff, &r1, 0x800 },
        { 0x10400, 0x104ff, &r3, 0x000 },
        { 0x10500, 0x107ff, &r1, 0xd00 },
        { 0x11800, 0x11fff, &r2, 0x000 },
    }, 4);
    /* The container itself is not mapped; only the alias shows it. */
    g_assert_null(k.parent);
    /* Lookup in the hole inside the window. */
    rcu_read_lock();
    {
        MemoryRegionSection s = flatview_lookup(rcu_load(&ts.as.current_map),
                                                0x11000);
        g_assert_null(s.mr);
        g_assert_cmphex(s.addr, ==, 0x10800);
        g_assert_cmphex(s.size, ==, 0x1000);
    }
    rcu_read_unlock();
    space_destroy(&ts, (MemoryRegion *[]){ &al, &r1, &r2, &r3, &k, NULL });
}

static void test_render_merge(void)
{
    TestSpace ts;
    MemoryRegion ram, a1, a2, a3;

    space_init(&ts, "merge", 0x100000);
    init_ram(&ram, "ram", 0x3000);
    memory_region_init_alias(&a1, "a1", &ram, 0x0000, 0x1000);
    memory_region_init_alias(&a2, "a2", &ram, 0x1000, 0x1000);
    memory_region_init_alias(&a3, "a3", &ram, 0x0000, 0x1000);
    memory_region_add_subregion(&ts.root, 0x10000, &a1);
    memory_region_add_subregion(&ts.root, 0x11000, &a2);
    memory_region_add_subregion(&ts.root, 0x12000, &a3);
    /* a1 and a2 continue each other; a3 restarts at offset 0. */
    check_view(&ts.as, (Expect[]){
        { 0x10000, 0x11fff, &ram, 0x0000 },
        { 0x12000, 0x12fff, &ram, 0x0000 },
    }, 2);
    space_destroy(&ts, (MemoryRegion *[]){ &a1, &a2, &a3, &ram, NULL });
}

static void test_render_del(void)
{
    TestSpace ts;
    MemoryRegion a, b;

    space_init(&ts, "del", 0x10000);
    init_ram(&a, "a", 0x4000);
    memory_region_init_io(&b, &le_ops, NULL, "b", 0x1000);
    memory_region_add_subregion(&ts.root, 0, &a);
    memory_region_add_subregion_overlap(&ts.root, 0x1000, &b, 1);
    g_assert_true(b.parent == &ts.root);
    memory_region_del_subregion(&ts.root, &b);
    g_assert_null(b.parent);
    /* a is whole again, as one merged range. */
    check_view(&ts.as, (Expect[]){ { 0x0000, 0x3fff, &a, 0 } }, 1);
    memory_region_del_subregion(&ts.root, &a);
    check_view(&ts.as, NULL, 0);
    space_destroy(&ts, (MemoryRegion *[]){ &a, &b, NULL });
}

static void test_render_enabled(void)
{
    TestSpace ts;
    MemoryRegion a, b, k, kr, al;

    space_init(&ts, "enabled", 0x10000);
    init_ram(&a, "a", 0x4000);
    memory_region_init_io(&b, &le_ops, NULL, "b", 0x1000);
    memory_region_add_subregion(&ts.root, 0, &a);
    memory_region_add_subregion_overlap(&ts.root, 0x1000, &b, 1);
    memory_region_set_enabled(&b, false);
    check_view(&ts.as, (Expect[]){ { 0x0000, 0x3fff, &a, 0 } }, 1);
    memory_region_set_enabled(&b, true);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x3fff, &a, 0x2000 },
    }, 3);

    /* A disabled container hides its subtree; an alias of a disabled
     * region shows nothing either. */
    memory_region_init(&k, "k", 0x1000);
    init_ram(&kr, "kr", 0x1000);
    memory_region_add_subregion(&k, 0, &kr);
    memory_region_add_subregion(&ts.root, 0x8000, &k);
    memory_region_init_alias(&al, "al", &kr, 0, 0x1000);
    memory_region_add_subregion(&ts.root, 0x9000, &al);
    memory_region_set_enabled(&k, false);
    memory_region_set_enabled(&kr, false);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x3fff, &a, 0x2000 },
    }, 3);
    memory_region_set_enabled(&kr, true);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x3fff, &a, 0x2000 },
        { 0x9000, 0x9fff, &kr, 0x0000 },
    }, 4);
    memory_region_set_enabled(&k, true);
    /* Same region at restarting offsets: not merged. */
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x0fff, &a, 0x0000 },
        { 0x1000, 0x1fff, &b, 0x0000 },
        { 0x2000, 0x3fff, &a, 0x2000 },
        { 0x8000, 0x8fff, &kr, 0x0000 },
        { 0x9000, 0x9fff, &kr, 0x0000 },
    }, 5);
    /* Disabling the root empties the view. */
    memory_region_set_enabled(&ts.root, false);
    check_view(&ts.as, NULL, 0);
    memory_region_set_enabled(&ts.root, true);
    space_destroy(&ts, (MemoryRegion *[]){ &a, &b, &al, &kr, &k, NULL });
}

static void test_render_set_address(void)
{
    TestSpace ts;
    MemoryRegion a, b, c;

    space_init(&ts, "set-address", 0x10000);
    init_ram(&a, "a", 0x4000);
    memory_region_init_io(&b, &le_ops, NULL, "b", 0x1000);
    memory_region_add_subregion(&ts.root, 0, &a);
    memory_region_add_subregion_overlap(&ts.root, 0x1000, &b, 1);
    memory_region_set_address(&b, 0x3800);
    check_view(&ts.as, (Expect[]){
        { 0x0000, 0x37ff, &a, 0x0000 },
        { 0x3800, 0x47ff, &b, 0x0000 },
    }, 2);
    /* Moving keeps the insertion rank: c (added later, equal priority)
     * still wins over a wherever they meet. */
    init_ram(&c, "c", 0x1000);
    memory_region_add_subregion(&ts.root, 0x8000, &c);
    memory_region_set_address(&a, 0x8800);
    check_view(&ts.as, (Expect[]){
        { 0x3800, 0x47ff, &b, 0x0000 },
        { 0x8000, 0x8fff, &c, 0x0000 },
        { 0x9000, 0xc7ff, &a, 0x0800 },
    }, 3);
    space_destroy(&ts, (MemoryRegion *[]){ &a, &b, &c, NULL });
}

static void test_transaction(void)
{
    TestSpace ts;
    MemoryRegion a, b;
    unsigned n0, n1;

    space_init(&ts, "transaction", 0x10000);
    init_ram(&a, "a", 0x1000);
    memory_region_init_io(&b, &le_ops, NULL, "b", 0x1000);

    /* Each change outside a transaction renders once. */
    n0 = memory_render_count();
    memory_region_add_subregion(&ts.root, 0, &a);
    g_assert_cmpuint(memory_render_count(), ==, n0 + 1);
    /* A change that changes nothing does not render. */
    memory_region_set_enabled(&a, true);
    memory_region_set_address(&a, 0);
    g_assert_cmpuint(memory_render_count(), ==, n0 + 1);

    n1 = memory_render_count();
    memory_region_transaction_begin();
    memory_region_add_subregion(&ts.root, 0x2000, &b);
    memory_region_set_address(&a, 0x4000);
    memory_region_transaction_begin();          /* nested */
    memory_region_set_enabled(&b, false);
    memory_region_set_enabled(&b, true);
    memory_region_transaction_commit();
    g_assert_cmpuint(memory_render_count(), ==, n1);
    /* Readers still see the old view until the outermost commit. */
    check_view(&ts.as, (Expect[]){ { 0x0000, 0x0fff, &a, 0 } }, 1);
    memory_region_transaction_commit();
    g_assert_cmpuint(memory_render_count(), ==, n1 + 1);
    check_view(&ts.as, (Expect[]){
        { 0x2000, 0x2fff, &b, 0 },
        { 0x4000, 0x4fff, &a, 0 },
    }, 2);

    /* An empty transaction does not render. */
    memory_region_transaction_begin();
    memory_region_transaction_commit();
    g_assert_cmpuint(memory_render_count(), ==, n1 + 1);
    space_destroy(&ts, (MemoryRegion *[]){ &a, &b, NULL });
}

static void test_lookup_gaps(void)
{
    TestSpace ts, full;
    MemoryRegion a;
    MemoryRegionSection s;
    FlatView *fv;

    space_init(&full, "empty-full", UINT64_MAX);
    space_init(&ts, "gaps", 0x10000);
    init_ram(&a, "a", 0x1000);
    memory_region_add_subregion(&ts.root, 0x3000, &a);

    rcu_read_lock();
    /* Nothing mapped at all: one gap of 2^64 bytes. */
    fv = rcu_load(&full.as.current_map);
    g_assert_cmpuint(flatview_nr_ranges(fv), ==, 0);
    s = flatview_lookup(fv, 0x12345678);
    g_assert_null(s.mr);
    g_assert_cmphex(s.addr, ==, 0);
    g_assert_cmphex(s.size, ==, UINT64_MAX);

    fv = rcu_load(&ts.as.current_map);
    s = flatview_lookup(fv, 0x10);
    g_assert_null(s.mr);
    g_assert_cmphex(s.addr, ==, 0);
    g_assert_cmphex(s.size, ==, 0x3000);
    s = flatview_lookup(fv, 0x3fff);
    g_assert_true(s.mr == &a);
    g_assert_cmphex(s.addr, ==, 0x3000);
    s = flatview_lookup(fv, 0x4000);
    g_assert_null(s.mr);
    g_assert_cmphex(s.addr, ==, 0x4000);
    g_assert_cmphex(s.size, ==, UINT64_MAX - 0x4000 + 1);
    rcu_read_unlock();
    space_destroy(&ts, (MemoryRegion *[]){ &a, NULL });
    space_destroy(&full, NULL);
}

/* Sizes up to 2^64 and aliases that shift a target below 0. */
static void test_render_size_max(void)
{
    TestSpace ts, ts2;
    MemoryRegion top, catchall, al;
    TestDev d;
    uint64_t v;

    space_init(&ts, "max", UINT64_MAX);
    init_ram(&top, "top", 0x1000);
    testdev_init(&d, &le_ops, "catchall-dev");
    memory_region_init_io(&catchall, &le_ops, &d, "catchall", UINT64_MAX);
    memory_region_add_subregion(&ts.root, UINT64_MAX - 0xfff, &top);
    memory_region_add_subregion_overlap(&ts.root, 0, &catchall, -1);
    check_view(&ts.as, (Expect[]){
        { 0, UINT64_MAX - 0x1000, &catchall, 0 },
        { UINT64_MAX - 0xfff, UINT64_MAX, &top, 0 },
    }, 2);
    address_space_stb(&ts.as, UINT64_MAX, 0x5a, MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmpuint(((uint8_t *)memory_region_get_ram_ptr(&top))[0xfff], ==,
                     0x5a);
    g_assert_cmpuint(address_space_ldub(&ts.as, UINT64_MAX,
                                        MEMTXATTRS_UNSPECIFIED, NULL), ==,
                     0x5a);
    g_assert_cmpint(address_space_read_value(&ts.as, 8, 4, false, &v,
                                             MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 0xabaaa9a8);

    /* View of the whole space shifted down by 2^64 - 2^16. */
    space_init(&ts2, "max-shifted", UINT64_MAX);
    memory_region_init_alias(&al, "al", &ts.root, UINT64_MAX - 0xffff,
                             UINT64_MAX);
    memory_region_add_subregion(&ts2.root, 0, &al);
    check_view(&ts2.as, (Expect[]){
        { 0x0000, 0xefff, &catchall, UINT64_MAX - 0xffff },
        { 0xf000, 0xffff, &top, 0 },
    }, 2);
    g_assert_cmpuint(address_space_ldub(&ts2.as, 0xffff,
                                        MEMTXATTRS_UNSPECIFIED, NULL), ==,
                     0x5a);
    space_destroy(&ts2, (MemoryRegion *[]){ &al, NULL });
    space_destroy(&ts, (MemoryRegion *[]){ &top, &catchall, &d.mr, NULL });
}

/* --- Accesses through address spaces --- */

static void test_rw_ram_io_boundary(void)
{
    TestSpace ts;
    MemoryRegion ram;
    TestDev d;
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t out[8];
    uint8_t *host;

    space_init(&ts, "boundary", 0x10000);
    init_ram(&ram, "ram", 0x1000);
    testdev_init(&d, &le_ops, "dev");
    memory_region_add_subregion(&ts.root, 0, &ram);
    memory_region_add_subregion(&ts.root, 0x1000, &d.mr);
    host = memory_region_get_ram_ptr(&ram);
    /* RAM starts zeroed. */
    for (unsigned i = 0; i < 0x1000; i++) {
        g_assert_cmpuint(host[i], ==, 0);
    }

    g_assert_cmpint(address_space_write(&ts.as, 0xffc, MEMTXATTRS_UNSPECIFIED,
                                        buf, 8), ==, MEMTX_OK);
    g_assert_cmpmem(host + 0xffc, 4, buf, 4);
    g_assert_cmpuint(d.nlog, ==, 1);
    check_access(&d, 0, true, 0, 4, 0x08070605);
    d.nlog = 0;
    g_assert_cmpint(address_space_read(&ts.as, 0xffc, MEMTXATTRS_UNSPECIFIED,
                                       out, 8), ==, MEMTX_OK);
    g_assert_cmpmem(out, 8, buf, 8);
    g_assert_cmpuint(d.nlog, ==, 1);
    check_access(&d, 0, false, 0, 4, 0x08070605);

    /* Seven bytes at offset 1 become aligned pieces of 1, 2 and 4. */
    d.nlog = 0;
    g_assert_cmpint(address_space_write(&ts.as, 0x1001,
                                        MEMTXATTRS_UNSPECIFIED, buf, 7), ==,
                    MEMTX_OK);
    g_assert_cmpuint(d.nlog, ==, 3);
    check_access(&d, 0, true, 1, 1, 0x01);
    check_access(&d, 1, true, 2, 2, 0x0302);
    check_access(&d, 2, true, 4, 4, 0x07060504);
    g_assert_cmpmem(d.mem + 1, 7, buf, 7);

    /* A straddling value access goes byte-wise through both. */
    d.nlog = 0;
    g_assert_cmphex(address_space_ldl_le(&ts.as, 0xffe,
                                         MEMTXATTRS_UNSPECIFIED, NULL), ==,
                    0x01050403);
    space_destroy(&ts, (MemoryRegion *[]){ &ram, &d.mr, NULL });
}

static void test_rw_rom(void)
{
    TestSpace ts;
    MemoryRegion rom;
    Error *err = NULL;
    uint8_t *host;
    uint8_t buf[4] = { 9, 9, 9, 9 };
    MemTxResult res = MEMTX_ERROR;
    char *log;

    space_init(&ts, "rom", 0x10000);
    g_assert_true(memory_region_init_rom(&rom, "bios", 0x1000, &err));
    g_assert_true(memory_region_is_rom(&rom));
    g_assert_true(memory_region_is_ram(&rom));
    host = memory_region_get_ram_ptr(&rom);
    memcpy(host, "\x11\x22\x33\x44", 4);
    memory_region_add_subregion(&ts.root, 0x100, &rom);

    g_assert_cmpint(address_space_write(&ts.as, 0x100, MEMTXATTRS_UNSPECIFIED,
                                        buf, 4), ==, MEMTX_OK);
    address_space_stl_le(&ts.as, 0x100, 0xdeadbeef, MEMTXATTRS_UNSPECIFIED,
                         &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmpmem(host, 4, "\x11\x22\x33\x44", 4);
    g_assert_cmphex(address_space_ldl_be(&ts.as, 0x100,
                                         MEMTXATTRS_UNSPECIFIED, &res), ==,
                    0x11223344);
    g_assert_cmpint(res, ==, MEMTX_OK);
    log = read_log();
    g_assert_nonnull(strstr(log, "to ROM bios ignored"));
    g_free(log);
    space_destroy(&ts, (MemoryRegion *[]){ &rom, NULL });
}

static void test_rw_unassigned(void)
{
    TestSpace ts;
    MemoryRegion ram;
    uint8_t buf[8];
    MemTxResult res = MEMTX_OK;
    uint64_t v = 1;

    space_init(&ts, "unassigned", 0x10000);
    init_ram(&ram, "ram", 0x1000);
    memory_region_add_subregion(&ts.root, 0, &ram);
    memset(memory_region_get_ram_ptr(&ram), 0x77, 0x1000);

    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpint(address_space_read(&ts.as, 0x5000, MEMTXATTRS_UNSPECIFIED,
                                       buf, 8), ==, MEMTX_DECODE_ERROR);
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmpuint(buf[i], ==, 0);
    }
    g_assert_cmpint(address_space_write(&ts.as, 0x5000,
                                        MEMTXATTRS_UNSPECIFIED, buf, 8), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(address_space_ldl_le(&ts.as, 0x5000,
                                         MEMTXATTRS_UNSPECIFIED, &res), ==, 0);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_read_value(&ts.as, 0x6000, 8, true, &v,
                                             MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0);

    /* Half mapped: the RAM half is read, the rest is zero. */
    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpint(address_space_read(&ts.as, 0xffc, MEMTXATTRS_UNSPECIFIED,
                                       buf, 8), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpmem(buf, 8, "\x77\x77\x77\x77\0\0\0\0", 8);
    space_destroy(&ts, (MemoryRegion *[]){ &ram, NULL });
}

/* --- Access-size adaptation --- */

static const MemoryRegionOps split_le_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps split_be_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static const MemoryRegionOps split2_be_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 2, .max_access_size = 2 },
};

static void test_dispatch_split(void)
{
    TestSpace ts;
    TestDev le, be, be2;
    uint64_t v;
    MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;

    space_init(&ts, "split", 0x10000);
    testdev_init(&le, &split_le_ops, "split-le");
    testdev_init(&be, &split_be_ops, "split-be");
    testdev_init(&be2, &split2_be_ops, "split2-be");
    memory_region_add_subregion(&ts.root, 0x1000, &le.mr);
    memory_region_add_subregion(&ts.root, 0x2000, &be.mr);
    memory_region_add_subregion(&ts.root, 0x3000, &be2.mr);

    /* LE device: value 0x44332211 is bytes 11 22 33 44 at offsets 0..3. */
    g_assert_cmpint(address_space_write_value(&ts.as, 0x1000, 4, false,
                                              0x44332211, at), ==, MEMTX_OK);
    g_assert_cmpuint(le.nlog, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        check_access(&le, i, true, i, 1, 0x11 * (i + 1));
    }
    le.nlog = 0;
    g_assert_cmpint(address_space_read_value(&ts.as, 0x1000, 4, false, &v,
                                             at), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x44332211);
    g_assert_cmpuint(le.nlog, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        check_access(&le, i, false, i, 1, 0x11 * (i + 1));
    }

    /* BE device, BE access: value 0x11223344 is bytes 11 22 33 44. */
    g_assert_cmpint(address_space_write_value(&ts.as, 0x2004, 4, true,
                                              0x11223344, at), ==, MEMTX_OK);
    g_assert_cmpuint(be.nlog, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        check_access(&be, i, true, 4 + i, 1, 0x11 * (i + 1));
    }
    be.nlog = 0;
    g_assert_cmphex(address_space_ldq_be(&ts.as, 0x2000, at, NULL), ==,
                    0xa0a1a2a311223344ull);
    g_assert_cmpuint(be.nlog, ==, 8);
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmphex(be.log[i].addr, ==, i);
    }

    /* BE device with 2-byte registers: the halves in address order, the
     * first one most significant in a BE access. */
    g_assert_cmpint(address_space_write_value(&ts.as, 0x3000, 4, true,
                                              0x11223344, at), ==, MEMTX_OK);
    g_assert_cmpuint(be2.nlog, ==, 2);
    check_access(&be2, 0, true, 0, 2, 0x1122);
    check_access(&be2, 1, true, 2, 2, 0x3344);
    /* The same through a LE access: bytes 44 33 22 11 in memory. */
    be2.nlog = 0;
    address_space_stl_le(&ts.as, 0x3000, 0x11223344, at, NULL);
    check_access(&be2, 0, true, 0, 2, 0x4433);
    check_access(&be2, 1, true, 2, 2, 0x2211);

    /* Region-level dispatch splits the same way. */
    le.nlog = 0;
    g_assert_cmpint(memory_region_dispatch_read(&le.mr, 0, 2, false, &v, at),
                    ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x2211);
    g_assert_cmpuint(le.nlog, ==, 2);
    space_destroy(&ts, (MemoryRegion *[]){ &le.mr, &be.mr, &be2.mr, NULL });
}

static const MemoryRegionOps widen_le_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static const MemoryRegionOps widen_be_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void test_dispatch_widen(void)
{
    TestSpace ts;
    TestDev le, be;
    MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;
    MemTxResult res = MEMTX_ERROR;

    space_init(&ts, "widen", 0x10000);
    testdev_init(&le, &widen_le_ops, "widen-le");
    testdev_init(&be, &widen_be_ops, "widen-be");
    memory_region_add_subregion(&ts.root, 0x1000, &le.mr);
    memory_region_add_subregion(&ts.root, 0x2000, &be.mr);

    /* A byte read is one aligned word read; the right byte is kept. */
    g_assert_cmphex(address_space_ldub(&ts.as, 0x1006, at, &res), ==, 0xa6);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmpuint(le.nlog, ==, 1);
    check_access(&le, 0, false, 4, 4, 0xa7a6a5a4);
    g_assert_cmphex(address_space_ldub(&ts.as, 0x2006, at, NULL), ==, 0xa6);
    g_assert_cmpuint(be.nlog, ==, 1);
    check_access(&be, 0, false, 4, 4, 0xa4a5a6a7);
    g_assert_cmphex(address_space_lduw_le(&ts.as, 0x2006, at, NULL), ==,
                    0xa7a6);

    /* A byte write is a read-modify-write of the word. */
    le.nlog = 0;
    address_space_stb(&ts.as, 0x1005, 0x5a, at, &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmpuint(le.nlog, ==, 2);
    check_access(&le, 0, false, 4, 4, 0xa7a6a5a4);
    check_access(&le, 1, true, 4, 4, 0xa7a65aa4);
    be.nlog = 0;
    address_space_stw_be(&ts.as, 0x2006, 0x1234, at, NULL);
    g_assert_cmpuint(be.nlog, ==, 2);
    check_access(&be, 0, false, 4, 4, 0xa4a5a6a7);
    check_access(&be, 1, true, 4, 4, 0xa4a51234);
    g_assert_cmpmem(be.mem + 4, 4, "\xa4\xa5\x12\x34", 4);

    /* A full-width access needs no widening. */
    le.nlog = 0;
    address_space_stl_le(&ts.as, 0x1008, 0x01020304, at, NULL);
    g_assert_cmpuint(le.nlog, ==, 1);
    check_access(&le, 0, true, 8, 4, 0x01020304);
    space_destroy(&ts, (MemoryRegion *[]){ &le.mr, &be.mr, NULL });
}

static const MemoryRegionOps strict_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 2, .max_access_size = 4 },
};

static const MemoryRegionOps unaligned_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps readonly_ops = {
    .read = testdev_read,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static void test_dispatch_invalid(void)
{
    TestSpace ts;
    TestDev d, u, ro;
    MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;
    uint64_t v = 1;
    char *log;

    space_init(&ts, "invalid", 0x10000);
    testdev_init(&d, &strict_ops, "strict");
    testdev_init(&u, &unaligned_ops, "unaligned");
    testdev_init(&ro, &readonly_ops, "readonly");
    memory_region_add_subregion(&ts.root, 0x1000, &d.mr);
    memory_region_add_subregion(&ts.root, 0x2000, &u.mr);
    memory_region_add_subregion(&ts.root, 0x3000, &ro.mr);

    /* Too small, too big, misaligned: refused without calling the device. */
    g_assert_cmpint(address_space_read_value(&ts.as, 0x1000, 1, false, &v,
                                             at), ==, MEMTX_ERROR);
    g_assert_cmphex(v, ==, 0);
    g_assert_cmpint(address_space_read_value(&ts.as, 0x1000, 8, false, &v,
                                             at), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_write_value(&ts.as, 0x1002, 4, false, 1,
                                              at), ==, MEMTX_ERROR);
    g_assert_cmpint(memory_region_dispatch_write(&d.mr, 1, 2, false, 1, at),
                    ==, MEMTX_ERROR);
    /* Past the end of the region. */
    g_assert_cmpint(memory_region_dispatch_read(&d.mr, 64, 2, false, &v, at),
                    ==, MEMTX_ERROR);
    g_assert_cmpuint(d.nlog, ==, 0);
    g_assert_cmpmem(d.mem, 4, "\xa0\xa1\xa2\xa3", 4);
    /* A 2-byte access is fine. */
    g_assert_cmpint(address_space_read_value(&ts.as, 0x1002, 2, false, &v,
                                             at), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xa3a2);
    log = read_log();
    g_assert_nonnull(strstr(log, "invalid access size 1 at 0 in strict"));
    g_assert_nonnull(strstr(log, "invalid access size 8 at 0 in strict"));
    g_free(log);

    /* Unaligned allowed by valid but not impl: aligned byte accesses. */
    g_assert_cmpint(address_space_read_value(&ts.as, 0x2001, 4, false, &v,
                                             at), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xa4a3a2a1);
    g_assert_cmpuint(u.nlog, ==, 4);
    check_access(&u, 0, false, 1, 1, 0xa1);
    check_access(&u, 3, false, 4, 1, 0xa4);

    /* No write callback: refused. */
    g_assert_cmpint(address_space_write_value(&ts.as, 0x3000, 4, false, 1,
                                              at), ==, MEMTX_ERROR);
    g_assert_cmpuint(ro.nlog, ==, 0);
    g_assert_cmpint(address_space_read_value(&ts.as, 0x3000, 4, false, &v,
                                             at), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xa3a2a1a0);
    space_destroy(&ts, (MemoryRegion *[]){ &d.mr, &u.mr, &ro.mr, NULL });
}

static void test_dispatch_big_endian(void)
{
    TestSpace ts;
    TestDev d;
    MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;
    uint8_t buf[4];

    space_init(&ts, "big-endian", 0x10000);
    testdev_init(&d, &be8_ops, "bedev");
    memory_region_add_subregion(&ts.root, 0x1000, &d.mr);

    /* The device's value is 0xa0a1a2a3 at 0; a BE load sees it as is. */
    g_assert_cmphex(address_space_ldl_be(&ts.as, 0x1000, at, NULL), ==,
                    0xa0a1a2a3);
    g_assert_cmphex(address_space_ldl_le(&ts.as, 0x1000, at, NULL), ==,
                    0xa3a2a1a0);
    g_assert_cmphex(address_space_lduw_be(&ts.as, 0x1002, at, NULL), ==,
                    0xa2a3);
    g_assert_cmphex(address_space_lduw_le(&ts.as, 0x1002, at, NULL), ==,
                    0xa3a2);
    g_assert_cmphex(address_space_ldq_be(&ts.as, 0x1008, at, NULL), ==,
                    0xa8a9aaabacadaeafull);
    g_assert_cmphex(address_space_ldq_le(&ts.as, 0x1008, at, NULL), ==,
                    0xafaeadacabaaa9a8ull);
    d.nlog = 0;
    address_space_stl_le(&ts.as, 0x1010, 0x11223344, at, NULL);
    check_access(&d, 0, true, 0x10, 4, 0x44332211);
    address_space_stl_be(&ts.as, 0x1014, 0x11223344, at, NULL);
    check_access(&d, 1, true, 0x14, 4, 0x11223344);
    address_space_stw_le(&ts.as, 0x1018, 0x1122, at, NULL);
    check_access(&d, 2, true, 0x18, 2, 0x2211);
    address_space_stq_be(&ts.as, 0x1020, 0x0102030405060708ull, at, NULL);
    check_access(&d, 3, true, 0x20, 8, 0x0102030405060708ull);
    address_space_stq_le(&ts.as, 0x1028, 0x0102030405060708ull, at, NULL);
    check_access(&d, 4, true, 0x28, 8, 0x0807060504030201ull);
    /* Bytes in memory order: the BE device's MSB comes first. */
    g_assert_cmpint(address_space_read(&ts.as, 0x1014, at, buf, 4), ==,
                    MEMTX_OK);
    g_assert_cmpmem(buf, 4, "\x11\x22\x33\x44", 4);
    space_destroy(&ts, (MemoryRegion *[]){ &d.mr, NULL });
}

static void test_dispatch_value_swap(void)
{
    TestSpace ts;
    TestDev d;
    MemoryRegion ram;
    MemTxAttrs at = MEMTXATTRS_UNSPECIFIED;
    uint64_t v;
    uint8_t *host;

    space_init(&ts, "value-swap", 0x10000);
    testdev_init(&d, &le8_ops, "ledev");
    memory_region_add_subregion(&ts.root, 0x1000, &d.mr);
    init_ram(&ram, "ram", 0x1000);
    memory_region_add_subregion(&ts.root, 0x2000, &ram);
    host = memory_region_get_ram_ptr(&ram);

    /* LE device: a BE access of size > 1 sees the bytes swapped. */
    g_assert_cmpint(address_space_read_value(&ts.as, 0x1000, 1, true, &v, at),
                    ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xa0);
    address_space_read_value(&ts.as, 0x1000, 2, true, &v, at);
    g_assert_cmphex(v, ==, 0xa0a1);
    address_space_read_value(&ts.as, 0x1000, 2, false, &v, at);
    g_assert_cmphex(v, ==, 0xa1a0);
    address_space_read_value(&ts.as, 0x1000, 4, true, &v, at);
    g_assert_cmphex(v, ==, 0xa0a1a2a3);
    address_space_read_value(&ts.as, 0x1000, 8, true, &v, at);
    g_assert_cmphex(v, ==, 0xa0a1a2a3a4a5a6a7ull);
    d.nlog = 0;
    address_space_write_value(&ts.as, 0x1008, 4, true, 0x11223344, at);
    check_access(&d, 0, true, 8, 4, 0x44332211);
    address_space_write_value(&ts.as, 0x1008, 1, true, 0x99, at);
    check_access(&d, 1, true, 8, 1, 0x99);
    /* Region-level entry, same contract. */
    memory_region_dispatch_read(&d.mr, 0, 4, true, &v, at);
    g_assert_cmphex(v, ==, 0xa0a1a2a3);

    /* RAM holds bytes; the access's order decides the value. */
    address_space_write_value(&ts.as, 0x2000, 4, true, 0x11223344, at);
    g_assert_cmpmem(host, 4, "\x11\x22\x33\x44", 4);
    address_space_read_value(&ts.as, 0x2000, 4, false, &v, at);
    g_assert_cmphex(v, ==, 0x44332211);
    address_space_stq_le(&ts.as, 0x2008, 0x0102030405060708ull, at, NULL);
    g_assert_cmpmem(host + 8, 8, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    g_assert_cmphex(address_space_ldq_be(&ts.as, 0x2008, at, NULL), ==,
                    0x0807060504030201ull);
    space_destroy(&ts, (MemoryRegion *[]){ &d.mr, &ram, NULL });
}

/* --- The BQL rule for MMIO --- */

typedef struct BqlThreadArgs {
    AddressSpace *as;
    MemTxResult r1, r2, r3;
    uint64_t v1, v2;
} BqlThreadArgs;

static void *bql_thread_fn(void *opaque)
{
    BqlThreadArgs *a = opaque;

    g_assert_false(bql_locked());
    a->r1 = address_space_read_value(a->as, 0x1000, 4, false, &a->v1,
                                     MEMTXATTRS_UNSPECIFIED);
    g_assert_false(bql_locked());
    a->r2 = address_space_read_value(a->as, 0x2000, 4, false, &a->v2,
                                     MEMTXATTRS_UNSPECIFIED);
    /* A split access takes the lock once, not per piece. */
    a->r3 = address_space_write_value(a->as, 0x3000, 4, false, 0x01020304,
                                      MEMTXATTRS_UNSPECIFIED);
    g_assert_false(bql_locked());
    return NULL;
}

static void test_bql_needs_bql(void)
{
    TestSpace ts;
    TestDev locked, free_dev, split;
    BqlThreadArgs a = { 0 };
    uint64_t c0, c1, s0, s1, hold, wait, v;
    pthread_t t;
    Error *err = NULL;

    space_init(&ts, "bql", 0x10000);
    testdev_init(&locked, &le_ops, "bql-locked");
    testdev_init(&free_dev, &le_ops, "bql-free");
    testdev_init(&split, &split_le_ops, "bql-split");
    memory_region_set_needs_bql(&free_dev.mr, false);
    memory_region_add_subregion(&ts.root, 0x1000, &locked.mr);
    memory_region_add_subregion(&ts.root, 0x2000, &free_dev.mr);
    memory_region_add_subregion(&ts.root, 0x3000, &split.mr);
    a.as = &ts.as;

    bql_stats_get("mmio:bql-locked", &c0, &hold, &wait);
    bql_stats_get("mmio:bql-split", &s0, &hold, &wait);
    /* The reader thread must be able to take the BQL. */
    bql_unlock();
    g_assert_true(thread_create(&t, "test-vcpu", bql_thread_fn, &a, &err));
    pthread_join(t, NULL);
    bql_lock(bql_cause_init);
    g_assert_null(err);

    g_assert_cmpint(a.r1, ==, MEMTX_OK);
    g_assert_cmpint(a.r2, ==, MEMTX_OK);
    g_assert_cmpint(a.r3, ==, MEMTX_OK);
    g_assert_cmphex(a.v1, ==, 0xa3a2a1a0);
    g_assert_cmphex(a.v2, ==, 0xa3a2a1a0);
    g_assert_cmpuint(locked.nlog, ==, 1);
    g_assert_true(locked.saw_bql);
    g_assert_cmpuint(free_dev.nlog, ==, 1);
    g_assert_false(free_dev.saw_bql);
    g_assert_cmpuint(split.nlog, ==, 4);
    g_assert_true(split.saw_bql);
    bql_stats_get("mmio:bql-locked", &c1, &hold, &wait);
    g_assert_cmpuint(c1, ==, c0 + 1);
    bql_stats_get("mmio:bql-split", &s1, &hold, &wait);
    g_assert_cmpuint(s1, ==, s0 + 1);

    /* The main thread holds the BQL already: dispatched directly, with no
     * second acquisition. */
    locked.saw_bql = false;
    address_space_read_value(&ts.as, 0x1000, 4, false, &v,
                             MEMTXATTRS_UNSPECIFIED);
    g_assert_true(locked.saw_bql);
    g_assert_true(bql_locked());
    bql_stats_get("mmio:bql-locked", &c0, &hold, &wait);
    g_assert_cmpuint(c0, ==, c1);
    space_destroy(&ts, (MemoryRegion *[]){ &locked.mr, &free_dev.mr,
                                           &split.mr, NULL });
}

/* --- Concurrent readers while the map changes (RCU; run under TSan) --- */

#define REMAP_READS 20000

typedef struct RemapArgs {
    AddressSpace *as;
    int go;                        /* atomic: the writer has started */
    int done;                      /* atomic: reader finished */
    unsigned seen_ram, seen_io, bad;
} RemapArgs;

static uint64_t const22_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x2222222222222222ull;
}

static void const22_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
}

static const MemoryRegionOps const22_ops = {
    .read = const22_read,
    .write = const22_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

static void *remap_reader_fn(void *opaque)
{
    RemapArgs *a = opaque;

    /* Start reading only once the writer is remapping, so the two really
     * overlap even when the scheduler runs this thread first. */
    while (!__atomic_load_n(&a->go, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
    for (unsigned i = 0; i < REMAP_READS; i++) {
        uint8_t buf[4];
        MemTxResult r = address_space_read(a->as, 0x100 + (i & 0xf) * 4,
                                           MEMTXATTRS_UNSPECIFIED, buf, 4);
        bool same = buf[1] == buf[0] && buf[2] == buf[0] && buf[3] == buf[0];

        if (r == MEMTX_OK && same && buf[0] == 0x11) {
            a->seen_ram++;
        } else if (r == MEMTX_OK && same && buf[0] == 0x22) {
            a->seen_io++;
        } else {
            a->bad++;
        }
    }
    __atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_rcu_concurrent_remap(void)
{
    TestSpace ts;
    MemoryRegion ram, io, ram_al;
    RemapArgs a = { 0 };
    pthread_t t;
    Error *err = NULL;
    unsigned remaps = 0;

    space_init(&ts, "remap", 0x10000);
    init_ram(&ram, "ram", 0x1000);
    memset(memory_region_get_ram_ptr(&ram), 0x11, 0x1000);
    memory_region_init_io(&io, &const22_ops, NULL, "io22", 0x1000);
    memory_region_set_needs_bql(&io, false);
    memory_region_init_alias(&ram_al, "ram-al", &ram, 0, 0x1000);
    memory_region_add_subregion(&ts.root, 0, &ram);
    a.as = &ts.as;

    g_assert_true(thread_create(&t, "test-reader", remap_reader_fn, &a,
                                &err));
    /* Alternate between three shapes, always fully covering [0, 0x1000):
     * RAM; IO on top of RAM; RAM through an alias with RAM moved away. */
    do {
        switch (remaps % 3) {
        case 0:
            memory_region_add_subregion_overlap(&ts.root, 0, &io, 1);
            break;
        case 1:
            memory_region_transaction_begin();
            memory_region_del_subregion(&ts.root, &io);
            memory_region_set_address(&ram, 0x4000);
            memory_region_add_subregion(&ts.root, 0, &ram_al);
            memory_region_transaction_commit();
            break;
        case 2:
            memory_region_transaction_begin();
            memory_region_del_subregion(&ts.root, &ram_al);
            memory_region_set_address(&ram, 0);
            memory_region_transaction_commit();
            break;
        }
        remaps++;
        __atomic_store_n(&a.go, 1, __ATOMIC_RELEASE);
    } while (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE));
    pthread_join(t, NULL);
    g_assert_null(err);
    g_test_message("%u remaps; reader saw RAM %u times, IO %u times",
                   remaps, a.seen_ram, a.seen_io);
    g_assert_cmpuint(a.bad, ==, 0);
    g_assert_cmpuint(a.seen_ram + a.seen_io, ==, REMAP_READS);
    g_assert_cmpuint(remaps, >, 0);
    if (io.parent) {
        memory_region_del_subregion(&ts.root, &io);
    }
    space_destroy(&ts, (MemoryRegion *[]){ &ram, &io, &ram_al, NULL });
}

/* --- Randomized rendering against a brute-force resolver --- */

#define RT_NODES   32
#define RT_WINDOW  0x400
#define RT_TREES   200
#define RT_MUTATIONS 12

typedef enum RtKind { RT_IO, RT_RAM, RT_CONTAINER, RT_ALIAS } RtKind;

/* The test's own model of a region, mirrored into the real tree. */
typedef struct RtNode {
    MemoryRegion mr;
    RtKind kind;
    uint64_t size;
    struct RtNode *parent;
    GPtrArray *children;           /* RtNode *, any order */
    hwaddr addr;
    int prio;
    unsigned seq;                  /* the model's insertion counter */
    bool enabled;
    struct RtNode *target;         /* RT_ALIAS */
    hwaddr alias_off;
} RtNode;

typedef struct RtTree {
    RtNode nodes[RT_NODES];
    RtNode root;
    AddressSpace as;
    unsigned seq;
    GRand *rand;
} RtTree;

static uint8_t rt_ram_buf[0x200];

static uint64_t rt_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static const MemoryRegionOps rt_ops = {
    .read = rt_read,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

/*
 * What the guest sees at offset off of n: the winning terminal region and
 * the offset in it, or NULL.  Straight from the definition: among the
 * enabled subregions that cover off and resolve to something, the highest
 * priority, then the latest added, wins; otherwise a terminal region is
 * itself; an alias is its target, shifted.
 */
static RtNode *rt_resolve(RtNode *n, uint64_t off, uint64_t *out_off,
                          int depth)
{
    RtNode *best = NULL;
    uint64_t best_off = 0;

    g_assert_cmpint(depth, <, 100);
    if (!n->enabled || off >= n->size) {
        return NULL;
    }
    if (n->kind == RT_ALIAS) {
        return rt_resolve(n->target, off + n->alias_off, out_off, depth + 1);
    }
    RtNode *best_child = NULL;
    for (unsigned i = 0; i < n->children->len; i++) {
        RtNode *c = g_ptr_array_index(n->children, i);
        RtNode *hit;
        uint64_t hit_off;

        if (off < c->addr || off - c->addr >= c->size) {
            continue;
        }
        if (best_child && (c->prio < best_child->prio ||
                           (c->prio == best_child->prio &&
                            c->seq < best_child->seq))) {
            continue;
        }
        hit = rt_resolve(c, off - c->addr, &hit_off, depth + 1);
        if (hit) {
            best_child = c;
            best = hit;
            best_off = hit_off;
        }
    }
    if (best) {
        *out_off = best_off;
        return best;
    }
    if (n->kind == RT_IO || n->kind == RT_RAM) {
        *out_off = off;
        return n;
    }
    return NULL;
}

static unsigned rt_range(RtTree *t, unsigned lo, unsigned hi)
{
    return g_rand_int_range(t->rand, lo, hi + 1);
}

static void rt_add(RtTree *t, RtNode *parent, RtNode *child, hwaddr addr,
                   int prio)
{
    child->parent = parent;
    child->addr = addr;
    child->prio = prio;
    child->seq = ++t->seq;
    g_ptr_array_add(parent->children, child);
    memory_region_add_subregion_overlap(&parent->mr, addr, &child->mr, prio);
}

static void rt_del(RtNode *child)
{
    RtNode *parent = child->parent;

    g_assert_true(g_ptr_array_remove(parent->children, child));
    child->parent = NULL;
    memory_region_del_subregion(&parent->mr, &child->mr);
}

static void rt_build(RtTree *t)
{
    memset(t, 0, sizeof(*t));
    t->root.kind = RT_CONTAINER;
    t->root.size = 0x300;
    t->root.enabled = true;
    t->root.children = g_ptr_array_new();
    memory_region_init(&t->root.mr, "rt-root", t->root.size);
    address_space_init(&t->as, &t->root.mr, "random");
}

static void rt_populate(RtTree *t)
{
    char name[16];

    memory_region_transaction_begin();
    for (unsigned i = 0; i < RT_NODES; i++) {
        RtNode *n = &t->nodes[i];

        n->kind = rt_range(t, 0, 3);
        if (n->kind == RT_ALIAS && i == 0) {
            n->kind = RT_IO;
        }
        n->enabled = true;
        n->children = g_ptr_array_new();
        snprintf(name, sizeof(name), "n%u", i);
        switch (n->kind) {
        case RT_IO:
            n->size = rt_range(t, 1, 0x120);
            memory_region_init_io(&n->mr, &rt_ops, NULL, name, n->size);
            break;
        case RT_RAM:
            n->size = rt_range(t, 1, 0x120);
            memory_region_init_ram_ptr(&n->mr, name, n->size, rt_ram_buf);
            break;
        case RT_CONTAINER:
            n->size = rt_range(t, 0x20, 0x300);
            memory_region_init(&n->mr, name, n->size);
            for (unsigned k = rt_range(t, 0, 4); i && k; k--) {
                RtNode *c = &t->nodes[rt_range(t, 0, i - 1)];

                if (!c->parent) {
                    rt_add(t, n, c, rt_range(t, 0, n->size + 0x40),
                           (int)rt_range(t, 0, 4) - 2);
                }
            }
            break;
        case RT_ALIAS:
            n->target = &t->nodes[rt_range(t, 0, i - 1)];
            n->alias_off = rt_range(t, 0, n->target->size + 0x10);
            n->size = rt_range(t, 1, 0x200);
            memory_region_init_alias(&n->mr, name, &n->target->mr,
                                     n->alias_off, n->size);
            break;
        }
    }
    /* Most of the rest go into the root; a few stay reachable only through
     * aliases. */
    for (unsigned i = 0; i < RT_NODES; i++) {
        if (!t->nodes[i].parent && rt_range(t, 0, 9) != 0) {
            rt_add(t, &t->root, &t->nodes[i], rt_range(t, 0, 0x380),
                   (int)rt_range(t, 0, 4) - 2);
        }
    }
    for (unsigned i = 0; i < RT_NODES; i++) {
        if (rt_range(t, 0, 6) == 0) {
            t->nodes[i].enabled = false;
            memory_region_set_enabled(&t->nodes[i].mr, false);
        }
    }
    memory_region_transaction_commit();
}

static void rt_check(RtTree *t, unsigned tree, unsigned step)
{
    FlatView *fv;
    unsigned nr;

    rcu_read_lock();
    fv = rcu_load(&t->as.current_map);
    nr = flatview_nr_ranges(fv);
    /* Sorted, disjoint, non-empty, maximally merged. */
    for (unsigned i = 0; i + 1 < nr; i++) {
        MemoryRegionSection a = flatview_range(fv, i);
        MemoryRegionSection b = flatview_range(fv, i + 1);

        g_assert_cmpuint(a.size, >, 0);
        g_assert_cmphex(a.addr + a.size - 1, <, b.addr);
        g_assert_false(a.mr == b.mr && a.addr + a.size == b.addr &&
                       a.offset_in_region + a.size == b.offset_in_region);
    }
    for (hwaddr addr = 0; addr < RT_WINDOW; addr++) {
        MemoryRegionSection s = flatview_lookup(fv, addr);
        uint64_t want_off = 0;
        RtNode *want = rt_resolve(&t->root, addr, &want_off, 0);
        bool ok;

        if (want) {
            ok = s.mr == &want->mr &&
                 s.offset_in_region + (addr - s.addr) == want_off;
        } else {
            ok = s.mr == NULL;
        }
        if (!ok) {
            g_test_message("tree %u step %u addr %#" PRIx64 ": got %s+%#"
                           PRIx64 ", want %s+%#" PRIx64, tree, step, addr,
                           s.mr ? s.mr->name : "(none)",
                           s.offset_in_region + (addr - s.addr),
                           want ? want->mr.name : "(none)", want_off);
            memory_tree_dump(stderr, &t->as, false);
            memory_tree_dump(stderr, &t->as, true);
        }
        g_assert_true(ok);
    }
    rcu_read_unlock();
}

static void rt_mutate(RtTree *t)
{
    RtNode *n = &t->nodes[rt_range(t, 0, RT_NODES - 1)];

    switch (rt_range(t, 0, 4)) {
    case 0:
        n->enabled = !n->enabled;
        memory_region_set_enabled(&n->mr, n->enabled);
        break;
    case 1:
        if (n->parent) {
            n->addr = rt_range(t, 0, n->parent->size + 0x40);
            memory_region_set_address(&n->mr, n->addr);
        }
        break;
    case 2:
        if (n->parent) {
            RtNode *p = n->parent;

            rt_del(n);
            rt_add(t, p, n, n->addr, (int)rt_range(t, 0, 4) - 2);
        }
        break;
    case 3:
        if (n->kind == RT_ALIAS) {
            n->alias_off = rt_range(t, 0, n->target->size + 0x10);
            memory_region_set_alias_offset(&n->mr, n->alias_off);
        }
        break;
    case 4:
        if (n->parent) {
            rt_del(n);
        } else {
            rt_add(t, &t->root, n, rt_range(t, 0, 0x380),
                   (int)rt_range(t, 0, 4) - 2);
        }
        break;
    }
}

static void rt_destroy(RtTree *t)
{
    address_space_destroy(&t->as);
    /* Parents have higher indices than their children (and the root is
     * above all), so finalizing downwards never meets a mapped region. */
    memory_region_finalize(&t->root.mr);
    g_ptr_array_free(t->root.children, true);
    for (int i = RT_NODES - 1; i >= 0; i--) {
        memory_region_finalize(&t->nodes[i].mr);
        g_ptr_array_free(t->nodes[i].children, true);
    }
    g_rand_free(t->rand);
}

static void test_render_random(void)
{
    for (unsigned tree = 0; tree < RT_TREES; tree++) {
        RtTree *t = g_new(RtTree, 1);

        rt_build(t);
        t->rand = g_rand_new_with_seed(0x7a4de3 + tree);
        rt_populate(t);
        rt_check(t, tree, 0);
        for (unsigned step = 1; step <= RT_MUTATIONS; step++) {
            rt_mutate(t);
            rt_check(t, tree, step);
        }
        rt_destroy(t);
        g_free(t);
    }
}

/* --- info mtree --- */

static void test_dump(void)
{
    TestSpace ts;
    MemoryRegion dram, dio, dk, dr2, dal, doff;
    char *text;
    size_t len;
    FILE *f;

    space_init(&ts, "dumpme", 0x10000);
    init_ram(&dram, "dram", 0x1000);
    memory_region_init_io(&dio, &le_ops, NULL, "dio", 0x100);
    memory_region_init(&dk, "dk", 0x1000);
    init_ram(&dr2, "dr2", 0x800);
    memory_region_init_alias(&dal, "dal", &dk, 0, 0x800);
    init_ram(&doff, "doff", 0x10);
    memory_region_add_subregion(&ts.root, 0x1000, &dram);
    memory_region_add_subregion_overlap(&ts.root, 0x1800, &dio, 1);
    memory_region_add_subregion(&dk, 0, &dr2);
    memory_region_add_subregion(&ts.root, 0x8000, &dal);
    memory_region_add_subregion(&ts.root, 0x9000, &doff);
    memory_region_set_enabled(&doff, false);

    f = open_memstream(&text, &len);
    memory_tree_dump(f, &ts.as, false);
    fclose(f);
    g_test_message("%s", text);
    g_assert_nonnull(strstr(text,
        "address-space: dumpme\n"
        "  0000000000000000-000000000000ffff (prio 0, container): dumpme\n"
        "    0000000000001800-00000000000018ff (prio 1, io): dio\n"));
    g_assert_nonnull(strstr(text,
        "    0000000000001000-0000000000001fff (prio 0, ram): dram\n"));
    g_assert_nonnull(strstr(text,
        "    0000000000008000-00000000000087ff (prio 0, alias): dal @dk "
        "0000000000000000-00000000000007ff\n"));
    g_assert_nonnull(strstr(text,
        "    0000000000009000-000000000000900f (prio 0, ram) [disabled]: "
        "doff\n"));
    g_assert_nonnull(strstr(text,
        "memory-region: dk\n"
        "  0000000000000000-0000000000000fff (prio 0, container): dk\n"
        "    0000000000000000-00000000000007ff (prio 0, ram): dr2\n"));
    free(text);

    f = open_memstream(&text, &len);
    memory_tree_dump(f, &ts.as, true);
    fclose(f);
    g_test_message("%s", text);
    g_assert_cmpstr(text, ==,
        "FlatView for address-space: dumpme\n"
        "  0000000000001000-00000000000017ff (ram): dram\n"
        "  0000000000001800-00000000000018ff (io): dio\n"
        "  0000000000001900-0000000000001fff (ram): dram @0000000000000900\n"
        "  0000000000008000-00000000000087ff (ram): dr2\n");
    free(text);
    space_destroy(&ts, (MemoryRegion *[]){ &dram, &dio, &dal, &doff, &dr2,
                                           &dk, NULL });
}

/* --- The machine's address spaces --- */

static void test_system_spaces(void)
{
    MemoryRegion ram;
    TestDev d;
    MemTxResult res = MEMTX_ERROR;

    g_assert_true(address_space_memory.root == get_system_memory());
    g_assert_true(address_space_io.root == get_system_io());
    g_assert_cmpstr(memory_region_name(get_system_memory()), ==, "system");
    g_assert_cmphex(memory_region_size(get_system_memory()), ==, UINT64_MAX);
    g_assert_cmpstr(memory_region_name(get_system_io()), ==, "io");
    g_assert_cmphex(memory_region_size(get_system_io()), ==, 0x10000);

    init_ram(&ram, "sysram", 0x10000);
    memory_region_add_subregion(get_system_memory(), 0x100000, &ram);
    address_space_stl_le(&address_space_memory, 0x100010, 0x12345678,
                         MEMTXATTRS_UNSPECIFIED, &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0x100010,
                                         MEMTXATTRS_UNSPECIFIED, NULL), ==,
                    0x12345678);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0x200000,
                                         MEMTXATTRS_UNSPECIFIED, &res), ==, 0);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);

    testdev_init(&d, &le_ops, "sysport");
    memory_region_add_subregion(get_system_io(), 0x3f8, &d.mr);
    address_space_stb(&address_space_io, 0x3f9, 0x41, MEMTXATTRS_UNSPECIFIED,
                      &res);
    g_assert_cmpint(res, ==, MEMTX_OK);
    check_access(&d, 0, true, 1, 1, 0x41);
    /* Port space ends at 64 KiB. */
    address_space_ldub(&address_space_io, 0x10000, MEMTXATTRS_UNSPECIFIED,
                       &res);
    g_assert_cmpint(res, ==, MEMTX_DECODE_ERROR);

    memory_region_del_subregion(get_system_memory(), &ram);
    memory_region_del_subregion(get_system_io(), &d.mr);
    memory_region_finalize(&ram);
    memory_region_finalize(&d.mr);
}

static void test_ram_alloc_failure(void)
{
    MemoryRegion big;
    Error *err = NULL;

    /* More than any x86-64 user address space can hold. */
    g_assert_false(memory_region_init_ram(&big, "huge", 1ull << 62, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "huge"));
    error_free(err);
}

int main(int argc, char **argv)
{
    Error *err = NULL;
    int fd, r;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);

    /* Guest-error lines go to a file that tests can inspect. */
    fd = g_file_open_tmp("test-memory-XXXXXX.log", &log_path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    if (!log_set_file(log_path, &err)) {
        error_report_err(err);
        return 1;
    }
    log_mask = LOG_GUEST_ERROR;

    g_test_add_func("/memory/render/priority", test_render_priority);
    g_test_add_func("/memory/render/clip", test_render_clip);
    g_test_add_func("/memory/render/alias-ram", test_render_alias_ram);
    g_test_add_func("/memory/render/alias-container",
                    test_render_alias_container);
    g_test_add_func("/memory/render/merge", test_render_merge);
    g_test_add_func("/memory/render/del", test_render_del);
    g_test_add_func("/memory/render/enabled", test_render_enabled);
    g_test_add_func("/memory/render/set-address", test_render_set_address);
    g_test_add_func("/memory/render/size-max", test_render_size_max);
    g_test_add_func("/memory/render/random", test_render_random);
    g_test_add_func("/memory/transaction", test_transaction);
    g_test_add_func("/memory/lookup/gaps", test_lookup_gaps);
    g_test_add_func("/memory/rw/ram-io-boundary", test_rw_ram_io_boundary);
    g_test_add_func("/memory/rw/rom", test_rw_rom);
    g_test_add_func("/memory/rw/unassigned", test_rw_unassigned);
    g_test_add_func("/memory/dispatch/split", test_dispatch_split);
    g_test_add_func("/memory/dispatch/widen", test_dispatch_widen);
    g_test_add_func("/memory/dispatch/invalid", test_dispatch_invalid);
    g_test_add_func("/memory/dispatch/big-endian", test_dispatch_big_endian);
    g_test_add_func("/memory/dispatch/value-swap", test_dispatch_value_swap);
    g_test_add_func("/memory/bql/needs-bql", test_bql_needs_bql);
    g_test_add_func("/memory/rcu/concurrent-remap",
                    test_rcu_concurrent_remap);
    g_test_add_func("/memory/dump", test_dump);
    g_test_add_func("/memory/system-spaces", test_system_spaces);
    g_test_add_func("/memory/ram-alloc-failure", test_ram_alloc_failure);
    r = g_test_run();

    bql_unlock();
    /* No rcu_barrier() here: under TSan, liburcu's barrier bookkeeping
     * (allocated by the caller, freed by the call_rcu thread) shows up as
     * a race, since TSan cannot see liburcu's own synchronization. */
    unlink(log_path);
    g_free(log_path);
    rcu_unregister_thread();
    return r;
}
