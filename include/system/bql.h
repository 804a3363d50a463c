/*
 * bql.h: the big lock, and the measurement that keeps it honest.
 *
 * The BQL protects machine state, runstate, the main loop, changes to the
 * memory map and every device that has not been converted to its own lock
 * (ARCHITECTURE.md §1).  Guest code never runs under it.
 *
 * Every acquisition names a cause, so that hold and wait time can be
 * attributed ("-d bql" prints the table at exit, "info bql" in the monitor):
 *
 *     static BqlStat *cause;              // interned once, used many times
 *     if (!cause) cause = bql_stat("device:serial");
 *     bql_lock(cause);
 *     ...                                 // touch unconverted state
 *     bql_unlock();
 *
 * The common causes are predefined: bql_cause_main_loop, bql_cause_vcpu,
 * bql_cause_exception, bql_cause_hypercall, bql_cause_halt, bql_cause_init.
 *
 * There are no recursive or "lock if not held" forms: the lock is taken and
 * released in one named function at each boundary, and those functions
 * assert bql_locked() / !bql_locked() on entry.
 */
#ifndef SYSTEM_BQL_H
#define SYSTEM_BQL_H

typedef struct BqlStat BqlStat;

/* Returns the statistics slot for cause, creating it once.  Any thread. */
BqlStat *bql_stat(const char *cause);

extern BqlStat *bql_cause_main_loop;
extern BqlStat *bql_cause_vcpu;       /* vCPU loop bookkeeping */
extern BqlStat *bql_cause_exception;  /* exception/interrupt delivery */
extern BqlStat *bql_cause_hypercall;
extern BqlStat *bql_cause_halt;       /* halt and wait for work */
extern BqlStat *bql_cause_init;       /* machine creation and teardown */
extern BqlStat *bql_cause_monitor;

/* Takes the BQL for cause; the caller must not hold it.  Any thread. */
void bql_lock(BqlStat *cause);
/* Releases the BQL; the caller must hold it. */
void bql_unlock(void);
/* True if the calling thread holds the BQL. */
bool bql_locked(void);

/*
 * Waits on cond, releasing the BQL meanwhile; the time spent waiting does not
 * count as hold time.  timeout_ns < 0 waits forever.  Returns false on
 * timeout.  Called with the BQL held.
 */
bool bql_cond_wait(pthread_cond_t *cond, int64_t timeout_ns);

/* Prints hold and wait totals per cause, with each as a share of uptime. */
void bql_stats_dump(FILE *f);
/* Hold and wait times are measured only while on (default on; the front
 * end leaves it on only for -d bql).  Main thread, before other threads
 * exist. */
void bql_set_timing(bool on);
/* Totals for tests: hold_ns and wait_ns summed over all causes of name. */
void bql_stats_get(const char *cause, uint64_t *count, uint64_t *hold_ns,
                   uint64_t *wait_ns);

#endif
