/* idle-loop, libuv: the loop's only referenced handle is a uv_async_t that
 * nothing sends, for BENCH_IDLE_SECONDS; see idle.h for what is measured. */
#include <uv.h>

#include "idle.h"

static void on_async(uv_async_t *a) { uv_close((uv_handle_t *)a, NULL); }

static void fire(void *a) { uv_async_send(a); }

int main(void)
{
    uv_loop_t loop;
    uv_async_t a;
    idle_bench_t b;
    if (uv_loop_init(&loop) != 0 || uv_async_init(&loop, &a, on_async) != 0) return 2;
    idle_begin(&b, fire, &a);
    uv_run(&loop, UV_RUN_DEFAULT);
    idle_end(&b, "libuv");
    uv_loop_close(&loop);
    return 0;
}
