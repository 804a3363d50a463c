/*
 * iothread.h: threads that run their own EventLoop, without the BQL.
 *
 * Devices that process I/O outside the BQL (virtio queues, ARCHITECTURE.md
 * §7) put their fd handlers, bottom halves and timers on an iothread's
 * loop; those callbacks run in the iothread (thread name "iothread") and
 * must take whatever lock protects the state they touch.
 *
 *     IOThread *io = iothread_new("io0", &err);     // -object iothread,id=io0
 *     EventLoop *loop = iothread_get_loop(io);
 *     s->bh = bh_new(loop, process_queue, s);       // runs in "iothread"
 *
 * iothread_new/iothread_find/iothread_stop_all are called with the BQL held
 * (machine creation and shutdown).  Iothreads are never destroyed one by
 * one: iothread_stop_all stops and joins every one at shutdown, and their
 * loops stay allocated (devices may still hold BHs and timers on them).
 */
#ifndef SYSTEM_IOTHREAD_H
#define SYSTEM_IOTHREAD_H

#include "system/main-loop.h"

typedef struct IOThread IOThread;

/* Starts an iothread; fails on a duplicate id or if no thread can be made. */
IOThread *iothread_new(const char *id, Error **errp);
EventLoop *iothread_get_loop(IOThread *iothread);
/* NULL if no iothread has that id. */
IOThread *iothread_find(const char *id);
/* Stops and joins every iothread; idempotent. */
void iothread_stop_all(void);

#endif
