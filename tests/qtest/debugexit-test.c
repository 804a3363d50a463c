/*
 * debugexit-test.c: isa-debug-exit (hw/misc/debugexit.c).  A write of v
 * ends the emulator with exit status (v << 1) | 1, through the main loop's
 * shutdown path.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <glib.h>

#include "libqtest.h"

static void test_default_port(void)
{
    QTestState *qts = qtest_start("-serial null -device isa-debug-exit");

    /* Reads return 0 and change nothing. */
    g_assert_cmphex(qtest_inb(qts, 0x501), ==, 0);
    g_assert_cmphex(qtest_inw(qts, 0x501), ==, 0);
    qtest_outb(qts, 0x501, 0x10);
    g_assert_cmpint(qtest_wait_exit(qts), ==, 0x21);
}

static void test_port_f4(void)
{
    QTestState *qts = qtest_start("-serial null "
                                  "-device isa-debug-exit,iobase=0xf4,"
                                  "iosize=0x4");

    /* Nothing at the default port now. */
    g_assert_cmphex(qtest_inb(qts, 0x501), ==, 0xff);
    qtest_outl(qts, 0xf4, 0x10);
    g_assert_cmpint(qtest_wait_exit(qts), ==, 0x21);
}

static void test_status_values(void)
{
    static const struct { uint32_t v; int status; } cases[] = {
        { 0, 1 }, { 1, 3 }, { 0x7f, 0xff }, { 0x80, 1 }, { 0x12345681, 3 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        QTestState *qts = qtest_start("-serial null -device "
                                      "isa-debug-exit,iobase=0xf4,iosize=4");

        qtest_outl(qts, 0xf4, cases[i].v);
        g_assert_cmpint(qtest_wait_exit(qts), ==, cases[i].status);
    }
}

static void test_first_write_wins(void)
{
    QTestState *qts = qtest_start("-serial null -device isa-debug-exit");
    char *reply;

    /* Both writes are accepted before the main loop acts; the process
     * exits with the status of the first. */
    reply = qtest_cmd(qts, "outb 0x501 0x2\noutb 0x501 0x3");
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_assert_cmpint(qtest_wait_exit(qts), ==, 0x5);
}

/* Runs the emulator without qtest; returns its exit status, stderr in *err. */
static int run_tandem(const char *args, char **err)
{
    char *cmd = g_strdup_printf("timeout 20 \"$TANDEM\" -M pc -accel qtest "
                                "-qtest null -display none %s", args);
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    int status = -1;

    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, err, &status, NULL));
    g_free(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_bad_properties(void)
{
    char *err = NULL;

    g_assert_cmpint(run_tandem("-device isa-debug-exit,iosize=3", &err), ==,
                    1);
    g_assert_nonnull(strstr(err, "iosize"));
    g_free(err);
    g_assert_cmpint(run_tandem("-device isa-debug-exit,iobase=0xffff,"
                               "iosize=4", &err), ==, 1);
    g_assert_nonnull(strstr(err, "iobase"));
    g_free(err);
}

int main(int argc, char **argv)
{
    if (!getenv("TANDEM")) {
        g_printerr("TANDEM is not set\n");
        return 1;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debug-exit/default-port", test_default_port);
    g_test_add_func("/debug-exit/port-f4-iosize-4", test_port_f4);
    g_test_add_func("/debug-exit/status-values", test_status_values);
    g_test_add_func("/debug-exit/first-write-wins", test_first_write_wins);
    g_test_add_func("/debug-exit/bad-properties", test_bad_properties);
    return g_test_run();
}
