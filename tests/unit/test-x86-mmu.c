/*
 * test-x86-mmu.c: the x86 page walker (target/i386/mmu_helper.c), called
 * directly on an X86CPU env with guest RAM in address_space_memory.
 *
 * Each test writes paging structures into RAM, sets CR0/CR3/CR4/EFER and
 * calls x86_mmu_translate(): the result (physical address, rights, page
 * size) or the #PF (error code bits, CR2 value) is checked exactly, as are
 * the A/D bits left in the entries.  The last test has two threads walk
 * the same PTE at once (one reading, one writing) many times and checks
 * that neither the A nor the D update is ever lost.
 *
 * The main thread holds no BQL while walking (the walker runs on vCPU
 * threads without it); RAM is added with the BQL at start-up.
 */
#include "target/i386/helper.h"
#include "system/bql.h"
#include "system/rcu.h"
#include "system/memory.h"

#define RAM_SIZE (16u << 20)

static MemoryRegion ram;
static X86CPU xcpu;
static CPUX86State *env = &xcpu.env;

static void wq(hwaddr a, uint64_t v)
{
    address_space_stq_le(&address_space_memory, a, v, MEMTXATTRS_UNSPECIFIED,
                         NULL);
}

static void wl(hwaddr a, uint32_t v)
{
    address_space_stl_le(&address_space_memory, a, v, MEMTXATTRS_UNSPECIFIED,
                         NULL);
}

static uint64_t rq(hwaddr a)
{
    return address_space_ldq_le(&address_space_memory, a,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint32_t rl(hwaddr a)
{
    return address_space_ldl_le(&address_space_memory, a,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static void clear_ram(void)
{
    static uint8_t zero[0x10000];
    for (hwaddr a = 0; a < 0x200000; a += sizeof(zero)) {
        address_space_write(&address_space_memory, a, MEMTXATTRS_UNSPECIFIED,
                            zero, sizeof(zero));
    }
}

static void reset_env(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    memset(env, 0, sizeof(*env));
    env->a20_mask = ~0ull;
    env->cr[0] = cr0;
    env->cr[4] = cr4;
    env->efer = efer;
    if (efer & EFER_LMA) {
        env->hflags |= HF_LMA_MASK;
    }
    env->old_exception = -1;
    clear_ram();
}

/* Translates and expects success. */
static X86TranslateResult ok(vaddr a, MMUAccessType t, int idx)
{
    X86TranslateResult r;
    X86Fault f;

    if (!x86_mmu_translate(env, a, t, idx, &r, &f)) {
        g_error("unexpected fault %d/%#x at %#" PRIx64, f.vector,
                f.error_code, a);
    }
    g_assert_cmpint(f.vector, ==, -1);
    return r;
}

/* Translates and expects #PF with error code err. */
static void pf(vaddr a, MMUAccessType t, int idx, uint32_t err)
{
    X86TranslateResult r;
    X86Fault f;

    g_assert_false(x86_mmu_translate(env, a, t, idx, &r, &f));
    g_assert_cmpint(f.vector, ==, EXCP0E_PAGE);
    g_assert_true(f.has_error_code);
    g_assert_cmphex(f.error_code, ==, err);
    g_assert_cmphex(f.cr2, ==, a);
}

#define P  0x1
#define RW 0x2
#define US 0x4
#define A  0x20
#define D  0x40
#define PS 0x80
#define NX (1ull << 63)

static void test_paging_off(void)
{
    X86TranslateResult r;

    reset_env(CR0_PE, 0, 0);
    r = ok(0x1234567, MMU_DATA_STORE, X86_MMU_PHYS);
    g_assert_cmphex(r.paddr, ==, 0x1234567);
    g_assert_cmpint(r.prot, ==, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    /* A20 gate off: bit 20 masked; 32-bit wrap outside long mode. */
    env->a20_mask = ~(1ull << 20);
    r = ok(0x123456, MMU_DATA_LOAD, X86_MMU_PHYS);
    g_assert_cmphex(r.paddr, ==, 0x023456);
    r = ok(0x100000010ull, MMU_DATA_LOAD, X86_MMU_PHYS);
    g_assert_cmphex(r.paddr, ==, 0x10);
}

static void test_32bit(void)
{
    X86TranslateResult r;

    reset_env(CR0_PE | CR0_PG, 0, 0);
    env->cr[3] = 0x10000;
    /* PDE 1 (4M..8M) -> PT at 0x11000; PTE 5 -> 0x123000 */
    wl(0x10000 + 1 * 4, 0x11000 | P | RW | US);
    wl(0x11000 + 5 * 4, 0x123000 | P | RW | US);
    r = ok(0x405abc, MMU_DATA_LOAD, X86_MMU_USER);
    g_assert_cmphex(r.paddr, ==, 0x123abc);
    g_assert_cmpuint(r.page_size, ==, 4096);
    /* D clear: mapped without write so the first write comes back. */
    g_assert_cmpint(r.prot, ==, PAGE_READ | PAGE_EXEC);
    g_assert_cmphex(rl(0x10004), ==, 0x11000 | P | RW | US | A);
    g_assert_cmphex(rl(0x11014), ==, 0x123000 | P | RW | US | A);
    r = ok(0x405abc, MMU_DATA_STORE, X86_MMU_USER);
    g_assert_cmpint(r.prot, ==, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    g_assert_cmphex(rl(0x11014), ==, 0x123000 | P | RW | US | A | D);
    /* D only on the leaf. */
    g_assert_cmphex(rl(0x10004), ==, 0x11000 | P | RW | US | A);

    /* PSE off: PS in a PDE is ignored (treated as a PT pointer). */
    wl(0x10000 + 2 * 4, 0x12000 | P | RW | PS);
    wl(0x12000, 0x200000 | P | RW);
    r = ok(0x800000, MMU_DATA_LOAD, X86_MMU_KSMAP);
    g_assert_cmphex(r.paddr, ==, 0x200000);
    /* PSE on: a 4 MiB page, PSE-36 high bits. */
    env->cr[4] = CR4_PSE;
    wl(0x10000 + 3 * 4, 0x00c00000 | (0x3 << 13) | P | RW | PS);
    r = ok(0xc12345, MMU_DATA_LOAD, X86_MMU_KSMAP);
    g_assert_cmphex(r.paddr, ==, 0x300c12345ull);
    g_assert_cmpuint(r.page_size, ==, 4u << 20);
    /* bit 21 of a 4M PDE is reserved */
    wl(0x10000 + 4 * 4, 0x01000000 | (1u << 21) | P | RW | PS);
    pf(0x1000000, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x9);
}

static void test_pae(void)
{
    X86TranslateResult r;

    reset_env(CR0_PE | CR0_PG, CR4_PAE, EFER_NXE);
    env->cr[3] = 0x10020;             /* 32-byte aligned PDPT */
    wq(0x10020 + 2 * 8, 0x11000 | P); /* 2G..3G */
    wq(0x11000 + 3 * 8, 0x12000 | P | RW | US);
    wq(0x12000 + 4 * 8, 0x345000 | P | RW | US | NX);
    r = ok(0x80604123, MMU_DATA_LOAD, X86_MMU_USER);
    g_assert_cmphex(r.paddr, ==, 0x345123);
    g_assert_cmpint(r.prot, ==, PAGE_READ);
    pf(0x80604123, MMU_INST_FETCH, X86_MMU_USER, 0x15);
    /* 2 MiB page */
    wq(0x11000 + 5 * 8, 0x600000 | P | RW | PS | D);
    r = ok(0x80a12345, MMU_DATA_STORE, X86_MMU_KSMAP);
    g_assert_cmphex(r.paddr, ==, 0x612345);
    g_assert_cmpuint(r.page_size, ==, 2u << 20);
    g_assert_cmpint(r.prot, ==, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    /* 2 MiB page with bit 13 set: reserved */
    wq(0x11000 + 6 * 8, 0x800000 | (1 << 13) | P | RW | PS);
    pf(0x80c00000, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x9);
    /* PDPTE not present, and with a reserved bit (bit 1) */
    pf(0x40000000, MMU_DATA_STORE, X86_MMU_USER, 0x6);
    wq(0x10020 + 1 * 8, 0x13000 | P | RW);
    pf(0x40000000, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x9);
    /* NX without EFER.NXE is a reserved bit */
    env->efer = 0;
    pf(0x80604123, MMU_DATA_LOAD, X86_MMU_USER, 0xd);
}

/* Builds a 4-level map at 0x20000: PML4[0] -> PDPT 0x21000 -> PD 0x22000
 * -> PT 0x23000.  Returns nothing; entries set by the caller for leaves. */
static void build_4level(uint64_t cr4)
{
    reset_env(CR0_PE | CR0_PG | CR0_WP, CR4_PAE | cr4, EFER_LME | EFER_LMA |
              EFER_NXE);
    env->cr[3] = 0x20000;
    wq(0x20000, 0x21000 | P | RW | US);
    wq(0x21000, 0x22000 | P | RW | US);
    wq(0x22000, 0x23000 | P | RW | US);
}

static void test_4level(void)
{
    X86TranslateResult r;

    build_4level(0);
    wq(0x23000 + 7 * 8, 0x456000 | P | RW | US);
    r = ok(0x7abc, MMU_DATA_LOAD, X86_MMU_USER);
    g_assert_cmphex(r.paddr, ==, 0x456abc);
    for (hwaddr a = 0x20000; a <= 0x23000; a += 0x1000) {
        g_assert_cmphex(rq(a + (a == 0x23000 ? 7 * 8 : 0)) & A, ==, A);
    }
    /* 2 MiB and 1 GiB pages */
    wq(0x22000 + 1 * 8, 0xa00000 | P | RW | PS);
    r = ok(0x212345, MMU_DATA_LOAD, X86_MMU_KSMAP);
    g_assert_cmphex(r.paddr, ==, 0xa12345);
    g_assert_cmpuint(r.page_size, ==, 2u << 20);
    wq(0x21000 + 1 * 8, 0x80000000ull | P | RW | PS);
    /* PS in a PDPTE without the 1 GiB-page feature: reserved */
    pf(0x40001000, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x9);
    env->features[FEAT_8000_0001_EDX] |= 1u << 26;
    r = ok(0x40001000, MMU_DATA_LOAD, X86_MMU_KSMAP);
    g_assert_cmphex(r.paddr, ==, 0x80001000ull);
    g_assert_cmpuint(r.page_size, ==, 1u << 30);
    /* PS in a PML4E is always reserved */
    wq(0x20000 + 8, 0x21000 | P | RW | PS);
    pf(0x8000000000ull, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x9);
    /* a physical address bit above MAXPHYADDR (40) is reserved */
    wq(0x23000 + 8 * 8, (1ull << 45) | 0x1000 | P | RW);
    pf(0x8000, MMU_DATA_STORE, X86_MMU_KSMAP, 0xb);
    /* non-canonical: #GP(0), not #PF */
    {
        X86Fault f;
        g_assert_false(x86_mmu_translate(env, 0x0000800000000000ull,
                                         MMU_DATA_LOAD, X86_MMU_KSMAP, &r,
                                         &f));
        g_assert_cmpint(f.vector, ==, EXCP0D_GPF);
        g_assert_cmphex(f.error_code, ==, 0);
    }
    /* high canonical half: PML4 entry 511 */
    wq(0x20000 + 511 * 8, 0x21000 | P | RW);
    r = ok(0xffffff8000007abcull, MMU_DATA_LOAD, X86_MMU_KSMAP);
    g_assert_cmphex(r.paddr, ==, 0x456abc);
}

static void test_la57(void)
{
    X86TranslateResult r;

    build_4level(CR4_LA57);
    /* CR3 -> PML5 at 0x24000; entry 1 (bit 48 set) -> the PML4 */
    env->cr[3] = 0x24000;
    wq(0x24000 + 1 * 8, 0x20000 | P | RW | US);
    wq(0x23000 + 2 * 8, 0x777000 | P | RW | US);
    r = ok(0x0001000000002010ull, MMU_DATA_LOAD, X86_MMU_USER);
    g_assert_cmphex(r.paddr, ==, 0x777010);
    pf(0x0002000000000000ull, MMU_DATA_LOAD, X86_MMU_USER, 0x4);
}

static void test_pf_error_codes(void)
{
    build_4level(0);
    /* not present: P=0, with W and U as the access */
    pf(0x1000, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x0);
    pf(0x1000, MMU_DATA_STORE, X86_MMU_KSMAP, 0x2);
    pf(0x1000, MMU_DATA_LOAD, X86_MMU_USER, 0x4);
    pf(0x1000, MMU_DATA_STORE, X86_MMU_USER, 0x6);
    /* I/D on a fetch (NXE set) */
    pf(0x1000, MMU_INST_FETCH, X86_MMU_USER, 0x14);
    /* protection: user access to a supervisor page */
    wq(0x23000 + 1 * 8, 0x500000 | P | RW);
    pf(0x1000, MMU_DATA_LOAD, X86_MMU_USER, 0x5);
    /* read-only page, user write */
    wq(0x23000 + 2 * 8, 0x501000 | P | US);
    pf(0x2000, MMU_DATA_STORE, X86_MMU_USER, 0x7);
    /* A/D untouched by a faulting walk */
    g_assert_cmphex(rq(0x23000 + 2 * 8), ==, 0x501000 | P | US);
    /* no I/D without NXE and SMEP */
    env->efer &= ~EFER_NXE;
    pf(0x3000, MMU_INST_FETCH, X86_MMU_USER, 0x4);
}

static void test_wp_nx_smep_smap(void)
{
    X86TranslateResult r;

    build_4level(0);
    wq(0x23000 + 1 * 8, 0x500000 | P | US | D);          /* user RO */
    wq(0x23000 + 2 * 8, 0x501000 | P | RW | US | NX | D);/* user RW NX */
    wq(0x23000 + 3 * 8, 0x502000 | P | D);               /* kernel RO */

    /* WP=1: supervisor write to a read-only page faults */
    pf(0x3000, MMU_DATA_STORE, X86_MMU_KNOSMAP, 0x3);
    pf(0x1000, MMU_DATA_STORE, X86_MMU_KNOSMAP, 0x3);
    /* WP=0: allowed */
    env->cr[0] &= ~CR0_WP;
    r = ok(0x3000, MMU_DATA_STORE, X86_MMU_KNOSMAP);
    g_assert_cmpint(r.prot & PAGE_WRITE, ==, PAGE_WRITE);
    ok(0x1000, MMU_DATA_STORE, X86_MMU_KNOSMAP);
    /* ... but never for user accesses */
    pf(0x1000, MMU_DATA_STORE, X86_MMU_USER, 0x7);
    env->cr[0] |= CR0_WP;

    /* NX: fetch faults for user and supervisor, with I/D */
    pf(0x2000, MMU_INST_FETCH, X86_MMU_USER, 0x15);
    pf(0x2000, MMU_INST_FETCH, X86_MMU_KNOSMAP, 0x11);
    r = ok(0x2000, MMU_DATA_STORE, X86_MMU_USER);
    g_assert_cmpint(r.prot, ==, PAGE_READ | PAGE_WRITE);

    /* SMEP: supervisor fetch from a user page */
    r = ok(0x1000, MMU_INST_FETCH, X86_MMU_KNOSMAP);
    env->cr[4] |= CR4_SMEP;
    pf(0x1000, MMU_INST_FETCH, X86_MMU_KNOSMAP, 0x11);
    r = ok(0x1000, MMU_INST_FETCH, X86_MMU_USER);
    /* SMEP alone gives I/D even without NXE */
    env->efer &= ~EFER_NXE;
    pf(0x1000, MMU_INST_FETCH, X86_MMU_KSMAP, 0x11);
    env->efer |= EFER_NXE;

    /* SMAP: supervisor data access to a user page with KSMAP (AC=0) */
    env->cr[4] |= CR4_SMAP;
    pf(0x1000, MMU_DATA_LOAD, X86_MMU_KSMAP, 0x1);
    pf(0x2000, MMU_DATA_STORE, X86_MMU_KSMAP, 0x3);
    /* EFLAGS.AC=1 (or an implicit access): KNOSMAP allows it */
    ok(0x1000, MMU_DATA_LOAD, X86_MMU_KNOSMAP);
    ok(0x2000, MMU_DATA_STORE, X86_MMU_KNOSMAP);
    /* supervisor pages are unaffected */
    ok(0x3000, MMU_DATA_LOAD, X86_MMU_KSMAP);
    /* x86_mmu_index picks the index from CPL and AC */
    env->eflags = 0;
    g_assert_cmpint(x86_data_mmu_index(env), ==, X86_MMU_KSMAP);
    env->eflags = AC_MASK;
    g_assert_cmpint(x86_data_mmu_index(env), ==, X86_MMU_KNOSMAP);
    env->hflags |= 3;
    g_assert_cmpint(x86_data_mmu_index(env), ==, X86_MMU_USER);
}

static void test_debug_translation(void)
{
    X86CPU *c = &xcpu;

    build_4level(0);
    wq(0x23000 + 7 * 8, 0x456000 | P | RW);
    g_assert_cmphex(x86_cpu_get_phys_page_debug(&c->parent, 0x7123), ==,
                    0x456000);
    /* no A bit set by the debugger */
    g_assert_cmphex(rq(0x23000 + 7 * 8), ==, 0x456000 | P | RW);
    g_assert_cmphex(x86_cpu_get_phys_page_debug(&c->parent, 0x9000), ==,
                    (hwaddr)-1);
}

static void test_linear_access(void)
{
    X86Fault f;
    uint8_t buf[8];

    build_4level(0);
    /* two pages, physically discontiguous; the second not present */
    wq(0x23000 + 1 * 8, 0x600000 | P | RW);
    wq(0x23000 + 2 * 8, 0x700000 | P | RW);
    memcpy(buf, "ABCDEFGH", 8);
    g_assert_true(x86_linear_write(env, 0x1ffc, buf, 8, X86_MMU_KSMAP, &f));
    g_assert_cmphex(rl(0x600ffc), ==, 0x44434241);
    g_assert_cmphex(rl(0x700000), ==, 0x48474645);
    memset(buf, 0, 8);
    g_assert_true(x86_linear_read(env, 0x1ffc, buf, 8, X86_MMU_KSMAP, &f));
    g_assert_cmpmem(buf, 8, "ABCDEFGH", 8);
    /* a fault on the second page leaves the first untouched */
    g_assert_false(x86_linear_write(env, 0x2ffc, "12345678", 8,
                                    X86_MMU_KSMAP, &f));
    g_assert_cmpint(f.vector, ==, EXCP0E_PAGE);
    g_assert_cmphex(f.cr2, ==, 0x3000);
    g_assert_cmphex(rl(0x700ffc), ==, 0);
}

/* --- A/D atomicity ---
 *
 * A "toggler" thread keeps incrementing a counter kept in the ignored bits
 * 52..61 of a PTE and clearing its A and D bits, each time with one atomic
 * CAS, and counts its increments.  Meanwhile a walker thread keeps
 * translating a write through that PTE, which sets A and D again.  If the
 * walker ever wrote the entry back non-atomically it would undo some
 * increments; at the end the counter must equal the count (mod 1024), and
 * a final walk must leave A and D set.
 */

#define CNT_SHIFT 52
#define CNT_MASK (0x3ffull << CNT_SHIFT)
#define AD_PTE (0x23000 + 5 * 8)

static volatile int ad_stop;            /* atomic */
static uint64_t *ad_host_pte;           /* host copy of AD_PTE */

static gpointer ad_toggler(gpointer p)
{
    uint64_t *flips = p;

    while (!__atomic_load_n(&ad_stop, __ATOMIC_ACQUIRE)) {
        uint64_t old = __atomic_load_n(ad_host_pte, __ATOMIC_RELAXED);
        uint64_t cnt = ((old >> CNT_SHIFT) + 1) & 0x3ff;
        uint64_t val = (old & ~CNT_MASK & ~(uint64_t)(A | D)) |
                       (cnt << CNT_SHIFT);

        if (__atomic_compare_exchange_n(ad_host_pte, &old, val, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            (*flips)++;
        }
    }
    return NULL;
}

static gpointer ad_walker(gpointer p)
{
    int *walks = p;
    X86CPU local;

    rcu_register_thread();
    local.env = *env;
    while (!__atomic_load_n(&ad_stop, __ATOMIC_ACQUIRE)) {
        X86TranslateResult r;
        X86Fault f;

        g_assert_true(x86_mmu_translate(&local.env, 0x5000, MMU_DATA_STORE,
                                        X86_MMU_KNOSMAP, &r, &f));
        g_assert_cmphex(r.paddr, ==, 0x800000);
        (*walks)++;
    }
    rcu_unregister_thread();
    return NULL;
}

static void test_ad_atomic(void)
{
    uint64_t flips = 0;
    int walks = 0;
    GThread *t1, *t2;
    X86TranslateResult r;

    build_4level(0);
    wq(AD_PTE, 0x800000 | P | RW);
    ad_host_pte = (uint64_t *)((uint8_t *)memory_region_get_ram_ptr(&ram) +
                               AD_PTE);
    ad_stop = 0;
    t1 = g_thread_new("toggler", ad_toggler, &flips);
    t2 = g_thread_new("walker", ad_walker, &walks);
    g_usleep(300 * 1000);
    __atomic_store_n(&ad_stop, 1, __ATOMIC_RELEASE);
    g_thread_join(t1);
    g_thread_join(t2);
    g_test_message("%" PRIu64 " increments, %d walks", flips, walks);
    g_assert_cmpuint(flips, >, 0);
    g_assert_cmpint(walks, >, 0);
    g_assert_cmphex((rq(AD_PTE) & CNT_MASK) >> CNT_SHIFT, ==, flips & 0x3ff);
    r = ok(0x5000, MMU_DATA_STORE, X86_MMU_KNOSMAP);
    g_assert_cmphex(r.paddr, ==, 0x800000);
    g_assert_cmphex(rq(AD_PTE) & (A | D), ==, A | D);
}

int main(int argc, char **argv)
{
    Error *err = NULL;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    if (!memory_region_init_ram(&ram, "ram", RAM_SIZE, &err)) {
        error_report_err(err);
        return 1;
    }
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    bql_unlock();

    g_test_add_func("/x86-mmu/paging-off", test_paging_off);
    g_test_add_func("/x86-mmu/32bit-pse", test_32bit);
    g_test_add_func("/x86-mmu/pae", test_pae);
    g_test_add_func("/x86-mmu/4level", test_4level);
    g_test_add_func("/x86-mmu/la57", test_la57);
    g_test_add_func("/x86-mmu/pf-error-codes", test_pf_error_codes);
    g_test_add_func("/x86-mmu/wp-nx-smep-smap", test_wp_nx_smep_smap);
    g_test_add_func("/x86-mmu/debug", test_debug_translation);
    g_test_add_func("/x86-mmu/linear-access", test_linear_access);
    g_test_add_func("/x86-mmu/ad-atomic", test_ad_atomic);
    return g_test_run();
}
