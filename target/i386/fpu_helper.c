/*
 * fpu_helper.c: the x87 floating-point unit (SDM Vol 1 ch. 8), FWAIT, and
 * the x87 half of the state-save instructions.
 *
 * The translator turns every D8-DF instruction into one call of
 * x86_helper_x87 with the decoded insn (X86FpDesc, fpu-sse.h), the linear
 * address of its memory operand and its EIP.  The helper checks CR0.EM/TS
 * (#NM) and pending unmasked exceptions (#MF), records FIP/FCS/FOP/FDP/FDS,
 * and executes the insn on the register stack in env (fpregs[] are the
 * physical registers R0-R7, ST(i) is fpregs[(TOP + i) & 7]).
 *
 * Arithmetic, conversions, FSQRT, FRNDINT, FPREM/FPREM1 and the compares
 * use fpu/softfloat.c with the FCW's rounding and precision control.  The
 * transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS,
 * FSINCOS) and FSCALE/FXTRACT run the same instruction on the host's own
 * x87 with the guest's FCW (exceptions masked) and read back the host FSW:
 * the guest gets exactly what this host's hardware computes.
 *
 * Exceptions (SDM Vol 1 8.4, 8.5): flags are ORed into FSW; a flag that
 * FCW leaves unmasked sets ES and B.  For unmasked IE (incl. stack fault),
 * DE and ZE the destination and the stack are left unchanged; for PE the
 * rounded result is stored, for OE/UE the result wrapped by 2^24576
 * (fp_status's trap-bias options; stores to memory write nothing).  The
 * #MF itself is raised by the next waiting x87 insn or FWAIT when
 * CR0.NE = 1; with CR0.NE = 0 that insn asserts FERR# and freezes until
 * an interrupt (the board turns FERR# into IRQ 13, x86_fpu_check_pending).
 *
 * Tags: fptag_word keeps 11 (empty) or 00 (valid) per register; the exact
 * tags (zero, special) are computed when software can see them.
 *
 * vCPU thread, inside generated code, no lock held.
 */
#include "util/osdep.h"
#include "fpu/softfloat.h"
#include "target/i386/cpu.h"
#include "target/i386/helper.h"
#include "target/i386/fpu-sse.h"
#include "hw/irq.h"
#include "system/bql.h"
#include "accel/accel.h"

/* FSW bits (SDM Vol 1 8.1.3). */
#define FSW_IE 0x0001
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_TOP 0x3800
#define FSW_C3 0x4000
#define FSW_B  0x8000
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

static const floatx80 fx_indefinite = { 0xc000000000000000ull, 0xffff };
static const floatx80 fx_zero = { 0, 0 };

/* ------------------------------------------------------------------ */
/* Memory and exceptions                                               */

static uint64_t fp_addr(X86FpCtx *c, uint64_t off)
{
    uint64_t a = c->a0 + off;

    return c->d.mode == X86_MODE_64 ? a : (a & 0xffffffffu);
}

uint64_t x86_fp_ld(X86FpCtx *c, uint64_t off, MemOp size)
{
    return cpu_ld_mmu(c->cs, fp_addr(c, off),
                      make_memop_idx(size | MO_LE, c->d.mmu_idx), c->ra);
}

void x86_fp_st(X86FpCtx *c, uint64_t off, uint64_t v, MemOp size)
{
    cpu_st_mmu(c->cs, fp_addr(c, off), v,
               make_memop_idx(size | MO_LE, c->d.mmu_idx), c->ra);
}

void x86_fp_probe_write(X86FpCtx *c, uint64_t len)
{
    uint64_t end = c->a0 + len - 1;

    for (uint64_t p = c->a0 & ~0xfffull; ; p += 0x1000) {
        uint64_t a = p < c->a0 ? c->a0 : p;

        tlb_probe_host(c->cs, fp_addr(c, a - c->a0), 1, MMU_DATA_STORE,
                       c->d.mmu_idx, false, c->ra);
        if (p >= (end & ~0xfffull)) {
            break;
        }
    }
}

void x86_fp_raise(X86FpCtx *c, int vector)
{
    raise_exception_ra(c->env, vector, c->ra);
}

/* ------------------------------------------------------------------ */
/* Status, control and tag words                                       */

uint16_t x86_fpu_fsw(CPUX86State *env)
{
    return (env->fpus & ~FSW_TOP) | ((env->fpstt & 7) << 11);
}

void x86_fpu_set_fsw(CPUX86State *env, uint16_t fsw)
{
    env->fpstt = (fsw >> 11) & 7;
    fsw &= ~FSW_TOP;
    if (fsw & ~env->fpuc & 0x3f) {
        fsw |= FSW_ES | FSW_B;
    } else {
        fsw &= ~(FSW_ES | FSW_B);
    }
    env->fpus = fsw;
}

static bool fp_reg_empty(CPUX86State *env, int phys)
{
    return ((env->fptag_word >> (2 * phys)) & 3) == 3;
}

static void fp_set_tag(CPUX86State *env, int phys, bool empty)
{
    env->fptag_word &= ~(3u << (2 * phys));
    if (empty) {
        env->fptag_word |= 3u << (2 * phys);
    }
}

static floatx80 fp_reg(CPUX86State *env, int phys)
{
    floatx80 f = { env->fpregs[phys].mant, env->fpregs[phys].exp };

    return f;
}

/* SDM Vol 1 8.1.7: 00 valid, 01 zero, 10 special (NaN, inf, denormal,
 * unsupported), 11 empty. */
static unsigned fp_tag_of(floatx80 f)
{
    unsigned e = f.sign_exp & 0x7fff;

    if (e == 0x7fff) {
        return 2;
    }
    if (e == 0) {
        return f.mant ? 2 : 1;
    }
    return (f.mant >> 63) ? 0 : 2;
}

uint16_t x86_fpu_full_tags(CPUX86State *env)
{
    uint16_t t = 0;

    for (int i = 0; i < 8; i++) {
        t |= (fp_reg_empty(env, i) ? 3 : fp_tag_of(fp_reg(env, i))) << (2 * i);
    }
    return t;
}

void x86_fpu_enter_mmx(CPUX86State *env)
{
    env->fpstt = 0;
    env->fptag_word = 0;
}

void x86_fpu_init(CPUX86State *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fpstt = 0;
    env->fptag_word = 0xffff;
    env->fpip = env->fpdp = 0;
    env->fpop = env->fpcs = env->fpds = 0;
}

/* Sets FERR# to level (BQL taken here: the line ends at the board's
 * interrupt logic).  vCPU thread, no lock held. */
static void fp_ferr_set(X86CPU *cpu, bool level)
{
    bql_lock(bql_cause_exception);
    cpu->ferr_level = level;
    irq_set(cpu->ferr, level);
    bql_unlock();
}

void x86_fpu_ferr_update(CPUX86State *env)
{
    X86CPU *cpu = env_x86_cpu(env);

    if (cpu->ferr_level && !(env->fpus & FSW_ES)) {
        fp_ferr_set(cpu, false);
    }
}

/*
 * The check of a waiting x87 insn, FWAIT or MMX insn for a pending
 * unmasked exception (FSW.ES).  CR0.NE = 1: #MF.  CR0.NE = 0, the
 * MS-DOS compatibility mode (SDM Vol 1 8.7, D.2.1): with IGNNE# asserted
 * the insn ignores the exception and runs; otherwise the CPU asserts
 * FERR# (deferred to this point, as Pentium and later processors may do)
 * and freezes just before the insn until an external interrupt, normally
 * the IRQ 13 that the board makes of FERR#.  The freeze is a halt with
 * EIP at the insn, so the interrupt returns to it and it runs again.
 * Without a FERR# line (no board) the exception stays pending.
 */
void x86_fpu_check_pending(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    X86CPU *cpu = env_x86_cpu(env);

    if (!(env->fpus & FSW_ES)) {
        return;
    }
    if (env->cr[0] & CR0_NE) {
        x86_fp_raise(c, EXCP10_COPR);
    }
    if (!cpu->ferr || __atomic_load_n(&cpu->ignne, __ATOMIC_ACQUIRE)) {
        return;
    }
    if (!cpu->ferr_level) {
        fp_ferr_set(cpu, true);
    }
    cpu_restore_state(c->cs, c->ra);
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    bql_lock(bql_cause_halt);
    c->cs->halted = true;
    bql_unlock();
    c->cs->exception_index = EXCP_HLT;
    cpu_loop_exit(c->cs);
}

/* ------------------------------------------------------------------ */
/* The register stack                                                  */

static int st_phys(CPUX86State *env, int i)
{
    return (env->fpstt + i) & 7;
}

static floatx80 st_get(CPUX86State *env, int i)
{
    return fp_reg(env, st_phys(env, i));
}

static bool st_empty(CPUX86State *env, int i)
{
    return fp_reg_empty(env, st_phys(env, i));
}

static void st_set(CPUX86State *env, int i, floatx80 v)
{
    int p = st_phys(env, i);

    env->fpregs[p].mant = v.mant;
    env->fpregs[p].exp = v.sign_exp;
    fp_set_tag(env, p, false);
}

static void fp_pop(CPUX86State *env)
{
    fp_set_tag(env, env->fpstt, true);
    env->fpstt = (env->fpstt + 1) & 7;
}

/* Raises exception flags (FSW bits); true if the result may be committed
 * (no unmasked IE, DE or ZE). */
static bool fp_flags(CPUX86State *env, unsigned fl)
{
    fl &= 0x7f;
    env->fpus |= fl;
    if (fl & ~env->fpuc & 0x3f) {
        env->fpus |= FSW_ES | FSW_B;
        if (fl & ~env->fpuc & (FSW_IE | FSW_DE | FSW_ZE)) {
            return false;
        }
    }
    return true;
}

/* Stack fault: IE|SF, C1 = overflow.  True if the masked response (store
 * the indefinite) applies. */
static bool fp_stack_fault(CPUX86State *env, bool overflow)
{
    env->fpus &= ~FSW_C1;
    if (overflow) {
        env->fpus |= FSW_C1;
    }
    return fp_flags(env, FSW_IE | FSW_SF);
}

/* Pushes v; on stack overflow stores the indefinite (masked) or nothing. */
static void fp_push(CPUX86State *env, floatx80 v)
{
    int p = (env->fpstt - 1) & 7;

    if (!fp_reg_empty(env, p)) {
        if (!fp_stack_fault(env, true)) {
            return;
        }
        v = fx_indefinite;
    }
    env->fpstt = p;
    st_set(env, 0, v);
}

static FloatStatus fp_status(CPUX86State *env)
{
    static const FloatX80Precision pc[4] = {
        FLOATX80_PREC_32, FLOATX80_PREC_80, FLOATX80_PREC_64,
        FLOATX80_PREC_80,
    };
    FloatStatus st = {
        .rounding_mode = (FloatRoundMode)((env->fpuc >> 10) & 3),
        .floatx80_precision = pc[(env->fpuc >> 8) & 3],
        .default_nan_negative = true,
        .nan_rule = FLOAT_NAN_X87,
        /* SDM Vol 1 4.9.1.4-5: with OE/UE unmasked a result for an x87
         * register is wrapped by 2^24576 (stores to memory of such a
         * result write nothing, fp_store_mem). */
        .overflow_trap_bias = !(env->fpuc & FSW_OE),
        .underflow_trap_bias = !(env->fpuc & FSW_UE),
    };

    return st;
}

/* Sets C1 from a rounding (round-up with PE) and clears it otherwise. */
static void fp_c1_round(CPUX86State *env, const FloatStatus *st)
{
    env->fpus &= ~FSW_C1;
    if ((st->flags & FLOAT_FLAG_INEXACT) && st->rounded_up) {
        env->fpus |= FSW_C1;
    }
}

/* ------------------------------------------------------------------ */
/* Host x87 for transcendentals, FSCALE and FXTRACT                    */

enum {
    HX_F2XM1, HX_FYL2X, HX_FPTAN, HX_FPATAN, HX_FXTRACT, HX_FYL2XP1,
    HX_FSINCOS, HX_FSCALE, HX_FSIN, HX_FCOS,
};

typedef struct HostX87 {
    /* in: ST0, ST1; out: the new ST0, ST1 (after FYL2X, FPATAN and
     * FYL2XP1, which pop, the result is the new ST0) */
    floatx80 st0, st1;
    uint16_t fcw;
    uint16_t fsw;           /* out */
} HostX87;

/*
 * Runs one insn on the host x87 with ST0/ST1 loaded and the guest's FCW:
 * its OE/UE masks (so an unmasked overflow/underflow gives the host's
 * wrapped result, SDM Vol 1 4.9.1.4-5), the other exceptions masked.
 * Returns the two top registers and the FSW, read with FNSAVE, which
 * neither waits nor traps on the pending exception and reinitialises the
 * host FPU.  The host FPU state of this thread is saved and restored
 * around it.
 */
static void host_x87(int op, HostX87 *h)
{
    struct { uint64_t m; uint16_t e; } __attribute__((packed)) in0, in1;
    uint8_t saved[108], out[108];
    uint16_t fcw = h->fcw | 0x27;

    in0.m = h->st0.mant;
    in0.e = h->st0.sign_exp;
    in1.m = h->st1.mant;
    in1.e = h->st1.sign_exp;
    __asm__ volatile("fnsave %0" : "=m"(saved));
    __asm__ volatile("fninit\n\tfldcw %0\n\tfldt %1\n\tfldt %2"
                     : : "m"(fcw), "m"(in1), "m"(in0));
    switch (op) {
    case HX_F2XM1: __asm__ volatile("f2xm1"); break;
    case HX_FYL2X: __asm__ volatile("fyl2x"); break;
    case HX_FPTAN: __asm__ volatile("fptan"); break;
    case HX_FPATAN: __asm__ volatile("fpatan"); break;
    case HX_FXTRACT: __asm__ volatile("fxtract"); break;
    case HX_FYL2XP1: __asm__ volatile("fyl2xp1"); break;
    case HX_FSINCOS: __asm__ volatile("fsincos"); break;
    case HX_FSCALE: __asm__ volatile("fscale"); break;
    case HX_FSIN: __asm__ volatile("fsin"); break;
    case HX_FCOS: __asm__ volatile("fcos"); break;
    }
    /* The 32-bit layout: FSW at 4, ST0 at 28, ST1 at 38. */
    __asm__ volatile("fnsave %0" : "=m"(out));
    __asm__ volatile("frstor %0" : : "m"(saved));
    memcpy(&h->st0.mant, out + 28, 8);
    memcpy(&h->st0.sign_exp, out + 36, 2);
    memcpy(&h->st1.mant, out + 38, 8);
    memcpy(&h->st1.sign_exp, out + 46, 2);
    memcpy(&h->fsw, out + 4, 2);
}

/* ------------------------------------------------------------------ */
/* Arithmetic                                                          */

/* D8/DC/DA/DE /0../7: r = a op b. */
static floatx80 fp_arith(int op, floatx80 a, floatx80 b, FloatStatus *st)
{
    switch (op) {
    case 0: return floatx80_add(a, b, st);
    case 1: return floatx80_mul(a, b, st);
    case 4: return floatx80_sub(a, b, st);
    case 5: return floatx80_sub(b, a, st);
    case 6: return floatx80_div(a, b, st);
    case 7: return floatx80_div(b, a, st);
    }
    g_assert_not_reached();
}

static void fp_set_cc(CPUX86State *env, uint16_t cc)
{
    env->fpus = (env->fpus & ~FSW_CC) | cc;
}

static uint16_t fp_rel_cc(FloatRelation r)
{
    switch (r) {
    case FLOAT_LESS: return FSW_C0;
    case FLOAT_EQUAL: return FSW_C3;
    case FLOAT_GREATER: return 0;
    default: return FSW_C0 | FSW_C2 | FSW_C3;
    }
}

/* FCOM/FUCOM family into C3/C2/C0 (eflags = false) or ZF/PF/CF. */
static void fp_compare(CPUX86State *env, floatx80 a, floatx80 b, bool quiet,
                       bool eflags, unsigned extra_flags)
{
    FloatStatus st = fp_status(env);
    FloatRelation r = quiet ? floatx80_compare_quiet(a, b, &st) :
                      floatx80_compare(a, b, &st);
    unsigned fl = st.flags | extra_flags;

    /* An invalid compare suppresses the DE of a converted operand. */
    if (fl & FLOAT_FLAG_INVALID) {
        fl &= ~FLOAT_FLAG_INPUT_DENORMAL;
    }
    if (!fp_flags(env, fl)) {
        return;
    }
    if (eflags) {
        static const uint32_t zpc[4] = { CC_C, CC_Z, 0, CC_Z | CC_P | CC_C };

        env->cc_src = zpc[r + 1];
        env->cc_op = CC_OP_EFLAGS;
        env->fpus &= ~FSW_C1;
    } else {
        fp_set_cc(env, fp_rel_cc(r));
    }
}

/* FXAM (SDM Vol 2A): class in C3 C2 C0, sign in C1. */
static void fp_fxam(CPUX86State *env)
{
    floatx80 f = st_get(env, 0);
    uint16_t cc = (f.sign_exp & 0x8000) ? FSW_C1 : 0;
    unsigned e = f.sign_exp & 0x7fff;

    if (st_empty(env, 0)) {
        cc |= FSW_C3 | FSW_C0;
    } else if (floatx80_is_invalid_encoding(f)) {
        cc |= 0;
    } else if (e == 0x7fff) {
        cc |= (f.mant << 1) ? FSW_C0 : (FSW_C2 | FSW_C0);
    } else if (e == 0) {
        cc |= f.mant ? (FSW_C3 | FSW_C2) : FSW_C3;
    } else {
        cc |= FSW_C2;
    }
    fp_set_cc(env, cc);
}

/* ------------------------------------------------------------------ */
/* Memory formats                                                      */

static floatx80 fp_ld80(X86FpCtx *c, uint64_t off)
{
    floatx80 f;

    f.mant = x86_fp_ld(c, off, MO_64);
    f.sign_exp = x86_fp_ld(c, off + 8, MO_16);
    return f;
}

static void fp_st80(X86FpCtx *c, uint64_t off, floatx80 f)
{
    x86_fp_st(c, off, f.mant, MO_64);
    x86_fp_st(c, off + 8, f.sign_exp, MO_16);
}

/* The memory operand of D8/DA/DC/DE arithmetic as floatx80. */
static floatx80 fp_ld_arith_operand(X86FpCtx *c, unsigned esc,
                                    FloatStatus *st)
{
    switch (esc) {
    case 0: return float32_to_floatx80(x86_fp_ld(c, 0, MO_32), st);
    case 4: return float64_to_floatx80(x86_fp_ld(c, 0, MO_64), st);
    case 2: return int32_to_floatx80((int32_t)x86_fp_ld(c, 0, MO_32), st);
    default: return int32_to_floatx80((int16_t)x86_fp_ld(c, 0, MO_16), st);
    }
}

/* FBLD: 18 packed BCD digits and a sign byte (SDM Vol 1 4.7). */
static floatx80 fp_bcd_to_fx(X86FpCtx *c)
{
    uint64_t lo = x86_fp_ld(c, 0, MO_64);
    uint16_t hi = x86_fp_ld(c, 8, MO_16);
    int64_t v = 0;
    FloatStatus st = fp_status(c->env);
    floatx80 f;

    for (int i = 8; i >= 0; i--) {
        uint8_t b = i == 8 ? (hi & 0xff) : (lo >> (8 * i));

        v = v * 100 + (b >> 4) * 10 + (b & 15);
    }
    f = int64_to_floatx80(v, &st);
    if (hi & 0x8000) {
        f.sign_exp |= 0x8000;
    }
    return f;
}

/* C1 after an inexact integer conversion: set if the integer v is
 * larger in magnitude than f (rounded away from zero). */
static void fp_c1_int(CPUX86State *env, floatx80 f, int64_t v, bool inexact)
{
    FloatStatus st = fp_status(env);
    floatx80 fv;

    env->fpus &= ~FSW_C1;
    if (!inexact) {
        return;
    }
    st.floatx80_precision = FLOATX80_PREC_80;
    fv = int64_to_floatx80(v, &st);
    fv.sign_exp &= 0x7fff;
    f.sign_exp &= 0x7fff;
    if (floatx80_compare_quiet(fv, f, &st) == FLOAT_GREATER) {
        env->fpus |= FSW_C1;
    }
}

static void fp_fbstp(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    FloatStatus st = fp_status(env);
    floatx80 f = st_get(env, 0);
    floatx80 r = floatx80_round_to_int(f, &st);
    bool neg = f.sign_exp & 0x8000;
    unsigned e = r.sign_exp & 0x7fff;
    uint64_t v = 0, lo = 0, hi = 0, bcd_val;
    bool invalid = floatx80_is_nan(f) || floatx80_is_inf(f) ||
                   floatx80_is_invalid_encoding(f);

    if (!invalid && !floatx80_is_zero(r)) {
        if (e >= 0x3fff + 60) {
            invalid = true;
        } else {
            v = r.mant >> (63 - (e - 0x3fff));
            invalid = v > 999999999999999999ull;
        }
    }
    bcd_val = v;
    /* Like FST m32/m64, FBSTP of a denormal raises no DE (measured). */
    st.flags &= ~FLOAT_FLAG_INPUT_DENORMAL;
    if (invalid) {
        /* The packed BCD indefinite (SDM Vol 1 4.7). */
        st.flags = FLOAT_FLAG_INVALID | (st.flags & FLOAT_FLAG_INPUT_DENORMAL);
        lo = 0xc000000000000000ull;
        hi = 0xffff;
    } else {
        for (int i = 0; i < 9; i++) {
            uint64_t pair = (v % 10) | ((v / 10) % 10) << 4;

            v /= 100;
            if (i < 8) {
                lo |= pair << (8 * i);
            } else {
                hi = pair;
            }
        }
        hi |= neg ? 0x8000 : 0;
    }
    if (!fp_flags(env, st.flags)) {
        return;
    }
    x86_fp_probe_write(c, 10);
    x86_fp_st(c, 0, lo, MO_64);
    x86_fp_st(c, 8, hi, MO_16);
    fp_c1_int(env, f, invalid ? 0 : (neg ? -(int64_t)bcd_val : (int64_t)bcd_val),
              !invalid && (st.flags & FLOAT_FLAG_INEXACT));
    fp_pop(env);
}

/* FSTENV/FLDENV/FSAVE/FRSTOR layouts (SDM Vol 1 8.1.10, figures 8-9 to
 * 8-12): 32-bit (28 bytes) or 16-bit (14 bytes), protected or real. */
static bool fp_env_real(CPUX86State *env)
{
    return !(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK);
}

static unsigned fp_env_size(X86FpCtx *c)
{
    return c->d.osize == MO_16 ? 14 : 28;
}

static void fp_stenv(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    bool w32 = c->d.osize != MO_16;
    MemOp sz = w32 ? MO_32 : MO_16;
    unsigned step = w32 ? 4 : 2;
    uint32_t ip = env->fpip, dp = env->fpdp;

    x86_fp_st(c, 0 * step, env->fpuc, sz);
    x86_fp_st(c, 1 * step, x86_fpu_fsw(env), sz);
    x86_fp_st(c, 2 * step, x86_fpu_full_tags(env), sz);
    if (fp_env_real(env)) {
        uint32_t ip_lin = ip + ((uint32_t)env->fpcs << 4);
        uint32_t dp_lin = dp + ((uint32_t)env->fpds << 4);

        if (w32) {
            x86_fp_st(c, 12, ip_lin & 0xffff, MO_32);
            x86_fp_st(c, 16, ((ip_lin >> 16) << 12) | (env->fpop & 0x7ff),
                      MO_32);
            x86_fp_st(c, 20, dp_lin & 0xffff, MO_32);
            x86_fp_st(c, 24, (dp_lin >> 16) << 12, MO_32);
        } else {
            x86_fp_st(c, 6, ip_lin & 0xffff, MO_16);
            x86_fp_st(c, 8, (((ip_lin >> 16) & 0xf) << 12) |
                      (env->fpop & 0x7ff), MO_16);
            x86_fp_st(c, 10, dp_lin & 0xffff, MO_16);
            x86_fp_st(c, 12, ((dp_lin >> 16) & 0xf) << 12, MO_16);
        }
    } else if (w32) {
        x86_fp_st(c, 12, ip, MO_32);
        x86_fp_st(c, 16, env->fpcs | ((uint32_t)(env->fpop & 0x7ff) << 16),
                  MO_32);
        x86_fp_st(c, 20, dp, MO_32);
        x86_fp_st(c, 24, env->fpds, MO_32);
    } else {
        x86_fp_st(c, 6, ip & 0xffff, MO_16);
        x86_fp_st(c, 8, env->fpcs, MO_16);
        x86_fp_st(c, 10, dp & 0xffff, MO_16);
        x86_fp_st(c, 12, env->fpds, MO_16);
    }
}

/* Tag word from memory: only "empty" matters (SDM Vol 1 8.1.7). */
static void fp_load_tags(CPUX86State *env, uint16_t tags)
{
    env->fptag_word = 0;
    for (int i = 0; i < 8; i++) {
        fp_set_tag(env, i, ((tags >> (2 * i)) & 3) == 3);
    }
}

static void fp_ldenv(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    bool w32 = c->d.osize != MO_16;
    MemOp sz = w32 ? MO_32 : MO_16;
    unsigned step = w32 ? 4 : 2;
    uint16_t fcw = x86_fp_ld(c, 0, sz);
    uint16_t fsw = x86_fp_ld(c, step, sz);
    uint16_t tags = x86_fp_ld(c, 2 * step, sz);

    if (fp_env_real(env)) {
        if (w32) {
            uint32_t w16 = x86_fp_ld(c, 16, MO_32);

            env->fpip = (x86_fp_ld(c, 12, MO_32) & 0xffff) |
                        ((w16 >> 12) << 16);
            env->fpop = w16 & 0x7ff;
            env->fpdp = (x86_fp_ld(c, 20, MO_32) & 0xffff) |
                        ((x86_fp_ld(c, 24, MO_32) >> 12) << 16);
        } else {
            uint16_t w8 = x86_fp_ld(c, 8, MO_16);

            env->fpip = x86_fp_ld(c, 6, MO_16) | ((w8 >> 12) << 16);
            env->fpop = w8 & 0x7ff;
            env->fpdp = x86_fp_ld(c, 10, MO_16) |
                        ((x86_fp_ld(c, 12, MO_16) >> 12) << 16);
        }
        env->fpcs = env->fpds = 0;
    } else if (w32) {
        uint32_t w16 = x86_fp_ld(c, 16, MO_32);

        env->fpip = x86_fp_ld(c, 12, MO_32);
        env->fpcs = w16 & 0xffff;
        env->fpop = (w16 >> 16) & 0x7ff;
        env->fpdp = x86_fp_ld(c, 20, MO_32);
        env->fpds = x86_fp_ld(c, 24, MO_32);
    } else {
        env->fpip = x86_fp_ld(c, 6, MO_16);
        env->fpcs = x86_fp_ld(c, 8, MO_16);
        env->fpdp = x86_fp_ld(c, 10, MO_16);
        env->fpds = x86_fp_ld(c, 12, MO_16);
    }
    env->fpuc = fcw;
    x86_fpu_set_fsw(env, fsw);
    fp_load_tags(env, tags);
}

/* ------------------------------------------------------------------ */
/* Register forms                                                      */

static void fp_fld_const(CPUX86State *env, unsigned m)
{
    FloatStatus st = fp_status(env);
    floatx80 v;

    switch (m) {
    case 0: v = (floatx80){ 0x8000000000000000ull, 0x3fff }; break;
    case 1: v = floatx80_const(FLOATX80_CONST_L2T, &st); break;
    case 2: v = floatx80_const(FLOATX80_CONST_L2E, &st); break;
    case 3: v = floatx80_const(FLOATX80_CONST_PI, &st); break;
    case 4: v = floatx80_const(FLOATX80_CONST_LG2, &st); break;
    case 5: v = floatx80_const(FLOATX80_CONST_LN2, &st); break;
    case 6: v = fx_zero; break;
    default: return;
    }
    env->fpus &= ~FSW_C1;
    fp_push(env, v);
}

/* D9 F0-FF with the host x87 (transcendentals, FSCALE, FXTRACT). */
static void fp_host_op(CPUX86State *env, int op)
{
    bool two_in = op == HX_FYL2X || op == HX_FPATAN || op == HX_FYL2XP1 ||
                  op == HX_FSCALE;
    bool pops = op == HX_FYL2X || op == HX_FPATAN || op == HX_FYL2XP1;
    bool pushes = op == HX_FPTAN || op == HX_FXTRACT || op == HX_FSINCOS;
    HostX87 h = { .fcw = env->fpuc };

    if (st_empty(env, 0) || (two_in && st_empty(env, 1))) {
        if (fp_stack_fault(env, false)) {
            if (pops) {
                st_set(env, 1, fx_indefinite);
                fp_pop(env);
            } else {
                st_set(env, 0, fx_indefinite);
                if (pushes) {
                    fp_push(env, fx_indefinite);
                }
            }
        }
        return;
    }
    if (pushes && !st_empty(env, 7)) {
        if (fp_stack_fault(env, true)) {
            st_set(env, 0, fx_indefinite);
            fp_push(env, fx_indefinite);
        }
        return;
    }
    h.st0 = st_get(env, 0);
    h.st1 = st_get(env, 1);
    host_x87(op, &h);
    if (!fp_flags(env, h.fsw & 0x3f)) {
        return;
    }
    env->fpus = (env->fpus & ~FSW_CC) | (h.fsw & FSW_CC);
    if ((op == HX_FPTAN || op == HX_FSIN || op == HX_FCOS ||
         op == HX_FSINCOS) && (h.fsw & FSW_C2)) {
        return;                 /* out of range: operand unchanged */
    }
    if (pops) {
        st_set(env, 1, h.st0);
        fp_pop(env);
    } else if (pushes) {
        st_set(env, 0, h.st1);
        fp_push(env, h.st0);
    } else {
        st_set(env, 0, h.st0);
    }
}

static void fp_fprem(CPUX86State *env, bool nearest)
{
    FloatStatus st = fp_status(env);
    uint64_t q = 0;
    bool partial = false;
    floatx80 r;
    uint16_t cc = 0;

    if (st_empty(env, 0) || st_empty(env, 1)) {
        if (fp_stack_fault(env, false)) {
            st_set(env, 0, fx_indefinite);
        }
        return;
    }
    r = floatx80_modrem(st_get(env, 0), st_get(env, 1), nearest, &q,
                        &partial, &st);
    if (!fp_flags(env, st.flags)) {
        return;
    }
    if (partial) {
        cc = FSW_C2;
    } else {
        cc = ((q & 1) ? FSW_C1 : 0) | ((q & 2) ? FSW_C3 : 0) |
             ((q & 4) ? FSW_C0 : 0);
    }
    fp_set_cc(env, cc);
    st_set(env, 0, r);
}

/* D9 register forms.  Returns false for an undefined encoding. */
static bool fp_d9_reg(X86FpCtx *c, unsigned modrm)
{
    CPUX86State *env = c->env;
    unsigned i = modrm & 7;
    FloatStatus st = fp_status(env);
    floatx80 a, r;

    switch (modrm & 0xf8) {
    case 0xc0:                  /* FLD ST(i) */
        if (st_empty(env, i)) {
            if (fp_stack_fault(env, false)) {
                fp_push(env, fx_indefinite);
            }
            return true;
        }
        env->fpus &= ~FSW_C1;
        fp_push(env, st_get(env, i));
        return true;
    case 0xc8:                  /* FXCH ST(i) */
        if (st_empty(env, 0) || st_empty(env, i)) {
            if (!fp_stack_fault(env, false)) {
                return true;
            }
            if (st_empty(env, 0)) {
                st_set(env, 0, fx_indefinite);
            }
            if (st_empty(env, i)) {
                st_set(env, i, fx_indefinite);
            }
        }
        a = st_get(env, 0);
        st_set(env, 0, st_get(env, i));
        st_set(env, i, a);
        env->fpus &= ~FSW_C1;
        return true;
    case 0xd8:                  /* FSTP1 (reserved alias of DD D8+i) */
        goto fstp;
    }
    switch (modrm) {
    case 0xd0:                  /* FNOP */
        return true;
    case 0xe0: case 0xe1:       /* FCHS, FABS */
        if (st_empty(env, 0)) {
            if (fp_stack_fault(env, false)) {
                st_set(env, 0, fx_indefinite);
            }
            return true;
        }
        a = st_get(env, 0);
        a.sign_exp = modrm == 0xe0 ? a.sign_exp ^ 0x8000 :
                     a.sign_exp & 0x7fff;
        st_set(env, 0, a);
        env->fpus &= ~FSW_C1;
        return true;
    case 0xe4:                  /* FTST */
        if (st_empty(env, 0)) {
            if (fp_stack_fault(env, false)) {
                fp_set_cc(env, FSW_C0 | FSW_C2 | FSW_C3);
            }
            return true;
        }
        fp_compare(env, st_get(env, 0), fx_zero, false, false, 0);
        return true;
    case 0xe5:                  /* FXAM */
        fp_fxam(env);
        return true;
    case 0xe8 ... 0xee:
        fp_fld_const(env, modrm - 0xe8);
        return true;
    case 0xf0: fp_host_op(env, HX_F2XM1); return true;
    case 0xf1: fp_host_op(env, HX_FYL2X); return true;
    case 0xf2: fp_host_op(env, HX_FPTAN); return true;
    case 0xf3: fp_host_op(env, HX_FPATAN); return true;
    case 0xf4: fp_host_op(env, HX_FXTRACT); return true;
    case 0xf5: fp_fprem(env, true); return true;
    case 0xf6: case 0xf7:       /* FDECSTP, FINCSTP */
        env->fpstt = (env->fpstt + (modrm == 0xf7 ? 1 : -1)) & 7;
        env->fpus &= ~FSW_C1;
        return true;
    case 0xf8: fp_fprem(env, false); return true;
    case 0xf9: fp_host_op(env, HX_FYL2XP1); return true;
    case 0xfa: case 0xfc:       /* FSQRT, FRNDINT */
        if (st_empty(env, 0)) {
            if (fp_stack_fault(env, false)) {
                st_set(env, 0, fx_indefinite);
            }
            return true;
        }
        r = modrm == 0xfa ? floatx80_sqrt(st_get(env, 0), &st) :
            floatx80_round_to_int(st_get(env, 0), &st);
        if (fp_flags(env, st.flags)) {
            fp_c1_round(env, &st);
            st_set(env, 0, r);
        }
        return true;
    case 0xfb: fp_host_op(env, HX_FSINCOS); return true;
    case 0xfd: fp_host_op(env, HX_FSCALE); return true;
    case 0xfe: fp_host_op(env, HX_FSIN); return true;
    case 0xff: fp_host_op(env, HX_FCOS); return true;
    default:
        return false;
    }
fstp:
    if (st_empty(env, 0)) {
        if (fp_stack_fault(env, false)) {
            st_set(env, i, fx_indefinite);
            fp_pop(env);
        }
        return true;
    }
    st_set(env, i, st_get(env, 0));
    env->fpus &= ~FSW_C1;
    fp_pop(env);
    return true;
}

/* ST(dst) = ST(dst) op ST(src) style arithmetic on registers. */
static void fp_arith_reg(CPUX86State *env, int op, int dst, int src,
                         bool pop)
{
    FloatStatus st = fp_status(env);
    floatx80 r;

    if (st_empty(env, dst) || st_empty(env, src)) {
        if (fp_stack_fault(env, false)) {
            st_set(env, dst, fx_indefinite);
            if (pop) {
                fp_pop(env);
            }
        }
        return;
    }
    r = fp_arith(op, st_get(env, dst), st_get(env, src), &st);
    if (!fp_flags(env, st.flags)) {
        return;
    }
    fp_c1_round(env, &st);
    st_set(env, dst, r);
    if (pop) {
        fp_pop(env);
    }
}

/* FCOM/FCOMP/FUCOM.. on registers; pops: 0, 1 or 2. */
static void fp_compare_reg(CPUX86State *env, int i, bool quiet, bool eflags,
                           int pops)
{
    if (st_empty(env, 0) || st_empty(env, i)) {
        if (!fp_stack_fault(env, false)) {
            return;
        }
        if (eflags) {
            env->cc_src = CC_Z | CC_P | CC_C;
            env->cc_op = CC_OP_EFLAGS;
        } else {
            fp_set_cc(env, FSW_C0 | FSW_C2 | FSW_C3);
        }
    } else {
        unsigned before = env->fpus;

        fp_compare(env, st_get(env, 0), st_get(env, i), quiet, eflags, 0);
        if ((env->fpus & ~before & FSW_IE) && (~env->fpuc & FSW_IE)) {
            return;             /* unmasked IE: no pop */
        }
    }
    while (pops-- > 0) {
        fp_pop(env);
    }
}

static bool fp_fcmov_cond(CPUX86State *env, unsigned cc)
{
    uint32_t fl = cpu_cc_compute_all(env);

    switch (cc) {
    case 0: return fl & CC_C;                   /* B */
    case 1: return fl & CC_Z;                   /* E */
    case 2: return fl & (CC_C | CC_Z);          /* BE */
    default: return fl & CC_P;                  /* U */
    }
}

/* ------------------------------------------------------------------ */
/* Memory forms                                                        */

/* Stores ST0 to memory in the format of esc/reg; pops if pop. */
static void fp_store_mem(X86FpCtx *c, unsigned kind, bool pop)
{
    CPUX86State *env = c->env;
    FloatStatus st = fp_status(env);
    floatx80 f;
    uint64_t v = 0;
    MemOp sz = MO_32;

    if (st_empty(env, 0)) {
        if (!fp_stack_fault(env, false)) {
            return;
        }
        switch (kind) {
        case 0: v = 0xffc00000u; sz = MO_32; break;
        case 1: v = 0xfff8000000000000ull; sz = MO_64; break;
        case 2: v = 0x80000000u; sz = MO_32; break;
        case 3: v = 0x8000000000000000ull; sz = MO_64; break;
        case 4: v = 0x8000; sz = MO_16; break;
        case 5: case 6: case 7:
            v = kind == 5 ? 0x80000000u :
                kind == 6 ? 0x8000000000000000ull : 0x8000;
            sz = kind == 5 ? MO_32 : kind == 6 ? MO_64 : MO_16;
            break;
        }
        x86_fp_st(c, 0, v, sz);
        if (pop) {
            fp_pop(env);
        }
        return;
    }
    f = st_get(env, 0);
    switch (kind) {
    case 0: v = floatx80_to_float32(f, &st); sz = MO_32; break;
    case 1: v = floatx80_to_float64(f, &st); sz = MO_64; break;
    case 2: v = (uint32_t)floatx80_to_int32(f, &st); sz = MO_32; break;
    case 3: v = floatx80_to_int64(f, &st); sz = MO_64; break;
    case 4: v = (uint16_t)floatx80_to_int16(f, &st); sz = MO_16; break;
    case 5:
        v = (uint32_t)floatx80_to_int32_round_to_zero(f, &st);
        sz = MO_32;
        break;
    case 6: v = floatx80_to_int64_round_to_zero(f, &st); sz = MO_64; break;
    case 7:
        st.rounding_mode = FLOAT_ROUND_TO_ZERO;
        v = (uint16_t)floatx80_to_int16(f, &st);
        sz = MO_16;
        break;
    }
    /* Unmasked overflow/underflow on a store: nothing is written either
     * (SDM Vol 1 4.9.2, FST), and as nothing was rounded PE stays clear
     * (measured); the stack is not popped. */
    if ((st.flags & ~env->fpuc & (FLOAT_FLAG_OVERFLOW |
                                  FLOAT_FLAG_UNDERFLOW))) {
        fp_flags(env, st.flags & ~FLOAT_FLAG_INEXACT);
        return;
    }
    if (!fp_flags(env, st.flags)) {
        return;
    }
    x86_fp_st(c, 0, v, sz);
    if (kind >= 2) {
        int64_t sv = sz == MO_16 ? (int16_t)v : sz == MO_32 ? (int32_t)v :
                     (int64_t)v;

        fp_c1_int(env, f, sv, (st.flags & FLOAT_FLAG_INEXACT) &&
                  !(st.flags & FLOAT_FLAG_INVALID));
    } else {
        fp_c1_round(env, &st);
    }
    if (pop) {
        fp_pop(env);
    }
}

static void fp_push_loaded(CPUX86State *env, floatx80 v, FloatStatus *st)
{
    if (!fp_reg_empty(env, (env->fpstt - 1) & 7)) {
        fp_push(env, v);        /* stack overflow */
        return;
    }
    if (!fp_flags(env, st->flags)) {
        return;
    }
    env->fpus &= ~FSW_C1;
    fp_push(env, v);
}

/* FSAVE/FRSTOR: the environment then ST0..ST7. */
static void fp_fsave(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    unsigned base = fp_env_size(c);

    x86_fp_probe_write(c, base + 80);
    fp_stenv(c);
    for (int i = 0; i < 8; i++) {
        fp_st80(c, base + 10 * i, st_get(env, i));
    }
    x86_fpu_init(env);
}

static void fp_frstor(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    unsigned base = fp_env_size(c);
    floatx80 r[8];

    for (int i = 0; i < 8; i++) {
        r[i] = fp_ld80(c, base + 10 * i);
    }
    fp_ldenv(c);
    for (int i = 0; i < 8; i++) {
        int p = st_phys(env, i);

        env->fpregs[p].mant = r[i].mant;
        env->fpregs[p].exp = r[i].sign_exp;
    }
}

/* Returns false for an undefined encoding. */
static bool fp_mem(X86FpCtx *c, unsigned esc, unsigned reg)
{
    CPUX86State *env = c->env;
    FloatStatus st = fp_status(env);
    floatx80 a, b, r;

    switch (esc) {
    case 0: case 2: case 4: case 6: {   /* arithmetic with m32/m64/int */
        FloatStatus cs = fp_status(env);
        unsigned fl;

        b = fp_ld_arith_operand(c, esc, &cs);
        if (st_empty(env, 0)) {
            if (fp_stack_fault(env, false)) {
                if (reg == 2 || reg == 3) {
                    fp_set_cc(env, FSW_C0 | FSW_C2 | FSW_C3);
                    if (reg == 3) {
                        fp_pop(env);
                    }
                } else {
                    st_set(env, 0, fx_indefinite);
                }
            }
            return true;
        }
        a = st_get(env, 0);
        if (reg == 2 || reg == 3) {
            unsigned before = env->fpus;

            fp_compare(env, a, b, false, false, cs.flags);
            if (reg == 3 && !((env->fpus & ~before & FSW_IE) &&
                              (~env->fpuc & FSW_IE))) {
                fp_pop(env);
            }
            return true;
        }
        r = fp_arith(reg, a, b, &st);
        /* The converted operand was an SNaN (now quiet): a QNaN in ST0
         * wins (SDM Vol 1 table 4-7, x87 column). */
        if ((cs.flags & FLOAT_FLAG_INVALID) && floatx80_is_nan(a)) {
            if (!floatx80_is_signaling_nan(a)) {
                r = a;
            } else {
                /* Two SNaNs: the larger significand, compared before
                 * quieting; equal ones: the positive one. */
                uint64_t bm = b.mant & ~(1ull << 62);

                r = a.mant > bm ? a : a.mant < bm ? b :
                    (a.sign_exp & 0x8000) ? b : a;
                r.mant |= 1ull << 62;
            }
        }
        fl = st.flags | cs.flags;
        /* A NaN operand, an invalid operation or a division by zero
         * suppresses DE (docs/devel/softfloat.md). */
        if ((fl & (FLOAT_FLAG_INVALID | FLOAT_FLAG_DIVBYZERO)) ||
            floatx80_is_nan(a) || floatx80_is_nan(b)) {
            fl &= ~FLOAT_FLAG_INPUT_DENORMAL;
        }
        if (fp_flags(env, fl)) {
            fp_c1_round(env, &st);
            st_set(env, 0, r);
        }
        return true;
    }
    case 1:
        switch (reg) {
        case 0:
            a = float32_to_floatx80(x86_fp_ld(c, 0, MO_32), &st);
            fp_push_loaded(env, a, &st);
            return true;
        case 2: case 3:
            fp_store_mem(c, 0, reg == 3);
            return true;
        case 4:
            fp_ldenv(c);
            return true;
        case 5:
            env->fpuc = x86_fp_ld(c, 0, MO_16);
            x86_fpu_set_fsw(env, x86_fpu_fsw(env));
            return true;
        case 6:
            x86_fp_probe_write(c, fp_env_size(c));
            fp_stenv(c);
            env->fpuc |= 0x3f;
            return true;
        case 7:
            x86_fp_st(c, 0, env->fpuc, MO_16);
            return true;
        }
        return false;
    case 3:
        switch (reg) {
        case 0:
            a = int32_to_floatx80((int32_t)x86_fp_ld(c, 0, MO_32), &st);
            fp_push_loaded(env, a, &st);
            return true;
        case 1: fp_store_mem(c, 5, true); return true;
        case 2: fp_store_mem(c, 2, false); return true;
        case 3: fp_store_mem(c, 2, true); return true;
        case 5:
            a = fp_ld80(c, 0);
            fp_push_loaded(env, a, &st);
            return true;
        case 7:
            if (st_empty(env, 0)) {
                if (fp_stack_fault(env, false)) {
                    fp_st80(c, 0, fx_indefinite);
                    fp_pop(env);
                }
                return true;
            }
            x86_fp_probe_write(c, 10);
            fp_st80(c, 0, st_get(env, 0));
            env->fpus &= ~FSW_C1;
            fp_pop(env);
            return true;
        }
        return false;
    case 5:
        switch (reg) {
        case 0:
            a = float64_to_floatx80(x86_fp_ld(c, 0, MO_64), &st);
            fp_push_loaded(env, a, &st);
            return true;
        case 1: fp_store_mem(c, 6, true); return true;
        case 2: case 3:
            fp_store_mem(c, 1, reg == 3);
            return true;
        case 4: fp_frstor(c); return true;
        case 6: fp_fsave(c); return true;
        case 7: x86_fp_st(c, 0, x86_fpu_fsw(env), MO_16); return true;
        }
        return false;
    case 7:
        switch (reg) {
        case 0:
            a = int32_to_floatx80((int16_t)x86_fp_ld(c, 0, MO_16), &st);
            fp_push_loaded(env, a, &st);
            return true;
        case 1: fp_store_mem(c, 7, true); return true;
        case 2: fp_store_mem(c, 4, false); return true;
        case 3: fp_store_mem(c, 4, true); return true;
        case 4:
            a = fp_bcd_to_fx(c);
            fp_push_loaded(env, a, &st);
            return true;
        case 5:
            a = int64_to_floatx80((int64_t)x86_fp_ld(c, 0, MO_64), &st);
            fp_push_loaded(env, a, &st);
            return true;
        case 6:
            if (st_empty(env, 0)) {
                if (fp_stack_fault(env, false)) {
                    x86_fp_st(c, 0, 0xc000000000000000ull, MO_64);
                    x86_fp_st(c, 8, 0xffff, MO_16);
                    fp_pop(env);
                }
                return true;
            }
            fp_fbstp(c);
            return true;
        case 7: fp_store_mem(c, 3, true); return true;
        }
        return false;
    }
    return false;
}

/* Register forms of D8, DA-DF.  Returns false for undefined encodings. */
static bool fp_reg_form(X86FpCtx *c, unsigned esc, unsigned modrm)
{
    CPUX86State *env = c->env;
    unsigned reg = (modrm >> 3) & 7, i = modrm & 7;

    switch (esc) {
    case 0:
        if (reg == 2 || reg == 3) {
            fp_compare_reg(env, i, false, false, reg == 3);
        } else {
            fp_arith_reg(env, reg, 0, i, false);
        }
        return true;
    case 1:
        return fp_d9_reg(c, modrm);
    case 2:
        if (modrm == 0xe9) {            /* FUCOMPP */
            fp_compare_reg(env, 1, true, false, 2);
            return true;
        }
        if (reg < 4) {                  /* FCMOVB/E/BE/U */
            if (st_empty(env, 0) || st_empty(env, i)) {
                if (fp_stack_fault(env, false)) {
                    st_set(env, 0, fx_indefinite);
                }
                return true;
            }
            env->fpus &= ~FSW_C1;
            if (fp_fcmov_cond(env, reg)) {
                st_set(env, 0, st_get(env, i));
            }
            return true;
        }
        return false;
    case 3:
        if (reg < 4) {                  /* FCMOVNB/NE/NBE/NU */
            if (st_empty(env, 0) || st_empty(env, i)) {
                if (fp_stack_fault(env, false)) {
                    st_set(env, 0, fx_indefinite);
                }
                return true;
            }
            env->fpus &= ~FSW_C1;
            if (!fp_fcmov_cond(env, reg)) {
                st_set(env, 0, st_get(env, i));
            }
            return true;
        }
        switch (modrm) {
        case 0xe0: case 0xe1: case 0xe4:    /* FENI, FDISI, FSETPM: nops */
            return true;
        case 0xe2:                          /* FNCLEX */
            env->fpus &= ~(0x7f | FSW_ES | FSW_B);
            return true;
        case 0xe3:                          /* FNINIT */
            x86_fpu_init(env);
            return true;
        }
        if (reg == 5 || reg == 6) {         /* FUCOMI, FCOMI */
            fp_compare_reg(env, i, reg == 5, true, 0);
            return true;
        }
        return false;
    case 4:
        if (reg == 2 || reg == 3) {         /* FCOM2/FCOMP3 aliases */
            fp_compare_reg(env, i, false, false, reg == 3);
        } else {
            /* DC: ST(i) = ST(i) op ST0, with SUB/SUBR and DIV/DIVR
             * swapped in the encoding (SDM Vol 2A FSUB). */
            static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };

            fp_arith_reg(env, swap[reg], i, 0, false);
        }
        return true;
    case 5:
        switch (reg) {
        case 0:                             /* FFREE */
            fp_set_tag(env, st_phys(env, i), true);
            return true;
        case 1: {                           /* FXCH4 alias */
            return fp_d9_reg(c, 0xc8 | i);
        }
        case 2: case 3:                     /* FST/FSTP ST(i) */
            if (st_empty(env, 0)) {
                if (fp_stack_fault(env, false)) {
                    st_set(env, i, fx_indefinite);
                    if (reg == 3) {
                        fp_pop(env);
                    }
                }
                return true;
            }
            st_set(env, i, st_get(env, 0));
            env->fpus &= ~FSW_C1;
            if (reg == 3) {
                fp_pop(env);
            }
            return true;
        case 4: case 5:                     /* FUCOM, FUCOMP */
            fp_compare_reg(env, i, true, false, reg == 5);
            return true;
        }
        return false;
    case 6:
        if (reg == 3) {
            if (modrm == 0xd9) {            /* FCOMPP */
                fp_compare_reg(env, 1, false, false, 2);
                return true;
            }
            return false;
        }
        if (reg == 2) {                     /* FCOMP5 alias */
            fp_compare_reg(env, i, false, false, 1);
            return true;
        }
        {
            static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };

            fp_arith_reg(env, swap[reg], i, 0, true);
        }
        return true;
    case 7:
        switch (reg) {
        case 0:                             /* FFREEP */
            fp_set_tag(env, st_phys(env, i), true);
            fp_pop(env);
            return true;
        case 1:                             /* FXCH7 alias */
            return fp_d9_reg(c, 0xc8 | i);
        case 2: case 3:                     /* FSTP8/FSTP9 aliases */
            return fp_reg_form(c, 5, 0xd8 | i);
        case 4:
            if (modrm == 0xe0) {            /* FNSTSW AX */
                env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) |
                                   x86_fpu_fsw(env);
                return true;
            }
            return false;
        case 5: case 6:                     /* FUCOMIP, FCOMIP */
            fp_compare_reg(env, i, reg == 5, true, 1);
            return true;
        }
        return false;
    }
    return false;
}

/* Non-waiting control insns neither check for pending exceptions nor
 * update FIP/FOP (SDM Vol 1 8.3.11, 8.1.8). */
static bool fp_is_control(unsigned esc, bool mem, unsigned modrm)
{
    unsigned reg = (modrm >> 3) & 7;

    if (mem) {
        return (esc == 1 && reg >= 4) || (esc == 5 && reg >= 4);
    }
    return (esc == 3 && (modrm == 0xe2 || modrm == 0xe3 || modrm == 0xe0 ||
                         modrm == 0xe1 || modrm == 0xe4)) ||
           (esc == 7 && modrm == 0xe0);
}

static void fp_check_nm(X86FpCtx *c)
{
    if (c->env->cr[0] & (CR0_EM | CR0_TS)) {
        x86_fp_raise(c, EXCP07_PREX);
    }
}

/* D8-DF.  desc: X86FpDesc; a0: memory operand; eip: the insn's EIP. */
static void x86_helper_x87(void *envp, uint64_t desc, uint64_t a0,
                           uint64_t eip)
{
    CPUX86State *env = envp;
    X86FpCtx c = { env, env_cpu(env), { .raw = desc }, a0, GETPC() };
    unsigned esc = c.d.opcode & 7, modrm = c.d.modrm;
    bool control = fp_is_control(esc, c.d.mem, modrm);
    bool waiting_ctl = c.d.mem && ((esc == 1 && (modrm & 0x38) == 0x20) ||
                                   (esc == 1 && (modrm & 0x38) == 0x28) ||
                                   (esc == 5 && (modrm & 0x38) == 0x20));
    bool ok;

    fp_check_nm(&c);
    /* FLDENV, FLDCW and FRSTOR are control insns that still wait. */
    if (!control || waiting_ctl) {
        x86_fpu_check_pending(&c);
    }
    if (!control) {
        env->fpip = eip;
        env->fpcs = env->segs[R_CS].selector;
        env->fpop = ((esc << 8) | modrm) & 0x7ff;
        if (c.d.mem) {
            uint64_t off = a0 - env->segs[c.d.seg].base;

            env->fpdp = c.d.mode == X86_MODE_64 ? a0 : (uint32_t)off;
            env->fpds = env->segs[c.d.seg].selector;
        }
    }
    ok = c.d.mem ? fp_mem(&c, esc, (modrm >> 3) & 7) :
         fp_reg_form(&c, esc, modrm);
    if (!ok) {
        x86_fp_raise(&c, EXCP06_ILLOP);
    }
    x86_fpu_ferr_update(env);
}

const TCGHelperInfo x86_helper_x87_info = {
    .func = x86_helper_x87, .name = "x87", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};

/* FWAIT: #NM if CR0.MP and CR0.TS, then pending exceptions. */
static void x86_helper_fwait(void *envp, uint64_t desc, uint64_t a0,
                             uint64_t eip)
{
    CPUX86State *env = envp;
    X86FpCtx c = { env, env_cpu(env), { .raw = desc }, a0, GETPC() };

    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_fp_raise(&c, EXCP07_PREX);
    }
    x86_fpu_check_pending(&c);
}

const TCGHelperInfo x86_helper_fwait_info = {
    .func = x86_helper_fwait, .name = "fwait", .flags = TCG_CALL_NO_WG,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};

const TCGHelperInfo x86_helper_x87_nowg_info = {
    .func = x86_helper_x87, .name = "x87", .flags = TCG_CALL_NO_WG,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};
