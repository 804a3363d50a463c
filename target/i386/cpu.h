/*
 * cpu.h: the x86 register file (CPUX86State) and the X86CPU object.
 *
 * This is the one definition of x86 guest state shared by the translator
 * (translate*.c: generated code reads and writes env fields through TCG
 * globals and ld/st at these offsets), the helpers (seg_helper.c,
 * excp_helper.c, mmu_helper.c, misc_helper.c, fpu later), the machine code
 * that sets up boot state (multiboot), the gdbstub and the KVM glue
 * (kvm.c: get_state/put_state translate between this and kvm structs).
 *
 * Ownership: env is owned by its vCPU thread.  Other threads touch it only
 * while the vCPU is outside guest code and synchronised through run_on_cpu
 * or pause_all_vcpus (gdbstub, monitor, reset), per hw/cpu.h.
 *
 * Lazy flags: arithmetic records cc_op and its operands (cc_dst, cc_src,
 * cc_src2) instead of computing EFLAGS; cpu_cc_compute_all() materialises
 * OSZAPC when needed (pushf, interrupts, helpers, gdbstub).  The remaining
 * EFLAGS bits (DF as +1/-1 in df, IF, TF, IOPL, NT, RF, VM, AC, VIF, VIP,
 * ID) live in eflags; its OSZAPC bits are stale while cc_op != CC_OP_EFLAGS.
 *
 * hflags caches mode bits derived from CR0/CR4/EFER/segments (CPL, 32/64-bit
 * code and stack, paging, ...) that the translator specialises on; it is part
 * of the TB flags, so it must be recomputed (x86_update_hflags) whenever any
 * input changes.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include "util/osdep.h"
#include "hw/cpu.h"
#include "tcg/tcg.h"

/* General-purpose register numbers (ModRM/REX order). */
enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};
#define CPU_NB_REGS 16

/* Segment register numbers (ModRM sreg order). */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };
#define SEG_COUNT 6

/* EFLAGS bits (SDM Vol 1 3.4.3). */
#define CC_C     0x0001
#define CC_P     0x0004
#define CC_A     0x0010
#define CC_Z     0x0040
#define CC_S     0x0080
#define CC_O     0x0800
#define CC_OSZAPC (CC_O | CC_S | CC_Z | CC_A | CC_P | CC_C)
#define TF_MASK  0x00000100
#define IF_MASK  0x00000200
#define DF_MASK  0x00000400
#define IOPL_MASK 0x00003000
#define IOPL_SHIFT 12
#define NT_MASK  0x00004000
#define RF_MASK  0x00010000
#define VM_MASK  0x00020000
#define AC_MASK  0x00040000
#define VIF_MASK 0x00080000
#define VIP_MASK 0x00100000
#define ID_MASK  0x00200000

/* CR0 / CR4 / EFER bits (SDM Vol 3A 2.5, 2.2.1). */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)

#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_LA57 (1u << 12)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define CR4_PKE (1u << 22)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Exception vectors (SDM Vol 3A 6.3.1). */
enum {
    EXCP00_DIVZ, EXCP01_DB, EXCP02_NMI, EXCP03_INT3, EXCP04_INTO,
    EXCP05_BOUND, EXCP06_ILLOP, EXCP07_PREX, EXCP08_DBLE, EXCP09_XERR,
    EXCP0A_TSS, EXCP0B_NOSEG, EXCP0C_STACK, EXCP0D_GPF, EXCP0E_PAGE,
    EXCP10_COPR = 0x10, EXCP11_ALGN, EXCP12_MCHK, EXCP13_XMM,
};

/* hflags: mode bits the translator specialises on (part of TB flags). */
#define HF_CPL_MASK     0x00000003  /* current privilege level */
#define HF_PE_MASK      (1u << 2)   /* CR0.PE */
#define HF_CS32_MASK    (1u << 3)   /* 32-bit code segment (D bit) */
#define HF_SS32_MASK    (1u << 4)   /* 32-bit stack segment (B bit) */
#define HF_ADDSEG_MASK  (1u << 5)   /* a DS/ES/SS base is non-zero */
#define HF_LMA_MASK     (1u << 6)   /* long mode active */
#define HF_CS64_MASK    (1u << 7)   /* 64-bit code segment */
#define HF_VM_MASK      (1u << 8)   /* EFLAGS.VM (virtual-8086) */
#define HF_PG_MASK      (1u << 9)   /* paging enabled */
#define HF_OSFXSR_MASK  (1u << 10)
#define HF_EM_MASK      (1u << 11)  /* CR0.EM */
#define HF_TS_MASK      (1u << 12)  /* CR0.TS */
#define HF_MP_MASK      (1u << 13)  /* CR0.MP */
#define HF_INHIBIT_IRQ_MASK (1u << 14) /* MOV SS / STI shadow */
#define HF_TF_MASK      (1u << 15)  /* single-step trap after the insn */
#define HF_SMAP_MASK    (1u << 16)
#define HF_IOPL_CHECK   (1u << 17)  /* CPL > IOPL or VM: check the bitmap */
#define HF_A20_OFF_MASK (1u << 18)  /* A20 gate masks bit 20 */
/* CPL > IOPL (in v86, where CPL is 3: IOPL < 3): CLI, STI, INT n, PUSHF,
 * POPF are IOPL-sensitive.  Not the same as HF_IOPL_CHECK, which v86 sets
 * whatever IOPL because its I/O always goes through the bitmap. */
#define HF_IOPL_LT_CPL  (1u << 19)
/* Bits 30 and 31 are taken: translate.h's X86_TB_FLAG_ALIGN/_AC. */
#define HF_RF_MASK      (1u << 20)  /* EFLAGS.RF: the next insn clears it */

/* MMU indexes (softmmu TLBs). */
enum {
    X86_MMU_KSMAP,      /* supervisor, SMAP enforced */
    X86_MMU_USER,       /* CPL 3 */
    X86_MMU_KNOSMAP,    /* supervisor, SMAP not enforced (EFLAGS.AC, implicit) */
    X86_MMU_PHYS,       /* paging off: linear = physical (A20 applied) */
    X86_NB_MMU_MODES,
};

/* Lazy condition-code operations (what cc_dst/cc_src/cc_src2 hold). */
typedef enum CCOp {
    CC_OP_DYNAMIC,      /* must compute from env->cc_op at run time */
    CC_OP_EFLAGS,       /* OSZAPC are in cc_src (eflags format) */
    /* size-suffixed families: B, W, L, Q in that order */
    CC_OP_ADDB, CC_OP_ADDW, CC_OP_ADDL, CC_OP_ADDQ,  /* dst=res, src=src2 */
    CC_OP_ADCB, CC_OP_ADCW, CC_OP_ADCL, CC_OP_ADCQ,  /* + src2=carry in */
    CC_OP_SUBB, CC_OP_SUBW, CC_OP_SUBL, CC_OP_SUBQ,  /* dst=res, src=src2 */
    CC_OP_SBBB, CC_OP_SBBW, CC_OP_SBBL, CC_OP_SBBQ,
    CC_OP_LOGICB, CC_OP_LOGICW, CC_OP_LOGICL, CC_OP_LOGICQ, /* dst=res */
    CC_OP_INCB, CC_OP_INCW, CC_OP_INCL, CC_OP_INCQ,  /* dst=res, src=old C */
    CC_OP_DECB, CC_OP_DECW, CC_OP_DECL, CC_OP_DECQ,
    CC_OP_SHLB, CC_OP_SHLW, CC_OP_SHLL, CC_OP_SHLQ,  /* src=res before last shift */
    CC_OP_SARB, CC_OP_SARW, CC_OP_SARL, CC_OP_SARQ,
    CC_OP_MULB, CC_OP_MULW, CC_OP_MULL, CC_OP_MULQ,  /* src != 0 -> CF=OF */
    CC_OP_BMILGB, CC_OP_BMILGW, CC_OP_BMILGL, CC_OP_BMILGQ,
    CC_OP_ADCX, CC_OP_ADOX, CC_OP_ADCOX,
    CC_OP_CLR,          /* Z and P set, others clear (xor r,r) */
    CC_OP_NB,
} CCOp;

/* CPUID feature words (index into env->features; see cpu-models.h). */
enum {
    FEAT_1_EDX, FEAT_1_ECX, FEAT_7_0_EBX, FEAT_7_0_ECX, FEAT_7_0_EDX,
    FEAT_8000_0001_EDX, FEAT_8000_0001_ECX, FEAT_D_1_EAX, FEAT_6_EAX,
    FEAT_WORDS,
};

typedef struct SegmentCache {
    uint32_t selector;
    uint64_t base;
    uint32_t limit;     /* byte-granular, G already applied */
    uint32_t flags;     /* descriptor bytes 5..7 at bits 8..23 (type, S,
                           DPL, P, AVL, L, D/B, G), as in the descriptor */
} SegmentCache;

/* SegmentCache.flags fields (descriptor high word layout). */
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (0xfu << DESC_TYPE_SHIFT)
#define DESC_S_MASK     (1u << 12)
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3u << DESC_DPL_SHIFT)
#define DESC_P_MASK     (1u << 15)
#define DESC_AVL_MASK   (1u << 20)
#define DESC_L_MASK     (1u << 21)
#define DESC_B_MASK     (1u << 22)
#define DESC_G_MASK     (1u << 23)

typedef union X86XmmReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
} X86XmmReg;

typedef struct X86FpReg {
    uint64_t mant;      /* 80-bit extended: 64-bit significand */
    uint16_t exp;       /* sign and exponent */
} X86FpReg;

typedef struct CPUX86State {
    /* --- user-visible integer state --- */
    uint64_t regs[CPU_NB_REGS];
    uint64_t eip;
    uint64_t eflags;    /* see lazy flags above */
    int32_t df;         /* +1 or -1 */
    uint32_t cc_op;     /* CCOp */
    uint64_t cc_dst, cc_src, cc_src2;

    SegmentCache segs[SEG_COUNT];
    SegmentCache ldt, tr, gdt, idt;   /* gdt/idt: base and limit only */

    /* --- system state --- */
    uint64_t cr[5];     /* CR0, (CR1 unused), CR2, CR3, CR4 */
    uint64_t efer;
    uint32_t hflags;
    uint64_t a20_mask;  /* ~0 or ~(1 << 20) */

    uint64_t star, lstar, cstar, fmask, kernelgsbase;
    uint32_t sysenter_cs;
    uint64_t sysenter_esp, sysenter_eip;
    uint64_t pat;
    uint64_t mtrr_deftype, mtrr_fixed[11], mtrr_var_base[8], mtrr_var_mask[8];
    uint64_t misc_enable;
    uint64_t tsc_offset;     /* guest TSC = host-derived counter + offset */
    uint64_t tsc_aux;
    uint64_t tsc_deadline;
    uint64_t apic_base;
    uint64_t xcr0;
    uint64_t dr[8];
    uint32_t tpr;            /* CR8 (TPR bits 7:4 as 3:0); LAPIC reads it */

    /* --- exception in flight (owner vCPU thread) --- */
    int error_code;
    int exception_is_int;    /* software INT n: return to next insn */
    uint64_t exception_next_eip;
    int old_exception;       /* for #DF detection; -1 if none */
    bool nmi_pending, nmi_blocked;

    /* --- x87 / MMX / SSE (owner vCPU thread; docs/devel/x86-fpu.md) --- */
    X86FpReg fpregs[8];      /* physical R0-R7; MMn = fpregs[n].mant */
    uint16_t fpuc;           /* FCW */
    uint16_t fpus;           /* FSW without TOP */
    uint16_t fptag_word;     /* 11 empty / 00 valid per physical register */
    unsigned fpstt;          /* TOP */
    uint64_t fpip, fpdp;     /* last x87 insn and data pointer */
    uint16_t fpop, fpcs, fpds;
    X86XmmReg xmm_regs[16] __attribute__((aligned(16)));
    X86XmmReg xmm_t0;        /* scratch: inline-loaded memory operand */
    uint32_t mxcsr;
    uint64_t mmx_t0;

    /* --- softmmu fast-path TLB, read by generated code --- */
    CPUTLBDescFast tlb[X86_NB_MMU_MODES];

    /* --- CPU model (const after creation) --- */
    uint32_t cpuid_level, cpuid_xlevel;
    uint32_t cpuid_vendor[3];
    uint32_t cpuid_version;      /* leaf 1 EAX */
    uint32_t features[FEAT_WORDS]; /* FeatureWord-indexed CPUID bits */
    char cpuid_model[48];
    uint32_t nr_cores, nr_threads; /* per socket / per core (-smp) */
} CPUX86State;


/* interrupt_request bits of the LAPIC's INIT and start-up IPIs. */
#define CPU_INTERRUPT_INIT CPU_INTERRUPT_TGT_0
#define CPU_INTERRUPT_SIPI (CPU_INTERRUPT_TGT_0 << 1)

typedef struct X86CPU {
    CPUState parent;            /* must be first */
    CPUX86State env;
    /* the LAPIC model (hw/intc/apic.c); set once before the vCPU runs,
     * NULL without one (unit tests); its state is under the BQL */
    struct APICState *apic;
    uint32_t apic_id;
    /* BQL: INIT received, waiting for a start-up IPI (APs from reset) */
    bool wait_sipi;
    uint8_t sipi_vector;        /* BQL: the last SIPI's vector */
    /* FERR# (SDM Vol 1 8.7, appendix D), the x87 error output used with
     * CR0.NE = 0: the board's line, set once before the vCPU runs (NULL:
     * not wired); ferr_level is its level, changed only by this vCPU's
     * thread with the BQL held (fpu_helper.c) or at reset (paused). */
    struct IrqLine *ferr;
    bool ferr_level;
    /* IGNNE#, the input the board drives (BQL) and the vCPU thread reads:
     * atomic, via x86_cpu_set_ignne(). */
    bool ignne;
} X86CPU;

/* The board drives IGNNE# (port 0xF0 on a PC).  Any thread, BQL. */
static inline void x86_cpu_set_ignne(X86CPU *cpu, bool level)
{
    __atomic_store_n(&cpu->ignne, level, __ATOMIC_RELEASE);
}

static inline X86CPU *x86_cpu(CPUState *cpu)
{
    return container_of(cpu, X86CPU, parent);
}

static inline CPUX86State *x86_env(CPUState *cpu)
{
    return &x86_cpu(cpu)->env;
}

static inline X86CPU *env_x86_cpu(CPUX86State *env)
{
    return container_of(env, X86CPU, env);
}

typedef struct MachineState MachineState;
/* Creates vCPU index of the machine's -cpu model, in its power-on state.
 * Main thread, BQL, before vCPUs start. */
X86CPU *x86_cpu_create(MachineState *ms, int index, Error **errp);

/* Set by the board before the vCPUs exist: called at the end of every
 * x86 CPU reset (BQL, vCPU paused), e.g. to apply a boot loader's entry
 * state.  NULL: the architectural power-on state only. */
typedef void X86CpuResetHook(X86CPU *cpu);
extern X86CpuResetHook *x86_cpu_reset_hook;
/* Set by the board: the interrupt acknowledge cycle for CPU_INTERRUPT_HARD
 * (the PIC's vector, or -1 if nothing is pending any more).  BQL. */
typedef int X86IntAckHook(X86CPU *cpu);
extern X86IntAckHook *x86_cpu_int_ack_hook;

/* INIT: the reset state; an AP then waits for a SIPI, the BSP runs from
 * the reset vector.  SIPI: real mode at vector << 12.  The vCPU's own
 * thread, BQL. */
void x86_cpu_do_init(X86CPU *cpu);
void x86_cpu_do_sipi(X86CPU *cpu, uint8_t vector);
/* Sets the A20 gate (false: physical address bit 20 reads as 0) and
 * flushes the TLB.  The vCPU's own thread, or while it is paused. */
void x86_cpu_set_a20(X86CPU *cpu, bool enabled);

/* Recomputes env->hflags from CR0/CR4/EFER/EFLAGS/segments. */
void x86_update_hflags(CPUX86State *env);
/* Materialises OSZAPC from the lazy state. */
uint32_t cpu_cc_compute_all(CPUX86State *env);
/* EFLAGS as the guest sees it (lazy flags folded in). */
uint32_t cpu_compute_eflags(CPUX86State *env);
/* Loads EFLAGS bits under update_mask and resets the lazy state. */
void cpu_load_eflags(CPUX86State *env, uint32_t eflags, uint32_t update_mask);

#endif
