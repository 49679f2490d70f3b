/* Blobs handed to hosts (saved models, statistics, RFM bins): a 4-byte
 * magic, a u32 format version, the payload, and the CRC32C of everything
 * before it, all little-endian (lib/base/bytes.h). One place seals and
 * opens that envelope so every blob is checked the same way. */
#ifndef LIBDBM_BASE_BLOB_H
#define LIBDBM_BASE_BLOB_H

#include "bytes.h"

/* Starts a blob in @p buf: initialises it and writes @p magic and
 * @p version; the caller appends the payload, then seals. */
void dbmi_blob_begin(dbmi_buf *buf, libdbm_context *ctx, const char magic[4], uint32_t version);

/* Appends the CRC32C to @p buf (which holds magic, version and payload),
 * copies it into a blob the host frees with libdbm_free_blob(), and frees
 * @p buf whatever happens. @p what names the blob in error messages.
 * Returns LIBDBM_OK or LIBDBM_ENOMEM. */
int dbmi_blob_seal(dbmi_buf *buf, void **blob, size_t *len, const char *what);

/* Checks a blob's length, @p magic, @p version and CRC32C; on success
 * points @p payload at the bytes between the version and the checksum.
 * Returns LIBDBM_OK, LIBDBM_ECORRUPT or LIBDBM_EVERSION with a message. */
int dbmi_blob_open(libdbm_context *ctx, const void *blob, size_t len, const char magic[4],
                   uint32_t version, const char *what, dbmi_reader *payload);

#endif
