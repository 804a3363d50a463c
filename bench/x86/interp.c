/*
 * interp.c: a branchy bytecode interpreter: a stack machine with a
 * switch-dispatched loop running a small program (nested loops with
 * arithmetic, a Collatz-style inner loop and conditional updates).  The
 * dispatch's indirect jump and the data-dependent branches are what it
 * measures.  See bench.h.
 */
#include "bench.h"

const char bench_name[] = "interp";
const uint32_t bench_default_n = 3000;

enum {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND,
    OP_XOR, OP_SHR, OP_LT, OP_EQ, OP_JZ, OP_JMP, OP_DUP, OP_DROP, OP_INC,
};

/*
 * vars: 0 = i, 1 = acc, 2 = x, 3 = steps, 4 = limit
 * for (i = 0; i < limit; i++) {
 *     x = i + acc & 1023 | 1; steps = 0;
 *     while (!(x == 1)) { if (x & 1) x = 3x + 1; else x >>= 1; steps++; }
 *     acc = acc ^ (steps * i) ... ; acc += steps;
 * }
 */
static const int32_t program[] = {
    /* 0 */ OP_PUSH, 0, OP_STORE, 0,
    /* 4: loop head */ OP_LOAD, 0, OP_LOAD, 4, OP_LT, OP_JZ, 84,
    /* 11 */ OP_LOAD, 0, OP_LOAD, 1, OP_ADD, OP_PUSH, 1023, OP_AND,
    /* 19 */ OP_PUSH, 1, OP_XOR, OP_DUP, OP_PUSH, 0, OP_EQ, OP_JZ, 31,
    /* 28 */ OP_PUSH, 1, OP_ADD,
    /* 31 */ OP_STORE, 2, OP_PUSH, 0, OP_STORE, 3,
    /* 37: inner */ OP_LOAD, 2, OP_PUSH, 1, OP_EQ, OP_JZ, 46, OP_JMP, 67,
    /* 46 */ OP_INC, 3, OP_LOAD, 2, OP_PUSH, 1, OP_AND, OP_JZ, 60,
    /* 55: odd */ OP_LOAD, 2, OP_DUP, OP_JMP, 102,
    /* 60: even */ OP_LOAD, 2, OP_PUSH, 1, OP_SHR, OP_JMP, 110,
    /* 67: done */ OP_LOAD, 1, OP_LOAD, 3, OP_LOAD, 0, OP_MUL, OP_XOR,
    /* 75 */ OP_LOAD, 3, OP_ADD, OP_STORE, 1, OP_INC, 0, OP_JMP, 4,
    /* 84 */ OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT,
    OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT, OP_HALT,
    OP_HALT, OP_HALT, OP_HALT,
    /* 102: 3x + 1 */ OP_DUP, OP_ADD, OP_ADD, OP_PUSH, 1, OP_ADD, OP_JMP, 110,
    /* 110 */ OP_STORE, 2, OP_JMP, 37,
};

static uint32_t run_vm(uint32_t limit, uint32_t acc0)
{
    uint32_t stack[32], vars[8] = { 0 };
    int sp = 0, pc = 0;

    vars[1] = acc0;
    vars[4] = limit;
    for (;;) {
        int32_t op = program[pc++];
        switch (op) {
        case OP_PUSH: stack[sp++] = (uint32_t)program[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[program[pc++]]; break;
        case OP_STORE: vars[program[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHR: sp--; stack[sp - 1] >>= stack[sp] & 31; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JZ: {
            int32_t to = program[pc++];
            if (stack[--sp] == 0) {
                pc = to;
            }
            break;
        }
        case OP_JMP: pc = program[pc]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_INC: vars[program[pc++]]++; break;
        default:
            return vars[1] ^ (uint32_t)sp << 24;
        }
        if (sp < 0 || sp > 30) {
            return 0xdead0000u | (uint32_t)pc;
        }
    }
}

uint32_t bench_run(uint32_t n)
{
    uint32_t h = 0;

    for (uint32_t r = 0; r < n; r++) {
        h = bench_mix(h, run_vm(40 + r % 16, r));
    }
    return h;
}
