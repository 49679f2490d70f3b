/* File I/O through replaceable hooks, with errors that name the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context_impl.h"
#include "io.h"

void dbmi_io_set_hooks(libdbm_context *ctx, const dbmi_io_hooks *hooks)
{
    if (ctx == NULL)
        return;
    if (hooks == NULL)
        memset(&ctx->io_hooks, 0, sizeof(ctx->io_hooks));
    else
        ctx->io_hooks = *hooks;
}

/* Records the failure of @p op on @p path with the saved @p err. */
static int io_error(const libdbm_context *ctx, const char *op, const char *path, int err)
{
    char buf[256];
    const char *text = strerror_r(err, buf, sizeof(buf));
    if (err == ENOSPC)
        return dbmi_error(ctx, LIBDBM_EIO, "%s '%s' failed: disk full (%s)", op, path, text);
    return dbmi_error(ctx, LIBDBM_EIO, "%s '%s' failed: %s", op, path, text);
}

static ssize_t do_write(libdbm_context *ctx, int fd, const void *buf, size_t count)
{
    if (ctx->io_hooks.write)
        return ctx->io_hooks.write(fd, buf, count, ctx->io_hooks.user_data);
    return write(fd, buf, count);
}

static ssize_t do_pwrite(libdbm_context *ctx, int fd, const void *buf, size_t count,
                         off_t offset)
{
    if (ctx->io_hooks.pwrite)
        return ctx->io_hooks.pwrite(fd, buf, count, offset, ctx->io_hooks.user_data);
    return pwrite(fd, buf, count, offset);
}

static ssize_t do_read(libdbm_context *ctx, int fd, void *buf, size_t count)
{
    if (ctx->io_hooks.read)
        return ctx->io_hooks.read(fd, buf, count, ctx->io_hooks.user_data);
    return read(fd, buf, count);
}

static ssize_t do_pread(libdbm_context *ctx, int fd, void *buf, size_t count, off_t offset)
{
    if (ctx->io_hooks.pread)
        return ctx->io_hooks.pread(fd, buf, count, offset, ctx->io_hooks.user_data);
    return pread(fd, buf, count, offset);
}

static int do_fsync(libdbm_context *ctx, int fd)
{
    if (ctx->io_hooks.fsync)
        return ctx->io_hooks.fsync(fd, ctx->io_hooks.user_data);
    return fsync(fd);
}

static int do_open(libdbm_context *ctx, const char *path, int flags, mode_t mode)
{
    if (ctx->io_hooks.open)
        return ctx->io_hooks.open(path, flags, mode, ctx->io_hooks.user_data);
    return open(path, flags, mode);
}

/* Chunks stay below SSIZE_MAX and the kernel's 2 GiB per-call limit. */
#define IO_CHUNK ((size_t)1 << 30)

static int offset_ok(uint64_t offset, size_t len)
{
    /* off_t is 64-bit here (_GNU_SOURCE on 64-bit Linux, or
     * _FILE_OFFSET_BITS=64); refuse what it cannot hold. */
    return offset <= (uint64_t)INT64_MAX - len;
}

int dbmi_io_write_all(libdbm_context *ctx, int fd, const void *buf, size_t len,
                      const char *path)
{
    const unsigned char *p = buf;
    while (len > 0) {
        size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
        ssize_t n = do_write(ctx, fd, p, chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error(ctx, "writing", path, errno);
        }
        if (n == 0)   /* no progress and no error: treat as a full device */
            return io_error(ctx, "writing", path, ENOSPC);
        p += (size_t)n;
        len -= (size_t)n;
    }
    return LIBDBM_OK;
}

int dbmi_io_pwrite_all(libdbm_context *ctx, int fd, const void *buf, size_t len,
                       uint64_t offset, const char *path)
{
    const unsigned char *p = buf;
    if (!offset_ok(offset, len))
        return io_error(ctx, "writing", path, EFBIG);
    while (len > 0) {
        size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
        ssize_t n = do_pwrite(ctx, fd, p, chunk, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error(ctx, "writing", path, errno);
        }
        if (n == 0)
            return io_error(ctx, "writing", path, ENOSPC);
        p += (size_t)n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return LIBDBM_OK;
}

/* Reads until @p len bytes or end of file, retrying EINTR, in chunks; at
 * the file position when @p positioned is 0, else at @p offset. */
static int read_loop(libdbm_context *ctx, int fd, unsigned char *p, size_t len, int positioned,
                     uint64_t offset, size_t *got, const char *path)
{
    size_t done = 0;
    *got = 0;
    while (done < len) {
        size_t chunk = len - done < IO_CHUNK ? len - done : IO_CHUNK;
        ssize_t n = positioned ? do_pread(ctx, fd, p + done, chunk, (off_t)(offset + done))
                               : do_read(ctx, fd, p + done, chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error(ctx, "reading", path, errno);
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    *got = done;
    return LIBDBM_OK;
}

int dbmi_io_read_full(libdbm_context *ctx, int fd, void *buf, size_t len,
                      size_t *got, const char *path)
{
    return read_loop(ctx, fd, buf, len, 0, 0, got, path);
}

int dbmi_io_pread_full(libdbm_context *ctx, int fd, void *buf, size_t len,
                       uint64_t offset, size_t *got, const char *path)
{
    *got = 0;
    if (!offset_ok(offset, len))
        return io_error(ctx, "reading", path, EFBIG);
    return read_loop(ctx, fd, buf, len, 1, offset, got, path);
}

int dbmi_io_fsync(libdbm_context *ctx, int fd, const char *path)
{
    /* Only EINTR is retried: after any other failure the kernel may have
     * dropped the dirty pages, and a second fsync could report success for
     * data that never reached the disk. */
    for (;;) {
        if (do_fsync(ctx, fd) == 0)
            return LIBDBM_OK;
        if (errno != EINTR)
            return io_error(ctx, "syncing", path, errno);
    }
}

int dbmi_io_fsync_dir(libdbm_context *ctx, const char *dir)
{
    int fd, status;
    status = dbmi_io_open(ctx, &fd, dir, O_RDONLY | O_DIRECTORY, 0);
    if (status != LIBDBM_OK)
        return status;
    for (;;) {
        if (do_fsync(ctx, fd) == 0) {
            status = LIBDBM_OK;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EINVAL || errno == ENOTSUP) {
            /* The file system cannot sync directories (some FUSE and
             * network file systems); nothing more can be done. */
            dbmi_log(ctx, LIBDBM_LOG_DEBUG, "directory '%s' cannot be synced: %s", dir,
                     strerror(errno));
            status = LIBDBM_OK;
            break;
        }
        status = io_error(ctx, "syncing directory", dir, errno);
        break;
    }
    close(fd);
    return status;
}

int dbmi_io_open(libdbm_context *ctx, int *fd, const char *path, int flags, mode_t mode)
{
    int err;
    for (;;) {
        *fd = do_open(ctx, path, flags | O_CLOEXEC, mode);
        if (*fd >= 0)
            return LIBDBM_OK;
        if (errno != EINTR)
            break;
    }
    err = errno;
    if (err == ENOENT && !(flags & O_CREAT))
        return dbmi_error(ctx, LIBDBM_ENOTFOUND, "opening '%s' failed: no such file", path);
    return io_error(ctx, "opening", path, err);
}

int dbmi_io_close(libdbm_context *ctx, int fd, const char *path)
{
    /* close() is never retried on Linux: the descriptor is gone either way. */
    if (close(fd) != 0 && errno != EINTR)
        return io_error(ctx, "closing", path, errno);
    return LIBDBM_OK;
}

int dbmi_io_ftruncate(libdbm_context *ctx, int fd, uint64_t length, const char *path)
{
    if (!offset_ok(length, 0))
        return io_error(ctx, "truncating", path, EFBIG);
    for (;;) {
        int rc = ctx->io_hooks.ftruncate
                     ? ctx->io_hooks.ftruncate(fd, (off_t)length, ctx->io_hooks.user_data)
                     : ftruncate(fd, (off_t)length);
        if (rc == 0)
            return LIBDBM_OK;
        if (errno != EINTR)
            return io_error(ctx, "truncating", path, errno);
    }
}

int dbmi_io_seek(libdbm_context *ctx, int fd, uint64_t offset, const char *path)
{
    if (!offset_ok(offset, 0) || lseek(fd, (off_t)offset, SEEK_SET) < 0)
        return io_error(ctx, "seeking in", path, offset_ok(offset, 0) ? errno : EFBIG);
    return LIBDBM_OK;
}

int dbmi_io_file_size(libdbm_context *ctx, int fd, const char *path, uint64_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return io_error(ctx, "examining", path, errno);
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return LIBDBM_OK;
}

int dbmi_io_rename(libdbm_context *ctx, const char *from, const char *to)
{
    int rc = ctx->io_hooks.rename ? ctx->io_hooks.rename(from, to, ctx->io_hooks.user_data)
                                  : rename(from, to);
    if (rc != 0) {
        int err = errno;
        char buf[256];
        return dbmi_error(ctx, LIBDBM_EIO, "renaming '%s' to '%s' failed: %s%s", from, to,
                          err == ENOSPC ? "disk full: " : "", strerror_r(err, buf, sizeof(buf)));
    }
    return LIBDBM_OK;
}

int dbmi_io_unlink(libdbm_context *ctx, const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return io_error(ctx, "removing", path, errno);
    return LIBDBM_OK;
}

char *dbmi_io_dirname(libdbm_context *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t len;
    char *dir;
    if (slash == NULL)
        return dbmi_io_concat(ctx, ".", "");
    len = slash == path ? 1 : (size_t)(slash - path);   /* "/x" lives in "/" */
    dir = dbmi_malloc(ctx, len + 1);
    if (dir == NULL) {
        dbmi_error_nomem(ctx, "copying a directory name");
        return NULL;
    }
    memcpy(dir, path, len);
    dir[len] = '\0';
    return dir;
}

char *dbmi_io_concat(libdbm_context *ctx, const char *path, const char *suffix)
{
    size_t a = strlen(path), b = strlen(suffix), total;
    char *out;
    if (dbmi_size_add(a, b, &total) || dbmi_size_add(total, 1, &total) ||
        (out = dbmi_malloc(ctx, total)) == NULL) {
        dbmi_error_nomem(ctx, "building a file name");
        return NULL;
    }
    memcpy(out, path, a);
    memcpy(out + a, suffix, b + 1);
    return out;
}
