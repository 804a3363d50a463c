/*
 * memmap.c: with 4 GiB of RAM (-m 4G) the pc machine leaves the PCI hole
 * below 4 GiB: the multiboot memory map must show available RAM from
 * 1 MiB up to at most 3 GiB, none between 3 GiB and 4 GiB, and the other
 * 1 GiB at 4 GiB; mem_upper must not reach into the hole.  The reference
 * gets the same layout through its firmware's E820 (with a few reserved
 * pieces of its own, which this test tolerates).
 *
 * run-guests: -m 4G
 */
#include "runtime.h"

#define GiB (1ull << 30)

static uint32_t rd32(uint32_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static uint64_t rd64(uint32_t addr)
{
    return rd32(addr) | (uint64_t)rd32(addr + 4) << 32;
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t flags = rd32(info);
    uint32_t mmap = rd32(info + 48), len = rd32(info + 44);
    uint64_t below = 0, in_hole = 0, above = 0, above_start = 0;

    tap_plan(5);
    tap_ok((flags & (1 << 6)) && len >= 24, "a memory map (%u bytes)", len);
    for (uint32_t p = mmap; p < mmap + len; p += rd32(p) + 4) {
        uint64_t base = rd64(p + 4), size = rd64(p + 12);
        uint32_t type = rd32(p + 20);

        if (type != 1) {
            continue;
        }
        if (base + size <= 3 * GiB) {
            below += size;
        } else if (base >= 4 * GiB) {
            above += size;
            if (!above_start || base < above_start) {
                above_start = base;
            }
        } else {
            in_hole += size;
        }
    }
    tap_ok(below > 3 * GiB - 64 * 1024 * 1024,
           "about 3 GiB available below the hole (%u MiB)",
           (unsigned)(below >> 20));
    tap_ok(in_hole == 0, "nothing available between 3 GiB and 4 GiB");
    tap_ok(above == 1 * GiB && above_start == 4 * GiB,
           "1 GiB available at 4 GiB (%u MiB at 0x%x_%08x)",
           (unsigned)(above >> 20), (unsigned)(above_start >> 32),
           (unsigned)above_start);
    tap_ok((flags & 1) && rd32(info + 8) <= (3 * GiB - (1 << 20)) / 1024,
           "mem_upper (%u KiB) stops below the hole", rd32(info + 8));
    return 0;
}
