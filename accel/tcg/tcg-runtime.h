/*
 * tcg-runtime.h: the TCG runtime contract (accel/tcg/): translation blocks,
 * their cache, chaining, invalidation and flush, the execution loop, state
 * restore after a fault, the generic translator loop and the softmmu TLB.
 *
 * The runtime is target-independent.  A guest target plugs in through one
 * TargetTcgOps table, given once at start-up:
 *
 *     static const TargetTcgOps toy_tcg_ops = {
 *         .page_bits = 12, .nb_mmu_modes = 2, .insn_start_words = 1,
 *         .env_offset = offsetof(ToyCPU, env) - offsetof(ToyCPU, parent),
 *         .tlb_fast_offset = offsetof(ToyEnv, tlb),
 *         .get_tb_cpu_state = toy_get_tb_cpu_state,
 *         .translate_code = toy_translate_code,  // calls translator_loop()
 *         .restore_state_to_opc = toy_restore_state_to_opc,
 *         .tlb_fill = toy_tlb_fill,
 *         ...
 *     };
 *     tcg_runtime_init(&toy_tcg_ops, 64 << 20, &err);  // main thread, once
 *     ... declare globals with tcg_global_mem_new_*() ...
 *     // on each vCPU thread (AccelOps.init_vcpu):  tcg_vcpu_init(cpu)
 *     // AccelOps.exec_vcpu:                        tcg_cpu_exec(cpu)
 *
 * Threads and locks (docs/devel/tcg.md, "Runtime"):
 *   - tcg_runtime_init: main thread, before any vCPU thread exists.
 *   - tcg_vcpu_init/destroy, tcg_cpu_exec, tb_gen_code, tb_lookup, the TLB
 *     functions without "_all_cpus": the vCPU's own thread, without the BQL
 *     (the TLB and the jump cache of a vCPU are written only by its thread,
 *     or by exclusive work while no vCPU runs).
 *   - tb_invalidate_phys_range: any thread, no BQL needed; takes the page
 *     lock (a leaf apart from the jump lock and RCU).
 *   - tb_flush: queues exclusive work (async_safe_run_on_cpu).
 *   - cpu_loop_exit*: only from code called by generated code or by
 *     tcg_cpu_exec on the vCPU thread, with no lock held (it siglongjmps).
 *
 * Rule for helpers: a helper that may fault (any guest memory access, any
 * tlb_fill) must not hold a lock, not even rcu_read_lock, at the time:
 * faults unwind with siglongjmp to tcg_cpu_exec.
 */
#ifndef ACCEL_TCG_TCG_RUNTIME_H
#define ACCEL_TCG_TCG_RUNTIME_H

#include "util/error.h"
#include "hw/cpu.h"
#include "tcg/tcg.h"

#include <setjmp.h>
#include <urcu/rculfhash.h>

/* A guest virtual address. */
typedef uint64_t vaddr;

typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/* Page protection bits for tlb_set_page. */
enum {
    PAGE_READ = 1,
    PAGE_WRITE = 2,
    PAGE_EXEC = 4,
};

typedef struct TranslationBlock TranslationBlock;
typedef struct DisasContextBase DisasContextBase;

/* --- What the target provides --------------------------------------- */

/* The (pc, cs_base, flags) that select the TB to run next.  vCPU thread. */
typedef void TcgGetTbCpuStateFn(CPUState *cpu, vaddr *pc, uint64_t *cs_base,
                                uint32_t *flags);
/* Translates tb (pc, cs_base, flags filled in) with at most max_insns
 * guest insns, by calling translator_loop().  vCPU thread. */
typedef void TcgTranslateCodeFn(CPUState *cpu, TranslationBlock *tb,
                                int max_insns);
/* Sets the guest state (pc, ...) from the insn_start words of the insn
 * that faulted.  vCPU thread. */
typedef void TcgRestoreStateFn(CPUState *cpu, const TranslationBlock *tb,
                               const uint64_t *words);
/*
 * The page walk.  On success calls tlb_set_page() and returns true.  On a
 * fault: returns false if probe, else raises the guest exception
 * (cpu->exception_index, ...) and calls cpu_loop_exit_restore(cpu,
 * retaddr), which does not return.  vCPU thread, no locks held.
 */
typedef bool TcgTlbFillFn(CPUState *cpu, vaddr addr, int size,
                          MMUAccessType type, int mmu_idx, bool probe,
                          uintptr_t retaddr);
/* An access with a MemOp alignment requirement was misaligned: raise the
 * guest's alignment exception.  Does not return. */
typedef void TcgUnalignedFn(CPUState *cpu, vaddr addr, MMUAccessType type,
                            int mmu_idx, uintptr_t retaddr);
/* The MMU index used for instruction fetch in the current state. */
typedef int TcgCodeMmuIndexFn(CPUState *cpu);
/* Delivers a pending interrupt if the guest accepts it now; returns true
 * if it changed the guest state.  Called with the BQL. */
typedef bool TcgExecInterruptFn(CPUState *cpu, uint32_t interrupt_request);
/* A BP_CPU breakpoint matches the insn about to run: true if it fires now
 * (e.g. not suppressed by x86 EFLAGS.RF).  vCPU thread, no locks. */
typedef bool TcgDebugCheckBpFn(CPUState *cpu);
/* EXCP_DEBUG was raised (breakpoint, watchpoint hit, single-step): if it
 * belongs to the guest's own debug facilities (BP_CPU), set
 * cpu->exception_index to the guest exception and return true; false
 * hands EXCP_DEBUG to the vCPU loop (the gdbstub).  vCPU thread. */
typedef bool TcgDebugExcpFn(CPUState *cpu);

typedef struct TargetTcgOps {
    unsigned page_bits;            /* guest page size: 12 (4K) .. 16 */
    unsigned nb_mmu_modes;         /* 1 .. 16 */
    unsigned insn_start_words;     /* 1 .. TCG_MAX_INSN_WORDS */
    /*
     * The target's CPU struct starts with CPUState and contains its env at
     * env_offset bytes from the CPUState: env = (char *)cpu + env_offset.
     * Generated code reads cpu->exit_request through env at the (negative)
     * offset offsetof(CPUState, exit_request) - env_offset.
     */
    intptr_t env_offset;
    intptr_t tlb_fast_offset;      /* env offset of CPUTLBDescFast[modes] */

    TcgGetTbCpuStateFn *get_tb_cpu_state;
    TcgTranslateCodeFn *translate_code;
    TcgRestoreStateFn *restore_state_to_opc;
    TcgTlbFillFn *tlb_fill;
    TcgUnalignedFn *do_unaligned_access;
    TcgCodeMmuIndexFn *code_mmu_index;
    TcgExecInterruptFn *cpu_exec_interrupt;    /* optional */
    TcgDebugCheckBpFn *debug_check_breakpoint; /* optional */
    TcgDebugExcpFn *debug_excp_handler;        /* optional */
} TargetTcgOps;

/* Immutable after tcg_runtime_init. */
extern const TargetTcgOps *tcg_ops;

/*
 * Main thread, once, before any vCPU thread: tcg_init() with the softmmu
 * slow paths, the code buffer (code_size bytes, RWX, split into regions)
 * and the prologue.  The target declares its globals afterwards.
 */
bool tcg_runtime_init(const TargetTcgOps *ops, size_t code_size,
                      Error **errp);

/* vCPU thread, once, before tcg_cpu_exec (AccelOps.init_vcpu): TCG
 * context, TLB, jump cache.  Also valid on a test thread standing in for
 * a vCPU. */
void tcg_vcpu_init(CPUState *cpu);
/* vCPU thread, after the last tcg_cpu_exec; for a CPU with its own vCPU
 * thread also frees the thread's TCG context. */
void tcg_vcpu_destroy(CPUState *cpu);

/*
 * Runs guest code until something needs the vCPU loop: returns
 * EXCP_INTERRUPT (exit_request was set; cleared on return), EXCP_HLT, or
 * another EXCP_* / target code that a helper put in exception_index.
 * Target exceptions (exception_index < EXCP_INTERRUPT) are delivered
 * inside, through cc->do_interrupt with the BQL.  vCPU thread, no BQL.
 * This is AccelOps.exec_vcpu for TCG.
 */
int tcg_cpu_exec(CPUState *cpu);

/* Unwinds to tcg_cpu_exec (siglongjmp).  From helpers on the vCPU thread,
 * holding no lock. */
void cpu_loop_exit(CPUState *cpu) NORETURN;
/* Same, after restoring the guest state of the insn at host pc retaddr
 * (0: no restore, the state is already exact). */
void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr) NORETURN;

static inline CPUState *env_cpu(void *env)
{
    return (CPUState *)((char *)env - tcg_ops->env_offset);
}
static inline void *cpu_env(CPUState *cpu)
{
    return (char *)cpu + tcg_ops->env_offset;
}

/* --- Translation blocks ---------------------------------------------- */

/* cflags: low bits are the insn limit (0 = TCG_MAX_INSNS). */
#define CF_COUNT_MASK  0x000001ff
#define CF_NOCACHE     0x00010000  /* not in the hash table (MMIO code) */

struct TranslationBlock {
    /* Key; const after creation. */
    vaddr pc;
    uint64_t cs_base;
    uint32_t flags;
    uint32_t cflags;
    hwaddr page_addr[2];           /* guest-physical pages; [1] = -1 if one */
    uint32_t hash;

    /* Const after creation. */
    uint32_t size;                 /* guest bytes */
    uint16_t icount;               /* guest insns */
    const uint8_t *tc_ptr;         /* host code */
    uint32_t tc_size;
    const uint8_t *insn_table;     /* tcg_insn_table_encode() */
    uint32_t jmp_insn_off[2];      /* goto_tb jmp offset, or UINT32_MAX */
    uint32_t jmp_reset_off[2];

    bool invalid;                  /* atomic; set once, under the page lock */

    /* Chaining, all under tb_jmp_lock (accel/tcg/tb-maint.c). */
    TranslationBlock *jmp_dest[2]; /* where jump n is patched to, or NULL */
    uintptr_t jmp_list_head;       /* incoming edges: (src | n) list */
    uintptr_t jmp_list_next[2];    /* next incoming edge of jmp_dest[n] */

    /* Page lists, under the page lock: next TB on page_addr[n]. */
    uintptr_t page_next[2];

    struct cds_lfht_node htnode;   /* the TB hash table (RCU) */
};

/*
 * Looks up the TB for (pc, cs_base, flags) at the physical page pc maps to
 * now: jump cache, then the hash table.  May fill the code TLB (and fault:
 * siglongjmp).  Returns NULL if there is none yet.  vCPU thread.
 */
TranslationBlock *tb_lookup(CPUState *cpu, vaddr pc, uint64_t cs_base,
                            uint32_t flags);
/*
 * Translates and publishes a TB.  If another vCPU published the same TB
 * meanwhile, returns that one (ours is discarded).  May siglongjmp (code
 * fetch fault, or code buffer full: a flush is queued and exec returns
 * EXCP_INTERRUPT).  vCPU thread.
 */
TranslationBlock *tb_gen_code(CPUState *cpu, vaddr pc, uint64_t cs_base,
                              uint32_t flags, uint32_t cflags);
/* Patches jump n of tb to go to next (unless either is invalid or tb's
 * jump n is already chained).  Any vCPU thread. */
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *next);
/* Invalidates every TB with code on a guest-physical page that intersects
 * [start, end).  Any thread. */
void tb_invalidate_phys_range(hwaddr start, hwaddr end);
/* Queues a flush of every TB as exclusive work on cpu (any thread). */
void tb_flush(CPUState *cpu);
/* Number of flushes done so far.  Any thread. */
unsigned tb_flush_count(void);
/* Number of TBs in the hash table (slow; tests and statistics). */
unsigned long tb_count(void);
/* Buckets of the TB hash table (it grows with the TB count).  Any thread. */
unsigned long tb_htable_size(void);
/* True if the guest-physical page at addr holds code of some TB. */
bool tb_page_is_code(hwaddr addr);

/* Restores the guest state of the insn at host pc (a helper's GETPC() or
 * a slow path's retaddr).  False if host_pc is not in any TB. */
bool cpu_restore_state(CPUState *cpu, uintptr_t host_pc);
/* The TB whose code contains host_pc - 1, or NULL.  Any thread. */
TranslationBlock *tb_find_by_host_pc(uintptr_t host_pc);
/* Whether tb's guest code overlaps guest-physical [start, end).  Any
 * thread (tb's key fields are const). */
bool tb_code_overlaps(const TranslationBlock *tb, hwaddr start, hwaddr end);

/* A helper's return address inside the TB. */
#define GETPC() ((uintptr_t)__builtin_return_address(0))

/* Emits the indirect-jump sequence: a helper looks up the TB of the
 * current state and goto_ptr jumps to it (or to the epilogue). */
void tcg_gen_lookup_and_goto_ptr(void);
/* The same at the end of tb (being translated) for a jump that the target
 * knows keeps tb's cs_base and flags (a near indirect jump, call or
 * return) to the guest pc in pc (the state is already stored in env): the
 * vCPU's jump cache is probed inline, and only a miss calls the helper.
 * A CF_NOCACHE tb (single-step, watchpoint step, SMC) always goes through
 * the helper, which sends it back to the loop when the debugger wants.
 * Translating thread. */
void tcg_gen_lookup_and_goto_ptr_pc(const TranslationBlock *tb, TCGv_i64 pc);

/* --- The translator loop (accel/tcg/translator.c) --------------------- */

enum {
    DISAS_NEXT = 0,        /* go on with the next insn */
    DISAS_TOO_MANY,        /* stop: insn limit or page end; pc_next is next */
    DISAS_NORETURN,        /* the insn ended the TB itself (exit or fault) */
    DISAS_TARGET_0,        /* targets number their own values from here */
};

struct DisasContextBase {
    TranslationBlock *tb;
    vaddr pc_first;
    vaddr pc_next;             /* guest pc of the next insn to translate */
    int is_jmp;                /* DISAS_* */
    int num_insns;
    int max_insns;
    /* Private to translator.c: the (at most two) code pages read. */
    vaddr page_virt[2];
    hwaddr page_phys[2];
    uint8_t *page_host[2];     /* NULL: not RAM, read through the memory API */
    TCGLabel *exit_label;
};

typedef void TranslatorHookFn(DisasContextBase *db, CPUState *cpu);
typedef void TranslatorLogFn(const DisasContextBase *db, CPUState *cpu,
                             FILE *f);

typedef struct TranslatorOps {
    TranslatorHookFn *init_disas_context;
    TranslatorHookFn *tb_start;
    TranslatorHookFn *insn_start;      /* emits tcg_gen_insn_start */
    TranslatorHookFn *translate_insn;  /* advances pc_next, may set is_jmp */
    TranslatorHookFn *tb_stop;         /* emits the TB's exit */
    TranslatorLogFn *disas_log;        /* -d in_asm; optional */
} TranslatorOps;

/*
 * Builds the IR of tb: the exit_request check, then insns until is_jmp is
 * set or max_insns is reached, then tb_stop.  Sets tb->size, tb->icount and
 * the code pages.  A target stops (DISAS_TOO_MANY) before an insn that
 * starts on a new page, except when it is the first; an insn that crosses
 * into a page that does not translate is cut off by restarting the TB
 * without it, so that its fault comes with the right pc.  vCPU thread.
 */
void translator_loop(const TranslatorOps *ops, DisasContextBase *db,
                     CPUState *cpu, TranslationBlock *tb, int max_insns);
/* True if a direct goto_tb to dest may be chained: dest is on the TB's
 * first page and chaining is not disabled (-d nochain). */
bool translator_use_goto_tb(const DisasContextBase *db, vaddr dest);
/* True if pc is on the same guest page as the TB's first insn. */
bool translator_is_same_page(const DisasContextBase *db, vaddr pc);

/* Guest code fetch; records the pages.  endian: MO_LE or MO_BE. */
uint8_t translator_ldub(CPUState *cpu, DisasContextBase *db, vaddr pc);
uint16_t translator_lduw(CPUState *cpu, DisasContextBase *db, vaddr pc,
                         MemOp endian);
uint32_t translator_ldl(CPUState *cpu, DisasContextBase *db, vaddr pc,
                        MemOp endian);
uint64_t translator_ldq(CPUState *cpu, DisasContextBase *db, vaddr pc,
                        MemOp endian);

/* --- Softmmu (accel/tcg/cputlb.c) ---------------------------------- */

/*
 * Flag bits in TLBEntry.addr_read/write/code (below the page bits, so any
 * of them makes the inline compare miss):
 *   TLB_INVALID   the entry is empty (an empty field is all ones);
 *   TLB_MMIO      not RAM: every access goes through the memory API;
 *   TLB_NOTDIRTY  (write side) the page holds TB code: writes invalidate;
 *   TLB_WATCHPOINT (read and write sides) a watchpoint overlaps the page:
 *                 accesses are checked (accel/tcg/debug.c).  Not in
 *                 TLB_FLAGS: it combines with any of those.
 */
#define TLB_INVALID   (1u << 9)
#define TLB_MMIO      (1u << 8)
#define TLB_NOTDIRTY  (1u << 7)
#define TLB_FLAGS     (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY)
#define TLB_WATCHPOINT (1u << 6)

#define TLB_ENTRIES   256          /* per MMU index, direct-mapped */
#define TLB_VICTIM    8            /* per MMU index, fully associative */

/* Installs a translation of the page containing vaddr.  page_size >= the
 * guest page size (large pages: flush_page of any page in it flushes the
 * MMU index).  Called by the target's tlb_fill.  vCPU thread. */
void tlb_set_page(CPUState *cpu, vaddr vaddr, hwaddr paddr, int prot,
                  int mmu_idx, uint64_t page_size);

/* Flushes of the calling vCPU's own TLB (vCPU thread, or any thread while
 * the vCPU is paused outside tcg_cpu_exec).  Also clear the jump cache. */
void tlb_flush(CPUState *cpu);
void tlb_flush_page(CPUState *cpu, vaddr addr);
void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap);
void tlb_flush_page_by_mmuidx(CPUState *cpu, vaddr addr, uint16_t idxmap);
/*
 * The same on every vCPU: src's own flush is done at once, the others'
 * are queued with async_run_on_cpu and done by their owners before they
 * run more guest code.  Any thread (src may be NULL).
 */
void tlb_flush_all_cpus(CPUState *src);
void tlb_flush_page_all_cpus(CPUState *src, vaddr addr);
void tlb_flush_by_mmuidx_all_cpus(CPUState *src, uint16_t idxmap);
/*
 * Synced forms (tlbie + tlbsync, INVLPG broadcast): the others' flushes
 * are queued as async work and src's own as exclusive work, so when src
 * runs guest code again no vCPU runs with a stale entry.  vCPU thread of
 * src; the caller ends the TB (cpu_loop_exit) after the call.
 */
void tlb_flush_all_cpus_synced(CPUState *src);
void tlb_flush_page_all_cpus_synced(CPUState *src, vaddr addr);

/*
 * Host pointer for a guest access from a helper (probe = true returns NULL
 * on a fault instead of raising it); NULL also for MMIO.  vCPU thread.
 */
void *tlb_probe_host(CPUState *cpu, vaddr addr, int size, MMUAccessType type,
                     int mmu_idx, bool probe, uintptr_t retaddr);

/*
 * Host pointer for addr if this vCPU's TLB already maps its page as plain
 * RAM for the access type (the fast path's hit: no MMIO, not-dirty or
 * watchpoint flag), else NULL.  Never fills and never faults, so bulk
 * helpers (x86 REP MOVS/STOS) use it and leave everything else to the
 * normal per-element path.  The caller keeps within the page.  vCPU
 * thread.
 */
void *tlb_host_plain(CPUState *cpu, vaddr addr, MMUAccessType type,
                     int mmu_idx);

/* Guest memory access from C helpers (the slow path, with the fast TLB
 * check first).  May fault: siglongjmp after restoring state at retaddr. */
uint64_t cpu_ld_mmu(CPUState *cpu, vaddr addr, MemOpIdx oi, uintptr_t ra);
void cpu_st_mmu(CPUState *cpu, vaddr addr, uint64_t val, MemOpIdx oi,
                uintptr_t ra);

/* Statistics and test hooks (owner thread, or tests). */
typedef struct TcgCpuStats {
    uint64_t tlb_fills;        /* tlb_set_page calls */
    uint64_t victim_hits;
    uint64_t slow_mmio;        /* slow-path accesses that went to MMIO */
    uint64_t notdirty_writes;
    uint64_t smc_current_tb;   /* stores into the executing TB's code */
    uint64_t tb_lookups_jc;    /* found in the jump cache */
    uint64_t tb_lookups_ht;    /* found in the hash table */
    uint64_t tb_translated;
    uint64_t tb_discarded;     /* lost an insert race or an invalidation */
    uint64_t chained;
    uint64_t atomic_steps;     /* atomics run as an exclusive step */
} TcgCpuStats;
TcgCpuStats *tcg_cpu_stats(CPUState *cpu);
/* Exclusive atomic steps of all vCPUs so far.  Any thread. */
uint64_t tcg_atomic_step_count(void);
/* Code buffer regions in use / total. */
void tcg_region_stats(unsigned *used, unsigned *total);

/* --- Target registry (accel/tcg/tcg-accel.c) ------------------------- */

/* Declares the target's TCG globals; main thread, after tcg_runtime_init. */
typedef void TcgTargetGlobalsFn(void);

/*
 * A target with a translator registers it for its machine arch ("x86_64")
 * from a constructor; the "tcg" accelerator's init_machine picks the one
 * for current_machine->mc->arch.  Start-up only.
 */
void tcg_register_target(const char *arch, const TargetTcgOps *ops,
                         TcgTargetGlobalsFn *init_globals);
/* The registered ops for arch, or NULL.  Any thread (read-only after
 * start-up). */
const TargetTcgOps *tcg_find_target(const char *arch);

#endif
