/*
 * tcg-harness.c: see tcg-harness.h.  The code buffer is one RWX mapping
 * handed out bump-wise and recycled when full (tests never keep old code
 * across a recycle).  The toy softmmu maps TT_RAM_SIZE bytes of host
 * memory at guest virtual TT_RAM_BASE; its slow path does the access
 * itself (any alignment, both endiannesses) and, when tt_slow_fill_tlb is
 * set, fills the TLB entry so that the next access hits.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg-harness.h"

#include <sys/mman.h>
#include <capstone/capstone.h>

TCGv_i64 tt_in64[4], tt_out64[4], tt_r64[TT_NB_R64];
TCGv_i32 tt_in32[4], tt_out32[4], tt_r32[TT_NB_R32];

uint8_t tt_ram[TT_RAM_SIZE] __attribute__((aligned(4096)));
unsigned tt_slow_ld_calls, tt_slow_st_calls, tt_host_addr_calls;
bool tt_slow_fill_tlb;
uint64_t tt_slow_seen_r64_0;

#define TT_CODE_SIZE (32u << 20)
static uint8_t *tt_code_buf;
static size_t tt_code_used;

static const char *const r64_names[TT_NB_R64] = {
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
    "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19",
    "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29",
    "x30", "x31", "x32", "x33", "x34", "x35", "x36", "x37", "x38", "x39",
    "x40", "x41", "x42", "x43", "x44", "x45", "x46", "x47",
};
static const char *const r32_names[TT_NB_R32] = {
    "w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9",
    "w10", "w11", "w12", "w13", "w14", "w15",
};
static const char *const in64_names[4] = { "in64_0", "in64_1", "in64_2",
                                           "in64_3" };
static const char *const in32_names[4] = { "in32_0", "in32_1", "in32_2",
                                           "in32_3" };
static const char *const out64_names[4] = { "out64_0", "out64_1",
                                            "out64_2", "out64_3" };
static const char *const out32_names[4] = { "out32_0", "out32_1",
                                            "out32_2", "out32_3" };

static uint64_t tt_bswap(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16(v);
    case 4: return __builtin_bswap32(v);
    case 8: return __builtin_bswap64(v);
    default: return v;
    }
}

static uint8_t *tt_ram_ptr(uint64_t addr, unsigned size)
{
    g_assert_cmphex(addr, >=, TT_RAM_BASE);
    g_assert_cmphex(addr + size, <=, TT_RAM_BASE + TT_RAM_SIZE);
    return tt_ram + (addr - TT_RAM_BASE);
}

static uint64_t tt_slow_ld(void *env, uint64_t addr, MemOpIdx oi,
                           uintptr_t retaddr)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    uint64_t v = 0;

    tt_slow_ld_calls++;
    tt_slow_seen_r64_0 = ((TcgTestEnv *)env)->r64[0];
    memcpy(&v, tt_ram_ptr(addr, size), size);
    if (mop & MO_BE) {
        v = tt_bswap(v, size);
    }
    if ((mop & MO_SIGN) && size < 8) {
        v = (uint64_t)((int64_t)(v << (64 - size * 8)) >> (64 - size * 8));
    }
    if (tt_slow_fill_tlb) {
        tt_tlb_map(env, get_mmuidx(oi), addr);
    }
    return v;
}

static void tt_slow_st(void *env, uint64_t addr, uint64_t val, MemOpIdx oi,
                       uintptr_t retaddr)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);

    tt_slow_st_calls++;
    tt_slow_seen_r64_0 = ((TcgTestEnv *)env)->r64[0];
    if (mop & MO_BE) {
        val = tt_bswap(val, size);
    }
    memcpy(tt_ram_ptr(addr, size), &val, size);
    if (tt_slow_fill_tlb) {
        tt_tlb_map(env, get_mmuidx(oi), addr);
    }
}

static void *tt_atomic_host_addr(void *env, uint64_t addr, MemOpIdx oi,
                                 uintptr_t retaddr)
{
    tt_host_addr_calls++;
    return tt_ram_ptr(addr, memop_size(get_memop(oi)));
}

void tt_tlb_flush(TcgTestEnv *env)
{
    memset(env->tlb_table, 0xff, sizeof(env->tlb_table));
    for (int i = 0; i < 2; i++) {
        env->tlb[i].mask = (TT_TLB_ENTRIES - 1) << TLB_ENTRY_BITS;
        env->tlb[i].table = env->tlb_table[i];
    }
}

void tt_tlb_map(TcgTestEnv *env, unsigned mmu_idx, uint64_t vaddr)
{
    uint64_t page = vaddr & ~0xfffull;
    TLBEntry *e = &env->tlb_table[mmu_idx][(vaddr >> 12) &
                                            (TT_TLB_ENTRIES - 1)];

    e->addr_read = page;
    e->addr_write = page;
    e->addr_code = page;
    e->addend = (uintptr_t)tt_ram_ptr(page, 1) - page;
}

void tt_init(void)
{
    TCGTargetParams p = {
        .page_bits = 12,
        .tlb_fast_offset = offsetof(TcgTestEnv, tlb),
        .nb_mmu_modes = 2,
        .insn_start_words = 2,
        .slow_ld = tt_slow_ld,
        .slow_st = tt_slow_st,
        .atomic_host_addr = tt_atomic_host_addr,
    };
    size_t n;
    const char *log = getenv("TT_LOG");     /* e.g. TT_LOG=op_opt,out_asm */

    if (log) {
        g_assert(log_parse_items(log, &log_mask, NULL));
    }
    tcg_init(&p);
    for (int i = 0; i < 4; i++) {
        tt_in64[i] = tcg_global_mem_new_i64(offsetof(TcgTestEnv, in64[i]),
                                            in64_names[i]);
        tt_in32[i] = tcg_global_mem_new_i32(offsetof(TcgTestEnv, in32[i]),
                                            in32_names[i]);
        tt_out64[i] = tcg_global_mem_new_i64(offsetof(TcgTestEnv, out64[i]),
                                             out64_names[i]);
        tt_out32[i] = tcg_global_mem_new_i32(offsetof(TcgTestEnv, out32[i]),
                                             out32_names[i]);
    }
    for (int i = 0; i < TT_NB_R64; i++) {
        tt_r64[i] = tcg_global_mem_new_i64(offsetof(TcgTestEnv, r64[i]),
                                           r64_names[i]);
    }
    for (int i = 0; i < TT_NB_R32; i++) {
        tt_r32[i] = tcg_global_mem_new_i32(offsetof(TcgTestEnv, r32[i]),
                                           r32_names[i]);
    }
    tt_code_buf = mmap(NULL, TT_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(tt_code_buf != MAP_FAILED);
    n = tcg_prologue_init(tt_code_buf, 4096);
    g_assert_cmpuint(n, >, 0);
    tt_code_used = 4096;
    tcg_context_init_thread();
}

void *tt_gen_sized(int *size)
{
    int n;
    void *code;

    if (tt_code_used + (1u << 20) > TT_CODE_SIZE) {
        tt_code_used = 4096;
    }
    code = tt_code_buf + tt_code_used;
    n = tcg_gen_code(tcg_ctx, code, TT_CODE_SIZE - tt_code_used);
    g_assert_cmpint(n, >, 0);
    tt_code_used = ROUND_UP(tt_code_used + n, 64);
    if (size) {
        *size = n;
    }
    return code;
}

void *tt_gen(void)
{
    return tt_gen_sized(NULL);
}

uintptr_t tt_run(TcgTestEnv *env, void *code)
{
    return tcg_qemu_tb_exec(env, code);
}

uint64_t tt_rand_val(GRand *r, unsigned bits)
{
    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t v;
    unsigned k = g_rand_int_range(r, 0, bits);

    switch (g_rand_int_range(r, 0, 12)) {
    case 0: v = 0; break;
    case 1: v = 1; break;
    case 2: v = ~0ull; break;
    case 3: v = 1ull << (bits - 1); break;              /* INT_MIN */
    case 4: v = (1ull << (bits - 1)) - 1; break;        /* INT_MAX */
    case 5: v = 1ull << k; break;
    case 6: v = (1ull << k) - 1; break;
    case 7: v = -(1ull << k); break;
    case 8: v = g_rand_int_range(r, 0, 80); break;      /* shift counts */
    case 9: v = -(uint64_t)g_rand_int_range(r, 1, 80); break;
    default:
        v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
        break;
    }
    return v & m;
}

int tt_count_env_stores(const void *code, int size, intptr_t offset)
{
    csh h;
    cs_insn *insn;
    size_t n;
    int count = 0;

    g_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    n = cs_disasm(h, code, size, (uintptr_t)code, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        cs_x86 *x = &insn[i].detail->x86;

        if (insn[i].id != X86_INS_MOV || x->op_count != 2) {
            continue;
        }
        if (x->operands[0].type == X86_OP_MEM &&
            x->operands[0].mem.base == X86_REG_R14 &&
            x->operands[0].mem.disp == offset) {
            count++;
        }
    }
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&h);
    return count;
}
