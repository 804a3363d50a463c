/*
 * char-file.c: the "file" backend -- output appended or written to a file;
 * no input.  BQL.
 *
 *     -chardev file,id=log,path=serial.log[,append=on]
 */
#include "util/osdep.h"
#include "chardev/char-int.h"

#include <fcntl.h>

typedef struct FileChardev {
    Chardev parent;
} FileChardev;

static bool file_open(Chardev *chr, ChardevOpts *opts, Error **errp)
{
    const char *path = chardev_opt_get(opts, "path");
    bool append;
    int fd;

    if (!path || !*path) {
        error_setg(errp, "property 'path' is required for chardev backend "
                   "'file'");
        return false;
    }
    if (!chardev_opt_get_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
              (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open '%s'", path);
        return false;
    }
    chardev_set_filename(chr, "file:%s", path);
    chardev_fd_attach(chr, -1, fd);
    return true;
}

static const char *const file_props[] = { "path", "append", NULL };

const ChardevClass chardev_file_class = {
    .name = "file",
    .help = "write output to a file (path=, append=on|off)",
    .instance_size = sizeof(FileChardev),
    .props = file_props,
    .open = file_open,
};
