/*
 * log.h: the -d item,... / -D file debug log.
 *
 * Items are bits in log_mask, chosen on the command line with -d and listed
 * by "-d help".  Output goes to the -D file, or stderr.  Any thread may log;
 * each log_printf() call is written atomically with respect to other calls.
 *
 *     if (log_enabled(LOG_GUEST_ERROR)) { ... }
 *     log_guest_error("serial: write to read-only register %#x\n", reg);
 *
 * log_guest_error() is rate-limited per call site so that a misbehaving
 * guest cannot flood the host.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include "util/error.h"

enum {
    LOG_GUEST_ERROR = 1u << 0,   /* guest did something architecturally wrong */
    LOG_UNIMP       = 1u << 1,   /* guest used an unimplemented feature */
    LOG_BQL         = 1u << 2,   /* BQL hold/wait statistics at exit */
    LOG_INT         = 1u << 3,   /* interrupts and exceptions */
    LOG_EXEC        = 1u << 4,   /* each translated block executed */
    LOG_IN_ASM      = 1u << 5,   /* guest code being translated */
    LOG_OP          = 1u << 6,   /* IR before optimisation */
    LOG_OP_OPT      = 1u << 7,   /* IR after optimisation */
    LOG_OUT_ASM     = 1u << 8,   /* generated host code */
    LOG_CPU         = 1u << 9,   /* CPU state before each block */
    LOG_MMU         = 1u << 10,  /* MMU activity */
    LOG_NOCHAIN     = 1u << 11,  /* do not chain translated blocks */
    LOG_PCALL       = 1u << 12,  /* protected-mode calls and task switches */
    LOG_TRACE_DEV   = 1u << 13,  /* device register accesses */
};

/* Written once at start-up, before any thread starts; read-only after. */
extern unsigned log_mask;

/* The items that -dfilter restricts to translation blocks in range. */
#define LOG_TB_ITEMS (LOG_IN_ASM | LOG_OP | LOG_OP_OPT | LOG_OUT_ASM | \
                      LOG_EXEC | LOG_CPU)
/*
 * Set by the TCG runtime on its own thread while it translates or enters a
 * block that lies outside every -dfilter range: the LOG_TB_ITEMS are then
 * off for that thread.  Thread-local, owner thread only.
 */
extern __thread bool log_tb_filtered;

static inline bool log_enabled(unsigned mask)
{
    unsigned m = log_mask & mask;

    if (unlikely(m & LOG_TB_ITEMS) && log_tb_filtered) {
        m &= ~LOG_TB_ITEMS;
    }
    return m != 0;
}

/*
 * -dfilter RANGE[,RANGE...]: restricts the LOG_TB_ITEMS to guest code in
 * these address ranges.  A range is START..LAST (inclusive), START+LEN or
 * END-LEN (the LEN bytes ending at END, inclusive); numbers in C syntax
 * (0x.., decimal).  Replaces any earlier filter.  Start-up only.
 */
bool log_parse_dfilter(const char *str, Error **errp);
/* True if no -dfilter is set or [start, last] meets one of its ranges.
 * Any thread. */
bool log_in_dfilter(uint64_t start, uint64_t last);

/* Parses "item,item,..." into a mask; "help" is handled by the caller. */
bool log_parse_items(const char *str, unsigned *mask, Error **errp);
/* Prints every item and its description (for -d help). */
void log_list_items(FILE *f);
/* Redirects output to path (-D); returns false and sets errp on failure. */
bool log_set_file(const char *path, Error **errp);
FILE *log_file(void);

void log_printf(const char *fmt, ...) PRINTF_FMT(1, 2);
void log_vprintf(const char *fmt, va_list ap);

/* Logs if mask is enabled. */
#define log_mask_printf(mask, ...) \
    do { \
        if (log_enabled(mask)) { \
            log_printf(__VA_ARGS__); \
        } \
    } while (0)

/*
 * Rate limit: at most LOG_RATELIMIT_BURST lines per call site per second,
 * then one "suppressed N messages" line.  Any thread.
 */
typedef struct LogRateLimit {
    int64_t window_start_ns;   /* atomic */
    int count;                 /* atomic */
    int suppressed;            /* atomic */
} LogRateLimit;
#define LOG_RATELIMIT_BURST 10

bool log_ratelimit_ok(LogRateLimit *rl);

#define log_guest_error(...) \
    do { \
        static LogRateLimit rl_; \
        if (log_enabled(LOG_GUEST_ERROR) && log_ratelimit_ok(&rl_)) { \
            log_printf(__VA_ARGS__); \
        } \
    } while (0)

#define log_unimp(...) \
    do { \
        static LogRateLimit rl_; \
        if (log_enabled(LOG_UNIMP) && log_ratelimit_ok(&rl_)) { \
            log_printf(__VA_ARGS__); \
        } \
    } while (0)

#endif
