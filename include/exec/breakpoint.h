/*
 * breakpoint.h: per-vCPU breakpoints, watchpoints and single-step, the
 * contract between their users (the gdbstub, a target's architectural
 * debug registers) and the accelerator that makes them happen.
 *
 * Every breakpoint and watchpoint has an owner flag: BP_GDB (inserted by
 * the debugger, reported to it) or BP_CPU (the guest's own debug
 * registers, turned into a guest exception by the target).  Both kinds
 * can coexist at one address; removal matches address and owner.
 *
 *     cpu_breakpoint_insert(cpu, pc, BP_GDB);
 *     cpu_watchpoint_insert(cpu, addr, 4, BP_GDB | BP_MEM_WRITE);
 *     cpu_single_step(cpu, SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER);
 *     ... vm_start(); the vCPU returns EXCP_DEBUG to the vCPU loop,
 *     ... cpu_debug_hook(cpu) runs; cpu_watchpoint_hit(cpu, &hit) says why.
 *
 * How TCG implements them (accel/tcg/debug.c, docs/devel/gdbstub.md):
 *   - breakpoints: the translator asks tcg_debug_bp_at(pc) for every insn
 *     and, if any vCPU has a breakpoint there, emits a call that checks the
 *     running vCPU's list and raises EXCP_DEBUG with the state of exactly
 *     that insn.  Inserting or removing one invalidates only the TBs of
 *     the breakpoint's guest-physical page (cc->get_phys_page_debug).
 *   - watchpoints: TLB entries of watched pages carry TLB_WATCHPOINT, which
 *     sends every access to them through the slow path; a matching access
 *     is re-executed as a one-insn TB and EXCP_DEBUG is raised after it
 *     (the pc is the next insn, the data address is recorded).
 *   - single-step: one-insn TBs, never chained or cached; SSTEP_NOIRQ keeps
 *     interrupts from being taken, SSTEP_NOTIMER is honoured by the caller
 *     (the gdbstub does not start the virtual clock for a step).
 *
 * Threads and locks: the lists are protected by one internal lock
 * (bp_lock, a leaf); the functions below may be called from any thread,
 * but a caller other than the vCPU's own thread must hold the BQL with the
 * vCPU paused (the gdbstub uses run_on_cpu), because the accelerator's
 * reaction (TLB flush) is the owner's business.  Lookups from generated
 * code take bp_lock briefly and never fault while holding it.
 */
#ifndef EXEC_BREAKPOINT_H
#define EXEC_BREAKPOINT_H

#include "hw/cpu.h"

/* Owner and kind flags. */
enum {
    BP_MEM_READ = 1 << 0,
    BP_MEM_WRITE = 1 << 1,
    BP_MEM_ACCESS = BP_MEM_READ | BP_MEM_WRITE,
    BP_GDB = 1 << 4,               /* the debugger's */
    BP_CPU = 1 << 5,               /* the guest's debug registers */
    BP_OWNERS = BP_GDB | BP_CPU,
};

/* cpu->singlestep_enabled bits. */
enum {
    SSTEP_ENABLE = 1 << 0,         /* one insn, then EXCP_DEBUG */
    SSTEP_NOIRQ = 1 << 1,          /* take no interrupts while stepping */
    SSTEP_NOTIMER = 1 << 2,        /* virtual clock stopped while stepping */
};

typedef struct CPUBreakpoint {
    uint64_t pc;                   /* guest virtual address */
    int flags;                     /* BP_GDB or BP_CPU */
} CPUBreakpoint;

typedef struct CPUWatchpoint {
    uint64_t addr;                 /* guest virtual, any alignment */
    uint64_t len;                  /* bytes, >= 1 */
    int flags;                     /* owner | BP_MEM_* */
} CPUWatchpoint;

/* What fired last (cpu_watchpoint_hit). */
typedef struct CPUWatchpointHit {
    CPUWatchpoint wp;              /* the watchpoint */
    uint64_t addr;                 /* the data address of the access */
    int access;                    /* BP_MEM_READ or BP_MEM_WRITE */
} CPUWatchpointHit;

/* Returns 0, -EEXIST (same address and owner already there), or -EINVAL
 * (bad flags or length). */
int cpu_breakpoint_insert(CPUState *cpu, uint64_t pc, int flags);
/* Returns 0 or -ENOENT. */
int cpu_breakpoint_remove(CPUState *cpu, uint64_t pc, int flags);
/* Removes every breakpoint and watchpoint whose owner is in mask. */
void cpu_breakpoint_remove_all(CPUState *cpu, int mask);
int cpu_watchpoint_insert(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
int cpu_watchpoint_remove(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
/* True if cpu has a breakpoint at pc owned by one of mask. */
bool cpu_breakpoint_test(CPUState *cpu, uint64_t pc, int mask);
/*
 * The first watchpoint of cpu owned by mask that overlaps [addr,
 * addr+len) for an access of kind access (BP_MEM_READ/WRITE), copied to
 * *wp; false if none.  len 0 asks "any watchpoint on this range".
 */
bool cpu_watchpoint_match(CPUState *cpu, uint64_t addr, uint64_t len,
                          int access, int mask, CPUWatchpoint *wp);
/* True if cpu has exactly this watchpoint (addr, len and flags), as
 * inserted. */
bool cpu_watchpoint_test(CPUState *cpu, uint64_t addr, uint64_t len,
                         int flags);
/* True if some vCPU has a breakpoint at pc (the translator's question). */
bool cpu_any_breakpoint_at(uint64_t pc);
/* True if cpu has any watchpoint at all. */
bool cpu_has_watchpoints(CPUState *cpu);

/* Records / returns / clears the watchpoint hit that caused the last
 * EXCP_DEBUG.  Owner thread, or BQL with the vCPU paused. */
void cpu_watchpoint_set_hit(CPUState *cpu, const CPUWatchpointHit *hit);
bool cpu_watchpoint_hit(CPUState *cpu, CPUWatchpointHit *hit);
void cpu_watchpoint_clear_hit(CPUState *cpu);

/* A debugger wrote guest-physical memory [addr, addr + len): the
 * accelerator forgets code it translated from there.  Any thread. */
void cpu_debug_memory_written(uint64_t addr, uint64_t len);

/* Sets cpu->singlestep_enabled (SSTEP_* or 0).  BQL with the vCPU paused,
 * or the owner thread. */
void cpu_single_step(CPUState *cpu, int flags);

#endif
