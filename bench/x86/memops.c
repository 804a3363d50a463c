/*
 * memops.c: a memcpy/memset-heavy loop.  Each round fills and copies
 * blocks of many sizes and alignments between two 64 KiB buffers with
 * the three kinds of routine guest code uses: `rep stosb`/`rep movsq` +
 * `rep movsb` (what libc and kernels use for large blocks), a 64-bit word
 * loop, and a byte loop (short and unaligned tails).  See bench.h.
 */
#include "bench.h"

const char bench_name[] = "memops";
const uint32_t bench_default_n = 9000;

#define BUF_LEN 65536
static uint8_t src[BUF_LEN], dst[BUF_LEN];

static void copy_rep(void *d, const void *s, size_t n)
{
    size_t q = n / 8, r = n % 8;

    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
}

static void set_rep(void *d, uint8_t c, size_t n)
{
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
}

static void copy_words(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n >= 8) {
        uint64_t v;
        __builtin_memcpy(&v, s, 8);
        __builtin_memcpy(d, &v, 8);
        d += 8;
        s += 8;
        n -= 8;
    }
    while (n--) {
        *(volatile uint8_t *)d++ = *s++;
    }
}

static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n--) {
        *(volatile uint8_t *)d++ = *s++;
    }
}

static void set_words(uint8_t *d, uint8_t c, size_t n)
{
    uint64_t v = 0x0101010101010101ull * c;

    while (n >= 8) {
        __builtin_memcpy(d, &v, 8);
        d += 8;
        n -= 8;
    }
    while (n--) {
        *(volatile uint8_t *)d++ = c;
    }
}

uint32_t bench_run(uint32_t n)
{
    uint32_t seed = 7, h = 0;

    for (uint32_t i = 0; i < BUF_LEN; i++) {
        src[i] = (uint8_t)(bench_lcg(&seed) >> 24);
    }
    for (uint32_t r = 0; r < n; r++) {
        uint32_t so = r % 61, doff = (r * 7) % 53;

        set_rep(dst, (uint8_t)r, BUF_LEN);
        copy_rep(dst + doff, src + so, 32768 + r % 1000);
        set_words(dst + 40000 + so, (uint8_t)(r ^ 0x5a), 8192 + r % 77);
        copy_words(dst + 50000 + doff, src + 1000 + so, 4096 + r % 93);
        for (uint32_t k = 0; k < 64; k++) {
            uint32_t len = 1 + (k * 37 + r) % 120;
            uint32_t at = (k * 997 + r * 13) % (BUF_LEN - 256);
            copy_bytes(dst + at, src + (at ^ 0x555) % (BUF_LEN - 256), len);
        }
        for (uint32_t i = r % 97; i < BUF_LEN; i += 97) {
            h = bench_mix(h, dst[i]);
        }
    }
    return h;
}
