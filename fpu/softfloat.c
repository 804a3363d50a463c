/*
 * softfloat.c: software IEEE 754 arithmetic for float32, float64 and the
 * x87 80-bit extended format (include/fpu/softfloat.h has the contract).
 *
 * Idea: every operand is unpacked into FloatParts (class, sign, unbiased
 * exponent, 64-bit significand normalised so bit 63 is the leading one).
 * Each operation computes an exact or "sticky" result as a 128-bit
 * significand (FloatUnr), and one routine, round_pack(), rounds it to any
 * format and precision: 24/53/64 significant bits with 8/11/15-bit exponent
 * ranges, which also gives x87 precision control (64-bit exponent range,
 * 24 or 53 significand bits) for free.  128 bits are enough: add/sub keep
 * every bit that can matter plus a sticky bit, mul is exact, div and sqrt
 * produce more than 66 quotient/root bits plus a sticky remainder bit.
 *
 * Architecture rules are read from FloatStatus (NaN propagation, default NaN
 * sign, tininess, FTZ/DAZ); no target headers are involved.  Called from
 * target helpers on the vCPU thread that owns the FloatStatus; no locks.
 */
#include "fpu/softfloat.h"

#include <assert.h>
#include <stddef.h>

typedef unsigned __int128 u128;

enum { FC_ZERO, FC_NORMAL, FC_INF, FC_QNAN, FC_SNAN, FC_BAD };

/* value = frac * 2^(exp - 63); NaNs keep their fraction left-aligned with
 * the quiet bit at bit 62. */
typedef struct FloatParts {
    int cls;
    bool sign;
    int32_t exp;
    uint64_t frac;
} FloatParts;

/* An unrounded result: value = sig * 2^(exp - 127), sig != 0 for normals;
 * NaNs carry their fraction in the top 64 bits of sig. */
typedef struct FloatUnr {
    int cls;
    bool sign;
    int32_t exp;
    u128 sig;
} FloatUnr;

typedef struct FloatFmt {
    int frac_bits;          /* stored fraction bits (63 for x80 incl. none) */
    int exp_bits;
    int bias;
    bool explicit_int;
} FloatFmt;

static const FloatFmt fmt_f32 = { 23, 8, 127, false };
static const FloatFmt fmt_f64 = { 52, 11, 1023, false };
static const FloatFmt fmt_x80 = { 63, 15, 16383, true };

/* A packed result in format-neutral form. */
typedef struct FloatRaw {
    bool sign;
    uint32_t bexp;
    uint64_t field;         /* fraction field (x80: whole significand) */
} FloatRaw;

static int clz128(u128 v)
{
    uint64_t hi = v >> 64;

    if (hi) {
        return __builtin_clzll(hi);
    }
    return 64 + __builtin_clzll((uint64_t)v);
}

static u128 shr_jam128(u128 v, int n)
{
    if (n <= 0) {
        return v;
    }
    if (n >= 128) {
        return v != 0;
    }
    return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

/* ---- unpack / pack ---------------------------------------------------- */

/*
 * Internal flag, never left in s->flags: an operand was a NaN.  A NaN
 * operand suppresses the denormal-operand flag of the other operands
 * (measured on x86 SSE and x87; SDM Vol 1 4.9.2 gives NaN/invalid
 * conditions priority over DE).
 */
#define FLAG_NAN_OPERAND 0x80

static FloatParts unpack_raw(const FloatFmt *f, bool sign, uint32_t bexp,
                             uint64_t field, FloatStatus *s)
{
    FloatParts p = { .sign = sign };
    uint32_t emax = (1u << f->exp_bits) - 1;
    uint64_t fraction = f->explicit_int ? field & ~(1ull << 63) : field;
    bool int_bit = f->explicit_int ? field >> 63 : bexp != 0;

    if (bexp == emax) {
        if (f->explicit_int && !int_bit) {
            p.cls = FC_BAD;                 /* pseudo-NaN / pseudo-infinity */
        } else if (fraction == 0) {
            p.cls = FC_INF;
        } else {
            p.frac = fraction << (63 - f->frac_bits);
            p.cls = (p.frac >> 62) & 1 ? FC_QNAN : FC_SNAN;
            s->flags |= FLAG_NAN_OPERAND;
        }
        return p;
    }
    if (bexp == 0) {
        uint64_t sig = f->explicit_int ? field : fraction << (63 - f->frac_bits);
        int sh;

        if (sig == 0) {
            p.cls = FC_ZERO;
            return p;
        }
        if (s->flush_inputs_to_zero) {
            p.cls = FC_ZERO;
            return p;
        }
        s->flags |= FLOAT_FLAG_INPUT_DENORMAL;
        sh = __builtin_clzll(sig);
        p.cls = FC_NORMAL;
        p.frac = sig << sh;
        p.exp = 1 - f->bias - sh;
        return p;
    }
    if (f->explicit_int && !int_bit) {
        p.cls = FC_BAD;                     /* unnormal */
        return p;
    }
    p.cls = FC_NORMAL;
    p.frac = f->explicit_int ? field : (1ull << 63) | fraction << (63 - f->frac_bits);
    p.exp = (int32_t)bexp - f->bias;
    return p;
}

static FloatParts unpack32(float32 a, FloatStatus *s)
{
    return unpack_raw(&fmt_f32, a >> 31, (a >> 23) & 0xff, a & 0x7fffff, s);
}

static FloatParts unpack64(float64 a, FloatStatus *s)
{
    return unpack_raw(&fmt_f64, a >> 63, (a >> 52) & 0x7ff,
                      a & 0xfffffffffffffull, s);
}

static FloatParts unpackx80(floatx80 a, FloatStatus *s)
{
    return unpack_raw(&fmt_x80, a.sign_exp >> 15, a.sign_exp & 0x7fff,
                      a.mant, s);
}

static float32 raw_to32(FloatRaw r)
{
    return (uint32_t)r.sign << 31 | r.bexp << 23 | (uint32_t)r.field;
}

static float64 raw_to64(FloatRaw r)
{
    return (uint64_t)r.sign << 63 | (uint64_t)r.bexp << 52 | r.field;
}

static floatx80 raw_tox80(FloatRaw r)
{
    floatx80 x = { .mant = r.field, .sign_exp = (uint16_t)(r.sign << 15 | r.bexp) };
    return x;
}

static FloatRaw pack_inf(const FloatFmt *f, bool sign)
{
    FloatRaw r = { sign, (1u << f->exp_bits) - 1,
                   f->explicit_int ? 1ull << 63 : 0 };
    return r;
}

static FloatRaw pack_zero(bool sign)
{
    FloatRaw r = { sign, 0, 0 };
    return r;
}

static FloatRaw pack_default_nan(const FloatFmt *f, const FloatStatus *s)
{
    FloatRaw r = pack_inf(f, s->default_nan_negative);

    r.field |= 1ull << (f->frac_bits - 1);
    return r;
}

/* NaN with fraction frac (quiet bit at 62), quietened. */
static FloatRaw pack_nan(const FloatFmt *f, bool sign, uint64_t frac,
                         const FloatStatus *s)
{
    FloatRaw r = pack_inf(f, sign);

    if (s->default_nan_mode) {
        return pack_default_nan(f, s);
    }
    r.field |= (frac | 1ull << 62) >> (63 - f->frac_bits);
    return r;
}

/* Rounding increment decision for the low n bits of sig (n >= 1). */
static bool round_inc(u128 sig, int n, bool sign, FloatRoundMode m)
{
    u128 rbits = n >= 128 ? sig : sig & (((u128)1 << n) - 1);
    u128 half = (u128)1 << (n - 1);

    switch (m) {
    case FLOAT_ROUND_NEAREST_EVEN:
        return rbits > half || (rbits == half && n < 128 && ((sig >> n) & 1));
    case FLOAT_ROUND_NEAREST_AWAY:
        return rbits >= half;
    case FLOAT_ROUND_TO_ZERO:
        return false;
    case FLOAT_ROUND_UP:
        return rbits && !sign;
    case FLOAT_ROUND_DOWN:
        return rbits && sign;
    }
    return false;
}

/*
 * Rounds a finite nonzero value sign * sig * 2^(e - 127) to p significant
 * bits of format f: denormals, FTZ, underflow/overflow/inexact flags.
 */
static FloatRaw round_pack(const FloatFmt *f, int p, bool sign, int32_t e,
                           u128 sig, FloatStatus *s)
{
    int32_t emax = (1 << f->exp_bits) - 1;
    int32_t wrap = 3 << (f->exp_bits - 2);      /* trapped results */
    int sh = clz128(sig);
    int n = 128 - p;
    int32_t be;
    bool tiny = false, inc, inexact, wrapped = false;
    uint64_t q;
    FloatRaw r = { .sign = sign };

    assert(sig != 0);
    sig <<= sh;
    be = e - sh + f->bias;
    s->rounded_up = false;
    if (be <= 0) {
        if (s->tininess_before_rounding || be < 0) {
            tiny = true;
        } else {
            /* Would rounding with an unbounded exponent reach 2^emin? */
            tiny = !((sig >> n) == (((u128)1 << p) - 1) &&
                     round_inc(sig, n, sign, s->rounding_mode));
        }
        if (tiny && s->underflow_trap_bias) {
            /* Rounded as if the exponent were unbounded, then wrapped. */
            s->flags |= FLOAT_FLAG_UNDERFLOW;
            be += wrap;
            tiny = false;
            wrapped = true;
        } else if (tiny && s->flush_to_zero) {
            s->flags |= FLOAT_FLAG_UNDERFLOW | FLOAT_FLAG_INEXACT;
            return pack_zero(sign);
        }
        if (be <= 0) {          /* (still) below the normal range */
            sig = shr_jam128(sig, 1 - be);
            be = 0;
        }
    }
    inexact = (sig & (((u128)1 << n) - 1)) != 0;
    inc = round_inc(sig, n, sign, s->rounding_mode);
    q = (uint64_t)(sig >> n);
    if (inc) {
        q++;
        if (be == 0) {
            if (q >> (p - 1)) {
                be = 1;
            }
        } else if (p == 64 ? q == 0 : (q >> p) != 0) {
            q = 1ull << (p - 1);
            be++;
        }
    }
    if (be >= emax && s->overflow_trap_bias && !wrapped) {
        s->flags |= FLOAT_FLAG_OVERFLOW;
        be -= wrap;
        s->rounded_up = inc;
    } else if (be >= emax) {
        bool to_inf;

        s->flags |= FLOAT_FLAG_OVERFLOW | FLOAT_FLAG_INEXACT;
        switch (s->rounding_mode) {
        case FLOAT_ROUND_TO_ZERO:
            to_inf = false;
            break;
        case FLOAT_ROUND_UP:
            to_inf = !sign;
            break;
        case FLOAT_ROUND_DOWN:
            to_inf = sign;
            break;
        default:
            to_inf = true;
        }
        s->rounded_up = to_inf;
        if (to_inf) {
            return pack_inf(f, sign);
        }
        be = emax - 1;
        q = p == 64 ? ~0ull : (1ull << p) - 1;
    } else {
        s->rounded_up = inc;
    }
    if (inexact) {
        s->flags |= FLOAT_FLAG_INEXACT;
        if (tiny) {
            s->flags |= FLOAT_FLAG_UNDERFLOW;
        }
    }
    r.bexp = be;
    if (f->explicit_int) {
        r.field = q << (64 - p);
    } else {
        r.field = (q << (f->frac_bits + 1 - p)) & ((1ull << f->frac_bits) - 1);
    }
    return r;
}

static int x80_prec(const FloatStatus *s)
{
    return s->floatx80_precision ? (int)s->floatx80_precision : 64;
}

static FloatRaw pack_unr(const FloatFmt *f, int p, FloatUnr u, FloatStatus *s)
{
    switch (u.cls) {
    case FC_ZERO:
        return pack_zero(u.sign);
    case FC_INF:
        return pack_inf(f, u.sign);
    case FC_QNAN:
    case FC_SNAN:
        return pack_nan(f, u.sign, (uint64_t)(u.sig >> 64), s);
    case FC_BAD:
        return pack_default_nan(f, s);
    }
    return round_pack(f, p, u.sign, u.exp, u.sig, s);
}

static float32 pack32(FloatUnr u, FloatStatus *s)
{
    return raw_to32(pack_unr(&fmt_f32, 24, u, s));
}

static float64 pack64(FloatUnr u, FloatStatus *s)
{
    return raw_to64(pack_unr(&fmt_f64, 53, u, s));
}

static floatx80 packx80(FloatUnr u, FloatStatus *s)
{
    return raw_tox80(pack_unr(&fmt_x80, x80_prec(s), u, s));
}

static FloatUnr unr_from_parts(FloatParts p)
{
    FloatUnr u = { p.cls, p.sign, p.exp, (u128)p.frac << 64 };
    return u;
}

static FloatUnr unr_default_nan(FloatStatus *s)
{
    FloatUnr u = { .cls = FC_BAD };
    return u;
}

static bool is_nan_cls(int c)
{
    return c == FC_QNAN || c == FC_SNAN || c == FC_BAD;
}

/* ---- NaN propagation -------------------------------------------------- */

static FloatUnr quiet(FloatParts p)
{
    FloatUnr u = unr_from_parts(p);

    u.cls = FC_QNAN;
    return u;
}

/* At least one of a, b is a NaN (or an invalid x87 encoding). */
static FloatUnr pick_nan2(FloatParts a, FloatParts b, FloatStatus *s)
{
    if (a.cls == FC_SNAN || b.cls == FC_SNAN || a.cls == FC_BAD || b.cls == FC_BAD) {
        s->flags |= FLOAT_FLAG_INVALID;
    }
    if (a.cls == FC_BAD || b.cls == FC_BAD || s->default_nan_mode) {
        return unr_default_nan(s);
    }
    if (!is_nan_cls(b.cls)) {
        return quiet(a);
    }
    if (!is_nan_cls(a.cls)) {
        return quiet(b);
    }
    switch (s->nan_rule) {
    case FLOAT_NAN_X86_SSE:
        return quiet(a);
    case FLOAT_NAN_X87:
        if (a.cls != b.cls) {
            return quiet(a.cls == FC_QNAN ? a : b);
        }
        if (a.frac != b.frac) {
            return quiet(a.frac > b.frac ? a : b);
        }
        return quiet(a.sign ? b : a);
    case FLOAT_NAN_IEEE:
        if (a.cls != b.cls) {
            return quiet(a.cls == FC_SNAN ? a : b);
        }
        return quiet(a);
    }
    return quiet(a);
}

/* ---- arithmetic on parts ---------------------------------------------- */

/* x = X * 2^(ex - 124), X < 2^126; exact sum rounded later. */
static FloatUnr add_aligned(bool sa, u128 A, int32_t ea, bool sb, u128 B,
                            int32_t eb, FloatStatus *s)
{
    FloatUnr u = { .cls = FC_NORMAL };
    int32_t d = ea - eb;

    if (d < 0) {
        bool ts = sa;
        u128 t = A;
        sa = sb; sb = ts;
        A = B; B = t;
        ea = eb;
        d = -d;
    }
    B = shr_jam128(B, d);
    if (sa == sb) {
        u.sig = A + B;
        u.sign = sa;
    } else if (A >= B) {
        u.sig = A - B;
        u.sign = sa;
    } else {
        u.sig = B - A;
        u.sign = sb;
    }
    if (u.sig == 0) {
        u.cls = FC_ZERO;
        u.sign = s->rounding_mode == FLOAT_ROUND_DOWN;
        return u;
    }
    u.exp = ea + 3;
    return u;
}

static FloatUnr addsub_parts(FloatParts a, FloatParts b, bool sub, FloatStatus *s)
{
    if (is_nan_cls(a.cls) || is_nan_cls(b.cls)) {
        return pick_nan2(a, b, s);
    }
    b.sign ^= sub;
    if (a.cls == FC_INF) {
        if (b.cls == FC_INF && a.sign != b.sign) {
            s->flags |= FLOAT_FLAG_INVALID;
            return unr_default_nan(s);
        }
        return unr_from_parts(a);
    }
    if (b.cls == FC_INF) {
        return unr_from_parts(b);
    }
    if (a.cls == FC_ZERO && b.cls == FC_ZERO) {
        FloatUnr u = { .cls = FC_ZERO };
        u.sign = a.sign == b.sign ? a.sign : s->rounding_mode == FLOAT_ROUND_DOWN;
        return u;
    }
    if (a.cls == FC_ZERO) {
        return unr_from_parts(b);
    }
    if (b.cls == FC_ZERO) {
        return unr_from_parts(a);
    }
    return add_aligned(a.sign, (u128)a.frac << 61, a.exp,
                       b.sign, (u128)b.frac << 61, b.exp, s);
}

static FloatUnr mul_parts(FloatParts a, FloatParts b, FloatStatus *s)
{
    FloatUnr u = { .sign = a.sign ^ b.sign };

    if (is_nan_cls(a.cls) || is_nan_cls(b.cls)) {
        return pick_nan2(a, b, s);
    }
    if ((a.cls == FC_INF && b.cls == FC_ZERO) ||
        (a.cls == FC_ZERO && b.cls == FC_INF)) {
        s->flags |= FLOAT_FLAG_INVALID;
        return unr_default_nan(s);
    }
    if (a.cls == FC_INF || b.cls == FC_INF) {
        u.cls = FC_INF;
        return u;
    }
    if (a.cls == FC_ZERO || b.cls == FC_ZERO) {
        u.cls = FC_ZERO;
        return u;
    }
    u.cls = FC_NORMAL;
    u.sig = (u128)a.frac * b.frac;
    u.exp = a.exp + b.exp + 1;
    return u;
}

static FloatUnr div_parts(FloatParts a, FloatParts b, FloatStatus *s)
{
    FloatUnr u = { .sign = a.sign ^ b.sign };
    u128 n, q1, q2, r1, r2;

    if (is_nan_cls(a.cls) || is_nan_cls(b.cls)) {
        return pick_nan2(a, b, s);
    }
    if ((a.cls == FC_INF && b.cls == FC_INF) ||
        (a.cls == FC_ZERO && b.cls == FC_ZERO)) {
        s->flags |= FLOAT_FLAG_INVALID;
        return unr_default_nan(s);
    }
    if (a.cls == FC_INF || b.cls == FC_ZERO) {
        if (a.cls != FC_INF) {
            s->flags |= FLOAT_FLAG_DIVBYZERO;
        }
        u.cls = FC_INF;
        return u;
    }
    if (a.cls == FC_ZERO || b.cls == FC_INF) {
        u.cls = FC_ZERO;
        return u;
    }
    n = (u128)a.frac << 63;
    q1 = n / b.frac;
    r1 = n % b.frac;
    n = r1 << 64;
    q2 = n / b.frac;
    r2 = n % b.frac;
    u.cls = FC_NORMAL;
    u.sig = (q1 << 64) | q2 | (r2 != 0);
    u.exp = a.exp - b.exp;
    return u;
}

static FloatUnr sqrt_parts(FloatParts a, FloatStatus *s)
{
    FloatUnr u = { .sign = a.sign };
    u128 m, rem = 0, root = 0;
    int32_t e2;
    int i;

    if (is_nan_cls(a.cls)) {
        return pick_nan2(a, a, s);
    }
    if (a.cls == FC_ZERO) {
        u.cls = FC_ZERO;
        return u;
    }
    if (a.sign) {
        s->flags |= FLOAT_FLAG_INVALID;
        return unr_default_nan(s);
    }
    if (a.cls == FC_INF) {
        u.cls = FC_INF;
        return u;
    }
    /* value = m * 2^e2 with e2 even */
    e2 = a.exp - 63;
    m = a.frac;
    if (e2 & 1) {
        m <<= 1;
        e2 -= 1;
    }
    m <<= 62;                       /* < 2^127: 64 bit pairs, then 3 more */
    for (i = 0; i < 67; i++) {
        u128 pair = i < 64 ? (m >> (126 - 2 * i)) & 3 : 0;
        u128 trial;

        rem = (rem << 2) | pair;
        trial = (root << 2) | 1;
        if (rem >= trial) {
            rem -= trial;
            root = (root << 1) | 1;
        } else {
            root <<= 1;
        }
    }
    /* root = floor(sqrt(m_orig * 2^68)); value = root * 2^(e2/2 - 34) */
    u.cls = FC_NORMAL;
    u.sig = root | (rem != 0);
    u.exp = e2 / 2 - 34 + 127;
    return u;
}

static FloatUnr muladd_parts(FloatParts a, FloatParts b, FloatParts c,
                             FloatStatus *s)
{
    bool ps = a.sign ^ b.sign;
    bool inf_zero = (a.cls == FC_INF && b.cls == FC_ZERO) ||
                    (a.cls == FC_ZERO && b.cls == FC_INF);

    if (is_nan_cls(a.cls) || is_nan_cls(b.cls) || is_nan_cls(c.cls)) {
        FloatParts first;

        if (a.cls == FC_SNAN || b.cls == FC_SNAN || c.cls == FC_SNAN) {
            s->flags |= FLOAT_FLAG_INVALID;
        }
        if (s->default_nan_mode) {
            return unr_default_nan(s);
        }
        if (s->nan_rule == FLOAT_NAN_IEEE) {
            if (inf_zero) {
                s->flags |= FLOAT_FLAG_INVALID;
            }
            first = a.cls == FC_SNAN ? a : b.cls == FC_SNAN ? b :
                    c.cls == FC_SNAN ? c : is_nan_cls(a.cls) ? a :
                    is_nan_cls(b.cls) ? b : c;
        } else {
            first = is_nan_cls(a.cls) ? a : is_nan_cls(b.cls) ? b : c;
        }
        return quiet(first);
    }
    if (inf_zero) {
        s->flags |= FLOAT_FLAG_INVALID;
        return unr_default_nan(s);
    }
    if (a.cls == FC_INF || b.cls == FC_INF) {
        if (c.cls == FC_INF && c.sign != ps) {
            s->flags |= FLOAT_FLAG_INVALID;
            return unr_default_nan(s);
        }
        FloatUnr u = { .cls = FC_INF, .sign = ps };
        return u;
    }
    if (c.cls == FC_INF) {
        return unr_from_parts(c);
    }
    if (a.cls == FC_ZERO || b.cls == FC_ZERO) {
        if (c.cls == FC_ZERO) {
            FloatUnr u = { .cls = FC_ZERO };
            u.sign = ps == c.sign ? ps : s->rounding_mode == FLOAT_ROUND_DOWN;
            return u;
        }
        return unr_from_parts(c);
    }
    /* product P = a.frac*b.frac * 2^(ea+eb-126); keep it at bit 124/125 */
    u128 p = ((u128)a.frac * b.frac) >> 2;   /* low bits are zero for f32/f64 */
    if (c.cls == FC_ZERO) {
        FloatUnr u = { FC_NORMAL, ps, a.exp + b.exp + 3, p };
        return u;
    }
    return add_aligned(ps, p, a.exp + b.exp, c.sign, (u128)c.frac << 61,
                       c.exp, s);
}

/* Integer magnitude of |a| rounded per m; *inexact set. exp < 64. */
static u128 round_int_mag(FloatParts a, FloatRoundMode m, bool *inexact)
{
    u128 sig = (u128)a.frac << 64;
    int n = 127 - a.exp;            /* fraction bits below the units bit */

    if (a.exp >= 63) {
        *inexact = false;
        return (u128)a.frac << (a.exp - 63);
    }
    if (n > 127) {
        sig = shr_jam128(sig, n - 127);
        n = 127;
    }
    *inexact = (sig & (((u128)1 << n) - 1)) != 0;
    return (sig >> n) + round_inc(sig, n, a.sign, m);
}

static FloatUnr round_to_int_parts(FloatParts a, FloatRoundMode m,
                                   int frac_bits, FloatStatus *s)
{
    FloatUnr u = { .sign = a.sign };
    bool inexact;
    u128 v;

    if (is_nan_cls(a.cls)) {
        return pick_nan2(a, a, s);
    }
    if (a.cls != FC_NORMAL || a.exp >= frac_bits) {
        return unr_from_parts(a);
    }
    v = round_int_mag(a, m, &inexact);
    if (inexact) {
        s->flags |= FLOAT_FLAG_INEXACT;
    }
    if (v == 0) {
        u.cls = FC_ZERO;
        return u;
    }
    u.cls = FC_NORMAL;
    u.sig = v;
    u.exp = 127;
    return u;
}

static int64_t to_int_parts(FloatParts a, FloatRoundMode m, int bits,
                            FloatStatus *s)
{
    int64_t indefinite = (int64_t)(~0ull << (bits - 1));
    bool inexact;
    u128 v;

    /* SDM Vol 2A CVTSD2SI etc.: only IE and PE; no DE for denormals. */
    s->flags &= ~FLOAT_FLAG_INPUT_DENORMAL;
    if (a.cls == FC_ZERO) {
        return 0;
    }
    if (a.cls != FC_NORMAL || a.exp >= 64) {
        s->flags |= FLOAT_FLAG_INVALID;
        return indefinite;
    }
    v = round_int_mag(a, m, &inexact);
    if (v > ((u128)1 << (bits - 1)) - !a.sign) {
        s->flags |= FLOAT_FLAG_INVALID;
        return indefinite;
    }
    if (inexact) {
        s->flags |= FLOAT_FLAG_INEXACT;
    }
    return a.sign ? (int64_t)-(uint64_t)v : (int64_t)v;
}

static FloatUnr from_int(int64_t v)
{
    FloatUnr u = { .sign = v < 0 };
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

    if (mag == 0) {
        u.cls = FC_ZERO;
        return u;
    }
    u.cls = FC_NORMAL;
    u.sig = mag;
    u.exp = 127;
    return u;
}

static FloatRelation compare_parts(FloatParts a, FloatParts b, bool quiet_cmp,
                                   FloatStatus *s)
{
    if (is_nan_cls(a.cls) || is_nan_cls(b.cls)) {
        if (!quiet_cmp || a.cls == FC_SNAN || b.cls == FC_SNAN ||
            a.cls == FC_BAD || b.cls == FC_BAD) {
            s->flags |= FLOAT_FLAG_INVALID;
        }
        return FLOAT_UNORDERED;
    }
    if (a.cls == FC_ZERO && b.cls == FC_ZERO) {
        return FLOAT_EQUAL;
    }
    /* map to a totally ordered key: sign, class, exponent, fraction */
    int ka = a.cls == FC_ZERO ? 0 : a.cls == FC_INF ? 2 : 1;
    int kb = b.cls == FC_ZERO ? 0 : b.cls == FC_INF ? 2 : 1;
    int mag;

    if (ka == 0) {
        return b.sign ? FLOAT_GREATER : FLOAT_LESS;
    }
    if (kb == 0) {
        return a.sign ? FLOAT_LESS : FLOAT_GREATER;
    }
    if (a.sign != b.sign) {
        return a.sign ? FLOAT_LESS : FLOAT_GREATER;
    }
    if (ka != kb) {
        mag = ka < kb ? -1 : 1;
    } else if (ka == 2) {
        mag = 0;
    } else if (a.exp != b.exp) {
        mag = a.exp < b.exp ? -1 : 1;
    } else {
        mag = a.frac == b.frac ? 0 : a.frac < b.frac ? -1 : 1;
    }
    return (FloatRelation)(a.sign ? -mag : mag);
}

/*
 * Remainder core: |a| reduced modulo |b| (both normal, a.exp >= b.exp - 1).
 * Returns r and the low quotient bits; value r = R * 2^(unit - 63).
 */
static FloatUnr rem_parts(FloatParts a, FloatParts b, bool nearest,
                          bool x87_partial, uint64_t *quot, bool *partial,
                          FloatStatus *s)
{
    int32_t d;
    u128 R, B;
    uint64_t q = 0;
    int32_t unit;
    bool flip = false;

    *quot = 0;
    *partial = false;
    if (is_nan_cls(a.cls) || is_nan_cls(b.cls)) {
        return pick_nan2(a, b, s);
    }
    if (a.cls == FC_INF || b.cls == FC_ZERO) {
        s->flags |= FLOAT_FLAG_INVALID;
        return unr_default_nan(s);
    }
    if (a.cls == FC_ZERO || b.cls == FC_INF) {
        return unr_from_parts(a);
    }
    d = a.exp - b.exp;
    if (d < -1 || (d == -1 && !nearest)) {
        return unr_from_parts(a);
    }
    if (x87_partial && d >= 64) {
        /* SDM FPREM: reduce by b * 2^(d - N), N in 32..63 (AMD: N = 32 +
         * d % 32), leaving a partial remainder; the caller loops. */
        int32_t k = d - (32 + d % 32);
        b.exp += k;
        d -= k;
        nearest = false;
        *partial = true;
    }
    if (d == -1) {
        R = a.frac;
        B = (u128)b.frac << 1;
        unit = a.exp;
    } else {
        R = a.frac;
        B = b.frac;
        unit = b.exp;
        q = R >= B;
        if (q) {
            R -= B;
        }
        while (d > 0) {
            int step = d > 62 ? 62 : d;
            R <<= step;
            q = (q << step) + (uint64_t)(R / B);
            R %= B;
            d -= step;
        }
    }
    if (nearest && (2 * R > B || (2 * R == B && (q & 1)))) {
        R = B - R;
        q++;
        flip = true;
    }
    *quot = *partial ? 0 : q;
    if (R == 0) {
        FloatUnr u = { .cls = FC_ZERO, .sign = a.sign };
        return u;
    }
    FloatUnr u = { FC_NORMAL, a.sign ^ flip, unit + 64, R };
    return u;
}

/* ---- public wrappers -------------------------------------------------- */

/*
 * Operations run with s->flags cleared so that op_end() can see what this
 * operation raised: an invalid operation takes precedence over the denormal
 * operand exception (SDM Vol 1 4.9.2 / 11.5.2: IE > DE), so DE is dropped
 * when IE was raised.
 */
static uint8_t op_begin(FloatStatus *s)
{
    uint8_t old = s->flags;

    s->flags = 0;
    return old;
}

static void op_end(FloatStatus *s, uint8_t old)
{
    if (s->flags & (FLOAT_FLAG_INVALID | FLOAT_FLAG_DIVBYZERO | FLAG_NAN_OPERAND)) {
        s->flags &= ~FLOAT_FLAG_INPUT_DENORMAL;
    }
    s->flags = (s->flags & ~FLAG_NAN_OPERAND) | old;
}

#define CLASSIFY(T, UNPACK)                                                  \
bool T##_is_nan(T a) { FloatStatus t = { 0 }; int c = UNPACK(a, &t).cls;    \
    return c == FC_QNAN || c == FC_SNAN; }                                   \
bool T##_is_signaling_nan(T a) { FloatStatus t = { 0 };                     \
    return UNPACK(a, &t).cls == FC_SNAN; }                                   \
bool T##_is_inf(T a) { FloatStatus t = { 0 };                               \
    return UNPACK(a, &t).cls == FC_INF; }                                    \
bool T##_is_zero(T a) { FloatStatus t = { 0 };                              \
    return UNPACK(a, &t).cls == FC_ZERO; }                                   \
bool T##_is_denormal(T a) { FloatStatus t = { 0 };                          \
    return UNPACK(a, &t).cls == FC_NORMAL &&                                 \
           (t.flags & FLOAT_FLAG_INPUT_DENORMAL); }

CLASSIFY(float32, unpack32)
CLASSIFY(float64, unpack64)
CLASSIFY(floatx80, unpackx80)

bool floatx80_is_invalid_encoding(floatx80 a)
{
    FloatStatus t = { 0 };

    return unpackx80(a, &t).cls == FC_BAD;
}

float32 float32_default_nan(const FloatStatus *s)
{
    return raw_to32(pack_default_nan(&fmt_f32, s));
}

float64 float64_default_nan(const FloatStatus *s)
{
    return raw_to64(pack_default_nan(&fmt_f64, s));
}

floatx80 floatx80_default_nan(const FloatStatus *s)
{
    return raw_tox80(pack_default_nan(&fmt_x80, s));
}

/* Wraps "return EXPR" of type R in op_begin/op_end. */
#define OP(R, EXPR) do { uint8_t old_ = op_begin(s); R r_ = (EXPR);          \
                         op_end(s, old_); return r_; } while (0)

/* PACKFULL: for FSCALE and FILD, which x87 precision control ignores. */
#define BINOPS(T, UNPACK, PACK, PACKFULL)                                              \
static T T##_binop(T a, T b, int op, FloatStatus *s)                         \
{ FloatParts pa = UNPACK(a, s), pb = UNPACK(b, s); uint64_t q; bool part;    \
  switch (op) {                                                              \
  case 0: return PACK(addsub_parts(pa, pb, false, s), s);                    \
  case 1: return PACK(addsub_parts(pa, pb, true, s), s);                     \
  case 2: return PACK(mul_parts(pa, pb, s), s);                              \
  case 3: return PACK(div_parts(pa, pb, s), s);                              \
  default: return PACK(rem_parts(pa, pb, true, false, &q, &part, s), s);     \
  } }                                                                        \
T T##_add(T a, T b, FloatStatus *s) { OP(T, T##_binop(a, b, 0, s)); }        \
T T##_sub(T a, T b, FloatStatus *s) { OP(T, T##_binop(a, b, 1, s)); }        \
T T##_mul(T a, T b, FloatStatus *s) { OP(T, T##_binop(a, b, 2, s)); }        \
T T##_div(T a, T b, FloatStatus *s) { OP(T, T##_binop(a, b, 3, s)); }        \
T T##_rem(T a, T b, FloatStatus *s) { OP(T, T##_binop(a, b, 4, s)); }        \
T T##_sqrt(T a, FloatStatus *s) { OP(T, PACK(sqrt_parts(UNPACK(a, s), s), s)); } \
static T T##_scalbn_(T a, int n, FloatStatus *s)                             \
{ FloatParts pa = UNPACK(a, s);                                              \
  if (is_nan_cls(pa.cls)) { return PACK(pick_nan2(pa, pa, s), s); }          \
  FloatUnr u = unr_from_parts(pa);                                           \
  if (n > 0x10000) { n = 0x10000; } else if (n < -0x10000) { n = -0x10000; } \
  u.exp += n; return PACKFULL(u, s); }                                           \
T T##_scalbn(T a, int n, FloatStatus *s) { OP(T, T##_scalbn_(a, n, s)); }    \
static FloatRelation T##_cmp_(T a, T b, bool quiet_cmp, FloatStatus *s)      \
{ FloatParts pa = UNPACK(a, s), pb = UNPACK(b, s);                           \
  return compare_parts(pa, pb, quiet_cmp, s); }                              \
FloatRelation T##_compare(T a, T b, FloatStatus *s)                          \
{ OP(FloatRelation, T##_cmp_(a, b, false, s)); }                             \
FloatRelation T##_compare_quiet(T a, T b, FloatStatus *s)                    \
{ OP(FloatRelation, T##_cmp_(a, b, true, s)); }                              \
int32_t T##_to_int32(T a, FloatStatus *s)                                    \
{ OP(int32_t, to_int_parts(UNPACK(a, s), s->rounding_mode, 32, s)); }        \
int32_t T##_to_int32_round_to_zero(T a, FloatStatus *s)                      \
{ OP(int32_t, to_int_parts(UNPACK(a, s), FLOAT_ROUND_TO_ZERO, 32, s)); }     \
int64_t T##_to_int64(T a, FloatStatus *s)                                    \
{ OP(int64_t, to_int_parts(UNPACK(a, s), s->rounding_mode, 64, s)); }        \
int64_t T##_to_int64_round_to_zero(T a, FloatStatus *s)                      \
{ OP(int64_t, to_int_parts(UNPACK(a, s), FLOAT_ROUND_TO_ZERO, 64, s)); }     \
T int32_to_##T(int32_t v, FloatStatus *s) { return PACKFULL(from_int(v), s); } \
T int64_to_##T(int64_t v, FloatStatus *s) { return PACKFULL(from_int(v), s); }

/* floatx80 results that x87 precision control does not touch. */
static floatx80 packx80_full(FloatUnr u, FloatStatus *s)
{
    return raw_tox80(pack_unr(&fmt_x80, 64, u, s));
}

BINOPS(float32, unpack32, pack32, pack32)
BINOPS(float64, unpack64, pack64, pack64)
BINOPS(floatx80, unpackx80, packx80, packx80_full)

float32 float32_muladd(float32 a, float32 b, float32 c, FloatStatus *s)
{
    uint8_t old = op_begin(s);
    FloatParts pa = unpack32(a, s), pb = unpack32(b, s), pc = unpack32(c, s);
    float32 r = pack32(muladd_parts(pa, pb, pc, s), s);

    op_end(s, old);
    return r;
}

float64 float64_muladd(float64 a, float64 b, float64 c, FloatStatus *s)
{
    uint8_t old = op_begin(s);
    FloatParts pa = unpack64(a, s), pb = unpack64(b, s), pc = unpack64(c, s);
    float64 r = pack64(muladd_parts(pa, pb, pc, s), s);

    op_end(s, old);
    return r;
}

floatx80 floatx80_modrem(floatx80 a, floatx80 b, bool nearest,
                         uint64_t *quotient, bool *partial, FloatStatus *s)
{
    uint8_t old = op_begin(s);
    FloatParts pa = unpackx80(a, s), pb = unpackx80(b, s);
    FloatUnr u = rem_parts(pa, pb, nearest, true, quotient, partial, s);
    /* The remainder is exact: x87 precision control does not apply. */
    floatx80 r = raw_tox80(pack_unr(&fmt_x80, 64, u, s));

    op_end(s, old);
    return r;
}

/* Drops the denormal-operand flag raised while unpacking p. */
static FloatParts no_de(FloatParts p, FloatStatus *s)
{
    s->flags &= ~FLOAT_FLAG_INPUT_DENORMAL;
    return p;
}

float32 float32_round_to_int_mode(float32 a, FloatRoundMode m, FloatStatus *s)
{
    /* SDM Vol 2B ROUNDSS: only IE and PE; a denormal raises no DE. */
    OP(float32, pack32(round_to_int_parts(no_de(unpack32(a, s), s), m, 23, s), s));
}

float64 float64_round_to_int_mode(float64 a, FloatRoundMode m, FloatStatus *s)
{
    OP(float64, pack64(round_to_int_parts(no_de(unpack64(a, s), s), m, 52, s), s));
}

floatx80 floatx80_round_to_int_mode(floatx80 a, FloatRoundMode m,
                                    FloatStatus *s)
{
    OP(floatx80, raw_tox80(pack_unr(&fmt_x80, 64,
                                    round_to_int_parts(unpackx80(a, s), m, 63, s), s)));
}

float32 float32_round_to_int(float32 a, FloatStatus *s)
{
    return float32_round_to_int_mode(a, s->rounding_mode, s);
}

float64 float64_round_to_int(float64 a, FloatStatus *s)
{
    return float64_round_to_int_mode(a, s->rounding_mode, s);
}

floatx80 floatx80_round_to_int(floatx80 a, FloatStatus *s)
{
    return floatx80_round_to_int_mode(a, s->rounding_mode, s);
}

int16_t floatx80_to_int16(floatx80 a, FloatStatus *s)
{
    OP(int16_t, (int16_t)to_int_parts(unpackx80(a, s), s->rounding_mode, 16, s));
}

#define MINMAX(T, UNPACK, NAME, WANT)                                        \
T T##_##NAME##_x86(T a, T b, FloatStatus *s)                                 \
{ uint8_t old = op_begin(s);                                                 \
  FloatParts pa = UNPACK(a, s), pb = UNPACK(b, s);                           \
  FloatRelation r = compare_parts(pa, pb, false, s);                         \
  op_end(s, old);                                                            \
  if (r == WANT) { return s->flush_inputs_to_zero && pa.cls == FC_ZERO ?     \
                   a & ((T)1 << (sizeof(T) * 8 - 1)) : a; }                  \
  return s->flush_inputs_to_zero && pb.cls == FC_ZERO ?                      \
         b & ((T)1 << (sizeof(T) * 8 - 1)) : b; }

MINMAX(float32, unpack32, min, FLOAT_LESS)
MINMAX(float32, unpack32, max, FLOAT_GREATER)
MINMAX(float64, unpack64, min, FLOAT_LESS)
MINMAX(float64, unpack64, max, FLOAT_GREATER)

/* Conversion input: an SNaN or invalid encoding raises INVALID. */
static FloatUnr conv_in(FloatParts p, FloatStatus *s)
{
    if (p.cls == FC_SNAN || p.cls == FC_BAD) {
        s->flags |= FLOAT_FLAG_INVALID;
    }
    return unr_from_parts(p);
}

float64 float32_to_float64(float32 a, FloatStatus *s)
{
    OP(float64, pack64(conv_in(unpack32(a, s), s), s));
}

floatx80 float32_to_floatx80(float32 a, FloatStatus *s)
{
    OP(floatx80, raw_tox80(pack_unr(&fmt_x80, 64, conv_in(unpack32(a, s), s), s)));
}

float32 float64_to_float32(float64 a, FloatStatus *s)
{
    OP(float32, pack32(conv_in(unpack64(a, s), s), s));
}

floatx80 float64_to_floatx80(float64 a, FloatStatus *s)
{
    OP(floatx80, raw_tox80(pack_unr(&fmt_x80, 64, conv_in(unpack64(a, s), s), s)));
}

static FloatUnr x80_conv_in(floatx80 a, FloatStatus *s)
{
    return conv_in(no_de(unpackx80(a, s), s), s);
}

float32 floatx80_to_float32(floatx80 a, FloatStatus *s)
{
    /* x87 FST m32/m64 of a denormal register raises no DE (measured). */
    OP(float32, pack32(x80_conv_in(a, s), s));
}

float64 floatx80_to_float64(floatx80 a, FloatStatus *s)
{
    OP(float64, pack64(x80_conv_in(a, s), s));
}

floatx80 floatx80_const(FloatX80Const c, FloatStatus *s)
{
    /* 128-bit significands; SDM Vol 1 8.3.8: rounded per RC. */
    static const struct { uint64_t hi, lo; int32_t exp; } k[] = {
        [FLOATX80_CONST_PI] = { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1 },
        [FLOATX80_CONST_L2E] = { 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0 },
        [FLOATX80_CONST_L2T] = { 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 1 },
        [FLOATX80_CONST_LG2] = { 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, -2 },
        [FLOATX80_CONST_LN2] = { 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1 },
    };
    FloatUnr u = { FC_NORMAL, false, k[c].exp, (u128)k[c].hi << 64 | k[c].lo };
    uint8_t saved = s->flags;
    floatx80 r = raw_tox80(pack_unr(&fmt_x80, 64, u, s));

    s->flags = saved;               /* constants raise no exceptions */
    return r;
}
