/*
 * timer.c: the three clocks and every loop's timer lists.  See
 * include/system/main-loop.h for the contract, docs/devel/main-loop.md for
 * the design.
 *
 * Clocks.  CLK_REALTIME is CLOCK_MONOTONIC and CLK_HOST is CLOCK_REALTIME,
 * read directly.  CLK_VIRTUAL is guest time:
 *
 *     ticking (running, not manual):  value = virt_offset + monotonic
 *     stopped, or manual (qtest):     value = virt_frozen
 *
 * Stopping stores the current value in virt_frozen; starting sets the
 * offset so that time resumes from it; manual mode moves virt_frozen only
 * through clock_virtual_set/advance.  vCPU threads read CLK_VIRTUAL often,
 * so reads are lock-free: the state is a seqlock (clock_seq odd while a
 * writer is busy; writers serialise on clock_lock) whose fields are all
 * accessed with atomics.
 *
 * Timers.  Each loop keeps, per clock, a singly-linked list of pending
 * timers sorted by expiry (equal expiries in arming order) under its
 * timer_lock.  timer_mod/timer_del may come from any thread; if the head
 * of a list changed the loop is woken to recompute its ppoll timeout.  The
 * loop's thread runs expired timers by unlinking one at a time under the
 * lock and calling it with the lock released, so callbacks may re-arm or
 * delete any timer.  Virtual timers do not fire while the clock is stopped.
 *
 * Manual mode: clock_virtual_set steps the clock from deadline to deadline
 * up to the target and runs the main loop's expired virtual timers in the
 * caller's thread at each step -- so each callback sees the clock at its
 * own deadline, and timers run once each, in expiry order.  The caller
 * holds the BQL, which is what main-loop callbacks expect.  Other loops
 * (iothreads) are woken and run their expired virtual timers in their own
 * threads, asynchronously: waiting for them under the BQL could deadlock.
 *
 * Locks: loops_lock (the list of loops) before a loop's timer_lock;
 * clock_lock is never held while taking either.
 */
#include "util/osdep.h"
#include "system/event-loop-int.h"
#include "system/bql.h"

struct Timer {
    EventLoop *loop;           /* read-only after timer_new */
    ClockType type;            /* read-only after timer_new */
    TimerCb *cb;               /* read-only after timer_new */
    void *opaque;              /* read-only after timer_new */
    int64_t expire_ns;         /* loop->timer_lock; -1 when not pending */
    Timer *next;               /* loop->timer_lock */
};

/* Virtual clock state: a seqlock, see the file comment. */
static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER; /* writers */
static unsigned clock_seq;     /* atomic; odd while being written */
static int64_t virt_offset;    /* atomic, seqlock */
static int64_t virt_frozen;    /* atomic, seqlock */
static bool virt_ticking;      /* atomic, seqlock: running && !manual */
static bool virt_running;      /* atomic; written under clock_lock */
static bool virt_manual;       /* atomic; written under clock_lock */

static pthread_mutex_t loops_lock = PTHREAD_MUTEX_INITIALIZER;
static EventLoop *loops;       /* loops_lock: every EventLoop */

/* --- Clocks --- */

static int64_t host_clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/*
 * Orders a host-clock sample (an RDTSC in the vDSO, which is not a memory
 * access) before the loads that follow it: LFENCE does that on x86, the
 * only host we build for; elsewhere a full fence is the closest portable
 * tool.
 */
static inline void clock_sample_fence(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_lfence();
#elif !defined(CONFIG_TSAN)
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/*
 * Any thread; lock-free.  The host time is sampled inside the read section
 * and, by writers, inside the write section: so a value computed from the
 * old state predates the writer's sample, and reads never go backwards
 * across a stop.  The field loads are acquire loads so that the re-check
 * of clock_seq cannot be satisfied before them (free on x86; no separate
 * fence, which ThreadSanitizer cannot model).
 */
static int64_t clock_virtual_ns(void)
{
    for (;;) {
        unsigned seq = __atomic_load_n(&clock_seq, __ATOMIC_ACQUIRE);
        bool ticking;
        int64_t offset, frozen, host = 0;

        if (seq & 1) {
            continue;            /* a writer is mid-update; it is short */
        }
        ticking = __atomic_load_n(&virt_ticking, __ATOMIC_ACQUIRE);
        offset = __atomic_load_n(&virt_offset, __ATOMIC_ACQUIRE);
        frozen = __atomic_load_n(&virt_frozen, __ATOMIC_ACQUIRE);
        if (ticking) {
            host = host_clock_ns(CLOCK_MONOTONIC);
            clock_sample_fence();
        }
        if (__atomic_load_n(&clock_seq, __ATOMIC_ACQUIRE) == seq) {
            return ticking ? offset + host : frozen;
        }
    }
}

/* Any thread. */
int64_t clock_get_ns(ClockType type)
{
    switch (type) {
    case CLK_REALTIME:
        return host_clock_ns(CLOCK_MONOTONIC);
    case CLK_HOST:
        return host_clock_ns(CLOCK_REALTIME);
    case CLK_VIRTUAL:
        return clock_virtual_ns();
    default:
        g_assert_not_reached();
    }
}

/*
 * With clock_lock held: brackets an update of the seqlock fields.  Opening
 * with a seq-cst read-modify-write (a locked instruction on x86) makes the
 * odd sequence visible before the writer samples the host clock; a plain
 * store could sit in the store buffer while the sample is taken, and a
 * reader could then compute a later time from the old state than the one
 * the writer freezes (the test "/timer/virtual/concurrent-reads" caught
 * exactly that).  Its acquire half keeps the field stores after it; those
 * are release stores, so a reader whose acquire load sees a new value also
 * sees the odd sequence when it re-checks (all free on x86).
 */
static void clock_write_begin(void)
{
    __atomic_fetch_add(&clock_seq, 1, __ATOMIC_SEQ_CST);
}

static void clock_write_end(void)
{
    __atomic_fetch_add(&clock_seq, 1, __ATOMIC_RELEASE);
}

/* With clock_lock held: freezes the value (when ticking) or sets the offset
 * from the frozen value (when it starts ticking), as the new state needs. */
static void clock_set_state(bool running, bool manual)
{
    bool was_ticking = virt_ticking;
    bool ticking = running && !manual;
    int64_t now;

    clock_write_begin();
    now = host_clock_ns(CLOCK_MONOTONIC);   /* after seq went odd */
    if (was_ticking && !ticking) {
        __atomic_store_n(&virt_frozen, virt_offset + now, __ATOMIC_RELEASE);
    } else if (!was_ticking && ticking) {
        __atomic_store_n(&virt_offset, virt_frozen - now, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&virt_ticking, ticking, __ATOMIC_RELEASE);
    clock_write_end();
    __atomic_store_n(&virt_running, running, __ATOMIC_RELAXED);
    __atomic_store_n(&virt_manual, manual, __ATOMIC_RELAXED);
}

/* Wakes every loop so that it recomputes its virtual deadline. */
static void loops_notify_all(bool skip_main)
{
    pthread_mutex_lock(&loops_lock);
    for (EventLoop *l = loops; l; l = l->next_loop) {
        if (!(skip_main && l->is_main)) {
            event_loop_notify(l);
        }
    }
    pthread_mutex_unlock(&loops_lock);
}

/* BQL (vm_stop). */
void clock_virtual_stop(void)
{
    pthread_mutex_lock(&clock_lock);
    clock_set_state(false, virt_manual);
    pthread_mutex_unlock(&clock_lock);
    loops_notify_all(false);
}

/* BQL (vm_start). */
void clock_virtual_start(void)
{
    pthread_mutex_lock(&clock_lock);
    clock_set_state(true, virt_manual);
    pthread_mutex_unlock(&clock_lock);
    loops_notify_all(false);
}

/* Any thread. */
bool clock_virtual_is_running(void)
{
    return __atomic_load_n(&virt_running, __ATOMIC_RELAXED);
}

/* BQL. */
void clock_virtual_set_manual(bool manual)
{
    pthread_mutex_lock(&clock_lock);
    clock_set_state(virt_running, manual);
    pthread_mutex_unlock(&clock_lock);
    loops_notify_all(false);
}

/* Timers of the virtual clock fire when it runs, or under manual control
 * (where it moves only when asked to). */
static bool clock_virtual_fires(void)
{
    return __atomic_load_n(&virt_running, __ATOMIC_RELAXED) ||
           __atomic_load_n(&virt_manual, __ATOMIC_RELAXED);
}

static int64_t timer_list_head_expiry(EventLoop *loop, ClockType type)
{
    int64_t e;

    pthread_mutex_lock(&loop->timer_lock);
    e = loop->timers[type] ? loop->timers[type]->expire_ns : -1;
    pthread_mutex_unlock(&loop->timer_lock);
    return e;
}

/*
 * Runs loop's timers of type that expired at now, in expiry order; each
 * is unlinked before its callback runs.  Returns true if any ran.
 */
static bool timer_list_run(EventLoop *loop, ClockType type, int64_t now)
{
    bool progress = false;

    for (;;) {
        Timer *t;
        TimerCb *cb;
        void *opaque;

        pthread_mutex_lock(&loop->timer_lock);
        t = loop->timers[type];
        if (!t || t->expire_ns > now) {
            pthread_mutex_unlock(&loop->timer_lock);
            return progress;
        }
        loop->timers[type] = t->next;
        t->next = NULL;
        t->expire_ns = -1;
        cb = t->cb;
        opaque = t->opaque;
        pthread_mutex_unlock(&loop->timer_lock);
        cb(opaque);
        progress = true;
    }
}

/* BQL, manual mode.  Sets the frozen value (never backwards). */
static void clock_virtual_store(int64_t ns)
{
    pthread_mutex_lock(&clock_lock);
    if (ns > virt_frozen) {
        clock_write_begin();
        __atomic_store_n(&virt_frozen, ns, __ATOMIC_RELEASE);
        clock_write_end();
    }
    pthread_mutex_unlock(&clock_lock);
}

/* BQL, manual mode: see the file comment. */
void clock_virtual_set(int64_t target)
{
    EventLoop *ml = main_loop_get();

    assert(__atomic_load_n(&virt_manual, __ATOMIC_RELAXED));
    assert(!ml || bql_locked());
    for (;;) {
        int64_t d = ml ? timer_list_head_expiry(ml, CLK_VIRTUAL) : -1;

        if (d < 0 || d > target) {
            clock_virtual_store(target);
            break;
        }
        clock_virtual_store(d);
        timer_list_run(ml, CLK_VIRTUAL, clock_virtual_ns());
    }
    loops_notify_all(true);
}

/* BQL, manual mode. */
void clock_virtual_advance(int64_t ns)
{
    assert(ns >= 0);
    clock_virtual_set(clock_virtual_ns() + ns);
}

/* Any thread. */
int64_t clock_virtual_deadline(void)
{
    int64_t best = -1;

    pthread_mutex_lock(&loops_lock);
    for (EventLoop *l = loops; l; l = l->next_loop) {
        int64_t e = timer_list_head_expiry(l, CLK_VIRTUAL);

        if (e >= 0 && (best < 0 || e < best)) {
            best = e;
        }
    }
    pthread_mutex_unlock(&loops_lock);
    return best;
}

/* --- Per-loop hooks for main-loop.c --- */

void timers_loop_init(EventLoop *loop)
{
    pthread_mutex_lock(&loops_lock);
    loop->next_loop = loops;
    loops = loop;
    pthread_mutex_unlock(&loops_lock);
}

void timers_loop_destroy(EventLoop *loop)
{
    EventLoop **p;

    pthread_mutex_lock(&loops_lock);
    for (p = &loops; *p != loop; p = &(*p)->next_loop) {
        assert(*p);
    }
    *p = loop->next_loop;
    pthread_mutex_unlock(&loops_lock);
    pthread_mutex_lock(&loop->timer_lock);
    for (int i = 0; i < CLK_MAX; i++) {
        assert(!loop->timers[i]);   /* owners must stop their timers */
    }
    pthread_mutex_unlock(&loop->timer_lock);
}

/* Any thread. */
int64_t timers_loop_timeout_ns(EventLoop *loop)
{
    bool manual = __atomic_load_n(&virt_manual, __ATOMIC_RELAXED);
    bool running = __atomic_load_n(&virt_running, __ATOMIC_RELAXED);
    int64_t best = -1;

    pthread_mutex_lock(&loop->timer_lock);
    for (int type = 0; type < CLK_MAX; type++) {
        Timer *t = loop->timers[type];
        int64_t delta;

        if (!t) {
            continue;
        }
        if (type == CLK_VIRTUAL && manual) {
            /* Time moves only when asked: only an expired timer counts. */
            if (t->expire_ns > clock_virtual_ns()) {
                continue;
            }
            delta = 0;
        } else if (type == CLK_VIRTUAL && !running) {
            continue;
        } else {
            /* Virtual time runs at the host's monotonic rate. */
            delta = t->expire_ns - clock_get_ns(type);
        }
        if (delta < 0) {
            delta = 0;
        }
        if (best < 0 || delta < best) {
            best = delta;
        }
    }
    pthread_mutex_unlock(&loop->timer_lock);
    return best;
}

/* The loop's thread (main loop: BQL). */
bool timers_loop_run_expired(EventLoop *loop)
{
    bool progress = false;

    for (int type = 0; type < CLK_MAX; type++) {
        if (type == CLK_VIRTUAL && !clock_virtual_fires()) {
            continue;
        }
        if (timer_list_head_expiry(loop, type) < 0) {
            continue;
        }
        progress |= timer_list_run(loop, type, clock_get_ns(type));
    }
    return progress;
}

/* --- Timers --- */

/* Any thread. */
Timer *timer_new(EventLoop *loop, ClockType type, TimerCb *cb, void *opaque)
{
    Timer *t = g_new0(Timer, 1);

    assert(loop && cb && type >= 0 && type < CLK_MAX);
    t->loop = loop;
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    t->expire_ns = -1;
    return t;
}

/* With loop->timer_lock held: unlinks t if pending; true if it was head. */
static bool timer_unlink(Timer *t)
{
    Timer **p = &t->loop->timers[t->type];
    bool was_head = *p == t;

    if (t->expire_ns < 0) {
        return false;
    }
    for (; *p != t; p = &(*p)->next) {
        assert(*p);
    }
    *p = t->next;
    t->next = NULL;
    t->expire_ns = -1;
    return was_head;
}

/* Any thread; wakes the loop if the earliest deadline moved earlier. */
void timer_mod(Timer *t, int64_t expire_ns)
{
    EventLoop *loop = t->loop;
    Timer **p;
    bool is_head;

    if (expire_ns < 0) {
        expire_ns = 0;
    }
    pthread_mutex_lock(&loop->timer_lock);
    timer_unlink(t);
    for (p = &loop->timers[t->type]; *p && (*p)->expire_ns <= expire_ns;
         p = &(*p)->next) {
    }
    t->expire_ns = expire_ns;
    t->next = *p;
    *p = t;
    is_head = loop->timers[t->type] == t;
    pthread_mutex_unlock(&loop->timer_lock);
    if (is_head) {
        event_loop_kick(loop);
    }
}

/* Any thread.  Does not wait for a callback already running. */
void timer_del(Timer *t)
{
    pthread_mutex_lock(&t->loop->timer_lock);
    timer_unlink(t);
    pthread_mutex_unlock(&t->loop->timer_lock);
}

/* Any thread. */
bool timer_pending(Timer *t)
{
    return timer_expire_time(t) >= 0;
}

/* Any thread. */
int64_t timer_expire_time(Timer *t)
{
    int64_t e;

    pthread_mutex_lock(&t->loop->timer_lock);
    e = t->expire_ns;
    pthread_mutex_unlock(&t->loop->timer_lock);
    return e;
}

/* The loop's thread (main loop: BQL), or while the loop is not running. */
void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}
