/* conformance/case.h - what every case.c shares: MUST() for calls that
 * cannot fail in a correct run (a failure exits with status 2 and names the
 * call, so a broken case never looks like a wrong order), print(), the
 * console.log of a string passed as callback data, its promise-handler
 * forms, and the reference chain of turns. */
#ifndef TIDE_CONFORMANCE_CASE_H
#define TIDE_CONFORMANCE_CASE_H

#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <tide.h>

#define MUST(call) case_must((call), #call)

static inline int64_t case_must(int64_t r, const char *what)
{
    if (r < 0) {
        fprintf(stderr, "%s: %s\n", what, tide_strerror((int)r));
        exit(2);
    }
    return r;
}

static inline void print(tide_loop_t *loop, void *data)
{
    (void)loop;
    printf("%s\n", (const char *)data);
}

/* The start and end every case shares: a loop, with stdout line-buffered
 * so a crash still shows how far the case got; then run it to the end and
 * close it (the exit status of main). */
static inline tide_loop_t *case_loop(void)
{
    tide_loop_t *loop;
    setvbuf(stdout, NULL, _IOLBF, 0);
    MUST(tide_loop_new(&loop));
    return loop;
}

static inline int case_finish(tide_loop_t *loop)
{
    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    MUST(tide_loop_close(loop));
    return 0;
}

/* A then handler that prints its data, a label, and the value, a string. */
static inline tide_result_t print_value(tide_loop_t *loop, void *label, void *value)
{
    (void)loop;
    printf("%s %s\n", (const char *)label, (const char *)value);
    return tide_ok(NULL);
}

/* fs.readFile(..., cb) for cases about I/O callbacks: a poll watcher on a
 * pipe that already holds one byte, so cb(loop) runs once, from the poll
 * phase, as an I/O callback does. The watcher and the pipe go away after. */
typedef void (*case_io_fn)(tide_loop_t *loop);

typedef struct {
    int fds[2];
    case_io_fn fn;
} case_io_t;

static inline void case_io_closed(tide_handle_t *handle, void *data)
{
    case_io_t *io = (case_io_t *)tide_handle_data(handle);
    (void)data;
    close(io->fds[0]);
    close(io->fds[1]);
    free(io);
}

static inline void case_io_ready(tide_poll_t *watcher, int status, int events, void *data)
{
    case_io_t *io = (case_io_t *)data;
    char byte;
    (void)status, (void)events;
    if (read(io->fds[0], &byte, 1) != 1) exit(3);
    tide_handle_set_data(TIDE_HANDLE(watcher), io);
    MUST(tide_close(TIDE_HANDLE(watcher), case_io_closed));
    io->fn(tide_handle_loop(TIDE_HANDLE(watcher)));
}

static inline void case_read_file(tide_loop_t *loop, case_io_fn fn)
{
    case_io_t *io = (case_io_t *)malloc(sizeof *io);
    tide_poll_t *watcher;
    if (!io || pipe(io->fds) != 0 || fcntl(io->fds[0], F_SETFL, O_NONBLOCK) != 0 ||
        write(io->fds[1], "x", 1) != 1) {
        perror("case_read_file");
        exit(2);
    }
    io->fn = fn;
    MUST(tide_poll_new(loop, io->fds[0], &watcher));
    MUST(tide_poll_start(watcher, TIDE_READABLE, case_io_ready, io));
}

/* A then handler that prints its data and passes the value on. */
static inline tide_result_t print_ok(tide_loop_t *loop, void *data, void *value)
{
    (void)loop;
    printf("%s\n", (const char *)data);
    return tide_ok(value);
}

/* A catch handler that prints its data and the error's message. */
static inline tide_result_t print_err(tide_loop_t *loop, void *data, tide_error_t *error)
{
    (void)loop;
    printf("%s %s\n", (const char *)data, error->message);
    return tide_ok(NULL);
}

/* The reference chain of SEMANTICS.md P2: "turn k" prints at depth k. */
static inline void turns(tide_loop_t *loop, int n)
{
    static const char *names[] = {"turn 1", "turn 2", "turn 3", "turn 4", "turn 5", "turn 6",
                                  "turn 7", "turn 8"};
    tide_promise_t *p, *next;
    MUST(tide_promise_resolved(loop, NULL, &p));
    for (int i = 0; i < n && i < 8; i++) {
        MUST(tide_promise_then(p, print_ok, NULL, (void *)names[i], &next));
        tide_promise_release(p);
        p = next;
    }
    tide_promise_release(p);
}

#endif /* TIDE_CONFORMANCE_CASE_H */
