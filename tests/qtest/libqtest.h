/*
 * libqtest.h: the client side of the qtest protocol, for device tests.
 *
 * A device test is a GLib gtest program that starts the real emulator with
 * "-accel qtest -qtest unix:SOCKET", then pokes ports and memory and steps
 * the virtual clock through the protocol served by system/qtest.c:
 *
 *     QTestState *qts = qtest_start("-serial null");
 *     qtest_outb(qts, 0x3fb, 0x80);                  // DLAB
 *     g_assert_cmphex(qtest_inb(qts, 0x3f8), ==, 12);
 *     qtest_irq_intercept_in(qts, "isa");
 *     g_assert_false(qtest_get_irq(qts, 4));
 *     g_assert_cmpint(qtest_quit(qts), ==, 0);       // exit status
 *
 * The emulator binary comes from $TANDEM (the Makefile sets it).  Every wait
 * has a time limit (QTEST_TIMEOUT_S seconds, default 30): an emulator that
 * died or hangs fails the test with a message instead of hanging it, and
 * every emulator this process started is killed first.  The emulator gets
 * PR_SET_PDEATHSIG, so it cannot outlive a crashed test either.
 *
 * Commands helpers (qtest_outb, qtest_readl, ...) fail the test on a FAIL
 * reply; qtest_cmd() returns any reply for tests of the protocol itself.
 * Asynchronous "IRQ raise/lower N" lines are consumed while waiting for a
 * reply, so qtest_get_irq() is up to date after every command.
 *
 * Single-threaded: call from the test's main thread only.
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct QTestState QTestState;

/* Starts "-M pc -accel qtest -qtest unix:S -display none" + extra_args
 * (split by /bin/sh, so quoting works). */
QTestState *qtest_start(const char *extra_args);
QTestState *qtest_startf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* The same with another machine type. */
QTestState *qtest_start_machine(const char *machine, const char *extra_args);

/*
 * Exit status of the emulator: its exit code, or -signal if it was killed
 * by a signal, or -1 if it did not exit in time (it is then killed).  Both
 * free qts.  qtest_quit closes the connection first (the emulator then
 * shuts down by itself); qtest_wait_exit waits for the emulator to exit on
 * its own (isa-debug-exit) before closing.
 */
int qtest_quit(QTestState *qts);
int qtest_wait_exit(QTestState *qts);
/* SIGKILLs the emulator and frees qts. */
void qtest_kill(QTestState *qts);
pid_t qtest_pid(QTestState *qts);

/* Sends one command line, returns the reply line (without '\n'); g_free. */
char *qtest_cmd(QTestState *qts, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* "vmstate_save ID": the record as "0x..." (g_free); asserts success. */
char *qtest_vmstate_save(QTestState *qts, const char *id);
/* "vmstate_load ID REC"; asserts the reply is OK. */
void qtest_vmstate_load(QTestState *qts, const char *id, const char *rec);

void qtest_outb(QTestState *qts, uint16_t port, uint8_t val);
void qtest_outw(QTestState *qts, uint16_t port, uint16_t val);
void qtest_outl(QTestState *qts, uint16_t port, uint32_t val);
uint8_t qtest_inb(QTestState *qts, uint16_t port);
uint16_t qtest_inw(QTestState *qts, uint16_t port);
uint32_t qtest_inl(QTestState *qts, uint16_t port);

void qtest_writeb(QTestState *qts, uint64_t addr, uint8_t val);
void qtest_writew(QTestState *qts, uint64_t addr, uint16_t val);
void qtest_writel(QTestState *qts, uint64_t addr, uint32_t val);
void qtest_writeq(QTestState *qts, uint64_t addr, uint64_t val);
uint8_t qtest_readb(QTestState *qts, uint64_t addr);
uint16_t qtest_readw(QTestState *qts, uint64_t addr);
uint32_t qtest_readl(QTestState *qts, uint64_t addr);
uint64_t qtest_readq(QTestState *qts, uint64_t addr);
void qtest_memread(QTestState *qts, uint64_t addr, void *buf, size_t len);
void qtest_memwrite(QTestState *qts, uint64_t addr, const void *buf,
                    size_t len);
void qtest_memset(QTestState *qts, uint64_t addr, uint8_t byte, size_t len);

/* Each returns the virtual clock after the step, in ns. */
int64_t qtest_clock_step(QTestState *qts, int64_t ns);
int64_t qtest_clock_step_next(QTestState *qts);  /* to the next deadline */
int64_t qtest_clock_set(QTestState *qts, int64_t ns);

/* IRQ lines of the ISA bus ("isa"). */
void qtest_irq_intercept_in(QTestState *qts, const char *path);
void qtest_irq_intercept_out(QTestState *qts, const char *path);
void qtest_set_irq_in(QTestState *qts, const char *path, int n, int level);
bool qtest_get_irq(QTestState *qts, int n);
/* How many "IRQ raise n" lines arrived since the start. */
unsigned qtest_irq_raise_count(QTestState *qts, int n);

/* --- host-side helpers for chardev tests --- */

/* A temporary directory, removed with its files by qtest_tmpdir_free. */
char *qtest_tmpdir_new(void);
void qtest_tmpdir_free(char *dir);
/* A listening AF_UNIX socket at path; fails the test on error. */
int qtest_unix_listen(const char *path);
/* Accepts one connection within the time limit; fails the test if none. */
int qtest_unix_accept(int listen_fd);
/* Writes all of buf to the socket fd; fails the test on error. */
void qtest_write_all(int fd, const void *buf, size_t len);
/* Reads exactly len bytes from fd within the time limit; fails the test
 * on EOF or timeout. */
void qtest_read_exact(int fd, void *buf, size_t len);
/* Waits until the file at path holds at least min_len bytes; returns its
 * contents (g_free), *len_out its length. */
char *qtest_file_wait(const char *path, size_t min_len, size_t *len_out);

#endif
