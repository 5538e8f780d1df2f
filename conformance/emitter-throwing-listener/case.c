/* E7: a listener that throws leaves emit at once: later listeners of that
 * emit are skipped, no registration changes, and the emitting code gets
 * the error. In C, a listener returning a negative code is that throw. */
#include "../case.h"

static int say(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    printf("%s\n", (const char *)text);
    return 0;
}

static int fails(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("second fails\n");
    return -EIO;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    tide_emitter_t e;
    tide_event_t x = tide_event("x");
    tide_emitter_init(&e, loop);
    MUST(tide_on(&e, x, say, "first"));
    MUST(tide_on(&e, x, fails, NULL));
    MUST(tide_on(&e, x, say, "third"));
    int r = tide_emit(&e, x, NULL);
    if (r < 0)
        printf("emit failed with %s\n", tide_err_name(r));
    else
        printf("not reached\n");
    printf("listeners %zu\n", tide_listener_count(&e, x));
    int status = case_finish(loop);
    tide_emitter_destroy(&e);
    return status;
}
