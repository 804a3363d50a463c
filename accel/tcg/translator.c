/*
 * translator.c: the generic translator loop and guest code fetch.
 *
 * A target's translate_code hook fills a DisasContextBase (embedded first
 * in its own DisasContext) and calls translator_loop() with its hooks:
 *
 *     init_disas_context   decode TB flags into the DisasContext
 *     [runtime]            exit_request check: ld_i32 + brcond to the end
 *     tb_start             per-TB prologue IR, if any
 *     per insn:  insn_start (tcg_gen_insn_start with the restore words),
 *                [runtime] the breakpoint check if some vCPU has one here,
 *                translate_insn (fetch with translator_ld*, emit IR,
 *                advance pc_next, maybe set is_jmp)
 *     tb_stop              the TB's exit (goto_tb/exit_tb, goto_ptr, ...)
 *     [runtime]            exit label: exit_tb(tb, TB_EXIT_REQUESTED)
 *
 * Code fetch records the (at most two) guest pages a TB's code comes from,
 * so the TB can be put on those pages' lists and invalidated when they are
 * written.  Fetching from a second page that does not translate (not
 * mapped, no execute permission) in any insn but the first restarts the
 * translation with the insns before it, so that the fault is taken when
 * that insn starts its own TB, with the guest state exact.
 *
 * vCPU thread only; no locks (a fetch fault siglongjmps out).
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/memory.h"
#include "accel/tcg/internal.h"
#include "exec/breakpoint.h"
#include "tcg/tcg-op.h"

/* Upper bound on ops per TB before we stop adding insns. */
#define TRANSLATOR_MAX_OPS 4000

static __thread sigjmp_buf *translator_restart;

static void translator_set_page(DisasContextBase *db, int n, vaddr vpage,
                                hwaddr ppage, void *host)
{
    db->page_virt[n] = vpage;
    db->page_phys[n] = ppage;
    db->page_host[n] = host;
}

void translator_loop(const TranslatorOps *ops, DisasContextBase *db,
                     CPUState *cpu, TranslationBlock *tb, int max_insns)
{
    sigjmp_buf restart;
    sigjmp_buf *volatile saved = translator_restart;
    volatile int limit = max_insns;
    vaddr mask = tcg_page_mask();
    hwaddr phys;
    void *host;
    TCGv_i32 flag;

    if (sigsetjmp(restart, 0) != 0) {
        limit = db->num_insns - 1;
        assert(limit >= 1);
    }
    translator_restart = &restart;
    tcg_func_start(tcg_ctx);

    db->tb = tb;
    db->pc_first = tb->pc;
    db->pc_next = tb->pc;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->max_insns = limit;
    /* The first page: a fault here is a fault of the first insn. */
    phys = get_page_addr_code_hostp(cpu, tb->pc, false, &host);
    translator_set_page(db, 0, tb->pc & mask, phys & mask,
                        host ? (uint8_t *)host - (tb->pc & ~mask) : NULL);
    translator_set_page(db, 1, -1, -1, NULL);

    ops->init_disas_context(db, cpu);

    /* exit_request is a field of CPUState, which precedes env. */
    db->exit_label = gen_new_label();
    flag = tcg_temp_new_i32();
    tcg_gen_ld_i32(flag, tcg_env,
                   (intptr_t)offsetof(CPUState, exit_request) -
                   tcg_ops->env_offset);
    tcg_gen_brcondi_i32(TCG_COND_NE, flag, 0, db->exit_label);
    tcg_temp_free_i32(flag);

    if (ops->tb_start) {
        ops->tb_start(db, cpu);
    }
    for (;;) {
        db->num_insns++;
        ops->insn_start(db, cpu);
        if (cpu_any_breakpoint_at(db->pc_next)) {
            /* Checked at run time against the running vCPU's list; fires
             * with this insn's state (accel/tcg/debug.c). */
            tcg_gen_debug_check(db->pc_next);
        }
        ops->translate_insn(db, cpu);
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        if (db->num_insns >= db->max_insns ||
            tcg_ctx->nb_ops >= TRANSLATOR_MAX_OPS) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db, cpu);
    gen_set_label(db->exit_label);
    tcg_gen_exit_tb(tb, TB_EXIT_REQUESTED);
    translator_restart = saved;

    tb->size = db->pc_next - db->pc_first;
    tb->icount = db->num_insns;
    tb->page_addr[0] = db->page_phys[0];
    tb->page_addr[1] = db->page_phys[1];
    if (!db->page_host[0] ||
        (db->page_virt[1] != (vaddr)-1 && !db->page_host[1])) {
        tb->cflags |= CF_NOCACHE;        /* code outside RAM */
    }

    tcg_log_filter_set(db->pc_first, db->pc_next);
    if (log_enabled(LOG_IN_ASM) && ops->disas_log) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        fprintf(f, "IN: pc=0x%" PRIx64 " (%d insns)\n", db->pc_first,
                db->num_insns);
        ops->disas_log(db, cpu, f);
        fclose(f);
        log_printf("%s\n", buf);
        free(buf);
    }
}

bool translator_is_same_page(const DisasContextBase *db, vaddr pc)
{
    return ((pc ^ db->pc_first) & tcg_page_mask()) == 0;
}

bool translator_use_goto_tb(const DisasContextBase *db, vaddr dest)
{
    return !log_enabled(LOG_NOCHAIN) && translator_is_same_page(db, dest);
}

/* The page slot holding pc, translating and recording it if new. */
static int translator_page(CPUState *cpu, DisasContextBase *db, vaddr pc)
{
    vaddr mask = tcg_page_mask();
    vaddr vpage = pc & mask;
    hwaddr phys;
    void *host;

    if (db->page_virt[0] == vpage) {
        return 0;
    }
    if (db->page_virt[1] == vpage) {
        return 1;
    }
    /* A TB spans at most two consecutive pages: the target stops first. */
    assert(db->page_virt[1] == (vaddr)-1 &&
           vpage == db->page_virt[0] + (1ull << tcg_ops->page_bits));
    phys = get_page_addr_code_hostp(cpu, pc, db->num_insns > 1, &host);
    if (phys == (hwaddr)-1) {
        /* Not the first insn: end the TB before it and try again. */
        assert(translator_restart);
        siglongjmp(*translator_restart, 1);
    }
    translator_set_page(db, 1, vpage, phys & mask,
                        host ? (uint8_t *)host - (pc & ~mask) : NULL);
    return 1;
}

static uint8_t translator_byte(CPUState *cpu, DisasContextBase *db, vaddr pc)
{
    int n = translator_page(cpu, db, pc);
    vaddr off = pc & ~tcg_page_mask();
    uint8_t b = 0;

    if (db->page_host[n]) {
        /* Other vCPUs may be storing there (cross-modifying code). */
        return __atomic_load_n(&db->page_host[n][off], __ATOMIC_RELAXED);
    }
    /* Code in MMIO/ROM-device space: read through the memory API. */
    address_space_read(&address_space_memory, db->page_phys[n] | off,
                       MEMTXATTRS_UNSPECIFIED, &b, 1);
    return b;
}

static uint64_t translator_ldn(CPUState *cpu, DisasContextBase *db, vaddr pc,
                               unsigned size, MemOp endian)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t b = translator_byte(cpu, db, pc + i);

        v |= b << (8 * ((endian & MO_BE) ? size - 1 - i : i));
    }
    return v;
}

uint8_t translator_ldub(CPUState *cpu, DisasContextBase *db, vaddr pc)
{
    return translator_byte(cpu, db, pc);
}

uint16_t translator_lduw(CPUState *cpu, DisasContextBase *db, vaddr pc,
                         MemOp endian)
{
    return translator_ldn(cpu, db, pc, 2, endian);
}

uint32_t translator_ldl(CPUState *cpu, DisasContextBase *db, vaddr pc,
                        MemOp endian)
{
    return translator_ldn(cpu, db, pc, 4, endian);
}

uint64_t translator_ldq(CPUState *cpu, DisasContextBase *db, vaddr pc,
                        MemOp endian)
{
    return translator_ldn(cpu, db, pc, 8, endian);
}
