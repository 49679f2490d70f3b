/* The public time zone API: libdbm_tz_offset() and
 * libdbm_context_set_zoneinfo_dir(): known offsets, argument and name
 * checks, a private zoneinfo directory that names cannot escape, and the
 * allocation-failure sweep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "failalloc.h"

/* 2024-01-15T12:00:00Z and 2024-07-01T12:00:00Z. */
#define WINTER INT64_C(1705320000)
#define SUMMER INT64_C(1719835200)

static void test_offsets(libdbm_context *ctx)
{
    int32_t off = 99;
    CHECK_OK(libdbm_tz_offset(ctx, &off, "America/New_York", WINTER));
    CHECK(off == -5 * 3600);
    CHECK_OK(libdbm_tz_offset(ctx, &off, "America/New_York", SUMMER));
    CHECK(off == -4 * 3600);
    CHECK_OK(libdbm_tz_offset(ctx, &off, "Europe/Berlin", SUMMER));
    CHECK(off == 2 * 3600);
    CHECK_OK(libdbm_tz_offset(ctx, &off, "Asia/Kathmandu", WINTER));
    CHECK(off == 5 * 3600 + 45 * 60);
    CHECK_OK(libdbm_tz_offset(ctx, &off, "Australia/Lord_Howe", SUMMER));
    CHECK(off == 10 * 3600 + 30 * 60);
    CHECK_OK(libdbm_tz_offset(ctx, &off, "UTC", SUMMER));
    CHECK(off == 0);
    /* The footer rule, far ahead: July 2999 is summer in New York. */
    CHECK_OK(libdbm_tz_offset(ctx, &off, "America/New_York", INT64_C(32487825600)));
    CHECK(off == -4 * 3600);
}

static void test_errors(libdbm_context *ctx)
{
    static const char *const hostile[] = {
        "../etc/passwd", "/etc/passwd", "America/../../../etc/passwd", "",
        "Europe/Berlin ", "zone.tab",
        /* other spellings of a real zone's file: each would be cached anew */
        "America//Sao_Paulo", "Europe/Berlin/", "Europe//Berlin/",
    };
    char long_name[300];
    int32_t off = 99;
    size_t i;
    CHECK_STATUS(libdbm_tz_offset(NULL, &off, "UTC", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_tz_offset(ctx, NULL, "UTC", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, NULL, 0), LIBDBM_EINVAL);
    for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        off = 99;
        CHECK_STATUS(libdbm_tz_offset(ctx, &off, hostile[i], 0), LIBDBM_EINVAL);
        CHECK(off == 0);
        CHECK(libdbm_context_errmsg(ctx)[0] != '\0');
    }
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, long_name, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, "Mars/Olympus_Mons", 0), LIBDBM_ENOTFOUND);
    CHECK(strstr(libdbm_context_errmsg(ctx), "Mars/Olympus_Mons") != NULL);
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, "Europe", 0), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_context_set_zoneinfo_dir(NULL, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_context_set_zoneinfo_dir(ctx, ""), LIBDBM_EINVAL);
}

/* A zoneinfo directory with a copy of New York's file under another name
 * and, beside the directory, a file that no zone name can reach. */
static void test_private_directory(libdbm_context *ctx)
{
    char top[64], path[256];
    FILE *in, *out;
    int c;
    int32_t off;

    snprintf(top, sizeof(top), "/tmp/libdbm-api-tz-XXXXXX");
    CHECK(mkdtemp(top) != NULL);
    snprintf(path, sizeof(path), "%s/zi", top);
    CHECK(mkdir(path, 0700) == 0);
    snprintf(path, sizeof(path), "%s/zi/Corp_Zone", top);
    in = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    out = fopen(path, "wb");
    CHECK(in != NULL && out != NULL);
    while ((c = getc(in)) != EOF)
        putc(c, out);
    fclose(in);
    CHECK(fclose(out) == 0);
    snprintf(path, sizeof(path), "%s/outside", top);
    out = fopen(path, "wb");
    CHECK(out != NULL);
    fputs("not a zone", out);
    CHECK(fclose(out) == 0);

    snprintf(path, sizeof(path), "%s/zi", top);
    CHECK_OK(libdbm_context_set_zoneinfo_dir(ctx, path));
    CHECK_OK(libdbm_tz_offset(ctx, &off, "Corp_Zone", SUMMER));
    CHECK(off == -4 * 3600);
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, "../outside", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, "America/New_York", 0), LIBDBM_ENOTFOUND);
    CHECK_OK(libdbm_context_set_zoneinfo_dir(ctx, NULL));
    CHECK_STATUS(libdbm_tz_offset(ctx, &off, "Corp_Zone", 0), LIBDBM_ENOTFOUND);
    CHECK_OK(libdbm_tz_offset(ctx, &off, "America/New_York", SUMMER));
    CHECK(off == -4 * 3600);

    snprintf(path, sizeof(path), "rm -rf '%s'", top);
    CHECK(system(path) == 0);
}

static int offset_scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    int32_t off;
    int status = libdbm_context_new(&ctx, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    status = libdbm_tz_offset(ctx, &off, "Europe/Berlin", SUMMER);
    if (status == LIBDBM_OK)
        status = libdbm_context_set_zoneinfo_dir(ctx, "/usr/share/zoneinfo");
    if (status == LIBDBM_OK)
        status = libdbm_tz_offset(ctx, &off, "Europe/Berlin", WINTER);
    if (status == LIBDBM_OK && off != 3600)
        status = LIBDBM_EIO;
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    libdbm_context *ctx;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_offsets(ctx);
    test_errors(ctx);
    test_private_directory(ctx);
    libdbm_context_free(ctx);
    failalloc_sweep_or_die("libdbm_tz_offset", offset_scenario, NULL, 100);
    printf("api tz: ok\n");
    return 0;
}
