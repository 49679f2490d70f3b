/* Run-time version and feature queries. */
#include "context_private.h"
#include "config.h"

LIBDBM_API const char *libdbm_version(void)
{
    return LIBDBM_BUILD_VERSION;
}

LIBDBM_API int32_t libdbm_version_number(void)
{
    return LIBDBM_VERSION_NUMBER;
}

LIBDBM_API int libdbm_has_feature(int feature)
{
    switch (feature) {
    case LIBDBM_FEATURE_ZLIB: return LIBDBM_HAVE_ZLIB;
    default: return 0;
    }
}
