/* L2: ticks always run before microtasks queued in the same callback, even
 * when the microtask was queued first: in the main program, a timer, an
 * immediate and an I/O callback. fs.readFile's callback becomes a
 * tide_poll_t watcher on a pipe holding one byte (a poll-phase callback). */
#include "../case.h"

static void print_microtask(tide_loop_t *loop, void *data) { printf("%s: microtask\n", (const char *)data); }
static void print_tick(tide_loop_t *loop, void *data) { printf("%s: tick\n", (const char *)data); }
static void both(tide_loop_t *loop, const char *where)
{
    MUST(tide_queue_microtask(loop, print_microtask, (void *)where));
    MUST(tide_next_tick(loop, print_tick, (void *)where));
}

static void on_io(tide_loop_t *loop) { both(loop, "io"); }

static void on_immediate(tide_loop_t *loop, void *data)
{
    both(loop, "immediate");
    case_read_file(loop, on_io); /* fs.readFile(__filename, ...) */
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

    return case_finish(loop);
}
