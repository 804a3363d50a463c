/*
 * translate.c: the x86 translator: guest instructions to TCG IR.
 *
 * translator_loop() (accel/tcg/translator.c) drives the hooks below; each
 * translate_insn decodes one instruction with the table-driven decoder
 * (decode.c) and dispatches on its mnemonic to a trans_* function.
 *
 * State kept in TCG globals: the 16 GPRs and the lazy-flags operands
 * (cc_dst, cc_src, cc_src2, cc_op).  EIP is stored only where needed
 * (TB exits, helpers that raise exceptions) and the runtime recovers it
 * for faulting memory accesses from the insn_start words (EIP, cc_op).
 *
 * Lazy flags: DisasContext.cc_op is what the translator knows statically
 * about env->cc_op (CC_OP_DYNAMIC: unknown, at TB start and after helpers
 * that set flags).  A flag-setting insn writes cc_dst/cc_src/cc_src2 and
 * then cc_op, always after every access that can fault, so a fault leaves
 * the previous flags intact.  Condition codes after CMP/SUB and logic ops
 * are computed inline; otherwise the cc_compute_all helper materialises
 * OSZAPC.
 *
 * Each insn frees its TCG temps at its end (a TB may hold up to
 * TCG_MAX_INSNS insns; temps are a finite pool).
 *
 * Runs on the vCPU thread that translates (tb_gen_code); no locks.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-op.h"
#include "hw/cpu.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"
#include "target/i386/translate.h"
#include "target/i386/helper.h"
#include "target/i386/fpu-sse.h"
#include "target/i386/debug.h"

/* Target-specific is_jmp values. */
enum {
    DISAS_EOB_NEXT = DISAS_TARGET_0,   /* store next EIP and exit the TB */
    DISAS_JUMP,                        /* EIP stored: lookup and go */
    DISAS_EXIT,                        /* EIP set by a helper: exit */
};

static TCGv_i64 cpu_regs[CPU_NB_REGS];
static TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
static TCGv_i32 cpu_cc_op;

static const char *const reg_names[CPU_NB_REGS] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

#define MAX_INSN_TEMPS 64

typedef struct DisasContext {
    DisasContextBase base;
    CPUState *cs;
    uint32_t flags;             /* TB flags */
    X86CodeMode code;
    uint64_t cs_base;
    uint64_t eip;               /* EIP of the current insn */
    uint64_t eip_next;          /* EIP of the next insn */
    int mmu_idx;
    int cpl;
    uint32_t cc_op;             /* CCOp known statically, or DYNAMIC */
    X86Insn insn;
    MemOp ot;                   /* operand size of operand 0 */
    TCGv_i64 A0;                /* the memory operand's address, or NULL */
    TCGv_i64 temps[MAX_INSN_TEMPS];
    int ntemps;
    bool movss;                 /* MOV/POP SS: no TF trap after it */
    /*
     * CMP/SUB + Jcc/SETcc/CMOVcc fusion: the operands of the last CMP/SUB
     * (zero-extended to its size), valid while it is the last flag setter
     * in this TB (cmp_op == cc_op): a condition then compares them
     * directly instead of rebuilding them from cc_dst + cc_src.  TB temps,
     * allocated at the first CMP/SUB.
     */
    TCGv_i64 cmp_a, cmp_b;
    bool cmp_valid;
    uint32_t cmp_op;
} DisasContext;

/* The system helpers of target/i386/helper.h, as TCG calls.  They read
 * and write globals and may raise (restoring state from insn_start). */
#define SYS_HELPER(fn, n, r) \
    static const TCGHelperInfo fn##_info = { \
        .func = (void *)fn, .name = #fn, .flags = 0, .ret = r, \
        .nb_args = n }
SYS_HELPER(helper_read_crN, 2, TCG_CALL_I64);
SYS_HELPER(helper_write_crN, 3, TCG_CALL_VOID);
SYS_HELPER(helper_get_dr, 2, TCG_CALL_I64);
SYS_HELPER(helper_set_dr, 3, TCG_CALL_VOID);
SYS_HELPER(helper_lgdt, 3, TCG_CALL_VOID);
SYS_HELPER(helper_lidt, 3, TCG_CALL_VOID);
SYS_HELPER(helper_lldt, 2, TCG_CALL_VOID);
SYS_HELPER(helper_ltr, 2, TCG_CALL_VOID);
SYS_HELPER(helper_ljmp, 4, TCG_CALL_VOID);
SYS_HELPER(helper_lcall, 5, TCG_CALL_VOID);
SYS_HELPER(helper_lret, 3, TCG_CALL_VOID);
SYS_HELPER(helper_iret, 3, TCG_CALL_VOID);
SYS_HELPER(helper_rdmsr, 1, TCG_CALL_VOID);
SYS_HELPER(helper_wrmsr, 1, TCG_CALL_VOID);
SYS_HELPER(helper_cpuid, 1, TCG_CALL_VOID);
SYS_HELPER(helper_rdtsc, 1, TCG_CALL_VOID);
SYS_HELPER(helper_load_seg, 3, TCG_CALL_VOID);
SYS_HELPER(helper_clts, 1, TCG_CALL_VOID);
SYS_HELPER(helper_lmsw, 2, TCG_CALL_VOID);
SYS_HELPER(helper_invlpg, 2, TCG_CALL_VOID);

/* ------------------------------------------------------------------ */
/* Temps and small helpers                                             */

static TCGv_i64 tmp(DisasContext *s)
{
    TCGv_i64 t = tcg_temp_new_i64();

    assert(s->ntemps < MAX_INSN_TEMPS);
    s->temps[s->ntemps++] = t;
    return t;
}

static void free_temps(DisasContext *s)
{
    for (int i = 0; i < s->ntemps; i++) {
        tcg_temp_free_i64(s->temps[i]);
    }
    s->ntemps = 0;
}

static TCGv_i64 cst(int64_t v)
{
    return tcg_constant_i64(v);
}

static uint64_t size_mask(MemOp ot)
{
    return ot == MO_64 ? UINT64_MAX : (1ull << (8u << ot)) - 1;
}

static void gen_ext(MemOp ot, TCGv_i64 d, TCGv_i64 v, bool sign)
{
    switch (ot) {
    case MO_8:
        sign ? tcg_gen_ext8s_i64(d, v) : tcg_gen_ext8u_i64(d, v);
        break;
    case MO_16:
        sign ? tcg_gen_ext16s_i64(d, v) : tcg_gen_ext16u_i64(d, v);
        break;
    case MO_32:
        sign ? tcg_gen_ext32s_i64(d, v) : tcg_gen_ext32u_i64(d, v);
        break;
    default:
        tcg_gen_mov_i64(d, v);
        break;
    }
}

static void call0(const TCGHelperInfo *info, TCGv_i64 ret, int n,
                  TCGv_i64 a, TCGv_i64 b, TCGv_i64 c)
{
    TCGArg args[4] = { tcgv_ptr_arg(tcg_env) };
    TCGv_i64 in[3] = { a, b, c };

    for (int i = 0; i < n; i++) {
        args[i + 1] = tcgv_i64_arg(in[i]);
    }
    tcg_gen_callN(info, ret ? tcgv_i64_arg(ret) : TCG_CALL_NO_RET, n + 1,
                  args);
}

static void set_cc_op(DisasContext *s, uint32_t op)
{
    s->cmp_valid = false;
    if (s->cc_op != op) {
        s->cc_op = op;
        tcg_gen_movi_i32(cpu_cc_op, op);
    }
}

static void gen_store_eip(DisasContext *s, uint64_t eip)
{
    TCGv_i64 t = cst(eip);

    tcg_gen_st_i64(t, tcg_env, offsetof(CPUX86State, eip));
}

/* Raises exception excp at the current insn (its state exact). */
static void gen_exception(DisasContext *s, int excp, int err)
{
    gen_store_eip(s, s->eip);
    call0(&x86_helper_raise_exception_info, NULL, 2, cst(excp), cst(err),
          NULL);
    s->base.is_jmp = DISAS_NORETURN;
}

static void gen_unimplemented(DisasContext *s)
{
    gen_store_eip(s, s->eip);
    call0(&x86_helper_unimplemented_info, NULL, 1, cst(s->insn.mnem), NULL,
          NULL);
    s->base.is_jmp = DISAS_NORETURN;
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

static bool byte_reg_is_high(DisasContext *s, int reg)
{
    return reg >= 4 && reg < 8 && !(s->insn.prefixes & X86P_REX);
}

static void gen_get_reg(DisasContext *s, MemOp ot, TCGv_i64 d, int reg)
{
    if (ot == MO_8 && byte_reg_is_high(s, reg)) {
        tcg_gen_extract_i64(d, cpu_regs[reg - 4], 8, 8);
    } else {
        gen_ext(ot, d, cpu_regs[reg], false);
    }
}

static void gen_set_reg(DisasContext *s, MemOp ot, int reg, TCGv_i64 v)
{
    switch (ot) {
    case MO_8:
        if (byte_reg_is_high(s, reg)) {
            tcg_gen_deposit_i64(cpu_regs[reg - 4], cpu_regs[reg - 4], v, 8,
                                8);
        } else {
            tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], v, 0, 8);
        }
        break;
    case MO_16:
        tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], v, 0, 16);
        break;
    case MO_32:
        tcg_gen_ext32u_i64(cpu_regs[reg], v);
        break;
    default:
        tcg_gen_mov_i64(cpu_regs[reg], v);
        break;
    }
}

/* Adds v to a register used as an address of size asize (rSI, rDI, rCX,
 * rSP): only the low 16 bits change for 16-bit. */
static void gen_add_areg(DisasContext *s, MemOp asize, int reg, TCGv_i64 v)
{
    TCGv_i64 t = tmp(s);

    tcg_gen_add_i64(t, cpu_regs[reg], v);
    gen_set_reg(s, asize, reg, t);
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

/* Linear address of off in segment seg (off already address-size). */
static TCGv_i64 gen_seg_addr(DisasContext *s, TCGv_i64 off, int seg,
                             bool overridable)
{
    TCGv_i64 a = tmp(s);

    if (overridable && s->insn.seg >= 0) {
        seg = s->insn.seg;
    }
    if (s->code == X86_MODE_64) {
        if (seg == R_FS || seg == R_GS) {
            tcg_gen_ld_i64(a, tcg_env, offsetof(CPUX86State, segs[seg].base));
            tcg_gen_add_i64(a, a, off);
        } else {
            tcg_gen_mov_i64(a, off);
        }
        return a;
    }
    if (!(s->flags & HF_ADDSEG_MASK) &&
        (seg == R_DS || seg == R_ES || seg == R_SS)) {
        tcg_gen_ext32u_i64(a, off);
        return a;
    }
    tcg_gen_ld_i64(a, tcg_env, offsetof(CPUX86State, segs[seg].base));
    tcg_gen_add_i64(a, a, off);
    tcg_gen_ext32u_i64(a, a);
    return a;
}

/* The effective address (offset) of the ModRM memory operand. */
static TCGv_i64 gen_ea_offset(DisasContext *s)
{
    X86Insn *in = &s->insn;
    TCGv_i64 ea = tmp(s);

    if (in->base == X86_RIP) {
        tcg_gen_movi_i64(ea, s->eip_next + in->disp);
    } else {
        tcg_gen_movi_i64(ea, in->disp);
        if (in->base >= 0) {
            tcg_gen_add_i64(ea, ea, cpu_regs[in->base]);
        }
        if (in->index >= 0) {
            TCGv_i64 t = tmp(s);

            tcg_gen_shli_i64(t, cpu_regs[in->index], in->scale);
            tcg_gen_add_i64(ea, ea, t);
        }
    }
    if (in->asize != MO_64) {
        gen_ext(in->asize, ea, ea, false);
    }
    return ea;
}

static int default_seg(DisasContext *s)
{
    int b = s->insn.base;

    return (b == R_EBP || b == R_ESP) && s->insn.base != X86_RIP ? R_SS :
           R_DS;
}

/* The linear address of the insn's memory operand (ModRM or moffs). */
static TCGv_i64 gen_A0(DisasContext *s)
{
    if (!s->A0) {
        s->A0 = gen_seg_addr(s, gen_ea_offset(s), default_seg(s), true);
    }
    return s->A0;
}

/* Natural alignment when alignment checking (#AC) is on. */
static MemOp ac_align(DisasContext *s)
{
    return (s->flags & X86_TB_FLAG_ALIGN) ? MO_ALIGN : 0;
}

static void gen_ld(DisasContext *s, MemOp ot, TCGv_i64 d, TCGv_i64 addr)
{
    tcg_gen_qemu_ld_i64(d, addr, s->mmu_idx, ot | MO_LE | ac_align(s));
}

static void gen_st(DisasContext *s, MemOp ot, TCGv_i64 v, TCGv_i64 addr)
{
    tcg_gen_qemu_st_i64(v, addr, s->mmu_idx, ot | MO_LE | ac_align(s));
}

/* ------------------------------------------------------------------ */
/* Operands                                                            */

static MemOp op_size(DisasContext *s, int i)
{
    unsigned n = x86_op_bytes(&s->insn, s->insn.e->ops[i].size);

    return n >= 8 ? MO_64 : n >= 4 ? MO_32 : n >= 2 ? MO_16 : MO_8;
}

static bool op_is_mem(DisasContext *s, int i)
{
    int k = s->insn.e->ops[i].kind;

    return ((k == OPK_E || k == OPK_M) && s->insn.mod != 3) || k == OPK_O;
}

static TCGv_i64 gen_load_op(DisasContext *s, int i, MemOp ot)
{
    X86Insn *in = &s->insn;
    const X86OpSpec *op = &in->e->ops[i];
    TCGv_i64 v = tmp(s);

    switch (op->kind) {
    case OPK_E:
    case OPK_M:
    case OPK_O:
        if (op_is_mem(s, i)) {
            gen_ld(s, ot, v, gen_A0(s));
        } else {
            gen_get_reg(s, ot, v, in->rm);
        }
        break;
    case OPK_R:
    case OPK_Z:
        gen_get_reg(s, ot, v, in->rm);
        break;
    case OPK_G:
        gen_get_reg(s, ot, v, in->reg);
        break;
    case OPK_REG:
        gen_get_reg(s, ot, v, op->reg);
        break;
    case OPK_B:
        gen_get_reg(s, ot, v, in->vex_v);
        break;
    case OPK_I: {
        bool second = false;

        for (int j = 0; j < i; j++) {
            second |= in->e->ops[j].kind == OPK_I;
        }
        tcg_gen_movi_i64(v, (second ? in->imm2 : in->imm) & size_mask(ot));
        break;
    }
    case OPK_ONE:
        tcg_gen_movi_i64(v, 1);
        break;
    default:
        g_assert_not_reached();
    }
    return v;
}

static void gen_store_op(DisasContext *s, int i, MemOp ot, TCGv_i64 v)
{
    X86Insn *in = &s->insn;
    const X86OpSpec *op = &in->e->ops[i];

    switch (op->kind) {
    case OPK_E:
    case OPK_M:
    case OPK_O:
        if (op_is_mem(s, i)) {
            gen_st(s, ot, v, gen_A0(s));
        } else {
            gen_set_reg(s, ot, in->rm, v);
        }
        break;
    case OPK_R:
    case OPK_Z:
        gen_set_reg(s, ot, in->rm, v);
        break;
    case OPK_G:
        gen_set_reg(s, ot, in->reg, v);
        break;
    case OPK_REG:
        gen_set_reg(s, ot, op->reg, v);
        break;
    case OPK_B:
        gen_set_reg(s, ot, in->vex_v, v);
        break;
    default:
        g_assert_not_reached();
    }
}

/* ------------------------------------------------------------------ */
/* Flags and conditions                                                */

static TCGv_i64 gen_eflags_oszapc(DisasContext *s)
{
    TCGv_i64 t = tmp(s);

    if (s->cc_op == CC_OP_EFLAGS) {
        tcg_gen_mov_i64(t, cpu_cc_src);
    } else {
        call0(&x86_helper_cc_compute_all_info, t, 0, NULL, NULL, NULL);
    }
    return t;
}

/* CF as 0/1. */
static TCGv_i64 gen_cf(DisasContext *s)
{
    TCGv_i64 t = gen_eflags_oszapc(s);

    tcg_gen_andi_i64(t, t, CC_C);
    return t;
}

typedef struct CCPrep {
    TCGCond cond;
    TCGv_i64 a, b;
} CCPrep;

/* The condition cc (Jcc/SETcc/CMOVcc low nibble) as a comparison. */
static CCPrep gen_prepare_cc(DisasContext *s, int cc)
{
    static const uint32_t masks[8] = { CC_O, CC_C, CC_Z, CC_C | CC_Z, CC_S,
                                       CC_P, 0, 0 };
    bool inv = cc & 1;
    int c = cc >> 1;
    CCPrep p;

    if (s->cmp_valid && s->cmp_op == s->cc_op &&
        (c == 1 || c == 2 || c == 3 || c == 6 || c == 7)) {
        MemOp ot = s->cc_op - CC_OP_SUBB;
        TCGv_i64 a = s->cmp_a, b = s->cmp_b;

        if (c >= 6 && ot != MO_64) {
            a = tmp(s);
            b = tmp(s);
            gen_ext(ot, a, s->cmp_a, true);
            gen_ext(ot, b, s->cmp_b, true);
        }
        p = (CCPrep){ c == 1 ? TCG_COND_LTU : c == 2 ? TCG_COND_EQ :
                      c == 3 ? TCG_COND_LEU : c == 6 ? TCG_COND_LT :
                      TCG_COND_LE, a, b };
    } else if (s->cc_op >= CC_OP_SUBB && s->cc_op <= CC_OP_SUBQ &&
        (c == 1 || c == 2 || c == 3 || c == 4 || c == 6 || c == 7)) {
        MemOp ot = s->cc_op - CC_OP_SUBB;
        TCGv_i64 s1 = tmp(s), s2 = tmp(s);
        bool sign = c >= 6 || c == 4;

        tcg_gen_add_i64(s1, cpu_cc_dst, cpu_cc_src);
        gen_ext(ot, s1, s1, sign);
        gen_ext(ot, s2, cpu_cc_src, sign);
        switch (c) {
        case 1:
            p = (CCPrep){ TCG_COND_LTU, s1, s2 };
            break;
        case 2:
            gen_ext(ot, s1, cpu_cc_dst, false);
            p = (CCPrep){ TCG_COND_EQ, s1, cst(0) };
            break;
        case 3:
            p = (CCPrep){ TCG_COND_LEU, s1, s2 };
            break;
        case 4:
            gen_ext(ot, s1, cpu_cc_dst, true);
            p = (CCPrep){ TCG_COND_LT, s1, cst(0) };
            break;
        case 6:
            p = (CCPrep){ TCG_COND_LT, s1, s2 };
            break;
        default:
            p = (CCPrep){ TCG_COND_LE, s1, s2 };
            break;
        }
    } else if (s->cc_op >= CC_OP_LOGICB && s->cc_op <= CC_OP_LOGICQ &&
               (c == 2 || c == 4 || c == 6 || c == 7)) {
        MemOp ot = s->cc_op - CC_OP_LOGICB;
        TCGv_i64 r = tmp(s);

        gen_ext(ot, r, cpu_cc_dst, true);
        p = (CCPrep){ c == 2 ? TCG_COND_EQ : c == 7 ? TCG_COND_LE :
                      TCG_COND_LT, r, cst(0) };
    } else {
        TCGv_i64 f = gen_eflags_oszapc(s);

        if (c < 6) {
            p = (CCPrep){ TCG_COND_TSTNE, f, cst(masks[c]) };
        } else {
            TCGv_i64 t = tmp(s);

            /* SF != OF, (| ZF for LE): shift OF (bit 11) onto SF (bit 7). */
            tcg_gen_shri_i64(t, f, 4);
            tcg_gen_xor_i64(t, t, f);
            tcg_gen_andi_i64(t, t, CC_S);
            if (c == 7) {
                tcg_gen_andi_i64(f, f, CC_Z);
                tcg_gen_or_i64(t, t, f);
            }
            p = (CCPrep){ TCG_COND_NE, t, cst(0) };
        }
    }
    if (inv) {
        p.cond = tcg_invert_cond(p.cond);
    }
    return p;
}

/* Flags of a finished ALU op: res (not necessarily masked), src2, carry. */
static void gen_set_cc(DisasContext *s, uint32_t op_family, MemOp ot,
                       TCGv_i64 res, TCGv_i64 src, TCGv_i64 src2)
{
    s->cmp_valid = false;
    tcg_gen_mov_i64(cpu_cc_dst, res);
    if (src) {
        tcg_gen_mov_i64(cpu_cc_src, src);
    } else {
        /* Unused by the op, but overwriting it kills the old value, so
         * liveness can drop a pure flags computation that fed it. */
        tcg_gen_movi_i64(cpu_cc_src, 0);
    }
    if (src2) {
        tcg_gen_mov_i64(cpu_cc_src2, src2);
    }
    set_cc_op(s, op_family + ot);
}

/* ------------------------------------------------------------------ */
/* Control flow                                                        */

static uint64_t eip_mask(DisasContext *s, MemOp ot)
{
    return s->code == X86_MODE_64 ? UINT64_MAX :
           ot == MO_16 ? 0xffff : 0xffffffff;
}

/*
 * EFLAGS.TF was set when this insn started: the single-step trap follows
 * it (SDM Vol 3A 18.3.1.4), except after MOV SS / POP SS, whose shadow
 * defers it to the next insn.  EIP must be stored first.
 */
static bool gen_tf_trap(DisasContext *s)
{
    if (!(s->flags & HF_TF_MASK) || s->movss) {
        return false;
    }
    call0(&x86_helper_single_step_info, NULL, 0, NULL, NULL, NULL);
    return true;
}

static void gen_goto_tb(DisasContext *s, int n, uint64_t eip)
{
    vaddr pc = s->cs_base + eip;

    if (s->code != X86_MODE_64) {
        pc = (uint32_t)pc;
    }
    if (translator_use_goto_tb(&s->base, pc) &&
        !(s->flags & (HF_TF_MASK | HF_INHIBIT_IRQ_MASK))) {
        tcg_gen_goto_tb(n);
        gen_store_eip(s, eip);
        tcg_gen_exit_tb(s->base.tb, n);
    } else {
        gen_store_eip(s, eip);
        if (!gen_tf_trap(s)) {
            tcg_gen_lookup_and_goto_ptr();
        }
    }
}

static void gen_jmp(DisasContext *s, uint64_t eip)
{
    gen_goto_tb(s, 0, eip);
    s->base.is_jmp = DISAS_NORETURN;
}

/* EIP from a run-time value (masked to the operand size). */
static void gen_jmp_v(DisasContext *s, TCGv_i64 eip, MemOp ot)
{
    if (s->code != X86_MODE_64) {
        gen_ext(ot == MO_16 ? MO_16 : MO_32, eip, eip, false);
    }
    tcg_gen_st_i64(eip, tcg_env, offsetof(CPUX86State, eip));
    s->base.is_jmp = DISAS_JUMP;
}

static void gen_jcc(DisasContext *s, CCPrep p, uint64_t target)
{
    TCGLabel *l = gen_new_label();

    tcg_gen_brcond_i64(p.cond, p.a, p.b, l);
    gen_goto_tb(s, 0, s->eip_next);
    gen_set_label(l);
    gen_goto_tb(s, 1, target);
    s->base.is_jmp = DISAS_NORETURN;
}

/* ------------------------------------------------------------------ */
/* Stack                                                               */

static MemOp stack_asize(DisasContext *s)
{
    return s->code == X86_MODE_64 ? MO_64 :
           (s->flags & HF_SS32_MASK) ? MO_32 : MO_16;
}

static TCGv_i64 gen_stack_addr(DisasContext *s, TCGv_i64 sp_off)
{
    TCGv_i64 off = tmp(s);

    gen_ext(stack_asize(s), off, sp_off, false);
    return gen_seg_addr(s, off, R_SS, false);
}

/* Pushes v (size ot): store first, then update rSP (precise faults). */
static void gen_push(DisasContext *s, MemOp ot, TCGv_i64 v)
{
    TCGv_i64 sp = tmp(s);

    tcg_gen_subi_i64(sp, cpu_regs[R_ESP], 1 << ot);
    gen_st(s, ot, v, gen_stack_addr(s, sp));
    gen_set_reg(s, stack_asize(s), R_ESP, sp);
}

/* Loads the top of stack; gen_pop_update then moves rSP. */
static TCGv_i64 gen_pop_load(DisasContext *s, MemOp ot)
{
    TCGv_i64 v = tmp(s);

    gen_ld(s, ot, v, gen_stack_addr(s, cpu_regs[R_ESP]));
    return v;
}

static void gen_pop_update(DisasContext *s, MemOp ot)
{
    gen_add_areg(s, stack_asize(s), R_ESP, cst(1 << ot));
}

/* Operand size of push/pop and near branches. */
static MemOp stack_osize(DisasContext *s)
{
    return s->insn.osize;
}

/* ------------------------------------------------------------------ */
/* Arithmetic and logic                                                */

static void trans_alu(DisasContext *s)
{
    int m = s->insn.mnem;
    MemOp ot = op_size(s, 0), mo = ot | MO_LE;
    TCGv_i64 src = gen_load_op(s, 1, ot);
    TCGv_i64 res = tmp(s), dst = tmp(s), carry = NULL, t = tmp(s);

    if (m == X86_ADC || m == X86_SBB) {
        carry = gen_cf(s);
    }
    if (s->insn.prefixes & X86P_LOCK) {
        TCGv_i64 a = gen_A0(s);

        switch (m) {
        case X86_ADD:
            tcg_gen_atomic_fetch_add_i64(dst, a, src, s->mmu_idx, mo);
            tcg_gen_add_i64(res, dst, src);
            break;
        case X86_ADC:
            tcg_gen_add_i64(t, src, carry);
            tcg_gen_atomic_fetch_add_i64(dst, a, t, s->mmu_idx, mo);
            tcg_gen_add_i64(res, dst, t);
            break;
        case X86_SUB:
            tcg_gen_neg_i64(t, src);
            tcg_gen_atomic_fetch_add_i64(dst, a, t, s->mmu_idx, mo);
            tcg_gen_sub_i64(res, dst, src);
            break;
        case X86_SBB:
            tcg_gen_add_i64(t, src, carry);
            tcg_gen_neg_i64(t, t);
            tcg_gen_atomic_fetch_add_i64(dst, a, t, s->mmu_idx, mo);
            tcg_gen_add_i64(res, dst, t);
            break;
        case X86_AND:
            tcg_gen_atomic_fetch_and_i64(dst, a, src, s->mmu_idx, mo);
            tcg_gen_and_i64(res, dst, src);
            break;
        case X86_OR:
            tcg_gen_atomic_fetch_or_i64(dst, a, src, s->mmu_idx, mo);
            tcg_gen_or_i64(res, dst, src);
            break;
        case X86_XOR:
            tcg_gen_atomic_fetch_xor_i64(dst, a, src, s->mmu_idx, mo);
            tcg_gen_xor_i64(res, dst, src);
            break;
        default:
            g_assert_not_reached();   /* the decoder refuses LOCK CMP */
        }
    } else {
        tcg_gen_mov_i64(dst, gen_load_op(s, 0, ot));
        switch (m) {
        case X86_ADD:
            tcg_gen_add_i64(res, dst, src);
            break;
        case X86_ADC:
            tcg_gen_add_i64(res, dst, src);
            tcg_gen_add_i64(res, res, carry);
            break;
        case X86_SUB:
        case X86_CMP:
            tcg_gen_sub_i64(res, dst, src);
            break;
        case X86_SBB:
            tcg_gen_sub_i64(res, dst, src);
            tcg_gen_sub_i64(res, res, carry);
            break;
        case X86_AND:
            tcg_gen_and_i64(res, dst, src);
            break;
        case X86_OR:
            tcg_gen_or_i64(res, dst, src);
            break;
        case X86_XOR:
            tcg_gen_xor_i64(res, dst, src);
            break;
        }
        if (m != X86_CMP) {
            gen_store_op(s, 0, ot, res);
        }
    }
    switch (m) {
    case X86_ADD:
        gen_set_cc(s, CC_OP_ADDB, ot, res, src, NULL);
        break;
    case X86_ADC:
        gen_set_cc(s, CC_OP_ADCB, ot, res, src, carry);
        break;
    case X86_SUB:
    case X86_CMP:
        gen_set_cc(s, CC_OP_SUBB, ot, res, src, NULL);
        if (!(s->insn.prefixes & X86P_LOCK)) {
            if (!s->cmp_a) {
                s->cmp_a = tcg_temp_new_i64();
                s->cmp_b = tcg_temp_new_i64();
            }
            tcg_gen_mov_i64(s->cmp_a, dst);
            tcg_gen_mov_i64(s->cmp_b, src);
            s->cmp_valid = true;
            s->cmp_op = CC_OP_SUBB + ot;
        }
        break;
    case X86_SBB:
        gen_set_cc(s, CC_OP_SBBB, ot, res, src, carry);
        break;
    default:
        gen_set_cc(s, CC_OP_LOGICB, ot, res, NULL, NULL);
        break;
    }
}

static void trans_test(DisasContext *s)
{
    MemOp ot = op_size(s, 0);
    TCGv_i64 res = tmp(s);

    tcg_gen_and_i64(res, gen_load_op(s, 0, ot), gen_load_op(s, 1, ot));
    gen_set_cc(s, CC_OP_LOGICB, ot, res, NULL, NULL);
}

static void trans_incdec(DisasContext *s)
{
    bool inc = s->insn.mnem == X86_INC;
    MemOp ot = op_size(s, 0);
    TCGv_i64 cf = gen_cf(s), res = tmp(s), old = tmp(s);

    if (s->insn.prefixes & X86P_LOCK) {
        tcg_gen_atomic_add_fetch_i64(res, gen_A0(s), cst(inc ? 1 : -1),
                                     s->mmu_idx, ot | MO_LE);
    } else {
        tcg_gen_mov_i64(old, gen_load_op(s, 0, ot));
        tcg_gen_addi_i64(res, old, inc ? 1 : -1);
        gen_store_op(s, 0, ot, res);
    }
    gen_set_cc(s, inc ? CC_OP_INCB : CC_OP_DECB, ot, res, cf, NULL);
}

static void trans_not_neg(DisasContext *s)
{
    bool neg = s->insn.mnem == X86_NEG;
    MemOp ot = op_size(s, 0), mo = ot | MO_LE;
    TCGv_i64 v = tmp(s), res = tmp(s);

    if (s->insn.prefixes & X86P_LOCK) {
        TCGv_i64 a = gen_A0(s);

        if (!neg) {
            tcg_gen_atomic_fetch_xor_i64(v, a, cst(size_mask(ot)),
                                         s->mmu_idx, mo);
            return;
        } else {
            TCGLabel *l = gen_new_label();
            TCGv_i64 seen = tmp(s);

            gen_set_label(l);
            gen_ld(s, ot, v, a);
            tcg_gen_neg_i64(res, v);
            tcg_gen_atomic_cmpxchg_i64(seen, a, v, res, s->mmu_idx, mo);
            tcg_gen_brcond_i64(TCG_COND_NE, seen, v, l);
        }
    } else {
        tcg_gen_mov_i64(v, gen_load_op(s, 0, ot));
        if (neg) {
            tcg_gen_neg_i64(res, v);
        } else {
            tcg_gen_not_i64(res, v);
        }
        gen_store_op(s, 0, ot, res);
    }
    if (neg) {
        gen_set_cc(s, CC_OP_SUBB, ot, res, v, NULL);
    }
}

/*
 * ROL/ROR by an immediate, inline (hashes and ciphers are full of them):
 * the result, then CF and OF from it, merged into the other flags as
 * CC_OP_EFLAGS.  Those come from the pure cc_compute_all helper, which
 * liveness removes when a later insn overwrites the flags in the same
 * block (the usual case), so a rotate costs a few host insns.  A masked
 * count of 0 changes nothing; a count that is a multiple of the width
 * (8/16-bit) leaves the value but still sets CF/OF, as the SDM says.
 */
/*
 * OSZAPC of the current lazy state for an insn that then replaces CF and
 * OF: after a logic op (statically known) ZF, SF and PF come inline from
 * cc_dst (AF, CF, OF are 0), so no helper call is needed even when the
 * flags must be in env before a following memory access; otherwise the
 * pure cc_compute_all helper.
 */
static TCGv_i64 gen_flags_but_co(DisasContext *s)
{
    TCGv_i64 r, f, t;
    MemOp ot;

    if (s->cc_op < CC_OP_LOGICB || s->cc_op > CC_OP_LOGICQ) {
        return gen_eflags_oszapc(s);
    }
    ot = s->cc_op - CC_OP_LOGICB;
    r = tmp(s);
    f = tmp(s);
    t = tmp(s);
    gen_ext(ot, r, cpu_cc_dst, false);
    tcg_gen_setcondi_i64(TCG_COND_EQ, f, r, 0);
    tcg_gen_shli_i64(f, f, 6);                          /* CC_Z */
    tcg_gen_shri_i64(t, r, (8u << ot) - 1);
    tcg_gen_shli_i64(t, t, 7);                          /* CC_S */
    tcg_gen_or_i64(f, f, t);
    tcg_gen_andi_i64(t, r, 0xff);
    tcg_gen_ctpop_i64(t, t);
    tcg_gen_andi_i64(t, t, 1);
    tcg_gen_xori_i64(t, t, 1);
    tcg_gen_shli_i64(t, t, 2);                          /* CC_P: even */
    tcg_gen_or_i64(f, f, t);
    return f;
}

static void gen_rot_imm(DisasContext *s, bool left, MemOp ot, TCGv_i64 v,
                        TCGv_i64 res, uint64_t count)
{
    unsigned bits = 8u << ot;
    unsigned c = count & (ot == MO_64 ? 63 : 31);
    TCGv_i64 fl, cf = tmp(s), of = tmp(s);

    if (!c) {
        return;
    }
    c %= bits;
    fl = gen_flags_but_co(s);
    if (!c) {
        tcg_gen_mov_i64(res, v);
    } else if (ot == MO_64) {
        left ? tcg_gen_rotli_i64(res, v, c) : tcg_gen_rotri_i64(res, v, c);
    } else if (ot == MO_32) {
        TCGv_i32 t = tcg_temp_new_i32();

        tcg_gen_extrl_i64_i32(t, v);
        left ? tcg_gen_rotli_i32(t, t, c) : tcg_gen_rotri_i32(t, t, c);
        tcg_gen_extu_i32_i64(res, t);
        tcg_temp_free_i32(t);
    } else {
        TCGv_i64 hi = tmp(s);

        tcg_gen_shli_i64(hi, v, left ? c : bits - c);
        tcg_gen_shri_i64(res, v, left ? bits - c : c);
        tcg_gen_or_i64(res, res, hi);
        tcg_gen_andi_i64(res, res, size_mask(ot));
    }
    gen_store_op(s, 0, ot, res);
    if (left) {
        tcg_gen_andi_i64(cf, res, 1);
        tcg_gen_shri_i64(of, res, bits - 1);
        tcg_gen_xor_i64(of, of, cf);
    } else {
        tcg_gen_shri_i64(cf, res, bits - 1);
        tcg_gen_shri_i64(of, res, bits - 2);      /* bit 0: res[bits-2] */
        tcg_gen_xor_i64(of, of, cf);
    }
    tcg_gen_andi_i64(of, of, 1);
    tcg_gen_andi_i64(cf, cf, 1);
    tcg_gen_andi_i64(fl, fl, ~(uint64_t)(CC_C | CC_O));
    tcg_gen_or_i64(fl, fl, cf);
    tcg_gen_shli_i64(of, of, 11);
    tcg_gen_or_i64(cpu_cc_src, fl, of);
    set_cc_op(s, CC_OP_EFLAGS);
}

static void trans_shift(DisasContext *s)
{
    static const int kinds[] = {
        [X86_ROL] = X86_SH_ROL, [X86_ROR] = X86_SH_ROR,
        [X86_RCL] = X86_SH_RCL, [X86_RCR] = X86_SH_RCR,
        [X86_SHL] = X86_SH_SHL, [X86_SHR] = X86_SH_SHR,
        [X86_SAR] = X86_SH_SAR,
    };
    int m = s->insn.mnem, kind = kinds[m];
    MemOp ot = op_size(s, 0);
    int k1 = s->insn.e->ops[1].kind;
    TCGv_i64 v = gen_load_op(s, 0, ot), res = tmp(s), before = tmp(s);

    if ((k1 == OPK_I || k1 == OPK_ONE) &&
        (m == X86_SHL || m == X86_SHR || m == X86_SAR)) {
        unsigned c = (k1 == OPK_ONE ? 1 : s->insn.imm) &
                     (ot == MO_64 ? 63 : 31);

        if (!c) {
            return;             /* no change, flags included */
        }
        if (m == X86_SHL) {
            tcg_gen_shli_i64(before, v, c - 1);
            tcg_gen_shli_i64(res, v, c);
        } else {
            gen_ext(ot, v, v, m == X86_SAR);
            if (m == X86_SAR) {
                tcg_gen_sari_i64(before, v, c - 1);
                tcg_gen_sari_i64(res, v, c);
            } else {
                tcg_gen_shri_i64(before, v, c - 1);
                tcg_gen_shri_i64(res, v, c);
            }
        }
        gen_store_op(s, 0, ot, res);
        gen_ext(ot, before, before, false);
        gen_set_cc(s, m == X86_SHL ? CC_OP_SHLB : CC_OP_SARB, ot, res,
                   before, NULL);
        return;
    }
    if ((k1 == OPK_I || k1 == OPK_ONE) && (m == X86_ROL || m == X86_ROR)) {
        gen_rot_imm(s, m == X86_ROL, ot, v, res,
                    k1 == OPK_ONE ? 1 : s->insn.imm);
        return;
    }
    call0(&x86_helper_shift_info, res, 3, v, gen_load_op(s, 1, MO_8),
          cst(kind | (ot << 4)));
    gen_store_op(s, 0, ot, res);
    s->cc_op = CC_OP_DYNAMIC;
}

static void trans_mul1(DisasContext *s)
{
    bool sign = s->insn.mnem == X86_IMUL;
    MemOp ot = op_size(s, 1);
    unsigned bits = 8u << ot;
    TCGv_i64 v = gen_load_op(s, 1, ot), a = tmp(s), lo = tmp(s),
             hi = tmp(s), chk = tmp(s);

    gen_get_reg(s, ot, a, R_EAX);
    if (ot == MO_64) {
        if (sign) {
            tcg_gen_muls2_i64(lo, hi, a, v);
            tcg_gen_sari_i64(chk, lo, 63);
            tcg_gen_sub_i64(chk, hi, chk);
        } else {
            tcg_gen_mulu2_i64(lo, hi, a, v);
            tcg_gen_mov_i64(chk, hi);
        }
    } else {
        if (sign) {
            gen_ext(ot, a, a, true);
            gen_ext(ot, v, v, true);
        }
        tcg_gen_mul_i64(lo, a, v);
        if (sign) {
            tcg_gen_sari_i64(hi, lo, bits);
            gen_ext(ot, chk, lo, true);
            tcg_gen_sub_i64(chk, lo, chk);
        } else {
            tcg_gen_shri_i64(hi, lo, bits);
            tcg_gen_mov_i64(chk, hi);
        }
    }
    if (ot == MO_8) {
        gen_set_reg(s, MO_16, R_EAX, lo);
    } else {
        gen_set_reg(s, ot, R_EAX, lo);
        gen_set_reg(s, ot, R_EDX, hi);
    }
    gen_set_cc(s, CC_OP_MULB, ot, lo, chk, NULL);
}

/* IMUL Gv,Ev / Gv,Ev,Iz / Gv,Ev,Ib. */
static void trans_imul_n(DisasContext *s)
{
    MemOp ot = op_size(s, 0);
    TCGv_i64 a = tmp(s), b = tmp(s), lo = tmp(s), hi = tmp(s),
             chk = tmp(s);

    tcg_gen_mov_i64(a, gen_load_op(s, 1, ot));
    tcg_gen_mov_i64(b, s->insn.e->ops[2].kind ? gen_load_op(s, 2, ot) :
                    gen_load_op(s, 0, ot));
    if (ot == MO_64) {
        tcg_gen_muls2_i64(lo, hi, a, b);
        tcg_gen_sari_i64(chk, lo, 63);
        tcg_gen_sub_i64(chk, hi, chk);
    } else {
        gen_ext(ot, a, a, true);
        gen_ext(ot, b, b, true);
        tcg_gen_mul_i64(lo, a, b);
        gen_ext(ot, chk, lo, true);
        tcg_gen_sub_i64(chk, lo, chk);
    }
    gen_store_op(s, 0, ot, lo);
    gen_set_cc(s, CC_OP_MULB, ot, lo, chk, NULL);
}

static void trans_div(DisasContext *s)
{
    MemOp ot = op_size(s, 1);

    call0(s->insn.mnem == X86_DIV ? &x86_helper_div_info :
          &x86_helper_idiv_info, NULL, 2, gen_load_op(s, 1, ot), cst(ot),
          NULL);
}

/* ------------------------------------------------------------------ */
/* Moves                                                               */

static void gen_load_seg(DisasContext *s, int seg, TCGv_i64 sel)
{
    gen_store_eip(s, s->eip);
    call0(&helper_load_seg_info, NULL, 2, cst(seg), sel, NULL);
    s->base.is_jmp = DISAS_EOB_NEXT;     /* hflags may have changed */
    if (seg == R_SS) {
        /* SDM 6.8.3: interrupts and debug traps wait one more insn. */
        s->movss = true;
        call0(&x86_helper_set_inhibit_irq_info, NULL, 1, cst(1), NULL,
              NULL);
    }
}

static void trans_mov(DisasContext *s)
{
    X86Insn *in = &s->insn;
    MemOp ot;

    if (in->e->ops[0].kind == OPK_S) {
        gen_load_seg(s, in->reg & 7, gen_load_op(s, 1, MO_16));
        return;
    }
    if (in->e->ops[1].kind == OPK_S) {
        TCGv_i64 v = tmp(s);

        tcg_gen_ld32u_i64(v, tcg_env,
                          offsetof(CPUX86State, segs[in->reg & 7].selector));
        gen_store_op(s, 0, in->mod == 3 ? in->osize : MO_16, v);
        return;
    }
    ot = op_size(s, 0);
    gen_store_op(s, 0, ot, gen_load_op(s, 1, ot));
}

static void trans_movx(DisasContext *s)
{
    MemOp ot = op_size(s, 0), src = op_size(s, 1);
    TCGv_i64 v = gen_load_op(s, 1, src);

    gen_ext(src, v, v, s->insn.mnem != X86_MOVZX);
    gen_store_op(s, 0, ot, v);
}

static void trans_lea(DisasContext *s)
{
    gen_store_op(s, 0, op_size(s, 0), gen_ea_offset(s));
}

static void trans_xchg(DisasContext *s)
{
    MemOp ot = op_size(s, 0);

    if (op_is_mem(s, 0)) {
        TCGv_i64 old = tmp(s);

        tcg_gen_atomic_xchg_i64(old, gen_A0(s), gen_load_op(s, 1, ot),
                                s->mmu_idx, ot | MO_LE);
        gen_store_op(s, 1, ot, old);
    } else {
        TCGv_i64 a = gen_load_op(s, 0, ot), b = gen_load_op(s, 1, ot);

        gen_store_op(s, 0, ot, b);
        gen_store_op(s, 1, ot, a);
    }
}

static void trans_cbw_cwd(DisasContext *s)
{
    MemOp ot = s->insn.osize;
    TCGv_i64 v = tmp(s);

    if (s->insn.mnem == X86_CBW) {
        gen_ext(ot - 1, v, cpu_regs[R_EAX], true);
        gen_set_reg(s, ot, R_EAX, v);
    } else {
        gen_ext(ot, v, cpu_regs[R_EAX], true);
        tcg_gen_sari_i64(v, v, 63);
        gen_set_reg(s, ot, R_EDX, v);
    }
}

static void trans_cmov_set(DisasContext *s)
{
    CCPrep p = gen_prepare_cc(s, s->insn.opcode & 15);
    TCGv_i64 r = tmp(s);

    if (s->insn.mnem == X86_SETCC) {
        tcg_gen_setcond_i64(p.cond, r, p.a, p.b);
        gen_store_op(s, 0, MO_8, r);
    } else {
        MemOp ot = op_size(s, 0);
        TCGv_i64 v = gen_load_op(s, 1, ot);

        tcg_gen_movcond_i64(p.cond, r, p.a, p.b, v, gen_load_op(s, 0, ot));
        gen_store_op(s, 0, ot, r);
    }
}

static void trans_bswap(DisasContext *s)
{
    MemOp ot = s->insn.osize;
    TCGv_i64 v = tmp(s);

    if (ot == MO_64) {
        tcg_gen_bswap64_i64(v, cpu_regs[s->insn.rm]);
    } else if (ot == MO_32) {
        tcg_gen_bswap32_i64(v, cpu_regs[s->insn.rm], 0);
    } else {
        tcg_gen_movi_i64(v, 0);     /* undefined; CPUs give 0 */
    }
    gen_set_reg(s, ot, s->insn.rm, v);
}

static void trans_xadd(DisasContext *s)
{
    MemOp ot = op_size(s, 0);
    TCGv_i64 src = gen_load_op(s, 1, ot), dst = tmp(s), res = tmp(s);

    if (s->insn.prefixes & X86P_LOCK) {
        tcg_gen_atomic_fetch_add_i64(dst, gen_A0(s), src, s->mmu_idx,
                                     ot | MO_LE);
        tcg_gen_add_i64(res, dst, src);
    } else {
        tcg_gen_mov_i64(dst, gen_load_op(s, 0, ot));
        tcg_gen_add_i64(res, dst, src);
        gen_store_op(s, 1, ot, dst);
        gen_store_op(s, 0, ot, res);
    }
    if (s->insn.prefixes & X86P_LOCK) {
        gen_store_op(s, 1, ot, dst);
    }
    gen_set_cc(s, CC_OP_ADDB, ot, res, src, NULL);
}

static void trans_cmpxchg(DisasContext *s)
{
    MemOp ot = op_size(s, 0);
    TCGv_i64 acc = tmp(s), src = gen_load_op(s, 1, ot), old = tmp(s),
             res = tmp(s);
    TCGLabel *l = gen_new_label();

    gen_get_reg(s, ot, acc, R_EAX);
    if (op_is_mem(s, 0)) {
        tcg_gen_atomic_cmpxchg_i64(old, gen_A0(s), acc, src, s->mmu_idx,
                                   ot | MO_LE);
    } else {
        TCGv_i64 nv = tmp(s);

        tcg_gen_mov_i64(old, gen_load_op(s, 0, ot));
        tcg_gen_movcond_i64(TCG_COND_EQ, nv, old, acc, src, old);
        gen_store_op(s, 0, ot, nv);
    }
    tcg_gen_sub_i64(res, acc, old);
    gen_set_cc(s, CC_OP_SUBB, ot, res, old, NULL);
    tcg_gen_brcond_i64(TCG_COND_EQ, old, acc, l);
    gen_set_reg(s, ot, R_EAX, old);
    gen_set_label(l);
}

static void trans_bt(DisasContext *s)
{
    int m = s->insn.mnem;
    MemOp ot = op_size(s, 0);
    unsigned bits = 8u << ot;
    TCGv_i64 off = tmp(s), bit = tmp(s), v = tmp(s), mask = tmp(s),
             nv = tmp(s), cf = tmp(s), f, addr = NULL;
    bool mem = op_is_mem(s, 0);

    tcg_gen_mov_i64(off, gen_load_op(s, 1, s->insn.e->ops[1].kind == OPK_I ?
                                     MO_8 : ot));
    if (mem && s->insn.e->ops[1].kind == OPK_G) {
        TCGv_i64 d = tmp(s);

        gen_ext(ot, d, off, true);
        tcg_gen_sari_i64(d, d, 3 + ot);
        tcg_gen_shli_i64(d, d, ot);
        addr = tmp(s);
        tcg_gen_add_i64(addr, gen_A0(s), d);
        if (s->code != X86_MODE_64) {
            tcg_gen_ext32u_i64(addr, addr);
        }
    } else if (mem) {
        addr = gen_A0(s);
    }
    tcg_gen_andi_i64(bit, off, bits - 1);
    tcg_gen_shl_i64(mask, cst(1), bit);
    if (mem && (s->insn.prefixes & X86P_LOCK)) {
        MemOp mo = ot | MO_LE;

        if (m == X86_BTS) {
            tcg_gen_atomic_fetch_or_i64(v, addr, mask, s->mmu_idx, mo);
        } else if (m == X86_BTR) {
            tcg_gen_not_i64(nv, mask);
            tcg_gen_atomic_fetch_and_i64(v, addr, nv, s->mmu_idx, mo);
        } else {
            tcg_gen_atomic_fetch_xor_i64(v, addr, mask, s->mmu_idx, mo);
        }
    } else {
        if (mem) {
            gen_ld(s, ot, v, addr);
        } else {
            gen_get_reg(s, ot, v, s->insn.rm);
        }
        if (m != X86_BT) {
            if (m == X86_BTS) {
                tcg_gen_or_i64(nv, v, mask);
            } else if (m == X86_BTR) {
                tcg_gen_andc_i64(nv, v, mask);
            } else {
                tcg_gen_xor_i64(nv, v, mask);
            }
            if (mem) {
                gen_st(s, ot, nv, addr);
            } else {
                gen_set_reg(s, ot, s->insn.rm, nv);
            }
        }
    }
    tcg_gen_shr_i64(cf, v, bit);
    tcg_gen_andi_i64(cf, cf, 1);
    f = gen_eflags_oszapc(s);
    tcg_gen_andi_i64(f, f, ~(int64_t)CC_C);
    tcg_gen_or_i64(cpu_cc_src, f, cf);
    set_cc_op(s, CC_OP_EFLAGS);
}

static void trans_bsf_bsr(DisasContext *s)
{
    MemOp ot = op_size(s, 0);
    TCGv_i64 v = gen_load_op(s, 1, ot), d = gen_load_op(s, 0, ot),
             r = tmp(s), z = tmp(s), f;

    if (s->insn.mnem == X86_BSF) {
        tcg_gen_ctz_i64(r, v, d);
    } else {
        tcg_gen_clzi_i64(r, v, 64);
        tcg_gen_xori_i64(r, r, 63);
        tcg_gen_movcond_i64(TCG_COND_EQ, r, v, cst(0), d, r);
    }
    gen_store_op(s, 0, ot, r);
    tcg_gen_setcondi_i64(TCG_COND_EQ, z, v, 0);
    tcg_gen_shli_i64(z, z, 6);
    f = gen_eflags_oszapc(s);
    tcg_gen_andi_i64(f, f, ~(int64_t)CC_Z);
    tcg_gen_or_i64(cpu_cc_src, f, z);
    set_cc_op(s, CC_OP_EFLAGS);
}

/* ------------------------------------------------------------------ */
/* Stack and flags insns                                               */

static void trans_push(DisasContext *s)
{
    MemOp ot = stack_osize(s);
    const X86OpSpec *op = &s->insn.e->ops[0];
    TCGv_i64 v;

    if (op->kind == OPK_SEG) {
        v = tmp(s);
        tcg_gen_ld32u_i64(v, tcg_env,
                          offsetof(CPUX86State, segs[op->reg].selector));
    } else {
        v = gen_load_op(s, 0, ot);
    }
    gen_push(s, ot, v);
}

static void trans_pop(DisasContext *s)
{
    MemOp ot = stack_osize(s);
    const X86OpSpec *op = &s->insn.e->ops[0];
    TCGv_i64 v = gen_pop_load(s, ot);

    if (op->kind == OPK_SEG) {
        gen_load_seg(s, op->reg, v);
        gen_pop_update(s, ot);
        return;
    }
    gen_pop_update(s, ot);
    gen_store_op(s, 0, ot, v);
}

static void trans_pusha_popa(DisasContext *s)
{
    MemOp ot = s->insn.osize;

    if (s->insn.mnem == X86_PUSHA) {
        TCGv_i64 sp = tmp(s);

        tcg_gen_mov_i64(sp, cpu_regs[R_ESP]);
        for (int r = R_EAX; r <= R_EDI; r++) {
            TCGv_i64 v = tmp(s);

            gen_ext(ot, v, r == R_ESP ? sp : cpu_regs[r], false);
            gen_push(s, ot, v);
        }
    } else {
        for (int r = R_EDI; r >= R_EAX; r--) {
            TCGv_i64 v = gen_pop_load(s, ot);

            gen_pop_update(s, ot);
            if (r != R_ESP) {
                gen_set_reg(s, ot, r, v);
            }
        }
    }
}

static void trans_pushf(DisasContext *s)
{
    MemOp ot = stack_osize(s);
    TCGv_i64 v = tmp(s);

    if ((s->flags & HF_VM_MASK) && (s->flags & HF_IOPL_LT_CPL)) {
        gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    call0(&x86_helper_read_eflags_info, v, 0, NULL, NULL, NULL);
    tcg_gen_andi_i64(v, v, ~(int64_t)(VM_MASK | RF_MASK));
    gen_push(s, ot, v);
}

static void trans_popf(DisasContext *s)
{
    MemOp ot = stack_osize(s);
    uint32_t mask = TF_MASK | AC_MASK | ID_MASK | NT_MASK;
    TCGv_i64 v;

    if (s->flags & HF_VM_MASK) {
        if (s->flags & HF_IOPL_LT_CPL) {
            gen_exception(s, EXCP0D_GPF, 0);
            return;
        }
        mask |= IF_MASK;
    } else if (s->cpl == 0) {
        mask |= IF_MASK | IOPL_MASK;
    } else if (!(s->flags & HF_IOPL_LT_CPL)) {
        mask |= IF_MASK;
    }
    if (ot == MO_16) {
        mask &= 0xffff;
    }
    v = gen_pop_load(s, ot);
    call0(&x86_helper_write_eflags_info, NULL, 2, v, cst(mask), NULL);
    gen_pop_update(s, ot);
    s->cc_op = CC_OP_EFLAGS;          /* set by the helper */
    call0(&x86_helper_set_inhibit_irq_info, NULL, 1, cst(2), NULL, NULL);
    s->base.is_jmp = DISAS_EOB_NEXT;
}

static void trans_lahf_sahf(DisasContext *s)
{
    TCGv_i64 f = gen_eflags_oszapc(s);

    if (s->insn.mnem == X86_LAHF) {
        tcg_gen_ori_i64(f, f, 2);
        tcg_gen_deposit_i64(cpu_regs[R_EAX], cpu_regs[R_EAX], f, 8, 8);
    } else {
        TCGv_i64 ah = tmp(s);

        tcg_gen_extract_i64(ah, cpu_regs[R_EAX], 8, 8);
        tcg_gen_andi_i64(ah, ah, CC_S | CC_Z | CC_A | CC_P | CC_C);
        tcg_gen_andi_i64(f, f, CC_O);
        tcg_gen_or_i64(cpu_cc_src, f, ah);
        set_cc_op(s, CC_OP_EFLAGS);
    }
}

static void trans_flag_op(DisasContext *s)
{
    int m = s->insn.mnem;

    if (m == X86_CLD || m == X86_STD) {
        TCGv_i32 d = tcg_constant_i32(m == X86_CLD ? 1 : -1);

        tcg_gen_st_i32(d, tcg_env, offsetof(CPUX86State, df));
        return;
    }
    if (m == X86_CLI || m == X86_STI) {
        TCGv_i64 e = tmp(s);

        if ((s->flags & HF_PE_MASK) && (s->flags & HF_IOPL_LT_CPL)) {
            gen_exception(s, EXCP0D_GPF, 0);
            return;
        }
        tcg_gen_ld_i64(e, tcg_env, offsetof(CPUX86State, eflags));
        if (m == X86_CLI) {
            tcg_gen_andi_i64(e, e, ~(int64_t)IF_MASK);
        } else {
            tcg_gen_ori_i64(e, e, IF_MASK);
            call0(&x86_helper_set_inhibit_irq_info, NULL, 1, cst(1), NULL,
                  NULL);
        }
        tcg_gen_st_i64(e, tcg_env, offsetof(CPUX86State, eflags));
        s->base.is_jmp = DISAS_EOB_NEXT;
        return;
    }
    {
        TCGv_i64 f = gen_eflags_oszapc(s);

        if (m == X86_CLC) {
            tcg_gen_andi_i64(cpu_cc_src, f, ~(int64_t)CC_C);
        } else if (m == X86_STC) {
            tcg_gen_ori_i64(cpu_cc_src, f, CC_C);
        } else {
            tcg_gen_xori_i64(cpu_cc_src, f, CC_C);
        }
        set_cc_op(s, CC_OP_EFLAGS);
    }
}

static void trans_leave(DisasContext *s)
{
    MemOp ot = stack_osize(s);
    TCGv_i64 v;

    gen_set_reg(s, stack_asize(s), R_ESP, cpu_regs[R_EBP]);
    v = gen_pop_load(s, ot);
    gen_pop_update(s, ot);
    gen_set_reg(s, ot, R_EBP, v);
}

static void trans_enter_nested(DisasContext *s);   /* translate-insn */

static void trans_enter(DisasContext *s)
{
    MemOp ot = stack_osize(s);
    TCGv_i64 frame = tmp(s), bp = tmp(s);

    if (s->insn.imm2 & 31) {
        trans_enter_nested(s);
        return;
    }
    gen_ext(ot, bp, cpu_regs[R_EBP], false);
    gen_push(s, ot, bp);
    tcg_gen_mov_i64(frame, cpu_regs[R_ESP]);
    gen_add_areg(s, stack_asize(s), R_ESP, cst(-(s->insn.imm & 0xffff)));
    gen_set_reg(s, ot, R_EBP, frame);
}

/* ------------------------------------------------------------------ */
/* Branches                                                            */

static uint64_t rel_target(DisasContext *s)
{
    return (s->eip_next + s->insn.imm) & eip_mask(s, s->insn.osize);
}

static void trans_jmp_call(DisasContext *s)
{
    bool call = s->insn.mnem == X86_CALL;
    MemOp ot = s->insn.osize;
    const X86OpSpec *op = &s->insn.e->ops[0];

    if (op->kind == OPK_J) {
        if (call) {
            gen_push(s, ot, cst(s->eip_next));
        }
        gen_jmp(s, rel_target(s));
    } else {
        TCGv_i64 t = tmp(s);

        tcg_gen_mov_i64(t, gen_load_op(s, 0, ot));
        if (call) {
            gen_push(s, ot, cst(s->eip_next));
        }
        gen_jmp_v(s, t, ot);
    }
}

static void trans_ret(DisasContext *s)
{
    MemOp ot = s->insn.osize;
    TCGv_i64 v = gen_pop_load(s, ot);

    gen_pop_update(s, ot);
    if (s->insn.e->ops[0].kind == OPK_I) {
        gen_add_areg(s, stack_asize(s), R_ESP, cst(s->insn.imm & 0xffff));
    }
    gen_jmp_v(s, v, ot);
}

static void trans_loop(DisasContext *s)
{
    int m = s->insn.mnem;
    MemOp as = s->insn.asize;
    TCGv_i64 c = tmp(s);
    TCGLabel *taken = gen_new_label(), *next = gen_new_label();
    uint64_t target = rel_target(s);

    if (m != X86_JCXZ) {
        gen_add_areg(s, as, R_ECX, cst(-1));
    }
    gen_ext(as, c, cpu_regs[R_ECX], false);
    if (m == X86_JCXZ) {
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, taken);
    } else {
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, next);
        if (m == X86_LOOP) {
            tcg_gen_br(taken);
        } else {
            CCPrep p = gen_prepare_cc(s, m == X86_LOOPE ? 4 : 5);

            tcg_gen_brcond_i64(p.cond, p.a, p.b, taken);
        }
    }
    gen_set_label(next);
    gen_goto_tb(s, 0, s->eip_next);
    gen_set_label(taken);
    gen_goto_tb(s, 1, target);
    s->base.is_jmp = DISAS_NORETURN;
}

/* ------------------------------------------------------------------ */
/* String insns: one iteration per pass; REP loops back to the insn     */

static TCGv_i64 gen_str_addr(DisasContext *s, int reg)
{
    TCGv_i64 off = tmp(s);

    gen_ext(s->insn.asize, off, cpu_regs[reg], false);
    return reg == R_ESI ? gen_seg_addr(s, off, R_DS, true) :
                          gen_seg_addr(s, off, R_ES, false);
}

static void trans_string(DisasContext *s)
{
    int m = s->insn.mnem;
    MemOp ot = op_size(s, m == X86_OUTS ? 1 : 0);
    MemOp as = s->insn.asize;
    bool rep = s->insn.prefixes & (X86P_REPZ | X86P_REPNZ);
    TCGLabel *done = gen_new_label();
    TCGv_i64 step = tmp(s), a = tmp(s), b = tmp(s), res = tmp(s),
             port = tmp(s);

    if (rep && (m == X86_MOVS || m == X86_STOS)) {
        /* Most elements at once where the pages allow (rep_helper.c). */
        call0(&x86_helper_rep_bulk_info, NULL, 3, gen_str_addr(s, R_EDI),
              m == X86_MOVS ? gen_str_addr(s, R_ESI) : cst(0),
              cst(ot | as << 2 | (m == X86_MOVS) << 4 | s->mmu_idx << 8));
    }
    if (rep) {
        TCGv_i64 c = tmp(s);

        gen_ext(as, c, cpu_regs[R_ECX], false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, done);
    }
    tcg_gen_ld32s_i64(step, tcg_env, offsetof(CPUX86State, df));
    tcg_gen_shli_i64(step, step, ot);
    tcg_gen_ext16u_i64(port, cpu_regs[R_EDX]);

    switch (m) {
    case X86_MOVS:
        gen_ld(s, ot, a, gen_str_addr(s, R_ESI));
        gen_st(s, ot, a, gen_str_addr(s, R_EDI));
        gen_add_areg(s, as, R_ESI, step);
        gen_add_areg(s, as, R_EDI, step);
        break;
    case X86_STOS:
        gen_get_reg(s, ot, a, R_EAX);
        gen_st(s, ot, a, gen_str_addr(s, R_EDI));
        gen_add_areg(s, as, R_EDI, step);
        break;
    case X86_LODS:
        gen_ld(s, ot, a, gen_str_addr(s, R_ESI));
        gen_set_reg(s, ot, R_EAX, a);
        gen_add_areg(s, as, R_ESI, step);
        break;
    case X86_CMPS:
        gen_ld(s, ot, a, gen_str_addr(s, R_ESI));
        gen_ld(s, ot, b, gen_str_addr(s, R_EDI));
        tcg_gen_sub_i64(res, a, b);
        gen_add_areg(s, as, R_ESI, step);
        gen_add_areg(s, as, R_EDI, step);
        gen_set_cc(s, CC_OP_SUBB, ot, res, b, NULL);
        break;
    case X86_SCAS:
        gen_get_reg(s, ot, a, R_EAX);
        gen_ld(s, ot, b, gen_str_addr(s, R_EDI));
        tcg_gen_sub_i64(res, a, b);
        gen_add_areg(s, as, R_EDI, step);
        gen_set_cc(s, CC_OP_SUBB, ot, res, b, NULL);
        break;
    case X86_INS:
        call0(&x86_helper_in_info, a, 2, port, cst(1 << ot), NULL);
        gen_st(s, ot, a, gen_str_addr(s, R_EDI));
        gen_add_areg(s, as, R_EDI, step);
        break;
    case X86_OUTS:
        gen_ld(s, ot, a, gen_str_addr(s, R_ESI));
        call0(&x86_helper_out_info, NULL, 3, port, cst(1 << ot), a);
        gen_add_areg(s, as, R_ESI, step);
        break;
    }
    if (!rep) {
        gen_set_label(done);    /* unused */
        return;
    }
    gen_add_areg(s, as, R_ECX, cst(-1));
    if (m == X86_CMPS || m == X86_SCAS) {
        /* REPE stops when ZF = 0, REPNE when ZF = 1. */
        CCPrep p = gen_prepare_cc(s, (s->insn.prefixes & X86P_REPZ) ? 5 : 4);

        tcg_gen_brcond_i64(p.cond, p.a, p.b, done);
    }
    if (s->flags & HF_TF_MASK) {
        /* The last iteration ends the insn: its single-step trap reports
         * the next insn, and no extra trap follows (SDM 18.3.1.4). */
        TCGv_i64 c = tmp(s);

        gen_ext(as, c, cpu_regs[R_ECX], false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, done);
    }
    gen_goto_tb(s, 1, s->eip);
    gen_set_label(done);
    gen_goto_tb(s, 0, s->eip_next);
    s->base.is_jmp = DISAS_NORETURN;
}

/* ------------------------------------------------------------------ */
/* System and miscellaneous                                            */

static void trans_in_out(DisasContext *s)
{
    bool in = s->insn.mnem == X86_IN;
    int pi = in ? 1 : 0;
    MemOp ot = op_size(s, in ? 0 : 1);
    TCGv_i64 port = tmp(s), v = tmp(s);

    if (s->insn.e->ops[pi].kind == OPK_I) {
        tcg_gen_movi_i64(port, s->insn.imm & 0xff);
    } else {
        tcg_gen_ext16u_i64(port, cpu_regs[R_EDX]);
    }
    if (in) {
        call0(&x86_helper_in_info, v, 2, port, cst(1 << ot), NULL);
        gen_set_reg(s, ot, R_EAX, v);
    } else {
        gen_get_reg(s, ot, v, R_EAX);
        call0(&x86_helper_out_info, NULL, 3, port, cst(1 << ot), v);
    }
}

static void trans_int(DisasContext *s)
{
    int m = s->insn.mnem;
    int vec = m == X86_INT3 ? EXCP03_INT3 : m == X86_INTO ? EXCP04_INTO :
              m == X86_INT1 ? EXCP01_DB : (int)(s->insn.imm & 0xff);
    TCGLabel *skip = NULL;

    if (m == X86_INT && (s->flags & HF_VM_MASK) &&
        (s->flags & HF_IOPL_LT_CPL)) {
        gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    if (m == X86_INTO) {
        TCGv_i64 f = gen_eflags_oszapc(s);

        skip = gen_new_label();
        tcg_gen_brcondi_i64(TCG_COND_TSTEQ, f, CC_O, skip);
    }
    gen_store_eip(s, s->eip);
    call0(&x86_helper_raise_interrupt_info, NULL, 2, cst(vec),
          cst(s->eip_next), NULL);
    if (skip) {
        gen_set_label(skip);
        gen_goto_tb(s, 0, s->eip_next);
    }
    s->base.is_jmp = DISAS_NORETURN;
}

static void trans_hlt(DisasContext *s)
{
    if (s->cpl) {
        gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    gen_store_eip(s, s->eip_next);
    call0(&x86_helper_hlt_info, NULL, 0, NULL, NULL, NULL);
    s->base.is_jmp = DISAS_NORETURN;
}

/*
 * PAUSE, the spin-wait hint.  With a thread per vCPU it is a NOP.  Under
 * round robin (-accel tcg,thread=single, fixed for the run) a spinning
 * vCPU would otherwise burn its whole slice while the vCPU it waits for
 * cannot run: there it ends the vCPU's turn, as the reference does.
 */
static void trans_pause(DisasContext *s)
{
    if (!cpu_round_robin()) {
        return;
    }
    gen_store_eip(s, s->eip_next);
    call0(&x86_helper_pause_info, NULL, 0, NULL, NULL, NULL);
    s->base.is_jmp = DISAS_EOB_NEXT;
}

static void trans_xlat(DisasContext *s)
{
    TCGv_i64 off = tmp(s), al = tmp(s), v = tmp(s);

    tcg_gen_ext8u_i64(al, cpu_regs[R_EAX]);
    tcg_gen_add_i64(off, cpu_regs[R_EBX], al);
    gen_ext(s->insn.asize, off, off, false);
    gen_ld(s, MO_8, v, gen_seg_addr(s, off, R_DS, true));
    gen_set_reg(s, MO_8, R_EAX, v);
}

/* SHLD/SHRD: in C (tr-helper.c), flags included. */
static void trans_shiftd(DisasContext *s)
{
    MemOp ot = op_size(s, 0);
    TCGv_i64 res = tmp(s);
    TCGArg args[5] = { tcgv_ptr_arg(tcg_env) };
    TCGv_i64 a = gen_load_op(s, 0, ot), b = gen_load_op(s, 1, ot),
             c = gen_load_op(s, 2, MO_8);

    args[1] = tcgv_i64_arg(a);
    args[2] = tcgv_i64_arg(b);
    args[3] = tcgv_i64_arg(c);
    args[4] = tcgv_i64_arg(cst((s->insn.mnem == X86_SHRD) | (ot << 4)));
    tcg_gen_callN(&x86_helper_shiftd_info, tcgv_i64_arg(res), 5, args);
    gen_store_op(s, 0, ot, res);
    s->cc_op = CC_OP_DYNAMIC;
}

/* Privileged insns of the system architecture (helpers in helper.h). */
static void trans_system(DisasContext *s)
{
    X86Insn *in = &s->insn;
    int m = in->mnem;
    MemOp rot = s->code == X86_MODE_64 ? MO_64 : MO_32;
    TCGv_i64 v = tmp(s);

    if (m == X86_SMSW || m == X86_SLDT || m == X86_STR) {
        size_t off = m == X86_SMSW ? offsetof(CPUX86State, cr[0]) :
                     m == X86_SLDT ? offsetof(CPUX86State, ldt.selector) :
                     offsetof(CPUX86State, tr.selector);

        if (m == X86_SMSW) {
            tcg_gen_ld_i64(v, tcg_env, off);
        } else {
            tcg_gen_ld32u_i64(v, tcg_env, off);
        }
        gen_store_op(s, 0, in->mod == 3 ? in->osize : MO_16, v);
        return;
    }
    if (m == X86_SGDT || m == X86_SIDT) {
        size_t tab = m == X86_SGDT ? offsetof(CPUX86State, gdt) :
                     offsetof(CPUX86State, idt);
        TCGv_i64 a = tmp(s);

        tcg_gen_ld32u_i64(v, tcg_env, tab + offsetof(SegmentCache, limit));
        gen_st(s, MO_16, v, gen_A0(s));
        tcg_gen_ld_i64(v, tcg_env, tab + offsetof(SegmentCache, base));
        tcg_gen_addi_i64(a, gen_A0(s), 2);
        gen_st(s, s->code == X86_MODE_64 ? MO_64 : MO_32, v, a);
        return;
    }
    if (s->cpl) {
        gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    switch (m) {
    case X86_MOVCR:
    case X86_MOVDR: {
        bool cr = m == X86_MOVCR;

        if (in->e->ops[0].kind == OPK_R) {
            call0(cr ? &helper_read_crN_info : &helper_get_dr_info, v, 1,
                  cst(in->reg), NULL, NULL);
            gen_set_reg(s, rot, in->rm, v);
            return;
        }
        gen_get_reg(s, rot, v, in->rm);
        call0(cr ? &helper_write_crN_info : &helper_set_dr_info, NULL, 2,
              cst(in->reg), v, NULL);
        break;
    }
    case X86_LGDT:
    case X86_LIDT: {
        TCGv_i64 base = tmp(s), a = tmp(s);

        gen_ld(s, MO_16, v, gen_A0(s));
        tcg_gen_addi_i64(a, gen_A0(s), 2);
        gen_ld(s, s->code == X86_MODE_64 ? MO_64 : MO_32, base, a);
        if (in->osize == MO_16) {
            tcg_gen_andi_i64(base, base, 0xffffff);
        }
        call0(m == X86_LGDT ? &helper_lgdt_info : &helper_lidt_info, NULL,
              2, base, v, NULL);
        break;
    }
    case X86_LLDT:
    case X86_LTR:
        call0(m == X86_LLDT ? &helper_lldt_info : &helper_ltr_info, NULL, 1,
              gen_load_op(s, 0, MO_16), NULL, NULL);
        break;
    case X86_RDMSR:
        call0(&helper_rdmsr_info, NULL, 0, NULL, NULL, NULL);
        return;
    case X86_WRMSR:
        call0(&helper_wrmsr_info, NULL, 0, NULL, NULL, NULL);
        break;
    case X86_CLTS:
        call0(&helper_clts_info, NULL, 0, NULL, NULL, NULL);
        break;
    case X86_LMSW:
        call0(&helper_lmsw_info, NULL, 1, gen_load_op(s, 0, MO_16), NULL,
              NULL);
        break;
    case X86_INVLPG:
        call0(&helper_invlpg_info, NULL, 1, gen_A0(s), NULL, NULL);
        break;
    default:                    /* INVD, WBINVD: no caches to manage */
        return;
    }
    /* CRs, MSRs, descriptor tables may change hflags or the paging. */
    s->base.is_jmp = DISAS_EOB_NEXT;
}

/* Far JMP/CALL, RETF, IRET: helpers that set CS:EIP themselves. */
static void trans_far(DisasContext *s)
{
    X86Insn *in = &s->insn;
    int m = in->mnem;
    int shift = in->osize == MO_16 ? 0 : in->osize == MO_32 ? 1 : 2;
    TCGv_i64 sel = tmp(s), off = tmp(s);

    if (m == X86_JMPF || m == X86_CALLF) {
        if (in->e->ops[0].kind == OPK_A) {
            tcg_gen_movi_i64(off, in->imm & (in->osize == MO_16 ? 0xffff :
                                             0xffffffff));
            tcg_gen_movi_i64(sel, in->imm2);
        } else {
            TCGv_i64 a = tmp(s);

            gen_ld(s, in->osize, off, gen_A0(s));
            tcg_gen_addi_i64(a, gen_A0(s), 1 << in->osize);
            if (s->code != X86_MODE_64) {
                tcg_gen_ext32u_i64(a, a);
            }
            gen_ld(s, MO_16, sel, a);
        }
        if (m == X86_JMPF) {
            call0(&helper_ljmp_info, NULL, 3, sel, off, cst(s->eip_next));
        } else {
            TCGArg args[5] = { tcgv_ptr_arg(tcg_env), tcgv_i64_arg(sel),
                               tcgv_i64_arg(off),
                               tcgv_i64_arg(cst(shift)),
                               tcgv_i64_arg(cst(s->eip_next)) };

            tcg_gen_callN(&helper_lcall_info, TCG_CALL_NO_RET, 5, args);
        }
    } else if (m == X86_RETF) {
        call0(&helper_lret_info, NULL, 2, cst(shift),
              cst(in->e->ops[0].kind == OPK_I ? (in->imm & 0xffff) : 0),
              NULL);
    } else {
        call0(&helper_iret_info, NULL, 2, cst(shift), cst(s->eip_next),
              NULL);
        call0(&x86_helper_set_inhibit_irq_info, NULL, 1, cst(2), NULL,
              NULL);
    }
    s->base.is_jmp = DISAS_EXIT;
}

/* x87, MMX, SSE and the state-save insns: one helper call with the
 * decoded insn (fpu-sse.h); the helper checks CR0/CR4 and faults. */
static void trans_fpu_sse(DisasContext *s, const TCGHelperInfo *info)
{
    X86Insn *in = &s->insn;
    X86FpDesc d = { .raw = 0 };
    TCGv_i64 a0 = cst(0);

    d.opcode = in->opcode;
    d.pfx = (in->prefixes & X86P_REPNZ) ? X86_PFX_F2 :
            (in->prefixes & X86P_REPZ) ? X86_PFX_F3 :
            (in->prefixes & X86P_OPSIZE) ? X86_PFX_66 : X86_PFX_NONE;
    d.mem = in->has_modrm && in->mod != 3;
    d.rexw = !!(in->rex & 8);
    d.mode = s->code;
    d.modrm = in->modrm;
    d.reg = in->reg;
    d.rm = in->rm;
    d.imm = in->imm;
    d.mmu_idx = s->mmu_idx;
    d.osize = in->osize;
    d.has_rex = !!(in->prefixes & X86P_REX);
    d.asize = in->asize;
    if (d.mem) {
        a0 = gen_A0(s);
        d.seg = in->seg >= 0 ? in->seg : default_seg(s);
    }
    if (!x86_fpu_writes_globals(d)) {
        info = info == &x86_helper_x87_info ? &x86_helper_x87_nowg_info :
               info == &x86_helper_sse_info ? &x86_helper_sse_nowg_info :
               info == &x86_helper_grp15_info ? &x86_helper_grp15_nowg_info :
               info;
    }
    call0(info, NULL, 3, cst(d.raw), a0, cst(s->eip));
}

#include "target/i386/translate-sse.c.inc"

/* The rest of the general-purpose insns and the CPUID gate. */
#include "target/i386/translate-insn.c.inc"

/* Dispatches on the mnemonic; an insn nobody translates raises #UD with
 * a -d unimp line. */
static void translate_one(DisasContext *s)
{
    switch (s->insn.mnem) {
    case X86_ADD: case X86_OR: case X86_ADC: case X86_SBB:
    case X86_AND: case X86_SUB: case X86_XOR: case X86_CMP:
        trans_alu(s);
        break;
    case X86_TEST:
        trans_test(s);
        break;
    case X86_INC: case X86_DEC:
        trans_incdec(s);
        break;
    case X86_NOT: case X86_NEG:
        trans_not_neg(s);
        break;
    case X86_ROL: case X86_ROR: case X86_RCL: case X86_RCR:
    case X86_SHL: case X86_SHR: case X86_SAR:
        trans_shift(s);
        break;
    case X86_MUL:
        trans_mul1(s);
        break;
    case X86_IMUL:
        if (s->insn.e->ops[0].kind == OPK_G) {
            trans_imul_n(s);
        } else {
            trans_mul1(s);
        }
        break;
    case X86_DIV: case X86_IDIV:
        trans_div(s);
        break;
    case X86_MOV:
        trans_mov(s);
        break;
    case X86_MOVZX: case X86_MOVSX: case X86_MOVSXD:
        trans_movx(s);
        break;
    case X86_LEA:
        trans_lea(s);
        break;
    case X86_XCHG:
        trans_xchg(s);
        break;
    case X86_CBW: case X86_CWD:
        trans_cbw_cwd(s);
        break;
    case X86_SETCC: case X86_CMOVCC:
        trans_cmov_set(s);
        break;
    case X86_BSWAP:
        trans_bswap(s);
        break;
    case X86_XADD:
        trans_xadd(s);
        break;
    case X86_CMPXCHG:
        trans_cmpxchg(s);
        break;
    case X86_BT: case X86_BTS: case X86_BTR: case X86_BTC:
        trans_bt(s);
        break;
    case X86_BSF: case X86_BSR:
        trans_bsf_bsr(s);
        break;
    case X86_PUSH:
        trans_push(s);
        break;
    case X86_POP:
        trans_pop(s);
        break;
    case X86_PUSHA: case X86_POPA:
        trans_pusha_popa(s);
        break;
    case X86_PUSHF:
        trans_pushf(s);
        break;
    case X86_POPF:
        trans_popf(s);
        break;
    case X86_LAHF: case X86_SAHF:
        trans_lahf_sahf(s);
        break;
    case X86_CLC: case X86_STC: case X86_CMC: case X86_CLD: case X86_STD:
    case X86_CLI: case X86_STI:
        trans_flag_op(s);
        break;
    case X86_LEAVE:
        trans_leave(s);
        break;
    case X86_ENTER:
        trans_enter(s);
        break;
    case X86_JCC:
        gen_jcc(s, gen_prepare_cc(s, s->insn.opcode & 15), rel_target(s));
        break;
    case X86_JMP: case X86_CALL:
        trans_jmp_call(s);
        break;
    case X86_RET:
        trans_ret(s);
        break;
    case X86_LOOP: case X86_LOOPE: case X86_LOOPNE: case X86_JCXZ:
        trans_loop(s);
        break;
    case X86_MOVS: case X86_STOS: case X86_LODS: case X86_CMPS:
    case X86_SCAS: case X86_INS: case X86_OUTS:
        trans_string(s);
        break;
    case X86_IN: case X86_OUT:
        trans_in_out(s);
        break;
    case X86_INT: case X86_INT3: case X86_INTO: case X86_INT1:
        trans_int(s);
        break;
    case X86_HLT:
        trans_hlt(s);
        break;
    case X86_XLAT:
        trans_xlat(s);
        break;
    case X86_NOP:
        break;
    case X86_PAUSE:
        trans_pause(s);
        break;
    case X86_FWAIT:
        trans_fpu_sse(s, &x86_helper_fwait_info);
        break;
    case X86_CPUID:
        call0(&helper_cpuid_info, NULL, 0, NULL, NULL, NULL);
        break;
    case X86_RDTSC:
        call0(&helper_rdtsc_info, NULL, 0, NULL, NULL, NULL);
        break;
    case X86_SHLD: case X86_SHRD:
        trans_shiftd(s);
        break;
    case X86_MOVCR: case X86_MOVDR: case X86_LGDT: case X86_LIDT:
    case X86_SGDT: case X86_SIDT: case X86_LLDT: case X86_LTR:
    case X86_RDMSR: case X86_WRMSR: case X86_CLTS: case X86_LMSW:
    case X86_SMSW: case X86_INVLPG: case X86_INVD: case X86_WBINVD:
    case X86_SLDT: case X86_STR:
        trans_system(s);
        break;
    case X86_JMPF: case X86_CALLF: case X86_RETF: case X86_IRET:
        trans_far(s);
        break;
    case X86_UD0: case X86_UD1: case X86_UD2:
        gen_exception(s, EXCP06_ILLOP, 0);
        break;
    case X86_SSE:
        if (!sse_gate(s)) {
            gen_exception(s, EXCP06_ILLOP, 0);
            break;
        }
        if (trans_sse_inline(s)) {
            break;
        }
        trans_fpu_sse(s, &x86_helper_sse_info);
        if (s->insn.opcode == 0x12e || s->insn.opcode == 0x12f) {
            s->cc_op = CC_OP_DYNAMIC;   /* (U)COMISS/SD write EFLAGS */
        }
        break;
    case X86_GRP15:     /* memory forms /0-/6 (decode-tables.c) */
    case X86_XSAVEC: case X86_XGETBV: case X86_XSETBV:
        if (!sse_gate(s)) {
            gen_exception(s, EXCP06_ILLOP, 0);
            break;
        }
        trans_fpu_sse(s, &x86_helper_grp15_info);
        break;
    case X86_MOVNTI:
        gen_store_op(s, 0, op_size(s, 0), gen_load_op(s, 1, op_size(s, 1)));
        break;
    case X86_X87:
        trans_fpu_sse(s, &x86_helper_x87_info);
        if ((s->insn.opcode & 3) == 3) {
            s->cc_op = CC_OP_DYNAMIC;   /* FCOMI/FUCOMI(P) write EFLAGS */
        }
        break;
    default:
        /* translate-insn.c.inc, or decoded but not translated yet (RSM,
         * RDPMC, x87): #UD with a -d unimp line. */
        if (!translate_insn_ext(s)) {
            gen_unimplemented(s);
        }
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Translator hooks                                                    */

typedef struct FetchCtx {
    CPUState *cs;
    DisasContextBase *db;
    vaddr pc;
} FetchCtx;

static uint8_t x86_fetch(void *opaque, unsigned offset)
{
    FetchCtx *f = opaque;

    return translator_ldub(f->cs, f->db, f->pc + offset);
}

static void x86_init_disas_context(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = container_of(db, DisasContext, base);

    s->cs = cs;
    s->flags = db->tb->flags;
    s->code = (s->flags & HF_CS64_MASK) ? X86_MODE_64 :
              (s->flags & HF_CS32_MASK) ? X86_MODE_32 : X86_MODE_16;
    s->cs_base = db->tb->cs_base;
    s->mmu_idx = x86_mmu_index(s->flags);
    s->cpl = s->flags & HF_CPL_MASK;
    s->cc_op = CC_OP_DYNAMIC;
    s->cmp_a = s->cmp_b = NULL;
    s->cmp_valid = false;
}

static uint64_t code_eip_mask(DisasContext *s)
{
    return s->code == X86_MODE_64 ? UINT64_MAX :
           s->code == X86_MODE_32 ? 0xffffffff : 0xffff;
}

static void x86_insn_start(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = container_of(db, DisasContext, base);

    s->eip = (db->pc_next - s->cs_base) & code_eip_mask(s);
    tcg_gen_insn_start(s->eip, s->cc_op, 0);
}

static void x86_translate_insn(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = container_of(db, DisasContext, base);
    FetchCtx f = { cs, db, db->pc_next };
    int rc = x86_decode(&s->insn, s->code, x86_fetch, &f);

    db->pc_next += s->insn.len;
    s->eip_next = (s->eip + s->insn.len) & code_eip_mask(s);
    s->A0 = NULL;
    s->movss = false;
    if (s->flags & HF_RF_MASK) {
        /* EFLAGS.RF suppressed this insn's instruction breakpoint (the
         * check came before); it clears once the insn starts. */
        call0(&x86_helper_clear_rf_info, NULL, 0, NULL, NULL, NULL);
    }
    if (s->flags & HF_INHIBIT_IRQ_MASK) {
        /* The insn after STI / MOV SS: the shadow ends with it. */
        call0(&x86_helper_set_inhibit_irq_info, NULL, 1, cst(0), NULL,
              NULL);
    }
    if (rc == X86_DECODE_TOO_LONG) {
        gen_exception(s, EXCP0D_GPF, 0);
    } else if (rc != X86_DECODE_OK || !x86_insn_gate(s)) {
        gen_exception(s, EXCP06_ILLOP, 0);
    } else {
        translate_one(s);
    }
    free_temps(s);
    if (db->is_jmp == DISAS_NEXT) {
        if (s->flags & (HF_INHIBIT_IRQ_MASK | HF_TF_MASK | HF_RF_MASK)) {
            db->is_jmp = DISAS_EOB_NEXT;
        } else if (!translator_is_same_page(db, db->pc_next)) {
            db->is_jmp = DISAS_TOO_MANY;
        }
    }
}

static void x86_tb_stop(DisasContextBase *db, CPUState *cs)
{
    DisasContext *s = container_of(db, DisasContext, base);

    switch (db->is_jmp) {
    case DISAS_TOO_MANY:
        gen_goto_tb(s, 0, s->eip_next);
        break;
    case DISAS_EOB_NEXT:
        gen_store_eip(s, s->eip_next);
        gen_tf_trap(s);
        tcg_gen_exit_tb(NULL, 0);
        break;
    case DISAS_JUMP:
        if (gen_tf_trap(s)) {
            break;
        }
        if (s->flags & (HF_INHIBIT_IRQ_MASK | HF_TF_MASK)) {
            tcg_gen_exit_tb(NULL, 0);
        } else {
            /* A near jump keeps CS and the TB flags: the target pc from
             * the EIP just stored, and an inline jump-cache probe. */
            TCGv_i64 pc = tcg_temp_new_i64();

            tcg_gen_ld_i64(pc, tcg_env, offsetof(CPUX86State, eip));
            if (s->cs_base) {
                tcg_gen_addi_i64(pc, pc, s->cs_base);
            }
            if (!(s->flags & HF_CS64_MASK)) {
                tcg_gen_ext32u_i64(pc, pc);
            }
            tcg_gen_lookup_and_goto_ptr_pc(db->tb, pc);
            tcg_temp_free_i64(pc);
        }
        break;
    case DISAS_EXIT:
        gen_tf_trap(s);
        tcg_gen_exit_tb(NULL, 0);
        break;
    case DISAS_NORETURN:
        break;
    default:
        g_assert_not_reached();
    }
}

static void x86_disas_log(const DisasContextBase *db, CPUState *cs, FILE *f)
{
    fprintf(f, "x86 code 0x%" PRIx64 "..0x%" PRIx64 "\n", db->pc_first,
            db->pc_next);
}

static const TranslatorOps x86_translator_ops = {
    .init_disas_context = x86_init_disas_context,
    .insn_start = x86_insn_start,
    .translate_insn = x86_translate_insn,
    .tb_stop = x86_tb_stop,
    .disas_log = x86_disas_log,
};

void x86_translate_code(CPUState *cs, TranslationBlock *tb, int max_insns)
{
    DisasContext s = { 0 };

    translator_loop(&x86_translator_ops, &s.base, cs, tb, max_insns);
}

void x86_translate_init(void)
{
    for (int i = 0; i < CPU_NB_REGS; i++) {
        cpu_regs[i] = tcg_global_mem_new_i64(offsetof(CPUX86State, regs[i]),
                                             reg_names[i]);
    }
    cpu_cc_dst = tcg_global_mem_new_i64(offsetof(CPUX86State, cc_dst),
                                        "cc_dst");
    cpu_cc_src = tcg_global_mem_new_i64(offsetof(CPUX86State, cc_src),
                                        "cc_src");
    cpu_cc_src2 = tcg_global_mem_new_i64(offsetof(CPUX86State, cc_src2),
                                         "cc_src2");
    cpu_cc_op = tcg_global_mem_new_i32(offsetof(CPUX86State, cc_op),
                                       "cc_op");
}
