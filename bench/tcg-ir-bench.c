/*
 * tcg-ir-bench.c: translation speed and code quality of the TCG core.
 *
 * Builds translation blocks of 32 synthetic guest instructions for three
 * op mixes and pushes each through tcg_gen_code (optimizer, liveness,
 * register allocation, x86-64 emission):
 *   alu     guest-register arithmetic: add/sub/xor/shift/and/setcond on
 *           globals, with immediates, as an x86 or POWER front end emits;
 *   memory  a guest load and store per insn (qemu_ld/qemu_st with the
 *           inline TLB fast path and slow-path stubs) plus address math;
 *   branchy a conditional branch and label per insn, setcond/movcond.
 * It reports IR ops per second through the back half (tcg_gen_code alone)
 * and for the whole translation (IR building included, the in-run
 * reference), and host bytes and host instructions (counted with
 * capstone) per IR op, counted before optimization.
 *
 *     make bench && build/bench/tcg-ir-bench [nb_tbs]
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-op.h"

#include <sys/mman.h>
#include <time.h>

typedef struct BenchEnv {
    uint64_t regs[16];
    uint32_t flags;
    CPUTLBDescFast tlb[1];
} BenchEnv;

static TCGv_i64 regs[16];
static TCGv_i32 flags;

#define INSNS_PER_TB 32

static uint64_t bench_slow_ld(void *env, uint64_t addr, MemOpIdx oi,
                              uintptr_t ra)
{
    return 0;
}

static void bench_slow_st(void *env, uint64_t addr, uint64_t val,
                          MemOpIdx oi, uintptr_t ra)
{
}

static void *bench_host_addr(void *env, uint64_t addr, MemOpIdx oi,
                             uintptr_t ra)
{
    return NULL;
}

static void gen_alu(int i)
{
    TCGv_i64 a = regs[i % 16], b = regs[(i * 5 + 3) % 16];
    TCGv_i64 t = tcg_temp_new_i64();
    TCGv_i32 c = tcg_temp_new_i32();

    tcg_gen_add_i64(t, a, b);
    tcg_gen_xori_i64(t, t, 0x55);
    tcg_gen_shli_i64(a, t, i & 7);
    tcg_gen_andi_i64(b, b, 0xffff);
    tcg_gen_extrl_i64_i32(c, a);
    tcg_gen_setcondi_i32(TCG_COND_EQ, flags, c, 0);
    tcg_temp_free_i64(t);
    tcg_temp_free_i32(c);
}

static void gen_memory(int i)
{
    TCGv_i64 addr = tcg_temp_new_i64(), v = tcg_temp_new_i64();

    tcg_gen_addi_i64(addr, regs[(i + 1) % 16], i * 8);
    tcg_gen_qemu_ld_i64(v, addr, 0, MO_64 | (i & 1 ? MO_BE : MO_LE));
    tcg_gen_add_i64(regs[i % 16], regs[i % 16], v);
    tcg_gen_qemu_st_i64(regs[(i + 2) % 16], addr, 0, MO_64 | MO_LE);
    tcg_temp_free_i64(addr);
    tcg_temp_free_i64(v);
}

static void gen_branchy(int i)
{
    TCGLabel *l = gen_new_label();
    TCGv_i64 a = regs[i % 16], b = regs[(i + 7) % 16];

    tcg_gen_brcondi_i64(TCG_COND_LTU, a, 100, l);
    tcg_gen_subi_i64(a, a, 100);
    tcg_gen_movcond_i64(TCG_COND_GT, b, a, b, a, b);
    gen_set_label(l);
    tcg_gen_setcondi_i32(TCG_COND_NE, flags, flags, 0);
}

typedef void GenInsnFn(int i);

static int build_tb(GenInsnFn *gen, uint64_t pc)
{
    tcg_func_start(tcg_ctx);
    for (int i = 0; i < INSNS_PER_TB; i++) {
        tcg_gen_insn_start(pc + i * 4, 0, 0);
        gen(i);
    }
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(NULL, 0);
    return tcg_ctx->nb_ops;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        GenInsnFn *gen;
    } mixes[] = {
        { "alu", gen_alu }, { "memory", gen_memory }, { "branchy", gen_branchy },
    };
    TCGTargetParams p = {
        .page_bits = 12, .tlb_fast_offset = offsetof(BenchEnv, tlb),
        .nb_mmu_modes = 1, .insn_start_words = 1,
        .slow_ld = bench_slow_ld, .slow_st = bench_slow_st,
        .atomic_host_addr = bench_host_addr,
    };
    int nb_tbs = argc > 1 ? atoi(argv[1]) : 20000;
    size_t buf_size = 64u << 20;
    uint8_t *buf = mmap(NULL, buf_size, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED || nb_tbs <= 0) {
        fprintf(stderr, "tcg-ir-bench: cannot map the code buffer\n");
        return 1;
    }
    tcg_init(&p);
    for (int i = 0; i < 16; i++) {
        regs[i] = tcg_global_mem_new_i64(offsetof(BenchEnv, regs[i]),
                                         g_strdup_printf("r%d", i));
    }
    flags = tcg_global_mem_new_i32(offsetof(BenchEnv, flags), "flags");
    tcg_prologue_init(buf, 4096);
    tcg_context_init_thread();

    printf("TCG IR microbenchmark: %d TBs of %d guest insns per mix, "
           "host features %#x\n\n", nb_tbs, INSNS_PER_TB, tcg_host_features);
    printf("%-8s %8s %12s %12s %9s %9s %9s %10s\n", "mix", "ops/TB",
           "Mops/s gen", "Mops/s all", "all/gen", "bytes/op", "insns/op",
           "bytes/TB");
    for (size_t m = 0; m < ARRAY_SIZE(mixes); m++) {
        double t_gen = 0, t_cs = 0, t0, t_all0, t_all;
        long ops = 0, bytes = 0, insns = 0;
        size_t used = 4096;

        t_all0 = now_s();
        for (int n = 0; n < nb_tbs; n++) {
            int nops = build_tb(mixes[m].gen, 0x1000 + n * 128);
            int size;

            if (used + (1u << 20) > buf_size) {
                used = 4096;
            }
            t0 = now_s();
            size = tcg_gen_code(tcg_ctx, buf + used, buf_size - used);
            t_gen += now_s() - t0;
            if (size < 0) {
                fprintf(stderr, "tcg-ir-bench: tcg_gen_code failed (%d)\n",
                        size);
                return 1;
            }
            ops += nops;
            bytes += size;
            if (n < 200) {
                t0 = now_s();
                insns += tcg_count_host_insns(buf + used, size);
                t_cs += now_s() - t0;       /* not part of translation */
            }
            used = ROUND_UP(used + size, 16);
        }
        t_all = now_s() - t_all0 - t_cs;
        {
            long ops200 = ops / nb_tbs * MIN(nb_tbs, 200);
            printf("%-8s %8ld %12.2f %12.2f %9.2f %9.2f %9.2f %10ld\n",
                   mixes[m].name, ops / nb_tbs, ops / t_gen / 1e6,
                   ops / t_all / 1e6, t_all / t_gen,
                   (double)bytes / ops, (double)insns / ops200,
                   bytes / nb_tbs);
        }
    }
    printf("\nMops/s gen: IR ops through tcg_gen_code (optimize, liveness, "
           "regalloc, emit);\nMops/s all: including building the IR with "
           "tcg_gen_*; all/gen: their time ratio.\n");
    tcg_context_destroy_thread();
    return 0;
}
