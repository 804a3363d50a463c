/*
 * regalloc.c: the register allocator, which drives the host backend.
 *
 * One forward walk over the op list, after liveness.  Each temp's value is
 * in a host register (TEMP_VAL_REG), in memory (TEMP_VAL_MEM: env for
 * globals, a stack slot for temps), a pending constant (TEMP_VAL_CONST,
 * materialised only when an op needs it in a register), or dead.
 *
 * Policy:
 *   - Globals stay in host registers across ops within a basic block; a
 *     register copy that differs from env is stored only where liveness
 *     asked for it (TCGOp.sync_args), i.e. where a helper call, an exit or
 *     a possibly faulting guest memory access needs env to be current.
 *   - At every basic-block boundary (label, branch, exit) all globals and
 *     multi-BB temps are in memory and every register is free.  This is the
 *     simple correct convention; it costs reloads after labels (a known
 *     limitation: no register state is carried across branches).
 *   - A register is taken from the free ones in tcg_target_reg_alloc_order
 *     (callee-saved first, they survive calls); under pressure a victim is
 *     spilled, preferring one whose memory copy is already current.
 *   - Helper calls: temps live across the call that sit in caller-saved
 *     registers are stored and reloaded later; arguments are placed with a
 *     parallel move that breaks cycles through TCG_TMP.
 *   - Op constraints come from the backend (tcg_target_constraint): allowed
 *     registers, accepted constant forms, clobbered registers and scratch
 *     registers.
 *
 * Called on the translating thread by tcg_gen_code().
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-internal.h"

#define ALLOCATABLE (TCG_TARGET_ALL_REGS & ~TCG_TARGET_RESERVED)

static bool temp_is_const(const TCGTemp *ts)
{
    return ts->kind == TEMP_CONST || ts->val_type == TEMP_VAL_CONST;
}

static uint64_t temp_const_val(const TCGTemp *ts)
{
    return ts->kind == TEMP_CONST ? ts->val : ts->cval;
}

/* ---- memory slots ---- */

static void temp_alloc_slot(TCGContext *s, TCGTemp *ts)
{
    assert(ts->kind == TEMP_TB);
    for (int i = 0; i < TCG_FRAME_SLOTS; i++) {
        if (!s->frame_slot_used[i]) {
            s->frame_slot_used[i] = 1;
            ts->mem_offset = i * 8;
            ts->mem_allocated = true;
            return;
        }
    }
    /* The TB is too complex; tcg_gen_code fails and discards the code. */
    s->frame_full = true;
    ts->mem_offset = 0;
    ts->mem_allocated = true;
}

static int temp_base_reg(const TCGTemp *ts)
{
    return ts->kind == TEMP_GLOBAL ? TCG_AREG0 : TCG_REG_CALL_STACK;
}

/* ---- state transitions ---- */

/* Stores the value to memory if memory is stale; keeps any register. */
static void temp_sync(TCGContext *s, TCGTemp *ts)
{
    if (ts->kind == TEMP_CONST || ts->kind == TEMP_FIXED || ts->mem_coherent) {
        return;
    }
    switch (ts->val_type) {
    case TEMP_VAL_REG:
        if (!ts->mem_allocated) {
            temp_alloc_slot(s, ts);
        }
        tcg_target_out_st(s, ts->type, ts->reg, temp_base_reg(ts),
                          ts->mem_offset);
        break;
    case TEMP_VAL_CONST:
        if (!ts->mem_allocated) {
            temp_alloc_slot(s, ts);
        }
        if (!tcg_target_out_sti(s, ts->type, ts->cval, temp_base_reg(ts),
                                ts->mem_offset)) {
            tcg_target_out_movi(s, ts->type, TCG_TMP, ts->cval);
            tcg_target_out_st(s, ts->type, TCG_TMP, temp_base_reg(ts),
                              ts->mem_offset);
        }
        break;
    default:
        return;     /* MEM is coherent by definition; DEAD needs nothing */
    }
    ts->mem_coherent = true;
}

static void temp_release_reg(TCGContext *s, TCGTemp *ts)
{
    if (ts->val_type == TEMP_VAL_REG) {
        assert(s->reg_to_temp[ts->reg] == ts);
        s->reg_to_temp[ts->reg] = NULL;
    }
}

/* The value is no longer needed. */
static void temp_dead(TCGContext *s, TCGTemp *ts)
{
    if (ts->kind == TEMP_FIXED) {
        return;
    }
    temp_release_reg(s, ts);
    switch (ts->kind) {
    case TEMP_CONST:
        ts->val_type = TEMP_VAL_CONST;
        break;
    case TEMP_GLOBAL:
        ts->val_type = TEMP_VAL_MEM;
        break;
    default:
        /*
         * Multi-BB temps keep their slot and its value: "dead" here means
         * dead in this block, but the slot is read at the next block.
         */
        if (ts->multi_bb) {
            ts->val_type = (ts->mem_allocated && ts->mem_coherent)
                           ? TEMP_VAL_MEM : TEMP_VAL_DEAD;
            break;
        }
        ts->val_type = TEMP_VAL_DEAD;
        if (ts->mem_allocated) {
            s->frame_slot_used[ts->mem_offset / 8] = 0;
            ts->mem_allocated = false;
        }
        break;
    }
}

/* The value stays needed but leaves its register (spill). */
static void temp_evict(TCGContext *s, TCGTemp *ts)
{
    if (ts->kind == TEMP_CONST) {
        temp_dead(s, ts);
        return;
    }
    temp_sync(s, ts);
    temp_release_reg(s, ts);
    ts->val_type = TEMP_VAL_MEM;
}

/* ---- registers ---- */

static int reg_alloc(TCGContext *s, TCGRegSet required, TCGRegSet avoid)
{
    TCGRegSet cand = required & ALLOCATABLE & ~avoid;
    int victim = -1;

    assert(cand != 0);
    for (size_t i = 0; i < ARRAY_SIZE(tcg_target_reg_alloc_order); i++) {
        int r = tcg_target_reg_alloc_order[i];

        if (regset_has(cand, r) && !s->reg_to_temp[r]) {
            return r;
        }
    }
    /* Spill: prefer a register whose memory copy is current. */
    for (size_t i = 0; i < ARRAY_SIZE(tcg_target_reg_alloc_order); i++) {
        int r = tcg_target_reg_alloc_order[i];
        TCGTemp *ts = s->reg_to_temp[r];

        if (!regset_has(cand, r)) {
            continue;
        }
        if (victim < 0) {
            victim = r;
        }
        if (ts->kind == TEMP_CONST || ts->mem_coherent) {
            victim = r;
            break;
        }
    }
    assert(victim >= 0);
    temp_evict(s, s->reg_to_temp[victim]);
    return victim;
}

static void temp_set_reg(TCGContext *s, TCGTemp *ts, int reg)
{
    assert(!s->reg_to_temp[reg]);
    ts->val_type = TEMP_VAL_REG;
    ts->reg = reg;
    s->reg_to_temp[reg] = ts;
}

/* Makes sure ts is in a register of required; returns it. */
static int temp_load(TCGContext *s, TCGTemp *ts, TCGRegSet required,
                     TCGRegSet avoid)
{
    int reg;

    if (ts->kind == TEMP_FIXED) {
        assert(regset_has(required, ts->reg));
        return ts->reg;
    }
    switch (ts->val_type) {
    case TEMP_VAL_REG:
        if (regset_has(required, ts->reg)) {
            return ts->reg;
        }
        reg = reg_alloc(s, required, avoid | (1u << ts->reg));
        tcg_target_out_mov(s, ts->type, reg, ts->reg);
        s->reg_to_temp[ts->reg] = NULL;
        ts->val_type = TEMP_VAL_DEAD;
        temp_set_reg(s, ts, reg);
        return reg;
    case TEMP_VAL_CONST:
        reg = reg_alloc(s, required, avoid);
        tcg_target_out_movi(s, ts->type, reg, temp_const_val(ts));
        break;
    case TEMP_VAL_MEM:
        reg = reg_alloc(s, required, avoid);
        if (!ts->mem_allocated) {
            temp_alloc_slot(s, ts);    /* read of an undefined temp */
        }
        tcg_target_out_ld(s, ts->type, reg, temp_base_reg(ts),
                          ts->mem_offset);
        ts->mem_coherent = true;
        break;
    default:
        /* Read of a never-written temp: any value will do. */
        reg = reg_alloc(s, required, avoid);
        ts->mem_coherent = false;
        break;
    }
    temp_set_reg(s, ts, reg);
    return reg;
}

/* ---- block boundaries ---- */

static bool temp_needs_mem_at_bb_end(const TCGTemp *ts)
{
    return ts->kind == TEMP_GLOBAL || (ts->kind == TEMP_TB && ts->multi_bb);
}

static void sync_globals(TCGContext *s)
{
    for (int i = 0; i < s->nb_globals; i++) {
        temp_sync(s, &s->temps[i]);
    }
}

/* Before leaving the block: everything that outlives it goes to memory. */
static void bb_sync(TCGContext *s, bool tb_exit)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        if (ts->kind == TEMP_GLOBAL ||
            (!tb_exit && temp_needs_mem_at_bb_end(ts))) {
            temp_sync(s, ts);
        }
    }
}

/* After the block (or the TB): no register holds anything. */
static void bb_free_all(TCGContext *s, bool tb_exit)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];
        bool keep = tb_exit ? ts->kind == TEMP_GLOBAL
                            : temp_needs_mem_at_bb_end(ts);

        if (ts->kind == TEMP_FIXED) {
            continue;
        }
        if (keep && ts->val_type != TEMP_VAL_DEAD) {
            assert(ts->mem_coherent || ts->val_type == TEMP_VAL_MEM);
            temp_release_reg(s, ts);
            ts->val_type = TEMP_VAL_MEM;
        } else {
            temp_dead(s, ts);
        }
    }
    for (int r = 0; r < TCG_TARGET_NB_REGS; r++) {
        assert(!s->reg_to_temp[r]);
    }
}

/* ---- individual ops ---- */

static void finish_outputs(TCGContext *s, const TCGOp *op)
{
    for (int k = 0; k < op->nb_oargs; k++) {
        TCGTemp *ts = &s->temps[op->args[k]];

        if (op->sync_args & (1 << k)) {
            temp_sync(s, ts);
        }
        if (op->dead_args & (1 << k)) {
            temp_dead(s, ts);
        }
    }
}

static void free_dead_inputs(TCGContext *s, const TCGOp *op)
{
    for (int k = 0; k < op->nb_iargs; k++) {
        int i = op->nb_oargs + k;

        if (op->dead_args & (1 << i)) {
            TCGTemp *ts = &s->temps[op->args[i]];

            if (ts->val_type != TEMP_VAL_DEAD) {
                temp_dead(s, ts);
            }
        }
    }
}

/* mov, and extrl_i64_i32 which is a mov of the low half. */
static void reg_alloc_mov(TCGContext *s, const TCGOp *op, TCGType type)
{
    TCGTemp *ots = &s->temps[op->args[0]];
    TCGTemp *ts = &s->temps[op->args[1]];
    bool in_dead = op->dead_args & 2;

    if (ots == ts) {
        finish_outputs(s, op);
        return;
    }
    if (temp_is_const(ts)) {
        uint64_t v = temp_const_val(ts);

        temp_release_reg(s, ots);
        ots->val_type = TEMP_VAL_CONST;
        ots->cval = type == TCG_TYPE_I32 ? (uint32_t)v : v;
        ots->mem_coherent = false;
        if (in_dead) {
            temp_dead(s, ts);
        }
        finish_outputs(s, op);
        return;
    }
    if (ts->val_type != TEMP_VAL_REG) {
        temp_load(s, ts, ALLOCATABLE, 0);
    }
    temp_release_reg(s, ots);
    if (in_dead && ts->kind != TEMP_FIXED) {
        /* Hand the register over; no code. */
        int reg = ts->reg;

        s->reg_to_temp[reg] = NULL;
        ts->val_type = TEMP_VAL_DEAD;
        temp_dead(s, ts);
        temp_set_reg(s, ots, reg);
    } else {
        int reg = reg_alloc(s, ALLOCATABLE, 1u << ts->reg);

        tcg_target_out_mov(s, type, reg, ts->reg);
        temp_set_reg(s, ots, reg);
    }
    ots->mem_coherent = false;
    finish_outputs(s, op);
}

static bool const_fits(uint8_t ct, TCGType type, uint64_t v)
{
    if (ct & TCG_CT_CONST_ANY) {
        return true;
    }
    if (ct & TCG_CT_CONST_S32) {
        return type == TCG_TYPE_I32 || v == (uint64_t)(int64_t)(int32_t)v;
    }
    return false;
}

static void reg_alloc_op(TCGContext *s, const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs, nb_c = op->nb_cargs;
    TCGArg new_args[TCG_MAX_OP_ARGS] = { 0 };
    bool const_args[TCG_MAX_OP_ARGS] = { false };
    int scratch[4] = { -1, -1, -1, -1 };
    TCGRegSet in_regs = 0, live_in_regs = 0, avoid;
    TCGOpConstraint ct;

    memset(&ct, 0, sizeof(ct));
    tcg_target_constraint(op->opc, &ct);
    for (int k = 0; k < nb_c; k++) {
        new_args[nb_o + nb_i + k] = op->args[nb_o + nb_i + k];
    }

    /* Inputs, the most constrained (fixed registers) first. */
    int order[TCG_MAX_OP_ARGS];
    for (int k = 0; k < nb_i; k++) {
        int j = k;

        while (j > 0 && __builtin_popcount(ct.args[nb_o + order[j - 1]].regs) >
                        __builtin_popcount(ct.args[nb_o + k].regs)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    for (int n = 0; n < nb_i; n++) {
        int i = nb_o + order[n];
        TCGTemp *ts = &s->temps[op->args[i]];
        const TCGArgConstraint *ac = &ct.args[i];
        int reg;

        if (temp_is_const(ts) && ts->val_type != TEMP_VAL_REG &&
            const_fits(ac->ct, ts->type, temp_const_val(ts))) {
            const_args[i] = true;
            new_args[i] = temp_const_val(ts);
            continue;
        }
        reg = temp_load(s, ts, ac->regs, in_regs);
        new_args[i] = reg;
        in_regs |= 1u << reg;
    }

    if (def->flags & TCG_OPF_MAY_FAULT) {
        sync_globals(s);
    }
    if (def->flags & TCG_OPF_BB_END) {
        bb_sync(s, def->flags & TCG_OPF_BB_EXIT);
    }

    /* Registers the sequence overwrites: move out what must survive. */
    for (int r = 0; r < TCG_TARGET_NB_REGS; r++) {
        TCGTemp *ts = s->reg_to_temp[r];
        bool dying = false;

        if (!regset_has(ct.clobbers, r) || !ts) {
            continue;
        }
        for (int k = 0; k < nb_i; k++) {
            int i = nb_o + k;

            if (&s->temps[op->args[i]] == ts && (op->dead_args & (1 << i))) {
                dying = true;
            }
        }
        if (!dying) {
            temp_evict(s, ts);
        }
    }

    free_dead_inputs(s, op);
    for (int k = 0; k < nb_i; k++) {
        int i = nb_o + k;

        if (!const_args[i] && s->reg_to_temp[new_args[i]]) {
            live_in_regs |= 1u << new_args[i];
        }
    }

    /* Outputs. */
    avoid = live_in_regs;
    for (int k = 0; k < nb_o; k++) {
        TCGTemp *ts = &s->temps[op->args[k]];
        const TCGArgConstraint *ac = &ct.args[k];
        TCGRegSet req = ac->regs, av = avoid | (ac->newreg ? in_regs : 0);
        int reg = -1;

        temp_release_reg(s, ts);
        ts->val_type = TEMP_VAL_DEAD;
        /* Prefer the register of a dying first input (two-address ops). */
        if (nb_i && !const_args[nb_o] && !ac->newreg) {
            int r0 = new_args[nb_o];

            if (regset_has(req & ALLOCATABLE & ~av, r0) &&
                !s->reg_to_temp[r0]) {
                reg = r0;
            }
        }
        if (reg < 0) {
            reg = reg_alloc(s, req, av);
        }
        temp_set_reg(s, ts, reg);
        ts->mem_coherent = false;
        new_args[k] = reg;
        avoid |= 1u << reg;
    }

    /* Scratch registers: distinct from every argument. */
    for (int k = 0; k < ct.nb_scratch; k++) {
        int reg = reg_alloc(s, ALLOCATABLE, avoid | in_regs);

        scratch[k] = reg;
        avoid |= 1u << reg;
    }

    s->cur_op = op;
    tcg_target_out_op(s, op->opc, new_args, const_args, scratch);

    if (def->flags & TCG_OPF_BB_END) {
        bb_free_all(s, def->flags & TCG_OPF_BB_EXIT);
    } else {
        finish_outputs(s, op);
    }
}

static void reg_alloc_call(TCGContext *s, const TCGOp *op)
{
    int nb_o = op->nb_oargs, nb_i = op->nb_iargs;
    const TCGHelperInfo *info = (const TCGHelperInfo *)op->args[nb_o + nb_i];
    int move_dst[TCG_MAX_CALL_ARGS], move_src[TCG_MAX_CALL_ARGS];
    int nb_moves = 0;
    bool moved[TCG_MAX_CALL_ARGS] = { false };

    /* Globals: env must be current unless the helper ignores them. */
    if ((info->flags & TCG_CALL_NO_RWG) != TCG_CALL_NO_RWG) {
        sync_globals(s);
    }

    /* Register sources of the arguments, recorded before any eviction. */
    for (int k = 0; k < nb_i; k++) {
        TCGTemp *ts = &s->temps[op->args[nb_o + k]];

        if (ts->val_type == TEMP_VAL_REG || ts->kind == TEMP_FIXED) {
            move_dst[nb_moves] = tcg_target_call_iarg_regs[k];
            move_src[nb_moves] = ts->reg;
            nb_moves++;
        }
    }

    /* Free every caller-saved register, storing what outlives the call. */
    for (int r = 0; r < TCG_TARGET_NB_REGS; r++) {
        TCGTemp *ts = s->reg_to_temp[r];
        bool dying = false;

        if (!ts || !regset_has(TCG_TARGET_CALLER_SAVED, r)) {
            continue;
        }
        for (int k = 0; k < nb_i; k++) {
            int i = nb_o + k;

            if (&s->temps[op->args[i]] == ts && (op->dead_args & (1 << i))) {
                dying = true;
            }
        }
        if (dying) {
            temp_dead(s, ts);
        } else {
            temp_evict(s, ts);
        }
    }

    /* Parallel move of register arguments; TCG_TMP breaks cycles. */
    for (int done = 0; done < nb_moves;) {
        bool progress = false;

        for (int m = 0; m < nb_moves; m++) {
            bool blocked = false;

            if (moved[m]) {
                continue;
            }
            for (int n = 0; n < nb_moves; n++) {
                if (!moved[n] && n != m && move_src[n] == move_dst[m]) {
                    blocked = true;
                }
            }
            if (blocked) {
                continue;
            }
            if (move_dst[m] != move_src[m]) {
                tcg_target_out_mov(s, TCG_TYPE_I64, move_dst[m], move_src[m]);
            }
            moved[m] = true;
            done++;
            progress = true;
        }
        if (!progress) {
            for (int m = 0; m < nb_moves; m++) {
                if (!moved[m] && move_src[m] != move_dst[m]) {
                    int old = move_src[m];

                    tcg_target_out_mov(s, TCG_TYPE_I64, TCG_TMP, old);
                    for (int n = 0; n < nb_moves; n++) {
                        if (!moved[n] && move_src[n] == old) {
                            move_src[n] = TCG_TMP;
                        }
                    }
                    break;
                }
            }
        }
    }

    /* Constants and memory arguments. */
    for (int k = 0; k < nb_i; k++) {
        TCGTemp *ts = &s->temps[op->args[nb_o + k]];
        int reg = tcg_target_call_iarg_regs[k];
        bool in_reg = false;

        for (int m = 0; m < nb_moves; m++) {
            in_reg |= move_dst[m] == reg;
        }
        if (in_reg) {
            continue;
        }
        if (temp_is_const(ts)) {
            tcg_target_out_movi(s, ts->type, reg, temp_const_val(ts));
        } else if (ts->val_type == TEMP_VAL_MEM) {
            if (!ts->mem_allocated) {
                temp_alloc_slot(s, ts);
            }
            tcg_target_out_ld(s, ts->type, reg, temp_base_reg(ts),
                              ts->mem_offset);
        }
    }

    /* Arguments that die here and sit in callee-saved registers. */
    free_dead_inputs(s, op);

    /* Register copies of globals die if the helper may write env. */
    if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        for (int i = 0; i < s->nb_globals; i++) {
            TCGTemp *ts = &s->temps[i];

            if (ts->kind == TEMP_GLOBAL) {
                assert(ts->mem_coherent || ts->val_type == TEMP_VAL_MEM);
                temp_release_reg(s, ts);
                ts->val_type = TEMP_VAL_MEM;
                ts->mem_coherent = true;
            }
        }
    }

    tcg_target_out_call(s, info->func);

    if (nb_o) {
        TCGTemp *ots = &s->temps[op->args[0]];

        temp_release_reg(s, ots);
        ots->val_type = TEMP_VAL_DEAD;
        temp_set_reg(s, ots, TCG_TARGET_CALL_OARG_REG);
        ots->mem_coherent = false;
        finish_outputs(s, op);
    }
}

void tcg_reg_alloc_code(TCGContext *s)
{
    memset(s->reg_to_temp, 0, sizeof(s->reg_to_temp));
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        switch (ts->kind) {
        case TEMP_FIXED:
            ts->val_type = TEMP_VAL_REG;
            ts->reg = TCG_AREG0;
            break;
        case TEMP_GLOBAL:
            ts->val_type = TEMP_VAL_MEM;
            ts->mem_coherent = true;
            break;
        case TEMP_CONST:
            ts->val_type = TEMP_VAL_CONST;
            break;
        case TEMP_TB:
            ts->val_type = TEMP_VAL_DEAD;
            ts->mem_allocated = false;
            ts->mem_coherent = false;
            break;
        }
    }

    for (int i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];

        if (s->code_ptr > s->code_highwater) {
            return;
        }
        switch (op->opc) {
        case INDEX_op_nop:
            break;
        case INDEX_op_insn_start:
            if (s->nb_insns > 0) {
                tcg_register_insn_end(s);
            }
            for (int w = 0; w < TCG_MAX_INSN_WORDS; w++) {
                s->insn_data[s->nb_insns][w] = op->args[w];
            }
            s->nb_insns++;
            break;
        case INDEX_op_set_label: {
            TCGLabel *l = &s->labels[op->args[0]];

            bb_sync(s, false);
            bb_free_all(s, false);
            l->has_value = true;
            l->value = tcg_code_rx(s, s->code_ptr);
            break;
        }
        case INDEX_op_mov_i32:
            reg_alloc_mov(s, op, TCG_TYPE_I32);
            break;
        case INDEX_op_mov_i64:
            reg_alloc_mov(s, op, TCG_TYPE_I64);
            break;
        case INDEX_op_extrl_i64_i32:
            reg_alloc_mov(s, op, TCG_TYPE_I32);
            break;
        case INDEX_op_call:
            reg_alloc_call(s, op);
            break;
        default:
            reg_alloc_op(s, op);
            break;
        }
    }
}
