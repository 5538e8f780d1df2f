/* I1 (FIFO), A2: immediates run in the order they were queued, and one
 * queued by an immediate goes to the back, so two chains of immediates
 * take turns, one step each per check phase. */
#include <stdio.h>
#include <stdlib.h>
#include <tide.h>

#include "../case.h"

struct chain {
    const char *name;
    int step, steps;
};

static void run(tide_loop_t *loop, void *data)
{
    struct chain *c = data;
    printf("%s step %d\n", c->name, c->step);
    if (++c->step <= c->steps) MUST(tide_set_immediate(loop, run, c));
}

static void chain(tide_loop_t *loop, struct chain *c, const char *name, int steps)
{
    c->name = name;
    c->step = 1;
    c->steps = steps;
    MUST(tide_set_immediate(loop, run, c));
}

int main(void)
{
    struct chain a, b;
    tide_loop_t *loop;
    loop = case_loop();

    chain(loop, &a, "A", 3);
    chain(loop, &b, "B", 3);

    return case_finish(loop);
}
