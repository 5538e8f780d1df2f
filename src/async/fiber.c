/* async/fiber.c - stackful coroutines (tide/fiber.h): creating a fiber on
 * a pooled stack, resume and yield around the assembly switch, the chain
 * of resumers that lets fibers nest, and the loop's fiber state.
 *
 * Resume and yield are the hot path: no system call, no lock, no
 * allocation; a few stores around one tide__switch (plus the sanitizer
 * calls when a sanitizer is built in). */
#include <assert.h>
#include <stdlib.h>

#include "async/fiber_internal.h"
#include "async/switch.h"

__thread tide_fiber_t *tide__fiber_running __attribute__((tls_model("initial-exec")));

/* Where the thread's own stack pointer is parked while a fiber it resumed
 * runs. Fibers resumed by fibers park in the resumer's sp instead. */
static __thread void *thread_sp __attribute__((tls_model("initial-exec")));

/* A loop's fibers, in loop->slots[TIDE__SLOT_FIBERS]. */
typedef struct {
    tide__stacks_t stacks;
    tide__pool_t fibers; /* tide_fiber_t objects */
    tide__queue_t live;  /* every fiber not yet freed */
    size_t default_size;
    uint64_t live_count;
    uint64_t created;
} fibers_t;

/* ---- sanitizer hooks around a switch ----------------------------------- */

/* ASan keeps one notion of "the current stack" per thread; each switch is
 * announced (start) and confirmed on arrival (finish). A fiber learns the
 * bounds of its resumer's stack on arrival, which is how it can switch back
 * to a thread stack it never knew. TSan has one fiber object per stack.
 * With either built in, resume and yield do work after the switch, so they
 * cannot tail-call it; they are slower, and that is fine. */
#if defined(TIDE__ASAN) || defined(TIDE__TSAN)
#define TIDE__SAN_SWITCH 1
#endif

static inline void san_resume_start(tide_fiber_t *f, void **fake)
{
#ifdef TIDE__ASAN
    __sanitizer_start_switch_fiber(fake, f->stack->lo, f->stack->size);
#else
    (void)fake;
#endif
#ifdef TIDE__TSAN
    f->tsan_from = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(f->tsan_fiber, 0);
#else
    (void)f;
#endif
}

static inline void san_resume_back(void *fake)
{
#ifdef TIDE__ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    (void)fake;
#endif
}

/* On the fiber's stack, right after it was switched to. */
static inline void san_arrived(tide_fiber_t *f)
{
#ifdef TIDE__ASAN
    __sanitizer_finish_switch_fiber(f->asan_fake_stack, &f->asan_from_lo, &f->asan_from_size);
#else
    (void)f;
#endif
}

/* Leaving the fiber's stack for its resumer; `for_good` when it finished,
 * so ASan drops its use-after-return frames instead of parking them. */
static inline void san_leave(tide_fiber_t *f, int for_good)
{
#ifdef TIDE__ASAN
    __sanitizer_start_switch_fiber(for_good ? NULL : &f->asan_fake_stack, f->asan_from_lo,
                                   f->asan_from_size);
#else
    (void)for_good;
#endif
#ifdef TIDE__TSAN
    __tsan_switch_to_fiber(f->tsan_from, 0);
#else
    (void)f;
#endif
}

/* ---- the loop's state --------------------------------------------------- */

static void release_stack(fibers_t *st, tide_fiber_t *f)
{
    /* Frames that never returned (the fiber's last ones, or all of a fiber
     * dropped mid-body) left ASan poison between the parked stack pointer
     * and the top. */
    char *top = f->stack->lo + f->stack->size;
    tide__asan_unpoison(f->sp, (size_t)(top - (char *)f->sp));
    tide__stack_put(&st->stacks, f->stack);
    f->stack = NULL;
}

static void drop_fiber(fibers_t *st, tide_fiber_t *f)
{
    if (f->stack) release_stack(st, f);
#ifdef TIDE__TSAN
    __tsan_destroy_fiber(f->tsan_fiber);
#endif
    tide__queue_remove(&f->node);
    st->live_count--;
    tide__pool_put(&st->fibers, f);
}

/* From tide_loop_close: fibers nobody freed go, suspended ones included
 * (their stacks are not unwound, as with tide_fiber_free). */
static void fibers_destroy(tide_loop_t *loop, void *state)
{
    fibers_t *st = state;
    while (!tide__queue_empty(&st->live)) {
        tide_fiber_t *f = tide__container_of(tide__queue_head(&st->live), tide_fiber_t, node);
        assert(f->state != TIDE__FIBER_RUNNING && "tide_loop_close from inside a running fiber");
        drop_fiber(st, f);
    }
    tide__stacks_destroy(&st->stacks);
    tide__pool_destroy(&st->fibers);
    tide__free(st);
    loop->slots[TIDE__SLOT_FIBERS].state = NULL;
    loop->slots[TIDE__SLOT_FIBERS].destroy = NULL;
}

static fibers_t *fibers_of(tide_loop_t *loop)
{
    tide__slot_t *slot = &loop->slots[TIDE__SLOT_FIBERS];
    if (TIDE__LIKELY(slot->state != NULL)) return slot->state;
    fibers_t *st = tide__calloc(1, sizeof *st);
    if (!st) return NULL;
    tide__pool_init(&st->fibers, sizeof(tide_fiber_t));
    tide__queue_init(&st->live);
    st->default_size = tide__stack_round(TIDE_FIBER_STACK_DEFAULT);
    slot->state = st;
    slot->destroy = fibers_destroy;
    return st;
}

/* ---- fibers -------------------------------------------------------------- */

/* The first and last frame on every fiber stack (entered through the
 * switch's trampoline). It leaves with a last switch, never by returning;
 * the stack goes back to the pool when the fiber is freed, because until
 * this switch is over it is the stack we are running on. */
static void fiber_main(void *arg)
{
    tide_fiber_t *f = arg;
    san_arrived(f);
    void *result = f->fn(f, f->first_in);
    if (f->out) *f->out = result;
    f->state = TIDE__FIBER_FINISHED;
    tide__fiber_running = f->resumer;
    san_leave(f, 1);
#ifdef TIDE__SAN_SWITCH
    /* Parks f->sp, which tells release_stack where ASan poison may be. */
    tide__switch(&f->sp, *f->resumer_sp, 1);
    abort(); /* nothing switches back to a finished fiber */
#else
    tide__switch_exit(*f->resumer_sp, 1);
#endif
}

int tide_fiber_new(tide_loop_t *loop, tide_fiber_fn fn, size_t stack_size, tide_fiber_t **out)
{
    if (!loop || !fn || !out) return -EINVAL;
    fibers_t *st = fibers_of(loop);
    if (!st) return -ENOMEM;
    size_t size = stack_size ? tide__stack_round(stack_size) : st->default_size;
    if (!size) return -ENOMEM;
    int err = tide__overflow_arm();
    if (err) return err;
    tide_fiber_t *f = tide__pool_get(&st->fibers);
    if (!f) return -ENOMEM;
    err = tide__stack_get(&st->stacks, size, &f->stack);
    if (err) {
        tide__pool_put(&st->fibers, f);
        return err;
    }
    f->sp = tide__switch_prepare(f->stack->lo + f->stack->size, fiber_main, f);
    f->resumer_sp = NULL;
    f->resumer = NULL;
    f->out = NULL;
    f->in = &f->first_in;
    f->first_in = NULL;
    f->state = TIDE__FIBER_NEW;
    f->by_job = 0;
    f->fn = fn;
    f->loop = loop;
    f->data = NULL;
#ifdef TIDE__ASAN
    f->asan_fake_stack = NULL;
    f->asan_from_lo = NULL;
    f->asan_from_size = 0;
#endif
#ifdef TIDE__TSAN
    f->tsan_fiber = __tsan_create_fiber(0);
    f->tsan_from = NULL;
#endif
    tide__queue_insert_tail(&st->live, &f->node);
    st->live_count++;
    st->created++;
    *out = f;
    return 0;
}

/* Each side does all its bookkeeping before the switch and hands values
 * over by writing them where the other side asked: resume writes the
 * parked fiber's *in, yield and the end of the body write the resumer's
 * *out. The switch then carries only the return code (0 yielded, 1
 * finished), so both calls end in a tail call to it. */
static inline int resume(tide_fiber_t *f, void *in, void **out, int by_job)
{
    if (TIDE__UNLIKELY(!f || f->state > TIDE__FIBER_SUSPENDED))
        return !f || f->state == TIDE__FIBER_FINISHED ? -EINVAL : -EBUSY;
    tide_fiber_t *self = tide__fiber_running;
    void **save = self ? &self->sp : &thread_sp;
    int fresh = f->state == TIDE__FIBER_NEW;
    f->resumer = self;
    f->resumer_sp = save;
    f->out = out;
    f->by_job = by_job;
    if (f->in) *f->in = in;
    f->state = TIDE__FIBER_RUNNING;
    tide__fiber_running = f;
#ifdef TIDE__SAN_SWITCH
    void *fake = NULL;
    san_resume_start(f, &fake);
    int code = fresh ? tide__switch_start(save, f->sp) : tide__switch(save, f->sp, 0);
    san_resume_back(fake);
    return code;
#else
    if (TIDE__UNLIKELY(fresh)) return tide__switch_start(save, f->sp);
    return tide__switch(save, f->sp, 0);
#endif
}

int tide_fiber_resume(tide_fiber_t *f, void *in, void **out) { return resume(f, in, out, 0); }

int tide__fiber_resume_job(tide_fiber_t *f, void *in) { return resume(f, in, NULL, 1); }

int tide_fiber_yield(void *out, void **in)
{
    tide_fiber_t *f = tide__fiber_running;
    if (TIDE__UNLIKELY(!f)) return -EPERM;
    if (f->out) *f->out = out;
    f->in = in;
    f->state = TIDE__FIBER_SUSPENDED;
    tide__fiber_running = f->resumer;
#ifdef TIDE__SAN_SWITCH
    san_leave(f, 0);
    int code = tide__switch(&f->sp, *f->resumer_sp, 0);
    san_arrived(f);
    return code;
#else
    return tide__switch(&f->sp, *f->resumer_sp, 0);
#endif
}

tide_fiber_t *tide_fiber_current(void) { return tide__fiber_running; }

int tide_fiber_finished(const tide_fiber_t *f) { return f->state == TIDE__FIBER_FINISHED; }

tide_loop_t *tide_fiber_loop(const tide_fiber_t *f) { return f->loop; }

void tide_fiber_set_data(tide_fiber_t *f, void *data) { f->data = data; }

void *tide_fiber_data(const tide_fiber_t *f) { return f->data; }

int tide_fiber_free(tide_fiber_t *f)
{
    if (!f) return -EINVAL;
    if (f->state == TIDE__FIBER_RUNNING) return -EBUSY;
    drop_fiber(f->loop->slots[TIDE__SLOT_FIBERS].state, f);
    return 0;
}

int tide_loop_set_fiber_stack_size(tide_loop_t *loop, size_t size)
{
    if (!loop || !size) return -EINVAL;
    size_t rounded = tide__stack_round(size);
    if (!rounded) return -EINVAL;
    fibers_t *st = fibers_of(loop);
    if (!st) return -ENOMEM;
    st->default_size = rounded;
    return 0;
}

int tide_fiber_stats(tide_loop_t *loop, tide_fiber_stats_t *stats)
{
    if (!loop || !stats) return -EINVAL;
    const fibers_t *st = loop->slots[TIDE__SLOT_FIBERS].state;
    stats->live = st ? st->live_count : 0;
    stats->stacks_pooled = st ? st->stacks.pooled : 0;
    stats->stacks_mapped = st ? st->stacks.mapped : 0;
    stats->created = st ? st->created : 0;
    return 0;
}
