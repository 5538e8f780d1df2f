/* udp-burst, libuv: the pattern of tide.c. Sends use uv_udp_try_send (the
 * synchronous path Node takes too); the receiver reads with recvmmsg
 * (UV_UDP_RECVMMSG) into one static buffer of 16 datagram-sized chunks. */
#include <stdlib.h>
#include <uv.h>

#include "../common/bench.h"

enum { BURST = 64, SIZE = 64, CHUNK = 64 * 1024, CHUNKS = 16 };

static uv_udp_t tx, rx;
static struct sockaddr_in to;
static uint64_t total, sent, got, in_burst;
static char payload[SIZE];
static char slab[CHUNK * CHUNKS];

static void send_burst(void)
{
    uv_buf_t b = uv_buf_init(payload, SIZE);
    for (int i = 0; i < BURST && sent < total; i++, sent++)
        if (uv_udp_try_send(&tx, &b, 1, (const struct sockaddr *)&to) != SIZE) abort();
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h, (void)suggested;
    *buf = uv_buf_init(slab, sizeof slab);
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
                    unsigned flags)
{
    (void)h, (void)buf, (void)flags;
    if (nread == 0 && addr == NULL) return; /* end of a batch, or nothing read */
    bench_check(nread == SIZE, "a datagram failed or changed");
    got++;
    if (++in_burst == BURST || got == total) {
        in_burst = 0;
        if (sent < total) {
            send_burst();
        } else {
            uv_close((uv_handle_t *)&tx, NULL);
            uv_close((uv_handle_t *)&rx, NULL);
        }
    }
}

int main(void)
{
    total = bench_env("BENCH_DATAGRAMS", 1000000);
    uv_loop_t *loop = uv_default_loop();
    struct sockaddr_in any;
    uv_ip4_addr("127.0.0.1", 0, &any);
    if (uv_udp_init(loop, &tx) || uv_udp_init_ex(loop, &rx, AF_INET | UV_UDP_RECVMMSG) ||
        uv_udp_bind(&rx, (const struct sockaddr *)&any, 0))
        return 2;
    int size = 4 << 20;
    uv_recv_buffer_size((uv_handle_t *)&rx, &size);
    int len = sizeof to;
    if (uv_udp_getsockname(&rx, (struct sockaddr *)&to, &len) ||
        uv_udp_recv_start(&rx, on_alloc, on_recv))
        return 2;
    uint64_t t0 = bench_wall_ns();
    send_burst();
    uv_run(loop, UV_RUN_DEFAULT);
    uint64_t t1 = bench_wall_ns();
    bench_check(got == total, "datagrams were lost");
    bench_result("udp-burst", "libuv", (double)total / ((double)(t1 - t0) / 1e9), "ops/s");
    return uv_loop_close(loop) == 0 ? 0 : 2;
}
