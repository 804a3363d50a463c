/*
 * test-vmstate.c: device state save/restore (hw/core/vmstate.c).
 *
 * Fake device classes registered here stand in for real devices: a record
 * saved from one instance must restore every field into a fresh instance,
 * and every kind of damaged or foreign record must be refused with an
 * error naming the problem, without touching memory outside the fields.
 */
#include "util/osdep.h"
#include "hw/qdev.h"
#include "hw/vmstate.h"

typedef struct FakeState {
    DeviceState parent;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    int64_t i64;
    bool flag;
    uint8_t buf[5];
    uint32_t not_saved;
} FakeState;

static int fake_post_loads;
static bool fake_post_load_ok = true;

static bool fake_post_load(DeviceState *dev, Error **errp)
{
    fake_post_loads++;
    if (!fake_post_load_ok) {
        error_setg(errp, "fake state inconsistent");
        return false;
    }
    return true;
}

static const VMStateField fake_vmstate[] = {
    VMSTATE_UINT8(u8, FakeState),
    VMSTATE_UINT16(u16, FakeState),
    VMSTATE_UINT32(u32, FakeState),
    VMSTATE_UINT64(u64, FakeState),
    VMSTATE_INT32(i32, FakeState),
    VMSTATE_INT64(i64, FakeState),
    VMSTATE_BOOL(flag, FakeState),
    VMSTATE_BUFFER(buf, FakeState),
    VMSTATE_END,
};

static const DeviceClass fake_class = {
    .name = "test-vmstate-fake",
    .instance_size = sizeof(FakeState),
    .vmstate = fake_vmstate,
    .post_load = fake_post_load,
};
DEVICE_REGISTER(fake_class);

/* Same layout, another name: a record for one must not load into the other. */
static const DeviceClass twin_class = {
    .name = "test-vmstate-twin",
    .instance_size = sizeof(FakeState),
    .vmstate = fake_vmstate,
};
DEVICE_REGISTER(twin_class);

/* Same name as fake_class's fields but u16 saved as 4 bytes (a "new build"). */
typedef struct WideState {
    DeviceState parent;
    uint8_t u8;
    uint32_t u16;
} WideState;

static const VMStateField narrow_vmstate[] = {
    VMSTATE_UINT8(u8, FakeState),
    VMSTATE_UINT16(u16, FakeState),
    VMSTATE_END,
};
static const VMStateField wide_vmstate[] = {
    VMSTATE_UINT8(u8, WideState),
    VMSTATE_UINT32(u16, WideState),
    VMSTATE_END,
};
static const VMStateField renamed_vmstate[] = {
    VMSTATE_UINT8(u8, FakeState),
    VMSTATE_UINT16(u16, FakeState),
    VMSTATE_END,
};

static FakeState *fake_new(const DeviceClass *dc)
{
    FakeState *s = g_malloc0(sizeof(*s));

    s->parent.dc = dc;
    return s;
}

static void fake_fill(FakeState *s)
{
    s->u8 = 0xa5;
    s->u16 = 0xbeef;
    s->u32 = 0xdeadbeef;
    s->u64 = 0x0123456789abcdefULL;
    s->i32 = -7;
    s->i64 = INT64_MIN + 3;
    s->flag = true;
    memcpy(s->buf, "\x01\x02\x03\x04\xff", 5);
    s->not_saved = 42;
}

static GByteArray *fake_save(FakeState *s)
{
    GByteArray *rec = g_byte_array_new();

    vmstate_save(&s->parent, rec);
    return rec;
}

/* Expects load to fail with an error containing want. */
static void expect_load_fails(FakeState *s, const uint8_t *data, size_t len,
                              const char *want)
{
    Error *err = NULL;

    g_assert_false(vmstate_load(&s->parent, data, len, &err));
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), want)) {
        g_test_message("error was: %s", error_get_pretty(err));
        g_assert_nonnull(strstr(error_get_pretty(err), want));
    }
    error_free(err);
}

static void test_roundtrip(void)
{
    FakeState *a = fake_new(&fake_class), *b = fake_new(&fake_class);
    GByteArray *rec;
    Error *err = NULL;

    /* The class registered and is found by name. */
    g_assert_true(device_class_find("test-vmstate-fake") == &fake_class);

    fake_fill(a);
    rec = fake_save(a);
    g_assert_cmpuint(vmstate_record_len(rec->data, rec->len), ==, rec->len);

    fake_post_loads = 0;
    g_assert_true(vmstate_load(&b->parent, rec->data, rec->len, &err));
    g_assert_null(err);
    g_assert_cmpint(fake_post_loads, ==, 1);
    g_assert_cmphex(b->u8, ==, a->u8);
    g_assert_cmphex(b->u16, ==, a->u16);
    g_assert_cmphex(b->u32, ==, a->u32);
    g_assert_cmphex(b->u64, ==, a->u64);
    g_assert_cmpint(b->i32, ==, a->i32);
    g_assert_cmpint(b->i64, ==, a->i64);
    g_assert_true(b->flag);
    g_assert_cmpmem(b->buf, 5, a->buf, 5);
    g_assert_cmpuint(b->not_saved, ==, 0);

    /* Saving the restored copy gives the same bytes. */
    GByteArray *again = fake_save(b);
    g_assert_cmpmem(again->data, again->len, rec->data, rec->len);

    g_byte_array_unref(again);
    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
}

static void test_format(void)
{
    FakeState *a = fake_new(&fake_class);
    GByteArray *rec;
    const char *tag = fake_class.name;

    fake_fill(a);
    rec = fake_save(a);
    /* u32 body length, little-endian, then the tag. */
    g_assert_cmpuint(rec->data[0] | rec->data[1] << 8 | rec->data[2] << 16 |
                     (uint32_t)rec->data[3] << 24, ==, rec->len - 4);
    g_assert_cmpuint(rec->data[4], ==, strlen(tag));
    g_assert_cmpmem(rec->data + 5, strlen(tag), tag, strlen(tag));
    /* Field count 8, then the first field "u8", size 1, value 0xa5. */
    const uint8_t *p = rec->data + 5 + strlen(tag);
    g_assert_cmpuint(p[0], ==, 8);
    g_assert_cmpuint(p[1] | p[2] | p[3], ==, 0);
    g_assert_cmpuint(p[4], ==, 2);
    g_assert_cmpmem(p + 5, 2, "u8", 2);
    g_assert_cmpuint(p[7], ==, 1);
    g_assert_cmpuint(p[11], ==, 0xa5);
    /* The second, u16 0xbeef, is stored little-endian. */
    p += 12;
    g_assert_cmpuint(p[0], ==, 3);
    g_assert_cmpmem(p + 1, 3, "u16", 3);
    g_assert_cmpuint(p[4], ==, 2);
    g_assert_cmpuint(p[8], ==, 0xef);
    g_assert_cmpuint(p[9], ==, 0xbe);
    /* Too short to tell the length. */
    g_assert_cmpuint(vmstate_record_len(rec->data, 3), ==, 0);

    g_byte_array_unref(rec);
    g_free(a);
}

static void test_wrong_device(void)
{
    FakeState *a = fake_new(&fake_class), *b = fake_new(&twin_class);
    GByteArray *rec;

    fake_fill(a);
    rec = fake_save(a);
    expect_load_fails(b, rec->data, rec->len, "test-vmstate-fake");
    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
}

static void test_truncated(void)
{
    FakeState *a = fake_new(&fake_class), *b = fake_new(&fake_class);
    GByteArray *rec;

    fake_fill(a);
    rec = fake_save(a);
    /* Cut anywhere: the length check catches it, and refuses. */
    for (size_t len = 0; len < rec->len; len++) {
        Error *err = NULL;
        g_assert_false(vmstate_load(&b->parent, rec->data, len, &err));
        g_assert_nonnull(err);
        error_free(err);
    }
    /* Cut inside, with the length field patched to match: the field walk
     * catches it. */
    for (size_t len = 4; len < rec->len; len++) {
        uint8_t *copy = g_memdup2(rec->data, len);
        uint32_t body = len - 4;
        Error *err = NULL;

        for (int i = 0; i < 4; i++) {
            copy[i] = body >> (8 * i);
        }
        g_assert_false(vmstate_load(&b->parent, copy, len, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(error_get_pretty(err), "truncated"));
        error_free(err);
        g_free(copy);
    }
    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
}

static void test_trailing_bytes(void)
{
    FakeState *a = fake_new(&fake_class), *b = fake_new(&fake_class);
    GByteArray *rec;
    uint8_t junk[3] = { 1, 2, 3 };

    rec = fake_save(a);
    g_byte_array_append(rec, junk, 3);
    expect_load_fails(b, rec->data, rec->len, "claims");
    /* Patch the length to cover the junk: now it is extra body bytes. */
    uint32_t body = rec->len - 4;
    for (int i = 0; i < 4; i++) {
        rec->data[i] = body >> (8 * i);
    }
    expect_load_fails(b, rec->data, rec->len, "unexpected bytes");
    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
}

static void test_field_mismatch(void)
{
    DeviceClass narrow = { .name = "test-vmstate-x",
                           .instance_size = sizeof(FakeState),
                           .vmstate = narrow_vmstate };
    DeviceClass wide = { .name = "test-vmstate-x",
                         .instance_size = sizeof(WideState),
                         .vmstate = wide_vmstate };
    VMStateField renamed[3];
    DeviceClass other = narrow;
    FakeState *a = fake_new(&narrow);
    WideState *w = g_malloc0(sizeof(*w));
    GByteArray *rec;

    a->u16 = 0x1234;
    rec = fake_save(a);
    /* Same name, different size. */
    w->parent.dc = &wide;
    w->u16 = 0x77777777;
    expect_load_fails((FakeState *)w, rec->data, rec->len, "'u16' is 4 bytes");
    /* Same size, different name. */
    memcpy(renamed, renamed_vmstate, sizeof(renamed));
    renamed[1].name = "u16x";
    other.vmstate = renamed;
    FakeState *b = fake_new(&other);
    expect_load_fails(b, rec->data, rec->len, "expected field 'u16x'");
    /* Different field count. */
    other.vmstate = fake_vmstate;
    expect_load_fails(b, rec->data, rec->len, "has 2 fields");

    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
    g_free(w);
}

static void test_bool_range(void)
{
    FakeState *a = fake_new(&fake_class), *b = fake_new(&fake_class);
    GByteArray *rec;
    Error *err = NULL;
    /* "flag" field: name_len 4, "flag", u32 size 1, then the byte. */
    static const uint8_t pat[] = { 4, 'f', 'l', 'a', 'g', 1, 0, 0, 0 };

    a->flag = true;
    rec = fake_save(a);
    uint8_t *hit = memmem(rec->data, rec->len, pat, sizeof(pat));
    g_assert_nonnull(hit);
    g_assert_cmpuint(hit[sizeof(pat)], ==, 1);
    hit[sizeof(pat)] = 2;
    expect_load_fails(b, rec->data, rec->len, "bool");
    hit[sizeof(pat)] = 0;
    g_assert_true(vmstate_load(&b->parent, rec->data, rec->len, &err));
    g_assert_false(b->flag);
    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
}

static void test_post_load_rejects(void)
{
    FakeState *a = fake_new(&fake_class), *b = fake_new(&fake_class);
    GByteArray *rec = fake_save(a);

    fake_post_load_ok = false;
    expect_load_fails(b, rec->data, rec->len,
                      "test-vmstate-fake: fake state inconsistent");
    fake_post_load_ok = true;
    g_byte_array_unref(rec);
    g_free(a);
    g_free(b);
}

static void test_stream(void)
{
    FakeState *a = fake_new(&fake_class), *t = fake_new(&twin_class);
    FakeState *a2 = fake_new(&fake_class), *t2 = fake_new(&twin_class);
    GByteArray *stream = g_byte_array_new();
    Error *err = NULL;

    fake_fill(a);
    t->u32 = 99;
    vmstate_save(&a->parent, stream);
    vmstate_save(&t->parent, stream);

    size_t first = vmstate_record_len(stream->data, stream->len);
    g_assert_cmpuint(first, >, 0);
    g_assert_cmpuint(first, <, stream->len);
    size_t second = vmstate_record_len(stream->data + first,
                                       stream->len - first);
    g_assert_cmpuint(first + second, ==, stream->len);
    g_assert_true(vmstate_load(&a2->parent, stream->data, first, &err));
    g_assert_true(vmstate_load(&t2->parent, stream->data + first, second,
                               &err));
    g_assert_cmphex(a2->u64, ==, a->u64);
    g_assert_cmpuint(t2->u32, ==, 99);

    g_byte_array_unref(stream);
    g_free(a);
    g_free(t);
    g_free(a2);
    g_free(t2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmstate/roundtrip", test_roundtrip);
    g_test_add_func("/vmstate/format", test_format);
    g_test_add_func("/vmstate/wrong-device", test_wrong_device);
    g_test_add_func("/vmstate/truncated", test_truncated);
    g_test_add_func("/vmstate/trailing-bytes", test_trailing_bytes);
    g_test_add_func("/vmstate/field-mismatch", test_field_mismatch);
    g_test_add_func("/vmstate/bool-range", test_bool_range);
    g_test_add_func("/vmstate/post-load-rejects", test_post_load_rejects);
    g_test_add_func("/vmstate/stream", test_stream);
    return g_test_run();
}
