/* conformance/fs-watch-events/case.c - the operations of case.js, step for
 * step, on tide's watchers: each part prints every event until the
 * directory watcher sees the part's marker file, then closes its watchers
 * from inside that callback and starts the next part. */
#include <string.h>
#include <sys/stat.h>

#include "../case.h"

static char dir[256];

static const char *at(const char *name)
{
    static char buf[4][512];
    static int i;
    char *b = buf[i++ % 4];
    snprintf(b, 512, "%s/%s", dir, name);
    return b;
}

/* fs.writeFileSync ('w') and fs.appendFileSync ('a'). */
static void put(const char *name, const char *text, int flags)
{
    int fd = open(at(name), O_WRONLY | O_CREAT | flags, 0666);
    if (fd < 0) exit(2);
    if (*text && write(fd, text, strlen(text)) < 0) exit(2);
    close(fd);
}
static void write_file(const char *name, const char *text) { put(name, text, O_TRUNC); }
static void append_file(const char *name, const char *text) { put(name, text, O_APPEND); }

typedef struct {
    const char *label;
    const char *path;
    tide_fs_watch_t *w;
} watch_t;

static tide_loop_t *loop;
static watch_t *watches;
static size_t nwatches;
static const char *until, *marker;
static void (*next)(void);

static void on_event(tide_fs_watch_t *w, int status, int event, const char *name, void *data)
{
    const char *label = data;
    MUST(status);
    if (strcmp(label, until) == 0 && strcmp(name, marker) == 0) {
        for (size_t i = 0; i < nwatches; i++) MUST(tide_close(TIDE_HANDLE(watches[i].w), NULL));
        next();
        return;
    }
    printf("%s %s %s\n", label, event == TIDE_FS_RENAME ? "rename" : "change", name);
}

static void part(watch_t *ws, size_t n, const char *until_label, const char *mark,
                 void (*then)(void))
{
    watches = ws;
    nwatches = n;
    until = until_label;
    marker = mark;
    next = then;
    for (size_t i = 0; i < n; i++) {
        MUST(tide_fs_watch_new(loop, &ws[i].w));
        MUST(tide_fs_watch_start(ws[i].w, ws[i].path, 0, on_event, (void *)ws[i].label));
    }
}

static void done(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) exit(2);
    printf("done\n");
}

static watch_t removed_watches[2];
static void removed(void)
{
    printf("-- directory removed\n");
    MUST(mkdir(at("gone"), 0777));
    write_file("gone/z", "q");
    removed_watches[0] = (watch_t){"gone", strdup(at("gone")), NULL};
    removed_watches[1] = (watch_t){"dir", dir, NULL};
    part(removed_watches, 2, "dir", "end3", done);
    MUST(unlink(at("gone/z")));
    MUST(rmdir(at("gone")));
    write_file("end3", "");
}

static watch_t file_watches[3];
static void file(void)
{
    printf("-- file deleted, file moved\n");
    write_file("f", "1");
    write_file("m", "1");
    file_watches[0] = (watch_t){"f", strdup(at("f")), NULL};
    file_watches[1] = (watch_t){"m", strdup(at("m")), NULL};
    file_watches[2] = (watch_t){"dir", dir, NULL};
    part(file_watches, 3, "dir", "end2", removed);
    append_file("f", "2");
    MUST(unlink(at("f")));
    MUST(rename(at("m"), at("m2")));
    append_file("m2", "z");
    write_file("f", "3");
    write_file("end2", "");
}

static watch_t dir_watches[1];
static void directory(void)
{
    printf("-- directory\n");
    dir_watches[0] = (watch_t){"dir", dir, NULL};
    part(dir_watches, 1, "dir", "end1", file);
    write_file("a", "x");
    append_file("a", "y");
    MUST(rename(at("a"), at("b")));
    MUST(unlink(at("b")));
    MUST(mkdir(at("sub"), 0777));
    write_file("sub/z", "q");
    MUST(chmod(at("sub"), 0700));
    write_file("end1", "");
}

int main(void)
{
    loop = case_loop();
    struct stat st;
    snprintf(dir, sizeof dir, "%s/fs-watch-events-XXXXXX",
             stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir)) return 2;
    directory();
    int rc = case_finish(loop);
    free((void *)file_watches[0].path);
    free((void *)file_watches[1].path);
    free((void *)removed_watches[0].path);
    return rc;
}
