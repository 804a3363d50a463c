/*
 * error.c: Error objects and one-line user reports.  See util/error.h.
 */
#include "util/osdep.h"
#include "util/error.h"

struct Error {
    char *msg;
};

const char *prog_name = "tandem";

/* Sentinels: their addresses are compared, their contents never used. */
static Error fatal_sentinel, abort_sentinel;
Error *error_fatal = &fatal_sentinel;
Error *error_abort = &abort_sentinel;

static void error_deliver(Error **errp, char *msg)
{
    if (errp == &error_fatal) {
        fprintf(stderr, "%s: %s\n", prog_name, msg);
        g_free(msg);
        exit(1);
    }
    if (errp == &error_abort) {
        fprintf(stderr, "%s: unexpected error: %s\n", prog_name, msg);
        abort();
    }
    if (!errp || *errp) {
        /* Ignored, or the first error wins. */
        g_free(msg);
        return;
    }
    *errp = g_new0(Error, 1);
    (*errp)->msg = msg;
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_deliver(errp, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_deliver(errp, g_strdup_printf("%s: %s", msg, g_strerror(os_errno)));
    g_free(msg);
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    if (!errp || !*errp || errp == &error_fatal || errp == &error_abort) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_propagate(Error **dst, Error *local)
{
    if (!local) {
        return;
    }
    if (dst == &error_fatal || dst == &error_abort) {
        char *msg = local->msg;
        g_free(local);
        error_deliver(dst, msg);
        return;
    }
    if (!dst || *dst) {
        error_free(local);
        return;
    }
    *dst = local;
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        g_free(err);
    }
}

void error_report_err(Error *err)
{
    fprintf(stderr, "%s: %s\n", prog_name, err->msg);
    error_free(err);
}

static void report(const char *kind, const char *fmt, va_list ap)
{
    char *msg = g_strdup_vprintf(fmt, ap);

    fprintf(stderr, "%s: %s%s\n", prog_name, kind, msg);
    g_free(msg);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void fatal_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
    exit(1);
}
