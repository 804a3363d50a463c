/*
 * aes.h: the AES round primitives behind AES-NI (target/i386/aes.c).
 * Pure functions on a 16-byte state in the byte order of an XMM register,
 * which is FIPS-197's input order (state[r][c] = b[r + 4c]).  Any thread.
 */
#ifndef TARGET_I386_AES_H
#define TARGET_I386_AES_H

#include <stdbool.h>
#include <stdint.h>

/* AESENC (last: AESENCLAST): ShiftRows, SubBytes, MixColumns (not for
 * the last round), then XOR with rk. */
void aes_enc_round(uint8_t st[16], const uint8_t rk[16], bool last);
/* AESDEC (last: AESDECLAST): InvShiftRows, InvSubBytes, InvMixColumns
 * (not for the last round), then XOR with rk (the equivalent inverse
 * cipher's round, FIPS-197 5.3.5). */
void aes_dec_round(uint8_t st[16], const uint8_t rk[16], bool last);
/* AESIMC: InvMixColumns. */
void aes_inv_mix_columns(uint8_t st[16]);
/* SubWord: the S-box on each byte of w. */
uint32_t aes_sub_word(uint32_t w);

#endif
