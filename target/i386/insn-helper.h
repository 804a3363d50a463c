/*
 * insn-helper.h: C helpers of the general-purpose instructions that the
 * translator (translate-insn.c.inc) does not inline: BCD, CRC32, PDEP,
 * PEXT, CMPXCHG16B.  The pure ones (x86_crc32, x86_pdep, x86_pext,
 * x86_bcd) are also called by unit tests.
 *
 * vCPU thread (generated code), no lock; pure functions: any thread.
 */
#ifndef TARGET_I386_INSN_HELPER_H
#define TARGET_I386_INSN_HELPER_H

#include "target/i386/cpu.h"
#include "accel/tcg/tcg-runtime.h"

/* BCD adjustments (SDM Vol 2 DAA, DAS, AAA, AAS, AAM, AAD). */
enum { X86_BCD_DAA, X86_BCD_DAS, X86_BCD_AAA, X86_BCD_AAS, X86_BCD_AAM,
       X86_BCD_AAD };
/* Applies op to AX (base: the AAM/AAD immediate, non-zero for AAM) and
 * OSZAPC in *flags; returns the new AX.  Flags the SDM leaves undefined
 * come out as the reference CPUs leave them where they agree, else 0. */
uint16_t x86_bcd(int op, uint16_t ax, uint8_t base, uint32_t *flags);

/* CRC-32C (Castagnoli, reflected, no final XOR) of the low bytes of v. */
uint32_t x86_crc32(uint32_t crc, uint64_t v, unsigned bytes);
/* Parallel bit deposit/extract (BMI2). */
uint64_t x86_pdep(uint64_t src, uint64_t mask);
uint64_t x86_pext(uint64_t src, uint64_t mask);

extern const TCGHelperInfo x86_helper_bcd_info;      /* (env, op, base) */
extern const TCGHelperInfo x86_helper_crc32_info;    /* (crc, v, bytes) */
extern const TCGHelperInfo x86_helper_pdep_info;     /* (src, mask) */
extern const TCGHelperInfo x86_helper_pext_info;     /* (src, mask) */
extern const TCGHelperInfo x86_helper_cmpxchg16b_info; /* (env, a, mmu) */

#endif
