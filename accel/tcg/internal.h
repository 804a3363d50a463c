/*
 * internal.h: state shared by the files of accel/tcg/ and nobody else.
 *
 * TcgCpu is the per-vCPU runtime state (CPUState.accel_data).  It belongs
 * to the vCPU's thread; the only other writer is exclusive work (tb_flush),
 * which runs while every vCPU is outside guest code and so owns it all.
 */
#ifndef ACCEL_TCG_INTERNAL_H
#define ACCEL_TCG_INTERNAL_H

#include "accel/accel.h"
#include "accel/tcg/tcg-runtime.h"

typedef struct TcgRegion TcgRegion;

/*
 * ThreadSanitizer does not see the publication of a TB through rculfhash
 * (liburcu is not instrumented) nor through a patched jump in generated
 * code, so the TB's writer releases it once it is complete and every path
 * that obtains a TB pointer acquires it.
 */
#ifdef CONFIG_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define TSAN_RELEASE(p) __tsan_release(p)
#define TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define TSAN_RELEASE(p) do { } while (0)
#define TSAN_ACQUIRE(p) do { } while (0)
#endif

/* The slow part of one TLB entry (parallel to the fast TLBEntry). */
typedef struct CPUTLBEntryFull {
    hwaddr phys_page;          /* guest-physical page, page-aligned */
    bool is_ram;               /* addend is valid for reads */
} CPUTLBEntryFull;

typedef struct CPUTLBDesc {
    TLBEntry *table;           /* == the env's CPUTLBDescFast.table */
    CPUTLBEntryFull *full;     /* TLB_ENTRIES */
    TLBEntry vtable[TLB_VICTIM];
    CPUTLBEntryFull vfull[TLB_VICTIM];
    unsigned vindex;           /* next victim slot to replace */
    vaddr large_page_addr;     /* range covered by large pages, or -1 */
    vaddr large_page_mask;
} CPUTLBDesc;

#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1u << TB_JMP_CACHE_BITS)
/* Six bits pick a group from the page number, six bits an entry in the
 * group from the offset, so a page's entries sit in one group of 64. */
#define TB_JMP_PAGE_BITS 6

typedef struct TbJmpCacheEntry {
    TranslationBlock *tb;
    vaddr pc;
} TbJmpCacheEntry;

typedef struct TcgCpu {
    CPUState *cpu;
    sigjmp_buf jmp_env;        /* tcg_cpu_exec's landing pad */
    bool jmp_env_valid;        /* inside tcg_cpu_exec */
    CPUTLBDesc tlb[16];        /* index < tcg_ops->nb_mmu_modes */
    TbJmpCacheEntry jc[TB_JMP_CACHE_SIZE];
    TcgRegion *region;         /* current code region, or NULL */
    uint8_t *region_ptr;       /* first free byte in it */
    TcgCpuStats stats;
    bool smc_single;           /* owner: run the next insn alone, uncached
                                * (a store hit the executing TB: cputlb.c) */
    struct TcgCpu *next;       /* tcg_cpus list, under tcg_cpus_lock */
    pthread_t owner;           /* const: the thread that runs this CPU */
    /*
     * Work for a bare CPU (no vCPU thread, so no cpu-exec work queue)
     * from other threads; run by the owner in tcg_cpu_exec.
     */
    pthread_mutex_t bare_lock;
    GArray *bare_work;         /* bare_lock: TcgBareWork */
    bool bare_pending;         /* atomic: bare_work is not empty */
    /* debug.c: a watchpoint fired; run its insn again alone, then
     * EXCP_DEBUG.  Owner thread. */
    bool wp_step;
    /* Owner thread: inside tcg_exec_atomic_step (start_exclusive held). */
    bool in_atomic_step;
} TcgCpu;

/*
 * exception_index that tlb_atomic_host_addr sets when an atomic access
 * cannot be a host atomic: the loop runs the insn again as an exclusive
 * step.  Internal to accel/tcg, never returned from exec_vcpu.
 */
#define EXCP_TCG_ATOMIC (EXCP_INTERRUPT + 0x100)

typedef struct TcgBareWork {
    RunOnCpuFn *fn;
    void *data;
} TcgBareWork;

static inline TcgCpu *tcg_cpu(CPUState *cpu)
{
    return cpu->accel_data;
}

/* A CPU run by its own vCPU thread through cpu-exec.c (work can be queued
 * to it), as opposed to a "bare" CPU driven directly by a test thread. */
static inline bool cpu_is_threaded(CPUState *cpu)
{
    return cpu->accel && cpu->accel->has_vcpu_threads && cpu->created;
}

/*
 * The entry of pc: the page picks the group, and within the group bits
 * 2-7 of pc folded with bits 8-13, so that branch targets a multiple of
 * 256 bytes apart (switch cases, small functions) do not all collide.
 * tb_jmp_cache_clear_page() and tcg_gen_lookup_and_goto_ptr_pc() depend
 * on this shape.
 */
static inline unsigned tb_jmp_cache_hash(vaddr pc)
{
    const unsigned lo = TB_JMP_CACHE_BITS - TB_JMP_PAGE_BITS;
    unsigned page = (pc >> tcg_ops->page_bits) & ((1u << TB_JMP_PAGE_BITS) - 1);
    unsigned off = ((pc >> 2) ^ (pc >> (2 + lo))) & ((1u << lo) - 1);

    return (page << (TB_JMP_CACHE_BITS - TB_JMP_PAGE_BITS)) | off;
}

static inline vaddr tcg_page_mask(void)
{
    return ~(((vaddr)1 << tcg_ops->page_bits) - 1);
}

/* tb-maint.c */
void tcg_regions_init(uint8_t *buf, size_t size);
void tb_maint_init(void);
void tcg_cpu_register(TcgCpu *t);
void tcg_cpu_unregister(TcgCpu *t);
/*
 * Runs fn(cpu, data) for every TcgCpu but self, on the CPU's own thread:
 * async_run_on_cpu for vCPU threads (with the BQL), the bare-work list for
 * bare CPUs of other threads, directly for bare CPUs of this thread.  If
 * data_size is not 0, each call gets its own g_memdup2 copy of data (fn
 * frees it).  Any thread, no locks held.
 */
void tcg_run_on_other_cpus(CPUState *self, RunOnCpuFn *fn, void *data,
                           size_t data_size);
/* Runs the bare-work list.  Owner thread of a bare CPU. */
void tcg_run_bare_work(TcgCpu *t);
/* Clears the jump cache entries of the page of addr (all if addr == -1). */
void tb_jmp_cache_clear_page(TcgCpu *t, vaddr addr);
/* The page lock's generation counter: bumped by every invalidation. */
TranslationBlock *tb_htable_lookup(vaddr pc, hwaddr phys_pc,
                                   uint64_t cs_base, uint32_t flags);

/* cputlb.c */
void tlb_init_cpu(CPUState *cpu);
void tlb_destroy_cpu(CPUState *cpu);
/*
 * The guest-physical address of code at addr (filling the code TLB; may
 * fault), and its host address in *hostp (NULL if not RAM).  probe: return
 * -1 instead of faulting.  vCPU thread.
 */
hwaddr get_page_addr_code_hostp(CPUState *cpu, vaddr addr, bool probe,
                                void **hostp);
/* A page became code: mark this vCPU's writable entries of it NOTDIRTY
 * (now) and the other vCPUs' (queued).  vCPU thread or any thread. */
void tlb_protect_code_all(CPUState *self, hwaddr phys_page);
/* Softmmu slow paths given to tcg_init(). */
uint64_t tlb_slow_ld(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra);
void tlb_slow_st(void *env, uint64_t addr, uint64_t val, MemOpIdx oi,
                 uintptr_t ra);
void *tlb_atomic_host_addr(void *env, uint64_t addr, MemOpIdx oi,
                           uintptr_t ra);

/* debug.c (include/exec/breakpoint.h) */
void tcg_debug_changed(CPUState *cpu, uint64_t addr, uint64_t len, int flags);
void tcg_debug_memory_written(uint64_t addr, uint64_t len);
/* Emits the breakpoint check for the insn at pc.  Translator. */
void tcg_gen_debug_check(vaddr pc);
/* True if a watchpoint of cpu overlaps the guest page at page. */
bool tcg_page_has_watchpoint(CPUState *cpu, vaddr page);
/* Slow path, before an access to a TLB_WATCHPOINT page: may unwind. */
void tcg_watchpoint_check(CPUState *cpu, vaddr addr, unsigned size,
                          int access, uintptr_t ra);
/* tcg-exec.c: leaves the exclusive atomic step.  Owner thread. */
void tcg_atomic_step_leave(CPUState *cpu, TcgCpu *t);

/* cpu-exec-tcg.c: per-thread -dfilter decision for the TB in hand. */
void tcg_log_filter_set(vaddr pc, vaddr end);

#endif
