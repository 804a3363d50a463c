/*
 * test-x86-decode.c: the table-driven x86 decoder (target/i386/decode.c).
 *
 *   - known encodings decode to the right mnemonic, operand size, ModRM
 *     fields, addressing and length in 16-, 32- and 64-bit code, and
 *     invalid ones (i64 opcodes in 64-bit mode, LOCK on a register, D6,
 *     over-long insns) report #UD / #GP;
 *   - a length cross-check against capstone's x86 disassembler: thousands
 *     of random byte strings per mode; whenever our decoder accepts an
 *     insn, capstone must decode the same bytes to the same length.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "target/i386/cpu.h"
#include "target/i386/decode.h"

#include <capstone.h>

typedef struct Buf {
    const uint8_t *p;
    unsigned len;
} Buf;

static uint8_t fetch(void *opaque, unsigned off)
{
    Buf *b = opaque;

    g_assert_cmpuint(off, <, X86_MAX_INSN_LEN);
    return off < b->len ? b->p[off] : 0;
}

static int dec(X86Insn *in, X86CodeMode mode, const char *hex)
{
    uint8_t bytes[32];
    unsigned n = 0;
    Buf b;

    for (const char *c = hex; *c; ) {
        if (*c == ' ') {
            c++;
            continue;
        }
        bytes[n++] = (uint8_t)strtoul((char[]){ c[0], c[1], 0 }, NULL, 16);
        c += 2;
    }
    b = (Buf){ bytes, n };
    return x86_decode(in, mode, fetch, &b);
}

#define CHECK_OK(mode, hex, mn, length) do { \
        X86Insn in_; \
        g_assert_cmpint(dec(&in_, mode, hex), ==, X86_DECODE_OK); \
        g_assert_cmpstr(x86_mnemonic_names[in_.mnem], ==, #mn); \
        g_assert_cmpuint(in_.len, ==, length); \
    } while (0)

static void test_known_32(void)
{
    X86Insn in;

    CHECK_OK(X86_MODE_32, "01 d8", ADD, 2);
    CHECK_OK(X86_MODE_32, "8d 44 24 08", LEA, 4);
    g_assert_cmpint(dec(&in, X86_MODE_32, "8d 44 24 08"), ==, 0);
    g_assert_cmpint(in.base, ==, R_ESP);
    g_assert_cmpint(in.index, ==, -1);
    g_assert_cmpint(in.disp, ==, 8);
    g_assert_cmpint(in.reg, ==, R_EAX);
    CHECK_OK(X86_MODE_32, "c7 05 78 56 34 12 01 00 00 00", MOV, 10);
    g_assert_cmpint(dec(&in, X86_MODE_32, "c7 05 78 56 34 12 01 00 00 00"),
                    ==, 0);
    g_assert_cmpint(in.base, ==, -1);
    g_assert_cmphex(in.disp, ==, 0x12345678);
    g_assert_cmpint(in.imm, ==, 1);
    CHECK_OK(X86_MODE_32, "66 b8 34 12", MOV, 4);
    g_assert_cmpint(dec(&in, X86_MODE_32, "66 b8 34 12"), ==, 0);
    g_assert_cmpint(in.osize, ==, MO_16);
    g_assert_cmphex(in.imm, ==, 0x1234);
    CHECK_OK(X86_MODE_32, "f3 a5", MOVS, 2);
    CHECK_OK(X86_MODE_32, "0f b6 c0", MOVZX, 3);
    CHECK_OK(X86_MODE_32, "e8 fb ff ff ff", CALL, 5);
    g_assert_cmpint(dec(&in, X86_MODE_32, "e8 fb ff ff ff"), ==, 0);
    g_assert_cmpint(in.imm, ==, -5);
    CHECK_OK(X86_MODE_32, "f0 01 03", ADD, 3);
    CHECK_OK(X86_MODE_32, "83 e8 01", SUB, 3);
    CHECK_OK(X86_MODE_32, "f7 f1", DIV, 2);
    CHECK_OK(X86_MODE_32, "0f 94 c0", SETCC, 3);
    CHECK_OK(X86_MODE_32, "63 c8", ARPL, 2);
    CHECK_OK(X86_MODE_32, "90", NOP, 1);
    CHECK_OK(X86_MODE_32, "f3 90", PAUSE, 2);
    CHECK_OK(X86_MODE_32, "ea 00 00 10 00 08 00", JMPF, 7);
    CHECK_OK(X86_MODE_32, "0f 22 c0", MOVCR, 3);
    CHECK_OK(X86_MODE_32, "c8 10 00 00", ENTER, 4);
    g_assert_cmpint(dec(&in, X86_MODE_32, "f0 01 c3"), ==, X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_32, "f0 39 03"), ==, X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_32, "d6"), ==, X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_32, "8d c0"), ==, X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_32, "8e c8"), ==, X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_32, "0f 38 00 c0"), ==,
                    X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_32, "66 66 66 66 66 66 66 66 66 66 "
                        "66 66 66 66 66 90"), ==, X86_DECODE_TOO_LONG);
    g_assert_cmpint(in.len, ==, X86_MAX_INSN_LEN);
}

static void test_known_64(void)
{
    X86Insn in;

    CHECK_OK(X86_MODE_64, "48 89 e5", MOV, 3);
    g_assert_cmpint(dec(&in, X86_MODE_64, "48 89 e5"), ==, 0);
    g_assert_cmpint(in.osize, ==, MO_64);
    CHECK_OK(X86_MODE_64, "48 b8 88 77 66 55 44 33 22 11", MOV, 10);
    g_assert_cmpint(dec(&in, X86_MODE_64, "48 b8 88 77 66 55 44 33 22 11"),
                    ==, 0);
    g_assert_cmphex(in.imm, ==, 0x1122334455667788ull);
    CHECK_OK(X86_MODE_64, "8b 05 10 00 00 00", MOV, 6);
    g_assert_cmpint(dec(&in, X86_MODE_64, "8b 05 10 00 00 00"), ==, 0);
    g_assert_cmpint(in.base, ==, X86_RIP);
    CHECK_OK(X86_MODE_64, "41 50", PUSH, 2);
    g_assert_cmpint(dec(&in, X86_MODE_64, "41 50"), ==, 0);
    g_assert_cmpint(in.rm, ==, R_R8);
    g_assert_cmpint(in.osize, ==, MO_64);
    CHECK_OK(X86_MODE_64, "63 c8", MOVSXD, 2);
    CHECK_OK(X86_MODE_64, "4c 8b 44 8d f0", MOV, 5);
    g_assert_cmpint(dec(&in, X86_MODE_64, "4c 8b 44 8d f0"), ==, 0);
    g_assert_cmpint(in.reg, ==, R_R8);
    g_assert_cmpint(in.base, ==, R_EBP);
    g_assert_cmpint(in.index, ==, R_ECX);
    g_assert_cmpint(in.scale, ==, 2);
    g_assert_cmpint(in.disp, ==, -16);
    CHECK_OK(X86_MODE_64, "ff d0", CALL, 2);
    CHECK_OK(X86_MODE_64, "0f 05", SYSCALL, 2);
    /* REX followed by a legacy prefix is ignored. */
    g_assert_cmpint(dec(&in, X86_MODE_64, "48 66 89 c0"), ==, 0);
    g_assert_cmpint(in.osize, ==, MO_16);
    g_assert_cmpint(dec(&in, X86_MODE_64, "06"), ==, X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_64, "ea 00 00 00 00 08 00"), ==,
                    X86_DECODE_UD);
    /* SYSCALL outside 64-bit mode decodes (AMD runs it in legacy mode);
     * the translator's CPUID/vendor gate makes it #UD on Intel models. */
    CHECK_OK(X86_MODE_32, "0f 05", SYSCALL, 2);
}


/* 0F 38 / 0F 3A, mandatory prefixes, VEX (BMI1/BMI2), register-form
 * groups, and their #UD cases. */
static void test_ext_maps(void)
{
    X86Insn in;

    /* MOVBE (none or 66), CRC32 (F2, 66 F2), ADCX (66), ADOX (F3) */
    CHECK_OK(X86_MODE_64, "0f 38 f0 07", MOVBE, 4);
    CHECK_OK(X86_MODE_64, "66 0f 38 f1 07", MOVBE, 5);
    g_assert_cmpint(dec(&in, X86_MODE_64, "66 0f 38 f1 07"), ==, 0);
    g_assert_cmpint(in.osize, ==, MO_16);
    g_assert_cmpint(dec(&in, X86_MODE_64, "0f 38 f0 c0"), ==,
                    X86_DECODE_UD);                 /* MOVBE needs memory */
    CHECK_OK(X86_MODE_32, "f2 0f 38 f0 c1", CRC32, 5);
    CHECK_OK(X86_MODE_64, "f2 48 0f 38 f1 c1", CRC32, 6);
    g_assert_cmpint(dec(&in, X86_MODE_64, "66 f2 0f 38 f1 c1"), ==, 0);
    g_assert_cmpint(in.mnem, ==, X86_CRC32);
    g_assert_cmpint(in.osize, ==, MO_16);       /* r32, r/m16 */
    CHECK_OK(X86_MODE_64, "66 0f 38 f6 c1", ADCX, 5);
    CHECK_OK(X86_MODE_64, "f3 48 0f 38 f6 c1", ADOX, 6);
    g_assert_cmpint(dec(&in, X86_MODE_64, "0f 38 f6 c1"), ==,
                    X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_64, "0f 38 00 c1"), ==,
                    X86_DECODE_UD);             /* PSHUFB: not here yet */
    g_assert_cmpint(dec(&in, X86_MODE_64, "f0 0f 38 f1 07"), ==,
                    X86_DECODE_UD);             /* LOCK MOVBE */
    CHECK_OK(X86_MODE_64, "66 0f 38 82 08", INVPCID, 5);

    /* POPCNT/TZCNT/LZCNT need F3; without it: JMPE (#UD), BSF, BSR */
    CHECK_OK(X86_MODE_32, "f3 0f b8 c1", POPCNT, 4);
    g_assert_cmpint(dec(&in, X86_MODE_32, "0f b8 c1"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_32, "f3 0f bc c1", TZCNT, 4);
    CHECK_OK(X86_MODE_32, "0f bc c1", BSF, 3);
    CHECK_OK(X86_MODE_32, "66 0f bd c1", BSR, 4);
    CHECK_OK(X86_MODE_64, "f3 48 0f bd c1", LZCNT, 5);

    /* VEX: ANDN eax, ecx, ecx (C4, L = 0); L = 1 is #UD */
    CHECK_OK(X86_MODE_32, "c4 e2 70 f2 c1", ANDN, 5);
    g_assert_cmpint(dec(&in, X86_MODE_32, "c4 e2 70 f2 c1"), ==, 0);
    g_assert_cmpint(in.vex_v, ==, R_ECX);
    g_assert_cmpint(in.prefixes & X86P_VEX, !=, 0);
    g_assert_cmpint(dec(&in, X86_MODE_32, "c4 e2 74 f2 c1"), ==,
                    X86_DECODE_UD);
    /* VEX.W = 1 in 64-bit mode: 64-bit operands; vvvv = r9 */
    g_assert_cmpint(dec(&in, X86_MODE_64, "c4 e2 b0 f2 c1"), ==, 0);
    g_assert_cmpint(in.osize, ==, MO_64);
    g_assert_cmpint(in.vex_v, ==, 9);
    /* C4 with ModRM.mod != 3 outside 64-bit mode is LES */
    CHECK_OK(X86_MODE_32, "c4 07", LES, 2);
    CHECK_OK(X86_MODE_16, "c5 07", LDS, 2);
    /* VEX after 66/F2/F3/REX/LOCK, or with a reserved map: #UD */
    g_assert_cmpint(dec(&in, X86_MODE_64, "66 c4 e2 70 f2 c1"), ==,
                    X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_64, "48 c4 e2 70 f2 c1"), ==,
                    X86_DECODE_UD);
    g_assert_cmpint(dec(&in, X86_MODE_64, "c4 e4 70 f2 c1"), ==,
                    X86_DECODE_UD);
    /* the group at VEX 0F38 F3: BLSR /1, BLSMSK /2, BLSI /3 */
    CHECK_OK(X86_MODE_64, "c4 e2 78 f3 c9", BLSR, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 78 f3 d1", BLSMSK, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 78 f3 d9", BLSI, 5);
    g_assert_cmpint(dec(&in, X86_MODE_64, "c4 e2 78 f3 c1"), ==,
                    X86_DECODE_UD);
    /* VEX.pp selects: F7 BEXTR/SHLX/SARX/SHRX, F5 BZHI/PEXT/PDEP */
    CHECK_OK(X86_MODE_64, "c4 e2 70 f7 c1", BEXTR, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 71 f7 c1", SHLX, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 72 f7 c1", SARX, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 73 f7 c1", SHRX, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 70 f5 c1", BZHI, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 72 f5 c1", PEXT, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 73 f5 c1", PDEP, 5);
    CHECK_OK(X86_MODE_64, "c4 e2 f3 f6 c1", MULX, 5);
    g_assert_cmpint(dec(&in, X86_MODE_64, "c4 e2 71 f5 c1"), ==,
                    X86_DECODE_UD);
    /* RORX: VEX 0F3A F0, an immediate; vvvv must be 1111b */
    CHECK_OK(X86_MODE_64, "c4 e3 7b f0 c1 05", RORX, 6);
    g_assert_cmpint(dec(&in, X86_MODE_64, "c4 e3 73 f0 c1 05"), ==,
                    X86_DECODE_UD);
    /* the two-byte VEX (C5) has map 0F only: nothing general-purpose */
    g_assert_cmpint(dec(&in, X86_MODE_64, "c5 f8 77"), ==, X86_DECODE_UD);

    /* 0F 01 register forms, 0F AE, 0F C7 */
    CHECK_OK(X86_MODE_32, "0f 01 f9", RDTSCP, 3);
    CHECK_OK(X86_MODE_64, "0f 01 f8", SWAPGS, 3);
    g_assert_cmpint(dec(&in, X86_MODE_32, "0f 01 f8"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_32, "0f 01 cb", STAC, 3);
    CHECK_OK(X86_MODE_32, "0f 01 ca", CLAC, 3);
    CHECK_OK(X86_MODE_32, "0f 01 e0", SMSW, 3);
    CHECK_OK(X86_MODE_32, "0f 01 f0", LMSW, 3);
    CHECK_OK(X86_MODE_32, "0f 01 10", LGDT, 3);
    CHECK_OK(X86_MODE_64, "f3 0f c7 f8", RDPID, 4);
    g_assert_cmpint(dec(&in, X86_MODE_64, "0f c7 f8"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_32, "f0 0f c7 0f", CMPXCHG8B, 4);
    g_assert_cmpint(dec(&in, X86_MODE_64, "48 0f c7 0f"), ==, 0);
    g_assert_cmpint(in.osize, ==, MO_64);       /* CMPXCHG16B */
    g_assert_cmpint(dec(&in, X86_MODE_32, "0f c7 c8"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_64, "f3 48 0f ae c0", RDFSBASE, 5);
    CHECK_OK(X86_MODE_64, "f3 0f ae d8", WRGSBASE, 4);
    CHECK_OK(X86_MODE_32, "0f ae f0", MFENCE, 3);
    CHECK_OK(X86_MODE_32, "0f ae 38", CLFLUSH, 3);
    CHECK_OK(X86_MODE_32, "0f 0d 08", PREFETCHW, 3);
    g_assert_cmpint(dec(&in, X86_MODE_32, "0f 0d c8"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_64, "f3 0f 1e fa", NOP, 4);   /* ENDBR64 */
    /* BCD, BOUND, ARPL: i64 */
    CHECK_OK(X86_MODE_32, "d4 0a", AAM, 2);
    g_assert_cmpint(dec(&in, X86_MODE_64, "d4 0a"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_32, "62 07", BOUND, 2);
    g_assert_cmpint(dec(&in, X86_MODE_32, "62 c7"), ==, X86_DECODE_UD);
    CHECK_OK(X86_MODE_32, "63 d8", ARPL, 2);
    CHECK_OK(X86_MODE_64, "48 63 d8", MOVSXD, 3);
}

static void test_known_16(void)
{
    X86Insn in;

    CHECK_OK(X86_MODE_16, "8b 46 02", MOV, 3);
    g_assert_cmpint(dec(&in, X86_MODE_16, "8b 46 02"), ==, 0);
    g_assert_cmpint(in.base, ==, R_EBP);
    g_assert_cmpint(in.osize, ==, MO_16);
    CHECK_OK(X86_MODE_16, "8b 36 34 12", MOV, 4);
    g_assert_cmpint(dec(&in, X86_MODE_16, "8b 36 34 12"), ==, 0);
    g_assert_cmpint(in.base, ==, -1);
    g_assert_cmphex(in.disp, ==, 0x1234);
    CHECK_OK(X86_MODE_16, "66 b8 78 56 34 12", MOV, 6);
    CHECK_OK(X86_MODE_16, "ea f0 ff 00 f0", JMPF, 5);
    CHECK_OK(X86_MODE_16, "67 8b 04 24", MOV, 4);
}

static void cross_check(X86CodeMode mode, cs_mode csm, unsigned n_cases)
{
    csh h;
    cs_insn *ci;
    GRand *r = g_rand_new_with_seed(0x86dec + mode);
    unsigned agree = 0, ours = 0, mismatch = 0;

    g_assert_cmpint(cs_open(CS_ARCH_X86, csm, &h), ==, CS_ERR_OK);
    for (unsigned k = 0; k < n_cases; k++) {
        uint8_t bytes[16];
        Buf b = { bytes, sizeof(bytes) };
        X86Insn in;
        size_t cnt;

        for (unsigned i = 0; i < sizeof(bytes); i++) {
            bytes[i] = g_rand_int(r);
        }
        /* Bias towards prefixes and the 0F map now and then. */
        if (g_rand_int_range(r, 0, 4) == 0) {
            static const uint8_t pfx[] = { 0x66, 0x67, 0xf3, 0xf2, 0xf0,
                                           0x2e, 0x64, 0x0f, 0x48, 0x41 };

            bytes[0] = pfx[g_rand_int_range(r, 0, sizeof(pfx))];
        }
        if (x86_decode(&in, mode, fetch, &b) != X86_DECODE_OK) {
            continue;
        }
        if (in.mnem == X86_X87 || in.mnem == X86_UD0 || in.mnem == X86_UD1) {
            /* x87: decoded for length only.  UD0/UD1 (0F FF, 0F B9): the SDM gives them
             * a ModRM byte, capstone decodes them as two bytes; all #UD. */
            continue;
        }
        if (mode == X86_MODE_64 && (in.prefixes & X86P_OPSIZE) &&
            (in.e->flags & X86F_F64)) {
            /* 66 on a near branch in 64-bit mode: Intel ignores it (rel32,
             * what we do), AMD and capstone take a rel16. */
            continue;
        }
        ours++;
        cnt = cs_disasm(h, bytes, sizeof(bytes), 0x1000, 1, &ci);
        if (cnt == 1) {
            if (ci[0].size == in.len) {
                agree++;
            } else if (mismatch++ < 10) {
                g_test_message("mode %d: %02x %02x %02x %02x %02x %02x: ours "
                               "%s len %u, capstone %s %s len %u", mode,
                               bytes[0], bytes[1], bytes[2], bytes[3],
                               bytes[4], bytes[5],
                               x86_mnemonic_names[in.mnem], in.len,
                               ci[0].mnemonic, ci[0].op_str, ci[0].size);
            }
            cs_free(ci, cnt);
        }
    }
    cs_close(&h);
    g_rand_free(r);
    g_test_message("mode %d: %u accepted by us, %u same length as capstone,"
                   " %u differ", mode, ours, agree, mismatch);
    g_assert_cmpuint(ours, >, n_cases / 4);
    g_assert_cmpuint(mismatch, ==, 0);
}

static void test_capstone_16(void)
{
    cross_check(X86_MODE_16, CS_MODE_16, 20000);
}

static void test_capstone_32(void)
{
    cross_check(X86_MODE_32, CS_MODE_32, 20000);
}

static void test_capstone_64(void)
{
    cross_check(X86_MODE_64, CS_MODE_64, 20000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/decode/known-32", test_known_32);
    g_test_add_func("/x86/decode/known-64", test_known_64);
    g_test_add_func("/x86/decode/known-16", test_known_16);
    g_test_add_func("/x86/decode/ext-maps", test_ext_maps);
    g_test_add_func("/x86/decode/capstone-16", test_capstone_16);
    g_test_add_func("/x86/decode/capstone-32", test_capstone_32);
    g_test_add_func("/x86/decode/capstone-64", test_capstone_64);
    return g_test_run();
}
