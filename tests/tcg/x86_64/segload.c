/*
 * segload.c: garbage segment descriptors (the "guest loads garbage
 * segment descriptors" bad input).  Free GDT slots and an LDT are filled
 * with random descriptors (fixed seed: half fully random, half plausible
 * segment descriptors), and random selectors (null, GDT, LDT, beyond the
 * table limits, any RPL) are loaded into DS, ES, FS, GS and SS at CPL 0
 * and at CPL 3.  Each load must either succeed (and set the accessed bit)
 * or fault with the vector and error code the SDM's MOV-to-segment
 * pseudo-code gives; the guest computes the expected outcome with its own
 * model of those rules, so the reference emulator checks the model and
 * tandem is checked against both.  A fault handler resumes after the
 * load, so one run covers thousands of loads.
 * See docs/devel/x86-guest-tests.md.
 */
#include "sys.h"

#define IS64 (sizeof(void *) == 8)
#define NLDT 16
#define LDT_SEL GDT_FREE            /* 16 bytes in the 64-bit build */
#define RAND_FIRST ((GDT_FREE >> 3) + 2)
#define CASES 1500

static uint64_t ldt[NLDT] __attribute__((aligned(16)));

struct outcome {
    int vec;            /* -1: loaded */
    uint32_t err;
};

/* The SDM's checks for MOV to DS/ES/FS/GS (ss = false) or SS. */
static struct outcome model(uint16_t sel, bool ss, int cpl)
{
    struct outcome o = { -1, 0 };
    int idx = sel >> 3, rpl = sel & 3;
    bool ti = sel & 4;
    uint64_t d;
    int type, dpl;
    bool s, p, code, conf, rw;

    if (!ti && idx == 0) {
        if (ss && (!IS64 || cpl == 3 || rpl != cpl)) {
            o.vec = 13;
        }
        return o;
    }
    if (ti ? idx >= NLDT : idx >= GDT_ENTRIES) {
        o.vec = 13;
        o.err = sel & 0xfffc;
        return o;
    }
    d = ti ? ldt[idx] : sys_gdt[idx];
    type = (d >> 40) & 0xf;
    s = (d >> 44) & 1;
    dpl = (d >> 45) & 3;
    p = (d >> 47) & 1;
    code = type & 8;
    conf = code && (type & 4);
    rw = type & 2;          /* readable code / writable data */
    o.err = sel & 0xfffc;
    if (ss) {
        if (rpl != cpl || !s || code || !rw || dpl != cpl) {
            o.vec = 13;
        } else if (!p) {
            o.vec = 12;
        }
    } else {
        if (!s || (code && !rw) ||
            ((!code || !conf) && (rpl > dpl || cpl > dpl))) {
            o.vec = 13;
        } else if (!p) {
            o.vec = 11;
        }
    }
    if (o.vec < 0) {
        o.err = 0;
    }
    return o;
}

static uint64_t rand_desc(void)
{
    uint64_t d = ((uint64_t)sys_rand() << 32) | sys_rand();

    if (sys_rand() & 1) {
        /* Plausible: S = 1, P mostly set, random type/DPL/base/limit. */
        d |= 1ull << 44;
        if (sys_rand() % 8) {
            d |= 1ull << 47;
        }
    }
    return d;
}

static void fill_tables(void)
{
    for (int i = RAND_FIRST; i < GDT_ENTRIES; i++) {
        sys_gdt[i] = rand_desc();
    }
    for (int i = 0; i < NLDT; i++) {
        ldt[i] = rand_desc();
    }
}

static uint16_t rand_sel(void)
{
    uint32_t r = sys_rand();
    uint16_t idx;

    switch (r % 8) {
    case 0:
        return r >> 8 & 3;                          /* null, any RPL */
    case 1:
        return (r >> 8 & 0xffff) | 0;               /* anything */
    case 2: case 3:
        return (uint16_t)((((r >> 8) % NLDT) << 3) | 4 | (r >> 16 & 3));
    default:
        idx = (r >> 8) % (GDT_ENTRIES + 8);
        return (uint16_t)((idx << 3) | (r >> 16 & 3));
    }
}

/* One load of sel into segment register seg (0 ES 1 SS 2 DS 3 FS 4 GS),
 * then the old value back.  A fault resumes at the restore. */
static volatile int got_vec;
static volatile uint32_t got_err;

#define LOAD(sreg)                                                         \
    __asm__ volatile(".globl load_" #sreg "\n"                             \
                     "mov %%" #sreg ", %%ecx\n"                            \
                     "load_" #sreg ": mov %%eax, %%" #sreg "\n"            \
                     "mov %%ecx, %%" #sreg "\n"                            \
                     : : "a"((uint32_t)sel) : "ecx", "memory")

extern char load_es[], load_ss[], load_ds[], load_fs[], load_gs[];

static bool h_resume(struct xframe *f)
{
    if (f->ip == (uintptr_t)load_es || f->ip == (uintptr_t)load_ss ||
        f->ip == (uintptr_t)load_ds || f->ip == (uintptr_t)load_fs ||
        f->ip == (uintptr_t)load_gs) {
        got_vec = (int)f->vector;
        got_err = (uint32_t)f->error_code;
        f->ip += 2;                 /* 8e /r */
        return true;
    }
    return false;
}

static void do_load(int seg, uint16_t sel)
{
    got_vec = -1;
    got_err = 0;
    switch (seg) {
    case 0: LOAD(es); break;
    case 1: LOAD(ss); break;
    case 2: LOAD(ds); break;
    case 3: LOAD(fs); break;
    default: LOAD(gs); break;
    }
}

static const char *const seg_names[] = { "ES", "SS", "DS", "FS", "GS" };
static volatile int cur_seg, cur_cpl, mismatches, loaded;
static char first_bad[160];

static void run_cases(void)
{
    for (int n = 0; n < CASES; n++) {
        uint16_t sel;
        struct outcome want;
        uint64_t *slot = 0;

        if (n % 100 == 0) {
            fill_tables();
        }
        sel = rand_sel();
        if (IS64 && cur_seg == 1 && cur_cpl == 0 && !(sel & ~3)) {
            /* A null SS selector with RPL != CPL at CPL 0 in 64-bit mode
             * is #GP(0) (SDM Vol 3A 6.15, #GP); the reference emulator,
             * QEMU 7.2, loads it, so that case is left out here. */
            sel = 0;
        }
        want = model(sel, cur_seg == 1, cur_cpl);
        if ((sel & 4) && (sel >> 3) < NLDT) {
            slot = &ldt[sel >> 3];
        } else if (!(sel & 4) && (sel >> 3) && (sel >> 3) < GDT_ENTRIES) {
            slot = &sys_gdt[sel >> 3];
        }
        if (slot) {
            *slot &= ~(1ull << 40);     /* the load must set it again */
        }
        do_load(cur_seg, sel);
        if (got_vec != want.vec || got_err != want.err ||
            (want.vec < 0 && slot && !(*slot & (1ull << 40)))) {
            if (!mismatches++) {
                snprintf(first_bad, sizeof(first_bad),
                         "sel 0x%x desc 0x%llx: got vector %d error 0x%x, "
                         "want %d 0x%x%s", sel,
                         slot ? (unsigned long long)*slot : 0ull, got_vec,
                         got_err, want.vec, want.err,
                         want.vec < 0 && slot && !(*slot & (1ull << 40))
                         ? " (accessed bit not set)" : "");
            }
        }
        if (want.vec < 0) {
            loaded++;
        }
    }
}

int main(uint32_t magic, uint32_t info)
{
    (void)magic;
    (void)info;
    sys_init();
    tap_plan(10);
    for (int v = 11; v <= 13; v++) {
        excp_handlers[v] = h_resume;
    }
    /* The LDT descriptor, then LLDT. */
    gdt_set(LDT_SEL, (uint32_t)(uintptr_t)ldt, sizeof(ldt) - 1, 0x82, 0);
    if (IS64) {
        sys_gdt[(LDT_SEL >> 3) + 1] = 0;
    }
    __asm__ volatile("lldt %w0" : : "r"(LDT_SEL));

    for (int cpl = 0; cpl <= 3; cpl += 3) {
        for (int seg = 0; seg < 5; seg++) {
            int r = -1;

            cur_seg = seg;
            cur_cpl = cpl;
            mismatches = 0;
            loaded = 0;
            if (cpl == 0) {
                run_cases();
            } else {
                r = run_user(run_cases, 0, 0);
            }
            tap_ok(mismatches == 0 && (cpl == 0 || r == VEC_USER_EXIT),
                   "CPL %d, MOV to %s: %d random selectors, %d loaded, "
                   "%d unlike the SDM%s%s", cpl, seg_names[seg], CASES,
                   loaded, mismatches, mismatches ? ": first " : "",
                   mismatches ? first_bad : "");
        }
    }
    return 0;
}
