/*
 * qsort.c: a recursive quicksort (median of three, insertion sort for
 * short runs) of 64K pseudo-random 32-bit keys, repeated with a new seed
 * each round, and a check that the result is sorted.  See bench.h.
 */
#include "bench.h"

const char bench_name[] = "qsort";
const uint32_t bench_default_n = 120;

#define QS_N 65536
static uint32_t keys[QS_N];

static void swap(uint32_t *a, uint32_t *b)
{
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(uint32_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint32_t v = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(uint32_t *a, long n)
{
    while (n > 16) {
        long mid = n / 2, i = 0, j = n - 1;
        uint32_t pivot;

        if (a[mid] < a[0]) {
            swap(&a[mid], &a[0]);
        }
        if (a[n - 1] < a[0]) {
            swap(&a[n - 1], &a[0]);
        }
        if (a[n - 1] < a[mid]) {
            swap(&a[n - 1], &a[mid]);
        }
        pivot = a[mid];
        for (;;) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i >= j) {
                break;
            }
            swap(&a[i], &a[j]);
            i++;
            j--;
        }
        /* Recurse into the smaller part, loop on the larger. */
        if (j + 1 < n - j - 1) {
            quicksort(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quicksort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

uint32_t bench_run(uint32_t n)
{
    uint32_t h = 0;

    for (uint32_t r = 0; r < n; r++) {
        uint32_t seed = r + 12345;
        uint32_t sorted = 1;

        for (long i = 0; i < QS_N; i++) {
            keys[i] = bench_lcg(&seed) ^ (seed >> 13);
        }
        quicksort(keys, QS_N);
        for (long i = 1; i < QS_N; i++) {
            sorted &= keys[i - 1] <= keys[i];
        }
        h = bench_mix(h, sorted);
        for (long i = 0; i < QS_N; i += 4093) {
            h = bench_mix(h, keys[i]);
        }
    }
    return h;
}
