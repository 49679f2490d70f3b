/* One writer process per store: an flock(2) on the store's LOCK file.
 *
 * flock, not fcntl/POSIX record locks: those belong to the process and
 * vanish when ANY descriptor of the file is closed in it, so an unrelated
 * open+close of LOCK (by a second store handle, a backup routine, ...) would
 * silently drop the writer's lock. flock locks belong to the open file
 * description: a second open in the same process conflicts like another
 * process, and the lock goes away when the holder closes it or dies.
 * The descriptor is close-on-exec; a fork()ed child shares the parent's
 * lock until either closes it. */
#ifndef LIBDBM_STORE_LOCK_H
#define LIBDBM_STORE_LOCK_H

#include "context_private.h"

typedef struct dbmi_lock dbmi_lock;

/* Takes the lock without blocking. @p path is the lock file (STORE/LOCK)
 * or the store directory, in which case STORE/LOCK is used; the file is
 * created when absent (shared openers fall back to opening it read-only
 * when they cannot create or write it). @p exclusive = 1 for the writer,
 * 0 for a read-only opener (shared: readers coexist, but a reader and a
 * writer exclude each other). A conflict is LIBDBM_ELOCKED with a message
 * naming the store. A WARNING is logged when the store is on a network file
 * system (NFS, CIFS/SMB), where these locks are unreliable.
 * Errors: ELOCKED, EIO, ENOMEM, EINVAL. *out is NULL on failure. */
int dbmi_lock_acquire(dbmi_lock **out, libdbm_context *ctx, const char *path, int exclusive);

/* Releases the lock and frees @p lock. The LOCK file stays (removing it
 * would race with another opener). NULL is accepted. */
void dbmi_lock_release(dbmi_lock *lock);

#endif
