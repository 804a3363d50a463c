/*
 * test-mainloop.c: the main loop's contract with the rest of the process
 * (system/main-loop.c, system/iothread.c): the BQL is dropped only while it
 * sleeps, host signals become shutdown requests, SIGPIPE is harmless, fatal
 * signals restore the terminal, and iothreads run their own loops without
 * the BQL.
 *
 * Tests that fork run first, while the process has no other threads.
 */
#include "util/osdep.h"
#include "system/main-loop.h"
#include "system/iothread.h"
#include "system/runstate.h"
#include "system/bql.h"
#include "chardev/char.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define TIMEOUT_NS (5 * NS_PER_SEC)

static EventLoop *ml;
static Timer *tick;

static void tick_cb(void *opaque)
{
}

typedef bool CondFn(void *opaque);

static bool run_until(CondFn *cond, void *opaque)
{
    int64_t deadline = clock_get_ns(CLK_REALTIME) + TIMEOUT_NS;

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

static bool int_set(void *opaque)
{
    return __atomic_load_n((int *)opaque, __ATOMIC_SEQ_CST) != 0;
}

/* --- Signals --- */

typedef struct ShutdownSeen {
    ShutdownCause cause;
    int status;
    bool seen;
} ShutdownSeen;

static bool shutdown_seen(void *opaque)
{
    ShutdownSeen *s = opaque;

    if (!s->seen) {
        s->seen = system_shutdown_requested(&s->cause, &s->status);
    }
    return s->seen;
}

static void test_signal_becomes_shutdown(void)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };

    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        ShutdownSeen s = { 0 };

        /* Blocked by main_loop_init, so it waits in the signalfd instead
         * of killing us. */
        if (i == 0) {
            g_assert_cmpint(kill(getpid(), sigs[i]), ==, 0);
        } else {
            g_assert_cmpint(raise(sigs[i]), ==, 0);
        }
        g_assert_true(run_until(shutdown_seen, &s));
        g_assert_cmpint(s.cause, ==, SHUTDOWN_CAUSE_HOST_QUIT);
        g_assert_cmpint(s.status, ==, 0);
    }
}

static void test_sigpipe_ignored(void)
{
    int fds[2];

    g_assert_cmpint(pipe(fds), ==, 0);
    close(fds[0]);
    /* With SIGPIPE at its default this would kill the test. */
    g_assert_cmpint(write(fds[1], "x", 1), ==, -1);
    g_assert_cmpint(errno, ==, EPIPE);
    close(fds[1]);
}

/*
 * A fatal signal in a process with a raw stdio terminal: the handler puts
 * the terminal back before the process dies of the signal.
 */
static void fatal_child(int sig)
{
    Chardev *chr;
    struct termios t;

    chr = chardev_new_from_opts("stdio,id=fatal-stdio", NULL);
    if (!chr || tcgetattr(STDIN_FILENO, &t) < 0 || (t.c_lflag & ICANON)) {
        _exit(3);                           /* not raw: test broken */
    }
    if (sig == SIGSEGV) {
        /* A real fault, as opposed to a sent signal. */
        static volatile uintptr_t bad_addr = 8;

        *(volatile int *)bad_addr = 1;
    } else {
        raise(sig);
    }
    _exit(4);                               /* survived the signal */
}

static void check_fatal_restores(int sig)
{
    struct termios before, after;
    int master, slave, status;
    pid_t pid;

    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint(tcgetattr(slave, &before), ==, 0);
    g_assert_true(before.c_lflag & ICANON);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        /* No core files, no sanitizer report noise in the TAP stream. */
        prctl(PR_SET_DUMPABLE, 0);
        dup2(slave, STDIN_FILENO);
        dup2(slave, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        fatal_child(sig);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    /* Died of the signal (a sanitizer's handler may turn a SEGV into an
     * error exit instead); never a normal, successful exit. */
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 4);
    if (sig != SIGSEGV) {
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, sig);
    }
    g_assert_cmpint(tcgetattr(slave, &after), ==, 0);
    g_assert_cmphex(after.c_lflag, ==, before.c_lflag);
    g_assert_cmphex(after.c_iflag, ==, before.c_iflag);
    g_assert_cmphex(after.c_oflag, ==, before.c_oflag);
    g_assert_cmphex(after.c_cflag, ==, before.c_cflag);
    close(master);
    close(slave);
}

static void test_fatal_abort_restores_terminal(void)
{
    check_fatal_restores(SIGABRT);
}

static void test_fatal_segv_restores_terminal(void)
{
    check_fatal_restores(SIGSEGV);
}

/* --- The BQL around ppoll --- */

typedef struct BqlProbe {
    BH *bh;
    int took_bql;              /* atomic */
    int bh_ran;                /* atomic */
    bool bh_had_bql;
} BqlProbe;

static void probe_bh(void *opaque)
{
    BqlProbe *p = opaque;

    p->bh_had_bql = bql_locked();
    __atomic_store_n(&p->bh_ran, 1, __ATOMIC_SEQ_CST);
}

static void *bql_taker(void *opaque)
{
    BqlProbe *p = opaque;

    g_usleep(30 * 1000);
    /* Succeeds only because the main loop sleeps without the BQL. */
    bql_lock(bql_cause_main_loop);
    __atomic_store_n(&p->took_bql, 1, __ATOMIC_SEQ_CST);
    bh_schedule(p->bh);
    bql_unlock();
    return NULL;
}

static void test_bql_dropped_while_polling(void)
{
    BqlProbe p = { 0 };
    pthread_t th;

    p.bh = bh_new(ml, probe_bh, &p);
    pthread_create(&th, NULL, bql_taker, &p);
    g_assert_true(run_until(int_set, &p.bh_ran));
    pthread_join(th, NULL);
    g_assert_cmpint(p.took_bql, ==, 1);
    g_assert_true(p.bh_had_bql);
    g_assert_true(bql_locked());
    bh_delete(p.bh);
}

/* A BQL holder in another thread changes the main loop's fd set while the
 * main thread sleeps in ppoll: the loop must notice. */
typedef struct FdFromThread {
    int fds[2];
    int got;                   /* main loop only */
} FdFromThread;

static void fd_thread_read(void *opaque)
{
    FdFromThread *f = opaque;
    char c;

    g_assert_true(bql_locked());
    if (read(f->fds[0], &c, 1) == 1) {
        f->got = c;
    }
}

static void *fd_adder(void *opaque)
{
    FdFromThread *f = opaque;

    g_usleep(30 * 1000);
    bql_lock(bql_cause_main_loop);
    event_loop_set_fd_handler(ml, f->fds[0], fd_thread_read, NULL, f);
    bql_unlock();
    return NULL;
}

static bool fd_got(void *opaque)
{
    return ((FdFromThread *)opaque)->got != 0;
}

static void test_fd_handler_from_other_thread(void)
{
    FdFromThread f = { { -1, -1 }, 0 };
    pthread_t th;

    g_assert_cmpint(pipe2(f.fds, O_NONBLOCK), ==, 0);
    g_assert_cmpint(write(f.fds[1], "z", 1), ==, 1);
    pthread_create(&th, NULL, fd_adder, &f);
    g_assert_true(run_until(fd_got, &f));
    pthread_join(th, NULL);
    g_assert_cmpint(f.got, ==, 'z');
    event_loop_set_fd_handler(ml, f.fds[0], NULL, NULL, NULL);
    close(f.fds[0]);
    close(f.fds[1]);
}

/* --- Iothreads --- */

typedef struct IoProbe {
    int ran;                   /* atomic */
    int had_bql;               /* atomic */
    char name[16];             /* written before ran is set */
    pthread_t thread;
} IoProbe;

static void io_probe_cb(void *opaque)
{
    IoProbe *p = opaque;

    pthread_getname_np(pthread_self(), p->name, sizeof(p->name));
    p->thread = pthread_self();
    __atomic_store_n(&p->had_bql, bql_locked(), __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->ran, 1, __ATOMIC_SEQ_CST);
}

static void wait_set(int *flag)
{
    int64_t deadline = clock_get_ns(CLK_REALTIME) + TIMEOUT_NS;

    while (!__atomic_load_n(flag, __ATOMIC_SEQ_CST) &&
           clock_get_ns(CLK_REALTIME) < deadline) {
        g_usleep(1000);
    }
}

static void test_iothread(void)
{
    Error *err = NULL;
    IOThread *io = iothread_new("io-test", &error_abort);
    EventLoop *loop = iothread_get_loop(io);
    IoProbe pb = { 0 }, pt = { 0 };
    BH *bh = bh_new(loop, io_probe_cb, &pb);
    Timer *t = timer_new(loop, CLK_REALTIME, io_probe_cb, &pt);

    g_assert_true(iothread_find("io-test") == io);
    g_assert_null(iothread_find("nope"));
    g_assert_null(iothread_new("io-test", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "duplicate iothread id 'io-test'");
    error_free(err);

    /* Scheduled while the main thread holds the BQL: the iothread runs it
     * anyway, in its own thread and without the BQL. */
    bh_schedule(bh);
    wait_set(&pb.ran);
    g_assert_cmpint(pb.ran, ==, 1);
    g_assert_cmpint(pb.had_bql, ==, 0);
    g_assert_cmpstr(pb.name, ==, "iothread");
    g_assert_false(pthread_equal(pb.thread, pthread_self()));

    timer_mod(t, clock_get_ns(CLK_REALTIME) + 5 * NS_PER_MS);
    wait_set(&pt.ran);
    g_assert_cmpint(pt.ran, ==, 1);
    g_assert_cmpstr(pt.name, ==, "iothread");

    iothread_stop_all();
    iothread_stop_all();                    /* idempotent */
    /* Stopped: nothing runs any more. */
    pb.ran = 0;
    bh_schedule(bh);
    g_usleep(30 * 1000);
    g_assert_cmpint(pb.ran, ==, 0);
    bh_delete(bh);
    timer_free(t);
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    bql_lock(bql_cause_main_loop);
    ml = main_loop_get();
    tick = timer_new(ml, CLK_REALTIME, tick_cb, NULL);

    /* Forking tests first, while there is only one thread. */
    g_test_add_func("/mainloop/fatal/abort-restores-terminal",
                    test_fatal_abort_restores_terminal);
    g_test_add_func("/mainloop/fatal/segv-restores-terminal",
                    test_fatal_segv_restores_terminal);
    g_test_add_func("/mainloop/signal/shutdown", test_signal_becomes_shutdown);
    g_test_add_func("/mainloop/signal/sigpipe-ignored", test_sigpipe_ignored);
    g_test_add_func("/mainloop/bql/dropped-while-polling",
                    test_bql_dropped_while_polling);
    g_test_add_func("/mainloop/bql/fd-handler-from-other-thread",
                    test_fd_handler_from_other_thread);
    g_test_add_func("/mainloop/iothread/basic", test_iothread);
    r = g_test_run();
    timer_free(tick);
    bql_unlock();
    return r;
}
