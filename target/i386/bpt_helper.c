/*
 * bpt_helper.c: the x86 debug facilities (SDM Vol 3A chapter 18) on top of
 * the generic breakpoint machinery (include/exec/breakpoint.h):
 *
 *   - DR0-DR3 with DR7: x86_dr7_update() mirrors every enabled breakpoint
 *     into a BP_CPU breakpoint (execute) or watchpoint (write, read/write)
 *     of this vCPU.  TCG then raises EXCP_DEBUG for them, and
 *     x86_debug_excp_handler() turns it into #DB with DR6.Bn: a fault
 *     before the insn for an instruction breakpoint (unless EFLAGS.RF,
 *     x86_debug_check_breakpoint), a trap after the access for a data
 *     breakpoint.  Debugger (BP_GDB) events pass through to the gdbstub.
 *   - EFLAGS.TF: the translator ends every insn's TB with the single-step
 *     helper (#DB trap, DR6.BS), except after MOV SS / POP SS.
 *   - EFLAGS.RF: hflags carries it (HF_RF_MASK); the translator clears it
 *     when the next insn starts, after that insn's breakpoint check.
 *
 * DR6 on a breakpoint: B0-B3 are rewritten with the breakpoints that
 * matched (as the reference emulator does); BS and BD are sticky.
 *
 * Not implemented: I/O breakpoints (DR7 RW=10 with CR4.DE), DR7.GE/LE
 * (exact matching is always exact here), task-switch traps (T bit).
 *
 * Thread: the vCPU's own thread (helpers, TCG hooks), or BQL with the vCPU
 * paused (reset).
 */
#include "target/i386/helper.h"
#include "target/i386/debug.h"
#include "exec/breakpoint.h"

#define DR6_BS   (1ull << 14)
#define DR7_TYPE_EXEC  0
#define DR7_TYPE_WRITE 1
#define DR7_TYPE_IO    2
#define DR7_TYPE_RW    3

static bool dr7_enabled(uint64_t dr7, int i)
{
    return (dr7 >> (2 * i)) & 3;
}

static int dr7_type(uint64_t dr7, int i)
{
    return (dr7 >> (16 + 4 * i)) & 3;
}

/* LEN encoding: 00 = 1, 01 = 2, 10 = 8, 11 = 4 bytes. */
static uint64_t dr7_len(uint64_t dr7, int i)
{
    static const uint64_t len[4] = { 1, 2, 8, 4 };

    return len[(dr7 >> (18 + 4 * i)) & 3];
}

void x86_dr7_update(CPUX86State *env)
{
    CPUState *cs = &env_x86_cpu(env)->parent;
    uint64_t dr7 = env->dr[7];

    cpu_breakpoint_remove_all(cs, BP_CPU);
    for (int i = 0; i < 4; i++) {
        uint64_t len = dr7_len(dr7, i);

        if (!dr7_enabled(dr7, i)) {
            continue;
        }
        switch (dr7_type(dr7, i)) {
        case DR7_TYPE_EXEC:
            cpu_breakpoint_insert(cs, env->dr[i], BP_CPU);
            break;
        case DR7_TYPE_WRITE:
            cpu_watchpoint_insert(cs, env->dr[i] & ~(len - 1), len,
                                  BP_CPU | BP_MEM_WRITE);
            break;
        case DR7_TYPE_RW:
            cpu_watchpoint_insert(cs, env->dr[i] & ~(len - 1), len,
                                  BP_CPU | BP_MEM_ACCESS);
            break;
        default:
            break;      /* I/O breakpoints: not implemented */
        }
    }
}

/* The linear address of the insn at CS:EIP. */
static uint64_t x86_linear_pc(CPUX86State *env)
{
    uint64_t pc = env->segs[R_CS].base + env->eip;

    return (env->hflags & HF_CS64_MASK) ? pc : (uint32_t)pc;
}

bool x86_debug_check_breakpoint(CPUState *cs)
{
    return !(x86_env(cs)->eflags & RF_MASK);
}

/* Raises #DB with DR6.B0-3 = bits (from a TCG hook: the loop delivers). */
static bool x86_raise_db(CPUX86State *env, uint64_t bits)
{
    CPUState *cs = &env_x86_cpu(env)->parent;

    env->dr[6] = (env->dr[6] & ~0xfull) | bits;
    cs->exception_index = EXCP01_DB;
    env->error_code = 0;
    env->exception_is_int = 0;
    env->exception_next_eip = 0;
    return true;
}

bool x86_debug_excp_handler(CPUState *cs)
{
    CPUX86State *env = x86_env(cs);
    uint64_t dr7 = env->dr[7], bits = 0, pc;
    CPUWatchpointHit hit;

    if (__atomic_load_n(&cs->singlestep_enabled, __ATOMIC_RELAXED)) {
        return false;                       /* the debugger's step */
    }
    if (cpu_watchpoint_hit(cs, &hit)) {
        if (hit.wp.flags & BP_GDB) {
            return false;
        }
        /* A data breakpoint: the access is done, #DB is a trap. */
        cpu_watchpoint_clear_hit(cs);
        for (int i = 0; i < 4; i++) {
            int type = dr7_type(dr7, i);
            uint64_t len = dr7_len(dr7, i), a = env->dr[i] & ~(len - 1);

            if (dr7_enabled(dr7, i) && a == hit.wp.addr &&
                len == hit.wp.len &&
                (type == DR7_TYPE_RW ||
                 (type == DR7_TYPE_WRITE && hit.access == BP_MEM_WRITE))) {
                bits |= 1ull << i;
            }
        }
        return x86_raise_db(env, bits);
    }
    pc = x86_linear_pc(env);
    if (cpu_breakpoint_test(cs, pc, BP_GDB) ||
        !cpu_breakpoint_test(cs, pc, BP_CPU)) {
        return false;
    }
    /* An instruction breakpoint: a fault, EIP is the insn's. */
    for (int i = 0; i < 4; i++) {
        if (dr7_enabled(dr7, i) && dr7_type(dr7, i) == DR7_TYPE_EXEC &&
            env->dr[i] == pc) {
            bits |= 1ull << i;
        }
    }
    return x86_raise_db(env, bits);
}

/* EFLAGS.TF was set at the start of the insn that just completed. */
static void helper_single_step(CPUX86State *env)
{
    CPUState *cs = &env_x86_cpu(env)->parent;

    env->dr[6] |= DR6_BS;
    cs->exception_index = EXCP01_DB;
    env->error_code = 0;
    env->exception_is_int = 0;
    env->exception_next_eip = 0;
    cpu_loop_exit(cs);
}

const TCGHelperInfo x86_helper_single_step_info = {
    .func = helper_single_step, .name = "single_step",
    .flags = 0, .ret = TCG_CALL_VOID, .nb_args = 1,
};

static void helper_clear_rf(CPUX86State *env)
{
    env->eflags &= ~(uint64_t)RF_MASK;
    env->hflags &= ~HF_RF_MASK;
}

const TCGHelperInfo x86_helper_clear_rf_info = {
    .func = helper_clear_rf, .name = "clear_rf",
    .flags = TCG_CALL_NO_RWG, .ret = TCG_CALL_VOID, .nb_args = 1,
};
