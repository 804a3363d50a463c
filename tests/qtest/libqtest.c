/*
 * libqtest.c: the qtest protocol client.  See libqtest.h.
 *
 * Each QTestState owns one emulator process and one connection.  Start-up:
 * make a temporary directory, listen on a unix socket in it, fork and exec
 * "/bin/sh -c 'exec $TANDEM ... -qtest unix:SOCKET ...'", and accept the
 * emulator's connection (its -qtest chardev connects as a client).  Every
 * blocking step polls with a deadline and checks whether the child died,
 * so a broken emulator turns into a failed test with a reason.
 *
 * Failures go through qtest_die(): kill every emulator this process
 * started, clean up their sockets, and abort the test program with a
 * message (the way g_assert failures end a gtest program).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "libqtest.h"

#define QTEST_ISA_IRQS 16

struct QTestState {
    pid_t pid;                  /* emulator; 0 once reaped */
    int status;                 /* wait status once reaped */
    int fd;                     /* connection; -1 once closed */
    char *dir;                  /* temporary directory */
    char *sock_path;
    GString *rx;                /* received bytes not yet a full line */
    bool irq_level[QTEST_ISA_IRQS];
    unsigned irq_raises[QTEST_ISA_IRQS];
};

static GList *qtest_live;       /* QTestState *: emulators to kill on failure */

/* --- time limits and failure --- */

static int64_t qtest_timeout_ms(void)
{
    const char *env = getenv("QTEST_TIMEOUT_S");
    long s = env ? strtol(env, NULL, 10) : 0;

    return (s > 0 ? s : 30) * 1000;
}

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

static void qtest_reap(QTestState *s, bool block)
{
    if (s->pid > 0 && waitpid(s->pid, &s->status, block ? 0 : WNOHANG) ==
        s->pid) {
        s->pid = 0;
    }
}

static void qtest_cleanup(QTestState *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->sock_path) {
        unlink(s->sock_path);
    }
    if (s->dir) {
        rmdir(s->dir);
    }
}

static void qtest_free(QTestState *s)
{
    qtest_live = g_list_remove(qtest_live, s);
    qtest_cleanup(s);
    g_free(s->dir);
    g_free(s->sock_path);
    g_string_free(s->rx, TRUE);
    g_free(s);
}

static const char *qtest_describe_status(int status, char *buf, size_t len)
{
    if (WIFEXITED(status)) {
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
    } else {
        snprintf(buf, len, "ended with wait status %#x", status);
    }
    return buf;
}

static void G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN qtest_die(const char *fmt,
                                                          ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    for (GList *l = qtest_live; l; l = l->next) {
        QTestState *s = l->data;

        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            qtest_reap(s, true);
        }
        qtest_cleanup(s);
    }
    fflush(stdout);
    g_printerr("libqtest: %s\n", msg);
    abort();
}

/* Fails with a note on how the emulator ended, if it did. */
static void G_GNUC_NORETURN qtest_die_dead(QTestState *s, const char *what)
{
    char buf[64];

    /* Give a dying emulator a moment so the message can say how it ended. */
    for (int i = 0; i < 100 && s->pid > 0; i++) {
        qtest_reap(s, false);
        if (s->pid > 0) {
            g_usleep(10 * 1000);
        }
    }
    if (s->pid == 0) {
        qtest_die("%s: the emulator %s", what,
                  qtest_describe_status(s->status, buf, sizeof(buf)));
    }
    qtest_die("%s (the emulator is still running)", what);
}

/* --- start and stop --- */

int qtest_unix_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        qtest_die("socket path too long: %s", path);
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 4) < 0) {
        qtest_die("cannot listen on %s: %s", path, g_strerror(errno));
    }
    return fd;
}

/* Accepts on lfd; if s is given, fails early when its emulator dies. */
static int qtest_accept_from(QTestState *s, int lfd)
{
    int64_t deadline = now_ms() + qtest_timeout_ms();

    for (;;) {
        struct pollfd pfd = { .fd = lfd, .events = POLLIN };
        int r = poll(&pfd, 1, 100);

        if (r > 0) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
        }
        if (r < 0 && errno != EINTR) {
            qtest_die("poll: %s", g_strerror(errno));
        }
        if (s) {
            qtest_reap(s, false);
            if (s->pid == 0) {
                qtest_die_dead(s, "the emulator did not connect");
            }
        }
        if (now_ms() > deadline) {
            if (s) {
                qtest_die_dead(s, "the emulator did not connect in time");
            }
            qtest_die("no connection on the socket in time");
        }
    }
}

int qtest_unix_accept(int listen_fd)
{
    return qtest_accept_from(NULL, listen_fd);
}

QTestState *qtest_start_machine(const char *machine, const char *extra_args)
{
    const char *tandem = getenv("TANDEM");
    QTestState *s;
    GError *err = NULL;
    char *cmdline;
    int lfd;

    if (!tandem || !*tandem) {
        qtest_die("TANDEM is not set: run through 'make check-qtest' or set "
                  "TANDEM=path/to/tandem");
    }
    s = g_new0(QTestState, 1);
    s->fd = -1;
    s->rx = g_string_new(NULL);
    s->dir = g_dir_make_tmp("qtest-XXXXXX", &err);
    if (!s->dir) {
        qtest_die("cannot make a temporary directory: %s", err->message);
    }
    s->sock_path = g_build_filename(s->dir, "qtest.sock", NULL);
    qtest_live = g_list_prepend(qtest_live, s);
    lfd = qtest_unix_listen(s->sock_path);

    cmdline = g_strdup_printf("exec \"$TANDEM\" -M %s -accel qtest "
                              "-qtest unix:%s -display none %s", machine,
                              s->sock_path, extra_args ? extra_args : "");
    if (getenv("QTEST_VERBOSE")) {
        g_printerr("libqtest: %s\n", cmdline);
    }
    fflush(stdout);
    fflush(stderr);
    s->pid = fork();
    if (s->pid < 0) {
        qtest_die("fork: %s", g_strerror(errno));
    }
    if (s->pid == 0) {
        int null = open("/dev/null", O_RDONLY);

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
        }
        /* Test output is TAP on stdout: keep the emulator's off it. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
        _exit(127);
    }
    g_free(cmdline);
    s->fd = qtest_accept_from(s, lfd);
    close(lfd);
    return s;
}

QTestState *qtest_start(const char *extra_args)
{
    return qtest_start_machine("pc", extra_args);
}

QTestState *qtest_startf(const char *fmt, ...)
{
    va_list ap;
    char *args;
    QTestState *s;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s = qtest_start(args);
    g_free(args);
    return s;
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

/* Waits for the emulator to exit; returns its status as libqtest.h says. */
static int qtest_wait_status(QTestState *s)
{
    int64_t deadline = now_ms() + qtest_timeout_ms();
    char buf[64];

    while (s->pid > 0 && now_ms() < deadline) {
        qtest_reap(s, false);
        if (s->pid > 0) {
            g_usleep(2 * 1000);
        }
    }
    if (s->pid > 0) {
        g_printerr("libqtest: the emulator did not exit within %" PRId64
                   " s; killing it\n", qtest_timeout_ms() / 1000);
        kill(s->pid, SIGKILL);
        qtest_reap(s, true);
        return -1;
    }
    if (getenv("QTEST_VERBOSE")) {
        g_printerr("libqtest: the emulator %s\n",
                   qtest_describe_status(s->status, buf, sizeof(buf)));
    }
    if (WIFEXITED(s->status)) {
        return WEXITSTATUS(s->status);
    }
    return WIFSIGNALED(s->status) ? -WTERMSIG(s->status) : -1;
}

int qtest_quit(QTestState *s)
{
    int status;

    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    status = qtest_wait_status(s);
    qtest_free(s);
    return status;
}

int qtest_wait_exit(QTestState *s)
{
    int status = qtest_wait_status(s);

    qtest_free(s);
    return status;
}

void qtest_kill(QTestState *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        qtest_reap(s, true);
    }
    qtest_free(s);
}

/* --- the line protocol --- */

static void qtest_send_line(QTestState *s, const char *line)
{
    size_t len = strlen(line), done = 0;

    while (done < len) {
        ssize_t n = send(s->fd, line + done, len - done, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_die_dead(s, "cannot send to the emulator");
        }
        done += n;
    }
}

/* Next line from the emulator, without '\n'; g_free. */
static char *qtest_recv_line(QTestState *s)
{
    int64_t deadline = now_ms() + qtest_timeout_ms();

    for (;;) {
        char *nl = memchr(s->rx->str, '\n', s->rx->len);

        if (nl) {
            size_t len = nl - s->rx->str;
            char *line = g_strndup(s->rx->str, len);

            g_string_erase(s->rx, 0, len + 1);
            return line;
        }

        int64_t left = deadline - now_ms();
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
        char buf[4096];

        if (left <= 0) {
            qtest_die_dead(s, "no reply from the emulator in time");
        }
        int r = poll(&pfd, 1, left > 100 ? 100 : left);
        if (r < 0 && errno != EINTR) {
            qtest_die("poll: %s", g_strerror(errno));
        }
        if (r <= 0) {
            qtest_reap(s, false);
            if (s->pid == 0) {
                qtest_die_dead(s, "waiting for a reply");
            }
            continue;
        }
        ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_die_dead(s, "the emulator closed the connection");
        }
        g_string_append_len(s->rx, buf, n);
    }
}

/* Handles "IRQ raise N" / "IRQ lower N"; false if line is not one. */
static bool qtest_handle_async(QTestState *s, const char *line)
{
    char dir[8];
    int n, end = 0;

    if (strncmp(line, "IRQ ", 4) != 0) {
        return false;
    }
    if (sscanf(line, "IRQ %7s %d%n", dir, &n, &end) != 2 ||
        line[end] != '\0' || n < 0 || n >= QTEST_ISA_IRQS ||
        (strcmp(dir, "raise") != 0 && strcmp(dir, "lower") != 0)) {
        qtest_die("malformed asynchronous line '%s'", line);
    }
    s->irq_level[n] = dir[0] == 'r';
    if (dir[0] == 'r') {
        s->irq_raises[n]++;
    }
    return true;
}

static char *qtest_vcmd(QTestState *s, const char *fmt, va_list ap)
{
    char *cmd = g_strdup_vprintf(fmt, ap);
    char *line = g_strconcat(cmd, "\n", NULL);
    char *reply;

    qtest_send_line(s, line);
    g_free(line);
    g_free(cmd);
    for (;;) {
        reply = qtest_recv_line(s);
        if (!qtest_handle_async(s, reply)) {
            return reply;
        }
        g_free(reply);
    }
}

char *qtest_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *reply;

    va_start(ap, fmt);
    reply = qtest_vcmd(s, fmt, ap);
    va_end(ap);
    return reply;
}

/* Sends a command that must succeed; returns what follows "OK" (g_free). */
static char * G_GNUC_PRINTF(2, 3) qtest_ok(QTestState *s, const char *fmt,
                                           ...)
{
    va_list ap;
    char *reply, *rest;

    va_start(ap, fmt);
    reply = qtest_vcmd(s, fmt, ap);
    va_end(ap);
    if (strcmp(reply, "OK") != 0 && !g_str_has_prefix(reply, "OK ")) {
        char *cmd;

        va_start(ap, fmt);
        cmd = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        qtest_die("'%s' got '%s'", cmd, reply);
    }
    rest = g_strdup(reply[2] ? reply + 3 : "");
    g_free(reply);
    return rest;
}

static uint64_t qtest_ok_u64(QTestState *s, const char *cmd, uint64_t arg)
{
    char *val = qtest_ok(s, "%s 0x%" PRIx64, cmd, arg);
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(val, &end, 0);
    if (errno || end == val || *end) {
        qtest_die("'%s 0x%" PRIx64 "' returned a malformed value '%s'", cmd,
                  arg, val);
    }
    g_free(val);
    return v;
}

static void qtest_ok_void(QTestState *s, const char *cmd, uint64_t a,
                          uint64_t b)
{
    g_free(qtest_ok(s, "%s 0x%" PRIx64 " 0x%" PRIx64, cmd, a, b));
}

void qtest_outb(QTestState *s, uint16_t port, uint8_t v)
{
    qtest_ok_void(s, "outb", port, v);
}

void qtest_outw(QTestState *s, uint16_t port, uint16_t v)
{
    qtest_ok_void(s, "outw", port, v);
}

void qtest_outl(QTestState *s, uint16_t port, uint32_t v)
{
    qtest_ok_void(s, "outl", port, v);
}

uint8_t qtest_inb(QTestState *s, uint16_t port)
{
    return qtest_ok_u64(s, "inb", port);
}

uint16_t qtest_inw(QTestState *s, uint16_t port)
{
    return qtest_ok_u64(s, "inw", port);
}

uint32_t qtest_inl(QTestState *s, uint16_t port)
{
    return qtest_ok_u64(s, "inl", port);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t v)
{
    qtest_ok_void(s, "writeb", addr, v);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t v)
{
    qtest_ok_void(s, "writew", addr, v);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t v)
{
    qtest_ok_void(s, "writel", addr, v);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t v)
{
    qtest_ok_void(s, "writeq", addr, v);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readb", addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readw", addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readl", addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readq", addr);
}

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t len)
{
    char *val = qtest_ok(s, "read 0x%" PRIx64 " 0x%zx", addr, len);
    uint8_t *out = buf;

    if (strncmp(val, "0x", 2) != 0 || strlen(val) != 2 + 2 * len) {
        qtest_die("read of %zu bytes returned '%.40s...'", len, val);
    }
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(val[2 + 2 * i]), lo = hexval(val[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            qtest_die("read returned non-hex data");
        }
        out[i] = hi << 4 | lo;
    }
    g_free(val);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    GString *hex = g_string_sized_new(2 * len + 2);

    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(hex, "%02x", in[i]);
    }
    g_free(qtest_ok(s, "write 0x%" PRIx64 " 0x%zx 0x%s", addr, len,
                    hex->str));
    g_string_free(hex, TRUE);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t byte, size_t len)
{
    g_free(qtest_ok(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, len, byte));
}

static int64_t qtest_clock_reply(QTestState *s, char *val)
{
    char *end;
    int64_t now;

    errno = 0;
    now = g_ascii_strtoll(val, &end, 10);
    if (errno || end == val || *end) {
        qtest_die("clock command returned '%s'", val);
    }
    g_free(val);
    return now;
}

int64_t qtest_clock_step(QTestState *s, int64_t ns)
{
    return qtest_clock_reply(s, qtest_ok(s, "clock_step %" PRId64, ns));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return qtest_clock_reply(s, qtest_ok(s, "clock_step"));
}

int64_t qtest_clock_set(QTestState *s, int64_t ns)
{
    return qtest_clock_reply(s, qtest_ok(s, "clock_set %" PRId64, ns));
}

void qtest_irq_intercept_in(QTestState *s, const char *path)
{
    g_free(qtest_ok(s, "irq_intercept_in %s", path));
}

void qtest_irq_intercept_out(QTestState *s, const char *path)
{
    g_free(qtest_ok(s, "irq_intercept_out %s", path));
}

void qtest_set_irq_in(QTestState *s, const char *path, int n, int level)
{
    g_free(qtest_ok(s, "set_irq_in %s %d %d", path, n, level));
}

bool qtest_get_irq(QTestState *s, int n)
{
    g_assert(n >= 0 && n < QTEST_ISA_IRQS);
    return s->irq_level[n];
}

unsigned qtest_irq_raise_count(QTestState *s, int n)
{
    g_assert(n >= 0 && n < QTEST_ISA_IRQS);
    return s->irq_raises[n];
}

/* --- host-side helpers --- */

char *qtest_tmpdir_new(void)
{
    GError *err = NULL;
    char *dir = g_dir_make_tmp("qtest-host-XXXXXX", &err);

    if (!dir) {
        qtest_die("cannot make a temporary directory: %s", err->message);
    }
    return dir;
}

void qtest_tmpdir_free(char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        g_unlink(path);
        g_free(path);
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(dir);
    g_free(dir);
}

void qtest_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_die("write to host socket: %s", g_strerror(errno));
        }
        p += n;
        len -= n;
    }
}

void qtest_read_exact(int fd, void *buf, size_t len)
{
    int64_t deadline = now_ms() + qtest_timeout_ms();
    char *p = buf;

    while (len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int64_t left = deadline - now_ms();

        if (left <= 0) {
            qtest_die("timed out reading %zu more bytes from a host socket",
                      len);
        }
        if (poll(&pfd, 1, left) <= 0) {
            continue;
        }
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_die("host socket closed with %zu bytes still expected", len);
        }
        p += n;
        len -= n;
    }
}

char *qtest_file_wait(const char *path, size_t min_len, size_t *len_out)
{
    int64_t deadline = now_ms() + qtest_timeout_ms();

    for (;;) {
        char *data = NULL;
        gsize len = 0;

        if (g_file_get_contents(path, &data, &len, NULL) && len >= min_len) {
            if (len_out) {
                *len_out = len;
            }
            return data;
        }
        g_free(data);
        if (now_ms() > deadline) {
            qtest_die("%s did not reach %zu bytes in time (has %zu)", path,
                      min_len, (size_t)len);
        }
        g_usleep(5 * 1000);
    }
}

char *qtest_vmstate_save(QTestState *qts, const char *id)
{
    char *reply = qtest_cmd(qts, "vmstate_save %s", id);
    char *rec;

    g_assert_true(g_str_has_prefix(reply, "OK 0x"));
    rec = g_strdup(reply + 3);
    g_free(reply);
    return rec;
}

void qtest_vmstate_load(QTestState *qts, const char *id, const char *rec)
{
    char *reply = qtest_cmd(qts, "vmstate_load %s %s", id, rec);

    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
}
