/*
 * demo.c: the demo guest (the one `make run` is to boot once tandem runs
 * x86 code): a banner, what CPUID says about the CPU, a little computation
 * with known answers, then exit through isa-debug-exit.  It also reports
 * TAP, so the guest runner checks it like every other guest program.
 */
#include "runtime.h"

/* Counts primes below LIMIT with a sieve. */
static int count_primes(int limit)
{
    static uint8_t composite[10000];
    int n = 0;

    memset(composite, 0, sizeof(composite));
    for (int i = 2; i < limit; i++) {
        if (composite[i]) {
            continue;
        }
        n++;
        for (int j = i * i; j < limit; j += i) {
            composite[j] = 1;
        }
    }
    return n;
}

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit. */
static uint32_t crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t crc = 0xffffffff;

    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
        }
    }
    return ~crc;
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t r[4], vendor[4] = { 0 }, brand[13] = { 0 };
    uint32_t max_ext;
    int primes;
    uint32_t crc;

    printf("\n  Tandem demo guest: a %d-bit multiboot program\n\n",
           (int)sizeof(void *) * 8);
    cpuid(0, 0, r);
    vendor[0] = r[1];
    vendor[1] = r[3];
    vendor[2] = r[2];
    printf("  CPU vendor:  %s (max leaf %u)\n", (char *)vendor, r[0]);
    cpuid(1, 0, r);
    printf("  Family/model/stepping: %u/%u/%u\n",
           ((r[0] >> 8) & 0xf) + ((r[0] >> 20) & 0xff),
           ((r[0] >> 4) & 0xf) | ((r[0] >> 12) & 0xf0), r[0] & 0xf);
    cpuid(0x80000000, 0, r);
    max_ext = r[0];
    if (max_ext >= 0x80000004) {
        for (uint32_t leaf = 0; leaf < 3; leaf++) {
            cpuid(0x80000002 + leaf, 0, &brand[leaf * 4]);
        }
        printf("  CPU brand:   %s\n", (char *)brand);
    }
    primes = count_primes(10000);
    crc = crc32("123456789", 9);
    printf("  Primes below 10000: %d\n", primes);
    printf("  CRC-32 of \"123456789\": 0x%08x\n\n", crc);

    tap_plan(3);
    tap_ok(magic == 0x2BADB002, "booted by a multiboot loader");
    tap_ok(primes == 1229, "sieve: %d primes below 10000", primes);
    tap_ok(crc == 0xcbf43926, "CRC-32 check value 0x%08x", crc);
    return 0;
}
