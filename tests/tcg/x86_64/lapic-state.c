/*
 * lapic-state.c: programs the local APIC with recognisable values and
 * reads them back; then the guest ends (through isa-debug-exit, or, when
 * the runner leaves that device out, halted with the values in place).
 *
 * Besides the read-back checks here, tests/kvm/kvm-guests.t runs it
 * without isa-debug-exit under -accel kvm, stops it through the gdbstub
 * and checks that "monitor info lapic" shows these values: the in-kernel
 * LAPIC's state reaches the LAPIC model (docs/devel/kvm.md).  The values
 * (keep in step with kvm-guests.t):
 *   TPR 0x20, SVR 0x1f7, TDCR 0x3 (divide by 16), TMICT 0,
 *   LVT timer 0x0001005a (masked, one-shot, vector 0x5a),
 *   LVT LINT0 0x00010000 (masked), LVT LINT1 0x00000400 (NMI),
 *   LVT error 0x0001005b (masked, vector 0x5b).
 */
#include "apic-guest.h"

static const struct {
    uint32_t reg, val;
    const char *name;
} values[] = {
    { LAPIC_SVR, 0x1f7, "SVR" },
    { LAPIC_TPR, 0x20, "TPR" },
    { LAPIC_TDCR, 0x3, "TDCR" },
    { LAPIC_LVT_TIMER, 0x1005a, "LVT timer" },
    { LAPIC_LVT_LINT0, 0x10000, "LVT LINT0" },
    { LAPIC_LVT_LINT1, 0x400, "LVT LINT1" },
    { LAPIC_LVT_ERROR, 0x1005b, "LVT error" },
};

int main(uint32_t magic, uint32_t info)
{
    (void)magic;
    (void)info;
    tap_plan(sizeof(values) / sizeof(values[0]));
    for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        lapic_write(values[i].reg, values[i].val);
    }
    for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        uint32_t v = lapic_read(values[i].reg);

        tap_ok(v == values[i].val, "%s reads back 0x%x (wrote 0x%x)",
               values[i].name, v, values[i].val);
    }
    return 0;
}
