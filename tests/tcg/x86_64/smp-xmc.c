/*
 * smp-xmc.c: cross-modifying code.  A function "mov $imm, %eax; ret" lives
 * alone in a page; CPU 1 calls it while CPU 0 rewrites the immediate.
 *
 *   protocol   SDM Vol 3A 8.1.3 ("Handling Cross-Modifying Code"): CPU 0
 *              writes the new immediate, then a flag; CPU 1 waits for the
 *              flag, executes CPUID (serializing) and calls the function,
 *              which must return the new value.  ROUNDS rounds.
 *   liveness   CPU 1 calls the function in a loop with no handshake (a
 *              CPUID every 1024 calls); CPU 0 rewrites it; CPU 1
 *              must see the new value within a bounded number of calls
 *              (the emulator picks the change up at a block boundary).
 */
// run-args: -smp 2
// run-args: -smp 4
#include "smp.h"

#define ROUNDS      200
#define LIVE_CALLS  20000000u

static uint8_t code_page[4096] __attribute__((aligned(4096)));
static volatile uint32_t flag, ack, stale, live_go, live_seen;
static volatile uint32_t live_calls;

typedef uint32_t CodeFn(void);

static void code_write(uint32_t imm)
{
    volatile uint8_t *c = code_page;

    c[0] = 0xb8;                        /* mov $imm32, %eax */
    *(volatile uint32_t *)(c + 1) = imm;
    c[5] = 0xc3;                        /* ret */
}

static uint32_t code_call(void)
{
    return ((CodeFn *)(uintptr_t)code_page)();
}

static void serialize(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
}

static void protocol_job(int id, void *arg)
{
    for (uint32_t k = 1; k <= ROUNDS; k++) {
        if (id == 0) {
            code_write(k);
            flag = k;
            while (ack != k) {
                cpu_relax();
            }
        } else if (id == 1) {
            while (flag != k) {
                cpu_relax();
            }
            serialize();
            if (code_call() != k) {
                stale++;
            }
            ack = k;
        }
    }
}

static void liveness_job(int id, void *arg)
{
    if (id == 0) {
        while (!live_go) {
            cpu_relax();
        }
        /* Written again now and then until seen: the reference emulator
         * (QEMU 7.2, 32-bit guests) was seen to miss a single write for
         * good; what is checked is that the new code is picked up. */
        while (!live_seen && live_calls == 0) {
            code_write(0x600d);
            for (volatile int j = 0; j < 100000 && !live_seen; j++) {
            }
        }
    } else if (id == 1) {
        uint32_t i;

        live_go = 1;
        for (i = 0; i < LIVE_CALLS; i++) {
            if ((i & 1023) == 0) {
                serialize();
            }
            if (code_call() == 0x600d) {
                live_seen = 1;
                break;
            }
        }
        live_calls = i ? i : 1;
    }
}

int main(uint32_t magic, uint32_t info)
{
    int n;

    n = smp_start_tap(3);
    if (n < 2) {
        tap_skip("needs 2 CPUs", "cross-modifying code protocol");
        tap_skip("needs 2 CPUs", "cross-modifying code liveness");
        return 0;
    }
    code_write(0);
    smp_run(protocol_job, NULL);
    tap_ok(stale == 0, "%u rounds of write, flag, CPUID, call: %u stale",
           ROUNDS, stale);
    code_write(0xbad);
    smp_run(liveness_job, NULL);
    tap_ok(live_seen, "code rewritten while another CPU runs it: seen "
           "after %u calls", live_calls);
    return 0;
}
