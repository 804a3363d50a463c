/*
 * char-mux.c: several frontends (at most MUX_MAX) sharing one backend,
 * switched with Ctrl-A c.  -nographic puts the serial port and the monitor
 * on stdio this way.
 *
 * The mux is itself a Chardev (class "mux") and also the single frontend of
 * its backend (be_fe).  Output from every frontend goes straight to the
 * backend, with "[hh:mm:ss.mmm] " at each line start when timestamps are
 * on (Ctrl-A t).  Input is scanned for Ctrl-A escapes; other bytes go to
 * the focused frontend through a small per-frontend buffer, so that the
 * backend is only read while that buffer has room (flow control carries
 * through) and Ctrl-A keeps working while the frontend is briefly full.
 *
 *   C-a h  help            C-a x  quit (shutdown request)
 *   C-a c  next frontend   C-a a / C-a C-a  a literal C-a
 *   C-a b  break event     C-a t  toggle timestamps
 *
 * Focus starts on the first frontend attached; switching sends
 * CHR_EVENT_MUX_OUT to the old one and CHR_EVENT_MUX_IN to the new one.
 * Backend events (OPENED/CLOSED) go to every frontend.  BQL throughout.
 */
#include "util/osdep.h"
#include "chardev/char-int.h"
#include "system/runstate.h"

#define MUX_MAX 4
#define MUX_BUF 32
#define MUX_ESCAPE 0x01        /* Ctrl-A */

typedef struct MuxChardev {
    Chardev parent;
    Chardev *backend;          /* BQL */
    CharFrontend be_fe;        /* BQL: our frontend on the backend */
    CharFrontend *fes[MUX_MAX];/* BQL; NULL in detached slots */
    int nfes;                  /* BQL: slots used so far */
    int focus;                 /* BQL: index into fes, or -1 */
    uint8_t buf[MUX_MAX][MUX_BUF]; /* BQL: input not yet taken */
    int buf_len[MUX_MAX];      /* BQL */
    bool escape;               /* BQL: the last byte was Ctrl-A */
    bool timestamps;           /* BQL */
    bool line_start;           /* BQL: next output byte starts a line */
    int64_t ts_start_ms;       /* BQL: when timestamps were turned on */
} MuxChardev;

static const char mux_help[] =
    "\r\n"
    "C-a h    show this help\r\n"
    "C-a x    quit the emulator\r\n"
    "C-a t    timestamps on output lines on/off\r\n"
    "C-a b    send a break (magic SysRq on Linux guests)\r\n"
    "C-a c    switch input between the console and the monitor\r\n"
    "C-a C-a  send C-a itself (C-a a does the same)\r\n";

static const char mux_quit_msg[] = "\r\ntandem: terminated (C-a x)\r\n";

Chardev *mux_chardev_get_backend(Chardev *chr)
{
    return ((MuxChardev *)chr)->backend;
}

static void mux_backend_write(MuxChardev *m, const char *s, size_t len)
{
    char_fe_write(&m->be_fe, (const uint8_t *)s, len);
}

static void mux_fe_event(CharFrontend *fe, CharEvent event)
{
    if (fe && fe->event) {
        fe->event(fe->opaque, event);
    }
}

/* Hands buffered input to frontend i as far as it takes it. */
static void mux_flush(MuxChardev *m, int i)
{
    CharFrontend *fe = m->fes[i];

    while (m->buf_len[i] > 0 && fe && fe->read) {
        int n = fe->can_read ? fe->can_read(fe->opaque) : m->buf_len[i];
        uint8_t tmp[MUX_BUF];

        if (n <= 0) {
            break;
        }
        n = MIN(n, m->buf_len[i]);
        /* Copy out first: read() may feed more input back to us. */
        memcpy(tmp, m->buf[i], n);
        memmove(m->buf[i], m->buf[i] + n, m->buf_len[i] - n);
        m->buf_len[i] -= n;
        fe->read(fe->opaque, tmp, n);
        fe = m->fes[i];
    }
}

static void mux_set_focus(MuxChardev *m, int idx)
{
    int old = m->focus;

    if (old == idx) {
        return;
    }
    if (old >= 0) {
        mux_fe_event(m->fes[old], CHR_EVENT_MUX_OUT);
    }
    m->focus = idx;
    if (idx >= 0) {
        mux_fe_event(m->fes[idx], CHR_EVENT_MUX_IN);
        mux_flush(m, idx);
    }
    /* How much we can take depends on who has the focus. */
    char_fe_accept_input(&m->be_fe);
}

static int mux_next_focus(MuxChardev *m)
{
    for (int k = 1; k <= m->nfes; k++) {
        int i = (m->focus + k) % m->nfes;

        if (m->fes[i]) {
            return i;
        }
    }
    return -1;
}

static void mux_toggle_timestamps(MuxChardev *m)
{
    m->timestamps = !m->timestamps;
    m->ts_start_ms = clock_get_ns(CLK_REALTIME) / NS_PER_MS;
    m->line_start = true;
}

/* One byte after Ctrl-A. */
static void mux_escape(MuxChardev *m, uint8_t c)
{
    switch (c) {
    case 'h':
    case '?':
        mux_backend_write(m, mux_help, sizeof(mux_help) - 1);
        break;
    case 'x':
        mux_backend_write(m, mux_quit_msg, sizeof(mux_quit_msg) - 1);
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_QUIT, 0);
        break;
    case 'c':
        mux_set_focus(m, mux_next_focus(m));
        break;
    case 'a':
    case MUX_ESCAPE:
        if (m->focus >= 0 && m->buf_len[m->focus] < MUX_BUF) {
            m->buf[m->focus][m->buf_len[m->focus]++] = MUX_ESCAPE;
        }
        break;
    case 'b':
        if (m->focus >= 0) {
            mux_fe_event(m->fes[m->focus], CHR_EVENT_BREAK);
        }
        break;
    case 't':
        mux_toggle_timestamps(m);
        break;
    default:
        break;                             /* unknown escapes are eaten */
    }
}

/* be_fe callbacks: input and events from the backend. */
static int mux_can_read(void *opaque)
{
    MuxChardev *m = opaque;

    return m->focus >= 0 ? MUX_BUF - m->buf_len[m->focus] : 0;
}

static void mux_read(void *opaque, const uint8_t *buf, int len)
{
    MuxChardev *m = opaque;

    for (int k = 0; k < len; k++) {
        uint8_t c = buf[k];

        if (m->escape) {
            m->escape = false;
            mux_escape(m, c);
        } else if (c == MUX_ESCAPE) {
            m->escape = true;
        } else if (m->focus >= 0 && m->buf_len[m->focus] < MUX_BUF) {
            m->buf[m->focus][m->buf_len[m->focus]++] = c;
        }
    }
    if (m->focus >= 0) {
        mux_flush(m, m->focus);
    }
}

static void mux_event(void *opaque, CharEvent event)
{
    MuxChardev *m = opaque;

    if (event == CHR_EVENT_OPENED) {
        m->parent.connected = true;
    } else if (event == CHR_EVENT_CLOSED) {
        m->parent.connected = false;
    }
    for (int i = 0; i < m->nfes; i++) {
        mux_fe_event(m->fes[i], event);
    }
}

/* --- Hooks from the frontend API in char.c --- */

bool mux_chardev_attach(Chardev *chr, CharFrontend *fe, Error **errp)
{
    MuxChardev *m = (MuxChardev *)chr;

    if (m->nfes == MUX_MAX) {
        error_setg(errp, "chardev '%s' cannot be shared by more than %d "
                   "frontends", chr->id, MUX_MAX);
        return false;
    }
    fe->chr = chr;
    fe->mux_index = m->nfes;
    m->fes[m->nfes++] = fe;
    if (m->focus < 0) {
        m->focus = fe->mux_index;
    }
    return true;
}

void mux_chardev_detach(Chardev *chr, CharFrontend *fe)
{
    MuxChardev *m = (MuxChardev *)chr;
    int i = fe->mux_index;

    assert(i >= 0 && i < m->nfes && m->fes[i] == fe);
    m->fes[i] = NULL;
    m->buf_len[i] = 0;
    if (m->focus == i) {
        m->focus = mux_next_focus(m);      /* -1 if none is left */
        char_fe_accept_input(&m->be_fe);
    }
}

void mux_chardev_handlers_changed(Chardev *chr, CharFrontend *fe)
{
    MuxChardev *m = (MuxChardev *)chr;

    if (fe->event && chr->connected) {
        fe->event(fe->opaque, CHR_EVENT_OPENED);
    }
    if (fe->mux_index == m->focus) {
        mux_flush(m, m->focus);
        char_fe_accept_input(&m->be_fe);
    }
}

void mux_chardev_accept_input(Chardev *chr, CharFrontend *fe)
{
    MuxChardev *m = (MuxChardev *)chr;

    mux_flush(m, fe->mux_index);
    if (fe->mux_index == m->focus) {
        char_fe_accept_input(&m->be_fe);
    }
}

void mux_chardev_take_focus(Chardev *chr, CharFrontend *fe)
{
    mux_set_focus((MuxChardev *)chr, fe->mux_index);
}

int mux_chardev_write(Chardev *chr, CharFrontend *fe, const uint8_t *buf,
                      int len)
{
    MuxChardev *m = (MuxChardev *)chr;
    GString *out;
    int r;

    if (!m->timestamps) {
        return char_fe_write(&m->be_fe, buf, len);
    }
    out = g_string_sized_new(len + 32);
    for (int k = 0; k < len; k++) {
        if (m->line_start) {
            int64_t ms = clock_get_ns(CLK_REALTIME) / NS_PER_MS -
                         m->ts_start_ms;

            g_string_append_printf(out, "[%02d:%02d:%02d.%03d] ",
                                   (int)(ms / 3600000),
                                   (int)(ms / 60000 % 60),
                                   (int)(ms / 1000 % 60), (int)(ms % 1000));
            m->line_start = false;
        }
        g_string_append_c(out, buf[k]);
        if (buf[k] == '\n') {
            m->line_start = true;
        }
    }
    r = char_fe_write(&m->be_fe, (const uint8_t *)out->str, out->len);
    g_string_free(out, true);
    return r < 0 ? r : len;
}

/* --- Creation --- */

Chardev *mux_chardev_new(Chardev *backend)
{
    MuxChardev *m;
    CharFrontend *old_fe = backend->fe;
    g_autofree char *base_id = g_strdup_printf("%s-base", backend->id);

    m = (MuxChardev *)chardev_alloc(&chardev_mux_class, backend->id);
    m->backend = backend;
    m->focus = -1;
    m->parent.connected = false;
    g_free(backend->id);
    backend->id = g_steal_pointer(&base_id);

    backend->fe = NULL;
    if (!char_fe_init(&m->be_fe, backend, &error_abort)) {
        g_assert_not_reached();
    }
    if (old_fe) {
        /* The frontend that had the backend moves into the mux. */
        mux_chardev_attach(&m->parent, old_fe, &error_abort);
    }
    chardev_register_mux(&m->parent);
    char_fe_set_handlers(&m->be_fe, mux_can_read, mux_read, mux_event, m);
    return &m->parent;
}

static void mux_close(Chardev *chr)
{
    MuxChardev *m = (MuxChardev *)chr;

    char_fe_deinit(&m->be_fe);
}

const ChardevClass chardev_mux_class = {
    .name = "mux",
    .help = "frontends sharing a backend (Ctrl-A c switches)",
    .instance_size = sizeof(MuxChardev),
    .open = NULL,
    .close = mux_close,
};
