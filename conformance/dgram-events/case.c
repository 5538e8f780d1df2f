/* conformance/dgram-events/case.c - case.js with tide's UDP sockets, in
 * event mode for 'listening', 'connect', 'message' and 'close', and with
 * callbacks for the sends. */
#include <string.h>

#include "../case.h"

static tide_loop_t *loop;
static tide_udp_t *a, *b, *c;
static int messages;
static struct sockaddr_storage b_addr;

static int on_print(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("%s\n", (const char *)data);
    return 0;
}

static void on_message(tide_udp_t *u, int status, const tide_udp_message_t *m, void *data)
{
    MUST(status);
    printf("message %.*s\n", (int)m->len, (const char *)m->data);
    if (++messages == 4) {
        /* Node's close(cb) listens for 'close' with cb */
        MUST(tide_once(tide_udp_emitter(a), TIDE_EVENT_CLOSE, on_print, "a close"));
        MUST(tide_close(TIDE_HANDLE(a), NULL));
        MUST(tide_close(TIDE_HANDLE(b), NULL));
        MUST(tide_close(TIDE_HANDLE(c), NULL));
        MUST(tide_next_tick(loop, print, "tick after close"));
        MUST(tide_set_immediate(loop, print, "immediate after close"));
    }
}

static void on_sent(tide_udp_t *u, int status, void *data)
{
    MUST(status);
    printf("sent %s null\n", (const char *)data);
}

static void tick_1(tide_loop_t *l, void *data)
{
    printf("tick 1\n");
    MUST(tide_next_tick(l, print, "tick 1.1"));
}

static int on_connect(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("c connected\n");
    MUST(tide_udp_send(c, "three", 5, NULL, on_sent, "three"));
    MUST(tide_next_tick(loop, print, "tick 3"));
    MUST(tide_udp_send(c, "four", 4, NULL, on_sent, "four"));
    return 0;
}

static void immediate(tide_loop_t *l, void *data)
{
    printf("immediate\n");
    MUST(tide_udp_local_address(b, &b_addr, NULL));
    const struct sockaddr *to = (const struct sockaddr *)&b_addr;
    MUST(tide_udp_send(a, "one", 3, to, on_sent, "one"));
    MUST(tide_next_tick(l, tick_1, NULL));
    MUST(tide_queue_microtask(l, print, "microtask"));
    MUST(tide_udp_send(a, "two", 3, to, on_sent, "two"));
    MUST(tide_next_tick(l, print, "tick 2"));
    MUST(tide_udp_connect_addr(c, to, sizeof(struct sockaddr_in)));
}

int main(void)
{
    loop = case_loop();
    MUST(tide_udp_new(loop, AF_INET, 0, &a));
    MUST(tide_udp_new(loop, AF_INET, 0, &b));
    MUST(tide_udp_new(loop, AF_INET, 0, &c));
    tide_event_t listening = tide_udp_event_listening();
    MUST(tide_on(tide_udp_emitter(b), listening, on_print, "b listening"));
    MUST(tide_on(tide_udp_emitter(a), listening, on_print, "a listening"));
    MUST(tide_on(tide_udp_emitter(b), TIDE_EVENT_CLOSE, on_print, "b close"));
    MUST(tide_on(tide_udp_emitter(c), listening, on_print, "c listening"));
    MUST(tide_on(tide_udp_emitter(c), TIDE_EVENT_CLOSE, on_print, "c close"));
    MUST(tide_on(tide_udp_emitter(c), tide_udp_event_connect(), on_connect, NULL));
    MUST(tide_udp_bind(b, "127.0.0.1", 0, 0));
    MUST(tide_udp_recv_start(b, on_message, NULL));
    MUST(tide_udp_bind(a, "127.0.0.1", 0, 0));
    MUST(tide_udp_bind(c, "127.0.0.1", 0, 0));
    MUST(tide_next_tick(loop, print, "tick"));
    MUST(tide_set_immediate(loop, immediate, NULL));
    return case_finish(loop);
}
