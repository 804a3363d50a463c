/*
 * test-qdev.c: the device model (hw/core/qdev.c): property defaults and
 * parsing by type with range checks, -device option strings, ids, buses,
 * realize failures, reset order and the two help listings.
 *
 * A test-only device class with one property of every type is registered
 * here; it records the order in which devices are reset.
 */
#include "util/osdep.h"
#include "hw/qdev.h"

typedef struct TestDevState {
    DeviceState parent;
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    uint64_t size;
    char *str;
    Chardev *chr;
    bool fail_realize;
} TestDevState;

static GString *reset_log;

static const Property testdev_props[] = {
    DEFINE_PROP_BOOL("b", TestDevState, b, true),
    DEFINE_PROP_UINT8("u8", TestDevState, u8, 8),
    DEFINE_PROP_UINT16("u16", TestDevState, u16, 0x3f8),
    DEFINE_PROP_UINT32("u32", TestDevState, u32, 32),
    DEFINE_PROP_UINT64("u64", TestDevState, u64, 64),
    DEFINE_PROP_INT32("i32", TestDevState, i32, -5),
    DEFINE_PROP_SIZE("size", TestDevState, size, 4096),
    { .name = "str", .type = PROP_STRING,
      .offset = offsetof(TestDevState, str), .defstr = "hello",
      .desc = "a string" },
    DEFINE_PROP_CHARDEV("chardev", TestDevState, chr),
    DEFINE_PROP_BOOL("fail", TestDevState, fail_realize, false),
    DEFINE_PROP_END,
};

static void testdev_realize(DeviceState *dev, Error **errp)
{
    TestDevState *s = (TestDevState *)dev;

    if (s->fail_realize) {
        error_setg(errp, "testdev: realize refused");
    }
}

static void testdev_reset(DeviceState *dev)
{
    g_string_append_printf(reset_log, "%s;", dev->id ? dev->id : "-");
}

static const DeviceClass testdev_class = {
    .name = "test-dev", .desc = "a device for tests", .bus = NULL,
    .user_creatable = true, .instance_size = sizeof(TestDevState),
    .props = testdev_props, .realize = testdev_realize,
    .reset = testdev_reset,
};
DEVICE_REGISTER(testdev_class);

static const DeviceClass testdev_bus_class = {
    .name = "test-busdev", .desc = "needs the test bus", .bus = "testbus",
    .user_creatable = true, .instance_size = sizeof(TestDevState),
    .props = testdev_props,
};
DEVICE_REGISTER(testdev_bus_class);

static const DeviceClass testdev_internal_class = {
    .name = "test-internal", .bus = NULL, .user_creatable = false,
    .instance_size = sizeof(DeviceState),
};
DEVICE_REGISTER(testdev_internal_class);

static void test_defaults(void)
{
    TestDevState *s = (TestDevState *)device_new("test-dev", &error_abort);

    g_assert_true(s->b);
    g_assert_cmpuint(s->u8, ==, 8);
    g_assert_cmpuint(s->u16, ==, 0x3f8);
    g_assert_cmpuint(s->u32, ==, 32);
    g_assert_cmpuint(s->u64, ==, 64);
    g_assert_cmpint(s->i32, ==, -5);
    g_assert_cmpuint(s->size, ==, 4096);
    g_assert_cmpstr(s->str, ==, "hello");
    g_assert_null(s->chr);
    g_assert_false(s->parent.realized);
    g_assert_true(s->parent.dc == device_class_find("test-dev"));
    device_free(&s->parent);
}

static void test_set_props(void)
{
    DeviceState *dev = device_new("test-dev", &error_abort);
    TestDevState *s = (TestDevState *)dev;

    g_assert_true(device_set_prop(dev, "b", "off", &error_abort));
    g_assert_false(s->b);
    g_assert_true(device_set_prop(dev, "u8", "255", &error_abort));
    g_assert_cmpuint(s->u8, ==, 255);
    g_assert_true(device_set_prop(dev, "u16", "0xffff", &error_abort));
    g_assert_cmpuint(s->u16, ==, 0xffff);
    g_assert_true(device_set_prop(dev, "u32", "0xffffffff", &error_abort));
    g_assert_cmpuint(s->u32, ==, UINT32_MAX);
    g_assert_true(device_set_prop(dev, "u64", "18446744073709551615",
                                  &error_abort));
    g_assert_cmpuint(s->u64, ==, UINT64_MAX);
    g_assert_true(device_set_prop(dev, "i32", "-2147483648", &error_abort));
    g_assert_cmpint(s->i32, ==, INT32_MIN);
    g_assert_true(device_set_prop(dev, "i32", "0x7fffffff", &error_abort));
    g_assert_cmpint(s->i32, ==, INT32_MAX);
    g_assert_true(device_set_prop(dev, "size", "2M", &error_abort));
    g_assert_cmpuint(s->size, ==, 2 * 1024 * 1024);
    g_assert_true(device_set_prop(dev, "str", "world", &error_abort));
    g_assert_cmpstr(s->str, ==, "world");
    device_free(dev);
}

static void expect_prop_error(DeviceState *dev, const char *name,
                              const char *value, const char *needle)
{
    Error *err = NULL;

    g_assert_false(device_set_prop(dev, name, value, &err));
    g_assert_nonnull(err);
    g_test_message("%s=%s: %s", name, value, error_get_pretty(err));
    g_assert_nonnull(strstr(error_get_pretty(err), needle));
    error_free(err);
}

static void test_prop_errors(void)
{
    DeviceState *dev = device_new("test-dev", &error_abort);
    TestDevState *s = (TestDevState *)dev;

    expect_prop_error(dev, "u8", "256", "property 'u8' value out of range");
    expect_prop_error(dev, "u16", "0x10000",
                      "property 'u16' value out of range");
    expect_prop_error(dev, "u32", "0x100000000",
                      "property 'u32' value out of range");
    expect_prop_error(dev, "u64", "18446744073709551616", "'u64'");
    expect_prop_error(dev, "i32", "2147483648",
                      "property 'i32' value out of range");
    expect_prop_error(dev, "i32", "-2147483649",
                      "property 'i32' value out of range");
    expect_prop_error(dev, "i32", "--1", "not a number");
    expect_prop_error(dev, "u32", "12abc", "not a number");
    expect_prop_error(dev, "u32", "", "not a number");
    expect_prop_error(dev, "u32", "-1", "not a number");
    expect_prop_error(dev, "b", "maybe", "'b'");
    expect_prop_error(dev, "size", "12Q", "not a size");
    expect_prop_error(dev, "chardev", "nope", "chardev 'nope' not found");
    expect_prop_error(dev, "bogus", "1", "has no property 'bogus'");
    /* Failed sets leave the defaults alone. */
    g_assert_cmpuint(s->u8, ==, 8);
    g_assert_cmpuint(s->u16, ==, 0x3f8);
    g_assert_cmpint(s->i32, ==, -5);
    g_assert_cmpuint(s->size, ==, 4096);
    device_free(dev);
}

static void test_unknown_driver(void)
{
    Error *err = NULL;

    g_assert_null(device_new("no-such-device", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "unknown device 'no-such-device' (try -device help)");
    error_free(err);
    err = NULL;
    g_assert_null(device_new_from_opts("no-such-device,x=1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "unknown device 'no-such-device' (try -device help)");
    error_free(err);
}

static DeviceState *expect_opts_error(const char *opts, const char *needle)
{
    Error *err = NULL;
    DeviceState *dev = device_new_from_opts(opts, &err);

    g_assert_null(dev);
    g_assert_nonnull(err);
    g_test_message("%s: %s", opts, error_get_pretty(err));
    g_assert_nonnull(strstr(error_get_pretty(err), needle));
    error_free(err);
    return dev;
}

/* Creation order, ids, failures, then reset order; one test because the
 * realized list is global. */
static void test_from_opts_and_reset(void)
{
    DeviceState *a, *b, *c;

    a = device_new_from_opts("test-dev,id=first,u16=0x2f8,str=a,,b",
                             &error_abort);
    g_assert_true(a->realized);
    g_assert_cmpstr(a->id, ==, "first");
    g_assert_cmpuint(((TestDevState *)a)->u16, ==, 0x2f8);
    g_assert_cmpstr(((TestDevState *)a)->str, ==, "a,b");
    g_assert_true(device_find_by_id("first") == a);
    g_assert_true(device_find_by_class("test-dev") == a);

    expect_opts_error("test-dev,id=first", "duplicate ID 'first' for device");
    expect_opts_error("test-dev,id=9lives", "invalid id '9lives'");
    expect_opts_error("test-dev,id=x,u8=300",
                      "property 'u8' value out of range");
    expect_opts_error("test-dev,id=x,nope=1", "has no property 'nope'");
    expect_opts_error("test-dev,id=x,fail=on", "testdev: realize refused");
    expect_opts_error("test-internal", "cannot be created with -device");
    expect_opts_error("test-busdev", "has no testbus bus");
    expect_opts_error("test-dev,", "empty parameter");
    expect_opts_error("id=x", "parameter 'driver' is missing");
    /* None of the failures left a device behind. */
    g_assert_null(device_find_by_id("x"));

    qdev_bus_add("testbus");
    g_assert_true(qdev_bus_exists("testbus"));
    b = device_new_from_opts("test-busdev,id=second", &error_abort);
    g_assert_true(device_find_by_id("second") == b);

    c = device_new("test-dev", &error_abort);
    g_assert_true(device_realize(c, &error_abort));

    reset_log = g_string_new(NULL);
    devices_reset_all();
    /* test-busdev has no reset hook; the others run in creation order. */
    g_assert_cmpstr(reset_log->str, ==, "first;-;");
    g_string_free(reset_log, true);
}

static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    fn(f, arg);
    fclose(f);
    return buf;
}

static void list_classes(FILE *f, const void *arg)
{
    device_class_list(f);
}

static void list_props(FILE *f, const void *arg)
{
    device_class_list_props(f, arg);
}

static void test_help(void)
{
    g_autofree char *all = capture(list_classes, NULL);
    g_autofree char *props = capture(list_props,
                                     device_class_find("test-dev"));

    g_test_message("%s", all);
    g_assert_nonnull(strstr(all, "name \"test-dev\""));
    g_assert_nonnull(strstr(all, "testbus devices:"));
    g_assert_nonnull(strstr(all, "name \"test-busdev\", bus testbus"));
    g_assert_null(strstr(all, "test-internal"));

    g_test_message("%s", props);
    g_assert_nonnull(strstr(props, "test-dev options:"));
    g_assert_nonnull(strstr(props, "u16=<uint16>"));
    g_assert_nonnull(strstr(props, "(default: 1016 (0x3f8))"));
    g_assert_nonnull(strstr(props, "b=<bool>"));
    g_assert_nonnull(strstr(props, "(default: on)"));
    g_assert_nonnull(strstr(props, "i32=<int32>"));
    g_assert_nonnull(strstr(props, "(default: -5)"));
    g_assert_nonnull(strstr(props, "str=<str>"));
    g_assert_nonnull(strstr(props, "(default: \"hello\") - a string"));
    g_assert_nonnull(strstr(props, "chardev=<chardev>"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qdev/defaults", test_defaults);
    g_test_add_func("/qdev/set-props", test_set_props);
    g_test_add_func("/qdev/prop-errors", test_prop_errors);
    g_test_add_func("/qdev/unknown-driver", test_unknown_driver);
    g_test_add_func("/qdev/from-opts-and-reset", test_from_opts_and_reset);
    g_test_add_func("/qdev/help", test_help);
    return g_test_run();
}
