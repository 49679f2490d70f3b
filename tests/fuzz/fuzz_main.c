/* A plain driver for libFuzzer targets, so they run in every build (meson
 * test suite `fuzz`) without clang: each argument is a file or a directory
 * of files (the seed corpus); every file is passed to the target whole and
 * truncated at up to 128 lengths. Exits non-zero only when an input cannot
 * be read; a bug shows as a crash or a sanitizer report. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long runs;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t len, cut, step;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    buf = malloc(1 << 21);
    if (buf == NULL) {
        fclose(f);
        return 1;
    }
    len = fread(buf, 1, 1 << 21, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    runs++;
    step = len / 128 + 1;
    for (cut = 0; cut < len; cut += step) {
        /* A fresh copy of exactly cut bytes, so ASan sees reads past it. */
        unsigned char *part = malloc(cut ? cut : 1);
        if (part == NULL)
            break;
        memcpy(part, buf, cut);
        LLVMFuzzerTestOneInput(part, cut);
        free(part);
        runs++;
    }
    free(buf);
    return 0;
}

static int run_path(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *entry;
    int failed = 0;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot stat %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    dir = opendir(path);
    if (dir == NULL)
        return 1;
    while ((entry = readdir(dir)) != NULL) {
        char child[4096];
        if (entry->d_name[0] == '.')
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
        failed |= run_path(child);
    }
    closedir(dir);
    return failed;
}

int main(int argc, char **argv)
{
    int i, failed = 0;
    for (i = 1; i < argc; i++)
        failed |= run_path(argv[i]);
    printf("%ld inputs run\n", runs);
    return failed;
}
