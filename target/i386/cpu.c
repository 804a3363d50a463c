/*
 * cpu.c: the x86 vCPU object: models (-cpu), creation for the pc machine,
 * architectural reset, hflags, the lazy-flags evaluator, and the glue that
 * plugs the x86 translator (translate.c) into the TCG runtime.
 *
 * Who calls what:
 *   - x86_cpu_create: the pc machine's init, main thread, BQL.
 *   - x86_cpu_reset (CPUClass.reset): cpu_reset_all, BQL, vCPUs paused.
 *   - cpu_cc_compute_all / cpu_compute_eflags / cpu_load_eflags and
 *     x86_update_hflags: the vCPU's own thread (helpers, interrupt
 *     delivery), or any thread while the vCPU is paused (gdbstub, reset).
 *   - the TargetTcgOps hooks: the vCPU thread, as tcg-runtime.h says.
 *
 * The x86 system helpers (page walk x86_cpu_tlb_fill, interrupt delivery
 * x86_cpu_do_interrupt) live in mmu_helper.c and seg_helper.c.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/boards.h"
#include "system/bql.h"
#include "hw/irq.h"
#include "system/runstate.h"
#include "system/kvm.h"
#include "accel/accel.h"
#include "accel/tcg/tcg-runtime.h"
#include "target/i386/cpu.h"
#include "target/i386/translate.h"
#include "target/i386/helper.h"
#include "target/i386/debug.h"
#include "target/i386/cpu-models.h"

/* ------------------------------------------------------------------ */
/* Lazy flags                                                          */

static inline uint32_t x86_parity(uint64_t v)
{
    return __builtin_parity((uint8_t)v) ? 0 : CC_P;
}

/* OSZAPC of the last flag-setting op; see CCOp in cpu.h for the operands. */
uint32_t x86_cc_compute(uint32_t op, uint64_t dst, uint64_t src,
                        uint64_t src2)
{
    unsigned size, bits;
    uint64_t mask, sign, s1, res;
    uint32_t cf, af, of;

    switch (op) {
    case CC_OP_EFLAGS:
        return src & CC_OSZAPC;
    case CC_OP_CLR:
        return CC_Z | CC_P;
    case CC_OP_ADCX:
        return (src & ~CC_C & CC_OSZAPC) | (dst ? CC_C : 0);
    case CC_OP_ADOX:
        return (src & ~CC_O & CC_OSZAPC) | (src2 ? CC_O : 0);
    case CC_OP_ADCOX:
        return (src & ~(CC_C | CC_O) & CC_OSZAPC) | (dst ? CC_C : 0) |
               (src2 ? CC_O : 0);
    case CC_OP_DYNAMIC:
    default:
        if (op < CC_OP_ADDB || op > CC_OP_BMILGQ) {
            /* Our bug: env->cc_op never holds these. */
            g_assert_not_reached();
        }
        break;
    }
    size = (op - CC_OP_ADDB) & 3;
    bits = 8u << size;
    mask = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
    sign = 1ull << (bits - 1);
    res = dst & mask;
    cf = af = of = 0;

    switch ((op - CC_OP_ADDB) & ~3u) {
    case CC_OP_ADDB - CC_OP_ADDB:
        s1 = (res - src) & mask;
        cf = res < s1;
        af = (res ^ s1 ^ src) & 0x10;
        of = !!((s1 ^ src ^ mask) & (s1 ^ res) & sign);
        break;
    case CC_OP_ADCB - CC_OP_ADDB:
        s1 = (res - src - src2) & mask;
        cf = src2 ? res <= s1 : res < s1;
        af = (res ^ s1 ^ src) & 0x10;
        of = !!((s1 ^ src ^ mask) & (s1 ^ res) & sign);
        break;
    case CC_OP_SUBB - CC_OP_ADDB:
        s1 = (res + src) & mask;
        cf = s1 < (src & mask);
        af = (res ^ s1 ^ src) & 0x10;
        of = !!((s1 ^ src) & (s1 ^ res) & sign);
        break;
    case CC_OP_SBBB - CC_OP_ADDB:
        s1 = (res + src + src2) & mask;
        cf = src2 ? s1 <= (src & mask) : s1 < (src & mask);
        af = (res ^ s1 ^ src) & 0x10;
        of = !!((s1 ^ src) & (s1 ^ res) & sign);
        break;
    case CC_OP_LOGICB - CC_OP_ADDB:
        break;
    case CC_OP_INCB - CC_OP_ADDB:
        cf = src & 1;
        s1 = (res - 1) & mask;
        af = (res ^ s1 ^ 1) & 0x10;
        of = res == sign;
        break;
    case CC_OP_DECB - CC_OP_ADDB:
        cf = src & 1;
        s1 = (res + 1) & mask;
        af = (res ^ s1 ^ 1) & 0x10;
        of = res == sign - 1;
        break;
    case CC_OP_SHLB - CC_OP_ADDB:
        cf = !!(src & sign);
        of = !!((src ^ res) & sign);
        break;
    case CC_OP_SARB - CC_OP_ADDB:
        cf = src & 1;
        of = !!((src ^ res) & sign);
        break;
    case CC_OP_MULB - CC_OP_ADDB:
        cf = of = src != 0;
        break;
    case CC_OP_BMILGB - CC_OP_ADDB:
        cf = src == 0;
        break;
    }
    return (cf ? CC_C : 0) | x86_parity(res) | (af ? CC_A : 0) |
           (res == 0 ? CC_Z : 0) | ((res & sign) ? CC_S : 0) |
           (of ? CC_O : 0);
}

uint32_t cpu_cc_compute_all(CPUX86State *env)
{
    return x86_cc_compute(env->cc_op, env->cc_dst, env->cc_src,
                          env->cc_src2);
}

uint32_t cpu_compute_eflags(CPUX86State *env)
{
    return ((uint32_t)env->eflags & ~(CC_OSZAPC | DF_MASK)) |
           cpu_cc_compute_all(env) | (env->df < 0 ? DF_MASK : 0) | 2;
}

/* OSZAPC and DF are always loaded; other bits only under update_mask. */
void cpu_load_eflags(CPUX86State *env, uint32_t eflags, uint32_t update_mask)
{
    env->cc_src = eflags & CC_OSZAPC;
    env->cc_op = CC_OP_EFLAGS;
    env->df = (eflags & DF_MASK) ? -1 : 1;
    update_mask &= ~(CC_OSZAPC | DF_MASK);
    env->eflags = (env->eflags & ~(uint64_t)update_mask) |
                  (eflags & update_mask) | 2;
    x86_update_hflags(env);
}

/* ------------------------------------------------------------------ */
/* hflags                                                              */

void x86_update_hflags(CPUX86State *env)
{
    uint32_t hf = env->hflags & HF_INHIBIT_IRQ_MASK;
    uint32_t cpl = 0;
    bool pe = env->cr[0] & CR0_PE;

    if (pe) {
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
        if (cpl > ((env->eflags & IOPL_MASK) >> IOPL_SHIFT)) {
            hf |= HF_IOPL_CHECK | HF_IOPL_LT_CPL;
        }
        if (env->eflags & VM_MASK) {
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
    if (!(hf & (HF_VM_MASK | HF_CS64_MASK))) {
        if (env->segs[R_CS].flags & DESC_B_MASK) {
            hf |= HF_CS32_MASK;
        }
    }
    if (!(hf & HF_VM_MASK) && (env->segs[R_SS].flags & DESC_B_MASK)) {
        hf |= HF_SS32_MASK;
    }
    if (!(hf & HF_CS64_MASK) &&
        (env->segs[R_DS].base | env->segs[R_ES].base |
         env->segs[R_SS].base)) {
        hf |= HF_ADDSEG_MASK;
    }
    if (env->cr[0] & CR0_EM) {
        hf |= HF_EM_MASK;
    }
    if (env->cr[0] & CR0_TS) {
        hf |= HF_TS_MASK;
    }
    if (env->cr[0] & CR0_MP) {
        hf |= HF_MP_MASK;
    }
    if (env->cr[4] & CR4_OSFXSR) {
        hf |= HF_OSFXSR_MASK;
    }
    if (env->cr[4] & CR4_SMAP) {
        hf |= HF_SMAP_MASK;
    }
    if (env->eflags & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    if (env->eflags & RF_MASK) {
        hf |= HF_RF_MASK;
    }
    if (env->a20_mask != UINT64_MAX) {
        hf |= HF_A20_OFF_MASK;
    }
    env->hflags = hf;
}

/* The MMU index for data accesses at the current privilege level. */
int x86_mmu_index(uint32_t tb_flags)
{
    if (!(tb_flags & HF_PG_MASK)) {
        return X86_MMU_PHYS;
    }
    if ((tb_flags & HF_CPL_MASK) == 3) {
        return X86_MMU_USER;
    }
    if ((tb_flags & HF_SMAP_MASK) && !(tb_flags & X86_TB_FLAG_AC)) {
        return X86_MMU_KSMAP;
    }
    return X86_MMU_KNOSMAP;
}

/* ------------------------------------------------------------------ */
/* Reset                                                               */

X86CpuResetHook *x86_cpu_reset_hook;     /* set at start-up, then const */
X86IntAckHook *x86_cpu_int_ack_hook;     /* set at start-up, then const */

static void x86_seg_set(SegmentCache *sc, uint32_t sel, uint64_t base,
                        uint32_t limit, uint32_t flags)
{
    sc->selector = sel;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
}

/* The register state after RESET or INIT (SDM Vol 3A 9.1.1, table 9-1).
 * BQL; the vCPU is paused or it is its own thread. */
static void x86_cpu_reset_regs(CPUState *cs)
{
    X86CPU *cpu = x86_cpu(cs);
    CPUX86State *env = &cpu->env;
    const uint32_t data = DESC_P_MASK | DESC_S_MASK | (3u << DESC_TYPE_SHIFT);

    memset(env->regs, 0, sizeof(env->regs));
    env->regs[R_EDX] = env->cpuid_version;
    env->eip = 0xfff0;
    env->eflags = 2;
    env->df = 1;
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = env->cc_dst = env->cc_src2 = 0;

    x86_seg_set(&env->segs[R_CS], 0xf000, 0xffff0000, 0xffff,
                DESC_P_MASK | DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT));
    x86_seg_set(&env->segs[R_DS], 0, 0, 0xffff, data);
    x86_seg_set(&env->segs[R_ES], 0, 0, 0xffff, data);
    x86_seg_set(&env->segs[R_SS], 0, 0, 0xffff, data);
    x86_seg_set(&env->segs[R_FS], 0, 0, 0xffff, data);
    x86_seg_set(&env->segs[R_GS], 0, 0, 0xffff, data);
    x86_seg_set(&env->ldt, 0, 0, 0xffff, DESC_P_MASK |
                (2u << DESC_TYPE_SHIFT));
    x86_seg_set(&env->tr, 0, 0, 0xffff, DESC_P_MASK |
                (0xbu << DESC_TYPE_SHIFT));
    x86_seg_set(&env->gdt, 0, 0, 0xffff, 0);
    x86_seg_set(&env->idt, 0, 0, 0xffff, 0);

    memset(env->cr, 0, sizeof(env->cr));
    env->cr[0] = 0x60000010;
    env->efer = 0;
    env->a20_mask = UINT64_MAX;
    env->hflags = 0;
    env->star = env->lstar = env->cstar = env->fmask = 0;
    env->kernelgsbase = 0;
    env->sysenter_cs = 0;
    env->sysenter_esp = env->sysenter_eip = 0;
    env->pat = 0x0007040600070406ull;
    env->mtrr_deftype = 0;
    memset(env->mtrr_fixed, 0, sizeof(env->mtrr_fixed));
    memset(env->mtrr_var_base, 0, sizeof(env->mtrr_var_base));
    memset(env->mtrr_var_mask, 0, sizeof(env->mtrr_var_mask));
    env->misc_enable = 1;     /* fast strings */
    env->tsc_offset = 0;
    env->tsc_aux = 0;
    env->tsc_deadline = 0;
    env->apic_base = 0xfee00000ull | (1u << 11) |
                     (cs->cpu_index == 0 ? (1u << 8) : 0);
    env->xcr0 = 1;
    memset(env->dr, 0, sizeof(env->dr));
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    x86_dr7_update(env);      /* drops the old DR breakpoints */

    env->error_code = 0;
    env->exception_is_int = 0;
    env->exception_next_eip = 0;
    env->old_exception = -1;
    env->nmi_pending = env->nmi_blocked = false;

    memset(env->fpregs, 0, sizeof(env->fpregs));
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag_word = 0xffff;
    env->fpstt = 0;
    env->fpip = env->fpdp = 0;
    env->fpop = env->fpcs = env->fpds = 0;
    memset(env->xmm_regs, 0, sizeof(env->xmm_regs));
    env->mxcsr = 0x1f80;

    x86_update_hflags(env);
}

/* The power-on state.  APs wait for a start-up IPI (halted until then);
 * the BSP runs.  BQL, vCPU paused. */
static void x86_cpu_reset(CPUState *cs)
{
    X86CPU *cpu = x86_cpu(cs);

    x86_cpu_reset_regs(cs);
    if (cpu->ferr_level) {              /* FSW.ES is clear again */
        cpu->ferr_level = false;
        irq_lower(cpu->ferr);
    }
    cpu->wait_sipi = cs->cpu_index != 0;
    cs->halted = cpu->wait_sipi;
    if (x86_cpu_reset_hook) {
        x86_cpu_reset_hook(cpu);
    }
}

/* INIT keeps the MTRRs, PAT, MISC_ENABLE, TSC and the x87/SSE state
 * (SDM table 9-1 "INIT" column); the rest is the power-on state. */
void x86_cpu_do_init(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    CPUX86State saved = *env;

    x86_cpu_reset_regs(&cpu->parent);
    env->pat = saved.pat;
    env->mtrr_deftype = saved.mtrr_deftype;
    memcpy(env->mtrr_fixed, saved.mtrr_fixed, sizeof(env->mtrr_fixed));
    memcpy(env->mtrr_var_base, saved.mtrr_var_base,
           sizeof(env->mtrr_var_base));
    memcpy(env->mtrr_var_mask, saved.mtrr_var_mask,
           sizeof(env->mtrr_var_mask));
    env->misc_enable = saved.misc_enable;
    env->tsc_offset = saved.tsc_offset;
    env->a20_mask = saved.a20_mask;
    memcpy(env->fpregs, saved.fpregs, sizeof(env->fpregs));
    memcpy(env->xmm_regs, saved.xmm_regs, sizeof(env->xmm_regs));
    env->mxcsr = saved.mxcsr;
    x86_update_hflags(env);
    x86_tlb_flush(env);
    cpu->wait_sipi = cpu->parent.cpu_index != 0;
}

/* SDM 10.4.4.1 / 8.4.4: the AP starts in real mode at vector:0000, i.e.
 * CS = vector << 8, base vector << 12. */
void x86_cpu_do_sipi(X86CPU *cpu, uint8_t vector)
{
    CPUX86State *env = &cpu->env;

    env->segs[R_CS].selector = (uint32_t)vector << 8;
    env->segs[R_CS].base = (uint64_t)vector << 12;
    env->eip = 0;
    cpu->wait_sipi = false;
    x86_update_hflags(env);
}

void x86_cpu_set_a20(X86CPU *cpu, bool enabled)
{
    CPUX86State *env = &cpu->env;
    uint64_t mask = enabled ? UINT64_MAX : ~(1ull << 20);

    if (env->a20_mask != mask) {
        env->a20_mask = mask;
        x86_update_hflags(env);
        x86_tlb_flush(env);
    }
}

/* Any thread, BQL.  (env->eflags and nmi_blocked are the vCPU's own: the
 * loop asks from the vCPU's thread.)  In wait-for-SIPI only INIT and SIPI
 * count. */
static bool x86_cpu_has_work(CPUState *cs)
{
    X86CPU *cpu = x86_cpu(cs);
    CPUX86State *env = &cpu->env;
    uint32_t irq = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);

    if (irq & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_RESET)) {
        return true;
    }
    if (cpu->wait_sipi) {
        return (irq & CPU_INTERRUPT_SIPI) != 0;
    }
    return ((irq & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK)) ||
           ((irq & CPU_INTERRUPT_NMI) && !env->nmi_blocked);
}

static void x86_cpu_dump_state(CPUState *cs, FILE *f)
{
    CPUX86State *env = x86_env(cs);
    static const char *const names[8] = {
        "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP" };
    static const int idx[8] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI,
                                R_EBP, R_ESP };

    for (int i = 0; i < 8; i++) {
        fprintf(f, "%s=%016" PRIx64 "%s", names[i], env->regs[idx[i]],
                (i & 3) == 3 ? "\n" : " ");
    }
    fprintf(f, "EIP=%016" PRIx64 " EFL=%08x CPL=%u HF=%08x\n", env->eip,
            cpu_compute_eflags(env), env->hflags & HF_CPL_MASK,
            env->hflags);
    for (int i = 0; i < SEG_COUNT; i++) {
        fprintf(f, "%s=%04x %016" PRIx64 " %08x %08x\n",
                (const char *[]){ "ES", "CS", "SS", "DS", "FS", "GS" }[i],
                env->segs[i].selector, env->segs[i].base, env->segs[i].limit,
                env->segs[i].flags);
    }
    fprintf(f, "CR0=%08" PRIx64 " CR3=%08" PRIx64 " CR4=%08" PRIx64
            " EFER=%08" PRIx64 "\n", env->cr[0], env->cr[3], env->cr[4],
            env->efer);
}

static uint64_t x86_get_phys_page_debug(CPUState *cs, uint64_t addr)
{
    return x86_cpu_get_phys_page_debug(cs, addr);
}

static const CPUClass x86_cpu_class = {
    .arch = "x86_64",
    .reset = x86_cpu_reset,
    .has_work = x86_cpu_has_work,
    .do_interrupt = x86_cpu_do_interrupt,
    .dump_state = x86_cpu_dump_state,
    .get_phys_page_debug = x86_get_phys_page_debug,
    .gdb_read_register = x86_gdb_read_register,
    .gdb_write_register = x86_gdb_write_register,
    .gdb_xml = x86_gdb_xml,
};

/* Bits needed to number n things (APIC ID fields, SDM Vol 3A 10.4.8). */
static unsigned id_bits(unsigned n)
{
    unsigned b = 0;

    while ((1u << b) < n) {
        b++;
    }
    return b;
}

/* Main thread, BQL, before the vCPUs start. */
X86CPU *x86_cpu_create(MachineState *ms, int index, Error **errp)
{
    const char *spec = ms->cpu_type ? ms->cpu_type :
                       ms->mc->default_cpu_type;
    X86CpuConfig cfg;
    X86CPU *cpu;
    CPUX86State *env;
    unsigned threads, cores, tb, cb;
    bool host;

    if (!x86_cpu_config_parse(spec, &cfg, errp)) {
        return NULL;
    }
    host = !strcmp(cfg.model->name, "host");
    if (host && !kvm_enabled()) {
        error_setg(errp, "-cpu %s: CPU model 'host' requires KVM "
                   "(-accel kvm)", spec);
        return NULL;
    }
    if (host && strchr(spec, ',')) {
        error_setg(errp, "-cpu %s: feature flags are not supported with "
                   "the host model", spec);
        return NULL;
    }
    cpu = g_new0(X86CPU, 1);
    env = &cpu->env;
    cpu->parent.env_ptr = env;
    threads = ms->smp_threads > 0 ? ms->smp_threads : 1;
    cores = ms->smp_cores > 0 ? ms->smp_cores : 1;
    env->nr_threads = threads;
    env->nr_cores = cores;
    /* The APIC ID packs socket, core and thread (CPUID leaf 0BH). */
    tb = id_bits(threads);
    cb = id_bits(cores);
    cpu->apic_id = ((index / (threads * cores)) << (tb + cb)) |
                   (((index / threads) % cores) << tb) | (index % threads);
    x86_cpu_config_apply(&cfg, env);
    if (host && !x86_kvm_host_model(env, errp)) {
        g_free(cpu);
        return NULL;
    }
    cpu_init_common(&cpu->parent, &x86_cpu_class, index);
    x86_cpu_reset(&cpu->parent);
    return cpu;
}

/* ------------------------------------------------------------------ */
/* TCG glue                                                            */

static void x86_get_tb_cpu_state(CPUState *cs, vaddr *pc, uint64_t *cs_base,
                                 uint32_t *flags)
{
    CPUX86State *env = x86_env(cs);

    *cs_base = env->segs[R_CS].base;
    *pc = *cs_base + env->eip;
    if (!(env->hflags & HF_CS64_MASK)) {
        *pc = (uint32_t)*pc;
    }
    *flags = env->hflags | ((env->eflags & AC_MASK) ? X86_TB_FLAG_AC : 0);
    if ((env->eflags & AC_MASK) && (env->cr[0] & CR0_AM) &&
        (env->hflags & HF_CPL_MASK) == 3) {
        *flags |= X86_TB_FLAG_ALIGN;
    }
}

static void x86_restore_state_to_opc(CPUState *cs, const TranslationBlock *tb,
                                     const uint64_t *words)
{
    CPUX86State *env = x86_env(cs);

    env->eip = words[0];
    if (words[1] != CC_OP_DYNAMIC) {
        env->cc_op = words[1];
    }
}

static void x86_do_unaligned_access(CPUState *cs, vaddr addr,
                                    MMUAccessType type, int mmu_idx,
                                    uintptr_t retaddr)
{
    /* The translator asks for alignment only under X86_TB_FLAG_ALIGN
     * (alignment checking at CPL 3): a misaligned data access is #AC(0). */
    raise_exception_err(x86_env(cs), EXCP11_ALGN, 0, retaddr);
}

static int x86_code_mmu_index(CPUState *cs)
{
    CPUX86State *env = x86_env(cs);

    return x86_mmu_index(env->hflags |
                         ((env->eflags & AC_MASK) ? X86_TB_FLAG_AC : 0));
}

/*
 * TargetTcgOps.cpu_exec_interrupt: takes a pending NMI, or an external
 * interrupt when EFLAGS.IF is set and no STI/MOV SS shadow is active, and
 * delivers it through seg_helper.c.  BQL, vCPU thread, between TBs.
 */
static bool x86_cpu_exec_interrupt(CPUState *cs, uint32_t irq)
{
    X86CPU *cpu = x86_cpu(cs);
    CPUX86State *env = &cpu->env;
    int vec;

    /* INIT and SIPI are not masked by anything (SDM 10.6.1, 8.4.4). */
    if (irq & CPU_INTERRUPT_INIT) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT);
        x86_cpu_do_init(cpu);
        /* The LAPIC voids older SIPIs when it raises INIT, so a SIPI bit
         * seen now came after this INIT. */
        irq = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);
        if (cpu->wait_sipi && !(irq & CPU_INTERRUPT_SIPI)) {
            cs->exception_index = EXCP_HLT;  /* leave to the loop: halted */
            return true;
        }
        if (!cpu->wait_sipi) {
            return true;    /* the BSP runs from the reset vector */
        }
    }
    if (irq & CPU_INTERRUPT_SIPI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
        if (cpu->wait_sipi) {
            x86_cpu_do_sipi(cpu, cpu->sipi_vector);
            return true;
        }
    }
    if (cpu->wait_sipi) {
        cs->exception_index = EXCP_HLT;     /* nothing else wakes it */
        return false;
    }
    if (env->hflags & HF_INHIBIT_IRQ_MASK) {
        return false;
    }
    if ((irq & CPU_INTERRUPT_NMI) && !env->nmi_blocked) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        x86_cpu_do_hw_interrupt(cs, EXCP02_NMI, true);
        return true;
    }
    if ((irq & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK) &&
        x86_cpu_int_ack_hook) {
        vec = x86_cpu_int_ack_hook(x86_cpu(cs));
        if (vec >= 0) {
            x86_cpu_do_hw_interrupt(cs, vec, false);
            return true;
        }
    }
    return false;
}

static const TargetTcgOps x86_tcg_ops = {
    .page_bits = 12,
    .nb_mmu_modes = X86_NB_MMU_MODES,
    .insn_start_words = 2,
    .env_offset = offsetof(X86CPU, env) - offsetof(X86CPU, parent),
    .tlb_fast_offset = offsetof(CPUX86State, tlb),
    .get_tb_cpu_state = x86_get_tb_cpu_state,
    .translate_code = x86_translate_code,
    .restore_state_to_opc = x86_restore_state_to_opc,
    .tlb_fill = x86_cpu_tlb_fill,
    .do_unaligned_access = x86_do_unaligned_access,
    .code_mmu_index = x86_code_mmu_index,
    .cpu_exec_interrupt = x86_cpu_exec_interrupt,
    .debug_check_breakpoint = x86_debug_check_breakpoint,
    .debug_excp_handler = x86_debug_excp_handler,
};

const TargetTcgOps *x86_get_tcg_ops(void)
{
    return &x86_tcg_ops;
}

__attribute__((constructor)) static void x86_tcg_register(void)
{
    tcg_register_target("x86_64", &x86_tcg_ops, x86_translate_init);
}
