/*
 * smp.c: application-processor bring-up with INIT and start-up IPIs (SDM
 * Vol 3A 8.4.4): the BSP copies a real-mode trampoline to 0x8000 and sends
 * INIT, then two SIPIs with vector 8 to all other CPUs.  Each AP starts in
 * real mode at 0800:0000, switches to 32-bit protected mode with the
 * trampoline's own GDT, reads its LAPIC ID, counts itself in with a locked
 * increment and halts.  Run with two CPUs: exactly one AP must arrive, with
 * APIC ID 1, and the BSP's own state must be untouched.
 * Built 32-bit and 64-bit (the trampoline is the same; only the BSP's
 * code differs).
 * run-guests: -smp 2
 */
#include "runtime.h"
#include "apic-guest.h"

#define TRAMP_BASE 0x8000u
#define SIPI_VECTOR (TRAMP_BASE >> 12)

/* The trampoline, assembled for any position and run at TRAMP_BASE: it
 * uses CS-relative addresses in real mode and TRAMP_BASE + offset in
 * protected mode.  Its data: ap_count (u32), ap_id (u32). */
extern const uint8_t tramp_start[], tramp_end[], tramp_count[], tramp_id[];
__asm__(
    ".pushsection .rodata\n"
    ".balign 16\n"
    "tramp_start:\n"
    ".code16\n"
    "    cli\n"
    "    lgdtl %cs:(tramp_gdtd - tramp_start)\n"
    "    movl %cr0, %eax\n"
    "    orl $1, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmpl $0x08, $(tramp_pm - tramp_start + 0x8000)\n"
    ".code32\n"
    "tramp_pm:\n"
    "    movw $0x10, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %es\n"
    "    movw %ax, %ss\n"
    "    movl 0xfee00020, %eax\n"
    "    shrl $24, %eax\n"
    "    movl %eax, (tramp_id - tramp_start + 0x8000)\n"
    "    lock incl (tramp_count - tramp_start + 0x8000)\n"
    "1:  cli\n"
    "    hlt\n"
    "    jmp 1b\n"
    ".balign 8\n"
    "tramp_gdt:\n"
    "    .quad 0\n"
    "    .quad 0x00cf9a000000ffff\n"     /* 0x08: flat 32-bit code */
    "    .quad 0x00cf92000000ffff\n"     /* 0x10: flat data */
    "tramp_gdtd:\n"
    "    .word 23\n"
    "    .long tramp_gdt - tramp_start + 0x8000\n"
    ".balign 4\n"
    "tramp_count: .long 0\n"
    "tramp_id: .long 0xffffffff\n"
    "tramp_end:\n"
#ifdef __x86_64__
    ".code64\n"
#endif
    ".popsection\n");

/* Busy-waits about n TSC ticks (at least; any emulator's TSC runs at a
 * GHz-ish rate, so the SDM's 10 ms and 200 us are covered). */
static void delay(uint64_t n)
{
    uint64_t t0 = rdtsc();

    while (rdtsc() - t0 < n) {
        __asm__ volatile("pause");
    }
}

static volatile uint32_t *tramp_var(const uint8_t *sym)
{
    return (volatile uint32_t *)(uintptr_t)(TRAMP_BASE + (sym - tramp_start));
}

int main(uint32_t magic, uint32_t info)
{
    volatile uint32_t *count = tramp_var(tramp_count);
    volatile uint32_t *id = tramp_var(tramp_id);
    uint64_t t0;
    uint32_t bsp_id;

    tap_plan(4);
    memcpy((void *)(uintptr_t)TRAMP_BASE, tramp_start,
           tramp_end - tramp_start);
    bsp_id = lapic_read(LAPIC_ID) >> 24;
    lapic_write(LAPIC_SVR, 0x1ff);

    /* INIT, then two SIPIs, to all excluding self (shorthand 3). */
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, (3u << 18) | ICR_ASSERT | ICR_INIT);
    delay(10000000);
    for (int i = 0; i < 2 && *count == 0; i++) {
        lapic_write(LAPIC_ICR_LO, (3u << 18) | ICR_ASSERT | ICR_STARTUP |
                    SIPI_VECTOR);
        delay(2000000);
    }
    t0 = rdtsc();
    while (*count == 0 && rdtsc() - t0 < 20000000000ull) {
        __asm__ volatile("pause");
    }
    tap_ok(*count >= 1, "an AP started at 0x%x and counted itself in",
           TRAMP_BASE);
    delay(50000000);
    tap_ok(*count == 1, "exactly one AP arrived (%u)", *count);
    tap_ok(*id == 1, "the AP read its own LAPIC ID (%u)", *id);
    tap_ok(bsp_id == 0 && (lapic_read(LAPIC_ID) >> 24) == 0,
           "the BSP is APIC ID 0 before and after");
    tap_exit();
}
