/*
 * thread.c: named, RCU-registered threads.  See util/thread.h.
 */
#include "util/osdep.h"
#include "util/thread.h"
#include "system/rcu.h"

#include <signal.h>

typedef struct ThreadStart {
    char name[16];
    ThreadFn *fn;
    void *opaque;
} ThreadStart;

void thread_set_name(const char *name)
{
    char buf[16];

    g_strlcpy(buf, name, sizeof(buf));
    pthread_setname_np(pthread_self(), buf);
}

static void *thread_trampoline(void *arg)
{
    ThreadStart ts = *(ThreadStart *)arg;
    void *ret;

    g_free(arg);
    thread_set_name(ts.name);
    rcu_register_thread();
    ret = ts.fn(ts.opaque);
    rcu_unregister_thread();
    return ret;
}

bool thread_create(pthread_t *thread, const char *name, ThreadFn *fn,
                   void *opaque, Error **errp)
{
    ThreadStart *ts = g_new0(ThreadStart, 1);
    sigset_t all, old;
    int r;

    g_strlcpy(ts->name, name, sizeof(ts->name));
    ts->fn = fn;
    ts->opaque = opaque;
    /* New threads start with every signal blocked except the vCPU kick
     * (SIGUSR1), which accel code unblocks where it wants it. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pthread_create(thread, NULL, thread_trampoline, ts);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r) {
        g_free(ts);
        error_setg_errno(errp, r, "cannot create thread '%s'", name);
        return false;
    }
    return true;
}
