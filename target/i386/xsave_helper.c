/*
 * xsave_helper.c: the 0F AE group (FXSAVE, FXRSTOR, LDMXCSR, STMXCSR,
 * XSAVE, XRSTOR, XSAVEOPT, CLFLUSH, the fences), XSAVEC (0F C7 /4) and
 * XGETBV/XSETBV, for the x87 and SSE state components.
 *
 * Layouts: SDM Vol 1 10.5.1 (FXSAVE, table 10-2 and 10-3 for the 64-bit
 * REX.W form) and 13.4-13.12 (XSAVE: legacy region = FXSAVE image, header
 * at 512 with XSTATE_BV and XCOMP_BV).  Only components 0 (x87) and 1
 * (SSE) exist, so the standard and compacted formats coincide in size
 * (576 bytes) and XSAVEOPT/XSAVEC may simply save what is requested.
 *
 * Called from x86_helper_grp15 (generated code, vCPU thread, no lock).
 * The same component routines also fill and read a host buffer
 * (X86FpCtx.host, x86_xsave_to_buffer): the KVM accelerator exchanges the
 * XSAVE image with the kernel (target/i386/kvm.c), so there is one layout.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/helper.h"
#include "target/i386/fpu-sse.h"

#define MXCSR_MASK_SUPPORTED 0xffffu

/* Guest memory through the insn's MMU index, or the host buffer. */
static uint64_t xs_ld(X86FpCtx *c, uint64_t off, MemOp size)
{
    if (c->host) {
        uint64_t v = 0;

        for (unsigned i = 0; i < 1u << size; i++) {
            v |= (uint64_t)c->host[c->a0 + off + i] << (8 * i);
        }
        return v;
    }
    return x86_fp_ld(c, off, size);
}

static void xs_st(X86FpCtx *c, uint64_t off, uint64_t v, MemOp size)
{
    if (c->host) {
        for (unsigned i = 0; i < 1u << size; i++) {
            c->host[c->a0 + off + i] = v >> (8 * i);
        }
        return;
    }
    x86_fp_st(c, off, v, size);
}

static void gp0(X86FpCtx *c)
{
    raise_exception_err(c->env, EXCP0D_GPF, 0, c->ra);
}

/* Abridged tag: one bit per register, 1 = not empty (SDM Vol 1 10.5.1.1). */
static uint8_t abridged_tags(CPUX86State *env)
{
    uint8_t t = 0;

    for (int i = 0; i < 8; i++) {
        if (((env->fptag_word >> (2 * i)) & 3) != 3) {
            t |= 1u << i;
        }
    }
    return t;
}

static void fx_save_x87(X86FpCtx *c, uint64_t base)
{
    CPUX86State *env = c->env;
    X86FpCtx b = *c;

    b.a0 = c->a0 + base;
    xs_st(&b, 0, env->fpuc, MO_16);
    xs_st(&b, 2, x86_fpu_fsw(env), MO_16);
    xs_st(&b, 4, abridged_tags(env), MO_8);
    xs_st(&b, 5, 0, MO_8);
    xs_st(&b, 6, env->fpop, MO_16);
    if (c->d.rexw) {
        xs_st(&b, 8, env->fpip, MO_64);
        xs_st(&b, 16, env->fpdp, MO_64);
    } else {
        xs_st(&b, 8, (uint32_t)env->fpip, MO_32);
        xs_st(&b, 12, env->fpcs, MO_32);
        xs_st(&b, 16, (uint32_t)env->fpdp, MO_32);
        xs_st(&b, 20, env->fpds, MO_32);
    }
    for (int i = 0; i < 8; i++) {
        int p = (env->fpstt + i) & 7;

        xs_st(&b, 32 + 16 * i, env->fpregs[p].mant, MO_64);
        xs_st(&b, 40 + 16 * i, env->fpregs[p].exp, MO_64);
    }
}

static void fx_save_mxcsr(X86FpCtx *c)
{
    xs_st(c, 24, c->env->mxcsr, MO_32);
    xs_st(c, 28, MXCSR_MASK_SUPPORTED, MO_32);
}

static unsigned nb_xmm(X86FpCtx *c)
{
    return c->d.mode == X86_MODE_64 ? 16 : 8;
}

static void fx_save_xmm(X86FpCtx *c)
{
    for (unsigned i = 0; i < nb_xmm(c); i++) {
        xs_st(c, 160 + 16 * i, c->env->xmm_regs[i].q[0], MO_64);
        xs_st(c, 168 + 16 * i, c->env->xmm_regs[i].q[1], MO_64);
    }
}

static void fx_load_x87(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    uint16_t fcw = xs_ld(c, 0, MO_16);
    uint16_t fsw = xs_ld(c, 2, MO_16);
    uint8_t tags = xs_ld(c, 4, MO_8);
    uint16_t fop = xs_ld(c, 6, MO_16);
    X86FpReg r[8];

    for (int i = 0; i < 8; i++) {
        r[i].mant = xs_ld(c, 32 + 16 * i, MO_64);
        r[i].exp = xs_ld(c, 40 + 16 * i, MO_16);
    }
    if (c->d.rexw) {
        env->fpip = xs_ld(c, 8, MO_64);
        env->fpdp = xs_ld(c, 16, MO_64);
    } else {
        env->fpip = xs_ld(c, 8, MO_32);
        env->fpcs = xs_ld(c, 12, MO_16);
        env->fpdp = xs_ld(c, 16, MO_32);
        env->fpds = xs_ld(c, 20, MO_16);
    }
    env->fpop = fop & 0x7ff;
    env->fpuc = fcw;
    x86_fpu_set_fsw(env, fsw);
    env->fptag_word = 0;
    for (int i = 0; i < 8; i++) {
        if (!(tags & (1u << i))) {
            env->fptag_word |= 3u << (2 * i);
        }
    }
    for (int i = 0; i < 8; i++) {
        env->fpregs[(env->fpstt + i) & 7] = r[i];
    }
}

/* MXCSR from memory: reserved bits set -> #GP(0). */
static uint32_t fx_load_mxcsr_checked(X86FpCtx *c, uint64_t off)
{
    uint32_t m = xs_ld(c, off, MO_32);

    if (m & ~MXCSR_MASK_SUPPORTED) {
        gp0(c);
    }
    return m;
}

static void fx_load_xmm(X86FpCtx *c)
{
    for (unsigned i = 0; i < nb_xmm(c); i++) {
        c->env->xmm_regs[i].q[0] = xs_ld(c, 160 + 16 * i, MO_64);
        c->env->xmm_regs[i].q[1] = xs_ld(c, 168 + 16 * i, MO_64);
    }
}

void x86_fxsave(X86FpCtx *c)
{
    x86_fp_probe_write(c, 512);
    fx_save_x87(c, 0);
    fx_save_mxcsr(c);
    fx_save_xmm(c);
}

void x86_fxrstor(X86FpCtx *c)
{
    uint32_t m = fx_load_mxcsr_checked(c, 24);

    fx_load_x87(c);
    x86_fpu_ferr_update(c->env);    /* FSW.ES may have cleared */
    fx_load_xmm(c);
    c->env->mxcsr = m;
}

uint32_t x86_xsave_size(uint64_t xcr0)
{
    (void)xcr0;
    return 512 + 64;
}

/* XSAVE family: #UD unless CR4.OSXSAVE; 64-byte alignment. */
static uint64_t xsave_rfbm(X86FpCtx *c)
{
    CPUX86State *env = c->env;

    return (env->regs[R_EAX] & 0xffffffffu) |
           (env->regs[R_EDX] << 32 & 0xffffffff00000000ull);
}

static void xsave_common(X86FpCtx *c, bool compacted)
{
    CPUX86State *env = c->env;
    uint64_t rfbm = xsave_rfbm(c) & env->xcr0;
    uint64_t bv;

    x86_fp_probe_write(c, 576);
    bv = x86_fp_ld(c, 512, MO_64);
    if (rfbm & 1) {
        fx_save_x87(c, 0);
    }
    if (rfbm & 3) {
        fx_save_mxcsr(c);
    }
    if (rfbm & 2) {
        fx_save_xmm(c);
    }
    /* XSTATE_BV: the saved components are marked in use (we do not track
     * the init optimisation); others keep their bits (standard) or are
     * cleared (compacted, SDM 13.10). */
    bv = compacted ? (rfbm & 3) : ((bv & ~rfbm) | (rfbm & 3));
    x86_fp_st(c, 512, bv, MO_64);
    if (compacted) {
        x86_fp_st(c, 520, (1ull << 63) | (env->xcr0 & 3), MO_64);
    }
}

/* The x87 component's initial state (SDM Vol 1 13.6): FNINIT's, with
 * the registers cleared as well. */
static void x87_init(CPUX86State *env)
{
    x86_fpu_init(env);
    memset(env->fpregs, 0, sizeof(env->fpregs));
}

static void xrstor(X86FpCtx *c)
{
    CPUX86State *env = c->env;
    uint64_t rfbm = xsave_rfbm(c) & env->xcr0;
    uint64_t bv = x86_fp_ld(c, 512, MO_64);
    uint64_t comp = x86_fp_ld(c, 520, MO_64);
    uint32_t m = env->mxcsr;

    /* SDM 13.8.1: #GP on a bad header. */
    if (comp & (1ull << 63)) {
        if ((comp & ~(1ull << 63)) & ~env->xcr0 || bv & ~comp ||
            x86_fp_ld(c, 528, MO_64) ||
            (x86_fp_ld(c, 536, MO_64) | x86_fp_ld(c, 544, MO_64) |
             x86_fp_ld(c, 552, MO_64) | x86_fp_ld(c, 560, MO_64) |
             x86_fp_ld(c, 568, MO_64))) {
            gp0(c);
        }
    } else if (bv & ~env->xcr0 || comp ||
               x86_fp_ld(c, 528, MO_64) | x86_fp_ld(c, 536, MO_64) |
               x86_fp_ld(c, 544, MO_64) | x86_fp_ld(c, 552, MO_64) |
               x86_fp_ld(c, 560, MO_64) | x86_fp_ld(c, 568, MO_64)) {
        gp0(c);
    }
    if (rfbm & 3) {
        m = fx_load_mxcsr_checked(c, 24);
    }
    if (rfbm & 1) {
        if (bv & 1) {
            fx_load_x87(c);
        } else {
            x87_init(env);
        }
        x86_fpu_ferr_update(env);
    }
    if (rfbm & 2) {
        if (bv & 2) {
            fx_load_xmm(c);
        } else {
            memset(env->xmm_regs, 0, sizeof(env->xmm_regs[0]) * nb_xmm(c));
        }
    }
    if (rfbm & 3) {
        env->mxcsr = m;
    }
}

static void check_fxsr(X86FpCtx *c, bool need_osfxsr)
{
    CPUX86State *env = c->env;

    if (env->cr[0] & CR0_EM) {
        x86_fp_raise(c, EXCP06_ILLOP);
    }
    if (need_osfxsr && !(env->cr[4] & CR4_OSFXSR)) {
        x86_fp_raise(c, EXCP06_ILLOP);
    }
    if (env->cr[0] & CR0_TS) {
        x86_fp_raise(c, EXCP07_PREX);
    }
}

static void check_xsave(X86FpCtx *c)
{
    CPUX86State *env = c->env;

    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_fp_raise(c, EXCP06_ILLOP);
    }
    if (env->cr[0] & CR0_TS) {
        x86_fp_raise(c, EXCP07_PREX);
    }
    if (c->a0 & 63) {
        gp0(c);
    }
}

/* 0F AE group, XSAVEC (0F C7 /4), XGETBV/XSETBV (0F 01 D0/D1). */
static void x86_helper_grp15(void *envp, uint64_t desc, uint64_t a0,
                             uint64_t eip)
{
    CPUX86State *env = envp;
    X86FpCtx c = { env, env_cpu(env), { .raw = desc }, a0, GETPC() };
    unsigned reg = (c.d.modrm >> 3) & 7;

    if (c.d.opcode == 0x1c7) {          /* XSAVEC */
        check_xsave(&c);
        xsave_common(&c, true);
        return;
    }
    if (c.d.opcode == 0x101) {          /* XGETBV / XSETBV */
        uint32_t ecx = env->regs[R_ECX];

        if (!(env->cr[4] & CR4_OSXSAVE)) {
            x86_fp_raise(&c, EXCP06_ILLOP);
        }
        if (c.d.modrm == 0xd0) {
            if (ecx != 0) {
                gp0(&c);
            }
            env->regs[R_EAX] = (uint32_t)env->xcr0;
            env->regs[R_EDX] = env->xcr0 >> 32;
        } else {
            uint64_t v = (uint32_t)env->regs[R_EAX] |
                         (env->regs[R_EDX] << 32);

            /* SDM XSETBV: CPL 0, ECX = 0, bit 0 set, only supported
             * bits, SSE (1) needed for AVX (2). */
            if ((env->hflags & HF_CPL_MASK) || ecx != 0 || !(v & 1) ||
                (v & ~(uint64_t)X86_XCR0_SUPPORTED)) {
                gp0(&c);
            }
            env->xcr0 = v;
        }
        return;
    }
    if (c.d.pfx != X86_PFX_NONE) {
        x86_fp_raise(&c, EXCP06_ILLOP);
    }
    switch (reg) {
    case 0: case 1:                     /* FXSAVE, FXRSTOR */
        check_fxsr(&c, false);
        if (a0 & 15) {
            gp0(&c);
        }
        if (reg == 0) {
            x86_fxsave(&c);
        } else {
            x86_fxrstor(&c);
        }
        return;
    case 2:                             /* LDMXCSR */
        check_fxsr(&c, true);
        env->mxcsr = fx_load_mxcsr_checked(&c, 0);
        return;
    case 3:                             /* STMXCSR */
        check_fxsr(&c, true);
        x86_fp_st(&c, 0, env->mxcsr, MO_32);
        return;
    case 4: case 6:                     /* XSAVE, XSAVEOPT */
        check_xsave(&c);
        xsave_common(&c, false);
        return;
    case 5:                             /* XRSTOR */
        check_xsave(&c);
        xrstor(&c);
        return;
    }
    x86_fp_raise(&c, EXCP06_ILLOP);
}

const TCGHelperInfo x86_helper_grp15_info = {
    .func = x86_helper_grp15, .name = "grp15", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};

const TCGHelperInfo x86_helper_grp15_nowg_info = {
    .func = x86_helper_grp15, .name = "grp15", .flags = TCG_CALL_NO_WG,
    .ret = TCG_CALL_VOID, .nb_args = 4,
};

/* ------------------------------------------------------------------ */
/* The XSAVE image in a host buffer (KVM state sync)                   */

/* The kernel's image: XSAVE64 layout (64-bit FIP/FDP), 16 XMM. */
#define XS_HOST_DESC(buf) { .rexw = 1, .mode = X86_MODE_64 }

void x86_xsave_to_buffer(CPUX86State *env, void *buf, size_t len)
{
    X86FpCtx c = { .env = env, .d = XS_HOST_DESC(buf), .host = buf };
    uint64_t bv;

    assert(len >= 576);
    fx_save_x87(&c, 0);
    fx_save_mxcsr(&c);
    fx_save_xmm(&c);
    bv = xs_ld(&c, 512, MO_64);
    xs_st(&c, 512, bv | X86_XCR0_SUPPORTED, MO_64);
    xs_st(&c, 520, 0, MO_64);               /* XCOMP_BV: standard format */
}

void x86_xrstor_from_buffer(CPUX86State *env, const void *buf, size_t len)
{
    X86FpCtx c = { .env = env, .d = XS_HOST_DESC(buf),
                   .host = (uint8_t *)buf };  /* only read */
    uint64_t bv;

    assert(len >= 576);
    bv = xs_ld(&c, 512, MO_64);
    env->mxcsr = xs_ld(&c, 24, MO_32) & MXCSR_MASK_SUPPORTED;
    if (bv & 1) {
        fx_load_x87(&c);
    } else {
        x87_init(env);
    }
    if (bv & 2) {
        fx_load_xmm(&c);
    } else {
        memset(env->xmm_regs, 0, sizeof(env->xmm_regs));
    }
}
