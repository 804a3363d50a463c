/*
 * fpu.c: the x87/MMX/SSE..SSE4.2 instruction test.  Runs every case of
 * every op in fpu-ops.h (inputs regenerated with fpu_case_inputs) and
 * compares the hash of the results with fpu-table.h, which gen-fpu.c
 * computed by running the same executors natively on the build host.
 * One TAP line per op; the first mismatches of each op are printed with
 * their inputs and results (compare with `gen-fpu dump OP CASE`).  Ops
 * whose CPUID feature the CPU lacks are skipped with the reason.
 *
 * Set-up: CR0.EM = 0, MP = 1, NE = 1; CR4.OSFXSR and OSXMMEXCPT.
 *
 * run-guests: -cpu max
 * reference-xfail: fadd fsub fsubr fmul fdiv fdivr faddp fsubrp fdivrp fsqrt frndint fscale fprem fprem1 ftst fcom fcomp fucom fucompp fsin fcos fsincos fptan fpatan f2xm1 fyl2x fyl2xp1 fadds_m32 fmull_m64 fdivrs_m32 fsubl_m64 fiaddl_m32 fisubs_m16 fcoms_m32 fcompl_m64 flds fldl fbld fsts fstpl fists fistpl fistpll fbstp fcomi fucomi fucomip addps addpd addss addsd subps subpd subss subsd mulps mulpd mulss mulsd divps divpd divss divsd minps minpd minss minsd maxps maxpd maxss maxsd sqrtps sqrtpd sqrtss sqrtsd rcpps rsqrtps rcpss rsqrtss cmpltps cmpunordps cmpnleps cmpeqpd cmpneqpd cmpordsd cmpless cmpnltsd cvtps2pd cvtpd2ps cvtss2sd cvtsd2ss addps_m128 mulsd_m64 cvtss2sd_m32 sqrtss_m32 haddps haddpd hsubps hsubpd addsubps addsubpd dpps_f3 dpps_5a dppd_31 comiss ucomiss comisd ucomisd fadd_unm fsub_unm fsubr_unm fmul_unm fdiv_unm fdivr_unm fmulp_unm fdivrp_unm fsqrt_unm fscale_unm fprem_unm fprem1_unm fyl2x_unm fpatan_unm f2xm1_unm fmull_m64_unm fdivs_m32_unm fadds_m32_unm fsts_unm fstps_unm fstl_unm fstpl_unm fistl_unm
 * (The ops where qemu-system-x86_64 7.2 disagrees with the hardware that
 * produced the table: no MXCSR.DE, no x87 C1 round-up or DE, x87
 * transcendentals in double precision, special operands of FPREM/FSCALE/
 * FXTRACT/FBLD/FBSTP/compares; the *_unm ops, with OE/UE unmasked: no
 * 2^24576 wrapping of register results, UE/OE/PE flags of stores; see
 * docs/devel/x86-fpu.md.)
 */
#include "runtime.h"
#include "fpu-ops.h"
#include "fpu-table.h"

_Static_assert(FPU_TABLE_NR_OPS >= FPU_NR_OPS,
               "fpu-table.h is older than fpu-ops.h");

static FpuIn in;
static FpuOut out;

static void enable_sse(void)
{
    uintptr_t cr0, cr4;

    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(uintptr_t)0xc) | 0x22;       /* EM=TS=0, MP=NE=1 */
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 0x600;                                /* OSFXSR, OSXMMEXCPT */
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    __asm__ volatile("fninit");
}

/* The op's name as a TAP test name: spaces become '_' (run-guests.t's
 * reference-xfail names are single words). */
static const char *tap_name(const char *name)
{
    static char buf[64];
    size_t i;

    for (i = 0; name[i] && i < sizeof(buf) - 1; i++) {
        buf[i] = name[i] == ' ' ? '_' : name[i];
    }
    buf[i] = 0;
    return buf;
}

static const char *missing(const FpuOpDesc *d, uint32_t ecx, uint32_t edx)
{
    if (!(edx & (1u << 0)) && (d->flags & FPU_X87)) {
        return "no x87 FPU (CPUID)";
    }
    if (!(edx & (1u << 26)) && !(d->flags & FPU_X87)) {
        return "no SSE2 (CPUID)";
    }
    if ((d->flags & FPU_SSE3) && !(ecx & (1u << 0))) {
        return "no SSE3 (CPUID)";
    }
    if ((d->flags & FPU_SSSE3) && !(ecx & (1u << 9))) {
        return "no SSSE3 (CPUID)";
    }
    if ((d->flags & FPU_SSE4) && !(ecx & (1u << 19))) {
        return "no SSE4.1 (CPUID)";
    }
    if ((d->flags & FPU_SSE42) && !(ecx & (1u << 20))) {
        return "no SSE4.2 (CPUID)";
    }
    if ((d->flags & FPU_PCLMUL) && !(ecx & (1u << 1))) {
        return "no PCLMULQDQ (CPUID)";
    }
    if ((d->flags & FPU_AES) && !(ecx & (1u << 25))) {
        return "no AES (CPUID)";
    }
    return NULL;
}

static void hex(const char *tag, const uint8_t *p)
{
    char buf[80];
    int n = 0;

    for (int k = 31; k >= 0; k--) {
        n += snprintf(buf + n, sizeof(buf) - n, "%02x%s", p[k],
                      k % 8 ? "" : " ");
    }
    tap_diag("  %s:%s", tag, buf);
}

int main(uint32_t magic, uint32_t info)
{
    uint32_t id[4];
    int total = 0;

    enable_sse();
    cpuid(1, 0, id);
    tap_plan(FPU_NR_OPS);
    if (FPU_TABLE_AES_REF) {
        tap_diag("AES expected values come from gen-fpu's own AES "
                 "implementation: the build host lacks AES-NI");
    }
    for (int op = 0; op < FPU_NR_OPS; op++) {
        const FpuOpDesc *d = &fpu_ops[op];
        const char *why = missing(d, id[2], id[3]);
        int n = fpu_table_ops[op].n, bad = 0;

        if (why) {
            tap_skip(why, "%s", tap_name(d->name));
            continue;
        }
        if (n == 0) {
            tap_skip("the build host cannot run it: no expected values",
                     "%s", tap_name(d->name));
            continue;
        }
        for (int i = 0; i < n; i++) {
            uint32_t h;

            fpu_case_inputs(op, i, &in);
            memset(&out, 0, sizeof(out));
            d->exec(&in, &out);
            h = fpu_hash(d, &out);
            if (h != fpu_expect[fpu_table_ops[op].start + i] && bad++ < 2) {
                tap_diag("%s case %d: ctl %x c %llx st %x fl %x hash %08x, "
                         "want %08x", d->name, i, in.ctl,
                         (unsigned long long)in.c, out.st, out.fl, h,
                         fpu_expect[fpu_table_ops[op].start + i]);
                hex("a", in.a);
                hex("b", in.b);
                hex("r", out.r);
            }
        }
        total += n;
        tap_ok(bad == 0, "%s: %d cases%s", tap_name(d->name), n,
               bad ? ", mismatches" : "");
        if (bad) {
            tap_diag("%s: %d of %d cases differ", d->name, bad, n);
        }
    }
    printf("# %d cases in all\n", total);
    return 0;
}
