/*
 * error.h: propagating host and configuration failures to the user.
 *
 * Tandem separates three tiers of failure (STYLE.md "Errors"):
 *   1. our own bugs: assert(), always compiled in;
 *   2. host or configuration failures: an Error, reported as one line;
 *   3. guest faults: architectural exceptions, never an Error.
 *
 * This header is tier 2.  A function that can fail takes "Error **errp" as
 * its last argument, fills it with error_setg() and returns false, NULL or
 * -errno.  The caller either propagates it or reports it:
 *
 *     Error *err = NULL;
 *     if (!chardev_new_from_opts("socket,id=s0,path=/nope", &err)) {
 *         error_report_err(err);      // "tandem: ... : No such file ..."
 *         exit(1);
 *     }
 *
 * Passing &error_fatal reports the error and exits with status 1;
 * &error_abort turns it into an assertion (for "cannot fail" calls).
 * errp may be NULL to ignore the error.  Any thread.
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

typedef struct Error Error;

extern Error *error_fatal;
extern Error *error_abort;

void error_setg(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Appends ": strerror(os_errno)" to the message. */
void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
    PRINTF_FMT(3, 4);
/* Prepends "prefix" to an error already set; no-op if errp or *errp NULL. */
void error_prepend(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Moves local into dst (or frees it if dst is NULL or already set). */
void error_propagate(Error **dst, Error *local);
const char *error_get_pretty(const Error *err);
void error_free(Error *err);
/* Prints "tandem: <message>" on stderr and frees err. */
void error_report_err(Error *err);

/* One line on stderr, prefixed with the program name. */
void error_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void warn_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void info_report(const char *fmt, ...) PRINTF_FMT(1, 2);

/* Reports and exits with status 1: for top-level user-input failures. */
NORETURN void fatal_error(const char *fmt, ...) PRINTF_FMT(1, 2);

#endif
