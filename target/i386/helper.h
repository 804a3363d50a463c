/*
 * helper.h: the x86 system-architecture helpers (SDM Vol 3A) that generated
 * code calls, and the fault-returning cores behind them.
 *
 * Two layers:
 *
 *   - Cores (x86_*): plain C functions that take env, do the architectural
 *     work, and report a guest fault by filling an X86Fault and returning
 *     false.  They never longjmp and take no lock, so unit tests and
 *     x86_cpu_do_interrupt (which runs with the BQL and must not unwind)
 *     call them directly.
 *
 *   - Helpers (helper_*): thin wrappers called from generated code on the
 *     vCPU thread with no lock held.  On a fault they call
 *     x86_raise_fault(env, &f, GETPC()), i.e. set cpu->exception_index and
 *     env->error_code (and CR2 for #PF) and cpu_loop_exit_restore(cpu,
 *     retaddr): the guest state is restored to the faulting insn from the
 *     insn_start words, so every exception is precise and restartable.
 *
 * Translator rules for calling a helper (x86tr):
 *   - sync cc_op (env->cc_op) and any lazily kept state before a helper
 *     that reads EFLAGS or may fault;
 *   - eip is NOT synced by the helper: on a fault the runtime restores it
 *     from insn_start; helpers that need the address of the next insn get
 *     it as an argument (next_eip);
 *   - a helper marked "ends the TB" changes CS/EIP/hflags/paging: the
 *     translator ends the TB after it (exit to the main loop, no chaining);
 *   - helpers that "write cc" leave OSZAPC in env->cc_src with env->cc_op =
 *     CC_OP_EFLAGS; the translator sets its static cc_op accordingly.
 *
 * Memory accesses done by the helpers (descriptor tables, TSS, stacks
 * during far calls / interrupts) go through x86_linear_read/write: the page
 * walk below plus the memory API.  They do not use the softmmu TLB.
 *
 * Thread: the vCPU's own thread.  x86_cpu_do_interrupt and
 * x86_cpu_exec_interrupt are called by the runtime with the BQL.
 */
#ifndef TARGET_I386_HELPER_H
#define TARGET_I386_HELPER_H

#include "target/i386/cpu.h"
#include "accel/tcg/tcg-runtime.h"

/* --- Faults -------------------------------------------------------------- */

/* A guest exception to raise.  vector < 0: none. */
typedef struct X86Fault {
    int vector;             /* EXCP*_ */
    bool has_error_code;
    uint32_t error_code;
    uint64_t cr2;           /* #PF only: the faulting linear address */
} X86Fault;


/* Sets exception_index/error_code (CR2 for #PF) and unwinds to the exec
 * loop after restoring state at retaddr (0: state already exact).  vCPU
 * thread, no lock.  Does not return. */
void x86_raise_fault(CPUX86State *env, const X86Fault *f,
                     uintptr_t retaddr) NORETURN;
/* raise_exception*: the same with a vector (and error code). */
void raise_exception(CPUX86State *env, int vector) NORETURN;
void raise_exception_ra(CPUX86State *env, int vector,
                        uintptr_t retaddr) NORETURN;
void raise_exception_err(CPUX86State *env, int vector, int error_code,
                         uintptr_t retaddr) NORETURN;

/*
 * #DF promotion (SDM Vol 3A Table 6-5).  Given the exception being
 * delivered (env->old_exception, -1 if none) and a new one raised during
 * its delivery, returns the vector to deliver: the new one, EXCP08_DBLE,
 * or -2 for a triple fault.
 */
int x86_exception_combine(int first, int second);
/*
 * Triple fault: log, halt the vCPU with IF clear, and
 * system_reset_request(RESET_CAUSE_GUEST) (which the runstate turns into a
 * shutdown under -no-reboot).  BQL held.  Does not unwind.
 */
void x86_triple_fault(CPUX86State *env);

/* --- Page walk (mmu_helper.c) -------------------------------------------- */

typedef struct X86TranslateResult {
    hwaddr paddr;           /* physical address of addr */
    int prot;               /* PAGE_READ/WRITE/EXEC allowed for mmu_idx */
    uint64_t page_size;     /* 4K, 2M, 4M or 1G */
} X86TranslateResult;

/*
 * Walks the page tables for a linear address: paging off (A20), 32-bit
 * (PSE), PAE, 4-level, 5-level (CR4.LA57).  Checks U/S, R/W (CR0.WP), NX
 * (EFER.NXE), SMEP, SMAP (mmu_idx X86_MMU_KSMAP enforces it), reserved bits,
 * and sets A (and D on a write) with an atomic compare-and-swap on the PTE.
 * On a fault fills *f (#PF with P, W, U, RSVD, I/D bits and cr2) and
 * returns false; sets no A/D bits then.  Any thread, no lock held.
 */
bool x86_mmu_translate(CPUX86State *env, vaddr addr, MMUAccessType access,
                       int mmu_idx, X86TranslateResult *res, X86Fault *f);
/* TcgTlbFillFn: x86_mmu_translate + tlb_set_page, or raise #PF. */
bool x86_cpu_tlb_fill(CPUState *cpu, vaddr addr, int size,
                      MMUAccessType access_type, int mmu_idx, bool probe,
                      uintptr_t retaddr);
/* Physical address for the debugger, -1 if unmapped.  No A/D updates. */
hwaddr x86_cpu_get_phys_page_debug(CPUState *cpu, vaddr addr);
/* The MMU index for data accesses from env: paging (CR0.PG), CPL
 * (hflags), CR4.SMAP and EFLAGS.AC.  (cpu.c's x86_mmu_index(tb_flags)
 * computes the same from TB flags.) */
int x86_data_mmu_index(CPUX86State *env);
/* The supervisor index for implicit accesses (descriptor tables, TSS). */
int x86_kernel_mmu_index(CPUX86State *env);

/* Reads/writes len bytes of linear memory (may cross pages) with the
 * permissions of mmu_idx.  False with *f filled on a fault.  No lock. */
bool x86_linear_read(CPUX86State *env, vaddr addr, void *buf, int len,
                     int mmu_idx, X86Fault *f);
bool x86_linear_write(CPUX86State *env, vaddr addr, const void *buf,
                      int len, int mmu_idx, X86Fault *f);
/* An 8-byte descriptor read as one atomic load, and a locked update of a
 * descriptor dword ((v & ~clear) | set: the accessed and busy bits), on
 * aligned RAM (mmu_helper.c). */
bool x86_linear_ld_desc(CPUX86State *env, vaddr addr, uint64_t *val,
                        int mmu_idx, X86Fault *f);
bool x86_linear_update32(CPUX86State *env, vaddr addr, uint32_t clear,
                         uint32_t set, int mmu_idx, X86Fault *f);

/* Flushes this vCPU's softmmu TLB (CR0/CR3/CR4/EFER changes, task
 * switch).  No-op when no TCG runtime is set up (KVM, unit tests). */
void x86_tlb_flush(CPUX86State *env);

/* INVLPG: flushes addr from every MMU index.  May end the TB. */
void helper_invlpg(CPUX86State *env, uint64_t addr);
/* INVPCID type (0..3) with the 16-byte descriptor at linear desc_addr.
 * May raise #GP(0) via cpu_loop_exit_restore(cpu, GETPC()). */
void helper_invpcid(CPUX86State *env, uint32_t type, uint64_t desc_addr);

/* --- Exceptions and interrupts (excp_helper.c, seg_helper.c) ------------- */

/* #UD/#GP/... from generated code.  May raise (always does). */
void helper_raise_exception(CPUX86State *env, int32_t vector) NORETURN;
void helper_raise_exception_err(CPUX86State *env, int32_t vector,
                                int32_t error_code) NORETURN;
/* INT n / INT3 / INTO (software interrupt): delivered with next_eip as the
 * return address.  Always unwinds (exception_index = vector,
 * exception_is_int = 1). */
void helper_raise_interrupt(CPUX86State *env, int32_t intno,
                            uint64_t next_eip) NORETURN;

/*
 * Delivers one event through the IVT/IDT: real mode, protected (interrupt/
 * trap/task gates, privilege change with TSS stack switch, error code),
 * long mode (64-bit gates, IST), v86 (to ring 0).  is_int: software INT n
 * (DPL check, return to next_eip); is_hw: external interrupt / NMI (no
 * error code).  False with *f on a fault during delivery.  No lock needed.
 */
bool x86_interrupt_deliver(CPUX86State *env, int intno, bool is_int,
                           bool has_error_code, uint32_t error_code,
                           uint64_t next_eip, bool is_hw, X86Fault *f);
/* CPUClass.do_interrupt: delivers cpu->exception_index (with #DF
 * promotion of faults during delivery; triple fault -> reset request).
 * BQL; never unwinds. */
void x86_cpu_do_interrupt(CPUState *cpu);
/* Delivers external interrupt vector intno (from the PIC/APIC) or NMI
 * (intno == EXCP02_NMI, is_nmi).  BQL; never unwinds. */
void x86_cpu_do_hw_interrupt(CPUState *cpu, int intno, bool is_nmi);

/* --- Segmentation (seg_helper.c) ----------------------------------------- */

/* Loads segment register seg (R_ES..R_GS) with selector in the current
 * mode, with every check (#GP/#NP/#SS with the selector as error code). */
bool x86_load_seg(CPUX86State *env, int seg, uint32_t selector, X86Fault *f);
/* MOV Sreg / POP Sreg / LDS...: may raise via cpu_loop_exit_restore. */
void helper_load_seg(CPUX86State *env, int32_t seg, uint32_t selector);

/* LGDT/LIDT: base and limit already read by the translator. */
void helper_lgdt(CPUX86State *env, uint64_t base, uint32_t limit);
void helper_lidt(CPUX86State *env, uint64_t base, uint32_t limit);
/* LLDT/LTR: may raise #GP/#NP with the selector. */
bool x86_lldt(CPUX86State *env, uint32_t selector, X86Fault *f);
bool x86_ltr(CPUX86State *env, uint32_t selector, X86Fault *f);
void helper_lldt(CPUX86State *env, uint32_t selector);
void helper_ltr(CPUX86State *env, uint32_t selector);
/* LAR/LSL/VERR/VERW: write cc (ZF); LAR/LSL return the value to store
 * when ZF=1 (the translator keeps the destination otherwise). */
uint64_t helper_lar(CPUX86State *env, uint32_t selector);
uint64_t helper_lsl(CPUX86State *env, uint32_t selector);
void helper_verr(CPUX86State *env, uint32_t selector);
void helper_verw(CPUX86State *env, uint32_t selector);

/* Far JMP/CALL/RET/IRET.  shift: operand size 0=16, 1=32, 2=64.  All end
 * the TB and may raise via cpu_loop_exit_restore(cpu, GETPC()). */
bool x86_ljmp(CPUX86State *env, uint32_t cs, uint64_t eip, uint64_t next_eip,
              X86Fault *f);
bool x86_lcall(CPUX86State *env, uint32_t cs, uint64_t eip, int shift,
               uint64_t next_eip, X86Fault *f);
bool x86_lret(CPUX86State *env, int shift, int addend, X86Fault *f);
bool x86_iret(CPUX86State *env, int shift, uint64_t next_eip, X86Fault *f);
void helper_ljmp(CPUX86State *env, uint32_t cs, uint64_t eip,
                 uint64_t next_eip);
void helper_lcall(CPUX86State *env, uint32_t cs, uint64_t eip, int32_t shift,
                  uint64_t next_eip);
void helper_lret(CPUX86State *env, int32_t shift, int32_t addend);
void helper_iret(CPUX86State *env, int32_t shift, uint64_t next_eip);

/* 32-bit hardware task switch to TSS selector (source: JMP, CALL, IRET
 * or interrupt/task gate), saving state with next_eip. */
enum { X86_TS_JMP, X86_TS_CALL, X86_TS_IRET, X86_TS_INT };
bool x86_task_switch(CPUX86State *env, uint32_t tss_selector, int source,
                     uint64_t next_eip, X86Fault *f);

/* SYSCALL/SYSRET (EFER.SCE, #UD otherwise), SYSENTER/SYSEXIT.  dflag for
 * SYSRET/SYSEXIT: 1 = 32-bit, 2 = 64-bit return.  End the TB. */
bool x86_syscall(CPUX86State *env, uint64_t next_eip, X86Fault *f);
bool x86_sysret(CPUX86State *env, int dflag, X86Fault *f);
bool x86_sysenter(CPUX86State *env, X86Fault *f);
bool x86_sysexit(CPUX86State *env, int dflag, X86Fault *f);
void helper_syscall(CPUX86State *env, uint64_t next_eip);
void helper_sysret(CPUX86State *env, int32_t dflag);
void helper_sysenter(CPUX86State *env);
void helper_sysexit(CPUX86State *env, int32_t dflag);

/* --- Misc (misc_helper.c) ------------------------------------------------ */

/* CPUID: input EAX/ECX from env->regs, writes EAX..EDX. */
void x86_cpuid(CPUX86State *env, uint32_t leaf, uint32_t subleaf,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx);
void helper_cpuid(CPUX86State *env);
/* RDMSR/WRMSR on ECX (EDX:EAX).  #GP(0) for unknown MSR or bad value. */
bool x86_rdmsr(CPUX86State *env, uint32_t msr, uint64_t *val, X86Fault *f);
bool x86_wrmsr(CPUX86State *env, uint32_t msr, uint64_t val, X86Fault *f);
void helper_rdmsr(CPUX86State *env);
void helper_wrmsr(CPUX86State *env);   /* ends the TB */

/* MOV to CR0/2/3/4/8 with reserved-bit #GP(0) and side effects (hflags,
 * TLB flushes, EFER.LMA).  Ends the TB. */
bool x86_write_cr(CPUX86State *env, int reg, uint64_t val, X86Fault *f);
void helper_write_crN(CPUX86State *env, int32_t reg, uint64_t val);
uint64_t helper_read_crN(CPUX86State *env, int32_t reg);
void helper_lmsw(CPUX86State *env, uint32_t val);
void helper_clts(CPUX86State *env);
/* MOV DR: DR4/5 alias DR6/7 unless CR4.DE (#UD then); DR7.GD -> #DB. */
bool x86_set_dr(CPUX86State *env, int reg, uint64_t val, X86Fault *f);
bool x86_get_dr(CPUX86State *env, int reg, uint64_t *val, X86Fault *f);
void helper_set_dr(CPUX86State *env, int32_t reg, uint64_t val);
uint64_t helper_get_dr(CPUX86State *env, int32_t reg);

/* The LAPIC's MSRs (APIC_BASE, TSC_DEADLINE, x2APIC) and CR8, when the
 * vCPU has a LAPIC (apic_helper.c): -1 / false when it has none or msr
 * is not the LAPIC's; else 1 done, 0 #GP.  Take the BQL: call without. */
int x86_apic_msr_access(CPUX86State *env, uint32_t msr, uint64_t *val,
                        bool write);
int x86_apic_read_cr8(CPUX86State *env);
bool x86_apic_write_cr8(CPUX86State *env, uint64_t val);

/* TSC: host CLOCK_MONOTONIC scaled to X86_TSC_HZ, plus tsc_offset. */
#define X86_TSC_HZ 2000000000ull
uint64_t x86_read_tsc(CPUX86State *env);
void helper_rdtsc(CPUX86State *env);    /* #GP if CR4.TSD and CPL > 0 */
void helper_rdtscp(CPUX86State *env);
uint64_t helper_rdpid(CPUX86State *env);

/* HLT (CPL 0 else #GP): cpu->halted = 1, eip = next_eip, EXCP_HLT. */
void helper_hlt(CPUX86State *env, uint64_t next_eip) NORETURN;
/* PAUSE: a hint; yields the host thread briefly. */
void helper_pause(CPUX86State *env);

/* IN/OUT/INS/OUTS permission: CPL <= IOPL (and not v86), else the TSS I/O
 * bitmap must allow all size bytes at port.  #GP(0) otherwise. */
bool x86_check_io(CPUX86State *env, uint32_t port, int size, X86Fault *f);
void helper_check_io(CPUX86State *env, uint32_t port, int32_t size);

#endif
