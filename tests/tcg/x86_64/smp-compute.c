/*
 * smp-compute.c: the same compute-bound work on every CPU at once, with
 * no sharing: an xorshift/multiply loop of WORK iterations per CPU (the
 * multiboot command line may say "work=N" in millions; default 20).  Every
 * CPU must get the same checksum (the BSP's).
 *
 * Used by tests/cli/mttcg-bql.t (the BQL stays almost free while SMP guest
 * code computes) and bench/x86-smp-scaling.sh (same work per vCPU under
 * -smp 1 and -smp 2: scaling).
 */
// run-args: -smp 2
#include "smp.h"

static uint64_t work_m = 20;            /* millions of iterations */
static uint64_t sums[SMP_MAX_CPUS];

static uint64_t compute(uint64_t iters, uint64_t seed)
{
    uint64_t x = seed, acc = 0;

    for (uint64_t i = 0; i < iters; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x * 0x9e3779b97f4a7c15ull + (acc >> 3);
    }
    return acc;
}

static void run_compute(int id, void *arg)
{
    sums[id] = compute(work_m * 1000000, 88172645463325252ull);
}

static void parse_cmdline(uint32_t magic, uint32_t info)
{
    const char *cmd, *p;

    if (magic != 0x2BADB002 || !(*(volatile uint32_t *)(uintptr_t)info & 4)) {
        return;
    }
    cmd = (const char *)(uintptr_t)((volatile uint32_t *)(uintptr_t)info)[4];
    for (p = cmd; *p; p++) {
        if (!memcmp(p, "work=", 5)) {
            uint64_t v = 0;

            for (p += 5; *p >= '0' && *p <= '9'; p++) {
                v = v * 10 + (*p - '0');
            }
            if (v) {
                work_m = v;
            }
            break;
        }
    }
}

int main(uint32_t magic, uint32_t info)
{
    int n, bad = 0;

    parse_cmdline(magic, info);
    n = smp_start_tap(2);
    smp_run(run_compute, NULL);
    for (int i = 1; i < n; i++) {
        bad += sums[i] != sums[0];
    }
    tap_ok(bad == 0 && sums[0] != 0,
           "%d CPUs x %u M iterations, same checksum %x%08x", n,
           (unsigned)work_m, (unsigned)(sums[0] >> 32), (unsigned)sums[0]);
    return 0;
}
