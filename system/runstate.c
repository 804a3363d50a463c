/*
 * runstate.c: the machine's run state, reset and shutdown requests, and the
 * main loop driver.  See system/runstate.h and main_loop_run() in
 * system/main-loop.h.
 *
 * The run state is a small state machine protected by the BQL:
 *
 *     PRELAUNCH --vm_start--> RUNNING <--vm_stop/vm_start--> PAUSED
 *         |                      |                             |
 *         `----------------------+--------> SHUTDOWN <---------'
 *
 * (PRELAUNCH may also go to PAUSED with vm_stop.)  SHUTDOWN is final.
 *
 * Requests come from any thread (a vCPU, a device, an iothread, the
 * monitor) and must not take the BQL, so they are atomics plus a wakeup of
 * the main loop:
 *
 *     shutdown_req  packs (cause << 32 | status); 0 = none.  The first
 *                   request wins (compare-and-swap from 0), so the exit
 *                   status is the one of the event that ended the run.
 *     reset_req     ResetCause + 1; 0 = none.
 *
 * The main thread consumes them in main_loop_run(), with the BQL held:
 *
 *     loop:
 *         shutdown requested -> pause vCPUs, stop the clock, SHUTDOWN, return
 *         (a GUEST_RESET shutdown under -no-shutdown: pause instead)
 *         reset requested    -> -no-reboot: becomes a GUEST_RESET shutdown
 *                               else: pause vCPUs, system_reset(), resume
 *                               if the VM was running
 *         event_loop_run_once(main loop, blocking)
 *
 * A request that arrives while the loop sleeps wakes it through
 * event_loop_notify(); one that arrives between the check and the sleep is
 * not lost because the notification is sticky (the eventfd stays readable
 * until the loop drains it).
 */
#include "util/osdep.h"
#include "hw/cpu.h"
#include "system/bql.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/memory.h"

typedef struct ResetEntry {
    ResetHandler *fn;
    void *opaque;
} ResetEntry;

bool no_reboot;                         /* set at start-up */
bool no_shutdown;                       /* set at start-up */

static RunState current_runstate = RUN_STATE_PRELAUNCH;     /* BQL */
static GArray *reset_handlers;          /* BQL: of ResetEntry, in order */

static uint64_t shutdown_req;           /* atomic: cause << 32 | status */
static int reset_req;                   /* atomic: ResetCause + 1, or 0 */

static ShutdownCause exit_cause = SHUTDOWN_CAUSE_NONE;      /* BQL */
static int exit_status;                                     /* BQL */

static const char *const runstate_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
};

/* BQL. */
RunState runstate_get(void)
{
    assert(bql_locked());
    return current_runstate;
}

/* Any thread. */
const char *runstate_name(RunState s)
{
    assert(s < ARRAY_SIZE(runstate_names));
    return runstate_names[s];
}

/* BQL. */
bool runstate_is_running(void)
{
    return runstate_get() == RUN_STATE_RUNNING;
}

/* The only place the run state changes; asserts legal moves.  BQL. */
static void runstate_set(RunState s)
{
    RunState old = current_runstate;
    bool legal;

    assert(bql_locked());
    switch (old) {
    case RUN_STATE_PRELAUNCH:
        legal = s == RUN_STATE_RUNNING || s == RUN_STATE_PAUSED ||
                s == RUN_STATE_SHUTDOWN;
        break;
    case RUN_STATE_RUNNING:
        legal = s == RUN_STATE_PAUSED || s == RUN_STATE_SHUTDOWN;
        break;
    case RUN_STATE_PAUSED:
        legal = s == RUN_STATE_RUNNING || s == RUN_STATE_SHUTDOWN;
        break;
    default:
        legal = false;
        break;
    }
    if (!legal) {
        fprintf(stderr, "illegal run state change %s -> %s\n",
                runstate_name(old), runstate_name(s));
        abort();
    }
    current_runstate = s;
}

/* BQL.  No-op if already running. */
void vm_start(void)
{
    assert(bql_locked());
    if (current_runstate == RUN_STATE_RUNNING) {
        return;
    }
    /* The state first, so that a vCPU created from here on is born
     * running; then the clock, then the vCPUs that read it. */
    runstate_set(RUN_STATE_RUNNING);
    clock_virtual_start();
    resume_all_vcpus();
}

/* BQL.  Returns once every vCPU is outside guest code. */
void vm_stop(RunState target)
{
    assert(bql_locked());
    assert(target != RUN_STATE_RUNNING && target != RUN_STATE_PRELAUNCH);
    pause_all_vcpus();
    /* The monitor, savevm and the gdbstub look at devices next. */
    memory_coalesced_flush();
    if (current_runstate == RUN_STATE_RUNNING) {
        clock_virtual_stop();
    }
    if (current_runstate != target &&
        current_runstate != RUN_STATE_SHUTDOWN) {
        runstate_set(target);
    }
}

/* Any thread. */
void system_reset_request(ResetCause cause)
{
    __atomic_store_n(&reset_req, (int)cause + 1, __ATOMIC_RELEASE);
    main_loop_wakeup();
}

/* Any thread.  The first request's cause and status win. */
void system_shutdown_request(ShutdownCause cause, int exit_status)
{
    uint64_t expected = 0;
    uint64_t req = (uint64_t)cause << 32 | (uint32_t)exit_status;

    assert(cause != SHUTDOWN_CAUSE_NONE);
    __atomic_compare_exchange_n(&shutdown_req, &expected, req, false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    main_loop_wakeup();
}

/* Main loop.  Consumes a pending shutdown request. */
bool system_shutdown_requested(ShutdownCause *cause, int *exit_status)
{
    uint64_t req = __atomic_exchange_n(&shutdown_req, 0, __ATOMIC_ACQ_REL);

    if (!req) {
        return false;
    }
    if (cause) {
        *cause = (ShutdownCause)(req >> 32);
    }
    if (exit_status) {
        *exit_status = (int)(uint32_t)req;
    }
    return true;
}

/* Main loop.  Consumes a pending reset request. */
bool system_reset_requested(ResetCause *cause)
{
    int req = __atomic_exchange_n(&reset_req, 0, __ATOMIC_ACQ_REL);

    if (!req) {
        return false;
    }
    if (cause) {
        *cause = (ResetCause)(req - 1);
    }
    return true;
}

/* BQL. */
void reset_handler_register(ResetHandler *fn, void *opaque)
{
    ResetEntry e = { .fn = fn, .opaque = opaque };

    assert(bql_locked());
    if (!reset_handlers) {
        reset_handlers = g_array_new(false, false, sizeof(ResetEntry));
    }
    g_array_append_val(reset_handlers, e);
}

/* BQL.  Removes the first matching registration. */
void reset_handler_unregister(ResetHandler *fn, void *opaque)
{
    assert(bql_locked());
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);

        if (e->fn == fn && e->opaque == opaque) {
            g_array_remove_index(reset_handlers, i);
            return;
        }
    }
}

/* BQL, vCPUs paused.  Handlers in registration order, then the CPUs. */
void system_reset(void)
{
    assert(bql_locked());
    /* A handler may unregister itself: index, and re-read len. */
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry e = g_array_index(reset_handlers, ResetEntry, i);

        e.fn(e.opaque);
    }
    cpu_reset_all();
}

/* Any thread.  Before main_loop_init() there is no loop to wake; the
 * request stays recorded for the first main_loop_run(). */
void main_loop_wakeup(void)
{
    EventLoop *ml = main_loop_get();

    if (ml) {
        event_loop_notify(ml);
    }
}

/* Acts on a reset request.  BQL. */
static void main_loop_handle_reset(ResetCause cause)
{
    bool was_running;

    if (no_reboot) {
        /* -no-reboot turns every reset into a shutdown with status 0. */
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_RESET, 0);
        return;
    }
    was_running = runstate_is_running();
    pause_all_vcpus();
    memory_coalesced_flush();      /* writes before the reset come first */
    system_reset();
    if (was_running) {
        resume_all_vcpus();
    }
}

/* Main thread, BQL held (dropped only while the event loop sleeps). */
void main_loop_run(void)
{
    ShutdownCause cause;
    ResetCause reset_cause;
    int status;

    assert(bql_locked());
    assert(!current_cpu());
    for (;;) {
        if (system_shutdown_requested(&cause, &status)) {
            if (no_shutdown && cause == SHUTDOWN_CAUSE_GUEST_RESET) {
                /* -no-shutdown: stop the guest, keep the process. */
                vm_stop(RUN_STATE_PAUSED);
                continue;
            }
            exit_cause = cause;
            exit_status = status;
            vm_stop(RUN_STATE_SHUTDOWN);
            return;
        }
        if (system_reset_requested(&reset_cause)) {
            main_loop_handle_reset(reset_cause);
            continue;       /* a -no-reboot shutdown is handled at once */
        }
        event_loop_run_once(main_loop_get(), true);
    }
}

/* BQL, after main_loop_run() has returned. */
int main_loop_exit_status(ShutdownCause *cause)
{
    assert(bql_locked());
    if (cause) {
        *cause = exit_cause;
    }
    return exit_status;
}
