/* io/process_stdio.c - a child's stdio: which parent fd becomes each child
 * fd, and the pipes whose parent ends are tide streams (fd streams from
 * tide/net.h). fd 0-2 get real pipes (stdin one way, stdout and stderr the
 * other), extra fds a socketpair, since either side may read or write. */
#include <string.h>
#include <unistd.h>

#include "io/process_internal.h"
#include "tide/net.h"

void tide__stdio_close_fds(int fds[TIDE_STDIO_MAX], int count)
{
    for (int i = 0; i < count; i++) {
        if (fds[i] >= 0) tide__sys.close(fds[i]);
        fds[i] = -1;
    }
}

/* Fill plan->src (the fd each child fd is made from) and parent_fds (the
 * parent's end of each pipe, -1 elsewhere). Pipe ends the child gets are
 * in plan->src where parent_fds is not -1; spawn closes them after fork. */
int tide__stdio_prepare(const tide_process_opts_t *opts, tide__child_plan_t *plan,
                        int parent_fds[TIDE_STDIO_MAX])
{
    static const tide_stdio_t three_pipes[3] = {{TIDE_STDIO_PIPE, -1}, {TIDE_STDIO_PIPE, -1},
                                                {TIDE_STDIO_PIPE, -1}};
    const tide_stdio_t *stdio = opts->stdio ? opts->stdio : three_pipes;
    int count = opts->stdio ? opts->stdio_count : 3;
    plan->count = count;
    for (int i = 0; i < TIDE_STDIO_MAX; i++) plan->src[i] = parent_fds[i] = -1;
    for (int i = 0; i < count; i++) {
        switch (stdio[i].kind) {
        case TIDE_STDIO_IGNORE: break;
        case TIDE_STDIO_INHERIT: plan->src[i] = i; break;
        case TIDE_STDIO_FD: plan->src[i] = stdio[i].fd; break;
        case TIDE_STDIO_PIPE: {
            int fds[2];
            int err = tide_pipe_pair(fds, i > 2 ? TIDE_PIPE_DUPLEX : 0);
            if (err) {
                for (int j = 0; j < i; j++)
                    if (parent_fds[j] >= 0) tide__sys.close(plan->src[j]);
                tide__stdio_close_fds(parent_fds, i);
                return err;
            }
            int child_end = i == 0 ? 0 : 1; /* stdin: the child reads */
            plan->src[i] = fds[child_end];
            parent_fds[i] = fds[1 - child_end];
            break;
        }
        }
    }
    return 0;
}

/* An output pipe closed: one of the closes 'close' waits for. */
static int on_stdio_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_process_t *p = data;
    tide_stream_t *s = tide_stream_of(em);
    for (int i = 1; i < p->stdio_count; i++)
        if (p->stdio[i] == s) {
            tide__process_maybe_close(p);
            break;
        }
    return 0;
}

/* An extra fd is a socketpair both ways; like Node's child sockets it is
 * not half-open: once the child's side ended, ours ends too, so the
 * stream can close (and with it, the process). */
static int on_duplex_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    tide_stream_t *s = tide_stream_of(em);
    if (!tide_stream_writable_ended(s)) tide_stream_end(s, NULL, NULL, NULL);
    return 0;
}

/* Wrap the parent's ends as streams; the fds belong to the streams from
 * here on (parent_fds[i] turns -1 as each is taken). */
int tide__stdio_open(tide_process_t *p, int parent_fds[TIDE_STDIO_MAX])
{
    p->closes_needed = 1; /* the exit */
    for (int i = 0; i < p->stdio_count; i++) {
        if (parent_fds[i] < 0) continue;
        tide_stream_t *s;
        int err = tide_pipe_open(p->loop, parent_fds[i], 0, &s);
        if (err) return err;
        parent_fds[i] = -1;
        p->stdio[i] = s;
        if (i == 0) continue;
        err = tide_stream_once(s, TIDE_EVENT_CLOSE, on_stdio_close, p);
        if (!err && i > 2) err = tide_stream_once(s, TIDE_EVENT_END, on_duplex_end, NULL);
        if (err) return err;
        p->closes_needed++;
    }
    return 0;
}

/* The process lets go of its streams: no more close counting, and the
 * streams are destroyed (their fds closed) and released. */
void tide__stdio_detach(tide_process_t *p)
{
    for (int i = 0; i < p->stdio_count; i++) {
        tide_stream_t *s = p->stdio[i];
        if (!s) continue;
        p->stdio[i] = NULL;
        if (i > 0) tide_stream_off(s, TIDE_EVENT_CLOSE, on_stdio_close, p);
        tide_stream_destroy(s, NULL);
        tide_stream_release(s);
    }
}
