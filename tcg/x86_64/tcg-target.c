/*
 * tcg-target.c: the x86-64 host backend: instruction encoding, the
 * per-op constraints and emitters, the softmmu fast path, the prologue
 * and direct-jump patching.
 *
 * The register allocator (tcg/regalloc.c) calls tcg_target_out_op() with
 * host registers already chosen; an output register may equal any input
 * register unless the op's constraint says newreg, so every emitter reads
 * its inputs before it writes its output, or goes through TCG_TMP (r11),
 * which is never allocated.  Optional instructions (BMI1/BMI2, LZCNT,
 * MOVBE, POPCNT) are used only when tcg_host_features has the bit; the
 * fallbacks are plain x86-64.  Opcode names use Intel operand notation:
 * OPC_MOVL_GvEv is "mov Gv, Ev" (reg <- r/m).
 *
 * Generated code runs with env in r14 and a frame of TCG_FRAME_SLOTS
 * 8-byte spill slots at [rsp], set up by the prologue, rsp 16-byte aligned.
 * Called on the translating thread (tcg_gen_code), except
 * tcg_patch_goto_tb (any thread) and tcg_prologue_init (main thread, once).
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-internal.h"

#include <cpuid.h>

unsigned tcg_host_features;
TCGTBExecFn *tcg_qemu_tb_exec;
const void *tcg_code_gen_epilogue;
uintptr_t tcg_tb_ret_addr;

/* ---- opcode encoding ---- */

/* Prefix and escape flags above the opcode byte. */
#define P_EXT       0x100       /* 0x0f */
#define P_EXT38     0x200       /* 0x0f 0x38 */
#define P_EXT3A     0x400       /* 0x0f 0x3a */
#define P_DATA16    0x800       /* 0x66 operand-size prefix */
#define P_REXW      0x1000      /* 64-bit operand size (REX.W / VEX.W) */
#define P_REXB_R    0x2000      /* reg field names a byte register */
#define P_REXB_RM   0x4000      /* r/m field names a byte register */
#define P_SIMDF3    0x8000      /* 0xf3 */
#define P_SIMDF2    0x10000     /* 0xf2 */

#define OPC_ARITH_EvIz  0x81
#define OPC_ARITH_EvIb  0x83
#define OPC_ARITH_GvEv  0x03    /* + (ARITH_x << 3) */
#define OPC_ADD_GvEv    (OPC_ARITH_GvEv | (ARITH_ADD << 3))
#define OPC_AND_GvEv    (OPC_ARITH_GvEv | (ARITH_AND << 3))
#define OPC_CMP_GvEv    (OPC_ARITH_GvEv | (ARITH_CMP << 3))
#define OPC_ANDN        (0xf2 | P_EXT38)
#define OPC_BSF         (0xbc | P_EXT)
#define OPC_BSR         (0xbd | P_EXT)
#define OPC_BSWAP       (0xc8 | P_EXT)
#define OPC_CALL_Jz     0xe8
#define OPC_CMOVCC      (0x40 | P_EXT)
#define OPC_GRP3_Ev     0xf7
#define OPC_GRP5        0xff
#define OPC_IMUL_GvEv   (0xaf | P_EXT)
#define OPC_IMUL_GvEvIb 0x6b
#define OPC_IMUL_GvEvIz 0x69
#define OPC_JCC_long    (0x80 | P_EXT)
#define OPC_JCC_short   0x70
#define OPC_JMP_long    0xe9
#define OPC_JMP_short   0xeb
#define OPC_LEA         0x8d
#define OPC_LZCNT       (0xbd | P_EXT | P_SIMDF3)
#define OPC_MOVB_EvGv   (0x88 | P_REXB_R)
#define OPC_MOVB_EvIb   0xc6
#define OPC_MOVL_EvGv   0x89
#define OPC_MOVL_GvEv   0x8b
#define OPC_MOVL_EvIz   0xc7
#define OPC_MOVL_Iv     0xb8
#define OPC_MOVBE_GyMy  (0xf0 | P_EXT38)
#define OPC_MOVBE_MyGy  (0xf1 | P_EXT38)
#define OPC_MOVSBL      (0xbe | P_EXT | P_REXB_RM)
#define OPC_MOVSWL      (0xbf | P_EXT)
#define OPC_MOVSLQ      (0x63 | P_REXW)
#define OPC_MOVZBL      (0xb6 | P_EXT | P_REXB_RM)
#define OPC_MOVZWL      (0xb7 | P_EXT)
#define OPC_POPCNT      (0xb8 | P_EXT | P_SIMDF3)
#define OPC_POP_r32     0x58
#define OPC_PUSH_r32    0x50
#define OPC_RET         0xc3
#define OPC_RORX        (0xf0 | P_EXT3A | P_SIMDF2)
#define OPC_SARX        (0xf7 | P_EXT38 | P_SIMDF3)
#define OPC_SETCC       (0x90 | P_EXT | P_REXB_RM)
#define OPC_SHIFT_1     0xd1
#define OPC_SHIFT_Ib    0xc1
#define OPC_SHIFT_cl    0xd3
#define OPC_SHLX        (0xf7 | P_EXT38 | P_DATA16)
#define OPC_SHRD_Ib     (0xac | P_EXT)
#define OPC_SHRX        (0xf7 | P_EXT38 | P_SIMDF2)
#define OPC_TESTL       0x85
#define OPC_TZCNT       (0xbc | P_EXT | P_SIMDF3)
#define OPC_XCHG_EvGv   0x87
#define OPC_CQO         0x99    /* cdq; cqo with P_REXW */

/* Group 1 (ARITH_x) sub-opcodes. */
enum { ARITH_ADD = 0, ARITH_OR = 1, ARITH_ADC = 2, ARITH_SBB = 3,
       ARITH_AND = 4, ARITH_SUB = 5, ARITH_XOR = 6, ARITH_CMP = 7 };
/* Group 2 (shifts). */
enum { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5,
       SHIFT_SAR = 7 };
/* Group 3. */
enum { EXT3_TEST = 0, EXT3_NOT = 2, EXT3_NEG = 3, EXT3_MUL = 4,
       EXT3_IMUL = 5, EXT3_DIV = 6, EXT3_IDIV = 7 };
/* Group 5. */
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

/* Condition codes (the low nibble of jcc/setcc/cmovcc). */
enum { JCC_JB = 0x2, JCC_JAE = 0x3, JCC_JE = 0x4, JCC_JNE = 0x5,
       JCC_JBE = 0x6, JCC_JA = 0x7, JCC_JL = 0xc, JCC_JGE = 0xd,
       JCC_JLE = 0xe, JCC_JG = 0xf };

static const uint8_t tcg_cond_to_jcc[TCG_COND_COUNT] = {
    [TCG_COND_EQ] = JCC_JE, [TCG_COND_NE] = JCC_JNE,
    [TCG_COND_LT] = JCC_JL, [TCG_COND_GE] = JCC_JGE,
    [TCG_COND_LE] = JCC_JLE, [TCG_COND_GT] = JCC_JG,
    [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,
    [TCG_COND_LEU] = JCC_JBE, [TCG_COND_GTU] = JCC_JA,
    [TCG_COND_TSTEQ] = JCC_JE, [TCG_COND_TSTNE] = JCC_JNE,
};

static inline bool has_feature(unsigned f)
{
    return (tcg_host_features & f) != 0;
}

static inline void tcg_out8(TCGContext *s, uint8_t v)
{
    *s->code_ptr++ = v;
}

static inline void tcg_out16(TCGContext *s, uint16_t v)
{
    memcpy(s->code_ptr, &v, 2);
    s->code_ptr += 2;
}

static inline void tcg_out32(TCGContext *s, uint32_t v)
{
    memcpy(s->code_ptr, &v, 4);
    s->code_ptr += 4;
}

static inline void tcg_out64(TCGContext *s, uint64_t v)
{
    memcpy(s->code_ptr, &v, 8);
    s->code_ptr += 8;
}

static inline bool fits_s8(int64_t v)
{
    return v == (int8_t)v;
}

static inline bool fits_s32(int64_t v)
{
    return v == (int32_t)v;
}

/* Legacy prefixes, REX, escapes and the opcode byte. */
static void tcg_out_opc(TCGContext *s, int opc, int r, int rm, int x)
{
    int rex = 0;
    bool force_rex = false;

    if (opc & P_DATA16) {
        tcg_out8(s, 0x66);
    }
    if (opc & P_SIMDF3) {
        tcg_out8(s, 0xf3);
    } else if (opc & P_SIMDF2) {
        tcg_out8(s, 0xf2);
    }
    rex |= (opc & P_REXW) ? 8 : 0;
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* spl, bpl, sil, dil are only reachable with a REX prefix. */
    if ((opc & P_REXB_R) && r >= 4 && r < 8) {
        force_rex = true;
    }
    if ((opc & P_REXB_RM) && rm >= 4 && rm < 8) {
        force_rex = true;
    }
    if (rex || force_rex) {
        tcg_out8(s, 0x40 | rex);
    }
    if (opc & (P_EXT | P_EXT38 | P_EXT3A)) {
        tcg_out8(s, 0x0f);
        if (opc & P_EXT38) {
            tcg_out8(s, 0x38);
        } else if (opc & P_EXT3A) {
            tcg_out8(s, 0x3a);
        }
    }
    tcg_out8(s, opc & 0xff);
}

/* Register-register form: mod = 3. */
static void tcg_out_modrm(TCGContext *s, int opc, int r, int rm)
{
    tcg_out_opc(s, opc, r, rm, 0);
    tcg_out8(s, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

/* Three-byte VEX form (BMI1/BMI2), register operands. */
static void tcg_out_vex_modrm(TCGContext *s, int opc, int r, int v, int rm)
{
    int mmmmm = (opc & P_EXT3A) ? 3 : (opc & P_EXT38) ? 2 : 1;
    int pp = (opc & P_DATA16) ? 1 : (opc & P_SIMDF3) ? 2
           : (opc & P_SIMDF2) ? 3 : 0;

    tcg_out8(s, 0xc4);
    tcg_out8(s, ((r & 8) ? 0 : 0x80) | 0x40 | ((rm & 8) ? 0 : 0x20) | mmmmm);
    tcg_out8(s, ((opc & P_REXW) ? 0x80 : 0) | ((~v & 15) << 3) | pp);
    tcg_out8(s, opc & 0xff);
    tcg_out8(s, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

/* Memory form [base + index * (1 << shift) + offset]; index -1: none. */
static void tcg_out_modrm_sib_offset(TCGContext *s, int opc, int r, int base,
                                     int index, int shift, intptr_t offset)
{
    int mod;

    assert(fits_s32(offset) && base >= 0 && index != TCG_REG_RSP);
    tcg_out_opc(s, opc, r, base, index < 0 ? 0 : index);
    if (offset == 0 && (base & 7) != TCG_REG_RBP) {
        mod = 0x00;
    } else if (fits_s8(offset)) {
        mod = 0x40;
    } else {
        mod = 0x80;
    }
    if (index < 0 && (base & 7) != TCG_REG_RSP) {
        tcg_out8(s, mod | ((r & 7) << 3) | (base & 7));
    } else {
        tcg_out8(s, mod | ((r & 7) << 3) | 4);
        tcg_out8(s, (shift << 6) | (((index < 0 ? 4 : index) & 7) << 3) |
                    (base & 7));
    }
    if (mod == 0x40) {
        tcg_out8(s, offset);
    } else if (mod == 0x80) {
        tcg_out32(s, offset);
    }
}

static void tcg_out_modrm_offset(TCGContext *s, int opc, int r, int base,
                                 intptr_t offset)
{
    tcg_out_modrm_sib_offset(s, opc, r, base, -1, 0, offset);
}

/* [rip + disp32] pointing at target (execution address). */
static void tcg_out_modrm_rip(TCGContext *s, int opc, int r, uintptr_t target)
{
    intptr_t disp;

    tcg_out_opc(s, opc, r, 0, 0);
    tcg_out8(s, ((r & 7) << 3) | 5);
    disp = (intptr_t)target - (intptr_t)(tcg_code_rx(s, s->code_ptr) + 4);
    assert(fits_s32(disp));
    tcg_out32(s, disp);
}

/* ---- basic moves ---- */

static int rexw_of(TCGType type)
{
    return type == TCG_TYPE_I64 ? P_REXW : 0;
}

void tcg_target_out_mov(TCGContext *s, TCGType type, int dst, int src)
{
    if (dst != src) {
        tcg_out_modrm(s, OPC_MOVL_GvEv | rexw_of(type), dst, src);
    }
}

/* Loads a constant without touching the flags. */
static void tcg_out_movi_keepflags(TCGContext *s, TCGType type, int reg,
                                   uint64_t val)
{
    if (type == TCG_TYPE_I32 || val == (uint32_t)val) {
        tcg_out_opc(s, OPC_MOVL_Iv + (reg & 7), 0, reg, 0);
        tcg_out32(s, (uint32_t)val);
    } else if (fits_s32(val)) {
        tcg_out_modrm(s, OPC_MOVL_EvIz | P_REXW, 0, reg);
        tcg_out32(s, (uint32_t)val);
    } else {
        tcg_out_opc(s, (OPC_MOVL_Iv + (reg & 7)) | P_REXW, 0, reg, 0);
        tcg_out64(s, val);
    }
}

/* May clobber the flags (xor reg, reg for zero). */
void tcg_target_out_movi(TCGContext *s, TCGType type, int reg, uint64_t val)
{
    if (type == TCG_TYPE_I32) {
        val = (uint32_t)val;
    }
    if (val == 0) {
        tcg_out_modrm(s, OPC_ARITH_GvEv | (ARITH_XOR << 3), reg, reg);
        return;
    }
    tcg_out_movi_keepflags(s, type, reg, val);
}

void tcg_target_out_ld(TCGContext *s, TCGType type, int reg, int base,
                       intptr_t offset)
{
    tcg_out_modrm_offset(s, OPC_MOVL_GvEv | rexw_of(type), reg, base, offset);
}

void tcg_target_out_st(TCGContext *s, TCGType type, int reg, int base,
                       intptr_t offset)
{
    tcg_out_modrm_offset(s, OPC_MOVL_EvGv | rexw_of(type), reg, base, offset);
}

bool tcg_target_out_sti(TCGContext *s, TCGType type, uint64_t val, int base,
                        intptr_t offset)
{
    if (type == TCG_TYPE_I64 && !fits_s32(val)) {
        return false;
    }
    tcg_out_modrm_offset(s, OPC_MOVL_EvIz | rexw_of(type), 0, base, offset);
    tcg_out32(s, (uint32_t)val);
    return true;
}

/* ---- arithmetic helpers ---- */

/* d = d <op> src */
static void tgen_arithr(TCGContext *s, int subop, int rexw, int d, int src)
{
    tcg_out_modrm(s, (OPC_ARITH_GvEv | (subop << 3)) | rexw, d, src);
}

static void tgen_arithi(TCGContext *s, int subop, int rexw, int r, int64_t v)
{
    if (fits_s8(v)) {
        tcg_out_modrm(s, OPC_ARITH_EvIb | rexw, subop, r);
        tcg_out8(s, v);
    } else {
        tcg_out_modrm(s, OPC_ARITH_EvIz | rexw, subop, r);
        tcg_out32(s, v);
    }
}

static void tcg_out_shifti(TCGContext *s, int subop, int rexw, int reg,
                           int count)
{
    if (count == 1) {
        tcg_out_modrm(s, OPC_SHIFT_1 | rexw, subop, reg);
    } else {
        tcg_out_modrm(s, OPC_SHIFT_Ib | rexw, subop, reg);
        tcg_out8(s, count);
    }
}

static void tcg_out_ext8u(TCGContext *s, int d, int src)
{
    tcg_out_modrm(s, OPC_MOVZBL, d, src);
}

static void tcg_out_ext16u(TCGContext *s, int d, int src)
{
    tcg_out_modrm(s, OPC_MOVZWL, d, src);
}

static void tcg_out_ext32u(TCGContext *s, int d, int src)
{
    tcg_out_modrm(s, OPC_MOVL_GvEv, d, src);   /* 32-bit mov zero-extends */
}

/* Short forward jump; returns the displacement byte to patch. */
static uint8_t *tcg_out_jcc_short_fwd(TCGContext *s, int cc)
{
    tcg_out8(s, cc < 0 ? OPC_JMP_short : OPC_JCC_short + cc);
    tcg_out8(s, 0);
    return s->code_ptr - 1;
}

static void patch_short(TCGContext *s, uint8_t *disp)
{
    intptr_t d = s->code_ptr - (disp + 1);

    assert(fits_s8(d));
    *disp = d;
}

/* Jump (cc < 0) or jcc to a label. */
static void tcg_out_jxx(TCGContext *s, int cc, int label)
{
    TCGLabel *l = &s->labels[label];

    if (l->has_value) {
        intptr_t d = (intptr_t)l->value - (intptr_t)tcg_code_rx(s, s->code_ptr);

        if (fits_s8(d - 2)) {
            tcg_out8(s, cc < 0 ? OPC_JMP_short : OPC_JCC_short + cc);
            tcg_out8(s, d - 2);
            return;
        }
        if (cc < 0) {
            tcg_out8(s, OPC_JMP_long);
            tcg_out32(s, d - 5);
        } else {
            tcg_out_opc(s, OPC_JCC_long + cc, 0, 0, 0);
            tcg_out32(s, d - 6);
        }
        return;
    }
    if (cc < 0) {
        tcg_out8(s, OPC_JMP_long);
    } else {
        tcg_out_opc(s, OPC_JCC_long + cc, 0, 0, 0);
    }
    tcg_out_reloc(s, s->code_ptr, label);
    tcg_out32(s, 0);
}

void tcg_target_patch_reloc(TCGContext *s, uint8_t *where, uintptr_t target)
{
    intptr_t d = (intptr_t)target - (intptr_t)(tcg_code_rx(s, where) + 4);

    assert(fits_s32(d));
    memcpy(where, &(int32_t){ d }, 4);
}

void tcg_target_out_call(TCGContext *s, const void *func)
{
    intptr_t d = (intptr_t)func - (intptr_t)(tcg_code_rx(s, s->code_ptr) + 5);

    if (fits_s32(d)) {
        tcg_out8(s, OPC_CALL_Jz);
        tcg_out32(s, d);
    } else {
        tcg_out_movi_keepflags(s, TCG_TYPE_I64, TCG_TMP, (uintptr_t)func);
        tcg_out_modrm(s, OPC_GRP5, EXT5_CALLN_Ev, TCG_TMP);
    }
}

static void tcg_out_jmp_abs(TCGContext *s, uintptr_t target)
{
    intptr_t d = (intptr_t)target - (intptr_t)(tcg_code_rx(s, s->code_ptr) + 5);

    if (fits_s32(d)) {
        tcg_out8(s, OPC_JMP_long);
        tcg_out32(s, d);
    } else {
        tcg_out_movi_keepflags(s, TCG_TYPE_I64, TCG_TMP, target);
        tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, TCG_TMP);
    }
}

/* Flags from comparing a with b (b constant if bconst). */
static void tcg_out_cmp(TCGContext *s, TCGCond cond, int rexw, int a,
                        TCGArg b, bool bconst)
{
    if (cond == TCG_COND_TSTEQ || cond == TCG_COND_TSTNE) {
        if (!bconst) {
            tcg_out_modrm(s, OPC_TESTL | rexw, b, a);
        } else if ((int64_t)b == -1 || (!rexw && (uint32_t)b == 0xffffffff)) {
            tcg_out_modrm(s, OPC_TESTL | rexw, a, a);
        } else {
            tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_TEST, a);
            tcg_out32(s, b);
        }
        return;
    }
    if (!bconst) {
        tgen_arithr(s, ARITH_CMP, rexw, a, b);
    } else if ((rexw ? b : (uint32_t)b) == 0) {
        tcg_out_modrm(s, OPC_TESTL | rexw, a, a);
    } else {
        tgen_arithi(s, ARITH_CMP, rexw, a, rexw ? (int64_t)b : (int32_t)b);
    }
}

/* ---- constraints ---- */

#define ALL_REGS TCG_TARGET_ALL_REGS
#define R(r) (1u << (r))

void tcg_target_constraint(TCGOpcode opc, TCGOpConstraint *c)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    int nb = def->nb_oargs + def->nb_iargs;

    for (int i = 0; i < nb; i++) {
        c->args[i].regs = ALL_REGS;
    }
    switch (opc) {
    case INDEX_op_add_i32: case INDEX_op_add_i64:
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
    case INDEX_op_and_i32: case INDEX_op_and_i64:
    case INDEX_op_or_i32: case INDEX_op_or_i64:
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
    case INDEX_op_andc_i32: case INDEX_op_andc_i64:
    case INDEX_op_orc_i32: case INDEX_op_orc_i64:
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64:
    case INDEX_op_nand_i32: case INDEX_op_nand_i64:
    case INDEX_op_nor_i32: case INDEX_op_nor_i64:
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
    case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
    case INDEX_op_negsetcond_i32: case INDEX_op_negsetcond_i64:
    case INDEX_op_movcond_i32: case INDEX_op_movcond_i64:
        c->args[2].ct = TCG_CT_CONST_S32;
        break;
    case INDEX_op_brcond_i32: case INDEX_op_brcond_i64:
        c->args[1].ct = TCG_CT_CONST_S32;
        break;
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
    case INDEX_op_sar_i32: case INDEX_op_sar_i64:
        c->args[2].ct = TCG_CT_CONST_ANY;
        if (!has_feature(TCG_HOST_BMI2)) {
            c->args[2].regs = R(TCG_REG_RCX);
        }
        break;
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
        c->args[2].ct = TCG_CT_CONST_ANY;
        c->args[2].regs = R(TCG_REG_RCX);
        break;
    case INDEX_op_div_i32: case INDEX_op_div_i64:
    case INDEX_op_divu_i32: case INDEX_op_divu_i64:
    case INDEX_op_rem_i32: case INDEX_op_rem_i64:
    case INDEX_op_remu_i32: case INDEX_op_remu_i64:
    case INDEX_op_muluh_i32: case INDEX_op_muluh_i64:
    case INDEX_op_mulsh_i32: case INDEX_op_mulsh_i64:
    case INDEX_op_mulu2_i32: case INDEX_op_mulu2_i64:
    case INDEX_op_muls2_i32: case INDEX_op_muls2_i64:
        c->clobbers = R(TCG_REG_RAX) | R(TCG_REG_RDX);
        break;
    case INDEX_op_clz_i32: case INDEX_op_clz_i64:
    case INDEX_op_ctz_i32: case INDEX_op_ctz_i64:
        c->args[2].ct = TCG_CT_CONST_ANY;
        break;
    case INDEX_op_ctpop_i32: case INDEX_op_ctpop_i64:
        if (!has_feature(TCG_HOST_POPCNT)) {
            c->nb_scratch = 1;
        }
        break;
    case INDEX_op_add2_i32: case INDEX_op_add2_i64:
    case INDEX_op_sub2_i32: case INDEX_op_sub2_i64:
        c->args[0].newreg = true;
        c->args[4].ct = TCG_CT_CONST_S32;
        c->args[5].ct = TCG_CT_CONST_S32;
        break;
    case INDEX_op_st8_i32: case INDEX_op_st16_i32: case INDEX_op_st_i32:
    case INDEX_op_st8_i64: case INDEX_op_st16_i64: case INDEX_op_st32_i64:
        c->args[0].ct = TCG_CT_CONST_ANY;
        break;
    case INDEX_op_st_i64:
        c->args[0].ct = TCG_CT_CONST_S32;
        break;
    case INDEX_op_qemu_ld_i32: case INDEX_op_qemu_ld_i64:
    case INDEX_op_qemu_st_i32: case INDEX_op_qemu_st_i64:
        c->nb_scratch = 1;
        break;
    default:
        break;
    }
}

/* ---- op emitters ---- */

/* d = a <op> b for commutative ADD/AND/OR/XOR-style group-1 ops. */
static void tgen_commutative(TCGContext *s, int subop, int rexw, int d,
                             int a, TCGArg b, bool bconst)
{
    if (bconst) {
        tcg_target_out_mov(s, rexw ? TCG_TYPE_I64 : TCG_TYPE_I32, d, a);
        tgen_arithi(s, subop, rexw, d, rexw ? (int64_t)b : (int32_t)b);
    } else if (d == a) {
        tgen_arithr(s, subop, rexw, d, b);
    } else if (d == (int)b) {
        tgen_arithr(s, subop, rexw, d, a);
    } else {
        tcg_target_out_mov(s, rexw ? TCG_TYPE_I64 : TCG_TYPE_I32, d, a);
        tgen_arithr(s, subop, rexw, d, b);
    }
}

static void tgen_not(TCGContext *s, int rexw, int d)
{
    tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NOT, d);
}

static void tgen_and(TCGContext *s, int rexw, int d, int a, TCGArg b,
                     bool bconst)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (bconst) {
        uint64_t m = rexw ? b : (uint32_t)b;

        if (m == 0xff) {
            tcg_out_ext8u(s, d, a);
            return;
        }
        if (m == 0xffff) {
            tcg_out_ext16u(s, d, a);
            return;
        }
        if (rexw && m == 0xffffffffu) {
            tcg_out_ext32u(s, d, a);
            return;
        }
        tcg_target_out_mov(s, type, d, a);
        tgen_arithi(s, ARITH_AND, rexw, d, rexw ? (int64_t)b : (int32_t)b);
        return;
    }
    tgen_commutative(s, ARITH_AND, rexw, d, a, b, false);
}

static void tgen_add(TCGContext *s, int rexw, int d, int a, TCGArg b,
                     bool bconst)
{
    if (bconst) {
        int64_t v = rexw ? (int64_t)b : (int32_t)b;

        if (d == a) {
            tgen_arithi(s, ARITH_ADD, rexw, d, v);
        } else {
            tcg_out_modrm_offset(s, OPC_LEA | rexw, d, a, v);
        }
    } else if (d == a) {
        tgen_arithr(s, ARITH_ADD, rexw, d, b);
    } else if (d == (int)b) {
        tgen_arithr(s, ARITH_ADD, rexw, d, a);
    } else {
        tcg_out_modrm_sib_offset(s, OPC_LEA | rexw, d, a, b, 0, 0);
    }
}

static void tgen_sub(TCGContext *s, int rexw, int d, int a, TCGArg b,
                     bool bconst)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (bconst) {
        int64_t v = rexw ? (int64_t)b : (int32_t)b;

        if (d != a && fits_s32(-v)) {
            tcg_out_modrm_offset(s, OPC_LEA | rexw, d, a, -v);
            return;
        }
        tcg_target_out_mov(s, type, d, a);
        tgen_arithi(s, ARITH_SUB, rexw, d, v);
    } else if (d == (int)b && d != a) {
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, d);
        tgen_arithr(s, ARITH_ADD, rexw, d, a);
    } else {
        tcg_target_out_mov(s, type, d, a);
        tgen_arithr(s, ARITH_SUB, rexw, d, b);
    }
}

/* d = a <op> ~b for andc/orc (eqv = xor with ~b). */
static void tgen_op_notb(TCGContext *s, int subop, int rexw, int d, int a,
                         TCGArg b, bool bconst)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (bconst) {
        if (subop == ARITH_AND) {
            tgen_and(s, rexw, d, a, ~b, true);
        } else {
            tgen_commutative(s, subop, rexw, d, a, ~b, true);
        }
        return;
    }
    if (subop == ARITH_AND && has_feature(TCG_HOST_BMI1)) {
        tcg_out_vex_modrm(s, OPC_ANDN | rexw, d, b, a);   /* d = ~b & a */
        return;
    }
    tcg_target_out_mov(s, type, TCG_TMP, b);
    tgen_not(s, rexw, TCG_TMP);
    tcg_target_out_mov(s, type, d, a);
    tgen_arithr(s, subop, rexw, d, TCG_TMP);
}

static void tgen_mul(TCGContext *s, int rexw, int d, int a, TCGArg b,
                     bool bconst)
{
    if (bconst) {
        int64_t v = rexw ? (int64_t)b : (int32_t)b;

        if (fits_s8(v)) {
            tcg_out_modrm(s, OPC_IMUL_GvEvIb | rexw, d, a);
            tcg_out8(s, v);
        } else {
            tcg_out_modrm(s, OPC_IMUL_GvEvIz | rexw, d, a);
            tcg_out32(s, v);
        }
    } else if (d == a) {
        tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, d, b);
    } else if (d == (int)b) {
        tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, d, a);
    } else {
        tcg_target_out_mov(s, rexw ? TCG_TYPE_I64 : TCG_TYPE_I32, d, a);
        tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, d, b);
    }
}

/* rdx:rax = a * b (widening, signed or unsigned). */
static void tgen_widening_mul(TCGContext *s, int rexw, bool sign, int a,
                              int b)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (b == TCG_REG_RAX || b == TCG_REG_RDX) {
        tcg_target_out_mov(s, type, TCG_TMP, b);
        b = TCG_TMP;
    }
    tcg_target_out_mov(s, type, TCG_REG_RAX, a);
    tcg_out_modrm(s, OPC_GRP3_Ev | rexw, sign ? EXT3_IMUL : EXT3_MUL, b);
}

/* Moves rax -> lo and rdx -> hi (lo != hi), as a parallel move. */
static void tgen_move_rax_rdx(TCGContext *s, int rexw, int lo, int hi)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (lo == TCG_REG_RDX && hi == TCG_REG_RAX) {
        tcg_out_modrm(s, OPC_XCHG_EvGv | P_REXW, TCG_REG_RAX, TCG_REG_RDX);
    } else if (lo == TCG_REG_RDX) {
        tcg_target_out_mov(s, type, hi, TCG_REG_RDX);
        tcg_target_out_mov(s, type, lo, TCG_REG_RAX);
    } else {
        tcg_target_out_mov(s, type, lo, TCG_REG_RAX);
        tcg_target_out_mov(s, type, hi, TCG_REG_RDX);
    }
}

/*
 * Division with defined results: x / 0 = 0 and x % 0 = x;
 * INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0.  The host never traps.
 */
static void tgen_div(TCGContext *s, int rexw, bool sign, bool rem, int d,
                     int a, int b)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    uint8_t *j_zero, *j_neg1 = NULL, *j_done1, *j_done2 = NULL;

    if (b == TCG_REG_RAX || b == TCG_REG_RDX) {
        tcg_target_out_mov(s, type, TCG_TMP, b);
        b = TCG_TMP;
    }
    tcg_out_modrm(s, OPC_TESTL | rexw, b, b);
    j_zero = tcg_out_jcc_short_fwd(s, JCC_JE);
    if (sign) {
        tgen_arithi(s, ARITH_CMP, rexw, b, -1);
        j_neg1 = tcg_out_jcc_short_fwd(s, JCC_JE);
    }
    tcg_target_out_mov(s, type, TCG_REG_RAX, a);
    if (sign) {
        tcg_out_opc(s, OPC_CQO | rexw, 0, 0, 0);
    } else {
        tcg_out_modrm(s, OPC_ARITH_GvEv | (ARITH_XOR << 3), TCG_REG_RDX,
                      TCG_REG_RDX);
    }
    tcg_out_modrm(s, OPC_GRP3_Ev | rexw, sign ? EXT3_IDIV : EXT3_DIV, b);
    tcg_target_out_mov(s, type, d, rem ? TCG_REG_RDX : TCG_REG_RAX);
    j_done1 = tcg_out_jcc_short_fwd(s, -1);
    if (sign) {
        patch_short(s, j_neg1);
        if (rem) {
            tcg_target_out_movi(s, type, d, 0);
        } else {
            tcg_target_out_mov(s, type, d, a);
            tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, d);
        }
        j_done2 = tcg_out_jcc_short_fwd(s, -1);
    }
    patch_short(s, j_zero);
    if (rem) {
        tcg_target_out_mov(s, type, d, a);
    } else {
        tcg_target_out_movi(s, type, d, 0);
    }
    patch_short(s, j_done1);
    if (j_done2) {
        patch_short(s, j_done2);
    }
}

static void tgen_shift(TCGContext *s, int subop, int rexw, int d, int a,
                       TCGArg b, bool bconst)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    int width = rexw ? 64 : 32;

    if (bconst) {
        int count = b & (width - 1);

        if (subop == SHIFT_ROL || subop == SHIFT_ROR) {
            if (count && has_feature(TCG_HOST_BMI2)) {
                int r = subop == SHIFT_ROR ? count : width - count;

                tcg_out_vex_modrm(s, OPC_RORX | rexw, d, 0, a);
                tcg_out8(s, r);
                return;
            }
        }
        tcg_target_out_mov(s, type, d, a);
        if (count) {
            tcg_out_shifti(s, subop, rexw, d, count);
        }
        return;
    }
    if (subop != SHIFT_ROL && subop != SHIFT_ROR &&
        has_feature(TCG_HOST_BMI2)) {
        int opc = subop == SHIFT_SHL ? OPC_SHLX
                : subop == SHIFT_SHR ? OPC_SHRX : OPC_SARX;

        tcg_out_vex_modrm(s, opc | rexw, d, b, a);
        return;
    }
    assert(b == TCG_REG_RCX);
    if (d == TCG_REG_RCX && a != TCG_REG_RCX) {
        tcg_target_out_mov(s, type, TCG_TMP, a);
        tcg_out_modrm(s, OPC_SHIFT_cl | rexw, subop, TCG_TMP);
        tcg_target_out_mov(s, type, d, TCG_TMP);
    } else {
        tcg_target_out_mov(s, type, d, a);
        tcg_out_modrm(s, OPC_SHIFT_cl | rexw, subop, d);
    }
}

/*
 * clz/ctz with a value for zero input.  With LZCNT/TZCNT, CF is set for a
 * zero input; with BSR/BSF, ZF is.
 */
static void tgen_count_zeros(TCGContext *s, bool is_clz, int rexw, int d,
                             int a, TCGArg b, bool bconst)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    int width = rexw ? 64 : 32;
    bool fast = is_clz ? has_feature(TCG_HOST_LZCNT)
                       : has_feature(TCG_HOST_TZCNT);

    if (fast) {
        tcg_out_modrm(s, (is_clz ? OPC_LZCNT : OPC_TZCNT) | rexw, TCG_TMP, a);
        if (bconst && (rexw ? b : (uint32_t)b) == (uint64_t)width) {
            tcg_target_out_mov(s, type, d, TCG_TMP);
            return;
        }
        if (bconst) {
            tcg_out_movi_keepflags(s, type, d, rexw ? b : (uint32_t)b);
        } else {
            tcg_target_out_mov(s, type, d, b);
        }
        /* d = CF ? b : count */
        tcg_out_modrm(s, (OPC_CMOVCC + JCC_JAE) | rexw, d, TCG_TMP);
        return;
    } else {
        uint8_t *j_zero, *j_done;

        tcg_out_modrm(s, (is_clz ? OPC_BSR : OPC_BSF) | rexw, TCG_TMP, a);
        j_zero = tcg_out_jcc_short_fwd(s, JCC_JE);
        if (is_clz) {
            tgen_arithi(s, ARITH_XOR, rexw, TCG_TMP, width - 1);
        }
        tcg_target_out_mov(s, type, d, TCG_TMP);
        j_done = tcg_out_jcc_short_fwd(s, -1);
        patch_short(s, j_zero);
        if (bconst) {
            tcg_target_out_movi(s, type, d, b);
        } else {
            tcg_target_out_mov(s, type, d, b);
        }
        patch_short(s, j_done);
    }
}

static void tgen_ctpop(TCGContext *s, int rexw, int d, int a, int scratch)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    static const uint64_t m1 = 0x5555555555555555ull;
    static const uint64_t m2 = 0x3333333333333333ull;
    static const uint64_t m4 = 0x0f0f0f0f0f0f0f0full;
    static const uint64_t h01 = 0x0101010101010101ull;

    if (has_feature(TCG_HOST_POPCNT)) {
        tcg_out_modrm(s, OPC_POPCNT | rexw, d, a);
        return;
    }
    /* SWAR bit count: x - ((x >> 1) & m1), pairs, nibbles, then sum. */
    tcg_target_out_mov(s, type, d, a);
    tcg_target_out_mov(s, type, scratch, d);
    tcg_out_shifti(s, SHIFT_SHR, rexw, scratch, 1);
    tcg_target_out_movi(s, type, TCG_TMP, m1);
    tgen_arithr(s, ARITH_AND, rexw, scratch, TCG_TMP);
    tgen_arithr(s, ARITH_SUB, rexw, d, scratch);
    tcg_target_out_movi(s, type, TCG_TMP, m2);
    tcg_target_out_mov(s, type, scratch, d);
    tcg_out_shifti(s, SHIFT_SHR, rexw, scratch, 2);
    tgen_arithr(s, ARITH_AND, rexw, scratch, TCG_TMP);
    tgen_arithr(s, ARITH_AND, rexw, d, TCG_TMP);
    tgen_arithr(s, ARITH_ADD, rexw, d, scratch);
    tcg_target_out_mov(s, type, scratch, d);
    tcg_out_shifti(s, SHIFT_SHR, rexw, scratch, 4);
    tgen_arithr(s, ARITH_ADD, rexw, d, scratch);
    tcg_target_out_movi(s, type, TCG_TMP, m4);
    tgen_arithr(s, ARITH_AND, rexw, d, TCG_TMP);
    tcg_target_out_movi(s, type, TCG_TMP, h01);
    tcg_out_modrm(s, OPC_IMUL_GvEv | rexw, d, TCG_TMP);
    tcg_out_shifti(s, SHIFT_SHR, rexw, d, (rexw ? 64 : 32) - 8);
}

static void tgen_extract(TCGContext *s, bool sign, int rexw, int d, int a,
                         unsigned ofs, unsigned len)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    unsigned width = rexw ? 64 : 32;

    if (ofs == 0 && len == width) {
        tcg_target_out_mov(s, type, d, a);
        return;
    }
    if (ofs == 0 && (len == 8 || len == 16 || len == 32)) {
        if (sign) {
            int opc = len == 8 ? OPC_MOVSBL : len == 16 ? OPC_MOVSWL
                    : OPC_MOVSLQ;
            tcg_out_modrm(s, opc | rexw, d, a);
        } else {
            if (len == 8) {
                tcg_out_ext8u(s, d, a);
            } else if (len == 16) {
                tcg_out_ext16u(s, d, a);
            } else {
                tcg_out_ext32u(s, d, a);
            }
        }
        return;
    }
    tcg_target_out_mov(s, type, d, a);
    if (sign) {
        if (width - ofs - len) {
            tcg_out_shifti(s, SHIFT_SHL, rexw, d, width - ofs - len);
        }
        tcg_out_shifti(s, SHIFT_SAR, rexw, d, width - len);
        return;
    }
    if (ofs + len == width) {
        tcg_out_shifti(s, SHIFT_SHR, rexw, d, ofs);
    } else if (len < 32) {
        if (ofs) {
            tcg_out_shifti(s, SHIFT_SHR, rexw, d, ofs);
        }
        tgen_arithi(s, ARITH_AND, rexw, d, (1u << len) - 1);
    } else {
        tcg_out_shifti(s, SHIFT_SHL, rexw, d, width - ofs - len);
        tcg_out_shifti(s, SHIFT_SHR, rexw, d, width - len);
    }
}

static void tgen_deposit(TCGContext *s, int rexw, int d, int a, int b,
                         unsigned ofs, unsigned len)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    unsigned width = rexw ? 64 : 32;

    if (len == width) {
        tcg_target_out_mov(s, type, d, b);
        return;
    }
    /* TMP = b's low len bits placed at ofs. */
    tcg_target_out_mov(s, type, TCG_TMP, b);
    tcg_out_shifti(s, SHIFT_SHL, rexw, TCG_TMP, width - len);
    if (width - len - ofs) {
        tcg_out_shifti(s, SHIFT_SHR, rexw, TCG_TMP, width - len - ofs);
    }
    /* d = a with the field cleared: rotate it to the bottom and back. */
    tcg_target_out_mov(s, type, d, a);
    if (ofs) {
        tcg_out_shifti(s, SHIFT_ROR, rexw, d, ofs);
    }
    tcg_out_shifti(s, SHIFT_SHR, rexw, d, len);
    tcg_out_shifti(s, SHIFT_SHL, rexw, d, len);
    if (ofs) {
        tcg_out_shifti(s, SHIFT_ROL, rexw, d, ofs);
    }
    tgen_arithr(s, ARITH_OR, rexw, d, TCG_TMP);
}

static void tgen_extract2(TCGContext *s, int rexw, int d, int al, int ah,
                          unsigned ofs)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    unsigned width = rexw ? 64 : 32;

    if (ofs == 0) {
        tcg_target_out_mov(s, type, d, al);
    } else if (ofs == width) {
        tcg_target_out_mov(s, type, d, ah);
    } else {
        if (d == ah && d != al) {
            tcg_target_out_mov(s, type, TCG_TMP, ah);
            ah = TCG_TMP;
        }
        tcg_target_out_mov(s, type, d, al);
        tcg_out_modrm(s, OPC_SHRD_Ib | rexw, ah, d);
        tcg_out8(s, ofs);
    }
}

static void tgen_setcond(TCGContext *s, int rexw, bool neg, TCGCond cond,
                         int d, int a, TCGArg b, bool bconst)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        tcg_target_out_movi(s, type, d, cond == TCG_COND_ALWAYS ?
                            (neg ? -1 : 1) : 0);
        return;
    }
    tcg_out_cmp(s, cond, rexw, a, b, bconst);
    tcg_out_modrm(s, OPC_SETCC | tcg_cond_to_jcc[cond], 0, d);
    tcg_out_ext8u(s, d, d);
    if (neg) {
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, d);
    }
}

static void tgen_movcond(TCGContext *s, int rexw, TCGCond cond, int d,
                         int c1, TCGArg c2, bool c2const, int v1, int v2)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;

    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        tcg_target_out_mov(s, type, d, cond == TCG_COND_ALWAYS ? v1 : v2);
        return;
    }
    tcg_out_cmp(s, cond, rexw, c1, c2, c2const);
    if (d == v1) {
        tcg_out_modrm(s, (OPC_CMOVCC + (tcg_cond_to_jcc[cond] ^ 1)) | rexw,
                      d, v2);
    } else {
        tcg_target_out_mov(s, type, d, v2);
        tcg_out_modrm(s, (OPC_CMOVCC + tcg_cond_to_jcc[cond]) | rexw, d, v1);
    }
}

static void tgen_bswap(TCGContext *s, int rexw, int bits, unsigned flags,
                       int d, int a)
{
    tcg_target_out_mov(s, rexw ? TCG_TYPE_I64 : TCG_TYPE_I32, d, a);
    switch (bits) {
    case 16:
        tcg_out_shifti(s, SHIFT_ROL, P_DATA16, d, 8);    /* rolw $8 */
        if (flags & TCG_BSWAP_OS) {
            tcg_out_modrm(s, OPC_MOVSWL | rexw, d, d);
        } else {
            tcg_out_ext16u(s, d, d);
        }
        break;
    case 32:
        tcg_out_opc(s, OPC_BSWAP + (d & 7), 0, d, 0);
        if (rexw && (flags & TCG_BSWAP_OS)) {
            tcg_out_modrm(s, OPC_MOVSLQ, d, d);
        }
        break;
    default:
        tcg_out_opc(s, (OPC_BSWAP + (d & 7)) | P_REXW, 0, d, 0);
        break;
    }
}

static void tgen_add2(TCGContext *s, int rexw, bool sub, const TCGArg *args,
                      const bool *const_args)
{
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    int dl = args[0], dh = args[1], al = args[2], ah = args[3];
    TCGArg bl = args[4], bh = args[5];
    int op_lo = sub ? ARITH_SUB : ARITH_ADD, op_hi = sub ? ARITH_SBB
                                                         : ARITH_ADC;
    int hi_dst = dh;

    /* dl is a new register (constraint), so no input is overwritten. */
    tcg_target_out_mov(s, type, dl, al);
    if (const_args[4]) {
        tgen_arithi(s, op_lo, rexw, dl, rexw ? (int64_t)bl : (int32_t)bl);
    } else {
        tgen_arithr(s, op_lo, rexw, dl, bl);
    }
    /* Only movs between the two halves: they keep CF. */
    if (!const_args[5] && dh == (int)bh && dh != ah) {
        if (!sub) {
            tgen_arithr(s, op_hi, rexw, dh, ah);     /* commutative */
            return;
        }
        hi_dst = TCG_TMP;
    }
    tcg_target_out_mov(s, type, hi_dst, ah);
    if (const_args[5]) {
        tgen_arithi(s, op_hi, rexw, hi_dst, rexw ? (int64_t)bh : (int32_t)bh);
    } else {
        tgen_arithr(s, op_hi, rexw, hi_dst, bh);
    }
    tcg_target_out_mov(s, type, dh, hi_dst);
}

static void tgen_ld(TCGContext *s, TCGOpcode opc, int d, int base,
                    intptr_t ofs)
{
    int opc_x86;

    switch (opc) {
    case INDEX_op_ld8u_i32: case INDEX_op_ld8u_i64:
        opc_x86 = OPC_MOVZBL;
        break;
    case INDEX_op_ld8s_i32:
        opc_x86 = OPC_MOVSBL;
        break;
    case INDEX_op_ld8s_i64:
        opc_x86 = OPC_MOVSBL | P_REXW;
        break;
    case INDEX_op_ld16u_i32: case INDEX_op_ld16u_i64:
        opc_x86 = OPC_MOVZWL;
        break;
    case INDEX_op_ld16s_i32:
        opc_x86 = OPC_MOVSWL;
        break;
    case INDEX_op_ld16s_i64:
        opc_x86 = OPC_MOVSWL | P_REXW;
        break;
    case INDEX_op_ld_i32: case INDEX_op_ld32u_i64:
        opc_x86 = OPC_MOVL_GvEv;
        break;
    case INDEX_op_ld32s_i64:
        opc_x86 = OPC_MOVSLQ;
        break;
    default:
        opc_x86 = OPC_MOVL_GvEv | P_REXW;
        break;
    }
    tcg_out_modrm_offset(s, opc_x86 & ~P_REXB_RM, d, base, ofs);
}

static void tgen_st(TCGContext *s, int size, TCGArg v, bool vconst,
                    int base, intptr_t ofs)
{
    if (vconst) {
        switch (size) {
        case 1:
            tcg_out_modrm_offset(s, OPC_MOVB_EvIb, 0, base, ofs);
            tcg_out8(s, v);
            break;
        case 2:
            tcg_out_modrm_offset(s, OPC_MOVL_EvIz | P_DATA16, 0, base, ofs);
            tcg_out16(s, v);
            break;
        case 4:
            tcg_out_modrm_offset(s, OPC_MOVL_EvIz, 0, base, ofs);
            tcg_out32(s, v);
            break;
        default:
            tcg_out_modrm_offset(s, OPC_MOVL_EvIz | P_REXW, 0, base, ofs);
            tcg_out32(s, v);
            break;
        }
        return;
    }
    switch (size) {
    case 1:
        tcg_out_modrm_offset(s, OPC_MOVB_EvGv, v, base, ofs);
        break;
    case 2:
        tcg_out_modrm_offset(s, OPC_MOVL_EvGv | P_DATA16, v, base, ofs);
        break;
    case 4:
        tcg_out_modrm_offset(s, OPC_MOVL_EvGv, v, base, ofs);
        break;
    default:
        tcg_out_modrm_offset(s, OPC_MOVL_EvGv | P_REXW, v, base, ofs);
        break;
    }
}

/* ---- guest memory: the softmmu fast path ---- */

/*
 * Emits the TLB check.  On return TCG_TMP holds the host addend and the
 * caller emits the access at [TCG_TMP + addr]; the jne to the slow path is
 * recorded in *stub.
 *
 *     mov  tmp, addr ; shr tmp, page_bits - 5
 *     and  tmp, [env + fast[mmu].mask] ; add tmp, [env + fast[mmu].table]
 *     lea  scr, [addr + size - align] ; and scr, page_mask | (align - 1)
 *     cmp  scr, [tmp + addr_read/addr_write] ; jne slow
 *     mov  tmp, [tmp + addend]
 */
static void tgen_tlb_check(TCGContext *s, bool is_ld, MemOpIdx oi, int addr,
                           int scr, TCGLdstStub *stub)
{
    const TCGTargetParams *p = &tcg_target_params;
    MemOp mop = get_memop(oi);
    unsigned mmu = get_mmuidx(oi);
    unsigned size = memop_size(mop), align = 1u << memop_align_bits(mop);
    intptr_t fast = p->tlb_fast_offset + mmu * sizeof(CPUTLBDescFast);
    int64_t tag_mask = (int64_t)(-(1ll << p->page_bits)) | (align - 1);

    assert(mmu < p->nb_mmu_modes);
    tcg_target_out_mov(s, TCG_TYPE_I64, TCG_TMP, addr);
    tcg_out_shifti(s, SHIFT_SHR, P_REXW, TCG_TMP,
                   p->page_bits - TLB_ENTRY_BITS);
    tcg_out_modrm_offset(s, OPC_AND_GvEv | P_REXW, TCG_TMP, TCG_AREG0,
                         fast + offsetof(CPUTLBDescFast, mask));
    tcg_out_modrm_offset(s, OPC_ADD_GvEv | P_REXW, TCG_TMP, TCG_AREG0,
                         fast + offsetof(CPUTLBDescFast, table));
    if (align < size) {
        tcg_out_modrm_offset(s, OPC_LEA | P_REXW, scr, addr, size - align);
    } else {
        tcg_target_out_mov(s, TCG_TYPE_I64, scr, addr);
    }
    tgen_arithi(s, ARITH_AND, P_REXW, scr, tag_mask);
    tcg_out_modrm_offset(s, OPC_CMP_GvEv | P_REXW, scr, TCG_TMP,
                         is_ld ? offsetof(TLBEntry, addr_read)
                               : offsetof(TLBEntry, addr_write));
    tcg_out_opc(s, OPC_JCC_long + JCC_JNE, 0, 0, 0);
    stub->jmp_disp = s->code_ptr;
    tcg_out32(s, 0);
    tcg_out_modrm_offset(s, OPC_MOVL_GvEv | P_REXW, TCG_TMP, TCG_TMP,
                         offsetof(TLBEntry, addend));
}

static void tgen_qemu_ld(TCGContext *s, TCGType type, int d, int addr,
                         MemOpIdx oi, int scr)
{
    MemOp mop = get_memop(oi);
    int rexw = rexw_of(type);
    bool bswap = (mop & MO_BE) && (mop & MO_SIZE) != MO_8;
    bool movbe = bswap && has_feature(TCG_HOST_MOVBE);
    bool sign = mop & MO_SIGN;
    TCGLdstStub stub = { .is_ld = true, .type = type, .oi = oi,
                         .data_reg = d, .addr_reg = addr };

    tgen_tlb_check(s, true, oi, addr, scr, &stub);
    switch (mop & MO_SIZE) {
    case MO_8:
        tcg_out_modrm_sib_offset(s, (sign ? OPC_MOVSBL | rexw : OPC_MOVZBL)
                                 & ~P_REXB_RM, d, TCG_TMP, addr, 0, 0);
        break;
    case MO_16:
        if (movbe) {
            tcg_out_modrm_sib_offset(s, OPC_MOVBE_GyMy | P_DATA16, d,
                                     TCG_TMP, addr, 0, 0);
        } else {
            tcg_out_modrm_sib_offset(s, OPC_MOVZWL, d, TCG_TMP, addr, 0, 0);
            if (bswap) {
                tcg_out_shifti(s, SHIFT_ROL, P_DATA16, d, 8);
            }
        }
        if (sign) {
            tcg_out_modrm(s, OPC_MOVSWL | rexw, d, d);
        } else if (movbe || bswap) {
            tcg_out_ext16u(s, d, d);
        }
        break;
    case MO_32:
        tcg_out_modrm_sib_offset(s, movbe ? OPC_MOVBE_GyMy : OPC_MOVL_GvEv,
                                 d, TCG_TMP, addr, 0, 0);
        if (bswap && !movbe) {
            tcg_out_opc(s, OPC_BSWAP + (d & 7), 0, d, 0);
        }
        if (sign && rexw) {
            tcg_out_modrm(s, OPC_MOVSLQ, d, d);
        }
        break;
    default:
        tcg_out_modrm_sib_offset(s, (movbe ? OPC_MOVBE_GyMy : OPC_MOVL_GvEv)
                                 | P_REXW, d, TCG_TMP, addr, 0, 0);
        if (bswap && !movbe) {
            tcg_out_opc(s, (OPC_BSWAP + (d & 7)) | P_REXW, 0, d, 0);
        }
        break;
    }
    stub.back = s->code_ptr;
    tcg_ldst_stub_add(s, &stub);
}

static void tgen_qemu_st(TCGContext *s, TCGType type, int v, int addr,
                         MemOpIdx oi, int scr)
{
    MemOp mop = get_memop(oi);
    bool bswap = (mop & MO_BE) && (mop & MO_SIZE) != MO_8;
    bool movbe = bswap && has_feature(TCG_HOST_MOVBE);
    TCGLdstStub stub = { .is_ld = false, .type = type, .oi = oi,
                         .data_reg = v, .addr_reg = addr };
    int size_flags;

    tgen_tlb_check(s, false, oi, addr, scr, &stub);
    switch (mop & MO_SIZE) {
    case MO_8:
        tcg_out_modrm_sib_offset(s, OPC_MOVB_EvGv, v, TCG_TMP, addr, 0, 0);
        stub.back = s->code_ptr;
        tcg_ldst_stub_add(s, &stub);
        return;
    case MO_16:
        size_flags = P_DATA16;
        break;
    case MO_32:
        size_flags = 0;
        break;
    default:
        size_flags = P_REXW;
        break;
    }
    if (movbe) {
        tcg_out_modrm_sib_offset(s, OPC_MOVBE_MyGy | size_flags, v, TCG_TMP,
                                 addr, 0, 0);
    } else {
        if (bswap) {
            tcg_target_out_mov(s, TCG_TYPE_I64, scr, v);
            if ((mop & MO_SIZE) == MO_16) {
                tcg_out_shifti(s, SHIFT_ROL, P_DATA16, scr, 8);
            } else {
                tcg_out_opc(s, (OPC_BSWAP + (scr & 7)) |
                            (size_flags & P_REXW), 0, scr, 0);
            }
            v = scr;
        }
        tcg_out_modrm_sib_offset(s, OPC_MOVL_EvGv | size_flags, v, TCG_TMP,
                                 addr, 0, 0);
    }
    stub.back = s->code_ptr;
    tcg_ldst_stub_add(s, &stub);
}

/* Caller-saved registers pushed by a slow-path stub (an even count). */
static const int ldst_saved_regs[8] = {
    TCG_REG_RAX, TCG_REG_RCX, TCG_REG_RDX, TCG_REG_RSI,
    TCG_REG_RDI, TCG_REG_R8, TCG_REG_R9, TCG_REG_R10,
};

/* Stack offset of a pushed register after all pushes, or -1. */
static int ldst_saved_slot(int reg)
{
    for (int i = 0; i < 8; i++) {
        if (ldst_saved_regs[i] == reg) {
            return (7 - i) * 8;
        }
    }
    return -1;
}

static void ldst_load_arg(TCGContext *s, int dst, int src)
{
    int slot = ldst_saved_slot(src);

    if (slot >= 0) {
        tcg_out_modrm_offset(s, OPC_MOVL_GvEv | P_REXW, dst, TCG_REG_RSP,
                             slot);
    } else {
        tcg_target_out_mov(s, TCG_TYPE_I64, dst, src);
    }
}

/*
 * Out-of-line slow path for one access: saves the caller-saved registers
 * (they may hold live values), calls the softmmu helper with
 * (env, addr, [val,] oi, retaddr) and returns to the fast path.
 */
bool tcg_target_out_ldst_stubs(TCGContext *s)
{
    for (int i = 0; i < s->nb_ldst; i++) {
        const TCGLdstStub *st = &s->ldst[i];
        int slot;

        if (s->code_ptr > s->code_highwater) {
            return false;
        }
        tcg_target_patch_reloc(s, st->jmp_disp, tcg_code_rx(s, s->code_ptr));
        for (int r = 0; r < 8; r++) {
            tcg_out_opc(s, OPC_PUSH_r32 + (ldst_saved_regs[r] & 7), 0,
                        ldst_saved_regs[r], 0);
        }
        ldst_load_arg(s, TCG_REG_RSI, st->addr_reg);
        if (st->is_ld) {
            tcg_target_out_mov(s, TCG_TYPE_I64, TCG_REG_RDI, TCG_AREG0);
            tcg_out_movi_keepflags(s, TCG_TYPE_I32, TCG_REG_RDX, st->oi);
            tcg_out_modrm_rip(s, OPC_LEA | P_REXW, TCG_REG_RCX,
                              tcg_code_rx(s, st->back));
            tcg_target_out_call(s, (void *)tcg_target_params.slow_ld);
            slot = ldst_saved_slot(st->data_reg);
            if (slot >= 0) {
                tcg_out_modrm_offset(s, OPC_MOVL_EvGv | P_REXW, TCG_REG_RAX,
                                     TCG_REG_RSP, slot);
            } else {
                tcg_target_out_mov(s, TCG_TYPE_I64, st->data_reg,
                                   TCG_REG_RAX);
            }
        } else {
            ldst_load_arg(s, TCG_REG_RDX, st->data_reg);
            tcg_target_out_mov(s, TCG_TYPE_I64, TCG_REG_RDI, TCG_AREG0);
            tcg_out_movi_keepflags(s, TCG_TYPE_I32, TCG_REG_RCX, st->oi);
            tcg_out_modrm_rip(s, OPC_LEA | P_REXW, TCG_REG_R8,
                              tcg_code_rx(s, st->back));
            tcg_target_out_call(s, (void *)tcg_target_params.slow_st);
        }
        for (int r = 7; r >= 0; r--) {
            tcg_out_opc(s, OPC_POP_r32 + (ldst_saved_regs[r] & 7), 0,
                        ldst_saved_regs[r], 0);
        }
        tcg_out_jmp_abs(s, tcg_code_rx(s, st->back));
    }
    return s->code_ptr <= s->code_highwater;
}

/* ---- control flow ---- */

static void tgen_exit_tb(TCGContext *s, uintptr_t val)
{
    tcg_target_out_movi(s, TCG_TYPE_I64, TCG_REG_RAX, val);
    tcg_out_jmp_abs(s, tcg_tb_ret_addr);
}

/* jmp rel32 with its displacement 4-byte aligned, initially to the next insn. */
static void tgen_goto_tb(TCGContext *s, unsigned n)
{
    while ((tcg_code_rx(s, s->code_ptr) + 1) & 3) {
        tcg_out8(s, 0x90);
    }
    s->goto_tb_jmp_off[n] = s->code_ptr - s->code_buf;
    tcg_out8(s, OPC_JMP_long);
    tcg_out32(s, 0);
    s->goto_tb_reset_off[n] = s->code_ptr - s->code_buf;
    s->goto_tb_used[n] = true;
}

/* Any thread. */
void tcg_patch_goto_tb(uintptr_t jmp_addr, uintptr_t target)
{
    intptr_t d = (intptr_t)target - (intptr_t)(jmp_addr + 5);
    uint32_t *disp = (uint32_t *)(jmp_addr + 1);

    assert(((uintptr_t)disp & 3) == 0 && fits_s32(d));
    /* Pairs with instruction fetch: x86 keeps code and data coherent. */
    __atomic_store_n(disp, (uint32_t)d, __ATOMIC_RELEASE);
}

/* ---- the dispatcher ---- */

void tcg_target_out_op(TCGContext *s, TCGOpcode opc, const TCGArg *args,
                       const bool *const_args, const int *scratch)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    int rexw = (def->flags & TCG_OPF_64BIT) ? P_REXW : 0;
    TCGType type = rexw ? TCG_TYPE_I64 : TCG_TYPE_I32;
    int d = args[0], a = args[1];

    switch (opc) {
    case INDEX_op_br:
        tcg_out_jxx(s, -1, args[0]);
        break;
    case INDEX_op_brcond_i32: case INDEX_op_brcond_i64: {
        TCGCond cond = args[2];

        if (cond == TCG_COND_NEVER) {
            break;
        }
        if (cond == TCG_COND_ALWAYS) {
            tcg_out_jxx(s, -1, args[3]);
            break;
        }
        tcg_out_cmp(s, cond, rexw, args[0], args[1], const_args[1]);
        tcg_out_jxx(s, tcg_cond_to_jcc[cond], args[3]);
        break;
    }
    case INDEX_op_mb:
        if (args[0] & TCG_MO_ST_LD) {
            tcg_out8(s, 0x0f);          /* mfence */
            tcg_out8(s, 0xae);
            tcg_out8(s, 0xf0);
        }
        break;
    case INDEX_op_exit_tb:
        tgen_exit_tb(s, args[0]);
        break;
    case INDEX_op_goto_tb:
        tgen_goto_tb(s, args[0]);
        break;
    case INDEX_op_goto_ptr:
        tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, args[0]);
        break;

    case INDEX_op_add_i32: case INDEX_op_add_i64:
        tgen_add(s, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_sub_i32: case INDEX_op_sub_i64:
        tgen_sub(s, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_neg_i32: case INDEX_op_neg_i64:
        tcg_target_out_mov(s, type, d, a);
        tcg_out_modrm(s, OPC_GRP3_Ev | rexw, EXT3_NEG, d);
        break;
    case INDEX_op_not_i32: case INDEX_op_not_i64:
        tcg_target_out_mov(s, type, d, a);
        tgen_not(s, rexw, d);
        break;
    case INDEX_op_and_i32: case INDEX_op_and_i64:
        tgen_and(s, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_or_i32: case INDEX_op_or_i64:
        tgen_commutative(s, ARITH_OR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_xor_i32: case INDEX_op_xor_i64:
        tgen_commutative(s, ARITH_XOR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_andc_i32: case INDEX_op_andc_i64:
        tgen_op_notb(s, ARITH_AND, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_orc_i32: case INDEX_op_orc_i64:
        tgen_op_notb(s, ARITH_OR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_eqv_i32: case INDEX_op_eqv_i64:
        tgen_op_notb(s, ARITH_XOR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_nand_i32: case INDEX_op_nand_i64:
        tgen_and(s, rexw, d, a, args[2], const_args[2]);
        tgen_not(s, rexw, d);
        break;
    case INDEX_op_nor_i32: case INDEX_op_nor_i64:
        tgen_commutative(s, ARITH_OR, rexw, d, a, args[2], const_args[2]);
        tgen_not(s, rexw, d);
        break;
    case INDEX_op_mul_i32: case INDEX_op_mul_i64:
        tgen_mul(s, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_muluh_i32: case INDEX_op_muluh_i64:
    case INDEX_op_mulsh_i32: case INDEX_op_mulsh_i64:
        tgen_widening_mul(s, rexw, opc == INDEX_op_mulsh_i32 ||
                          opc == INDEX_op_mulsh_i64, a, args[2]);
        tcg_target_out_mov(s, type, d, TCG_REG_RDX);
        break;
    case INDEX_op_mulu2_i32: case INDEX_op_mulu2_i64:
    case INDEX_op_muls2_i32: case INDEX_op_muls2_i64:
        tgen_widening_mul(s, rexw, opc == INDEX_op_muls2_i32 ||
                          opc == INDEX_op_muls2_i64, args[2], args[3]);
        tgen_move_rax_rdx(s, rexw, args[0], args[1]);
        break;
    case INDEX_op_div_i32: case INDEX_op_div_i64:
        tgen_div(s, rexw, true, false, d, a, args[2]);
        break;
    case INDEX_op_divu_i32: case INDEX_op_divu_i64:
        tgen_div(s, rexw, false, false, d, a, args[2]);
        break;
    case INDEX_op_rem_i32: case INDEX_op_rem_i64:
        tgen_div(s, rexw, true, true, d, a, args[2]);
        break;
    case INDEX_op_remu_i32: case INDEX_op_remu_i64:
        tgen_div(s, rexw, false, true, d, a, args[2]);
        break;
    case INDEX_op_shl_i32: case INDEX_op_shl_i64:
        tgen_shift(s, SHIFT_SHL, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_shr_i32: case INDEX_op_shr_i64:
        tgen_shift(s, SHIFT_SHR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_sar_i32: case INDEX_op_sar_i64:
        tgen_shift(s, SHIFT_SAR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_rotl_i32: case INDEX_op_rotl_i64:
        tgen_shift(s, SHIFT_ROL, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_rotr_i32: case INDEX_op_rotr_i64:
        tgen_shift(s, SHIFT_ROR, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_clz_i32: case INDEX_op_clz_i64:
        tgen_count_zeros(s, true, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_ctz_i32: case INDEX_op_ctz_i64:
        tgen_count_zeros(s, false, rexw, d, a, args[2], const_args[2]);
        break;
    case INDEX_op_ctpop_i32: case INDEX_op_ctpop_i64:
        tgen_ctpop(s, rexw, d, a, scratch[0]);
        break;
    case INDEX_op_extract_i32: case INDEX_op_extract_i64:
        tgen_extract(s, false, rexw, d, a, args[2], args[3]);
        break;
    case INDEX_op_sextract_i32: case INDEX_op_sextract_i64:
        tgen_extract(s, true, rexw, d, a, args[2], args[3]);
        break;
    case INDEX_op_deposit_i32: case INDEX_op_deposit_i64:
        tgen_deposit(s, rexw, d, a, args[2], args[3], args[4]);
        break;
    case INDEX_op_extract2_i32: case INDEX_op_extract2_i64:
        tgen_extract2(s, rexw, d, a, args[2], args[3]);
        break;
    case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
        tgen_setcond(s, rexw, false, args[3], d, a, args[2], const_args[2]);
        break;
    case INDEX_op_negsetcond_i32: case INDEX_op_negsetcond_i64:
        tgen_setcond(s, rexw, true, args[3], d, a, args[2], const_args[2]);
        break;
    case INDEX_op_movcond_i32: case INDEX_op_movcond_i64:
        tgen_movcond(s, rexw, args[5], d, a, args[2], const_args[2],
                     args[3], args[4]);
        break;
    case INDEX_op_bswap16_i32: case INDEX_op_bswap16_i64:
        tgen_bswap(s, rexw, 16, args[2], d, a);
        break;
    case INDEX_op_bswap32_i32: case INDEX_op_bswap32_i64:
        tgen_bswap(s, rexw, 32, args[2], d, a);
        break;
    case INDEX_op_bswap64_i64:
        tgen_bswap(s, rexw, 64, args[2], d, a);
        break;
    case INDEX_op_ext8s_i32: case INDEX_op_ext8s_i64:
        tcg_out_modrm(s, OPC_MOVSBL | rexw, d, a);
        break;
    case INDEX_op_ext8u_i32: case INDEX_op_ext8u_i64:
        tcg_out_ext8u(s, d, a);
        break;
    case INDEX_op_ext16s_i32: case INDEX_op_ext16s_i64:
        tcg_out_modrm(s, OPC_MOVSWL | rexw, d, a);
        break;
    case INDEX_op_ext16u_i32: case INDEX_op_ext16u_i64:
        tcg_out_ext16u(s, d, a);
        break;
    case INDEX_op_ext32s_i64: case INDEX_op_ext_i32_i64:
        tcg_out_modrm(s, OPC_MOVSLQ, d, a);
        break;
    case INDEX_op_ext32u_i64: case INDEX_op_extu_i32_i64:
        tcg_out_ext32u(s, d, a);
        break;
    case INDEX_op_extrh_i64_i32:
        tcg_target_out_mov(s, TCG_TYPE_I64, d, a);
        tcg_out_shifti(s, SHIFT_SHR, P_REXW, d, 32);
        break;
    case INDEX_op_add2_i32: case INDEX_op_add2_i64:
        tgen_add2(s, rexw, false, args, const_args);
        break;
    case INDEX_op_sub2_i32: case INDEX_op_sub2_i64:
        tgen_add2(s, rexw, true, args, const_args);
        break;

    case INDEX_op_ld8u_i32: case INDEX_op_ld8s_i32:
    case INDEX_op_ld16u_i32: case INDEX_op_ld16s_i32: case INDEX_op_ld_i32:
    case INDEX_op_ld8u_i64: case INDEX_op_ld8s_i64:
    case INDEX_op_ld16u_i64: case INDEX_op_ld16s_i64:
    case INDEX_op_ld32u_i64: case INDEX_op_ld32s_i64: case INDEX_op_ld_i64:
        tgen_ld(s, opc, d, a, args[2]);
        break;
    case INDEX_op_st8_i32: case INDEX_op_st8_i64:
        tgen_st(s, 1, args[0], const_args[0], args[1], args[2]);
        break;
    case INDEX_op_st16_i32: case INDEX_op_st16_i64:
        tgen_st(s, 2, args[0], const_args[0], args[1], args[2]);
        break;
    case INDEX_op_st_i32: case INDEX_op_st32_i64:
        tgen_st(s, 4, args[0], const_args[0], args[1], args[2]);
        break;
    case INDEX_op_st_i64:
        tgen_st(s, 8, args[0], const_args[0], args[1], args[2]);
        break;

    case INDEX_op_qemu_ld_i32: case INDEX_op_qemu_ld_i64:
        tgen_qemu_ld(s, type, d, a, args[2], scratch[0]);
        break;
    case INDEX_op_qemu_st_i32: case INDEX_op_qemu_st_i64:
        tgen_qemu_st(s, type, args[0], args[1], args[2], scratch[0]);
        break;

    default:
        g_error("tcg: x86_64 backend: unhandled op %s", def->name);
    }
}

/* ---- prologue and features ---- */

static const int callee_saved_regs[] = {
    TCG_REG_RBP, TCG_REG_RBX, TCG_REG_R12, TCG_REG_R13, TCG_REG_R14,
    TCG_REG_R15,
};

/*
 * At entry rsp is 8 mod 16; six pushes keep it 8 mod 16, so the frame is
 * 8 mod 16 to leave rsp 16-byte aligned inside generated code.
 */
#define FRAME_SIZE (TCG_FRAME_SLOTS * 8 + 8)

size_t tcg_target_out_prologue(TCGContext *s)
{
    uint8_t *start = s->code_ptr;

    for (size_t i = 0; i < ARRAY_SIZE(callee_saved_regs); i++) {
        tcg_out_opc(s, OPC_PUSH_r32 + (callee_saved_regs[i] & 7), 0,
                    callee_saved_regs[i], 0);
    }
    tgen_arithi(s, ARITH_SUB, P_REXW, TCG_REG_RSP, FRAME_SIZE);
    tcg_target_out_mov(s, TCG_TYPE_I64, TCG_AREG0, TCG_REG_RDI);
    tcg_out_modrm(s, OPC_GRP5, EXT5_JMPN_Ev, TCG_REG_RSI);

    /* goto_ptr to here: "no TB", return 0. */
    tcg_code_gen_epilogue = (void *)tcg_code_rx(s, s->code_ptr);
    tcg_target_out_movi(s, TCG_TYPE_I32, TCG_REG_RAX, 0);

    /* exit_tb: value in rax. */
    tcg_tb_ret_addr = tcg_code_rx(s, s->code_ptr);
    tgen_arithi(s, ARITH_ADD, P_REXW, TCG_REG_RSP, FRAME_SIZE);
    for (int i = ARRAY_SIZE(callee_saved_regs) - 1; i >= 0; i--) {
        tcg_out_opc(s, OPC_POP_r32 + (callee_saved_regs[i] & 7), 0,
                    callee_saved_regs[i], 0);
    }
    tcg_out8(s, OPC_RET);
    return s->code_ptr - start;
}

/* Main thread, once, before any TB runs. */
size_t tcg_prologue_init(void *buf, size_t size)
{
    TCGContext *s = g_new0(TCGContext, 1);
    size_t n;

    assert(size >= 128);
    s->code_buf = s->code_ptr = buf;
    s->code_end = (uint8_t *)buf + size;
    n = tcg_target_out_prologue(s);
    assert(n <= size);
    tcg_qemu_tb_exec = (TCGTBExecFn *)buf;
    g_free(s);
    return n;
}

unsigned tcg_host_features_detect(void)
{
    unsigned a, b, c, d, f = 0, max;

    max = __get_cpuid_max(0, NULL);
    if (max >= 1) {
        __cpuid(1, a, b, c, d);
        if (c & bit_MOVBE) {
            f |= TCG_HOST_MOVBE;
        }
        if (c & bit_POPCNT) {
            f |= TCG_HOST_POPCNT;
        }
    }
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (b & bit_BMI) {
            f |= TCG_HOST_BMI1 | TCG_HOST_TZCNT;
        }
        if (b & bit_BMI2) {
            f |= TCG_HOST_BMI2;
        }
    }
    if (__get_cpuid_max(0x80000000, NULL) >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        if (c & bit_LZCNT) {
            f |= TCG_HOST_LZCNT;
        }
    }
    return f;
}
