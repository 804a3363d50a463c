/*
 * test-x86-cpuid.c: CPU models, -cpu strings and CPUID (target/i386/
 * cpu-models.c, misc_helper.c's x86_cpuid) and the pure helpers of
 * insn-helper.c.
 *
 *   - every CPUID bit marked implemented maps to an instruction the
 *     decoder accepts (below: feature -> encoding), or to system state
 *     that the named code implements; a bit added to the implemented list
 *     without a row here fails the test;
 *   - no model advertises an unimplemented bit, whatever it lists;
 *   - -cpu parsing: +feat, -feat, feat=on|off, vendor=, the errors;
 *   - CPUID leaves 0, 1, 4, 7, 0BH and the brand string for a model and a
 *     -smp topology;
 *   - CRC-32C, PDEP/PEXT and BCD against known values.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "target/i386/cpu.h"
#include "target/i386/cpu-models.h"
#include "target/i386/decode.h"
#include "target/i386/helper.h"
#include "target/i386/insn-helper.h"

typedef struct Buf {
    uint8_t b[16];
    unsigned n;
} Buf;

static uint8_t fetch(void *opaque, unsigned off)
{
    Buf *b = opaque;

    return off < b->n ? b->b[off] : 0;
}

static int decode_hex(X86Insn *in, X86CodeMode mode, const char *hex)
{
    Buf b = { .n = 0 };

    for (const char *c = hex; *c; ) {
        if (*c == ' ') {
            c++;
            continue;
        }
        b.b[b.n++] = (uint8_t)strtoul((char[]){ c[0], c[1], 0 }, NULL, 16);
        c += 2;
    }
    return x86_decode(in, mode, fetch, &b);
}

/* What each implemented feature announces: an insn (mode, bytes,
 * mnemonic), or, with hex NULL, the state that implements it. */
static const struct {
    const char *feature;
    X86CodeMode mode;
    const char *hex;
    int mnem;
    const char *state;
} feature_map[] = {
    { "de", 0, NULL, 0, "CR4.DE: misc_helper.c x86_get_dr/x86_set_dr" },
    { "pse", 0, NULL, 0, "CR4.PSE: mmu_helper.c 4 MiB pages" },
    { "tsc", X86_MODE_32, "0f 31", X86_RDTSC },
    { "apic", 0, NULL, 0, "hw/intc/apic.c: the xAPIC at IA32_APIC_BASE" },
    { "x2apic", 0, NULL, 0, "hw/intc/apic.c: x2APIC MSRs 0x800-0x8ff" },
    { "tsc-deadline", 0, NULL, 0, "hw/intc/apic.c: IA32_TSC_DEADLINE" },
    { "arat", 0, NULL, 0, "hw/intc/apic.c: the timer never stops (HLT)" },
    { "msr", X86_MODE_32, "0f 32", X86_RDMSR },
    { "pae", 0, NULL, 0, "CR4.PAE: mmu_helper.c PAE walk" },
    { "mce", 0, NULL, 0, "CR4.MCE accepted by x86_write_cr" },
    { "cx8", X86_MODE_32, "0f c7 0f", X86_CMPXCHG8B },
    { "sep", X86_MODE_32, "0f 34", X86_SYSENTER },
    { "mtrr", 0, NULL, 0, "MTRR MSRs: misc_helper.c x86_rdmsr" },
    { "pge", 0, NULL, 0, "CR4.PGE: mmu_helper.c global pages" },
    { "cmov", X86_MODE_32, "0f 44 c1", X86_CMOVCC },
    { "pat", 0, NULL, 0, "IA32_PAT: misc_helper.c" },
    { "pse36", 0, NULL, 0, "mmu_helper.c PSE-36 address bits" },
    { "clflush", X86_MODE_32, "0f ae 38", X86_CLFLUSH },
    { "cx16", X86_MODE_64, "48 0f c7 0f", X86_CMPXCHG8B },
    { "pcid", 0, NULL, 0, "CR4.PCIDE: misc_helper.c x86_write_cr" },
    { "movbe", X86_MODE_32, "0f 38 f0 07", X86_MOVBE },
    { "popcnt", X86_MODE_32, "f3 0f b8 c1", X86_POPCNT },
    { "fsgsbase", X86_MODE_64, "f3 48 0f ae c0", X86_RDFSBASE },
    { "bmi1", X86_MODE_64, "c4 e2 70 f2 c1", X86_ANDN },
    { "smep", 0, NULL, 0, "CR4.SMEP: mmu_helper.c" },
    { "bmi2", X86_MODE_64, "c4 e2 73 f5 c1", X86_PDEP },
    { "erms", X86_MODE_32, "f3 a4", X86_MOVS },
    { "invpcid", X86_MODE_64, "66 0f 38 82 08", X86_INVPCID },
    { "adx", X86_MODE_64, "66 0f 38 f6 c1", X86_ADCX },
    { "smap", X86_MODE_32, "0f 01 cb", X86_STAC },
    { "la57", 0, NULL, 0, "CR4.LA57: mmu_helper.c 5-level walk" },
    { "rdpid", X86_MODE_64, "f3 0f c7 f8", X86_RDPID },
    { "syscall", X86_MODE_64, "0f 05", X86_SYSCALL },
    { "nx", 0, NULL, 0, "EFER.NXE: mmu_helper.c" },
    { "pdpe1gb", 0, NULL, 0, "mmu_helper.c 1 GiB pages" },
    { "rdtscp", X86_MODE_32, "0f 01 f9", X86_RDTSCP },
    { "lm", X86_MODE_64, "48 63 d8", X86_MOVSXD },
    { "lahf_lm", X86_MODE_64, "9f", X86_LAHF },
    { "abm", X86_MODE_64, "f3 48 0f bd c1", X86_LZCNT },
    { "3dnowprefetch", X86_MODE_32, "0f 0d 08", X86_PREFETCHW },
    { "fpu", X86_MODE_32, "d8 c1", X86_X87 },
    { "mmx", X86_MODE_32, "0f fc c1", X86_SSE },
    { "fxsr", X86_MODE_32, "0f ae 00", X86_GRP15 },
    { "sse", X86_MODE_32, "0f 58 c1", X86_SSE },
    { "sse2", X86_MODE_32, "66 0f 58 c1", X86_SSE },
    { "pni", X86_MODE_32, "f2 0f 7c c1", X86_SSE },
    { "pclmulqdq", X86_MODE_32, "66 0f 3a 44 c1 00", X86_SSE },
    { "aes", X86_MODE_32, "66 0f 38 dc c1", X86_SSE },
    { "ssse3", X86_MODE_32, "66 0f 38 00 c1", X86_SSE },
    { "sse4.1", X86_MODE_32, "66 0f 3a 0f c1 03", X86_SSE },
    { "sse4.2", X86_MODE_32, "66 0f 3a 63 c1 0c", X86_SSE },
    { "xsave", X86_MODE_32, "0f ae 20", X86_GRP15 },
    { "xsaveopt", X86_MODE_32, "0f ae 30", X86_GRP15 },
    { "xsavec", X86_MODE_32, "0f c7 20", X86_XSAVEC },
};

static void test_implemented_map(void)
{
    for (size_t i = 0; i < x86_cpu_nb_features; i++) {
        const X86FeatureInfo *fi = &x86_cpu_features[i];
        bool found = false;

        if (!fi->implemented) {
            continue;
        }
        for (size_t j = 0; j < G_N_ELEMENTS(feature_map); j++) {
            X86Insn in;

            if (strcmp(feature_map[j].feature, fi->name)) {
                continue;
            }
            found = true;
            if (feature_map[j].hex) {
                g_assert_cmpint(decode_hex(&in, feature_map[j].mode,
                                           feature_map[j].hex), ==,
                                X86_DECODE_OK);
                g_assert_cmpstr(x86_mnemonic_names[in.mnem], ==,
                                x86_mnemonic_names[feature_map[j].mnem]);
            }
        }
        if (!found) {
            g_test_message("implemented feature '%s' has no row in "
                           "feature_map", fi->name);
        }
        g_assert_true(found);
    }
}

static void test_models_filtered(void)
{
    for (size_t i = 0; i < x86_cpu_nb_models; i++) {
        const X86CpuModelInfo *m = &x86_cpu_model_infos[i];
        X86CpuConfig cfg;
        X86CPU *cpu = g_new0(X86CPU, 1);
        Error *err = NULL;

        g_assert_true(x86_cpu_config_parse(m->name, &cfg, &err));
        g_assert_null(err);
        x86_cpu_config_apply(&cfg, &cpu->env);
        for (int w = 0; w < FEAT_WORDS; w++) {
            uint32_t f = cpu->env.features[w];

            if (w == FEAT_8000_0001_EDX && x86_vendor_is_amd(&cpu->env)) {
                /* AMD's copies of leaf 1 EDX bits: those must be set
                 * there, so they are implemented */
                uint32_t mirror = f & 0x0183f3ffu;

                g_assert_cmphex(mirror & ~cpu->env.features[FEAT_1_EDX],
                                ==, 0);
                f &= ~mirror;
            }
            g_assert_cmphex(f & ~x86_feature_word_implemented(w), ==, 0);
        }
        /* the reference's identity is kept */
        g_assert_cmpmem(cpu->env.cpuid_vendor, 12, m->vendor, 12);
        g_free(cpu);
    }
}

static void apply(const char *spec, X86CPU *cpu)
{
    X86CpuConfig cfg;
    Error *err = NULL;

    g_assert_true(x86_cpu_config_parse(spec, &cfg, &err));
    memset(cpu, 0, sizeof(*cpu));
    x86_cpu_config_apply(&cfg, &cpu->env);
    cpu->env.nr_cores = cpu->env.nr_threads = 1;
}

static void test_cpu_string(void)
{
    X86CPU *cpu = g_new0(X86CPU, 1);
    CPUX86State *env = &cpu->env;
    X86CpuConfig cfg;
    Error *err = NULL;

    apply("max", cpu);
    g_assert_true(x86_has_feature(env, X86_FEAT_BMI1));
    apply("max,-bmi1", cpu);
    g_assert_false(x86_has_feature(env, X86_FEAT_BMI1));
    g_assert_true(x86_has_feature(env, X86_FEAT_BMI2));
    apply("max,bmi2=off,adx=false", cpu);
    g_assert_false(x86_has_feature(env, X86_FEAT_BMI2));
    g_assert_false(x86_has_feature(env, X86_FEAT_ADX));
    apply("qemu64,+bmi1,popcnt,sse4_2=on", cpu);
    g_assert_true(x86_has_feature(env, X86_FEAT_BMI1));
    g_assert_true(x86_has_feature(env, X86_FEAT_POPCNT));
    /* sse4.2 (docs/devel/x86-fpu.md) is implemented: advertised on request */
    g_assert_true(x86_has_feature(env, X86_FEAT_SSE42));
    apply("Skylake-Client,vendor=AuthenticAMD", cpu);
    g_assert_true(x86_vendor_is_amd(env));
    g_assert_cmphex(env->cpuid_version, ==, 0x000506e3);
    /* AMD mirrors leaf 1 EDX into 80000001H EDX (TSC, bit 4) */
    g_assert_true(x86_has_feature(env, X86_FEAT(FEAT_8000_0001_EDX, 4)));
    apply("qemu64", cpu);
    g_assert_cmphex(env->cpuid_version, ==, 0x00060fb1);   /* 15/107/1 */
    g_assert_false(x86_has_feature(env, X86_FEAT(FEAT_8000_0001_ECX, 2)));

    g_assert_false(x86_cpu_config_parse("nosuch", &cfg, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "unknown CPU model"));
    error_free(err);
    err = NULL;
    g_assert_false(x86_cpu_config_parse("max,+nosuch", &cfg, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "unknown CPU feature"));
    error_free(err);
    err = NULL;
    g_assert_false(x86_cpu_config_parse("max,bmi1=maybe", &cfg, &err));
    error_free(err);
    err = NULL;
    g_assert_false(x86_cpu_config_parse("max,vendor=Intel", &cfg, &err));
    error_free(err);
    g_free(cpu);
}

static void cpuid(CPUX86State *env, uint32_t leaf, uint32_t sub,
                  uint32_t r[4])
{
    x86_cpuid(env, leaf, sub, &r[0], &r[1], &r[2], &r[3]);
}

static void test_cpuid_leaves(void)
{
    X86CPU *cpu = g_new0(X86CPU, 1);
    CPUX86State *env = &cpu->env;
    uint32_t r[4];
    char s[49];

    apply("Skylake-Client", cpu);
    env->nr_cores = 4;
    env->nr_threads = 2;
    cpu->apic_id = 5;           /* core 2, thread 1 */
    cpuid(env, 0, 0, r);
    g_assert_cmphex(r[0], ==, 0xd);
    memcpy(s, &r[1], 4);
    memcpy(s + 4, &r[3], 4);
    memcpy(s + 8, &r[2], 4);
    s[12] = 0;
    g_assert_cmpstr(s, ==, "GenuineIntel");
    cpuid(env, 1, 0, r);
    g_assert_cmphex(r[0], ==, 0x000506e3);
    g_assert_cmphex(r[1] >> 24, ==, 5);
    g_assert_cmphex((r[1] >> 16) & 0xff, ==, 8);
    g_assert_true(r[3] & (1u << 28));           /* HTT */
    g_assert_false(r[2] & (1u << 31));          /* no hypervisor bit */
    g_assert_false(r[2] & (1u << 28));          /* AVX: not implemented */
    g_assert_true(r[2] & (1u << 22));           /* MOVBE */
    cpuid(env, 6, 0, r);
    g_assert_cmphex(r[0], ==, 4);               /* ARAT */
    cpuid(env, 7, 0, r);
    g_assert_true(r[1] & (1u << 3));            /* BMI1 */
    g_assert_false(r[1] & (1u << 5));           /* AVX2 */
    /* leaf 4: L1d, L1i, L2, L3, then type 0 */
    cpuid(env, 4, 0, r);
    g_assert_cmpuint(r[0] & 31, ==, 1);
    g_assert_cmpuint((r[0] >> 26) + 1, ==, 4);  /* cores per package */
    g_assert_cmpuint(((r[1] >> 22) + 1) * 64 * (r[2] + 1), ==, 32 * 1024);
    cpuid(env, 4, 3, r);
    g_assert_cmpuint((r[0] >> 5) & 7, ==, 3);
    g_assert_cmpuint(((r[0] >> 14) & 0xfff) + 1, ==, 8);
    cpuid(env, 4, 4, r);
    g_assert_cmpuint(r[0] & 31, ==, 0);
    /* leaf 0BH: SMT level (1 bit), core level (3 bits) */
    cpuid(env, 0xb, 0, r);
    g_assert_cmpuint(r[0], ==, 1);
    g_assert_cmpuint(r[1], ==, 2);
    g_assert_cmpuint((r[2] >> 8) & 0xff, ==, 1);
    g_assert_cmpuint(r[3], ==, 5);
    cpuid(env, 0xb, 1, r);
    g_assert_cmpuint(r[0], ==, 3);
    g_assert_cmpuint(r[1], ==, 8);
    g_assert_cmpuint((r[2] >> 8) & 0xff, ==, 2);
    cpuid(env, 0xb, 2, r);
    g_assert_cmpuint((r[2] >> 8) & 0xff, ==, 0);
    /* brand string */
    for (int i = 0; i < 3; i++) {
        cpuid(env, 0x80000002 + i, 0, r);
        memcpy(s + 16 * i, r, 16);
    }
    s[48] = 0;
    g_assert_cmpstr(s, ==, "Intel Core Processor (Skylake)");
    cpuid(env, 0x80000001, 0, r);
    g_assert_true(r[3] & (1u << 29));           /* LM */
    g_assert_true(r[2] & (1u << 5));            /* ABM */
    /* above the maximum: the highest basic leaf (0xD, x87|SSE state) */
    cpuid(env, 0x40000000, 0, r);
    g_assert_cmpuint(r[0], ==, 3);
    g_assert_cmpuint(r[1], ==, 576);
    g_free(cpu);
}

static void test_helpers(void)
{
    static const char digits[] = "123456789";
    uint32_t crc = 0xffffffff, f;

    for (int i = 0; i < 9; i++) {
        crc = x86_crc32(crc, (uint8_t)digits[i], 1);
    }
    g_assert_cmphex(~crc, ==, 0xe3069283);      /* CRC-32C check value */
    g_assert_cmphex(x86_crc32(0, 0x04030201, 4), ==,
                    x86_crc32(x86_crc32(0, 0x0201, 2), 0x0403, 2));
    g_assert_cmphex(x86_pdep(0xb, 0xf0f0), ==, 0xb0);
    g_assert_cmphex(x86_pdep(0x1f, 0x8421), ==, 0x8421);
    g_assert_cmphex(x86_pext(0xabcd, 0xff00), ==, 0xab);
    g_assert_cmphex(x86_pext(0x8421, 0x8421), ==, 0xf);
    /* DAA: 0x19 + 0x28 = 0x41 with AF: 0x47 */
    f = CC_A;
    g_assert_cmphex(x86_bcd(X86_BCD_DAA, 0x0041, 10, &f), ==, 0x0047);
    g_assert_cmphex(f & (CC_C | CC_A), ==, CC_A);
    /* DAA: 0x9a -> 0x00 with CF */
    f = 0;
    g_assert_cmphex(x86_bcd(X86_BCD_DAA, 0x009a, 10, &f), ==, 0x0000);
    g_assert_true(f & CC_C);
    g_assert_true(f & CC_Z);
    /* AAA on AX = 0x000f: AX = 0x0105, CF = AF = 1 */
    f = 0;
    g_assert_cmphex(x86_bcd(X86_BCD_AAA, 0x000f, 10, &f), ==, 0x0105);
    g_assert_cmphex(f & (CC_C | CC_A), ==, CC_C | CC_A);
    /* AAS on AX = 0x0200 with AF: AX - 6 = 0x01fa, AH - 1: 0x000a */
    f = CC_A;
    g_assert_cmphex(x86_bcd(X86_BCD_AAS, 0x0200, 10, &f), ==, 0x000a);
    /* AAM 10: 63 -> AH 6, AL 3; AAD 10: AH 6 AL 3 -> 63 */
    g_assert_cmphex(x86_bcd(X86_BCD_AAM, 63, 10, &f), ==, 0x0603);
    g_assert_cmphex(x86_bcd(X86_BCD_AAD, 0x0603, 10, &f), ==, 63);
    g_assert_cmphex(x86_bcd(X86_BCD_AAD, 0x0105, 16, &f), ==, 0x15);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/cpuid/implemented-map", test_implemented_map);
    g_test_add_func("/x86/cpuid/models-filtered", test_models_filtered);
    g_test_add_func("/x86/cpuid/cpu-string", test_cpu_string);
    g_test_add_func("/x86/cpuid/leaves", test_cpuid_leaves);
    g_test_add_func("/x86/cpuid/helpers", test_helpers);
    return g_test_run();
}
