#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "durability_util.h"

const char *dur_tmpdir(const char *tag)
{
    static char slots[8][512];
    static int next;
    char *dir = slots[next++ % 8];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(slots[0]), "%s/libdbm-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    CHECK(mkdtemp(dir) != NULL);
    return dir;
}

void dur_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

const char *dur_path(const char *dir, const char *name)
{
    static char slots[32][1024];
    static int next;
    char *path = slots[next++ % 32];
    snprintf(path, sizeof(slots[0]), "%s/%s", dir, name);
    return path;
}

unsigned char *dur_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long size;
    *len = 0;
    if (f == NULL)
        return NULL;
    CHECK(fseek(f, 0, SEEK_END) == 0);
    size = ftell(f);
    CHECK(size >= 0);
    rewind(f);
    data = malloc((size_t)size + 1);
    CHECK(data != NULL);
    CHECK(fread(data, 1, (size_t)size, f) == (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return data;
}

void dur_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, len, f) == len);
    CHECK(fclose(f) == 0);
}

int dur_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char logged[16384];

static void capture(int level, const char *message, void *user_data)
{
    size_t used = strlen(logged);
    (void)user_data;
    if (level <= LIBDBM_LOG_WARNING && used + strlen(message) + 2 < sizeof(logged)) {
        strcat(logged, message);
        strcat(logged, "\n");
    }
}

libdbm_context *dur_context(void)
{
    libdbm_context *ctx;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_context_set_log(ctx, capture, LIBDBM_LOG_WARNING, NULL));
    return ctx;
}

const char *dur_logged(void)
{
    return logged;
}

void dur_clear_logged(void)
{
    logged[0] = '\0';
}
