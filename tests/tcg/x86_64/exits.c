/*
 * exits.c: the device accesses a hypervisor turns into exits, checked and
 * timed: port I/O and MMIO round trips to pc-testdev (a device emulated in
 * userspace by every emulator), writes to pci-testdev's "datamatch
 * eventfd" port (an ioeventfd under KVM), and a compute loop.  Each check
 * verifies what the device returned; the "# bench NAME CYCLES" diagnostic
 * lines give TSC cycles for COUNT operations ("CYCLES/COUNT") for
 * bench/kvm-exits.sh.
 * With "exit-now" on the command line it exits at once, for the
 * exec-to-first-instruction measurement.
 * Built 32-bit and 64-bit; the MMIO window at 0xff000000 is reached through
 * the runtime's identity map.
 * run-guests: -device pc-testdev -device pci-testdev
 */
#include "runtime.h"

#define N_EXITS 2000
#define SIEVE_N 2000000
#define PRIMES_BELOW_2M 148933       /* pi(2,000,000) */

static uint8_t sieve[SIEVE_N];

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t inl_(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint32_t rd32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

static void wr32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static uint32_t pci_read(int dev, int off)
{
    outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
    return inl_(0xcfc);
}

static void pci_write(int dev, int off, uint32_t v)
{
    outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
    outl(0xcfc, v);
}

static bool has_arg(uint32_t info, const char *word)
{
    const char *s, *p;
    size_t n = strlen(word);

    if (!(rd32(info) & (1u << 2))) {
        return false;
    }
    s = (const char *)(uintptr_t)rd32(info + 16);
    for (p = s; *p; p++) {
        if (!memcmp(p, word, n)) {
            return true;
        }
    }
    return false;
}

/* The I/O base of pci-testdev's BAR1 (assigned here if firmware did not),
 * or 0 if there is no such device. */
static uint16_t testdev_io_base(void)
{
    for (int dev = 0; dev < 32; dev++) {
        uint32_t bar;

        if (pci_read(dev, 0) != 0x00051b36) {
            continue;
        }
        bar = pci_read(dev, 0x14) & ~3u;
        if (!bar) {
            bar = 0xd000;
            pci_write(dev, 0x14, bar);
        }
        pci_write(dev, 4, pci_read(dev, 4) | 1);      /* I/O decode */
        return bar;
    }
    return 0;
}

static uint32_t count_primes(void)
{
    uint32_t n = 0;

    memset(sieve, 1, sizeof(sieve));
    for (uint32_t i = 2; i < SIEVE_N; i++) {
        if (sieve[i]) {
            n++;
            for (uint32_t j = 2 * i; j < SIEVE_N; j += i) {
                sieve[j] = 0;
            }
        }
    }
    return n;
}

int main(uint32_t magic, uint32_t info)
{
    uint64_t t0, t1;
    uint32_t v;
    bool ok;
    uint16_t io;

    if (has_arg(info, "exit-now")) {
        exit_with(0);
    }
    tap_plan(4);

    /* (a) port I/O: the scratch register at 0xe0. */
    outl(0xe0, 0x12345678);
    ok = true;
    t0 = rdtsc();
    for (int i = 0; i < N_EXITS; i++) {
        ok &= inl_(0xe0) == 0x12345678;
    }
    t1 = rdtsc();
    tap_ok(ok, "pc-testdev port 0xe0: %d reads return the value written",
           N_EXITS);
    tap_diag("bench pio %llu/%d", (unsigned long long)(t1 - t0), N_EXITS);

    /* (b) MMIO: the device memory at 0xff000000. */
    wr32(0xff000000u, 0x9abcdef0);
    ok = true;
    t0 = rdtsc();
    for (int i = 0; i < N_EXITS; i++) {
        ok &= rd32(0xff000000u) == 0x9abcdef0;
    }
    t1 = rdtsc();
    tap_ok(ok, "pc-testdev MMIO at 0xff000000: %d reads return the value "
           "written", N_EXITS);
    tap_diag("bench mmio %llu/%d", (unsigned long long)(t1 - t0), N_EXITS);

    /* (c) pci-testdev's portio-datamatch-eventfd test (number 5): byte
     * writes of 0xfa at BAR1 + 128 + 5. */
    io = testdev_io_base();
    if (!io) {
        tap_skip("no pci-testdev (-device pci-testdev)", "ioeventfd");
    } else {
        outb(io, 2);     /* the third I/O test: number 5 of the six */
        v = inb(io);
        t0 = rdtsc();
        for (int i = 0; i < N_EXITS; i++) {
            outb(io + 128 + 5, 0xfa);
        }
        t1 = rdtsc();
        tap_ok(v == 5 && inb(io + 8) == 0xfa,
               "pci-testdev at port 0x%x: test 5 selected (%u), data 0xfa",
               io, v);
        tap_diag("bench ioeventfd %llu/%d", (unsigned long long)(t1 - t0), N_EXITS);
    }

    /* (e) compute. */
    t0 = rdtsc();
    v = count_primes();
    t1 = rdtsc();
    tap_ok(v == PRIMES_BELOW_2M, "sieve: %u primes below 2,000,000", v);
    tap_diag("bench compute %llu/1", (unsigned long long)(t1 - t0));
    tap_exit();
}
