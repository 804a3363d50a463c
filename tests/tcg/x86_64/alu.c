/*
 * alu.c: the integer instruction test.  Runs every case of alu-table.h
 * (generated on the build host by gen-alu.c from the same executors in
 * alu-ops.h) and compares result, second result and the SDM-defined flags
 * with what the host CPU produced.  One TAP line per instruction; the
 * first few mismatches of each are printed as diagnostics.  The 32-bit
 * build runs the 32-bit and narrower ops, the string ops and BCD; the
 * 64-bit build also runs the 64-bit ops.  Ops that need a CPUID feature
 * run only when the guest's CPU model advertises it (run-guests.t runs
 * this guest with -cpu max) and the build host had it (alu_skip_reason).
 *
 * run-guests: -cpu max
 *
 * QEMU 7.2 (the reference) leaves CF clear after BLSI with a non-zero
 * source; the SDM and the host CPU set it:
 * reference-xfail: blsi32 blsi64
 */
#include "runtime.h"
#include "alu-ops.h"
#include "alu-table.h"

#define NR_CASES ((int)(sizeof(alu_cases) / sizeof(alu_cases[0])))

_Static_assert(ALU_TABLE_NR_OPS >= ALU_NR_OPS,
               "alu-table.h is older than alu-ops.h");

/* LAHF/SAHF exist in 64-bit mode only when CPUID.80000001H:ECX[0] says
 * so (SDM Vol 2, LAHF); other ops name their feature in alu_ops[].need.
 * Returns NULL, or why the op is skipped. */
static const char *op_skip_reason(int opno)
{
    const AluOpDesc *op = &alu_ops[opno];
    uint32_t r[4];

    if (!op->exec) {
        return "invalid in 64-bit mode";
    }
    if (alu_skip_reason[opno]) {
        return alu_skip_reason[opno];
    }
    if (op->need && !alu_cpu_has(op->need)) {
        return "the CPU model lacks it (CPUID)";
    }
    if (sizeof(void *) == 4 ||
        (strcmp(op->name, "lahf") != 0 && strcmp(op->name, "sahf") != 0)) {
        return NULL;
    }
    cpuid(0x80000000, 0, r);
    if (r[0] < 0x80000001) {
        return "the CPU model lacks it (CPUID)";
    }
    cpuid(0x80000001, 0, r);
    return (r[2] & 1) ? NULL : "the CPU model lacks it (CPUID)";
}

int main(uint32_t magic, uint32_t info)
{
    int total = 0;

    tap_plan(ALU_NR_OPS);
    for (int op = 0; op < ALU_NR_OPS; op++) {
        const char *why = op_skip_reason(op);
        int n = 0, bad = 0;

        if (why) {
            tap_skip(why, "%s", alu_ops[op].name);
            continue;
        }

        for (int i = 0; i < NR_CASES; i++) {
            const AluCase *k = &alu_cases[i];
            uintptr_t fl = k->flags_in;
            uint64_t r2, r;
            bool good;

            if (k->op != op) {
                continue;
            }
            n++;
            r = alu_ops[op].exec(k->a, k->b, k->c, &fl, &r2);
            good = (fl & k->flags_mask) == k->flags_out &&
                   (!k->res_defined || (r == k->res && r2 == k->r2));
            if (!good && bad++ < 3) {
                tap_diag("%s a=%llx b=%llx c=%llx flags_in=%x: got %llx:%llx "
                         "flags %x, want %llx:%llx flags %x (mask %x)",
                         alu_ops[op].name, (unsigned long long)k->a,
                         (unsigned long long)k->b, (unsigned long long)k->c,
                         k->flags_in, (unsigned long long)r,
                         (unsigned long long)r2,
                         (unsigned)(fl & k->flags_mask),
                         (unsigned long long)k->res,
                         (unsigned long long)k->r2, k->flags_out,
                         k->flags_mask);
            }
        }
        total += n;
        tap_ok(n > 0 && bad == 0, "%s: %d cases%s", alu_ops[op].name, n,
               bad ? ", mismatches" : "");
    }
    printf("# %d cases in all\n", total);
    return 0;
}
