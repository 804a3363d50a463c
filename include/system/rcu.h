/*
 * rcu.h: read-copy-update, provided by liburcu (the "memb" flavour).
 *
 * Readers (any registered thread) bracket lookups with rcu_read_lock() /
 * rcu_read_unlock() and load published pointers with rcu_load().  Writers
 * build a new copy, publish it with rcu_publish(), and free the old one after
 * a grace period: synchronize_rcu() (blocking; never with the BQL held by a
 * thread that readers may wait on) or rcu_call() (asynchronous).
 *
 *     rcu_read_lock();
 *     FlatView *fv = rcu_load(&as->current_map);
 *     ... use fv ...
 *     rcu_read_unlock();
 *
 * Every thread that reads must call rcu_register_thread() first (the thread
 * helpers in util/thread.h do this).  Our own wrappers, rather than liburcu's
 * rcu_dereference/rcu_assign_pointer, use C11 acquire/release atomics, so
 * ThreadSanitizer sees the publication order; grace periods are annotated
 * for TSan in util/rcu.c.
 */
#ifndef SYSTEM_RCU_H
#define SYSTEM_RCU_H

#include <urcu/urcu-memb.h>
/*
 * The read side is liburcu's own inline code (the static header its
 * _LGPL_SOURCE mode uses) rather than a call into the shared library: from
 * the executable the thread's reader slot is a fixed offset from the
 * thread pointer, where the library's function goes through its PLT and
 * __tls_get_addr.  Every device access takes a read section, and on a KVM
 * exit each call and page counts (docs/devel/kvm.md, "The cost of an
 * exit").  The protocol and the grace-period side are the library's,
 * unchanged.  liburcu allows its static read side only in LGPL-2.1
 * compatible code, which Tandem's licence must therefore be.
 */
#include <urcu/static/urcu-memb.h>

typedef struct rcu_head RcuHead;
typedef void RcuCallbackFn(RcuHead *head);

void rcu_register_thread(void);
void rcu_unregister_thread(void);

#ifdef CONFIG_TSAN
/* The happens-before edge of a read section's end (util/rcu.c). */
void rcu_tsan_read_unlock(void);
#endif

static inline void rcu_read_lock(void)
{
    _urcu_memb_read_lock();
}

static inline void rcu_read_unlock(void)
{
#ifdef CONFIG_TSAN
    rcu_tsan_read_unlock();
#endif
    _urcu_memb_read_unlock();
}

/* Waits for every reader that started before the call. */
void synchronize_rcu(void);
/* Runs fn(head) on liburcu's callback thread after a grace period. */
void rcu_call(RcuHead *head, RcuCallbackFn *fn);
/* Waits until every rcu_call() callback queued so far has run. */
void rcu_barrier(void);

#define rcu_load(pp)        __atomic_load_n((pp), __ATOMIC_ACQUIRE)
#define rcu_publish(pp, v)  __atomic_store_n((pp), (v), __ATOMIC_RELEASE)

#endif
