/*
 * cpu.h: the target-independent part of a vCPU, and the shared vCPU loop's
 * interface (implemented in cpu-exec.c).
 *
 * A target embeds CPUState at the start of its own CPU struct and fills in a
 * CPUClass; generic code sees only CPUState.
 *
 * Lifecycle (one explicit state machine; transitions happen only in
 * cpu-exec.c, in cpu_set_state(), under the BQL):
 *
 *     CREATED --vm_start--> RUNNING <--pause/resume--> PAUSED
 *        |  \                  \                         /
 *        |   `--(born stopped)--\----------------------->'
 *        |                       `------> STOPPED <------'   (unplug/shutdown)
 *        `-------------------------------> STOPPED           (init failed)
 *
 * A vCPU created while the VM is not running (PRELAUNCH, -S) is born with
 * stop set and acknowledges it by going CREATED -> PAUSED.
 *
 * Threads: under KVM and -accel tcg,thread=multi every vCPU has its own host
 * thread ("CPU n/TCG"); under -accel tcg,thread=single one host thread
 * ("CPU rr/TCG") runs all of them round robin (cpu_set_round_robin).  "cpu's
 * thread" below is whichever thread runs cpu; current_cpu() is the vCPU that
 * thread is working for at the moment.
 *
 * Cross-vCPU requests never poke another vCPU's fields: they queue work.
 *   run_on_cpu(cpu, fn, data)            runs fn on cpu's thread and waits;
 *                                        BQL held by caller, released while
 *                                        waiting; fn runs with the BQL.
 *   async_run_on_cpu(cpu, fn, data)      queues fn and returns; any thread.
 *   async_safe_run_on_cpu(cpu, fn, data) queues fn to run on cpu's thread
 *                                        while every other vCPU is outside
 *                                        guest code ("exclusive"); fn runs
 *                                        without the BQL.
 * Each queues the item and kicks the target vCPU (accel->kick_vcpu).
 */
#ifndef HW_CPU_H
#define HW_CPU_H

#include "util/error.h"

typedef struct CPUState CPUState;
typedef struct AccelOps AccelOps;
/* The host thread that runs a vCPU, and its wake token (cpu-exec.c). */
typedef struct CpuThread CpuThread;

typedef enum VcpuState {
    VCPU_CREATED,
    VCPU_RUNNING,
    VCPU_PAUSED,
    VCPU_STOPPED,
} VcpuState;

/* interrupt_request bits; targets define more from CPU_INTERRUPT_TGT_0. */
enum {
    CPU_INTERRUPT_HARD = 1u << 0,    /* external interrupt line */
    CPU_INTERRUPT_NMI = 1u << 1,
    CPU_INTERRUPT_RESET = 1u << 2,
    CPU_INTERRUPT_TGT_0 = 1u << 8,
};

typedef void RunOnCpuFn(CPUState *cpu, void *data);

/* Target hooks.  Called on the vCPU's own thread unless noted. */
typedef struct CPUClass {
    const char *arch;                         /* "x86_64", "ppc64" */
    void (*reset)(CPUState *cpu);             /* BQL */
    bool (*has_work)(CPUState *cpu);          /* any thread, BQL */
    void (*do_interrupt)(CPUState *cpu);      /* BQL */
    void (*dump_state)(CPUState *cpu, FILE *f);
    /*
     * Debugging (gdbstub/, include/exec/breakpoint.h).  BQL with the vCPU
     * paused, or the vCPU's own thread.  Optional.
     *   get_phys_page_debug: the guest-physical address that virtual addr
     *     maps to in the vCPU's current translation regime, without side
     *     effects (no A/D bits, no fault), or -1 if it does not map.
     *   gdb_*: the registers as the debugger numbers them (0, 1, ... with
     *     no gap); read stores the register (target byte order) in buf (64
     *     bytes) and returns its size, 0 past the last one; write takes it from
     *     buf and returns the size consumed, 0 if unknown.  gdb_xml returns
     *     the target description file named annex ("target.xml", ...), or
     *     NULL.
     */
    uint64_t (*get_phys_page_debug)(CPUState *cpu, uint64_t addr);
    int (*gdb_read_register)(CPUState *cpu, uint8_t *buf, int reg);
    int (*gdb_write_register)(CPUState *cpu, const uint8_t *buf, int reg);
    const char *(*gdb_xml)(CPUState *cpu, const char *annex);
} CPUClass;

typedef struct CPUDebugState CPUDebugState;

typedef struct CpuWorkItem CpuWorkItem;

struct CPUState {
    int cpu_index;                  /* const after creation */
    const CPUClass *cc;             /* const */
    const AccelOps *accel;          /* const */
    void *accel_data;               /* owner: the accelerator */
    void *env_ptr;                  /* the target register file */

    /* const after cpu_init_common: the loop thread that runs this vCPU;
     * shared by every vCPU under round robin */
    CpuThread *vthread;
    pthread_t thread;               /* BQL; set by that thread before init */
    char thread_name[16];           /* its name: "CPU 0/TCG", "CPU rr/TCG" */
    bool created;                   /* BQL; init_vcpu has run */

    VcpuState state;                /* BQL */
    bool stop;                      /* BQL: pause requested */
    bool halted;                    /* BQL */
    bool unplug;                    /* BQL: leave the loop and stop */
    /* atomic: between cpu_exec_start and cpu_exec_end (may be briefly
     * true while the vCPU blocks at entry; see cpu-exec.c "exclusive") */
    bool in_guest;
    /* exclusive lock (cpu-exec.c): the running start_exclusive() counted
     * this vCPU as in guest code and waits for its cpu_exec_end() */
    bool in_exclusive_wait;

    /*
     * exit_request: set (atomic, release) by cpu_exit() from any thread;
     * read and cleared by the owner vCPU thread.  TCG checks it at every
     * block entry; KVM maps it to immediate_exit.
     */
    uint32_t exit_request;
    uint32_t interrupt_request;     /* atomic bit set; owner clears */

    /*
     * Queued work.  The thread sleeps on its CpuThread's wake token (not
     * with the BQL), so that any thread can wake it without the BQL; see
     * the wakeup protocol in cpu-exec.c.
     */
    pthread_mutex_t work_lock;      /* protects the fields below */
    CpuWorkItem *work_first, *work_last;  /* work_lock */
    bool work_closed;               /* work_lock: vCPU gone, no queueing */

    bool event_waiter;              /* BQL: owner waits for a cpu event */
    bool thread_joined;             /* BQL */

    int exception_index;            /* owner vCPU thread */
    /* exec_vcpu calls; written by the owner under the BQL, for tests */
    uint64_t exec_count;

    /* Breakpoints and watchpoints (include/exec/breakpoint.h): allocated
     * on first use; its lists are under the breakpoint lock. */
    CPUDebugState *debug;
    /* SSTEP_* flags: written with the BQL while the vCPU is paused or by
     * the owner; read by the owner (atomic). */
    int singlestep_enabled;
};

/* All CPUs of the machine, indexed by cpu_index.  BQL to modify. */
extern CPUState *cpus[];
extern int nr_cpus;
#define CPU_MAX 256

/*
 * Initialises the generic fields and adds cpu to cpus[].  The target calls
 * it from its CPU creation; the loop starts the thread in cpu_start().
 * BQL.
 */
void cpu_init_common(CPUState *cpu, const CPUClass *cc, int index);
/* Hands the vCPU to its thread (if the accelerator has threads), creating
 * the thread unless it runs already (round robin), and waits until
 * init_vcpu has run there.  BQL. */
bool cpu_start(CPUState *cpu, Error **errp);
/* Asks the vCPU to leave guest code soon.  Any thread. */
void cpu_exit(CPUState *cpu);
/* Wakes a halted or waiting vCPU and kicks it out of guest code.  Any
 * thread. */
void cpu_kick(CPUState *cpu);
/* Sets bits in interrupt_request and kicks.  Any thread. */
void cpu_interrupt(CPUState *cpu, uint32_t mask);
void cpu_reset_interrupt(CPUState *cpu, uint32_t mask);
bool cpu_is_stopped(CPUState *cpu);   /* BQL */
/* The vCPU of the calling thread, or NULL.  Any thread. */
CPUState *current_cpu(void);

void run_on_cpu(CPUState *cpu, RunOnCpuFn *fn, void *data);
void async_run_on_cpu(CPUState *cpu, RunOnCpuFn *fn, void *data);
void async_safe_run_on_cpu(CPUState *cpu, RunOnCpuFn *fn, void *data);

/* Exclusive sections, for code that needs all vCPUs out of guest code.
 * Called without the BQL, from a vCPU thread (outside cpu_exec_start/end)
 * or another thread.  Not nested. */
void start_exclusive(void);
void end_exclusive(void);
/*
 * Bracket guest execution, without the BQL.  The vCPU loop calls them around
 * exec_vcpu; an accelerator that must step out of guest code inside
 * exec_vcpu (to call start_exclusive, or to block for long) calls
 * cpu_exec_end() first and cpu_exec_start() before going back in.
 */
void cpu_exec_start(CPUState *cpu);
void cpu_exec_end(CPUState *cpu);

/*
 * What the vCPU loop does when exec_vcpu returns EXCP_DEBUG: called on the
 * vCPU's thread with the BQL held.  The gdbstub installs its own; the
 * default stops this vCPU (it goes PAUSED until resume_all_vcpus()).
 */
typedef void CpuDebugHook(CPUState *cpu);
extern CpuDebugHook *cpu_debug_hook;

/*
 * Round robin (-accel tcg,thread=single): the vCPUs created from now on
 * (cpu_init_common) share one host thread, which runs them in turn in
 * cpu_index order, each until it halts, stops, has work or its time slice
 * ends.  Main thread, before the vCPUs are created.
 */
void cpu_set_round_robin(bool on);
bool cpu_round_robin(void);

/* Pause and resume every vCPU; pause waits until all are outside guest
 * code.  BQL. */
void pause_all_vcpus(void);
void resume_all_vcpus(void);
bool all_vcpus_paused(void);
/* Resets every CPU through cc->reset, with accel put_state.  BQL, paused. */
void cpu_reset_all(void);
/* Stops every vCPU thread and joins it; for shutdown.  BQL. */
void cpu_stop_all_and_join(void);

#endif
