/*
 * fpu-ferr.c: the x87's MS-DOS compatibility mode (CR0.NE = 0) on a PC:
 * FERR#, IRQ 13 through the 8259s, port 0xF0 and IGNNE# (SDM Vol 1 8.7,
 * appendix D.2; docs/devel/x86-fpu.md).
 *
 * A waiting insn (FWAIT here) that finds an unmasked x87 exception pending
 * asserts FERR#, which the board turns into IRQ 13 (slave IR5, vector 0x2d
 * as programmed here), and freezes before executing until the interrupt,
 * which therefore returns to it.  The handler writes port 0xF0: IRQ 13
 * drops and IGNNE# is asserted while FERR# is, so the FWAIT then runs
 * despite FSW.ES; FNCLEX (FERR# off) drops IGNNE#, and the next exception
 * interrupts again.  With CR0.NE = 1 the same gives #MF (vector 16).
 *
 * run-guests: -cpu max
 * reference-skip: qemu-system-x86_64 7.2 aborts here (it raises FERR# from FWAIT without its global lock: assertion in tcg_handle_interrupt; fixed in later versions)
 * kvm-skip: FERR#/IRQ 13 with CR0.NE=0 is the kernel's business under KVM (not emulated; a nested run would send it to the outer emulator)
 * (Where the reference does run this path, it raises IRQ 13 and completes
 * the FWAIT instead of freezing, so its interrupt returns past the FWAIT:
 * "ferr-freeze" below.)
 */
#include "sys.h"

#ifdef __x86_64__
#define W "q"
#define AX "%rax"
#define SP "%rsp"
#define IRET "iretq"
#define PTR "8"
#define CLOBBER "rcx",
#else
#define W "l"
#define AX "%eax"
#define SP "%esp"
#define IRET "iret"
#define PTR "4"
#define CLOBBER
#endif

volatile uintptr_t mf_count, mf_resume;
volatile uintptr_t irq13_eip, irq13_count, irq13_clex;
volatile uint16_t irq13_fsw;

/* #MF: count it, clear the exception (FNCLEX) and resume at mf_resume.
 * IRQ 13: record the return address, the FSW and a count; write port
 * 0xF0, then FNCLEX if irq13_clex; EOI both PICs; return to the
 * interrupted insn. */
__asm__(".text\n"
        "stub16:\n\t"
        "push" W " " AX "\n\t"
        "inc" W " mf_count\n\t"
        "fnclex\n\t"
        "mov" W " mf_resume, " AX "\n\t"
        "mov" W " " AX ", " PTR "(" SP ")\n\t"
        "pop" W " " AX "\n\t"
        IRET "\n"
        "stub45:\n\t"
        "push" W " " AX "\n\t"
        "mov" W " " PTR "(" SP "), " AX "\n\t"
        "mov" W " " AX ", irq13_eip\n\t"
        "fnstsw irq13_fsw\n\t"
        "inc" W " irq13_count\n\t"
        "mov $0, %al\n\t"
        "outb %al, $0xf0\n\t"
        "cmp" W " $0, irq13_clex\n\t"
        "je 2f\n\t"
        "fnclex\n"
        "2:\tmov $0x20, %al\n\t"
        "outb %al, $0xa0\n\t"
        "outb %al, $0x20\n\t"
        "pop" W " " AX "\n\t"
        IRET "\n");

extern char stub16[], stub45[];

static void setup_idt(void)
{
    sys_init();
    idt_set_gate(16, (uintptr_t)stub16, SEL_KCODE, 0xe, 0, 0);
    idt_set_gate(0x2d, (uintptr_t)stub45, SEL_KCODE, 0xe, 0, 0);
}

#define CR0_EM 0x4
#define CR0_TS 0x8
#define CR0_NE 0x20

static const uint16_t fcw_ze = 0x37f & ~0x4;    /* ZE unmasked */

/* An unmasked divide by zero: ES pending, ST0 = 1 and ST1 = 0 kept. */
static void pend_ze(void)
{
    __asm__ volatile("fninit\n\tfldcw %0\n\tfldz\n\tfld1\n\t"
                     "fdiv %%st(1), %%st" : : "m"(fcw_ze));
}

/* Slave 8259 IRR bit 5: IRQ 13 requested. */
static bool irq13_requested(void)
{
    outb(0xa0, 0x0a);       /* OCW3: read IRR */
    return inb(0xa0) & 0x20;
}

/* STI; FWAIT; then waits (IF = 1) for the handler to have run want
 * times; CLI.  Returns the FWAIT's address; *mf: #MF seen. */
static uintptr_t fwait_irq13(uintptr_t want, bool *mf)
{
    uintptr_t at, mf0 = mf_count;

    __asm__ volatile(
#ifdef __x86_64__
                     "lea 1f(%%rip), %0\n\t"
                     "lea 3f(%%rip), %%rcx\n\t"
                     "movq %%rcx, mf_resume(%%rip)\n\t"
#else
                     "lea 1f, %0\n\t"
                     "movl $3f, mf_resume\n\t"
#endif
                     "sti\n\tnop\n"
                     "1:\tfwait\n"
                     "3:" : "=&r"(at) : : CLOBBER "memory");
    for (uint32_t i = 0; i < 10000000 && irq13_count < want; i++) {
        __asm__ volatile("pause");
    }
    __asm__ volatile("cli");
    *mf = mf_count != mf0;
    return at;
}

int main(uint32_t magic, uint32_t info)
{
    uintptr_t cr0 = read_cr0(), at;
    uint16_t fsw;
    bool mf;

    setup_idt();
    tap_plan(10);

    outb(0x20, 0x11);       /* ICW1: edge, cascade, ICW4 */
    outb(0x21, 0x20);       /* IRQ 0-7 -> vectors 0x20-0x27 */
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);       /* IRQ 8-15 -> vectors 0x28-0x2f */
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, 0xfb);       /* only the cascade (IR2) ... */
    outb(0xa1, 0xdf);       /* ... and IRQ 13 (slave IR5) unmasked */

    write_cr0(cr0 & ~(uintptr_t)(CR0_NE | CR0_TS | CR0_EM));
    irq13_clex = 0;
    pend_ze();
    __asm__ volatile("fnstsw %0" : "=m"(fsw));
    tap_ok((fsw & 0x8084) == 0x8084 && irq13_count == 0 &&
           !irq13_requested(),
           "the unmasked exception alone sets ES, no IRQ 13 (FSW 0x%x)", fsw);
    at = fwait_irq13(1, &mf);
    tap_ok(irq13_count == 1 && !mf,
           "CR0.NE=0: FWAIT with the exception pending raises IRQ 13 "
           "(vector 0x2d), no #MF (count %u)", (unsigned)irq13_count);
    tap_ok((irq13_fsw & 0x8084) == 0x8084,
           "the IRQ 13 handler sees FSW.ES and ZE (0x%x)", irq13_fsw);
    tap_ok(irq13_eip == at,
           "ferr-freeze: the interrupt returns to the frozen FWAIT "
           "(0x%lx, FWAIT at 0x%lx)", (unsigned long)irq13_eip,
           (unsigned long)at);
    __asm__ volatile("fnstsw %0" : "=m"(fsw));
    tap_ok((fsw & 0x8084) == 0x8084 && irq13_count == 1,
           "with IGNNE# (port 0xF0 written) the FWAIT ran despite ES "
           "(FSW 0x%x)", fsw);
    tap_ok(!irq13_requested(), "port 0xF0 dropped IRQ 13");
    __asm__ volatile("sti\n\tfld1\n\tfstp %st(0)\n\tfwait\n\tnop\n\tcli");
    tap_ok(irq13_count == 1, "IGNNE#: waiting x87 insns keep running");

    /* FNCLEX: FERR# off, so IGNNE# off; the next exception interrupts
     * again.  This handler clears ES itself. */
    __asm__ volatile("fnclex");
    irq13_clex = 1;
    pend_ze();
    fwait_irq13(2, &mf);
    __asm__ volatile("fnstsw %0" : "=m"(fsw));
    tap_ok(irq13_count == 2 && !mf,
           "after FNCLEX the next pending exception raises IRQ 13 again "
           "(count %u)", (unsigned)irq13_count);
    tap_ok(!(fsw & 0x80) && !irq13_requested(),
           "the handler's FNCLEX cleared ES and IRQ 13 (FSW 0x%x)", fsw);

    write_cr0(cr0 | CR0_NE);
    pend_ze();
    fwait_irq13(2, &mf);            /* (a third IRQ 13 would be taken) */
    tap_ok(mf && irq13_count == 2 && !irq13_requested(),
           "CR0.NE=1: the same gives #MF (vector 16), no IRQ 13");

    __asm__ volatile("fninit");
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    write_cr0(cr0);
    return 0;
}
