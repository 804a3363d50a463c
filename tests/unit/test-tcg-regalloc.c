/*
 * test-tcg-regalloc.c: the register allocator and helper calls, executed.
 *
 * - register pressure: more simultaneously live values than host
 *   registers (40 and 100 temps), summed in different orders, with and
 *   without a helper call and a loop in between (spills, reloads,
 *   multi-block temps);
 * - globals: kept in registers across ops (one store per global at the
 *   exit), synced to env before a helper that reads globals but not
 *   before a TCG_CALL_NO_READ_GLOBALS helper, reloaded after a helper that
 *   writes globals, and a global overwritten before any sync point is
 *   stored once (dead-global sync elision);
 * - helper calls: six arguments of mixed types and kinds (globals, temps,
 *   constants, the same temp twice, arguments in swapped order), i32/i64
 *   and void returns, caller-saved registers trashed by the helper, and
 *   removal of an unused TCG_CALL_NO_SIDE_EFFECTS call.
 */
#include "util/osdep.h"
#include "tests/unit/support/tcg-harness.h"

static TcgTestEnv env_s;
static TcgTestEnv *env = &env_s;

static uint64_t mix(uint64_t x, int i)
{
    return x * (2 * i + 3) + (uint64_t)i * 0x9e3779b97f4a7c15ull;
}

/* ---- helpers called from generated code ---- */

static uint64_t seen_r64_0;
static unsigned helper_calls;

static void helper_observe(void *e)
{
    seen_r64_0 = ((TcgTestEnv *)e)->r64[0];
    helper_calls++;
}

static void helper_write_r64_1(void *e)
{
    ((TcgTestEnv *)e)->r64[1] = 77;
    helper_calls++;
}

/* Overwrites every caller-saved register the ABI lets it. */
static uint64_t helper_trash(uint64_t x)
{
    helper_calls++;
    __asm__ volatile("mov $0x1111, %%rcx\n\tmov $0x2222, %%rdx\n\t"
                     "mov $0x3333, %%rsi\n\tmov $0x4444, %%rdi\n\t"
                     "mov $0x5555, %%r8\n\tmov $0x6666, %%r9\n\t"
                     "mov $0x7777, %%r10\n\tmov $0x8888, %%r11\n\t"
                     ::: "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
                     "r11");
    return x ^ 0xabcdef;
}

static uint64_t helper_six(uint64_t a, uint32_t b, uint64_t c, uint32_t d,
                           uint64_t e, uint64_t f)
{
    helper_calls++;
    return a * 3 + (uint64_t)b * 5 + c * 7 + (uint64_t)d * 11 + e * 13 +
           f * 17;
}

static uint32_t helper_sub32(uint32_t a, uint32_t b)
{
    helper_calls++;
    return a - b;
}

static uint64_t helper_pure(uint64_t a)
{
    helper_calls++;
    return a + 1;
}

static const TCGHelperInfo observe_rg = {
    .func = (void *)helper_observe, .name = "observe",
    .flags = TCG_CALL_NO_WRITE_GLOBALS, .ret = TCG_CALL_VOID, .nb_args = 1,
};
static const TCGHelperInfo observe_norg = {
    .func = (void *)helper_observe, .name = "observe_norg",
    .flags = TCG_CALL_NO_RWG, .ret = TCG_CALL_VOID, .nb_args = 1,
};
static const TCGHelperInfo write_g = {
    .func = (void *)helper_write_r64_1, .name = "write_r64_1",
    .flags = 0, .ret = TCG_CALL_VOID, .nb_args = 1,
};
static const TCGHelperInfo trash_info = {
    .func = (void *)helper_trash, .name = "trash",
    .flags = TCG_CALL_NO_RWG, .ret = TCG_CALL_I64, .nb_args = 1,
};
static const TCGHelperInfo six_info = {
    .func = (void *)helper_six, .name = "six",
    .flags = TCG_CALL_NO_RWG, .ret = TCG_CALL_I64, .nb_args = 6,
};
static const TCGHelperInfo sub32_info = {
    .func = (void *)helper_sub32, .name = "sub32",
    .flags = TCG_CALL_NO_RWG, .ret = TCG_CALL_I32, .nb_args = 2,
};
static const TCGHelperInfo pure_info = {
    .func = (void *)helper_pure, .name = "pure",
    .flags = TCG_CALL_NO_RWG_SE, .ret = TCG_CALL_I64, .nb_args = 1,
};

/* ---- register pressure ---- */

/*
 * n live temps t[i] = mix(r64[i % 48], i); out64[0] = sum forwards with
 * rotations, out64[1] = xor backwards, out64[2] = t[0] * t[n-1] ...
 * 'between' adds a helper call (1) or a loop (2) while all are live.
 */
static void pressure_case(int n, int between, unsigned features)
{
    TCGv_i64 *t = g_new(TCGv_i64, n);
    TCGv_i64 acc, acc2;
    uint64_t *ref = g_new(uint64_t, n), want0 = 0, want1 = 0;
    unsigned saved = tcg_host_features;
    void *code;

    tcg_host_features = features;
    tcg_func_start(tcg_ctx);
    acc = tcg_temp_new_i64();
    acc2 = tcg_temp_new_i64();
    for (int i = 0; i < n; i++) {
        t[i] = tcg_temp_new_i64();
        tcg_gen_muli_i64(t[i], tt_r64[i % TT_NB_R64], 2 * i + 3);
        tcg_gen_addi_i64(t[i], t[i], (int64_t)(i * 0x9e3779b97f4a7c15ull));
    }
    if (between == 1) {
        TCGArg a[1] = { tcgv_i64_arg(t[n / 2]) };
        tcg_gen_callN(&trash_info, tcgv_i64_arg(tt_out64[3]), 1, a);
    } else if (between == 2) {
        /* for (k = 0; k != 5; k++) acc2 += t[k]; with everything live */
        TCGLabel *loop = gen_new_label();
        TCGv_i64 k = tcg_temp_new_i64(), tk = tcg_temp_new_i64();

        tcg_gen_movi_i64(k, 0);
        tcg_gen_movi_i64(acc2, 0);
        gen_set_label(loop);
        tcg_gen_shli_i64(tk, k, 3);
        tcg_gen_add_i64(tk, tk, tcgv_ptr_as_i64(tcg_env));
        tcg_gen_ld_i64(tk, (TCGv_ptr)(void *)tk, offsetof(TcgTestEnv, r64));
        tcg_gen_add_i64(acc2, acc2, tk);
        tcg_gen_addi_i64(k, k, 1);
        tcg_gen_brcondi_i64(TCG_COND_NE, k, 5, loop);
        tcg_gen_mov_i64(tt_out64[3], acc2);
    }
    tcg_gen_movi_i64(acc, 0);
    for (int i = 0; i < n; i++) {
        tcg_gen_rotli_i64(acc, acc, 7);
        tcg_gen_add_i64(acc, acc, t[i]);
    }
    tcg_gen_mov_i64(tt_out64[0], acc);
    tcg_gen_movi_i64(acc, 0);
    for (int i = n - 1; i >= 0; i--) {
        tcg_gen_xor_i64(acc, acc, t[i]);
        tcg_gen_muli_i64(acc, acc, 3);
    }
    tcg_gen_mov_i64(tt_out64[1], acc);
    tcg_gen_mul_i64(tt_out64[2], t[0], t[n - 1]);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();

    for (int rep = 0; rep < 3; rep++) {
        for (int i = 0; i < TT_NB_R64; i++) {
            env->r64[i] = 0x0123456789abcdefull * (i + 1) + rep;
        }
        tt_run(env, code);
        want0 = want1 = 0;
        for (int i = 0; i < n; i++) {
            ref[i] = mix(env->r64[i % TT_NB_R64], i);
            want0 = ((want0 << 7) | (want0 >> 57)) + ref[i];
        }
        for (int i = n - 1; i >= 0; i--) {
            want1 = (want1 ^ ref[i]) * 3;
        }
        g_assert_cmphex(env->out64[0], ==, want0);
        g_assert_cmphex(env->out64[1], ==, want1);
        g_assert_cmphex(env->out64[2], ==, ref[0] * ref[n - 1]);
        if (between == 1) {
            g_assert_cmphex(env->out64[3], ==, ref[n / 2] ^ 0xabcdef);
        } else if (between == 2) {
            uint64_t s = 0;
            for (int i = 0; i < 5; i++) {
                s += env->r64[i];
            }
            g_assert_cmphex(env->out64[3], ==, s);
        }
    }
    tcg_host_features = saved;
    g_free(t);
    g_free(ref);
}

static void test_pressure(void)
{
    pressure_case(40, 0, tcg_host_features);
    pressure_case(40, 0, 0);
    pressure_case(100, 0, tcg_host_features);
}

static void test_pressure_call(void)
{
    helper_calls = 0;
    pressure_case(40, 1, tcg_host_features);
    g_assert_cmpuint(helper_calls, ==, 3);
}

static void test_pressure_loop(void)
{
    pressure_case(40, 2, tcg_host_features);
    pressure_case(60, 2, 0);
}

/* 32-bit pressure with shifts (rcx constraint without BMI2) and divides. */
static void test_pressure_fixed_regs(void)
{
    for (int f = 0; f < 2; f++) {
        unsigned saved = tcg_host_features;
        TCGv_i32 t[30];
        uint32_t ref[30], want = 0;
        void *code;

        tcg_host_features = f ? 0 : saved;
        tcg_func_start(tcg_ctx);
        for (int i = 0; i < 30; i++) {
            t[i] = tcg_temp_new_i32();
            tcg_gen_addi_i32(t[i], tt_r32[i % TT_NB_R32], i * 7 + 1);
        }
        for (int i = 0; i < 30; i++) {
            TCGv_i32 x = tcg_temp_new_i32();
            tcg_gen_shl_i32(x, t[i], t[(i + 1) % 30]);
            tcg_gen_divu_i32(x, x, t[(i + 2) % 30]);
            tcg_gen_add_i32(tt_out32[0], tt_out32[0], x);
        }
        for (int i = 0; i < 30; i++) {
            tcg_gen_xor_i32(tt_out32[1], tt_out32[1], t[i]);
        }
        tcg_gen_exit_tb(NULL, 0);
        code = tt_gen();

        for (int i = 0; i < TT_NB_R32; i++) {
            env->r32[i] = 0x9abc1234u * (i + 5);
        }
        env->out32[0] = 1;
        env->out32[1] = 2;
        tt_run(env, code);
        for (int i = 0; i < 30; i++) {
            ref[i] = env->r32[i % TT_NB_R32] + i * 7 + 1;
        }
        want = 1;
        for (int i = 0; i < 30; i++) {
            uint32_t x = ref[i] << (ref[(i + 1) % 30] & 31);
            uint32_t d = ref[(i + 2) % 30];
            want += d ? x / d : 0;
        }
        g_assert_cmphex(env->out32[0], ==, want);
        want = 2;
        for (int i = 0; i < 30; i++) {
            want ^= ref[i];
        }
        g_assert_cmphex(env->out32[1], ==, want);
        tcg_host_features = saved;
    }
}

/* ---- globals ---- */

static void test_globals_in_registers(void)
{
    int size, stores;
    void *code;

    /* 20 updates of x0 and x1: one store each, at the exit. */
    tcg_func_start(tcg_ctx);
    for (int i = 0; i < 20; i++) {
        tcg_gen_addi_i64(tt_r64[0], tt_r64[0], i + 1);
        tcg_gen_xor_i64(tt_r64[1], tt_r64[1], tt_r64[0]);
    }
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen_sized(&size);
    stores = tt_count_env_stores(code, size, offsetof(TcgTestEnv, r64[0]));
    g_assert_cmpint(stores, ==, 1);
    stores = tt_count_env_stores(code, size, offsetof(TcgTestEnv, r64[1]));
    g_assert_cmpint(stores, ==, 1);

    env->r64[0] = 5;
    env->r64[1] = 9;
    tt_run(env, code);
    {
        uint64_t a = 5, b = 9;
        for (int i = 0; i < 20; i++) {
            a += i + 1;
            b ^= a;
        }
        g_assert_cmpuint(env->r64[0], ==, a);
        g_assert_cmpuint(env->r64[1], ==, b);
    }
}

static void test_globals_dead_sync_elision(void)
{
    int size;
    void *code;

    /* x2 = x3 + 1; x4 = x2 * 2; x2 = 7: the first x2 needs no store. */
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[2], tt_r64[3], 1);
    tcg_gen_muli_i64(tt_r64[4], tt_r64[2], 2);
    tcg_gen_movi_i64(tt_r64[2], 7);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen_sized(&size);
    g_assert_cmpint(tt_count_env_stores(code, size,
                                        offsetof(TcgTestEnv, r64[2])), ==, 1);
    env->r64[3] = 20;
    tt_run(env, code);
    g_assert_cmpuint(env->r64[2], ==, 7);
    g_assert_cmpuint(env->r64[4], ==, 42);
}

static void test_globals_sync_before_call(void)
{
    TCGArg a[1] = { tcgv_ptr_arg(tcg_env) };
    void *code;

    /* A helper that reads globals sees the new x0 ... */
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 100);
    tcg_gen_callN(&observe_rg, TCG_CALL_NO_RET, 1, a);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 1);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();
    env->r64[0] = 1;
    seen_r64_0 = 0;
    tt_run(env, code);
    g_assert_cmpuint(seen_r64_0, ==, 101);
    g_assert_cmpuint(env->r64[0], ==, 102);

    /* ... one declared TCG_CALL_NO_READ_GLOBALS sees the stale env. */
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 100);
    tcg_gen_callN(&observe_norg, TCG_CALL_NO_RET, 1, a);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 1);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();
    env->r64[0] = 1;
    seen_r64_0 = 0;
    tt_run(env, code);
    g_assert_cmpuint(seen_r64_0, ==, 1);
    g_assert_cmpuint(env->r64[0], ==, 102);
}

static void test_globals_reload_after_writing_call(void)
{
    TCGArg a[1] = { tcgv_ptr_arg(tcg_env) };
    void *code;

    /* x1 is cached in a register, the helper writes env.r64[1] = 77. */
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[1], tt_r64[1], 1);
    tcg_gen_mov_i64(tt_r64[5], tt_r64[1]);
    tcg_gen_callN(&write_g, TCG_CALL_NO_RET, 1, a);
    tcg_gen_addi_i64(tt_r64[6], tt_r64[1], 1);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();
    env->r64[1] = 10;
    tt_run(env, code);
    g_assert_cmpuint(env->r64[5], ==, 11);
    g_assert_cmpuint(env->r64[1], ==, 77);
    g_assert_cmpuint(env->r64[6], ==, 78);
}

/* ---- helper calls ---- */

static void test_call_args(void)
{
    GRand *r = g_rand_new_with_seed(42);

    for (int form = 0; form < 4; form++) {
        TCGv_i64 t0, t1;
        TCGv_i32 w;
        void *code;

        tcg_func_start(tcg_ctx);
        t0 = tcg_temp_new_i64();
        t1 = tcg_temp_new_i64();
        w = tcg_temp_new_i32();
        tcg_gen_addi_i64(t0, tt_r64[0], 1);
        tcg_gen_addi_i64(t1, tt_r64[1], 2);
        tcg_gen_addi_i32(w, tt_r32[0], 3);
        {
            TCGArg args[4][6] = {
                { tcgv_i64_arg(t0), tcgv_i32_arg(w), tcgv_i64_arg(t1),
                  tcgv_i32_arg(tt_r32[1]), tcgv_i64_arg(tt_r64[2]),
                  tcgv_i64_arg(tcg_constant_i64(0x123456789ll)) },
                /* swapped registers: t1 first, t0 later */
                { tcgv_i64_arg(t1), tcgv_i32_arg(tcg_constant_i32(-5)),
                  tcgv_i64_arg(t0), tcgv_i32_arg(w), tcgv_i64_arg(t1),
                  tcgv_i64_arg(t0) },
                /* the same temp everywhere */
                { tcgv_i64_arg(t0), tcgv_i32_arg(w), tcgv_i64_arg(t0),
                  tcgv_i32_arg(w), tcgv_i64_arg(t0), tcgv_i64_arg(t0) },
                { tcgv_i64_arg(tt_r64[2]), tcgv_i32_arg(tt_r32[1]),
                  tcgv_i64_arg(tt_r64[1]), tcgv_i32_arg(tt_r32[0]),
                  tcgv_i64_arg(tt_r64[0]), tcgv_i64_arg(t1) },
            };
            tcg_gen_callN(&six_info, tcgv_i64_arg(tt_out64[0]), 6,
                          args[form]);
            /* a second call with the previous values all still live */
            tcg_gen_callN(&six_info, tcgv_i64_arg(tt_out64[1]), 6,
                          args[3 - form]);
        }
        {
            TCGArg a2[2] = { tcgv_i32_arg(w), tcgv_i32_arg(tt_r32[1]) };
            tcg_gen_callN(&sub32_info, tcgv_i32_arg(tt_out32[0]), 2, a2);
        }
        tcg_gen_exit_tb(NULL, 0);
        code = tt_gen();

        for (int rep = 0; rep < 20; rep++) {
            uint64_t x0, x1, x2, v0, v1;
            uint32_t w0, w1, vw;

            env->r64[0] = x0 = tt_rand_val(r, 64);
            env->r64[1] = x1 = tt_rand_val(r, 64);
            env->r64[2] = x2 = tt_rand_val(r, 64);
            env->r32[0] = w0 = tt_rand_val(r, 32);
            env->r32[1] = w1 = tt_rand_val(r, 32);
            tt_run(env, code);
            v0 = x0 + 1;
            v1 = x1 + 2;
            vw = w0 + 3;
            {
                uint64_t want[4] = {
                    helper_six(v0, vw, v1, w1, x2, 0x123456789ull),
                    helper_six(v1, -5, v0, vw, v1, v0),
                    helper_six(v0, vw, v0, vw, v0, v0),
                    helper_six(x2, w1, x1, w0, x0, v1),
                };
                g_assert_cmphex(env->out64[0], ==, want[form]);
                g_assert_cmphex(env->out64[1], ==, want[3 - form]);
                g_assert_cmphex(env->out32[0], ==, (uint32_t)(vw - w1));
            }
        }
    }
    g_rand_free(r);
}

static void test_call_no_side_effects_removed(void)
{
    TCGArg a[1] = { tcgv_i64_arg(tt_r64[0]) };
    TCGv_i64 unused;
    void *code;

    tcg_func_start(tcg_ctx);
    unused = tcg_temp_new_i64();
    tcg_gen_callN(&pure_info, tcgv_i64_arg(unused), 1, a);
    tcg_gen_callN(&pure_info, tcgv_i64_arg(tt_r64[7]), 1, a);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();
    helper_calls = 0;
    env->r64[0] = 41;
    tt_run(env, code);
    g_assert_cmpuint(helper_calls, ==, 1);
    g_assert_cmpuint(env->r64[7], ==, 42);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tt_init();
    g_test_add_func("/tcg/regalloc/pressure", test_pressure);
    g_test_add_func("/tcg/regalloc/pressure-across-call", test_pressure_call);
    g_test_add_func("/tcg/regalloc/pressure-across-loop", test_pressure_loop);
    g_test_add_func("/tcg/regalloc/pressure-fixed-regs",
                    test_pressure_fixed_regs);
    g_test_add_func("/tcg/regalloc/globals-in-registers",
                    test_globals_in_registers);
    g_test_add_func("/tcg/regalloc/dead-global-sync-elision",
                    test_globals_dead_sync_elision);
    g_test_add_func("/tcg/regalloc/sync-before-call",
                    test_globals_sync_before_call);
    g_test_add_func("/tcg/regalloc/reload-after-writing-call",
                    test_globals_reload_after_writing_call);
    g_test_add_func("/tcg/regalloc/call-args", test_call_args);
    g_test_add_func("/tcg/regalloc/call-no-side-effects",
                    test_call_no_side_effects_removed);
    return g_test_run();
}
