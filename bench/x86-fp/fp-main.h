/*
 * fp-main.h: the start-up shared by the floating-point benchmark guests
 * (bench/x86-fp/*.c): enable SSE (CR4.OSFXSR/OSXMMEXCPT, CR0.MP, clear
 * CR0.EM), run the benchmark, print "NAME checksum" on COM1.  They link
 * with the guest runtime of tests/tcg/x86_64/runtime (multiboot, serial,
 * isa-debug-exit); see bench/x86-fp.sh.
 */
#ifndef BENCH_FP_MAIN_H
#define BENCH_FP_MAIN_H

#include "runtime.h"

static inline void fp_enable_sse(void)
{
    uintptr_t cr0, cr4;

    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(uintptr_t)0xc) | 0x22;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 0x600;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    __asm__ volatile("fninit");
}

#endif
