/* io/threadpool.c - the process-wide pool of worker threads and its lanes.
 * One mutex guards the lane queues and the counts; workers wait on one
 * condition variable. The lane rule lives in may_start(); the why of it is
 * in tide/work.h and docs/FILES.md. */
#include <signal.h>
#include <stdlib.h>

#include "io/work_internal.h"

#define POOL_MIN TIDE_LANE_COUNT
#define POOL_MAX 256
#define POOL_DEFAULT 4

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    tide__queue_t lanes[TIDE_LANE_COUNT];
    unsigned running[TIDE_LANE_COUNT];
    unsigned size;    /* workers to start; 0 until first asked */
    unsigned started; /* workers running */
    unsigned idle;    /* started workers not running a request */
    unsigned next;    /* the lane looked at first, round robin */
    int initialised;  /* lanes set up, fork handler registered */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static unsigned size_from_env(void)
{
    const char *s = getenv("TIDE_THREADPOOL_SIZE");
    if (!s || !*s) return POOL_DEFAULT;
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (*end || *s == '-') return POOL_DEFAULT;
    return n < POOL_MIN ? POOL_MIN : n > POOL_MAX ? POOL_MAX : (unsigned)n;
}

/* Caller holds the lock. */
static unsigned configured_size(void)
{
    if (!pool.size) pool.size = size_from_env();
    return pool.size;
}

int tide_threadpool_set_size(unsigned workers)
{
    if (workers < POOL_MIN || workers > POOL_MAX) return -EINVAL;
    pthread_mutex_lock(&pool.lock);
    int rc = pool.started ? -EBUSY : 0;
    if (!rc) pool.size = workers;
    pthread_mutex_unlock(&pool.lock);
    return rc;
}

unsigned tide_threadpool_size(void)
{
    pthread_mutex_lock(&pool.lock);
    unsigned n = pool.started ? pool.started : configured_size();
    pthread_mutex_unlock(&pool.lock);
    return n;
}

/* The lane rule: a request of `lane` may take a worker only if, after it
 * does, one worker is still free for each other lane that has nothing
 * running. Every lane thus always has a worker busy with its work or
 * waiting for it, and no lane can take them all. With fewer workers than
 * lanes (only when threads ran out at start), at least one is used. */
static int may_start(unsigned lane)
{
    unsigned reserved = 0;
    for (unsigned l = 0; l < TIDE_LANE_COUNT; l++)
        if (l != lane && pool.running[l] == 0) reserved++;
    if (reserved > pool.started - 1) reserved = pool.started - 1;
    return pool.idle > reserved;
}

/* The next request a free worker may run, lanes taken in turn so that
 * none waits behind another's backlog. Caller holds the lock. */
static tide_work_t *pick(void)
{
    for (unsigned i = 0; i < TIDE_LANE_COUNT; i++) {
        unsigned lane = (pool.next + i) % TIDE_LANE_COUNT;
        if (tide__queue_empty(&pool.lanes[lane]) || !may_start(lane)) continue;
        pool.next = (lane + 1) % TIDE_LANE_COUNT;
        return tide__container_of(tide__queue_head(&pool.lanes[lane]), tide_work_t, node);
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        tide_work_t *req = pick();
        if (!req) {
            pthread_cond_wait(&pool.wake, &pool.lock);
            continue;
        }
        unsigned lane = req->lane;
        tide__queue_remove(&req->node);
        req->state = TIDE__WORK_RUNNING;
        pool.running[lane]++;
        pool.idle--;
        pthread_mutex_unlock(&pool.lock);

        req->status = req->work(req->data);

        pthread_mutex_lock(&pool.lock);
        pool.running[lane]--;
        pool.idle++;
        req->state = TIDE__WORK_DONE;
        pthread_mutex_unlock(&pool.lock);
        tide__work_finished(req); /* req may be gone after this */
        pthread_mutex_lock(&pool.lock);
    }
    return NULL;
}

/* In the child of a fork only the forking thread exists: forget the
 * workers and the parent's queued requests; the pool restarts on use. */
static void after_fork_child(void)
{
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    for (unsigned l = 0; l < TIDE_LANE_COUNT; l++) {
        tide__queue_init(&pool.lanes[l]);
        pool.running[l] = 0;
    }
    pool.started = pool.idle = 0;
}

/* Start the workers (caller holds the lock). Workers block every signal,
 * so signals reach the loop threads. */
static int start_workers(void)
{
    if (!pool.initialised) {
        for (unsigned l = 0; l < TIDE_LANE_COUNT; l++) tide__queue_init(&pool.lanes[l]);
        pthread_atfork(NULL, NULL, after_fork_child);
        pool.initialised = 1;
    }
    unsigned want = configured_size();
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int err = 0;
    while (pool.started < want) {
        pthread_t t;
        err = pthread_create(&t, &attr, worker_main, NULL);
        if (err) break;
        pool.started++;
        pool.idle++;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pool.started ? 0 : -err;
}

int tide__threadpool_queue(tide_work_t *req)
{
    pthread_mutex_lock(&pool.lock);
    int rc = pool.started ? 0 : start_workers();
    if (!rc) {
        req->state = TIDE__WORK_QUEUED;
        tide__queue_insert_tail(&pool.lanes[req->lane], &req->node);
        /* One waiter is enough: who may start is the same for every idle
         * worker, and a worker that finishes looks again itself. */
        pthread_cond_signal(&pool.wake);
    }
    pthread_mutex_unlock(&pool.lock);
    return rc;
}

int tide__threadpool_dequeue(tide_work_t *req)
{
    pthread_mutex_lock(&pool.lock);
    int rc = -EBUSY;
    if (req->state == TIDE__WORK_QUEUED) {
        tide__queue_remove(&req->node);
        req->state = TIDE__WORK_DONE;
        rc = 0;
    }
    pthread_mutex_unlock(&pool.lock);
    return rc;
}
