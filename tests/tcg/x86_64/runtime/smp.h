/*
 * smp.h: multiprocessor support for the x86 guest test programs
 * (runtime/smp.c).  See docs/devel/x86-guest-tests.md.
 *
 * The boot CPU (BSP) brings the other CPUs (APs) up once with
 * smp_start(): INIT-SIPI(-SIPI) broadcast through its local APIC, a
 * real-mode trampoline copied to 0x8000 that switches to the program's
 * mode (32-bit protected, or long mode with the BSP's page tables), a
 * stack per AP, then an idle loop.  smp_run(fn, arg) then runs fn on every
 * CPU at once (the BSP is CPU 0, the APs 1..n-1 in the order they woke
 * up) and returns when all have finished:
 *
 *     int n = smp_start();                 // CPUs running, BSP included
 *     smp_run(hammer, &shared);            // hammer(id, &shared) on each
 *
 * The CPU count comes from fw_cfg (FW_CFG_NB_CPUS).  Idle APs spin; no
 * interrupts are used unless a test sets up its own IDT (smp_idt_*).
 */
#ifndef X86_GUEST_SMP_H
#define X86_GUEST_SMP_H

#include "runtime.h"

#define SMP_MAX_CPUS 64
#define LAPIC_BASE   0xfee00000u

typedef void SmpFn(int id, void *arg);

/* CPUs the machine has (fw_cfg), at least 1. */
int smp_cpu_count(void);
/* True if a local APIC answers at LAPIC_BASE (version register). */
bool smp_lapic_present(void);
/* Brings every AP up; returns how many CPUs run (BSP included).  Once. */
int smp_start(void);
/*
 * The start of an SMP test program: with several CPUs but no local APIC
 * to start them it skips the whole program ("1..0 # SKIP"); otherwise it
 * prints the TAP plan of plan tests, brings the APs up (smp_start) and
 * makes the first test "every CPU is running".  Returns smp_start's count.
 */
int smp_start_tap(int plan);
/* Runs fn(id, arg) on CPUs 0..smp_ncpus()-1 at once; waits for all. */
void smp_run(SmpFn *fn, void *arg);
/* CPUs running after smp_start (1 before). */
int smp_ncpus(void);
/* The local APIC ID of CPU id (recorded when it started). */
uint32_t smp_apic_id(int id);

/*
 * Interrupts: smp_irq_init() (on each CPU that wants them, e.g. inside an
 * smp_run job) gives the calling CPU its own IDT, whose vectors
 * IRQ_VEC_BASE..+IRQ_NVEC-1 call the handler set with smp_irq_handler
 * and then EOI the local APIC, and software-enables its local APIC.  The
 * CPU keeps IF clear; irq_wait_until() sleeps with "sti; hlt".
 */
#define IRQ_VEC_BASE 0x40
#define IRQ_NVEC     8
typedef void IrqHandlerFn(int vector);
void smp_irq_init(void);
void smp_irq_handler(int vector, IrqHandlerFn *fn);   /* any CPU, before */
/* Halts (with interrupts enabled only inside "sti; hlt") until *p != v. */
void irq_wait_while_eq(volatile uint32_t *p, uint32_t v);

/* A barrier for all smp_ncpus() CPUs inside smp_run. */
void smp_barrier(void);

/* Local APIC registers. */
static inline uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = v;
}

/* Sends an IPI: icr_low (vector, mode, shorthand) to APIC ID dest. */
void lapic_send_ipi(uint32_t dest, uint32_t icr_low);

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
