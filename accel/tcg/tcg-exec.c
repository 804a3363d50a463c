/*
 * tcg-exec.c: start-up of the TCG runtime, per-vCPU state, and the
 * execution loop that AccelOps.exec_vcpu runs for TCG.
 *
 *     tcg_cpu_exec(cpu):                     // vCPU thread, no BQL
 *         sigsetjmp(landing pad)             // faults come back here
 *         deliver a pending exception/interrupt (BQL, target hooks)
 *         loop:
 *             exit_request set?  -> clear it, return EXCP_INTERRUPT
 *             (pc, cs_base, flags) = target state
 *             tb = jump cache / hash table / tb_gen_code
 *             chain the previous TB's exit to tb (unless -d nochain)
 *             ret = tcg_qemu_tb_exec(env, tb)    // generated code
 *
 * Every TB starts with a load of cpu->exit_request (through env, at a
 * negative offset) and leaves with TB_EXIT_REQUESTED if it is set, so
 * cpu_exit() from any thread stops even a chained loop of TBs at the next
 * block boundary.  Such a TB ran none of its code, and a chained jump into
 * it skipped the guest pc update of the TB before, so the loop then sets
 * the guest state to the TB's first insn (tb_restore_entry_state).
 *
 * Faults: a helper or the softmmu slow path that must raise a guest
 * exception sets cpu->exception_index and calls cpu_loop_exit[_restore],
 * which siglongjmps to the landing pad.  Everything between is on this
 * thread's stack and holds no lock (the rule for helpers, see
 * tcg-runtime.h).  Exceptions below EXCP_INTERRUPT are the target's and
 * are delivered here with cc->do_interrupt under the BQL; EXCP_* codes
 * from accel.h are returned to the vCPU loop.
 *
 * Interrupts: interrupt_request is looked at when tcg_cpu_exec is entered
 * (every cpu_interrupt() kicks the vCPU out to the loop first) and after
 * an exception.  A target insn that unmasks interrupts must end its TB
 * and set exit_request (cpu_exit) so that a pending one is seen.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "accel/accel.h"
#include "accel/tcg/internal.h"
#include "exec/breakpoint.h"
#include "tcg/tcg-op.h"

#include <sys/mman.h>

const TargetTcgOps *tcg_ops;

#define TCG_PROLOGUE_BYTES (64 * 1024)

bool tcg_runtime_init(const TargetTcgOps *ops, size_t code_size,
                      Error **errp)
{
    TCGTargetParams p = {
        .page_bits = ops->page_bits,
        .tlb_fast_offset = ops->tlb_fast_offset,
        .nb_mmu_modes = ops->nb_mmu_modes,
        .insn_start_words = ops->insn_start_words,
        .slow_ld = tlb_slow_ld,
        .slow_st = tlb_slow_st,
        .atomic_host_addr = tlb_atomic_host_addr,
    };
    uint8_t *buf;

    assert(!tcg_ops);
    assert(ops->page_bits >= 10 && ops->page_bits <= 16);
    assert(ops->nb_mmu_modes >= 1 && ops->nb_mmu_modes <= 16);
    if (code_size < (8u << 20)) {
        error_setg(errp, "tb-size: the code buffer needs at least 8 MiB");
        return false;
    }
    buf = mmap(NULL, code_size, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map a %zu MiB code buffer",
                         code_size >> 20);
        return false;
    }
    tcg_ops = ops;
    tcg_init(&p);
    if (tcg_prologue_init(buf, TCG_PROLOGUE_BYTES) == 0) {
        error_setg(errp, "cannot generate the TCG prologue");
        return false;
    }
    tcg_regions_init(buf, code_size);
    tb_maint_init();
    return true;
}

/* CPUs initialised on this thread and not yet destroyed: one, or every
 * vCPU under round robin.  The translation context goes with the last. */
static __thread int tcg_thread_cpus;

void tcg_vcpu_init(CPUState *cpu)
{
    TcgCpu *t = g_new0(TcgCpu, 1);

    assert(tcg_ops && cpu->env_ptr == cpu_env(cpu));
    t->cpu = cpu;
    t->owner = pthread_self();
    pthread_mutex_init(&t->bare_lock, NULL);
    t->bare_work = g_array_new(false, false, sizeof(TcgBareWork));
    cpu->accel_data = t;
    if (!tcg_ctx) {
        tcg_context_init_thread();
    }
    tlb_init_cpu(cpu);
    tcg_cpu_register(t);
    tcg_thread_cpus++;
}

void tcg_vcpu_destroy(CPUState *cpu)
{
    TcgCpu *t = tcg_cpu(cpu);

    tcg_cpu_unregister(t);
    tcg_run_bare_work(t);
    g_array_free(t->bare_work, true);
    pthread_mutex_destroy(&t->bare_lock);
    tlb_destroy_cpu(cpu);
    cpu->accel_data = NULL;
    g_free(t);
    if (--tcg_thread_cpus == 0 && cpu_is_threaded(cpu)) {
        /* The loop thread's last vCPU: its translation context goes too.
         * A thread driving bare CPUs destroys its context itself. */
        tcg_context_destroy_thread();
    }
}

TcgCpuStats *tcg_cpu_stats(CPUState *cpu)
{
    return &tcg_cpu(cpu)->stats;
}

void tcg_log_filter_set(vaddr pc, vaddr end)
{
    log_tb_filtered = !log_in_dfilter(pc, end > pc ? end - 1 : pc);
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

/* Drops a TB whose second page now translates elsewhere. */
static bool tb_page2_ok(CPUState *cpu, TranslationBlock *tb, bool probe_only)
{
    vaddr p2 = (tb->pc & tcg_page_mask()) + (1ull << tcg_ops->page_bits);
    void *host;
    hwaddr phys;

    if (tb->page_addr[1] == (hwaddr)-1) {
        return true;
    }
    phys = get_page_addr_code_hostp(cpu, p2, true, &host);
    if (phys == tb->page_addr[1]) {
        return true;
    }
    if (!probe_only) {
        /* Our key does not cover page 2; retire the stale TB so that the
         * retranslation can take its place in the hash table. */
        tb_invalidate_phys_range(tb->page_addr[1], tb->page_addr[1] + 1);
    }
    return false;
}

static TranslationBlock *tb_lookup_common(CPUState *cpu, vaddr pc,
                                          uint64_t cs_base, uint32_t flags,
                                          bool probe)
{
    TcgCpu *t = tcg_cpu(cpu);
    TbJmpCacheEntry *j = &t->jc[tb_jmp_cache_hash(pc)];
    TranslationBlock *tb = j->tb;
    void *host;
    hwaddr phys;

    if (tb && j->pc == pc && tb->cs_base == cs_base && tb->flags == flags &&
        !__atomic_load_n(&tb->invalid, __ATOMIC_ACQUIRE)) {
        t->stats.tb_lookups_jc++;
        return tb;
    }
    phys = get_page_addr_code_hostp(cpu, pc, probe, &host);
    if (phys == (hwaddr)-1 || !host) {
        return NULL;            /* unmapped (probe) or not RAM: uncached */
    }
    tb = tb_htable_lookup(pc, phys, cs_base, flags);
    if (!tb || !tb_page2_ok(cpu, tb, probe)) {
        return NULL;
    }
    t->stats.tb_lookups_ht++;
    j->tb = tb;
    j->pc = pc;
    return tb;
}

TranslationBlock *tb_lookup(CPUState *cpu, vaddr pc, uint64_t cs_base,
                            uint32_t flags)
{
    return tb_lookup_common(cpu, pc, cs_base, flags, false);
}

/* goto_ptr's helper: the host code of the TB for the current state, or the
 * epilogue (back to the loop).  Never faults (probe). */
static const void *helper_lookup_tb_ptr(void *env)
{
    CPUState *cpu = env_cpu(env);
    TranslationBlock *tb;
    uint64_t cs_base;
    uint32_t flags;
    vaddr pc;

    if (log_enabled(LOG_NOCHAIN | LOG_EXEC | LOG_CPU)) {
        return tcg_code_gen_epilogue;   /* the loop logs every block */
    }
    if (__atomic_load_n(&cpu->singlestep_enabled, __ATOMIC_RELAXED) ||
        tcg_cpu(cpu)->wp_step) {
        return tcg_code_gen_epilogue;   /* one insn per TB, via the loop */
    }
    tcg_ops->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
    tb = tb_lookup_common(cpu, pc, cs_base, flags, true);
    return tb ? tb->tc_ptr : tcg_code_gen_epilogue;
}

static const TCGHelperInfo helper_lookup_tb_ptr_info = {
    .func = helper_lookup_tb_ptr, .name = "lookup_tb_ptr",
    .flags = TCG_CALL_NO_WG, .ret = TCG_CALL_I64, .nb_args = 1,
};

void tcg_gen_lookup_and_goto_ptr(void)
{
    TCGv_ptr p = tcg_temp_new_ptr();
    TCGArg args[1] = { tcgv_ptr_arg(tcg_env) };

    tcg_gen_callN(&helper_lookup_tb_ptr_info, tcgv_ptr_arg(p), 1, args);
    tcg_gen_goto_ptr(p);
    tcg_temp_free_ptr(p);
}

static TCGv_ptr as_ptr(TCGv_i64 v)
{
    return (TCGv_ptr)(void *)v;
}

/*
 * The jump-cache probe of tb_lookup_common, in generated code: an indirect
 * jump that hits costs about fifteen host insns instead of a helper call
 * (which also frees every caller-saved register).  The entry is read
 * without a lock like the C probe does: the jump cache and the TB fields
 * compared are written only by this vCPU's thread or are const, and
 * tb->invalid is checked last.  Under TSan (which cannot see this
 * publication), while -d nochain/exec/cpu want every block to go
 * through the loop, and from a CF_NOCACHE block (the one-insn blocks of
 * single-step and watchpoint steps, whose next block must come from the
 * loop: the helper checks singlestep_enabled and wp_step at run time),
 * the helper does it all.
 */
void tcg_gen_lookup_and_goto_ptr_pc(const TranslationBlock *cur, TCGv_i64 pc)
{
    const unsigned lo = TB_JMP_CACHE_BITS - TB_JMP_PAGE_BITS;
    const intptr_t jc = offsetof(TcgCpu, jc);
    TCGLabel *miss;
    TCGv_i64 idx, t, e, tb, pc_2;
    TCGv_i32 w;

    G_STATIC_ASSERT(sizeof(TbJmpCacheEntry) == 16);
#ifdef CONFIG_TSAN
    if (true) {
        tcg_gen_lookup_and_goto_ptr();
        return;
    }
#endif
    if (log_enabled(LOG_NOCHAIN | LOG_EXEC | LOG_CPU) ||
        (cur->cflags & CF_NOCACHE)) {
        tcg_gen_lookup_and_goto_ptr();
        return;
    }
    miss = gen_new_label();
    idx = tcg_temp_new_i64();
    t = tcg_temp_new_i64();
    e = tcg_temp_new_i64();
    tb = tcg_temp_new_i64();
    pc_2 = tcg_temp_new_i64();
    w = tcg_temp_new_i32();

    /* &jc[tb_jmp_cache_hash(pc)] */
    tcg_gen_shri_i64(pc_2, pc, 2);
    tcg_gen_shri_i64(idx, pc, tcg_ops->page_bits);
    tcg_gen_andi_i64(idx, idx, (1u << TB_JMP_PAGE_BITS) - 1);
    tcg_gen_shli_i64(idx, idx, lo + 4);
    tcg_gen_shri_i64(t, pc, 2 + lo);
    tcg_gen_xor_i64(t, t, pc_2);
    tcg_gen_andi_i64(t, t, (1u << lo) - 1);
    tcg_gen_shli_i64(t, t, 4);
    tcg_gen_or_i64(idx, idx, t);
    tcg_gen_ld_i64(e, tcg_env,
                   offsetof(CPUState, accel_data) - tcg_ops->env_offset);
    tcg_gen_add_i64(e, e, idx);

    tcg_gen_ld_i64(t, as_ptr(e), jc + offsetof(TbJmpCacheEntry, pc));
    tcg_gen_brcond_i64(TCG_COND_NE, t, pc, miss);
    tcg_gen_ld_i64(tb, as_ptr(e), jc + offsetof(TbJmpCacheEntry, tb));
    tcg_gen_brcond_i64(TCG_COND_EQ, tb, tcg_constant_i64(0), miss);
    tcg_gen_ld_i32(w, as_ptr(tb), offsetof(TranslationBlock, flags));
    tcg_gen_brcond_i32(TCG_COND_NE, w, tcg_constant_i32(cur->flags), miss);
    tcg_gen_ld_i64(t, as_ptr(tb), offsetof(TranslationBlock, cs_base));
    tcg_gen_brcond_i64(TCG_COND_NE, t, tcg_constant_i64(cur->cs_base), miss);
    tcg_gen_ld8u_i32(w, as_ptr(tb), offsetof(TranslationBlock, invalid));
    tcg_gen_brcond_i32(TCG_COND_NE, w, tcg_constant_i32(0), miss);
    tcg_gen_ld_i64(t, as_ptr(tb), offsetof(TranslationBlock, tc_ptr));
    tcg_gen_goto_ptr(as_ptr(t));

    gen_set_label(miss);
    tcg_gen_lookup_and_goto_ptr();
    tcg_temp_free_i32(w);
    tcg_temp_free_i64(pc_2);
    tcg_temp_free_i64(tb);
    tcg_temp_free_i64(e);
    tcg_temp_free_i64(t);
    tcg_temp_free_i64(idx);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

void cpu_loop_exit(CPUState *cpu)
{
    TcgCpu *t = tcg_cpu(cpu);

    /* Helpers must not hold the BQL (or any lock) when they fault. */
    assert(!bql_locked());
    assert(t->jmp_env_valid);
    siglongjmp(t->jmp_env, 1);
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr)
{
    if (retaddr) {
        cpu_restore_state(cpu, retaddr);
    }
    cpu_loop_exit(cpu);
}

/* Delivers a target exception with the BQL (ARCHITECTURE.md section 1,
 * point 1).  Owner thread, no BQL. */
static void tcg_deliver_exception(CPUState *cpu)
{
    assert(!bql_locked());
    if (log_enabled(LOG_INT)) {
        log_printf("cpu %d: exception %d\n", cpu->cpu_index,
                   cpu->exception_index);
    }
    bql_lock(bql_cause_exception);
    if (cpu->cc && cpu->cc->do_interrupt) {
        cpu->cc->do_interrupt(cpu);
    }
    bql_unlock();
    cpu->exception_index = -1;
}

/* Lets the target take a pending interrupt, with the BQL (section 1,
 * point 1).  Owner thread, no BQL. */
static void tcg_check_interrupt(CPUState *cpu)
{
    uint32_t irq = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE);
    int sstep = __atomic_load_n(&cpu->singlestep_enabled, __ATOMIC_RELAXED);

    if ((sstep & (SSTEP_ENABLE | SSTEP_NOIRQ)) ==
        (SSTEP_ENABLE | SSTEP_NOIRQ)) {
        return;             /* the debugger steps with interrupts masked */
    }
    assert(!bql_locked());
    if (irq && tcg_ops->cpu_exec_interrupt) {
        bql_lock(bql_cause_exception);
        tcg_ops->cpu_exec_interrupt(cpu, irq);
        bql_unlock();
    }
}

static void tcg_log_exec(CPUState *cpu, TranslationBlock *tb)
{
    tcg_log_filter_set(tb->pc, tb->pc + tb->size);
    if (log_enabled(LOG_EXEC)) {
        log_printf("Trace %d: %p [%016" PRIx64 "/%016" PRIx64 "/%08x] "
                   "%s\n", cpu->cpu_index, (void *)tb->tc_ptr, tb->cs_base,
                   tb->pc, tb->flags,
                   (tb->cflags & CF_NOCACHE) ? " nocache" : "");
    }
    if (log_enabled(LOG_CPU) && cpu->cc && cpu->cc->dump_state) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        cpu->cc->dump_state(cpu, f);
        fclose(f);
        log_printf("%s", buf);
        free(buf);
    }
    log_tb_filtered = false;
}

/*
 * last_tb left at its entry check (exit_request) without running any of
 * its code.  It may have been entered through a chained jump, and a
 * chained goto_tb skips the guest pc store that follows it in the previous
 * TB, so the state may still say where an earlier TB began: set it to the
 * start of last_tb (its first insn's start words).  Owner thread.
 */
static void tb_restore_entry_state(CPUState *cpu, TranslationBlock *tb)
{
    uint64_t words[TCG_MAX_INSN_WORDS] = { 0 };

    if (tcg_ops->restore_state_to_opc &&
        tcg_restore_state_lookup(tb->tc_ptr, tb->insn_table,
                                 (uintptr_t)tb->tc_ptr + 1, words) == 0) {
        tcg_ops->restore_state_to_opc(cpu, tb, words);
    }
}

/* ------------------------------------------------------------------ */
/* The exclusive atomic step                                           */

static uint64_t tcg_atomic_steps_total;     /* atomic: all vCPUs */

uint64_t tcg_atomic_step_count(void)
{
    return __atomic_load_n(&tcg_atomic_steps_total, __ATOMIC_RELAXED);
}

/* Enters the step: out of guest code, then every other vCPU stopped
 * outside guest code.  Owner thread, no BQL. */
static void tcg_atomic_step_enter(CPUState *cpu, TcgCpu *t)
{
    if (cpu_is_threaded(cpu)) {
        cpu_exec_end(cpu);
    }
    start_exclusive();
    t->in_atomic_step = true;
}

/* Leaves the step (also from the landing pad when it faulted). */
void tcg_atomic_step_leave(CPUState *cpu, TcgCpu *t)
{
    assert(t->in_atomic_step);
    t->in_atomic_step = false;
    end_exclusive();
    if (cpu_is_threaded(cpu)) {
        cpu_exec_start(cpu);
    }
}

/*
 * Runs the one guest insn at the current state as an exclusive step: its
 * atomic access could not be a host atomic (tlb_atomic_host_addr raised
 * EXCP_TCG_ATOMIC with the state restored to the insn's start), so it is
 * done as a plain load and store while no other vCPU runs guest code.
 * The insn is translated afresh into an uncached one-insn TB inside the
 * section, so no tb_flush can pull the code from under it.  A fault in
 * it lands in tcg_cpu_exec, which leaves the section first.  Returns
 * true if the insn ran (false: left at its entry check).  Owner thread,
 * no BQL (an MMIO access in the insn may take it for its device).
 */
static bool tcg_exec_atomic_step(CPUState *cpu, TcgCpu *t)
{
    bool ran = true;
    TranslationBlock *tb;
    uint64_t cs_base;
    uint32_t flags;
    vaddr pc;

    tcg_atomic_step_enter(cpu, t);
    t->stats.atomic_steps++;
    __atomic_fetch_add(&tcg_atomic_steps_total, 1, __ATOMIC_RELAXED);
    if (log_enabled(LOG_INT)) {
        log_printf("cpu %d: exclusive atomic step\n", cpu->cpu_index);
    }
    tcg_ops->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
    tb = tb_gen_code(cpu, pc, cs_base, flags, CF_NOCACHE | 1);
    if (unlikely(log_mask & (LOG_EXEC | LOG_CPU))) {
        tcg_log_exec(cpu, tb);
    }
    if ((tcg_qemu_tb_exec(cpu_env(cpu), tb->tc_ptr) & TB_EXIT_MASK) ==
        TB_EXIT_REQUESTED) {
        tb_restore_entry_state(cpu, tb);    /* not run: the loop retries */
        ran = false;
    }
    tcg_atomic_step_leave(cpu, t);
    return ran;
}

/* The loop proper; a fresh call after every landing, so no local lives
 * across a siglongjmp. */
static int tcg_cpu_exec_loop(CPUState *cpu, TcgCpu *t)
{
    void *env = cpu_env(cpu);
    TranslationBlock *last_tb = NULL;
    int last_idx = 0;

    for (;;) {
        TranslationBlock *tb;
        uint64_t cs_base;
        uint32_t flags;
        uintptr_t ret;
        vaddr pc;
        int excp = cpu->exception_index;

        int sstep;
        bool one;

        if (excp >= 0) {
            if (excp == EXCP_TCG_ATOMIC) {
                cpu->exception_index = -1;
                if (tcg_exec_atomic_step(cpu, t) &&
                    (t->wp_step ||
                     (__atomic_load_n(&cpu->singlestep_enabled,
                                      __ATOMIC_RELAXED) & SSTEP_ENABLE))) {
                    /* The stepped (or watch-hit) insn was this one. */
                    t->wp_step = false;
                    cpu->exception_index = EXCP_DEBUG;
                }
                last_tb = NULL;
                continue;
            }
            if (excp >= EXCP_INTERRUPT) {
                cpu->exception_index = -1;
                if (excp == EXCP_INTERRUPT) {
                    __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELAXED);
                }
                if (excp == EXCP_DEBUG && tcg_ops->debug_excp_handler &&
                    tcg_ops->debug_excp_handler(cpu)) {
                    /* The guest's own #DB: exception_index is set. */
                    last_tb = NULL;
                    continue;
                }
                return excp;
            }
            t->wp_step = false;     /* the insn that hit faulted instead */
            tcg_deliver_exception(cpu);
            if (__atomic_load_n(&cpu->singlestep_enabled, __ATOMIC_RELAXED)) {
                /* Stop at the handler's first insn. */
                cpu->exception_index = EXCP_DEBUG;
                last_tb = NULL;
                continue;
            }
            tcg_check_interrupt(cpu);
            last_tb = NULL;
            continue;
        }
        if (unlikely(__atomic_load_n(&t->bare_pending, __ATOMIC_ACQUIRE))) {
            tcg_run_bare_work(t);
            last_tb = NULL;
        }
        if (__atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELAXED);
            return EXCP_INTERRUPT;
        }

        tcg_ops->get_tb_cpu_state(cpu, &pc, &cs_base, &flags);
        sstep = __atomic_load_n(&cpu->singlestep_enabled, __ATOMIC_RELAXED);
        one = t->wp_step || (sstep & SSTEP_ENABLE);
        if (unlikely(t->smc_single)) {
            /* The insn whose store hit its own TB (cputlb.c): run it alone
             * in a TB of its own, then translate afresh. */
            t->smc_single = false;
            tb = tb_gen_code(cpu, pc, cs_base, flags, 1 | CF_NOCACHE);
        } else if (one) {
            /* Single-step, or the insn a watchpoint fired on: alone, in a
             * TB that is never cached or chained (accel/tcg/debug.c). */
            tb = tb_gen_code(cpu, pc, cs_base, flags, 1 | CF_NOCACHE);
            last_tb = NULL;
        } else {
            tb = tb_lookup(cpu, pc, cs_base, flags);
        }
        if (!tb) {
            tb = tb_gen_code(cpu, pc, cs_base, flags, 0);
            if (!(tb->cflags & CF_NOCACHE)) {
                TbJmpCacheEntry *j = &t->jc[tb_jmp_cache_hash(pc)];

                j->tb = tb;
                j->pc = pc;
            }
        }
        if (last_tb && !(tb->cflags & CF_NOCACHE) &&
            !log_enabled(LOG_NOCHAIN)) {
            tb_add_jump(last_tb, last_idx, tb);
            t->stats.chained++;
        }
        if (unlikely(log_mask & (LOG_EXEC | LOG_CPU))) {
            tcg_log_exec(cpu, tb);
        }

        ret = tcg_qemu_tb_exec(env, tb->tc_ptr);

        last_tb = (TranslationBlock *)(ret & ~(uintptr_t)TB_EXIT_MASK);
        last_idx = ret & TB_EXIT_MASK;
        if (last_tb) {
            /* Possibly reached through chained jumps: see TSAN_ACQUIRE. */
            TSAN_ACQUIRE(last_tb);
            if (last_idx == TB_EXIT_REQUESTED) {
                tb_restore_entry_state(cpu, last_tb);
            }
        }
        if (last_idx > TB_EXIT_IDX1 ||
            (last_tb && (last_tb->cflags & CF_NOCACHE))) {
            last_tb = NULL;
        }
        if (one && last_idx != TB_EXIT_REQUESTED) {
            /* The insn ran: report the step or the watchpoint now. */
            t->wp_step = false;
            cpu->exception_index = EXCP_DEBUG;
            last_tb = NULL;
        }
    }
}

int tcg_cpu_exec(CPUState *cpu)
{
    TcgCpu *t = tcg_cpu(cpu);
    int ret;

    assert(!bql_locked());
    if (sigsetjmp(t->jmp_env, 0) != 0) {
        /* Landed from cpu_loop_exit: the generated code and helpers in
         * between are gone; exception_index says what happened. */
        log_tb_filtered = false;
        if (t->in_atomic_step) {
            /* The exclusive step faulted (or its TB was refused): the
             * other vCPUs may run again before we deliver the fault. */
            tcg_atomic_step_leave(cpu, t);
        }
    } else {
        t->jmp_env_valid = true;
        tcg_check_interrupt(cpu);
    }
    ret = tcg_cpu_exec_loop(cpu, t);
    t->jmp_env_valid = false;
    return ret;
}
