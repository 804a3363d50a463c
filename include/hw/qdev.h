/*
 * qdev.h: devices, their classes and properties.
 *
 * A device type is a static const DeviceClass, registered at start-up:
 *
 *     static const Property serial_props[] = {
 *         DEFINE_PROP_UINT32("iobase", SerialState, iobase, 0x3f8),
 *         DEFINE_PROP_UINT32("irq", SerialState, irq, 4),
 *         DEFINE_PROP_CHARDEV("chardev", SerialState, chr),
 *         DEFINE_PROP_END,
 *     };
 *     static const DeviceClass serial_class = {
 *         .name = "isa-serial", .bus = "isa", .desc = "16550A UART",
 *         .instance_size = sizeof(SerialState), .props = serial_props,
 *         .realize = serial_realize, .reset = serial_reset,
 *         .vmstate = serial_vmstate,
 *     };
 *     DEVICE_REGISTER(serial_class);
 *
 * The instance struct starts with "DeviceState parent;".  Devices are
 * created by boards (device_new + device_set_prop + device_realize) or by
 * the user (-device driver,prop=value,...).  Properties are set before
 * realize; realize claims resources (I/O ranges, IRQs, chardevs) and fails
 * with an Error naming the problem.  Everything here runs with the BQL held.
 *
 * Reset handlers run in creation order on system_reset().  Save/restore is
 * described by a VMStateField table (hw/vmstate.h).
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "util/error.h"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct VMStateField VMStateField;
typedef struct Chardev Chardev;

typedef enum PropertyType {
    PROP_BOOL,
    PROP_UINT8,
    PROP_UINT16,
    PROP_UINT32,
    PROP_UINT64,
    PROP_INT32,
    PROP_SIZE,       /* uint64_t; accepts k/M/G/T suffixes */
    PROP_STRING,     /* char *, g_strdup'ed, freed with the device */
    PROP_CHARDEV,    /* Chardev *, looked up by id */
} PropertyType;

typedef struct Property {
    const char *name;
    PropertyType type;
    size_t offset;            /* within the instance struct */
    uint64_t defval;          /* integer types */
    const char *defstr;       /* PROP_STRING */
    const char *desc;
} Property;

#define DEFINE_PROP_(n, st, f, t, d) \
    { .name = (n), .type = (t), .offset = offsetof(st, f), .defval = (d) }
#define DEFINE_PROP_BOOL(n, st, f, d)   DEFINE_PROP_(n, st, f, PROP_BOOL, d)
#define DEFINE_PROP_UINT8(n, st, f, d)  DEFINE_PROP_(n, st, f, PROP_UINT8, d)
#define DEFINE_PROP_UINT16(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_UINT16, d)
#define DEFINE_PROP_UINT32(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_UINT32, d)
#define DEFINE_PROP_UINT64(n, st, f, d) DEFINE_PROP_(n, st, f, PROP_UINT64, d)
#define DEFINE_PROP_INT32(n, st, f, d)  DEFINE_PROP_(n, st, f, PROP_INT32, d)
#define DEFINE_PROP_SIZE(n, st, f, d)   DEFINE_PROP_(n, st, f, PROP_SIZE, d)
#define DEFINE_PROP_STRING(n, st, f) \
    { .name = (n), .type = PROP_STRING, .offset = offsetof(st, f) }
#define DEFINE_PROP_CHARDEV(n, st, f) \
    { .name = (n), .type = PROP_CHARDEV, .offset = offsetof(st, f) }
#define DEFINE_PROP_END { .name = NULL }

typedef void DeviceRealizeFn(DeviceState *dev, Error **errp);
typedef void DeviceResetFn(DeviceState *dev);
typedef void DeviceUnrealizeFn(DeviceState *dev);
/* After vmstate_load(): re-arm timers, re-drive IRQs, validate. */
typedef bool DevicePostLoadFn(DeviceState *dev, Error **errp);

struct DeviceClass {
    const char *name;              /* -device driver name */
    const char *desc;
    const char *bus;               /* "isa", "sysbus", "pci"; NULL = none */
    bool user_creatable;           /* may be given with -device */
    size_t instance_size;
    const Property *props;         /* DEFINE_PROP_END-terminated */
    DeviceRealizeFn *realize;
    DeviceResetFn *reset;
    DeviceUnrealizeFn *unrealize;
    const VMStateField *vmstate;   /* save/restore; see hw/vmstate.h */
    DevicePostLoadFn *post_load;   /* may be NULL */
};

struct DeviceState {
    const DeviceClass *dc;
    char *id;                      /* -device id=, or NULL */
    bool realized;
    DeviceState *next;             /* creation order; BQL */
};

void device_class_register(const DeviceClass *dc);
#define DEVICE_REGISTER(dc) \
    __attribute__((constructor)) static void dc##_register(void) \
    { device_class_register(&(dc)); }

const DeviceClass *device_class_find(const char *name);
/* -device help: every user-creatable class, grouped by bus. */
void device_class_list(FILE *f);
/* -device driver,help: the class's properties. */
void device_class_list_props(FILE *f, const DeviceClass *dc);

/* Allocates an instance with property defaults applied; not realized. */
DeviceState *device_new(const char *driver, Error **errp);
bool device_set_prop(DeviceState *dev, const char *name, const char *value,
                     Error **errp);
/* Frees a device that is not realized (device_new, then a failure). */
void device_free(DeviceState *dev);
/* Realizes the device and adds it to the reset list. */
bool device_realize(DeviceState *dev, Error **errp);
/* Creates, configures and realizes from "driver,prop=v,...,id=x". */
DeviceState *device_new_from_opts(const char *optstr, Error **errp);

/*
 * -global: a default for one property of every device of a class, applied
 * by device_new() after the class defaults and before any explicit value.
 * Takes "driver.property=value" or "driver=D,property=P,value=V".  The
 * driver, the property and the value are checked now (so chardevs must
 * exist already).  Main thread, before the machine is built.
 */
bool qdev_global_add(const char *spec, Error **errp);
DeviceState *device_find_by_id(const char *id);
/* First realized device of a class, or NULL. */
DeviceState *device_find_by_class(const char *driver);
/* Calls dc->reset of every realized device in creation order. */
void devices_reset_all(void);

/*
 * Buses the machine provides ("isa", "sysbus"): machine init announces
 * each; -device refuses a class whose dc->bus is not among them.  BQL.
 */
void qdev_bus_add(const char *bus);
bool qdev_bus_exists(const char *bus);

/*
 * Parsing of numbers and sizes shared by every option parser.  Each returns
 * false on malformed input (trailing junk, overflow, empty).
 */
bool parse_uint64(const char *str, uint64_t *val);      /* 0x.., 0.., dec */
/* "512", "512M", "4G", "1.5G": bytes.  A bare number is bytes. */
bool parse_size(const char *str, uint64_t *val);
bool parse_bool(const char *str, bool *val);            /* on/off/yes/no */

#endif
