/*
 * test-softmmu.c: the softmmu TLB (accel/tcg/cputlb.c) through the toy
 * target's page table: fill then hit, the victim TLB after a conflict
 * eviction, MMIO through the memory API with and without the BQL, the
 * not-dirty path of code pages, page-crossing accesses in both byte
 * orders (through generated code and from C), alignment faults, a
 * page-crossing store that faults (all or nothing), flushes by page, by
 * MMU index and all, and cross-vCPU flushes as queued work (plain and
 * synced) with two vCPUs in the real vCPU loop.
 *
 * Accesses "from C" (cpu_ld_mmu/cpu_st_mmu) are made by the main thread on
 * a bare CPU it drives; they never fault here (a fault needs tcg_cpu_exec's
 * landing pad, so faulting cases run as toy programs).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/runstate.h"
#include "support/accel-test.h"
#include "support/toy-target.h"

#define I(op, rd, rs, aux, imm) toy_insn(TOY_OP_##op, rd, rs, aux, imm)
#define HALT I(HALT, 0, 0, 0, 0)
#define PG TOY_PAGE_SIZE

static ToyCPU *cpu0;                    /* bare, driven by the main thread */

static ToyCPU *new_bare_cpu(void)
{
    ToyCPU *c;

    bql_lock(bql_cause_init);
    c = toy_cpu_new(nr_cpus);
    bql_unlock();
    toy_cpu_bare_init(c);
    return c;
}

static TcgCpuStats *stats(ToyCPU *c)
{
    return tcg_cpu_stats(&c->parent);
}

static uint64_t ld(ToyCPU *c, uint64_t va, MemOp mop, int mmu)
{
    return cpu_ld_mmu(&c->parent, va, make_memop_idx(mop, mmu), 0);
}

static void st(ToyCPU *c, uint64_t va, uint64_t v, MemOp mop, int mmu)
{
    cpu_st_mmu(&c->parent, va, v, make_memop_idx(mop, mmu), 0);
}

static uint8_t phys_byte(hwaddr pa)
{
    return __atomic_load_n(&toy_ram_ptr[pa], __ATOMIC_RELAXED);
}

static void start_at(ToyCPU *c, uint64_t pc)
{
    memset(c->env.regs, 0, sizeof(c->env.regs));
    c->env.pc = pc;
}

/* Virtual addresses above RAM, mapped per test. */
#define VA(n) (0x800000ull + (uint64_t)(n) * 0x10000)

/* ------------------------------------------------------------------ */

static void test_fill_hit(void)
{
    ToyCPU *c = cpu0;
    uint64_t f0;

    toy_map(VA(1), 0x100000, PAGE_READ | PAGE_WRITE);
    tlb_flush(&c->parent);
    f0 = stats(c)->tlb_fills;
    st(c, VA(1) + 8, 0x1122334455667788ull, MO_64, 0);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 1);
    g_assert_cmphex(ld(c, VA(1) + 8, MO_64, 0), ==, 0x1122334455667788ull);
    g_assert_cmphex(ld(c, VA(1) + 8, MO_32 | MO_BE, 0), ==, 0x88776655);
    g_assert_cmphex(ld(c, VA(1) + 15, MO_SB, 0), ==, 0x11);
    g_assert_cmphex(ld(c, VA(1) + 8, MO_SB, 0), ==, (uint64_t)(int8_t)0x88);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 1);
    g_assert_cmphex(phys_byte(0x100008), ==, 0x88);
    /* Other MMU index: its own fill. */
    g_assert_cmphex(ld(c, VA(1) + 8, MO_16, 1), ==, 0x7788);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 2);
}

/* Generated code: the inline fast path hits after the first miss. */
static void test_generated_hit(void)
{
    ToyCPU *c = cpu0;
    hwaddr code = 0x20000;
    uint64_t prog[] = {
        I(LD, 1, 0, MO_64, VA(2)),
        I(ST, 1, 0, MO_64 | MO_BE, VA(2) + 16),
        I(LD, 2, 0, MO_32 | MO_BE | MO_SIGN, VA(2) + 16),
        HALT,
    };
    uint64_t f0;

    toy_map(VA(2), 0x102000, PAGE_READ | PAGE_WRITE);
    toy_put_code(code, prog, ARRAY_SIZE(prog));
    st(c, VA(2), 0x80000000a1b2c3d4ull, MO_64, 0);
    for (int round = 0; round < 2; round++) {
        f0 = stats(c)->tlb_fills;
        start_at(c, code);
        g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
        g_assert_cmphex(c->env.regs[1], ==, 0x80000000a1b2c3d4ull);
        g_assert_cmphex(c->env.regs[2], ==, (uint64_t)(int32_t)0x80000000);
        g_assert_cmphex(phys_byte(0x102010), ==, 0x80);
        g_assert_cmphex(phys_byte(0x102017), ==, 0xd4);
        if (round == 1) {
            g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 0);
        }
    }
}

static void test_victim(void)
{
    ToyCPU *c = cpu0;
    /* Same direct-mapped slot: TLB_ENTRIES pages apart. */
    uint64_t a = VA(3), b = VA(3) + (uint64_t)TLB_ENTRIES * PG;
    uint64_t f0, v0;

    g_assert_cmpuint(b >> TOY_PAGE_BITS, <, TOY_PT_PAGES);
    toy_map(a, 0x104000, PAGE_READ | PAGE_WRITE);
    toy_map(b, 0x105000, PAGE_READ | PAGE_WRITE);
    tlb_flush(&c->parent);
    st(c, a, 0xaaaa, MO_16, 0);
    st(c, b, 0xbbbb, MO_16, 0);       /* evicts a into the victim TLB */
    f0 = stats(c)->tlb_fills;
    v0 = stats(c)->victim_hits;
    for (int i = 0; i < 10; i++) {
        g_assert_cmphex(ld(c, a, MO_16, 0), ==, 0xaaaa);
        g_assert_cmphex(ld(c, b, MO_16, 0), ==, 0xbbbb);
    }
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 0);
    g_assert_cmpuint(stats(c)->victim_hits - v0, ==, 20);
}

/* --- MMIO --- */

typedef struct TestDev {
    MemoryRegion mr;
    uint64_t last_addr, last_val;
    unsigned last_size, reads, writes;
    bool saw_bql;
} TestDev;

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;

    d->reads++;
    d->last_addr = addr;
    d->last_size = size;
    d->saw_bql = bql_locked();
    return 0x1000 + addr;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDev *d = opaque;

    d->writes++;
    d->last_addr = addr;
    d->last_val = val;
    d->last_size = size;
    d->saw_bql = bql_locked();
}

static const MemoryRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static void test_mmio(void)
{
    ToyCPU *c = cpu0;
    static TestDev locked, unlocked;
    hwaddr code = 0x21000;
    uint64_t prog[] = {
        I(LD, 1, 0, MO_32, VA(4) + 0x10),
        I(ST, 1, 0, MO_16, VA(4) + PG + 0x20),
        HALT,
    };
    uint64_t m0 = stats(c)->slow_mmio;

    bql_lock(bql_cause_init);
    memory_region_init_io(&locked.mr, &dev_ops, &locked, "dev-bql", PG);
    memory_region_init_io(&unlocked.mr, &dev_ops, &unlocked, "dev-nobql", PG);
    memory_region_set_needs_bql(&unlocked.mr, false);
    memory_region_add_subregion(get_system_memory(), 0x1000000, &locked.mr);
    memory_region_add_subregion(get_system_memory(), 0x1001000,
                                &unlocked.mr);
    bql_unlock();
    toy_map(VA(4), 0x1000000, PAGE_READ | PAGE_WRITE);
    toy_map(VA(4) + PG, 0x1001000, PAGE_READ | PAGE_WRITE);

    /* From C. */
    g_assert_cmphex(ld(c, VA(4) + 0x40, MO_32, 0), ==, 0x1040);
    g_assert_true(locked.saw_bql);
    g_assert_cmphex(ld(c, VA(4) + PG + 0x44, MO_16, 0), ==, 0x1044);
    g_assert_false(unlocked.saw_bql);
    st(c, VA(4) + 8, 0xbeef, MO_16 | MO_BE, 0);
    /* A big-endian store to a little-endian device: bytes be ef. */
    g_assert_cmphex(locked.last_val, ==, 0xefbe);
    g_assert_cmpuint(locked.last_size, ==, 2);
    g_assert_true(locked.saw_bql);

    /* From generated code: every access takes the slow path. */
    for (int round = 0; round < 3; round++) {
        unsigned r0 = locked.reads, w0 = unlocked.writes;

        start_at(c, code);
        toy_put_code(code, prog, ARRAY_SIZE(prog));
        g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
        g_assert_cmpuint(locked.reads - r0, ==, 1);
        g_assert_cmpuint(unlocked.writes - w0, ==, 1);
        g_assert_cmphex(c->env.regs[1], ==, 0x1010);
        g_assert_cmphex(unlocked.last_addr, ==, 0x20);
        g_assert_cmphex(unlocked.last_val, ==, 0x1010);
        g_assert_true(locked.saw_bql);
        g_assert_false(unlocked.saw_bql);
    }
    g_assert_cmpuint(stats(c)->slow_mmio - m0, ==, 9);
    g_assert_false(bql_locked());
}

/* --- not-dirty code pages --- */

static void test_notdirty(void)
{
    ToyCPU *c = cpu0;
    hwaddr code = 0x22000;
    uint64_t prog[] = { I(ADDI, 1, 0, 0, 1), HALT };
    uint64_t n0 = stats(c)->notdirty_writes;

    toy_map(VA(5), code, PAGE_READ | PAGE_WRITE);   /* data alias */
    toy_put_code(code, prog, 2);
    st(c, VA(5) + 0x800, 1, MO_8, 0);     /* maps the page before code */
    g_assert_cmpuint(stats(c)->notdirty_writes - n0, ==, 0);
    start_at(c, code);
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_true(tb_page_is_code(code));
    /* The existing entry was protected when the page became code.  A
     * store next to the code goes the slow way but leaves the TB. */
    st(c, VA(5) + 0x800, 2, MO_8, 0);
    g_assert_cmpuint(stats(c)->notdirty_writes - n0, ==, 1);
    g_assert_true(tb_page_is_code(code));
    /* A store onto the code (the same byte again) drops the TB. */
    st(c, VA(5), phys_byte(code), MO_8, 0);
    g_assert_cmpuint(stats(c)->notdirty_writes - n0, ==, 2);
    g_assert_false(tb_page_is_code(code));
    /* Flag cleared: the next store is plain. */
    st(c, VA(5) + 0x801, 3, MO_8, 0);
    g_assert_cmpuint(stats(c)->notdirty_writes - n0, ==, 2);
    g_assert_cmphex(phys_byte(code + 0x800), ==, 2);
    /* Code again: protected again, through a fresh fill this time. */
    start_at(c, code);
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    tlb_flush(&c->parent);
    st(c, VA(5) + 1, phys_byte(code + 1), MO_8, 0);
    g_assert_cmpuint(stats(c)->notdirty_writes - n0, ==, 3);
    g_assert_false(tb_page_is_code(code));
}

/* --- page-crossing and byte order --- */

static const MemOp cross_ops[] = {
    MO_16, MO_32, MO_64, MO_16 | MO_BE, MO_32 | MO_BE, MO_64 | MO_BE,
    MO_SW, MO_SL | MO_BE,
};

static uint64_t ref_extend(uint64_t v, MemOp mop)
{
    unsigned bits = 8 * memop_size(mop);

    if (bits == 64) {
        return v;
    }
    v &= (1ull << bits) - 1;
    if (mop & MO_SIGN) {
        v = (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
    }
    return v;
}

static void test_page_crossing(void)
{
    ToyCPU *c = cpu0;
    /* Two consecutive virtual pages on two non-adjacent physical pages. */
    hwaddr p1 = 0x110000, p2 = 0x10e000;
    hwaddr code = 0x23000;
    GRand *rnd = g_rand_new_with_seed(42);

    toy_map(VA(6), p1, PAGE_READ | PAGE_WRITE);
    toy_map(VA(6) + PG, p2, PAGE_READ | PAGE_WRITE);
    for (size_t k = 0; k < ARRAY_SIZE(cross_ops); k++) {
        MemOp mop = cross_ops[k];
        unsigned size = memop_size(mop);

        for (unsigned first = 1; first < size; first++) {
            uint64_t va = VA(6) + PG - first;
            uint64_t v = ((uint64_t)g_rand_int(rnd) << 32) | g_rand_int(rnd);
            uint64_t got = 0;

            /* From C. */
            st(c, va, v, mop, 0);
            for (unsigned i = 0; i < size; i++) {
                unsigned sh = 8 * ((mop & MO_BE) ? size - 1 - i : i);
                hwaddr pa = i < first ? p1 + PG - first + i
                                      : p2 + (i - first);

                g_assert_cmphex(phys_byte(pa), ==, (uint8_t)(v >> sh));
            }
            g_assert_cmphex(ld(c, va, mop, 0), ==, ref_extend(v, mop));

            /* From generated code: load, store 8 bytes further, load. */
            {
                uint64_t prog[] = {
                    I(LD, 1, 0, mop, va),
                    I(ST, 1, 0, mop, va),
                    I(LD, 2, 0, mop, va),
                    HALT,
                };

                toy_put_code(code, prog, 4);
                tb_invalidate_phys_range(code, code + sizeof(prog));
                start_at(c, code);
                g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
                got = c->env.regs[1];
                g_assert_cmphex(got, ==, ref_extend(v, mop));
                g_assert_cmphex(c->env.regs[2], ==, ref_extend(v, mop));
            }
        }
    }
    g_rand_free(rnd);
}

/* A crossing store whose second page faults writes nothing. */
static void test_crossing_store_fault(void)
{
    ToyCPU *c = cpu0;
    hwaddr p1 = 0x112000, code = 0x24000;
    uint64_t prog[] = {
        I(ADDI, 1, 0, 0, -1),
        I(ST, 1, 0, MO_64, VA(7) + PG - 3),
        HALT,
    };
    uint64_t vec = HALT;

    toy_map(VA(7), p1, PAGE_READ | PAGE_WRITE);
    toy_unmap(VA(7) + PG);
    toy_put_code(code, prog, 3);
    toy_put_code(code + 0x800, &vec, 1);
    memset(toy_ram_ptr + p1 + PG - 3, 0x5a, 3);
    start_at(c, code);
    c->env.fault_vector = code + 0x800;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpint(c->env.last_excp, ==, TOY_EXCP_FAULT);
    g_assert_cmpint(c->env.fault_type, ==, MMU_DATA_STORE);
    g_assert_cmphex(c->env.excp_pc, ==, code + 8);
    g_assert_cmphex(c->env.fault_addr & ~(uint64_t)(PG - 1), ==, VA(7) + PG);
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(phys_byte(p1 + PG - 3 + i), ==, 0x5a);
    }
}

static void test_alignment_fault(void)
{
    ToyCPU *c = cpu0;
    hwaddr code = 0x25000;
    uint64_t prog[] = {
        I(LD, 1, 0, MO_32 | MO_ALIGN, VA(8) + 4),   /* aligned: fine */
        I(LD, 2, 0, MO_32, VA(8) + 2),              /* no requirement */
        I(LD, 3, 0, MO_32 | MO_ALIGN, VA(8) + 2),   /* faults */
        HALT,
    };
    uint64_t vec = HALT;

    toy_map(VA(8), 0x114000, PAGE_READ | PAGE_WRITE);
    toy_put_code(code, prog, 4);
    toy_put_code(code + 0x800, &vec, 1);
    start_at(c, code);
    c->env.fault_vector = code + 0x800;
    c->env.regs[3] = 77;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpint(c->env.last_excp, ==, TOY_EXCP_ALIGN);
    g_assert_cmphex(c->env.excp_pc, ==, code + 16);
    g_assert_cmphex(c->env.fault_addr, ==, VA(8) + 2);
    g_assert_cmpuint(c->env.regs[3], ==, 77);  /* not written */
}

/* --- flushes --- */

static void test_flush_local(void)
{
    ToyCPU *c = cpu0;
    uint64_t a = VA(9), b = VA(9) + PG;
    uint64_t f0;

    toy_map(a, 0x116000, PAGE_READ | PAGE_WRITE);
    toy_map(b, 0x117000, PAGE_READ | PAGE_WRITE);
    st(c, 0x116000, 0x11, MO_8, 1);              /* identity RAM, mmu 1 */
    st(c, 0x118000, 0x22, MO_8, 1);
    ld(c, a, MO_8, 0);
    ld(c, b, MO_8, 0);
    ld(c, a, MO_8, 1);

    /* Remap a without a flush: the TLB still has the old translation. */
    toy_map(a, 0x118000, PAGE_READ | PAGE_WRITE);
    g_assert_cmphex(ld(c, a, MO_8, 0), ==, 0x11);
    f0 = stats(c)->tlb_fills;
    tlb_flush_page(&c->parent, a + 123);
    g_assert_cmphex(ld(c, a, MO_8, 0), ==, 0x22);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 1);
    ld(c, b, MO_8, 0);                              /* b untouched */
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 1);

    /* By MMU index: only index 1 forgets. */
    toy_map(a, 0x116000, PAGE_READ | PAGE_WRITE);
    tlb_flush_by_mmuidx(&c->parent, 1 << 1);
    g_assert_cmphex(ld(c, a, MO_8, 0), ==, 0x22);  /* stale in index 0 */
    g_assert_cmphex(ld(c, a, MO_8, 1), ==, 0x11);  /* refilled */
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 2);

    /* Page by MMU index. */
    tlb_flush_page_by_mmuidx(&c->parent, a, 1 << 0);
    g_assert_cmphex(ld(c, a, MO_8, 0), ==, 0x11);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 3);

    /* Everything. */
    tlb_flush(&c->parent);
    ld(c, a, MO_8, 0);
    ld(c, b, MO_8, 0);
    ld(c, a, MO_8, 1);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 6);
}

/* Large pages: a flush of any page in one flushes the MMU index. */
static bool large_fill(CPUState *cpu, uint64_t va, hwaddr pa)
{
    tlb_set_page(cpu, va, pa, PAGE_READ, 0, 16 * PG);
    return true;
}

static void test_flush_large_page(void)
{
    ToyCPU *c = cpu0;
    uint64_t f0;

    tlb_flush(&c->parent);
    large_fill(&c->parent, VA(10), 0x120000);
    large_fill(&c->parent, VA(10) + 5 * PG, 0x125000);
    f0 = stats(c)->tlb_fills;
    toy_map(VA(10) + 5 * PG, 0x125000, PAGE_READ);
    toy_map(VA(10), 0x120000, PAGE_READ);
    ld(c, VA(10), MO_8, 0);
    ld(c, VA(10) + 5 * PG, MO_8, 0);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 0);
    tlb_flush_page(&c->parent, VA(10) + 9 * PG);   /* inside, not cached */
    ld(c, VA(10), MO_8, 0);
    ld(c, VA(10) + 5 * PG, MO_8, 0);
    g_assert_cmpuint(stats(c)->tlb_fills - f0, ==, 2);
}

/* --- cross-vCPU flushes with two vCPUs in the real loop --- */

#define XV_FLAG VA(11)
static ToyCPU *xv[2];

static bool xv_halted(void *opaque)
{
    return xv[0]->parent.halted && xv[1]->parent.halted;
}

static bool xv_spinning(void *opaque)
{
    return __atomic_load_n(&xv[0]->env.regs[3], __ATOMIC_RELAXED) > 100 &&
           __atomic_load_n(&xv[1]->env.regs[3], __ATOMIC_RELAXED) > 100;
}

/* CALL hook for the synced test: vCPU 0 broadcasts the flush. */
static void synced_hook(CPUState *cpu, int32_t imm, uintptr_t ra)
{
    /* The next block boundary (the jump back) leaves for the queued
     * exclusive work. */
    tlb_flush_page_all_cpus_synced(cpu, XV_FLAG);
}

static void run_cross_flush(bool synced)
{
    hwaddr code = synced ? 0x27000 : 0x26000;
    hwaddr old_pg = synced ? 0x130000 : 0x132000;
    hwaddr new_pg = old_pg + PG;
    /* Spin until the flag page reads 2; vCPU 0 (synced) first calls the
     * hook once the others are spinning (r5 == 1 on vCPU 0). */
    uint64_t prog[] = {
        I(ADDI, 2, 0, 0, 2),
        I(LD, 1, 0, MO_64, XV_FLAG),       /* 8: loop */
        I(ADDI, 3, 3, 0, 1),
        I(BNE, 1, 2, 0, -16),
        HALT,
    };
    uint64_t prog0[] = {
        I(ADDI, 2, 0, 0, 2),
        I(LD, 1, 0, MO_64, XV_FLAG),       /* 8: loop */
        I(ADDI, 3, 3, 0, 1),
        I(BNE, 1, 2, 0, 16),               /* -> 40 */
        HALT,
        I(BNE, 5, 0, 0, 16),               /* 40: r5 set: -> 56 */
        I(JMP, 0, 0, 0, -40),              /* -> 8 */
        I(CALL, 0, 0, 0, 0),               /* 56 */
        I(ADDI, 5, 0, 0, 0),
        I(JMP, 0, 0, 0, -64),              /* -> 8 */
    };

    test_watchdog_arm(60);
    toy_put_code(code, prog, ARRAY_SIZE(prog));
    toy_put_code(code + 0x400, prog0, ARRAY_SIZE(prog0));
    *(uint64_t *)(toy_ram_ptr + old_pg) = 1;
    *(uint64_t *)(toy_ram_ptr + new_pg) = 2;
    toy_map(XV_FLAG, old_pg, PAGE_READ);
    toy_call_hook = synced_hook;

    bql_lock(bql_cause_init);
    for (int i = 0; i < 2; i++) {
        xv[i] = toy_cpu_new(nr_cpus);
        xv[i]->env.pc = code + ((synced && i == 0) ? 0x400 : 0);
        g_assert_true(cpu_start(&xv[i]->parent, &error_abort));
    }
    if (!runstate_is_running()) {
        vm_start();
    }
    g_assert_true(test_wait_until(xv_spinning, NULL, 10000));
    /* New mapping; without a flush both would spin forever on the old. */
    toy_map(XV_FLAG, new_pg, PAGE_READ);
    test_sleep_ms(20);
    g_assert_false(xv_halted(NULL));
    if (synced) {
        __atomic_store_n(&xv[0]->env.regs[5], 1, __ATOMIC_RELAXED);
    } else {
        bql_unlock();
        tlb_flush_page_all_cpus(NULL, XV_FLAG);
        bql_lock(bql_cause_init);
    }
    g_assert_true(test_wait_until(xv_halted, NULL, 10000));
    g_assert_cmpuint(xv[0]->env.regs[1], ==, 2);
    g_assert_cmpuint(xv[1]->env.regs[1], ==, 2);
    cpu_stop_all_and_join();
    bql_unlock();
    toy_call_hook = NULL;
}

static void test_cross_vcpu_flush(void)
{
    run_cross_flush(false);
}

static void test_cross_vcpu_flush_synced(void)
{
    run_cross_flush(true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    toy_init(16u << 20);
    toy_map_identity();
    bql_unlock();
    test_watchdog_arm(120);
    cpu0 = new_bare_cpu();

    g_test_add_func("/softmmu/fill-hit", test_fill_hit);
    g_test_add_func("/softmmu/generated-hit", test_generated_hit);
    g_test_add_func("/softmmu/victim", test_victim);
    g_test_add_func("/softmmu/mmio", test_mmio);
    g_test_add_func("/softmmu/notdirty", test_notdirty);
    g_test_add_func("/softmmu/page-crossing", test_page_crossing);
    g_test_add_func("/softmmu/crossing-store-fault",
                    test_crossing_store_fault);
    g_test_add_func("/softmmu/alignment-fault", test_alignment_fault);
    g_test_add_func("/softmmu/flush-local", test_flush_local);
    g_test_add_func("/softmmu/flush-large-page", test_flush_large_page);
    g_test_add_func("/softmmu/cross-vcpu-flush", test_cross_vcpu_flush);
    g_test_add_func("/softmmu/cross-vcpu-flush-synced",
                    test_cross_vcpu_flush_synced);
    return g_test_run();
}
