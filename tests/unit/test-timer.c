/*
 * test-timer.c: clocks, timers, bottom halves and fd handlers of the event
 * loop (system/timer.c, system/main-loop.c).
 *
 * The test thread plays the main thread: it calls main_loop_init(), holds
 * the BQL throughout (as main() does) and runs the main loop by hand with
 * run_until(), which arms a short realtime "tick" timer so that a blocking
 * iteration always returns and gives up after a deadline.  Tests that must
 * prove a cross-thread wake-up use a separate loop with no tick timer.
 */
#include "util/osdep.h"
#include "system/main-loop.h"
#include "system/bql.h"

#include <fcntl.h>

#define TIMEOUT_NS (5 * NS_PER_SEC)

static EventLoop *ml;
static Timer *tick;

static void tick_cb(void *opaque)
{
}

typedef bool CondFn(void *opaque);

/* Runs the main loop until cond(opaque) or timeout_ns; returns cond. */
static bool run_until(CondFn *cond, void *opaque, int64_t timeout_ns)
{
    int64_t deadline = clock_get_ns(CLK_REALTIME) + timeout_ns;

    while (!cond(opaque)) {
        if (clock_get_ns(CLK_REALTIME) > deadline) {
            return false;
        }
        timer_mod(tick, clock_get_ns(CLK_REALTIME) + 10 * NS_PER_MS);
        event_loop_run_once(ml, true);
    }
    timer_del(tick);
    return true;
}

static bool never(void *opaque)
{
    return false;
}

/* Runs the main loop for about ns. */
static void run_for(int64_t ns)
{
    run_until(never, NULL, ns);
    timer_del(tick);
}

/* --- Realtime timers --- */

typedef struct Fired {
    int64_t at_ns;
    int count;
} Fired;

static void fired_cb(void *opaque)
{
    Fired *f = opaque;

    g_assert_true(bql_locked());
    f->at_ns = clock_get_ns(CLK_REALTIME);
    f->count++;
}

static bool fired_once(void *opaque)
{
    return ((Fired *)opaque)->count > 0;
}

static void test_realtime_fires(void)
{
    Fired f = { 0 };
    Timer *t = timer_new(ml, CLK_REALTIME, fired_cb, &f);
    int64_t expire = clock_get_ns(CLK_REALTIME) + 30 * NS_PER_MS;

    timer_mod(t, expire);
    g_assert_true(timer_pending(t));
    g_assert_cmpint(timer_expire_time(t), ==, expire);
    g_assert_true(run_until(fired_once, &f, TIMEOUT_NS));
    g_assert_cmpint(f.count, ==, 1);
    g_assert_cmpint(f.at_ns, >=, expire);
    /* Generous: the machine is shared and sanitizers are slow. */
    g_assert_cmpint(f.at_ns - expire, <, 250 * NS_PER_MS);
    g_assert_false(timer_pending(t));
    g_assert_cmpint(timer_expire_time(t), ==, -1);
    run_for(30 * NS_PER_MS);
    g_assert_cmpint(f.count, ==, 1);
    timer_free(t);
}

typedef struct Order {
    int seq[16];
    int n;
} Order;

typedef struct OrderItem {
    Order *order;
    int id;
} OrderItem;

static void order_cb(void *opaque)
{
    OrderItem *it = opaque;

    g_assert_cmpint(it->order->n, <, 16);
    it->order->seq[it->order->n++] = it->id;
}

static bool order_has(void *opaque)
{
    return ((Order *)opaque)->n >= 5;
}

static void test_realtime_order(void)
{
    static const int delay_ms[5] = { 40, 10, 25, 10, 0 };
    static const int expect[5] = { 4, 1, 3, 2, 0 };
    Order order = { { 0 }, 0 };
    OrderItem items[5];
    Timer *t[5];
    int64_t now = clock_get_ns(CLK_REALTIME);

    for (int i = 0; i < 5; i++) {
        items[i] = (OrderItem){ &order, i };
        t[i] = timer_new(ml, CLK_REALTIME, order_cb, &items[i]);
    }
    /* Armed out of order; 1 and 3 share a deadline, 1 armed first. */
    for (int i = 0; i < 5; i++) {
        timer_mod(t[i], now + delay_ms[i] * NS_PER_MS);
    }
    g_assert_true(run_until(order_has, &order, TIMEOUT_NS));
    g_assert_cmpint(order.n, ==, 5);
    for (int i = 0; i < 5; i++) {
        g_assert_cmpint(order.seq[i], ==, expect[i]);
    }
    for (int i = 0; i < 5; i++) {
        timer_free(t[i]);
    }
}

static void test_timer_del(void)
{
    Fired a = { 0 }, b = { 0 };
    Timer *ta = timer_new(ml, CLK_REALTIME, fired_cb, &a);
    Timer *tb = timer_new(ml, CLK_REALTIME, fired_cb, &b);
    int64_t now = clock_get_ns(CLK_REALTIME);

    timer_mod(ta, now + 10 * NS_PER_MS);
    timer_mod(tb, now + 20 * NS_PER_MS);
    timer_del(ta);
    g_assert_false(timer_pending(ta));
    timer_del(ta);                          /* twice is fine */
    g_assert_true(run_until(fired_once, &b, TIMEOUT_NS));
    run_for(30 * NS_PER_MS);
    g_assert_cmpint(a.count, ==, 0);
    g_assert_cmpint(b.count, ==, 1);
    /* Re-arming moves a pending timer rather than adding it twice. */
    timer_mod(tb, clock_get_ns(CLK_REALTIME) + 500 * NS_PER_MS);
    timer_mod(tb, clock_get_ns(CLK_REALTIME) + 5 * NS_PER_MS);
    run_for(60 * NS_PER_MS);
    g_assert_cmpint(b.count, ==, 2);
    g_assert_false(timer_pending(tb));
    timer_free(ta);
    timer_free(tb);
}

/* A timer armed by its own callback, and one deleting another. */
typedef struct Chain {
    Timer *self, *victim;
    int count;
} Chain;

static void chain_cb(void *opaque)
{
    Chain *c = opaque;

    if (++c->count < 3) {
        timer_mod(c->self, clock_get_ns(CLK_REALTIME) + NS_PER_MS);
    }
    timer_del(c->victim);
}

static bool chain_done(void *opaque)
{
    return ((Chain *)opaque)->count >= 3;
}

static void test_timer_rearm_in_callback(void)
{
    Fired v = { 0 };
    Chain c = { 0 };
    int64_t now = clock_get_ns(CLK_REALTIME);

    c.self = timer_new(ml, CLK_REALTIME, chain_cb, &c);
    c.victim = timer_new(ml, CLK_REALTIME, fired_cb, &v);
    timer_mod(c.self, now);
    timer_mod(c.victim, now + 20 * NS_PER_MS);
    g_assert_true(run_until(chain_done, &c, TIMEOUT_NS));
    run_for(40 * NS_PER_MS);
    g_assert_cmpint(c.count, ==, 3);
    g_assert_cmpint(v.count, ==, 0);
    timer_free(c.self);
    timer_free(c.victim);
}

/* --- Cross-thread wake-ups (a private loop without tick timer) --- */

typedef struct Waker {
    EventLoop *loop;
    Timer *timer;
    BH *bh;
    int fired;                 /* atomic */
    int ran_in_other;          /* atomic */
    pthread_t loop_thread;
} Waker;

static void waker_timer_cb(void *opaque)
{
    Waker *w = opaque;

    g_assert_false(bql_locked());           /* not the main loop */
    __atomic_store_n(&w->fired, 1, __ATOMIC_SEQ_CST);
}

static void *waker_thread(void *opaque)
{
    Waker *w = opaque;

    g_usleep(50 * 1000);
    if (w->timer) {
        /* The loop sleeps with no deadline: only a wake-up can end it. */
        timer_mod(w->timer, clock_get_ns(CLK_REALTIME));
    } else {
        bh_schedule(w->bh);
    }
    return NULL;
}

/* Unsticks a broken loop after a while so the test fails, not hangs. */
static void *watchdog_thread(void *opaque)
{
    Waker *w = opaque;
    int64_t deadline = clock_get_ns(CLK_REALTIME) + TIMEOUT_NS;

    while (!__atomic_load_n(&w->fired, __ATOMIC_SEQ_CST) &&
           clock_get_ns(CLK_REALTIME) < deadline) {
        g_usleep(10 * 1000);
    }
    event_loop_notify(w->loop);
    return NULL;
}

static void bh_other_cb(void *opaque)
{
    Waker *w = opaque;

    __atomic_add_fetch(&w->ran_in_other,
                       pthread_equal(pthread_self(), w->loop_thread) ? 0 : 1,
                       __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&w->fired, 1, __ATOMIC_SEQ_CST);
}

static void run_private_loop_until_fired(Waker *w)
{
    pthread_t th, wd;
    int64_t t0 = clock_get_ns(CLK_REALTIME);

    w->loop_thread = pthread_self();
    pthread_create(&th, NULL, waker_thread, w);
    pthread_create(&wd, NULL, watchdog_thread, w);
    while (!__atomic_load_n(&w->fired, __ATOMIC_SEQ_CST) &&
           clock_get_ns(CLK_REALTIME) - t0 < TIMEOUT_NS) {
        event_loop_run_once(w->loop, true);
    }
    pthread_join(th, NULL);
    pthread_join(wd, NULL);
    g_assert_cmpint(__atomic_load_n(&w->fired, __ATOMIC_SEQ_CST), ==, 1);
    /* Woken promptly, not by the watchdog. */
    g_assert_cmpint(clock_get_ns(CLK_REALTIME) - t0, <, 2 * NS_PER_SEC);
}

static void test_timer_mod_other_thread(void)
{
    Waker w = { 0 };

    w.loop = event_loop_new(&error_abort);
    w.timer = timer_new(w.loop, CLK_REALTIME, waker_timer_cb, &w);
    /* The loop runs in this thread without the BQL. */
    bql_unlock();
    run_private_loop_until_fired(&w);
    bql_lock(bql_cause_main_loop);
    timer_free(w.timer);
    event_loop_free(w.loop);
}

static void test_bh_other_thread(void)
{
    Waker w = { 0 };

    w.loop = event_loop_new(&error_abort);
    w.bh = bh_new(w.loop, bh_other_cb, &w);
    bql_unlock();
    run_private_loop_until_fired(&w);
    /* Exactly once, in the loop's thread; nothing more afterwards. */
    for (int i = 0; i < 5; i++) {
        event_loop_run_once(w.loop, false);
    }
    bql_lock(bql_cause_main_loop);
    g_assert_cmpint(w.fired, ==, 1);
    g_assert_cmpint(w.ran_in_other, ==, 0);
    bh_delete(w.bh);
    event_loop_free(w.loop);
}

/* --- Bottom halves on the main loop --- */

typedef struct BHCount {
    BH *self;
    int count;
    int resched;
} BHCount;

static void bh_count_cb(void *opaque)
{
    BHCount *c = opaque;

    g_assert_true(bql_locked());
    c->count++;
    if (c->resched > 0) {
        c->resched--;
        bh_schedule(c->self);
    }
}

static void *schedule_many(void *opaque)
{
    BHCount *c = opaque;

    for (int i = 0; i < 100; i++) {
        bh_schedule(c->self);
    }
    return NULL;
}

static void test_bh_once(void)
{
    BHCount c = { 0 };
    pthread_t th;

    c.self = bh_new(ml, bh_count_cb, &c);
    /* Scheduled 100 times from another thread before the loop runs. */
    pthread_create(&th, NULL, schedule_many, &c);
    pthread_join(th, NULL);
    g_assert_true(event_loop_run_once(ml, false));
    g_assert_cmpint(c.count, ==, 1);
    g_assert_false(event_loop_run_once(ml, false));
    g_assert_cmpint(c.count, ==, 1);

    /* Cancel before it runs. */
    bh_schedule(c.self);
    bh_cancel(c.self);
    event_loop_run_once(ml, false);
    g_assert_cmpint(c.count, ==, 1);

    /* Rescheduling itself runs it again in a later iteration. */
    c.resched = 2;
    bh_schedule(c.self);
    for (int i = 0; i < 5; i++) {
        event_loop_run_once(ml, false);
    }
    g_assert_cmpint(c.count, ==, 4);
    bh_delete(c.self);
}

typedef struct BHPair {
    BH *a, *b;
    int a_count, b_count;
} BHPair;

static void bh_deleter_cb(void *opaque)
{
    BHPair *p = opaque;

    p->a_count++;
    bh_delete(p->b);                       /* b is scheduled too */
    p->b = NULL;
    bh_delete(p->a);                       /* and itself */
    p->a = NULL;
}

static void bh_victim_cb(void *opaque)
{
    ((BHPair *)opaque)->b_count++;
}

static void test_bh_delete_in_callback(void)
{
    BHPair p = { 0 };

    /* Newer BHs are visited first, so a runs before b. */
    p.b = bh_new(ml, bh_victim_cb, &p);
    p.a = bh_new(ml, bh_deleter_cb, &p);
    bh_schedule(p.b);
    bh_schedule(p.a);
    event_loop_run_once(ml, false);
    event_loop_run_once(ml, false);
    g_assert_cmpint(p.a_count, ==, 1);
    g_assert_cmpint(p.b_count, ==, 0);
}

/* --- Virtual clock --- */

static void test_virtual_stop_resume(void)
{
    Fired f = { 0 };
    Timer *t = timer_new(ml, CLK_VIRTUAL, fired_cb, &f);
    int64_t v1, v2, v3, v4, v5;

    clock_virtual_start();
    g_assert_true(clock_virtual_is_running());
    v1 = clock_get_ns(CLK_VIRTUAL);
    g_usleep(20 * 1000);
    v2 = clock_get_ns(CLK_VIRTUAL);
    g_assert_cmpint(v2 - v1, >=, 19 * NS_PER_MS);

    clock_virtual_stop();
    g_assert_false(clock_virtual_is_running());
    v3 = clock_get_ns(CLK_VIRTUAL);
    g_assert_cmpint(v3, >=, v2);
    timer_mod(t, v3 + NS_PER_MS);
    g_assert_cmpint(clock_virtual_deadline(), ==, v3 + NS_PER_MS);
    run_for(50 * NS_PER_MS);
    v4 = clock_get_ns(CLK_VIRTUAL);
    g_assert_cmpint(v4, ==, v3);            /* frozen */
    g_assert_cmpint(f.count, ==, 0);        /* and its timers too */

    clock_virtual_start();
    v5 = clock_get_ns(CLK_VIRTUAL);
    g_assert_cmpint(v5, >=, v3);
    g_assert_cmpint(v5 - v3, <, 20 * NS_PER_MS); /* resumed, no jump */
    g_assert_true(run_until(fired_once, &f, TIMEOUT_NS));
    g_assert_cmpint(f.count, ==, 1);
    g_assert_cmpint(clock_virtual_deadline(), ==, -1);
    clock_virtual_stop();
    timer_free(t);
}

typedef struct Step {
    Timer *timer;
    struct StepLog *log;
    char name;
    int64_t period_ns;         /* re-arm by this much, if > 0 */
    int64_t until_ns;          /* while the new deadline <= this */
} Step;

typedef struct StepLog {
    char names[32];
    int64_t at[32];
    int n;
} StepLog;

static void step_cb(void *opaque)
{
    Step *s = opaque;
    StepLog *log = s->log;
    int64_t now = clock_get_ns(CLK_VIRTUAL);

    g_assert_true(bql_locked());
    g_assert_cmpint(log->n, <, 32);
    log->names[log->n] = s->name;
    log->at[log->n++] = now;
    if (s->period_ns > 0 && now + s->period_ns <= s->until_ns) {
        timer_mod(s->timer, now + s->period_ns);
    }
}

static void test_virtual_manual(void)
{
    StepLog log = { { 0 } };
    Step steps[5] = {
        { .name = 'A' }, { .name = 'B' }, { .name = 'C' }, { .name = 'D' },
        { .name = 'E' },
    };
    static const int64_t delay[5] = { 300, 100, 200, 1000, 150 };
    int64_t v0;

    clock_virtual_set_manual(true);
    clock_virtual_start();                  /* manual: still frozen */
    v0 = clock_get_ns(CLK_VIRTUAL);
    g_usleep(10 * 1000);
    g_assert_cmpint(clock_get_ns(CLK_VIRTUAL), ==, v0);

    for (int i = 0; i < 5; i++) {
        steps[i].log = &log;
        steps[i].timer = timer_new(ml, CLK_VIRTUAL, step_cb, &steps[i]);
    }
    steps[4].period_ns = 150;               /* E: periodic, up to v0+450 */
    steps[4].until_ns = v0 + 450;
    for (int i = 0; i < 5; i++) {
        timer_mod(steps[i].timer, v0 + delay[i]);
    }
    g_assert_cmpint(clock_virtual_deadline(), ==, v0 + 100);

    /* Nothing is due yet: the loop must not run any of them. */
    run_for(20 * NS_PER_MS);
    g_assert_cmpint(log.n, ==, 0);

    clock_virtual_advance(500);
    g_assert_cmpint(clock_get_ns(CLK_VIRTUAL), ==, v0 + 500);
    /* In deadline order, each seeing the clock at its own deadline; A was
     * armed for 300 before E re-armed itself for 300. */
    g_assert_cmpstr(log.names, ==, "BECAEE");
    {
        static const int64_t at[] = { 100, 150, 200, 300, 300, 450 };

        for (int i = 0; i < 6; i++) {
            g_assert_cmpint(log.at[i], ==, v0 + at[i]);
        }
    }
    g_assert_false(timer_pending(steps[4].timer));
    g_assert_cmpint(clock_virtual_deadline(), ==, v0 + 1000);

    /* Running the loop changes nothing while the clock stands still. */
    run_for(20 * NS_PER_MS);
    g_assert_cmpint(log.n, ==, 6);

    /* Absolute sets never go backwards. */
    clock_virtual_set(v0 + 400);
    g_assert_cmpint(clock_get_ns(CLK_VIRTUAL), ==, v0 + 500);
    clock_virtual_set(v0 + 999);
    g_assert_cmpint(clock_get_ns(CLK_VIRTUAL), ==, v0 + 999);
    g_assert_cmpint(log.n, ==, 6);
    clock_virtual_advance(10000);
    g_assert_cmpint(clock_get_ns(CLK_VIRTUAL), ==, v0 + 10999);
    g_assert_cmpstr(log.names, ==, "BECAEED");
    g_assert_cmpint(log.at[6], ==, v0 + 1000);
    g_assert_cmpint(clock_virtual_deadline(), ==, -1);

    /* A timer armed at the current time fires from the loop. */
    timer_mod(steps[0].timer, clock_get_ns(CLK_VIRTUAL));
    event_loop_run_once(ml, false);
    g_assert_cmpint(log.n, ==, 8);

    clock_virtual_stop();
    clock_virtual_set_manual(false);
    for (int i = 0; i < 5; i++) {
        timer_free(steps[i].timer);
    }
}

/* Many threads reading the virtual clock while it is stopped and started:
 * reads never go backwards (and TSan sees no race). */
static int reader_stop;

static void *clock_reader(void *opaque)
{
    int64_t last = clock_get_ns(CLK_VIRTUAL);
    long bad = 0;

    while (!__atomic_load_n(&reader_stop, __ATOMIC_SEQ_CST)) {
        int64_t v = clock_get_ns(CLK_VIRTUAL);

        bad += v < last;
        last = v;
    }
    return (void *)bad;
}

static void test_virtual_concurrent_reads(void)
{
    pthread_t th[2];

    __atomic_store_n(&reader_stop, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 2; i++) {
        pthread_create(&th[i], NULL, clock_reader, NULL);
    }
    for (int i = 0; i < 200; i++) {
        clock_virtual_start();
        g_usleep(100);
        clock_virtual_stop();
    }
    __atomic_store_n(&reader_stop, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 2; i++) {
        void *bad;

        pthread_join(th[i], &bad);
        g_assert_cmpint((long)bad, ==, 0);
    }
}

static void test_clock_host(void)
{
    int64_t host = clock_get_ns(CLK_HOST);

    /* Wall clock: within a minute of what GLib says. */
    g_assert_cmpint(llabs(host - g_get_real_time() * NS_PER_US), <,
                    60 * NS_PER_SEC);
}

/* --- fd handlers --- */

typedef struct PipeState {
    int fds[2];
    int reads, writes;
    char got;
    bool remove_self;
    struct PipeState *victim;  /* removed by this one's read callback */
} PipeState;

static void pipe_read_cb(void *opaque)
{
    PipeState *p = opaque;

    g_assert_true(bql_locked());
    p->reads++;
    if (p->remove_self) {
        /* Leave the byte unread: only the removal can stop the calls. */
        event_loop_set_fd_handler(ml, p->fds[0], NULL, NULL, NULL);
        return;
    }
    if (p->victim) {
        event_loop_set_fd_handler(ml, p->victim->fds[0], NULL, NULL, NULL);
    }
    g_assert_cmpint(read(p->fds[0], &p->got, 1), ==, 1);
}

static void pipe_write_cb(void *opaque)
{
    PipeState *p = opaque;

    p->writes++;
    event_loop_set_fd_handler(ml, p->fds[1], NULL, NULL, NULL);
}

static bool reads_nonzero(void *opaque)
{
    return ((PipeState *)opaque)->reads > 0;
}

static void test_fd_handler_pipe(void)
{
    PipeState p = { 0 };

    g_assert_cmpint(pipe2(p.fds, O_NONBLOCK), ==, 0);
    event_loop_set_fd_handler(ml, p.fds[0], pipe_read_cb, NULL, &p);
    run_for(20 * NS_PER_MS);
    g_assert_cmpint(p.reads, ==, 0);
    g_assert_cmpint(write(p.fds[1], "x", 1), ==, 1);
    g_assert_true(run_until(reads_nonzero, &p, TIMEOUT_NS));
    g_assert_cmpint(p.got, ==, 'x');
    g_assert_cmpint(p.reads, ==, 1);

    /* A write handler on the other end: the pipe has room. */
    event_loop_set_fd_handler(ml, p.fds[1], NULL, pipe_write_cb, &p);
    run_for(20 * NS_PER_MS);
    g_assert_cmpint(p.writes, ==, 1);       /* removed itself */

    event_loop_set_fd_handler(ml, p.fds[0], NULL, NULL, NULL);
    g_assert_cmpint(write(p.fds[1], "y", 1), ==, 1);
    run_for(20 * NS_PER_MS);
    g_assert_cmpint(p.reads, ==, 1);
    close(p.fds[0]);
    close(p.fds[1]);
}

static void test_fd_handler_remove_in_dispatch(void)
{
    PipeState self = { .remove_self = true };
    PipeState a = { 0 }, b = { 0 };

    g_assert_cmpint(pipe2(self.fds, O_NONBLOCK), ==, 0);
    g_assert_cmpint(pipe2(a.fds, O_NONBLOCK), ==, 0);
    g_assert_cmpint(pipe2(b.fds, O_NONBLOCK), ==, 0);

    /* Removes itself with its byte still unread: called exactly once. */
    event_loop_set_fd_handler(ml, self.fds[0], pipe_read_cb, NULL, &self);
    g_assert_cmpint(write(self.fds[1], "s", 1), ==, 1);
    run_for(40 * NS_PER_MS);
    g_assert_cmpint(self.reads, ==, 1);

    /* Two ready fds; whichever runs first removes the other, which must
     * then not be called in the same dispatch. */
    a.victim = &b;
    b.victim = &a;
    event_loop_set_fd_handler(ml, a.fds[0], pipe_read_cb, NULL, &a);
    event_loop_set_fd_handler(ml, b.fds[0], pipe_read_cb, NULL, &b);
    g_assert_cmpint(write(a.fds[1], "a", 1), ==, 1);
    g_assert_cmpint(write(b.fds[1], "b", 1), ==, 1);
    event_loop_run_once(ml, false);
    g_assert_cmpint(a.reads + b.reads, ==, 1);
    run_for(20 * NS_PER_MS);
    g_assert_cmpint(a.reads + b.reads, ==, 1);
    event_loop_set_fd_handler(ml, a.fds[0], NULL, NULL, NULL);
    event_loop_set_fd_handler(ml, b.fds[0], NULL, NULL, NULL);

    for (int i = 0; i < 2; i++) {
        close(self.fds[i]);
        close(a.fds[i]);
        close(b.fds[i]);
    }
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    bql_lock(bql_cause_main_loop);
    ml = main_loop_get();
    tick = timer_new(ml, CLK_REALTIME, tick_cb, NULL);

    g_test_add_func("/timer/realtime/fires", test_realtime_fires);
    g_test_add_func("/timer/realtime/order", test_realtime_order);
    g_test_add_func("/timer/realtime/del", test_timer_del);
    g_test_add_func("/timer/realtime/rearm-in-callback",
                    test_timer_rearm_in_callback);
    g_test_add_func("/timer/cross-thread/timer-mod", test_timer_mod_other_thread);
    g_test_add_func("/timer/cross-thread/bh", test_bh_other_thread);
    g_test_add_func("/timer/bh/once", test_bh_once);
    g_test_add_func("/timer/bh/delete-in-callback", test_bh_delete_in_callback);
    g_test_add_func("/timer/virtual/stop-resume", test_virtual_stop_resume);
    g_test_add_func("/timer/virtual/manual", test_virtual_manual);
    g_test_add_func("/timer/virtual/concurrent-reads",
                    test_virtual_concurrent_reads);
    g_test_add_func("/timer/host", test_clock_host);
    g_test_add_func("/timer/fd/pipe", test_fd_handler_pipe);
    g_test_add_func("/timer/fd/remove-in-dispatch",
                    test_fd_handler_remove_in_dispatch);
    r = g_test_run();
    timer_free(tick);
    bql_unlock();
    return r;
}
