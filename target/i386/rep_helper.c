/*
 * rep_helper.c: the bulk path of REP MOVS and REP STOS.
 *
 * translate.c emits a REP string insn as one iteration per execution of
 * its TB (which jumps back to itself while rCX != 0), so that every
 * element is a precise, restartable step.  For MOVS and STOS that costs a
 * TB entry per byte; this helper, called at the top of the insn, first
 * does as many elements as it can at once: those that lie, for source and
 * destination alike, in a page the vCPU's TLB already maps as plain RAM
 * (tlb_host_plain: no MMIO, no code page, no watchpoint), going forwards
 * (DF = 0), without wrapping the address size.  It updates rSI/rDI/rCX as
 * the element loop would have and returns; the normal path then does the
 * next element (which may fill the TLB or fault, precisely) and the TB
 * runs again.  So at most one page is done per TB execution and an
 * interrupt or exit request waits at most that long.
 *
 * Overlap: a forward MOVS whose destination starts inside the source
 * replicates the pattern element by element, as the hardware does; memmove
 * would not, so that case is copied element by element here too.
 *
 * Called from generated code on the vCPU thread, no lock, never faults.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/translate.h"

#define REP_PAGE_SIZE 4096u

/* Elements of size bytes from addr to the end of its page. */
static uint64_t in_page(uint64_t addr, unsigned size)
{
    return (REP_PAGE_SIZE - (addr & (REP_PAGE_SIZE - 1))) / size;
}

/* Elements of size bytes before the register value reg wraps at amask. */
static uint64_t before_wrap(uint64_t reg, uint64_t amask, unsigned size)
{
    return amask == UINT64_MAX ? UINT64_MAX :
           ((amask - (reg & amask)) + 1) / size;
}

static void add_areg(CPUX86State *env, int reg, uint64_t amask, uint64_t v)
{
    env->regs[reg] = amask == UINT64_MAX ? env->regs[reg] + v :
                     (env->regs[reg] & ~amask) | ((env->regs[reg] + v) & amask);
}

/* info = ot | asize << 2 | movs << 4 | mmu_idx << 8; dst and src are the
 * linear addresses of ES:rDI and seg:rSI. */
static void tr_helper_rep_bulk(void *envp, uint64_t dst, uint64_t src,
                               uint64_t info)
{
    CPUX86State *env = envp;
    CPUState *cs = env_cpu(env);
    unsigned ot = info & 3, as = (info >> 2) & 3;
    bool movs = info & 16;
    int mmu_idx = info >> 8;
    unsigned size = 1u << ot;
    uint64_t amask = as == MO_64 ? UINT64_MAX : as == MO_32 ? 0xffffffffu :
                     0xffffu;
    uint64_t n = env->regs[R_ECX] & amask;
    uint8_t *hd, *hs = NULL;

    if (env->df != 1 || !n) {
        return;
    }
    if ((env->hflags & HF_TF_MASK) ||
        __atomic_load_n(&cs->singlestep_enabled, __ATOMIC_RELAXED)) {
        return;     /* EFLAGS.TF or a debugger step: one element per step */
    }
    n = MIN(n, in_page(dst, size));
    n = MIN(n, before_wrap(env->regs[R_EDI], amask, size));
    if (movs) {
        n = MIN(n, in_page(src, size));
        n = MIN(n, before_wrap(env->regs[R_ESI], amask, size));
    }
    if (!n) {
        return;
    }
    hd = tlb_host_plain(cs, dst, MMU_DATA_STORE, mmu_idx);
    if (movs) {
        hs = tlb_host_plain(cs, src, MMU_DATA_LOAD, mmu_idx);
    }
    if (!hd || (movs && !hs)) {
        return;
    }
    if (!movs) {
        uint64_t v = env->regs[R_EAX];

        if (size == 1) {
            memset(hd, (uint8_t)v, n);
        } else {
            for (uint64_t i = 0; i < n; i++) {
                memcpy(hd + i * size, &v, size);     /* little-endian host */
            }
        }
    } else if (hd > hs && hd < hs + n * size) {
        for (uint64_t i = 0; i < n; i++) {
            uint64_t v;

            memcpy(&v, hs + i * size, size);
            memcpy(hd + i * size, &v, size);
        }
    } else {
        memmove(hd, hs, n * size);
    }
    add_areg(env, R_EDI, amask, n * size);
    if (movs) {
        add_areg(env, R_ESI, amask, n * size);
    }
    add_areg(env, R_ECX, amask, -n);
}

const TCGHelperInfo x86_helper_rep_bulk_info = {
    .func = tr_helper_rep_bulk, .name = "rep_bulk", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};
