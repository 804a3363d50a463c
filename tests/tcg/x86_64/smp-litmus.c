/*
 * smp-litmus.c: memory-model litmus tests on two (IRIW: four) CPUs, each
 * run ITERS times; every outcome is counted, the histogram printed, and an
 * outcome that x86-TSO forbids (SDM Vol 3A 8.2.3) fails the test:
 *
 *   MP     T0: data=1; flag=1        T1: r0=flag; r1=data   forbidden 1,0
 *   SB     T0: x=1; r0=y             T1: y=1; r1=x          all allowed
 *   SB+mfence  the same with MFENCE between store and load  forbidden 0,0
 *              (skipped when CPUID does not report SSE2, which MFENCE
 *              needs)
 *   SB+lock    the same with LOCK OR $0 to the stack instead (a locked
 *              insn is a full barrier, SDM 8.2.2)          forbidden 0,0
 *   LB     T0: r0=x; y=1             T1: r1=y; x=1          forbidden 1,1
 *   IRIW   T0: x=1  T1: y=1  T2: r0=x; r1=y  T3: r2=y; r3=x
 *                                                   forbidden 1,0,1,0
 *
 * Each instance uses its own fresh locations: the ITERS instances are
 * done in chunks of CHUNK, every thread running through the chunk's
 * instances as fast as it can between two barriers, so instances overlap
 * in time whenever the vCPUs really run in parallel.  With fewer CPUs
 * than a test needs it is skipped.
 */
// run-args: -smp 2
// run-args: -smp 4
#include "smp.h"

#define ITERS   1000000
#define CHUNK   50000

static volatile uint32_t loc_x[CHUNK], loc_y[CHUNK];
static volatile uint8_t res[4][CHUNK];
static uint32_t hist[16];

typedef void LitmusThread(int t, int i);

static void t_mp(int t, int i)
{
    if (t == 0) {
        loc_x[i] = 1;                   /* data */
        loc_y[i] = 1;                   /* flag */
    } else {
        res[0][i] = loc_y[i];
        res[1][i] = loc_x[i];
    }
}

static void t_sb(int t, int i)
{
    if (t == 0) {
        loc_x[i] = 1;
        res[0][i] = loc_y[i];
    } else {
        loc_y[i] = 1;
        res[1][i] = loc_x[i];
    }
}

static void t_sb_mfence(int t, int i)
{
    if (t == 0) {
        loc_x[i] = 1;
        __asm__ volatile("mfence" ::: "memory");
        res[0][i] = loc_y[i];
    } else {
        loc_y[i] = 1;
        __asm__ volatile("mfence" ::: "memory");
        res[1][i] = loc_x[i];
    }
}

static void t_sb_lock(int t, int i)
{
    uint32_t fence = 0;

    if (t == 0) {
        loc_x[i] = 1;
        __asm__ volatile("lock orl $0, %0" : "+m"(fence) : : "memory", "cc");
        res[0][i] = loc_y[i];
    } else {
        loc_y[i] = 1;
        __asm__ volatile("lock orl $0, %0" : "+m"(fence) : : "memory", "cc");
        res[1][i] = loc_x[i];
    }
}

static void t_lb(int t, int i)
{
    if (t == 0) {
        res[0][i] = loc_x[i];
        loc_y[i] = 1;
    } else {
        res[1][i] = loc_y[i];
        loc_x[i] = 1;
    }
}

static void t_iriw(int t, int i)
{
    switch (t) {
    case 0:
        loc_x[i] = 1;
        break;
    case 1:
        loc_y[i] = 1;
        break;
    case 2:
        res[0][i] = loc_x[i];
        res[1][i] = loc_y[i];
        break;
    default:
        res[2][i] = loc_y[i];
        res[3][i] = loc_x[i];
        break;
    }
}

typedef struct Litmus {
    const char *name;
    LitmusThread *fn;
    int threads;                        /* CPUs 0..threads-1 take part */
    int nres;                           /* result registers */
    int forbidden;                      /* outcome index, or -1 */
    bool needs_sse2;
} Litmus;

static void litmus_cpu(int id, void *arg)
{
    const Litmus *l = arg;

    for (int done = 0; done < ITERS; done += CHUNK) {
        smp_barrier();
        if (id < l->threads) {
            for (int i = 0; i < CHUNK; i++) {
                l->fn(id, i);
            }
        }
        smp_barrier();
        if (id == 0) {
            for (int i = 0; i < CHUNK; i++) {
                int o = 0;

                for (int r = 0; r < l->nres; r++) {
                    o = (o << 1) | res[r][i];
                }
                hist[o]++;
                loc_x[i] = loc_y[i] = 0;
            }
        }
    }
    smp_barrier();
}

static void litmus_run(const Litmus *l, int n)
{
    char line[256];
    int len = 0, nout = 1 << l->nres;
    uint32_t total = 0;

    if (l->needs_sse2) {
        uint32_t r[4];

        cpuid(1, 0, r);
        if (!(r[3] & (1u << 26))) {
            tap_skip("CPUID.1:EDX.SSE2 clear", "%s: MFENCE not available",
                     l->name);
            return;
        }
    }
    if (n < l->threads) {
        tap_skip("needs more CPUs", "%s: needs %d CPUs, have %d", l->name,
                 l->threads, n);
        return;
    }
    memset(hist, 0, sizeof(hist));
    smp_run(litmus_cpu, (void *)l);
    for (int o = 0; o < nout; o++) {
        total += hist[o];
        len += snprintf(line + len, sizeof(line) - len, " ");
        for (int r = l->nres - 1; r >= 0; r--) {
            len += snprintf(line + len, sizeof(line) - len, "%d",
                            (o >> r) & 1);
        }
        len += snprintf(line + len, sizeof(line) - len, ":%u%s", hist[o],
                        o == l->forbidden ? "(forbidden)" : "");
    }
    tap_diag("%s histogram (r0r1..):%s", l->name, line);
    tap_ok(total == ITERS && (l->forbidden < 0 || hist[l->forbidden] == 0),
           "%s: %u runs, %u forbidden outcomes", l->name, total,
           l->forbidden < 0 ? 0 : hist[l->forbidden]);
}

static const Litmus tests[] = {
    { "MP", t_mp, 2, 2, 2 },            /* r0=1 (flag), r1=0 (data) */
    { "SB", t_sb, 2, 2, -1 },
    { "SB+mfence", t_sb_mfence, 2, 2, 0, true },
    { "SB+lock", t_sb_lock, 2, 2, 0 },
    { "LB", t_lb, 2, 2, 3 },
    { "IRIW", t_iriw, 4, 4, 10 },       /* 1,0,1,0 */
};

int main(uint32_t magic, uint32_t info)
{
    int n;

    n = smp_start_tap(1 + (int)(sizeof(tests) / sizeof(tests[0])));
    for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        litmus_run(&tests[i], n);
    }
    return 0;
}
