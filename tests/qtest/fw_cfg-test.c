/*
 * fw_cfg-test.c: the firmware configuration device (hw/nvram/fw_cfg.c) and
 * the items the pc machine publishes through it, read through the port
 * interface exactly as a guest's firmware does.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "libqtest.h"

#define FW_CFG_SEL  0x510
#define FW_CFG_DATA 0x511

#define FW_CFG_SIGNATURE      0x00
#define FW_CFG_ID             0x01
#define FW_CFG_RAM_SIZE       0x03
#define FW_CFG_NB_CPUS        0x05
#define FW_CFG_KERNEL_SIZE    0x08
#define FW_CFG_CMDLINE_SIZE   0x14
#define FW_CFG_CMDLINE_DATA   0x15
#define FW_CFG_KERNEL_DATA    0x11
#define FW_CFG_FILE_DIR       0x19
#define FW_CFG_FILE_FIRST     0x20

static void fw_select(QTestState *qts, uint16_t key)
{
    qtest_outw(qts, FW_CFG_SEL, key);
}

static void fw_read(QTestState *qts, void *buf, size_t len)
{
    uint8_t *p = buf;

    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(qts, FW_CFG_DATA);
    }
}

static uint64_t fw_read_le(QTestState *qts, uint16_t key, int bytes)
{
    uint8_t b[8];
    uint64_t v = 0;

    fw_select(qts, key);
    fw_read(qts, b, bytes);
    for (int i = bytes - 1; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static void test_signature(void)
{
    QTestState *qts = qtest_start("-serial null");
    char sig[5] = { 0 };

    /* After reset the signature is selected. */
    fw_read(qts, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
    /* Past the end: zeros. */
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
    /* Selecting restarts at offset 0. */
    fw_select(qts, FW_CFG_SIGNATURE);
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 'Q');
    /* The selector port reads data too, and shares the offset. */
    g_assert_cmphex(qtest_inb(qts, FW_CFG_SEL), ==, 'E');
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 'M');
    /* A byte write is not a select. */
    qtest_outb(qts, FW_CFG_SEL, FW_CFG_ID);
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 'U');
    /* The write-channel bit (0x4000) is ignored by the selector. */
    fw_select(qts, 0x4000 | FW_CFG_SIGNATURE);
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 'Q');
    /* An unknown key reads as zeros. */
    fw_select(qts, 0x1ff);
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_id(void)
{
    QTestState *qts = qtest_start("-serial null");

    /* Traditional interface only; no DMA. */
    g_assert_cmphex(fw_read_le(qts, FW_CFG_ID, 4), ==, 1);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_ram_size(void)
{
    QTestState *qts = qtest_start("-serial null -m 256");

    g_assert_cmphex(fw_read_le(qts, FW_CFG_RAM_SIZE, 8), ==, 256ULL << 20);
    g_assert_cmpint(qtest_quit(qts), ==, 0);

    qts = qtest_start("-serial null -m 1G");
    g_assert_cmphex(fw_read_le(qts, FW_CFG_RAM_SIZE, 8), ==, 1ULL << 30);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_nb_cpus(void)
{
    QTestState *qts = qtest_start("-serial null -smp 2");

    g_assert_cmpuint(fw_read_le(qts, FW_CFG_NB_CPUS, 2), ==, 2);
    g_assert_cmpint(qtest_quit(qts), ==, 0);

    qts = qtest_start("-serial null");
    g_assert_cmpuint(fw_read_le(qts, FW_CFG_NB_CPUS, 2), ==, 1);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

/* Reads the directory; checks its shape; returns the entry count. */
static uint32_t check_file_dir(QTestState *qts)
{
    uint8_t hdr[4], ent[64];
    uint32_t count;
    char prev[57] = "";

    fw_select(qts, FW_CFG_FILE_DIR);
    fw_read(qts, hdr, 4);
    count = (uint32_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
    g_assert_cmpuint(count, <, 0x4000 - FW_CFG_FILE_FIRST);
    for (uint32_t i = 0; i < count; i++) {
        char name[57] = { 0 };
        uint32_t size;
        uint16_t select;

        fw_select(qts, FW_CFG_FILE_DIR);
        fw_read(qts, hdr, 4);               /* skip the count */
        for (uint32_t j = 0; j <= i; j++) {
            fw_read(qts, ent, 64);
        }
        size = (uint32_t)ent[0] << 24 | ent[1] << 16 | ent[2] << 8 | ent[3];
        select = ent[4] << 8 | ent[5];
        memcpy(name, ent + 8, 56);
        g_test_message("fw_cfg file %u: '%s' key %#x size %u", i, name,
                       select, size);
        g_assert_cmpuint(select, ==, FW_CFG_FILE_FIRST + i);
        g_assert_cmpuint(ent[6] | ent[7], ==, 0);
        g_assert_cmpuint(strlen(name), >, 0);
        g_assert_cmpint(strcmp(prev, name), <, 0);     /* sorted, unique */
        memcpy(prev, name, sizeof(prev));
        /* The file reads as exactly size bytes, then zeros. */
        fw_select(qts, select);
        for (uint32_t b = 0; b < size && b < 4096; b++) {
            qtest_inb(qts, FW_CFG_DATA);
        }
        if (size < 4096) {
            g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
        }
    }
    /* After the last entry the directory is exhausted. */
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
    return count;
}

static void test_file_dir(void)
{
    QTestState *qts = qtest_start("-serial null");

    check_file_dir(qts);
    /* The key after the last file reads as zeros. */
    fw_select(qts, FW_CFG_FILE_FIRST + check_file_dir(qts));
    g_assert_cmphex(qtest_inb(qts, FW_CFG_DATA), ==, 0);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

static void test_kernel_cmdline(void)
{
    char *dir = qtest_tmpdir_new();
    char *kernel = g_build_filename(dir, "kernel", NULL);
    /* A minimal multiboot v1 image: header in the first 8 KiB, with the
     * address fields (flag bit 16) so no ELF parsing is needed. */
    uint32_t img[1024] = { 0 };
    uint32_t magic = 0x1badb002, flags = 0x00010000;
    QTestState *qts;
    char *cmdline;

    img[0] = magic;
    img[1] = flags;
    img[2] = -(magic + flags);
    img[3] = 0x100000;                  /* header_addr */
    img[4] = 0x100000;                  /* load_addr */
    img[5] = 0;                         /* load_end_addr: whole file */
    img[6] = 0;                         /* bss_end_addr: none */
    img[7] = 0x100020;                  /* entry_addr */
    img[100] = 0xfeedf00d;
    g_assert_true(g_file_set_contents(kernel, (char *)img, sizeof(img),
                                      NULL));

    qts = qtest_startf("-serial null -kernel %s -append 'x y'", kernel);
    g_assert_cmpuint(fw_read_le(qts, FW_CFG_CMDLINE_SIZE, 4), ==, 4);
    cmdline = g_malloc0(5);
    fw_select(qts, FW_CFG_CMDLINE_DATA);
    fw_read(qts, cmdline, 4);
    g_assert_cmpmem(cmdline, 4, "x y", 4);
    g_free(cmdline);
    g_assert_cmpuint(fw_read_le(qts, FW_CFG_KERNEL_SIZE, 4), ==,
                     sizeof(img));
    g_assert_cmphex(fw_read_le(qts, FW_CFG_KERNEL_DATA, 4), ==, magic);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_free(kernel);
    qtest_tmpdir_free(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fw_cfg/signature-and-selector", test_signature);
    g_test_add_func("/fw_cfg/id", test_id);
    g_test_add_func("/fw_cfg/ram-size", test_ram_size);
    g_test_add_func("/fw_cfg/nb-cpus", test_nb_cpus);
    g_test_add_func("/fw_cfg/file-dir", test_file_dir);
    g_test_add_func("/fw_cfg/kernel-cmdline", test_kernel_cmdline);
    return g_test_run();
}
