/* tide/poll.h - a watcher for a file descriptor the program owns: the way
 * to put a foreign library (a database client, a device) on the loop.
 *
 * The watcher reports readiness; the program does the I/O itself. The fd
 * must be non-blocking. Stop or close the watcher before closing the fd:
 * then no event already collected for it is delivered, and the fd number
 * may be reused by a new watcher in the same iteration. A watcher whose fd
 * was closed behind its back gets no events from the next poll on, but one
 * collected in the current iteration may still reach it. */
#ifndef TIDE_POLL_H
#define TIDE_POLL_H

#include "loop.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    TIDE_READABLE = 1,
    TIDE_WRITABLE = 2,
    TIDE_DISCONNECT = 4, /* the peer hung up its end (EPOLLRDHUP) */
    TIDE_PRIORITIZED = 8 /* out-of-band or priority data */
};

typedef struct tide_poll_s tide_poll_t;

/* status is 0, or a negative errno when the fd is in error (EPOLLERR); in
 * that case events holds every event the watcher asked for, so a read or
 * write reveals the error. */
typedef void (*tide_poll_cb)(tide_poll_t *watcher, int status, int events, void *data);

/* Allocate a watcher for fd. Returns -EBADF for a negative fd, -EEXIST if
 * another watcher on this loop already owns the fd. */
TIDE_API int tide_poll_new(tide_loop_t *loop, int fd, tide_poll_t **out);

/* Watch for the given TIDE_* events (replacing any earlier mask; 0 stops). */
TIDE_API int tide_poll_start(tide_poll_t *watcher, int events, tide_poll_cb cb, void *data);
TIDE_API int tide_poll_stop(tide_poll_t *watcher);
TIDE_API int tide_poll_fd(const tide_poll_t *watcher);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_POLL_H */
