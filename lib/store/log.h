/* The store's append-only record log (file format: docs/store-format.md).
 *
 * A log file holds a 32-byte header (magic, format version, the epoch of the
 * snapshot it follows, header CRC) and then records, each a little-endian
 * u32 payload length, a u32 CRC32C of those 4 length bytes followed by the
 * payload, and the payload. Records are buffered by dbmi_log_append() and
 * become durable together at dbmi_log_commit() (group commit: one write and
 * one fsync for any number of records).
 *
 * A log handle belongs to one thread at a time; one writer per file (the
 * store's lock, lock.h, guarantees it across processes). */
#ifndef LIBDBM_STORE_LOG_H
#define LIBDBM_STORE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"

/* Size of the file header: dbmi_log_size() of an empty log. */
#define DBMI_LOG_HEADER_SIZE 32u
/* Size of the per-record framing (length and CRC) before each payload. */
#define DBMI_LOG_RECORD_OVERHEAD 8u
/* The largest payload of one record (1 GiB: a store batch, e.g. a whole
 * import, is one record); longer appends are
 * LIBDBM_ELIMIT, and a longer length field in a file is a torn tail. */
#define DBMI_LOG_MAX_RECORD ((size_t)1 << 30)

/* The handle is named by its struct tag: a typedef named dbmi_log would
 * collide with the logging function dbmi_log() of context_private.h (typedef
 * and function names share C's ordinary identifier namespace). */
struct dbmi_log;
typedef int (*dbmi_log_replay_fn)(const void *payload, size_t len, void *user_data);

/* Opens the log at @p path, creating it when absent (header written to
 * path + ".tmp", fsynced, renamed into place, directory fsynced, so a crash
 * never leaves a log with a partial header).
 *
 * If the file's epoch == @p epoch: replays every complete, valid record in
 * file order through @p replay (may be NULL; a non-OK return aborts the open
 * and is returned). The first incomplete or invalid record (short, CRC
 * mismatch, length beyond the file or above DBMI_LOG_MAX_RECORD) and
 * everything after it is a torn tail: truncated away and fsynced, with a
 * WARNING naming the byte offset, unless @p read_only, in which case replay
 * just stops there.
 * If the file's epoch < @p epoch (a crash after a snapshot was renamed into
 * place but before the log was reset), its records are already in the
 * snapshot: they are skipped and the log is reset to @p epoch (unless
 * @p read_only).
 * A file epoch > @p epoch, a bad magic, a bad header CRC or a file shorter
 * than its header is LIBDBM_ECORRUPT; an unknown version or flags
 * LIBDBM_EVERSION. With @p read_only, an absent file is an empty log (no
 * file is created) and append/commit/reset return LIBDBM_EREADONLY.
 * Other errors: EIO, ENOMEM, EINVAL (NULL arguments). */
int dbmi_log_open(struct dbmi_log **out, libdbm_context *ctx, const char *path, uint64_t epoch,
                  int read_only, dbmi_log_replay_fn replay, void *user_data);

/* Buffers one record in memory (not yet durable). EREADONLY when read-only
 * or poisoned, ELIMIT above DBMI_LOG_MAX_RECORD, ENOMEM (the buffer is then
 * unchanged). */
int dbmi_log_append(struct dbmi_log *log, const void *payload, size_t len);

/* Writes every buffered record and fsyncs: on LIBDBM_OK they are durable.
 * With nothing buffered it does nothing and returns OK. On a write or fsync
 * failure it returns LIBDBM_EIO and poisons the log: the buffered records
 * are dropped and every later append/commit/reset returns LIBDBM_EREADONLY
 * with a message saying why (a failed fsync is never retried as if the data
 * were safe: reopen to recover). A partial record left at the end of the
 * file is truncated by the next open. */
int dbmi_log_commit(struct dbmi_log *log);

/* Drops the buffered, uncommitted records (rollback). */
void dbmi_log_discard(struct dbmi_log *log);

/* Replaces the log by an empty one with @p new_epoch (header written to a
 * temp file, fsynced, renamed over the log, directory fsynced), so no byte
 * of the old records remains in the log file. Call it after a snapshot of
 * epoch @p new_epoch was committed. Buffered records are refused (EINVAL):
 * commit or discard them first. Any failure poisons the log (appending to
 * the old log after the snapshot moved on would lose records): EIO, ENOMEM,
 * EREADONLY. */
int dbmi_log_reset(struct dbmi_log *log, uint64_t new_epoch);

/* Bytes of the log file that are committed, header included
 * (DBMI_LOG_HEADER_SIZE for an empty log; 0 for an absent read-only log). */
uint64_t dbmi_log_size(const struct dbmi_log *log);

/* The log's epoch, and whether it is poisoned after a failed write/sync. */
uint64_t dbmi_log_epoch(const struct dbmi_log *log);
int dbmi_log_poisoned(const struct dbmi_log *log);

/* Closes the file and frees the handle; buffered records are dropped (not
 * committed). NULL is accepted. */
void dbmi_log_close(struct dbmi_log *log);

#endif
