/*
 * liveness.c: backward liveness analysis over one TB's op list.
 *
 * Runs after the optimizer, before register allocation (tcg_gen_code).  It
 *   - removes ops without side effects whose outputs are all unused;
 *   - marks, per op, the arguments whose value is not read afterwards
 *     (TCGOp.dead_args: the allocator frees their registers there);
 *   - marks the outputs that must be stored to memory right after the op
 *     (TCGOp.sync_args).  A global needs a store only when a later point
 *     needs it in env before it is overwritten: the end of the TB, a branch
 *     or label, a helper call that reads or writes globals, or a guest
 *     memory access that may fault.  A global written twice with nothing
 *     in between that needs env gets no store for the first write
 *     ("dead-global sync elision").
 *
 * Temps and basic blocks.  The rule for front ends is simple: a TB temp is
 * valid until the end of the TB, across labels and branches.  The pre-pass
 * classifies each temp: if in some basic block the first reference to it is
 * a read, its value may flow in across a block boundary and it is
 * "multi-BB": it lives in a stack slot at every block boundary.  Otherwise
 * it is block-local and dead at block ends.  At block boundaries all
 * globals are in env and the allocator starts the next block with empty
 * registers (see regalloc.c).
 *
 * State per temp while walking backwards: LIVE (read later, so a register
 * copy is wanted) and MEM (must be in memory at a later point without an
 * intervening write).  Called on the translating thread.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-internal.h"

enum {
    TS_LIVE = 1,
    TS_MEM = 2,
};

static void classify_temps(TCGContext *s)
{
    int bb = 0;

    for (int i = s->nb_globals; i < s->nb_temps; i++) {
        s->temps[i].bb_seen = -1;
        s->temps[i].multi_bb = false;
    }
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];

        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_set_label) {
            bb++;
            continue;
        }
        for (int k = 0; k < op->nb_iargs; k++) {
            TCGTemp *ts = &s->temps[op->args[op->nb_oargs + k]];

            if (ts->kind != TEMP_TB) {
                continue;
            }
            if (ts->bb_seen != bb) {
                ts->multi_bb = true;     /* read before any write in bb */
                ts->bb_seen = bb;
            }
        }
        for (int k = 0; k < op->nb_oargs; k++) {
            TCGTemp *ts = &s->temps[op->args[k]];

            if (ts->kind == TEMP_TB && ts->bb_seen != bb) {
                ts->bb_seen = bb;
            }
        }
        if (def->flags & TCG_OPF_BB_END) {
            bb++;
        }
    }
}

/* State at a block boundary inside the TB. */
static void la_bb_end(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        switch (ts->kind) {
        case TEMP_GLOBAL:
            ts->state = TS_MEM;
            break;
        case TEMP_TB:
            ts->state = ts->multi_bb ? TS_MEM : 0;
            break;
        default:
            ts->state = 0;
            break;
        }
    }
}

/* State where control leaves the TB. */
static void la_tb_exit(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        s->temps[i].state = s->temps[i].kind == TEMP_GLOBAL ? TS_MEM : 0;
    }
}

static void la_globals_mem(TCGContext *s, bool clobbered)
{
    for (int i = 0; i < s->nb_globals; i++) {
        TCGTemp *ts = &s->temps[i];

        if (ts->kind == TEMP_GLOBAL) {
            ts->state = clobbered ? TS_MEM : (ts->state | TS_MEM);
        }
    }
}

static bool la_outputs_dead(TCGContext *s, const TCGOp *op)
{
    for (int k = 0; k < op->nb_oargs; k++) {
        if (s->temps[op->args[k]].state != 0) {
            return false;
        }
    }
    return true;
}

static void la_outputs(TCGContext *s, TCGOp *op)
{
    for (int k = 0; k < op->nb_oargs; k++) {
        TCGTemp *ts = &s->temps[op->args[k]];

        assert(ts->kind == TEMP_GLOBAL || ts->kind == TEMP_TB);
        if (!(ts->state & TS_LIVE)) {
            op->dead_args |= 1 << k;
        }
        if (ts->state & TS_MEM) {
            op->sync_args |= 1 << k;
        }
        ts->state = 0;
    }
}

static void la_inputs(TCGContext *s, TCGOp *op)
{
    for (int k = 0; k < op->nb_iargs; k++) {
        int i = op->nb_oargs + k;
        TCGTemp *ts = &s->temps[op->args[i]];

        if (ts->kind == TEMP_FIXED) {
            continue;
        }
        if (!(ts->state & TS_LIVE)) {
            op->dead_args |= 1 << i;
        }
    }
    /* Second loop: an input used twice dies only at its last mention. */
    for (int k = 0; k < op->nb_iargs; k++) {
        s->temps[op->args[op->nb_oargs + k]].state |= TS_LIVE;
    }
}

void tcg_liveness(TCGContext *s)
{
    classify_temps(s);
    la_tb_exit(s);

    for (int i = s->nb_ops - 1; i >= 0; i--) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];

        op->dead_args = 0;
        op->sync_args = 0;
        switch (op->opc) {
        case INDEX_op_nop:
        case INDEX_op_insn_start:
        case INDEX_op_mb:
            continue;
        case INDEX_op_exit_tb:
        case INDEX_op_goto_tb:      /* always followed by exit_tb */
        case INDEX_op_goto_ptr:
            la_tb_exit(s);
            la_inputs(s, op);
            continue;
        case INDEX_op_call: {
            const TCGHelperInfo *info =
                (const TCGHelperInfo *)op->args[op->nb_oargs + op->nb_iargs];

            if ((info->flags & TCG_CALL_NO_SIDE_EFFECTS) && op->nb_oargs &&
                la_outputs_dead(s, op)) {
                op->opc = INDEX_op_nop;
                continue;
            }
            la_outputs(s, op);
            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                la_globals_mem(s, true);
            } else if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
                la_globals_mem(s, false);
            }
            la_inputs(s, op);
            continue;
        }
        default:
            break;
        }
        if (def->flags & TCG_OPF_BB_END) {
            /* set_label, br, brcond: block boundary after the reads. */
            la_bb_end(s);
            la_inputs(s, op);
            continue;
        }
        if (!(def->flags & TCG_OPF_SIDE_EFFECTS) && op->nb_oargs &&
            la_outputs_dead(s, op)) {
            op->opc = INDEX_op_nop;
            continue;
        }
        la_outputs(s, op);
        if (def->flags & TCG_OPF_MAY_FAULT) {
            la_globals_mem(s, false);
        }
        la_inputs(s, op);
    }
}
