/*
 * test-mptable.c: the MP table builder (hw/i386/mptable.c) without a
 * machine: the bytes for a few CPU sets are parsed back and checked
 * against the MultiProcessor Specification 1.4 layout.  The guest test
 * tests/tcg/x86_64/mptable.c checks the same tables from inside a running
 * machine, against its CPUs and I/O APIC.
 */
#include "util/osdep.h"
#include "hw/i386/mptable.h"

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint8_t sum8(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

/* Builds the table for n CPUs with APIC IDs 3*i and checks every entry. */
static void check_cpus(int n)
{
    g_autofree MpTableCpu *cpus = g_new0(MpTableCpu, n);
    const uint32_t addr = 0xf0000;
    GByteArray *t;
    const uint8_t *fp, *cfg, *e;
    int ncpu = 0, nioint = 0, nlint = 0, last = 0;
    bool pin2 = false;

    for (int i = 0; i < n; i++) {
        cpus[i] = (MpTableCpu){ 3 * i, 0x663 + i, 0x178bfbff };
    }
    t = mptable_build(cpus, n, 5, addr);
    fp = t->data;
    g_assert(memcmp(fp, "_MP_", 4) == 0);
    g_assert_cmpuint(fp[8], ==, 1);
    g_assert_cmpuint(fp[9], ==, 4);
    g_assert_cmpuint(sum8(fp, 16), ==, 0);
    g_assert_cmpuint(rd32(fp + 4), ==, addr + 16);

    cfg = t->data + 16;
    g_assert(memcmp(cfg, "PCMP", 4) == 0);
    g_assert_cmpuint(rd16(cfg + 4), ==, t->len - 16);
    g_assert_cmpuint(sum8(cfg, rd16(cfg + 4)), ==, 0);
    g_assert_cmpuint(rd32(cfg + 36), ==, 0xfee00000);

    e = cfg + 44;
    for (int i = 0; i < rd16(cfg + 34); i++) {
        g_assert_cmpint(e[0], >=, last);
        last = e[0];
        switch (e[0]) {
        case 0:
            g_assert_cmpuint(e[1], ==, 3 * ncpu);
            g_assert_cmpuint(e[3], ==, ncpu == 0 ? 3 : 1);
            g_assert_cmpuint(rd32(e + 4), ==, 0x663 + ncpu);
            g_assert_cmpuint(rd32(e + 8), ==, 0x178bfbff);
            ncpu++;
            e += 20;
            break;
        case 2:
            g_assert_cmpuint(e[1], ==, 5);
            g_assert_cmpuint(rd32(e + 4), ==, 0xfec00000);
            e += 8;
            break;
        case 3:
            g_assert_cmpuint(e[6], ==, 5);
            g_assert_cmpuint(e[5], !=, 2);
            g_assert_cmpuint(e[7], ==, e[5] == 0 ? 2 : e[5]);
            pin2 |= e[5] == 0;
            nioint++;
            e += 8;
            break;
        case 1:
        case 4:
            nlint += e[0] == 4;
            e += 8;
            break;
        default:
            g_assert_not_reached();
        }
    }
    g_assert(e == t->data + t->len);
    g_assert_cmpint(ncpu, ==, n);
    g_assert_cmpint(nioint, ==, 15);
    g_assert(pin2);
    g_assert_cmpint(nlint, ==, 2);
    g_byte_array_unref(t);
}

static void test_one_cpu(void)
{
    check_cpus(1);
}

static void test_many_cpus(void)
{
    check_cpus(4);
    check_cpus(64);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mptable/one-cpu", test_one_cpu);
    g_test_add_func("/mptable/many-cpus", test_many_cpus);
    return g_test_run();
}
