/*
 * thread.h: creating named host threads.
 *
 * Every Tandem thread has a name visible in "ps -T" and gdb ("main",
 * "CPU 0/TCG", "CPU 1/KVM", "iothread", ...), is registered with RCU and
 * blocks the signals the main thread handles.
 *
 *     pthread_t t;
 *     thread_create(&t, "iothread", iothread_run, s, &err);
 */
#ifndef UTIL_THREAD_H
#define UTIL_THREAD_H

#include "util/error.h"

typedef void *ThreadFn(void *opaque);

/* Starts fn(opaque) in a new thread called name (at most 15 characters). */
bool thread_create(pthread_t *thread, const char *name, ThreadFn *fn,
                   void *opaque, Error **errp);
/* Names the calling thread. */
void thread_set_name(const char *name);

#endif
