/*
 * tcg-op.c: the tcg_gen_* front-end API (include/tcg/tcg-op.h).
 *
 * Each function appends one op (rarely a few) to the calling thread's
 * TCGContext.  No folding happens here: the optimizer sees the ops exactly
 * as the front end wrote them, so "-d op" shows the front end's output.
 * Guest atomics are emitted as calls to the generic helpers of
 * tcg-atomic.c.  Called on the translating thread only.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg-internal.h"

static void gen_op2(TCGOpcode opc, TCGArg a1, TCGArg a2)
{
    TCGArg a[2] = { a1, a2 };

    tcg_emit_op(opc, 1, 1, 0, a);
}

static void gen_op3(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGArg a[3] = { a1, a2, a3 };

    tcg_emit_op(opc, def->nb_oargs, def->nb_iargs, def->nb_cargs, a);
}

static void gen_op4(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3,
                    TCGArg a4)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGArg a[4] = { a1, a2, a3, a4 };

    tcg_emit_op(opc, def->nb_oargs, def->nb_iargs, def->nb_cargs, a);
}

static void gen_op5(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3,
                    TCGArg a4, TCGArg a5)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGArg a[5] = { a1, a2, a3, a4, a5 };

    tcg_emit_op(opc, def->nb_oargs, def->nb_iargs, def->nb_cargs, a);
}

static void gen_op6(TCGOpcode opc, TCGArg a1, TCGArg a2, TCGArg a3,
                    TCGArg a4, TCGArg a5, TCGArg a6)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGArg a[6] = { a1, a2, a3, a4, a5, a6 };

    tcg_emit_op(opc, def->nb_oargs, def->nb_iargs, def->nb_cargs, a);
}

/* ---- control flow ---- */

void gen_set_label(TCGLabel *l)
{
    TCGArg a[1] = { l->id };

    assert(!l->present);
    l->present = true;
    tcg_emit_op(INDEX_op_set_label, 0, 0, 1, a);
}

void tcg_gen_br(TCGLabel *l)
{
    TCGArg a[1] = { l->id };

    l->refs++;
    tcg_emit_op(INDEX_op_br, 0, 0, 1, a);
}

void tcg_gen_insn_start(uint64_t w0, uint64_t w1, uint64_t w2)
{
    TCGArg a[TCG_MAX_INSN_WORDS] = { w0, w1, w2 };

    assert(tcg_ctx->nb_insns_ir < TCG_MAX_INSNS);
    tcg_ctx->nb_insns_ir++;
    tcg_emit_op(INDEX_op_insn_start, 0, 0, TCG_MAX_INSN_WORDS, a);
}

void tcg_gen_mb(unsigned flags)
{
    TCGArg a[1] = { flags };

    tcg_emit_op(INDEX_op_mb, 0, 0, 1, a);
}

void tcg_gen_exit_tb(const void *tb, unsigned idx)
{
    TCGArg a[1] = { (uintptr_t)tb | idx };

    assert(((uintptr_t)tb & TB_EXIT_MASK) == 0 && idx <= TB_EXIT_MASK);
    tcg_emit_op(INDEX_op_exit_tb, 0, 0, 1, a);
}

void tcg_gen_goto_tb(unsigned idx)
{
    TCGArg a[1] = { idx };

    assert(idx < 2);
    tcg_emit_op(INDEX_op_goto_tb, 0, 0, 1, a);
}

void tcg_gen_goto_ptr(TCGv_ptr ptr)
{
    TCGArg a[1] = { tcgv_ptr_arg(ptr) };

    tcg_emit_op(INDEX_op_goto_ptr, 0, 1, 0, a);
}

/* ---- calls ---- */

void tcg_gen_callN(const TCGHelperInfo *info, TCGArg ret, int nargs,
                   const TCGArg *args)
{
    TCGArg a[TCG_MAX_OP_ARGS];
    int nb_o = 0;

    assert(nargs == (int)info->nb_args && nargs <= TCG_MAX_CALL_ARGS);
    if (ret != TCG_CALL_NO_RET) {
        assert(info->ret != TCG_CALL_VOID);
        assert(tcg_ctx->temps[ret].type ==
               (info->ret == TCG_CALL_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64));
        a[nb_o++] = ret;
    }
    memcpy(a + nb_o, args, nargs * sizeof(TCGArg));
    a[nb_o + nargs] = (uintptr_t)info;
    tcg_emit_op(INDEX_op_call, nb_o, nargs, 1, a);
}

/* ---- pointers ---- */

void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld_i64, tcgv_ptr_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_st_ptr(TCGv_ptr arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_ptr_arg(arg), tcgv_ptr_arg(base), ofs };

    tcg_emit_op(INDEX_op_st_i64, 0, 2, 1, a);
}

void tcg_gen_mov_ptr(TCGv_ptr ret, TCGv_ptr arg)
{
    tcg_gen_mov_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(arg));
}

void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr arg, intptr_t imm)
{
    tcg_gen_addi_i64(tcgv_ptr_as_i64(ret), tcgv_ptr_as_i64(arg), imm);
}

/* ---- atomics: calls to the generic helpers in tcg-atomic.c ---- */

static void gen_atomic_cmpxchg(TCGType type, TCGArg ret, TCGArg addr,
                               TCGArg cmpv, TCGArg newv, unsigned mmu_idx,
                               MemOp memop)
{
    TCGContext *s = tcg_ctx;
    TCGArg args[5] = {
        tcgv_ptr_arg(tcg_env), addr, cmpv, newv,
        tcg_constant_idx(s, TCG_TYPE_I32, make_memop_idx(memop, mmu_idx)),
    };

    assert((memop & MO_SIZE) <= (type == TCG_TYPE_I32 ? MO_32 : MO_64));
    tcg_gen_callN(type == TCG_TYPE_I32 ? &tcg_helper_atomic_cmpxchg_i32_info
                                       : &tcg_helper_atomic_cmpxchg_i64_info,
                  ret, 5, args);
}

static void gen_atomic_rmw(TCGType type, TCGAtomicOp aop, TCGArg ret,
                           TCGArg addr, TCGArg val, unsigned mmu_idx,
                           MemOp memop)
{
    TCGContext *s = tcg_ctx;
    TCGArg args[5] = {
        tcgv_ptr_arg(tcg_env), addr, val,
        tcg_constant_idx(s, TCG_TYPE_I32, make_memop_idx(memop, mmu_idx)),
        tcg_constant_idx(s, TCG_TYPE_I32, aop),
    };

    assert((memop & MO_SIZE) <= (type == TCG_TYPE_I32 ? MO_32 : MO_64));
    tcg_gen_callN(type == TCG_TYPE_I32 ? &tcg_helper_atomic_rmw_i32_info
                                       : &tcg_helper_atomic_rmw_i64_info,
                  ret, 5, args);
}

void tcg_gen_mov_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    if (ret != arg) {
        gen_op2(INDEX_op_mov_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
    }
}

void tcg_gen_movi_i32(TCGv_i32 ret, int32_t arg)
{
    gen_op2(INDEX_op_mov_i32, tcgv_i32_arg(ret), tcgv_i32_arg(tcg_constant_i32(arg)));
}

void tcg_gen_add_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_add_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_sub_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_sub_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_and_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_and_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_or_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_or_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_xor_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_xor_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_andc_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_andc_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_orc_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_orc_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_eqv_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_eqv_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_nand_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_nand_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_nor_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_nor_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_mul_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_mul_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_muluh_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_muluh_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_mulsh_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_mulsh_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_div_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_div_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_divu_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_divu_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_rem_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_rem_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_remu_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_remu_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_shl_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_shl_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_shr_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_shr_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_sar_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_sar_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_rotl_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_rotl_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_rotr_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_rotr_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_addi_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_add_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_subi_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_sub_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_andi_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_and_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_ori_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_or_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_xori_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_xor_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_muli_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_mul_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_shli_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2)
{
    tcg_gen_shl_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_shri_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2)
{
    tcg_gen_shr_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_sari_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2)
{
    tcg_gen_sar_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_rotli_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2)
{
    tcg_gen_rotl_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_rotri_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2)
{
    tcg_gen_rotr_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_neg_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_neg_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_not_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_not_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_ctpop_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_ctpop_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_ext8s_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_ext8s_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_ext8u_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_ext8u_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_ext16s_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_ext16s_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_ext16u_i32(TCGv_i32 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_ext16u_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_clz_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_clz_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_clzi_i32(TCGv_i32 ret, TCGv_i32 arg1, uint32_t arg2)
{
    tcg_gen_clz_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_ctz_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op3(INDEX_op_ctz_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2));
}

void tcg_gen_ctzi_i32(TCGv_i32 ret, TCGv_i32 arg1, uint32_t arg2)
{
    tcg_gen_ctz_i32(ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned ofs, unsigned len)
{
    assert(ofs < 32 && len > 0 && len <= 32 - ofs);
    gen_op4(INDEX_op_extract_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg), ofs, len);
}

void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned ofs, unsigned len)
{
    assert(ofs < 32 && len > 0 && len <= 32 - ofs);
    gen_op4(INDEX_op_sextract_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg), ofs, len);
}

void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2, unsigned ofs, unsigned len)
{
    assert(ofs < 32 && len > 0 && len <= 32 - ofs);
    gen_op5(INDEX_op_deposit_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2), ofs, len);
}

void tcg_gen_extract2_i32(TCGv_i32 ret, TCGv_i32 al, TCGv_i32 ah, unsigned ofs)
{
    assert(ofs <= 32);
    gen_op4(INDEX_op_extract2_i32, tcgv_i32_arg(ret), tcgv_i32_arg(al), tcgv_i32_arg(ah), ofs);
}

void tcg_gen_setcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op4(INDEX_op_setcond_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2), cond);
}

void tcg_gen_setcondi_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_setcond_i32(cond, ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_negsetcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2)
{
    gen_op4(INDEX_op_negsetcond_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2), cond);
}

void tcg_gen_negsetcondi_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2)
{
    tcg_gen_negsetcond_i32(cond, ret, arg1, tcg_constant_i32(arg2));
}

void tcg_gen_movcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2, TCGv_i32 v1, TCGv_i32 v2)
{
    gen_op6(INDEX_op_movcond_i32, tcgv_i32_arg(ret), tcgv_i32_arg(c1), tcgv_i32_arg(c2), tcgv_i32_arg(v1), tcgv_i32_arg(v2), cond);
}

void tcg_gen_brcond_i32(TCGCond cond, TCGv_i32 arg1, TCGv_i32 arg2, TCGLabel *l)
{
    l->refs++;
    gen_op4(INDEX_op_brcond_i32, tcgv_i32_arg(arg1), tcgv_i32_arg(arg2), cond, l->id);
}

void tcg_gen_brcondi_i32(TCGCond cond, TCGv_i32 arg1, int32_t arg2, TCGLabel *l)
{
    tcg_gen_brcond_i32(cond, arg1, tcg_constant_i32(arg2), l);
}

void tcg_gen_bswap16_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned flags)
{
    gen_op3(INDEX_op_bswap16_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg), flags);
}

void tcg_gen_bswap32_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned flags)
{
    gen_op3(INDEX_op_bswap32_i32, tcgv_i32_arg(ret), tcgv_i32_arg(arg), flags);
}

void tcg_gen_add2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah, TCGv_i32 bl, TCGv_i32 bh)
{
    TCGArg a[6] = { tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(al), tcgv_i32_arg(ah), tcgv_i32_arg(bl), tcgv_i32_arg(bh) };
    tcg_emit_op(INDEX_op_add2_i32, 2, 4, 0, a);
}

void tcg_gen_sub2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah, TCGv_i32 bl, TCGv_i32 bh)
{
    TCGArg a[6] = { tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(al), tcgv_i32_arg(ah), tcgv_i32_arg(bl), tcgv_i32_arg(bh) };
    tcg_emit_op(INDEX_op_sub2_i32, 2, 4, 0, a);
}

void tcg_gen_mulu2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 arg1, TCGv_i32 arg2)
{
    TCGArg a[4] = { tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2) };
    tcg_emit_op(INDEX_op_mulu2_i32, 2, 2, 0, a);
}

void tcg_gen_muls2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 arg1, TCGv_i32 arg2)
{
    TCGArg a[4] = { tcgv_i32_arg(rl), tcgv_i32_arg(rh), tcgv_i32_arg(arg1), tcgv_i32_arg(arg2) };
    tcg_emit_op(INDEX_op_muls2_i32, 2, 2, 0, a);
}

void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld8u_i32, tcgv_i32_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld8s_i32, tcgv_i32_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld16u_i32, tcgv_i32_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld16s_i32, tcgv_i32_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld_i32, tcgv_i32_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_st8_i32(TCGv_i32 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i32_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st8_i32, 0, 2, 1, a);
}

void tcg_gen_st16_i32(TCGv_i32 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i32_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st16_i32, 0, 2, 1, a);
}

void tcg_gen_st_i32(TCGv_i32 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i32_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st_i32, 0, 2, 1, a);
}

void tcg_gen_qemu_ld_i32(TCGv_i32 ret, TCGv_i64 addr, unsigned mmu_idx, MemOp memop)
{
    assert((memop & MO_SIZE) <= MO_32);
    if ((memop & MO_SIZE) == MO_32) {
        memop &= ~MO_SIGN;
    }
    gen_op3(INDEX_op_qemu_ld_i32, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
            make_memop_idx(memop, mmu_idx));
}

void tcg_gen_qemu_st_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp memop)
{
    assert((memop & MO_SIZE) <= MO_32);
    TCGArg a[3] = { tcgv_i32_arg(val), tcgv_i64_arg(addr),
                     make_memop_idx(memop & ~MO_SIGN, mmu_idx) };
    tcg_emit_op(INDEX_op_qemu_st_i32, 0, 2, 1, a);
}

void tcg_gen_atomic_cmpxchg_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 cmpv, TCGv_i32 newv, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_cmpxchg(TCG_TYPE_I32, tcgv_i32_arg(ret), tcgv_i64_arg(addr), tcgv_i32_arg(cmpv),
                       tcgv_i32_arg(newv), mmu_idx, memop);
}

void tcg_gen_atomic_xchg_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_XCHG, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_add_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_ADD, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_and_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_AND, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_or_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_OR, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_xor_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_XOR, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_umin_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_UMIN, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_umax_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_UMAX, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_smin_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_SMIN, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_smax_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_FETCH_SMAX, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_add_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_ADD_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_and_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_AND_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_or_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_OR_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_xor_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_XOR_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_umin_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_UMIN_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_umax_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_UMAX_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_smin_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_SMIN_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_smax_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I32, TCG_ATOMIC_SMAX_FETCH, tcgv_i32_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i32_arg(val), mmu_idx, memop);
}

void tcg_gen_mov_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    if (ret != arg) {
        gen_op2(INDEX_op_mov_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
    }
}

void tcg_gen_movi_i64(TCGv_i64 ret, int64_t arg)
{
    gen_op2(INDEX_op_mov_i64, tcgv_i64_arg(ret), tcgv_i64_arg(tcg_constant_i64(arg)));
}

void tcg_gen_add_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_add_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_sub_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_sub_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_and_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_and_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_or_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_or_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_xor_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_xor_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_andc_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_andc_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_orc_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_orc_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_eqv_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_eqv_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_nand_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_nand_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_nor_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_nor_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_mul_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_mul_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_muluh_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_muluh_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_mulsh_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_mulsh_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_div_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_div_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_divu_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_divu_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_rem_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_rem_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_remu_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_remu_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_shl_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_shl_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_shr_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_shr_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_sar_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_sar_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_rotl_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_rotl_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_rotr_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_rotr_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_addi_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_add_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_subi_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_sub_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_andi_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_and_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_ori_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_or_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_xori_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_xor_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_muli_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_mul_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_shli_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2)
{
    tcg_gen_shl_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_shri_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2)
{
    tcg_gen_shr_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_sari_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2)
{
    tcg_gen_sar_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_rotli_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2)
{
    tcg_gen_rotl_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_rotri_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2)
{
    tcg_gen_rotr_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_neg_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_neg_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_not_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_not_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ctpop_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ctpop_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ext8s_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ext8s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ext8u_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ext8u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ext16s_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ext16s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ext16u_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ext16u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ext32s_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_ext32u_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_clz_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_clz_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_clzi_i64(TCGv_i64 ret, TCGv_i64 arg1, uint64_t arg2)
{
    tcg_gen_clz_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_ctz_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op3(INDEX_op_ctz_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2));
}

void tcg_gen_ctzi_i64(TCGv_i64 ret, TCGv_i64 arg1, uint64_t arg2)
{
    tcg_gen_ctz_i64(ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned ofs, unsigned len)
{
    assert(ofs < 64 && len > 0 && len <= 64 - ofs);
    gen_op4(INDEX_op_extract_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg), ofs, len);
}

void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned ofs, unsigned len)
{
    assert(ofs < 64 && len > 0 && len <= 64 - ofs);
    gen_op4(INDEX_op_sextract_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg), ofs, len);
}

void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2, unsigned ofs, unsigned len)
{
    assert(ofs < 64 && len > 0 && len <= 64 - ofs);
    gen_op5(INDEX_op_deposit_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2), ofs, len);
}

void tcg_gen_extract2_i64(TCGv_i64 ret, TCGv_i64 al, TCGv_i64 ah, unsigned ofs)
{
    assert(ofs <= 64);
    gen_op4(INDEX_op_extract2_i64, tcgv_i64_arg(ret), tcgv_i64_arg(al), tcgv_i64_arg(ah), ofs);
}

void tcg_gen_setcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op4(INDEX_op_setcond_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2), cond);
}

void tcg_gen_setcondi_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_setcond_i64(cond, ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_negsetcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2)
{
    gen_op4(INDEX_op_negsetcond_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2), cond);
}

void tcg_gen_negsetcondi_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2)
{
    tcg_gen_negsetcond_i64(cond, ret, arg1, tcg_constant_i64(arg2));
}

void tcg_gen_movcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2, TCGv_i64 v1, TCGv_i64 v2)
{
    gen_op6(INDEX_op_movcond_i64, tcgv_i64_arg(ret), tcgv_i64_arg(c1), tcgv_i64_arg(c2), tcgv_i64_arg(v1), tcgv_i64_arg(v2), cond);
}

void tcg_gen_brcond_i64(TCGCond cond, TCGv_i64 arg1, TCGv_i64 arg2, TCGLabel *l)
{
    l->refs++;
    gen_op4(INDEX_op_brcond_i64, tcgv_i64_arg(arg1), tcgv_i64_arg(arg2), cond, l->id);
}

void tcg_gen_brcondi_i64(TCGCond cond, TCGv_i64 arg1, int64_t arg2, TCGLabel *l)
{
    tcg_gen_brcond_i64(cond, arg1, tcg_constant_i64(arg2), l);
}

void tcg_gen_bswap16_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned flags)
{
    gen_op3(INDEX_op_bswap16_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg), flags);
}

void tcg_gen_bswap32_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned flags)
{
    gen_op3(INDEX_op_bswap32_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg), flags);
}

void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 arg)
{
    gen_op3(INDEX_op_bswap64_i64, tcgv_i64_arg(ret), tcgv_i64_arg(arg), 0);
}

void tcg_gen_add2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah, TCGv_i64 bl, TCGv_i64 bh)
{
    TCGArg a[6] = { tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(al), tcgv_i64_arg(ah), tcgv_i64_arg(bl), tcgv_i64_arg(bh) };
    tcg_emit_op(INDEX_op_add2_i64, 2, 4, 0, a);
}

void tcg_gen_sub2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah, TCGv_i64 bl, TCGv_i64 bh)
{
    TCGArg a[6] = { tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(al), tcgv_i64_arg(ah), tcgv_i64_arg(bl), tcgv_i64_arg(bh) };
    tcg_emit_op(INDEX_op_sub2_i64, 2, 4, 0, a);
}

void tcg_gen_mulu2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 arg1, TCGv_i64 arg2)
{
    TCGArg a[4] = { tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2) };
    tcg_emit_op(INDEX_op_mulu2_i64, 2, 2, 0, a);
}

void tcg_gen_muls2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 arg1, TCGv_i64 arg2)
{
    TCGArg a[4] = { tcgv_i64_arg(rl), tcgv_i64_arg(rh), tcgv_i64_arg(arg1), tcgv_i64_arg(arg2) };
    tcg_emit_op(INDEX_op_muls2_i64, 2, 2, 0, a);
}

void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld8u_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld8s_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld16u_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld16s_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld32u_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld32s_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs)
{
    gen_op3(INDEX_op_ld_i64, tcgv_i64_arg(ret), tcgv_ptr_arg(base), ofs);
}

void tcg_gen_st8_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i64_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st8_i64, 0, 2, 1, a);
}

void tcg_gen_st16_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i64_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st16_i64, 0, 2, 1, a);
}

void tcg_gen_st32_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i64_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st32_i64, 0, 2, 1, a);
}

void tcg_gen_st_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs)
{
    TCGArg a[3] = { tcgv_i64_arg(arg), tcgv_ptr_arg(base), ofs };
    tcg_emit_op(INDEX_op_st_i64, 0, 2, 1, a);
}

void tcg_gen_qemu_ld_i64(TCGv_i64 ret, TCGv_i64 addr, unsigned mmu_idx, MemOp memop)
{
    assert((memop & MO_SIZE) <= MO_64);
    gen_op3(INDEX_op_qemu_ld_i64, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
            make_memop_idx(memop, mmu_idx));
}

void tcg_gen_qemu_st_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp memop)
{
    assert((memop & MO_SIZE) <= MO_64);
    TCGArg a[3] = { tcgv_i64_arg(val), tcgv_i64_arg(addr),
                     make_memop_idx(memop & ~MO_SIGN, mmu_idx) };
    tcg_emit_op(INDEX_op_qemu_st_i64, 0, 2, 1, a);
}

void tcg_gen_atomic_cmpxchg_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 cmpv, TCGv_i64 newv, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_cmpxchg(TCG_TYPE_I64, tcgv_i64_arg(ret), tcgv_i64_arg(addr), tcgv_i64_arg(cmpv),
                       tcgv_i64_arg(newv), mmu_idx, memop);
}

void tcg_gen_atomic_xchg_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_XCHG, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_add_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_ADD, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_and_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_AND, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_or_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_OR, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_xor_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_XOR, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_umin_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_UMIN, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_umax_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_UMAX, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_smin_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_SMIN, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_fetch_smax_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_FETCH_SMAX, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_add_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_ADD_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_and_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_AND_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_or_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_OR_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_xor_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_XOR_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_umin_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_UMIN_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_umax_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_UMAX_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_smin_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_SMIN_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_atomic_smax_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop)
{
    gen_atomic_rmw(TCG_TYPE_I64, TCG_ATOMIC_SMAX_FETCH, tcgv_i64_arg(ret), tcgv_i64_arg(addr),
                   tcgv_i64_arg(val), mmu_idx, memop);
}

void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_extu_i32_i64, tcgv_i64_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 arg)
{
    gen_op2(INDEX_op_ext_i32_i64, tcgv_i64_arg(ret), tcgv_i32_arg(arg));
}

void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_extrl_i64_i32, tcgv_i32_arg(ret), tcgv_i64_arg(arg));
}

void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 arg)
{
    gen_op2(INDEX_op_extrh_i64_i32, tcgv_i32_arg(ret), tcgv_i64_arg(arg));
}
