/*
 * tcg-internal.h: what the target-independent passes and the host backend
 * (tcg/<host>/tcg-target.c) say to each other.  Not for use outside tcg/.
 *
 * The register allocator (regalloc.c) walks the op list once.  For each op
 * it asks the backend for the op's constraints (which host registers each
 * argument may live in, which constant forms it accepts, which registers
 * the emitted sequence clobbers, how many scratch registers it needs),
 * places the arguments accordingly, and calls tcg_target_out_op() with
 * host register numbers (or constant values).  The backend must accept an
 * output register equal to any input register unless the constraint says
 * newreg, and may always use the reserved TCG_TMP register.
 *
 * All of this runs on the translating thread with its own TCGContext.
 */
#ifndef TCG_TCG_INTERNAL_H
#define TCG_TCG_INTERNAL_H

#include "tcg/tcg.h"
#include "tcg/x86_64/tcg-target.h"

typedef uint32_t TCGRegSet;

static inline bool regset_has(TCGRegSet set, int reg)
{
    return (set >> reg) & 1;
}

/* Constant forms an argument accepts (TCGArgConstraint.ct). */
enum {
    TCG_CT_CONST_ANY = 1,      /* any value of the op's type */
    TCG_CT_CONST_S32 = 2,      /* fits a sign-extended 32-bit immediate */
};

typedef struct TCGArgConstraint {
    TCGRegSet regs;            /* allowed host registers */
    uint8_t ct;                /* accepted constant forms */
    bool newreg;               /* output must not share an input's register */
} TCGArgConstraint;

typedef struct TCGOpConstraint {
    TCGArgConstraint args[TCG_MAX_OP_ARGS];   /* outputs, then inputs */
    TCGRegSet clobbers;        /* registers the sequence overwrites */
    uint8_t nb_scratch;        /* extra registers, distinct from args */
} TCGOpConstraint;

struct TCGRelocation {
    uint8_t *where;            /* write view of the 32-bit displacement */
    int label;
};

/* A qemu_ld/st slow-path stub, emitted after the TB's main code. */
struct TCGLdstStub {
    bool is_ld;
    TCGType type;
    MemOpIdx oi;
    int data_reg;              /* ld: output; st: value */
    int addr_reg;
    uint8_t *jmp_disp;         /* the fast path's jne rel32 displacement */
    uint8_t *back;             /* where the fast path continues */
};

/* Backend interface (tcg/x86_64/tcg-target.c). */
void tcg_target_constraint(TCGOpcode opc, TCGOpConstraint *c);
void tcg_target_out_op(TCGContext *s, TCGOpcode opc, const TCGArg *args,
                       const bool *const_args, const int *scratch);
void tcg_target_out_mov(TCGContext *s, TCGType type, int dst, int src);
void tcg_target_out_movi(TCGContext *s, TCGType type, int reg, uint64_t val);
void tcg_target_out_ld(TCGContext *s, TCGType type, int reg, int base,
                       intptr_t offset);
void tcg_target_out_st(TCGContext *s, TCGType type, int reg, int base,
                       intptr_t offset);
/* Stores a constant without a register if the host can; false if not. */
bool tcg_target_out_sti(TCGContext *s, TCGType type, uint64_t val, int base,
                        intptr_t offset);
void tcg_target_out_call(TCGContext *s, const void *func);
/* Emits the slow-path stubs; false if the buffer overflowed. */
bool tcg_target_out_ldst_stubs(TCGContext *s);
void tcg_target_patch_reloc(TCGContext *s, uint8_t *where, uintptr_t target);
size_t tcg_target_out_prologue(TCGContext *s);

/* Core helpers for the backend (tcg.c / regalloc.c). */
static inline uintptr_t tcg_code_rx(TCGContext *s, const uint8_t *p)
{
    return (uintptr_t)p + s->code_rx_offset;
}
void tcg_out_reloc(TCGContext *s, uint8_t *where, int label);
void tcg_ldst_stub_add(TCGContext *s, const TCGLdstStub *stub);
void tcg_reg_alloc_code(TCGContext *s);   /* emits the whole TB body */
void tcg_register_insn_end(TCGContext *s);

/* Atomic read-modify-write operations (tcg-atomic.c). */
typedef enum TCGAtomicOp {
    TCG_ATOMIC_XCHG,
    TCG_ATOMIC_FETCH_ADD, TCG_ATOMIC_FETCH_AND, TCG_ATOMIC_FETCH_OR,
    TCG_ATOMIC_FETCH_XOR, TCG_ATOMIC_FETCH_UMIN, TCG_ATOMIC_FETCH_UMAX,
    TCG_ATOMIC_FETCH_SMIN, TCG_ATOMIC_FETCH_SMAX,
    TCG_ATOMIC_ADD_FETCH, TCG_ATOMIC_AND_FETCH, TCG_ATOMIC_OR_FETCH,
    TCG_ATOMIC_XOR_FETCH, TCG_ATOMIC_UMIN_FETCH, TCG_ATOMIC_UMAX_FETCH,
    TCG_ATOMIC_SMIN_FETCH, TCG_ATOMIC_SMAX_FETCH,
} TCGAtomicOp;

extern const TCGHelperInfo tcg_helper_atomic_rmw_i32_info;
extern const TCGHelperInfo tcg_helper_atomic_rmw_i64_info;
extern const TCGHelperInfo tcg_helper_atomic_cmpxchg_i32_info;
extern const TCGHelperInfo tcg_helper_atomic_cmpxchg_i64_info;

/* Set by tcg_prologue_init. */
extern uintptr_t tcg_tb_ret_addr;   /* epilogue entry: value already in RAX */

#endif
