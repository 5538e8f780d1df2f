/* tide/sync.h - an async mutex and a counting semaphore, for logical races
 * across awaits: one thread never races on memory, but two tasks can both
 * read a balance before either writes it back.
 *
 * Waiters are served first come, first served: unlock hands the lock to the
 * longest waiter directly, so a task that arrives later can never take it
 * in between. A waiter resumes as a microtask. Waiting takes the usual
 * options: an abort or a deadline removes the waiter from the queue. */
#ifndef TIDE_SYNC_H
#define TIDE_SYNC_H

#include "tide/async.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tide_mutex_s tide_mutex_t;
typedef struct tide_semaphore_s tide_semaphore_t;

TIDE_API int tide_mutex_new(tide_loop_t *loop, tide_mutex_t **out);
/* Inside an async function: wait for the lock. 0, -ECANCELED, -ETIMEDOUT. */
TIDE_API int tide_mutex_lock(tide_mutex_t *mutex, const tide_await_opts_t *opts);
/* Take the lock only if it is free and nobody waits: 0 or -EBUSY. */
TIDE_API int tide_mutex_trylock(tide_mutex_t *mutex);
/* -EPERM when it is not locked. */
TIDE_API int tide_mutex_unlock(tide_mutex_t *mutex);
TIDE_API int tide_mutex_locked(const tide_mutex_t *mutex);
/* -EBUSY while locked or waited on. */
TIDE_API int tide_mutex_free(tide_mutex_t *mutex);

TIDE_API int tide_semaphore_new(tide_loop_t *loop, unsigned count, tide_semaphore_t **out);
TIDE_API int tide_semaphore_acquire(tide_semaphore_t *sem, const tide_await_opts_t *opts);
TIDE_API int tide_semaphore_try_acquire(tide_semaphore_t *sem);
TIDE_API int tide_semaphore_release(tide_semaphore_t *sem);
TIDE_API unsigned tide_semaphore_available(const tide_semaphore_t *sem);
TIDE_API int tide_semaphore_free(tide_semaphore_t *sem);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_SYNC_H */
