/*
 * char-pty.c: the "pty" backend -- a new pseudo-terminal whose slave side
 * the user opens (screen /dev/pts/N, minicom, socat).
 *
 * We keep only the master.  While no process has the slave open the
 * master reports POLLHUP and reads fail with EIO, so "connected" is
 * tracked explicitly: when a read hangs up we stop reading, send
 * CHR_EVENT_CLOSED and look every PTY_POLL_MS (a realtime timer on the
 * main loop) for POLLHUP to clear, then send CHR_EVENT_OPENED and read
 * again.  Output written while nobody is connected is dropped.  The slave
 * is set to raw mode at creation so the user's program sees bytes as the
 * guest sent them.  BQL.
 */
#include "util/osdep.h"
#include "chardev/char-int.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>

#define PTY_POLL_MS 100

typedef struct PtyChardev {
    Chardev parent;
    Timer *poll_timer;         /* BQL; armed while disconnected */
    int master;                /* BQL; kept while fd_in is detached */
} PtyChardev;

static bool pty_slave_open(PtyChardev *s)
{
    struct pollfd pfd = { .fd = s->master, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

/* Main loop: is somebody there now? */
static void pty_poll(void *opaque)
{
    PtyChardev *s = opaque;
    Chardev *chr = &s->parent;

    if (!pty_slave_open(s)) {
        timer_mod(s->poll_timer,
                  clock_get_ns(CLK_REALTIME) + PTY_POLL_MS * NS_PER_MS);
        return;
    }
    chr->connected = true;
    chardev_fd_attach(chr, s->master, s->master);
    chardev_send_event(chr, CHR_EVENT_OPENED);
}

static void pty_disconnected(PtyChardev *s)
{
    Chardev *chr = &s->parent;

    chr->connected = false;
    chardev_update_read(chr);
    timer_mod(s->poll_timer,
              clock_get_ns(CLK_REALTIME) + PTY_POLL_MS * NS_PER_MS);
}

/* Main loop: the last process with the slave open closed it. */
static void pty_hangup(Chardev *chr, int err)
{
    pty_disconnected((PtyChardev *)chr);
    chardev_send_event(chr, CHR_EVENT_CLOSED);
}

static int pty_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (!chr->connected) {
        return len;
    }
    return chardev_fd_write(chr, chr->fd_out, buf, len, false);
}

static bool pty_open(Chardev *chr, ChardevOpts *opts, Error **errp)
{
    PtyChardev *s = (PtyChardev *)chr;
    struct termios t;
    char name[64];
    int master, slave;

    if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
        error_setg_errno(errp, errno, "cannot create a pseudo-terminal");
        return false;
    }
    if (tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
    }
    if (ttyname_r(slave, name, sizeof(name))) {
        g_strlcpy(name, "(unknown)", sizeof(name));
    }
    close(slave);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    fcntl(master, F_SETFD, FD_CLOEXEC);
    s->master = master;
    s->poll_timer = timer_new(main_loop_get(), CLK_REALTIME, pty_poll, s);
    chardev_set_filename(chr, "pty:%s", name);
    fprintf(stderr, "char device redirected to %s (label %s)\n", name,
            chr->id);
    /* Nobody has the slave open yet. */
    chr->fd_in = chr->fd_out = -1;
    pty_disconnected(s);
    return true;
}

static void pty_close(Chardev *chr)
{
    PtyChardev *s = (PtyChardev *)chr;

    timer_free(s->poll_timer);
    s->poll_timer = NULL;
    if (chr->fd_in >= 0) {
        chardev_fd_detach(chr);            /* closes the master */
    } else {
        close(s->master);
    }
    s->master = -1;
}

const ChardevClass chardev_pty_class = {
    .name = "pty",
    .help = "a new pseudo-terminal (its path is printed)",
    .instance_size = sizeof(PtyChardev),
    .open = pty_open,
    .write = pty_write,
    .hangup = pty_hangup,
    .close = pty_close,
};
