/*
 * strsearch.c: substring search over a 64 KiB text with SSE4.2 PCMPISTRI
 * (equal-ordered mode, 16 bytes per step), for several needles, repeated;
 * prints the number of matches and a position checksum.
 */
#include <nmmintrin.h>
#include "fp-main.h"

#define TEXT 65536

static char text[TEXT + 16] __attribute__((aligned(16)));

/* Index of the first occurrence of needle (<= 16 bytes) at or after p. */
static const char *find(const char *p, const char *end, __m128i nd, int nlen)
{
    for (; p < end; p += 16) {
        __m128i blk = _mm_loadu_si128((const __m128i *)p);
        int i = _mm_cmpistri(nd, blk, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ORDERED);

        if (i < 16) {
            const char *q = p + i;
            int k = 0;

            while (k < nlen && q + k < end && q[k] == ((const char *)&nd)[k]) {
                k++;
            }
            if (k == nlen) {
                return q;
            }
            p = q + 1 - 16;
        }
    }
    return NULL;
}

int main(uint32_t magic, uint32_t info)
{
    static const char *const needles[] = { "tandem", "qemu", "xyzzy", "the q",
                                           "emulator" };
    static char nbuf[16] __attribute__((aligned(16)));
    uint32_t seed = 12345, matches = 0, chk = 0;

    fp_enable_sse();
    for (int i = 0; i < TEXT; i++) {
        static const char alpha[] = "abcdeghilmnopqrstu emutandeqx";

        seed = seed * 1103515245 + 12345;
        text[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
    }
    for (int rep = 0; rep < 60; rep++) {
        for (unsigned n = 0; n < sizeof(needles) / sizeof(needles[0]); n++) {
            const char *s = needles[n], *p = text;
            int len = (int)strlen(s);
            __m128i nd;

            memset(nbuf, 0, sizeof(nbuf));
            memcpy(nbuf, s, len);
            nd = _mm_load_si128((const __m128i *)nbuf);
            while ((p = find(p, text + TEXT, nd, len)) != NULL) {
                matches++;
                chk = chk * 33 + (uint32_t)(p - text);
                p++;
            }
        }
    }
    printf("strsearch matches %u checksum %x\n", matches, chk);
    return 0;
}
