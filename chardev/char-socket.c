/*
 * char-socket.c: the "socket" backend -- TCP or Unix stream sockets, as a
 * server (one client at a time) or as a client.
 *
 *     -chardev socket,id=mon,host=127.0.0.1,port=4444,server=on,wait=off
 *     -chardev socket,id=qt,path=/tmp/qtest.sock          (client)
 *     -serial tcp::4444,server,nowait   -qtest unix:/tmp/q.sock
 *
 * Server: listen at creation.  With wait=on (the default for a server) the
 * creation blocks until a client connects, after printing
 * "info: waiting for connection on: ..."; a pending SIGINT/SIGTERM/SIGHUP
 * (blocked by main_loop_init, so it cannot interrupt accept) ends the wait
 * with an error.  Otherwise the listening fd gets a read handler on the
 * main loop.  While a client is connected the listening handler is removed
 * (further clients wait in the backlog); when the client goes away we send
 * CHR_EVENT_CLOSED and listen again.  port=0 binds a free port, readable
 * with chardev_socket_port().
 *
 * Client: connect at creation, failing with a clear error; after the
 * server goes away the backend stays disconnected (no reconnect).
 *
 * Writes use send(MSG_NOSIGNAL); with no client they are dropped.  A
 * failed send (EPIPE, ECONNRESET) marks the peer gone and defers the
 * disconnect to a BH, so the frontend's event callback never runs inside
 * its own char_fe_write call.  BQL.
 */
#include "util/osdep.h"
#include "chardev/char-int.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define SOCKET_WAIT_POLL_MS 100

typedef struct SocketChardev {
    Chardev parent;
    bool is_unix;              /* read-only after open */
    bool server;               /* read-only after open */
    bool nodelay;              /* read-only after open */
    char *path;                /* read-only after open: unix */
    char *desc;                /* read-only after open: "tcp:H:P,server=on" */
    int port;                  /* read-only after open: tcp local port */
    int listen_fd;             /* BQL; -1 for a client */
    int client_fd;             /* BQL; -1 when not connected */
    bool peer_gone;            /* BQL: a send failed; disconnect_bh pending */
    BH *disconnect_bh;         /* BQL */
} SocketChardev;

static void socket_listen_ready(void *opaque);

static void socket_update_filename(SocketChardev *s)
{
    if (s->client_fd >= 0) {
        chardev_set_filename(&s->parent, "%s", s->desc);
    } else {
        chardev_set_filename(&s->parent, "disconnected:%s", s->desc);
    }
}

static void socket_set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Takes fd as the connected peer. */
static void socket_connected(SocketChardev *s, int fd)
{
    Chardev *chr = &s->parent;
    int one = 1;

    socket_set_nonblock(fd);
    if (!s->is_unix && s->nodelay) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (s->listen_fd >= 0) {
        event_loop_set_fd_handler(main_loop_get(), s->listen_fd, NULL, NULL,
                                  NULL);
    }
    s->client_fd = fd;
    s->peer_gone = false;
    chr->connected = true;
    socket_update_filename(s);
    chardev_fd_attach(chr, fd, fd);
    chardev_send_event(chr, CHR_EVENT_OPENED);
}

static void socket_disconnect(SocketChardev *s)
{
    Chardev *chr = &s->parent;

    if (s->client_fd < 0) {
        return;
    }
    chr->connected = false;
    chardev_fd_detach(chr);                /* closes client_fd */
    s->client_fd = -1;
    socket_update_filename(s);
    if (s->listen_fd >= 0 && !chr->closed) {
        event_loop_set_fd_handler(main_loop_get(), s->listen_fd,
                                  socket_listen_ready, NULL, s);
    }
    chardev_send_event(chr, CHR_EVENT_CLOSED);
}

/* Main loop: a client is waiting in the backlog. */
static void socket_listen_ready(void *opaque)
{
    SocketChardev *s = opaque;
    int fd;

    if (s->client_fd >= 0) {
        return;                            /* handler removal in flight */
    }
    fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
        socket_connected(s, fd);
    }
}

/* Main loop: EOF or error on the client fd. */
static void socket_hangup(Chardev *chr, int err)
{
    socket_disconnect((SocketChardev *)chr);
}

/* Main loop: a send failed; unless a read noticed first (and a new
 * client may already be connected), drop the connection. */
static void socket_disconnect_bh(void *opaque)
{
    SocketChardev *s = opaque;

    if (s->peer_gone) {
        socket_disconnect(s);
    }
}

static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = (SocketChardev *)chr;
    int r;

    if (!chr->connected || s->client_fd < 0) {
        return len;                        /* nobody listening: dropped */
    }
    r = chardev_fd_write(chr, s->client_fd, buf, len, true);
    if (r == -EPIPE || r == -ECONNRESET || r == -ENOTCONN) {
        chr->connected = false;            /* drop until the BH runs */
        s->peer_gone = true;
        bh_schedule(s->disconnect_bh);
        return len;
    }
    return r;
}

/* Blocks until a client connects or a termination signal is pending. */
static bool socket_wait_client(SocketChardev *s, Error **errp)
{
    struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
    sigset_t pending;

    info_report("info: waiting for connection on: disconnected:%s", s->desc);
    for (;;) {
        int fd;

        sigpending(&pending);
        if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
            sigismember(&pending, SIGHUP)) {
            error_setg(errp, "interrupted while waiting for a connection on "
                       "%s", s->desc);
            return false;
        }
        if (poll(&pfd, 1, SOCKET_WAIT_POLL_MS) <= 0) {
            continue;
        }
        fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            socket_connected(s, fd);
            return true;
        }
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
            error_setg_errno(errp, errno, "accept on %s failed", s->desc);
            return false;
        }
    }
}

static bool socket_unix_addr(const char *path, struct sockaddr_un *sun,
                             Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
        error_setg(errp, "socket path '%s' is too long (at most %zu bytes)",
                   path, sizeof(sun->sun_path) - 1);
        return false;
    }
    strcpy(sun->sun_path, path);
    return true;
}

/* Returns a listening or connected fd, or -1 with errp set. */
static int socket_open_unix(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd;

    if (!socket_unix_addr(s->path, &sun, errp)) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create socket");
        return -1;
    }
    if (s->server) {
        /* A stale socket from an earlier run would make bind fail. */
        if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
            unlink(s->path);
        }
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "cannot listen on unix:%s", s->path);
            close(fd);
            return -1;
        }
    } else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "cannot connect to unix:%s", s->path);
        close(fd);
        return -1;
    }
    return fd;
}

static int socket_open_tcp(SocketChardev *s, const char *host,
                           const char *port, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = s->server ? AI_PASSIVE : 0,
    };
    struct addrinfo *res, *ai;
    int fd = -1, err = 0, r;

    r = getaddrinfo(host && *host ? host : NULL, port, &hints, &res);
    if (r) {
        error_setg(errp, "cannot resolve tcp:%s:%s: %s", host ? host : "",
                   port, gai_strerror(r));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (s->server) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                listen(fd, 1) == 0) {
                break;
            }
        } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "cannot %s tcp:%s:%s",
                         s->server ? "listen on" : "connect to",
                         host ? host : "", port);
    }
    return fd;
}

/* The local port and a printable address, for tcp. */
static void socket_describe_tcp(SocketChardev *s, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
    struct sockaddr *sa = (struct sockaddr *)&ss;
    bool v6;

    if (s->server) {
        getsockname(fd, sa, &len);
    } else {
        getpeername(fd, sa, &len);
    }
    getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                NI_NUMERICHOST | NI_NUMERICSERV);
    v6 = ss.ss_family == AF_INET6;
    s->desc = g_strdup_printf("tcp:%s%s%s:%s%s", v6 ? "[" : "", host,
                              v6 ? "]" : "", serv,
                              s->server ? ",server=on" : "");
    if (s->server) {
        s->port = atoi(serv);
    } else {
        len = sizeof(ss);
        getsockname(fd, sa, &len);
        s->port = ss.ss_family == AF_INET6 ?
                  ntohs(((struct sockaddr_in6 *)sa)->sin6_port) :
                  ntohs(((struct sockaddr_in *)sa)->sin_port);
    }
}

static bool socket_open(Chardev *chr, ChardevOpts *opts, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    const char *path = chardev_opt_get(opts, "path");
    const char *host = chardev_opt_get(opts, "host");
    const char *port = chardev_opt_get(opts, "port");
    bool wait;
    int fd;

    s->listen_fd = s->client_fd = -1;
    s->port = -1;
    if (!chardev_opt_get_bool(opts, "server", false, &s->server, errp) ||
        !chardev_opt_get_bool(opts, "wait", s->server, &wait, errp) ||
        !chardev_opt_get_bool(opts, "nodelay", true, &s->nodelay, errp)) {
        return false;
    }
    if (path && (host || port)) {
        error_setg(errp, "give either 'path' or 'host'/'port', not both");
        return false;
    }
    if (!path && (!port || !*port)) {
        error_setg(errp, "property 'port' (tcp) or 'path' (unix) is required "
                   "for chardev backend 'socket'");
        return false;
    }
    s->is_unix = path != NULL;
    if (s->is_unix) {
        s->path = g_strdup(path);
        fd = socket_open_unix(s, errp);
    } else {
        fd = socket_open_tcp(s, host, port, errp);
    }
    if (fd < 0) {
        g_free(s->path);
        return false;
    }
    if (s->is_unix) {
        s->desc = g_strdup_printf("unix:%s%s", path,
                                  s->server ? ",server=on" : "");
    } else {
        socket_describe_tcp(s, fd);
    }
    s->disconnect_bh = bh_new(main_loop_get(), socket_disconnect_bh, s);
    chr->connected = false;
    socket_update_filename(s);

    if (!s->server) {
        socket_connected(s, fd);
        return true;
    }
    s->listen_fd = fd;
    socket_set_nonblock(fd);
    if (wait && !socket_wait_client(s, errp)) {
        close(fd);
        if (s->is_unix) {
            unlink(s->path);
        }
        bh_delete(s->disconnect_bh);
        g_free(s->path);
        g_free(s->desc);
        g_free(chr->filename);
        chr->filename = NULL;
        return false;
    }
    if (s->client_fd < 0) {
        event_loop_set_fd_handler(main_loop_get(), fd, socket_listen_ready,
                                  NULL, s);
    }
    return true;
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;

    chr->connected = false;
    if (s->client_fd >= 0) {
        chardev_fd_detach(chr);
        s->client_fd = -1;
    }
    if (s->listen_fd >= 0) {
        event_loop_set_fd_handler(main_loop_get(), s->listen_fd, NULL, NULL,
                                  NULL);
        close(s->listen_fd);
        s->listen_fd = -1;
        if (s->is_unix) {
            unlink(s->path);
        }
    }
    bh_delete(s->disconnect_bh);
    s->disconnect_bh = NULL;
}

int chardev_socket_port_of(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;

    return s->is_unix ? -1 : s->port;
}

static const char *const socket_props[] = {
    "path", "host", "port", "server", "wait", "nodelay", NULL
};

const ChardevClass chardev_socket_class = {
    .name = "socket",
    .help = "TCP (host=,port=) or Unix (path=) socket; server=on|off, "
            "wait=on|off",
    .instance_size = sizeof(SocketChardev),
    .props = socket_props,
    .open = socket_open,
    .write = socket_write,
    .hangup = socket_hangup,
    .close = socket_close,
};
