/* io/fs_watch.c - file-system watchers on inotify: one inotify fd per loop,
 * a table from watch descriptor to the watchers sharing it, and the
 * translation of inotify events into Node's 'rename'/'change' model (the
 * rule libuv applies, so names and types match what fs.watch reports). */
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "io/fs_watch_internal.h"

/* What libuv asks inotify for, and so what Node reports. */
#define WATCH_MASK                                                                           \
    (IN_ATTRIB | IN_CREATE | IN_MODIFY | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |           \
     IN_MOVED_FROM | IN_MOVED_TO)

static void fs_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events);
static void fs_close(tide_handle_t *h);
static void fs_finish(tide_handle_t *h);

/* ---- per-loop state -------------------------------------------------------- */

static void fs_loop_destroy(tide_loop_t *loop, void *state)
{
    tide__fs_loop_t *st = state;
    tide__io_stop(loop, &st->io);
    tide__sys.close(st->io.fd);
    /* Every watcher was closed before the loop, so every entry is gone. */
    tide__free(st->entries);
    tide__free(st);
    loop->slots[TIDE__SLOT_FS_WATCH].state = NULL;
    loop->slots[TIDE__SLOT_FS_WATCH].destroy = NULL;
}

/* The inotify instance is made by the first start, not by tide_fs_watch_new,
 * so a loop that never watches has no fd for it. */
static int fs_loop(tide_loop_t *loop, tide__fs_loop_t **out)
{
    tide__slot_t *slot = &loop->slots[TIDE__SLOT_FS_WATCH];
    if ((*out = slot->state) != NULL) return 0;
    tide__fs_loop_t *st = tide__calloc(1, sizeof *st);
    if (!st) return -ENOMEM;
    st->io.fd = tide__sys.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (st->io.fd < 0) {
        int err = -errno;
        tide__free(st);
        return err;
    }
    st->io.type = TIDE__IO_FS_WATCH;
    int err = tide__io_start(loop, &st->io, TIDE__IN);
    if (err) {
        tide__sys.close(st->io.fd);
        tide__free(st);
        return err;
    }
    slot->state = st;
    slot->destroy = fs_loop_destroy;
    *out = st;
    return 0;
}

/* ---- the table of watch descriptors ------------------------------------------ */

/* Index of wd in the sorted table, or where it would go. */
static size_t entry_slot(const tide__fs_loop_t *st, int wd)
{
    size_t lo = 0, hi = st->nentries;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (st->entries[mid]->wd < wd) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static tide__fs_entry_t *entry_find(const tide__fs_loop_t *st, int wd)
{
    size_t i = entry_slot(st, wd);
    return i < st->nentries && st->entries[i]->wd == wd ? st->entries[i] : NULL;
}

static tide__fs_entry_t *entry_add(tide__fs_loop_t *st, int wd)
{
    if (st->nentries == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        tide__fs_entry_t **e = tide__realloc(st->entries, sizeof *e * cap);
        if (!e) return NULL;
        st->entries = e;
        st->cap = cap;
    }
    tide__fs_entry_t *e = tide__calloc(1, sizeof *e);
    if (!e) return NULL;
    e->wd = wd;
    tide__queue_init(&e->watchers);
    size_t i = entry_slot(st, wd);
    memmove(st->entries + i + 1, st->entries + i, sizeof *st->entries * (st->nentries - i));
    st->entries[i] = e;
    st->nentries++;
    return e;
}

static void entry_remove(tide__fs_loop_t *st, tide__fs_entry_t *e)
{
    size_t i = entry_slot(st, e->wd);
    memmove(st->entries + i, st->entries + i + 1, sizeof *st->entries * (st->nentries - i - 1));
    st->nentries--;
    tide__free(e);
}

/* The last watcher of a descriptor left: tell the kernel, unless events
 * are being delivered from it right now (then the dispatch does it). */
static void entry_release(tide__fs_loop_t *st, tide__fs_entry_t *e)
{
    if (e->dispatching || !tide__queue_empty(&e->watchers)) return;
    tide__sys.inotify_rm_watch(st->io.fd, e->wd);
    entry_remove(st, e);
}

/* ---- watchers ---------------------------------------------------------------- */

int tide_fs_watch_new(tide_loop_t *loop, tide_fs_watch_t **out)
{
    if (!loop || !out) return -EINVAL;
    *out = NULL;
    if (!loop->handle_hooks[TIDE_HANDLE_FS_WATCH].close) {
        tide__pool_init(&loop->handle_pools[TIDE_HANDLE_FS_WATCH], sizeof(tide_fs_watch_t));
        loop->handle_hooks[TIDE_HANDLE_FS_WATCH].close = fs_close;
        loop->handle_hooks[TIDE_HANDLE_FS_WATCH].finish = fs_finish;
        loop->io_dispatch[TIDE__IO_FS_WATCH] = fs_dispatch;
    }
    tide_fs_watch_t *w = tide__pool_get(&loop->handle_pools[TIDE_HANDLE_FS_WATCH]);
    if (!w) return -ENOMEM;
    memset(w, 0, sizeof *w);
    tide__handle_init(loop, &w->h, TIDE_HANDLE_FS_WATCH);
    tide__queue_init(&w->node);
    tide_emitter_init(&w->em, loop);
    *out = w;
    return 0;
}

/* Events without a name (about the watched path itself) carry the path's
 * last component; trailing slashes do not count, as in path.basename. */
static char *copy_path(const char *path, const char **base)
{
    size_t n = strlen(path);
    char *copy = tide__malloc(n + 1);
    if (!copy) return NULL;
    memcpy(copy, path, n + 1);
    while (n > 1 && copy[n - 1] == '/') copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    *base = slash && slash[1] ? slash + 1 : copy;
    return copy;
}

int tide_fs_watch_start(tide_fs_watch_t *w, const char *path, unsigned flags,
                        tide_fs_watch_cb cb, void *data)
{
    if (!w || !path || !*path) return -EINVAL;
    if (w->h.flags & (TIDE__CLOSING | TIDE__CLOSED)) return -EBADF;
    if (flags & TIDE_FS_WATCH_RECURSIVE) return -ENOTSUP;
    if (flags) return -EINVAL;
    if (w->path) return -EALREADY;
    tide_loop_t *loop = w->h.loop;
    tide__fs_loop_t *st;
    int err = fs_loop(loop, &st);
    if (err) return err;
    const char *base;
    char *copy = copy_path(path, &base);
    if (!copy) return -ENOMEM;
    int wd = tide__sys.inotify_add_watch(st->io.fd, path, WATCH_MASK);
    if (wd < 0) {
        err = -errno;
        tide__free(copy);
        return err;
    }
    tide__fs_entry_t *e = entry_find(st, wd);
    if (!e && !(e = entry_add(st, wd))) {
        tide__sys.inotify_rm_watch(st->io.fd, wd);
        tide__free(copy);
        return -ENOMEM;
    }
    tide__queue_insert_tail(&e->watchers, &w->node);
    w->entry = e;
    w->path = copy;
    w->base = base;
    w->cb = cb;
    w->h.data = data;
    w->h.context = loop->context;
    tide__handle_start(&w->h);
    return 0;
}

int tide_fs_watch_stop(tide_fs_watch_t *w)
{
    if (!w) return -EINVAL;
    if (w->h.flags & TIDE__CLOSED) return -EBADF;
    if (!w->path) return 0;
    if (w->entry) {
        tide__queue_remove(&w->node);
        entry_release(w->h.loop->slots[TIDE__SLOT_FS_WATCH].state, w->entry);
        w->entry = NULL;
    }
    tide__free(w->path);
    w->path = NULL;
    w->base = NULL;
    tide__handle_stop(&w->h);
    tide__fs_watch_wake_closed(w);
    return 0;
}

const char *tide_fs_watch_path(const tide_fs_watch_t *w) { return w ? w->path : NULL; }
tide_emitter_t *tide_fs_watch_emitter(tide_fs_watch_t *w) { return w ? &w->em : NULL; }

tide_event_t tide_fs_watch_event_change(void)
{
    static _Atomic tide_event_t id;
    tide_event_t v = id;
    if (!v) id = v = tide_event("change");
    return v;
}

/* ---- delivery ---------------------------------------------------------------- */

static void deliver(tide_fs_watch_t *w, int status, int event, const char *name)
{
    tide_loop_t *loop = w->h.loop;
    if (w->queue) /* a drain follows: a waiting fiber resumes now */
        TIDE__CALLBACK(loop, w->h.context, tide__fs_watch_queue(w, status, event, name));
    if (w->cb) {
        TIDE__CALLBACK(loop, w->h.context, w->cb(w, status, event, name, w->h.data));
    } else if (status == 0) {
        tide_fs_event_t ev = {event, name};
        TIDE__CALLBACK(loop, w->h.context, tide_emit(&w->em, tide_fs_watch_event_change(), &ev));
    } else if (!w->queue || tide_listener_count(&w->em, TIDE_EVENT_ERROR)) {
        /* An awaiting-only watcher gets its error through the await. */
        tide_error_t *err = tide_error_new(status, NULL);
        if (err) {
            TIDE__CALLBACK(loop, w->h.context, tide_emit(&w->em, TIDE_EVENT_ERROR, err));
            tide_error_release(err);
        }
    }
}

/* Give one event to every watcher of e, each at most once, even when
 * callbacks stop or start watchers meanwhile (a watcher started from a
 * callback waits for the next event). */
static void dispatch_entry(tide__fs_entry_t *e, int status, int event, const char *name)
{
    e->dispatching++;
    tide__queue_t batch;
    tide__queue_move(&e->watchers, &batch);
    while (!tide__queue_empty(&batch)) {
        tide_fs_watch_t *w = tide__container_of(tide__queue_head(&batch), tide_fs_watch_t, node);
        tide__queue_remove(&w->node);
        tide__queue_insert_tail(&e->watchers, &w->node);
        deliver(w, status, event, name ? name : w->base);
    }
    e->dispatching--;
}

/* The kernel dropped the watch (IN_IGNORED: the path was deleted, or its
 * file system unmounted). Its watchers stay started and silent, as Node's. */
static void entry_orphan(tide__fs_loop_t *st, tide__fs_entry_t *e)
{
    while (!tide__queue_empty(&e->watchers)) {
        tide_fs_watch_t *w = tide__container_of(tide__queue_head(&e->watchers), tide_fs_watch_t, node);
        tide__queue_remove(&w->node);
        w->entry = NULL;
    }
    entry_remove(st, e);
}

static void on_event(tide__fs_loop_t *st, const struct inotify_event *ev)
{
    tide__fs_entry_t *e = entry_find(st, ev->wd);
    if (!e) return; /* stopped since, or the IN_IGNORED of our own rm_watch */
    /* libuv's rule: attribute or content changes are 'change', anything
     * else is 'rename', and Node reports 'rename' when both are present. */
    int event = (ev->mask & ~(uint32_t)(IN_ATTRIB | IN_MODIFY)) ? TIDE_FS_RENAME : TIDE_FS_CHANGE;
    dispatch_entry(e, 0, event, ev->len ? ev->name : NULL);
    if (ev->mask & IN_IGNORED) entry_orphan(st, e);
    else if (tide__queue_empty(&e->watchers)) entry_release(st, e);
}

/* Events were lost: every watcher of the loop hears it once. Entries may
 * come and go while the callbacks run, so each is marked first. */
static void on_overflow(tide__fs_loop_t *st)
{
    for (size_t i = 0; i < st->nentries; i++) st->entries[i]->dispatching |= 0x10000;
    for (;;) {
        tide__fs_entry_t *e = NULL;
        for (size_t i = 0; i < st->nentries && !e; i++)
            if (st->entries[i]->dispatching & 0x10000) e = st->entries[i];
        if (!e) break;
        e->dispatching &= ~0x10000;
        dispatch_entry(e, -EOVERFLOW, 0, NULL);
        if (tide__queue_empty(&e->watchers)) entry_release(st, e);
    }
}

static void fs_dispatch(tide_loop_t *loop, tide__io_t *io, unsigned events)
{
    tide__fs_loop_t *st = tide__container_of(io, tide__fs_loop_t, io);
    for (;;) {
        ssize_t n = tide__sys.read(io->fd, st->buf, sizeof st->buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* EAGAIN: all read */
        for (char *p = st->buf; p < st->buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) on_overflow(st);
            else on_event(st, ev);
        }
    }
}

/* ---- close ------------------------------------------------------------------- */

/* 'close' comes from a tick queued by tide_close, as Node's emitCloseNT;
 * ticks run before the close phase, so the watcher is still there. */
static void close_tick(tide_loop_t *loop, void *data)
{
    tide_fs_watch_t *w = data;
    w->close_emitted = 1;
    tide_emit(&w->em, TIDE_EVENT_CLOSE, NULL);
}

static void fs_close(tide_handle_t *h)
{
    tide_fs_watch_t *w = (tide_fs_watch_t *)h;
    tide_fs_watch_stop(w);
    tide_next_tick(h->loop, close_tick, w);
}

/* Close phase: 'close' if its tick could not be queued, then the emitter
 * and the await queue go. */
static void fs_finish(tide_handle_t *h)
{
    tide_fs_watch_t *w = (tide_fs_watch_t *)h;
    if (!w->close_emitted && tide_listener_count(&w->em, TIDE_EVENT_CLOSE))
        TIDE__CALLBACK(h->loop, h->context, tide_emit(&w->em, TIDE_EVENT_CLOSE, NULL));
    tide_emitter_destroy(&w->em);
    tide__free(w->queue);
    w->queue = NULL;
}
