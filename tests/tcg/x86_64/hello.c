/*
 * hello.c: the smallest guest test program: a banner, then checks that
 * the multiboot loader left what the specification promises (magic, an
 * information structure with memory sizes, a command line, a memory map
 * and the boot loader name) and that the CPU mode is the expected one.
 * Built 32-bit (hello-32.elf) and 64-bit (hello-64.elf).
 */
#include "runtime.h"

static uint32_t rd32(uint32_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t flags = rd32(info);
    uintptr_t cr0;

    printf("# hello from a %d-bit guest\n", (int)sizeof(void *) * 8);
    tap_plan(6);
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
    tap_ok(flags & (1 << 9), "boot loader name: %s",
           (flags & (1 << 9)) ? (const char *)(uintptr_t)rd32(info + 64)
                              : "(none)");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    tap_ok((cr0 & 1) && ((cr0 >> 31) & 1) == (sizeof(void *) == 8),
           "CR0 = 0x%lx: protected mode, paging %s", (unsigned long)cr0,
           sizeof(void *) == 8 ? "on (long mode)" : "off");
    return 0;
}
