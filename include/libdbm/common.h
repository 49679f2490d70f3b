/*
 * libdbm — database marketing library: common definitions.
 *
 * Export macro, version, error codes and feature queries shared by every
 * part of the public API. Include <libdbm.h> rather than this file.
 *
 * This header is part of the stable ABI: see docs/abi-stability.md.
 */
#ifndef LIBDBM_COMMON_H
#define LIBDBM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LIBDBM_API marks the functions the shared library exports; everything else
 * is built with hidden visibility. */
#if defined(_WIN32)
#  define LIBDBM_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define LIBDBM_API __attribute__((visibility("default")))
#else
#  define LIBDBM_API
#endif

/** @name Compile-time version of the headers. @since 0.1 */
/**@{*/
#define LIBDBM_VERSION_MAJOR 0
#define LIBDBM_VERSION_MINOR 1
#define LIBDBM_VERSION_PATCH 0
/** Encodes a version as one comparable integer (MAJOR*10000+MINOR*100+PATCH). */
#define LIBDBM_VERSION_ENCODE(major, minor, patch) \
    ((major) * 10000 + (minor) * 100 + (patch))
#define LIBDBM_VERSION_NUMBER                                         \
    LIBDBM_VERSION_ENCODE(LIBDBM_VERSION_MAJOR, LIBDBM_VERSION_MINOR, \
                          LIBDBM_VERSION_PATCH)
/**@}*/

/**
 * Status codes. Every fallible function returns LIBDBM_OK (0) or one of the
 * negative codes below. The numeric values are pinned: they never change
 * once released, and new codes are only ever appended.
 * @since 0.1
 */
enum libdbm_status {
    LIBDBM_OK = 0,           /**< success */
    LIBDBM_EINVAL = -1,      /**< an argument is invalid (NULL, out of range, bad option struct) */
    LIBDBM_ENOMEM = -2,      /**< an allocation failed */
    LIBDBM_EIO = -3,         /**< an operating-system I/O call failed */
    LIBDBM_ECORRUPT = -4,    /**< a file or blob failed a magic, version, size or checksum check */
    LIBDBM_ELOCKED = -5,     /**< another writer holds the store */
    LIBDBM_ENOTFOUND = -6,   /**< the named object does not exist */
    LIBDBM_ESYNTAX = -7,     /**< text input (expression, policy, CSV) could not be parsed */
    LIBDBM_EEXIST = -8,      /**< the object already exists */
    LIBDBM_ERANGE = -9,      /**< a value is outside what the format or type can hold */
    LIBDBM_EREADONLY = -10,  /**< the handle is read-only (opened so, or after a failed sync) */
    LIBDBM_EVERSION = -11,   /**< a file or blob was written by an unsupported format version */
    LIBDBM_ENOTSUP = -12,    /**< the operation or feature is not available in this build */
    LIBDBM_ENOCONVERGE = -13,/**< a numerical method did not converge */
    LIBDBM_ELIMIT = -14      /**< an input exceeds a documented size or nesting limit */
};

/**
 * Returns a static, human-readable description of a status code.
 * Never returns NULL; unknown codes give "unknown error".
 * Thread-safe. @since 0.1
 */
LIBDBM_API const char *libdbm_strerror(int status);

/**
 * Returns the run-time version string of the library, "MAJOR.MINOR.PATCH".
 * The string is static. Thread-safe. @since 0.1
 */
LIBDBM_API const char *libdbm_version(void);

/**
 * Returns the run-time version as LIBDBM_VERSION_ENCODE(major, minor, patch),
 * so a host can compare it with the LIBDBM_VERSION_NUMBER it was built
 * against. Thread-safe. @since 0.1
 */
LIBDBM_API int32_t libdbm_version_number(void);

/** Optional features a build may or may not have. @since 0.1 */
enum libdbm_feature {
    LIBDBM_FEATURE_ZLIB = 1     /**< compressed snapshots (built with zlib) */
};

/**
 * Returns 1 when this build of the library has @p feature, else 0
 * (also 0 for unknown feature values). Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_has_feature(int feature);

/**
 * Frees a string that libdbm allocated and handed to the caller
 * (documented as "free with libdbm_free_string"). NULL is accepted.
 * @since 0.1
 */
LIBDBM_API void libdbm_free_string(char *str);

/**
 * Frees a binary blob that libdbm allocated and handed to the caller
 * (documented as "free with libdbm_free_blob"), such as a saved model.
 * NULL is accepted. @since 0.1
 */
LIBDBM_API void libdbm_free_blob(void *blob);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_COMMON_H */
