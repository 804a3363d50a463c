/*
 * multiboot.c: the pc board's multiboot v1 loader (Multiboot Specification
 * 0.6.96) for -kernel, -initrd "a args,b" and -append.
 *
 * The loader works on a copy of the kernel file in host memory and writes
 * guest RAM through the RAM region's host pointer, so it needs no CPU and
 * no address space: pc_init calls it before any vCPU exists (main thread,
 * BQL held) and a unit test calls it on a bare RAM region.
 *
 * Guest physical layout it produces, bottom up:
 *
 *     kernel image (a.out kludge load_addr.. or ELF PT_LOADs by p_paddr)
 *     bss (zeroed)
 *     module 0, module 1, ...        each page-aligned, in -initrd order,
 *                                    at 1 MiB or above
 *     boot-info page(s), page-aligned:
 *         information structure (88 bytes)    <- EBX
 *         GDT (4 descriptors)
 *         memory map (E820-style, 24 bytes an entry)
 *         module list (16 bytes a module)
 *         strings: command line, module strings, "tandem"
 *
 * The a.out kludge (header flag 16) wins over ELF when both are present,
 * as in the established loader; without it the file must be ELF32 (i386)
 * or ELF64 (x86-64).  Every address the kernel asks for is checked against
 * RAM before anything is written; a bad file is one error line.
 *
 * The boot CPU state is returned in a MultibootBootState and applied by the
 * x86 reset path through x86_cpu_apply_multiboot() (bottom of this file,
 * the only part that knows the x86 register file).
 */
#include "util/osdep.h"
#include "hw/i386/multiboot.h"
#include "target/i386/cpu.h"

#define MB_PAGE 4096u

/* Legacy PC memory layout the memory map describes (the EBDA and the BIOS
 * area are reported reserved, as a PC BIOS reports them). */
#define MB_LOW_TOP     0x9fc00u     /* conventional memory: 639 KiB */
#define MB_EBDA_END    0xa0000u
#define MB_BIOS_START  0xf0000u
#define MB_HIGH_START  0x100000u
#define MB_4G          0x100000000ull

#define E820_RAM       1
#define E820_RESERVED  2

#define ELF_PT_LOAD 1

/* Everything the loader builds, before it is written to RAM. */
typedef struct MbLoader {
    uint8_t *ram;
    uint64_t ram_size;      /* bytes */
    const char *kernel;     /* file name, for error messages */
    const uint8_t *file;
    size_t file_len;
    uint32_t hdr_off;       /* file offset of the multiboot header */
    uint32_t flags;
    uint32_t entry;
    uint32_t load_lo, load_hi;   /* lowest and highest+1 loaded address */
} MbLoader;

static uint32_t mb_rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t mb_rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint64_t mb_rd64(const uint8_t *p)
{
    return mb_rd32(p) | (uint64_t)mb_rd32(p + 4) << 32;
}

static void mb_wr32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void mb_wr64(uint8_t *p, uint64_t v)
{
    mb_wr32(p, v);
    mb_wr32(p + 4, v >> 32);
}

/* Checks that [addr, addr+len) lies in RAM (and below 4 GiB, where the
 * 32-bit multiboot addresses live). */
static bool mb_check_range(MbLoader *l, const char *what, uint64_t addr,
                           uint64_t len, Error **errp)
{
    uint64_t top = MIN(l->ram_size, MB_4G);

    if (addr > top || len > top - addr) {
        error_setg(errp, "-kernel %s: %s at 0x%" PRIx64 " (0x%" PRIx64
                   " bytes) lies outside guest RAM (%" PRIu64 " MiB)",
                   l->kernel, what, addr, len, l->ram_size >> 20);
        return false;
    }
    return true;
}

static void mb_note_loaded(MbLoader *l, uint32_t lo, uint32_t hi)
{
    l->load_lo = MIN(l->load_lo, lo);
    l->load_hi = MAX(l->load_hi, hi);
}

/* Spec 3.1.1: the header is 32-bit aligned within the first 8192 bytes. */
static bool mb_find_header(MbLoader *l, Error **errp)
{
    size_t limit = MIN(l->file_len, (size_t)MULTIBOOT_SEARCH_BYTES);
    bool bad_sum = false;

    for (size_t off = 0; off + 12 <= limit; off += 4) {
        const uint8_t *h = l->file + off;
        uint32_t flags;

        if (mb_rd32(h) != MULTIBOOT_HEADER_MAGIC) {
            continue;
        }
        flags = mb_rd32(h + 4);
        if ((uint32_t)(MULTIBOOT_HEADER_MAGIC + flags + mb_rd32(h + 8))) {
            bad_sum = true;     /* keep looking: the magic may be data */
            continue;
        }
        l->hdr_off = off;
        l->flags = flags;
        return true;
    }
    if (bad_sum) {
        error_setg(errp, "-kernel %s: multiboot header checksum is wrong",
                   l->kernel);
    } else {
        error_setg(errp, "-kernel %s: no multiboot header in the first %u "
                   "bytes", l->kernel, MULTIBOOT_SEARCH_BYTES);
    }
    return false;
}

/* Spec 3.1.3: header_addr, load_addr, load_end_addr, bss_end_addr,
 * entry_addr follow the checksum. */
static bool mb_load_aout(MbLoader *l, Error **errp)
{
    const uint8_t *h = l->file + l->hdr_off;
    uint32_t header_addr, load_addr, load_end, bss_end;
    uint64_t file_off, load_len;

    if (l->hdr_off + 32 > l->file_len) {
        error_setg(errp, "-kernel %s: truncated multiboot header", l->kernel);
        return false;
    }
    header_addr = mb_rd32(h + 12);
    load_addr = mb_rd32(h + 16);
    load_end = mb_rd32(h + 20);
    bss_end = mb_rd32(h + 24);
    l->entry = mb_rd32(h + 28);

    if (header_addr < load_addr || header_addr - load_addr > l->hdr_off) {
        error_setg(errp, "-kernel %s: multiboot header_addr 0x%x is "
                   "inconsistent with load_addr 0x%x", l->kernel,
                   header_addr, load_addr);
        return false;
    }
    file_off = l->hdr_off - (header_addr - load_addr);
    if (load_end == 0) {
        load_len = l->file_len - file_off;
    } else if (load_end < load_addr) {
        error_setg(errp, "-kernel %s: multiboot load_end_addr 0x%x is below "
                   "load_addr 0x%x", l->kernel, load_end, load_addr);
        return false;
    } else {
        load_len = load_end - load_addr;
    }
    if (file_off + load_len > l->file_len) {
        error_setg(errp, "-kernel %s: truncated: the multiboot header asks "
                   "for %" PRIu64 " bytes from offset %" PRIu64 " but the "
                   "file has %zu", l->kernel, load_len, file_off,
                   l->file_len);
        return false;
    }
    if (bss_end != 0 && bss_end < load_addr + load_len) {
        error_setg(errp, "-kernel %s: multiboot bss_end_addr 0x%x is below "
                   "the end of the loaded image", l->kernel, bss_end);
        return false;
    }
    if (!mb_check_range(l, "image", load_addr,
                        (bss_end ? bss_end : load_addr + load_len) - load_addr,
                        errp)) {
        return false;
    }
    memcpy(l->ram + load_addr, l->file + file_off, load_len);
    if (bss_end) {
        memset(l->ram + load_addr + load_len, 0,
               bss_end - load_addr - load_len);
    }
    mb_note_loaded(l, load_addr, bss_end ? bss_end : load_addr + load_len);
    return true;
}

/* One program header, in a width-independent form. */
typedef struct MbPhdr {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
} MbPhdr;

static void mb_read_phdr(const uint8_t *p, bool is64, MbPhdr *ph)
{
    ph->type = mb_rd32(p);
    if (is64) {
        ph->offset = mb_rd64(p + 8);
        ph->vaddr = mb_rd64(p + 16);
        ph->paddr = mb_rd64(p + 24);
        ph->filesz = mb_rd64(p + 32);
        ph->memsz = mb_rd64(p + 40);
    } else {
        ph->offset = mb_rd32(p + 4);
        ph->vaddr = mb_rd32(p + 8);
        ph->paddr = mb_rd32(p + 12);
        ph->filesz = mb_rd32(p + 16);
        ph->memsz = mb_rd32(p + 20);
    }
}

/* ELF32 (EM_386) or ELF64 (EM_X86_64), little-endian, PT_LOAD segments
 * placed at p_paddr.  The entry point is e_entry translated from virtual
 * to physical through the segment that contains it. */
static bool mb_load_elf(MbLoader *l, Error **errp)
{
    const uint8_t *f = l->file;
    bool is64;
    uint64_t entry, phoff;
    unsigned phentsize, phnum, machine;
    bool entry_found = false;

    if (l->file_len < 52 || memcmp(f, "\x7f" "ELF", 4) != 0) {
        error_setg(errp, "-kernel %s: multiboot header without the a.out "
                   "kludge (flag 16), and the file is not ELF", l->kernel);
        return false;
    }
    if ((f[4] != 1 && f[4] != 2) || f[5] != 1) {
        error_setg(errp, "-kernel %s: not a little-endian ELF32/ELF64 file",
                   l->kernel);
        return false;
    }
    is64 = f[4] == 2;
    if (is64 && l->file_len < 64) {
        error_setg(errp, "-kernel %s: truncated ELF header", l->kernel);
        return false;
    }
    machine = mb_rd16(f + 18);
    if (machine != (is64 ? 62 : 3)) {
        error_setg(errp, "-kernel %s: ELF machine %u is not %s", l->kernel,
                   machine, is64 ? "x86-64" : "i386");
        return false;
    }
    entry = is64 ? mb_rd64(f + 24) : mb_rd32(f + 24);
    phoff = is64 ? mb_rd64(f + 32) : mb_rd32(f + 28);
    phentsize = mb_rd16(f + (is64 ? 54 : 42));
    phnum = mb_rd16(f + (is64 ? 56 : 44));
    if (phentsize < (is64 ? 56u : 32u) || phnum == 0 ||
        phoff > l->file_len ||
        (uint64_t)phentsize * phnum > l->file_len - phoff) {
        error_setg(errp, "-kernel %s: truncated or bad ELF program headers",
                   l->kernel);
        return false;
    }

    /* Check everything first, so that a bad file writes nothing. */
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < phnum; i++) {
            MbPhdr ph;

            mb_read_phdr(f + phoff + (uint64_t)i * phentsize, is64, &ph);
            if (ph.type != ELF_PT_LOAD || ph.memsz == 0) {
                continue;
            }
            if (pass == 0) {
                if (ph.filesz > ph.memsz || ph.offset > l->file_len ||
                    ph.filesz > l->file_len - ph.offset) {
                    error_setg(errp, "-kernel %s: truncated: segment %u "
                               "needs file bytes up to %" PRIu64 ", the "
                               "file has %zu", l->kernel, i,
                               ph.offset + ph.filesz, l->file_len);
                    return false;
                }
                if (!mb_check_range(l, "segment", ph.paddr, ph.memsz,
                                    errp)) {
                    return false;
                }
                if (!entry_found && entry >= ph.vaddr &&
                    entry - ph.vaddr < ph.memsz) {
                    entry = entry - ph.vaddr + ph.paddr;
                    entry_found = true;
                }
                continue;
            }
            memcpy(l->ram + ph.paddr, f + ph.offset, ph.filesz);
            memset(l->ram + ph.paddr + ph.filesz, 0, ph.memsz - ph.filesz);
            mb_note_loaded(l, ph.paddr, ph.paddr + ph.memsz);
        }
    }
    if (!entry_found) {
        error_setg(errp, "-kernel %s: ELF entry point 0x%" PRIx64 " is not "
                   "in any loadable segment", l->kernel, entry);
        return false;
    }
    l->entry = entry;
    return true;
}

/* Builds the GDT descriptor for a flat 4 GiB segment of TYPE (0xa: code
 * execute/read, 0x2: data read/write), DPL 0, 32-bit, 4 KiB granular. */
static uint64_t mb_flat_descriptor(unsigned type)
{
    uint64_t d = 0xffff;                          /* limit 15..0 */

    d |= (uint64_t)(type | 0x10 | 0x80) << 40;    /* type, S, P */
    d |= (uint64_t)0xf << 48;                     /* limit 19..16 */
    d |= (uint64_t)0xc << 52;                     /* D/B, G */
    return d;
}

typedef struct MbModule {
    char *string;          /* "path args" as given */
    char *path;
    char *data;
    gsize len;
    uint32_t start;
} MbModule;

static void mb_free_modules(MbModule *mods, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        g_free(mods[i].string);
        g_free(mods[i].path);
        g_free(mods[i].data);
    }
    g_free(mods);
}

/* Main thread, BQL held, no vCPU running. */
bool multiboot_load(MemoryRegion *ram, uint64_t ram_size, const char *kernel,
                    const char *initrd, const char *cmdline,
                    MultibootBootState *out, Error **errp)
{
    return multiboot_load_split(ram, ram_size, 0, kernel, initrd, cmdline,
                                out, errp);
}

/* Main thread, BQL held, no vCPU running. */
bool multiboot_load_split(MemoryRegion *ram, uint64_t below_4g,
                          uint64_t above_4g, const char *kernel,
                          const char *initrd, const char *cmdline,
                          MultibootBootState *out, Error **errp)
{
    uint64_t ram_size = below_4g;
    MbLoader l = { .kernel = kernel, .load_lo = UINT32_MAX };
    g_autoptr(GError) gerr = NULL;
    g_autofree char *file = NULL;
    g_auto(GStrv) items = NULL;
    MbModule *mods = NULL;
    unsigned nmods = 0;
    g_autofree char *kcmdline = NULL;
    gsize file_len;
    uint64_t addr, info, mmap_len, str_len, info_len;
    uint8_t *p;
    bool ok = false;

    l.ram = memory_region_get_ram_ptr(ram);
    l.ram_size = MIN(ram_size, memory_region_size(ram));
    if (!g_file_get_contents(kernel, &file, &file_len, &gerr)) {
        error_setg(errp, "-kernel %s: %s", kernel, gerr->message);
        return false;
    }
    l.file = (const uint8_t *)file;
    l.file_len = file_len;

    if (!mb_find_header(&l, errp)) {
        return false;
    }
    /* Spec 3.1.2: an unknown requirement bit means "cannot load". */
    if (l.flags & 0xfff8u) {
        error_setg(errp, "-kernel %s: multiboot header requires features "
                   "0x%x this loader does not know", kernel,
                   l.flags & 0xfff8u);
        return false;
    }
    if (!((l.flags & MULTIBOOT_AOUT_KLUDGE) ? mb_load_aout(&l, errp)
                                            : mb_load_elf(&l, errp))) {
        return false;
    }

    /* Modules, each page-aligned after the kernel, and never below 1 MiB
     * (a low kernel's modules could run into the reserved legacy area). */
    addr = MAX(ROUND_UP((uint64_t)l.load_hi, MB_PAGE),
               (uint64_t)MB_HIGH_START);
    if (initrd && *initrd) {
        items = g_strsplit(initrd, ",", -1);
        nmods = g_strv_length(items);
        mods = g_new0(MbModule, nmods);
        for (unsigned i = 0; i < nmods; i++) {
            MbModule *m = &mods[i];

            m->string = g_strdup(items[i]);
            m->path = g_strndup(items[i], strcspn(items[i], " "));
            g_clear_error(&gerr);
            if (!g_file_get_contents(m->path, &m->data, &m->len, &gerr)) {
                error_setg(errp, "-initrd %s: %s", m->path, gerr->message);
                goto out;
            }
            m->start = addr;
            if (!mb_check_range(&l, "module", addr, m->len, errp)) {
                error_prepend(errp, "-initrd %s: ", m->path);
                goto out;
            }
            addr = ROUND_UP(addr + m->len, MB_PAGE);
        }
    }

    /* The command line the kernel sees is "<kernel file> <-append>", as
     * the established loader (and GRUB) pass it. */
    kcmdline = g_strdup_printf("%s %s", kernel, cmdline ? cmdline : "");
    cmdline = kcmdline;

    /* The boot-info block: info, GDT, mmap, module list, strings. */
    mmap_len = ((l.ram_size > MB_HIGH_START ? 4 : 3) + (above_4g ? 1 : 0)) *
               24;
    str_len = (cmdline ? strlen(cmdline) : 0) + 1 + sizeof("tandem");
    for (unsigned i = 0; i < nmods; i++) {
        str_len += strlen(mods[i].string) + 1;
    }
    info = addr;
    info_len = MBI_SIZE + 8 * MULTIBOOT_GDT_ENTRIES + mmap_len +
               16 * nmods + str_len;
    if (!mb_check_range(&l, "boot information", info, info_len, errp)) {
        goto out;
    }
    for (unsigned i = 0; i < nmods; i++) {
        memcpy(l.ram + mods[i].start, mods[i].data, mods[i].len);
    }
    p = l.ram + info;
    memset(p, 0, info_len);

    {
        uint32_t flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
                         MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
        uint64_t gdt = info + MBI_SIZE;
        uint64_t mmap = gdt + 8 * MULTIBOOT_GDT_ENTRIES;
        uint64_t modlist = mmap + mmap_len;
        uint64_t str = modlist + 16 * nmods;
        uint64_t high = MIN(l.ram_size, MB_4G);
        uint8_t *e;
        size_t n;

        /* mem_lower/mem_upper in KiB: conventional memory, and contiguous
         * memory from 1 MiB (spec 3.3: maximally the address of the first
         * upper memory hole minus 1 MiB). */
        mb_wr32(p + MBI_MEM_LOWER, MIN(l.ram_size, MB_LOW_TOP) / 1024);
        mb_wr32(p + MBI_MEM_UPPER,
                high > MB_HIGH_START ? (high - MB_HIGH_START) / 1024 : 0);

        out->gdt[0] = 0;
        out->gdt[1] = 0;
        out->gdt[2] = mb_flat_descriptor(0xa);
        out->gdt[3] = mb_flat_descriptor(0x2);
        for (int i = 0; i < MULTIBOOT_GDT_ENTRIES; i++) {
            mb_wr64(l.ram + gdt + 8 * i, out->gdt[i]);
        }

        /* E820-style map: each entry is size (20), base, length, type. */
        e = l.ram + mmap;
        {
            static const struct { uint32_t base, end, type; } low[3] = {
                { 0, MB_LOW_TOP, E820_RAM },
                { MB_LOW_TOP, MB_EBDA_END, E820_RESERVED },
                { MB_BIOS_START, MB_HIGH_START, E820_RESERVED },
            };
            for (int i = 0; i < 3; i++, e += 24) {
                mb_wr32(e, 20);
                mb_wr64(e + 4, low[i].base);
                mb_wr64(e + 12, MIN(low[i].end, l.ram_size) -
                                MIN(low[i].base, l.ram_size));
                mb_wr32(e + 20, low[i].type);
            }
            if (l.ram_size > MB_HIGH_START) {
                mb_wr32(e, 20);
                mb_wr64(e + 4, MB_HIGH_START);
                mb_wr64(e + 12, l.ram_size - MB_HIGH_START);
                mb_wr32(e + 20, E820_RAM);
                e += 24;
            }
            if (above_4g) {
                /* The RAM the PCI hole displaced, above 4 GiB. */
                mb_wr32(e, 20);
                mb_wr64(e + 4, MB_4G);
                mb_wr64(e + 12, above_4g);
                mb_wr32(e + 20, E820_RAM);
            }
        }
        mb_wr32(p + MBI_MMAP_LENGTH, mmap_len);
        mb_wr32(p + MBI_MMAP_ADDR, mmap);

        /* Strings. */
        n = cmdline ? strlen(cmdline) : 0;
        memcpy(l.ram + str, cmdline ? cmdline : "", n + 1);
        mb_wr32(p + MBI_CMDLINE, str);
        str += n + 1;
        memcpy(l.ram + str, "tandem", sizeof("tandem"));
        mb_wr32(p + MBI_LOADER_NAME, str);
        str += sizeof("tandem");

        for (unsigned i = 0; i < nmods; i++) {
            uint8_t *m = l.ram + modlist + 16 * i;

            n = strlen(mods[i].string);
            memcpy(l.ram + str, mods[i].string, n + 1);
            mb_wr32(m, mods[i].start);
            mb_wr32(m + 4, mods[i].start + mods[i].len);
            mb_wr32(m + 8, str);
            str += n + 1;
        }
        if (nmods) {
            flags |= MULTIBOOT_INFO_MODS;
        }
        mb_wr32(p + MBI_MODS_COUNT, nmods);
        mb_wr32(p + MBI_MODS_ADDR, nmods ? modlist : 0);
        mb_wr32(p + MBI_FLAGS, flags);

        out->gdt_base = gdt;
    }

    out->eip = l.entry;
    out->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    out->ebx = info;
    out->gdt_limit = 8 * MULTIBOOT_GDT_ENTRIES - 1;
    out->cs = MULTIBOOT_CODE_SEL;
    out->ds = MULTIBOOT_DATA_SEL;
    out->kernel_start = l.load_lo;
    out->kernel_end = l.load_hi;
    out->nr_modules = nmods;
    ok = true;
out:
    mb_free_modules(mods, nmods);
    return ok;
}

/* Loads a segment cache from descriptor DESC as a protected-mode segment
 * load would (SDM Vol 3A 3.4.3), setting the accessed bit. */
static void mb_load_seg(SegmentCache *sc, uint16_t sel, uint64_t desc)
{
    uint32_t limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000);

    desc |= 1ull << 40;                  /* accessed */
    if (desc & (1ull << 55)) {           /* G: 4 KiB granularity */
        limit = (limit << 12) | 0xfff;
    }
    sc->selector = sel;
    sc->base = ((desc >> 16) & 0xffffff) | ((desc >> 32) & 0xff000000);
    sc->limit = limit;
    sc->flags = (desc >> 32) & 0x00f0ff00;
}

/* Owner vCPU thread, or while the vCPU is stopped (reset).  Recomputes
 * hflags with x86_update_hflags (cpu.c; a weak fallback in
 * flags-fallback.c until cpu.c lands). */
void x86_cpu_apply_multiboot(X86CPU *cpu, const MultibootBootState *bs)
{
    CPUX86State *env = &cpu->env;

    memset(env->regs, 0, sizeof(env->regs));
    env->regs[R_EAX] = bs->eax;
    env->regs[R_EBX] = bs->ebx;
    env->eip = bs->eip;
    env->eflags = 0x2;
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = 0;
    env->df = 1;
    env->cr[0] = (env->cr[0] & ~(uint64_t)CR0_PG) | CR0_PE;
    env->efer = 0;
    env->a20_mask = ~0ull;
    env->gdt.base = bs->gdt_base;
    env->gdt.limit = bs->gdt_limit;
    for (int r = 0; r < SEG_COUNT; r++) {
        uint16_t sel = r == R_CS ? bs->cs : bs->ds;

        mb_load_seg(&env->segs[r], sel, bs->gdt[sel >> 3]);
    }
    env->hflags &= ~HF_INHIBIT_IRQ_MASK;
    x86_update_hflags(env);
}
