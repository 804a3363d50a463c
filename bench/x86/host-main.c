/*
 * host-main.c: main() of the native build of a benchmark (see bench.h):
 * `NAME-host [N]` prints the line the guest prints for size N (default:
 * the benchmark's default), which bench/x86-compute.sh and
 * tests/cli/bench-x86-smoke.t compare with the guest's output.
 */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 0;

    if (!n) {
        n = bench_default_n;
    }
    printf("bench %s n=%u checksum=%08x\n", bench_name, n, bench_run(n));
    return 0;
}
