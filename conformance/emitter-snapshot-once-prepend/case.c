/* E1-E4: emit runs over a snapshot taken when it starts: a listener
 * removed during the emit still runs in it, one added does not. once
 * removes itself before its call, so a nested emit cannot call it again;
 * prepend and prepend_once put listeners first; off removes the most
 * recently added matching registration. */
#include "../case.h"

static tide_event_t X, Y, Z;
static tide_emitter_t e, f, g;
static int nested;

static int say(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    printf("%s\n", (const char *)text);
    return 0;
}

static int a(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("a\n");
    tide_off(em, X, say, "b"); /* -ENOENT the second time, as off is a no-op in Node */
    MUST(tide_on(em, X, say, "c"));
    return 0;
}

static int on_y(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    printf("on\n");
    if (!nested) {
        nested = 1;
        printf("-- nested emit\n");
        MUST(tide_emit(em, Y, NULL));
        printf("-- nested emit done\n");
    }
    return 0;
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    X = tide_event("x");
    Y = tide_event("y");
    Z = tide_event("z");
    tide_emitter_init(&e, loop);
    MUST(tide_on(&e, X, a, NULL));
    MUST(tide_on(&e, X, say, "b"));
    printf("-- first emit\n");
    MUST(tide_emit(&e, X, NULL));
    printf("-- second emit\n");
    MUST(tide_emit(&e, X, NULL));
    printf("count %zu\n", tide_listener_count(&e, X));

    tide_emitter_init(&f, loop);
    MUST(tide_once(&f, Y, say, "once"));
    MUST(tide_prepend(&f, Y, say, "prepended"));
    MUST(tide_prepend_once(&f, Y, say, "prepended once"));
    MUST(tide_on(&f, Y, on_y, NULL));
    printf("-- emit y\n");
    MUST(tide_emit(&f, Y, NULL));
    printf("-- emit y again\n");
    MUST(tide_emit(&f, Y, NULL));
    printf("count %zu\n", tide_listener_count(&f, Y));

    tide_emitter_init(&g, loop);
    MUST(tide_on(&g, Z, say, "d"));
    MUST(tide_on(&g, Z, say, "c"));
    MUST(tide_on(&g, Z, say, "d"));
    MUST(tide_off(&g, Z, say, "d"));
    printf("-- after off d\n");
    MUST(tide_emit(&g, Z, NULL));

    int status = case_finish(loop);
    tide_emitter_destroy(&e);
    tide_emitter_destroy(&f);
    tide_emitter_destroy(&g);
    return status;
}
