/*
 * apic_helper.c: the x86 vCPU's way into its local APIC (hw/intc/apic.c)
 * from helpers: IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs
 * 0x800-0x8ff, and CR8 (the TPR's upper nibble).
 *
 * The helpers run on the vCPU's own thread without the BQL; all LAPIC
 * state is under the BQL, so each access here is one named BQL section
 * (cause "device:apic") around one call into the LAPIC.  A vCPU without
 * a LAPIC (unit tests) keeps using the plain env fields in misc_helper.c.
 */
#include "target/i386/helper.h"
#include "hw/intc/apic.h"
#include "system/bql.h"

#define MSR_APIC_BASE       0x1b
#define MSR_TSC_DEADLINE    0x6e0

static BqlStat *apic_bql_cause(void)
{
    static BqlStat *cause;

    if (!__atomic_load_n(&cause, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&cause, bql_stat("device:apic"), __ATOMIC_RELEASE);
    }
    return cause;
}

static bool x86_is_apic_msr(uint32_t msr)
{
    return msr == MSR_APIC_BASE || msr == MSR_TSC_DEADLINE ||
           (msr >= 0x800 && msr <= 0x8ff);
}

/* Returns -1 if msr is not the LAPIC's (or there is none), else 1 for
 * done, 0 for #GP.  vCPU thread, no BQL held. */
int x86_apic_msr_access(CPUX86State *env, uint32_t msr, uint64_t *val,
                        bool write)
{
    X86CPU *cpu = env_x86_cpu(env);
    APICState *s = cpu->apic;
    uint64_t tsc = 0;
    bool ok = true;

    if (!s || !x86_is_apic_msr(msr)) {
        return -1;
    }
    if (msr == MSR_TSC_DEADLINE && write) {
        tsc = x86_read_tsc(env);
    }
    bql_lock(apic_bql_cause());
    switch (msr) {
    case MSR_APIC_BASE:
        if (write) {
            ok = apic_set_base(s, *val);
        } else {
            *val = apic_get_base(s);
        }
        break;
    case MSR_TSC_DEADLINE:
        if (write) {
            apic_set_tsc_deadline(s, *val, tsc);
        } else {
            *val = apic_get_tsc_deadline(s);
        }
        break;
    default:
        ok = write ? apic_msr_write(s, msr, *val) : apic_msr_read(s, msr, val);
        break;
    }
    bql_unlock();
    return ok;
}

/* CR8 through the LAPIC's TPR; -1 without a LAPIC.  vCPU thread, no BQL
 * held. */
int x86_apic_read_cr8(CPUX86State *env)
{
    APICState *s = env_x86_cpu(env)->apic;
    int v;

    if (!s) {
        return -1;
    }
    bql_lock(apic_bql_cause());
    v = apic_get_cr8(s);
    bql_unlock();
    return v;
}

bool x86_apic_write_cr8(CPUX86State *env, uint64_t val)
{
    APICState *s = env_x86_cpu(env)->apic;

    if (!s) {
        return false;
    }
    bql_lock(apic_bql_cause());
    apic_set_cr8(s, val);
    bql_unlock();
    return true;
}
