/*
 * alu-ops.h: the integer instructions the ALU guest test checks, as small
 * inline-asm executors shared by two programs:
 *   - gen-alu.c, a HOST program, runs every case natively and writes the
 *     results (the expected values) as a C table, alu-table.h;
 *   - alu.c, the GUEST program, runs the same executors under the emulator
 *     and compares with the table.
 * So the expected values are what real hardware computes, not what we
 * think it computes.
 *
 * An executor takes inputs a, b, c and the arithmetic flags to start with
 * (loaded with popf), runs one instruction (or one REP string instruction)
 * and returns the result; *r2 gets a second result (high half, old value,
 * counters) and *flags the EFLAGS after it (pushf).  The flags compared
 * are only those the SDM defines for the case: alu_flags_mask() gives them
 * per op and count.  64-bit ops exist only in 64-bit builds.
 *
 * Built with -mno-red-zone: the executors push below the stack pointer.
 */
#ifndef ALU_OPS_H
#define ALU_OPS_H

#include <stdint.h>
#include <stdbool.h>

#define ALU_F_C 0x001
#define ALU_F_P 0x004
#define ALU_F_A 0x010
#define ALU_F_Z 0x040
#define ALU_F_S 0x080
#define ALU_F_O 0x800
#define ALU_F_ALL (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_A | ALU_F_P | ALU_F_C)

/* Op kinds: what the generator varies and which flags are defined. */
enum {
    K_ARITH,     /* OSZAPC defined */
    K_LOGIC,     /* OSZPC defined (O = C = 0), AF undefined */
    K_KEEP,      /* all OSZAPC defined (preserved or set by rule) */
    K_SHIFT,     /* c = count; 0: unchanged; 1: OSZPC; else SZPC */
    K_ROT,       /* c = count; 0: unchanged; 1: OC + rest kept; else C */
    K_MUL,       /* OF, CF defined */
    K_DIV,       /* no flags defined; inputs are chosen not to fault */
    K_IDIV,
    K_BT,        /* CF defined, ZF preserved (see ALU_BT_MASK) */
    K_BSX,       /* ZF defined; result undefined for a zero source */
    K_STR,       /* string op: a = length, b = seed, c = position */
    K_MASK,      /* flags compared: AluOpDesc.fmask */
};

/*
 * CPUID requirements of an op (AluOpDesc.need): leaf, register and bit.
 * The generator runs only what the host CPU has (and records why it
 * skipped the rest); the guest runs only what its CPU model advertises.
 */
#define ALU_NEED(leaf, reg, bit) (((uint64_t)(leaf) << 32) | ((reg) << 8) | (bit))
enum { ALU_EBX = 1, ALU_ECX = 2, ALU_EDX = 3 };
#define NEED_NONE    0
#define NEED_CX8     ALU_NEED(1, ALU_EDX, 8)
#define NEED_CX16    ALU_NEED(1, ALU_ECX, 13)
#define NEED_SSE42   ALU_NEED(1, ALU_ECX, 20)
#define NEED_MOVBE   ALU_NEED(1, ALU_ECX, 22)
#define NEED_POPCNT  ALU_NEED(1, ALU_ECX, 23)
#define NEED_BMI1    ALU_NEED(7, ALU_EBX, 3)
#define NEED_BMI2    ALU_NEED(7, ALU_EBX, 8)
#define NEED_ADX     ALU_NEED(7, ALU_EBX, 19)
#define NEED_ABM     ALU_NEED(0x80000001u, ALU_ECX, 5)

static inline void alu_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* Does this CPU have need? */
static inline bool alu_cpu_has(uint64_t need)
{
    uint32_t leaf = need >> 32, r[4];

    if (!need) {
        return true;
    }
    alu_cpuid(leaf & 0x80000000u, 0, r);
    if (r[0] < leaf) {
        return false;
    }
    alu_cpuid(leaf, 0, r);
    return (r[(need >> 8) & 3] >> (need & 31)) & 1;
}

static inline const char *alu_need_name(uint64_t need)
{
    return need == NEED_CX8 ? "cx8" : need == NEED_CX16 ? "cx16" :
           need == NEED_SSE42 ? "sse4.2" : need == NEED_MOVBE ? "movbe" :
           need == NEED_POPCNT ? "popcnt" : need == NEED_BMI1 ? "bmi1" :
           need == NEED_BMI2 ? "bmi2" : need == NEED_ADX ? "adx" :
           need == NEED_ABM ? "abm (lzcnt)" : "?";
}

typedef struct AluCase {
    uint16_t op;
    uint16_t flags_in;
    uint16_t flags_mask;      /* flags compared */
    uint16_t res_defined;     /* 1: res and r2 are compared */
    uint64_t a, b, c;
    uint64_t res, r2;
    uint16_t flags_out;
} AluCase;

typedef uint64_t AluExec(uint64_t a, uint64_t b, uint64_t c,
                         uintptr_t *flags, uint64_t *r2);

typedef struct AluOpDesc {
    const char *name;
    AluExec *exec;   /* NULL: not in this build's mode (BCD in 64-bit) */
    int kind;
    int width;       /* operand bits */
    uint64_t need;   /* NEED_*: CPUID feature */
    uint16_t fmask;  /* K_MASK: the flags the SDM defines */
    AluExec *model;  /* expected values when the host cannot run it */
} AluOpDesc;

/* Pushes FL into EFLAGS, runs INSN, reads EFLAGS back into FL. */
#define ALU_PRE  "push %[fl]\n\tpopf\n\t"
#define ALU_POST "\n\tpushf\n\tpop %[fl]"

/* dst = dst OP src */
#define ALU_BINOP(fn, insn, T)                                              \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a;                                                                \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b], %[r]" ALU_POST                    \
                     : [r] "+q"(r), [fl] "+r"(fl) : [b] "q"((T)b) : "cc");  \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* dst = OP dst */
#define ALU_UNOP(fn, insn, T)                                               \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a;                                                                \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[r]" ALU_POST                          \
                     : [r] "+r"(r), [fl] "+r"(fl) : : "cc");                \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* dst = dst OP= %cl */
#define ALU_SHIFT(fn, insn, T)                                              \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a;                                                                \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %%cl, %[r]" ALU_POST                    \
                     : [r] "+r"(r), [fl] "+r"(fl) : "c"((uint8_t)c) : "cc"); \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* shld/shrd: dst, src = b, count = %cl */
#define ALU_SHXD(fn, insn, T)                                               \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a;                                                                \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %%cl, %[b], %[r]" ALU_POST              \
                     : [r] "+r"(r), [fl] "+r"(fl)                           \
                     : [b] "r"((T)b), "c"((uint8_t)c) : "cc");              \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* one-operand mul/div: rdx:rax = c:a, operand b */
#define ALU_MULDIV(fn, insn, T)                                             \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T lo = a, hi = c;                                                       \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b]" ALU_POST                          \
                     : "+a"(lo), "+d"(hi), [fl] "+r"(fl)                    \
                     : [b] "r"((T)b) : "cc");                               \
    *flags = fl;                                                            \
    *r2 = hi;                                                               \
    return lo;                                                              \
}

/* xadd: dst += src, src = old dst */
#define ALU_XADD(fn, insn, T)                                               \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a, s = b;                                                         \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[s], %[r]" ALU_POST                    \
                     : [r] "+r"(r), [s] "+r"(s), [fl] "+r"(fl) : : "cc");   \
    *flags = fl;                                                            \
    *r2 = s;                                                                \
    return r;                                                               \
}

/* cmpxchg: accumulator = c, dst = a, src = b */
#define ALU_CMPXCHG(fn, insn, T)                                            \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a, acc = c;                                                       \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b], %[r]" ALU_POST                    \
                     : [r] "+r"(r), "+a"(acc), [fl] "+r"(fl)                \
                     : [b] "r"((T)b) : "cc");                               \
    *flags = fl;                                                            \
    *r2 = acc;                                                              \
    return r;                                                               \
}

/* INSN b, x, then SETcc with cc = c & 15: the condition is evaluated
 * straight after the flag-setting instruction, the way compiled code uses
 * it (an emulator with lazy flags takes a different path here than for
 * pushf).  res = the SETcc byte, r2 = x after INSN. */
#define ALU_CC_CASE(n, cc, insn, T)                                         \
    case n:                                                                 \
        __asm__ volatile(ALU_PRE insn " %[b], %[x]\n\tset" cc " %[r]"       \
                         ALU_POST                                           \
                         : [r] "=&q"(r), [x] "+r"(x), [fl] "+r"(fl)         \
                         : [b] "r"((T)b) : "cc");                           \
        break;
#define ALU_SETCC(fn, insn, T)                                              \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T x = a;                                                                \
    uint8_t r = 0;                                                          \
    uintptr_t fl = *flags;                                                  \
    switch (c & 15) {                                                       \
    ALU_CC_CASE(0, "o", insn, T)                                            \
    ALU_CC_CASE(1, "no", insn, T)                                           \
    ALU_CC_CASE(2, "b", insn, T)                                            \
    ALU_CC_CASE(3, "ae", insn, T)                                           \
    ALU_CC_CASE(4, "e", insn, T)                                            \
    ALU_CC_CASE(5, "ne", insn, T)                                           \
    ALU_CC_CASE(6, "be", insn, T)                                           \
    ALU_CC_CASE(7, "a", insn, T)                                            \
    ALU_CC_CASE(8, "s", insn, T)                                            \
    ALU_CC_CASE(9, "ns", insn, T)                                           \
    ALU_CC_CASE(10, "p", insn, T)                                           \
    ALU_CC_CASE(11, "np", insn, T)                                          \
    ALU_CC_CASE(12, "l", insn, T)                                           \
    ALU_CC_CASE(13, "ge", insn, T)                                          \
    ALU_CC_CASE(14, "le", insn, T)                                          \
    ALU_CC_CASE(15, "g", insn, T)                                           \
    }                                                                       \
    *flags = fl;                                                            \
    *r2 = x;                                                                \
    return r;                                                               \
}

ALU_BINOP(alu_add32, "addl", uint32_t)
ALU_BINOP(alu_sub32, "subl", uint32_t)
ALU_BINOP(alu_adc32, "adcl", uint32_t)
ALU_BINOP(alu_sbb32, "sbbl", uint32_t)
ALU_BINOP(alu_and32, "andl", uint32_t)
ALU_BINOP(alu_or32, "orl", uint32_t)
ALU_BINOP(alu_xor32, "xorl", uint32_t)
ALU_BINOP(alu_cmp32, "cmpl", uint32_t)
ALU_BINOP(alu_test32, "testl", uint32_t)
ALU_BINOP(alu_imul2_32, "imull", uint32_t)
ALU_BINOP(alu_bt32, "btl", uint32_t)
ALU_BINOP(alu_bts32, "btsl", uint32_t)
ALU_BINOP(alu_btr32, "btrl", uint32_t)
ALU_BINOP(alu_btc32, "btcl", uint32_t)
ALU_BINOP(alu_bsf32, "bsfl", uint32_t)
ALU_BINOP(alu_bsr32, "bsrl", uint32_t)
ALU_BINOP(alu_add8, "addb", uint8_t)
ALU_BINOP(alu_sub8, "subb", uint8_t)
ALU_BINOP(alu_add16, "addw", uint16_t)
ALU_BINOP(alu_sub16, "subw", uint16_t)
ALU_UNOP(alu_neg32, "negl", uint32_t)
ALU_UNOP(alu_not32, "notl", uint32_t)
ALU_UNOP(alu_inc32, "incl", uint32_t)
ALU_UNOP(alu_dec32, "decl", uint32_t)
ALU_UNOP(alu_bswap32, "bswapl", uint32_t)
ALU_SHIFT(alu_shl32, "shll", uint32_t)
ALU_SHIFT(alu_shr32, "shrl", uint32_t)
ALU_SHIFT(alu_sar32, "sarl", uint32_t)
ALU_SHIFT(alu_rol32, "roll", uint32_t)
ALU_SHIFT(alu_ror32, "rorl", uint32_t)
ALU_SHIFT(alu_rcl32, "rcll", uint32_t)
ALU_SHIFT(alu_rcr32, "rcrl", uint32_t)
ALU_SHXD(alu_shld32, "shldl", uint32_t)
ALU_SHXD(alu_shrd32, "shrdl", uint32_t)
ALU_MULDIV(alu_mul32, "mull", uint32_t)
ALU_MULDIV(alu_imul32, "imull", uint32_t)
ALU_MULDIV(alu_div32, "divl", uint32_t)
ALU_MULDIV(alu_idiv32, "idivl", uint32_t)
ALU_XADD(alu_xadd32, "xaddl", uint32_t)
ALU_CMPXCHG(alu_cmpxchg32, "cmpxchgl", uint32_t)
ALU_SETCC(alu_cmp_setcc32, "cmpl", uint32_t)
ALU_SETCC(alu_sub_setcc32, "subl", uint32_t)
ALU_SETCC(alu_add_setcc32, "addl", uint32_t)
ALU_SETCC(alu_and_setcc32, "andl", uint32_t)
ALU_SETCC(alu_mov_setcc32, "movl", uint32_t)   /* flags from popf */
ALU_SETCC(alu_cmp_setcc8, "cmpb", uint8_t)

#ifdef __x86_64__
ALU_BINOP(alu_add64, "addq", uint64_t)
ALU_BINOP(alu_sub64, "subq", uint64_t)
ALU_BINOP(alu_adc64, "adcq", uint64_t)
ALU_BINOP(alu_sbb64, "sbbq", uint64_t)
ALU_BINOP(alu_and64, "andq", uint64_t)
ALU_BINOP(alu_or64, "orq", uint64_t)
ALU_BINOP(alu_xor64, "xorq", uint64_t)
ALU_BINOP(alu_cmp64, "cmpq", uint64_t)
ALU_BINOP(alu_imul2_64, "imulq", uint64_t)
ALU_BINOP(alu_bt64, "btq", uint64_t)
ALU_BINOP(alu_bts64, "btsq", uint64_t)
ALU_BINOP(alu_btr64, "btrq", uint64_t)
ALU_BINOP(alu_btc64, "btcq", uint64_t)
ALU_BINOP(alu_bsf64, "bsfq", uint64_t)
ALU_BINOP(alu_bsr64, "bsrq", uint64_t)
ALU_UNOP(alu_neg64, "negq", uint64_t)
ALU_UNOP(alu_inc64, "incq", uint64_t)
ALU_UNOP(alu_dec64, "decq", uint64_t)
ALU_UNOP(alu_bswap64, "bswapq", uint64_t)
ALU_SHIFT(alu_shl64, "shlq", uint64_t)
ALU_SHIFT(alu_shr64, "shrq", uint64_t)
ALU_SHIFT(alu_sar64, "sarq", uint64_t)
ALU_SHIFT(alu_rol64, "rolq", uint64_t)
ALU_SHIFT(alu_ror64, "rorq", uint64_t)
ALU_SHIFT(alu_rcl64, "rclq", uint64_t)
ALU_SHIFT(alu_rcr64, "rcrq", uint64_t)
ALU_SHXD(alu_shld64, "shldq", uint64_t)
ALU_SHXD(alu_shrd64, "shrdq", uint64_t)
ALU_MULDIV(alu_mul64, "mulq", uint64_t)
ALU_MULDIV(alu_imul64, "imulq", uint64_t)
ALU_MULDIV(alu_div64, "divq", uint64_t)
ALU_MULDIV(alu_idiv64, "idivq", uint64_t)
ALU_XADD(alu_xadd64, "xaddq", uint64_t)
ALU_CMPXCHG(alu_cmpxchg64, "cmpxchgq", uint64_t)
ALU_SETCC(alu_cmp_setcc64, "cmpq", uint64_t)
ALU_SETCC(alu_sub_setcc64, "subq", uint64_t)
#endif

/* --- CPUID-gated instructions (POPCNT, LZCNT/TZCNT, BMI, ADX, MOVBE,
 *     CRC32, CMPXCHG8B/16B) --- */

/* dst = OP src (the old dst is not an input) */
#define ALU_CNT(fn, insn, T)                                                \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = a;                                                                \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b], %[r]" ALU_POST                    \
                     : [r] "+r"(r), [fl] "+r"(fl) : [b] "r"((T)b) : "cc");  \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* Three-operand VEX forms, AT&T order: INSN b, a, r. */
#define ALU_VEX3(fn, insn, T)                                               \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r;                                                                    \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b], %[a], %[r]" ALU_POST              \
                     : [r] "=&r"(r), [fl] "+r"(fl)                          \
                     : [a] "r"((T)a), [b] "r"((T)b) : "cc");                \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* MULX: hi:lo = rDX (a) * src (b); r2 = lo */
#define ALU_MULX(fn, insn, T)                                               \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T hi, lo;                                                               \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b], %[lo], %[hi]" ALU_POST            \
                     : [hi] "=&r"(hi), [lo] "=&r"(lo), [fl] "+r"(fl)        \
                     : "d"((T)a), [b] "r"((T)b) : "cc");                    \
    *flags = fl;                                                            \
    *r2 = lo;                                                               \
    return hi;                                                              \
}

/* RORX by one of eight immediates, chosen by c. */
#define ALU_RORX_CASE(n, imm, insn)                                         \
    case n:                                                                 \
        __asm__ volatile(ALU_PRE insn " $" #imm ", %[a], %[r]" ALU_POST     \
                         : [r] "=&r"(r), [fl] "+r"(fl) : [a] "r"(x) : "cc"); \
        break;
#define ALU_RORX(fn, insn, T)                                               \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    T r = 0, x = a;                                                         \
    uintptr_t fl = *flags;                                                  \
    switch (c & 7) {                                                        \
    ALU_RORX_CASE(0, 0, insn)                                               \
    ALU_RORX_CASE(1, 1, insn)                                               \
    ALU_RORX_CASE(2, 7, insn)                                               \
    ALU_RORX_CASE(3, 8, insn)                                               \
    ALU_RORX_CASE(4, 13, insn)                                              \
    ALU_RORX_CASE(5, 31, insn)                                              \
    ALU_RORX_CASE(6, 33, insn)                                              \
    ALU_RORX_CASE(7, 63, insn)                                              \
    }                                                                       \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

/* MOVBE to a register from memory holding a (res), and b from a register
 * to memory (r2). */
#define ALU_MOVBE(fn, insn, T)                                              \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    static T m_in, m_out;                                                   \
    T r;                                                                    \
    uintptr_t fl = *flags;                                                  \
    m_in = a;                                                               \
    __asm__ volatile(ALU_PRE insn " %[m], %[r]\n\t" insn " %[x], %[m2]"     \
                     ALU_POST                                               \
                     : [r] "=&r"(r), [m2] "+m"(m_out), [fl] "+r"(fl)        \
                     : [m] "m"(m_in), [x] "r"((T)b) : "cc", "memory");      \
    *flags = fl;                                                            \
    *r2 = m_out;                                                            \
    return r;                                                               \
}

/* CRC32 with a TS-sized source into a TD accumulator. */
#define ALU_CRC32(fn, insn, TS, TD)                                         \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    TD r = (uint32_t)a;                                                     \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn " %[b], %[r]" ALU_POST                    \
                     : [r] "+r"(r), [fl] "+r"(fl) : [b] "q"((TS)b) : "cc"); \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return r;                                                               \
}

ALU_CNT(alu_popcnt16, "popcntw", uint16_t)
ALU_CNT(alu_popcnt32, "popcntl", uint32_t)
ALU_CNT(alu_lzcnt16, "lzcntw", uint16_t)
ALU_CNT(alu_lzcnt32, "lzcntl", uint32_t)
ALU_CNT(alu_tzcnt16, "tzcntw", uint16_t)
ALU_CNT(alu_tzcnt32, "tzcntl", uint32_t)
ALU_CNT(alu_blsi32, "blsil", uint32_t)
ALU_CNT(alu_blsmsk32, "blsmskl", uint32_t)
ALU_CNT(alu_blsr32, "blsrl", uint32_t)
ALU_CNT(alu_adcx32, "adcxl", uint32_t)
ALU_CNT(alu_adox32, "adoxl", uint32_t)
ALU_VEX3(alu_andn32, "andnl", uint32_t)
ALU_VEX3(alu_bextr32, "bextrl", uint32_t)
ALU_VEX3(alu_bzhi32, "bzhil", uint32_t)
ALU_VEX3(alu_pdep32, "pdepl", uint32_t)
ALU_VEX3(alu_pext32, "pextl", uint32_t)
ALU_VEX3(alu_sarx32, "sarxl", uint32_t)
ALU_VEX3(alu_shlx32, "shlxl", uint32_t)
ALU_VEX3(alu_shrx32, "shrxl", uint32_t)
ALU_MULX(alu_mulx32, "mulxl", uint32_t)
ALU_RORX(alu_rorx32, "rorxl", uint32_t)
ALU_MOVBE(alu_movbe16, "movbew", uint16_t)
ALU_MOVBE(alu_movbe32, "movbel", uint32_t)
ALU_CRC32(alu_crc32b, "crc32b", uint8_t, uint32_t)
ALU_CRC32(alu_crc32w, "crc32w", uint16_t, uint32_t)
ALU_CRC32(alu_crc32l, "crc32l", uint32_t, uint32_t)
ALU_XADD(alu_xadd16, "xaddw", uint16_t)
ALU_SHIFT(alu_shl16, "shlw", uint16_t)
ALU_SHIFT(alu_sar16, "sarw", uint16_t)
ALU_SHIFT(alu_shl8, "shlb", uint8_t)
ALU_SHXD(alu_shld16, "shldw", uint16_t)
ALU_SHXD(alu_shrd16, "shrdw", uint16_t)

/* CMPXCHG8B: m64 = a, EDX:EAX = c, ECX:EBX = b; res = m64 after,
 * r2 = EDX:EAX after. */
static uint64_t alu_cmpxchg8b(uint64_t a, uint64_t b, uint64_t c,
                              uintptr_t *flags, uint64_t *r2)
{
    static uint64_t m;
    uint32_t lo = c, hi = c >> 32;
    uintptr_t fl = *flags;

    m = a;
    __asm__ volatile(ALU_PRE "cmpxchg8b %[m]" ALU_POST
                     : [m] "+m"(m), "+a"(lo), "+d"(hi), [fl] "+r"(fl)
                     : "b"((uint32_t)b), "c"((uint32_t)(b >> 32))
                     : "cc", "memory");
    *flags = fl;
    *r2 = (uint64_t)hi << 32 | lo;
    return m;
}

#ifdef __x86_64__
ALU_CNT(alu_popcnt64, "popcntq", uint64_t)
ALU_CNT(alu_lzcnt64, "lzcntq", uint64_t)
ALU_CNT(alu_tzcnt64, "tzcntq", uint64_t)
ALU_CNT(alu_blsi64, "blsiq", uint64_t)
ALU_CNT(alu_blsmsk64, "blsmskq", uint64_t)
ALU_CNT(alu_blsr64, "blsrq", uint64_t)
ALU_CNT(alu_adcx64, "adcxq", uint64_t)
ALU_CNT(alu_adox64, "adoxq", uint64_t)
ALU_VEX3(alu_andn64, "andnq", uint64_t)
ALU_VEX3(alu_bextr64, "bextrq", uint64_t)
ALU_VEX3(alu_bzhi64, "bzhiq", uint64_t)
ALU_VEX3(alu_pdep64, "pdepq", uint64_t)
ALU_VEX3(alu_pext64, "pextq", uint64_t)
ALU_VEX3(alu_sarx64, "sarxq", uint64_t)
ALU_VEX3(alu_shlx64, "shlxq", uint64_t)
ALU_VEX3(alu_shrx64, "shrxq", uint64_t)
ALU_MULX(alu_mulx64, "mulxq", uint64_t)
ALU_RORX(alu_rorx64, "rorxq", uint64_t)
ALU_MOVBE(alu_movbe64, "movbeq", uint64_t)
ALU_CRC32(alu_crc32q, "crc32q", uint64_t, uint64_t)

/* CMPXCHG16B: m128 = {a, b}, RDX:RAX = {c, b} (equal when c == a),
 * RCX:RBX = {~a, c}; res = the low half after ^ the high half rotated,
 * r2 = RAX ^ RDX rotated after. */
static uint64_t alu_cmpxchg16b(uint64_t a, uint64_t b, uint64_t c,
                               uintptr_t *flags, uint64_t *r2)
{
    static unsigned __int128 m;
    uint64_t lo = c, hi = b, mlo, mhi;
    uintptr_t fl = *flags;

    m = (unsigned __int128)b << 64 | a;
    __asm__ volatile(ALU_PRE "cmpxchg16b %[m]" ALU_POST
                     : [m] "+m"(m), "+a"(lo), "+d"(hi), [fl] "+r"(fl)
                     : "b"(~a), "c"(c) : "cc", "memory");
    *flags = fl;
    *r2 = lo ^ (hi << 17 | hi >> 47);
    mlo = (uint64_t)m;
    mhi = (uint64_t)(m >> 64);
    return mlo ^ (mhi << 29 | mhi >> 35);
}
#endif

/* --- BCD (invalid in 64-bit mode): AX = a.  The generator, a 64-bit
 *     program, cannot run them, so the expected values come from the SDM
 *     pseudocode (alu_bcd_model); the reference emulator checks the same
 *     cases in run-guests.t. --- */

#ifndef __x86_64__
#define ALU_BCD(fn, insn)                                                   \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    uint32_t ax = (uint16_t)a;                                              \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn ALU_POST : "+a"(ax), [fl] "+r"(fl)        \
                     : : "cc");                                             \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return (uint16_t)ax;                                                    \
}
ALU_BCD(alu_daa, "daa")
ALU_BCD(alu_das, "das")
ALU_BCD(alu_aaa, "aaa")
ALU_BCD(alu_aas, "aas")
ALU_BCD(alu_aam10, "aam")
ALU_BCD(alu_aam16, "aam $16")
ALU_BCD(alu_aad10, "aad")
ALU_BCD(alu_aad7, "aad $7")
#else
#define alu_daa NULL
#define alu_das NULL
#define alu_aaa NULL
#define alu_aas NULL
#define alu_aam10 NULL
#define alu_aam16 NULL
#define alu_aad10 NULL
#define alu_aad7 NULL
#endif

static inline uint32_t alu_szp8(uint8_t v)
{
    return (v == 0 ? ALU_F_Z : 0) | (v & 0x80 ? ALU_F_S : 0) |
           (__builtin_parity(v) ? 0 : ALU_F_P);
}

/* SDM Vol 2 pseudocode; op: 0 DAA, 1 DAS, 2 AAA, 3 AAS, 4 AAM, 5 AAD. */
static uint64_t alu_bcd_model(int op, unsigned base, uint64_t a,
                              uintptr_t *flags)
{
    uint8_t al = a, ah = a >> 8, old_al = al;
    uintptr_t f = *flags;
    bool cf = f & ALU_F_C, af = f & ALU_F_A, old_cf = cf;

    switch (op) {
    case 0: case 1:
        cf = false;
        if ((al & 0xf) > 9 || af) {
            cf = old_cf || (op ? al < 6 : al >= 0xfa);
            al = op ? al - 6 : al + 6;
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = op ? al - 0x60 : al + 0x60;
            cf = true;
        } else if (op == 0) {
            cf = false;
        }
        *flags = (f & ~ALU_F_ALL) | alu_szp8(al) | (af ? ALU_F_A : 0) |
                 (cf ? ALU_F_C : 0);
        return (uint16_t)(ah << 8 | al);
    case 2: case 3: {
        uint16_t ax = a;

        f &= ~(uintptr_t)(ALU_F_A | ALU_F_C);
        if ((al & 0xf) > 9 || af) {
            ax = op == 2 ? ax + 0x106 : ax - 0x106;
            f |= ALU_F_A | ALU_F_C;
        }
        *flags = f;
        return ax & 0xff0f;
    }
    case 4:
        ah = al / base;
        al = al % base;
        *flags = (f & ~ALU_F_ALL) | alu_szp8(al);
        return (uint16_t)(ah << 8 | al);
    default:
        al = al + ah * base;
        *flags = (f & ~ALU_F_ALL) | alu_szp8(al);
        return al;
    }
}

#define ALU_BCD_MODEL(fn, op, base)                                         \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    *r2 = 0;                                                                \
    return alu_bcd_model(op, base, a, flags);                               \
}
ALU_BCD_MODEL(alu_daa_model, 0, 10)
ALU_BCD_MODEL(alu_das_model, 1, 10)
ALU_BCD_MODEL(alu_aaa_model, 2, 10)
ALU_BCD_MODEL(alu_aas_model, 3, 10)
ALU_BCD_MODEL(alu_aam10_model, 4, 10)
ALU_BCD_MODEL(alu_aam16_model, 4, 16)
ALU_BCD_MODEL(alu_aad10_model, 5, 10)
ALU_BCD_MODEL(alu_aad7_model, 5, 7)

/* --- string instructions --- */

#define ALU_STR_BUF 256
static uint8_t alu_src[ALU_STR_BUF], alu_dst[ALU_STR_BUF];

/* Deterministic buffer contents from a seed (xorshift32). */
static void alu_fill(uint8_t *p, uint32_t seed)
{
    uint32_t x = seed | 1;

    for (int i = 0; i < ALU_STR_BUF; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = x >> 24;
    }
}

/* FNV-1a of the destination buffer: what the string op left there. */
static uint64_t alu_hash(const uint8_t *p)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (int i = 0; i < ALU_STR_BUF; i++) {
        h = (h ^ p[i]) * 0x100000001b3ull;
    }
    return h;
}

/* r2 = remaining count | destination advance << 20 | source advance << 40 */
static uint64_t alu_str_r2(uintptr_t cnt, const uint8_t *d, const uint8_t *s)
{
    return (uint64_t)cnt | (uint64_t)(d - alu_dst) << 20 |
           (uint64_t)(s - alu_src) << 40;
}

#define ALU_STR_PRE                                                         \
    uintptr_t fl = *flags, cnt = a;                                         \
    uint8_t *d = alu_dst, *s = alu_src;                                     \
    alu_fill(alu_src, b);                                                   \
    alu_fill(alu_dst, b ^ 0x9e3779b9u)

static uint64_t alu_rep_movsb(uint64_t a, uint64_t b, uint64_t c,
                              uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    __asm__ volatile(ALU_PRE "rep movsb" ALU_POST
                     : "+c"(cnt), "+D"(d), "+S"(s), [fl] "+r"(fl)
                     : : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

static uint64_t alu_rep_movsl(uint64_t a, uint64_t b, uint64_t c,
                              uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    __asm__ volatile(ALU_PRE "rep movsl" ALU_POST
                     : "+c"(cnt), "+D"(d), "+S"(s), [fl] "+r"(fl)
                     : : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

static uint64_t alu_rep_stosb(uint64_t a, uint64_t b, uint64_t c,
                              uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    __asm__ volatile(ALU_PRE "rep stosb" ALU_POST
                     : "+c"(cnt), "+D"(d), [fl] "+r"(fl)
                     : "a"((uint8_t)c) : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

/* Compares src with a copy that differs at position c (if c < length). */
static uint64_t alu_repe_cmpsb(uint64_t a, uint64_t b, uint64_t c,
                               uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    for (int i = 0; i < ALU_STR_BUF; i++) {
        alu_dst[i] = alu_src[i];
    }
    alu_dst[c % ALU_STR_BUF] ^= 1 + (b >> 25);
    __asm__ volatile(ALU_PRE "repe cmpsb" ALU_POST
                     : "+c"(cnt), "+D"(d), "+S"(s), [fl] "+r"(fl)
                     : : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

/* Searches the destination buffer for the byte c. */
static uint64_t alu_repne_scasb(uint64_t a, uint64_t b, uint64_t c,
                                uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    __asm__ volatile(ALU_PRE "repne scasb" ALU_POST
                     : "+c"(cnt), "+D"(d), [fl] "+r"(fl)
                     : "a"((uint8_t)c) : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

static uint64_t alu_lodsb_loop(uint64_t a, uint64_t b, uint64_t c,
                               uintptr_t *flags, uint64_t *r2)
{
    uint64_t sum = 0;

    ALU_STR_PRE;
    for (uintptr_t i = 0; i < cnt; i++) {
        uint8_t v;

        __asm__ volatile("lodsb" : "=a"(v), "+S"(s) : : "memory");
        sum = sum * 31 + v;
    }
    (void)fl;               /* lodsb changes no flags: *flags stays */
    *r2 = alu_str_r2(0, d, s);
    return sum;
}

/* The same with DF = 1: the pointers start at the last element and move
 * down; cld afterwards (the C ABI wants DF clear). */
static uint64_t alu_std_rep_movsb(uint64_t a, uint64_t b, uint64_t c,
                                  uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    d = alu_dst + ALU_STR_BUF - 1;
    s = alu_src + ALU_STR_BUF - 1;
    __asm__ volatile("push %[fl]\n\tpopf\n\tstd\n\trep movsb\n\t"
                     "pushf\n\tpop %[fl]\n\tcld"
                     : "+c"(cnt), "+D"(d), "+S"(s), [fl] "+r"(fl)
                     : : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

static uint64_t alu_std_repe_cmpsb(uint64_t a, uint64_t b, uint64_t c,
                                   uintptr_t *flags, uint64_t *r2)
{
    ALU_STR_PRE;
    for (int i = 0; i < ALU_STR_BUF; i++) {
        alu_dst[i] = alu_src[i];
    }
    alu_dst[c % ALU_STR_BUF] ^= 1 + (b >> 25);
    d = alu_dst + ALU_STR_BUF - 1;
    s = alu_src + ALU_STR_BUF - 1;
    __asm__ volatile("push %[fl]\n\tpopf\n\tstd\n\trepe cmpsb\n\t"
                     "pushf\n\tpop %[fl]\n\tcld"
                     : "+c"(cnt), "+D"(d), "+S"(s), [fl] "+r"(fl)
                     : : "cc", "memory");
    *flags = fl;
    *r2 = alu_str_r2(cnt, d, s);
    return alu_hash(alu_dst);
}

/* bt/bts/btr/btc with a memory operand and a register bit offset: the
 * offset is signed and not masked, so it selects bits in other dwords
 * (SDM Vol 2, BT: "bit string").  The base is the middle of a 32-byte
 * array; the offset c is in -128..127.  res = hash of the array. */
static uint32_t alu_bits[8];

static uint64_t alu_hash_bits(void)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (int i = 0; i < 8; i++) {
        h = (h ^ alu_bits[i]) * 0x100000001b3ull;
    }
    return h;
}

#define ALU_BTMEM(fn, insn)                                                 \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    uintptr_t fl = *flags;                                                  \
    int32_t off = (int32_t)(int8_t)c;                                       \
                                                                            \
    alu_fill((uint8_t *)alu_dst, b);                                        \
    for (int i = 0; i < 8; i++) {                                           \
        alu_bits[i] = alu_dst[4 * i] | alu_dst[4 * i + 1] << 8 |            \
                      alu_dst[4 * i + 2] << 16 |                            \
                      (uint32_t)alu_dst[4 * i + 3] << 24;                   \
    }                                                                       \
    __asm__ volatile(ALU_PRE insn " %[off], %[m]" ALU_POST                  \
                     : [m] "+m"(alu_bits[4]), [fl] "+r"(fl)                 \
                     : [off] "r"(off) : "cc", "memory");                    \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return alu_hash_bits();                                                 \
}
ALU_BTMEM(alu_bt_mem32, "btl")
ALU_BTMEM(alu_bts_mem32, "btsl")
ALU_BTMEM(alu_btr_mem32, "btrl")
ALU_BTMEM(alu_btc_mem32, "btcl")

/* Flag instructions: lahf, sahf (AH = a), cmc, stc, clc. */
static uint64_t alu_lahf(uint64_t a, uint64_t b, uint64_t c,
                         uintptr_t *flags, uint64_t *r2)
{
    uintptr_t fl = *flags, r = a;

    __asm__ volatile(ALU_PRE "lahf" ALU_POST
                     : "+a"(r), [fl] "+r"(fl) : : "cc");
    *flags = fl;
    *r2 = 0;
    return (uint32_t)r;
}

static uint64_t alu_sahf(uint64_t a, uint64_t b, uint64_t c,
                         uintptr_t *flags, uint64_t *r2)
{
    uintptr_t fl = *flags, r = a;

    __asm__ volatile(ALU_PRE "sahf" ALU_POST
                     : "+a"(r), [fl] "+r"(fl) : : "cc");
    *flags = fl;
    *r2 = 0;
    return (uint32_t)r;
}

#define ALU_FLAGOP(fn, insn)                                                \
static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, uintptr_t *flags,    \
                   uint64_t *r2)                                            \
{                                                                           \
    uintptr_t fl = *flags;                                                  \
    __asm__ volatile(ALU_PRE insn ALU_POST : [fl] "+r"(fl) : : "cc");       \
    *flags = fl;                                                            \
    *r2 = 0;                                                                \
    return 0;                                                               \
}
ALU_FLAGOP(alu_cmc, "cmc")
ALU_FLAGOP(alu_stc, "stc")
ALU_FLAGOP(alu_clc, "clc")

/* The op table.  Its order is the op number in alu-table.h; the 64-bit
 * ops come last so that 32-bit builds simply have a shorter table. */
static const AluOpDesc alu_ops[] = {
    { "add32", alu_add32, K_ARITH, 32 },
    { "sub32", alu_sub32, K_ARITH, 32 },
    { "adc32", alu_adc32, K_ARITH, 32 },
    { "sbb32", alu_sbb32, K_ARITH, 32 },
    { "and32", alu_and32, K_LOGIC, 32 },
    { "or32", alu_or32, K_LOGIC, 32 },
    { "xor32", alu_xor32, K_LOGIC, 32 },
    { "cmp32", alu_cmp32, K_ARITH, 32 },
    { "test32", alu_test32, K_LOGIC, 32 },
    { "add8", alu_add8, K_ARITH, 8 },
    { "sub8", alu_sub8, K_ARITH, 8 },
    { "add16", alu_add16, K_ARITH, 16 },
    { "sub16", alu_sub16, K_ARITH, 16 },
    { "neg32", alu_neg32, K_ARITH, 32 },
    { "not32", alu_not32, K_KEEP, 32 },
    { "inc32", alu_inc32, K_ARITH, 32 },   /* CF preserved: still defined */
    { "dec32", alu_dec32, K_ARITH, 32 },
    { "bswap32", alu_bswap32, K_KEEP, 32 },
    { "shl32", alu_shl32, K_SHIFT, 32 },
    { "shr32", alu_shr32, K_SHIFT, 32 },
    { "sar32", alu_sar32, K_SHIFT, 32 },
    { "rol32", alu_rol32, K_ROT, 32 },
    { "ror32", alu_ror32, K_ROT, 32 },
    { "rcl32", alu_rcl32, K_ROT, 32 },
    { "rcr32", alu_rcr32, K_ROT, 32 },
    { "shld32", alu_shld32, K_SHIFT, 32 },
    { "shrd32", alu_shrd32, K_SHIFT, 32 },
    { "mul32", alu_mul32, K_MUL, 32 },
    { "imul32", alu_imul32, K_MUL, 32 },
    { "imul2_32", alu_imul2_32, K_MUL, 32 },
    { "div32", alu_div32, K_DIV, 32 },
    { "idiv32", alu_idiv32, K_IDIV, 32 },
    { "bt32", alu_bt32, K_BT, 32 },
    { "bts32", alu_bts32, K_BT, 32 },
    { "btr32", alu_btr32, K_BT, 32 },
    { "btc32", alu_btc32, K_BT, 32 },
    { "bsf32", alu_bsf32, K_BSX, 32 },
    { "bsr32", alu_bsr32, K_BSX, 32 },
    { "xadd32", alu_xadd32, K_ARITH, 32 },
    { "cmpxchg32", alu_cmpxchg32, K_ARITH, 32 },
    { "rep movsb", alu_rep_movsb, K_STR, 8 },
    { "rep movsl", alu_rep_movsl, K_STR, 32 },
    { "rep stosb", alu_rep_stosb, K_STR, 8 },
    { "repe cmpsb", alu_repe_cmpsb, K_STR, 8 },
    { "repne scasb", alu_repne_scasb, K_STR, 8 },
    { "lodsb", alu_lodsb_loop, K_STR, 8 },
    { "std rep movsb", alu_std_rep_movsb, K_STR, 8 },
    { "std repe cmpsb", alu_std_repe_cmpsb, K_STR, 8 },
    { "bt mem32", alu_bt_mem32, K_BT, 32 },
    { "bts mem32", alu_bts_mem32, K_BT, 32 },
    { "btr mem32", alu_btr_mem32, K_BT, 32 },
    { "btc mem32", alu_btc_mem32, K_BT, 32 },
    { "lahf", alu_lahf, K_KEEP, 32 },
    { "sahf", alu_sahf, K_KEEP, 32 },
    { "cmc", alu_cmc, K_KEEP, 32 },
    { "stc", alu_stc, K_KEEP, 32 },
    { "clc", alu_clc, K_KEEP, 32 },
    { "cmp32+setcc", alu_cmp_setcc32, K_ARITH, 32 },
    { "sub32+setcc", alu_sub_setcc32, K_ARITH, 32 },
    { "add32+setcc", alu_add_setcc32, K_ARITH, 32 },
    { "and32+setcc", alu_and_setcc32, K_LOGIC, 32 },
    { "popf+setcc", alu_mov_setcc32, K_ARITH, 32 },
    { "cmp8+setcc", alu_cmp_setcc8, K_ARITH, 8 },
    { "popcnt16", alu_popcnt16, K_ARITH, 16, NEED_POPCNT },
    { "popcnt32", alu_popcnt32, K_ARITH, 32, NEED_POPCNT },
    { "lzcnt16", alu_lzcnt16, K_MASK, 16, NEED_ABM, ALU_F_C | ALU_F_Z },
    { "lzcnt32", alu_lzcnt32, K_MASK, 32, NEED_ABM, ALU_F_C | ALU_F_Z },
    { "tzcnt16", alu_tzcnt16, K_MASK, 16, NEED_BMI1, ALU_F_C | ALU_F_Z },
    { "tzcnt32", alu_tzcnt32, K_MASK, 32, NEED_BMI1, ALU_F_C | ALU_F_Z },
    { "andn32", alu_andn32, K_MASK, 32, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "bextr32", alu_bextr32, K_MASK, 32, NEED_BMI1,
      ALU_F_O | ALU_F_Z | ALU_F_C },
    { "blsi32", alu_blsi32, K_MASK, 32, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "blsmsk32", alu_blsmsk32, K_MASK, 32, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "blsr32", alu_blsr32, K_MASK, 32, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "bzhi32", alu_bzhi32, K_MASK, 32, NEED_BMI2, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "pdep32", alu_pdep32, K_KEEP, 32, NEED_BMI2 },
    { "pext32", alu_pext32, K_KEEP, 32, NEED_BMI2 },
    { "sarx32", alu_sarx32, K_KEEP, 32, NEED_BMI2 },
    { "shlx32", alu_shlx32, K_KEEP, 32, NEED_BMI2 },
    { "shrx32", alu_shrx32, K_KEEP, 32, NEED_BMI2 },
    { "mulx32", alu_mulx32, K_KEEP, 32, NEED_BMI2 },
    { "rorx32", alu_rorx32, K_KEEP, 32, NEED_BMI2 },
    { "adcx32", alu_adcx32, K_KEEP, 32, NEED_ADX },
    { "adox32", alu_adox32, K_KEEP, 32, NEED_ADX },
    { "movbe16", alu_movbe16, K_KEEP, 16, NEED_MOVBE },
    { "movbe32", alu_movbe32, K_KEEP, 32, NEED_MOVBE },
    { "crc32b", alu_crc32b, K_KEEP, 32, NEED_SSE42 },
    { "crc32w", alu_crc32w, K_KEEP, 32, NEED_SSE42 },
    { "crc32l", alu_crc32l, K_KEEP, 32, NEED_SSE42 },
    { "cmpxchg8b", alu_cmpxchg8b, K_KEEP, 64, NEED_CX8 },
    { "xadd16", alu_xadd16, K_ARITH, 16 },
    { "shl16", alu_shl16, K_SHIFT, 16 },
    { "sar16", alu_sar16, K_SHIFT, 16 },
    { "shl8", alu_shl8, K_SHIFT, 8 },
    { "shld16", alu_shld16, K_SHIFT, 16 },    /* counts 0..16 (mod 32) */
    { "shrd16", alu_shrd16, K_SHIFT, 16 },
    { "daa", alu_daa, K_MASK, 16, NEED_NONE, ALU_F_ALL & ~ALU_F_O,
      alu_daa_model },
    { "das", alu_das, K_MASK, 16, NEED_NONE, ALU_F_ALL & ~ALU_F_O,
      alu_das_model },
    { "aaa", alu_aaa, K_MASK, 16, NEED_NONE, ALU_F_A | ALU_F_C,
      alu_aaa_model },
    { "aas", alu_aas, K_MASK, 16, NEED_NONE, ALU_F_A | ALU_F_C,
      alu_aas_model },
    { "aam", alu_aam10, K_MASK, 16, NEED_NONE,
      ALU_F_S | ALU_F_Z | ALU_F_P, alu_aam10_model },
    { "aam 16", alu_aam16, K_MASK, 16, NEED_NONE,
      ALU_F_S | ALU_F_Z | ALU_F_P, alu_aam16_model },
    { "aad", alu_aad10, K_MASK, 16, NEED_NONE,
      ALU_F_S | ALU_F_Z | ALU_F_P, alu_aad10_model },
    { "aad 7", alu_aad7, K_MASK, 16, NEED_NONE,
      ALU_F_S | ALU_F_Z | ALU_F_P, alu_aad7_model },
#ifdef __x86_64__
    { "add64", alu_add64, K_ARITH, 64 },
    { "sub64", alu_sub64, K_ARITH, 64 },
    { "adc64", alu_adc64, K_ARITH, 64 },
    { "sbb64", alu_sbb64, K_ARITH, 64 },
    { "and64", alu_and64, K_LOGIC, 64 },
    { "or64", alu_or64, K_LOGIC, 64 },
    { "xor64", alu_xor64, K_LOGIC, 64 },
    { "cmp64", alu_cmp64, K_ARITH, 64 },
    { "neg64", alu_neg64, K_ARITH, 64 },
    { "inc64", alu_inc64, K_ARITH, 64 },
    { "dec64", alu_dec64, K_ARITH, 64 },
    { "bswap64", alu_bswap64, K_KEEP, 64 },
    { "shl64", alu_shl64, K_SHIFT, 64 },
    { "shr64", alu_shr64, K_SHIFT, 64 },
    { "sar64", alu_sar64, K_SHIFT, 64 },
    { "rol64", alu_rol64, K_ROT, 64 },
    { "ror64", alu_ror64, K_ROT, 64 },
    { "rcl64", alu_rcl64, K_ROT, 64 },
    { "rcr64", alu_rcr64, K_ROT, 64 },
    { "shld64", alu_shld64, K_SHIFT, 64 },
    { "shrd64", alu_shrd64, K_SHIFT, 64 },
    { "mul64", alu_mul64, K_MUL, 64 },
    { "imul64", alu_imul64, K_MUL, 64 },
    { "imul2_64", alu_imul2_64, K_MUL, 64 },
    { "div64", alu_div64, K_DIV, 64 },
    { "idiv64", alu_idiv64, K_IDIV, 64 },
    { "bt64", alu_bt64, K_BT, 64 },
    { "bts64", alu_bts64, K_BT, 64 },
    { "btr64", alu_btr64, K_BT, 64 },
    { "btc64", alu_btc64, K_BT, 64 },
    { "bsf64", alu_bsf64, K_BSX, 64 },
    { "bsr64", alu_bsr64, K_BSX, 64 },
    { "xadd64", alu_xadd64, K_ARITH, 64 },
    { "cmpxchg64", alu_cmpxchg64, K_ARITH, 64 },
    { "cmp64+setcc", alu_cmp_setcc64, K_ARITH, 64 },
    { "sub64+setcc", alu_sub_setcc64, K_ARITH, 64 },
    { "popcnt64", alu_popcnt64, K_ARITH, 64, NEED_POPCNT },
    { "lzcnt64", alu_lzcnt64, K_MASK, 64, NEED_ABM, ALU_F_C | ALU_F_Z },
    { "tzcnt64", alu_tzcnt64, K_MASK, 64, NEED_BMI1, ALU_F_C | ALU_F_Z },
    { "andn64", alu_andn64, K_MASK, 64, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "bextr64", alu_bextr64, K_MASK, 64, NEED_BMI1,
      ALU_F_O | ALU_F_Z | ALU_F_C },
    { "blsi64", alu_blsi64, K_MASK, 64, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "blsmsk64", alu_blsmsk64, K_MASK, 64, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "blsr64", alu_blsr64, K_MASK, 64, NEED_BMI1, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "bzhi64", alu_bzhi64, K_MASK, 64, NEED_BMI2, (ALU_F_O | ALU_F_S | ALU_F_Z | ALU_F_C) },
    { "pdep64", alu_pdep64, K_KEEP, 64, NEED_BMI2 },
    { "pext64", alu_pext64, K_KEEP, 64, NEED_BMI2 },
    { "sarx64", alu_sarx64, K_KEEP, 64, NEED_BMI2 },
    { "shlx64", alu_shlx64, K_KEEP, 64, NEED_BMI2 },
    { "shrx64", alu_shrx64, K_KEEP, 64, NEED_BMI2 },
    { "mulx64", alu_mulx64, K_KEEP, 64, NEED_BMI2 },
    { "rorx64", alu_rorx64, K_KEEP, 64, NEED_BMI2 },
    { "adcx64", alu_adcx64, K_KEEP, 64, NEED_ADX },
    { "adox64", alu_adox64, K_KEEP, 64, NEED_ADX },
    { "movbe64", alu_movbe64, K_KEEP, 64, NEED_MOVBE },
    { "crc32q", alu_crc32q, K_KEEP, 64, NEED_SSE42 },
    { "cmpxchg16b", alu_cmpxchg16b, K_KEEP, 64, NEED_CX16 },
#endif
};
#define ALU_NR_OPS ((int)(sizeof(alu_ops) / sizeof(alu_ops[0])))

/*
 * The flags the SDM defines after OP with count/inputs a, b, c (SDM Vol 2,
 * each instruction's "Flags Affected").  A flag the instruction leaves
 * unaffected is defined: it must keep its input value.
 */
static inline uint16_t alu_flags_mask(const AluOpDesc *op, uint64_t a, uint64_t b,
                               uint64_t c)
{
    unsigned cnt = c & (op->width == 64 ? 63 : 31);

    switch (op->kind) {
    case K_ARITH:
    case K_KEEP:
    case K_STR:
        return ALU_F_ALL;
    case K_LOGIC:
        return ALU_F_ALL & ~ALU_F_A;
    case K_SHIFT:
        return cnt == 0 ? ALU_F_ALL
             : cnt == 1 ? (ALU_F_ALL & ~ALU_F_A)
             : (ALU_F_S | ALU_F_Z | ALU_F_P | ALU_F_C);
    case K_ROT:
        return cnt == 0 ? ALU_F_ALL
             : cnt == 1 ? ALU_F_ALL : (ALU_F_ALL & ~ALU_F_O);
    case K_MUL:
        return ALU_F_O | ALU_F_C;
    case K_DIV:
    case K_IDIV:
        return 0;
    case K_BT:
        /* SDM: CF = the bit, ZF unaffected, OF/SF/AF/PF undefined. */
        return ALU_F_C | ALU_F_Z;
    case K_BSX:
        return ALU_F_Z;
    case K_MASK:
        return op->fmask;
    }
    return 0;
}

#endif
