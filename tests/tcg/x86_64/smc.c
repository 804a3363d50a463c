/*
 * smc.c: self-modifying code.  A store must take effect on the very next
 * instruction fetch, whatever the emulator has translated or cached:
 *   - a store that rewrites the next instruction in the same block;
 *   - the same where the block spans two pages and the rewritten insn is
 *     on the second;
 *   - a store that rewrites an instruction further down the same block;
 *   - a REP STOSB that rewrites the code right after itself;
 *   - a store to a function that already ran (a previous block);
 *   - a tight loop that rewrites its own immediate on every iteration
 *     (the "guest rewrites its own code in a tight loop" bad input: it
 *     must finish, with the right sum, in reasonable time);
 *   - (64-bit) a store through a second virtual mapping of the code page.
 * The code lives in .text, which is writable here (no paging in the
 * 32-bit build; the 64-bit trampoline maps everything writable).
 * See docs/devel/x86-guest-tests.md.
 */
#include "sys.h"

#ifdef __x86_64__
#define AT(l) l "(%%rip)"
#else
#define AT(l) l
#endif

static uint32_t next_insn(void)
{
    uint32_t v;

    __asm__ volatile("movb $0x2a, " AT("1f+1") "\n"
                     "1: mov $0x11, %%al\n"
                     "movzbl %%al, %0\n"
                     : "=r"(v) : : "eax", "memory");
    return v;
}

/* The same across a page boundary: the block starts 16 bytes before it
 * and the rewritten insn is the first of the next page. */
static uint32_t next_page_insn(void)
{
    uint32_t v;

    __asm__ volatile("jmp 2f\n"
                     ".p2align 12\n"
                     ".skip 4096 - 16, 0xcc\n"
                     "2: movb $0x2b, " AT("1f+1") "\n"
                     ".p2align 12, 0x90\n"
                     "1: mov $0x11, %%al\n"
                     "movzbl %%al, %0\n"
                     : "=r"(v) : : "eax", "memory");
    return v;
}

static uint32_t later_insn(void)
{
    uint32_t v;

    __asm__ volatile("movl $0x12345678, " AT("1f+1") "\n"
                     "nop\n nop\n add $0, %%ecx\n xor %%edx, %%edx\n"
                     "1: mov $0x11111111, %%eax\n"
                     "mov %%eax, %0\n"
                     : "=r"(v) : : "eax", "ecx", "edx", "memory");
    return v;
}

/* REP STOSB overwrites the 5-byte "mov $1, %ebx" right after it with
 * five NOPs, so EBX keeps 7. */
static uint32_t rep_stos(void)
{
    uint32_t v;

    __asm__ volatile("mov $7, %%ebx\n"
                     "mov $0x90, %%eax\n"
#ifdef __x86_64__
                     "lea 1f(%%rip), %%rdi\n"
#else
                     "mov $1f, %%edi\n"
#endif
                     "mov $5, %%ecx\n"
                     "rep stosb\n"
                     "1: mov $1, %%ebx\n"
                     "mov %%ebx, %0\n"
                     : "=r"(v) : : "eax", "ebx", "ecx", "edi", "memory");
    return v;
}

extern char patchme[], patchme_imm[];
__asm__(".text\n"
        ".globl patchme, patchme_imm\n"
        "patchme:\n"
        "    .byte 0xb8\n"          /* mov $imm32, %eax */
        "patchme_imm:\n"
        "    .long 5\n"
        "    ret\n");

static uint32_t call_patchme(void)
{
    return ((uint32_t (*)(void))(void *)patchme)();
}

/* Each iteration stores the counter into the immediate of the MOV that
 * follows and adds what that MOV loaded. */
static uint64_t tight_loop(uint32_t n)
{
    uint32_t lo, hi;

    __asm__ volatile("xor %%edx, %%edx\n"
                     "xor %%ebx, %%ebx\n"
                     "xor %%esi, %%esi\n"
                     "2: mov %%edx, " AT("1f+1") "\n"
                     "1: mov $0, %%eax\n"
                     "add %%eax, %%ebx\n"
                     "adc $0, %%esi\n"
                     "inc %%edx\n"
                     "dec %%ecx\n"
                     "jnz 2b\n"
                     : "=b"(lo), "=S"(hi), "+c"(n)
                     : : "eax", "edx", "memory", "cc");
    return ((uint64_t)hi << 32) | lo;
}

#ifdef __x86_64__
extern uint64_t pd[2048];   /* the trampoline's page directories */
#endif

int main(uint32_t magic, uint32_t info)
{
    uint32_t v;
    const uint32_t n = 5000;

    (void)magic;
    (void)info;
    tap_plan(8);
    v = next_insn();
    tap_ok(v == 0x2a, "a store rewrites the next instruction: 0x%x", v);
    v = next_page_insn();
    tap_ok(v == 0x2b, "a store rewrites the first insn of the next page of "
           "a block that spans two pages: 0x%x", v);
    v = later_insn();
    tap_ok(v == 0x12345678, "a store rewrites an instruction further down "
           "the block: 0x%x", v);
    v = rep_stos();
    tap_ok(v == 7, "REP STOSB rewrites the code right after itself: %u", v);
    v = call_patchme();
    *(volatile uint32_t *)patchme_imm = 9;
    v = v * 100 + call_patchme();
    tap_ok(v == 509, "a store rewrites a function that already ran: %u",
           v);
    {
        uint64_t sum = tight_loop(n);
        tap_ok(sum == (uint64_t)n * (n - 1) / 2, "a loop that rewrites its "
               "own immediate %u times: sum %lu", n, (unsigned long)sum);
    }
    /* The same code again: it must start from a fresh immediate store. */
    {
        uint64_t sum = tight_loop(10);
        tap_ok(sum == 45, "and again with 10 iterations: sum %lu",
               (unsigned long)sum);
    }
#ifdef __x86_64__
    {
        /* VA 2 GiB + x -> phys x (one 2 MiB page): an alias of the code. */
        volatile uint32_t *alias;

        pd[1024] = 0x87;
        __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : :
                         "rax", "memory");
        v = call_patchme();
        alias = (volatile uint32_t *)(0x80000000ul +
                                      (uintptr_t)patchme_imm);
        *alias = 77;
        v = v * 100 + call_patchme();
        tap_ok(v == 977, "a store through another mapping of the code page "
               "rewrites it: %u", v);
    }
#else
    tap_skip("no paging in the 32-bit build", "aliased store");
#endif
    return 0;
}
