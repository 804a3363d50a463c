/*
 * qtest.h: the device-test protocol.
 *
 * "-accel qtest -qtest unix:PATH" (or "-qtest stdio", or any chardev spec)
 * runs the machine with no CPU and serves a line protocol through which a
 * test program reads and writes memory and ports, intercepts and raises IRQ
 * lines and drives the virtual clock.  Commands and replies are the
 * established ones ("outb 0x3f8 0x41" -> "OK", "inb 0x3fd" -> "OK 0x60",
 * "clock_step 1000" -> "OK 1000", asynchronous "IRQ raise 4").  The server
 * runs in the main loop with the BQL held.  See docs/devel/qtest.md.
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "util/error.h"

bool qtest_enabled(void);
/* Opens the -qtest chardev and starts serving; called after machine init. */
bool qtest_server_init(const char *spec, Error **errp);

/*
 * Board test hooks: extra protocol commands for state that has no port or
 * address of its own (the x86 board exposes its CPU's INTR input, the
 * 8259's INTA cycle and the APIC bus before the CPU exists).  fn gets the
 * command's words (argv[0] is the name) and returns the whole reply line
 * without the newline, "OK ..." or "FAIL ...", g_malloc'ed.  Registering
 * is harmless without -qtest.  Called with the BQL held (machine init);
 * fn runs in the main loop with the BQL held.
 */
typedef char *QTestCommandFn(void *opaque, char **argv, int argc);
void qtest_command_register(const char *name, QTestCommandFn *fn,
                            void *opaque);

#endif
