/*
 * rep-bulk.c: REP MOVS and REP STOS in the cases where tandem's bulk path
 * (target/i386/rep_helper.c, whole pages at once) must give exactly what
 * the element-by-element definition gives: every element size, odd
 * lengths, starts and ends in the middle of pages and across several
 * pages, a destination that overlaps the source from above (the pattern
 * replicates) and from below, DF = 1 (backwards, the element path), a
 * count of zero, and rSI/rDI/rCX afterwards.  The expected bytes come from
 * a plain C loop over the same definition.  Built 32- and 64-bit.
 */
#include "runtime.h"

#define AREA 20480
static uint8_t area[AREA] __attribute__((aligned(4096)));
static uint8_t expect[AREA] __attribute__((aligned(4096)));

static void fill(uint8_t *p, uint32_t seed)
{
    for (int i = 0; i < AREA; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

/* The definition: element by element, forwards or backwards. */
static void ref_movs(uint8_t *mem, size_t d, size_t s, size_t n, int size,
                     bool down)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t tmp[8];

        memcpy(tmp, mem + s, size);
        memcpy(mem + d, tmp, size);
        d += down ? -size : size;
        s += down ? -size : size;
    }
}

static void ref_stos(uint8_t *mem, size_t d, uint64_t v, size_t n, int size)
{
    for (size_t i = 0; i < n; i++) {
        memcpy(mem + d + i * size, &v, size);
    }
}

typedef struct Regs {
    uintptr_t si, di, cx;
} Regs;

static Regs do_movs(void *d, const void *s, size_t n, int size, bool down)
{
    Regs r = { (uintptr_t)s, (uintptr_t)d, n };

    if (down) {
        __asm__ volatile("std");
    }
    switch (size) {
    case 1:
        __asm__ volatile("rep movsb" : "+S"(r.si), "+D"(r.di), "+c"(r.cx) : : "memory");
        break;
    case 2:
        __asm__ volatile("rep movsw" : "+S"(r.si), "+D"(r.di), "+c"(r.cx) : : "memory");
        break;
    case 4:
        __asm__ volatile("rep movsl" : "+S"(r.si), "+D"(r.di), "+c"(r.cx) : : "memory");
        break;
#ifdef __x86_64__
    case 8:
        __asm__ volatile("rep movsq" : "+S"(r.si), "+D"(r.di), "+c"(r.cx) : : "memory");
        break;
#endif
    }
    __asm__ volatile("cld");
    return r;
}

static Regs do_stos(void *d, uintptr_t v, size_t n, int size)
{
    Regs r = { 0, (uintptr_t)d, n };

    switch (size) {
    case 1:
        __asm__ volatile("rep stosb" : "+D"(r.di), "+c"(r.cx) : "a"(v) : "memory");
        break;
    case 2:
        __asm__ volatile("rep stosw" : "+D"(r.di), "+c"(r.cx) : "a"(v) : "memory");
        break;
    case 4:
        __asm__ volatile("rep stosl" : "+D"(r.di), "+c"(r.cx) : "a"(v) : "memory");
        break;
#ifdef __x86_64__
    case 8:
        __asm__ volatile("rep stosq" : "+D"(r.di), "+c"(r.cx) : "a"(v) : "memory");
        break;
#endif
    }
    return r;
}

static void check_movs(size_t d, size_t s, size_t n, int size, bool down,
                       const char *what)
{
    Regs r;
    long step = down ? -(long)size : size;

    fill(area, (uint32_t)(d * 7 + s * 13 + n + size));
    memcpy(expect, area, AREA);
    ref_movs(expect, d, s, n, size, down);
    r = do_movs(area + d, area + s, n, size, down);
    tap_ok(!memcmp(area, expect, AREA) && r.cx == 0 &&
           r.si == (uintptr_t)(area + s + step * (long)n) &&
           r.di == (uintptr_t)(area + d + step * (long)n),
           "rep movs%d %s: dst +%u src +%u count %u", size * 8, what,
           (unsigned)d, (unsigned)s, (unsigned)n);
}

static void check_stos(size_t d, size_t n, int size, const char *what)
{
    uintptr_t v = (uintptr_t)0x8877665544332211ull;
    Regs r;

    fill(area, (uint32_t)(d * 3 + n + size));
    memcpy(expect, area, AREA);
    ref_stos(expect, d, v, n, size);
    r = do_stos(area + d, v, n, size);
    tap_ok(!memcmp(area, expect, AREA) && r.cx == 0 &&
           r.di == (uintptr_t)(area + d + (size_t)size * n),
           "rep stos%d %s: dst +%u count %u", size * 8, what, (unsigned)d,
           (unsigned)n);
}

int main(uint32_t magic, uint32_t info)
{
    static const int sizes[] = { 1, 2, 4, 8 };
    int nsizes = sizeof(void *) == 8 ? 4 : 3;

    tap_plan(nsizes * 8 + 2);
    for (int k = 0; k < nsizes; k++) {
        int sz = sizes[k];

        check_movs(8192 + 5, 3, 9000 / sz, sz, false, "disjoint, unaligned, 3 pages");
        check_movs(4096 - 3, 12288 + 1, 4100 / sz, sz, false, "element straddling pages");
        check_movs(100 + sz, 100, 5000 / sz, sz, false, "dst just above src (replicates)");
        check_movs(1000, 1000 + 3 * sz, 6000 / sz, sz, false, "dst below src, overlapping");
        check_movs(16000, 9000, 3000 / sz, sz, true, "DF=1, backwards");
        check_movs(40, 4000, 0, sz, false, "count 0");
        check_stos(4096 - 1, 10000 / sz, sz, "from a page's last byte, 3 pages");
        check_stos(12345, 7 , sz, "short");
    }
    {
        /* The same bytes through memcpy-sized chunks of a big copy. */
        Regs r;

        fill(area, 99);
        memcpy(expect, area, AREA);
        ref_movs(expect, 10240, 0, 10240, 1, false);
        r = do_movs(area + 10240, area, 10240, 1, false);
        tap_ok(!memcmp(area, expect, AREA) && r.cx == 0,
               "rep movsb of 10 KiB between page-aligned buffers");
        ref_stos(expect, 0, 0, AREA, 1);
        r = do_stos(area, 0, AREA, 1);
        tap_ok(!memcmp(area, expect, AREA) && r.di == (uintptr_t)(area + AREA),
               "rep stosb zeroes 20 KiB");
    }
    return 0;
}
