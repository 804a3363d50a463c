/*
 * tcg.h: the Tiny Code Generator core contract: IR temps, ops, labels, the
 * per-thread translation context, the passes and host code generation.
 *
 * TCG turns a guest-independent intermediate representation (IR) into host
 * machine code.  A guest front end (target/<arch>/translate*.c, driven by the
 * runtime's translator_loop in accel/tcg/) builds one translation block (TB)
 * at a time with the tcg_gen_* calls of tcg/tcg-op.h, then hands it to
 * tcg_gen_code(), which runs
 *
 *     optimizer (tcg/optimize.c)  ->  liveness (tcg/liveness.c)
 *       ->  register allocation + host emission (tcg/regalloc.c, tcg/x86_64/)
 *
 * and writes host code into a buffer the caller owns.  Nothing here knows
 * about a particular guest: guest registers are "globals" declared once at
 * start-up at fixed offsets of the target's env struct, and everything the
 * softmmu fast path needs (page size, TLB location, slow-path helpers) comes
 * in through TCGTargetParams.
 *
 * Threads:
 *   - tcg_init(), tcg_global_mem_new_*() and tcg_prologue_init(): the main
 *     thread, once, before any vCPU thread exists.  The global table and the
 *     prologue are immutable afterwards and read by every thread.
 *   - tcg_context_init_thread(): each translating thread (one per vCPU under
 *     MTTCG), once; it makes a private TCGContext (tcg_ctx) holding a copy of
 *     the global table.  All tcg_gen_* calls, the passes and code generation
 *     use only the calling thread's context, so vCPU threads translate in
 *     parallel without any lock.
 *   - tcg_patch_goto_tb(): any thread; one atomic 32-bit store.
 *   - tcg_restore_state_lookup(): any thread, read-only.
 *
 * Example (a TB that increments a 32-bit guest register and exits):
 *
 *     static TCGv_i32 r_eax;                       // main thread, at init
 *     r_eax = tcg_global_mem_new_i32(offsetof(Env, eax), "eax");
 *     ...
 *     tcg_func_start(tcg_ctx);                      // vCPU thread
 *     tcg_gen_insn_start(pc, 0, 0);
 *     tcg_gen_addi_i32(r_eax, r_eax, 1);
 *     tcg_gen_exit_tb(NULL, 0);
 *     int size = tcg_gen_code(tcg_ctx, buf, buf_size);
 *     uintptr_t ret = tcg_qemu_tb_exec(env, buf);   // through the prologue
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include "util/osdep.h"

/* Limits of one translation block. */
#define TCG_MAX_TEMPS        2048   /* globals + TB temps + constants */
#define TCG_MAX_LABELS       2048
#define TCG_MAX_OP_ARGS      10
#define TCG_MAX_CALL_ARGS    6
#define TCG_MAX_INSNS        512    /* insn_start markers per TB */
#define TCG_MAX_INSN_WORDS   3      /* target words per insn_start */
#define TCG_FRAME_SLOTS      512    /* 8-byte spill slots on the host stack */

/* gen_code failures: the runtime flushes or retranslates a shorter TB. */
#define TCG_GEN_BUFFER_FULL  (-1)
#define TCG_GEN_TOO_COMPLEX  (-2)

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
} TCGType;
/* The host is 64-bit (x86-64): pointers are i64. */
#define TCG_TYPE_PTR TCG_TYPE_I64

/*
 * Distinct incomplete types so that the C compiler rejects mixing i32 and
 * i64 temps.  The pointer value encodes the temp's index (plus one) in the
 * context's temp array; it never points anywhere.  Because the global table
 * is identical in every thread context, a TCGv naming a global is valid in
 * every thread.
 */
typedef struct TCGv_i32_d *TCGv_i32;
typedef struct TCGv_i64_d *TCGv_i64;
typedef struct TCGv_ptr_d *TCGv_ptr;

typedef uintptr_t TCGArg;

typedef enum TCGTempKind {
    TEMP_FIXED,    /* lives permanently in a host register (env) */
    TEMP_GLOBAL,   /* guest state at a fixed offset of env */
    TEMP_TB,       /* temp; valid until the end of the TB, across labels */
    TEMP_CONST,    /* interned read-only constant */
} TCGTempKind;

/* Where the register allocator currently has a temp's value. */
typedef enum TCGTempVal {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
} TCGTempVal;

typedef struct TCGTemp {
    TCGType type;
    TCGTempKind kind;
    const char *name;          /* globals and fixed temps; NULL otherwise */
    uint64_t val;              /* TEMP_CONST: value (i32: zero-extended) */
    intptr_t mem_offset;       /* GLOBAL: env offset; TB: frame offset */
    bool mem_allocated;        /* TB temp has a spill slot */
    bool is_free;              /* TB temp on the free list */
    int next_free;             /* free list link (index), -1 at the end */
    bool multi_bb;             /* liveness: value may cross a BB boundary */

    /* Register allocator state (tcg/regalloc.c). */
    TCGTempVal val_type;
    int8_t reg;
    bool mem_coherent;         /* memory copy equals the register copy */
    uint64_t cval;             /* TEMP_VAL_CONST: pending constant */

    /* Liveness scratch (tcg/liveness.c). */
    uint8_t state;
    int bb_seen;               /* BB index of the first reference, or -1 */
} TCGTemp;

/* Op definition table (tcg/tcg-opc.h). */
enum {
    TCG_OPF_BB_END         = 1 << 0,  /* ends a basic block */
    TCG_OPF_BB_EXIT        = 1 << 1,  /* leaves the TB */
    TCG_OPF_SIDE_EFFECTS   = 1 << 2,  /* never removed by liveness */
    TCG_OPF_CALL           = 1 << 3,  /* helper call: argument counts per op */
    TCG_OPF_64BIT          = 1 << 4,  /* operates on i64 */
    TCG_OPF_COND_BRANCH    = 1 << 5,
    TCG_OPF_NO_FALLTHROUGH = 1 << 6,  /* code after it is unreachable */
    TCG_OPF_MAY_FAULT      = 1 << 7,  /* guest memory access: sync globals */
    TCG_OPF_NOT_PRESENT    = 1 << 8,  /* removed op (nop) */
};

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/tcg-opc.h"
#undef DEF
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint16_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[NB_OPS];

/*
 * One IR instruction.  args[] holds, in order, nb_oargs output temps,
 * nb_iargs input temps (as temp indices) and nb_cargs constant arguments.
 * dead_args and sync_args are written by liveness: bit i of dead_args set
 * means argument i is not used after this op; bit i of sync_args (outputs
 * only) means the output must be stored to its memory slot after the op.
 */
typedef struct TCGOp {
    uint16_t opc;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint8_t sync_args;
    uint16_t dead_args;
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

typedef struct TCGLabel {
    int id;
    int refs;              /* branches referring to it (optimizer) */
    bool present;          /* set_label emitted */
    bool has_value;        /* codegen: position known */
    uintptr_t value;       /* codegen: host address (execution view) */
} TCGLabel;

/* Conditions for brcond/setcond/negsetcond/movcond. */
typedef enum TCGCond {
    TCG_COND_NEVER,
    TCG_COND_ALWAYS,
    TCG_COND_EQ,
    TCG_COND_NE,
    TCG_COND_LT,
    TCG_COND_GE,
    TCG_COND_LE,
    TCG_COND_GT,
    TCG_COND_LTU,
    TCG_COND_GEU,
    TCG_COND_LEU,
    TCG_COND_GTU,
    TCG_COND_TSTEQ,        /* (a & b) == 0 */
    TCG_COND_TSTNE,        /* (a & b) != 0 */
    TCG_COND_COUNT,
} TCGCond;

TCGCond tcg_invert_cond(TCGCond c);   /* !c */
TCGCond tcg_swap_cond(TCGCond c);     /* c(a,b) == swap(c)(b,a) */
extern const char *const tcg_cond_names[TCG_COND_COUNT];

/* bswap flags (carg of bswap16/32/64). */
enum {
    TCG_BSWAP_IZ = 1,      /* hint: input already zero-extended above size */
    TCG_BSWAP_OS = 2,      /* sign-extend the result; default zero-extends */
};

/*
 * Guest memory access description (MemOp) for qemu_ld/st.  Named fields
 * with accessors, not magic masks:
 *   size      bits 0-1: log2 of the access size in bytes (MO_8..MO_64)
 *   sign      bit 2:    loads sign-extend (MO_SIGN)
 *   endian    bit 3:    MO_BE (big-endian guest data) or MO_LE
 *   align     bits 4-6: alignment requirement, see memop_align_bits()
 */
typedef enum MemOp {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 1 << 2,
    MO_LE = 0,
    MO_BE = 1 << 3,
    MO_ALIGN_SHIFT = 4,
    MO_AMASK = 7 << 4,
    MO_UNALN = 0 << 4,          /* any alignment */
    MO_ALIGN_2 = 1 << 4,
    MO_ALIGN_4 = 2 << 4,
    MO_ALIGN_8 = 3 << 4,
    MO_ALIGN_16 = 4 << 4,
    MO_ALIGN_32 = 5 << 4,
    MO_ALIGN_64 = 6 << 4,
    MO_ALIGN = 7 << 4,          /* naturally aligned */

    MO_UB = MO_8, MO_UW = MO_16, MO_UL = MO_32, MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN, MO_SW = MO_16 | MO_SIGN, MO_SL = MO_32 | MO_SIGN,
} MemOp;

static inline unsigned memop_size(MemOp op)
{
    return 1u << (op & MO_SIZE);
}

/* log2 of the required alignment in bytes (0: none). */
static inline unsigned memop_align_bits(MemOp op)
{
    unsigned a = (op & MO_AMASK) >> MO_ALIGN_SHIFT;

    return a == 7 ? (op & MO_SIZE) : a;
}

/* A MemOp and an MMU index packed for qemu_ld/st and the slow path. */
typedef uint32_t MemOpIdx;
#define MEMOPIDX_MMU_BITS 4
static inline MemOpIdx make_memop_idx(MemOp op, unsigned mmu_idx)
{
    assert(mmu_idx < (1u << MEMOPIDX_MMU_BITS));
    return ((uint32_t)op << MEMOPIDX_MMU_BITS) | mmu_idx;
}
static inline MemOp get_memop(MemOpIdx oi)
{
    return (MemOp)(oi >> MEMOPIDX_MMU_BITS);
}
static inline unsigned get_mmuidx(MemOpIdx oi)
{
    return oi & ((1u << MEMOPIDX_MMU_BITS) - 1);
}

/* mb flags: which orderings the barrier must enforce. */
enum {
    TCG_MO_LD_LD = 1,
    TCG_MO_ST_LD = 2,
    TCG_MO_LD_ST = 4,
    TCG_MO_ST_ST = 8,
    TCG_MO_ALL = 15,
    TCG_BAR_ACQ = 0x10,    /* acquire semantics (informational) */
    TCG_BAR_REL = 0x20,    /* release semantics (informational) */
};

/*
 * The softmmu fast-path TLB, shared with the runtime (accel/tcg/cputlb.c).
 * For each MMU index the target's env holds, at tlb_fast_offset +
 * mmu_idx * sizeof(CPUTLBDescFast), a descriptor of a table of 2^n entries.
 * mask is (2^n - 1) << TLB_ENTRY_BITS, i.e. already a byte-offset mask.
 * addr_read/write/code hold the page-aligned guest virtual address the
 * entry maps, or -1 when invalid; any low bit set (a flag such as "MMIO",
 * "not dirty", "watchpoint") forces the slow path.  addend turns a guest
 * virtual address into a host address: host = addr + addend.
 */
typedef struct TLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;
} TLBEntry;
#define TLB_ENTRY_BITS 5
_Static_assert(sizeof(TLBEntry) == 1 << TLB_ENTRY_BITS, "TLBEntry size");

typedef struct CPUTLBDescFast {
    uintptr_t mask;            /* owner vCPU thread; read by generated code */
    TLBEntry *table;           /* owner vCPU thread; read by generated code */
} CPUTLBDescFast;

/*
 * Softmmu slow path, called from out-of-line stubs at the end of a TB when
 * the inline TLB check misses.  env is the target's env, addr the guest
 * virtual address, oi the MemOp and MMU index, retaddr a host pc inside the
 * TB for tcg_restore_state_lookup().  The load returns the value extended
 * to 64 bits per the MemOp (sign, size), already in host order; the store
 * must only use the low memop_size() bytes of val.  Both may longjmp out of
 * the TB on a guest fault; globals are in env when they are called.
 * Called on the vCPU thread, without the BQL.
 */
typedef uint64_t TCGSlowLoadFn(void *env, uint64_t addr, MemOpIdx oi,
                               uintptr_t retaddr);
typedef void TCGSlowStoreFn(void *env, uint64_t addr, uint64_t val,
                            MemOpIdx oi, uintptr_t retaddr);
/*
 * For atomic helpers: the host address of a guest RAM access of size bytes
 * that needs read and write permission (TLB lookup and fill).  It longjmps
 * on a guest fault.  Returns NULL when the access cannot be one host atomic
 * (it crosses a page, or hits MMIO/ROM): the helper then does the
 * read-modify-write through slow_ld/slow_st.  Called on the vCPU thread,
 * without the BQL.
 */
typedef void *TCGAtomicHostAddrFn(void *env, uint64_t addr, MemOpIdx oi,
                                  uintptr_t retaddr);

/* Target parameters, given once by the target at start-up. */
typedef struct TCGTargetParams {
    unsigned page_bits;               /* guest page size, 12 or 16 */
    intptr_t tlb_fast_offset;         /* env offset of CPUTLBDescFast[] */
    unsigned nb_mmu_modes;
    unsigned insn_start_words;        /* 1..TCG_MAX_INSN_WORDS */
    TCGSlowLoadFn *slow_ld;
    TCGSlowStoreFn *slow_st;
    TCGAtomicHostAddrFn *atomic_host_addr;
} TCGTargetParams;

/* Helper call descriptors (tcg_gen_call). */
enum {
    TCG_CALL_NO_READ_GLOBALS = 1,  /* globals need not be synced to env */
    TCG_CALL_NO_WRITE_GLOBALS = 2, /* register copies of globals survive */
    TCG_CALL_NO_SIDE_EFFECTS = 4,  /* removable when its result is unused */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_NO_RWG_SE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS,
    TCG_CALL_NO_WG = TCG_CALL_NO_WRITE_GLOBALS,
};

typedef enum TCGCallType {
    TCG_CALL_VOID,
    TCG_CALL_I32,
    TCG_CALL_I64,
} TCGCallType;

/*
 * Describes one helper.  Declared as a static const object next to the
 * helper, and passed to tcg_gen_call():
 *
 *     static const TCGHelperInfo helper_divw_info = {
 *         .func = helper_divw, .name = "divw", .flags = TCG_CALL_NO_RWG,
 *         .ret = TCG_CALL_I64, .nb_args = 2,
 *     };
 */
typedef struct TCGHelperInfo {
    void *func;
    const char *name;
    unsigned flags;
    TCGCallType ret;
    unsigned nb_args;          /* 0..TCG_MAX_CALL_ARGS */
} TCGHelperInfo;

/* Host features used by the backend (tcg_host_features). */
enum {
    TCG_HOST_BMI1 = 1 << 0,    /* andn, blsr */
    TCG_HOST_BMI2 = 1 << 1,    /* shlx/shrx/sarx/rorx */
    TCG_HOST_LZCNT = 1 << 2,
    TCG_HOST_MOVBE = 1 << 3,
    TCG_HOST_POPCNT = 1 << 4,
    TCG_HOST_TZCNT = 1 << 5,   /* part of BMI1 */
};
/*
 * Set from cpuid by tcg_init(); tests may clear bits to force the fallback
 * paths.  Read by the backend of every thread: change it only while no
 * thread translates.
 */
extern unsigned tcg_host_features;
unsigned tcg_host_features_detect(void);

/*
 * The per-thread translation context.  Owned by its thread; nothing in it
 * is shared.
 */
typedef struct TCGRelocation TCGRelocation;
typedef struct TCGLdstStub TCGLdstStub;

typedef struct TCGContext {
    /* IR */
    int nb_globals;            /* copied from the shared table */
    int nb_temps;
    TCGTemp temps[TCG_MAX_TEMPS];
    TCGOp *ops;
    int nb_ops, ops_cap;
    TCGLabel labels[TCG_MAX_LABELS];
    int nb_labels;
    GHashTable *const_table[2];    /* value -> temp index + 1, per type */
    int free_head[2];              /* freed TB temps, per type, or -1 */
    int nb_insns_ir;               /* insn_start ops emitted */
    void *opt_info;                /* optimizer scratch, TCG_MAX_TEMPS */

    /* Code generation (tcg_gen_code) */
    uint8_t *code_buf;         /* start of this TB's code (write view) */
    uint8_t *code_ptr;
    uint8_t *code_highwater;
    uint8_t *code_end;
    intptr_t code_rx_offset;   /* execution address - write address */
    struct TCGTemp *reg_to_temp[16];
    uint32_t reserved_regs;
    uint8_t frame_slot_used[TCG_FRAME_SLOTS];
    bool frame_full;
    TCGRelocation *relocs;
    int nb_relocs, relocs_cap;
    TCGLdstStub *ldst;
    int nb_ldst, ldst_cap;
    const TCGOp *cur_op;

    /* Results of tcg_gen_code, for the runtime. */
    int nb_insns;
    uint32_t insn_end_off[TCG_MAX_INSNS];   /* host offset after insn i */
    uint64_t insn_data[TCG_MAX_INSNS][TCG_MAX_INSN_WORDS];
    uint32_t goto_tb_jmp_off[2];    /* offset of the jmp of goto_tb n */
    uint32_t goto_tb_reset_off[2];  /* offset to restore for unchaining */
    bool goto_tb_used[2];
} TCGContext;

/* The calling thread's context (NULL until tcg_context_init_thread). */
extern __thread TCGContext *tcg_ctx;
/* The target parameters (immutable after tcg_init). */
extern TCGTargetParams tcg_target_params;

/*
 * Main thread, once, before any thread context exists: record the target
 * parameters, detect host features and reset the global table to just
 * "env" (TCG_AREG0).  May be called again (tests) while no context exists.
 */
void tcg_init(const TCGTargetParams *params);
/* Main thread, before any thread context: declare a global. */
TCGv_i32 tcg_global_mem_new_i32(intptr_t env_offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(intptr_t env_offset, const char *name);
/* The env pointer, valid in every context. */
extern const TCGv_ptr tcg_env;

/* Any thread, once: creates tcg_ctx for the calling thread. */
TCGContext *tcg_context_init_thread(void);
/* The thread's own context: frees it. */
void tcg_context_destroy_thread(void);

/* Starts a new TB in s: drops all temps but globals, ops and labels. */
void tcg_func_start(TCGContext *s);

/*
 * Runs the passes and emits host code for the ops in s into buf (which is
 * also the execution address, plus s->code_rx_offset for a split mapping).
 * Returns the code size in bytes, TCG_GEN_BUFFER_FULL when buf is too
 * small, or TCG_GEN_TOO_COMPLEX when the TB needs more spill slots than the
 * frame has.  Logs -d op, op_opt and out_asm.  s's thread.
 */
int tcg_gen_code(TCGContext *s, void *buf, size_t size);

/* The individual passes (tcg_gen_code runs them; tests call them alone). */
void tcg_optimize(TCGContext *s);
void tcg_liveness(TCGContext *s);

/*
 * The prologue: generated once into buf by the main thread before any TB
 * runs.  tcg_qemu_tb_exec(env, code) saves the callee-saved registers, puts
 * env in TCG_AREG0 and jumps to code; the TB's exit_tb returns its value
 * here.  Returns the prologue's size.
 */
size_t tcg_prologue_init(void *buf, size_t size);
typedef uintptr_t TCGTBExecFn(void *env, const void *tb_code);
extern TCGTBExecFn *tcg_qemu_tb_exec;
/* goto_ptr target meaning "no TB found": returns 0 from tcg_qemu_tb_exec. */
extern const void *tcg_code_gen_epilogue;

/*
 * exit_tb values: a TB descriptor pointer (4-byte aligned) or'ed with the
 * exit index: 0/1 = left through the fall-through of goto_tb 0/1 (chaining
 * candidates), 2 = other exits, 3 = exit requested (interrupt check).
 */
#define TB_EXIT_MASK      3
#define TB_EXIT_IDX0      0
#define TB_EXIT_IDX1      1
#define TB_EXIT_OTHER     2
#define TB_EXIT_REQUESTED 3

/*
 * Retargets the direct jump of a goto_tb at jmp_addr (code start +
 * goto_tb_jmp_off[n]) to target; to unchain pass code start +
 * goto_tb_reset_off[n].  One naturally aligned atomic 32-bit store, so a
 * thread executing the jump sees either the old or the new target.  The
 * code must be mapped writable at jmp_addr (RWX buffer).  Any thread.
 */
void tcg_patch_goto_tb(uintptr_t jmp_addr, uintptr_t target);

/*
 * The per-TB insn table that maps host code back to guest instructions.
 * tcg_insn_table_encode() writes it for the TB just generated by s (after
 * tcg_gen_code) into buf and returns its length, or -1 if size is too
 * small.  tcg_restore_state_lookup() takes the TB's code start and that
 * table and a host return address inside the TB (a helper's GETPC() or a
 * slow path's retaddr: the insn is the one whose code contains
 * host_pc - 1), fills words_out[0..insn_start_words) and returns the insn
 * index, or -1 if host_pc is not inside the TB.  Any thread.
 */
int tcg_insn_table_encode(TCGContext *s, uint8_t *buf, size_t size);
int tcg_restore_state_lookup(const void *tb_code_start, const uint8_t *table,
                             uintptr_t host_pc, uint64_t *words_out);

/* Temps: index <-> handle conversions (calling thread's context). */
static inline TCGTemp *tcg_temp_at(TCGContext *s, TCGArg idx)
{
    return &s->temps[idx];
}
static inline TCGArg tcgv_i32_arg(TCGv_i32 v)
{
    return (uintptr_t)v - 1;
}
static inline TCGArg tcgv_i64_arg(TCGv_i64 v)
{
    return (uintptr_t)v - 1;
}
static inline TCGArg tcgv_ptr_arg(TCGv_ptr v)
{
    return (uintptr_t)v - 1;
}
static inline TCGTemp *tcgv_i32_temp(TCGv_i32 v)
{
    return &tcg_ctx->temps[tcgv_i32_arg(v)];
}
static inline TCGTemp *tcgv_i64_temp(TCGv_i64 v)
{
    return &tcg_ctx->temps[tcgv_i64_arg(v)];
}
static inline TCGv_i32 temp_tcgv_i32(TCGArg idx)
{
    return (TCGv_i32)(uintptr_t)(idx + 1);
}
static inline TCGv_i64 temp_tcgv_i64(TCGArg idx)
{
    return (TCGv_i64)(uintptr_t)(idx + 1);
}
static inline TCGv_ptr temp_tcgv_ptr(TCGArg idx)
{
    return (TCGv_ptr)(uintptr_t)(idx + 1);
}
static inline TCGArg temp_idx(TCGContext *s, const TCGTemp *ts)
{
    return ts - s->temps;
}

/* Appends an op to the calling thread's TB; returns it.  Low level. */
TCGOp *tcg_emit_op(TCGOpcode opc, int nb_oargs, int nb_iargs, int nb_cargs,
                   const TCGArg *args);
/* Inserts a nop after op idx and returns it (ops may move).  Low level. */
TCGOp *tcg_op_insert_after(TCGContext *s, int idx);
/* Text form of the op list ("add_i32 tmp2,eax,$0x1"), one op a line. */
void tcg_dump_ops(TCGContext *s, GString *out, bool with_life);
/* Logs host code disassembled by capstone (-d out_asm). */
void tcg_log_host_code(const void *code, size_t size);
/* Counts host instructions (capstone); -1 if capstone fails. */
int tcg_count_host_insns(const void *code, size_t size);

#endif
