/* fuzz/replay.c - main() for a fuzz target outside libFuzzer: runs
 * LLVMFuzzerTestOneInput on every file of the directories (or the files)
 * named on the command line, or on standard input when none is, so a
 * target's corpus runs in every ctest build, sanitizers included. A
 * missing or empty corpus fails: a test that runs nothing proves nothing. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Reads all of f; the caller frees the buffer. */
static uint8_t *slurp(FILE *f, size_t *size)
{
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    if (!buf || ferror(f)) {
        free(buf);
        return NULL;
    }
    *size = len;
    return buf;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t size = 0;
    uint8_t *data = f ? slurp(f, &size) : NULL;
    if (f)
        fclose(f);
    if (!data) {
        perror(path);
        return -1;
    }
    /* An exact-size copy, so ASan sees a read past the input's end. */
    uint8_t *exact = malloc(size ? size : 1);
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 1;
}

/* Runs every regular file in dir; returns how many, or -1. */
static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (run_file(path) < 0) {
            count = -1;
            break;
        }
        count++;
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        size_t size = 0;
        uint8_t *data = slurp(stdin, &size);
        if (!data)
            return 1;
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        return 0;
    }
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
        if (n <= 0) {
            fprintf(stderr, "%s: %s\n", argv[i], n == 0 ? "no inputs" : "cannot be read");
            return 1;
        }
        total += n;
    }
    printf("%d inputs replayed\n", total);
    return 0;
}
