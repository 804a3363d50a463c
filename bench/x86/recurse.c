/*
 * recurse.c: a function-call-heavy recursive workload: naive Fibonacci,
 * Takeuchi's function, Ackermann(2, n) and a recursive walk of an
 * implicit binary tree, all through non-inlined calls, so that call and
 * return (and the return-address prediction an emulator must do for
 * them) dominate.  See bench.h.
 */
#include "bench.h"

const char bench_name[] = "recurse";
const uint32_t bench_default_n = 450;

#define NOINLINE __attribute__((noinline, noclone))

static NOINLINE uint32_t fib(uint32_t k)
{
    return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

static NOINLINE int tak(int x, int y, int z)
{
    if (y >= x) {
        return z;
    }
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

static NOINLINE uint32_t ack(uint32_t m, uint32_t k)
{
    if (m == 0) {
        return k + 1;
    }
    if (k == 0) {
        return ack(m - 1, 1);
    }
    return ack(m - 1, ack(m, k - 1));
}

/* Sum over the nodes of a complete binary tree of the given depth. */
static NOINLINE uint32_t tree(uint32_t node, uint32_t depth)
{
    if (depth == 0) {
        return node * 2654435761u;
    }
    return (tree(2 * node, depth - 1) ^ node) + tree(2 * node + 1, depth - 1);
}

uint32_t bench_run(uint32_t n)
{
    uint32_t h = 0;

    for (uint32_t r = 0; r < n; r++) {
        h = bench_mix(h, fib(20 + r % 4));
        h = bench_mix(h, (uint32_t)tak(14 + (int)(r % 3), 8, 2));
        h = bench_mix(h, ack(2, 200 + r % 50));
        h = bench_mix(h, tree(r + 1, 14));
    }
    return h;
}
