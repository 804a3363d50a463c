/*
 * bql.c: the big lock with per-cause hold/wait accounting.  See system/bql.h.
 *
 * Accounting: bql_lock() measures the time from the call until the mutex is
 * ours (wait) and remembers the cause and the acquisition time in
 * bql_holder/bql_acquired_ns, which are themselves protected by the BQL.
 * bql_unlock() and bql_cond_wait() add the elapsed hold time to that cause.
 * The counters are atomics so that a dump may read them from any thread.
 * An uncontended acquisition (trylock succeeds) has no wait and reads the
 * clock once.  The times are taken only while bql_timing is on (the
 * default; the front end turns it off unless -d bql asks for the table):
 * two clock reads per lock section are a measurable part of a KVM exit to
 * a device that needs the BQL.  The counts are always kept.  Lock and
 * unlock are on the path of every device access from a vCPU, so they are
 * marked hot (grouped in .text.hot with the rest of that path: see
 * docs/devel/kvm.md, "The cost of an exit").
 */
#include "util/osdep.h"
#include "system/bql.h"

struct BqlStat {
    const char *name;
    uint64_t count;      /* atomic */
    uint64_t hold_ns;    /* atomic */
    uint64_t wait_ns;    /* atomic */
    BqlStat *next;       /* protected by stat_lock; never removed */
};

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;
static BqlStat *bql_holder;          /* BQL */
static int64_t bql_acquired_ns;      /* BQL */
/* Set before any thread but the main one exists; read-only after. */
static bool bql_timing = true;

static pthread_mutex_t stat_lock = PTHREAD_MUTEX_INITIALIZER;
static BqlStat *stat_list;           /* stat_lock; readers use atomics */
static int64_t bql_epoch_ns;         /* set by the first bql_stat() */

BqlStat *bql_cause_main_loop;
BqlStat *bql_cause_vcpu;
BqlStat *bql_cause_exception;
BqlStat *bql_cause_hypercall;
BqlStat *bql_cause_halt;
BqlStat *bql_cause_init;
BqlStat *bql_cause_monitor;

__attribute__((hot))
static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

BqlStat *bql_stat(const char *cause)
{
    BqlStat *s;

    pthread_mutex_lock(&stat_lock);
    if (!bql_epoch_ns) {
        bql_epoch_ns = now_ns();
    }
    for (s = stat_list; s; s = s->next) {
        if (!strcmp(s->name, cause)) {
            break;
        }
    }
    if (!s) {
        s = g_new0(BqlStat, 1);
        s->name = g_strdup(cause);
        s->next = stat_list;
        __atomic_store_n(&stat_list, s, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&stat_lock);
    return s;
}

__attribute__((constructor)) static void bql_init_causes(void)
{
    bql_cause_main_loop = bql_stat("main-loop");
    bql_cause_vcpu = bql_stat("vcpu-loop");
    bql_cause_exception = bql_stat("exception");
    bql_cause_hypercall = bql_stat("hypercall");
    bql_cause_halt = bql_stat("halt");
    bql_cause_init = bql_stat("init");
    bql_cause_monitor = bql_stat("monitor");
}

__attribute__((hot))
void bql_lock(BqlStat *cause)
{
    int64_t t0 = 0, t1 = 0;

    assert(!bql_held);
    assert(cause);
    if (pthread_mutex_trylock(&bql) != 0) {
        t0 = bql_timing ? now_ns() : 0;
        pthread_mutex_lock(&bql);
        t1 = bql_timing ? now_ns() : 0;
    } else if (bql_timing) {
        t0 = t1 = now_ns();         /* uncontended: no wait to time */
    }
    bql_held = true;
    bql_holder = cause;
    bql_acquired_ns = t1;
    __atomic_fetch_add(&cause->count, 1, __ATOMIC_RELAXED);
    if (bql_timing) {
        __atomic_fetch_add(&cause->wait_ns, t1 - t0, __ATOMIC_RELAXED);
    }
}

__attribute__((hot))
static void bql_account_hold(void)
{
    if (!bql_timing) {
        return;
    }
    __atomic_fetch_add(&bql_holder->hold_ns, now_ns() - bql_acquired_ns,
                       __ATOMIC_RELAXED);
}

__attribute__((hot))
void bql_unlock(void)
{
    assert(bql_held);
    bql_account_hold();
    bql_holder = NULL;
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

__attribute__((hot))
bool bql_locked(void)
{
    return bql_held;
}

bool bql_cond_wait(pthread_cond_t *cond, int64_t timeout_ns)
{
    BqlStat *cause = bql_holder;
    int r = 0;

    assert(bql_held);
    bql_account_hold();
    bql_held = false;
    if (timeout_ns < 0) {
        pthread_cond_wait(cond, &bql);
    } else {
        struct timespec ts;
        int64_t deadline;

        clock_gettime(CLOCK_REALTIME, &ts);
        deadline = ts.tv_sec * NS_PER_SEC + ts.tv_nsec + timeout_ns;
        ts.tv_sec = deadline / NS_PER_SEC;
        ts.tv_nsec = deadline % NS_PER_SEC;
        r = pthread_cond_timedwait(cond, &bql, &ts);
    }
    bql_held = true;
    bql_holder = cause;
    bql_acquired_ns = now_ns();
    return r != ETIMEDOUT;
}

void bql_stats_get(const char *cause, uint64_t *count, uint64_t *hold_ns,
                   uint64_t *wait_ns)
{
    BqlStat *s;

    *count = *hold_ns = *wait_ns = 0;
    for (s = __atomic_load_n(&stat_list, __ATOMIC_ACQUIRE); s; s = s->next) {
        if (!strcmp(s->name, cause)) {
            *count += __atomic_load_n(&s->count, __ATOMIC_RELAXED);
            *hold_ns += __atomic_load_n(&s->hold_ns, __ATOMIC_RELAXED);
            *wait_ns += __atomic_load_n(&s->wait_ns, __ATOMIC_RELAXED);
        }
    }
}

/* Main thread, before other threads exist. */
void bql_set_timing(bool on)
{
    bql_timing = on;
}

void bql_stats_dump(FILE *f)
{
    int64_t uptime = now_ns() - bql_epoch_ns;
    uint64_t tot_hold = 0, tot_wait = 0;

    if (uptime <= 0) {
        uptime = 1;
    }
    fprintf(f, "BQL statistics over %.3f s:\n", uptime / 1e9);
    fprintf(f, "%-24s %10s %14s %8s %14s %8s\n",
            "cause", "count", "hold_ns", "hold%", "wait_ns", "wait%");
    for (BqlStat *s = __atomic_load_n(&stat_list, __ATOMIC_ACQUIRE); s; s = s->next) {
        uint64_t count = __atomic_load_n(&s->count, __ATOMIC_RELAXED);
        uint64_t hold = __atomic_load_n(&s->hold_ns, __ATOMIC_RELAXED);
        uint64_t wait = __atomic_load_n(&s->wait_ns, __ATOMIC_RELAXED);

        if (!count) {
            continue;
        }
        tot_hold += hold;
        tot_wait += wait;
        fprintf(f, "%-24s %10" PRIu64 " %14" PRIu64 " %7.3f%% %14" PRIu64 " %7.3f%%\n",
                s->name, count, hold, 100.0 * hold / uptime,
                wait, 100.0 * wait / uptime);
    }
    fprintf(f, "%-24s %10s %14" PRIu64 " %7.3f%% %14" PRIu64 " %7.3f%%\n",
            "total", "", tot_hold, 100.0 * tot_hold / uptime,
            tot_wait, 100.0 * tot_wait / uptime);
}
