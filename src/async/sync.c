/* async/sync.c - the async semaphore, and the mutex as a semaphore of one.
 * A release hands its permit straight to the longest waiter (FIFO, no
 * barging), whose task resumes as a microtask. */
#include "async/task_internal.h"

struct tide_semaphore_s {
    tide_loop_t *loop;
    unsigned available;
    tide__queue_t waiters; /* queued_t nodes, oldest first */
};

struct tide_mutex_s {
    tide_semaphore_t sem;
};

/* A waiting task's entry; it lives on that task's stack while it waits. */
typedef struct {
    tide__queue_t node;
    tide__waiter_t *waiter;
} queued_t;

static void sem_init(tide_semaphore_t *s, tide_loop_t *loop, unsigned count)
{
    s->loop = loop;
    s->available = count;
    tide__queue_init(&s->waiters);
}

static int sem_try(tide_semaphore_t *s)
{
    if (s->available == 0 || !tide__queue_empty(&s->waiters)) return -EBUSY;
    s->available--;
    return 0;
}

static int sem_acquire(tide_semaphore_t *s, const tide_await_opts_t *opts)
{
    tide__task_t *t = tide__task_current();
    if (!t) return -EPERM;
    if (t->loop != s->loop) return -EINVAL;
    if (sem_try(s) == 0) return 0;
    queued_t q;
    q.waiter = tide__waiter_new(t);
    if (!q.waiter) return -ENOMEM;
    tide__queue_insert_tail(&s->waiters, &q.node);
    int rc = tide__waiter_wait(q.waiter, opts, -1);
    /* Granted: the releaser unlinked us. Cancelled: leave the queue. */
    if (rc != 0) tide__queue_remove(&q.node);
    tide__waiter_release(q.waiter);
    return rc;
}

static void sem_release(tide_semaphore_t *s)
{
    while (!tide__queue_empty(&s->waiters)) {
        queued_t *q = tide__container_of(tide__queue_head(&s->waiters), queued_t, node);
        if (q->waiter->done) {
            /* woken by a cancel, not yet resumed: it removes itself */
            tide__queue_remove(&q->node);
            continue;
        }
        tide__queue_remove(&q->node);
        tide__waiter_wake_later(q->waiter, 0, NULL, NULL);
        return;
    }
    s->available++;
}

/* ---- semaphore ---------------------------------------------------------- */

int tide_semaphore_new(tide_loop_t *loop, unsigned count, tide_semaphore_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_semaphore_t *s = tide__malloc(sizeof *s);
    if (!s) return -ENOMEM;
    sem_init(s, loop, count);
    *out = s;
    return 0;
}

int tide_semaphore_acquire(tide_semaphore_t *s, const tide_await_opts_t *opts)
{
    return s ? sem_acquire(s, opts) : -EINVAL;
}

int tide_semaphore_try_acquire(tide_semaphore_t *s) { return s ? sem_try(s) : -EINVAL; }

int tide_semaphore_release(tide_semaphore_t *s)
{
    if (!s) return -EINVAL;
    if (s->available == UINT32_MAX) return -EOVERFLOW;
    sem_release(s);
    return 0;
}

unsigned tide_semaphore_available(const tide_semaphore_t *s) { return s ? s->available : 0; }

int tide_semaphore_free(tide_semaphore_t *s)
{
    if (!s) return -EINVAL;
    if (!tide__queue_empty(&s->waiters)) return -EBUSY;
    tide__free(s);
    return 0;
}

/* ---- mutex ---------------------------------------------------------------- */

int tide_mutex_new(tide_loop_t *loop, tide_mutex_t **out)
{
    if (!loop || !out) return -EINVAL;
    tide_mutex_t *m = tide__malloc(sizeof *m);
    if (!m) return -ENOMEM;
    sem_init(&m->sem, loop, 1);
    *out = m;
    return 0;
}

int tide_mutex_lock(tide_mutex_t *m, const tide_await_opts_t *opts)
{
    return m ? sem_acquire(&m->sem, opts) : -EINVAL;
}

int tide_mutex_trylock(tide_mutex_t *m) { return m ? sem_try(&m->sem) : -EINVAL; }

int tide_mutex_unlock(tide_mutex_t *m)
{
    if (!m) return -EINVAL;
    if (m->sem.available) return -EPERM;
    sem_release(&m->sem);
    return 0;
}

int tide_mutex_locked(const tide_mutex_t *m) { return m && m->sem.available == 0; }

int tide_mutex_free(tide_mutex_t *m)
{
    if (!m) return -EINVAL;
    if (!m->sem.available || !tide__queue_empty(&m->sem.waiters)) return -EBUSY;
    tide__free(m);
    return 0;
}
