/*
 * main.c: the tandem program: command line, then start-up, then the main
 * loop.
 *
 * main() works in three phases, so that a mistake anywhere on the command
 * line is reported before anything is created:
 *
 *   1. Parse.  Every argument is checked on its own (option name, missing
 *      argument, key=value syntax, numbers, sizes, files that must exist,
 *      options that are not supported yet) and recorded in a Config.  Help
 *      requests that need nothing else ("-M help", "-device help") print
 *      and exit 0 right here.
 *   2. Resolve.  The machine is known now (-M, or the program name), so
 *      -cpu, -smp, -m and the -serial count are checked against it and the
 *      accelerator is chosen from the -accel fallback list.
 *   3. Build and run.  Chardevs, iothreads, serial backends, the
 *      accelerator, the machine, -device devices, the qtest server; then a
 *      system reset, vm_start() (unless -S) and the main loop, which returns
 *      when a shutdown is requested; then orderly teardown and the exit
 *      status the shutdown asked for.
 *
 * Every user mistake is one line on stderr ("tandem: -m 12Q: invalid
 * size ...") and exit status 1: error paths build an Error and end in
 * error_report_err() + exit(1), never an assertion.
 *
 * Threads and locks: everything here runs in the main thread.  The BQL is
 * taken right after the main loop is created and held for the whole run;
 * main_loop_run() drops it only while it sleeps.  main_loop_init() sets up
 * the termination signals (SIGINT/SIGTERM/SIGHUP become a shutdown request
 * with exit status 0), so it runs before anything can start a thread.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"
#include "system/bql.h"
#include "system/cmdline.h"
#include "system/iothread.h"
#include "system/main-loop.h"
#include "system/qtest.h"
#include "system/rcu.h"
#include "system/runstate.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "gdbstub/gdbstub.h"
#include "hw/boards.h"
#include "hw/cpu.h"
#include "hw/qdev.h"

#include <sys/stat.h>

#define MAX_SERIAL 4

typedef enum OptionId {
    OPT_HELP,
    OPT_VERSION,
    OPT_MACHINE,
    OPT_ACCEL,
    OPT_ENABLE_KVM,
    OPT_CPU,
    OPT_SMP,
    OPT_M,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_APPEND,
    OPT_BIOS,
    OPT_SERIAL,
    OPT_CHARDEV,
    OPT_DEVICE,
    OPT_NOGRAPHIC,
    OPT_DISPLAY,
    OPT_NODEFAULTS,
    OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN,
    OPT_D,
    OPT_D_FILE,
    OPT_DFILTER,
    OPT_S_GDB,
    OPT_S_PAUSED,
    OPT_GDB,
    OPT_MONITOR,
    OPT_QMP,
    OPT_QTEST,
    OPT_GLOBAL,
    OPT_OBJECT,
    OPT_UNSUPPORTED,     /* recognised, but its subsystem is not built yet */
} OptionId;

typedef struct OptionDef {
    const char *name;
    bool has_arg;
    OptionId id;
} OptionDef;

static const OptionDef options[] = {
    { "h", false, OPT_HELP },
    { "help", false, OPT_HELP },
    { "version", false, OPT_VERSION },
    { "M", true, OPT_MACHINE },
    { "machine", true, OPT_MACHINE },
    { "accel", true, OPT_ACCEL },
    { "enable-kvm", false, OPT_ENABLE_KVM },
    { "cpu", true, OPT_CPU },
    { "smp", true, OPT_SMP },
    { "m", true, OPT_M },
    { "kernel", true, OPT_KERNEL },
    { "initrd", true, OPT_INITRD },
    { "append", true, OPT_APPEND },
    { "bios", true, OPT_BIOS },
    { "serial", true, OPT_SERIAL },
    { "chardev", true, OPT_CHARDEV },
    { "device", true, OPT_DEVICE },
    { "nographic", false, OPT_NOGRAPHIC },
    { "display", true, OPT_DISPLAY },
    { "nodefaults", false, OPT_NODEFAULTS },
    { "no-reboot", false, OPT_NO_REBOOT },
    { "d", true, OPT_D },
    { "D", true, OPT_D_FILE },
    { "dfilter", true, OPT_DFILTER },
    { "s", false, OPT_S_GDB },
    { "S", false, OPT_S_PAUSED },
    { "gdb", true, OPT_GDB },
    { "monitor", true, OPT_MONITOR },
    { "qmp", true, OPT_QMP },
    { "qtest", true, OPT_QTEST },
    { "global", true, OPT_GLOBAL },
    { "object", true, OPT_OBJECT },
    /* Established options whose subsystems come with later issues. */
    { "netdev", true, OPT_UNSUPPORTED },
    { "drive", true, OPT_UNSUPPORTED },
    { "net", true, OPT_UNSUPPORTED },
    { "nic", true, OPT_UNSUPPORTED },
    { "hda", true, OPT_UNSUPPORTED },
    { "cdrom", true, OPT_UNSUPPORTED },
    { "vga", true, OPT_UNSUPPORTED },
    { "vnc", true, OPT_UNSUPPORTED },
    { "virtfs", true, OPT_UNSUPPORTED },
    { "icount", true, OPT_UNSUPPORTED },
    { "rtc", true, OPT_UNSUPPORTED },
    { "boot", true, OPT_UNSUPPORTED },
    { "daemonize", false, OPT_UNSUPPORTED },
    { "no-shutdown", false, OPT_NO_SHUTDOWN },
    { "snapshot", false, OPT_UNSUPPORTED },
};

/* How an accelerator was asked for: the words of the option, for messages. */
typedef struct AccelChoice {
    char *name;            /* "tcg", "kvm", "qtest" */
    char *source;          /* "-accel tcg", "-enable-kvm", "-M accel=kvm" */
    bool single_thread;    /* tcg,thread=single: vCPUs take turns */
} AccelChoice;

typedef struct IothreadOpt {
    char *id;
} IothreadOpt;

/* Everything the command line asked for, before any of it is acted on. */
typedef struct Config {
    const MachineClass *mc;
    GArray *accels;              /* AccelChoice, in fallback order */
    bool accel_from_machine;     /* "-M accel=" was used */
    bool accel_from_option;      /* -accel or -enable-kvm was used */
    char *kernel_irqchip;        /* owned; freed with the process */
    const char *cpu;             /* -cpu NAME */
    bool cpu_help;
    const char *smp_arg;         /* for messages */
    uint64_t smp_cpus, smp_sockets, smp_cores, smp_threads, smp_maxcpus;
    bool mem_given;
    uint64_t ram_size;           /* bytes */
    uint64_t ram_slots, maxram_size;   /* -m slots=, maxmem= */
    const char *kernel, *initrd, *append, *bios;
    const char *serial[MAX_SERIAL];
    int nr_serial;
    GPtrArray *chardevs;         /* option strings */
    GPtrArray *chardev_ids;      /* ids of -chardev, for duplicates */
    GPtrArray *devices;          /* option strings */
    GPtrArray *globals;          /* -global option strings */
    GArray *iothreads;           /* IothreadOpt */
    bool nographic, nodefaults, no_reboot, no_shutdown, start_paused;
    bool display_none;
    const char *gdb_dev;         /* -s / -gdb: the gdbstub's chardev */
    unsigned log_mask;
    const char *log_file;
    const char *qtest;
} Config;

static void usage(void)
{
    printf(
"Usage: tandem [options]\n"
"\n"
"Tandem emulator version " TANDEM_VERSION ": a full-system emulator for x86_64\n"
"(-M pc) and 64-bit POWER (-M pseries).  Options may start with - or --.\n"
"\n"
"Machine:\n"
"  -M, -machine NAME[,accel=A[:B]][,kernel-irqchip=on|off|split]\n"
"                          select the machine (-M help lists them)\n"
"  -accel NAME[,kernel-irqchip=on|off|split][,thread=single|multi]\n"
"                          select an accelerator; repeat for a fallback list\n"
"                          (-accel help lists them)\n"
"  -enable-kvm             same as -accel kvm\n"
"  -cpu NAME               CPU model (-cpu help lists the machine's models)\n"
"  -smp N[,sockets=S][,cores=C][,threads=T][,maxcpus=M]\n"
"                          number of CPUs and their topology\n"
"  -m [size=]SIZE[,slots=N,maxmem=SIZE]\n"
"                          RAM size; a bare number is MiB, or use k/M/G/T\n"
"\n"
"Boot:\n"
"  -kernel FILE            kernel (or multiboot image) to boot\n"
"  -initrd FILE[,FILE...]  initial ramdisk(s), or multiboot modules\n"
"  -append STRING          kernel command line\n"
"  -bios FILE              firmware image\n"
"\n"
"Devices and I/O:\n"
"  -serial SPEC            a serial port backend (up to 4): stdio, null, none,\n"
"                          file:PATH, pipe:PATH, pty, tcp:HOST:PORT[,server,\n"
"                          nowait], unix:PATH[,server,nowait], mon:stdio,\n"
"                          chardev:ID\n"
"  -chardev BACKEND,id=ID[,...]\n"
"                          a character backend (-chardev help lists them)\n"
"  -device DRIVER[,prop=value][,id=ID]\n"
"                          add a device (-device help, -device DRIVER,help)\n"
"  -global DRIVER.PROP=VALUE\n"
"                          default of a property for every DRIVER device\n"
"  -object iothread,id=ID  an I/O thread\n"
"  -nographic              no display; the serial port and Ctrl-A escapes\n"
"                          are on stdio\n"
"  -display none           no display\n"
"  -nodefaults             no default serial port\n"
"\n"
"Running:\n"
"  -no-reboot              exit instead of rebooting\n"
"  -no-shutdown            stop the guest instead of exiting when -no-reboot\n"
"                          turns a guest reset into a shutdown\n"
"  -S                      do not start the machine until told to\n"
"  -s                      shorthand for -gdb tcp::1234\n"
"  -gdb DEV                wait for gdb on DEV: tcp:[HOST]:PORT,\n"
"                          unix:PATH[,server] or chardev:ID\n"
"  -qtest SPEC             serve the device-test protocol on a chardev spec\n"
"                          (with -accel qtest)\n"
"  -d ITEM[,...]           debug log items (-d help lists them)\n"
"  -D FILE                 write the debug log to FILE\n"
"  -dfilter RANGE[,...]    log only guest code in START..LAST, START+LEN, END-LEN\n"
"  -h, -help               this text\n"
"  -version                version\n"
"\n"
"Not supported yet (accepted by name, then refused): -monitor (except none),\n"
"-qmp (except none), -netdev, -drive, -display other than\n"
"none, -accel tcg, -accel kvm, -enable-kvm.  See tandem(1).\n");
}

static const OptionDef *option_lookup(const char *arg)
{
    const char *name = arg + 1;

    if (name[0] == '-') {
        name++;
    }
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        if (!strcmp(options[i].name, name)) {
            return &options[i];
        }
    }
    return NULL;
}

/*
 * A file argument that must exist and be a readable regular file (or a
 * character device such as /dev/null).
 */
static bool check_input_file(const char *opt, const char *path, Error **errp)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        error_setg_errno(errp, errno, "%s %s", opt, path);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error_setg_errno(errp, EISDIR, "%s %s", opt, path);
        return false;
    }
    if (access(path, R_OK) < 0) {
        error_setg_errno(errp, errno, "%s %s", opt, path);
        return false;
    }
    return true;
}

static void accel_choice_add(Config *c, const char *name, const char *source)
{
    AccelChoice a = { g_strdup(name), g_strdup(source) };

    g_array_append_val(c->accels, a);
}

/* "not supported yet": tcg and kvm are known names before they exist. */
static bool accel_name_known(const char *name)
{
    return accel_find(name) || !strcmp(name, "tcg") || !strcmp(name, "kvm");
}

static bool parse_kernel_irqchip(Config *c, const char *opt, const char *arg,
                                 const char *val, Error **errp)
{
    if (strcmp(val, "on") && strcmp(val, "off") && strcmp(val, "split")) {
        error_setg(errp, "%s %s: kernel-irqchip must be on, off or split",
                   opt, arg);
        return false;
    }
    g_free(c->kernel_irqchip);
    c->kernel_irqchip = g_strdup(val);     /* val belongs to the Opts */
    return true;
}

static bool parse_machine(Config *c, const char *opt, const char *arg,
                          Error **errp)
{
    Opts *o = opts_parse(arg, "type", errp);
    const char *type, *accel, *irqchip;
    bool ok = false;

    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    if (opts_wants_help(o)) {
        machine_class_list(stdout);
        exit(0);
    }
    type = opts_get(o, "type");
    if (type) {
        c->mc = machine_class_find(type);
        if (!c->mc) {
            error_setg(errp, "%s %s: unknown machine (try -M help)", opt, arg);
            goto out;
        }
    }
    accel = opts_get(o, "accel");
    if (accel) {
        g_auto(GStrv) names = g_strsplit(accel, ":", -1);

        if (c->accel_from_option) {
            error_setg(errp, "%s %s: accel= cannot be combined with -accel",
                       opt, arg);
            goto out;
        }
        for (char **n = names; *n; n++) {
            g_autofree char *src = g_strdup_printf("%s accel=%s", opt, *n);

            if (!accel_name_known(*n)) {
                error_setg(errp, "%s %s: unknown accelerator '%s' "
                           "(try -accel help)", opt, arg, *n);
                goto out;
            }
            accel_choice_add(c, *n, src);
        }
        c->accel_from_machine = true;
    }
    irqchip = opts_get(o, "kernel-irqchip");
    if (irqchip && !parse_kernel_irqchip(c, opt, arg, irqchip, errp)) {
        goto out;
    }
    if (!opts_check_unused(o, "machine", errp)) {
        error_prepend(errp, "%s %s: ", opt, arg);
        goto out;
    }
    ok = true;
out:
    opts_free(o);
    return ok;
}

static bool parse_accel(Config *c, const char *opt, const char *arg,
                        Error **errp)
{
    Opts *o = opts_parse(arg, "accel", errp);
    const char *name, *irqchip, *thread;
    bool ok = false;

    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    if (opts_wants_help(o)) {
        accel_list(stdout);
        exit(0);
    }
    name = opts_get(o, "accel");
    if (!name) {
        error_setg(errp, "%s %s: no accelerator named", opt, arg);
        goto out;
    }
    if (!accel_name_known(name)) {
        error_setg(errp, "%s %s: unknown accelerator (try -accel help)", opt,
                   arg);
        goto out;
    }
    if (c->accel_from_machine) {
        error_setg(errp, "%s %s: cannot be combined with -machine accel=",
                   opt, arg);
        goto out;
    }
    irqchip = opts_get(o, "kernel-irqchip");
    if (irqchip && !parse_kernel_irqchip(c, opt, arg, irqchip, errp)) {
        goto out;
    }
    thread = opts_get(o, "thread");
    if (thread) {
        /* multi (default): one host thread per vCPU, in parallel; single:
         * the vCPUs take turns in guest code (cpu_set_round_robin). */
        if (strcmp(name, "tcg")) {
            error_setg(errp, "%s %s: thread= is only valid for -accel tcg",
                       opt, arg);
            goto out;
        }
        if (strcmp(thread, "multi") && strcmp(thread, "single")) {
            error_setg(errp, "%s %s: thread must be single or multi", opt,
                       arg);
            goto out;
        }
    }
    if (!opts_check_unused(o, "accelerator", errp)) {
        error_prepend(errp, "%s %s: ", opt, arg);
        goto out;
    }
    {
        g_autofree char *src = g_strdup_printf("%s %s", opt, name);

        accel_choice_add(c, name, src);
        g_array_index(c->accels, AccelChoice, c->accels->len - 1)
            .single_thread = thread && !strcmp(thread, "single");
    }
    c->accel_from_option = true;
    ok = true;
out:
    opts_free(o);
    return ok;
}

static bool parse_smp(Config *c, const char *opt, const char *arg,
                      Error **errp)
{
    static const char *const keys[] = {
        "cpus", "sockets", "cores", "threads", "maxcpus",
    };
    uint64_t *vals[] = {
        &c->smp_cpus, &c->smp_sockets, &c->smp_cores, &c->smp_threads,
        &c->smp_maxcpus,
    };
    Opts *o = opts_parse(arg, "cpus", errp);
    bool ok = false;

    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const char *v = opts_get(o, keys[i]);

        *vals[i] = 0;
        if (!v) {
            continue;
        }
        if (!parse_uint64(v, vals[i])) {
            error_setg(errp, "%s %s: invalid number '%s' for %s", opt, arg, v,
                       keys[i]);
            goto out;
        }
        if (*vals[i] == 0) {
            error_setg(errp, "%s %s: %s must be at least 1", opt, arg,
                       keys[i]);
            goto out;
        }
        /* Far above any machine's limit; keeps the products below exact. */
        if (*vals[i] > 65536) {
            error_setg(errp, "%s %s: %s=%s is too large", opt, arg, keys[i],
                       v);
            goto out;
        }
    }
    if (!opts_check_unused(o, "-smp", errp)) {
        error_prepend(errp, "%s %s: ", opt, arg);
        goto out;
    }
    c->smp_arg = arg;
    ok = true;
out:
    opts_free(o);
    return ok;
}

/* A -m size: a bare number is MiB (unlike device sizes, which are bytes). */
static bool parse_mem_size(const char *v, uint64_t *size)
{
    g_autofree char *with_unit = NULL;

    if (!*v) {
        return false;
    }
    with_unit = g_ascii_isdigit(v[strlen(v) - 1]) ?
                g_strconcat(v, "M", NULL) : g_strdup(v);
    return parse_size(with_unit, size);
}

/*
 * -m [size=]SIZE[,slots=N,maxmem=SIZE], with the established checks:
 * maxmem at least size, slots and maxmem only together, and with slots
 * maxmem above size.  Memory hotplug itself does not exist yet, so slots
 * and maxmem are validated and recorded only.
 */
static bool parse_mem(Config *c, const char *opt, const char *arg,
                      Error **errp)
{
    Opts *o = opts_parse(arg, "size", errp);
    const char *v, *slots_str, *maxmem_str;
    uint64_t size, slots = 0, maxmem = 0;
    bool ok = false;

    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    v = opts_get(o, "size");
    slots_str = opts_get(o, "slots");
    maxmem_str = opts_get(o, "maxmem");
    if (!opts_check_unused(o, "memory", errp)) {
        error_prepend(errp, "%s %s: ", opt, arg);
        goto out;
    }
    if (!v) {
        error_setg(errp, "%s %s: no size given", opt, arg);
        goto out;
    }
    if (!parse_mem_size(v, &size)) {
        error_setg(errp, "%s %s: invalid size (a number of MiB, or with a "
                   "suffix k, M, G or T)", opt, arg);
        goto out;
    }
    if (size == 0) {
        error_setg(errp, "%s %s: RAM size must not be zero", opt, arg);
        goto out;
    }
    if (size > UINT64_MAX - 4095) {
        error_setg(errp, "%s %s: RAM size too large", opt, arg);
        goto out;
    }
    size = ROUND_UP(size, 4096);
    if (slots_str && (!parse_uint64(slots_str, &slots) || slots > 256)) {
        error_setg(errp, "%s %s: slots must be a number from 0 to 256", opt,
                   arg);
        goto out;
    }
    if (maxmem_str) {
        if (!parse_mem_size(maxmem_str, &maxmem)) {
            error_setg(errp, "%s %s: invalid maxmem size", opt, arg);
            goto out;
        }
        if (maxmem < size) {
            error_setg(errp, "%s %s: maxmem (%" PRIu64 " bytes) must be at "
                       "least the RAM size (%" PRIu64 " bytes)", opt, arg,
                       maxmem, size);
            goto out;
        }
        if (slots && maxmem == size) {
            error_setg(errp, "%s %s: slots were given but maxmem equals the "
                       "RAM size", opt, arg);
            goto out;
        }
        if (!slots && maxmem > size) {
            error_setg(errp, "%s %s: maxmem was given but no slots", opt,
                       arg);
            goto out;
        }
    } else if (slots) {
        error_setg(errp, "%s %s: slots needs maxmem", opt, arg);
        goto out;
    }
    c->ram_size = size;
    c->ram_slots = slots;
    c->maxram_size = maxmem ? maxmem : size;
    c->mem_given = true;
    ok = true;
out:
    opts_free(o);
    return ok;
}

static bool parse_chardev(Config *c, const char *opt, const char *arg,
                          Error **errp)
{
    Opts *o;
    const char *id;
    bool ok = false;

    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        chardev_list_backends(stdout);
        exit(0);
    }
    o = opts_parse(arg, "backend", errp);
    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    id = opts_get(o, "id");
    if (!id) {
        error_setg(errp, "%s %s: parameter 'id' is missing", opt, arg);
        goto out;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "%s %s: invalid id '%s'", opt, arg, id);
        goto out;
    }
    for (guint i = 0; i < c->chardev_ids->len; i++) {
        if (!strcmp(g_ptr_array_index(c->chardev_ids, i), id)) {
            error_setg(errp, "%s %s: duplicate ID '%s' for chardev", opt, arg,
                       id);
            goto out;
        }
    }
    g_ptr_array_add(c->chardev_ids, g_strdup(id));
    g_ptr_array_add(c->chardevs, (gpointer)arg);
    ok = true;
out:
    opts_free(o);
    return ok;
}

static bool parse_device(Config *c, const char *opt, const char *arg,
                         Error **errp)
{
    Opts *o;
    const char *driver;
    bool ok = false;

    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        device_class_list(stdout);
        exit(0);
    }
    o = opts_parse(arg, "driver", errp);
    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    if (opts_wants_help(o)) {
        const DeviceClass *dc;

        driver = opts_get(o, "driver");
        dc = driver ? device_class_find(driver) : NULL;

        if (!dc) {
            error_setg(errp, "%s %s: unknown device '%s' (try -device help)",
                       opt, arg, driver ? driver : "");
            goto out;
        }
        device_class_list_props(stdout, dc);
        exit(0);
    }
    /* An unknown driver is known now; properties are checked on creation. */
    driver = opts_get(o, "driver");
    if (!driver || !device_class_find(driver)) {
        error_setg(errp, "%s %s: unknown device '%s' (try -device help)",
                   opt, arg, driver ? driver : "");
        goto out;
    }
    g_ptr_array_add(c->devices, (gpointer)arg);
    ok = true;
out:
    opts_free(o);
    return ok;
}

static bool parse_object(Config *c, const char *opt, const char *arg,
                         Error **errp)
{
    Opts *o;
    const char *type, *id;
    bool ok = false;

    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        printf("Object types:\n  iothread    an event-loop thread for device "
               "back ends\n");
        exit(0);
    }
    o = opts_parse(arg, "qom-type", errp);
    if (!o) {
        error_prepend(errp, "%s %s: ", opt, arg);
        return false;
    }
    type = opts_get(o, "qom-type");
    if (!type || strcmp(type, "iothread")) {
        error_setg(errp, "%s %s: unknown object type '%s' (try -object help)",
                   opt, arg, type ? type : "");
        goto out;
    }
    id = opts_get(o, "id");
    if (!id) {
        error_setg(errp, "%s %s: parameter 'id' is missing", opt, arg);
        goto out;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "%s %s: invalid id '%s'", opt, arg, id);
        goto out;
    }
    for (guint i = 0; i < c->iothreads->len; i++) {
        if (!strcmp(g_array_index(c->iothreads, IothreadOpt, i).id, id)) {
            error_setg(errp, "%s %s: duplicate ID '%s' for object", opt, arg,
                       id);
            goto out;
        }
    }
    if (!opts_check_unused(o, "iothread", errp)) {
        error_prepend(errp, "%s %s: ", opt, arg);
        goto out;
    }
    {
        IothreadOpt io = { g_strdup(id) };

        g_array_append_val(c->iothreads, io);
    }
    ok = true;
out:
    opts_free(o);
    return ok;
}

static bool parse_display(Config *c, const char *opt, const char *arg,
                          Error **errp)
{
    static const char *const later[] = {
        "sdl", "gtk", "curses", "vnc", "egl-headless", "spice-app", "dbus",
        "cocoa", NULL,
    };
    g_autofree char *type = g_strndup(arg, strcspn(arg, ","));

    if (!strcmp(type, "none")) {
        if (strcmp(arg, "none")) {
            error_setg(errp, "%s %s: the none display takes no options", opt,
                       arg);
            return false;
        }
        c->display_none = true;
        return true;
    }
    for (int i = 0; later[i]; i++) {
        if (!strcmp(type, later[i])) {
            error_setg(errp, "not supported yet: %s %s", opt, type);
            return false;
        }
    }
    if (!strcmp(type, "help") || !strcmp(type, "?")) {
        printf("Available displays:\n  none\n");
        exit(0);
    }
    error_setg(errp, "%s %s: unknown display type", opt, arg);
    return false;
}

static bool parse_initrd(Config *c, const char *opt, const char *arg,
                         Error **errp)
{
    g_auto(GStrv) items = g_strsplit(arg, ",", -1);

    for (char **p = items; *p; p++) {
        /* Multiboot modules: "file arg arg"; the file name ends at ' '. */
        g_autofree char *name = g_strndup(*p, strcspn(*p, " "));

        if (!check_input_file(opt, name, errp)) {
            return false;
        }
    }
    c->initrd = arg;
    return true;
}

/* Phase 1: records argv in c; help requests print and exit 0. */
static bool parse_command_line(Config *c, int argc, char **argv,
                               Error **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const OptionDef *def;
        g_autofree char *opt = NULL;     /* "-name" for messages */
        const char *arg = NULL;

        if (a[0] != '-' || !a[1]) {
            error_setg(errp, "%s: unexpected argument (disk images are not "
                       "supported yet)", a);
            return false;
        }
        def = option_lookup(a);
        if (!def) {
            error_setg(errp, "%s: invalid option", a);
            return false;
        }
        opt = g_strconcat("-", def->name, NULL);
        if (def->has_arg) {
            if (i + 1 >= argc) {
                error_setg(errp, "%s: missing argument", opt);
                return false;
            }
            arg = argv[++i];
        }

        switch (def->id) {
        case OPT_HELP:
            usage();
            exit(0);
        case OPT_VERSION:
            printf("Tandem emulator version " TANDEM_VERSION "\n"
                   "Written from scratch by the Tandem developers.\n");
            exit(0);
        case OPT_MACHINE:
            if (!parse_machine(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_ACCEL:
            if (!parse_accel(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_ENABLE_KVM:
            if (c->accel_from_machine) {
                error_setg(errp, "%s: cannot be combined with -machine accel=",
                           opt);
                return false;
            }
            accel_choice_add(c, "kvm", opt);
            c->accel_from_option = true;
            break;
        case OPT_CPU:
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                c->cpu_help = true;   /* needs the machine: phase 2 */
            } else {
                c->cpu = arg;
            }
            break;
        case OPT_SMP:
            if (!parse_smp(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_M:
            if (!parse_mem(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_KERNEL:
            if (!check_input_file(opt, arg, errp)) {
                return false;
            }
            c->kernel = arg;
            break;
        case OPT_INITRD:
            if (!parse_initrd(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_APPEND:
            c->append = arg;
            break;
        case OPT_BIOS:
            if (!check_input_file(opt, arg, errp)) {
                return false;
            }
            c->bios = arg;
            break;
        case OPT_SERIAL:
            if (c->nr_serial == MAX_SERIAL) {
                error_setg(errp, "%s %s: too many serial ports (at most %d)",
                           opt, arg, MAX_SERIAL);
                return false;
            }
            c->serial[c->nr_serial++] = arg;
            break;
        case OPT_CHARDEV:
            if (!parse_chardev(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_DEVICE:
            if (!parse_device(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_NOGRAPHIC:
            c->nographic = true;
            break;
        case OPT_DISPLAY:
            if (!parse_display(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_NODEFAULTS:
            c->nodefaults = true;
            break;
        case OPT_NO_REBOOT:
            c->no_reboot = true;
            break;
        case OPT_NO_SHUTDOWN:
            c->no_shutdown = true;
            break;
        case OPT_D:
            if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
                log_list_items(stdout);
                exit(0);
            }
            if (!log_parse_items(arg, &c->log_mask, errp)) {
                return false;
            }
            break;
        case OPT_D_FILE:
            c->log_file = arg;
            break;
        case OPT_DFILTER:
            if (!log_parse_dfilter(arg, errp)) {
                return false;
            }
            break;
        case OPT_S_PAUSED:
            c->start_paused = true;
            break;
        case OPT_MONITOR:
        case OPT_QMP:
            /* "none" asks for no monitor, which is what we have. */
            if (strcmp(arg, "none")) {
                error_setg(errp, "not supported yet: %s", opt);
                return false;
            }
            break;
        case OPT_QTEST:
            c->qtest = arg;
            break;
        case OPT_GLOBAL:
            g_ptr_array_add(c->globals, (gpointer)arg);
            break;
        case OPT_OBJECT:
            if (!parse_object(c, opt, arg, errp)) {
                return false;
            }
            break;
        case OPT_S_GDB:
            c->gdb_dev = "tcp::1234";
            break;
        case OPT_GDB:
            c->gdb_dev = arg;
            break;
        case OPT_UNSUPPORTED:
            error_setg(errp, "not supported yet: %s", opt);
            return false;
        }
    }
    return true;
}

/* Phase 2: -smp against the machine.  Fills ms->smp_*. */
static bool resolve_smp(Config *c, MachineState *ms, Error **errp)
{
    const MachineClass *mc = c->mc;
    const char *arg = c->smp_arg;
    uint64_t cpus = c->smp_cpus, sockets = c->smp_sockets;
    uint64_t cores = c->smp_cores, threads = c->smp_threads;
    uint64_t maxcpus = c->smp_maxcpus;

    if (!arg) {
        cpus = sockets = cores = threads = maxcpus = 1;
    } else {
        /* Missing values as the established machines since 6.2 fill
         * them: CPUs from the topology or the other way round, and of
         * the topology preferring cores over sockets over threads. */
        if (!cpus && !maxcpus) {
            sockets = sockets ? sockets : 1;
            cores = cores ? cores : 1;
            threads = threads ? threads : 1;
        } else {
            maxcpus = maxcpus ? maxcpus : cpus;
            if (!cores) {
                sockets = sockets ? sockets : 1;
                threads = threads ? threads : 1;
                cores = maxcpus / (sockets * threads);
            } else if (!sockets) {
                threads = threads ? threads : 1;
                sockets = maxcpus / (cores * threads);
            } else if (!threads) {
                threads = maxcpus / (sockets * cores);
            }
        }
        maxcpus = maxcpus ? maxcpus : sockets * cores * threads;
        cpus = cpus ? cpus : maxcpus;
        if (sockets * cores * threads != maxcpus) {
            error_setg(errp, "-smp %s: sockets (%" PRIu64 ") * cores (%" PRIu64
                       ") * threads (%" PRIu64 ") = %" PRIu64
                       " does not match maxcpus (%" PRIu64 ")", arg, sockets,
                       cores, threads, sockets * cores * threads, maxcpus);
            return false;
        }
        if (cpus > maxcpus) {
            error_setg(errp, "-smp %s: %" PRIu64 " CPUs exceed maxcpus (%"
                       PRIu64 ")", arg, cpus, maxcpus);
            return false;
        }
    }
    if (maxcpus > (uint64_t)mc->max_cpus) {
        error_setg(errp, "-smp %s: machine '%s' supports at most %d CPU%s",
                   arg ? arg : "1", mc->name, mc->max_cpus,
                   mc->max_cpus == 1 ? "" : "s");
        return false;
    }
    ms->smp_cpus = cpus;
    ms->smp_sockets = sockets;
    ms->smp_cores = cores;
    ms->smp_threads = threads;
    ms->smp_max_cpus = maxcpus;
    return true;
}

/* Phase 2: the machine's view of the command line. */
static bool resolve_machine(Config *c, MachineState *ms, Error **errp)
{
    const MachineClass *mc = c->mc;

    ms->mc = mc;
    if (c->cpu_help) {
        machine_cpu_list(stdout, mc);
        exit(0);
    }
    if (c->cpu) {
        if (!mc->cpu_models) {
            error_setg(errp, "-cpu %s: machine '%s' has no CPUs", c->cpu,
                       mc->name);
            return false;
        }
        if (mc->cpu_check) {
            if (!mc->cpu_check(c->cpu, errp)) {
                return false;
            }
        } else if (strchr(c->cpu, ',')) {
            error_setg(errp, "-cpu %s: CPU features are not supported yet",
                       c->cpu);
            return false;
        } else if (!machine_cpu_model_find(mc, c->cpu)) {
            error_setg(errp, "-cpu %s: unknown CPU model for machine '%s' "
                       "(try -cpu help)", c->cpu, mc->name);
            return false;
        }
        ms->cpu_type = c->cpu;
    } else {
        ms->cpu_type = mc->default_cpu_type;
    }
    if (!resolve_smp(c, ms, errp)) {
        return false;
    }
    ms->ram_size = c->mem_given ? c->ram_size : mc->default_ram_size;
    ms->ram_slots = c->ram_slots;
    ms->maxram_size = c->mem_given ? c->maxram_size : ms->ram_size;
    if (c->nr_serial > mc->max_serial) {
        if (mc->max_serial) {
            error_setg(errp, "-serial %s: machine '%s' has only %d serial "
                       "port%s", c->serial[mc->max_serial], mc->name,
                       mc->max_serial, mc->max_serial == 1 ? "" : "s");
        } else {
            error_setg(errp, "-serial %s: machine '%s' has no serial ports",
                       c->serial[0], mc->name);
        }
        return false;
    }
    if (c->append && !c->kernel) {
        error_setg(errp, "-append: only allowed with -kernel");
        return false;
    }
    if (c->initrd && !c->kernel) {
        error_setg(errp, "-initrd %s: only allowed with -kernel", c->initrd);
        return false;
    }
    ms->kernel_filename = c->kernel;
    ms->initrd_filename = c->initrd;
    ms->kernel_cmdline = c->append;
    ms->bios_filename = c->bios;
    ms->nographic = c->nographic;
    ms->kernel_irqchip = c->kernel_irqchip;
    return true;
}

/*
 * Phase 2: the accelerator.  With no -accel, the first available of tcg
 * and kvm that supports the machine's arch (tcg: a translator exists for
 * it); if none does, the machine runs with no accelerator and no vCPUs
 * (devices only), unless -qtest asks for the qtest accelerator.
 * With a list, the first that is available; a skipped entry is reported
 * as a notice once a later one works.
 */
static bool select_accel(Config *c, Error **errp)
{
    g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func(g_free);

    current_accel = NULL;
    if (!c->accels->len) {
        static const char *const defaults[] = { "tcg", "kvm" };

        if (c->qtest) {
            accel_choice_add(c, "qtest", "-qtest");
        } else {
            for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
                const AccelOps *ops = accel_find(defaults[i]);

                if (ops && (!ops->available || ops->available(NULL)) &&
                    (!ops->supports_arch ||
                     ops->supports_arch(c->mc->arch, NULL))) {
                    current_accel = ops;
                    return true;
                }
            }
            return true;           /* devices only: no accelerator yet */
        }
    }
    for (guint i = 0; i < c->accels->len; i++) {
        AccelChoice *a = &g_array_index(c->accels, AccelChoice, i);
        const AccelOps *ops = accel_find(a->name);
        Error *err = NULL;
        char *why;

        if (!ops) {
            why = g_strdup_printf("not supported yet: %s", a->source);
        } else if (!strcmp(a->name, "qtest") && !c->qtest) {
            why = g_strdup_printf("%s: requires -qtest", a->source);
        } else if (ops->available && !ops->available(&err)) {
            why = g_strdup_printf("%s: %s", a->source,
                                  err ? error_get_pretty(err) : "not available");
            error_free(err);
        } else if (ops->supports_arch &&
                   !ops->supports_arch(c->mc->arch, &err)) {
            why = g_strdup_printf("%s: %s", a->source,
                                  error_get_pretty(err));
            error_free(err);
        } else {
            for (guint j = 0; j < reasons->len; j++) {
                info_report("%s; falling back to %s",
                            (char *)g_ptr_array_index(reasons, j), a->source);
            }
            current_accel = ops;
            cpu_set_round_robin(a->single_thread);
            return true;
        }
        g_ptr_array_add(reasons, why);
    }
    if (reasons->len == 1) {
        error_setg(errp, "%s", (char *)g_ptr_array_index(reasons, 0));
    } else {
        g_autofree char *all = NULL;

        g_ptr_array_add(reasons, NULL);
        all = g_strjoinv("; ", (char **)reasons->pdata);
        error_setg(errp, "no accelerator available (%s)", all);
    }
    return false;
}

/* Phase 3: -chardev, -object, -serial (in that order: -serial chardev:ID
 * and device properties refer to chardevs by id). */
static bool create_backends(Config *c, MachineState *ms, Error **errp)
{
    for (guint i = 0; i < c->chardevs->len; i++) {
        const char *arg = g_ptr_array_index(c->chardevs, i);

        if (!chardev_new_from_opts(arg, errp)) {
            error_prepend(errp, "-chardev %s: ", arg);
            return false;
        }
    }
    /* After the chardevs: a -global may name one as a value. */
    for (guint i = 0; i < c->globals->len; i++) {
        const char *arg = g_ptr_array_index(c->globals, i);

        if (!qdev_global_add(arg, errp)) {
            error_prepend(errp, "-global %s: ", arg);
            return false;
        }
    }
    for (guint i = 0; i < c->iothreads->len; i++) {
        const char *id = g_array_index(c->iothreads, IothreadOpt, i).id;

        if (!iothread_new(id, errp)) {
            error_prepend(errp, "-object iothread,id=%s: ", id);
            return false;
        }
    }
    if (c->nr_serial) {
        for (int i = 0; i < c->nr_serial; i++) {
            g_autofree char *label = g_strdup_printf("serial%d", i);

            if (!strcmp(c->serial[i], "none")) {
                continue;
            }
            ms->serial[i] = chardev_new_from_spec(c->serial[i], label, errp);
            if (!ms->serial[i]) {
                error_prepend(errp, "-serial %s: ", c->serial[i]);
                return false;
            }
        }
    } else if (!c->nodefaults && !ms->mc->no_serial_default) {
        /*
         * The default serial port.  With -nographic it is the console on
         * stdio, behind a mux so Ctrl-A works.  With no display at all
         * (none exists yet) it goes to stdio too, as the window it would
         * have been shown in does not exist; with -display none or under
         * qtest it goes nowhere.
         */
        const char *spec = (!c->nographic && (c->display_none || c->qtest)) ?
                           "null" : "mon:stdio";
        Chardev *chr = chardev_new_from_spec(spec, "serial0", errp);

        if (!chr) {
            error_prepend(errp, "default serial port (%s): ", spec);
            return false;
        }
        ms->serial[0] = strcmp(spec, "null") ? chardev_get_mux(chr) : chr;
    }
    return true;
}

static void reset_devices(void *opaque)
{
    devices_reset_all();
}

static void config_init(Config *c)
{
    memset(c, 0, sizeof(*c));
    c->accels = g_array_new(false, true, sizeof(AccelChoice));
    c->chardevs = g_ptr_array_new();
    c->chardev_ids = g_ptr_array_new_with_free_func(g_free);
    c->devices = g_ptr_array_new();
    c->globals = g_ptr_array_new();
    c->iothreads = g_array_new(false, true, sizeof(IothreadOpt));
}

int main(int argc, char **argv)
{
    static MachineState machine;
    MachineState *ms = &machine;
    Error *err = NULL;
    static Config cfg;           /* static: reachable at exit (LSan) */
    int status;

    thread_set_name("main");
    rcu_register_thread();
    /* Before any other thread exists: it sets the signal mask they inherit. */
    main_loop_init();
    bql_lock(bql_cause_init);

    /* Phase 1. */
    config_init(&cfg);
    cfg.mc = argc > 0 ? machine_class_for_progname(argv[0]) : NULL;
    if (!cfg.mc) {
        cfg.mc = machine_class_find("pc");
    }
    assert(cfg.mc);
    if (!parse_command_line(&cfg, argc, argv, &err)) {
        goto fail;
    }

    /* Phase 2. */
    if (cfg.log_file && !log_set_file(cfg.log_file, &err)) {
        goto fail;
    }
    log_mask = cfg.log_mask;
    /* Lock sections are timed only for the -d bql table (bql.c). */
    bql_set_timing(log_enabled(LOG_BQL));
    if (!resolve_machine(&cfg, ms, &err) || !select_accel(&cfg, &err)) {
        goto fail;
    }
    no_reboot = cfg.no_reboot;
    no_shutdown = cfg.no_shutdown;

    /* Phase 3. */
    current_machine = ms;
    if (!create_backends(&cfg, ms, &err)) {
        goto fail;
    }
    if (current_accel && current_accel->init_machine &&
        !current_accel->init_machine(ms, &err)) {
        error_prepend(&err, "accelerator %s: ", current_accel->name);
        goto fail;
    }
    if (!ms->mc->init(ms, &err)) {
        error_prepend(&err, "machine %s: ", ms->mc->name);
        goto fail;
    }
    for (guint i = 0; i < cfg.devices->len; i++) {
        const char *arg = g_ptr_array_index(cfg.devices, i);

        if (!device_new_from_opts(arg, &err)) {
            error_prepend(&err, "-device %s: ", arg);
            goto fail;
        }
    }
    if (cfg.qtest && !qtest_server_init(cfg.qtest, &err)) {
        error_prepend(&err, "-qtest %s: ", cfg.qtest);
        goto fail;
    }
    if (cfg.gdb_dev && !gdbserver_start(cfg.gdb_dev, &err)) {
        error_prepend(&err, "-gdb %s: ", cfg.gdb_dev);
        goto fail;
    }
    reset_handler_register(reset_devices, NULL);
    system_reset();
    if (!cfg.start_paused) {
        vm_start();
    }

    main_loop_run();

    cpu_stop_all_and_join();
    iothread_stop_all();
    if (log_enabled(LOG_BQL)) {
        bql_stats_dump(log_file());
        if (current_accel && current_accel->dump_stats) {
            current_accel->dump_stats(log_file());
        }
    }
    status = main_loop_exit_status(NULL);
    chardev_close_all();
    chardev_restore_terminals();
    bql_unlock();
    return status;

fail:
    error_report_err(err);
    chardev_restore_terminals();
    exit(1);
}
