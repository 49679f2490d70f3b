/* A minimal libdbm host: create a context with an injected clock, look at
 * the library's version and features, and handle an error the libdbm way.
 *
 * Build against the installed library:
 *     cc minimal.c $(pkg-config --cflags --libs libdbm) -o minimal
 */
#include <stdio.h>

#include <libdbm.h>

/* Hosts that replay history or test schedules inject their own "now". */
static int64_t fixed_clock(void *user_data)
{
    return *(const int64_t *)user_data;
}

int main(void)
{
    const int64_t checkout_time = 875577600; /* 1997-09-30T00:00:00Z */
    libdbm_context_options options = LIBDBM_CONTEXT_OPTIONS_INIT;
    libdbm_context *ctx = NULL;
    int status;

    if (libdbm_version_number() < LIBDBM_VERSION_NUMBER) {
        fprintf(stderr, "built against libdbm %d.%d.%d, running with %s\n",
                LIBDBM_VERSION_MAJOR, LIBDBM_VERSION_MINOR, LIBDBM_VERSION_PATCH,
                libdbm_version());
        return 1;
    }
    options.clock_fn = fixed_clock;
    options.clock_user_data = (void *)&checkout_time;
    status = libdbm_context_new(&ctx, &options);
    if (status != LIBDBM_OK) {
        fprintf(stderr, "libdbm_context_new: %s\n", libdbm_strerror(status));
        return 1;
    }
    printf("libdbm %s, zlib: %s, now: %lld\n", libdbm_version(),
           libdbm_has_feature(LIBDBM_FEATURE_ZLIB) ? "yes" : "no",
           (long long)libdbm_context_now(ctx));

    /* Errors are status codes; a bad option struct is refused, not fatal. */
    options.struct_size = 1;
    status = libdbm_context_new(NULL, &options);
    printf("a bad call returns %d: %s\n", status, libdbm_strerror(status));

    libdbm_context_free(ctx);
    return 0;
}
