/*
 * cputlb.c: the softmmu TLB: per vCPU and MMU index a direct-mapped table
 * of TLB_ENTRIES (the layout tcg.h defines, read inline by generated code)
 * backed by a fully associative victim TLB of TLB_VICTIM entries, the
 * slow paths the backend calls when the inline check misses, and the
 * flush operations.
 *
 *     generated code: hit -> host access through addend (no call)
 *                     miss -> tlb_slow_ld/st(env, addr, oi, retaddr)
 *     slow path:  victim hit (swap into the table) or the target's
 *                 tlb_fill -> tlb_set_page; then by the entry's flags:
 *                 RAM      host access (the next access hits inline)
 *                 MMIO     address_space_read/write_value (the memory API
 *                          takes the BQL only for needs_bql regions)
 *                 NOTDIRTY store, then invalidate the page's TBs, then
 *                          clear the flag if the page holds no code now
 *                 crossing a page: byte by byte, after both pages are
 *                          known to translate (a store is all or nothing)
 *
 * Ownership: a vCPU's TLB (the tables behind its env's CPUTLBDescFast and
 * the TcgCpu's CPUTLBDesc) is written only by that vCPU's thread.  Other
 * threads ask for flushes and code protection with async_run_on_cpu; the
 * owner runs them between blocks (a "bare" CPU with no vCPU thread, as in
 * unit tests, gets them through its TcgCpu's bare-work list instead; see
 * tcg_run_on_other_cpus).
 *
 * Faults: the target's tlb_fill raises them with cpu_loop_exit_restore,
 * which siglongjmps to tcg_cpu_exec.  Nothing in this file holds a lock
 * (RCU included) across a call that may fault.
 *
 * Known window (docs/devel/tcg.md): when a page first becomes code, other
 * vCPUs' writable entries for it get NOTDIRTY only when they run the
 * queued work, at their next block boundary; that work also invalidates
 * the page if such an entry existed, so a write made through it is never
 * missed for longer than that.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/memory.h"
#include "system/rcu.h"
#include "accel/tcg/internal.h"
#include "exec/breakpoint.h"

static inline CPUTLBDescFast *tlb_fast(CPUState *cpu)
{
    return (CPUTLBDescFast *)((char *)cpu_env(cpu) + tcg_ops->tlb_fast_offset);
}

static inline unsigned tlb_index(vaddr addr)
{
    return (addr >> tcg_ops->page_bits) & (TLB_ENTRIES - 1);
}

static inline uint64_t tlb_field(const TLBEntry *e, MMUAccessType type)
{
    switch (type) {
    case MMU_DATA_LOAD:
        return e->addr_read;
    case MMU_DATA_STORE:
        return e->addr_write;
    default:
        return e->addr_code;
    }
}

static inline bool tlb_hit_page(uint64_t tlb_addr, vaddr page)
{
    return (tlb_addr & (tcg_page_mask() | TLB_INVALID)) == page;
}

static bool tlb_entry_maps(const TLBEntry *e, vaddr page)
{
    return tlb_hit_page(e->addr_read, page) ||
           tlb_hit_page(e->addr_write, page) ||
           tlb_hit_page(e->addr_code, page);
}

static bool tlb_entry_empty(const TLBEntry *e)
{
    return (e->addr_read & e->addr_write & e->addr_code & TLB_INVALID) != 0;
}

static void tlb_entry_clear(TLBEntry *e)
{
    memset(e, 0xff, sizeof(*e));
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

void tlb_init_cpu(CPUState *cpu)
{
    TcgCpu *t = tcg_cpu(cpu);
    CPUTLBDescFast *fast = tlb_fast(cpu);

    for (unsigned i = 0; i < tcg_ops->nb_mmu_modes; i++) {
        CPUTLBDesc *d = &t->tlb[i];

        d->table = g_new(TLBEntry, TLB_ENTRIES);
        d->full = g_new0(CPUTLBEntryFull, TLB_ENTRIES);
        fast[i].mask = (uintptr_t)(TLB_ENTRIES - 1) << TLB_ENTRY_BITS;
        fast[i].table = d->table;
    }
    tlb_flush(cpu);
}

void tlb_destroy_cpu(CPUState *cpu)
{
    TcgCpu *t = tcg_cpu(cpu);

    for (unsigned i = 0; i < tcg_ops->nb_mmu_modes; i++) {
        g_free(t->tlb[i].table);
        g_free(t->tlb[i].full);
        t->tlb[i].table = NULL;
        t->tlb[i].full = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Filling                                                             */

void tlb_set_page(CPUState *cpu, vaddr va, hwaddr pa, int prot, int mmu_idx,
                  uint64_t page_size)
{
    TcgCpu *t = tcg_cpu(cpu);
    CPUTLBDesc *d = &t->tlb[mmu_idx];
    vaddr mask = tcg_page_mask();
    vaddr page = va & mask;
    hwaddr ppage = pa & mask;
    uint64_t psize = 1ull << tcg_ops->page_bits;
    uint64_t rflags = TLB_MMIO, wflags = TLB_MMIO;
    uintptr_t addend = 0;
    MemoryRegionSection sec;
    unsigned idx = tlb_index(page);
    TLBEntry *e = &d->table[idx];
    bool is_ram = false;

    assert(mmu_idx >= 0 && mmu_idx < (int)tcg_ops->nb_mmu_modes);
    t->stats.tlb_fills++;
    if (page_size > psize) {
        vaddr lmask = ~(vaddr)(page_size - 1);

        if (d->large_page_addr == (vaddr)-1) {
            d->large_page_addr = va & lmask;
            d->large_page_mask = lmask;
        } else {
            lmask &= d->large_page_mask;
            while ((d->large_page_addr ^ va) & lmask) {
                lmask <<= 1;
            }
            d->large_page_addr &= lmask;
            d->large_page_mask = lmask;
        }
    }

    rcu_read_lock();
    sec = flatview_lookup(rcu_load(&address_space_memory.current_map), ppage);
    if (sec.mr && memory_region_is_ram(sec.mr) &&
        ppage - sec.addr <= sec.size - psize) {
        uint8_t *host = (uint8_t *)memory_region_get_ram_ptr(sec.mr) +
                        sec.offset_in_region + (ppage - sec.addr);

        addend = (uintptr_t)host - page;
        is_ram = true;
        rflags = 0;
        wflags = memory_region_is_rom(sec.mr) ? TLB_MMIO : 0;
    }
    rcu_read_unlock();
    if (wflags == 0 && (prot & PAGE_WRITE) && tb_page_is_code(ppage)) {
        wflags = TLB_NOTDIRTY;
    }
    if (tcg_page_has_watchpoint(cpu, page)) {
        rflags |= TLB_WATCHPOINT;
        wflags |= TLB_WATCHPOINT;
    }

    /* Keep the old translation of this slot in the victim TLB. */
    if (!tlb_entry_empty(e) && !tlb_entry_maps(e, page)) {
        unsigned v = d->vindex++ % TLB_VICTIM;

        d->vtable[v] = *e;
        d->vfull[v] = d->full[idx];
    }
    /* And never keep two translations of one page. */
    for (unsigned v = 0; v < TLB_VICTIM; v++) {
        if (tlb_entry_maps(&d->vtable[v], page)) {
            tlb_entry_clear(&d->vtable[v]);
        }
    }
    e->addr_read = (prot & PAGE_READ) ? page | rflags : (uint64_t)-1;
    e->addr_write = (prot & PAGE_WRITE) ? page | wflags : (uint64_t)-1;
    e->addr_code = (prot & PAGE_EXEC) ?
                   page | (rflags & ~TLB_WATCHPOINT) : (uint64_t)-1;
    e->addend = addend;
    d->full[idx].phys_page = ppage;
    d->full[idx].is_ram = is_ram;
}

/* Moves a victim entry for page into the table; true if one was found. */
static bool victim_tlb_hit(TcgCpu *t, int mmu_idx, unsigned idx,
                           MMUAccessType type, vaddr page)
{
    CPUTLBDesc *d = &t->tlb[mmu_idx];

    for (unsigned v = 0; v < TLB_VICTIM; v++) {
        if (tlb_hit_page(tlb_field(&d->vtable[v], type), page)) {
            TLBEntry te = d->table[idx];
            CPUTLBEntryFull tf = d->full[idx];

            d->table[idx] = d->vtable[v];
            d->full[idx] = d->vfull[v];
            d->vtable[v] = te;
            d->vfull[v] = tf;
            t->stats.victim_hits++;
            return true;
        }
    }
    return false;
}

/*
 * The entry translating addr for type, after a victim lookup or a fill.
 * NULL only if probe and the page does not translate.  vCPU thread, no
 * locks (may fault).
 */
static TLBEntry *tlb_lookup(CPUState *cpu, vaddr addr, int size,
                            MMUAccessType type, int mmu_idx, uintptr_t ra,
                            bool probe, CPUTLBEntryFull **pfull)
{
    TcgCpu *t = tcg_cpu(cpu);
    CPUTLBDesc *d = &t->tlb[mmu_idx];
    vaddr page = addr & tcg_page_mask();
    unsigned idx = tlb_index(addr);
    TLBEntry *e = &d->table[idx];

    if (!tlb_hit_page(tlb_field(e, type), page) &&
        !victim_tlb_hit(t, mmu_idx, idx, type, page)) {
        if (!tcg_ops->tlb_fill(cpu, addr, size, type, mmu_idx, probe, ra)) {
            return NULL;
        }
        /* The target's fill must install the page with this access. */
        assert(tlb_hit_page(tlb_field(e, type), page));
    }
    *pfull = &d->full[idx];
    return e;
}

hwaddr get_page_addr_code_hostp(CPUState *cpu, vaddr addr, bool probe,
                                void **hostp)
{
    CPUTLBEntryFull *full;
    TLBEntry *e = tlb_lookup(cpu, addr, 1, MMU_INST_FETCH,
                             tcg_ops->code_mmu_index(cpu), 0, probe, &full);
    vaddr off = addr & ~tcg_page_mask();

    if (!e) {
        *hostp = NULL;
        return -1;
    }
    *hostp = (e->addr_code & TLB_MMIO) ? NULL : (void *)(addr + e->addend);
    return full->phys_page | off;
}

void *tlb_probe_host(CPUState *cpu, vaddr addr, int size, MMUAccessType type,
                     int mmu_idx, bool probe, uintptr_t retaddr)
{
    CPUTLBEntryFull *full;
    TLBEntry *e = tlb_lookup(cpu, addr, size, type, mmu_idx, retaddr, probe,
                             &full);

    if (!e || (tlb_field(e, type) & TLB_MMIO)) {
        return NULL;
    }
    return (void *)(addr + e->addend);
}

void *tlb_host_plain(CPUState *cpu, vaddr addr, MMUAccessType type,
                     int mmu_idx)
{
    TLBEntry *e = &tcg_cpu(cpu)->tlb[mmu_idx].table[tlb_index(addr)];

    if (tlb_field(e, type) != (addr & tcg_page_mask())) {
        return NULL;        /* another page, a flag bit, or empty */
    }
    return (void *)(addr + e->addend);
}

/* ------------------------------------------------------------------ */
/* Code protection                                                     */

/* Marks this vCPU's writable RAM entries of ppage NOTDIRTY; returns true if
 * one was clean (writes through it were not seen).  Owner thread. */
static bool tlb_protect_code_local(CPUState *cpu, hwaddr ppage)
{
    TcgCpu *t = tcg_cpu(cpu);
    bool clean = false;

    for (unsigned i = 0; i < tcg_ops->nb_mmu_modes; i++) {
        CPUTLBDesc *d = &t->tlb[i];

        for (unsigned j = 0; j < TLB_ENTRIES + TLB_VICTIM; j++) {
            TLBEntry *e = j < TLB_ENTRIES ? &d->table[j]
                                          : &d->vtable[j - TLB_ENTRIES];
            CPUTLBEntryFull *f = j < TLB_ENTRIES ? &d->full[j]
                                                 : &d->vfull[j - TLB_ENTRIES];

            if (!(e->addr_write & TLB_INVALID) && f->is_ram &&
                f->phys_page == ppage && !(e->addr_write & TLB_FLAGS)) {
                e->addr_write |= TLB_NOTDIRTY;
                clean = true;
            }
        }
    }
    return clean;
}

static void tlb_protect_code_work(CPUState *cpu, void *data)
{
    hwaddr ppage = (uintptr_t)data;

    if (tlb_protect_code_local(cpu, ppage)) {
        tb_invalidate_phys_range(ppage, ppage + (1ull << tcg_ops->page_bits));
    }
}

void tlb_protect_code_all(CPUState *self, hwaddr ppage)
{
    if (self) {
        tlb_protect_code_local(self, ppage);
    }
    tcg_run_on_other_cpus(self, tlb_protect_code_work, (void *)(uintptr_t)ppage,
                       0);
}

/* ------------------------------------------------------------------ */
/* Flushes                                                             */

static void tlb_flush_mmuidx_locked(TcgCpu *t, int i)
{
    CPUTLBDesc *d = &t->tlb[i];

    memset(d->table, 0xff, sizeof(TLBEntry) * TLB_ENTRIES);
    memset(d->vtable, 0xff, sizeof(d->vtable));
    d->vindex = 0;
    d->large_page_addr = -1;
    d->large_page_mask = -1;
}

void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap)
{
    TcgCpu *t = tcg_cpu(cpu);

    for (unsigned i = 0; i < tcg_ops->nb_mmu_modes; i++) {
        if (idxmap & (1u << i)) {
            tlb_flush_mmuidx_locked(t, i);
        }
    }
    tb_jmp_cache_clear_page(t, -1);
}

void tlb_flush(CPUState *cpu)
{
    tlb_flush_by_mmuidx(cpu, 0xffff);
}

void tlb_flush_page_by_mmuidx(CPUState *cpu, vaddr addr, uint16_t idxmap)
{
    TcgCpu *t = tcg_cpu(cpu);
    vaddr page = addr & tcg_page_mask();

    for (unsigned i = 0; i < tcg_ops->nb_mmu_modes; i++) {
        CPUTLBDesc *d = &t->tlb[i];
        TLBEntry *e = &d->table[tlb_index(page)];

        if (!(idxmap & (1u << i))) {
            continue;
        }
        if (d->large_page_addr != (vaddr)-1 &&
            (page & d->large_page_mask) == d->large_page_addr) {
            tlb_flush_mmuidx_locked(t, i);
            continue;
        }
        if (tlb_entry_maps(e, page)) {
            tlb_entry_clear(e);
        }
        for (unsigned v = 0; v < TLB_VICTIM; v++) {
            if (tlb_entry_maps(&d->vtable[v], page)) {
                tlb_entry_clear(&d->vtable[v]);
            }
        }
    }
    /* TBs starting on this page or on the previous one (which may run
     * into this page) are keyed by virtual pc in the jump cache. */
    tb_jmp_cache_clear_page(t, page);
    tb_jmp_cache_clear_page(t, page - (1ull << tcg_ops->page_bits));
}

void tlb_flush_page(CPUState *cpu, vaddr addr)
{
    tlb_flush_page_by_mmuidx(cpu, addr, 0xffff);
}

typedef struct TlbFlushReq {
    vaddr addr;                /* -1: whole TLB */
    uint16_t idxmap;
} TlbFlushReq;

static void tlb_flush_req_work(CPUState *cpu, void *data)
{
    TlbFlushReq *r = data;

    if (r->addr == (vaddr)-1) {
        tlb_flush_by_mmuidx(cpu, r->idxmap);
    } else {
        tlb_flush_page_by_mmuidx(cpu, r->addr, r->idxmap);
    }
    g_free(r);
}

static void tlb_flush_req_all(CPUState *src, vaddr addr, uint16_t idxmap,
                              bool synced)
{
    TlbFlushReq r = { .addr = addr, .idxmap = idxmap };

    tcg_run_on_other_cpus(src, tlb_flush_req_work, &r, sizeof(r));
    if (!src) {
        return;
    }
    if (synced && cpu_is_threaded(src)) {
        async_safe_run_on_cpu(src, tlb_flush_req_work,
                              g_memdup2(&r, sizeof(r)));
    } else {
        tlb_flush_req_work(src, g_memdup2(&r, sizeof(r)));
    }
}

void tlb_flush_all_cpus(CPUState *src)
{
    tlb_flush_req_all(src, -1, 0xffff, false);
}

void tlb_flush_page_all_cpus(CPUState *src, vaddr addr)
{
    tlb_flush_req_all(src, addr & tcg_page_mask(), 0xffff, false);
}

void tlb_flush_by_mmuidx_all_cpus(CPUState *src, uint16_t idxmap)
{
    tlb_flush_req_all(src, -1, idxmap, false);
}

void tlb_flush_all_cpus_synced(CPUState *src)
{
    tlb_flush_req_all(src, -1, 0xffff, true);
}

void tlb_flush_page_all_cpus_synced(CPUState *src, vaddr addr)
{
    tlb_flush_req_all(src, addr & tcg_page_mask(), 0xffff, true);
}

/* ------------------------------------------------------------------ */
/* Slow paths                                                          */

/*
 * Guest RAM from C: other vCPUs may access the same bytes concurrently
 * (guest races are the guest's business), so these are relaxed atomics,
 * byte-wise when misaligned.
 */
static uint64_t ldn_host(const void *p, unsigned size, bool be)
{
    uint64_t v = 0;

    if (((uintptr_t)p & (size - 1)) == 0) {
        switch (size) {
        case 1:
            v = __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
            break;
        case 2:
            v = __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
            break;
        case 4:
            v = __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
            break;
        default:
            v = __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
            break;
        }
    } else {
        for (unsigned i = 0; i < size; i++) {
            v |= (uint64_t)__atomic_load_n((const uint8_t *)p + i,
                                           __ATOMIC_RELAXED) << (8 * i);
        }
    }
    if (be) {
        v = __builtin_bswap64(v) >> (64 - 8 * size);
    }
    return v;
}

static void stn_host(void *p, unsigned size, bool be, uint64_t v)
{
    if (be) {
        v = __builtin_bswap64(v) >> (64 - 8 * size);
    }
    if (((uintptr_t)p & (size - 1)) == 0) {
        switch (size) {
        case 1:
            __atomic_store_n((uint8_t *)p, v, __ATOMIC_RELAXED);
            break;
        case 2:
            __atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
            break;
        case 4:
            __atomic_store_n((uint32_t *)p, v, __ATOMIC_RELAXED);
            break;
        default:
            __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
            break;
        }
    } else {
        for (unsigned i = 0; i < size; i++) {
            __atomic_store_n((uint8_t *)p + i, (uint8_t)(v >> (8 * i)),
                             __ATOMIC_RELAXED);
        }
    }
}

static MemTxAttrs cpu_attrs(CPUState *cpu)
{
    MemTxAttrs a = MEMTXATTRS_UNSPECIFIED;

    a.requester_id = cpu->cpu_index;
    return a;
}

/* One access that does not cross a page. */
static uint64_t ld_one(CPUState *cpu, vaddr addr, unsigned size, bool be,
                       int mmu_idx, MMUAccessType type, uintptr_t ra)
{
    CPUTLBEntryFull *full;
    TLBEntry *e = tlb_lookup(cpu, addr, size, type, mmu_idx, ra, false, &full);
    uint64_t val = 0;

    if (type != MMU_INST_FETCH && (tlb_field(e, type) & TLB_WATCHPOINT)) {
        tcg_watchpoint_check(cpu, addr, size, BP_MEM_READ, ra);
    }
    if (tlb_field(e, type) & TLB_MMIO) {
        hwaddr pa = full->phys_page | (addr & ~tcg_page_mask());

        tcg_cpu(cpu)->stats.slow_mmio++;
        address_space_read_value(&address_space_memory, pa, size, be, &val,
                                 cpu_attrs(cpu));
        return val;
    }
    return ldn_host((void *)(addr + e->addend), size, be);
}

/* After a store to a NOTDIRTY page: drop its TBs; keep the flag only if
 * code came back meanwhile. */
static void notdirty_written(CPUState *cpu, TLBEntry *e, hwaddr pa,
                             unsigned size)
{
    hwaddr ppage = pa & tcg_page_mask();

    tcg_cpu(cpu)->stats.notdirty_writes++;
    tb_invalidate_phys_range(pa, pa + size);
    if (!tb_page_is_code(ppage)) {
        e->addr_write &= ~(uint64_t)TLB_NOTDIRTY;
    }
}

/*
 * Self-modifying code within the executing TB.  Called before a store to
 * a NOTDIRTY page (so only when the page holds code) with the store's
 * host return address.  When the store would rewrite code of the TB that
 * is running, the rest of that TB would execute the old bytes; instead,
 * nothing is stored: the guest state is rolled back to the storing insn
 * (it is restartable, as for a fault) and the loop runs that insn alone in
 * a fresh one-insn TB (TcgCpu.smc_single).  Its store then goes through
 * the ordinary NOTDIRTY path, which invalidates the old TB, and
 * translation resumes from the new bytes.  A one-insn TB is exempt: no
 * insn of it runs after the store (this also ends the cycle for an insn
 * that rewrites itself).  Owner thread.
 */
static void smc_check_current_tb(CPUState *cpu, hwaddr pa, unsigned size,
                                 uintptr_t ra)
{
    TranslationBlock *tb;

    if (!ra) {
        return;
    }
    tb = tb_find_by_host_pc(ra);
    if (!tb || tb->icount <= 1 || !tb_code_overlaps(tb, pa, pa + size)) {
        return;
    }
    tcg_cpu(cpu)->stats.smc_current_tb++;
    tcg_cpu(cpu)->smc_single = true;
    cpu_restore_state(cpu, ra);
    cpu->exception_index = -1;
    cpu_loop_exit(cpu);
}

static void st_one(CPUState *cpu, vaddr addr, unsigned size, bool be,
                   uint64_t val, int mmu_idx, uintptr_t ra)
{
    CPUTLBEntryFull *full;
    TLBEntry *e = tlb_lookup(cpu, addr, size, MMU_DATA_STORE, mmu_idx, ra,
                             false, &full);
    hwaddr pa = full->phys_page | (addr & ~tcg_page_mask());

    if (e->addr_write & TLB_WATCHPOINT) {
        tcg_watchpoint_check(cpu, addr, size, BP_MEM_WRITE, ra);
    }
    if (e->addr_write & TLB_MMIO) {
        tcg_cpu(cpu)->stats.slow_mmio++;
        address_space_write_value(&address_space_memory, pa, size, be, val,
                                  cpu_attrs(cpu));
        return;
    }
    if (e->addr_write & TLB_NOTDIRTY) {
        smc_check_current_tb(cpu, pa, size, ra);
    }
    /* Store first, invalidate after: see tb-maint.c, invalidation race. */
    stn_host((void *)(addr + e->addend), size, be, val);
    if (e->addr_write & TLB_NOTDIRTY) {
        notdirty_written(cpu, e, pa, size);
    }
}

static bool crosses_page(vaddr addr, unsigned size)
{
    return ((addr & ~tcg_page_mask()) + size) > (1ull << tcg_ops->page_bits);
}

static void check_align(CPUState *cpu, vaddr addr, MemOp mop,
                        MMUAccessType type, int mmu_idx, uintptr_t ra)
{
    unsigned a = memop_align_bits(mop);

    if (addr & ((1ull << a) - 1)) {
        tcg_ops->do_unaligned_access(cpu, addr, type, mmu_idx, ra);
        g_assert_not_reached();
    }
}

static uint64_t do_ld(CPUState *cpu, vaddr addr, MemOpIdx oi, uintptr_t ra,
                      MMUAccessType type)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);
    bool be = (mop & MO_BE) != 0;
    uint64_t v = 0;

    check_align(cpu, addr, mop, type, mmu_idx, ra);
    if (!crosses_page(addr, size)) {
        v = ld_one(cpu, addr, size, be, mmu_idx, type, ra);
    } else {
        for (unsigned i = 0; i < size; i++) {
            uint64_t b = ld_one(cpu, addr + i, 1, false, mmu_idx, type, ra);

            v |= b << (8 * (be ? size - 1 - i : i));
        }
    }
    if ((mop & MO_SIGN) && size < 8) {
        v = (uint64_t)((int64_t)(v << (64 - size * 8)) >> (64 - size * 8));
    }
    return v;
}

static void do_st(CPUState *cpu, vaddr addr, uint64_t val, MemOpIdx oi,
                  uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);
    bool be = (mop & MO_BE) != 0;
    CPUTLBEntryFull *full;

    check_align(cpu, addr, mop, MMU_DATA_STORE, mmu_idx, ra);
    if (!crosses_page(addr, size)) {
        st_one(cpu, addr, size, be, val, mmu_idx, ra);
        return;
    }
    /* Both pages must translate before any byte is written. */
    tlb_lookup(cpu, addr, 1, MMU_DATA_STORE, mmu_idx, ra, false, &full);
    tlb_lookup(cpu, addr + size - 1, 1, MMU_DATA_STORE, mmu_idx, ra, false,
               &full);
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = val >> (8 * (be ? size - 1 - i : i));

        st_one(cpu, addr + i, 1, false, b, mmu_idx, ra);
    }
}

uint64_t tlb_slow_ld(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return do_ld(env_cpu(env), addr, oi, ra, MMU_DATA_LOAD);
}

void tlb_slow_st(void *env, uint64_t addr, uint64_t val, MemOpIdx oi,
                 uintptr_t ra)
{
    do_st(env_cpu(env), addr, val, oi, ra);
}

uint64_t cpu_ld_mmu(CPUState *cpu, vaddr addr, MemOpIdx oi, uintptr_t ra)
{
    return do_ld(cpu, addr, oi, ra, MMU_DATA_LOAD);
}

void cpu_st_mmu(CPUState *cpu, vaddr addr, uint64_t val, MemOpIdx oi,
                uintptr_t ra)
{
    do_st(cpu, addr, val, oi, ra);
}

/*
 * Host address for an atomic read-modify-write.  When the access cannot be
 * one host atomic (it crosses a page, or targets MMIO/ROM/unassigned
 * memory) the insn is restarted as an exclusive step (tcg-exec.c): state
 * restored to the insn's start, EXCP_TCG_ATOMIC, and the loop runs it
 * again with every other vCPU stopped outside guest code.  Inside that
 * step this returns NULL and tcg-atomic.c does the operation as a load and
 * a store through the slow paths (whose store checks every page before
 * writing any byte, so a fault leaves memory unchanged); with the others
 * stopped, that is atomic.  Owner vCPU thread, no locks (may fault).
 */
void *tlb_atomic_host_addr(void *env, uint64_t addr, MemOpIdx oi,
                           uintptr_t ra)
{
    CPUState *cpu = env_cpu(env);
    TcgCpu *t = tcg_cpu(cpu);
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);
    CPUTLBEntryFull *full;
    TLBEntry *e;
    hwaddr pa;

    check_align(cpu, addr, mop, MMU_DATA_STORE, mmu_idx, ra);
    if (crosses_page(addr, size)) {
        goto fallback;
    }
    tlb_lookup(cpu, addr, size, MMU_DATA_LOAD, mmu_idx, ra, false, &full);
    e = tlb_lookup(cpu, addr, size, MMU_DATA_STORE, mmu_idx, ra, false, &full);
    if ((e->addr_write | e->addr_read) & (TLB_MMIO | TLB_WATCHPOINT) ||
        !tlb_hit_page(e->addr_read, addr & tcg_page_mask())) {
        goto fallback;
    }
    pa = full->phys_page | (addr & ~tcg_page_mask());
    if (e->addr_write & TLB_NOTDIRTY) {
        smc_check_current_tb(cpu, pa, size, ra);
        notdirty_written(cpu, e, pa, size);
    }
    return (void *)(addr + e->addend);

fallback:
    if (t->in_atomic_step) {
        return NULL;
    }
    cpu->exception_index = EXCP_TCG_ATOMIC;
    cpu_loop_exit_restore(cpu, ra);
}
