/*
 * smp-atomic.c: every CPU hammers shared counters with LOCK XADD, LOCK
 * CMPXCHG (a retry loop), XCHG (as a spinlock around a plain increment)
 * and LOCK ADD on a counter that straddles a page boundary (which an
 * emulator cannot do as one host atomic); each final value must be exact.
 * Also: a ticket lock (LOCK XADD for the ticket) around a critical section
 * whose two plain counters must stay equal, as seen from inside it; few
 * rounds, because a FIFO hand-over to a vCPU whose host thread is not
 * running costs a host time slice when vCPUs outnumber host cores.
 *
 * Runs on any number of CPUs (run-guests.t runs it with -smp 1, 2 and 4;
 * see the run-args lines); with no local APIC but several CPUs it skips.
 */
// run-args: -smp 2
// run-args: -smp 4
// run-args: -smp 4 -accel tcg,thread=single
#include "smp.h"

#define XADD_ITERS     1000000
#define CMPXCHG_ITERS  400000
#define XCHG_ITERS     100000
#define TICKET_ITERS   2000
#define STRADDLE_ITERS 5000

static volatile uint32_t xadd_counter __attribute__((aligned(64)));
static volatile uint32_t cmpxchg_counter __attribute__((aligned(64)));
static volatile uint32_t spin_lock __attribute__((aligned(64)));
static volatile uint32_t spin_counter __attribute__((aligned(64)));

static volatile uint32_t ticket_next __attribute__((aligned(64)));
static volatile uint32_t ticket_serving __attribute__((aligned(64)));
static volatile uint32_t ticket_a, ticket_b, ticket_torn;

/* A 4-byte counter whose bytes lie 2 in one page and 2 in the next. */
static uint8_t straddle_page[8192] __attribute__((aligned(4096)));
#define STRADDLE ((volatile uint32_t *)(straddle_page + 4096 - 2))

static void hammer_xadd(int id, void *arg)
{
    for (int i = 0; i < XADD_ITERS; i++) {
        uint32_t one = 1;

        __asm__ volatile("lock xaddl %0, %1"
                         : "+r"(one), "+m"(xadd_counter) : : "memory");
    }
}

static void hammer_cmpxchg(int id, void *arg)
{
    for (int i = 0; i < CMPXCHG_ITERS; i++) {
        uint32_t old = cmpxchg_counter, seen;

        for (;;) {
            __asm__ volatile("lock cmpxchgl %2, %1"
                             : "=a"(seen), "+m"(cmpxchg_counter)
                             : "r"(old + 1), "0"(old) : "memory", "cc");
            if (seen == old) {
                break;
            }
            old = seen;
        }
    }
}

static void spin_acquire(volatile uint32_t *l)
{
    for (;;) {
        uint32_t v = 1;

        __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*l) : : "memory");
        if (v == 0) {
            return;
        }
        while (*l) {
            cpu_relax();
        }
    }
}

static void spin_release(volatile uint32_t *l)
{
    __asm__ volatile("" ::: "memory");
    *l = 0;
}

static void hammer_xchg(int id, void *arg)
{
    for (int i = 0; i < XCHG_ITERS; i++) {
        spin_acquire(&spin_lock);
        spin_counter = spin_counter + 1;
        spin_release(&spin_lock);
    }
}

static void hammer_ticket(int id, void *arg)
{
    for (int i = 0; i < TICKET_ITERS; i++) {
        uint32_t me = 1;

        __asm__ volatile("lock xaddl %0, %1"
                         : "+r"(me), "+m"(ticket_next) : : "memory");
        while (ticket_serving != me) {
            cpu_relax();
        }
        if (ticket_a != ticket_b) {
            ticket_torn++;
        }
        ticket_a = ticket_a + 1;
        ticket_b = ticket_b + 1;
        __asm__ volatile("" ::: "memory");
        ticket_serving = me + 1;
    }
}

static void hammer_straddle(int id, void *arg)
{
    for (int i = 0; i < STRADDLE_ITERS; i++) {
        __asm__ volatile("lock addl $1, %0" : "+m"(*STRADDLE) : : "memory");
    }
}

int main(uint32_t magic, uint32_t info)
{
    int n;

    n = smp_start_tap(6);

    smp_run(hammer_xadd, NULL);
    tap_ok(xadd_counter == (uint32_t)n * XADD_ITERS,
           "LOCK XADD: %u (want %u)", xadd_counter,
           (uint32_t)n * XADD_ITERS);
    smp_run(hammer_cmpxchg, NULL);
    tap_ok(cmpxchg_counter == (uint32_t)n * CMPXCHG_ITERS,
           "LOCK CMPXCHG loop: %u (want %u)", cmpxchg_counter,
           (uint32_t)n * CMPXCHG_ITERS);
    smp_run(hammer_xchg, NULL);
    tap_ok(spin_counter == (uint32_t)n * XCHG_ITERS,
           "XCHG spinlock: %u (want %u)", spin_counter,
           (uint32_t)n * XCHG_ITERS);
    smp_run(hammer_ticket, NULL);
    tap_ok(ticket_a == (uint32_t)n * TICKET_ITERS &&
           ticket_b == ticket_a && ticket_torn == 0,
           "ticket lock: %u/%u, %u torn views (want %u, 0)", ticket_a,
           ticket_b, ticket_torn, (uint32_t)n * TICKET_ITERS);
    smp_run(hammer_straddle, NULL);
    tap_ok(*STRADDLE == (uint32_t)n * STRADDLE_ITERS,
           "LOCK ADD across a page boundary: %u (want %u)", *STRADDLE,
           (uint32_t)n * STRADDLE_ITERS);
    return 0;
}
