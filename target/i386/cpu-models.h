/*
 * cpu-models.h: x86 CPU models and CPUID feature flags (-cpu).
 *
 * A model is a vendor, a family/model/stepping, CPUID levels, a brand
 * string and a list of feature names, written as QEMU spells them
 * ("sse2", "bmi1", "lahf_lm").  x86_cpu_features[] names every CPUID bit
 * we know and says whether this emulator implements what it guards: a
 * model's bits are filtered through it, so an unimplemented feature is
 * never advertised, whatever the model or the command line says.
 *
 * The -cpu string is NAME[,+feat][,-feat][,feat=on|off][,vendor=STR]:
 * x86_cpu_config_parse() checks it (unknown model or feature: one error
 * line), x86_cpu_config_apply() writes the result into a CPU's env at
 * creation (cpu.c).  Both are pure functions of their arguments; callers
 * are the main thread (command-line checking, CPU creation) and unit tests.
 */
#ifndef TARGET_I386_CPU_MODELS_H
#define TARGET_I386_CPU_MODELS_H

#include "target/i386/cpu.h"
#include "util/error.h"

typedef struct X86FeatureInfo {
    const char *name;           /* QEMU's spelling */
    uint8_t word;               /* FEAT_* */
    uint8_t bit;
    bool implemented;           /* what it guards works here */
    const char *guards;         /* the instructions or state it announces */
} X86FeatureInfo;

extern const X86FeatureInfo x86_cpu_features[];
extern const size_t x86_cpu_nb_features;

typedef struct X86CpuModelInfo {
    const char *name;
    const char *vendor;         /* 12 characters */
    uint32_t family, model, stepping;
    uint32_t level, xlevel;
    const char *features;       /* space-separated names */
    const char *model_id;       /* brand string */
    const char *desc;           /* -cpu help */
} X86CpuModelInfo;

extern const X86CpuModelInfo x86_cpu_model_infos[];
extern const size_t x86_cpu_nb_models;

/* The resolved -cpu string. */
typedef struct X86CpuConfig {
    const X86CpuModelInfo *model;
    uint32_t vendor[3];
    uint32_t features[FEAT_WORDS];  /* after +/-, before filtering */
} X86CpuConfig;

/* The feature called name (aliases included), or NULL. */
const X86FeatureInfo *x86_feature_find(const char *name);
/* The model called name, or NULL. */
const X86CpuModelInfo *x86_cpu_model_info_find(const char *name);
/* Parses -cpu spec.  False with one error line in errp. */
bool x86_cpu_config_parse(const char *spec, X86CpuConfig *cfg, Error **errp);
/* MachineClass.cpu_check for x86 machines: parses, warns about requested
 * features that are not implemented (they are dropped). */
bool x86_cpu_spec_check(const char *spec, Error **errp);
/* Fills the CPUID fields of env from cfg, dropping unimplemented bits. */
void x86_cpu_config_apply(const X86CpuConfig *cfg, CPUX86State *env);
/* -cpu host under KVM (target/i386/kvm.c): env's vendor, family/model/
 * stepping, levels, brand string and feature words from
 * KVM_GET_SUPPORTED_CPUID.  Main thread, BQL, KVM initialised. */
bool x86_kvm_host_model(CPUX86State *env, Error **errp);
/* Implemented-feature mask of one feature word. */
uint32_t x86_feature_word_implemented(int word);

/* Features the translator checks, as (word << 8) | bit. */
#define X86_FEAT(word, bit) (((word) << 8) | (bit))
enum {
    X86_FEAT_CX8 = X86_FEAT(FEAT_1_EDX, 8),
    X86_FEAT_SEP = X86_FEAT(FEAT_1_EDX, 11),
    X86_FEAT_CMOV = X86_FEAT(FEAT_1_EDX, 15),
    X86_FEAT_CLFLUSH = X86_FEAT(FEAT_1_EDX, 19),
    X86_FEAT_CX16 = X86_FEAT(FEAT_1_ECX, 13),
    X86_FEAT_SSE42 = X86_FEAT(FEAT_1_ECX, 20),
    X86_FEAT_MOVBE = X86_FEAT(FEAT_1_ECX, 22),
    X86_FEAT_POPCNT = X86_FEAT(FEAT_1_ECX, 23),
    X86_FEAT_FSGSBASE = X86_FEAT(FEAT_7_0_EBX, 0),
    X86_FEAT_BMI1 = X86_FEAT(FEAT_7_0_EBX, 3),
    X86_FEAT_BMI2 = X86_FEAT(FEAT_7_0_EBX, 8),
    X86_FEAT_INVPCID = X86_FEAT(FEAT_7_0_EBX, 10),
    X86_FEAT_ADX = X86_FEAT(FEAT_7_0_EBX, 19),
    X86_FEAT_SMAP = X86_FEAT(FEAT_7_0_EBX, 20),
    X86_FEAT_RDPID = X86_FEAT(FEAT_7_0_ECX, 22),
    X86_FEAT_SYSCALL = X86_FEAT(FEAT_8000_0001_EDX, 11),
    X86_FEAT_RDTSCP = X86_FEAT(FEAT_8000_0001_EDX, 27),
    X86_FEAT_LM = X86_FEAT(FEAT_8000_0001_EDX, 29),
    X86_FEAT_LAHF_LM = X86_FEAT(FEAT_8000_0001_ECX, 0),
    X86_FEAT_ABM = X86_FEAT(FEAT_8000_0001_ECX, 5),
    X86_FEAT_3DNOWPREFETCH = X86_FEAT(FEAT_8000_0001_ECX, 8),
};

/* env->features test; any thread (const after creation). */
static inline bool x86_has_feature(const CPUX86State *env, int feat)
{
    return env->features[feat >> 8] & (1u << (feat & 31));
}

/* The vendor is AMD (some insns differ: SYSCALL in legacy mode, SYSENTER
 * in long mode). */
static inline bool x86_vendor_is_amd(const CPUX86State *env)
{
    return env->cpuid_vendor[0] == 0x68747541;     /* "Auth" */
}

#endif
