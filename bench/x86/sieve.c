/*
 * sieve.c: the sieve of Eratosthenes over a 1 MiB byte array, repeated,
 * with a different upper limit each round.  See bench.h.
 */
#include "bench.h"

const char bench_name[] = "sieve";
const uint32_t bench_default_n = 180;

#define SIEVE_MAX (1u << 20)
static uint8_t composite[SIEVE_MAX];

uint32_t bench_run(uint32_t n)
{
    uint32_t h = 0;

    for (uint32_t r = 0; r < n; r++) {
        uint32_t limit = SIEVE_MAX - (r * 4099) % (SIEVE_MAX / 4);
        uint32_t count = 0, last = 0;

        for (uint32_t i = 0; i < limit; i++) {
            composite[i] = 0;
        }
        for (uint32_t i = 2; i < limit; i++) {
            if (composite[i]) {
                continue;
            }
            count++;
            last = i;
            for (uint32_t j = i * 2; j < limit; j += i) {
                composite[j] = 1;
            }
        }
        h = bench_mix(h, count);
        h = bench_mix(h, last);
    }
    return h;
}
