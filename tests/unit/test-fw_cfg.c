/*
 * test-fw_cfg.c: the fw_cfg device's item store and file directory
 * (hw/nvram/fw_cfg.c), driven through the real I/O-port dispatch.
 *
 * The pc machine publishes no named files yet, so the device tests cannot
 * see a non-empty directory; here the test plays the board: it creates an
 * ISA bus on the system I/O space, the device with fw_cfg_init_io(), adds
 * items and files, and reads them back as a guest would (16-bit select at
 * 0x510, byte reads at 0x511).
 */
#include "util/osdep.h"
#include "hw/fw_cfg.h"
#include "hw/isa.h"
#include "hw/qdev.h"
#include "system/bql.h"
#include "system/memory.h"
#include "system/rcu.h"

static FwCfgState *fw;

static void sel(uint16_t key)
{
    g_assert_cmpint(address_space_write_value(&address_space_io, 0x510, 2,
                                              false, key,
                                              MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_OK);
}

static uint8_t data(void)
{
    uint64_t v = 0xdead;

    g_assert_cmpint(address_space_read_value(&address_space_io, 0x511, 1,
                                             false, &v,
                                             MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, <=, 0xff);
    return v;
}

static void read_item(uint16_t key, void *buf, size_t len)
{
    uint8_t *p = buf;

    sel(key);
    for (size_t i = 0; i < len; i++) {
        p[i] = data();
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void test_fixed_items(void)
{
    uint8_t b[8];

    g_assert_true(fw_cfg_find() == fw);
    read_item(FW_CFG_SIGNATURE, b, 5);
    g_assert_cmpmem(b, 5, "QEMU\0", 5);
    read_item(FW_CFG_ID, b, 4);
    g_assert_cmpmem(b, 4, "\x01\0\0\0", 4);

    /* Integers are little-endian; adding again replaces. */
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, 0x1122334455667788ULL);
    read_item(FW_CFG_RAM_SIZE, b, 8);
    g_assert_cmpmem(b, 8, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    fw_cfg_add_i16(fw, FW_CFG_RAM_SIZE, 0xabcd);
    read_item(FW_CFG_RAM_SIZE, b, 3);
    g_assert_cmpmem(b, 3, "\xcd\xab\x00", 3);
    fw_cfg_add_i32(fw, FW_CFG_NB_CPUS, 0x01020304);
    read_item(FW_CFG_NB_CPUS, b, 5);
    g_assert_cmpmem(b, 5, "\x04\x03\x02\x01\x00", 5);
    /* Strings keep their NUL. */
    fw_cfg_add_string(fw, FW_CFG_KERNEL_CMDLINE, "ro quiet");
    read_item(FW_CFG_KERNEL_CMDLINE, b, 8);
    g_assert_cmpmem(b, 8, "ro quiet", 8);
    g_assert_cmphex(data(), ==, 0);
    /* Data is copied: the caller's buffer may change afterwards. */
    char buf[3] = "ab";
    fw_cfg_add_bytes(fw, FW_CFG_UUID, buf, 2);
    buf[0] = 'X';
    read_item(FW_CFG_UUID, b, 2);
    g_assert_cmpmem(b, 2, "ab", 2);
    /* Arch-local keys (bit 15) are a separate set. */
    fw_cfg_add_i32(fw, 0x8003, 0xcafef00d);
    read_item(0x8003, b, 4);
    g_assert_cmpmem(b, 4, "\x0d\xf0\xfe\xca", 4);
    read_item(0x0003, b, 1);
    g_assert_cmphex(b[0], ==, 0xcd);
    /* An empty item reads as zeros straight away. */
    fw_cfg_add_bytes(fw, FW_CFG_BOOT_MENU, "", 0);
    sel(FW_CFG_BOOT_MENU);
    g_assert_cmphex(data(), ==, 0);
}

static void test_files(void)
{
    static const char *const names[] = {
        "etc/zzz", "bootorder", "etc/a", "opt/org.example/x",
    };
    /* The directory is sorted: bootorder, etc/a, etc/zzz, opt/... */
    static const int sorted[] = { 1, 2, 0, 3 };
    uint8_t hdr[4], ent[64];
    Error *err = NULL;
    char *contents[4];

    for (int i = 0; i < 4; i++) {
        contents[i] = g_strdup_printf("file %d: %s", i, names[i]);
        g_assert_true(fw_cfg_add_file(fw, names[i], contents[i],
                                      strlen(contents[i]) + 1, &err));
    }
    read_item(FW_CFG_FILE_DIR, hdr, 4);
    g_assert_cmpuint(be32(hdr), ==, 4);
    for (int pos = 0; pos < 4; pos++) {
        int i = sorted[pos];
        uint16_t select;
        uint32_t size = strlen(contents[i]) + 1;
        char *got;

        for (int j = 0; j < 64; j++) {
            ent[j] = data();
        }
        select = ent[4] << 8 | ent[5];
        g_assert_cmpuint(be32(ent), ==, size);
        g_assert_cmpuint(select, ==, FW_CFG_FILE_FIRST + pos);
        g_assert_cmpuint(ent[6] | ent[7], ==, 0);
        g_assert_cmpstr((char *)ent + 8, ==, names[i]);
        /* Read the file through its key (the directory read continues
         * from where it was afterwards: reselect it). */
        got = g_malloc0(size + 1);
        read_item(select, got, size + 1);
        g_assert_cmpmem(got, size, contents[i], size);
        g_assert_cmphex(got[size], ==, 0);
        g_free(got);
        sel(FW_CFG_FILE_DIR);
        for (int j = 0; j < 4 + 64 * (pos + 1); j++) {
            data();
        }
    }
    g_assert_cmphex(data(), ==, 0);
    /* The key after the last file is empty. */
    sel(FW_CFG_FILE_FIRST + 4);
    g_assert_cmphex(data(), ==, 0);

    /* Refused: a duplicate, an empty name, a name that does not fit. */
    g_assert_false(fw_cfg_add_file(fw, "etc/a", "x", 1, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "duplicate"));
    g_clear_pointer(&err, error_free);
    g_assert_false(fw_cfg_add_file(fw, "", "x", 1, &err));
    g_clear_pointer(&err, error_free);
    char *longname = g_strnfill(56, 'n');
    g_assert_false(fw_cfg_add_file(fw, longname, "x", 1, &err));
    g_clear_pointer(&err, error_free);
    longname[55] = '\0';
    g_assert_true(fw_cfg_add_file(fw, longname, "x", 1, &err));
    g_free(longname);
    read_item(FW_CFG_FILE_DIR, hdr, 4);
    g_assert_cmpuint(be32(hdr), ==, 5);
    for (int i = 0; i < 4; i++) {
        g_free(contents[i]);
    }
}

static void test_port_rules(void)
{
    uint64_t v;

    sel(FW_CFG_SIGNATURE);
    /* The selector port also reads data, sharing the offset. */
    g_assert_cmpint(address_space_read_value(&address_space_io, 0x510, 1,
                                             false, &v,
                                             MEMTXATTRS_UNSPECIFIED), ==,
                    MEMTX_OK);
    g_assert_cmphex(v, ==, 'Q');
    g_assert_cmphex(data(), ==, 'E');
    /* A byte write is not a select, and a 16-bit read is not data. */
    address_space_write_value(&address_space_io, 0x510, 1, false, 1,
                              MEMTXATTRS_UNSPECIFIED);
    v = 0x1234;
    address_space_read_value(&address_space_io, 0x510, 2, false, &v,
                             MEMTXATTRS_UNSPECIFIED);
    g_assert_cmphex(v, ==, 0);
    g_assert_cmphex(data(), ==, 'M');
    /* The write-channel bit is ignored. */
    sel(0x4000 | FW_CFG_SIGNATURE);
    g_assert_cmphex(data(), ==, 'Q');
    /* Unknown keys read as zeros. */
    sel(0x3fff);
    g_assert_cmphex(data(), ==, 0);
    sel(0xffff);
    g_assert_cmphex(data(), ==, 0);
    /* Reset goes back to the signature. */
    devices_reset_all();
    g_assert_cmphex(data(), ==, 'Q');
}

static void test_init_failure(void)
{
    Error *err = NULL;

    /* The ports are taken: a clear error, nothing half-made left behind
     * (ASan checks the latter), and the first device stays the one. */
    g_assert_null(fw_cfg_init_io(isa_bus_get(), 0x511, &err));
    g_assert_nonnull(err);
    g_test_message("%s", error_get_pretty(err));
    error_free(err);
    err = NULL;
    g_assert_null(fw_cfg_init_io(isa_bus_get(), 0xffff, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "iobase"));
    error_free(err);
    g_assert_true(fw_cfg_find() == fw);
    sel(FW_CFG_SIGNATURE);
    g_assert_cmphex(data(), ==, 'Q');
}

int main(int argc, char **argv)
{
    IsaBus *bus;

    g_test_init(&argc, &argv, NULL);
    rcu_register_thread();
    bql_lock(bql_cause_init);
    bus = isa_bus_new(get_system_io(), &error_abort);
    fw = fw_cfg_init_io(bus, 0x510, &error_abort);
    g_assert_nonnull(fw);

    g_test_add_func("/fw_cfg/fixed-items", test_fixed_items);
    g_test_add_func("/fw_cfg/files", test_files);
    g_test_add_func("/fw_cfg/port-rules", test_port_rules);
    g_test_add_func("/fw_cfg/init-failure", test_init_failure);
    return g_test_run();
}
