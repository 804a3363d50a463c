/*
 * fpu-state.c: the architectural side of the FPU/SSE state: #NM from
 * CR0.TS/EM/MP, #UD without CR4.OSFXSR or with CR0.EM, #XM vs #UD by
 * CR4.OSXMMEXCPT, #MF from a pending unmasked x87 exception, #GP on
 * misaligned operands and reserved MXCSR bits, the FXSAVE and XSAVE
 * layouts and round trips, XGETBV/XSETBV and CPUID.1:ECX.OSXSAVE, AES-NI
 * (#UD without CPUID.1:ECX.AES: the second run, -cpu qemu64; the FIPS-197
 * AES-128 vector with it).
 *
 * run-guests: -cpu max
// run-args: -cpu qemu64
 * reference-xfail: emms-nm xm-raise xm-dest xm-ud mf-again ldmxcsr-gp fnstenv-fip fxsave-fip fxsave64-fip aes-align
 * (qemu-system-x86_64 7.2 lacks these SDM behaviours: EMMS ignores
 * CR0.TS; unmasked SIMD FP exceptions raise neither #XM nor #UD and write
 * the destination; an #MF is not raised again by the next x87 insn;
 * LDMXCSR ignores reserved bits; FOP/FIP/FDP are not recorded; AES-NI
 * insns do not check the alignment of their m128 operand.)
 *
 * A small IDT (both builds) routes vectors 6, 7, 13, 16 and 19 to stubs
 * that record the vector and error code and resume at the address the
 * test stored in fault_resume (the end of the probed asm block).
 */
#include "sys.h"

volatile uintptr_t fault_resume;
volatile uintptr_t fault_vec = ~(uintptr_t)0, fault_err;

#ifdef __x86_64__
#define W "q"
#define AX "%rax"
#define SP "%rsp"
#define IRET "iretq"
#define PTR "8"
#define LEA_RESUME "movq $1f, fault_resume(%%rip)\n\t"
#else
#define W "l"
#define AX "%eax"
#define SP "%esp"
#define IRET "iret"
#define PTR "4"
#define LEA_RESUME "movl $1f, fault_resume\n\t"
#endif

/* Stubs: push a dummy error code where the CPU pushes none. */
__asm__(".text\n"
        "fault_common:\n\t"
        "pop" W " fault_vec\n\t"
        "pop" W " fault_err\n\t"
        "push" W " " AX "\n\t"
        "mov" W " fault_resume, " AX "\n\t"
        "mov" W " " AX ", " PTR "(" SP ")\n\t"
        "pop" W " " AX "\n\t"
        IRET "\n"
        "stub6: push" W " $0\n\tpush" W " $6\n\tjmp fault_common\n"
        "stub7: push" W " $0\n\tpush" W " $7\n\tjmp fault_common\n"
        "stub13: push" W " $13\n\tjmp fault_common\n"
        "stub16: push" W " $0\n\tpush" W " $16\n\tjmp fault_common\n"
        "stub19: push" W " $0\n\tpush" W " $19\n\tjmp fault_common\n");

extern char stub6[], stub7[], stub13[], stub16[], stub19[];

static void setup_idt(void)
{
    sys_init();
    idt_set_gate(6, (uintptr_t)stub6, SEL_KCODE, 0xe, 0, 0);
    idt_set_gate(7, (uintptr_t)stub7, SEL_KCODE, 0xe, 0, 0);
    idt_set_gate(13, (uintptr_t)stub13, SEL_KCODE, 0xe, 0, 0);
    idt_set_gate(16, (uintptr_t)stub16, SEL_KCODE, 0xe, 0, 0);
    idt_set_gate(19, (uintptr_t)stub19, SEL_KCODE, 0xe, 0, 0);
}

#define CR0_MP 0x2
#define CR0_EM 0x4
#define CR0_TS 0x8
#define CR0_NE 0x20
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define CR4_OSXSAVE 0x40000

/* Runs INSN (asm text, operands as given) and returns the vector it
 * raised, or -1. */
#define PROBE(insn, ...)                                                    \
    ({                                                                      \
        fault_vec = ~(uintptr_t)0;                                          \
        __asm__ volatile(LEA_RESUME insn "\n1:" : : __VA_ARGS__             \
                         : "memory");                                       \
        (int)fault_vec;                                                     \
    })

static uint8_t fxbuf[512 + 16] __attribute__((aligned(64)));
static uint8_t xbuf[1024 + 64] __attribute__((aligned(64)));
static uint32_t mx;
static float f4[4] __attribute__((aligned(16))) = { 1, 2, 3, 4 };
static const uint8_t pi80[10] = {
    0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40
};

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void test_nm_ud(void)
{
    uintptr_t cr0 = read_cr0(), cr4 = read_cr4();

    write_cr0((cr0 & ~(uintptr_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    write_cr4(cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
    tap_ok(PROBE("fninit\n\tfld1\n\tfstp %%st(0)") == -1,
           "x87 runs with EM=TS=0");
    tap_ok(PROBE("xorps %%xmm0, %%xmm0") == -1, "SSE runs with OSFXSR");

    write_cr0(read_cr0() | CR0_TS);
    tap_ok(PROBE("fld1") == 7, "TS=1: x87 insn raises #NM");
    tap_ok(PROBE("fnstcw %0", "m"(mx)) == 7,
           "TS=1: even FNSTCW raises #NM");
    tap_ok(PROBE("xorps %%xmm0, %%xmm0") == 7, "TS=1: SSE insn raises #NM");
    tap_ok(PROBE("emms") == 7, "emms-nm: TS=1: MMX insn raises #NM");
    tap_ok(PROBE("fwait") == 7, "TS=1 MP=1: FWAIT raises #NM");
    tap_ok(PROBE("fxsave %0", "m"(fxbuf)) == 7, "TS=1: FXSAVE raises #NM");
    write_cr0(read_cr0() & ~(uintptr_t)CR0_MP);
    tap_ok(PROBE("fwait") == -1, "TS=1 MP=0: FWAIT runs");
    __asm__ volatile("clts");
    tap_ok(PROBE("fld1\n\tfstp %%st(0)") == -1, "CLTS clears TS");

    write_cr0(read_cr0() | CR0_EM | CR0_MP);
    tap_ok(PROBE("fld1") == 7, "EM=1: x87 insn raises #NM");
    tap_ok(PROBE("xorps %%xmm0, %%xmm0") == 6, "EM=1: SSE insn raises #UD");
    tap_ok(PROBE("pxor %%mm0, %%mm0") == 6, "EM=1: MMX insn raises #UD");
    write_cr0(read_cr0() & ~(uintptr_t)CR0_EM);

    write_cr4(read_cr4() & ~(uintptr_t)CR4_OSFXSR);
    tap_ok(PROBE("xorps %%xmm0, %%xmm0") == 6, "OSFXSR=0: SSE raises #UD");
    tap_ok(PROBE("ldmxcsr %0", "m"(mx)) == 6, "OSFXSR=0: LDMXCSR raises #UD");
    tap_ok(PROBE("pxor %%mm0, %%mm0\n\temms") == -1, "OSFXSR=0: MMX runs");
    write_cr4(read_cr4() | CR4_OSFXSR);
}

static void test_xm_mf_gp(void)
{
    static uint32_t mx_zm = 0x1f80 & ~0x200;   /* ZE unmasked */
    static uint32_t mx_bad = 0x10000;
    static float zero4[4] __attribute__((aligned(16)));
    static uint16_t fcw = 0x37f & ~0x4;         /* ZE unmasked */
    uint32_t out[4];
    uint16_t fsw;

    __asm__ volatile("movups %0, %%xmm2" : : "m"(f4));
    tap_ok(PROBE("ldmxcsr %0\n\tmovups %1, %%xmm1\n\tdivps %%xmm1, %%xmm2",
                 "m"(mx_zm), "m"(zero4)) == 19,
           "xm-raise: unmasked divide by zero with OSXMMEXCPT raises #XM");
    __asm__ volatile("stmxcsr %0\n\tmovups %%xmm2, %1" : "=m"(mx), "=m"(out));
    tap_ok(mx == (mx_zm | 0x4), "MXCSR.ZE set (0x%x)", mx);
    tap_ok(out[0] == 0x3f800000 && out[3] == 0x40800000,
           "xm-dest: destination left unchanged");
    write_cr4(read_cr4() & ~(uintptr_t)CR4_OSXMMEXCPT);
    tap_ok(PROBE("ldmxcsr %0\n\tdivps %%xmm1, %%xmm2", "m"(mx_zm)) == 6,
           "xm-ud: without OSXMMEXCPT it raises #UD");
    write_cr4(read_cr4() | CR4_OSXMMEXCPT);
    mx = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));

    tap_ok(PROBE("fninit\n\tfldcw %0\n\tfldz\n\tfld1\n\tfdiv %%st(1), %%st",
                 "m"(fcw)) == -1,
           "unmasked x87 divide by zero does not fault by itself");
    __asm__ volatile("fnstsw %0" : "=m"(fsw));
    tap_ok((fsw & 0x8084) == 0x8084, "FSW.ZE, ES and B set (0x%x)", fsw);
    tap_ok(PROBE("fwait") == 16, "the next FWAIT raises #MF (CR0.NE=1)");
    tap_ok(PROBE("fld1") == 16, "mf-again: so does the next x87 insn");
    tap_ok(PROBE("fnclex\n\tfwait") == -1, "FNCLEX clears it");
    __asm__ volatile("fninit");

    tap_ok(PROBE("movaps %0, %%xmm0", "m"(fxbuf[8])) == 13 && fault_err == 0,
           "misaligned MOVAPS raises #GP(0)");
    tap_ok(PROBE("movups %0, %%xmm0", "m"(fxbuf[8])) == -1,
           "misaligned MOVUPS runs");
    tap_ok(PROBE("fxsave %0", "m"(fxbuf[8])) == 13,
           "misaligned FXSAVE raises #GP");
    tap_ok(PROBE("ldmxcsr %0", "m"(mx_bad)) == 13,
           "ldmxcsr-gp: LDMXCSR with a reserved bit raises #GP");
}

static void test_fxsave(void)
{
    static uint16_t fcw = 0x27f;
    static uint32_t mxv = 0x1f80 | 0x6000 | 0x40;  /* RC=toward 0, DAZ */
    static uint32_t x3[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
    uint32_t back[4];
    uint16_t cw;

    memset(fxbuf, 0xa5, sizeof(fxbuf));
    __asm__ volatile("fninit\n\tfldcw %0\n\tfld1\n\tfldpi\n\tldmxcsr %1\n\t"
                     "movups %2, %%xmm3\n\tfxsave %3"
                     : : "m"(fcw), "m"(mxv), "m"(x3), "m"(fxbuf) : "memory");
    tap_ok(rd16(fxbuf) == 0x27f, "FXSAVE: FCW at 0 (0x%x)", rd16(fxbuf));
    tap_ok((rd16(fxbuf + 2) & 0x3800) == 0x3000, "FXSAVE: TOP=6 in FSW at 2");
    tap_ok(fxbuf[4] == 0xc0, "FXSAVE: abridged tag byte 0x%x (want 0xc0)",
           fxbuf[4]);
    tap_ok(rd32(fxbuf + 24) == mxv, "FXSAVE: MXCSR at 24");
    tap_ok(rd32(fxbuf + 28) != 0 && (rd32(fxbuf + 28) & 0x40),
           "FXSAVE: MXCSR_MASK at 28 says DAZ (0x%x)", rd32(fxbuf + 28));
    tap_ok(memcmp(fxbuf + 32, pi80, 10) == 0, "FXSAVE: ST0 = pi at 32");
    tap_ok(rd64(fxbuf + 48) == 0x8000000000000000ull &&
           rd16(fxbuf + 56) == 0x3fff, "FXSAVE: ST1 = 1.0 at 48");
    tap_ok(rd32(fxbuf + 160 + 48) == 0x11111111 &&
           rd32(fxbuf + 160 + 60) == 0x44444444, "FXSAVE: XMM3 at 208");

    {
        static double one = 1.0;
        uintptr_t at;
        uint16_t cs;

        __asm__ volatile("mov %%cs, %0" : "=r"(cs));
        __asm__ volatile(
#ifdef __x86_64__
                         "lea 1f(%%rip), %0\n"
#else
                         "lea 1f, %0\n"
#endif
                         "1:\tfldl %1\n\tfxsave %2"
                         : "=&r"(at) : "m"(one), "m"(fxbuf) : "memory");
        tap_ok(rd32(fxbuf + 8) == (uint32_t)at && rd16(fxbuf + 12) == cs &&
               rd32(fxbuf + 16) == (uint32_t)(uintptr_t)&one &&
               rd16(fxbuf + 6) == 0x505,
               "fxsave-fip: FIP/FCS at 8/12, FDP at 16, FOP at 6 (FLD m64)");
#ifdef __x86_64__
        __asm__ volatile("fxsave64 %0" : : "m"(fxbuf) : "memory");
        tap_ok(rd64(fxbuf + 8) == at && rd64(fxbuf + 16) == (uintptr_t)&one,
               "fxsave64-fip: 64-bit FIP at 8 and FDP at 16");
#else
        tap_skip("64-bit mode only", "FXSAVE64");
#endif
        __asm__ volatile("fxrstor %0" : : "m"(fxbuf) : "memory");
        __asm__ volatile("fninit\n\tfldcw %0\n\tfld1\n\tfldpi\n\t"
                         "ldmxcsr %1\n\tfxsave %2"
                         : : "m"(fcw), "m"(mxv), "m"(fxbuf) : "memory");
    }
    __asm__ volatile("fninit\n\txorps %%xmm3, %%xmm3\n\tfxrstor %0\n\t"
                     "fnstcw %1\n\tstmxcsr %2\n\tmovups %%xmm3, %3"
                     : : "m"(fxbuf), "m"(cw), "m"(mx), "m"(back) : "memory");
    tap_ok(cw == 0x27f && mx == mxv && back[1] == 0x22222222,
           "FXRSTOR restores FCW, MXCSR, XMM3");
    mx = 0x1f80;
    __asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mx));
}

/* FNSTENV/FLDENV/FNSAVE/FRSTOR, 32-bit and 16-bit protected-mode
 * layouts (SDM Vol 1 figures 8-9, 8-10). */
static void test_fsave(void)
{
    static uint8_t env32[28], env16[14], save[108], save2[108];
    static const double two = 2.0;
    static uint16_t fcw = 0x7f;     /* all masked, PC=24 bits, RC=nearest */
    uintptr_t fldz_at;
    uint16_t cs, fsw;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("fninit\n\tfldcw %2\n\tfld1\n\tfldl %3\n\t"
#ifdef __x86_64__
                     "lea 1f(%%rip), %0\n"
#else
                     "lea 1f, %0\n"
#endif
                     "1:\tfldz\n\tfnstenv %1"
                     : "=&r"(fldz_at), "=m"(env32) : "m"(fcw), "m"(two)
                     : "memory");
    tap_ok(rd16(env32) == 0x7f && (rd16(env32 + 4) & 0x3800) == 0x2800,
           "FNSTENV: FCW at 0, TOP=5 in FSW at 4 (0x%x 0x%x)", rd16(env32),
           rd16(env32 + 4));
    tap_ok(rd16(env32 + 8) == 0x07ff,
           "FNSTENV: tag word zero/valid/valid, rest empty (0x%x)",
           rd16(env32 + 8));
    tap_ok(rd32(env32 + 12) == (uint32_t)fldz_at && rd16(env32 + 16) == cs &&
           (rd32(env32 + 16) >> 16) == 0x1ee,
           "fnstenv-fip: FIP, FCS and FOP of the last x87 insn (FLDZ)");
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    tap_ok(fcw == 0x7f, "FNSTENV leaves the FCW masks set (0x%x)", fcw);

    __asm__ volatile("fninit\n\tfld1\n\tdata16 fnstenv %0" : "=m"(env16)
                     : : "memory");
    tap_ok(rd16(env16) == 0x37f && (rd16(env16 + 2) & 0x3800) == 0x3800 &&
           rd16(env16 + 4) == 0x3fff,
           "16-bit FNSTENV: FCW, FSW, FTW at 0, 2, 4 (0x%x 0x%x 0x%x)",
           rd16(env16), rd16(env16 + 2), rd16(env16 + 4));

    __asm__ volatile("fninit\n\tfldpi\n\tfld1\n\tfnsave %0\n\t"
                     "fnstsw %1" : "=m"(save), "=m"(fsw) : : "memory");
    tap_ok(fsw == 0 && rd64(save + 28) == 0x8000000000000000ull &&
           memcmp(save + 38, pi80, 10) == 0,
           "FNSAVE: ST0=1, ST1=pi at 28 and 38, then FNINIT (FSW 0x%x)", fsw);
    __asm__ volatile("frstor %1\n\tfstp %%st(0)\n\tfnsave %0"
                     : "=m"(save2) : "m"(save) : "memory");
    tap_ok(memcmp(save2 + 28, pi80, 10) == 0 &&
           (rd16(save2 + 4) & 0x3800) == 0x3800,
           "FRSTOR brings the stack back (pi on top after one pop)");
    __asm__ volatile("fninit");
}

static void test_xsave(void)
{
    uint32_t r[4];
    uint32_t lo, hi;
    static uint32_t x5[4] = { 5, 6, 7, 8 };
    uint32_t back[4];
    uint16_t cw;

    cpuid(1, 0, r);
    if (!(r[2] & (1u << 26))) {
        for (int i = 0; i < 9; i++) {
            tap_skip("no XSAVE (CPUID)", "xsave %d", i);
        }
        return;
    }
    tap_ok(!(r[2] & (1u << 27)), "CPUID.1:ECX.OSXSAVE clear with CR4.OSXSAVE=0");
    tap_ok(PROBE("xgetbv", "c"(0)) == 6, "XGETBV without OSXSAVE raises #UD");
    write_cr4(read_cr4() | CR4_OSXSAVE);
    cpuid(1, 0, r);
    tap_ok(r[2] & (1u << 27), "CPUID.1:ECX.OSXSAVE set with CR4.OSXSAVE=1");
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    tap_ok(lo & 1, "XCR0 has x87 (0x%x)", lo);
    tap_ok(PROBE("xsetbv", "a"(2), "d"(0), "c"(0)) == 13,
           "XSETBV without bit 0 raises #GP");
    __asm__ volatile("xsetbv" : : "a"(3), "d"(0), "c"(0));
    cpuid(0xd, 0, r);
    tap_ok((r[0] & 3) == 3 && r[1] == 576 && r[2] >= 576,
           "CPUID 0xD.0: x87|SSE, 576 bytes for XCR0=3 (0x%x %u %u)",
           r[0], r[1], r[2]);

    memset(xbuf, 0, sizeof(xbuf));
    __asm__ volatile("fninit\n\tfld1\n\tmovups %0, %%xmm5\n\txsave %1"
                     : : "m"(x5), "m"(xbuf), "a"(3), "d"(0) : "memory");
    tap_ok((rd64(xbuf + 512) & 3) == 3 && rd16(xbuf) == 0x37f &&
           rd32(xbuf + 160 + 80) == 5,
           "XSAVE: legacy area and XSTATE_BV (0x%llx)",
           (unsigned long long)rd64(xbuf + 512));
    xbuf[512] = 0;          /* XSTATE_BV = 0: XRSTOR loads the init state */
    __asm__ volatile("xrstor %2\n\tfnstcw %0\n\tmovups %%xmm5, %1"
                     : "=m"(cw), "=m"(back) : "m"(xbuf), "a"(3), "d"(0)
                     : "memory");
    tap_ok(cw == 0x37f && back[0] == 0 && back[3] == 0,
           "XRSTOR with XSTATE_BV=0 loads the initial state");
    tap_ok(PROBE("xsave %0", "m"(xbuf[16]), "a"(3), "d"(0)) == 13,
           "misaligned XSAVE raises #GP");
}

/* AES-128 key expansion round i (FIPS-197 5.2) with AESKEYGENASSIST, as
 * Intel's AES-NI white paper does it. */
#define AES_EXPAND(i, rcon)                                                 \
    __asm__ volatile("movdqu %[prev], %%xmm1\n\t"                           \
                     "aeskeygenassist $" #rcon ", %%xmm1, %%xmm2\n\t"        \
                     "pshufd $0xff, %%xmm2, %%xmm2\n\t"                      \
                     "movdqa %%xmm1, %%xmm3\n\tpslldq $4, %%xmm3\n\t"        \
                     "pxor %%xmm3, %%xmm1\n\tpslldq $4, %%xmm3\n\t"          \
                     "pxor %%xmm3, %%xmm1\n\tpslldq $4, %%xmm3\n\t"          \
                     "pxor %%xmm3, %%xmm1\n\tpxor %%xmm2, %%xmm1\n\t"        \
                     "movdqu %%xmm1, %[next]"                               \
                     : [next] "=m"(aes_rk[i]) : [prev] "m"(aes_rk[i - 1])   \
                     : "memory")

static uint8_t aes_rk[11][16] __attribute__((aligned(16)));
static uint8_t aes_dk[11][16] __attribute__((aligned(16)));

/* AES-NI: #UD without CPUID.1:ECX.AES (-cpu qemu64, the run-args line);
 * with it, the FIPS-197 appendix C.1 AES-128 vector through all six
 * insns: key expansion (AESKEYGENASSIST), encryption (AESENC, the m128
 * form too, AESENCLAST), decryption with the equivalent inverse cipher's
 * keys (AESIMC, AESDEC, AESDECLAST). */
static void test_aes(void)
{
    static const uint8_t key[16] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
        0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
    static const uint8_t pt[16] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    static const uint8_t ct[16] = {
        0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
        0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
    static uint8_t st[16];
    uint32_t r[4];

    cpuid(1, 0, r);
    if (!(r[2] & (1u << 25))) {
        tap_ok(PROBE("aesenc %%xmm1, %%xmm0") == 6,
               "no AES in CPUID: AESENC raises #UD");
        tap_ok(PROBE("aesenclast %%xmm1, %%xmm0") == 6 &&
               PROBE("aesdec %%xmm1, %%xmm0") == 6 &&
               PROBE("aesdeclast %%xmm1, %%xmm0") == 6 &&
               PROBE("aesimc %%xmm1, %%xmm0") == 6 &&
               PROBE("aeskeygenassist $1, %%xmm1, %%xmm0") == 6,
               "no AES in CPUID: AESENCLAST, AESDEC, AESDECLAST, AESIMC, "
               "AESKEYGENASSIST raise #UD");
        tap_skip("no AES (CPUID)", "aes-kat: FIPS-197 C.1 encryption");
        tap_skip("no AES (CPUID)", "aes-kat: FIPS-197 C.1 decryption");
        return;
    }
    tap_ok(PROBE("aesenc %%xmm1, %%xmm0") == -1, "AES in CPUID: AESENC runs");
    tap_ok(PROBE("aesenc %0, %%xmm0", "m"(fxbuf[8])) == 13 && fault_err == 0 &&
           PROBE("aesimc %0, %%xmm0", "m"(fxbuf[8])) == 13 &&
           PROBE("aeskeygenassist $1, %0, %%xmm0", "m"(fxbuf[8])) == 13,
           "aes-align: AESENC, AESIMC, AESKEYGENASSIST with a misaligned "
           "m128 raise #GP(0) (as the build host does)");

    memcpy(aes_rk[0], key, 16);
    AES_EXPAND(1, 0x01); AES_EXPAND(2, 0x02); AES_EXPAND(3, 0x04);
    AES_EXPAND(4, 0x08); AES_EXPAND(5, 0x10); AES_EXPAND(6, 0x20);
    AES_EXPAND(7, 0x40); AES_EXPAND(8, 0x80); AES_EXPAND(9, 0x1b);
    AES_EXPAND(10, 0x36);
    for (int i = 0; i < 16; i++) {
        st[i] = pt[i] ^ aes_rk[0][i];
    }
    for (int i = 1; i <= 10; i++) {
        if (i == 10) {
            __asm__ volatile("movdqu %0, %%xmm0\n\tmovdqu %1, %%xmm1\n\t"
                             "aesenclast %%xmm1, %%xmm0\n\tmovdqu %%xmm0, %0"
                             : "+m"(st) : "m"(aes_rk[i]));
        } else if (i & 1) {
            __asm__ volatile("movdqu %0, %%xmm0\n\taesenc %1, %%xmm0\n\t"
                             "movdqu %%xmm0, %0" : "+m"(st) : "m"(aes_rk[i]));
        } else {
            __asm__ volatile("movdqu %0, %%xmm0\n\tmovdqu %1, %%xmm1\n\t"
                             "aesenc %%xmm1, %%xmm0\n\tmovdqu %%xmm0, %0"
                             : "+m"(st) : "m"(aes_rk[i]));
        }
    }
    tap_ok(memcmp(st, ct, 16) == 0,
           "aes-kat: FIPS-197 C.1 encryption gives 69c4e0d8...c55a "
           "(got %02x%02x%02x%02x...%02x%02x)", st[0], st[1], st[2], st[3],
           st[14], st[15]);

    memcpy(aes_dk[0], aes_rk[10], 16);
    for (int i = 1; i < 10; i++) {
        __asm__ volatile("aesimc %1, %%xmm0\n\tmovdqu %%xmm0, %0"
                         : "=m"(aes_dk[i]) : "m"(aes_rk[10 - i]));
    }
    memcpy(aes_dk[10], aes_rk[0], 16);
    for (int i = 0; i < 16; i++) {
        st[i] ^= aes_dk[0][i];
    }
    for (int i = 1; i <= 10; i++) {
        if (i == 10) {
            __asm__ volatile("movdqu %0, %%xmm0\n\t"
                             "aesdeclast %1, %%xmm0\n\tmovdqu %%xmm0, %0"
                             : "+m"(st) : "m"(aes_dk[i]));
        } else {
            __asm__ volatile("movdqu %0, %%xmm0\n\tmovdqu %1, %%xmm1\n\t"
                             "aesdec %%xmm1, %%xmm0\n\tmovdqu %%xmm0, %0"
                             : "+m"(st) : "m"(aes_dk[i]));
        }
    }
    tap_ok(memcmp(st, pt, 16) == 0,
           "aes-kat: FIPS-197 C.1 decryption gives the plaintext back");
}

/* MASKMOVDQU: the bytes of XMM0 whose mask byte has bit 7 set go to
 * DS:rDI, the others are left alone. */
static void test_maskmov(void)
{
    static uint8_t data[16], mask[16], buf[16];
    bool ok = true;

    for (int i = 0; i < 16; i++) {
        data[i] = (uint8_t)(0xa0 + i);
        mask[i] = (i % 3 == 0) ? 0x80 : 0x7f;
        buf[i] = 0x11;
    }
    __asm__ volatile("movups %1, %%xmm0\n\tmovups %2, %%xmm1\n\t"
                     "maskmovdqu %%xmm1, %%xmm0"
                     : : "D"(buf), "m"(data), "m"(mask) : "memory");
    for (int i = 0; i < 16; i++) {
        ok &= buf[i] == (i % 3 == 0 ? data[i] : 0x11);
    }
    tap_ok(ok, "MASKMOVDQU stores the selected bytes at DS:rDI");
}

int main(uint32_t magic, uint32_t info)
{
    setup_idt();
    tap_plan(17 + 12 + 11 + 7 + 9 + 1 + 4);
    test_nm_ud();
    test_xm_mf_gp();
    test_fxsave();
    test_fsave();
    test_xsave();
    test_maskmov();
    test_aes();
    return 0;
}
