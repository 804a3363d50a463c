/*
 * optimize.c: the forward IR optimizer.
 *
 * One pass over the op list, first of the passes in tcg_gen_code().  It
 * keeps, per temp, what is known about its current value: a constant, a
 * set of temps holding the same value (a ring of copies), the bits that
 * may be non-zero (z_mask), and whether it is the negation/complement of
 * another temp.  With that it
 *   - folds every arithmetic op whose inputs are all constant (the result
 *     becomes "mov dst, $const");
 *   - propagates copies and constants into later inputs;
 *   - applies algebraic identities (x+0, x*1, x&0, x&-1, x|0, x^x, x-x,
 *     shift by 0, neg(neg x), not(not x), ...), rewriting the op into a mov;
 *   - folds brcond/setcond/movcond with known operands, turns always-taken
 *     branches into br, and removes code after an unconditional branch up
 *     to the next label; a label no branch refers to any more is dropped,
 *     merging the blocks around it;
 *   - removes ext/and masks that cannot change a value whose possibly
 *     non-zero bits are already known to fit.
 * What it knows is forgotten at labels (control may come from elsewhere),
 * and for globals at helper calls that may write them.  Dead code that
 * this leaves (movs whose results are unused) is removed by liveness.
 *
 * The semantics folded here must match the backend and the documentation
 * (docs/devel/tcg.md); the unit tests check both against one reference.
 * Called on the translating thread.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg-internal.h"

typedef struct TempOptInfo {
    bool is_const;
    uint64_t val;
    int prev_copy, next_copy;  /* ring of temps with the same value */
    uint64_t z_mask;           /* bits that may be 1 */
    uint32_t version;          /* bumped at every write */
    uint8_t inv_kind;          /* 1 = neg of inv_src, 2 = not of inv_src */
    int inv_src;
    uint32_t inv_ver;
} TempOptInfo;

typedef struct OptContext {
    TCGContext *s;
    TempOptInfo *info;
    int nb_inited;             /* info[] entries initialised */
} OptContext;

static void init_info(struct OptContext *c, int t);

/* New constant temps appear while optimizing: initialise their info. */
static TCGArg opt_constant(OptContext *c, TCGType type, uint64_t v)
{
    TCGArg idx = tcg_constant_idx(c->s, type, v);

    while (c->nb_inited < c->s->nb_temps) {
        init_info(c, c->nb_inited++);
    }
    return idx;
}

static uint64_t type_mask(TCGType t)
{
    return t == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
}

static void reset_info(OptContext *c, int t)
{
    TempOptInfo *ti = &c->info[t];

    c->info[ti->prev_copy].next_copy = ti->next_copy;
    c->info[ti->next_copy].prev_copy = ti->prev_copy;
    ti->prev_copy = ti->next_copy = t;
    ti->is_const = false;
    ti->z_mask = type_mask(c->s->temps[t].type);
    ti->inv_kind = 0;
    ti->version++;
}

static void init_info(OptContext *c, int t)
{
    TCGTemp *ts = &c->s->temps[t];
    TempOptInfo *ti = &c->info[t];

    ti->prev_copy = ti->next_copy = t;
    ti->inv_kind = 0;
    if (ts->kind == TEMP_CONST) {
        ti->is_const = true;
        ti->val = ts->val;
        ti->z_mask = ts->val;
    } else {
        ti->is_const = false;
        ti->z_mask = type_mask(ts->type);
    }
}

static void reset_all(OptContext *c)
{
    for (int i = 0; i < c->s->nb_temps; i++) {
        if (c->s->temps[i].kind != TEMP_CONST) {
            reset_info(c, i);
        }
    }
}

static void reset_globals(OptContext *c)
{
    for (int i = 0; i < c->s->nb_globals; i++) {
        if (c->s->temps[i].kind == TEMP_GLOBAL) {
            reset_info(c, i);
        }
    }
    /* A temp that was the neg/not of a global no longer matches it. */
}

static int kind_rank(TCGTempKind k)
{
    return k == TEMP_FIXED ? 0 : k == TEMP_GLOBAL ? 1 : 2;
}

/* The best temp holding the same value as t. */
static int best_copy(OptContext *c, int t)
{
    int best = t;

    for (int i = c->info[t].next_copy; i != t; i = c->info[i].next_copy) {
        if (kind_rank(c->s->temps[i].kind) <
            kind_rank(c->s->temps[best].kind)) {
            best = i;
        }
    }
    return best;
}

static bool arg_is_const(OptContext *c, TCGArg a)
{
    return c->info[a].is_const;
}

static uint64_t arg_val(OptContext *c, TCGArg a)
{
    return c->info[a].val;
}

static bool args_are_copies(OptContext *c, TCGArg a, TCGArg b)
{
    if (a == b) {
        return true;
    }
    if (c->info[a].is_const && c->info[b].is_const) {
        return c->info[a].val == c->info[b].val;
    }
    for (int i = c->info[a].next_copy; i != (int)a;
         i = c->info[i].next_copy) {
        if (i == (int)b) {
            return true;
        }
    }
    return false;
}

/* ---- reference semantics of every foldable op ---- */

static uint64_t sext(uint64_t v, unsigned bits)
{
    return bits >= 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >>
                                       (64 - bits));
}

static uint64_t field_mask(unsigned len)
{
    return len >= 64 ? ~0ull : (1ull << len) - 1;
}

/* For i32 ops x, y are zero-extended 32-bit values. */
static bool eval_cond(TCGCond cond, TCGType type, uint64_t x, uint64_t y)
{
    int64_t sx = type == TCG_TYPE_I32 ? (int32_t)x : (int64_t)x;
    int64_t sy = type == TCG_TYPE_I32 ? (int32_t)y : (int64_t)y;

    switch (cond) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return x == y;
    case TCG_COND_NE: return x != y;
    case TCG_COND_LT: return sx < sy;
    case TCG_COND_GE: return sx >= sy;
    case TCG_COND_LE: return sx <= sy;
    case TCG_COND_GT: return sx > sy;
    case TCG_COND_LTU: return x < y;
    case TCG_COND_GEU: return x >= y;
    case TCG_COND_LEU: return x <= y;
    case TCG_COND_GTU: return x > y;
    case TCG_COND_TSTEQ: return (x & y) == 0;
    case TCG_COND_TSTNE: return (x & y) != 0;
    default: g_assert_not_reached();
    }
}

/* Result of cond(x, x), or -1 if it depends on x. */
static int eval_cond_same(TCGCond cond)
{
    switch (cond) {
    case TCG_COND_EQ: case TCG_COND_GE: case TCG_COND_LE:
    case TCG_COND_GEU: case TCG_COND_LEU: case TCG_COND_ALWAYS:
        return 1;
    case TCG_COND_NE: case TCG_COND_LT: case TCG_COND_GT:
    case TCG_COND_LTU: case TCG_COND_GTU: case TCG_COND_NEVER:
        return 0;
    default:
        return -1;
    }
}

/* Folds a one-output op with constant inputs x, y (and cargs). */
static uint64_t fold_op(TCGOpcode opc, TCGType type, uint64_t x, uint64_t y,
                        const TCGArg *cargs)
{
    unsigned w = type == TCG_TYPE_I32 ? 32 : 64;
    uint64_t m = type_mask(type);
    int64_t sx = (int64_t)sext(x, w), sy = (int64_t)sext(y, w);
    unsigned sh = y & (w - 1);

    switch (opc) {
    case INDEX_op_add_i32: case INDEX_op_add_i64: return x + y;
    case INDEX_op_sub_i32: case INDEX_op_sub_i64: return x - y;
    case INDEX_op_neg_i32: case INDEX_op_neg_i64: return -x;
    case INDEX_op_not_i32: case INDEX_op_not_i64: return ~x;
    case INDEX_op_and_i32: case INDEX_op_and_i64: return x & y;
    case INDEX_op_or_i32: case INDEX_op_or_i64: return x | y;
    case INDEX_op_xor_i32: case INDEX_op_xor_i64: return x ^ y;
    case INDEX_op_andc_i32: case INDEX_op_andc_i64: return x & ~y;
    case INDEX_op_orc_i32: case INDEX_op_orc_i64: return x | ~y;
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64: return ~(x ^ y);
    case INDEX_op_nand_i32: case INDEX_op_nand_i64: return ~(x & y);
    case INDEX_op_nor_i32: case INDEX_op_nor_i64: return ~(x | y);
    case INDEX_op_mul_i32: case INDEX_op_mul_i64: return x * y;
    case INDEX_op_muluh_i32: return (x * y) >> 32;
    case INDEX_op_mulsh_i32: return (uint64_t)(sx * sy) >> 32;
    case INDEX_op_muluh_i64:
        return (uint64_t)(((unsigned __int128)x * y) >> 64);
    case INDEX_op_mulsh_i64:
        return (uint64_t)(((__int128)sx * sy) >> 64);
    case INDEX_op_div_i32: case INDEX_op_div_i64:
        if (y == 0) {
            return 0;
        }
        if (sy == -1) {
            return -x;
        }
        return sx / sy;
    case INDEX_op_rem_i32: case INDEX_op_rem_i64:
        if (y == 0) {
            return x;
        }
        if (sy == -1) {
            return 0;
        }
        return sx % sy;
    case INDEX_op_divu_i32: case INDEX_op_divu_i64:
        return y ? x / y : 0;
    case INDEX_op_remu_i32: case INDEX_op_remu_i64:
        return y ? x % y : x;
    case INDEX_op_shl_i32: case INDEX_op_shl_i64: return x << sh;
    case INDEX_op_shr_i32: case INDEX_op_shr_i64: return (x & m) >> sh;
    case INDEX_op_sar_i32: case INDEX_op_sar_i64: return sx >> sh;
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
        return sh ? (x << sh) | ((x & m) >> (w - sh)) : x;
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
        return sh ? ((x & m) >> sh) | (x << (w - sh)) : x;
    case INDEX_op_clz_i32:
        return (uint32_t)x ? (uint64_t)__builtin_clz(x) : y;
    case INDEX_op_clz_i64:
        return x ? (uint64_t)__builtin_clzll(x) : y;
    case INDEX_op_ctz_i32:
        return (uint32_t)x ? (uint64_t)__builtin_ctz(x) : y;
    case INDEX_op_ctz_i64:
        return x ? (uint64_t)__builtin_ctzll(x) : y;
    case INDEX_op_ctpop_i32: case INDEX_op_ctpop_i64:
        return __builtin_popcountll(x & m);
    case INDEX_op_extract_i32: case INDEX_op_extract_i64:
        return (x >> cargs[0]) & field_mask(cargs[1]);
    case INDEX_op_sextract_i32: case INDEX_op_sextract_i64:
        return sext((x >> cargs[0]) & field_mask(cargs[1]), cargs[1]);
    case INDEX_op_deposit_i32: case INDEX_op_deposit_i64: {
        uint64_t fm = field_mask(cargs[1]) << cargs[0];
        return (x & ~fm) | ((y << cargs[0]) & fm);
    }
    case INDEX_op_extract2_i32: case INDEX_op_extract2_i64:
        if (cargs[0] == 0) {
            return x;
        }
        if (cargs[0] == w) {
            return y;
        }
        return ((x & m) >> cargs[0]) | (y << (w - cargs[0]));
    case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
        return eval_cond(cargs[0], type, x, y);
    case INDEX_op_negsetcond_i32: case INDEX_op_negsetcond_i64:
        return -(uint64_t)eval_cond(cargs[0], type, x, y);
    case INDEX_op_bswap16_i32: case INDEX_op_bswap16_i64: {
        uint64_t r = __builtin_bswap16(x);
        return (cargs[0] & TCG_BSWAP_OS) ? sext(r, 16) : r;
    }
    case INDEX_op_bswap32_i32: case INDEX_op_bswap32_i64: {
        uint64_t r = __builtin_bswap32(x);
        return (cargs[0] & TCG_BSWAP_OS) ? sext(r, 32) : r;
    }
    case INDEX_op_bswap64_i64: return __builtin_bswap64(x);
    case INDEX_op_ext8s_i32: case INDEX_op_ext8s_i64: return sext(x, 8);
    case INDEX_op_ext8u_i32: case INDEX_op_ext8u_i64: return x & 0xff;
    case INDEX_op_ext16s_i32: case INDEX_op_ext16s_i64: return sext(x, 16);
    case INDEX_op_ext16u_i32: case INDEX_op_ext16u_i64: return x & 0xffff;
    case INDEX_op_ext32s_i64: case INDEX_op_ext_i32_i64: return sext(x, 32);
    case INDEX_op_ext32u_i64: case INDEX_op_extu_i32_i64:
        return x & 0xffffffffu;
    case INDEX_op_extrl_i64_i32: return x & 0xffffffffu;
    case INDEX_op_extrh_i64_i32: return x >> 32;
    default:
        g_assert_not_reached();
    }
}

static bool op_is_foldable(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_mov_i32: case INDEX_op_mov_i64:
    case INDEX_op_movcond_i32: case INDEX_op_movcond_i64:
    case INDEX_op_add2_i32: case INDEX_op_add2_i64:
    case INDEX_op_sub2_i32: case INDEX_op_sub2_i64:
    case INDEX_op_mulu2_i32: case INDEX_op_mulu2_i64:
    case INDEX_op_muls2_i32: case INDEX_op_muls2_i64:
        return false;
    default:
        break;
    }
    if (opc >= INDEX_op_ld8u_i32 && opc <= INDEX_op_qemu_st_i32) {
        return false;
    }
    if (opc >= INDEX_op_ld8u_i64 && opc <= INDEX_op_qemu_st_i64) {
        return false;
    }
    return opc >= INDEX_op_mov_i32;
}

/* ---- op rewriting ---- */

static TCGType out_type(OptContext *c, const TCGOp *op)
{
    return c->s->temps[op->args[0]].type;
}

static void op_to_mov(OptContext *c, TCGOp *op, TCGArg dst, TCGArg src)
{
    TCGType t = c->s->temps[dst].type;

    op->opc = t == TCG_TYPE_I32 ? INDEX_op_mov_i32 : INDEX_op_mov_i64;
    op->nb_oargs = 1;
    op->nb_iargs = 1;
    op->nb_cargs = 0;
    op->args[0] = dst;
    op->args[1] = src;
}

static void op_to_movi(OptContext *c, TCGOp *op, TCGArg dst, uint64_t v)
{
    TCGType t = c->s->temps[dst].type;

    op_to_mov(c, op, dst, opt_constant(c, t, v & type_mask(t)));
}

static void op_remove(TCGOp *op)
{
    op->opc = INDEX_op_nop;
    op->nb_oargs = op->nb_iargs = op->nb_cargs = 0;
}

/* Records the result of a mov in the destination's info. */
static void finish_mov(OptContext *c, TCGOp *op)
{
    int dst = op->args[0], src = op->args[1];
    TempOptInfo *di, *si;

    if (dst == src) {
        op_remove(op);
        return;
    }
    if (args_are_copies(c, dst, src)) {
        op_remove(op);          /* already holds that value */
        return;
    }
    reset_info(c, dst);
    di = &c->info[dst];
    si = &c->info[src];
    if (si->is_const) {
        di->is_const = true;
        di->val = si->val;
        di->z_mask = si->val;
        return;
    }
    di->z_mask = si->z_mask;
    di->inv_kind = si->inv_kind;
    di->inv_src = si->inv_src;
    di->inv_ver = si->inv_ver;
    /* Join src's ring, right after src. */
    di->next_copy = si->next_copy;
    di->prev_copy = src;
    c->info[si->next_copy].prev_copy = dst;
    si->next_copy = dst;
}

static bool is_commutative(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add_i32: case INDEX_op_add_i64:
    case INDEX_op_and_i32: case INDEX_op_and_i64:
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64:
    case INDEX_op_nand_i32: case INDEX_op_nand_i64:
    case INDEX_op_nor_i32: case INDEX_op_nor_i64:
    case INDEX_op_muluh_i32: case INDEX_op_muluh_i64:
    case INDEX_op_mulsh_i32: case INDEX_op_mulsh_i64:
        return true;
    default:
        return false;
    }
}

/*
 * Algebraic identities on a two-input op with inputs a, b (b possibly
 * constant).  Returns true if the op was rewritten into a mov.
 */
static bool fold_identities(OptContext *c, TCGOp *op)
{
    TCGOpcode opc = op->opc;
    TCGArg d = op->args[0], a = op->args[1], b = op->args[2];
    TCGType t = out_type(c, op);
    uint64_t m = type_mask(t);
    bool bc = arg_is_const(c, b);
    uint64_t bv = bc ? arg_val(c, b) & m : 0;
    bool same = args_are_copies(c, a, b);

    switch (opc) {
    case INDEX_op_add_i32: case INDEX_op_add_i64:
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
    case INDEX_op_sar_i32: case INDEX_op_sar_i64:
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
    case INDEX_op_andc_i32: case INDEX_op_andc_i64: {
        bool is_shift = opc == INDEX_op_shl_i32 || opc == INDEX_op_shl_i64 ||
                        opc == INDEX_op_shr_i32 || opc == INDEX_op_shr_i64 ||
                        opc == INDEX_op_sar_i32 || opc == INDEX_op_sar_i64 ||
                        opc == INDEX_op_rotl_i32 || opc == INDEX_op_rotl_i64 ||
                        opc == INDEX_op_rotr_i32 || opc == INDEX_op_rotr_i64;
        uint64_t eff = is_shift ? bv & ((t == TCG_TYPE_I32 ? 32 : 64) - 1)
                                : bv;
        if (bc && eff == 0) {
            op_to_mov(c, op, d, a);                  /* x op 0 = x */
            return true;
        }
        break;
    }
    default:
        break;
    }

    switch (opc) {
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_andc_i32: case INDEX_op_andc_i64:
        if (same) {
            op_to_movi(c, op, d, 0);                 /* x - x, x ^ x */
            return true;
        }
        break;
    case INDEX_op_and_i32: case INDEX_op_and_i64:
        if (same || (bc && bv == m)) {
            op_to_mov(c, op, d, a);                  /* x & x, x & -1 */
            return true;
        }
        if (bc && bv == 0) {
            op_to_movi(c, op, d, 0);
            return true;
        }
        if (bc && (c->info[a].z_mask & ~bv & m) == 0) {
            op_to_mov(c, op, d, a);                  /* mask is a no-op */
            return true;
        }
        if (bc && (c->info[a].z_mask & bv) == 0) {
            op_to_movi(c, op, d, 0);
            return true;
        }
        break;
    case INDEX_op_or_i32: case INDEX_op_or_i64:
        if (same) {
            op_to_mov(c, op, d, a);
            return true;
        }
        if (bc && bv == m) {
            op_to_movi(c, op, d, m);
            return true;
        }
        break;
    case INDEX_op_orc_i32: case INDEX_op_orc_i64:
        if (same) {
            op_to_movi(c, op, d, m);
            return true;
        }
        if (bc && bv == m) {
            op_to_mov(c, op, d, a);
            return true;
        }
        break;
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64:
        if (same) {
            op_to_movi(c, op, d, m);
            return true;
        }
        break;
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
        if (bc && bv == 0) {
            op_to_movi(c, op, d, 0);
            return true;
        }
        if (bc && bv == 1) {
            op_to_mov(c, op, d, a);
            return true;
        }
        break;
    case INDEX_op_div_i32: case INDEX_op_div_i64:
    case INDEX_op_divu_i32: case INDEX_op_divu_i64:
        if (bc && bv == 1) {
            op_to_mov(c, op, d, a);
            return true;
        }
        break;
    case INDEX_op_rem_i32: case INDEX_op_rem_i64:
    case INDEX_op_remu_i32: case INDEX_op_remu_i64:
        if (bc && bv == 1) {
            op_to_movi(c, op, d, 0);
            return true;
        }
        break;
    default:
        break;
    }
    return false;
}

/* Bits that may be set in the result (after the op is known not folded). */
static uint64_t result_z_mask(OptContext *c, const TCGOp *op)
{
    TCGType t = out_type(c, op);
    uint64_t m = type_mask(t);
    unsigned w = t == TCG_TYPE_I32 ? 32 : 64;
    uint64_t za = op->nb_iargs > 0 ? c->info[op->args[1]].z_mask : m;
    uint64_t zb = op->nb_iargs > 1 ? c->info[op->args[2]].z_mask : m;
    const TCGArg *cargs = &op->args[op->nb_oargs + op->nb_iargs];

    switch (op->opc) {
    case INDEX_op_and_i32: case INDEX_op_and_i64:
        return za & zb;
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
        return za | zb;
    case INDEX_op_andc_i32: case INDEX_op_andc_i64:
        return za;
    case INDEX_op_ext8u_i32: case INDEX_op_ext8u_i64:
    case INDEX_op_ld8u_i32: case INDEX_op_ld8u_i64:
        return 0xff & za;
    case INDEX_op_ext16u_i32: case INDEX_op_ext16u_i64:
        return 0xffff & za;
    case INDEX_op_ld16u_i32: case INDEX_op_ld16u_i64:
        return 0xffff;
    case INDEX_op_ext32u_i64: case INDEX_op_extu_i32_i64:
        return 0xffffffffu & za;
    case INDEX_op_ld32u_i64:
        return 0xffffffffu;
    case INDEX_op_extrl_i64_i32:
        return za & 0xffffffffu;
    case INDEX_op_extrh_i64_i32:
        return za >> 32;
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
        if (arg_is_const(c, op->args[2])) {
            return za >> (arg_val(c, op->args[2]) & (w - 1));
        }
        return m;
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
        if (arg_is_const(c, op->args[2])) {
            return (za << (arg_val(c, op->args[2]) & (w - 1))) & m;
        }
        return m;
    case INDEX_op_extract_i32: case INDEX_op_extract_i64:
        return (za >> cargs[0]) & field_mask(cargs[1]);
    case INDEX_op_deposit_i32: case INDEX_op_deposit_i64: {
        uint64_t fm = field_mask(cargs[1]) << cargs[0];
        return ((za & ~fm) | ((zb << cargs[0]) & fm)) & m;
    }
    case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
        return 1;
    case INDEX_op_clz_i32: case INDEX_op_clz_i64:
    case INDEX_op_ctz_i32: case INDEX_op_ctz_i64:
        return (w == 32 ? 63 : 127) | zb;
    case INDEX_op_ctpop_i32: case INDEX_op_ctpop_i64:
        return w == 32 ? 63 : 127;
    case INDEX_op_bswap16_i32: case INDEX_op_bswap16_i64:
        return (cargs[0] & TCG_BSWAP_OS) ? m : 0xffff;
    case INDEX_op_bswap32_i64:
        return (cargs[0] & TCG_BSWAP_OS) ? m : 0xffffffffu;
    case INDEX_op_movcond_i32: case INDEX_op_movcond_i64:
        return c->info[op->args[3]].z_mask | c->info[op->args[4]].z_mask;
    case INDEX_op_qemu_ld_i32: case INDEX_op_qemu_ld_i64: {
        MemOp mop = get_memop(op->args[2]);
        if (!(mop & MO_SIGN) && (mop & MO_SIZE) != MO_64) {
            return field_mask(memop_size(mop) * 8);
        }
        return m;
    }
    default:
        return m;
    }
}

/* Redundant extensions and masks: the value already fits. */
static bool fold_ext_known_bits(OptContext *c, TCGOp *op)
{
    uint64_t za = c->info[op->args[1]].z_mask, lim;

    switch (op->opc) {
    case INDEX_op_ext8u_i32: case INDEX_op_ext8u_i64:
        lim = 0xff;
        break;
    case INDEX_op_ext16u_i32: case INDEX_op_ext16u_i64:
        lim = 0xffff;
        break;
    case INDEX_op_ext32u_i64:
        lim = 0xffffffffu;
        break;
    case INDEX_op_ext8s_i32: case INDEX_op_ext8s_i64:
        lim = 0x7f;
        break;
    case INDEX_op_ext16s_i32: case INDEX_op_ext16s_i64:
        lim = 0x7fff;
        break;
    case INDEX_op_ext32s_i64:
        lim = 0x7fffffff;
        break;
    case INDEX_op_extract_i32: case INDEX_op_extract_i64:
        if (op->args[2] != 0) {
            return false;
        }
        lim = field_mask(op->args[3]);
        break;
    default:
        return false;
    }
    if ((za & ~lim) == 0) {
        op_to_mov(c, op, op->args[0], op->args[1]);
        return true;
    }
    return false;
}

/* neg(neg x) = x, not(not x) = x */
static bool fold_double_inverse(OptContext *c, TCGOp *op, int kind)
{
    TempOptInfo *ai = &c->info[op->args[1]];

    if (ai->inv_kind == kind &&
        c->info[ai->inv_src].version == ai->inv_ver) {
        op_to_mov(c, op, op->args[0], ai->inv_src);
        return true;
    }
    return false;
}

/*
 * add2/sub2/mulu2/muls2 with constant inputs: the op becomes
 * "mov rl, $lo" and a "mov rh, $hi" is inserted after it.
 */
static bool fold_double_output(OptContext *c, int i)
{
    TCGContext *s = c->s;
    TCGOp *op = &s->ops[i];
    TCGType t = out_type(c, op);
    uint64_t m = type_mask(t), lo, hi;
    TCGArg rl = op->args[0], rh = op->args[1];
    int nb_i = op->nb_iargs;
    uint64_t v[4];

    for (int k = 0; k < nb_i; k++) {
        if (!arg_is_const(c, op->args[2 + k])) {
            return false;
        }
        v[k] = arg_val(c, op->args[2 + k]) & m;
    }
    switch (op->opc) {
    case INDEX_op_add2_i32: case INDEX_op_sub2_i32: {
        uint64_t a = v[0] | (v[1] << 32), b = v[2] | (v[3] << 32);
        uint64_t r = op->opc == INDEX_op_add2_i32 ? a + b : a - b;
        lo = r & m;
        hi = r >> 32;
        break;
    }
    case INDEX_op_add2_i64: case INDEX_op_sub2_i64: {
        unsigned __int128 a = v[0] | ((unsigned __int128)v[1] << 64);
        unsigned __int128 b = v[2] | ((unsigned __int128)v[3] << 64);
        unsigned __int128 r = op->opc == INDEX_op_add2_i64 ? a + b : a - b;
        lo = (uint64_t)r;
        hi = (uint64_t)(r >> 64);
        break;
    }
    case INDEX_op_mulu2_i32:
        lo = (v[0] * v[1]) & m;
        hi = (v[0] * v[1]) >> 32;
        break;
    case INDEX_op_muls2_i32: {
        int64_t r = (int64_t)(int32_t)v[0] * (int32_t)v[1];
        lo = (uint64_t)r & m;
        hi = ((uint64_t)r >> 32) & m;
        break;
    }
    case INDEX_op_mulu2_i64: {
        unsigned __int128 r = (unsigned __int128)v[0] * v[1];
        lo = (uint64_t)r;
        hi = (uint64_t)(r >> 64);
        break;
    }
    case INDEX_op_muls2_i64: {
        __int128 r = (__int128)(int64_t)v[0] * (int64_t)v[1];
        lo = (uint64_t)r;
        hi = (uint64_t)((unsigned __int128)r >> 64);
        break;
    }
    default:
        return false;
    }
    op_to_movi(c, op, rl, lo);
    op = tcg_op_insert_after(s, i);
    op_to_movi(c, op, rh, hi);
    return true;
}

/* Index of the next op that is not a nop, or nb_ops. */
static int next_real_op(TCGContext *s, int i)
{
    for (i++; i < s->nb_ops; i++) {
        if (s->ops[i].opc != INDEX_op_nop) {
            return i;
        }
    }
    return i;
}

/* Index of the previous op that emits code, or -1. */
static int prev_real_op(TCGContext *s, int i)
{
    for (i--; i >= 0; i--) {
        if (s->ops[i].opc != INDEX_op_nop &&
            s->ops[i].opc != INDEX_op_insn_start) {
            return i;
        }
    }
    return -1;
}

static void label_unref(TCGContext *s, TCGArg label)
{
    assert(s->labels[label].refs > 0);
    s->labels[label].refs--;
}

void tcg_optimize(TCGContext *s)
{
    OptContext c = { .s = s };
    bool dead_code = false;

    if (!s->opt_info) {
        s->opt_info = g_new0(TempOptInfo, TCG_MAX_TEMPS);
    }
    c.info = s->opt_info;
    for (int i = 0; i < s->nb_temps; i++) {
        init_info(&c, i);
        c.info[i].version = 0;
    }
    c.nb_inited = s->nb_temps;

    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        TCGOpcode opc = op->opc;
        const TCGOpDef *def = &tcg_op_defs[opc];
        int nb_o = op->nb_oargs, nb_i = op->nb_iargs;

        if (opc == INDEX_op_nop) {
            continue;
        }
        if (opc == INDEX_op_set_label) {
            TCGLabel *l = &s->labels[op->args[0]];
            int p = prev_real_op(s, i);

            /* "br L; L:" once the code in between is gone: drop the br. */
            if (p >= 0 && s->ops[p].opc == INDEX_op_br &&
                s->ops[p].args[0] == op->args[0]) {
                label_unref(s, op->args[0]);
                op_remove(&s->ops[p]);
                dead_code = false;
            }
            if (l->refs == 0) {
                op_remove(op);          /* fallthrough only (or dead) */
                continue;
            }
            dead_code = false;
            reset_all(&c);
            continue;
        }
        if (dead_code) {
            if (opc == INDEX_op_insn_start) {
                continue;               /* keep the insn map intact */
            }
            if (opc == INDEX_op_br) {
                label_unref(s, op->args[0]);
            } else if (opc == INDEX_op_brcond_i32 ||
                       opc == INDEX_op_brcond_i64) {
                label_unref(s, op->args[3]);
            }
            op_remove(op);
            continue;
        }

        /* Propagate constants and copies into the inputs. */
        for (int k = nb_o; k < nb_o + nb_i; k++) {
            TCGArg a = op->args[k];
            TempOptInfo *ai = &c.info[a];

            if (s->temps[a].kind == TEMP_CONST) {
                continue;
            }
            if (ai->is_const) {
                op->args[k] = opt_constant(&c, s->temps[a].type, ai->val);
            } else {
                op->args[k] = best_copy(&c, a);
            }
        }

        /* Canonical order: constants second. */
        if (is_commutative(opc) && arg_is_const(&c, op->args[1]) &&
            !arg_is_const(&c, op->args[2])) {
            TCGArg t = op->args[1];
            op->args[1] = op->args[2];
            op->args[2] = t;
        }

        switch (opc) {
        case INDEX_op_mov_i32: case INDEX_op_mov_i64:
            finish_mov(&c, op);
            continue;

        case INDEX_op_br:
            if (next_real_op(s, i) < s->nb_ops &&
                s->ops[next_real_op(s, i)].opc == INDEX_op_set_label &&
                s->ops[next_real_op(s, i)].args[0] == op->args[0]) {
                label_unref(s, op->args[0]);     /* jump to the next op */
                op_remove(op);
                continue;
            }
            dead_code = true;
            continue;

        case INDEX_op_brcond_i32: case INDEX_op_brcond_i64: {
            TCGCond cond = op->args[2];
            TCGType t = s->temps[op->args[0]].type;
            int res = -1;

            if (arg_is_const(&c, op->args[0]) && arg_is_const(&c, op->args[1])) {
                res = eval_cond(cond, t, arg_val(&c, op->args[0]),
                                arg_val(&c, op->args[1]));
            } else if (args_are_copies(&c, op->args[0], op->args[1])) {
                res = eval_cond_same(cond);
            } else if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
                res = cond == TCG_COND_ALWAYS;
            } else if (arg_is_const(&c, op->args[0])) {
                TCGArg tmp = op->args[0];
                op->args[0] = op->args[1];
                op->args[1] = tmp;
                op->args[2] = tcg_swap_cond(cond);
            }
            if (res == 0) {
                label_unref(s, op->args[3]);
                op_remove(op);
            } else if (res == 1) {
                TCGArg l = op->args[3];

                op->opc = INDEX_op_br;
                op->nb_iargs = 0;
                op->nb_cargs = 1;
                op->args[0] = l;
                i--;                    /* process as br */
            }
            continue;
        }

        case INDEX_op_call: {
            const TCGHelperInfo *info =
                (const TCGHelperInfo *)op->args[nb_o + nb_i];

            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                reset_globals(&c);
            }
            for (int k = 0; k < nb_o; k++) {
                reset_info(&c, op->args[k]);
            }
            continue;
        }
        default:
            break;
        }

        if (def->flags & TCG_OPF_NO_FALLTHROUGH) {
            dead_code = true;
            continue;
        }
        if (nb_o == 0) {
            continue;                   /* st, qemu_st, mb, ... */
        }

        /* Everything below has outputs. */
        if (op_is_foldable(opc)) {
            bool all_const = true;

            for (int k = nb_o; k < nb_o + nb_i; k++) {
                all_const &= arg_is_const(&c, op->args[k]);
            }
            if (all_const) {
                uint64_t x = nb_i > 0 ? arg_val(&c, op->args[1]) : 0;
                uint64_t y = nb_i > 1 ? arg_val(&c, op->args[2]) : 0;
                uint64_t v = fold_op(opc, out_type(&c, op), x, y,
                                     &op->args[nb_o + nb_i]);

                op_to_movi(&c, op, op->args[0], v);
                finish_mov(&c, op);
                continue;
            }
        }

        if (nb_o == 2 && fold_double_output(&c, i)) {
            op = &s->ops[i];
            finish_mov(&c, op);
            continue;
        }

        switch (opc) {
        case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
        case INDEX_op_negsetcond_i32: case INDEX_op_negsetcond_i64: {
            TCGCond cond = op->args[3];
            int res = args_are_copies(&c, op->args[1], op->args[2])
                      ? eval_cond_same(cond) : -1;
            bool neg = opc == INDEX_op_negsetcond_i32 ||
                       opc == INDEX_op_negsetcond_i64;

            if (res >= 0) {
                op_to_movi(&c, op, op->args[0], neg ? -(uint64_t)res : res);
                finish_mov(&c, op);
                continue;
            }
            if (arg_is_const(&c, op->args[1])) {
                TCGArg tmp = op->args[1];
                op->args[1] = op->args[2];
                op->args[2] = tmp;
                op->args[3] = tcg_swap_cond(cond);
            }
            break;
        }
        case INDEX_op_movcond_i32: case INDEX_op_movcond_i64: {
            TCGCond cond = op->args[5];
            int res = -1;

            if (arg_is_const(&c, op->args[1]) &&
                arg_is_const(&c, op->args[2])) {
                res = eval_cond(cond, out_type(&c, op),
                                arg_val(&c, op->args[1]),
                                arg_val(&c, op->args[2]));
            } else if (args_are_copies(&c, op->args[1], op->args[2])) {
                res = eval_cond_same(cond);
            }
            if (args_are_copies(&c, op->args[3], op->args[4])) {
                res = 1;
            }
            if (res >= 0) {
                op_to_mov(&c, op, op->args[0], op->args[res ? 3 : 4]);
                finish_mov(&c, op);
                continue;
            }
            if (arg_is_const(&c, op->args[1])) {
                TCGArg tmp = op->args[1];
                op->args[1] = op->args[2];
                op->args[2] = tmp;
                op->args[5] = tcg_swap_cond(cond);
            }
            break;
        }
        case INDEX_op_neg_i32: case INDEX_op_neg_i64:
            if (fold_double_inverse(&c, op, 1)) {
                finish_mov(&c, op);
                continue;
            }
            break;
        case INDEX_op_not_i32: case INDEX_op_not_i64:
            if (fold_double_inverse(&c, op, 2)) {
                finish_mov(&c, op);
                continue;
            }
            break;
        default:
            if (nb_i == 2 && nb_o == 1 && op->nb_cargs == 0 &&
                fold_identities(&c, op)) {
                finish_mov(&c, op);
                continue;
            }
            if (fold_ext_known_bits(&c, op)) {
                finish_mov(&c, op);
                continue;
            }
            break;
        }

        /* The op stays: record what is known about its outputs. */
        {
            uint64_t z = result_z_mask(&c, op);
            TCGArg src = op->args[1];
            int inv = (opc == INDEX_op_neg_i32 || opc == INDEX_op_neg_i64) ? 1
                    : (opc == INDEX_op_not_i32 || opc == INDEX_op_not_i64) ? 2
                    : 0;

            for (int k = 0; k < nb_o; k++) {
                reset_info(&c, op->args[k]);
            }
            if (nb_o == 1) {
                c.info[op->args[0]].z_mask = z;
                if (inv && src != op->args[0]) {
                    c.info[op->args[0]].inv_kind = inv;
                    c.info[op->args[0]].inv_src = src;
                    c.info[op->args[0]].inv_ver = c.info[src].version;
                }
            }
        }
    }
}
