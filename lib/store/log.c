/* The append-only record log: group commit, torn-tail recovery, epochs. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "crc32c.h"
#include "io.h"
#include "log.h"

#define LOG_VERSION 1u
static const unsigned char log_magic[8] = {'L', 'I', 'B', 'D', 'B', 'M', 'L', 'G'};

/* Replay reads the file through a window of at least this many bytes. */
#define READ_WINDOW ((size_t)64 * 1024)

struct dbmi_log {
    libdbm_context *ctx;
    char *path;
    char *tmp_path;
    char *dir;
    int fd;                 /* -1 for an absent read-only log */
    int read_only;
    uint64_t epoch;
    uint64_t size;          /* committed bytes in the file */
    dbmi_buf pending;       /* framed records not yet written */
    int poisoned;
    char poison_reason[512];
};

static void encode_header(unsigned char out[DBMI_LOG_HEADER_SIZE], uint64_t epoch)
{
    memset(out, 0, DBMI_LOG_HEADER_SIZE);
    memcpy(out, log_magic, sizeof(log_magic));
    dbmi_store_u32le(out + 8, LOG_VERSION);
    dbmi_store_u32le(out + 12, 0);           /* flags: none defined */
    dbmi_store_u64le(out + 16, epoch);
    dbmi_store_u32le(out + 24, 0);           /* reserved */
    dbmi_store_u32le(out + 28, dbmi_crc32c(0, out, 28));
}

static int decode_header(const struct dbmi_log *log, const unsigned char *in, uint64_t *epoch)
{
    uint32_t version, flags;
    if (memcmp(in, log_magic, sizeof(log_magic)) != 0)
        return dbmi_error(log->ctx, LIBDBM_ECORRUPT,
                          "log '%s': bad magic at byte 0 (not a libdbm log)", log->path);
    version = dbmi_load_u32le(in + 8);
    if (version == 0)
        return dbmi_error(log->ctx, LIBDBM_ECORRUPT, "log '%s': version 0 at byte 8", log->path);
    if (version > LOG_VERSION)
        return dbmi_error(log->ctx, LIBDBM_EVERSION,
                          "log '%s': format version %" PRIu32 " (byte 8); this library reads "
                          "version %u", log->path, version, LOG_VERSION);
    if (dbmi_load_u32le(in + 28) != dbmi_crc32c(0, in, 28))
        return dbmi_error(log->ctx, LIBDBM_ECORRUPT,
                          "log '%s': header checksum mismatch (bytes 0-31)", log->path);
    flags = dbmi_load_u32le(in + 12);
    if (flags != 0)
        return dbmi_error(log->ctx, LIBDBM_EVERSION,
                          "log '%s': unknown header flags 0x%" PRIx32 " at byte 12", log->path,
                          flags);
    *epoch = dbmi_load_u64le(in + 16);
    return LIBDBM_OK;
}

/* After the first failure the log accepts nothing more: the state of the
 * file (and of the kernel's page cache) is unknown. */
static void poison(struct dbmi_log *log, const char *what)
{
    log->poisoned = 1;
    snprintf(log->poison_reason, sizeof(log->poison_reason), "%s: %s", what,
             libdbm_context_errmsg(log->ctx));
    dbmi_buf_clear(&log->pending);
}

static int check_writable(struct dbmi_log *log)
{
    if (log->poisoned)
        return dbmi_error(log->ctx, LIBDBM_EREADONLY,
                          "log '%s' is read-only after an earlier failure (%s); reopen the "
                          "store to recover its acknowledged records", log->path,
                          log->poison_reason);
    if (log->read_only)
        return dbmi_error(log->ctx, LIBDBM_EREADONLY, "log '%s' was opened read-only",
                          log->path);
    return LIBDBM_OK;
}

/* Writes a fresh log holding only a header for @p epoch by the temp-file,
 * fsync, rename, fsync-directory recipe; on success *fd_out is the new
 * file, positioned after the header. */
static int write_fresh_log(struct dbmi_log *log, uint64_t epoch, int *fd_out)
{
    unsigned char header[DBMI_LOG_HEADER_SIZE];
    int fd, status, renamed = 0;

    *fd_out = -1;
    encode_header(header, epoch);
    status = dbmi_io_open(log->ctx, &fd, log->tmp_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (status != LIBDBM_OK)
        return status;
    status = dbmi_io_write_all(log->ctx, fd, header, sizeof(header), log->tmp_path);
    if (status == LIBDBM_OK)
        status = dbmi_io_fsync(log->ctx, fd, log->tmp_path);
    if (status == LIBDBM_OK) {
        status = dbmi_io_rename(log->ctx, log->tmp_path, log->path);
        renamed = status == LIBDBM_OK;
    }
    if (status == LIBDBM_OK)
        status = dbmi_io_fsync_dir(log->ctx, log->dir);
    if (status != LIBDBM_OK) {
        close(fd);
        if (!renamed)
            unlink(log->tmp_path);
        return status;
    }
    *fd_out = fd;
    return LIBDBM_OK;
}

/* A sliding window over the file for replay, so memory stays bounded by
 * the largest record, never by the file or by a length field. */
typedef struct read_window {
    unsigned char *data;
    size_t capacity;
    uint64_t start;         /* file offset of data[0] */
    size_t len;
} read_window;

/* Makes bytes [offset, offset + n) available; n must not exceed what the
 * file holds past offset (the caller checks against the file size). */
static int window_get(struct dbmi_log *log, read_window *w, uint64_t offset, size_t n,
                      const unsigned char **out)
{
    size_t want = n > READ_WINDOW ? n : READ_WINDOW, got;
    int status;
    if (offset >= w->start && offset - w->start <= w->len &&
        n <= w->len - (size_t)(offset - w->start)) {
        *out = w->data + (offset - w->start);
        return LIBDBM_OK;
    }
    if (want > w->capacity) {
        unsigned char *grown = dbmi_realloc(log->ctx, w->data, want);
        if (grown == NULL)
            return dbmi_error_nomem(log->ctx, "reading the log");
        w->data = grown;
        w->capacity = want;
    }
    status = dbmi_io_pread_full(log->ctx, log->fd, w->data, w->capacity, offset, &got,
                                log->path);
    if (status != LIBDBM_OK)
        return status;
    w->start = offset;
    w->len = got;
    if (got < n)   /* the file shrank under us */
        return dbmi_error(log->ctx, LIBDBM_EIO, "log '%s' changed while being read", log->path);
    *out = w->data;
    return LIBDBM_OK;
}

/* Replays the records after the header; *valid_end receives the offset
 * just after the last valid record. */
static int replay_records(struct dbmi_log *log, uint64_t file_size, dbmi_log_replay_fn replay,
                          void *user_data, uint64_t *valid_end)
{
    read_window w;
    uint64_t pos = DBMI_LOG_HEADER_SIZE;
    int status = LIBDBM_OK;

    memset(&w, 0, sizeof(w));
    while (file_size - pos >= DBMI_LOG_RECORD_OVERHEAD) {
        const unsigned char *frame;
        uint32_t len, crc;
        status = window_get(log, &w, pos, DBMI_LOG_RECORD_OVERHEAD, &frame);
        if (status != LIBDBM_OK)
            break;
        len = dbmi_load_u32le(frame);
        crc = dbmi_load_u32le(frame + 4);
        /* Checked before anything is read or allocated for the payload. */
        if (len > DBMI_LOG_MAX_RECORD ||
            len > file_size - pos - DBMI_LOG_RECORD_OVERHEAD)
            break;
        status = window_get(log, &w, pos, DBMI_LOG_RECORD_OVERHEAD + (size_t)len, &frame);
        if (status != LIBDBM_OK)
            break;
        if (dbmi_crc32c(dbmi_crc32c(0, frame, 4), frame + DBMI_LOG_RECORD_OVERHEAD, len) != crc)
            break;
        if (replay != NULL) {
            status = replay(frame + DBMI_LOG_RECORD_OVERHEAD, len, user_data);
            if (status != LIBDBM_OK)
                break;
        }
        pos += DBMI_LOG_RECORD_OVERHEAD + (uint64_t)len;
    }
    dbmi_free(log->ctx, w.data);
    *valid_end = pos;
    return status;
}

static int cut_torn_tail(struct dbmi_log *log, uint64_t valid_end, uint64_t file_size)
{
    int status;
    dbmi_log(log->ctx, LIBDBM_LOG_WARNING,
             "log '%s': torn or invalid record at byte %" PRIu64 "; %s %" PRIu64
             " bytes after it", log->path, valid_end,
             log->read_only ? "ignoring" : "truncating", file_size - valid_end);
    if (log->read_only)
        return LIBDBM_OK;
    status = dbmi_io_ftruncate(log->ctx, log->fd, valid_end, log->path);
    if (status == LIBDBM_OK)
        status = dbmi_io_fsync(log->ctx, log->fd, log->path);
    return status;
}

/* Opens the existing file, checks its header and replays or skips it. */
static int open_existing(struct dbmi_log *log, uint64_t epoch, dbmi_log_replay_fn replay,
                         void *user_data)
{
    unsigned char header[DBMI_LOG_HEADER_SIZE];
    uint64_t file_size = 0, file_epoch = 0, valid_end = 0;
    size_t got;
    int status;

    status = dbmi_io_file_size(log->ctx, log->fd, log->path, &file_size);
    if (status != LIBDBM_OK)
        return status;
    if (file_size < DBMI_LOG_HEADER_SIZE)
        return dbmi_error(log->ctx, LIBDBM_ECORRUPT,
                          "log '%s' is %" PRIu64 " bytes, shorter than its %u-byte header",
                          log->path, file_size, DBMI_LOG_HEADER_SIZE);
    status = dbmi_io_pread_full(log->ctx, log->fd, header, sizeof(header), 0, &got, log->path);
    if (status != LIBDBM_OK)
        return status;
    if (got != sizeof(header))
        return dbmi_error(log->ctx, LIBDBM_EIO, "log '%s' changed while being read", log->path);
    status = decode_header(log, header, &file_epoch);
    if (status != LIBDBM_OK)
        return status;
    if (file_epoch > epoch)
        return dbmi_error(log->ctx, LIBDBM_ECORRUPT,
                          "log '%s': epoch %" PRIu64 " (byte 16) is newer than the snapshot's "
                          "epoch %" PRIu64 "; the snapshot is older than its log", log->path,
                          file_epoch, epoch);
    if (file_epoch < epoch) {
        /* The snapshot already holds these records. */
        dbmi_log(log->ctx, LIBDBM_LOG_INFO,
                 "log '%s': epoch %" PRIu64 " precedes snapshot epoch %" PRIu64
                 "; its records are in the snapshot", log->path, file_epoch, epoch);
        log->epoch = epoch;
        if (log->read_only) {
            log->size = DBMI_LOG_HEADER_SIZE;
            return LIBDBM_OK;
        }
        return dbmi_log_reset(log, epoch);
    }
    log->epoch = epoch;
    status = replay_records(log, file_size, replay, user_data, &valid_end);
    if (status != LIBDBM_OK)
        return status;
    if (valid_end < file_size) {
        status = cut_torn_tail(log, valid_end, file_size);
        if (status != LIBDBM_OK)
            return status;
    }
    log->size = valid_end;
    if (!log->read_only)
        return dbmi_io_seek(log->ctx, log->fd, valid_end, log->path);
    return LIBDBM_OK;
}

int dbmi_log_open(struct dbmi_log **out, libdbm_context *ctx, const char *path, uint64_t epoch,
                  int read_only, dbmi_log_replay_fn replay, void *user_data)
{
    struct dbmi_log *log;
    int status;

    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL || path == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "dbmi_log_open: NULL argument");
    log = dbmi_calloc(ctx, 1, sizeof(*log));
    if (log == NULL)
        return dbmi_error_nomem(ctx, "opening the log");
    log->ctx = ctx;
    log->fd = -1;
    log->read_only = read_only != 0;
    log->epoch = epoch;
    dbmi_buf_init(&log->pending, ctx);
    log->path = dbmi_strdup(ctx, path);
    if (log->path == NULL) {
        dbmi_log_close(log);
        return dbmi_error_nomem(ctx, "opening the log");
    }
    log->tmp_path = dbmi_io_concat(ctx, path, ".tmp");
    log->dir = log->tmp_path ? dbmi_io_dirname(ctx, path) : NULL;
    if (log->dir == NULL) {
        dbmi_log_close(log);
        return LIBDBM_ENOMEM;
    }

    status = dbmi_io_open(ctx, &log->fd, path, read_only ? O_RDONLY : O_RDWR, 0);
    if (status == LIBDBM_ENOTFOUND) {
        if (read_only) {
            log->fd = -1;
            *out = log;
            return LIBDBM_OK;
        }
        status = write_fresh_log(log, epoch, &log->fd);
        if (status == LIBDBM_OK)
            log->size = DBMI_LOG_HEADER_SIZE;
    } else if (status == LIBDBM_OK) {
        status = open_existing(log, epoch, replay, user_data);
    }
    if (status != LIBDBM_OK || log->poisoned) {
        if (status == LIBDBM_OK)   /* a reset during open failed */
            status = LIBDBM_EIO;
        dbmi_log_close(log);
        return status;
    }
    *out = log;
    return LIBDBM_OK;
}

int dbmi_log_append(struct dbmi_log *log, const void *payload, size_t len)
{
    unsigned char frame[DBMI_LOG_RECORD_OVERHEAD];
    size_t old_len;
    int status;

    if (log == NULL || (payload == NULL && len > 0))
        return LIBDBM_EINVAL;
    status = check_writable(log);
    if (status != LIBDBM_OK)
        return status;
    if (len > DBMI_LOG_MAX_RECORD)
        return dbmi_error(log->ctx, LIBDBM_ELIMIT,
                          "log record of %zu bytes exceeds the %zu-byte limit", len,
                          DBMI_LOG_MAX_RECORD);
    dbmi_store_u32le(frame, (uint32_t)len);
    dbmi_store_u32le(frame + 4, dbmi_crc32c(dbmi_crc32c(0, frame, 4), payload, len));
    old_len = log->pending.len;
    dbmi_buf_put(&log->pending, frame, sizeof(frame));
    dbmi_buf_put(&log->pending, payload, len);
    status = dbmi_buf_status(&log->pending);
    if (status != LIBDBM_OK) {
        /* Keep the records appended before this one. */
        log->pending.len = old_len;
        log->pending.failed = 0;
        return dbmi_error_nomem(log->ctx, "buffering a log record");
    }
    return LIBDBM_OK;
}

int dbmi_log_commit(struct dbmi_log *log)
{
    int status;
    if (log == NULL)
        return LIBDBM_EINVAL;
    status = check_writable(log);
    if (status != LIBDBM_OK)
        return status;
    if (log->pending.len == 0)
        return LIBDBM_OK;
    status = dbmi_io_write_all(log->ctx, log->fd, log->pending.data, log->pending.len,
                               log->path);
    if (status != LIBDBM_OK) {
        poison(log, "a log write failed");
        return status;
    }
    status = dbmi_io_fsync(log->ctx, log->fd, log->path);
    if (status != LIBDBM_OK) {
        poison(log, "a log fsync failed");
        return status;
    }
    log->size += log->pending.len;
    dbmi_buf_clear(&log->pending);
    return LIBDBM_OK;
}

void dbmi_log_discard(struct dbmi_log *log)
{
    if (log != NULL)
        dbmi_buf_clear(&log->pending);
}

int dbmi_log_reset(struct dbmi_log *log, uint64_t new_epoch)
{
    int status, fd;
    if (log == NULL)
        return LIBDBM_EINVAL;
    status = check_writable(log);
    if (status != LIBDBM_OK)
        return status;
    if (log->pending.len != 0)
        return dbmi_error(log->ctx, LIBDBM_EINVAL,
                          "log '%s': reset with uncommitted records (commit or discard first)",
                          log->path);
    status = write_fresh_log(log, new_epoch, &fd);
    if (status != LIBDBM_OK) {
        poison(log, "resetting the log after a checkpoint failed");
        return status;
    }
    if (log->fd >= 0)
        close(log->fd);
    log->fd = fd;
    log->epoch = new_epoch;
    log->size = DBMI_LOG_HEADER_SIZE;
    return LIBDBM_OK;
}

uint64_t dbmi_log_size(const struct dbmi_log *log)
{
    return log ? log->size : 0;
}

uint64_t dbmi_log_epoch(const struct dbmi_log *log)
{
    return log ? log->epoch : 0;
}

int dbmi_log_poisoned(const struct dbmi_log *log)
{
    return log ? log->poisoned : 0;
}

void dbmi_log_close(struct dbmi_log *log)
{
    if (log == NULL)
        return;
    if (log->fd >= 0)
        close(log->fd);
    dbmi_buf_free(&log->pending);
    dbmi_free(log->ctx, log->dir);
    dbmi_free(log->ctx, log->tmp_path);
    dbmi_free(log->ctx, log->path);
    dbmi_free(log->ctx, log);
}
