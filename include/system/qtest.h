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

#endif
