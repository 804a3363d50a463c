/*
 * debugreg.c: the x86 debug facilities (SDM Vol 3A chapter 18) seen from
 * a guest: MOV to/from DR0-DR7 and their reset values, DR4/DR5 aliasing
 * and #UD under CR4.DE, an instruction breakpoint (a fault at the insn,
 * DR6.B0, skipped on return with EFLAGS.RF), data breakpoints (a trap
 * after the store, DR6.B1; reads ignored by a write breakpoint and caught
 * by a read/write one), the TF single-step trap counted over a known
 * sequence (DR6.BS), the MOV SS shadow (no trap right after MOV SS, one
 * after the next insn) and INT3 (a trap: the saved EIP is the next
 * insn).
 *
 * A small IDT routes vectors 1, 3 and 6 to trap_c(), which logs the
 * vector, the saved EIP and DR6.  Built 32- and 64-bit.
 */
#include "runtime.h"

typedef uintptr_t ureg;

#ifdef __x86_64__
#define WREG "r"
#else
#define WREG "e"
#endif

#ifdef __x86_64__
struct frame {
    ureg regs[10];
    ureg vec, ip, cs, flags, sp, ss;
};
#else
struct frame {
    ureg edi, esi, ebp, esp, ebx, edx, ecx, eax;
    ureg vec, ip, cs, flags;
};
#endif

static volatile unsigned db_count, bp_count, ud_count;
static volatile ureg db_ip[32];
static volatile ureg db_dr6, bp_ip;
static volatile bool db_set_rf;     /* return from #DB with EFLAGS.RF */

#define RF (1u << 16)
#define TF (1u << 8)

static ureg get_dr(int n)
{
    ureg v = 0;

    switch (n) {
    case 0: __asm__ volatile("mov %%dr0, %0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%dr1, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%dr2, %0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%dr3, %0" : "=r"(v)); break;
    case 6: __asm__ volatile("mov %%dr6, %0" : "=r"(v)); break;
    case 7: __asm__ volatile("mov %%dr7, %0" : "=r"(v)); break;
    }
    return v;
}

static void set_dr(int n, ureg v)
{
    switch (n) {
    case 0: __asm__ volatile("mov %0, %%dr0" : : "r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%dr1" : : "r"(v)); break;
    case 2: __asm__ volatile("mov %0, %%dr2" : : "r"(v)); break;
    case 3: __asm__ volatile("mov %0, %%dr3" : : "r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%dr6" : : "r"(v)); break;
    case 7: __asm__ volatile("mov %0, %%dr7" : : "r"(v)); break;
    }
}

void trap_c(struct frame *f);
void trap_c(struct frame *f)
{
    switch (f->vec) {
    case 1:
        db_ip[db_count++ & 31] = f->ip;
        db_dr6 = get_dr(6);
        if (db_set_rf) {
            f->flags |= RF;
        }
        break;
    case 3:
        bp_count++;
        bp_ip = f->ip;
        break;
    case 6:
        ud_count++;
        f->ip += 3;             /* every #UD here is a 3-byte MOV DR */
        break;
    }
}

/* Entry stubs: push the vector, save the caller-saved state, call trap_c
 * with a pointer to the frame, restore, return. */
#ifdef __x86_64__
__asm__(".text\n"
        "trap_common:\n"
        "  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
        "  push %r8; push %r9; push %r10; push %r11; push %rbx\n"
        "  mov %rsp, %rdi\n"
        "  call trap_c\n"
        "  pop %rbx; pop %r11; pop %r10; pop %r9; pop %r8\n"
        "  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
        "  add $8, %rsp\n"
        "  iretq\n"
        "vec1: push $1; jmp trap_common\n"
        "vec3: push $3; jmp trap_common\n"
        "vec6: push $6; jmp trap_common\n");
#else
__asm__(".text\n"
        "trap_common:\n"
        "  pusha\n"
        "  push %esp\n"
        "  call trap_c\n"
        "  add $4, %esp\n"
        "  popa\n"
        "  add $4, %esp\n"
        "  iret\n"
        "vec1: push $1; jmp trap_common\n"
        "vec3: push $3; jmp trap_common\n"
        "vec6: push $6; jmp trap_common\n");
#endif
extern char vec1[], vec3[], vec6[];

#ifdef __x86_64__
static uint64_t idt[2 * 32] __attribute__((aligned(16)));
#else
static uint64_t idt[32] __attribute__((aligned(16)));
#endif

static void set_gate(int v, void *handler)
{
    uintptr_t h = (uintptr_t)handler;
    uint16_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    idt[(sizeof(ureg) / 4) * v] = (h & 0xffff) | ((uint64_t)cs << 16) |
                                  (0x8eull << 40) |
                                  ((uint64_t)(h >> 16 & 0xffff) << 48);
#ifdef __x86_64__
    idt[2 * v + 1] = h >> 32;
#endif
}

static void idt_init(void)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        ureg base;
    } d = { sizeof(idt) - 1, (ureg)idt };

    set_gate(1, vec1);
    set_gate(3, vec3);
    set_gate(6, vec6);
    __asm__ volatile("lidt %0" : : "m"(d));
}

/* The instruction breakpoint's target. */
__attribute__((noipa)) static int bp_target(int x)
{
    return x * 3 + 1;
}

static volatile uint32_t data_var;

__attribute__((noinline)) static void test_mov_dr(void)
{
    ureg cr4;
    bool ok = true;

    tap_ok(get_dr(6) == 0xffff0ff0 && get_dr(7) == 0x400,
           "DR6/DR7 reset values (0x%lx, 0x%lx)", (unsigned long)get_dr(6),
           (unsigned long)get_dr(7));
    for (int i = 0; i < 4; i++) {
        set_dr(i, 0x1000 * (i + 1) + i);
        ok &= get_dr(i) == (ureg)(0x1000 * (i + 1) + i);
    }
    tap_ok(ok, "DR0-DR3 hold what is written");
    set_dr(7, 0);
    tap_ok(get_dr(7) == 0x400, "DR7 bit 10 reads as 1 (0x%lx)",
           (unsigned long)get_dr(7));
    /* DR4 and DR5 are DR6 and DR7 while CR4.DE is clear... */
    {
        ureg v4, v5;

        __asm__ volatile("mov %%dr4, %0" : "=r"(v4));
        __asm__ volatile("mov %%dr5, %0" : "=r"(v5));
        tap_ok(v4 == get_dr(6) && v5 == get_dr(7),
               "DR4/DR5 alias DR6/DR7 without CR4.DE");
    }
    /* ... and #UD with it. */
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 8));
    {
        ureg v = 0;

        __asm__ volatile(".byte 0x0f, 0x21, 0xe0" : : : "eax");  /* mov %dr4,%eax */
        (void)v;
    }
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    tap_ok(ud_count == 1, "MOV from DR4 with CR4.DE raises #UD");
}

__attribute__((noinline)) static void test_insn_breakpoint(void)
{
    int r;

    db_count = 0;
    db_set_rf = true;
    set_dr(6, 0);
    set_dr(0, (ureg)bp_target);
    set_dr(7, 1 << 0);                  /* L0, execute, 1 byte */
    r = bp_target(4);
    set_dr(7, 0);
    db_set_rf = false;
    tap_ok(db_count == 1 && db_ip[0] == (ureg)bp_target && r == 13,
           "instruction breakpoint: one #DB at the insn (%u, ip 0x%lx), "
           "RF lets it run on", db_count, (unsigned long)db_ip[0]);
    tap_ok((db_dr6 & 0xf) == 1, "DR6.B0 set (0x%lx)", (unsigned long)db_dr6);
    r = bp_target(5);
    tap_ok(db_count == 1 && r == 16, "disabled in DR7: no more #DB");
}

extern char after_store[], after_load[];

__attribute__((noinline)) static void test_data_breakpoint(void)
{
    uint32_t v;

    db_count = 0;
    set_dr(6, 0);
    set_dr(1, (ureg)&data_var);
    /* L1, RW1 = 01 (write), LEN1 = 11 (4 bytes). */
    set_dr(7, (1 << 2) | (1u << 20) | (3u << 22));
    __asm__ volatile("movl $5, %0\n after_store:" : "=m"(data_var));
    tap_ok(db_count == 1 && db_ip[0] == (ureg)after_store && data_var == 5,
           "write breakpoint: a trap after the store (%u, ip 0x%lx)",
           db_count, (unsigned long)db_ip[0]);
    tap_ok((db_dr6 & 0xf) == 2, "DR6.B1 set (0x%lx)", (unsigned long)db_dr6);
    v = data_var;
    tap_ok(db_count == 1 && v == 5, "a read does not hit a write breakpoint");
    /* RW1 = 11: reads and writes. */
    set_dr(7, (1 << 2) | (3u << 20) | (3u << 22));
    __asm__ volatile("movl %1, %0\n after_load:" : "=r"(v) : "m"(data_var));
    set_dr(7, 0);
    tap_ok(db_count == 2 && db_ip[1] == (ureg)after_load && v == 5,
           "read/write breakpoint: a trap after the load (%u)", db_count);
}

__attribute__((noinline)) static void test_single_step(void)
{
    db_count = 0;
    set_dr(6, 0);
    /* Traps follow: 5 NOPs, PUSHF, AND, POPF (TF was set when POPF
     * started) = 8; none after the first POPF, which set TF. */
    __asm__ volatile("pushf\n"
                     "orl $0x100, (%%" WREG "sp)\n"
                     "popf\n"
                     "nop\n nop\n nop\n nop\n nop\n"
                     "pushf\n"
                     "andl $~0x100, (%%" WREG "sp)\n"
                     "popf\n" : : : "memory", "cc");
    tap_ok(db_count == 8, "TF single-step: 8 traps for 8 insns (%u)",
           db_count);
    tap_ok(db_dr6 & (1u << 14), "DR6.BS set (0x%lx)", (unsigned long)db_dr6);
}

extern char after_movss[], after_shadow[];

__attribute__((noinline)) static void test_movss_shadow(void)
{
    bool seen_movss = false, seen_next = false;

    db_count = 0;
    __asm__ volatile("pushf\n"
                     "orl $0x100, (%%" WREG "sp)\n"
                     "popf\n"
                     "mov %%ss, %%ax\n"
                     "mov %%ax, %%ss\n"
                     "after_movss: nop\n"
                     "after_shadow: nop\n"
                     "pushf\n"
                     "andl $~0x100, (%%" WREG "sp)\n"
                     "popf\n" : : : "eax", "memory", "cc");
    for (unsigned i = 0; i < db_count && i < 32; i++) {
        seen_movss |= db_ip[i] == (ureg)after_movss;
        seen_next |= db_ip[i] == (ureg)after_shadow;
    }
    tap_ok(!seen_movss && seen_next,
           "MOV SS shadow: no trap right after MOV SS, one after the next "
           "insn (%u traps)", db_count);
}

extern char after_int3[];

/* ICEBP (F1) is not tested here: the reference emulator (QEMU 7.2) raises
 * it as a fault at the F1 byte, so a handler that returns loops forever;
 * tandem makes it a trap like the hardware (SDM Vol 3A 18.3.2). */
__attribute__((noinline)) static void test_int3(void)
{
    __asm__ volatile("int3\n after_int3:");
    tap_ok(bp_count == 1 && bp_ip == (ureg)after_int3,
           "INT3 raises #BP as a trap (ip 0x%lx)", (unsigned long)bp_ip);
}

int main(uint32_t magic, uint32_t info)
{
    idt_init();
    tap_plan(16);
    test_mov_dr();
    test_insn_breakpoint();
    test_data_breakpoint();
    test_single_step();
    test_movss_shadow();
    test_int3();
    return 0;
}
