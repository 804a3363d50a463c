/*
 * mmu_helper.c: the x86 page walker (SDM Vol 3A chapter 4) and the softmmu
 * glue: tlb_fill, the debugger's translation, INVLPG/INVPCID, and the linear
 * memory accessors the other system helpers use.
 *
 * x86_mmu_translate() is the one walk.  It reads paging-structure entries
 * through the memory API (address_space_memory) and, once the access is
 * known to be allowed, sets the accessed bits top-down and the dirty bit of
 * the leaf with a compare-and-swap on the host copy of the entry (for RAM;
 * flatview_lookup + memory_region_get_ram_ptr under rcu_read_lock), so that
 * several vCPUs walking the same tables see each other's updates and never
 * lose one: if the entry changed under us, the walk restarts.
 *
 * Rights are accumulated over the levels (SDM 4.6): a page is user-accessible
 * only if U is set at every level, writable only if R/W is set at every
 * level, and not executable if XD is set at any level (with EFER.NXE).  The
 * softmmu entry gets PAGE_WRITE only when the dirty bit is already set (or
 * set now), so the first write to a clean page comes back here to set D.
 *
 * Callers: the TCG runtime (x86_cpu_tlb_fill, vCPU thread, no lock held),
 * the other helpers (x86_linear_read/write) and the gdbstub/monitor
 * (x86_cpu_get_phys_page_debug, with the vCPU paused).
 */
#include "target/i386/helper.h"
#include "system/memory.h"
#include "system/rcu.h"

#define PG_P    (1ull << 0)
#define PG_RW   (1ull << 1)
#define PG_US   (1ull << 2)
#define PG_A    (1ull << 5)
#define PG_D    (1ull << 6)
#define PG_PS   (1ull << 7)
#define PG_G    (1ull << 8)
#define PG_NX   (1ull << 63)

/* #PF error code bits (SDM 4.7). */
#define PFERR_P    (1u << 0)
#define PFERR_W    (1u << 1)
#define PFERR_U    (1u << 2)
#define PFERR_RSVD (1u << 3)
#define PFERR_ID   (1u << 4)

/* The physical address width we report (CPUID 0x80000008) and enforce. */
#define X86_PHYS_BITS 40
#define PHYS_MASK ((1ull << X86_PHYS_BITS) - 1)

typedef struct WalkState {
    hwaddr pte_addr[5];      /* physical address of each entry used */
    uint64_t pte[5];         /* its value when read */
    int levels;              /* entries used */
    bool pae;                /* 8-byte entries */
} WalkState;

/*
 * Host pointer to the entry at addr if it lies in RAM (or ROM when
 * !for_write), else NULL.  Called under rcu_read_lock; valid until unlock.
 */
static void *mmu_pte_host(hwaddr addr, bool pae, bool for_write)
{
    FlatView *fv = rcu_load(&address_space_memory.current_map);
    MemoryRegionSection s = flatview_lookup(fv, addr);

    if (!s.mr || !memory_region_is_ram(s.mr) ||
        (for_write && memory_region_is_rom(s.mr)) ||
        addr - s.addr + (pae ? 8 : 4) > s.size || (addr & (pae ? 7 : 3))) {
        return NULL;
    }
    return (uint8_t *)memory_region_get_ram_ptr(s.mr) + s.offset_in_region +
           (addr - s.addr);
}

/* Reads an entry.  RAM: one atomic load, so that a concurrent CAS from
 * another vCPU is never seen torn.  No lock held on entry. */
static uint64_t mmu_ld_pte(hwaddr addr, bool pae)
{
    MemTxResult r;
    void *host;
    uint64_t v;

    rcu_read_lock();
    host = mmu_pte_host(addr, pae, false);
    if (host) {
        v = pae ? __atomic_load_n((uint64_t *)host, __ATOMIC_ACQUIRE)
                : __atomic_load_n((uint32_t *)host, __ATOMIC_ACQUIRE);
        rcu_read_unlock();
        return v;
    }
    rcu_read_unlock();
    if (pae) {
        return address_space_ldq_le(&address_space_memory, addr,
                                    MEMTXATTRS_UNSPECIFIED, &r);
    }
    return address_space_ldl_le(&address_space_memory, addr,
                                MEMTXATTRS_UNSPECIFIED, &r);
}

/*
 * Sets bits in the entry at addr if it still holds old.  Returns false if
 * the entry changed (the caller walks again).  RAM: atomic CAS on the host
 * memory; elsewhere (MMIO page tables, unusual) a plain store.  No lock
 * held on entry; takes rcu_read_lock for the lookup only.
 */
static bool mmu_set_pte_bits(hwaddr addr, bool pae, uint64_t old,
                             uint64_t bits)
{
    void *host;
    bool ok = true;

    rcu_read_lock();
    host = mmu_pte_host(addr, pae, true);
    if (host) {
        if (pae) {
            uint64_t expect = old;
            ok = __atomic_compare_exchange_n((uint64_t *)host, &expect,
                                             old | bits, false,
                                             __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
        } else {
            uint32_t expect = (uint32_t)old;
            ok = __atomic_compare_exchange_n((uint32_t *)host, &expect,
                                             (uint32_t)(old | bits), false,
                                             __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
        }
        rcu_read_unlock();
        return ok;
    }
    rcu_read_unlock();
    if (pae) {
        address_space_stq_le(&address_space_memory, addr, old | bits,
                             MEMTXATTRS_UNSPECIFIED, NULL);
    } else {
        address_space_stl_le(&address_space_memory, addr,
                             (uint32_t)(old | bits), MEMTXATTRS_UNSPECIFIED,
                             NULL);
    }
    return ok;
}

static void mmu_page_fault(CPUX86State *env, vaddr addr, MMUAccessType access,
                           int mmu_idx, uint32_t err, X86Fault *f)
{
    if (access == MMU_DATA_STORE) {
        err |= PFERR_W;
    }
    if (mmu_idx == X86_MMU_USER) {
        err |= PFERR_U;
    }
    /* SDM 4.7: I/D is reported for fetches when XD or SMEP is in use. */
    if (access == MMU_INST_FETCH &&
        ((env->efer & EFER_NXE) || (env->cr[4] & CR4_SMEP))) {
        err |= PFERR_ID;
    }
    f->vector = EXCP0E_PAGE;
    f->has_error_code = true;
    f->error_code = err;
    f->cr2 = addr;
}

static bool mmu_1g_pages(CPUX86State *env)
{
    return env->features[FEAT_8000_0001_EDX] & (1u << 26);
}

/*
 * One walk attempt.  Returns 1 on success, 0 on a fault (*f filled), -1 if
 * an A/D update lost a race (walk again).  set_ad: false for the debugger.
 */
static int mmu_walk(CPUX86State *env, vaddr addr, MMUAccessType access,
                    int mmu_idx, X86TranslateResult *res, X86Fault *f,
                    bool set_ad)
{
    WalkState w = { .levels = 0 };
    bool is_user = mmu_idx == X86_MMU_USER;
    bool nxe = env->efer & EFER_NXE;
    uint64_t rsvd_hi = ~PHYS_MASK & ~PG_NX & ((1ull << 52) - 1) & ~0xfffull;
    uint64_t rsvd_nx = nxe ? 0 : PG_NX;
    bool user_ok = true, write_ok = true, exec_ok = true;
    uint64_t pte = 0, page_size = 4096, paddr;
    hwaddr table;
    int level, top;

    if (env->hflags & HF_LMA_MASK) {
        bool la57 = env->cr[4] & CR4_LA57;
        int va_bits = la57 ? 57 : 48;
        int64_t sx = (int64_t)(addr << (64 - va_bits)) >> (64 - va_bits);

        if ((uint64_t)sx != addr) {
            /* Non-canonical: #GP(0) (the #SS case is the translator's). */
            f->vector = EXCP0D_GPF;
            f->has_error_code = true;
            f->error_code = 0;
            return 0;
        }
        w.pae = true;
        top = la57 ? 5 : 4;
        table = env->cr[3] & PHYS_MASK & ~0xfffull;
    } else if (env->cr[4] & CR4_PAE) {
        /* PAE: the PDPTE, with its own reserved bits (SDM 4.4.1). */
        hwaddr pdpte_addr = (env->cr[3] & 0xffffffe0u) + ((addr >> 27) & 0x18);
        uint64_t pdpte;

        addr &= 0xffffffffu;
        w.pae = true;
        pdpte = mmu_ld_pte(pdpte_addr, true);
        if (!(pdpte & PG_P)) {
            mmu_page_fault(env, addr, access, mmu_idx, 0, f);
            return 0;
        }
        if (pdpte & (rsvd_hi | PG_NX | 0x1e6ull)) {
            mmu_page_fault(env, addr, access, mmu_idx,
                           PFERR_P | PFERR_RSVD, f);
            return 0;
        }
        /* PDPTEs carry no access rights and no A bit in PAE mode. */
        top = 2;
        table = pdpte & PHYS_MASK & ~0xfffull;
    } else {
        /* 32-bit paging (SDM 4.3). */
        bool pse = env->cr[4] & CR4_PSE;
        uint32_t pde, pt;
        hwaddr pde_addr, pte_addr;

        addr &= 0xffffffffu;
        w.pae = false;
        pde_addr = (env->cr[3] & 0xfffff000u) + ((addr >> 20) & 0xffc);
        pde = (uint32_t)mmu_ld_pte(pde_addr, false);
        if (!(pde & PG_P)) {
            mmu_page_fault(env, addr, access, mmu_idx, 0, f);
            return 0;
        }
        w.pte_addr[w.levels] = pde_addr;
        w.pte[w.levels++] = pde;
        user_ok &= !!(pde & PG_US);
        write_ok &= !!(pde & PG_RW);
        if (pse && (pde & PG_PS)) {
            /* 4 MiB page; PSE-36 bits 13..20 give paddr bits 32..39;
             * bit 21 is reserved. */
            if (pde & (1u << 21)) {
                mmu_page_fault(env, addr, access, mmu_idx,
                               PFERR_P | PFERR_RSVD, f);
                return 0;
            }
            pte = pde;
            page_size = 4u << 20;
            paddr = (pde & 0xffc00000u) | ((uint64_t)((pde >> 13) & 0xff) << 32);
            paddr |= addr & (page_size - 1);
            goto check;
        }
        pte_addr = (pde & 0xfffff000u) + ((addr >> 10) & 0xffc);
        pt = (uint32_t)mmu_ld_pte(pte_addr, false);
        if (!(pt & PG_P)) {
            mmu_page_fault(env, addr, access, mmu_idx, 0, f);
            return 0;
        }
        w.pte_addr[w.levels] = pte_addr;
        w.pte[w.levels++] = pt;
        user_ok &= !!(pt & PG_US);
        write_ok &= !!(pt & PG_RW);
        pte = pt;
        paddr = (pt & 0xfffff000u) | (addr & 0xfff);
        goto check;
    }

    /* 8-byte entries: levels top..1 (1 = PTE). */
    for (level = top; level >= 1; level--) {
        int shift = 12 + 9 * (level - 1);
        hwaddr ea = table + (((addr >> shift) & 0x1ff) << 3);
        uint64_t e = mmu_ld_pte(ea, true);
        uint64_t rsvd = rsvd_hi | rsvd_nx;

        if (!(e & PG_P)) {
            mmu_page_fault(env, addr, access, mmu_idx, 0, f);
            return 0;
        }
        if (level >= 4 || (level == 3 && !mmu_1g_pages(env))) {
            rsvd |= PG_PS;               /* PML5E/PML4E: PS reserved */
        }
        if ((e & PG_PS) && level == 3) {
            rsvd |= 0x3fffe000ull;       /* 1 GiB page: bits 29:13 */
        } else if ((e & PG_PS) && level == 2) {
            rsvd |= 0x1fe000ull;         /* 2 MiB page: bits 20:13 */
        }
        if (e & rsvd) {
            mmu_page_fault(env, addr, access, mmu_idx,
                           PFERR_P | PFERR_RSVD, f);
            return 0;
        }
        w.pte_addr[w.levels] = ea;
        w.pte[w.levels++] = e;
        user_ok &= !!(e & PG_US);
        write_ok &= !!(e & PG_RW);
        if (nxe && (e & PG_NX)) {
            exec_ok = false;
        }
        if (level == 1 || (level <= 3 && (e & PG_PS))) {
            page_size = 1ull << shift;
            pte = e;
            paddr = (e & PHYS_MASK & ~(page_size - 1)) | (addr & (page_size - 1));
            goto check;
        }
        table = e & PHYS_MASK & ~0xfffull;
    }
    g_assert_not_reached();

check: {
        /* SDM 4.6: the rights for this mmu_idx. */
        bool smep = env->cr[4] & CR4_SMEP;
        bool smap = (env->cr[4] & CR4_SMAP) && mmu_idx == X86_MMU_KSMAP;
        bool wp = env->cr[0] & CR0_WP;
        int prot = 0;

        if (is_user) {
            if (user_ok) {
                prot = PAGE_READ | (write_ok ? PAGE_WRITE : 0) |
                       (exec_ok ? PAGE_EXEC : 0);
            }
        } else {
            prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
            if (!write_ok && wp) {
                prot &= ~PAGE_WRITE;
            }
            if (!write_ok && user_ok && wp) {
                prot &= ~PAGE_WRITE;
            }
            if (!exec_ok || (user_ok && smep)) {
                prot &= ~PAGE_EXEC;
            }
            if (user_ok && smap) {
                prot &= ~(PAGE_READ | PAGE_WRITE);
            }
        }
        {
            int need = access == MMU_DATA_STORE ? PAGE_WRITE :
                       access == MMU_INST_FETCH ? PAGE_EXEC : PAGE_READ;
            if (!(prot & need)) {
                mmu_page_fault(env, addr, access, mmu_idx, PFERR_P, f);
                return 0;
            }
        }
        if (set_ad) {
            /* Accessed bits top-down, then D on the leaf for a write
             * (SDM 4.8).  A lost CAS means the entry changed: walk again. */
            for (int i = 0; i < w.levels; i++) {
                uint64_t bits = 0;
                if (!(w.pte[i] & PG_A)) {
                    bits |= PG_A;
                }
                if (i == w.levels - 1 && access == MMU_DATA_STORE &&
                    !(w.pte[i] & PG_D)) {
                    bits |= PG_D;
                }
                if (bits && !mmu_set_pte_bits(w.pte_addr[i], w.pae,
                                              w.pte[i], bits)) {
                    return -1;
                }
                if (i == w.levels - 1) {
                    pte = w.pte[i] | bits;
                }
            }
        }
        /* A clean page is mapped read-only so the first write sets D. */
        if (!(pte & PG_D)) {
            prot &= ~PAGE_WRITE;
        }
        res->paddr = paddr & env->a20_mask;
        res->prot = prot;
        res->page_size = page_size;
        return 1;
    }
}

bool x86_mmu_translate(CPUX86State *env, vaddr addr, MMUAccessType access,
                       int mmu_idx, X86TranslateResult *res, X86Fault *f)
{
    f->vector = -1;
    f->has_error_code = false;
    f->error_code = 0;
    f->cr2 = 0;
    if (mmu_idx == X86_MMU_PHYS || !(env->cr[0] & CR0_PG)) {
        if (!(env->hflags & HF_LMA_MASK)) {
            addr &= 0xffffffffu;
        }
        res->paddr = addr & env->a20_mask;
        res->prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        res->page_size = 4096;
        return true;
    }
    for (;;) {
        int r = mmu_walk(env, addr, access, mmu_idx, res, f, true);
        if (r >= 0) {
            return r == 1;
        }
    }
}

/* TcgTlbFillFn.  vCPU thread, no lock held. */
bool x86_cpu_tlb_fill(CPUState *cpu, vaddr addr, int size,
                      MMUAccessType access_type, int mmu_idx, bool probe,
                      uintptr_t retaddr)
{
    CPUX86State *env = x86_env(cpu);
    X86TranslateResult res;
    X86Fault f;
    vaddr page;

    if (!x86_mmu_translate(env, addr, access_type, mmu_idx, &res, &f)) {
        if (probe) {
            return false;
        }
        x86_raise_fault(env, &f, retaddr);
    }
    /* The runtime's TLB works in guest pages; a large page is installed
     * as the 4 KiB piece containing addr, with its size recorded so that
     * INVLPG of any address in it flushes it. */
    page = addr & ~(vaddr)0xfff;
    tlb_set_page(cpu, page, res.paddr & ~(hwaddr)0xfff, res.prot, mmu_idx,
                 res.page_size);
    return true;
}

/* Debugger translation: no A/D updates, supervisor rights.  vCPU paused. */
hwaddr x86_cpu_get_phys_page_debug(CPUState *cpu, vaddr addr)
{
    CPUX86State *env = x86_env(cpu);
    X86TranslateResult res;
    X86Fault f;

    if (!(env->cr[0] & CR0_PG)) {
        return (addr & env->a20_mask) & ~(hwaddr)0xfff;
    }
    if (mmu_walk(env, addr, MMU_DATA_LOAD, X86_MMU_KNOSMAP, &res, &f,
                 false) != 1) {
        return (hwaddr)-1;
    }
    return res.paddr & ~(hwaddr)0xfff;
}

int x86_data_mmu_index(CPUX86State *env)
{
    if (!(env->cr[0] & CR0_PG)) {
        return X86_MMU_PHYS;
    }
    if ((env->hflags & HF_CPL_MASK) == 3) {
        return X86_MMU_USER;
    }
    if ((env->cr[4] & CR4_SMAP) && !(env->eflags & AC_MASK)) {
        return X86_MMU_KSMAP;
    }
    return X86_MMU_KNOSMAP;
}

int x86_kernel_mmu_index(CPUX86State *env)
{
    /* SDM 4.6: implicit supervisor accesses (GDT, IDT, TSS) ignore AC but
     * are still subject to SMAP only for CPL 3; we use the permissive
     * index for them, documented in docs/devel/x86-system.md. */
    return (env->cr[0] & CR0_PG) ? X86_MMU_KNOSMAP : X86_MMU_PHYS;
}

static bool linear_access(CPUX86State *env, vaddr addr, void *buf, int len,
                          int mmu_idx, bool is_write, X86Fault *f)
{
    uint8_t *p = buf;

    /* Translate every page first so a fault leaves memory untouched. */
    hwaddr pa[2];
    int n1 = MIN(len, (int)(0x1000 - (addr & 0xfff)));
    X86TranslateResult res;

    if (!(env->hflags & HF_LMA_MASK)) {
        addr &= 0xffffffffu;
    }
    if (!x86_mmu_translate(env, addr, is_write ? MMU_DATA_STORE :
                           MMU_DATA_LOAD, mmu_idx, &res, f)) {
        return false;
    }
    pa[0] = res.paddr;
    if (n1 < len) {
        vaddr a2 = addr + n1;
        if (!(env->hflags & HF_LMA_MASK)) {
            a2 &= 0xffffffffu;
        }
        if (!x86_mmu_translate(env, a2, is_write ? MMU_DATA_STORE :
                               MMU_DATA_LOAD, mmu_idx, &res, f)) {
            return false;
        }
        pa[1] = res.paddr;
    }
    assert(len <= 0x1000);
    address_space_rw(&address_space_memory, pa[0], MEMTXATTRS_UNSPECIFIED,
                     p, n1, is_write);
    if (n1 < len) {
        address_space_rw(&address_space_memory, pa[1],
                         MEMTXATTRS_UNSPECIFIED, p + n1, len - n1, is_write);
    }
    return true;
}

bool x86_linear_read(CPUX86State *env, vaddr addr, void *buf, int len,
                     int mmu_idx, X86Fault *f)
{
    return linear_access(env, addr, buf, len, mmu_idx, false, f);
}

bool x86_linear_write(CPUX86State *env, vaddr addr, const void *buf,
                      int len, int mmu_idx, X86Fault *f)
{
    return linear_access(env, addr, (void *)buf, len, mmu_idx, true, f);
}

/*
 * Descriptor tables live in guest RAM that every vCPU reads and updates
 * at once (the accessed bit, the TSS busy bit).  The processor reads a
 * descriptor and sets its accessed bit with locked accesses (SDM Vol 3A
 * 8.1.2.1), so these two do the same on aligned RAM: one atomic 8-byte
 * load, one atomic read-modify-write of a dword.  Anything else (unaligned, MMIO) goes through the
 * plain path.  vCPU thread, no lock.
 */
bool x86_linear_ld_desc(CPUX86State *env, vaddr addr, uint64_t *val,
                        int mmu_idx, X86Fault *f)
{
    X86TranslateResult res;
    void *host;

    if (!(env->hflags & HF_LMA_MASK)) {
        addr &= 0xffffffffu;
    }
    if (addr & 7) {
        return x86_linear_read(env, addr, val, 8, mmu_idx, f);
    }
    if (!x86_mmu_translate(env, addr, MMU_DATA_LOAD, mmu_idx, &res, f)) {
        return false;
    }
    rcu_read_lock();
    host = mmu_pte_host(res.paddr, true, false);
    if (host) {
        *val = __atomic_load_n((uint64_t *)host, __ATOMIC_ACQUIRE);
    }
    rcu_read_unlock();
    return host || x86_linear_read(env, addr, val, 8, mmu_idx, f);
}

bool x86_linear_update32(CPUX86State *env, vaddr addr, uint32_t clear,
                         uint32_t set, int mmu_idx, X86Fault *f)
{
    X86TranslateResult res;
    uint32_t v;
    void *host;

    if (!(env->hflags & HF_LMA_MASK)) {
        addr &= 0xffffffffu;
    }
    if (!(addr & 3)) {
        if (!x86_mmu_translate(env, addr, MMU_DATA_STORE, mmu_idx, &res, f)) {
            return false;
        }
        rcu_read_lock();
        host = mmu_pte_host(res.paddr, false, true);
        if (host) {
            uint32_t old = __atomic_load_n((uint32_t *)host, __ATOMIC_RELAXED);

            while (!__atomic_compare_exchange_n((uint32_t *)host, &old,
                                                (old & ~clear) | set, false,
                                                __ATOMIC_SEQ_CST,
                                                __ATOMIC_RELAXED)) {
                /* old was reloaded: another vCPU changed the dword */
            }
        }
        rcu_read_unlock();
        if (host) {
            return true;
        }
    }
    if (!x86_linear_read(env, addr, &v, 4, mmu_idx, f)) {
        return false;
    }
    v = (v & ~clear) | set;
    return x86_linear_write(env, addr, &v, 4, mmu_idx, f);
}

void x86_tlb_flush(CPUX86State *env)
{
    if (tcg_ops) {
        tlb_flush(env_cpu(env));
    }
}

/* INVLPG.  vCPU thread.  The runtime flushes a whole MMU index when the
 * address lies in a large page it has recorded. */
void helper_invlpg(CPUX86State *env, uint64_t addr)
{
    tlb_flush_page(env_cpu(env), addr);
}

/* INVPCID (SDM Vol 2A): we do not tag TLB entries with PCIDs, so every
 * type flushes at least what it must; type 0/1 with a non-canonical
 * address or a PCID > 4095, or type > 3, is #GP(0). */
void helper_invpcid(CPUX86State *env, uint32_t type, uint64_t desc_addr)
{
    uint64_t desc[2];
    X86Fault f;

    if (!x86_linear_read(env, desc_addr, desc, 16, x86_data_mmu_index(env), &f)) {
        x86_raise_fault(env, &f, GETPC());
    }
    if (type > 3 || (desc[0] >> 12) != 0) {
        raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
    }
    if (type == 0) {
        int64_t sx = (int64_t)(desc[1] << 16) >> 16;
        if ((uint64_t)sx != desc[1]) {
            raise_exception_err(env, EXCP0D_GPF, 0, GETPC());
        }
        tlb_flush_page(env_cpu(env), desc[1]);
    } else {
        tlb_flush(env_cpu(env));
    }
}
