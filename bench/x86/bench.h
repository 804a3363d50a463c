/*
 * bench.h: the contract between a compute benchmark (bench/x86/<name>.c)
 * and the two programs it is linked into:
 *   - the guest, <name>.elf: a 64-bit multiboot kernel (guest-main.c with
 *     the guest runtime of tests/tcg/x86_64/runtime), run under tandem and
 *     under the reference emulator by bench/x86-compute.sh;
 *   - the host program, <name>-host (host-main.c), which runs the same
 *     code natively and so gives the checksum the guest must print.
 * A benchmark is one function, bench_run(n), integer only, with no I/O and
 * no library calls beyond what it defines itself, whose work grows
 * linearly with n and whose result is a 32-bit checksum of everything it
 * computed.  Single-threaded; nothing here is shared.
 */
#ifndef BENCH_X86_BENCH_H
#define BENCH_X86_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* The benchmark's name, as printed, and its default size. */
extern const char bench_name[];
extern const uint32_t bench_default_n;

/* Does the work n times; returns a checksum of the results. */
uint32_t bench_run(uint32_t n);

/* A 32-bit mixing step for checksums (a multiply-xorshift). */
static inline uint32_t bench_mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9e3779b1u;
    return h ^ (h >> 15);
}

/* A linear congruential generator (Numerical Recipes constants). */
static inline uint32_t bench_lcg(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

#endif
