/*
 * sys.c: the system-architecture runtime of the x86 guest test programs
 * (see sys.h for the API and the selector layout).
 *
 * sys_init() replaces the loader's (or the 64-bit trampoline's)
 * descriptor tables with ours: a GDT with kernel and user segments and a
 * TSS, and an IDT whose 256 gates all lead to one stub per vector.  A stub
 * pushes a dummy error code where the CPU pushes none, the vector and the
 * general registers, and calls excp_dispatch() with a pointer to that
 * frame (struct xframe).  The dispatcher records the exception in
 * last_excp, then:
 *   - if a handler is registered for the vector and it returns true, the
 *     stub IRETs to the (possibly edited) frame: "fix the cause and
 *     resume" tests use this;
 *   - else, if excp_try() is running, it longjmps back into excp_try(),
 *     which returns the vector ("expect a fault" tests);
 *   - else the exception is unexpected: one TAP "not ok" line and exit.
 * Ring-3 code (run_user) ends with INT VEC_USER_EXIT, a DPL-3 gate, which
 * comes back the same way.
 *
 * One CPU, interrupts off, nothing re-entrant: guests are single-threaded.
 */
#include "sys.h"

uint64_t sys_gdt[GDT_ENTRIES] __attribute__((aligned(16)));
#ifdef __x86_64__
static uint64_t sys_idt[512] __attribute__((aligned(16)));
#else
static uint64_t sys_idt[256] __attribute__((aligned(16)));
#endif
struct tss sys_tss __attribute__((aligned(128)));
volatile struct excp_record last_excp;
ExcpHandler *excp_handlers[256];

uint8_t sys_kstack[16384] __attribute__((aligned(16)));
uint8_t sys_iststack[16384] __attribute__((aligned(16)));
static uint8_t ustack[16384] __attribute__((aligned(16)));

static ureg try_buf[8];
static volatile int try_armed;
static volatile int in_dispatch;

int sys_setjmp(ureg *buf) __attribute__((returns_twice));
void sys_longjmp(ureg *buf) __attribute__((noreturn));
void excp_dispatch(struct xframe *f);
extern char excp_stubs[];

/* Vectors for which the CPU pushes an error code. */
#define ERRCODE_VEC(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                        (v) == 21 || (v) == 29 || (v) == 30)

/* 256 entry stubs, 16 bytes apart: each pushes a dummy error code where
 * the CPU pushes none (the vectors ERRCODE_VEC lists), then its vector,
 * and jumps to excp_common, which each mode defines below. */
#define EXCP_STUBS \
    "    .text\n" \
    "    .align 16\n" \
    "    .globl excp_stubs\n" \
    "excp_stubs:\n" \
    "    .set vec, 0\n" \
    "    .rept 256\n" \
    "    .align 16\n" \
    "    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)\n" \
    "    .else\n" \
    "    push $0\n" \
    "    .endif\n" \
    "    push $vec\n" \
    "    jmp excp_common\n" \
    "    .set vec, vec + 1\n" \
    "    .endr\n"

#ifdef __x86_64__
__asm__(
    EXCP_STUBS
    "excp_common:\n"
    "    push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi\n"
    "    push %rbp; push %r8; push %r9; push %r10; push %r11; push %r12\n"
    "    push %r13; push %r14; push %r15\n"
    "    mov %rsp, %rdi\n"
    "    cld\n"
    "    call excp_dispatch\n"
    "    pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10\n"
    "    pop %r9; pop %r8; pop %rbp; pop %rdi; pop %rsi; pop %rdx\n"
    "    pop %rcx; pop %rbx; pop %rax\n"
    "    add $16, %rsp\n"
    "    iretq\n"
    /* buf: rbx rbp r12 r13 r14 r15 rsp rip */
    "    .globl sys_setjmp\n"
    "sys_setjmp:\n"
    "    mov %rbx, 0(%rdi); mov %rbp, 8(%rdi); mov %r12, 16(%rdi)\n"
    "    mov %r13, 24(%rdi); mov %r14, 32(%rdi); mov %r15, 40(%rdi)\n"
    "    lea 8(%rsp), %rax; mov %rax, 48(%rdi)\n"
    "    mov (%rsp), %rax; mov %rax, 56(%rdi)\n"
    "    xor %eax, %eax\n"
    "    ret\n"
    "    .globl sys_longjmp\n"
    "sys_longjmp:\n"
    "    mov $0x10, %eax\n"
    "    mov %eax, %ds; mov %eax, %es; mov %eax, %fs; mov %eax, %gs\n"
    "    mov %eax, %ss\n"
    "    mov 48(%rdi), %rsp\n"
    "    mov 0(%rdi), %rbx; mov 8(%rdi), %rbp; mov 16(%rdi), %r12\n"
    "    mov 24(%rdi), %r13; mov 32(%rdi), %r14; mov 40(%rdi), %r15\n"
    "    push $2; popf\n"
    "    mov $1, %eax\n"
    "    jmp *56(%rdi)\n"
    "    .globl user_tramp\n"
    "user_tramp:\n"
    "    mov $0x23, %eax; mov %eax, %ds; mov %eax, %es\n"
    "    call *user_fn(%rip)\n"
    "    int $0x40\n"
    "1:  jmp 1b\n");
#else
__asm__(
    EXCP_STUBS
    "excp_common:\n"
    "    pusha\n"
    "    push %ds\n"
    "    push %es\n"
    "    mov $0x10, %eax\n"
    "    mov %eax, %ds\n"
    "    mov %eax, %es\n"
    "    cld\n"
    "    push %esp\n"
    "    call excp_dispatch\n"
    "    add $4, %esp\n"
    "    pop %es\n"
    "    pop %ds\n"
    "    popa\n"
    "    add $8, %esp\n"
    "    iret\n"
    /* buf: ebx esi edi ebp esp eip */
    "    .globl sys_setjmp\n"
    "sys_setjmp:\n"
    "    mov 4(%esp), %eax\n"
    "    mov %ebx, 0(%eax); mov %esi, 4(%eax); mov %edi, 8(%eax)\n"
    "    mov %ebp, 12(%eax)\n"
    "    lea 4(%esp), %ecx; mov %ecx, 16(%eax)\n"
    "    mov (%esp), %ecx; mov %ecx, 20(%eax)\n"
    "    xor %eax, %eax\n"
    "    ret\n"
    "    .globl sys_longjmp\n"
    "sys_longjmp:\n"
    "    mov 4(%esp), %edx\n"
    "    mov $0x10, %eax\n"
    "    mov %eax, %ds; mov %eax, %es; mov %eax, %fs; mov %eax, %gs\n"
    "    mov %eax, %ss\n"
    "    mov 16(%edx), %esp\n"
    "    mov 0(%edx), %ebx; mov 4(%edx), %esi; mov 8(%edx), %edi\n"
    "    mov 12(%edx), %ebp\n"
    "    push $2; popf\n"
    "    mov $1, %eax\n"
    "    jmp *20(%edx)\n"
    "    .globl user_tramp\n"
    "user_tramp:\n"
    "    mov $0x23, %eax; mov %eax, %ds; mov %eax, %es\n"
    "    call *user_fn\n"
    "    int $0x40\n"
    "1:  jmp 1b\n");
#endif

void (*user_fn)(void);
extern char user_tramp[];

uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access,
                   uint8_t flags)
{
    return (uint64_t)(limit & 0xffff) |
           ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) |
           ((uint64_t)(flags & 0xf) << 52) |
           ((uint64_t)(base >> 24) << 56);
}

void gdt_set(int sel, uint32_t base, uint32_t limit, uint8_t access,
             uint8_t flags)
{
    sys_gdt[sel >> 3] = make_desc(base, limit, access, flags);
}

void gdt_set_call_gate(int sel, uintptr_t target, uint16_t cs, int dpl,
                       int param_count)
{
    uint64_t t = (uint64_t)target;

    sys_gdt[sel >> 3] = (t & 0xffff) | ((uint64_t)cs << 16) |
                        ((uint64_t)(param_count & 31) << 32) |
                        ((uint64_t)(0x8c | (dpl << 5)) << 40) |
                        ((t >> 16 & 0xffff) << 48);
#ifdef __x86_64__
    sys_gdt[(sel >> 3) + 1] = t >> 32;
#endif
}

void idt_set_gate(int vec, uintptr_t handler, uint16_t sel, int type,
                  int dpl, int ist)
{
    uint64_t h = (uint64_t)handler;
    uint64_t lo = (h & 0xffff) | ((uint64_t)sel << 16) |
                  ((uint64_t)(ist & 7) << 32) |
                  ((uint64_t)(0x80 | (dpl << 5) | type) << 40) |
                  ((h >> 16 & 0xffff) << 48);
#ifdef __x86_64__
    sys_idt[vec * 2] = lo;
    sys_idt[vec * 2 + 1] = h >> 32;
#else
    sys_idt[vec] = lo;
#endif
}

uintptr_t excp_stub(int vec)
{
    return (uintptr_t)excp_stubs + 16 * vec;
}

void idt_reset_gate(int vec, int dpl)
{
    idt_set_gate(vec, excp_stub(vec), SEL_KCODE, 0xe, dpl, 0);
}

void excp_dispatch(struct xframe *f)
{
    int v = (int)f->vector;

    last_excp.count++;
    last_excp.vector = v;
    last_excp.error_code = ERRCODE_VEC(v) ? f->error_code : 0;
    last_excp.ip = f->ip;
    last_excp.cs = f->cs;
    last_excp.flags = f->flags;
    last_excp.cr2 = read_cr2();
    last_excp.sp = f->sp;
    if (excp_handlers[v] && excp_handlers[v](f)) {
        return;
    }
    if (try_armed) {
        try_armed = 0;
        sys_longjmp(try_buf);
    }
    if (in_dispatch++) {
        exit_with(1);
    }
    tap_ok(false, "unexpected exception %d, error code 0x%lx at %lx:%lx, "
           "cr2 0x%lx", v, (unsigned long)f->error_code,
           (unsigned long)f->cs, (unsigned long)f->ip,
           (unsigned long)last_excp.cr2);
    exit_with(1);
}

int excp_try(void (*fn)(void *), void *arg)
{
    if (sys_setjmp(try_buf)) {
        return last_excp.vector;
    }
    try_armed = 1;
    fn(arg);
    try_armed = 0;
    return -1;
}

static ureg user_flags;

static void enter_user(void *unused)
{
    (void)unused;
    __asm__ volatile(
#ifdef __x86_64__
        "push %0; push %1; push %2; push %3; push %4; iretq"
#else
        "push %0; push %1; push %2; push %3; push %4; iret"
#endif
        : : "i"(SEL_UDATA), "r"((ureg)(uintptr_t)(ustack + sizeof(ustack))),
            "r"(user_flags), "i"(SEL_UCODE), "r"((ureg)(uintptr_t)user_tramp)
        : "memory");
    __builtin_unreachable();
}

int run_user(void (*fn)(void), int iopl, ureg extra_flags)
{
    user_fn = fn;
    user_flags = 2 | ((ureg)iopl << 12) | extra_flags;
    return excp_try(enter_user, 0);
}

#ifdef __x86_64__
extern uint64_t pml4[512], pdpt[512], pd[2048];
#endif

void sys_init(void)
{
    struct {
        uint16_t limit;
        uintptr_t base;
    } __attribute__((packed)) d;
    int cs64 = sizeof(void *) == 8 ? 0xa : 0xc;

    memset(sys_gdt, 0, sizeof(sys_gdt));
    gdt_set(SEL_KCODE, 0, 0xfffff, 0x9a, cs64);
    gdt_set(SEL_KDATA, 0, 0xfffff, 0x92, 0xc);
    gdt_set(SEL_UCODE & ~3, 0, 0xfffff, 0xfa, cs64);
    gdt_set(SEL_UDATA & ~3, 0, 0xfffff, 0xf2, 0xc);
    gdt_set(SEL_TSS, (uint32_t)(uintptr_t)&sys_tss, sizeof(sys_tss) - 1,
            0x89, 0);
    gdt_set(SEL_KCODE32, 0, 0xfffff, 0x9a, 0xc);
    gdt_set(SEL_KCODE16, 0, 0xffff, 0x9a, 0);
    gdt_set(SEL_KDATA16, 0, 0xffff, 0x92, 0);

    memset(&sys_tss, 0, sizeof(sys_tss));
#ifdef __x86_64__
    sys_tss.rsp[0] = (uintptr_t)(sys_kstack + sizeof(sys_kstack));
    sys_tss.ist[0] = (uintptr_t)(sys_iststack + sizeof(sys_iststack));
    /* Ring 3 needs U at every level of the trampoline's identity map. */
    pml4[0] |= 4;
    for (int i = 0; i < 4; i++) {
        pdpt[i] |= 4;
    }
    for (int i = 0; i < 2048; i++) {
        pd[i] |= 4;
    }
    write_cr3(read_cr3());
#else
    sys_tss.ss0 = SEL_KDATA;
    sys_tss.esp0 = (uintptr_t)(sys_kstack + sizeof(sys_kstack));
#endif
    sys_tss.iomap_base = __builtin_offsetof(struct tss, iomap);
    memset(sys_tss.iomap, 0xff, sizeof(sys_tss.iomap));

    for (int v = 0; v < 256; v++) {
        idt_reset_gate(v, (v == 3 || v == 4 || v == VEC_USER_EXIT) ? 3 : 0);
    }

    d.limit = sizeof(sys_gdt) - 1;
    d.base = (uintptr_t)sys_gdt;
    __asm__ volatile("lgdt %0" : : "m"(d));
#ifdef __x86_64__
    __asm__ volatile("pushq $0x08\n"
                     "lea 1f(%%rip), %%rax\n"
                     "push %%rax\n"
                     "lretq\n"
                     "1: mov $0x10, %%eax\n"
                     "mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss\n"
                     "mov %%eax, %%fs; mov %%eax, %%gs\n"
                     : : : "rax", "memory");
#else
    __asm__ volatile("ljmp $0x08, $1f\n"
                     "1: mov $0x10, %%eax\n"
                     "mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss\n"
                     "mov %%eax, %%fs; mov %%eax, %%gs\n"
                     : : : "eax", "memory");
#endif
    __asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
    d.limit = sizeof(sys_idt) - 1;
    d.base = (uintptr_t)sys_idt;
    __asm__ volatile("lidt %0" : : "m"(d));
}

uint32_t sys_rand(void)
{
    static uint32_t s = 0x12345678;

    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}
