/*
 * insn-helper.c: C helpers of general-purpose instructions; see
 * insn-helper.h.  The translator (translate-insn.c.inc) calls them through
 * the TCGHelperInfo tables at the bottom.
 *
 * x86_bcd follows the SDM Vol 2 pseudocode of DAA/DAS/AAA/AAS/AAM/AAD;
 * x86_crc32 is bitwise CRC-32C (the polynomial of SSE4.2's CRC32); PDEP and
 * PEXT walk the mask's set bits.  CMPXCHG16B takes the host address of the
 * 16-byte aligned operand from the softmmu and uses the host's LOCK
 * CMPXCHG16B, so it is atomic against other vCPUs; for MMIO (no host
 * address) it falls back to two loads and two stores.
 *
 * vCPU thread, no lock held.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "target/i386/cpu.h"
#include "target/i386/helper.h"
#include "target/i386/insn-helper.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

static uint32_t szp8(uint8_t v)
{
    return (v == 0 ? CC_Z : 0) | (v & 0x80 ? CC_S : 0) |
           (__builtin_parity(v) ? 0 : CC_P);
}

uint16_t x86_bcd(int op, uint16_t ax, uint8_t base, uint32_t *flags)
{
    uint8_t al = ax, ah = ax >> 8, old_al = al;
    uint32_t f = *flags;
    bool old_cf = f & CC_C, af = f & CC_A;

    switch (op) {
    case X86_BCD_DAA:
    case X86_BCD_DAS: {
        bool sub = op == X86_BCD_DAS, cf = false;

        if ((al & 15) > 9 || af) {
            cf = old_cf || (sub ? al < 6 : al > 0xf9);
            al = sub ? al - 6 : al + 6;
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = sub ? al - 0x60 : al + 0x60;
            cf = true;
        } else if (!sub) {
            cf = false;
        }
        f = (f & CC_O) | szp8(al) | (af ? CC_A : 0) | (cf ? CC_C : 0);
        *flags = f & ~CC_O;             /* OF undefined: cleared */
        return (ah << 8) | al;
    }
    case X86_BCD_AAA:
    case X86_BCD_AAS:
        f &= ~(CC_A | CC_C);            /* O, S, Z, P undefined: kept */
        if ((al & 15) > 9 || af) {
            ax = op == X86_BCD_AAA ? ax + 0x106 : ax - 0x106;
            f |= CC_A | CC_C;
        }
        *flags = f;
        return ax & 0xff0f;
    case X86_BCD_AAM:
        ah = al / base;
        al = al % base;
        *flags = szp8(al);              /* O, A, C undefined: cleared */
        return (ah << 8) | al;
    default:    /* AAD */
        al = al + ah * base;
        *flags = szp8(al);
        return al;
    }
}

static void tr_helper_bcd(void *envp, uint64_t op, uint64_t base)
{
    CPUX86State *env = envp;
    uint32_t f = cpu_cc_compute_all(env);
    uint16_t ax = x86_bcd(op, env->regs[R_EAX], base, &f);

    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | ax;
    env->cc_src = f;
    env->cc_op = CC_OP_EFLAGS;
}

const TCGHelperInfo x86_helper_bcd_info = {
    .func = tr_helper_bcd, .name = "bcd", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 3,
};

uint32_t x86_crc32(uint32_t crc, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes * 8; i++) {
        bool bit = (crc ^ (v >> i)) & 1;

        crc = (crc >> 1) ^ (bit ? 0x82f63b78u : 0);
    }
    return crc;
}

static uint64_t tr_helper_crc32(uint64_t crc, uint64_t v, uint64_t bytes)
{
    return x86_crc32(crc, v, bytes);
}

const TCGHelperInfo x86_helper_crc32_info = {
    .func = tr_helper_crc32, .name = "crc32", .flags = TCG_CALL_NO_RWG_SE,
    .ret = TCG_CALL_I64, .nb_args = 3,
};

uint64_t x86_pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;

    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;

        if (src & bit) {
            r |= low;
        }
        mask &= mask - 1;
    }
    return r;
}

uint64_t x86_pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;

    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;

        if (src & low) {
            r |= bit;
        }
        mask &= mask - 1;
    }
    return r;
}

static uint64_t tr_helper_pdep(uint64_t src, uint64_t mask)
{
    return x86_pdep(src, mask);
}

static uint64_t tr_helper_pext(uint64_t src, uint64_t mask)
{
    return x86_pext(src, mask);
}

const TCGHelperInfo x86_helper_pdep_info = {
    .func = tr_helper_pdep, .name = "pdep", .flags = TCG_CALL_NO_RWG_SE,
    .ret = TCG_CALL_I64, .nb_args = 2,
};

const TCGHelperInfo x86_helper_pext_info = {
    .func = tr_helper_pext, .name = "pext", .flags = TCG_CALL_NO_RWG_SE,
    .ret = TCG_CALL_I64, .nb_args = 2,
};

/*
 * CMPXCHG16B m128 (SDM Vol 2A): compares RDX:RAX with the operand; equal:
 * stores RCX:RBX and sets ZF; else loads it into RDX:RAX and clears ZF.
 * The operand must be 16-byte aligned (#GP(0)).  The write check happens
 * whatever the outcome (the CPU always writes).
 */
static void tr_helper_cmpxchg16b(void *envp, uint64_t addr, uint64_t mmu_idx)
{
    CPUX86State *env = envp;
    uintptr_t ra = GETPC();
    MemOpIdx oi = make_memop_idx(MO_64 | MO_LE, mmu_idx);
    uint64_t cmp_lo = env->regs[R_EAX], cmp_hi = env->regs[R_EDX];
    uint64_t old_lo, old_hi;
    uint32_t f;
    bool eq;
    void *host;

    if (addr & 15) {
        raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    /* Both halves (one page: the operand is aligned), write access. */
    host = tcg_target_params.atomic_host_addr(env, addr + 8, oi, ra);
    if (host) {
        host = tcg_target_params.atomic_host_addr(env, addr, oi, ra);
    }
    if (host) {
        uint64_t lo = cmp_lo, hi = cmp_hi;

        __asm__ volatile("lock cmpxchg16b %[m]\n\tsete %[eq]"
                         : [m] "+m"(*(unsigned __int128 *)host),
                           "+a"(lo), "+d"(hi), [eq] "=q"(eq)
                         : "b"(env->regs[R_EBX]), "c"(env->regs[R_ECX])
                         : "memory", "cc");
        old_lo = lo;
        old_hi = hi;
    } else {
        old_lo = tcg_target_params.slow_ld(env, addr, oi, ra);
        old_hi = tcg_target_params.slow_ld(env, addr + 8, oi, ra);
        eq = old_lo == cmp_lo && old_hi == cmp_hi;
        tcg_target_params.slow_st(env, addr, eq ? env->regs[R_EBX] : old_lo,
                                  oi, ra);
        tcg_target_params.slow_st(env, addr + 8,
                                  eq ? env->regs[R_ECX] : old_hi, oi, ra);
    }
    f = cpu_cc_compute_all(env);
    env->cc_src = eq ? (f | CC_Z) : (f & ~CC_Z);
    env->cc_op = CC_OP_EFLAGS;
    if (!eq) {
        env->regs[R_EAX] = old_lo;
        env->regs[R_EDX] = old_hi;
    }
}

const TCGHelperInfo x86_helper_cmpxchg16b_info = {
    .func = tr_helper_cmpxchg16b, .name = "cmpxchg16b", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 3,
};
