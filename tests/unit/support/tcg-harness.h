/*
 * tcg-harness.h: shared scaffolding for the tests/unit/test-tcg-*.c
 * programs: a test env struct with globals, an RWX code buffer with the
 * prologue, helpers to generate and run a TB, and a toy softmmu (RAM,
 * TLB, slow-path helpers that count their calls).
 *
 * Single-threaded use except where a test says otherwise: each thread
 * that translates needs its own tcg_context_init_thread().
 */
#ifndef TESTS_UNIT_SUPPORT_TCG_HARNESS_H
#define TESTS_UNIT_SUPPORT_TCG_HARNESS_H

#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"

#define TT_NB_R64 48
#define TT_NB_R32 16
#define TT_TLB_ENTRIES 64
#define TT_RAM_BASE 0x40000000ull     /* guest virtual address of toy RAM */
#define TT_RAM_SIZE (16 * 4096)

typedef struct TcgTestEnv {
    uint64_t in64[4];
    uint32_t in32[4];
    uint64_t out64[4];
    uint32_t out32[4];
    uint64_t r64[TT_NB_R64];
    uint32_t r32[TT_NB_R32];
    uint8_t mem[256];
    uint64_t aux[8];
    CPUTLBDescFast tlb[2];
    TLBEntry tlb_table[2][TT_TLB_ENTRIES];
} TcgTestEnv;

extern TCGv_i64 tt_in64[4], tt_out64[4], tt_r64[TT_NB_R64];
extern TCGv_i32 tt_in32[4], tt_out32[4], tt_r32[TT_NB_R32];

/* The toy softmmu. */
extern uint8_t tt_ram[TT_RAM_SIZE];
extern unsigned tt_slow_ld_calls, tt_slow_st_calls, tt_host_addr_calls;
extern bool tt_slow_fill_tlb;       /* slow path fills the TLB on a miss */
extern uint64_t tt_slow_seen_r64_0; /* env->r64[0] when the slow path ran */

/* Main thread, once: tcg_init, globals, code buffer, prologue, context. */
void tt_init(void);
/* Empties the TLBs of env (all entries invalid). */
void tt_tlb_flush(TcgTestEnv *env);
/* Maps the toy RAM page containing vaddr in the TLB of mmu_idx. */
void tt_tlb_map(TcgTestEnv *env, unsigned mmu_idx, uint64_t vaddr);

/* Generates the calling thread's current ops; asserts success. */
void *tt_gen(void);
/* Same, returning the size and optionally the insn table. */
void *tt_gen_sized(int *size);
uintptr_t tt_run(TcgTestEnv *env, void *code);

/* Edge-biased random values. */
uint64_t tt_rand_val(GRand *r, unsigned bits);

/* Counts instructions in code[0..size) that store to [r14 + offset]. */
int tt_count_env_stores(const void *code, int size, intptr_t offset);

#endif
