/*
 * char-pipe.c: the "pipe" backend -- named pipes made by the user.
 *
 *     mkfifo /tmp/g.in /tmp/g.out
 *     -chardev pipe,id=p,path=/tmp/g     (reads g.in, writes g.out)
 *
 * If PATH.in and PATH.out cannot both be opened, PATH itself is used for
 * both directions.  Everything is opened O_RDWR|O_NONBLOCK: opening a FIFO
 * that way never blocks waiting for the other side, and since we hold both
 * ends we never see EOF or EPIPE when the user's program comes and goes.
 * BQL.
 */
#include "util/osdep.h"
#include "chardev/char-int.h"

#include <fcntl.h>

typedef struct PipeChardev {
    Chardev parent;
} PipeChardev;

static int pipe_open_one(const char *path)
{
    return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static bool pipe_open(Chardev *chr, ChardevOpts *opts, Error **errp)
{
    const char *path = chardev_opt_get(opts, "path");
    g_autofree char *in_path = NULL, *out_path = NULL;
    int fd_in, fd_out;

    if (!path || !*path) {
        error_setg(errp, "property 'path' is required for chardev backend "
                   "'pipe'");
        return false;
    }
    in_path = g_strdup_printf("%s.in", path);
    out_path = g_strdup_printf("%s.out", path);
    fd_in = pipe_open_one(in_path);
    fd_out = fd_in >= 0 ? pipe_open_one(out_path) : -1;
    if (fd_in < 0 || fd_out < 0) {
        if (fd_in >= 0) {
            close(fd_in);
        }
        fd_in = fd_out = pipe_open_one(path);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "cannot open '%s' (nor '%s' and "
                             "'%s')", path, in_path, out_path);
            return false;
        }
    }
    chardev_set_filename(chr, "pipe:%s", path);
    chardev_fd_attach(chr, fd_in, fd_out);
    return true;
}

static const char *const pipe_props[] = { "path", NULL };

const ChardevClass chardev_pipe_class = {
    .name = "pipe",
    .help = "named pipes PATH.in/PATH.out, or PATH (path=)",
    .instance_size = sizeof(PipeChardev),
    .props = pipe_props,
    .open = pipe_open,
};
