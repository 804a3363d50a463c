/*
 * test-cpu-exec.c: the shared vCPU loop (cpu-exec.c) driven through the
 * test accelerator (tests/unit/support/accel-test.c).
 *
 * Nothing of the loop is mocked: real vCPU threads run the real loop and
 * the test "guest" spins on a counter without the BQL.  The main thread
 * plays the main loop: it holds the BQL except while it sleeps or waits.
 * Each test starts its own vCPUs and ends with cpu_stop_all_and_join();
 * stopped CPUs stay in cpus[] (they are never removed), which the later
 * tests tolerate by looking only at their own CPUs.
 *
 * Most tests run twice: with a host thread per vCPU, and under round robin
 * (/cpu-exec/rr/..., cpu_set_round_robin(true): one thread runs them all),
 * where everything the loop promises must hold just the same.
 *
 * A watchdog alarm turns a deadlock into a failing test (Bail out!).
 */
#include "util/osdep.h"
#include "support/accel-test.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/runstate.h"
#include "system/main-loop.h"
#include "util/thread.h"

#include <dirent.h>

#define WAIT_MS 10000           /* generous bound for "eventually" */

static void test_begin(void)
{
    test_watchdog_arm(60);
    g_assert_cmpuint(__atomic_load_n(&accel_test_violations,
                                     __ATOMIC_SEQ_CST), ==, 0);
}

static void test_end(void)
{
    cpu_stop_all_and_join();
    g_assert_cmpuint(__atomic_load_n(&accel_test_violations,
                                     __ATOMIC_SEQ_CST), ==, 0);
}

/* A counter stays put for ms: the vCPU does not run guest code. */
static void assert_counter_still(TestCPU *cpu, int ms)
{
    uint64_t before = test_cpu_counter(cpu);

    test_sleep_ms(ms);
    g_assert_cmpuint(test_cpu_counter(cpu), ==, before);
}

/* Starts the VM if it is not running (runstate is process-global). */
static void vm_ensure_running(void)
{
    if (!runstate_is_running()) {
        vm_start();
    }
}

/* ------------------------------------------------------------------ */

static void test_accel_registry(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    g_assert(accel_find("test") == &accel_test_ops);
    g_assert(current_accel == &accel_test_ops);
    g_assert_null(accel_find("no-such-accel"));

    f = open_memstream(&buf, &len);
    accel_list(f);
    fclose(f);
    g_assert_true(g_str_has_prefix(buf,
                  "Accelerators supported in this build:\n"));
    g_assert_nonnull(strstr(buf, "\ntest\n"));
    free(buf);
}

/* ------------------------------------------------------------------ */

static char *thread_names(void)
{
    GString *s = g_string_new("|");
    DIR *d = opendir("/proc/self/task");
    struct dirent *de;

    g_assert_nonnull(d);
    while ((de = readdir(d))) {
        char *path, *comm;

        if (de->d_name[0] == '.') {
            continue;
        }
        path = g_strdup_printf("/proc/self/task/%s/comm", de->d_name);
        if (g_file_get_contents(path, &comm, NULL, NULL)) {
            g_strchomp(comm);
            g_string_append_printf(s, "%s|", comm);
            g_free(comm);
        }
        g_free(path);
    }
    closedir(d);
    return g_string_free(s, false);
}

static void test_thread_names(void)
{
    TestCPU *c[3];
    char *names;

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 3);
    names = thread_names();
    for (int i = 0; i < 3; i++) {
        char *want = g_strdup_printf("|CPU %d/TEST|", i);

        g_assert_nonnull(strstr(names, want));
        want[strlen(want) - 1] = 0;
        g_assert_cmpstr(c[i]->parent.thread_name, ==, want + 1);
        g_assert_true(c[i]->parent.created);
        /* init_vcpu ran on the vCPU's own thread. */
        g_assert_true(pthread_equal(c[i]->init_thread, c[i]->parent.thread));
        g_free(want);
    }
    g_free(names);
    g_assert_null(current_cpu());

    test_end();
    names = thread_names();
    g_assert_null(strstr(names, "/TEST|"));
    g_free(names);
    for (int i = 0; i < 3; i++) {
        g_assert_true(c[i]->destroyed);
        g_assert_true(pthread_equal(c[i]->destroy_thread,
                                    c[i]->parent.thread));
        g_assert_cmpint(c[i]->parent.state, ==, VCPU_STOPPED);
    }
}

/* ------------------------------------------------------------------ */

static void test_no_bql_in_guest(void)
{
    TestCPU *c[2];
    uint64_t count0, hold0, wait0, count1, hold1, wait1;
    uint64_t exec0[2];
    gint64 t0, t1;

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 2);
    for (int i = 0; i < 2; i++) {
        exec0[i] = c[i]->parent.exec_count;
    }
    bql_stats_get("vcpu-loop", &count0, &hold0, &wait0);
    t0 = g_get_monotonic_time();
    /* Kick them out of guest code over and over, so that the loop takes
     * and drops the BQL many times while we measure. */
    for (int i = 0; i < 200; i++) {
        cpu_exit(&c[i % 2]->parent);
        test_sleep_ms(1);
    }
    t1 = g_get_monotonic_time();
    bql_stats_get("vcpu-loop", &count1, &hold1, &wait1);

    for (int i = 0; i < 2; i++) {
        g_assert_cmpuint(test_cpu_counter(c[i]), >, 0);
        /* Most kicks produced a return to the loop. */
        g_assert_cmpuint(c[i]->parent.exec_count - exec0[i], >=, 10);
    }
    g_assert_cmpuint(count1 - count0, >=, 20);
    /* Two vCPUs ran all the time; the loop's BQL hold is a sliver of it. */
    g_test_message("vcpu-loop: %" PRIu64 " acquisitions, hold %" PRIu64
                   " ns over %" PRId64 " us of run time",
                   count1 - count0, hold1 - hold0, t1 - t0);
    g_assert_cmpuint(hold1 - hold0, <, (uint64_t)(t1 - t0) * 1000 / 10);
    test_end();
}

/* ------------------------------------------------------------------ */

typedef struct OnCpuRecord {
    pthread_t thread;
    CPUState *current;
    bool bql;
    int runs;
    int order[256];
} OnCpuRecord;

static void record_fn(CPUState *cpu, void *data)
{
    OnCpuRecord *r = data;

    r->thread = pthread_self();
    r->current = current_cpu();
    r->bql = bql_locked();
    r->runs++;
}

static void test_run_on_cpu(void)
{
    TestCPU *c[2];
    OnCpuRecord r = { 0 };

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 2);

    /* Synchronous: done when run_on_cpu returns, on the target thread,
     * with the BQL. */
    run_on_cpu(&c[1]->parent, record_fn, &r);
    g_assert_cmpint(r.runs, ==, 1);
    g_assert_true(pthread_equal(r.thread, c[1]->parent.thread));
    g_assert_true(r.current == &c[1]->parent);
    g_assert_true(r.bql);

    /* Also on a paused vCPU. */
    pause_all_vcpus();
    run_on_cpu(&c[0]->parent, record_fn, &r);
    g_assert_cmpint(r.runs, ==, 2);
    g_assert_true(pthread_equal(r.thread, c[0]->parent.thread));
    g_assert_cmpint(c[0]->parent.state, ==, VCPU_PAUSED);
    resume_all_vcpus();
    test_end();
}

/* From a vCPU thread: cpu A's work item does run_on_cpu(B) while B's work
 * item does run_on_cpu(A).  Each must keep serving its own queue. */
typedef struct CrossArgs {
    CPUState *other;
    OnCpuRecord rec;
    bool done;              /* BQL */
} CrossArgs;

static void cross_fn(CPUState *cpu, void *data)
{
    CrossArgs *a = data;

    run_on_cpu(a->other, record_fn, &a->rec);
    g_assert_true(pthread_equal(a->rec.thread, a->other->thread));
    g_assert_true(a->rec.current == a->other);
    g_assert_true(current_cpu() == cpu);
    a->done = true;
}

static bool cross_done(void *opaque)
{
    CrossArgs *a = opaque;

    return a[0].done && a[1].done;
}

static void test_run_on_cpu_cross(void)
{
    TestCPU *c[2];
    CrossArgs a[2] = { { 0 } };

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 2);
    for (int round = 0; round < 50; round++) {
        a[0] = (CrossArgs) { .other = &c[1]->parent };
        a[1] = (CrossArgs) { .other = &c[0]->parent };
        async_run_on_cpu(&c[0]->parent, cross_fn, &a[0]);
        async_run_on_cpu(&c[1]->parent, cross_fn, &a[1]);
        g_assert_true(test_wait_until(cross_done, a, WAIT_MS));
    }
    test_end();
}

/* ------------------------------------------------------------------ */

#define ASYNC_ITEMS 200

typedef struct AsyncArgs {
    CPUState *cpu;
    OnCpuRecord rec;        /* written only on the target thread */
    int next;               /* target thread: next order slot */
    int finished;           /* atomic */
} AsyncArgs;

typedef struct AsyncItem {
    AsyncArgs *args;
    int seq;
} AsyncItem;

static void async_fn(CPUState *cpu, void *data)
{
    AsyncItem *it = data;
    AsyncArgs *a = it->args;

    g_assert_true(pthread_equal(pthread_self(), cpu->thread));
    g_assert_true(current_cpu() == cpu);
    g_assert_true(bql_locked());
    a->rec.order[a->next++ % 256] = it->seq;
    g_free(it);
    __atomic_fetch_add(&a->finished, 1, __ATOMIC_SEQ_CST);
}

static void *async_queuer(void *opaque)
{
    AsyncArgs *a = opaque;

    g_assert_false(bql_locked());
    for (int i = 0; i < ASYNC_ITEMS; i++) {
        AsyncItem *it = g_new(AsyncItem, 1);

        it->args = a;
        it->seq = i;
        async_run_on_cpu(a->cpu, async_fn, it);
    }
    return NULL;
}

static bool async_all_done(void *opaque)
{
    AsyncArgs *a = opaque;

    return __atomic_load_n(&a->finished, __ATOMIC_SEQ_CST) == ASYNC_ITEMS;
}

static void test_async_run_on_cpu(void)
{
    TestCPU *c[2];
    AsyncArgs a = { 0 };
    pthread_t t;

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 2);
    a.cpu = &c[1]->parent;
    thread_create(&t, "queuer", async_queuer, &a, &error_abort);
    g_assert_true(test_wait_until(async_all_done, &a, WAIT_MS));
    bql_unlock();
    pthread_join(t, NULL);
    bql_lock(bql_cause_main_loop);
    /* FIFO: on the target thread, in queueing order. */
    for (int i = 0; i < ASYNC_ITEMS; i++) {
        g_assert_cmpint(a.rec.order[i], ==, i);
    }
    test_end();
}

/* ------------------------------------------------------------------ */

typedef struct SafeArgs {
    TestCPU **cpus;
    int n;
    int runs;               /* atomic */
    int errors;             /* atomic */
} SafeArgs;

/* Checks that no other vCPU is in guest code, for a little while. */
static void check_exclusive(SafeArgs *a, CPUState *self)
{
    uint64_t before[8];

    if (bql_locked()) {
        __atomic_fetch_add(&a->errors, 1, __ATOMIC_SEQ_CST);
    }
    for (int i = 0; i < a->n; i++) {
        before[i] = test_cpu_counter(a->cpus[i]);
        if (&a->cpus[i]->parent != self &&
            __atomic_load_n(&a->cpus[i]->in_exec, __ATOMIC_SEQ_CST)) {
            __atomic_fetch_add(&a->errors, 1, __ATOMIC_SEQ_CST);
        }
    }
    g_usleep(2000);
    for (int i = 0; i < a->n; i++) {
        if (test_cpu_counter(a->cpus[i]) != before[i] ||
            __atomic_load_n(&a->cpus[i]->in_exec, __ATOMIC_SEQ_CST)) {
            __atomic_fetch_add(&a->errors, 1, __ATOMIC_SEQ_CST);
        }
    }
}

static void safe_fn(CPUState *cpu, void *data)
{
    SafeArgs *a = data;

    if (current_cpu() != cpu) {
        __atomic_fetch_add(&a->errors, 1, __ATOMIC_SEQ_CST);
    }
    check_exclusive(a, cpu);
    __atomic_fetch_add(&a->runs, 1, __ATOMIC_SEQ_CST);
}

static void *safe_queuer(void *opaque)
{
    SafeArgs *a = opaque;

    for (int i = 0; i < 20; i++) {
        async_safe_run_on_cpu(&a->cpus[i % a->n]->parent, safe_fn, a);
        g_usleep(500);
    }
    return NULL;
}

static bool safe_done(void *opaque)
{
    SafeArgs *a = opaque;

    return __atomic_load_n(&a->runs, __ATOMIC_SEQ_CST) == 20;
}

static void test_async_safe(void)
{
    TestCPU *c[4];
    SafeArgs a = { .cpus = c, .n = 4 };
    uint64_t base[4];
    pthread_t t;

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 4);
    for (int i = 0; i < 4; i++) {
        g_assert_true(test_cpu_advanced(c[i], 0, 1, WAIT_MS));
    }
    thread_create(&t, "queuer", safe_queuer, &a, &error_abort);
    g_assert_true(test_wait_until(safe_done, &a, WAIT_MS));
    bql_unlock();
    pthread_join(t, NULL);

    /* start_exclusive from a non-vCPU thread, without the BQL. */
    for (int i = 0; i < 10; i++) {
        start_exclusive();
        check_exclusive(&a, NULL);
        end_exclusive();
    }
    bql_lock(bql_cause_main_loop);
    g_assert_cmpint(__atomic_load_n(&a.errors, __ATOMIC_SEQ_CST), ==, 0);

    /* And guest code runs again afterwards. */
    for (int i = 0; i < 4; i++) {
        base[i] = test_cpu_counter(c[i]);
    }
    for (int i = 0; i < 4; i++) {
        g_assert_true(test_cpu_advanced(c[i], base[i], 1000, WAIT_MS));
    }
    test_end();
}

/* ------------------------------------------------------------------ */
/* Round robin: one vCPU in guest code at a time, each gets its turn.   */

#define RR_CPUS 3
static TestCPU *rr_cpus[RR_CPUS];
static uint32_t rr_overlaps;         /* atomic */

/* Every guest iteration: no other vCPU of the test is in exec_vcpu. */
static int rr_guest(TestCPU *self)
{
    for (int i = 0; i < RR_CPUS; i++) {
        if (rr_cpus[i] != self &&
            __atomic_load_n(&rr_cpus[i]->in_exec, __ATOMIC_SEQ_CST)) {
            __atomic_fetch_add(&rr_overlaps, 1, __ATOMIC_SEQ_CST);
        }
    }
    return 0;
}

static void test_round_robin(void)
{
    uint64_t base[RR_CPUS];

    test_begin();
    vm_ensure_running();
    cpu_set_round_robin(true);
    for (int i = 0; i < RR_CPUS; i++) {
        rr_cpus[i] = test_cpu_new(i);
        rr_cpus[i]->guest_fn = rr_guest;
    }
    for (int i = 0; i < RR_CPUS; i++) {
        cpu_start(&rr_cpus[i]->parent, &error_abort);
    }
    /* Each spins forever in guest code unless kicked: only the time
     * slice lets the others in, again and again. */
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < RR_CPUS; i++) {
            base[i] = test_cpu_counter(rr_cpus[i]);
        }
        for (int i = 0; i < RR_CPUS; i++) {
            g_assert_true(test_cpu_advanced(rr_cpus[i], base[i], 1000,
                                            WAIT_MS));
        }
    }
    /* Pause and resume work with vCPUs queued for the token. */
    pause_all_vcpus();
    resume_all_vcpus();
    for (int i = 0; i < RR_CPUS; i++) {
        base[i] = test_cpu_counter(rr_cpus[i]);
        g_assert_true(test_cpu_advanced(rr_cpus[i], base[i], 1000, WAIT_MS));
    }
    test_end();
    cpu_set_round_robin(false);
    g_assert_cmpuint(__atomic_load_n(&rr_overlaps, __ATOMIC_SEQ_CST), ==, 0);
    for (int i = 0; i < RR_CPUS; i++) {
        g_assert_cmpuint(rr_cpus[i]->parent.exec_count, >=, 3);
    }
}

/* One host thread for all vCPUs: names, shared thread, halting them all
 * puts it to sleep, and an interrupt wakes just the right vCPU. */
static int count_names(const char *names, const char *needle)
{
    int n = 0;

    for (const char *p = names; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

static bool all_halted(void *opaque)
{
    TestCPU **c = opaque;

    for (int i = 0; i < 3; i++) {
        if (!c[i]->parent.halted) {
            return false;
        }
    }
    return true;
}

static void test_rr_one_thread(void)
{
    TestCPU *c[3];
    uint64_t exec[3], base[3];
    char *names;

    test_begin();
    vm_ensure_running();
    cpu_set_round_robin(true);
    test_cpus_start(c, 3);
    for (int i = 0; i < 3; i++) {
        g_assert_true(test_cpu_advanced(c[i], 0, 1000, WAIT_MS));
    }
    names = thread_names();
    g_test_message("threads: %s", names);
    g_assert_cmpint(count_names(names, "|CPU rr/TEST|"), ==, 1);
    g_assert_cmpint(count_names(names, "|CPU "), ==, 1);
    g_free(names);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpstr(c[i]->parent.thread_name, ==, "CPU rr/TEST");
        g_assert_true(pthread_equal(c[i]->parent.thread, c[0]->parent.thread));
        g_assert_true(pthread_equal(c[i]->init_thread, c[0]->parent.thread));
    }

    /* All halted: nothing runs, the thread sleeps. */
    for (int i = 0; i < 3; i++) {
        __atomic_store_n(&c[i]->halt_after, 100, __ATOMIC_SEQ_CST);
    }
    g_assert_true(test_wait_until(all_halted, c, WAIT_MS));
    for (int i = 0; i < 3; i++) {
        exec[i] = c[i]->parent.exec_count;
        base[i] = test_cpu_counter(c[i]);
    }
    test_sleep_ms(30);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpuint(c[i]->parent.exec_count, ==, exec[i]);
        g_assert_cmpuint(test_cpu_counter(c[i]), ==, base[i]);
    }
    /* An interrupt for the middle one wakes the thread for it alone. */
    cpu_interrupt(&c[1]->parent, CPU_INTERRUPT_HARD);
    g_assert_true(test_cpu_advanced(c[1], base[1], 100, WAIT_MS));
    g_assert_true(test_wait_until(all_halted, c, WAIT_MS));
    g_assert_cmpuint(test_cpu_counter(c[0]), ==, base[0]);
    g_assert_cmpuint(test_cpu_counter(c[2]), ==, base[2]);
    for (int i = 0; i < 3; i++) {
        __atomic_store_n(&c[i]->halt_after, 0, __ATOMIC_SEQ_CST);
        cpu_interrupt(&c[i]->parent, CPU_INTERRUPT_HARD);
    }
    for (int i = 0; i < 3; i++) {
        g_assert_true(test_cpu_advanced(c[i], test_cpu_counter(c[i]), 1000,
                                        WAIT_MS));
    }
    test_end();
    cpu_set_round_robin(false);
    names = thread_names();
    g_assert_null(strstr(names, "/TEST|"));
    g_assert_null(strstr(names, "|rr-slice|"));
    g_free(names);
    for (int i = 0; i < 3; i++) {
        g_assert_true(c[i]->destroyed);
        g_assert_true(c[i]->parent.thread_joined);
    }
}

/* ------------------------------------------------------------------ */

static bool cpu_is_halted(void *opaque)
{
    TestCPU *cpu = opaque;

    return cpu->parent.halted;
}

static void test_halt_wake(void)
{
    TestCPU *c[1];
    uint64_t exec;

    test_begin();
    vm_ensure_running();
    c[0] = test_cpu_new(0);
    __atomic_store_n(&c[0]->halt_after, 1000, __ATOMIC_SEQ_CST);
    cpu_start(&c[0]->parent, &error_abort);

    /* It halts after at most 1000 iterations per exec_vcpu call and then
     * sleeps: no guest code, no loop iterations. */
    g_assert_true(test_wait_until(cpu_is_halted, c[0], WAIT_MS));
    exec = c[0]->parent.exec_count;
    assert_counter_still(c[0], 50);
    g_assert_cmpuint(c[0]->parent.exec_count, ==, exec);
    g_assert_cmpint(c[0]->parent.state, ==, VCPU_RUNNING);

    /* An interrupt wakes it (has_work); the guest takes it and halts
     * again after another 1000 iterations. */
    for (int round = 0; round < 20; round++) {
        uint64_t base = test_cpu_counter(c[0]);
        uint32_t irqs = __atomic_load_n(&c[0]->hard_irqs, __ATOMIC_SEQ_CST);

        g_assert_true(test_wait_until(cpu_is_halted, c[0], WAIT_MS));
        base = test_cpu_counter(c[0]);
        cpu_interrupt(&c[0]->parent, CPU_INTERRUPT_HARD);
        g_assert_true(test_cpu_advanced(c[0], base, 1000, WAIT_MS));
        g_assert_cmpuint(__atomic_load_n(&c[0]->hard_irqs, __ATOMIC_SEQ_CST),
                         ==, irqs + 1);
    }
    g_assert_true(test_wait_until(cpu_is_halted, c[0], WAIT_MS));

    /* has_work through the class hook (a test flag), with a plain kick. */
    {
        uint64_t base = test_cpu_counter(c[0]);

        __atomic_store_n(&c[0]->work_flag, true, __ATOMIC_SEQ_CST);
        cpu_kick(&c[0]->parent);
        g_assert_true(test_cpu_advanced(c[0], base, 5000, WAIT_MS));
        __atomic_store_n(&c[0]->work_flag, false, __ATOMIC_SEQ_CST);
        g_assert_true(test_wait_until(cpu_is_halted, c[0], WAIT_MS));
    }

    /* A kick without work does not wake it for good. */
    exec = c[0]->parent.exec_count;
    cpu_kick(&c[0]->parent);
    assert_counter_still(c[0], 30);
    g_assert_cmpuint(c[0]->parent.exec_count, ==, exec);

    /* A halted vCPU acknowledges a pause. */
    pause_all_vcpus();
    g_assert_cmpint(c[0]->parent.state, ==, VCPU_PAUSED);
    resume_all_vcpus();
    test_end();
}

/* ------------------------------------------------------------------ */

static void test_pause_resume(void)
{
    TestCPU *c[4];
    uint64_t base[4];

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 4);
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 4; i++) {
            base[i] = test_cpu_counter(c[i]);
        }
        for (int i = 0; i < 4; i++) {
            g_assert_true(test_cpu_advanced(c[i], base[i], 100, WAIT_MS));
            g_assert_cmpint(c[i]->parent.state, ==, VCPU_RUNNING);
            g_assert_false(cpu_is_stopped(&c[i]->parent));
        }
        pause_all_vcpus();
        g_assert_true(all_vcpus_paused());
        for (int i = 0; i < 4; i++) {
            g_assert_cmpint(c[i]->parent.state, ==, VCPU_PAUSED);
            g_assert_true(cpu_is_stopped(&c[i]->parent));
            g_assert_false(__atomic_load_n(&c[i]->in_exec, __ATOMIC_SEQ_CST));
            base[i] = test_cpu_counter(c[i]);
        }
        test_sleep_ms(round == 0 ? 50 : 2);
        for (int i = 0; i < 4; i++) {
            g_assert_cmpuint(test_cpu_counter(c[i]), ==, base[i]);
        }
        resume_all_vcpus();
    }
    test_end();
}

/* A vCPU created while the VM is stopped is born stopped. */
static bool cpu_paused(void *opaque)
{
    return ((TestCPU *)opaque)->parent.state == VCPU_PAUSED;
}

static void test_born_stopped(void)
{
    TestCPU *c[1];

    test_begin();
    vm_ensure_running();
    vm_stop(RUN_STATE_PAUSED);
    c[0] = test_cpu_new(0);
    g_assert_true(c[0]->parent.stop);
    cpu_start(&c[0]->parent, &error_abort);
    g_assert_true(test_wait_until(cpu_paused, c[0], WAIT_MS));
    assert_counter_still(c[0], 30);
    g_assert_cmpuint(test_cpu_counter(c[0]), ==, 0);
    g_assert_cmpuint(c[0]->parent.exec_count, ==, 0);
    vm_start();
    g_assert_true(test_cpu_advanced(c[0], 0, 1000, WAIT_MS));
    g_assert_cmpint(c[0]->parent.state, ==, VCPU_RUNNING);
    test_end();
}

/* ------------------------------------------------------------------ */

static int debug_hook_calls;            /* BQL */

static void vm_stop_hook(CPUState *cpu)
{
    g_assert_true(bql_locked());
    g_assert_true(current_cpu() == cpu);
    debug_hook_calls++;
    /* What the gdbstub does: stop the whole VM from the vCPU thread. */
    vm_stop(RUN_STATE_PAUSED);
    g_assert_true(all_vcpus_paused());
}

static bool vm_paused(void *opaque)
{
    return runstate_get() == RUN_STATE_PAUSED;
}

static void test_debug_exit(void)
{
    TestCPU *c[2];
    CpuDebugHook *saved = cpu_debug_hook;
    uint64_t base;

    test_begin();
    vm_ensure_running();
    debug_hook_calls = 0;
    test_cpus_start(c, 2);

    /* Default: only the vCPU that hit the breakpoint stops. */
    __atomic_store_n(&c[1]->next_exit, EXCP_DEBUG, __ATOMIC_SEQ_CST);
    g_assert_true(test_wait_until(cpu_paused, c[1], WAIT_MS));
    base = test_cpu_counter(c[0]);
    g_assert_true(test_cpu_advanced(c[0], base, 1000, WAIT_MS));
    g_assert_cmpint(c[0]->parent.state, ==, VCPU_RUNNING);
    assert_counter_still(c[1], 20);
    resume_all_vcpus();
    g_assert_true(test_cpu_advanced(c[1], test_cpu_counter(c[1]), 1000,
                                    WAIT_MS));

    /* A hook that stops the VM from the vCPU thread (pause_all_vcpus
     * called by a vCPU). */
    cpu_debug_hook = vm_stop_hook;
    __atomic_store_n(&c[0]->next_exit, EXCP_DEBUG, __ATOMIC_SEQ_CST);
    g_assert_true(test_wait_until(vm_paused, NULL, WAIT_MS));
    g_assert_cmpint(debug_hook_calls, ==, 1);
    g_assert_true(all_vcpus_paused());
    assert_counter_still(c[0], 20);
    assert_counter_still(c[1], 1);
    vm_start();
    for (int i = 0; i < 2; i++) {
        g_assert_true(test_cpu_advanced(c[i], test_cpu_counter(c[i]), 1000,
                                        WAIT_MS));
    }
    cpu_debug_hook = saved;
    test_end();
}

/* ------------------------------------------------------------------ */

static void test_reset_all(void)
{
    TestCPU *c[3];
    int seq0;

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 3);
    __atomic_store_n(&c[2]->halt_after, 10, __ATOMIC_SEQ_CST);
    g_assert_true(test_wait_until(cpu_is_halted, c[2], WAIT_MS));
    pause_all_vcpus();
    seq0 = accel_test_seq;
    cpu_reset_all();
    for (int i = 0; i < 3; i++) {
        /* In index order: reset, then put_state, per CPU. */
        g_assert_cmpint(c[i]->reset_count, ==, 1);
        g_assert_cmpint(c[i]->put_state_count, ==, 1);
        g_assert_cmpint(c[i]->reset_seq, ==, seq0 + 2 * i + 1);
        g_assert_cmpint(c[i]->put_state_seq, ==, seq0 + 2 * i + 2);
    }
    /* The generic part of reset un-halts (the class may halt again). */
    g_assert_false(c[2]->parent.halted);
    __atomic_store_n(&c[2]->halt_after, 0, __ATOMIC_SEQ_CST);
    resume_all_vcpus();
    g_assert_true(test_cpu_advanced(c[2], test_cpu_counter(c[2]), 1000,
                                    WAIT_MS));
    test_end();
}

/* ------------------------------------------------------------------ */

static void count_fn(CPUState *cpu, void *data)
{
    (*(int *)data)++;
}

static void test_stop_and_join(void)
{
    TestCPU *c[2];
    OnCpuRecord r = { 0 };
    int async_runs = 0;

    test_begin();
    vm_ensure_running();
    test_cpus_start(c, 2);
    /* Work queued before the stop still runs, on the vCPU's thread. */
    pause_all_vcpus();
    async_run_on_cpu(&c[0]->parent, count_fn, &async_runs);
    cpu_stop_all_and_join();
    g_assert_cmpint(async_runs, ==, 1);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(c[i]->parent.state, ==, VCPU_STOPPED);
        g_assert_true(c[i]->destroyed);
        g_assert_true(c[i]->parent.thread_joined);
    }
    /* After the thread is gone, run_on_cpu runs in the caller, and async
     * work for the dead vCPU is discarded. */
    run_on_cpu(&c[0]->parent, record_fn, &r);
    g_assert_cmpint(r.runs, ==, 1);
    g_assert_true(pthread_equal(r.thread, pthread_self()));
    async_run_on_cpu(&c[0]->parent, count_fn, &async_runs);
    g_assert_cmpint(async_runs, ==, 1);
    /* Idempotent. */
    test_end();
}

static void test_init_failure(void)
{
    TestCPU *c;
    Error *err = NULL;

    test_begin();
    vm_ensure_running();
    accel_test_fail_init_index = 7;
    c = test_cpu_new(7);
    g_assert_false(cpu_start(&c->parent, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "test: vCPU 7 refuses to start");
    error_free(err);
    g_assert_cmpint(c->parent.state, ==, VCPU_STOPPED);
    g_assert_true(c->parent.thread_joined);
    g_assert_false(c->destroyed);
    accel_test_fail_init_index = -1;
    test_end();
}

/* ------------------------------------------------------------------ */
/* Stress: several threads queue every kind of work at 4 vCPUs while the
 * main thread pauses and resumes them.  Every item runs exactly once. */

#define STRESS_CPUS 4
#define STRESS_THREADS 3
#define STRESS_ITEMS 3000       /* per thread */

typedef struct StressItem {
    int runs;                   /* atomic */
    int cpu;
} StressItem;

typedef struct StressState {
    TestCPU *cpus[STRESS_CPUS];
    StressItem items[STRESS_THREADS][STRESS_ITEMS];
    int errors;                 /* atomic */
    int finished;               /* atomic: queuer threads done */
    SafeArgs safe;
} StressState;

static StressState *stress;

static void stress_item_fn(CPUState *cpu, void *data)
{
    StressItem *it = data;

    if (current_cpu() != cpu || cpu->cpu_index != it->cpu) {
        __atomic_fetch_add(&stress->errors, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_fetch_add(&it->runs, 1, __ATOMIC_SEQ_CST);
}

static void stress_safe_fn(CPUState *cpu, void *data)
{
    StressItem *it = data;

    if (bql_locked()) {
        __atomic_fetch_add(&stress->errors, 1, __ATOMIC_SEQ_CST);
    }
    for (int i = 0; i < STRESS_CPUS; i++) {
        if (__atomic_load_n(&stress->cpus[i]->in_exec, __ATOMIC_SEQ_CST)) {
            __atomic_fetch_add(&stress->errors, 1, __ATOMIC_SEQ_CST);
        }
    }
    stress_item_fn(cpu, it);
}

static void stress_sync_fn(CPUState *cpu, void *data)
{
    (*(int *)data)++;           /* BQL */
}

static void *stress_thread(void *opaque)
{
    int t = (int)(intptr_t)opaque;

    for (int i = 0; i < STRESS_ITEMS; i++) {
        StressItem *it = &stress->items[t][i];
        int target = (i * 7 + t) % STRESS_CPUS;
        CPUState *cpu = &stress->cpus[target]->parent;

        it->cpu = target;
        switch (i % 10) {
        case 0:
            async_safe_run_on_cpu(cpu, stress_safe_fn, it);
            break;
        case 1:
            /* Synchronous, from a thread that takes the BQL for it. */
            bql_lock(bql_cause_monitor);
            run_on_cpu(cpu, stress_item_fn, it);
            if (__atomic_load_n(&it->runs, __ATOMIC_SEQ_CST) != 1) {
                __atomic_fetch_add(&stress->errors, 1, __ATOMIC_SEQ_CST);
            }
            bql_unlock();
            break;
        default:
            async_run_on_cpu(cpu, stress_item_fn, it);
            break;
        }
        if (i % 64 == 0) {
            sched_yield();
        }
    }
    __atomic_fetch_add(&stress->finished, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static bool stress_queuers_done(void *opaque)
{
    return __atomic_load_n(&stress->finished, __ATOMIC_SEQ_CST) ==
           STRESS_THREADS;
}

static void test_stress(void)
{
    pthread_t threads[STRESS_THREADS];
    int pauses = 0;

    test_begin();
    vm_ensure_running();
    stress = g_new0(StressState, 1);
    test_cpus_start(stress->cpus, STRESS_CPUS);
    for (int t = 0; t < STRESS_THREADS; t++) {
        thread_create(&threads[t], "stress", stress_thread,
                      (void *)(intptr_t)t, &error_abort);
    }
    while (!stress_queuers_done(NULL)) {
        pause_all_vcpus();
        pauses++;
        g_assert_true(all_vcpus_paused());
        test_sleep_ms(1);
        resume_all_vcpus();
        test_sleep_ms(1);
    }
    bql_unlock();
    for (int t = 0; t < STRESS_THREADS; t++) {
        pthread_join(threads[t], NULL);
    }
    bql_lock(bql_cause_main_loop);
    /* Everything queued has been queued; one synchronous item per vCPU
     * behind it flushes the FIFO queues. */
    for (int i = 0; i < STRESS_CPUS; i++) {
        int dummy = 0;

        run_on_cpu(&stress->cpus[i]->parent, stress_sync_fn, &dummy);
        g_assert_cmpint(dummy, ==, 1);
    }
    for (int t = 0; t < STRESS_THREADS; t++) {
        for (int i = 0; i < STRESS_ITEMS; i++) {
            if (stress->items[t][i].runs != 1) {
                g_test_message("item %d/%d ran %d times", t, i,
                               stress->items[t][i].runs);
            }
            g_assert_cmpint(stress->items[t][i].runs, ==, 1);
        }
    }
    g_assert_cmpint(__atomic_load_n(&stress->errors, __ATOMIC_SEQ_CST), ==, 0);
    g_test_message("stress: %d pause/resume cycles", pauses);
    g_assert_cmpint(pauses, >, 0);
    test_end();
    g_free(stress);
}

/* Runs a test with the vCPUs it creates on one round-robin thread. */
static void run_round_robin(gconstpointer data)
{
    void (*fn)(void) = (void (*)(void))data;

    cpu_set_round_robin(true);
    fn();
    cpu_set_round_robin(false);
}

/* Registers fn as /cpu-exec/NAME and, under round robin, /cpu-exec/rr/NAME. */
static void add_both(const char *name, void (*fn)(void))
{
    char *path = g_strdup_printf("/cpu-exec/%s", name);
    char *rr_path = g_strdup_printf("/cpu-exec/rr/%s", name);

    g_test_add_func(path, fn);
    g_test_add_data_func(rr_path, (gconstpointer)fn, run_round_robin);
    g_free(path);
    g_free(rr_path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    main_loop_init();
    accel_test_init();
    bql_lock(bql_cause_main_loop);

    g_test_add_func("/cpu-exec/accel-registry", test_accel_registry);
    g_test_add_func("/cpu-exec/thread-names", test_thread_names);
    add_both("no-bql-in-guest", test_no_bql_in_guest);
    add_both("run-on-cpu", test_run_on_cpu);
    add_both("run-on-cpu-cross", test_run_on_cpu_cross);
    add_both("async-run-on-cpu", test_async_run_on_cpu);
    add_both("async-safe", test_async_safe);
    add_both("halt-wake", test_halt_wake);
    add_both("pause-resume", test_pause_resume);
    add_both("born-stopped", test_born_stopped);
    add_both("debug-exit", test_debug_exit);
    add_both("reset-all", test_reset_all);
    add_both("stop-and-join", test_stop_and_join);
    add_both("init-failure", test_init_failure);
    add_both("stress", test_stress);
    g_test_add_func("/cpu-exec/round-robin", test_round_robin);
    g_test_add_func("/cpu-exec/rr/one-thread", test_rr_one_thread);
    return g_test_run();
}
