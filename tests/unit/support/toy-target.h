/*
 * toy-target.h: a tiny guest for testing the TCG runtime (accel/tcg/) with
 * real translation blocks: a toy ISA whose translator uses translator_loop
 * and tcg_gen_*, a toy page table behind tlb_fill, and a test accelerator
 * ("toy-tcg", threads "CPU n/TOY") whose exec_vcpu is tcg_cpu_exec.
 *
 * ISA: every insn is 8 bytes, little-endian:
 *     byte 0 opcode, byte 1 rd, byte 2 rs, byte 3 aux, bytes 4-7 imm (s32)
 *   ADDI rd, rs, imm        rd = rs + imm
 *   ADD  rd, rs, aux        rd = rs + r[aux]
 *   LD   rd, [rs + imm], aux   rd = load (aux = MemOp: size/sign/BE/align)
 *   ST   rd, [rs + imm], aux   store rd
 *   BNE  rd, rs, imm        if rd != rs: pc += imm (relative to this insn)
 *   JMP  imm                pc += imm
 *   JR   rs                 pc = rs (lookup_and_goto_ptr)
 *   HALT                    EXCP_HLT; pc = next insn
 *   CALL imm                calls toy_call_hook(cpu, imm, retaddr)
 * 16 64-bit registers; r0 is an ordinary register.  Insns need not be
 * aligned, so one may straddle two pages.  TB flags bit 0 = MMU index.
 *
 * Memory: TOY_RAM_SIZE bytes of RAM at guest-physical 0.  The page table
 * maps virtual page v (< TOY_PT_PAGES) to a physical page with
 * permissions; toy_map_identity() maps all of RAM.  A fault, or an
 * alignment fault, is delivered by do_interrupt: it records the exception,
 * address and pc in env and continues at env.fault_vector.
 *
 * CPUs: "bare" ones are driven directly by the calling test thread with
 * toy_run() (cpu_exec_start/tcg_cpu_exec/cpu_exec_end); "threaded" ones
 * run in the real vCPU loop (cpu-exec.c).
 */
#ifndef TESTS_UNIT_SUPPORT_TOY_TARGET_H
#define TESTS_UNIT_SUPPORT_TOY_TARGET_H

#include "util/osdep.h"
#include "system/memory.h"
#include "accel/tcg/tcg-runtime.h"

#define TOY_PAGE_BITS 12
#define TOY_PAGE_SIZE (1u << TOY_PAGE_BITS)
#define TOY_NB_MMU 2
#define TOY_NB_REGS 16
#define TOY_RAM_SIZE (4u << 20)
#define TOY_PT_PAGES 4096              /* 16 MiB of virtual space */

enum {
    TOY_OP_ADDI = 1, TOY_OP_ADD, TOY_OP_LD, TOY_OP_ST, TOY_OP_BNE,
    TOY_OP_JMP, TOY_OP_JR, TOY_OP_HALT, TOY_OP_CALL,
};

/* exception_index values of the toy target (< EXCP_INTERRUPT). */
enum {
    TOY_EXCP_FAULT = 1,
    TOY_EXCP_ALIGN = 2,
};

typedef struct ToyEnv {
    uint64_t regs[TOY_NB_REGS];
    uint64_t pc;
    uint32_t flags;
    /* Written by do_interrupt (BQL) on the vCPU thread. */
    int last_excp;
    uint64_t fault_addr;
    int fault_type;
    uint64_t excp_pc;
    uint32_t nb_excps;
    uint64_t fault_vector;            /* pc after an exception */
    CPUTLBDescFast tlb[TOY_NB_MMU];
} ToyEnv;

typedef struct ToyCPU {
    CPUState parent;
    ToyEnv env;
} ToyCPU;

#define TOY_CPU(cs) container_of((cs), ToyCPU, parent)

/* A TOY CALL insn calls this with the helper's return address. */
typedef void ToyCallHook(CPUState *cpu, int32_t imm, uintptr_t ra);
extern ToyCallHook *toy_call_hook;     /* set before running */

extern MemoryRegion toy_ram;
extern uint8_t *toy_ram_ptr;            /* host view of guest-physical 0 */
extern const AccelOps toy_accel_ops;

/* Main thread, once: memory, runtime (code_size bytes), globals. */
void toy_init(size_t code_size);
/* A CPU; threaded ones need cpu_start() (BQL).  BQL held. */
ToyCPU *toy_cpu_new(int index);
/* Makes the calling thread drive cpu directly (tcg_vcpu_init). */
void toy_cpu_bare_init(ToyCPU *c);
/* One tcg_cpu_exec inside cpu_exec_start/end.  Bare CPU, its thread. */
int toy_run(ToyCPU *c);
/* Runs until EXCP_HLT (at most max_calls exec calls); returns the last
 * exec result. */
int toy_run_until_halt(ToyCPU *c, int max_calls);

/* Page table; any thread (atomic).  prot = PAGE_READ|WRITE|EXEC. */
void toy_map(uint64_t vaddr, hwaddr paddr, int prot);
void toy_unmap(uint64_t vaddr);
void toy_map_identity(void);

/* Encodes one insn. */
uint64_t toy_insn(int op, int rd, int rs, int aux, int32_t imm);
/* Writes insns at guest-physical paddr (host view, no invalidation). */
void toy_put_code(hwaddr paddr, const uint64_t *insns, int n);

#endif
