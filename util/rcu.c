/*
 * rcu.c: thin wrappers over liburcu-memb.  See system/rcu.h.
 *
 * ThreadSanitizer does not see inside liburcu, so the happens-before edge a
 * grace period provides (every read section that began before it has ended)
 * is made visible with an explicit release in rcu_read_unlock() and an
 * acquire after each grace period.  The read side itself is inline in
 * system/rcu.h.
 */
#include "util/osdep.h"
#include "system/rcu.h"

#ifdef CONFIG_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char rcu_tsan_token;
#define TSAN_RELEASE() __tsan_release(&rcu_tsan_token)
#define TSAN_ACQUIRE() __tsan_acquire(&rcu_tsan_token)
#else
#define TSAN_RELEASE() do { } while (0)
#define TSAN_ACQUIRE() do { } while (0)
#endif

typedef struct RcuCallWrap {
    struct rcu_head head;
    RcuHead *user;
    RcuCallbackFn *fn;
} RcuCallWrap;

void rcu_register_thread(void)
{
    urcu_memb_register_thread();
}

void rcu_unregister_thread(void)
{
    urcu_memb_unregister_thread();
}

#ifdef CONFIG_TSAN
void rcu_tsan_read_unlock(void)
{
    TSAN_RELEASE();
}
#endif

void synchronize_rcu(void)
{
    urcu_memb_synchronize_rcu();
    TSAN_ACQUIRE();
}

static void rcu_call_trampoline(struct rcu_head *head)
{
    RcuCallWrap *w = container_of(head, RcuCallWrap, head);

    TSAN_ACQUIRE();
    w->fn(w->user);
    g_free(w);
}

void rcu_call(RcuHead *head, RcuCallbackFn *fn)
{
    RcuCallWrap *w = g_new0(RcuCallWrap, 1);

    w->user = head;
    w->fn = fn;
    TSAN_RELEASE();
    urcu_memb_call_rcu(&w->head, rcu_call_trampoline);
}

void rcu_barrier(void)
{
    urcu_memb_barrier();
}
