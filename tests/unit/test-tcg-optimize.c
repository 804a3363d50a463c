/*
 * test-tcg-optimize.c: the optimizer and liveness passes, on the op list.
 *
 * Each case builds IR with tcg_gen_*, runs tcg_optimize (and tcg_liveness
 * where it matters), then checks the text dump of the op list: what was
 * folded, propagated, simplified or removed.  Every case is also compiled
 * and executed, and the result compared with the value the unoptimized
 * program must compute, so a wrong "simplification" fails too.
 */
#include "util/osdep.h"
#include "tests/unit/support/tcg-harness.h"

static TcgTestEnv env_s;
static TcgTestEnv *env = &env_s;

/* The op list as text, after optimize (+ liveness if asked). */
static char *optimized_dump(bool liveness)
{
    GString *out = g_string_new("");

    tcg_optimize(tcg_ctx);
    if (liveness) {
        tcg_liveness(tcg_ctx);
    }
    tcg_dump_ops(tcg_ctx, out, false);
    return g_string_free(out, FALSE);
}

static int count_lines_with(const char *dump, const char *needle)
{
    int n = 0;

    for (const char *p = dump; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

static void assert_has(const char *dump, const char *needle)
{
    if (!strstr(dump, needle)) {
        g_test_message("missing \"%s\" in:\n%s", needle, dump);
        g_test_fail();
    }
}

static void assert_lacks(const char *dump, const char *needle)
{
    if (strstr(dump, needle)) {
        g_test_message("unexpected \"%s\" in:\n%s", needle, dump);
        g_test_fail();
    }
}

/* Runs the ops currently in tcg_ctx (the passes run again: idempotent). */
static void run_current(void)
{
    tt_run(env, tt_gen());
}

static void test_dump_format(void)
{
    GString *out = g_string_new("");
    TCGv_i32 t;

    tcg_func_start(tcg_ctx);
    t = tcg_temp_new_i32();
    tcg_gen_addi_i32(t, tt_r32[0], 1);
    tcg_gen_mov_i32(tt_out32[0], t);
    tcg_gen_exit_tb(NULL, 0);
    tcg_dump_ops(tcg_ctx, out, false);
    assert_has(out->str, " add_i32 tmp0,w0,$0x1\n");
    assert_has(out->str, " mov_i32 out32_0,tmp0\n");
    assert_has(out->str, " exit_tb $0x0\n");
    g_string_free(out, TRUE);
}

static void test_constant_folding(void)
{
    TCGv_i32 a, b;
    TCGv_i64 c;
    char *d;

    tcg_func_start(tcg_ctx);
    a = tcg_temp_new_i32();
    b = tcg_temp_new_i32();
    c = tcg_temp_new_i64();
    tcg_gen_movi_i32(a, 2);
    tcg_gen_addi_i32(b, a, 3);              /* 5 */
    tcg_gen_muli_i32(b, b, 4);              /* 20 */
    tcg_gen_shli_i32(b, b, 33);             /* count masked: 40 */
    tcg_gen_mov_i32(tt_out32[0], b);
    tcg_gen_movi_i64(c, -1);
    tcg_gen_clzi_i64(c, c, 64);             /* 0 */
    tcg_gen_ctpop_i64(tt_out64[0], c);      /* 0 */
    tcg_gen_movi_i64(c, 0x1234);
    tcg_gen_bswap16_i64(c, c, TCG_BSWAP_OS);  /* 0x3412 */
    tcg_gen_deposit_i64(tt_out64[1], c, c, 8, 8);   /* 0x1212 */
    tcg_gen_divu_i32(tt_out32[1], a, tcg_constant_i32(0));   /* 0 */
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_has(d, "mov_i32 out32_0,$0x28\n");
    assert_has(d, "mov_i64 out64_0,$0x0\n");
    assert_has(d, "mov_i64 out64_1,$0x1212\n");
    assert_has(d, "mov_i32 out32_1,$0x0\n");
    assert_lacks(d, "add_i32");
    assert_lacks(d, "mul_i32");
    assert_lacks(d, "clz");
    assert_lacks(d, "deposit");
    g_free(d);
    run_current();
    g_assert_cmphex(env->out32[0], ==, 40);
    g_assert_cmphex(env->out64[1], ==, 0x1212);
}

static void test_double_output_folding(void)
{
    char *d;

    tcg_func_start(tcg_ctx);
    tcg_gen_add2_i32(tt_out32[0], tt_out32[1], tcg_constant_i32(-1),
                     tcg_constant_i32(5), tcg_constant_i32(2),
                     tcg_constant_i32(7));
    tcg_gen_mulu2_i64(tt_out64[0], tt_out64[1], tcg_constant_i64(-1),
                      tcg_constant_i64(-1));
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_has(d, "mov_i32 out32_0,$0x1\n");
    assert_has(d, "mov_i32 out32_1,$0xd\n");
    assert_has(d, "mov_i64 out64_0,$0x1\n");
    assert_has(d, "mov_i64 out64_1,$0xfffffffffffffffe\n");
    g_free(d);
    run_current();
    g_assert_cmphex(env->out32[1], ==, 13);
    g_assert_cmphex(env->out64[1], ==, 0xfffffffffffffffeull);
}

static void test_copy_propagation(void)
{
    TCGv_i64 t, u;
    char *d;

    tcg_func_start(tcg_ctx);
    t = tcg_temp_new_i64();
    u = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, tt_r64[0]);
    tcg_gen_mov_i64(u, t);
    tcg_gen_addi_i64(tt_out64[0], u, 5);
    tcg_gen_xor_i64(tt_out64[1], t, u);     /* x ^ x through copies */
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_has(d, "add_i64 out64_0,x0,$0x5\n");
    assert_has(d, "mov_i64 out64_1,$0x0\n");
    assert_lacks(d, "mov_i64 tmp");         /* copies are dead, removed */
    g_free(d);
    env->r64[0] = 100;
    run_current();
    g_assert_cmpuint(env->out64[0], ==, 105);
    g_assert_cmpuint(env->out64[1], ==, 0);
}

static void test_copy_invalidated_by_write(void)
{
    TCGv_i64 t;
    char *d;

    /* t = x0; x0 += 1; out = t: must not read the new x0. */
    tcg_func_start(tcg_ctx);
    t = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, tt_r64[0]);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 1);
    tcg_gen_mov_i64(tt_out64[0], t);
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_lacks(d, "mov_i64 out64_0,x0\n");
    g_free(d);
    env->r64[0] = 7;
    run_current();
    g_assert_cmpuint(env->out64[0], ==, 7);
    g_assert_cmpuint(env->r64[0], ==, 8);
}

static void test_identities(void)
{
#define X 0x1234567890abcdefull
    TCGv_i64 n;
    char *d;

    tcg_func_start(tcg_ctx);
    n = tcg_temp_new_i64();
    tcg_gen_addi_i64(tt_out64[0], tt_r64[0], 0);
    tcg_gen_muli_i64(tt_out64[1], tt_r64[0], 1);
    tcg_gen_andi_i64(tt_out64[2], tt_r64[0], -1);
    tcg_gen_ori_i64(tt_out64[3], tt_r64[0], 0);
    tcg_gen_andi_i64(tt_r64[10], tt_r64[0], 0);
    tcg_gen_xor_i64(tt_r64[11], tt_r64[0], tt_r64[0]);
    tcg_gen_sub_i64(tt_r64[12], tt_r64[0], tt_r64[0]);
    tcg_gen_shli_i64(tt_r64[13], tt_r64[0], 64);        /* count 0 */
    tcg_gen_neg_i64(n, tt_r64[0]);
    tcg_gen_neg_i64(tt_r64[14], n);
    tcg_gen_not_i64(n, tt_r64[0]);
    tcg_gen_not_i64(tt_r64[15], n);
    tcg_gen_muli_i64(tt_r64[16], tt_r64[0], 0);
    tcg_gen_ori_i64(tt_r64[17], tt_r64[0], -1);
    tcg_gen_and_i64(tt_r64[18], tt_r64[0], tt_r64[0]);
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    for (int k = 0; k < 4; k++) {
        char *want = g_strdup_printf("mov_i64 out64_%d,x0\n", k);
        assert_has(d, want);
        g_free(want);
    }
    assert_has(d, "mov_i64 x10,$0x0\n");
    assert_has(d, "mov_i64 x11,$0x0\n");
    assert_has(d, "mov_i64 x12,$0x0\n");
    assert_has(d, "mov_i64 x13,x0\n");
    assert_has(d, "mov_i64 x14,x0\n");
    assert_has(d, "mov_i64 x15,x0\n");
    assert_has(d, "mov_i64 x16,$0x0\n");
    assert_has(d, "mov_i64 x17,$0xffffffffffffffff\n");
    assert_has(d, "mov_i64 x18,x0\n");
    assert_lacks(d, "neg_i64");             /* both negs: dead or folded */
    assert_lacks(d, "not_i64");
    assert_lacks(d, "mul_i64");
    g_free(d);
    env->r64[0] = X;
    run_current();
    g_assert_cmphex(env->out64[0], ==, X);
    g_assert_cmphex(env->r64[14], ==, X);
    g_assert_cmphex(env->r64[15], ==, X);
    g_assert_cmphex(env->r64[17], ==, ~0ull);
#undef X
}

static void test_double_negation_stale(void)
{
    TCGv_i64 n;
    char *d;

    /* n = -x0; x0 = 5; out = -n  must give the old x0, not 5. */
    tcg_func_start(tcg_ctx);
    n = tcg_temp_new_i64();
    tcg_gen_neg_i64(n, tt_r64[0]);
    tcg_gen_movi_i64(tt_r64[0], 5);
    tcg_gen_neg_i64(tt_out64[0], n);
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_lacks(d, "mov_i64 out64_0,x0");
    g_free(d);
    env->r64[0] = 77;
    run_current();
    g_assert_cmpuint(env->out64[0], ==, 77);
}

static void test_branch_folding(void)
{
    TCGLabel *l1, *l2;
    TCGv_i32 t;
    char *d;

    tcg_func_start(tcg_ctx);
    l1 = gen_new_label();
    l2 = gen_new_label();
    t = tcg_temp_new_i32();
    tcg_gen_movi_i32(t, 3);
    /* never taken: removed, and l1 loses its only reference */
    tcg_gen_brcondi_i32(TCG_COND_GT, t, 10, l1);
    tcg_gen_movi_i32(tt_out32[0], 1);
    gen_set_label(l1);
    /* always taken: becomes br, the code after it is unreachable */
    tcg_gen_brcondi_i32(TCG_COND_LTU, t, 10, l2);
    tcg_gen_movi_i32(tt_out32[0], 99);
    tcg_gen_movi_i32(tt_out32[1], 99);
    gen_set_label(l2);
    tcg_gen_setcondi_i32(TCG_COND_EQ, tt_out32[1], t, 3);
    tcg_gen_movcond_i32(TCG_COND_LT, tt_out32[2], t, tcg_constant_i32(0),
                        tt_r32[0], tt_r32[1]);
    tcg_gen_exit_tb(NULL, 0);
    tcg_gen_movi_i32(tt_out32[3], 5);       /* unreachable */
    d = optimized_dump(true);
    assert_lacks(d, "brcond");
    assert_lacks(d, "$0x63");               /* 99: unreachable, removed */
    assert_lacks(d, "set_label $L0");       /* no references left */
    assert_lacks(d, "br $L1");              /* jump to next op removed */
    assert_lacks(d, "set_label");
    assert_has(d, "mov_i32 out32_1,$0x1\n");
    assert_has(d, "mov_i32 out32_2,w1\n");
    assert_lacks(d, "out32_3");
    g_free(d);
    env->r32[1] = 4242;
    env->out32[3] = 0;
    run_current();
    g_assert_cmpuint(env->out32[0], ==, 1);
    g_assert_cmpuint(env->out32[1], ==, 1);
    g_assert_cmpuint(env->out32[2], ==, 4242);
    g_assert_cmpuint(env->out32[3], ==, 0);
}

static void test_branch_kept(void)
{
    TCGLabel *l;
    char *d;

    /* A branch on a runtime value stays, with its label. */
    tcg_func_start(tcg_ctx);
    l = gen_new_label();
    tcg_gen_movi_i32(tt_out32[0], 0);
    tcg_gen_brcondi_i32(TCG_COND_EQ, tt_r32[0], 0, l);
    tcg_gen_movi_i32(tt_out32[0], 1);
    gen_set_label(l);
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_has(d, "brcond_i32 w0,$0x0,eq,$L0\n");
    assert_has(d, "set_label $L0\n");
    g_free(d);
    env->r32[0] = 0;
    run_current();
    g_assert_cmpuint(env->out32[0], ==, 0);
    env->r32[0] = 3;
    run_current();
    g_assert_cmpuint(env->out32[0], ==, 1);
}

static void test_known_bits(void)
{
    TCGv_i32 t;
    TCGv_i64 u;
    char *d;

    tcg_func_start(tcg_ctx);
    t = tcg_temp_new_i32();
    u = tcg_temp_new_i64();
    tcg_gen_ext8u_i32(t, tt_r32[0]);
    tcg_gen_andi_i32(tt_out32[0], t, 0xff);     /* redundant mask */
    tcg_gen_ext16u_i32(tt_out32[1], t);         /* already fits */
    tcg_gen_extu_i32_i64(u, tt_r32[1]);
    tcg_gen_ext32u_i64(tt_out64[0], u);         /* already fits */
    tcg_gen_shri_i64(u, tt_r64[0], 60);
    tcg_gen_andi_i64(tt_out64[1], u, 0xf);      /* shr leaves 4 bits */
    tcg_gen_ext8s_i64(tt_out64[2], u);          /* positive and < 0x80 */
    tcg_gen_andi_i64(tt_out64[3], u, 0x30);     /* disjoint: zero */
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_has(d, "mov_i32 out32_0,tmp0\n");
    assert_has(d, "mov_i32 out32_1,");       /* tmp0 or its copy out32_0 */
    assert_has(d, "mov_i64 out64_0,tmp1\n");
    assert_has(d, "mov_i64 out64_1,tmp1\n");
    assert_has(d, "mov_i64 out64_2,");
    assert_has(d, "mov_i64 out64_3,$0x0\n");
    assert_lacks(d, "and_i");
    assert_lacks(d, "ext16u");
    assert_lacks(d, "ext32u");
    assert_lacks(d, "ext8s");
    g_free(d);
    env->r32[0] = 0x12345687;
    env->r32[1] = 0xdeadbeef;
    env->r64[0] = 0xf000000000000000ull;
    run_current();
    g_assert_cmphex(env->out32[0], ==, 0x87);
    g_assert_cmphex(env->out32[1], ==, 0x87);
    g_assert_cmphex(env->out64[0], ==, 0xdeadbeef);
    g_assert_cmphex(env->out64[1], ==, 0xf);
    g_assert_cmphex(env->out64[2], ==, 0xf);
    g_assert_cmphex(env->out64[3], ==, 0);
}

static void test_liveness_dce(void)
{
    TCGv_i64 a, b;
    char *d;

    tcg_func_start(tcg_ctx);
    a = tcg_temp_new_i64();
    b = tcg_temp_new_i64();
    tcg_gen_mul_i64(a, tt_r64[0], tt_r64[1]);   /* unused */
    tcg_gen_ld_i64(b, tcg_env, offsetof(TcgTestEnv, aux[0]));  /* unused */
    tcg_gen_add_i64(tt_out64[0], tt_r64[0], tt_r64[1]);
    tcg_gen_movi_i64(tt_r64[20], 1);            /* overwritten below */
    tcg_gen_movi_i64(tt_r64[20], 2);
    tcg_gen_st_i64(tt_r64[0], tcg_env, offsetof(TcgTestEnv, aux[1]));
    tcg_gen_exit_tb(NULL, 0);
    d = optimized_dump(true);
    assert_lacks(d, "mul_i64");
    assert_lacks(d, "ld_i64");
    assert_lacks(d, "$0x1\n");
    assert_has(d, "st_i64 x0,env,$0x");         /* side effect: kept */
    assert_has(d, "mov_i64 x20,$0x2\n");
    g_free(d);
    env->r64[0] = 3;
    env->r64[1] = 4;
    run_current();
    g_assert_cmpuint(env->out64[0], ==, 7);
    g_assert_cmpuint(env->aux[1], ==, 3);
    g_assert_cmpuint(env->r64[20], ==, 2);
}

static void test_liveness_sync_flags(void)
{
    GString *out = g_string_new("");

    /* x21 is written twice with a helper-free gap: only the last syncs. */
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[21], tt_r64[22], 1);
    tcg_gen_add_i64(tt_r64[23], tt_r64[21], tt_r64[21]);
    tcg_gen_addi_i64(tt_r64[21], tt_r64[23], 1);
    tcg_gen_exit_tb(NULL, 0);
    tcg_optimize(tcg_ctx);
    tcg_liveness(tcg_ctx);
    tcg_dump_ops(tcg_ctx, out, true);
    g_assert_cmpint(count_lines_with(out->str, "sync: 0"), ==, 2);
    g_assert_nonnull(strstr(out->str, "add_i64 x23,x21,x21"));
    g_string_free(out, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tt_init();
    g_test_add_func("/tcg/optimize/dump-format", test_dump_format);
    g_test_add_func("/tcg/optimize/constant-folding", test_constant_folding);
    g_test_add_func("/tcg/optimize/double-output-folding",
                    test_double_output_folding);
    g_test_add_func("/tcg/optimize/copy-propagation", test_copy_propagation);
    g_test_add_func("/tcg/optimize/copy-invalidated",
                    test_copy_invalidated_by_write);
    g_test_add_func("/tcg/optimize/identities", test_identities);
    g_test_add_func("/tcg/optimize/double-negation-stale",
                    test_double_negation_stale);
    g_test_add_func("/tcg/optimize/branch-folding", test_branch_folding);
    g_test_add_func("/tcg/optimize/branch-kept", test_branch_kept);
    g_test_add_func("/tcg/optimize/known-bits", test_known_bits);
    g_test_add_func("/tcg/optimize/liveness-dce", test_liveness_dce);
    g_test_add_func("/tcg/optimize/liveness-sync-flags",
                    test_liveness_sync_flags);
    return g_test_run();
}
