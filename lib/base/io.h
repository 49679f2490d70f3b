/* File I/O of the whole library. Every file operation goes through these
 * functions so that tests can replace the POSIX calls (hooks) and inject
 * failures: failing or short writes, a failing fsync, a full disk.
 *
 * Every failure is reported through dbmi_error(): LIBDBM_EIO with a message
 * naming the operation, the file and strerror(errno) ("disk full" for
 * ENOSPC), except where a function documents another code. */
#ifndef LIBDBM_BASE_IO_H
#define LIBDBM_BASE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "context_private.h"

/* Each non-NULL member replaces the POSIX call of the same name with the
 * same contract (-1 and errno on failure); user_data is passed last. */
typedef struct dbmi_io_hooks {
    ssize_t (*write)(int fd, const void *buf, size_t count, void *user_data);
    int (*fsync)(int fd, void *user_data);
    ssize_t (*pwrite)(int fd, const void *buf, size_t count, off_t offset,
                      void *user_data);
    ssize_t (*read)(int fd, void *buf, size_t count, void *user_data);
    ssize_t (*pread)(int fd, void *buf, size_t count, off_t offset,
                     void *user_data);
    int (*open)(const char *path, int flags, mode_t mode, void *user_data);
    int (*ftruncate)(int fd, off_t length, void *user_data);
    int (*rename)(const char *from, const char *to, void *user_data);
    void *user_data;
} dbmi_io_hooks;

/* Installs @p hooks (copied) on @p ctx; NULL restores the POSIX calls.
 * For tests only; not thread-safe with I/O in progress on @p ctx. */
void dbmi_io_set_hooks(libdbm_context *ctx, const dbmi_io_hooks *hooks);

/* Writes all @p len bytes at the file position, looping on short writes and
 * EINTR. */
int dbmi_io_write_all(libdbm_context *ctx, int fd, const void *buf, size_t len,
                      const char *path);
/* The same at @p offset (the file position is unchanged). */
int dbmi_io_pwrite_all(libdbm_context *ctx, int fd, const void *buf, size_t len,
                       uint64_t offset, const char *path);
/* Reads up to @p len bytes at the file position (or at @p offset), looping
 * until @p len or end of file; *got receives the count read. */
int dbmi_io_read_full(libdbm_context *ctx, int fd, void *buf, size_t len,
                      size_t *got, const char *path);
int dbmi_io_pread_full(libdbm_context *ctx, int fd, void *buf, size_t len,
                       uint64_t offset, size_t *got, const char *path);

int dbmi_io_fsync(libdbm_context *ctx, int fd, const char *path);
/* fsync of a directory, after a file in it was created, renamed or removed,
 * so the directory entry itself is durable. */
int dbmi_io_fsync_dir(libdbm_context *ctx, const char *dir);

/* open(2) with O_CLOEXEC added. LIBDBM_ENOTFOUND (with a message) when the
 * file does not exist and @p flags lack O_CREAT; EIO otherwise. */
int dbmi_io_open(libdbm_context *ctx, int *fd, const char *path, int flags,
                 mode_t mode);
/* close(2); a failure (possible on network file systems) is EIO. */
int dbmi_io_close(libdbm_context *ctx, int fd, const char *path);
int dbmi_io_ftruncate(libdbm_context *ctx, int fd, uint64_t length,
                      const char *path);
int dbmi_io_seek(libdbm_context *ctx, int fd, uint64_t offset, const char *path);
int dbmi_io_file_size(libdbm_context *ctx, int fd, const char *path,
                      uint64_t *size);
int dbmi_io_rename(libdbm_context *ctx, const char *from, const char *to);
/* unlink(2); a file that does not exist is not an error. */
int dbmi_io_unlink(libdbm_context *ctx, const char *path);

/* Newly allocated strings (free with dbmi_free): the directory holding
 * @p path ("." when it has none), and @p path with @p suffix appended.
 * NULL (with an ENOMEM message) on allocation failure. */
char *dbmi_io_dirname(libdbm_context *ctx, const char *path);
char *dbmi_io_concat(libdbm_context *ctx, const char *path, const char *suffix);

#endif
