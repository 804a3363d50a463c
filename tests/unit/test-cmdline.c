/*
 * test-cmdline.c: the option-string parser (system/cmdline.c) and the
 * number, size and boolean parsers every option shares (hw/core/qdev.c).
 */
#include "util/osdep.h"
#include "system/cmdline.h"
#include "hw/qdev.h"

static void test_opts_implied_key(void)
{
    Error *err = NULL;
    Opts *o = opts_parse("isa-serial,iobase=0x2f8,id=com2", "driver", &err);

    g_assert_null(err);
    g_assert_nonnull(o);
    g_assert_cmpuint(o->pairs->len, ==, 3);
    g_assert_cmpstr(opts_get(o, "driver"), ==, "isa-serial");
    g_assert_cmpstr(opts_get(o, "iobase"), ==, "0x2f8");
    g_assert_cmpstr(opts_get(o, "id"), ==, "com2");
    g_assert_null(opts_get(o, "irq"));
    g_assert_true(opts_check_unused(o, "device", &err));
    opts_free(o);
}

static void test_opts_escaped_comma(void)
{
    Opts *o = opts_parse("file,path=/tmp/a,,b,,,,c,id=x", "backend", NULL);

    g_assert_nonnull(o);
    g_assert_cmpstr(opts_get(o, "backend"), ==, "file");
    g_assert_cmpstr(opts_get(o, "path"), ==, "/tmp/a,b,,c");
    g_assert_cmpstr(opts_get(o, "id"), ==, "x");
    opts_free(o);

    /* The implied first element may itself contain an escaped comma. */
    o = opts_parse("a,,b", "type", NULL);
    g_assert_nonnull(o);
    g_assert_cmpuint(o->pairs->len, ==, 1);
    g_assert_cmpstr(opts_get(o, "type"), ==, "a,b");
    opts_free(o);
}

static void test_opts_no_implied_key(void)
{
    Opts *o = opts_parse("cores=2,verbose", NULL, NULL);
    OptPair *flag;

    g_assert_nonnull(o);
    flag = g_ptr_array_index(o->pairs, 1);
    g_assert_true(flag->bare);
    g_assert_cmpstr(opts_get(o, "verbose"), ==, "on");
    opts_free(o);

    /* Without an implied key, a bare first element is a flag too. */
    o = opts_parse("pc", NULL, NULL);
    g_assert_nonnull(o);
    g_assert_null(opts_get(o, "type"));
    g_assert_cmpstr(opts_get(o, "pc"), ==, "on");
    opts_free(o);
}

static void test_opts_help(void)
{
    Opts *o = opts_parse("isa-serial,help", "driver", NULL);

    g_assert_nonnull(o);
    g_assert_true(opts_wants_help(o));
    g_assert_cmpstr(opts_get(o, "driver"), ==, "isa-serial");
    opts_free(o);

    /* "help" first is the help flag, not a driver called "help". */
    o = opts_parse("help", "driver", NULL);
    g_assert_true(opts_wants_help(o));
    g_assert_null(opts_get(o, "driver"));
    opts_free(o);

    o = opts_parse("isa-serial,iobase=1", "driver", NULL);
    g_assert_false(opts_wants_help(o));
    opts_free(o);
}

static void test_opts_last_wins(void)
{
    Opts *o = opts_parse("pc,accel=kvm,accel=qtest", "type", NULL);
    Error *err = NULL;

    g_assert_cmpstr(opts_get(o, "accel"), ==, "qtest");
    opts_get(o, "type");
    /* Both repetitions count as used. */
    g_assert_true(opts_check_unused(o, "machine", &err));
    opts_free(o);
}

static void test_opts_errors(void)
{
    static const char *const bad[] = {
        "", ",", "a,", "a,,,", "a,,b,", "=x", "a,=x", "a,,,b=1,", "a,,,,b,",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        Error *err = NULL;
        Opts *o = opts_parse(bad[i], "type", &err);

        if (o) {
            g_test_message("accepted '%s'", bad[i]);
        }
        g_assert_null(o);
        g_assert_nonnull(err);
        error_free(err);
    }
}

static void test_opts_unused(void)
{
    Opts *o = opts_parse("pc,accel=qtest,bogus=1", "type", NULL);
    Error *err = NULL;

    opts_get(o, "type");
    opts_get(o, "accel");
    g_assert_false(opts_check_unused(o, "machine", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "invalid machine property 'bogus'");
    error_free(err);
    opts_free(o);
}

static void test_opts_typed(void)
{
    Opts *o = opts_parse("n=0x10,b=off,x=zz", NULL, NULL);
    uint64_t n = 7, untouched = 99;
    bool b = true;
    Error *err = NULL;

    g_assert_true(opts_get_uint64(o, "n", &n, &err));
    g_assert_cmpuint(n, ==, 16);
    g_assert_true(opts_get_uint64(o, "absent", &untouched, &err));
    g_assert_cmpuint(untouched, ==, 99);
    g_assert_true(opts_get_bool(o, "b", &b, &err));
    g_assert_false(b);
    g_assert_false(opts_get_uint64(o, "x", &n, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "x=zz"));
    error_free(err);
    err = NULL;
    g_assert_false(opts_get_bool(o, "x", &b, &err));
    error_free(err);
    opts_free(o);
}

static void test_parse_uint64(void)
{
    static const struct {
        const char *s;
        bool ok;
        uint64_t v;
    } cases[] = {
        { "0", true, 0 },
        { "42", true, 42 },
        { "0x3f8", true, 0x3f8 },
        { "0X10", true, 16 },
        { "010", true, 8 },
        { "18446744073709551615", true, UINT64_MAX },
        { "18446744073709551616", false, 0 },
        { "0x10000000000000000", false, 0 },
        { "", false, 0 },
        { "-1", false, 0 },
        { " 1", false, 0 },
        { "+1", false, 0 },
        { "1x", false, 0 },
        { "0x", false, 0 },
        { "08", false, 0 },
        { "1 ", false, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t v = 12345;
        bool ok = parse_uint64(cases[i].s, &v);

        g_test_message("parse_uint64('%s')", cases[i].s);
        g_assert_cmpint(ok, ==, cases[i].ok);
        g_assert_cmpuint(v, ==, ok ? cases[i].v : 12345);
    }
}

static void test_parse_size(void)
{
    static const struct {
        const char *s;
        bool ok;
        uint64_t v;
    } cases[] = {
        { "0", true, 0 },
        { "512", true, 512 },
        { "512B", true, 512 },
        { "1k", true, 1024 },
        { "1K", true, 1024 },
        { "512M", true, 512ULL << 20 },
        { "512m", true, 512ULL << 20 },
        { "4G", true, 4ULL << 30 },
        { "1T", true, 1ULL << 40 },
        { "1.5G", true, 3ULL << 29 },
        { "0.5k", true, 512 },
        { "0x10M", true, 16ULL << 20 },
        { "16E", false, 0 },             /* 2^64: one too many */
        { "15E", true, 15ULL << 60 },
        { "18446744073709551615", true, UINT64_MAX },
        { "18446744073709551616", false, 0 },
        { "17179869184G", false, 0 },    /* 2^34 * 2^30 */
        { "12Q", false, 0 },
        { "1.5", false, 0 },             /* a fraction of a byte */
        { "1.G", false, 0 },
        { ".5G", false, 0 },
        { "1MB", false, 0 },
        { "", false, 0 },
        { "-1", false, 0 },
        { " 1", false, 0 },
        { "M", false, 0 },
        { "0x", false, 0 },
        { "0xM", false, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t v = 12345;
        bool ok = parse_size(cases[i].s, &v);

        g_test_message("parse_size('%s')", cases[i].s);
        g_assert_cmpint(ok, ==, cases[i].ok);
        g_assert_cmpuint(v, ==, ok ? cases[i].v : 12345);
    }
}

static void test_parse_bool(void)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };
    static const char *const bad[] = { "", "1", "0", "ON", "y", "onn" };
    bool b;

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        b = false;
        g_assert_true(parse_bool(yes[i], &b));
        g_assert_true(b);
        b = true;
        g_assert_true(parse_bool(no[i], &b));
        g_assert_false(b);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_false(parse_bool(bad[i], &b));
    }
}

static void test_id_wellformed(void)
{
    g_assert_true(id_wellformed("com1"));
    g_assert_true(id_wellformed("a-b.c_d"));
    g_assert_true(id_wellformed("X"));
    g_assert_false(id_wellformed(""));
    g_assert_false(id_wellformed("1abc"));
    g_assert_false(id_wellformed("_x"));
    g_assert_false(id_wellformed("a b"));
    g_assert_false(id_wellformed("a,b"));
    g_assert_false(id_wellformed("a/b"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/opts/implied-key", test_opts_implied_key);
    g_test_add_func("/cmdline/opts/escaped-comma", test_opts_escaped_comma);
    g_test_add_func("/cmdline/opts/no-implied-key", test_opts_no_implied_key);
    g_test_add_func("/cmdline/opts/help", test_opts_help);
    g_test_add_func("/cmdline/opts/last-wins", test_opts_last_wins);
    g_test_add_func("/cmdline/opts/errors", test_opts_errors);
    g_test_add_func("/cmdline/opts/unused", test_opts_unused);
    g_test_add_func("/cmdline/opts/typed", test_opts_typed);
    g_test_add_func("/cmdline/parse/uint64", test_parse_uint64);
    g_test_add_func("/cmdline/parse/size", test_parse_size);
    g_test_add_func("/cmdline/parse/bool", test_parse_bool);
    g_test_add_func("/cmdline/id-wellformed", test_id_wellformed);
    return g_test_run();
}
