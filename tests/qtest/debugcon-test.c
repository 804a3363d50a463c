/*
 * debugcon-test.c: isa-debugcon (hw/char/debugcon.c): bytes written to the
 * port reach the chardev; reads return the readback value.
 */
#include <string.h>
#include <glib.h>

#include "libqtest.h"

static void test_write_file(void)
{
    char *dir = qtest_tmpdir_new();
    char *path = g_build_filename(dir, "debug.log", NULL);
    QTestState *qts = qtest_startf("-serial null -chardev file,id=d,path=%s "
                                   "-device isa-debugcon,chardev=d", path);
    const char *msg = "early printk\n";
    size_t len;

    /* Guests probe for the port: it reads 0xe9. */
    g_assert_cmphex(qtest_inb(qts, 0xe9), ==, 0xe9);
    for (const char *p = msg; *p; p++) {
        qtest_outb(qts, 0xe9, *p);
    }
    qtest_outb(qts, 0xe9, 0x00);
    qtest_outb(qts, 0xe9, 0xff);
    char *data = qtest_file_wait(path, strlen(msg) + 2, &len);
    g_assert_cmpmem(data, len, "early printk\n\0\xff", strlen(msg) + 2);
    g_free(data);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_free(path);
    qtest_tmpdir_free(dir);
}

static void test_props(void)
{
    char *dir = qtest_tmpdir_new();
    char *path = g_build_filename(dir, "debug.log", NULL);
    QTestState *qts = qtest_startf("-serial null -chardev file,id=d,path=%s "
                                   "-device isa-debugcon,iobase=0x402,"
                                   "readback=0x42,chardev=d", path);
    size_t len;

    g_assert_cmphex(qtest_inb(qts, 0x402), ==, 0x42);
    g_assert_cmphex(qtest_inb(qts, 0xe9), ==, 0xff);   /* nothing there */
    qtest_outb(qts, 0xe9, 'n');                        /* goes nowhere */
    qtest_outb(qts, 0x402, 'y');
    char *data = qtest_file_wait(path, 1, &len);
    g_assert_cmpmem(data, len, "y", 1);
    g_free(data);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
    g_free(path);
    qtest_tmpdir_free(dir);
}

static void test_no_chardev(void)
{
    /* Without a chardev the output is dropped; the port still answers. */
    QTestState *qts = qtest_start("-serial null -device isa-debugcon");

    qtest_outb(qts, 0xe9, 'x');
    g_assert_cmphex(qtest_inb(qts, 0xe9), ==, 0xe9);
    g_assert_cmpint(qtest_quit(qts), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debugcon/write-file", test_write_file);
    g_test_add_func("/debugcon/iobase-readback", test_props);
    g_test_add_func("/debugcon/no-chardev", test_no_chardev);
    return g_test_run();
}
