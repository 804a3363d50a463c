/*
 * smp-tlb.c: TLB shootdown through an IPI, and atomic A/D bit updates.
 *
 * One 4 KiB page at VA 0x80000000 is mapped by a page table of ours (PAE
 * in the 32-bit build, which turns paging on for every CPU; the 64-bit
 * build hooks the table into the long-mode tables crt0 built).
 *
 *   shootdown  ROUNDS times: every CPU reads the page (so its TLB holds
 *              the translation); CPU 0 points the PTE at the other frame,
 *              INVLPGs locally and sends an IPI to all others, whose
 *              handler INVLPGs and acknowledges; then every CPU must read
 *              the new frame's value.
 *   A/D bits   the walker sets A on a read and D on a write (SDM Vol 3A
 *              4.8); while the other CPUs keep re-walking (INVLPG + read,
 *              setting A), CPU 0 flips a software bit and clears A with
 *              LOCK AND/OR on the PTE many times: a walker that wrote the
 *              PTE back non-atomically would lose some of those updates.
 */
// run-args: -smp 2
// run-args: -smp 4
// run-args: -smp 4 -accel tcg,thread=single
#include "smp.h"

#define ROUNDS     30
#define AD_ITERS   10000
#define VA         0x80000000u
#define PTE_P      1ull
#define PTE_RW     2ull
#define PTE_A      (1ull << 5)
#define PTE_D      (1ull << 6)
#define PTE_SW     (1ull << 9)
#define VEC_SHOOT  0x44

static uint64_t pt_mem[512] __attribute__((aligned(4096)));
/* The walker writes A and D behind the compiler's back. */
static volatile uint64_t *const pt = pt_mem;
static uint32_t frame_a[1024] __attribute__((aligned(4096)));
static uint32_t frame_b[1024] __attribute__((aligned(4096)));
#ifndef __x86_64__
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd[4][512] __attribute__((aligned(4096)));
#endif

static volatile uint32_t acks, round_gen, stale_reads, ad_done;
static volatile uint32_t *const page = (volatile uint32_t *)(uintptr_t)VA;

static inline void invlpg(uintptr_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static void on_shoot(int v)
{
    invlpg(VA);
    __asm__ volatile("lock incl %0" : "+m"(acks) : : "memory");
}

/* Builds the tables (BSP, once). */
static void tables_init(void)
{
    frame_a[0] = 0xaaaa0000;
    frame_b[0] = 0xbbbb0000;
    pt[0] = (uintptr_t)frame_a | PTE_P | PTE_RW;
#ifdef __x86_64__
    {
        uintptr_t cr3;
        uint64_t *pml4, *pdpt, *pd;

        __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
        pml4 = (uint64_t *)(cr3 & ~0xfffull);
        pdpt = (uint64_t *)(uintptr_t)(pml4[0] & ~0xfffull);
        pd = (uint64_t *)(uintptr_t)(pdpt[VA >> 30] & ~0xfffull);
        pd[(VA >> 21) & 511] = (uintptr_t)pt_mem | PTE_P | PTE_RW;
    }
#else
    for (int i = 0; i < 4; i++) {
        pae_pdpt[i] = (uintptr_t)pae_pd[i] | PTE_P;
        for (int j = 0; j < 512; j++) {
            uint64_t pa = ((uint64_t)i << 30) | ((uint64_t)j << 21);

            pae_pd[i][j] = pa | 0x83;           /* 2 MiB, RW, P */
        }
    }
    pae_pd[VA >> 30][(VA >> 21) & 511] = (uintptr_t)pt_mem | PTE_P | PTE_RW;
#endif
}

/* Each CPU: 32-bit build turns PAE paging on with our tables. */
static void paging_on(void)
{
#ifndef __x86_64__
    uint32_t r;

    __asm__ volatile("mov %%cr4, %0" : "=r"(r));
    __asm__ volatile("mov %0, %%cr4" : : "r"(r | 0x20));        /* PAE */
    __asm__ volatile("mov %0, %%cr3" : : "r"(pae_pdpt));
    __asm__ volatile("mov %%cr0, %0" : "=r"(r));
    __asm__ volatile("mov %0, %%cr0" : : "r"(r | 0x80000000u) : "memory");
#endif
    invlpg(VA);
}

static void shootdown_job(int id, void *arg)
{
    paging_on();
    smp_irq_init();
    smp_barrier();
    for (uint32_t r = 0; r < ROUNDS; r++) {
        uint32_t want = (r & 1) ? 0xbbbb0000 : 0xaaaa0000;

        if (page[0] != want) {
            __asm__ volatile("lock incl %0" : "+m"(stale_reads) : : "memory");
        }
        smp_barrier();
        if (id == 0) {
            acks = 0;
            pt[0] = (uintptr_t)((r & 1) ? frame_a : frame_b) | PTE_P | PTE_RW;
            invlpg(VA);
            if (smp_ncpus() > 1) {
                lapic_send_ipi(0, 0xc4000 | VEC_SHOOT);
                while (acks < (uint32_t)smp_ncpus() - 1) {
                    cpu_relax();
                }
            }
            round_gen = r + 1;
        } else {
            /* Interrupts on while spinning: the handler runs whenever the
             * IPI comes, and round_gen moves only after every ack. */
            __asm__ volatile("sti" ::: "memory");
            while (round_gen == r) {
                cpu_relax();
            }
            __asm__ volatile("cli" ::: "memory");
        }
        smp_barrier();
    }
}

static void ad_job(int id, void *arg)
{
    if (id == 0) {
        for (int i = 0; i < AD_ITERS; i++) {
            volatile uint64_t *p = &pt[0];

            __asm__ volatile("lock xorl %1, %0"
                             : "+m"(*(volatile uint32_t *)p)
                             : "r"((uint32_t)PTE_SW) : "memory");
            __asm__ volatile("lock andl %1, %0"
                             : "+m"(*(volatile uint32_t *)p)
                             : "r"(~(uint32_t)PTE_A) : "memory");
        }
        ad_done = 1;
    } else {
        while (!ad_done) {
            invlpg(VA);
            (void)page[id];
        }
    }
}

int main(uint32_t magic, uint32_t info)
{
    int n;
    uint64_t pte;

    n = smp_start_tap(5);
    tables_init();
    smp_irq_handler(VEC_SHOOT, on_shoot);
    smp_run(shootdown_job, NULL);
    tap_ok(stale_reads == 0, "TLB shootdown by IPI: %u rounds on %d CPUs, "
           "%u stale reads", ROUNDS, n, stale_reads);

    pt[0] &= ~(PTE_A | PTE_D);
    invlpg(VA);
    (void)page[1];
    __asm__ volatile("" ::: "memory");
    tap_ok((pt[0] & (PTE_A | PTE_D)) == PTE_A, "a read sets A only (PTE %x)",
           (unsigned)pt[0]);
    page[2] = 5;
    __asm__ volatile("" ::: "memory");
    tap_ok((pt[0] & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
           "a write sets D (PTE %x)", (unsigned)pt[0]);

    pt[0] &= ~PTE_SW;
    smp_run(ad_job, NULL);
    pte = pt[0];
    tap_ok(!(pte & PTE_SW) == !(AD_ITERS & 1 ? PTE_SW : 0) &&
           (pte & ~0xfffull) == ((uintptr_t)frame_a & ~0xfffull),
           "%d LOCK updates of a PTE while %d CPUs set its A bit: none "
           "lost (PTE %x)", 2 * AD_ITERS, n - 1, (unsigned)pte);
    return 0;
}
