/*
 * commands.h: the monitor's command table, shared by every front end that
 * runs monitor commands: the gdbstub's "monitor CMD" (qRcmd) today, the
 * human monitor (HMP) and QMP's human-monitor-command later.
 *
 * A command writes its human-readable output into a GString; the front end
 * decides where it goes (gdb console, monitor chardev).  Commands run in the
 * main thread with the BQL held; those that look at CPU state do so with the
 * VM stopped or through run_on_cpu.
 *
 *     MonitorContext ctx = { .cpu = cpus[0], .out = g_string_new(NULL) };
 *     monitor_run_command(&ctx, "info registers");
 *     ... send ctx.out->str ...
 */
#ifndef MONITOR_COMMANDS_H
#define MONITOR_COMMANDS_H

#include "hw/cpu.h"

typedef struct MonitorContext {
    CPUState *cpu;          /* the front end's current CPU, may be NULL */
    GString *out;           /* output, appended to */
} MonitorContext;

typedef void MonitorCmdFn(MonitorContext *ctx, const char *args);

typedef struct MonitorCmd {
    const char *name;       /* "system_reset", "info registers" */
    const char *params;     /* for help: "" or "[-a]" */
    const char *help;       /* one line */
    MonitorCmdFn *fn;
} MonitorCmd;

/*
 * Runs one command line ("info registers", "help").  An unknown command
 * or bad arguments append an error line to ctx->out and return false.
 * Main thread, BQL.
 */
bool monitor_run_command(MonitorContext *ctx, const char *line);
/* The table, NULL-terminated (for help and completion). */
const MonitorCmd *monitor_commands(void);
/*
 * Adds a command that lives with its subsystem ("info lapic" in
 * hw/intc/apic.c); cmd is copied, a second registration of the same name
 * is ignored.  Main thread, BQL (device realize).
 */
void monitor_register_command(const MonitorCmd *cmd);

#endif
