/*
 * test-tcg-runtime.c: the TCG runtime (accel/tcg/) with real translation
 * blocks from the toy target (tests/unit/support/toy-target.c): execution,
 * chaining and -d nochain, indirect jumps, exit requests, the TB cache
 * under concurrent lookup and insert, unchaining while another thread runs
 * the chained code, invalidation of a page range, self-modifying code,
 * tb_flush (as exclusive work while two vCPUs run, and on a full code
 * buffer), state restore after a fault in the middle of a block, and
 * -dfilter with -d exec.
 *
 * "Bare" CPUs are driven by the test's own threads through tcg_cpu_exec;
 * the flush test runs two vCPUs in the real vCPU loop.  The main thread
 * does not hold the BQL except where a test takes it.  Each test uses its
 * own 64 KiB of guest memory (TEST_BASE(n)).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/runstate.h"
#include "support/accel-test.h"
#include "support/toy-target.h"

#define TEST_BASE(n) ((hwaddr)(n) << 16)
#define I(op, rd, rs, aux, imm) toy_insn(TOY_OP_##op, rd, rs, aux, imm)
#define HALT I(HALT, 0, 0, 0, 0)

static ToyCPU *new_bare_cpu(void)
{
    ToyCPU *c;

    bql_lock(bql_cause_init);
    c = toy_cpu_new(nr_cpus);
    bql_unlock();
    toy_cpu_bare_init(c);
    return c;
}

static uint64_t reg(ToyCPU *c, int r)
{
    return __atomic_load_n(&c->env.regs[r], __ATOMIC_RELAXED);
}

static uint64_t lookups(ToyCPU *c)
{
    TcgCpuStats *s = tcg_cpu_stats(&c->parent);

    return s->tb_lookups_jc + s->tb_lookups_ht;
}

static void start_at(ToyCPU *c, uint64_t pc)
{
    memset(c->env.regs, 0, sizeof(c->env.regs));
    c->env.pc = pc;
}

/* ------------------------------------------------------------------ */

static void test_basic(void)
{
    ToyCPU *c = new_bare_cpu();
    uint64_t code[] = { I(ADDI, 1, 0, 0, 5), I(ADDI, 1, 1, 0, 3), HALT };

    toy_put_code(TEST_BASE(1), code, 3);
    start_at(c, TEST_BASE(1));
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpuint(c->env.regs[1], ==, 8);
    g_assert_cmphex(c->env.pc, ==, TEST_BASE(1) + 24);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->tb_translated, ==, 1);
    /* Again: found, not translated. */
    start_at(c, TEST_BASE(1));
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpuint(c->env.regs[1], ==, 8);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->tb_translated, ==, 1);
}

/* r1 counts to r2 in a one-TB loop. */
static void put_count_loop(hwaddr base, int32_t n)
{
    uint64_t code[] = {
        I(ADDI, 2, 0, 0, n),
        I(ADDI, 1, 0, 0, 0),
        I(ADDI, 1, 1, 0, 1),          /* 16: loop */
        I(BNE, 1, 2, 0, -8),
        HALT,
    };

    toy_put_code(base, code, ARRAY_SIZE(code));
}

static void test_chain(void)
{
    ToyCPU *c = new_bare_cpu();
    uint64_t l0, t0;

    put_count_loop(TEST_BASE(2), 200000);
    start_at(c, TEST_BASE(2));
    l0 = lookups(c);
    t0 = tcg_cpu_stats(&c->parent)->tb_translated;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpuint(c->env.regs[1], ==, 200000);
    /* The loop TB jumps to itself: patched once, then no more lookups. */
    g_assert_cmpuint(lookups(c) - l0, <, 10);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->tb_translated - t0, ==, 3);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->chained, >=, 1);
}

static void test_nochain(void)
{
    ToyCPU *c = new_bare_cpu();
    unsigned saved = log_mask;
    uint64_t l0;

    log_mask |= LOG_NOCHAIN;
    put_count_loop(TEST_BASE(3), 2000);
    start_at(c, TEST_BASE(3));
    l0 = lookups(c);
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    log_mask = saved;
    g_assert_cmpuint(c->env.regs[1], ==, 2000);
    /* Every iteration went back to the loop. */
    g_assert_cmpuint(lookups(c) - l0, >=, 1990);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->chained, ==, 0);
}

static void test_indirect(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(4);
    uint64_t code[] = {
        I(ADDI, 2, 0, 0, 1000),
        I(ADDI, 3, 0, 0, b + 24),
        I(ADDI, 1, 0, 0, 0),
        I(ADDI, 1, 1, 0, 1),          /* 24 */
        I(BNE, 1, 2, 0, 16),          /* 32: -> 48 */
        HALT,                          /* 40 */
        I(JR, 0, 3, 0, 0),            /* 48: -> 24 */
    };
    uint64_t l0;

    toy_put_code(b, code, ARRAY_SIZE(code));
    start_at(c, b);
    l0 = lookups(c);
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpuint(c->env.regs[1], ==, 1000);
    g_assert_cmphex(c->env.pc, ==, b + 48);
    /* lookup_and_goto_ptr found the target from generated code. */
    g_assert_cmpuint(lookups(c) - l0, >=, 999);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->tb_translated, <=, 5);
}

/* ------------------------------------------------------------------ */
/* A thread driving a bare CPU. */

typedef struct Runner {
    ToyCPU *cpu;
    uint64_t start_pc;
    int result;
    int max_calls;
    bool halt_only;             /* run until EXCP_HLT, else one exec */
    GThread *thread;
    TcgCpuStats stats;          /* copied when the thread ends */
} Runner;

static GMutex create_lock;

static gpointer runner_fn(gpointer opaque)
{
    Runner *r = opaque;

    rcu_register_thread();
    toy_cpu_bare_init(r->cpu);
    start_at(r->cpu, r->start_pc);
    if (r->halt_only) {
        r->result = toy_run_until_halt(r->cpu, r->max_calls);
    } else {
        r->result = toy_run(r->cpu);
    }
    r->stats = *tcg_cpu_stats(&r->cpu->parent);
    tcg_vcpu_destroy(&r->cpu->parent);
    tcg_context_destroy_thread();
    rcu_unregister_thread();
    return NULL;
}

static void runner_start(Runner *r, uint64_t pc, bool halt_only)
{
    g_mutex_lock(&create_lock);
    bql_lock(bql_cause_init);
    r->cpu = toy_cpu_new(nr_cpus);
    bql_unlock();
    g_mutex_unlock(&create_lock);
    r->start_pc = pc;
    r->halt_only = halt_only;
    if (!r->max_calls) {
        r->max_calls = 1000;
    }
    r->thread = g_thread_new("runner", runner_fn, r);
}

static void wait_reg_above(ToyCPU *c, int r, uint64_t v)
{
    for (int i = 0; i < 20000 && reg(c, r) <= v; i++) {
        g_usleep(500);
    }
    g_assert_cmpuint(reg(c, r), >, v);
}

static void test_exit_request(void)
{
    Runner r = { 0 };
    uint64_t code[] = { I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, -8) };

    toy_put_code(TEST_BASE(5), code, 2);
    runner_start(&r, TEST_BASE(5), false);
    wait_reg_above(r.cpu, 1, 10000);
    cpu_exit(&r.cpu->parent);
    g_thread_join(r.thread);
    g_assert_cmpint(r.result, ==, EXCP_INTERRUPT);
    g_assert_cmpuint(r.cpu->parent.exit_request, ==, 0);
}

/*
 * Leaving a chained loop of two TBs on exit_request: the TB whose entry
 * check fired did not run, and a chained goto_tb skipped the pc store in
 * the TB before it, so the runtime must set pc to that TB's start.  The
 * registers say which TB ran last: r1 == r2 at the first, r1 == r2 + 1
 * at the second.  (Resuming at a stale pc re-ran guest code.)
 */
static void test_exit_request_pc(void)
{
    hwaddr a = TEST_BASE(20), b = a + 16;
    uint64_t code[] = {
        I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, 8),       /* a: r1++, to b */
        I(ADDI, 2, 2, 0, 1), I(JMP, 0, 0, 0, -24),     /* b: r2++, to a */
    };

    toy_put_code(a, code, 4);
    for (int round = 0; round < 12; round++) {
        Runner r = { 0 };
        uint64_t r1, r2, pc;

        runner_start(&r, a, false);
        wait_reg_above(r.cpu, 2, 2000 + round * 100);
        cpu_exit(&r.cpu->parent);
        g_thread_join(r.thread);
        g_assert_cmpint(r.result, ==, EXCP_INTERRUPT);
        r1 = reg(r.cpu, 1);
        r2 = reg(r.cpu, 2);
        pc = r.cpu->env.pc;
        g_assert_true(pc == a || pc == b);
        g_assert_cmpuint(r1, ==, r2 + (pc == b));
    }
}

static void test_unchain_while_running(void)
{
    Runner r = { 0 };
    hwaddr b = TEST_BASE(6);
    uint64_t code[] = { I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, -8), HALT };
    uint64_t halt = HALT;
    uint64_t before;

    toy_put_code(b, code, 3);
    runner_start(&r, b, true);
    wait_reg_above(r.cpu, 1, 1000);
    /* The loop is one TB chained to itself.  Rewrite its jump, then
     * invalidate as an external writer must: unchaining makes the runner
     * leave the old TB at its next boundary and see the new code. */
    before = reg(r.cpu, 1);
    toy_put_code(b + 8, &halt, 1);
    tb_invalidate_phys_range(b + 8, b + 16);
    g_thread_join(r.thread);
    g_assert_cmpint(r.result, ==, EXCP_HLT);
    g_assert_cmphex(r.cpu->env.pc, ==, b + 16);
    g_assert_cmpuint(reg(r.cpu, 1), >=, before);
    g_assert_cmpuint(r.stats.tb_translated, ==, 2);
}

/* ------------------------------------------------------------------ */

#define CC_THREADS 4
#define CC_BLOCKS 300

static void test_concurrent_lookup_insert(void)
{
    Runner r[CC_THREADS] = { 0 };
    hwaddr b = TEST_BASE(7);
    unsigned long n0 = tb_count();
    uint64_t translated = 0, discarded = 0;

    /* 300 blocks, each its own TB: r1++; jmp to the next; then halt. */
    for (int i = 0; i < CC_BLOCKS; i++) {
        uint64_t blk[2] = { I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, 8) };

        toy_put_code(b + 16 * i, blk, 2);
    }
    {
        uint64_t h = HALT;

        toy_put_code(b + 16 * CC_BLOCKS, &h, 1);
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < CC_THREADS; i++) {
            r[i].max_calls = 100;
            runner_start(&r[i], b, true);
        }
        for (int i = 0; i < CC_THREADS; i++) {
            g_thread_join(r[i].thread);
            g_assert_cmpint(r[i].result, ==, EXCP_HLT);
            g_assert_cmpuint(r[i].cpu->env.regs[1], ==, CC_BLOCKS);
            translated += r[i].stats.tb_translated;
            discarded += r[i].stats.tb_discarded;
        }
        /*
         * One TB per key, whoever won each race.  More may have been
         * linked: when a page first becomes code, a vCPU that has a clean
         * writable TLB entry for it invalidates the page (it might have
         * written through it), and the TBs are translated again.
         */
        g_assert_cmpuint(tb_count() - n0, ==, CC_BLOCKS + 1);
        g_assert_cmpuint(translated - discarded, >=, CC_BLOCKS + 1);
    }
    g_test_message("%" PRIu64 " translations, %" PRIu64 " lost a race",
                   translated, discarded);
}

/*
 * The TB hash table starts at 4096 buckets and grows when twice as many
 * TBs are linked.  A runner runs a chain of 10000 one-insn blocks, each its
 * own TB, so the table grows (4096 -> 32768 buckets, in the runner's
 * thread, between two links); every block must run exactly once (r1
 * counts them) and afterwards be found in the table by a fresh CPU (no TB
 * lost by the growth).  One runner: with two, a vCPU that holds a clean
 * writable TLB entry for a page another one just made code invalidates the
 * page (tcg.md, "Window at code protection"), so TBs may legitimately go
 * missing.
 */
#define GROW_BLOCKS 10000
#define GROW_BASE TEST_BASE(32)

static void test_htable_grow(void)
{
    Runner r = { 0 };
    unsigned long n0 = tb_count(), size0 = tb_htable_size();

    for (int i = 0; i < GROW_BLOCKS; i++) {
        uint64_t blk[2] = { I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, 8) };

        toy_put_code(GROW_BASE + 16 * i, blk, 2);
    }
    {
        uint64_t h = HALT;

        toy_put_code(GROW_BASE + 16 * GROW_BLOCKS, &h, 1);
    }
    g_assert_cmpuint(n0 + GROW_BLOCKS, >, 2 * size0);
    r.max_calls = 4 * GROW_BLOCKS;
    runner_start(&r, GROW_BASE, true);
    g_thread_join(r.thread);
    g_assert_cmpint(r.result, ==, EXCP_HLT);
    g_assert_cmpuint(r.cpu->env.regs[1], ==, GROW_BLOCKS);
    /* Every block's TB is in the table (a fresh CPU: empty jump cache). */
    {
        ToyCPU *c = new_bare_cpu();
        int missing = 0;

        for (int i = 0; i <= GROW_BLOCKS; i++) {
            missing += !tb_lookup(&c->parent, GROW_BASE + 16 * i, 0, 0);
        }
        g_assert_cmpint(missing, ==, 0);
        tcg_vcpu_destroy(&c->parent);
    }
    g_assert_cmpuint(tb_htable_size(), >, size0);
    g_test_message("hash table: %lu -> %lu buckets, %lu -> %lu TBs", size0,
                   tb_htable_size(), n0, tb_count());
}

static void test_invalidate_range(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(8);
    uint64_t prog[] = { I(ADDI, 1, 1, 0, 1), HALT };
    uint64_t pcs[] = { b, b + 0x1000, b + 0x2000, b + 0x3ffc, b + 0x4004 };
    unsigned long n0;

    toy_put_code(b, prog, 2);                 /* page A */
    toy_put_code(b + 0x1000, prog, 2);        /* page B */
    toy_put_code(b + 0x2000, prog, 2);        /* page C */
    /* An insn straddling pages 3 and 4, then a halt on page 4. */
    toy_put_code(b + 0x3ffc, prog, 2);
    n0 = tb_count();
    for (int i = 0; i < 5; i++) {
        if (i == 4) {
            continue;               /* reached from the straddling TB */
        }
        start_at(c, pcs[i]);
        g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
        g_assert_cmpuint(c->env.regs[1], ==, 1);
    }
    g_assert_cmpuint(tb_count() - n0, ==, 5);
    for (int i = 0; i < 5; i++) {
        g_assert_nonnull(tb_lookup(&c->parent, pcs[i], 0, 0));
    }
    g_assert_true(tb_page_is_code(b + 0x3000));
    g_assert_true(tb_page_is_code(b + 0x4000));

    tb_invalidate_phys_range(b + 0x1000, b + 0x2000);
    g_assert_cmpuint(tb_count() - n0, ==, 4);
    g_assert_null(tb_lookup(&c->parent, pcs[1], 0, 0));
    g_assert_nonnull(tb_lookup(&c->parent, pcs[0], 0, 0));
    g_assert_nonnull(tb_lookup(&c->parent, pcs[2], 0, 0));
    g_assert_false(tb_page_is_code(b + 0x1000));
    g_assert_true(tb_page_is_code(b + 0x2000));

    /* A byte of page 4 outside every TB's code (data next to code)
     * removes nothing; a write over the straddling insn's tail and the
     * HALT after it removes both TBs with code there. */
    tb_invalidate_phys_range(b + 0x4010, b + 0x4011);
    g_assert_cmpuint(tb_count() - n0, ==, 4);
    g_assert_true(tb_page_is_code(b + 0x4000));
    tb_invalidate_phys_range(b + 0x4002, b + 0x4006);
    g_assert_cmpuint(tb_count() - n0, ==, 2);
    g_assert_null(tb_lookup(&c->parent, pcs[3], 0, 0));
    g_assert_null(tb_lookup(&c->parent, pcs[4], 0, 0));
    g_assert_false(tb_page_is_code(b + 0x3000));
    g_assert_nonnull(tb_lookup(&c->parent, pcs[0], 0, 0));
    g_assert_nonnull(tb_lookup(&c->parent, pcs[2], 0, 0));

    /* An empty range and a range without code change nothing. */
    tb_invalidate_phys_range(b, b);
    tb_invalidate_phys_range(b + 0x5000, b + 0x9000);
    g_assert_cmpuint(tb_count() - n0, ==, 2);
}

static void test_self_modifying(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(9);
    uint64_t code[] = {
        I(ADDI, 1, 1, 0, 1),          /* 0x00: patched to += 100 */
        I(BNE, 5, 0, 0, 0x20),        /* 0x08: -> 0x28 once r5 != 0 */
        I(ST, 4, 6, MO_64, 0),        /* 0x10: store over 0x00 */
        I(ADDI, 5, 0, 0, 1),
        I(JMP, 0, 0, 0, -0x20),       /* 0x20: -> 0x00 */
        HALT,                          /* 0x28 */
    };
    uint64_t nd0 = tcg_cpu_stats(&c->parent)->notdirty_writes;

    toy_put_code(b, code, ARRAY_SIZE(code));
    start_at(c, b);
    c->env.regs[4] = I(ADDI, 1, 1, 0, 100);
    c->env.regs[6] = b;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpuint(c->env.regs[1], ==, 101);
    g_assert_cmphex(c->env.pc, ==, b + 0x30);
    g_assert_cmpuint(tcg_cpu_stats(&c->parent)->notdirty_writes - nd0, ==, 1);
}

/* ------------------------------------------------------------------ */

static bool flush_done(void *opaque)
{
    return tb_flush_count() > *(unsigned *)opaque;
}

typedef struct Advance {
    ToyCPU *c[2];
    uint64_t base[2];
} Advance;

static bool both_advanced(void *opaque)
{
    Advance *a = opaque;

    return reg(a->c[0], 1) > a->base[0] + 1000 &&
           reg(a->c[1], 1) > a->base[1] + 1000;
}

static void test_flush_safe_work(void)
{
    hwaddr b = TEST_BASE(10);
    uint64_t code[] = { I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, -8) };
    Advance a = { 0 };
    unsigned count;

    test_watchdog_arm(60);
    toy_put_code(b, code, 2);
    toy_put_code(b + 0x100, code, 2);
    bql_lock(bql_cause_init);
    for (int i = 0; i < 2; i++) {
        a.c[i] = toy_cpu_new(nr_cpus);
        a.c[i]->env.pc = b + 0x100 * i;
        g_assert_true(cpu_start(&a.c[i]->parent, &error_abort));
    }
    if (!runstate_is_running()) {
        vm_start();
    }
    g_assert_true(test_wait_until(both_advanced, &a, 10000));
    count = tb_flush_count();
    tb_flush(&a.c[0]->parent);
    g_assert_true(test_wait_until(flush_done, &count, 10000));
    g_assert_cmpuint(tb_flush_count(), ==, count + 1);
    /* Both run on, from freshly translated TBs. */
    a.base[0] = reg(a.c[0], 1);
    a.base[1] = reg(a.c[1], 1);
    g_assert_true(test_wait_until(both_advanced, &a, 10000));
    g_assert_cmpuint(tb_count(), <=, 2);
    cpu_stop_all_and_join();
    bql_unlock();
}

static void test_flush_when_full(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(11);
    unsigned count = tb_flush_count(), used, total;
    uint64_t blk[512];
    int n = 0;

    for (int i = 0; i < 512; i++) {
        blk[i] = I(ADDI, 1, 1, 0, 1);
    }
    toy_put_code(b, blk, 512);
    /* Distinct keys (pc, flags) of one-insn TBs until the regions run
     * out: the CPU is bare, so the flush happens at once. */
    cpu_exec_start(&c->parent);
    while (tb_flush_count() == count && n < 1000000) {
        TranslationBlock *tb = tb_gen_code(&c->parent, b + 8 * (n % 512), 0,
                                           (n / 512) << 1, 1);

        g_assert_cmpuint(tb->icount, ==, 1);
        n++;
    }
    cpu_exec_end(&c->parent);
    g_assert_cmpuint(tb_flush_count(), ==, count + 1);
    tcg_region_stats(&used, &total);
    g_assert_cmpuint(used, <=, 2);
    g_test_message("%d TBs filled %u regions", n, total);
    /* And code still runs afterwards. */
    {
        uint64_t code[] = { I(ADDI, 1, 0, 0, 42), HALT };

        toy_put_code(b + 0x2000, code, 2);
        start_at(c, b + 0x2000);
        g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
        g_assert_cmpuint(c->env.regs[1], ==, 42);
    }
}

/* ------------------------------------------------------------------ */

#define UNMAPPED 0x900000ull          /* in the page table's range, unmapped */

static void fault_hook(CPUState *cpu, int32_t imm, uintptr_t ra)
{
    cpu_ld_mmu(cpu, UNMAPPED + imm, make_memop_idx(MO_64, 0), ra);
}

static void test_restore_state(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(12);
    uint64_t code[] = {
        I(ADDI, 1, 0, 0, 7),
        I(ADDI, 2, 0, 0, 9),
        I(LD, 3, 0, MO_64, UNMAPPED),  /* 0x10: faults */
        I(ADDI, 4, 0, 0, 1),
        HALT,
        I(ADDI, 1, 0, 0, 8),           /* 0x28 */
        I(CALL, 0, 0, 0, 0x18),        /* 0x30: helper faults */
        I(ADDI, 4, 0, 0, 1),
        HALT,
    };
    uint64_t vec = HALT;

    toy_put_code(b, code, ARRAY_SIZE(code));
    toy_put_code(b + 0x800, &vec, 1);

    /* A softmmu fault in the middle of a block. */
    start_at(c, b);
    c->env.fault_vector = b + 0x800;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    g_assert_cmpint(c->env.last_excp, ==, TOY_EXCP_FAULT);
    g_assert_cmphex(c->env.excp_pc, ==, b + 0x10);
    g_assert_cmphex(c->env.fault_addr, ==, UNMAPPED);
    g_assert_cmpint(c->env.fault_type, ==, MMU_DATA_LOAD);
    g_assert_cmpuint(c->env.regs[1], ==, 7);
    g_assert_cmpuint(c->env.regs[2], ==, 9);
    g_assert_cmpuint(c->env.regs[4], ==, 0);
    g_assert_cmphex(c->env.pc, ==, b + 0x808);

    /* A fault raised by a C helper, from its return address. */
    toy_call_hook = fault_hook;
    start_at(c, b + 0x28);
    c->env.fault_vector = b + 0x800;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    toy_call_hook = NULL;
    g_assert_cmphex(c->env.excp_pc, ==, b + 0x30);
    g_assert_cmphex(c->env.fault_addr, ==, UNMAPPED + 0x18);
    g_assert_cmpuint(c->env.regs[1], ==, 8);
    g_assert_cmpuint(c->env.regs[4], ==, 0);
}

static void test_fetch_fault_straddle(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(13);
    uint64_t code[] = { I(ADDI, 1, 0, 0, 5), I(ADDI, 2, 0, 0, 6) };
    uint64_t vec = HALT;

    /* The second insn straddles into a page that is not mapped: the TB
     * is cut before it, and its fetch fault has its own pc. */
    toy_put_code(b + 0xff4, code, 2);
    toy_put_code(b + 0x800, &vec, 1);
    toy_unmap(b + 0x1000);
    start_at(c, b + 0xff4);
    c->env.fault_vector = b + 0x800;
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    toy_map(b + 0x1000, b + 0x1000, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    g_assert_cmpint(c->env.last_excp, ==, TOY_EXCP_FAULT);
    g_assert_cmpint(c->env.fault_type, ==, MMU_INST_FETCH);
    g_assert_cmphex(c->env.excp_pc, ==, b + 0xffc);
    g_assert_cmphex(c->env.fault_addr & ~0xfffull, ==, b + 0x1000);
    g_assert_cmpuint(c->env.regs[1], ==, 5);
    g_assert_cmpuint(c->env.regs[2], ==, 0);
}

/* ------------------------------------------------------------------ */

static void test_dfilter_parse(void)
{
    const char *good[] = { "0x1000..0x2000", "0x3000+0x100", "0x2000-0x100",
                           "4096+1,0x10..0x20", "0..0xffffffffffffffff" };
    const char *bad[] = { "", "0x1000", "0x2000..0x1000", "0x1000+0", "abc..def",
                          "0x10-0x20", "1..", "+5", "0x1000..0x2000,",
                          "0xffffffffffffffff+2", "1..2..3", " 1+1" };

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        Error *err = NULL;

        g_assert_true(log_parse_dfilter(good[i], &err));
        g_assert_null(err);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        Error *err = NULL;

        g_assert_false(log_parse_dfilter(bad[i], &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(error_get_pretty(err), "-dfilter"));
        error_free(err);
    }
    g_assert_true(log_parse_dfilter("0x3000+0x100,0x2000-0x100", NULL));
    g_assert_true(log_in_dfilter(0x3000, 0x3000));
    g_assert_true(log_in_dfilter(0x30ff, 0x30ff));
    g_assert_false(log_in_dfilter(0x3100, 0x3200));
    g_assert_true(log_in_dfilter(0x2ff0, 0x3000));
    g_assert_true(log_in_dfilter(0x1f01, 0x1f01));
    g_assert_true(log_in_dfilter(0x2000, 0x2000));
    g_assert_false(log_in_dfilter(0x1f00, 0x1f00));
    g_assert_false(log_in_dfilter(0x2001, 0x2fff));
    g_assert_true(log_parse_dfilter("0..0xffffffffffffffff", NULL));
}

static void test_exec_log_dfilter(void)
{
    ToyCPU *c = new_bare_cpu();
    hwaddr b = TEST_BASE(14);
    uint64_t code[] = {
        I(ADDI, 1, 0, 0, 1), I(JMP, 0, 0, 0, 8),   /* TB at 0x00 */
        I(ADDI, 1, 1, 0, 1), I(JMP, 0, 0, 0, 8),   /* TB at 0x10 */
        HALT,                                       /* TB at 0x20 */
    };
    char *path = NULL, *text = NULL, *want = NULL;
    int fd = g_file_open_tmp("test-tcg-runtime-XXXXXX.log", &path, NULL);
    unsigned saved = log_mask;

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(log_set_file(path, NULL));
    want = g_strdup_printf("0x%" PRIx64 "+0x10", (uint64_t)b + 0x10);
    g_assert_true(log_parse_dfilter(want, NULL));
    g_free(want);
    log_mask = LOG_EXEC;
    toy_put_code(b, code, ARRAY_SIZE(code));
    start_at(c, b);
    g_assert_cmpint(toy_run_until_halt(c, 10), ==, EXCP_HLT);
    log_mask = saved;
    g_assert_true(log_parse_dfilter("0..0xffffffffffffffff", NULL));
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    want = g_strdup_printf("/%016" PRIx64 "/", (uint64_t)b + 0x10);
    g_assert_nonnull(strstr(text, want));
    g_free(want);
    want = g_strdup_printf("/%016" PRIx64 "/", (uint64_t)b);
    g_assert_null(strstr(text, want));
    g_free(want);
    want = g_strdup_printf("/%016" PRIx64 "/", (uint64_t)b + 0x20);
    g_assert_null(strstr(text, want));
    g_free(want);
    g_assert_cmpuint(c->env.regs[1], ==, 2);
    unlink(path);
    g_free(path);
    g_free(text);
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

    g_test_add_func("/tcg-runtime/basic", test_basic);
    g_test_add_func("/tcg-runtime/chain", test_chain);
    g_test_add_func("/tcg-runtime/nochain", test_nochain);
    g_test_add_func("/tcg-runtime/indirect", test_indirect);
    g_test_add_func("/tcg-runtime/exit-request", test_exit_request);
    g_test_add_func("/tcg-runtime/exit-request-pc", test_exit_request_pc);
    g_test_add_func("/tcg-runtime/unchain-while-running",
                    test_unchain_while_running);
    g_test_add_func("/tcg-runtime/concurrent-lookup-insert",
                    test_concurrent_lookup_insert);
    g_test_add_func("/tcg-runtime/htable-grow", test_htable_grow);
    g_test_add_func("/tcg-runtime/invalidate-range", test_invalidate_range);
    g_test_add_func("/tcg-runtime/self-modifying", test_self_modifying);
    g_test_add_func("/tcg-runtime/restore-state", test_restore_state);
    g_test_add_func("/tcg-runtime/fetch-fault-straddle",
                    test_fetch_fault_straddle);
    g_test_add_func("/tcg-runtime/dfilter-parse", test_dfilter_parse);
    g_test_add_func("/tcg-runtime/exec-log-dfilter", test_exec_log_dfilter);
    g_test_add_func("/tcg-runtime/flush-when-full", test_flush_when_full);
    g_test_add_func("/tcg-runtime/flush-safe-work", test_flush_safe_work);
    return g_test_run();
}
