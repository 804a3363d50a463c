/*
 * debug.h: the x86 debugging glue: the gdbstub's register and description
 * hooks (gdbstub.c) and the architectural debug registers (bpt_helper.c).
 * Internal to target/i386; installed in the CPUClass and TargetTcgOps by
 * cpu.c.
 */
#ifndef TARGET_I386_DEBUG_H
#define TARGET_I386_DEBUG_H

#include "target/i386/cpu.h"
#include "accel/tcg/tcg-runtime.h"

/* CPUClass gdb hooks (BQL, vCPU paused). */
const char *x86_gdb_xml(CPUState *cs, const char *annex);
int x86_gdb_read_register(CPUState *cs, uint8_t *buf, int n);
int x86_gdb_write_register(CPUState *cs, const uint8_t *buf, int n);

/*
 * Debug registers (bpt_helper.c, SDM Vol 3A chapter 18).
 *
 * x86_dr7_update: makes the vCPU's BP_CPU breakpoints and watchpoints
 * (include/exec/breakpoint.h) match DR0-3 and DR7: an enabled (L or G)
 * execute breakpoint becomes a breakpoint at its linear address, a write
 * or read/write one a watchpoint of its length.  I/O breakpoints (RW=10)
 * are not implemented.  After MOV DRn and at reset; the vCPU's thread, or
 * BQL with it paused.
 */
void x86_dr7_update(CPUX86State *env);
/* TargetTcgOps hooks (vCPU thread). */
bool x86_debug_check_breakpoint(CPUState *cs);
bool x86_debug_excp_handler(CPUState *cs);
/* Generated code: the TF single-step trap after an insn (EIP stored), and
 * clearing EFLAGS.RF when the insn it protected starts. */
extern const TCGHelperInfo x86_helper_single_step_info;
extern const TCGHelperInfo x86_helper_clear_rf_info;

#endif
