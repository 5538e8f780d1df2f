/* fiber-switch, glibc ucontext: what tide.c measures, with the portable C
 * calls. swapcontext saves and restores the signal mask with a system call
 * on every switch, which is why libraries that care write their own switch.
 *   fiber-switch  swapcontext into the coroutine and back, N times.
 *   fiber-spawn   M times: a 64 KiB stack from malloc (glibc keeps freed
 *                 blocks, so this is warm too), getcontext + makecontext,
 *                 swapcontext in, the body returns through uc_link, free. */
#include <stdint.h>
#include <ucontext.h>

#include "../common/bench.h"

#define STACK_SIZE (64 * 1024)

static ucontext_t main_ctx, co_ctx;
static uintptr_t value;

static void ping(void)
{
    for (;;) {
        value++;
        swapcontext(&co_ctx, &main_ctx);
    }
}

static void once(void) { value++; }

int main(void)
{
    const uint64_t n = bench_env("BENCH_SWITCHES", 10000000);
    const uint64_t m = bench_env("BENCH_SPAWNS", 1000000);
    char *stack = malloc(STACK_SIZE);
    if (!stack || getcontext(&co_ctx) != 0) return 2;
    co_ctx.uc_stack.ss_sp = stack;
    co_ctx.uc_stack.ss_size = STACK_SIZE;
    co_ctx.uc_link = &main_ctx;
    makecontext(&co_ctx, ping, 0);

    for (int i = 0; i < 1000; i++) swapcontext(&main_ctx, &co_ctx); /* warm up */
    value = 0;
    uint64_t t0 = bench_wall_ns();
    /* volatile: swapcontext returns twice, as setjmp does, so a counter
     * kept in a register across it is not safe. */
    for (volatile uint64_t i = 0; i < n; i++) swapcontext(&main_ctx, &co_ctx);
    uint64_t t1 = bench_wall_ns();
    bench_check(value == n, "coroutine did not run every pair");
    bench_result("fiber-switch", "ucontext", (double)(t1 - t0) / (double)n, "ns/op");
    free(stack);

    value = 0;
    t0 = bench_wall_ns();
    for (volatile uint64_t i = 0; i < m; i++) {
        char *s = malloc(STACK_SIZE);
        if (!s || getcontext(&co_ctx) != 0) return 2;
        co_ctx.uc_stack.ss_sp = s;
        co_ctx.uc_stack.ss_size = STACK_SIZE;
        co_ctx.uc_link = &main_ctx;
        makecontext(&co_ctx, once, 0);
        swapcontext(&main_ctx, &co_ctx);
        free(s);
    }
    t1 = bench_wall_ns();
    bench_check(value == m, "a coroutine did not run");
    bench_result("fiber-spawn", "ucontext", (double)(t1 - t0) / (double)m, "ns/op");
    return 0;
}
