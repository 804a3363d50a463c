/*
 * smp.c: AP bring-up and "run on every CPU" for the guest test programs.
 * See smp.h for the interface.
 *
 * Bring-up (SDM Vol 3A 8.4.4, "MP Initialization Example"): the BSP
 * copies the trampoline below to TRAMP (0x8000, so the SIPI vector is
 * 0x08), software-enables its local APIC, broadcasts INIT then SIPI to
 * "all excluding self", and waits for the APs to check in; a second SIPI
 * is sent only if some did not (a CPU already running ignores SIPI, but
 * one woken twice would take two ids).  The trampoline starts in real
 * mode at 0x0800:0000, loads its own GDT, enters protected mode, takes an
 * id with LOCK XADD on its parameter block, and in a 64-bit program also
 * loads the BSP's CR4 and CR3, sets EFER.LME and CR0.PG and far-jumps to
 * a 64-bit code segment.  Then it loads the id's stack and calls
 * smp_ap_main(id), which records the APIC ID and waits for jobs.
 *
 * Jobs: smp_run publishes (fn, arg) and bumps job_gen; each AP runs the
 * job once per generation and counts itself done.  Everything is plain
 * shared memory with LOCK-prefixed RMWs and x86-TSO ordering.
 */
#include "smp.h"

#define TRAMP           0x8000u
#define AP_STACK_BYTES  16384

/* The parameter block inside the trampoline (offsets fixed below). */
#define TP(label) "(" #label " - smp_tramp_start + 0x8000)"

__asm__(
    ".pushsection .text\n"
    ".globl smp_tramp_start\n"
    ".globl smp_tramp_end\n"
    ".code16\n"
    "smp_tramp_start:\n"
    "    cli\n"
    "    xorw %ax, %ax\n"
    "    movw %ax, %ds\n"
    "    lgdtl " TP(tr_gdtr) "\n"
    "    movl %cr0, %eax\n"
    "    orl $1, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmpl $0x08, $" TP(tr_pm32) "\n"
    ".code32\n"
    "tr_pm32:\n"
    "    movl $0x10, %eax\n"
    "    movl %eax, %ds\n"
    "    movl %eax, %es\n"
    "    movl %eax, %ss\n"
    "    movl %eax, %fs\n"
    "    movl %eax, %gs\n"
    "    movl $1, %ebx\n"
    "    lock xaddl %ebx, " TP(tr_next_id) "\n"
#ifdef __x86_64__
    "    movl " TP(tr_cr4) ", %eax\n"
    "    movl %eax, %cr4\n"
    "    movl " TP(tr_cr3) ", %eax\n"
    "    movl %eax, %cr3\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    orl $0x100, %eax\n"
    "    wrmsr\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmp $0x18, $" TP(tr_lm64) "\n"
    ".code64\n"
    "tr_lm64:\n"
    "    movl %ebx, %eax\n"
    "    incl %eax\n"
    "    imull $" "16384" ", %eax\n"
    "    addq " TP(tr_stack_base) ", %rax\n"
    "    movq %rax, %rsp\n"
    "    movl %ebx, %edi\n"
    "    movq " TP(tr_entry) ", %rax\n"
    "    callq *%rax\n"
    "1:  hlt\n"
    "    jmp 1b\n"
#else
    "    movl %ebx, %eax\n"
    "    incl %eax\n"
    "    imull $" "16384" ", %eax\n"
    "    addl " TP(tr_stack_base) ", %eax\n"
    "    movl %eax, %esp\n"
    "    pushl %ebx\n"
    "    calll *" TP(tr_entry) "\n"
    "1:  hlt\n"
    "    jmp 1b\n"
#endif
    ".code32\n"
    "    .balign 8\n"
    "tr_gdt:\n"
    "    .quad 0\n"
    "    .quad 0x00cf9a000000ffff\n"     /* 0x08: 32-bit code, flat */
    "    .quad 0x00cf92000000ffff\n"     /* 0x10: data, flat */
    "    .quad 0x00af9a000000ffff\n"     /* 0x18: 64-bit code */
    "tr_gdtr:\n"
    "    .word 31\n"
    "    .long " TP(tr_gdt) "\n"
    "    .balign 8\n"
    ".globl tr_next_id\n"
    "tr_next_id:    .long 0\n"
    "tr_cr3:        .long 0\n"
    "tr_cr4:        .long 0\n"
    "    .balign 8\n"
    "tr_stack_base: .quad 0\n"
    "tr_entry:      .quad 0\n"
    "smp_tramp_end:\n"
#ifdef __x86_64__
    ".code64\n"                         /* what the compiler emits */
#endif
    ".popsection\n");

extern const char smp_tramp_start[], smp_tramp_end[];
extern const char tr_next_id[];

/* The parameter block's fields, at their addresses in the copy. */
#define TRAMP_FIELD(sym) \
    ((volatile void *)(uintptr_t)(TRAMP + (sym - smp_tramp_start)))
extern const char tr_cr3[], tr_cr4[], tr_stack_base[], tr_entry[];

static uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK_BYTES]
    __attribute__((aligned(16)));

static int ncpus = 1;
static uint32_t apic_ids[SMP_MAX_CPUS];
static volatile uint32_t started;        /* APs in smp_ap_main */

/* The job (smp_run).  job_gen is bumped after fn/arg are written. */
static SmpFn *volatile job_fn;
static void *volatile job_arg;
static volatile uint32_t job_gen;
static volatile uint32_t job_done;

/* Barrier: sense reversal. */
static volatile uint32_t bar_count;
static volatile uint32_t bar_sense;

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static uint32_t atomic_inc(volatile uint32_t *p)
{
    uint32_t v = 1;

    __asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

int smp_cpu_count(void)
{
    uint16_t n;

    outw(0x510, 0x05);                  /* FW_CFG_NB_CPUS */
    n = inb(0x511);
    n |= (uint16_t)inb(0x511) << 8;
    if (n < 1) {
        n = 1;
    }
    return n > SMP_MAX_CPUS ? SMP_MAX_CPUS : n;
}

bool smp_lapic_present(void)
{
    uint32_t v = lapic_read(0x30);

    return (v & 0xff) != 0 && v != 0xffffffffu;
}

int smp_ncpus(void)
{
    return ncpus;
}

uint32_t smp_apic_id(int id)
{
    return apic_ids[id];
}

void lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
    while (lapic_read(0x300) & (1u << 12)) {
        cpu_relax();                    /* delivery pending */
    }
    lapic_write(0x310, dest << 24);
    lapic_write(0x300, icr_low);
}

static void smp_ap_main(int id) __attribute__((used));
static void smp_ap_main(int id)
{
    uint32_t seen = 0;

    id += 1;                            /* the BSP is 0 */
    if (id >= SMP_MAX_CPUS) {
        for (;;) {
            __asm__ volatile("cli; hlt");
        }
    }
    apic_ids[id] = lapic_read(0x20) >> 24;
    atomic_inc(&started);
    for (;;) {
        while (job_gen == seen) {
            cpu_relax();
        }
        seen = job_gen;
        if (id < ncpus) {
            job_fn(id, job_arg);
            atomic_inc(&job_done);
        }
    }
}

/* Waits up to about spins iterations for n APs. */
static bool wait_started(uint32_t n, uint64_t spins)
{
    for (uint64_t i = 0; i < spins; i++) {
        if (started >= n) {
            return true;
        }
        cpu_relax();
    }
    return started >= n;
}

int smp_start(void)
{
    int want = smp_cpu_count();
    uintptr_t cr3 = 0, cr4 = 0;

    apic_ids[0] = smp_lapic_present() ? lapic_read(0x20) >> 24 : 0;
    if (want <= 1 || !smp_lapic_present()) {
        return ncpus = 1;
    }
    memcpy((void *)(uintptr_t)TRAMP, smp_tramp_start,
           smp_tramp_end - smp_tramp_start);
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    *(volatile uint32_t *)TRAMP_FIELD(tr_cr3) = cr3;
    *(volatile uint32_t *)TRAMP_FIELD(tr_cr4) = cr4;
    *(volatile uint64_t *)TRAMP_FIELD(tr_stack_base) = (uintptr_t)ap_stacks;
    *(volatile uint64_t *)TRAMP_FIELD(tr_entry) = (uintptr_t)smp_ap_main;
    *(volatile uint32_t *)TRAMP_FIELD(tr_next_id) = 0;

    lapic_write(0xf0, lapic_read(0xf0) | 0x1ff);   /* SVR: enable, 0xff */
    lapic_send_ipi(0, 0x000c4500);      /* INIT, assert, all but self */
    for (volatile int i = 0; i < 100000; i++) {
    }
    lapic_send_ipi(0, 0x000c4600 | (TRAMP >> 12));  /* SIPI */
    if (!wait_started(want - 1, 20000000)) {
        lapic_send_ipi(0, 0x000c4600 | (TRAMP >> 12));
        wait_started(want - 1, 200000000);
    }
    ncpus = 1 + started;
    return ncpus;
}

int smp_start_tap(int plan)
{
    int want = smp_cpu_count(), n;

    if (want > 1 && !smp_lapic_present()) {
        printf("1..0 # SKIP %d CPUs but no local APIC to start them\n", want);
        exit_with(0);
    }
    tap_plan(plan);
    n = smp_start();
    tap_ok(n == want, "%d of %d CPUs running", n, want);
    return n;
}

void smp_run(SmpFn *fn, void *arg)
{
    job_done = 0;
    job_fn = fn;
    job_arg = arg;
    __asm__ volatile("" ::: "memory");
    job_gen = job_gen + 1;
    fn(0, arg);
    while (job_done < (uint32_t)ncpus - 1) {
        cpu_relax();
    }
}

void smp_barrier(void)
{
    uint32_t sense = !bar_sense;

    if (atomic_inc(&bar_count) == (uint32_t)ncpus - 1) {
        bar_count = 0;
        bar_sense = sense;
    } else {
        while (bar_sense != sense) {
            cpu_relax();
        }
    }
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */

/*
 * One stub per vector pushes the vector and jumps to irq_common, which
 * saves the caller-saved registers (the guests use no FP/SSE), calls
 * smp_irq_dispatch(vector) and returns with IRET.  In 64-bit mode the CPU
 * aligns RSP to 16 before pushing its 40-byte frame, so after the vector
 * and nine registers one more 8-byte slot realigns it for the call.
 */
__asm__(
    ".pushsection .text\n"
    ".globl irq_stubs\n"
    "    .balign 16\n"
    "irq_stubs:\n"
    "    .irp v, 0x40,0x41,0x42,0x43,0x44,0x45,0x46,0x47\n"
    "    .balign 16\n"
    "    push $\\v\n"
    "    jmp irq_common\n"
    "    .endr\n"
    "irq_common:\n"
#ifdef __x86_64__
    "    push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
    "    push %r8\n push %r9\n push %r10\n push %r11\n"
    "    mov 72(%rsp), %rdi\n"
    "    sub $8, %rsp\n"
    "    call smp_irq_dispatch\n"
    "    add $8, %rsp\n"
    "    pop %r11\n pop %r10\n pop %r9\n pop %r8\n"
    "    pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
    "    add $8, %rsp\n"
    "    iretq\n"
#else
    "    pushal\n"
    "    pushl 32(%esp)\n"
    "    call smp_irq_dispatch\n"
    "    addl $4, %esp\n"
    "    popal\n"
    "    addl $4, %esp\n"
    "    iretl\n"
#endif
    ".popsection\n");

extern const char irq_stubs[];

#ifdef __x86_64__
typedef struct IdtGate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} IdtGate;
#else
typedef struct IdtGate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
} IdtGate;
#endif

static IdtGate idts[SMP_MAX_CPUS][256] __attribute__((aligned(16)));
static IrqHandlerFn *irq_handlers[IRQ_NVEC];
static volatile uint32_t idt_next;

void smp_irq_handler(int vector, IrqHandlerFn *fn)
{
    irq_handlers[vector - IRQ_VEC_BASE] = fn;
}

void smp_irq_dispatch(long vector) __attribute__((used));
void smp_irq_dispatch(long vector)
{
    IrqHandlerFn *fn = irq_handlers[vector - IRQ_VEC_BASE];

    if (fn) {
        fn((int)vector);
    }
    lapic_write(0xb0, 0);               /* EOI */
}

void smp_irq_init(void)
{
    IdtGate *idt = idts[atomic_inc(&idt_next) % SMP_MAX_CPUS];
    uint16_t cs;
    struct __attribute__((packed)) {
        uint16_t limit;
        uintptr_t base;
    } idtr;

    /* The 8259s (on the BSP's LINT0) would deliver the PIT's IRQ 0 at
     * the vector the BIOS chose (8 under SeaBIOS): mask them all. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    memset(idt, 0, sizeof(idts[0]));
    for (int i = 0; i < IRQ_NVEC; i++) {
        uintptr_t a = (uintptr_t)irq_stubs + 16 * i;
        IdtGate *g = &idt[IRQ_VEC_BASE + i];

        g->off_lo = a;
        g->sel = cs;
        g->type = 0x8e;                 /* present, DPL 0, interrupt gate */
#ifdef __x86_64__
        g->off_mid = a >> 16;
        g->off_hi = (uint64_t)a >> 32;
#else
        g->off_hi = a >> 16;
#endif
    }
    idtr.limit = sizeof(idts[0]) - 1;
    idtr.base = (uintptr_t)idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));
    lapic_write(0x80, 0);               /* TPR: accept everything */
    lapic_write(0xf0, lapic_read(0xf0) | 0x1ff);
}

void irq_wait_while_eq(volatile uint32_t *p, uint32_t v)
{
    for (;;) {
        __asm__ volatile("cli" ::: "memory");
        if (*p != v) {
            return;
        }
        /* STI's shadow: an interrupt arriving after the check is taken
         * once HLT has started, and ends it. */
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
}
