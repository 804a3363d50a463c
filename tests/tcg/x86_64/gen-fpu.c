/*
 * gen-fpu.c: a HOST program that writes fpu-table.h, the expected results
 * of the FPU guest test (fpu.c): for every op of fpu-ops.h and every case,
 * it builds the inputs with fpu_case_inputs(), runs the executor natively
 * on this machine and prints the FNV hash of the results.  The build runs
 * it once ($(BUILD)/tests/tcg/x86_64/fpu-table.h).
 *
 * AES-NI ops use a reference implementation here when the host lacks
 * AES-NI (FPU_TABLE_AES_REF, which the guest reports in a TAP comment).
 *
 *     gen-fpu > fpu-table.h
 *     gen-fpu dump OPNAME CASE     prints one case in full (debugging)
 *     GEN_FPU_AES_REF=1 gen-fpu    forces the AES reference
 */
#define FPU_HOST
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cpuid.h>
#include "fpu-ops.h"

/*
 * A test-side AES for build hosts without AES-NI (or GEN_FPU_AES_REF=1,
 * to check it against the hardware): written from FIPS-197 independently
 * of target/i386/aes.c, with the S-box from exp/log tables of the
 * generator {03} and the affine map bit by bit (5.1.1, equation 5.1).
 */
static uint8_t ref_sbox[256], ref_isbox[256];

static uint8_t ref_xtime(uint8_t v)
{
    return (uint8_t)((v << 1) ^ (v & 0x80 ? 0x1b : 0));
}

static uint8_t ref_mul(uint8_t a, uint8_t b)
{
    static uint8_t ex[255], lg[256];
    static bool init;

    if (!init) {
        uint8_t p = 1;

        for (int i = 0; i < 255; i++) {
            ex[i] = p;
            lg[p] = (uint8_t)i;
            p ^= ref_xtime(p);                  /* times {03} */
        }
        init = true;
    }
    return a && b ? ex[(lg[a] + lg[b]) % 255] : 0;
}

static void ref_init(void)
{
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0, out = 0;

        for (int y = 1; x && y < 256 && !inv; y++) {
            inv = ref_mul((uint8_t)x, (uint8_t)y) == 1 ? (uint8_t)y : 0;
        }
        for (int i = 0; i < 8; i++) {
            int bit = ((inv >> i) ^ (inv >> ((i + 4) % 8)) ^
                       (inv >> ((i + 5) % 8)) ^ (inv >> ((i + 6) % 8)) ^
                       (inv >> ((i + 7) % 8)) ^ (0x63 >> i)) & 1;

            out |= (uint8_t)(bit << i);
        }
        ref_sbox[x] = out;
        ref_isbox[out] = (uint8_t)x;
    }
}

/* One AES op on xmm0 = a, source b (register or memory alike). */
static void ref_aes(const char *name, const FpuIn *in, FpuOut *o)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 }, inv[4] = { 14, 11, 13, 9 };
    uint8_t st[16], t[16];
    bool enc = !strncmp(name, "aesenc", 6), dec = !strncmp(name, "aesdec", 6);
    bool last = strstr(name, "last") != NULL;

    memcpy(st, in->a, 16);
    if (!strncmp(name, "aeskeygenassist", 15)) {
        unsigned rcon = (unsigned)strtoul(name + 16, NULL, 16);

        for (int w = 0; w < 4; w++) {
            const uint8_t *x = in->b + 4 * (w < 2 ? 1 : 3);
            uint8_t sub[4];

            for (int k = 0; k < 4; k++) {
                sub[k] = ref_sbox[x[k]];
            }
            for (int k = 0; k < 4; k++) {       /* RotWord on odd words */
                st[4 * w + k] = (w & 1) ? sub[(k + 1) % 4] : sub[k];
            }
            if (w & 1) {
                st[4 * w] ^= (uint8_t)rcon;
            }
        }
    } else {
        const uint8_t *mix = fwd;

        if (enc || dec) {
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    int from = enc ? (c + r) % 4 : (c + 4 - r) % 4;
                    uint8_t v = st[r + 4 * from];

                    t[r + 4 * c] = enc ? ref_sbox[v] : ref_isbox[v];
                }
            }
            memcpy(st, t, 16);
            mix = enc ? fwd : inv;
        } else {                                /* AESIMC */
            memcpy(st, in->b, 16);
            mix = inv;
        }
        if (!last) {
            for (int c = 0; c < 4; c++) {
                for (int r = 0; r < 4; r++) {
                    t[r + 4 * c] = 0;
                    for (int k = 0; k < 4; k++) {
                        t[r + 4 * c] ^= ref_mul(mix[k],
                                                st[(r + k) % 4 + 4 * c]);
                    }
                }
            }
            memcpy(st, t, 16);
        }
        if (enc || dec) {
            for (int i = 0; i < 16; i++) {
                st[i] ^= in->b[i];
            }
        }
    }
    memcpy(o->r, st, 16);
    o->st = in->ctl;                /* MXCSR: AES raises no flags */
}

static bool host_aes(void)
{
    unsigned a, b, c, dx;

    __cpuid(1, a, b, c, dx);
    (void)a;
    (void)b;
    (void)dx;
    return (c & (1u << 25)) && !getenv("GEN_FPU_AES_REF");
}

/* Runs case in of op: natively, or AES with the reference above. */
static void run_case(int op, const FpuIn *in, FpuOut *o)
{
    if ((fpu_ops[op].flags & FPU_AES) && !host_aes()) {
        ref_aes(fpu_ops[op].name, in, o);
    } else {
        fpu_ops[op].exec(in, o);
    }
}

/* True if this build host can run the op (its CPUID feature; AES always,
 * with the reference when the host lacks it). */
static bool host_has(const FpuOpDesc *d)
{
    unsigned a, b, c, dx;

    __cpuid(1, a, b, c, dx);
    (void)a;
    (void)b;
    (void)dx;
    return !(((d->flags & FPU_SSE3) && !(c & (1u << 0))) ||
             ((d->flags & FPU_SSSE3) && !(c & (1u << 9))) ||
             ((d->flags & FPU_SSE4) && !(c & (1u << 19))) ||
             ((d->flags & FPU_SSE42) && !(c & (1u << 20))) ||
             ((d->flags & FPU_PCLMUL) && !(c & (1u << 1))));
}

/* Cases per op: more for floating point, where the special values are;
 * none for an op the build host cannot run (the guest skips it). */
static int fpu_nr_cases(const FpuOpDesc *d)
{
    if (!host_has(d)) {
        return 0;
    }
    if (d->flags & FPU_AES) {
        return 4000;
    }
    return d->in == FPU_IN_INT || d->in == FPU_IN_STR ? 500 : 2000;
}

static void dump(const char *name, int i)
{
    for (int op = 0; op < FPU_NR_OPS; op++) {
        FpuIn in;
        FpuOut o;

        if (strcmp(fpu_ops[op].name, name)) {
            continue;
        }
        memset(&o, 0, sizeof(o));
        fpu_case_inputs(op, i, &in);
        run_case(op, &in, &o);
        printf("%s case %d ctl %#x c %#llx\n  a:", name, i, in.ctl,
               (unsigned long long)in.c);
        for (int k = 31; k >= 0; k--) {
            printf("%02x%s", in.a[k], k % 8 ? "" : " ");
        }
        printf("\n  b:");
        for (int k = 31; k >= 0; k--) {
            printf("%02x%s", in.b[k], k % 8 ? "" : " ");
        }
        printf("\n  r:");
        for (int k = 31; k >= 0; k--) {
            printf("%02x%s", o.r[k], k % 8 ? "" : " ");
        }
        printf("\n  st %#x (mask %#x) fl %#x hash %08x\n", o.st,
               fpu_st_mask(&fpu_ops[op]), o.fl, fpu_hash(&fpu_ops[op], &o));
        return;
    }
    fprintf(stderr, "no op %s\n", name);
    exit(1);
}

int main(int argc, char **argv)
{
    int start = 1;          /* fpu_expect[0] keeps the array non-empty */

    ref_init();
    if (argc == 4 && !strcmp(argv[1], "dump")) {
        dump(argv[2], atoi(argv[3]));
        return 0;
    }
    printf("/* fpu-table.h: generated by gen-fpu by running every case on "
           "the build host.\n * Do not edit. */\n");
    printf("#define FPU_TABLE_NR_OPS %d\n", FPU_NR_OPS);
    printf("#define FPU_TABLE_AES_REF %d\n", !host_aes());
    printf("static const struct { const char *name; int start, n; } "
           "fpu_table_ops[] = {\n");
    for (int op = 0; op < FPU_NR_OPS; op++) {
        int n = fpu_nr_cases(&fpu_ops[op]);

        printf("    { \"%s\", %d, %d },\n", fpu_ops[op].name, start, n);
        start += n;
    }
    printf("};\nstatic const uint32_t fpu_expect[] = {\n    0,\n");
    for (int op = 0; op < FPU_NR_OPS; op++) {
        int n = fpu_nr_cases(&fpu_ops[op]);

        for (int i = 0; i < n; i++) {
            FpuIn in;
            FpuOut o;

            memset(&o, 0, sizeof(o));
            fpu_case_inputs(op, i, &in);
            run_case(op, &in, &o);
            printf("0x%08x,%s", fpu_hash(&fpu_ops[op], &o),
                   i % 8 == 7 ? "\n" : "");
        }
        printf("\n");
    }
    printf("};\n");
    return 0;
}
