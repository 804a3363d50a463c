/*
 * rot-flags.c: ROL/ROR by an immediate right after a logic op, the case
 * where tandem computes ZF/SF/PF inline from the logic result instead of
 * calling the flags evaluator (target/i386/translate.c, gen_flags_but_co),
 * with and without a memory load between the rotate and the read of
 * EFLAGS (the load forces the flags into env).  For every operand size and
 * a few counts, 300 pseudo-random operand pairs; the expected result and
 * flags come from plain C shifts and masks (no rotate, no flags).  OF is
 * compared for a count of 1 only and AF not at all (undefined there).
 * Built 32- and 64-bit.
 */
#include "runtime.h"

#define FL_CF 0x001
#define FL_PF 0x004
#define FL_ZF 0x040
#define FL_SF 0x080
#define FL_OF 0x800

static uint64_t seed = 12345;

static uint64_t rnd(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 11 ^ seed << 29;
}

static uint32_t expect_flags(uint64_t t, uint64_t res, int bits, bool left,
                             int count)
{
    uint64_t sign = 1ull << (bits - 1);
    uint32_t f = 0;
    int ones = 0;

    for (int i = 0; i < 8; i++) {
        ones += (t >> i) & 1;
    }
    f |= t == 0 ? FL_ZF : 0;
    f |= t & sign ? FL_SF : 0;
    f |= ones % 2 == 0 ? FL_PF : 0;
    if (left) {
        f |= res & 1 ? FL_CF : 0;
        if (count == 1 && (!!(res & sign) ^ (res & 1))) {
            f |= FL_OF;
        }
    } else {
        f |= res & sign ? FL_CF : 0;
        if (count == 1 && (!!(res & sign) ^ !!(res & (sign >> 1)))) {
            f |= FL_OF;
        }
    }
    return f;
}

static volatile uintptr_t cell = 0x5a5a;

/* and; rol/ror $N; [load]; pushf: the asm for one size, count, direction. */
#define ROT_CASE(name, type, suffix, insn, n, load)                        \
static void name(uint64_t a, uint64_t b, uint64_t *res, uint32_t *fl)    \
{                                                                          \
    type x = (type)a, y = (type)b;                                         \
    uintptr_t f, dummy;                                                    \
    if (load) {                                                            \
        __asm__ volatile("and" suffix " %[y], %[x]\n\t"                    \
                         insn suffix " $" #n ", %[x]\n\t"                  \
                         "mov %[cell], %[d]\n\t"                           \
                         "pushf\n\tpop %[f]"                               \
                         : [x] "+r"(x), [f] "=r"(f), [d] "=r"(dummy)       \
                         : [y] "r"(y), [cell] "m"(cell) : "cc");           \
    } else {                                                               \
        __asm__ volatile("and" suffix " %[y], %[x]\n\t"                    \
                         insn suffix " $" #n ", %[x]\n\t"                  \
                         "pushf\n\tpop %[f]"                               \
                         : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y) : "cc");  \
        (void)dummy;                                                       \
    }                                                                      \
    *res = x;                                                              \
    *fl = (uint32_t)f;                                                     \
}

ROT_CASE(rolb1, uint8_t, "b", "rol", 1, false)
ROT_CASE(rorb3, uint8_t, "b", "ror", 3, true)
ROT_CASE(rolw1, uint16_t, "w", "rol", 1, true)
ROT_CASE(rorw9, uint16_t, "w", "ror", 9, false)
ROT_CASE(roll1, uint32_t, "l", "rol", 1, true)
ROT_CASE(rorl1, uint32_t, "l", "ror", 1, false)
ROT_CASE(roll14, uint32_t, "l", "rol", 14, true)
ROT_CASE(rorl7, uint32_t, "l", "ror", 7, false)
#ifdef __x86_64__
ROT_CASE(rolq1, uint64_t, "q", "rol", 1, false)
ROT_CASE(rorq1, uint64_t, "q", "ror", 1, true)
ROT_CASE(rolq13, uint64_t, "q", "rol", 13, false)
ROT_CASE(rorq61, uint64_t, "q", "ror", 61, true)
#endif

typedef void RotFn(uint64_t a, uint64_t b, uint64_t *res, uint32_t *fl);

typedef struct RotCase {
    const char *name;
    RotFn *fn;
    int bits, count;
    bool left, load;
} RotCase;

static const RotCase cases[] = {
    { "and; rolb $1", rolb1, 8, 1, true, false },
    { "and; rorb $3; load", rorb3, 8, 3, false, true },
    { "and; rolw $1; load", rolw1, 16, 1, true, true },
    { "and; rorw $9", rorw9, 16, 9, false, false },
    { "and; roll $1; load", roll1, 32, 1, true, true },
    { "and; rorl $1", rorl1, 32, 1, false, false },
    { "and; roll $14; load", roll14, 32, 14, true, true },
    { "and; rorl $7", rorl7, 32, 7, false, false },
#ifdef __x86_64__
    { "and; rolq $1", rolq1, 64, 1, true, false },
    { "and; rorq $1; load", rorq1, 64, 1, false, true },
    { "and; rolq $13", rolq13, 64, 13, true, false },
    { "and; rorq $61; load", rorq61, 64, 61, false, true },
#endif
};

int main(uint32_t magic, uint32_t info)
{
    int n = sizeof(cases) / sizeof(cases[0]);

    tap_plan(n);
    for (int k = 0; k < n; k++) {
        const RotCase *c = &cases[k];
        uint64_t mask = c->bits == 64 ? ~0ull : (1ull << c->bits) - 1;
        uint32_t cmp = FL_CF | FL_PF | FL_ZF | FL_SF | (c->count == 1 ? FL_OF : 0);
        int bad = 0;
        uint64_t bad_a = 0, bad_b = 0;

        for (int i = 0; i < 300; i++) {
            uint64_t a = rnd(), b = i % 7 == 0 ? 0 : rnd() | rnd();
            uint64_t t = a & b & mask, res, want;
            uint32_t fl;
            int r = c->left ? c->count : c->bits - c->count;

            want = ((t << r) | (t >> (c->bits - r))) & mask;
            c->fn(a, b, &res, &fl);
            if ((res & mask) != want ||
                (fl & cmp) != (expect_flags(t, want, c->bits, c->left,
                                            c->count) & cmp)) {
                if (!bad++) {
                    bad_a = a;
                    bad_b = b;
                }
            }
        }
        tap_ok(!bad, "%s: 300 operand pairs (%d wrong, first a=%llx b=%llx)",
               c->name, bad, (unsigned long long)bad_a,
               (unsigned long long)bad_b);
    }
    return 0;
}
