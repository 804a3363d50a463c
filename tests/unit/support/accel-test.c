/*
 * accel-test.c: the test-only accelerator and CPU class.  See accel-test.h.
 *
 * exec_vcpu runs on the vCPU thread without the BQL, as a real accelerator
 * would run guest code: it spins on an atomic counter, polling exit_request
 * (acquire, paired with cpu_exit()'s release) at every iteration the way
 * TCG checks it at every block entry.  kick_vcpu therefore only counts: the
 * flag alone makes the loop return.  The other hooks run with the BQL on the
 * vCPU thread (init/destroy) or wherever the loop calls them (reset,
 * put_state, has_work) and record what they saw for the tests.
 */
#include "accel-test.h"
#include "system/bql.h"

#include <sched.h>
#include <signal.h>

uint32_t accel_test_violations;
int accel_test_seq;
int accel_test_fail_init_index = -1;

static void accel_test_violation(const char *what)
{
    fprintf(stderr, "accel-test: %s\n", what);
    __atomic_fetch_add(&accel_test_violations, 1, __ATOMIC_SEQ_CST);
}

static bool test_init_vcpu(CPUState *cs, Error **errp)
{
    TestCPU *cpu = TEST_CPU(cs);

    if (!bql_locked() || current_cpu() != cs) {
        accel_test_violation("init_vcpu without BQL or off its thread");
    }
    cpu->init_thread = pthread_self();
    if (cs->cpu_index == accel_test_fail_init_index) {
        error_setg(errp, "test: vCPU %d refuses to start", cs->cpu_index);
        return false;
    }
    return true;
}

static int test_exec_vcpu(CPUState *cs)
{
    TestCPU *cpu = TEST_CPU(cs);
    unsigned iter = 0;
    int r;

    if (bql_locked()) {
        accel_test_violation("exec_vcpu called with the BQL held");
    }
    if (!__atomic_load_n(&cs->in_guest, __ATOMIC_SEQ_CST)) {
        accel_test_violation("exec_vcpu called outside cpu_exec_start");
    }
    if (current_cpu() != cs) {
        accel_test_violation("exec_vcpu on the wrong thread");
    }
    __atomic_store_n(&cpu->in_exec, true, __ATOMIC_SEQ_CST);
    for (;;) {
        TestGuestFn *fn;
        int halt_after;

        /* Pairs with the release store in cpu_exit(). */
        if (__atomic_exchange_n(&cs->exit_request, 0, __ATOMIC_ACQUIRE)) {
            r = EXCP_INTERRUPT;
            break;
        }
        if (__atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE) &
            CPU_INTERRUPT_HARD) {
            /* "Take" the interrupt: the owner clears the bit. */
            cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
            __atomic_fetch_add(&cpu->hard_irqs, 1, __ATOMIC_SEQ_CST);
        }
        r = __atomic_exchange_n(&cpu->next_exit, 0, __ATOMIC_ACQ_REL);
        if (r) {
            break;
        }
        fn = __atomic_load_n(&cpu->guest_fn, __ATOMIC_ACQUIRE);
        if (fn && (r = fn(cpu))) {
            break;
        }
        __atomic_fetch_add(&cpu->counter, 1, __ATOMIC_SEQ_CST);
        iter++;
        halt_after = __atomic_load_n(&cpu->halt_after, __ATOMIC_RELAXED);
        if (halt_after > 0 && iter >= (unsigned)halt_after) {
            r = EXCP_HLT;
            break;
        }
        /* Be polite on small, shared hosts: a guest "pause". */
        if ((iter & 1023) == 0) {
            sched_yield();
        }
    }
    __atomic_store_n(&cpu->in_exec, false, __ATOMIC_SEQ_CST);
    return r;
}

static void test_kick_vcpu(CPUState *cs)
{
    __atomic_fetch_add(&TEST_CPU(cs)->kicks, 1, __ATOMIC_RELAXED);
}

static void test_put_state(CPUState *cs)
{
    TestCPU *cpu = TEST_CPU(cs);

    assert(bql_locked());
    cpu->put_state_count++;
    cpu->put_state_seq = ++accel_test_seq;
}

static void test_destroy_vcpu(CPUState *cs)
{
    TestCPU *cpu = TEST_CPU(cs);

    if (!bql_locked() || current_cpu() != cs) {
        accel_test_violation("destroy_vcpu without BQL or off its thread");
    }
    cpu->destroy_thread = pthread_self();
    cpu->destroyed = true;
}

const AccelOps accel_test_ops = {
    .name = "test",
    .thread_suffix = "TEST",
    .has_vcpu_threads = true,
    .init_vcpu = test_init_vcpu,
    .exec_vcpu = test_exec_vcpu,
    .kick_vcpu = test_kick_vcpu,
    .put_state = test_put_state,
    .destroy_vcpu = test_destroy_vcpu,
};

static void test_cpu_reset(CPUState *cs)
{
    TestCPU *cpu = TEST_CPU(cs);

    assert(bql_locked());
    cpu->reset_count++;
    cpu->reset_seq = ++accel_test_seq;
}

static bool test_cpu_has_work(CPUState *cs)
{
    TestCPU *cpu = TEST_CPU(cs);

    return __atomic_load_n(&cpu->work_flag, __ATOMIC_ACQUIRE) ||
           (__atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE) &
            CPU_INTERRUPT_HARD);
}

const CPUClass test_cpu_class = {
    .arch = "test",
    .reset = test_cpu_reset,
    .has_work = test_cpu_has_work,
};

void accel_test_init(void)
{
    if (!accel_find("test")) {
        accel_register(&accel_test_ops);
    }
    current_accel = accel_find("test");
}

TestCPU *test_cpu_new(int index)
{
    TestCPU *cpu = g_new0(TestCPU, 1);

    cpu_init_common(&cpu->parent, &test_cpu_class, index);
    return cpu;
}

uint64_t test_cpu_counter(TestCPU *cpu)
{
    return __atomic_load_n(&cpu->counter, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------ */
/* Test helpers                                                        */

void test_cpus_start(TestCPU **out, int n)
{
    for (int i = 0; i < n; i++) {
        out[i] = test_cpu_new(i);
        cpu_start(&out[i]->parent, &error_abort);
    }
}

void test_sleep_ms(int ms)
{
    bql_unlock();
    g_usleep(ms * 1000);
    bql_lock(bql_cause_main_loop);
}

bool test_wait_until(TestCond *cond, void *opaque, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (!cond(opaque)) {
        if (g_get_monotonic_time() > deadline) {
            return cond(opaque);
        }
        test_sleep_ms(1);
    }
    return true;
}

typedef struct AdvanceArgs {
    TestCPU *cpu;
    uint64_t target;
} AdvanceArgs;

static bool advance_cond(void *opaque)
{
    AdvanceArgs *a = opaque;

    return test_cpu_counter(a->cpu) >= a->target;
}

bool test_cpu_advanced(TestCPU *cpu, uint64_t base, uint64_t delta,
                       int timeout_ms)
{
    AdvanceArgs a = { .cpu = cpu, .target = base + delta };

    return test_wait_until(advance_cond, &a, timeout_ms);
}

static void watchdog_fire(int sig)
{
    static const char msg[] = "Bail out! watchdog: test did not finish\n";

    /* Async-signal-safe only. */
    if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* nothing more we can do */
    }
    _exit(1);
}

void test_watchdog_arm(unsigned seconds)
{
    signal(SIGALRM, watchdog_fire);
    alarm(seconds);
}
