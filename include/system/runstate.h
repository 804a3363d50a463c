/*
 * runstate.h: the machine's run state and the requests that change it.
 *
 * Requests (reset, shutdown) may come from any thread: a vCPU executing a
 * triple fault, a device such as isa-debug-exit, the Ctrl-A x key, a
 * signal.  They only record the request and wake the main loop; the main
 * loop acts on them with the BQL held (main_loop_run in system/main-loop.h):
 *
 *   reset request    -> pause all vCPUs, reset devices and CPUs, resume
 *                       (or shut down instead when -no-reboot is given)
 *   shutdown request -> stop vCPUs, leave main_loop_run(), exit with the
 *                       requested status
 *
 * vm_stop()/vm_start() pause and resume every vCPU and the virtual clock.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

typedef enum RunState {
    RUN_STATE_PRELAUNCH,   /* machine built, not started (-S waits here) */
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,      /* stopped by the user, the gdbstub or monitor */
    RUN_STATE_SHUTDOWN,
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_QUIT,      /* Ctrl-A x, monitor "quit", signal */
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN, /* power-off, debug-exit */
    SHUTDOWN_CAUSE_GUEST_RESET,    /* reset with -no-reboot */
    SHUTDOWN_CAUSE_HOST_ERROR,     /* fatal emulation error */
} ShutdownCause;

typedef enum ResetCause {
    RESET_CAUSE_GUEST,     /* guest asked: triple fault, reset register */
    RESET_CAUSE_HOST,      /* monitor system_reset, gdbstub */
} ResetCause;

/* -no-reboot: a guest reset request becomes a shutdown.  Set at start-up. */
extern bool no_reboot;
/* -no-shutdown: a guest reset that -no-reboot made a shutdown stops the
 * guest (PAUSED) and leaves the process running (a host quit or signal
 * still exits).  Set at start-up. */
extern bool no_shutdown;

RunState runstate_get(void);
const char *runstate_name(RunState s);
bool runstate_is_running(void);

/* BQL.  Pause/resume all vCPUs and CLK_VIRTUAL. */
void vm_start(void);
void vm_stop(RunState target);

/* Any thread. */
void system_reset_request(ResetCause cause);
/* Any thread; exit_status is the process exit status once shut down. */
void system_shutdown_request(ShutdownCause cause, int exit_status);
/* Main loop: consume pending requests; true if one was pending. */
bool system_shutdown_requested(ShutdownCause *cause, int *exit_status);
bool system_reset_requested(ResetCause *cause);

/*
 * Resets the machine: every registered reset handler (devices, then CPUs)
 * in registration order.  BQL, vCPUs paused.
 */
typedef void ResetHandler(void *opaque);
void reset_handler_register(ResetHandler *fn, void *opaque);
void reset_handler_unregister(ResetHandler *fn, void *opaque);
void system_reset(void);

/* Wakes the main loop to look at pending requests (any thread). */
void main_loop_wakeup(void);

/*
 * After main_loop_run() has returned: the process exit status and the cause
 * of the shutdown request that ended it (cause may be NULL).  BQL.
 */
int main_loop_exit_status(ShutdownCause *cause);

#endif
