/*
 * tcg.c: the TCG core: the shared global table, per-thread contexts, temps,
 * op emission, the text dump, the tcg_gen_code() driver and the per-TB insn
 * table used to restore guest state.
 *
 * Global state and its owners:
 *   tcg_target_params, tcg_global_table[], tcg_nb_global_temps:
 *     written by the main thread in tcg_init()/tcg_global_mem_new_*()
 *     before any context exists (asserted), read-only afterwards; every
 *     tcg_context_init_thread() copies the table, and thread creation
 *     orders the copy after the writes.
 *   tcg_ctx: thread-local; everything in a TCGContext belongs to its thread.
 *
 * Typical per-TB sequence on a vCPU thread (the runtime's job):
 *
 *     tcg_func_start(tcg_ctx);
 *     ... front end: tcg_gen_insn_start(), tcg_gen_*() ...
 *     size = tcg_gen_code(tcg_ctx, code_ptr, space);
 *     len = tcg_insn_table_encode(tcg_ctx, code_ptr + size, space - size);
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg.h"
#include "tcg/tcg-internal.h"

#include <capstone/capstone.h>
#include <dlfcn.h>

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(n, o, i, c, f) [INDEX_op_##n] = { #n, o, i, c, f },
#include "tcg/tcg-opc.h"
#undef DEF
};

const char *const tcg_cond_names[TCG_COND_COUNT] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always",
    [TCG_COND_EQ] = "eq", [TCG_COND_NE] = "ne",
    [TCG_COND_LT] = "lt", [TCG_COND_GE] = "ge",
    [TCG_COND_LE] = "le", [TCG_COND_GT] = "gt",
    [TCG_COND_LTU] = "ltu", [TCG_COND_GEU] = "geu",
    [TCG_COND_LEU] = "leu", [TCG_COND_GTU] = "gtu",
    [TCG_COND_TSTEQ] = "tsteq", [TCG_COND_TSTNE] = "tstne",
};

TCGCond tcg_invert_cond(TCGCond c)
{
    static const TCGCond inv[TCG_COND_COUNT] = {
        [TCG_COND_NEVER] = TCG_COND_ALWAYS, [TCG_COND_ALWAYS] = TCG_COND_NEVER,
        [TCG_COND_EQ] = TCG_COND_NE, [TCG_COND_NE] = TCG_COND_EQ,
        [TCG_COND_LT] = TCG_COND_GE, [TCG_COND_GE] = TCG_COND_LT,
        [TCG_COND_LE] = TCG_COND_GT, [TCG_COND_GT] = TCG_COND_LE,
        [TCG_COND_LTU] = TCG_COND_GEU, [TCG_COND_GEU] = TCG_COND_LTU,
        [TCG_COND_LEU] = TCG_COND_GTU, [TCG_COND_GTU] = TCG_COND_LEU,
        [TCG_COND_TSTEQ] = TCG_COND_TSTNE, [TCG_COND_TSTNE] = TCG_COND_TSTEQ,
    };
    return inv[c];
}

TCGCond tcg_swap_cond(TCGCond c)
{
    static const TCGCond swp[TCG_COND_COUNT] = {
        [TCG_COND_NEVER] = TCG_COND_NEVER, [TCG_COND_ALWAYS] = TCG_COND_ALWAYS,
        [TCG_COND_EQ] = TCG_COND_EQ, [TCG_COND_NE] = TCG_COND_NE,
        [TCG_COND_LT] = TCG_COND_GT, [TCG_COND_GE] = TCG_COND_LE,
        [TCG_COND_LE] = TCG_COND_GE, [TCG_COND_GT] = TCG_COND_LT,
        [TCG_COND_LTU] = TCG_COND_GTU, [TCG_COND_GEU] = TCG_COND_LEU,
        [TCG_COND_LEU] = TCG_COND_GEU, [TCG_COND_GTU] = TCG_COND_LTU,
        [TCG_COND_TSTEQ] = TCG_COND_TSTEQ, [TCG_COND_TSTNE] = TCG_COND_TSTNE,
    };
    return swp[c];
}

/* ---- the shared global table ---------------------------------------- */

TCGTargetParams tcg_target_params;
static TCGTemp tcg_global_table[TCG_MAX_TEMPS];
static int tcg_nb_global_temps;
static int tcg_nb_contexts;            /* atomic */

__thread TCGContext *tcg_ctx;

const TCGv_ptr tcg_env = (TCGv_ptr)(uintptr_t)1;     /* temp index 0 */

/* Main thread, before any context. */
void tcg_init(const TCGTargetParams *params)
{
    assert(__atomic_load_n(&tcg_nb_contexts, __ATOMIC_SEQ_CST) == 0);
    assert(params->insn_start_words >= 1 &&
           params->insn_start_words <= TCG_MAX_INSN_WORDS);
    assert(params->page_bits >= 10 && params->page_bits <= 30);
    tcg_target_params = *params;
    tcg_host_features = tcg_host_features_detect();

    memset(tcg_global_table, 0, sizeof(tcg_global_table));
    tcg_global_table[0] = (TCGTemp) {
        .type = TCG_TYPE_PTR, .kind = TEMP_FIXED, .name = "env",
        .reg = TCG_AREG0, .val_type = TEMP_VAL_REG,
    };
    tcg_nb_global_temps = 1;
}

static TCGArg tcg_global_mem_new(TCGType type, intptr_t offset,
                                 const char *name)
{
    TCGTemp *ts;

    assert(__atomic_load_n(&tcg_nb_contexts, __ATOMIC_SEQ_CST) == 0);
    assert(tcg_nb_global_temps < TCG_MAX_TEMPS / 2);
    assert(offset >= 0 && offset < INT32_MAX);
    ts = &tcg_global_table[tcg_nb_global_temps];
    *ts = (TCGTemp) {
        .type = type, .kind = TEMP_GLOBAL, .name = name,
        .mem_offset = offset, .mem_allocated = true,
        .val_type = TEMP_VAL_MEM, .mem_coherent = true,
    };
    return tcg_nb_global_temps++;
}

TCGv_i32 tcg_global_mem_new_i32(intptr_t env_offset, const char *name)
{
    return temp_tcgv_i32(tcg_global_mem_new(TCG_TYPE_I32, env_offset, name));
}

TCGv_i64 tcg_global_mem_new_i64(intptr_t env_offset, const char *name)
{
    return temp_tcgv_i64(tcg_global_mem_new(TCG_TYPE_I64, env_offset, name));
}

/* ---- contexts --------------------------------------------------------- */

/* Any thread, once per thread. */
TCGContext *tcg_context_init_thread(void)
{
    TCGContext *s;

    assert(tcg_ctx == NULL);
    assert(tcg_nb_global_temps > 0);   /* tcg_init() first */
    __atomic_fetch_add(&tcg_nb_contexts, 1, __ATOMIC_SEQ_CST);
    s = g_new0(TCGContext, 1);
    s->nb_globals = tcg_nb_global_temps;
    memcpy(s->temps, tcg_global_table, sizeof(TCGTemp) * s->nb_globals);
    s->const_table[TCG_TYPE_I32] = g_hash_table_new(g_int64_hash,
                                                    g_int64_equal);
    s->const_table[TCG_TYPE_I64] = g_hash_table_new(g_int64_hash,
                                                    g_int64_equal);
    s->ops_cap = 256;
    s->ops = g_new(TCGOp, s->ops_cap);
    s->relocs_cap = 64;
    s->relocs = g_new(TCGRelocation, s->relocs_cap);
    s->ldst_cap = 16;
    s->ldst = g_new(TCGLdstStub, s->ldst_cap);
    tcg_ctx = s;
    tcg_func_start(s);
    return s;
}

/* The context's own thread. */
void tcg_context_destroy_thread(void)
{
    TCGContext *s = tcg_ctx;

    if (!s) {
        return;
    }
    g_hash_table_destroy(s->const_table[0]);
    g_hash_table_destroy(s->const_table[1]);
    g_free(s->ops);
    g_free(s->relocs);
    g_free(s->ldst);
    g_free(s->opt_info);
    g_free(s);
    tcg_ctx = NULL;
    __atomic_fetch_sub(&tcg_nb_contexts, 1, __ATOMIC_SEQ_CST);
}

void tcg_func_start(TCGContext *s)
{
    s->nb_temps = s->nb_globals;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_insns_ir = 0;
    s->free_head[0] = s->free_head[1] = -1;
    g_hash_table_remove_all(s->const_table[0]);
    g_hash_table_remove_all(s->const_table[1]);
}

/* ---- temps ------------------------------------------------------------ */

static TCGArg tcg_temp_alloc(TCGContext *s, TCGType type, TCGTempKind kind)
{
    TCGTemp *ts;
    int idx;

    if (kind == TEMP_TB && s->free_head[type] >= 0) {
        idx = s->free_head[type];
        ts = &s->temps[idx];
        s->free_head[type] = ts->next_free;
        ts->is_free = false;
        return idx;
    }
    if (s->nb_temps >= TCG_MAX_TEMPS) {
        /* A front-end bug: too many temps in one TB. */
        g_error("tcg: more than %d temps in one TB", TCG_MAX_TEMPS);
    }
    idx = s->nb_temps++;
    ts = &s->temps[idx];
    memset(ts, 0, sizeof(*ts));
    ts->type = type;
    ts->kind = kind;
    ts->next_free = -1;
    return idx;
}

TCGv_i32 tcg_temp_new_i32(void)
{
    return temp_tcgv_i32(tcg_temp_alloc(tcg_ctx, TCG_TYPE_I32, TEMP_TB));
}

TCGv_i64 tcg_temp_new_i64(void)
{
    return temp_tcgv_i64(tcg_temp_alloc(tcg_ctx, TCG_TYPE_I64, TEMP_TB));
}

TCGv_ptr tcg_temp_new_ptr(void)
{
    return temp_tcgv_ptr(tcg_temp_alloc(tcg_ctx, TCG_TYPE_PTR, TEMP_TB));
}

static void tcg_temp_free_idx(TCGContext *s, TCGArg idx)
{
    TCGTemp *ts = &s->temps[idx];

    if (ts->kind != TEMP_TB) {
        return;             /* freeing a global or constant is a no-op */
    }
    assert(!ts->is_free);
    ts->is_free = true;
    ts->next_free = s->free_head[ts->type];
    s->free_head[ts->type] = idx;
}

void tcg_temp_free_i32(TCGv_i32 v)
{
    tcg_temp_free_idx(tcg_ctx, tcgv_i32_arg(v));
}

void tcg_temp_free_i64(TCGv_i64 v)
{
    tcg_temp_free_idx(tcg_ctx, tcgv_i64_arg(v));
}

void tcg_temp_free_ptr(TCGv_ptr v)
{
    tcg_temp_free_idx(tcg_ctx, tcgv_ptr_arg(v));
}

/* Interned per TB: the same value always yields the same temp. */
TCGArg tcg_constant_idx(TCGContext *s, TCGType type, uint64_t val)
{
    gpointer p;
    TCGArg idx;

    if (type == TCG_TYPE_I32) {
        val = (uint32_t)val;
    }
    p = g_hash_table_lookup(s->const_table[type], &val);
    if (p) {
        return GPOINTER_TO_INT(p) - 1;
    }
    idx = tcg_temp_alloc(s, type, TEMP_CONST);
    s->temps[idx].val = val;
    s->temps[idx].val_type = TEMP_VAL_CONST;
    g_hash_table_insert(s->const_table[type], &s->temps[idx].val,
                        GINT_TO_POINTER(idx + 1));
    return idx;
}

TCGv_i32 tcg_constant_i32(int32_t val)
{
    return temp_tcgv_i32(tcg_constant_idx(tcg_ctx, TCG_TYPE_I32,
                                          (uint32_t)val));
}

TCGv_i64 tcg_constant_i64(int64_t val)
{
    return temp_tcgv_i64(tcg_constant_idx(tcg_ctx, TCG_TYPE_I64, val));
}

TCGv_ptr tcg_constant_ptr(uintptr_t val)
{
    return temp_tcgv_ptr(tcg_constant_idx(tcg_ctx, TCG_TYPE_PTR, val));
}

/* ---- ops and labels --------------------------------------------------- */

TCGOp *tcg_emit_op(TCGOpcode opc, int nb_oargs, int nb_iargs, int nb_cargs,
                   const TCGArg *args)
{
    TCGContext *s = tcg_ctx;
    TCGOp *op;
    int n = nb_oargs + nb_iargs + nb_cargs;

    assert(n <= TCG_MAX_OP_ARGS);
    if (s->nb_ops == s->ops_cap) {
        s->ops_cap *= 2;
        s->ops = g_renew(TCGOp, s->ops, s->ops_cap);
    }
    op = &s->ops[s->nb_ops++];
    op->opc = opc;
    op->nb_oargs = nb_oargs;
    op->nb_iargs = nb_iargs;
    op->nb_cargs = nb_cargs;
    op->dead_args = 0;
    op->sync_args = 0;
    memcpy(op->args, args, n * sizeof(TCGArg));
    return op;
}

TCGOp *tcg_op_insert_after(TCGContext *s, int idx)
{
    TCGOp *op;

    if (s->nb_ops == s->ops_cap) {
        s->ops_cap *= 2;
        s->ops = g_renew(TCGOp, s->ops, s->ops_cap);
    }
    memmove(&s->ops[idx + 2], &s->ops[idx + 1],
            (s->nb_ops - idx - 1) * sizeof(TCGOp));
    s->nb_ops++;
    op = &s->ops[idx + 1];
    memset(op, 0, sizeof(*op));
    op->opc = INDEX_op_nop;
    return op;
}

TCGLabel *gen_new_label(void)
{
    TCGContext *s = tcg_ctx;
    TCGLabel *l;

    if (s->nb_labels >= TCG_MAX_LABELS) {
        g_error("tcg: more than %d labels in one TB", TCG_MAX_LABELS);
    }
    l = &s->labels[s->nb_labels];
    memset(l, 0, sizeof(*l));
    l->id = s->nb_labels++;
    return l;
}

/* ---- text dump -------------------------------------------------------- */

static void dump_temp(TCGContext *s, GString *out, TCGArg idx)
{
    TCGTemp *ts = &s->temps[idx];

    switch (ts->kind) {
    case TEMP_FIXED:
    case TEMP_GLOBAL:
        g_string_append(out, ts->name);
        break;
    case TEMP_CONST:
        g_string_append_printf(out, "$0x%" PRIx64, ts->val);
        break;
    case TEMP_TB:
        g_string_append_printf(out, "tmp%d", (int)(idx - s->nb_globals));
        break;
    }
}

static const char *const memop_size_names[4] = { "b", "w", "l", "q" };

void tcg_dump_ops(TCGContext *s, GString *out, bool with_life)
{
    for (int i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        int nb_o = op->nb_oargs, nb_i = op->nb_iargs, k = 0;
        size_t start = out->len;

        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            g_string_append(out, " ----");
            for (unsigned j = 0; j < tcg_target_params.insn_start_words; j++) {
                g_string_append_printf(out, " %016" PRIx64,
                                       (uint64_t)op->args[j]);
            }
            g_string_append_c(out, '\n');
            continue;
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info =
                (const TCGHelperInfo *)op->args[nb_o + nb_i];
            g_string_append_printf(out, " call %s,$0x%x", info->name,
                                   info->flags);
            k = 0;
            for (; k < nb_o + nb_i; k++) {
                g_string_append_c(out, ',');
                dump_temp(s, out, op->args[k]);
            }
        } else {
            g_string_append_printf(out, " %s ", def->name);
            for (; k < nb_o + nb_i; k++) {
                if (k) {
                    g_string_append_c(out, ',');
                }
                dump_temp(s, out, op->args[k]);
            }
            for (int c = 0; c < op->nb_cargs; c++, k++) {
                TCGArg a = op->args[k];

                if (k) {
                    g_string_append_c(out, ',');
                }
                switch (op->opc) {
                case INDEX_op_set_label:
                case INDEX_op_br:
                    g_string_append_printf(out, "$L%d", (int)a);
                    continue;
                case INDEX_op_brcond_i32:
                case INDEX_op_brcond_i64:
                    if (c == 0) {
                        g_string_append(out, tcg_cond_names[a]);
                    } else {
                        g_string_append_printf(out, "$L%d", (int)a);
                    }
                    continue;
                case INDEX_op_setcond_i32: case INDEX_op_setcond_i64:
                case INDEX_op_negsetcond_i32: case INDEX_op_negsetcond_i64:
                case INDEX_op_movcond_i32: case INDEX_op_movcond_i64:
                    g_string_append(out, tcg_cond_names[a]);
                    continue;
                case INDEX_op_qemu_ld_i32: case INDEX_op_qemu_ld_i64:
                case INDEX_op_qemu_st_i32: case INDEX_op_qemu_st_i64: {
                    MemOp mop = get_memop(a);
                    g_string_append_printf(out, "%s%s%s,al%u,mmu%u",
                                           mop & MO_BE ? "be" : "le",
                                           mop & MO_SIGN ? "s" : "u",
                                           memop_size_names[mop & MO_SIZE],
                                           1u << memop_align_bits(mop),
                                           get_mmuidx(a));
                    continue;
                }
                default:
                    g_string_append_printf(out, "$0x%" PRIx64, (uint64_t)a);
                }
            }
        }
        if (with_life && (op->dead_args || op->sync_args)) {
            while (out->len - start < 40) {
                g_string_append_c(out, ' ');
            }
            if (op->sync_args) {
                g_string_append(out, " sync:");
                for (int j = 0; j < 8; j++) {
                    if (op->sync_args & (1 << j)) {
                        g_string_append_printf(out, " %d", j);
                    }
                }
            }
            if (op->dead_args) {
                g_string_append(out, " dead:");
                for (int j = 0; j < 16; j++) {
                    if (op->dead_args & (1 << j)) {
                        g_string_append_printf(out, " %d", j);
                    }
                }
            }
        }
        g_string_append_c(out, '\n');
    }
}

static void log_ops(TCGContext *s, const char *title, bool with_life)
{
    GString *out = g_string_new(title);

    tcg_dump_ops(s, out, with_life);
    g_string_append_c(out, '\n');
    log_printf("%s", out->str);
    g_string_free(out, TRUE);
}

/*
 * Capstone is loaded with dlopen the first time host code is disassembled
 * (-d out_asm), not linked: the library carries some 77000 relocations,
 * which cost the dynamic loader several milliseconds at every start of
 * tandem, most of the start-up budget (docs/devel/perf.md).  The symbols
 * are looked up once (g_once: any vCPU thread may log); a missing library
 * only makes the log say so.
 */
typedef cs_err CsOpenFn(cs_arch arch, cs_mode mode, csh *handle);
typedef cs_err CsOptionFn(csh handle, cs_opt_type type, size_t value);
typedef size_t CsDisasmFn(csh handle, const uint8_t *code, size_t size,
                          uint64_t address, size_t count, cs_insn **insn);
typedef void CsFreeFn(cs_insn *insn, size_t count);
typedef cs_err CsCloseFn(csh *handle);

typedef struct CapstoneApi {
    CsOpenFn *open;
    CsOptionFn *option;
    CsDisasmFn *disasm;
    CsFreeFn *free;
    CsCloseFn *close;
} CapstoneApi;

static gpointer capstone_load(gpointer unused)
{
    static const char *const names[] = {
        "libcapstone.so." G_STRINGIFY(CS_API_MAJOR), "libcapstone.so",
    };
    static CapstoneApi api;
    void *lib = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(names) && !lib; i++) {
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!lib) {
        return NULL;
    }
    api.open = (CsOpenFn *)dlsym(lib, "cs_open");
    api.option = (CsOptionFn *)dlsym(lib, "cs_option");
    api.disasm = (CsDisasmFn *)dlsym(lib, "cs_disasm");
    api.free = (CsFreeFn *)dlsym(lib, "cs_free");
    api.close = (CsCloseFn *)dlsym(lib, "cs_close");
    if (!api.open || !api.option || !api.disasm || !api.free || !api.close) {
        return NULL;
    }
    return &api;
}

/* Any thread. */
static const CapstoneApi *capstone(void)
{
    static GOnce once = G_ONCE_INIT;

    return g_once(&once, capstone_load, NULL);
}

static bool capstone_open(csh *h)
{
    const CapstoneApi *cs = capstone();

    if (!cs || cs->open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK) {
        return false;
    }
    cs->option(*h, CS_OPT_SKIPDATA, CS_OPT_ON);
    return true;
}

void tcg_log_host_code(const void *code, size_t size)
{
    GString *out = g_string_new("OUT: [size=");
    cs_insn *insn;
    csh h;
    size_t n;

    g_string_append_printf(out, "%zu]\n", size);
    if (!capstone_open(&h)) {
        g_string_append(out, "  (capstone unavailable)\n");
    } else {
        n = capstone()->disasm(h, code, size, (uintptr_t)code, 0, &insn);
        for (size_t i = 0; i < n; i++) {
            g_string_append_printf(out, "  0x%016" PRIx64 ":  %-8s %s\n",
                                   insn[i].address, insn[i].mnemonic,
                                   insn[i].op_str);
        }
        if (n) {
            capstone()->free(insn, n);
        }
        capstone()->close(&h);
    }
    g_string_append_c(out, '\n');
    log_printf("%s", out->str);
    g_string_free(out, TRUE);
}

int tcg_count_host_insns(const void *code, size_t size)
{
    cs_insn *insn;
    csh h;
    size_t n;

    if (!capstone_open(&h)) {
        return -1;
    }
    n = capstone()->disasm(h, code, size, (uintptr_t)code, 0, &insn);
    if (n) {
        capstone()->free(insn, n);
    }
    capstone()->close(&h);
    return (int)n;
}

/* ---- code generation driver ------------------------------------------ */

/*
 * Room kept free at the high-water mark: more than any one op emits (the
 * largest are a helper call with its spills and a block end storing
 * every dirty global, both well under this).
 */
#define TCG_HIGHWATER 4096

void tcg_out_reloc(TCGContext *s, uint8_t *where, int label)
{
    if (s->nb_relocs == s->relocs_cap) {
        s->relocs_cap *= 2;
        s->relocs = g_renew(TCGRelocation, s->relocs, s->relocs_cap);
    }
    s->relocs[s->nb_relocs++] = (TCGRelocation) { where, label };
}

void tcg_ldst_stub_add(TCGContext *s, const TCGLdstStub *stub)
{
    if (s->nb_ldst == s->ldst_cap) {
        s->ldst_cap *= 2;
        s->ldst = g_renew(TCGLdstStub, s->ldst, s->ldst_cap);
    }
    s->ldst[s->nb_ldst++] = *stub;
}

/* Called by the allocator at each insn_start after the first. */
void tcg_register_insn_end(TCGContext *s)
{
    assert(s->nb_insns > 0);
    s->insn_end_off[s->nb_insns - 1] = s->code_ptr - s->code_buf;
}

/* The ops may be generated again (e.g. into a new buffer after a failure). */
int tcg_gen_code(TCGContext *s, void *buf, size_t size)
{
    int ret;

    if (log_enabled(LOG_OP)) {
        log_ops(s, "OP:\n", false);
    }
    tcg_optimize(s);
    tcg_liveness(s);
    if (log_enabled(LOG_OP_OPT)) {
        log_ops(s, "OP after optimization and liveness analysis:\n", true);
    }

    if (size <= 2 * TCG_HIGHWATER) {
        return TCG_GEN_BUFFER_FULL;
    }
    s->code_buf = buf;
    s->code_ptr = buf;
    s->code_end = (uint8_t *)buf + size;
    s->code_highwater = s->code_end - TCG_HIGHWATER;
    s->nb_relocs = 0;
    s->nb_ldst = 0;
    s->nb_insns = 0;
    s->goto_tb_used[0] = s->goto_tb_used[1] = false;
    s->frame_full = false;
    memset(s->frame_slot_used, 0, sizeof(s->frame_slot_used));
    for (int i = 0; i < s->nb_labels; i++) {
        s->labels[i].has_value = false;
    }

    tcg_reg_alloc_code(s);
    if (s->frame_full) {
        return TCG_GEN_TOO_COMPLEX;
    }
    if (s->code_ptr > s->code_highwater) {
        return TCG_GEN_BUFFER_FULL;
    }
    if (s->nb_insns > 0) {
        tcg_register_insn_end(s);
    }
    if (!tcg_target_out_ldst_stubs(s)) {
        return TCG_GEN_BUFFER_FULL;
    }
    for (int i = 0; i < s->nb_relocs; i++) {
        TCGLabel *l = &s->labels[s->relocs[i].label];

        assert(l->has_value);
        tcg_target_patch_reloc(s, s->relocs[i].where, l->value);
    }
    ret = s->code_ptr - s->code_buf;
    if (log_enabled(LOG_OUT_ASM)) {
        tcg_log_host_code((uint8_t *)buf + s->code_rx_offset, ret);
    }
    return ret;
}

/* ---- insn table ------------------------------------------------------- */

static int put_uleb(uint8_t *p, uint8_t *end, uint64_t v)
{
    int n = 0;

    do {
        uint8_t b = v & 0x7f;

        v >>= 7;
        if (v) {
            b |= 0x80;
        }
        if (p + n >= end) {
            return -1;
        }
        p[n++] = b;
    } while (v);
    return n;
}

static uint64_t get_uleb(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    int shift = 0;
    uint8_t b;

    do {
        b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    *pp = p;
    return v;
}

/* Signed deltas are zigzag-encoded so that small negatives stay short. */
static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int tcg_insn_table_encode(TCGContext *s, uint8_t *buf, size_t size)
{
    unsigned nw = tcg_target_params.insn_start_words;
    uint8_t *p = buf, *end = buf + size;
    uint64_t prev[TCG_MAX_INSN_WORDS] = { 0 };
    uint32_t prev_off = 0;
    int n;

#define PUT(v) do { n = put_uleb(p, end, (v)); if (n < 0) return -1; \
                    p += n; } while (0)
    PUT(s->nb_insns);
    PUT(nw);
    for (int i = 0; i < s->nb_insns; i++) {
        PUT(s->insn_end_off[i] - prev_off);
        prev_off = s->insn_end_off[i];
        for (unsigned j = 0; j < nw; j++) {
            PUT(zigzag((int64_t)(s->insn_data[i][j] - prev[j])));
            prev[j] = s->insn_data[i][j];
        }
    }
#undef PUT
    return p - buf;
}

int tcg_restore_state_lookup(const void *tb_code_start, const uint8_t *table,
                             uintptr_t host_pc, uint64_t *words_out)
{
    const uint8_t *p = table;
    uint64_t words[TCG_MAX_INSN_WORDS] = { 0 };
    uintptr_t start = (uintptr_t)tb_code_start, end = start;
    unsigned nb_insns, nw;

    if (host_pc <= start) {
        return -1;
    }
    nb_insns = get_uleb(&p);
    nw = get_uleb(&p);
    assert(nw <= TCG_MAX_INSN_WORDS);
    for (unsigned i = 0; i < nb_insns; i++) {
        end += get_uleb(&p);
        for (unsigned j = 0; j < nw; j++) {
            words[j] += unzigzag(get_uleb(&p));
        }
        if (host_pc - 1 < end) {
            memcpy(words_out, words, nw * sizeof(uint64_t));
            return i;
        }
    }
    return -1;
}
