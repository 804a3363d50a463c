/*
 * sse_helper.c: MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 in their
 * legacy (non-VEX) encodings, and MXCSR.
 *
 * The translator turns each X86_SSE insn (one decoder entry per opcode of
 * the 0F, 0F 38 and 0F 3A maps) into one call of x86_helper_sse with the
 * decoded insn (X86FpDesc), the linear address of its memory operand and
 * its EIP.  The helper picks the insn by opcode and mandatory prefix (SDM
 * Vol 2 appendix A), checks the architectural conditions at run time
 * (SDM Vol 3A 2.5, 13.1, Vol 2 tables 2-18ff):
 *   - MMX forms: CR0.EM -> #UD, CR0.TS -> #NM, pending x87 exception ->
 *     #MF; then TOP = 0 and all tags valid (SDM Vol 1 9.5.1);
 *   - SSE forms: CR0.EM or !CR4.OSFXSR -> #UD, CR0.TS -> #NM;
 *   - 16-byte memory operands of the non-"U" forms must be aligned: #GP(0);
 *   - unmasked SIMD FP exceptions: #XM if CR4.OSXMMEXCPT, else #UD; the
 *     destination is left unchanged, MXCSR gets the flags,
 * then reads the operands, computes into a temporary and writes the
 * destination last, so a fault leaves the guest state unchanged.
 *
 * AES-NI (0F 38 DB-DF, 0F 3A DF) uses the round primitives of aes.c.
 *
 * Floating point goes through fpu/softfloat.c with MXCSR's rounding
 * control, FTZ and DAZ (FloatStatus from sse_status()).  RCPPS/RCPSS/
 * RSQRTPS/RSQRTSS are approximations whose exact bits are
 * implementation-specific: they run on the host's own SSE unit.
 *
 * vCPU thread, inside generated code, no lock held.
 */
#include "util/osdep.h"
#include "fpu/softfloat.h"
#include "target/i386/cpu.h"
#include "target/i386/helper.h"
#include "target/i386/fpu-sse.h"
#include "target/i386/aes.h"

#define MXCSR_FLAGS 0x3f
#define MXCSR_DAZ   0x40
#define MXCSR_MASKS 0x1f80
#define MXCSR_FTZ   0x8000
#define MXCSR_MASK_SUPPORTED 0xffff     /* MXCSR_MASK: DAZ supported */

typedef X86XmmReg Vec;

typedef struct SseCtx {
    X86FpCtx c;
    bool mmx;               /* operands are MMX registers (8 bytes) */
    unsigned vlen;          /* 8 or 16 */
    FloatStatus st;
} SseCtx;

/* ------------------------------------------------------------------ */
/* Checks, status, operands                                            */

static void sse_check_sse(SseCtx *s)
{
    CPUX86State *env = s->c.env;

    if ((env->cr[0] & CR0_EM) || !(env->cr[4] & CR4_OSFXSR)) {
        x86_fp_raise(&s->c, EXCP06_ILLOP);
    }
    if (env->cr[0] & CR0_TS) {
        x86_fp_raise(&s->c, EXCP07_PREX);
    }
}

static void sse_check_mmx(SseCtx *s)
{
    CPUX86State *env = s->c.env;

    if (env->cr[0] & CR0_EM) {
        x86_fp_raise(&s->c, EXCP06_ILLOP);
    }
    if (env->cr[0] & CR0_TS) {
        x86_fp_raise(&s->c, EXCP07_PREX);
    }
    x86_fpu_check_pending(&s->c);
    x86_fpu_enter_mmx(env);
}

static FloatStatus sse_status(CPUX86State *env)
{
    FloatStatus st = {
        .rounding_mode = (FloatRoundMode)((env->mxcsr >> 13) & 3),
        .flush_to_zero = !!(env->mxcsr & MXCSR_FTZ),
        .flush_inputs_to_zero = !!(env->mxcsr & MXCSR_DAZ),
        .default_nan_negative = true,
        .nan_rule = FLOAT_NAN_X86_SSE,
    };

    return st;
}

/* Merges the FP flags of this insn into MXCSR; #XM/#UD if one is
 * unmasked (then nothing is written: SDM Vol 1 11.5.1). */
static void sse_fp_done(SseCtx *s)
{
    CPUX86State *env = s->c.env;
    unsigned fl = s->st.flags & MXCSR_FLAGS;

    env->mxcsr |= fl;
    if (fl & ~(env->mxcsr >> 7) & MXCSR_FLAGS) {
        x86_fp_raise(&s->c, (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP13_XMM :
                     EXCP06_ILLOP);
    }
}

static void sse_ld(SseCtx *s, Vec *v, unsigned bytes, bool aligned)
{
    memset(v, 0, sizeof(*v));
    if (aligned && (s->c.a0 & 15)) {
        raise_exception_err(s->c.env, EXCP0D_GPF, 0, s->c.ra);
    }
    switch (bytes) {
    case 1: v->b[0] = x86_fp_ld(&s->c, 0, MO_8); break;
    case 2: v->w[0] = x86_fp_ld(&s->c, 0, MO_16); break;
    case 4: v->l[0] = x86_fp_ld(&s->c, 0, MO_32); break;
    case 8: v->q[0] = x86_fp_ld(&s->c, 0, MO_64); break;
    default:
        v->q[0] = x86_fp_ld(&s->c, 0, MO_64);
        v->q[1] = x86_fp_ld(&s->c, 8, MO_64);
        break;
    }
}

static void sse_st(SseCtx *s, const Vec *v, unsigned bytes, bool aligned)
{
    if (aligned && (s->c.a0 & 15)) {
        raise_exception_err(s->c.env, EXCP0D_GPF, 0, s->c.ra);
    }
    switch (bytes) {
    case 1: x86_fp_st(&s->c, 0, v->b[0], MO_8); break;
    case 2: x86_fp_st(&s->c, 0, v->w[0], MO_16); break;
    case 4: x86_fp_st(&s->c, 0, v->l[0], MO_32); break;
    case 8: x86_fp_st(&s->c, 0, v->q[0], MO_64); break;
    default:
        x86_fp_probe_write(&s->c, 16);
        x86_fp_st(&s->c, 0, v->q[0], MO_64);
        x86_fp_st(&s->c, 8, v->q[1], MO_64);
        break;
    }
}

/* The register operand named by ModRM.reg / ModRM.rm. */
static Vec sse_reg(SseCtx *s, unsigned r)
{
    Vec v = { { 0 } };

    if (s->mmx) {
        v.q[0] = s->c.env->fpregs[r & 7].mant;
        return v;
    }
    return s->c.env->xmm_regs[r];
}

static void sse_set_reg(SseCtx *s, unsigned r, const Vec *v)
{
    if (s->mmx) {
        s->c.env->fpregs[r & 7].mant = v->q[0];
        s->c.env->fpregs[r & 7].exp = 0xffff;
    } else {
        s->c.env->xmm_regs[r] = *v;
    }
}

static void mmx_set(CPUX86State *env, unsigned r, uint64_t v)
{
    env->fpregs[r & 7].mant = v;
    env->fpregs[r & 7].exp = 0xffff;
}

/* The r/m source: register or memory of bytes (aligned: 16-byte forms
 * that #GP when misaligned). */
static Vec sse_src(SseCtx *s, unsigned bytes, bool aligned)
{
    Vec v;

    if (s->c.d.mem) {
        sse_ld(s, &v, bytes, aligned);
        return v;
    }
    return sse_reg(s, s->c.d.rm);
}

/* Full-width source with the legacy-SSE alignment rule. */
static Vec sse_srcv(SseCtx *s)
{
    return sse_src(s, s->vlen, s->vlen == 16);
}

/* General register operand of size osize (Ey/Gy). */
static uint64_t gpr_get(SseCtx *s, unsigned r, bool w64)
{
    uint64_t v = s->c.env->regs[r];

    return w64 ? v : (uint32_t)v;
}

static void gpr_set(SseCtx *s, unsigned r, uint64_t v, bool w64)
{
    s->c.env->regs[r] = w64 ? v : (uint32_t)v;
}

/* ------------------------------------------------------------------ */
/* Integer lanes                                                       */

static int64_t sat(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Element e of width esz (1, 2, 4, 8 bytes), zero-extended. */
static uint64_t lane(const Vec *v, unsigned esz, unsigned e)
{
    switch (esz) {
    case 1: return v->b[e];
    case 2: return v->w[e];
    case 4: return v->l[e];
    default: return v->q[e];
    }
}

static int64_t slane(const Vec *v, unsigned esz, unsigned e)
{
    switch (esz) {
    case 1: return (int8_t)v->b[e];
    case 2: return (int16_t)v->w[e];
    case 4: return (int32_t)v->l[e];
    default: return (int64_t)v->q[e];
    }
}

static void set_lane(Vec *v, unsigned esz, unsigned e, uint64_t x)
{
    switch (esz) {
    case 1: v->b[e] = x; break;
    case 2: v->w[e] = x; break;
    case 4: v->l[e] = x; break;
    default: v->q[e] = x; break;
    }
}

typedef enum LaneOp {
    L_ADD, L_SUB, L_ADDS, L_SUBS, L_ADDUS, L_SUBUS, L_CMPEQ, L_CMPGT,
    L_MINU, L_MAXU, L_MINS, L_MAXS, L_AVG, L_MULLO, L_MULHI, L_MULHU,
    L_AND, L_ANDN, L_OR, L_XOR, L_SIGN, L_ABS, L_MULHRS,
} LaneOp;

static uint64_t lane_op(LaneOp op, unsigned esz, uint64_t a, uint64_t b,
                        int64_t sa, int64_t sb)
{
    int bits = esz * 8;
    int64_t smin = bits == 64 ? INT64_MIN : -(1ll << (bits - 1));
    int64_t smax = bits == 64 ? INT64_MAX : (1ll << (bits - 1)) - 1;
    uint64_t umax = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;

    switch (op) {
    case L_ADD: return a + b;
    case L_SUB: return a - b;
    case L_ADDS: return sat(sa + sb, smin, smax);
    case L_SUBS: return sat(sa - sb, smin, smax);
    case L_ADDUS: return a + b > umax ? umax : a + b;
    case L_SUBUS: return a > b ? a - b : 0;
    case L_CMPEQ: return a == b ? umax : 0;
    case L_CMPGT: return sa > sb ? umax : 0;
    case L_MINU: return a < b ? a : b;
    case L_MAXU: return a > b ? a : b;
    case L_MINS: return sa < sb ? sa : sb;
    case L_MAXS: return sa > sb ? sa : sb;
    case L_AVG: return (a + b + 1) >> 1;
    case L_MULLO: return (uint64_t)(sa * sb);
    case L_MULHI: return (uint64_t)((sa * sb) >> bits);
    case L_MULHU: return (a * b) >> bits;
    case L_AND: return a & b;
    case L_ANDN: return ~a & b;
    case L_OR: return a | b;
    case L_XOR: return a ^ b;
    case L_SIGN: return sb < 0 ? (uint64_t)-sa : sb == 0 ? 0 : a;
    case L_ABS: return sb < 0 ? (uint64_t)-sb : b;
    case L_MULHRS: return (uint64_t)((((sa * sb) >> 14) + 1) >> 1);
    }
    g_assert_not_reached();
}

/* d = d op s on every lane of esz bytes. */
static void lanes(SseCtx *s, Vec *d, const Vec *src, unsigned esz, LaneOp op)
{
    for (unsigned e = 0; e < s->vlen / esz; e++) {
        set_lane(d, esz, e, lane_op(op, esz, lane(d, esz, e),
                                    lane(src, esz, e), slane(d, esz, e),
                                    slane(src, esz, e)));
    }
}

/* Shifts by count (already a number): kind 0 logical right, 1 arithmetic
 * right, 2 left. */
static void shift_lanes(SseCtx *s, Vec *d, unsigned esz, int kind,
                        uint64_t count)
{
    unsigned bits = esz * 8;

    for (unsigned e = 0; e < s->vlen / esz; e++) {
        uint64_t x = lane(d, esz, e);
        int64_t sx = slane(d, esz, e);

        if (kind == 1) {
            x = sx >> (count >= bits ? bits - 1 : count);
        } else if (count >= bits) {
            x = 0;
        } else {
            x = kind == 0 ? x >> count : x << count;
        }
        set_lane(d, esz, e, x);
    }
}

static void byte_shift(SseCtx *s, Vec *d, unsigned n, bool left)
{
    Vec r = { { 0 } };

    for (unsigned i = 0; i < 16; i++) {
        int j = left ? (int)i - (int)n : (int)(i + n);

        if (j >= 0 && j < 16) {
            r.b[i] = d->b[j];
        }
    }
    *d = r;
}

/* PACKSS/PACKUS: d = sat(d lanes) : sat(s lanes) to half width. */
static void pack(SseCtx *s, Vec *d, const Vec *src, unsigned esz,
                 bool is_signed)
{
    unsigned n = s->vlen / esz, hbits = esz * 4;
    int64_t lo = is_signed ? -(1ll << (hbits - 1)) : 0;
    int64_t hi = is_signed ? (1ll << (hbits - 1)) - 1 : (1ll << hbits) - 1;
    Vec r = { { 0 } };

    for (unsigned e = 0; e < n; e++) {
        set_lane(&r, esz / 2, e, sat(slane(d, esz, e), lo, hi));
        set_lane(&r, esz / 2, e + n, sat(slane(src, esz, e), lo, hi));
    }
    *d = r;
}

/* PUNPCKL/H: interleave the low (high) halves. */
static void unpack(SseCtx *s, Vec *d, const Vec *src, unsigned esz,
                   bool high)
{
    unsigned n = s->vlen / esz / 2, base = high ? n : 0;
    Vec r = { { 0 } };

    for (unsigned e = 0; e < n; e++) {
        set_lane(&r, esz, 2 * e, lane(d, esz, base + e));
        set_lane(&r, esz, 2 * e + 1, lane(src, esz, base + e));
    }
    *d = r;
}

/* PHADD/PHSUB (SSSE3). */
static void hop(SseCtx *s, Vec *d, const Vec *src, unsigned esz, bool sub,
                bool saturate)
{
    unsigned n = s->vlen / esz / 2;
    Vec r = { { 0 } };

    for (unsigned e = 0; e < 2 * n; e++) {
        const Vec *v = e < n ? d : src;
        unsigned k = (e % n) * 2;
        int64_t a = slane(v, esz, k), b = slane(v, esz, k + 1);
        int64_t x = sub ? a - b : a + b;

        set_lane(&r, esz, e, saturate ? sat(x, INT16_MIN, INT16_MAX) : x);
    }
    *d = r;
}

/* ------------------------------------------------------------------ */
/* Floating point lanes                                                */

typedef enum FpOp {
    F_ADD, F_SUB, F_MUL, F_DIV, F_MIN, F_MAX, F_SQRT,
} FpOp;

static float32 f32_op(FpOp op, float32 a, float32 b, FloatStatus *st)
{
    switch (op) {
    case F_ADD: return float32_add(a, b, st);
    case F_SUB: return float32_sub(a, b, st);
    case F_MUL: return float32_mul(a, b, st);
    case F_DIV: return float32_div(a, b, st);
    case F_MIN: return float32_min_x86(a, b, st);
    case F_MAX: return float32_max_x86(a, b, st);
    case F_SQRT: return float32_sqrt(b, st);
    }
    g_assert_not_reached();
}

static float64 f64_op(FpOp op, float64 a, float64 b, FloatStatus *st)
{
    switch (op) {
    case F_ADD: return float64_add(a, b, st);
    case F_SUB: return float64_sub(a, b, st);
    case F_MUL: return float64_mul(a, b, st);
    case F_DIV: return float64_div(a, b, st);
    case F_MIN: return float64_min_x86(a, b, st);
    case F_MAX: return float64_max_x86(a, b, st);
    case F_SQRT: return float64_sqrt(b, st);
    }
    g_assert_not_reached();
}

/* softfloat for 0F 51, 58-5F with the operands already read. */
static void sse_fp_arith_slow(SseCtx *s, FpOp op, Vec *d, const Vec *b)
{
    switch (s->c.d.pfx) {
    case X86_PFX_NONE:
        for (int i = 0; i < 4; i++) {
            d->l[i] = f32_op(op, d->l[i], b->l[i], &s->st);
        }
        break;
    case X86_PFX_66:
        for (int i = 0; i < 2; i++) {
            d->q[i] = f64_op(op, d->q[i], b->q[i], &s->st);
        }
        break;
    case X86_PFX_F3:
        d->l[0] = f32_op(op, d->l[0], b->l[0], &s->st);
        break;
    default:
        d->q[0] = f64_op(op, d->q[0], b->q[0], &s->st);
        break;
    }
    sse_fp_done(s);
    sse_set_reg(s, s->c.d.reg, d);
}

/*
 * Fast path for ADD/SUB/MUL/DIV/SQRT (the "hardfloat" idea): with
 * round-to-nearest, both operands normal and a finite result at least
 * twice the smallest normal, the IEEE-754 correctly rounded result of the
 * host's own double/float arithmetic (SSE2 on an x86-64 host, whose MXCSR
 * this thread leaves at its default) is bit-identical to softfloat's, and
 * the only flag the operation can raise is PE: no DE (normal inputs), no
 * IE (finite, non-negative for SQRT), no ZE (divisor normal), no OE/UE
 * (result finite and >= 2 * the smallest normal: a tiny result rounded up
 * to the smallest normal still raises UE), and DAZ/FTZ have nothing to
 * flush.  PE is found exactly: the rounding error of a sum is computed
 * with TwoSum, that of a double product, quotient or root with an FMA
 * (a*b - p, r*b - a, r*r - a are exact while far enough from the
 * denormal range), that of a float one in double.  Anything else takes softfloat.
 * Returns false if the fast path does not apply.
 */
static inline __attribute__((always_inline))
bool f64_fast(FpOp op, float64 a, float64 b, float64 *r, bool *inexact)
{
    union { double d; uint64_t u; } x = { .u = a }, y = { .u = b }, z;
    uint64_t ea = (a >> 52) & 0x7ff, eb = (b >> 52) & 0x7ff, ez;
    double e = 0;

    if (ea == 0 || ea == 0x7ff || eb == 0 || eb == 0x7ff) {
        return false;
    }
    switch (op) {
    case F_ADD: case F_SUB: {
        double yy = op == F_ADD ? y.d : -y.d, bb;

        z.d = x.d + yy;
        if (!*inexact) {
            bb = z.d - x.d;
            e = (x.d - (z.d - bb)) + (yy - bb);
        }
        break;
    }
    case F_MUL:
        z.d = x.d * y.d;
        if (!*inexact) {
            e = __builtin_fma(x.d, y.d, -z.d);
        }
        break;
    case F_DIV:
        z.d = x.d / y.d;
        if (!*inexact) {
            e = __builtin_fma(z.d, y.d, -x.d);
        }
        break;
    case F_SQRT:
        if (b >> 63) {
            return false;
        }
        z.d = __builtin_sqrt(y.d);
        if (!*inexact) {
            e = __builtin_fma(z.d, z.d, -y.d);
        }
        break;
    default:
        return false;
    }
    ez = (z.u >> 52) & 0x7ff;
    if (ez <= 1 || ez == 0x7ff) {
        return false;
    }
    /* The FMA residual of MUL/DIV/SQRT is a multiple of about
     * 2^(e - 104) for the operands' exponents: keep it above the
     * denormal range, where it would round to zero. */
    if (op != F_ADD && op != F_SUB && (ea < 0x80 || eb < 0x80 || ez < 0x80)) {
        return false;
    }
    *r = z.u;
    *inexact |= e != 0;
    return true;
}

static bool f32_fast(FpOp op, float32 a, float32 b, float32 *r,
                     bool *inexact)
{
    union { float f; uint32_t u; } x = { .u = a }, y = { .u = b }, z;
    uint32_t ea = (a >> 23) & 0xff, eb = (b >> 23) & 0xff, ez;
    double exact;

    if (ea == 0 || ea == 0xff || eb == 0 || eb == 0xff) {
        return false;
    }
    switch (op) {
    case F_ADD: case F_SUB: {
        float yy = op == F_ADD ? y.f : -y.f, bb;

        z.f = x.f + yy;
        bb = z.f - x.f;
        *inexact |= ((x.f - (z.f - bb)) + (yy - bb)) != 0;
        break;
    }
    case F_MUL:                 /* 24 + 24 bits: exact in double */
        exact = (double)x.f * y.f;
        z.f = (float)exact;
        *inexact |= (double)z.f != exact;
        break;
    case F_DIV:
        z.f = x.f / y.f;
        *inexact |= (double)z.f * y.f != (double)x.f;
        break;
    case F_SQRT:
        if (b >> 31) {
            return false;
        }
        z.f = __builtin_sqrtf(y.f);
        *inexact |= (double)z.f * z.f != (double)y.f;
        break;
    default:
        return false;
    }
    ez = (z.u >> 23) & 0xff;
    if (ez <= 1 || ez == 0xff) {
        return false;
    }
    *r = z.u;
    return true;
}

/* The fast path needs RC = nearest and PE masked or already set (a
 * fresh unmasked PE must raise #XM: softfloat's path does that). */
static bool sse_fast_ok(CPUX86State *env)
{
    return !(env->mxcsr & 0x6000) && (env->mxcsr & (0x1000 | 0x20));
}

/* 0F 51, 58-5F (not 5A/5B): ps, pd, ss, sd by prefix. */
static void sse_fp_arith(SseCtx *s, FpOp op)
{
    unsigned pfx = s->c.d.pfx;
    Vec d = sse_reg(s, s->c.d.reg), b;

    if (sse_fast_ok(s->c.env) && op != F_MIN && op != F_MAX) {
        Vec r = d;
        /* With PE already set the exactness check is not needed: start
         * "inexact" (PE is ORed in again, which changes nothing). */
        bool ok = true, inexact = s->c.env->mxcsr & 0x20;

        switch (pfx) {
        case X86_PFX_NONE:
            b = sse_srcv(s);
            for (int i = 0; i < 4 && ok; i++) {
                ok = f32_fast(op, d.l[i], b.l[i], &r.l[i], &inexact);
            }
            break;
        case X86_PFX_66:
            b = sse_srcv(s);
            ok = f64_fast(op, d.q[0], b.q[0], &r.q[0], &inexact) &&
                 f64_fast(op, d.q[1], b.q[1], &r.q[1], &inexact);
            break;
        case X86_PFX_F3:
            b = sse_src(s, 4, false);
            ok = f32_fast(op, d.l[0], b.l[0], &r.l[0], &inexact);
            break;
        default:
            b = sse_src(s, 8, false);
            ok = f64_fast(op, d.q[0], b.q[0], &r.q[0], &inexact);
            break;
        }
        if (ok) {
            s->c.env->mxcsr |= inexact ? 0x20 : 0;
            sse_set_reg(s, s->c.d.reg, &r);
            return;
        }
        /* b is loaded: compute from it with softfloat below */
        sse_fp_arith_slow(s, op, &d, &b);
        return;
    }

    switch (pfx) {
    case X86_PFX_NONE:
        b = sse_srcv(s);
        for (int i = 0; i < 4; i++) {
            d.l[i] = f32_op(op, d.l[i], b.l[i], &s->st);
        }
        break;
    case X86_PFX_66:
        b = sse_srcv(s);
        for (int i = 0; i < 2; i++) {
            d.q[i] = f64_op(op, d.q[i], b.q[i], &s->st);
        }
        break;
    case X86_PFX_F3:
        b = sse_src(s, 4, false);
        d.l[0] = f32_op(op, d.l[0], b.l[0], &s->st);
        break;
    default:
        b = sse_src(s, 8, false);
        d.q[0] = f64_op(op, d.q[0], b.q[0], &s->st);
        break;
    }
    sse_fp_done(s);
    sse_set_reg(s, s->c.d.reg, &d);
}

/* CMPPS/CMPPD/CMPSS/CMPSD predicates 0-7 (SDM Vol 2A CMPPS table 3-1). */
static bool fp_pred(unsigned pred, FloatRelation r)
{
    switch (pred & 7) {
    case 0: return r == FLOAT_EQUAL;
    case 1: return r == FLOAT_LESS;
    case 2: return r == FLOAT_LESS || r == FLOAT_EQUAL;
    case 3: return r == FLOAT_UNORDERED;
    case 4: return r != FLOAT_EQUAL;
    case 5: return !(r == FLOAT_LESS);
    case 6: return !(r == FLOAT_LESS || r == FLOAT_EQUAL);
    default: return r != FLOAT_UNORDERED;
    }
}

/* EQ, UNORD, NEQ, ORD are quiet; LT, LE, NLT, NLE signal on QNaNs. */
static bool pred_quiet(unsigned pred)
{
    pred &= 7;
    return pred == 0 || pred == 3 || pred == 4 || pred == 7;
}

static void sse_cmp(SseCtx *s)
{
    unsigned pred = s->c.d.imm & 7, pfx = s->c.d.pfx;
    bool q = pred_quiet(pred);
    Vec d = sse_reg(s, s->c.d.reg), b;
    unsigned n32 = pfx == X86_PFX_NONE ? 4 : 1, n64 = pfx == X86_PFX_66 ? 2 : 1;

    if (pfx == X86_PFX_NONE || pfx == X86_PFX_F3) {
        b = pfx == X86_PFX_NONE ? sse_srcv(s) : sse_src(s, 4, false);
        for (unsigned i = 0; i < n32; i++) {
            FloatRelation r = q ? float32_compare_quiet(d.l[i], b.l[i], &s->st)
                                : float32_compare(d.l[i], b.l[i], &s->st);

            d.l[i] = fp_pred(pred, r) ? UINT32_MAX : 0;
        }
    } else {
        b = pfx == X86_PFX_66 ? sse_srcv(s) : sse_src(s, 8, false);
        for (unsigned i = 0; i < n64; i++) {
            FloatRelation r = q ? float64_compare_quiet(d.q[i], b.q[i], &s->st)
                                : float64_compare(d.q[i], b.q[i], &s->st);

            d.q[i] = fp_pred(pred, r) ? UINT64_MAX : 0;
        }
    }
    sse_fp_done(s);
    sse_set_reg(s, s->c.d.reg, &d);
}

/* COMISS/UCOMISS/COMISD/UCOMISD: ZF PF CF, OF SF AF cleared. */
static void sse_comi(SseCtx *s, bool quiet)
{
    CPUX86State *env = s->c.env;
    Vec d = sse_reg(s, s->c.d.reg), b;
    FloatRelation r;
    static const uint32_t zpc[4] = { CC_C, CC_Z, 0, CC_Z | CC_P | CC_C };

    if (s->c.d.pfx == X86_PFX_66) {
        b = sse_src(s, 8, false);
        r = quiet ? float64_compare_quiet(d.q[0], b.q[0], &s->st) :
            float64_compare(d.q[0], b.q[0], &s->st);
    } else {
        b = sse_src(s, 4, false);
        r = quiet ? float32_compare_quiet(d.l[0], b.l[0], &s->st) :
            float32_compare(d.l[0], b.l[0], &s->st);
    }
    sse_fp_done(s);
    env->cc_src = zpc[r + 1];
    env->cc_op = CC_OP_EFLAGS;
}

/* Host SSE for the approximations RCP/RSQRT (ps or ss). */
static void host_rcp_rsqrt(bool rsqrt, bool scalar, Vec *d, const Vec *b,
                           uint32_t mxcsr)
{
    Vec r = *d;
    uint32_t saved, m = (mxcsr & 0xffff) | MXCSR_MASKS;

    __asm__ volatile("stmxcsr %0\n\tldmxcsr %1" : "=m"(saved) : "m"(m));
    if (rsqrt && scalar) {
        __asm__("movups %1, %%xmm0\n\tmovups %2, %%xmm1\n\t"
                "rsqrtss %%xmm1, %%xmm0\n\tmovups %%xmm0, %0"
                : "=m"(r) : "m"(*d), "m"(*b) : "xmm0", "xmm1");
    } else if (rsqrt) {
        __asm__("movups %1, %%xmm1\n\trsqrtps %%xmm1, %%xmm0\n\t"
                "movups %%xmm0, %0" : "=m"(r) : "m"(*b) : "xmm0", "xmm1");
    } else if (scalar) {
        __asm__("movups %1, %%xmm0\n\tmovups %2, %%xmm1\n\t"
                "rcpss %%xmm1, %%xmm0\n\tmovups %%xmm0, %0"
                : "=m"(r) : "m"(*d), "m"(*b) : "xmm0", "xmm1");
    } else {
        __asm__("movups %1, %%xmm1\n\trcpps %%xmm1, %%xmm0\n\t"
                "movups %%xmm0, %0" : "=m"(r) : "m"(*b) : "xmm0", "xmm1");
    }
    __asm__ volatile("ldmxcsr %0" : : "m"(saved));
    *d = r;
}

/* ROUNDPS/PD/SS/SD imm8 (SDM Vol 2B ROUNDPS): bit 2 selects MXCSR.RC,
 * bit 3 suppresses PE. */
static float32 round32(float32 a, unsigned imm, FloatStatus *st)
{
    uint8_t before = st->flags;
    float32 r = (imm & 4) ? float32_round_to_int(a, st) :
                float32_round_to_int_mode(a, (FloatRoundMode)(imm & 3), st);

    if (imm & 8) {
        st->flags = (st->flags & ~FLOAT_FLAG_INEXACT) |
                    (before & FLOAT_FLAG_INEXACT);
    }
    return r;
}

static float64 round64(float64 a, unsigned imm, FloatStatus *st)
{
    uint8_t before = st->flags;
    float64 r = (imm & 4) ? float64_round_to_int(a, st) :
                float64_round_to_int_mode(a, (FloatRoundMode)(imm & 3), st);

    if (imm & 8) {
        st->flags = (st->flags & ~FLOAT_FLAG_INEXACT) |
                    (before & FLOAT_FLAG_INEXACT);
    }
    return r;
}

/* ------------------------------------------------------------------ */
/* The 0F map                                                          */

static bool is_mmx_form(unsigned op, unsigned pfx)
{
    if (op >= 0x60 && op <= 0x7f) {
        return pfx == X86_PFX_NONE && op != 0x7c && op != 0x7d &&
               op != 0x6c && op != 0x6d;
    }
    if (op >= 0xd0 && op <= 0xff) {
        return pfx == X86_PFX_NONE && op != 0xd0;
    }
    return op == 0xc4 || op == 0xc5 ? pfx == X86_PFX_NONE : false;
}

/* Integer lane ops of 0F 60-FF that only differ in LaneOp and width. */
typedef struct IntOp {
    uint8_t opcode;
    uint8_t esz;
    uint8_t op;
} IntOp;

static const IntOp int_ops[] = {
    { 0x64, 1, L_CMPGT }, { 0x65, 2, L_CMPGT }, { 0x66, 4, L_CMPGT },
    { 0x74, 1, L_CMPEQ }, { 0x75, 2, L_CMPEQ }, { 0x76, 4, L_CMPEQ },
    { 0xd4, 8, L_ADD }, { 0xd5, 2, L_MULLO }, { 0xd8, 1, L_SUBUS },
    { 0xd9, 2, L_SUBUS }, { 0xda, 1, L_MINU }, { 0xdb, 8, L_AND },
    { 0xdc, 1, L_ADDUS }, { 0xdd, 2, L_ADDUS }, { 0xde, 1, L_MAXU },
    { 0xdf, 8, L_ANDN }, { 0xe0, 1, L_AVG }, { 0xe3, 2, L_AVG },
    { 0xe4, 2, L_MULHU }, { 0xe5, 2, L_MULHI }, { 0xe8, 1, L_SUBS },
    { 0xe9, 2, L_SUBS }, { 0xea, 2, L_MINS }, { 0xeb, 8, L_OR },
    { 0xec, 1, L_ADDS }, { 0xed, 2, L_ADDS }, { 0xee, 2, L_MAXS },
    { 0xef, 8, L_XOR }, { 0xf8, 1, L_SUB }, { 0xf9, 2, L_SUB },
    { 0xfa, 4, L_SUB }, { 0xfb, 8, L_SUB }, { 0xfc, 1, L_ADD },
    { 0xfd, 2, L_ADD }, { 0xfe, 4, L_ADD },
};

static const IntOp *find_int_op(unsigned op)
{
    for (size_t i = 0; i < ARRAY_SIZE(int_ops); i++) {
        if (int_ops[i].opcode == op) {
            return &int_ops[i];
        }
    }
    return NULL;
}

static void sse_ud(SseCtx *s)
{
    x86_fp_raise(&s->c, EXCP06_ILLOP);
}

static void sse_require_reg(SseCtx *s)
{
    if (s->c.d.mem) {
        sse_ud(s);
    }
}

static void sse_require_mem(SseCtx *s)
{
    if (!s->c.d.mem) {
        sse_ud(s);
    }
}

/* Conversions 0F 2A, 2C, 2D, 5A, 5B, E6. */
static void sse_cvt(SseCtx *s, unsigned op)
{
    CPUX86State *env = s->c.env;
    unsigned pfx = s->c.d.pfx, reg = s->c.d.reg;
    bool w = s->c.d.rexw;
    FloatStatus *st = &s->st;
    Vec d = env->xmm_regs[reg], b;
    uint64_t g;

    switch (op << 4 | pfx) {
    case 0x2a0: case 0x2a1: {  /* CVTPI2PS, CVTPI2PD (MMX src) */
        if (s->c.d.mem) {
            sse_ld(s, &b, 8, false);
        } else {
            sse_check_mmx(s);
            b.q[0] = env->fpregs[s->c.d.rm & 7].mant;
        }
        if (pfx == X86_PFX_NONE) {
            sse_check_mmx(s);
            d.l[0] = int32_to_float32(b.l[0], st);
            d.l[1] = int32_to_float32(b.l[1], st);
        } else {
            d.q[0] = int32_to_float64(b.l[0], st);
            d.q[1] = int32_to_float64(b.l[1], st);
        }
        sse_fp_done(s);
        env->xmm_regs[reg] = d;
        return;
    }
    case 0x2a2: case 0x2a3:             /* CVTSI2SS, CVTSI2SD */
        g = s->c.d.mem ? x86_fp_ld(&s->c, 0, w ? MO_64 : MO_32) :
            gpr_get(s, s->c.d.rm, w);
        if (pfx == X86_PFX_F3) {
            d.l[0] = w ? int64_to_float32(g, st) : int32_to_float32(g, st);
        } else {
            d.q[0] = w ? int64_to_float64(g, st) : int32_to_float64(g, st);
        }
        sse_fp_done(s);
        env->xmm_regs[reg] = d;
        return;
    case 0x2c0: case 0x2c1: case 0x2d0: case 0x2d1: {
        /* CVT(T)PS2PI, CVT(T)PD2PI: to an MMX register */
        bool t = op == 0x2c;
        uint32_t r0, r1;

        if (pfx == X86_PFX_NONE) {
            b = sse_src(s, 8, false);
            r0 = t ? float32_to_int32_round_to_zero(b.l[0], st) :
                 float32_to_int32(b.l[0], st);
            r1 = t ? float32_to_int32_round_to_zero(b.l[1], st) :
                 float32_to_int32(b.l[1], st);
        } else {
            b = sse_src(s, 16, true);
            r0 = t ? float64_to_int32_round_to_zero(b.q[0], st) :
                 float64_to_int32(b.q[0], st);
            r1 = t ? float64_to_int32_round_to_zero(b.q[1], st) :
                 float64_to_int32(b.q[1], st);
        }
        sse_check_mmx(s);
        sse_fp_done(s);
        mmx_set(env, reg, r0 | (uint64_t)r1 << 32);
        return;
    }
    case 0x2c2: case 0x2c3: case 0x2d2: case 0x2d3: {
        bool t = op == 0x2c;

        if (pfx == X86_PFX_F3) {
            b = sse_src(s, 4, false);
            g = w ? (uint64_t)(t ? float32_to_int64_round_to_zero(b.l[0], st) :
                               float32_to_int64(b.l[0], st)) :
                (uint32_t)(t ? float32_to_int32_round_to_zero(b.l[0], st) :
                           float32_to_int32(b.l[0], st));
        } else {
            b = sse_src(s, 8, false);
            g = w ? (uint64_t)(t ? float64_to_int64_round_to_zero(b.q[0], st) :
                               float64_to_int64(b.q[0], st)) :
                (uint32_t)(t ? float64_to_int32_round_to_zero(b.q[0], st) :
                           float64_to_int32(b.q[0], st));
        }
        sse_fp_done(s);
        gpr_set(s, reg, g, w);
        return;
    }
    case 0x5a0:                         /* CVTPS2PD */
        b = sse_src(s, 8, false);
        d.q[0] = float32_to_float64(b.l[0], st);
        d.q[1] = float32_to_float64(b.l[1], st);
        break;
    case 0x5a1:                         /* CVTPD2PS */
        b = sse_srcv(s);
        d.l[0] = float64_to_float32(b.q[0], st);
        d.l[1] = float64_to_float32(b.q[1], st);
        d.q[1] = 0;
        break;
    case 0x5a2:                         /* CVTSS2SD */
        b = sse_src(s, 4, false);
        d.q[0] = float32_to_float64(b.l[0], st);
        break;
    case 0x5a3:                         /* CVTSD2SS */
        b = sse_src(s, 8, false);
        d.l[0] = float64_to_float32(b.q[0], st);
        break;
    case 0x5b0:                         /* CVTDQ2PS */
        b = sse_srcv(s);
        for (int i = 0; i < 4; i++) {
            d.l[i] = int32_to_float32(b.l[i], st);
        }
        break;
    case 0x5b1: case 0x5b2:             /* CVTPS2DQ, CVTTPS2DQ */
        b = sse_srcv(s);
        for (int i = 0; i < 4; i++) {
            d.l[i] = pfx == X86_PFX_66 ? float32_to_int32(b.l[i], st) :
                     float32_to_int32_round_to_zero(b.l[i], st);
        }
        break;
    case 0xe61: case 0xe63:             /* CVTTPD2DQ, CVTPD2DQ */
        b = sse_srcv(s);
        for (int i = 0; i < 2; i++) {
            d.l[i] = pfx == X86_PFX_F2 ? float64_to_int32(b.q[i], st) :
                     float64_to_int32_round_to_zero(b.q[i], st);
        }
        d.q[1] = 0;
        break;
    case 0xe62:                         /* CVTDQ2PD */
        b = sse_src(s, 8, false);
        d.q[1] = int32_to_float64(b.l[1], st);
        d.q[0] = int32_to_float64(b.l[0], st);
        break;
    default:
        sse_ud(s);
    }
    sse_fp_done(s);
    env->xmm_regs[reg] = d;
}

/* PSHUFB, PALIGNR etc. need the full set; these are the SSSE3 and SSE4
 * helpers shared with the 0F 38 / 0F 3A maps. */
static void pshufb(SseCtx *s, Vec *d, const Vec *m)
{
    Vec r = { { 0 } };
    unsigned mask = s->vlen - 1;

    for (unsigned i = 0; i < s->vlen; i++) {
        r.b[i] = (m->b[i] & 0x80) ? 0 : d->b[m->b[i] & mask];
    }
    *d = r;
}

static void sse_0f(SseCtx *s)
{
    CPUX86State *env = s->c.env;
    X86FpDesc *dd = &s->c.d;
    unsigned op = dd->opcode & 0xff, pfx = dd->pfx, reg = dd->reg;
    bool p66 = pfx == X86_PFX_66;
    Vec d, b;
    const IntOp *io;

    /* Opcodes that take a GPR or MMX register in one prefix column. */
    switch (op) {
    case 0x10: case 0x11:
        if (pfx == X86_PFX_F3 || pfx == X86_PFX_F2) {
            unsigned n = pfx == X86_PFX_F3 ? 4 : 8;

            if (op == 0x10) {
                d = env->xmm_regs[reg];
                if (dd->mem) {
                    sse_ld(s, &d, n, false);
                } else if (n == 4) {
                    d.l[0] = env->xmm_regs[dd->rm].l[0];
                } else {
                    d.q[0] = env->xmm_regs[dd->rm].q[0];
                }
                env->xmm_regs[reg] = d;
            } else if (dd->mem) {
                sse_st(s, &env->xmm_regs[reg], n, false);
            } else if (n == 4) {
                env->xmm_regs[dd->rm].l[0] = env->xmm_regs[reg].l[0];
            } else {
                env->xmm_regs[dd->rm].q[0] = env->xmm_regs[reg].q[0];
            }
            return;
        }
        /* MOVUPS/MOVUPD */
        if (op == 0x10) {
            env->xmm_regs[reg] = sse_src(s, 16, false);
        } else if (dd->mem) {
            sse_st(s, &env->xmm_regs[reg], 16, false);
        } else {
            env->xmm_regs[dd->rm] = env->xmm_regs[reg];
        }
        return;
    case 0x12: case 0x16: {
        bool high = op == 0x16;

        d = env->xmm_regs[reg];
        if (pfx == X86_PFX_F3) {        /* MOVSLDUP, MOVSHDUP */
            b = sse_srcv(s);
            for (int i = 0; i < 4; i += 2) {
                d.l[i] = d.l[i + 1] = b.l[i + high];
            }
        } else if (pfx == X86_PFX_F2) {
            if (high) {
                sse_ud(s);
            }
            b = sse_src(s, 8, false);   /* MOVDDUP */
            d.q[0] = d.q[1] = b.q[0];
        } else if (dd->mem) {           /* MOVLPS/MOVHPS/MOVLPD/MOVHPD */
            sse_ld(s, &b, 8, false);
            d.q[high] = b.q[0];
        } else if (p66) {
            sse_ud(s);
        } else {                        /* MOVHLPS, MOVLHPS */
            b = env->xmm_regs[dd->rm];
            d.q[high] = b.q[!high];
        }
        env->xmm_regs[reg] = d;
        return;
    }
    case 0x13: case 0x17:
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        sse_require_mem(s);
        d.q[0] = env->xmm_regs[reg].q[op == 0x17];
        sse_st(s, &d, 8, false);
        return;
    case 0x14: case 0x15:
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = env->xmm_regs[reg];
        b = sse_srcv(s);
        unpack(s, &d, &b, p66 ? 8 : 4, op == 0x15);
        env->xmm_regs[reg] = d;
        return;
    case 0x28: case 0x29:               /* MOVAPS/MOVAPD */
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        if (op == 0x28) {
            env->xmm_regs[reg] = sse_src(s, 16, true);
        } else if (dd->mem) {
            sse_st(s, &env->xmm_regs[reg], 16, true);
        } else {
            env->xmm_regs[dd->rm] = env->xmm_regs[reg];
        }
        return;
    case 0x2a: case 0x2c: case 0x2d: case 0x5a: case 0x5b: case 0xe6:
        sse_cvt(s, op);
        return;
    case 0x2b: case 0xe7:               /* MOVNTPS/PD, MOVNTDQ/MOVNTQ */
        sse_require_mem(s);
        if (op == 0x2b ? pfx > X86_PFX_66 : pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = sse_reg(s, reg);
        sse_st(s, &d, s->vlen, s->vlen == 16);
        return;
    case 0x2e: case 0x2f:
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        sse_comi(s, op == 0x2e);
        return;
    case 0x50:                          /* MOVMSKPS/PD */
        sse_require_reg(s);
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        b = env->xmm_regs[dd->rm];
        gpr_set(s, reg, p66 ? (b.q[0] >> 63) | (b.q[1] >> 63) << 1 :
                (b.l[0] >> 31) | (b.l[1] >> 31) << 1 | (b.l[2] >> 31) << 2 |
                (b.l[3] >> 31) << 3, true);
        return;
    case 0x51: sse_fp_arith(s, F_SQRT); return;
    case 0x52: case 0x53:               /* RSQRT, RCP */
        if (pfx == X86_PFX_NONE || pfx == X86_PFX_F3) {
            d = env->xmm_regs[reg];
            b = pfx == X86_PFX_F3 ? sse_src(s, 4, false) : sse_srcv(s);
            host_rcp_rsqrt(op == 0x52, pfx == X86_PFX_F3, &d, &b,
                           env->mxcsr);
            env->xmm_regs[reg] = d;
            return;
        }
        sse_ud(s);
        return;
    case 0x54: case 0x55: case 0x56: case 0x57:
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = env->xmm_regs[reg];
        b = sse_srcv(s);
        lanes(s, &d, &b, 8, op == 0x54 ? L_AND : op == 0x55 ? L_ANDN :
              op == 0x56 ? L_OR : L_XOR);
        env->xmm_regs[reg] = d;
        return;
    case 0x58: sse_fp_arith(s, F_ADD); return;
    case 0x59: sse_fp_arith(s, F_MUL); return;
    case 0x5c: sse_fp_arith(s, F_SUB); return;
    case 0x5d: sse_fp_arith(s, F_MIN); return;
    case 0x5e: sse_fp_arith(s, F_DIV); return;
    case 0x5f: sse_fp_arith(s, F_MAX); return;
    case 0x7c: case 0x7d: case 0xd0: {  /* HADD, HSUB, ADDSUB */
        if (pfx != X86_PFX_66 && pfx != X86_PFX_F2) {
            sse_ud(s);
        }
        d = env->xmm_regs[reg];
        b = sse_srcv(s);
        Vec r;
        if (p66) {
            if (op == 0xd0) {
                r.q[0] = float64_sub(d.q[0], b.q[0], &s->st);
                r.q[1] = float64_add(d.q[1], b.q[1], &s->st);
            } else {
                FpOp f = op == 0x7c ? F_ADD : F_SUB;

                r.q[0] = f64_op(f, d.q[0], d.q[1], &s->st);
                r.q[1] = f64_op(f, b.q[0], b.q[1], &s->st);
            }
        } else if (op == 0xd0) {
            for (int i = 0; i < 4; i++) {
                r.l[i] = (i & 1) ? float32_add(d.l[i], b.l[i], &s->st) :
                         float32_sub(d.l[i], b.l[i], &s->st);
            }
        } else {
            FpOp f = op == 0x7c ? F_ADD : F_SUB;

            r.l[0] = f32_op(f, d.l[0], d.l[1], &s->st);
            r.l[1] = f32_op(f, d.l[2], d.l[3], &s->st);
            r.l[2] = f32_op(f, b.l[0], b.l[1], &s->st);
            r.l[3] = f32_op(f, b.l[2], b.l[3], &s->st);
        }
        sse_fp_done(s);
        env->xmm_regs[reg] = r;
        return;
    }
    case 0xc2:
        sse_cmp(s);
        return;
    case 0xc6:                          /* SHUFPS/SHUFPD */
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = env->xmm_regs[reg];
        b = sse_srcv(s);
        {
            Vec r;
            unsigned im = dd->imm;

            if (p66) {
                r.q[0] = d.q[im & 1];
                r.q[1] = b.q[(im >> 1) & 1];
            } else {
                r.l[0] = d.l[im & 3];
                r.l[1] = d.l[(im >> 2) & 3];
                r.l[2] = b.l[(im >> 4) & 3];
                r.l[3] = b.l[(im >> 6) & 3];
            }
            env->xmm_regs[reg] = r;
        }
        return;
    case 0xd6:
        if (pfx == X86_PFX_66) {        /* MOVQ xmm/m64, xmm */
            d = env->xmm_regs[reg];
            if (dd->mem) {
                sse_st(s, &d, 8, false);
            } else {
                env->xmm_regs[dd->rm].q[0] = d.q[0];
                env->xmm_regs[dd->rm].q[1] = 0;
            }
            return;
        }
        sse_require_reg(s);
        if (pfx == X86_PFX_F3) {        /* MOVQ2DQ xmm, mm */
            sse_check_mmx(s);
            env->xmm_regs[reg].q[0] = env->fpregs[dd->rm & 7].mant;
            env->xmm_regs[reg].q[1] = 0;
        } else if (pfx == X86_PFX_F2) { /* MOVDQ2Q mm, xmm */
            sse_check_mmx(s);
            mmx_set(env, reg, env->xmm_regs[dd->rm].q[0]);
        } else {
            sse_ud(s);
        }
        return;
    case 0xf0:                          /* LDDQU */
        if (pfx != X86_PFX_F2) {
            sse_ud(s);
        }
        sse_require_mem(s);
        sse_ld(s, &d, 16, false);
        env->xmm_regs[reg] = d;
        return;
    }

    /* From here: MMX (no prefix) or XMM (66) integer forms, plus the
     * F3/F2 columns of 6F/7E/7F/70. */
    switch (op) {
    case 0x6e:                          /* MOVD/MOVQ mm/xmm, Ey */
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        memset(&d, 0, sizeof(d));
        d.q[0] = dd->mem ? x86_fp_ld(&s->c, 0, dd->rexw ? MO_64 : MO_32) :
                 gpr_get(s, dd->rm, dd->rexw);
        sse_set_reg(s, reg, &d);
        return;
    case 0x7e:
        if (pfx == X86_PFX_F3) {        /* MOVQ xmm, xmm/m64 */
            b = sse_src(s, 8, false);
            b.q[1] = 0;
            env->xmm_regs[reg] = b;
            return;
        }
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = sse_reg(s, reg);            /* MOVD/MOVQ Ey, mm/xmm */
        if (dd->mem) {
            x86_fp_st(&s->c, 0, d.q[0], dd->rexw ? MO_64 : MO_32);
        } else {
            gpr_set(s, dd->rm, d.q[0], dd->rexw);
        }
        return;
    case 0x6f:
        if (pfx == X86_PFX_F2) {
            sse_ud(s);
        }
        sse_set_reg(s, reg, (Vec[]){ sse_src(s, s->vlen,
                                             pfx == X86_PFX_66) });
        return;
    case 0x7f:
        if (pfx == X86_PFX_F2) {
            sse_ud(s);
        }
        d = sse_reg(s, reg);
        if (dd->mem) {
            sse_st(s, &d, s->vlen, pfx == X86_PFX_66);
        } else {
            sse_set_reg(s, dd->rm, &d);
        }
        return;
    case 0x70: {                        /* PSHUFW/PSHUFD/PSHUFHW/PSHUFLW */
        unsigned im = dd->imm;
        Vec r;

        b = s->mmx ? sse_src(s, 8, false) : sse_srcv(s);
        r = b;
        if (s->mmx) {
            for (int i = 0; i < 4; i++) {
                r.w[i] = b.w[(im >> (2 * i)) & 3];
            }
        } else if (pfx == X86_PFX_66) {
            for (int i = 0; i < 4; i++) {
                r.l[i] = b.l[(im >> (2 * i)) & 3];
            }
        } else {
            unsigned base = pfx == X86_PFX_F3 ? 4 : 0;

            for (int i = 0; i < 4; i++) {
                r.w[base + i] = b.w[base + ((im >> (2 * i)) & 3)];
            }
        }
        sse_set_reg(s, reg, &r);
        return;
    }
    case 0x71: case 0x72: case 0x73: {  /* shift groups, imm8 count */
        unsigned kind = (dd->modrm >> 3) & 7;
        unsigned esz = op == 0x71 ? 2 : op == 0x72 ? 4 : 8;

        sse_require_reg(s);
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = sse_reg(s, dd->rm);
        if (kind == 2) {
            shift_lanes(s, &d, esz, 0, dd->imm);
        } else if (kind == 4 && op != 0x73) {
            shift_lanes(s, &d, esz, 1, dd->imm);
        } else if (kind == 6) {
            shift_lanes(s, &d, esz, 2, dd->imm);
        } else if (op == 0x73 && p66 && (kind == 3 || kind == 7)) {
            byte_shift(s, &d, dd->imm > 16 ? 16 : dd->imm, kind == 7);
        } else {
            sse_ud(s);
        }
        sse_set_reg(s, dd->rm, &d);
        return;
    }
    case 0x77:                          /* EMMS */
        if (pfx != X86_PFX_NONE) {
            sse_ud(s);
        }
        env->fptag_word = 0xffff;
        return;
    case 0xc4:                          /* PINSRW */
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = sse_reg(s, reg);
        d.w[dd->imm & (s->vlen / 2 - 1)] = dd->mem ?
            x86_fp_ld(&s->c, 0, MO_16) : env->regs[dd->rm];
        sse_set_reg(s, reg, &d);
        return;
    case 0xc5:                          /* PEXTRW */
        sse_require_reg(s);
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        b = sse_reg(s, dd->rm);
        gpr_set(s, reg, b.w[dd->imm & (s->vlen / 2 - 1)], true);
        return;
    case 0xd7:                          /* PMOVMSKB */
        sse_require_reg(s);
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        b = sse_reg(s, dd->rm);
        {
            uint64_t m = 0;

            for (unsigned i = 0; i < s->vlen; i++) {
                m |= (uint64_t)(b.b[i] >> 7) << i;
            }
            gpr_set(s, reg, m, true);
        }
        return;
    case 0xf7: {                        /* MASKMOVQ/MASKMOVDQU to DS:rDI */
        uint64_t addr = env->regs[R_EDI];
        int seg = R_DS;

        sse_require_reg(s);
        if (pfx > X86_PFX_66) {
            sse_ud(s);
        }
        d = sse_reg(s, reg);
        b = sse_reg(s, dd->rm);
        /* DS:rDI with the address size (no segment override in the
         * desc: DS, or flat in 64-bit mode). */
        addr &= dd->asize == MO_16 ? 0xffff : dd->asize == MO_32 ?
                0xffffffffu : UINT64_MAX;
        if (dd->mode != X86_MODE_64) {
            addr = (uint32_t)(addr + env->segs[seg].base);
        }
        s->c.a0 = addr;
        for (unsigned i = 0; i < s->vlen; i++) {
            if (b.b[i] & 0x80) {
                x86_fp_st(&s->c, i, d.b[i], MO_8);
            }
        }
        return;
    }
    }
    if (pfx > X86_PFX_66) {
        sse_ud(s);
    }
    if (op == 0x6c || op == 0x6d) {
        if (!p66) {
            sse_ud(s);
        }
    }
    d = sse_reg(s, reg);
    b = sse_srcv(s);
    io = find_int_op(op);
    if (io) {
        lanes(s, &d, &b, io->esz, (LaneOp)io->op);
        sse_set_reg(s, reg, &d);
        return;
    }
    switch (op) {
    case 0x60: unpack(s, &d, &b, 1, false); break;
    case 0x61: unpack(s, &d, &b, 2, false); break;
    case 0x62: unpack(s, &d, &b, 4, false); break;
    case 0x63: pack(s, &d, &b, 2, true); break;
    case 0x67: pack(s, &d, &b, 2, false); break;
    case 0x68: unpack(s, &d, &b, 1, true); break;
    case 0x69: unpack(s, &d, &b, 2, true); break;
    case 0x6a: unpack(s, &d, &b, 4, true); break;
    case 0x6b: pack(s, &d, &b, 4, true); break;
    case 0x6c: unpack(s, &d, &b, 8, false); break;
    case 0x6d: unpack(s, &d, &b, 8, true); break;
    case 0xd1: case 0xd2: case 0xd3:
    case 0xe1: case 0xe2:
    case 0xf1: case 0xf2: case 0xf3: {
        unsigned esz = 1u << (op & 3);
        int kind = (op >> 4) == 0xd ? 0 : (op >> 4) == 0xe ? 1 : 2;

        shift_lanes(s, &d, esz, kind, b.q[0]);
        break;
    }
    case 0xf4:                          /* PMULUDQ */
        for (unsigned i = 0; i < s->vlen / 8; i++) {
            d.q[i] = (uint64_t)d.l[2 * i] * b.l[2 * i];
        }
        break;
    case 0xf5:                          /* PMADDWD */
        for (unsigned i = 0; i < s->vlen / 4; i++) {
            d.l[i] = (int32_t)(int16_t)d.w[2 * i] * (int16_t)b.w[2 * i] +
                     (int32_t)(int16_t)d.w[2 * i + 1] * (int16_t)b.w[2 * i + 1];
        }
        break;
    case 0xf6:                          /* PSADBW */
        for (unsigned i = 0; i < s->vlen / 8; i++) {
            unsigned sum = 0;

            for (int j = 0; j < 8; j++) {
                int x = d.b[8 * i + j] - b.b[8 * i + j];

                sum += x < 0 ? -x : x;
            }
            d.q[i] = sum;
        }
        break;
    default:
        sse_ud(s);
    }
    sse_set_reg(s, reg, &d);
}

/* ------------------------------------------------------------------ */
/* The 0F 38 map (SSSE3, SSE4.1, SSE4.2 PCMPGTQ)                       */

static void sse_pmovx(SseCtx *s, unsigned op)
{
    static const uint8_t from[6] = { 1, 1, 1, 2, 2, 4 };
    static const uint8_t to[6] = { 2, 4, 8, 4, 8, 8 };
    unsigned k = op & 7, fs = from[k], ts = to[k], n = 16 / ts;
    bool sx = (op & 0xf0) == 0x20;
    Vec b = sse_src(s, n * fs, false), r;

    for (unsigned e = 0; e < n; e++) {
        set_lane(&r, ts, e, sx ? (uint64_t)slane(&b, fs, e) : lane(&b, fs, e));
    }
    s->c.env->xmm_regs[s->c.d.reg] = r;
}

static void sse_0f38(SseCtx *s)
{
    CPUX86State *env = s->c.env;
    X86FpDesc *dd = &s->c.d;
    unsigned op = dd->opcode & 0xff, reg = dd->reg;
    Vec d, b, x0 = env->xmm_regs[0];

    if (dd->pfx != X86_PFX_NONE && dd->pfx != X86_PFX_66) {
        sse_ud(s);
    }
    if (s->mmx && !(op <= 0x0b || (op >= 0x1c && op <= 0x1e))) {
        sse_ud(s);
    }
    if ((op & 0xf8) == 0x20 && (op & 7) < 6) {
        sse_pmovx(s, op);
        return;
    }
    if ((op & 0xf8) == 0x30 && (op & 7) < 6) {
        sse_pmovx(s, op);
        return;
    }
    if (op == 0x2a) {                   /* MOVNTDQA */
        sse_require_mem(s);
        env->xmm_regs[reg] = sse_src(s, 16, true);
        return;
    }
    d = sse_reg(s, reg);
    b = sse_srcv(s);
    switch (op) {
    case 0x00: pshufb(s, &d, &b); break;
    case 0x01: hop(s, &d, &b, 2, false, false); break;
    case 0x02: hop(s, &d, &b, 4, false, false); break;
    case 0x03: hop(s, &d, &b, 2, false, true); break;
    case 0x05: hop(s, &d, &b, 2, true, false); break;
    case 0x06: hop(s, &d, &b, 4, true, false); break;
    case 0x07: hop(s, &d, &b, 2, true, true); break;
    case 0x04:                          /* PMADDUBSW */
        for (unsigned i = 0; i < s->vlen / 2; i++) {
            int32_t x = d.b[2 * i] * (int8_t)b.b[2 * i] +
                        d.b[2 * i + 1] * (int8_t)b.b[2 * i + 1];

            d.w[i] = sat(x, INT16_MIN, INT16_MAX);
        }
        break;
    case 0x08: lanes(s, &d, &b, 1, L_SIGN); break;
    case 0x09: lanes(s, &d, &b, 2, L_SIGN); break;
    case 0x0a: lanes(s, &d, &b, 4, L_SIGN); break;
    case 0x0b: lanes(s, &d, &b, 2, L_MULHRS); break;
    case 0x1c: lanes(s, &d, &b, 1, L_ABS); break;
    case 0x1d: lanes(s, &d, &b, 2, L_ABS); break;
    case 0x1e: lanes(s, &d, &b, 4, L_ABS); break;
    case 0x10:                          /* PBLENDVB */
        for (int i = 0; i < 16; i++) {
            if (x0.b[i] & 0x80) {
                d.b[i] = b.b[i];
            }
        }
        break;
    case 0x14:                          /* BLENDVPS */
        for (int i = 0; i < 4; i++) {
            if (x0.l[i] >> 31) {
                d.l[i] = b.l[i];
            }
        }
        break;
    case 0x15:                          /* BLENDVPD */
        for (int i = 0; i < 2; i++) {
            if (x0.q[i] >> 63) {
                d.q[i] = b.q[i];
            }
        }
        break;
    case 0x17: {                        /* PTEST */
        bool zf = !((d.q[0] & b.q[0]) | (d.q[1] & b.q[1]));
        bool cf = !((~d.q[0] & b.q[0]) | (~d.q[1] & b.q[1]));

        env->cc_src = (zf ? CC_Z : 0) | (cf ? CC_C : 0);
        env->cc_op = CC_OP_EFLAGS;
        return;
    }
    case 0x28:                          /* PMULDQ */
        for (int i = 0; i < 2; i++) {
            d.q[i] = (int64_t)(int32_t)d.l[2 * i] * (int32_t)b.l[2 * i];
        }
        break;
    case 0x29: lanes(s, &d, &b, 8, L_CMPEQ); break;
    case 0x2b: pack(s, &d, &b, 4, false); break;
    case 0x37: lanes(s, &d, &b, 8, L_CMPGT); break;
    case 0x38: lanes(s, &d, &b, 1, L_MINS); break;
    case 0x39: lanes(s, &d, &b, 4, L_MINS); break;
    case 0x3a: lanes(s, &d, &b, 2, L_MINU); break;
    case 0x3b: lanes(s, &d, &b, 4, L_MINU); break;
    case 0x3c: lanes(s, &d, &b, 1, L_MAXS); break;
    case 0x3d: lanes(s, &d, &b, 4, L_MAXS); break;
    case 0x3e: lanes(s, &d, &b, 2, L_MAXU); break;
    case 0x3f: lanes(s, &d, &b, 4, L_MAXU); break;
    case 0x40: lanes(s, &d, &b, 4, L_MULLO); break;
    case 0x41: {                        /* PHMINPOSUW */
        unsigned idx = 0;

        for (unsigned i = 1; i < 8; i++) {
            if (b.w[i] < b.w[idx]) {
                idx = i;
            }
        }
        memset(&d, 0, sizeof(d));
        d.w[0] = b.w[idx];
        d.w[1] = idx;
        break;
    }
    case 0xdb:                          /* AESIMC */
        d = b;
        aes_inv_mix_columns(d.b);
        break;
    case 0xdc: case 0xdd:               /* AESENC, AESENCLAST */
        aes_enc_round(d.b, b.b, op == 0xdd);
        break;
    case 0xde: case 0xdf:               /* AESDEC, AESDECLAST */
        aes_dec_round(d.b, b.b, op == 0xdf);
        break;
    default:
        sse_ud(s);
    }
    sse_set_reg(s, reg, &d);
}

/* ------------------------------------------------------------------ */
/* PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (SDM Vol 2B 4.1)            */

static int64_t str_elem(const Vec *v, unsigned imm, unsigned i)
{
    switch (imm & 3) {
    case 0: return v->b[i];
    case 1: return v->w[i];
    case 2: return (int8_t)v->b[i];
    default: return (int16_t)v->w[i];
    }
}

static unsigned str_implicit_len(const Vec *v, unsigned imm, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (str_elem(v, imm, i) == 0) {
            return i;
        }
    }
    return n;
}

static unsigned str_explicit_len(SseCtx *s, int r, unsigned n)
{
    int64_t v = s->c.d.rexw ? (int64_t)s->c.env->regs[r] :
                (int32_t)s->c.env->regs[r];
    uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;

    return m > n ? n : m;
}

static void sse_pcmpstr(SseCtx *s, unsigned op)
{
    CPUX86State *env = s->c.env;
    unsigned imm = s->c.d.imm, n = (imm & 1) ? 8 : 16;
    Vec a = env->xmm_regs[s->c.d.reg], b = sse_src(s, 16, false);
    bool explicit_len = !(op & 2);
    unsigned la = explicit_len ? str_explicit_len(s, R_EAX, n) :
                  str_implicit_len(&a, imm, n);
    unsigned lb = explicit_len ? str_explicit_len(s, R_EDX, n) :
                  str_implicit_len(&b, imm, n);
    uint32_t res1 = 0, res2, all = (1u << n) - 1;

    for (unsigned j = 0; j < n; j++) {
        bool bit = false;

        switch ((imm >> 2) & 3) {
        case 0:                         /* equal any */
            for (unsigned i = 0; i < la && j < lb; i++) {
                bit |= str_elem(&a, imm, i) == str_elem(&b, imm, j);
            }
            break;
        case 1:                         /* ranges */
            for (unsigned i = 0; i + 1 < la && j < lb; i += 2) {
                int64_t x = str_elem(&b, imm, j);

                bit |= str_elem(&a, imm, i) <= x &&
                       x <= str_elem(&a, imm, i + 1);
            }
            break;
        case 2:                         /* equal each */
            if (j < la && j < lb) {
                bit = str_elem(&a, imm, j) == str_elem(&b, imm, j);
            } else {
                bit = j >= la && j >= lb;
            }
            break;
        default:                        /* equal ordered */
            bit = true;
            for (unsigned i = 0; i < n - j && bit; i++) {
                if (i >= la) {
                    break;
                }
                bit = i + j < lb &&
                      str_elem(&a, imm, i) == str_elem(&b, imm, i + j);
            }
            break;
        }
        res1 |= (uint32_t)bit << j;
    }
    switch ((imm >> 4) & 3) {
    case 1: res2 = res1 ^ all; break;
    case 3: res2 = res1 ^ ((1u << lb) - 1); break;
    default: res2 = res1; break;
    }
    env->cc_src = (res2 ? CC_C : 0) | (lb < n ? CC_Z : 0) |
                  (la < n ? CC_S : 0) | ((res2 & 1) ? CC_O : 0);
    env->cc_op = CC_OP_EFLAGS;
    if (op & 1) {                       /* index */
        unsigned idx = n;

        if (res2) {
            idx = (imm & 0x40) ? 31 - __builtin_clz(res2) :
                  __builtin_ctz(res2);
        }
        env->regs[R_ECX] = idx;
    } else {                            /* mask */
        Vec m = { { 0 } };

        if (imm & 0x40) {
            for (unsigned i = 0; i < n; i++) {
                if (res2 & (1u << i)) {
                    set_lane(&m, 16 / n, i, n == 16 ? 0xff : 0xffff);
                }
            }
        } else {
            m.l[0] = res2;
        }
        env->xmm_regs[0] = m;
    }
}

/* ------------------------------------------------------------------ */
/* The 0F 3A map (SSSE3 PALIGNR, SSE4.1, SSE4.2, PCLMULQDQ, AES)       */

static uint64_t clmul_lo(uint64_t a, uint64_t b, uint64_t *hi)
{
    uint64_t lo = 0, h = 0;

    for (int i = 0; i < 64; i++) {
        if (b & (1ull << i)) {
            lo ^= a << i;
            h ^= i ? a >> (64 - i) : 0;
        }
    }
    *hi = h;
    return lo;
}

static void sse_0f3a(SseCtx *s)
{
    CPUX86State *env = s->c.env;
    X86FpDesc *dd = &s->c.d;
    unsigned op = dd->opcode & 0xff, reg = dd->reg, imm = dd->imm;
    Vec d, b;

    if (dd->pfx != X86_PFX_66 && !(dd->pfx == X86_PFX_NONE && op == 0x0f)) {
        sse_ud(s);
    }
    switch (op) {
    case 0x14: case 0x15: case 0x16: case 0x17: {  /* PEXTRB/W/D/Q, EXTRACTPS */
        unsigned esz = op == 0x14 ? 1 : op == 0x15 ? 2 :
                       (op == 0x16 && dd->rexw) ? 8 : 4;
        uint64_t v = lane(&env->xmm_regs[reg], esz, imm & (16 / esz - 1));

        if (dd->mem) {
            x86_fp_st(&s->c, 0, v, esz == 1 ? MO_8 : esz == 2 ? MO_16 :
                      esz == 4 ? MO_32 : MO_64);
        } else {
            gpr_set(s, dd->rm, v, esz == 8);
        }
        return;
    }
    case 0x20: case 0x22: {             /* PINSRB, PINSRD/Q */
        unsigned esz = op == 0x20 ? 1 : dd->rexw ? 8 : 4;
        uint64_t v = dd->mem ? x86_fp_ld(&s->c, 0, esz == 1 ? MO_8 :
                                         esz == 4 ? MO_32 : MO_64) :
                     env->regs[dd->rm];

        set_lane(&env->xmm_regs[reg], esz, imm & (16 / esz - 1), v);
        return;
    }
    case 0x21: {                        /* INSERTPS */
        uint32_t v;

        if (dd->mem) {
            v = x86_fp_ld(&s->c, 0, MO_32);
        } else {
            v = env->xmm_regs[dd->rm].l[(imm >> 6) & 3];
        }
        d = env->xmm_regs[reg];
        d.l[(imm >> 4) & 3] = v;
        for (int i = 0; i < 4; i++) {
            if (imm & (1u << i)) {
                d.l[i] = 0;
            }
        }
        env->xmm_regs[reg] = d;
        return;
    }
    case 0x0a: case 0x0b:               /* ROUNDSS, ROUNDSD */
        d = env->xmm_regs[reg];
        b = sse_src(s, op == 0x0a ? 4 : 8, false);
        if (op == 0x0a) {
            d.l[0] = round32(b.l[0], imm, &s->st);
        } else {
            d.q[0] = round64(b.q[0], imm, &s->st);
        }
        sse_fp_done(s);
        env->xmm_regs[reg] = d;
        return;
    case 0x60: case 0x61: case 0x62: case 0x63:
        sse_pcmpstr(s, op);
        return;
    }
    d = sse_reg(s, reg);
    b = sse_srcv(s);
    switch (op) {
    case 0x08:                          /* ROUNDPS */
        for (int i = 0; i < 4; i++) {
            d.l[i] = round32(b.l[i], imm, &s->st);
        }
        sse_fp_done(s);
        break;
    case 0x09:                          /* ROUNDPD */
        for (int i = 0; i < 2; i++) {
            d.q[i] = round64(b.q[i], imm, &s->st);
        }
        sse_fp_done(s);
        break;
    case 0x0c:                          /* BLENDPS */
        for (int i = 0; i < 4; i++) {
            if (imm & (1u << i)) {
                d.l[i] = b.l[i];
            }
        }
        break;
    case 0x0d:                          /* BLENDPD */
        for (int i = 0; i < 2; i++) {
            if (imm & (1u << i)) {
                d.q[i] = b.q[i];
            }
        }
        break;
    case 0x0e:                          /* PBLENDW */
        for (int i = 0; i < 8; i++) {
            if (imm & (1u << i)) {
                d.w[i] = b.w[i];
            }
        }
        break;
    case 0x0f: {                        /* PALIGNR: (d:b) >> imm bytes */
        uint8_t cat[32] = { 0 };
        Vec r = { { 0 } };

        memcpy(cat, b.b, s->vlen);
        memcpy(cat + s->vlen, d.b, s->vlen);
        for (unsigned i = 0; i < s->vlen; i++) {
            r.b[i] = imm + i < 2 * s->vlen ? cat[imm + i] : 0;
        }
        d = r;
        break;
    }
    case 0x40: {                        /* DPPS */
        float32 t[4], r;

        for (int i = 0; i < 4; i++) {
            t[i] = (imm & (0x10u << i)) ? float32_mul(d.l[i], b.l[i], &s->st)
                                        : 0;
        }
        r = float32_add(float32_add(t[0], t[1], &s->st),
                        float32_add(t[2], t[3], &s->st), &s->st);
        for (int i = 0; i < 4; i++) {
            d.l[i] = (imm & (1u << i)) ? r : 0;
        }
        sse_fp_done(s);
        break;
    }
    case 0x41: {                        /* DPPD */
        float64 t[2], r;

        for (int i = 0; i < 2; i++) {
            t[i] = (imm & (0x10u << i)) ? float64_mul(d.q[i], b.q[i], &s->st)
                                        : 0;
        }
        r = float64_add(t[0], t[1], &s->st);
        for (int i = 0; i < 2; i++) {
            d.q[i] = (imm & (1u << i)) ? r : 0;
        }
        sse_fp_done(s);
        break;
    }
    case 0x42: {                        /* MPSADBW */
        unsigned ao = ((imm >> 2) & 1) * 4, bo = (imm & 3) * 4;
        Vec r;

        for (int i = 0; i < 8; i++) {
            unsigned sum = 0;

            for (int j = 0; j < 4; j++) {
                int x = d.b[ao + i + j] - b.b[bo + j];

                sum += x < 0 ? -x : x;
            }
            r.w[i] = sum;
        }
        d = r;
        break;
    }
    case 0x44: {                        /* PCLMULQDQ */
        uint64_t hi, lo = clmul_lo(d.q[imm & 1], b.q[(imm >> 4) & 1], &hi);

        d.q[0] = lo;
        d.q[1] = hi;
        break;
    }
    case 0xdf: {                        /* AESKEYGENASSIST */
        uint32_t x1 = aes_sub_word(b.l[1]), x3 = aes_sub_word(b.l[3]);

        d.l[0] = x1;
        d.l[1] = ((x1 >> 8) | (x1 << 24)) ^ imm;
        d.l[2] = x3;
        d.l[3] = ((x3 >> 8) | (x3 << 24)) ^ imm;
        break;
    }
    default:
        sse_ud(s);
    }
    sse_set_reg(s, reg, &d);
}

/* ------------------------------------------------------------------ */
/* Entry                                                               */

static void x86_helper_sse(void *envp, uint64_t desc, uint64_t a0,
                           uint64_t eip)
{
    CPUX86State *env = envp;
    SseCtx s = { .c = { env, env_cpu(env), { .raw = desc }, a0, GETPC() } };
    unsigned op = s.c.d.opcode;

    s.mmx = (op >> 8) == 1 ? is_mmx_form(op & 0xff, s.c.d.pfx) :
            (s.c.d.pfx == X86_PFX_NONE);
    s.vlen = s.mmx ? 8 : 16;
    if (s.mmx) {
        sse_check_mmx(&s);
    } else {
        sse_check_sse(&s);
    }
    s.st = sse_status(env);
    switch (op >> 8) {
    case 1:
        sse_0f(&s);
        break;
    case 2:
        sse_0f38(&s);
        break;
    case 3:
        sse_0f3a(&s);
        break;
    default:
        sse_ud(&s);
    }
}

const TCGHelperInfo x86_helper_sse_info = {
    .func = x86_helper_sse, .name = "sse", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};

/* ------------------------------------------------------------------ */
/* The lean arithmetic helper (translate-sse.c.inc)                    */

/* The arithmetic of x86_helper_sse_arith when the fast path declines:
 * softfloat, with #XM raised from the TB at ra.  Kept out of line so the
 * fast paths need no stack frame for its state. */
static void __attribute__((noinline))
sse_arith_slow(CPUX86State *env, uint64_t desc, uintptr_t ra)
{
    unsigned opc = desc & 0xff, pfx = (desc >> 8) & 3;
    unsigned reg = (desc >> 10) & 15, src = (desc >> 14) & 31;
    FpOp op = opc == 0x51 ? F_SQRT : opc == 0x58 ? F_ADD :
              opc == 0x59 ? F_MUL : opc == 0x5c ? F_SUB : F_DIV;
    Vec d = env->xmm_regs[reg];
    Vec b = src == X86_SSE_ARITH_T0 ? env->xmm_t0 : env->xmm_regs[src];
    SseCtx s;

    memset(&s, 0, sizeof(s));
    s.c.env = env;
    s.c.cs = env_cpu(env);
    s.c.ra = ra;
    s.c.d.pfx = pfx;
    s.c.d.reg = reg;
    s.vlen = 16;
    s.st = sse_status(env);
    sse_fp_arith_slow(&s, op, &d, &b);
}

static inline const X86XmmReg *sse_arith_src(CPUX86State *env,
                                             uint64_t desc)
{
    unsigned src = (desc >> 14) & 31;

    return src == X86_SSE_ARITH_T0 ? &env->xmm_t0 : &env->xmm_regs[src];
}

static void x86_helper_sse_arith(void *envp, uint64_t desc)
{
    CPUX86State *env = envp;
    unsigned opc = desc & 0xff, pfx = (desc >> 8) & 3;
    unsigned reg = (desc >> 10) & 15;
    FpOp op = opc == 0x51 ? F_SQRT : opc == 0x58 ? F_ADD :
              opc == 0x59 ? F_MUL : opc == 0x5c ? F_SUB : F_DIV;
    X86XmmReg *dp = &env->xmm_regs[reg];
    const X86XmmReg *bp = sse_arith_src(env, desc);

    /* Fast path lane by lane through pointers: whole-register copies
     * stall on store forwarding after the inline 8-byte loads. */
    if (sse_fast_ok(env)) {
        bool ok, ix = env->mxcsr & 0x20;  /* PE set: skip exactness checks */
        float32 l[4];

        switch (pfx) {
        case X86_PFX_F3:
            if (f32_fast(op, dp->l[0], bp->l[0], &l[0], &ix)) {
                dp->l[0] = l[0];
                env->mxcsr |= ix ? 0x20 : 0;
                return;
            }
            break;
        case X86_PFX_NONE:
            ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                ok = f32_fast(op, dp->l[i], bp->l[i], &l[i], &ix);
            }
            if (ok) {
                for (int i = 0; i < 4; i++) {
                    dp->l[i] = l[i];
                }
                env->mxcsr |= ix ? 0x20 : 0;
                return;
            }
            break;
        default:
            break;              /* double: the helpers below */
        }
    }
    sse_arith_slow(env, desc, GETPC());
}

/*
 * The double-precision forms (ADD/SUB/MUL/DIV/SQRT SD and PD), the bulk
 * of compiled floating-point code, get one helper per operation, so that
 * f64_fast is inlined with its operation known and the fast path is a
 * handful of instructions around the host's own.  Same argument as
 * x86_helper_sse_arith, which they fall back to through sse_arith_slow.
 */
static inline __attribute__((always_inline))
void sse_arith_sd(CPUX86State *env, uint64_t desc, FpOp op, uintptr_t ra)
{
    uint64_t *d = &env->xmm_regs[(desc >> 10) & 15].q[0];
    const uint64_t *b = &sse_arith_src(env, desc)->q[0];
    bool ix = env->mxcsr & 0x20;
    float64 q;

    if (sse_fast_ok(env) && f64_fast(op, *d, *b, &q, &ix)) {
        *d = q;
        env->mxcsr |= ix ? 0x20 : 0;
        return;
    }
    sse_arith_slow(env, desc, ra);
}

static inline __attribute__((always_inline))
void sse_arith_pd(CPUX86State *env, uint64_t desc, FpOp op, uintptr_t ra)
{
    uint64_t *d = &env->xmm_regs[(desc >> 10) & 15].q[0];
    const uint64_t *b = &sse_arith_src(env, desc)->q[0];
    bool ix = env->mxcsr & 0x20;
    float64 q0, q1;

    if (sse_fast_ok(env) && f64_fast(op, d[0], b[0], &q0, &ix) &&
        f64_fast(op, d[1], b[1], &q1, &ix)) {
        d[0] = q0;
        d[1] = q1;
        env->mxcsr |= ix ? 0x20 : 0;
        return;
    }
    sse_arith_slow(env, desc, ra);
}

#define SSE_ARITH_F64(insn, form, op)                                    \
    static void x86_helper_##insn(void *envp, uint64_t desc)             \
    {                                                                    \
        sse_arith_##form(envp, desc, op, GETPC());                       \
    }                                                                    \
    const TCGHelperInfo x86_helper_##insn##_info = {                     \
        .func = x86_helper_##insn, .name = #insn,                        \
        .flags = TCG_CALL_NO_WG, .ret = TCG_CALL_VOID, .nb_args = 2,     \
    };

SSE_ARITH_F64(addsd, sd, F_ADD)
SSE_ARITH_F64(subsd, sd, F_SUB)
SSE_ARITH_F64(mulsd, sd, F_MUL)
SSE_ARITH_F64(divsd, sd, F_DIV)
SSE_ARITH_F64(sqrtsd, sd, F_SQRT)
SSE_ARITH_F64(addpd, pd, F_ADD)
SSE_ARITH_F64(subpd, pd, F_SUB)
SSE_ARITH_F64(mulpd, pd, F_MUL)
SSE_ARITH_F64(divpd, pd, F_DIV)
SSE_ARITH_F64(sqrtpd, pd, F_SQRT)

const TCGHelperInfo x86_helper_sse_arith_info = {
    .func = x86_helper_sse_arith, .name = "sse_arith",
    .flags = TCG_CALL_NO_WG, .ret = TCG_CALL_VOID, .nb_args = 2,
};

const TCGHelperInfo x86_helper_sse_nowg_info = {
    .func = x86_helper_sse, .name = "sse", .flags = TCG_CALL_NO_WG,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};

bool x86_fpu_writes_globals(X86FpDesc d)
{
    unsigned op = d.opcode & 0xff;

    switch (d.opcode >> 8) {
    case 0:                             /* x87 */
        return (d.opcode == 0xdf && d.modrm == 0xe0) ||   /* FNSTSW AX */
               ((d.opcode == 0xdb || d.opcode == 0xdf) && !d.mem &&
                d.modrm >= 0xe8 && d.modrm <= 0xf7);      /* FCOMI... */
    case 1:
        switch (op) {
        case 0x01:                      /* XGETBV */
        case 0x2e: case 0x2f: case 0x50: case 0xc5: case 0xd7:
            return true;
        case 0x2c: case 0x2d:
            return d.pfx == X86_PFX_F3 || d.pfx == X86_PFX_F2;
        case 0x7e:
            return !d.mem && d.pfx != X86_PFX_F3;
        default:
            return false;
        }
    case 2:
        return op == 0x17;              /* PTEST */
    default:
        return (op >= 0x14 && op <= 0x17 && !d.mem) ||
               (op >= 0x60 && op <= 0x63);
    }
}
