/*
 * cpu-exec.c: the one vCPU loop every accelerator runs in.
 *
 * Each vCPU gets a host thread, "CPU <n>/<ACCEL>", created by cpu_start().
 * The thread alternates between running guest code without the BQL and doing
 * bookkeeping with it (ARCHITECTURE.md section 2):
 *
 *     cpu_thread_fn(cpu):
 *         bql_lock(vcpu); accel->init_vcpu(cpu); signal cpu_start()
 *         until cpu->unplug:
 *             if cpu_can_run(cpu):          // RUNNING, !stop, !halted
 *                 bql_unlock()
 *                 cpu_exec_start; r = accel->exec_vcpu(cpu); cpu_exec_end
 *                 bql_lock(vcpu)
 *                 cpu_handle_exit(cpu, r)   // HLT, DEBUG, SHUTDOWN, ...
 *             cpu_wait_for_work(cpu)        // ack stop, run work, sleep
 *         drain work; accel->destroy_vcpu; STOPPED
 *
 * Who does what:
 *   main thread (BQL)  cpu_start, pause_all_vcpus/resume_all_vcpus,
 *                      cpu_reset_all, cpu_stop_all_and_join, run_on_cpu.
 *   vCPU thread        everything in cpu_thread_fn; all of its vCPU's state
 *                      transitions except for accelerators without threads.
 *   any thread         cpu_exit, cpu_kick, cpu_interrupt, async_run_on_cpu,
 *                      async_safe_run_on_cpu.
 *
 * Locks, outermost first: BQL, then excl_lock, then a cpu's work_lock.
 * work_lock is a leaf (nothing is taken under it).  excl_lock is never
 * taken with the BQL held: start_exclusive asserts !bql_locked() and
 * cpu_exec_start/end run without the BQL.  Holding excl_lock we only call
 * cpu_exit(), which takes no lock but may call the accelerator's kick.
 *
 * --- Wakeup protocol (why the vCPU does not sleep with the BQL) ---
 *
 * A sleeping vCPU must wake when any of these changes: work was queued
 * (any thread, under work_lock, without the BQL), an interrupt was raised
 * (any thread, atomic bit, without the BQL), has_work became true, stop or
 * unplug changed (BQL).  If the vCPU slept on a condition variable with the
 * BQL, a waker that does not hold the BQL could change the condition and
 * broadcast in the window between the vCPU's check and its cond_wait: the
 * broadcast finds no waiter and the wakeup is lost.  Making wakers take the
 * BQL is not an option: async_run_on_cpu is called from iothreads and with
 * device locks held, and "take it unless held" is banned.
 *
 * So the vCPU sleeps on its own halt_cond with its own work_lock, on a
 * sticky wake token:
 *
 *     waiter (vCPU, BQL held)                 waker (any thread, any locks)
 *     wake_pending = false     [work_lock]    change the condition
 *     evaluate stop/halted/has_work [BQL]     cpu_wake(): [work_lock]
 *     bql_unlock()                                wake_pending = true
 *     while !wake_pending && !work queued:        broadcast halt_cond
 *         cond_wait(halt_cond, work_lock)
 *     bql_lock(halt)
 *
 * Every change that can end a sleep is followed by cpu_wake() (cpu_kick and
 * cpu_interrupt do it; queueing work is itself visible under work_lock).  If
 * the waker's cpu_wake() comes before the waiter clears the token, the
 * change happened before the evaluation (ordered through work_lock) and
 * the evaluation sees it; if it comes after, the token is still set when
 * the waiter looks under work_lock and it does not sleep.  There are no
 * timeouts anywhere in the protocol.
 *
 * Threads waiting for something the vCPUs do under the BQL (a vCPU created,
 * a run_on_cpu item done, a pause acknowledged, a thread stopped) wait on
 * the single cpu_event_cond with the BQL: the event happens under the BQL,
 * so plain bql_cond_wait loses nothing.  A vCPU thread that must wait for
 * such an event (run_on_cpu to another vCPU, pause_all_vcpus from the
 * gdbstub) instead sets cpu->event_waiter and sleeps on its own token, so
 * that it keeps running its own queued work meanwhile: two vCPUs that
 * run_on_cpu each other therefore do not deadlock.
 *
 * --- Exclusive sections ---
 *
 * start_exclusive() waits until no vCPU is in guest code and keeps new ones
 * out until end_exclusive().  The fast path costs two seq_cst atomics:
 *
 *     cpu_exec_start:  in_guest = 1; if excl_pending: slow path
 *     start_exclusive: excl_pending = 1; for each cpu: if in_guest: count
 *
 * This is Dekker's pattern: with sequentially consistent stores and loads,
 * either the starter sees in_guest (and counts and kicks the vCPU, which
 * decrements the count in cpu_exec_end) or the vCPU sees excl_pending (and
 * takes the slow path: under excl_lock, if it was not counted it clears
 * in_guest and waits for the section to end).  A counted vCPU goes on into
 * exec_vcpu, finds exit_request set by the kick and comes straight back.
 * cpu_exec_end mirrors it: in_guest = 0; if excl_pending, report to the
 * starter under excl_lock.  The starter scans with excl_lock held, so a
 * vCPU in the slow path always sees the finished scan.
 *
 * nr_cpus and cpus[] are read by start_exclusive without the BQL: they are
 * published with seq_cst stores, so a vCPU added after the scan read
 * nr_cpus also sees excl_pending when it first enters guest code.  CPUs are
 * never removed from cpus[]; a stopped one just stays STOPPED.
 *
 * --- Round robin (-accel tcg,thread=single) ---
 *
 * cpu_set_round_robin(true) serializes guest execution: at most one vCPU
 * is between rr_acquire and rr_release (around cpu_exec_start/exec_vcpu/
 * cpu_exec_end), and the token goes round the waiting vCPUs in cpu_index
 * order.  A vCPU that waits for the token longer than RR_SLICE_NS kicks
 * the holder (cpu_exit), so a spinning vCPU cannot starve the others; a
 * vCPU alone keeps the token without interruption.  Every vCPU keeps its
 * own thread for its bookkeeping (queued work, halt, pause), so the state
 * machine and the wakeup protocol are the same in both modes.  rr_lock is
 * a leaf taken without the BQL.
 *
 * --- Queued work ---
 *
 * Work items run on the target vCPU's thread, in queueing order, whenever
 * it passes through cpu_wait_for_work (also while paused or halted), and
 * inside run_on_cpu/pause_all_vcpus waits on a vCPU thread.  Plain items run
 * with the BQL; "safe" items drop it and run inside start_exclusive.  Once
 * the thread has exited (work_closed), run_on_cpu runs its function in the
 * caller and asynchronous items for that vCPU are discarded: the vCPU they
 * were about is gone.
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "hw/cpu.h"
#include "system/bql.h"
#include "system/runstate.h"
#include "util/thread.h"

struct CpuWorkItem {
    CpuWorkItem *next;              /* work_lock */
    RunOnCpuFn *fn;
    void *data;
    bool free_after;                /* async: the vCPU frees it */
    bool exclusive;                 /* async_safe: run in start_exclusive */
    bool done;                      /* BQL: run_on_cpu waits for it */
};

CPUState *cpus[CPU_MAX];            /* BQL to write; see "exclusive" */
int nr_cpus;                        /* BQL to write; seq_cst */

static __thread CPUState *current_cpu_ptr;

/*
 * Broadcast under the BQL whenever a vCPU is created, completes a
 * run_on_cpu item, changes state; waited on with the BQL.
 */
static pthread_cond_t cpu_event_cond = PTHREAD_COND_INITIALIZER;

static void cpu_stop_self(CPUState *cpu);
CpuDebugHook *cpu_debug_hook = cpu_stop_self;   /* BQL */

/* Exclusive-section state. */
static pthread_mutex_t excl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t excl_idle_cond = PTHREAD_COND_INITIALIZER;  /* excl_lock */
static pthread_cond_t excl_done_cond = PTHREAD_COND_INITIALIZER;  /* excl_lock */
static int excl_pending;        /* written under excl_lock, read seq_cst */
static int excl_waiting_for;    /* excl_lock: counted vCPUs still in guest */
static __thread bool excl_owner;    /* this thread is inside a section */

/* Round robin (see above). */
#define RR_SLICE_NS (10 * 1000 * 1000)
static bool rr_enabled;             /* set before any vCPU starts */
static pthread_mutex_t rr_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rr_cond = PTHREAD_COND_INITIALIZER;   /* rr_lock */
static CPUState *rr_holder;         /* rr_lock: in guest code, or NULL */
static uint64_t rr_grants;          /* rr_lock: token hand-overs so far */
static bool rr_wants[CPU_MAX];      /* rr_lock: by cpus[] slot, waiting */

static int cpu_count(void)
{
    return __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);
}

static CPUState *cpu_at(int i)
{
    return __atomic_load_n(&cpus[i], __ATOMIC_SEQ_CST);
}

static bool cpu_has_thread(CPUState *cpu)
{
    return cpu->accel->has_vcpu_threads;
}

CPUState *current_cpu(void)
{
    return current_cpu_ptr;
}

/* ------------------------------------------------------------------ */
/* State machine                                                       */

static const char *const vcpu_state_names[] = {
    [VCPU_CREATED] = "created",
    [VCPU_RUNNING] = "running",
    [VCPU_PAUSED] = "paused",
    [VCPU_STOPPED] = "stopped",
};

/* The only place cpu->state changes.  BQL. */
static void cpu_set_state(CPUState *cpu, VcpuState s)
{
    VcpuState old = cpu->state;
    bool legal;

    assert(bql_locked());
    switch (old) {
    case VCPU_CREATED:
        legal = s == VCPU_RUNNING || s == VCPU_PAUSED || s == VCPU_STOPPED;
        break;
    case VCPU_RUNNING:
        legal = s == VCPU_PAUSED || s == VCPU_STOPPED;
        break;
    case VCPU_PAUSED:
        legal = s == VCPU_RUNNING || s == VCPU_STOPPED;
        break;
    default:
        legal = false;
        break;
    }
    if (!legal) {
        fprintf(stderr, "cpu %d: illegal vCPU state change %s -> %s\n",
                cpu->cpu_index, vcpu_state_names[old], vcpu_state_names[s]);
        abort();
    }
    cpu->state = s;
}

/* ------------------------------------------------------------------ */
/* Wakeups                                                             */

/* Sets the wake token and wakes the vCPU if it sleeps.  Any thread. */
static void cpu_wake(CPUState *cpu)
{
    pthread_mutex_lock(&cpu->work_lock);
    cpu->wake_pending = true;
    pthread_cond_broadcast(&cpu->halt_cond);
    pthread_mutex_unlock(&cpu->work_lock);
}

/* Drops stale tokens before the caller evaluates its sleep condition.
 * Owner vCPU thread. */
static void cpu_wake_reset(CPUState *cpu)
{
    pthread_mutex_lock(&cpu->work_lock);
    cpu->wake_pending = false;
    pthread_mutex_unlock(&cpu->work_lock);
}

/*
 * Sleeps until cpu_wake() or queued work, releasing the BQL meanwhile.
 * Owner vCPU thread, BQL held; returns with the BQL held (cause "halt").
 */
static void cpu_sleep(CPUState *cpu)
{
    bql_unlock();
    pthread_mutex_lock(&cpu->work_lock);
    while (!cpu->wake_pending && !cpu->work_first) {
        pthread_cond_wait(&cpu->halt_cond, &cpu->work_lock);
    }
    pthread_mutex_unlock(&cpu->work_lock);
    bql_lock(bql_cause_halt);
}

/* Wakes every thread waiting for a cpu event.  BQL. */
static void cpu_event_broadcast(void)
{
    int i, n = cpu_count();

    assert(bql_locked());
    pthread_cond_broadcast(&cpu_event_cond);
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu->event_waiter) {
            cpu_wake(cpu);
        }
    }
}

static bool cpu_run_queued_work(CPUState *cpu);

/*
 * Waits for the next cpu event; the caller re-checks its condition.  BQL
 * held, released meanwhile.  On a vCPU thread, runs that vCPU's queued work
 * while waiting.
 */
static void cpu_event_wait(void)
{
    CPUState *self = current_cpu_ptr;

    assert(bql_locked());
    if (!self) {
        bql_cond_wait(&cpu_event_cond, -1);
        return;
    }
    /* Events happen under the BQL, which we hold from the caller's check
     * until cpu_sleep() drops it; the flag makes them set our token. */
    self->event_waiter = true;
    cpu_wake_reset(self);
    if (!cpu_run_queued_work(self)) {
        cpu_sleep(self);
    }
    self->event_waiter = false;
}

void cpu_exit(CPUState *cpu)
{
    /* Pairs with the acquire load in the accelerator's exit check. */
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELEASE);
    if (cpu->accel->kick_vcpu) {
        cpu->accel->kick_vcpu(cpu);
    }
}

void cpu_kick(CPUState *cpu)
{
    cpu_exit(cpu);
    cpu_wake(cpu);
}

void cpu_interrupt(CPUState *cpu, uint32_t mask)
{
    /* The atomic OR is ordered before the wake token through work_lock. */
    __atomic_fetch_or(&cpu->interrupt_request, mask, __ATOMIC_SEQ_CST);
    cpu_kick(cpu);
}

void cpu_reset_interrupt(CPUState *cpu, uint32_t mask)
{
    __atomic_fetch_and(&cpu->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}

static bool cpu_has_work(CPUState *cpu)
{
    if (cpu->cc->has_work) {
        return cpu->cc->has_work(cpu);
    }
    return __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) != 0;
}

bool cpu_is_stopped(CPUState *cpu)
{
    assert(bql_locked());
    return cpu->state != VCPU_RUNNING;
}

/* ------------------------------------------------------------------ */
/* Exclusive sections                                                  */

void start_exclusive(void)
{
    int i, n, counted = 0;

    assert(!bql_locked());
    assert(!excl_owner);
    assert(!current_cpu_ptr ||
           !__atomic_load_n(&current_cpu_ptr->in_guest, __ATOMIC_RELAXED));

    pthread_mutex_lock(&excl_lock);
    while (__atomic_load_n(&excl_pending, __ATOMIC_RELAXED)) {
        pthread_cond_wait(&excl_done_cond, &excl_lock);
    }
    __atomic_store_n(&excl_pending, 1, __ATOMIC_SEQ_CST);
    n = cpu_count();
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (__atomic_load_n(&cpu->in_guest, __ATOMIC_SEQ_CST)) {
            cpu->in_exclusive_wait = true;
            counted++;
            cpu_exit(cpu);
        }
    }
    excl_waiting_for = counted;
    while (excl_waiting_for > 0) {
        pthread_cond_wait(&excl_idle_cond, &excl_lock);
    }
    pthread_mutex_unlock(&excl_lock);
    excl_owner = true;
}

void end_exclusive(void)
{
    assert(excl_owner);
    excl_owner = false;
    pthread_mutex_lock(&excl_lock);
    __atomic_store_n(&excl_pending, 0, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&excl_done_cond);
    pthread_mutex_unlock(&excl_lock);
}

void cpu_exec_start(CPUState *cpu)
{
    assert(!bql_locked());
    __atomic_store_n(&cpu->in_guest, true, __ATOMIC_SEQ_CST);
    if (likely(!__atomic_load_n(&excl_pending, __ATOMIC_SEQ_CST))) {
        return;
    }
    pthread_mutex_lock(&excl_lock);
    if (!cpu->in_exclusive_wait) {
        /* The starter did not see us: stay out until the section ends.
         * A starter that comes later scans under excl_lock after we set
         * in_guest again, so it will count us. */
        __atomic_store_n(&cpu->in_guest, false, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&excl_pending, __ATOMIC_RELAXED)) {
            pthread_cond_wait(&excl_done_cond, &excl_lock);
        }
        __atomic_store_n(&cpu->in_guest, true, __ATOMIC_SEQ_CST);
    }
    /* else: counted and kicked; exec_vcpu returns at once and
     * cpu_exec_end reports to the starter. */
    pthread_mutex_unlock(&excl_lock);
}

void cpu_exec_end(CPUState *cpu)
{
    assert(!bql_locked());
    __atomic_store_n(&cpu->in_guest, false, __ATOMIC_SEQ_CST);
    if (likely(!__atomic_load_n(&excl_pending, __ATOMIC_SEQ_CST))) {
        return;
    }
    pthread_mutex_lock(&excl_lock);
    if (cpu->in_exclusive_wait) {
        cpu->in_exclusive_wait = false;
        if (--excl_waiting_for == 0) {
            pthread_cond_signal(&excl_idle_cond);
        }
    }
    pthread_mutex_unlock(&excl_lock);
}

/* ------------------------------------------------------------------ */
/* Round robin                                                         */

void cpu_set_round_robin(bool on)
{
    assert(!rr_holder);
    rr_enabled = on;
}

/* cpu's slot in cpus[]. */
static int cpu_slot(CPUState *cpu)
{
    int i, n = cpu_count();

    for (i = 0; i < n; i++) {
        if (cpu_at(i) == cpu) {
            return i;
        }
    }
    g_assert_not_reached();
}

bool cpu_round_robin(void)
{
    return rr_enabled;
}

/* Waits for the token.  Owner vCPU thread, no BQL. */
static void rr_acquire(CPUState *cpu)
{
    int slot = cpu_slot(cpu);

    pthread_mutex_lock(&rr_lock);
    if (rr_holder) {
        rr_wants[slot] = true;
        while (rr_holder != cpu) {
            uint64_t seen = rr_grants;
            CPUState *holder = rr_holder;
            struct timespec ts;
            int r;

            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += RR_SLICE_NS;
            if (ts.tv_nsec >= NS_PER_SEC) {
                ts.tv_sec++;
                ts.tv_nsec -= NS_PER_SEC;
            }
            r = pthread_cond_timedwait(&rr_cond, &rr_lock, &ts);
            if (r == ETIMEDOUT && rr_grants == seen && rr_holder == holder &&
                holder) {
                /* The holder's slice is over: make it leave guest code. */
                cpu_exit(holder);
            }
            if (!rr_holder) {
                rr_holder = cpu;    /* released with nobody chosen */
            }
        }
        rr_wants[slot] = false;
    } else {
        rr_holder = cpu;
    }
    rr_grants++;
    pthread_mutex_unlock(&rr_lock);
}

/* Passes the token to the next waiting vCPU after cpu in index order.
 * Owner vCPU thread, no BQL. */
static void rr_release(CPUState *cpu)
{
    int i, n = cpu_count(), slot = cpu_slot(cpu);

    pthread_mutex_lock(&rr_lock);
    assert(rr_holder == cpu);
    rr_holder = NULL;
    for (i = 1; i <= n; i++) {
        int j = (slot + i) % n;

        if (rr_wants[j]) {
            rr_holder = cpu_at(j);
            break;
        }
    }
    pthread_cond_broadcast(&rr_cond);
    pthread_mutex_unlock(&rr_lock);
}

/* ------------------------------------------------------------------ */
/* Queued work                                                         */

/* Appends item; false if the vCPU thread is gone.  Any thread. */
static bool cpu_queue_work(CPUState *cpu, CpuWorkItem *item)
{
    bool queued;

    item->next = NULL;
    pthread_mutex_lock(&cpu->work_lock);
    queued = !cpu->work_closed;
    if (queued) {
        if (cpu->work_last) {
            cpu->work_last->next = item;
        } else {
            cpu->work_first = item;
        }
        cpu->work_last = item;
    }
    pthread_mutex_unlock(&cpu->work_lock);
    if (queued) {
        cpu_kick(cpu);
    }
    return queued;
}

static CpuWorkItem *cpu_dequeue_work(CPUState *cpu)
{
    CpuWorkItem *item;

    pthread_mutex_lock(&cpu->work_lock);
    item = cpu->work_first;
    if (item) {
        cpu->work_first = item->next;
        if (!cpu->work_first) {
            cpu->work_last = NULL;
        }
    }
    pthread_mutex_unlock(&cpu->work_lock);
    return item;
}

/*
 * Runs every queued item, oldest first.  Owner vCPU thread, BQL held (it
 * is dropped around safe items).  Returns true if any item ran.
 */
static bool cpu_run_queued_work(CPUState *cpu)
{
    CpuWorkItem *item;
    bool ran = false;

    assert(bql_locked() && current_cpu_ptr == cpu);
    while ((item = cpu_dequeue_work(cpu))) {
        ran = true;
        if (item->exclusive) {
            bql_unlock();
            start_exclusive();
            item->fn(cpu, item->data);
            end_exclusive();
            bql_lock(bql_cause_vcpu);
        } else {
            item->fn(cpu, item->data);
        }
        if (item->free_after) {
            g_free(item);
        } else {
            /* run_on_cpu's item lives on the waiter's stack; it can only
             * look at it once we release the BQL. */
            item->done = true;
            cpu_event_broadcast();
        }
    }
    return ran;
}

void run_on_cpu(CPUState *cpu, RunOnCpuFn *fn, void *data)
{
    CpuWorkItem item = { .fn = fn, .data = data };

    assert(bql_locked());
    /* Waiting for another vCPU from inside guest execution would deadlock
     * against start_exclusive(); step out with cpu_exec_end() first. */
    assert(!current_cpu_ptr ||
           !__atomic_load_n(&current_cpu_ptr->in_guest, __ATOMIC_RELAXED));
    if (cpu == current_cpu_ptr || !cpu_has_thread(cpu) ||
        !cpu_queue_work(cpu, &item)) {
        /* Our own thread, or no thread runs this vCPU (any more). */
        fn(cpu, data);
        return;
    }
    while (!item.done) {
        cpu_event_wait();
    }
}

static void cpu_queue_async(CPUState *cpu, RunOnCpuFn *fn, void *data,
                            bool exclusive)
{
    CpuWorkItem *item = g_new0(CpuWorkItem, 1);

    /* Without a thread nobody would run it; such accelerators (qtest)
     * run no guest code and must not queue work. */
    assert(cpu_has_thread(cpu));
    item->fn = fn;
    item->data = data;
    item->free_after = true;
    item->exclusive = exclusive;
    if (!cpu_queue_work(cpu, item)) {
        g_free(item);       /* the vCPU has exited: see file comment */
    }
}

void async_run_on_cpu(CPUState *cpu, RunOnCpuFn *fn, void *data)
{
    cpu_queue_async(cpu, fn, data, false);
}

void async_safe_run_on_cpu(CPUState *cpu, RunOnCpuFn *fn, void *data)
{
    cpu_queue_async(cpu, fn, data, true);
}

/* ------------------------------------------------------------------ */
/* The vCPU thread                                                     */

/* The default EXCP_DEBUG handling: this vCPU stops until resumed.  Also
 * used for EXCP_SHUTDOWN.  Owner vCPU thread, BQL. */
static void cpu_stop_self(CPUState *cpu)
{
    cpu->stop = true;
}

static bool cpu_can_run(CPUState *cpu)
{
    return cpu->state == VCPU_RUNNING && !cpu->stop && !cpu->halted &&
           !cpu->unplug;
}

/* Acts on exec_vcpu's return code.  Owner vCPU thread, BQL. */
static void cpu_handle_exit(CPUState *cpu, int r)
{
    switch (r) {
    case EXCP_HLT:
        cpu->halted = true;
        break;
    case EXCP_DEBUG:
        cpu_debug_hook(cpu);
        break;
    case EXCP_SHUTDOWN:
        /* The accelerator has made the reset/shutdown request; do not run
         * guest code past it.  The main loop's pause/resume around the
         * reset clears stop again. */
        cpu_stop_self(cpu);
        break;
    case EXCP_INTERRUPT:
    case EXCP_YIELD:
        break;
    default:
        /* Targets may return their own exception numbers after handling
         * them; nothing for the generic loop to do. */
        break;
    }
}

/*
 * Acknowledges stop, runs queued work, and sleeps while there is nothing to
 * run.  Returns when the vCPU can run or must exit.  Owner vCPU thread, BQL.
 */
static void cpu_wait_for_work(CPUState *cpu)
{
    for (;;) {
        cpu_wake_reset(cpu);
        cpu_run_queued_work(cpu);
        if (cpu->unplug) {
            return;
        }
        if (cpu->stop) {
            if (cpu->state != VCPU_PAUSED) {
                cpu_set_state(cpu, VCPU_PAUSED);
                cpu_event_broadcast();
            }
        } else {
            if (cpu->state != VCPU_RUNNING) {
                cpu_set_state(cpu, VCPU_RUNNING);
                cpu_event_broadcast();
            }
            if (cpu->halted && cpu_has_work(cpu)) {
                cpu->halted = false;
            }
            if (!cpu->halted) {
                return;
            }
        }
        cpu_sleep(cpu);
    }
}

typedef struct CpuStartArgs {
    CPUState *cpu;
    Error *err;             /* BQL */
    bool done;              /* BQL */
} CpuStartArgs;

static void *cpu_thread_fn(void *opaque)
{
    CpuStartArgs *args = opaque;
    CPUState *cpu = args->cpu;
    Error *err = NULL;
    bool ok = true;

    current_cpu_ptr = cpu;
    bql_lock(bql_cause_vcpu);
    if (cpu->accel->init_vcpu) {
        ok = cpu->accel->init_vcpu(cpu, &err);
    }
    cpu->created = true;
    args->err = err;
    args->done = true;      /* args belongs to cpu_start() from here on */
    cpu_event_broadcast();

    while (ok && !cpu->unplug) {
        if (cpu_can_run(cpu)) {
            int r;

            bql_unlock();
            if (rr_enabled) {
                rr_acquire(cpu);
            }
            cpu_exec_start(cpu);
            r = cpu->accel->exec_vcpu(cpu);
            cpu_exec_end(cpu);
            if (rr_enabled) {
                rr_release(cpu);
            }
            bql_lock(bql_cause_vcpu);
            cpu->exec_count++;
            cpu_handle_exit(cpu, r);
        }
        cpu_wait_for_work(cpu);
    }

    /* Close the queue, then run what is left, so no run_on_cpu caller is
     * left waiting. */
    pthread_mutex_lock(&cpu->work_lock);
    cpu->work_closed = true;
    pthread_mutex_unlock(&cpu->work_lock);
    cpu_run_queued_work(cpu);
    if (ok && cpu->accel->destroy_vcpu) {
        cpu->accel->destroy_vcpu(cpu);
    }
    cpu_set_state(cpu, VCPU_STOPPED);
    cpu_event_broadcast();
    bql_unlock();
    current_cpu_ptr = NULL;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Creation, pause/resume, reset, teardown (main thread, BQL)          */

void cpu_init_common(CPUState *cpu, const CPUClass *cc, int index)
{
    int n;

    assert(bql_locked());
    assert(current_accel);
    n = cpu_count();
    assert(n < CPU_MAX);
    cpu->cpu_index = index;
    cpu->cc = cc;
    cpu->accel = current_accel;
    snprintf(cpu->thread_name, sizeof(cpu->thread_name), "CPU %d/%s",
             index, current_accel->thread_suffix);
    cpu->state = VCPU_CREATED;
    /* Born stopped unless the VM already runs (PRELAUNCH, -S, paused). */
    cpu->stop = !runstate_is_running();
    cpu->exception_index = -1;
    pthread_mutex_init(&cpu->work_lock, NULL);
    pthread_cond_init(&cpu->halt_cond, NULL);
    /* Publish the slot before the count; see "exclusive" above. */
    __atomic_store_n(&cpus[n], cpu, __ATOMIC_SEQ_CST);
    __atomic_store_n(&nr_cpus, n + 1, __ATOMIC_SEQ_CST);
}

bool cpu_start(CPUState *cpu, Error **errp)
{
    CpuStartArgs args = { .cpu = cpu };

    assert(bql_locked());
    assert(cpu->state == VCPU_CREATED && !cpu->created);
    if (!cpu_has_thread(cpu)) {
        if (cpu->accel->init_vcpu && !cpu->accel->init_vcpu(cpu, errp)) {
            cpu_set_state(cpu, VCPU_STOPPED);
            return false;
        }
        cpu->created = true;
        cpu_set_state(cpu, cpu->stop ? VCPU_PAUSED : VCPU_RUNNING);
        return true;
    }
    if (!thread_create(&cpu->thread, cpu->thread_name, cpu_thread_fn, &args,
                       errp)) {
        cpu_set_state(cpu, VCPU_STOPPED);
        return false;
    }
    while (!args.done) {
        cpu_event_wait();
    }
    if (args.err) {
        /* The thread has marked itself STOPPED and released the BQL for
         * good (we hold it again), so joining cannot deadlock. */
        while (cpu->state != VCPU_STOPPED) {
            cpu_event_wait();
        }
        pthread_join(cpu->thread, NULL);
        cpu->thread_joined = true;
        error_propagate(errp, args.err);
        return false;
    }
    return true;
}

bool all_vcpus_paused(void)
{
    int i, n = cpu_count();

    assert(bql_locked());
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        /*
         * Not started yet, or started but not yet past its first look at
         * stop: it only enters guest code after going RUNNING under the BQL
         * with stop clear, so CREATED with stop set is as good as paused.
         * main() resets the machine this way, right after creating it.
         */
        if (cpu->state == VCPU_CREATED && (!cpu->created || cpu->stop)) {
            continue;
        }
        if (cpu->state != VCPU_PAUSED && cpu->state != VCPU_STOPPED) {
            return false;
        }
    }
    return true;
}

void pause_all_vcpus(void)
{
    CPUState *self = current_cpu_ptr;
    int i, n = cpu_count();

    assert(bql_locked());
    assert(!self || !__atomic_load_n(&self->in_guest, __ATOMIC_RELAXED));
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu->state == VCPU_STOPPED) {
            continue;
        }
        cpu->stop = true;
        if (!cpu_has_thread(cpu)) {
            if (cpu->created && cpu->state != VCPU_PAUSED) {
                cpu_set_state(cpu, VCPU_PAUSED);
            }
        } else if (cpu == self) {
            /* Called from our own loop (gdbstub): we are outside guest
             * code and acknowledge at once. */
            if (cpu->state != VCPU_PAUSED) {
                cpu_set_state(cpu, VCPU_PAUSED);
            }
        } else {
            cpu_kick(cpu);
        }
    }
    while (!all_vcpus_paused()) {
        cpu_event_wait();
    }
}

void resume_all_vcpus(void)
{
    int i, n = cpu_count();

    assert(bql_locked());
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu->state == VCPU_STOPPED) {
            continue;
        }
        cpu->stop = false;
        if (!cpu_has_thread(cpu)) {
            if (cpu->created && cpu->state != VCPU_RUNNING) {
                cpu_set_state(cpu, VCPU_RUNNING);
            }
        } else {
            /* No exit request: the vCPU is outside guest code. */
            cpu_wake(cpu);
        }
    }
}

void cpu_reset_all(void)
{
    int i, n = cpu_count();

    assert(bql_locked());
    assert(all_vcpus_paused());
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu->state == VCPU_STOPPED) {
            continue;
        }
        __atomic_store_n(&cpu->interrupt_request, 0, __ATOMIC_SEQ_CST);
        cpu->halted = false;
        cpu->exception_index = -1;
        if (cpu->cc->reset) {
            cpu->cc->reset(cpu);
        }
        if (cpu->accel->put_state) {
            cpu->accel->put_state(cpu);
        }
    }
}

void cpu_stop_all_and_join(void)
{
    int i, n = cpu_count();
    bool waiting;

    assert(bql_locked());
    assert(!current_cpu_ptr);
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu->state == VCPU_STOPPED) {
            continue;
        }
        cpu->unplug = true;
        if (!cpu_has_thread(cpu) || !cpu->created) {
            /* No thread runs it: stop it here. */
            if (cpu->created && cpu->accel->destroy_vcpu) {
                cpu->accel->destroy_vcpu(cpu);
            }
            cpu_set_state(cpu, VCPU_STOPPED);
        } else {
            cpu_kick(cpu);
        }
    }
    /*
     * Wait for STOPPED with the BQL released (the threads need it to get
     * there); after STOPPED a thread only drops the BQL and returns, so
     * joining with the BQL held cannot deadlock.
     */
    do {
        waiting = false;
        for (i = 0; i < n; i++) {
            if (cpu_at(i)->state != VCPU_STOPPED) {
                waiting = true;
            }
        }
        if (waiting) {
            cpu_event_wait();
        }
    } while (waiting);
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu_has_thread(cpu) && cpu->created && !cpu->thread_joined) {
            pthread_join(cpu->thread, NULL);
            cpu->thread_joined = true;
        }
    }
}
