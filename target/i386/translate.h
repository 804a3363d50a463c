/*
 * translate.h: internals shared by the x86 CPU glue (cpu.c), the
 * translator (translate.c) and its run-time helpers (tr-helper.c).  Not a
 * public contract: other subsystems use target/i386/cpu.h.
 */
#ifndef TARGET_I386_TRANSLATE_H
#define TARGET_I386_TRANSLATE_H

#include "target/i386/cpu.h"
#include "accel/tcg/tcg-runtime.h"

/* TB flags are hflags plus this bit for EFLAGS.AC (it picks the SMAP MMU
 * index); bit 31 is unused by hflags. */
#define X86_TB_FLAG_AC (1u << 31)
/* CR0.AM && EFLAGS.AC && CPL 3: data accesses must be naturally aligned,
 * else #AC(0) (SDM Vol 3A 6.15, interrupt 17).  Bit 30, unused by hflags. */
#define X86_TB_FLAG_ALIGN (1u << 30)

/* Main thread, after tcg_runtime_init: declares the TCG globals. */
void x86_translate_init(void);
/* TargetTcgOps.translate_code.  vCPU thread. */
void x86_translate_code(CPUState *cs, TranslationBlock *tb, int max_insns);
/* MMU index for data accesses under TB flags. */
int x86_mmu_index(uint32_t tb_flags);
/* OSZAPC for a lazy-flags state (cpu.c; see CCOp). */
uint32_t x86_cc_compute(uint32_t op, uint64_t dst, uint64_t src,
                        uint64_t src2);
/* Stops the machine with one error line: the guest needs something not
 * implemented yet.  vCPU thread. */

/* Helpers called from generated code (tr-helper.c).  vCPU thread. */
extern const TCGHelperInfo x86_helper_cc_compute_all_info;
extern const TCGHelperInfo x86_helper_raise_exception_info;
extern const TCGHelperInfo x86_helper_raise_interrupt_info;
extern const TCGHelperInfo x86_helper_unimplemented_info;
extern const TCGHelperInfo x86_helper_hlt_info;
extern const TCGHelperInfo x86_helper_pause_info;
extern const TCGHelperInfo x86_helper_in_info;
extern const TCGHelperInfo x86_helper_out_info;
extern const TCGHelperInfo x86_helper_div_info;
extern const TCGHelperInfo x86_helper_idiv_info;
extern const TCGHelperInfo x86_helper_shift_info;
extern const TCGHelperInfo x86_helper_shiftd_info;
extern const TCGHelperInfo x86_helper_read_eflags_info;
extern const TCGHelperInfo x86_helper_write_eflags_info;
extern const TCGHelperInfo x86_helper_set_inhibit_irq_info;
/* REP MOVS/STOS: the elements that lie in plain-RAM pages (rep_helper.c). */
extern const TCGHelperInfo x86_helper_rep_bulk_info;

/* Shift/rotate kinds for x86_helper_shift/rotate (ModRM.reg of group 2). */
enum { X86_SH_ROL, X86_SH_ROR, X86_SH_RCL, X86_SH_RCR, X86_SH_SHL,
       X86_SH_SHR, X86_SH_SAL, X86_SH_SAR };

#endif
