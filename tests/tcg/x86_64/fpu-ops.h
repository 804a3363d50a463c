/*
 * fpu-ops.h: the x87, MMX, SSE..SSE4.2 instructions the FPU guest test
 * checks, as small inline-asm executors shared by two programs:
 *   - gen-fpu.c, a HOST program, runs every case natively and writes a
 *     hash of each case's results (fpu-table.h);
 *   - fpu.c, the GUEST program, runs the same executors under the
 *     emulator and compares the hashes.
 * The inputs of case i of op k come from a deterministic generator in this
 * header (fpu_case_inputs), so both programs see the same operands and the
 * table holds only one 32-bit hash per case; `gen-fpu dump OP I` prints
 * the host's full result for a case when the guest reports a mismatch.
 *
 * Operands are over-representing special values: zeros, infinities,
 * QNaN/SNaN with payloads, denormals, min/max normals, values near 1,
 * integers near the conversion limits, x87 unnormals and pseudo-denormals.
 * x87 cases run with a random rounding and precision control (all
 * exceptions masked, except for the *_unm ops, which unmask OE and UE and
 * read the state back with FNSAVE); SSE cases with a random MXCSR
 * rounding mode, DAZ and FTZ (all exceptions masked).
 *
 * An executor gets 32-byte inputs a, b, the control word (FCW or MXCSR)
 * and c (extra integer input: EAX/EDX lengths for PCMPESTR), and fills
 * FpuOut: 32 bytes of results, the status word (FSW or MXCSR) and EFLAGS.
 * Compared: all result bytes, the status word under the op's mask, EFLAGS
 * OSZAPC for the ops that write it.
 *
 * The guest build uses -mgeneral-regs-only, so the executors name the
 * x87/MMX/XMM registers only inside asm and declare no vector clobbers
 * there (FPU_CLOBBERS is empty: the guest's compiled code never uses
 * them); the host build declares them.
 */
#ifndef FPU_OPS_H
#define FPU_OPS_H

#include <stdint.h>
#include <stdbool.h>

#ifdef FPU_HOST
#define FPU_CLOBBERS , "xmm0", "xmm1", "xmm2", "st", "st(1)", "st(2)", \
    "st(3)", "st(4)", "st(5)", "st(6)", "st(7)", "mm0", "mm1"
#else
#define FPU_CLOBBERS
#endif

typedef struct FpuOut {
    uint8_t r[32];
    uint32_t st;            /* FSW (x87) or MXCSR (SSE) after the op */
    uint32_t fl;            /* EFLAGS after the op (if FPU_F_EFLAGS) */
} FpuOut;

typedef struct FpuIn {
    uint8_t a[32] __attribute__((aligned(16)));
    uint8_t b[32] __attribute__((aligned(16)));
    uint32_t ctl;
    uint64_t c;
} FpuIn;

typedef void FpuExec(const FpuIn *in, FpuOut *o);

/* What the inputs are (lanes and format), and what is compared. */
enum {
    FPU_IN_F80,     /* a, b: floatx80 */
    FPU_IN_F32,     /* a, b: 4 x float32 */
    FPU_IN_F64,     /* 2 x float64 */
    FPU_IN_INT,     /* integer lanes with edge values */
    FPU_IN_I16,     /* a: int16 (FILD m16, FIADD m16 in b) */
    FPU_IN_I32,
    FPU_IN_I64,
    FPU_IN_BCD,     /* a: packed BCD (FBLD) */
    FPU_IN_STR,     /* strings with embedded zeros, for PCMPxSTRx */
    FPU_IN_TRIG,    /* floatx80 of moderate magnitude */
    FPU_IN_RAND,    /* a, b: 16 random bytes each (AES states, keys) */
    FPU_IN_F80X,    /* floatx80 near the ends of the exponent range and
                       the float32/float64 edges (x87 with OE/UE unmasked) */
};

enum {
    FPU_X87 = 1u << 0,      /* ctl is an FCW, st an FSW */
    FPU_F_EFLAGS = 1u << 1, /* compare OSZAPC */
    FPU_CC = 1u << 2,       /* compare C0, C2, C3 (besides C1) */
    FPU_NO_C1 = 1u << 3,    /* C1 undefined */
    FPU_SSE4 = 1u << 4,     /* needs SSE4.1 (CPUID.1:ECX[19]) */
    FPU_SSE42 = 1u << 5,    /* needs SSE4.2 (bit 20) */
    FPU_SSSE3 = 1u << 6,    /* bit 9 */
    FPU_SSE3 = 1u << 7,     /* bit 0 */
    FPU_PCLMUL = 1u << 8,   /* bit 1 */
    FPU_64 = 1u << 9,       /* 64-bit builds only */
    FPU_HOSTDEP = 1u << 10, /* implementation-specific (RCP/RSQRT,
                               transcendentals): the reference emulator
                               may differ from hardware */
    FPU_AES = 1u << 11,     /* AES-NI (CPUID.1:ECX[25]) */
};

typedef struct FpuOpDesc {
    const char *name;
    FpuExec *exec;
    uint8_t in;             /* FPU_IN_* */
    uint16_t flags;
} FpuOpDesc;

/* ------------------------------------------------------------------ */
/* x87 executors                                                       */

/* fninit, FCW = ctl, push b then a: ST0 = a, ST1 = b. */
#define X87_PRE "fninit\n\tfldcw %[ctl]\n\tfldt %[b]\n\tfldt %[a]\n\t"
/* FSW, then ST0 and ST1 stored as 10-byte values, stack emptied. */
#define X87_POST "\n\tfnstsw %[st]\n\tfstpt %[r0]\n\tfstpt %[r1]\n\tfninit"
#define X87_IO [a] "m"(*(const uint8_t (*)[10])in->a), \
               [b] "m"(*(const uint8_t (*)[10])in->b), [ctl] "m"(in->ctl)
#define X87_OUT [st] "=m"(sw), \
                [r0] "=m"(*(uint8_t (*)[10])o->r), \
                [r1] "=m"(*(uint8_t (*)[10])(o->r + 16))

/* Register forms: INSN with ST0 = a, ST1 = b. */
#define X87_REG(fn, insn)                                                   \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint16_t sw;                                                            \
    __asm__ volatile(X87_PRE insn X87_POST                                  \
                     : X87_OUT : X87_IO : "memory" FPU_CLOBBERS);            \
    o->st = sw;                                                             \
}

/* ST0 = the floatx80 at a + 16; INSN with memory operand b. */
#define X87_MEM(fn, insn)                                                   \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint16_t sw;                                                            \
    __asm__ volatile("fninit\n\tfldcw %[ctl]\n\tfldz\n\tfldt %[x]\n\t"      \
                     insn " %[m]" X87_POST                                  \
                     : X87_OUT : X87_IO, [m] "m"(*(const uint8_t (*)[10])in->b), \
                       [x] "m"(*(const uint8_t (*)[10])(in->a + 16))        \
                     : "memory" FPU_CLOBBERS);                              \
    o->st = sw;                                                             \
}

/* Load from memory a (INSN m), then store ST0/ST1. */
#define X87_LOAD(fn, insn)                                                  \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint16_t sw;                                                            \
    __asm__ volatile("fninit\n\tfldcw %[ctl]\n\tfldz\n\t" insn " %[a]"      \
                     X87_POST : X87_OUT : X87_IO : "memory" FPU_CLOBBERS);  \
    o->st = sw;                                                             \
}

/* Store ST0 = a to memory (INSN m), FSW, then what is left. */
#define X87_STORE(fn, insn)                                                 \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint16_t sw;                                                            \
    __asm__ volatile("fninit\n\tfldcw %[ctl]\n\tfldz\n\tfldt %[a]\n\t"      \
                     insn " %[m]\n\tfnstsw %[st]\n\tfninit"                 \
                     : [st] "=m"(sw),                                       \
                       [m] "=m"(*(uint8_t (*)[10])o->r) : X87_IO            \
                     : "memory" FPU_CLOBBERS);                              \
    o->st = sw;                                                             \
}

/* FCOMI family: EFLAGS too. */
#define X87_FLAGS(fn, insn)                                                 \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint16_t sw;                                                            \
    uintptr_t fl;                                                           \
    __asm__ volatile(X87_PRE insn "\n\tpushf\n\tpop %[fl]" X87_POST         \
                     : X87_OUT, [fl] "=r"(fl) : X87_IO                      \
                     : "memory", "cc" FPU_CLOBBERS);                        \
    o->fl = fl;                                                             \
    o->st = sw;                                                             \
}

X87_REG(x_fadd, "fadd %%st(1), %%st")
X87_REG(x_fsub, "fsub %%st(1), %%st")
X87_REG(x_fsubr, "fsubr %%st(1), %%st")
X87_REG(x_fmul, "fmul %%st(1), %%st")
X87_REG(x_fdiv, "fdiv %%st(1), %%st")
X87_REG(x_fdivr, "fdivr %%st(1), %%st")
X87_REG(x_faddp, "faddp")
X87_REG(x_fsubp_st1, "fsubrp")
X87_REG(x_fdivp_st1, "fdivrp")
X87_REG(x_fsqrt, "fsqrt")
X87_REG(x_frndint, "frndint")
X87_REG(x_fscale, "fscale")
X87_REG(x_fprem, "fprem")
X87_REG(x_fprem1, "fprem1")
X87_REG(x_fxtract, "fxtract")
X87_REG(x_fchs, "fchs")
X87_REG(x_fabs, "fabs")
X87_REG(x_ftst, "ftst")
X87_REG(x_fxam, "fxam")
X87_REG(x_fcom, "fcom %%st(1)")
X87_REG(x_fcomp, "fcomp %%st(1)")
X87_REG(x_fucom, "fucom %%st(1)")
X87_REG(x_fucompp, "fucompp\n\tfldz\n\tfldz")
X87_REG(x_fxch, "fxch %%st(1)")
X87_REG(x_fsin, "fsin")
X87_REG(x_fcos, "fcos")
X87_REG(x_fsincos, "fsincos")
X87_REG(x_fptan, "fptan")
X87_REG(x_fpatan, "fpatan\n\tfldz")
X87_REG(x_f2xm1, "f2xm1")
X87_REG(x_fyl2x, "fyl2x\n\tfldz")
X87_REG(x_fyl2xp1, "fyl2xp1\n\tfldz")
X87_REG(x_fldpi, "fldpi")
X87_REG(x_fldl2e, "fldl2e")
X87_REG(x_fldl2t, "fldl2t")
X87_REG(x_fldlg2, "fldlg2")
X87_REG(x_fldln2, "fldln2")
X87_REG(x_fld1, "fld1")
X87_REG(x_fldst1, "fld %%st(1)")
X87_REG(x_fstst1, "fst %%st(1)")
X87_MEM(x_fadds, "fadds")
X87_MEM(x_fmull, "fmull")
X87_MEM(x_fdivrs, "fdivrs")
X87_MEM(x_fsubl, "fsubl")
X87_MEM(x_fiaddl, "fiaddl")
X87_MEM(x_fisubs, "fisubs")
X87_MEM(x_fcoms, "fcoms")
X87_MEM(x_fcompl, "fcompl")
X87_LOAD(x_flds, "flds")
X87_LOAD(x_fldl, "fldl")
X87_LOAD(x_fldt, "fldt")
X87_LOAD(x_filds, "filds")
X87_LOAD(x_fildl, "fildl")
X87_LOAD(x_fildll, "fildll")
X87_LOAD(x_fbld, "fbld")
X87_STORE(x_fsts, "fsts")
X87_STORE(x_fstpl, "fstpl")
X87_STORE(x_fstpt, "fstpt")
X87_STORE(x_fists, "fists")
X87_STORE(x_fistpl, "fistpl")
X87_STORE(x_fistpll, "fistpll")
X87_STORE(x_fisttps, "fisttps")
X87_STORE(x_fisttpl, "fisttpl")
X87_STORE(x_fisttpll, "fisttpll")
X87_STORE(x_fbstp, "fbstp")
/*
 * OE and UE unmasked (also PE when bit 0 of c is set; IE, DE, ZE stay
 * masked): a result for an x87 register is wrapped by 2^24576 (SDM Vol 1
 * 4.9.1.4-5), a store to memory writes nothing.  ES is then pending, so
 * the state is read back with FNSAVE, which neither waits nor traps and
 * reinitialises the FPU: ST0 -> r[0..9], ST1 -> r[16..25], the FSW.
 * The MEM form's 10-byte memory operand starts as b; what is left of it
 * afterwards goes to r[26..31] (bytes 0-5) and r[10..13] (bytes 6-9).
 */
#define X87_UNM_CW(in) ((uint16_t)((in)->ctl & ~(((in)->c & 1) ? 0x38u : 0x18u)))

static inline void x87_unm_out(const uint8_t *sv, FpuOut *o)
{
    for (int k = 0; k < 10; k++) {
        o->r[k] = sv[28 + k];
        o->r[16 + k] = sv[38 + k];
    }
    o->st = (uint32_t)sv[4] | (uint32_t)sv[5] << 8;
}

#define X87_UNM(fn, insn)                                                   \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint8_t sv[108];                                                        \
    uint16_t cw = X87_UNM_CW(in);                                           \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"  \
                     insn "\n\tfnsave %[sv]"                                \
                     : [sv] "=m"(sv)                                        \
                     : [a] "m"(*(const uint8_t (*)[10])in->a),              \
                       [b] "m"(*(const uint8_t (*)[10])in->b), [cw] "m"(cw) \
                     : "memory" FPU_CLOBBERS);                              \
    x87_unm_out(sv, o);                                                     \
}

/* ST0 = a (ST1 = 0); INSN with memory operand b (loads) or the memory
 * destination m (stores). */
#define X87_UNM_MEM(fn, insn)                                               \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uint8_t sv[108], m[10];                                                 \
    uint16_t cw = X87_UNM_CW(in);                                           \
    for (int k = 0; k < 10; k++) {                                          \
        m[k] = in->b[k];                                                    \
    }                                                                       \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldz\n\tfldt %[a]\n\t"       \
                     insn " %[m]\n\tfnsave %[sv]"                           \
                     : [sv] "=m"(sv), [m] "+m"(m)                           \
                     : [a] "m"(*(const uint8_t (*)[10])in->a), [cw] "m"(cw) \
                     : "memory" FPU_CLOBBERS);                              \
    x87_unm_out(sv, o);                                                     \
    for (int k = 0; k < 6; k++) {                                           \
        o->r[26 + k] = m[k];                                                \
    }                                                                       \
    for (int k = 0; k < 4; k++) {                                           \
        o->r[10 + k] = m[6 + k];                                            \
    }                                                                       \
}

X87_UNM(u_fadd, "fadd %%st(1), %%st")
X87_UNM(u_fsub, "fsub %%st(1), %%st")
X87_UNM(u_fsubr, "fsubr %%st(1), %%st")
X87_UNM(u_fmul, "fmul %%st(1), %%st")
X87_UNM(u_fdiv, "fdiv %%st(1), %%st")
X87_UNM(u_fdivr, "fdivr %%st(1), %%st")
X87_UNM(u_fmulp, "fmulp")
X87_UNM(u_fdivrp, "fdivrp")
X87_UNM(u_fsqrt, "fsqrt")
X87_UNM(u_fscale, "fscale")
X87_UNM(u_fprem, "fprem")
X87_UNM(u_fprem1, "fprem1")
X87_UNM(u_fxtract, "fxtract")
X87_UNM(u_fyl2x, "fyl2x")
X87_UNM(u_fpatan, "fpatan")
X87_UNM(u_f2xm1, "f2xm1")
X87_UNM(u_fst1, "fst %%st(1)")
X87_UNM_MEM(u_fmull, "fmull")
X87_UNM_MEM(u_fdivs, "fdivs")
X87_UNM_MEM(u_fadds, "fadds")
X87_UNM_MEM(u_fsts, "fsts")
X87_UNM_MEM(u_fstps, "fstps")
X87_UNM_MEM(u_fstl, "fstl")
X87_UNM_MEM(u_fstpl, "fstpl")
X87_UNM_MEM(u_fstpt, "fstpt")
X87_UNM_MEM(u_fistl, "fistl")

X87_FLAGS(x_fcomi, "fcomi %%st(1), %%st")
X87_FLAGS(x_fucomi, "fucomi %%st(1), %%st")
X87_FLAGS(x_fucomip, "fucomip %%st(1), %%st\n\tfldz")

/* ------------------------------------------------------------------ */
/* SSE executors                                                       */

#define SSE_PRE "ldmxcsr %[ctl]\n\tmovups %[a], %%xmm0\n\tmovups %[b], %%xmm1\n\t"
#define SSE_POST "\n\tmovups %%xmm0, %[r]\n\tstmxcsr %[st]"
#define SSE_IO [a] "m"(*(const uint8_t (*)[16])in->a), \
               [b] "m"(*(const uint8_t (*)[16])in->b), [ctl] "m"(in->ctl)
#define SSE_OUT [r] "=m"(*(uint8_t (*)[16])o->r), [st] "=m"(o->st)

/* xmm0 = a, xmm1 = b; INSN (AT&T operand order written by the caller). */
#define SSE_OP(fn, insn)                                                    \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    __asm__ volatile(SSE_PRE insn SSE_POST : SSE_OUT : SSE_IO               \
                     : "memory" FPU_CLOBBERS);                              \
}

/* Binary op, register source. */
#define SSE_RR(fn, insn) SSE_OP(fn, insn " %%xmm1, %%xmm0")
/* Binary op, memory source (b). */
#define SSE_RM(fn, insn) SSE_OP(fn, insn " %[b], %%xmm0")

/* Ops that write EFLAGS. */
#define SSE_FLAGS(fn, insn)                                                 \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uintptr_t fl;                                                           \
    __asm__ volatile(SSE_PRE insn "\n\tpushf\n\tpop %[fl]" SSE_POST         \
                     : SSE_OUT, [fl] "=r"(fl) : SSE_IO                      \
                     : "memory", "cc" FPU_CLOBBERS);                        \
    o->fl = fl;                                                             \
}

/* Ops with a GPR result: INSN xmm1 (or xmm0), %[g]. */
#define SSE_GPR(fn, insn, T)                                                \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    T g = (T)0x5555555555555555ull;                                         \
    __asm__ volatile(SSE_PRE insn SSE_POST : SSE_OUT, [g] "+r"(g) : SSE_IO  \
                     : "memory" FPU_CLOBBERS);                              \
    *(T *)(o->r + 16) = g;                                                  \
}

/* Ops with a GPR source (c): INSN %[g], %%xmm0. */
#define SSE_FROMGPR(fn, insn, T)                                            \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    T g = (T)in->c;                                                         \
    __asm__ volatile(SSE_PRE insn SSE_POST : SSE_OUT : SSE_IO, [g] "r"(g)   \
                     : "memory" FPU_CLOBBERS);                              \
}

/* PCMPESTRx: EAX, EDX from c; ECX, EFLAGS and XMM0 out. */
#define SSE_STR(fn, insn)                                                   \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    uintptr_t fl;                                                           \
    uint32_t cx = 0x55555555;                                               \
    __asm__ volatile(SSE_PRE insn "\n\tpushf\n\tpop %[fl]" SSE_POST         \
                     : SSE_OUT, [fl] "=r"(fl), "+c"(cx)                     \
                     : SSE_IO, "a"((uint32_t)in->c),                        \
                       "d"((uint32_t)(in->c >> 32))                         \
                     : "memory", "cc" FPU_CLOBBERS);                        \
    o->fl = fl;                                                             \
    *(uint32_t *)(o->r + 16) = cx;                                          \
}

/* MMX: mm0 = a, mm1 = b, INSN, result from mm0; EMMS. */
#define MMX_OP(fn, insn)                                                    \
static void fn(const FpuIn *in, FpuOut *o)                                  \
{                                                                           \
    __asm__ volatile("ldmxcsr %[ctl]\n\tmovq %[a], %%mm0\n\t"               \
                     "movq %[b], %%mm1\n\tmovups %[a], %%xmm0\n\t"          \
                     "movups %[b], %%xmm1\n\t" insn                         \
                     "\n\tmovq %%mm0, %[r]\n\tmovups %%xmm0, %[r2]\n\t"     \
                     "stmxcsr %[st]\n\temms"                                \
                     : [r] "=m"(*(uint8_t (*)[8])o->r),                     \
                       [r2] "=m"(*(uint8_t (*)[16])(o->r + 16)),            \
                       [st] "=m"(o->st) : SSE_IO : "memory" FPU_CLOBBERS);  \
}

SSE_RR(s_addps, "addps") SSE_RR(s_addpd, "addpd")
SSE_RR(s_addss, "addss") SSE_RR(s_addsd, "addsd")
SSE_RR(s_subps, "subps") SSE_RR(s_subpd, "subpd")
SSE_RR(s_subss, "subss") SSE_RR(s_subsd, "subsd")
SSE_RR(s_mulps, "mulps") SSE_RR(s_mulpd, "mulpd")
SSE_RR(s_mulss, "mulss") SSE_RR(s_mulsd, "mulsd")
SSE_RR(s_divps, "divps") SSE_RR(s_divpd, "divpd")
SSE_RR(s_divss, "divss") SSE_RR(s_divsd, "divsd")
SSE_RR(s_minps, "minps") SSE_RR(s_minpd, "minpd")
SSE_RR(s_minss, "minss") SSE_RR(s_minsd, "minsd")
SSE_RR(s_maxps, "maxps") SSE_RR(s_maxpd, "maxpd")
SSE_RR(s_maxss, "maxss") SSE_RR(s_maxsd, "maxsd")
SSE_RR(s_sqrtps, "sqrtps") SSE_RR(s_sqrtpd, "sqrtpd")
SSE_RR(s_sqrtss, "sqrtss") SSE_RR(s_sqrtsd, "sqrtsd")
SSE_RR(s_rcpps, "rcpps") SSE_RR(s_rsqrtps, "rsqrtps")
SSE_RR(s_rcpss, "rcpss") SSE_RR(s_rsqrtss, "rsqrtss")
SSE_RR(s_cmpltps, "cmpltps") SSE_RR(s_cmpunordps, "cmpunordps")
SSE_RR(s_cmpnleps, "cmpnleps") SSE_RR(s_cmpeqpd, "cmpeqpd")
SSE_RR(s_cmpneqpd, "cmpneqpd") SSE_RR(s_cmpordsd, "cmpordsd")
SSE_RR(s_cmpless, "cmpless") SSE_RR(s_cmpnltsd, "cmpnltsd")
SSE_RR(s_andps, "andps") SSE_RR(s_andnpd, "andnpd")
SSE_RR(s_orps, "orps") SSE_RR(s_xorpd, "xorpd")
SSE_RR(s_unpcklps, "unpcklps") SSE_RR(s_unpckhpd, "unpckhpd")
SSE_OP(s_shufps, "shufps $0x1b, %%xmm1, %%xmm0")
SSE_OP(s_shufpd, "shufpd $2, %%xmm1, %%xmm0")
SSE_RR(s_movss, "movss") SSE_RR(s_movsd, "movsd")
SSE_RR(s_movhlps, "movhlps") SSE_RR(s_movlhps, "movlhps")
SSE_RM(s_movlps_m, "movlps") SSE_RM(s_movhpd_m, "movhpd")
SSE_RR(s_cvtps2pd, "cvtps2pd") SSE_RR(s_cvtpd2ps, "cvtpd2ps")
SSE_RR(s_cvtss2sd, "cvtss2sd") SSE_RR(s_cvtsd2ss, "cvtsd2ss")
SSE_RR(s_cvtdq2ps, "cvtdq2ps") SSE_RR(s_cvtps2dq, "cvtps2dq")
SSE_RR(s_cvttps2dq, "cvttps2dq") SSE_RR(s_cvtpd2dq, "cvtpd2dq")
SSE_RR(s_cvttpd2dq, "cvttpd2dq") SSE_RR(s_cvtdq2pd, "cvtdq2pd")
SSE_RM(s_addps_m, "addps") SSE_RM(s_mulsd_m, "mulsd")
SSE_RM(s_cvtss2sd_m, "cvtss2sd") SSE_RM(s_sqrtss_m, "sqrtss")
SSE_RM(s_movss_m, "movss") SSE_RM(s_movddup_m, "movddup")
SSE_RR(s_haddps, "haddps") SSE_RR(s_haddpd, "haddpd")
SSE_RR(s_hsubps, "hsubps") SSE_RR(s_hsubpd, "hsubpd")
SSE_RR(s_addsubps, "addsubps") SSE_RR(s_addsubpd, "addsubpd")
SSE_RR(s_movsldup, "movsldup") SSE_RR(s_movshdup, "movshdup")
SSE_OP(s_roundps, "roundps $4, %%xmm1, %%xmm0")
SSE_OP(s_roundpd9, "roundpd $9, %%xmm1, %%xmm0")
SSE_OP(s_roundss1, "roundss $1, %%xmm1, %%xmm0")
SSE_OP(s_roundsd2, "roundsd $2, %%xmm1, %%xmm0")
SSE_OP(s_roundsd11, "roundsd $11, %%xmm1, %%xmm0")
SSE_OP(s_dpps, "dpps $0xf3, %%xmm1, %%xmm0")
SSE_OP(s_dpps2, "dpps $0x5a, %%xmm1, %%xmm0")
SSE_OP(s_dppd, "dppd $0x31, %%xmm1, %%xmm0")
SSE_OP(s_insertps, "insertps $0x5a, %%xmm1, %%xmm0")
SSE_OP(s_blendps, "blendps $5, %%xmm1, %%xmm0")
SSE_OP(s_blendpd, "blendpd $2, %%xmm1, %%xmm0")
SSE_OP(s_blendvps, "blendvps %%xmm0, %%xmm1, %%xmm0")
SSE_OP(s_blendvpd, "blendvpd %%xmm0, %%xmm1, %%xmm0")
SSE_OP(s_pblendvb, "pblendvb %%xmm0, %%xmm1, %%xmm0")
SSE_FLAGS(s_comiss, "comiss %%xmm1, %%xmm0")
SSE_FLAGS(s_ucomiss, "ucomiss %%xmm1, %%xmm0")
SSE_FLAGS(s_comisd, "comisd %%xmm1, %%xmm0")
SSE_FLAGS(s_ucomisd, "ucomisd %%xmm1, %%xmm0")
SSE_FLAGS(s_ptest, "ptest %%xmm1, %%xmm0")
SSE_GPR(s_cvtss2si, "cvtss2si %%xmm1, %[g]", int32_t)
SSE_GPR(s_cvttss2si, "cvttss2si %%xmm1, %[g]", int32_t)
SSE_GPR(s_cvtsd2si, "cvtsd2si %%xmm1, %[g]", int32_t)
SSE_GPR(s_cvttsd2si, "cvttsd2si %%xmm1, %[g]", int32_t)
SSE_GPR(s_movmskps, "movmskps %%xmm1, %[g]", uint32_t)
SSE_GPR(s_movmskpd, "movmskpd %%xmm1, %[g]", uint32_t)
SSE_GPR(s_pmovmskb, "pmovmskb %%xmm1, %[g]", uint32_t)
SSE_GPR(s_pextrw, "pextrw $5, %%xmm1, %[g]", uint32_t)
SSE_GPR(s_pextrb, "pextrb $13, %%xmm1, %[g]", uint32_t)
SSE_GPR(s_pextrd, "pextrd $2, %%xmm1, %[g]", uint32_t)
SSE_GPR(s_extractps, "extractps $3, %%xmm1, %[g]", uint32_t)
SSE_GPR(s_movd_to, "movd %%xmm1, %[g]", uint32_t)
SSE_FROMGPR(s_cvtsi2ss, "cvtsi2ss %[g], %%xmm0", int32_t)
SSE_FROMGPR(s_cvtsi2sd, "cvtsi2sd %[g], %%xmm0", int32_t)
SSE_FROMGPR(s_pinsrw, "pinsrw $3, %[g], %%xmm0", uint32_t)
SSE_FROMGPR(s_pinsrb, "pinsrb $9, %[g], %%xmm0", uint32_t)
SSE_FROMGPR(s_pinsrd, "pinsrd $1, %[g], %%xmm0", uint32_t)
SSE_FROMGPR(s_movd_from, "movd %[g], %%xmm0", uint32_t)
#ifdef __x86_64__
SSE_GPR(s_cvtss2si64, "cvtss2si %%xmm1, %[g]", int64_t)
SSE_GPR(s_cvttsd2si64, "cvttsd2si %%xmm1, %[g]", int64_t)
SSE_GPR(s_pextrq, "pextrq $1, %%xmm1, %[g]", uint64_t)
SSE_FROMGPR(s_cvtsi2sd64, "cvtsi2sdq %[g], %%xmm0", int64_t)
SSE_FROMGPR(s_cvtsi2ss64, "cvtsi2ssq %[g], %%xmm0", int64_t)
SSE_FROMGPR(s_pinsrq, "pinsrq $1, %[g], %%xmm0", uint64_t)
SSE_FROMGPR(s_movq_from, "movq %[g], %%xmm0", uint64_t)
#endif

/* SSE2 integer */
SSE_RR(s_paddb, "paddb") SSE_RR(s_paddw, "paddw")
SSE_RR(s_paddd, "paddd") SSE_RR(s_paddq, "paddq")
SSE_RR(s_psubb, "psubb") SSE_RR(s_psubw, "psubw")
SSE_RR(s_psubd, "psubd") SSE_RR(s_psubq, "psubq")
SSE_RR(s_paddsb, "paddsb") SSE_RR(s_paddsw, "paddsw")
SSE_RR(s_paddusb, "paddusb") SSE_RR(s_paddusw, "paddusw")
SSE_RR(s_psubsb, "psubsb") SSE_RR(s_psubsw, "psubsw")
SSE_RR(s_psubusb, "psubusb") SSE_RR(s_psubusw, "psubusw")
SSE_RR(s_pcmpeqb, "pcmpeqb") SSE_RR(s_pcmpeqw, "pcmpeqw")
SSE_RR(s_pcmpeqd, "pcmpeqd") SSE_RR(s_pcmpgtb, "pcmpgtb")
SSE_RR(s_pcmpgtw, "pcmpgtw") SSE_RR(s_pcmpgtd, "pcmpgtd")
SSE_RR(s_pminub, "pminub") SSE_RR(s_pmaxub, "pmaxub")
SSE_RR(s_pminsw, "pminsw") SSE_RR(s_pmaxsw, "pmaxsw")
SSE_RR(s_pavgb, "pavgb") SSE_RR(s_pavgw, "pavgw")
SSE_RR(s_pmullw, "pmullw") SSE_RR(s_pmulhw, "pmulhw")
SSE_RR(s_pmulhuw, "pmulhuw") SSE_RR(s_pmuludq, "pmuludq")
SSE_RR(s_pmaddwd, "pmaddwd") SSE_RR(s_psadbw, "psadbw")
SSE_RR(s_packsswb, "packsswb") SSE_RR(s_packssdw, "packssdw")
SSE_RR(s_packuswb, "packuswb")
SSE_RR(s_punpcklbw, "punpcklbw") SSE_RR(s_punpcklwd, "punpcklwd")
SSE_RR(s_punpckldq, "punpckldq") SSE_RR(s_punpcklqdq, "punpcklqdq")
SSE_RR(s_punpckhbw, "punpckhbw") SSE_RR(s_punpckhwd, "punpckhwd")
SSE_RR(s_punpckhdq, "punpckhdq") SSE_RR(s_punpckhqdq, "punpckhqdq")
SSE_RR(s_pand, "pand") SSE_RR(s_pandn, "pandn")
SSE_RR(s_por, "por") SSE_RR(s_pxor, "pxor")
SSE_RR(s_psllw, "psllw") SSE_RR(s_pslld, "pslld")
SSE_RR(s_psllq, "psllq") SSE_RR(s_psrlw, "psrlw")
SSE_RR(s_psrld, "psrld") SSE_RR(s_psrlq, "psrlq")
SSE_RR(s_psraw, "psraw") SSE_RR(s_psrad, "psrad")
SSE_OP(s_psllw_i, "psllw $5, %%xmm0") SSE_OP(s_psrad_i, "psrad $31, %%xmm0")
SSE_OP(s_psrlq_i, "psrlq $33, %%xmm0") SSE_OP(s_psrlw_i, "psrlw $16, %%xmm0")
SSE_OP(s_pslldq, "pslldq $5, %%xmm0") SSE_OP(s_psrldq, "psrldq $11, %%xmm0")
SSE_OP(s_pslld_i, "pslld $7, %%xmm0") SSE_OP(s_psrld_i, "psrld $31, %%xmm0")
SSE_OP(s_psllq_i, "psllq $63, %%xmm0") SSE_OP(s_pslldq9, "pslldq $9, %%xmm0")
SSE_OP(s_pshufd, "pshufd $0x93, %%xmm1, %%xmm0")
SSE_OP(s_pshufhw, "pshufhw $0x1e, %%xmm1, %%xmm0")
SSE_OP(s_pshuflw, "pshuflw $0xe4, %%xmm1, %%xmm0")
SSE_RM(s_movdqu_m, "movdqu") SSE_RM(s_paddw_m, "paddw")
SSE_RR(s_movq_xx, "movq")
/* SSSE3 */
SSE_RR(s_pshufb, "pshufb") SSE_RR(s_phaddw, "phaddw")
SSE_RR(s_phaddd, "phaddd") SSE_RR(s_phaddsw, "phaddsw")
SSE_RR(s_phsubw, "phsubw") SSE_RR(s_phsubd, "phsubd")
SSE_RR(s_phsubsw, "phsubsw") SSE_RR(s_pmaddubsw, "pmaddubsw")
SSE_RR(s_psignb, "psignb") SSE_RR(s_psignw, "psignw")
SSE_RR(s_psignd, "psignd") SSE_RR(s_pmulhrsw, "pmulhrsw")
SSE_RR(s_pabsb, "pabsb") SSE_RR(s_pabsw, "pabsw") SSE_RR(s_pabsd, "pabsd")
SSE_OP(s_palignr, "palignr $7, %%xmm1, %%xmm0")
SSE_OP(s_palignr20, "palignr $20, %%xmm1, %%xmm0")
/* SSE4.1 */
SSE_RR(s_pmovsxbw, "pmovsxbw") SSE_RR(s_pmovsxbd, "pmovsxbd")
SSE_RR(s_pmovsxbq, "pmovsxbq") SSE_RR(s_pmovsxwd, "pmovsxwd")
SSE_RR(s_pmovsxwq, "pmovsxwq") SSE_RR(s_pmovsxdq, "pmovsxdq")
SSE_RR(s_pmovzxbw, "pmovzxbw") SSE_RR(s_pmovzxbd, "pmovzxbd")
SSE_RR(s_pmovzxwq, "pmovzxwq") SSE_RR(s_pmovzxdq, "pmovzxdq")
SSE_RM(s_pmovzxbq_m, "pmovzxbq")
SSE_RR(s_pmuldq, "pmuldq") SSE_RR(s_pcmpeqq, "pcmpeqq")
SSE_RR(s_packusdw, "packusdw") SSE_RR(s_pminsb, "pminsb")
SSE_RR(s_pminsd, "pminsd") SSE_RR(s_pminuw, "pminuw")
SSE_RR(s_pminud, "pminud") SSE_RR(s_pmaxsb, "pmaxsb")
SSE_RR(s_pmaxsd, "pmaxsd") SSE_RR(s_pmaxuw, "pmaxuw")
SSE_RR(s_pmaxud, "pmaxud") SSE_RR(s_pmulld, "pmulld")
SSE_RR(s_phminposuw, "phminposuw")
SSE_OP(s_pblendw, "pblendw $0xa5, %%xmm1, %%xmm0")
SSE_OP(s_mpsadbw, "mpsadbw $5, %%xmm1, %%xmm0")
SSE_OP(s_mpsadbw2, "mpsadbw $2, %%xmm1, %%xmm0")
/* SSE4.2, PCLMULQDQ */
SSE_RR(s_pcmpgtq, "pcmpgtq")
SSE_FLAGS(s_pcmpistrm_0, "pcmpistrm $0x00, %%xmm1, %%xmm0")
SSE_FLAGS(s_pcmpistrm_44, "pcmpistrm $0x44, %%xmm1, %%xmm0")
SSE_FLAGS(s_pcmpistrm_18, "pcmpistrm $0x18, %%xmm1, %%xmm0")
SSE_FLAGS(s_pcmpistrm_4d, "pcmpistrm $0x4d, %%xmm1, %%xmm0")
SSE_FLAGS(s_pcmpistrm_3a, "pcmpistrm $0x3a, %%xmm1, %%xmm0")
SSE_FLAGS(s_pcmpistrm_0e, "pcmpistrm $0x0e, %%xmm1, %%xmm0")
SSE_FLAGS(s_pcmpistrm_07, "pcmpistrm $0x07, %%xmm1, %%xmm0")
SSE_STR(s_pcmpistri_0c, "pcmpistri $0x0c, %%xmm1, %%xmm0")
SSE_STR(s_pcmpistri_40, "pcmpistri $0x40, %%xmm1, %%xmm0")
SSE_STR(s_pcmpistri_14, "pcmpistri $0x14, %%xmm1, %%xmm0")
SSE_STR(s_pcmpistri_7b, "pcmpistri $0x7b, %%xmm1, %%xmm0")
SSE_STR(s_pcmpestri_0c, "pcmpestri $0x0c, %%xmm1, %%xmm0")
SSE_STR(s_pcmpestri_31, "pcmpestri $0x31, %%xmm1, %%xmm0")
SSE_STR(s_pcmpestri_42, "pcmpestri $0x42, %%xmm1, %%xmm0")
SSE_STR(s_pcmpestrm_08, "pcmpestrm $0x08, %%xmm1, %%xmm0")
SSE_STR(s_pcmpestrm_65, "pcmpestrm $0x65, %%xmm1, %%xmm0")
SSE_STR(s_pcmpestrm_3c, "pcmpestrm $0x3c, %%xmm1, %%xmm0")
SSE_OP(s_pclmul00, "pclmulqdq $0x00, %%xmm1, %%xmm0")
SSE_OP(s_pclmul11, "pclmulqdq $0x11, %%xmm1, %%xmm0")
SSE_OP(s_pclmul10, "pclmulqdq $0x10, %%xmm1, %%xmm0")
SSE_RR(s_aesenc, "aesenc") SSE_RR(s_aesenclast, "aesenclast")
SSE_RR(s_aesdec, "aesdec") SSE_RR(s_aesdeclast, "aesdeclast")
SSE_RR(s_aesimc, "aesimc")
SSE_RM(s_aesenc_m, "aesenc") SSE_RM(s_aesdeclast_m, "aesdeclast")
SSE_RM(s_aesimc_m, "aesimc")
SSE_OP(s_akga00, "aeskeygenassist $0x00, %%xmm1, %%xmm0")
SSE_OP(s_akga01, "aeskeygenassist $0x01, %%xmm1, %%xmm0")
SSE_OP(s_akga1b, "aeskeygenassist $0x1b, %%xmm1, %%xmm0")
SSE_OP(s_akga36, "aeskeygenassist $0x36, %%xmm1, %%xmm0")
SSE_OP(s_akgaff, "aeskeygenassist $0xff, %%xmm1, %%xmm0")
SSE_OP(s_akga80_m, "aeskeygenassist $0x80, %[b], %%xmm0")
/* MMX forms */
MMX_OP(m_paddb, "paddb %%mm1, %%mm0")
MMX_OP(m_psubsw, "psubsw %%mm1, %%mm0")
MMX_OP(m_pmullw, "pmullw %%mm1, %%mm0")
MMX_OP(m_pmaddwd, "pmaddwd %%mm1, %%mm0")
MMX_OP(m_packsswb, "packsswb %%mm1, %%mm0")
MMX_OP(m_punpckhbw, "punpckhbw %%mm1, %%mm0")
MMX_OP(m_psllq, "psllq %%mm1, %%mm0")
MMX_OP(m_psraw_i, "psraw $3, %%mm0")
MMX_OP(m_pshufw, "pshufw $0x1b, %%mm1, %%mm0")
MMX_OP(m_psadbw, "psadbw %%mm1, %%mm0")
MMX_OP(m_pavgb, "pavgb %%mm1, %%mm0")
MMX_OP(m_pmuludq, "pmuludq %%mm1, %%mm0")
MMX_OP(m_pshufb, "pshufb %%mm1, %%mm0")
MMX_OP(m_palignr, "palignr $3, %%mm1, %%mm0")
MMX_OP(m_phaddw, "phaddw %%mm1, %%mm0")
MMX_OP(m_cvtpi2ps, "cvtpi2ps %%mm1, %%xmm0")
MMX_OP(m_cvtps2pi, "cvtps2pi %%xmm1, %%mm0")
MMX_OP(m_cvttpd2pi, "cvttpd2pi %%xmm1, %%mm0")
MMX_OP(m_cvtpi2pd, "cvtpi2pd %%mm1, %%xmm0")
MMX_OP(m_movq2dq, "movq2dq %%mm1, %%xmm0")
MMX_OP(m_movdq2q, "movdq2q %%xmm1, %%mm0")

#define X87 FPU_X87
#define X87CC (FPU_X87 | FPU_CC)
#define S3 FPU_SSE3
#define SS3 FPU_SSSE3
#define S41 FPU_SSE4
#define S42 FPU_SSE42
#define HD FPU_HOSTDEP

static const FpuOpDesc fpu_ops[] = {
    { "fadd", x_fadd, FPU_IN_F80, X87 },
    { "fsub", x_fsub, FPU_IN_F80, X87 },
    { "fsubr", x_fsubr, FPU_IN_F80, X87 },
    { "fmul", x_fmul, FPU_IN_F80, X87 },
    { "fdiv", x_fdiv, FPU_IN_F80, X87 },
    { "fdivr", x_fdivr, FPU_IN_F80, X87 },
    { "faddp", x_faddp, FPU_IN_F80, X87 },
    { "fsubrp", x_fsubp_st1, FPU_IN_F80, X87 },
    { "fdivrp", x_fdivp_st1, FPU_IN_F80, X87 },
    { "fsqrt", x_fsqrt, FPU_IN_F80, X87 },
    { "frndint", x_frndint, FPU_IN_F80, X87 | FPU_NO_C1 },
    { "fscale", x_fscale, FPU_IN_F80, X87 },
    { "fprem", x_fprem, FPU_IN_F80, X87CC },
    { "fprem1", x_fprem1, FPU_IN_F80, X87CC },
    { "fxtract", x_fxtract, FPU_IN_F80, X87 },
    { "fchs", x_fchs, FPU_IN_F80, X87 },
    { "fabs", x_fabs, FPU_IN_F80, X87 },
    { "ftst", x_ftst, FPU_IN_F80, X87CC },
    { "fxam", x_fxam, FPU_IN_F80, X87CC },
    { "fcom", x_fcom, FPU_IN_F80, X87CC },
    { "fcomp", x_fcomp, FPU_IN_F80, X87CC },
    { "fucom", x_fucom, FPU_IN_F80, X87CC },
    { "fucompp", x_fucompp, FPU_IN_F80, X87CC },
    { "fxch", x_fxch, FPU_IN_F80, X87 },
    { "fsin", x_fsin, FPU_IN_TRIG, X87CC | HD },
    { "fcos", x_fcos, FPU_IN_TRIG, X87CC | HD },
    { "fsincos", x_fsincos, FPU_IN_TRIG, X87CC | HD },
    { "fptan", x_fptan, FPU_IN_TRIG, X87CC | HD },
    { "fpatan", x_fpatan, FPU_IN_F80, X87 | HD },
    { "f2xm1", x_f2xm1, FPU_IN_TRIG, X87 | HD },
    { "fyl2x", x_fyl2x, FPU_IN_F80, X87 | HD },
    { "fyl2xp1", x_fyl2xp1, FPU_IN_TRIG, X87 | HD },
    { "fldpi", x_fldpi, FPU_IN_F80, X87 },
    { "fldl2e", x_fldl2e, FPU_IN_F80, X87 },
    { "fldl2t", x_fldl2t, FPU_IN_F80, X87 },
    { "fldlg2", x_fldlg2, FPU_IN_F80, X87 },
    { "fldln2", x_fldln2, FPU_IN_F80, X87 },
    { "fld1", x_fld1, FPU_IN_F80, X87 },
    { "fld st1", x_fldst1, FPU_IN_F80, X87 },
    { "fst st1", x_fstst1, FPU_IN_F80, X87 },
    { "fadds m32", x_fadds, FPU_IN_F32, X87 },
    { "fmull m64", x_fmull, FPU_IN_F64, X87 },
    { "fdivrs m32", x_fdivrs, FPU_IN_F32, X87 },
    { "fsubl m64", x_fsubl, FPU_IN_F64, X87 },
    { "fiaddl m32", x_fiaddl, FPU_IN_I32, X87 },
    { "fisubs m16", x_fisubs, FPU_IN_I16, X87 },
    { "fcoms m32", x_fcoms, FPU_IN_F32, X87CC },
    { "fcompl m64", x_fcompl, FPU_IN_F64, X87CC },
    { "flds", x_flds, FPU_IN_F32, X87 },
    { "fldl", x_fldl, FPU_IN_F64, X87 },
    { "fldt", x_fldt, FPU_IN_F80, X87 },
    { "filds", x_filds, FPU_IN_I16, X87 },
    { "fildl", x_fildl, FPU_IN_I32, X87 },
    { "fildll", x_fildll, FPU_IN_I64, X87 },
    { "fbld", x_fbld, FPU_IN_BCD, X87 },
    { "fsts", x_fsts, FPU_IN_F80, X87 },
    { "fstpl", x_fstpl, FPU_IN_F80, X87 },
    { "fstpt", x_fstpt, FPU_IN_F80, X87 },
    { "fists", x_fists, FPU_IN_F80, X87 },
    { "fistpl", x_fistpl, FPU_IN_F80, X87 },
    { "fistpll", x_fistpll, FPU_IN_F80, X87 },
    { "fisttps", x_fisttps, FPU_IN_F80, X87 },
    { "fisttpl", x_fisttpl, FPU_IN_F80, X87 },
    { "fisttpll", x_fisttpll, FPU_IN_F80, X87 },
    { "fbstp", x_fbstp, FPU_IN_F80, X87 },
    { "fcomi", x_fcomi, FPU_IN_F80, X87 | FPU_F_EFLAGS },
    { "fucomi", x_fucomi, FPU_IN_F80, X87 | FPU_F_EFLAGS },
    { "fucomip", x_fucomip, FPU_IN_F80, X87 | FPU_F_EFLAGS },
    { "fadd_unm", u_fadd, FPU_IN_F80X, X87 },
    { "fsub_unm", u_fsub, FPU_IN_F80X, X87 },
    { "fsubr_unm", u_fsubr, FPU_IN_F80X, X87 },
    { "fmul_unm", u_fmul, FPU_IN_F80X, X87 },
    { "fdiv_unm", u_fdiv, FPU_IN_F80X, X87 },
    { "fdivr_unm", u_fdivr, FPU_IN_F80X, X87 },
    { "fmulp_unm", u_fmulp, FPU_IN_F80X, X87 },
    { "fdivrp_unm", u_fdivrp, FPU_IN_F80X, X87 },
    { "fsqrt_unm", u_fsqrt, FPU_IN_F80X, X87 },
    { "fscale_unm", u_fscale, FPU_IN_F80X, X87 },
    { "fprem_unm", u_fprem, FPU_IN_F80X, X87CC },
    { "fprem1_unm", u_fprem1, FPU_IN_F80X, X87CC },
    { "fxtract_unm", u_fxtract, FPU_IN_F80X, X87 },
    { "fyl2x_unm", u_fyl2x, FPU_IN_F80X, X87 | HD },
    { "fpatan_unm", u_fpatan, FPU_IN_F80X, X87 | HD },
    { "f2xm1_unm", u_f2xm1, FPU_IN_F80X, X87 | HD },
    { "fst_st1_unm", u_fst1, FPU_IN_F80X, X87 },
    { "fmull_m64_unm", u_fmull, FPU_IN_F80X, X87 },
    { "fdivs_m32_unm", u_fdivs, FPU_IN_F80X, X87 },
    { "fadds_m32_unm", u_fadds, FPU_IN_F80X, X87 },
    { "fsts_unm", u_fsts, FPU_IN_F80X, X87 },
    { "fstps_unm", u_fstps, FPU_IN_F80X, X87 },
    { "fstl_unm", u_fstl, FPU_IN_F80X, X87 },
    { "fstpl_unm", u_fstpl, FPU_IN_F80X, X87 },
    { "fstpt_unm", u_fstpt, FPU_IN_F80X, X87 },
    { "fistl_unm", u_fistl, FPU_IN_F80X, X87 },

    { "addps", s_addps, FPU_IN_F32, 0 }, { "addpd", s_addpd, FPU_IN_F64, 0 },
    { "addss", s_addss, FPU_IN_F32, 0 }, { "addsd", s_addsd, FPU_IN_F64, 0 },
    { "subps", s_subps, FPU_IN_F32, 0 }, { "subpd", s_subpd, FPU_IN_F64, 0 },
    { "subss", s_subss, FPU_IN_F32, 0 }, { "subsd", s_subsd, FPU_IN_F64, 0 },
    { "mulps", s_mulps, FPU_IN_F32, 0 }, { "mulpd", s_mulpd, FPU_IN_F64, 0 },
    { "mulss", s_mulss, FPU_IN_F32, 0 }, { "mulsd", s_mulsd, FPU_IN_F64, 0 },
    { "divps", s_divps, FPU_IN_F32, 0 }, { "divpd", s_divpd, FPU_IN_F64, 0 },
    { "divss", s_divss, FPU_IN_F32, 0 }, { "divsd", s_divsd, FPU_IN_F64, 0 },
    { "minps", s_minps, FPU_IN_F32, 0 }, { "minpd", s_minpd, FPU_IN_F64, 0 },
    { "minss", s_minss, FPU_IN_F32, 0 }, { "minsd", s_minsd, FPU_IN_F64, 0 },
    { "maxps", s_maxps, FPU_IN_F32, 0 }, { "maxpd", s_maxpd, FPU_IN_F64, 0 },
    { "maxss", s_maxss, FPU_IN_F32, 0 }, { "maxsd", s_maxsd, FPU_IN_F64, 0 },
    { "sqrtps", s_sqrtps, FPU_IN_F32, 0 },
    { "sqrtpd", s_sqrtpd, FPU_IN_F64, 0 },
    { "sqrtss", s_sqrtss, FPU_IN_F32, 0 },
    { "sqrtsd", s_sqrtsd, FPU_IN_F64, 0 },
    { "rcpps", s_rcpps, FPU_IN_F32, HD },
    { "rsqrtps", s_rsqrtps, FPU_IN_F32, HD },
    { "rcpss", s_rcpss, FPU_IN_F32, HD },
    { "rsqrtss", s_rsqrtss, FPU_IN_F32, HD },
    { "cmpltps", s_cmpltps, FPU_IN_F32, 0 },
    { "cmpunordps", s_cmpunordps, FPU_IN_F32, 0 },
    { "cmpnleps", s_cmpnleps, FPU_IN_F32, 0 },
    { "cmpeqpd", s_cmpeqpd, FPU_IN_F64, 0 },
    { "cmpneqpd", s_cmpneqpd, FPU_IN_F64, 0 },
    { "cmpordsd", s_cmpordsd, FPU_IN_F64, 0 },
    { "cmpless", s_cmpless, FPU_IN_F32, 0 },
    { "cmpnltsd", s_cmpnltsd, FPU_IN_F64, 0 },
    { "andps", s_andps, FPU_IN_F32, 0 }, { "andnpd", s_andnpd, FPU_IN_F64, 0 },
    { "orps", s_orps, FPU_IN_F32, 0 }, { "xorpd", s_xorpd, FPU_IN_F64, 0 },
    { "unpcklps", s_unpcklps, FPU_IN_F32, 0 },
    { "unpckhpd", s_unpckhpd, FPU_IN_F64, 0 },
    { "shufps", s_shufps, FPU_IN_F32, 0 },
    { "shufpd", s_shufpd, FPU_IN_F64, 0 },
    { "movss", s_movss, FPU_IN_F32, 0 }, { "movsd", s_movsd, FPU_IN_F64, 0 },
    { "movhlps", s_movhlps, FPU_IN_F32, 0 },
    { "movlhps", s_movlhps, FPU_IN_F32, 0 },
    { "movlps m64", s_movlps_m, FPU_IN_F32, 0 },
    { "movhpd m64", s_movhpd_m, FPU_IN_F64, 0 },
    { "cvtps2pd", s_cvtps2pd, FPU_IN_F32, 0 },
    { "cvtpd2ps", s_cvtpd2ps, FPU_IN_F64, 0 },
    { "cvtss2sd", s_cvtss2sd, FPU_IN_F32, 0 },
    { "cvtsd2ss", s_cvtsd2ss, FPU_IN_F64, 0 },
    { "cvtdq2ps", s_cvtdq2ps, FPU_IN_INT, 0 },
    { "cvtps2dq", s_cvtps2dq, FPU_IN_F32, 0 },
    { "cvttps2dq", s_cvttps2dq, FPU_IN_F32, 0 },
    { "cvtpd2dq", s_cvtpd2dq, FPU_IN_F64, 0 },
    { "cvttpd2dq", s_cvttpd2dq, FPU_IN_F64, 0 },
    { "cvtdq2pd", s_cvtdq2pd, FPU_IN_INT, 0 },
    { "addps m128", s_addps_m, FPU_IN_F32, 0 },
    { "mulsd m64", s_mulsd_m, FPU_IN_F64, 0 },
    { "cvtss2sd m32", s_cvtss2sd_m, FPU_IN_F32, 0 },
    { "sqrtss m32", s_sqrtss_m, FPU_IN_F32, 0 },
    { "movss m32", s_movss_m, FPU_IN_F32, 0 },
    { "movddup m64", s_movddup_m, FPU_IN_F64, S3 },
    { "haddps", s_haddps, FPU_IN_F32, S3 },
    { "haddpd", s_haddpd, FPU_IN_F64, S3 },
    { "hsubps", s_hsubps, FPU_IN_F32, S3 },
    { "hsubpd", s_hsubpd, FPU_IN_F64, S3 },
    { "addsubps", s_addsubps, FPU_IN_F32, S3 },
    { "addsubpd", s_addsubpd, FPU_IN_F64, S3 },
    { "movsldup", s_movsldup, FPU_IN_F32, S3 },
    { "movshdup", s_movshdup, FPU_IN_F32, S3 },
    { "roundps 4", s_roundps, FPU_IN_F32, S41 },
    { "roundpd 9", s_roundpd9, FPU_IN_F64, S41 },
    { "roundss 1", s_roundss1, FPU_IN_F32, S41 },
    { "roundsd 2", s_roundsd2, FPU_IN_F64, S41 },
    { "roundsd 11", s_roundsd11, FPU_IN_F64, S41 },
    { "dpps f3", s_dpps, FPU_IN_F32, S41 },
    { "dpps 5a", s_dpps2, FPU_IN_F32, S41 },
    { "dppd 31", s_dppd, FPU_IN_F64, S41 },
    { "insertps", s_insertps, FPU_IN_F32, S41 },
    { "blendps", s_blendps, FPU_IN_F32, S41 },
    { "blendpd", s_blendpd, FPU_IN_F64, S41 },
    { "blendvps", s_blendvps, FPU_IN_F32, S41 },
    { "blendvpd", s_blendvpd, FPU_IN_F64, S41 },
    { "pblendvb", s_pblendvb, FPU_IN_INT, S41 },
    { "comiss", s_comiss, FPU_IN_F32, FPU_F_EFLAGS },
    { "ucomiss", s_ucomiss, FPU_IN_F32, FPU_F_EFLAGS },
    { "comisd", s_comisd, FPU_IN_F64, FPU_F_EFLAGS },
    { "ucomisd", s_ucomisd, FPU_IN_F64, FPU_F_EFLAGS },
    { "ptest", s_ptest, FPU_IN_INT, FPU_F_EFLAGS | S41 },
    { "cvtss2si", s_cvtss2si, FPU_IN_F32, 0 },
    { "cvttss2si", s_cvttss2si, FPU_IN_F32, 0 },
    { "cvtsd2si", s_cvtsd2si, FPU_IN_F64, 0 },
    { "cvttsd2si", s_cvttsd2si, FPU_IN_F64, 0 },
    { "movmskps", s_movmskps, FPU_IN_F32, 0 },
    { "movmskpd", s_movmskpd, FPU_IN_F64, 0 },
    { "pmovmskb", s_pmovmskb, FPU_IN_INT, 0 },
    { "pextrw", s_pextrw, FPU_IN_INT, 0 },
    { "pextrb", s_pextrb, FPU_IN_INT, S41 },
    { "pextrd", s_pextrd, FPU_IN_INT, S41 },
    { "extractps", s_extractps, FPU_IN_F32, S41 },
    { "movd to gpr", s_movd_to, FPU_IN_INT, 0 },
    { "cvtsi2ss", s_cvtsi2ss, FPU_IN_I32, 0 },
    { "cvtsi2sd", s_cvtsi2sd, FPU_IN_I32, 0 },
    { "pinsrw", s_pinsrw, FPU_IN_INT, 0 },
    { "pinsrb", s_pinsrb, FPU_IN_INT, S41 },
    { "pinsrd", s_pinsrd, FPU_IN_INT, S41 },
    { "movd from gpr", s_movd_from, FPU_IN_INT, 0 },
    { "paddb", s_paddb, FPU_IN_INT, 0 }, { "paddw", s_paddw, FPU_IN_INT, 0 },
    { "paddd", s_paddd, FPU_IN_INT, 0 }, { "paddq", s_paddq, FPU_IN_INT, 0 },
    { "psubb", s_psubb, FPU_IN_INT, 0 }, { "psubw", s_psubw, FPU_IN_INT, 0 },
    { "psubd", s_psubd, FPU_IN_INT, 0 }, { "psubq", s_psubq, FPU_IN_INT, 0 },
    { "paddsb", s_paddsb, FPU_IN_INT, 0 },
    { "paddsw", s_paddsw, FPU_IN_INT, 0 },
    { "paddusb", s_paddusb, FPU_IN_INT, 0 },
    { "paddusw", s_paddusw, FPU_IN_INT, 0 },
    { "psubsb", s_psubsb, FPU_IN_INT, 0 },
    { "psubsw", s_psubsw, FPU_IN_INT, 0 },
    { "psubusb", s_psubusb, FPU_IN_INT, 0 },
    { "psubusw", s_psubusw, FPU_IN_INT, 0 },
    { "pcmpeqb", s_pcmpeqb, FPU_IN_INT, 0 },
    { "pcmpeqw", s_pcmpeqw, FPU_IN_INT, 0 },
    { "pcmpeqd", s_pcmpeqd, FPU_IN_INT, 0 },
    { "pcmpgtb", s_pcmpgtb, FPU_IN_INT, 0 },
    { "pcmpgtw", s_pcmpgtw, FPU_IN_INT, 0 },
    { "pcmpgtd", s_pcmpgtd, FPU_IN_INT, 0 },
    { "pminub", s_pminub, FPU_IN_INT, 0 },
    { "pmaxub", s_pmaxub, FPU_IN_INT, 0 },
    { "pminsw", s_pminsw, FPU_IN_INT, 0 },
    { "pmaxsw", s_pmaxsw, FPU_IN_INT, 0 },
    { "pavgb", s_pavgb, FPU_IN_INT, 0 }, { "pavgw", s_pavgw, FPU_IN_INT, 0 },
    { "pmullw", s_pmullw, FPU_IN_INT, 0 },
    { "pmulhw", s_pmulhw, FPU_IN_INT, 0 },
    { "pmulhuw", s_pmulhuw, FPU_IN_INT, 0 },
    { "pmuludq", s_pmuludq, FPU_IN_INT, 0 },
    { "pmaddwd", s_pmaddwd, FPU_IN_INT, 0 },
    { "psadbw", s_psadbw, FPU_IN_INT, 0 },
    { "packsswb", s_packsswb, FPU_IN_INT, 0 },
    { "packssdw", s_packssdw, FPU_IN_INT, 0 },
    { "packuswb", s_packuswb, FPU_IN_INT, 0 },
    { "punpcklbw", s_punpcklbw, FPU_IN_INT, 0 },
    { "punpcklwd", s_punpcklwd, FPU_IN_INT, 0 },
    { "punpckldq", s_punpckldq, FPU_IN_INT, 0 },
    { "punpcklqdq", s_punpcklqdq, FPU_IN_INT, 0 },
    { "punpckhbw", s_punpckhbw, FPU_IN_INT, 0 },
    { "punpckhwd", s_punpckhwd, FPU_IN_INT, 0 },
    { "punpckhdq", s_punpckhdq, FPU_IN_INT, 0 },
    { "punpckhqdq", s_punpckhqdq, FPU_IN_INT, 0 },
    { "pand", s_pand, FPU_IN_INT, 0 }, { "pandn", s_pandn, FPU_IN_INT, 0 },
    { "por", s_por, FPU_IN_INT, 0 }, { "pxor", s_pxor, FPU_IN_INT, 0 },
    { "psllw", s_psllw, FPU_IN_INT, 0 }, { "pslld", s_pslld, FPU_IN_INT, 0 },
    { "psllq", s_psllq, FPU_IN_INT, 0 }, { "psrlw", s_psrlw, FPU_IN_INT, 0 },
    { "psrld", s_psrld, FPU_IN_INT, 0 }, { "psrlq", s_psrlq, FPU_IN_INT, 0 },
    { "psraw", s_psraw, FPU_IN_INT, 0 }, { "psrad", s_psrad, FPU_IN_INT, 0 },
    { "psllw imm", s_psllw_i, FPU_IN_INT, 0 },
    { "psrad imm", s_psrad_i, FPU_IN_INT, 0 },
    { "psrlq imm", s_psrlq_i, FPU_IN_INT, 0 },
    { "psrlw imm", s_psrlw_i, FPU_IN_INT, 0 },
    { "pslldq", s_pslldq, FPU_IN_INT, 0 },
    { "psrldq", s_psrldq, FPU_IN_INT, 0 },
    { "pslld imm", s_pslld_i, FPU_IN_INT, 0 },
    { "psrld imm", s_psrld_i, FPU_IN_INT, 0 },
    { "psllq imm", s_psllq_i, FPU_IN_INT, 0 },
    { "pslldq 9", s_pslldq9, FPU_IN_INT, 0 },
    { "pshufd", s_pshufd, FPU_IN_INT, 0 },
    { "pshufhw", s_pshufhw, FPU_IN_INT, 0 },
    { "pshuflw", s_pshuflw, FPU_IN_INT, 0 },
    { "movdqu m128", s_movdqu_m, FPU_IN_INT, 0 },
    { "paddw m128", s_paddw_m, FPU_IN_INT, 0 },
    { "movq xmm", s_movq_xx, FPU_IN_INT, 0 },
    { "pshufb", s_pshufb, FPU_IN_INT, SS3 },
    { "phaddw", s_phaddw, FPU_IN_INT, SS3 },
    { "phaddd", s_phaddd, FPU_IN_INT, SS3 },
    { "phaddsw", s_phaddsw, FPU_IN_INT, SS3 },
    { "phsubw", s_phsubw, FPU_IN_INT, SS3 },
    { "phsubd", s_phsubd, FPU_IN_INT, SS3 },
    { "phsubsw", s_phsubsw, FPU_IN_INT, SS3 },
    { "pmaddubsw", s_pmaddubsw, FPU_IN_INT, SS3 },
    { "psignb", s_psignb, FPU_IN_INT, SS3 },
    { "psignw", s_psignw, FPU_IN_INT, SS3 },
    { "psignd", s_psignd, FPU_IN_INT, SS3 },
    { "pmulhrsw", s_pmulhrsw, FPU_IN_INT, SS3 },
    { "pabsb", s_pabsb, FPU_IN_INT, SS3 },
    { "pabsw", s_pabsw, FPU_IN_INT, SS3 },
    { "pabsd", s_pabsd, FPU_IN_INT, SS3 },
    { "palignr 7", s_palignr, FPU_IN_INT, SS3 },
    { "palignr 20", s_palignr20, FPU_IN_INT, SS3 },
    { "pmovsxbw", s_pmovsxbw, FPU_IN_INT, S41 },
    { "pmovsxbd", s_pmovsxbd, FPU_IN_INT, S41 },
    { "pmovsxbq", s_pmovsxbq, FPU_IN_INT, S41 },
    { "pmovsxwd", s_pmovsxwd, FPU_IN_INT, S41 },
    { "pmovsxwq", s_pmovsxwq, FPU_IN_INT, S41 },
    { "pmovsxdq", s_pmovsxdq, FPU_IN_INT, S41 },
    { "pmovzxbw", s_pmovzxbw, FPU_IN_INT, S41 },
    { "pmovzxbd", s_pmovzxbd, FPU_IN_INT, S41 },
    { "pmovzxwq", s_pmovzxwq, FPU_IN_INT, S41 },
    { "pmovzxdq", s_pmovzxdq, FPU_IN_INT, S41 },
    { "pmovzxbq m16", s_pmovzxbq_m, FPU_IN_INT, S41 },
    { "pmuldq", s_pmuldq, FPU_IN_INT, S41 },
    { "pcmpeqq", s_pcmpeqq, FPU_IN_INT, S41 },
    { "packusdw", s_packusdw, FPU_IN_INT, S41 },
    { "pminsb", s_pminsb, FPU_IN_INT, S41 },
    { "pminsd", s_pminsd, FPU_IN_INT, S41 },
    { "pminuw", s_pminuw, FPU_IN_INT, S41 },
    { "pminud", s_pminud, FPU_IN_INT, S41 },
    { "pmaxsb", s_pmaxsb, FPU_IN_INT, S41 },
    { "pmaxsd", s_pmaxsd, FPU_IN_INT, S41 },
    { "pmaxuw", s_pmaxuw, FPU_IN_INT, S41 },
    { "pmaxud", s_pmaxud, FPU_IN_INT, S41 },
    { "pmulld", s_pmulld, FPU_IN_INT, S41 },
    { "phminposuw", s_phminposuw, FPU_IN_INT, S41 },
    { "pblendw", s_pblendw, FPU_IN_INT, S41 },
    { "mpsadbw 5", s_mpsadbw, FPU_IN_INT, S41 },
    { "mpsadbw 2", s_mpsadbw2, FPU_IN_INT, S41 },
    { "pcmpgtq", s_pcmpgtq, FPU_IN_INT, S42 },
    { "pcmpistrm 00", s_pcmpistrm_0, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistrm 44", s_pcmpistrm_44, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistrm 18", s_pcmpistrm_18, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistrm 4d", s_pcmpistrm_4d, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistrm 3a", s_pcmpistrm_3a, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistrm 0e", s_pcmpistrm_0e, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistrm 07", s_pcmpistrm_07, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistri 0c", s_pcmpistri_0c, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistri 40", s_pcmpistri_40, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistri 14", s_pcmpistri_14, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpistri 7b", s_pcmpistri_7b, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpestri 0c", s_pcmpestri_0c, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpestri 31", s_pcmpestri_31, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpestri 42", s_pcmpestri_42, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpestrm 08", s_pcmpestrm_08, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpestrm 65", s_pcmpestrm_65, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pcmpestrm 3c", s_pcmpestrm_3c, FPU_IN_STR, S42 | FPU_F_EFLAGS },
    { "pclmulqdq 00", s_pclmul00, FPU_IN_INT, FPU_PCLMUL },
    { "pclmulqdq 11", s_pclmul11, FPU_IN_INT, FPU_PCLMUL },
    { "pclmulqdq 10", s_pclmul10, FPU_IN_INT, FPU_PCLMUL },
    { "aesenc", s_aesenc, FPU_IN_RAND, FPU_AES },
    { "aesenclast", s_aesenclast, FPU_IN_RAND, FPU_AES },
    { "aesdec", s_aesdec, FPU_IN_RAND, FPU_AES },
    { "aesdeclast", s_aesdeclast, FPU_IN_RAND, FPU_AES },
    { "aesimc", s_aesimc, FPU_IN_RAND, FPU_AES },
    { "aesenc m128", s_aesenc_m, FPU_IN_RAND, FPU_AES },
    { "aesdeclast m128", s_aesdeclast_m, FPU_IN_RAND, FPU_AES },
    { "aesimc m128", s_aesimc_m, FPU_IN_RAND, FPU_AES },
    { "aeskeygenassist 00", s_akga00, FPU_IN_RAND, FPU_AES },
    { "aeskeygenassist 01", s_akga01, FPU_IN_RAND, FPU_AES },
    { "aeskeygenassist 1b", s_akga1b, FPU_IN_RAND, FPU_AES },
    { "aeskeygenassist 36", s_akga36, FPU_IN_RAND, FPU_AES },
    { "aeskeygenassist ff", s_akgaff, FPU_IN_RAND, FPU_AES },
    { "aeskeygenassist 80 m128", s_akga80_m, FPU_IN_RAND, FPU_AES },
    { "mmx paddb", m_paddb, FPU_IN_INT, 0 },
    { "mmx psubsw", m_psubsw, FPU_IN_INT, 0 },
    { "mmx pmullw", m_pmullw, FPU_IN_INT, 0 },
    { "mmx pmaddwd", m_pmaddwd, FPU_IN_INT, 0 },
    { "mmx packsswb", m_packsswb, FPU_IN_INT, 0 },
    { "mmx punpckhbw", m_punpckhbw, FPU_IN_INT, 0 },
    { "mmx psllq", m_psllq, FPU_IN_INT, 0 },
    { "mmx psraw imm", m_psraw_i, FPU_IN_INT, 0 },
    { "mmx pshufw", m_pshufw, FPU_IN_INT, 0 },
    { "mmx psadbw", m_psadbw, FPU_IN_INT, 0 },
    { "mmx pavgb", m_pavgb, FPU_IN_INT, 0 },
    { "mmx pmuludq", m_pmuludq, FPU_IN_INT, 0 },
    { "mmx pshufb", m_pshufb, FPU_IN_INT, SS3 },
    { "mmx palignr", m_palignr, FPU_IN_INT, SS3 },
    { "mmx phaddw", m_phaddw, FPU_IN_INT, SS3 },
    { "cvtpi2ps", m_cvtpi2ps, FPU_IN_INT, 0 },
    { "cvtps2pi", m_cvtps2pi, FPU_IN_F32, 0 },
    { "cvttpd2pi", m_cvttpd2pi, FPU_IN_F64, 0 },
    { "cvtpi2pd", m_cvtpi2pd, FPU_IN_INT, 0 },
    { "movq2dq", m_movq2dq, FPU_IN_INT, 0 },
    { "movdq2q", m_movdq2q, FPU_IN_INT, 0 },
    /* 64-bit only: last, so that the 32-bit build's op numbers are a
     * prefix of the 64-bit ones (one table serves both). */
#ifdef __x86_64__
    { "cvtss2si r64", s_cvtss2si64, FPU_IN_F32, FPU_64 },
    { "cvttsd2si r64", s_cvttsd2si64, FPU_IN_F64, FPU_64 },
    { "pextrq", s_pextrq, FPU_IN_INT, FPU_64 | S41 },
    { "cvtsi2sd r64", s_cvtsi2sd64, FPU_IN_I64, FPU_64 },
    { "cvtsi2ss r64", s_cvtsi2ss64, FPU_IN_I64, FPU_64 },
    { "pinsrq", s_pinsrq, FPU_IN_INT, FPU_64 | S41 },
    { "movq from gpr", s_movq_from, FPU_IN_INT, FPU_64 },
#endif
};

#define FPU_NR_OPS ((int)(sizeof(fpu_ops) / sizeof(fpu_ops[0])))

/* ------------------------------------------------------------------ */
/* Inputs                                                              */

typedef struct FpuRng {
    uint64_t s;
} FpuRng;

static inline uint64_t fpu_rnd(FpuRng *r)
{
    uint64_t x = r->s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r->s = x;
    return x;
}

/* A number below n (32-bit arithmetic: no libgcc in 32-bit guests). */
static inline uint32_t fpu_below(FpuRng *r, uint32_t n)
{
    return (uint32_t)(fpu_rnd(r) >> 32) % n;
}

static inline uint32_t fpu_f32(FpuRng *r)
{
    static const uint32_t special[] = {
        0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
        0x7fa00001, 0xff800001, 0x00000001, 0x807fffff, 0x00400000,
        0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000,
        0xbf800000, 0x3f7fffff, 0x3f800001, 0x4f000000, 0xcf000000,
        0x5f000000, 0xdf000000, 0x4effffff, 0x3f000000, 0x40490fdb,
    };
    uint32_t sign = (uint32_t)(fpu_rnd(r) & 1) << 31;

    switch (fpu_below(r, 8)) {
    case 0: case 1:
        return special[fpu_below(r, (sizeof(special) / 4))];
    case 2:                 /* denormal */
        return sign | (uint32_t)(fpu_rnd(r) & 0x7fffff);
    case 3:                 /* near 1 */
        return sign | (0x3f000000 + (uint32_t)(fpu_below(r, 0x1000000)));
    case 4: {               /* near the underflow/overflow edges */
        uint32_t base = fpu_below(r, 2) ? 0x00800000 : 0x7e800000;

        return sign | (base + fpu_below(r, 0x1000000));
    }
    case 5: {               /* small integers */
        uint32_t e = fpu_below(r, 32) << 23;

        return sign | (0x3f800000 + e + ((uint32_t)fpu_rnd(r) & 0x7fe000));
    }
    default:
        return (uint32_t)fpu_rnd(r);
    }
}

static inline uint64_t fpu_f64(FpuRng *r)
{
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
        0x7ff4000000000001ull, 0xfff0000000000001ull, 1,
        0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
        0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fefffffffffffffull,
        0x41e0000000000000ull, 0xc1e0000000000000ull, 0x43e0000000000000ull,
        0xc3e0000000000000ull, 0x41dfffffffffffffull, 0x3fe0000000000000ull,
        0x400921fb54442d18ull, 0x47efffffe0000000ull, 0x36a0000000000000ull,
    };
    uint64_t sign = (fpu_rnd(r) & 1) << 63;

    switch (fpu_below(r, 8)) {
    case 0: case 1:
        return special[fpu_below(r, (sizeof(special) / 8))];
    case 2:
        return sign | (fpu_rnd(r) & 0xfffffffffffffull);
    case 3:
        return sign | (0x3fe0000000000000ull +
                       (fpu_rnd(r) & 0x1fffffffffffffull));
    case 4: {               /* float32 range edges, for CVTSD2SS */
        uint64_t e = fpu_below(r, 2) ? 0x368 + fpu_below(r, 32) :
                     0x47e + fpu_below(r, 4);

        return sign | (e << 52) | (fpu_rnd(r) & 0xfffffffffffffull);
    }
    case 5: {
        uint64_t e = (uint64_t)fpu_below(r, 64) << 52;

        return sign | (0x3ff0000000000000ull + e +
                       (fpu_rnd(r) & 0xffffffff00000ull));
    }
    default:
        return fpu_rnd(r);
    }
}

/* floatx80 into p[0..9]. */
static inline void fpu_f80(FpuRng *r, uint8_t *p, bool trig)
{
    uint64_t m;
    uint16_t se;
    unsigned k = (unsigned)(fpu_below(r, 12));
    uint16_t sign = (uint16_t)((fpu_rnd(r) & 1) << 15);

    m = fpu_rnd(r) | (1ull << 63);
    se = sign | (uint16_t)(0x3fff - 70 + fpu_below(r, 140));
    if (trig) {
        se = sign | (uint16_t)(0x3fff - 8 + fpu_below(r, 12));
    }
    switch (k) {
    case 0: se = sign; m = 0; break;                              /* zero */
    case 1: se = sign | 0x7fff; m = 1ull << 63; break;            /* inf */
    case 2: se = sign | 0x7fff; m = (3ull << 62) | (fpu_rnd(r) >> 20); break;
    case 3: se = sign | 0x7fff; m = (1ull << 63) | (fpu_rnd(r) >> 3) | 1;
        break;                                                    /* SNaN */
    case 4: {                                    /* denormal */
        unsigned sh = fpu_below(r, 64);

        se = sign;
        m = fpu_rnd(r) >> sh;
        break;
    }
    case 5: se = sign | (uint16_t)(fpu_below(r, 2) ? 1 : 0x7ffe); break;
    case 6: if (fpu_below(r, 8) == 0) {
            m &= ~(1ull << 63);                  /* unnormal / pseudo-denormal */
        }
        break;
    case 7:                                      /* integers, BCD range */
        se = sign | (uint16_t)(0x3fff + fpu_below(r, 64));
        m &= ~0ull << (fpu_below(r, 64));
        break;
    case 8:                                      /* near 1 */
        se = sign | (uint16_t)(0x3ffe + fpu_below(r, 2));
        break;
    case 9:                                      /* near 32-bit float edges */
        se = sign | (uint16_t)(fpu_below(r, 2) ? 0x3f81 - fpu_below(r, 30) :
                               0x407e + fpu_below(r, 2));
        break;
    default:
        break;
    }
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(m >> (8 * i));
    }
    p[8] = (uint8_t)se;
    p[9] = (uint8_t)(se >> 8);
}

/* floatx80 for the OE/UE tests: exponents where products, quotients and
 * sums leave the extended range (both operands above 0x5ff0 or below
 * 0x2010, or near the ends), the float32/float64 edges for stores, and
 * FSCALE-sized integers; plus the usual specials. */
static inline void fpu_f80x(FpuRng *r, uint8_t *p)
{
    uint64_t m = fpu_rnd(r) | (1ull << 63);
    uint16_t sign = (uint16_t)((fpu_rnd(r) & 1) << 15), e;

    switch (fpu_below(r, 12)) {
    case 0: e = (uint16_t)(0x7ffe - fpu_below(r, 24)); break;
    case 1: e = (uint16_t)(0x5ff0 + fpu_below(r, 0x40)); break;
    case 2: e = (uint16_t)(1 + fpu_below(r, 24)); break;
    case 3: e = (uint16_t)(0x1fc0 + fpu_below(r, 0x50)); break;
    case 4:                                             /* denormal */
        e = 0;
        m = fpu_rnd(r) >> fpu_below(r, 64);
        break;
    case 5:                                             /* float32 edges */
        e = (uint16_t)(fpu_below(r, 2) ? 0x3f81 - fpu_below(r, 26) :
                       0x407e + fpu_below(r, 2));
        break;
    case 6:                                             /* float64 edges */
        e = (uint16_t)(fpu_below(r, 2) ? 0x3c01 - fpu_below(r, 55) :
                       0x43fe + fpu_below(r, 2));
        break;
    case 7:                                     /* FSCALE counts to 2^15 */
        e = (uint16_t)(0x3fff + 10 + fpu_below(r, 6));
        break;
    case 8:
        e = (uint16_t)(0x3fff - 4 + fpu_below(r, 8));
        break;
    case 9:
        if (fpu_below(r, 2)) {
            e = 0x7fff;
            m = 1ull << 63;                             /* infinity */
        } else {
            e = 0;
            m = 0;
        }
        break;
    case 10:                                    /* all-ones significand */
        e = (uint16_t)(fpu_below(r, 2) ? 0x7ffe : 1);
        m = ~0ull << fpu_below(r, 42);
        break;
    default:
        e = (uint16_t)(1 + fpu_below(r, 0x7ffe));
        break;
    }
    e |= sign;
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(m >> (8 * i));
    }
    p[8] = (uint8_t)e;
    p[9] = (uint8_t)(e >> 8);
}

static inline uint64_t fpu_int(FpuRng *r)
{
    static const uint64_t edge[] = {
        0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
        0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full, 0x8000800080008000ull,
        0x7fff7fff7fff7fffull, 0x0000ffff0000ffffull, 0x80000000ffffffffull,
    };

    switch (fpu_below(r, 6)) {
    case 0: return edge[fpu_below(r, (sizeof(edge) / 8))];
    case 1: return fpu_rnd(r) & 0x0f0f0f0f0f0f0f0full;   /* small lanes */
    case 2: return fpu_rnd(r) & 0x000000ff000000ffull;
    default: return fpu_rnd(r);
    }
}

static inline void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* Inputs of case i of op (deterministic). */
static inline void fpu_case_inputs(int op, int i, FpuIn *in)
{
    FpuRng r = { 0x9e3779b97f4a7c15ull ^ ((uint64_t)op << 32) ^
                 (uint64_t)(i + 1) * 0x2545f4914f6cdd1dull };
    const FpuOpDesc *d = &fpu_ops[op];

    for (int k = 0; k < 4; k++) {
        fpu_rnd(&r);
    }
    for (int k = 0; k < 32; k++) {
        in->a[k] = in->b[k] = 0;
    }
    in->c = fpu_rnd(&r);
    if (d->flags & FPU_X87) {
        static const uint32_t pc[3] = { 0, 2, 3 };

        uint32_t rc = fpu_below(&r, 4);

        in->ctl = 0x7f | rc << 10 | pc[fpu_below(&r, 3)] << 8;
        if (fpu_below(&r, 2)) {
            in->ctl = (in->ctl & ~0x300u) | 0x300;
        }
    } else {
        in->ctl = 0x1f80 | (uint32_t)(fpu_below(&r, 4)) << 13;
        if (fpu_below(&r, 4) == 0) {
            in->ctl |= 0x40;        /* DAZ */
        }
        if (fpu_below(&r, 4) == 0) {
            in->ctl |= 0x8000;      /* FTZ */
        }
        if (fpu_below(&r, 2)) {
            in->ctl |= 0x20;        /* PE already set (sticky) */
        }
    }
    if (d->flags & FPU_X87) {
        fpu_f80(&r, in->a + 16, false);     /* ST0 of the X87_MEM forms */
    }
    switch (d->in) {
    case FPU_IN_F80:
    case FPU_IN_TRIG:
        fpu_f80(&r, in->a, d->in == FPU_IN_TRIG);
        fpu_f80(&r, in->b, false);
        if (fpu_below(&r, 4) == 0) {     /* close exponents for FPREM/FSUB */
            in->b[9] = in->a[9];
            in->b[8] = (uint8_t)(in->a[8] - fpu_below(&r, 3));
        }
        break;
    case FPU_IN_RAND:
        for (int k = 0; k < 2; k++) {
            put64(in->a + 8 * k, fpu_rnd(&r));
            put64(in->b + 8 * k, fpu_rnd(&r));
        }
        break;
    case FPU_IN_F80X:
        fpu_f80x(&r, in->a);
        fpu_f80x(&r, in->b);
        if (fpu_below(&r, 4) == 0) {    /* same exponent: sums overflow */
            in->b[9] = in->a[9];
            in->b[8] = in->a[8];
        }
        break;
    case FPU_IN_F32:
        for (int k = 0; k < 4; k++) {
            uint32_t x = fpu_f32(&r), y = fpu_f32(&r);

            if (fpu_below(&r, 8) == 0) {
                y = x ^ (uint32_t)(fpu_below(&r, 4));
            }
            for (int j = 0; j < 4; j++) {
                in->a[4 * k + j] = (uint8_t)(x >> (8 * j));
                in->b[4 * k + j] = (uint8_t)(y >> (8 * j));
            }
        }
        break;
    case FPU_IN_F64:
        for (int k = 0; k < 2; k++) {
            uint64_t x = fpu_f64(&r), y = fpu_f64(&r);

            if (fpu_below(&r, 8) == 0) {
                y = x ^ (fpu_below(&r, 4));
            }
            put64(in->a + 8 * k, x);
            put64(in->b + 8 * k, y);
        }
        break;
    case FPU_IN_I16: case FPU_IN_I32: case FPU_IN_I64:
    case FPU_IN_INT:
        for (int k = 0; k < 2; k++) {
            put64(in->a + 8 * k, fpu_int(&r));
            put64(in->b + 8 * k, fpu_int(&r));
        }
        if (d->in != FPU_IN_INT && fpu_below(&r, 2)) {
            put64(in->a, (uint64_t)((int64_t)fpu_below(&r, 2000) - 1000));
            put64(in->b, (uint64_t)((int64_t)fpu_below(&r, 2000) - 1000));
        }
        in->c = fpu_int(&r);
        /* shift counts in b's low qword: mostly in range */
        if (fpu_below(&r, 2)) {
            put64(in->b, fpu_below(&r, 70));
        }
        break;
    case FPU_IN_BCD:
        for (int k = 0; k < 9; k++) {
            uint32_t lo = fpu_below(&r, 10);

            in->a[k] = (uint8_t)(lo | fpu_below(&r, 10) << 4);
        }
        in->a[9] = fpu_below(&r, 2) ? 0x80 : 0;
        break;
    case FPU_IN_STR: {
        static const char alpha[] = "abcAZ09 \x80\xff-";

        for (int k = 0; k < 16; k++) {
            in->a[k] = (uint8_t)alpha[fpu_below(&r, 12)];
            in->b[k] = (uint8_t)alpha[fpu_below(&r, 12)];
        }
        if (fpu_below(&r, 3) == 0) {
            in->a[fpu_below(&r, 16)] = 0;
        }
        if (fpu_below(&r, 3) == 0) {
            in->b[fpu_below(&r, 16)] = 0;
        }
        if (fpu_below(&r, 4) == 0) {     /* a substring of b */
        int at = (int)fpu_below(&r, 16);
        int n = (int)fpu_below(&r, 5);

            for (int k = 0; k < n && at + k < 16; k++) {
                in->a[k] = in->b[at + k];
            }
        }
        {
            uint64_t edx = (uint32_t)((int32_t)fpu_below(&r, 40) - 20);

            in->c = edx << 32 | (uint32_t)((int32_t)fpu_below(&r, 40) - 20);
        }
        break;
    }
    }
}

/* Status bits compared: FSW with TOP, C1 (unless undefined), C0/C2/C3
 * for the ops that define them; MXCSR entirely. */
static inline uint32_t fpu_st_mask(const FpuOpDesc *d)
{
    if (!(d->flags & FPU_X87)) {
        return 0xffff;
    }
    return 0x387f | ((d->flags & FPU_NO_C1) ? 0 : 0x200) |
           ((d->flags & FPU_CC) ? 0x4500 : 0);
}

/* FNV-1a over the results, the masked status word and the flags. */
static inline uint32_t fpu_hash(const FpuOpDesc *d, const FpuOut *o)
{
    uint32_t h = 2166136261u;
    uint32_t st = o->st & fpu_st_mask(d);
    uint32_t fl = (d->flags & FPU_F_EFLAGS) ? (o->fl & 0x8d5) : 0;

    for (int i = 0; i < 32; i++) {
        h = (h ^ o->r[i]) * 16777619u;
    }
    for (int i = 0; i < 4; i++) {
        h = (h ^ (uint8_t)(st >> (8 * i))) * 16777619u;
        h = (h ^ (uint8_t)(fl >> (8 * i))) * 16777619u;
    }
    return h;
}

#endif
