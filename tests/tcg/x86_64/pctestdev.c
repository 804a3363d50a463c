/*
 * pctestdev.c: a guest that uses pc-testdev the way x86 test suites do:
 * the scratch register at ports 0xe0..0xe3 (any width and offset) and its
 * byte-wise alias at 0xe8, the flush-page port, and the 64 KiB device
 * memory at 0xff000000 with 1/2/4-byte accesses (8 too in 64-bit mode),
 * block copies into and out of it, and read-modify-write instructions on
 * it.  Checked against the same program on the reference.
 *
 * run-guests: -device pc-testdev
 */
#include "runtime.h"

#define IOMEM 0xff000000u

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;

    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

int main(uint32_t magic, uint32_t info)
{
    volatile uint8_t *m8 = (volatile uint8_t *)(uintptr_t)IOMEM;
    volatile uint16_t *m16 = (volatile uint16_t *)(uintptr_t)IOMEM;
    volatile uint32_t *m32 = (volatile uint32_t *)(uintptr_t)IOMEM;
    uint8_t buf[64], back[64];
    uint32_t v;

    tap_plan(14);
    outl(0xe0, 0x12345678);
    tap_ok(inl(0xe0) == 0x12345678, "scratch register round trip");
    tap_ok(inb(0xe1) == 0x56 && inw(0xe2) == 0x1234,
           "narrow reads at offsets 1 and 2");
    outw(0xe2, 0xabcd);
    outb(0xe0, 0x11);
    tap_ok(inl(0xe0) == 0xabcd5611, "narrow writes merge (0x%x)",
           inl(0xe0));
    tap_ok(inl(0xe8) == 0xabcd5611 && inw(0xea) == 0xabcd,
           "0xe8 is the same register");
    outl(0xe8, 0xdeadbeef);
    tap_ok(inl(0xe0) == 0xdeadbeef, "a dword through 0xe8 lands whole");
    outl(0xe4, 0x1000);
    tap_ok(inl(0xe0) == 0xdeadbeef, "the flush port changes nothing");

    m32[0] = 0x01234567;
    m32[1] = 0x89abcdef;
    tap_ok(m32[0] == 0x01234567 && m32[1] == 0x89abcdef,
           "device memory: dwords");
    tap_ok(m16[1] == 0x0123 && m8[4] == 0xef && m8[7] == 0x89,
           "device memory: words and bytes of them");
    m8[2] = 0x55;
    m16[3] = 0x7777;
    tap_ok(m32[0] == 0x01554567 && m32[1] == 0x7777cdef,
           "narrow stores merge (0x%x 0x%x)", m32[0], m32[1]);
#if defined(__x86_64__)
    *(volatile uint64_t *)(uintptr_t)(IOMEM + 8) = 0x1122334455667788ull;
    tap_ok(*(volatile uint64_t *)(uintptr_t)(IOMEM + 8) ==
           0x1122334455667788ull && m32[3] == 0x11223344,
           "device memory: a qword (64-bit guest)");
#else
    m32[2] = 0x55667788;
    m32[3] = 0x11223344;
    tap_ok(m32[2] == 0x55667788 && m32[3] == 0x11223344,
           "device memory: two more dwords (32-bit guest)");
#endif
    /* The far end of the window. */
    m32[0xfffc / 4] = 0xcafef00d;
    tap_ok(m32[0xfffc / 4] == 0xcafef00d && m8[0xffff] == 0xca,
           "device memory: the last dword");
    /* Block copies (the runtime's memcpy) into and out of it. */
    for (int i = 0; i < 64; i++) {
        buf[i] = i * 7 + 3;
    }
    memcpy((void *)(uintptr_t)(IOMEM + 0x100), buf, sizeof(buf));
    memcpy(back, (void *)(uintptr_t)(IOMEM + 0x100), sizeof(back));
    tap_ok(!memcmp(buf, back, sizeof(buf)), "block copies in and out");
    /* Read-modify-write instructions on device memory. */
    m32[0x40] = 0x0f0f0f0f;
    __asm__ volatile("orl $0x30303030, %0" : "+m"(m32[0x40]));
    __asm__ volatile("addl $1, %0" : "+m"(m32[0x40]));
    tap_ok(m32[0x40] == 0x3f3f3f40, "OR and ADD on device memory (0x%x)",
           m32[0x40]);
    v = 0x99;
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(m32[0x40]));
    tap_ok(v == 0x3f3f3f40 && m32[0x40] == 0x99,
           "XCHG with device memory");
    return 0;
}
