/*
 * char-int.h: what the chardev core (char.c) and the backends
 * (char-*.c) share.  Private to chardev/; users see include/chardev/char.h.
 *
 * A backend is a ChardevClass (name, accepted properties, open/write/close
 * hooks) and an instance struct that starts with a Chardev.  Most backends
 * are "fd backends": they set fd_in/fd_out and let the core do the rest --
 * reading only while the frontend can take bytes (chardev_update_read),
 * bounded non-blocking writes (chardev_fd_write), EOF as CHR_EVENT_CLOSED.
 * Sockets and ptys add connect/disconnect on top through the hooks.
 *
 * Everything here runs in the main thread or with the BQL held: creation at
 * start-up, fd callbacks on the main loop, char_fe_write from any BQL
 * holder.  Chardev fields are therefore all protected by the BQL.
 */
#ifndef CHARDEV_CHAR_INT_H
#define CHARDEV_CHAR_INT_H

#include "chardev/char.h"
#include "system/main-loop.h"

/* Parsed "key=value" properties of one chardev. */
typedef struct ChardevOpts ChardevOpts;

typedef bool ChardevOpenFn(Chardev *chr, ChardevOpts *opts, Error **errp);
/* Writes up to len bytes; returns the count written (len when dropped on
 * purpose) or -errno. */
typedef int ChardevWriteFn(Chardev *chr, const uint8_t *buf, int len);
/* The input fd reached EOF or failed: err is 0 or the errno. */
typedef void ChardevHangupFn(Chardev *chr, int err);
typedef void ChardevCloseFn(Chardev *chr);

typedef struct ChardevClass {
    const char *name;
    const char *help;              /* one line for -chardev help */
    size_t instance_size;
    const char *const *props;      /* accepted besides id/mux; NULL-ended */
    ChardevOpenFn *open;
    ChardevWriteFn *write;         /* NULL: chardev_fd_write to fd_out */
    ChardevHangupFn *hangup;       /* NULL: stop reading, CHR_EVENT_CLOSED */
    ChardevCloseFn *close;         /* NULL: close fd_in/fd_out */
} ChardevClass;

struct Chardev {
    const ChardevClass *cls;
    char *id;                      /* BQL */
    char *filename;                /* BQL: "tcp:...", "pty:/dev/pts/3" */
    CharFrontend *fe;              /* BQL: the attached frontend, or NULL */
    bool closed;                   /* BQL: chardev_close_all() ran */
    bool connected;                /* BQL: a peer is there to talk to */
    /* fd backends */
    int fd_in;                     /* BQL; -1 if none */
    int fd_out;                    /* BQL; -1 if none */
    bool reading;                  /* BQL: fd_in's read handler installed */
    bool in_eof;                   /* BQL: fd_in hit EOF, no more reads */
    bool write_stalled;            /* BQL: the last write timed out */
};

/* Backend classes (char.c lists them). */
extern const ChardevClass chardev_stdio_class;
extern const ChardevClass chardev_file_class;
extern const ChardevClass chardev_pipe_class;
extern const ChardevClass chardev_socket_class;
extern const ChardevClass chardev_pty_class;
extern const ChardevClass chardev_null_class;
extern const ChardevClass chardev_mux_class;

/* --- Options --- */
const char *chardev_opt_get(ChardevOpts *opts, const char *key);
/* Parses an on/off property; def if absent.  False + errp on a bad value. */
bool chardev_opt_get_bool(ChardevOpts *opts, const char *key, bool def,
                          bool *val, Error **errp);

/* --- Core services for backends (BQL) --- */

/* Allocates cls->instance_size bytes with the common fields set up. */
Chardev *chardev_alloc(const ChardevClass *cls, const char *id);
/* Adds a mux made by char-mux.c to the registry. */
void chardev_register_mux(Chardev *mux);

/* Sets fd_in/fd_out (non-blocking where possible) and starts reading if
 * the frontend wants input. */
void chardev_fd_attach(Chardev *chr, int fd_in, int fd_out);
/* Removes the read handler and closes the fds (one close if shared). */
void chardev_fd_detach(Chardev *chr);
/* Installs or removes fd_in's read handler as the frontend's can_read()
 * allows. */
void chardev_update_read(Chardev *chr);
/* Writes all of buf to fd, waiting up to ~1 s in total when the fd is full;
 * returns len, or -errno (-EAGAIN after the timeout: the rest is dropped).
 * sock: use send(MSG_NOSIGNAL). */
int chardev_fd_write(Chardev *chr, int fd, const uint8_t *buf, int len,
                     bool sock);
/* Sends event to the frontend, if any (CHR_EVENT_OPENED also records that
 * the backend is connected, CLOSED that it is not). */
void chardev_send_event(Chardev *chr, CharEvent event);
/* Replaces chr->filename. */
void chardev_set_filename(Chardev *chr, const char *fmt, ...) PRINTF_FMT(2, 3);

/* char-socket.c */
int chardev_socket_port_of(Chardev *chr);
/* char-mux.c */
Chardev *mux_chardev_get_backend(Chardev *mux);
bool mux_chardev_attach(Chardev *mux, CharFrontend *fe, Error **errp);
void mux_chardev_detach(Chardev *mux, CharFrontend *fe);
void mux_chardev_handlers_changed(Chardev *mux, CharFrontend *fe);
void mux_chardev_accept_input(Chardev *mux, CharFrontend *fe);
int mux_chardev_write(Chardev *mux, CharFrontend *fe, const uint8_t *buf,
                      int len);
void mux_chardev_take_focus(Chardev *mux, CharFrontend *fe);
/* Creates a mux over backend, moving its current frontend (if any) in. */
Chardev *mux_chardev_new(Chardev *backend);

#endif
