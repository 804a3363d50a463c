/*
 * libc.c: the little C library guest test programs use: memory and string
 * functions (gcc may also emit calls to memcpy/memset/memmove/memcmp
 * itself), polled 16550 output on COM1, and a printf with the formats the
 * tests need.  64-bit division is done by hand (div10) so that 32-bit
 * guests need no libgcc.  Single CPU, interrupts off: no locking.
 */
#include "runtime.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d < s) {
        return memcpy(dst, src, n);
    }
    while (n--) {
        d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--) {
        *d++ = c;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] - y[i];
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (uint8_t)*a - (uint8_t)*b;
}

/* 16550: wait for THR empty (LSR bit 5), then write. */
void serial_putc(char c)
{
    static bool started;

    /* Start on a fresh line: firmware of the reference emulator may have
     * left its last message unterminated, and TAP lines must begin a line. */
    if (!started) {
        started = true;
        serial_putc('\n');
    }
    if (c == '\n') {
        serial_putc('\r');
    }
    for (int spin = 0; spin < 100000; spin++) {
        if (inb(COM1_BASE + 5) & 0x20) {
            break;
        }
    }
    outb(COM1_BASE, c);
}

void serial_puts(const char *s)
{
    while (*s) {
        serial_putc(*s++);
    }
}

/* Divides *v by 10 in place and returns the remainder, with 32-bit
 * arithmetic only (no __udivdi3). */
static unsigned div10(uint64_t *v)
{
    uint32_t hi = *v >> 32, lo = *v;
    uint32_t qhi = hi / 10, r = hi % 10;
    uint64_t q = (uint64_t)qhi << 32;

    for (int i = 31; i >= 0; i--) {
        r = (r << 1) | ((lo >> i) & 1);
        if (r >= 10) {
            r -= 10;
            q |= 1u << i;
        }
    }
    *v = q;
    return r;
}

typedef struct Out {
    char *buf;
    size_t size, len;
} Out;

static void out_c(Out *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len] = c;
    }
    o->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    Out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        char digits[24], pad = ' ';
        int width = 0, lng = 0, n = 0;
        uint64_t v;
        bool neg = false;
        const char *s;

        if (*fmt != '%') {
            out_c(&o, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + *fmt++ - '0';
        }
        while (*fmt == 'l' || *fmt == 'z') {
            lng += *fmt == 'z' ? (sizeof(size_t) == 8 ? 2 : 0) : 1;
            fmt++;
        }
        switch (*fmt) {
        case 'c':
            out_c(&o, va_arg(ap, int));
            continue;
        case 's':
            s = va_arg(ap, const char *);
            s = s ? s : "(null)";
            for (int l = strlen(s); l < width; l++) {
                out_c(&o, ' ');
            }
            while (*s) {
                out_c(&o, *s++);
            }
            continue;
        case '%':
            out_c(&o, '%');
            continue;
        case 'p':
            v = (uintptr_t)va_arg(ap, void *);
            out_c(&o, '0');
            out_c(&o, 'x');
            goto hex;
        case 'd':
        case 'i': {
            int64_t sv = lng >= 2 ? va_arg(ap, long long)
                       : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            neg = sv < 0;
            v = neg ? -(uint64_t)sv : (uint64_t)sv;
            goto dec;
        }
        case 'u':
            v = lng >= 2 ? va_arg(ap, unsigned long long)
              : lng == 1 ? va_arg(ap, unsigned long)
              : va_arg(ap, unsigned int);
        dec:
            do {
                digits[n++] = '0' + div10(&v);
            } while (v);
            if (neg) {
                digits[n++] = '-';
            }
            goto emit;
        case 'x':
        case 'X':
            v = lng >= 2 ? va_arg(ap, unsigned long long)
              : lng == 1 ? va_arg(ap, unsigned long)
              : va_arg(ap, unsigned int);
        hex:
            do {
                digits[n++] = "0123456789abcdef"[v & 15];
                v >>= 4;
            } while (v);
        emit:
            for (int i = n; i < width; i++) {
                out_c(&o, pad);
            }
            while (n) {
                out_c(&o, digits[--n]);
            }
            continue;
        default:
            out_c(&o, '%');
            out_c(&o, *fmt);
            if (!*fmt) {
                fmt--;
            }
            continue;
        }
    }
    if (size) {
        buf[o.len < size ? o.len : size - 1] = 0;
    }
    return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    serial_puts(buf);
    return n;
}
