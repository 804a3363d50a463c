/*
 * main-loop.h: event loops, file-descriptor handlers, bottom halves, clocks
 * and timers.
 *
 * An EventLoop waits in ppoll() for file descriptors, scheduled bottom
 * halves and the earliest timer, then runs what is ready, in its own thread.
 * There is one main loop, run by the main thread with the BQL held except
 * while it sleeps in ppoll(); callbacks on it therefore run with the BQL.
 * Each iothread runs its own EventLoop without the BQL; callbacks there must
 * take whatever lock they need.
 *
 *     EventLoop *ml = main_loop_get();
 *     event_loop_set_fd_handler(ml, fd, on_readable, NULL, s);
 *     s->bh = bh_new(ml, kick_rx, s);
 *     bh_schedule(s->bh);                      // any thread; wakes ml
 *     s->timer = timer_new(ml, CLK_VIRTUAL, tick, s);
 *     timer_mod(s->timer, clock_get_ns(CLK_VIRTUAL) + 10 * NS_PER_MS);
 *
 * Clocks (nanoseconds):
 *   CLK_REALTIME: monotonic host time; always runs.
 *   CLK_HOST:     wall-clock time (the RTC's source); may jump.
 *   CLK_VIRTUAL:  guest time; runs only while the VM is running (it stops
 *                   in vm_stop() and resumes where it stopped).  Under qtest
 *                   it advances only by clock_step/clock_set.
 *
 * Timers fire in the loop they were created on.  timer_mod/timer_del may be
 * called from any thread; the loop is woken if the earliest deadline moved.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include "util/error.h"

typedef struct EventLoop EventLoop;
typedef struct BH BH;
typedef struct Timer Timer;

typedef enum ClockType {
    CLK_REALTIME,
    CLK_HOST,
    CLK_VIRTUAL,
    CLK_MAX,
} ClockType;

typedef void IOHandler(void *opaque);
typedef void BHFn(void *opaque);
typedef void TimerCb(void *opaque);

/* --- Event loops --- */

/*
 * Creates the main loop; called once by main() before anything else, and
 * before any thread is created: it blocks SIGINT/SIGTERM/SIGHUP (which then
 * become shutdown requests), ignores SIGPIPE, and installs the fatal-signal
 * handler that restores the terminal.
 */
void main_loop_init(void);
EventLoop *main_loop_get(void);
EventLoop *event_loop_new(Error **errp);
void event_loop_free(EventLoop *loop);
/*
 * Waits for and dispatches events once.  blocking=false only polls.
 * Returns true if any callback ran.  Called only by the loop's own thread.
 * For the main loop: called with the BQL held, drops it while waiting.
 */
bool event_loop_run_once(EventLoop *loop, bool blocking);
/* Makes a blocked event_loop_run_once() return.  Any thread. */
void event_loop_notify(EventLoop *loop);

/*
 * Watches fd: read is called when readable, write when writable; either may
 * be NULL; both NULL removes the handler.  Called in the loop's thread (for
 * the main loop: with the BQL held, from any thread).  A callback may change
 * or remove any handler, its own included.  Changes from another thread
 * wake the loop; removal does not wait for a callback already running.
 */
void event_loop_set_fd_handler(EventLoop *loop, int fd, IOHandler *read,
                               IOHandler *write, void *opaque);

/*
 * Runs the main loop until a shutdown is requested (system/runstate.h),
 * handling reset and shutdown requests as they arrive.  Called by main()
 * with the BQL held.
 */
void main_loop_run(void);

/* --- Bottom halves: deferred calls into a loop --- */

BH *bh_new(EventLoop *loop, BHFn *fn, void *opaque);
/* Schedules one call of fn in the loop; idempotent until it runs.  Any
 * thread. */
void bh_schedule(BH *bh);
void bh_cancel(BH *bh);
void bh_delete(BH *bh);

/* --- Clocks --- */

int64_t clock_get_ns(ClockType type);
/* Stops/starts CLK_VIRTUAL (vm_stop/vm_start call these).  BQL. */
void clock_virtual_stop(void);
void clock_virtual_start(void);
bool clock_virtual_is_running(void);
/*
 * Puts CLK_VIRTUAL under manual control (qtest): it no longer follows
 * host time and moves only by clock_virtual_advance().  BQL.
 */
void clock_virtual_set_manual(bool manual);
/* Advances the manual virtual clock to now+ns... */
void clock_virtual_advance(int64_t ns);
/*
 * ...or to an absolute time (not backwards).  Both step the clock through
 * each deadline in turn and run the main loop's expired CLK_VIRTUAL timers
 * synchronously in the caller's thread (which holds the BQL), in expiry
 * order; other loops are woken and run theirs in their own threads.
 */
void clock_virtual_set(int64_t ns);
/* Earliest pending CLK_VIRTUAL deadline in any loop, or -1. */
int64_t clock_virtual_deadline(void);

/* --- Timers --- */

Timer *timer_new(EventLoop *loop, ClockType type, TimerCb *cb, void *opaque);
/* Arms the timer to fire once when its clock reaches expire_ns. */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(Timer *t);
int64_t timer_expire_time(Timer *t);      /* -1 if not pending */
void timer_free(Timer *t);

#endif
