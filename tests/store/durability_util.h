/* Helpers shared by the durability tests (log, snapshot, lock, kill loop):
 * temporary store directories, whole-file reads and writes, and a context
 * whose log messages are captured. */
#ifndef LIBDBM_TEST_DURABILITY_UTIL_H
#define LIBDBM_TEST_DURABILITY_UTIL_H

#include <stddef.h>

#include <libdbm.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); returns it (static
 * storage, one per call slot: up to 8 live at once). */
const char *dur_tmpdir(const char *tag);
/* Removes the files of @p dir (not recursive) and the directory. */
void dur_rmtree(const char *dir);
/* "dir/name" in a static rotating buffer (32 slots: copy it to keep it). */
const char *dur_path(const char *dir, const char *name);
/* Reads a whole file (malloc'ed; NULL when absent). */
unsigned char *dur_read_file(const char *path, size_t *len);
void dur_write_file(const char *path, const void *data, size_t len);
int dur_file_exists(const char *path);

/* A context whose WARNING-and-above messages are appended to a buffer. */
libdbm_context *dur_context(void);
const char *dur_logged(void);
void dur_clear_logged(void);

#endif
