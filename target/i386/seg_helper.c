/*
 * seg_helper.c: x86 segmentation, interrupt delivery, far transfers, task
 * switches and fast system calls (SDM Vol 3A chapters 3, 5, 6 and 7).
 *
 * Everything here is written as cores that return false with an X86Fault
 * when the guest is at fault, plus thin helper_* wrappers that raise it
 * with cpu_loop_exit_restore(GETPC()).  Interrupt delivery uses the cores
 * directly from x86_cpu_do_interrupt, which runs with the BQL and may not
 * unwind: a fault during delivery is combined with the event being
 * delivered (#DF rules, excp_helper.c) and delivery is retried.
 *
 * Memory for descriptor tables, the TSS and stacks is read and written with
 * x86_linear_read/write (page walk + memory API).  Stack pushes of one
 * transfer are collected and checked before any architectural state
 * changes, so a fault leaves the guest state as it was (restartable).
 *
 * Thread: the vCPU's own thread.  No locks taken.
 */
#include "target/i386/helper.h"
#include "util/log.h"
#include "accel/accel.h"

/* System descriptor types (S = 0). */
enum {
    DT_TSS16_AVL = 1, DT_LDT = 2, DT_TSS16_BUSY = 3, DT_CALLGATE16 = 4,
    DT_TASKGATE = 5, DT_INTGATE16 = 6, DT_TRAPGATE16 = 7,
    DT_TSS32_AVL = 9, DT_TSS32_BUSY = 11, DT_CALLGATE32 = 12,
    DT_INTGATE32 = 14, DT_TRAPGATE32 = 15,
};

/* Code/data type bits (S = 1), in e2 (descriptor high word). */
#define E2_A     (1u << 8)
#define E2_RW    (1u << 9)     /* data: writable; code: readable */
#define E2_CE    (1u << 10)    /* data: expand-down; code: conforming */
#define E2_CODE  (1u << 11)

static inline bool fault(X86Fault *f, int vector, uint32_t err)
{
    f->vector = vector;
    f->has_error_code = true;
    f->error_code = err;
    f->cr2 = 0;
    return false;
}

static inline bool fault_noerr(X86Fault *f, int vector)
{
    f->vector = vector;
    f->has_error_code = false;
    f->error_code = 0;
    f->cr2 = 0;
    return false;
}

static inline int cpl_of(CPUX86State *env)
{
    return env->hflags & HF_CPL_MASK;
}

static inline int e2_dpl(uint32_t e2)
{
    return (e2 >> 13) & 3;
}

static inline int e2_type(uint32_t e2)
{
    return (e2 >> 8) & 0xf;
}

static uint64_t desc_base(uint32_t e1, uint32_t e2)
{
    return (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000u);
}

static uint32_t desc_limit(uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000u);

    return (e2 & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

static void seg_cache_set(SegmentCache *sc, uint32_t sel, uint64_t base,
                          uint32_t limit, uint32_t flags)
{
    sc->selector = sel;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
}

static void seg_cache_load(SegmentCache *sc, uint32_t sel, uint32_t e1,
                           uint32_t e2)
{
    seg_cache_set(sc, sel, desc_base(e1, e2), desc_limit(e1, e2),
                  e2 & 0x00ffff00u);
}

/* Address of the descriptor for selector, or false with #GP(sel). */
static bool desc_addr(CPUX86State *env, uint32_t sel, uint64_t *addr,
                      X86Fault *f)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t index = sel & ~7u;

    if ((sel & 4) && (env->ldt.selector & ~3u) == 0 && env->ldt.limit == 0) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (index + 7 > dt->limit) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    *addr = dt->base + index;
    return true;
}

/* Reads the 8-byte descriptor of sel.  #GP(sel) beyond the table. */
static bool desc_load(CPUX86State *env, uint32_t sel, uint32_t *e1,
                      uint32_t *e2, X86Fault *f)
{
    uint64_t a, d;

    if (!desc_addr(env, sel, &a, f) ||
        !x86_linear_ld_desc(env, a, &d, x86_kernel_mmu_index(env), f)) {
        return false;
    }
    *e1 = (uint32_t)d;
    *e2 = (uint32_t)(d >> 32);
    return true;
}

/* Sets the accessed bit of a code/data descriptor (SDM 3.4.5.1) with a
 * locked OR, as the processor does: other vCPUs may be changing the same
 * dword (x86_linear_update32). */
static bool desc_set_accessed(CPUX86State *env, uint32_t sel, uint32_t e2,
                              X86Fault *f)
{
    uint64_t a;

    if (e2 & E2_A) {
        return true;
    }
    return desc_addr(env, sel, &a, f) &&
           x86_linear_update32(env, a + 4, 0, E2_A, x86_kernel_mmu_index(env),
                               f);
}

/* --- Stack access for transfers ----------------------------------------- */

typedef struct StackPtr {
    uint64_t base;
    uint64_t sp;
    uint64_t mask;          /* 0xffff, 0xffffffff or ~0 */
    int mmu_idx;
} StackPtr;

static uint64_t sp_mask_of(uint32_t ss_flags, bool lma64)
{
    if (lma64) {
        return ~0ull;
    }
    return (ss_flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
}

static bool stack_push(CPUX86State *env, StackPtr *s, uint64_t v, int bytes,
                       X86Fault *f)
{
    uint64_t sp = (s->sp - bytes) & s->mask;
    uint64_t lin = s->base + sp;

    if (s->mask != ~0ull) {
        lin &= 0xffffffffu;
    }
    if (!x86_linear_write(env, lin, &v, bytes, s->mmu_idx, f)) {
        return false;
    }
    s->sp = (s->sp & ~s->mask) | sp;
    return true;
}

static bool stack_pop(CPUX86State *env, StackPtr *s, uint64_t *v, int bytes,
                      X86Fault *f)
{
    uint64_t lin = s->base + (s->sp & s->mask);

    if (s->mask != ~0ull) {
        lin &= 0xffffffffu;
    }
    *v = 0;
    if (!x86_linear_read(env, lin, v, bytes, s->mmu_idx, f)) {
        return false;
    }
    s->sp = (s->sp & ~s->mask) | ((s->sp + bytes) & s->mask);
    return true;
}

/* Turns a #PF on a stack access into itself, anything else into #SS. */
static bool stack_fault(X86Fault *f, uint32_t ss_err)
{
    if (f->vector == EXCP0E_PAGE) {
        return false;
    }
    return fault(f, EXCP0C_STACK, ss_err);
}

static void set_sp(CPUX86State *env, uint64_t sp, uint64_t mask)
{
    env->regs[R_ESP] = (env->regs[R_ESP] & ~mask) | (sp & mask);
    if (mask == 0xffffffffu) {
        env->regs[R_ESP] = (uint32_t)sp;   /* 32-bit writes zero-extend */
    }
}

/* --- Segment register loads ------------------------------------------- */

static bool in_real_or_v86(CPUX86State *env)
{
    return !(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK);
}

/* SDM 3.4.3 / 5.5 / MOV Sreg in Vol 2B: every check, in order. */
bool x86_load_seg(CPUX86State *env, int seg, uint32_t selector, X86Fault *f)
{
    uint32_t e1, e2;
    int cpl = cpl_of(env), rpl = selector & 3, dpl;

    selector &= 0xffff;
    f->vector = -1;
    if (in_real_or_v86(env)) {
        SegmentCache *sc = &env->segs[seg];
        uint32_t flags = DESC_P_MASK | DESC_S_MASK | E2_RW | E2_A |
                         (seg == R_CS ? E2_CODE : 0);
        if (env->eflags & VM_MASK) {
            flags |= 3 << DESC_DPL_SHIFT;
            sc->limit = 0xffff;
            sc->flags = flags;
        } else if (!(env->cr[0] & CR0_PE)) {
            /* real mode keeps the limit and attributes (unreal mode) */
            if (seg == R_SS || seg == R_CS) {
                sc->flags = (sc->flags & ~DESC_DPL_MASK);
            }
        }
        sc->selector = selector;
        sc->base = (uint64_t)selector << 4;
        x86_update_hflags(env);
        return true;
    }
    if ((selector & ~3u) == 0) {
        /* Null selector: #GP(0) for SS except in 64-bit mode at CPL < 3
         * with RPL == CPL (SDM 5.4.1.1). */
        if (seg == R_SS && (!(env->hflags & HF_CS64_MASK) || cpl == 3 ||
                            rpl != cpl)) {
            return fault(f, EXCP0D_GPF, 0);
        }
        seg_cache_set(&env->segs[seg], selector, 0, 0,
                      seg == R_SS ? (uint32_t)cpl << DESC_DPL_SHIFT : 0);
        x86_update_hflags(env);
        return true;
    }
    if (!desc_load(env, selector, &e1, &e2, f)) {
        return false;
    }
    dpl = e2_dpl(e2);
    if (!(e2 & DESC_S_MASK)) {
        return fault(f, EXCP0D_GPF, selector & 0xfffc);
    }
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (e2 & E2_CODE) || !(e2 & E2_RW)) {
            return fault(f, EXCP0D_GPF, selector & 0xfffc);
        }
        if (!(e2 & DESC_P_MASK)) {
            return fault(f, EXCP0C_STACK, selector & 0xfffc);
        }
    } else {
        /* data, or readable code */
        if ((e2 & (E2_CODE | E2_RW)) == E2_CODE) {
            return fault(f, EXCP0D_GPF, selector & 0xfffc);
        }
        /* data or non-conforming code: max(CPL, RPL) <= DPL */
        if (!((e2 & E2_CODE) && (e2 & E2_CE)) && (rpl > dpl || cpl > dpl)) {
            return fault(f, EXCP0D_GPF, selector & 0xfffc);
        }
        if (!(e2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, selector & 0xfffc);
        }
    }
    if (!desc_set_accessed(env, selector, e2, f)) {
        return false;
    }
    seg_cache_load(&env->segs[seg], selector, e1, e2 | E2_A);
    x86_update_hflags(env);
    return true;
}

void helper_load_seg(CPUX86State *env, int32_t seg, uint32_t selector)
{
    X86Fault f;

    if (!x86_load_seg(env, seg, selector, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

/* Loads CS for a transfer (checks already done): RPL becomes cpl. */
static void load_cs(CPUX86State *env, uint32_t sel, uint32_t e1, uint32_t e2,
                    int cpl)
{
    seg_cache_load(&env->segs[R_CS], (sel & 0xfffc) | cpl, e1, e2);
}

/* Checks of a stack segment for a privilege change to level dpl: #TS or
 * #SS with the selector (SDM 6.12.1.1). */
static bool check_new_ss(CPUX86State *env, uint32_t ss, int dpl,
                         uint32_t *e1, uint32_t *e2, int bad_vector,
                         X86Fault *f)
{
    if ((ss & ~3u) == 0) {
        return fault(f, bad_vector, ss & 0xfffc);
    }
    if (!desc_load(env, ss, e1, e2, f)) {
        return fault(f, bad_vector, ss & 0xfffc);
    }
    if ((ss & 3) != dpl || e2_dpl(*e2) != dpl || !(*e2 & DESC_S_MASK) ||
        (*e2 & E2_CODE) || !(*e2 & E2_RW)) {
        return fault(f, bad_vector, ss & 0xfffc);
    }
    if (!(*e2 & DESC_P_MASK)) {
        return fault(f, EXCP0C_STACK, ss & 0xfffc);
    }
    return true;
}

/* The inner stack for privilege level dpl from the current TSS. */
static bool tss_get_stack(CPUX86State *env, int dpl, uint32_t *ss,
                          uint64_t *sp, X86Fault *f)
{
    int type = e2_type(env->tr.flags);
    int shift = (type & 8) ? 1 : 0;    /* 32-bit TSS */
    uint32_t off = (dpl * 4 + 2) << shift;
    uint32_t v[2] = { 0, 0 };

    if (!(env->tr.flags & DESC_P_MASK)) {
        return fault(f, EXCP0A_TSS, env->tr.selector & 0xfffc);
    }
    if (off + (4 << shift) - 1 > env->tr.limit) {
        return fault(f, EXCP0A_TSS, env->tr.selector & 0xfffc);
    }
    if (!x86_linear_read(env, env->tr.base + off, v, 4 << shift,
                         x86_kernel_mmu_index(env), f)) {
        return false;
    }
    if (shift) {
        *sp = v[0];
        *ss = v[1] & 0xffff;
    } else {
        *sp = v[0] & 0xffff;
        *ss = v[0] >> 16;
    }
    return true;
}

/* 64-bit TSS: RSPn (ist == 0) or ISTn. */
static bool tss64_get_stack(CPUX86State *env, int dpl, int ist,
                            uint64_t *sp, X86Fault *f)
{
    uint32_t off = ist ? 0x1c + ist * 8 : 4 + dpl * 8;

    if (off + 7 > env->tr.limit) {
        return fault(f, EXCP0A_TSS, env->tr.selector & 0xfffc);
    }
    return x86_linear_read(env, env->tr.base + off, sp, 8,
                           x86_kernel_mmu_index(env), f);
}

/* --- Interrupt delivery -------------------------------------------------- */

static bool excp_has_error_code(int intno)
{
    return intno == EXCP08_DBLE || (intno >= EXCP0A_TSS &&
                                    intno <= EXCP0E_PAGE) ||
           intno == EXCP11_ALGN || intno == 21;
}

/* SDM 20.1.4: real mode, through the IVT. */
static bool deliver_real(CPUX86State *env, int intno, uint64_t next_eip,
                         X86Fault *f)
{
    uint32_t ent;
    StackPtr s = {
        .base = env->segs[R_SS].base, .sp = env->regs[R_ESP], .mask = 0xffff,
        .mmu_idx = X86_MMU_PHYS,
    };
    uint32_t ef = cpu_compute_eflags(env);

    if (intno * 4 + 3 > env->idt.limit) {
        return fault(f, EXCP0D_GPF, intno * 8 + 2);
    }
    if (!x86_linear_read(env, env->idt.base + intno * 4, &ent, 4,
                         X86_MMU_PHYS, f)) {
        return false;
    }
    if (!stack_push(env, &s, ef, 2, f) ||
        !stack_push(env, &s, env->segs[R_CS].selector, 2, f) ||
        !stack_push(env, &s, next_eip, 2, f)) {
        return stack_fault(f, 0);
    }
    set_sp(env, s.sp, 0xffff);
    env->eip = ent & 0xffff;
    env->segs[R_CS].selector = ent >> 16;
    env->segs[R_CS].base = (uint64_t)(ent >> 16) << 4;
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    x86_update_hflags(env);
    return true;
}

/* 64-bit IDT gates (SDM 6.14). */
static bool deliver_long(CPUX86State *env, int intno, bool is_int,
                         bool has_err, uint32_t err, uint64_t next_eip,
                         bool is_hw, X86Fault *f)
{
    uint32_t g[4], e1, e2, sel;
    uint32_t idt_err = intno * 8 + 2 + (is_hw ? 1 : 0);
    int type, dpl, cpl = cpl_of(env), ist;
    uint64_t off, sp;
    bool inner;
    StackPtr s;
    uint32_t ef = cpu_compute_eflags(env);

    if (intno * 16 + 15 > env->idt.limit) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!x86_linear_read(env, env->idt.base + intno * 16, g, 16,
                         x86_kernel_mmu_index(env), f)) {
        return false;
    }
    type = (g[1] >> 8) & 0xf;
    if (type != DT_INTGATE32 && type != DT_TRAPGATE32) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    dpl = e2_dpl(g[1]);
    if (is_int && dpl < cpl) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!(g[1] & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, idt_err);
    }
    sel = g[0] >> 16;
    off = (g[0] & 0xffff) | (g[1] & 0xffff0000u) | ((uint64_t)g[2] << 32);
    ist = g[1] & 7;
    if ((sel & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, is_hw ? 1 : 0);
    }
    if (!desc_load(env, sel, &e1, &e2, f)) {
        return false;
    }
    if (!(e2 & DESC_S_MASK) || !(e2 & E2_CODE) || e2_dpl(e2) > cpl ||
        !(e2 & DESC_L_MASK) || (e2 & DESC_B_MASK)) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, sel & 0xfffc);
    }
    dpl = (e2 & E2_CE) ? cpl : e2_dpl(e2);
    inner = dpl < cpl;
    if (inner || ist) {
        if (!tss64_get_stack(env, dpl, ist, &sp, f)) {
            return false;
        }
    } else {
        sp = env->regs[R_ESP];
    }
    s = (StackPtr){ .base = 0, .sp = sp & ~0xfull, .mask = ~0ull,
                    .mmu_idx = dpl == 3 ? X86_MMU_USER
                                        : x86_kernel_mmu_index(env) };
    if (!(env->cr[0] & CR0_PG)) {
        s.mmu_idx = X86_MMU_PHYS;
    }
    {
        int64_t sx = (int64_t)(s.sp << 16) >> 16;
        if ((uint64_t)sx != s.sp) {
            return fault(f, EXCP0C_STACK, 0);
        }
    }
    if (!stack_push(env, &s, env->segs[R_SS].selector, 8, f) ||
        !stack_push(env, &s, env->regs[R_ESP], 8, f) ||
        !stack_push(env, &s, ef, 8, f) ||
        !stack_push(env, &s, env->segs[R_CS].selector, 8, f) ||
        !stack_push(env, &s, next_eip, 8, f) ||
        (has_err && !stack_push(env, &s, err, 8, f))) {
        return stack_fault(f, 0);
    }
    if (inner) {
        /* SS becomes a null selector with RPL = new CPL. */
        seg_cache_set(&env->segs[R_SS], dpl, 0, 0,
                      (uint32_t)dpl << DESC_DPL_SHIFT);
    }
    env->regs[R_ESP] = s.sp;
    load_cs(env, sel, e1, e2, dpl);
    env->eip = off;
    if (type == DT_INTGATE32) {
        env->eflags &= ~IF_MASK;
    }
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    x86_update_hflags(env);
    return true;
}

/* Legacy protected mode gates (SDM 6.12), including from v86. */
static bool deliver_protected(CPUX86State *env, int intno, bool is_int,
                              bool has_err, uint32_t err, uint64_t next_eip,
                              bool is_hw, X86Fault *f)
{
    uint32_t g[2], e1, e2, sel, ss = 0, ss_e1 = 0, ss_e2 = 0;
    uint32_t idt_err = intno * 8 + 2 + (is_hw ? 1 : 0);
    int type, dpl, cpl = cpl_of(env), bytes;
    bool inner, v86 = env->eflags & VM_MASK;
    uint64_t off, new_sp = 0;
    StackPtr s;
    uint32_t ef = cpu_compute_eflags(env);

    if (intno * 8 + 7 > env->idt.limit) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!x86_linear_read(env, env->idt.base + intno * 8, g, 8,
                         x86_kernel_mmu_index(env), f)) {
        return false;
    }
    type = (g[1] >> 8) & 0x1f;      /* includes S: must be 0 */
    switch (type) {
    case DT_TASKGATE: case DT_INTGATE16: case DT_TRAPGATE16:
    case DT_INTGATE32: case DT_TRAPGATE32:
        break;
    default:
        return fault(f, EXCP0D_GPF, idt_err);
    }
    dpl = e2_dpl(g[1]);
    if (is_int && dpl < cpl) {
        return fault(f, EXCP0D_GPF, idt_err);
    }
    if (!(g[1] & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, idt_err);
    }
    sel = g[0] >> 16;
    if (type == DT_TASKGATE) {
        if (!x86_task_switch(env, sel, X86_TS_INT, next_eip, f)) {
            return false;
        }
        if (has_err) {
            s = (StackPtr){ .base = env->segs[R_SS].base,
                            .sp = env->regs[R_ESP],
                            .mask = sp_mask_of(env->segs[R_SS].flags, false),
                            .mmu_idx = cpl_of(env) == 3 ? X86_MMU_USER :
                                       x86_kernel_mmu_index(env) };
            bytes = (e2_type(env->tr.flags) & 8) ? 4 : 2;
            if (!stack_push(env, &s, err, bytes, f)) {
                return stack_fault(f, 0);
            }
            set_sp(env, s.sp, s.mask);
        }
        return true;
    }
    off = (g[0] & 0xffff) | (g[1] & 0xffff0000u);
    if ((sel & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, is_hw ? 1 : 0);
    }
    if (!desc_load(env, sel, &e1, &e2, f)) {
        return false;
    }
    if (!(e2 & DESC_S_MASK) || !(e2 & E2_CODE) || e2_dpl(e2) > cpl) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, sel & 0xfffc);
    }
    dpl = (e2 & E2_CE) ? cpl : e2_dpl(e2);
    inner = dpl < cpl;
    if (v86 && dpl != 0) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    bytes = (type & 8) ? 4 : 2;
    if (inner) {
        if (!tss_get_stack(env, dpl, &ss, &new_sp, f) ||
            !check_new_ss(env, ss, dpl, &ss_e1, &ss_e2, EXCP0A_TSS, f)) {
            return false;
        }
        s = (StackPtr){ .base = desc_base(ss_e1, ss_e2), .sp = new_sp,
                        .mask = sp_mask_of(ss_e2, false),
                        .mmu_idx = x86_kernel_mmu_index(env) };
        if (v86) {
            if (!stack_push(env, &s, env->segs[R_GS].selector, bytes, f) ||
                !stack_push(env, &s, env->segs[R_FS].selector, bytes, f) ||
                !stack_push(env, &s, env->segs[R_DS].selector, bytes, f) ||
                !stack_push(env, &s, env->segs[R_ES].selector, bytes, f)) {
                return stack_fault(f, ss & 0xfffc);
            }
        }
        if (!stack_push(env, &s, env->segs[R_SS].selector, bytes, f) ||
            !stack_push(env, &s, env->regs[R_ESP], bytes, f)) {
            return stack_fault(f, ss & 0xfffc);
        }
    } else {
        s = (StackPtr){ .base = env->segs[R_SS].base, .sp = env->regs[R_ESP],
                        .mask = sp_mask_of(env->segs[R_SS].flags, false),
                        .mmu_idx = cpl == 3 ? X86_MMU_USER :
                                   x86_kernel_mmu_index(env) };
    }
    if (!(env->cr[0] & CR0_PG)) {
        s.mmu_idx = X86_MMU_PHYS;
    }
    if (!stack_push(env, &s, ef, bytes, f) ||
        !stack_push(env, &s, env->segs[R_CS].selector, bytes, f) ||
        !stack_push(env, &s, next_eip, bytes, f) ||
        (has_err && !stack_push(env, &s, err, bytes, f))) {
        return stack_fault(f, inner ? ss & 0xfffc : 0);
    }
    /* Commit. */
    if (inner) {
        seg_cache_load(&env->segs[R_SS], ss, ss_e1, ss_e2);
    }
    if (v86) {
        for (int r = R_ES; r <= R_GS; r++) {
            if (r != R_CS && r != R_SS) {
                seg_cache_set(&env->segs[r], 0, 0, 0, 0);
            }
        }
    }
    set_sp(env, s.sp, s.mask);
    load_cs(env, sel, e1, e2, dpl);
    env->eip = off & (bytes == 2 ? 0xffff : 0xffffffffu);
    if ((type & 7) == 6) {      /* interrupt gate */
        env->eflags &= ~IF_MASK;
    }
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    x86_update_hflags(env);
    return true;
}

/*
 * SDM 6.13: the EXT bit (bit 0) of a selector error code is set when the
 * fault happened while delivering an event other than INT n, INT3 or
 * INTO: an exception or an external interrupt.  (The reference emulator
 * leaves it clear for exceptions.)
 */
static bool delivery_ext(bool ok, bool is_int, X86Fault *f)
{
    if (!ok && !is_int && f->has_error_code &&
        (f->vector == EXCP0A_TSS || f->vector == EXCP0B_NOSEG ||
         f->vector == EXCP0C_STACK || f->vector == EXCP0D_GPF)) {
        f->error_code |= 1;
    }
    return ok;
}

bool x86_interrupt_deliver(CPUX86State *env, int intno, bool is_int,
                           bool has_error_code, uint32_t error_code,
                           uint64_t next_eip, bool is_hw, X86Fault *f)
{
    f->vector = -1;
    /* v86 with IOPL < 3: INT n is #GP(0) (SDM 20.3.3; no VME support). */
    if (is_int && (env->eflags & VM_MASK) &&
        ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) < 3) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (!(env->cr[0] & CR0_PE)) {
        return deliver_real(env, intno, next_eip, f);
    }
    if (env->hflags & HF_LMA_MASK) {
        return delivery_ext(deliver_long(env, intno, is_int, has_error_code,
                                         error_code, next_eip, is_hw, f),
                            is_int, f);
    }
    return delivery_ext(deliver_protected(env, intno, is_int, has_error_code,
                                          error_code, next_eip, is_hw, f),
                        is_int, f);
}

/*
 * Delivers vector with #DF promotion: a fault during delivery is combined
 * with the event (Table 6-5) and delivered instead; a fault during #DF
 * delivery is a triple fault.  Never unwinds.
 */
static void deliver_with_promotion(CPUX86State *env, int intno, bool is_int,
                                   bool has_err, uint32_t err,
                                   uint64_t next_eip, bool is_hw)
{
    X86Fault f;

    for (int tries = 0; tries < 4; tries++) {
        int combined;

        if (!is_int && !is_hw) {
            env->old_exception = intno;
        }
        if (x86_interrupt_deliver(env, intno, is_int, has_err, err,
                                  next_eip, is_hw, &f)) {
            env->old_exception = -1;
            return;
        }
        if (f.vector == EXCP0E_PAGE) {
            env->cr[2] = f.cr2;
        }
        combined = x86_exception_combine(is_int || is_hw ? -1 : intno,
                                         f.vector);
        if (combined == -2) {
            x86_triple_fault(env);
            return;
        }
        /* The new fault is delivered as a fault at the same insn. */
        if (combined == EXCP08_DBLE) {
            has_err = true;
            err = 0;
        } else {
            has_err = f.has_error_code;
            err = f.error_code;
        }
        intno = combined;
        next_eip = env->eip;
        is_int = false;
        is_hw = false;
    }
    x86_triple_fault(env);
}

void x86_cpu_do_interrupt(CPUState *cpu)
{
    CPUX86State *env = x86_env(cpu);
    int intno = cpu->exception_index;
    bool is_int = env->exception_is_int;
    uint64_t next_eip = is_int ? env->exception_next_eip : env->eip;

    cpu->exception_index = -1;
    env->exception_is_int = 0;
    if (intno < 0 || intno > 255) {
        return;
    }
    deliver_with_promotion(env, intno, is_int,
                           !is_int && excp_has_error_code(intno),
                           env->error_code, next_eip, false);
}

void x86_cpu_do_hw_interrupt(CPUState *cpu, int intno, bool is_nmi)
{
    CPUX86State *env = x86_env(cpu);

    if (is_nmi) {
        env->nmi_blocked = true;
        intno = EXCP02_NMI;
    }
    cpu->halted = false;
    deliver_with_promotion(env, intno, false, false, 0, env->eip, true);
}

/* --- Descriptor tables ------------------------------------------------- */

void helper_lgdt(CPUX86State *env, uint64_t base, uint32_t limit)
{
    env->gdt.base = base;
    env->gdt.limit = limit & 0xffff;
}

void helper_lidt(CPUX86State *env, uint64_t base, uint32_t limit)
{
    env->idt.base = base;
    env->idt.limit = limit & 0xffff;
}

/* Loads a 16-byte system descriptor's upper base in long mode. */
static bool desc_load_high(CPUX86State *env, uint32_t sel, uint64_t *hi,
                           X86Fault *f)
{
    uint64_t a;
    uint32_t d[2];

    if ((sel & ~7u) + 15 > env->gdt.limit) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!desc_addr(env, sel, &a, f) ||
        !x86_linear_read(env, a + 8, d, 8, x86_kernel_mmu_index(env), f)) {
        return false;
    }
    if ((d[1] >> 8) & 0x1f) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    *hi = (uint64_t)d[0] << 32;
    return true;
}

bool x86_lldt(CPUX86State *env, uint32_t sel, X86Fault *f)
{
    uint32_t e1, e2;
    uint64_t hi = 0;

    f->vector = -1;
    sel &= 0xffff;
    if ((sel & ~3u) == 0) {
        seg_cache_set(&env->ldt, sel, 0, 0, 0);
        return true;
    }
    if (sel & 4) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!desc_load(env, sel, &e1, &e2, f)) {
        return false;
    }
    if ((e2 & DESC_S_MASK) || e2_type(e2) != DT_LDT) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, sel & 0xfffc);
    }
    if ((env->hflags & HF_LMA_MASK) && !desc_load_high(env, sel, &hi, f)) {
        return false;
    }
    seg_cache_load(&env->ldt, sel, e1, e2);
    env->ldt.base |= hi;
    return true;
}

bool x86_ltr(CPUX86State *env, uint32_t sel, X86Fault *f)
{
    uint32_t e1, e2;
    uint64_t hi = 0, a;
    int type;

    f->vector = -1;
    sel &= 0xffff;
    if ((sel & ~3u) == 0 || (sel & 4)) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!desc_load(env, sel, &e1, &e2, f)) {
        return false;
    }
    type = e2_type(e2);
    if ((e2 & DESC_S_MASK) ||
        (type != DT_TSS32_AVL && (type != DT_TSS16_AVL ||
                                  (env->hflags & HF_LMA_MASK)))) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, sel & 0xfffc);
    }
    if ((env->hflags & HF_LMA_MASK) && !desc_load_high(env, sel, &hi, f)) {
        return false;
    }
    /* Mark busy, with a locked update like the accessed bit. */
    e2 |= 2 << 8;
    if (!desc_addr(env, sel, &a, f) ||
        !x86_linear_update32(env, a + 4, 0, 2u << 8,
                             x86_kernel_mmu_index(env), f)) {
        return false;
    }
    seg_cache_load(&env->tr, sel, e1, e2);
    env->tr.base |= hi;
    return true;
}

void helper_lldt(CPUX86State *env, uint32_t sel)
{
    X86Fault f;

    if (!x86_lldt(env, sel, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_ltr(CPUX86State *env, uint32_t sel)
{
    X86Fault f;

    if (!x86_ltr(env, sel, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

/* Sets or clears ZF in the materialised flags (cc_op becomes EFLAGS). */
static void set_zf(CPUX86State *env, bool z)
{
    uint32_t cc = cpu_cc_compute_all(env);

    env->cc_src = z ? (cc | CC_Z) : (cc & ~CC_Z);
    env->cc_op = CC_OP_EFLAGS;
}

/*
 * Common check for LAR/LSL/VERR/VERW: the descriptor is loadable and
 * visible at CPL/RPL.  sys_ok: bitmask of system types accepted.
 */
static bool sel_visible(CPUX86State *env, uint32_t sel, uint32_t sys_ok,
                        uint32_t *e1, uint32_t *e2)
{
    X86Fault f;
    int cpl = cpl_of(env), rpl = sel & 3;

    if ((sel & ~3u) == 0 || !desc_load(env, sel, e1, e2, &f)) {
        return false;
    }
    if (!(*e2 & DESC_S_MASK)) {
        if (!(sys_ok & (1u << e2_type(*e2)))) {
            return false;
        }
    } else if ((*e2 & E2_CODE) && (*e2 & E2_CE)) {
        return true;                 /* conforming code: no DPL check */
    }
    return e2_dpl(*e2) >= cpl && e2_dpl(*e2) >= rpl;
}

uint64_t helper_lar(CPUX86State *env, uint32_t sel)
{
    uint32_t e1, e2;
    /* SDM LAR: LDT, TSS, call and task gates (legacy: 16-bit ones too) */
    uint32_t ok = (env->hflags & HF_LMA_MASK)
        ? (1u << 2) | (1u << 9) | (1u << 11) | (1u << 12)
        : (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
          (1u << 9) | (1u << 11) | (1u << 12);

    if (!sel_visible(env, sel, ok, &e1, &e2)) {
        set_zf(env, false);
        return 0;
    }
    set_zf(env, true);
    return e2 & 0x00f0ff00u;
}

uint64_t helper_lsl(CPUX86State *env, uint32_t sel)
{
    uint32_t e1, e2;
    uint32_t ok = (env->hflags & HF_LMA_MASK)
        ? (1u << 2) | (1u << 9) | (1u << 11)
        : (1u << 1) | (1u << 2) | (1u << 3) | (1u << 9) | (1u << 11);

    if (!sel_visible(env, sel, ok, &e1, &e2)) {
        set_zf(env, false);
        return 0;
    }
    set_zf(env, true);
    return desc_limit(e1, e2);
}

void helper_verr(CPUX86State *env, uint32_t sel)
{
    uint32_t e1, e2;
    bool ok = sel_visible(env, sel, 0, &e1, &e2) && (e2 & DESC_S_MASK) &&
              (!(e2 & E2_CODE) || (e2 & E2_RW));
    set_zf(env, ok);
}

void helper_verw(CPUX86State *env, uint32_t sel)
{
    uint32_t e1, e2;
    bool ok = sel_visible(env, sel, 0, &e1, &e2) && (e2 & DESC_S_MASK) &&
              !(e2 & E2_CODE) && (e2 & E2_RW) &&
              /* conforming code passed sel_visible early: not writable */
              true;
    set_zf(env, ok);
}

/* --- Task switch (SDM 7.3) ----------------------------------------------- */

/* 32-bit TSS offsets. */
#define TSS_LINK   0x00
#define TSS_CR3    0x1c
#define TSS_EIP    0x20
#define TSS_EFLAGS 0x24
#define TSS_EAX    0x28
#define TSS_ES     0x48
#define TSS_LDT    0x60
#define TSS_IOMAP  0x66

static bool tss_set_busy(CPUX86State *env, uint32_t sel, bool busy,
                         X86Fault *f)
{
    uint64_t a;

    return desc_addr(env, sel, &a, f) &&
           x86_linear_update32(env, a + 4, busy ? 0 : 2u << 8,
                               busy ? 2u << 8 : 0,
                               x86_kernel_mmu_index(env), f);
}

/*
 * 32-bit hardware task switch.  Reads the new TSS completely before
 * changing anything; after the point of no return (the old state saved and
 * TR loaded), faults in loading the new segments are raised in the
 * context of the new task, as the SDM says (7.3, step 12), and reported
 * through f.
 */
bool x86_task_switch(CPUX86State *env, uint32_t tss_sel, int source,
                     uint64_t next_eip, X86Fault *f)
{
    uint32_t e1, e2, ne1, ne2, nt[26];
    int type, mmu = x86_kernel_mmu_index(env);
    uint32_t old_ef = cpu_compute_eflags(env);
    uint32_t new_ef, new_cr3, new_eip, new_ldt, seg_sel[SEG_COUNT];
    uint32_t new_limit;
    uint64_t new_base;

    f->vector = -1;
    if (!desc_load(env, tss_sel, &e1, &e2, f)) {
        return false;
    }
    if (e2 & DESC_S_MASK) {
        return fault(f, EXCP0D_GPF, tss_sel & 0xfffc);
    }
    type = e2_type(e2);
    if (type == DT_TASKGATE) {
        /* A task gate: its selector names the TSS. */
        if (!(e2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, tss_sel & 0xfffc);
        }
        tss_sel = e1 >> 16;
        if (tss_sel & 4) {
            return fault(f, EXCP0A_TSS, tss_sel & 0xfffc);
        }
        if (!desc_load(env, tss_sel, &e1, &e2, f)) {
            return false;
        }
        type = e2_type(e2);
        if (e2 & DESC_S_MASK) {
            return fault(f, EXCP0D_GPF, tss_sel & 0xfffc);
        }
    }
    if (type != DT_TSS32_AVL && type != DT_TSS32_BUSY) {
        /* 16-bit TSSes are not supported (documented limitation). */
        return fault(f, EXCP0D_GPF, tss_sel & 0xfffc);
    }
    if (source == X86_TS_IRET ? type != DT_TSS32_BUSY
                              : type != DT_TSS32_AVL) {
        return fault(f, EXCP0D_GPF, tss_sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, tss_sel & 0xfffc);
    }
    new_limit = desc_limit(e1, e2);
    new_base = desc_base(e1, e2);
    if (new_limit < 0x67) {
        return fault(f, EXCP0A_TSS, tss_sel & 0xfffc);
    }
    if (env->tr.limit < 0x67) {
        return fault(f, EXCP0A_TSS, env->tr.selector & 0xfffc);
    }
    /* Read the new TSS (0x00..0x67). */
    if (!x86_linear_read(env, new_base, nt, 0x68, mmu, f)) {
        return false;
    }
    new_cr3 = nt[TSS_CR3 / 4];
    new_eip = nt[TSS_EIP / 4];
    new_ef = nt[TSS_EFLAGS / 4];
    for (int i = 0; i < SEG_COUNT; i++) {
        seg_sel[i] = nt[TSS_ES / 4 + i] & 0xffff;
    }
    new_ldt = nt[TSS_LDT / 4] & 0xffff;

    /* Save the old task's state (dynamic fields). */
    {
        uint32_t save[18];
        uint32_t ef = old_ef;

        if (source == X86_TS_JMP || source == X86_TS_IRET) {
            ef &= ~NT_MASK;
        }
        save[0] = (uint32_t)next_eip;
        save[1] = ef;
        for (int i = 0; i < 8; i++) {
            save[2 + i] = (uint32_t)env->regs[i];
        }
        for (int i = 0; i < SEG_COUNT; i++) {
            save[10 + i] = env->segs[i].selector;
        }
        if (!x86_linear_write(env, env->tr.base + TSS_EIP, save, 16 * 4,
                              mmu, f)) {
            return false;
        }
    }
    if (source == X86_TS_JMP || source == X86_TS_IRET) {
        if (!tss_set_busy(env, env->tr.selector, false, f)) {
            return false;
        }
    }
    if (source == X86_TS_CALL || source == X86_TS_INT) {
        uint32_t link = env->tr.selector;
        if (!x86_linear_write(env, new_base + TSS_LINK, &link, 2, mmu, f)) {
            return false;
        }
        new_ef |= NT_MASK;
    }
    if (source != X86_TS_IRET && !tss_set_busy(env, tss_sel, true, f)) {
        return false;
    }
    /* Point of no return: TR, CR3, registers. */
    if (!desc_load(env, tss_sel, &ne1, &ne2, f)) {
        return false;
    }
    seg_cache_load(&env->tr, tss_sel, ne1, ne2 | (2u << 8));
    env->cr[0] |= CR0_TS;
    if ((env->cr[0] & CR0_PG) && new_cr3 != (uint32_t)env->cr[3]) {
        env->cr[3] = new_cr3;
        x86_tlb_flush(env);
    }
    env->eip = new_eip;
    for (int i = 0; i < 8; i++) {
        env->regs[i] = nt[TSS_EAX / 4 + i];
    }
    cpu_load_eflags(env, new_ef, 0x3f7fd5);
    /* Selectors first (no checks yet), then the descriptors. */
    for (int i = 0; i < SEG_COUNT; i++) {
        env->segs[i].selector = seg_sel[i];
    }
    if (new_ef & VM_MASK) {
        for (int i = 0; i < SEG_COUNT; i++) {
            seg_cache_set(&env->segs[i], seg_sel[i], seg_sel[i] << 4, 0xffff,
                          DESC_P_MASK | DESC_S_MASK | E2_RW | E2_A |
                          (3u << DESC_DPL_SHIFT) |
                          (i == R_CS ? E2_CODE : 0));
        }
        x86_update_hflags(env);
    }
    if (!x86_lldt(env, new_ldt, f)) {
        if (f->vector == EXCP0D_GPF || f->vector == EXCP0B_NOSEG) {
            f->vector = EXCP0A_TSS;
        }
        return false;
    }
    if (!(new_ef & VM_MASK)) {
        /* CS decides the CPL, then SS, then data segments. */
        uint32_t cs = seg_sel[R_CS], ce1, ce2;
        int cpl = cs & 3;

        if ((cs & ~3u) == 0 || !desc_load(env, cs, &ce1, &ce2, f) ||
            !(ce2 & DESC_S_MASK) || !(ce2 & E2_CODE) ||
            ((ce2 & E2_CE) ? e2_dpl(ce2) > cpl : e2_dpl(ce2) != cpl)) {
            return fault(f, EXCP0A_TSS, cs & 0xfffc);
        }
        if (!(ce2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, cs & 0xfffc);
        }
        {
            uint32_t se1, se2;
            if (!check_new_ss(env, seg_sel[R_SS], cpl, &se1, &se2,
                              EXCP0A_TSS, f)) {
                return false;
            }
            seg_cache_load(&env->segs[R_SS], seg_sel[R_SS], se1, se2);
        }
        seg_cache_load(&env->segs[R_CS], cs, ce1, ce2);
        x86_update_hflags(env);
        for (int i = 0; i < SEG_COUNT; i++) {
            if (i == R_CS || i == R_SS) {
                continue;
            }
            if (!x86_load_seg(env, i, seg_sel[i], f)) {
                if (f->vector == EXCP0D_GPF) {
                    f->vector = EXCP0A_TSS;
                }
                return false;
            }
        }
    }
    return true;
}

/* --- Far transfers ----------------------------------------------------- */

static StackPtr cur_stack(CPUX86State *env)
{
    bool l64 = env->hflags & HF_CS64_MASK;

    return (StackPtr){
        .base = l64 ? 0 : env->segs[R_SS].base, .sp = env->regs[R_ESP],
        .mask = sp_mask_of(env->segs[R_SS].flags, l64),
        .mmu_idx = !(env->cr[0] & CR0_PG) ? X86_MMU_PHYS :
                   cpl_of(env) == 3 ? X86_MMU_USER :
                   x86_kernel_mmu_index(env),
    };
}

/* Checks a code segment as a far JMP/CALL target (SDM JMP, CALL). */
static bool check_code_target(CPUX86State *env, uint32_t sel, uint32_t e2,
                              X86Fault *f)
{
    int cpl = cpl_of(env), dpl = e2_dpl(e2), rpl = sel & 3;

    if (e2 & E2_CE) {
        if (dpl > cpl) {
            return fault(f, EXCP0D_GPF, sel & 0xfffc);
        }
    } else if (rpl > cpl || dpl != cpl) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if ((env->hflags & HF_LMA_MASK) && (e2 & DESC_L_MASK) &&
        (e2 & DESC_B_MASK)) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, sel & 0xfffc);
    }
    return true;
}

/* Reads a call gate (8 bytes, or 16 in long mode). */
static bool read_call_gate(CPUX86State *env, uint32_t sel, uint32_t e1,
                           uint32_t e2, uint32_t *gsel, uint64_t *goff,
                           int *nparams, X86Fault *f)
{
    int cpl = cpl_of(env), dpl = e2_dpl(e2);

    if (dpl < cpl || dpl < (int)(sel & 3)) {
        return fault(f, EXCP0D_GPF, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, sel & 0xfffc);
    }
    *gsel = e1 >> 16;
    *goff = (e1 & 0xffff) | (e2 & 0xffff0000u);
    *nparams = e2 & 0x1f;
    if (env->hflags & HF_LMA_MASK) {
        uint64_t hi;
        if (!desc_load_high(env, sel, &hi, f)) {
            return false;
        }
        *goff |= hi;
        *nparams = 0;
    } else if (e2_type(e2) == DT_CALLGATE16) {
        *goff &= 0xffff;
    }
    return true;
}

bool x86_ljmp(CPUX86State *env, uint32_t cs, uint64_t eip, uint64_t next_eip,
              X86Fault *f)
{
    uint32_t e1, e2;
    int type;

    f->vector = -1;
    cs &= 0xffff;
    if (in_real_or_v86(env)) {
        env->segs[R_CS].selector = cs;
        env->segs[R_CS].base = (uint64_t)cs << 4;
        env->eip = eip & 0xffffffffu;
        return true;
    }
    if ((cs & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (!desc_load(env, cs, &e1, &e2, f)) {
        return false;
    }
    if (e2 & DESC_S_MASK) {
        if (!(e2 & E2_CODE)) {
            return fault(f, EXCP0D_GPF, cs & 0xfffc);
        }
        if (!check_code_target(env, cs, e2, f)) {
            return false;
        }
        if (!(e2 & DESC_L_MASK) && eip > desc_limit(e1, e2)) {
            return fault(f, EXCP0D_GPF, 0);
        }
        load_cs(env, cs, e1, e2 | E2_A, cpl_of(env));
        env->eip = eip;
        x86_update_hflags(env);
        return true;
    }
    type = e2_type(e2);
    if ((type == DT_TASKGATE || type == DT_TSS32_AVL || type == DT_TSS16_AVL)
        && !(env->hflags & HF_LMA_MASK)) {
        int dpl = e2_dpl(e2);
        if (dpl < cpl_of(env) || dpl < (int)(cs & 3)) {
            return fault(f, EXCP0D_GPF, cs & 0xfffc);
        }
        if (!(e2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, cs & 0xfffc);
        }
        return x86_task_switch(env, cs, X86_TS_JMP, next_eip, f);
    }
    if (type == DT_CALLGATE32 ||
        (type == DT_CALLGATE16 && !(env->hflags & HF_LMA_MASK))) {
        uint32_t gsel, ge1, ge2;
        uint64_t goff;
        int np;

        if (!read_call_gate(env, cs, e1, e2, &gsel, &goff, &np, f)) {
            return false;
        }
        if ((gsel & ~3u) == 0) {
            return fault(f, EXCP0D_GPF, 0);
        }
        if (!desc_load(env, gsel, &ge1, &ge2, f)) {
            return false;
        }
        if (!(ge2 & DESC_S_MASK) || !(ge2 & E2_CODE) ||
            ((ge2 & E2_CE) ? e2_dpl(ge2) > cpl_of(env)
                           : e2_dpl(ge2) != cpl_of(env))) {
            return fault(f, EXCP0D_GPF, gsel & 0xfffc);
        }
        if (!(ge2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, gsel & 0xfffc);
        }
        load_cs(env, gsel, ge1, ge2, cpl_of(env));
        env->eip = goff;
        x86_update_hflags(env);
        return true;
    }
    return fault(f, EXCP0D_GPF, cs & 0xfffc);
}

bool x86_lcall(CPUX86State *env, uint32_t cs, uint64_t eip, int shift,
               uint64_t next_eip, X86Fault *f)
{
    uint32_t e1, e2;
    int type, bytes = 2 << shift, cpl = cpl_of(env);
    StackPtr s = cur_stack(env);

    f->vector = -1;
    cs &= 0xffff;
    if (in_real_or_v86(env)) {
        if (!stack_push(env, &s, env->segs[R_CS].selector, bytes, f) ||
            !stack_push(env, &s, next_eip, bytes, f)) {
            return stack_fault(f, 0);
        }
        set_sp(env, s.sp, s.mask);
        env->segs[R_CS].selector = cs;
        env->segs[R_CS].base = (uint64_t)cs << 4;
        env->eip = eip;
        return true;
    }
    if ((cs & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (!desc_load(env, cs, &e1, &e2, f)) {
        return false;
    }
    if (e2 & DESC_S_MASK) {
        if (!(e2 & E2_CODE)) {
            return fault(f, EXCP0D_GPF, cs & 0xfffc);
        }
        if (!check_code_target(env, cs, e2, f)) {
            return false;
        }
        if (!stack_push(env, &s, env->segs[R_CS].selector, bytes, f) ||
            !stack_push(env, &s, next_eip, bytes, f)) {
            return stack_fault(f, 0);
        }
        if (!(e2 & DESC_L_MASK) && eip > desc_limit(e1, e2)) {
            return fault(f, EXCP0D_GPF, 0);
        }
        set_sp(env, s.sp, s.mask);
        load_cs(env, cs, e1, e2 | E2_A, cpl);
        env->eip = eip;
        x86_update_hflags(env);
        return true;
    }
    type = e2_type(e2);
    if ((type == DT_TASKGATE || type == DT_TSS32_AVL || type == DT_TSS16_AVL)
        && !(env->hflags & HF_LMA_MASK)) {
        int dpl = e2_dpl(e2);
        if (dpl < cpl || dpl < (int)(cs & 3)) {
            return fault(f, EXCP0D_GPF, cs & 0xfffc);
        }
        if (!(e2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, cs & 0xfffc);
        }
        return x86_task_switch(env, cs, X86_TS_CALL, next_eip, f);
    }
    if (type == DT_CALLGATE32 ||
        (type == DT_CALLGATE16 && !(env->hflags & HF_LMA_MASK))) {
        uint32_t gsel, ge1, ge2, ss = 0, se1 = 0, se2 = 0;
        uint64_t goff, new_sp = 0;
        int np, dpl, gbytes;
        bool lma = env->hflags & HF_LMA_MASK;

        if (!read_call_gate(env, cs, e1, e2, &gsel, &goff, &np, f)) {
            return false;
        }
        gbytes = lma ? 8 : (type == DT_CALLGATE32 ? 4 : 2);
        if ((gsel & ~3u) == 0) {
            return fault(f, EXCP0D_GPF, 0);
        }
        if (!desc_load(env, gsel, &ge1, &ge2, f)) {
            return false;
        }
        if (!(ge2 & DESC_S_MASK) || !(ge2 & E2_CODE) || e2_dpl(ge2) > cpl ||
            (lma && (!(ge2 & DESC_L_MASK) || (ge2 & DESC_B_MASK)))) {
            return fault(f, EXCP0D_GPF, gsel & 0xfffc);
        }
        if (!(ge2 & DESC_P_MASK)) {
            return fault(f, EXCP0B_NOSEG, gsel & 0xfffc);
        }
        dpl = (ge2 & E2_CE) ? cpl : e2_dpl(ge2);
        if (dpl < cpl) {
            /* More privileged: stack switch from the TSS, copy params. */
            uint64_t params[32];
            StackPtr old = s;

            if (lma) {
                if (!tss64_get_stack(env, dpl, 0, &new_sp, f)) {
                    return false;
                }
                ss = dpl;
                s = (StackPtr){ .base = 0, .sp = new_sp, .mask = ~0ull,
                                .mmu_idx = x86_kernel_mmu_index(env) };
            } else {
                if (!tss_get_stack(env, dpl, &ss, &new_sp, f) ||
                    !check_new_ss(env, ss, dpl, &se1, &se2, EXCP0A_TSS, f)) {
                    return false;
                }
                s = (StackPtr){ .base = desc_base(se1, se2), .sp = new_sp,
                                .mask = sp_mask_of(se2, false),
                                .mmu_idx = x86_kernel_mmu_index(env) };
            }
            if (!(env->cr[0] & CR0_PG)) {
                s.mmu_idx = X86_MMU_PHYS;
            }
            for (int i = 0; i < np; i++) {
                uint64_t lin = old.base + ((old.sp + i * gbytes) & old.mask);
                params[i] = 0;
                if (!x86_linear_read(env, lin & 0xffffffffu, &params[i],
                                     gbytes, old.mmu_idx, f)) {
                    return stack_fault(f, 0);
                }
            }
            if (!stack_push(env, &s, env->segs[R_SS].selector, gbytes, f) ||
                !stack_push(env, &s, env->regs[R_ESP], gbytes, f)) {
                return stack_fault(f, ss & 0xfffc);
            }
            for (int i = np - 1; i >= 0; i--) {
                if (!stack_push(env, &s, params[i], gbytes, f)) {
                    return stack_fault(f, ss & 0xfffc);
                }
            }
            if (!stack_push(env, &s, env->segs[R_CS].selector, gbytes, f) ||
                !stack_push(env, &s, next_eip, gbytes, f)) {
                return stack_fault(f, ss & 0xfffc);
            }
            if (lma) {
                seg_cache_set(&env->segs[R_SS], dpl, 0, 0,
                              (uint32_t)dpl << DESC_DPL_SHIFT);
            } else {
                seg_cache_load(&env->segs[R_SS], ss, se1, se2);
            }
        } else {
            if (!stack_push(env, &s, env->segs[R_CS].selector, gbytes, f) ||
                !stack_push(env, &s, next_eip, gbytes, f)) {
                return stack_fault(f, 0);
            }
        }
        set_sp(env, s.sp, s.mask);
        load_cs(env, gsel, ge1, ge2, dpl);
        env->eip = goff;
        x86_update_hflags(env);
        return true;
    }
    return fault(f, EXCP0D_GPF, cs & 0xfffc);
}

/* Clears data segment registers not accessible at the new (outer) CPL
 * (SDM RET/IRET). */
static void null_inaccessible_segs(CPUX86State *env, int cpl)
{
    static const int regs[] = { R_ES, R_DS, R_FS, R_GS };

    for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
        SegmentCache *sc = &env->segs[regs[i]];
        uint32_t fl = sc->flags;
        bool conf_code = (fl & E2_CODE) && (fl & E2_CE);

        if ((sc->selector & ~3u) == 0) {
            continue;
        }
        if (!conf_code && ((fl >> DESC_DPL_SHIFT) & 3) < cpl) {
            seg_cache_set(sc, 0, 0, 0, 0);
        }
    }
}

/*
 * Shared by far RET and protected-mode IRET: pops CS:EIP (and EFLAGS when
 * is_iret) then, going outward, SS:ESP.
 */
static bool ret_protected(CPUX86State *env, int shift, bool is_iret,
                          int addend, X86Fault *f)
{
    int bytes = 2 << shift, cpl = cpl_of(env), rpl, dpl;
    StackPtr s = cur_stack(env);
    uint64_t eip, cs, ef = 0, sp = 0, ss = 0;
    uint32_t e1, e2, se1 = 0, se2 = 0;
    bool lma64 = env->hflags & HF_CS64_MASK;

    if (!stack_pop(env, &s, &eip, bytes, f) ||
        !stack_pop(env, &s, &cs, bytes, f) ||
        (is_iret && !stack_pop(env, &s, &ef, bytes, f))) {
        return stack_fault(f, 0);
    }
    cs &= 0xffff;
    if (is_iret && (ef & VM_MASK) && cpl == 0 && shift == 1 && !lma64) {
        /* Return to virtual-8086 mode (SDM IRET). */
        uint64_t v[6];
        for (int i = 0; i < 6; i++) {
            if (!stack_pop(env, &s, &v[i], 4, f)) {
                return stack_fault(f, 0);
            }
        }
        cpu_load_eflags(env, ef, 0x3f7fd5 | VM_MASK | VIF_MASK | VIP_MASK);
        env->regs[R_ESP] = (uint32_t)v[0];
        {
            static const int order[] = { R_SS, R_ES, R_DS, R_FS, R_GS };
            for (int i = 0; i < 5; i++) {
                uint32_t sel = v[1 + i] & 0xffff;
                seg_cache_set(&env->segs[order[i]], sel, (uint64_t)sel << 4,
                              0xffff, DESC_P_MASK | DESC_S_MASK | E2_RW |
                              E2_A | (3u << DESC_DPL_SHIFT));
            }
        }
        seg_cache_set(&env->segs[R_CS], cs, cs << 4, 0xffff,
                      DESC_P_MASK | DESC_S_MASK | E2_RW | E2_A | E2_CODE |
                      (3u << DESC_DPL_SHIFT));
        env->eip = eip & 0xffff;
        x86_update_hflags(env);
        return true;
    }
    if ((cs & ~3u) == 0) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (!desc_load(env, cs, &e1, &e2, f)) {
        return false;
    }
    rpl = cs & 3;
    dpl = e2_dpl(e2);
    if (!(e2 & DESC_S_MASK) || !(e2 & E2_CODE) || rpl < cpl ||
        ((e2 & E2_CE) ? dpl > rpl : dpl != rpl)) {
        return fault(f, EXCP0D_GPF, cs & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK)) {
        return fault(f, EXCP0B_NOSEG, cs & 0xfffc);
    }
    s.sp += addend;
    if (rpl > cpl || (lma64 && is_iret)) {
        /* Outward (or 64-bit IRET, which always pops SS:RSP). */
        if (!stack_pop(env, &s, &sp, bytes, f) ||
            !stack_pop(env, &s, &ss, bytes, f)) {
            return stack_fault(f, 0);
        }
        ss &= 0xffff;
        if ((ss & ~3u) == 0 && (env->hflags & HF_LMA_MASK) &&
            (e2 & DESC_L_MASK) && rpl != 3) {
            se2 = (uint32_t)rpl << DESC_DPL_SHIFT;   /* null SS allowed */
        } else if (!check_new_ss(env, ss, rpl, &se1, &se2, EXCP0D_GPF, f)) {
            return false;
        }
        sp += addend;
    }
    /* Commit. */
    if (is_iret) {
        uint32_t mask = 0x3f7fd5 & ~(VM_MASK | VIF_MASK | VIP_MASK | IOPL_MASK |
                                     IF_MASK);
        int iopl = (env->eflags & IOPL_MASK) >> IOPL_SHIFT;
        if (cpl == 0) {
            mask |= IOPL_MASK | IF_MASK | VIF_MASK | VIP_MASK;
        } else if (cpl <= iopl) {
            mask |= IF_MASK;
        }
        if (shift == 0) {
            mask &= 0xffff;
        }
        cpu_load_eflags(env, ef, mask);
    }
    load_cs(env, cs, e1, e2 | E2_A, rpl);
    env->eip = eip;
    if (rpl > cpl || (lma64 && is_iret)) {
        if (se1 || se2 & DESC_P_MASK) {
            seg_cache_load(&env->segs[R_SS], ss, se1, se2);
        } else {
            seg_cache_set(&env->segs[R_SS], ss, 0, 0, se2);
        }
        set_sp(env, sp, (e2 & DESC_L_MASK) ? ~0ull : sp_mask_of(se2, false));
        if (rpl > cpl) {
            null_inaccessible_segs(env, rpl);
        }
    } else {
        set_sp(env, s.sp, s.mask);
    }
    x86_update_hflags(env);
    return true;
}

bool x86_lret(CPUX86State *env, int shift, int addend, X86Fault *f)
{
    f->vector = -1;
    if (in_real_or_v86(env)) {
        StackPtr s = cur_stack(env);
        uint64_t eip, cs;
        int bytes = 2 << shift;

        if (!stack_pop(env, &s, &eip, bytes, f) ||
            !stack_pop(env, &s, &cs, bytes, f)) {
            return stack_fault(f, 0);
        }
        set_sp(env, s.sp + addend, s.mask);
        env->segs[R_CS].selector = cs & 0xffff;
        env->segs[R_CS].base = (cs & 0xffff) << 4;
        env->eip = eip;
        return true;
    }
    return ret_protected(env, shift, false, addend, f);
}

bool x86_iret(CPUX86State *env, int shift, uint64_t next_eip, X86Fault *f)
{
    f->vector = -1;
    env->nmi_blocked = false;
    if (in_real_or_v86(env)) {
        StackPtr s = cur_stack(env);
        uint64_t eip, cs, ef;
        int bytes = 2 << shift;
        uint32_t mask = 0x3f7fd5 & ~(VM_MASK | VIF_MASK | VIP_MASK | RF_MASK);

        if ((env->eflags & VM_MASK) &&
            ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) != 3) {
            return fault(f, EXCP0D_GPF, 0);
        }
        if (!stack_pop(env, &s, &eip, bytes, f) ||
            !stack_pop(env, &s, &cs, bytes, f) ||
            !stack_pop(env, &s, &ef, bytes, f)) {
            return stack_fault(f, 0);
        }
        if (env->eflags & VM_MASK) {
            mask &= ~IOPL_MASK;
        }
        if (shift == 0) {
            mask &= 0xffff;
        }
        set_sp(env, s.sp, s.mask);
        env->segs[R_CS].selector = cs & 0xffff;
        env->segs[R_CS].base = (cs & 0xffff) << 4;
        env->eip = eip & (shift ? 0xffffffffu : 0xffff);
        cpu_load_eflags(env, ef, mask);
        return true;
    }
    if ((env->eflags & NT_MASK) && !(env->hflags & HF_LMA_MASK)) {
        /* Return from a nested task through the back link. */
        uint32_t link = 0;
        if (!x86_linear_read(env, env->tr.base + TSS_LINK, &link, 2,
                             x86_kernel_mmu_index(env), f)) {
            return false;
        }
        if (link & 4) {
            return fault(f, EXCP0A_TSS, link & 0xfffc);
        }
        return x86_task_switch(env, link, X86_TS_IRET, next_eip, f);
    }
    return ret_protected(env, shift, true, 0, f);
}

void helper_ljmp(CPUX86State *env, uint32_t cs, uint64_t eip,
                 uint64_t next_eip)
{
    X86Fault f;

    if (!x86_ljmp(env, cs, eip, next_eip, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_lcall(CPUX86State *env, uint32_t cs, uint64_t eip, int32_t shift,
                  uint64_t next_eip)
{
    X86Fault f;

    if (!x86_lcall(env, cs, eip, shift, next_eip, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_lret(CPUX86State *env, int32_t shift, int32_t addend)
{
    X86Fault f;

    if (!x86_lret(env, shift, addend, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_iret(CPUX86State *env, int32_t shift, uint64_t next_eip)
{
    X86Fault f;

    if (!x86_iret(env, shift, next_eip, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

/* --- Fast system calls (SDM Vol 2B SYSCALL/SYSRET/SYSENTER/SYSEXIT) ---- */

#define FLAT_CODE (DESC_P_MASK | DESC_S_MASK | E2_CODE | E2_RW | E2_A | \
                   DESC_G_MASK)
#define FLAT_DATA (DESC_P_MASK | DESC_S_MASK | E2_RW | E2_A | DESC_G_MASK | \
                   DESC_B_MASK)

bool x86_syscall(CPUX86State *env, uint64_t next_eip, X86Fault *f)
{
    uint32_t sel = (env->star >> 32) & 0xffff;

    f->vector = -1;
    if (!(env->efer & EFER_SCE)) {
        return fault_noerr(f, EXCP06_ILLOP);
    }
    if (env->hflags & HF_LMA_MASK) {
        uint32_t ef = cpu_compute_eflags(env);
        bool l64 = env->hflags & HF_CS64_MASK;

        env->regs[R_ECX] = next_eip;
        env->regs[R_R11] = ef & ~RF_MASK;
        seg_cache_set(&env->segs[R_CS], sel & 0xfffc, 0, 0xffffffffu,
                      FLAT_CODE | DESC_L_MASK);
        seg_cache_set(&env->segs[R_SS], (sel + 8) & 0xfffc, 0, 0xffffffffu,
                      FLAT_DATA);
        cpu_load_eflags(env, ef & ~(uint32_t)env->fmask & ~RF_MASK,
                        0x3f7fd5 | VM_MASK);
        env->eip = l64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_eip;
        seg_cache_set(&env->segs[R_CS], sel & 0xfffc, 0, 0xffffffffu,
                      FLAT_CODE | DESC_B_MASK);
        seg_cache_set(&env->segs[R_SS], (sel + 8) & 0xfffc, 0, 0xffffffffu,
                      FLAT_DATA);
        env->eflags &= ~(IF_MASK | RF_MASK | VM_MASK);
        env->eip = (uint32_t)env->star;
    }
    x86_update_hflags(env);
    return true;
}

bool x86_sysret(CPUX86State *env, int dflag, X86Fault *f)
{
    uint32_t sel = (env->star >> 48) & 0xffff;

    f->vector = -1;
    if (!(env->efer & EFER_SCE)) {
        return fault_noerr(f, EXCP06_ILLOP);
    }
    if (!(env->cr[0] & CR0_PE) || cpl_of(env) != 0) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (env->hflags & HF_LMA_MASK) {
        if (dflag == 2) {
            int64_t sx = (int64_t)(env->regs[R_ECX] << 16) >> 16;
            if ((uint64_t)sx != env->regs[R_ECX]) {
                return fault(f, EXCP0D_GPF, 0);
            }
            seg_cache_set(&env->segs[R_CS], (sel + 16) | 3, 0, 0xffffffffu,
                          FLAT_CODE | DESC_L_MASK | (3u << DESC_DPL_SHIFT));
            env->eip = env->regs[R_ECX];
        } else {
            seg_cache_set(&env->segs[R_CS], sel | 3, 0, 0xffffffffu,
                          FLAT_CODE | DESC_B_MASK | (3u << DESC_DPL_SHIFT));
            env->eip = (uint32_t)env->regs[R_ECX];
        }
        seg_cache_set(&env->segs[R_SS], (sel + 8) | 3, 0, 0xffffffffu,
                      FLAT_DATA | (3u << DESC_DPL_SHIFT));
        /* SDM SYSRET: RFLAGS = (R11 & 3C7FD7H) | 2: RF and VM cleared */
        cpu_load_eflags(env, (uint32_t)env->regs[R_R11] & 0x3c7fd7u,
                        0x3f7fd5 | VM_MASK | RF_MASK);
    } else {
        seg_cache_set(&env->segs[R_CS], sel | 3, 0, 0xffffffffu,
                      FLAT_CODE | DESC_B_MASK | (3u << DESC_DPL_SHIFT));
        seg_cache_set(&env->segs[R_SS], (sel + 8) | 3, 0, 0xffffffffu,
                      FLAT_DATA | (3u << DESC_DPL_SHIFT));
        env->eflags |= IF_MASK;
        env->eip = (uint32_t)env->regs[R_ECX];
    }
    x86_update_hflags(env);
    return true;
}

bool x86_sysenter(CPUX86State *env, X86Fault *f)
{
    uint32_t sel = env->sysenter_cs & 0xfffc;
    bool lma = env->hflags & HF_LMA_MASK;

    f->vector = -1;
    if (!(env->cr[0] & CR0_PE) || sel == 0) {
        return fault(f, EXCP0D_GPF, 0);
    }
    env->eflags &= ~(VM_MASK | IF_MASK | RF_MASK);
    seg_cache_set(&env->segs[R_CS], sel, 0, 0xffffffffu,
                  FLAT_CODE | (lma ? DESC_L_MASK : DESC_B_MASK));
    seg_cache_set(&env->segs[R_SS], sel + 8, 0, 0xffffffffu, FLAT_DATA);
    env->regs[R_ESP] = lma ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    env->eip = lma ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    x86_update_hflags(env);
    return true;
}

bool x86_sysexit(CPUX86State *env, int dflag, X86Fault *f)
{
    uint32_t sel = env->sysenter_cs & 0xfffc;

    f->vector = -1;
    if (!(env->cr[0] & CR0_PE) || sel == 0 || cpl_of(env) != 0) {
        return fault(f, EXCP0D_GPF, 0);
    }
    if (dflag == 2) {
        /* SDM SYSEXIT: #GP(0) if RCX or RDX is not canonical */
        if ((uint64_t)((int64_t)(env->regs[R_ECX] << 16) >> 16) !=
                env->regs[R_ECX] ||
            (uint64_t)((int64_t)(env->regs[R_EDX] << 16) >> 16) !=
                env->regs[R_EDX]) {
            return fault(f, EXCP0D_GPF, 0);
        }
        seg_cache_set(&env->segs[R_CS], (sel + 32) | 3, 0, 0xffffffffu,
                      FLAT_CODE | DESC_L_MASK | (3u << DESC_DPL_SHIFT));
        seg_cache_set(&env->segs[R_SS], (sel + 40) | 3, 0, 0xffffffffu,
                      FLAT_DATA | (3u << DESC_DPL_SHIFT));
        env->regs[R_ESP] = env->regs[R_ECX];
        env->eip = env->regs[R_EDX];
    } else {
        seg_cache_set(&env->segs[R_CS], (sel + 16) | 3, 0, 0xffffffffu,
                      FLAT_CODE | DESC_B_MASK | (3u << DESC_DPL_SHIFT));
        seg_cache_set(&env->segs[R_SS], (sel + 24) | 3, 0, 0xffffffffu,
                      FLAT_DATA | (3u << DESC_DPL_SHIFT));
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->eip = (uint32_t)env->regs[R_EDX];
    }
    x86_update_hflags(env);
    return true;
}

void helper_syscall(CPUX86State *env, uint64_t next_eip)
{
    X86Fault f;

    if (!x86_syscall(env, next_eip, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_sysret(CPUX86State *env, int32_t dflag)
{
    X86Fault f;

    if (!x86_sysret(env, dflag, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_sysenter(CPUX86State *env)
{
    X86Fault f;

    if (!x86_sysenter(env, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}

void helper_sysexit(CPUX86State *env, int32_t dflag)
{
    X86Fault f;

    if (!x86_sysexit(env, dflag, &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
}
