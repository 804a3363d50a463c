/*
 * tasks.c: 32-bit hardware task switching (32-bit build only; the 64-bit
 * build prints skips: long mode has no task switches).
 *
 * The main program runs as the task in sys_tss (selector SEL_TSS).  A
 * second task (tss2, selector 0x60) and a #DF handler task (tss3, 0x68)
 * have their own stacks and entry points (asm below).  Checked:
 *   - JMP to a TSS: the new task runs, TR changes, no back link, NT clear,
 *     the old TSS's busy bit is cleared and the new one's set; JMP back
 *     resumes the old task after its JMP with its registers restored;
 *   - CALL to a TSS: back link, NT = 1, the old task stays busy; IRET
 *     returns to the caller and clears the callee's busy bit;
 *   - INT n through a task gate in the IDT: the same as CALL;
 *   - CALL to a busy TSS: #GP(selector); a not-present TSS: #NP(selector);
 *   - #DF through a task gate: the handler task finds the error code (0)
 *     on its stack, repairs the IDT, IRETs, and the faulting instruction
 *     is restarted.
 * See docs/devel/x86-guest-tests.md.
 */
#include "sys.h"

#define TESTS 17

#ifdef __x86_64__
int main(uint32_t magic, uint32_t info)
{
    (void)magic;
    (void)info;
    tap_plan(TESTS);
    for (int i = 0; i < TESTS; i++) {
        tap_skip("no hardware task switching in long mode", "task switch");
    }
    return 0;
}
#else

#define SEL_TSS2 0x60
#define SEL_TSS3 0x68
#define SEL_TSS_NP 0x70

static struct tss tss2, tss3;
static uint8_t stack2[4096] __attribute__((aligned(16)));
static uint8_t stack3[4096] __attribute__((aligned(16)));

/* Written by the other tasks. */
volatile uint32_t t2_tr, t2_flags, t2_runs, t3_err, t3_runs, t3_tr;
extern char task2_jmp[], task2_iret[], task3_df[];

__asm__(".text\n"
        /* Entered by JMP: record, then JMP back to the main task. */
        "task2_jmp:\n"
        "    str %ax\n"
        "    movzwl %ax, %eax\n"
        "    mov %eax, t2_tr\n"
        "    pushf\n"
        "    popl t2_flags\n"
        "    incl t2_runs\n"
        "    ljmp $0x28, $0\n"
        "    jmp task2_jmp\n"
        /* Entered by CALL or a task gate: record, then IRET (NT = 1). */
        "task2_iret:\n"
        "    str %ax\n"
        "    movzwl %ax, %eax\n"
        "    mov %eax, t2_tr\n"
        "    pushf\n"
        "    popl t2_flags\n"
        "    incl t2_runs\n"
        "    iret\n"
        "    jmp task2_iret\n"
        /* #DF task: pop the error code, make gate 13 present again. */
        "task3_df:\n"
        "    popl t3_err\n"
        "    str %ax\n"
        "    movzwl %ax, %eax\n"
        "    mov %eax, t3_tr\n"
        "    incl t3_runs\n"
        "    call df_repair\n"
        "    iret\n"
        "    jmp task3_df\n");

static volatile uint8_t *gate13;

void df_repair(void);
void df_repair(void)
{
    gate13[5] |= 0x80;
}

static void tss_prepare(struct tss *t, void *entry, uint8_t *stack)
{
    memset(t, 0, sizeof(*t));
    t->eip = (uintptr_t)entry;
    t->esp = (uintptr_t)stack + 4096;
    t->eflags = 2;
    t->cs = SEL_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_KDATA;
    t->cr3 = read_cr3();
    t->iomap_base = sizeof(*t);   /* no bitmap */
}

static bool busy(int sel)
{
    return (sys_gdt[sel >> 3] >> 41) & 1;
}

static uint16_t str(void)
{
    uint16_t v;

    __asm__ volatile("str %0" : "=r"(v));
    return v;
}

static void call_busy(void *a)
{
    (void)a;
    __asm__ volatile("lcall $0x28, $0" : : : "memory");
}

static void jmp_np(void *a)
{
    (void)a;
    __asm__ volatile("ljmp $0x70, $0" : : : "memory");
}

static void load_bad_es(void *a)
{
    (void)a;
    __asm__ volatile("mov %0, %%es" : : "r"(0x1000) : "memory");
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t si, di, bp;

    (void)magic;
    (void)info;
    sys_init();
    tap_plan(TESTS);
    gdt_set(SEL_TSS2, (uintptr_t)&tss2, sizeof(tss2) - 1, 0x89, 0);
    gdt_set(SEL_TSS3, (uintptr_t)&tss3, sizeof(tss3) - 1, 0x89, 0);
    gdt_set(SEL_TSS_NP, (uintptr_t)&tss2, sizeof(tss2) - 1, 0x09, 0);

    /* JMP there and back. */
    tss_prepare(&tss2, task2_jmp, stack2);
    t2_runs = 0;
    __asm__ volatile("mov $0x5151, %%esi\n"
                     "mov $0xd1d1, %%edi\n"
                     "push %%ebp\n"
                     "mov $0xb0b0, %%ebp\n"
                     "ljmp $0x60, $0\n"
                     "mov %%ebp, %%eax\n"
                     "pop %%ebp\n"
                     : "=S"(si), "=D"(di), "=a"(bp) : : "ecx", "edx",
                       "memory");
    tap_ok(t2_runs == 1 && t2_tr == SEL_TSS2, "JMP to a TSS: the task ran "
           "with TR 0x%x", t2_tr);
    tap_ok(!(t2_flags & 0x4000) && tss2.link == 0, "JMP: NT clear (flags "
           "0x%x), no back link (0x%x)", t2_flags, tss2.link);
    tap_ok(str() == SEL_TSS && busy(SEL_TSS) && !busy(SEL_TSS2),
           "JMP back: TR 0x%x, the main TSS busy again, the other not",
           str());
    tap_ok(si == 0x5151 && di == 0xd1d1 && bp == 0xb0b0, "the main task's "
           "registers came back from its TSS (esi %x edi %x ebp %x)", si, di,
           bp);
    tap_ok(tss2.eip != (uintptr_t)task2_jmp && tss2.esp == (uintptr_t)stack2
           + 4096, "the other task's state was saved in its TSS (eip %x)",
           tss2.eip);

    /* CALL and IRET. */
    tss_prepare(&tss2, task2_iret, stack2);
    t2_runs = 0;
    __asm__ volatile("lcall $0x60, $0" : : : "eax", "ecx", "edx", "memory");
    tap_ok(t2_runs == 1 && (t2_flags & 0x4000) && tss2.link == SEL_TSS,
           "CALL to a TSS: NT set (flags 0x%x), back link 0x%x", t2_flags,
           tss2.link);
    tap_ok(str() == SEL_TSS && busy(SEL_TSS) && !busy(SEL_TSS2) &&
           !(read_flags() & 0x4000), "IRET with NT returned to the caller; "
           "the callee's busy bit is clear, NT clear");

    /* A task gate in the IDT. */
    tss_prepare(&tss2, task2_iret, stack2);
    idt_set_gate(0x50, 0, SEL_TSS2, 0x5, 0, 0);
    t2_runs = 0;
    __asm__ volatile("int $0x50" : : : "eax", "ecx", "edx", "memory");
    tap_ok(t2_runs == 1 && t2_tr == SEL_TSS2 && (t2_flags & 0x4000) &&
           tss2.link == SEL_TSS, "INT through a task gate: ran as a nested "
           "task (TR 0x%x, back link 0x%x)", t2_tr, tss2.link);
    tap_ok(str() == SEL_TSS && !busy(SEL_TSS2), "and IRET came back");

    /* Faults. */
    tap_ok(excp_try(call_busy, 0) == 13 && last_excp.error_code == SEL_TSS,
           "CALL to a busy TSS: vector %d error 0x%lx", last_excp.vector,
           (long)last_excp.error_code);
    tap_ok(excp_try(jmp_np, 0) == 11 && last_excp.error_code == SEL_TSS_NP,
           "JMP to a not-present TSS: vector %d error 0x%lx",
           last_excp.vector, (long)last_excp.error_code);
    tap_ok(str() == SEL_TSS && busy(SEL_TSS), "the faulting task switches "
           "changed nothing");

    /* #DF through a task gate. */
    {
        struct { uint16_t l; uint32_t b; } __attribute__((packed)) d;
        int v;

        __asm__ volatile("sidt %0" : "=m"(d));
        gate13 = (uint8_t *)(uintptr_t)d.b + 13 * 8;
        tss_prepare(&tss3, task3_df, stack3);
        idt_set_gate(8, 0, SEL_TSS3, 0x5, 0, 0);
        gate13[5] &= 0x7f;
        t3_runs = 0;
        v = excp_try(load_bad_es, 0);
        tap_ok(t3_runs == 1 && t3_tr == SEL_TSS3, "#DF through a task gate "
               "ran the handler task (runs %u, TR 0x%x)", t3_runs, t3_tr);
        tap_ok(t3_err == 0, "the #DF task found error code %u on its stack",
               t3_err);
        tap_ok(v == 13 && last_excp.error_code == 0x1000, "after the #DF task "
               "repaired the IDT and IRET'd, the MOV was restarted and gave "
               "#GP(0x%lx)", (long)last_excp.error_code);
        tap_ok(str() == SEL_TSS && !busy(SEL_TSS3) && busy(SEL_TSS),
               "back in the main task; the #DF task is not busy");
        idt_reset_gate(8, 0);
    }
    tap_ok(!(read_flags() & 0x4000), "NT is clear at the end");
    return 0;
}
#endif
