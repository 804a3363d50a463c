/*
 * apic-guest.h: what the interrupt guests (apic.c, smp.c, a20.c) share:
 * an IDT with gcc "interrupt" handlers (32- and 64-bit gate formats), the
 * local APIC's xAPIC registers, MSRs, the TSC, fw_cfg's CPU count, and
 * a bounded wait.  Header-only so that each guest stays one file.
 *
 *     idt_set(0x40, on_ipi); idt_load();
 *     lapic_write(LAPIC_SVR, 0x1ff);
 *     __attribute__((interrupt)) static void on_ipi(struct iframe *f)
 *     { hits++; lapic_write(LAPIC_EOI, 0); }
 */
#ifndef X86_GUEST_APIC_H
#define X86_GUEST_APIC_H

#include "runtime.h"

#define LAPIC_BASE      0xfee00000u
#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_PPR       0x0a0
#define LAPIC_EOI       0x0b0
#define LAPIC_LDR       0x0d0
#define LAPIC_DFR       0x0e0
#define LAPIC_SVR       0x0f0
#define LAPIC_ISR       0x100
#define LAPIC_IRR       0x200
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TMICT     0x380
#define LAPIC_TMCCT     0x390
#define LAPIC_TDCR      0x3e0

#define ICR_FIXED       0x000
#define ICR_NMI         0x400
#define ICR_INIT        0x500
#define ICR_STARTUP     0x600
#define ICR_ASSERT      0x4000
#define ICR_SELF        (1u << 18)

#define IOAPIC_BASE     0xfec00000u

/* The frame the CPU pushes; gcc's interrupt attribute hands it over. */
struct iframe {
    uintptr_t ip, cs, flags, sp, ss;
};

#ifdef __x86_64__
struct idt_gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
};
#else
struct idt_gate {
    uint16_t off0, sel;
    uint8_t zero, type;
    uint16_t off1;
};
#endif

static struct idt_gate guest_idt[256] __attribute__((aligned(16)));

/* A present DPL-0 interrupt gate for vector v. */
static inline void idt_set(int v, void *fn)
{
    uintptr_t a = (uintptr_t)fn;
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    memset(&guest_idt[v], 0, sizeof(guest_idt[v]));
    guest_idt[v].off0 = a & 0xffff;
    guest_idt[v].sel = cs;
    guest_idt[v].type = 0x8e;
    guest_idt[v].off1 = (a >> 16) & 0xffff;
#ifdef __x86_64__
    guest_idt[v].off2 = (uint64_t)a >> 32;
#endif
}

static inline void idt_load(void)
{
    struct {
        uint16_t limit;
        uintptr_t base;
    } __attribute__((packed)) d = { sizeof(guest_idt) - 1,
                                    (uintptr_t)guest_idt };

    __asm__ volatile("lidt %0" : : "m"(d));
}

static inline uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = val;
}

/* Sends an IPI: destination APIC ID (xAPIC), ICR low word. */
static inline void lapic_ipi(uint8_t dest, uint32_t lo)
{
    lapic_write(LAPIC_ICR_HI, (uint32_t)dest << 24);
    lapic_write(LAPIC_ICR_LO, lo);
}

static inline bool lapic_bit(uint32_t base, int v)
{
    return (lapic_read(base + (v / 32) * 0x10) >> (v % 32)) & 1;
}

static inline uint32_t ioapic_read(uint32_t reg)
{
    *(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
    return *(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + 0x10);
}

static inline void ioapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + 0x10) = val;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo = 0, hi = 0;

    __asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
    return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
                     "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo | (uint64_t)hi << 32;
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void sti(void)
{
    __asm__ volatile("sti" : : : "memory");
}

static inline void cli(void)
{
    __asm__ volatile("cli" : : : "memory");
}

/* STI and HLT back to back: the STI shadow makes a pending interrupt wake
 * the HLT rather than slip in before it. */
static inline void sti_hlt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}

/* The CPU count from fw_cfg (key 0x05, little-endian u16). */
static inline int fw_cfg_cpus(void)
{
    outw(0x510, 0x05);
    return inb(0x511) | inb(0x511) << 8;
}

/* Spins with interrupts enabled until *flag >= want, for at most about
 * limit TSC ticks; returns whether it got there. */
static inline bool wait_for(volatile int *flag, int want, uint64_t limit)
{
    uint64_t t0 = rdtsc();

    sti();
    while (*flag < want) {
        if (rdtsc() - t0 > limit) {
            return false;
        }
        __asm__ volatile("pause");
    }
    return true;
}

/* About 10 ms of TSC, generous for an emulator's 1-4 GHz TSC. */
#define WAIT_10MS  40000000ull
#define WAIT_LONG  20000000000ull

#endif
