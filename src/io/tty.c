/* io/tty.c - terminals: a TTY fd as an fd stream, raw mode with the
 * original mode restored (also when the stream goes and when the loop
 * closes), the window size and SIGWINCH-driven resize notifications. */
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "io/net_internal.h"
#include "tide/tty.h"

typedef struct tide__tty {
    tide__queue_t node;   /* in the loop's list while the mode is changed */
    struct termios orig;  /* the mode before tide first changed it */
    int saved;
    int mode;
    int fd;
    tide_signal_t *winch;
    tide_tty_resize_cb cb;
    void *data;
    int cols, rows;       /* the size last reported */
    tide__sock_t *k;
} tide__tty_t;

int tide_is_tty(int fd) { return isatty(fd) == 1; }

int tide_tty_open(tide_loop_t *loop, int fd, unsigned flags, tide_stream_t **out)
{
    if (!loop || !out || (flags & ~(unsigned)TIDE_PIPE_NO_CLOSE)) return -EINVAL;
    if (fd < 0) return -EBADF;
    if (!isatty(fd)) return errno == EBADF ? -EBADF : -ENOTTY;
    if ((unsigned)fd < loop->nwatchers && loop->watchers[fd]) return -EEXIST;
    uint32_t kind;
    int err = tide__fd_kind(fd, &kind);
    if (err) return err;
    /* A terminal opened write-only still is not closed by end(). */
    kind &= ~(uint32_t)SOCK_CLOSE_ON_FINAL;
    kind |= SOCK_TTY;
    if (flags & TIDE_PIPE_NO_CLOSE) kind |= SOCK_NO_CLOSE;
    tide__sock_t *k;
    err = tide__sock_new(loop, fd, kind, 0, 0, &k);
    if (err) return err;
    tide__sock_ext_t *x = tide__sock_ext(k);
    tide__tty_t *t = x ? tide__calloc(1, sizeof *t) : NULL;
    if (!t) {
        k->flags |= SOCK_NO_CLOSE; /* on failure the fd stays the caller's */
        tide_stream_destroy(k->stream, NULL);
        tide_stream_release(k->stream);
        return -ENOMEM;
    }
    t->fd = fd;
    t->k = k;
    tide__queue_init(&t->node);
    x->tty = t;
    *out = k->stream;
    return 0;
}

static tide__tty_t *tty_of(tide_stream_t *s)
{
    tide__sock_t *k = tide__sock_of(s);
    return k && (k->flags & SOCK_TTY) && k->ext ? k->ext->tty : NULL;
}

static int set_mode(tide__tty_t *t, int mode)
{
    if (mode == t->mode) return 0;
    if (mode == TIDE_TTY_NORMAL) {
        if (tcsetattr(t->fd, TCSADRAIN, &t->orig) < 0) return -errno;
        t->mode = mode;
        tide__queue_remove(&t->node);
        tide__queue_init(&t->node);
        return 0;
    }
    if (!t->saved) {
        if (tcgetattr(t->fd, &t->orig) < 0) return -errno;
        t->saved = 1;
    }
    /* cfmakeraw, but keeping output processing as libuv's raw mode does,
     * so "\n" still starts a new line. */
    struct termios raw = t->orig;
    raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_cflag |= CS8;
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(t->fd, TCSADRAIN, &raw) < 0) return -errno;
    if (t->mode == TIDE_TTY_NORMAL)
        tide__queue_insert_tail(&tide__net(tide__sloop(t->k->stream))->ttys, &t->node);
    t->mode = mode;
    return 0;
}

int tide_tty_set_mode(tide_stream_t *s, int mode)
{
    tide__tty_t *t = tty_of(s);
    if (!t || (mode != TIDE_TTY_NORMAL && mode != TIDE_TTY_RAW)) return -EINVAL;
    if (t->k->flags & SOCK_CLOSED) return -EBADF;
    return set_mode(t, mode);
}

static int winsize(int fd, int *cols, int *rows)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return -errno;
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    return 0;
}

int tide_tty_get_winsize(tide_stream_t *s, int *cols, int *rows)
{
    tide__tty_t *t = tty_of(s);
    if (!t || !cols || !rows) return -EINVAL;
    if (t->k->flags & SOCK_CLOSED) return -EBADF;
    return winsize(t->fd, cols, rows);
}

static void on_winch(tide_signal_t *sig, int signum, void *data)
{
    tide__tty_t *t = data;
    int cols = 0, rows = 0;
    if (!t->cb || (t->k->flags & SOCK_CLOSED) || winsize(t->fd, &cols, &rows) != 0) return;
    if (cols == t->cols && rows == t->rows) return;
    t->cols = cols;
    t->rows = rows;
    t->cb(t->k->stream, cols, rows, t->data);
}

static void stop_winch(tide__tty_t *t)
{
    if (!t->winch) return;
    tide_close((tide_handle_t *)t->winch, NULL);
    t->winch = NULL;
    t->cb = NULL;
}

int tide_tty_on_resize(tide_stream_t *s, tide_tty_resize_cb cb, void *data)
{
    tide__tty_t *t = tty_of(s);
    if (!t) return -EINVAL;
    if (!cb) {
        stop_winch(t);
        return 0;
    }
    if (t->k->flags & SOCK_CLOSED) return -EBADF;
    if (!t->winch) {
        int err = tide_signal_new(tide__sloop(s), &t->winch);
        if (!err) err = tide_signal_start(t->winch, on_winch, SIGWINCH, t);
        if (err) {
            if (t->winch) tide_close((tide_handle_t *)t->winch, NULL);
            t->winch = NULL;
            return err;
        }
        tide_unref((tide_handle_t *)t->winch);
        if (winsize(t->fd, &t->cols, &t->rows) != 0) t->cols = t->rows = 0;
    }
    t->cb = cb;
    t->data = data;
    return 0;
}

/* The stream closes its fd: put the mode back first and stop watching. */
void tide__tty_restore(tide__sock_t *k)
{
    tide__tty_t *t = k->ext->tty;
    if (t->mode != TIDE_TTY_NORMAL) (void)set_mode(t, TIDE_TTY_NORMAL);
    tide__queue_remove(&t->node);
    tide__queue_init(&t->node);
    stop_winch(t);
}

/* The loop closes: every terminal still changed gets its mode back. */
void tide__ttys_destroy(tide__net_t *net)
{
    while (!tide__queue_empty(&net->ttys)) {
        tide__tty_t *t = tide__container_of(tide__queue_head(&net->ttys), tide__tty_t, node);
        (void)tcsetattr(t->fd, TCSADRAIN, &t->orig);
        t->mode = TIDE_TTY_NORMAL;
        tide__queue_remove(&t->node);
        tide__queue_init(&t->node);
    }
}
