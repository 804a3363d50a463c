/*
 * test-tcg-ops.c: randomized operand sweeps of every arithmetic IR op
 * against a C reference model, executed as generated x86-64 code.
 *
 * For each op family, width and parameter set (condition, field offset
 * and length, bswap flags) it generates:
 *   - a register form: inputs from globals, outputs to globals, one TB run
 *     for thousands of edge-biased operand sets;
 *   - constant forms: each input in turn (and then all inputs) baked into
 *     the TB as a constant, one TB per case; the all-constant form is
 *     folded by the optimizer, so its result checks the folding.
 * The whole sweep runs twice: with the host features from cpuid, and with
 * every optional feature cleared (plain x86-64 fallbacks).
 *
 * The reference model below is written independently of tcg/optimize.c
 * (bit loops rather than builtins) and follows docs/devel/tcg.md.
 */
#include "util/osdep.h"
#include "tests/unit/support/tcg-harness.h"

enum {
    OP_ADD, OP_SUB, OP_NEG, OP_NOT, OP_AND, OP_OR, OP_XOR, OP_ANDC, OP_ORC,
    OP_EQV, OP_NAND, OP_NOR, OP_MUL, OP_MULUH, OP_MULSH, OP_DIV, OP_DIVU,
    OP_REM, OP_REMU, OP_SHL, OP_SHR, OP_SAR, OP_ROTL, OP_ROTR, OP_CLZ,
    OP_CTZ, OP_CTPOP, OP_EXTRACT, OP_SEXTRACT, OP_DEPOSIT, OP_EXTRACT2,
    OP_SETCOND, OP_NEGSETCOND, OP_MOVCOND, OP_BRCOND, OP_BSWAP16,
    OP_BSWAP32, OP_BSWAP64, OP_EXT8S, OP_EXT8U, OP_EXT16S, OP_EXT16U,
    OP_EXT32S, OP_EXT32U, OP_ADD2, OP_SUB2, OP_MULU2, OP_MULS2,
    OP_EXTU_I32_I64, OP_EXT_I32_I64, OP_EXTRL, OP_EXTRH,
};

enum { P_NONE, P_COND, P_FIELD, P_EXTRACT2, P_BSWAP };

typedef struct OpSpec {
    const char *name;
    int op;
    unsigned width;            /* operation width */
    uint8_t nb_in, nb_out;
    unsigned in_bits, out_bits; /* 0: = width */
    int params;
    bool small_b;              /* second input biased to shift counts */
} OpSpec;

#define S(n, o, w, i, out, p) { n, o, w, i, out, 0, 0, p, false }
#define SH(n, o, w) { n, o, w, 2, 1, 0, 0, P_NONE, true }

static const OpSpec specs[] = {
    S("add_i32", OP_ADD, 32, 2, 1, P_NONE), S("add_i64", OP_ADD, 64, 2, 1, P_NONE),
    S("sub_i32", OP_SUB, 32, 2, 1, P_NONE), S("sub_i64", OP_SUB, 64, 2, 1, P_NONE),
    S("neg_i32", OP_NEG, 32, 1, 1, P_NONE), S("neg_i64", OP_NEG, 64, 1, 1, P_NONE),
    S("not_i32", OP_NOT, 32, 1, 1, P_NONE), S("not_i64", OP_NOT, 64, 1, 1, P_NONE),
    S("and_i32", OP_AND, 32, 2, 1, P_NONE), S("and_i64", OP_AND, 64, 2, 1, P_NONE),
    S("or_i32", OP_OR, 32, 2, 1, P_NONE), S("or_i64", OP_OR, 64, 2, 1, P_NONE),
    S("xor_i32", OP_XOR, 32, 2, 1, P_NONE), S("xor_i64", OP_XOR, 64, 2, 1, P_NONE),
    S("andc_i32", OP_ANDC, 32, 2, 1, P_NONE), S("andc_i64", OP_ANDC, 64, 2, 1, P_NONE),
    S("orc_i32", OP_ORC, 32, 2, 1, P_NONE), S("orc_i64", OP_ORC, 64, 2, 1, P_NONE),
    S("eqv_i32", OP_EQV, 32, 2, 1, P_NONE), S("eqv_i64", OP_EQV, 64, 2, 1, P_NONE),
    S("nand_i32", OP_NAND, 32, 2, 1, P_NONE), S("nand_i64", OP_NAND, 64, 2, 1, P_NONE),
    S("nor_i32", OP_NOR, 32, 2, 1, P_NONE), S("nor_i64", OP_NOR, 64, 2, 1, P_NONE),
    S("mul_i32", OP_MUL, 32, 2, 1, P_NONE), S("mul_i64", OP_MUL, 64, 2, 1, P_NONE),
    S("muluh_i32", OP_MULUH, 32, 2, 1, P_NONE), S("muluh_i64", OP_MULUH, 64, 2, 1, P_NONE),
    S("mulsh_i32", OP_MULSH, 32, 2, 1, P_NONE), S("mulsh_i64", OP_MULSH, 64, 2, 1, P_NONE),
    S("div_i32", OP_DIV, 32, 2, 1, P_NONE), S("div_i64", OP_DIV, 64, 2, 1, P_NONE),
    S("divu_i32", OP_DIVU, 32, 2, 1, P_NONE), S("divu_i64", OP_DIVU, 64, 2, 1, P_NONE),
    S("rem_i32", OP_REM, 32, 2, 1, P_NONE), S("rem_i64", OP_REM, 64, 2, 1, P_NONE),
    S("remu_i32", OP_REMU, 32, 2, 1, P_NONE), S("remu_i64", OP_REMU, 64, 2, 1, P_NONE),
    SH("shl_i32", OP_SHL, 32), SH("shl_i64", OP_SHL, 64),
    SH("shr_i32", OP_SHR, 32), SH("shr_i64", OP_SHR, 64),
    SH("sar_i32", OP_SAR, 32), SH("sar_i64", OP_SAR, 64),
    SH("rotl_i32", OP_ROTL, 32), SH("rotl_i64", OP_ROTL, 64),
    SH("rotr_i32", OP_ROTR, 32), SH("rotr_i64", OP_ROTR, 64),
    SH("clz_i32", OP_CLZ, 32), SH("clz_i64", OP_CLZ, 64),
    SH("ctz_i32", OP_CTZ, 32), SH("ctz_i64", OP_CTZ, 64),
    S("ctpop_i32", OP_CTPOP, 32, 1, 1, P_NONE), S("ctpop_i64", OP_CTPOP, 64, 1, 1, P_NONE),
    S("extract_i32", OP_EXTRACT, 32, 1, 1, P_FIELD),
    S("extract_i64", OP_EXTRACT, 64, 1, 1, P_FIELD),
    S("sextract_i32", OP_SEXTRACT, 32, 1, 1, P_FIELD),
    S("sextract_i64", OP_SEXTRACT, 64, 1, 1, P_FIELD),
    S("deposit_i32", OP_DEPOSIT, 32, 2, 1, P_FIELD),
    S("deposit_i64", OP_DEPOSIT, 64, 2, 1, P_FIELD),
    S("extract2_i32", OP_EXTRACT2, 32, 2, 1, P_EXTRACT2),
    S("extract2_i64", OP_EXTRACT2, 64, 2, 1, P_EXTRACT2),
    S("setcond_i32", OP_SETCOND, 32, 2, 1, P_COND),
    S("setcond_i64", OP_SETCOND, 64, 2, 1, P_COND),
    S("negsetcond_i32", OP_NEGSETCOND, 32, 2, 1, P_COND),
    S("negsetcond_i64", OP_NEGSETCOND, 64, 2, 1, P_COND),
    S("movcond_i32", OP_MOVCOND, 32, 4, 1, P_COND),
    S("movcond_i64", OP_MOVCOND, 64, 4, 1, P_COND),
    S("brcond_i32", OP_BRCOND, 32, 2, 1, P_COND),
    S("brcond_i64", OP_BRCOND, 64, 2, 1, P_COND),
    S("bswap16_i32", OP_BSWAP16, 32, 1, 1, P_BSWAP),
    S("bswap16_i64", OP_BSWAP16, 64, 1, 1, P_BSWAP),
    S("bswap32_i32", OP_BSWAP32, 32, 1, 1, P_BSWAP),
    S("bswap32_i64", OP_BSWAP32, 64, 1, 1, P_BSWAP),
    S("bswap64_i64", OP_BSWAP64, 64, 1, 1, P_NONE),
    S("ext8s_i32", OP_EXT8S, 32, 1, 1, P_NONE), S("ext8s_i64", OP_EXT8S, 64, 1, 1, P_NONE),
    S("ext8u_i32", OP_EXT8U, 32, 1, 1, P_NONE), S("ext8u_i64", OP_EXT8U, 64, 1, 1, P_NONE),
    S("ext16s_i32", OP_EXT16S, 32, 1, 1, P_NONE), S("ext16s_i64", OP_EXT16S, 64, 1, 1, P_NONE),
    S("ext16u_i32", OP_EXT16U, 32, 1, 1, P_NONE), S("ext16u_i64", OP_EXT16U, 64, 1, 1, P_NONE),
    S("ext32s_i64", OP_EXT32S, 64, 1, 1, P_NONE), S("ext32u_i64", OP_EXT32U, 64, 1, 1, P_NONE),
    S("add2_i32", OP_ADD2, 32, 4, 2, P_NONE), S("add2_i64", OP_ADD2, 64, 4, 2, P_NONE),
    S("sub2_i32", OP_SUB2, 32, 4, 2, P_NONE), S("sub2_i64", OP_SUB2, 64, 4, 2, P_NONE),
    S("mulu2_i32", OP_MULU2, 32, 2, 2, P_NONE), S("mulu2_i64", OP_MULU2, 64, 2, 2, P_NONE),
    S("muls2_i32", OP_MULS2, 32, 2, 2, P_NONE), S("muls2_i64", OP_MULS2, 64, 2, 2, P_NONE),
    { "extu_i32_i64", OP_EXTU_I32_I64, 64, 1, 1, 32, 64, P_NONE, false },
    { "ext_i32_i64", OP_EXT_I32_I64, 64, 1, 1, 32, 64, P_NONE, false },
    { "extrl_i64_i32", OP_EXTRL, 64, 1, 1, 64, 32, P_NONE, false },
    { "extrh_i64_i32", OP_EXTRH, 64, 1, 1, 64, 32, P_NONE, false },
};

/* ---- reference model ---- */

static uint64_t wmask(unsigned w)
{
    return w == 64 ? ~0ull : (1ull << w) - 1;
}

static int64_t ref_signed(uint64_t v, unsigned w)
{
    uint64_t sign = 1ull << (w - 1);

    v &= wmask(w);
    return (v & sign) ? (int64_t)(v | ~wmask(w)) : (int64_t)v;
}

static bool ref_cond(TCGCond c, unsigned w, uint64_t a, uint64_t b)
{
    int64_t sa = ref_signed(a, w), sb = ref_signed(b, w);

    a &= wmask(w);
    b &= wmask(w);
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return !(sa < sb);
    case TCG_COND_LE: return sa < sb || a == b;
    case TCG_COND_GT: return sb < sa;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return !(a < b);
    case TCG_COND_LEU: return !(b < a);
    case TCG_COND_GTU: return b < a;
    case TCG_COND_TSTEQ: return !(a & b);
    case TCG_COND_TSTNE: return !!(a & b);
    default: g_assert_not_reached();
    }
}

static uint64_t ref_byteswap(uint64_t v, unsigned bytes)
{
    uint64_t r = 0;

    for (unsigned i = 0; i < bytes; i++) {
        r = (r << 8) | ((v >> (8 * i)) & 0xff);
    }
    return r;
}

/* Signed 128-bit product of two w-bit values, as (hi, lo) words of w bits. */
static void ref_mul_wide(bool sign, unsigned w, uint64_t a, uint64_t b,
                         uint64_t *lo, uint64_t *hi)
{
    /* Schoolbook multiplication in 32-bit limbs, on magnitudes. */
    bool neg = false;
    uint64_t x = a & wmask(w), y = b & wmask(w);
    uint64_t p[4] = { 0 }, r_lo, r_hi;

    if (sign) {
        if (ref_signed(x, w) < 0) {
            x = -x & wmask(w);
            neg = !neg;
        }
        if (ref_signed(y, w) < 0) {
            y = -y & wmask(w);
            neg = !neg;
        }
    }
    {
        uint64_t xl = x & 0xffffffff, xh = x >> 32;
        uint64_t yl = y & 0xffffffff, yh = y >> 32;
        uint64_t ll = xl * yl, lh = xl * yh, hl = xh * yl, hh = xh * yh;
        uint64_t mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);

        p[0] = (ll & 0xffffffff) | (mid << 32);
        p[1] = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    }
    if (w == 32) {
        r_lo = p[0] & 0xffffffff;
        r_hi = p[0] >> 32;
        if (neg) {
            uint64_t full = -(p[0]);
            r_lo = full & 0xffffffff;
            r_hi = full >> 32;
        }
    } else {
        r_lo = p[0];
        r_hi = p[1];
        if (neg) {
            r_lo = ~r_lo + 1;
            r_hi = ~r_hi + (r_lo == 0);
        }
    }
    *lo = r_lo;
    *hi = r_hi;
}

static void ref_eval(const OpSpec *sp, const uint64_t *in, const uint64_t *par,
                     uint64_t *out)
{
    unsigned w = sp->width;
    uint64_t m = wmask(w), a = in[0] & m, b = in[1] & m, r = 0;
    unsigned sh = b % w;

    switch (sp->op) {
    case OP_ADD: r = a + b; break;
    case OP_SUB: r = a - b; break;
    case OP_NEG: r = 0 - a; break;
    case OP_NOT: r = a ^ m; break;
    case OP_AND: r = a & b; break;
    case OP_OR: r = a | b; break;
    case OP_XOR: r = a ^ b; break;
    case OP_ANDC: r = a & (b ^ m); break;
    case OP_ORC: r = a | (b ^ m); break;
    case OP_EQV: r = (a ^ b) ^ m; break;
    case OP_NAND: r = (a & b) ^ m; break;
    case OP_NOR: r = (a | b) ^ m; break;
    case OP_MUL: r = a * b; break;
    case OP_MULUH: { uint64_t lo; ref_mul_wide(false, w, a, b, &lo, &r); break; }
    case OP_MULSH: { uint64_t lo; ref_mul_wide(true, w, a, b, &lo, &r); break; }
    case OP_DIV:
        if (b == 0) {
            r = 0;
        } else if (ref_signed(b, w) == -1) {
            r = 0 - a;
        } else {
            r = ref_signed(a, w) / ref_signed(b, w);
        }
        break;
    case OP_REM:
        if (b == 0) {
            r = a;
        } else if (ref_signed(b, w) == -1) {
            r = 0;
        } else {
            r = ref_signed(a, w) % ref_signed(b, w);
        }
        break;
    case OP_DIVU: r = b ? a / b : 0; break;
    case OP_REMU: r = b ? a % b : a; break;
    case OP_SHL:
        r = a;
        for (unsigned i = 0; i < sh; i++) {
            r <<= 1;
        }
        break;
    case OP_SHR:
        r = a;
        for (unsigned i = 0; i < sh; i++) {
            r >>= 1;
        }
        break;
    case OP_SAR: {
        int64_t s = ref_signed(a, w);
        for (unsigned i = 0; i < sh; i++) {
            s = s < 0 ? -((-(s + 1)) / 2) - 1 : s / 2;   /* floor(s / 2) */
        }
        r = s;
        break;
    }
    case OP_ROTL: case OP_ROTR:
        r = a;
        for (unsigned i = 0; i < sh; i++) {
            if (sp->op == OP_ROTL) {
                r = ((r << 1) | (r >> (w - 1))) & m;
            } else {
                r = (r >> 1) | ((r & 1) << (w - 1));
            }
        }
        break;
    case OP_CLZ:
        if (!a) {
            r = b;
        } else {
            for (r = 0; !(a & (1ull << (w - 1 - r))); r++) {
            }
        }
        break;
    case OP_CTZ:
        if (!a) {
            r = b;
        } else {
            for (r = 0; !(a & (1ull << r)); r++) {
            }
        }
        break;
    case OP_CTPOP:
        for (unsigned i = 0; i < w; i++) {
            r += (a >> i) & 1;
        }
        break;
    case OP_EXTRACT:
        r = (a >> par[0]) & wmask(par[1]);
        break;
    case OP_SEXTRACT:
        r = ref_signed((a >> par[0]) & wmask(par[1]), par[1]);
        break;
    case OP_DEPOSIT: {
        uint64_t f = wmask(par[1]) << par[0];
        r = (a & ~f) | ((b << par[0]) & f);
        break;
    }
    case OP_EXTRACT2: {
        /* (b:a) >> ofs, low w bits, one bit at a time */
        uint64_t lo = a, hi = b;
        for (unsigned i = 0; i < par[0]; i++) {
            lo = (lo >> 1) | ((hi & 1) << (w - 1));
            hi >>= 1;
        }
        r = lo;
        break;
    }
    case OP_SETCOND: r = ref_cond(par[0], w, a, b); break;
    case OP_NEGSETCOND: r = ref_cond(par[0], w, a, b) ? m : 0; break;
    case OP_BRCOND: r = ref_cond(par[0], w, a, b); break;
    case OP_MOVCOND: r = ref_cond(par[0], w, a, b) ? in[2] : in[3]; break;
    case OP_BSWAP16:
        r = ref_byteswap(a, 2);
        if (par[0] & TCG_BSWAP_OS) {
            r = ref_signed(r, 16);
        }
        break;
    case OP_BSWAP32:
        r = ref_byteswap(a, 4);
        if (par[0] & TCG_BSWAP_OS) {
            r = ref_signed(r, 32);
        }
        break;
    case OP_BSWAP64: r = ref_byteswap(a, 8); break;
    case OP_EXT8S: r = ref_signed(a, 8); break;
    case OP_EXT8U: r = a & 0xff; break;
    case OP_EXT16S: r = ref_signed(a, 16); break;
    case OP_EXT16U: r = a & 0xffff; break;
    case OP_EXT32S: case OP_EXT_I32_I64: r = ref_signed(a, 32); break;
    case OP_EXT32U: case OP_EXTU_I32_I64: case OP_EXTRL:
        r = a & 0xffffffff;
        break;
    case OP_EXTRH: r = a >> 32; break;
    case OP_ADD2: case OP_SUB2: {
        uint64_t al = in[0] & m, ah = in[1] & m, bl = in[2] & m,
                 bh = in[3] & m, lo, carry;
        if (sp->op == OP_ADD2) {
            lo = (al + bl) & m;
            carry = lo < al;
            out[1] = (ah + bh + carry) & m;
        } else {
            lo = (al - bl) & m;
            carry = al < bl;
            out[1] = (ah - bh - carry) & m;
        }
        out[0] = lo;
        return;
    }
    case OP_MULU2: case OP_MULS2:
        ref_mul_wide(sp->op == OP_MULS2, w, a, b, &out[0], &out[1]);
        out[0] &= m;
        out[1] &= m;
        return;
    default:
        g_assert_not_reached();
    }
    out[0] = r & wmask(sp->out_bits ? sp->out_bits : w);
}

/* ---- IR generation ---- */

static bool arg_is_64(const OpSpec *sp, bool output)
{
    unsigned bits = output ? sp->out_bits : sp->in_bits;

    return (bits ? bits : sp->width) == 64;
}

#define I32(a) temp_tcgv_i32(a)
#define I64(a) temp_tcgv_i64(a)

static void gen_op(const OpSpec *sp, const TCGArg *o, const TCGArg *i,
                   const uint64_t *par)
{
    bool w64 = sp->width == 64;

    switch (sp->op) {
    case OP_ADD: w64 ? tcg_gen_add_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_add_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_SUB: w64 ? tcg_gen_sub_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_sub_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_NEG: w64 ? tcg_gen_neg_i64(I64(o[0]), I64(i[0]))
                     : tcg_gen_neg_i32(I32(o[0]), I32(i[0])); break;
    case OP_NOT: w64 ? tcg_gen_not_i64(I64(o[0]), I64(i[0]))
                     : tcg_gen_not_i32(I32(o[0]), I32(i[0])); break;
    case OP_AND: w64 ? tcg_gen_and_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_and_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_OR: w64 ? tcg_gen_or_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                    : tcg_gen_or_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_XOR: w64 ? tcg_gen_xor_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_xor_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_ANDC: w64 ? tcg_gen_andc_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                      : tcg_gen_andc_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_ORC: w64 ? tcg_gen_orc_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_orc_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_EQV: w64 ? tcg_gen_eqv_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_eqv_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_NAND: w64 ? tcg_gen_nand_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                      : tcg_gen_nand_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_NOR: w64 ? tcg_gen_nor_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_nor_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_MUL: w64 ? tcg_gen_mul_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_mul_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_MULUH: w64 ? tcg_gen_muluh_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                       : tcg_gen_muluh_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_MULSH: w64 ? tcg_gen_mulsh_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                       : tcg_gen_mulsh_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_DIV: w64 ? tcg_gen_div_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_div_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_DIVU: w64 ? tcg_gen_divu_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                      : tcg_gen_divu_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_REM: w64 ? tcg_gen_rem_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_rem_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_REMU: w64 ? tcg_gen_remu_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                      : tcg_gen_remu_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_SHL: w64 ? tcg_gen_shl_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_shl_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_SHR: w64 ? tcg_gen_shr_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_shr_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_SAR: w64 ? tcg_gen_sar_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_sar_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_ROTL: w64 ? tcg_gen_rotl_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                      : tcg_gen_rotl_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_ROTR: w64 ? tcg_gen_rotr_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                      : tcg_gen_rotr_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_CLZ: w64 ? tcg_gen_clz_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_clz_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_CTZ: w64 ? tcg_gen_ctz_i64(I64(o[0]), I64(i[0]), I64(i[1]))
                     : tcg_gen_ctz_i32(I32(o[0]), I32(i[0]), I32(i[1])); break;
    case OP_CTPOP: w64 ? tcg_gen_ctpop_i64(I64(o[0]), I64(i[0]))
                       : tcg_gen_ctpop_i32(I32(o[0]), I32(i[0])); break;
    case OP_EXTRACT:
        w64 ? tcg_gen_extract_i64(I64(o[0]), I64(i[0]), par[0], par[1])
            : tcg_gen_extract_i32(I32(o[0]), I32(i[0]), par[0], par[1]);
        break;
    case OP_SEXTRACT:
        w64 ? tcg_gen_sextract_i64(I64(o[0]), I64(i[0]), par[0], par[1])
            : tcg_gen_sextract_i32(I32(o[0]), I32(i[0]), par[0], par[1]);
        break;
    case OP_DEPOSIT:
        w64 ? tcg_gen_deposit_i64(I64(o[0]), I64(i[0]), I64(i[1]), par[0], par[1])
            : tcg_gen_deposit_i32(I32(o[0]), I32(i[0]), I32(i[1]), par[0], par[1]);
        break;
    case OP_EXTRACT2:
        w64 ? tcg_gen_extract2_i64(I64(o[0]), I64(i[0]), I64(i[1]), par[0])
            : tcg_gen_extract2_i32(I32(o[0]), I32(i[0]), I32(i[1]), par[0]);
        break;
    case OP_SETCOND:
        w64 ? tcg_gen_setcond_i64(par[0], I64(o[0]), I64(i[0]), I64(i[1]))
            : tcg_gen_setcond_i32(par[0], I32(o[0]), I32(i[0]), I32(i[1]));
        break;
    case OP_NEGSETCOND:
        w64 ? tcg_gen_negsetcond_i64(par[0], I64(o[0]), I64(i[0]), I64(i[1]))
            : tcg_gen_negsetcond_i32(par[0], I32(o[0]), I32(i[0]), I32(i[1]));
        break;
    case OP_MOVCOND:
        w64 ? tcg_gen_movcond_i64(par[0], I64(o[0]), I64(i[0]), I64(i[1]),
                                  I64(i[2]), I64(i[3]))
            : tcg_gen_movcond_i32(par[0], I32(o[0]), I32(i[0]), I32(i[1]),
                                  I32(i[2]), I32(i[3]));
        break;
    case OP_BRCOND: {
        TCGLabel *l = gen_new_label();

        if (w64) {
            tcg_gen_movi_i64(I64(o[0]), 1);
            tcg_gen_brcond_i64(par[0], I64(i[0]), I64(i[1]), l);
            tcg_gen_movi_i64(I64(o[0]), 0);
        } else {
            tcg_gen_movi_i32(I32(o[0]), 1);
            tcg_gen_brcond_i32(par[0], I32(i[0]), I32(i[1]), l);
            tcg_gen_movi_i32(I32(o[0]), 0);
        }
        gen_set_label(l);
        break;
    }
    case OP_BSWAP16:
        w64 ? tcg_gen_bswap16_i64(I64(o[0]), I64(i[0]), par[0])
            : tcg_gen_bswap16_i32(I32(o[0]), I32(i[0]), par[0]);
        break;
    case OP_BSWAP32:
        w64 ? tcg_gen_bswap32_i64(I64(o[0]), I64(i[0]), par[0])
            : tcg_gen_bswap32_i32(I32(o[0]), I32(i[0]), par[0]);
        break;
    case OP_BSWAP64: tcg_gen_bswap64_i64(I64(o[0]), I64(i[0])); break;
    case OP_EXT8S: w64 ? tcg_gen_ext8s_i64(I64(o[0]), I64(i[0]))
                       : tcg_gen_ext8s_i32(I32(o[0]), I32(i[0])); break;
    case OP_EXT8U: w64 ? tcg_gen_ext8u_i64(I64(o[0]), I64(i[0]))
                       : tcg_gen_ext8u_i32(I32(o[0]), I32(i[0])); break;
    case OP_EXT16S: w64 ? tcg_gen_ext16s_i64(I64(o[0]), I64(i[0]))
                        : tcg_gen_ext16s_i32(I32(o[0]), I32(i[0])); break;
    case OP_EXT16U: w64 ? tcg_gen_ext16u_i64(I64(o[0]), I64(i[0]))
                        : tcg_gen_ext16u_i32(I32(o[0]), I32(i[0])); break;
    case OP_EXT32S: tcg_gen_ext32s_i64(I64(o[0]), I64(i[0])); break;
    case OP_EXT32U: tcg_gen_ext32u_i64(I64(o[0]), I64(i[0])); break;
    case OP_ADD2:
        w64 ? tcg_gen_add2_i64(I64(o[0]), I64(o[1]), I64(i[0]), I64(i[1]),
                               I64(i[2]), I64(i[3]))
            : tcg_gen_add2_i32(I32(o[0]), I32(o[1]), I32(i[0]), I32(i[1]),
                               I32(i[2]), I32(i[3]));
        break;
    case OP_SUB2:
        w64 ? tcg_gen_sub2_i64(I64(o[0]), I64(o[1]), I64(i[0]), I64(i[1]),
                               I64(i[2]), I64(i[3]))
            : tcg_gen_sub2_i32(I32(o[0]), I32(o[1]), I32(i[0]), I32(i[1]),
                               I32(i[2]), I32(i[3]));
        break;
    case OP_MULU2:
        w64 ? tcg_gen_mulu2_i64(I64(o[0]), I64(o[1]), I64(i[0]), I64(i[1]))
            : tcg_gen_mulu2_i32(I32(o[0]), I32(o[1]), I32(i[0]), I32(i[1]));
        break;
    case OP_MULS2:
        w64 ? tcg_gen_muls2_i64(I64(o[0]), I64(o[1]), I64(i[0]), I64(i[1]))
            : tcg_gen_muls2_i32(I32(o[0]), I32(o[1]), I32(i[0]), I32(i[1]));
        break;
    case OP_EXTU_I32_I64: tcg_gen_extu_i32_i64(I64(o[0]), I32(i[0])); break;
    case OP_EXT_I32_I64: tcg_gen_ext_i32_i64(I64(o[0]), I32(i[0])); break;
    case OP_EXTRL: tcg_gen_extrl_i64_i32(I32(o[0]), I64(i[0])); break;
    case OP_EXTRH: tcg_gen_extrh_i64_i32(I32(o[0]), I64(i[0])); break;
    default:
        g_assert_not_reached();
    }
}

/*
 * Builds a TB computing the op: input k comes from global in*[k], or is
 * the constant consts[k] if const_mask has bit k; outputs go to globals.
 */
static void *build_tb(const OpSpec *sp, const uint64_t *par,
                      unsigned const_mask, const uint64_t *consts,
                      bool via_temps)
{
    TCGArg o[2], i[4];
    bool in64 = arg_is_64(sp, false), out64 = arg_is_64(sp, true);

    tcg_func_start(tcg_ctx);
    for (int k = 0; k < sp->nb_in; k++) {
        if (const_mask & (1u << k)) {
            i[k] = in64 ? tcgv_i64_arg(tcg_constant_i64(consts[k]))
                        : tcgv_i32_arg(tcg_constant_i32(consts[k]));
        } else if (via_temps) {
            /* Copy into a TB temp so the op sees a temp, not a global. */
            if (in64) {
                TCGv_i64 t = tcg_temp_new_i64();
                tcg_gen_mov_i64(t, tt_in64[k]);
                i[k] = tcgv_i64_arg(t);
            } else {
                TCGv_i32 t = tcg_temp_new_i32();
                tcg_gen_mov_i32(t, tt_in32[k]);
                i[k] = tcgv_i32_arg(t);
            }
        } else {
            i[k] = in64 ? tcgv_i64_arg(tt_in64[k]) : tcgv_i32_arg(tt_in32[k]);
        }
    }
    for (int k = 0; k < sp->nb_out; k++) {
        o[k] = out64 ? tcgv_i64_arg(tt_out64[k]) : tcgv_i32_arg(tt_out32[k]);
    }
    gen_op(sp, o, i, par);
    tcg_gen_exit_tb(NULL, 0);
    return tt_gen();
}

static void set_inputs(const OpSpec *sp, TcgTestEnv *env, const uint64_t *v)
{
    for (int k = 0; k < 4; k++) {
        env->in64[k] = v[k];
        env->in32[k] = v[k];
    }
    memset(env->out64, 0xa5, sizeof(env->out64));
    memset(env->out32, 0xa5, sizeof(env->out32));
}

static bool check_outputs(const OpSpec *sp, const TcgTestEnv *env,
                          const uint64_t *in, const uint64_t *par,
                          const char *form)
{
    uint64_t want[2] = { 0, 0 };
    bool out64 = arg_is_64(sp, true);

    ref_eval(sp, in, par, want);
    for (int k = 0; k < sp->nb_out; k++) {
        uint64_t got = out64 ? env->out64[k] : env->out32[k];
        uint64_t w = out64 ? want[k] : (uint32_t)want[k];

        if (got != w) {
            g_test_message("%s (%s) par=(%" PRIu64 ",%" PRIu64 ") in=%#" PRIx64
                           ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64
                           " out%d: got %#" PRIx64 " want %#" PRIx64,
                           sp->name, form, par[0], par[1], in[0], in[1],
                           in[2], in[3], k, got, w);
            return false;
        }
    }
    return true;
}

static void rand_inputs(const OpSpec *sp, GRand *r, uint64_t *v)
{
    unsigned bits = sp->in_bits ? sp->in_bits : sp->width;

    for (int k = 0; k < 4; k++) {
        v[k] = tt_rand_val(r, bits);
    }
    if (sp->small_b && g_rand_int_range(r, 0, 2)) {
        v[1] = g_rand_int_range(r, 0, 2 * sp->width + 2);
    }
    if (sp->op == OP_MOVCOND || sp->op == OP_SETCOND ||
        sp->op == OP_NEGSETCOND || sp->op == OP_BRCOND) {
        if (g_rand_int_range(r, 0, 4) == 0) {
            v[1] = v[0];            /* equal operands matter for conds */
        }
    }
}

/* Parameter sets for an op. */
static int make_params(const OpSpec *sp, GRand *r, uint64_t (*par)[2])
{
    unsigned w = sp->width;
    int n = 0;

    switch (sp->params) {
    case P_COND:
        for (int c = TCG_COND_NEVER; c < TCG_COND_COUNT; c++) {
            par[n][0] = c;
            par[n++][1] = 0;
        }
        return n;
    case P_BSWAP:
        par[0][0] = 0;
        par[1][0] = TCG_BSWAP_OS;
        par[2][0] = TCG_BSWAP_IZ;
        return 3;
    case P_EXTRACT2: {
        static const unsigned fixed[] = { 0, 1, 8, 16, 31, 32, 33, 63, 64 };
        for (size_t k = 0; k < ARRAY_SIZE(fixed); k++) {
            if (fixed[k] <= w) {
                par[n][0] = fixed[k];
                par[n++][1] = 0;
            }
        }
        return n;
    }
    case P_FIELD: {
        static const unsigned fixed[][2] = {
            { 0, 8 }, { 0, 16 }, { 0, 32 }, { 8, 8 }, { 0, 1 }, { 31, 1 },
            { 0, 31 }, { 1, 31 }, { 16, 16 }, { 0, 64 }, { 63, 1 }, { 32, 32 },
            { 5, 40 }, { 3, 29 },
        };
        for (size_t k = 0; k < ARRAY_SIZE(fixed); k++) {
            if (fixed[k][0] + fixed[k][1] <= w) {
                par[n][0] = fixed[k][0];
                par[n++][1] = fixed[k][1];
            }
        }
        for (int k = 0; k < 6; k++) {
            unsigned ofs = g_rand_int_range(r, 0, w);
            par[n][0] = ofs;
            par[n++][1] = g_rand_int_range(r, 1, w - ofs + 1);
        }
        return n;
    }
    default:
        par[0][0] = par[0][1] = 0;
        return 1;
    }
}

#define REG_CASES_TOTAL   4000
#define CONST_CASES_TOTAL 240

static void run_spec(const OpSpec *sp, bool no_features)
{
    unsigned saved = tcg_host_features;
    GRand *r = g_rand_new_with_seed(0x5eed0000u + (sp - specs));
    uint64_t par[32][2];
    int nb_par, failures = 0;
    TcgTestEnv *env = g_new0(TcgTestEnv, 1);

    if (no_features) {
        tcg_host_features = 0;
    }
    nb_par = make_params(sp, r, par);
    for (int p = 0; p < nb_par; p++) {
        int reg_cases = MAX(REG_CASES_TOTAL / nb_par, 200);
        int const_cases = MAX(CONST_CASES_TOTAL / nb_par, 8);
        uint64_t v[4];

        /* Register forms: globals directly, and through TB temps. */
        for (int via = 0; via < 2; via++) {
            void *code = build_tb(sp, par[p], 0, NULL, via);

            for (int c = 0; c < reg_cases / 2 && failures < 5; c++) {
                rand_inputs(sp, r, v);
                set_inputs(sp, env, v);
                tt_run(env, code);
                failures += !check_outputs(sp, env, v, par[p],
                                           via ? "temps" : "globals");
            }
        }
        /* Constant forms: each input alone, then all inputs. */
        for (int form = 0; form <= sp->nb_in; form++) {
            unsigned mask = form < sp->nb_in ? 1u << form
                                             : (1u << sp->nb_in) - 1;
            char name[32];

            snprintf(name, sizeof(name), "const mask %#x", mask);
            for (int c = 0; c < const_cases && failures < 5; c++) {
                void *code;

                rand_inputs(sp, r, v);
                code = build_tb(sp, par[p], mask, v, c & 1);
                set_inputs(sp, env, v);
                tt_run(env, code);
                failures += !check_outputs(sp, env, v, par[p], name);
            }
        }
    }
    tcg_host_features = saved;
    g_free(env);
    g_rand_free(r);
    g_assert_cmpint(failures, ==, 0);
}

static void test_spec_native(gconstpointer data)
{
    run_spec(data, false);
}

static void test_spec_plain(gconstpointer data)
{
    run_spec(data, true);
}

static void test_features_detected(void)
{
    /* The fallbacks are only meaningful if the fast paths are also run. */
    g_test_message("host features: %#x", tcg_host_features);
    if (tcg_host_features == 0) {
        g_test_skip("host has none of BMI1/BMI2/LZCNT/MOVBE/POPCNT");
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tt_init();
    g_test_add_func("/tcg/ops/host-features", test_features_detected);
    for (size_t k = 0; k < ARRAY_SIZE(specs); k++) {
        char *p1 = g_strdup_printf("/tcg/ops/cpuid/%s", specs[k].name);
        char *p2 = g_strdup_printf("/tcg/ops/plain/%s", specs[k].name);

        g_test_add_data_func(p1, &specs[k], test_spec_native);
        g_test_add_data_func(p2, &specs[k], test_spec_plain);
        g_free(p1);
        g_free(p2);
    }
    return g_test_run();
}
