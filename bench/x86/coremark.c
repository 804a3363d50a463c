/*
 * coremark.c: a CoreMark-like mix (our own code, in the spirit of the
 * EEMBC benchmark): per iteration, linked-list work (build, find, reverse,
 * merge sort), a 16x16 integer matrix multiply with add/extract steps, a
 * state machine that classifies number-like tokens, and CRC-16 over all
 * of it.  See bench.h.
 */
#include "bench.h"

const char bench_name[] = "coremark";
const uint32_t bench_default_n = 24000;

/* --- CRC-16 (reflected CCITT polynomial 0x8408), bit by bit --- */
static uint16_t crc16_byte(uint16_t crc, uint8_t b)
{
    crc ^= b;
    for (int i = 0; i < 8; i++) {
        crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
    }
    return crc;
}

static uint16_t crc16_u32(uint16_t crc, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        crc = crc16_byte(crc, (uint8_t)(v >> (8 * i)));
    }
    return crc;
}

/* --- linked list --- */
#define LIST_N 64
typedef struct Node {
    struct Node *next;
    uint32_t key;
    uint32_t val;
} Node;
static Node pool[LIST_N];

static Node *list_build(uint32_t seed)
{
    Node *head = NULL;

    for (int i = 0; i < LIST_N; i++) {
        pool[i].key = bench_lcg(&seed) >> 20;
        pool[i].val = (uint32_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static Node *list_reverse(Node *h)
{
    Node *prev = NULL;

    while (h) {
        Node *next = h->next;
        h->next = prev;
        prev = h;
        h = next;
    }
    return prev;
}

static const Node *list_find(const Node *h, uint32_t key)
{
    for (; h; h = h->next) {
        if (h->key == key) {
            return h;
        }
    }
    return NULL;
}

/* Bottom-up merge sort by key (stable). */
static Node *list_sort(Node *list)
{
    for (int insize = 1;; insize *= 2) {
        Node *p = list, *tail = NULL;
        int merges = 0;

        list = NULL;
        while (p) {
            Node *q = p;
            int psize = 0, qsize;

            merges++;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            qsize = insize;
            while (psize > 0 || (qsize > 0 && q)) {
                Node *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q || p->key <= q->key) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail) {
                    tail->next = e;
                } else {
                    list = e;
                }
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1) {
            return list;
        }
    }
}

static uint16_t bench_list(uint16_t crc, uint32_t seed)
{
    Node *h = list_build(seed);
    uint32_t found = 0;

    for (uint32_t k = 0; k < 4096; k += 97) {
        const Node *f = list_find(h, k);
        found += f ? f->val + 1 : 0;
    }
    h = list_reverse(h);
    h = list_sort(h);
    for (int i = 0; h && i < LIST_N; i += 1, h = h->next) {
        if ((i & 7) == 0) {
            crc = crc16_u32(crc, h->key ^ (h->val << 16));
        }
    }
    return crc16_u32(crc, found);
}

/* --- matrix --- */
#define MAT_N 16
static int32_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];

static uint16_t bench_matrix(uint16_t crc, uint32_t seed)
{
    uint32_t sum = 0;

    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (int32_t)(bench_lcg(&seed) >> 24) - 128;
            mb[i][j] = (int32_t)((uint32_t)(i * 31 + j * 7) & 0xff) - 64;
        }
    }
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t acc = 0;
            for (int k = 0; k < MAT_N; k++) {
                acc += ma[i][k] * mb[k][j];
            }
            mc[i][j] = acc;
        }
    }
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t v = mc[i][j] + 7;
            sum += (uint32_t)((v >> 2) & 0x7fff) ^ (uint32_t)(v < 0);
        }
    }
    return crc16_u32(crc, sum);
}

/* --- state machine over number-like tokens --- */
enum { S_START, S_INT, S_SIGN, S_FRAC, S_EXP, S_EXPSIGN, S_SCI, S_BAD, S_NB };

static uint16_t bench_state(uint16_t crc, uint32_t seed)
{
    static const char alphabet[] = "0123456789+-.eE ,x";
    char buf[256];
    uint32_t counts[S_NB] = { 0 };
    int s = S_START;

    for (int i = 0; i < (int)sizeof(buf); i++) {
        buf[i] = alphabet[(bench_lcg(&seed) >> 16) % (sizeof(alphabet) - 1)];
    }
    for (int i = 0; i < (int)sizeof(buf); i++) {
        char c = buf[i];
        if (c == ' ' || c == ',') {
            counts[s]++;
            s = S_START;
            continue;
        }
        switch (s) {
        case S_START:
            s = (c >= '0' && c <= '9') ? S_INT : (c == '+' || c == '-') ? S_SIGN
                : (c == '.') ? S_FRAC : S_BAD;
            break;
        case S_SIGN:
            s = (c >= '0' && c <= '9') ? S_INT : (c == '.') ? S_FRAC : S_BAD;
            break;
        case S_INT:
            s = (c >= '0' && c <= '9') ? S_INT : (c == '.') ? S_FRAC
                : (c == 'e' || c == 'E') ? S_EXP : S_BAD;
            break;
        case S_FRAC:
            s = (c >= '0' && c <= '9') ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP
                : S_BAD;
            break;
        case S_EXP:
            s = (c >= '0' && c <= '9') ? S_SCI : (c == '+' || c == '-') ? S_EXPSIGN
                : S_BAD;
            break;
        case S_EXPSIGN:
        case S_SCI:
            s = (c >= '0' && c <= '9') ? S_SCI : S_BAD;
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < S_NB; i++) {
        crc = crc16_u32(crc, counts[i]);
    }
    return crc;
}

uint32_t bench_run(uint32_t n)
{
    uint16_t crc = 0xffff;
    uint32_t h = 0;

    for (uint32_t i = 0; i < n; i++) {
        uint32_t seed = i * 2654435761u + 1;
        crc = bench_list(crc, seed);
        crc = bench_matrix(crc, seed);
        crc = bench_state(crc, seed);
        h = bench_mix(h, crc);
    }
    return h;
}
