/* tests/io/net_test.h - what the socket, pipe and TTY tests share: a sink
 * that collects what a stream reads, logging listeners (stream_test.h),
 * and a fault-injection helper for the system-call table. */
#ifndef TIDE_TESTS_NET_TEST_H
#define TIDE_TESTS_NET_TEST_H

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/net_internal.h"
#include "stream_test.h"
#include "test_fd.h"

/* Collects every byte a stream emits as 'data', up to its capacity. */
typedef struct {
    char *buf;
    size_t len;
    size_t cap;
    int ended;
    int closed;
    int error; /* the 'error' event's code */
} collect_t;

static inline int collect_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    collect_t *k = data;
    const tide_chunk_t *c = arg;
    (void)em, (void)ev;
    ASSERT(k->len + c->len <= k->cap);
    memcpy(k->buf + k->len, c->base, c->len);
    k->len += c->len;
    return 0;
}

static inline int collect_event(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    collect_t *k = data;
    (void)em;
    if (ev == TIDE_EVENT_END) k->ended++;
    if (ev == TIDE_EVENT_CLOSE) k->closed++;
    if (ev == TIDE_EVENT_ERROR) k->error = ((tide_error_t *)arg)->code;
    return 0;
}

/* Read s into k (flowing), and note its end, error and close. */
static inline void collect_attach(collect_t *k, tide_stream_t *s)
{
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DATA, collect_data, k));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_END, collect_event, k));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_CLOSE, collect_event, k));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_ERROR, collect_event, k));
}

static inline void collect_init(collect_t *k, size_t cap)
{
    memset(k, 0, sizeof *k);
    k->buf = malloc(cap ? cap : 1);
    k->cap = cap;
    ASSERT(k->buf != NULL);
}

/* Bytes of a recognisable pattern. */
static inline void fill_pattern(char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) buf[i] = (char)((i * 31 + seed) & 0xff);
}

/* An echo: each chunk read is written back (the same chunk, no copy),
 * reading pauses while the writer is over its mark, and the end is
 * passed on. */
static inline int echo_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_stream_t *s = tide_stream_of(em);
    (void)ev, (void)data;
    if (tide_stream_write_chunk(s, arg, NULL, NULL) == 0) tide_stream_pause(s);
    return 0;
}

static inline int echo_drain(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)ev, (void)arg, (void)data;
    tide_stream_resume(tide_stream_of(em));
    return 0;
}

static inline int echo_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    (void)ev, (void)arg, (void)data;
    tide_stream_end(tide_stream_of(em), NULL, NULL, NULL);
    return 0;
}

static inline void echo_attach(tide_stream_t *s)
{
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DATA, echo_data, NULL));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_DRAIN, echo_drain, NULL));
    ASSERT_OK(tide_stream_on(s, TIDE_EVENT_END, echo_end, NULL));
}

/* Run the loop one iteration at a time until *flag is set (or it ends). */
static inline void run_until(tide_loop_t *loop, const int *flag)
{
    while (!*flag) {
        if (tide_run(loop, TIDE_RUN_ONCE) == 0 && !*flag) TEST_FAIL("loop ended first");
    }
}

#endif /* TIDE_TESTS_NET_TEST_H */
