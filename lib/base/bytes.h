/* Portable byte encoding for every file format and blob: a growable output
 * buffer and a bounds-checked reader. Integers are little-endian whatever
 * the host, doubles travel as their IEEE-754 bit pattern, so files and
 * model blobs move between machines. The reader never reads past its end:
 * a short or malformed input sets its error flag and yields zeros, and the
 * caller reports LIBDBM_ECORRUPT once at the end. */
#ifndef LIBDBM_BASE_BYTES_H
#define LIBDBM_BASE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"

typedef struct dbmi_buf {
    libdbm_context *ctx;
    unsigned char *data;
    size_t len;
    size_t capacity;
    int failed;             /* an allocation failed: the content is incomplete */
} dbmi_buf;

void dbmi_buf_init(dbmi_buf *buf, libdbm_context *ctx);
void dbmi_buf_free(dbmi_buf *buf);
void dbmi_buf_clear(dbmi_buf *buf);           /* keeps the capacity */
/* LIBDBM_OK, or ENOMEM (with a message) when any put since init failed. */
int dbmi_buf_status(const dbmi_buf *buf);

void dbmi_buf_put(dbmi_buf *buf, const void *data, size_t len);
void dbmi_buf_put_u8(dbmi_buf *buf, uint8_t v);
void dbmi_buf_put_u32(dbmi_buf *buf, uint32_t v);
void dbmi_buf_put_u64(dbmi_buf *buf, uint64_t v);
void dbmi_buf_put_i64(dbmi_buf *buf, int64_t v);
void dbmi_buf_put_f64(dbmi_buf *buf, double v);
void dbmi_buf_put_varint(dbmi_buf *buf, uint64_t v);      /* LEB128 */
/* A length-prefixed (varint) byte string. */
void dbmi_buf_put_bytes(dbmi_buf *buf, const void *data, size_t len);
void dbmi_buf_put_str(dbmi_buf *buf, const char *str);

typedef struct dbmi_reader {
    const unsigned char *data;
    size_t len;
    size_t pos;
    int failed;             /* read past the end or malformed encoding */
} dbmi_reader;

void dbmi_reader_init(dbmi_reader *r, const void *data, size_t len);
size_t dbmi_reader_remaining(const dbmi_reader *r);
/* Returns a pointer to the next @p len bytes and skips them, or NULL. */
const void *dbmi_get(dbmi_reader *r, size_t len);
uint8_t dbmi_get_u8(dbmi_reader *r);
uint32_t dbmi_get_u32(dbmi_reader *r);
uint64_t dbmi_get_u64(dbmi_reader *r);
int64_t dbmi_get_i64(dbmi_reader *r);
double dbmi_get_f64(dbmi_reader *r);
uint64_t dbmi_get_varint(dbmi_reader *r);
/* A length-prefixed byte string: returns its bytes (not NUL-terminated)
 * and stores its length, or NULL on error. */
const void *dbmi_get_bytes(dbmi_reader *r, size_t *len);

/* Fixed-width little-endian helpers for headers written in place. */
void dbmi_store_u32le(unsigned char *out, uint32_t v);
uint32_t dbmi_load_u32le(const unsigned char *in);
void dbmi_store_u64le(unsigned char *out, uint64_t v);
uint64_t dbmi_load_u64le(const unsigned char *in);

#endif
