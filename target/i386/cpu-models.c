/*
 * cpu-models.c: the x86 CPU models, the CPUID feature table and the -cpu
 * string; see cpu-models.h.
 *
 * The rule: a CPUID bit is advertised only when x86_cpu_features[] marks
 * it implemented.  Models are written as the reference emulator defines
 * them (vendor, family/model/stepping, levels, features, brand string);
 * x86_cpu_config_apply() drops what we do not implement, so the models
 * stay recognisable and the "implemented" column is the one place to
 * change when a feature lands.  tests/unit/test-x86-cpuid.c maps every
 * implemented bit to an instruction the decoder accepts, or to the
 * system state it announces.
 *
 * The x87/SSE work (docs/devel/x86-fpu.md) implements fpu, mmx, fxsr,
 * sse..sse4.2, ssse3, pclmulqdq, aes, xsave, xsaveopt, xsavec; avx, f16c,
 * fma, xgetbv1 are still off (OSXSAVE is not a model bit: CPUID reflects
 * CR4.OSXSAVE).  The LAPIC
 * (hw/intc/apic.c) implements apic, x2apic, tsc-deadline and arat (its
 * timer runs from virtual time whatever the CPU does).
 *
 * Pure functions and const data; any thread.
 */
#include "util/osdep.h"
#include "target/i386/cpu-models.h"

#define F(n, w, b, impl, g) { n, w, b, impl, g }

const X86FeatureInfo x86_cpu_features[] = {
    /* CPUID.01H:EDX */
    F("fpu", FEAT_1_EDX, 0, true, "x87 (D8-DF)"),
    F("vme", FEAT_1_EDX, 1, false, "CR4.VME/PVI: not implemented"),
    F("de", FEAT_1_EDX, 2, true, "CR4.DE (DR4/DR5 #UD)"),
    F("pse", FEAT_1_EDX, 3, true, "CR4.PSE 4 MiB pages"),
    F("tsc", FEAT_1_EDX, 4, true, "RDTSC"),
    F("msr", FEAT_1_EDX, 5, true, "RDMSR/WRMSR"),
    F("pae", FEAT_1_EDX, 6, true, "CR4.PAE paging"),
    F("mce", FEAT_1_EDX, 7, true, "CR4.MCE (no #MC is ever raised)"),
    F("cx8", FEAT_1_EDX, 8, true, "CMPXCHG8B"),
    F("apic", FEAT_1_EDX, 9, true, "on-chip LAPIC"),
    F("sep", FEAT_1_EDX, 11, true, "SYSENTER/SYSEXIT"),
    F("mtrr", FEAT_1_EDX, 12, true, "MTRR MSRs"),
    F("pge", FEAT_1_EDX, 13, true, "CR4.PGE global pages"),
    F("mca", FEAT_1_EDX, 14, false, "MCG_CAP MSRs: not implemented"),
    F("cmov", FEAT_1_EDX, 15, true, "CMOVcc"),
    F("pat", FEAT_1_EDX, 16, true, "IA32_PAT"),
    F("pse36", FEAT_1_EDX, 17, true, "PSE-36 4 MiB pages above 4 GiB"),
    F("clflush", FEAT_1_EDX, 19, true, "CLFLUSH"),
    F("mmx", FEAT_1_EDX, 23, true, "MMX"),
    F("fxsr", FEAT_1_EDX, 24, true, "FXSAVE/FXRSTOR"),
    F("sse", FEAT_1_EDX, 25, true, "SSE"),
    F("sse2", FEAT_1_EDX, 26, true, "SSE2"),
    F("ss", FEAT_1_EDX, 27, false, "self snoop"),
    /* CPUID.01H:ECX */
    F("pni", FEAT_1_ECX, 0, true, "SSE3"),
    F("pclmulqdq", FEAT_1_ECX, 1, true, "PCLMULQDQ"),
    F("monitor", FEAT_1_ECX, 3, false, "MONITOR/MWAIT"),
    F("vmx", FEAT_1_ECX, 5, false, "VMX"),
    F("ssse3", FEAT_1_ECX, 9, true, "SSSE3"),
    F("fma", FEAT_1_ECX, 12, false, "FMA"),
    F("cx16", FEAT_1_ECX, 13, true, "CMPXCHG16B"),
    F("pcid", FEAT_1_ECX, 17, true, "CR4.PCIDE"),
    F("sse4.1", FEAT_1_ECX, 19, true, "SSE4.1"),
    F("sse4.2", FEAT_1_ECX, 20, true, "SSE4.2 (and CRC32)"),
    F("x2apic", FEAT_1_ECX, 21, true, "x2APIC MSRs"),
    F("movbe", FEAT_1_ECX, 22, true, "MOVBE"),
    F("popcnt", FEAT_1_ECX, 23, true, "POPCNT"),
    F("tsc-deadline", FEAT_1_ECX, 24, true, "LAPIC TSC-deadline timer"),
    F("aes", FEAT_1_ECX, 25, true, "AES-NI (AESENC ... AESKEYGENASSIST)"),
    F("xsave", FEAT_1_ECX, 26, true, "XSAVE/XRSTOR/XGETBV"),
    F("avx", FEAT_1_ECX, 28, false, "AVX"),
    F("f16c", FEAT_1_ECX, 29, false, "VCVTPH2PS"),
    F("rdrand", FEAT_1_ECX, 30, false, "RDRAND"),
    F("hypervisor", FEAT_1_ECX, 31, false, "(kept off)"),
    /* CPUID.(EAX=07H,ECX=0):EBX */
    F("fsgsbase", FEAT_7_0_EBX, 0, true, "RDFSBASE/RDGSBASE/WRFSBASE/"
      "WRGSBASE"),
    F("bmi1", FEAT_7_0_EBX, 3, true, "ANDN BEXTR BLSI BLSMSK BLSR TZCNT"),
    F("hle", FEAT_7_0_EBX, 4, false, "XACQUIRE/XRELEASE"),
    F("avx2", FEAT_7_0_EBX, 5, false, "AVX2"),
    F("smep", FEAT_7_0_EBX, 7, true, "CR4.SMEP"),
    F("bmi2", FEAT_7_0_EBX, 8, true, "BZHI MULX PDEP PEXT RORX SARX SHLX "
      "SHRX"),
    F("erms", FEAT_7_0_EBX, 9, true, "fast REP MOVSB/STOSB (a hint)"),
    F("invpcid", FEAT_7_0_EBX, 10, true, "INVPCID"),
    F("rtm", FEAT_7_0_EBX, 11, false, "XBEGIN/XEND"),
    F("mpx", FEAT_7_0_EBX, 14, false, "MPX"),
    F("avx512f", FEAT_7_0_EBX, 16, false, "AVX-512"),
    F("rdseed", FEAT_7_0_EBX, 18, false, "RDSEED"),
    F("adx", FEAT_7_0_EBX, 19, true, "ADCX ADOX"),
    F("smap", FEAT_7_0_EBX, 20, true, "CR4.SMAP, STAC/CLAC"),
    F("clflushopt", FEAT_7_0_EBX, 23, false, "CLFLUSHOPT"),
    F("clwb", FEAT_7_0_EBX, 24, false, "CLWB"),
    F("sha-ni", FEAT_7_0_EBX, 29, false, "SHA"),
    /* CPUID.(EAX=07H,ECX=0):ECX */
    F("umip", FEAT_7_0_ECX, 2, false, "CR4.UMIP: not checked by SGDT..."),
    F("pku", FEAT_7_0_ECX, 3, false, "protection keys"),
    F("la57", FEAT_7_0_ECX, 16, true, "CR4.LA57 5-level paging"),
    F("rdpid", FEAT_7_0_ECX, 22, true, "RDPID"),
    /* CPUID.(EAX=07H,ECX=0):EDX */
    F("md-clear", FEAT_7_0_EDX, 10, false, "VERW buffer clearing"),
    F("spec-ctrl", FEAT_7_0_EDX, 26, false, "IA32_SPEC_CTRL"),
    /* CPUID.80000001H:EDX */
    F("syscall", FEAT_8000_0001_EDX, 11, true, "SYSCALL/SYSRET"),
    F("nx", FEAT_8000_0001_EDX, 20, true, "EFER.NXE"),
    F("mmxext", FEAT_8000_0001_EDX, 22, false, "AMD MMX extensions"),
    F("fxsr-opt", FEAT_8000_0001_EDX, 25, false, "FFXSR"),
    F("pdpe1gb", FEAT_8000_0001_EDX, 26, true, "1 GiB pages"),
    F("rdtscp", FEAT_8000_0001_EDX, 27, true, "RDTSCP"),
    F("lm", FEAT_8000_0001_EDX, 29, true, "long mode"),
    F("3dnow", FEAT_8000_0001_EDX, 31, false, "3DNow!"),
    /* CPUID.80000001H:ECX */
    F("lahf_lm", FEAT_8000_0001_ECX, 0, true, "LAHF/SAHF in 64-bit mode"),
    F("svm", FEAT_8000_0001_ECX, 2, false, "SVM"),
    F("abm", FEAT_8000_0001_ECX, 5, true, "LZCNT"),
    F("sse4a", FEAT_8000_0001_ECX, 6, false, "SSE4A"),
    F("3dnowprefetch", FEAT_8000_0001_ECX, 8, true, "PREFETCHW (a hint)"),
    /* CPUID.(EAX=0DH,ECX=1):EAX */
    F("xsaveopt", FEAT_D_1_EAX, 0, true, "XSAVEOPT"),
    F("xsavec", FEAT_D_1_EAX, 1, true, "XSAVEC"),
    F("xgetbv1", FEAT_D_1_EAX, 2, false, "XGETBV ECX=1"),
    /* CPUID.06H:EAX */
    F("arat", FEAT_6_EAX, 2, true, "LAPIC timer always running"),
};
const size_t x86_cpu_nb_features = ARRAY_SIZE(x86_cpu_features);

/* Other spellings the reference emulator accepts. */
static const struct { const char *alias, *name; } feature_aliases[] = {
    { "sse3", "pni" }, { "sse4_1", "sse4.1" }, { "sse4_2", "sse4.2" },
    { "lahf-lm", "lahf_lm" }, { "tsc_deadline", "tsc-deadline" },
    { "fsgs-base", "fsgsbase" }, { "i64", "lm" }, { "xd", "nx" },
    { "sha_ni", "sha-ni" },
};

/* The baseline of the reference's qemu64 and the feature lists of its
 * named models (vendor, family, model, stepping, levels as there: checked
 * against QEMU 7.2's query-cpu-model-expansion; its "hypervisor" bit is
 * left out on purpose). */
#define PPRO "fpu de pse tsc msr pae mce cx8 apic sep pge cmov pat fxsr " \
             "mmx sse sse2"

const X86CpuModelInfo x86_cpu_model_infos[] = {
    { "qemu64", "AuthenticAMD", 15, 107, 1, 0xd, 0x8000000a,
      PPRO " mtrr clflush mca pse36 pni cx16 lm syscall nx lahf_lm svm",
      "QEMU Virtual CPU version 2.5+",
      "a baseline x86-64 CPU (SSE2, no later extensions)" },
    { "max", "GenuineIntel", 6, 142, 12, 0x1f, 0x80000008,
      NULL,     /* every implemented feature */
      "Tandem TCG CPU", "every feature the accelerator supports" },
    /* Filled from KVM_GET_SUPPORTED_CPUID at CPU creation (target/i386/
     * kvm.c, x86_kvm_host_model); refused without KVM (cpu.c). */
    { "host", "GenuineIntel", 6, 0, 0, 1, 0x80000000, "",
      "host", "KVM only: the host CPU as KVM supports it" },
    { "Haswell", "GenuineIntel", 6, 60, 4, 0xd, 0x80000008,
      "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat "
      "pse36 clflush mmx fxsr sse sse2 pni pclmulqdq ssse3 fma cx16 pcid "
      "sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c "
      "rdrand syscall nx rdtscp lm lahf_lm abm fsgsbase bmi1 hle avx2 smep "
      "bmi2 erms invpcid rtm xsaveopt arat",
      "Intel Core Processor (Haswell)",
      "Intel Core 4th generation (Haswell)" },
    { "Skylake-Client", "GenuineIntel", 6, 94, 3, 0xd, 0x80000008,
      "fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat "
      "pse36 clflush mmx fxsr sse sse2 pni pclmulqdq ssse3 fma cx16 pcid "
      "sse4.1 sse4.2 x2apic movbe popcnt tsc-deadline aes xsave avx f16c "
      "rdrand syscall nx rdtscp lm lahf_lm abm 3dnowprefetch fsgsbase bmi1 "
      "hle avx2 smep bmi2 erms invpcid rtm rdseed adx smap xsaveopt "
      "xsavec xgetbv1 arat",
      "Intel Core Processor (Skylake)",
      "Intel Core 6th generation (Skylake)" },
};
const size_t x86_cpu_nb_models = ARRAY_SIZE(x86_cpu_model_infos);

const X86FeatureInfo *x86_feature_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(feature_aliases); i++) {
        if (!strcmp(feature_aliases[i].alias, name)) {
            name = feature_aliases[i].name;
            break;
        }
    }
    for (size_t i = 0; i < x86_cpu_nb_features; i++) {
        if (!strcmp(x86_cpu_features[i].name, name)) {
            return &x86_cpu_features[i];
        }
    }
    return NULL;
}

const X86CpuModelInfo *x86_cpu_model_info_find(const char *name)
{
    for (size_t i = 0; i < x86_cpu_nb_models; i++) {
        if (!strcmp(x86_cpu_model_infos[i].name, name)) {
            return &x86_cpu_model_infos[i];
        }
    }
    return NULL;
}

uint32_t x86_feature_word_implemented(int word)
{
    uint32_t m = 0;

    for (size_t i = 0; i < x86_cpu_nb_features; i++) {
        if (x86_cpu_features[i].word == word &&
            x86_cpu_features[i].implemented) {
            m |= 1u << x86_cpu_features[i].bit;
        }
    }
    return m;
}

static void feature_set(uint32_t *features, const X86FeatureInfo *fi, bool on)
{
    if (on) {
        features[fi->word] |= 1u << fi->bit;
    } else {
        features[fi->word] &= ~(1u << fi->bit);
    }
}

/*
 * One ",item" of the -cpu string: "+feat", "-feat", "feat", "feat=on|off"
 * or "vendor=STR".  Fills *fi and *on, or cfg->vendor.  False with errp.
 */
static bool parse_item(const char *spec, const char *p, X86CpuConfig *cfg,
                       const X86FeatureInfo **fi, bool *on, Error **errp)
{
    const char *eq = strchr(p, '=');
    g_autofree char *name = NULL;

    *fi = NULL;
    if (eq) {
        name = g_strndup(p, eq - p);
        if (!strcmp(name, "vendor")) {
            if (strlen(eq + 1) != 12) {
                error_setg(errp, "-cpu %s: vendor must be 12 characters "
                           "(e.g. GenuineIntel, AuthenticAMD)", spec);
                return false;
            }
            memcpy(cfg->vendor, eq + 1, 12);
            return true;
        }
        if (!strcmp(eq + 1, "on") || !strcmp(eq + 1, "true")) {
            *on = true;
        } else if (!strcmp(eq + 1, "off") || !strcmp(eq + 1, "false")) {
            *on = false;
        } else {
            error_setg(errp, "-cpu %s: '%s' wants on or off", spec, name);
            return false;
        }
    } else if (p[0] == '+' || p[0] == '-') {
        name = g_strdup(p + 1);
        *on = p[0] == '+';
    } else {
        name = g_strdup(p);
        *on = true;
    }
    *fi = x86_feature_find(name);
    if (!*fi) {
        error_setg(errp, "-cpu %s: unknown CPU feature '%s'", spec, name);
        return false;
    }
    return true;
}

/* Parses spec; with warn, says which requested features are dropped. */
static bool config_parse(const char *spec, X86CpuConfig *cfg, bool warn,
                         Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    const X86CpuModelInfo *m;

    memset(cfg, 0, sizeof(*cfg));
    m = parts[0] ? x86_cpu_model_info_find(parts[0]) : NULL;
    if (!m) {
        error_setg(errp, "-cpu %s: unknown CPU model '%s' (try -cpu help)",
                   spec, parts[0] ? parts[0] : "");
        return false;
    }
    cfg->model = m;
    memcpy(cfg->vendor, m->vendor, 12);
    if (m->features) {
        g_auto(GStrv) names = g_strsplit(m->features, " ", -1);

        for (int i = 0; names[i]; i++) {
            const X86FeatureInfo *fi = x86_feature_find(names[i]);

            assert(fi);         /* model tables are ours */
            feature_set(cfg->features, fi, true);
        }
    } else {
        for (int w = 0; w < FEAT_WORDS; w++) {
            cfg->features[w] = x86_feature_word_implemented(w);
        }
    }
    for (int i = 1; parts[i]; i++) {
        const X86FeatureInfo *fi;
        bool on;

        if (!parse_item(spec, parts[i], cfg, &fi, &on, errp)) {
            return false;
        }
        if (!fi) {
            continue;           /* vendor= */
        }
        if (warn && on && !fi->implemented) {
            warn_report("-cpu %s: TCG does not support requested feature "
                        "'%s' (%s); it is not advertised", spec, fi->name,
                        fi->guards);
        }
        feature_set(cfg->features, fi, on);
    }
    return true;
}

bool x86_cpu_config_parse(const char *spec, X86CpuConfig *cfg, Error **errp)
{
    return config_parse(spec, cfg, false, errp);
}

bool x86_cpu_spec_check(const char *spec, Error **errp)
{
    X86CpuConfig cfg;

    return config_parse(spec, &cfg, true, errp);
}

void x86_cpu_config_apply(const X86CpuConfig *cfg, CPUX86State *env)
{
    const X86CpuModelInfo *m = cfg->model;
    uint32_t fam = m->family, mod = m->model;

    env->cpuid_level = m->level;
    env->cpuid_xlevel = m->xlevel;
    memcpy(env->cpuid_vendor, cfg->vendor, 12);
    /* SDM CPUID.01H:EAX: extended family above 15, extended model. */
    env->cpuid_version = (fam > 15 ? ((fam - 15) << 20) | (15u << 8) :
                          fam << 8) |
                         ((mod >> 4) << 16) | ((mod & 15) << 4) |
                         (m->stepping & 15);
    for (int w = 0; w < FEAT_WORDS; w++) {
        env->features[w] = cfg->features[w] & x86_feature_word_implemented(w);
    }
    /* AMD mirrors leaf 1 EDX bits 0-9, 12-17, 23 and 24 in 80000001H:EDX
     * (AMD CPUID spec, Fn8000_0001_EDX), as the reference does. */
    if (x86_vendor_is_amd(env)) {
        env->features[FEAT_8000_0001_EDX] |=
            env->features[FEAT_1_EDX] & 0x0183f3ffu;
    }
    memset(env->cpuid_model, 0, sizeof(env->cpuid_model));
    strncpy(env->cpuid_model, m->model_id, sizeof(env->cpuid_model) - 1);
}
