/*
 * hello.c: the smallest guest test program: a banner, then checks that
 * the multiboot loader left what the specification promises (magic, an
 * information structure with memory sizes, a command line, a memory map
 * and the boot loader name) and that the CPU mode is the expected one.
 * The runner boots every guest with -append "tap guest" and with the guest
 * file itself as a module (-initrd "GUEST.elf mod-arg"); hello checks that
 * both arrived.
 * Built 32-bit (hello-32.elf) and 64-bit (hello-64.elf).
 */
#include "runtime.h"

static uint32_t rd32(uint32_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static const char *str_at(uint32_t addr)
{
    return (const char *)(uintptr_t)addr;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && !strcmp(s + n - k, suffix);
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t flags = rd32(info);
    uintptr_t cr0;

    printf("# hello from a %d-bit guest\n", (int)sizeof(void *) * 8);
    tap_plan(8);
    tap_ok(magic == 0x2BADB002, "EAX held the multiboot magic (0x%x)", magic);
    tap_ok((flags & 1) && rd32(info + 4) == 639 && rd32(info + 8) >= 1024,
           "memory sizes: mem_lower %u KiB, mem_upper %u KiB",
           rd32(info + 4), rd32(info + 8));
    tap_ok((flags & (1 << 6)) && rd32(info + 44) >= 24 &&
           rd32(info + 44) % 24 == 0,
           "a memory map of %u bytes", rd32(info + 44));
    tap_ok(flags & (1 << 2), "a command line: \"%s\"",
           (flags & (1 << 2)) ? (const char *)(uintptr_t)rd32(info + 16)
                              : "");
    tap_ok((flags & (1 << 2)) && ends_with(str_at(rd32(info + 16)),
                                           " tap guest"),
           "the command line ends with the -append text");
    if ((flags & (1 << 3)) && rd32(info + 20) == 1) {
        uint32_t mod = rd32(info + 24);
        uint32_t start = rd32(mod), end = rd32(mod + 4);

        tap_ok(start % 4096 == 0 && end > start &&
               !memcmp(str_at(start), "\x7f" "ELF", 4) &&
               ends_with(str_at(rd32(mod + 8)), " mod-arg"),
               "one module at 0x%x..0x%x (an ELF file), string \"%s\"",
               start, end, str_at(rd32(mod + 8)));
    } else {
        tap_ok(false, "one module (flags 0x%x, count %u)", flags,
               (flags & (1 << 3)) ? rd32(info + 20) : 0);
    }
    tap_ok(flags & (1 << 9), "boot loader name: %s",
           (flags & (1 << 9)) ? (const char *)(uintptr_t)rd32(info + 64)
                              : "(none)");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    tap_ok((cr0 & 1) && ((cr0 >> 31) & 1) == (sizeof(void *) == 8),
           "CR0 = 0x%lx: protected mode, paging %s", (unsigned long)cr0,
           sizeof(void *) == 8 ? "on (long mode)" : "off");
    return 0;
}
