/*
 * gdbstub.h: the GDB remote serial protocol server (gdbstub/).
 *
 * main() starts it after the machine (and so every vCPU) exists and before
 * the VM starts, from -s (= -gdb tcp::1234) or -gdb DEV:
 *
 *     if (!gdbserver_start("tcp::1234", &err)) ... one line, exit 1
 *
 * DEV is a chardev short spec: tcp:[HOST]:PORT (a server that does not
 * wait for the debugger), unix:PATH[,server] (server and no wait are
 * implied), or chardev:ID (an existing -chardev, used as it is).
 *
 * Threads and locks: the stub lives in the main loop (chardev callbacks,
 * BQL held).  It also installs cpu_debug_hook, which runs on a vCPU thread
 * with the BQL when a breakpoint, watchpoint or step completes; that hook
 * stops its vCPU and schedules a bottom half that stops the VM and sends
 * the stop reply from the main thread.
 * Design notes: docs/devel/gdbstub.md.
 */
#ifndef GDBSTUB_GDBSTUB_H
#define GDBSTUB_GDBSTUB_H

#include "util/error.h"

/* Main thread, BQL, once.  False with errp set if DEV cannot be opened. */
bool gdbserver_start(const char *dev, Error **errp);

/* The local TCP port the stub listens on (tests use tcp::0), or -1. */
int gdbserver_port(void);

#endif
