/*
 * fpu-sse.h: internals shared by the translator (translate.c) and the x87,
 * MMX, SSE and state-save helpers (fpu_helper.c, sse_helper.c).
 *
 * Every x87/MMX/SSE instruction is translated into one call of a C helper
 * that gets the decoded instruction packed into an X86FpDesc, the linear
 * address of its memory operand (if any) and its EIP.  The helper does the
 * architectural checks at run time (CR0.EM/TS/MP, CR4.OSFXSR/OSXSAVE,
 * pending x87 exceptions, alignment), performs the loads and stores with
 * cpu_ld_mmu/cpu_st_mmu (faults restore the insn's state from its
 * insn_start words) and computes with fpu/softfloat.c.  See
 * docs/devel/x86-fpu.md.
 *
 * Helpers run on the vCPU thread inside generated code, no lock held; they
 * may read and write the GPR globals (their TCGHelperInfo.flags is 0).
 */
#ifndef TARGET_I386_FPU_SSE_H
#define TARGET_I386_FPU_SSE_H

#include "target/i386/cpu.h"
#include "target/i386/decode.h"
#include "accel/tcg/tcg-runtime.h"

/* Mandatory-prefix column of an SSE opcode (SDM A.3.2). */
enum { X86_PFX_NONE, X86_PFX_66, X86_PFX_F3, X86_PFX_F2 };

/* The decoded insn as the helpers need it; passed as one i64 constant. */
typedef union X86FpDesc {
    uint64_t raw;
    struct {
        uint64_t opcode : 10;   /* 0x0xx: D8-DF; 0x1xx: 0F xx;
                                   0x2xx: 0F 38 xx; 0x3xx: 0F 3A xx */
        uint64_t pfx : 2;       /* X86_PFX_* */
        uint64_t mem : 1;       /* ModRM names memory */
        uint64_t rexw : 1;
        uint64_t mode : 2;      /* X86CodeMode */
        uint64_t modrm : 8;     /* the raw ModRM byte */
        uint64_t reg : 4;       /* ModRM.reg with REX.R */
        uint64_t rm : 4;        /* ModRM.rm with REX.B */
        uint64_t imm : 8;       /* imm8, if the insn has one */
        uint64_t mmu_idx : 4;
        uint64_t seg : 3;       /* segment of the memory operand */
        uint64_t osize : 2;     /* MO_16/MO_32/MO_64 */
        uint64_t has_rex : 1;
        uint64_t asize : 2;     /* MO_16/MO_32/MO_64: address size */
    };
} X86FpDesc;

/* x87 (D8-DF), FWAIT, MMX/SSE (X86_SSE), 0F AE group, XSAVEC,
 * XGETBV/XSETBV.  Arguments: env, desc, linear address, EIP. */
extern const TCGHelperInfo x86_helper_x87_info;
extern const TCGHelperInfo x86_helper_fwait_info;
extern const TCGHelperInfo x86_helper_sse_info;
extern const TCGHelperInfo x86_helper_grp15_info;

/* Variants of the generic helpers for insns that write no TCG global
 * (GPRs, lazy flags): the translator picks them with x86_fpu_writes_globals
 * so that generated code need not reload the globals after the call. */
extern const TCGHelperInfo x86_helper_x87_nowg_info;
extern const TCGHelperInfo x86_helper_sse_nowg_info;
extern const TCGHelperInfo x86_helper_grp15_nowg_info;
/* True if the insn may write a GPR or the lazy-flags globals. */
bool x86_fpu_writes_globals(X86FpDesc d);

/*
 * ADD/SUB/MUL/DIV/SQRT ps/pd/ss/sd on registers, the source being an XMM
 * register or xmm_t0 (X86_SSE_ARITH_T0), where translate-sse.c.inc loaded
 * the memory operand.  Argument: env, x86_sse_arith_desc(...).
 */
extern const TCGHelperInfo x86_helper_sse_arith_info;
/* The same for one double-precision operation each (the common case). */
extern const TCGHelperInfo x86_helper_addsd_info, x86_helper_subsd_info,
    x86_helper_mulsd_info, x86_helper_divsd_info, x86_helper_sqrtsd_info,
    x86_helper_addpd_info, x86_helper_subpd_info, x86_helper_mulpd_info,
    x86_helper_divpd_info, x86_helper_sqrtpd_info;
#define X86_SSE_ARITH_T0 16
static inline uint64_t x86_sse_arith_desc(unsigned opcode, unsigned pfx,
                                          unsigned reg, unsigned src)
{
    return (opcode & 0xff) | pfx << 8 | reg << 10 | src << 14;
}

/* Context of one helper call: memory access with the insn's MMU index. */
typedef struct X86FpCtx {
    CPUX86State *env;
    CPUState *cs;
    X86FpDesc d;
    uint64_t a0;            /* linear address of the memory operand */
    uintptr_t ra;           /* the helper's GETPC() */
    uint8_t *host;          /* NULL in helpers; else the XSAVE layout
                               routines use host[a0 + off] (KVM state
                               sync, x86_xsave_to_buffer) */
} X86FpCtx;

/* Loads/stores of 1/2/4/8 bytes (MO_8..MO_64) at a0 + off.  May fault. */
uint64_t x86_fp_ld(X86FpCtx *c, uint64_t off, MemOp size);
void x86_fp_st(X86FpCtx *c, uint64_t off, uint64_t v, MemOp size);
/* Faults now if [a0, a0 + len) is not all writable (before a multi-part
 * store, so that a fault leaves memory unchanged). */
void x86_fp_probe_write(X86FpCtx *c, uint64_t len);
/* Raises exception vector (error code 0) at the insn.  Does not return. */
void x86_fp_raise(X86FpCtx *c, int vector) NORETURN;

/* x87 status word with TOP folded in; tag word computed from contents. */
uint16_t x86_fpu_fsw(CPUX86State *env);
uint16_t x86_fpu_full_tags(CPUX86State *env);
/* Sets FSW (TOP included) and recomputes ES/B from FCW. */
void x86_fpu_set_fsw(CPUX86State *env, uint16_t fsw);
/* FNINIT's state: FCW 0x37f, FSW 0, all tags empty, FIP/FDP/FOP 0; the
 * registers keep their contents.  Any thread owning env. */
void x86_fpu_init(CPUX86State *env);
/* MMX insns: TOP = 0 and every register valid (SDM Vol 1 9.5.1). */
void x86_fpu_enter_mmx(CPUX86State *env);
/* #MF (CR0.NE = 1) if an unmasked x87 exception is pending. */
void x86_fpu_check_pending(X86FpCtx *c);
/* Lowers FERR# once FSW.ES is clear (FNCLEX, FNINIT, FLDENV, FRSTOR,
 * FXRSTOR, XRSTOR); the board then drops IGNNE#.  vCPU thread, no lock. */
void x86_fpu_ferr_update(CPUX86State *env);

/* FXSAVE/FXRSTOR image (SDM Vol 1 10.5.1) at a0; 64-bit layout if rexw. */
void x86_fxsave(X86FpCtx *c);
void x86_fxrstor(X86FpCtx *c);

/* Supported XCR0 bits: x87 and SSE. */
#define X86_XCR0_SUPPORTED 3u
/* XSAVE area size for the components in xcr0 (standard format). */
uint32_t x86_xsave_size(uint64_t xcr0);

/*
 * The XSAVE image (standard format, 64-bit FXSAVE layout, 16 XMM
 * registers) of env in a host buffer of len >= 576 bytes, as KVM_GET_XSAVE
 * and KVM_SET_XSAVE exchange it.  To the buffer: the x87 and SSE
 * components are written and marked in XSTATE_BV; the rest of the buffer
 * (other components, their XSTATE_BV bits) is left as it is.  From the
 * buffer: components whose XSTATE_BV bit is clear load their initial
 * state; reserved MXCSR bits are dropped.  FERR# is not touched (this is
 * state transfer, not the XRSTOR insn; under KVM the kernel owns it), so
 * it takes no lock.  Any thread, any locks; the caller owns env.
 */
void x86_xsave_to_buffer(CPUX86State *env, void *buf, size_t len);
void x86_xrstor_from_buffer(CPUX86State *env, const void *buf, size_t len);

#endif
