/*
 * tcg-atomic.c: the generic helpers behind tcg_gen_atomic_*.
 *
 * A guest atomic becomes a helper call (flags: writes no globals, so the
 * guest registers are in env if the access faults).  The helper asks the
 * softmmu for the host address of the guest location
 * (tcg_target_params.atomic_host_addr: TLB lookup, fill, fault), then does
 * the read-modify-write with one host atomic instruction: a compare-and-swap
 * loop for everything, because big-endian guest data and the min/max forms
 * have no direct __atomic builtin.  The address must be naturally aligned
 * for the host atomic to be single-copy atomic.  When the softmmu cannot
 * give a host address (the access crosses a page, or targets MMIO/ROM) it
 * returns NULL, and the operation is done as a load and a store through
 * the softmmu slow paths; the softmmu only does that inside an exclusive
 * step (no other vCPU in guest code, see accel/tcg/tcg-exec.c), and
 * otherwise restarts the insn as one.
 *
 * Called from generated code on a vCPU thread, without the BQL.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-internal.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

static uint64_t atomic_bswap(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16(v);
    case 4: return __builtin_bswap32(v);
    case 8: return __builtin_bswap64(v);
    default: return v & 0xff;
    }
}

static uint64_t atomic_extend(uint64_t v, MemOp mop)
{
    unsigned bits = memop_size(mop) * 8;

    if (bits == 64) {
        return v;
    }
    v &= (1ull << bits) - 1;
    if (mop & MO_SIGN) {
        v = (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
    }
    return v;
}

/* Raw (memory-order) CAS of size bytes; returns true and the old value. */
static bool atomic_cas(void *host, unsigned size, uint64_t *expected,
                       uint64_t desired)
{
    switch (size) {
    case 1: {
        uint8_t e = *expected;
        bool ok = __atomic_compare_exchange_n((uint8_t *)host, &e, desired,
                                              false, __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *expected = e;
        return ok;
    }
    case 2: {
        uint16_t e = *expected;
        bool ok = __atomic_compare_exchange_n((uint16_t *)host, &e, desired,
                                              false, __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *expected = e;
        return ok;
    }
    case 4: {
        uint32_t e = *expected;
        bool ok = __atomic_compare_exchange_n((uint32_t *)host, &e, desired,
                                              false, __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *expected = e;
        return ok;
    }
    default: {
        uint64_t e = *expected;
        bool ok = __atomic_compare_exchange_n((uint64_t *)host, &e, desired,
                                              false, __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *expected = e;
        return ok;
    }
    }
}

static uint64_t atomic_load_raw(void *host, unsigned size)
{
    switch (size) {
    case 1: return __atomic_load_n((uint8_t *)host, __ATOMIC_RELAXED);
    case 2: return __atomic_load_n((uint16_t *)host, __ATOMIC_RELAXED);
    case 4: return __atomic_load_n((uint32_t *)host, __ATOMIC_RELAXED);
    default: return __atomic_load_n((uint64_t *)host, __ATOMIC_RELAXED);
    }
}

/* Memory order (raw) <-> guest value (host order, zero-extended). */
static uint64_t from_mem(uint64_t raw, MemOp mop)
{
    unsigned size = memop_size(mop);

    return (mop & MO_BE) ? atomic_bswap(raw, size)
                         : atomic_extend(raw, mop & MO_SIZE);
}

static uint64_t to_mem(uint64_t v, MemOp mop)
{
    unsigned size = memop_size(mop);

    v = atomic_extend(v, mop & MO_SIZE);
    return (mop & MO_BE) ? atomic_bswap(v, size) : v;
}

static uint64_t atomic_compute(TCGAtomicOp aop, uint64_t old, uint64_t val,
                               MemOp mop)
{
    unsigned bits = memop_size(mop) * 8;
    int64_t so = (int64_t)atomic_extend(old, (mop & MO_SIZE) | MO_SIGN);
    int64_t sv = (int64_t)atomic_extend(val, (mop & MO_SIZE) | MO_SIGN);
    uint64_t uo = atomic_extend(old, mop & MO_SIZE);
    uint64_t uv = atomic_extend(val, mop & MO_SIZE);

    (void)bits;
    switch (aop) {
    case TCG_ATOMIC_XCHG:
        return val;
    case TCG_ATOMIC_FETCH_ADD: case TCG_ATOMIC_ADD_FETCH:
        return old + val;
    case TCG_ATOMIC_FETCH_AND: case TCG_ATOMIC_AND_FETCH:
        return old & val;
    case TCG_ATOMIC_FETCH_OR: case TCG_ATOMIC_OR_FETCH:
        return old | val;
    case TCG_ATOMIC_FETCH_XOR: case TCG_ATOMIC_XOR_FETCH:
        return old ^ val;
    case TCG_ATOMIC_FETCH_UMIN: case TCG_ATOMIC_UMIN_FETCH:
        return uo < uv ? uo : uv;
    case TCG_ATOMIC_FETCH_UMAX: case TCG_ATOMIC_UMAX_FETCH:
        return uo > uv ? uo : uv;
    case TCG_ATOMIC_FETCH_SMIN: case TCG_ATOMIC_SMIN_FETCH:
        return so < sv ? old : val;
    case TCG_ATOMIC_FETCH_SMAX: case TCG_ATOMIC_SMAX_FETCH:
        return so > sv ? old : val;
    }
    g_assert_not_reached();
}

static bool atomic_returns_new(TCGAtomicOp aop)
{
    return aop >= TCG_ATOMIC_ADD_FETCH;
}

static uint64_t atomic_rmw(void *env, uint64_t addr, uint64_t val,
                           MemOpIdx oi, TCGAtomicOp aop, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    void *host = tcg_target_params.atomic_host_addr(env, addr, oi, ra);
    uint64_t raw, old, new;

    if (!host) {
        old = tcg_target_params.slow_ld(env, addr, oi, ra);
        new = atomic_compute(aop, old, val, mop);
        tcg_target_params.slow_st(env, addr, new, oi, ra);
        return atomic_extend(atomic_returns_new(aop) ? new : old, mop);
    }
    raw = atomic_load_raw(host, size);
    do {
        old = from_mem(raw, mop);
        new = atomic_compute(aop, old, val, mop);
    } while (!atomic_cas(host, size, &raw, to_mem(new, mop)));
    return atomic_extend(atomic_returns_new(aop) ? new : old, mop);
}

static uint64_t atomic_cmpxchg(void *env, uint64_t addr, uint64_t cmpv,
                               uint64_t newv, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    void *host = tcg_target_params.atomic_host_addr(env, addr, oi, ra);
    uint64_t raw = to_mem(cmpv, mop);

    if (!host) {
        uint64_t old = atomic_extend(tcg_target_params.slow_ld(env, addr, oi,
                                                               ra), mop);

        if (old == atomic_extend(cmpv, mop)) {
            tcg_target_params.slow_st(env, addr, newv, oi, ra);
        }
        return old;
    }
    atomic_cas(host, size, &raw, to_mem(newv, mop));
    return atomic_extend(from_mem(raw, mop), mop);
}

/* The helpers called from generated code. */
static __attribute__((noinline)) uint32_t
tcg_helper_atomic_rmw_i32(void *env, uint64_t addr, uint32_t val,
                          uint32_t oi, uint32_t aop)
{
    return atomic_rmw(env, addr, val, oi, aop, GETPC());
}

static __attribute__((noinline)) uint64_t
tcg_helper_atomic_rmw_i64(void *env, uint64_t addr, uint64_t val,
                          uint32_t oi, uint32_t aop)
{
    return atomic_rmw(env, addr, val, oi, aop, GETPC());
}

static __attribute__((noinline)) uint32_t
tcg_helper_atomic_cmpxchg_i32(void *env, uint64_t addr, uint32_t cmpv,
                              uint32_t newv, uint32_t oi)
{
    return atomic_cmpxchg(env, addr, cmpv, newv, oi, GETPC());
}

static __attribute__((noinline)) uint64_t
tcg_helper_atomic_cmpxchg_i64(void *env, uint64_t addr, uint64_t cmpv,
                              uint64_t newv, uint32_t oi)
{
    return atomic_cmpxchg(env, addr, cmpv, newv, oi, GETPC());
}

const TCGHelperInfo tcg_helper_atomic_rmw_i32_info = {
    .func = (void *)tcg_helper_atomic_rmw_i32, .name = "atomic_rmw_i32",
    .flags = TCG_CALL_NO_WRITE_GLOBALS, .ret = TCG_CALL_I32, .nb_args = 5,
};
const TCGHelperInfo tcg_helper_atomic_rmw_i64_info = {
    .func = (void *)tcg_helper_atomic_rmw_i64, .name = "atomic_rmw_i64",
    .flags = TCG_CALL_NO_WRITE_GLOBALS, .ret = TCG_CALL_I64, .nb_args = 5,
};
const TCGHelperInfo tcg_helper_atomic_cmpxchg_i32_info = {
    .func = (void *)tcg_helper_atomic_cmpxchg_i32, .name = "atomic_cmpxchg_i32",
    .flags = TCG_CALL_NO_WRITE_GLOBALS, .ret = TCG_CALL_I32, .nb_args = 5,
};
const TCGHelperInfo tcg_helper_atomic_cmpxchg_i64_info = {
    .func = (void *)tcg_helper_atomic_cmpxchg_i64, .name = "atomic_cmpxchg_i64",
    .flags = TCG_CALL_NO_WRITE_GLOBALS, .ret = TCG_CALL_I64, .nb_args = 5,
};
