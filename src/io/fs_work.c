/* io/fs_work.c - what a worker does for each file-system operation: the
 * system calls, with their loops for short reads and writes, the copy
 * with copy_file_range and its read/write fallback, readdir and read_file.
 * Runs off the loop: touches only the request. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "io/fs_internal.h"

#define CHECK(call) ((call) < 0 ? -errno : 0)

/* Write all of buf (at off, or at the position when off < 0); EINTR and
 * short writes go round again. */
static int write_all(int fd, const char *buf, size_t len, int64_t off, int64_t *written)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = off >= 0 ? tide__sys.pwrite(fd, buf + done, len - done, (off_t)(off + (int64_t)done))
                             : tide__sys.write(fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            *written = (int64_t)done;
            return -errno;
        }
        done += (size_t)n;
    }
    *written = (int64_t)done;
    return 0;
}

static ssize_t read_some(int fd, void *buf, size_t len, int64_t off)
{
    for (;;) {
        ssize_t n = off >= 0 ? tide__sys.pread(fd, buf, len, (off_t)off) : tide__sys.read(fd, buf, len);
        if (n >= 0 || errno != EINTR) return n;
    }
}

static int open_file(const char *path, int flags, int mode)
{
    int fd;
    do fd = tide__sys.open(path, flags | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

static int do_read_file(tide__fs_req_t *r)
{
    int fd = open_file(r->path, O_RDONLY, 0);
    if (fd < 0) return -errno;
    size_t limit = r->len ? r->len : TIDE_FS_READ_FILE_MAX;
    struct stat st;
    int rc = CHECK(fstat(fd, &st));
    if (!rc && S_ISDIR(st.st_mode)) rc = -EISDIR;
    /* The size is a hint: /proc files say 0, a growing file says too little. */
    size_t cap = !rc && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    if (!rc && (uint64_t)st.st_size > limit) rc = -EFBIG;
    char *bytes = NULL;
    size_t len = 0;
    if (!rc && !(bytes = tide__malloc(cap))) rc = -ENOMEM;
    while (!rc) {
        if (len + 1 == cap) {
            if (len >= limit) {
                /* Full at the limit: only the end of the file may follow. */
                char probe;
                ssize_t n = read_some(fd, &probe, 1, -1);
                rc = n < 0 ? -errno : n > 0 ? -EFBIG : 0;
                break;
            }
            char *more = tide__realloc(bytes, cap * 2);
            if (!more) {
                rc = -ENOMEM;
                break;
            }
            bytes = more;
            cap *= 2;
        }
        ssize_t n = read_some(fd, bytes + len, cap - 1 - len, -1);
        if (n < 0) rc = -errno;
        else if (n == 0) break;
        else if ((len += (size_t)n) > limit) rc = -EFBIG;
    }
    close(fd);
    if (rc) {
        tide__free(bytes);
        return rc;
    }
    bytes[len] = '\0';
    r->res.bytes = bytes;
    r->res.len = len;
    r->res.value = (int64_t)len;
    return 0;
}

static int do_write_file(tide__fs_req_t *r)
{
    int fd = open_file(r->path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return -errno;
    int rc = write_all(fd, r->cbuf, r->len, 0, &r->res.value);
    if (close(fd) < 0 && !rc && errno != EINTR) rc = -errno;
    return rc;
}

/* Bytes through user space, for what copy_file_range cannot do. */
static int copy_by_hand(int in, int out, int64_t done, int64_t *total)
{
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = read_some(in, buf, sizeof buf, done);
        if (n < 0) return -errno;
        if (n == 0) break;
        int64_t w;
        int rc = write_all(out, buf, (size_t)n, done, &w);
        done += w;
        if (rc) return rc;
    }
    *total = done;
    return 0;
}

static int do_copy(tide__fs_req_t *r)
{
    int in = open_file(r->path, O_RDONLY, 0);
    if (in < 0) return -errno;
    struct stat st;
    int rc = CHECK(fstat(in, &st));
    if (!rc && S_ISDIR(st.st_mode)) rc = -EISDIR;
    int out = -1;
    if (!rc) {
        int excl = (r->flags & TIDE_FS_COPY_EXCL) ? O_EXCL : 0;
        out = open_file(r->path2, O_WRONLY | O_CREAT | O_TRUNC | excl, st.st_mode & 07777);
        if (out < 0) rc = -errno;
    }
    int64_t done = 0;
    while (!rc) {
        off_t in_off = (off_t)done, out_off = (off_t)done;
        ssize_t n = tide__sys.copy_file_range(in, &in_off, out, &out_off, 1 << 30, 0);
        if (n > 0) {
            done += n;
            continue;
        }
        if (n == 0) break;
        if (errno == EINTR) continue;
        /* Across file systems on older kernels, or a file system without it. */
        if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)
            rc = copy_by_hand(in, out, done, &done);
        else
            rc = -errno;
        break;
    }
    if (!rc) rc = CHECK(fchmod(out, st.st_mode & 07777));
    if (out >= 0) close(out);
    close(in);
    r->res.value = done;
    return rc;
}

static int do_readdir(tide__fs_req_t *r)
{
    DIR *dir = opendir(r->path);
    if (!dir) return -errno;
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *d = readdir(dir);
        if (!d) {
            rc = -errno;
            break;
        }
        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
        if (r->res.nentries == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            tide_dirent_t *e = tide__realloc(r->res.entries, ncap * sizeof *e);
            if (!e) {
                rc = -ENOMEM;
                break;
            }
            r->res.entries = e;
            cap = ncap;
        }
        size_t n = strlen(d->d_name) + 1;
        char *name = tide__malloc(n);
        if (!name) {
            rc = -ENOMEM;
            break;
        }
        r->res.entries[r->res.nentries].name = memcpy(name, d->d_name, n);
        r->res.entries[r->res.nentries++].type = d->d_type;
    }
    closedir(dir);
    return rc;
}

static int do_readlink(tide__fs_req_t *r)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(r->path, buf, sizeof buf - 1);
    if (n < 0) return -errno;
    if (!(r->res.path = tide__malloc((size_t)n + 1))) return -ENOMEM;
    memcpy(r->res.path, buf, (size_t)n);
    r->res.path[n] = '\0';
    return 0;
}

static int do_realpath(tide__fs_req_t *r)
{
    char *p = realpath(r->path, NULL);
    if (!p) return -errno;
    size_t n = strlen(p) + 1;
    r->res.path = tide__malloc(n);
    if (r->res.path) memcpy(r->res.path, p, n);
    free(p);
    return r->res.path ? 0 : -ENOMEM;
}

static void to_timespec(double t, struct timespec *ts)
{
    ts->tv_sec = (time_t)t;
    ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
    if (ts->tv_nsec < 0) {
        ts->tv_sec--;
        ts->tv_nsec += 1000000000L;
    }
}

int tide__fs_work(void *data)
{
    tide__fs_req_t *r = data;
    struct timespec times[2];
    ssize_t n;
    switch (r->op) {
    case TIDE__FS_OP_open: {
        int fd = open_file(r->path, r->flags, r->mode);
        if (fd < 0) return -errno;
        r->res.value = fd;
        return 0;
    }
    case TIDE__FS_OP_close: return CHECK(tide__sys.close(r->fd));
    case TIDE__FS_OP_read:
    case TIDE__FS_OP_pread:
        if ((n = read_some(r->fd, r->buf, r->len, r->off)) < 0) return -errno;
        r->res.value = n;
        return 0;
    case TIDE__FS_OP_write:
    case TIDE__FS_OP_pwrite: return write_all(r->fd, r->cbuf, r->len, r->off, &r->res.value);
    case TIDE__FS_OP_stat: return CHECK(stat(r->path, &r->res.st));
    case TIDE__FS_OP_lstat: return CHECK(lstat(r->path, &r->res.st));
    case TIDE__FS_OP_fstat: return CHECK(fstat(r->fd, &r->res.st));
    case TIDE__FS_OP_rename: return CHECK(rename(r->path, r->path2));
    case TIDE__FS_OP_unlink: return CHECK(unlink(r->path));
    case TIDE__FS_OP_mkdir: return CHECK(mkdir(r->path, (mode_t)r->mode));
    case TIDE__FS_OP_rmdir: return CHECK(rmdir(r->path));
    case TIDE__FS_OP_readdir: return do_readdir(r);
    case TIDE__FS_OP_realpath: return do_realpath(r);
    case TIDE__FS_OP_fsync: return CHECK(fsync(r->fd));
    case TIDE__FS_OP_ftruncate: return CHECK(ftruncate(r->fd, (off_t)r->off));
    case TIDE__FS_OP_copy: return do_copy(r);
    case TIDE__FS_OP_symlink: return CHECK(symlink(r->path2, r->path));
    case TIDE__FS_OP_readlink: return do_readlink(r);
    case TIDE__FS_OP_chmod: return CHECK(chmod(r->path, (mode_t)r->mode));
    case TIDE__FS_OP_utimes:
    case TIDE__FS_OP_futimes:
        to_timespec(r->atime, &times[0]);
        to_timespec(r->mtime, &times[1]);
        return r->op == TIDE__FS_OP_utimes ? CHECK(utimensat(AT_FDCWD, r->path, times, 0))
                                          : CHECK(futimens(r->fd, times));
    case TIDE__FS_OP_read_file: return do_read_file(r);
    case TIDE__FS_OP_write_file: return do_write_file(r);
    case TIDE__FS_OP_sendfile: return tide__sendfile_work(r);
    default: return -EINVAL;
    }
}
