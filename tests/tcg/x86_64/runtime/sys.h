/*
 * sys.h: system-architecture helpers for the x86 guest test programs
 * (runtime/sys.c): our own GDT, IDT and TSS, exception capture, a
 * setjmp-style "try" that turns an exception into a return value, and
 * ring-3 entry.  Used by the system test guests (excp.c, paging.c,
 * segload.c, ...); guests that never call sys_init() are unaffected.
 * See docs/devel/x86-guest-tests.md.
 *
 * Selectors (the same in 32- and 64-bit builds; in the 64-bit build the
 * code selectors are 64-bit code and SEL_KCODE32 is a compatibility-mode
 * segment):
 */
#ifndef X86_GUEST_SYS_H
#define X86_GUEST_SYS_H

#include "runtime.h"

#define SEL_KCODE    0x08
#define SEL_KDATA    0x10
#define SEL_UCODE    0x1b       /* 0x18 | RPL 3 */
#define SEL_UDATA    0x23       /* 0x20 | RPL 3 */
#define SEL_TSS      0x28       /* 16 bytes in the 64-bit build */
#define SEL_KCODE32  0x38       /* 32-bit code, DPL 0 */
#define SEL_KCODE16  0x40       /* 16-bit code, DPL 0, base 0 */
#define SEL_KDATA16  0x48       /* 16-bit data, DPL 0, base 0 */
#define GDT_FREE     0x50       /* first slot tests may overwrite */
#define GDT_ENTRIES  64

#define VEC_USER_EXIT 0x40      /* DPL 3 gate: ring-3 code is done */

#ifdef __x86_64__
typedef uint64_t ureg;
#else
typedef uint32_t ureg;
#endif

/* What the exception stubs push (lowest address first). */
struct xframe {
#ifdef __x86_64__
    ureg r15, r14, r13, r12, r11, r10, r9, r8;
    ureg rbp, rdi, rsi, rdx, rcx, rbx, rax;
#else
    ureg es, ds;
    ureg edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;   /* pusha */
#endif
    ureg vector, error_code;
    ureg ip, cs, flags;
    ureg sp, ss;        /* 64-bit: always; 32-bit: only from an outer ring */
};

/* The last exception the stubs saw (any vector). */
struct excp_record {
    int count;
    int vector;
    ureg error_code, ip, cs, flags, cr2, sp;
};
extern volatile struct excp_record last_excp;

/*
 * A per-vector handler: return true to IRET to the (possibly modified)
 * frame; false to fall through to the try mechanism.
 */
typedef bool ExcpHandler(struct xframe *f);
extern ExcpHandler *excp_handlers[256];

/* Loads the GDT (reloading every segment), IDT and TR.  Call first. */
void sys_init(void);

extern uint64_t sys_gdt[GDT_ENTRIES];

/* Writes an 8-byte segment descriptor. */
void gdt_set(int sel, uint32_t base, uint32_t limit, uint8_t access,
             uint8_t flags);
uint64_t make_desc(uint32_t base, uint32_t limit, uint8_t access,
                   uint8_t flags);
/* IDT gate: type 0xe interrupt, 0xf trap, 0x5 task; ist 64-bit only. */
void idt_set_gate(int vec, uintptr_t handler, uint16_t sel, int type,
                  int dpl, int ist);
/* The stub that records and dispatches vector vec. */
uintptr_t excp_stub(int vec);
/* Makes vec a DPL-dpl interrupt gate to its stub again. */
void idt_reset_gate(int vec, int dpl);
/* Writes a call gate at sel (16 bytes in the 64-bit build). */
void gdt_set_call_gate(int sel, uintptr_t target, uint16_t cs, int dpl,
                       int param_count);

/*
 * Runs fn(arg).  Returns -1 when fn returned, else the vector of the
 * exception that ended it (last_excp holds the details).  Segments and
 * EFLAGS are reset to the kernel's after an exception.
 */
int excp_try(void (*fn)(void *), void *arg);

/* Runs fn at CPL 3 with EFLAGS.IOPL = iopl (plus extra_flags); returns
 * VEC_USER_EXIT when fn returned, else the vector that ended it. */
int run_user(void (*fn)(void), int iopl, ureg extra_flags);

/* The TSS (32-bit: esp0, ss0, I/O bitmap; 64-bit: rsp0, ist1-7). */
#ifdef __x86_64__
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
    uint8_t iomap[8192 + 1];
} __attribute__((packed));
#else
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
    uint8_t iomap[8192 + 1];
} __attribute__((packed));
#endif
extern struct tss sys_tss;
extern uint8_t sys_kstack[16384], sys_iststack[16384];   /* ring-0 and IST1 stacks */

static inline ureg read_cr0(void)
{
    ureg v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
static inline ureg read_cr2(void)
{
    ureg v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline ureg read_cr3(void)
{
    ureg v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline ureg read_cr4(void)
{
    ureg v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
static inline void write_cr0(ureg v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}
static inline void write_cr3(ureg v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void write_cr4(ureg v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void invlpg(const volatile void *p)
{
    __asm__ volatile("invlpg (%0)" : : "r"(p) : "memory");
}
static inline ureg read_flags(void)
{
    ureg v;
    __asm__ volatile("pushf; pop %0" : "=r"(v));
    return v;
}

/* A fixed-seed xorshift stream. */
uint32_t sys_rand(void);

#endif
