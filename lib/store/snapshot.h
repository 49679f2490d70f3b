/* The store's checkpoint file (format: docs/store-format.md).
 *
 * A snapshot is written to path + ".tmp", fsynced, renamed over path and
 * the directory fsynced, so path always holds either the previous complete
 * snapshot or the new one. Layout: a 40-byte header (magic, version, flags,
 * epoch, stored payload length, raw payload length), the payload (zlib
 * deflate when compressed), and a trailer: CRC32C of every byte before it.
 *
 * A writer belongs to one thread; one writer per path at a time (the
 * store's lock guarantees it). */
#ifndef LIBDBM_STORE_SNAPSHOT_H
#define LIBDBM_STORE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"

#define DBMI_SNAPSHOT_HEADER_SIZE 40u
#define DBMI_SNAPSHOT_TRAILER_SIZE 4u
/* Header flag: the payload is a zlib stream. */
#define DBMI_SNAPSHOT_COMPRESSED 1u

typedef struct dbmi_snapshot_writer dbmi_snapshot_writer;

/* Starts a snapshot of @p epoch: creates (truncating) path + ".tmp".
 * @p compress = 1 compresses the payload with zlib (LIBDBM_ENOTSUP in a
 * build without zlib). Errors: EINVAL, ENOMEM, EIO, ENOTSUP; *out is NULL
 * on failure. */
int dbmi_snapshot_begin(dbmi_snapshot_writer **out, libdbm_context *ctx, const char *path,
                        uint64_t epoch, int compress);
/* Appends @p len bytes to the payload (buffered). After a failure every
 * later write and the commit fail too. */
int dbmi_snapshot_write(dbmi_snapshot_writer *w, const void *data, size_t len);
/* Finishes the file (header, trailer), fsyncs it, renames it over path and
 * fsyncs the directory. Always frees @p w; on error the temp file is
 * removed and path is untouched (unless the failure came after the
 * rename, i.e. the directory fsync: then path holds the new snapshot but its
 * durability is unknown). */
int dbmi_snapshot_commit(dbmi_snapshot_writer *w);
/* Removes the temp file and frees @p w; NULL is accepted. */
void dbmi_snapshot_abort(dbmi_snapshot_writer *w);

/* Reads and verifies the whole snapshot at @p path (magic, version, lengths
 * against the file size, checksum, decompression) and returns its payload
 * in *payload (free with dbmi_free; non-NULL even when empty) and *len, and
 * its epoch. LIBDBM_ENOTFOUND when the file does not exist; ECORRUPT or
 * EVERSION with what and where; ENOTSUP for a compressed snapshot in a
 * build without zlib; EIO, ENOMEM. Outputs are untouched on failure. */
int dbmi_snapshot_load(libdbm_context *ctx, const char *path, uint64_t *epoch, void **payload,
                       size_t *len);

#endif
