/*
 * test-tcg-mem.c: memory ops, executed.
 *
 * - ld/st relative to env: every width and extension, register and
 *   constant values, neighbouring bytes untouched;
 * - qemu_ld/qemu_st through the inline softmmu fast path and the
 *   out-of-line slow path, against the toy softmmu of tcg-harness.c:
 *   every size, sign and endianness, i32 and i64, with MOVBE and without;
 *   TLB hits (no slow call), misses (one slow call each), fill then hit,
 *   page-crossing and misaligned MO_ALIGN accesses (slow path), a wrong
 *   MMU index, a flag bit in the TLB entry; globals synced before the
 *   access; live registers preserved across the slow-path call;
 * - guest atomics (helpers) against a reference, both endiannesses;
 * - mb: mfence only where an x86 host needs it (store-load ordering).
 */
#include "util/osdep.h"
#include "tests/unit/support/tcg-harness.h"

static TcgTestEnv env_s;
static TcgTestEnv *env = &env_s;

static uint64_t ref_load(uint64_t addr, MemOp mop)
{
    unsigned size = memop_size(mop);
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t byte = tt_ram[addr - TT_RAM_BASE + i];

        if (mop & MO_BE) {
            v = (v << 8) | byte;
        } else {
            v |= byte << (8 * i);
        }
    }
    if ((mop & MO_SIGN) && size < 8 && (v >> (size * 8 - 1)) & 1) {
        v |= ~0ull << (size * 8);
    }
    return v;
}

static void ref_store(uint8_t *mem, uint64_t v, MemOp mop)
{
    unsigned size = memop_size(mop);

    for (unsigned i = 0; i < size; i++) {
        unsigned shift = (mop & MO_BE) ? 8 * (size - 1 - i) : 8 * i;
        mem[i] = v >> shift;
    }
}

static void fill_ram(GRand *r)
{
    for (size_t i = 0; i < TT_RAM_SIZE; i++) {
        tt_ram[i] = g_rand_int(r);
    }
}

static void map_all(TcgTestEnv *e, unsigned mmu_idx)
{
    for (uint64_t a = TT_RAM_BASE; a < TT_RAM_BASE + TT_RAM_SIZE; a += 4096) {
        tt_tlb_map(e, mmu_idx, a);
    }
}

/* ---- env-relative ld/st ---- */

static void test_env_ld(void)
{
    static const struct {
        const char *name;
        unsigned size;
        bool sign, w64;
    } lds[] = {
        { "ld8u_i32", 1, false, false }, { "ld8s_i32", 1, true, false },
        { "ld16u_i32", 2, false, false }, { "ld16s_i32", 2, true, false },
        { "ld_i32", 4, false, false },
        { "ld8u_i64", 1, false, true }, { "ld8s_i64", 1, true, true },
        { "ld16u_i64", 2, false, true }, { "ld16s_i64", 2, true, true },
        { "ld32u_i64", 4, false, true }, { "ld32s_i64", 4, true, true },
        { "ld_i64", 8, false, true },
    };
    GRand *r = g_rand_new_with_seed(7);

    for (size_t k = 0; k < ARRAY_SIZE(lds); k++) {
        for (int c = 0; c < 40; c++) {
            intptr_t ofs = offsetof(TcgTestEnv, mem) +
                           g_rand_int_range(r, 0, 256 - 8);
            uint64_t want = 0;
            void *code;

            tcg_func_start(tcg_ctx);
            switch (k) {
            case 0: tcg_gen_ld8u_i32(tt_out32[0], tcg_env, ofs); break;
            case 1: tcg_gen_ld8s_i32(tt_out32[0], tcg_env, ofs); break;
            case 2: tcg_gen_ld16u_i32(tt_out32[0], tcg_env, ofs); break;
            case 3: tcg_gen_ld16s_i32(tt_out32[0], tcg_env, ofs); break;
            case 4: tcg_gen_ld_i32(tt_out32[0], tcg_env, ofs); break;
            case 5: tcg_gen_ld8u_i64(tt_out64[0], tcg_env, ofs); break;
            case 6: tcg_gen_ld8s_i64(tt_out64[0], tcg_env, ofs); break;
            case 7: tcg_gen_ld16u_i64(tt_out64[0], tcg_env, ofs); break;
            case 8: tcg_gen_ld16s_i64(tt_out64[0], tcg_env, ofs); break;
            case 9: tcg_gen_ld32u_i64(tt_out64[0], tcg_env, ofs); break;
            case 10: tcg_gen_ld32s_i64(tt_out64[0], tcg_env, ofs); break;
            default: tcg_gen_ld_i64(tt_out64[0], tcg_env, ofs); break;
            }
            tcg_gen_exit_tb(NULL, 0);
            code = tt_gen();
            for (int i = 0; i < 256; i++) {
                env->mem[i] = g_rand_int(r);
            }
            memcpy(&want, (uint8_t *)env + ofs, lds[k].size);
            if (lds[k].sign && (want >> (lds[k].size * 8 - 1)) & 1) {
                want |= ~0ull << (lds[k].size * 8);
            }
            tt_run(env, code);
            if (lds[k].w64) {
                g_assert_cmphex(env->out64[0], ==, want);
            } else {
                g_assert_cmphex(env->out32[0], ==, (uint32_t)want);
            }
        }
    }
    g_rand_free(r);
}

static void test_env_st(void)
{
    GRand *r = g_rand_new_with_seed(8);

    for (int k = 0; k < 7; k++) {
        static const unsigned sizes[7] = { 1, 2, 4, 1, 2, 4, 8 };
        unsigned size = sizes[k];

        for (int c = 0; c < 60; c++) {
            intptr_t pos = g_rand_int_range(r, 8, 256 - 16);
            intptr_t ofs = offsetof(TcgTestEnv, mem) + pos;
            uint64_t v = tt_rand_val(r, k < 3 ? 32 : 64);
            bool as_const = c & 1;
            uint8_t before[256];
            void *code;

            tcg_func_start(tcg_ctx);
            if (k < 3) {
                TCGv_i32 val = as_const ? tcg_constant_i32(v) : tt_r32[0];
                if (k == 0) {
                    tcg_gen_st8_i32(val, tcg_env, ofs);
                } else if (k == 1) {
                    tcg_gen_st16_i32(val, tcg_env, ofs);
                } else {
                    tcg_gen_st_i32(val, tcg_env, ofs);
                }
            } else {
                TCGv_i64 val = as_const ? tcg_constant_i64(v) : tt_r64[0];
                if (k == 3) {
                    tcg_gen_st8_i64(val, tcg_env, ofs);
                } else if (k == 4) {
                    tcg_gen_st16_i64(val, tcg_env, ofs);
                } else if (k == 5) {
                    tcg_gen_st32_i64(val, tcg_env, ofs);
                } else {
                    tcg_gen_st_i64(val, tcg_env, ofs);
                }
            }
            tcg_gen_exit_tb(NULL, 0);
            code = tt_gen();
            for (int i = 0; i < 256; i++) {
                env->mem[i] = g_rand_int(r);
            }
            memcpy(before, env->mem, 256);
            env->r32[0] = v;
            env->r64[0] = v;
            tt_run(env, code);
            memcpy(before + pos, &v, size);
            g_assert_cmpmem(env->mem, 256, before, 256);
        }
    }
    g_rand_free(r);
}

/* ---- qemu_ld / qemu_st ---- */

typedef struct MemCase {
    bool w64;
    MemOp mop;
    unsigned mmu;
} MemCase;

/* out = qemu_ld(x5); qemu_st(x6 -> x7); x0 modified first (sync check). */
static void *gen_ldst_tb(const MemCase *mc)
{
    tcg_func_start(tcg_ctx);
    tcg_gen_addi_i64(tt_r64[0], tt_r64[0], 1);
    if (mc->w64) {
        tcg_gen_qemu_ld_i64(tt_out64[0], tt_r64[5], mc->mmu, mc->mop);
        tcg_gen_qemu_st_i64(tt_r64[6], tt_r64[7], mc->mmu, mc->mop);
    } else {
        tcg_gen_qemu_ld_i32(tt_out32[0], tt_r64[5], mc->mmu, mc->mop);
        tcg_gen_qemu_st_i32(tt_r32[6], tt_r64[7], mc->mmu, mc->mop);
    }
    tcg_gen_exit_tb(NULL, 0);
    return tt_gen();
}

/* Runs one load+store; checks values; returns the slow calls it made. */
static unsigned run_ldst(const MemCase *mc, void *code, uint64_t la,
                         uint64_t sa, uint64_t val)
{
    unsigned before = tt_slow_ld_calls + tt_slow_st_calls;
    uint64_t want = ref_load(la, mc->mop);
    uint8_t expect[8];
    unsigned size = memop_size(mc->mop);
    uint64_t x0 = env->r64[0];

    env->r64[5] = la;
    env->r64[6] = val;
    env->r32[6] = val;
    env->r64[7] = sa;
    tt_run(env, code);
    if (mc->w64) {
        g_assert_cmphex(env->out64[0], ==, want);
    } else {
        g_assert_cmphex(env->out32[0], ==, (uint32_t)want);
    }
    ref_store(expect, val, mc->mop);
    g_assert_cmpmem(tt_ram + (sa - TT_RAM_BASE), size, expect, size);
    g_assert_cmpuint(env->r64[0], ==, x0 + 1);
    if (tt_slow_ld_calls + tt_slow_st_calls != before) {
        /* the slow path saw env with the guest registers synced */
        g_assert_cmpuint(tt_slow_seen_r64_0, ==, x0 + 1);
    }
    return tt_slow_ld_calls + tt_slow_st_calls - before;
}

static uint64_t rand_addr(GRand *r, unsigned size, bool aligned)
{
    uint64_t a = TT_RAM_BASE + g_rand_int_range(r, 0, TT_RAM_SIZE - 8);

    if (aligned) {
        a &= ~(uint64_t)(size - 1);
    } else if (((a + size - 1) ^ a) & 4096) {
        a -= size;          /* keep within one page */
    }
    return a;
}

static void for_each_memop(void (*fn)(const MemCase *mc, GRand *r))
{
    GRand *r = g_rand_new_with_seed(9);
    unsigned saved = tcg_host_features;

    fill_ram(r);
    for (int feat = 0; feat < 2; feat++) {
        tcg_host_features = feat ? 0 : saved;
        for (int w64 = 0; w64 < 2; w64++) {
            for (int size = MO_8; size <= (w64 ? MO_64 : MO_32); size++) {
                for (int flags = 0; flags < 4; flags++) {
                    MemCase mc = {
                        .w64 = w64,
                        .mop = size | (flags & 1 ? MO_SIGN : 0) |
                               (flags & 2 ? MO_BE : MO_LE),
                        .mmu = (size + flags) & 1,
                    };
                    fn(&mc, r);
                }
            }
        }
    }
    tcg_host_features = saved;
    g_rand_free(r);
}

static void ldst_hit(const MemCase *mc, GRand *r)
{
    void *code = gen_ldst_tb(mc);
    unsigned size = memop_size(mc->mop);

    tt_tlb_flush(env);
    map_all(env, mc->mmu);
    for (int c = 0; c < 200; c++) {
        uint64_t la = rand_addr(r, size, c & 1), sa = rand_addr(r, size, c & 2);

        g_assert_cmpuint(run_ldst(mc, code, la, sa, tt_rand_val(r, 64)), ==,
                         0);
    }
}

static void ldst_miss(const MemCase *mc, GRand *r)
{
    void *code = gen_ldst_tb(mc);
    unsigned size = memop_size(mc->mop);

    tt_tlb_flush(env);
    tt_slow_fill_tlb = false;
    for (int c = 0; c < 50; c++) {
        uint64_t la = rand_addr(r, size, false), sa = rand_addr(r, size, true);

        g_assert_cmpuint(run_ldst(mc, code, la, sa, tt_rand_val(r, 64)), ==,
                         2);
    }
    /* Filling on the miss makes the next access to the page hit. */
    tt_slow_fill_tlb = true;
    {
        uint64_t a = TT_RAM_BASE + 3 * 4096 + 64;
        /* the load misses and fills; the store to the same page hits */
        g_assert_cmpuint(run_ldst(mc, code, a, a + 8, 5), ==, 1);
        g_assert_cmpuint(run_ldst(mc, code, a + 16, a + 32, 6), ==, 0);
    }
    tt_slow_fill_tlb = false;
    /* Another MMU index is another TLB. */
    tt_tlb_flush(env);
    map_all(env, mc->mmu ^ 1);
    g_assert_cmpuint(run_ldst(mc, code, TT_RAM_BASE, TT_RAM_BASE + 64, 7), ==,
                     2);
}

static void ldst_unaligned(const MemCase *mc, GRand *r)
{
    unsigned size = memop_size(mc->mop);
    MemCase al = *mc;
    void *code = gen_ldst_tb(mc), *code_al;

    if (size == 1) {
        return;
    }
    tt_tlb_flush(env);
    map_all(env, mc->mmu);
    /* Crossing a page boundary: always the slow path. */
    for (unsigned k = 1; k < size; k++) {
        uint64_t a = TT_RAM_BASE + 5 * 4096 - k;
        g_assert_cmpuint(run_ldst(mc, code, a, a, 0x1122334455667788ull), ==,
                         2);
    }
    /* Misaligned within a page: fast without MO_ALIGN, slow with it. */
    al.mop |= MO_ALIGN;
    code_al = gen_ldst_tb(&al);
    {
        uint64_t a = TT_RAM_BASE + 4096 + 33;
        g_assert_cmpuint(run_ldst(mc, code, a, a + 8, 3), ==, 0);
        g_assert_cmpuint(run_ldst(&al, code_al, a, a + 8, 3), ==, 2);
        g_assert_cmpuint(run_ldst(&al, code_al, a - 1, a - 1 + 8, 3), ==, 0);
    }
    (void)r;
}

static void test_qemu_ldst_hit(void)
{
    tt_slow_ld_calls = tt_slow_st_calls = 0;
    for_each_memop(ldst_hit);
    g_assert_cmpuint(tt_slow_ld_calls + tt_slow_st_calls, ==, 0);
}

static void test_qemu_ldst_miss(void)
{
    for_each_memop(ldst_miss);
}

static void test_qemu_ldst_unaligned(void)
{
    for_each_memop(ldst_unaligned);
}

static void test_qemu_ldst_tlb_flags(void)
{
    MemCase mc = { .w64 = true, .mop = MO_64 | MO_LE, .mmu = 0 };
    void *code = gen_ldst_tb(&mc);
    uint64_t a = TT_RAM_BASE + 2 * 4096 + 8;
    TLBEntry *e;

    tt_tlb_flush(env);
    map_all(env, 0);
    e = &env->tlb_table[0][(a >> 12) & (TT_TLB_ENTRIES - 1)];
    e->addr_write |= 0x200;     /* a "not dirty" style flag: slow writes */
    tt_slow_ld_calls = tt_slow_st_calls = 0;
    g_assert_cmpuint(run_ldst(&mc, code, a, a + 8, 99), ==, 1);
    g_assert_cmpuint(tt_slow_st_calls, ==, 1);
    g_assert_cmpuint(tt_slow_ld_calls, ==, 0);
}

/* Many temps live across a qemu_ld that misses: none is lost. */
static void test_qemu_ld_preserves_registers(void)
{
    TCGv_i64 t[20];
    void *code;
    uint64_t want = 0;

    tcg_func_start(tcg_ctx);
    for (int i = 0; i < 20; i++) {
        t[i] = tcg_temp_new_i64();
        tcg_gen_muli_i64(t[i], tt_r64[8 + i], i + 2);
    }
    tcg_gen_qemu_ld_i64(tt_out64[0], tt_r64[5], 0, MO_64 | MO_BE);
    tcg_gen_movi_i64(tt_out64[1], 0);
    for (int i = 0; i < 20; i++) {
        tcg_gen_rotli_i64(tt_out64[1], tt_out64[1], 3);
        tcg_gen_add_i64(tt_out64[1], tt_out64[1], t[i]);
    }
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen();

    for (int feat = 0; feat < 2; feat++) {
        tt_tlb_flush(env);
        env->r64[5] = TT_RAM_BASE + 256;
        for (int i = 0; i < 20; i++) {
            env->r64[8 + i] = 0x1111111111111111ull * (i + 1) + feat;
        }
        tt_slow_ld_calls = 0;
        if (feat) {
            map_all(env, 0);
        }
        tt_run(env, code);
        g_assert_cmpuint(tt_slow_ld_calls, ==, feat ? 0 : 1);
        g_assert_cmphex(env->out64[0], ==, ref_load(TT_RAM_BASE + 256,
                                                    MO_64 | MO_BE));
        want = 0;
        for (int i = 0; i < 20; i++) {
            want = ((want << 3) | (want >> 61)) + env->r64[8 + i] * (i + 2);
        }
        g_assert_cmphex(env->out64[1], ==, want);
    }
}

/* ---- atomics ---- */

enum { A_XCHG, A_FADD, A_FAND, A_FOR, A_FXOR, A_FUMIN, A_FUMAX, A_FSMIN,
       A_FSMAX, A_ADDF, A_ANDF, A_ORF, A_XORF, A_UMINF, A_UMAXF, A_SMINF,
       A_SMAXF, A_CMPXCHG, A_COUNT };

static void gen_atomic(int op, bool w64, MemOp mop)
{
    if (w64) {
        TCGv_i64 o = tt_out64[0], a = tt_r64[0], v = tt_r64[1];
        switch (op) {
        case A_XCHG: tcg_gen_atomic_xchg_i64(o, a, v, 0, mop); break;
        case A_FADD: tcg_gen_atomic_fetch_add_i64(o, a, v, 0, mop); break;
        case A_FAND: tcg_gen_atomic_fetch_and_i64(o, a, v, 0, mop); break;
        case A_FOR: tcg_gen_atomic_fetch_or_i64(o, a, v, 0, mop); break;
        case A_FXOR: tcg_gen_atomic_fetch_xor_i64(o, a, v, 0, mop); break;
        case A_FUMIN: tcg_gen_atomic_fetch_umin_i64(o, a, v, 0, mop); break;
        case A_FUMAX: tcg_gen_atomic_fetch_umax_i64(o, a, v, 0, mop); break;
        case A_FSMIN: tcg_gen_atomic_fetch_smin_i64(o, a, v, 0, mop); break;
        case A_FSMAX: tcg_gen_atomic_fetch_smax_i64(o, a, v, 0, mop); break;
        case A_ADDF: tcg_gen_atomic_add_fetch_i64(o, a, v, 0, mop); break;
        case A_ANDF: tcg_gen_atomic_and_fetch_i64(o, a, v, 0, mop); break;
        case A_ORF: tcg_gen_atomic_or_fetch_i64(o, a, v, 0, mop); break;
        case A_XORF: tcg_gen_atomic_xor_fetch_i64(o, a, v, 0, mop); break;
        case A_UMINF: tcg_gen_atomic_umin_fetch_i64(o, a, v, 0, mop); break;
        case A_UMAXF: tcg_gen_atomic_umax_fetch_i64(o, a, v, 0, mop); break;
        case A_SMINF: tcg_gen_atomic_smin_fetch_i64(o, a, v, 0, mop); break;
        case A_SMAXF: tcg_gen_atomic_smax_fetch_i64(o, a, v, 0, mop); break;
        default:
            tcg_gen_atomic_cmpxchg_i64(o, a, tt_r64[2], v, 0, mop);
            break;
        }
    } else {
        TCGv_i32 o = tt_out32[0], v = tt_r32[1];
        TCGv_i64 a = tt_r64[0];
        switch (op) {
        case A_XCHG: tcg_gen_atomic_xchg_i32(o, a, v, 0, mop); break;
        case A_FADD: tcg_gen_atomic_fetch_add_i32(o, a, v, 0, mop); break;
        case A_FAND: tcg_gen_atomic_fetch_and_i32(o, a, v, 0, mop); break;
        case A_FOR: tcg_gen_atomic_fetch_or_i32(o, a, v, 0, mop); break;
        case A_FXOR: tcg_gen_atomic_fetch_xor_i32(o, a, v, 0, mop); break;
        case A_FUMIN: tcg_gen_atomic_fetch_umin_i32(o, a, v, 0, mop); break;
        case A_FUMAX: tcg_gen_atomic_fetch_umax_i32(o, a, v, 0, mop); break;
        case A_FSMIN: tcg_gen_atomic_fetch_smin_i32(o, a, v, 0, mop); break;
        case A_FSMAX: tcg_gen_atomic_fetch_smax_i32(o, a, v, 0, mop); break;
        case A_ADDF: tcg_gen_atomic_add_fetch_i32(o, a, v, 0, mop); break;
        case A_ANDF: tcg_gen_atomic_and_fetch_i32(o, a, v, 0, mop); break;
        case A_ORF: tcg_gen_atomic_or_fetch_i32(o, a, v, 0, mop); break;
        case A_XORF: tcg_gen_atomic_xor_fetch_i32(o, a, v, 0, mop); break;
        case A_UMINF: tcg_gen_atomic_umin_fetch_i32(o, a, v, 0, mop); break;
        case A_UMAXF: tcg_gen_atomic_umax_fetch_i32(o, a, v, 0, mop); break;
        case A_SMINF: tcg_gen_atomic_smin_fetch_i32(o, a, v, 0, mop); break;
        case A_SMAXF: tcg_gen_atomic_smax_fetch_i32(o, a, v, 0, mop); break;
        default:
            tcg_gen_atomic_cmpxchg_i32(o, a, tt_r32[2], v, 0, mop);
            break;
        }
    }
}

static uint64_t sx(uint64_t v, unsigned bits)
{
    return bits == 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >>
                                       (64 - bits));
}

static void test_atomics(void)
{
    GRand *r = g_rand_new_with_seed(10);

    fill_ram(r);
    for (int op = 0; op < A_COUNT; op++) {
        for (int w64 = 0; w64 < 2; w64++) {
            for (int size = MO_8; size <= (w64 ? MO_64 : MO_32); size++) {
                for (int flags = 0; flags < 4; flags++) {
                    MemOp mop = size | (flags & 1 ? MO_SIGN : 0) |
                                (flags & 2 ? MO_BE : 0);
                    unsigned bits = 8 << size, calls;
                    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1;
                    void *code;

                    tcg_func_start(tcg_ctx);
                    gen_atomic(op, w64, mop);
                    tcg_gen_exit_tb(NULL, 0);
                    code = tt_gen();
                    for (int c = 0; c < 30; c++) {
                        uint64_t addr = rand_addr(r, 1u << size, true);
                        uint64_t old = ref_load(addr, mop & ~MO_SIGN);
                        uint64_t val = tt_rand_val(r, 64) & m;
                        uint64_t cmpv = (c & 1) ? old : tt_rand_val(r, 64) & m;
                        int64_t so = sx(old, bits), sv = sx(val, bits);
                        uint64_t nv, ret, got;
                        uint8_t expect[8];

                        switch (op) {
                        case A_XCHG: nv = val; break;
                        case A_FADD: case A_ADDF: nv = old + val; break;
                        case A_FAND: case A_ANDF: nv = old & val; break;
                        case A_FOR: case A_ORF: nv = old | val; break;
                        case A_FXOR: case A_XORF: nv = old ^ val; break;
                        case A_FUMIN: case A_UMINF: nv = MIN(old, val); break;
                        case A_FUMAX: case A_UMAXF: nv = MAX(old, val); break;
                        case A_FSMIN: case A_SMINF: nv = so < sv ? old : val; break;
                        case A_FSMAX: case A_SMAXF: nv = so > sv ? old : val; break;
                        default: nv = old == cmpv ? val : old; break;
                        }
                        nv &= m;
                        ret = (op >= A_ADDF && op < A_CMPXCHG) ? nv : old;
                        if (mop & MO_SIGN) {
                            ret = sx(ret, bits);
                        }
                        env->r64[0] = addr;
                        env->r64[1] = val;
                        env->r32[1] = val;
                        env->r64[2] = cmpv;
                        env->r32[2] = cmpv;
                        calls = tt_host_addr_calls;
                        tt_run(env, code);
                        g_assert_cmpuint(tt_host_addr_calls, ==, calls + 1);
                        got = w64 ? env->out64[0] : env->out32[0];
                        if (!w64) {
                            ret = (uint32_t)ret;
                        }
                        g_assert_cmphex(got, ==, ret);
                        ref_store(expect, nv, mop);
                        g_assert_cmpmem(tt_ram + (addr - TT_RAM_BASE),
                                        1u << size, expect, 1u << size);
                    }
                }
            }
        }
    }
    g_rand_free(r);
}

static bool has_mfence(const uint8_t *code, int size)
{
    for (int i = 0; i + 2 < size; i++) {
        if (code[i] == 0x0f && code[i + 1] == 0xae && code[i + 2] == 0xf0) {
            return true;
        }
    }
    return false;
}

static void test_mb(void)
{
    int size;
    uint8_t *code;

    tcg_func_start(tcg_ctx);
    tcg_gen_mb(TCG_MO_LD_LD | TCG_MO_LD_ST | TCG_MO_ST_ST | TCG_BAR_ACQ);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen_sized(&size);
    g_assert_false(has_mfence(code, size));
    tt_run(env, code);

    tcg_func_start(tcg_ctx);
    tcg_gen_mb(TCG_MO_ALL | TCG_BAR_REL);
    tcg_gen_exit_tb(NULL, 0);
    code = tt_gen_sized(&size);
    g_assert_true(has_mfence(code, size));
    tt_run(env, code);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tt_init();
    tt_tlb_flush(env);
    g_test_add_func("/tcg/mem/env-ld", test_env_ld);
    g_test_add_func("/tcg/mem/env-st", test_env_st);
    g_test_add_func("/tcg/mem/qemu-ldst-hit", test_qemu_ldst_hit);
    g_test_add_func("/tcg/mem/qemu-ldst-miss", test_qemu_ldst_miss);
    g_test_add_func("/tcg/mem/qemu-ldst-unaligned", test_qemu_ldst_unaligned);
    g_test_add_func("/tcg/mem/qemu-ldst-tlb-flags", test_qemu_ldst_tlb_flags);
    g_test_add_func("/tcg/mem/qemu-ld-preserves-registers",
                    test_qemu_ld_preserves_registers);
    g_test_add_func("/tcg/mem/atomics", test_atomics);
    g_test_add_func("/tcg/mem/mb", test_mb);
    return g_test_run();
}
