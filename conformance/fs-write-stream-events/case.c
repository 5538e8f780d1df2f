/* A file write stream's events in Node's order: 'open' and 'ready', the
 * write's callback, 'prefinish', end()'s callback, 'finish', and 'close'
 * once the fd is closed; bytesWritten counts what was written. */
#include <string.h>

#include "../stream_case.h"

static char file[128];

static int on_open(tide_emitter_t *em, tide_event_t ev, void *fd, void *data)
{
    printf("open %s\n", *(const int *)fd >= 0 ? "number" : "?");
    return 0;
}

static int on_finish(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("finish %llu\n", (unsigned long long)tide_fs_stream_bytes(tide_stream_of(em)));
    return 0;
}

static int on_close(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    char buf[64] = {0};
    FILE *f = fopen(file, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    printf("close \"%.*s\"\n", (int)n, buf);
    unlink(file);
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    snprintf(file, sizeof file, "/tmp/tide-case-write-%d.txt", (int)getpid());
    tide_stream_t *w;
    MUST(tide_fs_write_stream_new(loop, file, NULL, &w));
    MUST(tide_stream_on(w, tide_event("open"), on_open, NULL));
    MUST(tide_stream_on(w, tide_event("ready"), say, "ready"));
    MUST(tide_stream_on(w, TIDE_EVENT_PREFINISH, say, "prefinish"));
    MUST(tide_stream_on(w, TIDE_EVENT_FINISH, on_finish, NULL));
    MUST(tide_stream_on(w, TIDE_EVENT_CLOSE, on_close, NULL));
    int ret = (int)MUST(tide_stream_write(w, "abc", 3, say_cb, "write cb"));
    printf("write returned %s\n", ret ? "true" : "false");
    const tide_chunk_t *last;
    MUST(tide_chunk_new(loop, "def", 3, NULL, NULL, &last));
    MUST(tide_stream_end(w, last, say_cb, "end cb"));
    tide_chunk_release(last);
    tide_stream_release(w);
    MUST(tide_next_tick(loop, print, "tick"));
    printf("main done\n");
    return case_finish(loop);
}
