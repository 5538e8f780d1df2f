/* io/fs_watch_internal.h - the private layout of file-system watchers and
 * the per-loop inotify state they share (fs_watch.c), and the event queue
 * behind the awaiting form (fs_watch_await.c). */
#ifndef TIDE_IO_FS_WATCH_INTERNAL_H
#define TIDE_IO_FS_WATCH_INTERNAL_H

#include <limits.h>

#include "core/internal.h"
#include "tide/fs_watch.h"

/* Events kept for a fiber that is not waiting yet. */
#define TIDE__FS_QUEUE 64

/* One inotify watch descriptor and the watchers that share it (the same
 * inode watched by several watchers gives one descriptor). */
typedef struct {
    int wd;
    int dispatching; /* events are being delivered: free it afterwards */
    tide__queue_t watchers;
} tide__fs_entry_t;

typedef struct {
    int status;
    int event;
    char name[NAME_MAX + 1];
} tide__fs_queued_t;

typedef struct {
    tide__fs_queued_t items[TIDE__FS_QUEUE];
    unsigned head, len;
    int overflowed;
} tide__fs_queue_t;

struct tide_fs_watch_s {
    tide_handle_t h;
    tide__queue_t node;       /* in its entry's list */
    tide__fs_entry_t *entry;  /* NULL when stopped, or after the kernel dropped the watch */
    char *path;
    const char *base;         /* last component of path, for events without a name */
    tide_fs_watch_cb cb;
    tide__fs_queue_t *queue;  /* made by the first await */
    tide_promise_t *waiter;   /* the waiting fiber's promise */
    int close_emitted;        /* 'close' went out from its tick */
    tide_emitter_t em;
};

/* Per-loop state (slot TIDE__SLOT_FS_WATCH). */
typedef struct {
    tide__io_t io;            /* the inotify fd; -1 until the first start */
    tide__fs_entry_t **entries; /* sorted by wd */
    size_t nentries, cap;
    char buf[16384] __attribute__((aligned(8)));
} tide__fs_loop_t;

/* Queue an event for the awaiting form and wake the fiber (fs_watch_await.c). */
void tide__fs_watch_queue(tide_fs_watch_t *w, int status, int event, const char *name);
void tide__fs_watch_wake_closed(tide_fs_watch_t *w);

#endif /* TIDE_IO_FS_WATCH_INTERNAL_H */
