/* L4(a): after an I/O callback, an immediate always runs before a 0 ms
 * timeout, even when the timer was created first; the callback's own ticks
 * and microtasks come before both (L2). fs.readFile's callback becomes a
 * tide_poll_t watcher on a pipe holding one byte (a poll-phase callback). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <tide.h>

#include "../case.h"

static int fds[2];

static void on_io(tide_poll_t *watcher, int status, int events, void *data)
{
    tide_loop_t *loop = tide_handle_loop(TIDE_HANDLE(watcher));
    char byte;
    if (read(fds[0], &byte, 1) != 1) exit(3);
    MUST(tide_close(TIDE_HANDLE(watcher), NULL));

    printf("io callback\n");
    MUST(tide_set_timeout(loop, print, "timeout 0", 0));
    MUST(tide_set_immediate(loop, print, "immediate"));
    MUST(tide_queue_microtask(loop, print, "microtask"));
    MUST(tide_next_tick(loop, print, "tick"));
}

int main(void)
{
    tide_poll_t *watcher;
    tide_loop_t *loop;
    loop = case_loop();
    if (pipe(fds) != 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0 || write(fds[1], "x", 1) != 1) {
        perror("pipe");
        return 2;
    }

    /* fs.readFile(__filename, on_io) */
    MUST(tide_poll_new(loop, fds[0], &watcher));
    MUST(tide_poll_start(watcher, TIDE_READABLE, on_io, NULL));

    MUST(tide_run(loop, TIDE_RUN_DEFAULT));
    close(fds[0]);
    close(fds[1]);
    MUST(tide_loop_close(loop));
    return 0;
}
