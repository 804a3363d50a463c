/*
 * char.h: character devices (backends) and their frontends.
 *
 * A Chardev is a byte stream to the host: stdio, a file, a pipe, a socket,
 * a pty, or nothing.  A frontend (a UART, a console, the monitor, qtest)
 * attaches to it with a CharFrontend and:
 *   - writes with char_fe_write() (never blocks the caller for long; bytes
 *     that cannot be written because the peer is gone are dropped);
 *   - receives with the callbacks it sets: can_read() says how many bytes it
 *     can take now, read() delivers them, event() reports open/close.
 *
 *     Chardev *chr = chardev_new_from_opts("socket,id=s0,path=/tmp/s,server=on,wait=off", &err);
 *     char_fe_init(&s->fe, chr, &err);
 *     char_fe_set_handlers(&s->fe, serial_can_receive, serial_receive,
 *                          serial_event, s);
 *     char_fe_write(&s->fe, &byte, 1);
 *
 * Backends are driven by the main loop; frontend callbacks run in the main
 * thread with the BQL held.  char_fe_write may be called from any thread
 * holding the BQL.
 *
 * Option syntax is the established one:
 *   -chardev stdio,id=ID[,signal=on|off]
 *   -chardev file,id=ID,path=PATH
 *   -chardev pipe,id=ID,path=PATH        (PATH.in/PATH.out, or PATH)
 *   -chardev socket,id=ID,host=H,port=P[,server=on|off][,wait=on|off]
 *   -chardev socket,id=ID,path=P[,server=on|off][,wait=on|off]
 *   -chardev pty,id=ID
 *   -chardev null,id=ID
 * and the short forms of -serial/-monitor: stdio, file:PATH, pipe:PATH,
 * tcp:HOST:PORT[,server[,nowait]], unix:PATH[,server[,nowait]], pty, null,
 * none, mon:stdio, chardev:ID.
 *
 * Multiplexing: several frontends may share one backend through a mux
 * (-nographic puts the serial port and the monitor on stdio this way).
 * The mux interprets Ctrl-A escapes: Ctrl-A h help, Ctrl-A x quit,
 * Ctrl-A c switch frontend, Ctrl-A a send Ctrl-A, Ctrl-A t timestamps.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "util/error.h"

typedef struct Chardev Chardev;
typedef struct CharFrontend CharFrontend;

typedef enum CharEvent {
    CHR_EVENT_OPENED,     /* a peer connected (socket), or backend ready */
    CHR_EVENT_CLOSED,     /* the peer went away */
    CHR_EVENT_BREAK,      /* serial break (Ctrl-A b) */
    CHR_EVENT_MUX_IN,     /* this frontend now owns the mux input */
    CHR_EVENT_MUX_OUT,
} CharEvent;

typedef int CharCanReadFn(void *opaque);
typedef void CharReadFn(void *opaque, const uint8_t *buf, int len);
typedef void CharEventFn(void *opaque, CharEvent event);

struct CharFrontend {
    Chardev *chr;
    CharCanReadFn *can_read;
    CharReadFn *read;
    CharEventFn *event;
    void *opaque;
    int mux_index;        /* position within a mux; -1 if not muxed */
};

/* Creates a backend from "-chardev" options; registers it by id.  Errors do
 * not name the option; the caller prepends "-chardev OPTS: ". */
Chardev *chardev_new_from_opts(const char *optstr, Error **errp);
/*
 * Creates a backend from a -serial/-monitor short spec ("stdio", "tcp:...",
 * "chardev:ID" looks up an existing one).  label names it ("serial0").
 * "none" returns NULL without an error.  Errors do not name the option;
 * the caller prepends it ("-serial tcp:x: ...").
 */
Chardev *chardev_new_from_spec(const char *spec, const char *label,
                               Error **errp);
Chardev *chardev_find(const char *id);
const char *chardev_id(const Chardev *chr);
/* Where it goes, for "info chardev": "stdio", "pty:/dev/pts/3",
 * "disconnected:tcp:127.0.0.1:4444,server=on", ...  Valid until the next
 * main-loop iteration. */
const char *chardev_filename(const Chardev *chr);
typedef void ChardevIterFn(Chardev *chr, void *opaque);
/* Calls fn for every open backend, in creation order. */
void chardev_foreach(ChardevIterFn *fn, void *opaque);
/* The local TCP port of a socket backend (useful with port=0), else -1. */
int chardev_socket_port(Chardev *chr);
/* Turns chr into a mux that several frontends can share (Ctrl-A c). */
Chardev *chardev_get_mux(Chardev *chr);
/* Lists the backends (-chardev help). */
void chardev_list_backends(FILE *f);
/* Restores terminal state of every stdio backend; safe from signal and
 * atexit paths. */
void chardev_restore_terminals(void);
/* Closes every backend (shutdown). */
void chardev_close_all(void);

/* Attaches fe to chr; fails if chr already has a frontend and is not a
 * mux. */
bool char_fe_init(CharFrontend *fe, Chardev *chr, Error **errp);
void char_fe_deinit(CharFrontend *fe);
void char_fe_set_handlers(CharFrontend *fe, CharCanReadFn *can_read,
                          CharReadFn *read, CharEventFn *event, void *opaque);
/* Writes len bytes; returns len, or -errno.  Drops data when no peer. */
int char_fe_write(CharFrontend *fe, const uint8_t *buf, int len);
/* Tells the backend the frontend can take more input now (re-polls). */
void char_fe_accept_input(CharFrontend *fe);
bool char_fe_backend_connected(CharFrontend *fe);
/* On a mux: gives fe the input (as Ctrl-A c would).  Otherwise a no-op.
 * The first frontend attached to a mux has the input initially. */
void char_fe_take_focus(CharFrontend *fe);

#endif
