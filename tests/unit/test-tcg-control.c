/*
 * test-tcg-control.c: control flow, TB exits and the runtime-facing
 * pieces, executed.
 *
 * - loops and forward/backward branches inside a TB;
 * - exit_tb values, goto_ptr to another TB and to the epilogue;
 * - goto_tb: a direct jump patched to a second block and back, many
 *   times, while another thread runs the code in a loop; the patch is an
 *   aligned atomic 32-bit store, so the runner only ever sees one of the
 *   two exits;
 * - insn_start and tcg_restore_state_lookup: every host offset inside
 *   each guest insn maps back to that insn's words, and a helper's
 *   return address does too;
 * - -d op, op_opt and out_asm logging.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tests/unit/support/tcg-harness.h"

#include <sys/mman.h>

static TcgTestEnv env_s;
static TcgTestEnv *env = &env_s;

static void test_loop(void)
{
    TCGLabel *top, *done;
    TCGv_i64 i, sum;
    void *code;

    /* sum = 0; for (i = x0; i != 0; i--) sum += i * i; out = sum */
    tcg_func_start(tcg_ctx);
    top = gen_new_label();
    done = gen_new_label();
    i = tcg_temp_new_i64();
    sum = tcg_temp_new_i64();
    tcg_gen_mov_i64(i, tt_r64[0]);
    tcg_gen_movi_i64(sum, 0);
    gen_set_label(top);
    tcg_gen_brcondi_i64(TCG_COND_EQ, i, 0, done);
    {
        TCGv_i64 sq = tcg_temp_new_i64();
        tcg_gen_mul_i64(sq, i, i);
        tcg_gen_add_i64(sum, sum, sq);
        tcg_gen_addi_i64(tt_r64[1], tt_r64[1], 1);   /* global in a loop */
    }
    tcg_gen_subi_i64(i, i, 1);
    tcg_gen_br(top);
    gen_set_label(done);
    tcg_gen_mov_i64(tt_out64[0], sum);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();

    for (uint64_t n = 0; n < 50; n += 7) {
        env->r64[0] = n;
        env->r64[1] = 1000;
        tt_run(env, code);
        g_assert_cmpuint(env->out64[0], ==, n * (n + 1) * (2 * n + 1) / 6);
        g_assert_cmpuint(env->r64[1], ==, 1000 + n);
    }
}

static void test_exit_values(void)
{
    static uint64_t tb_dummy[2] __attribute__((aligned(8)));
    void *code;

    tcg_func_start(tcg_ctx);
    {
        TCGLabel *l = gen_new_label();
        tcg_gen_brcondi_i32(TCG_COND_NE, tt_r32[0], 0, l);
        tcg_gen_exit_tb(&tb_dummy[0], TB_EXIT_IDX1);
        gen_set_label(l);
        tcg_gen_exit_tb(&tb_dummy[1], TB_EXIT_REQUESTED);
    }
    code = tt_gen();
    env->r32[0] = 0;
    g_assert_cmphex(tt_run(env, code), ==, (uintptr_t)&tb_dummy[0] | 1);
    env->r32[0] = 1;
    g_assert_cmphex(tt_run(env, code), ==, (uintptr_t)&tb_dummy[1] | 3);
}

static void test_goto_ptr(void)
{
    void *second, *first;

    /* second: out = x0 * 3; exit 0x40 */
    tcg_func_start(tcg_ctx);
    tcg_gen_muli_i64(tt_out64[0], tt_r64[0], 3);
    tcg_gen_exit_tb((void *)0x40, 0);
    second = tt_gen();

    /* first: x0 += 1; goto_ptr(aux[0]) */
    tcg_func_start(tcg_ctx);
    {
        TCGv_ptr p = tcg_temp_new_ptr();
        tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 1);
        tcg_gen_ld_ptr(p, tcg_env, offsetof(TcgTestEnv, aux[0]));
        tcg_gen_goto_ptr(p);
    }
    first = tt_gen();

    env->aux[0] = (uintptr_t)second;
    env->r64[0] = 10;
    g_assert_cmphex(tt_run(env, first), ==, 0x40);
    g_assert_cmpuint(env->out64[0], ==, 33);

    env->aux[0] = (uintptr_t)tcg_code_gen_epilogue;
    g_assert_cmphex(tt_run(env, first), ==, 0);
    g_assert_cmpuint(env->r64[0], ==, 12);      /* synced before leaving */
}

/* ---- goto_tb patching under concurrent execution ---- */

typedef struct PatchRunner {
    void *entry;
    int stop;                   /* atomic */
    unsigned long runs, saw_a, saw_b, bad;
} PatchRunner;

static void *patch_runner(void *opaque)
{
    PatchRunner *pr = opaque;
    TcgTestEnv *e = g_new0(TcgTestEnv, 1);

    while (!__atomic_load_n(&pr->stop, __ATOMIC_ACQUIRE)) {
        uintptr_t v = tcg_qemu_tb_exec(e, pr->entry);

        pr->runs++;
        if (v == 0x100) {
            pr->saw_a++;
        } else if (v == 0x200) {
            pr->saw_b++;
        } else {
            pr->bad++;
        }
    }
    g_free(e);
    return NULL;
}

static void test_goto_tb_patch_concurrent(void)
{
    uint8_t *a, *b;
    uintptr_t jmp, reset;
    PatchRunner pr = { 0 };
    pthread_t th;
    int patches = 0;

    /* a: goto_tb 0; exit 0x100 */
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 1);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb((void *)0x100, 0);
    a = tt_gen();
    g_assert_true(tcg_ctx->goto_tb_used[0]);
    g_assert_false(tcg_ctx->goto_tb_used[1]);
    jmp = (uintptr_t)a + tcg_ctx->goto_tb_jmp_off[0];
    reset = (uintptr_t)a + tcg_ctx->goto_tb_reset_off[0];
    g_assert_cmpuint((jmp + 1) & 3, ==, 0);     /* aligned displacement */
    g_assert_cmphex(*(uint8_t *)jmp, ==, 0xe9);

    /* b: exit 0x200 */
    tcg_func_start(tcg_ctx);
    tcg_gen_exit_tb((void *)0x200, 0);
    b = tt_gen();

    env->r64[0] = 0;
    g_assert_cmphex(tt_run(env, a), ==, 0x100);
    tcg_patch_goto_tb(jmp, (uintptr_t)b);
    g_assert_cmphex(tt_run(env, a), ==, 0x200);
    tcg_patch_goto_tb(jmp, reset);
    g_assert_cmphex(tt_run(env, a), ==, 0x100);
    g_assert_cmpuint(env->r64[0], ==, 3);

    pr.entry = a;
    g_assert_cmpint(pthread_create(&th, NULL, patch_runner, &pr), ==, 0);
    for (int i = 0; i < 20000; i++) {
        tcg_patch_goto_tb(jmp, i & 1 ? reset : (uintptr_t)b);
        patches++;
        if ((i & 255) == 0) {
            g_usleep(100);
        }
    }
    tcg_patch_goto_tb(jmp, reset);
    g_usleep(2000);
    __atomic_store_n(&pr.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    g_test_message("runs %lu, exit a %lu, exit b %lu, %d patches", pr.runs,
                   pr.saw_a, pr.saw_b, patches);
    g_assert_cmpuint(pr.bad, ==, 0);
    g_assert_cmpuint(pr.runs, >, 0);
    g_assert_cmpuint(pr.saw_a + pr.saw_b, ==, pr.runs);
}

/* ---- insn_start and state restore ---- */

static uint64_t helper_words[TCG_MAX_INSN_WORDS];
static int helper_insn;
static const void *cur_code;
static const uint8_t *cur_table;

static void helper_where(void *e)
{
    uintptr_t ra = (uintptr_t)__builtin_return_address(0);

    helper_insn = tcg_restore_state_lookup(cur_code, cur_table, ra,
                                           helper_words);
}

static const TCGHelperInfo where_info = {
    .func = (void *)helper_where, .name = "where",
    .flags = TCG_CALL_NO_RWG, .ret = TCG_CALL_VOID, .nb_args = 1,
};

static void test_insn_start_restore(void)
{
    uint8_t table[256];
    uint8_t *code;
    int size, len;
    uint64_t words[TCG_MAX_INSN_WORDS];
    static const uint64_t pcs[6] = {
        0xffffffff81000000ull, 0xffffffff81000003ull, 0xffffffff81000007ull,
        0xffffffff80ff0000ull, 0xffffffff80ff0002ull, 0x1000,
    };

    tcg_func_start(tcg_ctx);
    for (int i = 0; i < 6; i++) {
        tcg_gen_insn_start(pcs[i], i * 16, 0);
        for (int k = 0; k <= i; k++) {
            tcg_gen_addi_i64(tt_r64[k], tt_r64[k], k + i + 1);
        }
        if (i == 3) {
            TCGArg a[1] = { tcgv_ptr_arg(tcg_env) };
            tcg_gen_callN(&where_info, TCG_CALL_NO_RET, 1, a);
        }
    }
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen_sized(&size);
    len = tcg_insn_table_encode(tcg_ctx, table, sizeof(table));
    g_assert_cmpint(len, >, 0);
    g_assert_cmpint(len, <, 6 * 8);                     /* compact */
    g_assert_cmpint(tcg_ctx->nb_insns, ==, 6);
    g_assert_cmpint(tcg_insn_table_encode(tcg_ctx, table, 3), ==, -1);

    for (int i = 0; i < 6; i++) {
        uint32_t start = i ? tcg_ctx->insn_end_off[i - 1] : 0;
        uint32_t end = tcg_ctx->insn_end_off[i];

        g_assert_cmpuint(start, <, end);
        for (uint32_t off = start; off < end; off++) {
            /* host_pc is a return address: the byte before it is inside */
            int n = tcg_restore_state_lookup(code, table,
                                             (uintptr_t)code + off + 1,
                                             words);
            g_assert_cmpint(n, ==, i);
            g_assert_cmphex(words[0], ==, pcs[i]);
            g_assert_cmphex(words[1], ==, i * 16);
        }
    }
    g_assert_cmpint(tcg_restore_state_lookup(code, table, (uintptr_t)code,
                                             words), ==, -1);
    g_assert_cmpint(tcg_restore_state_lookup(code, table,
                                             (uintptr_t)code +
                                             tcg_ctx->insn_end_off[5] + 1,
                                             words), ==, -1);

    /* A helper called from insn 3 finds insn 3 from its return address. */
    cur_code = code;
    cur_table = table;
    helper_insn = -2;
    tt_run(env, code);
    g_assert_cmpint(helper_insn, ==, 3);
    g_assert_cmphex(helper_words[0], ==, pcs[3]);
    g_assert_cmphex(helper_words[1], ==, 48);
    (void)size;
}

/* ---- parallel translation: one context per thread, no lock ---- */

typedef struct TranslateWorker {
    int id;
    unsigned long checked;
    bool ok;
} TranslateWorker;

static void *translate_worker(void *opaque)
{
    TranslateWorker *w = opaque;
    size_t size = 4u << 20, used = 0;
    uint8_t *buf = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TcgTestEnv *e = g_new0(TcgTestEnv, 1);

    w->ok = buf != MAP_FAILED;
    tcg_context_init_thread();
    for (int n = 0; n < 300 && w->ok; n++) {
        TCGv_i64 t;
        int len;

        tcg_func_start(tcg_ctx);
        t = tcg_temp_new_i64();
        tcg_gen_muli_i64(t, tt_r64[w->id], n + 1);
        tcg_gen_addi_i64(tt_out64[w->id], t, w->id * 1000);
        tcg_gen_exit_tb(NULL, 0);
        len = tcg_gen_code(tcg_ctx, buf + used, size - used);
        if (len <= 0) {
            w->ok = false;
            break;
        }
        e->r64[w->id] = n;
        tcg_qemu_tb_exec(e, buf + used);
        w->ok = e->out64[w->id] == (uint64_t)n * (n + 1) + w->id * 1000;
        w->checked++;
        used = ROUND_UP(used + len, 16);
    }
    tcg_context_destroy_thread();
    munmap(buf, size);
    g_free(e);
    return NULL;
}

static void test_parallel_translation(void)
{
    TranslateWorker w[3];
    pthread_t th[3];

    for (int i = 0; i < 3; i++) {
        w[i] = (TranslateWorker) { .id = i };
        g_assert_cmpint(pthread_create(&th[i], NULL, translate_worker, &w[i]),
                        ==, 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        g_assert_true(w[i].ok);
        g_assert_cmpuint(w[i].checked, ==, 300);
    }
}

/* ---- logging ---- */

static void test_logging(void)
{
    char *path = g_strdup_printf("%s/tcg-log-XXXXXX", g_get_tmp_dir());
    int fd = g_mkstemp(path);
    unsigned saved = log_mask;
    char *text = NULL;

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(log_set_file(path, NULL));
    log_mask = LOG_OP | LOG_OP_OPT | LOG_OUT_ASM;
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i32(tt_r32[3], tt_r32[3], 1);
    tcg_gen_exit_tb(NULL, 0);
    tt_gen();
    log_mask = saved;
    fflush(log_file());
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "OP:\n add_i32 w3,w3,$0x1\n"));
    g_assert_nonnull(strstr(text, "OP after optimization and liveness"));
    g_assert_nonnull(strstr(text, "sync: 0"));
    g_assert_nonnull(strstr(text, "OUT: [size="));
    g_assert_true(strstr(text, "add      dword ptr") ||
                  strstr(text, "add      e"));
    g_assert_nonnull(strstr(text, "jmp"));
    g_free(text);
    unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tt_init();
    g_test_add_func("/tcg/control/loop", test_loop);
    g_test_add_func("/tcg/control/exit-values", test_exit_values);
    g_test_add_func("/tcg/control/goto-ptr", test_goto_ptr);
    g_test_add_func("/tcg/control/goto-tb-patch-concurrent",
                    test_goto_tb_patch_concurrent);
    g_test_add_func("/tcg/control/insn-start-restore",
                    test_insn_start_restore);
    g_test_add_func("/tcg/control/parallel-translation",
                    test_parallel_translation);
    g_test_add_func("/tcg/control/logging", test_logging);
    return g_test_run();
}
