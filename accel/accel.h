/*
 * accel.h: the contract between the shared vCPU loop and an accelerator.
 *
 * cpu-exec.c owns the vCPU threads and their lifecycle; an accelerator
 * (accel/tcg, accel/kvm, accel/qtest, and a test-only one under tests/)
 * only knows how to run guest code for one vCPU until something needs the
 * loop's attention:
 *
 *     vcpu_thread(its vCPUs):              // "CPU n/<thread_suffix>"
 *         bql_lock(); ops->init_vcpu(cpu); signal created
 *         loop, for each of its vCPUs in turn:
 *             ack stop, run queued work, un-halt if it has work
 *             if cpu_can_run(cpu):
 *                 bql_unlock()
 *                 r = ops->exec_vcpu(cpu)  // no BQL: guest code runs here
 *                 bql_lock()
 *                 handle r
 *             nothing ran: sleep until woken
 *
 * A loop thread normally runs one vCPU; under round robin (-accel
 * tcg,thread=single, "CPU rr/<thread_suffix>") one thread runs them all, so
 * per-thread state of an accelerator must allow several vCPUs per thread.
 * "The vCPU's own thread" below is the thread that runs it, with
 * current_cpu() == cpu while a hook runs.
 *
 * Which thread calls what, with which lock:
 *   init_machine   main thread, BQL, once, before vCPUs are created.
 *   init_vcpu      the vCPU's own thread, BQL.
 *   exec_vcpu      the vCPU's own thread, NO BQL, between cpu_exec_start()
 *                  and cpu_exec_end() (the loop brackets it).  Returns an
 *                  EXCP_* code.  Must return promptly once cpu_exit(cpu)
 *                  has been called, including when exit_request is already
 *                  set on entry; it clears exit_request when it returns
 *                  because of it.
 *   kick_vcpu      any thread, any locks: make exec_vcpu return soon.
 *   get_state      BQL, vCPU not in exec_vcpu: accel registers -> CPUState
 *                  (the loop calls it when the vCPU pauses, and put_state
 *                  when it resumes from a pause)
 *   put_state      BQL, vCPU not in exec_vcpu: CPUState -> accel registers
 *   destroy_vcpu   the vCPU's own thread, BQL, after the last exec_vcpu.
 *   debug_changed  the vCPU's own thread or BQL with it paused.
 *   dump_stats     main thread, BQL, at exit (-d bql), vCPUs joined.
 * Hooks left NULL are not needed by that accelerator.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "util/error.h"

typedef struct CPUState CPUState;
typedef struct MachineState MachineState;

/* What exec_vcpu returns: why it stopped running guest code. */
enum {
    EXCP_INTERRUPT = 0x10000,  /* kicked: exit request or queued work */
    EXCP_HLT,                  /* guest halted; sleep until has_work */
    EXCP_DEBUG,                /* breakpoint or single-step: gdbstub */
    EXCP_YIELD,                /* time slice over (round-robin) */
    EXCP_SHUTDOWN,             /* vCPU asked for machine shutdown/reset */
};

typedef struct AccelOps {
    const char *name;              /* "tcg", "kvm", "qtest" */
    const char *thread_suffix;     /* "TCG" -> thread name "CPU 0/TCG" */
    /* False when the accelerator runs no guest code (qtest): no threads. */
    bool has_vcpu_threads;
    bool (*available)(Error **errp);
    /* Optional: false (with a reason) if it cannot run this machine arch
     * ("x86_64"); the default choice skips such an accelerator. */
    bool (*supports_arch)(const char *arch, Error **errp);
    bool (*init_machine)(MachineState *ms, Error **errp);
    bool (*init_vcpu)(CPUState *cpu, Error **errp);
    int (*exec_vcpu)(CPUState *cpu);
    void (*kick_vcpu)(CPUState *cpu);
    void (*get_state)(CPUState *cpu);
    void (*put_state)(CPUState *cpu);
    void (*destroy_vcpu)(CPUState *cpu);
    /*
     * Optional: cpu's breakpoints (flags has neither BP_MEM_* bit) or
     * watchpoints changed on [addr, addr + len) (include/exec/
     * breakpoint.h).  The vCPU's own thread, or BQL with it paused.
     */
    void (*debug_changed)(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
    /* Optional: a debugger wrote guest-physical [addr, addr + len) behind
     * the vCPUs' backs (TCG drops translated code there).  Any thread. */
    void (*debug_memory_written)(uint64_t addr, uint64_t len);
    /* Optional: prints the accelerator's run statistics (main thread, at
     * exit, with -d bql; vCPUs joined). */
    void (*dump_stats)(FILE *f);
} AccelOps;

/*
 * Accelerators register themselves at start-up (constructor); -accel and
 * -accel help go through these.
 */
void accel_register(const AccelOps *ops);
const AccelOps *accel_find(const char *name);
void accel_list(FILE *f);
/* The accelerator chosen for this run; set once, before vCPUs exist. */
extern const AccelOps *current_accel;

#endif
