/*
 * debug.c: how TCG makes breakpoints, watchpoints and single-step happen
 * (the contract is include/exec/breakpoint.h; the lists live in
 * accel/breakpoint.c).
 *
 * Breakpoints.  For every insn the translator loop asks
 * cpu_any_breakpoint_at(pc); if some vCPU has one there it emits, right
 * after the insn's insn_start, a call to helper_debug_bp(env, pc).  TBs are
 * shared by all vCPUs, so the check is made at run time against the
 * running vCPU's own list: a GDB breakpoint always fires, a CPU
 * (architectural) one only if the target's debug_check_breakpoint agrees
 * (x86: DR7 enabled and EFLAGS.RF clear).  Firing restores the state of
 * exactly that insn (GETPC) and raises EXCP_DEBUG.  A change to the list
 * invalidates the TBs of the breakpoint's guest-physical page only, or
 * flushes every TB when the address does not map now.
 *
 *     insn_start(eip, cc_op)
 *     call debug_bp(env, pc)     <- only when a breakpoint is at pc
 *     ... the insn ...
 *
 * Watchpoints.  tlb_set_page() marks the read and write sides of a page
 * that overlaps one of the vCPU's watchpoints with TLB_WATCHPOINT, so the
 * inline fast path misses and the slow path calls tcg_watchpoint_check()
 * before the access.  A match records the hit (watchpoint, data address,
 * access kind), restores the insn's state and leaves to the loop, which
 * runs that insn again alone (TcgCpu.wp_step; checks are off meanwhile)
 * and then raises EXCP_DEBUG: the access has happened, the pc is the next
 * insn's, as a debugger on x86 expects.  A change to the list flushes the
 * vCPU's TLB.
 *
 * Single-step (cpu->singlestep_enabled): the loop translates one-insn TBs
 * that are never cached or chained, goto_ptr goes back to the loop, and
 * EXCP_DEBUG follows each insn (or the first insn of an exception
 * handler).  SSTEP_NOIRQ: interrupts are not offered to the target.
 *
 * Threads: helpers and checks run on the vCPU's thread without locks
 * held when they unwind; tcg_debug_changed runs on the vCPU's thread or
 * with the vCPU paused (AccelOps.debug_changed).
 */
#include "util/osdep.h"
#include "accel/tcg/internal.h"
#include "exec/breakpoint.h"
#include "tcg/tcg-op.h"

/* AccelOps.debug_changed. */
void tcg_debug_changed(CPUState *cpu, uint64_t addr, uint64_t len, int flags)
{
    uint64_t psize = 1ull << tcg_ops->page_bits;
    uint64_t phys;

    if (!tcg_cpu(cpu)) {
        return;                     /* not started yet: nothing cached */
    }
    if (flags & BP_MEM_ACCESS) {
        /* Refills set or drop TLB_WATCHPOINT. */
        tlb_flush(cpu);
        return;
    }
    if (len == 0) {
        return;                     /* single-step: nothing cached changes */
    }
    phys = cpu->cc && cpu->cc->get_phys_page_debug ?
           cpu->cc->get_phys_page_debug(cpu, addr & tcg_page_mask()) :
           (uint64_t)-1;
    if (phys == (uint64_t)-1) {
        tb_flush(cpu);
        return;
    }
    phys &= tcg_page_mask();
    tb_invalidate_phys_range(phys, phys + psize);
    /* The jump cache is keyed by virtual pc: drop this page's group. */
    tb_jmp_cache_clear_page(tcg_cpu(cpu), addr);
}

/* Generated code, at the start of an insn that has a breakpoint. */
static void helper_debug_bp(void *env, uint64_t pc)
{
    CPUState *cpu = env_cpu(env);
    bool fire = cpu_breakpoint_test(cpu, pc, BP_GDB);

    if (!fire && cpu_breakpoint_test(cpu, pc, BP_CPU)) {
        fire = !tcg_ops->debug_check_breakpoint ||
               tcg_ops->debug_check_breakpoint(cpu);
    }
    if (fire) {
        cpu->exception_index = EXCP_DEBUG;
        cpu_loop_exit_restore(cpu, GETPC());
    }
}

static const TCGHelperInfo helper_debug_bp_info = {
    .func = helper_debug_bp, .name = "debug_bp",
    .flags = TCG_CALL_NO_WG, .ret = TCG_CALL_VOID, .nb_args = 2,
};

void tcg_gen_debug_check(vaddr pc)
{
    TCGArg args[2] = { tcgv_ptr_arg(tcg_env),
                       tcgv_i64_arg(tcg_constant_i64(pc)) };

    tcg_gen_callN(&helper_debug_bp_info, TCG_CALL_NO_RET, 2, args);
}

bool tcg_page_has_watchpoint(CPUState *cpu, vaddr page)
{
    return cpu_has_watchpoints(cpu) &&
           cpu_watchpoint_match(cpu, page, 1ull << tcg_ops->page_bits,
                                BP_MEM_ACCESS, BP_OWNERS, NULL);
}

void tcg_watchpoint_check(CPUState *cpu, vaddr addr, unsigned size,
                          int access, uintptr_t ra)
{
    TcgCpu *t = tcg_cpu(cpu);
    CPUWatchpointHit hit = { .addr = addr, .access = access };

    if (t->wp_step) {
        return;                     /* the insn that hit, run again */
    }
    if (!cpu_watchpoint_match(cpu, addr, size, access, BP_OWNERS, &hit.wp)) {
        return;
    }
    cpu_watchpoint_set_hit(cpu, &hit);
    if (ra) {
        cpu_restore_state(cpu, ra);
    }
    t->wp_step = true;
    cpu_loop_exit(cpu);
}

/* AccelOps.debug_memory_written.  Any thread. */
void tcg_debug_memory_written(uint64_t addr, uint64_t len)
{
    if (tcg_ops) {
        tb_invalidate_phys_range(addr, addr + len);
    }
}
