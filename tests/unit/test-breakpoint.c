/*
 * test-breakpoint.c: the generic breakpoint and watchpoint lists
 * (accel/breakpoint.c, include/exec/breakpoint.h): insertion and removal
 * with owners, error codes, watchpoint matching at range edges and by
 * access kind, removal by owner, the all-vCPU question the translator
 * asks, the recorded hit, and lookups racing with changes from another
 * thread (for TSan).  CPUs come from the test accelerator, never started.
 */
#include "util/osdep.h"
#include "support/accel-test.h"
#include "exec/breakpoint.h"
#include "system/bql.h"

static CPUState *cpu0, *cpu1;

static void test_insert_remove(void)
{
    g_assert_cmpint(cpu_breakpoint_insert(cpu0, 0x1000, BP_GDB), ==, 0);
    g_assert_cmpint(cpu_breakpoint_insert(cpu0, 0x1000, BP_GDB), ==, -EEXIST);
    /* Another owner at the same address is a separate entry. */
    g_assert_cmpint(cpu_breakpoint_insert(cpu0, 0x1000, BP_CPU), ==, 0);
    g_assert_cmpint(cpu_breakpoint_insert(cpu0, 0x1000, 0), ==, -EINVAL);
    g_assert_cmpint(cpu_breakpoint_insert(cpu0, 0x1000,
                                          BP_GDB | BP_CPU), ==, -EINVAL);
    g_assert_cmpint(cpu_breakpoint_insert(cpu0, 0x1000,
                                          BP_GDB | BP_MEM_READ), ==, -EINVAL);
    g_assert_true(cpu_breakpoint_test(cpu0, 0x1000, BP_GDB));
    g_assert_true(cpu_breakpoint_test(cpu0, 0x1000, BP_CPU));
    g_assert_false(cpu_breakpoint_test(cpu0, 0x1001, BP_OWNERS));
    g_assert_false(cpu_breakpoint_test(cpu1, 0x1000, BP_OWNERS));

    g_assert_cmpint(cpu_breakpoint_remove(cpu0, 0x1000, BP_GDB), ==, 0);
    g_assert_cmpint(cpu_breakpoint_remove(cpu0, 0x1000, BP_GDB), ==, -ENOENT);
    g_assert_false(cpu_breakpoint_test(cpu0, 0x1000, BP_GDB));
    g_assert_true(cpu_breakpoint_test(cpu0, 0x1000, BP_CPU));
    g_assert_cmpint(cpu_breakpoint_remove(cpu0, 0x1000, BP_CPU), ==, 0);
    g_assert_false(cpu_breakpoint_test(cpu0, 0x1000, BP_OWNERS));
}

static void test_any_cpu(void)
{
    g_assert_false(cpu_any_breakpoint_at(0x2000));
    g_assert_cmpint(cpu_breakpoint_insert(cpu1, 0x2000, BP_CPU), ==, 0);
    g_assert_true(cpu_any_breakpoint_at(0x2000));
    g_assert_false(cpu_any_breakpoint_at(0x2001));
    g_assert_false(cpu_breakpoint_test(cpu0, 0x2000, BP_OWNERS));
    g_assert_cmpint(cpu_breakpoint_remove(cpu1, 0x2000, BP_CPU), ==, 0);
    g_assert_false(cpu_any_breakpoint_at(0x2000));
}

static void test_watch_match(void)
{
    CPUWatchpoint wp;

    g_assert_false(cpu_has_watchpoints(cpu0));
    g_assert_cmpint(cpu_watchpoint_insert(cpu0, 0x100, 4,
                                          BP_GDB | BP_MEM_WRITE), ==, 0);
    g_assert_cmpint(cpu_watchpoint_insert(cpu0, 0x100, 4,
                                          BP_GDB | BP_MEM_WRITE), ==, -EEXIST);
    g_assert_cmpint(cpu_watchpoint_insert(cpu0, 0x100, 0,
                                          BP_GDB | BP_MEM_WRITE), ==, -EINVAL);
    g_assert_cmpint(cpu_watchpoint_insert(cpu0, 0x100, 4, BP_GDB), ==,
                    -EINVAL);
    g_assert_cmpint(cpu_watchpoint_insert(cpu0, UINT64_MAX, 2,
                                          BP_GDB | BP_MEM_READ), ==, -EINVAL);
    g_assert_true(cpu_has_watchpoints(cpu0));

    /* [0x100, 0x104): edges of 1-, 2- and 8-byte accesses. */
    g_assert_true(cpu_watchpoint_match(cpu0, 0x100, 1, BP_MEM_WRITE,
                                       BP_OWNERS, &wp));
    g_assert_cmphex(wp.addr, ==, 0x100);
    g_assert_cmphex(wp.len, ==, 4);
    g_assert_true(cpu_watchpoint_match(cpu0, 0x103, 1, BP_MEM_WRITE,
                                       BP_OWNERS, NULL));
    g_assert_false(cpu_watchpoint_match(cpu0, 0x104, 1, BP_MEM_WRITE,
                                        BP_OWNERS, NULL));
    g_assert_false(cpu_watchpoint_match(cpu0, 0xfe, 2, BP_MEM_WRITE,
                                        BP_OWNERS, NULL));
    g_assert_true(cpu_watchpoint_match(cpu0, 0xff, 2, BP_MEM_WRITE,
                                       BP_OWNERS, NULL));
    g_assert_true(cpu_watchpoint_match(cpu0, 0xf8, 16, BP_MEM_WRITE,
                                       BP_OWNERS, NULL));
    /* A write watchpoint ignores reads; the owner mask filters. */
    g_assert_false(cpu_watchpoint_match(cpu0, 0x100, 4, BP_MEM_READ,
                                        BP_OWNERS, NULL));
    g_assert_false(cpu_watchpoint_match(cpu0, 0x100, 4, BP_MEM_WRITE,
                                        BP_CPU, NULL));
    /* len 0: any watchpoint on that address, whatever the access. */
    g_assert_true(cpu_watchpoint_match(cpu0, 0x102, 0, 0, BP_OWNERS, NULL));
    g_assert_false(cpu_watchpoint_match(cpu1, 0x100, 4, BP_MEM_WRITE,
                                        BP_OWNERS, NULL));

    g_assert_cmpint(cpu_watchpoint_insert(cpu0, 0x200, 8,
                                          BP_CPU | BP_MEM_ACCESS), ==, 0);
    g_assert_true(cpu_watchpoint_match(cpu0, 0x207, 1, BP_MEM_READ,
                                       BP_CPU, &wp));
    g_assert_cmpint(wp.flags, ==, BP_CPU | BP_MEM_ACCESS);

    g_assert_cmpint(cpu_watchpoint_remove(cpu0, 0x100, 4,
                                          BP_GDB | BP_MEM_READ), ==, -ENOENT);
    g_assert_cmpint(cpu_watchpoint_remove(cpu0, 0x100, 4,
                                          BP_GDB | BP_MEM_WRITE), ==, 0);
    g_assert_cmpint(cpu_watchpoint_remove(cpu0, 0x200, 8,
                                          BP_CPU | BP_MEM_ACCESS), ==, 0);
    g_assert_false(cpu_has_watchpoints(cpu0));
}

static void test_remove_all(void)
{
    cpu_breakpoint_insert(cpu0, 0x10, BP_GDB);
    cpu_breakpoint_insert(cpu0, 0x20, BP_CPU);
    cpu_watchpoint_insert(cpu0, 0x30, 4, BP_GDB | BP_MEM_READ);
    cpu_watchpoint_insert(cpu0, 0x40, 4, BP_CPU | BP_MEM_WRITE);
    cpu_breakpoint_remove_all(cpu0, BP_GDB);
    g_assert_false(cpu_breakpoint_test(cpu0, 0x10, BP_OWNERS));
    g_assert_true(cpu_breakpoint_test(cpu0, 0x20, BP_CPU));
    g_assert_false(cpu_watchpoint_match(cpu0, 0x30, 4, BP_MEM_READ,
                                        BP_OWNERS, NULL));
    g_assert_true(cpu_watchpoint_match(cpu0, 0x40, 4, BP_MEM_WRITE,
                                       BP_CPU, NULL));
    cpu_breakpoint_remove_all(cpu0, BP_OWNERS);
    g_assert_false(cpu_any_breakpoint_at(0x20));
    g_assert_false(cpu_has_watchpoints(cpu0));
}

static void test_hit(void)
{
    CPUWatchpointHit h = { .wp = { 0x100, 4, BP_GDB | BP_MEM_WRITE },
                           .addr = 0x102, .access = BP_MEM_WRITE }, got;

    g_assert_false(cpu_watchpoint_hit(cpu1, &got));
    cpu_watchpoint_set_hit(cpu1, &h);
    g_assert_true(cpu_watchpoint_hit(cpu1, &got));
    g_assert_cmphex(got.addr, ==, 0x102);
    g_assert_cmphex(got.wp.len, ==, 4);
    g_assert_cmpint(got.access, ==, BP_MEM_WRITE);
    cpu_watchpoint_clear_hit(cpu1);
    g_assert_false(cpu_watchpoint_hit(cpu1, NULL));
}

static void test_single_step_flags(void)
{
    cpu_single_step(cpu0, SSTEP_ENABLE | SSTEP_NOIRQ);
    g_assert_cmpint(cpu0->singlestep_enabled, ==, SSTEP_ENABLE | SSTEP_NOIRQ);
    cpu_single_step(cpu0, 0);
    g_assert_cmpint(cpu0->singlestep_enabled, ==, 0);
}

static bool race_stop;

static void *race_writer(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        cpu_breakpoint_insert(cpu1, 0x5000 + (i & 15), BP_GDB);
        cpu_watchpoint_insert(cpu1, 0x6000, 4, BP_CPU | BP_MEM_WRITE);
        cpu_breakpoint_remove(cpu1, 0x5000 + (i & 15), BP_GDB);
        cpu_watchpoint_remove(cpu1, 0x6000, 4, BP_CPU | BP_MEM_WRITE);
    }
    __atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
    return NULL;
}

/* The translator's and the slow path's lookups race with changes. */
static void test_race(void)
{
    pthread_t t;
    unsigned long seen = 0;

    pthread_create(&t, NULL, race_writer, NULL);
    while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
        for (int i = 0; i < 16; i++) {
            seen += cpu_any_breakpoint_at(0x5000 + i);
        }
        seen += cpu_watchpoint_match(cpu1, 0x6002, 1, BP_MEM_WRITE,
                                     BP_OWNERS, NULL);
    }
    pthread_join(t, NULL);
    g_assert_false(cpu_any_breakpoint_at(0x5000));
    g_assert_false(cpu_has_watchpoints(cpu1));
    g_test_message("lookups that found an entry: %lu", seen);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    accel_test_init();
    bql_lock(bql_cause_init);
    cpu0 = &test_cpu_new(0)->parent;
    cpu1 = &test_cpu_new(1)->parent;
    bql_unlock();
    g_test_add_func("/breakpoint/insert-remove", test_insert_remove);
    g_test_add_func("/breakpoint/any-cpu", test_any_cpu);
    g_test_add_func("/breakpoint/watch-match", test_watch_match);
    g_test_add_func("/breakpoint/remove-all", test_remove_all);
    g_test_add_func("/breakpoint/hit", test_hit);
    g_test_add_func("/breakpoint/single-step-flags", test_single_step_flags);
    g_test_add_func("/breakpoint/race", test_race);
    return g_test_run();
}
