/*
 * tcg-op.h: the tcg_gen_* API that guest front ends use to build IR.
 *
 * Every call appends ops to the calling thread's TCGContext (tcg_ctx); see
 * include/tcg/tcg.h for the threading rules and docs/devel/tcg.md for the
 * exact semantics of each op.  Naming: tcg_gen_<op>_<type>(ret, args...),
 * with an "i" suffix on the op for a constant last operand
 * (tcg_gen_addi_i32(ret, a, 1)).
 *
 * Temps: tcg_temp_new_* values are valid until the end of the TB, across
 * labels and branches; tcg_temp_free_* lets the index be reused.  Constants
 * from tcg_constant_* are interned and must never be written.
 *
 * Defined behaviour of every op for every input (the host never traps):
 *   - shift and rotate counts are taken modulo the width;
 *   - div/rem by zero give quotient 0 and remainder = dividend;
 *     INT_MIN / -1 gives quotient INT_MIN and remainder 0.
 *   Front ends that must raise a guest exception check before emitting.
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

/* ---- temps ---- */
TCGv_i32 tcg_temp_new_i32(void);
TCGv_i64 tcg_temp_new_i64(void);
TCGv_ptr tcg_temp_new_ptr(void);
void tcg_temp_free_i32(TCGv_i32 v);
void tcg_temp_free_i64(TCGv_i64 v);
void tcg_temp_free_ptr(TCGv_ptr v);
TCGv_i32 tcg_constant_i32(int32_t val);
TCGv_i64 tcg_constant_i64(int64_t val);
TCGv_ptr tcg_constant_ptr(uintptr_t val);
TCGArg tcg_constant_idx(TCGContext *s, TCGType type, uint64_t val);

/* ---- control flow and markers ---- */
TCGLabel *gen_new_label(void);
void gen_set_label(TCGLabel *l);
void tcg_gen_br(TCGLabel *l);
/* Starts guest insn: words are recorded for tcg_restore_state_lookup. */
void tcg_gen_insn_start(uint64_t w0, uint64_t w1, uint64_t w2);
/* Barrier for the orderings in flags (TCG_MO_*, TCG_BAR_*). */
void tcg_gen_mb(unsigned flags);
/* Returns (uintptr_t)tb | idx from tcg_qemu_tb_exec (see TB_EXIT_*). */
void tcg_gen_exit_tb(const void *tb, unsigned idx);
/* Patchable direct jump n (0 or 1); falls through until chained. */
void tcg_gen_goto_tb(unsigned idx);
/* Jumps to host code at ptr (a TB's code, or tcg_code_gen_epilogue). */
void tcg_gen_goto_ptr(TCGv_ptr ptr);

/* ---- helper calls ---- */
#define TCG_CALL_NO_RET ((TCGArg)-1)
/*
 * Calls info->func with nargs temps (nargs == info->nb_args); ret is the
 * output temp index (tcgv_*_arg()) or TCG_CALL_NO_RET.
 */
void tcg_gen_callN(const TCGHelperInfo *info, TCGArg ret, int nargs,
                   const TCGArg *args);

/* ---- pointer-sized convenience ---- */
void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_ptr(TCGv_ptr arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_mov_ptr(TCGv_ptr ret, TCGv_ptr arg);
void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr arg, intptr_t imm);
static inline TCGv_i64 tcgv_ptr_as_i64(TCGv_ptr p)
{
    return (TCGv_i64)(void *)p;
}

/* ---- 32-bit ---- */
void tcg_gen_mov_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_movi_i32(TCGv_i32 ret, int32_t arg);
void tcg_gen_add_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_sub_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_and_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_or_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_xor_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_andc_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_orc_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_eqv_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_nand_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_nor_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_mul_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_muluh_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_mulsh_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_div_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_divu_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_rem_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_remu_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_shl_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_shr_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_sar_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_rotl_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_rotr_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_addi_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_subi_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_andi_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_ori_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_xori_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_muli_i32(TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_shli_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2);
void tcg_gen_shri_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2);
void tcg_gen_sari_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2);
void tcg_gen_rotli_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2);
void tcg_gen_rotri_i32(TCGv_i32 ret, TCGv_i32 arg1, unsigned arg2);
void tcg_gen_neg_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_not_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_ctpop_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_ext8s_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_ext8u_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_ext16s_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_ext16u_i32(TCGv_i32 ret, TCGv_i32 arg);
void tcg_gen_clz_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_clzi_i32(TCGv_i32 ret, TCGv_i32 arg1, uint32_t arg2);
void tcg_gen_ctz_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_ctzi_i32(TCGv_i32 ret, TCGv_i32 arg1, uint32_t arg2);
void tcg_gen_extract_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned ofs, unsigned len);
void tcg_gen_sextract_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned ofs, unsigned len);
void tcg_gen_deposit_i32(TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2, unsigned ofs, unsigned len);
void tcg_gen_extract2_i32(TCGv_i32 ret, TCGv_i32 al, TCGv_i32 ah, unsigned ofs);
void tcg_gen_setcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_setcondi_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_negsetcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_negsetcondi_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 arg1, int32_t arg2);
void tcg_gen_movcond_i32(TCGCond cond, TCGv_i32 ret, TCGv_i32 c1, TCGv_i32 c2, TCGv_i32 v1, TCGv_i32 v2);
void tcg_gen_brcond_i32(TCGCond cond, TCGv_i32 arg1, TCGv_i32 arg2, TCGLabel *l);
void tcg_gen_brcondi_i32(TCGCond cond, TCGv_i32 arg1, int32_t arg2, TCGLabel *l);
void tcg_gen_bswap16_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned flags);
void tcg_gen_bswap32_i32(TCGv_i32 ret, TCGv_i32 arg, unsigned flags);
void tcg_gen_add2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah, TCGv_i32 bl, TCGv_i32 bh);
void tcg_gen_sub2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 al, TCGv_i32 ah, TCGv_i32 bl, TCGv_i32 bh);
void tcg_gen_mulu2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_muls2_i32(TCGv_i32 rl, TCGv_i32 rh, TCGv_i32 arg1, TCGv_i32 arg2);
void tcg_gen_ld8u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld8s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16u_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16s_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld_i32(TCGv_i32 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st8_i32(TCGv_i32 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st16_i32(TCGv_i32 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_i32(TCGv_i32 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_qemu_ld_i32(TCGv_i32 ret, TCGv_i64 addr, unsigned mmu_idx, MemOp memop);
void tcg_gen_qemu_st_i32(TCGv_i32 val, TCGv_i64 addr, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_cmpxchg_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 cmpv, TCGv_i32 newv, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_xchg_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_add_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_and_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_or_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_xor_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_umin_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_umax_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_smin_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_smax_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_add_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_and_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_or_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_xor_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_umin_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_umax_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_smin_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_smax_fetch_i32(TCGv_i32 ret, TCGv_i64 addr, TCGv_i32 val, unsigned mmu_idx, MemOp memop);

/* ---- 64-bit ---- */
void tcg_gen_mov_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_movi_i64(TCGv_i64 ret, int64_t arg);
void tcg_gen_add_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_sub_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_and_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_or_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_xor_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_andc_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_orc_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_eqv_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_nand_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_nor_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_mul_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_muluh_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_mulsh_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_div_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_divu_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_rem_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_remu_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_shl_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_shr_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_sar_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_rotl_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_rotr_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_addi_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_subi_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_andi_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_ori_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_xori_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_muli_i64(TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_shli_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2);
void tcg_gen_shri_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2);
void tcg_gen_sari_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2);
void tcg_gen_rotli_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2);
void tcg_gen_rotri_i64(TCGv_i64 ret, TCGv_i64 arg1, unsigned arg2);
void tcg_gen_neg_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_not_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ctpop_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ext8s_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ext8u_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ext16s_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ext16u_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_clz_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_clzi_i64(TCGv_i64 ret, TCGv_i64 arg1, uint64_t arg2);
void tcg_gen_ctz_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_ctzi_i64(TCGv_i64 ret, TCGv_i64 arg1, uint64_t arg2);
void tcg_gen_extract_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned ofs, unsigned len);
void tcg_gen_sextract_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned ofs, unsigned len);
void tcg_gen_deposit_i64(TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2, unsigned ofs, unsigned len);
void tcg_gen_extract2_i64(TCGv_i64 ret, TCGv_i64 al, TCGv_i64 ah, unsigned ofs);
void tcg_gen_setcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_setcondi_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_negsetcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_negsetcondi_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 arg1, int64_t arg2);
void tcg_gen_movcond_i64(TCGCond cond, TCGv_i64 ret, TCGv_i64 c1, TCGv_i64 c2, TCGv_i64 v1, TCGv_i64 v2);
void tcg_gen_brcond_i64(TCGCond cond, TCGv_i64 arg1, TCGv_i64 arg2, TCGLabel *l);
void tcg_gen_brcondi_i64(TCGCond cond, TCGv_i64 arg1, int64_t arg2, TCGLabel *l);
void tcg_gen_bswap16_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned flags);
void tcg_gen_bswap32_i64(TCGv_i64 ret, TCGv_i64 arg, unsigned flags);
void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 arg);
void tcg_gen_add2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah, TCGv_i64 bl, TCGv_i64 bh);
void tcg_gen_sub2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 al, TCGv_i64 ah, TCGv_i64 bl, TCGv_i64 bh);
void tcg_gen_mulu2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_muls2_i64(TCGv_i64 rl, TCGv_i64 rh, TCGv_i64 arg1, TCGv_i64 arg2);
void tcg_gen_ld8u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld8s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld16s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st8_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st16_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st32_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_i64(TCGv_i64 arg, TCGv_ptr base, intptr_t ofs);
void tcg_gen_qemu_ld_i64(TCGv_i64 ret, TCGv_i64 addr, unsigned mmu_idx, MemOp memop);
void tcg_gen_qemu_st_i64(TCGv_i64 val, TCGv_i64 addr, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_cmpxchg_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 cmpv, TCGv_i64 newv, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_xchg_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_add_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_and_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_or_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_xor_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_umin_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_umax_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_smin_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_fetch_smax_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_add_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_and_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_or_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_xor_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_umin_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_umax_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_smin_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);
void tcg_gen_atomic_smax_fetch_i64(TCGv_i64 ret, TCGv_i64 addr, TCGv_i64 val, unsigned mmu_idx, MemOp memop);

/* ---- conversions ---- */
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 arg);
void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 arg);
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 arg);
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 arg);

#endif
