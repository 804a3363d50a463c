/*
 * cmos.c: the RTC's CMOS memory through its index/data port pair (0x70,
 * 0x71), hammered.  Under KVM index writes are coalesced PIO: the kernel
 * buffers them in a ring without an exit and the emulator replays them,
 * in order, before the next data-port access.  So every check here is one
 * that a lost, reordered or late index write would fail: the data port
 * must always act on the most recent index.
 *   - fill CMOS bytes 0x60..0x7f (free battery-backed memory) and read
 *     them back;
 *   - many index writes in a row (more than the ring holds), then a read:
 *     the last index wins;
 *   - pairs of index writes before each read, with the NMI-mask bit set
 *     on some (bit 7 is not part of the index);
 *   - index, write, index, read interleaved many times.
 * A "# bench coalesced CYCLES/COUNT" line times index writes (with one
 * data read per 64 of them, which drains the buffer) for
 * bench/kvm-exits.sh.
 */
#include "runtime.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define NV_FIRST   0x60
#define NV_COUNT   32
#define N_HAMMER   2000

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint8_t expect[NV_COUNT];

static uint8_t pattern(int i, int round)
{
    return (uint8_t)(i * 37 + round * 11 + 5);
}

static uint8_t cmos_read(uint8_t idx)
{
    outb(CMOS_INDEX, idx);
    return inb(CMOS_DATA);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
    outb(CMOS_INDEX, idx);
    outb(CMOS_DATA, v);
}

int main(uint32_t magic, uint32_t info)
{
    bool ok;
    int bad = -1;
    uint64_t t0, t1;

    tap_plan(5);

    for (int i = 0; i < NV_COUNT; i++) {
        expect[i] = pattern(i, 0);
        cmos_write(NV_FIRST + i, expect[i]);
    }
    ok = true;
    for (int i = 0; i < NV_COUNT; i++) {
        if (cmos_read(NV_FIRST + i) != expect[i] && ok) {
            ok = false;
            bad = i;
        }
    }
    tap_ok(ok, "CMOS 0x%x..0x%x read back what was written (first bad %d)",
           NV_FIRST, NV_FIRST + NV_COUNT - 1, bad);

    /* A burst of index writes (the ring has fewer slots), then a read. */
    ok = true;
    for (int round = 0; round < 8; round++) {
        int last = 0;

        for (int i = 0; i < N_HAMMER; i++) {
            last = (i * 7 + round) % NV_COUNT;
            outb(CMOS_INDEX, NV_FIRST + last);
        }
        ok &= inb(CMOS_DATA) == expect[last];
    }
    tap_ok(ok, "after %d index writes in a row the data port reads the "
           "last index's byte", N_HAMMER);

    /* Two index writes per read; bit 7 (NMI mask) set on some. */
    ok = true;
    bad = -1;
    for (int i = 0; i < N_HAMMER; i++) {
        int a = i % NV_COUNT, b = (i * 13 + 3) % NV_COUNT;

        outb(CMOS_INDEX, NV_FIRST + a);
        outb(CMOS_INDEX, (NV_FIRST + b) | (i & 1 ? 0x80 : 0));
        if (inb(CMOS_DATA) != expect[b] && ok) {
            ok = false;
            bad = i;
        }
    }
    outb(CMOS_INDEX, NV_FIRST);          /* NMIs enabled again */
    tap_ok(ok, "index pairs: the second index wins, NMI bit ignored "
           "(%d reads, first bad %d)", N_HAMMER, bad);

    /* Interleaved writes and reads through the pair. */
    ok = true;
    for (int round = 1; round <= 4; round++) {
        for (int i = 0; i < NV_COUNT; i++) {
            expect[i] = pattern(i, round);
            cmos_write(NV_FIRST + i, expect[i]);
            if (i > 0 && cmos_read(NV_FIRST + i - 1) != expect[i - 1]) {
                ok = false;
            }
        }
    }
    for (int i = 0; i < NV_COUNT; i++) {
        ok &= cmos_read(NV_FIRST + i) == expect[i];
    }
    tap_ok(ok, "interleaved index/write/index/read rounds keep every byte");

    /* Timing: index writes, one data read per 64 to drain the buffer. */
    ok = true;
    t0 = rdtsc();
    for (int i = 0; i < N_HAMMER; i++) {
        outb(CMOS_INDEX, NV_FIRST + (i % NV_COUNT));
        if ((i & 63) == 63) {
            ok &= inb(CMOS_DATA) == expect[i % NV_COUNT];
        }
    }
    t1 = rdtsc();
    tap_ok(ok, "timed index writes: every 64th read checks the last index");
    tap_diag("bench coalesced %llu/%d", (unsigned long long)(t1 - t0),
             N_HAMMER);
    tap_exit();
}
