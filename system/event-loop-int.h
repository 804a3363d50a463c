/*
 * event-loop-int.h: what system/main-loop.c and system/timer.c share about
 * an EventLoop.  Private to those two files; everybody else uses the
 * contract in include/system/main-loop.h.
 *
 * main-loop.c owns the loop itself (ppoll, fd handlers, bottom halves,
 * signals); timer.c owns the clocks and each loop's timer lists, and keeps
 * the list of all loops so that the virtual clock can find every virtual
 * timer.  Lock order: timer.c's loops_lock, then a loop's timer_lock.
 */
#ifndef SYSTEM_EVENT_LOOP_INT_H
#define SYSTEM_EVENT_LOOP_INT_H

#include <poll.h>
#include "system/main-loop.h"

typedef struct FdHandler FdHandler;

struct EventLoop {
    bool is_main;              /* set at creation; read-only after */
    int notify_fd;             /* eventfd; read-only after creation */
    int notified;              /* atomic: a wake-up is already in flight */
    int bh_pending;            /* atomic: some BH may be scheduled */

    /* fd handlers: the set, changed by event_loop_set_fd_handler. */
    pthread_mutex_t fd_lock;
    GPtrArray *handlers;       /* fd_lock: live FdHandler * */
    GPtrArray *graveyard;      /* fd_lock: removed, freed by the loop thread */
    bool handlers_changed;     /* fd_lock */

    /* Owned by the thread running the loop: the ppoll() argument. */
    struct pollfd *pfds;       /* [0] is notify_fd */
    FdHandler **pfd_handlers;  /* parallel to pfds; [0] unused */
    int npfds;
    int pfds_alloc;

    /* Bottom halves. */
    pthread_mutex_t bh_lock;
    BH *bhs;                   /* bh_lock: singly-linked, newest first */
    bool bh_dispatching;       /* bh_lock: BHs are not freed while set */

    /* Timers (timer.c). */
    pthread_mutex_t timer_lock;
    Timer *timers[CLK_MAX];    /* timer_lock: pending, sorted by expiry */
    EventLoop *next_loop;      /* timer.c's loops_lock */
};

/* main-loop.c: wakes loop unless the caller is the thread that runs it
 * (which recomputes its timeout before it next sleeps).  Any thread. */
void event_loop_kick(EventLoop *loop);

/* timer.c: registers/unregisters loop with the clock code. */
void timers_loop_init(EventLoop *loop);
void timers_loop_destroy(EventLoop *loop);
/* Nanoseconds until the loop's earliest timer should fire (0 if one has
 * expired), or -1 if none.  Any thread. */
int64_t timers_loop_timeout_ns(EventLoop *loop);
/* Runs every expired timer of loop; returns true if any ran.  Called by the
 * loop's thread (main loop: BQL). */
bool timers_loop_run_expired(EventLoop *loop);

#endif
