/*
 * test-x86-cc.c: the x86 lazy-flags evaluator (x86_cc_compute, in
 * target/i386/cpu.c) against the host CPU: for every CCOp family the
 * translator produces and every operand size, thousands of edge-biased
 * random operands are run through the real instruction with inline asm and
 * the EFLAGS it leaves are compared with what the evaluator computes from
 * the lazy operands the translator would record.  Only the flags the SDM
 * defines for each instruction are compared.  Also checks EFLAGS
 * load/compute round trips.  x86-64 hosts only.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/translate.h"

#define N_RANDOM 4000

static GRand *rng;

static uint64_t mask_of(int ot)
{
    return ot == 3 ? UINT64_MAX : (1ull << (8u << ot)) - 1;
}

static uint64_t operand(int ot)
{
    uint64_t m = mask_of(ot), sign = (m >> 1) + 1;
    uint64_t r = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);

    switch (g_rand_int_range(rng, 0, 10)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return sign;
    case 3: return sign - 1;
    case 4: return m;
    case 5: return r & 0x1f;
    default: return r & m;
    }
}

/*
 * Runs "insn src, dst" with the given input flags and returns the output
 * flags and the result.  The stack pointer steps over the red zone around
 * the push/pop.
 */
#define NATIVE2(name, insn) \
static uint64_t name(int ot, uint64_t a, uint64_t b, uint64_t fin, \
                     uint64_t *res) \
{ \
    uint64_t fl; \
    switch (ot) { \
    case 0: { uint8_t r = a, s = b; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "b %[s],%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+q"(r), [fl] "=&r"(fl) \
                     : [s] "q"(s), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    case 1: { uint16_t r = a, s = b; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "w %[s],%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+r"(r), [fl] "=&r"(fl) \
                     : [s] "r"(s), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    case 2: { uint32_t r = a, s = b; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "l %[s],%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+r"(r), [fl] "=&r"(fl) \
                     : [s] "r"(s), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    default: { uint64_t r = a, s = b; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "q %[s],%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+r"(r), [fl] "=&r"(fl) \
                     : [s] "r"(s), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    } \
    return fl; \
}

NATIVE2(native_add, "add")
NATIVE2(native_adc, "adc")
NATIVE2(native_sub, "sub")
NATIVE2(native_sbb, "sbb")
NATIVE2(native_and, "and")
NATIVE2(native_or, "or")
NATIVE2(native_xor, "xor")

/* Shifts: count in CL. */
#define NATIVE_SH(name, insn) \
static uint64_t name(int ot, uint64_t a, uint64_t c, uint64_t fin, \
                     uint64_t *res) \
{ \
    uint64_t fl; \
    uint8_t cl = c; \
    switch (ot) { \
    case 0: { uint8_t r = a; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "b %%cl,%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+q"(r), [fl] "=&r"(fl) \
                     : "c"(cl), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    case 1: { uint16_t r = a; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "w %%cl,%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+r"(r), [fl] "=&r"(fl) \
                     : "c"(cl), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    case 2: { uint32_t r = a; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "l %%cl,%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+r"(r), [fl] "=&r"(fl) \
                     : "c"(cl), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    default: { uint64_t r = a; \
        asm volatile("lea -128(%%rsp),%%rsp; push %[fi]; popf; " \
                     insn "q %%cl,%[r]; pushf; pop %[fl]; " \
                     "lea 128(%%rsp),%%rsp" \
                     : [r] "+r"(r), [fl] "=&r"(fl) \
                     : "c"(cl), [fi] "r"(fin) : "cc", "memory"); \
        *res = r; break; } \
    } \
    return fl; \
}

NATIVE_SH(native_shl, "shl")
NATIVE_SH(native_shr, "shr")
NATIVE_SH(native_sar, "sar")

typedef uint64_t NativeFn(int ot, uint64_t a, uint64_t b, uint64_t fin,
                          uint64_t *res);

static int failures;

static void check(const char *what, int ot, uint64_t a, uint64_t b,
                  uint32_t cin, uint32_t native, uint32_t model,
                  uint32_t mask)
{
    if ((native & mask) != (model & mask)) {
        if (failures++ < 10) {
            g_test_message("%s size %d a=%#" PRIx64 " b=%#" PRIx64
                           " cf=%u: host %#x model %#x (mask %#x)", what,
                           8 << ot, a, b, cin, native & mask, model & mask,
                           mask);
        }
    }
}

static void test_arith(void)
{
    static const struct {
        const char *name;
        NativeFn *fn;
        int cc_base;
        uint32_t mask;
    } ops[] = {
        { "add", native_add, CC_OP_ADDB, CC_OSZAPC },
        { "adc", native_adc, CC_OP_ADCB, CC_OSZAPC },
        { "sub", native_sub, CC_OP_SUBB, CC_OSZAPC },
        { "sbb", native_sbb, CC_OP_SBBB, CC_OSZAPC },
        { "and", native_and, CC_OP_LOGICB, CC_OSZAPC & ~CC_A },
        { "or", native_or, CC_OP_LOGICB, CC_OSZAPC & ~CC_A },
        { "xor", native_xor, CC_OP_LOGICB, CC_OSZAPC & ~CC_A },
    };
    unsigned n = 0;

    failures = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        for (int ot = 0; ot < 4; ot++) {
            for (int k = 0; k < N_RANDOM; k++) {
                uint64_t a = operand(ot), b = operand(ot), res;
                uint32_t cin = g_rand_int_range(rng, 0, 2);
                uint32_t fl = ops[i].fn(ot, a, b, 2 | cin, &res);
                uint32_t model = x86_cc_compute(ops[i].cc_base + ot, res,
                                                b, cin);

                check(ops[i].name, ot, a, b, cin, fl, model, ops[i].mask);
                n++;
            }
        }
    }
    g_test_message("%u cases", n);
    g_assert_cmpint(failures, ==, 0);
}

static void test_incdec_neg(void)
{
    unsigned n = 0;

    failures = 0;
    for (int ot = 0; ot < 4; ot++) {
        for (int k = 0; k < N_RANDOM; k++) {
            uint64_t a = operand(ot), m = mask_of(ot), res;
            uint32_t cin = g_rand_int_range(rng, 0, 2), fl;

            /* inc = add 1 but CF kept; dec likewise. */
            fl = native_add(ot, a, 1, 2 | cin, &res);
            fl = (fl & ~CC_C) | cin;
            check("inc", ot, a, 1, cin, fl,
                  x86_cc_compute(CC_OP_INCB + ot, res, cin, 0), CC_OSZAPC);
            fl = native_sub(ot, a, 1, 2 | cin, &res);
            fl = (fl & ~CC_C) | cin;
            check("dec", ot, a, 1, cin, fl,
                  x86_cc_compute(CC_OP_DECB + ot, res, cin, 0), CC_OSZAPC);
            /* neg = 0 - a. */
            fl = native_sub(ot, 0, a, 2, &res);
            check("neg", ot, 0, a, 0, fl,
                  x86_cc_compute(CC_OP_SUBB + ot, res & m, a, 0),
                  CC_OSZAPC);
            n += 3;
        }
    }
    g_test_message("%u cases", n);
    g_assert_cmpint(failures, ==, 0);
}

static void test_shifts(void)
{
    unsigned n = 0;

    failures = 0;
    for (int ot = 0; ot < 4; ot++) {
        unsigned bits = 8u << ot;
        uint64_t m = mask_of(ot);

        for (int k = 0; k < N_RANDOM; k++) {
            uint64_t a = operand(ot), res;
            unsigned c = g_rand_int_range(rng, 1, bits);
            uint32_t mask = CC_C | CC_Z | CC_S | CC_P | (c == 1 ? CC_O : 0);
            int64_t sa = (int64_t)(a << (64 - bits)) >> (64 - bits);
            uint32_t fl;

            fl = native_shl(ot, a, c, 2, &res);
            check("shl", ot, a, c, 0, fl,
                  x86_cc_compute(CC_OP_SHLB + ot, res,
                                 (a << (c - 1)) & m, 0), mask);
            fl = native_shr(ot, a, c, 2, &res);
            check("shr", ot, a, c, 0, fl,
                  x86_cc_compute(CC_OP_SARB + ot, res, a >> (c - 1), 0),
                  mask);
            fl = native_sar(ot, a, c, 2, &res);
            check("sar", ot, a, c, 0, fl,
                  x86_cc_compute(CC_OP_SARB + ot, res,
                                 (uint64_t)(sa >> (c - 1)) & m, 0), mask);
            n += 3;
        }
    }
    g_test_message("%u cases", n);
    g_assert_cmpint(failures, ==, 0);
}

static void test_mul(void)
{
    unsigned n = 0;

    failures = 0;
    for (int ot = 1; ot < 4; ot++) {
        for (int k = 0; k < N_RANDOM; k++) {
            uint64_t a = operand(ot), b = operand(ot), fl, lo, hi;
            unsigned __int128 p = (unsigned __int128)a * b;
            unsigned bits = 8u << ot;

            lo = (uint64_t)p & mask_of(ot);
            hi = (uint64_t)(p >> bits) & mask_of(ot);
            switch (ot) {
            case 1: {
                uint16_t ax = a, dx, s = b;

                asm volatile("mulw %[s]; pushf; pop %[fl]"
                             : "+a"(ax), "=d"(dx), [fl] "=&r"(fl)
                             : [s] "r"(s) : "cc");
                (void)dx;
                break;
            }
            case 2: {
                uint32_t ax = a, dx, s = b;

                asm volatile("mull %[s]; pushf; pop %[fl]"
                             : "+a"(ax), "=d"(dx), [fl] "=&r"(fl)
                             : [s] "r"(s) : "cc");
                (void)dx;
                break;
            }
            default: {
                uint64_t ax = a, dx, s = b;

                asm volatile("mulq %[s]; pushf; pop %[fl]"
                             : "+a"(ax), "=d"(dx), [fl] "=&r"(fl)
                             : [s] "r"(s) : "cc");
                (void)dx;
                break;
            }
            }
            check("mul", ot, a, b, 0, fl,
                  x86_cc_compute(CC_OP_MULB + ot, lo, hi, 0), CC_C | CC_O);
            n++;
        }
    }
    g_test_message("%u cases", n);
    g_assert_cmpint(failures, ==, 0);
}

static void test_eflags_roundtrip(void)
{
    CPUX86State *env = g_new0(CPUX86State, 1);

    for (int k = 0; k < 1000; k++) {
        uint32_t v = g_rand_int(rng) & (CC_OSZAPC | DF_MASK | IF_MASK |
                                        TF_MASK | AC_MASK);

        env->eflags = 2;
        cpu_load_eflags(env, v, IF_MASK | TF_MASK | AC_MASK);
        g_assert_cmphex(cpu_compute_eflags(env), ==, v | 2);
        g_assert_cmpint(env->df, ==, (v & DF_MASK) ? -1 : 1);
    }
    /* The lazy state wins over the stale bits in env->eflags. */
    env->eflags = 2 | CC_OSZAPC;
    env->cc_op = CC_OP_SUBL;
    env->cc_dst = 0;
    env->cc_src = 5;
    env->df = 1;
    g_assert_cmphex(cpu_compute_eflags(env) & CC_OSZAPC, ==,
                    CC_Z | CC_P);
    env->cc_op = CC_OP_CLR;
    g_assert_cmphex(cpu_cc_compute_all(env), ==, CC_Z | CC_P);
    g_free(env);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    rng = g_rand_new_with_seed(0x86cc);
    g_test_add_func("/x86/cc/arith", test_arith);
    g_test_add_func("/x86/cc/incdec-neg", test_incdec_neg);
    g_test_add_func("/x86/cc/shifts", test_shifts);
    g_test_add_func("/x86/cc/mul", test_mul);
    g_test_add_func("/x86/cc/eflags-roundtrip", test_eflags_roundtrip);
    return g_test_run();
}
