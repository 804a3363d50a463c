/*
 * main-loop.c: event loops (ppoll, fd handlers, bottom halves), the main
 * loop and host signal handling.  See include/system/main-loop.h for the
 * contract and docs/devel/main-loop.md for the design.
 *
 * One iteration of a loop (event_loop_run_once, in the loop's own thread):
 *
 *   1. if the fd handler set changed, rebuild the pollfd array (slot 0 is
 *      the loop's eventfd, which other threads write to wake it);
 *   2. compute the timeout: 0 if a BH is pending or not blocking, else the
 *      earliest timer deadline (timer.c), else infinite;
 *   3. ppoll() -- the main loop drops the BQL around this call only, so
 *      every callback of the main loop runs with the BQL held; iothread
 *      loops never touch the BQL (decided by loop->is_main, not by asking
 *      whether the BQL happens to be held);
 *   4. dispatch ready fds, then scheduled BHs, then expired timers.
 *
 * Changes to the fd handler set may come from any thread (the main loop's
 * from any BQL holder, e.g. a vCPU thread enabling a chardev read handler)
 * and from callbacks during dispatch, including a handler removing itself.
 * So the set lives under fd_lock, the pollfd array is private to the loop
 * thread, and a removed FdHandler is only marked dead and parked in a
 * graveyard that the loop thread empties when it next rebuilds the array:
 * the array's handler pointers therefore stay valid through a dispatch.
 *
 * BHs: bh_schedule sets the BH's atomic "scheduled" flag, then the loop's
 * atomic bh_pending hint, then wakes the loop; the loop clears the hint
 * and runs every BH whose flag it atomically takes (seq-cst, so a schedule
 * racing with the scan is seen either now or in the next iteration).  BHs
 * deleted while the loop is running BHs are only marked and freed after.
 *
 * Wake-ups: event_loop_notify writes the eventfd unless a wake-up is
 * already in flight (loop->notified); the loop reads the eventfd and only
 * then clears the flag, so a notifier that saw the flag set knows the loop
 * will look at the state it changed afterwards.
 *
 * Signals: main_loop_init blocks SIGINT/SIGTERM/SIGHUP in the main thread
 * (threads created later inherit the mask) and reads them from a signalfd
 * handled on the main loop, where each turns into a shutdown request.  The
 * fatal signals get a handler that only restores the terminal and lets the
 * signal proceed; SIGPIPE is ignored so a vanished peer is an EPIPE error.
 */
#include "util/osdep.h"
#include "system/event-loop-int.h"
#include "system/bql.h"
#include "system/runstate.h"
#include "chardev/char.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

struct FdHandler {
    int fd;                    /* read-only after creation */
    IOHandler *read;           /* loop->fd_lock */
    IOHandler *write;          /* loop->fd_lock */
    void *opaque;              /* loop->fd_lock */
    bool deleted;              /* loop->fd_lock */
};

struct BH {
    EventLoop *loop;           /* read-only after bh_new */
    BHFn *fn;                  /* read-only after bh_new */
    void *opaque;              /* read-only after bh_new */
    int scheduled;             /* atomic */
    bool deleted;              /* loop->bh_lock */
    BH *next;                  /* loop->bh_lock */
};

static EventLoop *main_loop;   /* set once by main_loop_init */
static int signal_fd = -1;     /* main loop thread only */
/* The loop the calling thread last ran; its own changes need no wake-up. */
static __thread EventLoop *tls_loop;

/* --- Creation --- */

static EventLoop *event_loop_create(bool is_main, Error **errp)
{
    EventLoop *loop;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create eventfd for event loop");
        return NULL;
    }
    loop = g_new0(EventLoop, 1);
    loop->is_main = is_main;
    loop->notify_fd = fd;
    pthread_mutex_init(&loop->fd_lock, NULL);
    pthread_mutex_init(&loop->bh_lock, NULL);
    pthread_mutex_init(&loop->timer_lock, NULL);
    loop->handlers = g_ptr_array_new();
    loop->graveyard = g_ptr_array_new_with_free_func(g_free);
    loop->handlers_changed = true;
    timers_loop_init(loop);
    return loop;
}

/* Any thread. */
EventLoop *event_loop_new(Error **errp)
{
    return event_loop_create(false, errp);
}

/* Called when nothing runs the loop any more; every BH must have been
 * deleted and every timer stopped by their owners. */
void event_loop_free(EventLoop *loop)
{
    if (!loop) {
        return;
    }
    assert(loop != main_loop);
    timers_loop_destroy(loop);
    pthread_mutex_lock(&loop->bh_lock);
    assert(!loop->bhs);
    pthread_mutex_unlock(&loop->bh_lock);
    for (guint i = 0; i < loop->handlers->len; i++) {
        g_free(g_ptr_array_index(loop->handlers, i));
    }
    g_ptr_array_free(loop->handlers, true);
    g_ptr_array_free(loop->graveyard, true);
    g_free(loop->pfds);
    g_free(loop->pfd_handlers);
    close(loop->notify_fd);
    pthread_mutex_destroy(&loop->fd_lock);
    pthread_mutex_destroy(&loop->bh_lock);
    pthread_mutex_destroy(&loop->timer_lock);
    if (tls_loop == loop) {
        tls_loop = NULL;
    }
    g_free(loop);
}

EventLoop *main_loop_get(void)
{
    return main_loop;
}

/* --- Wake-up --- */

/* Any thread. */
void event_loop_notify(EventLoop *loop)
{
    uint64_t one = 1;

    /* Pairs with the exchange in notify_drain(). */
    if (__atomic_exchange_n(&loop->notified, 1, __ATOMIC_SEQ_CST)) {
        return;
    }
    while (write(loop->notify_fd, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
}

/* Any thread. */
void event_loop_kick(EventLoop *loop)
{
    if (tls_loop != loop) {
        event_loop_notify(loop);
    }
}

static void notify_drain(EventLoop *loop)
{
    uint64_t v;

    while (read(loop->notify_fd, &v, sizeof(v)) < 0 && errno == EINTR) {
    }
    __atomic_exchange_n(&loop->notified, 0, __ATOMIC_SEQ_CST);
}

/* --- fd handlers --- */

static FdHandler *fd_handler_find(EventLoop *loop, int fd)
{
    for (guint i = 0; i < loop->handlers->len; i++) {
        FdHandler *h = g_ptr_array_index(loop->handlers, i);

        if (h->fd == fd) {
            return h;
        }
    }
    return NULL;
}

/* Unlinks h from the live set; the loop thread frees it later. */
static void fd_handler_bury(EventLoop *loop, FdHandler *h)
{
    h->deleted = true;
    g_ptr_array_remove_fast(loop->handlers, h);
    g_ptr_array_add(loop->graveyard, h);
    loop->handlers_changed = true;
}

/*
 * Main loop: any thread holding the BQL.  Other loops: any thread (the loop
 * is woken to pick up the change), but removing a handler does not wait for
 * a callback already running in the loop's thread.
 */
void event_loop_set_fd_handler(EventLoop *loop, int fd, IOHandler *read,
                               IOHandler *write, void *opaque)
{
    FdHandler *h;
    bool changed = false;

    assert(fd >= 0);
    pthread_mutex_lock(&loop->fd_lock);
    h = fd_handler_find(loop, fd);
    if (!read && !write) {
        if (h) {
            fd_handler_bury(loop, h);
            changed = true;
        }
    } else if (!h) {
        h = g_new0(FdHandler, 1);
        h->fd = fd;
        h->read = read;
        h->write = write;
        h->opaque = opaque;
        g_ptr_array_add(loop->handlers, h);
        loop->handlers_changed = changed = true;
    } else if (h->read != read || h->write != write || h->opaque != opaque) {
        /* The poll events only depend on which callbacks are non-NULL. */
        if (!h->read != !read || !h->write != !write) {
            loop->handlers_changed = changed = true;
        }
        h->read = read;
        h->write = write;
        h->opaque = opaque;
    }
    pthread_mutex_unlock(&loop->fd_lock);
    if (changed) {
        event_loop_kick(loop);
    }
}

/* Loop thread: rebuilds the pollfd array if the handler set changed. */
static void pollfds_rebuild(EventLoop *loop)
{
    pthread_mutex_lock(&loop->fd_lock);
    if (!loop->handlers_changed) {
        pthread_mutex_unlock(&loop->fd_lock);
        return;
    }
    /* Nothing references buried handlers once the last dispatch is over. */
    g_ptr_array_set_size(loop->graveyard, 0);
    loop->npfds = loop->handlers->len + 1;
    if (loop->npfds > loop->pfds_alloc) {
        loop->pfds_alloc = loop->npfds * 2;
        loop->pfds = g_renew(struct pollfd, loop->pfds, loop->pfds_alloc);
        loop->pfd_handlers = g_renew(FdHandler *, loop->pfd_handlers,
                                     loop->pfds_alloc);
    }
    loop->pfds[0] = (struct pollfd){ .fd = loop->notify_fd, .events = POLLIN };
    loop->pfd_handlers[0] = NULL;
    for (guint i = 0; i < loop->handlers->len; i++) {
        FdHandler *h = g_ptr_array_index(loop->handlers, i);

        loop->pfds[i + 1] = (struct pollfd){
            .fd = h->fd,
            .events = (h->read ? POLLIN : 0) | (h->write ? POLLOUT : 0),
        };
        loop->pfd_handlers[i + 1] = h;
    }
    loop->handlers_changed = false;
    pthread_mutex_unlock(&loop->fd_lock);
}

/* Reads h's callback under the lock; NULL if h was removed meanwhile. */
static IOHandler *fd_handler_get(EventLoop *loop, FdHandler *h, bool want_read,
                                 void **opaque)
{
    IOHandler *fn = NULL;

    pthread_mutex_lock(&loop->fd_lock);
    if (!h->deleted) {
        fn = want_read ? h->read : h->write;
        *opaque = h->opaque;
    }
    pthread_mutex_unlock(&loop->fd_lock);
    return fn;
}

/* Loop thread: calls the handlers of the ready fds. */
static bool fds_dispatch(EventLoop *loop)
{
    bool progress = false;

    if (loop->pfds[0].revents) {
        notify_drain(loop);
    }
    for (int i = 1; i < loop->npfds; i++) {
        short rev = loop->pfds[i].revents;
        FdHandler *h = loop->pfd_handlers[i];
        IOHandler *fn;
        void *opaque;

        if (!rev) {
            continue;
        }
        if (rev & POLLNVAL) {
            /* Closed without removing its handler: a bug of the owner, but
             * polling it again would spin, so drop it. */
            warn_report("event loop: fd %d was closed while watched; "
                        "handler removed", h->fd);
            pthread_mutex_lock(&loop->fd_lock);
            if (!h->deleted) {
                fd_handler_bury(loop, h);
            }
            pthread_mutex_unlock(&loop->fd_lock);
            continue;
        }
        if (rev & (POLLIN | POLLHUP | POLLERR)) {
            fn = fd_handler_get(loop, h, true, &opaque);
            if (fn) {
                fn(opaque);
                progress = true;
            }
        }
        if (rev & (POLLOUT | POLLHUP | POLLERR)) {
            fn = fd_handler_get(loop, h, false, &opaque);
            if (fn) {
                fn(opaque);
                progress = true;
            }
        }
    }
    return progress;
}

/* --- Bottom halves --- */

/* Any thread. */
BH *bh_new(EventLoop *loop, BHFn *fn, void *opaque)
{
    BH *bh = g_new0(BH, 1);

    assert(loop && fn);
    bh->loop = loop;
    bh->fn = fn;
    bh->opaque = opaque;
    pthread_mutex_lock(&loop->bh_lock);
    bh->next = loop->bhs;
    loop->bhs = bh;
    pthread_mutex_unlock(&loop->bh_lock);
    return bh;
}

/* Any thread. */
void bh_schedule(BH *bh)
{
    EventLoop *loop = bh->loop;

    if (__atomic_exchange_n(&bh->scheduled, 1, __ATOMIC_SEQ_CST)) {
        return;
    }
    /* Set after the flag: the loop clears the hint before scanning flags. */
    __atomic_store_n(&loop->bh_pending, 1, __ATOMIC_SEQ_CST);
    event_loop_notify(loop);
}

/* Any thread.  A call already running is not waited for. */
void bh_cancel(BH *bh)
{
    __atomic_store_n(&bh->scheduled, 0, __ATOMIC_SEQ_CST);
}

/*
 * The loop's thread, or any thread while the loop is not running BHs (for
 * the main loop: any BQL holder).  Does not wait for a running call.
 */
void bh_delete(BH *bh)
{
    EventLoop *loop;

    if (!bh) {
        return;
    }
    loop = bh->loop;
    bh_cancel(bh);
    pthread_mutex_lock(&loop->bh_lock);
    if (loop->bh_dispatching) {
        bh->deleted = true;
    } else {
        BH **p;

        for (p = &loop->bhs; *p != bh; p = &(*p)->next) {
            assert(*p);
        }
        *p = bh->next;
        g_free(bh);
    }
    pthread_mutex_unlock(&loop->bh_lock);
}

/* Loop thread: runs every scheduled BH once. */
static bool bhs_run(EventLoop *loop)
{
    bool progress = false;
    BH *bh, **p;

    if (!__atomic_exchange_n(&loop->bh_pending, 0, __ATOMIC_SEQ_CST)) {
        return false;
    }
    pthread_mutex_lock(&loop->bh_lock);
    loop->bh_dispatching = true;
    for (bh = loop->bhs; bh; bh = bh->next) {
        if (bh->deleted ||
            !__atomic_exchange_n(&bh->scheduled, 0, __ATOMIC_SEQ_CST)) {
            continue;
        }
        /* Nodes are not freed while bh_dispatching, so bh->next stays
         * valid across the unlocked call. */
        pthread_mutex_unlock(&loop->bh_lock);
        bh->fn(bh->opaque);
        progress = true;
        pthread_mutex_lock(&loop->bh_lock);
    }
    loop->bh_dispatching = false;
    for (p = &loop->bhs; *p;) {
        bh = *p;
        if (bh->deleted) {
            *p = bh->next;
            g_free(bh);
        } else {
            p = &bh->next;
        }
    }
    pthread_mutex_unlock(&loop->bh_lock);
    return progress;
}

/* --- One iteration --- */

/* The loop's own thread; main loop: BQL held, dropped while waiting. */
bool event_loop_run_once(EventLoop *loop, bool blocking)
{
    int64_t timeout_ns = 0;
    struct timespec ts, *tsp = NULL;
    bool progress = false;
    int n;

    if (loop->is_main) {
        assert(bql_locked());
    }
    tls_loop = loop;
    pollfds_rebuild(loop);
    if (blocking && !__atomic_load_n(&loop->bh_pending, __ATOMIC_SEQ_CST)) {
        timeout_ns = timers_loop_timeout_ns(loop);
    }
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / NS_PER_SEC;
        ts.tv_nsec = timeout_ns % NS_PER_SEC;
        tsp = &ts;
    }
    if (loop->is_main) {
        bql_unlock();
    }
    n = ppoll(loop->pfds, loop->npfds, tsp, NULL);
    if (loop->is_main) {
        bql_lock(bql_cause_main_loop);
    }
    if (n > 0) {
        progress |= fds_dispatch(loop);
    } else if (n < 0 && errno != EINTR) {
        int err = errno;

        /* EFAULT would be our bug; ENOMEM or EINVAL (more fds than
         * RLIMIT_NOFILE) are the host's: report and carry on. */
        error_report("event loop: ppoll failed: %s", strerror(err));
        assert(err != EFAULT);
    }
    progress |= bhs_run(loop);
    progress |= timers_loop_run_expired(loop);
    return progress;
}

/* --- Signals --- */

static const int fatal_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
/* Written once by main_loop_init before the handlers are installed. */
static struct sigaction fatal_old_action[NSIG];

/*
 * Async-signal-safe: restores the terminal, reinstalls whatever handled the
 * signal before us (the default, or a sanitizer's) and lets it proceed.  A
 * fault raised by an instruction (si_code > 0) recurs when we return; a
 * signal sent by kill/raise/abort is sent again.
 */
static void fatal_signal_handler(int sig, siginfo_t *info, void *uc)
{
    int saved_errno = errno;

    chardev_restore_terminals();
    sigaction(sig, &fatal_old_action[sig], NULL);
    if (info->si_code <= 0) {
        raise(sig);
    }
    errno = saved_errno;
}

/* Main loop: a SIGINT/SIGTERM/SIGHUP arrived. */
static void signal_fd_read(void *opaque)
{
    struct signalfd_siginfo si;

    while (read(signal_fd, &si, sizeof(si)) == sizeof(si)) {
        info_report("terminating on signal %d", (int)si.ssi_signo);
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 0);
    }
}

static void signals_init(void)
{
    struct sigaction sa;
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0) {
        fatal_error("cannot create signalfd: %s", strerror(errno));
    }
    event_loop_set_fd_handler(main_loop, signal_fd, signal_fd_read, NULL,
                              NULL);

    signal(SIGPIPE, SIG_IGN);

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fatal_signal_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
        sigaction(fatal_signals[i], &sa, &fatal_old_action[fatal_signals[i]]);
    }
    atexit(chardev_restore_terminals);
}

/* Main thread, once, before other threads are created. */
void main_loop_init(void)
{
    assert(!main_loop);
    main_loop = event_loop_create(true, &error_fatal);
    signals_init();
}
