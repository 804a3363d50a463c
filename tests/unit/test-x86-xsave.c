/*
 * test-x86-xsave.c: the XSAVE image in a host buffer (target/i386/
 * xsave_helper.c, x86_xsave_to_buffer / x86_xrstor_from_buffer), the
 * format the KVM accelerator exchanges with KVM_GET_XSAVE/KVM_SET_XSAVE.
 *
 *   - env -> buffer puts every x87/SSE field at its SDM offset (64-bit
 *     FXSAVE layout: FIP and FDP 64 bits wide, 16 XMM registers), sets
 *     XSTATE_BV bits 0 and 1, clears XCOMP_BV and leaves other
 *     components' bytes and XSTATE_BV bits as they were;
 *   - buffer -> env is the inverse (a round trip through a second env);
 *   - XSTATE_BV bits clear give the initial x87 and SSE state;
 *   - reserved MXCSR bits in the buffer are dropped.
 */
#include "util/osdep.h"
#include "target/i386/cpu.h"
#include "target/i386/fpu-sse.h"

static uint64_t rd(const uint8_t *b, unsigned off, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)b[off + i] << (8 * i);
    }
    return v;
}

static void wr(uint8_t *b, unsigned off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        b[off + i] = v >> (8 * i);
    }
}

/* An env with every x87/SSE field set to something recognisable. */
static void fill_env(CPUX86State *env)
{
    memset(env, 0, sizeof(*env));
    env->fpuc = 0x27f;
    env->fpstt = 6;
    env->fpus = 0x0041;                 /* IE, C0 */
    env->fptag_word = 0x0fff;           /* ST(6), ST(7) physical valid */
    env->fpop = 0x5a5;
    env->fpip = 0x1122334455667788ull;
    env->fpdp = 0x99aabbccddeeff00ull;
    for (int i = 0; i < 8; i++) {
        env->fpregs[i].mant = 0x8000000000000000ull | i;
        env->fpregs[i].exp = 0x3fff + i;
    }
    env->mxcsr = 0x1fa0;
    for (int i = 0; i < 16; i++) {
        env->xmm_regs[i].q[0] = 0x0101010101010101ull * (i + 1);
        env->xmm_regs[i].q[1] = ~env->xmm_regs[i].q[0];
    }
}

static void test_layout(void)
{
    static X86CPU cpu;
    CPUX86State *env = &cpu.env;
    uint8_t buf[1024];

    fill_env(env);
    memset(buf, 0xee, sizeof(buf));
    wr(buf, 512, 1u << 2, 8);           /* AVX in use, as the kernel said */
    x86_xsave_to_buffer(env, buf, sizeof(buf));
    g_assert_cmphex(rd(buf, 0, 2), ==, 0x27f);
    g_assert_cmphex(rd(buf, 2, 2), ==, 0x0041 | 6 << 11);
    /* Abridged tags: physical 6 and 7 valid. */
    g_assert_cmphex(rd(buf, 4, 1), ==, 0xc0);
    g_assert_cmphex(rd(buf, 6, 2), ==, 0x5a5);
    g_assert_cmphex(rd(buf, 8, 8), ==, 0x1122334455667788ull);
    g_assert_cmphex(rd(buf, 16, 8), ==, 0x99aabbccddeeff00ull);
    g_assert_cmphex(rd(buf, 24, 4), ==, 0x1fa0);
    /* ST(0) is physical register 6. */
    g_assert_cmphex(rd(buf, 32, 8), ==, 0x8000000000000006ull);
    g_assert_cmphex(rd(buf, 40, 2), ==, 0x3fff + 6);
    g_assert_cmphex(rd(buf, 32 + 16 * 2, 8), ==, 0x8000000000000000ull);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(rd(buf, 160 + 16 * i, 8), ==, env->xmm_regs[i].q[0]);
        g_assert_cmphex(rd(buf, 168 + 16 * i, 8), ==, env->xmm_regs[i].q[1]);
    }
    g_assert_cmphex(rd(buf, 512, 8), ==, 7);
    g_assert_cmphex(rd(buf, 520, 8), ==, 0);
    /* Another component's bytes are not ours. */
    g_assert_cmphex(rd(buf, 576, 8), ==, 0xeeeeeeeeeeeeeeeeull);
}

static void test_round_trip(void)
{
    static X86CPU cpu_a, cpu_b;         /* the env lives in its CPU */
    CPUX86State *a = &cpu_a.env, *b = &cpu_b.env;
    uint8_t buf[1024] = { 0 };

    fill_env(a);
    x86_xsave_to_buffer(a, buf, sizeof(buf));
    memset(b, 0, sizeof(*b));
    x86_xrstor_from_buffer(b, buf, sizeof(buf));
    g_assert_cmphex(b->fpuc, ==, a->fpuc);
    g_assert_cmpint(b->fpstt, ==, a->fpstt);
    g_assert_cmphex(b->fpus & ~0x3800, ==, a->fpus);
    g_assert_cmphex(b->fptag_word, ==, a->fptag_word);
    g_assert_cmphex(b->fpop, ==, a->fpop);
    g_assert_cmphex(b->fpip, ==, a->fpip);
    g_assert_cmphex(b->fpdp, ==, a->fpdp);
    g_assert_cmphex(b->mxcsr, ==, a->mxcsr);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(b->fpregs[i].mant, ==, a->fpregs[i].mant);
        g_assert_cmphex(b->fpregs[i].exp, ==, a->fpregs[i].exp);
    }
    g_assert(memcmp(b->xmm_regs, a->xmm_regs, sizeof(a->xmm_regs)) == 0);
}

static void test_init_state(void)
{
    static X86CPU cpu_a, cpu_b;         /* the env lives in its CPU */
    CPUX86State *a = &cpu_a.env, *b = &cpu_b.env;
    uint8_t buf[1024] = { 0 };

    fill_env(a);
    x86_xsave_to_buffer(a, buf, sizeof(buf));
    wr(buf, 512, 0, 8);                 /* x87 and SSE in their init state */
    wr(buf, 24, 0xffff0000u | 0x1f80, 4);   /* reserved MXCSR bits */
    fill_env(b);
    x86_xrstor_from_buffer(b, buf, sizeof(buf));
    g_assert_cmphex(b->fpuc, ==, 0x37f);
    g_assert_cmphex(b->fptag_word, ==, 0xffff);
    g_assert_cmpint(b->fpstt, ==, 0);
    g_assert_cmphex(b->fpip, ==, 0);
    g_assert_cmphex(b->fpregs[3].mant, ==, 0);
    g_assert_cmphex(b->xmm_regs[15].q[1], ==, 0);
    g_assert_cmphex(b->mxcsr, ==, 0x1f80);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/xsave-buffer/layout", test_layout);
    g_test_add_func("/x86/xsave-buffer/round-trip", test_round_trip);
    g_test_add_func("/x86/xsave-buffer/init-state", test_init_state);
    return g_test_run();
}
