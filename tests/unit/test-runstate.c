/*
 * test-runstate.c: run state, vm_start/vm_stop, reset and shutdown requests
 * and main_loop_run (system/runstate.c), with real vCPU threads of the test
 * accelerator and the real main loop.
 *
 * The run state is process-global and SHUTDOWN is final, so every test runs
 * in its own subprocess (g_test_trap_subprocess), with a time limit that
 * turns a hang into a failure.  The main thread holds the BQL, as main()
 * does, except while it sleeps.
 */
#include "util/osdep.h"
#include "support/accel-test.h"
#include "system/bql.h"
#include "system/main-loop.h"
#include "system/rcu.h"
#include "system/runstate.h"
#include "util/thread.h"

#define WAIT_MS 10000
#define CHILD_TIMEOUT_US (60 * G_USEC_PER_SEC)

/* Runs the current test's body in a fresh process; true in the child. */
static bool in_child(void)
{
    if (g_test_subprocess()) {
        test_watchdog_arm(50);
        return true;
    }
    g_test_trap_subprocess(NULL, CHILD_TIMEOUT_US,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
    return false;
}

static void child_end(void)
{
    cpu_stop_all_and_join();
    g_assert_cmpuint(__atomic_load_n(&accel_test_violations,
                                     __ATOMIC_SEQ_CST), ==, 0);
}

static bool cpu_paused(void *opaque)
{
    return ((TestCPU *)opaque)->parent.state == VCPU_PAUSED;
}

/* ------------------------------------------------------------------ */

static void test_states(void)
{
    TestCPU *c[2];
    uint64_t base[2];

    if (!in_child()) {
        return;
    }
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_PRELAUNCH);
    g_assert_false(runstate_is_running());
    g_assert_cmpstr(runstate_name(RUN_STATE_PRELAUNCH), ==, "prelaunch");
    g_assert_cmpstr(runstate_name(RUN_STATE_RUNNING), ==, "running");
    g_assert_cmpstr(runstate_name(RUN_STATE_PAUSED), ==, "paused");
    g_assert_cmpstr(runstate_name(RUN_STATE_SHUTDOWN), ==, "shutdown");

    /* Created before vm_start (-S): born stopped, no guest code. */
    test_cpus_start(c, 2);
    for (int i = 0; i < 2; i++) {
        g_assert_true(test_wait_until(cpu_paused, c[i], WAIT_MS));
    }
    test_sleep_ms(20);
    g_assert_cmpuint(test_cpu_counter(c[0]) + test_cpu_counter(c[1]), ==, 0);

    vm_start();
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_RUNNING);
    g_assert_true(clock_virtual_is_running());
    for (int i = 0; i < 2; i++) {
        g_assert_true(test_cpu_advanced(c[i], 0, 1000, WAIT_MS));
    }

    vm_stop(RUN_STATE_PAUSED);
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_PAUSED);
    g_assert_false(clock_virtual_is_running());
    g_assert_true(all_vcpus_paused());
    for (int i = 0; i < 2; i++) {
        base[i] = test_cpu_counter(c[i]);
    }
    test_sleep_ms(20);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpuint(test_cpu_counter(c[i]), ==, base[i]);
    }

    vm_start();
    g_assert_true(clock_virtual_is_running());
    for (int i = 0; i < 2; i++) {
        g_assert_true(test_cpu_advanced(c[i], base[i], 1000, WAIT_MS));
    }
    vm_stop(RUN_STATE_SHUTDOWN);
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_SHUTDOWN);
    g_assert_true(all_vcpus_paused());
    child_end();
}

/* ------------------------------------------------------------------ */

static int handler_seq[3];          /* BQL */
static int handler_calls[3];        /* BQL */

static void seq_handler(void *opaque)
{
    int i = (int)(intptr_t)opaque;

    g_assert_true(bql_locked());
    g_assert_true(all_vcpus_paused());
    handler_calls[i]++;
    handler_seq[i] = ++accel_test_seq;
}

static void test_reset_handlers(void)
{
    TestCPU *c[2];

    if (!in_child()) {
        return;
    }
    test_cpus_start(c, 2);
    vm_start();
    reset_handler_register(seq_handler, (void *)(intptr_t)0);
    reset_handler_register(seq_handler, (void *)(intptr_t)1);
    reset_handler_register(seq_handler, (void *)(intptr_t)2);
    reset_handler_unregister(seq_handler, (void *)(intptr_t)1);

    pause_all_vcpus();
    system_reset();
    resume_all_vcpus();

    g_assert_cmpint(handler_calls[0], ==, 1);
    g_assert_cmpint(handler_calls[1], ==, 0);
    g_assert_cmpint(handler_calls[2], ==, 1);
    /* Handlers in registration order, then each CPU: reset, put_state. */
    g_assert_cmpint(handler_seq[0], <, handler_seq[2]);
    g_assert_cmpint(handler_seq[2], <, c[0]->reset_seq);
    g_assert_cmpint(c[0]->reset_seq, <, c[0]->put_state_seq);
    g_assert_cmpint(c[0]->put_state_seq, <, c[1]->reset_seq);
    g_assert_cmpint(c[1]->reset_seq, <, c[1]->put_state_seq);
    g_assert_true(test_cpu_advanced(c[0], test_cpu_counter(c[0]), 1000,
                                    WAIT_MS));
    child_end();
}

/* What main() does: build, reset at once (no pause), then vm_start.  (In
 * practice a born-stopped vCPU has acknowledged before cpu_start() gets the
 * BQL back; all_vcpus_paused() does not rely on it.) */
static void test_reset_at_startup(void)
{
    TestCPU *c[2];

    if (!in_child()) {
        return;
    }
    reset_handler_register(seq_handler, (void *)(intptr_t)0);
    test_cpus_start(c, 2);
    g_assert_true(all_vcpus_paused());
    system_reset();
    g_assert_cmpint(handler_calls[0], ==, 1);
    g_assert_cmpint(c[0]->reset_count, ==, 1);
    g_assert_cmpint(c[1]->reset_count, ==, 1);
    g_assert_cmpuint(test_cpu_counter(c[0]) + test_cpu_counter(c[1]), ==, 0);
    vm_start();
    for (int i = 0; i < 2; i++) {
        g_assert_true(test_cpu_advanced(c[i], 0, 1000, WAIT_MS));
    }
    child_end();
}

/* ------------------------------------------------------------------ */

static void test_first_shutdown_wins(void)
{
    ShutdownCause cause;
    ResetCause rcause;
    int status;

    if (!in_child()) {
        return;
    }
    g_assert_false(system_shutdown_requested(&cause, &status));
    system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 42);
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 1);
    g_assert_true(system_shutdown_requested(&cause, &status));
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    g_assert_cmpint(status, ==, 42);
    g_assert_false(system_shutdown_requested(&cause, &status));

    /* Negative statuses survive the packing. */
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_ERROR, -1);
    g_assert_true(system_shutdown_requested(&cause, &status));
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_HOST_ERROR);
    g_assert_cmpint(status, ==, -1);

    g_assert_false(system_reset_requested(&rcause));
    system_reset_request(RESET_CAUSE_HOST);
    g_assert_true(system_reset_requested(&rcause));
    g_assert_cmpint(rcause, ==, RESET_CAUSE_HOST);
    g_assert_false(system_reset_requested(&rcause));
}

/* ------------------------------------------------------------------ */

static void *shutdown_thread(void *opaque)
{
    g_assert_false(bql_locked());
    g_usleep(20 * 1000);        /* let the main loop go to sleep */
    system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 7);
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 9);
    return NULL;
}

static void test_shutdown_from_thread(void)
{
    TestCPU *c[2];
    ShutdownCause cause;
    pthread_t t;

    if (!in_child()) {
        return;
    }
    test_cpus_start(c, 2);
    vm_start();
    thread_create(&t, "requester", shutdown_thread, NULL, &error_abort);
    main_loop_run();
    g_assert_cmpint(main_loop_exit_status(&cause), ==, 7);
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_SHUTDOWN);
    g_assert_true(all_vcpus_paused());
    g_assert_false(clock_virtual_is_running());
    bql_unlock();
    pthread_join(t, NULL);
    bql_lock(bql_cause_main_loop);
    child_end();
}

/* ------------------------------------------------------------------ */

/* Guest hook: after 1000 iterations, power off with status 3. */
static int guest_power_off(TestCPU *cpu)
{
    if (test_cpu_counter(cpu) < 1000) {
        return 0;
    }
    __atomic_store_n(&cpu->guest_fn, NULL, __ATOMIC_RELEASE);
    system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 3);
    return EXCP_SHUTDOWN;
}

/* vm_start() cleared stop; only the vCPU itself sets it again (the main
 * loop has not run yet). */
static bool cpu_stopped_itself(void *opaque)
{
    TestCPU *cpu = opaque;

    return cpu->parent.stop && cpu->parent.state == VCPU_PAUSED;
}

static void test_guest_shutdown(void)
{
    TestCPU *c[2];
    ShutdownCause cause;

    if (!in_child()) {
        return;
    }
    test_cpus_start(c, 2);
    c[1]->guest_fn = guest_power_off;
    vm_start();
    /* Before the main loop acts, the vCPU that asked has stopped itself
     * (no guest code past the power-off); the other one still runs. */
    g_assert_true(test_wait_until(cpu_stopped_itself, c[1], WAIT_MS));
    g_assert_true(test_cpu_advanced(c[0], 0, 1000, WAIT_MS));
    g_assert_cmpint(c[0]->parent.state, ==, VCPU_RUNNING);
    g_assert_cmpint(c[1]->parent.state, ==, VCPU_PAUSED);
    g_assert_true(runstate_is_running());
    g_assert_cmpuint(test_cpu_counter(c[1]), ==, 1000);

    main_loop_run();
    g_assert_cmpint(main_loop_exit_status(&cause), ==, 3);
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_SHUTDOWN);
    g_assert_true(all_vcpus_paused());
    g_assert_cmpuint(test_cpu_counter(c[1]), ==, 1000);
    child_end();
}

/* ------------------------------------------------------------------ */

static int resets;                  /* atomic */
static uint64_t counter_at_reset;   /* atomic */
static TestCPU *reset_cpus[2];
static bool reset_saw_running;      /* BQL */

static void count_reset_handler(void *opaque)
{
    g_assert_true(bql_locked());
    g_assert_true(all_vcpus_paused());
    reset_saw_running = runstate_is_running();
    __atomic_store_n(&counter_at_reset, test_cpu_counter(reset_cpus[0]),
                     __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&resets, 1, __ATOMIC_SEQ_CST);
}

/* Guest hook: a triple fault after 1000 iterations, once. */
static int guest_reset(TestCPU *cpu)
{
    if (test_cpu_counter(cpu) < 1000) {
        return 0;
    }
    __atomic_store_n(&cpu->guest_fn, NULL, __ATOMIC_RELEASE);
    system_reset_request(RESET_CAUSE_GUEST);
    return EXCP_SHUTDOWN;
}

/* Waits for the reset, then for guest code to run again (the VM was
 * resumed after it), then quits. */
static void *quit_after_reset_thread(void *opaque)
{
    bool expect_resume = (bool)(intptr_t)opaque;
    uint64_t base;

    while (__atomic_load_n(&resets, __ATOMIC_SEQ_CST) == 0) {
        g_usleep(1000);
    }
    base = __atomic_load_n(&counter_at_reset, __ATOMIC_SEQ_CST);
    if (expect_resume) {
        while (test_cpu_counter(reset_cpus[0]) < base + 1000) {
            g_usleep(1000);
        }
    } else {
        g_usleep(20 * 1000);
        g_assert_cmpuint(test_cpu_counter(reset_cpus[0]), ==, base);
    }
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 0);
    return NULL;
}

static void test_guest_reset(void)
{
    ShutdownCause cause;
    pthread_t t;

    if (!in_child()) {
        return;
    }
    test_cpus_start(reset_cpus, 2);
    reset_handler_register(count_reset_handler, NULL);
    reset_cpus[0]->guest_fn = guest_reset;
    vm_start();
    thread_create(&t, "quitter", quit_after_reset_thread,
                  (void *)(intptr_t)true, &error_abort);
    main_loop_run();
    g_assert_cmpint(main_loop_exit_status(&cause), ==, 0);
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_HOST_QUIT);
    g_assert_cmpint(__atomic_load_n(&resets, __ATOMIC_SEQ_CST), ==, 1);
    g_assert_true(reset_saw_running);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(reset_cpus[i]->reset_count, ==, 1);
    }
    bql_unlock();
    pthread_join(t, NULL);
    bql_lock(bql_cause_main_loop);
    child_end();
}

static void test_reset_while_paused(void)
{
    ShutdownCause cause;
    pthread_t t;

    if (!in_child()) {
        return;
    }
    test_cpus_start(reset_cpus, 2);
    reset_handler_register(count_reset_handler, NULL);
    vm_start();
    g_assert_true(test_cpu_advanced(reset_cpus[0], 0, 1000, WAIT_MS));
    vm_stop(RUN_STATE_PAUSED);
    system_reset_request(RESET_CAUSE_HOST);
    thread_create(&t, "quitter", quit_after_reset_thread,
                  (void *)(intptr_t)false, &error_abort);
    main_loop_run();
    g_assert_cmpint(main_loop_exit_status(&cause), ==, 0);
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_HOST_QUIT);
    g_assert_cmpint(__atomic_load_n(&resets, __ATOMIC_SEQ_CST), ==, 1);
    g_assert_false(reset_saw_running);
    bql_unlock();
    pthread_join(t, NULL);
    bql_lock(bql_cause_main_loop);
    child_end();
}

static void test_no_reboot(void)
{
    ShutdownCause cause;

    if (!in_child()) {
        return;
    }
    no_reboot = true;
    test_cpus_start(reset_cpus, 2);
    reset_handler_register(count_reset_handler, NULL);
    reset_cpus[1]->guest_fn = guest_reset;
    vm_start();
    main_loop_run();
    g_assert_cmpint(main_loop_exit_status(&cause), ==, 0);
    g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_SHUTDOWN);
    /* Nothing was reset. */
    g_assert_cmpint(__atomic_load_n(&resets, __ATOMIC_SEQ_CST), ==, 0);
    g_assert_cmpint(reset_cpus[0]->reset_count, ==, 0);
    g_assert_cmpint(reset_cpus[1]->reset_count, ==, 0);
    child_end();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    main_loop_init();
    accel_test_init();
    bql_lock(bql_cause_main_loop);

    g_test_add_func("/runstate/states", test_states);
    g_test_add_func("/runstate/reset-handlers", test_reset_handlers);
    g_test_add_func("/runstate/reset-at-startup", test_reset_at_startup);
    g_test_add_func("/runstate/first-shutdown-wins", test_first_shutdown_wins);
    g_test_add_func("/runstate/shutdown-from-thread",
                    test_shutdown_from_thread);
    g_test_add_func("/runstate/guest-shutdown", test_guest_shutdown);
    g_test_add_func("/runstate/guest-reset", test_guest_reset);
    g_test_add_func("/runstate/reset-while-paused", test_reset_while_paused);
    g_test_add_func("/runstate/no-reboot", test_no_reboot);
    return g_test_run();
}
