/*
 * test-irqfd.c: irq_set_irqfd() without an in-kernel irqchip: the main
 * loop watches the eventfd and pulses the line; a receiver's irqfd_hook
 * takes over when it has one; deassigning stops the pulses.  Main thread,
 * BQL held (the main loop drops it while it polls).
 */
#include "util/osdep.h"
#include "hw/irq.h"
#include "system/bql.h"
#include "system/main-loop.h"
#include "system/rcu.h"

#include <sys/eventfd.h>

static int rises, falls;

static void count_edges(void *opaque, int n, int level)
{
    if (level) {
        rises++;
    } else {
        falls++;
    }
}

static int hook_calls, hook_fd;
static bool hook_assign;

static bool fake_hook(IrqLine *irq, int fd, bool assign, Error **errp)
{
    hook_calls++;
    hook_fd = fd;
    hook_assign = assign;
    return true;
}

static void signal_fd(int fd)
{
    uint64_t one = 1;

    g_assert_cmpint(write(fd, &one, sizeof(one)), ==, sizeof(one));
}

static void test_irqfd_main_loop(void)
{
    IrqLine *irq = irq_new(count_edges, NULL, 0);
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    Error *err = NULL;

    g_assert_cmpint(fd, >=, 0);
    g_assert_true(irq_set_irqfd(irq, fd, true, &err));
    rises = falls = 0;
    signal_fd(fd);
    signal_fd(fd);              /* two signals before the loop looks: one
                                   edge, as with an edge-triggered line */
    event_loop_run_once(main_loop_get(), true);
    g_assert_cmpint(rises, ==, 1);
    g_assert_cmpint(falls, ==, 1);
    g_assert_cmpint(irq->level, ==, 0);

    g_assert_true(irq_set_irqfd(irq, fd, false, &err));
    signal_fd(fd);
    event_loop_run_once(main_loop_get(), false);
    g_assert_cmpint(rises, ==, 1);

    irq_free(irq);
    close(fd);
}

static void test_irqfd_hook(void)
{
    IrqLine *irq = irq_new(count_edges, NULL, 0);
    Error *err = NULL;

    irq->irqfd_hook = fake_hook;
    g_assert_true(irq_set_irqfd(irq, 42, true, &err));
    g_assert_cmpint(hook_calls, ==, 1);
    g_assert_cmpint(hook_fd, ==, 42);
    g_assert_true(hook_assign);
    /* Redirecting the line drops the old receiver's hook. */
    irq_redirect(irq, count_edges, NULL, 1);
    g_assert_null(irq->irqfd_hook);
    irq_free(irq);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    main_loop_init();
    bql_lock(bql_cause_init);
    g_test_add_func("/irqfd/main-loop", test_irqfd_main_loop);
    g_test_add_func("/irqfd/hook", test_irqfd_hook);
    return g_test_run();
}
