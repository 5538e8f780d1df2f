/* tide/fs_watch.h - watching files and directories, as Node's fs.watch on
 * Linux (inotify underneath, one inotify instance per loop shared by all
 * its watchers).
 *
 * Each change is reported as 'rename' (an entry appeared, went away or was
 * renamed; the watched path itself was deleted or moved) or 'change' (its
 * contents or attributes changed), with a file name: for a watched
 * directory the name of the entry inside it, for a watched file (or the
 * directory itself) the last component of the watched path. Several
 * watchers of the same path each get every event.
 *
 * When the watched path is deleted, the watcher reports 'rename' twice
 * (the deletion, then the kernel dropping the watch) and then stays open
 * and silent, as Node's does: it still keeps the loop alive until it is
 * stopped or closed. A watched path that is moved keeps being watched
 * under its old name. When the kernel's event queue overflows, every
 * watcher of the loop gets -EOVERFLOW (events were lost).
 *
 * Recursive watching is not offered: TIDE_FS_WATCH_RECURSIVE returns
 * -ENOTSUP (watch each directory, or see docs/FS_WATCH.md). */
#ifndef TIDE_FS_WATCH_H
#define TIDE_FS_WATCH_H

#include "tide/async.h"
#include "tide/emitter.h"
#include "tide/loop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_fs_watch_s tide_fs_watch_t;

enum { TIDE_FS_RENAME = 1, TIDE_FS_CHANGE = 2 };
enum { TIDE_FS_WATCH_RECURSIVE = 1 };

/* What a 'change' event carries (and the callback's arguments). */
typedef struct {
    int event;            /* TIDE_FS_RENAME or TIDE_FS_CHANGE */
    const char *filename; /* valid during the callback */
} tide_fs_event_t;

/* status 0 with event and filename, or a negative errno (-EOVERFLOW) with
 * event 0 and filename NULL. */
typedef void (*tide_fs_watch_cb)(tide_fs_watch_t *w, int status, int event,
                                 const char *filename, void *data);

TIDE_API int tide_fs_watch_new(tide_loop_t *loop, tide_fs_watch_t **out);
/* Watch path. cb NULL: each event is emitted as 'change' (argument: const
 * tide_fs_event_t *) and errors as 'error'. Returns 0, -EALREADY (started
 * already), -ENOTSUP (recursive), -ENOENT, -EACCES, -ENOSPC (the user's
 * inotify watch limit), -EMFILE (no inotify instance), -ENOMEM. */
TIDE_API int tide_fs_watch_start(tide_fs_watch_t *w, const char *path, unsigned flags,
                                 tide_fs_watch_cb cb, void *data);
/* Stop watching; the watcher may be started again. */
TIDE_API int tide_fs_watch_stop(tide_fs_watch_t *w);
/* The watched path, or NULL when not started. */
TIDE_API const char *tide_fs_watch_path(const tide_fs_watch_t *w);
/* The emitter: 'change', 'error', and 'close' (from a tick queued by
 * tide_close, as Node emits it; the close callback comes later, in the
 * close phase). */
TIDE_API tide_emitter_t *tide_fs_watch_emitter(tide_fs_watch_t *w);
/* The id of the 'change' event. */
TIDE_API tide_event_t tide_fs_watch_event_change(void);

/* Inside tide_async: wait for the next event. From the first call on, the
 * watcher keeps up to 64 events that arrive while no fiber waits (as
 * fs.promises.watch does); when more arrive, one call returns -EOVERFLOW
 * and the ones after the queue was full are lost. The name is cut to fit
 * cap bytes (NUL included). Returns 0, -EOVERFLOW, -EINVAL (a stopped
 * watcher with nothing queued), -EBUSY (another fiber waits), -ECANCELED
 * when the watcher is stopped or closed, the abort reason or -ETIMEDOUT,
 * -EPERM outside an async function. */
TIDE_API int tide_fs_watch_next_await(tide_fs_watch_t *w, int *event, char *name, size_t cap,
                                      const tide_await_opts_t *opts);

#ifdef __cplusplus
}
#endif
#endif /* TIDE_FS_WATCH_H */
