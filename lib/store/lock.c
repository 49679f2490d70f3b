/* The store's writer lock (flock) and the network-file-system warning. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "io.h"
#include "lock.h"

/* statfs f_type values of network file systems (linux/magic.h). */
#define NFS_MAGIC 0x6969L
#define SMB_MAGIC 0x517BL
#define CIFS_MAGIC 0xFF534D42L
#define SMB2_MAGIC 0xFE534D42L

struct dbmi_lock {
    libdbm_context *ctx;
    int fd;
};

static const char *network_fs_name(long type)
{
    switch (type) {
    case NFS_MAGIC: return "NFS";
    case SMB_MAGIC: return "SMB";
    case CIFS_MAGIC: return "CIFS";
    case SMB2_MAGIC: return "SMB2";
    default: return NULL;
    }
}

static void warn_if_network(libdbm_context *ctx, int fd, const char *store)
{
    struct statfs fs;
    const char *name;
    if (fstatfs(fd, &fs) != 0)
        return;
    name = network_fs_name((long)fs.f_type);
    if (name != NULL)
        dbmi_log(ctx, LIBDBM_LOG_WARNING,
                 "store '%s' is on a network file system (%s): its lock may not keep a "
                 "second writer out and fsync may not be honoured", store, name);
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int open_lock_file(libdbm_context *ctx, const char *file, int exclusive, int *fd)
{
    int status = dbmi_io_open(ctx, fd, file, O_RDWR | O_CREAT, 0644);
    if (status != LIBDBM_OK && !exclusive)
        /* A reader of a store it may not write (read-only medium or
         * permissions) still takes its shared lock. */
        status = dbmi_io_open(ctx, fd, file, O_RDONLY, 0);
    return status;
}

int dbmi_lock_acquire(dbmi_lock **out, libdbm_context *ctx, const char *path, int exclusive)
{
    char *file, *store;
    dbmi_lock *lock;
    int status, fd = -1;

    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL || path == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "dbmi_lock_acquire: NULL argument");
    if (is_directory(path)) {
        file = dbmi_io_concat(ctx, path, "/LOCK");
        store = file ? dbmi_strdup(ctx, path) : NULL;
    } else {
        file = dbmi_strdup(ctx, path);
        store = file ? dbmi_io_dirname(ctx, path) : NULL;
    }
    lock = store ? dbmi_calloc(ctx, 1, sizeof(*lock)) : NULL;
    if (lock == NULL) {
        dbmi_free(ctx, store);
        dbmi_free(ctx, file);
        return dbmi_error_nomem(ctx, "locking a store");
    }
    status = open_lock_file(ctx, file, exclusive, &fd);
    while (status == LIBDBM_OK && flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        int err = errno;
        if (err == EINTR)
            continue;
        if (err == EWOULDBLOCK)
            status = dbmi_error(ctx, LIBDBM_ELOCKED,
                                exclusive ? "store '%s' is open elsewhere (another writer or "
                                            "reader holds its lock)"
                                          : "store '%s' is being written by another process",
                                store);
        else
            status = dbmi_error(ctx, LIBDBM_EIO, "locking '%s' failed: %s", file, strerror(err));
    }
    if (status == LIBDBM_OK)
        warn_if_network(ctx, fd, store);
    dbmi_free(ctx, file);
    dbmi_free(ctx, store);
    if (status != LIBDBM_OK) {
        if (fd >= 0)
            close(fd);
        dbmi_free(ctx, lock);
        return status;
    }
    lock->ctx = ctx;
    lock->fd = fd;
    *out = lock;
    return LIBDBM_OK;
}

void dbmi_lock_release(dbmi_lock *lock)
{
    if (lock == NULL)
        return;
    /* Closing the only descriptor of the open file description drops the
     * flock; no explicit LOCK_UN is needed. */
    close(lock->fd);
    dbmi_free(lock->ctx, lock);
}
