/*
 * char-null.c: the "null" backend -- output is discarded, no input ever
 * arrives.  It is always "connected".
 */
#include "util/osdep.h"
#include "chardev/char-int.h"

typedef struct NullChardev {
    Chardev parent;
} NullChardev;

static bool null_open(Chardev *chr, ChardevOpts *opts, Error **errp)
{
    chardev_set_filename(chr, "null");
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

const ChardevClass chardev_null_class = {
    .name = "null",
    .help = "discard output, no input",
    .instance_size = sizeof(NullChardev),
    .open = null_open,
    .write = null_write,
};
