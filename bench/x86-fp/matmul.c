/*
 * matmul.c: 96x96 double-precision matrix multiply with SSE2 intrinsics
 * (MULPD/ADDPD on 2-lane vectors, aligned loads), repeated; prints a
 * checksum of the result's bits.
 */
#include <emmintrin.h>
#include "fp-main.h"

#define N 96

static double a[N][N] __attribute__((aligned(16)));
static double b[N][N] __attribute__((aligned(16)));
static double c[N][N] __attribute__((aligned(16)));

int main(uint32_t magic, uint32_t info)
{
    uint64_t sum = 0;

    fp_enable_sse();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
            b[i][j] = (double)((i * 5 + j * 11) % 13) / 4.0 - 1.5;
        }
    }
    for (int rep = 0; rep < 40; rep++) {
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j += 2) {
                __m128d acc = _mm_setzero_pd();

                for (int k = 0; k < N; k++) {
                    __m128d av = _mm_set1_pd(a[i][k]);
                    __m128d bv = _mm_load_pd(&b[k][j]);

                    acc = _mm_add_pd(acc, _mm_mul_pd(av, bv));
                }
                _mm_store_pd(&c[i][j], acc);
            }
        }
        a[rep % N][rep % N] += c[N - 1][N - 1] / 1024.0;
    }
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            union { double d; uint64_t u; } x = { c[i][j] };

            sum = sum * 31 + x.u;
        }
    }
    printf("matmul checksum %llx\n", (unsigned long long)sum);
    return 0;
}
