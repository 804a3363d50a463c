/*
 * sysinsn.c: general-purpose instructions that fault, change privilege or
 * depend on CPUID: SYSENTER/SYSEXIT and SYSCALL/SYSRET round trips through
 * ring 3, LAR/LSL/VERR/VERW on our own GDT, LDS/LFS/LGS/LSS, BOUND (#BR),
 * AAM 0 (#DE), ARPL, BCD/BOUND #UD in 64-bit mode, CMPXCHG16B alignment
 * (#GP), ENTER with nesting levels, RDTSCP/RDPID, SWAPGS, RD/WRFSBASE,
 * STAC/CLAC, VEX.L = 1 (#UD), and the CPUID gate of ANDN and POPCNT (#UD
 * when the CPU model does not advertise them; tests/cli/x86-cpu.t runs
 * this guest with features switched off).
 *
 * Faults are caught by catch_call(fn): it runs fn with an IDT whose
 * handlers record the vector and error code and resume after the call
 * (the stack pointer saved at entry is restored), returning the vector or
 * -1.  Built 32-bit and 64-bit; tests that exist in one mode only are
 * TAP SKIPs in the other.
 *
 * run-guests: -cpu max
 *
 * QEMU 7.2 (the reference) does not implement alignment checking:
 * reference-xfail: ac
 */
#include "runtime.h"

volatile int fault_vec, fault_err;
volatile uintptr_t catch_sp;
volatile uintptr_t user_cs, user_ss, kern_cs, kern_ss, sys_rcx, sys_r11;
volatile uintptr_t saved_sp;
int catch_call(void (*fn)(void));
extern const uintptr_t exc_stubs[32];

#ifdef __x86_64__
#define R "r"
__asm__(
    ".text\n"
    ".globl catch_call\n"
    "catch_call:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n"
    "  push %r15\n  sub $8, %rsp\n"
    "  mov %rsp, catch_sp\n"
    "  movl $-1, fault_vec\n"
    "  call *%rdi\n"
    "catch_resume:\n"
    "  mov catch_sp, %rsp\n"
    "  add $8, %rsp\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n"
    "  pop %rbx\n"
    "  movslq fault_vec, %rax\n"
    "  ret\n"
    ".macro stub n\n"
    "exc_stub\\n:\n"
    "  .if (\\n == 8) || (\\n >= 10 && \\n <= 14) || (\\n == 17)\n"
    "  mov (%rsp), %eax\n  mov %eax, fault_err\n"
    "  .endif\n"
    "  movl $\\n, fault_vec\n"
    "  jmp catch_resume\n"
    ".endm\n"
    ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "  stub \\n\n"
    ".endr\n"
    ".section .rodata\n"
    ".globl exc_stubs\n"
    "exc_stubs:\n"
    ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "  .quad exc_stub\\n\n"
    ".endr\n"
    ".text\n");
#else
#define R "e"
__asm__(
    ".text\n"
    ".globl catch_call\n"
    "catch_call:\n"
    "  push %ebx\n  push %ebp\n  push %esi\n  push %edi\n"
    "  mov 20(%esp), %eax\n"
    "  mov %esp, catch_sp\n"
    "  movl $-1, fault_vec\n"
    "  call *%eax\n"
    "catch_resume:\n"
    "  mov catch_sp, %esp\n"
    "  pop %edi\n  pop %esi\n  pop %ebp\n  pop %ebx\n"
    "  mov fault_vec, %eax\n"
    "  ret\n"
    ".macro stub n\n"
    "exc_stub\\n:\n"
    "  .if (\\n == 8) || (\\n >= 10 && \\n <= 14) || (\\n == 17)\n"
    "  mov (%esp), %eax\n  mov %eax, fault_err\n"
    "  .endif\n"
    "  movl $\\n, fault_vec\n"
    "  jmp catch_resume\n"
    ".endm\n"
    ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "  stub \\n\n"
    ".endr\n"
    ".section .rodata\n"
    ".globl exc_stubs\n"
    "exc_stubs:\n"
    ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"
    "23,24,25,26,27,28,29,30,31\n"
    "  .long exc_stub\\n\n"
    ".endr\n"
    ".text\n");
#endif

/* --- descriptor tables --------------------------------------------- */

/* Kernel code 0x08, kernel data 0x10, user code32 0x18, user data 0x20,
 * user code64 0x28, user data 0x30 (SYSEXIT64 = SYSENTER_CS + 32/40).
 * Accessed bits preset so that LAR sees the same value everywhere. */
static uint64_t gdt[10] __attribute__((aligned(16))) = {
    0,
#ifdef __x86_64__
    0x00af9b000000ffffull,
#else
    0x00cf9b000000ffffull,
#endif
    0x00cf93000000ffffull,
    0x00cffb000000ffffull,
    0x00cff3000000ffffull,
    0x00affb000000ffffull,
    0x00cff3000000ffffull,
    0,
    0, 0,           /* 0x40: the TSS (ring 3 -> 0 stack), set up below */
};
static uint64_t idt[64] __attribute__((aligned(16)));
/* 32-bit TSS: ESP0 at 4, SS0 at 8; 64-bit TSS: RSP0 at 4 */
static uint32_t tss[26] __attribute__((aligned(16)));
static uint8_t tss_stack[4096] __attribute__((aligned(16)));

struct __attribute__((packed)) dtr {
    uint16_t limit;
    uintptr_t base;
};

static void setup_tables(void)
{
    struct dtr g = { sizeof(gdt) - 1, (uintptr_t)gdt };
    struct dtr i = { sizeof(idt) - 1, (uintptr_t)idt };
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    for (int v = 0; v < 32; v++) {
        uintptr_t h = exc_stubs[v];
#ifdef __x86_64__
        idt[2 * v] = (h & 0xffff) | (uint64_t)0x08 << 16 |
                     (uint64_t)0x8e00 << 32 | (uint64_t)(h >> 16 & 0xffff) << 48;
        idt[2 * v + 1] = h >> 32;
#else
        idt[v] = (h & 0xffff) | (uint64_t)0x08 << 16 |
                 (uint64_t)0x8e00 << 32 | (uint64_t)(h >> 16) << 48;
#endif
    }
    __asm__ volatile("lgdt %0" : : "m"(g));
    /* Reload CS with a far return, then the data segments. */
#ifdef __x86_64__
    __asm__ volatile("pushq $0x08\n\tlea 1f(%%rip), %%rax\n\tpush %%rax\n\t"
                     "lretq\n1:\n\tmov $0x10, %%eax\n\tmov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\tmov %%eax, %%ss\n\tmov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs" : : : "rax", "memory");
#else
    __asm__ volatile("pushl $0x08\n\tpushl $1f\n\tlret\n1:\n\t"
                     "mov $0x10, %%eax\n\tmov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\tmov %%eax, %%ss\n\tmov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs" : : : "eax", "memory");
#endif
    __asm__ volatile("lidt %0" : : "m"(i));
    (void)cs;

    /* A TSS for exceptions raised at CPL 3. */
    {
        uintptr_t base = (uintptr_t)tss, top = (uintptr_t)tss_stack +
                                               sizeof(tss_stack);

        tss[1] = (uint32_t)top;
#ifdef __x86_64__
        tss[2] = (uint32_t)((uint64_t)top >> 32);
        gdt[9] = (uint64_t)base >> 32;
#else
        tss[2] = 0x10;
#endif
        tss[25] = (uint32_t)sizeof(tss) << 16;      /* no I/O bitmap */
        gdt[8] = (sizeof(tss) - 1) | (uint64_t)(base & 0xffffff) << 16 |
                 (uint64_t)0x89 << 40 | (uint64_t)(base >> 24 & 0xff) << 56;
        __asm__ volatile("ltr %w0" : : "r"(0x40));
    }
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32)));
}

static bool cpu_has(uint32_t leaf, int reg, int bit)
{
    uint32_t r[4];

    cpuid(leaf & 0x80000000u, 0, r);
    if (r[0] < leaf) {
        return false;
    }
    cpuid(leaf, 0, r);
    return (r[reg] >> bit) & 1;
}

static bool vendor_amd(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    return r[1] == 0x68747541;          /* "Auth" */
}

/* --- fast system calls ----------------------------------------------- */

void to_user_sysenter(void);
void to_user_syscall(void);
void sysenter_entry(void);
void syscall_entry(void);
extern char after_sysenter[], after_syscall[];

#ifdef __x86_64__
__asm__(
    ".text\n"
    "to_user_sysenter:\n"
    "  mov %rsp, saved_sp\n"
    "  lea 1f(%rip), %rdx\n"
    "  mov %rsp, %rcx\n"
    "  sysexitq\n"
    "1:\n"
    "  mov %cs, %eax\n  mov %rax, user_cs\n"
    "  mov %ss, %eax\n  mov %rax, user_ss\n"
    "  sysenter\n"
    ".globl after_sysenter\n"
    "after_sysenter:\n"
    "sysenter_entry:\n"
    "  mov %cs, %eax\n  mov %rax, kern_cs\n"
    "  mov %ss, %eax\n  mov %rax, kern_ss\n"
    "  mov saved_sp, %rsp\n"
    "  ret\n"
    "to_user_syscall:\n"
    "  lea 1f(%rip), %rcx\n"
    "  pushfq\n  pop %r11\n"
    "  sysretq\n"
    "1:\n"
    "  mov %cs, %eax\n  mov %rax, user_cs\n"
    "  mov %ss, %eax\n  mov %rax, user_ss\n"
    "  syscall\n"
    ".globl after_syscall\n"
    "after_syscall:\n"
    "  hlt\n"
    "syscall_entry:\n"
    "  mov %rcx, sys_rcx\n  mov %r11, sys_r11\n"
    "  mov %cs, %eax\n  mov %rax, kern_cs\n"
    "  mov %ss, %eax\n  mov %rax, kern_ss\n"
    "  ret\n");
#else
__asm__(
    ".text\n"
    "to_user_sysenter:\n"
    "  mov %esp, saved_sp\n"
    "  mov $1f, %edx\n"
    "  mov %esp, %ecx\n"
    "  sysexit\n"
    "1:\n"
    "  mov %cs, %eax\n  mov %eax, user_cs\n"
    "  mov %ss, %eax\n  mov %eax, user_ss\n"
    "  sysenter\n"
    ".globl after_sysenter\n"
    "after_sysenter:\n"
    "sysenter_entry:\n"
    "  mov %cs, %eax\n  mov %eax, kern_cs\n"
    "  mov %ss, %eax\n  mov %eax, kern_ss\n"
    "  mov saved_sp, %esp\n"
    "  ret\n"
    "to_user_syscall:\n"
    "  mov %esp, saved_sp\n"
    "  mov $1f, %ecx\n"
    "  sysret\n"
    "1:\n"
    "  mov %cs, %eax\n  mov %eax, user_cs\n"
    "  mov %ss, %eax\n  mov %eax, user_ss\n"
    "  syscall\n"
    ".globl after_syscall\n"
    "after_syscall:\n"
    "  hlt\n"
    "syscall_entry:\n"
    "  mov %ecx, sys_rcx\n"
    "  mov %cs, %eax\n  mov %eax, kern_cs\n"
    "  mov %ss, %eax\n  mov %eax, kern_ss\n"
    "  mov saved_sp, %esp\n"
    "  mov $0x10, %eax\n  mov %eax, %ss\n"
    "  ret\n");
#endif

#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103

static uint8_t kstack[4096] __attribute__((aligned(16)));

/* Ring 3 needs U pages in 64-bit mode: set U on the identity map's first
 * 16 MiB (crt0-64.S maps 2 MiB pages without it). */
static void allow_user_pages(void)
{
#ifdef __x86_64__
    uint64_t cr3, *pml4, *pdpt, *pd;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    pml4 = (uint64_t *)(cr3 & ~0xfffull);
    pml4[0] |= 4;
    pdpt = (uint64_t *)(pml4[0] & ~0xfffull);
    pdpt[0] |= 4;
    pd = (uint64_t *)(pdpt[0] & ~0xfffull);
    for (int i = 0; i < 8; i++) {
        pd[i] |= 4;
    }
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
#endif
}

static void do_sysenter(void)
{
    __asm__ volatile("sysenter" ::: "memory");
}

static void test_sysenter(void)
{
    bool has = cpu_has(1, 3, 11);
    bool l64 = sizeof(void *) == 8;
    int v;

    wrmsr(MSR_SYSENTER_CS, 0x08);
    wrmsr(MSR_SYSENTER_ESP, (uintptr_t)kstack + sizeof(kstack));
    wrmsr(MSR_SYSENTER_EIP, (uintptr_t)sysenter_entry);
    user_cs = user_ss = kern_cs = kern_ss = 0;
    v = catch_call(to_user_sysenter);
    if (!has || (l64 && vendor_amd())) {
        /* AMD: SYSENTER/SYSEXIT are #UD in long mode */
        tap_ok(v == 6, "sysexit is #UD without SEP or in AMD long mode "
               "(vector %d)", v);
        tap_skip("no SYSENTER here", "sysenter/sysexit round trip");
        tap_skip("no SYSENTER here", "sysenter with SYSENTER_CS = 0");
        return;
    }
    tap_ok(v == -1, "sysexit/sysenter round trip completes (vector %d)", v);
    /* SDM SYSENTER: #GP(0) when IA32_SYSENTER_CS[15:2] is 0 */
    wrmsr(MSR_SYSENTER_CS, 0);
    fault_err = -1;
    v = catch_call(do_sysenter);
    wrmsr(MSR_SYSENTER_CS, 0x08);
    tap_ok(v == 13 && fault_err == 0, "sysenter with SYSENTER_CS = 0 is "
           "#GP(0) (vector %d, error %d)", v, fault_err);
    tap_ok(user_cs == (l64 ? 0x2b : 0x1b) && user_ss == (l64 ? 0x33 : 0x23) &&
           kern_cs == 0x08 && kern_ss == 0x10,
           "sysexit to CPL 3 (cs %lx ss %lx), sysenter back (cs %lx ss %lx)",
           (unsigned long)user_cs, (unsigned long)user_ss,
           (unsigned long)kern_cs, (unsigned long)kern_ss);
}

static void test_syscall(void)
{
    bool l64 = sizeof(void *) == 8;
    bool ok_here = cpu_has(0x80000001, 3, 11) && (l64 || vendor_amd());
    uint64_t efer = rdmsr(MSR_EFER);
    int v;

    wrmsr(MSR_STAR, (0x18ull << 48) | (0x08ull << 32) |
          (uint32_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x700);

    /* EFER.SCE clear: #UD */
    wrmsr(MSR_EFER, efer & ~1ull);
    v = catch_call(to_user_syscall);
    tap_ok(v == 6, "sysret with EFER.SCE = 0 is #UD (vector %d)", v);

    wrmsr(MSR_EFER, efer | 1);
    user_cs = user_ss = kern_cs = kern_ss = sys_rcx = sys_r11 = 0;
    v = catch_call(to_user_syscall);
    wrmsr(MSR_EFER, efer);
    if (!ok_here) {
        tap_ok(v == 6, "syscall/sysret are #UD in legacy mode on Intel "
               "(vector %d)", v);
        tap_skip("no SYSCALL here", "syscall/sysret round trip");
        return;
    }
    tap_ok(v == -1 && user_cs == (l64 ? 0x2b : 0x1b) && user_ss == 0x23 &&
           kern_cs == 0x08 && kern_ss == 0x10,
           "sysret to CPL 3 (cs %lx ss %lx), syscall back (cs %lx ss %lx), "
           "vector %d", (unsigned long)user_cs, (unsigned long)user_ss,
           (unsigned long)kern_cs, (unsigned long)kern_ss, v);
    tap_ok(sys_rcx == (uintptr_t)after_syscall &&
           (!l64 || ((sys_r11 & 0x202) == 0x2)),
           "syscall saved the return address (%lx) and RFLAGS (%lx)",
           (unsigned long)sys_rcx, (unsigned long)sys_r11);
}

#ifdef __x86_64__
static void sysret_noncanonical(void)
{
    __asm__ volatile("mov $0x0000800000000000, %%rcx\n\tmov $2, %%r11\n\t"
                     "sysretq" : : : "rcx", "r11");
}
#endif

static void test_sysret_gp(void)
{
#ifdef __x86_64__
    uint64_t efer = rdmsr(MSR_EFER);
    int v;

    if (vendor_amd() || !cpu_has(0x80000001, 3, 11)) {
        /* AMD loads RIP and faults at CPL 3 (no TSS here) */
        tap_skip("Intel SYSCALL behaviour", "sysret to a non-canonical RIP");
        return;
    }
    wrmsr(MSR_EFER, efer | 1);
    fault_err = -1;
    v = catch_call(sysret_noncanonical);
    wrmsr(MSR_EFER, efer);
    tap_ok(v == 13 && fault_err == 0, "sysret to a non-canonical RIP is "
           "#GP(0) (vector %d, error %d)", v, fault_err);
#else
    tap_skip("64-bit only", "sysret to a non-canonical RIP");
#endif
}

/* --- LAR / LSL / VERR / VERW ---------------------------------------- */

static bool lar(uint32_t sel, uint32_t *v)
{
    uintptr_t r = 0xdead;
    uint8_t z;

    __asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(r), "=q"(z)
                     : "r"((uintptr_t)sel) : "cc");
    *v = r;
    return z;
}

static bool lsl(uint32_t sel, uint32_t *v)
{
    uintptr_t r = 0xdead;
    uint8_t z;

    __asm__ volatile("lsl %2, %0\n\tsetz %1" : "+r"(r), "=q"(z)
                     : "r"((uintptr_t)sel) : "cc");
    *v = r;
    return z;
}

static bool verr(uint16_t sel)
{
    uint8_t z;

    __asm__ volatile("verr %1\n\tsetz %0" : "=q"(z) : "r"(sel) : "cc");
    return z;
}

static bool verw(uint16_t sel)
{
    uint8_t z;

    __asm__ volatile("verw %1\n\tsetz %0" : "=q"(z) : "r"(sel) : "cc");
    return z;
}

static void test_lar_lsl(void)
{
    uint32_t v;
    bool z;

    z = lar(0x08, &v);
    tap_ok(z && v == (sizeof(void *) == 8 ? 0x00a09b00u : 0x00c09b00u),
           "lar on the code segment: ZF=%d, %x", z, v);
    z = lar(0x10, &v);
    tap_ok(z && v == 0x00c09300u, "lar on the data segment: ZF=%d, %x", z, v);
    z = lar(0, &v);
    tap_ok(!z && v == 0xdead, "lar on the null selector: ZF=0, unchanged");
    z = lar(0xfff8, &v);
    tap_ok(!z && v == 0xdead, "lar beyond the GDT limit: ZF=0, unchanged");
    z = lar(0x0b, &v);
    tap_ok(!z, "lar with RPL 3 on a DPL 0 segment: ZF=0");
    z = lsl(0x10, &v);
    tap_ok(z && v == 0xffffffffu, "lsl on flat data: ZF=%d, %x", z, v);
    z = lsl(0x3b, &v);
    tap_ok(!z, "lsl on a null descriptor: ZF=0");
    tap_ok(verr(0x08) && !verw(0x08), "code: verr ZF=1, verw ZF=0");
    tap_ok(verr(0x10) && verw(0x10), "data: verr and verw ZF=1");
    tap_ok(verr(0x1b) && verw(0x23), "DPL 3 segments are visible at CPL 0");
}

/* --- far pointer loads ----------------------------------------------- */

struct __attribute__((packed)) farptr {
    uint32_t off;
    uint16_t sel;
};

static struct farptr fp;
static uintptr_t got_off;
static uint16_t got_sel;

static void do_lfs(void)
{
    __asm__ volatile("lfs %2, %k0\n\tmov %%fs, %1"
                     : "=r"(got_off), "=r"(got_sel) : "m"(fp) : "memory");
}

static void do_lgs(void)
{
    __asm__ volatile("lgs %2, %k0\n\tmov %%gs, %1"
                     : "=r"(got_off), "=r"(got_sel) : "m"(fp) : "memory");
}

static void do_lss(void)
{
    /* Load SS:ESP with their own values. */
    __asm__ volatile("mov %%esp, %0\n\tmov %%ss, %1\n\t"
#ifdef __x86_64__
                     "mov %%rsp, %%rax\n\tlss %0, %%esp\n\tmov %%rax, %%rsp"
                     : "+m"(fp.off), "+m"(fp.sel) : : "rax", "memory");
#else
                     "lss %0, %%esp"
                     : "+m"(fp.off), "+m"(fp.sel) : : "memory");
#endif
}

#ifndef __x86_64__
static void do_les(void)
{
    __asm__ volatile("push %%es\n\tles %2, %0\n\tmov %%es, %1\n\tpop %%es"
                     : "=r"(got_off), "=r"(got_sel) : "m"(fp) : "memory");
}

static void do_lds(void)
{
    __asm__ volatile("push %%ds\n\tlds %2, %0\n\tmov %%ds, %1\n\tpop %%ds"
                     : "=r"(got_off), "=r"(got_sel) : "m"(fp) : "memory");
}
#endif

static void test_far_loads(void)
{
    int v;

    fp = (struct farptr){ 0x12345678, 0x10 };
    v = catch_call(do_lfs);
    tap_ok(v == -1 && (uint32_t)got_off == 0x12345678 && got_sel == 0x10,
           "lfs loads offset and selector (vector %d)", v);
    fp = (struct farptr){ 0x9abc, 0 };
    v = catch_call(do_lgs);
    tap_ok(v == -1 && (uint32_t)got_off == 0x9abc && got_sel == 0,
           "lgs with a null selector (vector %d)", v);
    fp = (struct farptr){ 0, 0xfff8 };
    fault_err = -1;
    v = catch_call(do_lfs);
    tap_ok(v == 13 && fault_err == 0xfff8, "lfs beyond the GDT limit is "
           "#GP(sel) (vector %d, error %x)", v, fault_err);
    v = catch_call(do_lss);
    tap_ok(v == -1, "lss with the current SS:ESP (vector %d)", v);
#ifndef __x86_64__
    fp = (struct farptr){ 0x55aa, 0x10 };
    v = catch_call(do_lds);
    tap_ok(v == -1 && got_off == 0x55aa && got_sel == 0x10,
           "lds loads offset and selector (vector %d)", v);
    fp = (struct farptr){ 0x1234, 0x23 };
    v = catch_call(do_les);
    tap_ok(v == -1 && got_off == 0x1234 && got_sel == 0x23,
           "les loads offset and selector (vector %d)", v);
#else
    tap_skip("C5 is VEX in 64-bit mode", "lds");
    tap_skip("C4 is VEX in 64-bit mode", "les");
#endif
}

/* --- BOUND, BCD, ARPL, MOVSXD ---------------------------------------- */

static int32_t bounds[2] __attribute__((unused)) = { -5, 10 };
static volatile int32_t bound_idx;

#ifndef __x86_64__
static void do_bound(void)
{
    __asm__ volatile("bound %0, %1" : : "r"(bound_idx), "m"(bounds));
}

static void do_aam0(void)
{
    __asm__ volatile(".byte 0xd4, 0x00" : : : "eax", "cc");
}
#else
static void do_daa64(void)
{
    __asm__ volatile(".byte 0x27" : : : "cc");
}

static void do_bound64(void)
{
    /* 62 is EVEX in 64-bit mode: #UD without AVX-512 */
    __asm__ volatile(".byte 0x62, 0x00, 0x00" : : : "memory");
}
#endif

static void test_bound_bcd(void)
{
#ifndef __x86_64__
    int v;
    uint16_t ax;
    uint32_t fl;

    bound_idx = 3;
    v = catch_call(do_bound);
    tap_ok(v == -1, "bound within range (vector %d)", v);
    bound_idx = 11;
    v = catch_call(do_bound);
    tap_ok(v == 5, "bound above the upper bound is #BR (vector %d)", v);
    bound_idx = -6;
    v = catch_call(do_bound);
    tap_ok(v == 5, "bound below the lower bound is #BR (vector %d)", v);
    v = catch_call(do_aam0);
    tap_ok(v == 0, "aam 0 is #DE (vector %d)", v);
    ax = 0x1234;
    __asm__ volatile("arpl %w2, %w0\n\tpushf\n\tpop %1"
                     : "+r"(ax), "=r"(fl) : "r"(3) : "cc");
    tap_ok(ax == 0x1237 && (fl & 0x40), "arpl raises the RPL and sets ZF");
    __asm__ volatile("arpl %w2, %w0\n\tpushf\n\tpop %1"
                     : "+r"(ax), "=r"(fl) : "r"(1) : "cc");
    tap_ok(ax == 0x1237 && !(fl & 0x40), "arpl keeps a higher RPL, ZF=0");
#else
    int v;
    int64_t r;

    v = catch_call(do_daa64);
    tap_ok(v == 6, "daa is #UD in 64-bit mode (vector %d)", v);
    v = catch_call(do_bound64);
    tap_ok(v == 6, "62 (bound) is #UD in 64-bit mode (vector %d)", v);
    tap_skip("32-bit only", "bound below the lower bound");
    tap_skip("32-bit only", "aam 0");
    __asm__ volatile("movslq %1, %0" : "=r"(r) : "r"(-7));
    tap_ok(r == -7, "63 is movsxd in 64-bit mode");
    tap_skip("32-bit only", "arpl keeps a higher RPL");
#endif
}

/* --- CMPXCHG16B, ENTER ------------------------------------------------ */

#ifdef __x86_64__
static uint64_t cx16_buf[4] __attribute__((aligned(16)));

static void do_cx16_misaligned(void)
{
    __asm__ volatile("cmpxchg16b %0" : "+m"(cx16_buf[1]) : "a"(0), "d"(0),
                     "b"(1), "c"(2) : "cc", "memory");
}
#endif

static void test_cmpxchg16b(void)
{
#ifdef __x86_64__
    int v;

    if (!cpu_has(1, 2, 13)) {
        tap_skip("no CMPXCHG16B", "cmpxchg16b alignment");
        return;
    }
    fault_err = -1;
    v = catch_call(do_cx16_misaligned);
    tap_ok(v == 13 && fault_err == 0, "cmpxchg16b on a misaligned operand "
           "is #GP(0) (vector %d)", v);
#else
    tap_skip("64-bit only", "cmpxchg16b alignment");
#endif
}

static uintptr_t fake_frame[8];
static uintptr_t enter_sp, enter_bp, enter_stack[6];

static void test_enter(void)
{
    uintptr_t s = sizeof(uintptr_t);
    uintptr_t *bp0 = &fake_frame[6];
    bool good;

    for (int i = 0; i < 8; i++) {
        fake_frame[i] = 0x1000 + i;
    }
    /* enter $16, $3 with rBP = bp0: push bp0, push [bp0 - s],
     * push [bp0 - 2s], push the frame; rSP -= 16. */
    __asm__ volatile(
        "push %%" R "bp\n\t"
        "mov %[bp0], %%" R "bp\n\t"
        "mov %%" R "sp, %%" R "si\n\t"
        "enter $16, $3\n\t"
        "mov %%" R "sp, %[sp]\n\t"
        "mov %%" R "bp, %[bp]\n\t"
        "mov 16(%%" R "sp), %%" R "ax\n\tmov %%" R "ax, %[st0]\n\t"
        "mov 16+1*%c[s](%%" R "sp), %%" R "ax\n\tmov %%" R "ax, %[st1]\n\t"
        "mov 16+2*%c[s](%%" R "sp), %%" R "ax\n\tmov %%" R "ax, %[st2]\n\t"
        "mov 16+3*%c[s](%%" R "sp), %%" R "ax\n\tmov %%" R "ax, %[st3]\n\t"
        "mov %%" R "si, %%" R "sp\n\t"
        "pop %%" R "bp\n\t"
        : [sp] "=m"(enter_sp), [bp] "=m"(enter_bp),
          [st0] "=m"(enter_stack[0]), [st1] "=m"(enter_stack[1]),
          [st2] "=m"(enter_stack[2]), [st3] "=m"(enter_stack[3])
        : [bp0] "r"(bp0), [s] "i"(sizeof(uintptr_t))
        : "memory", "si", "ax");
    /* From the top of the new frame: the frame pointer, [bp0 - 2s],
     * [bp0 - s], bp0. */
    good = enter_bp == enter_sp + 16 + 3 * s &&
           enter_stack[0] == enter_bp && enter_stack[1] == fake_frame[4] &&
           enter_stack[2] == fake_frame[5] &&
           enter_stack[3] == (uintptr_t)bp0;
    tap_ok(good, "enter $16, $3 copies the display (sp %lx bp %lx: %lx %lx "
           "%lx %lx)", (unsigned long)enter_sp, (unsigned long)enter_bp,
           (unsigned long)enter_stack[0], (unsigned long)enter_stack[1],
           (unsigned long)enter_stack[2], (unsigned long)enter_stack[3]);
}

/* --- RDTSCP, RDPID, SWAPGS, FSGSBASE, STAC/CLAC ----------------------- */

static void __attribute__((unused)) do_rdfsbase(void)
{
#ifdef __x86_64__
    uint64_t v;

    __asm__ volatile("rdfsbase %0" : "=r"(v));
#endif
}

static void test_misc(void)
{
    wrmsr(MSR_TSC_AUX, 0x1234);
    if (cpu_has(0x80000001, 3, 27)) {
        uint32_t lo, hi, aux;

        __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
        tap_ok(aux == 0x1234, "rdtscp returns TSC_AUX in ECX (%x)", aux);
    } else {
        tap_skip("no RDTSCP", "rdtscp");
    }
    if (cpu_has(7, 2, 22)) {
        uintptr_t id;

        __asm__ volatile("rdpid %0" : "=r"(id));
        tap_ok(id == 0x1234, "rdpid returns TSC_AUX (%lx)",
               (unsigned long)id);
    } else {
        tap_skip("no RDPID", "rdpid");
    }
#ifdef __x86_64__
    {
        uint64_t gs0 = rdmsr(MSR_GS_BASE);
        int v;

        wrmsr(MSR_KERNEL_GS_BASE, 0xffff800012345000ull);
        __asm__ volatile("swapgs");
        tap_ok(rdmsr(MSR_GS_BASE) == 0xffff800012345000ull &&
               rdmsr(MSR_KERNEL_GS_BASE) == gs0,
               "swapgs exchanges GS.base and KERNEL_GS_BASE");
        __asm__ volatile("swapgs");
        v = catch_call(do_rdfsbase);
        tap_ok(v == 6, "rdfsbase with CR4.FSGSBASE = 0 is #UD (vector %d)",
               v);
        if (cpu_has(7, 1, 0)) {
            uint64_t cr4, got;

            __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
            __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1u << 16)));
            __asm__ volatile("wrfsbase %1\n\trdfsbase %0" : "=r"(got)
                             : "r"(0x123456789abcull));
            __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
            tap_ok(got == 0x123456789abcull, "wrfsbase/rdfsbase round trip");
        } else {
            tap_skip("no FSGSBASE", "wrfsbase/rdfsbase");
        }
    }
#else
    tap_skip("64-bit only", "swapgs");
    tap_skip("64-bit only", "rdfsbase #UD");
    tap_skip("64-bit only", "wrfsbase/rdfsbase");
#endif
    if (cpu_has(7, 1, 20)) {
        uintptr_t f1, f2;

        __asm__ volatile("stac\n\tpushf\n\tpop %0\n\tclac\n\tpushf\n\tpop %1"
                         : "=r"(f1), "=r"(f2));
        tap_ok((f1 & 0x40000) && !(f2 & 0x40000), "stac/clac set and clear "
               "EFLAGS.AC");
    } else {
        tap_skip("no SMAP", "stac/clac");
    }
}

/* --- alignment check (#AC) ------------------------------------------- */

/* IRET to CPL 3 with EFLAGS.AC = ac_flag, load 4 bytes at ac_addr there,
 * then HLT (#GP at CPL 3).  The vector says whether the load faulted
 * first: 17 (#AC) or 13 (#GP from the HLT). */
volatile uintptr_t ac_addr, ac_flag;
static uint8_t ac_buf[16] __attribute__((aligned(16)));
void to_user_ac(void);
#ifdef __x86_64__
__asm__(
    ".text\n"
    "to_user_ac:\n"
    "  mov $0x23, %eax\n  mov %eax, %ds\n  mov %eax, %es\n"
    "  mov %rsp, %rax\n"
    "  pushq $0x23\n  push %rax\n"
    "  pushfq\n  andl $~0x40000, (%rsp)\n"
    "  mov ac_flag, %rax\n  or %rax, (%rsp)\n"
    "  pushq $0x2b\n  lea 1f(%rip), %rax\n  push %rax\n"
    "  iretq\n"
    "1:\n  mov ac_addr, %rax\n  mov (%rax), %eax\n  hlt\n");
#else
__asm__(
    ".text\n"
    "to_user_ac:\n"
    "  mov $0x23, %eax\n  mov %eax, %ds\n  mov %eax, %es\n"
    "  mov %esp, %eax\n"
    "  pushl $0x23\n  push %eax\n"
    "  pushfl\n  andl $~0x40000, (%esp)\n"
    "  mov ac_flag, %eax\n  or %eax, (%esp)\n"
    "  pushl $0x1b\n  pushl $1f\n"
    "  iret\n"
    "1:\n  mov ac_addr, %eax\n  mov (%eax), %eax\n  hlt\n");
#endif

static int user_load(uintptr_t addr, bool ac)
{
    int v;

    ac_addr = addr;
    ac_flag = ac ? 0x40000 : 0;
    v = catch_call(to_user_ac);
    /* back at CPL 0 with the user's AC: clear it, reload DS/ES */
    __asm__ volatile("pushf\n\tandl $~0x40000, (%%" R "sp)\n\tpopf"
                     ::: "cc", "memory");
    __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(0x10));
    return v;
}

static void test_ac(void)
{
    uintptr_t cr0;
    int v;

    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | (1u << 18)));
    v = user_load((uintptr_t)ac_buf + 1, true);
    tap_ok(v == 17, "ac: a misaligned load at CPL 3 with CR0.AM and "
           "EFLAGS.AC is #AC (vector %d, error %d)", v, fault_err);
    v = user_load((uintptr_t)ac_buf + 4, true);
    tap_ok(v == 13, "an aligned load at CPL 3 with AC set does not fault "
           "(then HLT: vector %d)", v);
    v = user_load((uintptr_t)ac_buf + 1, false);
    tap_ok(v == 13, "a misaligned load with EFLAGS.AC clear does not fault "
           "(vector %d)", v);
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
}

/* --- VEX and the CPUID gate ------------------------------------------- */

static uintptr_t gate_res;

static void do_andn(void)
{
    uintptr_t r;

    /* andn %ecx, %ecx, %eax: C4 E2 70 F2 C1 (L = 0) */
    __asm__ volatile("mov $0x0f0f, %%ecx\n\t.byte 0xc4,0xe2,0x70,0xf2,0xc1"
                     : "=a"(r) : : "ecx", "cc");
    gate_res = r;
}

static void do_andn_l1(void)
{
    __asm__ volatile(".byte 0xc4,0xe2,0x74,0xf2,0xc1" : : : "eax", "cc");
}

static void do_popcnt(void)
{
    uintptr_t r;

    __asm__ volatile("popcnt %1, %0" : "=r"(r) : "r"((uintptr_t)0xf0f1)
                     : "cc");
    gate_res = r;
}

static void test_gates(void)
{
    bool bmi1 = cpu_has(7, 1, 3), popcnt = cpu_has(1, 2, 23);
    bool abm = cpu_has(0x80000001, 2, 5);
    uint32_t lz;
    int v;

    /* F3 0F BD without ABM is BSR (the prefix is ignored) */
    __asm__ volatile("lzcnt %1, %0" : "=r"(lz) : "r"(0xf0f1u) : "cc");
    tap_ok(lz == (abm ? 16u : 15u), "lzcnt %s (CPUID abm = %d): %u",
           abm ? "counts leading zeros" : "runs as bsr", abm, lz);

    gate_res = 99;
    v = catch_call(do_andn);
    tap_ok(bmi1 ? (v == -1 && gate_res == 0) : v == 6,
           "andn %s (CPUID bmi1 = %d, vector %d)", bmi1 ? "runs" : "is #UD",
           bmi1, v);
    v = catch_call(do_andn_l1);
    tap_ok(v == 6, "andn with VEX.L = 1 is #UD (vector %d)", v);
    gate_res = 99;
    v = catch_call(do_popcnt);
    tap_ok(popcnt ? (v == -1 && gate_res == 9) : v == 6,
           "popcnt %s (CPUID popcnt = %d, vector %d)",
           popcnt ? "runs" : "is #UD", popcnt, v);
}

int main(uint32_t magic, uint32_t info)
{
    /* No interrupts: mask the PICs (legacy SYSRET sets IF). */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    setup_tables();
    allow_user_pages();
    tap_plan(44);
    test_sysenter();
    test_syscall();
    test_sysret_gp();
    test_lar_lsl();
    test_far_loads();
    test_bound_bcd();
    test_cmpxchg16b();
    test_enter();
    test_misc();
    test_gates();
    test_ac();
    return 0;
}
