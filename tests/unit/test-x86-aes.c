/*
 * test-x86-aes.c: target/i386/aes.c against FIPS-197: the S-box at the
 * points the standard prints (5.1.1, figure 7), AES-128 (appendix C.1)
 * and AES-256 (C.3) encryption with the key schedule built from
 * aes_sub_word, and decryption with the equivalent inverse cipher
 * (5.3.5: AESIMC'd round keys), as AES-NI software does it.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "target/i386/aes.h"

static void hex16(const char *s, uint8_t out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned v;

        g_assert(sscanf(s + 2 * i, "%2x", &v) == 1);
        out[i] = (uint8_t)v;
    }
}

static uint32_t ld32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void st32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* FIPS-197 5.2 KeyExpansion for nk = 4 or 8 words; rk: nr + 1 keys. */
static void expand(const uint8_t *key, int nk, uint8_t rk[][16])
{
    int nr = nk + 6;
    uint32_t w[60];
    uint8_t rcon = 1;

    for (int i = 0; i < nk; i++) {
        w[i] = ld32(key + 4 * i);
    }
    for (int i = nk; i < 4 * (nr + 1); i++) {
        uint32_t t = w[i - 1];

        if (i % nk == 0) {
            t = aes_sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon = (uint8_t)((rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0));
        } else if (nk > 6 && i % nk == 4) {
            t = aes_sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    for (int i = 0; i < 4 * (nr + 1); i++) {
        st32(rk[i / 4] + 4 * (i % 4), w[i]);
    }
}

static void check_cipher(const char *key_hex, int nk, const char *ct_hex)
{
    uint8_t key[32], pt[16], ct[16], st[16], rk[15][16], dk[15][16];
    int nr = nk + 6;

    hex16(key_hex, key);
    if (nk == 8) {
        hex16(key_hex + 32, key + 16);
    }
    hex16("00112233445566778899aabbccddeeff", pt);
    hex16(ct_hex, ct);
    expand(key, nk, rk);

    memcpy(st, pt, 16);
    for (int i = 0; i < 16; i++) {
        st[i] ^= rk[0][i];
    }
    for (int r = 1; r <= nr; r++) {
        aes_enc_round(st, rk[r], r == nr);
    }
    g_assert(memcmp(st, ct, 16) == 0);

    memcpy(dk[0], rk[nr], 16);
    for (int r = 1; r < nr; r++) {
        memcpy(dk[r], rk[nr - r], 16);
        aes_inv_mix_columns(dk[r]);
    }
    memcpy(dk[nr], rk[0], 16);
    for (int i = 0; i < 16; i++) {
        st[i] ^= dk[0][i];
    }
    for (int r = 1; r <= nr; r++) {
        aes_dec_round(st, dk[r], r == nr);
    }
    g_assert(memcmp(st, pt, 16) == 0);
}

static void test_sbox(void)
{
    /* SubWord packs bytes little-endian: S(00)=63, S(53)=ed, S(ff)=16,
     * S(01)=7c (FIPS-197 figure 7). */
    g_assert_cmphex(aes_sub_word(0x01ff5300), ==, 0x7c16ed63);
}

static void test_aes128(void)
{
    check_cipher("000102030405060708090a0b0c0d0e0f", 4,
                 "69c4e0d86a7b0430d8cdb78070b4c55a");
}

static void test_aes256(void)
{
    check_cipher("000102030405060708090a0b0c0d0e0f"
                 "101112131415161718191a1b1c1d1e1f", 8,
                 "8ea2b7ca516745bfeafc49904b496089");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/aes/sbox", test_sbox);
    g_test_add_func("/x86/aes/fips197-c1", test_aes128);
    g_test_add_func("/x86/aes/fips197-c3", test_aes256);
    return g_test_run();
}
