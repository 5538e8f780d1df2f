/* backend/backend.h - the small internal interface between the loop and an
 * operating-system poller (epoll today; io_uring and poll later).
 *
 * The loop owns fd watchers (tide__io_t): an fd, the events it wants
 * (pevents) and the events the backend last registered (events). A backend
 * registers interest when the two differ, waits, and hands each ready
 * watcher to tide__io_ready(), which dispatches on the watcher's type tag.
 *
 * Completion backends: a proactor (io_uring) also performs reads, writes,
 * accepts and connects itself. It says so with TIDE__BACKEND_COMPLETIONS and
 * a `submit` operation; the I/O layer then hands it requests (buffer, length,
 * offset) instead of waiting for readiness, and the backend completes them
 * from its poll. A readiness backend (epoll) has no `submit`: the I/O layer
 * performs the system call itself when the fd is ready. Either way the
 * callback a user sees comes from the loop, never from inside the request. */
#ifndef TIDE_BACKEND_H
#define TIDE_BACKEND_H

#include <stdint.h>

#include "tide/loop.h"

typedef struct tide__io tide__io_t;

enum { TIDE__BACKEND_COMPLETIONS = 1 };

typedef struct tide__backend_ops {
    const char *name;
    unsigned caps;
    /* Set up loop->backend_state; return 0 or a negative errno. */
    int (*init)(tide_loop_t *loop);
    void (*destroy)(tide_loop_t *loop);
    /* Make the registration of io match io->pevents (0 = unregister). On
     * success io->events == io->pevents. Returns 0 or a negative errno
     * (-EPERM for a file epoll cannot watch). */
    int (*update)(tide_loop_t *loop, tide__io_t *io);
    /* The watcher is going away (stopped, closed, or its fd is about to be
     * closed): unregister it and drop any events already harvested for it
     * in the current dispatch, so a reused fd never sees stale events. */
    void (*forget)(tide_loop_t *loop, tide__io_t *io);
    /* Wait at most timeout_ns (-1: forever, 0: do not block) and dispatch
     * every ready watcher through tide__io_ready(). EINTR is not an error
     * and does not end the wait: the backend waits again for the time left
     * (a non-blocking poll just returns no events). Returns the number of
     * events dispatched. */
    int (*poll)(tide_loop_t *loop, int64_t timeout_ns);
    /* Completion backends only: start an I/O request. */
    int (*submit)(tide_loop_t *loop, void *req);
} tide__backend_ops_t;

/* Backend readiness bits, the same values as the public TIDE_READABLE... */
enum {
    TIDE__IN = 1,
    TIDE__OUT = 2,
    TIDE__RDHUP = 4,
    TIDE__PRI = 8,
    TIDE__ERR = 16,
    TIDE__HUP = 32
};

/* Called by backends for each ready watcher. */
void tide__io_ready(tide_loop_t *loop, tide__io_t *io, unsigned events);

/* The backends this build has; tide__backend_pick() honours TIDE_BACKEND. */
extern const tide__backend_ops_t tide__backend_epoll;
const tide__backend_ops_t *tide__backend_pick(void);

#endif /* TIDE_BACKEND_H */
