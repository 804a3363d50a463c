/*
 * iothread.c: threads running their own EventLoop.  See system/iothread.h.
 *
 * Each IOThread loops on event_loop_run_once(loop, true) until its atomic
 * "stopping" flag is set; iothread_stop_all sets the flag, wakes the loop
 * with event_loop_notify and joins the thread.  The registry of iothreads
 * is protected by the BQL (they are created at machine creation and
 * stopped at shutdown, both in the main thread).
 */
#include "util/osdep.h"
#include "system/iothread.h"
#include "system/bql.h"
#include "util/thread.h"

struct IOThread {
    char *id;                  /* read-only after creation */
    EventLoop *loop;           /* read-only after creation */
    pthread_t thread;          /* BQL */
    bool running;              /* BQL: thread started and not yet joined */
    int stopping;              /* atomic */
};

static GPtrArray *iothreads;   /* BQL: every IOThread, never shrunk */

static void *iothread_run(void *opaque)
{
    IOThread *io = opaque;

    while (!__atomic_load_n(&io->stopping, __ATOMIC_ACQUIRE)) {
        event_loop_run_once(io->loop, true);
    }
    return NULL;
}

/* BQL. */
IOThread *iothread_find(const char *id)
{
    assert(bql_locked());
    for (guint i = 0; iothreads && i < iothreads->len; i++) {
        IOThread *io = g_ptr_array_index(iothreads, i);

        if (!strcmp(io->id, id)) {
            return io;
        }
    }
    return NULL;
}

/* BQL. */
IOThread *iothread_new(const char *id, Error **errp)
{
    IOThread *io;
    EventLoop *loop;

    if (iothread_find(id)) {
        error_setg(errp, "duplicate iothread id '%s'", id);
        return NULL;
    }
    loop = event_loop_new(errp);
    if (!loop) {
        return NULL;
    }
    io = g_new0(IOThread, 1);
    io->id = g_strdup(id);
    io->loop = loop;
    if (!thread_create(&io->thread, "iothread", iothread_run, io, errp)) {
        event_loop_free(loop);
        g_free(io->id);
        g_free(io);
        return NULL;
    }
    io->running = true;
    if (!iothreads) {
        iothreads = g_ptr_array_new();
    }
    g_ptr_array_add(iothreads, io);
    return io;
}

/* Any thread. */
EventLoop *iothread_get_loop(IOThread *io)
{
    return io->loop;
}

/* BQL. */
void iothread_stop_all(void)
{
    assert(bql_locked());
    for (guint i = 0; iothreads && i < iothreads->len; i++) {
        IOThread *io = g_ptr_array_index(iothreads, i);

        if (!io->running) {
            continue;
        }
        __atomic_store_n(&io->stopping, 1, __ATOMIC_RELEASE);
        event_loop_notify(io->loop);
        /* Callbacks in the iothread may need the BQL to finish. */
        bql_unlock();
        pthread_join(io->thread, NULL);
        bql_lock(bql_cause_main_loop);
        io->running = false;
    }
}
