/*
 * debug.h: the x86 debugging glue: the gdbstub's register and description
 * hooks (gdbstub.c) and the architectural debug registers (bpt_helper.c).
 * Internal to target/i386; installed in the CPUClass and TargetTcgOps by
 * cpu.c.
 */
#ifndef TARGET_I386_DEBUG_H
#define TARGET_I386_DEBUG_H

#include "target/i386/cpu.h"

/* CPUClass gdb hooks (BQL, vCPU paused). */
const char *x86_gdb_xml(CPUState *cs, const char *annex);
int x86_gdb_read_register(CPUState *cs, uint8_t *buf, int n);
int x86_gdb_write_register(CPUState *cs, const uint8_t *buf, int n);

#endif
