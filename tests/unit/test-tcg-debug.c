/*
 * test-tcg-debug.c: how TCG carries out breakpoints, watchpoints and
 * single-step (accel/tcg/debug.c, include/exec/breakpoint.h), with real
 * TBs of the toy target: a breakpoint drops only the TBs of its page and
 * stops exactly at its insn (not executed); removal lets the code run on;
 * an architectural (BP_CPU) breakpoint asks the target hook; a write
 * watchpoint stops after the store with the next pc and records the data
 * address, a read does not trigger it; single-step runs exactly one insn
 * per call, also across a taken branch.
 *
 * One bare toy CPU driven by the test thread.  Its CPUClass and AccelOps
 * are the toy ones plus the debug hooks (identity page translation,
 * tcg_debug_changed), as a real target and the tcg accelerator give them.
 */
#include "util/osdep.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "support/accel-test.h"
#include "support/toy-target.h"
#include "accel/tcg/internal.h"
#include "exec/breakpoint.h"

#define TEST_BASE(n) ((hwaddr)(n) << 16)
#define I(op, rd, rs, aux, imm) toy_insn(TOY_OP_##op, rd, rs, aux, imm)
#define HALT I(HALT, 0, 0, 0, 0)

static ToyCPU *cpu;
static CPUClass debug_cc;
static AccelOps debug_ops;
static TargetTcgOps debug_tcg_ops;
static int check_bp_calls;
static bool check_bp_answer;

/* The toy's page table is the identity (toy_map_identity). */
static uint64_t toy_phys_page_debug(CPUState *cs, uint64_t addr)
{
    return addr < TOY_RAM_SIZE ? (addr & ~(uint64_t)(TOY_PAGE_SIZE - 1))
                               : (uint64_t)-1;
}

static bool toy_check_bp(CPUState *cs)
{
    check_bp_calls++;
    return check_bp_answer;
}

static void start_at(uint64_t pc)
{
    memset(cpu->env.regs, 0, sizeof(cpu->env.regs));
    cpu->env.pc = pc;
}

static void test_breakpoint(void)
{
    hwaddr a = TEST_BASE(1), b = TEST_BASE(1) + 0x1000;
    uint64_t prog[] = { I(ADDI, 1, 1, 0, 1), I(ADDI, 1, 1, 0, 1),
                        I(ADDI, 1, 1, 0, 1), HALT };
    unsigned long n0;

    toy_put_code(a, prog, 4);
    toy_put_code(b, prog, 4);
    n0 = tb_count();
    start_at(a);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
    start_at(b);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
    g_assert_cmpuint(tb_count() - n0, ==, 2);

    /* Only page a's TB goes. */
    g_assert_cmpint(cpu_breakpoint_insert(&cpu->parent, a + 8, BP_GDB),
                    ==, 0);
    g_assert_cmpuint(tb_count() - n0, ==, 1);
    g_assert_null(tb_lookup(&cpu->parent, a, 0, 0));
    g_assert_nonnull(tb_lookup(&cpu->parent, b, 0, 0));

    /* Stops before the second insn, with the first one done. */
    start_at(a);
    g_assert_cmpint(toy_run(cpu), ==, EXCP_DEBUG);
    g_assert_cmphex(cpu->env.pc, ==, a + 8);
    g_assert_cmpuint(cpu->env.regs[1], ==, 1);
    /* Again from there: it fires again (nothing stepped over it). */
    g_assert_cmpint(toy_run(cpu), ==, EXCP_DEBUG);
    g_assert_cmphex(cpu->env.pc, ==, a + 8);

    g_assert_cmpint(cpu_breakpoint_remove(&cpu->parent, a + 8, BP_GDB),
                    ==, 0);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
    g_assert_cmpuint(cpu->env.regs[1], ==, 3);
    g_assert_nonnull(tb_lookup(&cpu->parent, b, 0, 0));
}

static void test_cpu_breakpoint(void)
{
    hwaddr a = TEST_BASE(2);
    uint64_t prog[] = { I(ADDI, 1, 1, 0, 1), I(ADDI, 1, 1, 0, 1), HALT };

    toy_put_code(a, prog, 3);
    g_assert_cmpint(cpu_breakpoint_insert(&cpu->parent, a + 8, BP_CPU),
                    ==, 0);
    /* The target says no (x86: EFLAGS.RF): the insn runs. */
    check_bp_calls = 0;
    check_bp_answer = false;
    start_at(a);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
    g_assert_cmpuint(cpu->env.regs[1], ==, 2);
    g_assert_cmpint(check_bp_calls, ==, 1);
    /* It says yes: EXCP_DEBUG (no debug_excp_handler: to the loop). */
    check_bp_answer = true;
    start_at(a);
    g_assert_cmpint(toy_run(cpu), ==, EXCP_DEBUG);
    g_assert_cmphex(cpu->env.pc, ==, a + 8);
    g_assert_cmpint(cpu_breakpoint_remove(&cpu->parent, a + 8, BP_CPU),
                    ==, 0);
}

static void test_watchpoint(void)
{
    hwaddr a = TEST_BASE(3), data = TEST_BASE(3) + 0x2000;
    uint64_t prog[] = {
        I(ADDI, 2, 0, 0, (int32_t)data),
        I(ADDI, 1, 0, 0, 0x55),
        I(LD, 3, 2, MO_64, 0),          /* a read: ignored */
        I(ST, 1, 2, MO_64, 0),          /* 24: the write */
        I(ADDI, 4, 0, 0, 7),            /* 32 */
        HALT,
    };
    CPUWatchpointHit hit;

    toy_put_code(a, prog, ARRAY_SIZE(prog));
    memset(toy_ram_ptr + data, 0, 8);
    g_assert_cmpint(cpu_watchpoint_insert(&cpu->parent, data + 4, 2,
                                          BP_GDB | BP_MEM_WRITE), ==, 0);
    start_at(a);
    g_assert_cmpint(toy_run(cpu), ==, EXCP_DEBUG);
    /* After the store: pc is the next insn, memory is written. */
    g_assert_cmphex(cpu->env.pc, ==, a + 32);
    g_assert_cmphex(*(uint64_t *)(toy_ram_ptr + data), ==, 0x55);
    g_assert_cmpuint(cpu->env.regs[4], ==, 0);
    g_assert_true(cpu_watchpoint_hit(&cpu->parent, &hit));
    g_assert_cmphex(hit.addr, ==, data);
    g_assert_cmpint(hit.access, ==, BP_MEM_WRITE);
    g_assert_cmphex(hit.wp.addr, ==, data + 4);
    cpu_watchpoint_clear_hit(&cpu->parent);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
    g_assert_cmpuint(cpu->env.regs[4], ==, 7);

    /* Removed: the page is fast again and nothing fires. */
    g_assert_cmpint(cpu_watchpoint_remove(&cpu->parent, data + 4, 2,
                                          BP_GDB | BP_MEM_WRITE), ==, 0);
    start_at(a);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
    g_assert_false(cpu_watchpoint_hit(&cpu->parent, NULL));
}

static void test_single_step(void)
{
    hwaddr a = TEST_BASE(4);
    uint64_t prog[] = {
        I(ADDI, 2, 0, 0, 2),
        I(ADDI, 1, 1, 0, 1),            /* 8: loop */
        I(BNE, 1, 2, 0, -8),
        HALT,
    };
    uint64_t want_pc[] = { a + 8, a + 16, a + 8, a + 16, a + 24 };

    toy_put_code(a, prog, ARRAY_SIZE(prog));
    start_at(a);
    cpu_single_step(&cpu->parent, SSTEP_ENABLE | SSTEP_NOIRQ);
    for (unsigned i = 0; i < ARRAY_SIZE(want_pc); i++) {
        g_assert_cmpint(toy_run(cpu), ==, EXCP_DEBUG);
        g_assert_cmphex(cpu->env.pc, ==, want_pc[i]);
    }
    g_assert_cmpuint(cpu->env.regs[1], ==, 2);
    cpu_single_step(&cpu->parent, 0);
    g_assert_cmpint(toy_run_until_halt(cpu, 10), ==, EXCP_HLT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    toy_init(16u << 20);
    toy_map_identity();
    cpu = toy_cpu_new(nr_cpus);
    debug_cc = *cpu->parent.cc;
    debug_cc.get_phys_page_debug = toy_phys_page_debug;
    cpu->parent.cc = &debug_cc;
    debug_ops = *cpu->parent.accel;
    debug_ops.debug_changed = tcg_debug_changed;
    cpu->parent.accel = &debug_ops;
    debug_tcg_ops = *tcg_ops;
    debug_tcg_ops.debug_check_breakpoint = toy_check_bp;
    tcg_ops = &debug_tcg_ops;
    bql_unlock();
    toy_cpu_bare_init(cpu);
    test_watchdog_arm(60);

    g_test_add_func("/tcg-debug/breakpoint", test_breakpoint);
    g_test_add_func("/tcg-debug/cpu-breakpoint", test_cpu_breakpoint);
    g_test_add_func("/tcg-debug/watchpoint", test_watchpoint);
    g_test_add_func("/tcg-debug/single-step", test_single_step);
    return g_test_run();
}
