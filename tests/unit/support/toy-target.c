/*
 * toy-target.c: see toy-target.h.  The translator shows the shape a real
 * target takes: a DisasContext embedding DisasContextBase, the
 * TranslatorOps hooks, goto_tb for direct jumps on the same page and
 * lookup_and_goto_ptr otherwise, helpers that raise exceptions with
 * cpu_loop_exit, and a tlb_fill that calls tlb_set_page or faults.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/bql.h"
#include "system/memory.h"
#include "accel/accel.h"
#include "tcg/tcg-op.h"
#include "toy-target.h"

ToyCallHook *toy_call_hook;
MemoryRegion toy_ram;
uint8_t *toy_ram_ptr;

/* Page table entries: phys page | prot << 1 | valid.  Atomic. */
static uint64_t toy_pt[TOY_PT_PAGES];

static TCGv_i64 toy_r[TOY_NB_REGS];
static TCGv_i64 toy_pc;

static const char *const toy_reg_names[TOY_NB_REGS] = {
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* ------------------------------------------------------------------ */
/* Page table                                                          */

void toy_map(uint64_t vaddr, hwaddr paddr, int prot)
{
    uint64_t pte = (paddr & ~(uint64_t)(TOY_PAGE_SIZE - 1)) |
                   ((uint64_t)prot << 1) | 1;

    assert((vaddr >> TOY_PAGE_BITS) < TOY_PT_PAGES);
    __atomic_store_n(&toy_pt[vaddr >> TOY_PAGE_BITS], pte, __ATOMIC_RELEASE);
}

void toy_unmap(uint64_t vaddr)
{
    __atomic_store_n(&toy_pt[vaddr >> TOY_PAGE_BITS], 0, __ATOMIC_RELEASE);
}

void toy_map_identity(void)
{
    for (uint64_t a = 0; a < TOY_RAM_SIZE; a += TOY_PAGE_SIZE) {
        toy_map(a, a, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    }
}

static bool toy_tlb_fill(CPUState *cpu, vaddr addr, int size,
                         MMUAccessType type, int mmu_idx, bool probe,
                         uintptr_t retaddr)
{
    ToyEnv *env = &TOY_CPU(cpu)->env;
    uint64_t idx = addr >> TOY_PAGE_BITS;
    uint64_t pte = idx < TOY_PT_PAGES ?
                   __atomic_load_n(&toy_pt[idx], __ATOMIC_ACQUIRE) : 0;
    int prot = (pte >> 1) & 7;
    int need = type == MMU_DATA_LOAD ? PAGE_READ :
               type == MMU_DATA_STORE ? PAGE_WRITE : PAGE_EXEC;

    if ((pte & 1) && (prot & need)) {
        tlb_set_page(cpu, addr, (pte & ~(uint64_t)(TOY_PAGE_SIZE - 1)) |
                     (addr & (TOY_PAGE_SIZE - 1)), prot, mmu_idx,
                     TOY_PAGE_SIZE);
        return true;
    }
    if (probe) {
        return false;
    }
    env->fault_addr = addr;
    env->fault_type = type;
    cpu->exception_index = TOY_EXCP_FAULT;
    cpu_loop_exit_restore(cpu, retaddr);
}

static void toy_do_unaligned_access(CPUState *cpu, vaddr addr,
                                    MMUAccessType type, int mmu_idx,
                                    uintptr_t retaddr)
{
    ToyEnv *env = &TOY_CPU(cpu)->env;

    env->fault_addr = addr;
    env->fault_type = type;
    cpu->exception_index = TOY_EXCP_ALIGN;
    cpu_loop_exit_restore(cpu, retaddr);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void toy_helper_halt(void *env)
{
    CPUState *cpu = env_cpu(env);

    cpu->exception_index = EXCP_HLT;
    cpu_loop_exit(cpu);
}

static const TCGHelperInfo toy_helper_halt_info = {
    .func = toy_helper_halt, .name = "halt", .flags = TCG_CALL_NO_WG,
    .ret = TCG_CALL_VOID, .nb_args = 1,
};

static void toy_helper_call(void *env, uint64_t imm)
{
    if (toy_call_hook) {
        toy_call_hook(env_cpu(env), (int32_t)imm, GETPC());
    }
}

static const TCGHelperInfo toy_helper_call_info = {
    .func = toy_helper_call, .name = "call", .flags = 0,
    .ret = TCG_CALL_VOID, .nb_args = 2,
};

/* ------------------------------------------------------------------ */
/* Translator                                                          */

typedef struct DisasContext {
    DisasContextBase base;
    int mmu_idx;
} DisasContext;

static void toy_gen_goto_tb(DisasContext *s, int n, uint64_t dest)
{
    if (translator_use_goto_tb(&s->base, dest)) {
        tcg_gen_goto_tb(n);
        tcg_gen_movi_i64(toy_pc, dest);
        tcg_gen_exit_tb(s->base.tb, n);
    } else {
        tcg_gen_movi_i64(toy_pc, dest);
        tcg_gen_lookup_and_goto_ptr();
    }
}

static void toy_init_disas_context(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);

    s->mmu_idx = db->tb->flags & 1;
}

static void toy_insn_start(DisasContextBase *db, CPUState *cpu)
{
    tcg_gen_insn_start(db->pc_next, 0, 0);
}

static TCGv_i64 toy_addr(int rs, int32_t imm)
{
    TCGv_i64 a = tcg_temp_new_i64();

    tcg_gen_addi_i64(a, toy_r[rs], imm);
    return a;
}

static void toy_translate_insn(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);
    uint64_t pc = db->pc_next;
    uint64_t insn = translator_ldq(cpu, db, pc, MO_LE);
    int op = insn & 0xff, rd = (insn >> 8) & 15, rs = (insn >> 16) & 15;
    int aux = (insn >> 24) & 0xff;
    int32_t imm = (int32_t)(insn >> 32);
    TCGLabel *l;
    TCGv_i64 a;

    db->pc_next = pc + 8;
    switch (op) {
    case TOY_OP_ADDI:
        tcg_gen_addi_i64(toy_r[rd], toy_r[rs], imm);
        break;
    case TOY_OP_ADD:
        tcg_gen_add_i64(toy_r[rd], toy_r[rs], toy_r[aux & 15]);
        break;
    case TOY_OP_LD:
        a = toy_addr(rs, imm);
        tcg_gen_qemu_ld_i64(toy_r[rd], a, s->mmu_idx, (MemOp)aux);
        tcg_temp_free_i64(a);
        break;
    case TOY_OP_ST:
        a = toy_addr(rs, imm);
        tcg_gen_qemu_st_i64(toy_r[rd], a, s->mmu_idx, (MemOp)aux);
        tcg_temp_free_i64(a);
        break;
    case TOY_OP_BNE:
        l = gen_new_label();
        tcg_gen_brcond_i64(TCG_COND_EQ, toy_r[rd], toy_r[rs], l);
        toy_gen_goto_tb(s, 0, pc + imm);
        gen_set_label(l);
        toy_gen_goto_tb(s, 1, pc + 8);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_OP_JMP:
        toy_gen_goto_tb(s, 0, pc + imm);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_OP_JR:
        tcg_gen_mov_i64(toy_pc, toy_r[rs]);
        tcg_gen_lookup_and_goto_ptr();
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_OP_HALT: {
        TCGArg args[1] = { tcgv_ptr_arg(tcg_env) };

        tcg_gen_movi_i64(toy_pc, pc + 8);
        tcg_gen_callN(&toy_helper_halt_info, TCG_CALL_NO_RET, 1, args);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    case TOY_OP_CALL: {
        TCGArg args[2] = { tcgv_ptr_arg(tcg_env),
                           tcgv_i64_arg(tcg_constant_i64(imm)) };

        tcg_gen_callN(&toy_helper_call_info, TCG_CALL_NO_RET, 2, args);
        break;
    }
    default:
        /* An undefined insn halts (a real target raises #UD). */
        tcg_gen_movi_i64(toy_pc, pc);
        {
            TCGArg args[1] = { tcgv_ptr_arg(tcg_env) };

            tcg_gen_callN(&toy_helper_halt_info, TCG_CALL_NO_RET, 1, args);
        }
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    if (db->is_jmp == DISAS_NEXT &&
        !translator_is_same_page(db, db->pc_next)) {
        db->is_jmp = DISAS_TOO_MANY;      /* next insn on another page */
    }
}

static void toy_tb_stop(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = container_of(db, DisasContext, base);

    if (db->is_jmp == DISAS_TOO_MANY) {
        toy_gen_goto_tb(s, 0, db->pc_next);
    }
}

static void toy_disas_log(const DisasContextBase *db, CPUState *cpu, FILE *f)
{
    fprintf(f, "toy code 0x%" PRIx64 "..0x%" PRIx64 "\n", db->pc_first,
            db->pc_next);
}

static const TranslatorOps toy_translator_ops = {
    .init_disas_context = toy_init_disas_context,
    .insn_start = toy_insn_start,
    .translate_insn = toy_translate_insn,
    .tb_stop = toy_tb_stop,
    .disas_log = toy_disas_log,
};

static void toy_translate_code(CPUState *cpu, TranslationBlock *tb,
                               int max_insns)
{
    DisasContext s = { 0 };

    translator_loop(&toy_translator_ops, &s.base, cpu, tb, max_insns);
}

/* ------------------------------------------------------------------ */
/* CPU glue                                                            */

static void toy_get_tb_cpu_state(CPUState *cpu, vaddr *pc, uint64_t *cs_base,
                                 uint32_t *flags)
{
    ToyEnv *env = &TOY_CPU(cpu)->env;

    *pc = env->pc;
    *cs_base = 0;
    *flags = env->flags;
}

static void toy_restore_state_to_opc(CPUState *cpu, const TranslationBlock *tb,
                                     const uint64_t *words)
{
    TOY_CPU(cpu)->env.pc = words[0];
}

static int toy_code_mmu_index(CPUState *cpu)
{
    return TOY_CPU(cpu)->env.flags & 1;
}

static const TargetTcgOps toy_tcg_ops = {
    .page_bits = TOY_PAGE_BITS,
    .nb_mmu_modes = TOY_NB_MMU,
    .insn_start_words = 1,
    .env_offset = offsetof(ToyCPU, env) - offsetof(ToyCPU, parent),
    .tlb_fast_offset = offsetof(ToyEnv, tlb),
    .get_tb_cpu_state = toy_get_tb_cpu_state,
    .translate_code = toy_translate_code,
    .restore_state_to_opc = toy_restore_state_to_opc,
    .tlb_fill = toy_tlb_fill,
    .do_unaligned_access = toy_do_unaligned_access,
    .code_mmu_index = toy_code_mmu_index,
};

/* BQL, vCPU thread. */
static void toy_do_interrupt(CPUState *cpu)
{
    ToyEnv *env = &TOY_CPU(cpu)->env;

    assert(bql_locked());
    env->last_excp = cpu->exception_index;
    env->excp_pc = env->pc;
    env->nb_excps++;
    env->pc = env->fault_vector;
}

static bool toy_has_work(CPUState *cpu)
{
    return __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) != 0;
}

static void toy_dump_state(CPUState *cpu, FILE *f)
{
    ToyEnv *env = &TOY_CPU(cpu)->env;

    fprintf(f, "pc=%016" PRIx64 " r1=%016" PRIx64 "\n", env->pc,
            env->regs[1]);
}

static const CPUClass toy_cpu_class = {
    .arch = "toy",
    .has_work = toy_has_work,
    .do_interrupt = toy_do_interrupt,
    .dump_state = toy_dump_state,
};

static bool toy_accel_init_vcpu(CPUState *cpu, Error **errp)
{
    tcg_vcpu_init(cpu);
    return true;
}

const AccelOps toy_accel_ops = {
    .name = "toy-tcg",
    .thread_suffix = "TOY",
    .has_vcpu_threads = true,
    .init_vcpu = toy_accel_init_vcpu,
    .exec_vcpu = tcg_cpu_exec,
    .destroy_vcpu = tcg_vcpu_destroy,
};

void toy_init(size_t code_size)
{
    Error *err = NULL;

    assert(bql_locked());
    accel_register(&toy_accel_ops);
    current_accel = &toy_accel_ops;
    g_assert_true(memory_region_init_ram(&toy_ram, "toy-ram", TOY_RAM_SIZE,
                                         &err));
    memory_region_add_subregion(get_system_memory(), 0, &toy_ram);
    toy_ram_ptr = memory_region_get_ram_ptr(&toy_ram);
    g_assert_true(tcg_runtime_init(&toy_tcg_ops, code_size, &err));
    for (int i = 0; i < TOY_NB_REGS; i++) {
        toy_r[i] = tcg_global_mem_new_i64(offsetof(ToyEnv, regs[i]),
                                          toy_reg_names[i]);
    }
    toy_pc = tcg_global_mem_new_i64(offsetof(ToyEnv, pc), "pc");
}

ToyCPU *toy_cpu_new(int index)
{
    ToyCPU *c = g_new0(ToyCPU, 1);

    c->parent.env_ptr = &c->env;
    cpu_init_common(&c->parent, &toy_cpu_class, index);
    return c;
}

void toy_cpu_bare_init(ToyCPU *c)
{
    tcg_vcpu_init(&c->parent);
}

int toy_run(ToyCPU *c)
{
    int r;

    cpu_exec_start(&c->parent);
    r = tcg_cpu_exec(&c->parent);
    cpu_exec_end(&c->parent);
    return r;
}

int toy_run_until_halt(ToyCPU *c, int max_calls)
{
    int r = -1;

    for (int i = 0; i < max_calls; i++) {
        r = toy_run(c);
        if (r == EXCP_HLT) {
            break;
        }
    }
    return r;
}

uint64_t toy_insn(int op, int rd, int rs, int aux, int32_t imm)
{
    return (uint64_t)op | ((uint64_t)rd << 8) | ((uint64_t)rs << 16) |
           ((uint64_t)(aux & 0xff) << 24) | ((uint64_t)(uint32_t)imm << 32);
}

void toy_put_code(hwaddr paddr, const uint64_t *insns, int n)
{
    assert(paddr + 8ull * n <= TOY_RAM_SIZE);
    for (int i = 0; i < n; i++) {
        uint64_t v = insns[i];

        for (int b = 0; b < 8; b++) {
            __atomic_store_n(&toy_ram_ptr[paddr + 8 * i + b],
                             (uint8_t)(v >> (8 * b)), __ATOMIC_RELAXED);
        }
    }
}
