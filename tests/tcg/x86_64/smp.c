/*
 * smp.c: SMP bring-up the way an OS does it (SDM Vol 3A 8.4.4.1): the
 * BSP copies a real-mode trampoline to 0x70000 and sends INIT, then two
 * start-up IPIs with vector 0x70 to all other CPUs.  Each AP starts in
 * real mode at 7000:0000, switches to 32-bit protected mode (its own GDT
 * and IDT in the trampoline page), reads its APIC ID from its LAPIC (the
 * same MMIO address on every CPU: each sees its own) and from CPUID,
 * records both in a mailbox, enables its LAPIC and sends an IPI (vector
 * 0x50 + its APIC ID) to the BSP, then waits with STI; HLT.  The BSP then
 * plays IPI ping-pong with every AP (vector 0x52 there, each answered by
 * 0x60 + APIC ID here), sends one broadcast to all but itself, and an NMI
 * to each AP.  (Each AP answers with its own vector: fixed IPIs with one
 * vector that arrive while it is pending merge into one IRR bit.)
 *
 * The CPU count comes from fw_cfg; with one CPU everything is a SKIP.
 * The AP code is 16/32-bit assembly, the same in both builds.
 *
 * run-guests: -smp 2
 */
#include "apic-guest.h"

#define TRAMP       0x70000u               /* SIPI vector 0x70 */
#define AP_IDT      (TRAMP + 0x1000)
#define MAILBOX     (TRAMP + 0x2000)
#define MAX_CPUS    8
#define PINGS       100

/* The mailbox the APs fill in (all written with LOCK or by one CPU). */
struct mailbox {
    uint32_t count;                         /* APs that arrived */
    uint32_t mmio_id[MAX_CPUS];             /* by arrival slot */
    uint32_t cpuid_id[MAX_CPUS];
    uint32_t pings;                         /* 0x52s taken by the APs */
    uint32_t nmis;                          /* NMIs taken by the APs */
};
#define MB_COUNT    (MAILBOX + 0)
#define MB_MMIO_ID  (MAILBOX + 4)
#define MB_CPUID_ID (MAILBOX + 4 + 4 * MAX_CPUS)
#define MB_PINGS    (MAILBOX + 4 + 8 * MAX_CPUS)
#define MB_NMIS     (MAILBOX + 8 + 8 * MAX_CPUS)

#define STR_(x) #x
#define STR(x) STR_(x)

extern char ap_tramp_start[], ap_tramp_end[], ap_isr_52[], ap_nmi[];

__asm__(
    "    .text\n"
    "    .code16\n"
    "ap_tramp_start:\n"
    "    cli\n"
    "    mov %cs, %ax\n"
    "    mov %ax, %ds\n"
    "    lgdtl ap_gdtr - ap_tramp_start\n"
    "    mov %cr0, %eax\n"
    "    or $1, %eax\n"
    "    mov %eax, %cr0\n"
    "    ljmpl $0x08, $(" STR(TRAMP) " + ap_pm32 - ap_tramp_start)\n"
    "    .code32\n"
    "ap_pm32:\n"
    "    mov $0x10, %ax\n"
    "    mov %ax, %ds\n"
    "    mov %ax, %es\n"
    "    mov %ax, %ss\n"
    "    mov %ax, %fs\n"
    "    mov %ax, %gs\n"
    "    mov $1, %eax\n"
    "    cpuid\n"
    "    shr $24, %ebx\n"
    "    mov %ebx, %esi\n"                  /* CPUID's initial APIC ID */
    "    mov 0xfee00020, %ebx\n"
    "    shr $24, %ebx\n"                   /* the LAPIC's ID */
    "    mov %ebx, %ecx\n"
    "    and $7, %ecx\n"
    "    shl $10, %ecx\n"
    "    lea " STR(TRAMP) " + 0x4400(%ecx), %esp\n"  /* 1 KiB each */
    "    lidt " STR(TRAMP) " + ap_idtr - ap_tramp_start\n"
    "    movl $0x1ff, 0xfee000f0\n"         /* SVR: enabled */
    "    mov $1, %eax\n"
    "    lock xadd %eax, " STR(MB_COUNT) "\n"
    "    and $7, %eax\n"
    "    mov %ebx, " STR(MB_MMIO_ID) "(,%eax,4)\n"
    "    mov %esi, " STR(MB_CPUID_ID) "(,%eax,4)\n"
    "    movl $0, 0xfee00310\n"             /* to APIC ID 0 */
    "    mov %ebx, %eax\n"
    "    or $0x4050, %eax\n"                /* fixed, 0x50 + APIC ID */
    "    mov %eax, 0xfee00300\n"
    "1:  sti\n"
    "    hlt\n"
    "    jmp 1b\n"
    "ap_isr_52:\n"
    "    lock incl " STR(MB_PINGS) "\n"
    "    movl $0, 0xfee000b0\n"             /* EOI */
    "    movl $0, 0xfee00310\n"
    "    push %eax\n"
    "    mov 0xfee00020, %eax\n"
    "    shr $24, %eax\n"
    "    or $0x4060, %eax\n"                /* pong: 0x60 + APIC ID */
    "    mov %eax, 0xfee00300\n"
    "    pop %eax\n"
    "    iret\n"
    "ap_nmi:\n"
    "    lock incl " STR(MB_NMIS) "\n"
    "    iret\n"
    "    .align 8\n"
    "ap_gdt:\n"
    "    .quad 0, 0x00cf9a000000ffff, 0x00cf92000000ffff\n"
    "ap_gdtr:\n"
    "    .word 23\n"
    "    .long " STR(TRAMP) " + ap_gdt - ap_tramp_start\n"
    "ap_idtr:\n"
    "    .word 256 * 8 - 1\n"
    "    .long " STR(AP_IDT) "\n"
    "ap_tramp_end:\n"
#ifdef __x86_64__
    "    .code64\n"
#else
    "    .code32\n"
#endif
);

static volatile int alive, pongs;

__attribute__((interrupt)) static void on_alive(struct iframe *f)
{
    alive++;
    lapic_write(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void on_pong(struct iframe *f)
{
    pongs++;
    lapic_write(LAPIC_EOI, 0);
}

static volatile uint32_t *mb32(uint32_t addr)
{
    return (volatile uint32_t *)(uintptr_t)addr;
}

/* A 32-bit interrupt gate in the APs' IDT, CS 0x08. */
static void ap_gate(int v, char *fn)
{
    uint32_t off = TRAMP + (uint32_t)(fn - ap_tramp_start);

    *mb32(AP_IDT + v * 8) = 0x00080000u | (off & 0xffff);
    *mb32(AP_IDT + v * 8 + 4) = (off & 0xffff0000u) | 0x8e00;
}

static void delay(uint64_t ticks)
{
    uint64_t t0 = rdtsc();

    while (rdtsc() - t0 < ticks) {
        __asm__ volatile("pause");
    }
}

static bool wait_u32(uint32_t addr, uint32_t want)
{
    uint64_t t0 = rdtsc();

    sti();
    while (*mb32(addr) < want) {
        if (rdtsc() - t0 > WAIT_LONG) {
            return false;
        }
        __asm__ volatile("pause");
    }
    return true;
}

int main(uint32_t magic, uint32_t info)
{
    int ncpus = fw_cfg_cpus(), naps = ncpus - 1;
    uint32_t seen = 0;
    bool ids_ok = true;
    int bad_pings = 0;

    printf("# SMP bring-up, %d-bit, %d CPUs\n", (int)sizeof(void *) * 8,
           ncpus);
    tap_plan(6);
    if (ncpus < 2 || ncpus > MAX_CPUS) {
        for (int i = 0; i < 6; i++) {
            tap_skip("needs 2..8 CPUs (-smp)", "SMP test %d", i + 1);
        }
        return 0;
    }
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    /* One vector per AP: IPIs with the same vector that arrive while it
     * is pending merge into one IRR bit, as on hardware. */
    for (int i = 1; i < MAX_CPUS; i++) {
        idt_set(0x50 + i, on_alive);
        idt_set(0x60 + i, on_pong);
    }
    idt_load();
    lapic_write(LAPIC_SVR, 0x1ff);

    memcpy((void *)(uintptr_t)TRAMP, ap_tramp_start,
           ap_tramp_end - ap_tramp_start);
    memset((void *)(uintptr_t)AP_IDT, 0, 256 * 8);
    memset((void *)(uintptr_t)MAILBOX, 0, sizeof(struct mailbox));
    ap_gate(0x52, ap_isr_52);
    ap_gate(2, ap_nmi);

    /* INIT, 10 ms, SIPI, 200 us, SIPI: to all excluding self. */
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, (3u << 18) | ICR_ASSERT | ICR_INIT);
    delay(WAIT_10MS);
    lapic_write(LAPIC_ICR_LO, (3u << 18) | ICR_ASSERT | ICR_STARTUP |
                (TRAMP >> 12));
    delay(WAIT_10MS / 50);
    lapic_write(LAPIC_ICR_LO, (3u << 18) | ICR_ASSERT | ICR_STARTUP |
                (TRAMP >> 12));

    tap_ok(wait_u32(MB_COUNT, naps) && *mb32(MB_COUNT) == (uint32_t)naps,
           "%d AP(s) started from the real-mode trampoline", naps);
    for (int i = 0; i < naps; i++) {
        uint32_t id = *mb32(MB_MMIO_ID + 4 * i);

        if (id == 0 || id >= (uint32_t)ncpus || (seen & (1u << id)) ||
            *mb32(MB_CPUID_ID + 4 * i) != id) {
            ids_ok = false;
        }
        seen |= 1u << id;
        tap_diag("AP in slot %d: APIC ID %u (CPUID says %u)", i, id,
                 *mb32(MB_CPUID_ID + 4 * i));
    }
    tap_ok(ids_ok && naps > 0,
           "each AP reports its own APIC ID, from its LAPIC and CPUID");
    tap_ok(wait_for(&alive, naps, WAIT_LONG) && alive == naps,
           "each AP sent the BSP an IPI (%d)", alive);

    for (int n = 0; n < PINGS; n++) {
        for (int id = 1; id < ncpus; id++) {
            int want = pongs + 1;

            lapic_ipi(id, ICR_ASSERT | 0x52);
            if (!wait_for(&pongs, want, WAIT_LONG)) {
                bad_pings++;
            }
        }
    }
    tap_ok(bad_pings == 0 && *mb32(MB_PINGS) == (uint32_t)(PINGS * naps) &&
           pongs == PINGS * naps,
           "IPI ping-pong: %d round trips (APs took %u)", pongs,
           *mb32(MB_PINGS));

    lapic_write(LAPIC_ICR_LO, (3u << 18) | ICR_ASSERT | 0x52);
    tap_ok(wait_for(&pongs, PINGS * naps + naps, WAIT_LONG),
           "a broadcast to all but self reaches every AP");

    for (int id = 1; id < ncpus; id++) {
        lapic_ipi(id, ICR_ASSERT | ICR_NMI);
    }
    tap_ok(wait_u32(MB_NMIS, naps), "an NMI IPI reaches each AP (%u)",
           *mb32(MB_NMIS));
    cli();
    return 0;
}
