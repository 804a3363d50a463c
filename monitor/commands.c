/*
 * commands.c: the monitor command table (include/monitor/commands.h) and
 * its dispatcher.  Commands are found by the longest table name that the
 * line starts with at a word boundary ("info registers" before "info"), the
 * rest of the line is their argument string.
 *
 * Main thread, BQL held (the front end's callback context).
 */
#include "util/osdep.h"
#include "monitor/commands.h"
#include "system/runstate.h"

static void cmd_help(MonitorContext *ctx, const char *args);

/* "info registers [-a]": the current CPU's state, or every CPU's. */
static void cmd_info_registers(MonitorContext *ctx, const char *args)
{
    bool all = !strcmp(args, "-a");
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);

    if (*args && !all) {
        g_string_append_printf(ctx->out, "info registers: unknown "
                               "argument '%s' (use -a)\n", args);
        return;
    }
    for (int i = 0; i < n; i++) {
        CPUState *cpu = cpus[i];
        char *buf = NULL;
        size_t len = 0;
        FILE *f;

        if (!cpu || (!all && cpu != (ctx->cpu ? ctx->cpu : cpus[0]))) {
            continue;
        }
        if (!cpu->cc || !cpu->cc->dump_state) {
            continue;
        }
        f = open_memstream(&buf, &len);
        if (all) {
            fprintf(f, "CPU#%d\n", cpu->cpu_index);
        }
        cpu->cc->dump_state(cpu, f);
        fclose(f);
        g_string_append(ctx->out, buf);
        free(buf);
    }
}

static void cmd_info_status(MonitorContext *ctx, const char *args)
{
    RunState s = runstate_get();

    g_string_append_printf(ctx->out, "VM status: %s\n",
                           s == RUN_STATE_RUNNING ? "running" :
                           s == RUN_STATE_PRELAUNCH ? "paused (prelaunch)" :
                           runstate_name(s));
}

static void cmd_info_cpus(MonitorContext *ctx, const char *args)
{
    int n = __atomic_load_n(&nr_cpus, __ATOMIC_SEQ_CST);

    for (int i = 0; i < n; i++) {
        CPUState *cpu = cpus[i];

        g_string_append_printf(ctx->out, "%c CPU #%d: %s%s\n",
                               cpu == ctx->cpu ? '*' : ' ', cpu->cpu_index,
                               cpu->halted ? "(halted) " : "",
                               cpu->state == VCPU_RUNNING ? "running" :
                               cpu->state == VCPU_STOPPED ? "stopped" :
                               "paused");
    }
}

static void cmd_system_reset(MonitorContext *ctx, const char *args)
{
    system_reset_request(RESET_CAUSE_HOST);
}

/* The built-in commands, then those registered by devices and targets
 * (monitor_register_command); NULL-terminated.  Main thread, BQL. */
#define MONITOR_CMD_MAX 32
static MonitorCmd monitor_cmd_table[MONITOR_CMD_MAX] = {
    { "help", "[command]", "list commands, or show one", cmd_help },
    { "info registers", "[-a]",
      "the current CPU's registers (-a: every CPU)", cmd_info_registers },
    { "info status", "", "whether the VM runs", cmd_info_status },
    { "info cpus", "", "the vCPUs and their state", cmd_info_cpus },
    { "system_reset", "", "reset the machine", cmd_system_reset },
    { NULL },
};

void monitor_register_command(const MonitorCmd *cmd)
{
    int n = 0;

    for (; monitor_cmd_table[n].name; n++) {
        if (!strcmp(monitor_cmd_table[n].name, cmd->name)) {
            return;
        }
    }
    assert(n + 1 < MONITOR_CMD_MAX);
    monitor_cmd_table[n] = *cmd;
    monitor_cmd_table[n + 1] = (MonitorCmd){ NULL };
}

const MonitorCmd *monitor_commands(void)
{
    return monitor_cmd_table;
}

static void cmd_help(MonitorContext *ctx, const char *args)
{
    for (const MonitorCmd *c = monitor_cmd_table; c->name; c++) {
        if (*args && strncmp(c->name, args, strlen(args))) {
            continue;
        }
        g_string_append_printf(ctx->out, "%s%s%s -- %s\n", c->name,
                               *c->params ? " " : "", c->params, c->help);
    }
}

bool monitor_run_command(MonitorContext *ctx, const char *line)
{
    const MonitorCmd *best = NULL;
    size_t best_len = 0;
    g_autofree char *l = g_strstrip(g_strdup(line));
    char *p;

    /* Collapse runs of blanks so "info   registers" works too. */
    for (p = l; *p; p++) {
        if (g_ascii_isspace(*p)) {
            char *q = p + 1;

            *p = ' ';
            while (g_ascii_isspace(*q)) {
                q++;
            }
            memmove(p + 1, q, strlen(q) + 1);
        }
    }
    for (const MonitorCmd *c = monitor_cmd_table; c->name; c++) {
        size_t n = strlen(c->name);

        if (!strncmp(l, c->name, n) && (l[n] == '\0' || l[n] == ' ') &&
            n > best_len) {
            best = c;
            best_len = n;
        }
    }
    if (!*l) {
        return true;
    }
    if (!best) {
        g_string_append_printf(ctx->out, "unknown command: '%s'\n", l);
        return false;
    }
    best->fn(ctx, l[best_len] ? l + best_len + 1 : "");
    return true;
}
