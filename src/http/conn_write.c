/* http/conn_write.c - a connection's output: responses are formatted into
 * one buffer (a pooled block, grown only for big responses) and written
 * with one write per flush; while a read is parsed the flush waits for its
 * end, so every response to a pipelined batch leaves in one write. Then a
 * file being sent with sendfile. Write callbacks run once their bytes
 * reached the kernel. */
#include <string.h>
#include <sys/sendfile.h>

#include "http/http_internal.h"

static char *block_get(tide__http_loop_t *hl)
{
    void *b = hl->free_out;
    if (TIDE__LIKELY(b != NULL)) {
        hl->free_out = *(void **)b;
        hl->nfree_out--;
        return b;
    }
    return tide__malloc(TIDE__HTTP_OUT_BLOCK);
}

void tide__http_out_release(tide__http_conn_t *c)
{
    if (!c->out) return;
    tide__http_loop_t *hl = c->srv->hl;
    if (c->out_cap == TIDE__HTTP_OUT_BLOCK && hl->nfree_out < TIDE__HTTP_OUT_SPARE) {
        *(void **)c->out = hl->free_out;
        hl->free_out = c->out;
        hl->nfree_out++;
    } else {
        tide__free(c->out);
    }
    c->out = NULL;
    c->out_off = c->out_len = c->out_cap = 0;
}

char *tide__http_out_reserve(tide__http_conn_t *c, size_t n)
{
    if (TIDE__LIKELY(c->out && c->out_cap - c->out_len >= n)) return c->out + c->out_len;
    if (!c->out) {
        if (n <= TIDE__HTTP_OUT_BLOCK) {
            c->out = block_get(c->srv->hl);
            if (!c->out) return NULL;
            c->out_cap = TIDE__HTTP_OUT_BLOCK;
            return c->out;
        }
    } else if (c->out_off) {
        /* slide what is left to the front first */
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
        if (c->out_cap - c->out_len >= n) return c->out + c->out_len;
    }
    size_t want = (size_t)c->out_len + n;
    if (want > UINT32_MAX) return NULL;
    size_t cap = c->out_cap ? c->out_cap : TIDE__HTTP_OUT_BLOCK;
    while (cap < want) cap = cap * 2 > UINT32_MAX ? UINT32_MAX : cap * 2;
    char *p;
    if (c->out && c->out_cap == TIDE__HTTP_OUT_BLOCK) {
        /* a pooled block is not realloc'd: copy into a bigger one */
        p = tide__malloc(cap);
        if (!p) return NULL;
        memcpy(p, c->out, c->out_len);
        uint32_t len = c->out_len;
        tide__http_out_release(c);
        c->out_len = len;
    } else {
        p = tide__realloc(c->out, cap);
        if (!p) return NULL;
    }
    c->out = p;
    c->out_cap = (uint32_t)cap;
    return c->out + c->out_len;
}

int tide__http_out_append(tide__http_conn_t *c, const void *p, size_t n)
{
    char *dst = tide__http_out_reserve(c, n);
    if (!dst) return -ENOMEM;
    memcpy(dst, p, n);
    tide__http_out_commit(c, n);
    return 0;
}

tide__http_conn_ext_t *tide__http_conn_ext(tide__http_conn_t *c)
{
    if (!c->ext) {
        c->ext = tide__calloc(1, sizeof *c->ext);
        if (c->ext) c->ext->file_fd = -1;
    }
    return c->ext;
}

void tide__http_conn_ext_trim(tide__http_conn_t *c)
{
    tide__http_conn_ext_t *x = c->ext;
    if (!x || x->file_fd >= 0 || x->wcb_head != x->wcb_tail || (c->flags & C_CB_QUEUED)) return;
    tide__free(x->wcbs);
    tide__free(x);
    c->ext = NULL;
}

/* The file after the buffered bytes; 1 when it is all sent. */
static int send_file_part(tide__http_conn_t *c)
{
    tide__http_conn_ext_t *x = c->ext;
    while (x->file_left) {
        off_t off = (off_t)x->file_off;
        size_t n = x->file_left > (1u << 30) ? (1u << 30) : (size_t)x->file_left;
        ssize_t r = tide__sys.sendfile(c->io.fd, x->file_fd, &off, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            return -errno;
        }
        if (r == 0) return TIDE_ERR_HTTP_CONTENT_LENGTH_MISMATCH; /* the file is shorter */
        x->file_off += (uint64_t)r;
        x->file_left -= (uint64_t)r;
        c->sent += (uint64_t)r;
    }
    tide__net_close_fd(x->file_fd);
    x->file_fd = -1;
    tide__http_conn_ext_trim(c);
    return 1;
}

int tide__http_flush(tide__http_conn_t *c)
{
    if (c->flags & C_CLOSED) return -EPIPE;
    while (c->out_off < c->out_len) {
        ssize_t n = tide__sys.write(c->io.fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            int err = -errno;
            tide__http_conn_close(c);
            return err;
        }
        c->out_off += (uint32_t)n;
        c->sent += (uint64_t)n;
        c->flags |= C_WROTE;
    }
    if (c->out_off == c->out_len && c->out) tide__http_out_release(c);
    if (!c->out && c->ext && c->ext->file_fd >= 0) {
        int r = send_file_part(c);
        if (r < 0) {
            tide__http_conn_close(c);
            return r;
        }
        if (r == 1 && c->cur && (c->cur->res.flags & RES_FILE)) {
            c->cur->res.flags = (c->cur->res.flags & ~RES_FILE) | RES_DONE;
            tide__http_exchange_check(c->cur);
            if (c->flags & C_CLOSED) return -EPIPE;
        }
    }
    if (tide__http_has_wcbs(c) && !(c->flags & C_CB_QUEUED)) {
        tide__http_conn_ext_t *x = c->ext;
        if (x->wcbs[x->wcb_head & (x->wcb_cap - 1)].mark <= c->sent) tide__http_wcbs_run(c);
    }
    if (!tide__http_out_pending(c) && (c->flags & C_CLOSE_AFTER) && !(c->flags & C_IN_PROCESS)) {
        tide__http_conn_close(c);
        return 0;
    }
    tide__http_conn_watch(c);
    return 0;
}

int tide__http_flush_soon(tide__http_conn_t *c)
{
    if (c->flags & C_IN_PROCESS) return 0;
    return tide__http_flush(c);
}

/* Everything went out: the response's drain, a paused parse, a close. */
void tide__http_writable(tide__http_conn_t *c)
{
    if (c->flags & C_CLOSED) return;
    if (c->flags & C_CLOSE_AFTER) {
        tide__http_conn_close(c);
        return;
    }
    if (c->flags & C_WAIT_OUT) {
        c->flags &= ~C_WAIT_OUT;
        tide__http_conn_resume_soon(c);
    }
    if (c->cur && (c->cur->res.flags & RES_NEED_DRAIN)) tide__http_res_drained(&c->cur->res);
}

/* ---- write callbacks ------------------------------------------------------ */

int tide__http_wcb_push(tide__http_conn_t *c, tide_stream_cb cb, void *data, tide_stream_t *stream)
{
    tide__http_conn_ext_t *x = tide__http_conn_ext(c);
    if (!x) return -ENOMEM;
    if (x->wcb_tail - x->wcb_head == x->wcb_cap) {
        uint32_t cap = x->wcb_cap ? x->wcb_cap * 2 : 8;
        tide__http_wcb_t *w = tide__malloc(sizeof *w * cap);
        if (!w) return -ENOMEM;
        for (uint32_t i = 0; i < x->wcb_tail - x->wcb_head; i++)
            w[i] = x->wcbs[(x->wcb_head + i) & (x->wcb_cap - 1)];
        x->wcb_tail -= x->wcb_head;
        x->wcb_head = 0;
        tide__free(x->wcbs);
        x->wcbs = w;
        x->wcb_cap = cap;
    }
    tide__http_wcb_t *w = &x->wcbs[x->wcb_tail++ & (x->wcb_cap - 1)];
    w->mark = c->queued;
    w->cb = cb;
    w->data = data;
    w->stream = stream;
    if (stream) tide_stream_ref(stream);
    return 0;
}

static void wcbs_tick(tide_loop_t *loop, void *data)
{
    tide__http_conn_t *c = data;
    c->flags &= ~C_CB_QUEUED;
    int closed = (c->flags & C_CLOSED) != 0;
    while (tide__http_has_wcbs(c)) {
        tide__http_conn_ext_t *x = c->ext;
        tide__http_wcb_t w = x->wcbs[x->wcb_head & (x->wcb_cap - 1)];
        if (!closed && w.mark > c->sent) break;
        x->wcb_head++;
        tide_error_t *err = closed && w.mark > c->sent ? tide_error_new(-EPIPE, NULL) : NULL;
        if (w.stream) {
            tide_stream_write_done(w.stream, err);
            tide_stream_release(w.stream);
        } else {
            if (w.cb) w.cb(NULL, err, w.data);
            tide_error_release(err);
        }
        closed = (c->flags & C_CLOSED) != 0;
    }
    tide__http_conn_ext_trim(c);
    tide__http_conn_unref(c);
}

void tide__http_wcbs_run(tide__http_conn_t *c)
{
    if (!tide__http_has_wcbs(c) || (c->flags & C_CB_QUEUED)) return;
    if (tide_next_tick(c->srv->loop, wcbs_tick, c) < 0) return;
    c->flags |= C_CB_QUEUED;
    c->refs++;
}
