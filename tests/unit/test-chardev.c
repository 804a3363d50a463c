/*
 * test-chardev.c: character device backends, option parsing, the frontend
 * API, flow control and the mux (chardev/char*.c).
 *
 * A TestFe records what a frontend sees (bytes, events) and can limit how
 * much it accepts.  The test thread is the main thread: it holds the BQL
 * and runs the main loop with run_until().  The peers (socket clients,
 * FIFO ends, pty slaves) are plain fds in the test thread.  The stdio
 * backend is tested in forked children whose stdin/stdout are a pty or
 * /dev/null; those run first, while the process has one thread.
 */
#include "util/osdep.h"
#include "chardev/char.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/bql.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#define TIMEOUT_NS (5 * NS_PER_SEC)

static EventLoop *ml;
static Timer *tick;
static char *tmpdir;

static void tick_cb(void *opaque)
{
}

typedef bool CondFn(void *opaque);

static bool run_until(CondFn *cond, void *opaque)
{
    int64_t deadline = clock_get_ns(CLK_REALTIME) + TIMEOUT_NS;

    while (!cond(opaque)) {
        if (clock_get_ns(CLK_REALTIME) > deadline) {
            return false;
        }
        timer_mod(tick, clock_get_ns(CLK_REALTIME) + 10 * NS_PER_MS);
        event_loop_run_once(ml, true);
    }
    timer_del(tick);
    return true;
}

static bool never(void *opaque)
{
    return false;
}

static void run_for_ms(int ms)
{
    int64_t end = clock_get_ns(CLK_REALTIME) + ms * NS_PER_MS;

    while (clock_get_ns(CLK_REALTIME) < end) {
        timer_mod(tick, clock_get_ns(CLK_REALTIME) + 5 * NS_PER_MS);
        event_loop_run_once(ml, true);
    }
    timer_del(tick);
    (void)never;
}

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* --- A recording frontend --- */

typedef struct TestFe {
    CharFrontend fe;
    GByteArray *rx;
    int limit;                 /* accepts at most this many bytes; -1: any */
    int events[CHR_EVENT_MUX_OUT + 1];
    CharEvent last_event;
} TestFe;

static int tfe_can_read(void *opaque)
{
    TestFe *t = opaque;

    g_assert_true(bql_locked());
    return t->limit < 0 ? 4096 : t->limit - (int)t->rx->len;
}

static void tfe_read(void *opaque, const uint8_t *buf, int len)
{
    TestFe *t = opaque;

    g_assert_true(bql_locked());
    g_assert_cmpint(len, >, 0);
    if (t->limit >= 0) {
        g_assert_cmpint(t->rx->len + len, <=, t->limit);
    }
    g_byte_array_append(t->rx, buf, len);
}

static void tfe_event(void *opaque, CharEvent ev)
{
    TestFe *t = opaque;

    t->events[ev]++;
    t->last_event = ev;
}

static void tfe_init(TestFe *t, Chardev *chr)
{
    memset(t, 0, sizeof(*t));
    t->rx = g_byte_array_new();
    t->limit = -1;
    g_assert_true(char_fe_init(&t->fe, chr, &error_abort));
    char_fe_set_handlers(&t->fe, tfe_can_read, tfe_read, tfe_event, t);
}

static void tfe_deinit(TestFe *t)
{
    char_fe_deinit(&t->fe);
    g_byte_array_free(t->rx, true);
}

typedef struct RxWait {
    TestFe *t;
    size_t len;
} RxWait;

static bool rx_has(void *opaque)
{
    RxWait *w = opaque;

    return w->t->rx->len >= w->len;
}

/* Waits until t has received exactly the string s (and nothing else). */
static void expect_rx(TestFe *t, const char *s)
{
    RxWait w = { t, strlen(s) };

    g_assert_true(run_until(rx_has, &w));
    g_assert_cmpint(t->rx->len, ==, strlen(s));
    g_assert_cmpmem(t->rx->data, t->rx->len, s, strlen(s));
    g_byte_array_set_size(t->rx, 0);
}

typedef struct EventWait {
    TestFe *t;
    CharEvent ev;
    int count;
} EventWait;

static bool event_count_reached(void *opaque)
{
    EventWait *w = opaque;

    return w->t->events[w->ev] >= w->count;
}

static void expect_event_count(TestFe *t, CharEvent ev, int count)
{
    EventWait w = { t, ev, count };

    g_assert_true(run_until(event_count_reached, &w));
    g_assert_cmpint(t->events[ev], ==, count);
}

static void fe_write_str(TestFe *t, const char *s)
{
    g_assert_cmpint(char_fe_write(&t->fe, (const uint8_t *)s, strlen(s)), ==,
                    strlen(s));
}

/*
 * Reads exactly len bytes from fd within the timeout, running the main
 * loop meanwhile (the bytes may be produced by a loop callback).
 */
static char *read_n(int fd, size_t len)
{
    char *buf = g_malloc0(len + 1);
    size_t got = 0;
    int64_t deadline = clock_get_ns(CLK_REALTIME) + TIMEOUT_NS;

    while (got < len && clock_get_ns(CLK_REALTIME) < deadline) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t r;

        if (poll(&pfd, 1, 0) <= 0) {
            timer_mod(tick, clock_get_ns(CLK_REALTIME) + 5 * NS_PER_MS);
            event_loop_run_once(ml, true);
            continue;
        }
        r = read(fd, buf + got, len - got);
        if (r > 0) {
            got += r;
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            break;
        }
    }
    g_assert_cmpint(got, ==, len);
    return buf;
}

static void expect_fd_bytes(int fd, const char *s)
{
    g_autofree char *got = read_n(fd, strlen(s));

    g_assert_cmpmem(got, strlen(s), s, strlen(s));
}

static void write_all(int fd, const char *s)
{
    g_assert_cmpint(write(fd, s, strlen(s)), ==, strlen(s));
}

/* --- Option errors --- */

/* The caller (the command line) prepends "-chardev OPTS: "; so do we. */
static void expect_opts_error(const char *opts, const char *msg)
{
    Error *err = NULL;

    g_assert_null(chardev_new_from_opts(opts, &err));
    g_assert_nonnull(err);
    error_prepend(&err, "-chardev %s: ", opts);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    g_assert_null(strchr(error_get_pretty(err), '\n'));
    error_free(err);
}

static void expect_spec_error(const char *spec, const char *msg)
{
    Error *err = NULL;

    g_assert_null(chardev_new_from_spec(spec, NULL, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_errors(void)
{
    g_autofree char *sock = tmp_path("refused.sock");
    g_autofree char *opts = NULL, *msg = NULL;

    expect_opts_error("foo", "-chardev foo: unknown chardev backend 'foo'");
    expect_opts_error("foo,id=x",
                      "-chardev foo,id=x: unknown chardev backend 'foo'");
    expect_opts_error("null", "-chardev null: missing required property 'id'");
    expect_opts_error("id=x", "-chardev id=x: the backend name must come "
                      "first (e.g. socket,id=ID,...)");
    g_assert_nonnull(chardev_new_from_opts("null,id=dup", &error_abort));
    expect_opts_error("null,id=dup",
                      "-chardev null,id=dup: duplicate chardev id 'dup'");
    expect_opts_error("null,id=x,bogus=1", "-chardev null,id=x,bogus=1: "
                      "unknown property 'bogus' for chardev backend 'null'");
    expect_opts_error("null,id=x,bogus", "-chardev null,id=x,bogus: "
                      "unknown property 'bogus' for chardev backend 'null'");
    expect_opts_error("file,id=f", "-chardev file,id=f: property 'path' is "
                      "required for chardev backend 'file'");
    expect_opts_error("file,id=f,path=/nonexistent-dir/x",
                      "-chardev file,id=f,path=/nonexistent-dir/x: cannot "
                      "open '/nonexistent-dir/x': No such file or directory");
    expect_opts_error("pipe,id=p", "-chardev pipe,id=p: property 'path' is "
                      "required for chardev backend 'pipe'");
    expect_opts_error("socket,id=s", "-chardev socket,id=s: property 'port' "
                      "(tcp) or 'path' (unix) is required for chardev "
                      "backend 'socket'");
    expect_opts_error("socket,id=s,path=/x,server=maybe",
                      "-chardev socket,id=s,path=/x,server=maybe: property "
                      "'server' must be 'on' or 'off', not 'maybe'");
    opts = g_strdup_printf("socket,id=s,path=%s", sock);
    msg = g_strdup_printf("-chardev %s: cannot connect to unix:%s: No such "
                          "file or directory", opts, sock);
    expect_opts_error(opts, msg);
    /* A failed creation does not take the id. */
    g_assert_null(chardev_find("f"));
    g_assert_null(chardev_find("s"));

    expect_spec_error("bogus:1", "'bogus:1' is not a character device (use "
                      "stdio, pty, null, none, file:PATH, pipe:PATH, "
                      "tcp:HOST:PORT, unix:PATH, mon:DEV or chardev:ID)");
    expect_spec_error("chardev:nope", "chardev 'nope' not found");
    expect_spec_error("tcp:localhost", "'tcp:localhost' needs a port: "
                      "tcp:[HOST]:PORT");
    expect_spec_error("file:/nonexistent-dir/y", "cannot open "
                      "'/nonexistent-dir/y': No such file or directory");
}

static void test_spec_forms(void)
{
    Error *err = NULL;
    Chardev *a, *b, *m;
    g_autofree char *file = tmp_path("spec.out");
    g_autofree char *spec = g_strdup_printf("file:%s", file);
    g_autofree char *fname = g_strdup_printf("file:%s", file);

    g_assert_null(chardev_new_from_spec("none", "serial9", &err));
    g_assert_null(err);

    a = chardev_new_from_spec("null", "serial8", &error_abort);
    g_assert_cmpstr(chardev_id(a), ==, "serial8");
    g_assert_true(chardev_find("serial8") == a);
    b = chardev_new_from_spec("chardev:serial8", "x", &error_abort);
    g_assert_true(a == b);
    g_assert_cmpstr(chardev_filename(a), ==, "null");

    a = chardev_new_from_spec(spec, "serial7", &error_abort);
    g_assert_cmpstr(chardev_filename(a), ==, fname);

    /* mon:DEV is DEV behind a mux, registered under the label. */
    m = chardev_new_from_spec("mon:null", "monmux", &error_abort);
    g_assert_true(chardev_find("monmux") == m);
    g_assert_nonnull(chardev_find("monmux-base"));
    g_assert_true(chardev_get_mux(m) == m);

    /* Unlabelled ones get a name of their own. */
    a = chardev_new_from_spec("null", NULL, &error_abort);
    b = chardev_new_from_spec("null", NULL, &error_abort);
    g_assert_cmpstr(chardev_id(a), !=, chardev_id(b));

    /* ",," escapes a comma in a value. */
    {
        g_autofree char *odd = tmp_path("a,b");
        g_autofree char *o = g_strdup_printf("file,id=comma,path=%s/a,,b",
                                             tmpdir);

        g_assert_nonnull(chardev_new_from_opts(o, &error_abort));
        g_assert_true(g_file_test(odd, G_FILE_TEST_EXISTS));
    }
}

/* --- Backends --- */

static void test_null(void)
{
    Chardev *chr = chardev_new_from_opts("null,id=n0", &error_abort);
    TestFe t;

    tfe_init(&t, chr);
    g_assert_cmpint(t.events[CHR_EVENT_OPENED], ==, 1);
    g_assert_true(char_fe_backend_connected(&t.fe));
    fe_write_str(&t, "into the void");
    run_for_ms(20);
    g_assert_cmpint(t.rx->len, ==, 0);
    tfe_deinit(&t);
}

static void test_file(void)
{
    g_autofree char *path = tmp_path("file.out");
    g_autofree char *opts = g_strdup_printf("file,id=f0,path=%s", path);
    g_autofree char *opts2 = g_strdup_printf("file,id=f1,path=%s,append=on",
                                             path);
    g_autofree char *contents = NULL;
    TestFe t, t2;
    Chardev *chr;
    gsize len;

    g_file_set_contents(path, "old contents\n", -1, NULL);
    chr = chardev_new_from_opts(opts, &error_abort);
    tfe_init(&t, chr);
    fe_write_str(&t, "hello ");
    fe_write_str(&t, "world\n");
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_cmpstr(contents, ==, "hello world\n");   /* truncated first */
    g_free(contents);

    chr = chardev_new_from_opts(opts2, &error_abort);
    tfe_init(&t2, chr);
    fe_write_str(&t2, "more\n");
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_cmpstr(contents, ==, "hello world\nmore\n");
    tfe_deinit(&t);
    tfe_deinit(&t2);
}

static void test_pipe(void)
{
    g_autofree char *base = tmp_path("fifo");
    g_autofree char *in = tmp_path("fifo.in");
    g_autofree char *out = tmp_path("fifo.out");
    g_autofree char *opts = g_strdup_printf("pipe,id=p0,path=%s", base);
    int to_emu, from_emu;
    Chardev *chr;
    TestFe t;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    chr = chardev_new_from_opts(opts, &error_abort);
    tfe_init(&t, chr);
    to_emu = open(in, O_WRONLY | O_NONBLOCK);
    from_emu = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(to_emu, >=, 0);
    g_assert_cmpint(from_emu, >=, 0);

    write_all(to_emu, "guest input");
    expect_rx(&t, "guest input");
    fe_write_str(&t, "guest output");
    expect_fd_bytes(from_emu, "guest output");

    /* The user's program going away is not an EOF for us. */
    close(to_emu);
    run_for_ms(20);
    g_assert_cmpint(t.events[CHR_EVENT_CLOSED], ==, 0);
    to_emu = open(in, O_WRONLY | O_NONBLOCK);
    write_all(to_emu, "again");
    expect_rx(&t, "again");
    close(to_emu);
    close(from_emu);
    tfe_deinit(&t);
}

/* The single-path form: PATH is used for both directions. */
static void test_pipe_single(void)
{
    g_autofree char *path = tmp_path("one.fifo");
    g_autofree char *opts = g_strdup_printf("pipe,id=p1,path=%s", path);
    Chardev *chr;
    TestFe t;
    int peer;

    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    chr = chardev_new_from_opts(opts, &error_abort);
    tfe_init(&t, chr);
    peer = open(path, O_WRONLY | O_NONBLOCK);
    write_all(peer, "x");
    expect_rx(&t, "x");
    close(peer);
    tfe_deinit(&t);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    return fd;
}

static int tcp_connect(int port)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    return fd;
}

/* Exercises a listening backend whose clients come from connect_fn. */
static void check_server(Chardev *chr, int (*connect_fn)(void *), void *arg)
{
    TestFe t;
    int c;

    tfe_init(&t, chr);
    g_assert_false(char_fe_backend_connected(&t.fe));
    g_assert_cmpint(t.events[CHR_EVENT_OPENED], ==, 0);
    g_assert_true(g_str_has_prefix(chardev_filename(chr), "disconnected:"));
    fe_write_str(&t, "dropped: nobody there");

    c = connect_fn(arg);
    expect_event_count(&t, CHR_EVENT_OPENED, 1);
    g_assert_true(char_fe_backend_connected(&t.fe));
    g_assert_false(g_str_has_prefix(chardev_filename(chr), "disconnected:"));
    write_all(c, "ping");
    expect_rx(&t, "ping");
    fe_write_str(&t, "pong");
    expect_fd_bytes(c, "pong");

    /* The client leaves; the next one is accepted. */
    close(c);
    expect_event_count(&t, CHR_EVENT_CLOSED, 1);
    g_assert_false(char_fe_backend_connected(&t.fe));
    fe_write_str(&t, "dropped again");
    c = connect_fn(arg);
    expect_event_count(&t, CHR_EVENT_OPENED, 2);
    write_all(c, "second");
    expect_rx(&t, "second");
    fe_write_str(&t, "hi 2");
    expect_fd_bytes(c, "hi 2");
    close(c);
    expect_event_count(&t, CHR_EVENT_CLOSED, 2);
    tfe_deinit(&t);
}

static int connect_unix_cb(void *arg)
{
    return unix_connect(arg);
}

static int connect_tcp_cb(void *arg)
{
    return tcp_connect(*(int *)arg);
}

static void test_socket_unix_server(void)
{
    g_autofree char *path = tmp_path("srv.sock");
    g_autofree char *opts =
        g_strdup_printf("socket,id=us0,path=%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_opts(opts, &error_abort);

    check_server(chr, connect_unix_cb, path);
    g_assert_cmpint(chardev_socket_port(chr), ==, -1);
}

static void test_socket_tcp_server(void)
{
    Chardev *chr = chardev_new_from_opts(
        "socket,id=ts0,host=127.0.0.1,port=0,server=on,wait=off",
        &error_abort);
    int port = chardev_socket_port(chr);
    g_autofree char *desc = g_strdup_printf(
        "disconnected:tcp:127.0.0.1:%d,server=on", port);

    g_assert_cmpint(port, >, 0);
    g_assert_cmpstr(chardev_filename(chr), ==, desc);
    check_server(chr, connect_tcp_cb, &port);
}

/* The short form with old-style flags. */
static void test_socket_tcp_spec(void)
{
    Chardev *chr = chardev_new_from_spec("tcp:127.0.0.1:0,server,nowait",
                                         "serial5", &error_abort);
    int port = chardev_socket_port(chr);

    g_assert_cmpint(port, >, 0);
    check_server(chr, connect_tcp_cb, &port);
}

static void test_socket_unix_spec(void)
{
    g_autofree char *path = tmp_path("spec.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_spec(spec, "serial6", &error_abort);

    check_server(chr, connect_unix_cb, path);
}

static void test_socket_tcp_client(void)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    socklen_t len = sizeof(sin);
    int lfd = socket(AF_INET, SOCK_STREAM, 0), c, port;
    g_autofree char *opts = NULL, *bad = NULL, *msg = NULL;
    Chardev *chr;
    TestFe t;

    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    getsockname(lfd, (struct sockaddr *)&sin, &len);
    port = ntohs(sin.sin_port);

    opts = g_strdup_printf("socket,id=tc0,host=127.0.0.1,port=%d", port);
    chr = chardev_new_from_opts(opts, &error_abort);
    c = accept(lfd, NULL, NULL);
    g_assert_cmpint(c, >=, 0);
    tfe_init(&t, chr);
    g_assert_cmpint(t.events[CHR_EVENT_OPENED], ==, 1);  /* already there */
    g_assert_true(char_fe_backend_connected(&t.fe));
    write_all(c, "from server");
    expect_rx(&t, "from server");
    fe_write_str(&t, "from client");
    expect_fd_bytes(c, "from client");

    /* The server goes away: CLOSED, and writes are dropped, no SIGPIPE. */
    close(c);
    expect_event_count(&t, CHR_EVENT_CLOSED, 1);
    fe_write_str(&t, "nobody hears this");
    fe_write_str(&t, "nor this");
    tfe_deinit(&t);

    /* Nothing listens there any more. */
    close(lfd);
    bad = g_strdup_printf("socket,id=tc1,host=127.0.0.1,port=%d", port);
    msg = g_strdup_printf("-chardev %s: cannot connect to tcp:127.0.0.1:%d: "
                          "Connection refused", bad, port);
    expect_opts_error(bad, msg);
}

/* A peer that vanishes while we write: the write is dropped, no SIGPIPE,
 * and the backend notices the disconnect. */
static void test_socket_write_to_gone_peer(void)
{
    g_autofree char *path = tmp_path("gone.sock");
    g_autofree char *opts =
        g_strdup_printf("socket,id=gone,path=%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_opts(opts, &error_abort);
    TestFe t;
    int c;

    tfe_init(&t, chr);
    t.limit = 0;                            /* don't read: only writes */
    char_fe_accept_input(&t.fe);
    c = unix_connect(path);
    expect_event_count(&t, CHR_EVENT_OPENED, 1);
    close(c);
    for (int i = 0; i < 20; i++) {
        fe_write_str(&t, "xxxxxxxxxxxxxxxx");
    }
    expect_event_count(&t, CHR_EVENT_CLOSED, 1);
    tfe_deinit(&t);
}

/* wait=on: creation blocks until a client connects. */
static void *late_client(void *arg)
{
    const char *path = arg;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    g_usleep(100 * 1000);
    for (int i = 0; i < 500; i++) {
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            return GINT_TO_POINTER(fd);
        }
        g_usleep(10 * 1000);
    }
    close(fd);
    return GINT_TO_POINTER(-1);
}

static void test_socket_wait(void)
{
    g_autofree char *path = tmp_path("wait.sock");
    g_autofree char *opts =
        g_strdup_printf("socket,id=w0,path=%s,server=on", path);
    int64_t t0 = clock_get_ns(CLK_REALTIME);
    pthread_t th;
    Chardev *chr;
    void *ret;
    TestFe t;
    int c;

    pthread_create(&th, NULL, late_client, path);
    chr = chardev_new_from_opts(opts, &error_abort);
    g_assert_cmpint(clock_get_ns(CLK_REALTIME) - t0, >=, 90 * NS_PER_MS);
    pthread_join(th, &ret);
    c = GPOINTER_TO_INT(ret);
    g_assert_cmpint(c, >=, 0);
    tfe_init(&t, chr);
    g_assert_cmpint(t.events[CHR_EVENT_OPENED], ==, 1);
    write_all(c, "waited");
    expect_rx(&t, "waited");
    close(c);
    tfe_deinit(&t);
}

static void test_pty(void)
{
    Chardev *chr = chardev_new_from_opts("pty,id=pty0", &error_abort);
    const char *fname = chardev_filename(chr);
    struct termios tio;
    TestFe t;
    int s;

    g_assert_true(g_str_has_prefix(fname, "pty:/dev/pts/"));
    tfe_init(&t, chr);
    g_assert_false(char_fe_backend_connected(&t.fe));
    fe_write_str(&t, "lost");               /* nobody connected: dropped */

    s = open(fname + 4, O_RDWR | O_NOCTTY | O_NONBLOCK);
    g_assert_cmpint(s, >=, 0);
    tcgetattr(s, &tio);
    cfmakeraw(&tio);
    tcsetattr(s, TCSANOW, &tio);
    expect_event_count(&t, CHR_EVENT_OPENED, 1);
    write_all(s, "typed");
    expect_rx(&t, "typed");
    fe_write_str(&t, "shown");
    expect_fd_bytes(s, "shown");

    /* The terminal program exits; a new one connects later. */
    close(s);
    expect_event_count(&t, CHR_EVENT_CLOSED, 1);
    s = open(fname + 4, O_RDWR | O_NOCTTY | O_NONBLOCK);
    expect_event_count(&t, CHR_EVENT_OPENED, 2);
    fe_write_str(&t, "back");
    expect_fd_bytes(s, "back");
    close(s);
    tfe_deinit(&t);
}

/* --- Frontend rules and flow control --- */

static void test_in_use(void)
{
    Chardev *chr = chardev_new_from_opts("null,id=busy", &error_abort);
    CharFrontend other;
    Error *err = NULL;
    TestFe t;

    tfe_init(&t, chr);
    g_assert_false(char_fe_init(&other, chr, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "chardev 'busy' is already in use");
    error_free(err);
    /* Free again after deinit. */
    tfe_deinit(&t);
    g_assert_true(char_fe_init(&other, chr, &error_abort));
    char_fe_deinit(&other);
}

static void test_flow_control(void)
{
    g_autofree char *path = tmp_path("flow.sock");
    g_autofree char *opts =
        g_strdup_printf("socket,id=flow,path=%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_opts(opts, &error_abort);
    TestFe t;
    int c;

    tfe_init(&t, chr);
    t.limit = 3;
    c = unix_connect(path);
    expect_event_count(&t, CHR_EVENT_OPENED, 1);
    write_all(c, "abcdefgh");
    run_for_ms(50);
    g_assert_cmpint(t.rx->len, ==, 3);      /* only what it could take */
    g_assert_cmpmem(t.rx->data, 3, "abc", 3);

    /* Room appears, but nothing arrives until the frontend says so. */
    t.limit = 6;
    run_for_ms(50);
    g_assert_cmpint(t.rx->len, ==, 3);
    char_fe_accept_input(&t.fe);
    run_for_ms(50);
    g_assert_cmpint(t.rx->len, ==, 6);
    t.limit = -1;
    char_fe_accept_input(&t.fe);
    {
        RxWait w = { &t, 8 };

        g_assert_true(run_until(rx_has, &w));
    }
    g_assert_cmpmem(t.rx->data, t.rx->len, "abcdefgh", 8);
    close(c);
    tfe_deinit(&t);
}

/*
 * A reader that stops reading: a write gives up after about a second and
 * fails, later writes fail at once while the fd stays full, and writing
 * works again once the reader drains it.
 */
static void test_bounded_write(void)
{
    g_autofree char *base = tmp_path("slow");
    g_autofree char *in = tmp_path("slow.in");
    g_autofree char *out = tmp_path("slow.out");
    g_autofree char *opts = g_strdup_printf("pipe,id=slow,path=%s", base);
    static uint8_t chunk[4096];
    int64_t t0, elapsed;
    int r = 0, reader;
    Chardev *chr;
    TestFe t;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    chr = chardev_new_from_opts(opts, &error_abort);
    tfe_init(&t, chr);
    reader = open(out, O_RDONLY | O_NONBLOCK);

    /* Fill the FIFO (64 KiB on Linux) until a write times out. */
    t0 = clock_get_ns(CLK_REALTIME);
    for (int i = 0; i < 64 && r >= 0; i++) {
        t0 = clock_get_ns(CLK_REALTIME);
        r = char_fe_write(&t.fe, chunk, sizeof(chunk));
    }
    elapsed = clock_get_ns(CLK_REALTIME) - t0;
    g_assert_cmpint(r, ==, -EAGAIN);
    g_assert_cmpint(elapsed, >=, 900 * NS_PER_MS);
    g_assert_cmpint(elapsed, <, 3 * NS_PER_SEC);

    /* Still full: dropped without waiting again. */
    t0 = clock_get_ns(CLK_REALTIME);
    g_assert_cmpint(char_fe_write(&t.fe, chunk, 16), ==, -EAGAIN);
    g_assert_cmpint(clock_get_ns(CLK_REALTIME) - t0, <, 200 * NS_PER_MS);

    /* Drained: writes go through again. */
    while (read(reader, chunk, sizeof(chunk)) > 0) {
    }
    fe_write_str(&t, "recovered");
    expect_fd_bytes(reader, "recovered");
    close(reader);
    tfe_deinit(&t);
}

/* --- Mux --- */

typedef struct MuxRig {
    Chardev *mux;
    int peer;                  /* the "terminal" side of the backend */
    TestFe a, b;
} MuxRig;

static void mux_rig_init(MuxRig *r, const char *name)
{
    g_autofree char *path = tmp_path(name);
    g_autofree char *spec = g_strdup_printf("unix:%s,server,nowait", path);
    Chardev *be = chardev_new_from_spec(spec, name, &error_abort);

    r->mux = chardev_get_mux(be);
    g_assert_true(chardev_find(name) == r->mux);
    r->peer = unix_connect(path);
    tfe_init(&r->a, r->mux);
    tfe_init(&r->b, r->mux);
    g_assert_cmpint(r->a.fe.mux_index, ==, 0);
    g_assert_cmpint(r->b.fe.mux_index, ==, 1);
    expect_event_count(&r->a, CHR_EVENT_OPENED, 1);
    expect_event_count(&r->b, CHR_EVENT_OPENED, 1);
}

static void mux_rig_fini(MuxRig *r)
{
    close(r->peer);
    tfe_deinit(&r->a);
    tfe_deinit(&r->b);
}

static void test_mux_focus_and_escapes(void)
{
    MuxRig r;

    mux_rig_init(&r, "mux1.sock");
    /* Input goes to the first frontend. */
    write_all(r.peer, "to a");
    expect_rx(&r.a, "to a");
    g_assert_cmpint(r.b.rx->len, ==, 0);

    /* C-a c: a loses the input, b gains it. */
    write_all(r.peer, "\x01" "c");
    expect_event_count(&r.b, CHR_EVENT_MUX_IN, 1);
    g_assert_cmpint(r.a.events[CHR_EVENT_MUX_OUT], ==, 1);
    write_all(r.peer, "to b");
    expect_rx(&r.b, "to b");
    g_assert_cmpint(r.a.rx->len, ==, 0);

    /* C-a a and C-a C-a pass one C-a. */
    write_all(r.peer, "x\x01" "ay\x01\x01" "z");
    expect_rx(&r.b, "x\x01y\x01z");

    /* C-a b: a break for the focused frontend. */
    write_all(r.peer, "\x01" "b");
    expect_event_count(&r.b, CHR_EVENT_BREAK, 1);
    g_assert_cmpint(r.a.events[CHR_EVENT_BREAK], ==, 0);

    /* Unknown escapes are eaten. */
    write_all(r.peer, "\x01" "q!");
    expect_rx(&r.b, "!");

    /* And back around to a. */
    write_all(r.peer, "\x01" "c" "back");
    expect_rx(&r.a, "back");
    g_assert_cmpint(r.b.events[CHR_EVENT_MUX_OUT], ==, 1);

    /* Output of both frontends reaches the backend. */
    fe_write_str(&r.a, "from a;");
    fe_write_str(&r.b, "from b");
    expect_fd_bytes(r.peer, "from a;from b");

    /* The escape may be split across reads. */
    write_all(r.peer, "\x01");
    run_for_ms(30);
    write_all(r.peer, "c" "split");
    expect_rx(&r.b, "split");
    mux_rig_fini(&r);
}

static void test_mux_help(void)
{
    static const char help[] =
        "\r\n"
        "C-a h    show this help\r\n"
        "C-a x    quit the emulator\r\n"
        "C-a t    timestamps on output lines on/off\r\n"
        "C-a b    send a break (magic SysRq on Linux guests)\r\n"
        "C-a c    switch input between the console and the monitor\r\n"
        "C-a C-a  send C-a itself (C-a a does the same)\r\n";
    MuxRig r;

    mux_rig_init(&r, "mux2.sock");
    write_all(r.peer, "\x01" "h");
    expect_fd_bytes(r.peer, help);
    g_assert_cmpint(r.a.rx->len, ==, 0);
    mux_rig_fini(&r);
}

static void test_mux_timestamps(void)
{
    g_autofree char *got = NULL;
    MuxRig r;

    mux_rig_init(&r, "mux3.sock");
    write_all(r.peer, "\x01" "t");
    run_for_ms(30);
    fe_write_str(&r.a, "one\ntwo");
    got = read_n(r.peer, strlen("[00:00:00.000] one\n[00:00:00.000] two"));
    g_assert_true(g_regex_match_simple(
        "^\\[00:00:00\\.[0-9]{3}\\] one\n\\[00:00:00\\.[0-9]{3}\\] two$",
        got, 0, 0));
    write_all(r.peer, "\x01" "t");
    run_for_ms(30);
    fe_write_str(&r.a, "\nplain");
    expect_fd_bytes(r.peer, "\nplain");
    mux_rig_fini(&r);
}

static bool shutdown_seen(void *opaque)
{
    ShutdownCause cause;
    int status;

    if (system_shutdown_requested(&cause, &status)) {
        g_assert_cmpint(cause, ==, SHUTDOWN_CAUSE_HOST_QUIT);
        g_assert_cmpint(status, ==, 0);
        *(bool *)opaque = true;
    }
    return *(bool *)opaque;
}

static void test_mux_quit(void)
{
    bool seen = false;
    MuxRig r;

    mux_rig_init(&r, "mux4.sock");
    write_all(r.peer, "\x01" "x");
    g_assert_true(run_until(shutdown_seen, &seen));
    expect_fd_bytes(r.peer, "\r\ntandem: terminated (C-a x)\r\n");
    g_assert_cmpint(r.a.rx->len, ==, 0);
    mux_rig_fini(&r);
}

/* Wrapping a backend that already has a frontend keeps that frontend. */
static void test_mux_wraps_existing(void)
{
    g_autofree char *path = tmp_path("mux5.sock");
    g_autofree char *opts = g_strdup_printf(
        "socket,id=m5,path=%s,server=on,wait=off", path);
    Chardev *be = chardev_new_from_opts(opts, &error_abort);
    Chardev *mux;
    TestFe a, b, extra[3];
    CharFrontend fifth;
    Error *err = NULL;
    int peer;

    tfe_init(&a, be);
    mux = chardev_get_mux(be);
    g_assert_true(mux != be);
    g_assert_true(a.fe.chr == mux);
    g_assert_cmpint(a.fe.mux_index, ==, 0);
    tfe_init(&b, mux);
    peer = unix_connect(path);
    expect_event_count(&a, CHR_EVENT_OPENED, 1);
    expect_event_count(&b, CHR_EVENT_OPENED, 1);
    write_all(peer, "kept");
    expect_rx(&a, "kept");

    /* At most four frontends. */
    tfe_init(&extra[0], mux);
    tfe_init(&extra[1], mux);
    g_assert_false(char_fe_init(&fifth, mux, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "chardev 'm5' cannot be shared by more than 4 frontends");
    error_free(err);

    /* Taking the focus explicitly, and losing the focused frontend. */
    char_fe_take_focus(&b.fe);
    g_assert_cmpint(b.events[CHR_EVENT_MUX_IN], ==, 1);
    tfe_deinit(&b);
    write_all(peer, "next");
    expect_rx(&extra[0], "next");

    /* The peer leaving reaches every frontend. */
    close(peer);
    expect_event_count(&a, CHR_EVENT_CLOSED, 1);
    g_assert_cmpint(extra[1].events[CHR_EVENT_CLOSED], ==, 1);
    tfe_deinit(&a);
    tfe_deinit(&extra[0]);
    tfe_deinit(&extra[1]);
}

/* mux=on on -chardev. */
static void test_mux_option(void)
{
    Chardev *chr = chardev_new_from_opts("null,id=mo,mux=on", &error_abort);
    TestFe a, b;

    g_assert_true(chardev_find("mo") == chr);
    tfe_init(&a, chr);
    tfe_init(&b, chr);                      /* allowed: it is a mux */
    fe_write_str(&a, "x");
    fe_write_str(&b, "y");
    tfe_deinit(&a);
    tfe_deinit(&b);
}

/* --- stdio, in forked children --- */


typedef struct ChildFe {
    char buf[64];
    int len;
    int closed;
} ChildFe;

static int cfe_can_read(void *opaque)
{
    ChildFe *c = opaque;

    return sizeof(c->buf) - 1 - c->len;
}

static void cfe_read(void *opaque, const uint8_t *buf, int len)
{
    ChildFe *c = opaque;

    memcpy(c->buf + c->len, buf, len);
    c->len += len;
}

static void cfe_event(void *opaque, CharEvent ev)
{
    if (ev == CHR_EVENT_CLOSED) {
        ((ChildFe *)opaque)->closed = 1;
    }
}

static bool child_got(void *opaque)
{
    ChildFe *c = opaque;

    return c->len >= 4 || c->closed;
}

/* Child: stdio on a pty; raw while open, data both ways, restored. */
static int stdio_pty_child(void)
{
    struct termios before, during, after;
    CharFrontend fe;
    ChildFe c = { { 0 } };
    Chardev *chr;

    if (tcgetattr(STDIN_FILENO, &before) < 0) {
        return 10;
    }
    chr = chardev_new_from_opts("stdio,id=stdio0", NULL);
    if (!chr) {
        return 11;
    }
    tcgetattr(STDIN_FILENO, &during);
    if ((during.c_lflag & (ICANON | ECHO)) || (during.c_iflag & ICRNL) ||
        !(during.c_lflag & ISIG)) {
        return 12;                          /* not raw, or lost signals */
    }
    if (chardev_new_from_opts("stdio,id=stdio1", NULL)) {
        return 13;                          /* only one stdio */
    }
    char_fe_init(&fe, chr, NULL);
    char_fe_set_handlers(&fe, cfe_can_read, cfe_read, cfe_event, &c);
    if (!run_until(child_got, &c) || c.len != 4 ||
        memcmp(c.buf, "ping", 4)) {
        return 14;
    }
    if (char_fe_write(&fe, (const uint8_t *)"pong\r", 5) != 5) {
        return 15;
    }
    chardev_restore_terminals();
    tcgetattr(STDIN_FILENO, &after);
    if (after.c_lflag != before.c_lflag || after.c_iflag != before.c_iflag) {
        return 16;
    }
    /* Closing restores too (after a re-raw by nobody: still cooked). */
    chardev_close_all();
    tcgetattr(STDIN_FILENO, &after);
    if (after.c_lflag != before.c_lflag) {
        return 17;
    }
    return 0;
}

/* Child: stdio with signal=off keeps ISIG off; stdin at EOF is CLOSED. */
static int stdio_eof_child(void)
{
    CharFrontend fe;
    ChildFe c = { { 0 } };
    Chardev *chr = chardev_new_from_opts("stdio,id=stdio2,signal=off", NULL);

    if (!chr) {
        return 20;
    }
    char_fe_init(&fe, chr, NULL);
    char_fe_set_handlers(&fe, cfe_can_read, cfe_read, cfe_event, &c);
    if (!run_until(child_got, &c) || !c.closed || c.len) {
        return 21;
    }
    if (char_fe_write(&fe, (const uint8_t *)"out", 3) != 3) {
        return 22;
    }
    return 0;
}

static void test_stdio_pty(void)
{
    struct termios before, after;
    int master, slave, status;
    g_autofree char *got = NULL;
    pid_t pid;

    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    tcgetattr(slave, &before);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(master);
        dup2(slave, STDIN_FILENO);
        dup2(slave, STDOUT_FILENO);
        _exit(stdio_pty_child());
    }
    /* Let the child switch to raw mode first: in cooked mode our bytes
     * would wait for a newline. */
    for (int i = 0; i < 500; i++) {
        struct termios t;

        tcgetattr(slave, &t);
        if (!(t.c_lflag & ICANON)) {
            break;
        }
        g_usleep(10 * 1000);
    }
    write_all(master, "ping");
    /* OPOST stays on: the guest's output is passed through the tty's
     * output processing, "\r" unchanged. */
    got = read_n(master, 5);
    g_assert_cmpmem(got, 5, "pong\r", 5);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    tcgetattr(slave, &after);
    g_assert_cmphex(after.c_lflag, ==, before.c_lflag);
    close(master);
    close(slave);
}

static void test_stdio_eof(void)
{
    int status, pipefd[2];
    g_autofree char *got = NULL;
    pid_t pid;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);

        close(pipefd[0]);
        dup2(devnull, STDIN_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        _exit(stdio_eof_child());
    }
    close(pipefd[1]);
    got = read_n(pipefd[0], 3);
    g_assert_cmpmem(got, 3, "out", 3);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(pipefd[0]);
}

static void test_list_backends(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    chardev_list_backends(f);
    fclose(f);
    for (const char *const *n = (const char *const[]){ "stdio", "file", "pipe",
                                                      "socket", "pty", "null",
                                                      NULL }; *n; n++) {
        g_autofree char *pat = g_strdup_printf("\n  %s ", *n);

        g_assert_nonnull(strstr(buf, pat));
    }
    free(buf);
}

static void count_cb(Chardev *chr, void *opaque)
{
    (*(int *)opaque)++;
}

static void test_close_all(void)
{
    Chardev *chr = chardev_new_from_opts("null,id=last", &error_abort);
    int before = 0, after = 0;
    TestFe t;

    tfe_init(&t, chr);
    chardev_foreach(count_cb, &before);
    g_assert_cmpint(before, >, 10);
    chardev_close_all();
    chardev_foreach(count_cb, &after);
    g_assert_cmpint(after, ==, 0);
    g_assert_null(chardev_find("last"));
    /* Frontends may still write; it goes nowhere. */
    fe_write_str(&t, "after close");
    g_assert_false(char_fe_backend_connected(&t.fe));
    tfe_deinit(&t);
}

static void rm_tmpdir(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = tmp_path(n);

        unlink(p);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(tmpdir);
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    bql_lock(bql_cause_main_loop);
    ml = main_loop_get();
    tick = timer_new(ml, CLK_REALTIME, tick_cb, NULL);
    tmpdir = g_dir_make_tmp("test-chardev-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    /* Forking tests first, while there is only one thread. */
    g_test_add_func("/chardev/stdio/pty", test_stdio_pty);
    g_test_add_func("/chardev/stdio/eof", test_stdio_eof);
    g_test_add_func("/chardev/opts/errors", test_errors);
    g_test_add_func("/chardev/opts/spec-forms", test_spec_forms);
    g_test_add_func("/chardev/opts/list", test_list_backends);
    g_test_add_func("/chardev/backend/null", test_null);
    g_test_add_func("/chardev/backend/file", test_file);
    g_test_add_func("/chardev/backend/pipe", test_pipe);
    g_test_add_func("/chardev/backend/pipe-single", test_pipe_single);
    g_test_add_func("/chardev/backend/pty", test_pty);
    g_test_add_func("/chardev/socket/unix-server", test_socket_unix_server);
    g_test_add_func("/chardev/socket/tcp-server", test_socket_tcp_server);
    g_test_add_func("/chardev/socket/tcp-spec", test_socket_tcp_spec);
    g_test_add_func("/chardev/socket/unix-spec", test_socket_unix_spec);
    g_test_add_func("/chardev/socket/tcp-client", test_socket_tcp_client);
    g_test_add_func("/chardev/socket/gone-peer",
                    test_socket_write_to_gone_peer);
    g_test_add_func("/chardev/socket/wait", test_socket_wait);
    g_test_add_func("/chardev/fe/in-use", test_in_use);
    g_test_add_func("/chardev/fe/flow-control", test_flow_control);
    g_test_add_func("/chardev/fe/bounded-write", test_bounded_write);
    g_test_add_func("/chardev/mux/focus-and-escapes",
                    test_mux_focus_and_escapes);
    g_test_add_func("/chardev/mux/help", test_mux_help);
    g_test_add_func("/chardev/mux/timestamps", test_mux_timestamps);
    g_test_add_func("/chardev/mux/quit", test_mux_quit);
    g_test_add_func("/chardev/mux/wraps-existing", test_mux_wraps_existing);
    g_test_add_func("/chardev/mux/option", test_mux_option);
    g_test_add_func("/chardev/zz/close-all", test_close_all);
    r = g_test_run();
    rm_tmpdir();
    timer_free(tick);
    bql_unlock();
    return r;
}
