/* tests/io/test_tty.c - terminals, on a pseudo-terminal (never the real
 * one): a TTY stream reads what the master side types and writes to it,
 * raw mode on and off restores the original mode (also when the stream is
 * destroyed and when the loop closes), the window size and the resize
 * notification through SIGWINCH. */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "net_test.h"

static int open_pty(int *master)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(m, 0);
    ASSERT_OK(grantpt(m));
    ASSERT_OK(unlockpt(m));
    int s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(s, 0);
    *master = m;
    return s;
}

static int is_raw(int fd)
{
    struct termios t;
    ASSERT_OK(tcgetattr(fd, &t));
    return !(t.c_lflag & (ICANON | ECHO));
}

static void test_read_write_raw(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int master;
    int slave = open_pty(&master);
    ASSERT(tide_is_tty(slave));
    int p[2];
    make_pipe(p);
    tide_stream_t *s;
    ASSERT_EQ(tide_tty_open(loop, p[0], 0, &s), -ENOTTY);
    close(p[0]);
    close(p[1]);
    ASSERT_OK(tide_tty_open(loop, slave, 0, &s));
    ASSERT(!is_raw(slave));
    ASSERT_OK(tide_tty_set_mode(s, TIDE_TTY_RAW));
    ASSERT(is_raw(slave));
    ASSERT_EQ(tide_tty_set_mode(s, 7), -EINVAL);
    /* Raw: a byte arrives without waiting for a newline. */
    collect_t got;
    collect_init(&got, 64);
    collect_attach(&got, s);
    ASSERT_EQ(write(master, "q", 1), 1);
    while (got.len < 1) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(got.buf[0], 'q');
    ASSERT_OK(tide_tty_set_mode(s, TIDE_TTY_NORMAL));
    ASSERT(!is_raw(slave));
    /* Output reaches the master side. */
    ASSERT_EQ(tide_stream_write(s, "out", 3, NULL, NULL), 1);
    char buf[16];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    ASSERT_EQ(n, 3);
    /* Raw again, then destroyed: the mode comes back with the close. */
    ASSERT_OK(tide_tty_set_mode(s, TIDE_TTY_RAW));
    int keep = dup(slave);
    tide_stream_destroy(s, NULL);
    ASSERT(!is_raw(keep));
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(s);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
    close(keep);
    close(master);
}

static void test_restored_at_loop_close(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int master;
    int slave = open_pty(&master);
    tide_stream_t *s;
    ASSERT_OK(tide_tty_open(loop, slave, TIDE_PIPE_NO_CLOSE, &s));
    ASSERT_OK(tide_tty_set_mode(s, TIDE_TTY_RAW));
    ASSERT(is_raw(slave));
    tide_stream_release(s); /* still open: the loop's close restores it */
    ASSERT_OK(tide_loop_close(loop));
    ASSERT(!is_raw(slave));
    ASSERT_GE(fcntl(slave, F_GETFD), 0); /* TIDE_PIPE_NO_CLOSE: still ours ... */
    ASSERT(!(fcntl(slave, F_GETFL) & O_NONBLOCK)); /* ... and blocking as it came */
    close(slave);
    close(master);
}

typedef struct {
    int calls, cols, rows;
} resize_t;

static void on_resize(tide_stream_t *tty, int cols, int rows, void *data)
{
    resize_t *r = data;
    r->calls++;
    r->cols = cols;
    r->rows = rows;
}

static void set_size(int master, int cols, int rows)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    ASSERT_OK(ioctl(master, TIOCSWINSZ, &ws));
}

static void test_resize(void)
{
    tide_loop_t *loop;
    ASSERT_OK(tide_loop_new(&loop));
    int master;
    int slave = open_pty(&master);
    set_size(master, 80, 24);
    tide_stream_t *s;
    ASSERT_OK(tide_tty_open(loop, slave, 0, &s));
    int cols, rows;
    ASSERT_OK(tide_tty_get_winsize(s, &cols, &rows));
    ASSERT_EQ(cols, 80);
    ASSERT_EQ(rows, 24);
    resize_t r = {0};
    ASSERT_OK(tide_tty_on_resize(s, on_resize, &r));
    /* The pty is not our controlling terminal, so SIGWINCH is sent by hand,
     * as the kernel would send it to the terminal's foreground group. */
    set_size(master, 120, 40);
    kill(getpid(), SIGWINCH);
    collect_t got;
    collect_init(&got, 16);
    collect_attach(&got, s); /* reading keeps the loop alive meanwhile */
    while (r.calls < 1) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(r.cols, 120);
    ASSERT_EQ(r.rows, 40);
    /* A SIGWINCH that changed nothing is not reported. */
    kill(getpid(), SIGWINCH);
    set_size(master, 100, 30);
    kill(getpid(), SIGWINCH);
    while (r.calls < 2) ASSERT_EQ(tide_run(loop, TIDE_RUN_ONCE), 1);
    ASSERT_EQ(r.calls, 2);
    ASSERT_EQ(r.cols, 100);
    ASSERT_OK(tide_tty_on_resize(s, NULL, NULL));
    tide_stream_destroy(s, NULL);
    ASSERT_OK(tide_run(loop, TIDE_RUN_DEFAULT));
    tide_stream_release(s);
    free(got.buf);
    ASSERT_OK(tide_loop_close(loop));
    close(master);
}

int main(void)
{
    test_read_write_raw();
    test_restored_at_loop_close();
    test_resize();
    return 0;
}
