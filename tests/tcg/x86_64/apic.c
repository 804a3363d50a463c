/*
 * apic.c: the boot CPU's local APIC as a guest sees it: identification
 * (CPUID, IA32_APIC_BASE, ID, version), self-IPIs through the ICR with
 * IDT delivery and EOI, ISR/PPR while a handler runs, priority order of
 * two pending vectors, TPR masking, the timer in one-shot, periodic and
 * TSC-deadline mode (waiting with HLT), an NMI IPI to itself (vector 2,
 * a second NMI held back until IRET), the PIT's IRQ 0 routed through the
 * IOAPIC (pin 2) to the LAPIC, and x2APIC mode (MSRs, self IPI, #GP for a
 * write-only register) when CPUID offers it.  The 8259 is masked
 * throughout so every interrupt comes through the LAPIC.
 *
 * Features the CPU model does not advertise (TSC deadline, x2APIC: the
 * reference emulator's TCG has neither) are TAP SKIPs.
 *
 * run-guests: -cpu max
 */
#include "apic-guest.h"

static volatile int n40, n41_order, n43, n60, n61, n62, n70, n30, nmi_count;
static volatile int order[4];
static volatile bool isr_in_handler, nmi_nested, in_nmi;
static volatile uint32_t ppr_in_handler;
static volatile int gp_count;

__attribute__((interrupt)) static void on_0x40(struct iframe *f)
{
    isr_in_handler = lapic_bit(LAPIC_ISR, 0x40);
    ppr_in_handler = lapic_read(LAPIC_PPR);
    n40++;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x41(struct iframe *f)
{
    order[n41_order++ & 3] = 0x41;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x81(struct iframe *f)
{
    order[n41_order++ & 3] = 0x81;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x43(struct iframe *f)
{
    n43++;
    wrmsr(0x80b, 0);                    /* x2APIC EOI */
}

__attribute__((interrupt)) static void on_0x60(struct iframe *f)
{
    n60++;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x61(struct iframe *f)
{
    n61++;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x62(struct iframe *f)
{
    n62++;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x70(struct iframe *f)
{
    n70++;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_0x30(struct iframe *f)
{
    n30++;
    lapic_write(LAPIC_EOI, 0);
}

/* NMI: the first one sends a second to itself and spins a while; that
 * one must wait for the IRET. */
__attribute__((interrupt)) static void on_nmi(struct iframe *f)
{
    if (in_nmi) {
        nmi_nested = true;
    }
    in_nmi = true;
    nmi_count++;
    if (nmi_count == 1) {
        uint64_t t0 = rdtsc();

        lapic_ipi(0, ICR_NMI | ICR_ASSERT);
        while (rdtsc() - t0 < WAIT_10MS) {
            __asm__ volatile("pause");
        }
    }
    in_nmi = false;
}

/* #GP from RDMSR/WRMSR (2 bytes): count it and skip the insn. */
__attribute__((interrupt)) static void on_gp(struct iframe *f, uintptr_t err)
{
    gp_count++;
    f->ip += 2;
}

static void settle(void)
{
    uint64_t t0 = rdtsc();

    sti();
    while (rdtsc() - t0 < WAIT_10MS) {
        __asm__ volatile("pause");
    }
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t r[4];
    uint64_t base, t0;
    bool has_x2, has_tscdl;
    uint32_t count1, count2;

    cpuid(1, 0, r);
    has_x2 = r[2] & (1u << 21);
    has_tscdl = r[2] & (1u << 24);
    printf("# local APIC tests, %d-bit\n", (int)sizeof(void *) * 8);
    tap_plan(21);

    outb(0x21, 0xff);                   /* 8259s fully masked */
    outb(0xa1, 0xff);
    idt_set(2, on_nmi);
    idt_set(13, on_gp);
    idt_set(0x30, on_0x30);
    idt_set(0x40, on_0x40);
    idt_set(0x41, on_0x41);
    idt_set(0x43, on_0x43);
    idt_set(0x60, on_0x60);
    idt_set(0x61, on_0x61);
    idt_set(0x62, on_0x62);
    idt_set(0x70, on_0x70);
    idt_set(0x81, on_0x81);
    idt_load();

    base = rdmsr(0x1b);
    tap_ok(r[3] & (1u << 9), "CPUID.1:EDX advertises an APIC");
    tap_ok((base & ~0xfffull) == LAPIC_BASE && (base & 0x900) == 0x900,
           "IA32_APIC_BASE = 0x%llx: 0xfee00000, enabled, BSP",
           (unsigned long long)base);
    tap_ok(lapic_read(LAPIC_ID) == 0 &&
           lapic_read(LAPIC_VERSION) == 0x00050014,
           "ID 0, version 0x%x", lapic_read(LAPIC_VERSION));

    lapic_write(LAPIC_SVR, 0x1ff);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_ASSERT | 0x40);
    tap_ok(wait_for(&n40, 1, WAIT_LONG) && n40 == 1,
           "a self-IPI (vector 0x40) reaches its IDT handler");
    tap_ok(isr_in_handler && ppr_in_handler == 0x40 &&
           !lapic_bit(LAPIC_ISR, 0x40),
           "in the handler ISR has 0x40 and PPR is 0x%x; EOI cleared it",
           ppr_in_handler);

    cli();
    lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_ASSERT | 0x41);
    lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_ASSERT | 0x81);
    tap_ok(lapic_bit(LAPIC_IRR, 0x41) && lapic_bit(LAPIC_IRR, 0x81),
           "with IF=0 both vectors wait in IRR");
    settle();
    tap_ok(n41_order == 2 && order[0] == 0x81 && order[1] == 0x41,
           "the higher vector is taken first (0x%x, 0x%x)", order[0],
           order[1]);

    lapic_write(LAPIC_TPR, 0x80);
    lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_ASSERT | 0x70);
    settle();
    tap_ok(n70 == 0 && lapic_bit(LAPIC_IRR, 0x70),
           "TPR 0x80 holds vector 0x70 back in IRR");
    lapic_write(LAPIC_TPR, 0x60);
    tap_ok(wait_for(&n70, 1, WAIT_LONG) && lapic_read(LAPIC_PPR) == 0x60,
           "lowering TPR to 0x60 delivers it");
    lapic_write(LAPIC_TPR, 0);

    /* One-shot, divide by 1: 1 ms. */
    lapic_write(LAPIC_TDCR, 0xb);
    lapic_write(LAPIC_LVT_TIMER, 0x60);
    lapic_write(LAPIC_TMICT, 1000000000);      /* 1 s */
    count1 = lapic_read(LAPIC_TMCCT);
    count2 = lapic_read(LAPIC_TMCCT);
    tap_ok(count1 <= 1000000000 && count2 <= count1 && count2 > 0,
           "the current count runs down (%u, %u)", count1, count2);
    lapic_write(LAPIC_TMICT, 1000000);
    tap_ok(wait_for(&n60, 1, WAIT_LONG), "one-shot timer interrupt");
    settle();
    settle();
    tap_ok(n60 == 1 && lapic_read(LAPIC_TMCCT) == 0,
           "one-shot fires once (%d) and stops at count 0", n60);
    /* Armed with interrupts off: the STI shadow then guarantees that the
     * interrupt finds the CPU in HLT.  With IF = 1 it may arrive before
     * the HLT (0.5 ms is short when the TMICT write exits to userspace
     * under nested KVM), and nothing would wake the HLT. */
    cli();
    lapic_write(LAPIC_TMICT, 500000);
    sti_hlt();
    tap_ok(n60 == 2, "HLT wakes on the timer interrupt");

    /* Periodic, divide by 2: 0.2 ms. */
    lapic_write(LAPIC_TDCR, 0x0);
    lapic_write(LAPIC_LVT_TIMER, (1u << 17) | 0x61);
    lapic_write(LAPIC_TMICT, 100000);
    t0 = rdtsc();
    while (n61 < 5 && rdtsc() - t0 < WAIT_LONG) {
        sti_hlt();
    }
    lapic_write(LAPIC_TMICT, 0);
    count1 = n61;
    settle();
    tap_ok(count1 >= 5 && n61 == count1,
           "periodic timer: %u interrupts waiting with HLT, none after "
           "stopping it", count1);

    if (has_tscdl) {
        lapic_write(LAPIC_LVT_TIMER, (2u << 17) | 0x62);
        wrmsr(0x6e0, rdtsc() + 2000000);
        tap_ok(wait_for(&n62, 1, WAIT_LONG) && rdmsr(0x6e0) == 0,
               "TSC-deadline timer interrupt; the MSR reads 0 after");
    } else {
        tap_skip("CPUID.1:ECX.TSC_DEADLINE is not advertised",
                 "TSC-deadline timer");
    }
    lapic_write(LAPIC_LVT_TIMER, 0x10000);

    lapic_ipi(0, ICR_NMI | ICR_ASSERT);
    t0 = rdtsc();
    while (nmi_count < 2 && rdtsc() - t0 < WAIT_LONG) {
        __asm__ volatile("pause");
    }
    tap_ok(nmi_count == 2 && !nmi_nested,
           "NMI IPI to itself through vector 2 (%d); the second waited for "
           "IRET", nmi_count);

    /* PIT -> IOAPIC pin 2 -> LAPIC, vector 0x30, edge, physical to 0. */
    ioapic_write(0x10 + 2 * 2 + 1, 0);
    ioapic_write(0x10 + 2 * 2, 0x30);
    outb(0x43, 0x34);                   /* ch0, lo/hi, mode 2 */
    outb(0x40, 0x00);
    outb(0x40, 0x20);                   /* 0x2000: ~146 Hz */
    t0 = rdtsc();
    while (n30 < 3 && rdtsc() - t0 < WAIT_LONG) {
        sti_hlt();
    }
    cli();
    ioapic_write(0x10 + 2 * 2, 0x10030);
    tap_ok(n30 >= 3, "PIT interrupts through the IOAPIC (%d)", n30);

    if (has_x2) {
        wrmsr(0x1b, base | 0xc00);
        tap_ok(rdmsr(0x802) == 0 && rdmsr(0x80d) == 1 &&
               (rdmsr(0x803) & 0xff) == 0x14,
               "x2APIC: ID 0, LDR 1, version via MSRs");
        wrmsr(0x83f, 0x43);
        tap_ok(wait_for(&n43, 1, WAIT_LONG), "x2APIC SELF IPI");
        cli();
        gp_count = 0;
        (void)rdmsr(0x80b);
        tap_ok(gp_count == 1, "RDMSR of the write-only EOI is #GP");
        wrmsr(0x1b, base & ~0xc00ull);
        wrmsr(0x1b, base);
        lapic_write(LAPIC_SVR, 0x1ff);
        tap_ok(lapic_read(LAPIC_VERSION) == 0x00050014 &&
               rdmsr(0x1b) == base,
               "back to xAPIC through disabled");
    } else {
        tap_skip("CPUID.1:ECX.x2APIC is not advertised", "x2APIC MSRs");
        tap_skip("CPUID.1:ECX.x2APIC is not advertised", "x2APIC SELF IPI");
        tap_skip("CPUID.1:ECX.x2APIC is not advertised", "x2APIC #GP");
        tap_skip("CPUID.1:ECX.x2APIC is not advertised", "x2APIC off");
    }
    cli();
    return 0;
}
