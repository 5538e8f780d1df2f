/* A file read stream's events in Node's order: 'open' (with the fd) and
 * 'ready' once the open completes, the chunks of highWaterMark bytes, then
 * 'end' and, once the fd is closed, 'close'. bytesRead counts what came. */
#include <string.h>

#include "../stream_case.h"

static char file[128];

static int on_open(tide_emitter_t *em, tide_event_t ev, void *fd, void *data)
{
    printf("open %s\n", *(const int *)fd >= 0 ? "number" : "?");
    return 0;
}

static int on_data(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_chunk_t *c = arg;
    printf("data \"");
    for (size_t i = 0; i < c->len; i++) {
        char ch = ((const char *)c->base)[i];
        if (ch == '\n') printf("\\n");
        else putchar(ch);
    }
    printf("\"\n");
    return 0;
}

static int on_end(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("end %llu\n", (unsigned long long)tide_fs_stream_bytes(tide_stream_of(em)));
    return 0;
}

static int on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("close\n");
    unlink(file);
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    snprintf(file, sizeof file, "/tmp/tide-case-read-%d.txt", (int)getpid());
    FILE *f = fopen(file, "w");
    fputs("hello world\n", f);
    fclose(f);
    tide_fs_stream_opts_t o = {.hwm = 4};
    tide_stream_t *r;
    MUST(tide_fs_read_stream_new(loop, file, &o, &r));
    MUST(tide_stream_on(r, tide_event("open"), on_open, NULL));
    MUST(tide_stream_on(r, tide_event("ready"), say, "ready"));
    MUST(tide_stream_on(r, TIDE_EVENT_DATA, on_data, NULL));
    MUST(tide_stream_on(r, TIDE_EVENT_END, on_end, NULL));
    MUST(tide_stream_on(r, TIDE_EVENT_CLOSE, on_close, NULL));
    tide_stream_release(r);
    MUST(tide_next_tick(loop, print, "tick"));
    printf("main done\n");
    return case_finish(loop);
}
