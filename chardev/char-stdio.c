/*
 * char-stdio.c: the "stdio" backend -- the emulator's own stdin/stdout.
 *
 * When stdin is a terminal it is put in raw mode (no echo, no line
 * editing, no CR/NL translation on input, 8-bit; ISIG kept unless
 * signal=off, so Ctrl-C still stops the emulator) and the saved state is
 * put back on every way out: normal close, atexit, and the fatal-signal
 * handler in system/main-loop.c.  That last one is why the saved termios
 * lives in plain static storage and chardev_restore_terminals() only calls
 * tcsetattr(): it must be async-signal-safe.
 *
 * Input is read from fd 0 only after poll() reports it readable, so stdin
 * itself is never made non-blocking (O_NONBLOCK would be shared with the
 * shell and with stderr).  Output goes to a private non-blocking open of
 * the same terminal or FIFO (/proc/self/fd/1), so a stalled terminal costs
 * at most the bounded write timeout; a regular file or socket on stdout is
 * written through a dup of fd 1.  EOF on stdin stops reading and sends
 * CHR_EVENT_CLOSED; output still works.
 *
 * Only one stdio backend may exist at a time.  BQL for everything except
 * chardev_restore_terminals (any context).
 */
#include "util/osdep.h"
#include "chardev/char-int.h"

#include <fcntl.h>
#include <termios.h>
#include <sys/stat.h>

typedef struct StdioChardev {
    Chardev parent;
} StdioChardev;

static bool stdio_in_use;                  /* BQL */
/* Written before stdio_term_saved is set; read from signal handlers. */
static struct termios stdio_saved_termios;
static volatile sig_atomic_t stdio_term_saved;

/* Any context, including signal handlers and atexit. */
void chardev_restore_terminals(void)
{
    if (stdio_term_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_termios);
    }
}

static void stdio_set_raw(bool keep_signals)
{
    struct termios t;

    if (tcgetattr(STDIN_FILENO, &stdio_saved_termios) < 0) {
        return;
    }
    stdio_term_saved = 1;
    t = stdio_saved_termios;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                   IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!keep_signals) {
        t.c_lflag &= ~ISIG;
    }
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* A private descriptor for stdout that may be made non-blocking. */
static int stdio_open_output(void)
{
    struct stat st;
    int fd;

    if (fstat(STDOUT_FILENO, &st) == 0 &&
        (isatty(STDOUT_FILENO) || S_ISFIFO(st.st_mode))) {
        fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY |
                  O_CLOEXEC);
        if (fd >= 0) {
            return fd;
        }
    }
    return fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
}

static bool stdio_open(Chardev *chr, ChardevOpts *opts, Error **errp)
{
    bool keep_signals;
    int out;

    if (!chardev_opt_get_bool(opts, "signal", true, &keep_signals, errp)) {
        return false;
    }
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    out = stdio_open_output();
    if (out < 0) {
        error_setg_errno(errp, errno, "cannot use stdout");
        return false;
    }
    if (isatty(STDIN_FILENO)) {
        stdio_set_raw(keep_signals);
    }
    stdio_in_use = true;
    chardev_set_filename(chr, "stdio");
    chardev_fd_attach(chr, STDIN_FILENO, out);
    return true;
}

static void stdio_close(Chardev *chr)
{
    chr->fd_in = -1;                       /* never close fd 0 */
    if (chr->reading) {
        event_loop_set_fd_handler(main_loop_get(), STDIN_FILENO, NULL, NULL,
                                  NULL);
        chr->reading = false;
    }
    chardev_fd_detach(chr);
    if (stdio_term_saved) {
        chardev_restore_terminals();
        stdio_term_saved = 0;
    }
    stdio_in_use = false;
}

static const char *const stdio_props[] = { "signal", NULL };

const ChardevClass chardev_stdio_class = {
    .name = "stdio",
    .help = "standard input/output (raw mode on a terminal)",
    .instance_size = sizeof(StdioChardev),
    .props = stdio_props,
    .open = stdio_open,
    .close = stdio_close,
};
