/*
 * misc_helper.c: CPUID, MSRs, control and debug registers, the TSC, HLT,
 * PAUSE and the I/O permission check (SDM Vol 3A chapters 2, 4.10, 17, 18,
 * Vol 2 for the instructions).
 *
 * CPUID answers from the model fields that cpu.c copies into env at
 * creation (cpuid_level/xlevel, vendor, version, features[], model
 * string): this file never advertises anything on its own, apart from the
 * address sizes of leaf 0x80000008, which must match what the page walker
 * enforces (40 physical bits).
 *
 * The TSC runs at X86_TSC_HZ (2 GHz), derived from the host's
 * CLOCK_MONOTONIC: guest TSC = host ns * 2 + env->tsc_offset.  It is
 * therefore invariant, monotonic, and shared by all vCPUs (which differ
 * only if the guest writes IA32_TSC on one of them).
 *
 * Thread: the vCPU's own thread, no lock held (the helper_* wrappers may
 * unwind with cpu_loop_exit_restore).
 */
#include "target/i386/helper.h"
#include "target/i386/debug.h"
#include "target/i386/cpu-models.h"
#include "system/bql.h"
#include "accel/accel.h"

#include <sched.h>
#include <time.h>

/* --- CPUID --------------------------------------------------------------- */

/* Leaf 4 / 8000001DH cache descriptions: L1d, L1i, L2, L3 (the sizes the
 * reference reports for its models). */
typedef struct CacheInfo {
    uint8_t type, level;        /* type: 1 data, 2 code, 3 unified */
    uint32_t size_kib, ways;
    bool per_core;              /* else shared by the package */
} CacheInfo;

static const CacheInfo x86_caches[] = {
    { 1, 1, 32, 8, true }, { 2, 1, 32, 8, true },
    { 3, 2, 4096, 16, true }, { 3, 3, 16384, 16, false },
};

static unsigned bits_for(unsigned n)
{
    unsigned b = 0;

    while ((1u << b) < n) {
        b++;
    }
    return b;
}

/* CPUID leaf 04H subleaf (SDM Vol 2A CPUID, table 3-8). */
static void cpuid_cache(CPUX86State *env, uint32_t sub, uint32_t *eax,
                        uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    const CacheInfo *c;
    uint32_t sets, sharing;

    if (sub >= ARRAY_SIZE(x86_caches)) {
        return;                 /* type 0: no more caches */
    }
    c = &x86_caches[sub];
    sets = c->size_kib * 1024 / (c->ways * 64);
    sharing = c->per_core ? env->nr_threads : env->nr_threads * env->nr_cores;
    *eax = c->type | (c->level << 5) | (1u << 8) |
           ((sharing - 1) << 14) | ((env->nr_cores - 1) << 26);
    *ebx = (c->ways - 1) << 22 | 63;          /* 1 partition, 64-byte lines */
    *ecx = sets - 1;
    *edx = c->level == 3 ? 2 : 0;             /* L3 inclusive */
}

/*
 * CPUID leaf 0BH / 1FH subleaf: the x2APIC topology (SDM Vol 3A 10.12.8.1).
 * Subleaf 0 is the SMT level, 1 the core level, then invalid levels.
 */
static void cpuid_topology(CPUX86State *env, uint32_t sub, uint32_t *eax,
                           uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    unsigned tb = bits_for(env->nr_threads), cb = bits_for(env->nr_cores);

    *edx = env_x86_cpu(env)->apic_id;
    *ecx = sub & 0xff;
    if (sub == 0) {
        *eax = tb;
        *ebx = env->nr_threads;
        *ecx |= 1u << 8;
    } else if (sub == 1) {
        *eax = tb + cb;
        *ebx = env->nr_threads * env->nr_cores;
        *ecx |= 2u << 8;
    }
}

void x86_cpuid(CPUX86State *env, uint32_t leaf, uint32_t subleaf,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    X86CPU *cpu = env_x86_cpu(env);
    uint32_t logical = env->nr_cores * env->nr_threads;

    /* SDM CPUID: a leaf above the maximum returns the highest basic leaf. */
    if (leaf >= 0x80000000u ? leaf > env->cpuid_xlevel
                            : leaf > env->cpuid_level) {
        leaf = env->cpuid_level;
    }
    *eax = *ebx = *ecx = *edx = 0;
    switch (leaf) {
    case 0:
        *eax = env->cpuid_level;
        *ebx = env->cpuid_vendor[0];
        *edx = env->cpuid_vendor[1];
        *ecx = env->cpuid_vendor[2];
        break;
    case 1:
        *eax = env->cpuid_version;
        /* APIC id, logical processors per package, CLFLUSH line 64 bytes */
        *ebx = (cpu->apic_id << 24) | ((logical & 0xff) << 16) | (8u << 8);
        *ecx = env->features[FEAT_1_ECX];
        if (env->cr[4] & CR4_OSXSAVE) {
            *ecx |= 1u << 27;           /* OSXSAVE mirrors CR4 */
        }
        *edx = env->features[FEAT_1_EDX];
        if (logical > 1) {
            *edx |= 1u << 28;           /* HTT: the EBX count is valid */
        }
        break;
    case 2:
        *eax = 0xff01;          /* one round; 0xff: see leaf 4 */
        break;
    case 4:
        cpuid_cache(env, subleaf, eax, ebx, ecx, edx);
        break;
    case 6:
        *eax = env->features[FEAT_6_EAX];
        break;
    case 7:
        if (subleaf == 0) {
            *ebx = env->features[FEAT_7_0_EBX];
            *ecx = env->features[FEAT_7_0_ECX];
            *edx = env->features[FEAT_7_0_EDX];
        }
        break;
    case 0xb:
    case 0x1f:
        cpuid_topology(env, subleaf, eax, ebx, ecx, edx);
        break;
    case 0xd:
        if (subleaf == 1) {
            *eax = env->features[FEAT_D_1_EAX];
        }
        break;
    case 0x80000000u:
        *eax = env->cpuid_xlevel;
        *ebx = env->cpuid_vendor[0];
        *edx = env->cpuid_vendor[1];
        *ecx = env->cpuid_vendor[2];
        break;
    case 0x80000001u:
        *eax = env->cpuid_version;
        *ecx = env->features[FEAT_8000_0001_ECX];
        *edx = env->features[FEAT_8000_0001_EDX];
        break;
    case 0x80000002u: case 0x80000003u: case 0x80000004u: {
        uint32_t w[4];
        memcpy(w, env->cpuid_model + (leaf - 0x80000002u) * 16, 16);
        *eax = w[0];
        *ebx = w[1];
        *ecx = w[2];
        *edx = w[3];
        break;
    }
    case 0x80000005u:
        /* AMD L1 (what leaf 4 says): 32 KiB, 8-way, 64-byte lines, for
         * data (ECX) and code (EDX); no TLB information. */
        *ecx = (32u << 24) | (8u << 16) | (1u << 8) | 64;
        *edx = (32u << 24) | (8u << 16) | (1u << 8) | 64;
        break;
    case 0x80000006u:
        /* L2 4 MiB 16-way (assoc code 8), 64-byte lines; L3 16 MiB. */
        *ecx = (4096u << 16) | (8u << 12) | 64;
        *edx = ((16384u / 512) << 18) | (8u << 12) | 64;
        break;
    case 0x80000008u:
        /* physical and linear address bits */
        *eax = 40 | ((env->features[FEAT_7_0_ECX] & (1u << 16)) ? 57 : 48) << 8;
        if (x86_vendor_is_amd(env)) {
            *ecx = logical - 1;         /* NC: cores per package - 1 */
        }
        break;
    default:
        break;
    }
}

void helper_cpuid(CPUX86State *env)
{
    uint32_t a, b, c, d;

    x86_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX],
              &a, &b, &c, &d);
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

/* --- TSC -------------------------------------------------------------- */

static uint64_t host_tsc(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* X86_TSC_HZ / 1e9 = 2 ticks per ns */
    return ((uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec) *
           (X86_TSC_HZ / 1000000000ull);
}

uint64_t x86_read_tsc(CPUX86State *env)
{
    return host_tsc() + env->tsc_offset;
}

static void tsc_check(CPUX86State *env, uintptr_t ra)
{
    if ((env->cr[4] & CR4_TSD) && (env->hflags & HF_CPL_MASK) != 0) {
        raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
}

void helper_rdtsc(CPUX86State *env)
{
    uint64_t t;

    tsc_check(env, GETPC());
    t = x86_read_tsc(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
}

void helper_rdtscp(CPUX86State *env)
{
    uint64_t t;

    tsc_check(env, GETPC());
    t = x86_read_tsc(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    env->regs[R_ECX] = (uint32_t)env->tsc_aux;
}

uint64_t helper_rdpid(CPUX86State *env)
{
    return (uint32_t)env->tsc_aux;
}

/* --- MSRs ----------------------------------------------------------------- */

enum {
    MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_MTRRCAP = 0xfe,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176, MSR_MISC_ENABLE = 0x1a0,
    MSR_MTRR_PHYS_BASE0 = 0x200, MSR_MTRR_FIX64K = 0x250,
    MSR_MTRR_FIX16K_80000 = 0x258, MSR_MTRR_FIX16K_A0000 = 0x259,
    MSR_MTRR_FIX4K_C0000 = 0x268, MSR_PAT = 0x277, MSR_MTRR_DEFTYPE = 0x2ff,
    MSR_TSC_DEADLINE = 0x6e0,
    MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
    MSR_CSTAR = 0xc0000083, MSR_FMASK = 0xc0000084,
    MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
    MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103,
};

static bool gp0(X86Fault *f)
{
    f->vector = EXCP0D_GPF;
    f->has_error_code = true;
    f->error_code = 0;
    f->cr2 = 0;
    return false;
}

static bool is_canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* Index into mtrr_fixed[] for a fixed-range MTRR, or -1. */
static int mtrr_fixed_index(uint32_t msr)
{
    if (msr == MSR_MTRR_FIX64K) {
        return 0;
    }
    if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000) {
        return 1 + msr - MSR_MTRR_FIX16K_80000;
    }
    if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_C0000 + 7) {
        return 3 + msr - MSR_MTRR_FIX4K_C0000;
    }
    return -1;
}

/* A memory type is valid for PAT and MTRRs: UC, WC, WT, WP, WB (and UC-
 * for PAT). */
static bool mem_type_ok(unsigned t, bool pat)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

bool x86_rdmsr(CPUX86State *env, uint32_t msr, uint64_t *val, X86Fault *f)
{
    int i;

    f->vector = -1;
    switch (msr) {
    case MSR_TSC: *val = x86_read_tsc(env); return true;
    case MSR_APIC_BASE: *val = env->apic_base; return true;
    case MSR_MTRRCAP: *val = 8 | (1u << 8) | (1u << 10); return true;
    case MSR_SYSENTER_CS: *val = env->sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *val = env->sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *val = env->sysenter_eip; return true;
    case MSR_MISC_ENABLE: *val = env->misc_enable; return true;
    case MSR_PAT: *val = env->pat; return true;
    case MSR_MTRR_DEFTYPE: *val = env->mtrr_deftype; return true;
    case MSR_TSC_DEADLINE: *val = env->tsc_deadline; return true;
    case MSR_EFER: *val = env->efer; return true;
    case MSR_STAR: *val = env->star; return true;
    case MSR_LSTAR: *val = env->lstar; return true;
    case MSR_CSTAR: *val = env->cstar; return true;
    case MSR_FMASK: *val = env->fmask; return true;
    case MSR_FS_BASE: *val = env->segs[R_FS].base; return true;
    case MSR_GS_BASE: *val = env->segs[R_GS].base; return true;
    case MSR_KERNEL_GS_BASE: *val = env->kernelgsbase; return true;
    case MSR_TSC_AUX: *val = env->tsc_aux; return true;
    }
    if (msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 16) {
        i = (msr - MSR_MTRR_PHYS_BASE0) / 2;
        *val = (msr & 1) ? env->mtrr_var_mask[i] : env->mtrr_var_base[i];
        return true;
    }
    i = mtrr_fixed_index(msr);
    if (i >= 0) {
        *val = env->mtrr_fixed[i];
        return true;
    }
    return gp0(f);
}

bool x86_wrmsr(CPUX86State *env, uint32_t msr, uint64_t val, X86Fault *f)
{
    int i;

    f->vector = -1;
    switch (msr) {
    case MSR_TSC:
        env->tsc_offset = val - host_tsc();
        return true;
    case MSR_APIC_BASE:
        /* bits 0-7, 9 and above MAXPHYADDR are reserved */
        if (val & (0x2ffull | ~((1ull << 40) - 1))) {
            return gp0(f);
        }
        env->apic_base = val;
        return true;
    case MSR_SYSENTER_CS: env->sysenter_cs = (uint32_t)val; return true;
    case MSR_SYSENTER_ESP: env->sysenter_esp = val; return true;
    case MSR_SYSENTER_EIP: env->sysenter_eip = val; return true;
    case MSR_MISC_ENABLE: env->misc_enable = val; return true;
    case MSR_PAT:
        for (i = 0; i < 8; i++) {
            if (!mem_type_ok((val >> (i * 8)) & 0xff, true)) {
                return gp0(f);
            }
        }
        env->pat = val;
        return true;
    case MSR_MTRR_DEFTYPE:
        if ((val & ~0xcffull) || !mem_type_ok(val & 0xff, false)) {
            return gp0(f);
        }
        env->mtrr_deftype = val;
        return true;
    case MSR_TSC_DEADLINE: env->tsc_deadline = val; return true;
    case MSR_EFER: {
        uint64_t ok = EFER_SCE | EFER_LME | EFER_LMA;
        if (env->features[FEAT_8000_0001_EDX] & (1u << 20)) {
            ok |= EFER_NXE;
        }
        if (val & ~ok) {
            return gp0(f);
        }
        /* LME may not change while paging is on (SDM 10.8.5). */
        if ((env->cr[0] & CR0_PG) && ((val ^ env->efer) & EFER_LME)) {
            return gp0(f);
        }
        val = (val & ~EFER_LMA) | (env->efer & EFER_LMA);  /* read-only */
        if ((val ^ env->efer) & EFER_NXE) {
            x86_tlb_flush(env);
        }
        env->efer = val;
        x86_update_hflags(env);
        return true;
    }
    case MSR_STAR: env->star = val; return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
        if (!is_canonical(val)) {
            return gp0(f);
        }
        *(msr == MSR_LSTAR ? &env->lstar : &env->cstar) = val;
        return true;
    case MSR_FMASK: env->fmask = (uint32_t)val; return true;
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!is_canonical(val)) {
            return gp0(f);
        }
        if (msr == MSR_KERNEL_GS_BASE) {
            env->kernelgsbase = val;
        } else {
            env->segs[msr == MSR_FS_BASE ? R_FS : R_GS].base = val;
        }
        return true;
    case MSR_TSC_AUX:
        if (val >> 32) {
            return gp0(f);
        }
        env->tsc_aux = val;
        return true;
    }
    if (msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 16) {
        i = (msr - MSR_MTRR_PHYS_BASE0) / 2;
        if (msr & 1) {
            if (val & (0x7ffull | ~((1ull << 40) - 1))) {
                return gp0(f);
            }
            env->mtrr_var_mask[i] = val;
        } else {
            if ((val & (0xf00ull | ~((1ull << 40) - 1))) ||
                !mem_type_ok(val & 0xff, false)) {
                return gp0(f);
            }
            env->mtrr_var_base[i] = val;
        }
        return true;
    }
    i = mtrr_fixed_index(msr);
    if (i >= 0) {
        for (int b = 0; b < 8; b++) {
            if (!mem_type_ok((val >> (b * 8)) & 0xff, false)) {
                return gp0(f);
            }
        }
        env->mtrr_fixed[i] = val;
        return true;
    }
    return gp0(f);
}

void helper_rdmsr(CPUX86State *env)
{
    X86Fault f;
    uint64_t v;

    if ((env->hflags & HF_CPL_MASK) != 0) {
        raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
    switch (x86_apic_msr_access(env, (uint32_t)env->regs[R_ECX], &v,
                                false)) {
    case 0:
        raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    case 1:
        break;
    default:
        if (!x86_rdmsr(env, (uint32_t)env->regs[R_ECX], &v, &f)) {
            x86_raise_fault(env, &f, GETPC());
        }
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = v >> 32;
}

void helper_wrmsr(CPUX86State *env)
{
    X86Fault f;
    uint64_t v = (uint32_t)env->regs[R_EAX] |
                 ((uint64_t)(uint32_t)env->regs[R_EDX] << 32);

    if ((env->hflags & HF_CPL_MASK) != 0) {
        raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
    switch (x86_apic_msr_access(env, (uint32_t)env->regs[R_ECX], &v, true)) {
    case 0:
        raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    case 1:
        break;
    default:
        if (!x86_wrmsr(env, (uint32_t)env->regs[R_ECX], v, &f)) {
            x86_raise_fault(env, &f, GETPC());
        }
    }
}

/* --- Control registers ---------------------------------------------------- */

/* CR4 bits we implement (SDM 2.5); others are reserved: #GP.  VME, PVI
 * (virtual interrupt flags in v86 and protected mode) and UMIP (SGDT & co.
 * at CPL > 0) are not implemented, so setting them is #GP rather than a
 * silently ignored feature. */
#define CR4_SUPPORTED (CR4_TSD | CR4_DE | CR4_PSE | \
                       CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | \
                       CR4_OSXMMEXCPT | CR4_LA57 | CR4_FSGSBASE | \
                       CR4_PCIDE | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP)
#define CR4_FLUSH_BITS (CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | \
                        CR4_SMEP | CR4_SMAP | CR4_LA57)

bool x86_write_cr(CPUX86State *env, int reg, uint64_t val, X86Fault *f)
{
    bool lma = env->efer & EFER_LMA;

    f->vector = -1;
    switch (reg) {
    case 0: {
        uint64_t old = env->cr[0];

        if (val >> 32) {
            return gp0(f);
        }
        val |= CR0_ET;
        if ((val & CR0_PG) && !(val & CR0_PE)) {
            return gp0(f);
        }
        if ((val & CR0_NW) && !(val & CR0_CD)) {
            return gp0(f);
        }
        /* SDM 10.8.5: long-mode activation and deactivation. */
        if ((val & CR0_PG) && !(old & CR0_PG) && (env->efer & EFER_LME)) {
            if (!(env->cr[4] & CR4_PAE)) {
                return gp0(f);
            }
            env->efer |= EFER_LMA;
        }
        if (!(val & CR0_PG) && (old & CR0_PG) && lma) {
            if (env->hflags & HF_CS64_MASK) {
                return gp0(f);
            }
            env->efer &= ~EFER_LMA;
        }
        if ((val ^ old) & (CR0_PG | CR0_WP | CR0_PE)) {
            x86_tlb_flush(env);
        }
        env->cr[0] = val;
        break;
    }
    case 2:
        env->cr[2] = val;
        break;
    case 3: {
        bool noflush = (env->cr[4] & CR4_PCIDE) && (val >> 63);

        val &= ~(1ull << 63);
        if (lma && (val >> 40)) {
            return gp0(f);
        }
        env->cr[3] = lma ? val : (uint32_t)val;
        if (!noflush) {
            x86_tlb_flush(env);
        }
        break;
    }
    case 4: {
        uint64_t old = env->cr[4];

        if (val & ~(uint64_t)CR4_SUPPORTED) {
            return gp0(f);
        }
        if (lma && !(val & CR4_PAE)) {
            return gp0(f);
        }
        if (lma && ((val ^ old) & CR4_LA57)) {
            return gp0(f);
        }
        if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) &&
            (!lma || (env->cr[3] & 0xfff))) {
            return gp0(f);
        }
        if ((val ^ old) & CR4_FLUSH_BITS) {
            x86_tlb_flush(env);
        }
        env->cr[4] = val;
        break;
    }
    case 8:
        if (val & ~0xfull) {
            return gp0(f);
        }
        env->tpr = val;
        break;
    default:
        f->vector = EXCP06_ILLOP;
        f->has_error_code = false;
        return false;
    }
    x86_update_hflags(env);
    return true;
}

void helper_write_crN(CPUX86State *env, int32_t reg, uint64_t val)
{
    X86Fault f;

    if (reg == 8 && !(val & ~0xfull) && x86_apic_write_cr8(env, val)) {
        return;     /* the LAPIC's TPR; reserved bits: #GP below */
    }
    if (!x86_write_cr(env, reg, val, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

uint64_t helper_read_crN(CPUX86State *env, int32_t reg)
{
    if (reg == 8) {
        int v = x86_apic_read_cr8(env);

        return v >= 0 ? (uint64_t)v : env->tpr;
    }
    if (reg == 0 || (reg >= 2 && reg <= 4)) {
        return env->cr[reg];
    }
    raise_exception_ra(env, EXCP06_ILLOP, GETPC());
}

/* LMSW: loads CR0 bits 0-3; cannot clear PE (SDM LMSW). */
void helper_lmsw(CPUX86State *env, uint32_t val)
{
    X86Fault f;
    uint64_t cr0 = (env->cr[0] & ~0xeull) | (val & 0xf) | (env->cr[0] & 1);

    if (!x86_write_cr(env, 0, cr0, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_clts(CPUX86State *env)
{
    env->cr[0] &= ~(uint64_t)CR0_TS;
    x86_update_hflags(env);
}

/* --- Debug registers (SDM 18.2) ------------------------------------------ */

#define DR6_FIXED 0xffff0ff0ull
#define DR6_BD    (1ull << 13)
#define DR7_GD    (1ull << 13)

/* Common checks: DR4/5 aliasing, DR7.GD.  Returns the register or -1. */
static int dr_check(CPUX86State *env, int reg, X86Fault *f)
{
    if (reg == 4 || reg == 5) {
        if (env->cr[4] & CR4_DE) {
            f->vector = EXCP06_ILLOP;
            f->has_error_code = false;
            return -1;
        }
        reg += 2;
    }
    if (reg < 0 || reg > 7) {
        f->vector = EXCP06_ILLOP;
        f->has_error_code = false;
        return -1;
    }
    if (env->dr[7] & DR7_GD) {
        /* General detect: #DB before the access, GD cleared, DR6.BD set */
        env->dr[7] &= ~DR7_GD;
        env->dr[6] |= DR6_BD;
        f->vector = EXCP01_DB;
        f->has_error_code = false;
        return -1;
    }
    return reg;
}

bool x86_set_dr(CPUX86State *env, int reg, uint64_t val, X86Fault *f)
{
    f->vector = -1;
    reg = dr_check(env, reg, f);
    if (reg < 0) {
        return false;
    }
    if (reg >= 6 && (val >> 32)) {
        return gp0(f);
    }
    if (reg == 6) {
        val = (val & ~DR6_FIXED & 0xe00f) | DR6_FIXED;
    } else if (reg == 7) {
        val = (val & ~0x400ull & 0xffff2fffull) | 0x400;
    }
    env->dr[reg] = val;
    if (reg != 6) {
        x86_dr7_update(env);    /* bpt_helper.c: breakpoints follow DR0-3/7 */
    }
    return true;
}

bool x86_get_dr(CPUX86State *env, int reg, uint64_t *val, X86Fault *f)
{
    f->vector = -1;
    reg = dr_check(env, reg, f);
    if (reg < 0) {
        return false;
    }
    *val = env->dr[reg];
    return true;
}

void helper_set_dr(CPUX86State *env, int32_t reg, uint64_t val)
{
    X86Fault f;

    if (!x86_set_dr(env, reg, val, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

uint64_t helper_get_dr(CPUX86State *env, int32_t reg)
{
    X86Fault f;
    uint64_t v = 0;

    if (!x86_get_dr(env, reg, &v, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
    return v;
}

/* --- HLT, PAUSE ------------------------------------------------------- */

void helper_hlt(CPUX86State *env, uint64_t next_eip)
{
    CPUState *cpu = env_cpu(env);

    if ((env->hflags & HF_CPL_MASK) != 0) {
        raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
    env->eip = next_eip;
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    bql_lock(bql_cause_halt);
    cpu->halted = true;
    bql_unlock();
    cpu->exception_index = EXCP_HLT;
    cpu_loop_exit(cpu);
}

void helper_pause(CPUX86State *env)
{
    (void)env;
    sched_yield();
}

/* --- I/O permission (SDM Vol 1 19.5) ------------------------------------ */

bool x86_check_io(CPUX86State *env, uint32_t port, int size, X86Fault *f)
{
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
    uint16_t base = 0, bits = 0;
    int type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf;

    f->vector = -1;
    if (!(env->cr[0] & CR0_PE) ||
        (!(env->eflags & VM_MASK) && cpl <= iopl)) {
        return true;
    }
    /* The bitmap: only a present 32/64-bit TSS has one. */
    if (!(env->tr.flags & DESC_P_MASK) || (type & 0xd) != 9 ||
        env->tr.limit < 0x67) {
        return gp0(f);
    }
    if (!x86_linear_read(env, env->tr.base + 0x66, &base, 2,
                         x86_kernel_mmu_index(env), f)) {
        return false;
    }
    if ((uint32_t)base + (port >> 3) + 1 > env->tr.limit) {
        return gp0(f);
    }
    if (!x86_linear_read(env, env->tr.base + base + (port >> 3), &bits, 2,
                         x86_kernel_mmu_index(env), f)) {
        return false;
    }
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        return gp0(f);
    }
    return true;
}

void helper_check_io(CPUX86State *env, uint32_t port, int32_t size)
{
    X86Fault f;

    if (!x86_check_io(env, port, size, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}
