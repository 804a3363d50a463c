/*
 * tb-maint.c: the life of translation blocks: the code buffer and its
 * regions, translation (tb_gen_code), the TB hash table, per-page TB lists,
 * chaining and unchaining, invalidation, tb_flush, and the host-pc -> TB
 * lookup used to restore guest state after a fault.
 *
 * Code buffer.  One RWX mapping: the prologue in the first 64 KiB, then
 * equal regions.  A vCPU thread claims a whole region with one atomic
 * increment and then allocates TBs in it bump-wise with no lock at all:
 * each TB is [descriptor | host code | insn table], 64-byte aligned.  When
 * no region is left the vCPU queues tb_flush and leaves to the vCPU loop.
 * RWX (not a split RW/RX mapping) because tcg_patch_goto_tb writes through
 * the execution address; see docs/devel/tcg.md.
 *
 * Locks, outermost first (none is held while guest code runs or a fault
 * may be raised):
 *   page_lock    the page table (guest-physical page -> list of TBs on it),
 *                TB insertion into the hash table and the page lists,
 *                invalidation, and inval_gen.  Translation itself runs
 *                without it; only linking the finished TB takes it.
 *   tb_jmp_lock  every chaining edge: jmp_dest[], the incoming lists, and
 *                the patching of goto_tb jumps.  One global lock: an edge
 *                is created once (the first time a TB leaves through an
 *                unchained jump) and removed once, so it is never hot, and
 *                one lock makes "check both ends valid, then patch" atomic
 *                with respect to unchaining without lock-ordering puzzles.
 *   region->lock the sorted TB array of a region (appended by the owner,
 *                searched by any thread in tb_find_by_host_pc).
 *   RCU          the hash table (rculfhash, memb flavour) is read under
 *                rcu_read_lock without other locks.
 *
 * TB memory is never freed one TB at a time: an invalid TB stays where it
 * is (unreachable through the hash table and chaining, harmless in jump
 * caches because lookups check tb->invalid) until tb_flush recycles every
 * region while no vCPU runs guest code.  So no grace periods are needed
 * for TBs themselves.
 *
 * The invalidation race.  A vCPU translating from page P while another
 * writes P: the writer stores first and invalidates after (cputlb.c), and
 * every invalidation bumps inval_gen under page_lock and records its range
 * in the invalidation log.  The translator samples inval_gen before
 * reading any code byte and, under page_lock, refuses to link its TB if an
 * invalidation since then overlapped the TB's code (or the log no longer
 * reaches back to the sample), and translates again.  So a TB linked from
 * stale bytes would have been translated entirely before the store, and is
 * then found and removed by the store's invalidation.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "system/rcu.h"
#include "accel/tcg/internal.h"
#include "tcg/tcg-op.h"

#include <sys/mman.h>

#define TCG_PROLOGUE_SIZE (64 * 1024)
#define TB_MIN_SPACE (128 * 1024)       /* start a TB only with this much */

struct TcgRegion {
    pthread_mutex_t lock;
    uint8_t *start, *end;              /* const */
    GPtrArray *tbs;                    /* lock: TBs by ascending tc_ptr */
};

static struct {
    uint8_t *base;                     /* const: first region */
    size_t region_size;                /* const */
    unsigned nb_regions;               /* const */
    TcgRegion *regions;                /* const array */
    unsigned next_region;              /* atomic; reset by flush */
    unsigned flush_count;              /* atomic */
    unsigned flush_queued;             /* atomic: a flush work item exists */
} tcg_rt;

/* The TB hash table.  The pointer is replaced only by tb_flush (exclusive,
 * so no reader exists then); the table itself is read under RCU. */
static struct cds_lfht *tb_htable;
static unsigned long tb_htable_nodes;  /* page_lock to write; atomic read */
static unsigned long tb_htable_buckets; /* resize_lock to write; atomic read */
/* Serialises growing the table with tb_flush's replacing it.  Taken
 * after page_lock (flush) or alone (growth). */
static pthread_mutex_t resize_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t page_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *page_table;         /* page_lock: page -> PageDesc */
static uint64_t inval_gen;             /* page_lock to write; atomic read */

/*
 * The invalidation log: the guest-physical ranges of recent invalidations
 * with the generation of the latest one of each (a range invalidated
 * again just gets the newer generation), so that tb_link refuses a TB
 * only when an invalidation since its sample overlapped its code.  A vCPU
 * that keeps storing to data next to code (a lock variable in a small
 * kernel) then does not starve the other vCPUs' translations.  inval_floor
 * is the newest generation the log no longer describes (an overwritten
 * entry, or a flush): a sample older than it is refused outright.
 */
#define INVAL_LOG_SIZE 64
static struct {
    hwaddr start, end;
    uint64_t gen;                      /* 0: unused */
} inval_log[INVAL_LOG_SIZE];           /* page_lock */
static unsigned inval_log_next;        /* page_lock: entry to reuse next */
static uint64_t inval_floor;           /* page_lock */

typedef struct PageDesc {
    uintptr_t first;                   /* page_lock: (tb | n) list */
} PageDesc;

static pthread_mutex_t tb_jmp_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t tcg_cpus_lock = PTHREAD_MUTEX_INITIALIZER;
static TcgCpu *tcg_cpus;               /* tcg_cpus_lock; every TcgCpu */

/* ------------------------------------------------------------------ */
/* Regions                                                             */

void tcg_regions_init(uint8_t *buf, size_t size)
{
    size_t avail = size - TCG_PROLOGUE_SIZE;
    size_t rsize = 2u << 20;

    while (rsize > TB_MIN_SPACE * 2 && avail / rsize < 16) {
        rsize /= 2;
    }
    tcg_rt.base = buf + TCG_PROLOGUE_SIZE;
    tcg_rt.region_size = rsize;
    tcg_rt.nb_regions = avail / rsize;
    assert(tcg_rt.nb_regions >= 2);
    tcg_rt.regions = g_new0(TcgRegion, tcg_rt.nb_regions);
    for (unsigned i = 0; i < tcg_rt.nb_regions; i++) {
        TcgRegion *r = &tcg_rt.regions[i];

        pthread_mutex_init(&r->lock, NULL);
        r->start = tcg_rt.base + i * rsize;
        r->end = r->start + rsize;
        r->tbs = g_ptr_array_new();
    }
}

void tcg_region_stats(unsigned *used, unsigned *total)
{
    unsigned n = __atomic_load_n(&tcg_rt.next_region, __ATOMIC_RELAXED);

    *used = MIN(n, tcg_rt.nb_regions);
    *total = tcg_rt.nb_regions;
}

/* Makes sure t has a region with TB_MIN_SPACE free; false if none is left.
 * Owner thread. */
static bool tcg_region_ensure(TcgCpu *t)
{
    unsigned idx;

    if (t->region && t->region->end - t->region_ptr >= TB_MIN_SPACE) {
        return true;
    }
    idx = __atomic_fetch_add(&tcg_rt.next_region, 1, __ATOMIC_RELAXED);
    if (idx >= tcg_rt.nb_regions) {
        t->region = NULL;
        return false;
    }
    t->region = &tcg_rt.regions[idx];
    t->region_ptr = t->region->start;
    return true;
}

/* ------------------------------------------------------------------ */
/* The hash table                                                      */

static uint32_t tb_hash(hwaddr phys_pc, vaddr pc, uint64_t cs_base,
                        uint32_t flags)
{
    uint64_t h = phys_pc * 0x9e3779b97f4a7c15ull;

    h ^= pc + 0x632be59bd9b4e019ull + (h << 6) + (h >> 2);
    h ^= cs_base + 0x8cb92ba72f3d8dd7ull + (h << 6) + (h >> 2);
    h ^= flags + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)h;
}

typedef struct TbKey {
    hwaddr phys_pc;
    vaddr pc;
    uint64_t cs_base;
    uint32_t flags;
} TbKey;

static hwaddr tb_phys_pc(const TranslationBlock *tb)
{
    return tb->page_addr[0] | (tb->pc & ~tcg_page_mask());
}

/* Called by rculfhash under rcu_read_lock. */
static int tb_key_match(struct cds_lfht_node *node, const void *key)
{
    TranslationBlock *tb = container_of(node, TranslationBlock, htnode);
    const TbKey *k = key;

    /* Pairs with the release in tb_link(): the TB was written before. */
    TSAN_ACQUIRE(tb);
    return tb->pc == k->pc && tb_phys_pc(tb) == k->phys_pc &&
           tb->cs_base == k->cs_base && tb->flags == k->flags;
}

static int tb_node_match(struct cds_lfht_node *node, const void *key)
{
    const TranslationBlock *other = key;
    TbKey k = {
        .phys_pc = tb_phys_pc(other), .pc = other->pc,
        .cs_base = other->cs_base, .flags = other->flags,
    };

    return tb_key_match(node, &k);
}

/*
 * The table starts small and grows by itself, but not with
 * CDS_LFHT_AUTO_RESIZE: that resizes on liburcu's workqueue thread, whose
 * allocations and frees ThreadSanitizer cannot pair with ours (liburcu is
 * not instrumented), and would make tb_flush's destroy asynchronous.
 * Instead the vCPU thread that links a TB past twice as many TBs as
 * buckets grows the table itself, eightfold, with cds_lfht_resize (a
 * synchronous, RCU-safe resize: lookups and links go on meanwhile),
 * outside page_lock and RCU read sections (tb_htable_maybe_grow).
 *
 * Why not a big fixed table: creating 64K buckets took 11-22 ms, most of
 * the 20 ms start-up budget; 4096 take a quarter of a millisecond.
 */
#define TB_HTABLE_MIN_BUCKETS (1ul << 12)
#define TB_HTABLE_MAX_BUCKETS (1ul << 22)

static struct cds_lfht *tb_htable_new(void)
{
    struct cds_lfht *ht = cds_lfht_new_flavor(TB_HTABLE_MIN_BUCKETS,
                                              TB_HTABLE_MIN_BUCKETS,
                                              TB_HTABLE_MAX_BUCKETS,
                                              CDS_LFHT_ACCOUNTING,
                                              &urcu_memb_flavor, NULL);

    assert(ht);
    __atomic_store_n(&tb_htable_buckets, TB_HTABLE_MIN_BUCKETS,
                     __ATOMIC_RELAXED);
    return ht;
}

unsigned long tb_htable_size(void)
{
    return __atomic_load_n(&tb_htable_buckets, __ATOMIC_RELAXED);
}

/* After linking a TB; holds no lock, outside RCU read sections. */
static void tb_htable_maybe_grow(void)
{
    unsigned long nodes = __atomic_load_n(&tb_htable_nodes, __ATOMIC_RELAXED);
    unsigned long size;

    if (nodes <= 2 * tb_htable_size() ||
        tb_htable_size() >= TB_HTABLE_MAX_BUCKETS) {
        return;
    }
    pthread_mutex_lock(&resize_lock);
    size = tb_htable_buckets;
    if (nodes > 2 * size && size < TB_HTABLE_MAX_BUCKETS) {
        size = MIN(size * 8, TB_HTABLE_MAX_BUCKETS);  /* a power of 2 */
        cds_lfht_resize(tb_htable, size);
        __atomic_store_n(&tb_htable_buckets, size, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&resize_lock);
}

void tb_maint_init(void)
{
    tb_htable = tb_htable_new();
    page_table = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                       g_free);
}

/* Any thread registered with RCU, no lock needed. */
TranslationBlock *tb_htable_lookup(vaddr pc, hwaddr phys_pc,
                                   uint64_t cs_base, uint32_t flags)
{
    TbKey k = { .phys_pc = phys_pc, .pc = pc, .cs_base = cs_base,
                .flags = flags };
    struct cds_lfht_iter iter;
    struct cds_lfht_node *node;
    TranslationBlock *tb = NULL;

    rcu_read_lock();
    cds_lfht_lookup(rcu_load(&tb_htable), tb_hash(phys_pc, pc, cs_base, flags),
                    tb_key_match, &k, &iter);
    node = cds_lfht_iter_get_node(&iter);
    if (node) {
        tb = container_of(node, TranslationBlock, htnode);
        TSAN_ACQUIRE(tb);
    }
    rcu_read_unlock();
    return tb;
}

unsigned long tb_count(void)
{
    long before, after;
    unsigned long count;

    rcu_read_lock();
    cds_lfht_count_nodes(rcu_load(&tb_htable), &before, &count, &after);
    rcu_read_unlock();
    return count;
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */

static PageDesc *page_find(hwaddr page)
{
    return g_hash_table_lookup(page_table, &page);
}

bool tb_page_is_code(hwaddr addr)
{
    bool r;

    pthread_mutex_lock(&page_lock);
    r = page_find(addr & tcg_page_mask()) != NULL;
    pthread_mutex_unlock(&page_lock);
    return r;
}

/* Adds tb to the list of its page n; true if the page was not code yet.
 * page_lock. */
static bool page_add_tb(TranslationBlock *tb, int n)
{
    hwaddr page = tb->page_addr[n];
    PageDesc *pd = page_find(page);
    bool fresh = false;

    if (!pd) {
        hwaddr *key = g_new(hwaddr, 1);

        *key = page;
        pd = g_new0(PageDesc, 1);
        g_hash_table_insert(page_table, key, pd);
        fresh = true;
    }
    tb->page_next[n] = pd->first;
    pd->first = (uintptr_t)tb | n;
    return fresh;
}

/* Removes tb from the list of its page n; drops an empty page.
 * page_lock. */
static void page_remove_tb(TranslationBlock *tb, int n)
{
    hwaddr page = tb->page_addr[n];
    PageDesc *pd = page_find(page);
    uintptr_t *pp;

    assert(pd);
    for (pp = &pd->first; *pp; ) {
        TranslationBlock *t = (TranslationBlock *)(*pp & ~(uintptr_t)3);
        int tn = *pp & 3;

        if (t == tb && tn == n) {
            *pp = tb->page_next[n];
            break;
        }
        pp = &t->page_next[tn];
    }
    if (!pd->first) {
        g_hash_table_remove(page_table, &page);
    }
}

/* ------------------------------------------------------------------ */
/* Chaining                                                            */

static void tb_patch_jump(TranslationBlock *tb, int n, uintptr_t target)
{
    tcg_patch_goto_tb((uintptr_t)tb->tc_ptr + tb->jmp_insn_off[n], target);
}

void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *next)
{
    assert(n == 0 || n == 1);
    if (tb->jmp_insn_off[n] == UINT32_MAX) {
        return;
    }
    pthread_mutex_lock(&tb_jmp_lock);
    if (!__atomic_load_n(&tb->invalid, __ATOMIC_RELAXED) &&
        !__atomic_load_n(&next->invalid, __ATOMIC_RELAXED) &&
        !tb->jmp_dest[n]) {
        tb->jmp_dest[n] = next;
        tb->jmp_list_next[n] = next->jmp_list_head;
        next->jmp_list_head = (uintptr_t)tb | n;
        tb_patch_jump(tb, n, (uintptr_t)next->tc_ptr);
    }
    pthread_mutex_unlock(&tb_jmp_lock);
}

/* Resets every jump into tb and forgets tb's outgoing edges.
 * tb_jmp_lock, tb already marked invalid. */
static void tb_unchain_locked(TranslationBlock *tb)
{
    uintptr_t e = tb->jmp_list_head;

    while (e) {
        TranslationBlock *src = (TranslationBlock *)(e & ~(uintptr_t)3);
        int n = e & 3;

        tb_patch_jump(src, n, (uintptr_t)src->tc_ptr + src->jmp_reset_off[n]);
        src->jmp_dest[n] = NULL;
        e = src->jmp_list_next[n];
    }
    tb->jmp_list_head = 0;
    for (int n = 0; n < 2; n++) {
        TranslationBlock *dest = tb->jmp_dest[n];
        uintptr_t *pp;

        if (!dest) {
            continue;
        }
        for (pp = &dest->jmp_list_head; *pp; ) {
            TranslationBlock *s = (TranslationBlock *)(*pp & ~(uintptr_t)3);
            int sn = *pp & 3;

            if (s == tb && sn == n) {
                *pp = tb->jmp_list_next[n];
                break;
            }
            pp = &s->jmp_list_next[sn];
        }
        tb->jmp_dest[n] = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Invalidation                                                        */

/* Records [start, end) as invalidated at the current generation.
 * page_lock. */
static void inval_log_add(hwaddr start, hwaddr end)
{
    unsigned n = inval_log_next;

    for (unsigned i = 0; i < INVAL_LOG_SIZE; i++) {
        if (inval_log[i].gen && inval_log[i].start == start &&
            inval_log[i].end == end) {
            inval_log[i].gen = inval_gen;
            return;
        }
    }
    inval_floor = MAX(inval_floor, inval_log[n].gen);
    inval_log[n].start = start;
    inval_log[n].end = end;
    inval_log[n].gen = inval_gen;
    inval_log_next = (n + 1) % INVAL_LOG_SIZE;
}

/* Whether an invalidation after generation gen may have hit tb's code
 * (tb's key fields are set, it is not linked yet).  page_lock. */
static bool inval_since(const TranslationBlock *tb, uint64_t gen)
{
    if (gen == inval_gen) {
        return false;
    }
    if (gen < inval_floor) {
        return true;
    }
    for (unsigned i = 0; i < INVAL_LOG_SIZE; i++) {
        if (inval_log[i].gen > gen &&
            tb_code_overlaps(tb, inval_log[i].start, inval_log[i].end)) {
            return true;
        }
    }
    return false;
}

/* page_lock. */
static void tb_phys_invalidate_locked(TranslationBlock *tb)
{
    __atomic_store_n(&tb->invalid, true, __ATOMIC_RELEASE);
    if (!(tb->cflags & CF_NOCACHE)) {
        rcu_read_lock();
        if (cds_lfht_del(tb_htable, &tb->htnode) == 0) {
            __atomic_store_n(&tb_htable_nodes, tb_htable_nodes - 1,
                             __ATOMIC_RELAXED);
        }
        rcu_read_unlock();
    }
    page_remove_tb(tb, 0);
    if (tb->page_addr[1] != (hwaddr)-1) {
        page_remove_tb(tb, 1);
    }
    pthread_mutex_lock(&tb_jmp_lock);
    tb_unchain_locked(tb);
    pthread_mutex_unlock(&tb_jmp_lock);
}

bool tb_code_overlaps(const TranslationBlock *tb, hwaddr start, hwaddr end)
{
    vaddr psize = (vaddr)1 << tcg_ops->page_bits;
    vaddr off = tb->pc & ~tcg_page_mask();
    vaddr first = MIN((vaddr)tb->size, psize - off);
    hwaddr s0 = tb->page_addr[0] + off;

    if (start < s0 + first && s0 < end) {
        return true;
    }
    return tb->page_addr[1] != (hwaddr)-1 && tb->size > first &&
           start < tb->page_addr[1] + (tb->size - first) &&
           tb->page_addr[1] < end;
}

/* Invalidates the TBs of page whose code overlaps [start, end): a write
 * to data that shares a page with code leaves that code's TBs alone.
 * page_lock. */
static void page_invalidate_locked(hwaddr page, hwaddr start, hwaddr end)
{
    PageDesc *pd = page_find(page);
    uintptr_t p = pd ? pd->first : 0;

    while (p) {
        TranslationBlock *tb = (TranslationBlock *)(p & ~(uintptr_t)3);
        uintptr_t next = tb->page_next[p & 3];

        if (tb_code_overlaps(tb, start, end)) {
            tb_phys_invalidate_locked(tb);
            /* The list changed: start again on what is left. */
            pd = page_find(page);
            next = pd ? pd->first : 0;
        }
        p = next;
    }
}

void tb_invalidate_phys_range(hwaddr start, hwaddr end)
{
    hwaddr mask = tcg_page_mask();
    hwaddr first = start & mask;
    uint64_t npages;

    if (end <= start) {
        return;
    }
    npages = ((end - 1 - first) >> tcg_ops->page_bits) + 1;
    pthread_mutex_lock(&page_lock);
    __atomic_store_n(&inval_gen, inval_gen + 1, __ATOMIC_RELEASE);
    inval_log_add(start, end);
    if (npages <= g_hash_table_size(page_table) * 4 + 16) {
        for (uint64_t i = 0; i < npages; i++) {
            page_invalidate_locked(first + (i << tcg_ops->page_bits), start,
                                   end);
        }
    } else {
        /* A huge range: walk the code pages instead. */
        GList *keys = g_hash_table_get_keys(page_table);

        for (GList *l = keys; l; l = l->next) {
            hwaddr page = *(hwaddr *)l->data;

            if (page >= first && page < end) {
                page_invalidate_locked(page, start, end);
            }
        }
        g_list_free(keys);
    }
    pthread_mutex_unlock(&page_lock);
}

/* ------------------------------------------------------------------ */
/* Flush                                                               */

unsigned tb_flush_count(void)
{
    return __atomic_load_n(&tcg_rt.flush_count, __ATOMIC_ACQUIRE);
}

void tb_jmp_cache_clear_page(TcgCpu *t, vaddr addr)
{
    unsigned group;

    if (addr == (vaddr)-1) {
        memset(t->jc, 0, sizeof(t->jc));
        return;
    }
    group = tb_jmp_cache_hash(addr & tcg_page_mask()) &
            ~((1u << (TB_JMP_CACHE_BITS - TB_JMP_PAGE_BITS)) - 1);
    memset(&t->jc[group], 0,
           sizeof(t->jc[0]) << (TB_JMP_CACHE_BITS - TB_JMP_PAGE_BITS));
}

/* Exclusive work: no vCPU is in guest code or in the runtime. */
static void tb_flush_work(CPUState *cpu, void *data)
{
    unsigned count = (uintptr_t)data;
    struct cds_lfht_iter iter;
    struct cds_lfht_node *node;
    struct cds_lfht *old;

    if (tb_flush_count() != count) {
        /* Someone else flushed in the meantime (a bare CPU). */
        __atomic_store_n(&tcg_rt.flush_queued, 0, __ATOMIC_RELAXED);
        return;
    }
    pthread_mutex_lock(&page_lock);
    pthread_mutex_lock(&resize_lock);
    old = tb_htable;
    rcu_read_lock();
    cds_lfht_for_each(old, &iter, node) {
        cds_lfht_del(old, node);
    }
    rcu_read_unlock();
    /* No resize worker exists (fixed size), so once the nodes are
     * deleted nothing of liburcu looks at TB memory any more. */
    rcu_publish(&tb_htable, tb_htable_new());
    g_assert(cds_lfht_destroy(old, NULL) == 0);
    __atomic_store_n(&tb_htable_nodes, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&resize_lock);
    g_hash_table_remove_all(page_table);
    __atomic_store_n(&inval_gen, inval_gen + 1, __ATOMIC_RELEASE);
    inval_floor = inval_gen;            /* every translation in flight */
    pthread_mutex_unlock(&page_lock);

    for (unsigned i = 0; i < tcg_rt.nb_regions; i++) {
        TcgRegion *r = &tcg_rt.regions[i];

        pthread_mutex_lock(&r->lock);
        g_ptr_array_set_size(r->tbs, 0);
        pthread_mutex_unlock(&r->lock);
    }
    pthread_mutex_lock(&tcg_cpus_lock);
    for (TcgCpu *t = tcg_cpus; t; t = t->next) {
        t->region = NULL;
        t->region_ptr = NULL;
        tb_jmp_cache_clear_page(t, -1);
    }
    pthread_mutex_unlock(&tcg_cpus_lock);
    __atomic_store_n(&tcg_rt.next_region, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&tcg_rt.flush_queued, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&tcg_rt.flush_count, count + 1, __ATOMIC_RELEASE);
}

void tb_flush(CPUState *cpu)
{
    unsigned count = tb_flush_count();

    if (!cpu_is_threaded(cpu)) {
        /* A bare CPU (tests): nobody would run queued work; flush now,
         * stepping out of cpu_exec_start/end if we are inside. */
        bool in = __atomic_load_n(&cpu->in_guest, __ATOMIC_RELAXED);

        if (in) {
            cpu_exec_end(cpu);
        }
        start_exclusive();
        tb_flush_work(cpu, (void *)(uintptr_t)count);
        end_exclusive();
        if (in) {
            cpu_exec_start(cpu);
        }
        return;
    }
    if (__atomic_exchange_n(&tcg_rt.flush_queued, 1, __ATOMIC_ACQ_REL)) {
        return;                 /* one is on its way */
    }
    async_safe_run_on_cpu(cpu, tb_flush_work, (void *)(uintptr_t)count);
}

void tcg_cpu_register(TcgCpu *t)
{
    pthread_mutex_lock(&tcg_cpus_lock);
    t->next = tcg_cpus;
    tcg_cpus = t;
    pthread_mutex_unlock(&tcg_cpus_lock);
}

void tcg_cpu_unregister(TcgCpu *t)
{
    pthread_mutex_lock(&tcg_cpus_lock);
    for (TcgCpu **pp = &tcg_cpus; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    pthread_mutex_unlock(&tcg_cpus_lock);
}

void tcg_run_on_other_cpus(CPUState *self, RunOnCpuFn *fn, void *data,
                           size_t data_size)
{
    GPtrArray *mine = g_ptr_array_new();

    pthread_mutex_lock(&tcg_cpus_lock);
    for (TcgCpu *t = tcg_cpus; t; t = t->next) {
        CPUState *cpu = t->cpu;
        void *d = data;

        if (cpu == self) {
            continue;
        }
        if (pthread_equal(t->owner, pthread_self()) && !cpu_is_threaded(cpu)) {
            g_ptr_array_add(mine, cpu);      /* after the unlock */
            continue;
        }
        if (data_size) {
            d = g_memdup2(data, data_size);
        }
        if (cpu_is_threaded(cpu)) {
            async_run_on_cpu(cpu, fn, d);
        } else {
            TcgBareWork w = { .fn = fn, .data = d };

            pthread_mutex_lock(&t->bare_lock);
            g_array_append_val(t->bare_work, w);
            __atomic_store_n(&t->bare_pending, true, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&t->bare_lock);
            cpu_exit(cpu);
        }
    }
    pthread_mutex_unlock(&tcg_cpus_lock);
    for (guint i = 0; i < mine->len; i++) {
        fn(g_ptr_array_index(mine, i),
           data_size ? g_memdup2(data, data_size) : data);
    }
    g_ptr_array_free(mine, true);
}

void tcg_run_bare_work(TcgCpu *t)
{
    GArray *work;

    pthread_mutex_lock(&t->bare_lock);
    work = t->bare_work;
    t->bare_work = g_array_new(false, false, sizeof(TcgBareWork));
    __atomic_store_n(&t->bare_pending, false, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&t->bare_lock);
    for (guint i = 0; i < work->len; i++) {
        TcgBareWork *w = &g_array_index(work, TcgBareWork, i);

        w->fn(t->cpu, w->data);
    }
    g_array_free(work, true);
}

/* ------------------------------------------------------------------ */
/* Translation                                                         */

/* Out of code space: queue a flush and leave to the vCPU loop, which runs
 * it.  A bare CPU flushes at once and returns.  Owner thread. */
static void tb_gen_code_full(CPUState *cpu)
{
    tb_flush(cpu);
    if (cpu_is_threaded(cpu)) {
        cpu->exception_index = EXCP_INTERRUPT;
        cpu_loop_exit(cpu);
    }
}

/*
 * Links a finished TB: hash table, page lists, code protection.  Returns
 * tb, the equal TB another vCPU linked first, or NULL if an invalidation
 * happened since gen (the caller translates again).
 */
static TranslationBlock *tb_link(CPUState *cpu, TranslationBlock *tb,
                                 uint64_t gen)
{
    struct cds_lfht_node *node;
    hwaddr fresh[2] = { -1, -1 };

    pthread_mutex_lock(&page_lock);
    if (inval_since(tb, gen)) {
        pthread_mutex_unlock(&page_lock);
        return NULL;
    }
    /* Pairs with the acquire in tb_key_match/tb_htable_lookup. */
    TSAN_RELEASE(tb);
    rcu_read_lock();
    node = cds_lfht_add_unique(tb_htable, tb->hash, tb_node_match, tb,
                               &tb->htnode);
    rcu_read_unlock();
    if (node != &tb->htnode) {
        pthread_mutex_unlock(&page_lock);
        TranslationBlock *other = container_of(node, TranslationBlock, htnode);
        TSAN_ACQUIRE(other);
        return other;
    }
    __atomic_store_n(&tb_htable_nodes, tb_htable_nodes + 1, __ATOMIC_RELAXED);
    if (page_add_tb(tb, 0)) {
        fresh[0] = tb->page_addr[0];
    }
    if (tb->page_addr[1] != (hwaddr)-1 && page_add_tb(tb, 1)) {
        fresh[1] = tb->page_addr[1];
    }
    pthread_mutex_unlock(&page_lock);
    for (int i = 0; i < 2; i++) {
        if (fresh[i] != (hwaddr)-1) {
            tlb_protect_code_all(cpu, fresh[i]);
        }
    }
    return tb;
}

static void tb_region_record(TcgCpu *t, TranslationBlock *tb)
{
    pthread_mutex_lock(&t->region->lock);
    g_ptr_array_add(t->region->tbs, tb);
    pthread_mutex_unlock(&t->region->lock);
}

TranslationBlock *tb_gen_code(CPUState *cpu, vaddr pc, uint64_t cs_base,
                              uint32_t flags, uint32_t cflags)
{
    TcgCpu *t = tcg_cpu(cpu);
    int max_insns = cflags & CF_COUNT_MASK;
    TranslationBlock *tb, *linked;
    uint8_t *code;
    size_t space;
    uint64_t gen;
    hwaddr phys_pc;
    void *host;
    int size, tsize;

    if (max_insns == 0 || max_insns > TCG_MAX_INSNS) {
        max_insns = TCG_MAX_INSNS;
    }
restart:
    /* Before any code byte is read; see "The invalidation race". */
    gen = __atomic_load_n(&inval_gen, __ATOMIC_ACQUIRE);
    phys_pc = get_page_addr_code_hostp(cpu, pc, false, &host);
    if (phys_pc == (hwaddr)-1 || !host) {
        cflags |= CF_NOCACHE;       /* code not in RAM: run once, uncached */
    }
    if (!tcg_region_ensure(t)) {
        tb_gen_code_full(cpu);
        goto restart;
    }
    tb = (TranslationBlock *)ROUND_UP((uintptr_t)t->region_ptr, 64);
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->cflags = cflags;
    tb->page_addr[0] = tb->page_addr[1] = -1;
    code = (uint8_t *)ROUND_UP((uintptr_t)(tb + 1), 64);
    space = t->region->end - code;

    tcg_func_start(tcg_ctx);
    tcg_log_filter_set(pc, pc);
    tcg_ops->translate_code(cpu, tb, max_insns);
    tcg_log_filter_set(pc, pc + tb->size);
    assert(tb->icount > 0);

    size = tcg_gen_code(tcg_ctx, code, space);
    if (size == TCG_GEN_TOO_COMPLEX) {
        max_insns = MAX(1, tb->icount / 2);
        goto restart;
    }
    tsize = size < 0 ? -1 :
            tcg_insn_table_encode(tcg_ctx, code + size, space - size);
    if (size < 0 || tsize < 0) {
        t->region_ptr = t->region->end;     /* take the next region */
        goto restart;
    }
    tb->tc_ptr = code;
    tb->tc_size = size;
    tb->insn_table = code + size;
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_off[n] = tcg_ctx->goto_tb_used[n] ?
                              tcg_ctx->goto_tb_jmp_off[n] : UINT32_MAX;
        tb->jmp_reset_off[n] = tcg_ctx->goto_tb_reset_off[n];
    }
    if (tb->page_addr[0] == (hwaddr)-1) {
        tb->cflags |= CF_NOCACHE;
    }
    tb->hash = tb_hash(tb_phys_pc(tb), pc, cs_base, flags);
    t->region_ptr = code + size + tsize;
    t->stats.tb_translated++;

    if (tb->cflags & CF_NOCACHE) {
        /* Not findable, never chained; recorded for state restore. */
        tb_region_record(t, tb);
        return tb;
    }
    linked = tb_link(cpu, tb, gen);
    if (linked != tb) {
        /* Nothing refers to our TB: give its space back. */
        t->region_ptr = (uint8_t *)tb;
        t->stats.tb_discarded++;
        if (!linked) {
            goto restart;
        }
        return linked;
    }
    tb_region_record(t, tb);
    tb_htable_maybe_grow();
    return tb;
}

/* ------------------------------------------------------------------ */
/* Host pc -> TB                                                       */

static gint tb_tc_cmp(gconstpointer a, gconstpointer b)
{
    uintptr_t pc = *(const uintptr_t *)a;
    const TranslationBlock *tb = *(TranslationBlock *const *)b;

    if (pc < (uintptr_t)tb->tc_ptr) {
        return -1;
    }
    return pc >= (uintptr_t)tb->tc_ptr + tb->tc_size;
}

TranslationBlock *tb_find_by_host_pc(uintptr_t host_pc)
{
    uintptr_t pc = host_pc - 1;
    TranslationBlock *tb = NULL;
    TcgRegion *r;
    size_t idx;
    int lo, hi;

    if (pc < (uintptr_t)tcg_rt.base ||
        pc >= (uintptr_t)tcg_rt.base + tcg_rt.nb_regions * tcg_rt.region_size) {
        return NULL;
    }
    idx = (pc - (uintptr_t)tcg_rt.base) / tcg_rt.region_size;
    r = &tcg_rt.regions[idx];
    pthread_mutex_lock(&r->lock);
    lo = 0;
    hi = (int)r->tbs->len - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        TranslationBlock *m = g_ptr_array_index(r->tbs, mid);
        gint c = tb_tc_cmp(&pc, &m);

        if (c == 0) {
            tb = m;
            break;
        }
        if (c < 0) {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return tb;
}

bool cpu_restore_state(CPUState *cpu, uintptr_t host_pc)
{
    TranslationBlock *tb = tb_find_by_host_pc(host_pc);
    uint64_t words[TCG_MAX_INSN_WORDS] = { 0 };

    if (!tb || tcg_restore_state_lookup(tb->tc_ptr, tb->insn_table, host_pc,
                                        words) < 0) {
        return false;
    }
    tcg_ops->restore_state_to_opc(cpu, tb, words);
    return true;
}
