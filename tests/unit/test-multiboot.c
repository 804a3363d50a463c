/*
 * test-multiboot.c: unit tests for the multiboot v1 loader
 * (hw/i386/multiboot.c) without a CPU or a machine.
 *
 * Each test writes a kernel image (an ELF32 built here byte by byte, or an
 * a.out-kludge image) and module files to a temporary directory, loads
 * them into a bare 32 MiB RAM region with multiboot_load(), and then reads
 * guest RAM back: the loaded bytes and zeroed bss, the information
 * structure (flags, mem_lower/mem_upper, the E820-style memory map, the
 * command line, the boot loader name, the module list and module strings),
 * the GDT, and the boot state.  x86_cpu_apply_multiboot() is checked on a
 * zeroed X86CPU.  The main thread holds the BQL throughout, as pc_init
 * does.
 */
#include "util/osdep.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/memory.h"
#include "hw/i386/multiboot.h"
#include "target/i386/cpu.h"

#define MIB (1u << 20)
#define RAM_SIZE (32 * MIB)

static char *tmpdir;

static uint32_t rd32(const uint8_t *ram, uint64_t addr)
{
    uint32_t v;

    memcpy(&v, ram + addr, 4);
    return v;
}

static uint64_t rd64(const uint8_t *ram, uint64_t addr)
{
    uint64_t v;

    memcpy(&v, ram + addr, 8);
    return v;
}

static char *write_file(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmpdir, name, NULL);

    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

static void put32(GByteArray *a, uint32_t v)
{
    g_byte_array_append(a, (const guint8 *)&v, 4);
}

static void put16(GByteArray *a, uint16_t v)
{
    g_byte_array_append(a, (const guint8 *)&v, 2);
}

static void mb_header(GByteArray *a, uint32_t flags)
{
    put32(a, MULTIBOOT_HEADER_MAGIC);
    put32(a, flags);
    put32(a, -(MULTIBOOT_HEADER_MAGIC + flags));
}

/* An ELF32 i386 file with two PT_LOADs: code at paddr 0x200000 (vaddr
 * 0xc0200000, entry 8 bytes in), and data with 0x3000 bytes of bss at
 * paddr 0x300000. */
static GByteArray *build_elf32(void)
{
    GByteArray *a = g_byte_array_new();
    static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
    uint32_t off0 = 52 + 2 * 32, len0 = 64, off1 = off0 + len0, len1 = 16;

    g_byte_array_append(a, ident, 16);
    put16(a, 2);              /* ET_EXEC */
    put16(a, 3);              /* EM_386 */
    put32(a, 1);
    put32(a, 0xc0200008);     /* e_entry (virtual) */
    put32(a, 52);             /* e_phoff */
    put32(a, 0);
    put32(a, 0);
    put16(a, 52);
    put16(a, 32);
    put16(a, 2);              /* e_phnum */
    put16(a, 40);
    put16(a, 0);
    put16(a, 0);
    /* phdr 0 */
    put32(a, 1); put32(a, off0); put32(a, 0xc0200000); put32(a, 0x200000);
    put32(a, len0); put32(a, len0); put32(a, 5); put32(a, 4096);
    /* phdr 1 */
    put32(a, 1); put32(a, off1); put32(a, 0xc0300000); put32(a, 0x300000);
    put32(a, len1); put32(a, len1 + 0x3000); put32(a, 6); put32(a, 4096);
    /* segment 0: the multiboot header (no kludge), then a pattern */
    mb_header(a, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
    for (uint32_t i = 12; i < len0; i++) {
        g_byte_array_append(a, (const guint8[]){ (uint8_t)(i * 7) }, 1);
    }
    for (uint32_t i = 0; i < len1; i++) {
        g_byte_array_append(a, (const guint8[]){ (uint8_t)(0xa0 + i) }, 1);
    }
    return a;
}

typedef struct Loaded {
    MemoryRegion ram;
    uint8_t *p;
    MultibootBootState bs;
} Loaded;

static void load_ok(Loaded *l, const char *kernel, const char *initrd,
                    const char *cmdline)
{
    Error *err = NULL;

    g_assert_true(memory_region_init_ram(&l->ram, "ram", RAM_SIZE, &err));
    l->p = memory_region_get_ram_ptr(&l->ram);
    memset(l->p, 0x5a, RAM_SIZE);   /* so that zeroing is visible */
    if (!multiboot_load(&l->ram, RAM_SIZE, kernel, initrd, cmdline, &l->bs,
                        &err)) {
        g_error("multiboot_load: %s", error_get_pretty(err));
    }
}

/* The parts of the info structure every load has. */
static void check_info_common(Loaded *l, const char *cmdline)
{
    uint8_t *p = l->p;
    uint32_t info = l->bs.ebx, flags = rd32(p, info + MBI_FLAGS);
    uint32_t mmap = rd32(p, info + MBI_MMAP_ADDR);
    static const uint64_t want[4][3] = {
        { 0, 0x9fc00, 1 },
        { 0x9fc00, 0x400, 2 },
        { 0xf0000, 0x10000, 2 },
        { 0x100000, RAM_SIZE - 0x100000, 1 },
    };

    g_assert_cmphex(l->bs.eax, ==, 0x2BADB002);
    g_assert_cmphex(info % 4096, ==, 0);
    g_assert_cmphex(flags & (MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
                             MULTIBOOT_INFO_MEM_MAP |
                             MULTIBOOT_INFO_LOADER_NAME), ==,
                    MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
                    MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME);
    g_assert_cmpuint(rd32(p, info + MBI_MEM_LOWER), ==, 639);
    g_assert_cmpuint(rd32(p, info + MBI_MEM_UPPER), ==,
                     (RAM_SIZE - MIB) / 1024);
    g_assert_cmpstr((char *)p + rd32(p, info + MBI_CMDLINE), ==, cmdline);
    g_assert_cmpstr((char *)p + rd32(p, info + MBI_LOADER_NAME), ==,
                    "tandem");

    g_assert_cmpuint(rd32(p, info + MBI_MMAP_LENGTH), ==, 4 * 24);
    for (int i = 0; i < 4; i++) {
        uint32_t e = mmap + 24 * i;

        g_assert_cmpuint(rd32(p, e), ==, 20);
        g_assert_cmphex(rd64(p, e + 4), ==, want[i][0]);
        g_assert_cmphex(rd64(p, e + 12), ==, want[i][1]);
        g_assert_cmpuint(rd32(p, e + 20), ==, want[i][2]);
    }

    /* The GDT in RAM matches the boot state and is flat. */
    g_assert_cmpuint(l->bs.gdt_limit, ==, 31);
    g_assert_cmphex(l->bs.cs, ==, 0x10);
    g_assert_cmphex(l->bs.ds, ==, 0x18);
    g_assert_cmphex(l->bs.gdt[2], ==, 0x00cf9a000000ffffull);
    g_assert_cmphex(l->bs.gdt[3], ==, 0x00cf92000000ffffull);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(rd64(p, l->bs.gdt_base + 8 * i), ==, l->bs.gdt[i]);
    }
}

static void test_elf32(void)
{
    g_autoptr(GByteArray) elf = build_elf32();
    g_autofree char *kernel = write_file("k.elf", elf->data, elf->len);
    g_autofree char *m1 = write_file("m1", "module-one", 10);
    g_autofree char *m2 = write_file("m2", "2", 1);
    g_autofree char *m1_string = g_strdup_printf("%s arg1 arg2", m1);
    g_autofree char *initrd = g_strdup_printf("%s,%s", m1_string, m2);
    Loaded l;
    uint8_t *p;
    uint32_t info, mods;

    load_ok(&l, kernel, initrd, "console=ttyS0 x=1");
    p = l.p;
    {
        g_autofree char *want = g_strdup_printf("%s console=ttyS0 x=1",
                                                kernel);
        check_info_common(&l, want);
    }

    /* Segments at their physical addresses; bss zeroed; nothing else. */
    g_assert_cmpmem(p + 0x200000, 64, elf->data + 116, 64);
    g_assert_cmpmem(p + 0x300000, 16, elf->data + 180, 16);
    for (int i = 0; i < 0x3000; i++) {
        g_assert_cmpuint(p[0x300010 + i], ==, 0);
    }
    g_assert_cmpuint(p[0x1fffff], ==, 0x5a);
    g_assert_cmpuint(p[0x200040], ==, 0x5a);
    g_assert_cmpuint(p[0x303010], ==, 0x5a);

    g_assert_cmphex(l.bs.eip, ==, 0x200008);   /* e_entry, made physical */
    g_assert_cmphex(l.bs.kernel_start, ==, 0x200000);
    g_assert_cmphex(l.bs.kernel_end, ==, 0x303010);

    /* Modules page-aligned after the kernel, with their strings. */
    info = l.bs.ebx;
    g_assert_true(rd32(p, info + MBI_FLAGS) & MULTIBOOT_INFO_MODS);
    g_assert_cmpuint(rd32(p, info + MBI_MODS_COUNT), ==, 2);
    g_assert_cmpuint(l.bs.nr_modules, ==, 2);
    mods = rd32(p, info + MBI_MODS_ADDR);
    g_assert_cmphex(rd32(p, mods), ==, 0x304000);
    g_assert_cmphex(rd32(p, mods + 4), ==, 0x304000 + 10);
    g_assert_cmpmem(p + 0x304000, 10, "module-one", 10);
    g_assert_cmpstr((char *)p + rd32(p, mods + 8), ==, m1_string);
    g_assert_cmphex(rd32(p, mods + 16), ==, 0x305000);
    g_assert_cmphex(rd32(p, mods + 20), ==, 0x305001);
    g_assert_cmpuint(p[0x305000], ==, '2');
    g_assert_cmpstr((char *)p + rd32(p, mods + 24), ==, m2);
    g_assert_cmphex(info, ==, 0x306000);

    memory_region_finalize(&l.ram);
}

static void test_aout_kludge(void)
{
    g_autoptr(GByteArray) a = g_byte_array_new();
    g_autofree char *kernel = NULL;
    Loaded l;
    uint8_t *p;

    /* 16 bytes of prefix in the file, then the header at 0x110010. */
    for (int i = 0; i < 16; i++) {
        g_byte_array_append(a, (const guint8[]){ 0xee }, 1);
    }
    mb_header(a, MULTIBOOT_AOUT_KLUDGE);
    put32(a, 0x110010);         /* header_addr */
    put32(a, 0x110000);         /* load_addr */
    put32(a, 0x110100);         /* load_end_addr */
    put32(a, 0x112000);         /* bss_end_addr */
    put32(a, 0x110030);         /* entry_addr */
    while (a->len < 0x100) {
        g_byte_array_append(a, (const guint8[]){ (uint8_t)a->len }, 1);
    }
    /* Bytes after load_end_addr are not loaded. */
    g_byte_array_append(a, (const guint8 *)"TRAILER", 7);
    kernel = write_file("k.bin", a->data, a->len);

    load_ok(&l, kernel, NULL, NULL);
    p = l.p;
    {
        g_autofree char *want = g_strdup_printf("%s ", kernel);
        check_info_common(&l, want);
    }
    g_assert_cmpmem(p + 0x110000, 0x100, a->data, 0x100);
    for (int i = 0x110100; i < 0x112000; i++) {
        g_assert_cmpuint(p[i], ==, 0);
    }
    g_assert_cmpuint(p[0x10ffff], ==, 0x5a);
    g_assert_cmphex(l.bs.eip, ==, 0x110030);
    g_assert_cmphex(l.bs.ebx, ==, 0x112000);
    g_assert_false(rd32(p, l.bs.ebx + MBI_FLAGS) & MULTIBOOT_INFO_MODS);
    g_assert_cmpuint(rd32(p, l.bs.ebx + MBI_MODS_COUNT), ==, 0);
    memory_region_finalize(&l.ram);
}

static void put64(GByteArray *a, uint64_t v)
{
    g_byte_array_append(a, (const guint8 *)&v, 8);
}

/* ELF64 x86-64, one PT_LOAD: vaddr 0xffffffff80400000 at paddr 0x400000,
 * entry 0x10 into it, 0x100 bytes of file and 0x1000 of memory. */
static void test_elf64(void)
{
    g_autoptr(GByteArray) a = g_byte_array_new();
    static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    g_autofree char *kernel = NULL;
    const uint64_t vbase = 0xffffffff80400000ull;
    Loaded l;

    g_byte_array_append(a, ident, 16);
    put16(a, 2);
    put16(a, 62);             /* EM_X86_64 */
    put32(a, 1);
    put64(a, vbase + 0x10);   /* e_entry */
    put64(a, 64);             /* e_phoff */
    put64(a, 0);
    put32(a, 0);
    put16(a, 64);
    put16(a, 56);
    put16(a, 1);
    put16(a, 64);
    put16(a, 0);
    put16(a, 0);
    put32(a, 1); put32(a, 7); put64(a, 0x1000); put64(a, vbase);
    put64(a, 0x400000); put64(a, 0x100); put64(a, 0x1000); put64(a, 0x1000);
    while (a->len < 0x1000) {
        g_byte_array_append(a, (const guint8[]){ 0 }, 1);
    }
    mb_header(a, 0);
    while (a->len < 0x1100) {
        g_byte_array_append(a, (const guint8[]){ (uint8_t)a->len ^ 0x33 },
                            1);
    }
    kernel = write_file("k64.elf", a->data, a->len);

    load_ok(&l, kernel, NULL, "x");
    g_assert_cmpmem(l.p + 0x400000, 0x100, a->data + 0x1000, 0x100);
    for (int i = 0x400100; i < 0x401000; i++) {
        g_assert_cmpuint(l.p[i], ==, 0);
    }
    g_assert_cmphex(l.bs.eip, ==, 0x400010);
    g_assert_cmphex(l.bs.ebx, ==, 0x401000);
    memory_region_finalize(&l.ram);
}

/* A kernel that ends just below the EBDA gets its modules and boot
 * information above 1 MiB, not in the reserved legacy area. */
static void test_low_kernel(void)
{
    g_autoptr(GByteArray) a = g_byte_array_new();
    g_autofree char *kernel = NULL;
    Loaded l;

    mb_header(a, MULTIBOOT_AOUT_KLUDGE);
    put32(a, 0x90000);
    put32(a, 0x90000);
    put32(a, 0);
    put32(a, 0x9f800);
    put32(a, 0x90020);
    kernel = write_file("low.bin", a->data, a->len);
    load_ok(&l, kernel, NULL, NULL);
    g_assert_cmphex(l.bs.ebx, ==, 0x100000);
    g_assert_cmphex(l.bs.eip, ==, 0x90020);
    memory_region_finalize(&l.ram);
}

static void test_bad(void)
{
    g_autoptr(GByteArray) a = g_byte_array_new();
    g_autofree char *kernel = NULL;
    MemoryRegion ram;
    MultibootBootState bs;
    Error *err = NULL;
    uint8_t *p;

    g_assert_true(memory_region_init_ram(&ram, "ram", RAM_SIZE, &err));
    p = memory_region_get_ram_ptr(&ram);
    memset(p, 0x5a, RAM_SIZE);

    /* A segment that starts in RAM but ends past it writes nothing. */
    mb_header(a, MULTIBOOT_AOUT_KLUDGE);
    put32(a, 0x100000);
    put32(a, 0x100000);
    put32(a, 0);
    put32(a, RAM_SIZE + 1);
    put32(a, 0x100000);
    kernel = write_file("bad.bin", a->data, a->len);
    g_assert_false(multiboot_load(&ram, RAM_SIZE, kernel, NULL, NULL, &bs,
                                  &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "outside guest RAM"));
    g_assert_nonnull(strstr(error_get_pretty(err), kernel));
    error_free(err);
    err = NULL;
    g_assert_cmpuint(p[0x100000], ==, 0x5a);

    g_assert_false(multiboot_load(&ram, RAM_SIZE, "/nonexistent/k", NULL,
                                  NULL, &bs, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "-kernel /nonexistent/k"));
    error_free(err);
    memory_region_finalize(&ram);
}

/* Every prefix of a good ELF32 and a thousand corrupted copies (random
 * bytes in the headers) load or fail cleanly: an error with a message that
 * names the file, never a crash or a write outside RAM (run under ASan). */
static void test_fuzz(void)
{
    g_autoptr(GByteArray) elf = build_elf32();
    g_autofree char *path = g_build_filename(tmpdir, "fuzz.elf", NULL);
    g_autofree char *modpath = write_file("fuzzmod", "m", 1);
    GRand *rand = g_rand_new_with_seed(4);
    MemoryRegion ram;
    MultibootBootState bs;
    Error *err = NULL;
    int loaded = 0, refused = 0;

    g_assert_true(memory_region_init_ram(&ram, "ram", RAM_SIZE, &err));
    for (int i = 0; i < (int)elf->len + 1000; i++) {
        g_autofree uint8_t *copy = g_memdup2(elf->data, elf->len);
        size_t len = elf->len;

        if (i < (int)elf->len) {
            len = i;                          /* truncated */
        } else {
            for (int k = g_rand_int_range(rand, 1, 6); k > 0; k--) {
                copy[g_rand_int_range(rand, 0, 128)] = g_rand_int(rand);
            }
        }
        g_assert_true(g_file_set_contents_full(path, (char *)copy, len,
                                               G_FILE_SET_CONTENTS_NONE,
                                               0644, NULL));
        if (multiboot_load(&ram, RAM_SIZE, path, modpath, "c", &bs, &err)) {
            g_assert_null(err);
            g_assert_cmpuint(bs.ebx, <, RAM_SIZE);
            loaded++;
        } else {
            g_assert_nonnull(err);
            g_assert_nonnull(strstr(error_get_pretty(err), path));
            g_assert_null(strchr(error_get_pretty(err), '\n'));
            error_free(err);
            err = NULL;
            refused++;
        }
    }
    g_assert_cmpint(loaded, >, 0);
    g_assert_cmpint(refused, >, 0);
    g_rand_free(rand);
    memory_region_finalize(&ram);
}

static void test_apply(void)
{
    X86CPU *cpu = g_new0(X86CPU, 1);
    CPUX86State *env = &cpu->env;
    MultibootBootState bs = {
        .eip = 0x100020, .eax = 0x2BADB002, .ebx = 0x9000,
        .gdt_base = 0x9058, .gdt_limit = 31, .cs = 0x10, .ds = 0x18,
        .gdt = { 0, 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull },
    };

    env->regs[R_ECX] = 77;
    env->cr[0] = 0x80000011;
    env->efer = 0x500;
    x86_cpu_apply_multiboot(cpu, &bs);
    g_assert_cmphex(env->regs[R_EAX], ==, 0x2BADB002);
    g_assert_cmphex(env->regs[R_EBX], ==, 0x9000);
    g_assert_cmphex(env->regs[R_ECX], ==, 0);
    g_assert_cmphex(env->eip, ==, 0x100020);
    g_assert_cmphex(env->eflags, ==, 2);
    g_assert_cmphex(env->cr[0], ==, 0x11);      /* PE, ET kept; PG off */
    g_assert_cmphex(env->efer, ==, 0);
    g_assert_cmphex(env->gdt.base, ==, 0x9058);
    g_assert_cmphex(env->gdt.limit, ==, 31);
    for (int r = 0; r < SEG_COUNT; r++) {
        SegmentCache *sc = &env->segs[r];

        g_assert_cmphex(sc->selector, ==, r == R_CS ? 0x10 : 0x18);
        g_assert_cmphex(sc->base, ==, 0);
        g_assert_cmphex(sc->limit, ==, 0xffffffff);
        g_assert_true(sc->flags & DESC_P_MASK);
        g_assert_true(sc->flags & DESC_S_MASK);
        g_assert_true(sc->flags & DESC_B_MASK);
        g_assert_true(sc->flags & DESC_G_MASK);
        g_assert_cmphex((sc->flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT, ==,
                        r == R_CS ? 0xb : 0x3);   /* accessed set */
    }
    /* hflags: CPL 0, protected mode, 32-bit code and stack, no paging. */
    g_assert_cmphex(env->hflags & HF_CPL_MASK, ==, 0);
    g_assert_true(env->hflags & HF_PE_MASK);
    g_assert_true(env->hflags & HF_CS32_MASK);
    g_assert_true(env->hflags & HF_SS32_MASK);
    g_assert_false(env->hflags & (HF_PG_MASK | HF_LMA_MASK | HF_CS64_MASK |
                                  HF_VM_MASK));
    g_free(cpu);
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    tmpdir = g_dir_make_tmp("test-multiboot-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/multiboot/elf32", test_elf32);
    g_test_add_func("/multiboot/aout-kludge", test_aout_kludge);
    g_test_add_func("/multiboot/elf64", test_elf64);
    g_test_add_func("/multiboot/low-kernel", test_low_kernel);
    g_test_add_func("/multiboot/bad", test_bad);
    g_test_add_func("/multiboot/fuzz", test_fuzz);
    g_test_add_func("/multiboot/apply", test_apply);
    r = g_test_run();

    {
        g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(tmpdir, name, NULL);
            unlink(path);
        }
        rmdir(tmpdir);
    }
    bql_unlock();
    return r;
}
