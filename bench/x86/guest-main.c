/*
 * guest-main.c: main() of every benchmark guest (see bench.h).  Reads the
 * size from the multiboot command line ("n=NUMBER"; the benchmark's
 * default otherwise), runs the benchmark, prints
 *     bench NAME n=N checksum=XXXXXXXX
 * on COM1 and writes 0 to isa-debug-exit, so that the emulator exits with
 * status 1.  Called by crt0-64.S on the only CPU, interrupts disabled.
 */
#include "runtime.h"
#include "bench.h"

#define MB_INFO_CMDLINE  (1u << 2)

/* Returns the value of "n=" in the multiboot command line, or 0. */
static uint32_t cmdline_n(uint32_t magic, uint32_t info)
{
    const uint32_t *mbi = (const uint32_t *)(uintptr_t)info;
    const char *p;
    uint32_t n = 0;

    if (magic != 0x2BADB002 || !(mbi[0] & MB_INFO_CMDLINE) || !mbi[4]) {
        return 0;
    }
    for (p = (const char *)(uintptr_t)mbi[4]; *p; p++) {
        if ((p == (const char *)(uintptr_t)mbi[4] || p[-1] == ' ') &&
            p[0] == 'n' && p[1] == '=') {
            for (p += 2; *p >= '0' && *p <= '9'; p++) {
                n = n * 10 + (uint32_t)(*p - '0');
            }
            break;
        }
    }
    return n;
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t n = cmdline_n(magic, info);

    if (!n) {
        n = bench_default_n;
    }
    printf("bench %s n=%u checksum=%08x\n", bench_name, n, bench_run(n));
    exit_with(0);
}
