/* Seed 000 Q19 / L4(a): inside an I/O callback (poll phase), an immediate
 * (check phase, same iteration) always runs before a 0 ms timeout (timers
 * phase, next iteration), whatever the order they were scheduled in.
 * fs.readFile's callback becomes a tide_poll_t watcher on a pipe holding
 * one byte: both are I/O callbacks from the poll phase. */
#include "../case.h"

static void on_timeout(tide_loop_t *loop, void *data) { printf("timeout\n"); }
static void on_immediate(tide_loop_t *loop, void *data) { printf("immediate\n"); }

static void on_io(tide_loop_t *loop)
{
    printf("io callback\n");
    MUST(tide_set_timeout(loop, on_timeout, NULL, 0));
    MUST(tide_set_immediate(loop, on_immediate, NULL));
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    case_read_file(loop, on_io); /* fs.readFile(__filename, on_io) */
    return case_finish(loop);
}
