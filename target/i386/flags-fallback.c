/*
 * flags-fallback.c: weak definitions of the four cpu.h functions the
 * system helpers call (x86_update_hflags, cpu_cc_compute_all,
 * cpu_compute_eflags, cpu_load_eflags), so that the helpers and their unit
 * tests link before target/i386/cpu.c (the translator's file, which owns
 * the lazy-flags code) is in the tree.  cpu.c's strong definitions replace
 * these at link time; once it has landed this file can be deleted.
 *
 * Only the CC_OP_EFLAGS lazy state is understood here (nothing else can
 * exist without the translator); anything else is our bug and asserts.
 * Thread: the vCPU's own thread.
 */
#include "target/i386/cpu.h"

__attribute__((weak)) uint32_t cpu_cc_compute_all(CPUX86State *env)
{
    g_assert(env->cc_op == CC_OP_EFLAGS);
    return env->cc_src & CC_OSZAPC;
}

__attribute__((weak)) uint32_t cpu_compute_eflags(CPUX86State *env)
{
    return ((uint32_t)env->eflags & ~(CC_OSZAPC | DF_MASK)) |
           cpu_cc_compute_all(env) | (env->df < 0 ? DF_MASK : 0) | 2;
}

__attribute__((weak)) void cpu_load_eflags(CPUX86State *env, uint32_t eflags,
                                           uint32_t update_mask)
{
    env->cc_src = eflags & CC_OSZAPC;
    env->cc_op = CC_OP_EFLAGS;
    env->df = (eflags & DF_MASK) ? -1 : 1;
    update_mask &= ~(CC_OSZAPC | DF_MASK);
    env->eflags = (env->eflags & ~(uint64_t)update_mask) |
                  (eflags & update_mask) | 2;
    x86_update_hflags(env);
}

/* The same derivation as cpu.c's: CPL from SS.DPL, VM forces 3. */
__attribute__((weak)) void x86_update_hflags(CPUX86State *env)
{
    uint32_t hf = env->hflags & HF_INHIBIT_IRQ_MASK;
    uint32_t cpl = 0;

    if (env->cr[0] & CR0_PE) {
        hf |= HF_PE_MASK;
        if (env->eflags & VM_MASK) {
            hf |= HF_VM_MASK;
            cpl = 3;
        } else {
            cpl = (env->segs[R_SS].flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
        }
        if (env->cr[0] & CR0_PG) {
            hf |= HF_PG_MASK;
        }
        if (cpl > ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) ||
            (env->eflags & VM_MASK)) {
            hf |= HF_IOPL_CHECK;
        }
    }
    hf |= cpl;
    if (env->efer & EFER_LMA) {
        hf |= HF_LMA_MASK;
        if (env->segs[R_CS].flags & DESC_L_MASK) {
            hf |= HF_CS64_MASK;
        }
    }
    if (!(hf & (HF_VM_MASK | HF_CS64_MASK)) &&
        (env->segs[R_CS].flags & DESC_B_MASK)) {
        hf |= HF_CS32_MASK;
    }
    if (!(hf & HF_VM_MASK) && (env->segs[R_SS].flags & DESC_B_MASK)) {
        hf |= HF_SS32_MASK;
    }
    if (env->cr[4] & CR4_SMAP) {
        hf |= HF_SMAP_MASK;
    }
    if (env->eflags & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    env->hflags = hf;
}
