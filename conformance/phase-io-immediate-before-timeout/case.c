/* L4(a): after an I/O callback, an immediate always runs before a 0 ms
 * timeout, even when the timer was created first; the callback's own ticks
 * and microtasks come before both (L2). fs.readFile's callback becomes a
 * tide_poll_t watcher on a pipe holding one byte (a poll-phase callback). */
#include "../case.h"

static void on_io(tide_loop_t *loop)
{
    printf("io callback\n");
    MUST(tide_set_timeout(loop, print, "timeout 0", 0));
    MUST(tide_set_immediate(loop, print, "immediate"));
    MUST(tide_queue_microtask(loop, print, "microtask"));
    MUST(tide_next_tick(loop, print, "tick"));
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    case_read_file(loop, on_io); /* fs.readFile(__filename, on_io) */
    return case_finish(loop);
}
