/*
 * runtime.h: the freestanding runtime every x86 guest test program links
 * with (tests/tcg/x86_64/runtime/).  See docs/devel/x86-guest-tests.md.
 *
 * A guest is a multiboot v1 kernel built with the host gcc, 32-bit
 * (crt0-32.S) or 64-bit (crt0-64.S: a long-mode trampoline before main).
 * crt0 calls main(magic, info) with the multiboot registers; main reports
 * TAP over COM1 with the tap_* functions and returns; crt0 then calls
 * tap_exit(), which writes the verdict to isa-debug-exit (port 0xf4):
 * 0 when every test passed and the plan was met, 1 otherwise.  The
 * emulator exits with status (v << 1) | 1, so a passing guest makes the
 * emulator exit with status 1 and a failing one with status 3.
 *
 * Everything runs on one CPU at CPL 0 with interrupts disabled.
 */
#ifndef X86_GUEST_RUNTIME_H
#define X86_GUEST_RUNTIME_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define COM1_BASE        0x3f8
#define DEBUG_EXIT_PORT  0xf4

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* libc subset (libc.c) */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void serial_putc(char c);
void serial_puts(const char *s);
/* %d %i %u %x %X %c %s %p %%, with l/ll/z, '0' flag and width. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* TAP (tap.c) */
void tap_plan(int n);
bool tap_ok(bool cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes the verdict to isa-debug-exit and halts; never returns. */
void tap_exit(void) __attribute__((noreturn));
void exit_with(uint32_t code) __attribute__((noreturn));

/* Called by crt0 with EAX/EBX as the loader left them. */
int main(uint32_t magic, uint32_t info);

#endif
