/* L4(c): a handle closed during the check phase gets its close callback in
 * that iteration's close phase: after the rest of the check phase (and its
 * ticks), and before the immediates queued during the check phase (I1).
 * The JS program closes a connected TCP socket; here the server and the
 * socket are tide_timer_t handles armed far in the future, which keep the
 * loop alive the way the open sockets do, and the socket's close callback
 * is the tide_close callback. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

static tide_timer_t *server, *socket_;

static void on_close(tide_handle_t *handle, void *data) { printf("close callback\n"); }
static void never(tide_timer_t *timer, void *data) { printf("never\n"); }

static void immediate3(tide_loop_t *loop, void *data)
{
    printf("immediate 3 (queued in the check phase)\n");
    MUST(tide_close(TIDE_HANDLE(server), NULL));
}

static void immediate1(tide_loop_t *loop, void *data)
{
    printf("immediate 1: close the handle\n");
    MUST(tide_close(TIDE_HANDLE(socket_), on_close));
    MUST(tide_set_immediate(loop, immediate3, NULL));
    MUST(tide_next_tick(loop, print, "tick from immediate 1"));
}

int main(void)
{
    tide_loop_t *loop;
    loop = case_loop();

    /* server.listen(...), net.connect(...) */
    MUST(tide_timer_new(loop, &server));
    MUST(tide_timer_start(server, never, 60000, 0, NULL));
    MUST(tide_timer_new(loop, &socket_));
    MUST(tide_timer_start(socket_, never, 60000, 0, NULL));
    MUST(tide_set_immediate(loop, immediate1, NULL));
    MUST(tide_set_immediate(loop, print, "immediate 2"));

    return case_finish(loop);
}
