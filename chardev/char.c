/*
 * char.c: the chardev core -- option parsing, the registry of backends by
 * id, the frontend API (char_fe_*) and the services shared by fd-based
 * backends.  See include/chardev/char.h for the contract and
 * docs/devel/chardev.md for the design.
 *
 * Who calls: the command line creates backends at start-up (main thread,
 * BQL); devices attach frontends at realize (BQL); backend fd callbacks run
 * on the main loop (BQL); frontends write from any thread holding the BQL.
 * So every piece of chardev state is protected by the BQL.
 *
 * Input flow control: a backend reads its input fd only while the
 * frontend's can_read() is positive.  chardev_update_read() installs or
 * removes the read handler accordingly; it runs when handlers are set,
 * after every delivery, and when the frontend calls char_fe_accept_input()
 * because it has room again.
 *
 * Output: char_fe_write() writes everything, waiting in poll() when the fd
 * is full, but never more than CHARDEV_WRITE_TIMEOUT_MS per call; after a
 * timeout the backend is marked stalled and further writes are dropped at
 * once until the fd is writable again, so a reader that went away cannot
 * slow the emulator down to one write per second.
 *
 * Option strings: "backend,key=value,..." with ",," for a literal comma,
 * bare "key" meaning key=on and bare "nokey" meaning key=off (old scripts
 * say "server,nowait").  Errors do not name the option: the command line
 * prepends "-chardev OPTS: " or "-serial SPEC: ", as it does for every
 * option.
 */
#include "util/osdep.h"
#include "chardev/char-int.h"
#include "system/main-loop.h"
#include "system/bql.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#define CHARDEV_WRITE_TIMEOUT_MS 1000
#define CHARDEV_READ_CHUNK 4096

typedef struct ChardevOpt {
    char *key;
    char *value;
} ChardevOpt;

struct ChardevOpts {
    GArray *items;             /* ChardevOpt, in order; last one wins */
};

static const ChardevClass *const chardev_classes[] = {
    &chardev_stdio_class,
    &chardev_file_class,
    &chardev_pipe_class,
    &chardev_socket_class,
    &chardev_pty_class,
    &chardev_null_class,
};

static const char *const generic_props[] = { "id", "mux", NULL };
static const char *const generic_bool_props[] = {
    "mux", "server", "wait", "nodelay", "signal", "append", NULL
};

static GPtrArray *chardevs;    /* BQL: every Chardev ever made, in order */

/* --- Options --- */

static ChardevOpts *opts_new(void)
{
    ChardevOpts *o = g_new0(ChardevOpts, 1);

    o->items = g_array_new(false, true, sizeof(ChardevOpt));
    return o;
}

static void opts_free(ChardevOpts *o)
{
    if (!o) {
        return;
    }
    for (guint i = 0; i < o->items->len; i++) {
        ChardevOpt *it = &g_array_index(o->items, ChardevOpt, i);

        g_free(it->key);
        g_free(it->value);
    }
    g_array_free(o->items, true);
    g_free(o);
}

static void opts_set(ChardevOpts *o, const char *key, const char *value)
{
    ChardevOpt it = { g_strdup(key), g_strdup(value) };

    g_array_append_val(o->items, it);
}

const char *chardev_opt_get(ChardevOpts *o, const char *key)
{
    for (guint i = o->items->len; i-- > 0;) {
        ChardevOpt *it = &g_array_index(o->items, ChardevOpt, i);

        if (!strcmp(it->key, key)) {
            return it->value;
        }
    }
    return NULL;
}

bool chardev_opt_get_bool(ChardevOpts *o, const char *key, bool def,
                          bool *val, Error **errp)
{
    const char *v = chardev_opt_get(o, key);

    if (!v) {
        *val = def;
    } else if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *val = true;
    } else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *val = false;
    } else {
        error_setg(errp, "property '%s' must be 'on' or 'off', not '%s'",
                   key, v);
        return false;
    }
    return true;
}

static bool str_in_list(const char *s, const char *const *list)
{
    for (; list && *list; list++) {
        if (!strcmp(s, *list)) {
            return true;
        }
    }
    return false;
}

static bool prop_known(const ChardevClass *cls, const char *key)
{
    return str_in_list(key, generic_props) || str_in_list(key, cls->props);
}

/*
 * Splits str at single commas into items, turning ",," into ','.  The
 * caller frees the result with g_strfreev.
 */
static char **opts_split(const char *str)
{
    GPtrArray *items = g_ptr_array_new();
    GString *cur = g_string_new(NULL);

    for (const char *p = str; *p; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',') {
            g_ptr_array_add(items, g_string_free(cur, false));
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_ptr_array_add(items, g_string_free(cur, false));
    g_ptr_array_add(items, NULL);
    return (char **)g_ptr_array_free(items, false);
}

/* Adds "key=value" / "key" / "nokey" items of list to o, checking each
 * against cls's properties. */
static bool opts_add_items(ChardevOpts *o, const ChardevClass *cls,
                           char **list, Error **errp)
{
    for (char **p = list; *p; p++) {
        char *eq = strchr(*p, '=');

        if (eq) {
            g_autofree char *key = g_strndup(*p, eq - *p);

            if (!prop_known(cls, key)) {
                error_setg(errp, "unknown property '%s' for chardev backend "
                           "'%s'", key, cls->name);
                return false;
            }
            opts_set(o, key, eq + 1);
        } else if (!**p) {
            continue;                       /* "a,,b" was escaped; "a,b," */
        } else if (prop_known(cls, *p) && str_in_list(*p, generic_bool_props)) {
            opts_set(o, *p, "on");
        } else if (!strncmp(*p, "no", 2) && prop_known(cls, *p + 2) &&
                   str_in_list(*p + 2, generic_bool_props)) {
            opts_set(o, *p + 2, "off");
        } else {
            error_setg(errp, "unknown property '%s' for chardev backend '%s'",
                       *p, cls->name);
            return false;
        }
    }
    return true;
}

static const ChardevClass *chardev_class_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(chardev_classes); i++) {
        if (!strcmp(chardev_classes[i]->name, name)) {
            return chardev_classes[i];
        }
    }
    return NULL;
}

/* --- Registry and creation --- */

static void chardev_register(Chardev *chr)
{
    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    g_ptr_array_add(chardevs, chr);
}

/* BQL. */
Chardev *chardev_find(const char *id)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        if (!chr->closed && !strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

const char *chardev_id(const Chardev *chr)
{
    return chr->id;
}

const char *chardev_filename(const Chardev *chr)
{
    if (chr->cls == &chardev_mux_class) {
        return chardev_filename(mux_chardev_get_backend((Chardev *)chr));
    }
    return chr->filename ? chr->filename : chr->cls->name;
}

void chardev_set_filename(Chardev *chr, const char *fmt, ...)
{
    va_list ap;

    g_free(chr->filename);
    va_start(ap, fmt);
    chr->filename = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* BQL. */
void chardev_foreach(ChardevIterFn *fn, void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);

        if (!chr->closed) {
            fn(chr, opaque);
        }
    }
}

int chardev_socket_port(Chardev *chr)
{
    if (chr->cls == &chardev_mux_class) {
        chr = mux_chardev_get_backend(chr);
    }
    return chr->cls == &chardev_socket_class ? chardev_socket_port_of(chr)
                                             : -1;
}

/* Allocates an instance of cls; used by chardev_create and the mux. */
Chardev *chardev_alloc(const ChardevClass *cls, const char *id)
{
    Chardev *chr = g_malloc0(cls->instance_size);

    assert(cls->instance_size >= sizeof(Chardev));
    chr->cls = cls;
    chr->id = g_strdup(id);
    chr->fd_in = chr->fd_out = -1;
    chr->connected = true;
    return chr;
}

static void chardev_free(Chardev *chr)
{
    g_free(chr->id);
    g_free(chr->filename);
    g_free(chr);
}

/* BQL.  Opens a backend of cls called id, wrapping it in a mux if asked. */
static Chardev *chardev_create(const ChardevClass *cls, const char *id,
                               ChardevOpts *opts, Error **errp)
{
    Chardev *chr;
    bool mux;

    assert(main_loop_get());
    if (chardev_find(id)) {
        error_setg(errp, "duplicate chardev id '%s'", id);
        return NULL;
    }
    if (!chardev_opt_get_bool(opts, "mux", false, &mux, errp)) {
        return NULL;
    }
    chr = chardev_alloc(cls, id);
    if (!cls->open(chr, opts, errp)) {
        chardev_free(chr);
        return NULL;
    }
    chardev_register(chr);
    return mux ? chardev_get_mux(chr) : chr;
}

/* Registers a mux made by char-mux.c. */
void chardev_register_mux(Chardev *mux)
{
    chardev_register(mux);
}

/* BQL. */
Chardev *chardev_new_from_opts(const char *optstr, Error **errp)
{
    g_auto(GStrv) items = opts_split(optstr);
    ChardevOpts *opts = opts_new();
    const ChardevClass *cls;
    Error *err = NULL;
    Chardev *chr = NULL;
    const char *id;

    if (!items[0][0] || strchr(items[0], '=')) {
        error_setg(&err, "the backend name must come first "
                   "(e.g. socket,id=ID,...)");
        goto out;
    }
    cls = chardev_class_find(items[0]);
    if (!cls) {
        error_setg(&err, "unknown chardev backend '%s'", items[0]);
        goto out;
    }
    if (!opts_add_items(opts, cls, items + 1, &err)) {
        goto out;
    }
    id = chardev_opt_get(opts, "id");
    if (!id || !*id) {
        error_setg(&err, "missing required property 'id'");
        goto out;
    }
    chr = chardev_create(cls, id, opts, &err);
out:
    opts_free(opts);
    error_propagate(errp, err);
    return chr;
}

/* Splits "HOST:PORT" (HOST may be empty or [v6]) for tcp: specs. */
static bool spec_split_host_port(const char *hp, char **host, char **port,
                                 Error **errp)
{
    const char *colon = strrchr(hp, ':');

    if (!colon || !colon[1]) {
        error_setg(errp, "'tcp:%s' needs a port: tcp:[HOST]:PORT", hp);
        return false;
    }
    if (hp[0] == '[' && colon > hp && colon[-1] == ']') {
        *host = g_strndup(hp + 1, colon - hp - 2);
    } else {
        *host = g_strndup(hp, colon - hp);
    }
    *port = g_strdup(colon + 1);
    return true;
}

static unsigned spec_counter;  /* BQL: names unlabelled spec chardevs */

/* BQL. */
Chardev *chardev_new_from_spec(const char *spec, const char *label,
                               Error **errp)
{
    g_autofree char *auto_label = NULL;
    const ChardevClass *cls = NULL;
    ChardevOpts *opts;
    Chardev *chr = NULL;

    if (!label) {
        label = auto_label = g_strdup_printf("compat%u", spec_counter++);
    }
    if (!strcmp(spec, "none")) {
        return NULL;
    }
    if (!strncmp(spec, "chardev:", 8)) {
        chr = chardev_find(spec + 8);
        if (!chr) {
            error_setg(errp, "chardev '%s' not found", spec + 8);
        }
        return chr;
    }
    if (!strncmp(spec, "mon:", 4)) {
        chr = chardev_new_from_spec(spec + 4, label, errp);
        return chr ? chardev_get_mux(chr) : NULL;
    }

    opts = opts_new();
    if (!strcmp(spec, "stdio") || !strcmp(spec, "pty") ||
        !strcmp(spec, "null")) {
        cls = chardev_class_find(spec);
    } else if (!strncmp(spec, "file:", 5) || !strncmp(spec, "pipe:", 5)) {
        cls = spec[0] == 'f' ? &chardev_file_class : &chardev_pipe_class;
        if (!spec[5]) {
            error_setg(errp, "'%s' needs a path", spec);
            goto out;
        }
        opts_set(opts, "path", spec + 5);
    } else if (!strncmp(spec, "tcp:", 4) || !strncmp(spec, "unix:", 5)) {
        bool tcp = spec[0] == 't';
        g_auto(GStrv) items = opts_split(spec + (tcp ? 4 : 5));

        cls = &chardev_socket_class;
        if (tcp) {
            g_autofree char *host = NULL, *port = NULL;

            if (!spec_split_host_port(items[0], &host, &port, errp)) {
                goto out;
            }
            opts_set(opts, "host", host);
            opts_set(opts, "port", port);
        } else {
            if (!items[0][0]) {
                error_setg(errp, "'%s' needs a path", spec);
                goto out;
            }
            opts_set(opts, "path", items[0]);
        }
        if (!opts_add_items(opts, cls, items + 1, errp)) {
            goto out;
        }
    } else {
        error_setg(errp, "'%s' is not a character device (use stdio, pty, "
                   "null, none, file:PATH, pipe:PATH, tcp:HOST:PORT, "
                   "unix:PATH, mon:DEV or chardev:ID)", spec);
        goto out;
    }
    chr = chardev_create(cls, label, opts, errp);
out:
    opts_free(opts);
    return chr;
}

/* BQL. */
Chardev *chardev_get_mux(Chardev *chr)
{
    if (chr->cls == &chardev_mux_class) {
        return chr;
    }
    return mux_chardev_new(chr);
}

void chardev_list_backends(FILE *f)
{
    fprintf(f, "Available chardev backend types:\n");
    for (size_t i = 0; i < ARRAY_SIZE(chardev_classes); i++) {
        fprintf(f, "  %-8s %s\n", chardev_classes[i]->name,
                chardev_classes[i]->help);
    }
}

static void chardev_close(Chardev *chr)
{
    if (chr->closed) {
        return;
    }
    if (chr->cls->close) {
        chr->cls->close(chr);
    } else {
        chardev_fd_detach(chr);
    }
    chr->closed = true;
    chr->connected = false;
}

/*
 * BQL.  Newest first, so a mux goes before the backend under it.  The
 * structures stay allocated (frontends may still point at them; their
 * writes are dropped) but their ids are free again.
 */
void chardev_close_all(void)
{
    for (guint i = chardevs ? chardevs->len : 0; i-- > 0;) {
        chardev_close(g_ptr_array_index(chardevs, i));
    }
}

/* --- fd backend services --- */

void chardev_send_event(Chardev *chr, CharEvent event)
{
    CharFrontend *fe = chr->fe;

    if (fe && fe->event) {
        fe->event(fe->opaque, event);
    }
}

static void chardev_fd_read(void *opaque);

void chardev_update_read(Chardev *chr)
{
    CharFrontend *fe = chr->fe;
    bool want = !chr->closed && chr->fd_in >= 0 && !chr->in_eof &&
                chr->connected && fe && fe->read &&
                (!fe->can_read || fe->can_read(fe->opaque) > 0);

    if (want == chr->reading) {
        return;
    }
    chr->reading = want;
    event_loop_set_fd_handler(main_loop_get(), chr->fd_in,
                              want ? chardev_fd_read : NULL, NULL, chr);
}

static void chardev_hangup(Chardev *chr, int err)
{
    if (chr->cls->hangup) {
        chr->cls->hangup(chr, err);
        return;
    }
    chr->in_eof = true;
    chardev_update_read(chr);
    chardev_send_event(chr, CHR_EVENT_CLOSED);
}

/* Main loop: fd_in is readable and the frontend had room. */
static void chardev_fd_read(void *opaque)
{
    Chardev *chr = opaque;
    CharFrontend *fe = chr->fe;
    uint8_t buf[CHARDEV_READ_CHUNK];
    int room;
    ssize_t r;

    room = !fe || !fe->read ? 0 :
           fe->can_read ? fe->can_read(fe->opaque) : (int)sizeof(buf);
    if (room <= 0) {
        chardev_update_read(chr);
        return;
    }
    r = read(chr->fd_in, buf, MIN(room, (int)sizeof(buf)));
    if (r > 0) {
        fe->read(fe->opaque, buf, r);
        chardev_update_read(chr);
    } else if (r == 0) {
        chardev_hangup(chr, 0);
    } else if (errno != EAGAIN && errno != EINTR) {
        chardev_hangup(chr, errno);
    }
}

void chardev_fd_attach(Chardev *chr, int fd_in, int fd_out)
{
    chr->fd_in = fd_in;
    chr->fd_out = fd_out;
    chr->in_eof = false;
    chr->reading = false;
    chr->write_stalled = false;
    chardev_update_read(chr);
}

void chardev_fd_detach(Chardev *chr)
{
    if (chr->reading) {
        event_loop_set_fd_handler(main_loop_get(), chr->fd_in, NULL, NULL,
                                  NULL);
        chr->reading = false;
    }
    if (chr->fd_in >= 0) {
        close(chr->fd_in);
    }
    if (chr->fd_out >= 0 && chr->fd_out != chr->fd_in) {
        close(chr->fd_out);
    }
    chr->fd_in = chr->fd_out = -1;
}

static int64_t now_ms(void)
{
    return clock_get_ns(CLK_REALTIME) / NS_PER_MS;
}

int chardev_fd_write(Chardev *chr, int fd, const uint8_t *buf, int len,
                     bool sock)
{
    int64_t deadline = now_ms() + CHARDEV_WRITE_TIMEOUT_MS;
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int done = 0;

    if (chr->write_stalled) {
        if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLOUT)) {
            return -EAGAIN;                 /* still full: drop at once */
        }
        chr->write_stalled = false;
    }
    while (done < len) {
        ssize_t r = sock ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
                         : write(fd, buf + done, len - done);
        int64_t left;

        if (r > 0) {
            done += r;
            continue;
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0 || errno != EAGAIN) {
            return r == 0 ? -EIO : -errno;
        }
        left = deadline - now_ms();
        if (left <= 0) {
            chr->write_stalled = true;
            return -EAGAIN;
        }
        poll(&pfd, 1, (int)left);
    }
    return len;
}

/* --- Frontends --- */

/* BQL. */
bool char_fe_init(CharFrontend *fe, Chardev *chr, Error **errp)
{
    memset(fe, 0, sizeof(*fe));
    fe->mux_index = -1;
    if (!chr) {
        return true;                        /* no backend: writes dropped */
    }
    if (chr->closed) {
        error_setg(errp, "chardev '%s' is closed", chr->id);
        return false;
    }
    if (chr->cls == &chardev_mux_class) {
        return mux_chardev_attach(chr, fe, errp);
    }
    if (chr->fe) {
        error_setg(errp, "chardev '%s' is already in use", chr->id);
        return false;
    }
    chr->fe = fe;
    fe->chr = chr;
    return true;
}

/* BQL. */
void char_fe_deinit(CharFrontend *fe)
{
    Chardev *chr = fe->chr;

    if (!chr) {
        return;
    }
    if (chr->cls == &chardev_mux_class) {
        mux_chardev_detach(chr, fe);
    } else if (chr->fe == fe) {
        chr->fe = NULL;
        chardev_update_read(chr);
    }
    fe->chr = NULL;
    fe->can_read = NULL;
    fe->read = NULL;
    fe->event = NULL;
    fe->mux_index = -1;
}

/* BQL.  Delivers CHR_EVENT_OPENED at once if the backend is connected. */
void char_fe_set_handlers(CharFrontend *fe, CharCanReadFn *can_read,
                          CharReadFn *read, CharEventFn *event, void *opaque)
{
    Chardev *chr = fe->chr;

    fe->can_read = can_read;
    fe->read = read;
    fe->event = event;
    fe->opaque = opaque;
    if (!chr || chr->closed) {
        return;
    }
    if (chr->cls == &chardev_mux_class) {
        mux_chardev_handlers_changed(chr, fe);
        return;
    }
    chardev_update_read(chr);
    if (event && chr->connected) {
        event(opaque, CHR_EVENT_OPENED);
    }
}

/* Any thread holding the BQL. */
int char_fe_write(CharFrontend *fe, const uint8_t *buf, int len)
{
    Chardev *chr = fe->chr;

    if (!chr || chr->closed || len <= 0) {
        return len < 0 ? -EINVAL : len;
    }
    if (chr->cls == &chardev_mux_class) {
        return mux_chardev_write(chr, fe, buf, len);
    }
    if (chr->cls->write) {
        return chr->cls->write(chr, buf, len);
    }
    if (chr->fd_out < 0) {
        return len;
    }
    return chardev_fd_write(chr, chr->fd_out, buf, len, false);
}

/* Any thread holding the BQL. */
void char_fe_accept_input(CharFrontend *fe)
{
    Chardev *chr = fe->chr;

    if (!chr || chr->closed) {
        return;
    }
    if (chr->cls == &chardev_mux_class) {
        mux_chardev_accept_input(chr, fe);
    } else {
        chardev_update_read(chr);
    }
}

/* BQL. */
bool char_fe_backend_connected(CharFrontend *fe)
{
    return fe->chr && !fe->chr->closed && fe->chr->connected;
}

/* BQL. */
void char_fe_take_focus(CharFrontend *fe)
{
    if (fe->chr && fe->chr->cls == &chardev_mux_class) {
        mux_chardev_take_focus(fe->chr, fe);
    }
}
