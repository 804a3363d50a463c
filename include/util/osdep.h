/*
 * osdep.h: the first include of every Tandem C file.
 *
 * It pulls in the C library and GLib, the build configuration, and the few
 * basic types every subsystem shares: guest physical addresses (hwaddr) and
 * helpers for alignment and containment.  Nothing target-specific lives here.
 */
#ifndef UTIL_OSDEP_H
#define UTIL_OSDEP_H

#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>

#include <glib.h>

/* A guest physical address, or an offset within a MemoryRegion. */
typedef uint64_t hwaddr;
#define HWADDR_MAX UINT64_MAX
#define HWADDR_PRIx PRIx64

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ROUND_UP(n, d)   (((n) + (d) - 1) & -(0 ? (n) : (d)))
#define ROUND_DOWN(n, d) ((n) & -(0 ? (n) : (d)))
#define IS_ALIGNED(n, d) (((n) & ((d) - 1)) == 0)

#define NORETURN __attribute__((noreturn))
#define PRINTF_FMT(a, b) __attribute__((format(gnu_printf, a, b)))
#define WARN_UNUSED __attribute__((warn_unused_result))

/* Nanoseconds per second and friends, for timeouts written with units. */
#define NS_PER_US  1000LL
#define NS_PER_MS  1000000LL
#define NS_PER_SEC 1000000000LL

/* The program name used as the prefix of every user-facing message. */
extern const char *prog_name;

#endif
