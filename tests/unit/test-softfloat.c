/*
 * test-softfloat.c: fpu/softfloat.c checked bit for bit against the host's
 * own floating-point hardware.
 *
 * Every case runs the same operands through softfloat and through the real
 * instruction (SSE/AVX with MXCSR loaded for float32/float64, x87 with the
 * control word loaded for floatx80) and compares the result bits and the
 * exception flags.  Operands come from a fixed-seed generator biased towards
 * special values: zeros, infinities, QNaN/SNaN with payloads, denormals,
 * min/max normals, mantissas near rounding ties, integers near conversion
 * limits, operand pairs whose result lands near underflow or overflow, and
 * (x87) unnormals, pseudo-denormals and pseudo-NaNs.  Each op runs in every
 * rounding mode, with DAZ/FTZ combinations (SSE) or with every precision
 * control setting (x87).  A mismatch prints the operands in hex.
 */
#include "util/osdep.h"
#include "fpu/softfloat.h"

#include <cpuid.h>
#include <math.h>

#define MAX_REPORT 8

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void seed(uint64_t s)
{
    rng_state = s * 0x9E3779B97F4A7C15ull + 1;
}

/* Random exponent/fraction fields, biased to special values. */
static uint64_t gen_frac(int fbits)
{
    uint64_t mask = fbits == 64 ? ~0ull : (1ull << fbits) - 1;
    int k = rnd() % 10;

    switch (k) {
    case 0:
        return 0;
    case 1:
        return mask;
    case 2:
        return 1ull << (rnd() % fbits);
    case 3:
        return (mask >> 1) + 1 + (rnd() % 5) - 2;           /* near the tie */
    case 4:
        return (rnd() & mask) | (mask >> (rnd() % fbits));  /* trailing ones */
    case 5:
        return (rnd() & mask) & ~(mask >> (rnd() % fbits)); /* trailing zeros */
    case 6:
        return rnd() & rnd() & rnd() & mask;                 /* sparse */
    default:
        return rnd() & mask;
    }
}

static uint32_t gen_exp(int ebits, int fbits)
{
    uint32_t emax = (1u << ebits) - 1, bias = emax >> 1;

    switch (rnd() % 12) {
    case 0:
        return 0;
    case 1:
        return emax;
    case 2:
        return 1 + rnd() % 3;
    case 3:
        return emax - 1 - rnd() % 3;
    case 4:
        return bias + rnd() % (fbits + 2);                  /* integers */
    case 5:
        return bias + 28 + rnd() % 8;                       /* int32 limits */
    case 6:
        return bias + 60 + rnd() % 8;                       /* int64 limits */
    case 7:
        return bias - 2 + rnd() % 4;
    default:
        return rnd() % (emax + 1);
    }
}

static uint32_t gen32(void)
{
    return (uint32_t)(rnd() & 1) << 31 | gen_exp(8, 23) << 23 | gen_frac(23);
}

static uint64_t gen64(void)
{
    return (rnd() & 1) << 63 | (uint64_t)gen_exp(11, 52) << 52 | gen_frac(52);
}

static floatx80 genx80(void)
{
    floatx80 x;
    uint32_t e = gen_exp(15, 63);

    x.mant = gen_frac(63);
    /* integer bit: set for normals, clear for denormals, sometimes wrong */
    if (e != 0) {
        x.mant |= 1ull << 63;
    }
    if (rnd() % 32 == 0) {
        x.mant ^= 1ull << 63;
    }
    x.sign_exp = (uint16_t)((rnd() & 1) << 15 | e);
    return x;
}

/* Unbiased exponent near the underflow/overflow edges of a narrower
 * format (for conversions): emin - p .. emin + 1 or emax - 1 .. emax + 1. */
static int32_t gen_narrow_exp(int32_t emin, int32_t emax, int p)
{
    if (rnd() % 2) {
        return emin - p - 1 + (int32_t)(rnd() % (p + 4));
    }
    return emax - 1 + (int32_t)(rnd() % 3);
}

/* A second operand whose result with a lands near a boundary. */
static int32_t gen_exp_rel(int32_t ea, int op_kind, int ebits, int fbits)
{
    int32_t emax = (1 << ebits) - 1, bias = emax >> 1, t, eb;

    switch (rnd() % 4) {
    case 0:
        t = (int32_t)(rnd() % 4);
        break;
    case 1:
        t = emax - 1 - (int32_t)(rnd() % 4);
        break;
    case 2:
        t = -(int32_t)(rnd() % (fbits + 3));
        break;
    default:
        t = ea + (int32_t)(rnd() % 5) - 2;
    }
    eb = op_kind == 1 ? t - ea + bias : op_kind == 2 ? ea - t + bias
                                                    : ea + (int32_t)(rnd() % 5) - 2;
    return eb < 0 ? 0 : eb > emax ? emax : eb;
}

typedef struct OpStats {
    const char *name;
    unsigned cases;
    unsigned fails;
} OpStats;

static void report(OpStats *st)
{
    g_test_message("%s: %u cases, %u mismatches", st->name, st->cases, st->fails);
    if (st->fails) {
        g_test_fail();
    }
}

/* ---- SSE ---------------------------------------------------------------- */

static const uint32_t mxcsr_default = 0x1f80;

static FloatStatus sse_status(uint32_t mx)
{
    FloatStatus s = {
        .rounding_mode = (FloatRoundMode)((mx >> 13) & 3),
        .flush_to_zero = (mx >> 15) & 1,
        .flush_inputs_to_zero = (mx >> 6) & 1,
        .default_nan_negative = true,
        .tininess_before_rounding = false,
        .nan_rule = FLOAT_NAN_X86_SSE,
    };
    return s;
}

static uint32_t gen_mxcsr(void)
{
    return mxcsr_default | (uint32_t)(rnd() % 4) << 13 |
           (rnd() % 2 ? 0x8000 : 0) | (rnd() % 2 ? 0x40 : 0);
}

/* Two-operand scalar instruction "insn src, dst" on type T in xmm. */
#define SSE2OP(fn, T, insn)                                                  \
static T fn(T a, T b, uint32_t mx, uint32_t *flags)                          \
{                                                                            \
    uint32_t out;                                                            \
    asm volatile("ldmxcsr %[m]\n\t" insn " %[b], %[a]\n\t"                   \
                 "stmxcsr %[o]\n\tldmxcsr %[d]"                              \
                 : [a] "+x"(a), [o] "=m"(out)                                \
                 : [b] "x"(b), [m] "m"(mx), [d] "m"(mxcsr_default));         \
    *flags = out & 0x3f;                                                     \
    return a;                                                                \
}

SSE2OP(h_add32, float, "addss")
SSE2OP(h_sub32, float, "subss")
SSE2OP(h_mul32, float, "mulss")
SSE2OP(h_div32, float, "divss")
SSE2OP(h_min32, float, "minss")
SSE2OP(h_max32, float, "maxss")
SSE2OP(h_add64, double, "addsd")
SSE2OP(h_sub64, double, "subsd")
SSE2OP(h_mul64, double, "mulsd")
SSE2OP(h_div64, double, "divsd")
SSE2OP(h_min64, double, "minsd")
SSE2OP(h_max64, double, "maxsd")

/* One-operand: dst = op(src); TO and FROM types. */
#define SSE1OP(fn, TO, FROM, cons, insn)                                     \
static TO fn(FROM a, uint32_t mx, uint32_t *flags)                           \
{                                                                            \
    uint32_t out;                                                            \
    TO r;                                                                    \
    asm volatile("ldmxcsr %[m]\n\t" insn " %[a], %[r]\n\t"                   \
                 "stmxcsr %[o]\n\tldmxcsr %[d]"                              \
                 : [r] cons(r), [o] "=m"(out)                                \
                 : [a] "x"(a), [m] "m"(mx), [d] "m"(mxcsr_default));         \
    *flags = out & 0x3f;                                                     \
    return r;                                                                \
}

SSE1OP(h_sqrt32, float, float, "=x", "sqrtss")
SSE1OP(h_sqrt64, double, double, "=x", "sqrtsd")
SSE1OP(h_cvt_32_64, double, float, "=x", "cvtss2sd")
SSE1OP(h_cvt_64_32, float, double, "=x", "cvtsd2ss")
SSE1OP(h_cvt32_i32, int32_t, float, "=r", "cvtss2si")
SSE1OP(h_cvtt32_i32, int32_t, float, "=r", "cvttss2si")
SSE1OP(h_cvt32_i64, int64_t, float, "=r", "cvtss2si")
SSE1OP(h_cvtt32_i64, int64_t, float, "=r", "cvttss2si")
SSE1OP(h_cvt64_i32, int32_t, double, "=r", "cvtsd2si")
SSE1OP(h_cvtt64_i32, int32_t, double, "=r", "cvttsd2si")
SSE1OP(h_cvt64_i64, int64_t, double, "=r", "cvtsd2si")
SSE1OP(h_cvtt64_i64, int64_t, double, "=r", "cvttsd2si")

#define SSEFROMINT(fn, TO, FROM, insn)                                       \
static TO fn(FROM a, uint32_t mx, uint32_t *flags)                           \
{                                                                            \
    uint32_t out;                                                            \
    TO r = 0;                                                                \
    asm volatile("ldmxcsr %[m]\n\t" insn " %[a], %[r]\n\t"                   \
                 "stmxcsr %[o]\n\tldmxcsr %[d]"                              \
                 : [r] "+x"(r), [o] "=m"(out)                                \
                 : [a] "r"(a), [m] "m"(mx), [d] "m"(mxcsr_default));         \
    *flags = out & 0x3f;                                                     \
    return r;                                                                \
}

SSEFROMINT(h_i32_to32, float, int32_t, "cvtsi2ssl")
SSEFROMINT(h_i64_to32, float, int64_t, "cvtsi2ssq")
SSEFROMINT(h_i32_to64, double, int32_t, "cvtsi2sdl")
SSEFROMINT(h_i64_to64, double, int64_t, "cvtsi2sdq")

#define SSEROUND(fn, T, insn)                                                \
static T fn(T a, int imm, uint32_t mx, uint32_t *flags)                      \
{                                                                            \
    uint32_t out;                                                            \
    T r = a;                                                                 \
    switch (imm) {                                                           \
    case 0: asm volatile("ldmxcsr %[m]\n\t" insn " $0, %[a], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" : [r] "+x"(r), [o] "=m"(out) : [a] "x"(a), [m] "m"(mx), [d] "m"(mxcsr_default)); break; \
    case 1: asm volatile("ldmxcsr %[m]\n\t" insn " $1, %[a], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" : [r] "+x"(r), [o] "=m"(out) : [a] "x"(a), [m] "m"(mx), [d] "m"(mxcsr_default)); break; \
    case 2: asm volatile("ldmxcsr %[m]\n\t" insn " $2, %[a], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" : [r] "+x"(r), [o] "=m"(out) : [a] "x"(a), [m] "m"(mx), [d] "m"(mxcsr_default)); break; \
    case 3: asm volatile("ldmxcsr %[m]\n\t" insn " $3, %[a], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" : [r] "+x"(r), [o] "=m"(out) : [a] "x"(a), [m] "m"(mx), [d] "m"(mxcsr_default)); break; \
    default: asm volatile("ldmxcsr %[m]\n\t" insn " $4, %[a], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" : [r] "+x"(r), [o] "=m"(out) : [a] "x"(a), [m] "m"(mx), [d] "m"(mxcsr_default)); break; \
    }                                                                        \
    *flags = out & 0x3f;                                                     \
    return r;                                                                \
}

SSEROUND(h_round32, float, "roundss")
SSEROUND(h_round64, double, "roundsd")

/* COMISS/UCOMISS: EFLAGS ZF,PF,CF -> relation. */
#define SSECMP(fn, T, insn)                                                  \
static int fn(T a, T b, uint32_t mx, uint32_t *flags)                        \
{                                                                            \
    uint32_t out;                                                            \
    uint8_t zf, pf, cf;                                                      \
    asm volatile("ldmxcsr %[m]\n\t" insn " %[b], %[a]\n\t"                   \
                 "setz %[zf]\n\tsetp %[pf]\n\tsetc %[cf]\n\t"                \
                 "stmxcsr %[o]\n\tldmxcsr %[d]"                              \
                 : [o] "=m"(out), [zf] "=r"(zf), [pf] "=r"(pf), [cf] "=r"(cf) \
                 : [a] "x"(a), [b] "x"(b), [m] "m"(mx), [d] "m"(mxcsr_default) \
                 : "cc");                                                    \
    *flags = out & 0x3f;                                                     \
    return pf ? FLOAT_UNORDERED : zf ? FLOAT_EQUAL : cf ? FLOAT_LESS : FLOAT_GREATER; \
}

SSECMP(h_comi32, float, "comiss")
SSECMP(h_ucomi32, float, "ucomiss")
SSECMP(h_comi64, double, "comisd")
SSECMP(h_ucomi64, double, "ucomisd")

#define SSEFMA(fn, T, insn)                                                  \
static T fn(T a, T b, T c, uint32_t mx, uint32_t *flags)                     \
{                                                                            \
    uint32_t out;                                                            \
    asm volatile("ldmxcsr %[m]\n\t" insn " %[b], %[a], %[c]\n\t"            \
                 "stmxcsr %[o]\n\tldmxcsr %[d]"                              \
                 : [c] "+x"(c), [o] "=m"(out)                                \
                 : [a] "x"(a), [b] "x"(b), [m] "m"(mx), [d] "m"(mxcsr_default)); \
    *flags = out & 0x3f;                                                     \
    return c;                                                                \
}

/* vfmadd231: c = a * b + c (AT&T operand order reversed). */
SSEFMA(h_fma32, float, "vfmadd231ss")
SSEFMA(h_fma64, double, "vfmadd231sd")

static float f32(uint32_t v)
{
    float f;

    memcpy(&f, &v, 4);
    return f;
}

static uint32_t u32(float f)
{
    uint32_t v;

    memcpy(&v, &f, 4);
    return v;
}

static double f64(uint64_t v)
{
    double f;

    memcpy(&f, &v, 8);
    return f;
}

static uint64_t u64(double f)
{
    uint64_t v;

    memcpy(&v, &f, 8);
    return v;
}

#define N_SSE 200000

static bool check(OpStats *st, uint64_t got, uint64_t want, unsigned gflags,
                  unsigned wflags, const char *ops)
{
    st->cases++;
    if (got == want && gflags == wflags) {
        return true;
    }
    if (st->fails++ < MAX_REPORT) {
        printf("# %s MISMATCH %s: soft %#" PRIx64 " flags %#x, host %#" PRIx64
               " flags %#x (x87: sign_exp in flags 31..16)\n", st->name, ops, got, gflags, want, wflags);
    }
    return false;
}

/* Evaluates the softfloat expression, then the host one, then compares. */
#define CHECK(stat, soft, host, ops) do {                                    \
        uint64_t got_ = (uint64_t)(soft);                                    \
        uint64_t want_ = (uint64_t)(host);                                   \
        check(stat, got_, want_, s.flags, hf, ops);                          \
    } while (0)

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MIN, OP_MAX } BinOp;

static void test_sse_binop32(gconstpointer p)
{
    BinOp op = GPOINTER_TO_INT(p);
    static const char *names[] = { "addss", "subss", "mulss", "divss", "minss", "maxss" };
    OpStats st = { names[op] };
    int i;

    seed(100 + op);
    for (i = 0; i < N_SSE; i++) {
        uint32_t a = gen32(), b = gen32(), mx = gen_mxcsr(), hf = 0, r = 0, h = 0;
        FloatStatus s = sse_status(mx);
        char ops[96];

        if (rnd() % 4 == 0) {
            int32_t eb = gen_exp_rel((a >> 23) & 0xff, op == OP_MUL ? 1 : op == OP_DIV ? 2 : 0, 8, 24);
            b = (b & 0x807fffff) | (uint32_t)eb << 23;
        }
        switch (op) {
        case OP_ADD: r = float32_add(a, b, &s); h = u32(h_add32(f32(a), f32(b), mx, &hf)); break;
        case OP_SUB: r = float32_sub(a, b, &s); h = u32(h_sub32(f32(a), f32(b), mx, &hf)); break;
        case OP_MUL: r = float32_mul(a, b, &s); h = u32(h_mul32(f32(a), f32(b), mx, &hf)); break;
        case OP_DIV: r = float32_div(a, b, &s); h = u32(h_div32(f32(a), f32(b), mx, &hf)); break;
        case OP_MIN: r = float32_min_x86(a, b, &s); h = u32(h_min32(f32(a), f32(b), mx, &hf)); break;
        case OP_MAX: r = float32_max_x86(a, b, &s); h = u32(h_max32(f32(a), f32(b), mx, &hf)); break;
        }
        snprintf(ops, sizeof(ops), "a=%#x b=%#x mxcsr=%#x", a, b, mx);
        CHECK(&st, r, h, ops);
    }
    report(&st);
}

static void test_sse_binop64(gconstpointer p)
{
    BinOp op = GPOINTER_TO_INT(p);
    static const char *names[] = { "addsd", "subsd", "mulsd", "divsd", "minsd", "maxsd" };
    OpStats st = { names[op] };
    int i;

    seed(200 + op);
    for (i = 0; i < N_SSE; i++) {
        uint64_t a = gen64(), b = gen64(), r = 0, h = 0;
        uint32_t mx = gen_mxcsr(), hf = 0;
        FloatStatus s = sse_status(mx);
        char ops[96];

        if (rnd() % 4 == 0) {
            int32_t eb = gen_exp_rel((a >> 52) & 0x7ff, op == OP_MUL ? 1 : op == OP_DIV ? 2 : 0, 11, 53);
            b = (b & 0x800fffffffffffffull) | (uint64_t)eb << 52;
        }
        switch (op) {
        case OP_ADD: r = float64_add(a, b, &s); h = u64(h_add64(f64(a), f64(b), mx, &hf)); break;
        case OP_SUB: r = float64_sub(a, b, &s); h = u64(h_sub64(f64(a), f64(b), mx, &hf)); break;
        case OP_MUL: r = float64_mul(a, b, &s); h = u64(h_mul64(f64(a), f64(b), mx, &hf)); break;
        case OP_DIV: r = float64_div(a, b, &s); h = u64(h_div64(f64(a), f64(b), mx, &hf)); break;
        case OP_MIN: r = float64_min_x86(a, b, &s); h = u64(h_min64(f64(a), f64(b), mx, &hf)); break;
        case OP_MAX: r = float64_max_x86(a, b, &s); h = u64(h_max64(f64(a), f64(b), mx, &hf)); break;
        }
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " b=%#" PRIx64 " mxcsr=%#x", a, b, mx);
        CHECK(&st, r, h, ops);
    }
    report(&st);
}

static void test_sse_unary(void)
{
    OpStats sq32 = { "sqrtss" }, sq64 = { "sqrtsd" }, c3264 = { "cvtss2sd" },
            c6432 = { "cvtsd2ss" }, rnd32 = { "roundss" }, rnd64 = { "roundsd" };
    int i;

    seed(300);
    for (i = 0; i < N_SSE; i++) {
        uint32_t a = gen32(), mx = gen_mxcsr(), hf, imm = rnd() % 5;
        uint64_t b = gen64();

        if (rnd() % 3 == 0) {
            b = (b & 0x800fffffffffffffull) |
                (uint64_t)(1023 + gen_narrow_exp(-126, 127, 24)) << 52;
        }
        FloatStatus s;
        char ops[96];

        snprintf(ops, sizeof(ops), "a=%#x mxcsr=%#x", a, mx);
        s = sse_status(mx);
        CHECK(&sq32, float32_sqrt(a, &s), u32(h_sqrt32(f32(a), mx, &hf)), ops);
        s = sse_status(mx);
        CHECK(&c3264, float32_to_float64(a, &s), u64(h_cvt_32_64(f32(a), mx, &hf)), ops);
        s = sse_status(mx);
        snprintf(ops, sizeof(ops), "a=%#x mxcsr=%#x imm=%u", a, mx, imm);
        CHECK(&rnd32, imm < 4 ? float32_round_to_int_mode(a, imm, &s) : float32_round_to_int(a, &s),
              u32(h_round32(f32(a), imm, mx, &hf)), ops);

        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " mxcsr=%#x", b, mx);
        s = sse_status(mx);
        CHECK(&sq64, float64_sqrt(b, &s), u64(h_sqrt64(f64(b), mx, &hf)), ops);
        s = sse_status(mx);
        CHECK(&c6432, float64_to_float32(b, &s), u32(h_cvt_64_32(f64(b), mx, &hf)), ops);
        s = sse_status(mx);
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " mxcsr=%#x imm=%u", b, mx, imm);
        CHECK(&rnd64, imm < 4 ? float64_round_to_int_mode(b, imm, &s) : float64_round_to_int(b, &s),
              u64(h_round64(f64(b), imm, mx, &hf)), ops);
    }
    report(&sq32);
    report(&sq64);
    report(&c3264);
    report(&c6432);
    report(&rnd32);
    report(&rnd64);
}

static void test_sse_int(void)
{
    OpStats s32i32 = { "cvtss2si32" }, t32i32 = { "cvttss2si32" },
            s32i64 = { "cvtss2si64" }, t32i64 = { "cvttss2si64" },
            s64i32 = { "cvtsd2si32" }, t64i32 = { "cvttsd2si32" },
            s64i64 = { "cvtsd2si64" }, t64i64 = { "cvttsd2si64" },
            i32f32 = { "cvtsi2ss32" }, i64f32 = { "cvtsi2ss64" },
            i32f64 = { "cvtsi2sd32" }, i64f64 = { "cvtsi2sd64" };
    int i;

    seed(400);
    for (i = 0; i < N_SSE; i++) {
        uint32_t a = gen32(), mx = gen_mxcsr(), hf;
        uint64_t b = gen64();
        int64_t v = (int64_t)rnd() >> (rnd() % 64);
        FloatStatus s;
        char ops[96];

#define CK(stat, expr, host, fmtv, val) \
        s = sse_status(mx); \
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " mxcsr=%#x", (uint64_t)(val), mx); \
        CHECK(&stat, expr, host, ops)

        CK(s32i32, (uint32_t)float32_to_int32(a, &s), (uint32_t)h_cvt32_i32(f32(a), mx, &hf), 0, a);
        CK(t32i32, (uint32_t)float32_to_int32_round_to_zero(a, &s), (uint32_t)h_cvtt32_i32(f32(a), mx, &hf), 0, a);
        CK(s32i64, float32_to_int64(a, &s), h_cvt32_i64(f32(a), mx, &hf), 0, a);
        CK(t32i64, float32_to_int64_round_to_zero(a, &s), h_cvtt32_i64(f32(a), mx, &hf), 0, a);
        CK(s64i32, (uint32_t)float64_to_int32(b, &s), (uint32_t)h_cvt64_i32(f64(b), mx, &hf), 0, b);
        CK(t64i32, (uint32_t)float64_to_int32_round_to_zero(b, &s), (uint32_t)h_cvtt64_i32(f64(b), mx, &hf), 0, b);
        CK(s64i64, float64_to_int64(b, &s), h_cvt64_i64(f64(b), mx, &hf), 0, b);
        CK(t64i64, float64_to_int64_round_to_zero(b, &s), h_cvtt64_i64(f64(b), mx, &hf), 0, b);
        CK(i32f32, int32_to_float32((int32_t)v, &s), u32(h_i32_to32((int32_t)v, mx, &hf)), 0, v);
        CK(i64f32, int64_to_float32(v, &s), u32(h_i64_to32(v, mx, &hf)), 0, v);
        CK(i32f64, int32_to_float64((int32_t)v, &s), u64(h_i32_to64((int32_t)v, mx, &hf)), 0, v);
        CK(i64f64, int64_to_float64(v, &s), u64(h_i64_to64(v, mx, &hf)), 0, v);
#undef CK
    }
    report(&s32i32); report(&t32i32); report(&s32i64); report(&t32i64);
    report(&s64i32); report(&t64i32); report(&s64i64); report(&t64i64);
    report(&i32f32); report(&i64f32); report(&i32f64); report(&i64f64);
}

static void test_sse_compare(void)
{
    OpStats c32 = { "comiss" }, u32s = { "ucomiss" }, c64 = { "comisd" }, u64s = { "ucomisd" };
    int i;

    seed(500);
    for (i = 0; i < N_SSE; i++) {
        uint32_t a = gen32(), b = rnd() % 4 ? gen32() : a ^ (rnd() % 2) << 31;
        uint64_t c = gen64(), d = rnd() % 4 ? gen64() : c ^ (rnd() % 2) << 63;
        uint32_t mx = gen_mxcsr(), hf;
        FloatStatus s;
        char ops[96];

        snprintf(ops, sizeof(ops), "a=%#x b=%#x mxcsr=%#x", a, b, mx);
        s = sse_status(mx);
        CHECK(&c32, float32_compare(a, b, &s), h_comi32(f32(a), f32(b), mx, &hf), ops);
        s = sse_status(mx);
        CHECK(&u32s, float32_compare_quiet(a, b, &s), h_ucomi32(f32(a), f32(b), mx, &hf), ops);
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " b=%#" PRIx64 " mxcsr=%#x", c, d, mx);
        s = sse_status(mx);
        CHECK(&c64, float64_compare(c, d, &s), h_comi64(f64(c), f64(d), mx, &hf), ops);
        s = sse_status(mx);
        CHECK(&u64s, float64_compare_quiet(c, d, &s), h_ucomi64(f64(c), f64(d), mx, &hf), ops);
    }
    report(&c32); report(&u32s); report(&c64); report(&u64s);
}

static void test_sse_fma(void)
{
    OpStats f32s = { "vfmadd231ss" }, f64s = { "vfmadd231sd" };
    unsigned eax, ebx, ecx, edx;
    int i;

    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_FMA) ||
        !(ecx & bit_OSXSAVE)) {
        g_test_skip("host CPU has no FMA3 (cpuid.1:ecx.FMA)");
        return;
    }
    seed(600);
    for (i = 0; i < N_SSE; i++) {
        uint32_t a = gen32(), b = gen32(), c = gen32(), mx = gen_mxcsr(), hf;
        uint64_t x = gen64(), y = gen64(), z = gen64();
        FloatStatus s;
        char ops[160];

        if (rnd() % 2) {
            /* c near a*b: cancellation */
            int32_t e = (int32_t)((a >> 23) & 0xff) + (int32_t)((b >> 23) & 0xff) - 127 +
                        (int32_t)(rnd() % 5) - 2;
            c = (c & 0x807fffff) | (uint32_t)(e < 0 ? 0 : e > 255 ? 255 : e) << 23;
            e = (int32_t)((x >> 52) & 0x7ff) + (int32_t)((y >> 52) & 0x7ff) - 1023 +
                (int32_t)(rnd() % 5) - 2;
            z = (z & 0x800fffffffffffffull) | (uint64_t)(e < 0 ? 0 : e > 2047 ? 2047 : e) << 52;
        }
        snprintf(ops, sizeof(ops), "a=%#x b=%#x c=%#x mxcsr=%#x", a, b, c, mx);
        s = sse_status(mx);
        CHECK(&f32s, float32_muladd(a, b, c, &s), u32(h_fma32(f32(a), f32(b), f32(c), mx, &hf)),
              ops);
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " b=%#" PRIx64 " c=%#" PRIx64 " mxcsr=%#x",
                 x, y, z, mx);
        s = sse_status(mx);
        CHECK(&f64s, float64_muladd(x, y, z, &s), u64(h_fma64(f64(x), f64(y), f64(z), mx, &hf)),
              ops);
    }
    report(&f32s);
    report(&f64s);
}

/* IEEE remainder has no SSE instruction; libm's remainder() is exact. */
static void test_rem(void)
{
    OpStats r32 = { "float32_rem" }, r64 = { "float64_rem" };
    int i;

    seed(700);
    for (i = 0; i < N_SSE; i++) {
        uint32_t a = gen32(), b = gen32();
        uint64_t c = gen64(), d = gen64();
        FloatStatus s = sse_status(mxcsr_default);
        char ops[96];
        uint32_t r = float32_rem(a, b, &s), h = u32(remainderf(f32(a), f32(b)));
        uint64_t r2, h2;

        snprintf(ops, sizeof(ops), "a=%#x b=%#x", a, b);
        if (isnan(f32(h)) && float32_is_nan(r)) {
            h = r;                  /* libm's NaN choice is not x86's */
        }
        if (!(h << 1)) {
            h = a & 0x80000000u;    /* IEEE 754 5.3.1: zero takes x's sign */
        }
        check(&r32, r, h, 0, 0, ops);
        r2 = float64_rem(c, d, &s);
        h2 = u64(remainder(f64(c), f64(d)));
        if (isnan(f64(h2)) && float64_is_nan(r2)) {
            h2 = r2;
        }
        if (!(h2 << 1)) {
            h2 = c & 0x8000000000000000ull;     /* glibc loses it for huge x */
        }
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " b=%#" PRIx64, c, d);
        check(&r64, r2, h2, 0, 0, ops);
    }
    report(&r32);
    report(&r64);
}

/* ---- x87 ---------------------------------------------------------------- */

typedef enum {
    X_ADD, X_SUB, X_MUL, X_DIV, X_SQRT, X_RNDINT, X_SCALE, X_PREM, X_PREM1,
    X_NOPS
} X87Op;

static const char *x87_names[] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt", "frndint", "fscale", "fprem", "fprem1"
};

#define X87_2(insn)                                                          \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"       \
                 insn "\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfstp %%st(0)\n\t"   \
                 "fninit"                                                    \
                 : [r] "=m"(r), [sw] "=m"(sw)                                \
                 : [a] "m"(a), [b] "m"(b), [cw] "m"(cw))

static floatx80 host_x87(X87Op op, floatx80 a, floatx80 b, uint16_t cw,
                         uint16_t *swp)
{
    floatx80 r = { 0 };
    uint16_t sw = 0;

    switch (op) {
    case X_ADD: X87_2("fadd %%st(1), %%st"); break;
    case X_SUB: X87_2("fsub %%st(1), %%st"); break;
    case X_MUL: X87_2("fmul %%st(1), %%st"); break;
    case X_DIV: X87_2("fdiv %%st(1), %%st"); break;
    case X_SQRT: X87_2("fsqrt"); break;
    case X_RNDINT: X87_2("frndint"); break;
    case X_SCALE: X87_2("fscale"); break;
    case X_PREM: X87_2("fprem"); break;
    case X_PREM1: X87_2("fprem1"); break;
    default: g_assert_not_reached();
    }
    *swp = sw;
    return r;
}

static FloatStatus x87_status(uint16_t cw)
{
    static const FloatX80Precision pc[4] = {
        FLOATX80_PREC_32, FLOATX80_PREC_80, FLOATX80_PREC_64, FLOATX80_PREC_80
    };
    FloatStatus s = {
        .rounding_mode = (FloatRoundMode)((cw >> 10) & 3),
        .floatx80_precision = pc[(cw >> 8) & 3],
        .default_nan_negative = true,
        .tininess_before_rounding = false,
        .nan_rule = FLOAT_NAN_X87,
    };
    return s;
}

static uint16_t gen_cw(void)
{
    static const uint16_t pcs[3] = { 0, 2, 3 };

    return 0x3f | pcs[rnd() % 3] << 8 | (uint16_t)(rnd() % 4) << 10;
}

#define N_X87 150000

static void test_x87_op(gconstpointer p)
{
    X87Op op = GPOINTER_TO_INT(p);
    OpStats st = { x87_names[op] };
    int i;

    seed(800 + op);
    for (i = 0; i < N_X87; i++) {
        floatx80 a = genx80(), b = genx80(), r = { 0 }, h;
        uint16_t cw = gen_cw(), sw, want_sw, got_sw;
        FloatStatus s = x87_status(cw);
        uint64_t q = 0;
        bool partial = false;
        char ops[160];

        if (op == X_PREM || op == X_PREM1) {
            cw |= 0x300;                    /* exact result: PC irrelevant */
            s = x87_status(cw);
        }
        if (rnd() % 4 == 0 && op != X_SCALE) {
            int32_t eb = gen_exp_rel(a.sign_exp & 0x7fff, op == X_MUL ? 1 : op == X_DIV ? 2 : 0, 15, 64);
            b.sign_exp = (uint16_t)((b.sign_exp & 0x8000) | eb);
            b.mant |= eb ? 1ull << 63 : 0;
        }
        if (rnd() % 32 == 0) {
            b = a;                          /* equal significands, NaNs too */
            b.sign_exp ^= (uint16_t)((rnd() & 1) << 15);
        }
        if (op == X_SCALE) {
            int32_t n = (int32_t)(rnd() % 70000) - 35000;
            FloatStatus t = { 0 };

            if (rnd() % 2) {
                n %= 100;
            }
            b = int32_to_floatx80(n, &t);
            s.flags = 0;
            r = floatx80_scalbn(a, n, &s);
        }
        switch (op) {
        case X_ADD: r = floatx80_add(a, b, &s); break;
        case X_SUB: r = floatx80_sub(a, b, &s); break;
        case X_MUL: r = floatx80_mul(a, b, &s); break;
        case X_DIV: r = floatx80_div(a, b, &s); break;
        case X_SQRT: r = floatx80_sqrt(a, &s); break;
        case X_RNDINT: r = floatx80_round_to_int(a, &s); break;
        case X_PREM: r = floatx80_modrem(a, b, false, &q, &partial, &s); break;
        case X_PREM1: r = floatx80_modrem(a, b, true, &q, &partial, &s); break;
        default: break;
        }
        h = host_x87(op, a, b, cw, &sw);
        got_sw = s.flags;
        want_sw = sw & 0x3f;
        if (op == X_PREM || op == X_PREM1) {
            want_sw |= sw & 0x4700;         /* C3 C2 C1 C0 */
            got_sw |= (partial ? 0x400 : 0);
            if (!partial && !(s.flags & FLOAT_FLAG_INVALID)) {
                got_sw |= (q & 1 ? 0x200 : 0) | (q & 2 ? 0x4000 : 0) | (q & 4 ? 0x100 : 0);
            } else {
                want_sw &= ~0x4300;         /* undefined when incomplete */
            }
        } else if ((s.flags & FLOAT_FLAG_INEXACT) && op != X_RNDINT) {
            want_sw |= sw & 0x200;          /* C1: rounded up */
            got_sw |= s.rounded_up ? 0x200 : 0;
        }
        snprintf(ops, sizeof(ops), "a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " cw=%#x",
                 a.sign_exp, a.mant, b.sign_exp, b.mant, cw);
        /* flags words carry sign_exp in bits 31..16 */
        check(&st, r.mant, h.mant, got_sw | (unsigned)r.sign_exp << 16,
              want_sw | (unsigned)h.sign_exp << 16, ops);
    }
    report(&st);
}

/* x87 loads and stores: FLD m32/m64, FST m32/m64, FIST(P)/FISTTP, FILD. */
static void test_x87_conv(void)
{
    OpStats ld32 = { "fld m32" }, ld64 = { "fld m64" }, st32 = { "fstp m32" },
            st64 = { "fstp m64" }, is16 = { "fistp m16" }, is32 = { "fistp m32" },
            is64 = { "fistp m64" }, it32 = { "fisttp m32" }, it64 = { "fisttp m64" },
            il64 = { "fild m64" };
    int i;

    seed(900);
    for (i = 0; i < N_X87; i++) {
        uint16_t cw = gen_cw(), sw;
        uint32_t f = gen32(), hf32;
        uint64_t d = gen64(), hf64;
        floatx80 x = genx80(), h = { 0 }, r;

        if (rnd() % 3 == 0) {
            int32_t e = rnd() % 2 ? gen_narrow_exp(-126, 127, 24)
                                  : gen_narrow_exp(-1022, 1023, 53);
            x.sign_exp = (uint16_t)((x.sign_exp & 0x8000) | (16383 + e));
            x.mant |= 1ull << 63;
        }
        int16_t h16;
        int32_t h32;
        int64_t h64, v = (int64_t)rnd() >> (rnd() % 64);
        FloatStatus s;
        char ops[96];

        snprintf(ops, sizeof(ops), "a=%#x cw=%#x", f, cw);
        s = x87_status(cw);
        r = float32_to_floatx80(f, &s);
        asm volatile("fninit\n\tfldcw %[cw]\n\tflds %[a]\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfninit"
                     : [r] "=m"(h), [sw] "=m"(sw) : [a] "m"(f), [cw] "m"(cw));
        check(&ld32, r.mant, h.mant, s.flags | (unsigned)r.sign_exp << 16,
              (sw & 0x3f) | (unsigned)h.sign_exp << 16, ops);
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " cw=%#x", d, cw);
        s = x87_status(cw);
        r = float64_to_floatx80(d, &s);
        asm volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfninit"
                     : [r] "=m"(h), [sw] "=m"(sw) : [a] "m"(d), [cw] "m"(cw));
        check(&ld64, r.mant, h.mant, s.flags | (unsigned)r.sign_exp << 16,
              (sw & 0x3f) | (unsigned)h.sign_exp << 16, ops);
        snprintf(ops, sizeof(ops), "v=%#" PRIx64, (uint64_t)v);
        s = x87_status(cw);
        r = int64_to_floatx80(v, &s);
        asm volatile("fninit\n\tfldcw %[cw]\n\tfildll %[a]\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfninit"
                     : [r] "=m"(h), [sw] "=m"(sw) : [a] "m"(v), [cw] "m"(cw));
        check(&il64, r.mant, h.mant, s.flags | (unsigned)r.sign_exp << 16,
              (sw & 0x3f) | (unsigned)h.sign_exp << 16, ops);

        snprintf(ops, sizeof(ops), "a=%04x:%016" PRIx64 " cw=%#x", x.sign_exp, x.mant, cw);
#define XST(stat, T, softexpr, insn, hv, cmpc1)                               \
        s = x87_status(cw);                                                  \
        {                                                                    \
            T rv = softexpr;                                                 \
            unsigned g = s.flags, w;                                         \
            asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[r]\n\t" \
                         "fnstsw %[sw]\n\tfninit"                            \
                         : [r] "=m"(hv), [sw] "=m"(sw) : [a] "m"(x), [cw] "m"(cw)); \
            w = sw & 0x3f;                                                   \
            if (cmpc1 && (g & FLOAT_FLAG_INEXACT)) {                         \
                w |= sw & 0x200;                                             \
                g |= s.rounded_up ? 0x200 : 0;                               \
            }                                                                \
            check(&stat, (uint64_t)rv, (uint64_t)(T)hv, g, w, ops);             \
        }
        XST(st32, uint32_t, floatx80_to_float32(x, &s), "fstps", hf32, true)
        XST(st64, uint64_t, floatx80_to_float64(x, &s), "fstpl", hf64, true)
        XST(is16, uint16_t, (uint16_t)floatx80_to_int16(x, &s), "fistps", h16, false)
        XST(is32, uint32_t, (uint32_t)floatx80_to_int32(x, &s), "fistpl", h32, false)
        XST(is64, uint64_t, (uint64_t)floatx80_to_int64(x, &s), "fistpll", h64, false)
        XST(it32, uint32_t, (uint32_t)floatx80_to_int32_round_to_zero(x, &s), "fisttpl", h32, false)
        XST(it64, uint64_t, (uint64_t)floatx80_to_int64_round_to_zero(x, &s), "fisttpll", h64, false)
#undef XST
    }
    report(&ld32); report(&ld64); report(&il64); report(&st32); report(&st64);
    report(&is16); report(&is32); report(&is64); report(&it32); report(&it64);
}

/* floatx80_rem (IEEE remainder) against FPREM1 repeated until C2 clears. */
static void test_x87_rem(void)
{
    OpStats st = { "floatx80_rem (fprem1 loop)" };
    int i;

    seed(1200);
    for (i = 0; i < N_X87 / 10; i++) {
        floatx80 a = genx80(), b = genx80(), h;
        uint16_t cw = 0x37f, sw;
        FloatStatus s = x87_status(cw);
        floatx80 r = floatx80_rem(a, b, &s);
        char ops[96];

        asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n"
                     "1:\tfprem1\n\tfnstsw %%ax\n\ttestw $0x400, %%ax\n\tjnz 1b\n\t"
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfstp %%st(0)\n\tfninit"
                     : [r] "=m"(h), [sw] "=m"(sw)
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "ax", "cc");
        snprintf(ops, sizeof(ops), "a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64,
                 a.sign_exp, a.mant, b.sign_exp, b.mant);
        check(&st, r.mant, h.mant, s.flags | (unsigned)r.sign_exp << 16,
              (sw & 0x3f) | (unsigned)h.sign_exp << 16, ops);
    }
    report(&st);
}

/* FCOMI (signaling) and FUCOMI (quiet): ZF PF CF like COMISS. */
static void test_x87_compare(void)
{
    OpStats c = { "fcomi" }, u = { "fucomi" };
    int i;

    seed(1000);
    for (i = 0; i < N_X87; i++) {
        floatx80 a = genx80(), b = rnd() % 4 ? genx80() : a;
        uint16_t cw = gen_cw(), sw;
        int k;

        if (rnd() % 2) {
            b.sign_exp ^= 0x8000;
        }
        for (k = 0; k < 2; k++) {
            FloatStatus s = x87_status(cw);
            FloatRelation r = k ? floatx80_compare_quiet(a, b, &s)
                                : floatx80_compare(a, b, &s);
            uint8_t zf, pf, cf;
            int h;
            char ops[96];

            if (k) {
                asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
                             "fucomi %%st(1), %%st\n\tsetz %[zf]\n\tsetp %[pf]\n\t"
                             "setc %[cf]\n\tfnstsw %[sw]\n\tfninit"
                             : [zf] "=r"(zf), [pf] "=r"(pf), [cf] "=r"(cf), [sw] "=m"(sw)
                             : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "cc");
            } else {
                asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"
                             "fcomi %%st(1), %%st\n\tsetz %[zf]\n\tsetp %[pf]\n\t"
                             "setc %[cf]\n\tfnstsw %[sw]\n\tfninit"
                             : [zf] "=r"(zf), [pf] "=r"(pf), [cf] "=r"(cf), [sw] "=m"(sw)
                             : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "cc");
            }
            h = pf ? FLOAT_UNORDERED : zf ? FLOAT_EQUAL : cf ? FLOAT_LESS : FLOAT_GREATER;
            snprintf(ops, sizeof(ops), "a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64,
                     a.sign_exp, a.mant, b.sign_exp, b.mant);
            check(k ? &u : &c, (uint64_t)r, (uint64_t)h, s.flags, sw & 0x3f, ops);
        }
    }
    report(&c);
    report(&u);
}

/* scalbn for float32/float64 against libm's scalbn (exact up to one
 * rounding, in the current MXCSR rounding mode); values only. */
static void test_scalbn(void)
{
    OpStats s32 = { "float32_scalbn" }, s64 = { "float64_scalbn" };
    int i;

    seed(1100);
    for (i = 0; i < N_SSE / 4; i++) {
        uint32_t a = gen32(), mx = mxcsr_default | (uint32_t)(rnd() % 4) << 13;
        uint64_t b = gen64();
        int n = (int)(rnd() % 700) - 350;
        FloatStatus s = sse_status(mx);
        uint32_t r = float32_scalbn(a, n, &s), h;
        uint64_t r2 = float64_scalbn(b, n * 7, &s), h2;
        char ops[96];

        asm volatile("ldmxcsr %0" : : "m"(mx));
        h = u32(scalbnf(f32(a), n));
        h2 = u64(scalbn(f64(b), n * 7));
        asm volatile("ldmxcsr %0" : : "m"(mxcsr_default));
        if (isnan(f32(h)) && float32_is_nan(r)) {
            h = r;
        }
        if (isnan(f64(h2)) && float64_is_nan(r2)) {
            h2 = r2;
        }
        snprintf(ops, sizeof(ops), "a=%#x n=%d mxcsr=%#x", a, n, mx);
        check(&s32, r, h, 0, 0, ops);
        snprintf(ops, sizeof(ops), "a=%#" PRIx64 " n=%d mxcsr=%#x", b, n * 7, mx);
        check(&s64, r2, h2, 0, 0, ops);
    }
    report(&s32);
    report(&s64);
}

/* Trapped overflow/underflow: the exponent wrapped by 2^24576 (floatx80),
 * 192 (float32); exact cases, so the expected values are computed by
 * hand from the definition. */
static void test_trap_bias(void)
{
    FloatStatus s = { .overflow_trap_bias = true, .underflow_trap_bias = true,
                      .nan_rule = FLOAT_NAN_X87 };
    floatx80 max = { ~0ull, 0x7ffe }, two = { 1ull << 63, 0x4000 };
    floatx80 minn = { 1ull << 63, 0x0001 }, half = { 1ull << 63, 0x3ffe };
    floatx80 r;

    /* (2 - 2^-63) * 2^16383 * 2 = (2 - 2^-63) * 2^(32767 - 16383). */
    r = floatx80_mul(max, two, &s);
    g_assert_cmphex(r.sign_exp, ==, 0x7fff - 24576);
    g_assert_cmphex(r.mant, ==, ~0ull);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_OVERFLOW);

    /* 2^-16382 / 2: tiny and exact, still UNDERFLOW when trapped. */
    s.flags = 0;
    r = floatx80_mul(minn, half, &s);
    g_assert_cmphex(r.sign_exp, ==, 0 + 24576);
    g_assert_cmphex(r.mant, ==, 1ull << 63);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_UNDERFLOW);

    /* Rounded to the precision with the unbounded exponent: 24 bits. */
    s.flags = 0;
    s.floatx80_precision = FLOATX80_PREC_32;
    r = floatx80_mul(max, two, &s);
    g_assert_cmphex(r.sign_exp, ==, 0x8000 - 24576);   /* rounded up */
    g_assert_cmphex(r.mant, ==, 1ull << 63);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_OVERFLOW | FLOAT_FLAG_INEXACT);

    /* float32: 2^127 * 4 -> 2^129 / 2^192. */
    s.flags = 0;
    g_assert_cmphex(float32_mul(0x7f000000, 0x40800000, &s), ==,
                    (uint32_t)(129 - 192 + 127) << 23);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_OVERFLOW);

    /* Off: the masked results. */
    s.overflow_trap_bias = s.underflow_trap_bias = false;
    s.floatx80_precision = FLOATX80_PREC_80;
    s.flags = 0;
    r = floatx80_mul(max, two, &s);
    g_assert_cmphex(r.sign_exp, ==, 0x7fff);
    g_assert_cmphex(r.mant, ==, 1ull << 63);
    s.flags = 0;
    r = floatx80_mul(minn, half, &s);
    g_assert_cmphex(r.sign_exp, ==, 0);
    g_assert_cmphex(r.mant, ==, 1ull << 62);
    g_assert_cmphex(s.flags, ==, 0);
}

static void test_x87_const(void)
{
    OpStats st = { "fld constants" };
    int rc;

    for (rc = 0; rc < 4; rc++) {
        uint16_t cw = 0x37f | rc << 10, sw;
        FloatStatus s = x87_status(cw);
        floatx80 h[5], r[5];
        int k;

        asm volatile("fninit\n\tfldcw %[cw]\n\tfldpi\n\tfstpt %[pi]\n\tfldl2e\n\tfstpt %[l2e]\n\t"
                     "fldl2t\n\tfstpt %[l2t]\n\tfldlg2\n\tfstpt %[lg2]\n\tfldln2\n\tfstpt %[ln2]\n\t"
                     "fnstsw %[sw]\n\tfninit"
                     : [pi] "=m"(h[0]), [l2e] "=m"(h[1]), [l2t] "=m"(h[2]), [lg2] "=m"(h[3]),
                       [ln2] "=m"(h[4]), [sw] "=m"(sw) : [cw] "m"(cw));
        for (k = 0; k < 5; k++) {
            char ops[32];

            r[k] = floatx80_const((FloatX80Const)k, &s);
            snprintf(ops, sizeof(ops), "const %d rc %d", k, rc);
            check(&st, r[k].mant, h[k].mant, s.flags | (unsigned)r[k].sign_exp << 16,
                  (sw & 0x3f) | (unsigned)h[k].sign_exp << 16, ops);
        }
    }
    report(&st);
}

/* Host-independent checks of the non-x86 knobs. */
static void test_rules(void)
{
    FloatStatus s = { .nan_rule = FLOAT_NAN_IEEE };
    /* IEEE rule: the SNaN wins over an earlier QNaN. */
    g_assert_cmphex(float64_add(0x7ff8000000000001ull, 0x7ff0000000000002ull, &s), ==,
                    0x7ff8000000000002ull);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_INVALID);
    /* POWER-style positive default NaN. */
    s.flags = 0;
    g_assert_cmphex(float32_sqrt(0xbf800000u, &s), ==, 0x7fc00000u);
    /* Tininess after rounding: 0x1.fffffffp-127 rounds to 2^-126 exactly
     * in nearest mode; not tiny, so only inexact. */
    s.flags = 0;
    s.tininess_before_rounding = false;
    g_assert_cmphex(float64_to_float32(0x380fffffffffffffull, &s), ==, 0x00800000u);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_INEXACT);
    s.flags = 0;
    s.tininess_before_rounding = true;
    g_assert_cmphex(float64_to_float32(0x380fffffffffffffull, &s), ==, 0x00800000u);
    g_assert_cmphex(s.flags, ==, FLOAT_FLAG_INEXACT | FLOAT_FLAG_UNDERFLOW);
    /* Round to nearest, ties away. */
    s.flags = 0;
    s.rounding_mode = FLOAT_ROUND_NEAREST_AWAY;
    g_assert_cmphex(float64_round_to_int(0x4004000000000000ull, &s), ==, 0x4008000000000000ull);
    g_assert_true(floatx80_is_invalid_encoding((floatx80){ 0x4000000000000000ull, 0x3fff }));
    g_assert_true(floatx80_is_denormal((floatx80){ 0x8000000000000000ull, 0 }));
}

int main(int argc, char **argv)
{
    static const char *b32[] = { "add", "sub", "mul", "div", "min", "max" };
    char path[64];
    int i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < 6; i++) {
        snprintf(path, sizeof(path), "/softfloat/sse/float32/%s", b32[i]);
        g_test_add_data_func(path, GINT_TO_POINTER(i), test_sse_binop32);
        snprintf(path, sizeof(path), "/softfloat/sse/float64/%s", b32[i]);
        g_test_add_data_func(path, GINT_TO_POINTER(i), test_sse_binop64);
    }
    g_test_add_func("/softfloat/sse/unary", test_sse_unary);
    g_test_add_func("/softfloat/sse/int", test_sse_int);
    g_test_add_func("/softfloat/sse/compare", test_sse_compare);
    g_test_add_func("/softfloat/sse/fma", test_sse_fma);
    g_test_add_func("/softfloat/rem", test_rem);
    for (i = 0; i < X_NOPS; i++) {
        snprintf(path, sizeof(path), "/softfloat/x87/%s", x87_names[i]);
        g_test_add_data_func(path, GINT_TO_POINTER(i), test_x87_op);
    }
    g_test_add_func("/softfloat/x87/conv", test_x87_conv);
    g_test_add_func("/softfloat/x87/const", test_x87_const);
    g_test_add_func("/softfloat/x87/compare", test_x87_compare);
    g_test_add_func("/softfloat/x87/rem", test_x87_rem);
    g_test_add_func("/softfloat/scalbn", test_scalbn);
    g_test_add_func("/softfloat/trap-bias", test_trap_bias);
    g_test_add_func("/softfloat/rules", test_rules);
    return g_test_run();
}
