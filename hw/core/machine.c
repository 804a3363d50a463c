/*
 * machine.c: the machine registry (-M NAME, -M help) and the choice of a
 * default machine from the program name.  See hw/boards.h.
 *
 * Machine classes register from constructors before main() runs; the
 * registry is read-only afterwards.  main() fills in one MachineState from
 * the command line, points current_machine at it and calls mc->init with
 * the BQL held.
 *
 * Default machine by program name (argv[0], directory stripped):
 *     tandem-system-x86_64   pc
 *     tandem-system-ppc64    pseries
 *     tandem                 pc
 * Anything else has no default here and main() falls back to "pc".
 */
#include "util/osdep.h"
#include "hw/boards.h"

MachineState *current_machine;

/* Written by constructors before main(); then const. */
static GPtrArray *machine_classes;

/* Called from constructors, single-threaded. */
void machine_class_register(const MachineClass *mc)
{
    assert(mc->name && mc->init);
    if (!machine_classes) {
        machine_classes = g_ptr_array_new();
    }
    assert(!machine_class_find(mc->name));
    g_ptr_array_add(machine_classes, (gpointer)mc);
}

const MachineClass *machine_class_find(const char *name)
{
    if (!machine_classes) {
        return NULL;
    }
    for (guint i = 0; i < machine_classes->len; i++) {
        const MachineClass *mc = g_ptr_array_index(machine_classes, i);

        if (!strcmp(mc->name, name) || (mc->alias && !strcmp(mc->alias, name))) {
            return mc;
        }
    }
    return NULL;
}

static gint machine_class_cmp(gconstpointer a, gconstpointer b)
{
    const MachineClass *ma = *(const MachineClass *const *)a;
    const MachineClass *mb = *(const MachineClass *const *)b;

    return strcmp(ma->name, mb->name);
}

void machine_class_list(FILE *f)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();

    if (machine_classes) {
        for (guint i = 0; i < machine_classes->len; i++) {
            g_ptr_array_add(sorted, g_ptr_array_index(machine_classes, i));
        }
    }
    g_ptr_array_sort(sorted, machine_class_cmp);
    fprintf(f, "Supported machines are:\n");
    for (guint i = 0; i < sorted->len; i++) {
        const MachineClass *mc = g_ptr_array_index(sorted, i);

        if (mc->alias) {
            fprintf(f, "%-20s %s (alias of %s)\n", mc->alias,
                    mc->desc ? mc->desc : "", mc->name);
        }
        fprintf(f, "%-20s %s\n", mc->name, mc->desc ? mc->desc : "");
    }
}

const MachineClass *machine_class_for_progname(const char *progname)
{
    static const struct {
        const char *progname;
        const char *machine;
    } defaults[] = {
        { "tandem", "pc" },
        { "tandem-system-x86_64", "pc" },
        { "tandem-system-ppc64", "pseries" },
    };
    g_autofree char *base = g_path_get_basename(progname);

    for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
        if (!strcmp(base, defaults[i].progname)) {
            return machine_class_find(defaults[i].machine);
        }
    }
    return NULL;
}

const CpuModel *machine_cpu_model_find(const MachineClass *mc,
                                       const char *name)
{
    for (const CpuModel *m = mc->cpu_models; m && m->name; m++) {
        if (!strcmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

void machine_cpu_list(FILE *f, const MachineClass *mc)
{
    if (!mc->cpu_models || !mc->cpu_models[0].name) {
        fprintf(f, "Machine '%s' has no CPU models.\n", mc->name);
        return;
    }
    fprintf(f, "Available CPUs for machine '%s' (%s):\n", mc->name,
            mc->arch ? mc->arch : "no architecture");
    for (const CpuModel *m = mc->cpu_models; m->name; m++) {
        bool def = mc->default_cpu_type &&
                   !strcmp(mc->default_cpu_type, m->name);

        fprintf(f, "  %-18s %s%s\n", m->name, m->desc ? m->desc : "",
                def ? " (default)" : "");
    }
}
