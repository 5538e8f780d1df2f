/* tests/io/test_chunk.c - chunks: reference counts, the owner's release
 * at the last view, slices keeping their parent, copies of borrowed bytes
 * when held, bad arguments and allocation failures. */
#include "stream_test.h"
#include "test_alloc.h"

static int released;
static void count_release(void *base, void *data)
{
    ASSERT(base == data);
    released++;
}

static void test_refs_and_release(void)
{
    tide_loop_t *loop = stream_loop();
    static char bytes[] = "hello world";
    const tide_chunk_t *c, *held, *a, *b, *bb;
    released = 0;
    ASSERT_OK(tide_chunk_new(loop, bytes, 11, count_release, bytes, &c));
    ASSERT(c->base == bytes && c->len == 11);
    held = tide_chunk_hold(c);
    ASSERT(held == c); /* owned bytes: the same chunk, one more reference */
    tide_chunk_release(c);
    ASSERT_EQ(released, 0);
    ASSERT_OK(tide_chunk_slice(held, 6, 5, &a));
    ASSERT_OK(tide_chunk_slice(held, 0, 5, &b));
    ASSERT_OK(tide_chunk_slice(b, 1, 3, &bb)); /* a view of a view */
    ASSERT(memcmp(a->base, "world", 5) == 0);
    ASSERT(memcmp(bb->base, "ell", 3) == 0);
    tide_chunk_release(held);
    tide_chunk_release(a);
    tide_chunk_release(b);
    ASSERT_EQ(released, 0); /* bb still sees the bytes */
    tide_chunk_release(bb);
    ASSERT_EQ(released, 1);
    check_clean(loop);
}

static void test_copy_and_bad_args(void)
{
    tide_loop_t *loop = stream_loop();
    char bytes[4] = "abc";
    const tide_chunk_t *c, *s;
    ASSERT_OK(tide_chunk_copy(loop, bytes, 3, &c));
    bytes[0] = 'x';
    ASSERT(memcmp(c->base, "abc", 3) == 0);
    ASSERT_EQ(tide_chunk_slice(c, 2, 2, &s), -EINVAL);
    ASSERT_EQ(tide_chunk_slice(c, 4, 0, &s), -EINVAL);
    ASSERT_OK(tide_chunk_slice(c, 3, 0, &s)); /* an empty view at the end */
    ASSERT_EQ(s->len, 0);
    tide_chunk_release(s);
    ASSERT_EQ(tide_chunk_new(NULL, bytes, 3, NULL, NULL, &c), -EINVAL);
    ASSERT_EQ(tide_chunk_new(loop, NULL, 3, NULL, NULL, &s), -EINVAL);
    ASSERT_EQ(tide_chunk_copy(loop, NULL, 1, &s), -EINVAL);
    ASSERT(tide_chunk_hold(NULL) == NULL);
    tide_chunk_release(NULL);
    const tide_chunk_t *empty;
    ASSERT_OK(tide_chunk_copy(loop, NULL, 0, &empty));
    ASSERT_EQ(empty->len, 0);
    tide_chunk_release(empty);
    tide_chunk_release(c);
    check_clean(loop);
}

/* A transform that keeps its borrowed input must get a copy: the writer
 * may reuse its buffer as soon as the write's callback ran. */
static const tide_chunk_t *kept;
static void keep_transform(tide_stream_t *s, const tide_chunk_t *chunk, void *data)
{
    kept = tide_chunk_hold(chunk);
    ASSERT(kept != NULL);
    ASSERT(kept != chunk);
    ASSERT_OK(tide_stream_transform_done(s, NULL));
}

static void test_hold_copies_borrowed(void)
{
    tide_loop_t *loop = stream_loop();
    tide_stream_opts_t o = {0};
    tide_stream_t *t;
    char buf[8] = "borrow";
    o.transform = keep_transform;
    ASSERT_OK(tide_transform_new(loop, &o, &t));
    ASSERT_EQ(tide_stream_write(t, buf, 6, log_cb, "written"), 1);
    memset(buf, 0, sizeof buf);
    ASSERT(memcmp(kept->base, "borrow", 6) == 0);
    tide_chunk_release(kept);
    tide_stream_release(t);
    check_clean(loop);
}

static void test_oom(void)
{
    tide_loop_t *loop = stream_loop();
    const tide_chunk_t *c, *s;
    static char bytes[] = "xyz";
    ASSERT_OK(tide_chunk_new(loop, bytes, 3, NULL, NULL, &c)); /* pools exist */
    tide_chunk_release(c);
    /* Use the whole free list so the next record needs a new pool chunk. */
    const tide_chunk_t *many[64];
    for (int i = 0; i < 64; i++) ASSERT_OK(tide_chunk_new(loop, bytes, 3, NULL, NULL, &many[i]));
    alloc_budget = 0;
    int failed = 0;
    const tide_chunk_t *more[4096];
    int n = 0;
    while (n < 4096 && tide_chunk_new(loop, bytes, 3, NULL, NULL, &more[n]) == 0) n++;
    failed = n < 4096;
    ASSERT(failed);
    ASSERT_EQ(tide_chunk_copy(loop, bytes, 3, &s), -ENOMEM);
    alloc_budget = -1;
    for (int i = 0; i < n; i++) tide_chunk_release(more[i]);
    for (int i = 0; i < 64; i++) tide_chunk_release(many[i]);
    check_clean(loop);
}

int main(void)
{
    counting_alloc_install();
    test_refs_and_release();
    test_copy_and_bad_args();
    test_hold_copies_borrowed();
    test_oom();
    printf("test_chunk: ok\n");
    return 0;
}
