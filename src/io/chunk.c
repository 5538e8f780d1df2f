/* io/chunk.c - chunks: reference-counted views of bytes (or objects) that
 * streams pass along without copying. The record comes from the loop's
 * pool; the bytes belong to whoever made the chunk, and are given back
 * through its release call when the last view goes. */
#include <string.h>

#include "io/stream_internal.h"

/* A slice's parent may be a slice's parent too: walk up iteratively, so a
 * long chain of views cannot overflow the stack. */
void tide__chunk_free(tide__chunk_t *c)
{
    while (c) {
        tide__chunk_t *parent = NULL;
        switch (c->kind) {
        case TIDE__CHUNK_OWNED:
            if (c->u.release) c->u.release(c->pub.base, c->release_data);
            break;
        case TIDE__CHUNK_COPY:
            tide__free(c->pub.base);
            break;
        case TIDE__CHUNK_SLICE:
            parent = c->u.parent;
            break;
        default: /* borrowed: the writer's callback says it is free */
            break;
        }
        tide__streams_t *st = c->loop->slots[TIDE__SLOT_STREAMS].state;
        st->live_chunks--;
        tide__pool_put(&st->chunks, c);
        c = (parent && --parent->refs == 0) ? parent : NULL;
    }
}

static tide__chunk_t *copy_of(tide_loop_t *loop, const void *base, size_t len, uint8_t flags)
{
    /* malloc(0) may return NULL: keep at least one byte. */
    void *bytes = tide__malloc(len ? len : 1);
    if (!bytes) return NULL;
    if (len) memcpy(bytes, base, len);
    tide__chunk_t *c = tide__chunk_make(loop, bytes, len, TIDE__CHUNK_COPY, NULL, NULL);
    if (!c) {
        tide__free(bytes);
        return NULL;
    }
    c->flags = flags;
    return c;
}

tide__chunk_t *tide__chunk_copy_borrowed(tide__chunk_t *c)
{
    return copy_of(c->loop, c->pub.base, c->pub.len, c->flags);
}

int tide_chunk_new(tide_loop_t *loop, void *base, size_t len, tide_release_fn release,
                   void *release_data, const tide_chunk_t **out)
{
    if (!loop || !out || (!base && len)) return -EINVAL;
    tide__chunk_t *c = tide__chunk_make(loop, base, len, TIDE__CHUNK_OWNED, release, release_data);
    if (!c) return -ENOMEM;
    *out = &c->pub;
    return 0;
}

int tide_chunk_copy(tide_loop_t *loop, const void *base, size_t len, const tide_chunk_t **out)
{
    if (!loop || !out || (!base && len)) return -EINVAL;
    tide__chunk_t *c = copy_of(loop, base, len, 0);
    if (!c) return -ENOMEM;
    *out = &c->pub;
    return 0;
}

int tide_chunk_slice(const tide_chunk_t *chunk, size_t off, size_t len, const tide_chunk_t **out)
{
    if (!chunk || !out || off > chunk->len || len > chunk->len - off) return -EINVAL;
    tide__chunk_t *parent = tide__chunk_keep(tide__chunk(chunk));
    if (!parent) return -ENOMEM;
    tide__chunk_t *c = tide__chunk_make(parent->loop, (char *)parent->pub.base + off, len,
                                        TIDE__CHUNK_SLICE, NULL, NULL);
    if (!c) {
        tide__chunk_unref(parent);
        return -ENOMEM;
    }
    c->u.parent = parent;
    c->flags = parent->flags;
    *out = &c->pub;
    return 0;
}

const tide_chunk_t *tide_chunk_hold(const tide_chunk_t *chunk)
{
    if (!chunk) return NULL;
    tide__chunk_t *c = tide__chunk_keep(tide__chunk(chunk));
    return c ? &c->pub : NULL;
}

void tide_chunk_release(const tide_chunk_t *chunk)
{
    if (chunk) tide__chunk_unref(tide__chunk(chunk));
}
