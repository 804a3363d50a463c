/*
 * log.c: the -d/-D debug log.  See util/log.h.
 *
 * The item table is the single list of what -d accepts; a subsystem that
 * adds an item adds a row here and a bit in log.h.
 */
#include "util/osdep.h"
#include "util/log.h"

unsigned log_mask;
__thread bool log_tb_filtered;

typedef struct LogRange {
    uint64_t start, last;          /* inclusive */
} LogRange;
static GArray *log_dfilter;        /* start-up only; NULL: no filter */

static FILE *log_fp;                 /* set once at start-up; NULL = stderr */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct LogItem {
    unsigned mask;
    const char *name;
    const char *help;
} LogItem;

static const LogItem log_items[] = {
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest does something invalid (rate-limited)" },
    { LOG_UNIMP,       "unimp",        "log unimplemented functionality" },
    { LOG_BQL,         "bql",          "print BQL hold and wait time per cause at exit" },
    { LOG_INT,         "int",          "show interrupts and exceptions" },
    { LOG_EXEC,        "exec",         "show each translated block before it runs" },
    { LOG_IN_ASM,      "in_asm",       "show guest code being translated" },
    { LOG_OP,          "op",           "show IR ops before optimisation" },
    { LOG_OP_OPT,      "op_opt",       "show IR ops after optimisation" },
    { LOG_OUT_ASM,     "out_asm",      "show generated host code" },
    { LOG_CPU,         "cpu",          "show CPU registers before entering a block" },
    { LOG_MMU,         "mmu",          "log MMU-related activity" },
    { LOG_NOCHAIN,     "nochain",      "do not chain translated blocks" },
    { LOG_PCALL,       "pcall",        "x86: show protected-mode far calls, returns and task switches" },
    { LOG_TRACE_DEV,   "trace_dev",    "trace device register accesses" },
};

bool log_parse_items(const char *str, unsigned *mask, Error **errp)
{
    char **items = g_strsplit(str, ",", -1);
    unsigned m = 0;
    bool ok = true;

    for (char **p = items; *p; p++) {
        size_t i;

        if (!**p) {
            continue;
        }
        if (!strcmp(*p, "all")) {
            for (i = 0; i < ARRAY_SIZE(log_items); i++) {
                if (log_items[i].mask != LOG_NOCHAIN) {
                    m |= log_items[i].mask;
                }
            }
            continue;
        }
        for (i = 0; i < ARRAY_SIZE(log_items); i++) {
            if (!strcmp(*p, log_items[i].name)) {
                m |= log_items[i].mask;
                break;
            }
        }
        if (i == ARRAY_SIZE(log_items)) {
            error_setg(errp, "-d %s: unknown log item '%s' (try -d help)", str, *p);
            ok = false;
            break;
        }
    }
    g_strfreev(items);
    if (ok) {
        *mask = m;
    }
    return ok;
}

void log_list_items(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
        fprintf(f, "%-14s %s\n", log_items[i].name, log_items[i].help);
    }
    fprintf(f, "%-14s %s\n", "all", "every item except nochain");
}

bool log_set_file(const char *path, Error **errp)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        error_setg_errno(errp, errno, "-D %s: cannot open log file", path);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_fp) {
        fclose(log_fp);
    }
    log_fp = f;
    return true;
}

FILE *log_file(void)
{
    return log_fp ? log_fp : stderr;
}

void log_vprintf(const char *fmt, va_list ap)
{
    pthread_mutex_lock(&log_lock);
    vfprintf(log_file(), fmt, ap);
    pthread_mutex_unlock(&log_lock);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(fmt, ap);
    va_end(ap);
}

bool log_ratelimit_ok(LogRateLimit *rl)
{
    int64_t now = g_get_monotonic_time() * NS_PER_US;
    int64_t start = __atomic_load_n(&rl->window_start_ns, __ATOMIC_RELAXED);

    if (now - start >= NS_PER_SEC &&
        __atomic_compare_exchange_n(&rl->window_start_ns, &start, now, false,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        int dropped = __atomic_exchange_n(&rl->suppressed, 0, __ATOMIC_RELAXED);

        __atomic_store_n(&rl->count, 0, __ATOMIC_RELAXED);
        if (dropped) {
            log_printf("(suppressed %d similar messages)\n", dropped);
        }
    }
    if (__atomic_fetch_add(&rl->count, 1, __ATOMIC_RELAXED) < LOG_RATELIMIT_BURST) {
        return true;
    }
    __atomic_fetch_add(&rl->suppressed, 1, __ATOMIC_RELAXED);
    return false;
}

static bool log_parse_u64(const char *s, size_t len, uint64_t *out)
{
    char buf[64], *end;

    if (len == 0 || len >= sizeof(buf) || s[0] == '-' || s[0] == '+' ||
        g_ascii_isspace(s[0])) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    errno = 0;
    *out = strtoull(buf, &end, 0);
    return errno == 0 && *end == 0;
}

/* One "A..B", "A+L" or "A-L". */
static bool log_parse_range(const char *r, LogRange *out)
{
    const char *dots = strstr(r, "..");
    const char *op = dots ? dots : strpbrk(r, "+-");
    uint64_t a, b;

    if (!op || op == r) {
        return false;
    }
    if (!log_parse_u64(r, op - r, &a) ||
        !log_parse_u64(op + (dots ? 2 : 1), strlen(op + (dots ? 2 : 1)), &b)) {
        return false;
    }
    if (dots) {
        if (b < a) {
            return false;
        }
        out->start = a;
        out->last = b;
    } else if (*op == '+') {
        if (b == 0 || b - 1 > UINT64_MAX - a) {
            return false;
        }
        out->start = a;
        out->last = a + (b - 1);
    } else {
        if (b == 0 || b - 1 > a) {
            return false;
        }
        out->start = a - (b - 1);
        out->last = a;
    }
    return true;
}

bool log_parse_dfilter(const char *str, Error **errp)
{
    char **items = g_strsplit(str, ",", -1);
    GArray *ranges = g_array_new(false, false, sizeof(LogRange));
    bool ok = items[0] != NULL;

    for (char **p = items; ok && *p; p++) {
        LogRange r;

        if (!log_parse_range(*p, &r)) {
            error_setg(errp, "-dfilter: bad range '%s' (expected START..LAST, "
                       "START+LEN or END-LEN)", *p);
            ok = false;
            break;
        }
        g_array_append_val(ranges, r);
    }
    if (items[0] == NULL) {
        error_setg(errp, "-dfilter: empty range list");
    }
    g_strfreev(items);
    if (!ok) {
        g_array_free(ranges, true);
        return false;
    }
    if (log_dfilter) {
        g_array_free(log_dfilter, true);
    }
    log_dfilter = ranges;
    return true;
}

bool log_in_dfilter(uint64_t start, uint64_t last)
{
    if (!log_dfilter) {
        return true;
    }
    for (guint i = 0; i < log_dfilter->len; i++) {
        LogRange *r = &g_array_index(log_dfilter, LogRange, i);

        if (start <= r->last && last >= r->start) {
            return true;
        }
    }
    return false;
}
