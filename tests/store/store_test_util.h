/* Helpers shared by the store's public-API tests. */
#ifndef LIBDBM_TEST_STORE_UTIL_H
#define LIBDBM_TEST_STORE_UTIL_H

#include <libdbm.h>
#include <stdint.h>

/* Creates a fresh empty directory path under $TMPDIR (or /tmp) and
 * returns it in @p buf. */
void store_test_tmpdir(char *buf, size_t size, const char *tag);
/* Removes the store directory and its files. */
void store_test_rmdir(const char *dir);
/* 1 when any file in @p dir contains @p needle (bytes). */
int store_test_dir_contains(const char *dir, const char *needle);
/* Small deterministic PRNG (xorshift64*). */
uint64_t store_test_rand(uint64_t *state);

#endif
