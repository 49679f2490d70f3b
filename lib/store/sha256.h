/* SHA-256 (FIPS 180-4), for the salted one-way suppression hashes of
 * erased addresses. */
#ifndef LIBDBM_STORE_SHA256_H
#define LIBDBM_STORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct dbmi_sha256 {
    uint32_t state[8];
    uint64_t length;
    unsigned char block[64];
    size_t used;
} dbmi_sha256;

void dbmi_sha256_init(dbmi_sha256 *h);
void dbmi_sha256_update(dbmi_sha256 *h, const void *data, size_t len);
void dbmi_sha256_final(dbmi_sha256 *h, unsigned char digest[32]);

#endif
