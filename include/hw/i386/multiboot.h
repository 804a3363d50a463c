/*
 * multiboot.h: the pc board's multiboot v1 loader (Multiboot Specification
 * 0.6.96) and the boot CPU state it hands to the x86 CPU reset path.
 *
 * Who calls what:
 *   - pc_init (hw/i386/pc.c), in the main thread with the BQL held and
 *     before any vCPU exists, calls multiboot_load() when -kernel is given.
 *     The loader finds the multiboot header, loads the kernel (a.out kludge
 *     or ELF32/ELF64 PT_LOAD segments, by physical address), places the
 *     -initrd modules page-aligned after it, writes the command line, the
 *     module strings, the memory map, the boot loader name, the multiboot
 *     information structure and a small flat GDT into guest RAM, and fills
 *     a MultibootBootState.  The board keeps it; pc_boot_state() returns it.
 *   - The x86 CPU reset path (target/i386/cpu.c) applies the state to the
 *     boot CPU, after its ordinary reset, with x86_cpu_apply_multiboot().
 *
 * The CPU state is the one the specification requires (section 3.2) and
 * the one the established loader's option ROM leaves behind, so that guest
 * programs written for it run unchanged:
 *   EAX = 0x2BADB002, EBX = physical address of the information structure,
 *   CR0.PE = 1 with paging off, EFLAGS = 0x2 (IF and VM clear), A20 on,
 *   a GDT in guest RAM with a flat 4 GiB 32-bit code descriptor at 0x10 and
 *   a flat data descriptor at 0x18; CS = 0x10, DS/ES/FS/GS/SS = 0x18, so
 *   that a guest that reloads its segment registers from that GDT before
 *   installing its own keeps working.
 *
 * Example (a unit test, or a board):
 *     MultibootBootState bs;
 *     if (!multiboot_load(ram, ram_size, "k.elf", "m1 arg,m2", "console=x",
 *                         &bs, errp)) { ... one-line error ... }
 */
#ifndef HW_I386_MULTIBOOT_H
#define HW_I386_MULTIBOOT_H

#include "util/osdep.h"
#include "util/error.h"
#include "system/memory.h"

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT_SEARCH_BYTES     8192

/* Header flags (spec 3.1.2).  Bits 0..15 are requirements. */
#define MULTIBOOT_PAGE_ALIGN   (1u << 0)
#define MULTIBOOT_MEMORY_INFO  (1u << 1)
#define MULTIBOOT_VIDEO_MODE   (1u << 2)
#define MULTIBOOT_AOUT_KLUDGE  (1u << 16)

/* Information structure flags (spec 3.3). */
#define MULTIBOOT_INFO_MEMORY        (1u << 0)
#define MULTIBOOT_INFO_CMDLINE       (1u << 2)
#define MULTIBOOT_INFO_MODS          (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP       (1u << 6)
#define MULTIBOOT_INFO_LOADER_NAME   (1u << 9)

/* Byte offsets in the 88-byte information structure (spec 3.3). */
#define MBI_FLAGS        0
#define MBI_MEM_LOWER    4
#define MBI_MEM_UPPER    8
#define MBI_CMDLINE      16
#define MBI_MODS_COUNT   20
#define MBI_MODS_ADDR    24
#define MBI_MMAP_LENGTH  44
#define MBI_MMAP_ADDR    48
#define MBI_LOADER_NAME  64
#define MBI_SIZE         88

/* The GDT the loader leaves for the guest: null, null, code, data. */
#define MULTIBOOT_CODE_SEL 0x10
#define MULTIBOOT_DATA_SEL 0x18
#define MULTIBOOT_GDT_ENTRIES 4

/* What the boot CPU must look like when the kernel's first instruction runs.
 * Written once by multiboot_load (main thread, BQL), then read-only. */
typedef struct MultibootBootState {
    uint32_t eip;                 /* kernel entry, physical */
    uint32_t eax;                 /* MULTIBOOT_BOOTLOADER_MAGIC */
    uint32_t ebx;                 /* information structure, physical */
    uint32_t gdt_base;            /* physical address of the GDT in RAM */
    uint16_t gdt_limit;           /* bytes - 1 */
    uint16_t cs, ds;              /* selectors: CS, and DS/ES/FS/GS/SS */
    uint64_t gdt[MULTIBOOT_GDT_ENTRIES];  /* as written to guest RAM */
    /* Where things went, for tests and -d logs. */
    uint32_t kernel_start, kernel_end;    /* loaded image incl. bss */
    uint32_t nr_modules;
} MultibootBootState;

/*
 * Loads KERNEL (and the comma-separated INITRD modules, each "path args",
 * and the command line CMDLINE; both may be NULL; the kernel sees
 * "KERNEL CMDLINE" as its command line, as with the established loader) into RAM, a RAM region of
 * RAM_SIZE bytes mapped at guest physical 0.  Fills *OUT.  Returns false
 * with one clear line in *errp ("-kernel k.bin: ...") for any file or
 * format problem; never aborts on bad input.
 * Main thread, BQL held, no vCPU running.
 */
bool multiboot_load(MemoryRegion *ram, uint64_t ram_size, const char *kernel,
                    const char *initrd, const char *cmdline,
                    MultibootBootState *out, Error **errp);

/*
 * The same for a RAM layout with a hole below 4 GiB: RAM's first BELOW_4G
 * bytes are at guest physical 0 (and everything is loaded there), and
 * ABOVE_4G more bytes appear at 4 GiB; the memory map lists both.
 * multiboot_load(ram, size, ...) is multiboot_load_split(ram, size, 0, ...).
 */
bool multiboot_load_split(MemoryRegion *ram, uint64_t below_4g,
                          uint64_t above_4g, const char *kernel,
                          const char *initrd, const char *cmdline,
                          MultibootBootState *out, Error **errp);

/* The state multiboot_load made at pc_init, or NULL when the machine was
 * started without -kernel.  Any thread after pc_init (read-only). */
const MultibootBootState *pc_boot_state(void);

/*
 * Applies BS to CPU: general registers, EIP, EFLAGS = 2, CR0 = PE (paging
 * off), EFER = 0, GDT base/limit, and CS/DS/ES/FS/GS/SS caches loaded from
 * the GDT descriptors (accessed bit set, as a real load would), then
 * recomputes hflags with x86_update_hflags().  Owner vCPU thread, or any
 * thread while the vCPU is stopped (reset).
 */
struct X86CPU;
void x86_cpu_apply_multiboot(struct X86CPU *cpu, const MultibootBootState *bs);

#endif
