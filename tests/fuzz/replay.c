/* Replays a fuzz corpus without libFuzzer: calls the harness once per file of each directory
 * named on the command line and prints a TAP line per file, so that the normal test run
 * replays every seed and every past crash under its sanitizers.
 * Usage: fuzz_<name> DIR...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads path whole; returns a new buffer (free()) and its size, or NULL. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap) {
            uint8_t *grown = realloc(buf, cap = cap ? cap * 2 : 4096);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *size = n;
    return buf;
}

int main(int argc, char **argv)
{
    int tests = 0, failed = 0;
    for (int a = 1; a < argc; a++) {
        DIR *d = opendir(argv[a]);
        if (!d) {
            printf("not ok %d - cannot open corpus %s\n", ++tests, argv[a]);
            failed++;
            continue;
        }
        char **names = NULL;
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.')
                continue;
            char **grown = realloc(names, (n + 1) * sizeof(*names));
            if (!grown || !(grown[n] = strdup(e->d_name)))
                abort();
            names = grown;
            n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), by_name);
        for (size_t i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[a], names[i]);
            size_t size = 0;
            uint8_t *data = read_file(path, &size);
            if (!data) {
                printf("not ok %d - cannot read %s\n", ++tests, path);
                failed++;
            } else {
                /* A crash ends the process: the test runner reports it as a failure. */
                LLVMFuzzerTestOneInput(data, size);
                printf("ok %d - %s\n", ++tests, path);
                free(data);
            }
            free(names[i]);
        }
        free(names);
    }
    printf("1..%d\n", tests);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
