/* tests/io/gate.h - a gate that work on pool threads waits at until the
 * test opens it, and that counts who is waiting, so a test can fill the
 * workers of a lane and wait for that to happen without sleeping. */
#ifndef TIDE_TEST_GATE_H
#define TIDE_TEST_GATE_H

#include <pthread.h>

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int open;
    int waiting;     /* at the gate now */
    int max_waiting; /* the most at once */
} gate_t;

static inline void gate_init(gate_t *g)
{
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->open = 0;
    g->waiting = g->max_waiting = 0;
}

/* On a worker: wait until the gate opens. */
static inline void gate_pass(gate_t *g)
{
    pthread_mutex_lock(&g->lock);
    g->waiting++;
    if (g->waiting > g->max_waiting) g->max_waiting = g->waiting;
    pthread_cond_broadcast(&g->cond);
    while (!g->open) pthread_cond_wait(&g->cond, &g->lock);
    g->waiting--;
    pthread_mutex_unlock(&g->lock);
}

/* On the test's thread: wait until n workers wait at the gate. */
static inline void gate_wait_for(gate_t *g, int n)
{
    pthread_mutex_lock(&g->lock);
    while (g->waiting < n) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static inline int gate_max(gate_t *g)
{
    pthread_mutex_lock(&g->lock);
    int n = g->max_waiting;
    pthread_mutex_unlock(&g->lock);
    return n;
}

static inline void gate_open(gate_t *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static inline void gate_destroy(gate_t *g)
{
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->cond);
}

#endif /* TIDE_TEST_GATE_H */
