/*
 * accel-test.h: a test-only accelerator ("test", threads "CPU n/TEST") and
 * test CPU class, for driving the real vCPU loop in cpu-exec.c from unit
 * tests.  It lives only under tests/ and registers itself only when a test
 * calls accel_test_init().
 *
 * Its "guest" is a loop that increments TestCPU.counter until exit_request
 * is set, with knobs a test can turn from any thread:
 *
 *     accel_test_init();                 // registers, sets current_accel
 *     bql_lock(bql_cause_init);
 *     TestCPU *c = test_cpu_new(0);      // cpu_init_common
 *     cpu_start(&c->parent, &error_abort);
 *     vm_start();
 *     __atomic_store_n(&c->halt_after, 1000, __ATOMIC_RELAXED);
 *
 * exec_vcpu checks that it runs without the BQL and inside cpu_exec_start/
 * cpu_exec_end; violations are counted in accel_test_violations, which
 * every test should find zero.
 */
#ifndef TESTS_UNIT_SUPPORT_ACCEL_TEST_H
#define TESTS_UNIT_SUPPORT_ACCEL_TEST_H

#include "util/osdep.h"
#include "accel/accel.h"
#include "hw/cpu.h"

typedef struct TestCPU TestCPU;

/*
 * Called by the guest loop before every iteration, without the BQL, on
 * the vCPU thread.  Returns 0 to go on, or an EXCP_* code to return from
 * exec_vcpu.
 */
typedef int TestGuestFn(TestCPU *cpu);

struct TestCPU {
    CPUState parent;                /* first: TEST_CPU() casts */

    uint64_t counter;               /* atomic: guest loop iterations */
    bool in_exec;                   /* atomic: inside exec_vcpu */
    uint32_t hard_irqs;             /* atomic: CPU_INTERRUPT_HARD taken */
    uint32_t kicks;                 /* atomic: kick_vcpu calls */

    /* Knobs, atomic, any thread. */
    int halt_after;                 /* >0: EXCP_HLT after this many
                                       iterations of one exec_vcpu call */
    int next_exit;                  /* !=0: next iteration returns it, once */
    bool work_flag;                 /* has_work returns true while set */
    TestGuestFn *guest_fn;          /* optional per-iteration hook */
    void *opaque;                   /* for guest_fn */

    /* Written by accelerator/class hooks under the BQL. */
    pthread_t init_thread;          /* thread init_vcpu ran on */
    pthread_t destroy_thread;       /* thread destroy_vcpu ran on */
    bool destroyed;
    int reset_count;
    int reset_seq;                  /* accel_test_seq at the last reset */
    int put_state_count;
    int put_state_seq;              /* accel_test_seq at the last put_state */
};

#define TEST_CPU(cs) container_of((cs), TestCPU, parent)

extern const AccelOps accel_test_ops;
extern const CPUClass test_cpu_class;

/* Atomic: exec_vcpu found the BQL held, or was called outside
 * cpu_exec_start/cpu_exec_end. */
extern uint32_t accel_test_violations;
/* BQL: a sequence number for ordering hooks (resets, reset handlers). */
extern int accel_test_seq;
/* BQL: init_vcpu fails for this cpu_index (-1: never). */
extern int accel_test_fail_init_index;

/* Registers the accelerator (once) and makes it current_accel. */
void accel_test_init(void);
/* Allocates a TestCPU and runs cpu_init_common.  BQL.  Never freed: cpus[]
 * keeps every CPU. */
TestCPU *test_cpu_new(int index);
uint64_t test_cpu_counter(TestCPU *cpu);

/* --- Helpers for tests whose main thread holds the BQL by default --- */

/* Creates and starts n test vCPUs, indices 0..n-1.  BQL. */
void test_cpus_start(TestCPU **out, int n);
/* Sleeps with the BQL released, as the main loop does in ppoll().  BQL. */
void test_sleep_ms(int ms);
/* Polls cond (called with the BQL) every millisecond for up to timeout_ms;
 * returns its last value.  BQL, released between polls. */
typedef bool TestCond(void *opaque);
bool test_wait_until(TestCond *cond, void *opaque, int timeout_ms);
/* True once cpu's counter has advanced by delta from base (cond helper). */
bool test_cpu_advanced(TestCPU *cpu, uint64_t base, uint64_t delta,
                       int timeout_ms);
/*
 * Fails the test program ("Bail out!", exit 1) if it is still running
 * after seconds; called again, re-arms.  Turns a deadlock into a failure.
 */
void test_watchdog_arm(unsigned seconds);

#endif
