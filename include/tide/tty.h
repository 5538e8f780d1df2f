/* tide/tty.h - terminals as streams: a TTY fd as an fd stream (tide/net.h),
 * raw mode on and off, the window size, and a notification when it
 * changes (SIGWINCH through the loop's signal handles).
 *
 * The mode in force when tide first changed it is restored when the mode
 * is set back to TIDE_TTY_NORMAL, when the stream is destroyed, and when
 * the loop is closed. */
#ifndef TIDE_TTY_H
#define TIDE_TTY_H

#include "tide/net.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    TIDE_TTY_NORMAL = 0, /* the mode the terminal had */
    TIDE_TTY_RAW = 1     /* bytes as typed: no echo, no line editing, no signals */
};

typedef void (*tide_tty_resize_cb)(tide_stream_t *tty, int cols, int rows, void *data);

/* Wrap a terminal fd (made non-blocking; closed at destroy unless
 * TIDE_PIPE_NO_CLOSE, as for stdin/stdout). -ENOTTY for other fds. */
TIDE_API int tide_tty_open(tide_loop_t *loop, int fd, unsigned flags, tide_stream_t **out);
TIDE_API int tide_tty_set_mode(tide_stream_t *tty, int mode);
TIDE_API int tide_tty_get_winsize(tide_stream_t *tty, int *cols, int *rows);
/* cb runs when the window size changed (not for a SIGWINCH that left it
 * as it was); NULL stops watching. The watch is a signal handle that keeps
 * the loop alive only while the stream reads or writes (it is unref'd). */
TIDE_API int tide_tty_on_resize(tide_stream_t *tty, tide_tty_resize_cb cb, void *data);
/* Nonzero when fd is a terminal. */
TIDE_API int tide_is_tty(int fd);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_TTY_H */
