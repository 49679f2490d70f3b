/* Checkpoint files: write-temp, fsync, rename, fsync-directory. */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "bytes.h"
#include "crc32c.h"
#include "io.h"
#include "snapshot.h"

#if LIBDBM_HAVE_ZLIB
#include <zlib.h>
#endif

#define SNAPSHOT_VERSION 1u
static const unsigned char snapshot_magic[8] = {'L', 'I', 'B', 'D', 'B', 'M', 'S', 'N'};

/* Payload bytes are staged in a buffer of this size before each write. */
#define STAGE_SIZE ((size_t)64 * 1024)
/* deflate never expands data more than this ratio (zlib's technical notes
 * give 1032:1 as the maximum); a larger raw length is corrupt. */
#define MAX_INFLATE_RATIO 1032u

struct dbmi_snapshot_writer {
    libdbm_context *ctx;
    char *path;
    char *tmp_path;
    char *dir;
    int fd;
    int compress;
    int failed;             /* a write failed: nothing more is accepted */
    uint64_t epoch;
    uint64_t raw_len;       /* payload bytes given by the caller */
    uint64_t stored_len;    /* payload bytes written to the file */
    unsigned char *stage;
    size_t stage_len;
#if LIBDBM_HAVE_ZLIB
    z_stream z;
    int z_ready;
#endif
};

#if LIBDBM_HAVE_ZLIB
/* zlib allocates through the context, so allocation-failure tests reach it. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    size_t total;
    if (dbmi_size_mul(items, size, &total))
        return Z_NULL;
    return dbmi_malloc(opaque, total);
}

static void z_free(voidpf opaque, voidpf address)
{
    dbmi_free(opaque, address);
}
#endif

static void encode_header(unsigned char out[DBMI_SNAPSHOT_HEADER_SIZE], uint32_t flags,
                          uint64_t epoch, uint64_t stored_len, uint64_t raw_len)
{
    memset(out, 0, DBMI_SNAPSHOT_HEADER_SIZE);
    memcpy(out, snapshot_magic, sizeof(snapshot_magic));
    dbmi_store_u32le(out + 8, SNAPSHOT_VERSION);
    dbmi_store_u32le(out + 12, flags);
    dbmi_store_u64le(out + 16, epoch);
    dbmi_store_u64le(out + 24, stored_len);
    dbmi_store_u64le(out + 32, raw_len);
}

static void free_writer(dbmi_snapshot_writer *w)
{
    libdbm_context *ctx = w->ctx;
#if LIBDBM_HAVE_ZLIB
    if (w->z_ready)
        deflateEnd(&w->z);
#endif
    if (w->fd >= 0)
        close(w->fd);
    dbmi_free(ctx, w->stage);
    dbmi_free(ctx, w->dir);
    dbmi_free(ctx, w->tmp_path);
    dbmi_free(ctx, w->path);
    dbmi_free(ctx, w);
}

void dbmi_snapshot_abort(dbmi_snapshot_writer *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0 && w->tmp_path != NULL) {
        close(w->fd);
        w->fd = -1;
        unlink(w->tmp_path);
    }
    free_writer(w);
}

int dbmi_snapshot_begin(dbmi_snapshot_writer **out, libdbm_context *ctx, const char *path,
                        uint64_t epoch, int compress)
{
    unsigned char header[DBMI_SNAPSHOT_HEADER_SIZE];
    dbmi_snapshot_writer *w;
    int status;

    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL || path == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "dbmi_snapshot_begin: NULL argument");
#if !LIBDBM_HAVE_ZLIB
    if (compress)
        return dbmi_error(ctx, LIBDBM_ENOTSUP,
                          "compressed snapshots need zlib, which this build lacks");
#endif
    w = dbmi_calloc(ctx, 1, sizeof(*w));
    if (w == NULL)
        return dbmi_error_nomem(ctx, "starting a snapshot");
    w->ctx = ctx;
    w->fd = -1;
    w->epoch = epoch;
    w->compress = compress != 0;
    w->path = dbmi_strdup(ctx, path);
    w->tmp_path = w->path ? dbmi_io_concat(ctx, path, ".tmp") : NULL;
    w->dir = w->tmp_path ? dbmi_io_dirname(ctx, path) : NULL;
    w->stage = w->dir ? dbmi_malloc(ctx, STAGE_SIZE) : NULL;
    if (w->stage == NULL) {
        free_writer(w);
        return dbmi_error_nomem(ctx, "starting a snapshot");
    }
#if LIBDBM_HAVE_ZLIB
    if (w->compress) {
        w->z.zalloc = z_alloc;
        w->z.zfree = z_free;
        w->z.opaque = ctx;
        if (deflateInit(&w->z, Z_DEFAULT_COMPRESSION) != Z_OK) {
            free_writer(w);
            return dbmi_error_nomem(ctx, "starting a compressed snapshot");
        }
        w->z_ready = 1;
    }
#endif
    status = dbmi_io_open(ctx, &w->fd, w->tmp_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (status != LIBDBM_OK) {
        w->fd = -1;
        free_writer(w);
        return status;
    }
    /* A zeroed header reserves the space; commit writes the real one. */
    memset(header, 0, sizeof(header));
    status = dbmi_io_write_all(ctx, w->fd, header, sizeof(header), w->tmp_path);
    if (status != LIBDBM_OK) {
        dbmi_snapshot_abort(w);
        return status;
    }
    *out = w;
    return LIBDBM_OK;
}

static int flush_stage(dbmi_snapshot_writer *w)
{
    int status;
    if (w->stage_len == 0)
        return LIBDBM_OK;
    status = dbmi_io_write_all(w->ctx, w->fd, w->stage, w->stage_len, w->tmp_path);
    if (status != LIBDBM_OK) {
        w->failed = 1;
        return status;
    }
    w->stored_len += w->stage_len;
    w->stage_len = 0;
    return LIBDBM_OK;
}

/* Copies stored (post-compression) bytes into the stage. */
static int stage_bytes(dbmi_snapshot_writer *w, const unsigned char *p, size_t len)
{
    while (len > 0) {
        size_t room = STAGE_SIZE - w->stage_len, n = len < room ? len : room;
        memcpy(w->stage + w->stage_len, p, n);
        w->stage_len += n;
        p += n;
        len -= n;
        if (w->stage_len == STAGE_SIZE) {
            int status = flush_stage(w);
            if (status != LIBDBM_OK)
                return status;
        }
    }
    return LIBDBM_OK;
}

#if LIBDBM_HAVE_ZLIB
/* Runs deflate over the input (finishing the stream when @p finish),
 * staging everything it produces. */
static int deflate_bytes(dbmi_snapshot_writer *w, const unsigned char *p, size_t len,
                         int finish)
{
    unsigned char out[16384];
    for (;;) {
        uInt chunk = len > 65536 ? 65536u : (uInt)len;
        int last = len == chunk;
        int flush = finish && last ? Z_FINISH : Z_NO_FLUSH;
        w->z.next_in = (Bytef *)(uintptr_t)p;
        w->z.avail_in = chunk;
        for (;;) {
            int rc, status;
            size_t produced;
            w->z.next_out = out;
            w->z.avail_out = (uInt)sizeof(out);
            rc = deflate(&w->z, flush);
            if (rc == Z_STREAM_ERROR) {
                w->failed = 1;
                return dbmi_error(w->ctx, LIBDBM_EIO, "compressing snapshot '%s' failed",
                                  w->tmp_path);
            }
            produced = sizeof(out) - w->z.avail_out;
            status = stage_bytes(w, out, produced);
            if (status != LIBDBM_OK)
                return status;
            /* Without flushing, spare output room means all input was
             * taken; when finishing, only the stream end counts. */
            if (flush == Z_FINISH ? rc == Z_STREAM_END : w->z.avail_out != 0)
                break;
        }
        if (last)
            return LIBDBM_OK;
        p += chunk;
        len -= chunk;
    }
}
#endif

int dbmi_snapshot_write(dbmi_snapshot_writer *w, const void *data, size_t len)
{
    if (w == NULL || (data == NULL && len > 0))
        return LIBDBM_EINVAL;
    if (w->failed)
        return dbmi_error(w->ctx, LIBDBM_EIO,
                          "snapshot '%s': an earlier write failed", w->tmp_path);
    if (len == 0)
        return LIBDBM_OK;
    if (w->raw_len > UINT64_MAX - len)
        return dbmi_error(w->ctx, LIBDBM_ELIMIT, "snapshot '%s' is too large", w->tmp_path);
    w->raw_len += len;
#if LIBDBM_HAVE_ZLIB
    if (w->compress)
        return deflate_bytes(w, data, len, 0);
#endif
    return stage_bytes(w, data, len);
}

/* CRC32C of the file as written, read back from offset 0 to @p end. */
static int checksum_file(dbmi_snapshot_writer *w, uint64_t end, uint32_t *crc)
{
    uint64_t pos = 0;
    *crc = 0;
    while (pos < end) {
        size_t want = end - pos < STAGE_SIZE ? (size_t)(end - pos) : STAGE_SIZE, got;
        int status = dbmi_io_pread_full(w->ctx, w->fd, w->stage, want, pos, &got, w->tmp_path);
        if (status != LIBDBM_OK)
            return status;
        if (got != want)
            return dbmi_error(w->ctx, LIBDBM_EIO, "snapshot '%s' shrank while being written",
                              w->tmp_path);
        *crc = dbmi_crc32c(*crc, w->stage, got);
        pos += got;
    }
    return LIBDBM_OK;
}

static int finish_file(dbmi_snapshot_writer *w)
{
    unsigned char header[DBMI_SNAPSHOT_HEADER_SIZE], trailer[DBMI_SNAPSHOT_TRAILER_SIZE];
    uint64_t end;
    uint32_t crc;
    int status;

#if LIBDBM_HAVE_ZLIB
    if (w->compress) {
        status = deflate_bytes(w, NULL, 0, 1);
        if (status != LIBDBM_OK)
            return status;
    }
#endif
    status = flush_stage(w);
    if (status != LIBDBM_OK)
        return status;
    encode_header(header, w->compress ? DBMI_SNAPSHOT_COMPRESSED : 0u, w->epoch, w->stored_len,
                  w->raw_len);
    status = dbmi_io_pwrite_all(w->ctx, w->fd, header, sizeof(header), 0, w->tmp_path);
    if (status != LIBDBM_OK)
        return status;
    end = DBMI_SNAPSHOT_HEADER_SIZE + w->stored_len;
    status = checksum_file(w, end, &crc);
    if (status != LIBDBM_OK)
        return status;
    dbmi_store_u32le(trailer, crc);
    status = dbmi_io_pwrite_all(w->ctx, w->fd, trailer, sizeof(trailer), end, w->tmp_path);
    if (status != LIBDBM_OK)
        return status;
    return dbmi_io_fsync(w->ctx, w->fd, w->tmp_path);
}

int dbmi_snapshot_commit(dbmi_snapshot_writer *w)
{
    int status;
    if (w == NULL)
        return LIBDBM_EINVAL;
    if (w->failed) {
        status = dbmi_error(w->ctx, LIBDBM_EIO, "snapshot '%s': an earlier write failed",
                            w->tmp_path);
        dbmi_snapshot_abort(w);
        return status;
    }
    status = finish_file(w);
    if (status != LIBDBM_OK) {
        dbmi_snapshot_abort(w);
        return status;
    }
    status = dbmi_io_close(w->ctx, w->fd, w->tmp_path);
    w->fd = -1;
    if (status == LIBDBM_OK)
        status = dbmi_io_rename(w->ctx, w->tmp_path, w->path);
    if (status != LIBDBM_OK) {
        unlink(w->tmp_path);
        free_writer(w);
        return status;
    }
    status = dbmi_io_fsync_dir(w->ctx, w->dir);
    free_writer(w);
    return status;
}

/* ---- loading ---- */

typedef struct snapshot_header {
    uint32_t flags;
    uint64_t epoch;
    uint64_t stored_len;
    uint64_t raw_len;
} snapshot_header;

static int check_header(libdbm_context *ctx, const char *path, const unsigned char *in,
                        uint64_t file_size, snapshot_header *h)
{
    uint32_t version;
    if (memcmp(in, snapshot_magic, sizeof(snapshot_magic)) != 0)
        return dbmi_error(ctx, LIBDBM_ECORRUPT,
                          "snapshot '%s': bad magic at byte 0 (not a libdbm snapshot)", path);
    version = dbmi_load_u32le(in + 8);
    if (version == 0)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "snapshot '%s': version 0 at byte 8", path);
    if (version > SNAPSHOT_VERSION)
        return dbmi_error(ctx, LIBDBM_EVERSION,
                          "snapshot '%s': format version %" PRIu32 " (byte 8); this library "
                          "reads version %u", path, version, SNAPSHOT_VERSION);
    h->flags = dbmi_load_u32le(in + 12);
    h->epoch = dbmi_load_u64le(in + 16);
    h->stored_len = dbmi_load_u64le(in + 24);
    h->raw_len = dbmi_load_u64le(in + 32);
    /* The length is checked against the file before anything is allocated. */
    if (h->stored_len != file_size - DBMI_SNAPSHOT_HEADER_SIZE - DBMI_SNAPSHOT_TRAILER_SIZE)
        return dbmi_error(ctx, LIBDBM_ECORRUPT,
                          "snapshot '%s': payload length %" PRIu64 " (byte 24) does not match "
                          "the file size %" PRIu64 " (truncated or overwritten)", path,
                          h->stored_len, file_size);
    return LIBDBM_OK;
}

/* Reads the header and payload, verifying the checksum; *stored receives
 * the stored payload (allocated). */
static int read_verified(libdbm_context *ctx, int fd, const char *path, snapshot_header *h,
                         unsigned char **stored)
{
    unsigned char header[DBMI_SNAPSHOT_HEADER_SIZE], trailer[DBMI_SNAPSHOT_TRAILER_SIZE];
    uint64_t file_size;
    unsigned char *data;
    size_t got, n;
    uint32_t crc;
    int status;

    status = dbmi_io_file_size(ctx, fd, path, &file_size);
    if (status != LIBDBM_OK)
        return status;
    if (file_size < DBMI_SNAPSHOT_HEADER_SIZE + DBMI_SNAPSHOT_TRAILER_SIZE)
        return dbmi_error(ctx, LIBDBM_ECORRUPT,
                          "snapshot '%s' is %" PRIu64 " bytes, shorter than its header and "
                          "trailer (%u bytes)", path, file_size,
                          DBMI_SNAPSHOT_HEADER_SIZE + DBMI_SNAPSHOT_TRAILER_SIZE);
    status = dbmi_io_pread_full(ctx, fd, header, sizeof(header), 0, &got, path);
    if (status != LIBDBM_OK)
        return status;
    if (got != sizeof(header))
        return dbmi_error(ctx, LIBDBM_EIO, "snapshot '%s' changed while being read", path);
    status = check_header(ctx, path, header, file_size, h);
    if (status != LIBDBM_OK)
        return status;
    if (h->stored_len > SIZE_MAX)
        return dbmi_error(ctx, LIBDBM_ELIMIT, "snapshot '%s' is too large for this machine",
                          path);
    n = (size_t)h->stored_len;
    data = dbmi_malloc(ctx, n);
    if (data == NULL)
        return dbmi_error_nomem(ctx, "reading a snapshot");
    status = dbmi_io_pread_full(ctx, fd, data, n, DBMI_SNAPSHOT_HEADER_SIZE, &got, path);
    if (status == LIBDBM_OK && got == n)
        status = dbmi_io_pread_full(ctx, fd, trailer, sizeof(trailer),
                                    DBMI_SNAPSHOT_HEADER_SIZE + h->stored_len, &got, path);
    if (status == LIBDBM_OK && got != sizeof(trailer))
        status = dbmi_error(ctx, LIBDBM_EIO, "snapshot '%s' changed while being read", path);
    if (status == LIBDBM_OK) {
        crc = dbmi_crc32c(dbmi_crc32c(0, header, sizeof(header)), data, n);
        if (crc != dbmi_load_u32le(trailer))
            status = dbmi_error(ctx, LIBDBM_ECORRUPT,
                                "snapshot '%s': checksum mismatch (trailer at byte %" PRIu64
                                ")", path, DBMI_SNAPSHOT_HEADER_SIZE + h->stored_len);
    }
    if (status != LIBDBM_OK) {
        dbmi_free(ctx, data);
        return status;
    }
    *stored = data;
    return LIBDBM_OK;
}

static int inflate_payload(libdbm_context *ctx, const char *path, const snapshot_header *h,
                           const unsigned char *stored, unsigned char **raw)
{
#if LIBDBM_HAVE_ZLIB
    z_stream z;
    unsigned char *out;
    size_t in_done = 0, out_done = 0, n_in = (size_t)h->stored_len;
    size_t n_out;
    int rc = Z_OK;

    if (h->raw_len > SIZE_MAX || h->raw_len / MAX_INFLATE_RATIO > h->stored_len)
        return dbmi_error(ctx, LIBDBM_ECORRUPT,
                          "snapshot '%s': raw length %" PRIu64 " (byte 32) is impossible for "
                          "%" PRIu64 " compressed bytes", path, h->raw_len, h->stored_len);
    n_out = (size_t)h->raw_len;
    out = dbmi_malloc(ctx, n_out);
    if (out == NULL)
        return dbmi_error_nomem(ctx, "decompressing a snapshot");
    memset(&z, 0, sizeof(z));
    z.zalloc = z_alloc;
    z.zfree = z_free;
    z.opaque = ctx;
    if (inflateInit(&z) != Z_OK) {
        dbmi_free(ctx, out);
        return dbmi_error_nomem(ctx, "decompressing a snapshot");
    }
    /* zlib counts in uInt: feed both sides in chunks. */
    while (rc == Z_OK) {
        size_t in_chunk = n_in - in_done < 65536 ? n_in - in_done : 65536;
        size_t out_chunk = n_out - out_done < 65536 ? n_out - out_done : 65536;
        z.next_in = (Bytef *)(uintptr_t)(stored + in_done);
        z.avail_in = (uInt)in_chunk;
        z.next_out = out + out_done;
        z.avail_out = (uInt)out_chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        in_done += in_chunk - z.avail_in;
        out_done += out_chunk - z.avail_out;
        if (rc == Z_BUF_ERROR && (in_chunk - z.avail_in) + (out_chunk - z.avail_out) > 0)
            rc = Z_OK;   /* progress was made; continue */
    }
    inflateEnd(&z);
    if (rc == Z_MEM_ERROR) {
        dbmi_free(ctx, out);
        return dbmi_error_nomem(ctx, "decompressing a snapshot");
    }
    if (rc != Z_STREAM_END || in_done != n_in || out_done != n_out) {
        dbmi_free(ctx, out);
        return dbmi_error(ctx, LIBDBM_ECORRUPT,
                          "snapshot '%s': compressed payload does not decode to its %" PRIu64
                          " bytes", path, h->raw_len);
    }
    *raw = out;
    return LIBDBM_OK;
#else
    (void)stored;
    (void)raw;
    (void)h;
    return dbmi_error(ctx, LIBDBM_ENOTSUP,
                      "snapshot '%s' is compressed and this build lacks zlib", path);
#endif
}

int dbmi_snapshot_load(libdbm_context *ctx, const char *path, uint64_t *epoch, void **payload,
                       size_t *len)
{
    snapshot_header h = {0, 0, 0, 0};
    unsigned char *stored = NULL, *raw = NULL;
    int fd, status;

    if (ctx == NULL || path == NULL || epoch == NULL || payload == NULL || len == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "dbmi_snapshot_load: NULL argument");
    status = dbmi_io_open(ctx, &fd, path, O_RDONLY, 0);
    if (status != LIBDBM_OK)
        return status;
    status = read_verified(ctx, fd, path, &h, &stored);
    close(fd);
    if (status != LIBDBM_OK)
        return status;
    if ((h.flags & ~DBMI_SNAPSHOT_COMPRESSED) != 0) {
        dbmi_free(ctx, stored);
        return dbmi_error(ctx, LIBDBM_EVERSION,
                          "snapshot '%s': unknown flags 0x%" PRIx32 " at byte 12", path, h.flags);
    }
    if (h.flags & DBMI_SNAPSHOT_COMPRESSED) {
        status = inflate_payload(ctx, path, &h, stored, &raw);
        dbmi_free(ctx, stored);
        if (status != LIBDBM_OK)
            return status;
    } else {
        if (h.raw_len != h.stored_len) {
            dbmi_free(ctx, stored);
            return dbmi_error(ctx, LIBDBM_ECORRUPT,
                              "snapshot '%s': raw length %" PRIu64 " (byte 32) differs from the "
                              "stored length of an uncompressed payload", path, h.raw_len);
        }
        raw = stored;
    }
    *epoch = h.epoch;
    *payload = raw;
    *len = (size_t)h.raw_len;
    return LIBDBM_OK;
}
