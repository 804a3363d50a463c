/*
 * smp-ipi.c: inter-processor interrupts through the local APIC.
 *
 *   ping-pong  CPU 0 sends a fixed IPI to CPU 1 (physical destination, its
 *              APIC ID); CPU 1's handler counts it and sends one back; CPU
 *              0 waits for the answer with HLT before the next round.
 *   broadcast  CPU 0 sends one IPI with the "all excluding self"
 *              shorthand; every other CPU's handler counts it.
 *   HLT        a CPU halted with interrupts enabled wakes on an IPI (every
 *              wait in this test is "sti; hlt" until the count moves).
 *
 * Needs 2 CPUs (skipped on one).
 */
// run-args: -smp 2
// run-args: -smp 4
// run-args: -smp 4 -accel tcg,thread=single
#include "smp.h"

#define ROUNDS 2000

#define VEC_PING  0x40
#define VEC_PONG  0x41
#define VEC_BCAST 0x42
#define VEC_WAKE  0x43                  /* no handler: just EOI */

static volatile uint32_t pings, pongs, bcasts[SMP_MAX_CPUS], stop;
static volatile uint32_t ready;

static int my_id(void)
{
    uint32_t apic = lapic_read(0x20) >> 24;

    for (int i = 0; i < smp_ncpus(); i++) {
        if (smp_apic_id(i) == apic) {
            return i;
        }
    }
    return 0;
}

static void on_ping(int v)
{
    pings++;
    lapic_send_ipi(smp_apic_id(0), 0x4000 | VEC_PONG);   /* fixed, assert */
}

static void on_pong(int v)
{
    pongs++;
}

static void on_bcast(int v)
{
    bcasts[my_id()]++;
}

static void ipi_job(int id, void *arg)
{
    uint32_t seen;

    smp_irq_init();
    __asm__ volatile("lock incl %0" : "+m"(ready) : : "memory");
    if (id != 0) {
        /* Sleep until told to stop; handlers run from the HLT. */
        seen = stop;
        irq_wait_while_eq(&stop, seen);
        return;
    }
    while (ready < (uint32_t)smp_ncpus()) {
        cpu_relax();
    }
    for (uint32_t r = 0; r < ROUNDS; r++) {
        lapic_send_ipi(smp_apic_id(1), 0x4000 | VEC_PING);
        irq_wait_while_eq(&pongs, r);
    }
    lapic_send_ipi(0, 0xc4000 | VEC_BCAST);              /* all but self */
    for (int i = 1; i < smp_ncpus(); i++) {
        /* Spin, not HLT: their handlers do not interrupt us. */
        while (bcasts[i] == 0) {
            cpu_relax();
        }
    }
    stop = 1;
    for (int i = 1; i < smp_ncpus(); i++) {
        lapic_send_ipi(smp_apic_id(i), 0x4000 | VEC_WAKE);
    }
}

int main(uint32_t magic, uint32_t info)
{
    int n;
    bool bc = true;

    n = smp_start_tap(3);
    if (n < 2) {
        tap_skip("needs 2 CPUs", "IPI ping-pong");
        tap_skip("needs 2 CPUs", "broadcast IPI");
        return 0;
    }
    smp_irq_handler(VEC_PING, on_ping);
    smp_irq_handler(VEC_PONG, on_pong);
    smp_irq_handler(VEC_BCAST, on_bcast);
    smp_run(ipi_job, NULL);
    tap_ok(pings == ROUNDS && pongs == ROUNDS,
           "IPI ping-pong: %u pings, %u pongs (want %u each)", pings, pongs,
           ROUNDS);
    for (int i = 1; i < n; i++) {
        bc &= bcasts[i] == 1;
    }
    tap_ok(bc && bcasts[0] == 0, "broadcast IPI reached each other CPU once");
    return 0;
}
