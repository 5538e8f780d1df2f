/* L2: ticks always run before microtasks queued in the same callback, even
 * when the microtask was queued first: in the main program, a timer, an
 * immediate and an I/O callback. fs.readFile's callback becomes a
 * tide_poll_t watcher on a pipe holding one byte (a poll-phase callback). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <tide.h>

#include "../case.h"

static int fds[2] = {-1, -1};

static void print_microtask(tide_loop_t *loop, void *data) { printf("%s: microtask\n", (const char *)data); }
static void print_tick(tide_loop_t *loop, void *data) { printf("%s: tick\n", (const char *)data); }
static void both(tide_loop_t *loop, const char *where)
{
    MUST(tide_queue_microtask(loop, print_microtask, (void *)where));
    MUST(tide_next_tick(loop, print_tick, (void *)where));
}

static void on_io(tide_poll_t *watcher, int status, int events, void *data)
{
    char byte;
    if (read(fds[0], &byte, 1) != 1) exit(3);
    MUST(tide_close(TIDE_HANDLE(watcher), NULL));
    both(tide_handle_loop(TIDE_HANDLE(watcher)), "io");
}

static void read_file(tide_loop_t *loop, tide_poll_cb cb)
{
    tide_poll_t *watcher;
    if (pipe(fds) != 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0 || write(fds[1], "x", 1) != 1) {
        perror("pipe");
        exit(2);
    }
    MUST(tide_poll_new(loop, fds[0], &watcher));
    MUST(tide_poll_start(watcher, TIDE_READABLE, cb, NULL));
}

static void on_immediate(tide_loop_t *loop, void *data)
{
    both(loop, "immediate");
    read_file(loop, on_io); /* fs.readFile(__filename, ...) */
}

static void on_timeout(tide_loop_t *loop, void *data)
{
    both(loop, "timeout");
    MUST(tide_set_immediate(loop, on_immediate, NULL));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    both(loop, "main");
    MUST(tide_set_timeout(loop, on_timeout, NULL, 1));

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    close(fds[0]);
    close(fds[1]);
    MUST(tide_loop_close(loop));
    return 0;
}
