/*
 * cpu-exec.c: the one vCPU loop every accelerator runs in.
 *
 * The loop runs on host threads created by cpu_start(), each described by
 * a CpuThread.  Normally each vCPU has its own, "CPU <n>/<ACCEL>"; under
 * round robin (-accel tcg,thread=single) one thread, "CPU rr/<ACCEL>",
 * runs every vCPU.  A thread alternates between running guest code without
 * the BQL and doing bookkeeping with it (ARCHITECTURE.md section 2):
 *
 *     cpu_thread_fn(thr):
 *         bql_lock(vcpu)
 *         loop while thr has vCPUs:
 *             init_vcpu the vCPUs cpu_start() handed over; signal it
 *             for each vCPU of thr in cpus[] order:     cpu_turn(cpu)
 *                 current_cpu = cpu
 *                 if cpu_prepare(cpu):      // ack stop, run work, un-halt
 *                     bql_unlock()
 *                     cpu_exec_start; r = accel->exec_vcpu(cpu); cpu_exec_end
 *                     bql_lock(vcpu)
 *                     cpu_handle_exit(cpu, r)   // HLT, DEBUG, SHUTDOWN, ...
 *                 if cpu->unplug: drain work; accel->destroy_vcpu; STOPPED
 *             no vCPU ran guest code: sleep until woken
 *
 * With one vCPU per thread this is the plain per-vCPU loop; with all of
 * them it is round robin, and the state machine, the wakeup protocol and
 * queued work are the same code either way.
 *
 * Who does what:
 *   main thread (BQL)  cpu_start, pause_all_vcpus/resume_all_vcpus,
 *                      cpu_reset_all, cpu_stop_all_and_join, run_on_cpu.
 *   loop thread        everything in cpu_thread_fn; all state transitions
 *                      of its vCPUs except for accelerators without threads.
 *   any thread         cpu_exit, cpu_kick, cpu_interrupt, async_run_on_cpu,
 *                      async_safe_run_on_cpu.
 *
 * Locks, outermost first: BQL, then excl_lock, then a cpu's work_lock, a
 * thread's wake_lock or an rr thread's slice_lock (all three leaves).
 * excl_lock is never taken with the BQL held: start_exclusive asserts
 * !bql_locked() and cpu_exec_start/end run without the BQL.  Holding
 * excl_lock or slice_lock we only call cpu_exit(), which takes no lock but
 * may call the accelerator's kick.
 *
 * --- Wakeup protocol (why the thread does not sleep with the BQL) ---
 *
 * A sleeping thread must wake when any of these changes for one of its
 * vCPUs: work was queued (any thread, under work_lock, without the BQL), an
 * interrupt was raised (any thread, atomic bit, without the BQL), has_work
 * became true, stop or unplug changed (BQL).  If the thread slept on a
 * condition variable with the BQL, a waker that does not hold the BQL could
 * change the condition and broadcast in the window between the thread's
 * check and its cond_wait: the broadcast finds no waiter and the wakeup is
 * lost.  Making wakers take the BQL is not an option: async_run_on_cpu is
 * called from iothreads and with device locks held, and "take it unless
 * held" is banned.
 *
 * So the thread sleeps on its own wake_cond with its own wake_lock, on a
 * sticky wake token:
 *
 *     waiter (loop thread, BQL held)          waker (any thread, any locks)
 *     wake_pending = false     [wake_lock]    change the condition
 *     evaluate every vCPU: stop/halted/       cpu_wake(cpu): [wake_lock]
 *       has_work/queued work [BQL]                wake_pending = true
 *     bql_unlock()                                broadcast wake_cond
 *     while !wake_pending:
 *         cond_wait(wake_cond, wake_lock)
 *     bql_lock(halt)
 *
 * Every change that can end a sleep is followed by cpu_wake() (cpu_kick and
 * cpu_interrupt do it; queueing work kicks).  If the waker's cpu_wake()
 * comes before the waiter clears the token, the change happened before the
 * evaluation (ordered through wake_lock) and the evaluation sees it; if it
 * comes after, the token is still set when the waiter looks under wake_lock
 * and it does not sleep.  The token belongs to the thread, not the vCPU, so
 * a round-robin thread sleeps until any of its vCPUs is woken.  There are
 * no timeouts anywhere in the protocol.
 *
 * Threads waiting for something the vCPUs do under the BQL (a vCPU created,
 * a run_on_cpu item done, a pause acknowledged, a thread stopped) wait on
 * the single cpu_event_cond with the BQL: the event happens under the BQL,
 * so plain bql_cond_wait loses nothing.  A loop thread that must wait for
 * such an event (run_on_cpu to a vCPU of another thread, pause_all_vcpus
 * from the gdbstub) instead sets cpu->event_waiter and sleeps on its own
 * token, so that it keeps running its vCPUs' queued work meanwhile: two
 * vCPUs that run_on_cpu each other therefore do not deadlock.  A vCPU of
 * the calling thread itself is outside guest code by construction, so
 * run_on_cpu and pause_all_vcpus deal with it at once, as that vCPU.
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
 * never removed from cpus[]; a stopped one just stays STOPPED.  CpuThreads
 * are never freed either (a stopped vCPU may still be kicked).
 *
 * --- Round robin (-accel tcg,thread=single) ---
 *
 * cpu_set_round_robin(true) puts the vCPUs created afterwards on one
 * CpuThread (rr_thread).  Its loop gives each runnable vCPU one exec_vcpu
 * call per round, in cpus[] (cpu_index) order.  A vCPU leaves exec_vcpu
 * when it halts, is kicked (queued work, stop, interrupt) or its slice
 * ends: while the thread has more than one vCPU, a helper thread
 * ("rr-slice", no vCPU of its own) calls cpu_exit on the running vCPU once
 * it has been in exec_vcpu for RR_SLICE_NS, so a spinning vCPU cannot
 * starve the others.  cpu_wake() of a vCPU also kicks the running one, so
 * a vCPU that gets an interrupt or work gets its turn without waiting for
 * the slice; a wake that comes while no vCPU is in exec_vcpu is left in
 * rr_woken, and the next vCPU to enter comes straight back out (a Dekker
 * pair on running/rr_woken, so no wake is missed).  A vCPU alone on the
 * thread runs without slices.
 *
 * --- Queued work ---
 *
 * Work items run on the target vCPU's thread as that vCPU (current_cpu),
 * in queueing order, whenever the thread gives it a turn (also while
 * paused or halted), and inside run_on_cpu/pause_all_vcpus waits on a loop
 * thread.  Plain items run with the BQL; "safe" items drop it and run
 * inside start_exclusive.  Once the vCPU has stopped (work_closed),
 * run_on_cpu runs its function in the caller and asynchronous items for
 * that vCPU are discarded: the vCPU they were about is gone.
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

/*
 * A loop thread and the vCPUs it runs (those whose vthread points here).
 * Allocated by cpu_init_common, never freed; the thread itself may be
 * started, stop when its last vCPU stops, be joined and started again.
 */
struct CpuThread {
    char name[16];                  /* const: "CPU 0/TCG", "CPU rr/TCG" */
    bool rr;                        /* const: the round-robin thread */
    pthread_t thread;               /* BQL: valid while started */
    bool started;                   /* BQL: created and not yet joined */
    bool exited;                    /* BQL: has left its loop for good */
    GQueue starting;                /* BQL: CpuStartArgs waiting for it */

    /* The wake token; see "Wakeup protocol". */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake_cond;       /* waited on with wake_lock */
    bool wake_pending;              /* wake_lock: a wakeup since last look */

    /* Round robin only; see above. */
    CPUState *running;              /* atomic: in exec_vcpu, or NULL */
    int rr_woken;                   /* atomic: a cpu_wake since a begin */
    int nr_live;                    /* owner thread: vCPUs this round */
    pthread_t slice_thread;         /* BQL: set by cpu_thread_launch */
    pthread_mutex_t slice_lock;
    pthread_cond_t slice_cond;      /* slice_lock; CLOCK_MONOTONIC */
    CPUState *slice_cpu;            /* slice_lock: running a slice, or NULL */
    uint64_t slice_seq;             /* slice_lock: slices begun */
    int64_t slice_start_ns;         /* slice_lock: CLOCK_MONOTONIC */
    bool slice_idle;                /* slice_lock: timer waits untimed */
    bool slice_quit;                /* slice_lock */
};

/* Round robin (see above). */
#define RR_SLICE_NS (10 * 1000 * 1000)
static bool rr_enabled;             /* main thread, before vCPUs exist */
static CpuThread *rr_thread;        /* BQL: the round-robin CpuThread */

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

/*
 * Sets the wake token of cpu's thread and wakes it if it sleeps; on the
 * round-robin thread also kicks the vCPU in guest code, so that cpu gets
 * its turn soon.  Any thread.
 */
static void cpu_wake(CPUState *cpu)
{
    CpuThread *thr = cpu->vthread;

    pthread_mutex_lock(&thr->wake_lock);
    thr->wake_pending = true;
    pthread_cond_broadcast(&thr->wake_cond);
    pthread_mutex_unlock(&thr->wake_lock);
    if (thr->rr) {
        CPUState *running;

        /* Dekker with rr_slice_begin: either we see the vCPU that is
         * entering guest code, or it sees rr_woken. */
        __atomic_store_n(&thr->rr_woken, 1, __ATOMIC_SEQ_CST);
        running = __atomic_load_n(&thr->running, __ATOMIC_SEQ_CST);
        if (running && running != cpu) {
            cpu_exit(running);
        }
    }
}

/* Drops stale tokens before the caller evaluates its sleep condition.
 * Owner thread. */
static void cpu_thread_wake_reset(CpuThread *thr)
{
    pthread_mutex_lock(&thr->wake_lock);
    thr->wake_pending = false;
    pthread_mutex_unlock(&thr->wake_lock);
}

/*
 * Sleeps until the token is set, releasing the BQL meanwhile.  Queued work
 * needs no check of its own: cpu_queue_work kicks after queueing.  Owner
 * thread, BQL held; returns with the BQL held (cause "halt").
 */
static void cpu_thread_sleep(CpuThread *thr)
{
    bql_unlock();
    pthread_mutex_lock(&thr->wake_lock);
    while (!thr->wake_pending) {
        pthread_cond_wait(&thr->wake_cond, &thr->wake_lock);
    }
    pthread_mutex_unlock(&thr->wake_lock);
    bql_lock(bql_cause_halt);
}

/* cpu is one of thr's vCPUs that its loop looks after.  BQL. */
static bool cpu_thread_owns(CpuThread *thr, CPUState *cpu)
{
    return cpu->vthread == thr && cpu->created && cpu->state != VCPU_STOPPED;
}

/* thr's loop has vCPUs to run or to start.  BQL. */
static bool cpu_thread_has_vcpus(CpuThread *thr)
{
    int i, n = cpu_count();

    if (!g_queue_is_empty(&thr->starting)) {
        return true;
    }
    for (i = 0; i < n; i++) {
        if (cpu_thread_owns(thr, cpu_at(i))) {
            return true;
        }
    }
    return false;
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
 * Runs the queued work of every vCPU of the calling loop thread, each as
 * that vCPU.  Returns true if any item ran.  Loop thread, BQL.
 */
static bool cpu_thread_run_work(CpuThread *thr)
{
    CPUState *self = current_cpu_ptr;
    int i, n = cpu_count();
    bool ran = false;

    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu_thread_owns(thr, cpu)) {
            current_cpu_ptr = cpu;
            ran |= cpu_run_queued_work(cpu);
        }
    }
    current_cpu_ptr = self;
    return ran;
}

/*
 * Waits for the next cpu event; the caller re-checks its condition.  BQL
 * held, released meanwhile.  On a loop thread, runs its vCPUs' queued work
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
     * until cpu_thread_sleep() drops it; the flag makes them set our
     * token. */
    self->event_waiter = true;
    cpu_thread_wake_reset(self->vthread);
    if (!cpu_thread_run_work(self->vthread)) {
        cpu_thread_sleep(self->vthread);
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
    rr_enabled = on;
}

bool cpu_round_robin(void)
{
    return rr_enabled;
}

static int64_t rr_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/*
 * The slice timer of the round-robin thread: kicks the vCPU whose slice
 * began RR_SLICE_NS ago and has not ended, once per slice.  It sleeps
 * without a timeout while no slice runs.  Its own thread, no BQL.
 */
static void *rr_slice_thread_fn(void *opaque)
{
    CpuThread *thr = opaque;
    uint64_t kicked = 0;            /* slice_seq of the last kick */

    pthread_mutex_lock(&thr->slice_lock);
    while (!thr->slice_quit) {
        int64_t deadline;

        if (!thr->slice_cpu || thr->slice_seq == kicked) {
            thr->slice_idle = true;
            pthread_cond_wait(&thr->slice_cond, &thr->slice_lock);
            thr->slice_idle = false;
            continue;
        }
        deadline = thr->slice_start_ns + RR_SLICE_NS;
        if (rr_clock_ns() < deadline) {
            struct timespec ts = {
                .tv_sec = deadline / NS_PER_SEC,
                .tv_nsec = deadline % NS_PER_SEC,
            };

            pthread_cond_timedwait(&thr->slice_cond, &thr->slice_lock, &ts);
            continue;
        }
        cpu_exit(thr->slice_cpu);   /* its slice is over */
        kicked = thr->slice_seq;
    }
    pthread_mutex_unlock(&thr->slice_lock);
    return NULL;
}

/*
 * cpu enters exec_vcpu on the round-robin thread; timed: other vCPUs wait
 * for their turn, so the slice timer runs.  Owner thread, no BQL.
 */
static void rr_slice_begin(CpuThread *thr, CPUState *cpu, bool timed)
{
    __atomic_store_n(&thr->running, cpu, __ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&thr->rr_woken, 0, __ATOMIC_SEQ_CST)) {
        /* A vCPU was woken while we did not run guest code (maybe one
         * cpu_start handed over, while we are alone and untimed): come
         * back at once so that the loop looks at it. */
        cpu_exit(cpu);
    }
    if (!timed) {
        return;
    }
    pthread_mutex_lock(&thr->slice_lock);
    thr->slice_cpu = cpu;
    thr->slice_seq++;
    thr->slice_start_ns = rr_clock_ns();
    if (thr->slice_idle) {
        pthread_cond_signal(&thr->slice_cond);
    }
    pthread_mutex_unlock(&thr->slice_lock);
}

/* The running vCPU has left exec_vcpu.  The timer finds out at its
 * deadline.  Owner thread, no BQL. */
static void rr_slice_end(CpuThread *thr, bool timed)
{
    __atomic_store_n(&thr->running, NULL, __ATOMIC_SEQ_CST);
    if (!timed) {
        return;
    }
    pthread_mutex_lock(&thr->slice_lock);
    thr->slice_cpu = NULL;
    pthread_mutex_unlock(&thr->slice_lock);
}

/* Stops the slice timer and joins it.  Owner thread, on the way out. */
static void rr_slice_stop(CpuThread *thr)
{
    pthread_mutex_lock(&thr->slice_lock);
    thr->slice_quit = true;
    pthread_cond_signal(&thr->slice_cond);
    pthread_mutex_unlock(&thr->slice_lock);
    pthread_join(thr->slice_thread, NULL);
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
    CPUState *self = current_cpu_ptr;

    assert(bql_locked());
    /* Waiting for another vCPU from inside guest execution would deadlock
     * against start_exclusive(); step out with cpu_exec_end() first. */
    assert(!self || !__atomic_load_n(&self->in_guest, __ATOMIC_RELAXED));
    if (self && cpu->vthread == self->vthread) {
        /* Our own thread runs cpu (it is us, or a round-robin sibling),
         * so cpu is outside guest code: run fn here, as cpu. */
        current_cpu_ptr = cpu;
        fn(cpu, data);
        current_cpu_ptr = self;
        return;
    }
    if (!cpu_has_thread(cpu) || !cpu_queue_work(cpu, &item)) {
        /* No thread runs this vCPU (any more). */
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

/* Acts on exec_vcpu's return code.  Owner thread, BQL. */
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
 * Runs queued work, acknowledges stop and un-halts the vCPU if it has
 * work.  Returns true if it can run guest code now.  Owner thread, BQL,
 * current_cpu() == cpu.
 */
static bool cpu_prepare(CPUState *cpu)
{
    cpu_run_queued_work(cpu);
    if (cpu->unplug) {
        return false;
    }
    if (cpu->stop) {
        if (cpu->state != VCPU_PAUSED) {
            /* While paused, CPUState holds the registers (gdbstub,
             * monitor); accelerators that keep them elsewhere (KVM) copy
             * them in here and back out on resume. */
            if (cpu->accel->get_state) {
                cpu->accel->get_state(cpu);
            }
            cpu_set_state(cpu, VCPU_PAUSED);
            cpu_event_broadcast();
        }
        return false;
    }
    if (cpu->state != VCPU_RUNNING) {
        if (cpu->state == VCPU_PAUSED && cpu->accel->put_state) {
            cpu->accel->put_state(cpu);
        }
        cpu_set_state(cpu, VCPU_RUNNING);
        cpu_event_broadcast();
    }
    if (cpu->halted && cpu_has_work(cpu)) {
        cpu->halted = false;
    }
    return cpu_can_run(cpu);
}

/* Runs guest code once, until exec_vcpu returns, and handles the exit.
 * Owner thread, BQL held (released meanwhile). */
static void cpu_exec_once(CPUState *cpu)
{
    CpuThread *thr = cpu->vthread;
    bool timed = thr->rr && thr->nr_live > 1;
    int r;

    bql_unlock();
    if (thr->rr) {
        rr_slice_begin(thr, cpu, timed);
    }
    cpu_exec_start(cpu);
    r = cpu->accel->exec_vcpu(cpu);
    cpu_exec_end(cpu);
    if (thr->rr) {
        rr_slice_end(thr, timed);
    }
    bql_lock(bql_cause_vcpu);
    cpu->exec_count++;
    cpu_handle_exit(cpu, r);
}

/* The vCPU leaves its loop: close the queue, then run what is left, so no
 * run_on_cpu caller is left waiting.  Owner thread, BQL. */
static void cpu_finish(CPUState *cpu, bool destroy)
{
    pthread_mutex_lock(&cpu->work_lock);
    cpu->work_closed = true;
    pthread_mutex_unlock(&cpu->work_lock);
    cpu_run_queued_work(cpu);
    if (destroy && cpu->accel->destroy_vcpu) {
        cpu->accel->destroy_vcpu(cpu);
    }
    cpu_set_state(cpu, VCPU_STOPPED);
    cpu_event_broadcast();
}

/* One turn of cpu on its thread.  Returns true if it ran guest code.
 * Owner thread, BQL. */
static bool cpu_turn(CPUState *cpu)
{
    bool ran = false;

    current_cpu_ptr = cpu;
    if (cpu_prepare(cpu)) {
        cpu_exec_once(cpu);
        ran = true;
    }
    if (cpu->unplug) {
        cpu_finish(cpu, true);
    }
    current_cpu_ptr = NULL;
    return ran;
}

typedef struct CpuStartArgs {
    CPUState *cpu;
    Error *err;             /* BQL */
    bool done;              /* BQL */
} CpuStartArgs;

/* Runs init_vcpu for the vCPUs cpu_start() handed over.  Owner thread,
 * BQL. */
static void cpu_thread_init_vcpus(CpuThread *thr)
{
    CpuStartArgs *args;

    while ((args = g_queue_pop_head(&thr->starting))) {
        CPUState *cpu = args->cpu;
        Error *err = NULL;
        bool ok = true;

        current_cpu_ptr = cpu;
        cpu->thread = pthread_self();
        if (cpu->accel->init_vcpu) {
            ok = cpu->accel->init_vcpu(cpu, &err);
        }
        cpu->created = true;
        args->err = err;
        args->done = true;  /* args belongs to cpu_start() from here on */
        if (!ok) {
            cpu_finish(cpu, false);
        }
        cpu_event_broadcast();
        current_cpu_ptr = NULL;
    }
}

static void *cpu_thread_fn(void *opaque)
{
    CpuThread *thr = opaque;

    bql_lock(bql_cause_vcpu);
    for (;;) {
        int i, n, live = 0;
        bool ran = false;

        cpu_thread_wake_reset(thr);
        cpu_thread_init_vcpus(thr);
        n = cpu_count();
        for (i = 0; i < n; i++) {
            live += cpu_thread_owns(thr, cpu_at(i));
        }
        thr->nr_live = live;
        for (i = 0; i < n; i++) {
            CPUState *cpu = cpu_at(i);

            if (cpu_thread_owns(thr, cpu)) {
                ran |= cpu_turn(cpu);
            }
        }
        if (!cpu_thread_has_vcpus(thr)) {
            break;
        }
        if (!ran) {
            cpu_thread_sleep(thr);
        }
    }
    /* From here on no BQL: joining us with the BQL held is safe. */
    thr->exited = true;
    cpu_event_broadcast();
    bql_unlock();
    if (thr->rr) {
        rr_slice_stop(thr);
    }
    return NULL;
}

/* Allocates a CpuThread (not started).  BQL. */
static CpuThread *cpu_thread_new(const char *name, bool rr)
{
    CpuThread *thr = g_new0(CpuThread, 1);

    g_strlcpy(thr->name, name, sizeof(thr->name));
    thr->rr = rr;
    g_queue_init(&thr->starting);
    pthread_mutex_init(&thr->wake_lock, NULL);
    pthread_cond_init(&thr->wake_cond, NULL);
    if (rr) {
        pthread_condattr_t attr;

        pthread_mutex_init(&thr->slice_lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&thr->slice_cond, &attr);
        pthread_condattr_destroy(&attr);
    }
    return thr;
}

/* Creates thr's host thread(s).  BQL. */
static bool cpu_thread_launch(CpuThread *thr, Error **errp)
{
    assert(!thr->started);
    thr->exited = false;
    if (thr->rr) {
        thr->slice_quit = false;
        thr->slice_cpu = NULL;
        if (!thread_create(&thr->slice_thread, "rr-slice",
                           rr_slice_thread_fn, thr, errp)) {
            return false;
        }
    }
    if (!thread_create(&thr->thread, thr->name, cpu_thread_fn, thr, errp)) {
        if (thr->rr) {
            rr_slice_stop(thr);
        }
        return false;
    }
    thr->started = true;
    return true;
}

/* Joins thr's thread once it has exited.  BQL; after it, its vCPUs count
 * as joined. */
static void cpu_thread_join(CpuThread *thr)
{
    int i, n = cpu_count();

    assert(thr->started && thr->exited);
    pthread_join(thr->thread, NULL);
    thr->started = false;
    for (i = 0; i < n; i++) {
        CPUState *cpu = cpu_at(i);

        if (cpu->vthread == thr && cpu->created) {
            cpu->thread_joined = true;
        }
    }
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
    if (rr_enabled && current_accel->has_vcpu_threads) {
        if (!rr_thread) {
            char name[16];

            snprintf(name, sizeof(name), "CPU rr/%s",
                     current_accel->thread_suffix);
            rr_thread = cpu_thread_new(name, true);
        }
        cpu->vthread = rr_thread;
    } else {
        char name[16];

        snprintf(name, sizeof(name), "CPU %d/%s", index,
                 current_accel->thread_suffix);
        cpu->vthread = cpu_thread_new(name, false);
    }
    g_strlcpy(cpu->thread_name, cpu->vthread->name, sizeof(cpu->thread_name));
    cpu->state = VCPU_CREATED;
    /* Born stopped unless the VM already runs (PRELAUNCH, -S, paused). */
    cpu->stop = !runstate_is_running();
    cpu->exception_index = -1;
    pthread_mutex_init(&cpu->work_lock, NULL);
    /* Publish the slot before the count; see "exclusive" above. */
    __atomic_store_n(&cpus[n], cpu, __ATOMIC_SEQ_CST);
    __atomic_store_n(&nr_cpus, n + 1, __ATOMIC_SEQ_CST);
}

bool cpu_start(CPUState *cpu, Error **errp)
{
    CpuStartArgs args = { .cpu = cpu };
    CpuThread *thr = cpu->vthread;

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
    if (thr->started && thr->exited) {
        /* Every vCPU it ran has stopped since (round robin): start it
         * afresh. */
        cpu_thread_join(thr);
    }
    g_queue_push_tail(&thr->starting, &args);
    if (!thr->started) {
        if (!cpu_thread_launch(thr, errp)) {
            g_queue_remove(&thr->starting, &args);
            cpu_set_state(cpu, VCPU_STOPPED);
            return false;
        }
    } else {
        cpu_wake(cpu);      /* a running round-robin thread takes it on */
    }
    while (!args.done) {
        cpu_event_wait();
    }
    if (args.err) {
        /* The thread has marked cpu STOPPED.  If it has no other vCPU it
         * exits (and never needs the BQL again), so join it. */
        while (!thr->exited && !cpu_thread_has_vcpus(thr)) {
            cpu_event_wait();
        }
        if (thr->exited) {
            cpu_thread_join(thr);
        }
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
        } else if (self && cpu->vthread == self->vthread) {
            /* Called from our own loop (gdbstub): we, and any other vCPU
             * of our round-robin thread, are outside guest code and
             * acknowledge at once (and tell a concurrent waiter). */
            if (cpu->created && cpu->state != VCPU_PAUSED) {
                cpu_set_state(cpu, VCPU_PAUSED);
                cpu_event_broadcast();
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
        CpuThread *thr = cpu->vthread;

        if (cpu_has_thread(cpu) && cpu->created && !cpu->thread_joined) {
            /* Its last vCPU has stopped: it exits without the BQL. */
            while (!thr->exited) {
                cpu_event_wait();
            }
            cpu_thread_join(thr);
        }
    }
}
