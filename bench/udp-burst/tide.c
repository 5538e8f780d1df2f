/* udp-burst, tide: one process, two UDP sockets on 127.0.0.1. The sender
 * sends a burst of 64 datagrams of 64 bytes; when the receiver has all of
 * them it sends the next burst, until N datagrams (default 1 million)
 * went through. Each send goes out at once (sendmsg), each readiness event
 * of the receiver reads up to 16 per recvmmsg into the loop's shared
 * slots. Reported as datagrams per second through the pair. */
#include <tide.h>

#include "../common/bench.h"

enum { BURST = 64, SIZE = 64 };

static tide_udp_t *tx, *rx;
static struct sockaddr_storage to;
static uint64_t total, sent, got, in_burst;
static char payload[SIZE];

static void send_burst(void)
{
    for (int i = 0; i < BURST && sent < total; i++, sent++)
        if (tide_udp_send(tx, payload, SIZE, (struct sockaddr *)&to, NULL, NULL) != 0) abort();
}

static void on_message(tide_udp_t *u, int status, const tide_udp_message_t *m, void *data)
{
    (void)u, (void)data;
    bench_check(status == 0 && m->len == SIZE, "a datagram failed or changed");
    got++;
    if (++in_burst == BURST || got == total) {
        in_burst = 0;
        if (sent < total) {
            send_burst();
        } else {
            tide_close(TIDE_HANDLE(tx), NULL);
            tide_close(TIDE_HANDLE(rx), NULL);
        }
    }
}

int main(void)
{
    total = bench_env("BENCH_DATAGRAMS", 1000000);
    tide_loop_t *loop;
    if (tide_loop_new(&loop) != 0) return 2;
    if (tide_udp_new(loop, AF_INET, 0, &tx) || tide_udp_new(loop, AF_INET, 0, &rx) ||
        tide_udp_bind(rx, "127.0.0.1", 0, 0) || tide_udp_set_recv_buffer_size(rx, 4 << 20) ||
        tide_udp_local_address(rx, &to, NULL) || tide_udp_recv_start(rx, on_message, NULL))
        return 2;
    uint64_t t0 = bench_wall_ns();
    send_burst();
    tide_run(loop, TIDE_RUN_DEFAULT);
    uint64_t t1 = bench_wall_ns();
    bench_check(got == total, "datagrams were lost");
    bench_result("udp-burst", "tide", (double)total / ((double)(t1 - t0) / 1e9), "ops/s");
    return tide_loop_close(loop) == 0 ? 0 : 2;
}
