/*
 * aes.c: AES (FIPS-197) round primitives for the AES-NI instructions
 * (AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC, AESKEYGENASSIST;
 * sse_helper.c decodes them).
 *
 * The S-box is not a pasted table: it is computed once from its
 * definition (FIPS-197 5.1.1): the multiplicative inverse in GF(2^8)
 * modulo x^8 + x^4 + x^3 + x + 1 (0x11b), 0 for 0, followed by the affine
 * map b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63; the
 * inverse S-box is its inverse permutation.  MixColumns and its inverse
 * multiply each column by {03}x^3+{01}x^2+{01}x+{02} and
 * {0b}x^3+{0d}x^2+{09}x+{0e} (5.1.3, 5.3.3).
 *
 * The state is the XMM register's 16 bytes in FIPS-197 input order:
 * byte r + 4c is row r, column c.
 *
 * Any thread: the tables are built under pthread_once and read-only
 * afterwards.
 */
#include "util/osdep.h"
#include "target/i386/aes.h"
#include <pthread.h>

static uint8_t aes_sbox[256], aes_inv_sbox[256];   /* const after init */
static pthread_once_t aes_once = PTHREAD_ONCE_INIT;

/* Multiplication in GF(2^8) modulo 0x11b. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;

    while (b) {
        if (b & 1) {
            p ^= a;
        }
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

static uint8_t rotl8(uint8_t v, int n)
{
    return (uint8_t)((v << n) | (v >> (8 - n)));
}

static void aes_tables_init(void)
{
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0, s;

        for (int y = 1; x && y < 256; y++) {
            if (gf_mul((uint8_t)x, (uint8_t)y) == 1) {
                inv = (uint8_t)y;
                break;
            }
        }
        s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
            rotl8(inv, 4) ^ 0x63;
        aes_sbox[x] = s;
        aes_inv_sbox[s] = (uint8_t)x;
    }
}

static void aes_init(void)
{
    pthread_once(&aes_once, aes_tables_init);
}

/* ShiftRows moves row r left by r columns: out[r][c] = in[r][c + r]. */
static void shift_rows(uint8_t st[16], bool inverse)
{
    uint8_t t[16];

    for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 4; c++) {
            if (inverse) {
                t[r + 4 * ((c + r) & 3)] = st[r + 4 * c];
            } else {
                t[r + 4 * c] = st[r + 4 * ((c + r) & 3)];
            }
        }
    }
    memcpy(st, t, 16);
}

/* Each column times the polynomial with coefficients k (k[0] for the
 * column's own row, then the following rows cyclically). */
static void mix_columns(uint8_t st[16], const uint8_t k[4])
{
    for (int c = 0; c < 4; c++) {
        uint8_t *col = st + 4 * c, t[4];

        for (int r = 0; r < 4; r++) {
            t[r] = gf_mul(k[0], col[r]) ^ gf_mul(k[1], col[(r + 1) & 3]) ^
                   gf_mul(k[2], col[(r + 2) & 3]) ^
                   gf_mul(k[3], col[(r + 3) & 3]);
        }
        memcpy(col, t, 4);
    }
}

static const uint8_t mix_fwd[4] = { 0x02, 0x03, 0x01, 0x01 };
static const uint8_t mix_inv[4] = { 0x0e, 0x0b, 0x0d, 0x09 };

void aes_enc_round(uint8_t st[16], const uint8_t rk[16], bool last)
{
    aes_init();
    shift_rows(st, false);
    for (int i = 0; i < 16; i++) {
        st[i] = aes_sbox[st[i]];
    }
    if (!last) {
        mix_columns(st, mix_fwd);
    }
    for (int i = 0; i < 16; i++) {
        st[i] ^= rk[i];
    }
}

void aes_dec_round(uint8_t st[16], const uint8_t rk[16], bool last)
{
    aes_init();
    shift_rows(st, true);
    for (int i = 0; i < 16; i++) {
        st[i] = aes_inv_sbox[st[i]];
    }
    if (!last) {
        mix_columns(st, mix_inv);
    }
    for (int i = 0; i < 16; i++) {
        st[i] ^= rk[i];
    }
}

void aes_inv_mix_columns(uint8_t st[16])
{
    mix_columns(st, mix_inv);
}

uint32_t aes_sub_word(uint32_t w)
{
    uint32_t r = 0;

    aes_init();
    for (int i = 0; i < 32; i += 8) {
        r |= (uint32_t)aes_sbox[(w >> i) & 0xff] << i;
    }
    return r;
}
