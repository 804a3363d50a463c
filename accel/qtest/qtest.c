/*
 * accel/qtest/qtest.c: the "qtest" accelerator, which runs no guest code.
 *
 * Device tests (-accel qtest -qtest CHARDEV) build the real machine with
 * its devices but no vCPU threads: the test program is the only thing that
 * touches memory and ports, through the protocol in system/qtest.c.  Time
 * must be the test's to control as well, so init_machine puts CLK_VIRTUAL
 * in manual mode: it moves only on clock_step/clock_set, and a device timer
 * fires exactly when the test says so.
 *
 * init_machine runs in the main thread with the BQL held, once; the other
 * AccelOps hooks are not needed because no vCPU ever runs.
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "system/main-loop.h"

static bool qtest_accel_available(Error **errp)
{
    return true;
}

/* Main thread, BQL, before any device timer can fire. */
static bool qtest_accel_init_machine(MachineState *ms, Error **errp)
{
    clock_virtual_set_manual(true);
    return true;
}

static const AccelOps qtest_accel_ops = {
    .name = "qtest",
    .thread_suffix = "qtest",
    .has_vcpu_threads = false,
    .available = qtest_accel_available,
    .init_machine = qtest_accel_init_machine,
};

__attribute__((constructor)) static void qtest_accel_register(void)
{
    accel_register(&qtest_accel_ops);
}
