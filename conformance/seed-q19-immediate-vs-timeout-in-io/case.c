/* Seed 000 Q19 / L4(a): inside an I/O callback (poll phase), an immediate
 * (check phase, same iteration) always runs before a 0 ms timeout (timers
 * phase, next iteration), whatever the order they were scheduled in.
 * fs.readFile's callback becomes a tide_poll_t watcher on a pipe holding
 * one byte: both are I/O callbacks from the poll phase. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <tide.h>

#include "../case.h"

static int fds[2];

static void on_timeout(tide_loop_t *loop, void *data) { printf("timeout\n"); }
static void on_immediate(tide_loop_t *loop, void *data) { printf("immediate\n"); }

static void on_io(tide_poll_t *watcher, int status, int events, void *data)
{
    tide_loop_t *loop = tide_handle_loop(TIDE_HANDLE(watcher));
    char byte;
    if (read(fds[0], &byte, 1) != 1) exit(3);
    MUST(tide_close(TIDE_HANDLE(watcher), NULL));

    printf("io callback\n");
    MUST(tide_set_timeout(loop, on_timeout, NULL, 0));
    MUST(tide_set_immediate(loop, on_immediate, NULL));
}

int main(void)
{
    tide_loop_t *loop;
    tide_poll_t *watcher;
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
