/*
 * qdev.c: the device model: class registry, properties, realize and reset.
 * See hw/qdev.h.
 *
 * Classes are static const DeviceClass tables that register themselves
 * from constructors (DEVICE_REGISTER), before main() runs, so the registry
 * is a plain array filled in single-threaded start-up and read-only after.
 *
 * An instance is one g_malloc0'ed block of dc->instance_size bytes that
 * starts with DeviceState.  Properties are (name, type, offset) triples:
 * device_set_prop() parses the user's string according to the type, checks
 * the range of the field it lands in, and stores it at the offset.  Nothing
 * is claimed until realize; a device that fails before realize is freed
 * again without side effects.  Realized devices are chained in creation
 * order, which is the order reset runs in.
 *
 * Who calls what: boards (device_new, device_set_prop, device_realize) and
 * main() for -device (device_new_from_opts), all in the main thread with
 * the BQL held.  The list helpers are read by qtest and the monitor, also
 * under the BQL.
 *
 * Buses: a device class names the bus it plugs into ("isa", "sysbus").  A
 * machine announces the buses it has with qdev_bus_add() while it is being
 * built; -device refuses a device whose bus the machine lacks.
 */
#include "util/osdep.h"
#include "hw/qdev.h"
#include "hw/boards.h"
#include "chardev/char.h"
#include "system/cmdline.h"

/* Registered classes.  Written by constructors before main(); then const. */
static GPtrArray *device_classes;

/* Realized devices in creation order.  BQL. */
static DeviceState *device_first, *device_last;

/* Bus names the current machine provides.  BQL. */
static GPtrArray *machine_buses;

/* ---- Number parsing shared by every option ---- */

bool parse_uint64(const char *str, uint64_t *val)
{
    char *end;
    uint64_t v;

    /* strtoull would accept leading blanks and a '-' that wraps around. */
    if (!str || !g_ascii_isdigit(str[0])) {
        return false;
    }
    errno = 0;
    v = strtoull(str, &end, 0);
    if (errno || *end || end == str) {
        return false;
    }
    *val = v;
    return true;
}

/* Multiplier for a size suffix (case-insensitive), 0 if none matches. */
static uint64_t size_suffix_mult(const char *s)
{
    static const char units[] = "bkmgtpe";
    const char *u;

    if (!s[0] || s[1] || !(u = strchr(units, g_ascii_tolower(s[0])))) {
        return 0;
    }
    return 1ULL << (10 * (u - units));
}

bool parse_size(const char *str, uint64_t *val)
{
    const char *p = str;
    uint64_t ip = 0, frac_num = 0, frac_den = 1, mult = 1;
    bool has_frac = false;

    if (!str || !g_ascii_isdigit(*p)) {
        return false;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        /* Hex has no fraction; a suffix may follow ("0x10M"). */
        char *end;

        errno = 0;
        ip = strtoull(p, &end, 16);
        if (errno || end == p + 2) {
            return false;
        }
        p = end;
    } else {
        for (; g_ascii_isdigit(*p); p++) {
            if (ip > (UINT64_MAX - (*p - '0')) / 10) {
                return false;
            }
            ip = ip * 10 + (*p - '0');
        }
        if (*p == '.') {
            p++;
            if (!g_ascii_isdigit(*p)) {
                return false;
            }
            has_frac = true;
            /* 18 digits of fraction fit in a uint64_t; ignore the rest. */
            for (int n = 0; g_ascii_isdigit(*p); p++, n++) {
                if (n < 18) {
                    frac_num = frac_num * 10 + (*p - '0');
                    frac_den *= 10;
                }
            }
        }
    }
    if (*p) {
        mult = size_suffix_mult(p);
        if (!mult) {
            return false;
        }
    }
    if (has_frac && mult == 1) {
        return false;                   /* a fraction of a byte */
    }
    if (ip > UINT64_MAX / mult) {
        return false;
    }
    *val = ip * mult;
    if (has_frac) {
        /* frac_num / frac_den < 1, so the product is < mult: no overflow
         * in the result, but compute it without overflowing 64 bits. */
        unsigned __int128 f = (unsigned __int128)frac_num * mult / frac_den;

        if (*val > UINT64_MAX - (uint64_t)f) {
            return false;
        }
        *val += (uint64_t)f;
    }
    return true;
}

bool parse_bool(const char *str, bool *val)
{
    static const char *const on[] = { "on", "yes", "true", NULL };
    static const char *const off[] = { "off", "no", "false", NULL };

    for (int i = 0; on[i]; i++) {
        if (!strcmp(str, on[i])) {
            *val = true;
            return true;
        }
        if (!strcmp(str, off[i])) {
            *val = false;
            return true;
        }
    }
    return false;
}

/* ---- Class registry ---- */

/* Called from constructors, single-threaded. */
void device_class_register(const DeviceClass *dc)
{
    assert(dc->name && dc->instance_size >= sizeof(DeviceState));
    if (!device_classes) {
        device_classes = g_ptr_array_new();
    }
    assert(!device_class_find(dc->name));
    g_ptr_array_add(device_classes, (gpointer)dc);
}

const DeviceClass *device_class_find(const char *name)
{
    if (!device_classes) {
        return NULL;
    }
    for (guint i = 0; i < device_classes->len; i++) {
        const DeviceClass *dc = g_ptr_array_index(device_classes, i);

        if (!strcmp(dc->name, name)) {
            return dc;
        }
    }
    return NULL;
}

static gint device_class_cmp(gconstpointer a, gconstpointer b)
{
    const DeviceClass *da = *(const DeviceClass *const *)a;
    const DeviceClass *db = *(const DeviceClass *const *)b;
    int r = g_strcmp0(da->bus, db->bus);

    return r ? r : strcmp(da->name, db->name);
}

void device_class_list(FILE *f)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    const char *bus = NULL;
    bool first = true;

    if (device_classes) {
        for (guint i = 0; i < device_classes->len; i++) {
            const DeviceClass *dc = g_ptr_array_index(device_classes, i);

            if (dc->user_creatable) {
                g_ptr_array_add(sorted, (gpointer)dc);
            }
        }
    }
    g_ptr_array_sort(sorted, device_class_cmp);
    if (!sorted->len) {
        fprintf(f, "No user-creatable devices.\n");
        return;
    }
    for (guint i = 0; i < sorted->len; i++) {
        const DeviceClass *dc = g_ptr_array_index(sorted, i);

        if (first || g_strcmp0(bus, dc->bus)) {
            if (dc->bus) {
                fprintf(f, "%s%s devices:\n", first ? "" : "\n", dc->bus);
            } else {
                fprintf(f, "%sDevices without a bus:\n", first ? "" : "\n");
            }
            bus = dc->bus;
            first = false;
        }
        fprintf(f, "name \"%s\"", dc->name);
        if (dc->bus) {
            fprintf(f, ", bus %s", dc->bus);
        }
        if (dc->desc) {
            fprintf(f, ", desc \"%s\"", dc->desc);
        }
        fprintf(f, "\n");
    }
}

static const char *const prop_type_names[] = {
    [PROP_BOOL] = "bool",
    [PROP_UINT8] = "uint8",
    [PROP_UINT16] = "uint16",
    [PROP_UINT32] = "uint32",
    [PROP_UINT64] = "uint64",
    [PROP_INT32] = "int32",
    [PROP_SIZE] = "size",
    [PROP_STRING] = "str",
    [PROP_CHARDEV] = "chardev",
};

void device_class_list_props(FILE *f, const DeviceClass *dc)
{
    fprintf(f, "%s options:\n", dc->name);
    if (!dc->props || !dc->props[0].name) {
        fprintf(f, "  (no properties)\n");
        return;
    }
    for (const Property *p = dc->props; p->name; p++) {
        g_autofree char *lhs = g_strdup_printf("%s=<%s>", p->name,
                                               prop_type_names[p->type]);
        g_autofree char *def = NULL;

        switch (p->type) {
        case PROP_BOOL:
            def = g_strdup(p->defval ? "on" : "off");
            break;
        case PROP_INT32:
            def = g_strdup_printf("%" PRId32, (int32_t)p->defval);
            break;
        case PROP_STRING:
            def = p->defstr ? g_strdup_printf("\"%s\"", p->defstr) : NULL;
            break;
        case PROP_CHARDEV:
            break;
        default:
            def = g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", p->defval,
                                  p->defval);
            break;
        }
        g_autofree char *rhs = g_strdup_printf("%s%s%s%s%s",
                                               def ? "(default: " : "",
                                               def ? def : "",
                                               def ? ")" : "",
                                               def && p->desc ? " - " : "",
                                               p->desc ? p->desc : "");

        if (*rhs) {
            fprintf(f, "  %-24s %s\n", lhs, rhs);
        } else {
            fprintf(f, "  %s\n", lhs);
        }
    }
}

/* ---- Buses ---- */

/* Called by machine init, BQL. */
void qdev_bus_add(const char *bus)
{
    if (!machine_buses) {
        machine_buses = g_ptr_array_new_with_free_func(g_free);
    }
    if (!qdev_bus_exists(bus)) {
        g_ptr_array_add(machine_buses, g_strdup(bus));
    }
}

bool qdev_bus_exists(const char *bus)
{
    if (!machine_buses) {
        return false;
    }
    for (guint i = 0; i < machine_buses->len; i++) {
        if (!strcmp(g_ptr_array_index(machine_buses, i), bus)) {
            return true;
        }
    }
    return false;
}

/* ---- Instances and properties ---- */

static void *prop_ptr(DeviceState *dev, const Property *p)
{
    return (char *)dev + p->offset;
}

static const Property *device_find_prop(const DeviceClass *dc,
                                        const char *name)
{
    for (const Property *p = dc->props; p && p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

/* Frees an instance that was never realized (or whose realize failed). */
void device_free(DeviceState *dev)
{
    assert(!dev->realized);
    for (const Property *p = dev->dc->props; p && p->name; p++) {
        if (p->type == PROP_STRING) {
            g_free(*(char **)prop_ptr(dev, p));
        }
    }
    g_free(dev->id);
    g_free(dev);
}

typedef struct QdevGlobal {
    char *driver, *property, *value;
} QdevGlobal;

/* -global defaults, in command-line order (later ones win).  Written by
 * the main thread before the machine exists; read-only afterwards. */
static GArray *qdev_globals;

static bool device_apply_globals(DeviceState *dev, Error **errp);

DeviceState *device_new(const char *driver, Error **errp)
{
    const DeviceClass *dc = device_class_find(driver);
    DeviceState *dev;

    if (!dc) {
        error_setg(errp, "unknown device '%s' (try -device help)", driver);
        return NULL;
    }
    dev = g_malloc0(dc->instance_size);
    dev->dc = dc;
    for (const Property *p = dc->props; p && p->name; p++) {
        void *ptr = prop_ptr(dev, p);

        switch (p->type) {
        case PROP_BOOL:
            *(bool *)ptr = p->defval != 0;
            break;
        case PROP_UINT8:
            *(uint8_t *)ptr = p->defval;
            break;
        case PROP_UINT16:
            *(uint16_t *)ptr = p->defval;
            break;
        case PROP_UINT32:
            *(uint32_t *)ptr = p->defval;
            break;
        case PROP_UINT64:
        case PROP_SIZE:
            *(uint64_t *)ptr = p->defval;
            break;
        case PROP_INT32:
            *(int32_t *)ptr = (int32_t)p->defval;
            break;
        case PROP_STRING:
            *(char **)ptr = g_strdup(p->defstr);
            break;
        case PROP_CHARDEV:
            *(Chardev **)ptr = NULL;
            break;
        }
    }
    if (!device_apply_globals(dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

/* "-5", "0x10", "-0x10" into an int32; false if malformed or out of range. */
static bool parse_int32(const char *str, int32_t *val, bool *range_err)
{
    bool neg = str[0] == '-';
    uint64_t mag;

    if (!parse_uint64(str + neg, &mag)) {
        return false;
    }
    if (neg ? mag > (uint64_t)INT32_MAX + 1 : mag > INT32_MAX) {
        *range_err = true;
        return false;
    }
    *val = neg ? (int32_t)-(int64_t)mag : (int32_t)mag;
    return true;
}

bool device_set_prop(DeviceState *dev, const char *name, const char *value,
                     Error **errp)
{
    const Property *p = device_find_prop(dev->dc, name);
    void *ptr;
    uint64_t v, max;
    bool range_err = false;

    assert(!dev->realized);
    if (!p) {
        error_setg(errp, "device '%s' has no property '%s' (try -device %s,help)",
                   dev->dc->name, name, dev->dc->name);
        return false;
    }
    ptr = prop_ptr(dev, p);
    switch (p->type) {
    case PROP_BOOL:
        if (!parse_bool(value, (bool *)ptr)) {
            error_setg(errp, "property '%s': '%s' is not on or off", name,
                       value);
            return false;
        }
        return true;
    case PROP_UINT8:
    case PROP_UINT16:
    case PROP_UINT32:
    case PROP_UINT64:
        if (!parse_uint64(value, &v)) {
            error_setg(errp, "property '%s': '%s' is not a number", name,
                       value);
            return false;
        }
        max = p->type == PROP_UINT8 ? UINT8_MAX :
              p->type == PROP_UINT16 ? UINT16_MAX :
              p->type == PROP_UINT32 ? UINT32_MAX : UINT64_MAX;
        if (v > max) {
            error_setg(errp, "property '%s' value out of range "
                       "(%s, at most 0x%" PRIx64 ")", name, value, max);
            return false;
        }
        if (p->type == PROP_UINT8) {
            *(uint8_t *)ptr = v;
        } else if (p->type == PROP_UINT16) {
            *(uint16_t *)ptr = v;
        } else if (p->type == PROP_UINT32) {
            *(uint32_t *)ptr = v;
        } else {
            *(uint64_t *)ptr = v;
        }
        return true;
    case PROP_INT32:
        if (!parse_int32(value, (int32_t *)ptr, &range_err)) {
            if (range_err) {
                error_setg(errp, "property '%s' value out of range (%s)",
                           name, value);
            } else {
                error_setg(errp, "property '%s': '%s' is not a number", name,
                           value);
            }
            return false;
        }
        return true;
    case PROP_SIZE:
        if (!parse_size(value, (uint64_t *)ptr)) {
            error_setg(errp, "property '%s': '%s' is not a size", name,
                       value);
            return false;
        }
        return true;
    case PROP_STRING:
        g_free(*(char **)ptr);
        *(char **)ptr = g_strdup(value);
        return true;
    case PROP_CHARDEV: {
        Chardev *chr = chardev_find(value);

        if (!chr) {
            error_setg(errp, "property '%s': chardev '%s' not found", name,
                       value);
            return false;
        }
        *(Chardev **)ptr = chr;
        return true;
    }
    }
    g_assert_not_reached();
}

bool device_realize(DeviceState *dev, Error **errp)
{
    Error *err = NULL;

    assert(!dev->realized);
    if (dev->dc->realize) {
        dev->dc->realize(dev, &err);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
    }
    dev->realized = true;
    dev->next = NULL;
    if (device_last) {
        device_last->next = dev;
    } else {
        device_first = dev;
    }
    device_last = dev;
    return true;
}

DeviceState *device_new_from_opts(const char *optstr, Error **errp)
{
    Opts *opts = opts_parse(optstr, "driver", errp);
    const DeviceClass *dc;
    DeviceState *dev = NULL;
    const char *driver, *id;

    if (!opts) {
        return NULL;
    }
    driver = opts_get(opts, "driver");
    if (!driver) {
        error_setg(errp, "parameter 'driver' is missing");
        goto out;
    }
    dc = device_class_find(driver);
    if (!dc) {
        error_setg(errp, "unknown device '%s' (try -device help)", driver);
        goto out;
    }
    if (!dc->user_creatable) {
        error_setg(errp, "device '%s' cannot be created with -device",
                   driver);
        goto out;
    }
    if (dc->bus && !qdev_bus_exists(dc->bus)) {
        error_setg(errp, "machine '%s' has no %s bus",
                   current_machine ? current_machine->mc->name : "(none)",
                   dc->bus);
        goto out;
    }
    id = opts_get(opts, "id");
    if (id && !id_wellformed(id)) {
        error_setg(errp, "invalid id '%s' (letters, digits, '-', '.', '_'; "
                   "starting with a letter)", id);
        goto out;
    }
    if (id && device_find_by_id(id)) {
        error_setg(errp, "duplicate ID '%s' for device", id);
        goto out;
    }
    dev = device_new(driver, errp);
    if (!dev) {
        goto out;
    }
    dev->id = g_strdup(id);
    for (guint i = 0; i < opts->pairs->len; i++) {
        OptPair *pair = g_ptr_array_index(opts->pairs, i);

        if (!strcmp(pair->key, "driver") || !strcmp(pair->key, "id")) {
            continue;
        }
        if (!device_set_prop(dev, pair->key, pair->value, errp)) {
            goto fail;
        }
    }
    if (!device_realize(dev, errp)) {
        goto fail;
    }
    goto out;

fail:
    device_free(dev);
    dev = NULL;
out:
    opts_free(opts);
    return dev;
}

DeviceState *device_find_by_id(const char *id)
{
    for (DeviceState *dev = device_first; dev; dev = dev->next) {
        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

DeviceState *device_find_by_class(const char *driver)
{
    for (DeviceState *dev = device_first; dev; dev = dev->next) {
        if (!strcmp(dev->dc->name, driver)) {
            return dev;
        }
    }
    return NULL;
}

void devices_reset_all(void)
{
    for (DeviceState *dev = device_first; dev; dev = dev->next) {
        if (dev->dc->reset) {
            dev->dc->reset(dev);
        }
    }
}

static bool device_apply_globals(DeviceState *dev, Error **errp)
{
    for (guint i = 0; qdev_globals && i < qdev_globals->len; i++) {
        QdevGlobal *g = &g_array_index(qdev_globals, QdevGlobal, i);

        if (!strcmp(g->driver, dev->dc->name) &&
            !device_set_prop(dev, g->property, g->value, errp)) {
            error_prepend(errp, "-global %s.%s=%s: ", g->driver, g->property,
                          g->value);
            return false;
        }
    }
    return true;
}

bool qdev_global_add(const char *spec, Error **errp)
{
    g_autofree char *driver = NULL, *property = NULL, *value = NULL;
    const char *dot, *eq;
    DeviceState *probe;
    QdevGlobal g;

    if (strchr(spec, ',') || g_str_has_prefix(spec, "driver=")) {
        /* driver=D,property=P,value=V (in any order) */
        g_auto(GStrv) parts = g_strsplit(spec, ",", -1);

        for (char **p = parts; *p; p++) {
            char **slot = g_str_has_prefix(*p, "driver=") ? &driver :
                          g_str_has_prefix(*p, "property=") ? &property :
                          g_str_has_prefix(*p, "value=") ? &value : NULL;

            if (!slot || *slot) {
                error_setg(errp, "expected driver=D,property=P,value=V");
                return false;
            }
            *slot = g_strdup(strchr(*p, '=') + 1);
        }
    } else {
        dot = strchr(spec, '.');
        eq = strchr(spec, '=');
        if (dot && eq && dot < eq) {
            driver = g_strndup(spec, dot - spec);
            property = g_strndup(dot + 1, eq - dot - 1);
            value = g_strdup(eq + 1);
        }
    }
    if (!driver || !property || !value || !*driver || !*property) {
        error_setg(errp, "expected driver.property=value");
        return false;
    }
    /* Check driver, property and value on a throw-away instance. */
    probe = device_new(driver, errp);
    if (!probe) {
        return false;
    }
    if (!device_set_prop(probe, property, value, errp)) {
        device_free(probe);
        return false;
    }
    device_free(probe);
    if (!qdev_globals) {
        qdev_globals = g_array_new(false, false, sizeof(QdevGlobal));
    }
    g.driver = g_steal_pointer(&driver);
    g.property = g_steal_pointer(&property);
    g.value = g_steal_pointer(&value);
    g_array_append_val(qdev_globals, g);
    return true;
}
