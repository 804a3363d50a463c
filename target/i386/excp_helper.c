/*
 * excp_helper.c: raising x86 exceptions from helpers, the #DF promotion
 * rules and the triple fault.
 *
 * A helper that detects a guest fault fills an X86Fault and calls
 * x86_raise_fault(): it records the vector in cpu->exception_index and the
 * error code in env->error_code (CR2 for #PF) and unwinds with
 * cpu_loop_exit_restore(), which restores eip etc. from the insn_start
 * words of the faulting insn.  The runtime then calls x86_cpu_do_interrupt
 * (seg_helper.c) with the BQL, which delivers the event through the IDT and
 * applies x86_exception_combine() to faults raised during delivery.
 *
 * Thread: the vCPU's own thread, holding no lock (these functions
 * siglongjmp), except x86_exception_combine and x86_triple_fault which
 * never unwind.
 */
#include "target/i386/helper.h"
#include "system/runstate.h"
#include "util/log.h"
#include "accel/accel.h"

void x86_raise_fault(CPUX86State *env, const X86Fault *f, uintptr_t retaddr)
{
    CPUState *cpu = env_cpu(env);

    assert(f->vector >= 0 && f->vector < 32);
    cpu->exception_index = f->vector;
    env->error_code = f->has_error_code ? (int)f->error_code : 0;
    env->exception_is_int = 0;
    env->exception_next_eip = 0;
    if (f->vector == EXCP0E_PAGE) {
        env->cr[2] = f->cr2;
    }
    cpu_loop_exit_restore(cpu, retaddr);
}

void raise_exception_err(CPUX86State *env, int vector, int error_code,
                         uintptr_t retaddr)
{
    X86Fault f = { .vector = vector, .has_error_code = true,
                   .error_code = (uint32_t)error_code };
    x86_raise_fault(env, &f, retaddr);
}

void raise_exception_ra(CPUX86State *env, int vector, uintptr_t retaddr)
{
    X86Fault f = { .vector = vector };
    x86_raise_fault(env, &f, retaddr);
}

void raise_exception(CPUX86State *env, int vector)
{
    raise_exception_ra(env, vector, 0);
}

void helper_raise_exception(CPUX86State *env, int32_t vector)
{
    raise_exception_ra(env, vector, GETPC());
}

void helper_raise_exception_err(CPUX86State *env, int32_t vector,
                                int32_t error_code)
{
    raise_exception_err(env, vector, error_code, GETPC());
}

/* INT n: the state is exact (the translator synced eip before the call);
 * delivery returns to next_eip. */
void helper_raise_interrupt(CPUX86State *env, int32_t intno,
                            uint64_t next_eip)
{
    CPUState *cpu = env_cpu(env);

    cpu->exception_index = intno;
    env->error_code = 0;
    env->exception_is_int = 1;
    env->exception_next_eip = next_eip;
    cpu_loop_exit_restore(cpu, GETPC());
}

/* SDM Vol 3A 6.15, Table 6-4: the contributory exceptions. */
static bool excp_is_contributory(int v)
{
    return v == EXCP00_DIVZ || v == EXCP0A_TSS || v == EXCP0B_NOSEG ||
           v == EXCP0C_STACK || v == EXCP0D_GPF;
}

/* Table 6-5.  Never unwinds. */
int x86_exception_combine(int first, int second)
{
    bool second_bad = excp_is_contributory(second) || second == EXCP0E_PAGE;

    if (first == EXCP08_DBLE && second_bad) {
        return -2;
    }
    if (excp_is_contributory(first) && excp_is_contributory(second)) {
        return EXCP08_DBLE;
    }
    if (first == EXCP0E_PAGE && second_bad) {
        return EXCP08_DBLE;
    }
    return second;
}

/* A fault while delivering #DF: the processor enters shutdown, which the
 * chipset turns into a reset (SDM 6.15, interrupt 8).  The vCPU halts with
 * interrupts off until the reset (or the -no-reboot exit) happens, so it
 * does not spin re-faulting meanwhile.  BQL held; never unwinds. */
void x86_triple_fault(CPUX86State *env)
{
    CPUState *cpu = &env_x86_cpu(env)->parent;

    log_guest_error("x86: triple fault at %04x:%#" PRIx64 ", resetting\n",
                    env->segs[R_CS].selector, env->eip);
    env->old_exception = -1;
    env->eflags &= ~IF_MASK;
    cpu->halted = true;
    system_reset_request(RESET_CAUSE_GUEST);
}
