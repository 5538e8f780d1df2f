/* E4-E5: newListener is emitted before a listener is added (a listener
 * added from inside it ends up first), removeListener after one is
 * removed, with counts already updated; remove_all removes the last
 * registered first, removeListener's own listeners last; event_names
 * keeps the order of first registration, and a name whose last listener
 * went comes back at the end. A listener's data string stands for the
 * function's name in Node ("" for an anonymous one). */
#include <string.h>

#include "../case.h"

static tide_event_t X, Y, W;
static tide_emitter_t e;

static int say(tide_emitter_t *em, tide_event_t ev, void *arg, void *text)
{
    printf("%s\n", (const char *)text);
    return 0;
}

static int on_new(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_listener_info_t *info = arg;
    printf("newListener %s %s %zu\n", tide_event_name(info->event), (const char *)info->data,
           tide_listener_count(em, info->event));
    if (info->event == X && info->fn == say && strcmp(info->data, "second") == 0)
        MUST(tide_on(em, X, say, "first"));
    return 0;
}

static int on_remove(tide_emitter_t *em, tide_event_t ev, void *arg, void *data)
{
    const tide_listener_info_t *info = arg;
    printf("removeListener %s %s %zu\n", tide_event_name(info->event), (const char *)info->data,
           tide_listener_count(em, info->event));
    return 0;
}

static void print_names(void)
{
    tide_event_t names[8];
    size_t n = tide_event_names(&e, names, 8);
    printf("names ");
    for (size_t i = 0; i < n && i < 8; i++) printf("%s%s", i ? "," : "", tide_event_name(names[i]));
    printf("\n");
}

int main(void)
{
    tide_loop_t *loop = case_loop();
    X = tide_event("x");
    Y = tide_event("y");
    W = tide_event("w");
    tide_emitter_init(&e, loop);
    MUST(tide_on(&e, TIDE_EVENT_NEW_LISTENER, on_new, ""));
    MUST(tide_on(&e, TIDE_EVENT_REMOVE_LISTENER, on_remove, ""));
    MUST(tide_on(&e, X, say, "second"));
    MUST(tide_emit(&e, X, NULL));
    MUST(tide_on(&e, Y, say, "first"));
    MUST(tide_on(&e, W, say, "second"));
    print_names();
    MUST(tide_off(&e, X, say, "first"));
    MUST(tide_off(&e, X, say, "second"));
    MUST(tide_on(&e, X, say, "first"));
    print_names();
    MUST(tide_remove_all(&e, Y));
    printf("-- remove all\n");
    MUST(tide_remove_all(&e, TIDE_EVENT_NONE));
    print_names();
    int status = case_finish(loop);
    tide_emitter_destroy(&e);
    return status;
}
