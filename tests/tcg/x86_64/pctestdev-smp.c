/*
 * pctestdev-smp.c: every CPU uses pc-testdev at the same time, as the
 * device is dispatched without the BQL (hw/misc/pc-testdev.c):
 *   - CPU n writes byte n of the scratch register through port 0xe0 + n and
 *     reads it back: a partial write must not put back a stale copy of the
 *     other CPUs' bytes (the register is updated with a compare-and-swap);
 *   - CPU n writes its own dword of the device memory and reads it back;
 *   - every CPU writes one shared aligned dword with a value whose four
 *     bytes are equal, and every read of it must see four equal bytes
 *     (an aligned access is one atomic access, not four byte copies).
 * The ThreadSanitizer build (make check-tsan) sees any unsynchronised
 * access of the device's state the same runs make.
 *
 * run-guests: -device pc-testdev
 */
// run-args: -smp 2
// run-args: -smp 4
#include "smp.h"

#define IOMEM  0xff000000u
#define ITERS  10000

static volatile uint32_t lost_bytes, lost_dwords, torn_dwords;

static void hammer(int id, void *arg)
{
    volatile uint32_t *own = (volatile uint32_t *)(uintptr_t)(IOMEM + 64 +
                                                              16 * id);
    volatile uint32_t *shared = (volatile uint32_t *)(uintptr_t)IOMEM;
    uint32_t lost_b = 0, lost_d = 0, torn = 0;

    for (uint32_t i = 0; i < ITERS; i++) {
        uint8_t b = (uint8_t)(i * 7 + id);
        uint32_t d = i * 0x01000193u + id, s;

        if (id < 4) {
            outb(0xe0 + id, b);
            lost_b += inb(0xe0 + id) != b;
        }
        *own = d;
        lost_d += *own != d;
        *shared = 0x01010101u * (uint8_t)(i + id);
        s = *shared;
        torn += s != 0x01010101u * (s & 0xff);
    }
    __atomic_fetch_add(&lost_bytes, lost_b, __ATOMIC_RELAXED);
    __atomic_fetch_add(&lost_dwords, lost_d, __ATOMIC_RELAXED);
    __atomic_fetch_add(&torn_dwords, torn, __ATOMIC_RELAXED);
}

int main(uint32_t magic, uint32_t info)
{
    int n;

    n = smp_start_tap(4);
    smp_run(hammer, NULL);
    tap_ok(lost_bytes == 0, "scratch register: %u of %d byte writes lost",
           lost_bytes, n * ITERS);
    tap_ok(lost_dwords == 0, "device memory: %u of %d dword writes lost",
           lost_dwords, n * ITERS);
    tap_ok(torn_dwords == 0, "device memory: %u torn dword reads",
           torn_dwords);
    return 0;
}
