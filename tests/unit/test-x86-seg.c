/*
 * test-x86-seg.c: segmentation, interrupt delivery, far transfers, task
 * switches, fast system calls, #DF promotion, MSRs and control registers
 * (target/i386/seg_helper.c, excp_helper.c, misc_helper.c), called
 * directly on an X86CPU env with GDT/IDT/TSS/stacks in guest RAM.
 *
 * Every delivery test checks the exact words pushed on the stack and the
 * resulting CS:EIP, SS:ESP and EFLAGS.  The cores return X86Fault instead
 * of unwinding, so no landing pad is needed.  Without the translator's
 * cpu.c linked in, the lazy-flag functions come from flags-fallback.c;
 * the tests keep cc_op == CC_OP_EFLAGS, which both implementations treat
 * the same way.
 */
#include "target/i386/helper.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/memory.h"
#include "system/runstate.h"

static MemoryRegion ram;
static X86CPU xcpu;
static CPUX86State *env = &xcpu.env;

#define GDT 0x1000
#define IDT 0x2000
#define TSS_A 0x3000
#define TSS_B 0x3100
#define TSS_64 0x3200

static void wl(hwaddr a, uint32_t v)
{
    address_space_stl_le(&address_space_memory, a, v, MEMTXATTRS_UNSPECIFIED,
                         NULL);
}

static void wq(hwaddr a, uint64_t v)
{
    address_space_stq_le(&address_space_memory, a, v, MEMTXATTRS_UNSPECIFIED,
                         NULL);
}

static uint32_t rl(hwaddr a)
{
    return address_space_ldl_le(&address_space_memory, a,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint16_t rw(hwaddr a)
{
    return address_space_lduw_le(&address_space_memory, a,
                                 MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint64_t rq(hwaddr a)
{
    return address_space_ldq_le(&address_space_memory, a,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static void gdt_set(int idx, uint32_t e1, uint32_t e2)
{
    wl(GDT + idx * 8, e1);
    wl(GDT + idx * 8 + 4, e2);
}

static void seg_set(int r, uint32_t sel, uint32_t e2)
{
    env->segs[r].selector = sel;
    env->segs[r].base = 0;
    env->segs[r].limit = 0xffffffff;
    env->segs[r].flags = e2 & 0x00ffff00;
}

/* Flat 32-bit protected mode, CPL 0, GDT and a 32-bit TSS (A). */
static void setup_pm(void)
{
    static uint8_t zero[0x10000];

    address_space_write(&address_space_memory, 0, MEMTXATTRS_UNSPECIFIED,
                        zero, sizeof(zero));
    memset(env, 0, sizeof(*env));
    env->a20_mask = ~0ull;
    env->old_exception = -1;
    env->cc_op = CC_OP_EFLAGS;
    env->df = 1;
    env->eflags = 2;
    env->cr[0] = CR0_PE | CR0_ET;
    gdt_set(1, 0x0000ffff, 0x00cf9a00);     /* 0x08 code0 */
    gdt_set(2, 0x0000ffff, 0x00cf9200);     /* 0x10 data0 */
    gdt_set(3, 0x0000ffff, 0x00cffa00);     /* 0x18 code3 */
    gdt_set(4, 0x0000ffff, 0x00cff200);     /* 0x20 data3 */
    gdt_set(5, (TSS_A << 16) | 0x67, 0x00008b00);  /* 0x28 TSS A, busy */
    gdt_set(6, 0x0000ffff, 0x00cf1200);     /* 0x30 data0, not present */
    gdt_set(7, 0x0000ffff, 0x00cf9800);     /* 0x38 exec-only code0 */
    gdt_set(8, 0x0000ffff, 0x00af9a00);     /* 0x40 64-bit code0 */
    gdt_set(9, (TSS_B << 16) | 0x67, 0x00008900);  /* 0x48 TSS B */
    gdt_set(10, (0x08 << 16) | 0x5000, 0x0000ec00); /* 0x50 call gate */
    gdt_set(11, 0x0000ffff, 0x00affa00);    /* 0x58 64-bit code3 */
    gdt_set(12, (TSS_64 << 16) | 0x67, 0x00008b00); /* 0x60 64-bit TSS */
    gdt_set(13, 0, 0);
    gdt_set(14, 0x0000ffff, 0x00cf9200 & ~(1u << 8)); /* 0x70 data0, A=0 */
    env->gdt.base = GDT;
    env->gdt.limit = 15 * 8 - 1;
    env->idt.base = IDT;
    env->idt.limit = 256 * 8 - 1;
    seg_set(R_CS, 0x08, 0x00cf9b00);
    seg_set(R_SS, 0x10, 0x00cf9300);
    seg_set(R_DS, 0x10, 0x00cf9300);
    seg_set(R_ES, 0x10, 0x00cf9300);
    env->tr.selector = 0x28;
    env->tr.base = TSS_A;
    env->tr.limit = 0x67;
    env->tr.flags = 0x00008b00;
    /* TSS A: ring-0 stack 0x10:0x9000 */
    wl(TSS_A + 4, 0x9000);
    wl(TSS_A + 8, 0x10);
    x86_update_hflags(env);
}

static void to_ring3(void)
{
    seg_set(R_CS, 0x1b, 0x00cffb00);
    seg_set(R_SS, 0x23, 0x00cff300);
    seg_set(R_DS, 0x23, 0x00cff300);
    seg_set(R_ES, 0x23, 0x00cff300);
    x86_update_hflags(env);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 3);
}

static void idt_gate32(int vec, uint32_t sel, uint32_t off, int type, int dpl)
{
    wl(IDT + vec * 8, (sel << 16) | (off & 0xffff));
    wl(IDT + vec * 8 + 4, (off & 0xffff0000u) | 0x8000 | (dpl << 13) |
                          (type << 8));
}

static void expect_fault(bool ok, const X86Fault *f, int vec, uint32_t err)
{
    g_assert_false(ok);
    g_assert_cmpint(f->vector, ==, vec);
    g_assert_true(f->has_error_code);
    g_assert_cmphex(f->error_code, ==, err);
}

/* --- Segment loads --- */

static void test_load_seg(void)
{
    X86Fault f;

    setup_pm();
    /* a good load sets the accessed bit and the cache */
    g_assert_true(x86_load_seg(env, R_DS, 0x70, &f));
    g_assert_cmphex(rl(GDT + 14 * 8 + 4) & (1u << 8), ==, 1u << 8);
    g_assert_cmphex(env->segs[R_DS].limit, ==, 0xffffffff);
    g_assert_cmphex(env->segs[R_DS].flags, ==, 0x00cf9300);
    /* null into DS is fine, into SS is #GP(0) */
    g_assert_true(x86_load_seg(env, R_DS, 0, &f));
    expect_fault(x86_load_seg(env, R_SS, 0, &f), &f, EXCP0D_GPF, 0);
    /* beyond the GDT limit: #GP(sel) */
    expect_fault(x86_load_seg(env, R_DS, 0x80, &f), &f, EXCP0D_GPF, 0x80);
    /* LDT selector with no LDT: #GP(sel) */
    expect_fault(x86_load_seg(env, R_DS, 0x14, &f), &f, EXCP0D_GPF, 0x14);
    /* not present: #NP(sel) for data, #SS(sel) for the stack */
    expect_fault(x86_load_seg(env, R_ES, 0x30, &f), &f, EXCP0B_NOSEG, 0x30);
    gdt_set(6, 0x0000ffff, 0x00cf1200);
    expect_fault(x86_load_seg(env, R_SS, 0x30, &f), &f, EXCP0C_STACK, 0x30);
    /* execute-only code into DS: #GP; readable code is fine */
    expect_fault(x86_load_seg(env, R_DS, 0x38, &f), &f, EXCP0D_GPF, 0x38);
    g_assert_true(x86_load_seg(env, R_DS, 0x08, &f));
    /* code into SS, RPL != CPL, DPL != CPL: #GP(sel) */
    expect_fault(x86_load_seg(env, R_SS, 0x08, &f), &f, EXCP0D_GPF, 0x08);
    expect_fault(x86_load_seg(env, R_SS, 0x13, &f), &f, EXCP0D_GPF, 0x10);
    expect_fault(x86_load_seg(env, R_SS, 0x20, &f), &f, EXCP0D_GPF, 0x20);
    /* system descriptor into DS: #GP(sel) */
    expect_fault(x86_load_seg(env, R_DS, 0x28, &f), &f, EXCP0D_GPF, 0x28);
    /* at CPL 3 a DPL-0 data segment is #GP(sel) */
    to_ring3();
    expect_fault(x86_load_seg(env, R_DS, 0x13, &f), &f, EXCP0D_GPF, 0x10);
    g_assert_true(x86_load_seg(env, R_DS, 0x23, &f));
    /* real mode: base = sel << 4 */
    setup_pm();
    env->cr[0] = 0;
    x86_update_hflags(env);
    g_assert_true(x86_load_seg(env, R_ES, 0x1234, &f));
    g_assert_cmphex(env->segs[R_ES].base, ==, 0x12340);
}

static void test_lldt_ltr_lar(void)
{
    X86Fault f;
    uint64_t v;

    setup_pm();
    /* LTR: TSS B becomes busy */
    g_assert_true(x86_ltr(env, 0x48, &f));
    g_assert_cmphex(env->tr.base, ==, TSS_B);
    g_assert_cmphex(rl(GDT + 9 * 8 + 4), ==, 0x00008b00);
    /* busy TSS: #GP(sel) */
    expect_fault(x86_ltr(env, 0x48, &f), &f, EXCP0D_GPF, 0x48);
    /* LLDT of a non-LDT: #GP(sel) */
    expect_fault(x86_lldt(env, 0x10, &f), &f, EXCP0D_GPF, 0x10);
    gdt_set(13, (0x4000 << 16) | 0xff, 0x00008200);  /* 0x68 LDT */
    g_assert_true(x86_lldt(env, 0x68, &f));
    g_assert_cmphex(env->ldt.base, ==, 0x4000);
    g_assert_cmphex(env->ldt.limit, ==, 0xff);
    /* LAR/LSL/VERR/VERW at CPL 0 */
    v = helper_lar(env, 0x10);
    g_assert_cmphex(env->cc_src & CC_Z, ==, CC_Z);
    g_assert_cmphex(v, ==, 0x00cf9200 & 0x00f0ff00);
    v = helper_lsl(env, 0x10);
    g_assert_cmphex(v, ==, 0xffffffff);
    helper_verw(env, 0x08);
    g_assert_cmphex(env->cc_src & CC_Z, ==, 0);
    helper_verr(env, 0x08);
    g_assert_cmphex(env->cc_src & CC_Z, ==, CC_Z);
    helper_lar(env, 0x80);              /* beyond the limit */
    g_assert_cmphex(env->cc_src & CC_Z, ==, 0);
    to_ring3();
    helper_verr(env, 0x10);             /* DPL 0 from CPL 3 */
    g_assert_cmphex(env->cc_src & CC_Z, ==, 0);
}

/* --- Interrupt delivery --- */

static void test_int_real_mode(void)
{
    setup_pm();
    env->cr[0] = 0;
    env->segs[R_CS].selector = 0x100;
    env->segs[R_CS].base = 0x1000;
    env->segs[R_SS].selector = 0x800;
    env->segs[R_SS].base = 0x8000;
    env->segs[R_SS].flags = 0;
    env->regs[R_ESP] = 0x1000;
    env->eip = 0x20;
    env->eflags = 2 | IF_MASK | TF_MASK;
    env->cc_src = CC_C;
    env->idt.base = 0;
    env->idt.limit = 0x3ff;
    x86_update_hflags(env);
    wl(0x21 * 4, (0x2000 << 16) | 0x1234);
    {
        X86Fault f;
        g_assert_true(x86_interrupt_deliver(env, 0x21, true, false, 0, 0x22,
                                            false, &f));
    }
    g_assert_cmphex(env->regs[R_ESP], ==, 0xffa);
    g_assert_cmphex(rw(0x8ffa), ==, 0x22);               /* IP */
    g_assert_cmphex(rw(0x8ffc), ==, 0x100);              /* CS */
    g_assert_cmphex(rw(0x8ffe), ==, 2 | IF_MASK | TF_MASK | CC_C);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x2000);
    g_assert_cmphex(env->segs[R_CS].base, ==, 0x20000);
    g_assert_cmphex(env->eip, ==, 0x1234);
    g_assert_cmphex(env->eflags & (IF_MASK | TF_MASK), ==, 0);
}

static void test_int_pm_same_priv(void)
{
    X86Fault f;

    setup_pm();
    env->regs[R_ESP] = 0x8000;
    env->eflags = 2 | IF_MASK;
    x86_update_hflags(env);
    idt_gate32(EXCP0D_GPF, 0x08, 0x12345678, 0xe, 0);
    g_assert_true(x86_interrupt_deliver(env, EXCP0D_GPF, false, true, 0x28,
                                        0x4444, false, &f));
    g_assert_cmphex(env->regs[R_ESP], ==, 0x8000 - 16);
    g_assert_cmphex(rl(0x7ff0), ==, 0x28);               /* error code */
    g_assert_cmphex(rl(0x7ff4), ==, 0x4444);             /* EIP */
    g_assert_cmphex(rl(0x7ff8), ==, 0x08);               /* CS */
    g_assert_cmphex(rl(0x7ffc), ==, 2 | IF_MASK);        /* EFLAGS */
    g_assert_cmphex(env->eip, ==, 0x12345678);
    g_assert_cmphex(env->eflags & IF_MASK, ==, 0);       /* interrupt gate */

    /* trap gate keeps IF; 16-bit gate pushes words */
    setup_pm();
    env->regs[R_ESP] = 0x8000;
    env->eflags = 2 | IF_MASK;
    idt_gate32(0x40, 0x08, 0x1234, 0x7, 0);
    g_assert_true(x86_interrupt_deliver(env, 0x40, false, false, 0, 0x55,
                                        true, &f));
    g_assert_cmphex(env->regs[R_ESP], ==, 0x8000 - 6);
    g_assert_cmphex(rw(0x7ffa), ==, 0x55);
    g_assert_cmphex(rw(0x7ffc), ==, 0x08);
    g_assert_cmphex(env->eflags & IF_MASK, ==, IF_MASK);

    /* INT n through a DPL 0 gate from CPL 3: #GP(vec*8+2) */
    setup_pm();
    to_ring3();
    idt_gate32(0x80, 0x08, 0x1000, 0xe, 0);
    expect_fault(x86_interrupt_deliver(env, 0x80, true, false, 0, 0, false,
                                       &f), &f, EXCP0D_GPF, 0x80 * 8 + 2);
    /* not-present gate: #NP(vec*8+2), +1 for an external event */
    wl(IDT + 0x81 * 8 + 4, 0x00006e00);
    expect_fault(x86_interrupt_deliver(env, 0x81, false, false, 0, 0, true,
                                       &f), &f, EXCP0B_NOSEG, 0x81 * 8 + 3);
}

static void test_int_pm_priv_change(void)
{
    X86Fault f;

    setup_pm();
    to_ring3();
    env->regs[R_ESP] = 0x7000;
    env->eflags = 2 | IF_MASK | (3 << IOPL_SHIFT);
    idt_gate32(0x80, 0x08, 0xc0de, 0xe, 3);
    g_assert_true(x86_interrupt_deliver(env, 0x80, true, false, 0, 0x1002,
                                        false, &f));
    /* new stack from TSS A: 0x10:0x9000; SS, ESP, EFLAGS, CS, EIP */
    g_assert_cmphex(env->regs[R_ESP], ==, 0x9000 - 20);
    g_assert_cmphex(rl(0x8fec), ==, 0x1002);
    g_assert_cmphex(rl(0x8ff0), ==, 0x1b);
    g_assert_cmphex(rl(0x8ff4), ==, 2 | IF_MASK | (3 << IOPL_SHIFT));
    g_assert_cmphex(rl(0x8ff8), ==, 0x7000);
    g_assert_cmphex(rl(0x8ffc), ==, 0x23);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x10);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x08);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 0);

    /* IRET back to ring 3 restores everything */
    g_assert_true(x86_iret(env, 1, 0, &f));
    g_assert_cmphex(env->eip, ==, 0x1002);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x1b);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x23);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7000);
    g_assert_cmphex(env->eflags & IF_MASK, ==, IF_MASK);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 3);
    /* ring-3 IRET cannot change IOPL */
    wl(0x7000, 0x2000);
    wl(0x7004, 0x1b);
    wl(0x7008, 2);
    g_assert_true(x86_iret(env, 1, 0, &f));
    g_assert_cmphex(env->eflags & IOPL_MASK, ==, 3 << IOPL_SHIFT);

    /* bad SS in the TSS: #TS(ss) */
    setup_pm();
    to_ring3();
    idt_gate32(0x80, 0x08, 0xc0de, 0xe, 3);
    wl(TSS_A + 8, 0x20);                 /* DPL 3 data for ring 0 */
    expect_fault(x86_interrupt_deliver(env, 0x80, true, false, 0, 0, false,
                                       &f), &f, EXCP0A_TSS, 0x20);
}

static void test_int_v86(void)
{
    X86Fault f;

    setup_pm();
    env->eflags = 2 | VM_MASK | IF_MASK | (3 << IOPL_SHIFT);
    for (int r = 0; r < SEG_COUNT; r++) {
        env->segs[r].selector = 0x100 + r;
        env->segs[r].base = (0x100 + r) << 4;
        env->segs[r].flags = 0x0000f300;
    }
    env->regs[R_ESP] = 0x100;
    x86_update_hflags(env);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 3);
    idt_gate32(0x21, 0x08, 0xabc, 0xe, 3);
    g_assert_true(x86_interrupt_deliver(env, 0x21, true, false, 0, 0x77,
                                        false, &f));
    /* GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP on the ring-0 stack */
    g_assert_cmphex(env->regs[R_ESP], ==, 0x9000 - 36);
    g_assert_cmphex(rl(0x9000 - 4), ==, 0x105);          /* GS */
    g_assert_cmphex(rl(0x9000 - 8), ==, 0x104);          /* FS */
    g_assert_cmphex(rl(0x9000 - 12), ==, 0x103);         /* DS */
    g_assert_cmphex(rl(0x9000 - 16), ==, 0x100);         /* ES */
    g_assert_cmphex(rl(0x9000 - 20), ==, 0x102);         /* SS */
    g_assert_cmphex(rl(0x9000 - 24), ==, 0x100);         /* ESP */
    g_assert_cmphex(rl(0x9000 - 28) & VM_MASK, ==, VM_MASK);
    g_assert_cmphex(rl(0x9000 - 32), ==, 0x101);         /* CS */
    g_assert_cmphex(rl(0x9000 - 36), ==, 0x77);
    g_assert_cmphex(env->eflags & VM_MASK, ==, 0);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 0);
    /* IRET at CPL 0 with VM in the image goes back to v86 */
    g_assert_true(x86_iret(env, 1, 0, &f));
    g_assert_cmphex(env->eflags & VM_MASK, ==, VM_MASK);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0x103);
    g_assert_cmphex(env->segs[R_DS].base, ==, 0x1030);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x100);
    g_assert_cmphex(env->eip, ==, 0x77);
    /* INT n in v86 with IOPL < 3: #GP(0) */
    env->eflags &= ~IOPL_MASK;
    expect_fault(x86_interrupt_deliver(env, 0x21, true, false, 0, 0, false,
                                       &f), &f, EXCP0D_GPF, 0);
}

/* Long mode: identity-map the first 2 MiB, 64-bit TSS, 16-byte gates. */
static void setup_long(void)
{
    setup_pm();
    wq(0x10000, 0x11000 | 7);
    wq(0x11000, 0x12000 | 7);
    wq(0x12000, 0x87);
    env->cr[3] = 0x10000;
    env->cr[4] = CR4_PAE;
    env->efer = EFER_LME | EFER_LMA;
    env->cr[0] |= CR0_PG;
    seg_set(R_CS, 0x40, 0x00af9b00);
    env->tr.selector = 0x60;
    env->tr.base = TSS_64;
    env->tr.limit = 0x67;
    env->tr.flags = 0x00008b00;
    env->idt.limit = 256 * 16 - 1;
    wq(TSS_64 + 4, 0x9000);              /* RSP0 */
    wq(TSS_64 + 0x24 + 8, 0xa008);       /* IST2 (unaligned on purpose) */
    x86_update_hflags(env);
}

static void idt_gate64(int vec, uint32_t sel, uint64_t off, int type,
                       int dpl, int ist)
{
    wl(IDT + vec * 16, (sel << 16) | (off & 0xffff));
    wl(IDT + vec * 16 + 4, (off & 0xffff0000u) | 0x8000 | (dpl << 13) |
                           (type << 8) | ist);
    wl(IDT + vec * 16 + 8, off >> 32);
    wl(IDT + vec * 16 + 12, 0);
}

static void test_int_long_mode(void)
{
    X86Fault f;

    setup_long();
    g_assert_true(env->hflags & HF_CS64_MASK);
    env->regs[R_ESP] = 0x7ff8;
    env->eflags = 2 | IF_MASK;
    idt_gate64(EXCP0E_PAGE, 0x40, 0xffffffff80001000ull, 0xe, 0, 2);
    g_assert_true(x86_interrupt_deliver(env, EXCP0E_PAGE, false, true, 0x6,
                                        0x4321, false, &f));
    /* IST2 aligned down to 16: 0xa000; SS, RSP, RFLAGS, CS, RIP, err */
    g_assert_cmphex(env->regs[R_ESP], ==, 0xa000 - 48);
    g_assert_cmphex(rq(0xa000 - 8), ==, 0x10);
    g_assert_cmphex(rq(0xa000 - 16), ==, 0x7ff8);
    g_assert_cmphex(rq(0xa000 - 24), ==, 2 | IF_MASK);
    g_assert_cmphex(rq(0xa000 - 32), ==, 0x40);
    g_assert_cmphex(rq(0xa000 - 40), ==, 0x4321);
    g_assert_cmphex(rq(0xa000 - 48), ==, 0x6);
    g_assert_cmphex(env->eip, ==, 0xffffffff80001000ull);
    g_assert_cmphex(env->eflags & IF_MASK, ==, 0);

    /* from ring 3 without IST: RSP0, SS becomes null with RPL 0 */
    setup_long();
    seg_set(R_CS, 0x5b, 0x00affb00);
    seg_set(R_SS, 0x23, 0x00cff300);
    x86_update_hflags(env);
    env->regs[R_ESP] = 0x6000;
    idt_gate64(0x80, 0x40, 0x2000, 0xf, 3, 0);
    g_assert_true(x86_interrupt_deliver(env, 0x80, true, false, 0, 0x3333,
                                        false, &f));
    g_assert_cmphex(env->regs[R_ESP], ==, 0x9000 - 40);
    g_assert_cmphex(rq(0x9000 - 8), ==, 0x23);
    g_assert_cmphex(rq(0x9000 - 16), ==, 0x6000);
    g_assert_cmphex(rq(0x9000 - 32), ==, 0x5b);
    g_assert_cmphex(rq(0x9000 - 40), ==, 0x3333);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 0);
    /* 64-bit IRETQ back */
    g_assert_true(x86_iret(env, 2, 0, &f));
    g_assert_cmphex(env->eip, ==, 0x3333);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x6000);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x23);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 3);

    /* a 32-bit gate type in long mode: #GP(vec*8+2), +1 (EXT) when the
     * event is an exception; INT n leaves EXT clear */
    setup_long();
    idt_gate32(0x30 * 2, 0, 0, 0, 0);   /* clear */
    idt_gate64(0x30, 0x40, 0x1000, 0x6, 0, 0);
    expect_fault(x86_interrupt_deliver(env, 0x30, false, false, 0, 0, false,
                                       &f), &f, EXCP0D_GPF, 0x30 * 8 + 3);
    expect_fault(x86_interrupt_deliver(env, 0x30, true, false, 0, 0, false,
                                       &f), &f, EXCP0D_GPF, 0x30 * 8 + 2);
}

/* --- #DF and triple fault --- */

static void test_double_fault(void)
{
    ResetCause cause;

    /* Table 6-5 */
    g_assert_cmpint(x86_exception_combine(EXCP0D_GPF, EXCP0B_NOSEG), ==,
                    EXCP08_DBLE);
    g_assert_cmpint(x86_exception_combine(EXCP0E_PAGE, EXCP0E_PAGE), ==,
                    EXCP08_DBLE);
    g_assert_cmpint(x86_exception_combine(EXCP0E_PAGE, EXCP0D_GPF), ==,
                    EXCP08_DBLE);
    g_assert_cmpint(x86_exception_combine(EXCP0D_GPF, EXCP0E_PAGE), ==,
                    EXCP0E_PAGE);
    g_assert_cmpint(x86_exception_combine(EXCP01_DB, EXCP0D_GPF), ==,
                    EXCP0D_GPF);
    g_assert_cmpint(x86_exception_combine(-1, EXCP0D_GPF), ==, EXCP0D_GPF);
    g_assert_cmpint(x86_exception_combine(EXCP08_DBLE, EXCP0D_GPF), ==, -2);
    g_assert_cmpint(x86_exception_combine(EXCP08_DBLE, EXCP01_DB), ==,
                    EXCP01_DB);

    /* #GP whose gate is not present -> #NP -> #DF delivered via IDT[8] */
    setup_pm();
    env->regs[R_ESP] = 0x8000;
    env->eip = 0x1111;
    wl(IDT + EXCP0D_GPF * 8 + 4, 0x00000e00);            /* P = 0 */
    idt_gate32(EXCP08_DBLE, 0x08, 0xdf, 0xe, 0);
    xcpu.parent.exception_index = EXCP0D_GPF;
    env->error_code = 0;
    bql_lock(bql_cause_exception);
    x86_cpu_do_interrupt(&xcpu.parent);
    bql_unlock();
    g_assert_cmphex(env->eip, ==, 0xdf);
    g_assert_cmphex(rl(0x8000 - 16), ==, 0);             /* #DF error 0 */
    g_assert_cmphex(rl(0x8000 - 12), ==, 0x1111);
    g_assert_cmpint(env->old_exception, ==, -1);
    g_assert_false(system_reset_requested(&cause));

    /* no usable IDT at all: triple fault -> reset request */
    setup_pm();
    env->idt.limit = 0;
    env->eflags |= IF_MASK;
    xcpu.parent.halted = false;
    xcpu.parent.exception_index = EXCP0E_PAGE;
    bql_lock(bql_cause_exception);
    x86_cpu_do_interrupt(&xcpu.parent);
    bql_unlock();
    g_assert_true(system_reset_requested(&cause));
    g_assert_cmpint(cause, ==, RESET_CAUSE_GUEST);
    g_assert_true(xcpu.parent.halted);
    g_assert_cmphex(env->eflags & IF_MASK, ==, 0);
}

/* --- Task switch --- */

static void test_task_gate(void)
{
    X86Fault f;

    setup_pm();
    /* TSS B: the new task's state */
    wl(TSS_B + 0x20, 0xbeef);             /* EIP */
    wl(TSS_B + 0x24, 2);                  /* EFLAGS */
    wl(TSS_B + 0x28, 0xaaaa);             /* EAX */
    wl(TSS_B + 0x38, 0x7777);             /* ESP */
    wl(TSS_B + 0x48, 0x10);               /* ES */
    wl(TSS_B + 0x4c, 0x08);               /* CS */
    wl(TSS_B + 0x50, 0x10);               /* SS */
    wl(TSS_B + 0x54, 0x10);               /* DS */
    /* IDT 0x50: task gate to 0x48 */
    wl(IDT + 0x50 * 8, 0x48 << 16);
    wl(IDT + 0x50 * 8 + 4, 0x8500);
    env->regs[R_EAX] = 0x1234;
    env->regs[R_ESP] = 0x8000;
    env->eflags = 2 | IF_MASK;
    g_assert_true(x86_interrupt_deliver(env, 0x50, false, false, 0, 0x4242,
                                        true, &f));
    g_assert_cmphex(env->tr.selector, ==, 0x48);
    g_assert_cmphex(env->eip, ==, 0xbeef);
    g_assert_cmphex(env->regs[R_EAX], ==, 0xaaaa);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7777);
    g_assert_cmphex(env->eflags & NT_MASK, ==, NT_MASK);
    g_assert_cmphex(env->cr[0] & CR0_TS, ==, CR0_TS);
    g_assert_cmphex(rw(TSS_B), ==, 0x28);                /* back link */
    g_assert_cmphex(rl(GDT + 9 * 8 + 4) & 0x200, ==, 0x200); /* B busy */
    g_assert_cmphex(rl(GDT + 5 * 8 + 4) & 0x200, ==, 0x200); /* A busy */
    /* old state saved in TSS A */
    g_assert_cmphex(rl(TSS_A + 0x20), ==, 0x4242);
    g_assert_cmphex(rl(TSS_A + 0x28), ==, 0x1234);
    /* IRET with NT returns to task A, clearing B's busy bit */
    g_assert_true(x86_iret(env, 1, 0xbef0, &f));
    g_assert_cmphex(env->tr.selector, ==, 0x28);
    g_assert_cmphex(env->eip, ==, 0x4242);
    g_assert_cmphex(env->regs[R_EAX], ==, 0x1234);
    g_assert_cmphex(rl(GDT + 9 * 8 + 4) & 0x200, ==, 0);
    /* task gate to a busy TSS: #GP(sel), EXT for an external interrupt */
    gdt_set(9, (TSS_B << 16) | 0x67, 0x00008b00);
    expect_fault(x86_interrupt_deliver(env, 0x50, false, false, 0, 0, true,
                                       &f), &f, EXCP0D_GPF, 0x49);
}

/* JMP to a TSS: no back link, no NT, the old task is no longer busy. */
static void test_task_jmp(void)
{
    X86Fault f;

    setup_pm();
    wl(TSS_B + 0x20, 0xcafe);
    wl(TSS_B + 0x24, 2);
    wl(TSS_B + 0x4c, 0x08);
    wl(TSS_B + 0x50, 0x10);
    wl(TSS_B + 0x54, 0x10);
    wl(TSS_B + 0x48, 0x10);
    env->eflags = 2 | NT_MASK;
    g_assert_true(x86_ljmp(env, 0x48, 0, 0x999, &f));
    g_assert_cmphex(env->tr.selector, ==, 0x48);
    g_assert_cmphex(env->eip, ==, 0xcafe);
    g_assert_cmphex(env->eflags & NT_MASK, ==, 0);
    g_assert_cmphex(rw(TSS_B), ==, 0);                   /* no back link */
    g_assert_cmphex(rl(GDT + 5 * 8 + 4) & 0x200, ==, 0); /* A not busy */
    g_assert_cmphex(rl(GDT + 9 * 8 + 4) & 0x200, ==, 0x200);
    g_assert_cmphex(rl(TSS_A + 0x20), ==, 0x999);        /* saved EIP */
    g_assert_cmphex(rl(TSS_A + 0x24) & NT_MASK, ==, 0);  /* NT cleared */
    /* a bad CS in the new TSS is #TS(cs) in the new task's context */
    setup_pm();
    wl(TSS_B + 0x4c, 0x10);                              /* data as CS */
    wl(TSS_B + 0x50, 0x10);
    expect_fault(x86_ljmp(env, 0x48, 0, 0, &f), &f, EXCP0A_TSS, 0x10);
    g_assert_cmphex(env->tr.selector, ==, 0x48);
}

/* --- Far call through a call gate --- */

static void test_call_gate(void)
{
    X86Fault f;

    setup_pm();
    to_ring3();
    env->regs[R_ESP] = 0x7000;
    g_assert_true(x86_lcall(env, 0x53, 0, 1, 0x1005, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x08);
    g_assert_cmphex(env->eip, ==, 0x5000);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x9000 - 16);
    g_assert_cmphex(rl(0x9000 - 4), ==, 0x23);           /* SS */
    g_assert_cmphex(rl(0x9000 - 8), ==, 0x7000);         /* ESP */
    g_assert_cmphex(rl(0x9000 - 12), ==, 0x1b);          /* CS */
    g_assert_cmphex(rl(0x9000 - 16), ==, 0x1005);        /* EIP */
    /* RETF back out to ring 3 nulls DS/ES that are DPL 0 */
    g_assert_true(x86_load_seg(env, R_DS, 0x10, &f));
    g_assert_true(x86_lret(env, 1, 0, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x1b);
    g_assert_cmphex(env->eip, ==, 0x1005);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7000);
    g_assert_cmphex(env->segs[R_DS].selector, ==, 0);
    /* far JMP to a DPL-0 non-conforming code segment from ring 3 */
    expect_fault(x86_ljmp(env, 0x08, 0, 0, &f), &f, EXCP0D_GPF, 0x08);
}

/* --- Far return / IRET checks, JMP through a call gate, real mode --- */

static void test_far_transfer_faults(void)
{
    X86Fault f;

    /* IRET at CPL 3 to a ring-0 CS (RPL < CPL): #GP(sel) */
    setup_pm();
    to_ring3();
    env->regs[R_ESP] = 0x7000;
    wl(0x7000, 0x1234);
    wl(0x7004, 0x08);
    wl(0x7008, 2);
    expect_fault(x86_iret(env, 1, 0, &f), &f, EXCP0D_GPF, 0x08);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7000);      /* untouched */
    /* far RET to a not-present code segment: #NP(sel) */
    setup_pm();
    gdt_set(13, 0x0000ffff, 0x00cf1a00);                 /* 0x68 code, P=0 */
    env->regs[R_ESP] = 0x7000;
    wl(0x7000, 0x1234);
    wl(0x7004, 0x68);
    expect_fault(x86_lret(env, 1, 0, &f), &f, EXCP0B_NOSEG, 0x68);
    /* far RET with an immediate at the same level: ESP += 8 + n */
    wl(0x7004, 0x08);
    g_assert_true(x86_lret(env, 1, 12, &f));
    g_assert_cmphex(env->eip, ==, 0x1234);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7000 + 8 + 12);
    /* far JMP through a DPL-3 call gate from ring 3 to ring-0 code: a
     * JMP cannot change privilege -> #GP(code selector) */
    setup_pm();
    to_ring3();
    expect_fault(x86_ljmp(env, 0x53, 0, 0, &f), &f, EXCP0D_GPF, 0x08);
    /* ...but at ring 0 it lands on the gate's target */
    setup_pm();
    g_assert_true(x86_ljmp(env, 0x50, 0, 0, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x08);
    g_assert_cmphex(env->eip, ==, 0x5000);
    /* a far JMP beyond the code segment limit: #GP(0) */
    gdt_set(13, 0x00000fff, 0x00409a00);                 /* 0x68 4K code */
    expect_fault(x86_ljmp(env, 0x68, 0x2000, 0, &f), &f, EXCP0D_GPF, 0);

    /* real mode far CALL pushes CS:IP and loads base = sel << 4 */
    setup_pm();
    env->cr[0] = 0;
    env->segs[R_CS].selector = 0x100;
    env->segs[R_SS].selector = 0;
    env->segs[R_SS].base = 0;
    env->segs[R_SS].flags = 0;
    env->regs[R_ESP] = 0x8000;
    x86_update_hflags(env);
    g_assert_true(x86_lcall(env, 0x2000, 0x10, 0, 0x33, &f));
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7ffc);
    g_assert_cmphex(rw(0x7ffe), ==, 0x100);
    g_assert_cmphex(rw(0x7ffc), ==, 0x33);
    g_assert_cmphex(env->segs[R_CS].base, ==, 0x20000);
    g_assert_true(x86_lret(env, 0, 0, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x100);
    g_assert_cmphex(env->eip, ==, 0x33);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x8000);
}

/* --- SYSCALL/SYSRET, SYSENTER/SYSEXIT --- */

static void test_syscall(void)
{
    X86Fault f;

    setup_long();
    seg_set(R_CS, 0x5b, 0x00affb00);
    seg_set(R_SS, 0x23, 0x00cff300);
    env->eflags = 2 | IF_MASK | TF_MASK;
    x86_update_hflags(env);
    g_assert_false(x86_syscall(env, 0x400000, &f));      /* SCE clear */
    g_assert_cmpint(f.vector, ==, EXCP06_ILLOP);
    env->efer |= EFER_SCE;
    env->star = (0x10ull << 48) | (0x08ull << 32);
    env->lstar = 0xffffffff81000000ull;
    env->fmask = IF_MASK | TF_MASK;
    g_assert_true(x86_syscall(env, 0x400000, &f));
    g_assert_cmphex(env->regs[R_ECX], ==, 0x400000);
    g_assert_cmphex(env->regs[R_R11], ==, 2 | IF_MASK | TF_MASK);
    g_assert_cmphex(env->eip, ==, 0xffffffff81000000ull);
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x08);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x10);
    g_assert_cmphex(env->eflags & (IF_MASK | TF_MASK), ==, 0);
    g_assert_true(env->hflags & HF_CS64_MASK);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 0);
    /* SYSRETQ: CS = STAR[63:48] + 16 | 3, SS = + 8 | 3 */
    g_assert_true(x86_sysret(env, 2, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x23);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x1b);
    g_assert_cmphex(env->eip, ==, 0x400000);
    g_assert_cmphex(env->eflags & (IF_MASK | TF_MASK), ==, IF_MASK | TF_MASK);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 3);
    /* SYSRET from CPL 3: #GP(0); non-canonical RCX: #GP(0) */
    expect_fault(x86_sysret(env, 2, &f), &f, EXCP0D_GPF, 0);

    /* SYSENTER/SYSEXIT (32-bit) */
    setup_pm();
    to_ring3();
    env->sysenter_cs = 0x08;
    env->sysenter_esp = 0x9000;
    env->sysenter_eip = 0xc0001000;
    g_assert_true(x86_sysenter(env, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x08);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x10);
    g_assert_cmphex(env->eip, ==, 0xc0001000);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 0);
    env->regs[R_ECX] = 0x7000;
    env->regs[R_EDX] = 0x8048000;
    g_assert_true(x86_sysexit(env, 1, &f));
    g_assert_cmphex(env->segs[R_CS].selector, ==, 0x1b);
    g_assert_cmphex(env->segs[R_SS].selector, ==, 0x23);
    g_assert_cmphex(env->regs[R_ESP], ==, 0x7000);
    g_assert_cmphex(env->eip, ==, 0x8048000);
    g_assert_cmpint(env->hflags & HF_CPL_MASK, ==, 3);
}

/* --- MSRs, control and debug registers, I/O bitmap --- */

static void test_msr_cr(void)
{
    X86Fault f;
    uint64_t v;

    setup_pm();
    /* unknown MSR: #GP(0) both ways */
    expect_fault(x86_rdmsr(env, 0x12345, &v, &f), &f, EXCP0D_GPF, 0);
    expect_fault(x86_wrmsr(env, 0x12345, 0, &f), &f, EXCP0D_GPF, 0);
    /* EFER: NXE needs the feature; LMA is read-only */
    expect_fault(x86_wrmsr(env, 0xc0000080, EFER_NXE, &f), &f, EXCP0D_GPF, 0);
    env->features[FEAT_8000_0001_EDX] |= 1u << 20;
    g_assert_true(x86_wrmsr(env, 0xc0000080, EFER_NXE | EFER_LME | EFER_LMA,
                            &f));
    g_assert_cmphex(env->efer, ==, EFER_NXE | EFER_LME);
    /* canonical checks */
    expect_fault(x86_wrmsr(env, 0xc0000100, 0x0000800000000000ull, &f), &f,
                 EXCP0D_GPF, 0);
    g_assert_true(x86_wrmsr(env, 0xc0000101, 0xffff800000001000ull, &f));
    g_assert_cmphex(env->segs[R_GS].base, ==, 0xffff800000001000ull);
    /* PAT with an invalid type (2) */
    expect_fault(x86_wrmsr(env, 0x277, 0x0007040600070402ull, &f), &f,
                 EXCP0D_GPF, 0);
    g_assert_true(x86_wrmsr(env, 0x277, 0x0007040600070406ull, &f));
    g_assert_true(x86_rdmsr(env, 0x277, &v, &f));
    g_assert_cmphex(v, ==, 0x0007040600070406ull);
    /* MTRRs, SYSENTER, TSC write moves the offset */
    g_assert_true(x86_wrmsr(env, 0x259, 0x0606060606060606ull, &f));
    g_assert_true(x86_rdmsr(env, 0x259, &v, &f));
    g_assert_cmphex(v, ==, 0x0606060606060606ull);
    g_assert_true(x86_wrmsr(env, 0x174, 0x08, &f));
    g_assert_cmphex(env->sysenter_cs, ==, 0x08);
    g_assert_true(x86_wrmsr(env, 0x10, 1000, &f));
    g_assert_true(x86_rdmsr(env, 0x10, &v, &f));
    g_assert_cmpuint(v, >=, 1000);
    g_assert_cmpuint(v, <, 1000 + X86_TSC_HZ);

    /* CR0: PG without PE, NW without CD */
    expect_fault(x86_write_cr(env, 0, CR0_PG, &f), &f, EXCP0D_GPF, 0);
    expect_fault(x86_write_cr(env, 0, CR0_PE | CR0_NW, &f), &f, EXCP0D_GPF, 0);
    /* LME + PG without PAE: #GP; with PAE: LMA set */
    expect_fault(x86_write_cr(env, 0, CR0_PE | CR0_PG, &f), &f,
                 EXCP0D_GPF, 0);
    g_assert_true(x86_write_cr(env, 4, CR4_PAE, &f));
    g_assert_true(x86_write_cr(env, 0, CR0_PE | CR0_PG, &f));
    g_assert_cmphex(env->efer & EFER_LMA, ==, EFER_LMA);
    g_assert_true(env->hflags & HF_LMA_MASK);
    /* in long mode PAE cannot be cleared; reserved CR4 bit */
    expect_fault(x86_write_cr(env, 4, 0, &f), &f, EXCP0D_GPF, 0);
    expect_fault(x86_write_cr(env, 4, CR4_PAE | (1u << 15), &f), &f,
                 EXCP0D_GPF, 0);
    /* features not implemented: VME, PVI, UMIP */
    expect_fault(x86_write_cr(env, 4, CR4_PAE | CR4_VME, &f), &f,
                 EXCP0D_GPF, 0);
    expect_fault(x86_write_cr(env, 4, CR4_PAE | CR4_PVI, &f), &f,
                 EXCP0D_GPF, 0);
    expect_fault(x86_write_cr(env, 4, CR4_PAE | CR4_UMIP, &f), &f,
                 EXCP0D_GPF, 0);
    /* CR8 */
    expect_fault(x86_write_cr(env, 8, 0x10, &f), &f, EXCP0D_GPF, 0);
    g_assert_true(x86_write_cr(env, 8, 0x9, &f));
    g_assert_cmpint(env->tpr, ==, 9);

    /* DR4 aliases DR6 without CR4.DE, #UD with it; DR7.GD -> #DB */
    g_assert_true(x86_set_dr(env, 4, 0x1, &f));
    g_assert_cmphex(env->dr[6], ==, 0xffff0ff1);
    env->cr[4] |= CR4_DE;
    g_assert_false(x86_get_dr(env, 5, &v, &f));
    g_assert_cmpint(f.vector, ==, EXCP06_ILLOP);
    g_assert_true(x86_set_dr(env, 7, (1u << 13) | 1, &f));
    g_assert_false(x86_set_dr(env, 0, 0x1000, &f));
    g_assert_cmpint(f.vector, ==, EXCP01_DB);
    g_assert_cmphex(env->dr[6] & (1u << 13), ==, 1u << 13);
    g_assert_cmphex(env->dr[7] & (1u << 13), ==, 0);
}

static void test_cpuid_io(void)
{
    X86Fault f;
    uint32_t a, b, c, d;

    setup_pm();
    env->cpuid_level = 0xd;
    env->cpuid_xlevel = 0x80000008;
    memcpy(env->cpuid_vendor, "GenuineIntel", 12);
    env->cpuid_version = 0x806ec;
    env->features[FEAT_1_EDX] = 0x10;
    strcpy(env->cpuid_model, "Tandem test CPU");
    x86_cpuid(env, 0, 0, &a, &b, &c, &d);
    g_assert_cmphex(a, ==, 0xd);
    g_assert_cmpmem(&b, 4, "Genu", 4);
    g_assert_cmpmem(&d, 4, "ineI", 4);
    g_assert_cmpmem(&c, 4, "ntel", 4);
    x86_cpuid(env, 1, 0, &a, &b, &c, &d);
    g_assert_cmphex(a, ==, 0x806ec);
    g_assert_cmphex(d, ==, 0x10);
    x86_cpuid(env, 0x80000002, 0, &a, &b, &c, &d);
    g_assert_cmpmem(&a, 4, "Tand", 4);
    x86_cpuid(env, 0x80000008, 0, &a, &b, &c, &d);
    g_assert_cmphex(a, ==, 0x3028);

    /* I/O: CPL 3 with IOPL 0 consults the bitmap at TSS+0x66 */
    to_ring3();
    wl(TSS_A + 0x64, 0x68u << 16);      /* bitmap at 0x68 */
    /* the bitmap lies beyond the TSS limit: #GP(0) */
    expect_fault(x86_check_io(env, 0x60, 1, &f), &f, EXCP0D_GPF, 0);
    env->tr.limit = 0x68 + 0x2000;      /* now inside, all zero: allow */
    g_assert_true(x86_check_io(env, 0x60, 1, &f));
    address_space_stb(&address_space_memory, TSS_A + 0x68 + (0x61 >> 3),
                      1u << (0x61 & 7), MEMTXATTRS_UNSPECIFIED, NULL);
    expect_fault(x86_check_io(env, 0x60, 2, &f), &f, EXCP0D_GPF, 0);
    g_assert_true(x86_check_io(env, 0x60, 1, &f));
    env->eflags |= 3 << IOPL_SHIFT;
    g_assert_true(x86_check_io(env, 0x61, 1, &f));
}

int main(int argc, char **argv)
{
    Error *err = NULL;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    if (!memory_region_init_ram(&ram, "ram", 4u << 20, &err)) {
        error_report_err(err);
        return 1;
    }
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    bql_unlock();
    xcpu.parent.env_ptr = env;

    g_test_add_func("/x86-seg/load-seg", test_load_seg);
    g_test_add_func("/x86-seg/lldt-ltr-lar", test_lldt_ltr_lar);
    g_test_add_func("/x86-seg/int-real", test_int_real_mode);
    g_test_add_func("/x86-seg/int-pm-same", test_int_pm_same_priv);
    g_test_add_func("/x86-seg/int-pm-priv", test_int_pm_priv_change);
    g_test_add_func("/x86-seg/int-v86", test_int_v86);
    g_test_add_func("/x86-seg/int-long", test_int_long_mode);
    g_test_add_func("/x86-seg/double-fault", test_double_fault);
    g_test_add_func("/x86-seg/task-gate", test_task_gate);
    g_test_add_func("/x86-seg/task-jmp", test_task_jmp);
    g_test_add_func("/x86-seg/call-gate", test_call_gate);
    g_test_add_func("/x86-seg/far-faults", test_far_transfer_faults);
    g_test_add_func("/x86-seg/syscall", test_syscall);
    g_test_add_func("/x86-seg/msr-cr", test_msr_cr);
    g_test_add_func("/x86-seg/cpuid-io", test_cpuid_io);
    return g_test_run();
}
